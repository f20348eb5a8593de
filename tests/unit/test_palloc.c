// covers: kernel/palloc.c
/*
 * test_palloc.c - host unit tests of the first-fit bitmap page allocator
 * (kernel/palloc.c). Addresses are plain numbers: the pool starts at BASE.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "../../kernel/palloc.h"

#define BASE 0x40000000ull
#define PG PALLOC_PAGE
#define MAXPAGES 512

/* The allocator under test with its bitmap; one per test. */
struct pool {
    struct palloc a;
    uint64_t bitmap[palloc_bitmap_words(MAXPAGES) + 1];  /* +1: guard word */
};

#define GUARD 0xA5A5A5A5A5A5A5A5ull

static void pool_init(struct pool *p, size_t npages)
{
    assert_true(npages <= MAXPAGES);
    memset(p->bitmap, 0xFF, sizeof(p->bitmap));
    p->bitmap[palloc_bitmap_words(npages)] = GUARD;
    palloc_init(&p->a, BASE, npages, p->bitmap);
}

/* Address of page index i. */
static uint64_t page(size_t i)
{
    return BASE + (uint64_t)i * PG;
}

static bool page_used(const struct pool *p, size_t i)
{
    return p->bitmap[i / 64] & (1ull << (i % 64));
}

/* Pages in use according to the bitmap, checked against a->used. */
static size_t count_used(const struct pool *p)
{
    size_t n = 0;
    for (size_t i = 0; i < p->a.npages; i++)
        n += page_used(p, i);
    return n;
}

static void assert_counters(const struct pool *p, size_t used, size_t peak, uint64_t allocs,
                            uint64_t frees, uint64_t failures)
{
    assert_int_equal(p->a.used, used);
    assert_int_equal(count_used(p), used);
    assert_int_equal(p->a.peak, peak);
    assert_int_equal(p->a.allocs, allocs);
    assert_int_equal(p->a.frees, frees);
    assert_int_equal(p->a.failures, failures);
}

/* ---- init ---------------------------------------------------------------- */

static void test_bitmap_words(void **state)
{
    (void)state;
    assert_int_equal(palloc_bitmap_words(0), 0);
    assert_int_equal(palloc_bitmap_words(1), 1);
    assert_int_equal(palloc_bitmap_words(64), 1);
    assert_int_equal(palloc_bitmap_words(65), 2);
    assert_int_equal(palloc_bitmap_words(128), 2);
    assert_int_equal(palloc_bitmap_words(129), 3);
}

static void test_init_clears_state_and_bitmap(void **state)
{
    (void)state;
    struct pool p;
    memset(&p.a, 0x5A, sizeof(p.a));
    pool_init(&p, 100);
    assert_int_equal(p.a.base, BASE);
    assert_int_equal(p.a.npages, 100);
    assert_ptr_equal(p.a.bitmap, p.bitmap);
    assert_int_equal(p.bitmap[0], 0);
    assert_int_equal(p.bitmap[1], 0);
    /* Only the words the bitmap needs are cleared. */
    assert_int_equal(p.bitmap[2], GUARD);
    assert_counters(&p, 0, 0, 0, 0, 0);
}

/* ---- alloc --------------------------------------------------------------- */

static void test_alloc_single_pages_first_fit(void **state)
{
    (void)state;
    struct pool p;
    pool_init(&p, 64);
    assert_int_equal(palloc_alloc(&p.a, 1, 1), page(0));
    assert_int_equal(palloc_alloc(&p.a, 1, 1), page(1));
    assert_int_equal(palloc_alloc(&p.a, 1, 1), page(2));
    assert_true(page_used(&p, 0) && page_used(&p, 1) && page_used(&p, 2));
    assert_false(page_used(&p, 3));
    assert_counters(&p, 3, 3, 3, 0, 0);
}

static void test_alloc_multi_contiguous(void **state)
{
    (void)state;
    struct pool p;
    pool_init(&p, 64);
    assert_int_equal(palloc_alloc(&p.a, 5, 1), page(0));
    assert_int_equal(palloc_alloc(&p.a, 3, 1), page(5));
    for (size_t i = 0; i < 8; i++)
        assert_true(page_used(&p, i));
    assert_false(page_used(&p, 8));
    assert_counters(&p, 8, 8, 2, 0, 0);
}

static void test_alloc_multi_across_bitmap_words(void **state)
{
    (void)state;
    struct pool p;
    pool_init(&p, 200);
    assert_int_equal(palloc_alloc(&p.a, 60, 1), page(0));
    assert_int_equal(palloc_alloc(&p.a, 10, 1), page(60));    /* pages 60..69 */
    assert_int_equal(p.bitmap[0], ~0ull);
    assert_int_equal(p.bitmap[1], 0x3Full);
    assert_counters(&p, 70, 70, 2, 0, 0);
}

