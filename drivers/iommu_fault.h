/*
 * iommu_fault.h - the DMA faults the IOMMUs record, decoded and counted
 * (pure: the host unit tests and a fuzzer drive it). drivers/iommu.c reads
 * the hardware's records (VT-d fault recording registers, AMD-Vi event
 * log entries) and hands them here; the `iommu` command prints the log.
 */
#ifndef IOMMU_FAULT_H
#define IOMMU_FAULT_H

#include <stdbool.h>
#include <stdint.h>

#include "acpi_tables.h"

struct iommu_fault {
    enum acpi_iommu_type type;
    uint8_t unit;               /* index in acpi_info.iommu.units */
    uint16_t sid;               /* requester: bus << 8 | device << 3 | function */
    uint64_t addr;              /* the DMA address, page aligned */
    bool write;
    uint16_t reason;            /* VT-d: fault reason; AMD-Vi: event code << 8 | flags */
};

/* vtd_decode_frcd - a VT-d fault recording register (VT-d spec 3.x,
 * 11.4.14): lo = bits 63:0 (FI: the page), hi = bits 127:64 (SID 15:0, FR
 * 39:32, T 62: 1 = read, F 63). False when F is clear (no fault there). */
bool vtd_decode_frcd(uint64_t lo, uint64_t hi, unsigned unit, struct iommu_fault *f);

/* amdvi_decode_event - an AMD-Vi event log entry (AMD IOMMU spec 3.x,
 * 2.5: 16 bytes, DeviceID 15:0, EventCode 63:60, flags 59:48, address
 * 127:64). False for an entry of no event (code 0). */
bool amdvi_decode_event(uint64_t q0, uint64_t q1, unsigned unit, struct iommu_fault *f);

/* iommu_fault_reason - a short name for f's reason ("write_denied"...). */
const char *iommu_fault_reason(const struct iommu_fault *f);

/* The log: one line per (unit, device, page, access, reason) with its
 * count, like the EPT's refusals; what does not fit is still counted. */
#define IOMMU_FAULT_LOG_LEN 16
struct iommu_fault_log {
    struct {
        struct iommu_fault f;
        uint64_t count;
    } e[IOMMU_FAULT_LOG_LEN];
    unsigned n;
    uint64_t total;             /* every fault read from the hardware */
    uint64_t unlisted;          /* of those, ones no line had room for */
    uint64_t lost;              /* overflows: faults the hardware dropped (at least one each) */
};

void iommu_fault_log_add(struct iommu_fault_log *log, const struct iommu_fault *f);

#endif
