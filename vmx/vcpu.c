/*
 * vcpu.c - the run loop (KVM's __vcpu_run / vcpu_enter_guest / handle_exit
 * for one guest, no scheduler), exit accounting and tracing, and the
 * console commands that look at the vCPU.
 */
#include "vcpu.h"

#include "apic.h"
#include "../kernel/dbg.h"
#include "../kernel/event.h"
#include "guest_check.h"
#include "../kernel/guest_walk.h"
#include "vmx.h"
#include "vmx_names.h"
#include "vmx_ops.h"
#include "vserial.h"
#include "../drivers/lapic.h"
#include "../drivers/tsc.h"
#include "../kernel/console.h"
#include "../kernel/hv.h"
#include "../kernel/kstring.h"
#include "../kernel/mem.h"
#include "../kernel/options.h"
#include "../kernel/power.h"
#include "../kernel/printk.h"
#include "../kernel/tokenize.h"
#include "../kernel/trap.h"
#include "../kernel/x86_regs.h"
#include "../kernel/x86.h"

#define CONSOLE_EXITS 4096

struct vcpu *vcpus[MAX_CPUS];
bool guest_exit_keeps_console;

static void host_nmi(struct trap_frame *f);
static void start_step(struct vcpu *v);
static void sleep_until_set(volatile uint32_t *word);

struct vcpu *vcpu_boot(void)
{
    return vcpus[0];
}

struct vcpu *vcpu_alloc(struct cpu *c)
{
    trap_nmi_hook = host_nmi;
    struct vcpu *v = page_alloc((sizeof(struct vcpu) + PAGE_SIZE - 1) / PAGE_SIZE);
    if (!v)
        return 0;
    v->id = c->index;
    v->apic_id = c->apic_id;
    v->cpu = c;
    v->boot = c->index == 0;
    vcpus[c->index] = v;
    return v;
}

/* About a millisecond and a second of TSC ticks (1 GHz when unknown). */
static uint64_t tsc_ms(uint64_t ms)
{
    return (tsc_khz() ? tsc_khz() : 1000000) * ms;
}

/* Force v's core out of the guest with an NMI, which exits (NMI exiting);
 * the handlers know it was ours from cpu->kick. A kick that lands while
 * the core is in the hypervisor is harmless: the core looks at its
 * requests before every entry, inside an entry window (vmx/entry.asm),
 * and before every HLT of sleep_until_set, inside a sleep window. */
static void kick_cpu(struct cpu *c)
{
    if (c == this_cpu())
        return;
    __atomic_store_n(&c->kick, 1, __ATOMIC_SEQ_CST);
    lapic_send_ipi(c->apic_id, ICR_NMI | ICR_LEVEL_ASSERT);
}

static void kick(struct vcpu *v)
{
    kick_cpu(v->cpu);
}

/* vmx/entry.asm: [start, end, abort] per entry window. */
extern const uint64_t vmx_entry_windows[], vmx_entry_windows_end[];
extern char vmx_sleep_window[], vmx_sleep_hlt[];

/* An NMI taken in the hypervisor (kernel/trap.c). A kick needs nothing
 * more, unless it interrupted an entry window after the requests were
 * looked at: then the entry is abandoned. Any other NMI is the guest's:
 * a request, so that the entry about to happen (even one past its
 * window) comes back to vcpu_run, which delivers it. */
static void host_nmi(struct trap_frame *f)
{
    struct cpu *c = this_cpu();
    struct vcpu *v = vcpus[c->index];
    for (const uint64_t *w = vmx_entry_windows; w < vmx_entry_windows_end; w += 3)
        if (f->rip >= w[0] && f->rip <= w[1])
            f->rip = w[2];
    if (f->rip >= (uint64_t)vmx_sleep_window && f->rip <= (uint64_t)vmx_sleep_hlt)
        f->rip = (uint64_t)vmx_sleep_hlt + 1;   /* skip the HLT (one byte) */
    if (__atomic_exchange_n(&c->kick, 0, __ATOMIC_SEQ_CST))
        return;
    if (v)
        __atomic_or_fetch(&v->requests, VCPU_REQ_NMI, __ATOMIC_SEQ_CST);
}

