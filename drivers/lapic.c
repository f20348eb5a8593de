/*
 * lapic.c - local APIC (SDM Vol. 3A, chapter 12 "Advanced Programmable
 * Interrupt Controller"). The LAPIC belongs to the guest (DESIGN.md); the
 * hypervisor reads its id, and sends the IPIs that start cores and kick
 * them out of the guest.
 */
#include "lapic.h"

#include "../kernel/mem.h"
#include "../kernel/x86.h"

#define APIC_BASE_BSP      (1ull << 8)
#define APIC_BASE_X2APIC   (1ull << 10)
#define APIC_BASE_ENABLE   (1ull << 11)
#define APIC_BASE_ADDR     0x000FFFFFFFFFF000ull
#define XAPIC_ID_REG       0x20        /* bits 31:24 (12.4.6) */
#define XAPIC_ICR_LOW      0x300       /* 12.6.1 */
#define XAPIC_ICR_HIGH     0x310       /* destination in bits 31:24 */
#define MSR_X2APIC_APICID  0x802
#define MSR_X2APIC_ICR     0x830       /* 64-bit ICR, destination in 63:32 (12.12.9) */
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

static volatile uint32_t *xapic_reg(const struct lapic_state *s, unsigned off)
{
    return (volatile uint32_t *)phys_ptr(s->base + off);
}

void lapic_send_ipi(uint32_t dest, uint32_t icr_low)
{
    struct lapic_state s = lapic_read_state();
    if (s.x2apic_mode) {
        /* x2APIC: one WRMSR, no delivery-status bit to poll (12.12.9). */
        wrmsr(MSR_X2APIC_ICR, ((uint64_t)dest << 32) | icr_low);
        return;
    }
    volatile uint32_t *lo = xapic_reg(&s, XAPIC_ICR_LOW), *hi = xapic_reg(&s, XAPIC_ICR_HIGH);
    while (*lo & ICR_SEND_PENDING)
        cpu_relax();
    uint32_t guest_hi = *hi;
    *hi = dest << 24;
    *lo = icr_low;      /* the write of the low half sends (12.6.1) */
    while (*lo & ICR_SEND_PENDING)
        cpu_relax();
    *hi = guest_hi;
}