static void test_alloc_whole_pool(void **state)
{
    (void)state;
    struct pool p;
    pool_init(&p, 128);
    assert_int_equal(palloc_alloc(&p.a, 128, 1), page(0));
    assert_int_equal(p.bitmap[0], ~0ull);
    assert_int_equal(p.bitmap[1], ~0ull);
    assert_int_equal(palloc_alloc(&p.a, 1, 1), 0);
    assert_counters(&p, 128, 128, 1, 0, 1);
}

static void test_alloc_aligned(void **state)
{
    (void)state;
    struct pool p;
    pool_init(&p, 256);
    assert_int_equal(palloc_alloc(&p.a, 1, 1), page(0));
    /* Next free index is 1; with align 8 the block starts at index 8. */
    assert_int_equal(palloc_alloc(&p.a, 2, 8), page(8));
    assert_int_equal(palloc_alloc(&p.a, 1, 16), page(16));
    /* Unaligned requests still fill the gaps first. */
    assert_int_equal(palloc_alloc(&p.a, 7, 1), page(1));
    assert_int_equal(palloc_alloc(&p.a, 1, 1), page(10));
    assert_counters(&p, 12, 12, 5, 0, 0);
}

static void test_alloc_aligned_skips_over_used_pages(void **state)
{
    (void)state;
    struct pool p;
    pool_init(&p, 256);
    /* Occupy index 70 only: [0..63] free, 64..69 taken by a block we free. */
    assert_int_equal(palloc_alloc(&p.a, 71, 1), page(0));
    assert_int_equal(palloc_free(&p.a, page(0), 70), 0);
    /* 64 pages aligned to 64: index 0 fits exactly. */
    assert_int_equal(palloc_alloc(&p.a, 64, 64), page(0));
    /* Another 64 aligned to 64: index 64 is blocked at 70, next is 128. */
    assert_int_equal(palloc_alloc(&p.a, 64, 64), page(128));
    /* 2 aligned to 4: 64..69 free, so 64 fits. */
    assert_int_equal(palloc_alloc(&p.a, 2, 4), page(64));
    /* 4 aligned to 4: 68..71 contains 70 -> skip to 72. */
    assert_int_equal(palloc_alloc(&p.a, 4, 4), page(72));
    /* 1 aligned to 2: 66 is free. */
    assert_int_equal(palloc_alloc(&p.a, 1, 2), page(66));
    assert_counters(&p, 136, 136, 6, 1, 0);
}

static void test_alloc_skip_keeps_alignment_after_long_used_run(void **state)
{
    (void)state;
    struct pool p;
    pool_init(&p, 64);
    /* Pages 0 and 5..12 used; first fit for 3 aligned to 4 is index 16. */
    assert_int_equal(palloc_alloc(&p.a, 13, 1), page(0));
    assert_int_equal(palloc_free(&p.a, page(1), 4), 0);
    assert_int_equal(palloc_alloc(&p.a, 3, 4), page(16));
    /* 3 aligned to 2: index 2..4 is free (0 used, 1 free but 2 aligned). */
    assert_int_equal(palloc_alloc(&p.a, 3, 2), page(2));
}

static void test_alloc_align_zero_is_one(void **state)
{
    (void)state;
    struct pool p;
    pool_init(&p, 64);
    assert_int_equal(palloc_alloc(&p.a, 1, 0), page(0));
    assert_int_equal(palloc_alloc(&p.a, 3, 0), page(1));
    assert_int_equal(palloc_alloc(&p.a, 1, 0), page(4));
    assert_counters(&p, 5, 5, 3, 0, 0);
}

static void test_alloc_align_larger_than_pool(void **state)
{
    (void)state;
    struct pool p;
    pool_init(&p, 64);
    /* Only index 0 is a multiple of 1024 inside the pool. */
    assert_int_equal(palloc_alloc(&p.a, 1, 1024), page(0));
    assert_int_equal(palloc_alloc(&p.a, 1, 1024), 0);
    assert_int_equal(palloc_alloc(&p.a, 1, 64), 0);
    assert_int_equal(palloc_alloc(&p.a, 1, 32), page(32));
    assert_counters(&p, 2, 2, 2, 0, 2);
}

