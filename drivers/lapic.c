/*
 * lapic.c - local APIC (SDM Vol. 3A, chapter 12 "Advanced Programmable
 * Interrupt Controller"). The LAPIC belongs to the guest (DESIGN.md); the
 * hypervisor only reads its id here, and sends IPIs from the SMP code.
 */
#include "lapic.h"

#include "../kernel/mem.h"
#include "../kernel/x86.h"

#define APIC_BASE_BSP      (1ull << 8)
#define APIC_BASE_X2APIC   (1ull << 10)
#define APIC_BASE_ENABLE   (1ull << 11)
#define APIC_BASE_ADDR     0x000FFFFFFFFFF000ull
#define XAPIC_ID_REG       0x20        /* bits 31:24 (12.4.6) */
#define MSR_X2APIC_APICID  0x802
#define CPUID_1_ECX_X2APIC (1u << 21)

struct lapic_state lapic_read_state(void)
{
    uint64_t b = rdmsr(MSR_IA32_APIC_BASE);
    return (struct lapic_state){
        .base = b & APIC_BASE_ADDR,
        .enabled = b & APIC_BASE_ENABLE,
        .x2apic_supported = cpuid(1, 0).ecx & CPUID_1_ECX_X2APIC,
        .x2apic_mode = b & APIC_BASE_X2APIC,
        .bsp = b & APIC_BASE_BSP,
    };
}

uint32_t lapic_id(void)
{
    struct lapic_state s = lapic_read_state();
    if (s.x2apic_mode)
        return (uint32_t)rdmsr(MSR_X2APIC_APICID);
    if (s.enabled)
        return *(volatile uint32_t *)phys_ptr(s.base + XAPIC_ID_REG) >> 24;
    return cpuid(1, 0).ebx >> 24;   /* initial APIC id */
}
