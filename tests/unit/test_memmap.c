// covers: kernel/memmap.c
/*
 * test_memmap.c - host unit tests of the guest memory map
 * (kernel/memmap.c): the firmware map sorted, trimmed and with the
 * hypervisor's region carved out; RAM queries on the result.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "../../kernel/memmap.h"

#define KiB 1024ull
#define MiB (1024ull * KiB)
#define GiB (1024ull * MiB)

#define AVAIL MB2_MEM_AVAILABLE
#define RSVD  MB2_MEM_RESERVED
#define ACPI  MB2_MEM_ACPI
#define NVS   MB2_MEM_NVS
#define BAD   MB2_MEM_BADRAM

#define E(b, l, t) ((struct mb2_mmap_entry){ (b), (l), (t) })
#define N(a) ((unsigned)(sizeof(a) / sizeof((a)[0])))

static struct memmap m;

static void assert_entry(unsigned i, uint64_t base, uint64_t len, uint32_t type)
{
    assert_true(i < m.n);
    assert_int_equal(m.e[i].base, base);
    assert_int_equal(m.e[i].len, len);
    assert_int_equal(m.e[i].type, type);
}

/* A map built directly (already sorted), for the query functions. */
static void map_of(const struct mb2_mmap_entry *e, unsigned n)
{
    memset(&m, 0, sizeof(m));
    memcpy(m.e, e, n * sizeof(*e));
    m.n = n;
}

/* The Bochs BIOS map with 512 MiB. */
static const struct mb2_mmap_entry bochs[] = {
    { 0x0, 0x9f000, AVAIL },
    { 0x9f000, 0x1000, RSVD },
    { 0xe8000, 0x18000, RSVD },
    { 0x100000, 0x1fef0000, AVAIL },
    { 0x1fff0000, 0x10000, ACPI },
    { 0xfffc0000, 0x40000, RSVD },
};

/* ---- memmap_guest_view ----------------------------------------------------- */

static void test_view_copies_sorted_map_without_hv(void **state)
{
    (void)state;
    memset(&m, 0x5A, sizeof(m));
    memmap_guest_view(bochs, N(bochs), 0, 0, &m);
    assert_int_equal(m.n, 6);
    assert_false(m.truncated);
    for (unsigned i = 0; i < N(bochs); i++)
        assert_entry(i, bochs[i].base, bochs[i].len, bochs[i].type);
}

static void test_view_no_hv_when_end_not_above_start(void **state)
{
    (void)state;
    struct mb2_mmap_entry in[] = { E(0, 64 * MiB, AVAIL) };
    memmap_guest_view(in, 1, 16 * MiB, 16 * MiB, &m);
    assert_int_equal(m.n, 1);
    assert_entry(0, 0, 64 * MiB, AVAIL);
    memmap_guest_view(in, 1, 32 * MiB, 16 * MiB, &m);
    assert_int_equal(m.n, 1);
    assert_entry(0, 0, 64 * MiB, AVAIL);
}

static void test_view_empty_input(void **state)
{
    (void)state;
    memmap_guest_view(NULL, 0, 0, 0, &m);
    assert_int_equal(m.n, 0);
    assert_false(m.truncated);
    /* Only the hypervisor's entry. */
    memmap_guest_view(NULL, 0, 16 * MiB, 20 * MiB, &m);
    assert_int_equal(m.n, 1);
    assert_entry(0, 16 * MiB, 4 * MiB, RSVD);
}

static void test_view_sorts_unsorted_input(void **state)
{
    (void)state;
    struct mb2_mmap_entry in[] = {
        E(0x100000, 0x7f00000, AVAIL),
        E(0xfffc0000, 0x40000, RSVD),
        E(0x0, 0x9fc00 & ~0xfffull, AVAIL),
        E(0x8000000, 0x20000, ACPI),
        E(0xf0000, 0x10000, RSVD),
    };
    memmap_guest_view(in, N(in), 0, 0, &m);
    assert_int_equal(m.n, 5);
    assert_entry(0, 0x0, 0x9f000, AVAIL);
    assert_entry(1, 0xf0000, 0x10000, RSVD);
    assert_entry(2, 0x100000, 0x7f00000, AVAIL);
    assert_entry(3, 0x8000000, 0x20000, ACPI);
    assert_entry(4, 0xfffc0000, 0x40000, RSVD);
}

static void test_view_sort_reverse_order(void **state)
{
    (void)state;
    struct mb2_mmap_entry in[8];
    for (unsigned i = 0; i < 8; i++)
        in[i] = E((7 - i) * MiB, MiB, i % 2 ? RSVD : AVAIL);
    memmap_guest_view(in, 8, 0, 0, &m);
    assert_int_equal(m.n, 8);
    for (unsigned i = 0; i < 8; i++)
        assert_entry(i, i * MiB, MiB, (7 - i) % 2 ? RSVD : AVAIL);
}

static void test_view_drops_zero_length_entries(void **state)
{
    (void)state;
    struct mb2_mmap_entry in[] = {
        E(0, 0, AVAIL),
        E(0x1000, 0x1000, AVAIL),
        E(0x5000, 0, RSVD),
        E(0x100000, 0, ACPI),
    };
    memmap_guest_view(in, N(in), 0, 0, &m);
    assert_int_equal(m.n, 1);
    assert_entry(0, 0x1000, 0x1000, AVAIL);
}

static void test_view_drops_wrapping_entries(void **state)
{
    (void)state;
    struct mb2_mmap_entry in[] = {
        E(0xFFFFFFFFFFFFF000ull, 0x2000, RSVD),
        E(0x1000, UINT64_MAX, AVAIL),
        E(2 * MiB, MiB, AVAIL),
    };
    memmap_guest_view(in, N(in), 0, 0, &m);
    assert_int_equal(m.n, 1);
    assert_entry(0, 2 * MiB, MiB, AVAIL);
}

static void test_view_entry_at_top_of_address_space_kept(void **state)
{
    (void)state;
    /* Ends one byte short of 2^64: no wrap. */
    struct mb2_mmap_entry in[] = { E(0xFFFFFFFF00000000ull, 0xFFFFFFFFull, RSVD) };
    memmap_guest_view(in, 1, 0, 0, &m);
    assert_int_equal(m.n, 1);
    assert_entry(0, 0xFFFFFFFF00000000ull, 0xFFFFFFFFull, RSVD);
}

