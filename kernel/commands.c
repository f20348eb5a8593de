/*
 * commands.c - the console commands that look at and change the running
 * guest: cpus, stats, trace, hist, regs, pause, resume, step, reset, and
 * the experiments (trap, mem, cpuid, msr). Vendor-neutral: what the
 * control block holds they ask the backend (virt), on the vCPU's own core.
 */
#include "vcpu.h"

#include "console.h"
#include "cpuid_policy.h"
#include "gdb_stub.h"
#include "hv.h"
#include "iobus.h"
#include "kstring.h"
#include "loader.h"
#include "msr_policy.h"
#include "printk.h"
#include "tokenize.h"
#include "vapic.h"
#include "vpci.h"
#include "x86.h"
#include "../ept/guest_ept.h"


static const char *const state_names[] = { "no_guest", "running", "paused", "stopped" };

/* The vCPU a command names with "cpu=N" (or a bare N where no other
 * number is expected); NULL after an error line. */
static struct vcpu *vcpu_arg(const char *s)
{
    uint64_t n;
    if (!strncmp(s, "cpu=", 4))
        s += 4;
    if (!parse_uint(s, false, &n) || n >= MAX_CPUS || !vcpus[n]) {
        kprintf("error: no vCPU '%s' (the cpus command lists them)\n", s);
        return 0;
    }
    return vcpus[n];
}

static bool guest_running(void)
{
    if (vcpu_boot())
        return true;
    kprintf("error: no vCPU: the guest has not started\n");
    return false;
}

/* The vCPU of a command taking an optional CPU (default: the boot
 * vCPU); NULL after an error line. */
static struct vcpu *vcpu_optional_arg(int argc, char **argv, const char *usage)
{
    if (!guest_running())
        return 0;
    if (argc > 2) {
        kprintf("error: usage: %s\n", usage);
        return 0;
    }
    return argc == 2 ? vcpu_arg(argv[1]) : vcpu_boot();
}

static void cmd_cpus(int argc, char **argv)
{
    (void)argv;
    if (argc != 1) {
        kprintf("error: usage: cpus\n");
        return;
    }
    static const char *const cpu_states[] = { "absent", "starting", "online", "failed" };
    for (unsigned i = 0; i < cpu_count; i++) {
        const struct cpu *c = &cpus[i];
        const struct vcpu *v = vcpus[i];
        print_begin();      /* one line, whatever the other cores print */
        kprintf("cpu index=%u apic_id=%u state=%s %s=%d console=%d", i, c->apic_id,
                cpu_states[c->state], virt.name ? virt.name : "virt", c->virt_on, console_cpu == c);
        if (v)
            kprintf(" vcpu=%s mp=%s exits=%llu inits=%llu sipis=%llu kicks=%llu\n",
                    state_names[v->state], v->mp_state == MP_WAIT_SIPI ? "wait_sipi" : "runnable",
                    (unsigned long long)v->exits, (unsigned long long)v->inits,
                    (unsigned long long)v->sipis, (unsigned long long)v->kicks);
        else
            kprintf(" vcpu=none\n");
        print_end();
    }
    kprintf("pci.kept_writes_dropped=%llu\n", (unsigned long long)vpci_dropped);
    struct apic_stats apic_stats;
    apic_stats_sum(&apic_stats);
    kprintf("apic.mmio_writes=%llu icr_writes=%llu passed=%llu inits=%llu sipis=%llu ignored=%llu "
            "dropped=%llu physical=%llu\n",
            (unsigned long long)apic_stats.mmio_writes, (unsigned long long)apic_stats.icr_writes,
            (unsigned long long)apic_stats.passed, (unsigned long long)apic_stats.inits,
            (unsigned long long)apic_stats.sipis, (unsigned long long)apic_stats.ignored,
            (unsigned long long)apic_stats.dropped, (unsigned long long)mmio_physical_stores);
}
CONSOLE_COMMAND(cpus, "cpus", "cpus", "per core: APIC id, state, the vCPU's state and exits", cmd_cpus);