void vcpu_request(struct vcpu *v, uint32_t req)
{
    __atomic_or_fetch(&v->requests, req, __ATOMIC_SEQ_CST);
    kick(v);
}

void vcpu_request_all(uint32_t req)
{
    for (unsigned i = 0; i < MAX_CPUS; i++)
        if (vcpus[i])
            vcpu_request(vcpus[i], req);
}

/* Wait until v's core took the requests in mask, kicking it again every
 * millisecond. Requests to this very core are handled when the console
 * command returns, so there is nothing to wait for. */
static bool still_pending(struct vcpu *v, uint32_t mask)
{
    if (__atomic_load_n(&v->requests, __ATOMIC_SEQ_CST) & mask)
        return true;
    if ((mask & VCPU_REQ_CALL) && __atomic_load_n(&v->call_fn, __ATOMIC_SEQ_CST))
        return true;    /* taken, still running */
    return (mask & VCPU_REQ_OFF) && __atomic_load_n(&v->cpu->vmx_on, __ATOMIC_SEQ_CST);
}

static int wait_requests(struct vcpu *v, uint32_t mask)
{
    if (v->cpu == this_cpu())
        return 0;
    uint64_t t0 = rdtsc(), last = t0;
    while (still_pending(v, mask)) {
        uint64_t now = rdtsc();
        if (now - t0 > tsc_ms(1000))
            return -1;
        if (now - last > tsc_ms(1)) {
            kick(v);
            last = now;
        }
        cpu_relax();
    }
    return 0;
}

int vcpu_call(struct vcpu *v, void (*fn)(struct vcpu *, void *), void *arg)
{
    if (v->cpu == this_cpu()) {
        fn(v, arg);
        return 0;
    }
    v->call_arg = arg;
    v->call_fn = fn;
    vcpu_request(v, VCPU_REQ_CALL);
    if (wait_requests(v, VCPU_REQ_CALL) == 0)
        return 0;
    kprintf("error: cpu %u (apic_id=%u) did not answer within a second\n", v->id, v->apic_id);
    return -1;
}

void vcpu_off_all(void)
{
    struct cpu *me = this_cpu();
    for (unsigned i = 0; i < cpu_count; i++) {
        struct cpu *c = &cpus[i];
        if (c == me || !c->vmx_on)
            continue;
        if (vcpus[i]) {
            vcpu_request(vcpus[i], VCPU_REQ_OFF);
        } else {
            __atomic_store_n(&c->off, 1, __ATOMIC_SEQ_CST);
            kick_cpu(c);
        }
    }
    /* Then wait (about a second) until each has left VMX operation. */
    uint64_t t0 = rdtsc(), last = t0;
    for (unsigned i = 0; i < cpu_count; i++) {
        struct cpu *c = &cpus[i];
        while (c != me && __atomic_load_n(&c->vmx_on, __ATOMIC_SEQ_CST) &&
               rdtsc() - t0 < tsc_ms(1000)) {
            if (rdtsc() - last > tsc_ms(1)) {
                kick_cpu(c);
                last = rdtsc();
            }
            cpu_relax();
        }
        if (c != me && c->vmx_on)
            kprintf("error: cpu %u did not leave VMX operation\n", i);
    }
    vmx_disable_cpu();
    unsigned off = 0;
    for (unsigned i = 0; i < cpu_count; i++)
        off += !__atomic_load_n(&cpus[i].vmx_on, __ATOMIC_SEQ_CST);
    kprintf("vmx.off cpus=%u of %u\n", off, cpu_count);
}

_Noreturn void vcpu_park(struct cpu *c)
{
    while (!__atomic_load_n(&c->off, __ATOMIC_SEQ_CST))
        sleep_until_set(&c->off);
    vmx_disable_cpu();
    halt_forever();
}

