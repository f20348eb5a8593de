/*
 * lapic.c - local APIC (SDM Vol. 3A, chapter 12 "Advanced Programmable
 * Interrupt Controller"). The LAPIC belongs to the guest (DESIGN.md); the
 * hypervisor reads its id, and sends the IPIs that start cores and kick
 * them out of the guest.
 */
#include "lapic.h"

#include "../kernel/mem.h"
#include "../kernel/x86.h"

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

/* Registers INIT resets (12.4.7.1, "the state after power-up"), in xAPIC
 * offsets; in x2APIC mode the MSR is 0x800 + offset / 16 (12.12.1.2). */
#define APIC_TPR        0x080
#define APIC_EOI        0x0B0
#define APIC_LDR        0x0D0
#define APIC_DFR        0x0E0           /* xAPIC only */
#define APIC_SVR        0x0F0
#define APIC_ISR        0x100           /* 8 registers, every 16 bytes */
#define APIC_ESR        0x280
#define APIC_LVT_CMCI   0x2F0
#define APIC_LVT_TIMER  0x320           /* ... to LVT error at 0x370 */
#define APIC_LVT_ERROR  0x370
#define APIC_TMICT      0x380
#define APIC_TDCR       0x3E0
#define LVT_MASKED      (1u << 16)

static void reg_write(const struct lapic_state *s, unsigned off, uint32_t v)
{
    if (s->x2apic_mode)
        wrmsr(0x800 + off / 16, v);
    else
        *xapic_reg(s, off) = v;
}

static uint32_t reg_read(const struct lapic_state *s, unsigned off)
{
    return s->x2apic_mode ? (uint32_t)rdmsr(0x800 + off / 16) : *xapic_reg(s, off);
}

static bool in_service(const struct lapic_state *s)
{
    for (unsigned i = 0; i < 8; i++)
        if (reg_read(s, APIC_ISR + 0x10 * i))
            return true;
    return false;
}

#define APIC_PPR 0x0A0
#define APIC_IRR 0x200

unsigned lapic_pending_vector(void)
{
    struct lapic_state s = lapic_read_state();
    if (!s.enabled)
        return 0;
    for (int i = 7; i >= 0; i--) {
        uint32_t irr = reg_read(&s, APIC_IRR + 0x10 * (unsigned)i);
        if (irr) {
            unsigned vector = (unsigned)i * 32 + 31 - (unsigned)__builtin_clz(irr);
            return (vector & 0xF0) > (reg_read(&s, APIC_PPR) & 0xF0) ? vector : 0;
        }
    }
    return 0;
}

void lapic_init_reset(void)
{
    struct lapic_state s = lapic_read_state();
    if (!s.enabled)
        return;
    /* In-service vectors first: each EOI retires the highest one. */
    for (unsigned n = 0; n < 256 && in_service(&s); n++)
        reg_write(&s, APIC_EOI, 0);
    reg_write(&s, APIC_TPR, 0);
    if (!s.x2apic_mode) {               /* the LDR is read-only in x2APIC mode */
        reg_write(&s, APIC_LDR, 0);
        reg_write(&s, APIC_DFR, 0xFFFFFFFF);
    }
    if ((reg_read(&s, 0x030) >> 16 & 0xFF) >= 6)   /* the version's max LVT: CMCI exists */
        reg_write(&s, APIC_LVT_CMCI, LVT_MASKED);
    for (unsigned off = APIC_LVT_TIMER; off <= APIC_LVT_ERROR; off += 0x10)
        reg_write(&s, off, LVT_MASKED);
    reg_write(&s, APIC_TMICT, 0);
    reg_write(&s, APIC_TDCR, 0);
    reg_write(&s, APIC_ESR, 0);         /* a write latches; two clear it (12.5.3) */
    reg_write(&s, APIC_ESR, 0);
    reg_write(&s, APIC_SVR, 0xFF);      /* software-disabled, spurious vector FFH */
}
