// covers: ept/ept.c kernel/memmap.c
/*
 * test_ept.c - host unit tests of EPT construction and walks (ept/ept.c).
 * Tables are real 4 KiB-aligned pages from aligned_alloc(); a table's
 * "physical address" is its pointer value, so the walker reads exactly
 * what ept_map wrote. The allocator can be told to fail after N tables.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "../../ept/ept.h"
#include "../../vmx/vmx_defs.h"

#define KiB 1024ull
#define MiB (1024ull * KiB)
#define GiB (1024ull * MiB)
#define PG  EPT_PAGE_4K

#define WB MEMTYPE_WB
#define UC MEMTYPE_UC

/* ---- table allocator ------------------------------------------------------ */

struct arena {
    uint64_t **pages;
    size_t n, cap;
    long budget;            /* tables left before alloc fails; < 0: unlimited */
    unsigned failures;
};

static struct arena A;

static uint64_t arena_alloc(void *ctx)
{
    struct arena *a = ctx;
    if (a->budget == 0) {
        a->failures++;
        return 0;
    }
    if (a->budget > 0)
        a->budget--;
    if (a->n == a->cap) {
        a->cap = a->cap ? a->cap * 2 : 64;
        a->pages = realloc(a->pages, a->cap * sizeof(*a->pages));
        assert_non_null(a->pages);
    }
    uint64_t *p = aligned_alloc(4096, 4096);
    assert_non_null(p);
    memset(p, 0, 4096);
    a->pages[a->n++] = p;
    uint64_t pa = (uint64_t)(uintptr_t)p;
    /* Must survive the entries' address mask. */
    assert_int_equal(pa & ~EPT_ADDR_MASK, 0);
    return pa;
}

static uint64_t *arena_table(void *ctx, uint64_t pa)
{
    (void)ctx;
    return (uint64_t *)(uintptr_t)pa;
}

static void arena_free(struct arena *a)
{
    for (size_t i = 0; i < a->n; i++)
        free(a->pages[i]);
    free(a->pages);
    memset(a, 0, sizeof(*a));
}

static int setup(void **state)
{
    (void)state;
    memset(&A, 0, sizeof(A));
    A.budget = -1;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    arena_free(&A);
    return 0;
}

static struct ept_ops ops(void)
{
    return (struct ept_ops){ .alloc_table = arena_alloc, .table = arena_table, .ctx = &A };
}

/* An empty map, allocator with budget tables left after the root. */
static void new_ept(struct ept *e, bool allow_1g, long budget)
{
    A.budget = -1;
    assert_int_equal(ept_init(e, ops(), allow_1g), 0);
    A.budget = budget;
}

static void assert_counts(const struct ept *e, uint64_t tables, uint64_t p4k, uint64_t p2m,
                          uint64_t p1g)
{
    assert_int_equal(e->tables, tables);
    assert_int_equal(A.n, tables);
    assert_int_equal(e->pages_4k, p4k);
    assert_int_equal(e->pages_2m, p2m);
    assert_int_equal(e->pages_1g, p1g);
}

/* gpa translates to itself through a page of size with perms/memtype. */
static void assert_mapped(const struct ept *e, uint64_t gpa, uint64_t size, uint64_t perms,
                          unsigned memtype)
{
    struct ept_walk w;
    ept_walk(e, gpa, &w);
    assert_true(w.mapped);
    assert_int_equal(w.hpa, gpa);
    assert_int_equal(w.page_size, size);
    assert_int_equal(w.perms, perms);
    assert_int_equal(w.memtype, memtype);
    int levels = size == EPT_PAGE_1G ? 2 : size == EPT_PAGE_2M ? 3 : 4;
    assert_int_equal(w.levels, levels);
}

static void assert_unmapped(const struct ept *e, uint64_t gpa)
{
    struct ept_walk w;
    ept_walk(e, gpa, &w);
    assert_false(w.mapped);
    assert_int_equal(w.hpa, 0);
    assert_int_equal(w.page_size, 0);
}

/* ---- entry layouts -------------------------------------------------------- */

static void test_table_entry_layout(void **state)
{
    (void)state;
    assert_int_equal(ept_table_entry(0x123456789000ull), 0x123456789007ull);
    assert_int_equal(ept_table_entry(0), EPT_RWX);
    /* Low 12 bits and bits 63:52 are not address bits. */
    assert_int_equal(ept_table_entry(0xFFF0000000001FFFull), 0x1007);
    assert_int_equal(ept_table_entry(0x000FFFFFFFFFF000ull), 0x000FFFFFFFFFF007ull);
    assert_int_equal(ept_table_entry(0x5000) & EPT_LARGE, 0);
}

static void test_leaf_layout(void **state)
{
    (void)state;
    assert_int_equal(ept_leaf(0x1000, EPT_READ, UC, false), 0x1001);
    assert_int_equal(ept_leaf(0x200000, EPT_RWX, WB, true), 0x2000B7);
    assert_int_equal(ept_leaf(0x40000000, EPT_READ | EPT_EXEC, MEMTYPE_WT, true),
                     0x40000000ull | 0x5 | (4 << 3) | 0x80);
    assert_int_equal(ept_leaf(0x7000, EPT_WRITE, MEMTYPE_WC, false), 0x700A);
    /* perms outside RWX, memtype past 3 bits and offset bits are dropped. */
    assert_int_equal(ept_leaf(0, 0xFFFFFFFF, WB, false), 0x37);
    assert_int_equal(ept_leaf(0, 0, 0xE, false), 0x30);
    assert_int_equal(ept_leaf(0x1234567, EPT_RWX, UC, false), 0x1234007);
    assert_int_equal(ept_leaf(0xFFF0000000003000ull, EPT_READ, UC, false), 0x3001);
}

