// covers: ept/ept.c ept/mtrr.c kernel/memmap.c
/*
 * test_ept.c - host unit tests of EPT construction and walks, the static
 * guest map, address classes and fault plans (ept/ept.c).
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
#include "../../ept/mtrr.h"
#include "../../vmx/vmx_defs.h"

#define KiB 1024ull
#define MiB (1024ull * KiB)
#define GiB (1024ull * MiB)
#define PG  EPT_PAGE_4K

#define WB MEMTYPE_WB
#define UC MEMTYPE_UC
#define WT MEMTYPE_WT
#define WP MEMTYPE_WP

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
    assert_int_equal(ept_init(e, SLAT_EPT, ops(), allow_1g), 0);
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

/* ---- the NPT format (AMD APM Vol. 2, 5.3, 15.25) ---------------------------- */

static void test_npt_table_entry_is_present_writable_user(void **state)
{
    (void)state;
    assert_int_equal(slat_table_entry(SLAT_NPT, 0x123456789000ull, 3), 0x123456789007ull);
    assert_int_equal(slat_table_entry(SLAT_NPT, 0xFFF0000000001FFFull, 1), 0x1007);
    assert_int_equal(slat_table_entry(SLAT_EPT, 0x5000, 2), ept_table_entry(0x5000));
}

static void test_npt_leaf_permissions(void **state)
{
    (void)state;
    /* RWX: P, R/W, U/S, no NX; a large page has PS. */
    assert_int_equal(slat_leaf(SLAT_NPT, 0x200000, EPT_RWX, WB, true), 0x200087ull);
    assert_int_equal(slat_leaf(SLAT_NPT, 0x1000, EPT_RWX, WB, false), 0x1007ull);
    /* Read-only and not executable: no R/W, NX (bit 63). */
    assert_int_equal(slat_leaf(SLAT_NPT, 0x1000, EPT_READ, WB, false), 0x8000000000001005ull);
    assert_int_equal(slat_leaf(SLAT_NPT, 0x1000, EPT_READ | EPT_EXEC, WB, false), 0x1005ull);
    /* Not readable cannot be expressed: not present. */
    assert_int_equal(slat_leaf(SLAT_NPT, 0x1000, EPT_WRITE | EPT_EXEC, WB, false), 0);
    assert_int_equal(slat_leaf(SLAT_NPT, 0x1000, 0, WB, false), 0);
    /* Back to EPT terms. */
    assert_int_equal(slat_perms(SLAT_NPT, 0x200087ull), EPT_RWX);
    assert_int_equal(slat_perms(SLAT_NPT, 0x8000000000001005ull), EPT_READ);
    assert_int_equal(slat_perms(SLAT_NPT, 0x1006ull), 0);     /* not present */
    assert_true(slat_present(SLAT_NPT, 0x1001));
    assert_false(slat_present(SLAT_NPT, 0x1006));
    assert_true(slat_large(SLAT_NPT, 0x200087ull));
}

static void test_npt_memory_types_through_the_power_on_pat(void **state)
{
    (void)state;
    /* PAT index = PCD << 1 | PWT: 0 WB, 1 WT, 2 UC-, 3 UC. */
    assert_int_equal(slat_leaf(SLAT_NPT, 0, EPT_RWX, UC, false) & (NPT_PCD | NPT_PWT), NPT_PCD | NPT_PWT);
    assert_int_equal(slat_leaf(SLAT_NPT, 0, EPT_RWX, MEMTYPE_WC, false) & (NPT_PCD | NPT_PWT), NPT_PCD);
    assert_int_equal(slat_leaf(SLAT_NPT, 0, EPT_RWX, WT, false) & (NPT_PCD | NPT_PWT), NPT_PWT);
    assert_int_equal(slat_leaf(SLAT_NPT, 0, EPT_RWX, WB, false) & (NPT_PCD | NPT_PWT), 0);
    assert_int_equal(slat_leaf(SLAT_NPT, 0, EPT_RWX, WP, false) & (NPT_PCD | NPT_PWT), 0);
    const unsigned types[] = { UC, MEMTYPE_WC, WT, WB };
    for (unsigned i = 0; i < 4; i++)
        assert_int_equal(slat_memtype(SLAT_NPT, slat_leaf(SLAT_NPT, 0, EPT_RWX, types[i], true)),
                         types[i]);
    assert_int_equal(slat_memtype(SLAT_NPT, slat_leaf(SLAT_NPT, 0, EPT_RWX, WP, true)), WB);
}

static void test_npt_map_and_walk(void **state)
{
    (void)state;
    struct ept e;
    A.budget = -1;
    assert_int_equal(ept_init(&e, SLAT_NPT, ops(), true), 0);
    assert_int_equal(ept_map(&e, 0, 1 * GiB, EPT_RWX, WB), 0);
    assert_int_equal(ept_map(&e, 1 * GiB, 2 * MiB, EPT_RWX, UC), 0);
    assert_int_equal(ept_map(&e, 1 * GiB + 2 * MiB, PG, EPT_READ, UC), 0);
    assert_counts(&e, 4, 1, 1, 1);       /* root, PDPT, the second GiB's PD, a PT */
    assert_mapped(&e, 5 * MiB + 3, EPT_PAGE_1G, EPT_RWX, WB);
    assert_mapped(&e, 1 * GiB + 4096, EPT_PAGE_2M, EPT_RWX, UC);
    assert_mapped(&e, 1 * GiB + 2 * MiB + 8, PG, EPT_READ, UC);
    assert_unmapped(&e, 1 * GiB + 2 * MiB + PG);
    /* A 4 KiB page under a 2 MiB one is refused as with EPT. */
    assert_int_equal(ept_map(&e, 1 * GiB + PG, PG, EPT_RWX, WB), -1);
    struct ept_walk w;
    ept_walk(&e, 1 * GiB + 2 * MiB, &w);
    assert_int_equal(w.entry[0] & 7, 7);                      /* PML4E: P, R/W, U/S */
    assert_int_equal(w.entry[3], (1 * GiB + 2 * MiB) | 0x8000000000000005ull | NPT_PCD | NPT_PWT);
}

/* The IOMMU formats: the same tree, VT-d's R/W/PS entries and AMD-Vi's
 * PR/NextLevel/IR/IW ones; an AMD-Vi entry above the PT with NextLevel 0
 * is a large page. */
static void test_iommu_formats_map_and_walk(void **state)
{
    (void)state;
    struct ept e;
    struct ept_walk w;
    A.budget = -1;
    assert_int_equal(ept_init(&e, SLAT_VTD, ops(), false), 0);
    assert_int_equal(ept_map(&e, 0, 2 * MiB + PG, EPT_READ | EPT_WRITE, WB), 0);
    assert_counts(&e, 4, 1, 1, 0);
    assert_mapped(&e, 4096, EPT_PAGE_2M, EPT_READ | EPT_WRITE, WB);
    assert_mapped(&e, 2 * MiB + 5, PG, EPT_READ | EPT_WRITE, WB);
    assert_unmapped(&e, 2 * MiB + PG);
    ept_walk(&e, 0, &w);
    assert_int_equal(w.entry[0] & 0xFFF, 3);                  /* table: R, W */
    assert_int_equal(w.entry[2], 0x83ull);                    /* 2 MiB: R, W, PS */
    assert_int_equal(slat_leaf(SLAT_VTD, 0x1000, EPT_EXEC, WB, false), 0);
    assert_int_equal(slat_leaf(SLAT_VTD, 0x1000, EPT_READ, WB, false), 0x1001);

    assert_int_equal(ept_init(&e, SLAT_AMDVI, ops(), true), 0);
    e.no_2m = true;
    assert_int_equal(ept_map(&e, 0, 4 * MiB, EPT_READ | EPT_WRITE, WB), 0);
    assert_int_equal(e.tables, 5);                            /* root, PDPT, PD, 2 PTs */
    assert_int_equal(e.pages_4k, 1024);                       /* 4 KiB only */
    e.no_2m = false;
    assert_int_equal(ept_map(&e, 1 * GiB, 1 * GiB + 2 * MiB, EPT_READ | EPT_WRITE, WB), 0);
    assert_mapped(&e, 1 * GiB + 77, EPT_PAGE_1G, EPT_READ | EPT_WRITE, WB);
    assert_mapped(&e, 2 * GiB + 77, EPT_PAGE_2M, EPT_READ | EPT_WRITE, WB);
    assert_mapped(&e, 3 * MiB, PG, EPT_READ | EPT_WRITE, WB);
    ept_walk(&e, 3 * MiB, &w);
    assert_int_equal(w.entry[0] & ~EPT_ADDR_MASK, AMDVI_IR | AMDVI_IW | 3u << 9 | 1);  /* PDPT below */
    assert_int_equal(w.entry[1] & ~EPT_ADDR_MASK, AMDVI_IR | AMDVI_IW | 2u << 9 | 1);
    assert_int_equal(w.entry[2] & ~EPT_ADDR_MASK, AMDVI_IR | AMDVI_IW | 1u << 9 | 1);
    assert_int_equal(w.entry[3], 3 * MiB | AMDVI_IR | AMDVI_IW | 1);
    ept_walk(&e, 1 * GiB, &w);
    assert_int_equal(w.entry[1], 1 * GiB | AMDVI_IR | AMDVI_IW | 1);  /* NextLevel 0: 1 GiB */
    assert_int_equal(slat_perms(SLAT_AMDVI, 0x1000 | AMDVI_IR | AMDVI_PR), EPT_READ);
    assert_int_equal(slat_perms(SLAT_AMDVI, 0x1000 | AMDVI_IR), 0);
    assert_int_equal(slat_leaf(SLAT_AMDVI, 0x1000, EPT_EXEC, WB, false), 0);
    assert_int_equal(slat_memtype(SLAT_AMDVI, 0x1001), WB);
}

/* ---- init ----------------------------------------------------------------- */