static void print_stats(struct vcpu *v)
{
    kprintf("stats.cpu=%u state=%s exits=%llu resets=%llu\n", v->id, state_names[v->state],
            (unsigned long long)v->exits, (unsigned long long)v->resets);
    for (unsigned i = 0; i < VEXIT_MAX; i++) {
        const struct hist *s = &v->stats[i];
        if (!v->exit_count[i])
            continue;
        /* cycles, avg, max: of the exits the full path handled (vcpu_exit). */
        print_begin();
        kprintf("stats cpu=%u reason=%s count=%llu cycles=%llu avg=%llu max=%llu", v->id,
                vexit_name(i), (unsigned long long)v->exit_count[i],
                (unsigned long long)s->sum, (unsigned long long)(s->count ? s->sum / s->count : 0),
                (unsigned long long)s->max);
        if (virt.print_exit_extra)
            virt.print_exit_extra(v, i);
        kprintf("\n");
        print_end();
    }
    /* Not an exit reason: a guest's NMI can also reach the hypervisor
     * while it runs (on SVM every one does, at STGI after the exit). */
    if (v->guest_nmis)
        kprintf("stats cpu=%u guest_nmis=%llu\n", v->id, (unsigned long long)v->guest_nmis);
}

static void cmd_stats(int argc, char **argv)
{
    if (!guest_running())
        return;
    if (argc > 2) {
        kprintf("error: usage: stats [CPU]\n");
        return;
    }
    if (argc == 2) {
        struct vcpu *v = vcpu_arg(argv[1]);
        if (v)
            print_stats(v);
        return;
    }
    for (unsigned i = 0; i < MAX_CPUS; i++)
        if (vcpus[i])
            print_stats(vcpus[i]);
}
CONSOLE_COMMAND(stats, "stats", "stats [CPU]",
                "exits per reason and vCPU: count, handler TSC cycles (total, avg, max)", cmd_stats);

/* An exit reason by name ("cpuid", "mark"), or -1. */
static int reason_by_name(const char *name)
{
    return !strcmp(name, "mark") ? TRACE_MARK : vexit_by_name(name);
}

/* What `trace` shows of an entry's word: the guest-physical address of a
 * second-level fault, the port of an I/O exit (io.info's bits 31:16), a
 * mark's value, else 0. */
static uint64_t trace_qual(const struct trace_entry *t)
{
    switch (t->reason) {
    case TRACE_MARK:
    case VEXIT_NPF:
    case VEXIT_NPF_MISCONFIG:
        return t->qual;
    case VEXIT_IO:
        return (uint16_t)(t->qual >> VIO_PORT_SHIFT);
    default:
        return 0;
    }
}

static void print_trace(const struct vcpu *v, uint64_t n, int only)
{
    uint64_t first = v->trace_count > TRACE_LEN ? v->trace_count - TRACE_LEN : 0, shown = 0;
    /* The newest n entries that pass the filter, oldest first. */
    uint64_t start = v->trace_count;
    while (start > first && shown < n) {
        start--;
        if (only < 0 || v->trace[start % TRACE_LEN].reason == (uint32_t)only)
            shown++;
    }
    for (uint64_t i = start; i < v->trace_count; i++) {
        const struct trace_entry *t = &v->trace[i % TRACE_LEN];
        if (only >= 0 && t->reason != (uint32_t)only)
            continue;
        kprintf("trace seq=%llu cpu=%u tsc=%llu reason=%s rip=%#llx qual=%#llx\n",
                (unsigned long long)i, v->id, (unsigned long long)t->tsc,
                t->reason == TRACE_MARK ? "mark" : vexit_name(t->reason),
                (unsigned long long)t->rip, (unsigned long long)trace_qual(t));
    }
    kprintf("trace.cpu=%u trace.shown=%llu trace.total=%llu\n", v->id, (unsigned long long)shown,
            (unsigned long long)v->trace_count);
}

