/*
 * experiments.c - console commands for CPU-feature experiments: turn exits
 * on and off at run time (`trap`) and look at guest memory (`mem`).
 *
 * A change applies to every vCPU: each core programs its own VMCS and
 * bitmaps (vcpu_call), since VMWRITE reaches only the current VMCS and
 * bitmaps must not change under a running core (SDM Vol. 3C, 25.11.4).
 */
#include "vcpu.h"

#include "../kernel/cpuid_policy.h"
#include "vmx.h"
#include "vmx_ops.h"
#include "vserial.h"
#include "../ept/guest_ept.h"
#include "../kernel/console.h"
#include "../kernel/hv.h"
#include "../kernel/kstring.h"
#include "../kernel/options.h"
#include "../kernel/printk.h"
#include "../kernel/x86.h"

/* An exit a guest instruction can be made to cause, by a primary or
 * secondary processor-based control (25.6.2). */
struct trap_ctl {
    const char *name;
    uint32_t proc;          /* primary control bits */
    const char *what;
};

static const struct trap_ctl traps[] = {
    { "rdtsc",  PROC_RDTSC_EXITING, "RDTSC and RDTSCP" },
    { "hlt",    PROC_HLT_EXITING, "HLT" },
    { "cr3",    PROC_CR3_LOAD_EXITING | PROC_CR3_STORE_EXITING, "MOV to and from CR3" },
    { "invlpg", PROC_INVLPG_EXITING, "INVLPG" },
    { "movdr",  PROC_MOV_DR_EXITING, "MOV to and from DR0-DR7" },
    { "mwait",  PROC_MONITOR_EXITING | PROC_MWAIT_EXITING, "MONITOR and MWAIT" },
    { "pause",  PROC_PAUSE_EXITING, "PAUSE" },
};

#define NTRAPS (sizeof(traps) / sizeof(traps[0]))

static bool parse_on_off(const char *s, bool *on)
{
    if (!strcmp(s, "on"))
        *on = true;
    else if (!strcmp(s, "off"))
        *on = false;
    else
        return false;
    return true;
}

static void print_traps(struct vcpu *v)
{
    for (size_t i = 0; i < NTRAPS; i++)
        kprintf("trap %s=%s\n", traps[i].name, (v->proc & traps[i].proc) == traps[i].proc ? "on" : "off");
    kprintf("trap exceptions=%#x\n", v->exception_bitmap);
}

/* One change to the controls of every vCPU, made on its own core. */
struct trap_change {
    uint32_t proc_set, proc_clear;
    uint32_t exc_set, exc_clear;
    uint16_t io_first;
    unsigned io_count;
    bool io_on;
};

static void apply_trap_change(struct vcpu *v, void *arg)
{
    const struct trap_change *t = arg;
    if (t->proc_set || t->proc_clear) {
        v->proc = (v->proc | t->proc_set) & ~t->proc_clear;
        vmcs_write32(VMCS_PROC_CONTROLS, v->proc);
    }
    if (t->exc_set || t->exc_clear) {
        v->exception_bitmap = (v->exception_bitmap | t->exc_set) & ~t->exc_clear;
        vmcs_write32(VMCS_EXCEPTION_BITMAP, v->exception_bitmap);
    }
    if (t->io_count)
        vmx_io_intercept(v, t->io_first, t->io_count, t->io_on);
}

static void change_all(struct trap_change *t)
{
    for (unsigned i = 0; i < MAX_CPUS; i++)
        if (vcpus[i])
            vcpu_call(vcpus[i], apply_trap_change, t);
}

/* The console's UART, the guest-exit port, the reset and power-off ports
 * and the 8259A's (watched for COM1's interrupt route) are always
 * intercepted. */
static bool port_is_ours(unsigned port)
{
    unsigned uart = vmx_config()->console_port;
    return (port >= uart && port < uart + 8) || port == 0xF4 || platform_port((uint16_t)port) ||
           vserial_pic_port((uint16_t)port);
}