static void test_init_allocates_root(void **state)
{
    (void)state;
    struct ept e;
    memset(&e, 0x5A, sizeof(e));
    assert_int_equal(ept_init(&e, SLAT_EPT, ops(), true), 0);
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
    assert_int_equal(ept_init(&e, SLAT_EPT, ops(), false), -1);
    assert_int_equal(e.root, 0);
    assert_int_equal(e.tables, 0);
    assert_int_equal(A.failures, 1);
}

/* ---- ept_table ------------------------------------------------------------ */

static void test_table_makes_the_missing_levels_and_is_the_one_map_fills(void **state)
{
    (void)state;
    struct ept e;
    new_ept(&e, false, -1);
    uint64_t *pd = ept_table(&e, 3 * GiB + 5 * MiB, 1);
    assert_non_null(pd);
    assert_counts(&e, 3, 0, 0, 0);          /* root, PDPT, PD: no leaf */
    assert_unmapped(&e, 3 * GiB + 4 * MiB);
    /* The same table for every address of that GiB, none made twice. */
    assert_ptr_equal(ept_table(&e, 3 * GiB, 1), pd);
    assert_ptr_equal(ept_table(&e, 4 * GiB - 1, 1), pd);
    assert_int_equal(e.tables, 3);
    /* ept_map fills that very table: slot (gpa >> 21) & 511. */
    assert_int_equal(ept_map(&e, 3 * GiB + 4 * MiB, 2 * MiB, EPT_RWX, WB), 0);
    assert_int_equal(pd[2], ept_leaf(3 * GiB + 4 * MiB, EPT_RWX, WB, true));
    assert_int_equal(e.tables, 3);
    /* The PT level under it: a new table, hung in the PD. */
    uint64_t *pt = ept_table(&e, 3 * GiB + 8 * MiB, 0);
    assert_non_null(pt);
    assert_int_equal(e.tables, 4);
    assert_int_equal(pd[4] & EPT_ADDR_MASK, (uint64_t)(uintptr_t)pt);
}

