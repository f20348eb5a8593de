/*
 * cpuid_policy.h - what CPUID shows the guest (pure; host unit tested).
 *
 * The guest sees the native CPU minus VMX, with the hypervisor-present bit
 * set and monovisor's vendor leaves at 40000000H (the range that CPUID
 * reserves for hypervisors: SDM Vol. 2A, CPUID "Input EAX = 40000000H").
 */
#ifndef CPUID_POLICY_H
#define CPUID_POLICY_H

#include <stdint.h>

#define CPUID_HV_BASE         0x40000000u
#define CPUID_HV_FEATURES     0x40000001u
#define CPUID_HV_MAX          CPUID_HV_FEATURES
#define CPUID_1_ECX_VMX_BIT   (1u << 5)
#define CPUID_1_ECX_HV_BIT    (1u << 31)
#define MONOVISOR_SIGNATURE   "monovisor\0\0\0"   /* 12 bytes: EBX, ECX, EDX */
#define MONOVISOR_ABI_VERSION 0x00010000u          /* major << 16 | minor */

struct cpuid_result {
    uint32_t eax, ebx, ecx, edx;
};

/* cpuid_is_hv_leaf - leaf lies in 40000000H-4FFFFFFFH. */
static inline int cpuid_is_hv_leaf(uint32_t leaf)
{
    return (leaf & 0xF0000000u) == 0x40000000u;
}

/* cpuid_hv_leaf - monovisor's answer for a hypervisor leaf (zeros for the
 * ones it does not define). */
struct cpuid_result cpuid_hv_leaf(uint32_t leaf);

/*
 * cpuid_guest_view - the guest's answer to CPUID leaf/subleaf, given the
 * native answer (ignored for hypervisor leaves: callers need not execute
 * CPUID for those). Inline: it sits on the CPUID exit's hot path.
 */
static inline struct cpuid_result cpuid_guest_view(uint32_t leaf, uint32_t subleaf,
                                                   struct cpuid_result r)
{
    (void)subleaf;
    if (cpuid_is_hv_leaf(leaf))
        return cpuid_hv_leaf(leaf);
    if (leaf == 1) {
        r.ecx &= ~CPUID_1_ECX_VMX_BIT;      /* no nested VMX */
        r.ecx |= CPUID_1_ECX_HV_BIT;        /* "a hypervisor is present" */
    }
    return r;
}

#endif
