// covers: kernel/vuart.c
/*
 * test_vuart.c - host unit tests of the virtual 16550 (kernel/vuart.c):
 * register reads and writes as the guest does them, transmit to the
 * callback, divisor latch, loopback and the modem status mirror.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "../../kernel/vuart.h"

/* Register offsets (PC16550D table 2). */
enum { RBR_THR = 0, IER = 1, IIR_FCR = 2, LCR = 3, MCR = 4, LSR = 5, MSR = 6, SCR = 7 };
#define DLL RBR_THR
#define DLM IER

#define LSR_DR   0x01
#define LSR_THRE 0x20
#define LSR_TEMT 0x40
#define MCR_DTR  0x01
#define MCR_RTS  0x02
#define MCR_OUT1 0x04
#define MCR_OUT2 0x08
#define MCR_LOOP 0x10
#define MSR_CTS  0x10
#define MSR_DSR  0x20
#define MSR_RI   0x40
#define MSR_DCD  0x80

/* ---- transmit recorder ---------------------------------------------------- */

struct sink {
    uint8_t bytes[64];
    size_t n;
};

static void tx(void *ctx, uint8_t byte)
{
    struct sink *s = ctx;
    assert_true(s->n < sizeof(s->bytes));
    s->bytes[s->n++] = byte;
}

/* tx callback for writes that must not transmit. */
static void tx_never(void *ctx, uint8_t byte)
{
    (void)ctx;
    (void)byte;
    fail_msg("unexpected transmit");
}

static void wr(struct vuart *u, unsigned reg, uint8_t val)
{
    vuart_write(u, reg, val, tx_never, NULL);
}

static struct vuart fresh(void)
{
    struct vuart u;
    memset(&u, 0xA5, sizeof(u));
    vuart_reset(&u);
    return u;
}

/* ---- reset ---------------------------------------------------------------- */

static void test_reset_state(void **state)
{
    (void)state;
    struct vuart u = fresh();
    assert_int_equal(u.ier, 0);
    assert_int_equal(u.lcr, 0x03);
    assert_int_equal(u.mcr, 0);
    assert_int_equal(u.scr, 0);
    assert_int_equal(u.dll, 1);
    assert_int_equal(u.dlm, 0);
    assert_int_equal(u.fcr, 0);
    assert_int_equal(u.rx_count, 0);
    assert_false(u.thre_pending);
    assert_false(vuart_irq(&u));
    assert_int_equal(u.tx_bytes, 0);
}

static void test_reset_register_reads(void **state)
{
    (void)state;
    struct vuart u = fresh();
    assert_int_equal(vuart_read(&u, RBR_THR), 0);
    assert_int_equal(vuart_read(&u, IER), 0);
    assert_int_equal(vuart_read(&u, IIR_FCR), 0x01);     /* FIFOs off after reset */
    assert_int_equal(vuart_read(&u, LCR), 0x03);
    assert_int_equal(vuart_read(&u, MCR), 0);
    assert_int_equal(vuart_read(&u, LSR), LSR_THRE | LSR_TEMT);
    assert_int_equal(vuart_read(&u, MSR), 0xB0);
    assert_int_equal(vuart_read(&u, SCR), 0);
}

/* ---- transmit ------------------------------------------------------------- */

static void test_thr_write_transmits(void **state)
{
    (void)state;
    struct vuart u = fresh();
    struct sink s = { .n = 0 };
    vuart_write(&u, RBR_THR, 'h', tx, &s);
    vuart_write(&u, RBR_THR, 'i', tx, &s);
    vuart_write(&u, RBR_THR, 0x00, tx, &s);
    vuart_write(&u, RBR_THR, 0xFF, tx, &s);
    assert_int_equal(s.n, 4);
    assert_memory_equal(s.bytes, "hi\0\xFF", 4);
    assert_int_equal(u.tx_bytes, 4);
    /* Transmitting does not fill the receive side. */
    assert_int_equal(u.rx_count, 0);
    assert_int_equal(vuart_read(&u, LSR), LSR_THRE | LSR_TEMT);
}

static void test_thr_ctx_passed_through(void **state)
{
    (void)state;
    struct vuart u = fresh();
    struct sink a = { .n = 0 }, b = { .n = 0 };
    vuart_write(&u, RBR_THR, 'a', tx, &a);
    vuart_write(&u, RBR_THR, 'b', tx, &b);
    assert_int_equal(a.n, 1);
    assert_int_equal(a.bytes[0], 'a');
    assert_int_equal(b.n, 1);
    assert_int_equal(b.bytes[0], 'b');
    assert_int_equal(u.tx_bytes, 2);
}