static void test_eptp_layout(void **state)
{
    (void)state;
    assert_int_equal(ept_eptp(0x5000, false), 0x501E);
    assert_int_equal(ept_eptp(0x5000, true), 0x505E);
    assert_int_equal(ept_eptp(0x5FFF, false), 0x501E);
    assert_int_equal(ept_eptp(0x7ffff0000000ull, true), 0x7ffff000005Eull);
    assert_int_equal(EPTP_MEMTYPE_WB | EPTP_WALK_4, 0x1E);
}

/* ---- init ----------------------------------------------------------------- */

static void test_init_allocates_root(void **state)
{
    (void)state;
    struct ept e;
    memset(&e, 0x5A, sizeof(e));
    assert_int_equal(ept_init(&e, ops(), true), 0);
    assert_int_equal(A.n, 1);
    assert_int_equal(e.root, (uint64_t)(uintptr_t)A.pages[0]);
    assert_true(e.allow_1g);
    assert_ptr_equal(e.ops.ctx, &A);
    assert_counts(&e, 1, 0, 0, 0);
    assert_unmapped(&e, 0);
}

static void test_init_fails_without_memory(void **state)
{
    (void)state;
    struct ept e;
    A.budget = 0;
    assert_int_equal(ept_init(&e, ops(), false), -1);
    assert_int_equal(e.root, 0);
    assert_int_equal(e.tables, 0);
    assert_int_equal(A.failures, 1);
}

/* ---- ept_map: page sizes -------------------------------------------------- */

static void test_map_single_4k(void **state)
{
    (void)state;
    struct ept e;
    new_ept(&e, true, -1);
    assert_int_equal(ept_map(&e, 0x1000, PG, EPT_RWX, WB), 0);
    assert_counts(&e, 4, 1, 0, 0);          /* root, PDPT, PD, PT */
    assert_mapped(&e, 0x1000, PG, EPT_RWX, WB);
    assert_unmapped(&e, 0);
    assert_unmapped(&e, 0x2000);
}

static void test_map_2m_page(void **state)
{
    (void)state;
    struct ept e;
    new_ept(&e, false, -1);
    assert_int_equal(ept_map(&e, 2 * MiB, 2 * MiB, EPT_RWX, WB), 0);
    assert_counts(&e, 3, 0, 1, 0);          /* root, PDPT, PD */
    assert_mapped(&e, 2 * MiB, EPT_PAGE_2M, EPT_RWX, WB);
    assert_mapped(&e, 4 * MiB - 1, EPT_PAGE_2M, EPT_RWX, WB);
    assert_unmapped(&e, 4 * MiB);
    assert_unmapped(&e, 2 * MiB - 1);
}

static void test_map_1g_page_when_allowed(void **state)
{
    (void)state;
    struct ept e;
    new_ept(&e, true, -1);
    assert_int_equal(ept_map(&e, 1 * GiB, 1 * GiB, EPT_RWX, WB), 0);
    assert_counts(&e, 2, 0, 0, 1);          /* root, PDPT */
    assert_mapped(&e, 1 * GiB, EPT_PAGE_1G, EPT_RWX, WB);
    assert_mapped(&e, 2 * GiB - 1, EPT_PAGE_1G, EPT_RWX, WB);
    assert_unmapped(&e, 2 * GiB);
}

static void test_map_1g_range_without_1g_uses_2m(void **state)
{
    (void)state;
    struct ept e;
    new_ept(&e, false, -1);
    assert_int_equal(ept_map(&e, 1 * GiB, 1 * GiB, EPT_RWX, WB), 0);
    assert_counts(&e, 3, 0, 512, 0);
    assert_mapped(&e, 1 * GiB, EPT_PAGE_2M, EPT_RWX, WB);
    assert_mapped(&e, 1 * GiB + 511 * 2 * MiB, EPT_PAGE_2M, EPT_RWX, WB);
}

static void test_map_short_aligned_range_uses_4k(void **state)
{
    (void)state;
    struct ept e;
    new_ept(&e, true, -1);
    /* 2 MiB aligned but one page short of 2 MiB. */
    assert_int_equal(ept_map(&e, 0, 2 * MiB - PG, EPT_RWX, WB), 0);
    assert_counts(&e, 4, 511, 0, 0);
    assert_mapped(&e, 2 * MiB - 2 * PG, PG, EPT_RWX, WB);
    assert_unmapped(&e, 2 * MiB - PG);
}

static void test_map_mixed_alignment(void **state)
{
    (void)state;
    struct ept e;
    new_ept(&e, false, -1);
    /* 4 KiB up to 2 MiB, one 2 MiB page, 4 KiB after 4 MiB. */
    assert_int_equal(ept_map(&e, PG, 4 * MiB + 2 * PG, EPT_RWX, WB), 0);
    assert_counts(&e, 5, 511 + 3, 1, 0);    /* root, PDPT, PD, 2 PTs */
    assert_mapped(&e, PG, PG, EPT_RWX, WB);
    assert_mapped(&e, 2 * MiB - PG, PG, EPT_RWX, WB);
    assert_mapped(&e, 2 * MiB, EPT_PAGE_2M, EPT_RWX, WB);
    assert_mapped(&e, 4 * MiB, PG, EPT_RWX, WB);
    assert_mapped(&e, 4 * MiB + 2 * PG, PG, EPT_RWX, WB);
    assert_unmapped(&e, 0);
    assert_unmapped(&e, 4 * MiB + 3 * PG);
}

