/*
 * svm_state.c - the guest state the VMCB keeps, as the core asks for it:
 * registers, the CPL and code size, the MSRs VMLOAD and VMSAVE switch or
 * SVM hides, and MOV to or from CR3 when `trap cr3` intercepts it. The
 * guest owns CR0, CR4 and EFER under SVM with nested paging: the CPU
 * checks their writes itself, only EFER's SVME is kept out of sight.
 */
#include "svm.h"

#include "../kernel/cr_rules.h"
#include "../kernel/insn_decode.h"
#include "../kernel/x86.h"
#include "../kernel/x86_regs.h"

#define MSR_IA32_PAT_NR 0x277

uint64_t svm_get_reg(struct vcpu *v, enum vreg r)
{
    struct svm_vcpu *x = to_svm(v);
    switch (r) {
    case VREG_RIP: return *vmcb64(x, VMCB_RIP);
    case VREG_RSP: return *vmcb64(x, VMCB_RSP);
    case VREG_RFLAGS: return *vmcb64(x, VMCB_RFLAGS);
    case VREG_CR0: return *vmcb64(x, VMCB_CR0);
    case VREG_CR2: return *vmcb64(x, VMCB_CR2);
    case VREG_CR3: return *vmcb64(x, VMCB_CR3);
    case VREG_CR4: return *vmcb64(x, VMCB_CR4);
    case VREG_EFER: return *vmcb64(x, VMCB_EFER) & ~EFER_SVME;
    case VREG_DR6: return *vmcb64(x, VMCB_DR6);
    case VREG_DR7: return *vmcb64(x, VMCB_DR7);
    case VREG_DEBUGCTL: {
        /* Not switched without LBR virtualization: the guest's is the
         * CPU's; a CPU without the MSR (Bochs's ryzen) has no BTF either. */
        uint64_t val;
        return rdmsr_safe(0x1D9, &val) ? 0 : val;
    }
    case VREG_CS_BASE: return vmcb_seg(x, VMCB_CS)->base;
    /* FS and GS are VMLOAD/VMSAVE state, which the entry path saves back
     * into the VMCB after every exit (svm/entry.asm). */
    case VREG_FS_BASE: return vmcb_seg(x, VMCB_FS)->base;
    case VREG_GS_BASE: return vmcb_seg(x, VMCB_GS)->base;
    case VREG_ES_SEL: case VREG_CS_SEL: case VREG_SS_SEL:
    case VREG_DS_SEL: case VREG_FS_SEL: case VREG_GS_SEL:
        /* The save area's segments are 16 bytes apart in Sreg order
         * (APM Vol. 2, Table B-2: ES 0x400, CS 0x410, ... GS 0x450). */
        return vmcb_seg(x, VMCB_ES + 16 * (r - VREG_ES_SEL))->sel;
    }
    return 0;
}

void svm_set_reg(struct vcpu *v, enum vreg r, uint64_t val)
{
    struct svm_vcpu *x = to_svm(v);
    switch (r) {
    case VREG_RIP:
        *vmcb64(x, VMCB_RIP) = val;
        v->rip = val;
        v->rip_valid = true;
        return;
    case VREG_RSP: *vmcb64(x, VMCB_RSP) = val; return;
    case VREG_RFLAGS: *vmcb64(x, VMCB_RFLAGS) = val; return;
    case VREG_CR0: *vmcb64(x, VMCB_CR0) = val; return;
    case VREG_CR2: *vmcb64(x, VMCB_CR2) = val; return;
    case VREG_CR3: *vmcb64(x, VMCB_CR3) = val; return;
    case VREG_CR4:
        *vmcb64(x, VMCB_CR4) = val;
        v->cr4_de = val & CR4_DE;
        return;
    case VREG_EFER: *vmcb64(x, VMCB_EFER) = val | EFER_SVME; return;
    case VREG_DR6: *vmcb64(x, VMCB_DR6) = val; return;
    case VREG_DR7: *vmcb64(x, VMCB_DR7) = val; return;
    case VREG_DEBUGCTL: (void)wrmsr_safe(0x1D9, val); return;
    case VREG_CS_BASE: vmcb_seg(x, VMCB_CS)->base = val; return;
    case VREG_FS_BASE: vmcb_seg(x, VMCB_FS)->base = val; return;
    case VREG_GS_BASE: vmcb_seg(x, VMCB_GS)->base = val; return;
    case VREG_ES_SEL: case VREG_CS_SEL: case VREG_SS_SEL:
    case VREG_DS_SEL: case VREG_FS_SEL: case VREG_GS_SEL:
        return;     /* read only (kernel/virt.h) */
    }
}