static void cmd_trap(int argc, char **argv)
{
    struct vcpu *v = vcpu_boot();
    bool on;
    if (!v) {
        kprintf("error: trap: VMX is not running\n");
        return;
    }
    if (argc == 1) {
        print_traps(v);
        return;
    }
    if (argc == 4 && !strcmp(argv[1], "exception") && parse_on_off(argv[3], &on)) {
        uint64_t vec;
        if (!parse_uint(argv[2], false, &vec) || vec > 31 || vec == 2) {
            kprintf("error: trap exception: '%s' is not an exception vector 0-31 (NMI excluded)\n",
                    argv[2]);
            return;
        }
        struct trap_change t = { 0 };
        *(on ? &t.exc_set : &t.exc_clear) = 1u << vec;
        change_all(&t);
        kprintf("trap exception=%llu %s exceptions=%#x\n", (unsigned long long)vec, argv[3],
                v->exception_bitmap);
        return;
    }
    if (argc == 4 && !strcmp(argv[1], "io") && parse_on_off(argv[3], &on)) {
        char *dash = argv[2];
        while (*dash && *dash != '-')
            dash++;
        uint64_t first, last;
        bool range = *dash == '-';
        *dash = '\0';
        if (!parse_uint(argv[2], false, &first) ||
            !parse_uint(range ? dash + 1 : argv[2], false, &last) || first > last || last > 0xFFFF) {
            kprintf("error: trap io: need PORT or FIRST-LAST within 0-0xffff\n");
            return;
        }
        for (uint64_t p = first; p <= last; p++) {
            if (!on && port_is_ours((unsigned)p)) {
                kprintf("error: trap io: port %#llx stays intercepted (console UART, guest exit, "
                        "reset or power-off, PIC)\n",
                        (unsigned long long)p);
                return;
            }
        }
        struct trap_change t = { .io_first = (uint16_t)first,
                                 .io_count = (unsigned)(last - first + 1), .io_on = on };
        change_all(&t);
        kprintf("trap io=%#llx-%#llx %s\n", (unsigned long long)first, (unsigned long long)last,
                argv[3]);
        return;
    }
    if (argc == 3 && parse_on_off(argv[2], &on)) {
        for (size_t i = 0; i < NTRAPS; i++) {
            if (strcmp(argv[1], traps[i].name))
                continue;
            const struct trap_ctl *t = &traps[i];
            if (on && (hv.vmx.proc.may1 & t->proc) != t->proc) {
                kprintf("error: trap %s: this CPU cannot make %s exit\n", t->name, t->what);
                return;
            }
            if (!on && (hv.vmx.proc.must1 & t->proc)) {
                kprintf("error: trap %s: this CPU always makes %s exit\n", t->name, t->what);
                return;
            }
            struct trap_change c = { 0 };
            *(on ? &c.proc_set : &c.proc_clear) = t->proc;
            change_all(&c);
            kprintf("trap %s=%s\n", t->name, argv[2]);
            return;
        }
        kprintf("error: trap: unknown exit '%s' (rdtsc, hlt, cr3, invlpg, movdr, mwait, pause, "
                "exception N, io PORT[-PORT])\n", argv[1]);
        return;
    }
    kprintf("error: usage: trap [NAME on|off | exception VECTOR on|off | io PORT[-LAST] on|off]\n");
}
CONSOLE_COMMAND(trap, "trap", "trap [NAME on|off | exception VECTOR on|off | io PORT[-LAST] on|off]",
                "turn exits on or off: rdtsc, hlt, cr3, invlpg, movdr, mwait, pause, exceptions, ports",
                cmd_trap);

#define MEM_MAX 4096

/* Hex dump of guest RAM through the EPT: only mapped RAM pages are shown
 * (device memory could have read side effects; hypervisor memory is never
 * the guest's). */
static void cmd_mem(int argc, char **argv)
{
    uint64_t gpa, len = 64;
    if (argc < 2 || argc > 3 || !parse_uint(argv[1], false, &gpa) ||
        (argc == 3 && (!parse_uint(argv[2], true, &len) || len == 0 || len > MEM_MAX))) {
        kprintf("error: usage: mem GPA [LEN]  (LEN 1-%d, default 64)\n", MEM_MAX);
        return;
    }
    for (uint64_t line = gpa & ~15ull; line < gpa + len; line += 16) {
        char hex[16 * 3 + 1], ascii[17];
        size_t hp = 0, ap = 0;
        for (uint64_t a = line; a < line + 16; a++) {
            bool in = a >= gpa && a < gpa + len;
            enum gpa_class cls;
            const uint8_t *p = in ? ept_guest_ram(a, &cls) : 0;
            if (in && !p) {
                kprintf("error: mem: %#llx is %s memory, not guest RAM mapped in the EPT\n",
                        (unsigned long long)a, gpa_class_name(cls));
                return;
            }
            if (p) {
                hex[hp++] = "0123456789abcdef"[*p >> 4];
                hex[hp++] = "0123456789abcdef"[*p & 15];
                ascii[ap++] = (*p >= 0x20 && *p < 0x7F && *p != '"') ? (char)*p : '.';
            } else {
                hex[hp++] = ' ';
                hex[hp++] = ' ';
                ascii[ap++] = ' ';
            }
            hex[hp++] = ' ';
        }
        hex[hp - 1] = '\0';
        ascii[ap] = '\0';
        kprintf("mem addr=%#010llx hex=\"%s\" ascii=\"%s\"\n", (unsigned long long)line, hex, ascii);
    }
}
CONSOLE_COMMAND(mem, "mem", "mem GPA [LEN]", "hex dump of guest RAM (through the EPT; never hypervisor memory)",
                cmd_mem);

