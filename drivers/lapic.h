/*
 * lapic.h - local APIC basics: mode, base, this core's APIC id, and the
 * inter-processor interrupts the hypervisor sends (AP start-up, kicks).
 */
#ifndef LAPIC_H
#define LAPIC_H

#include <stdbool.h>
#include <stdint.h>

struct lapic_state {
    uint64_t base;          /* MMIO base from IA32_APIC_BASE */
    bool enabled;           /* IA32_APIC_BASE[11] */
    bool x2apic_supported;  /* CPUID.1:ECX[21] */
    bool x2apic_mode;       /* IA32_APIC_BASE[10] */
    bool bsp;               /* IA32_APIC_BASE[8] */
};

/* IA32_APIC_BASE (SDM Vol. 3A, 12.4.4, 12.12.1) and the xAPIC registers
 * that send IPIs (12.6.1). */
#define APIC_BASE_BSP      (1ull << 8)
#define APIC_BASE_X2APIC   (1ull << 10)     /* EXTD */
#define APIC_BASE_ENABLE   (1ull << 11)
#define APIC_BASE_ADDR     0x000FFFFFFFFFF000ull
#define XAPIC_ICR_LOW      0x300
#define XAPIC_ICR_HIGH     0x310            /* destination in bits 31:24 */
#define MSR_X2APIC_ICR     0x830            /* 64-bit ICR, destination in 63:32 (12.12.9) */

/* Interrupt command register, low half (SDM Vol. 3A, 12.6.1, figure 12-12). */
#define ICR_VECTOR(v)         ((uint32_t)(v) & 0xFF)
#define ICR_NMI               (4u << 8)     /* delivery mode 100b */
#define ICR_INIT              (5u << 8)     /* delivery mode 101b */
#define ICR_STARTUP           (6u << 8)     /* delivery mode 110b: vector = page number */
#define ICR_DELIVERY_MODE(x)  (((x) >> 8) & 7)
#define ICR_DEST_LOGICAL      (1u << 11)
#define ICR_SEND_PENDING      (1u << 12)    /* delivery status (xAPIC only) */
#define ICR_LEVEL_ASSERT      (1u << 14)
#define ICR_TRIGGER_LEVEL     (1u << 15)
#define ICR_SHORTHAND(x)      (((x) >> 18) & 3)   /* 0 none, 1 self, 2 all, 3 all but self */
#define ICR_X2APIC_RESERVED   0xFFF32000u   /* bits 13, 16-17, 20-31 of the x2APIC ICR (12.12.9) */
#define ICR_ALL_BUT_SELF      (3u << 18)

/* lapic_read_state - this core's local APIC configuration. */
struct lapic_state lapic_read_state(void);

/* lapic_id - this core's APIC id (x2APIC id in x2APIC mode). */
uint32_t lapic_id(void);

/*
 * lapic_send_ipi - send the IPI icr_low (delivery mode, vector, level) to
 * the core with physical APIC id dest, in whichever mode the LAPIC is in.
 * The LAPIC belongs to the guest: in xAPIC mode the ICR high half (the
 * destination the guest may have written and not yet used) is restored.
 */
void lapic_send_ipi(uint32_t dest, uint32_t icr_low);

/*
 * lapic_init_reset - what an INIT does to this core's local APIC (SDM Vol.
 * 3A, 12.4.7.3): every register back to its power-up value but the APIC
 * ID and IA32_APIC_BASE, in whichever mode the APIC is in; nothing when it
 * is globally disabled. For INITs the hypervisor emulates: a real one
 * never reaches the core in VMX operation.
 */
void lapic_init_reset(void);

/*
 * lapic_pending_vector - the interrupt this core's local APIC would deliver
 * once the core is interruptible: its highest requested vector when that
 * is of a higher priority class than the processor priority (SDM Vol. 3A,
 * 11.8.3.1, the IRR against the PPR); 0 when there is none or the APIC is
 * disabled.
 */
unsigned lapic_pending_vector(void);

#endif