unsigned svm_cpl(struct vcpu *v)
{
    return *vmcb8(to_svm(v), VMCB_CPL) & 3;     /* the VMCB keeps it (15.5.1) */
}

unsigned svm_code_bits(struct vcpu *v)
{
    /* APM Vol. 2, 4.8.1: CS.L in long mode is 64-bit code; real mode is
     * 16-bit; otherwise CS.D (virtual-8086 segments have D clear). */
    struct svm_vcpu *x = to_svm(v);
    uint16_t attrib = vmcb_seg(x, VMCB_CS)->attrib;
    if ((attrib & SEG_ATTR_L) && (*vmcb64(x, VMCB_EFER) & EFER_LMA))
        return 64;
    return (attrib & SEG_ATTR_DB) && (*vmcb64(x, VMCB_CR0) & CR0_PE) &&
                   !(*vmcb64(x, VMCB_RFLAGS) & RFLAGS_VM)
               ? 32
               : 16;
}

/* ---- MSRs ---- */

/* The EFER bits this CPU has (CPUID 80000001H:EDX: SYSCALL 11, NX 20,
 * LM 29, FFXSR 25; ECX: SVM 2 is SVME, which the guest does not get). */
static uint64_t efer_allowed(void)
{
    uint32_t edx = cpuid(0x80000000, 0).eax >= 0x80000001 ? cpuid(0x80000001, 0).edx : 0;
    return ((edx >> 11) & 1 ? EFER_SCE : 0) | ((edx >> 20) & 1 ? EFER_NXE : 0) |
           ((edx >> 29) & 1 ? EFER_LME : 0) | ((edx >> 25) & 1 ? 1ull << 14 : 0);
}

/* The MSRs VMLOAD and VMSAVE switch (15.5.2): while the hypervisor runs,
 * the CPU's hold the host's; the guest's are in the VMCB. */
static uint64_t *vmcb_msr(struct svm_vcpu *x, uint32_t msr)
{
    switch (msr) {
    case 0x174: return vmcb64(x, VMCB_SYSENTER_CS);
    case 0x175: return vmcb64(x, VMCB_SYSENTER_ESP);
    case 0x176: return vmcb64(x, VMCB_SYSENTER_EIP);
    case 0xC0000081: return vmcb64(x, VMCB_STAR);
    case 0xC0000082: return vmcb64(x, VMCB_LSTAR);
    case 0xC0000083: return vmcb64(x, VMCB_CSTAR);
    case 0xC0000084: return vmcb64(x, VMCB_SFMASK);
    case 0xC0000100: return &vmcb_seg(x, VMCB_FS)->base;
    case 0xC0000101: return &vmcb_seg(x, VMCB_GS)->base;
    case 0xC0000102: return vmcb64(x, VMCB_KERNEL_GS_BASE);
    default: return 0;
    }
}

/* A PAT value with a memory type in every byte (0, 1, 4, 5, 6 or 7:
 * APM Vol. 2, 7.8.1), as WRMSR requires. */
static bool pat_valid(uint64_t pat)
{
    for (unsigned i = 0; i < 8; i++) {
        unsigned t = (pat >> (8 * i)) & 0xFF;
        if (t == 2 || t == 3 || t > 7)
            return false;
    }
    return true;
}

enum msr_result svm_msr_read(struct vcpu *v, uint32_t msr, uint64_t *val)
{
    struct svm_vcpu *x = to_svm(v);
    uint64_t *field = vmcb_msr(x, msr);
    switch (msr) {
    case MSR_EFER:
        *val = *vmcb64(x, VMCB_EFER) & ~EFER_SVME;
        return MSR_DONE;
    case MSR_IA32_PAT_NR:
        *val = *vmcb64(x, VMCB_G_PAT);
        return MSR_DONE;
    case MSR_VM_CR:
        /* A CPU whose firmware disabled SVM and locked it (15.30.1). */
        *val = VM_CR_SVMDIS | VM_CR_LOCK;
        return MSR_DONE;
    case MSR_VM_HSAVE_PA:
        *val = 0;
        return MSR_DONE;
    case MSR_SVM_KEY:
        return MSR_GP;
    default:
        if (!field)
            return MSR_CORE;
        *val = *field;
        return MSR_DONE;
    }
}

