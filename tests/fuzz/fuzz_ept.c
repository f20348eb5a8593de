// covers: ept/ept.c ept/mtrr.c kernel/memmap.c
/*
 * fuzz_ept.c - the guest memory model: the memory maps (kernel/memmap.c),
 * MTRR types (ept/mtrr.c), address classes, fault plans and EPT building
 * (ept/ept.c), as guest_ept.c puts them together, on a machine described
 * by the input:
 *
 *   config byte, phys_bits byte, hypervisor region, up to 8 firmware map
 *   entries, optional mem= limit, MTRR MSRs, then guest-physical addresses.
 *
 * EPT tables are 4 KiB heap pages (a table's "physical address" is its
 * pointer), at most TABLE_CAP of them; everything is freed at the end.
 *
 * Checks: the guest map never gives the guest the hypervisor's region;
 * the static map (ept_map_guest_ram) fails only when the tables ran out
 * and maps only identity pages, outside the hypervisor, with the MTRR
 * type of the page. A fault plan agrees with gpa_classify; refuses only
 * the hypervisor and what is outside; is an aligned 4 KiB or 2 MiB page
 * holding the address, below the physical limit and the 48 bits a 4-level
 * EPT translates, clear of the hypervisor, of one class (when no map
 * entries overlap), UC for MMIO and the MTRR type for RAM. Resolving a
 * fault at an unmapped address as ept_fault_in does succeeds unless the
 * tables ran out, and then the address is mapped.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../ept/ept.h"
#include "../../ept/mtrr.h"

#define TABLE_CAP 32
#define PAGE 4096ull
#define MEMTYPE_UC 0
#define EPT_GPA_REACH (1ull << 48)  /* a 4-level walk translates bits 47:0 */

struct input {
    const uint8_t *p;
    size_t n;
};

/* The next n bytes (n <= 8) as a little-endian number; zeros past the end. */
static uint64_t take(struct input *in, unsigned n)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < n && in->n; i++, in->p++, in->n--)
        v |= (uint64_t)*in->p << (8 * i);
    return v;
}

/* Dozens of tables come and go per input: with a smaller quarantine ASan
 * reuses freed pages instead of faulting in fresh ones (twice the speed). */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
    return "quarantine_size_mb=16";
}

struct arena {
    void *pages[TABLE_CAP];
    unsigned n;
    bool exhausted;
};

static uint64_t arena_alloc(void *ctx)
{
    struct arena *a = ctx;
    if (a->n == TABLE_CAP) {
        a->exhausted = true;
        return 0;
    }
    void *p = aligned_alloc(PAGE, PAGE);
    memset(p, 0, PAGE);
    a->pages[a->n++] = p;
    return (uint64_t)(uintptr_t)p;
}

static uint64_t *arena_table(void *ctx, uint64_t pa)
{
    (void)ctx;
    return (uint64_t *)(uintptr_t)pa;
}

/* Memory types WRMSR accepts in the MTRRs: UC, WC, WT, WP, WB (SDM 13.11.1). */
static uint8_t valid_type(uint64_t byte)
{
    static const uint8_t types[] = { 0, 1, 4, 5, 6 };
    return types[(byte & 0xFF) % 5];
}

/* v with each byte a valid memory type (the fixed-range MSRs). */
static uint64_t valid_types(uint64_t v)
{
    uint64_t r = 0;
    for (unsigned b = 0; b < 8; b++)
        r |= (uint64_t)valid_type(v >> (8 * b)) << (8 * b);
    return r;
}

static bool ram_like(uint32_t type)
{
    return type == MB2_MEM_AVAILABLE || type == MB2_MEM_ACPI || type == MB2_MEM_NVS;
}

static bool in_hv(const struct gpa_space *s, uint64_t base, uint64_t size)
{
    return base < s->hv_end && s->hv_start < base + size;
}

/* Some entries of m overlap (firmware bugs): gpa_classify takes the first
 * entry holding an address, the RAM checks any RAM-like one, so a class is
 * only well defined without overlaps. */
static bool has_overlaps(const struct memmap *m)
{
    for (unsigned i = 0; i + 1 < m->n; i++)
        if (m->e[i + 1].base - m->e[i].base < m->e[i].len)
            return true;
    return false;
}

