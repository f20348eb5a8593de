/*
 * cpuid_policy.c - the guest's CPUID view; see cpuid_policy.h.
 */
#include "cpuid_policy.h"

#include "../kernel/kstring.h"

struct cpuid_result cpuid_hv_leaf(uint32_t leaf)
{
    struct cpuid_result hv = { 0, 0, 0, 0 };
    if (leaf == CPUID_HV_BASE) {
        hv.eax = CPUID_HV_MAX;
        memcpy(&hv.ebx, MONOVISOR_SIGNATURE, 4);
        memcpy(&hv.ecx, MONOVISOR_SIGNATURE + 4, 4);
        memcpy(&hv.edx, MONOVISOR_SIGNATURE + 8, 4);
    } else if (leaf == CPUID_HV_FEATURES) {
        hv.eax = MONOVISOR_ABI_VERSION;
    }
    return hv;
}