static void test_map_all_three_sizes(void **state)
{
    (void)state;
    struct ept e;
    new_ept(&e, true, -1);
    /* [1 GiB - 2 MiB, 2 GiB + 4 KiB): a 2 MiB page, a 1 GiB page, a 4 KiB page. */
    assert_int_equal(ept_map(&e, 1 * GiB - 2 * MiB, 1 * GiB + 2 * MiB + PG, EPT_RWX, WB), 0);
    assert_counts(&e, 5, 1, 1, 1);          /* root, PDPT, PD(0), PD(2G), PT */
    assert_mapped(&e, 1 * GiB - 2 * MiB, EPT_PAGE_2M, EPT_RWX, WB);
    assert_mapped(&e, 1 * GiB, EPT_PAGE_1G, EPT_RWX, WB);
    assert_mapped(&e, 2 * GiB, PG, EPT_RWX, WB);
    assert_unmapped(&e, 2 * GiB + PG);
}

static void test_map_crosses_pml4_entry(void **state)
{
    (void)state;
    struct ept e;
    new_ept(&e, true, -1);
    /* 512 GiB is the second PML4 entry. */
    assert_int_equal(ept_map(&e, 512 * GiB - 2 * GiB, 4 * GiB, EPT_RWX, WB), 0);
    assert_counts(&e, 3, 0, 0, 4);          /* root, two PDPTs */
    assert_mapped(&e, 512 * GiB - 1, EPT_PAGE_1G, EPT_RWX, WB);
    assert_mapped(&e, 512 * GiB, EPT_PAGE_1G, EPT_RWX, WB);
    assert_mapped(&e, 514 * GiB - 1, EPT_PAGE_1G, EPT_RWX, WB);
    assert_unmapped(&e, 514 * GiB);
    assert_unmapped(&e, 0);
}

static void test_map_zero_length_is_noop(void **state)
{
    (void)state;
    struct ept e;
    new_ept(&e, true, -1);
    assert_int_equal(ept_map(&e, 0x1000, 0, EPT_RWX, WB), 0);
    assert_counts(&e, 1, 0, 0, 0);
}

static void test_map_shares_tables(void **state)
{
    (void)state;
    struct ept e;
    new_ept(&e, false, -1);
    assert_int_equal(ept_map(&e, 0x1000, PG, EPT_RWX, WB), 0);
    assert_int_equal(ept_map(&e, 0x5000, PG, EPT_READ, UC), 0);
    assert_int_equal(ept_map(&e, 0x1FF000, PG, EPT_RWX, WB), 0);
    assert_counts(&e, 4, 3, 0, 0);
    /* Next 2 MiB: a new PT, same PD. */
    assert_int_equal(ept_map(&e, 0x200000, PG, EPT_RWX, WB), 0);
    assert_counts(&e, 5, 4, 0, 0);
    assert_mapped(&e, 0x5000, PG, EPT_READ, UC);
}

/* ---- ept_map: replacing ---------------------------------------------------- */

static void test_replace_4k_leaf_keeps_counts(void **state)
{
    (void)state;
    struct ept e;
    new_ept(&e, true, -1);
    assert_int_equal(ept_map(&e, 0x3000, 2 * PG, EPT_RWX, WB), 0);
    assert_int_equal(ept_map(&e, 0x3000, PG, EPT_READ, UC), 0);
    assert_counts(&e, 4, 2, 0, 0);
    assert_mapped(&e, 0x3000, PG, EPT_READ, UC);
    assert_mapped(&e, 0x4000, PG, EPT_RWX, WB);
}

static void test_replace_2m_leaf_keeps_counts(void **state)
{
    (void)state;
    struct ept e;
    new_ept(&e, false, -1);
    assert_int_equal(ept_map(&e, 0, 4 * MiB, EPT_RWX, WB), 0);
    assert_int_equal(ept_map(&e, 2 * MiB, 2 * MiB, EPT_READ | EPT_EXEC, MEMTYPE_WT), 0);
    assert_counts(&e, 3, 0, 2, 0);
    assert_mapped(&e, 0, EPT_PAGE_2M, EPT_RWX, WB);
    assert_mapped(&e, 3 * MiB, EPT_PAGE_2M, EPT_READ | EPT_EXEC, MEMTYPE_WT);
}

static void test_replace_1g_leaf_keeps_counts(void **state)
{
    (void)state;
    struct ept e;
    new_ept(&e, true, -1);
    assert_int_equal(ept_map(&e, 0, 2 * GiB, EPT_RWX, WB), 0);
    assert_int_equal(ept_map(&e, 0, 1 * GiB, EPT_RWX, UC), 0);
    assert_counts(&e, 2, 0, 0, 2);
    assert_mapped(&e, 0, EPT_PAGE_1G, EPT_RWX, UC);
    assert_mapped(&e, 1 * GiB, EPT_PAGE_1G, EPT_RWX, WB);
}

/* ---- ept_map: refusals ----------------------------------------------------- */

static void test_map_misaligned_rejected(void **state)
{
    (void)state;
    struct ept e;
    new_ept(&e, true, -1);
    assert_int_equal(ept_map(&e, 0x1001, PG, EPT_RWX, WB), -1);
    assert_int_equal(ept_map(&e, 0x1000, 0x800, EPT_RWX, WB), -1);
    assert_int_equal(ept_map(&e, 0x1800, 0x1800, EPT_RWX, WB), -1);
    assert_int_equal(ept_map(&e, 0, PG + 1, EPT_RWX, WB), -1);
    assert_counts(&e, 1, 0, 0, 0);
}

