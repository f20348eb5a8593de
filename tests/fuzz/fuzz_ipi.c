// covers: kernel/ipi.c
/*
 * fuzz_ipi.c - the decision on a guest ICR write (kernel/ipi.c) for arbitrary
 * ICR values, destinations, senders and vCPU tables. Input: u32 icr_low,
 * u32 dest, u32 self, u8 flags (bit 0: x2APIC), then u32 APIC ids.
 *
 * Checks: targets only name vCPUs that exist; only INIT and SIPI have
 * targets; every SMI is dropped and every other mode but INIT/SIPI
 * passes; a SIPI's vector is the ICR's; all-but-self never targets the
 * sender; a drop or an ignore always says why.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "../../kernel/ipi.h"

static uint32_t u32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 13)
        return 0;
    uint32_t lo = u32(data), dest = u32(data + 4), self = u32(data + 8);
    bool x2 = data[12] & 1;
    uint32_t ids[80];
    unsigned n = 0;
    for (size_t off = 13; off + 4 <= size && n < 80; off += 4)
        ids[n++] = u32(data + off);
    struct ipi_decision d = ipi_decide(lo, dest, x2, self, ids, n);
    unsigned mode = (lo >> 8) & 7;
    for (unsigned i = 0; i < 64; i++)
        if ((d.targets >> i & 1) && (i >= n || ids[i] == IPI_NO_VCPU))
            __builtin_trap();
    if (d.targets && d.action != IPI_INIT && d.action != IPI_SIPI)
        __builtin_trap();
    if (mode == 2 && d.action != IPI_DROP)
        __builtin_trap();
    if (mode != 2 && mode != 5 && mode != 6 && d.action != IPI_PASS)
        __builtin_trap();
    if (d.action == IPI_SIPI && d.vector != (lo & 0xFF))
        __builtin_trap();
    if ((d.action == IPI_DROP || d.action == IPI_IGNORE) && !d.why)
        __builtin_trap();
    if (((lo >> 18) & 3) == 3)
        for (unsigned i = 0; i < n && i < 64; i++)
            if (ids[i] == self && (d.targets >> i & 1))
                __builtin_trap();
    return 0;
}
