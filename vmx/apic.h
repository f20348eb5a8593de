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
 * violation): decode the store, do it for the guest (an ICR write as an
 * IPI, vmx/ipi.c), skip the instruction. While this core's APIC is not
 * globally enabled in xAPIC mode the page is no APIC register and the
 * store goes to the bus (mmio_store_physical). */
enum exit_action apic_mmio_write(struct vcpu *v, uint64_t gpa);

/*
 * mmio_decode - the guest's store that hit a write-protected device page
 * at gpa (EPT violation), decoded (vmx/insn_decode.c, the instruction
 * read through the guest's page tables) into *st. An instruction the
 * decoder does not know stops the guest with an error line naming
 * device: then false, and *a is the handler's answer.
 */
struct mmio_store;
bool mmio_decode(struct vcpu *v, uint64_t gpa, const char *device, struct mmio_store *st,
                 enum exit_action *a);

/* mmio_plain32 - st is one aligned 32-bit store, the access device
 * registers take (SDM Vol. 3A, 12.4.1; the I/O APIC's datasheet): its
 * value in *val. */
bool mmio_plain32(struct vcpu *v, uint64_t gpa, const struct mmio_store *st, uint32_t *val);

/*
 * mmio_store_physical - do st for the guest on the physical address gpa
 * (guest-physical is host-physical), as wide as the guest's own store: what
 * the bus does with an access a device model does not take (another
 * width, a string store, or a page that is not the device's just now).
 * XCHG gets the old value; STOS writes the elements inside gpa's page and
 * updates rDI and rCX, moving RIP on only when its count is done (a REP
 * STOS over several pages continues with the next exit). Counted in
 * apic_stats.physical.
 */
void mmio_store_physical(struct vcpu *v, uint64_t gpa, const struct mmio_store *st);

/* mmio_store_done - after the store was done for the guest: an XCHG's
 * register gets old, RIP moves past the instruction. */
void mmio_store_done(struct vcpu *v, const struct mmio_store *st, uint32_t old);

/* apic_msr_write - WRMSR of the x2APIC ICR or IA32_APIC_BASE; false when
 * msr is neither (then *a is untouched). */
bool apic_msr_write(struct vcpu *v, uint32_t msr, uint64_t val, enum exit_action *a);

/* Counters for `cpus`/`apic`: writes emulated, IPIs by kind. */
struct apic_stats {
    uint64_t mmio_writes, icr_writes, passed, inits, sipis, ignored, dropped;
    uint64_t physical;      /* stores done on the bus (mmio_store_physical) */
};
extern struct apic_stats apic_stats;

#endif
