/*
 * svm.h - the AMD-V (SVM) backend (kernel/virt.h, svm_ops): SVM on a core,
 * the VMCB, the guest state it keeps, and its exits. Only svm/ files
 * include it. AMD64 Architecture Programmer's Manual Volume 2 (APM Vol.
 * 2), chapter 15.
 */
#ifndef SVM_H
#define SVM_H

#include "svm_defs.h"
#include "../kernel/vcpu.h"

/* A vCPU on SVM: the neutral vCPU first. */
struct svm_vcpu {
    struct vcpu v;
    uint8_t *vmcb;                  /* 4 KiB: control area, then the state save area at 0x400 */
    uint64_t vmcb_pa;
    uint8_t *iopm;                  /* 12 KiB: one bit per port (15.10.1) */
    uint8_t *msrpm;                 /* 8 KiB: two bits per MSR (15.11) */
    uint32_t asid;
    bool nrips;                     /* the CPU saves the next RIP (VMCB_NEXT_RIP) */
    bool flush_asid;                /* TLB_CONTROL may flush one ASID */
    bool decode_assists;            /* EXITINFO1 names MOV CR/DR operands, INVLPG's address */
    /* The guest's NMI blocking, which the VMCB does not hold: set when an
     * NMI is injected, cleared when the guest's IRET (intercepted
     * meanwhile) completes (15.21.4; KVM's HF_NMI_MASK). */
    bool nmi_blocked;
    /* The IRET that ends the blocking exited; the NMI still waiting is
     * injected after it, once a single step (TF, #DB intercepted) shows it
     * completed. iret_tf holds the guest's own RFLAGS.TF meanwhile. */
    bool nmi_after_iret;
    uint64_t iret_tf;
    uint64_t step_tf;               /* the guest's own RFLAGS.TF during a `step` */
    uint32_t exceptions;            /* the exception intercepts as the core asked (set_exceptions) */
    /* The console's core intercepts the guest's interrupts (its poll,
     * svm_exit.c take_interrupt); one it cannot take for the guest goes
     * straight to it with the intercept off for an entry. */
    bool intr_intercept;
    /* Why an exit must take the C path: an intercept passed for one entry
     * to re-arm (svm_run), or no next RIP saved (CPUID's length is then
     * the decoder's). One word, which the CPUID fast path (svm/entry.asm)
     * tests at once. */
    union {
        struct {
            bool intr_passed;       /* the INTR intercept is off for one entry (take_interrupt) */
            bool cr0_passed;        /* the selective CR0 write intercept is off for one entry */
            bool no_nrips;          /* !nrips */
        };
        uint32_t slow_exit;
    };
    uint64_t leaked_dr6;            /* a guest #DB trap taken in the host after VMRUN (svm_db_hook) */
    uint64_t entry_event;           /* EVENTINJ at the last VMRUN from C, 0 after the CPUID
                                       fast path's (it injects nothing): redeliver() tells the
                                       hypervisor's soft events from the guest's by it */
    bool hlt_trap;                  /* HLT exits as hlt=exit or `trap hlt` asked (the console's core: always) */
    bool pause_trap;                /* PAUSE exits as `trap pause` asked (the console's core: always, its poll) */
    bool halted;                    /* a HLT completed, the vCPU waits (`regs`: guest.activity=1, VMX's HLT state) */
    bool halt_if;                   /* ... with RFLAGS.IF set */
    uint8_t halt_len;               /* ... and that HLT's length, to run it again */
    uint8_t swint_len;              /* the instruction of the last INTn intercept (svm_exit.c) */
};

static inline struct svm_vcpu *to_svm(struct vcpu *v)
{
    return (struct svm_vcpu *)v;    /* the neutral vCPU is the first member */
}

/* VMCB fields by offset (svm_defs.h): the VMCB is memory, read and written
 * as such (15.5.1: never while a VMRUN uses it, which a core's own vCPU
 * never does between exits). */