static void test_alloc_huge_align_never_runs_past_pool(void **state)
{
    (void)state;
    struct pool p;
    pool_init(&p, 64);
    assert_int_equal(palloc_alloc(&p.a, 2, SIZE_MAX), page(0));
    /* Index 0 is taken: no other multiple of align exists. */
    assert_int_equal(palloc_alloc(&p.a, 1, SIZE_MAX), 0);
    assert_int_equal(palloc_alloc(&p.a, 1, SIZE_MAX - 1), 0);
    assert_int_equal(palloc_alloc(&p.a, 4, SIZE_MAX - 1), 0);
    assert_int_equal(palloc_alloc(&p.a, 1, (size_t)1 << 63), 0);
    assert_int_equal(p.bitmap[1], GUARD);
    assert_counters(&p, 2, 2, 1, 0, 4);
}

static void test_alloc_zero_pages_fails(void **state)
{
    (void)state;
    struct pool p;
    pool_init(&p, 64);
    assert_int_equal(palloc_alloc(&p.a, 0, 1), 0);
    assert_int_equal(p.bitmap[0], 0);
    assert_counters(&p, 0, 0, 0, 0, 1);
}

static void test_alloc_more_than_pool_fails(void **state)
{
    (void)state;
    struct pool p;
    pool_init(&p, 64);
    assert_int_equal(palloc_alloc(&p.a, 65, 1), 0);
    assert_int_equal(palloc_alloc(&p.a, SIZE_MAX, 1), 0);
    assert_int_equal(p.bitmap[0], 0);
    assert_counters(&p, 0, 0, 0, 0, 2);
}

static void test_alloc_exhaustion_counts_failures(void **state)
{
    (void)state;
    struct pool p;
    pool_init(&p, 10);
    for (size_t i = 0; i < 10; i++)
        assert_int_equal(palloc_alloc(&p.a, 1, 1), page(i));
    assert_int_equal(palloc_alloc(&p.a, 1, 1), 0);
    assert_int_equal(palloc_alloc(&p.a, 1, 1), 0);
    assert_counters(&p, 10, 10, 10, 0, 2);
}

static void test_alloc_fragmented_pool_fails(void **state)
{
    (void)state;
    struct pool p;
    pool_init(&p, 8);
    assert_int_equal(palloc_alloc(&p.a, 8, 1), page(0));
    /* Free every other page: 4 free pages, none contiguous. */
    for (size_t i = 0; i < 8; i += 2)
        assert_int_equal(palloc_free(&p.a, page(i), 1), 0);
    assert_int_equal(palloc_alloc(&p.a, 2, 1), 0);
    assert_int_equal(palloc_alloc(&p.a, 1, 4), page(0));
    assert_int_equal(palloc_alloc(&p.a, 1, 4), page(4));
    assert_int_equal(palloc_alloc(&p.a, 1, 4), 0);
    assert_int_equal(palloc_alloc(&p.a, 1, 1), page(2));
    assert_counters(&p, 7, 8, 4, 4, 2);
}

static void test_alloc_non_multiple_of_64_pages(void **state)
{
    (void)state;
    struct pool p;
    pool_init(&p, 70);
    assert_int_equal(palloc_alloc(&p.a, 64, 1), page(0));
    assert_int_equal(palloc_alloc(&p.a, 7, 1), 0);
    assert_int_equal(palloc_alloc(&p.a, 6, 1), page(64));
    assert_int_equal(p.bitmap[1], 0x3Full);
    assert_int_equal(palloc_alloc(&p.a, 1, 1), 0);
    assert_counters(&p, 70, 70, 2, 0, 2);
    /* Bits past npages and the word after the bitmap are never touched. */
    assert_int_equal(p.bitmap[2], GUARD);
}

static void test_alloc_tail_of_odd_pool(void **state)
{
    (void)state;
    struct pool p;
    pool_init(&p, 3);
    assert_int_equal(palloc_alloc(&p.a, 1, 2), page(0));
    assert_int_equal(palloc_alloc(&p.a, 1, 2), page(2));
    assert_int_equal(palloc_alloc(&p.a, 1, 2), 0);
    assert_int_equal(palloc_alloc(&p.a, 1, 1), page(1));
    assert_int_equal(p.bitmap[0], 0x7ull);
    assert_int_equal(p.bitmap[1], GUARD);
}

static void test_alloc_empty_pool(void **state)
{
    (void)state;
    struct pool p;
    pool_init(&p, 0);
    assert_int_equal(p.bitmap[0], GUARD);
    assert_int_equal(palloc_alloc(&p.a, 1, 1), 0);
    assert_int_equal(palloc_free(&p.a, BASE, 1), -1);
    assert_counters(&p, 0, 0, 0, 0, 1);
}

