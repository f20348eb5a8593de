// covers: kernel/dbg.c
/*
 * test_dbg.c - host unit tests of kernel/dbg.c: which I/O breakpoints an
 * access matches (SDM Vol. 3A, 17.2.4, 17.2.5).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "../../kernel/dbg.h"

#define L(n) (1ull << (2 * (n)))
#define G(n) (2ull << (2 * (n)))
#define RW(n, rw) ((uint64_t)(rw) << (16 + 4 * (n)))
#define LEN(n, l) ((uint64_t)(l) << (18 + 4 * (n)))

static void test_enabled_io_breakpoint_matches_its_port(void **state)
{
    (void)state;
    uint64_t dr[4] = { 0x3FF, 0, 0, 0 };
    assert_int_equal(dbg_io_hits(0x400 | L(0) | RW(0, 2), dr, 0x3FF, 1), 1);
    assert_int_equal(dbg_io_hits(0x400 | G(0) | RW(0, 2), dr, 0x3FF, 1), 1);
    assert_int_equal(dbg_io_hits(0x400 | L(0) | RW(0, 2), dr, 0x3FE, 1), 0);
    /* A word at 0x3FE covers 0x3FF. */
    assert_int_equal(dbg_io_hits(0x400 | L(0) | RW(0, 2), dr, 0x3FE, 2), 1);
    assert_int_equal(dbg_io_hits(0x400 | L(0) | RW(0, 2), dr, 0x3FC, 4), 1);
    assert_int_equal(dbg_io_hits(0x400 | L(0) | RW(0, 2), dr, 0x3FB, 4), 0);
}

static void test_disabled_or_other_kinds_do_not_match(void **state)
{
    (void)state;
    uint64_t dr[4] = { 0x80, 0x80, 0x80, 0x80 };
    assert_int_equal(dbg_io_hits(0x400 | RW(0, 2) | RW(1, 2), dr, 0x80, 1), 0);   /* no L/G */
    assert_int_equal(dbg_io_hits(0x400 | L(0) | RW(0, 0), dr, 0x80, 1), 0);      /* execute */
    assert_int_equal(dbg_io_hits(0x400 | L(1) | RW(1, 1), dr, 0x80, 1), 0);      /* data write */
    assert_int_equal(dbg_io_hits(0x400 | L(2) | RW(2, 3), dr, 0x80, 1), 0);      /* data read/write */
}

static void test_length_aligns_the_breakpoint_down(void **state)
{
    (void)state;
    /* LEN 11B (4 bytes) at 0x3FF covers 0x3FC-0x3FF; LEN 01B at 0x71 covers 0x70-0x71. */
    uint64_t dr[4] = { 0, 0, 0x3FF, 0x71 };
    uint64_t dr7 = 0x400 | L(2) | RW(2, 2) | LEN(2, 3) | G(3) | RW(3, 2) | LEN(3, 1);
    assert_int_equal(dbg_io_hits(dr7, dr, 0x3FC, 1), 4);
    assert_int_equal(dbg_io_hits(dr7, dr, 0x3FB, 1), 0);
    assert_int_equal(dbg_io_hits(dr7, dr, 0x70, 1), 8);
    assert_int_equal(dbg_io_hits(dr7, dr, 0x72, 1), 0);
    assert_int_equal(dbg_io_hits(dr7, dr, 0x6F, 2), 8);
    /* Only bits 15:0 of DRn name a port. */
    uint64_t hi[4] = { 0x100003FF, 0, 0, 0 };
    assert_int_equal(dbg_io_hits(0x400 | L(0) | RW(0, 2), hi, 0x3FF, 1), 1);
}

static void test_several_breakpoints_report_every_match(void **state)
{
    (void)state;
    uint64_t dr[4] = { 0x3F8, 0x3F9, 0x3FA, 0x3FF };
    uint64_t dr7 = 0x400;
    for (unsigned n = 0; n < 4; n++)
        dr7 |= L(n) | RW(n, 2);
    assert_int_equal(dbg_io_hits(dr7, dr, 0x3F8, 4), 7);
    assert_int_equal(dbg_io_hits(dr7, dr, 0x3FF, 1), 8);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_enabled_io_breakpoint_matches_its_port),
        cmocka_unit_test(test_disabled_or_other_kinds_do_not_match),
        cmocka_unit_test(test_length_aligns_the_breakpoint_down),
        cmocka_unit_test(test_several_breakpoints_report_every_match),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