static inline uint64_t *vmcb64(struct svm_vcpu *x, unsigned off)
{
    return (uint64_t *)(x->vmcb + off);
}

static inline uint32_t *vmcb32(struct svm_vcpu *x, unsigned off)
{
    return (uint32_t *)(x->vmcb + off);
}

static inline uint16_t *vmcb16(struct svm_vcpu *x, unsigned off)
{
    return (uint16_t *)(x->vmcb + off);
}

static inline uint8_t *vmcb8(struct svm_vcpu *x, unsigned off)
{
    return x->vmcb + off;
}

static inline struct vmcb_seg *vmcb_seg(struct svm_vcpu *x, unsigned off)
{
    return (struct vmcb_seg *)(x->vmcb + off);
}

/* An intercept bit of VMCB_INTERCEPT_MISC1 or MISC2 on or off. */
static inline void svm_intercept(struct svm_vcpu *x, unsigned off, uint32_t bit, bool on)
{
    uint32_t *w = vmcb32(x, off);
    *w = on ? *w | bit : *w & ~bit;
}

/* The configuration the vCPUs were set up with. */
extern struct virt_config svm_cfg;

/* svm/entry.asm: load the guest's GPRs from regs, VMLOAD and VMRUN the
 * VMCB at vmcb_pa, VMSAVE it, VMLOAD the host's state from host_pa, store
 * the guest's GPRs into regs. GIF stays clear throughout (the caller's
 * CLGI, STGI after). */
void svm_vmrun(struct guest_regs *regs, uint64_t vmcb_pa, uint64_t host_pa);

/* svm/svm_exit.c and svm/svm_state.c: the ops of kernel/virt.h. */
void svm_deliver_nmi(struct vcpu *v);
uint64_t svm_get_reg(struct vcpu *v, enum vreg r);
void svm_set_reg(struct vcpu *v, enum vreg r, uint64_t val);
unsigned svm_cpl(struct vcpu *v);
unsigned svm_code_bits(struct vcpu *v);
void svm_dump(struct vcpu *v);
void svm_skip(struct vcpu *v);
/* The instruction at the guest's RIP, decoded (kernel/insn_decode.c) in
 * the guest's code size: what SVM without decode assists or next-RIP
 * saving leaves to the hypervisor. false when it cannot be read or is not
 * one the decoder knows. */
struct insn_sys;
bool svm_decode_at_rip(struct svm_vcpu *x, struct insn_sys *s);
struct trap_frame;
bool svm_db_hook(const struct trap_frame *f);
void svm_advance(struct vcpu *v, unsigned len);
void svm_inject(struct vcpu *v, uint32_t event, uint32_t error);
bool svm_injecting(struct vcpu *v);
void svm_reinject(struct vcpu *v, const struct vexit_info *e);
bool svm_nmi_exited(struct vcpu *v);
void svm_block_nmi(struct vcpu *v);
bool svm_intr_ready(struct vcpu *v);
bool svm_intr_window(struct vcpu *v, bool open);
void svm_pending_debug(struct vcpu *v, uint64_t dr6_bits);
void svm_halt(struct vcpu *v);
void svm_flush_tlb(struct vcpu *v, bool globals);
void svm_invlpg(struct vcpu *v, uint64_t va);
void svm_step_begin(struct vcpu *v);
void svm_step_end(struct vcpu *v);
void svm_rearm_timer(struct vcpu *v);
int svm_run(struct vcpu *v);
enum msr_result svm_msr_read(struct vcpu *v, uint32_t msr, uint64_t *val);
enum msr_result svm_msr_write(struct vcpu *v, uint32_t msr, uint64_t val);
int svm_cr_access(struct vcpu *v);
void svm_set_exceptions(struct vcpu *v, uint32_t bitmap);
void svm_msr_intercept(struct vcpu *v, uint32_t msr, bool on);

/* The physical page of this core's host state for VMLOAD after an exit. */
uint64_t svm_host_save_pa(void);

#endif
