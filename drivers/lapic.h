/*
 * lapic.h - local APIC basics: mode, base, this core's APIC id.
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

/* lapic_read_state - this core's local APIC configuration. */
struct lapic_state lapic_read_state(void);

/* lapic_id - this core's APIC id (x2APIC id in x2APIC mode). */
uint32_t lapic_id(void);

#endif