/* ---- divisor latch -------------------------------------------------------- */

static void test_dlab_accesses_divisor(void **state)
{
    (void)state;
    struct vuart u = fresh();
    wr(&u, IER, 0x05);
    wr(&u, LCR, 0x80 | 0x03);
    /* With DLAB, offsets 0 and 1 are DLL and DLM: no transmit. */
    assert_int_equal(vuart_read(&u, DLL), 1);
    assert_int_equal(vuart_read(&u, DLM), 0);
    wr(&u, DLL, 0x0C);          /* 9600 baud */
    wr(&u, DLM, 0xAB);
    assert_int_equal(vuart_read(&u, DLL), 0x0C);
    assert_int_equal(vuart_read(&u, DLM), 0xAB);
    assert_int_equal(u.dll, 0x0C);
    assert_int_equal(u.dlm, 0xAB);
    assert_int_equal(u.tx_bytes, 0);
    /* DLM is not masked like IER; IER itself is untouched. */
    assert_int_equal(u.ier, 0x05);
    wr(&u, LCR, 0x03);
    assert_int_equal(vuart_read(&u, IER), 0x05);
    assert_int_equal(vuart_read(&u, LCR), 0x03);
}

static void test_dlab_read_does_not_consume_rx(void **state)
{
    (void)state;
    struct vuart u = fresh();
    wr(&u, MCR, MCR_LOOP);
    wr(&u, RBR_THR, 'x');
    wr(&u, LCR, 0x83);
    assert_int_equal(vuart_read(&u, DLL), 1);
    assert_int_equal(u.rx_count, 1);
    wr(&u, LCR, 0x03);
    assert_int_equal(vuart_read(&u, RBR_THR), 'x');
    assert_int_equal(u.rx_count, 0);
}

static void test_dlab_write_in_loopback_sets_dll_not_rx(void **state)
{
    (void)state;
    struct vuart u = fresh();
    wr(&u, MCR, MCR_LOOP);
    wr(&u, LCR, 0x80);
    wr(&u, DLL, 0x30);
    assert_int_equal(u.dll, 0x30);
    assert_int_equal(u.rx_count, 0);
    assert_int_equal(vuart_read(&u, LSR) & LSR_DR, 0);
}

/* ---- IER, LCR, MCR, SCR --------------------------------------------------- */

static void test_ier_masked_to_four_bits(void **state)
{
    (void)state;
    struct vuart u = fresh();
    wr(&u, IER, 0xFF);
    assert_int_equal(vuart_read(&u, IER), 0x0F);
    wr(&u, IER, 0xF5);
    assert_int_equal(vuart_read(&u, IER), 0x05);
    wr(&u, IER, 0x00);
    assert_int_equal(vuart_read(&u, IER), 0x00);
}

static void test_lcr_round_trip(void **state)
{
    (void)state;
    struct vuart u = fresh();
    static const uint8_t vals[] = { 0x00, 0x1B, 0x7F, 0x80, 0xFF, 0x03 };
    for (size_t i = 0; i < sizeof(vals); i++) {
        wr(&u, LCR, vals[i]);
        assert_int_equal(vuart_read(&u, LCR), vals[i]);
    }
}

static void test_mcr_masked_to_five_bits(void **state)
{
    (void)state;
    struct vuart u = fresh();
    wr(&u, MCR, 0x0B);
    assert_int_equal(vuart_read(&u, MCR), 0x0B);
    wr(&u, MCR, 0xFF);
    assert_int_equal(vuart_read(&u, MCR), 0x1F);
    wr(&u, MCR, 0xE0);
    assert_int_equal(vuart_read(&u, MCR), 0x00);
}

static void test_scr_round_trip(void **state)
{
    (void)state;
    struct vuart u = fresh();
    for (unsigned v = 0; v < 256; v += 17) {
        wr(&u, SCR, (uint8_t)v);
        assert_int_equal(vuart_read(&u, SCR), v);
    }
    /* SCR is independent of DLAB. */
    wr(&u, LCR, 0x80);
    wr(&u, SCR, 0x5A);
    assert_int_equal(vuart_read(&u, SCR), 0x5A);
}

/* ---- read-only and ignored registers ------------------------------------- */

