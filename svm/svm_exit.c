/*
 * svm_exit.c - the SVM backend between VMRUNs: the run loop, each exit
 * decoded into the neutral struct vexit_info for the core's handlers
 * (kernel/exit.c), the next RIP, event injection and the NMI and
 * interrupt windows, single-step, HLT, the TLB, and the report of a
 * VMRUN that failed. AMD APM Vol. 2, chapter 15.
 */
#include "svm.h"

#include "svm_names.h"
#include "../drivers/lapic.h"
#include "../drivers/tsc.h"
#include "../kernel/console.h"
#include "../kernel/event.h"
#include "../kernel/insn_decode.h"
#include "../kernel/printk.h"
#include "../kernel/trap.h"
#include <stddef.h>
#include "../kernel/x86.h"
#include "../kernel/x86_regs.h"

static inline void clgi(void)
{
    __asm__ volatile("clgi" ::: "memory");
}

static inline void stgi(void)
{
    __asm__ volatile("stgi" ::: "memory");
}

/* ---- the exit, decoded ---- */

/* The exceptions that push an error code (APM Vol. 2, 8.2, Table 8-1). */
static bool has_error_code(unsigned vector)
{
    return vector == 8 || (vector >= 10 && vector <= 14) || vector == 17 || vector == 21 ||
           vector == 29 || vector == 30;
}

/* The single step over the IRET that ended the guest's NMI blocking is
 * done: the guest's own TF and #DB intercept back (svm_deliver_nmi armed
 * it), the trap's BS out of DR6. */
static void end_iret_step(struct svm_vcpu *x)
{
    uint64_t *rflags = vmcb64(x, VMCB_RFLAGS);
    *rflags = (*rflags & ~RFLAGS_TF) | x->iret_tf;
    *vmcb64(x, VMCB_DR6) &= ~DR6_BS;
    x->nmi_after_iret = false;
    svm_set_exceptions(&x->v, x->exceptions);
}

bool svm_decode_at_rip(struct svm_vcpu *x, struct insn_sys *s)
{
    uint8_t code[INSN_MAX_LEN];
    size_t n = vcpu_fetch_code(&x->v, code);
    unsigned bits = svm_code_bits(&x->v);
    enum insn_mode mode = bits == 64 ? INSN_MODE64 : bits == 32 ? INSN_MODE32 : INSN_MODE16;
    return n && !insn_decode_system(code, n, mode, s, 0);
}

/* A MOV DR's general-purpose register: decode assists give it in
 * EXITINFO1 (15.33.1), else the instruction says; -1 when neither can. */
static int dr_gpr(struct svm_vcpu *x, uint64_t info1)
{
    if (info1 & (1ull << 63))
        return (int)(info1 & 15);
    struct insn_sys s;
    if (!svm_decode_at_rip(x, &s) || s.kind != INSN_SYS_MOV_DR)
        return -1;
    return s.gpr;
}

/* The console's core intercepts physical interrupts (svm.c): the one
 * that exited is the guest's. The hypervisor takes it from the local APIC
 * (IRR to ISR, as the core's own delivery would) and injects it; the
 * guest's EOI ends it. An event whose delivery the interrupt cut short
 * (EXITINTINFO, 15.7.2) goes first, the interrupt waits. What the APIC's
 * IRR does not show goes to the guest directly, with the intercept off
 * for one entry: an 8259A's interrupt (ExtINT, its vector comes with the
 * acknowledge: 8-15 as a BIOS leaves the PIC) and vectors 16-31 (legal in
 * the APIC, SDM Vol. 3A 11.5.2), which would enter the hypervisor through
 * its exception gates. */
/* An event whose delivery an exit cut short (EXITINTINFO, 15.7.2), for
 * the next entry (EVENTINJ, 15.20). A software interrupt or exception of
 * the guest's own instruction (INT n; INT3 and INTO, reported as #BP and
 * #OF) is not injected but run again: RIP is still at the instruction, as
 * after a fault in its delivery, and EVENTINJ would push that address as
 * the return address, so the instruction would run twice (KVM re-executes
 * them too). One the hypervisor injected (entry_event: RIP already past
 * its instruction, svm_inject) is injected again. */
static void redeliver(struct svm_vcpu *x)
{
    uint64_t info = *vmcb64(x, VMCB_EXITINTINFO);
    uint32_t ev = (uint32_t)info, type = ev & (7u << 8), vector = ev & 0xFF;
    bool soft = type == SVM_EVTINJ_TYPE_SOFT ||
                (type == SVM_EVTINJ_TYPE_EXEPT && (vector == 3 || vector == 4));
    const uint32_t what = SVM_EVTINJ_VALID | 7u << 8 | 0xFF;
    if (soft && (ev & what) != ((uint32_t)x->entry_event & what))
        return;
    *vmcb64(x, VMCB_EVENTINJ) = info;
}

