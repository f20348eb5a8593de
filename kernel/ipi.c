/*
 * ipi.c - decisions on the guest's IPIs; see ipi.h.
 */
#include "ipi.h"

#define ICR_SMI (2u << 8)      /* delivery mode 010b */

/* The vCPUs with APIC id dest; every vCPU when all is set. */
static uint64_t matching(uint32_t dest, bool all, const uint32_t *ids, unsigned n)
{
    uint64_t t = 0;
    for (unsigned i = 0; i < n; i++)
        if (ids[i] != IPI_NO_VCPU && (all || ids[i] == dest))
            t |= 1ull << i;
    return t;
}

struct ipi_decision ipi_decide(uint32_t icr_low, uint32_t dest, bool x2apic, uint32_t self,
                               const uint32_t *ids, unsigned n)
{
    struct ipi_decision d = { IPI_PASS, 0, 0, 0 };
    uint32_t mode = icr_low & (7u << 8);
    if (n > 64)
        n = 64;
    if (mode == ICR_SMI) {
        d.action = IPI_DROP;
        d.why = "SMI IPIs are the firmware's";
        return d;
    }
    if (mode != ICR_INIT && mode != ICR_STARTUP)
        return d;
    if (mode == ICR_INIT && !(icr_low & ICR_LEVEL_ASSERT) && (icr_low & ICR_TRIGGER_LEVEL)) {
        /* INIT level de-assert: only the 82489DX used it (12.6.1). */
        d.action = IPI_IGNORE;
        d.why = "INIT level de-assert";
        return d;
    }
    d.action = mode == ICR_INIT ? IPI_INIT : IPI_SIPI;
    d.vector = (uint8_t)icr_low;
    uint64_t self_bit = matching(self, false, ids, n), all = matching(0, true, ids, n);
    switch (ICR_SHORTHAND(icr_low)) {
    case 1:
        d.targets = self_bit;
        break;
    case 2:
        d.targets = all;
        break;
    case 3:
        d.targets = all & ~self_bit;
        break;
    default:
        if (icr_low & ICR_DEST_LOGICAL) {
            d.action = IPI_DROP;
            d.why = "INIT and SIPI in logical destination mode are not emulated";
            d.targets = 0;
            return d;
        }
        /* Physical destination; all ones is the broadcast (12.6.1, 12.12.9). */
        d.targets = matching(dest, dest == (x2apic ? 0xFFFFFFFFu : 0xFFu), ids, n);
    }
    return d;
}