enum msr_result svm_msr_write(struct vcpu *v, uint32_t msr, uint64_t val)
{
    struct svm_vcpu *x = to_svm(v);
    switch (msr) {
    case MSR_EFER: {
        /* Checked as the CPU would (kernel/cr_rules.c), SVME kept set
         * underneath: VMRUN needs it, the guest may not set it (no SVM). */
        uint64_t efer = *vmcb64(x, VMCB_EFER) & ~EFER_SVME;
        struct cr_state s = {
            .cr0 = *vmcb64(x, VMCB_CR0),
            .cr3 = *vmcb64(x, VMCB_CR3),
            .cr4 = *vmcb64(x, VMCB_CR4),
            .efer = efer,
            .cs_l = (efer & EFER_LMA) && (vmcb_seg(x, VMCB_CS)->attrib & SEG_ATTR_L),
        };
        if (!efer_write(&s, &val, efer_allowed()))
            return MSR_GP;
        *vmcb64(x, VMCB_EFER) = val | EFER_SVME;
        return MSR_DONE;
    }
    case MSR_IA32_PAT_NR:
        if (!pat_valid(val))
            return MSR_GP;
        *vmcb64(x, VMCB_G_PAT) = val;
        return MSR_DONE;
    case MSR_VM_CR:
    case MSR_VM_HSAVE_PA:
    case MSR_SVM_KEY:
        return MSR_GP;      /* locked, or absent without SVM */
    default: {
        uint64_t *field = vmcb_msr(x, msr);
        if (!field)
            return MSR_CORE;
        /* What the CPU would refuse is refused: tried on it first (the
         * host's value back at once), then kept where VMLOAD finds it. */
        uint64_t host = rdmsr(msr);
        if (wrmsr_safe(msr, val))
            return MSR_GP;
        wrmsr(msr, host);
        *field = val;
        return MSR_DONE;
    }
    }
}

/* ---- CR0 writes, MOV CR3 with `trap cr3` ---- */

/* A CR0 write that changes more than TS and MP (the selective intercept,
 * 15.9.2), before it is done: the APM's #GP cases for MOV to CR0 that a
 * CPU may leave to the hypervisor in guest mode (PG without PE, NW
 * without CD) get their #GP; anything else the CPU does itself, with the
 * intercept off for that one entry (LMSW can cause neither). */
static int cr0_selective_write(struct svm_vcpu *x)
{
    struct vcpu *v = &x->v;
    struct insn_sys s;
    if (svm_decode_at_rip(x, &s) && s.kind == INSN_SYS_MOV_CR && s.to && s.reg == 0) {
        uint64_t val = vcpu_get_gpr(v, s.gpr);
        if (((val & CR0_PG) && !(val & CR0_PE)) || ((val & CR0_NW) && !(val & CR0_CD))) {
            vcpu_inject_exception(v, 13, true, 0);
            return 0;
        }
    }
    svm_intercept(x, VMCB_INTERCEPT_MISC1, SVM_INTERCEPT1_CR0_SEL_WRITE, false);
    x->cr0_passed = true;
    return 0;
}

int svm_cr_access(struct vcpu *v)
{
    /* The exit code names the register and the direction (read CR3 03H,
     * write 13H); decode assists give the GPR in EXITINFO1 (15.33.1), the
     * instruction otherwise. */
    struct svm_vcpu *x = to_svm(v);
    uint32_t code = v->exit.raw;
    if (code == SVM_EXIT_CR0_SEL_WRITE)
        return cr0_selective_write(x);
    uint64_t info1 = *vmcb64(x, VMCB_EXITINFO1);
    int gpr = -1;
    if (info1 & (1ull << 63)) {
        gpr = (int)(info1 & 15);
    } else {
        struct insn_sys s;
        if (svm_decode_at_rip(x, &s) && s.kind == INSN_SYS_MOV_CR)
            gpr = s.gpr;
    }
    if ((code & 15) != 3 || gpr < 0) {
        vcpu_stop_guest(v, "unexpected control-register exit");
        return -1;
    }
    if (code >= SVM_EXIT_WRITE_CR0) {
        uint64_t val = vcpu_get_gpr(v, (unsigned)gpr);
        if (!(*vmcb64(x, VMCB_EFER) & EFER_LMA))
            val &= 0xFFFFFFFF;
        /* With CR4.PCIDE, bit 63 says "keep this PCID's entries" and is
         * not written (SDM Vol. 3A, 4.10.4.1); otherwise the TLB goes,
         * global entries kept. */
        bool keep = (*vmcb64(x, VMCB_CR4) & CR4_PCIDE) && (val >> 63);
        *vmcb64(x, VMCB_CR3) = val & ~(1ull << 63);
        if (!keep)
            svm_flush_tlb(v, false);
    } else {
        vcpu_set_gpr(v, (unsigned)gpr, *vmcb64(x, VMCB_CR3));
    }
    svm_skip(v);
    return 0;
}
