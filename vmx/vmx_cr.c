/*
 * vmx_cr.c - what VT-x keeps of the guest's control registers and MSRs:
 * the CR0 and CR4 bits the host owns (their read shadows), EFER with the
 * IA-32e mode guest entry control, the PDPTEs of PAE paging, the MSRs
 * whose guest values live in the VMCS, and the VMX MSRs a guest without
 * VMX must not see. The architectural checks are the core's
 * (kernel/cr_rules.c).
 */
#include "vmx.h"

#include "probe.h"

#include "../kernel/cr_rules.h"
#include "../kernel/mem.h"
#include "../kernel/hv.h"
#include "../kernel/x86.h"
#include "../kernel/x86_regs.h"

uint64_t vmx_guest_cr0(struct vmx_vcpu *x)
{
    return (vmcs_readn(VMCS_GUEST_CR0) & ~x->cr0_mask) | (x->cr0_shadow & x->cr0_mask);
}

uint64_t vmx_guest_cr4(struct vmx_vcpu *x)
{
    return (vmcs_readn(VMCS_GUEST_CR4) & ~x->cr4_mask) | (x->cr4_shadow & x->cr4_mask);
}

void vmx_set_cr0(struct vmx_vcpu *x, uint64_t cr0)
{
    /* The guest reads cr0 through the shadow; the CPU runs with NE (the
     * only fixed bit unrestricted guest keeps, A.7); CD and NW are the
     * core's own, which VM entry does not load (vmx.h). */
    x->cr0_shadow = cr0;
    vmcs_writen(VMCS_CR0_READ_SHADOW, cr0);
    vmcs_writen(VMCS_GUEST_CR0, cr0 | CR0_NE);
    vmx_guest_cache_control(cr0);
}

void vmx_set_cr4(struct vmx_vcpu *x, uint64_t cr4)
{
    /* CPUID's OSXSAVE and OSPKE mirror CR4 (cpuid_policy.h): this vCPU's
     * fast-path masks for leaves 1 and 7 are stale once either changes.
     * CR4.VMXE stays set underneath (A.8), read as 0 through the shadow. */
    if ((x->cr4_shadow ^ cr4) & CR4_CPUID_BITS)
        cpuid_fast_invalidate_vcpu(&x->v);
    x->cr4_shadow = cr4;
    x->v.cr4_de = cr4 & CR4_DE;
    vmcs_writen(VMCS_CR4_READ_SHADOW, cr4);
    vmcs_writen(VMCS_GUEST_CR4, cr4 | CR4_VMXE);
}

void vmx_set_efer(struct vmx_vcpu *x, uint64_t efer)
{
    /* "IA-32e mode guest" must equal EFER.LMA at entry (27.3.1.1). */
    vmcs_write64(VMCS_GUEST_EFER, efer);
    uint32_t entry = (x->entry_ctl & ~ENTRY_IA32E_MODE_GUEST) | ((efer & EFER_LMA) ? ENTRY_IA32E_MODE_GUEST : 0);
    if (entry != x->entry_ctl) {
        x->entry_ctl = entry;
        vmcs_write32(VMCS_ENTRY_CONTROLS, entry);
    }
}

/* The EFER bits this CPU has (CPUID.80000001H:EDX: SYSCALL 11, NX 20,
 * Intel 64 29; SDM Vol. 3A, 2.2.1). */
static uint64_t efer_allowed(void)
{
    static uint64_t allowed;
    if (!allowed) {
        uint32_t edx = cpuid(0x80000000, 0).eax >= 0x80000001 ? cpuid(0x80000001, 0).edx : 0;
        allowed = ((edx >> 11) & 1 ? EFER_SCE : 0) | ((edx >> 20) & 1 ? EFER_NXE : 0) |
                  ((edx >> 29) & 1 ? EFER_LME : 0) | (1ull << 63);     /* bit 63: marks it computed */
    }
    return allowed & ~(1ull << 63);
}