static void take_interrupt(struct svm_vcpu *x)
{
    uint32_t info = *vmcb32(x, VMCB_EXITINTINFO);
    if (info & SVM_EVTINJ_VALID) {
        redeliver(x);
        if (svm_injecting(&x->v))
            return;             /* (a soft event runs again: the interrupt goes first) */
    }
    unsigned vector = lapic_pending_vector();
    if (vector >= 32)
        vector = trap_take_interrupt();
    if (vector >= 32) {
        svm_inject(&x->v, EVENT_VALID | EVENT_TYPE_EXTERNAL << 8 | vector, 0);
    } else {
        svm_intercept(x, VMCB_INTERCEPT_MISC1, SVM_INTERCEPT1_INTR, false);
        x->intr_passed = true;
    }
}

/* RFLAGS.OF (APM Vol. 2, 3.1.6). */
#define RFLAGS_OF (1ull << 11)

/* An exit the backend completed itself, which the core never sees:
 * counted and traced as the light path does (kernel/vcpu.h,
 * vcpu_exit_light) under the reason its code has (svm_vexit), and not
 * counted towards the console's turn (svm_run counted it down). */
static void exit_done_here(struct vcpu *v)
{
    v->exit_count[v->exit.reason]++;
    vcpu_trace_exit(v, rdtsc());
    v->console_countdown++;
}

/* An INTn intercept (SVM_EXIT_SWINT), on only while #BP exits
 * (svm_set_exceptions): the exit says neither which instruction nor
 * which vector without decode assists, so the instruction at CS:RIP
 * (where the exit leaves RIP, 15.9) says. true: the core handles v->exit;
 * false: done here.
 *  - INT3: the #BP that hardware and Bochs's ryzen model take at the #BP
 *    exception intercept (15.12.4) and QEMU 7.2's TCG here (its
 *    raise_interrupt2 checks the INTn intercept for INT3 and INTO, never
 *    an exception intercept). Both give the core the same exit: a
 *    software exception, vector 3, RIP on the INT3 (Bochs's exits are
 *    fault-like, so is VMX's), reflected past it by svm_inject with the
 *    length found here (exit_insn_len). INTO with OF set likewise when
 *    #OF exits.
 *  - INT n, and INTO when #OF does not exit: what the CPU would have done,
 *    as a software interrupt injected (EVENTINJ type 4, 15.20: the CPU
 *    checks the gate's DPL as INT n does) with RIP past the instruction,
 *    the return address the CPU pushes without next-RIP saving (with it,
 *    NEXT_RIP, which is set to the same place). Counted under the reason
 *    the exit code has (VEXIT_OTHER: no neutral reason is a software
 *    interrupt, and VMX never exits on one) and never shown to the core,
 *    whose handler of that reason stops the guest.
 *  - INTO with OF clear: nothing but the next instruction; INTO in 64-bit
 *    mode or a LOCK prefix: #UD (the CPU raises both before the
 *    intercept: for completeness).
 *  - Anything else (the bytes could not be read through the guest's page
 *    tables, which another vCPU may have changed since, or they are no
 *    software interrupt): one line that says so, then the core's report
 *    of an unhandled exit, which stops the guest. Guessing would reflect
 *    a wrong event (INT3 for an INT n, or a vector the guest never
 *    asked for), and resuming would run the same instruction into the
 *    same exit forever. */
static __attribute__((noinline, cold)) bool software_interrupt(struct svm_vcpu *x)
{
    struct vcpu *v = &x->v;
    struct vexit_info *e = &v->exit;
    uint8_t code[INSN_MAX_LEN];
    size_t n = vcpu_fetch_code(v, code);
    struct svm_swint s = svm_swint_decode(code, n, svm_code_bits(v),
                                          *vmcb64(x, VMCB_RFLAGS) & RFLAGS_OF);
    x->swint_len = s.len;
    switch (s.kind) {
    case SWINT_EXCEPTION:
        if (x->exceptions & (1u << s.vector)) {
            e->reason = VEXIT_EXCEPTION;
            e->exc.event = EVENT_VALID | EVENT_TYPE_SOFT_EXC << 8 | s.vector;
            e->exc.error = 0;
            e->exc.dr6 = 0;
            e->exc.cr2 = 0;
            return true;
        }
        break;
    case SWINT_INT:
        break;
    case SWINT_SKIP:
        exit_done_here(v);
        svm_advance(v, s.len);
        return false;
    case SWINT_UD:
        exit_done_here(v);
        svm_inject(v, EVENT_VALID | EVENT_TYPE_EXCEPTION << 8 | 6, 0);
        return false;
    default:
        kprintf("\nerror: svm: the software-interrupt exit's instruction at rip=%#llx is not "
                "INT3, INT n or INTO (bytes=",
                (unsigned long long)*vmcb64(x, VMCB_RIP));
        for (size_t i = 0; i < n; i++)
            kprintf("%02x", code[i]);
        kprintf("%s): nothing reflected\n", n ? "" : "n/a, unreadable");
        return true;
    }
    exit_done_here(v);
    uint64_t rip = *vmcb64(x, VMCB_RIP) + s.len;
    *vmcb64(x, VMCB_RIP) = rip;
    if (x->nrips)
        *vmcb64(x, VMCB_NEXT_RIP) = rip;
    v->rip = rip;
    v->rip_valid = true;
    /* The instruction completed: its STI or MOV SS shadow is over
     * (15.21.5), RF cleared; TF is the delivery's to clear. */
    *vmcb32(x, VMCB_INT_STATE) &= ~INT_STATE_SHADOW;
    *vmcb64(x, VMCB_RFLAGS) &= ~RFLAGS_RF;
    *vmcb64(x, VMCB_EVENTINJ) = SVM_EVTINJ_VALID | SVM_EVTINJ_TYPE_SOFT | s.vector;
    return false;
}

