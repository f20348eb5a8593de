/*
 * hv.h - what the boot core learned at boot, read by the console and,
 * later, the backend and the second-level map. Written once by kmain, then read-only.
 */
#ifndef HV_H
#define HV_H

#include "mb2.h"
#include "options.h"
#include "virt.h"

#ifndef MONOVISOR_VERSION
#define MONOVISOR_VERSION "unknown"
#endif

struct hv_boot {
    struct mb2_info mb;
    struct hv_options opt;
    int option_problems;
    struct virt_caps caps;      /* the backend's (virt.probe) */
    uint32_t bsp_apic_id;
    /* Where the firmware's RSDP lies (the EFI system table says, on UEFI),
     * for a guest that is told (a bzImage's acpi_rsdp_addr); 0: unknown,
     * the guest looks in the BIOS area as on a legacy machine. */
    uint64_t acpi_rsdp_pa;
};

extern struct hv_boot hv;

#endif