static void report_problem(void *ctx, const char *msg)
{
    (void)ctx;
    kprintf("error: %s\n", msg);
}

static void print_overrides(void)
{
    char line[128];
    for (unsigned i = 0; i < guest_cpuid.n; i++) {
        cpuid_override_format(&guest_cpuid.ov[i], line, sizeof(line));
        kprintf("%s\n", line);
    }
    kprintf("cpuid.overrides=%u\n", guest_cpuid.n);
}

static void print_asked(void)
{
    static const struct { const char *name; uint32_t base; } ranges[] = {
        { "basic", 0 }, { "hypervisor", CPUID_HV_BASE }, { "extended", CPUID_EXT_BASE } };
    const uint64_t bits[3] = { guest_cpuid.asked.basic, guest_cpuid.asked.hv, guest_cpuid.asked.ext };
    for (unsigned r = 0; r < 3; r++) {
        print_begin();
        kprintf("cpuid.asked range=%s leaves=", ranges[r].name);
        bool any = false;
        for (unsigned b = 0; b < 64; b++)
            if (bits[r] & (1ull << b)) {
                kprintf("%s%#x", any ? "," : "", ranges[r].base + b);
                any = true;
            }
        kprintf("%s\n", any ? "" : "none");
        print_end();
    }
    kprintf("cpuid.asked other=%llu\n", (unsigned long long)guest_cpuid.asked.other);
}

/* Native beside guest view, one register a line. */
static void print_leaf(uint32_t leaf, uint32_t sub)
{
    struct cpuid_result native = { 0, 0, 0, 0 };
    if (!cpuid_is_hv_leaf(leaf)) {
        struct cpuid_regs r = cpuid(leaf, sub);
        native = (struct cpuid_result){ r.eax, r.ebx, r.ecx, r.edx };
    }
    /* OSXSAVE/OSPKE follow a vCPU's CR4: the boot vCPU's. */
    struct vcpu *bv = vcpu_boot();
    struct cpuid_result g = cpuid_policy_apply(&guest_cpuid, leaf, sub, bv ? bv->cr4_shadow : 0, native);
    const uint32_t nat[4] = { native.eax, native.ebx, native.ecx, native.edx };
    const uint32_t gst[4] = { g.eax, g.ebx, g.ecx, g.edx };
    for (unsigned i = 0; i < 4; i++)
        kprintf("cpuid leaf=%#x subleaf=%#x reg=%s native=%#010x guest=%#010x%s\n", leaf, sub,
                cpuid_reg_name((enum cpuid_reg)i), nat[i], gst[i],
                nat[i] != gst[i] ? " differs=1" : "");
}

static void cmd_cpuid(int argc, char **argv)
{
    uint64_t leaf, sub = 0;
    if (argc == 2 && (argv[1][0] == '+' || argv[1][0] == '-')) {
        int problems = cpuid_policy_parse(&guest_cpuid, argv[1], report_problem, 0);
        cpuid_fast_invalidate();
        kprintf("cpuid.changed problems=%d overrides=%u (all vCPUs, from their next CPUID)\n",
                problems, guest_cpuid.n);
    } else if (argc == 2 && !strcmp(argv[1], "reset")) {
        cpuid_policy_reset(&guest_cpuid);
        cpuid_fast_invalidate();
        kprintf("cpuid.overrides=0\n");
    } else if (argc == 2 && !strcmp(argv[1], "overrides")) {
        print_overrides();
    } else if (argc == 2 && !strcmp(argv[1], "asked")) {
        print_asked();
    } else if (argc == 2 && !strcmp(argv[1], "features")) {
        const struct cpuid_feature *f;
        for (unsigned i = 0; (f = cpuid_feature_at(i)); i++)
            kprintf("cpuid.feature name=%s leaf=%#x subleaf=%#x reg=%s bit=%u\n", f->name, f->leaf,
                    f->subleaf, cpuid_reg_name(f->reg), f->bit);
    } else if ((argc == 2 || argc == 3) && parse_uint(argv[1], false, &leaf) && leaf <= 0xFFFFFFFF &&
               (argc == 2 || (parse_uint(argv[2], false, &sub) && sub <= 0xFFFFFFFF))) {
        print_leaf((uint32_t)leaf, (uint32_t)sub);
    } else {
        kprintf("error: usage: cpuid LEAF [SUBLEAF] | cpuid +NAME,-NAME,... | cpuid reset | "
                "cpuid overrides | cpuid asked | cpuid features\n");
    }
}
CONSOLE_COMMAND(cpuid, "cpuid",
                "cpuid LEAF [SUBLEAF] | cpuid +FEATURE,-LEAF.SUB.REG.BIT,... | reset | overrides | asked | features",
                "the guest's CPUID beside the native one; show or hide bits; leaves the guest asked for",
                cmd_cpuid);