#ifdef VMX_COUNT_VMCS_ACCESS
uint64_t vmcs_reads, vmcs_writes;
#endif

void vcpu_inject_exception(struct vcpu *v, unsigned vector, bool has_error, uint32_t error)
{
    (void)v;
    /* VM-entry interruption information (25.8.3): a hardware exception
     * delivered as if the instruction had faulted; RIP is not advanced.
     * The frame gets the guest's RFLAGS as they are: a fault's has RF set
     * (vmx/event.h), so that the handler's IRET does not retrigger an
     * instruction breakpoint on the faulting instruction. */
    if (exception_sets_rf(vector))
        vmcs_writen(VMCS_GUEST_RFLAGS, vmcs_readn(VMCS_GUEST_RFLAGS) | RFLAGS_RF);
    uint32_t info = INTR_INFO_VALID | INTR_TYPE_HW_EXCEPTION | (vector & 0xFF);
    if (has_error) {
        info |= INTR_INFO_DELIVER_ERROR;
        vmcs_write32(VMCS_ENTRY_EXCEPTION_ERROR, error);
    }
    vmcs_write32(VMCS_ENTRY_INTR_INFO, info);
}

void vcpu_skip_debug(struct vcpu *v, uint64_t rflags)
{
    (void)v;
    /* TF: the single-step trap of the instruction just completed for the
     * guest, which the CPU does not raise for an instruction that exited
     * (SDM Vol. 3A, 17.3.1.4; KVM's kvm_vcpu_do_singlestep does the same),
     * as a pending debug exception (25.4.2, Table 25-4: BS), unless
     * IA32_DEBUGCTL.BTF makes it a branch trap. RF: cleared, as by any
     * instruction that completes (17.3.1.1). */
    if ((rflags & RFLAGS_TF) && !(vmcs_read64(VMCS_GUEST_DEBUGCTL) & DEBUGCTL_BTF))
        vmcs_writen(VMCS_GUEST_PENDING_DBG, vmcs_readn(VMCS_GUEST_PENDING_DBG) | PENDING_DBG_BS);
    if (rflags & RFLAGS_RF)
        vmcs_writen(VMCS_GUEST_RFLAGS, rflags & ~RFLAGS_RF);
}

void vcpu_io_breakpoints_slow(struct vcpu *v, uint16_t port, unsigned size)
{
    (void)v;
    uint64_t dr[4] = { read_dr0(), read_dr1(), read_dr2(), read_dr3() };   /* the guest's */
    uint32_t hits = dbg_io_hits(vmcs_readn(VMCS_GUEST_DR7), dr, port, size);
    if (hits)   /* pending debug exceptions: B3-B0 and "enabled breakpoint" (25.4.2, Table 25-4) */
        vmcs_writen(VMCS_GUEST_PENDING_DBG,
                    vmcs_readn(VMCS_GUEST_PENDING_DBG) | hits | PENDING_DBG_ENABLED_BP);
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
    kprintf("guest.stopped cpu=%u reason=\"%s\" rip=%#llx exits=%llu\n", v->id, why,
            (unsigned long long)vcpu_rip(v), (unsigned long long)v->exits);
    kprintf("guest: stopped; the console stays: regs, stats, trace, reset\n");
    console_prompt();
    return EXIT_STOP;
}

enum exit_action vcpu_stop_guest(struct vcpu *v, const char *why)
{
    for (unsigned i = 0; i < MAX_CPUS; i++)
        if (vcpus[i] && vcpus[i] != v)
            vcpu_request(vcpus[i], VCPU_REQ_STOP);
    return vcpu_stop(v, why);
}

