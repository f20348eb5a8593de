// covers: kernel/dbg.c
/*
 * test_dbg.c - host unit tests of kernel/dbg.c: which I/O breakpoints an
 * access matches, and the breakpoint slots shared between the guest and
 * the GDB stub (SDM Vol. 3B, 17.2.3, 17.2.4, 17.2.5).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
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

/* ---- the breakpoint slots shared with the GDB stub ---------------------- */

#define DR6_FIXED 0xFFFF0FF0ull         /* DR6's bits that read as 1 (17.2.3) */
#define BD (1ull << 13)
#define BS (1ull << 14)
#define BT (1ull << 15)
#define LE (1ull << 8)
#define GE (1ull << 9)
#define GD (1ull << 13)

/* DR7's four fields of slot n: L and G bits, R/W, LEN. */
static unsigned lg_of(uint64_t dr7, unsigned n) { return (unsigned)(dr7 >> (2 * n)) & 3; }
static unsigned rw_of(uint64_t dr7, unsigned n) { return (unsigned)(dr7 >> (16 + 4 * n)) & 3; }
static unsigned len_of(uint64_t dr7, unsigned n) { return (unsigned)(dr7 >> (18 + 4 * n)) & 3; }

/* Check every placement rule (dr_rebalance in dbg.h) and that dr_compose
 * gives each guest-enabled slot the guest's register and fields. */
static void assert_placed(const struct dr_share *s)
{
    unsigned guest = 0, taken = 0, suspended = 0;
    for (unsigned n = 0; n < 4; n++)
        if (lg_of(s->guest_dr7, n))
            guest |= 1u << n;
    for (unsigned i = 0; i < 4; i++) {
        if (!s->piece_type[i])
            continue;
        if (s->piece_slot[i] == DR_NO_SLOT) {
            suspended |= 1u << i;
            continue;
        }
        assert_true(s->piece_slot[i] < 4);
        assert_false((guest | taken) >> s->piece_slot[i] & 1);
        taken |= 1u << s->piece_slot[i];
    }
    assert_int_equal(dr_stub_slots(s), taken);
    assert_int_equal(dr_stub_suspended(s), suspended);
    if (suspended)
        assert_int_equal(guest | taken, 0xF);
    uint64_t dr[4], dr7;
    dr_compose(s, dr, &dr7);
    for (unsigned n = 0; n < 4; n++)
        if (guest >> n & 1) {
            assert_int_equal(dr[n], s->guest_dr[n]);
            assert_int_equal(lg_of(dr7, n), lg_of(s->guest_dr7, n));
            assert_int_equal(rw_of(dr7, n), rw_of(s->guest_dr7, n));
            assert_int_equal(len_of(dr7, n), len_of(s->guest_dr7, n));
        }
}

static void test_unsupported_types_are_refused(void **state)
{
    (void)state;
    struct dr_share s = { 0 }, before;
    memcpy(&before, &s, sizeof(s));
    /* 0 is a software breakpoint, 3 a read watchpoint (no R/W encoding). */
    assert_int_equal(dr_stub_insert(&s, 0, 0x1000, 1), DR_ERR_TYPE);
    assert_int_equal(dr_stub_insert(&s, DR_Z_READ, 0x1000, 4), DR_ERR_TYPE);
    assert_int_equal(dr_stub_insert(&s, 5, 0x1000, 4), DR_ERR_TYPE);
    assert_int_equal(dr_stub_remove(&s, DR_Z_READ, 0x1000, 4), DR_ERR_TYPE);
    assert_int_equal(dr_stub_remove(&s, 7, 0x1000, 4), DR_ERR_TYPE);
    assert_memory_equal(&s, &before, sizeof(s));
    assert_int_equal(dr_stub_held(&s), 0);
}

