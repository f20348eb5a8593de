// covers: kernel/irqchip.c kernel/kstring.c
/*
 * test_irqchip.c - host unit tests of kernel/irqchip.c: the I/O APIC shadow
 * (IOREGSEL, the two 32-bit halves of each RTE), the 8259A tracker (ICW1
 * to ICW4 with and without ICW3/ICW4, OCW1, OCW2/3 ignored, both chips)
 * and the route of an ISA line (I/O APIC first, then the PIC, else none).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "../../kernel/irqchip.h"

/* The guest selects register reg, then writes val through IOWIN. */
static int io_write(struct ioapic_shadow *s, unsigned reg, uint32_t val)
{
    assert_int_equal(ioapic_shadow_write(s, IOAPIC_REGSEL, reg), -1);
    return ioapic_shadow_write(s, IOAPIC_WIN, val);
}

static void test_ioapic_reset_masks_all(void **state)
{
    (void)state;
    static struct ioapic_shadow s;
    ioapic_shadow_reset(&s);
    for (unsigned i = 0; i < IOAPIC_PINS; i++)
        assert_true(s.rte[i] & RTE_MASKED);
    struct irq_route r = irq_route_decide(&s, 4, 0, 4);
    assert_int_equal(r.kind, IRQ_ROUTE_NONE);
    assert_non_null(r.why);
}

static void test_ioapic_rte_halves(void **state)
{
    (void)state;
    static struct ioapic_shadow s;
    ioapic_shadow_reset(&s);
    /* Linux programs the high half (destination) first, then the low. */
    assert_int_equal(io_write(&s, 0x10 + 2 * 4 + 1, 0x03000000), 4);
    assert_true(s.rte[4] & RTE_MASKED);
    assert_int_equal(io_write(&s, 0x10 + 2 * 4, 0x00000931), 4);  /* lowest priority, logical, vector 0x31 */
    assert_int_equal(s.rte[4], 0x0300000000000931ull);
    struct irq_route r = irq_route_decide(&s, 4, 0, 4);
    assert_int_equal(r.kind, IRQ_ROUTE_LAPIC);
    assert_int_equal(r.vector, 0x31);
    assert_int_equal(r.dest, 3);
    assert_int_equal(r.icr_low, 0x31 | (1u << 8) | ICR_DEST_LOGICAL | ICR_LEVEL_ASSERT);
    /* Level trigger and polarity stay out of the IPI (an edge). */
    assert_int_equal(io_write(&s, 0x10 + 2 * 4, 0x0000A041), 4);
    r = irq_route_decide(&s, 4, 0, 4);
    assert_int_equal(r.icr_low, 0x41 | ICR_LEVEL_ASSERT);
    assert_int_equal(r.kind, IRQ_ROUTE_LAPIC);
    /* Masking it again. */
    assert_int_equal(io_write(&s, 0x10 + 2 * 4, 0x00010041), 4);
    assert_int_equal(irq_route_decide(&s, 4, 0, 4).kind, IRQ_ROUTE_NONE);
}

static void test_ioapic_other_registers(void **state)
{
    (void)state;
    static struct ioapic_shadow s, before;
    ioapic_shadow_reset(&s);
    assert_int_equal(io_write(&s, 0x00, 0x0F000000), -1);   /* ID */
    assert_int_equal(io_write(&s, 0x01, 0xFFFFFFFF), -1);   /* version: read-only */
    assert_int_equal(io_write(&s, 0x0F, 1), -1);
    /* IOREGSEL keeps bits 7:0 only: 0x110 selects register 0x10. */
    assert_int_equal(io_write(&s, 0x110, 0x22), 0);
    assert_int_equal(s.regsel, 0x10);
    /* Beyond the table, and writes at other offsets (the EOI register). */
    before = s;
    assert_int_equal(ioapic_shadow_write(&s, 0x40, 0x31), -1);
    assert_int_equal(ioapic_shadow_write(&s, 0x20, 0x31), -1);
    assert_memory_equal(&s, &before, sizeof(s));
    assert_int_equal(io_write(&s, 0xFF, 5), 119);
}

static void test_ioapic_nmi_delivery_is_not_routed(void **state)
{
    (void)state;
    static struct ioapic_shadow s;
    ioapic_shadow_reset(&s);
    io_write(&s, 0x10 + 8, 0x400);      /* NMI delivery mode, unmasked */
    struct irq_route r = irq_route_decide(&s, 4, 0, 4);
    assert_int_equal(r.kind, IRQ_ROUTE_NONE);
    assert_non_null(r.why);
}

/* The BIOS/Linux sequence: ICW1=0x11 (edge, cascade, ICW4), ICW2 base,
 * ICW3 cascade, ICW4=0x01 (8086), then OCW1 masks. */
