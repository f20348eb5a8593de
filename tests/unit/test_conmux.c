// covers: kernel/conmux.c
/*
 * test_conmux.c - host unit tests of the console mux (kernel/conmux.c):
 * plain bytes follow the mode, Ctrl-A c toggles, Ctrl-A Ctrl-A passes one
 * Ctrl-A, Ctrl-A h asks for help, any other escape rings the bell and
 * drops both bytes, and an escape split across calls still works; gdb
 * mode: Ctrl-A g or a '$' on an empty monitor line enters it, escapes
 * count only between packets, Ctrl-A c leaves it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "../../kernel/conmux.h"

static enum conmux_action feed(struct conmux *m, uint8_t c, uint8_t want_out)
{
    uint8_t out = 0xEE;
    enum conmux_action a = conmux_feed(m, c, &out);
    if (a == MUX_MONITOR || a == MUX_GUEST || a == MUX_GDB)
        assert_int_equal(out, want_out);
    return a;
}

static void test_plain_bytes_follow_the_mode(void **state)
{
    (void)state;
    struct conmux m;
    conmux_init(&m, CONMUX_MONITOR);
    assert_int_equal(feed(&m, 'x', 'x'), MUX_MONITOR);
    assert_int_equal(feed(&m, '\r', '\r'), MUX_MONITOR);
    assert_int_equal(feed(&m, 'c', 'c'), MUX_MONITOR);      /* c alone is just c */
    conmux_init(&m, CONMUX_GUEST);
    assert_int_equal(feed(&m, 'x', 'x'), MUX_GUEST);
    assert_int_equal(feed(&m, 0x03, 0x03), MUX_GUEST);      /* Ctrl-C is the guest's */
    assert_int_equal(feed(&m, 0xFF, 0xFF), MUX_GUEST);
}

static void test_ctrl_a_c_toggles(void **state)
{
    (void)state;
    struct conmux m;
    conmux_init(&m, CONMUX_MONITOR);
    assert_int_equal(feed(&m, CONMUX_ESCAPE, 0), MUX_HELD);
    assert_int_equal(feed(&m, 'c', 0), MUX_SWITCHED);
    assert_int_equal(m.mode, CONMUX_GUEST);
    assert_int_equal(feed(&m, 'a', 'a'), MUX_GUEST);
    assert_int_equal(feed(&m, CONMUX_ESCAPE, 0), MUX_HELD);
    assert_int_equal(feed(&m, 'c', 0), MUX_SWITCHED);
    assert_int_equal(m.mode, CONMUX_MONITOR);
    assert_int_equal(feed(&m, 'a', 'a'), MUX_MONITOR);
    assert_int_equal(m.switches, 2);
}

static void test_ctrl_a_ctrl_a_is_one_ctrl_a(void **state)
{
    (void)state;
    struct conmux m;
    conmux_init(&m, CONMUX_GUEST);
    assert_int_equal(feed(&m, CONMUX_ESCAPE, 0), MUX_HELD);
    assert_int_equal(feed(&m, CONMUX_ESCAPE, CONMUX_ESCAPE), MUX_GUEST);
    /* The pair is consumed: the next Ctrl-A starts a new escape. */
    assert_int_equal(feed(&m, CONMUX_ESCAPE, 0), MUX_HELD);
    assert_int_equal(feed(&m, CONMUX_ESCAPE, CONMUX_ESCAPE), MUX_GUEST);
    assert_int_equal(feed(&m, 'c', 'c'), MUX_GUEST);
    assert_int_equal(m.mode, CONMUX_GUEST);
    conmux_init(&m, CONMUX_MONITOR);
    assert_int_equal(feed(&m, CONMUX_ESCAPE, 0), MUX_HELD);
    assert_int_equal(feed(&m, CONMUX_ESCAPE, CONMUX_ESCAPE), MUX_MONITOR);
}