/* The exit into v->exit for the core: true, or false when the backend
 * completed it (software_interrupt). Inlined into svm_run, where every
 * other case's constant true costs nothing. */
static bool decode(struct svm_vcpu *x, uint32_t code)
{
    struct vcpu *v = &x->v;
    struct vexit_info *e = &v->exit;
    uint64_t info1 = *vmcb64(x, VMCB_EXITINFO1), info2 = *vmcb64(x, VMCB_EXITINFO2);
    e->raw = code;
    e->reason = svm_vexit(code, info1);
    switch (e->reason) {
    case VEXIT_IO:
        /* EXITINFO1 (15.10.2, Figure 15-2); EXITINFO2 is the next RIP,
         * with or without next-RIP saving. */
        e->io.info = (uint32_t)(info1 >> IOIO_PORT_SHIFT) << VIO_PORT_SHIFT |
                     ((info1 & IOIO_SZ32) ? 3 : (info1 & IOIO_SZ16) ? 1 : 0) |
                     ((info1 & IOIO_TYPE_IN) ? VIO_IN : 0) | ((info1 & IOIO_STR) ? VIO_STRING : 0) |
                     ((info1 & IOIO_REP) ? VIO_REP : 0);
        v->cr4_de = *vmcb64(x, VMCB_CR4) & CR4_DE;
        return true;
    case VEXIT_NPF:
    case VEXIT_NPF_MISCONFIG: {
        /* EXITINFO1 is a #PF error code (15.25.6): the access from W and
         * I/D, the entry was present when P; in the neutral bits (EPT's
         * exit qualification, kernel/virt.h). */
        uint64_t access = (info1 & NPF_ID) ? EPT_EXEC : (info1 & NPF_RW) ? EPT_WRITE : EPT_READ;
        if (info1 & NPF_P)
            access |= EPT_READ << 3;
        e->npf.gpa = info2;
        e->npf.access = access;
        e->npf.during_iret = false;     /* SVM does not say; the IRET intercept knows */
        uint32_t info = *vmcb32(x, VMCB_EXITINTINFO);
        e->npf.vectoring = (info & SVM_EVTINJ_VALID) ? info : 0;
        e->npf.vectoring_error = *vmcb32(x, VMCB_EXITINTINFO + 4);
        return true;
    }
    case VEXIT_EXCEPTION: {
        unsigned vec = code - SVM_EXIT_EXCP_BASE;
        if (vec == 1 && x->nmi_after_iret) {
            end_iret_step(x);
            e->reason = VEXIT_NMI_WINDOW;   /* now the NMI that waited */
            return true;
        }
        if (vec == 1 && v->stepping && !x->step_tf &&
            !(*vmcb64(x, VMCB_DR6) & (DR6_B0_B3 | DR6_BD))) {
            e->reason = VEXIT_STEP;         /* `step`'s own trap: VMX's monitor trap flag */
            return true;
        }
        /* INT3 and INTO trap with RIP on the instruction: reflected, they
         * are software exceptions, delivered past it (svm_inject). */
        unsigned type = (vec == 3 || vec == 4) ? EVENT_TYPE_SOFT_EXC : EVENT_TYPE_EXCEPTION;
        e->exc.event = EVENT_VALID | type << 8 | vec | (has_error_code(vec) ? EVENT_HAS_ERROR : 0);
        e->exc.error = (uint32_t)info1;
        e->exc.cr2 = vec == 14 ? info2 : 0;      /* the fault address (15.12.15) */
        e->exc.dr6 = vec == 1 ? *vmcb64(x, VMCB_DR6) & (DR6_B0_B3 | DR6_BD | DR6_BS) : 0;
        return true;
    }
    case VEXIT_NMI_WINDOW:
        /* The IRET of the guest's NMI handler: the blocking ends once it
         * completed. An NMI waiting for that is injected after a single
         * step over it (KVM's nmi_singlestep). */
        x->nmi_blocked = false;
        svm_intercept(x, VMCB_INTERCEPT_MISC1, SVM_INTERCEPT1_IRET, false);
        if (v->nmi_pending && !x->nmi_after_iret) {
            uint64_t *rflags = vmcb64(x, VMCB_RFLAGS);
            x->iret_tf = *rflags & RFLAGS_TF;
            *rflags |= RFLAGS_TF;
            x->nmi_after_iret = true;
            svm_set_exceptions(v, x->exceptions);
        }
        return true;
    case VEXIT_DR_ACCESS: {
        int gpr = dr_gpr(x, info1);
        e->dr.dr = (uint8_t)((code - SVM_EXIT_READ_DR0) & 15);
        e->dr.from = code < SVM_EXIT_WRITE_DR0;
        e->dr.gpr = (uint8_t)(gpr < 0 ? 0 : gpr);
        if (gpr < 0)
            e->reason = VEXIT_OTHER;    /* reported as unhandled, with the state */
        return true;
    }
    case VEXIT_INVLPG:
        e->invlpg.va = info1;           /* with decode assists only; svm_invlpg knows */
        return true;
    case VEXIT_RDTSC:
        e->rdtscp = code == SVM_EXIT_RDTSCP;
        return true;
    case VEXIT_INTERRUPT:
        take_interrupt(x);
        return true;
    case VEXIT_PAUSE:
        /* A PAUSE `trap pause` did not ask for: the console's poll on its
         * core (svm.c), counted as VMX's poll timer; the PAUSE is done. */
        if (!x->pause_trap) {
            svm_skip(v);
            e->reason = VEXIT_TIMER;
        }
        return true;
    case VEXIT_OTHER:
        return code != SVM_EXIT_SWINT || software_interrupt(x);
    default:
        return true;
    }
}

