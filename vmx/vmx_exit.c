/*
 * vmx_exit.c - the VT-x backend between VM entries: running the guest,
 * decoding each exit into the neutral struct vexit_info for the core's
 * handlers (kernel/exit.c), the guest state the VMCS holds, event
 * injection, single-step, and the report of a failed entry.
 */
#include "vmx.h"

#include "probe.h"

#include "guest_check.h"
#include "vmx_names.h"
#include "vmx_ops.h"
#include "../kernel/dbg.h"
#include "../kernel/event.h"
#include "../kernel/hv.h"
#include "../kernel/printk.h"
#include "../kernel/x86.h"
#include "../kernel/x86_regs.h"

#ifdef VMX_COUNT_VMCS_ACCESS
uint64_t vmcs_reads, vmcs_writes;
#endif

int vmx_run(struct vcpu *v)
{
    struct vmx_vcpu *x = to_vmx(v);
    /* After an exit the VMCS is launched: VMRESUME next (SDM Vol. 3C,
     * 31.3 "VMLAUNCH/VMRESUME"). */
    uint64_t exits = v->exits;
    int r = vmx_run_guest(&v->regs, x->launched);
    if (v->exits != exits)
        x->launched = 1;
    if (r) {
        vmx_report_entry_failure(x, r, 0);
        return -1;
    }
    return 0;
}

/* ---- the exit, decoded ---- */

/* Port I/O: the qualification (Table 28-5) is the neutral io.info. The
 * light path's only reason. */
static inline __attribute__((always_inline)) void decode_io(struct vmx_vcpu *x, uint64_t q)
{
    x->v.exit.reason = VEXIT_IO;
    x->v.exit.io.info = (uint32_t)q;
}

/* The exits with fields (vmx_exit_has_fields): the exit qualification by
 * reason (SDM Vol. 3C, 28.2.1) and the exit information fields
 * (28.2.2-28.2.5), in the neutral form. Every VMREAD goes through the
 * per-exit cache or happens once. */
static void decode(struct vmx_vcpu *x, uint32_t raw)
{
    struct vexit_info *e = &x->v.exit;
    uint64_t q;
    switch (raw) {
    case EXIT_REASON_EXCEPTION_NMI: {
        uint32_t info = vmcs_read32(VMCS_EXIT_INTR_INFO);
        e->reason = vmx_vexit(raw, info);
        e->exc.event = info & (EVENT_VALID | EVENT_HAS_ERROR | INTR_INFO_TYPE_MASK | INTR_INFO_VECTOR_MASK);
        e->exc.error = (info & INTR_INFO_DELIVER_ERROR) ? vmcs_read32(VMCS_EXIT_INTR_ERROR) : 0;
        /* #DB: the DR6 bits the exit left in the qualification (DR6 is
         * not written, 27.1); #PF: the address (CR2 is not written). */
        unsigned vec = info & INTR_INFO_VECTOR_MASK;
        e->exc.dr6 = vec == 1 ? vmx_guest_qual(x) & (DR6_B0_B3 | DR6_BD | DR6_BS) : 0;
        e->exc.cr2 = vec == 14 ? vmx_guest_qual(x) : 0;
        return;
    }
    case EXIT_REASON_IO:
        decode_io(x, vmx_guest_qual(x));
        return;
    case EXIT_REASON_EPT_VIOLATION:
    case EXIT_REASON_EPT_MISCONFIG:
        /* Table 28-7: bits 5:0 are the neutral access bits (virt.h);
         * bit 12, NMI unblocking by IRET. The event being delivered, if
         * any: 28.2.4. */
        e->reason = raw == EXIT_REASON_EPT_VIOLATION ? VEXIT_NPF : VEXIT_NPF_MISCONFIG;
        q = raw == EXIT_REASON_EPT_VIOLATION ? vmx_guest_qual(x) : 0;
        e->npf.gpa = vmcs_read64(VMCS_GUEST_PHYSICAL_ADDRESS);
        e->npf.access = q & 0x3F;
        e->npf.during_iret = q & (1u << 12);
        e->npf.vectoring = raw == EXIT_REASON_EPT_VIOLATION ? vmcs_read32(VMCS_IDT_VECTORING_INFO) : 0;
        if (!(e->npf.vectoring & INTR_INFO_VALID))
            e->npf.vectoring = 0;
        e->npf.vectoring_error = (e->npf.vectoring & INTR_INFO_DELIVER_ERROR)
                                     ? vmcs_read32(VMCS_IDT_VECTORING_ERROR) : 0;
        return;
    case EXIT_REASON_DR_ACCESS:
        /* Table 28-4: the register in bits 2:0, from (MOV DR to a GPR)
         * bit 4, the GPR in bits 11:8. */
        q = vmx_guest_qual(x);
        e->reason = VEXIT_DR_ACCESS;
        e->dr.dr = q & 7;
        e->dr.from = q & (1u << 4);
        e->dr.gpr = (q >> 8) & 15;
        return;
    case EXIT_REASON_INVLPG:
        e->reason = VEXIT_INVLPG;
        e->invlpg.va = vmx_guest_qual(x);
        return;
    case EXIT_REASON_RDTSC:
    case EXIT_REASON_RDTSCP:
        e->reason = VEXIT_RDTSC;
        e->rdtscp = raw == EXIT_REASON_RDTSCP;
        return;
    default:
        e->reason = vmx_vexit(raw, 0);
        return;
    }
}

