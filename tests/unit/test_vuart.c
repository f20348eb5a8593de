// covers: vmx/vuart.c
/*
 * test_vuart.c - host unit tests of the virtual 16550 (vmx/vuart.c):
 * register reads and writes as the guest does them, transmit to the
 * callback, divisor latch, loopback and the modem status mirror.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "../../vmx/vuart.h"

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
    assert_int_equal(u.rx, 0);
    assert_false(u.rx_full);
    assert_int_equal(u.tx_bytes, 0);
}

static void test_reset_register_reads(void **state)
{
    (void)state;
    struct vuart u = fresh();
    assert_int_equal(vuart_read(&u, RBR_THR), 0);
    assert_int_equal(vuart_read(&u, IER), 0);
    assert_int_equal(vuart_read(&u, IIR_FCR), 0xC1);
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
    assert_false(u.rx_full);
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
    assert_true(u.rx_full);
    wr(&u, LCR, 0x03);
    assert_int_equal(vuart_read(&u, RBR_THR), 'x');
    assert_false(u.rx_full);
}

static void test_dlab_write_in_loopback_sets_dll_not_rx(void **state)
{
    (void)state;
    struct vuart u = fresh();
    wr(&u, MCR, MCR_LOOP);
    wr(&u, LCR, 0x80);
    wr(&u, DLL, 0x30);
    assert_int_equal(u.dll, 0x30);
    assert_false(u.rx_full);
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

static void test_fcr_write_ignored(void **state)
{
    (void)state;
    struct vuart u = fresh();
    struct vuart before = u;
    wr(&u, IIR_FCR, 0xC7);      /* enable + clear FIFOs, 14-byte trigger */
    wr(&u, IIR_FCR, 0x00);
    assert_memory_equal(&before, &u, sizeof(u));
    assert_int_equal(vuart_read(&u, IIR_FCR), 0xC1);
}

static void test_iir_always_no_interrupt_fifo(void **state)
{
    (void)state;
    struct vuart u = fresh();
    wr(&u, IER, 0x0F);
    wr(&u, MCR, MCR_LOOP);
    wr(&u, RBR_THR, 1);         /* data ready, but no interrupts are modelled */
    assert_int_equal(vuart_read(&u, IIR_FCR), 0xC1);
    wr(&u, LCR, 0x80);
    assert_int_equal(vuart_read(&u, IIR_FCR), 0xC1);
}

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
    u.rx = 0x42;
    u.rx_full = true;
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
    assert_int_equal(vuart_read(&u, MSR), 0);
    wr(&u, MCR, MCR_LOOP | MCR_DTR);
    assert_int_equal(vuart_read(&u, MSR), MSR_DSR);
    wr(&u, MCR, MCR_LOOP | MCR_RTS);
    assert_int_equal(vuart_read(&u, MSR), MSR_CTS);
    wr(&u, MCR, MCR_LOOP | MCR_OUT1);
    assert_int_equal(vuart_read(&u, MSR), MSR_RI);
    wr(&u, MCR, MCR_LOOP | MCR_OUT2);
    assert_int_equal(vuart_read(&u, MSR), MSR_DCD);
    wr(&u, MCR, MCR_LOOP | 0x0F);
    assert_int_equal(vuart_read(&u, MSR), 0xF0);
    wr(&u, MCR, MCR_LOOP | MCR_RTS | MCR_OUT2);
    assert_int_equal(vuart_read(&u, MSR), MSR_CTS | MSR_DCD);
}

static void test_msr_loopback_every_combination(void **state)
{
    (void)state;
    struct vuart u = fresh();
    for (unsigned out = 0; out < 16; out++) {
        wr(&u, MCR, (uint8_t)(MCR_LOOP | out));
        uint8_t want = (uint8_t)(((out & MCR_DTR) ? MSR_DSR : 0) | ((out & MCR_RTS) ? MSR_CTS : 0) |
                                 ((out & MCR_OUT1) ? MSR_RI : 0) | ((out & MCR_OUT2) ? MSR_DCD : 0));
        assert_int_equal(vuart_read(&u, MSR), want);
        /* The delta bits 3:0 are never set. */
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
    assert_int_equal(vuart_read(&u, 8 + IIR_FCR), 0xC1);
    assert_int_equal(vuart_read(&u, 16 + LSR), LSR_THRE | LSR_TEMT);
    assert_int_equal(vuart_read(&u, 8 + MSR), 0xB0);
    assert_int_equal(vuart_read(&u, 8 + LCR), 0x03);
    vuart_write(&u, 8 + RBR_THR, 'z', tx, &s);
    assert_int_equal(s.n, 1);
    assert_int_equal(s.bytes[0], 'z');
    vuart_write(&u, 8 + MCR, 0xFF, tx, &s);
    assert_int_equal(vuart_read(&u, 8 + MCR), 0x1F);
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
        cmocka_unit_test(test_fcr_write_ignored),
        cmocka_unit_test(test_iir_always_no_interrupt_fifo),
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
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