static void test_view_trims_available_to_pages(void **state)
{
    (void)state;
    struct mb2_mmap_entry in[] = {
        E(0x0, 0x9fc00, AVAIL),             /* end rounded down */
        E(0x100400, 0x1000000, AVAIL),      /* both ends rounded */
        E(0x2000001, 0x1ffe, AVAIL),        /* no whole page inside: gone */
        E(0x3000000, 0xfff, AVAIL),         /* aligned start, short: gone */
    };
    memmap_guest_view(in, N(in), 0, 0, &m);
    assert_int_equal(m.n, 2);
    assert_entry(0, 0x0, 0x9f000, AVAIL);
    assert_entry(1, 0x101000, 0xfff000, AVAIL);
}

static void test_view_trim_at_top_of_address_space(void **state)
{
    (void)state;
    struct mb2_mmap_entry in[] = {
        /* No whole page; rounding the start up must not wrap to 0. */
        E(0xFFFFFFFFFFFFF001ull, 0xFFE, AVAIL),
        /* The last whole page below 2^64 - 1 is kept. */
        E(0xFFFFFFFFFFFFE000ull, 0x1FFF, AVAIL),
    };
    memmap_guest_view(in, 1, 0, 0, &m);
    assert_int_equal(m.n, 0);
    assert_int_equal(memmap_ram_top(&m), 0);
    memmap_guest_view(in + 1, 1, 0, 0, &m);
    assert_int_equal(m.n, 1);
    assert_entry(0, 0xFFFFFFFFFFFFE000ull, 0x1000, AVAIL);
}

static void test_view_does_not_trim_other_types(void **state)
{
    (void)state;
    struct mb2_mmap_entry in[] = {
        E(0x9fc00, 0x400, RSVD),
        E(0x7ffe0010, 0x1ff0, ACPI),
        E(0x7fff0001, 0x7, NVS),
        E(0x80000800, 0x10, BAD),
        E(0x90000000, 0x123, 7),
    };
    memmap_guest_view(in, N(in), 0, 0, &m);
    assert_int_equal(m.n, 5);
    assert_entry(0, 0x9fc00, 0x400, RSVD);
    assert_entry(1, 0x7ffe0010, 0x1ff0, ACPI);
    assert_entry(2, 0x7fff0001, 0x7, NVS);
    assert_entry(3, 0x80000800, 0x10, BAD);
    assert_entry(4, 0x90000000, 0x123, 7);
}

static void test_view_carves_hv_from_middle_of_entry(void **state)
{
    (void)state;
    struct mb2_mmap_entry in[] = { E(1 * MiB, 127 * MiB, AVAIL) };
    memmap_guest_view(in, 1, 16 * MiB, 20 * MiB, &m);
    assert_int_equal(m.n, 3);
    assert_entry(0, 1 * MiB, 15 * MiB, AVAIL);
    assert_entry(1, 16 * MiB, 4 * MiB, RSVD);
    assert_entry(2, 20 * MiB, 108 * MiB, AVAIL);
}

static void test_view_carves_hv_bochs(void **state)
{
    (void)state;
    memmap_guest_view(bochs, N(bochs), 0x1ec00000, 0x1fe1e000, &m);
    assert_int_equal(m.n, 8);
    assert_false(m.truncated);
    assert_entry(0, 0x0, 0x9f000, AVAIL);
    assert_entry(1, 0x9f000, 0x1000, RSVD);
    assert_entry(2, 0xe8000, 0x18000, RSVD);
    assert_entry(3, 0x100000, 0x1ec00000 - 0x100000, AVAIL);
    assert_entry(4, 0x1ec00000, 0x1fe1e000 - 0x1ec00000, RSVD);
    assert_entry(5, 0x1fe1e000, 0x1fff0000 - 0x1fe1e000, AVAIL);
    assert_entry(6, 0x1fff0000, 0x10000, ACPI);
    assert_entry(7, 0xfffc0000, 0x40000, RSVD);
}

static void test_view_carves_hv_across_several_entries(void **state)
{
    (void)state;
    struct mb2_mmap_entry in[] = {
        E(0, 8 * MiB, AVAIL),
        E(8 * MiB, 1 * MiB, ACPI),
        E(9 * MiB, 1 * MiB, RSVD),
        E(10 * MiB, 6 * MiB, AVAIL),
    };
    /* [6 MiB, 12 MiB): cuts the tail of the first, swallows the two
     * middle entries, cuts the head of the last. */
    memmap_guest_view(in, N(in), 6 * MiB, 12 * MiB, &m);
    assert_int_equal(m.n, 3);
    assert_entry(0, 0, 6 * MiB, AVAIL);
    assert_entry(1, 6 * MiB, 6 * MiB, RSVD);
    assert_entry(2, 12 * MiB, 4 * MiB, AVAIL);
}

static void test_view_hv_at_entry_edges(void **state)
{
    (void)state;
    struct mb2_mmap_entry in[] = { E(0, 4 * MiB, AVAIL), E(4 * MiB, 4 * MiB, AVAIL) };
    /* Exactly the second entry: it disappears, the first is untouched. */
    memmap_guest_view(in, 2, 4 * MiB, 8 * MiB, &m);
    assert_int_equal(m.n, 2);
    assert_entry(0, 0, 4 * MiB, AVAIL);
    assert_entry(1, 4 * MiB, 4 * MiB, RSVD);
    /* The start of the first entry. */
    memmap_guest_view(in, 2, 0, 1 * MiB, &m);
    assert_int_equal(m.n, 3);
    assert_entry(0, 0, 1 * MiB, RSVD);
    assert_entry(1, 1 * MiB, 3 * MiB, AVAIL);
    assert_entry(2, 4 * MiB, 4 * MiB, AVAIL);
}

static void test_view_hv_outside_every_entry(void **state)
{
    (void)state;
    struct mb2_mmap_entry in[] = { E(0, 4 * MiB, AVAIL), E(16 * MiB, 4 * MiB, AVAIL) };
    memmap_guest_view(in, 2, 8 * MiB, 12 * MiB, &m);
    assert_int_equal(m.n, 3);
    assert_entry(0, 0, 4 * MiB, AVAIL);
    assert_entry(1, 8 * MiB, 4 * MiB, RSVD);
    assert_entry(2, 16 * MiB, 4 * MiB, AVAIL);
}