static void cmd_trace(int argc, char **argv)
{
    if (!guest_running())
        return;
    uint64_t n = 16;
    int only = -1;
    struct vcpu *one = 0;
    for (int i = 1; i < argc; i++) {
        if (!strncmp(argv[i], "cpu=", 4)) {
            if (!(one = vcpu_arg(argv[i])))
                return;
            continue;
        }
        if (parse_uint(argv[i], false, &n) && n > 0)
            continue;
        only = reason_by_name(argv[i]);
        if (only < 0 || !strcmp(argv[i], "unknown")) {
            kprintf("error: usage: trace [N] [REASON] [cpu=CPU]  (N: 1-%d, default 16; REASON as in stats)\n",
                    TRACE_LEN);
            return;
        }
    }
    if (n > TRACE_LEN)
        n = TRACE_LEN;
    for (unsigned i = 0; i < MAX_CPUS; i++)
        if (vcpus[i] && (!one || one == vcpus[i]))
            print_trace(vcpus[i], n, only);
}
CONSOLE_COMMAND(trace, "trace", "trace [N] [REASON] [cpu=CPU]",
                "the last N exits (of one reason, of one vCPU): reason, RIP, qualification, TSC", cmd_trace);

static void print_line(void *ctx, const char *line)
{
    (void)ctx;
    kprintf("%s\n", line);
}

static void cmd_hist(int argc, char **argv)
{
    if (!guest_running())
        return;
    int only = -1;
    struct vcpu *one = 0;
    for (int i = 1; i < argc; i++) {
        if (!strncmp(argv[i], "cpu=", 4)) {
            if (!(one = vcpu_arg(argv[i])))
                return;
            continue;
        }
        only = reason_by_name(argv[i]);
        if (only < 0 || only == TRACE_MARK || argc > 3) {
            kprintf("error: usage: hist [REASON] [cpu=CPU]  (REASON as in stats)\n");
            return;
        }
    }
    for (unsigned i = 0; i < MAX_CPUS; i++) {
        const struct vcpu *v = vcpus[i];
        if (!v || (one && one != v))
            continue;
        if (!one && vcpu_count() > 1)
            kprintf("hist.cpu=%u\n", v->id);
        for (int r = 0; r < VEXIT_MAX; r++)
            if ((only < 0 && v->stats[r].count) || r == only)
                hist_format(&v->stats[r], vexit_name((unsigned)r), print_line, 0);
    }
}
CONSOLE_COMMAND(hist, "hist", "hist [REASON] [cpu=CPU]",
                "handler latency per exit reason: min, p50, p99, max TSC cycles and log2 buckets",
                cmd_hist);

static void dump_on_core(struct vcpu *v, void *arg)
{
    (void)arg;
    print_begin();      /* the dump in one piece */
    kprintf("regs.cpu=%u apic_id=%u state=%s mp=%s\n", v->id, v->apic_id, state_names[v->state],
            v->mp_state == MP_WAIT_SIPI ? "wait_sipi" : "runnable");
    vcpu_dump(v);
    print_end();
}

static void cmd_regs(int argc, char **argv)
{
    struct vcpu *v = vcpu_optional_arg(argc, argv, "regs [CPU]");
    if (!v)
        return;
    if (v->state == VCPU_NO_GUEST) {
        kprintf("error: no guest loaded\n");
        return;
    }
    /* The control block is read on the core that runs v (a VMCS is only
     * readable where it is current). */
    vcpu_call(v, dump_on_core, 0);
}
CONSOLE_COMMAND(regs, "regs", "regs [CPU]", "a vCPU's GPRs, RIP, RFLAGS, control registers, segments",
                cmd_regs);


/* pause/resume/reset (no arguments): every vCPU; the command waits until
 * the other cores took the request (this core's own follows when the
 * command returns). */