static void test_map_wrapping_rejected(void **state)
{
    (void)state;
    struct ept e;
    new_ept(&e, true, -1);
    assert_int_equal(ept_map(&e, 0xFFFFFFFFFFFFF000ull, 2 * PG, EPT_RWX, WB), -1);
    assert_int_equal(ept_map(&e, 0xFFFFFFFFFFFFF000ull, PG, EPT_RWX, WB), -1);
    assert_int_equal(ept_map(&e, 0x1000, 0xFFFFFFFFFFFFF000ull, EPT_RWX, WB), -1);
    assert_counts(&e, 1, 0, 0, 0);
}

static void test_map_4k_inside_2m_page_refused(void **state)
{
    (void)state;
    struct ept e;
    new_ept(&e, false, -1);
    assert_int_equal(ept_map(&e, 0, 2 * MiB, EPT_RWX, WB), 0);
    assert_int_equal(ept_map(&e, 0x1000, PG, EPT_READ, UC), -1);
    assert_counts(&e, 3, 0, 1, 0);
    assert_mapped(&e, 0x1000, EPT_PAGE_2M, EPT_RWX, WB);
}

static void test_map_inside_1g_page_refused(void **state)
{
    (void)state;
    struct ept e;
    new_ept(&e, true, -1);
    assert_int_equal(ept_map(&e, 0, 1 * GiB, EPT_RWX, WB), 0);
    assert_int_equal(ept_map(&e, 2 * MiB, 2 * MiB, EPT_RWX, UC), -1);
    assert_int_equal(ept_map(&e, 0x5000, PG, EPT_RWX, UC), -1);
    assert_counts(&e, 2, 0, 0, 1);
    assert_mapped(&e, 2 * MiB, EPT_PAGE_1G, EPT_RWX, WB);
}

static void test_map_large_page_over_table_refused(void **state)
{
    (void)state;
    struct ept e;
    new_ept(&e, true, -1);
    assert_int_equal(ept_map(&e, 0x1000, PG, EPT_RWX, WB), 0);
    /* A PT hangs under PD[0] and a PD under PDPT[0]. */
    assert_int_equal(ept_map(&e, 0, 2 * MiB, EPT_RWX, WB), -1);
    assert_int_equal(ept_map(&e, 0, 1 * GiB, EPT_RWX, WB), -1);
    assert_counts(&e, 4, 1, 0, 0);
    assert_mapped(&e, 0x1000, PG, EPT_RWX, WB);
    assert_unmapped(&e, 0);
}

static void test_map_allocation_failure(void **state)
{
    (void)state;
    struct ept e;
    /* A 4 KiB page needs PDPT, PD and PT: fail on each. */
    for (long budget = 0; budget < 3; budget++) {
        teardown(NULL);
        setup(NULL);
        new_ept(&e, true, budget);
        assert_int_equal(ept_map(&e, 0x1000, PG, EPT_RWX, WB), -1);
        assert_int_equal(A.failures, 1);
        assert_counts(&e, 1 + (uint64_t)budget, 0, 0, 0);
        assert_unmapped(&e, 0x1000);
    }
    /* With the tables it needs, it works; tables built so far are reused. */
    A.budget = 1;
    assert_int_equal(ept_map(&e, 0x1000, PG, EPT_RWX, WB), 0);
    assert_counts(&e, 4, 1, 0, 0);
    assert_mapped(&e, 0x1000, PG, EPT_RWX, WB);
}

static void test_map_allocation_failure_midway(void **state)
{
    (void)state;
    struct ept e;
    new_ept(&e, false, 3);
    /* 4 KiB pages at 0 and 2 MiB: the second PT is one table too many. */
    assert_int_equal(ept_map(&e, 2 * MiB - PG, 2 * PG, EPT_RWX, WB), -1);
    assert_counts(&e, 4, 1, 0, 0);
    assert_mapped(&e, 2 * MiB - PG, PG, EPT_RWX, WB);
    assert_unmapped(&e, 2 * MiB);
}

/* ---- ept_walk -------------------------------------------------------------- */

static void test_walk_empty_map(void **state)
{
    (void)state;
    struct ept e;
    new_ept(&e, true, -1);
    struct ept_walk w;
    memset(&w, 0x5A, sizeof(w));
    ept_walk(&e, 0x12345678, &w);
    assert_int_equal(w.levels, 1);
    assert_int_equal(w.entry[0], 0);
    assert_false(w.mapped);
    assert_int_equal(w.hpa, 0);
    assert_int_equal(w.page_size, 0);
    assert_int_equal(w.perms, 0);
    assert_int_equal(w.memtype, 0);
}