static void test_lsr_msr_writes_ignored(void **state)
{
    (void)state;
    struct vuart u = fresh();
    struct vuart before = u;
    wr(&u, LSR, 0x00);
    wr(&u, LSR, 0xFF);
    wr(&u, MSR, 0x00);
    wr(&u, MSR, 0xFF);
    assert_memory_equal(&before, &u, sizeof(u));
    assert_int_equal(vuart_read(&u, LSR), LSR_THRE | LSR_TEMT);
    assert_int_equal(vuart_read(&u, MSR), 0xB0);
}

static void test_rbr_empty_reads_zero(void **state)
{
    (void)state;
    struct vuart u = fresh();
    assert_int_equal(vuart_read(&u, RBR_THR), 0);
    assert_int_equal(vuart_read(&u, RBR_THR), 0);
    assert_int_equal(vuart_read(&u, LSR) & LSR_DR, 0);
}

/* ---- LSR ------------------------------------------------------------------ */

static void test_lsr_data_ready_only_with_rx_byte(void **state)
{
    (void)state;
    struct vuart u = fresh();
    assert_int_equal(vuart_read(&u, LSR), 0x60);
    assert_true(vuart_receive(&u, 0x42));
    assert_int_equal(vuart_read(&u, LSR), 0x61);
    /* Reading LSR does not consume the byte. */
    assert_int_equal(vuart_read(&u, LSR), 0x61);
    assert_int_equal(vuart_read(&u, RBR_THR), 0x42);
    assert_int_equal(vuart_read(&u, LSR), 0x60);
}

/* ---- loopback ------------------------------------------------------------- */

static void test_loopback_thr_lands_in_rbr(void **state)
{
    (void)state;
    struct vuart u = fresh();
    wr(&u, MCR, MCR_LOOP);
    wr(&u, RBR_THR, 0xAE);      /* tx_never: nothing reaches the console */
    assert_int_equal(u.tx_bytes, 0);
    assert_int_equal(vuart_read(&u, LSR), LSR_THRE | LSR_TEMT | LSR_DR);
    assert_int_equal(vuart_read(&u, RBR_THR), 0xAE);
    assert_int_equal(vuart_read(&u, LSR), LSR_THRE | LSR_TEMT);
    assert_int_equal(vuart_read(&u, RBR_THR), 0);
}

static void test_loopback_second_byte_overwrites(void **state)
{
    (void)state;
    struct vuart u = fresh();
    wr(&u, MCR, MCR_LOOP);
    wr(&u, RBR_THR, 1);
    wr(&u, RBR_THR, 2);
    assert_int_equal(vuart_read(&u, RBR_THR), 2);
    assert_int_equal(vuart_read(&u, LSR) & LSR_DR, 0);
}

static void test_loopback_off_transmits_again(void **state)
{
    (void)state;
    struct vuart u = fresh();
    struct sink s = { .n = 0 };
    vuart_write(&u, MCR, MCR_LOOP, tx, &s);
    vuart_write(&u, RBR_THR, 'L', tx, &s);
    vuart_write(&u, MCR, 0x03, tx, &s);
    vuart_write(&u, RBR_THR, 'T', tx, &s);
    assert_int_equal(s.n, 1);
    assert_int_equal(s.bytes[0], 'T');
    assert_int_equal(u.tx_bytes, 1);
    /* The looped-back byte is still waiting. */
    assert_int_equal(vuart_read(&u, RBR_THR), 'L');
}

/* ---- MSR ------------------------------------------------------------------ */

static void test_msr_without_loopback(void **state)
{
    (void)state;
    struct vuart u = fresh();
    /* CTS, DSR, DCD: a connected terminal, whatever the outputs say. */
    assert_int_equal(vuart_read(&u, MSR), MSR_CTS | MSR_DSR | MSR_DCD);
    wr(&u, MCR, 0x0F);
    assert_int_equal(vuart_read(&u, MSR), 0xB0);
    wr(&u, MCR, 0x00);
    assert_int_equal(vuart_read(&u, MSR), 0xB0);
}