static void request_all(int argc, const char *name, uint32_t req, enum vcpu_state need,
                        const char *verb)
{
    if (!guest_running())
        return;
    if (argc != 1) {
        kprintf("error: usage: %s\n", name);
        return;
    }
    unsigned n = 0;
    for (unsigned i = 0; i < MAX_CPUS; i++)
        if (vcpus[i] && (need == VCPU_NO_GUEST || vcpus[i]->state == need))
            n++;
    if (!n) {
        kprintf("error: %s: the guest is not %s\n", name, verb);
        return;
    }
    unsigned late = 0;
    for (unsigned i = 0; i < MAX_CPUS; i++)
        if (vcpus[i] && (need == VCPU_NO_GUEST || vcpus[i]->state == need))
            vcpu_request(vcpus[i], req);
    for (unsigned i = 0; i < MAX_CPUS; i++)
        if (vcpus[i] && vcpu_wait_requests(vcpus[i], req)) {
            kprintf("error: %s: cpu %u did not answer\n", name, i);
            late++;
        }
    kprintf("%s: requested cpus=%u late=%u\n", name, n, late);
}

static void cmd_pause(int argc, char **argv)
{
    (void)argv;
    request_all(argc, "pause", VCPU_REQ_PAUSE, VCPU_RUNNING, "running");
}
CONSOLE_COMMAND(pause, "pause", "pause", "stop running the guest on every core (resume continues it)",
                cmd_pause);

static void cmd_resume(int argc, char **argv)
{
    (void)argv;
    request_all(argc, "resume", VCPU_REQ_RESUME, VCPU_PAUSED, "paused");
}
CONSOLE_COMMAND(resume, "resume", "resume", "continue a paused guest", cmd_resume);

static void cmd_step(int argc, char **argv)
{
    struct vcpu *v = vcpu_optional_arg(argc, argv, "step [CPU]");
    if (!v)
        return;
    if (v->state != VCPU_PAUSED) {
        kprintf("error: step: the guest is not paused (pause first)\n");
        return;
    }
    vcpu_request(v, VCPU_REQ_STEP);
    kprintf("step: requested\n");
}
CONSOLE_COMMAND(step, "step", "step [CPU]",
                "run a paused vCPU for one instruction; show the new RIP and its bytes", cmd_step);

static void cmd_reset(int argc, char **argv)
{
    (void)argv;
    if (vcpu_boot() && !loader_have_guest()) {
        kprintf("error: reset: no guest module to restart\n");
        return;
    }
    request_all(argc, "reset", VCPU_REQ_RESET, VCPU_NO_GUEST, "");
}
CONSOLE_COMMAND(reset, "reset", "reset",
                "restart the guest from its image on every core (statistics start afresh)", cmd_reset);

/* The exits `trap` turns on and off (kernel/virt.h, enum vtrap). */
static const struct {
    const char *name;
    const char *what;
} traps[TRAPS] = {
    [TRAP_RDTSC] = { "rdtsc", "RDTSC and RDTSCP" },
    [TRAP_HLT] = { "hlt", "HLT" },
    [TRAP_CR3] = { "cr3", "MOV to and from CR3" },
    [TRAP_INVLPG] = { "invlpg", "INVLPG" },
    [TRAP_MOVDR] = { "movdr", "MOV to and from DR0-DR7" },
    [TRAP_MWAIT] = { "mwait", "MONITOR and MWAIT" },
    [TRAP_PAUSE] = { "pause", "PAUSE" },
};

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
    for (unsigned i = 0; i < TRAPS; i++)
        kprintf("trap %s=%s\n", traps[i].name, virt.trap_on(v, (enum vtrap)i) ? "on" : "off");
    kprintf("trap exceptions=%#x\n", v->trap_exceptions);
}

/* One change to the intercepts of every vCPU, made on its own core (a
 * control block is changed only there, and never under a running core:
 * SDM Vol. 3C, 25.11.4). */
struct trap_change {
    int trap;                   /* enum vtrap, or -1 */
    bool on;
    uint32_t exc_set, exc_clear;
    uint16_t io_first;
    unsigned io_count;
    int result;                 /* set_trap's, from the boot vCPU */
};