static void init_pics(struct pic_track *p, uint8_t mbase, uint8_t sbase)
{
    assert_true(pic_track_write(p, 0x20, 0x11));
    assert_false(pic_track_write(p, 0x21, mbase));
    assert_false(pic_track_write(p, 0x21, 0x04));
    assert_true(pic_track_write(p, 0x21, 0x01));
    assert_true(pic_track_write(p, 0xA0, 0x11));
    assert_false(pic_track_write(p, 0xA1, sbase));
    assert_false(pic_track_write(p, 0xA1, 0x02));
    assert_true(pic_track_write(p, 0xA1, 0x01));
}

static void test_pic_init_sequence_and_mask(void **state)
{
    (void)state;
    struct pic_track p;
    pic_track_reset(&p);
    assert_int_equal(irq_route_decide(0, 0, &p, 4).kind, IRQ_ROUTE_NONE);
    init_pics(&p, 0x20, 0x28);
    assert_true(p.chip[0].initialized);
    assert_int_equal(p.chip[0].base, 0x20);
    assert_int_equal(p.chip[1].base, 0x28);
    /* ICW1 cleared the masks: IRQ 4 is open. */
    struct irq_route r = irq_route_decide(0, 0, &p, 4);
    assert_int_equal(r.kind, IRQ_ROUTE_PIC);
    assert_int_equal(r.vector, 0x24);
    assert_true(pic_track_write(&p, 0x21, 0xFF & ~0x01));   /* only the timer */
    assert_int_equal(irq_route_decide(0, 0, &p, 4).kind, IRQ_ROUTE_NONE);
    assert_true(pic_track_write(&p, 0x21, 0xEF));
    assert_int_equal(irq_route_decide(0, 0, &p, 4).kind, IRQ_ROUTE_PIC);
    /* EOI (OCW2) and OCW3 change nothing. */
    assert_false(pic_track_write(&p, 0x20, 0x20));
    assert_false(pic_track_write(&p, 0x20, 0x0B));
    assert_int_equal(p.chip[0].imr, 0xEF);
    /* Not a PIC port. */
    assert_false(pic_track_write(&p, 0x22, 0x11));
}

static void test_pic_slave_lines_need_the_cascade(void **state)
{
    (void)state;
    struct pic_track p;
    pic_track_reset(&p);
    init_pics(&p, 0x08, 0x70);          /* the BIOS's real-mode bases */
    assert_int_equal(irq_route_decide(0, 0, &p, 12).vector, 0x74);
    pic_track_write(&p, 0x21, 0x04);    /* cascade masked */
    assert_int_equal(irq_route_decide(0, 0, &p, 12).kind, IRQ_ROUTE_NONE);
    pic_track_write(&p, 0x21, 0x00);
    pic_track_write(&p, 0xA1, 0x10);
    assert_int_equal(irq_route_decide(0, 0, &p, 12).kind, IRQ_ROUTE_NONE);
    assert_int_equal(irq_route_decide(0, 0, &p, 16).kind, IRQ_ROUTE_NONE);
}

static void test_pic_single_without_icw4(void **state)
{
    (void)state;
    struct pic_track p;
    pic_track_reset(&p);
    assert_true(pic_track_write(&p, 0x20, 0x12));   /* single, no ICW4 */
    assert_true(pic_track_write(&p, 0x21, 0x47));   /* base 0x40 (low bits dropped) */
    assert_true(p.chip[0].initialized);
    assert_int_equal(irq_route_decide(0, 0, &p, 4).vector, 0x44);
    /* A new ICW1 starts over: not initialised until the sequence ends. */
    assert_true(pic_track_write(&p, 0x20, 0x11));
    assert_false(p.chip[0].initialized);
    assert_int_equal(irq_route_decide(0, 0, &p, 4).kind, IRQ_ROUTE_NONE);
}

static void test_ioapic_wins_over_pic(void **state)
{
    (void)state;
    static struct ioapic_shadow s;
    struct pic_track p;
    ioapic_shadow_reset(&s);
    pic_track_reset(&p);
    init_pics(&p, 0x20, 0x28);
    io_write(&s, 0x10 + 2 * 3, 0x61);   /* GSI 3 (an override moved IRQ 4) */
    assert_int_equal(irq_route_decide(&s, 3, &p, 4).kind, IRQ_ROUTE_LAPIC);
    assert_int_equal(irq_route_decide(&s, 4, &p, 4).kind, IRQ_ROUTE_PIC);
    assert_int_equal(irq_route_decide(&s, IOAPIC_PINS, &p, 4).kind, IRQ_ROUTE_PIC);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ioapic_reset_masks_all),
        cmocka_unit_test(test_ioapic_rte_halves),
        cmocka_unit_test(test_ioapic_other_registers),
        cmocka_unit_test(test_ioapic_nmi_delivery_is_not_routed),
        cmocka_unit_test(test_pic_init_sequence_and_mask),
        cmocka_unit_test(test_pic_slave_lines_need_the_cascade),
        cmocka_unit_test(test_pic_single_without_icw4),
        cmocka_unit_test(test_ioapic_wins_over_pic),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