/* The benchmark build: this exit's VMREADs and VMWRITEs, from the counts
 * entry.asm noted when it began. */
#ifdef VMX_COUNT_VMCS_ACCESS
static void count_vmcs_access(struct vmx_vcpu *x)
{
    x->vmreads[x->v.exit.reason] += vmcs_reads - x->vmreads0;
    x->vmwrites[x->v.exit.reason] += vmcs_writes - x->vmwrites0;
}
#endif

/* Called from vmx/entry.asm for an exit whose reason has a light handler
 * (VMX_KIND_LIGHT: port I/O, the one kernel/exit.c has), with the reason
 * raw (in exit.raw too), the caches cleared and the caller-saved GPRs in
 * v->regs. */
int vmx_exit_light(struct vmx_vcpu *x, uint32_t raw)
{
    if (__builtin_expect(raw == EXIT_REASON_IO, 1))
        decode_io(x, vmcs_readn(VMCS_EXIT_QUALIFICATION));
    else
        decode(x, raw);
#ifdef VMX_COUNT_VMCS_ACCESS
    if (!vcpu_exit_light(&x->v))
        return 0;
    count_vmcs_access(x);
    return 1;
#else
    return vcpu_exit_light(&x->v);
#endif
}

/* Called from vmx/entry.asm with every GPR in regs (the vCPU's first
 * member): a failed entry (exit reason bit 31, 28.8: the guest-state
 * checks after loading), or an exit with fields to decode. */
static __attribute__((noinline, cold)) int entry_failed(struct vmx_vcpu *x)
{
    vmx_report_entry_failure(x, 0, x->v.exit.raw);
    vcpu_stop_guest(&x->v, "VM entry failed");
    return 0;
}

int vmx_exit(struct guest_regs *regs)
{
    struct vmx_vcpu *x = (struct vmx_vcpu *)regs;
    uint32_t raw = x->v.exit.raw;
    if (__builtin_expect(raw >= EXIT_REASON_MAX, 0)) {
        /* Entry failure (bit 31), or flags in bits 27:16 (28.2.1). */
        if (raw & EXIT_REASON_ENTRY_FAILURE)
            return entry_failed(x);
        raw &= 0xFFFF;
        x->v.exit.raw = raw;
    }
    decode(x, raw);
#ifdef VMX_COUNT_VMCS_ACCESS
    return vmx_exit_counted(regs);
#else
    return vcpu_exit(&x->v);
#endif
}

#ifdef VMX_COUNT_VMCS_ACCESS
/* The benchmark build's vcpu_exit, for entry.asm too: with the exit's
 * VMREADs and VMWRITEs counted. */
int vmx_exit_counted(struct guest_regs *regs)
{
    struct vmx_vcpu *x = (struct vmx_vcpu *)regs;
    int r = vcpu_exit(&x->v);
    count_vmcs_access(x);
    return r;
}
#endif