/* The MSR bitmap of one vCPU after a rule change, on its own core. */
static void sync_msr_bitmap(struct vcpu *v, void *arg)
{
    const uint64_t *range = arg;
    for (uint64_t m = range[0]; m <= range[1]; m++)
        vmx_msr_intercept(v, (uint32_t)m, msr_policy_find(&guest_msrs, (uint32_t)m) != 0);
}

static void cmd_msr(int argc, char **argv)
{
    if (argc == 1) {
        for (unsigned i = 0; i < guest_msrs.n; i++) {
            const struct msr_rule *r = &guest_msrs.rule[i];
            kprintf("msr.rule first=%#x last=%#x action=%s value=%#llx\n", r->first, r->last,
                    msr_action_name(r->action), (unsigned long long)r->value);
        }
        kprintf("msr.rules=%u (everything else passes through)\n", guest_msrs.n);
        return;
    }
    if (argc == 2 && !strcmp(argv[1], "log")) {
        uint64_t n = guest_msrs.log_count < MSR_LOG_LEN ? guest_msrs.log_count : MSR_LOG_LEN;
        for (uint64_t i = guest_msrs.log_count - n; i < guest_msrs.log_count; i++) {
            const struct msr_access *a = &guest_msrs.log[i % MSR_LOG_LEN];
            kprintf("msr.access seq=%llu msr=%#x op=%s value=%#llx rip=%#llx action=%s\n",
                    (unsigned long long)i, a->msr, a->write ? "wrmsr" : "rdmsr",
                    (unsigned long long)a->value, (unsigned long long)a->rip,
                    msr_action_name((enum msr_action)a->action));
        }
        kprintf("msr.log count=%llu\n", (unsigned long long)guest_msrs.log_count);
        return;
    }
    enum msr_action action;
    uint64_t first, last, value = 0;
    if (argc < 3 || argc > 4 || msr_action_parse(argv[2], &action) ||
        (action == MSR_FIXED) != (argc == 4) ||
        (argc == 4 && !parse_uint(argv[3], false, &value))) {
        kprintf("error: usage: msr [MSR[-LAST] pass|log|deny|fixed VALUE | log]\n");
        return;
    }
    char *dash = argv[1];
    while (*dash && *dash != '-')
        dash++;
    bool range = *dash == '-';
    *dash = '\0';
    if (!parse_uint(argv[1], false, &first) || !parse_uint(range ? dash + 1 : argv[1], false, &last) ||
        first > last || last > 0xFFFFFFFFull || last - first > 0x2000) {
        kprintf("error: msr: need MSR or FIRST-LAST (at most 8193 MSRs), 32-bit numbers\n");
        return;
    }
    if (msr_policy_set(&guest_msrs, (uint32_t)first, (uint32_t)last, action, value)) {
        kprintf("error: msr: rule table full (%d rules)\n", MSR_MAX_RULES);
        return;
    }
    /* A rule other than pass needs the exit; pass hands the MSR back. */
    uint64_t msrs[2] = { first, last };
    for (unsigned i = 0; i < MAX_CPUS; i++)
        if (vcpus[i])
            vcpu_call(vcpus[i], sync_msr_bitmap, msrs);
    kprintf("msr.rule first=%#llx last=%#llx action=%s value=%#llx\n", (unsigned long long)first,
            (unsigned long long)last, msr_action_name(action), (unsigned long long)value);
}
CONSOLE_COMMAND(msr, "msr", "msr [MSR[-LAST] pass|log|deny|fixed VALUE | log]",
                "per MSR or range: pass through, pass and log, deny (#GP) or a fixed value; the log",
                cmd_msr);