static void test_watchpoint_lengths_are_checked_breakpoint_kind_ignored(void **state)
{
    (void)state;
    struct dr_share s = { 0 }, before;
    memcpy(&before, &s, sizeof(s));
    assert_int_equal(dr_stub_insert(&s, DR_Z_WRITE, 0x1000, 0), DR_ERR_LEN);
    assert_int_equal(dr_stub_insert(&s, DR_Z_ACCESS, 0x1000, 33), DR_ERR_LEN);
    assert_int_equal(dr_stub_insert(&s, DR_Z_ACCESS, 0x1000, 1ull << 32 | 4), DR_ERR_LEN);
    assert_memory_equal(&s, &before, sizeof(s));
    /* 32 bytes, aligned: four pieces of 8 bytes (LEN 10B) in slots 0-3. */
    assert_int_equal(dr_stub_insert(&s, DR_Z_ACCESS, 0x1000, 32), 0);
    assert_int_equal(dr_stub_slots(&s), 0xF);
    assert_int_equal(dr_stub_held(&s), 0xF);
    for (unsigned i = 0; i < 4; i++) {
        assert_int_equal(s.piece_addr[i], 0x1000 + 8 * i);
        assert_int_equal(s.piece_len[i], 2);
        assert_int_equal(s.piece_rw[i], 3);
        assert_int_equal(s.piece_slot[i], i);
    }
    dr_stub_clear(&s);
    assert_memory_equal(&s, &before, sizeof(s));
    /* A hardware breakpoint's kind is not a length: 0 and 100 are one byte, LEN 00B. */
    assert_int_equal(dr_stub_insert(&s, DR_Z_HW, 0x2000, 0), 0);
    assert_int_equal(dr_stub_insert(&s, DR_Z_HW, 0x3000, 100), 0);
    assert_int_equal(dr_stub_slots(&s), 3);
    assert_int_equal(s.piece_len[0], 0);
    assert_int_equal(s.piece_rw[0], 0);
    assert_int_equal(s.req_len[1], 1);
}

static void test_insert_takes_only_slots_the_guest_leaves(void **state)
{
    (void)state;
    struct dr_share s = { .guest_dr = { 0xA0, 0xA1, 0xA2, 0xA3 }, .guest_dr7 = 0x400 | L(0) | G(2) }, before;
    assert_int_equal(dr_stub_insert(&s, DR_Z_HW, 0x1000, 1), 0);
    assert_int_equal(dr_stub_slots(&s), 2);
    assert_int_equal(s.piece_slot[0], 1);
    assert_int_equal(dr_stub_insert(&s, DR_Z_WRITE, 0x2000, 4), 0);
    assert_int_equal(dr_stub_slots(&s), 0xA);
    assert_int_equal(s.piece_slot[1], 3);
    assert_int_equal(dr_stub_suspended(&s), 0);
    assert_placed(&s);
    /* No free slot left: the guest's DR0 and DR2 are never taken. */
    memcpy(&before, &s, sizeof(s));
    assert_int_equal(dr_stub_insert(&s, DR_Z_HW, 0x3000, 1), DR_ERR_FULL);
    assert_memory_equal(&s, &before, sizeof(s));
    /* The guest disabling DR2 frees it for the next insert. */
    dr_guest_write(&s, 7, 0x400 | L(0));
    assert_int_equal(dr_stub_insert(&s, DR_Z_HW, 0x3000, 1), 0);
    assert_int_equal(s.piece_slot[2], 2);
    assert_int_equal(dr_stub_slots(&s), 0xE);
    assert_int_equal(dr_stub_insert(&s, DR_Z_HW, 0x4000, 1), DR_ERR_FULL);
    assert_placed(&s);
}

static void test_unaligned_ranges_split_into_aligned_pieces(void **state)
{
    (void)state;
    struct dr_share s = { 0 };
    /* [0x1003, 0x1009): 0x1003 (1 byte), 0x1004 (4), 0x1008 (1). */
    assert_int_equal(dr_stub_insert(&s, DR_Z_WRITE, 0x1003, 6), 0);
    assert_int_equal(dr_stub_slots(&s), 7);
    assert_int_equal(s.piece_addr[0], 0x1003);
    assert_int_equal(s.piece_len[0], 0);
    assert_int_equal(s.piece_addr[1], 0x1004);
    assert_int_equal(s.piece_len[1], 3);
    assert_int_equal(s.piece_addr[2], 0x1008);
    assert_int_equal(s.piece_len[2], 0);
    for (unsigned i = 0; i < 3; i++) {
        assert_int_equal(s.piece_rw[i], 1);
        assert_int_equal(s.piece_type[i], DR_Z_WRITE);
        assert_int_equal(s.req_addr[i], 0x1003);
        assert_int_equal(s.req_len[i], 6);
        assert_int_equal(s.piece_slot[i], i);
    }
    dr_stub_clear(&s);
    /* [0x2002, 0x2005): 2 bytes (LEN 01B), then 1. */
    assert_int_equal(dr_stub_insert(&s, DR_Z_ACCESS, 0x2002, 3), 0);
    assert_int_equal(dr_stub_slots(&s), 3);
    assert_int_equal(s.piece_addr[0], 0x2002);
    assert_int_equal(s.piece_len[0], 1);
    assert_int_equal(s.piece_addr[1], 0x2004);
    assert_int_equal(s.piece_len[1], 0);
    dr_stub_clear(&s);
    /* 16 bytes from 0x3001: 1, 2, 4, 8, 1 is five pieces, more than four slots. */
    assert_int_equal(dr_stub_insert(&s, DR_Z_WRITE, 0x3001, 16), DR_ERR_FULL);
    assert_int_equal(dr_stub_held(&s), 0);
    /* 8 aligned bytes are one slot, or two of 4 where LEN 10B is undefined. */
    assert_int_equal(dr_stub_insert(&s, DR_Z_WRITE, 0x4008, 8), 0);
    assert_int_equal(dr_stub_slots(&s), 1);
    assert_int_equal(s.piece_len[0], 2);
    dr_stub_clear(&s);
    s.no_len8 = 1;
    assert_int_equal(dr_stub_insert(&s, DR_Z_WRITE, 0x4008, 8), 0);
    assert_int_equal(dr_stub_slots(&s), 3);
    assert_int_equal(s.piece_addr[1], 0x400C);
    assert_int_equal(s.piece_len[0], 3);
    assert_int_equal(s.piece_len[1], 3);
    assert_int_equal(dr_stub_insert(&s, DR_Z_WRITE, 0x5000, 32), DR_ERR_FULL);
    /* A range that wraps at 2^64 goes on at 0, as linear addresses do. */
    dr_stub_clear(&s);
    assert_int_equal(dr_stub_insert(&s, DR_Z_WRITE, 0xFFFFFFFFFFFFFFFFull, 2), 0);
    assert_int_equal(s.piece_addr[0], 0xFFFFFFFFFFFFFFFFull);
    assert_int_equal(s.piece_addr[1], 0);
}