static void test_view_hv_carves_non_ram_too(void **state)
{
    (void)state;
    struct mb2_mmap_entry in[] = { E(0xF0000000, 0x10000000, RSVD) };
    memmap_guest_view(in, 1, 0xF8000000, 0xF8001000, &m);
    assert_int_equal(m.n, 3);
    assert_entry(0, 0xF0000000, 0x08000000, RSVD);
    assert_entry(1, 0xF8000000, 0x1000, RSVD);
    assert_entry(2, 0xF8001000, 0x07FFF000, RSVD);
}

static void test_view_trim_before_carve(void **state)
{
    (void)state;
    /* Trimmed RAM [0x1000, 0x9000) with the hv region [0x3000, 0x5000). */
    struct mb2_mmap_entry in[] = { E(0x800, 0x8900, AVAIL) };
    memmap_guest_view(in, 1, 0x3000, 0x5000, &m);
    assert_int_equal(m.n, 3);
    assert_entry(0, 0x1000, 0x2000, AVAIL);
    assert_entry(1, 0x3000, 0x2000, RSVD);
    assert_entry(2, 0x5000, 0x4000, AVAIL);
}

static void test_view_truncates_at_max(void **state)
{
    (void)state;
    static struct mb2_mmap_entry in[MEMMAP_MAX + 5];
    for (unsigned i = 0; i < N(in); i++)
        in[i] = E((uint64_t)i * 2 * MiB, MiB, AVAIL);
    memmap_guest_view(in, N(in), 0, 0, &m);
    assert_int_equal(m.n, MEMMAP_MAX);
    assert_true(m.truncated);
    assert_entry(MEMMAP_MAX - 1, (uint64_t)(MEMMAP_MAX - 1) * 2 * MiB, MiB, AVAIL);
}

static void test_view_exactly_max_not_truncated(void **state)
{
    (void)state;
    static struct mb2_mmap_entry in[MEMMAP_MAX - 1];
    for (unsigned i = 0; i < N(in); i++)
        in[i] = E((uint64_t)i * 2 * MiB, MiB, AVAIL);
    /* MEMMAP_MAX - 1 entries plus the hypervisor's: full, nothing lost. */
    memmap_guest_view(in, N(in), 0x7FFF00000000ull, 0x7FFF00100000ull, &m);
    assert_int_equal(m.n, MEMMAP_MAX);
    assert_false(m.truncated);
    assert_entry(MEMMAP_MAX - 1, 0x7FFF00000000ull, MiB, RSVD);
}

static void test_view_split_overflows_max(void **state)
{
    (void)state;
    static struct mb2_mmap_entry in[MEMMAP_MAX];
    for (unsigned i = 0; i < N(in); i++)
        in[i] = E((uint64_t)i * 4 * MiB, 2 * MiB, AVAIL);
    /* Splitting the first entry needs one slot more than there are. */
    memmap_guest_view(in, N(in), 0x80000, 0x100000, &m);
    assert_int_equal(m.n, MEMMAP_MAX);
    assert_true(m.truncated);
    assert_entry(0, 0, 0x80000, AVAIL);
    assert_entry(1, 0x100000, 0x100000, AVAIL);
}

/* ---- memmap_is_ram --------------------------------------------------------- */

static void test_is_ram_within_one_entry(void **state)
{
    (void)state;
    memmap_guest_view(bochs, N(bochs), 0x1ec00000, 0x1fe1e000, &m);
    assert_true(memmap_is_ram(&m, 0, 1));
    assert_true(memmap_is_ram(&m, 0, 0x9f000));
    assert_true(memmap_is_ram(&m, 0x9efff, 1));
    assert_true(memmap_is_ram(&m, 0x100000, 0x1000));
    assert_true(memmap_is_ram(&m, 0x100000, 0x1ec00000 - 0x100000));
    assert_true(memmap_is_ram(&m, 0x1fe1e000, 0x1fff0000 - 0x1fe1e000));
}

static void test_is_ram_outside_ram(void **state)
{
    (void)state;
    memmap_guest_view(bochs, N(bochs), 0x1ec00000, 0x1fe1e000, &m);
    assert_false(memmap_is_ram(&m, 0x9f000, 1));            /* reserved */
    assert_false(memmap_is_ram(&m, 0xa0000, 0x1000));       /* hole (VGA) */
    assert_false(memmap_is_ram(&m, 0x1fff0000, 0x10));      /* ACPI */
    assert_false(memmap_is_ram(&m, 0x20000000, 0x1000));    /* above RAM */
    assert_false(memmap_is_ram(&m, 0xfffc0000, 0x1000));
    assert_false(memmap_is_ram(&m, 1ull << 40, 1));
}

static void test_is_ram_runs_past_entry(void **state)
{
    (void)state;
    memmap_guest_view(bochs, N(bochs), 0x1ec00000, 0x1fe1e000, &m);
    assert_false(memmap_is_ram(&m, 0, 0xa0000));            /* into reserved */
    assert_false(memmap_is_ram(&m, 0x9e000, 0x2000));
    assert_false(memmap_is_ram(&m, 0xff000, 0x2000));       /* starts in reserved */
    assert_false(memmap_is_ram(&m, 0x1fff0000 - 0x1000, 0x1001));
}

static void test_is_ram_touching_hv_region(void **state)
{
    (void)state;
    memmap_guest_view(bochs, N(bochs), 0x1ec00000, 0x1fe1e000, &m);
    assert_true(memmap_is_ram(&m, 0x1ec00000 - 0x1000, 0x1000));
    assert_false(memmap_is_ram(&m, 0x1ec00000 - 0x1000, 0x1001));
    assert_false(memmap_is_ram(&m, 0x1ec00000, 1));
    assert_false(memmap_is_ram(&m, 0x1fe1dfff, 1));
    assert_false(memmap_is_ram(&m, 0x1fe1dfff, 2));
    assert_true(memmap_is_ram(&m, 0x1fe1e000, 1));
    /* Across the whole region. */
    assert_false(memmap_is_ram(&m, 0x1e000000, 0x1000000 + 0x1000));
}

