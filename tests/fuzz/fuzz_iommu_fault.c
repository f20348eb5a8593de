// covers: drivers/iommu_fault.c
/*
 * fuzz_iommu_fault.c - DMA fault records (drivers/iommu_fault.c): the
 * input is a run of 16-byte records, each decoded as a VT-d fault
 * recording register and as an AMD-Vi event log entry, and counted.
 *
 * Checks: a decoded fault has a reason name; the log never holds more
 * lines than it has, and its counts add up to the faults given.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "../../drivers/iommu_fault.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct iommu_fault_log log;
    memset(&log, 0, sizeof(log));
    uint64_t given = 0;
    for (size_t off = 0; off + 16 <= size; off += 16) {
        uint64_t q[2];
        struct iommu_fault f;
        memcpy(q, data + off, 16);
        for (int vendor = 0; vendor < 2; vendor++) {
            bool ok = vendor ? amdvi_decode_event(q[0], q[1], (unsigned)off & 7, &f)
                             : vtd_decode_frcd(q[0], q[1], (unsigned)off & 7, &f);
            if (!ok)
                continue;
            const char *name = iommu_fault_reason(&f);
            if (!name || !name[0] || (f.addr & 0xFFF))
                __builtin_trap();
            iommu_fault_log_add(&log, &f);
            given++;
        }
    }
    uint64_t counted = log.unlisted;
    for (unsigned i = 0; i < log.n; i++)
        counted += log.e[i].count;
    if (log.n > IOMMU_FAULT_LOG_LEN || log.total != given || counted != given)
        __builtin_trap();
    return 0;
}