void vmx_print_exit_extra(struct vcpu *v, unsigned reason)
{
#ifdef VMX_COUNT_VMCS_ACCESS
    kprintf(" vmreads=%llu vmwrites=%llu", (unsigned long long)to_vmx(v)->vmreads[reason],
            (unsigned long long)to_vmx(v)->vmwrites[reason]);
#else
    (void)v;
    (void)reason;
#endif
}

/* ---- the guest state ---- */

uint64_t vmx_get_reg(struct vcpu *v, enum vreg r)
{
    struct vmx_vcpu *x = to_vmx(v);
    switch (r) {
    case VREG_RIP: return vmx_guest_rip(x);
    case VREG_RSP: return vmcs_readn(VMCS_GUEST_RSP);
    case VREG_RFLAGS: return vmcs_readn(VMCS_GUEST_RFLAGS);
    case VREG_CR0: return vmx_guest_cr0(x);
    case VREG_CR2: return read_cr2();     /* not switched: the guest's (vmx/entry.asm) */
    case VREG_CR3: return vmcs_readn(VMCS_GUEST_CR3);
    case VREG_CR4: return vmx_guest_cr4(x);
    case VREG_EFER: return vmcs_read64(VMCS_GUEST_EFER);
    case VREG_DR6: return read_dr6();     /* the CPU's: the host never uses it */
    case VREG_DR7: return vmcs_readn(VMCS_GUEST_DR7);
    case VREG_DEBUGCTL: return vmcs_read64(VMCS_GUEST_DEBUGCTL);
    case VREG_CS_BASE: return vmcs_readn(VMCS_GUEST_CS_BASE);
    case VREG_FS_BASE: return vmcs_readn(VMCS_GUEST_FS_BASE);
    case VREG_GS_BASE: return vmcs_readn(VMCS_GUEST_GS_BASE);
    case VREG_ES_SEL: case VREG_CS_SEL: case VREG_SS_SEL:
    case VREG_DS_SEL: case VREG_FS_SEL: case VREG_GS_SEL:
        /* The selector fields are 2 apart in Sreg order (SDM Vol. 3C,
         * Appendix B.1.2: ES 0x800, CS 0x802, ... GS 0x80A). */
        return (uint16_t)vmcs_read_any(VMCS_GUEST_ES_SEL + 2 * (r - VREG_ES_SEL));
    }
    return 0;
}

void vmx_set_reg(struct vcpu *v, enum vreg r, uint64_t val)
{
    struct vmx_vcpu *x = to_vmx(v);
    switch (r) {
    case VREG_RIP:
        vmcs_writen(VMCS_GUEST_RIP, val);
        v->rip = val;
        v->rip_valid = true;
        return;
    case VREG_RSP: vmcs_writen(VMCS_GUEST_RSP, val); return;
    case VREG_RFLAGS: vmcs_writen(VMCS_GUEST_RFLAGS, val); return;
    case VREG_CR0: vmx_set_cr0(x, val); return;
    case VREG_CR2: write_cr2(val); return;
    case VREG_CR3: vmcs_writen(VMCS_GUEST_CR3, val); return;
    case VREG_CR4: vmx_set_cr4(x, val); return;
    case VREG_EFER: vmx_set_efer(x, val); return;
    case VREG_DR6: write_dr6(val); return;
    case VREG_DR7: vmcs_writen(VMCS_GUEST_DR7, val); return;
    case VREG_DEBUGCTL: vmcs_write64(VMCS_GUEST_DEBUGCTL, val); return;
    case VREG_CS_BASE: vmcs_writen(VMCS_GUEST_CS_BASE, val); return;
    case VREG_FS_BASE: vmcs_writen(VMCS_GUEST_FS_BASE, val); return;
    case VREG_GS_BASE: vmcs_writen(VMCS_GUEST_GS_BASE, val); return;
    case VREG_ES_SEL: case VREG_CS_SEL: case VREG_SS_SEL:
    case VREG_DS_SEL: case VREG_FS_SEL: case VREG_GS_SEL:
        return;     /* read only (kernel/virt.h) */
    }
}

