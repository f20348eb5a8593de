/*
 * irqchip.c - the guest's interrupt controllers as it programmed them;
 * see irqchip.h.
 */
#include "irqchip.h"

#include "kstring.h"

void ioapic_shadow_reset(struct ioapic_shadow *s)
{
    s->regsel = 0;
    for (unsigned i = 0; i < IOAPIC_PINS; i++)
        s->rte[i] = RTE_MASKED;
}

int ioapic_shadow_write(struct ioapic_shadow *s, unsigned off, uint32_t val)
{
    if (off == IOAPIC_REGSEL) {
        s->regsel = val & 0xFF;     /* bits 31:8 reserved */
        return -1;
    }
    if (off != IOAPIC_WIN || s->regsel < IOAPIC_REG_RTE0)
        return -1;
    unsigned pin = (s->regsel - IOAPIC_REG_RTE0) / 2;
    if (pin >= IOAPIC_PINS)
        return -1;
    uint64_t r = s->rte[pin];
    if (s->regsel & 1)
        r = (r & 0xFFFFFFFFull) | ((uint64_t)val << 32);
    else
        r = (r & ~0xFFFFFFFFull) | val;
    s->rte[pin] = r;
    return (int)pin;
}

void pic_track_reset(struct pic_track *p)
{
    memset(p, 0, sizeof(*p));
    p->chip[0].imr = p->chip[1].imr = 0xFF;
}

/* ICW1 is a write to A0=0 with D4 set; ICW2-4 and OCW1 go to A0=1. */
#define ICW1_IC4    0x01        /* ICW4 needed */
#define ICW1_SNGL   0x02        /* single: no ICW3 */
#define ICW1_INIT   0x10

bool pic_track_write(struct pic_track *p, uint16_t port, uint8_t val)
{
    struct pic_chip *c;
    if (port == 0x20 || port == 0x21)
        c = &p->chip[0];
    else if (port == 0xA0 || port == 0xA1)
        c = &p->chip[1];
    else
        return false;
    if (!(port & 1)) {
        if (!(val & ICW1_INIT))
            return false;       /* OCW2 (EOI, rotation), OCW3 (read register, poll) */
        /* ICW1 starts a new sequence and clears the mask. */
        c->state = PIC_ICW2;
        c->icw4_needed = val & ICW1_IC4;
        c->single = val & ICW1_SNGL;
        c->initialized = false;
        c->imr = 0;
        return true;
    }
    switch (c->state) {
    case PIC_ICW2:
        c->base = val & 0xF8;   /* in 8086 mode T7-T3; the low bits are the IR number */
        c->state = !c->single ? PIC_ICW3 : c->icw4_needed ? PIC_ICW4 : PIC_READY;
        break;
    case PIC_ICW3:
        c->state = c->icw4_needed ? PIC_ICW4 : PIC_READY;
        break;
    case PIC_ICW4:
        c->state = PIC_READY;
        break;
    case PIC_READY:
        c->imr = val;           /* OCW1 */
        return true;
    }
    if (c->state == PIC_READY) {
        c->initialized = true;
        return true;
    }
    return false;
}

struct irq_route irq_route_decide(const struct ioapic_shadow *io, unsigned pin,
                                  const struct pic_track *pic, unsigned isa_irq)
{
    struct irq_route r = { .kind = IRQ_ROUTE_NONE, .why = "masked in the I/O APIC and the PIC" };
    if (io && pin < IOAPIC_PINS && !(io->rte[pin] & RTE_MASKED)) {
        uint64_t e = io->rte[pin];
        unsigned dm = RTE_DELIVERY(e);
        if (dm == 0 || dm == 1) {
            r.kind = IRQ_ROUTE_LAPIC;
            r.vector = RTE_VECTOR(e);
            /* Same field layout as the RTE's bits 11:0 (12.6.1): vector,
             * delivery mode, destination mode; asserted edge. */
            r.icr_low = ICR_VECTOR(r.vector) | (dm << 8) |
                        ((e & RTE_DEST_LOGICAL) ? ICR_DEST_LOGICAL : 0) | ICR_LEVEL_ASSERT;
            r.dest = RTE_DEST(e);
            r.why = 0;
            return r;
        }
        r.why = "I/O APIC delivery mode is not fixed or lowest priority";
        return r;
    }
    if (!pic || isa_irq > 15)
        return r;
    const struct pic_chip *m = &pic->chip[0], *s = &pic->chip[1];
    if (isa_irq < 8 && m->initialized && !(m->imr & (1u << isa_irq))) {
        r.kind = IRQ_ROUTE_PIC;
        r.vector = (uint8_t)(m->base + isa_irq);
    } else if (isa_irq >= 8 && m->initialized && s->initialized && !(m->imr & 4) &&
               !(s->imr & (1u << (isa_irq - 8)))) {
        r.kind = IRQ_ROUTE_PIC;
        r.vector = (uint8_t)(s->base + isa_irq - 8);
    }
    if (r.kind == IRQ_ROUTE_PIC)
        r.why = 0;
    return r;
}