/* QEMU's TCG ends a guest's MOV to CR3 or CR4 that sets a reserved bit
 * with VMEXIT_INVALID (its misc_helper.c, helper_write_crN) where the
 * CPU raises #GP: after VMRUN succeeded and the guest ran. Told from a
 * VMRUN that failed by the instruction at RIP; answered as the CPU would. */
static bool tcg_reserved_cr_write(struct svm_vcpu *x)
{
    struct insn_sys s;
    return svm_decode_at_rip(x, &s) && s.kind == INSN_SYS_MOV_CR && s.to && (s.reg == 3 || s.reg == 4);
}

static void report_vmrun_failure(struct svm_vcpu *x)
{
    /* 15.5.1: the guest state failed VMRUN's consistency checks; the
     * exit code is VMEXIT_INVALID and nothing ran. */
    kprintf("error: svm: VMRUN failed its consistency checks (exit code -1, AMD APM Vol. 2, "
            "15.5.1)\n");
    svm_dump(&x->v);
}

static void wait_halted(struct svm_vcpu *x);

/* A #DB right after VMRUN (svm/entry.asm, svm_vmrun_exited): the trap of
 * the guest's last instruction (TF, a data or I/O breakpoint) that an
 * emulator left pending across the #VMEXIT (Bochs 2.7 does) instead of
 * reporting it in the VMCB. The host's GS base is not back yet: the vCPU
 * is found from the stack, where svm_vmrun keeps its struct guest_regs.
 * Its DR6 bits go to the guest at the next entry (svm_run). */
extern char svm_vmrun_exited[];

bool svm_db_hook(const struct trap_frame *f)
{
    if (f->rip != (uint64_t)svm_vmrun_exited)
        return false;
    struct guest_regs *r = *(struct guest_regs *const *)f->rsp;
    struct svm_vcpu *x = to_svm((struct vcpu *)((char *)r - offsetof(struct vcpu, regs)));
    x->leaked_dr6 = read_dr6() | DR6_FIXED1;
    write_dr6(DR6_FIXED1);
    return true;
}

/* The leaked trap, for the guest: not when it was `step`'s or the IRET
 * step's own TF (the exit ends those). */
static void leaked_debug_trap(struct svm_vcpu *x)
{
    uint64_t bits = x->leaked_dr6 & (DR6_B0_B3 | DR6_BS);
    x->leaked_dr6 = 0;
    if ((x->v.stepping && !x->step_tf) || (x->nmi_after_iret && !x->iret_tf))
        bits &= ~DR6_BS;
    if (bits)
        svm_pending_debug(&x->v, bits);
}