static void test_msr_loopback_mirrors_outputs(void **state)
{
    (void)state;
    struct vuart u = fresh();
    wr(&u, MCR, MCR_LOOP);
    /* The inputs changed from the wire's CTS, DSR, DCD: three deltas. */
    assert_int_equal(vuart_read(&u, MSR), 0x0B);
    assert_int_equal(vuart_read(&u, MSR), 0);
    wr(&u, MCR, MCR_LOOP | MCR_DTR);
    assert_int_equal((vuart_read(&u, MSR) & 0xF0), MSR_DSR);
    wr(&u, MCR, MCR_LOOP | MCR_RTS);
    assert_int_equal((vuart_read(&u, MSR) & 0xF0), MSR_CTS);
    wr(&u, MCR, MCR_LOOP | MCR_OUT1);
    assert_int_equal((vuart_read(&u, MSR) & 0xF0), MSR_RI);
    wr(&u, MCR, MCR_LOOP | MCR_OUT2);
    assert_int_equal((vuart_read(&u, MSR) & 0xF0), MSR_DCD);
    wr(&u, MCR, MCR_LOOP | 0x0F);
    assert_int_equal((vuart_read(&u, MSR) & 0xF0), 0xF0);
    wr(&u, MCR, MCR_LOOP | MCR_RTS | MCR_OUT2);
    assert_int_equal((vuart_read(&u, MSR) & 0xF0), MSR_CTS | MSR_DCD);
}

static void test_msr_loopback_every_combination(void **state)
{
    (void)state;
    struct vuart u = fresh();
    for (unsigned out = 0; out < 16; out++) {
        wr(&u, MCR, (uint8_t)(MCR_LOOP | out));
        /* Deltas after a change: DSR, CTS, DCD on any change, RI (TERI) only falling. */
        uint8_t want = (uint8_t)(((out & MCR_DTR) ? MSR_DSR : 0) | ((out & MCR_RTS) ? MSR_CTS : 0) |
                                 ((out & MCR_OUT1) ? MSR_RI : 0) | ((out & MCR_OUT2) ? MSR_DCD : 0));
        assert_int_equal(vuart_read(&u, MSR) & 0xF0, want);
        /* The read cleared the delta bits 3:0. */
        assert_int_equal(vuart_read(&u, MSR) & 0x0F, 0);
    }
}

/* ---- register index ------------------------------------------------------- */

static void test_register_index_masked(void **state)
{
    (void)state;
    struct vuart u = fresh();
    struct sink s = { .n = 0 };
    vuart_write(&u, 8 + SCR, 0x77, tx, &s);
    assert_int_equal(vuart_read(&u, SCR), 0x77);
    assert_int_equal(vuart_read(&u, 0x100 + SCR), 0x77);
    vuart_write(&u, 0x18 + IER, 0xFF, tx, &s);
    assert_int_equal(vuart_read(&u, IER), 0x0F);
    assert_int_equal(vuart_read(&u, 8 + IIR_FCR), 0x02);     /* ETBEI was just set: THRE */
    assert_int_equal(vuart_read(&u, 16 + LSR), LSR_THRE | LSR_TEMT);
    assert_int_equal(vuart_read(&u, 8 + MSR), 0xB0);
    assert_int_equal(vuart_read(&u, 8 + LCR), 0x03);
    vuart_write(&u, 8 + RBR_THR, 'z', tx, &s);
    assert_int_equal(s.n, 1);
    assert_int_equal(s.bytes[0], 'z');
    vuart_write(&u, 8 + MCR, 0xFF, tx, &s);
    assert_int_equal(vuart_read(&u, 8 + MCR), 0x1F);
}

/* ---- FIFO control and receive --------------------------------------------- */

#define IIR_NO_INT 0x01
#define IIR_FIFOS  0xC0
#define IER_RDI    0x01
#define IER_THRI   0x02
#define IER_RLSI   0x04
#define IER_MSI    0x08
#define LSR_OE     0x02

static void test_fcr_enables_fifos_and_iir_bits(void **state)
{
    (void)state;
    struct vuart u = fresh();
    assert_int_equal(vuart_read(&u, IIR_FCR), IIR_NO_INT);
    wr(&u, IIR_FCR, 0x01);
    assert_int_equal(vuart_read(&u, IIR_FCR), IIR_FIFOS | IIR_NO_INT);
    /* Trigger level and DMA bits are kept, the clear bits self-clear. */
    wr(&u, IIR_FCR, 0xCF);
    assert_int_equal(u.fcr, 0xC9);
    wr(&u, IIR_FCR, 0x00);
    assert_int_equal(vuart_read(&u, IIR_FCR), IIR_NO_INT);
    /* Without bit 0 nothing else is programmed. */
    wr(&u, IIR_FCR, 0xC0);
    assert_int_equal(u.fcr, 0);
}