static void test_walk_records_every_level(void **state)
{
    (void)state;
    struct ept e;
    new_ept(&e, true, -1);
    assert_int_equal(ept_map(&e, 0x7FE00000, PG, EPT_READ | EPT_WRITE, MEMTYPE_WP), 0);
    struct ept_walk w;
    ept_walk(&e, 0x7FE00ABC, &w);
    assert_int_equal(w.levels, 4);
    uint64_t *pml4 = (uint64_t *)(uintptr_t)e.root;
    assert_int_equal(w.entry[0], pml4[0]);
    assert_int_equal(w.entry[0] & 0xFFF, EPT_RWX);
    uint64_t *pdpt = (uint64_t *)(uintptr_t)(w.entry[0] & EPT_ADDR_MASK);
    assert_int_equal(w.entry[1], pdpt[1]);          /* 0x7FE00000 >> 30 = 1 */
    assert_int_equal(w.entry[1] & 0xFFF, EPT_RWX);
    uint64_t *pd = (uint64_t *)(uintptr_t)(w.entry[1] & EPT_ADDR_MASK);
    assert_int_equal(w.entry[2], pd[511]);          /* (0x7FE00000 >> 21) & 511 */
    assert_int_equal(w.entry[2] & 0xFFF, EPT_RWX);
    assert_int_equal(w.entry[3], 0x7FE00000ull | 0x3 | (5 << 3));
    assert_true(w.mapped);
    assert_int_equal(w.hpa, 0x7FE00ABC);
    assert_int_equal(w.page_size, PG);
    assert_int_equal(w.perms, EPT_READ | EPT_WRITE);
    assert_int_equal(w.memtype, MEMTYPE_WP);
}

static void test_walk_large_page_offsets(void **state)
{
    (void)state;
    struct ept e;
    new_ept(&e, true, -1);
    assert_int_equal(ept_map(&e, 0, 2 * MiB, EPT_EXEC, UC), 0);
    assert_int_equal(ept_map(&e, 3 * GiB, 1 * GiB, EPT_READ, WB), 0);
    struct ept_walk w;
    ept_walk(&e, 0x1ABCDE, &w);
    assert_int_equal(w.levels, 3);
    assert_int_equal(w.entry[2], EPT_LARGE | EPT_EXEC);
    assert_int_equal(w.hpa, 0x1ABCDE);
    assert_int_equal(w.page_size, EPT_PAGE_2M);
    assert_int_equal(w.perms, EPT_EXEC);
    assert_int_equal(w.memtype, UC);
    ept_walk(&e, 3 * GiB + 0x2345678, &w);
    assert_int_equal(w.levels, 2);
    assert_int_equal(w.entry[1], 3 * GiB | EPT_LARGE | EPT_READ | (WB << 3));
    assert_int_equal(w.hpa, 3 * GiB + 0x2345678);
    assert_int_equal(w.page_size, EPT_PAGE_1G);
    assert_int_equal(w.perms, EPT_READ);
    assert_int_equal(w.memtype, WB);
}

static void test_walk_translates_non_identity_leaf(void **state)
{
    (void)state;
    struct ept e;
    new_ept(&e, false, -1);
    assert_int_equal(ept_map(&e, 0x200000, 2 * MiB, EPT_RWX, WB), 0);
    assert_int_equal(ept_map(&e, 0x1000, PG, EPT_RWX, WB), 0);
    /* Point the leaves elsewhere by hand: the walk follows the entries. */
    struct ept_walk w;
    ept_walk(&e, 0x1000, &w);
    uint64_t *pd = (uint64_t *)(uintptr_t)(w.entry[1] & EPT_ADDR_MASK);
    uint64_t *pt = (uint64_t *)(uintptr_t)(w.entry[2] & EPT_ADDR_MASK);
    pt[1] = ept_leaf(0xABCDE000, EPT_RWX, WB, false);
    pd[1] = ept_leaf(0x80000000, EPT_READ, UC, true);
    ept_walk(&e, 0x1FFF, &w);
    assert_int_equal(w.hpa, 0xABCDEFFF);
    ept_walk(&e, 0x212345, &w);
    assert_int_equal(w.hpa, 0x80012345);
    assert_int_equal(w.perms, EPT_READ);
}

static void test_walk_stops_at_missing_levels(void **state)
{
    (void)state;
    struct ept e;
    new_ept(&e, true, -1);
    assert_int_equal(ept_map(&e, 0x1000, PG, EPT_RWX, WB), 0);
    struct ept_walk w;
    ept_walk(&e, 0x2000, &w);                   /* PTE empty */
    assert_int_equal(w.levels, 4);
    assert_int_equal(w.entry[3], 0);
    assert_false(w.mapped);
    ept_walk(&e, 0x200000, &w);                 /* PDE empty */
    assert_int_equal(w.levels, 3);
    assert_int_equal(w.entry[2], 0);
    assert_false(w.mapped);
    ept_walk(&e, 1 * GiB, &w);                  /* PDPTE empty */
    assert_int_equal(w.levels, 2);
    assert_false(w.mapped);
    ept_walk(&e, 512 * GiB, &w);                /* PML4E empty */
    assert_int_equal(w.levels, 1);
    assert_false(w.mapped);
}

/* ---- ept_map_identity ------------------------------------------------------ */

#define AVAIL MB2_MEM_AVAILABLE
#define RSVD  MB2_MEM_RESERVED
#define ACPI  MB2_MEM_ACPI
#define NVS   MB2_MEM_NVS

#define N(a) ((unsigned)(sizeof(a) / sizeof((a)[0])))

/* Bochs with 512 MiB, and where monovisor sits in it. */
static const struct mb2_mmap_entry bochs[] = {
    { 0x0, 0x9f000, AVAIL },
    { 0x9f000, 0x1000, RSVD },
    { 0xe8000, 0x18000, RSVD },
    { 0x100000, 0x1fef0000, AVAIL },
    { 0x1fff0000, 0x10000, ACPI },
    { 0xfffc0000, 0x40000, RSVD },
};
#define HV_START 0x1ec00000ull
#define HV_END   0x1fe1e000ull

static struct memmap gmap;