int svm_run(struct vcpu *v)
{
    struct svm_vcpu *x = to_svm(v);
    struct cpu *c = v->cpu;
    uint64_t host = svm_host_save_pa();
    for (;;) {
        if (__builtin_expect(x->halted, 0))
            wait_halted(x);
        /* With GIF clear an NMI (a kick) waits: one after this look at
         * the requests exits the guest as soon as VMRUN sets GIF, so no
         * entry window is needed (15.17). */
        clgi();
        if (__atomic_load_n(&v->requests, __ATOMIC_SEQ_CST)) {
            stgi();
            return 0;
        }
        *vmcb64(x, VMCB_RAX) = v->regs.rax;
        /* While the GDB stub holds debug registers, the host's DR7 holds
         * the guest's too, from here to the #VMEXIT: redundant on
         * hardware (VMRUN loads DR7 from the VMCB, 15.5.1), but QEMU
         * 7.2's TCG arms its breakpoints only on a MOV to DR7 (its
         * helper_vmrun sets DR7 without cpu_x86_update_dr7). After the
         * exit, all disabled again (the #VMEXIT's own DR7, 15.7.2). */
        if (__builtin_expect(v->dr_shared, 0))
            write_dr7(*vmcb64(x, VMCB_DR7));
        x->entry_event = *vmcb64(x, VMCB_EVENTINJ);
        svm_vmrun(&v->regs, x->vmcb_pa, host);
        if (__builtin_expect(v->dr_shared, 0))
            write_dr7(DR7_FIXED1);
        v->regs.rax = *vmcb64(x, VMCB_RAX);
        uint32_t code = (uint32_t)*vmcb64(x, VMCB_EXITCODE);
        /* An intercepted NMI stays pending (15.12); the hypervisor's
         * handler takes it at STGI and tells a kick (counted here, while
         * the flag still says so) from the guest's own. */
        if (code == SVM_EXIT_NMI && __atomic_load_n(&c->kick, __ATOMIC_SEQ_CST))
            v->kicks++;
        stgi();
        v->exits++;
        v->console_countdown--;
        *vmcb8(x, VMCB_TLB_CONTROL) = TLB_CONTROL_NOTHING;     /* a flush asked for is done */
        if (__builtin_expect(x->intr_passed | x->cr0_passed, 0)) {
            if (x->intr_passed)
                svm_intercept(x, VMCB_INTERCEPT_MISC1, SVM_INTERCEPT1_INTR, true);
            if (x->cr0_passed)
                svm_intercept(x, VMCB_INTERCEPT_MISC1, SVM_INTERCEPT1_CR0_SEL_WRITE, true);
            x->intr_passed = x->cr0_passed = false;
        }
        v->rip = *vmcb64(x, VMCB_RIP);
        v->rip_valid = true;
        if (code == SVM_EXIT_INVALID) {
            if (!tcg_reserved_cr_write(x)) {
                report_vmrun_failure(x);
                return -1;
            }
            v->exit_count[VEXIT_OTHER]++;
            vcpu_inject_exception(v, 13, true, 0);
            continue;
        }
        if (__builtin_expect(x->leaked_dr6 != 0, 0))
            leaked_debug_trap(x);
        if (__builtin_expect(!decode(x, code), 0)) {
            /* Done here: a guest NMI that waits (or `step`) is the core's
             * to see, as vcpu_exit would return for it. */
            if (vcpu_stepping_or_nmi(v))
                return 0;
            continue;
        }
        unsigned reason = v->exit.reason;
        if (!(exit_light_handlers[reason] && vcpu_exit_light(v)) && !vcpu_exit(v))
            return 0;
    }
}

/* ---- completing an instruction ---- */

void svm_advance(struct vcpu *v, unsigned len)
{
    struct svm_vcpu *x = to_svm(v);
    uint64_t rip = *vmcb64(x, VMCB_RIP) + len;
    *vmcb64(x, VMCB_RIP) = rip;
    v->rip = rip;
    v->rip_valid = true;
    /* The instruction completed: its STI or MOV SS shadow, if any, is
     * over (15.21.5). */
    *vmcb32(x, VMCB_INT_STATE) &= ~INT_STATE_SHADOW;
    uint64_t rflags = *vmcb64(x, VMCB_RFLAGS);
    if (__builtin_expect(rflags & (RFLAGS_TF | RFLAGS_RF), 0)) {
        /* A TF that `step` or the step over an IRET set is not the
         * guest's: its trap is theirs (the exit ends a step). */
        if ((v->stepping && !x->step_tf) || (x->nmi_after_iret && !x->iret_tf)) {
            *vmcb64(x, VMCB_RFLAGS) = rflags & ~RFLAGS_RF;
            return;
        }
        vcpu_skip_debug(v, rflags);
    }
}

/* The exiting instruction's length: from EXITINFO2 for port I/O, the next
 * RIP the CPU saved (15.7.1), what software_interrupt found, or the
 * decoder (QEMU's TCG saves none); 0 when none of them knows. */