static void test_rx_fifo_holds_sixteen_then_refuses(void **state)
{
    (void)state;
    struct vuart u = fresh();
    wr(&u, IIR_FCR, 0x07);
    for (unsigned i = 0; i < 16; i++)
        assert_true(vuart_receive(&u, (uint8_t)('a' + i)));
    assert_int_equal(vuart_rx_room(&u), 0);
    assert_false(vuart_receive(&u, '!'));       /* the caller keeps it */
    assert_int_equal(vuart_read(&u, LSR), LSR_THRE | LSR_TEMT | LSR_DR);   /* no overrun */
    for (unsigned i = 0; i < 16; i++)
        assert_int_equal(vuart_read(&u, RBR_THR), 'a' + i);
    assert_int_equal(vuart_read(&u, LSR), LSR_THRE | LSR_TEMT);
    assert_int_equal(u.rx_bytes, 16);
    assert_int_equal(vuart_rx_room(&u), 16);
}

static void test_rx_without_fifo_holds_one(void **state)
{
    (void)state;
    struct vuart u = fresh();
    assert_int_equal(vuart_rx_room(&u), 1);
    assert_true(vuart_receive(&u, 'x'));
    assert_false(vuart_receive(&u, 'y'));
    assert_int_equal(vuart_read(&u, RBR_THR), 'x');
    assert_true(vuart_receive(&u, 'y'));
    assert_int_equal(vuart_read(&u, RBR_THR), 'y');
}

static void test_fcr_clear_rx_and_toggle_empty_the_fifo(void **state)
{
    (void)state;
    struct vuart u = fresh();
    wr(&u, IIR_FCR, 0x01);
    assert_true(vuart_receive(&u, 1));
    assert_true(vuart_receive(&u, 2));
    wr(&u, IIR_FCR, 0x03);
    assert_int_equal(vuart_read(&u, LSR) & LSR_DR, 0);
    assert_true(vuart_receive(&u, 3));
    wr(&u, IIR_FCR, 0x00);                      /* turning FIFOs off empties them */
    assert_int_equal(vuart_read(&u, LSR) & LSR_DR, 0);
}

static void test_loopback_overrun_sets_oe_until_lsr_read(void **state)
{
    (void)state;
    struct vuart u = fresh();
    wr(&u, IIR_FCR, 0x01);
    wr(&u, MCR, MCR_LOOP);
    for (unsigned i = 0; i < 17; i++)
        wr(&u, RBR_THR, (uint8_t)i);
    assert_int_equal(u.overruns, 1);
    assert_int_equal(vuart_read(&u, LSR), LSR_THRE | LSR_TEMT | LSR_DR | LSR_OE);
    assert_int_equal(vuart_read(&u, LSR), LSR_THRE | LSR_TEMT | LSR_DR);
    assert_int_equal(vuart_read(&u, RBR_THR), 0);    /* the first 16 stayed */
    /* The wire is not heard in loopback. */
    assert_false(vuart_receive(&u, 'w'));
}

/* ---- interrupts ----------------------------------------------------------- */

static void test_rx_interrupt_gated_by_out2(void **state)
{
    (void)state;
    struct vuart u = fresh();
    wr(&u, IIR_FCR, 0x07);
    wr(&u, IER, IER_RDI);
    assert_true(vuart_receive(&u, 'k'));
    assert_int_equal(vuart_read(&u, IIR_FCR), IIR_FIFOS | 0x04);
    assert_false(vuart_irq(&u));                /* OUT2 off: no line */
    assert_false(vuart_take_edge(&u));
    wr(&u, MCR, MCR_OUT2 | MCR_DTR | MCR_RTS);
    assert_true(vuart_irq(&u));
    assert_true(vuart_take_edge(&u));
    assert_false(vuart_take_edge(&u));          /* one edge, taken once */
    assert_int_equal(vuart_read(&u, RBR_THR), 'k');
    assert_false(vuart_irq(&u));
    assert_int_equal(vuart_read(&u, IIR_FCR), IIR_FIFOS | IIR_NO_INT);
    assert_true(vuart_receive(&u, 'l'));
    assert_true(vuart_take_edge(&u));
    /* Loopback forces OUT2 off: no interrupt reaches the controller. */
    wr(&u, MCR, MCR_LOOP | MCR_OUT2);
    assert_false(vuart_irq(&u));
}