static void test_alloc_nonzero_base_addresses(void **state)
{
    (void)state;
    struct pool p;
    uint64_t bm[1];
    palloc_init(&p.a, 0x1000, 4, bm);
    assert_int_equal(palloc_alloc(&p.a, 2, 1), 0x1000);
    assert_int_equal(palloc_alloc(&p.a, 1, 1), 0x3000);
    assert_int_equal(palloc_free(&p.a, 0x1000, 2), 0);
    assert_int_equal(bm[0], 0x4ull);
}

/* ---- free ---------------------------------------------------------------- */

static void test_free_and_reuse(void **state)
{
    (void)state;
    struct pool p;
    pool_init(&p, 64);
    uint64_t a = palloc_alloc(&p.a, 4, 1);
    uint64_t b = palloc_alloc(&p.a, 4, 1);
    assert_int_equal(a, page(0));
    assert_int_equal(b, page(4));
    assert_int_equal(palloc_free(&p.a, a, 4), 0);
    for (size_t i = 0; i < 4; i++)
        assert_false(page_used(&p, i));
    assert_counters(&p, 4, 8, 2, 1, 0);
    /* The freed hole is reused first-fit. */
    assert_int_equal(palloc_alloc(&p.a, 2, 1), page(0));
    assert_int_equal(palloc_alloc(&p.a, 3, 1), page(8));
    assert_int_equal(palloc_alloc(&p.a, 2, 1), page(2));
    assert_counters(&p, 11, 11, 5, 1, 0);
}

static void test_free_part_of_block(void **state)
{
    (void)state;
    struct pool p;
    pool_init(&p, 64);
    assert_int_equal(palloc_alloc(&p.a, 8, 1), page(0));
    assert_int_equal(palloc_free(&p.a, page(2), 3), 0);
    assert_int_equal(p.bitmap[0], 0xE3ull);
    assert_counters(&p, 5, 8, 1, 1, 0);
}

static void test_free_last_page_of_pool(void **state)
{
    (void)state;
    struct pool p;
    pool_init(&p, 70);
    assert_int_equal(palloc_alloc(&p.a, 70, 1), page(0));
    assert_int_equal(palloc_free(&p.a, page(69), 1), 0);
    assert_int_equal(palloc_alloc(&p.a, 1, 1), page(69));
}

static void test_peak_tracks_maximum(void **state)
{
    (void)state;
    struct pool p;
    pool_init(&p, 64);
    uint64_t a = palloc_alloc(&p.a, 10, 1);
    uint64_t b = palloc_alloc(&p.a, 5, 1);
    assert_int_equal(palloc_free(&p.a, a, 10), 0);
    assert_int_equal(palloc_free(&p.a, b, 5), 0);
    assert_counters(&p, 0, 15, 2, 2, 0);
    assert_int_not_equal(palloc_alloc(&p.a, 3, 1), 0);
    assert_counters(&p, 3, 15, 3, 2, 0);
    assert_int_not_equal(palloc_alloc(&p.a, 20, 1), 0);
    assert_counters(&p, 23, 23, 4, 2, 0);
}

/* Every rejected free leaves bitmap and counters exactly as they were. */
static void assert_free_rejected(struct pool *p, uint64_t addr, size_t n)
{
    struct palloc before = p->a;
    uint64_t bm[sizeof(p->bitmap) / sizeof(p->bitmap[0])];
    memcpy(bm, p->bitmap, sizeof(bm));
    assert_int_equal(palloc_free(&p->a, addr, n), -1);
    assert_memory_equal(&before, &p->a, sizeof(before));
    assert_memory_equal(bm, p->bitmap, sizeof(bm));
}

static void test_double_free_rejected(void **state)
{
    (void)state;
    struct pool p;
    pool_init(&p, 64);
    uint64_t a = palloc_alloc(&p.a, 2, 1);
    assert_int_equal(palloc_free(&p.a, a, 2), 0);
    assert_free_rejected(&p, a, 2);
    assert_free_rejected(&p, a, 1);
    assert_counters(&p, 0, 2, 1, 1, 0);
}

static void test_free_partially_used_range_rejected(void **state)
{
    (void)state;
    struct pool p;
    pool_init(&p, 64);
    assert_int_equal(palloc_alloc(&p.a, 4, 1), page(0));
    /* Pages 3..4: 4 is free, so nothing is freed (3 stays in use). */
    assert_free_rejected(&p, page(3), 2);
    assert_true(page_used(&p, 3));
    /* Free page first, then used ones. */
    assert_int_equal(palloc_free(&p.a, page(1), 1), 0);
    assert_free_rejected(&p, page(0), 4);
    assert_true(page_used(&p, 0));
    assert_counters(&p, 3, 4, 1, 1, 0);
}

