/*
 * ipi.h - what to do with an inter-processor interrupt the guest sends
 * (pure; host unit tested). kernel/vapic.c intercepts the guest's writes to
 * its local APIC's interrupt command register and asks ipi_decide.
 *
 * INIT and SIPI are emulated for the guest's vCPUs, as KVM does: a SIPI
 * that reaches a core while it is between VM exits is lost by hardware,
 * and INIT-SIPI-SIPI sent back to back must never lose one. SMIs are
 * dropped (SMM is the firmware's, not the guest's). Every other IPI goes
 * to the hardware as the guest wrote it.
 */
#ifndef IPI_H
#define IPI_H

#include <stdbool.h>
#include <stdint.h>

#include "../drivers/lapic.h"

#define IPI_NO_VCPU 0xFFFFFFFFu    /* ids[] entry of a core the guest does not have */

enum ipi_action {
    IPI_PASS,       /* send it on the hardware */
    IPI_INIT,       /* emulate INIT to targets */
    IPI_SIPI,       /* emulate SIPI(vector) to targets */
    IPI_IGNORE,     /* no effect (INIT level de-assert) */
    IPI_DROP,       /* refused; why says why */
};

struct ipi_decision {
    enum ipi_action action;
    uint8_t vector;
    uint64_t targets;       /* bit i: the vCPU of ids[i] */
    const char *why;        /* IPI_DROP, IPI_IGNORE */
};

/* The x2APIC ICR low bits that keep a write from the backends' first exit
 * layer (kernel/vapic.h): delivery modes other than fixed (000b) and
 * lowest priority (001b), i.e. bits 10:9 (SDM Vol. 3A, 12.6.1), and the
 * reserved bits (#GP, vapic.c's). With none of them set ipi_decide says
 * IPI_PASS whatever the rest (tests/unit/test_ipi.c proves it). */
#define IPI_FAST_REFUSE (ICR_X2APIC_RESERVED | (3u << 9))

/*
 * ipi_decide - the decision for an ICR write: icr_low is ICR bits 31:0
 * (SDM Vol. 3A, 12.6.1), dest the destination field (xAPIC: ICR bits
 * 63:56; x2APIC: 63:32), self the sender's APIC id, ids[0..n) the APIC
 * ids of the vCPUs by index (IPI_NO_VCPU: none), n <= 64.
 */
struct ipi_decision ipi_decide(uint32_t icr_low, uint32_t dest, bool x2apic, uint32_t self,
                               const uint32_t *ids, unsigned n);

#endif