static void test_is_ram_spans_adjacent_entries(void **state)
{
    (void)state;
    static const struct mb2_mmap_entry e[] = {
        { 0, 1 * MiB, AVAIL },
        { 1 * MiB, 1 * MiB, AVAIL },
        { 2 * MiB, 2 * MiB, AVAIL },
        { 5 * MiB, 1 * MiB, AVAIL },
    };
    map_of(e, N(e));
    assert_true(memmap_is_ram(&m, 0, 4 * MiB));
    assert_true(memmap_is_ram(&m, 1 * MiB - 1, 2));
    assert_true(memmap_is_ram(&m, 512 * KiB, 3 * MiB));
    /* A 1 MiB gap at [4, 5) MiB. */
    assert_false(memmap_is_ram(&m, 3 * MiB, 3 * MiB));
    assert_false(memmap_is_ram(&m, 4 * MiB - 1, 2));
    assert_true(memmap_is_ram(&m, 5 * MiB, 1 * MiB));
    assert_false(memmap_is_ram(&m, 5 * MiB, 1 * MiB + 1));
}

static void test_is_ram_adjacent_non_ram_breaks_span(void **state)
{
    (void)state;
    static const struct mb2_mmap_entry e[] = {
        { 0, 1 * MiB, AVAIL },
        { 1 * MiB, 1 * MiB, ACPI },
        { 2 * MiB, 1 * MiB, AVAIL },
    };
    map_of(e, N(e));
    assert_false(memmap_is_ram(&m, 0, 3 * MiB));
    assert_false(memmap_is_ram(&m, 1 * MiB - 1, 2));
    assert_true(memmap_is_ram(&m, 2 * MiB, 1 * MiB));
}

static void test_is_ram_zero_length_false(void **state)
{
    (void)state;
    memmap_guest_view(bochs, N(bochs), 0, 0, &m);
    assert_false(memmap_is_ram(&m, 0, 0));
    assert_false(memmap_is_ram(&m, 0x100000, 0));
}

static void test_is_ram_wraparound_false(void **state)
{
    (void)state;
    static const struct mb2_mmap_entry e[] = {
        { 0, 1 * MiB, AVAIL },
        { 0xFFFFFFFFFFF00000ull, 0xFFFFF, AVAIL },
    };
    map_of(e, N(e));
    assert_true(memmap_is_ram(&m, 0xFFFFFFFFFFF00000ull, 0x1000));
    assert_true(memmap_is_ram(&m, 0xFFFFFFFFFFFFF000ull, 0xFFF));   /* ends at 2^64 - 1 */
    assert_false(memmap_is_ram(&m, 0xFFFFFFFFFFFFF000ull, 0x2000));
    assert_false(memmap_is_ram(&m, 0x1000, UINT64_MAX));
    assert_false(memmap_is_ram(&m, UINT64_MAX, 2));
}

static void test_is_ram_empty_map(void **state)
{
    (void)state;
    map_of(NULL, 0);
    assert_false(memmap_is_ram(&m, 0, 1));
    assert_int_equal(memmap_ram_top(&m), 0);
}

/* ---- memmap_ram_top -------------------------------------------------------- */

static void test_ram_top_bochs(void **state)
{
    (void)state;
    memmap_guest_view(bochs, N(bochs), 0x1ec00000, 0x1fe1e000, &m);
    /* ACPI and reserved above it do not count. */
    assert_int_equal(memmap_ram_top(&m), 0x1fff0000);
}

static void test_ram_top_above_4g(void **state)
{
    (void)state;
    struct mb2_mmap_entry in[] = {
        E(0, 0x9fc00, AVAIL),
        E(0x100000, 0xbff00000 - 0x100000, AVAIL),
        E(0xfec00000, 0x1000, RSVD),
        E(0x100000000ull, 0x140000000ull, AVAIL),
        E(0xfd00000000ull, 0x300000000ull, RSVD),
    };
    memmap_guest_view(in, N(in), 0, 0, &m);
    assert_int_equal(memmap_ram_top(&m), 0x240000000ull);
}

static void test_ram_top_trimmed_and_no_ram(void **state)
{
    (void)state;
    struct mb2_mmap_entry in[] = { E(0, 0x7fffe800, AVAIL) };
    memmap_guest_view(in, 1, 0, 0, &m);
    assert_int_equal(memmap_ram_top(&m), 0x7fffe000);
    struct mb2_mmap_entry none[] = { E(0, 1 * MiB, RSVD), E(1 * MiB, 1 * MiB, ACPI) };
    memmap_guest_view(none, 2, 0, 0, &m);
    assert_int_equal(memmap_ram_top(&m), 0);
}

static void test_ram_top_when_hv_at_top(void **state)
{
    (void)state;
    struct mb2_mmap_entry in[] = { E(0, 64 * MiB, AVAIL) };
    memmap_guest_view(in, 1, 60 * MiB, 64 * MiB, &m);
    assert_int_equal(memmap_ram_top(&m), 60 * MiB);
}

/* ---- memmap_lower_upper_kib ------------------------------------------------ */

static void test_lower_upper_bochs(void **state)
{
    (void)state;
    uint32_t lower = 0xDEAD, upper = 0xBEEF;
    memmap_guest_view(bochs, N(bochs), 0x1ec00000, 0x1fe1e000, &m);
    memmap_lower_upper_kib(&m, &lower, &upper);
    assert_int_equal(lower, 0x9f000 / 1024);                /* 636 */
    /* From 1 MiB up to the hypervisor's region. */
    assert_int_equal(upper, (0x1ec00000 - 0x100000) / 1024);
}

static void test_lower_capped_at_640k(void **state)
{
    (void)state;
    uint32_t lower, upper;
    struct mb2_mmap_entry in[] = { E(0, 16 * MiB, AVAIL) };
    memmap_guest_view(in, 1, 0, 0, &m);
    memmap_lower_upper_kib(&m, &lower, &upper);
    assert_int_equal(lower, 640);
    assert_int_equal(upper, 15 * 1024);
}

static void test_lower_upper_contiguous_runs(void **state)
{
    (void)state;
    uint32_t lower, upper;
    static const struct mb2_mmap_entry e[] = {
        { 0, 256 * KiB, AVAIL },
        { 256 * KiB, 256 * KiB, AVAIL },
        { 1 * MiB, 3 * MiB, AVAIL },
        { 4 * MiB, 4 * MiB, AVAIL },
        { 9 * MiB, 7 * MiB, AVAIL },            /* after a gap: not counted */
    };
    map_of(e, N(e));
    memmap_lower_upper_kib(&m, &lower, &upper);
    assert_int_equal(lower, 512);
    assert_int_equal(upper, 7 * 1024);
}