static void test_free_out_of_range_rejected(void **state)
{
    (void)state;
    struct pool p;
    pool_init(&p, 64);
    assert_int_equal(palloc_alloc(&p.a, 64, 1), page(0));
    assert_free_rejected(&p, BASE - PG, 1);             /* below the pool */
    assert_free_rejected(&p, 0, 1);
    assert_free_rejected(&p, page(64), 1);              /* just past the end */
    assert_free_rejected(&p, page(1000), 1);
    assert_free_rejected(&p, page(63), 2);              /* runs past the end */
    assert_free_rejected(&p, page(0), 65);
    assert_free_rejected(&p, page(1), SIZE_MAX);        /* first + n would wrap */
    assert_free_rejected(&p, UINT64_MAX & ~(uint64_t)(PG - 1), 1);
    assert_counters(&p, 64, 64, 1, 0, 0);
}

static void test_free_misaligned_rejected(void **state)
{
    (void)state;
    struct pool p;
    pool_init(&p, 64);
    assert_int_equal(palloc_alloc(&p.a, 4, 1), page(0));
    assert_free_rejected(&p, page(0) + 1, 1);
    assert_free_rejected(&p, page(1) + 0x800, 1);
    assert_free_rejected(&p, page(2) - 8, 1);
    assert_counters(&p, 4, 4, 1, 0, 0);
}

static void test_free_zero_length_rejected(void **state)
{
    (void)state;
    struct pool p;
    pool_init(&p, 64);
    assert_int_equal(palloc_alloc(&p.a, 1, 1), page(0));
    assert_free_rejected(&p, page(0), 0);
    assert_free_rejected(&p, page(5), 0);
    assert_counters(&p, 1, 1, 1, 0, 0);
}

static void test_alloc_free_cycle_keeps_counters(void **state)
{
    (void)state;
    struct pool p;
    pool_init(&p, 130);
    uint64_t addrs[130];
    for (size_t i = 0; i < 130; i++)
        addrs[i] = palloc_alloc(&p.a, 1, 1);
    for (size_t i = 0; i < 130; i += 2)
        assert_int_equal(palloc_free(&p.a, addrs[i], 1), 0);
    assert_counters(&p, 65, 130, 130, 65, 0);
    for (size_t i = 0; i < 130; i += 2)
        assert_int_equal(palloc_alloc(&p.a, 1, 1), addrs[i]);
    assert_int_equal(palloc_alloc(&p.a, 1, 1), 0);
    assert_counters(&p, 130, 130, 195, 65, 1);
    assert_int_equal(p.bitmap[2], 0x3ull);
    assert_int_equal(p.bitmap[3], GUARD);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bitmap_words),
        cmocka_unit_test(test_init_clears_state_and_bitmap),
        cmocka_unit_test(test_alloc_single_pages_first_fit),
        cmocka_unit_test(test_alloc_multi_contiguous),
        cmocka_unit_test(test_alloc_multi_across_bitmap_words),
        cmocka_unit_test(test_alloc_whole_pool),
        cmocka_unit_test(test_alloc_aligned),
        cmocka_unit_test(test_alloc_aligned_skips_over_used_pages),
        cmocka_unit_test(test_alloc_skip_keeps_alignment_after_long_used_run),
        cmocka_unit_test(test_alloc_align_zero_is_one),
        cmocka_unit_test(test_alloc_align_larger_than_pool),
        cmocka_unit_test(test_alloc_huge_align_never_runs_past_pool),
        cmocka_unit_test(test_alloc_zero_pages_fails),
        cmocka_unit_test(test_alloc_more_than_pool_fails),
        cmocka_unit_test(test_alloc_exhaustion_counts_failures),
        cmocka_unit_test(test_alloc_fragmented_pool_fails),
        cmocka_unit_test(test_alloc_non_multiple_of_64_pages),
        cmocka_unit_test(test_alloc_tail_of_odd_pool),
        cmocka_unit_test(test_alloc_empty_pool),
        cmocka_unit_test(test_alloc_nonzero_base_addresses),
        cmocka_unit_test(test_free_and_reuse),
        cmocka_unit_test(test_free_part_of_block),
        cmocka_unit_test(test_free_last_page_of_pool),
        cmocka_unit_test(test_peak_tracks_maximum),
        cmocka_unit_test(test_double_free_rejected),
        cmocka_unit_test(test_free_partially_used_range_rejected),
        cmocka_unit_test(test_free_out_of_range_rejected),
        cmocka_unit_test(test_free_misaligned_rejected),
        cmocka_unit_test(test_free_zero_length_rejected),
        cmocka_unit_test(test_alloc_free_cycle_keeps_counters),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
