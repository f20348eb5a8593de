/*
 * iommu.h - DMA remapping: the IOMMUs the firmware lists (Intel VT-d from
 * the ACPI DMAR, AMD-Vi from the IVRS) translate every device's DMA
 * through one identity map of the guest's RAM that leaves the hypervisor
 * out; faults are polled, counted and shown by the `iommu` command.
 */
#ifndef IOMMU_H
#define IOMMU_H

#include <stdbool.h>

struct guest_ept_config;
struct memmap;

/* iommu_prepare - with iommu=on and an IOMMU table: every unit's register
 * pages into cfg's held ranges, which the guest's second-level map
 * refuses, and the DMAR or IVRS out of the root tables the guest reads: a
 * guest finds no IOMMU and cannot program one. Before guest_ept_build. */
void iommu_prepare(struct guest_ept_config *cfg);

/* iommu_start - build the DMA map from the guest's memory map and enable
 * translation on every unit, or say why not (the boot line `iommu.units=N
 * type=... mode=identity-minus-hv`, or `warning: iommu: ...`). Before the
 * guest's first instruction. */
void iommu_start(const struct memmap *guest, const struct memmap *firmware);

/* iommu_poll - read the units' new fault records (the console core, at
 * most every millisecond); nothing when there is no IOMMU. */
void iommu_poll(void);

/* iommu_print_summary - the `info` line. */
void iommu_print_summary(void);

#endif