static void test_unknown_escape_rings_and_drops(void **state)
{
    (void)state;
    struct conmux m;
    conmux_init(&m, CONMUX_GUEST);
    assert_int_equal(feed(&m, CONMUX_ESCAPE, 0), MUX_HELD);
    assert_int_equal(feed(&m, 'x', 0), MUX_BELL);
    assert_int_equal(m.bells, 1);
    assert_int_equal(m.mode, CONMUX_GUEST);
    assert_int_equal(feed(&m, 'x', 'x'), MUX_GUEST);
    assert_int_equal(feed(&m, CONMUX_ESCAPE, 0), MUX_HELD);
    assert_int_equal(feed(&m, 'C', 0), MUX_BELL);           /* case matters, as in QEMU */
    assert_int_equal(feed(&m, CONMUX_ESCAPE, 0), MUX_HELD);
    assert_int_equal(feed(&m, 'h', 0), MUX_HELP);
    assert_int_equal(feed(&m, 'h', 'h'), MUX_GUEST);
    assert_int_equal(m.bells, 2);
}

static void test_ctrl_a_g_enters_gdb_mode(void **state)
{
    (void)state;
    struct conmux m;
    conmux_init(&m, CONMUX_GUEST);
    assert_int_equal(feed(&m, CONMUX_ESCAPE, 0), MUX_HELD);
    assert_int_equal(feed(&m, 'g', 0), MUX_SWITCHED);
    assert_int_equal(m.mode, CONMUX_GDB);
    assert_int_equal(feed(&m, '+', '+'), MUX_GDB);
    assert_int_equal(feed(&m, 0x03, 0x03), MUX_GDB);      /* GDB's interrupt */
    assert_int_equal(feed(&m, CONMUX_ESCAPE, 0), MUX_HELD);
    assert_int_equal(feed(&m, 'g', 0), MUX_SWITCHED);     /* again: stays */
    assert_int_equal(m.mode, CONMUX_GDB);
    assert_int_equal(feed(&m, CONMUX_ESCAPE, 0), MUX_HELD);
    assert_int_equal(feed(&m, CONMUX_ESCAPE, CONMUX_ESCAPE), MUX_GDB);
    assert_int_equal(feed(&m, CONMUX_ESCAPE, 0), MUX_HELD);
    assert_int_equal(feed(&m, 'c', 0), MUX_SWITCHED);     /* leaves for the monitor */
    assert_int_equal(m.mode, CONMUX_MONITOR);
    assert_int_equal(m.switches, 2);
}

static void test_dollar_on_an_empty_line_enters_gdb_mode(void **state)
{
    (void)state;
    struct conmux m;
    conmux_init(&m, CONMUX_MONITOR);
    m.line_empty = false;
    assert_int_equal(feed(&m, '$', '$'), MUX_MONITOR);    /* in the middle of a command */
    m.line_empty = true;
    assert_int_equal(feed(&m, '$', '$'), MUX_GDB);
    assert_int_equal(m.mode, CONMUX_GDB);
    conmux_init(&m, CONMUX_GUEST);
    assert_int_equal(feed(&m, '$', '$'), MUX_GUEST);      /* the guest's own dollars */
}

static void test_escapes_inside_a_packet_are_data(void **state)
{
    (void)state;
    struct conmux m;
    conmux_init(&m, CONMUX_GDB);
    m.gdb_idle = false;
    assert_int_equal(feed(&m, CONMUX_ESCAPE, CONMUX_ESCAPE), MUX_GDB);
    assert_int_equal(feed(&m, 'c', 'c'), MUX_GDB);
    assert_int_equal(m.mode, CONMUX_GDB);
    conmux_set_mode(&m, CONMUX_MONITOR);                  /* the stub detached */
    assert_int_equal(m.mode, CONMUX_MONITOR);
    assert_int_equal(m.switches, 1);
    conmux_set_mode(&m, CONMUX_MONITOR);
    assert_int_equal(m.switches, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_bytes_follow_the_mode),
        cmocka_unit_test(test_ctrl_a_c_toggles),
        cmocka_unit_test(test_ctrl_a_ctrl_a_is_one_ctrl_a),
        cmocka_unit_test(test_unknown_escape_rings_and_drops),
        cmocka_unit_test(test_ctrl_a_g_enters_gdb_mode),
        cmocka_unit_test(test_dollar_on_an_empty_line_enters_gdb_mode),
        cmocka_unit_test(test_escapes_inside_a_packet_are_data),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
