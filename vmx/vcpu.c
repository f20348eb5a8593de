/*
 * vcpu.c - the run loop (KVM's __vcpu_run / vcpu_enter_guest / handle_exit
 * for one guest, no scheduler), exit accounting and tracing, and the
 * console commands that look at the vCPU.
 */
#include "vcpu.h"

#include "guest_check.h"
#include "vmx.h"
#include "vmx_names.h"
#include "vmx_ops.h"
#include "../kernel/console.h"
#include "../kernel/hv.h"
#include "../kernel/kstring.h"
#include "../kernel/options.h"
#include "../kernel/power.h"
#include "../kernel/printk.h"
#include "../kernel/tokenize.h"
#include "../kernel/x86.h"

#define CONSOLE_EXITS 4096

struct vcpu boot_vcpu;
bool guest_exit_keeps_console;

#ifdef VMX_COUNT_VMCS_ACCESS
uint64_t vmcs_reads, vmcs_writes;
#endif

void vcpu_inject_exception(struct vcpu *v, unsigned vector, bool has_error, uint32_t error)
{
    (void)v;
    /* VM-entry interruption information (25.8.3): a hardware exception
     * delivered as if the instruction had faulted; RIP is not advanced. */
    uint32_t info = INTR_INFO_VALID | INTR_TYPE_HW_EXCEPTION | (vector & 0xFF);
    if (has_error) {
        info |= INTR_INFO_DELIVER_ERROR;
        vmcs_write32(VMCS_ENTRY_EXCEPTION_ERROR, error);
    }
    vmcs_write32(VMCS_ENTRY_INTR_INFO, info);
}

void vcpu_trace(struct vcpu *v, uint32_t reason, uint64_t qual)
{
    struct trace_entry *t = &v->trace[v->trace_count++ % TRACE_LEN];
    t->tsc = rdtsc();
    t->rip = v->have_rip ? v->rip : 0;
    t->qual = qual;
    t->reason = reason;
}

uint64_t vcpu_get_gpr(struct vcpu *v, unsigned n)
{
    struct guest_regs *r = &v->regs;
    switch (n & 15) {
    case 0: return r->rax;
    case 1: return r->rcx;
    case 2: return r->rdx;
    case 3: return r->rbx;
    case 4: return vmcs_readn(VMCS_GUEST_RSP);
    case 5: return r->rbp;
    case 6: return r->rsi;
    case 7: return r->rdi;
    case 8: return r->r8;
    case 9: return r->r9;
    case 10: return r->r10;
    case 11: return r->r11;
    case 12: return r->r12;
    case 13: return r->r13;
    case 14: return r->r14;
    default: return r->r15;
    }
}

void vcpu_set_gpr(struct vcpu *v, unsigned n, uint64_t val)
{
    struct guest_regs *r = &v->regs;
    switch (n & 15) {
    case 0: r->rax = val; break;
    case 1: r->rcx = val; break;
    case 2: r->rdx = val; break;
    case 3: r->rbx = val; break;
    case 4: vmcs_writen(VMCS_GUEST_RSP, val); break;
    case 5: r->rbp = val; break;
    case 6: r->rsi = val; break;
    case 7: r->rdi = val; break;
    case 8: r->r8 = val; break;
    case 9: r->r9 = val; break;
    case 10: r->r10 = val; break;
    case 11: r->r11 = val; break;
    case 12: r->r12 = val; break;
    case 13: r->r13 = val; break;
    case 14: r->r14 = val; break;
    default: r->r15 = val; break;
    }
}

enum exit_action vcpu_stop(struct vcpu *v, const char *why)
{
    v->state = VCPU_STOPPED;
    v->stop_reason = why;
    kprintf("guest.stopped reason=\"%s\" rip=%#llx exits=%llu\n", why,
            (unsigned long long)vcpu_rip(v), (unsigned long long)v->exits);
    kprintf("guest: stopped; the console stays: regs, stats, trace, reset\n");
    console_prompt();
    return EXIT_STOP;
}