/* The memory type the guest map gives gpa: RAM and ACPI/NVS WB, the rest UC. */
static unsigned expected_type(const struct memmap *m, uint64_t gpa)
{
    for (unsigned i = 0; i < m->n; i++)
        if (gpa >= m->e[i].base && gpa - m->e[i].base < m->e[i].len)
            return m->e[i].type == AVAIL || m->e[i].type == ACPI || m->e[i].type == NVS ? WB : UC;
    return UC;
}

/* Every page of [0, top): unmapped inside [hv_start, hv_end), else identity
 * with the map's type. */
static void assert_identity(const struct ept *e, const struct memmap *m, uint64_t top,
                            uint64_t hv_start, uint64_t hv_end)
{
    struct ept_walk w;
    for (uint64_t gpa = 0; gpa < top; gpa += PG) {
        ept_walk(e, gpa, &w);
        if (gpa >= hv_start && gpa < hv_end) {
            if (w.mapped)
                fail_msg("hypervisor page %#llx is mapped", (unsigned long long)gpa);
            continue;
        }
        if (!w.mapped)
            fail_msg("page %#llx is not mapped", (unsigned long long)gpa);
        if (w.hpa != gpa || w.perms != EPT_RWX || w.memtype != expected_type(m, gpa))
            fail_msg("page %#llx: hpa %#llx perms %llu memtype %u", (unsigned long long)gpa,
                     (unsigned long long)w.hpa, (unsigned long long)w.perms, w.memtype);
    }
    ept_walk(e, top, &w);
    assert_false(w.mapped);
}

static void test_identity_bochs(void **state)
{
    (void)state;
    struct ept e;
    new_ept(&e, false, -1);
    memmap_guest_view(bochs, N(bochs), HV_START, HV_END, &gmap);
    assert_int_equal(ept_map_identity(&e, &gmap, HV_START, HV_END), 0);
    assert_identity(&e, &gmap, 4 * GiB, HV_START, HV_END);
    assert_true(e.pages_2m > 0);
    assert_int_equal(e.pages_1g, 0);
    /* Spot checks. */
    assert_mapped(&e, 0, PG, EPT_RWX, WB);
    assert_mapped(&e, 0x9f000, PG, EPT_RWX, UC);        /* EBDA, reserved */
    assert_mapped(&e, 0xb8000, PG, EPT_RWX, UC);        /* VGA hole */
    assert_mapped(&e, 0xf0000, PG, EPT_RWX, UC);        /* BIOS */
    assert_mapped(&e, 0x200000, EPT_PAGE_2M, EPT_RWX, WB);
    assert_mapped(&e, HV_START - PG, EPT_PAGE_2M, EPT_RWX, WB);
    assert_unmapped(&e, HV_START);
    assert_unmapped(&e, HV_END - 1);
    assert_mapped(&e, HV_END, PG, EPT_RWX, WB);
    assert_mapped(&e, 0x1fff0000, PG, EPT_RWX, WB);     /* ACPI tables */
    assert_mapped(&e, 0x20000000, EPT_PAGE_2M, EPT_RWX, UC);
    assert_mapped(&e, 0xfee00000, EPT_PAGE_2M, EPT_RWX, UC);
    assert_mapped(&e, 0xffffffff, EPT_PAGE_2M, EPT_RWX, UC);
    assert_unmapped(&e, 4 * GiB);
}

static void test_identity_bochs_with_1g_pages(void **state)
{
    (void)state;
    struct ept e;
    new_ept(&e, true, -1);
    memmap_guest_view(bochs, N(bochs), HV_START, HV_END, &gmap);
    assert_int_equal(ept_map_identity(&e, &gmap, HV_START, HV_END), 0);
    assert_identity(&e, &gmap, 4 * GiB, HV_START, HV_END);
    /* [1 GiB, 4 GiB) is one UC run: three 1 GiB pages. */
    assert_int_equal(e.pages_1g, 3);
    assert_true(e.pages_2m > 0);
    assert_mapped(&e, 1 * GiB, EPT_PAGE_1G, EPT_RWX, UC);
    assert_mapped(&e, 3 * GiB, EPT_PAGE_1G, EPT_RWX, UC);
}

static void test_identity_ram_above_4g(void **state)
{
    (void)state;
    /* QEMU-like: ~3 GiB low, 4.75 GiB above 4 GiB, HT hole reserved. */
    static const struct mb2_mmap_entry qemu[] = {
        { 0x0, 0x9fc00, AVAIL },
        { 0x9fc00, 0x400, RSVD },
        { 0xf0000, 0x10000, RSVD },
        { 0x100000, 0xbfee0000 - 0x100000, AVAIL },
        { 0xbfee0000, 0x20000, ACPI },
        { 0xfeffc000, 0x4000, RSVD },
        { 0xfffc0000, 0x40000, RSVD },
        { 0x100000000ull, 0x130000000ull, AVAIL },
        { 0xfd00000000ull, 0x300000000ull, RSVD },
    };
    uint64_t hv_start = 0xbf000000, hv_end = 0xbf400000;
    struct ept e;
    new_ept(&e, true, -1);
    memmap_guest_view(qemu, N(qemu), hv_start, hv_end, &gmap);
    assert_int_equal(memmap_ram_top(&gmap), 0x230000000ull);
    assert_int_equal(ept_map_identity(&e, &gmap, hv_start, hv_end), 0);
    assert_identity(&e, &gmap, 0x230000000ull, hv_start, hv_end);
    assert_mapped(&e, 0x9f000, PG, EPT_RWX, UC);         /* trimmed RAM page, reserved tail */
    assert_mapped(&e, 1 * GiB, EPT_PAGE_1G, EPT_RWX, WB);
    assert_mapped(&e, 0xbfee0000, PG, EPT_RWX, WB);
    assert_mapped(&e, 0xbff00000, PG, EPT_RWX, UC);             /* 1 MiB aligned only */
    assert_mapped(&e, 0xfec00000, EPT_PAGE_1G, EPT_RWX, UC);     /* [3 GiB, 4 GiB) all UC */
    assert_mapped(&e, 4 * GiB, EPT_PAGE_1G, EPT_RWX, WB);
    assert_mapped(&e, 8 * GiB, EPT_PAGE_2M, EPT_RWX, WB);
    assert_mapped(&e, 0x230000000ull - PG, EPT_PAGE_2M, EPT_RWX, WB);
    assert_int_equal(e.pages_1g, 6);                            /* 1-2, 3-4, 4-8 GiB */
    /* Past the top of RAM nothing is mapped, not even the reserved entry. */
    assert_unmapped(&e, 0x230000000ull);
    assert_unmapped(&e, 0xfd00000000ull);
}