static void check_plan(const struct gpa_space *s, const struct mtrr_state *mt, uint64_t gpa,
                       struct ept_fault_plan p)
{
    if (p.cls != gpa_classify(s, gpa))
        __builtin_trap();
    if (p.cls != GPA_RAM && p.cls != GPA_MMIO) {
        if (p.size)
            __builtin_trap();
        return;
    }
    if (p.size != EPT_PAGE_4K && p.size != EPT_PAGE_2M)
        __builtin_trap();
    if (p.base % p.size || gpa < p.base || gpa - p.base >= p.size)
        __builtin_trap();
    if (p.base + p.size > s->phys_limit || p.base + p.size > EPT_GPA_REACH ||
        in_hv(s, p.base, p.size))
        __builtin_trap();
    if (p.cls == GPA_MMIO && p.memtype != MEMTYPE_UC)
        __builtin_trap();
    if (p.cls == GPA_RAM && (int)p.memtype != mtrr_range_type(mt, p.base, p.size))
        __builtin_trap();
    /* A 2 MiB page is of one class: spot-check both ends. */
    if (p.size == EPT_PAGE_2M && !has_overlaps(s->guest) &&
        (gpa_classify(s, p.base) != p.cls || gpa_classify(s, p.base + p.size - 1) != p.cls))
        __builtin_trap();
}

/* What a mapped address must look like. */
/* The type an entry of format f holds for memory type t (NPT: the host
 * PAT entry that, with the MTRRs, gives t; ept.h). */
static unsigned held_type(enum slat_format f, int t)
{
    return f == SLAT_EPT ? (unsigned)t : npt_memtype(npt_memtype_bits((unsigned)t));
}