static void test_thre_interrupt_semantics(void **state)
{
    (void)state;
    struct vuart u = fresh();
    struct sink s = { .n = 0 };
    wr(&u, MCR, MCR_OUT2);
    /* Setting ETBEI with THR empty raises THRE. */
    wr(&u, IER, IER_THRI);
    assert_true(vuart_irq(&u));
    assert_true(vuart_take_edge(&u));
    /* Reading IIR that names THRE clears it. */
    assert_int_equal(vuart_read(&u, IIR_FCR), 0x02);
    assert_false(vuart_irq(&u));
    assert_int_equal(vuart_read(&u, IIR_FCR), IIR_NO_INT);
    /* Writing ETBEI again while set re-arms nothing. */
    wr(&u, IER, IER_THRI);
    assert_false(vuart_irq(&u));
    /* A THR write: the byte leaves, THR is empty again, THRE is back. */
    vuart_write(&u, RBR_THR, 'q', tx, &s);
    assert_true(vuart_irq(&u));
    assert_true(vuart_take_edge(&u));
    /* While THRE is pending a THR write drops the line for a moment:
     * a new edge. */
    vuart_write(&u, RBR_THR, 'r', tx, &s);
    assert_true(vuart_take_edge(&u));
    /* Clearing ETBEI drops it. */
    wr(&u, IER, 0);
    assert_false(vuart_irq(&u));
    assert_int_equal(s.n, 2);
}

static void test_iir_priority_order(void **state)
{
    (void)state;
    struct vuart u = fresh();
    wr(&u, IIR_FCR, 0x01);
    wr(&u, MCR, MCR_OUT2 | MCR_LOOP);           /* loopback to make an overrun and deltas */
    for (unsigned i = 0; i < 17; i++)
        wr(&u, RBR_THR, (uint8_t)i);
    wr(&u, MCR, MCR_OUT2 | MCR_LOOP | MCR_DTR); /* DSR delta */
    wr(&u, IER, 0x0F);
    assert_int_equal(vuart_read(&u, IIR_FCR), IIR_FIFOS | 0x06);   /* line status */
    vuart_read(&u, LSR);
    assert_int_equal(vuart_read(&u, IIR_FCR), IIR_FIFOS | 0x04);   /* data */
    for (unsigned i = 0; i < 16; i++)
        vuart_read(&u, RBR_THR);
    assert_int_equal(vuart_read(&u, IIR_FCR), IIR_FIFOS | 0x02);   /* THRE, cleared by the read */
    assert_int_equal(vuart_read(&u, IIR_FCR), IIR_FIFOS | 0x00);   /* modem status */
    vuart_read(&u, MSR);
    assert_int_equal(vuart_read(&u, IIR_FCR), IIR_FIFOS | IIR_NO_INT);
}

static void test_rx_and_thre_share_the_line(void **state)
{
    (void)state;
    struct vuart u = fresh();
    struct sink s = { .n = 0 };
    wr(&u, IIR_FCR, 0x07);
    wr(&u, MCR, MCR_OUT2);
    wr(&u, IER, IER_RDI | IER_THRI);
    assert_true(vuart_take_edge(&u));
    assert_true(vuart_receive(&u, 'a'));
    assert_false(vuart_take_edge(&u));          /* already high: no new edge */
    /* THR write while data waits: the line stays up, no edge. */
    vuart_write(&u, RBR_THR, 'b', tx, &s);
    assert_false(vuart_take_edge(&u));
    assert_int_equal(vuart_read(&u, IIR_FCR), IIR_FIFOS | 0x04);
    vuart_read(&u, RBR_THR);
    assert_int_equal(vuart_read(&u, IIR_FCR), IIR_FIFOS | 0x02);
    assert_false(vuart_irq(&u));
    assert_int_equal(u.edges, 1);
}

/* ---- Linux's 8250 driver ---------------------------------------------------- */

/* drivers/tty/serial/8250/8250_port.c autoconfig(): the IER scratch test,
 * the loopback test (MCR=0x1A, MSR&0xF0 must be 0x90), FIFO detection by
 * FCR=1 and IIR>>6, the 16550A variant tests (EFR, NS, 16750, UUE). */