static void test_upper_zero_with_hole_at_1m(void **state)
{
    (void)state;
    uint32_t lower, upper;
    static const struct mb2_mmap_entry e[] = {
        { 0, 0x9f000, AVAIL },
        { 0x100000, 0x1000, RSVD },
        { 0x101000, 64 * MiB, AVAIL },
    };
    map_of(e, N(e));
    memmap_lower_upper_kib(&m, &lower, &upper);
    assert_int_equal(lower, 636);
    assert_int_equal(upper, 0);
}

static void test_lower_zero_without_ram_at_0(void **state)
{
    (void)state;
    uint32_t lower, upper;
    static const struct mb2_mmap_entry e[] = {
        { 0, 0x1000, RSVD },
        { 0x1000, 0x9e000, AVAIL },
        { 0x100000, 1 * MiB, AVAIL },
    };
    map_of(e, N(e));
    memmap_lower_upper_kib(&m, &lower, &upper);
    assert_int_equal(lower, 0);
    assert_int_equal(upper, 1024);
}

static void test_lower_upper_single_run_across_1m(void **state)
{
    (void)state;
    uint32_t lower, upper;
    /* A map (some hypervisors give one) with RAM straight through 1 MiB. */
    static const struct mb2_mmap_entry e[] = { { 0, 32 * MiB, AVAIL } };
    map_of(e, N(e));
    memmap_lower_upper_kib(&m, &lower, &upper);
    assert_int_equal(lower, 640);
    assert_int_equal(upper, 31 * 1024);
}

static void test_upper_stops_at_4g_hole(void **state)
{
    (void)state;
    uint32_t lower, upper;
    static const struct mb2_mmap_entry e[] = {
        { 0, 0x9f000, AVAIL },
        { 0x100000, 0xbff00000, AVAIL },
        { 0x100000000ull, 4 * GiB, AVAIL },
    };
    map_of(e, N(e));
    memmap_lower_upper_kib(&m, &lower, &upper);
    assert_int_equal(upper, (0xc0000000 - 0x100000) / 1024);
}

static void test_upper_capped_at_32_bits(void **state)
{
    (void)state;
    uint32_t lower, upper;
    /* 8 TiB of RAM from 1 MiB: more KiB than mem_upper can hold. */
    static const struct mb2_mmap_entry e[] = { { 0x100000, 8ull << 40, AVAIL } };
    map_of(e, N(e));
    memmap_lower_upper_kib(&m, &lower, &upper);
    assert_int_equal(lower, 0);
    assert_int_equal(upper, 0xFFFFFFFFu);
}

static void test_lower_upper_empty(void **state)
{
    (void)state;
    uint32_t lower = 1, upper = 1;
    map_of(NULL, 0);
    memmap_lower_upper_kib(&m, &lower, &upper);
    assert_int_equal(lower, 0);
    assert_int_equal(upper, 0);
}

/* ---- memmap_type_at ---------------------------------------------------------- */

/* Where the hypervisor sits in the Bochs machine of the EPT tests. */
#define HV_START 0x1ec00000ull
#define HV_END   0x1fe2e000ull

static void test_type_at_bochs(void **state)
{
    (void)state;
    memmap_guest_view(bochs, N(bochs), HV_START, HV_END, &m);
    assert_int_equal(memmap_type_at(&m, 0), AVAIL);
    assert_int_equal(memmap_type_at(&m, 0x9efff), AVAIL);
    assert_int_equal(memmap_type_at(&m, 0x9f000), RSVD);
    assert_int_equal(memmap_type_at(&m, 0x9ffff), RSVD);
    assert_int_equal(memmap_type_at(&m, 0xa0000), 0);              /* VGA hole */
    assert_int_equal(memmap_type_at(&m, 0xe7fff), 0);
    assert_int_equal(memmap_type_at(&m, 0xe8000), RSVD);
    assert_int_equal(memmap_type_at(&m, 0xfffff), RSVD);
    assert_int_equal(memmap_type_at(&m, 0x100000), AVAIL);
    assert_int_equal(memmap_type_at(&m, HV_START - 1), AVAIL);
    assert_int_equal(memmap_type_at(&m, HV_START), RSVD);          /* the hypervisor */
    assert_int_equal(memmap_type_at(&m, HV_END - 1), RSVD);
    assert_int_equal(memmap_type_at(&m, HV_END), AVAIL);
    assert_int_equal(memmap_type_at(&m, 0x1ffeffff), AVAIL);
    assert_int_equal(memmap_type_at(&m, 0x1fff0000), ACPI);
    assert_int_equal(memmap_type_at(&m, 0x1fffffff), ACPI);
    assert_int_equal(memmap_type_at(&m, 0x20000000), 0);
    assert_int_equal(memmap_type_at(&m, 0xfffbffff), 0);
    assert_int_equal(memmap_type_at(&m, 0xfffc0000), RSVD);
    assert_int_equal(memmap_type_at(&m, 0xffffffff), RSVD);
    assert_int_equal(memmap_type_at(&m, 0x100000000ull), 0);
    assert_int_equal(memmap_type_at(&m, UINT64_MAX), 0);
}

static void test_type_at_other_types_and_edges(void **state)
{
    (void)state;
    static const struct mb2_mmap_entry e[] = {
        { 0x1000, 0x1000, NVS },
        { 0x2000, 0x800, BAD },
        { 0x100000000ull, 4 * GiB, AVAIL },
        { 0xFFFFFFFFFFF00000ull, 0xFFFFF, RSVD },
    };
    map_of(e, N(e));
    assert_int_equal(memmap_type_at(&m, 0), 0);
    assert_int_equal(memmap_type_at(&m, 0xfff), 0);
    assert_int_equal(memmap_type_at(&m, 0x1000), NVS);
    assert_int_equal(memmap_type_at(&m, 0x1fff), NVS);
    assert_int_equal(memmap_type_at(&m, 0x2000), BAD);
    assert_int_equal(memmap_type_at(&m, 0x27ff), BAD);
    assert_int_equal(memmap_type_at(&m, 0x2800), 0);               /* unaligned end */
    assert_int_equal(memmap_type_at(&m, 0x1ffffffffull), AVAIL);
    assert_int_equal(memmap_type_at(&m, 0x200000000ull), 0);
    /* An entry ending at 2^64 - 1 does not wrap. */
    assert_int_equal(memmap_type_at(&m, 0xFFFFFFFFFFF00000ull), RSVD);
    assert_int_equal(memmap_type_at(&m, 0xFFFFFFFFFFFFFFFEull), RSVD);
    assert_int_equal(memmap_type_at(&m, UINT64_MAX), 0);
}