enum exit_action vcpu_guest_exit(struct vcpu *v, int status)
{
    kprintf("\nguest.exit status=%d exits=%llu\n", status, (unsigned long long)v->exits);
    v->exit_status = status;
    if (!guest_exit_keeps_console)
        power_off("guest exit", status);
    return vcpu_stop_guest(v, "guest exit");
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

/* The guest reset: every other vCPU goes to the INIT state first (so that
 * none runs guest code while the image is reloaded), then the boot vCPU
 * reloads and starts. */
static void reset_vcpu(struct vcpu *v)
{
    if (v->boot) {
        for (unsigned i = 0; i < MAX_CPUS; i++) {
            struct vcpu *o = vcpus[i];
            if (o && o != v && wait_requests(o, VCPU_REQ_RESET))
                kprintf("error: reset: cpu %u did not stop; reloading anyway\n", o->id);
        }
    }
    if (vcpu_start(v) == 0 && v->boot)
        kprintf("guest.reset count=%llu\n", (unsigned long long)v->resets);
}

void vcpu_apply_init(struct vcpu *v)
{
    v->inits++;
    if (v->boot) {
        /* The boot core would restart the firmware: for a guest of ours,
         * a reset of the guest. */
        kprintf("\nguest.init cpu=%u: INIT to the boot vCPU resets the guest\n", v->id);
        vcpu_request_all(VCPU_REQ_RESET);
        return;
    }
    vmx_set_init_state(v);
}

/* A SIPI counts only while the vCPU waits for one (10.4.4: a second SIPI
 * finds the core running and is ignored, so is one without INIT). */
static void apply_sipi(struct vcpu *v)
{
    uint32_t s = __atomic_load_n(&v->sipi, __ATOMIC_SEQ_CST);
    if (v->mp_state != MP_WAIT_SIPI || !(s & SIPI_VALID))
        return;
    __atomic_store_n(&v->sipi, SIPI_TAKEN, __ATOMIC_SEQ_CST);
    v->sipis++;
    vmx_start_at_sipi(v, (uint8_t)s);
}

static void service_requests(struct vcpu *v)
{
    uint32_t req = __atomic_exchange_n(&v->requests, 0, __ATOMIC_SEQ_CST);
    __atomic_store_n(&v->cpu->kick, 0, __ATOMIC_SEQ_CST);
    if (req & VCPU_REQ_OFF) {
        vmx_disable_cpu();
        halt_forever();
    }
    if (req & VCPU_REQ_NMI)
        v->nmi_pending = true;
    if (req & VCPU_REQ_INTR)
        vserial_inject(v);
    if (req & VCPU_REQ_CALL) {
        void (*fn)(struct vcpu *, void *) = v->call_fn;
        if (fn)
            fn(v, v->call_arg);
        __atomic_store_n(&v->call_fn, 0, __ATOMIC_SEQ_CST);
    }
    if (req & VCPU_REQ_INIT)
        vcpu_apply_init(v);
    if (req & VCPU_REQ_SIPI)
        apply_sipi(v);
    if ((req & VCPU_REQ_STOP) && (v->state == VCPU_RUNNING || v->state == VCPU_PAUSED)) {
        v->state = VCPU_STOPPED;
        v->stop_reason = "another core stopped the guest";
    }
    if (req & VCPU_REQ_RESET)
        reset_vcpu(v);
    if ((req & VCPU_REQ_PAUSE) && v->state == VCPU_RUNNING)
        v->state = VCPU_PAUSED;
    if ((req & VCPU_REQ_RESUME) && v->state == VCPU_PAUSED)
        v->state = VCPU_RUNNING;
    if ((req & VCPU_REQ_STEP) && v->state == VCPU_PAUSED)
        start_step(v);
}

/* `step`: one guest instruction, two ways at once. The monitor trap flag
 * exits after it (26.5.2); RFLAGS.TF with #DB intercepted does too (a
 * single-step trap, SDM Vol. 3A 18.3.1.4), and works where the monitor
 * trap flag is offered but never delivered (Bochs 2.7). Whichever exit
 * comes first ends the step (finish_step); an event the guest takes
 * first (an interrupt) makes the step end in its handler, as on hardware. */
static void start_step(struct vcpu *v)
{
    if (hv.vmx.proc.may1 & PROC_MONITOR_TRAP_FLAG) {
        v->proc |= PROC_MONITOR_TRAP_FLAG;
        vmcs_write32(VMCS_PROC_CONTROLS, v->proc);
    }
    uint64_t rflags = vmcs_readn(VMCS_GUEST_RFLAGS);
    v->step_tf = rflags & RFLAGS_TF;
    vmcs_writen(VMCS_GUEST_RFLAGS, rflags | RFLAGS_TF);
    vmcs_write32(VMCS_EXCEPTION_BITMAP, v->exception_bitmap | (1u << DB_VECTOR));
    v->step_from = vmcs_readn(VMCS_GUEST_RIP);
    v->stepping = true;
    v->state = VCPU_RUNNING;
}

/* An NMI of the guest's (reflected from an NMI exit, or taken in the
 * hypervisor): inject it when the guest can take one (27.3.1.5: no
 * blocking by STI, MOV SS or NMI, no other event being injected). Else,
 * with virtual NMIs, an NMI-window exit (25.6.2) comes as soon as it can;
 * without them a later exit tries again. The window is closed when
 * nothing waits. */
void vcpu_deliver_nmi(struct vcpu *v)
{
    bool window = false;
    if (v->nmi_pending && v->mp_state == MP_RUNNABLE) {
        if (vmcs_read32(VMCS_GUEST_INTERRUPTIBILITY) ||
            (vmcs_read32(VMCS_ENTRY_INTR_INFO) & INTR_INFO_VALID)) {
            window = v->pin & PIN_VIRTUAL_NMIS;
        } else {
            vmcs_write32(VMCS_ENTRY_INTR_INFO, INTR_INFO_VALID | INTR_TYPE_NMI | 2);
            v->nmi_pending = false;
        }
    }
    if (window != !!(v->proc & PROC_NMI_WINDOW_EXITING)) {
        v->proc ^= PROC_NMI_WINDOW_EXITING;
        vmcs_write32(VMCS_PROC_CONTROLS, v->proc);
    }
}

/* The end of a `step`: whatever exit came first (the MTF one, the #DB of
 * TF, or the instruction's own), undo what start_step set, pause again and
 * show where the guest is now. */
static void finish_step(struct vcpu *v)
{
    v->proc &= ~PROC_MONITOR_TRAP_FLAG;
    vmcs_write32(VMCS_PROC_CONTROLS, v->proc);
    vmcs_write32(VMCS_EXCEPTION_BITMAP, v->exception_bitmap);
    uint64_t rflags = vmcs_readn(VMCS_GUEST_RFLAGS);
    vmcs_writen(VMCS_GUEST_RFLAGS, (rflags & ~RFLAGS_TF) | v->step_tf);
    /* A single-step trap still pending (the MTF exit came first) is ours,
     * not the guest's: drop it (pending debug exceptions BS, 25.4.2). */
    vmcs_writen(VMCS_GUEST_PENDING_DBG, vmcs_readn(VMCS_GUEST_PENDING_DBG) & ~PENDING_DBG_BS);
    v->stepping = false;
    v->state = VCPU_PAUSED;
    uint64_t rip = vmcs_readn(VMCS_GUEST_RIP);
    uint8_t code[15];
    size_t n = vcpu_fetch_code(v, code);
    print_begin();
    kprintf("step cpu=%u rip_before=%#llx rip=%#llx reason=%s bytes=", v->id,
            (unsigned long long)v->step_from, (unsigned long long)rip,
            vexit_name(vmx_vexit(v->exit_reason & 0xFFFF, 0)));
    for (size_t i = 0; i < n; i++)
        kprintf("%02x", code[i]);
    kprintf("%s\n", n ? "" : "n/a");
    print_end();
    console_prompt();
}

static bool read_guest64(void *ctx, uint64_t gpa, uint64_t *val)
{
    (void)ctx;
    const uint64_t *p = guest_ptr(gpa, 8);
    if (!p)
        return false;
    *val = *p;
    return true;
}

size_t vcpu_fetch_code(struct vcpu *v, uint8_t *buf)
{
    struct guest_paging p = { vmcs_readn(VMCS_GUEST_CR0), vmcs_readn(VMCS_GUEST_CR3),
                              vmcs_readn(VMCS_GUEST_CR4), vmcs_read64(VMCS_GUEST_EFER) };
    uint64_t lin = vmcs_readn(VMCS_GUEST_CS_BASE) + vcpu_rip(v);
    size_t n = 0;
    while (n < 15) {
        uint64_t gpa;
        if (guest_walk(&p, lin + n, read_guest64, 0, &gpa) != GW_OK)
            break;
        size_t chunk = PAGE_SIZE - ((lin + n) & (PAGE_SIZE - 1));
        if (chunk > 15 - n)
            chunk = 15 - n;
        const uint8_t *src = guest_ptr(gpa, chunk);
        if (!src)
            break;
        memcpy(buf + n, src, chunk);
        n += chunk;
    }
    return n;
}

int vcpu_start(struct vcpu *v)
{
    vmx_reset_xstate();     /* a (re)start is a reset for XCR0 and IA32_XSS too */
    if (v->boot) {
        struct guest_start start;
        if (loader_load(&start)) {
            v->state = VCPU_NO_GUEST;
            console_prompt();
            return -1;
        }
        vmx_set_guest_start(v, &start);
        vserial_reset();        /* the machine's reset resets its UART */
        vserial_inject(v);      /* nothing waits now: closes an open interrupt window */
    } else {
        /* An AP: the INIT state, waiting for the guest's SIPI. A fresh
         * VMCS gets the fields INIT leaves alone first. */
        if (!v->launched)
            vmx_set_guest_start(v, &(struct guest_start){ .mode = GUEST_REAL });
        vmx_set_init_state(v);
    }
    v->exits = 0;
    memset(v->exit_count, 0, sizeof(v->exit_count));
    memset(v->stats, 0, sizeof(v->stats));
    memset(&v->unknown_stat, 0, sizeof(v->unknown_stat));
#ifdef VMX_COUNT_VMCS_ACCESS
    memset(v->vmreads, 0, sizeof(v->vmreads));
    memset(v->vmwrites, 0, sizeof(v->vmwrites));
#endif
    v->trace_count = 0;
    v->inits = v->sipis = v->kicks = 0;
    v->console_countdown = CONSOLE_EXITS;
    v->resets++;
    v->state = VCPU_RUNNING;
    return 0;
}

/* An exit into the trace ring: RIP and qualification only when the
 * handler read them (no extra VMREAD). */
static void trace_exit(struct vcpu *v, uint64_t tsc, uint32_t reason)
{
    struct trace_entry *t = &v->trace[v->trace_count++ % TRACE_LEN];
    t->tsc = tsc;
    t->rip = v->have_rip ? v->rip : 0;
    t->qual = v->have_qual ? v->qual : 0;
    t->reason = reason;
}

/* The console's core serves the console every CONSOLE_EXITS exits too
 * (entry.asm counts console_countdown down on every exit and leaves the
 * fast path when it reaches 0): the preemption timer counts guest time
 * only, and a guest that exits all the time has little of it. */
static void console_countdown_expired(struct vcpu *v)
{
    v->console_countdown = CONSOLE_EXITS;
    if (v->console)
        console_poll();
}

/*
 * vcpu_exit_light - see vcpu.h. Called from vmx/entry.asm for the exits
 * of reasons with a light handler that the assembly fast path left alone,
 * with v->exit_reason read and have_rip/have_qual cleared. Handled
 * exits are counted per reason and traced (the TSC at the end of the
 * handler); their cycles are left to the full path (vcpu_exit), which is
 * what `hist` and the cycles of `stats` show.
 */
int vcpu_exit_light(struct vcpu *v)
{
    uint32_t raw = v->exit_reason;      /* < EXIT_REASON_MAX, with a light handler */
    /* A pending NMI of the guest's: vcpu_run tries to deliver it before
     * the next entry (vcpu_exit returns 0 for it). */
    if (vcpu_stepping_or_nmi(v) || !v->console_countdown || !exit_light_handlers[raw](v))
        return 0;
    unsigned reason = vmx_vexit(raw, 0);   /* (a light handler is never reason 0's) */
    v->exit_count[reason]++;
    trace_exit(v, rdtsc(), reason);
#ifdef VMX_COUNT_VMCS_ACCESS
    v->vmreads[reason] += vmcs_reads - v->vmreads0;
    v->vmwrites[reason] += vmcs_writes - v->vmwrites0;
#endif
    return 1;
}

/*
 * vcpu_exit - one VM exit, called from vmx/entry.asm with the guest's GPRs
 * saved, after vcpu_exit_light declined it. Dispatches by basic exit
 * reason, accounts the handler's cycles and traces. Returns non-zero to
 * resume at once (the common case), 0 to go back to vcpu_run (a stop, a
 * request, an entry failure).
 */
int vcpu_exit(struct guest_regs *regs)
{
    struct vcpu *v = (struct vcpu *)regs;   /* regs is the first member */
    uint64_t t0 = rdtsc();
    uint32_t raw = v->exit_reason;          /* entry.asm read it */
    if (__builtin_expect(!v->console_countdown, 0))
        console_countdown_expired(v);
    if (__builtin_expect(raw & EXIT_REASON_ENTRY_FAILURE, 0)) {
        report_entry_failure(v, 0, raw);
        vcpu_stop_guest(v, "VM entry failed");
        return 0;
    }
    uint32_t basic = raw & 0xFFFF;
    unsigned reason = vmx_vexit(basic, basic ? 0 : vmcs_read32(VMCS_EXIT_INTR_INFO));
    exit_handler h = exit_handlers[reason];
    struct hist *s = h ? &v->stats[reason] : &v->unknown_stat;
    enum exit_action a = h ? h(v) : handle_unknown_exit(v);

    v->exit_count[reason]++;
    trace_exit(v, t0, reason);
    hist_add(s, rdtsc() - t0);
#ifdef VMX_COUNT_VMCS_ACCESS
    v->vmreads[reason] += vmcs_reads - v->vmreads0;
    v->vmwrites[reason] += vmcs_writes - v->vmwrites0;
#endif
    if (__builtin_expect(vcpu_stepping_or_nmi(v), 0)) {
        if (v->stepping)
            finish_step(v);
        return 0;       /* (an NMI of the guest's: vcpu_run delivers it first) */
    }
    return a == EXIT_RESUME && !__atomic_load_n(&v->requests, __ATOMIC_SEQ_CST) &&
           v->state == VCPU_RUNNING && v->mp_state == MP_RUNNABLE;
}

/* HLT until *word is set (a request). The kick is an NMI, which wakes HLT; one
 * that lands after the look at the requests and before the HLT would be
 * lost, so host_nmi moves a RIP in that window past the HLT. */
__attribute__((noinline)) static void sleep_until_set(volatile uint32_t *word)
{
    __asm__ volatile(".globl vmx_sleep_window\n\t"
                     ".globl vmx_sleep_hlt\n"
                     "vmx_sleep_window:\n\t"
                     "cmpl $0, %0\n\t"
                     "jne 1f\n"
                     "vmx_sleep_hlt:\n\t"
                     "hlt\n"
                     "1:"
                     : : "m"(*word) : "memory");
}

/* Between requests: the console's core polls the UART; another core
 * sleeps until a request wakes it (a waiting AP, a paused guest). */
static void wait_for_request(struct vcpu *v)
{
    if (v->console) {
        console_poll();
        cpu_relax();
        return;
    }
    sleep_until_set(&v->requests);
}

_Noreturn void vcpu_run(struct vcpu *v)
{
    for (;;) {
        if (v->requests)
            service_requests(v);
        if (v->state != VCPU_RUNNING || v->mp_state == MP_WAIT_SIPI) {
            wait_for_request(v);
            continue;
        }
        if (v->nmi_pending)
            vcpu_deliver_nmi(v);
        /* Returns only for a stop, a request or a failed entry. After
         * an exit the VMCS is launched (VMRESUME next). */
        uint64_t exits = v->exits;
        int r = vmx_run_guest(&v->regs, v->launched);
        if (v->exits != exits)
            v->launched = 1;
        if (r) {
            report_entry_failure(v, r, 0);
            vcpu_stop_guest(v, "VM entry failed");
            continue;
        }
    }
}

/* ---- console commands ---- */

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

static bool vmx_running(void)
{
    if (vcpu_boot())
        return true;
    kprintf("error: no vCPU: VMX is not running\n");
    return false;
}

/* The vCPU of a command taking an optional CPU (default: the boot
 * vCPU); NULL after an error line. */
static struct vcpu *vcpu_optional_arg(int argc, char **argv, const char *usage)
{
    if (!vmx_running())
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
        kprintf("cpu index=%u apic_id=%u state=%s vmx=%d console=%d", i, c->apic_id,
                cpu_states[c->state], c->vmx_on, console_cpu == c);
        if (v)
            kprintf(" vcpu=%s mp=%s exits=%llu inits=%llu sipis=%llu kicks=%llu\n",
                    state_names[v->state], v->mp_state == MP_WAIT_SIPI ? "wait_sipi" : "runnable",
                    (unsigned long long)v->exits, (unsigned long long)v->inits,
                    (unsigned long long)v->sipis, (unsigned long long)v->kicks);
        else
            kprintf(" vcpu=none\n");
        print_end();
    }
    kprintf("apic.mmio_writes=%llu icr_writes=%llu passed=%llu inits=%llu sipis=%llu ignored=%llu "
            "dropped=%llu physical=%llu\n",
            (unsigned long long)apic_stats.mmio_writes, (unsigned long long)apic_stats.icr_writes,
            (unsigned long long)apic_stats.passed, (unsigned long long)apic_stats.inits,
            (unsigned long long)apic_stats.sipis, (unsigned long long)apic_stats.ignored,
            (unsigned long long)apic_stats.dropped, (unsigned long long)apic_stats.physical);
}
CONSOLE_COMMAND(cpus, "cpus", "cpus", "per core: APIC id, state, the vCPU's state and exits", cmd_cpus);

