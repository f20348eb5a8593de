/*
 * vapic.h - the guest's local APIC: passed through (DESIGN.md), except the
 * writes that send IPIs, so that INIT and SIPI can be emulated exactly
 * (kernel/ipi.h). In xAPIC mode the APIC page is read-only in the
 * second-level map (an MMIO device, kernel/iobus.h) and each store is
 * decoded and done for the guest (an ICR write as an IPI); while the
 * core's APIC is disabled or in x2APIC mode the page is no APIC and a
 * store goes to the bus. In x2APIC mode only the ICR MSR is intercepted.
 * The guest may not move its APIC.
 *
 * The common x2APIC ICR write, a fixed or lowest-priority IPI between the
 * guest's cores, is what ipi_decide sends on as written (IPI_PASS): each
 * backend's first exit layer (vmx/entry.asm, svm/entry.asm) does it there
 * and counts it here (IPI_FAST_REFUSE, kernel/ipi.h, says which), without
 * reaching C. Anything else goes the C way.
 */
#ifndef VAPIC_H
#define VAPIC_H

#include <stdbool.h>
#include <stdint.h>

#include "vcpu.h"

/* apic_virt_init - note the APIC page (the boot core's IA32_APIC_BASE),
 * register it on the MMIO bus and write-protect it in the guest's map.
 * Returns 0 or -1. */
int apic_virt_init(void);

/* apic_virt_vcpu - intercept the ICR and APIC-base MSRs for v. */
void apic_virt_vcpu(struct vcpu *v);

/* apic_page - the guest-physical address of the APIC page. */
uint64_t apic_page(void);

/* apic_msr_watched - msr is one of those (it stays intercepted). */
bool apic_msr_watched(uint32_t msr);

/* apic_msr_write - WRMSR of the x2APIC ICR or IA32_APIC_BASE; false when
 * msr is neither (then *a is untouched). */
bool apic_msr_write(struct vcpu *v, uint32_t msr, uint64_t val, enum exit_action *a);

/* apic_stats_sum - every vCPU's struct apic_stats (vcpu.h) added up, for
 * `cpus`. */
void apic_stats_sum(struct apic_stats *sum);

#endif