static void test_type_at_empty_map(void **state)
{
    (void)state;
    map_of(NULL, 0);
    assert_int_equal(memmap_type_at(&m, 0), 0);
    assert_int_equal(memmap_type_at(&m, 0x100000), 0);
}

/* ---- memmap_overlaps_ram ----------------------------------------------------- */

static void test_overlaps_ram_bochs(void **state)
{
    (void)state;
    memmap_guest_view(bochs, N(bochs), HV_START, HV_END, &m);
    assert_true(memmap_overlaps_ram(&m, 0, 1));
    assert_true(memmap_overlaps_ram(&m, 0x9e000, 0x2000));         /* half RAM */
    assert_false(memmap_overlaps_ram(&m, 0x9f000, 0x1000));        /* reserved */
    assert_false(memmap_overlaps_ram(&m, 0x9f000, 0x61000));       /* up to 1 MiB */
    assert_true(memmap_overlaps_ram(&m, 0x9f000, 0x61001));        /* one byte of RAM */
    assert_true(memmap_overlaps_ram(&m, 0, 2 * MiB));
    assert_false(memmap_overlaps_ram(&m, HV_START, HV_END - HV_START));
    assert_true(memmap_overlaps_ram(&m, HV_START - 1, 2));
    assert_true(memmap_overlaps_ram(&m, HV_END - 1, 2));
    assert_false(memmap_overlaps_ram(&m, 0x1fe00000, HV_END - 0x1fe00000));
    assert_true(memmap_overlaps_ram(&m, 0x1fe00000, 2 * MiB));    /* RAM after the hv */
    assert_false(memmap_overlaps_ram(&m, 0x1fff0000, 0x10000));    /* ACPI is not RAM */
    assert_false(memmap_overlaps_ram(&m, 0x20000000, 0xe0000000)); /* up to 4 GiB */
    assert_false(memmap_overlaps_ram(&m, 0x100000000ull, 1ull << 40));
    assert_true(memmap_overlaps_ram(&m, 0, UINT64_MAX));
}

static void test_overlaps_ram_zero_length_false(void **state)
{
    (void)state;
    memmap_guest_view(bochs, N(bochs), HV_START, HV_END, &m);
    /* No byte at all, even inside a RAM entry. */
    assert_false(memmap_overlaps_ram(&m, 0x1000, 0));
    assert_false(memmap_overlaps_ram(&m, 0, 0));
    assert_false(memmap_overlaps_ram(&m, 0x200000, 0));
}

static void test_overlaps_ram_wrapping_range_stops_at_top(void **state)
{
    (void)state;
    static const struct mb2_mmap_entry e[] = {
        { 0, 1 * MiB, AVAIL },
        { 0xFFFFFFFFFFF00000ull, 0xFFFFF, AVAIL },
    };
    map_of(e, N(e));
    /* [2^64 - 4 KiB, 2^64 + 4 KiB): its first page is RAM. */
    assert_true(memmap_overlaps_ram(&m, 0xFFFFFFFFFFFFF000ull, 0x2000));
    assert_true(memmap_overlaps_ram(&m, 0xFFFFFFFFFFFFF000ull, UINT64_MAX));
    /* Wrapping does not reach the RAM at 0. */
    static const struct mb2_mmap_entry low[] = { { 0, 1 * MiB, AVAIL } };
    map_of(low, N(low));
    assert_false(memmap_overlaps_ram(&m, 0xFFFFFFFFFFFFF000ull, 0x2000));
    assert_false(memmap_overlaps_ram(&m, UINT64_MAX, UINT64_MAX));
    assert_true(memmap_overlaps_ram(&m, 0xFFFFF, 1));
    assert_false(memmap_overlaps_ram(&m, 0x100000, UINT64_MAX - 0x100000 + 1));
}

static void test_overlaps_ram_empty_and_non_ram_maps(void **state)
{
    (void)state;
    map_of(NULL, 0);
    assert_false(memmap_overlaps_ram(&m, 0, UINT64_MAX));
    static const struct mb2_mmap_entry e[] = {
        { 0, 1 * MiB, RSVD },
        { 1 * MiB, 1 * MiB, ACPI },
        { 2 * MiB, 1 * MiB, NVS },
        { 3 * MiB, 1 * MiB, BAD },
    };
    map_of(e, N(e));
    assert_false(memmap_overlaps_ram(&m, 0, 4 * MiB));
}

/* ---- memmap_limit_ram -------------------------------------------------------- */

/* RAM of the Bochs guest view: [0, 0x9f000), [1 MiB, hv), [hv end, 0x1fff0000). */
#define BOCHS_RAM (0x9f000 + (HV_START - 0x100000) + (0x1fff0000 - HV_END))

static void test_limit_inside_entry_trims_to_pages(void **state)
{
    (void)state;
    memmap_guest_view(bochs, N(bochs), HV_START, HV_END, &m);
    assert_int_equal(m.n, 8);
    /* 0x9f000 below 1 MiB, then 0x61000 + 0x800: the half page goes. */
    assert_int_equal(memmap_limit_ram(&m, 0x9f000 + 0x61800), 0x100000);
    assert_int_equal(m.n, 7);
    assert_entry(0, 0, 0x9f000, AVAIL);
    assert_entry(1, 0x9f000, 0x1000, RSVD);
    assert_entry(2, 0xe8000, 0x18000, RSVD);
    assert_entry(3, 0x100000, 0x61000, AVAIL);
    assert_entry(4, HV_START, HV_END - HV_START, RSVD);            /* kept: not RAM */
    assert_entry(5, 0x1fff0000, 0x10000, ACPI);
    assert_entry(6, 0xfffc0000, 0x40000, RSVD);
    assert_int_equal(memmap_ram_top(&m), 0x161000);
}