static void test_identity_empty_map(void **state)
{
    (void)state;
    struct ept e;
    new_ept(&e, false, -1);
    memmap_guest_view(NULL, 0, 16 * MiB, 20 * MiB, &gmap);
    assert_int_equal(ept_map_identity(&e, &gmap, 16 * MiB, 20 * MiB), 0);
    assert_identity(&e, &gmap, 4 * GiB, 16 * MiB, 20 * MiB);
    /* Only 2 MiB pages: everything is 2 MiB aligned. */
    assert_int_equal(e.pages_4k, 0);
    assert_int_equal(e.pages_2m, 2048 - 2);
}

static void test_identity_without_hv_region(void **state)
{
    (void)state;
    struct ept e;
    new_ept(&e, true, -1);
    memmap_guest_view(bochs, N(bochs), 0, 0, &gmap);
    assert_int_equal(ept_map_identity(&e, &gmap, 0, 0), 0);
    assert_identity(&e, &gmap, 4 * GiB, 0, 0);
    assert_mapped(&e, HV_START, EPT_PAGE_2M, EPT_RWX, WB);
}

static void test_identity_hv_region_at_run_edges(void **state)
{
    (void)state;
    /* The hypervisor sits at the start of one RAM entry and in a UC hole. */
    static const struct mb2_mmap_entry in[] = {
        { 0, 0x9f000, AVAIL },
        { 0x100000, 63 * MiB, AVAIL },
        { 0xfec00000, 0x1000, RSVD },
    };
    struct ept e;
    new_ept(&e, false, -1);
    memmap_guest_view(in, N(in), 0x100000, 0x300000, &gmap);
    assert_int_equal(ept_map_identity(&e, &gmap, 0x100000, 0x300000), 0);
    assert_identity(&e, &gmap, 4 * GiB, 0x100000, 0x300000);
    teardown(NULL);
    setup(NULL);
    new_ept(&e, false, -1);
    memmap_guest_view(in, N(in), 0x80000000, 0x80200000, &gmap);
    assert_int_equal(ept_map_identity(&e, &gmap, 0x80000000, 0x80200000), 0);
    assert_identity(&e, &gmap, 4 * GiB, 0x80000000, 0x80200000);
}

static void test_identity_unaligned_firmware_entries(void **state)
{
    (void)state;
    /* A raw map (not through memmap_guest_view): entry edges are rounded
     * outwards to pages, so a page holding any RAM is mapped WB and an
     * entry already covered by the previous one is skipped. */
    static const struct mb2_mmap_entry e_in[] = {
        { 0, 0x9fc00, AVAIL },
        { 0x9fc00, 0x400, RSVD },
        { 0x100000, 0x800, ACPI },
        { 0x100800, 0x7fff800 - 0x100800, AVAIL },
    };
    struct memmap raw = { .n = N(e_in) };
    memcpy(raw.e, e_in, sizeof(e_in));
    struct ept e;
    new_ept(&e, false, -1);
    assert_int_equal(ept_map_identity(&e, &raw, 0, 0), 0);
    assert_mapped(&e, 0x9e000, PG, EPT_RWX, WB);
    assert_mapped(&e, 0x9f000, PG, EPT_RWX, WB);         /* holds RAM: end rounded up */
    assert_mapped(&e, 0xa0000, PG, EPT_RWX, UC);
    assert_mapped(&e, 0x100000, PG, EPT_RWX, WB);
    assert_mapped(&e, 0x101000, PG, EPT_RWX, WB);
    assert_mapped(&e, 0x7fff000, EPT_PAGE_2M, EPT_RWX, WB);
    assert_mapped(&e, 0x8000000, EPT_PAGE_2M, EPT_RWX, UC);
}

static void test_identity_allocation_failures(void **state)
{
    (void)state;
    struct ept e;
    new_ept(&e, false, -1);
    memmap_guest_view(bochs, N(bochs), HV_START, HV_END, &gmap);
    assert_int_equal(ept_map_identity(&e, &gmap, HV_START, HV_END), 0);
    uint64_t needed = e.tables - 1;
    assert_true(needed > 4);
    /* Any smaller budget fails cleanly, whichever table is the one too many. */
    for (long budget = 0; budget < (long)needed; budget++) {
        teardown(NULL);
        setup(NULL);
        new_ept(&e, false, budget);
        assert_int_equal(ept_map_identity(&e, &gmap, HV_START, HV_END), -1);
        assert_int_equal(A.failures, 1);
        assert_int_equal(e.tables, 1 + (uint64_t)budget);
    }
    teardown(NULL);
    setup(NULL);
    new_ept(&e, false, (long)needed);
    assert_int_equal(ept_map_identity(&e, &gmap, HV_START, HV_END), 0);
    assert_int_equal(A.failures, 0);
}