static void test_no_slot_changes_when_a_request_does_not_fit(void **state)
{
    (void)state;
    struct dr_share s = { .guest_dr7 = 0x400 | G(3) }, before;
    assert_int_equal(dr_stub_insert(&s, DR_Z_HW, 0x1000, 1), 0);
    assert_int_equal(dr_stub_insert(&s, DR_Z_WRITE, 0x1020, 8), 0);
    memcpy(&before, &s, sizeof(s));
    /* One slot left (DR2; DR3 is the guest's), two pieces needed. */
    assert_int_equal(dr_stub_insert(&s, DR_Z_ACCESS, 0x2006, 4), DR_ERR_FULL);
    assert_memory_equal(&s, &before, sizeof(s));
    /* One piece fits. */
    assert_int_equal(dr_stub_insert(&s, DR_Z_ACCESS, 0x2004, 4), 0);
    assert_int_equal(dr_stub_slots(&s), 7);
    /* While a piece is suspended no slot is free: nothing fits. */
    dr_guest_write(&s, 7, 0x400 | G(0) | G(3));
    assert_int_equal(dr_stub_suspended(&s), 1);
    memcpy(&before, &s, sizeof(s));
    assert_int_equal(dr_stub_insert(&s, DR_Z_HW, 0x5000, 1), DR_ERR_FULL);
    assert_memory_equal(&s, &before, sizeof(s));
}

static void test_inserting_again_takes_no_slot(void **state)
{
    (void)state;
    struct dr_share s = { 0 }, before;
    assert_int_equal(dr_stub_insert(&s, DR_Z_WRITE, 0x1003, 6), 0);
    assert_int_equal(dr_stub_insert(&s, DR_Z_HW, 0x4000, 1), 0);
    memcpy(&before, &s, sizeof(s));
    assert_int_equal(dr_stub_insert(&s, DR_Z_WRITE, 0x1003, 6), 0);
    /* Another kind of the same hardware breakpoint is the same breakpoint. */
    assert_int_equal(dr_stub_insert(&s, DR_Z_HW, 0x4000, 4), 0);
    assert_memory_equal(&s, &before, sizeof(s));
    /* Another type or length is another request. */
    assert_int_equal(dr_stub_insert(&s, DR_Z_ACCESS, 0x1003, 6), DR_ERR_FULL);
    assert_int_equal(dr_stub_insert(&s, DR_Z_WRITE, 0x1003, 1), DR_ERR_FULL);
    assert_int_equal(dr_stub_remove(&s, DR_Z_HW, 0x4000, 1), 0);
    assert_int_equal(dr_stub_insert(&s, DR_Z_WRITE, 0x1003, 1), 0);
    assert_int_equal(dr_stub_slots(&s), 0xF);
    assert_int_equal(s.req_len[3], 1);
}