unsigned vmx_cpl(struct vcpu *v)
{
    (void)v;
    /* SS.DPL is the CPL (SDM Vol. 3C, 25.4.1; CS.DPL is not, in a
     * conforming code segment: SDM Vol. 3A, 5.5). */
    return (vmcs_read32(VMCS_GUEST_SS_AR) & AR_DPL_MASK) >> AR_DPL_SHIFT;
}

unsigned vmx_code_bits(struct vcpu *v)
{
    /* SDM Vol. 3A, 3.4.5: CS.L in IA-32e mode is 64-bit code; real mode
     * is 16-bit whatever CS.D; otherwise CS.D says. Virtual-8086 mode
     * needs no look at RFLAGS.VM: its CS access rights are F3H, D clear
     * (SDM Vol. 3C, 27.3.1.2). */
    struct vmx_vcpu *x = to_vmx(v);
    uint32_t ar = vmcs_read32(VMCS_GUEST_CS_AR);
    if ((ar & AR_L) && (vmcs_read64(VMCS_GUEST_EFER) & EFER_LMA))
        return 64;
    return (ar & AR_DB) && (x->cr0_shadow & CR0_PE) ? 32 : 16;
}

#define DUMP_SEG(name, seg)                                                        \
    kprintf("guest." name " sel=%#x base=%#llx limit=%#x ar=%#x\n",                \
            vmcs_read16(VMCS_GUEST_##seg##_SEL),                                   \
            (unsigned long long)vmcs_readn(VMCS_GUEST_##seg##_BASE),              \
            vmcs_read32(VMCS_GUEST_##seg##_LIMIT), vmcs_read32(VMCS_GUEST_##seg##_AR))

void vmx_dump(struct vcpu *v)
{
    struct vmx_vcpu *x = to_vmx(v);
    kprintf("guest.rip=%#llx guest.rsp=%#llx guest.rflags=%#llx\n",
            (unsigned long long)vmcs_readn(VMCS_GUEST_RIP),
            (unsigned long long)vmcs_readn(VMCS_GUEST_RSP),
            (unsigned long long)vmcs_readn(VMCS_GUEST_RFLAGS));
    vcpu_print_gprs(v, read_cr2());
    kprintf("guest.cr0=%#llx guest.cr0_shadow=%#llx guest.cr3=%#llx guest.cr4=%#llx "
            "guest.cr4_shadow=%#llx guest.efer=%#llx\n",
            (unsigned long long)vmcs_readn(VMCS_GUEST_CR0), (unsigned long long)x->cr0_shadow,
            (unsigned long long)vmcs_readn(VMCS_GUEST_CR3),
            (unsigned long long)vmcs_readn(VMCS_GUEST_CR4), (unsigned long long)x->cr4_shadow,
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

/* ---- completing an instruction ---- */

void vmx_advance(struct vcpu *v, unsigned len)
{
    /* The VMCS's RIP is always the current one (set_reg writes it): read
     * without the cache, which a handler rarely filled before this. */
    uint64_t rip = vmcs_readn(VMCS_GUEST_RIP) + len;
    vmcs_writen(VMCS_GUEST_RIP, rip);
    v->rip = rip;
    v->rip_valid = true;
    uint64_t rflags = vmcs_readn(VMCS_GUEST_RFLAGS);
    if (__builtin_expect(rflags & (RFLAGS_TF | RFLAGS_RF), 0))
        vcpu_skip_debug(v, rflags);
}

void vmx_skip(struct vcpu *v)
{
    /* The VM-exit instruction length (28.2.5) is valid for every exit an
     * instruction causes. */
    vmx_advance(v, vmcs_read32(VMCS_EXIT_INSTRUCTION_LEN));
}

void vmx_pending_debug(struct vcpu *v, uint64_t dr6_bits)
{
    (void)v;
    /* The pending debug exceptions field (25.4.2, Table 25-4): B3-B0
     * with "enabled breakpoint" (bit 12) for a breakpoint, BS for the
     * single-step trap; the CPU delivers the #DB after entry (27.7.3). */
    uint64_t bits = dr6_bits & (DR6_B0_B3 | DR6_BS);
    if (bits & DR6_B0_B3)
        bits |= PENDING_DBG_ENABLED_BP;
    vmcs_writen(VMCS_GUEST_PENDING_DBG, vmcs_readn(VMCS_GUEST_PENDING_DBG) | bits);
}

/* ---- events ---- */

/* The types whose injection takes an instruction length (27.3.1.3):
 * software interrupt, privileged software exception, software exception. */
static bool event_has_length(uint32_t event)
{
    unsigned type = EVENT_TYPE(event);
    return type == EVENT_TYPE_SOFT_INT || type == EVENT_TYPE_PRIV_SOFT || type == EVENT_TYPE_SOFT_EXC;
}

void vmx_inject(struct vcpu *v, uint32_t event, uint32_t error)
{
    /* VM-entry interruption information (25.8.3): the neutral encoding.
     * A software exception reflected from an exit (INT3, INTO) is
     * delivered with the length of the instruction that raised it. */
    if (event & EVENT_HAS_ERROR)
        vmcs_write32(VMCS_ENTRY_EXCEPTION_ERROR, error);
    if (event_has_length(event))
        vmcs_write32(VMCS_ENTRY_INSTRUCTION_LEN, vmcs_read32(VMCS_EXIT_INSTRUCTION_LEN));
    vmcs_write32(VMCS_ENTRY_INTR_INFO, event);
    /* A HLT-ing guest wakes to take it, as KVM does (vmx_clear_hlt): an
     * entry in the HLT activity state may not inject most events
     * (27.3.1.5). Only an intercepted HLT enters it (vmx_halt). */
    if ((to_vmx(v)->proc & PROC_HLT_EXITING) && vmcs_read32(VMCS_GUEST_ACTIVITY_STATE) == ACTIVITY_HLT)
        vmcs_write32(VMCS_GUEST_ACTIVITY_STATE, ACTIVITY_ACTIVE);
}

bool vmx_injecting(struct vcpu *v)
{
    (void)v;
    return vmcs_read32(VMCS_ENTRY_INTR_INFO) & INTR_INFO_VALID;
}

void vmx_reinject(struct vcpu *v, const struct vexit_info *e)
{
    /* An exit during event delivery (IDT-vectoring information valid,
     * 28.2.4) left the event undelivered: inject it again with the next
     * entry; bit 12 of the vectoring information is undefined there. */
    if (e->npf.vectoring & EVENT_VALID)
        vmx_inject(v, e->npf.vectoring & ~(1u << 12), e->npf.vectoring_error);
}

/* An NMI of the guest's (reflected from an NMI exit, or taken in the
 * hypervisor): inject it when the guest can take one (27.3.1.5: no
 * blocking by STI, MOV SS or NMI, no other event being injected). Else,
 * with virtual NMIs, an NMI-window exit (25.6.2) comes as soon as it can;
 * without them a later exit tries again. The window is closed when
 * nothing waits. */
void vmx_deliver_nmi(struct vcpu *v)
{
    struct vmx_vcpu *x = to_vmx(v);
    bool window = false;
    if (v->nmi_pending && v->mp_state == MP_RUNNABLE) {
        if (vmcs_read32(VMCS_GUEST_INTERRUPTIBILITY) ||
            (vmcs_read32(VMCS_ENTRY_INTR_INFO) & INTR_INFO_VALID)) {
            window = x->pin & PIN_VIRTUAL_NMIS;
        } else {
            vmx_inject(v, EVENT_VALID | EVENT_TYPE_NMI << 8 | 2, 0);
            v->nmi_pending = false;
        }
    }
    if (window != !!(x->proc & PROC_NMI_WINDOW_EXITING)) {
        x->proc ^= PROC_NMI_WINDOW_EXITING;
        vmcs_write32(VMCS_PROC_CONTROLS, x->proc);
    }
}

bool vmx_nmi_exited(struct vcpu *v)
{
    /* The exit left NMIs blocked on this core until an IRET: without one,
     * the next kick would never arrive. With virtual NMIs (when the CPU
     * has them) the guest's NMI blocking is its own, ended by its IRET;
     * without them the NMI exited, so the guest was not blocking NMIs:
     * Bochs 2.7 saves "blocking by NMI" all the same (masked before the
     * state was saved), which would block every later NMI in the guest,
     * so it is cleared (25.4.2; 26.3: with NMI exiting, IRET leaves NMI
     * blocking alone). */
    iret_to_self();
    uint32_t intr = vmcs_read32(VMCS_GUEST_INTERRUPTIBILITY);
    if ((intr & INTERRUPTIBILITY_NMI) && !(to_vmx(v)->pin & PIN_VIRTUAL_NMIS))
        vmcs_write32(VMCS_GUEST_INTERRUPTIBILITY, intr & ~INTERRUPTIBILITY_NMI);
    return false;       /* the exit took the NMI: the core tells a kick from the guest's */
}

void vmx_block_nmi(struct vcpu *v)
{
    (void)v;
    /* An IRET that unblocked NMIs faulted: blocked again (28.2.3). */
    vmcs_write32(VMCS_GUEST_INTERRUPTIBILITY,
                 vmcs_read32(VMCS_GUEST_INTERRUPTIBILITY) | INTERRUPTIBILITY_NMI);
}

bool vmx_intr_ready(struct vcpu *v)
{
    (void)v;
    return (vmcs_readn(VMCS_GUEST_RFLAGS) & RFLAGS_IF) &&
           !(vmcs_read32(VMCS_GUEST_INTERRUPTIBILITY) &
             (INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOV_SS)) &&
           !(vmcs_read32(VMCS_ENTRY_INTR_INFO) & INTR_INFO_VALID);
}

bool vmx_intr_window(struct vcpu *v, bool open)
{
    /* Interrupt-window exiting (25.6.2): an exit as soon as the guest can
     * take an external interrupt. */
    struct vmx_vcpu *x = to_vmx(v);
    if (open == !!(x->proc & PROC_INTR_WINDOW_EXITING))
        return false;
    x->proc ^= PROC_INTR_WINDOW_EXITING;
    vmcs_write32(VMCS_PROC_CONTROLS, x->proc);
    return open;
}

void vmx_halt(struct vcpu *v)
{
    /* The core waits in the guest's HLT activity state until an
     * interrupt (25.4.2), as it would natively. */
    vmx_skip(v);
    /* "sti; hlt": the HLT was in STI's shadow, which ends with it; left
     * set, the HLT activity state fails the entry (27.3.1.5). */
    uint32_t intr = vmcs_read32(VMCS_GUEST_INTERRUPTIBILITY);
    if (intr & (INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOV_SS))
        vmcs_write32(VMCS_GUEST_INTERRUPTIBILITY,
                     intr & ~(INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOV_SS));
    vmcs_write32(VMCS_GUEST_ACTIVITY_STATE, ACTIVITY_HLT);
}

void vmx_rearm_timer(struct vcpu *v)
{
    /* The VMX-preemption timer counts down from its value at each entry
     * unless saved (26.5.1): the reload value again. */
    vmcs_write32(VMCS_PREEMPTION_TIMER, to_vmx(v)->preempt_reload);
}

/* ---- TLB ---- */

void vmx_flush_tlb(struct vcpu *v, bool globals)
{
    /* INVVPID (31.3): type 1 (single context) drops every entry of the
     * VPID, type 3 keeps the global ones, as a MOV to CR3 does (SDM Vol.
     * 3A, 4.10.4.1). */
    if (to_vmx(v)->proc2 & PROC2_ENABLE_VPID)
        invvpid(globals ? 1 : 3, (uint16_t)(1 + v->id), 0);
}

void vmx_invlpg(struct vcpu *v, uint64_t va)
{
    if (to_vmx(v)->proc2 & PROC2_ENABLE_VPID)
        invvpid(0, (uint16_t)(1 + v->id), va);   /* type 0: one address */
}

/* ---- `step` ---- */

/* Two ways at once: the monitor trap flag exits after one instruction
 * (26.5.2); RFLAGS.TF with #DB intercepted does too (a single-step trap,
 * SDM Vol. 3A 17.3.1.4), and works where the monitor trap flag is offered
 * but never delivered (Bochs 2.7). Whichever exit comes first ends it. */
void vmx_step_begin(struct vcpu *v)
{
    struct vmx_vcpu *x = to_vmx(v);
    if (vmx_caps.proc.may1 & PROC_MONITOR_TRAP_FLAG) {
        x->proc |= PROC_MONITOR_TRAP_FLAG;
        vmcs_write32(VMCS_PROC_CONTROLS, x->proc);
    }
    uint64_t rflags = vmcs_readn(VMCS_GUEST_RFLAGS);
    x->step_tf = rflags & RFLAGS_TF;
    vmcs_writen(VMCS_GUEST_RFLAGS, rflags | RFLAGS_TF);
    vmcs_write32(VMCS_EXCEPTION_BITMAP, v->exception_bitmap | (1u << DB_VECTOR));
}

void vmx_step_end(struct vcpu *v)
{
    struct vmx_vcpu *x = to_vmx(v);
    x->proc &= ~PROC_MONITOR_TRAP_FLAG;
    vmcs_write32(VMCS_PROC_CONTROLS, x->proc);
    vmcs_write32(VMCS_EXCEPTION_BITMAP, v->exception_bitmap);
    uint64_t rflags = vmcs_readn(VMCS_GUEST_RFLAGS);
    vmcs_writen(VMCS_GUEST_RFLAGS, (rflags & ~RFLAGS_TF) | x->step_tf);
    /* A single-step trap still pending (the MTF exit came first) is ours,
     * not the guest's: dropped (pending debug exceptions BS, 25.4.2). */
    vmcs_writen(VMCS_GUEST_PENDING_DBG, vmcs_readn(VMCS_GUEST_PENDING_DBG) & ~PENDING_DBG_BS);
}

/* ---- a failed entry ---- */

#define READ_SEG(dst, seg)                                          \
    ((dst) = (struct guest_seg){ vmcs_read16(VMCS_GUEST_##seg##_SEL),  \
                                 vmcs_readn(VMCS_GUEST_##seg##_BASE),  \
                                 vmcs_read32(VMCS_GUEST_##seg##_LIMIT), \
                                 vmcs_read32(VMCS_GUEST_##seg##_AR) })

/* Name the guest-state field a failed VM entry objected to, by running
 * the checks of SDM 27.3.1 over the VMCS (vmx/guest_check.c). */
static void explain_invalid_guest_state(struct vmx_vcpu *x)
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
        .proc2 = x->proc2,
        .cr0_fixed0 = vmx_caps.cr0_fixed0,
        .cr0_fixed1 = vmx_caps.cr0_fixed1,
        .cr4_fixed0 = vmx_caps.cr4_fixed0,
        .cr4_fixed1 = vmx_caps.cr4_fixed1,
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

void vmx_report_entry_failure(struct vmx_vcpu *x, int result, uint32_t reason)
{
    if (result == VMX_FAIL_VALID) {
        uint32_t err = vmcs_read32(VMCS_VM_INSTRUCTION_ERROR);
        kprintf("error: vmx: %s failed: VM-instruction error %u (%s)\n",
                x->launched ? "VMRESUME" : "VMLAUNCH", err, vm_instruction_error_name(err));
    } else if (result == VMX_FAIL_INVALID) {
        kprintf("error: vmx: %s failed: VMfailInvalid (no current VMCS)\n",
                x->launched ? "VMRESUME" : "VMLAUNCH");
    } else {
        /* 27.8 "VM-Entry Failures During or After Loading Guest State". */
        kprintf("error: vmx: VM entry failed: exit reason %u (%s) qualification=%#llx\n",
                reason & 0xFFFF, exit_reason_name(reason & 0xFFFF),
                (unsigned long long)vmcs_readn(VMCS_EXIT_QUALIFICATION));
        if ((reason & 0xFFFF) == EXIT_REASON_INVALID_GUEST_STATE)
            explain_invalid_guest_state(x);
    }
    vmx_dump(&x->v);
}