static void test_identity_allocation_failures_above_4g(void **state)
{
    (void)state;
    static const struct mb2_mmap_entry in[] = {
        { 0, 0x9f000, AVAIL },
        { 0x100000, 0x7ff00000, AVAIL },
        { 0x100000000ull, 0x100000000ull, AVAIL },
    };
    struct ept e;
    new_ept(&e, false, -1);
    memmap_guest_view(in, N(in), 0x1000000, 0x1200000, &gmap);
    assert_int_equal(ept_map_identity(&e, &gmap, 0x1000000, 0x1200000), 0);
    uint64_t needed = e.tables - 1;
    for (long budget = 0; budget < (long)needed; budget++) {
        teardown(NULL);
        setup(NULL);
        new_ept(&e, false, budget);
        assert_int_equal(ept_map_identity(&e, &gmap, 0x1000000, 0x1200000), -1);
    }
}

static void test_identity_hv_inside_uncarved_ram(void **state)
{
    (void)state;
    /* The map need not carve the hypervisor out: ept_map_identity skips
     * [hv_start, hv_end) inside a RAM run by itself. */
    struct ept e;
    new_ept(&e, false, -1);
    memmap_guest_view(bochs, N(bochs), 0, 0, &gmap);
    assert_int_equal(ept_map_identity(&e, &gmap, HV_START, HV_END), 0);
    assert_identity(&e, &gmap, 4 * GiB, HV_START, HV_END);
    assert_mapped(&e, HV_START - PG, EPT_PAGE_2M, EPT_RWX, WB);
    assert_mapped(&e, HV_END, PG, EPT_RWX, WB);
    /* Out of tables on either side of the hole: -1. */
    uint64_t needed = e.tables - 1;
    for (long budget = 0; budget < (long)needed; budget++) {
        teardown(NULL);
        setup(NULL);
        new_ept(&e, false, budget);
        assert_int_equal(ept_map_identity(&e, &gmap, HV_START, HV_END), -1);
        assert_int_equal(A.failures, 1);
    }
}

static void test_identity_fails_on_either_side_of_hv(void **state)
{
    (void)state;
    /* One RAM run around the hypervisor: PD 1 is first needed below it. */
    static const struct mb2_mmap_entry in[] = { { 0, 2 * GiB, AVAIL } };
    uint64_t hs = 1 * GiB + 2 * MiB, he = 1 * GiB + 4 * MiB;
    struct ept e;
    new_ept(&e, false, -1);
    memmap_guest_view(in, N(in), 0, 0, &gmap);
    assert_int_equal(ept_map_identity(&e, &gmap, hs, he), 0);
    assert_counts(&e, 6, 0, 2048 - 1, 0);  /* root, PDPT, 4 PDs */
    assert_mapped(&e, hs - PG, EPT_PAGE_2M, EPT_RWX, WB);
    assert_unmapped(&e, hs);
    assert_mapped(&e, he, EPT_PAGE_2M, EPT_RWX, WB);
    for (long budget = 0; budget < 5; budget++) {
        teardown(NULL);
        setup(NULL);
        new_ept(&e, false, budget);
        assert_int_equal(ept_map_identity(&e, &gmap, hs, he), -1);
        assert_int_equal(A.failures, 1);
    }
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_table_entry_layout),
        T(test_leaf_layout),
        T(test_eptp_layout),
        T(test_init_allocates_root),
        T(test_init_fails_without_memory),
        T(test_map_single_4k),
        T(test_map_2m_page),
        T(test_map_1g_page_when_allowed),
        T(test_map_1g_range_without_1g_uses_2m),
        T(test_map_short_aligned_range_uses_4k),
        T(test_map_mixed_alignment),
        T(test_map_all_three_sizes),
        T(test_map_crosses_pml4_entry),
        T(test_map_zero_length_is_noop),
        T(test_map_shares_tables),
        T(test_replace_4k_leaf_keeps_counts),
        T(test_replace_2m_leaf_keeps_counts),
        T(test_replace_1g_leaf_keeps_counts),
        T(test_map_misaligned_rejected),
        T(test_map_wrapping_rejected),
        T(test_map_4k_inside_2m_page_refused),
        T(test_map_inside_1g_page_refused),
        T(test_map_large_page_over_table_refused),
        T(test_map_allocation_failure),
        T(test_map_allocation_failure_midway),
        T(test_walk_empty_map),
        T(test_walk_records_every_level),
        T(test_walk_large_page_offsets),
        T(test_walk_translates_non_identity_leaf),
        T(test_walk_stops_at_missing_levels),
        T(test_identity_bochs),
        T(test_identity_bochs_with_1g_pages),
        T(test_identity_ram_above_4g),
        T(test_identity_empty_map),
        T(test_identity_without_hv_region),
        T(test_identity_hv_region_at_run_edges),
        T(test_identity_unaligned_firmware_entries),
        T(test_identity_allocation_failures),
        T(test_identity_allocation_failures_above_4g),
        T(test_identity_hv_inside_uncarved_ram),
        T(test_identity_fails_on_either_side_of_hv),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