static void test_remove_releases_exactly_the_request(void **state)
{
    (void)state;
    struct dr_share s = { .guest_dr = { 1, 2, 3, 4 }, .guest_dr7 = 0x400 | RW(1, 1) }, empty, one;
    memcpy(&empty, &s, sizeof(s));
    assert_int_equal(dr_stub_remove(&s, DR_Z_HW, 0x1000, 1), DR_ERR_ABSENT);
    assert_int_equal(dr_stub_insert(&s, DR_Z_HW, 0x1000, 1), 0);
    memcpy(&one, &s, sizeof(s));
    assert_int_equal(dr_stub_insert(&s, DR_Z_ACCESS, 0x2003, 6), 0);
    assert_int_equal(dr_stub_slots(&s), 0xF);
    /* Not held: another address, type or length. */
    assert_int_equal(dr_stub_remove(&s, DR_Z_ACCESS, 0x2004, 6), DR_ERR_ABSENT);
    assert_int_equal(dr_stub_remove(&s, DR_Z_WRITE, 0x2003, 6), DR_ERR_ABSENT);
    assert_int_equal(dr_stub_remove(&s, DR_Z_ACCESS, 0x2003, 5), DR_ERR_ABSENT);
    assert_int_equal(dr_stub_held(&s), 0xF);
    /* The split request goes whole. */
    assert_int_equal(dr_stub_remove(&s, DR_Z_ACCESS, 0x2003, 6), 0);
    assert_memory_equal(&s, &one, sizeof(s));
    /* A hardware breakpoint goes with any kind. */
    assert_int_equal(dr_stub_remove(&s, DR_Z_HW, 0x1000, 4), 0);
    assert_memory_equal(&s, &empty, sizeof(s));
    assert_int_equal(dr_stub_remove(&s, DR_Z_HW, 0x1000, 1), DR_ERR_ABSENT);
    assert_int_equal(dr_stub_held(&s), 0);
}

static void test_guest_enabling_a_stub_slot_moves_the_piece(void **state)
{
    (void)state;
    struct dr_share s = { .guest_dr = { 0xA0, 0xA1, 0xA2, 0xA3 } };
    assert_int_equal(dr_stub_insert(&s, DR_Z_HW, 0x1000, 1), 0);           /* piece 0, slot 0 */
    assert_int_equal(dr_stub_insert(&s, DR_Z_WRITE, 0x2000, 4), 0);        /* piece 1, slot 1 */
    /* The guest enables DR0: the breakpoint moves to the lowest free slot. */
    dr_guest_write(&s, 7, 0x400 | L(0) | RW(0, 1) | LEN(0, 3));
    assert_int_equal(s.piece_slot[0], 2);
    assert_int_equal(s.piece_slot[1], 1);
    assert_int_equal(dr_stub_slots(&s), 6);
    assert_placed(&s);
    uint64_t dr[4], dr7;
    dr_compose(&s, dr, &dr7);
    assert_int_equal(dr[0], 0xA0);
    assert_int_equal(dr[1], 0x2000);
    assert_int_equal(dr[2], 0x1000);
    assert_int_equal(dr[3], 0xA3);
    assert_int_equal(dr7, 0x400 | L(0) | RW(0, 1) | LEN(0, 3) | G(1) | RW(1, 1) | LEN(1, 3) | G(2));
    /* Its hit is reported from its new slot, with the request's address. */
    unsigned type = 0;
    uint64_t addr = 0;
    assert_int_equal(dr_stub_hit(&s, DR6_FIXED | 5, &type, &addr), 4);
    assert_int_equal(type, DR_Z_HW);
    assert_int_equal(addr, 0x1000);
    assert_int_equal(dr_guest_hits(&s, DR6_FIXED | 5), 1);
    assert_int_equal(dr_guest_dr6(&s, DR6_FIXED | 5), DR6_FIXED | 1);
    /* A write to DR0-DR3 changes no placement, only the guest's value. */
    dr_guest_write(&s, 2, 0xB2);
    dr_guest_write(&s, 0, 0xB0);
    assert_int_equal(s.guest_dr[2], 0xB2);
    dr_compose(&s, dr, &dr7);
    assert_int_equal(dr[0], 0xB0);
    assert_int_equal(dr[2], 0x1000);
    /* Disabling DR0 again moves nothing back: the pieces stay put. */
    dr_guest_write(&s, 7, 0x400);
    assert_int_equal(s.piece_slot[0], 2);
    assert_int_equal(s.piece_slot[1], 1);
    assert_placed(&s);
}

