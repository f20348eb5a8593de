/*
 * probe.c - VMX capability probe (SDM Vol. 3C, 24.6 "Discovering Support for
 * VMX"; Vol. 3D appendix A).
 */
#include "probe.h"

#include "vmx_defs.h"
#include "../kernel/kstring.h"
#include "../kernel/printk.h"
#include "../kernel/x86.h"

void vmx_probe(struct vmx_msrs *m, struct vmx_caps *caps)
{
    memset(m, 0, sizeof(*m));
    m->cpuid1_ecx = cpuid(1, 0).ecx;
    if (m->cpuid1_ecx & CPUID_1_ECX_VMX) {
        m->feature_control = rdmsr(MSR_IA32_FEATURE_CONTROL);
        m->basic = rdmsr(MSR_IA32_VMX_BASIC);
        m->pinbased = rdmsr(MSR_IA32_VMX_PINBASED_CTLS);
        m->procbased = rdmsr(MSR_IA32_VMX_PROCBASED_CTLS);
        m->exit = rdmsr(MSR_IA32_VMX_EXIT_CTLS);
        m->entry = rdmsr(MSR_IA32_VMX_ENTRY_CTLS);
        m->misc = rdmsr(MSR_IA32_VMX_MISC);
        m->cr0_fixed0 = rdmsr(MSR_IA32_VMX_CR0_FIXED0);
        m->cr0_fixed1 = rdmsr(MSR_IA32_VMX_CR0_FIXED1);
        m->cr4_fixed0 = rdmsr(MSR_IA32_VMX_CR4_FIXED0);
        m->cr4_fixed1 = rdmsr(MSR_IA32_VMX_CR4_FIXED1);
        if (m->basic & VMX_BASIC_TRUE_CTLS) {
            m->true_pinbased = rdmsr(MSR_IA32_VMX_TRUE_PINBASED_CTLS);
            m->true_procbased = rdmsr(MSR_IA32_VMX_TRUE_PROCBASED_CTLS);
            m->true_exit = rdmsr(MSR_IA32_VMX_TRUE_EXIT_CTLS);
            m->true_entry = rdmsr(MSR_IA32_VMX_TRUE_ENTRY_CTLS);
        }
        /* The next MSRs exist only with secondary controls (A.3.3), and
         * EPT/VPID and VM functions only when those may be enabled. */
        if ((m->procbased >> 32) & PROC_SECONDARY_CONTROLS) {
            m->procbased2 = rdmsr(MSR_IA32_VMX_PROCBASED_CTLS2);
            if ((m->procbased2 >> 32) & (PROC2_ENABLE_EPT | PROC2_ENABLE_VPID))
                m->ept_vpid_cap = rdmsr(MSR_IA32_VMX_EPT_VPID_CAP);
            if ((m->procbased2 >> 32) & PROC2_ENABLE_VMFUNC)
                m->vmfunc = rdmsr(MSR_IA32_VMX_VMFUNC);
        }
    }
    vmx_caps_decode(m, caps);
}

struct print_limit {
    unsigned left;
};

static void print_line(void *ctx, const char *line)
{
    struct print_limit *l = ctx;
    if (l->left) {
        l->left--;
        kprintf("%s\n", line);
    }
}

void vmx_print_caps(const struct vmx_caps *caps, bool all)
{
    struct print_limit l = { all ? ~0u : 3 };
    vmx_caps_format(caps, print_line, &l);
    if (!all && caps->status != VMX_ABSENT)
        kprintf("vmx.more=info\n");
}

struct vmx_msrs vmx_raw;
struct vmx_caps vmx_caps;

int vmx_probe_virt(bool verbose, struct virt_caps *caps)
{
    vmx_probe(&vmx_raw, &vmx_caps);
    bool ok = vmx_caps.status == VMX_READY || vmx_caps.status == VMX_READY_UNLOCKED;
    if (verbose || !ok)
        vmx_print_caps(&vmx_caps, false);
    if (!ok) {
        kprintf("error: vmx: %s\n", vmx_status_message(&vmx_caps));
        return -1;
    }
    if (verbose)
        kprintf("vmx: %s\n", vmx_status_message(&vmx_caps));
    caps->slat_ad = vmx_has(&vmx_caps, "ept_ad") == 1;
    caps->slat_1g = vmx_has(&vmx_caps, "ept_1g") == 1;
    return 0;
}