static void test_limit_at_entry_boundary(void **state)
{
    (void)state;
    memmap_guest_view(bochs, N(bochs), HV_START, HV_END, &m);
    assert_int_equal(memmap_limit_ram(&m, 0x9f000), 0x9f000);
    assert_int_equal(m.n, 6);
    assert_entry(0, 0, 0x9f000, AVAIL);
    assert_entry(1, 0x9f000, 0x1000, RSVD);
    assert_entry(2, 0xe8000, 0x18000, RSVD);
    assert_entry(3, HV_START, HV_END - HV_START, RSVD);
    assert_entry(4, 0x1fff0000, 0x10000, ACPI);
    assert_entry(5, 0xfffc0000, 0x40000, RSVD);
    /* Up to the hypervisor: the RAM above it goes. */
    memmap_guest_view(bochs, N(bochs), HV_START, HV_END, &m);
    uint64_t below_hv = 0x9f000 + HV_START - 0x100000;
    assert_int_equal(memmap_limit_ram(&m, below_hv), below_hv);
    assert_int_equal(m.n, 7);
    assert_entry(3, 0x100000, HV_START - 0x100000, AVAIL);
    assert_entry(4, HV_START, HV_END - HV_START, RSVD);
    assert_entry(5, 0x1fff0000, 0x10000, ACPI);
    assert_int_equal(memmap_ram_top(&m), HV_START);
}

static void test_limit_larger_than_ram_keeps_all(void **state)
{
    (void)state;
    struct memmap before;
    memmap_guest_view(bochs, N(bochs), HV_START, HV_END, &m);
    before = m;
    assert_int_equal(memmap_limit_ram(&m, BOCHS_RAM), BOCHS_RAM);
    assert_int_equal(m.n, before.n);
    assert_memory_equal(m.e, before.e, before.n * sizeof(m.e[0]));
    assert_int_equal(memmap_limit_ram(&m, 1ull << 40), BOCHS_RAM);
    assert_int_equal(memmap_limit_ram(&m, UINT64_MAX), BOCHS_RAM);
    assert_int_equal(m.n, before.n);
    assert_memory_equal(m.e, before.e, before.n * sizeof(m.e[0]));
}

static void test_limit_one_page_short(void **state)
{
    (void)state;
    memmap_guest_view(bochs, N(bochs), HV_START, HV_END, &m);
    assert_int_equal(memmap_limit_ram(&m, BOCHS_RAM - 0x1000), BOCHS_RAM - 0x1000);
    assert_int_equal(m.n, 8);
    assert_entry(5, HV_END, 0x1fff0000 - HV_END - 0x1000, AVAIL);
    assert_entry(6, 0x1fff0000, 0x10000, ACPI);
}

static void test_limit_below_one_page_drops_all_ram(void **state)
{
    (void)state;
    memmap_guest_view(bochs, N(bochs), HV_START, HV_END, &m);
    assert_int_equal(memmap_limit_ram(&m, 0xfff), 0);
    assert_int_equal(m.n, 5);
    assert_entry(0, 0x9f000, 0x1000, RSVD);
    assert_entry(4, 0xfffc0000, 0x40000, RSVD);
    assert_int_equal(memmap_ram_top(&m), 0);
    memmap_guest_view(bochs, N(bochs), HV_START, HV_END, &m);
    assert_int_equal(memmap_limit_ram(&m, 0), 0);
    assert_int_equal(m.n, 5);
}

static void test_limit_ram_above_4g(void **state)
{
    (void)state;
    struct mb2_mmap_entry in[] = {
        E(0, 0x9fc00, AVAIL),
        E(0x9fc00, 0x400, RSVD),
        E(0x100000, 0xbff00000 - 0x100000, AVAIL),
        E(0xfec00000, 0x1000, RSVD),
        E(0x100000000ull, 0x140000000ull, AVAIL),
        E(0xfd00000000ull, 0x300000000ull, RSVD),
    };
    memmap_guest_view(in, N(in), 0, 0, &m);
    uint64_t low = 0x9f000 + 0xbff00000 - 0x100000;
    /* 4 GiB of RAM: 1 GiB and a bit from above 4 GiB. */
    assert_int_equal(memmap_limit_ram(&m, 4 * GiB), 4 * GiB);
    assert_int_equal(m.n, 6);
    assert_entry(4, 0x100000000ull, 4 * GiB - low, AVAIL);
    assert_entry(5, 0xfd00000000ull, 0x300000000ull, RSVD);
    assert_int_equal(memmap_ram_top(&m), 0x100000000ull + 4 * GiB - low);
    /* 2 GiB: nothing above 4 GiB is left. */
    memmap_guest_view(in, N(in), 0, 0, &m);
    assert_int_equal(memmap_limit_ram(&m, 2 * GiB), 2 * GiB);
    assert_int_equal(m.n, 5);
    assert_entry(2, 0x100000, 2 * GiB - 0x9f000, AVAIL);
    assert_entry(4, 0xfd00000000ull, 0x300000000ull, RSVD);
}

static void test_limit_empty_map(void **state)
{
    (void)state;
    map_of(NULL, 0);
    assert_int_equal(memmap_limit_ram(&m, 64 * MiB), 0);
    assert_int_equal(m.n, 0);
}

/* ---- memmap_fit -------------------------------------------------------------- */

static void test_fit_lowest_and_highest_in_the_bochs_map(void **state)
{
    (void)state;
    uint64_t at = 1;
    map_of(bochs, N(bochs));
    assert_true(memmap_fit(&m, 0x200000, 4 * GiB, 0x300000, 0x200000, false, &at));
    assert_int_equal(at, 0x200000);
    assert_true(memmap_fit(&m, 0x200000, 4 * GiB, 0x300000, 0x200000, true, &at));
    assert_int_equal(at, 0x1fc00000);       /* ends at or below 0x1fff0000 */
    /* Low memory: the first fit of 64 KiB at or above 0x1000. */
    assert_true(memmap_fit(&m, 0x1000, 4 * GiB, 0x10000, 0x1000, false, &at));
    assert_int_equal(at, 0x1000);
    /* Highest with the window's end inside RAM. */
    assert_true(memmap_fit(&m, 0, 0x800000, 0x100000, 0x1000, true, &at));
    assert_int_equal(at, 0x700000);
}