static void test_linux_autoconfig_finds_a_16550a(void **state)
{
    (void)state;
    struct vuart u = fresh();
    uint8_t scratch = vuart_read(&u, IER);
    wr(&u, IER, 0);
    uint8_t scratch2 = vuart_read(&u, IER) & 0x0F;
    wr(&u, IER, 0x0F);
    uint8_t scratch3 = vuart_read(&u, IER) & 0x0F;
    wr(&u, IER, scratch);
    assert_int_equal(scratch2, 0);
    assert_int_equal(scratch3, 0x0F);

    uint8_t save_mcr = vuart_read(&u, MCR), save_lcr = vuart_read(&u, LCR);
    wr(&u, MCR, MCR_LOOP | 0x0A);
    assert_int_equal(vuart_read(&u, MSR) & 0xF0, 0x90);
    wr(&u, MCR, save_mcr);

    wr(&u, LCR, 0xBF);              /* UART_LCR_CONF_MODE_B */
    wr(&u, IIR_FCR, 0);             /* UART_EFR on enhanced parts, FCR here */
    wr(&u, LCR, 0);
    wr(&u, IIR_FCR, 0x01);
    assert_int_equal(vuart_read(&u, IIR_FCR) >> 6, 3);   /* autoconfig_16550a */

    /* EFR under DLAB reads IIR here: non-zero, so no ST16C650. */
    wr(&u, LCR, 0x80);
    assert_int_not_equal(vuart_read(&u, IIR_FCR), 0);
    wr(&u, LCR, 0xBF);
    assert_int_not_equal(vuart_read(&u, IIR_FCR), 0);
    /* National SuperIO: EXCR1 (IIR here) does not follow MCR.LOOP. */
    wr(&u, LCR, 0);
    uint8_t st1 = vuart_read(&u, MCR);
    wr(&u, LCR, 0xE0);
    uint8_t st2 = vuart_read(&u, IIR_FCR);
    assert_int_equal((st1 ^ st2) & MCR_LOOP, 0);
    wr(&u, LCR, 0);
    wr(&u, MCR, st1 ^ MCR_LOOP);
    wr(&u, LCR, 0xE0);
    st2 = vuart_read(&u, IIR_FCR);
    wr(&u, LCR, 0);
    wr(&u, MCR, st1);
    assert_int_equal((st2 ^ st1) & MCR_LOOP, 0);
    /* TI16750: IIR bit 5 follows the 64-byte FIFO bit; not here. */
    wr(&u, IIR_FCR, 0x21);
    uint8_t s1 = vuart_read(&u, IIR_FCR) >> 5;
    wr(&u, IIR_FCR, 0x01);
    wr(&u, LCR, 0x80);
    wr(&u, IIR_FCR, 0x21);
    uint8_t s2 = vuart_read(&u, IIR_FCR) >> 5;
    wr(&u, IIR_FCR, 0x01);
    wr(&u, LCR, 0);
    assert_false(s1 == 6 && s2 == 7);
    /* UUE (IER bit 6) does not stick: a plain 16550A. */
    uint8_t iersave = vuart_read(&u, IER);
    wr(&u, IER, iersave | 0x40);
    assert_int_equal(vuart_read(&u, IER) & 0x40, 0);
    wr(&u, IER, iersave);
    wr(&u, LCR, save_lcr);
    assert_int_equal(vuart_read(&u, LCR), 0x03);
}

/* serial8250_do_startup(): IER=THRI, IIR must show THRE; IER=0, IER=THRI
 * again, IIR must show THRE again (else the driver marks UART_BUG_THRE);
 * then the TXEN test with OUT2 on: IER=THRI, LSR.TEMT and IIR pending. */