static void test_no_free_slot_suspends_until_one_frees(void **state)
{
    (void)state;
    struct dr_share s = { .guest_dr = { 0xA0, 0xA1, 0xA2, 0xA3 } };
    assert_int_equal(dr_stub_insert(&s, DR_Z_HW, 0x1000, 1), 0);           /* piece 0, slot 0 */
    assert_int_equal(dr_stub_insert(&s, DR_Z_WRITE, 0x2008, 8), 0);        /* piece 1, slot 1 */
    /* The guest takes DR0, DR2 and DR3: the breakpoint has nowhere to go. */
    uint64_t guest7 = L(0) | G(2) | L(3) | RW(3, 3) | LEN(3, 3);
    dr_guest_write(&s, 7, guest7);
    assert_int_equal(s.piece_slot[0], DR_NO_SLOT);
    assert_int_equal(s.piece_slot[1], 1);
    assert_int_equal(dr_stub_suspended(&s), 1);
    assert_int_equal(dr_stub_held(&s), 3);
    assert_int_equal(dr_stub_slots(&s), 2);
    assert_placed(&s);
    uint64_t dr[4], dr7;
    dr_compose(&s, dr, &dr7);
    assert_int_equal(dr[0], 0xA0);
    assert_int_equal(dr[1], 0x2008);
    assert_int_equal(dr[2], 0xA2);
    assert_int_equal(dr[3], 0xA3);
    assert_int_equal(dr7, 0x400 | guest7 | G(1) | RW(1, 1) | LEN(1, 2));
    /* Not loaded, not reported; every B bit but the watchpoint's is the guest's. */
    unsigned type = 99;
    uint64_t addr = 99;
    assert_int_equal(dr_stub_hit(&s, DR6_FIXED | 0xD, &type, &addr), 0);
    assert_int_equal(type, 99);
    assert_int_equal(dr_guest_hits(&s, DR6_FIXED | 0xF), 0xD);
    assert_int_equal(dr_guest_dr6(&s, DR6_FIXED | 0xF | BS), DR6_FIXED | 0xD | BS);
    /* The guest frees DR2: the breakpoint comes back there. */
    dr_guest_write(&s, 7, L(0) | L(3));
    assert_int_equal(s.piece_slot[0], 2);
    assert_int_equal(dr_stub_suspended(&s), 0);
    assert_placed(&s);
    /* Taken again, with the watchpoint's slot too: both wait. */
    dr_guest_write(&s, 7, L(0) | L(1) | L(2) | L(3));
    assert_int_equal(dr_stub_suspended(&s), 3);
    assert_int_equal(dr_stub_slots(&s), 0);
    assert_placed(&s);
    /* One slot frees: the lower entry comes back first, into it. */
    dr_guest_write(&s, 7, L(0) | L(1) | L(2));
    assert_int_equal(s.piece_slot[0], 3);
    assert_int_equal(s.piece_slot[1], DR_NO_SLOT);
    assert_int_equal(dr_stub_suspended(&s), 2);
    assert_placed(&s);
    /* Removing the loaded request frees its slot for the suspended one. */
    assert_int_equal(dr_stub_remove(&s, DR_Z_HW, 0x1000, 1), 0);
    assert_int_equal(s.piece_type[0], 0);
    assert_int_equal(s.piece_slot[1], 3);
    assert_int_equal(dr_stub_suspended(&s), 0);
    assert_placed(&s);
    /* A suspended request is removed whole too. */
    dr_guest_write(&s, 7, L(0) | L(1) | L(2) | L(3));
    assert_int_equal(dr_stub_remove(&s, DR_Z_WRITE, 0x2008, 8), 0);
    assert_int_equal(dr_stub_held(&s), 0);
    struct dr_share empty = { .guest_dr = { 0xA0, 0xA1, 0xA2, 0xA3 }, .guest_dr7 = L(0) | L(1) | L(2) | L(3) };
    assert_memory_equal(&s, &empty, sizeof(s));
}

static void test_a_request_may_lose_some_pieces_and_keep_others(void **state)
{
    (void)state;
    struct dr_share s = { 0 };
    /* [0x1003, 0x1009): three pieces in slots 0-2. */
    assert_int_equal(dr_stub_insert(&s, DR_Z_ACCESS, 0x1003, 6), 0);
    /* The guest enables DR1 and DR3: piece 1 has no slot left. */
    dr_guest_write(&s, 7, L(1) | L(3));
    assert_int_equal(s.piece_slot[0], 0);
    assert_int_equal(s.piece_slot[1], DR_NO_SLOT);
    assert_int_equal(s.piece_slot[2], 2);
    assert_int_equal(dr_stub_suspended(&s), 2);
    unsigned type = 0;
    uint64_t addr = 0;
    assert_int_equal(dr_stub_hit(&s, DR6_FIXED | 0xF, &type, &addr), 5);
    assert_int_equal(type, DR_Z_ACCESS);
    assert_int_equal(addr, 0x1003);
    assert_placed(&s);
    /* Removed whole, suspended piece and all. */
    assert_int_equal(dr_stub_remove(&s, DR_Z_ACCESS, 0x1003, 6), 0);
    assert_int_equal(dr_stub_held(&s), 0);
}