static void test_table_refuses_under_a_large_page_and_without_memory(void **state)
{
    (void)state;
    struct ept e;
    new_ept(&e, true, -1);
    assert_int_equal(ept_map(&e, 1 * GiB, 1 * GiB, EPT_RWX, WB), 0);
    assert_null(ept_table(&e, 1 * GiB + 2 * MiB, 1));  /* a 1 GiB page is there */
    assert_counts(&e, 2, 0, 0, 1);
    struct ept f;
    new_ept(&f, false, 0);                  /* no page past the root */
    assert_null(ept_table(&f, 0, 1));
    assert_int_equal(f.tables, 1);
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

/* ---- guest-physical space: maps, MTRRs, checkers ---------------------------- */

#define AVAIL MB2_MEM_AVAILABLE
#define RSVD  MB2_MEM_RESERVED
#define ACPI  MB2_MEM_ACPI
#define NVS   MB2_MEM_NVS
#define BAD   MB2_MEM_BADRAM

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
#define HV_END   0x1fe2e000ull

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
#define QEMU_HV_START 0xbf000000ull
#define QEMU_HV_END   0xbf400000ull
#define QEMU_RAM_TOP  0x230000000ull

#define PHYS_LIMIT (1ull << 36)

static struct memmap gmap, fwmap;
static struct gpa_space space;

/* The guest's map and the machine's, as loader.c builds them from a
 * firmware map, with the hypervisor at [hs, he) and 36 address bits. */
static const struct gpa_space *space_of(const struct mb2_mmap_entry *in, unsigned n, uint64_t hs,
                                        uint64_t he)
{
    memmap_guest_view(in, n, 0, 0, &fwmap);
    memmap_guest_view(in, n, hs, he, &gmap);
    space = (struct gpa_space){ &gmap, &fwmap, hs, he, PHYS_LIMIT, { { 0, 0 } }, 0 };
    return &space;
}

/* A space whose guest and machine maps are in[] as given (no sorting,
 * trimming or carving): for maps no firmware should, but might, give. */
static const struct gpa_space *raw_space_of(const struct mb2_mmap_entry *in, unsigned n,
                                            uint64_t hs, uint64_t he)
{
    memset(&gmap, 0, sizeof(gmap));
    memcpy(gmap.e, in, n * sizeof(*in));
    gmap.n = n;
    fwmap = gmap;
    space = (struct gpa_space){ &gmap, &fwmap, hs, he, PHYS_LIMIT, { { 0, 0 } }, 0 };
    return &space;
}

static struct mtrr_state mt_none(void)
{
    struct mtrr_state m;
    mtrr_state_none(&m);
    return m;
}

/* A typical firmware's MTRRs (as in test_mtrr.c): default WB; below
 * 1 MiB WB, UC at [0xA0000, 0xC0000), WP at [0xC0000, 1 MiB); variable
 * range 0 makes [0xC0000000, 4 GiB) UC. */
static struct mtrr_msrs typical_msrs(void)
{
    struct mtrr_msrs r;
    memset(&r, 0, sizeof(r));
    r.cap = (1u << 10) | (1u << 8) | 8;         /* WC, FIX, VCNT 8 */
    r.def_type = (1u << 11) | (1u << 10) | WB;  /* E, FE */
    r.fix64k = 0x0606060606060606ull;
    r.fix16k[0] = 0x0606060606060606ull;
    r.fix16k[1] = 0;
    for (unsigned i = 0; i < 8; i++)
        r.fix4k[i] = 0x0505050505050505ull;
    r.physbase[0] = 0xC0000000ull | UC;
    r.physmask[0] = (~(1 * GiB - 1) & ((1ull << 36) - 1)) | 0x800;
    r.phys_bits = 36;
    return r;
}

static struct mtrr_state mt_typical(void)
{
    struct mtrr_msrs r = typical_msrs();
    struct mtrr_state m;
    mtrr_decode(&r, &m);
    return m;
}

/* The typical MTRRs plus variable range 1 of size bytes at base, type t. */
static struct mtrr_state mt_typical_plus(uint64_t base, uint64_t size, unsigned t)
{
    struct mtrr_msrs r = typical_msrs();
    r.physbase[1] = base | t;
    r.physmask[1] = (~(size - 1) & ((1ull << 36) - 1)) | 0x800;
    struct mtrr_state m;
    mtrr_decode(&r, &m);
    return m;
}

static bool ram_like_type(uint32_t t)
{
    return t == AVAIL || t == ACPI || t == NVS;
}

/* The page at gpa lies wholly inside one RAM, ACPI or NVS entry. */
static bool page_in_one_ram_entry(const struct memmap *m, uint64_t gpa)
{
    for (unsigned i = 0; i < m->n; i++)
        if (ram_like_type(m->e[i].type) && m->e[i].base <= gpa &&
            gpa + PG <= m->e[i].base + m->e[i].len)
            return true;
    return false;
}

/* Every page of [0, top) after ept_map_guest_ram: identity-mapped RWX
 * with the MTRRs' type exactly when it lies wholly in one RAM-like entry
 * of the guest map; never inside the hypervisor. Returns the pages mapped. */
static uint64_t assert_static_map(const struct ept *e, const struct gpa_space *s,
                                  const struct mtrr_state *mt, uint64_t top)
{
    struct ept_walk w;
    uint64_t mapped = 0;
    for (uint64_t gpa = 0; gpa < top; gpa += PG) {
        ept_walk(e, gpa, &w);
        bool want = page_in_one_ram_entry(s->guest, gpa);
        if (gpa >= s->hv_start && gpa < s->hv_end && w.mapped)
            fail_msg("hypervisor page %#llx is mapped", (unsigned long long)gpa);
        if (w.mapped != want)
            fail_msg("page %#llx: mapped %d, want %d", (unsigned long long)gpa, w.mapped, want);
        if (!want)
            continue;
        mapped++;
        unsigned type = (unsigned)mtrr_range_type(mt, gpa, PG);
        if (w.hpa != gpa || w.perms != EPT_RWX || w.memtype != type)
            fail_msg("page %#llx: hpa %#llx perms %llu memtype %u, want memtype %u",
                     (unsigned long long)gpa, (unsigned long long)w.hpa,
                     (unsigned long long)w.perms, w.memtype, type);
    }
    return mapped;
}

/* Every page of [start, end) identity-mapped RWX with the MTRRs' type. */
static void assert_typed_range(const struct ept *e, const struct mtrr_state *mt, uint64_t start,
                               uint64_t end)
{
    struct ept_walk w;
    for (uint64_t gpa = start; gpa < end; gpa += PG) {
        ept_walk(e, gpa, &w);
        int type = mtrr_range_type(mt, gpa, PG);
        if (!w.mapped || w.hpa != gpa || w.perms != EPT_RWX || (int)w.memtype != type)
            fail_msg("page %#llx: mapped %d hpa %#llx memtype %u, want memtype %d",
                     (unsigned long long)gpa, w.mapped, (unsigned long long)w.hpa, w.memtype,
                     type);
    }
}

/* ---- ept_map_typed ------------------------------------------------------------ */

static void test_typed_wb_everywhere_1g_pages(void **state)
{
    (void)state;
    struct ept e;
    struct mtrr_state mt = mt_none();
    new_ept(&e, true, -1);
    assert_int_equal(ept_map_typed(&e, 0, 4 * GiB, &mt), 0);
    assert_counts(&e, 2, 0, 0, 4);              /* root, PDPT */
    assert_mapped(&e, 0, EPT_PAGE_1G, EPT_RWX, WB);
    assert_mapped(&e, 4 * GiB - 1, EPT_PAGE_1G, EPT_RWX, WB);
    assert_unmapped(&e, 4 * GiB);
}

static void test_typed_without_1g_uses_2m(void **state)
{
    (void)state;
    struct ept e;
    struct mtrr_state mt = mt_none();
    new_ept(&e, false, -1);
    assert_int_equal(ept_map_typed(&e, 0, 4 * GiB, &mt), 0);
    assert_counts(&e, 6, 0, 2048, 0);           /* root, PDPT, 4 PDs */
    assert_mapped(&e, 0, EPT_PAGE_2M, EPT_RWX, WB);
    assert_mapped(&e, 3 * GiB, EPT_PAGE_2M, EPT_RWX, WB);
    assert_mapped(&e, 4 * GiB - 1, EPT_PAGE_2M, EPT_RWX, WB);
}

static void test_typed_unaligned_range_edges(void **state)
{
    (void)state;
    struct ept e;
    struct mtrr_state mt = mt_none();
    new_ept(&e, true, -1);
    /* 4 KiB up to 2 MiB, 2 MiB pages up to 1 GiB, a 1 GiB page, 4 KiB after. */
    assert_int_equal(ept_map_typed(&e, 2 * MiB - PG, 2 * GiB + PG, &mt), 0);
    assert_counts(&e, 6, 2, 511, 1);            /* root, PDPT, 2 PDs, 2 PTs */
    assert_mapped(&e, 2 * MiB - PG, PG, EPT_RWX, WB);
    assert_mapped(&e, 2 * MiB, EPT_PAGE_2M, EPT_RWX, WB);
    assert_mapped(&e, 1 * GiB - 1, EPT_PAGE_2M, EPT_RWX, WB);
    assert_mapped(&e, 1 * GiB, EPT_PAGE_1G, EPT_RWX, WB);
    assert_mapped(&e, 2 * GiB, PG, EPT_RWX, WB);
    assert_unmapped(&e, 2 * MiB - 2 * PG);
    assert_unmapped(&e, 2 * GiB + PG);
}

static void test_typed_typical_firmware_layout(void **state)
{
    (void)state;
    struct ept e;
    struct mtrr_state mt = mt_typical();
    new_ept(&e, true, -1);
    assert_int_equal(ept_map_typed(&e, 0, 4 * GiB, &mt), 0);
    /* [0, 2 MiB) in 4 KiB pages: fixed ranges below 1 MiB make any 2 MiB
     * page at 0 mixed. Then 2 MiB pages to 1 GiB, and 1 GiB pages. */
    assert_counts(&e, 4, 512, 511, 3);          /* root, PDPT, PD, PT */
    assert_mapped(&e, 0, PG, EPT_RWX, WB);
    assert_mapped(&e, 0x9F000, PG, EPT_RWX, WB);
    assert_mapped(&e, 0xA0000, PG, EPT_RWX, UC);
    assert_mapped(&e, 0xBF000, PG, EPT_RWX, UC);
    assert_mapped(&e, 0xC0000, PG, EPT_RWX, WP);
    assert_mapped(&e, 0xFF000, PG, EPT_RWX, WP);
    assert_mapped(&e, 0x100000, PG, EPT_RWX, WB);
    assert_mapped(&e, 0x1FF000, PG, EPT_RWX, WB);
    assert_mapped(&e, 0x200000, EPT_PAGE_2M, EPT_RWX, WB);
    assert_mapped(&e, 1 * GiB, EPT_PAGE_1G, EPT_RWX, WB);
    assert_mapped(&e, 2 * GiB, EPT_PAGE_1G, EPT_RWX, WB);
    assert_mapped(&e, 3 * GiB, EPT_PAGE_1G, EPT_RWX, UC);       /* PCI hole */
    assert_mapped(&e, 0xFEE00000, EPT_PAGE_1G, EPT_RWX, UC);
    assert_typed_range(&e, &mt, 0, 4 * GiB);
}

static void test_typed_mixed_ranges_fall_back(void **state)
{
    (void)state;
    struct ept e;
    /* A 4 MiB WT range at [0x7FC00000, 2 GiB) makes [1 GiB, 2 GiB) mixed. */
    struct mtrr_state mt = mt_typical_plus(0x7FC00000, 4 * MiB, WT);
    new_ept(&e, true, -1);
    assert_int_equal(ept_map_typed(&e, 1 * GiB, 4 * GiB, &mt), 0);
    assert_counts(&e, 3, 0, 512, 2);            /* root, PDPT, PD */
    assert_mapped(&e, 1 * GiB, EPT_PAGE_2M, EPT_RWX, WB);
    assert_mapped(&e, 0x7FA00000, EPT_PAGE_2M, EPT_RWX, WB);
    assert_mapped(&e, 0x7FC00000, EPT_PAGE_2M, EPT_RWX, WT);
    assert_mapped(&e, 0x7FE00000, EPT_PAGE_2M, EPT_RWX, WT);
    assert_mapped(&e, 2 * GiB, EPT_PAGE_1G, EPT_RWX, WB);
    assert_mapped(&e, 3 * GiB, EPT_PAGE_1G, EPT_RWX, UC);
    assert_typed_range(&e, &mt, 1 * GiB, 4 * GiB);
    teardown(NULL);
    setup(NULL);
    /* A 4 KiB UC range makes its 2 MiB mixed: 511 WB pages and one UC. */
    mt = mt_typical_plus(0x1234000, PG, UC);
    new_ept(&e, true, -1);
    assert_int_equal(ept_map_typed(&e, 16 * MiB, 20 * MiB, &mt), 0);
    assert_counts(&e, 4, 512, 1, 0);            /* root, PDPT, PD, PT */
    assert_mapped(&e, 16 * MiB, EPT_PAGE_2M, EPT_RWX, WB);
    assert_mapped(&e, 0x1200000, PG, EPT_RWX, WB);
    assert_mapped(&e, 0x1233000, PG, EPT_RWX, WB);
    assert_mapped(&e, 0x1234000, PG, EPT_RWX, UC);
    assert_mapped(&e, 0x1235000, PG, EPT_RWX, WB);
    assert_mapped(&e, 0x13FF000, PG, EPT_RWX, WB);
    assert_typed_range(&e, &mt, 16 * MiB, 20 * MiB);
}

static void test_typed_1g_only_when_allowed(void **state)
{
    (void)state;
    struct ept e;
    struct mtrr_state mt = mt_typical();
    new_ept(&e, false, -1);
    assert_int_equal(ept_map_typed(&e, 2 * GiB, 4 * GiB, &mt), 0);
    assert_counts(&e, 4, 0, 1024, 0);           /* root, PDPT, 2 PDs */
    assert_mapped(&e, 2 * GiB, EPT_PAGE_2M, EPT_RWX, WB);
    assert_mapped(&e, 3 * GiB - 1, EPT_PAGE_2M, EPT_RWX, WB);
    assert_mapped(&e, 3 * GiB, EPT_PAGE_2M, EPT_RWX, UC);
    assert_mapped(&e, 4 * GiB - 1, EPT_PAGE_2M, EPT_RWX, UC);
}

static void test_typed_mtrrs_disabled_all_uc(void **state)
{
    (void)state;
    struct ept e;
    struct mtrr_msrs r = typical_msrs();
    r.def_type &= ~(1ull << 11);
    struct mtrr_state mt;
    mtrr_decode(&r, &mt);
    new_ept(&e, true, -1);
    /* Disabled: no fixed ranges either, so [0, 1 GiB) is one UC page. */
    assert_int_equal(ept_map_typed(&e, 0, 4 * GiB, &mt), 0);
    assert_counts(&e, 2, 0, 0, 4);
    assert_mapped(&e, 0, EPT_PAGE_1G, EPT_RWX, UC);
    assert_mapped(&e, 2 * GiB, EPT_PAGE_1G, EPT_RWX, UC);
}

static void test_typed_misaligned_rejected(void **state)
{
    (void)state;
    struct ept e;
    struct mtrr_state mt = mt_none();
    new_ept(&e, true, -1);
    assert_int_equal(ept_map_typed(&e, 0x800, 0x2000, &mt), -1);
    assert_int_equal(ept_map_typed(&e, 0x1000, 0x1800, &mt), -1);
    assert_int_equal(ept_map_typed(&e, 0x1001, 0x2001, &mt), -1);
    assert_int_equal(ept_map_typed(&e, 0x2000, 0x1000, &mt), -1);   /* end before start */
    assert_counts(&e, 1, 0, 0, 0);
    /* An empty range is nothing to do. */
    assert_int_equal(ept_map_typed(&e, 0x5000, 0x5000, &mt), 0);
    assert_counts(&e, 1, 0, 0, 0);
}

static void test_typed_allocation_failure(void **state)
{
    (void)state;
    struct ept e;
    struct mtrr_state mt = mt_typical();
    new_ept(&e, true, -1);
    assert_int_equal(ept_map_typed(&e, 0, 4 * GiB, &mt), 0);
    uint64_t needed = e.tables - 1;
    assert_int_equal(needed, 3);                /* PDPT, PD, PT */
    for (long budget = 0; budget < (long)needed; budget++) {
        teardown(NULL);
        setup(NULL);
        new_ept(&e, true, budget);
        assert_int_equal(ept_map_typed(&e, 0, 4 * GiB, &mt), -1);
        assert_int_equal(A.failures, 1);
        assert_int_equal(e.tables, 1 + (uint64_t)budget);
    }
    /* Failing after the pages below 1 GiB are in: the PD for [1 GiB, 2 GiB). */
    teardown(NULL);
    setup(NULL);
    new_ept(&e, false, 2);
    assert_int_equal(ept_map_typed(&e, 1 * GiB - 2 * MiB, 1 * GiB + 2 * MiB, &mt), -1);
    assert_int_equal(A.failures, 1);
    assert_mapped(&e, 1 * GiB - 2 * MiB, EPT_PAGE_2M, EPT_RWX, WB);
    assert_unmapped(&e, 1 * GiB);
}

/* ---- ept_map_guest_ram -------------------------------------------------------- */

static void test_guest_ram_bochs(void **state)
{
    (void)state;
    struct ept e;
    struct mtrr_state mt = mt_typical();
    const struct gpa_space *s = space_of(bochs, N(bochs), HV_START, HV_END);
    new_ept(&e, true, -1);
    assert_int_equal(ept_map_guest_ram(&e, s, &mt), 0);
    /* [0, 0x9f000): 159 pages; [1 MiB, 2 MiB): 256; 2 MiB pages up to
     * the hypervisor: 245; after it to 0x1fff0000: 450; ACPI: 16. */
    assert_counts(&e, 5, 159 + 256 + 450 + 16, 245, 0);     /* root, PDPT, PD, 2 PTs */
    assert_int_equal(assert_static_map(&e, s, &mt, 4 * GiB),
                     159 + 256 + 245 * 512 + 450 + 16);
    assert_mapped(&e, 0, PG, EPT_RWX, WB);
    assert_mapped(&e, 0x9e000, PG, EPT_RWX, WB);
    assert_unmapped(&e, 0x9f000);                   /* reserved */
    assert_unmapped(&e, 0xa0000);                   /* hole */
    assert_unmapped(&e, 0xe8000);                   /* BIOS, reserved */
    assert_mapped(&e, 0x100000, PG, EPT_RWX, WB);
    assert_mapped(&e, 0x200000, EPT_PAGE_2M, EPT_RWX, WB);
    assert_mapped(&e, HV_START - 1, EPT_PAGE_2M, EPT_RWX, WB);
    assert_unmapped(&e, HV_START);
    assert_unmapped(&e, HV_END - 1);
    assert_mapped(&e, HV_END, PG, EPT_RWX, WB);
    assert_mapped(&e, 0x1fff0000, PG, EPT_RWX, WB); /* ACPI tables */
    assert_mapped(&e, 0x1ffff000, PG, EPT_RWX, WB);
    assert_unmapped(&e, 0x20000000);
    assert_unmapped(&e, 0xfffc0000);                /* BIOS ROM: faults in */
}

static void test_guest_ram_above_4g(void **state)
{
    (void)state;
    struct ept e;
    struct mtrr_state mt = mt_typical();
    const struct gpa_space *s = space_of(qemu, N(qemu), QEMU_HV_START, QEMU_HV_END);
    new_ept(&e, true, -1);
    assert_int_equal(ept_map_guest_ram(&e, s, &mt), 0);
    /* 4 KiB: [0, 0x9f000) 159, [1, 2 MiB) 256, [0xbfe00000, 0xbfee0000)
     * 224, ACPI 32. 2 MiB: [2 MiB, 1 GiB) 511, [2 GiB, hv) 504, [hv end,
     * 0xbfe00000) 5, [8 GiB, top) 384. 1 GiB: [1, 2) and [4, 8) GiB. */
    assert_int_equal(e.pages_4k, 159 + 256 + 224 + 32);
    assert_int_equal(e.pages_2m, 511 + 504 + 5 + 384);
    assert_int_equal(e.pages_1g, 5);
    assert_static_map(&e, s, &mt, QEMU_RAM_TOP + 4 * MiB);
    assert_mapped(&e, 1 * GiB, EPT_PAGE_1G, EPT_RWX, WB);
    assert_mapped(&e, QEMU_HV_START - 1, EPT_PAGE_2M, EPT_RWX, WB);
    assert_mapped(&e, QEMU_HV_END, EPT_PAGE_2M, EPT_RWX, WB);
    assert_mapped(&e, 0xbfee0000, PG, EPT_RWX, WB);
    assert_unmapped(&e, 0xbff00000);
    assert_unmapped(&e, 3 * GiB);                   /* the PCI hole faults in */
    assert_mapped(&e, 4 * GiB, EPT_PAGE_1G, EPT_RWX, WB);
    assert_mapped(&e, 8 * GiB - 1, EPT_PAGE_1G, EPT_RWX, WB);
    assert_mapped(&e, 8 * GiB, EPT_PAGE_2M, EPT_RWX, WB);
    assert_mapped(&e, QEMU_RAM_TOP - 1, EPT_PAGE_2M, EPT_RWX, WB);
    assert_unmapped(&e, QEMU_RAM_TOP);
    assert_unmapped(&e, 0xfd00000000ull);
}

static void test_guest_ram_uses_mtrr_types(void **state)
{
    (void)state;
    /* RAM under the PCI-hole UC range and one WT page: mapped as the MTRRs say. */
    static const struct mb2_mmap_entry in[] = {
        { 0x100000, 4 * GiB - 0x100000, AVAIL },
    };
    struct ept e;
    struct mtrr_state mt = mt_typical_plus(0x3000000, PG, WT);
    const struct gpa_space *s = space_of(in, N(in), 0x1000000, 0x1200000);
    new_ept(&e, true, -1);
    assert_int_equal(ept_map_guest_ram(&e, s, &mt), 0);
    assert_mapped(&e, 0x2FFF000, EPT_PAGE_2M, EPT_RWX, WB);
    assert_mapped(&e, 0x3000000, PG, EPT_RWX, WT);
    assert_mapped(&e, 0x3001000, PG, EPT_RWX, WB);
    assert_mapped(&e, 0x31FF000, PG, EPT_RWX, WB);
    assert_mapped(&e, 0x3200000, EPT_PAGE_2M, EPT_RWX, WB);
    assert_mapped(&e, 2 * GiB, EPT_PAGE_1G, EPT_RWX, WB);
    assert_mapped(&e, 3 * GiB, EPT_PAGE_1G, EPT_RWX, UC);
    assert_static_map(&e, s, &mt, 4 * GiB + 2 * MiB);
}

static void test_guest_ram_whole_pages_only(void **state)
{
    (void)state;
    /* ACPI and NVS share the page at 0x7ff0000; the RAM entry of a raw
     * map starts and ends mid-page. */
    static const struct mb2_mmap_entry in[] = {
        { 0x100800, 0x1ff800 - 0x100800, AVAIL },
        { 0x7fe0000, 0x10800, ACPI },
        { 0x7ff0800, 0xf800, NVS },
        { 0xfec00000, 0x1000, RSVD },
    };
    struct ept e;
    struct mtrr_state mt = mt_none();
    const struct gpa_space *s = raw_space_of(in, N(in), 0x4000000, 0x4400000);
    new_ept(&e, false, -1);
    assert_int_equal(ept_map_guest_ram(&e, s, &mt), 0);
    assert_counts(&e, 5, 254 + 16 + 15, 0, 0);
    assert_unmapped(&e, 0x100000);
    assert_mapped(&e, 0x101000, PG, EPT_RWX, WB);
    assert_mapped(&e, 0x1fe000, PG, EPT_RWX, WB);
    assert_unmapped(&e, 0x1ff000);
    assert_mapped(&e, 0x7fe0000, PG, EPT_RWX, WB);
    assert_mapped(&e, 0x7fef000, PG, EPT_RWX, WB);
    assert_unmapped(&e, 0x7ff0000);                 /* half ACPI, half NVS */
    assert_mapped(&e, 0x7ff1000, PG, EPT_RWX, WB);
    assert_mapped(&e, 0x7fff000, PG, EPT_RWX, WB);
    assert_unmapped(&e, 0xfec00000);
    assert_static_map(&e, s, &mt, 4 * GiB);
}

static void test_guest_ram_entry_within_one_page(void **state)
{
    (void)state;
    /* An NVS entry of less than a page maps nothing. */
    static const struct mb2_mmap_entry in[] = {
        { 0, 0x9f000, AVAIL },
        { 0x9f400, 0x400, NVS },
    };
    struct ept e;
    struct mtrr_state mt = mt_none();
    const struct gpa_space *s = space_of(in, N(in), 0x1000000, 0x1200000);
    new_ept(&e, false, -1);
    assert_int_equal(ept_map_guest_ram(&e, s, &mt), 0);
    assert_counts(&e, 4, 159, 0, 0);
    assert_unmapped(&e, 0x9f000);
}

static void test_guest_ram_never_reserved_or_bad(void **state)
{
    (void)state;
    static const struct mb2_mmap_entry in[] = {
        { 0, 0x9f000, AVAIL },
        { 0x100000, 14 * MiB, AVAIL },
        { 15 * MiB, 1 * MiB, BAD },
        { 16 * MiB, 16 * MiB, RSVD },
        { 32 * MiB, 32 * MiB, AVAIL },
        { 0xfec00000, 0x1000, RSVD },
    };
    struct ept e;
    struct mtrr_state mt = mt_none();
    const struct gpa_space *s = space_of(in, N(in), 40 * MiB, 42 * MiB);
    new_ept(&e, true, -1);
    assert_int_equal(ept_map_guest_ram(&e, s, &mt), 0);
    assert_mapped(&e, 15 * MiB - 1, PG, EPT_RWX, WB);
    assert_unmapped(&e, 15 * MiB);
    assert_unmapped(&e, 16 * MiB);
    assert_unmapped(&e, 32 * MiB - 1);
    assert_mapped(&e, 32 * MiB, EPT_PAGE_2M, EPT_RWX, WB);
    assert_unmapped(&e, 40 * MiB);                  /* the hypervisor */
    assert_unmapped(&e, 0xfec00000);
    assert_int_equal(assert_static_map(&e, s, &mt, 4 * GiB),
                     159 + 14 * 256 + 30 * 256);
}

static void test_guest_ram_overlapping_entries(void **state)
{
    (void)state;
    /* Firmware bugs: RAM entries overlapping each other, an ACPI entry
     * inside RAM. Pages in two entries are mapped once, WB. */
    static const struct mb2_mmap_entry in[] = {
        { 0, 0x9f000, AVAIL },
        { 0x100000, 63 * MiB, AVAIL },
        { 60 * MiB, 1 * MiB, ACPI },
        { 62 * MiB, 34 * MiB, AVAIL },
        { 95 * MiB + 4 * KiB, 8 * KiB, NVS },
    };
    struct ept e;
    struct mtrr_state mt = mt_none();
    const struct gpa_space *s = space_of(in, N(in), 128 * MiB, 130 * MiB);
    new_ept(&e, false, -1);
    assert_int_equal(ept_map_guest_ram(&e, s, &mt), 0);
    assert_mapped(&e, 60 * MiB, EPT_PAGE_2M, EPT_RWX, WB);
    assert_mapped(&e, 62 * MiB, EPT_PAGE_2M, EPT_RWX, WB);
    assert_mapped(&e, 95 * MiB + 4 * KiB, EPT_PAGE_2M, EPT_RWX, WB);
    assert_mapped(&e, 96 * MiB - 1, EPT_PAGE_2M, EPT_RWX, WB);
    assert_unmapped(&e, 96 * MiB);
    assert_static_map(&e, s, &mt, 4 * GiB);
}

static void test_guest_ram_overlapping_hv_fails(void **state)
{
    (void)state;
    struct ept e;
    struct mtrr_state mt = mt_none();
    /* A guest map that still holds the hypervisor as RAM. */
    memmap_guest_view(bochs, N(bochs), 0, 0, &gmap);
    memmap_guest_view(bochs, N(bochs), 0, 0, &fwmap);
    space = (struct gpa_space){ &gmap, &fwmap, HV_START, HV_END, PHYS_LIMIT, { { 0, 0 } }, 0 };
    new_ept(&e, false, -1);
    assert_int_equal(ept_map_guest_ram(&e, &space, &mt), -1);
    assert_unmapped(&e, HV_START);
    assert_unmapped(&e, HV_END);
    /* The same with an ACPI entry over it. */
    static const struct mb2_mmap_entry acpi[] = {
        { 0, 0x9f000, AVAIL },
        { 0x100000, 15 * MiB, ACPI },
    };
    teardown(NULL);
    setup(NULL);
    const struct gpa_space *s = raw_space_of(acpi, N(acpi), 8 * MiB, 10 * MiB);
    new_ept(&e, false, -1);
    assert_int_equal(ept_map_guest_ram(&e, s, &mt), -1);
    assert_unmapped(&e, 8 * MiB);
}

static void test_guest_ram_partial_page_next_to_hv(void **state)
{
    (void)state;
    /* Entries ending or starting mid-page beside the hypervisor: their
     * whole pages stop at its edges, so they do not overlap it. */
    static const struct mb2_mmap_entry in[] = {
        { 0x100000, HV_START - 0x100000 + 0x800, AVAIL },
        { HV_END - 0x800, 0x1fff0000 - HV_END + 0x800, AVAIL },
    };
    struct ept e;
    struct mtrr_state mt = mt_none();
    const struct gpa_space *s = raw_space_of(in, N(in), HV_START, HV_END);
    new_ept(&e, false, -1);
    assert_int_equal(ept_map_guest_ram(&e, s, &mt), 0);
    assert_mapped(&e, HV_START - PG, EPT_PAGE_2M, EPT_RWX, WB);
    assert_unmapped(&e, HV_START);
    assert_unmapped(&e, HV_END - PG);
    assert_mapped(&e, HV_END, PG, EPT_RWX, WB);
}

static void test_guest_ram_mem_limit(void **state)
{
    (void)state;
    struct ept e;
    struct mtrr_state mt = mt_none();
    const struct gpa_space *s = space_of(bochs, N(bochs), HV_START, HV_END);
    assert_int_equal(memmap_limit_ram(&gmap, 64 * MiB), 64 * MiB);
    new_ept(&e, false, -1);
    assert_int_equal(ept_map_guest_ram(&e, s, &mt), 0);
    /* 64 MiB from 0: [0, 0x9f000) and [1 MiB, 0x4061000); and ACPI. */
    assert_int_equal(assert_static_map(&e, s, &mt, 4 * GiB), 64 * MiB / PG + 16);
    assert_mapped(&e, 0x405f000, PG, EPT_RWX, WB);
    assert_mapped(&e, 0x4060000, PG, EPT_RWX, WB);
    assert_unmapped(&e, 0x4061000);
    assert_mapped(&e, 0x1fff0000, PG, EPT_RWX, WB); /* ACPI is kept */
}

static void test_guest_ram_empty_map(void **state)
{
    (void)state;
    struct ept e;
    struct mtrr_state mt = mt_none();
    const struct gpa_space *s = space_of(NULL, 0, 16 * MiB, 20 * MiB);
    new_ept(&e, true, -1);
    assert_int_equal(ept_map_guest_ram(&e, s, &mt), 0);
    assert_counts(&e, 1, 0, 0, 0);
}

static void test_guest_ram_allocation_failures(void **state)
{
    (void)state;
    struct ept e;
    struct mtrr_state mt = mt_typical();
    const struct gpa_space *s = space_of(qemu, N(qemu), QEMU_HV_START, QEMU_HV_END);
    new_ept(&e, true, -1);
    assert_int_equal(ept_map_guest_ram(&e, s, &mt), 0);
    uint64_t needed = e.tables - 1;
    /* PDPT, PDs for 0, 2 and 8 GiB, PTs at 0 and 0xbfe00000. */
    assert_int_equal(needed, 6);
    for (long budget = 0; budget < (long)needed; budget++) {
        teardown(NULL);
        setup(NULL);
        new_ept(&e, true, budget);
        assert_int_equal(ept_map_guest_ram(&e, s, &mt), -1);
        assert_int_equal(A.failures, 1);
        assert_int_equal(e.tables, 1 + (uint64_t)budget);
    }
    teardown(NULL);
    setup(NULL);
    new_ept(&e, true, (long)needed);
    assert_int_equal(ept_map_guest_ram(&e, s, &mt), 0);
    assert_int_equal(A.failures, 0);
}

/* ---- gpa_classify, gpa_class_name ------------------------------------------- */

static void test_classify_bochs(void **state)
{
    (void)state;
    const struct gpa_space *s = space_of(bochs, N(bochs), HV_START, HV_END);
    assert_int_equal(gpa_classify(s, 0), GPA_RAM);
    assert_int_equal(gpa_classify(s, 0x9efff), GPA_RAM);
    assert_int_equal(gpa_classify(s, 0x9f000), GPA_MMIO);       /* reserved */
    assert_int_equal(gpa_classify(s, 0xa0000), GPA_MMIO);       /* VGA hole */
    assert_int_equal(gpa_classify(s, 0xe8000), GPA_MMIO);       /* BIOS */
    assert_int_equal(gpa_classify(s, 0xfffff), GPA_MMIO);
    assert_int_equal(gpa_classify(s, 0x100000), GPA_RAM);
    assert_int_equal(gpa_classify(s, HV_START - 1), GPA_RAM);
    assert_int_equal(gpa_classify(s, HV_START), GPA_HV);
    assert_int_equal(gpa_classify(s, HV_END - 1), GPA_HV);
    assert_int_equal(gpa_classify(s, HV_END), GPA_RAM);
    assert_int_equal(gpa_classify(s, 0x1fff0000), GPA_RAM);     /* ACPI */
    assert_int_equal(gpa_classify(s, 0x1fffffff), GPA_RAM);
    assert_int_equal(gpa_classify(s, 0x20000000), GPA_MMIO);    /* above RAM */
    assert_int_equal(gpa_classify(s, 0xfee00000), GPA_MMIO);    /* LAPIC */
    assert_int_equal(gpa_classify(s, 0xfffc0000), GPA_MMIO);
    assert_int_equal(gpa_classify(s, 0x100000000ull), GPA_MMIO);
    assert_int_equal(gpa_classify(s, PHYS_LIMIT - 1), GPA_MMIO);
    assert_int_equal(gpa_classify(s, PHYS_LIMIT), GPA_OUTSIDE);
    assert_int_equal(gpa_classify(s, 1ull << 40), GPA_OUTSIDE);
    assert_int_equal(gpa_classify(s, UINT64_MAX), GPA_OUTSIDE);
}

static void test_classify_acpi_nvs_bad(void **state)
{
    (void)state;
    static const struct mb2_mmap_entry in[] = {
        { 0, 0x9f000, AVAIL },
        { 0x100000, 15 * MiB, AVAIL },
        { 16 * MiB, 1 * MiB, BAD },
        { 17 * MiB, 64 * KiB, ACPI },
        { 17 * MiB + 64 * KiB, 64 * KiB, NVS },
    };
    const struct gpa_space *s = space_of(in, N(in), 32 * MiB, 34 * MiB);
    assert_int_equal(gpa_classify(s, 16 * MiB - 1), GPA_RAM);
    assert_int_equal(gpa_classify(s, 16 * MiB), GPA_MMIO);      /* bad RAM */
    assert_int_equal(gpa_classify(s, 17 * MiB), GPA_RAM);
    assert_int_equal(gpa_classify(s, 17 * MiB + 64 * KiB), GPA_RAM);
    assert_int_equal(gpa_classify(s, 17 * MiB + 128 * KiB - 1), GPA_RAM);
    assert_int_equal(gpa_classify(s, 17 * MiB + 128 * KiB), GPA_MMIO);
    assert_int_equal(gpa_classify(s, 32 * MiB), GPA_HV);        /* in a hole */
    assert_int_equal(gpa_classify(s, 34 * MiB), GPA_MMIO);
}

static void test_classify_mem_limit_is_outside(void **state)
{
    (void)state;
    const struct gpa_space *s = space_of(bochs, N(bochs), HV_START, HV_END);
    assert_int_equal(memmap_limit_ram(&gmap, 256 * MiB), 256 * MiB);
    /* [0, 0x9f000) and [1 MiB, 0x10061000) are left. */
    assert_int_equal(gpa_classify(s, 0), GPA_RAM);
    assert_int_equal(gpa_classify(s, 0x10060fff), GPA_RAM);
    assert_int_equal(gpa_classify(s, 0x10061000), GPA_OUTSIDE);
    assert_int_equal(gpa_classify(s, HV_START - 1), GPA_OUTSIDE);
    assert_int_equal(gpa_classify(s, HV_START), GPA_HV);
    assert_int_equal(gpa_classify(s, HV_END), GPA_OUTSIDE);
    assert_int_equal(gpa_classify(s, 0x1ffeffff), GPA_OUTSIDE);
    assert_int_equal(gpa_classify(s, 0x1fff0000), GPA_RAM);     /* ACPI stays */
    /* Reserved entries and holes stay MMIO. */
    assert_int_equal(gpa_classify(s, 0x9f000), GPA_MMIO);
    assert_int_equal(gpa_classify(s, 0xa0000), GPA_MMIO);
    assert_int_equal(gpa_classify(s, 0x20000000), GPA_MMIO);
    assert_int_equal(gpa_classify(s, 0xfffc0000), GPA_MMIO);
}

static void test_classify_phys_limit(void **state)
{
    (void)state;
    const struct gpa_space *s0 = space_of(qemu, N(qemu), QEMU_HV_START, QEMU_HV_END);
    struct gpa_space s = *s0;
    assert_int_equal(gpa_classify(&s, 4 * GiB), GPA_RAM);
    assert_int_equal(gpa_classify(&s, 0xfd00000000ull), GPA_OUTSIDE);  /* above 64 GiB */
    /* With 32 address bits the RAM above 4 GiB is beyond reach. */
    s.phys_limit = 4 * GiB;
    assert_int_equal(gpa_classify(&s, 4 * GiB - 1), GPA_MMIO);
    assert_int_equal(gpa_classify(&s, 4 * GiB), GPA_OUTSIDE);
    assert_int_equal(gpa_classify(&s, QEMU_RAM_TOP - 1), GPA_OUTSIDE);
    assert_int_equal(gpa_classify(&s, 0), GPA_RAM);
}

/* A device page the hypervisor keeps (its MMIO console UART) is refused
 * as its region is, and the 2 MiB block around it is faulted in by 4 KiB
 * pages that leave it out. */
static void test_classify_held_device_page(void **state)
{
    (void)state;
    const struct gpa_space *s0 = space_of(bochs, N(bochs), HV_START, HV_END);
    struct gpa_space s = *s0;
    s.held[0] = (struct gpa_range){ 0xfebd1000, 0xfebd2000 };
    s.held[1] = (struct gpa_range){ 0xfed90000, 0xfed91000 };
    s.held_count = 2;
    assert_int_equal(gpa_classify(&s, 0xfed90800), GPA_HV);
    assert_int_equal(gpa_classify(&s, 0xfed91000), GPA_MMIO);
    assert_int_equal(gpa_classify(&s, 0xfebd0fff), GPA_MMIO);
    assert_int_equal(gpa_classify(&s, 0xfebd1000), GPA_HV);
    assert_int_equal(gpa_classify(&s, 0xfebd1fff), GPA_HV);
    assert_int_equal(gpa_classify(&s, 0xfebd2000), GPA_MMIO);
    struct mtrr_state mt = mt_typical_plus(0, 0, WB);
    struct ept_fault_plan p = ept_plan_fault(&s, &mt, 0xfebd1010);
    assert_int_equal(p.cls, GPA_HV);
    assert_int_equal(p.size, 0);
    p = ept_plan_fault(&s, &mt, 0xfeb00000);     /* the same block */
    assert_int_equal(p.cls, GPA_MMIO);
    assert_int_equal(p.size, EPT_PAGE_4K);
    p = ept_plan_fault(&s, &mt, 0xfe800000);     /* the block below: whole */
    assert_int_equal(p.size, EPT_PAGE_2M);
}

static void test_classify_without_hv_region(void **state)
{
    (void)state;
    const struct gpa_space *s = space_of(bochs, N(bochs), 0, 0);
    assert_int_equal(gpa_classify(s, 0), GPA_RAM);
    assert_int_equal(gpa_classify(s, HV_START), GPA_RAM);
    assert_int_equal(gpa_classify(s, 0xa0000), GPA_MMIO);
}

static void test_classify_empty_maps(void **state)
{
    (void)state;
    const struct gpa_space *s = space_of(NULL, 0, 16 * MiB, 20 * MiB);
    assert_int_equal(gpa_classify(s, 0), GPA_MMIO);
    assert_int_equal(gpa_classify(s, 16 * MiB), GPA_HV);
    assert_int_equal(gpa_classify(s, PHYS_LIMIT), GPA_OUTSIDE);
}

static void test_class_names(void **state)
{
    (void)state;
    assert_string_equal(gpa_class_name(GPA_RAM), "ram");
    assert_string_equal(gpa_class_name(GPA_MMIO), "mmio");
    assert_string_equal(gpa_class_name(GPA_HV), "hypervisor");
    assert_string_equal(gpa_class_name(GPA_OUTSIDE), "outside");
    assert_string_equal(gpa_class_name(GPA_CLASSES), "unknown");
    assert_string_equal(gpa_class_name((enum gpa_class)99), "unknown");
}

/* ---- ept_plan_fault ---------------------------------------------------------- */

static void assert_plan(const struct gpa_space *s, const struct mtrr_state *mt, uint64_t gpa,
                        enum gpa_class cls, uint64_t base, uint64_t size, unsigned memtype)
{
    struct ept_fault_plan p = ept_plan_fault(s, mt, gpa);
    if (p.cls != cls || p.base != base || p.size != size || p.memtype != memtype)
        fail_msg("gpa %#llx: class %s base %#llx size %#llx memtype %u, want %s %#llx %#llx %u",
                 (unsigned long long)gpa, gpa_class_name(p.cls), (unsigned long long)p.base,
                 (unsigned long long)p.size, p.memtype, gpa_class_name(cls),
                 (unsigned long long)base, (unsigned long long)size, memtype);
}

#define M2 EPT_PAGE_2M

static void test_plan_ram_2m_when_block_all_ram(void **state)
{
    (void)state;
    struct mtrr_state mt = mt_typical();
    const struct gpa_space *s = space_of(bochs, N(bochs), HV_START, HV_END);
    assert_plan(s, &mt, 0x200000, GPA_RAM, 0x200000, M2, WB);
    assert_plan(s, &mt, 0x500123, GPA_RAM, 0x400000, M2, WB);
    assert_plan(s, &mt, 0x1eb00000, GPA_RAM, 0x1ea00000, M2, WB);
    assert_plan(s, &mt, HV_START - 1, GPA_RAM, 0x1ea00000, M2, WB);
}

static void test_plan_ram_4k_when_block_not_all_ram(void **state)
{
    (void)state;
    struct mtrr_state mt = mt_typical();
    const struct gpa_space *s = space_of(bochs, N(bochs), HV_START, HV_END);
    /* [0, 2 MiB) holds reserved entries and the VGA hole. */
    assert_plan(s, &mt, 0, GPA_RAM, 0, PG, WB);
    assert_plan(s, &mt, 0x9e123, GPA_RAM, 0x9e000, PG, WB);
    assert_plan(s, &mt, 0x100000, GPA_RAM, 0x100000, PG, WB);
    assert_plan(s, &mt, 0x1fffff, GPA_RAM, 0x1ff000, PG, WB);
    /* [0x1fe00000, 0x20000000) holds part of the hypervisor. */
    assert_plan(s, &mt, 0x1fff0000, GPA_RAM, 0x1fff0000, PG, WB);  /* ACPI */
    assert_plan(s, &mt, 0x1ffff800, GPA_RAM, 0x1ffff000, PG, WB);
}

static void test_plan_ram_block_straddling_hv_edge(void **state)
{
    (void)state;
    struct mtrr_state mt = mt_none();
    const struct gpa_space *s = space_of(bochs, N(bochs), HV_START, HV_END);
    /* HV_END is not 2 MiB aligned: RAM just above it gets 4 KiB pages. */
    assert_plan(s, &mt, HV_END, GPA_RAM, HV_END, PG, WB);
    assert_plan(s, &mt, HV_END + 0x1234, GPA_RAM, HV_END + 0x1000, PG, WB);
    assert_plan(s, &mt, 0x1ffef000, GPA_RAM, 0x1ffef000, PG, WB);
    /* A start that is not 2 MiB aligned either. */
    s = space_of(bochs, N(bochs), HV_START + 0x3000, HV_END);
    assert_plan(s, &mt, HV_START, GPA_RAM, HV_START, PG, WB);
    assert_plan(s, &mt, HV_START + 0x2fff, GPA_RAM, HV_START + 0x2000, PG, WB);
    assert_plan(s, &mt, HV_START + 0x3000, GPA_HV, 0, 0, 0);
    assert_plan(s, &mt, HV_START - 1, GPA_RAM, HV_START - M2, M2, WB);
}

static void test_plan_ram_follows_mtrrs(void **state)
{
    (void)state;
    /* One RAM run from 0 (some hypervisors give one), the hypervisor far up. */
    static const struct mb2_mmap_entry in[] = {
        { 0, 3 * GiB + 512 * MiB, AVAIL },
    };
    struct mtrr_state mt = mt_typical_plus(0x1234000, PG, UC);
    const struct gpa_space *s = space_of(in, N(in), 2 * GiB, 2 * GiB + 4 * MiB);
    /* [0, 2 MiB) is all RAM but not one MTRR type. */
    assert_plan(s, &mt, 0x1000, GPA_RAM, 0x1000, PG, WB);
    assert_plan(s, &mt, 0xA0000, GPA_RAM, 0xA0000, PG, UC);
    assert_plan(s, &mt, 0xC0000, GPA_RAM, 0xC0000, PG, WP);
    assert_plan(s, &mt, 0x150000, GPA_RAM, 0x150000, PG, WB);
    /* A 4 KiB UC range inside a 2 MiB block of RAM. */
    assert_plan(s, &mt, 0x1234567, GPA_RAM, 0x1234000, PG, UC);
    assert_plan(s, &mt, 0x1235000, GPA_RAM, 0x1235000, PG, WB);
    assert_plan(s, &mt, 0x1400000, GPA_RAM, 0x1400000, M2, WB);
    /* RAM under the PCI-hole range is UC. */
    assert_plan(s, &mt, 3 * GiB, GPA_RAM, 3 * GiB, M2, UC);
    assert_plan(s, &mt, 3 * GiB + 512 * MiB - 1, GPA_RAM, 3 * GiB + 510 * MiB, M2, UC);
    assert_plan(s, &mt, 3 * GiB + 512 * MiB, GPA_MMIO, 3 * GiB + 512 * MiB, M2, UC);
}

static void test_plan_ram_across_adjacent_ram_like_entries(void **state)
{
    (void)state;
    static const struct mb2_mmap_entry in[] = {
        { 0x100000, 0x7fe0000 - 0x100000, AVAIL },
        { 0x7fe0000, 0x10000, ACPI },
        { 0x7ff0000, 0x10000, NVS },
    };
    struct mtrr_state mt = mt_none();
    const struct gpa_space *s = space_of(in, N(in), 64 * MiB, 68 * MiB);
    assert_plan(s, &mt, 0x7ff8000, GPA_RAM, 0x7e00000, M2, WB);
    assert_plan(s, &mt, 0x7fe0000, GPA_RAM, 0x7e00000, M2, WB);
    assert_plan(s, &mt, 0x7e00000, GPA_RAM, 0x7e00000, M2, WB);
}

static void test_plan_ram_above_4g(void **state)
{
    (void)state;
    struct mtrr_state mt = mt_typical();
    const struct gpa_space *s = space_of(qemu, N(qemu), QEMU_HV_START, QEMU_HV_END);
    assert_plan(s, &mt, 4 * GiB, GPA_RAM, 4 * GiB, M2, WB);
    assert_plan(s, &mt, QEMU_RAM_TOP - 1, GPA_RAM, QEMU_RAM_TOP - M2, M2, WB);
    assert_plan(s, &mt, QEMU_RAM_TOP, GPA_MMIO, QEMU_RAM_TOP, M2, UC);
    assert_plan(s, &mt, 0xbfee1000, GPA_RAM, 0xbfee1000, PG, WB);      /* ACPI, hole after */
    assert_plan(s, &mt, QEMU_HV_END, GPA_RAM, QEMU_HV_END, M2, WB);
}

static void test_plan_mmio_2m_uc_without_ram(void **state)
{
    (void)state;
    struct mtrr_state mt = mt_none();   /* MMIO is UC whatever the MTRRs say */
    const struct gpa_space *s = space_of(bochs, N(bochs), HV_START, HV_END);
    assert_plan(s, &mt, 0x20000000, GPA_MMIO, 0x20000000, M2, UC);
    assert_plan(s, &mt, 0x20345678, GPA_MMIO, 0x20200000, M2, UC);
    assert_plan(s, &mt, 0xfec00000, GPA_MMIO, 0xfec00000, M2, UC);     /* IOAPIC */
    assert_plan(s, &mt, 0xfee00000, GPA_MMIO, 0xfee00000, M2, UC);     /* LAPIC */
    assert_plan(s, &mt, 0xfffc0000, GPA_MMIO, 0xffe00000, M2, UC);     /* hole + ROM */
    assert_plan(s, &mt, 0xffffffff, GPA_MMIO, 0xffe00000, M2, UC);
    assert_plan(s, &mt, 4 * GiB, GPA_MMIO, 4 * GiB, M2, UC);
    assert_plan(s, &mt, PHYS_LIMIT - 1, GPA_MMIO, PHYS_LIMIT - M2, M2, UC);
}

static void test_plan_mmio_4k_near_ram(void **state)
{
    (void)state;
    struct mtrr_state mt = mt_typical();
    const struct gpa_space *s = space_of(bochs, N(bochs), HV_START, HV_END);
    assert_plan(s, &mt, 0x9f000, GPA_MMIO, 0x9f000, PG, UC);          /* EBDA */
    assert_plan(s, &mt, 0xb8000, GPA_MMIO, 0xb8000, PG, UC);          /* VGA text */
    assert_plan(s, &mt, 0xc0123, GPA_MMIO, 0xc0000, PG, UC);          /* option ROM, WP MTRR */
    assert_plan(s, &mt, 0xe8000, GPA_MMIO, 0xe8000, PG, UC);
    assert_plan(s, &mt, 0xfffff, GPA_MMIO, 0xff000, PG, UC);
}

static void test_plan_mmio_4k_when_block_has_firmware_ram(void **state)
{
    (void)state;
    /* mem=128M: the reserved range after RAM shares its 2 MiB block with
     * RAM the guest no longer has but the machine does. */
    static const struct mb2_mmap_entry in[] = {
        { 0, 0x9f000, AVAIL },
        { 0x100000, 0x10000000, AVAIL },
        { 0x10100000, 0x100000, RSVD },
    };
    struct mtrr_state mt = mt_none();
    const struct gpa_space *s = space_of(in, N(in), 0xc000000, 0xc400000);
    memmap_limit_ram(&gmap, 128 * MiB);
    assert_plan(s, &mt, 0x10100000, GPA_MMIO, 0x10100000, PG, UC);
    assert_plan(s, &mt, 0x101fffff, GPA_MMIO, 0x101ff000, PG, UC);
    assert_plan(s, &mt, 0x10000000, GPA_OUTSIDE, 0, 0, 0);
    assert_plan(s, &mt, 0x10200000, GPA_MMIO, 0x10200000, M2, UC);
}

static void test_plan_mmio_block_with_hv_gives_4k(void **state)
{
    (void)state;
    /* The hypervisor in a hole (as a test may place it): MMIO beside it. */
    static const struct mb2_mmap_entry in[] = {
        { 0, 0x9f000, AVAIL },
        { 0x100000, 63 * MiB, AVAIL },
    };
    struct mtrr_state mt = mt_none();
    const struct gpa_space *s = space_of(in, N(in), 0x5100000, 0x5300000);
    assert_plan(s, &mt, 0x4e00000, GPA_MMIO, 0x4e00000, M2, UC);
    assert_plan(s, &mt, 0x5000000, GPA_MMIO, 0x5000000, PG, UC);
    assert_plan(s, &mt, 0x50ff000, GPA_MMIO, 0x50ff000, PG, UC);
    assert_plan(s, &mt, 0x5100000, GPA_HV, 0, 0, 0);
    assert_plan(s, &mt, 0x5300000, GPA_MMIO, 0x5300000, PG, UC);
    assert_plan(s, &mt, 0x5400000, GPA_MMIO, 0x5400000, M2, UC);
}

static void test_plan_hv_and_outside_refused(void **state)
{
    (void)state;
    struct mtrr_state mt = mt_typical();
    const struct gpa_space *s = space_of(bochs, N(bochs), HV_START, HV_END);
    assert_plan(s, &mt, HV_START, GPA_HV, 0, 0, 0);
    assert_plan(s, &mt, HV_START + 0x12345, GPA_HV, 0, 0, 0);
    assert_plan(s, &mt, HV_END - 1, GPA_HV, 0, 0, 0);
    assert_plan(s, &mt, PHYS_LIMIT, GPA_OUTSIDE, 0, 0, 0);
    assert_plan(s, &mt, UINT64_MAX, GPA_OUTSIDE, 0, 0, 0);
    memmap_limit_ram(&gmap, 256 * MiB);
    assert_plan(s, &mt, 0x18000000, GPA_OUTSIDE, 0, 0, 0);
    assert_plan(s, &mt, 0x1000ffff, GPA_RAM, 0x1000f000, PG, WB);      /* kept: to 0x10061000 */
}

static void test_plan_refuses_page_shared_with_unaligned_hv(void **state)
{
    (void)state;
    /* The region is page aligned in practice; were it not, the page it
     * shares with RAM must still never be mapped. */
    struct mtrr_state mt = mt_none();
    const struct gpa_space *s = space_of(bochs, N(bochs), HV_START + 0x800, HV_END);
    assert_int_equal(gpa_classify(s, HV_START + 0x100), GPA_RAM);
    assert_plan(s, &mt, HV_START + 0x100, GPA_RAM, 0, 0, 0);
    assert_plan(s, &mt, HV_START - 1, GPA_RAM, HV_START - M2, M2, WB);
}

static void test_plan_partial_pages(void **state)
{
    (void)state;
    /* ACPI ends mid-page and reserved space follows in the same page:
     * the static map leaves that page out, so it must fault in. */
    static const struct mb2_mmap_entry in[] = {
        { 0x100000, 0x7fe0000 - 0x100000, AVAIL },
        { 0x7fe0000, 0x10800, ACPI },
        { 0x7ff0800, 0xf800, RSVD },
    };
    struct mtrr_state mt = mt_none();
    const struct gpa_space *s = space_of(in, N(in), 64 * MiB, 68 * MiB);
    assert_plan(s, &mt, 0x7ff0100, GPA_RAM, 0x7ff0000, PG, WB);
    assert_plan(s, &mt, 0x7fef000, GPA_RAM, 0x7fef000, PG, WB);
    assert_plan(s, &mt, 0x7ff0900, GPA_MMIO, 0x7ff0000, PG, UC);
    assert_plan(s, &mt, 0x7ff1000, GPA_MMIO, 0x7ff1000, PG, UC);
}

/* Regression (found by tests/fuzz/fuzz_ept.c): a 4-level EPT translates
 * bits 47:0 only, so with MAXPHYADDR 52 an address at or above 2^48 is
 * outside; planned as MMIO it was mapped onto the slot of its alias below
 * 2^48, breaking the identity map there. */
static void test_classify_beyond_48_bits(void **state)
{
    (void)state;
    const struct gpa_space *s0 = space_of(qemu, N(qemu), QEMU_HV_START, QEMU_HV_END);
    struct gpa_space s = *s0;
    struct mtrr_state mt = mt_none();
    s.phys_limit = 1ull << 52;
    assert_int_equal(gpa_classify(&s, (1ull << 48) - 1), GPA_MMIO);
    assert_int_equal(gpa_classify(&s, 1ull << 48), GPA_OUTSIDE);
    assert_int_equal(gpa_classify(&s, (1ull << 48) + 4 * GiB), GPA_OUTSIDE);  /* alias of RAM */
    assert_plan(&s, &mt, 1ull << 48, GPA_OUTSIDE, 0, 0, 0);
    assert_plan(&s, &mt, (1ull << 48) - 1, GPA_MMIO, (1ull << 48) - M2, M2, UC);
}

/* Regression (found by tests/fuzz/fuzz_ept.c): ACPI ends and NVS starts
 * mid-page. The static map leaves that page out, with 4 KiB pages around
 * it; a fault there was planned as the whole 2 MiB block, which ept_map
 * refuses over the page table (EPT_NO_MEMORY for a resolvable fault). */
static void test_plan_page_split_between_ram_like_entries(void **state)
{
    (void)state;
    static const struct mb2_mmap_entry in[] = {
        { 0x0, 0x100800, ACPI },
        { 0x100800, 0xff800, NVS },
    };
    struct ept e;
    struct mtrr_state mt = mt_none();
    const struct gpa_space *s = space_of(in, N(in), 64 * MiB, 68 * MiB);
    new_ept(&e, false, -1);
    assert_int_equal(ept_map_guest_ram(&e, s, &mt), 0);
    assert_mapped(&e, 0xff000, PG, EPT_RWX, WB);
    assert_mapped(&e, 0x101000, PG, EPT_RWX, WB);
    assert_unmapped(&e, 0x100000);
    assert_plan(s, &mt, 0x100000, GPA_RAM, 0x100000, PG, WB);
    assert_plan(s, &mt, 0x100900, GPA_RAM, 0x100000, PG, WB);
    struct ept_fault_plan p = ept_plan_fault(s, &mt, 0x100000);
    assert_int_equal(ept_map(&e, p.base, p.size, EPT_RWX, p.memtype), 0);
    assert_mapped(&e, 0x100000, PG, EPT_RWX, WB);
}

static void test_plan_then_map(void **state)
{
    (void)state;
    /* The plans of a lazy map, applied as ept_fault_in does. */
    struct ept e;
    struct mtrr_state mt = mt_typical();
    const struct gpa_space *s = space_of(bochs, N(bochs), HV_START, HV_END);
    new_ept(&e, false, -1);
    static const uint64_t faults[] = { 0x500000, 0x9f000, 0x1000, HV_END, 0xfee00000 };
    for (unsigned i = 0; i < N(faults); i++) {
        struct ept_fault_plan p = ept_plan_fault(s, &mt, faults[i]);
        assert_int_equal(ept_map(&e, p.base, p.size, EPT_RWX, p.memtype), 0);
    }
    assert_counts(&e, 6, 3, 2, 0);             /* root, PDPT, PDs 0 and 3, PTs 0 and 0x1fe00000 */
    assert_mapped(&e, 0x400000, EPT_PAGE_2M, EPT_RWX, WB);
    assert_mapped(&e, 0x9f000, PG, EPT_RWX, UC);
    assert_mapped(&e, 0x1000, PG, EPT_RWX, WB);
    assert_mapped(&e, HV_END, PG, EPT_RWX, WB);
    assert_mapped(&e, 0xfee00000, EPT_PAGE_2M, EPT_RWX, UC);
    assert_unmapped(&e, HV_END - 1);
}

/* ---- the plan table --------------------------------------------------------- */

/* Every page of [0, blocks * 2 MiB) (at its first, a middle and its last
 * byte): the table knows the plan ept_plan_fault gives, or says it does
 * not know. Returns how many of the looked-up addresses it knew. */
static unsigned assert_table_agrees(const struct gpa_space *s, const struct mtrr_state *mt,
                                    uint64_t blocks, unsigned max_pages)
{
    static uint8_t block[4096];
    static uint8_t pages[PLAN_PAGES_MAX][512];
    struct ept_plan_table t = { block, blocks, pages, 0, max_pages };
    unsigned known = 0;
    assert_true(blocks <= sizeof(block));
    ept_plan_table_build(&t, s, mt);
    for (uint64_t pa = 0; pa < blocks << 21; pa += PG) {
        static const uint64_t offsets[] = { 0, 0x7ff, 0xfff };
        for (unsigned i = 0; i < N(offsets); i++) {
            struct ept_fault_plan want = ept_plan_fault(s, mt, pa + offsets[i]), got;
            if (!ept_plan_lookup(&t, pa + offsets[i], &got))
                continue;
            known++;
            if (got.cls != want.cls || got.base != want.base || got.size != want.size ||
                got.memtype != want.memtype)
                fail_msg("gpa %#llx: table %s %#llx %#llx %u, planner %s %#llx %#llx %u",
                         (unsigned long long)(pa + offsets[i]), gpa_class_name(got.cls),
                         (unsigned long long)got.base, (unsigned long long)got.size, got.memtype,
                         gpa_class_name(want.cls), (unsigned long long)want.base,
                         (unsigned long long)want.size, want.memtype);
        }
    }
    return known;
}

static void test_plan_table_agrees_with_planner(void **state)
{
    (void)state;
    struct mtrr_state mt = mt_typical();
    const struct gpa_space *s = space_of(bochs, N(bochs), HV_START, HV_END);
    /* 512 MiB: every RAM page is known, 2 MiB or 4 KiB. */
    unsigned known = assert_table_agrees(s, &mt, 256, PLAN_PAGES_MAX);
    assert_true(known > 3 * 256 * 512 * 9 / 10);
    struct mtrr_state none = mt_none();
    assert_table_agrees(s, &none, 256, PLAN_PAGES_MAX);
    s = space_of(qemu, N(qemu), QEMU_HV_START, QEMU_HV_END);
    assert_table_agrees(s, &mt, 64, 4);         /* few page tables: the rest stays unknown */
}

static void test_plan_table_lookup(void **state)
{
    (void)state;
    struct mtrr_state mt = mt_typical();
    const struct gpa_space *s = space_of(bochs, N(bochs), HV_START, HV_END);
    static uint8_t block[256];
    static uint8_t pages[2][512];
    struct ept_plan_table t = { block, 256, pages, 0, 2 };
    struct ept_fault_plan p;
    ept_plan_table_build(&t, s, &mt);
    assert_true(ept_plan_lookup(&t, 0x4000123, &p));        /* RAM block */
    assert_int_equal(p.cls, GPA_RAM);
    assert_int_equal(p.base, 0x4000000);
    assert_int_equal(p.size, EPT_PAGE_2M);
    assert_int_equal(p.memtype, WB);
    assert_true(ept_plan_lookup(&t, 0x20123, &p));          /* low RAM: a mixed block */
    assert_int_equal(p.base, 0x20000);
    assert_int_equal(p.size, PG);
    assert_false(ept_plan_lookup(&t, 256ull << 21, &p));    /* beyond the table */
    assert_false(ept_plan_lookup(&t, HV_START + 0x5000, &p)); /* refused: the planner says why */
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_table_entry_layout),
        T(test_leaf_layout),
        T(test_eptp_layout),
        T(test_npt_table_entry_is_present_writable_user),
        T(test_npt_leaf_permissions),
        T(test_npt_memory_types_through_the_power_on_pat),
        T(test_npt_map_and_walk),
        T(test_iommu_formats_map_and_walk),
        T(test_init_allocates_root),
        T(test_init_fails_without_memory),
        T(test_table_makes_the_missing_levels_and_is_the_one_map_fills),
        T(test_table_refuses_under_a_large_page_and_without_memory),
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
        T(test_typed_wb_everywhere_1g_pages),
        T(test_typed_without_1g_uses_2m),
        T(test_typed_unaligned_range_edges),
        T(test_typed_typical_firmware_layout),
        T(test_typed_mixed_ranges_fall_back),
        T(test_typed_1g_only_when_allowed),
        T(test_typed_mtrrs_disabled_all_uc),
        T(test_typed_misaligned_rejected),
        T(test_typed_allocation_failure),
        T(test_guest_ram_bochs),
        T(test_guest_ram_above_4g),
        T(test_guest_ram_uses_mtrr_types),
        T(test_guest_ram_whole_pages_only),
        T(test_guest_ram_entry_within_one_page),
        T(test_guest_ram_never_reserved_or_bad),
        T(test_guest_ram_overlapping_entries),
        T(test_guest_ram_overlapping_hv_fails),
        T(test_guest_ram_partial_page_next_to_hv),
        T(test_guest_ram_mem_limit),
        T(test_guest_ram_empty_map),
        T(test_guest_ram_allocation_failures),
        T(test_classify_bochs),
        T(test_classify_acpi_nvs_bad),
        T(test_classify_mem_limit_is_outside),
        T(test_classify_phys_limit),
        T(test_classify_held_device_page),
        T(test_classify_without_hv_region),
        T(test_classify_empty_maps),
        T(test_class_names),
        T(test_plan_ram_2m_when_block_all_ram),
        T(test_plan_ram_4k_when_block_not_all_ram),
        T(test_plan_ram_block_straddling_hv_edge),
        T(test_plan_ram_follows_mtrrs),
        T(test_plan_ram_across_adjacent_ram_like_entries),
        T(test_plan_ram_above_4g),
        T(test_plan_mmio_2m_uc_without_ram),
        T(test_plan_mmio_4k_near_ram),
        T(test_plan_mmio_4k_when_block_has_firmware_ram),
        T(test_plan_mmio_block_with_hv_gives_4k),
        T(test_plan_hv_and_outside_refused),
        T(test_plan_refuses_page_shared_with_unaligned_hv),
        T(test_plan_partial_pages),
        T(test_classify_beyond_48_bits),
        T(test_plan_page_split_between_ram_like_entries),
        T(test_plan_then_map),
        T(test_plan_table_agrees_with_planner),
        T(test_plan_table_lookup),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
