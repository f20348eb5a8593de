// covers: kernel/irqchip.c kernel/kstring.c
/*
 * fuzz_irqchip.c - the I/O APIC shadow and the 8259A tracker
 * (kernel/irqchip.c) fed arbitrary guest writes. Each operation is six
 * input bytes: a selector (bit 0: I/O APIC or PIC; bits 7:1: offset or
 * port index) and a 32-bit value (the PIC takes its low byte), then one
 * byte naming the ISA line to route.
 *
 * Checks: a changed RTE is reported with its pin and holds exactly the
 * written half; IOREGSEL keeps 8 bits; a PIC chip is initialised only in
 * the ready state and its base has bits 2:0 clear; a route is LAPIC only
 * for an unmasked fixed or lowest-priority RTE, with the RTE's vector,
 * PIC only for an initialised chip with the line unmasked, and always
 * has a vector or a reason.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "../../kernel/irqchip.h"

static const uint16_t ports[4] = { 0x20, 0x21, 0xA0, 0xA1 };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct ioapic_shadow s;
    struct pic_track p;
    ioapic_shadow_reset(&s);
    pic_track_reset(&p);
    for (size_t i = 0; i + 6 <= size; i += 6) {
        uint32_t val;
        memcpy(&val, data + i + 1, 4);
        unsigned line = data[i + 5];
        if (data[i] & 1) {
            unsigned off = (data[i] >> 1) * 4;
            uint32_t sel = s.regsel;
            int pin = ioapic_shadow_write(&s, off, val);
            if (pin >= 0) {
                if (off != IOAPIC_WIN || (unsigned)pin != (sel - 0x10) / 2 ||
                    (uint32_t)(s.rte[pin] >> ((sel & 1) * 32)) != val)
                    __builtin_trap();
            }
            if (s.regsel > 0xFF)
                __builtin_trap();
        } else {
            pic_track_write(&p, ports[(data[i] >> 1) & 3], (uint8_t)val);
        }
        for (unsigned c = 0; c < 2; c++)
            if ((p.chip[c].initialized && p.chip[c].state != PIC_READY) || (p.chip[c].base & 7))
                __builtin_trap();
        unsigned pin = line % (IOAPIC_PINS + 8);
        struct irq_route r = irq_route_decide((line & 0x80) ? &s : 0, pin, &p, line & 15);
        if (r.kind == IRQ_ROUTE_LAPIC &&
            (!(line & 0x80) || (s.rte[pin] & RTE_MASKED) || RTE_DELIVERY(s.rte[pin]) > 1 ||
             r.vector != RTE_VECTOR(s.rte[pin]) || (r.icr_low & 0xFF) != r.vector))
            __builtin_trap();
        if (r.kind == IRQ_ROUTE_PIC) {
            const struct pic_chip *c = &p.chip[(line & 15) >= 8];
            if (!c->initialized || (c->imr & (1u << (line & 7))) || r.vector != c->base + (line & 7))
                __builtin_trap();
        }
        if (r.kind == IRQ_ROUTE_NONE && !r.why)
            __builtin_trap();
    }
    return 0;
}