static void test_compose_keeps_the_guest_and_replaces_stub_slots(void **state)
{
    (void)state;
    uint64_t guest7 = L(0) | RW(0, 1) | LEN(0, 3) | G(1) | RW(1, 3) | LEN(1, 2) | RW(3, 3) | LEN(3, 1) |
                      LE | GE | GD;
    struct dr_share s = { .guest_dr = { 0xA0, 0xA1, 0xA2, 0xA3 }, .guest_dr7 = guest7 };
    uint64_t dr[4], dr7;
    /* Nothing held: the guest's own registers, bit 10 set. */
    dr_compose(&s, dr, &dr7);
    assert_int_equal(dr7, guest7 | 0x400);
    for (unsigned n = 0; n < 4; n++)
        assert_int_equal(dr[n], 0xA0 + n);
    /* The stub's breakpoint in DR2, its watchpoint's first piece in DR3
     * (set up but disabled by the guest: its R/W and LEN replaced); the
     * second piece does not fit. */
    assert_int_equal(dr_stub_insert(&s, DR_Z_HW, 0x1000, 1), 0);
    assert_int_equal(dr_stub_insert(&s, DR_Z_WRITE, 0x2002, 4), DR_ERR_FULL);
    assert_int_equal(dr_stub_insert(&s, DR_Z_WRITE, 0x2002, 2), 0);
    assert_int_equal(dr_stub_slots(&s), 0xC);
    dr_compose(&s, dr, &dr7);
    assert_int_equal(dr[0], 0xA0);
    assert_int_equal(dr[1], 0xA1);
    assert_int_equal(dr[2], 0x1000);
    assert_int_equal(dr[3], 0x2002);
    assert_int_equal(lg_of(dr7, 0), 1);
    assert_int_equal(rw_of(dr7, 0), 1);
    assert_int_equal(len_of(dr7, 0), 3);
    assert_int_equal(lg_of(dr7, 1), 2);
    assert_int_equal(rw_of(dr7, 1), 3);
    assert_int_equal(len_of(dr7, 1), 2);
    assert_int_equal(lg_of(dr7, 2), 2);
    assert_int_equal(rw_of(dr7, 2), 0);
    assert_int_equal(len_of(dr7, 2), 0);
    assert_int_equal(lg_of(dr7, 3), 2);
    assert_int_equal(rw_of(dr7, 3), 1);
    assert_int_equal(len_of(dr7, 3), 1);
    assert_int_equal(dr7 & 0xFF00, 0x400 | LE | GE | GD);
    /* A slot enabled in the guest's DR7 but not yet placed around (written
     * directly, no dr_rebalance) is the guest's all the same. */
    s.guest_dr7 = L(0) | L(1) | L(3);
    dr_compose(&s, dr, &dr7);
    assert_int_equal(dr7, 0x400 | L(0) | L(1) | G(2) | L(3));
    assert_int_equal(dr[3], 0xA3);
    assert_int_equal(dr_stub_slots(&s), 4);
    assert_int_equal(dr_stub_suspended(&s), 2);
    assert_int_equal(dr_guest_dr6(&s, DR6_FIXED | 0xF), DR6_FIXED | 0xB);
    dr_rebalance(&s);
    assert_int_equal(s.piece_slot[1], DR_NO_SLOT);
    assert_placed(&s);
    /* Clearing the stub gives the guest its registers back. */
    dr_stub_clear(&s);
    dr_compose(&s, dr, &dr7);
    assert_int_equal(dr7, 0x400 | L(0) | L(1) | L(3));
    assert_int_equal(dr[2], 0xA2);
    assert_int_equal(dr[3], 0xA3);
}

static void test_rebalance_mends_any_placement(void **state)
{
    (void)state;
    /* Two pieces written into one slot (never by this API): compose loads
     * the first; a rebalance moves the second to the lowest free slot. */
    struct dr_share s = { .guest_dr7 = L(0) };
    assert_int_equal(dr_stub_insert(&s, DR_Z_WRITE, 0x1000, 16), 0);      /* slots 1, 2 */
    s.piece_slot[1] = 1;
    assert_int_equal(dr_stub_slots(&s), 2);
    assert_int_equal(dr_stub_suspended(&s), 2);
    uint64_t dr[4], dr7;
    dr_compose(&s, dr, &dr7);
    assert_int_equal(dr[1], 0x1000);
    dr_rebalance(&s);
    assert_int_equal(s.piece_slot[0], 1);
    assert_int_equal(s.piece_slot[1], 2);
    assert_placed(&s);
    /* A placed struct does not change. */
    struct dr_share before;
    memcpy(&before, &s, sizeof(s));
    dr_rebalance(&s);
    assert_memory_equal(&s, &before, sizeof(s));
    /* An insert places around a DR7 written directly before taking slots. */
    s.guest_dr7 = L(1);
    assert_int_equal(dr_stub_insert(&s, DR_Z_HW, 0x3000, 1), 0);
    assert_int_equal(s.piece_slot[0], 0);
    assert_int_equal(s.piece_slot[1], 2);
    assert_int_equal(s.piece_slot[2], 3);
    assert_placed(&s);
}