static void print_stats(const struct vcpu *v)
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
#ifdef VMX_COUNT_VMCS_ACCESS
        kprintf(" vmreads=%llu vmwrites=%llu", (unsigned long long)v->vmreads[i],
                (unsigned long long)v->vmwrites[i]);
#endif
        kprintf("\n");
        print_end();
    }
    if (v->unknown_stat.count)
        kprintf("stats cpu=%u reason=unknown count=%llu\n", v->id,
                (unsigned long long)v->unknown_stat.count);
}

static void cmd_stats(int argc, char **argv)
{
    if (!vmx_running())
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
                (unsigned long long)t->rip, (unsigned long long)t->qual);
    }
    kprintf("trace.cpu=%u trace.shown=%llu trace.total=%llu\n", v->id, (unsigned long long)shown,
            (unsigned long long)v->trace_count);
}

static void cmd_trace(int argc, char **argv)
{
    if (!vmx_running())
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
    if (!vmx_running())
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
    /* VMREAD reads the current VMCS of the core that runs it: v's own. */
    vcpu_call(v, dump_on_core, 0);
}
CONSOLE_COMMAND(regs, "regs", "regs [CPU]", "a vCPU's GPRs, RIP, RFLAGS, control registers, segments",
                cmd_regs);

unsigned vcpu_count(void)
{
    unsigned n = 0;
    for (unsigned i = 0; i < MAX_CPUS; i++)
        n += vcpus[i] != 0;
    return n;
}

/* pause/resume/reset (no arguments): every vCPU; the command waits until
 * the other cores took the request (this core's own follows when the
 * command returns). */
static void request_all(int argc, const char *name, uint32_t req, enum vcpu_state need,
                        const char *verb)
{
    if (!vmx_running())
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
        if (vcpus[i] && wait_requests(vcpus[i], req)) {
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
