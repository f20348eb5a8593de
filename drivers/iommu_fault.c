/*
 * iommu_fault.c - DMA fault records decoded and counted; see iommu_fault.h.
 */
#include "iommu_fault.h"

#include "../kernel/kstring.h"

bool vtd_decode_frcd(uint64_t lo, uint64_t hi, unsigned unit, struct iommu_fault *f)
{
    if (!(hi >> 63))
        return false;
    *f = (struct iommu_fault){
        .type = ACPI_IOMMU_VTD,
        .unit = (uint8_t)unit,
        .sid = (uint16_t)hi,
        .addr = lo & ~0xFFFull,
        .write = !((hi >> 62) & 1),
        .reason = (uint8_t)(hi >> 32),
    };
    return true;
}

/* The IO_PAGE_FAULT flags (AMD IOMMU spec 3.x, Table 50): PR 20, RW 21,
 * PE 22 of the event's second doubleword, here bits 52-54 of q0. */
#define AMDVI_EVENT_IO_PAGE_FAULT 2
#define AMDVI_FLAG_PR (1u << 4)
#define AMDVI_FLAG_RW (1u << 5)
#define AMDVI_FLAG_PE (1u << 6)

bool amdvi_decode_event(uint64_t q0, uint64_t q1, unsigned unit, struct iommu_fault *f)
{
    unsigned code = (unsigned)(q0 >> 60), flags = (unsigned)(q0 >> 48) & 0xFFF;
    if (!code)
        return false;
    *f = (struct iommu_fault){
        .type = ACPI_IOMMU_AMDVI,
        .unit = (uint8_t)unit,
        .sid = (uint16_t)q0,
        .addr = q1 & ~0xFFFull,
        .write = code == AMDVI_EVENT_IO_PAGE_FAULT && (flags & AMDVI_FLAG_RW),
        .reason = (uint16_t)(code << 8 | (flags & (AMDVI_FLAG_PR | AMDVI_FLAG_PE))),
    };
    return true;
}

const char *iommu_fault_reason(const struct iommu_fault *f)
{
    if (f->type == ACPI_IOMMU_VTD) {
        /* VT-d spec 3.x, 7.1.3 Table 26, the legacy-mode reasons. */
        static const char *const vtd[] = {
            [1] = "root_not_present", [2] = "context_not_present", [3] = "context_invalid",
            [4] = "beyond_address_width", [5] = "write_denied", [6] = "read_denied",
            [7] = "table_invalid", [8] = "root_table_invalid", [9] = "context_table_invalid",
            [10] = "root_reserved_bits", [11] = "context_reserved_bits",
            [12] = "table_reserved_bits", [13] = "translation_blocked",
        };
        if (f->reason < sizeof(vtd) / sizeof(vtd[0]) && vtd[f->reason])
            return vtd[f->reason];
        return "other";
    }
    switch (f->reason >> 8) {   /* AMD IOMMU spec 3.x, 2.5.2 */
    case 1: return "illegal_device_entry";
    case AMDVI_EVENT_IO_PAGE_FAULT:
        if (!(f->reason & AMDVI_FLAG_PR))
            return "not_present";
        return (f->reason & AMDVI_FLAG_PE) ? "permission" : "page_fault";
    case 3: return "device_table_error";
    case 4: return "page_table_error";
    case 5: return "illegal_command";
    case 6: return "command_error";
    case 7: return "iotlb_timeout";
    case 8: return "invalid_device_request";
    default: return "other";
    }
}

void iommu_fault_log_add(struct iommu_fault_log *log, const struct iommu_fault *f)
{
    log->total++;
    for (unsigned i = 0; i < log->n; i++) {
        const struct iommu_fault *g = &log->e[i].f;
        if (g->type == f->type && g->unit == f->unit && g->sid == f->sid && g->addr == f->addr &&
            g->write == f->write && g->reason == f->reason) {
            log->e[i].count++;
            return;
        }
    }
    if (log->n == IOMMU_FAULT_LOG_LEN) {
        log->unlisted++;
        return;
    }
    log->e[log->n].f = *f;
    log->e[log->n].count = 1;
    log->n++;
}