static void test_dr6_splits_between_the_stub_and_the_guest(void **state)
{
    (void)state;
    struct dr_share s = { .guest_dr7 = L(3) };
    unsigned type = 99;
    uint64_t addr = 99;
    assert_int_equal(dr_stub_insert(&s, DR_Z_HW, 0x4000, 1), 0);          /* slot 0 */
    assert_int_equal(dr_stub_insert(&s, DR_Z_WRITE, 0x2002, 4), 0);       /* slots 1, 2 */
    /* Nothing of the stub's: type and address untouched. */
    assert_int_equal(dr_stub_hit(&s, DR6_FIXED | 8 | BS, &type, &addr), 0);
    assert_int_equal(type, 99);
    assert_int_equal(addr, 99);
    /* The breakpoint alone. */
    assert_int_equal(dr_stub_hit(&s, DR6_FIXED | 1, &type, &addr), 1);
    assert_int_equal(type, DR_Z_HW);
    assert_int_equal(addr, 0x4000);
    /* The watchpoint's second piece wins over the breakpoint, and reports
     * the address GDB gave; the guest's B3 is not the stub's. */
    assert_int_equal(dr_stub_hit(&s, DR6_FIXED | 0xD, &type, &addr), 5);
    assert_int_equal(type, DR_Z_WRITE);
    assert_int_equal(addr, 0x2002);
    /* Both pieces: the lower slot's request (the same one). */
    type = 0;
    assert_int_equal(dr_stub_hit(&s, DR6_FIXED | 6, &type, &addr), 6);
    assert_int_equal(type, DR_Z_WRITE);
    /* The guest sees its own B3, BD, BS, BT and the fixed bits, not B0-B2. */
    assert_int_equal(dr_guest_dr6(&s, DR6_FIXED | 0xF | BD | BS | BT), DR6_FIXED | 8 | BD | BS | BT);
    assert_int_equal(dr_guest_dr6(&s, DR6_FIXED | 7), DR6_FIXED);
    dr_stub_clear(&s);
    assert_int_equal(dr_guest_dr6(&s, DR6_FIXED | 7), DR6_FIXED | 7);
    assert_int_equal(dr_stub_hit(&s, DR6_FIXED | 0xF, &type, &addr), 0);
    /* Two breakpoints at once: the lower slot. */
    assert_int_equal(dr_stub_insert(&s, DR_Z_HW, 0x4000, 1), 0);
    assert_int_equal(dr_stub_insert(&s, DR_Z_HW, 0x5000, 1), 0);
    assert_int_equal(dr_stub_hit(&s, DR6_FIXED | 3, &type, &addr), 3);
    assert_int_equal(type, DR_Z_HW);
    assert_int_equal(addr, 0x4000);
}

static void test_guest_hits_count_every_enabled_slot(void **state)
{
    (void)state;
    /* The guest enables DR0 and DR3; its DR1 is set up but disabled. */
    struct dr_share s = { .guest_dr7 = L(0) | RW(1, 1) | G(3) };
    assert_int_equal(dr_guest_hits(&s, DR6_FIXED | 0xF | BS), 9);
    assert_int_equal(dr_guest_hits(&s, DR6_FIXED | 2 | BD | BS), 0);
    /* The stub in DR1 and DR2: the guest's DR0 and DR3 stay its own. */
    assert_int_equal(dr_stub_insert(&s, DR_Z_ACCESS, 0x1006, 4), 0);
    assert_int_equal(dr_stub_slots(&s), 6);
    assert_int_equal(dr_guest_hits(&s, DR6_FIXED | 0xF), 9);
    assert_int_equal(dr_stub_insert(&s, DR_Z_HW, 0x8000, 1), DR_ERR_FULL);
    assert_int_equal(dr_guest_hits(&s, DR6_FIXED | 6), 0);
    /* The guest enabling DR1 as well: its B1 counts, the piece there is suspended. */
    dr_guest_write(&s, 7, L(0) | L(1) | G(3));
    assert_int_equal(dr_guest_hits(&s, DR6_FIXED | 0xF), 0xB);
    assert_int_equal(dr_guest_dr6(&s, DR6_FIXED | 0xF), DR6_FIXED | 0xB);
}