static void test_fit_refuses_what_does_not_fit(void **state)
{
    (void)state;
    uint64_t at = 0x1234;
    map_of(bochs, N(bochs));
    /* Larger than any RAM entry. */
    assert_false(memmap_fit(&m, 0, 4 * GiB, 0x20000000, 0x1000, false, &at));
    /* The window holds no RAM big enough (the hole below 1 MiB). */
    assert_false(memmap_fit(&m, 0x9f000, 0x100000, 0x1000, 0x1000, false, &at));
    assert_false(memmap_fit(&m, 0x9f000, 0x100000, 0x1000, 0x1000, true, &at));
    /* Bad arguments: zero size, reversed or too small window, align not a power of two. */
    assert_false(memmap_fit(&m, 0, 4 * GiB, 0, 0x1000, false, &at));
    assert_false(memmap_fit(&m, 2 * MiB, 1 * MiB, 0x1000, 0x1000, false, &at));
    assert_false(memmap_fit(&m, 1 * MiB, 1 * MiB + 0x800, 0x1000, 0x1000, false, &at));
    assert_false(memmap_fit(&m, 0, 4 * GiB, 0x1000, 0x3000, false, &at));
    assert_false(memmap_fit(&m, 0, 4 * GiB, 0x1000, 0, true, &at));
    assert_int_equal(at, 0x1234);
    /* An alignment that skips past the end of every entry. */
    assert_false(memmap_fit(&m, 0x100001, 4 * GiB, 0x1000, 1ull << 31, false, &at));
}

static void test_fit_spans_adjacent_ram_entries(void **state)
{
    (void)state;
    static const struct mb2_mmap_entry two[] = {
        { 1 * MiB, 1 * MiB, AVAIL },
        { 2 * MiB, 1 * MiB, AVAIL },
        { 0xFFFFF000ull, 0x1000, AVAIL },
    };
    uint64_t at = 0;
    map_of(two, N(two));
    assert_true(memmap_fit(&m, 0, 4 * GiB - 0x1000, 0x180000, 0x1000, false, &at));
    assert_int_equal(at, 1 * MiB);
    assert_true(memmap_fit(&m, 0, 4 * GiB - 0x1000, 0x180000, 0x1000, true, &at));
    assert_int_equal(at, 3 * MiB - 0x180000);
    /* The last page below 4 GiB, the window reaching 4 GiB. */
    assert_true(memmap_fit(&m, 0, 4 * GiB, 0x1000, 0x1000, true, &at));
    assert_int_equal(at, 0xFFFFF000ull);
    /* An entry whose end is below the size. */
    static const struct mb2_mmap_entry tiny[] = { { 0, 0x1000, AVAIL } };
    map_of(tiny, N(tiny));
    assert_false(memmap_fit(&m, 0, 4 * GiB, 0x2000, 0x1000, true, &at));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_view_copies_sorted_map_without_hv),
        cmocka_unit_test(test_view_no_hv_when_end_not_above_start),
        cmocka_unit_test(test_view_empty_input),
        cmocka_unit_test(test_view_sorts_unsorted_input),
        cmocka_unit_test(test_view_sort_reverse_order),
        cmocka_unit_test(test_view_drops_zero_length_entries),
        cmocka_unit_test(test_view_drops_wrapping_entries),
        cmocka_unit_test(test_view_entry_at_top_of_address_space_kept),
        cmocka_unit_test(test_view_trims_available_to_pages),
        cmocka_unit_test(test_view_trim_at_top_of_address_space),
        cmocka_unit_test(test_view_does_not_trim_other_types),
        cmocka_unit_test(test_view_carves_hv_from_middle_of_entry),
        cmocka_unit_test(test_view_carves_hv_bochs),
        cmocka_unit_test(test_view_carves_hv_across_several_entries),
        cmocka_unit_test(test_view_hv_at_entry_edges),
        cmocka_unit_test(test_view_hv_outside_every_entry),
        cmocka_unit_test(test_view_hv_carves_non_ram_too),
        cmocka_unit_test(test_view_trim_before_carve),
        cmocka_unit_test(test_view_truncates_at_max),
        cmocka_unit_test(test_view_exactly_max_not_truncated),
        cmocka_unit_test(test_view_split_overflows_max),
        cmocka_unit_test(test_is_ram_within_one_entry),
        cmocka_unit_test(test_is_ram_outside_ram),
        cmocka_unit_test(test_is_ram_runs_past_entry),
        cmocka_unit_test(test_is_ram_touching_hv_region),
        cmocka_unit_test(test_is_ram_spans_adjacent_entries),
        cmocka_unit_test(test_is_ram_adjacent_non_ram_breaks_span),
        cmocka_unit_test(test_is_ram_zero_length_false),
        cmocka_unit_test(test_is_ram_wraparound_false),
        cmocka_unit_test(test_is_ram_empty_map),
        cmocka_unit_test(test_ram_top_bochs),
        cmocka_unit_test(test_ram_top_above_4g),
        cmocka_unit_test(test_ram_top_trimmed_and_no_ram),
        cmocka_unit_test(test_ram_top_when_hv_at_top),
        cmocka_unit_test(test_lower_upper_bochs),
        cmocka_unit_test(test_lower_capped_at_640k),
        cmocka_unit_test(test_lower_upper_contiguous_runs),
        cmocka_unit_test(test_upper_zero_with_hole_at_1m),
        cmocka_unit_test(test_lower_zero_without_ram_at_0),
        cmocka_unit_test(test_lower_upper_single_run_across_1m),
        cmocka_unit_test(test_upper_stops_at_4g_hole),
        cmocka_unit_test(test_upper_capped_at_32_bits),
        cmocka_unit_test(test_lower_upper_empty),
        cmocka_unit_test(test_type_at_bochs),
        cmocka_unit_test(test_type_at_other_types_and_edges),
        cmocka_unit_test(test_type_at_empty_map),
        cmocka_unit_test(test_overlaps_ram_bochs),
        cmocka_unit_test(test_overlaps_ram_zero_length_false),
        cmocka_unit_test(test_overlaps_ram_wrapping_range_stops_at_top),
        cmocka_unit_test(test_overlaps_ram_empty_and_non_ram_maps),
        cmocka_unit_test(test_limit_inside_entry_trims_to_pages),
        cmocka_unit_test(test_limit_at_entry_boundary),
        cmocka_unit_test(test_limit_larger_than_ram_keeps_all),
        cmocka_unit_test(test_limit_one_page_short),
        cmocka_unit_test(test_limit_below_one_page_drops_all_ram),
        cmocka_unit_test(test_limit_ram_above_4g),
        cmocka_unit_test(test_limit_empty_map),
        cmocka_unit_test(test_fit_lowest_and_highest_in_the_bochs_map),
        cmocka_unit_test(test_fit_refuses_what_does_not_fit),
        cmocka_unit_test(test_fit_spans_adjacent_ram_entries),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