/* MAXPHYADDR (CPUID.80000008H:EAX[7:0], 36 without that leaf). */
static unsigned phys_addr_bits(void)
{
    static unsigned bits;
    if (!bits)
        bits = cpuid(0x80000000, 0).eax >= 0x80000008 ? cpuid(0x80000008, 0).eax & 0xFF : 36;
    return bits;
}

/* With PAE paging outside long mode the CPU holds the four PDPTEs; when we
 * emulate the MOV to CR0 (or CR3) that loads them, we load them (28.3.2).
 * A present PDPTE with a reserved bit set makes that MOV #GP (SDM Vol. 3A,
 * 4.4.1), and would fail the VM entry: return false, load nothing. */
static bool load_pdptes(uint64_t cr3)
{
    const uint64_t *p = guest_ptr(cr3 & ~0x1Full, 32);
    if (!p)
        return true;
    uint64_t pdpte[4] = { p[0], p[1], p[2], p[3] };    /* one read: the guest may change them */
    uint64_t reserved = 0x1E6 | ~((1ull << phys_addr_bits()) - 1);
    for (int i = 0; i < 4; i++)
        if ((pdpte[i] & 1) && (pdpte[i] & reserved))
            return false;
    vmcs_write64(VMCS_GUEST_PDPTE0, pdpte[0]);
    vmcs_write64(VMCS_GUEST_PDPTE1, pdpte[1]);
    vmcs_write64(VMCS_GUEST_PDPTE2, pdpte[2]);
    vmcs_write64(VMCS_GUEST_PDPTE3, pdpte[3]);
    return true;
}

/* The guest's CR0, CR3, CR4 and EFER as it has them, for cr_rules.h: the
 * bits the host owns from their shadows (CR0.PG, CR4.OSXSAVE/PKE/DE/VMXE,
 * whose guest values only exits change), the rest from the guest-state
 * fields the CPU keeps current. */
static struct cr_state cr_state(struct vmx_vcpu *x)
{
    uint64_t efer = vmcs_read64(VMCS_GUEST_EFER);
    return (struct cr_state){
        .cr0 = vmx_guest_cr0(x),
        .cr3 = vmcs_readn(VMCS_GUEST_CR3),
        .cr4 = vmx_guest_cr4(x),
        .efer = efer,
        .cs_l = (efer & EFER_LMA) && (vmcs_read32(VMCS_GUEST_CS_AR) & AR_L),
    };
}

static void inject_gp(struct vcpu *v)
{
    vcpu_inject_exception(v, 13, true, 0);
}

static void guest_write_cr0(struct vmx_vcpu *x, uint64_t val)
{
    /* Every architectural check of the MOV (kernel/cr_rules.c): the CPU
     * made none, since the write exited. */
    struct cr_state s = cr_state(x);
    if (!cr0_write(&s, &val))
        return inject_gp(&x->v);
    uint64_t efer = s.efer;
    bool was_pg = s.cr0 & CR0_PG, pg = val & CR0_PG;
    bool pae = s.cr4 & CR4_PAE;
    if (pg && !was_pg && pae && !(efer & EFER_LME) && !load_pdptes(s.cr3))
        return inject_gp(&x->v);
    if (pg && !was_pg && (efer & EFER_LME)) {
        efer |= EFER_LMA;       /* entering IA-32e mode (10.8.5) */
        /* The CPU never looks at TR's cached type when it activates IA-32e
         * mode, but VM entry requires a busy 64-bit TSS there (27.3.1.2).
         * A guest coming from real mode (an AP after SIPI, which goes
         * straight to long mode in Linux's trampoline) still holds the
         * real-mode 16-bit busy type until its LTR: present type 11. */
        uint32_t tr_ar = vmcs_read32(VMCS_GUEST_TR_AR);
        if ((tr_ar & AR_TYPE_MASK) != AR_TYPE_TSS_BUSY_32)
            vmcs_write32(VMCS_GUEST_TR_AR, (tr_ar & ~AR_TYPE_MASK) | AR_TYPE_TSS_BUSY_32);
    } else if (!pg && was_pg && (efer & EFER_LMA)) {
        efer &= ~EFER_LMA;
    }
    vmx_set_efer(x, efer);
    /* Clearing CR0.PG invalidates every TLB entry, global ones too. */
    if (was_pg && !pg)
        vmx_flush_tlb(&x->v, true);
    vmx_set_cr0(x, val);
}

