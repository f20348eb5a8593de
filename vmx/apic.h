/*
 * apic.h - the guest's local APIC: passed through (DESIGN.md), except the
 * writes that send IPIs, so that INIT and SIPI can be emulated exactly
 * (vmx/ipi.h). In xAPIC mode the APIC page is mapped read-only in the EPT
 * and each write is decoded and done for the guest; in x2APIC mode only
 * the ICR MSR is intercepted. The guest may not move its APIC.
 */
#ifndef APIC_H
#define APIC_H

#include <stdbool.h>
#include <stdint.h>

#include "vcpu.h"

/* apic_virt_init - note the APIC page (the boot core's IA32_APIC_BASE)
 * and write-protect it in the guest's EPT. Returns 0 or -1. */
int apic_virt_init(void);

/* apic_virt_vcpu - intercept the ICR and APIC-base MSRs for v. */
void apic_virt_vcpu(struct vcpu *v);

/* apic_page - the guest-physical address of the APIC page. */
uint64_t apic_page(void);

/* apic_mmio_write - the guest wrote to the xAPIC page at gpa (EPT
 * violation): decode the store, do it for the guest, skip the instruction. */
enum exit_action apic_mmio_write(struct vcpu *v, uint64_t gpa);

/*
 * mmio_store32_decode - the guest's store that hit a write-protected
 * device page at gpa (EPT violation): decode it (vmx/insn_decode.c,
 * through the guest's page tables) into *st and the 32-bit value it
 * stores into *val. A store that is not an aligned 32-bit one stops the
 * guest with an error line naming device: then false, and *a is the
 * handler's answer.
 */
struct mmio_store;
bool mmio_store32_decode(struct vcpu *v, uint64_t gpa, const char *device, uint32_t *val,
                         struct mmio_store *st, enum exit_action *a);

/* mmio_store_done - after the store was done for the guest: an XCHG's
 * register gets old, RIP moves past the instruction. */
void mmio_store_done(struct vcpu *v, const struct mmio_store *st, uint32_t old);

/* apic_msr_write - WRMSR of the x2APIC ICR or IA32_APIC_BASE; false when
 * msr is neither (then *a is untouched). */
bool apic_msr_write(struct vcpu *v, uint32_t msr, uint64_t val, enum exit_action *a);

/* Counters for `cpus`/`apic`: writes emulated, IPIs by kind. */
struct apic_stats {
    uint64_t mmio_writes, icr_writes, passed, inits, sipis, ignored, dropped;
};
extern struct apic_stats apic_stats;

#endif