enum exit_action vcpu_guest_exit(struct vcpu *v, int status)
{
    kprintf("\nguest.exit status=%d exits=%llu\n", status, (unsigned long long)v->exits);
    v->exit_status = status;
    if (!guest_exit_keeps_console)
        power_off("guest exit", status);
    return vcpu_stop(v, "guest exit");
}

#define DUMP_SEG(name, seg)                                                        \
    kprintf("guest." name " sel=%#x base=%#llx limit=%#x ar=%#x\n",                \
            vmcs_read16(VMCS_GUEST_##seg##_SEL),                                   \
            (unsigned long long)vmcs_readn(VMCS_GUEST_##seg##_BASE),              \
            vmcs_read32(VMCS_GUEST_##seg##_LIMIT), vmcs_read32(VMCS_GUEST_##seg##_AR))

void vcpu_dump(struct vcpu *v)
{
    const struct guest_regs *r = &v->regs;
    kprintf("guest.rip=%#llx guest.rsp=%#llx guest.rflags=%#llx\n",
            (unsigned long long)vmcs_readn(VMCS_GUEST_RIP),
            (unsigned long long)vmcs_readn(VMCS_GUEST_RSP),
            (unsigned long long)vmcs_readn(VMCS_GUEST_RFLAGS));
    kprintf("guest.rax=%#llx guest.rbx=%#llx guest.rcx=%#llx guest.rdx=%#llx\n"
            "guest.rsi=%#llx guest.rdi=%#llx guest.rbp=%#llx guest.cr2=%#llx\n"
            "guest.r8=%#llx guest.r9=%#llx guest.r10=%#llx guest.r11=%#llx\n"
            "guest.r12=%#llx guest.r13=%#llx guest.r14=%#llx guest.r15=%#llx\n",
            (unsigned long long)r->rax, (unsigned long long)r->rbx, (unsigned long long)r->rcx,
            (unsigned long long)r->rdx, (unsigned long long)r->rsi, (unsigned long long)r->rdi,
            (unsigned long long)r->rbp, (unsigned long long)read_cr2(), (unsigned long long)r->r8,
            (unsigned long long)r->r9, (unsigned long long)r->r10, (unsigned long long)r->r11,
            (unsigned long long)r->r12, (unsigned long long)r->r13, (unsigned long long)r->r14,
            (unsigned long long)r->r15);
    kprintf("guest.cr0=%#llx guest.cr0_shadow=%#llx guest.cr3=%#llx guest.cr4=%#llx "
            "guest.cr4_shadow=%#llx guest.efer=%#llx\n",
            (unsigned long long)vmcs_readn(VMCS_GUEST_CR0), (unsigned long long)v->cr0_shadow,
            (unsigned long long)vmcs_readn(VMCS_GUEST_CR3),
            (unsigned long long)vmcs_readn(VMCS_GUEST_CR4), (unsigned long long)v->cr4_shadow,
            (unsigned long long)vmcs_read64(VMCS_GUEST_EFER));
    DUMP_SEG("cs", CS);
    DUMP_SEG("ss", SS);
    DUMP_SEG("ds", DS);
    DUMP_SEG("es", ES);
    DUMP_SEG("fs", FS);
    DUMP_SEG("gs", GS);
    DUMP_SEG("ldtr", LDTR);
    DUMP_SEG("tr", TR);
    kprintf("guest.gdtr base=%#llx limit=%#x guest.idtr base=%#llx limit=%#x\n",
            (unsigned long long)vmcs_readn(VMCS_GUEST_GDTR_BASE), vmcs_read32(VMCS_GUEST_GDTR_LIMIT),
            (unsigned long long)vmcs_readn(VMCS_GUEST_IDTR_BASE), vmcs_read32(VMCS_GUEST_IDTR_LIMIT));
    kprintf("guest.activity=%u guest.interruptibility=%#x guest.entry_ctl=%#x\n",
            vmcs_read32(VMCS_GUEST_ACTIVITY_STATE), vmcs_read32(VMCS_GUEST_INTERRUPTIBILITY),
            vmcs_read32(VMCS_ENTRY_CONTROLS));
}

#define READ_SEG(dst, seg)                                          \
    ((dst) = (struct guest_seg){ vmcs_read16(VMCS_GUEST_##seg##_SEL),  \
                                 vmcs_readn(VMCS_GUEST_##seg##_BASE),  \
                                 vmcs_read32(VMCS_GUEST_##seg##_LIMIT), \
                                 vmcs_read32(VMCS_GUEST_##seg##_AR) })

/* Name the guest-state field a failed VM entry objected to, by running
 * the checks of SDM 27.3.1 over the VMCS (vmx/guest_check.c). */
static void explain_invalid_guest_state(struct vcpu *v)
{
    struct guest_state_snapshot g = {
        .cr0 = vmcs_readn(VMCS_GUEST_CR0),
        .cr3 = vmcs_readn(VMCS_GUEST_CR3),
        .cr4 = vmcs_readn(VMCS_GUEST_CR4),
        .dr7 = vmcs_readn(VMCS_GUEST_DR7),
        .rsp = vmcs_readn(VMCS_GUEST_RSP),
        .rip = vmcs_readn(VMCS_GUEST_RIP),
        .rflags = vmcs_readn(VMCS_GUEST_RFLAGS),
        .efer = vmcs_read64(VMCS_GUEST_EFER),
        .pat = vmcs_read64(VMCS_GUEST_PAT),
        .link_pointer = vmcs_read64(VMCS_LINK_POINTER),
        .debugctl = vmcs_read64(VMCS_GUEST_DEBUGCTL),
        .gdtr_base = vmcs_readn(VMCS_GUEST_GDTR_BASE),
        .idtr_base = vmcs_readn(VMCS_GUEST_IDTR_BASE),
        .gdtr_limit = vmcs_read32(VMCS_GUEST_GDTR_LIMIT),
        .idtr_limit = vmcs_read32(VMCS_GUEST_IDTR_LIMIT),
        .activity = vmcs_read32(VMCS_GUEST_ACTIVITY_STATE),
        .interruptibility = vmcs_read32(VMCS_GUEST_INTERRUPTIBILITY),
        .entry_intr_info = vmcs_read32(VMCS_ENTRY_INTR_INFO),
        .entry_ctl = vmcs_read32(VMCS_ENTRY_CONTROLS),
        .proc2 = v->proc2,
        .cr0_fixed0 = rdmsr(MSR_IA32_VMX_CR0_FIXED0),
        .cr0_fixed1 = rdmsr(MSR_IA32_VMX_CR0_FIXED1),
        .cr4_fixed0 = rdmsr(MSR_IA32_VMX_CR4_FIXED0),
        .cr4_fixed1 = rdmsr(MSR_IA32_VMX_CR4_FIXED1),
    };
    READ_SEG(g.es, ES);
    READ_SEG(g.cs, CS);
    READ_SEG(g.ss, SS);
    READ_SEG(g.ds, DS);
    READ_SEG(g.fs, FS);
    READ_SEG(g.gs, GS);
    READ_SEG(g.ldtr, LDTR);
    READ_SEG(g.tr, TR);
    char why[GUEST_CHECK_MSG_MAX];
    guest_state_check(&g, why, sizeof(why));
    kprintf("error: vmx: failing guest-state field: %s\n", why);
}

static void report_entry_failure(struct vcpu *v, int result, uint32_t reason)
{
    if (result == VMX_FAIL_VALID) {
        uint32_t err = vmcs_read32(VMCS_VM_INSTRUCTION_ERROR);
        kprintf("error: vmx: %s failed: VM-instruction error %u (%s)\n",
                v->launched ? "VMRESUME" : "VMLAUNCH", err, vm_instruction_error_name(err));
    } else if (result == VMX_FAIL_INVALID) {
        kprintf("error: vmx: %s failed: VMfailInvalid (no current VMCS)\n",
                v->launched ? "VMRESUME" : "VMLAUNCH");
    } else {
        /* 27.8 "VM-Entry Failures During or After Loading Guest State". */
        kprintf("error: vmx: VM entry failed: exit reason %u (%s) qualification=%#llx\n",
                reason & 0xFFFF, exit_reason_name(reason & 0xFFFF),
                (unsigned long long)vmcs_readn(VMCS_EXIT_QUALIFICATION));
        if ((reason & 0xFFFF) == EXIT_REASON_INVALID_GUEST_STATE)
            explain_invalid_guest_state(v);
    }
    vcpu_dump(v);
}

static void service_requests(struct vcpu *v)
{
    uint32_t req = __atomic_exchange_n(&v->requests, 0, __ATOMIC_ACQ_REL);
    if (req & VCPU_REQ_RESET) {
        if (vcpu_start(v) == 0)
            kprintf("guest.reset count=%llu\n", (unsigned long long)v->resets);
    }
    if ((req & VCPU_REQ_PAUSE) && v->state == VCPU_RUNNING)
        v->state = VCPU_PAUSED;
    if ((req & VCPU_REQ_RESUME) && v->state == VCPU_PAUSED)
        v->state = VCPU_RUNNING;
    if ((req & VCPU_REQ_STEP) && v->state == VCPU_PAUSED) {
        /* The monitor trap flag exits after one guest instruction (26.5.2).
         * The preemption timer stays on: should the MTF exit not come (Bochs
         * 2.7 here does not deliver it), the step still ends within poll_us. */
        v->proc |= PROC_MONITOR_TRAP_FLAG;
        vmcs_write32(VMCS_PROC_CONTROLS, v->proc);
        v->step_from = vmcs_readn(VMCS_GUEST_RIP);
        v->stepping = true;
        v->state = VCPU_RUNNING;
    }
}

/* The end of a `step`: whatever exit came first (the MTF one, or the
 * instruction's own), pause again and show where the guest is now. */
static void finish_step(struct vcpu *v)
{
    v->proc &= ~PROC_MONITOR_TRAP_FLAG;
    vmcs_write32(VMCS_PROC_CONTROLS, v->proc);
    v->stepping = false;
    v->state = VCPU_PAUSED;
    uint64_t rip = vmcs_readn(VMCS_GUEST_RIP);
    uint64_t lin = vmcs_readn(VMCS_GUEST_CS_BASE) + rip;
    kprintf("step cpu=%u rip_before=%#llx rip=%#llx reason=%s bytes=", v->id,
            (unsigned long long)v->step_from, (unsigned long long)rip,
            exit_reason_name(v->exit_reason & 0xFFFF));
    /* Without guest paging the linear address is the physical one. */
    const uint8_t *code = (v->cr0_shadow & (1ull << 31)) ? 0 : guest_ptr(lin, 15);
    if (!code) {
        kprintf("n/a\n");
    } else {
        for (int i = 0; i < 15; i++)
            kprintf("%02x", code[i]);
        kprintf("\n");
    }
    console_prompt();
}

int vcpu_start(struct vcpu *v)
{
    struct guest_start start;
    if (loader_load(&start)) {
        v->state = VCPU_NO_GUEST;
        console_prompt();
        return -1;
    }
    vmx_set_guest_start(v, &start);
    v->exits = 0;
    memset(v->stats, 0, sizeof(v->stats));
    memset(&v->unknown_stat, 0, sizeof(v->unknown_stat));
    v->trace_count = 0;
    v->console_countdown = CONSOLE_EXITS;
    v->resets++;
    v->state = VCPU_RUNNING;
    return 0;
}

/*
 * vcpu_exit - one VM exit, called from vmx/entry.asm with the guest's GPRs
 * saved. Dispatches by basic exit reason, accounts the handler's cycles
 * and traces. Returns non-zero to resume at once (the common case), 0 to
 * go back to vcpu_run (a stop, a request, an entry failure).
 */
int vcpu_exit(struct guest_regs *regs)
{
    struct vcpu *v = (struct vcpu *)regs;   /* regs is the first member */
    uint64_t t0 = rdtsc();
    v->launched = 1;
    v->have_rip = v->have_qual = false;
    uint32_t reason = vmcs_read32(VMCS_EXIT_REASON);
    v->exit_reason = reason;
    if (__builtin_expect(reason & EXIT_REASON_ENTRY_FAILURE, 0)) {
        report_entry_failure(v, 0, reason);
        vcpu_stop(v, "VM entry failed");
        return 0;
    }
    uint32_t basic = reason & 0xFFFF;
    exit_handler h = basic < EXIT_REASON_MAX ? exit_handlers[basic] : 0;
    struct hist *s = h ? &v->stats[basic] : &v->unknown_stat;
    enum exit_action a = h ? h(v) : handle_unknown_exit(v);

    v->exits++;
    struct trace_entry *t = &v->trace[v->trace_count++ % TRACE_LEN];
    t->tsc = t0;
    t->rip = v->have_rip ? v->rip : 0;      /* only when the handler read it: no extra VMREAD */
    t->qual = v->have_qual ? v->qual : 0;
    t->reason = basic;
    hist_add(s, rdtsc() - t0);
    if (__builtin_expect(v->stepping, 0)) {
        finish_step(v);
        return 0;
    }
    /* The preemption timer counts guest time only; a guest that exits all
     * the time still gets its console served every CONSOLE_EXITS exits. */
    if (__builtin_expect(--v->console_countdown == 0, 0)) {
        v->console_countdown = CONSOLE_EXITS;
        console_poll();
    }
    return a == EXIT_RESUME && !v->requests && v->state == VCPU_RUNNING;
}

_Noreturn void vcpu_run(struct vcpu *v)
{
    for (;;) {
        if (v->requests)
            service_requests(v);
        if (v->state != VCPU_RUNNING) {
            console_poll();
            cpu_relax();
            continue;
        }
        /* Returns only for a stop, a request or a failed entry. */
        int r = vmx_run_guest(&v->regs, v->launched);
        if (r) {
            report_entry_failure(v, r, 0);
            vcpu_stop(v, "VM entry failed");
            continue;
        }
    }
}

/* ---- console commands ---- */

static struct vcpu *console_vcpu(void)
{
    if (boot_vcpu.state == VCPU_NO_GUEST && !boot_vcpu.vmcs) {
        kprintf("error: no vCPU: VMX is not running\n");
        return 0;
    }
    return &boot_vcpu;
}

static void cmd_stats(int argc, char **argv)
{
    (void)argv;
    struct vcpu *v = console_vcpu();
    if (!v)
        return;
    if (argc != 1) {
        kprintf("error: usage: stats\n");
        return;
    }
    static const char *const states[] = { "no_guest", "running", "paused", "stopped" };
    kprintf("stats.cpu=%u state=%s exits=%llu resets=%llu\n", v->id, states[v->state],
            (unsigned long long)v->exits, (unsigned long long)v->resets);
    for (unsigned i = 0; i < EXIT_REASON_MAX; i++) {
        const struct hist *s = &v->stats[i];
        if (s->count)
            kprintf("stats reason=%s count=%llu cycles=%llu avg=%llu max=%llu\n",
                    exit_reason_name(i), (unsigned long long)s->count,
                    (unsigned long long)s->sum, (unsigned long long)(s->sum / s->count),
                    (unsigned long long)s->max);
    }
    if (v->unknown_stat.count)
        kprintf("stats reason=unknown count=%llu\n", (unsigned long long)v->unknown_stat.count);
}
CONSOLE_COMMAND(stats, "stats", "stats", "exits per reason: count, handler TSC cycles (total, avg, max)",
                cmd_stats);

/* An exit reason by name ("cpuid", "mark"), or -1. */
static int reason_by_name(const char *name)
{
    if (!strcmp(name, "mark"))
        return TRACE_MARK;
    for (int r = 0; r < EXIT_REASON_MAX; r++)
        if (!strcmp(exit_reason_name((uint32_t)r), name))
            return r;
    return -1;
}

static void cmd_trace(int argc, char **argv)
{
    struct vcpu *v = console_vcpu();
    if (!v)
        return;
    uint64_t n = 16;
    int only = -1;
    for (int i = 1; i < argc; i++) {
        if (parse_uint(argv[i], false, &n) && n > 0)
            continue;
        only = reason_by_name(argv[i]);
        if (only < 0 || !strcmp(argv[i], "unknown")) {
            kprintf("error: usage: trace [N] [REASON]  (N: 1-%d, default 16; REASON as in stats)\n",
                    TRACE_LEN);
            return;
        }
    }
    if (n > TRACE_LEN)
        n = TRACE_LEN;
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
                t->reason == TRACE_MARK ? "mark" : exit_reason_name(t->reason),
                (unsigned long long)t->rip, (unsigned long long)t->qual);
    }
    kprintf("trace.shown=%llu trace.total=%llu\n", (unsigned long long)shown,
            (unsigned long long)v->trace_count);
}
CONSOLE_COMMAND(trace, "trace", "trace [N] [REASON]",
                "the last N exits (of one reason): reason, RIP, qualification, TSC", cmd_trace);

static void print_line(void *ctx, const char *line)
{
    (void)ctx;
    kprintf("%s\n", line);
}

static void cmd_hist(int argc, char **argv)
{
    struct vcpu *v = console_vcpu();
    if (!v)
        return;
    int only = argc == 2 ? reason_by_name(argv[1]) : -1;
    if (argc > 2 || (argc == 2 && (only < 0 || only == TRACE_MARK))) {
        kprintf("error: usage: hist [REASON]  (REASON as in stats)\n");
        return;
    }
    for (int r = 0; r < EXIT_REASON_MAX; r++)
        if ((only < 0 && v->stats[r].count) || r == only)
            hist_format(&v->stats[r], exit_reason_name((uint32_t)r), print_line, 0);
}
CONSOLE_COMMAND(hist, "hist", "hist [REASON]",
                "handler latency per exit reason: min, p50, p99, max TSC cycles and log2 buckets",
                cmd_hist);

static void cmd_regs(int argc, char **argv)
{
    (void)argv;
    struct vcpu *v = console_vcpu();
    if (!v)
        return;
    if (argc != 1) {
        kprintf("error: usage: regs\n");
        return;
    }
    if (v->state == VCPU_NO_GUEST) {
        kprintf("error: no guest loaded\n");
        return;
    }
    vcpu_dump(v);
}
CONSOLE_COMMAND(regs, "regs", "regs", "guest GPRs, RIP, RFLAGS, control registers, segments", cmd_regs);

static void request(const char *name, int argc, uint32_t req, enum vcpu_state need, const char *verb)
{
    struct vcpu *v = console_vcpu();
    if (!v)
        return;
    if (argc != 1) {
        kprintf("error: usage: %s\n", name);
        return;
    }
    if (need != VCPU_NO_GUEST && v->state != need) {
        kprintf("error: %s: the guest is not %s\n", name, verb);
        return;
    }
    __atomic_or_fetch(&v->requests, req, __ATOMIC_RELEASE);
    kprintf("%s: requested\n", name);
}

static void cmd_pause(int argc, char **argv)
{
    (void)argv;
    request("pause", argc, VCPU_REQ_PAUSE, VCPU_RUNNING, "running");
}
CONSOLE_COMMAND(pause, "pause", "pause", "stop running the guest (resume continues it)", cmd_pause);

static void cmd_resume(int argc, char **argv)
{
    (void)argv;
    request("resume", argc, VCPU_REQ_RESUME, VCPU_PAUSED, "paused");
}
CONSOLE_COMMAND(resume, "resume", "resume", "continue a paused guest", cmd_resume);

static void cmd_step(int argc, char **argv)
{
    (void)argv;
    if (!(hv.vmx.proc.may1 & PROC_MONITOR_TRAP_FLAG)) {
        kprintf("error: step: this CPU has no monitor trap flag\n");
        return;
    }
    request("step", argc, VCPU_REQ_STEP, VCPU_PAUSED, "paused (pause first)");
}
CONSOLE_COMMAND(step, "step", "step", "run a paused guest for one instruction; show the new RIP and its bytes",
                cmd_step);

static void cmd_reset(int argc, char **argv)
{
    (void)argv;
    if (!loader_have_guest()) {
        kprintf("error: reset: no guest module to restart\n");
        return;
    }
    request("reset", argc, VCPU_REQ_RESET, VCPU_NO_GUEST, "");
}
CONSOLE_COMMAND(reset, "reset", "reset", "restart the guest from its image (statistics start afresh)",
                cmd_reset);