static void test_each_vcpu_takes_the_stubs_half(void **state)
{
    (void)state;
    /* The stub's own struct: its guest half stands for every vCPU's
     * (DR1 enabled by one of them). */
    struct dr_share stub = { .no_len8 = 1 };
    dr_guest_write(&stub, 7, G(1));
    assert_int_equal(dr_stub_insert(&stub, DR_Z_WRITE, 0x1000, 8), 0);
    assert_int_equal(dr_stub_slots(&stub), 5);
    /* A vCPU enabling DR1 and DR2: piece 1 moves from DR2 to DR3. */
    struct dr_share vcpu = { .guest_dr = { 0xA0, 0xA1, 0xA2, 0xA3 }, .guest_dr7 = L(1) | L(2) }, expect;
    dr_share_take_stub(&vcpu, &stub);
    memcpy(&expect, &stub, sizeof(stub));
    memcpy(expect.guest_dr, vcpu.guest_dr, sizeof(expect.guest_dr));
    expect.guest_dr7 = L(1) | L(2);
    expect.piece_slot[1] = 3;
    assert_memory_equal(&vcpu, &expect, sizeof(vcpu));
    assert_int_equal(dr_stub_suspended(&vcpu), 0);
    uint64_t dr[4], dr7;
    dr_compose(&vcpu, dr, &dr7);
    assert_int_equal(dr[0], 0x1000);
    assert_int_equal(dr[1], 0xA1);
    assert_int_equal(dr[2], 0xA2);
    assert_int_equal(dr[3], 0x1004);
    assert_int_equal(dr7, 0x400 | G(0) | RW(0, 1) | LEN(0, 3) | L(1) | L(2) | G(3) | RW(3, 1) | LEN(3, 3));
    /* The stub's struct suspends when the vCPUs together enable three
     * slots; a vCPU enabling fewer still loads every piece. */
    dr_guest_write(&stub, 7, G(0) | G(1) | G(2));
    assert_int_equal(dr_stub_suspended(&stub), 2);
    assert_int_equal(dr_stub_held(&stub), 3);
    dr_share_take_stub(&vcpu, &stub);
    assert_int_equal(dr_stub_suspended(&vcpu), 0);
    assert_int_equal(vcpu.piece_slot[0], 3);
    assert_int_equal(vcpu.piece_slot[1], 0);
    assert_placed(&vcpu);
    /* The stub's requests gone: the vCPU's slots are its own again. */
    dr_stub_clear(&stub);
    dr_share_take_stub(&vcpu, &stub);
    assert_int_equal(dr_stub_held(&vcpu), 0);
    assert_int_equal(vcpu.piece_addr[1], 0);
    dr_compose(&vcpu, dr, &dr7);
    assert_int_equal(dr[3], 0xA3);
    assert_int_equal(dr7, 0x400 | L(1) | L(2));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_enabled_io_breakpoint_matches_its_port),
        cmocka_unit_test(test_disabled_or_other_kinds_do_not_match),
        cmocka_unit_test(test_length_aligns_the_breakpoint_down),
        cmocka_unit_test(test_several_breakpoints_report_every_match),
        cmocka_unit_test(test_unsupported_types_are_refused),
        cmocka_unit_test(test_watchpoint_lengths_are_checked_breakpoint_kind_ignored),
        cmocka_unit_test(test_insert_takes_only_slots_the_guest_leaves),
        cmocka_unit_test(test_unaligned_ranges_split_into_aligned_pieces),
        cmocka_unit_test(test_no_slot_changes_when_a_request_does_not_fit),
        cmocka_unit_test(test_inserting_again_takes_no_slot),
        cmocka_unit_test(test_remove_releases_exactly_the_request),
        cmocka_unit_test(test_guest_enabling_a_stub_slot_moves_the_piece),
        cmocka_unit_test(test_no_free_slot_suspends_until_one_frees),
        cmocka_unit_test(test_a_request_may_lose_some_pieces_and_keep_others),
        cmocka_unit_test(test_compose_keeps_the_guest_and_replaces_stub_slots),
        cmocka_unit_test(test_rebalance_mends_any_placement),
        cmocka_unit_test(test_dr6_splits_between_the_stub_and_the_guest),
        cmocka_unit_test(test_guest_hits_count_every_enabled_slot),
        cmocka_unit_test(test_each_vcpu_takes_the_stubs_half),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