static void guest_write_cr4(struct vmx_vcpu *x, uint64_t val)
{
    /* CR4.VMXE is reserved on a CPU without VMX: setting it is #GP. So is
     * any bit this CPU cannot set (fixed-1 MSR), and every combination
     * the CPU refuses (kernel/cr_rules.c). */
    struct cr_state s = cr_state(x);
    if (!cr4_write(&s, val, vmx_caps.cr4_fixed1 & ~CR4_VMXE))
        return inject_gp(&x->v);
    /* The write's own TLB invalidation: a change of PAE, PGE, PSE or SMEP,
     * or PCIDE cleared, drops every entry, global ones too. Compared with
     * the CR4 the guest runs with: bits it does not own change without
     * exits, so the read shadow has only the host-owned ones right. */
    uint64_t changed = vmcs_readn(VMCS_GUEST_CR4) ^ val;
    if ((changed & (CR4_PAE | CR4_PGE | CR4_PSE | CR4_SMEP)) ||
        ((changed & CR4_PCIDE) && !(val & CR4_PCIDE)))
        vmx_flush_tlb(&x->v, true);
    vmx_set_cr4(x, val);
}

/* MOV to CR3 when CR3-load exiting is on (`trap cr3`). */
static void guest_write_cr3(struct vmx_vcpu *x, uint64_t val)
{
    uint64_t efer = vmcs_read64(VMCS_GUEST_EFER);
    if ((x->cr0_shadow & CR0_PG) && (vmcs_readn(VMCS_GUEST_CR4) & CR4_PAE) && !(efer & EFER_LMA) &&
        !load_pdptes(val))
        return inject_gp(&x->v);
    /* With CR4.PCIDE, bit 63 says "keep this PCID's entries" and is not
     * written (SDM Vol. 3A, 4.10.4.1): the guest-state field would fail
     * the entry with it (27.3.1.1). */
    bool keep = (vmcs_readn(VMCS_GUEST_CR4) & CR4_PCIDE) && (val >> 63);
    vmcs_writen(VMCS_GUEST_CR3, val & ~(1ull << 63));
    if (!keep)
        vmx_flush_tlb(&x->v, false);    /* single context, globals retained */
}

/* Control-register access (qualification: 28.2.1, table 28-3). Only bits
 * the host owns exit: the VMX fixed bits, CR0.PG, CR4.VMXE, CR4.DE and
 * the CR4 bits CPUID mirrors (CR4_CPUID_BITS); CR3 with `trap cr3`. */
int vmx_cr_access(struct vcpu *v)
{
    struct vmx_vcpu *x = to_vmx(v);
    uint64_t q = vmx_guest_qual(x);
    unsigned cr = q & 15, type = (q >> 4) & 3, gpr = (q >> 8) & 15;
    switch (type) {
    case 0: {       /* MOV to CR */
        uint64_t val = vcpu_get_gpr(v, gpr);
        if (!(vmcs_read64(VMCS_GUEST_EFER) & EFER_LMA))
            val &= 0xFFFFFFFF;
        if (cr == 0)
            guest_write_cr0(x, val);
        else if (cr == 4)
            guest_write_cr4(x, val);
        else if (cr == 3)
            guest_write_cr3(x, val);
        else
            return vcpu_stop_guest(v, "unexpected MOV to CR exit"), -1;
        break;
    }
    case 1:         /* MOV from CR: only CR3, when `trap cr3` asks */
        if (cr != 3)
            return vcpu_stop_guest(v, "unexpected MOV from CR exit"), -1;
        vcpu_set_gpr(v, gpr, vmcs_readn(VMCS_GUEST_CR3));
        break;
    case 3: {       /* LMSW: bits 3:0 of CR0, cannot clear PE; the rest as the guest has it */
        uint64_t src = (q >> 16) & 0xF, cr0 = vmx_guest_cr0(x);
        guest_write_cr0(x, (cr0 & ~0xEull) | (src & 0xF) | (cr0 & CR0_PE));
        break;
    }
    default:
        return vcpu_stop_guest(v, "unexpected control-register exit (CLTS)"), -1;
    }
    if (!vmx_injecting(v))      /* a fault leaves RIP on the instruction */
        vmx_skip(v);
    return 0;
}