static unsigned exit_insn_len(struct svm_vcpu *x)
{
    uint64_t rip = *vmcb64(x, VMCB_RIP);
    if (x->v.exit.reason == VEXIT_IO)
        return (unsigned)(*vmcb64(x, VMCB_EXITINFO2) - rip);
    if (x->nrips)
        return (unsigned)(*vmcb64(x, VMCB_NEXT_RIP) - rip);
    if (x->v.exit.raw == SVM_EXIT_SWINT)
        return x->swint_len;    /* an INT3 or INTO shown as an exception (software_interrupt) */
    struct insn_sys s;
    return svm_decode_at_rip(x, &s) ? s.len : 0;
}

void svm_skip(struct vcpu *v)
{
    unsigned len = exit_insn_len(to_svm(v));
    if (!len) {
        kprintf("\nerror: svm: the instruction at rip=%#llx that exited (%s) is not one "
                "monovisor can step over without next-RIP saving\n",
                (unsigned long long)*vmcb64(to_svm(v), VMCB_RIP), svm_exit_name(v->exit.raw));
        vcpu_stop_guest(v, "instruction length unknown");
        return;
    }
    svm_advance(v, len);
}

void svm_pending_debug(struct vcpu *v, uint64_t dr6_bits)
{
    /* SVM has no pending-debug field: the #DB trap the instruction would
     * have raised is injected now, with DR6 as its delivery would leave it
     * (B0-B3 replaced, BS added; SDM Vol. 3A, 17.2.3). An event already
     * set for this entry goes first: the trap is lost then, as rare as
     * KVM's same case. */
    struct svm_vcpu *x = to_svm(v);
    if (svm_injecting(v))
        return;
    uint64_t *dr6 = vmcb64(x, VMCB_DR6);
    uint64_t keep = (dr6_bits & DR6_B0_B3) ? ~DR6_B0_B3 : ~0ull;
    *dr6 = (*dr6 & keep) | (dr6_bits & (DR6_B0_B3 | DR6_BS));
    svm_inject(v, EVENT_VALID | EVENT_TYPE_EXCEPTION << 8 | 1, 0);
}

/* ---- events ---- */

void svm_inject(struct vcpu *v, uint32_t event, uint32_t error)
{
    /* EVENTINJ (15.20): the neutral encoding with the error code above.
     * VMX's software exception (an INT3 or INTO reflected) is SVM's
     * exception type delivered past the instruction. */
    struct svm_vcpu *x = to_svm(v);
    if (EVENT_TYPE(event) == EVENT_TYPE_SOFT_EXC || EVENT_TYPE(event) == EVENT_TYPE_PRIV_SOFT) {
        unsigned len = exit_insn_len(x);
        *vmcb64(x, VMCB_RIP) += len ? len : 1;
        v->rip_valid = false;
        event = (event & ~(7u << 8)) | EVENT_TYPE_EXCEPTION << 8;
    }
    *vmcb64(x, VMCB_EVENTINJ) = (uint64_t)error << 32 | event;
}

bool svm_injecting(struct vcpu *v)
{
    return *vmcb32(to_svm(v), VMCB_EVENTINJ) & SVM_EVTINJ_VALID;
}

void svm_reinject(struct vcpu *v, const struct vexit_info *e)
{
    if (e->npf.vectoring & EVENT_VALID)
        redeliver(to_svm(v));
}

/* An NMI of the guest's: injected when it can take one: not blocked by
 * an NMI it is handling (nmi_blocked, until its IRET: the IRET intercept
 * says when), not in an interrupt shadow, no other event set. Else the
 * IRET intercept is the window; a shadow or another event waits for the
 * next exit. */
void svm_deliver_nmi(struct vcpu *v)
{
    struct svm_vcpu *x = to_svm(v);
    if (v->nmi_pending && v->mp_state == MP_RUNNABLE && !x->nmi_after_iret && !x->nmi_blocked &&
        !(*vmcb32(x, VMCB_INT_STATE) & INT_STATE_SHADOW) && !svm_injecting(v)) {
        svm_inject(v, EVENT_VALID | EVENT_TYPE_NMI << 8 | 2, 0);
        v->nmi_pending = false;
        x->nmi_blocked = true;
    }
    svm_intercept(x, VMCB_INTERCEPT_MISC1, SVM_INTERCEPT1_IRET, x->nmi_blocked);
}

bool svm_nmi_exited(struct vcpu *v)
{
    (void)v;
    return true;        /* taken by the hypervisor at STGI (svm_run) */
}

void svm_block_nmi(struct vcpu *v)
{
    struct svm_vcpu *x = to_svm(v);
    x->nmi_blocked = true;
    svm_intercept(x, VMCB_INTERCEPT_MISC1, SVM_INTERCEPT1_IRET, true);
}