static void check_mapped(const struct gpa_space *s, const struct mtrr_state *mt,
                         const struct ept_walk *w, uint64_t gpa, enum slat_format f)
{
    uint64_t page = gpa & ~(w->page_size - 1);
    if (w->hpa != gpa || w->perms != EPT_RWX || in_hv(s, page, w->page_size))
        __builtin_trap();
    /* RAM gets the MTRR type, MMIO UC (a 4 KiB page split by an entry edge
     * may have either class: it takes the class of the byte that faulted). */
    if (w->memtype != held_type(f, mtrr_range_type(mt, page, w->page_size)) &&
        w->memtype != MEMTYPE_UC)
        __builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct memmap fw, guest;
    static struct arena arena;
    struct input in = { data, size };
    struct mb2_mmap_entry entries[8];
    struct mtrr_msrs raw;
    struct mtrr_state mt;
    struct ept e;

    uint8_t cfg = (uint8_t)take(&in, 1);
    bool allow_1g = cfg & 1, limit = cfg & 2, lazy = cfg & 0x20;
    enum slat_format format = (cfg & 0x40) ? SLAT_NPT : SLAT_EPT;
    unsigned n = 1 + ((cfg >> 2) & 7);
    memset(&raw, 0, sizeof(raw));
    raw.phys_bits = (unsigned)take(&in, 1);

    /* The hypervisor's region is page aligned and never empty. */
    uint64_t hv_start = take(&in, 3) * PAGE;
    uint64_t hv_end = hv_start + (take(&in, 2) + 1) * PAGE;

    for (unsigned i = 0; i < n; i++) {
        /* Below 64 GiB; lengths in pages, or in 2 MiB blocks (type bit 7)
         * so that 1 GiB pages can occur while most maps stay small. */
        uint64_t base = take(&in, 3) * PAGE, len = take(&in, 2) * PAGE;
        uint8_t edges = (uint8_t)take(&in, 1);      /* unaligned edges, in 256-byte steps */
        uint8_t type = (uint8_t)take(&in, 1);
        entries[i].base = base + (edges & 0xF) * 0x100;
        entries[i].len = (type & 0x80 ? len << 9 : len) + (edges >> 4) * 0x100;
        entries[i].type = type & 7;
    }
    uint64_t mem = limit ? take(&in, 3) * PAGE : 0;

    uint8_t cap = (uint8_t)take(&in, 1);
    raw.cap = (cap & 0x1F) | ((cap & 0x20) ? 1u << 8 : 0);
    /* The type fields hold only what the MSRs can hold. */
    raw.def_type = take(&in, 2);
    raw.def_type = (raw.def_type & ~0xFFull) | valid_type(raw.def_type);
    if ((raw.cap >> 8) & 1) {
        raw.fix64k = valid_types(take(&in, 8));
        raw.fix16k[0] = valid_types(take(&in, 8));
        raw.fix16k[1] = valid_types(take(&in, 8));
        for (unsigned i = 0; i < 8; i++)
            raw.fix4k[i] = valid_types(take(&in, 8));
    }
    for (unsigned i = 0; i < (cap & 0x1F) && i < MTRR_MAX_VAR; i++) {
        raw.physbase[i] = take(&in, 8);
        raw.physbase[i] = (raw.physbase[i] & ~0xFFull) | valid_type(raw.physbase[i]);
        raw.physmask[i] = take(&in, 8);
    }
    mtrr_decode(&raw, &mt);

    /* As loader.c builds them. */
    memmap_guest_view(entries, n, 0, 0, &fw);
    memmap_guest_view(entries, n, hv_start, hv_end, &guest);
    if (mem)
        memmap_limit_ram(&guest, mem);
    uint32_t lower_kib, upper_kib;
    memmap_lower_upper_kib(&guest, &lower_kib, &upper_kib);
    if (lower_kib > 640)
        __builtin_trap();

    struct gpa_space s = { &guest, &fw, hv_start, hv_end, mt.addr_mask + PAGE };
    for (unsigned i = 0; i < guest.n; i++)
        if (ram_like(guest.e[i].type) && in_hv(&s, guest.e[i].base, guest.e[i].len))
            __builtin_trap();

    memset(&arena, 0, sizeof(arena));
    if (ept_init(&e, format, (struct ept_ops){ arena_alloc, arena_table, &arena }, allow_1g))
        __builtin_trap();
    if (!lazy && ept_map_guest_ram(&e, &s, &mt) && !arena.exhausted)
        __builtin_trap();
    if (e.tables != arena.n)
        __builtin_trap();

    /* The fault path's plan table (first 128 MiB) knows only what the planner says. */
    static uint8_t plan_block[64];
    static uint8_t plan_pages[4][512];
    struct ept_plan_table pt = { plan_block, 64, plan_pages, 0, 4 };
    ept_plan_table_build(&pt, &s, &mt);

    /* Guest-physical addresses: half below the physical limit, half beyond. */
    while (in.n) {
        uint64_t gpa = take(&in, 8) & (2 * s.phys_limit - 1);
        /* The memory map's RAM queries agree with each other. */
        if (memmap_is_ram(&guest, gpa, PAGE) &&
            (!memmap_overlaps_ram(&guest, gpa, PAGE) || gpa >= memmap_ram_top(&guest)))
            __builtin_trap();
        struct ept_walk w;
        ept_walk(&e, gpa, &w);
        if (w.mapped) {
            /* ept_walk indexes bits 47:0 only: above, it finds an alias. */
            if (gpa < EPT_GPA_REACH)
                check_mapped(&s, &mt, &w, gpa, format);
            continue;
        }
        /* A fault: plan it and map it as ept_fault_in does. */
        struct ept_fault_plan p = ept_plan_fault(&s, &mt, gpa);
        check_plan(&s, &mt, gpa, p);
        const uint64_t low[2] = { gpa, gpa & ((128ull << 20) - 1) };
        for (unsigned i = 0; i < 2; i++) {
            uint64_t a = low[i];
            struct ept_fault_plan want = ept_plan_fault(&s, &mt, a), got;
            if (ept_plan_lookup(&pt, a, &got) &&
                (got.cls != want.cls || got.base != want.base || got.size != want.size ||
                 got.memtype != want.memtype))
                __builtin_trap();
        }
        if (!p.size)
            continue;
        if (ept_map(&e, p.base, p.size, EPT_RWX, p.memtype)) {
            if (!arena.exhausted)
                __builtin_trap();   /* the fault cannot be resolved, with memory left */
            continue;
        }
        ept_walk(&e, gpa, &w);
        if (!w.mapped)
            __builtin_trap();
        check_mapped(&s, &mt, &w, gpa, format);
    }

    for (unsigned i = 0; i < arena.n; i++)
        free(arena.pages[i]);
    return 0;
}