static void test_linux_startup_thre_reasserts(void **state)
{
    (void)state;
    struct vuart u = fresh();
    /* serial8250_clear_fifos, then the reads "for luck". */
    wr(&u, IIR_FCR, 0x01);
    wr(&u, IIR_FCR, 0x07);
    wr(&u, IIR_FCR, 0x00);
    vuart_read(&u, LSR);
    vuart_read(&u, RBR_THR);
    vuart_read(&u, IIR_FCR);
    vuart_read(&u, MSR);
    assert_int_not_equal(vuart_read(&u, LSR), 0xFF);

    wr(&u, IER, IER_THRI);
    uint8_t iir1 = vuart_read(&u, IIR_FCR);
    wr(&u, IER, 0);
    wr(&u, IER, IER_THRI);
    uint8_t iir = vuart_read(&u, IIR_FCR);
    wr(&u, IER, 0);
    assert_int_equal(iir1 & IIR_NO_INT, 0);
    assert_int_equal(iir & IIR_NO_INT, 0);      /* re-asserted: no UART_BUG_THRE */

    wr(&u, LCR, 0x03);
    wr(&u, MCR, MCR_OUT2 | MCR_DTR | MCR_RTS);
    wr(&u, IER, IER_THRI);
    uint8_t lsr = vuart_read(&u, LSR);
    iir = vuart_read(&u, IIR_FCR);
    wr(&u, IER, 0);
    assert_true(lsr & LSR_TEMT);
    assert_int_equal(iir & IIR_NO_INT, 0);      /* no UART_BUG_TXEN */
    /* That THRE reached the line as an edge (the driver's first, unhandled
     * interrupt, as on hardware). */
    assert_true(vuart_take_edge(&u));
    assert_false(vuart_irq(&u));
    /* Finally interrupts on: RLSI | RDI; a typed byte raises the line. */
    wr(&u, IER, IER_RLSI | IER_RDI);
    assert_false(vuart_irq(&u));
    assert_true(vuart_receive(&u, 'x'));
    assert_true(vuart_take_edge(&u));
    assert_int_equal(vuart_read(&u, IIR_FCR), 0x04);
    assert_int_equal(vuart_read(&u, LSR), LSR_THRE | LSR_TEMT | LSR_DR);
    assert_int_equal(vuart_read(&u, RBR_THR), 'x');
    assert_int_equal(vuart_read(&u, IIR_FCR), IIR_NO_INT);
}

static void test_msr_interrupt_and_teri(void **state)
{
    (void)state;
    struct vuart u = fresh();
    wr(&u, IER, IER_MSI);
    wr(&u, MCR, MCR_LOOP | MCR_OUT1);           /* RI on: deltas, no TERI (rising) */
    assert_int_equal(vuart_read(&u, IIR_FCR), 0x00);
    assert_int_equal(vuart_read(&u, MSR), MSR_RI | 0x0B);
    assert_int_equal(vuart_read(&u, IIR_FCR), IIR_NO_INT);
    wr(&u, MCR, MCR_LOOP);                      /* RI off: its trailing edge */
    assert_int_equal(vuart_read(&u, MSR), 0x04);
    wr(&u, MCR, 0);                             /* back to the wire: CTS, DSR, DCD */
    assert_int_equal(vuart_read(&u, MSR), MSR_CTS | MSR_DSR | MSR_DCD | 0x0B);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reset_state),
        cmocka_unit_test(test_reset_register_reads),
        cmocka_unit_test(test_thr_write_transmits),
        cmocka_unit_test(test_thr_ctx_passed_through),
        cmocka_unit_test(test_dlab_accesses_divisor),
        cmocka_unit_test(test_dlab_read_does_not_consume_rx),
        cmocka_unit_test(test_dlab_write_in_loopback_sets_dll_not_rx),
        cmocka_unit_test(test_ier_masked_to_four_bits),
        cmocka_unit_test(test_lcr_round_trip),
        cmocka_unit_test(test_mcr_masked_to_five_bits),
        cmocka_unit_test(test_scr_round_trip),
        cmocka_unit_test(test_lsr_msr_writes_ignored),
        cmocka_unit_test(test_rbr_empty_reads_zero),
        cmocka_unit_test(test_lsr_data_ready_only_with_rx_byte),
        cmocka_unit_test(test_loopback_thr_lands_in_rbr),
        cmocka_unit_test(test_loopback_second_byte_overwrites),
        cmocka_unit_test(test_loopback_off_transmits_again),
        cmocka_unit_test(test_msr_without_loopback),
        cmocka_unit_test(test_msr_loopback_mirrors_outputs),
        cmocka_unit_test(test_msr_loopback_every_combination),
        cmocka_unit_test(test_register_index_masked),
        cmocka_unit_test(test_fcr_enables_fifos_and_iir_bits),
        cmocka_unit_test(test_rx_fifo_holds_sixteen_then_refuses),
        cmocka_unit_test(test_rx_without_fifo_holds_one),
        cmocka_unit_test(test_fcr_clear_rx_and_toggle_empty_the_fifo),
        cmocka_unit_test(test_loopback_overrun_sets_oe_until_lsr_read),
        cmocka_unit_test(test_rx_interrupt_gated_by_out2),
        cmocka_unit_test(test_thre_interrupt_semantics),
        cmocka_unit_test(test_iir_priority_order),
        cmocka_unit_test(test_rx_and_thre_share_the_line),
        cmocka_unit_test(test_linux_autoconfig_finds_a_16550a),
        cmocka_unit_test(test_linux_startup_thre_reasserts),
        cmocka_unit_test(test_msr_interrupt_and_teri),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