bool svm_intr_ready(struct vcpu *v)
{
    struct svm_vcpu *x = to_svm(v);
    return (*vmcb64(x, VMCB_RFLAGS) & RFLAGS_IF) &&
           !(*vmcb32(x, VMCB_INT_STATE) & INT_STATE_SHADOW) && !svm_injecting(v);
}

bool svm_intr_window(struct vcpu *v, bool open)
{
    /* A virtual interrupt the guest never takes: V_IRQ with the VINTR
     * intercept exits as soon as the guest could take one (15.21.4),
     * whatever its TPR (V_IGN_TPR). */
    struct svm_vcpu *x = to_svm(v);
    uint32_t *ctl = vmcb32(x, VMCB_INT_CTL);
    bool was = *ctl & V_IRQ;
    if (open == was)
        return false;
    *ctl = open ? *ctl | V_IRQ | V_IGN_TPR : *ctl & ~(V_IRQ | V_IGN_TPR);
    svm_intercept(x, VMCB_INTERCEPT_MISC1, SVM_INTERCEPT1_VINTR, open);
    return open;
}

void svm_set_exceptions(struct vcpu *v, uint32_t bitmap)
{
    /* `step` and the step over an IRET keep #DB exiting meanwhile. */
    struct svm_vcpu *x = to_svm(v);
    x->exceptions = bitmap;
    *vmcb32(x, VMCB_INTERCEPT_EXC) = bitmap | (v->stepping || x->nmi_after_iret ? 1u << 1 : 0);
    /* INT3 exits at the #BP intercept (15.12.4) on hardware and Bochs,
     * at the INTn intercept (15.9, Table B-1) only on QEMU 7.2's TCG:
     * INTn exits whenever #BP does, so that INT3 exits everywhere, and
     * software_interrupt sorts out what did. Never otherwise: a guest's
     * INT n would exit for nothing. */
    svm_intercept(x, VMCB_INTERCEPT_MISC1, SVM_INTERCEPT1_INTN, bitmap & (1u << 3));
}

/* ---- HLT ---- */

/* SVM has no HLT activity state: an intercepted HLT completes at once
 * (the exit is counted as any other) and the core waits in svm_run for
 * what would end it (SDM Vol. 2A and APM Vol. 3, HLT): an NMI or INIT
 * (requests), with IF set an interrupt the local APIC holds or one of the
 * guest's COM1 through the 8259A (VCPU_REQ_INTR); an interrupt the APIC
 * does not see (an 8259A's other lines, in virtual-wire mode) ends the
 * wait after a millisecond at most, as a spurious wake-up would (README).
 * Other requests (pause, step, a console call) are served with the HLT to
 * run again. The console's core serves the console meanwhile. */
void svm_halt(struct vcpu *v)
{
    struct svm_vcpu *x = to_svm(v);
    x->halt_if = *vmcb64(x, VMCB_RFLAGS) & RFLAGS_IF;
    x->halt_len = exit_insn_len(x);
    svm_skip(v);
    x->halted = x->halt_len != 0;       /* (0: svm_skip stopped the guest) */
}

static void wait_halted(struct svm_vcpu *x)
{
    struct vcpu *v = &x->v;
    const uint32_t ends = VCPU_REQ_NMI | VCPU_REQ_INIT | VCPU_REQ_RESET | VCPU_REQ_STOP |
                          VCPU_REQ_OFF | (x->halt_if ? VCPU_REQ_INTR : 0);
    uint64_t t0 = rdtsc(), ms = tsc_khz() ? tsc_khz() : 1000000;
    bool woken;
    for (;;) {
        uint32_t r = __atomic_load_n(&v->requests, __ATOMIC_SEQ_CST);
        if (r) {
            woken = r & ends;
            break;
        }
        if (x->halt_if && (lapic_pending_vector() || rdtsc() - t0 >= ms)) {
            woken = true;
            break;
        }
        if (v->console)
            console_poll();
        cpu_relax();
    }
    x->halted = false;
    if (!woken) {
        *vmcb64(x, VMCB_RIP) -= x->halt_len;    /* the HLT again, after the request */
        v->rip_valid = false;
    }
}

void svm_rearm_timer(struct vcpu *v)
{
    (void)v;            /* SVM has no preemption timer: no VEXIT_TIMER */
}

/* ---- TLB ---- */

void svm_flush_tlb(struct vcpu *v, bool globals)
{
    /* TLB_CONTROL (15.16.1), done by the next VMRUN: this ASID's entries,
     * or without flush-by-ASID every ASID's. */
    struct svm_vcpu *x = to_svm(v);
    uint8_t ctl = !x->flush_asid ? TLB_CONTROL_FLUSH_ALL
                  : globals      ? TLB_CONTROL_FLUSH_ASID
                                 : TLB_CONTROL_FLUSH_ASID_NONGLOBAL;
    if (*vmcb8(x, VMCB_TLB_CONTROL) != TLB_CONTROL_FLUSH_ALL)
        *vmcb8(x, VMCB_TLB_CONTROL) = ctl;
}