static void apply_trap_change(struct vcpu *v, void *arg)
{
    struct trap_change *t = arg;
    if (t->trap >= 0) {
        int r = virt.set_trap(v, (enum vtrap)t->trap, t->on);
        if (v->boot)
            t->result = r;
    }
    if (t->exc_set || t->exc_clear) {
        v->trap_exceptions = (v->trap_exceptions | t->exc_set) & ~t->exc_clear;
        vcpu_update_exceptions(v);
    }
    if (t->io_count)
        virt.intercept_io(v, t->io_first, t->io_count, t->on);
}

static void change_all(struct trap_change *t)
{
    for (unsigned i = 0; i < MAX_CPUS; i++)
        if (vcpus[i])
            vcpu_call(vcpus[i], apply_trap_change, t);
}

static void cmd_trap(int argc, char **argv)
{
    struct vcpu *v = vcpu_boot();
    bool on;
    if (!v) {
        kprintf("error: trap: the guest has not started\n");
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
        struct trap_change t = { .trap = -1 };
        *(on ? &t.exc_set : &t.exc_clear) = 1u << vec;
        change_all(&t);
        kprintf("trap exception=%llu %s exceptions=%#x\n", (unsigned long long)vec, argv[3],
                v->trap_exceptions);
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
            if (!on && iobus_device((uint16_t)p)) {
                kprintf("error: trap io: port %#llx stays intercepted (console UART, guest exit, "
                        "reset or power-off, PIC)\n",
                        (unsigned long long)p);
                return;
            }
        }
        struct trap_change t = { .trap = -1, .on = on, .io_first = (uint16_t)first,
                                 .io_count = (unsigned)(last - first + 1) };
        change_all(&t);
        kprintf("trap io=%#llx-%#llx %s\n", (unsigned long long)first, (unsigned long long)last,
                argv[3]);
        return;
    }
    if (argc == 3 && parse_on_off(argv[2], &on)) {
        for (unsigned i = 0; i < TRAPS; i++) {
            if (strcmp(argv[1], traps[i].name))
                continue;
            if (i == TRAP_MOVDR && !on && gdb_holds_debug_registers()) {
                kprintf("error: trap movdr: the GDB stub holds debug registers; the guest's MOV DR "
                        "exit until GDB removes its hardware breakpoints\n");
                return;
            }
            struct trap_change c = { .trap = (int)i, .on = on };
            change_all(&c);
            if (c.result)
                kprintf(on ? "error: trap %s: this CPU cannot make %s exit\n"
                           : "error: trap %s: this CPU cannot run %s without an exit\n",
                        traps[i].name, traps[i].what);
            else
                kprintf("trap %s=%s\n", traps[i].name, argv[2]);
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

static void read_cr4_on_core(struct vcpu *v, void *arg)
{
    *(uint64_t *)arg = virt.get_reg(v, VREG_CR4);
}

/* Native beside guest view, one register a line. */
static void print_leaf(uint32_t leaf, uint32_t sub)
{
    struct cpuid_result native = { 0, 0, 0, 0 };
    if (!cpuid_is_hv_leaf(leaf)) {
        struct cpuid_regs r = cpuid(leaf, sub);
        native = (struct cpuid_result){ r.eax, r.ebx, r.ecx, r.edx };
    }
    /* OSXSAVE/OSPKE follow a vCPU's CR4: the boot vCPU's, as it last
     * showed it (read on its own core). */
    struct vcpu *bv = vcpu_boot();
    uint64_t cr4 = 0;
    if (bv)
        vcpu_call(bv, read_cr4_on_core, &cr4);
    struct cpuid_result g = cpuid_policy_apply(&guest_cpuid, leaf, sub, cr4, native);
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
        virt.intercept_msr(v, (uint32_t)m,
                            msr_policy_find(&guest_msrs, (uint32_t)m) != 0 || apic_msr_watched((uint32_t)m));
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