/* ---- MSRs ---- */

/* MSRs whose guest value lives in the VMCS guest-state area (25.4.2): an
 * emulated access must use the field, not the CPU's MSR, which holds the
 * host's value while the hypervisor runs. The field's encoding, or 0 for
 * other MSRs (vmcs_read_any and vmcs_write_any serve every width). */
static uint32_t vmcs_msr_field(uint32_t msr)
{
    switch (msr) {
    case 0x174: return VMCS_GUEST_SYSENTER_CS;
    case 0x175: return VMCS_GUEST_SYSENTER_ESP;
    case 0x176: return VMCS_GUEST_SYSENTER_EIP;
    case 0x1D9: return VMCS_GUEST_DEBUGCTL;
    case MSR_IA32_PAT: return VMCS_GUEST_PAT;
    case MSR_EFER: return VMCS_GUEST_EFER;
    case 0xC0000100: return VMCS_GUEST_FS_BASE;
    case 0xC0000101: return VMCS_GUEST_GS_BASE;
    default: return 0;
    }
}

static bool is_vmx_cap_msr(uint32_t msr)
{
    return msr >= MSR_IA32_VMX_BASIC && msr <= MSR_IA32_VMX_VMFUNC;
}

enum msr_result vmx_msr_read(struct vcpu *v, uint32_t msr, uint64_t *val)
{
    (void)v;
    if (is_vmx_cap_msr(msr))
        return MSR_GP;      /* no VMX: these MSRs do not exist */
    if (msr == MSR_IA32_FEATURE_CONTROL) {
        /* Locked, VMX off inside and outside SMX: a CPU whose firmware
         * left VMX disabled (SDM Vol. 3C, 24.7). */
        *val = (rdmsr(msr) & ~(FEATURE_CONTROL_VMX_INSIDE_SMX | FEATURE_CONTROL_VMX_OUTSIDE_SMX)) |
               FEATURE_CONTROL_LOCK;
        return MSR_DONE;
    }
    uint32_t field = vmcs_msr_field(msr);
    if (!field)
        return MSR_CORE;
    *val = vmcs_read_any(field);
    return MSR_DONE;
}

enum msr_result vmx_msr_write(struct vcpu *v, uint32_t msr, uint64_t val)
{
    /* IA32_FEATURE_CONTROL is locked, the VMX MSRs read-only: #GP. */
    if (is_vmx_cap_msr(msr) || msr == MSR_IA32_FEATURE_CONTROL)
        return MSR_GP;
    if (msr == MSR_EFER) {
        /* Never on the host's EFER (clearing LME would fault): checked as
         * the CPU would (reserved bits, LME with paging on, LMA
         * read-only) and kept in the VMCS. */
        struct cr_state s = cr_state(to_vmx(v));
        if (!efer_write(&s, &val, efer_allowed()))
            return MSR_GP;
        vmx_set_efer(to_vmx(v), val);
        return MSR_DONE;
    }
    uint32_t field = vmcs_msr_field(msr);
    if (!field)
        return MSR_CORE;
    /* Values the CPU would refuse are refused: tried on the CPU first
     * (with interrupts off nothing runs in between), then the guest's
     * value goes where the VMCS keeps it. */
    uint64_t host = rdmsr(msr);
    if (wrmsr_safe(msr, val))
        return MSR_GP;
    wrmsr(msr, host);
    vmcs_write_any(field, val);
    return MSR_DONE;
}