void svm_invlpg(struct vcpu *v, uint64_t va)
{
    /* INVLPGA (15.16.2) with the address decode assists gave; without
     * them the ASID's whole TLB, which is never wrong. */
    struct svm_vcpu *x = to_svm(v);
    if (x->decode_assists)
        __asm__ volatile("invlpga %%rax, %%ecx" : : "a"(va), "c"(x->asid) : "memory");
    else
        svm_flush_tlb(v, true);
}

/* ---- `step` ---- */

/* RFLAGS.TF with #DB intercepted (AMD has no monitor trap flag): the
 * single-step trap exits after one instruction (SDM Vol. 3A, 17.3.1.4). */
void svm_step_begin(struct vcpu *v)
{
    struct svm_vcpu *x = to_svm(v);
    uint64_t *rflags = vmcb64(x, VMCB_RFLAGS);
    x->step_tf = *rflags & RFLAGS_TF;
    *rflags |= RFLAGS_TF;
    *vmcb32(x, VMCB_INTERCEPT_EXC) = x->exceptions | 1u << 1;
}

void svm_step_end(struct vcpu *v)
{
    struct svm_vcpu *x = to_svm(v);
    uint64_t *rflags = vmcb64(x, VMCB_RFLAGS);
    *rflags = (*rflags & ~RFLAGS_TF) | x->step_tf;
    *vmcb64(x, VMCB_DR6) &= ~DR6_BS;    /* the trap was `step`'s, not the guest's */
    *vmcb32(x, VMCB_INTERCEPT_EXC) = x->exceptions | (x->nmi_after_iret ? 1u << 1 : 0);
}

/* ---- reports ---- */

static void dump_seg(const char *name, const struct vmcb_seg *s)
{
    /* The attributes as `regs` shows them on both backends: the access
     * rights of a descriptor's bytes 5 and 6 (type, S, DPL, P, then AVL,
     * L, D/B, G in bits 15:12), which the VMCB packs into 11:0 (15.5.1). */
    unsigned ar = (s->attrib & 0xFFu) | (unsigned)(s->attrib & 0xF00u) << 4;
    kprintf("guest.%s sel=%#x base=%#llx limit=%#x ar=%#x\n", name, s->sel,
            (unsigned long long)s->base, s->limit, ar);
}

void svm_dump(struct vcpu *v)
{
    struct svm_vcpu *x = to_svm(v);
    kprintf("guest.rip=%#llx guest.rsp=%#llx guest.rflags=%#llx\n",
            (unsigned long long)*vmcb64(x, VMCB_RIP), (unsigned long long)*vmcb64(x, VMCB_RSP),
            (unsigned long long)*vmcb64(x, VMCB_RFLAGS));
    vcpu_print_gprs(v, *vmcb64(x, VMCB_CR2));
    kprintf("guest.cr0=%#llx guest.cr3=%#llx guest.cr4=%#llx guest.efer=%#llx guest.cpl=%u\n",
            (unsigned long long)*vmcb64(x, VMCB_CR0), (unsigned long long)*vmcb64(x, VMCB_CR3),
            (unsigned long long)*vmcb64(x, VMCB_CR4), (unsigned long long)*vmcb64(x, VMCB_EFER),
            *vmcb8(x, VMCB_CPL));
    static const struct { const char *name; unsigned off; } segs[] = {
        { "cs", VMCB_CS }, { "ss", VMCB_SS }, { "ds", VMCB_DS }, { "es", VMCB_ES },
        { "fs", VMCB_FS }, { "gs", VMCB_GS }, { "ldtr", VMCB_LDTR }, { "tr", VMCB_TR },
    };
    for (unsigned i = 0; i < sizeof(segs) / sizeof(segs[0]); i++)
        dump_seg(segs[i].name, vmcb_seg(x, segs[i].off));
    kprintf("guest.gdtr base=%#llx limit=%#x guest.idtr base=%#llx limit=%#x\n",
            (unsigned long long)vmcb_seg(x, VMCB_GDTR)->base, vmcb_seg(x, VMCB_GDTR)->limit,
            (unsigned long long)vmcb_seg(x, VMCB_IDTR)->base, vmcb_seg(x, VMCB_IDTR)->limit);
    kprintf("guest.int_state=%#x guest.int_ctl=%#x guest.eventinj=%#llx guest.nmi_blocked=%d "
            "guest.activity=%d\n",
            *vmcb32(x, VMCB_INT_STATE), *vmcb32(x, VMCB_INT_CTL),
            (unsigned long long)*vmcb64(x, VMCB_EVENTINJ), x->nmi_blocked, x->halted);
}
