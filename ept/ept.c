/*
 * ept.c - second-level map construction and walks, EPT or NPT; see ept.h.
 */
#include "ept.h"

#include "mtrr.h"
#include "../kernel/x86_regs.h"

#define ENTRIES 512
/* A 4-level walk translates bits 47:0 of a guest-physical address (SDM
 * Vol. 3C, 30.3.2): nothing above can be identity-mapped, even when
 * MAXPHYADDR is larger. */
#define GPA_REACH (1ull << 48)

static unsigned index_at(uint64_t gpa, int level)   /* level 3 = PML4 .. 0 = PT */
{
    return (unsigned)(gpa >> (12 + 9 * level)) & (ENTRIES - 1);
}

int ept_init(struct ept *e, enum slat_format format, struct ept_ops ops, bool allow_1g)
{
    *e = (struct ept){ .ops = ops, .format = format, .allow_1g = allow_1g };
    e->root = ops.alloc_table(ops.ctx);
    if (!e->root)
        return -1;
    e->tables = 1;
    return 0;
}

static void count_leaf(struct ept *e, int level, int delta)
{
    if (level == 2)
        e->pages_1g += (uint64_t)delta;
    else if (level == 1)
        e->pages_2m += (uint64_t)delta;
    else
        e->pages_4k += (uint64_t)delta;
}

/* ept_table's walk, inlined into map_one: the static map calls it per
 * page. The format is a parameter so that ept_map's copies for each one
 * fold its tests away (the static map's build is per page). */
static inline __attribute__((always_inline)) uint64_t *descend(struct ept *e, uint64_t gpa,
                                                                int level, enum slat_format f)
{
    uint64_t *table = e->ops.table(e->ops.ctx, e->root);
    for (int l = 3; l > level; l--) {
        uint64_t *slot = &table[index_at(gpa, l)];
        if (!slat_present(f, *slot)) {
            uint64_t t = e->ops.alloc_table(e->ops.ctx);
            if (!t)
                return 0;
            e->tables++;
            *slot = slat_table_entry(f, t, (unsigned)l);
        } else if (slat_large(f, *slot)) {
            return 0;       /* would need a split */
        }
        table = e->ops.table(e->ops.ctx, *slot & EPT_ADDR_MASK);
    }
    return table;
}

uint64_t *ept_table(struct ept *e, uint64_t gpa, int level)
{
    return descend(e, gpa, level, e->format);
}

/* Install one leaf of size 4 KiB << (9 * level) at gpa. */
static inline __attribute__((always_inline)) int map_one(struct ept *e, uint64_t gpa, int level,
                                                         uint64_t perms, unsigned memtype,
                                                         enum slat_format f)
{
    uint64_t *table = descend(e, gpa, level, f);
    if (!table)
        return -1;
    uint64_t *slot = &table[index_at(gpa, level)];
    if (slat_present(f, *slot)) {
        if (level > 0 && !slat_large(f, *slot))
            return -1;      /* a table is in the way */
        count_leaf(e, level, -1);
    }
    *slot = slat_leaf(f, gpa, perms, memtype, level > 0);
    count_leaf(e, level, 1);
    return 0;
}

static inline __attribute__((always_inline)) int map_range(struct ept *e, uint64_t gpa,
                                                           uint64_t end, uint64_t perms,
                                                           unsigned memtype, enum slat_format f)
{
    while (gpa < end) {
        int level = 0;
        if (e->allow_1g && !(gpa & (EPT_PAGE_1G - 1)) && end - gpa >= EPT_PAGE_1G)
            level = 2;
        else if (!e->no_2m && !(gpa & (EPT_PAGE_2M - 1)) && end - gpa >= EPT_PAGE_2M)
            level = 1;
        if (map_one(e, gpa, level, perms, memtype, f))
            return -1;
        gpa += EPT_PAGE_4K << (9 * level);
    }
    return 0;
}

int ept_map(struct ept *e, uint64_t gpa, uint64_t len, uint64_t perms, unsigned memtype)
{
    uint64_t end = gpa + len;
    if ((gpa | len) & (EPT_PAGE_4K - 1) || end < gpa)
        return -1;
    switch (e->format) {
    case SLAT_EPT: return map_range(e, gpa, end, perms, memtype, SLAT_EPT);
    case SLAT_NPT: return map_range(e, gpa, end, perms, memtype, SLAT_NPT);
    default:       return map_range(e, gpa, end, perms, memtype, e->format);   /* built once */
    }
}

void ept_walk(const struct ept *e, uint64_t gpa, struct ept_walk *w)
{
    *w = (struct ept_walk){ 0 };
    uint64_t table_pa = e->root;
    for (int l = 3; l >= 0; l--) {
        uint64_t entry = e->ops.table(e->ops.ctx, table_pa)[index_at(gpa, l)];
        w->entry[w->levels++] = entry;
        if (!slat_present(e->format, entry))
            return;
        if (l == 0 || slat_large(e->format, entry)) {
            uint64_t size = EPT_PAGE_4K << (9 * l);
            w->mapped = true;
            w->page_size = size;
            w->hpa = (entry & EPT_ADDR_MASK & ~(size - 1)) | (gpa & (size - 1));
            w->perms = slat_perms(e->format, entry);
            w->memtype = slat_memtype(e->format, entry);
            return;
        }
        table_pa = entry & EPT_ADDR_MASK;
    }
}

static bool ram_like(uint32_t type)
{
    return type == MB2_MEM_AVAILABLE || type == MB2_MEM_ACPI || type == MB2_MEM_NVS;
}

enum gpa_class gpa_classify(const struct gpa_space *s, uint64_t gpa)
{
    if (gpa_held(s, gpa, gpa + 1))
        return GPA_HV;
    if (gpa >= s->phys_limit || gpa >= GPA_REACH)
        return GPA_OUTSIDE;
    uint32_t t = memmap_type_at(s->guest, gpa);
    if (ram_like(t))
        return GPA_RAM;
    if (!t && ram_like(memmap_type_at(s->firmware, gpa)))
        return GPA_OUTSIDE;     /* RAM that mem= keeps from the guest */
    return GPA_MMIO;
}

const char *gpa_class_name(enum gpa_class c)
{
    static const char *const names[GPA_CLASSES] = { "ram", "mmio", "hypervisor", "outside" };
    return c < GPA_CLASSES ? names[c] : "unknown";
}

int ept_map_typed(struct ept *e, uint64_t start, uint64_t end, const struct mtrr_state *mt)
{
    if ((start | end) & (EPT_PAGE_4K - 1) || end < start)
        return -1;
    while (start < end) {
        int level = 0, type = -1;
        for (int l = e->allow_1g ? 2 : 1; l >= 0 && type < 0; l--) {
            uint64_t size = EPT_PAGE_4K << (9 * l);
            if ((start & (size - 1)) || end - start < size)
                continue;
            type = mtrr_range_type(mt, start, size);
            level = l;
        }
        if (type < 0)
            return -1;      /* a 4 KiB page always has one type */
        uint64_t size = EPT_PAGE_4K << (9 * level);
        if (level == 0) {
            /* 4 KiB pages: one ept_map for the largest aligned run up to
             * the next 2 MiB boundary that has one type (the MTRRs are
             * asked once per run, not once per page). */
            uint64_t limit = (start | (EPT_PAGE_2M - 1)) + 1;
            if (limit > end)
                limit = end;
            uint64_t run = EPT_PAGE_2M >> 1;
            while (run > EPT_PAGE_4K &&
                   ((start & (run - 1)) || limit - start < run || mtrr_range_type(mt, start, run) != type))
                run >>= 1;
            size = run;
        }
        if (ept_map(e, start, size, EPT_RWX, (unsigned)type))
            return -1;
        start += size;
    }
    return 0;
}

int ept_map_guest_ram(struct ept *e, const struct gpa_space *s, const struct mtrr_state *mt)
{
    uint64_t done = 0;      /* mapped below here: the map is sorted, but entries may overlap */
    for (unsigned i = 0; i < s->guest->n; i++) {
        const struct mb2_mmap_entry *m = &s->guest->e[i];
        if (!ram_like(m->type))
            continue;
        /* Only whole pages; a partial page at an edge faults in later. */
        uint64_t start = (m->base + EPT_PAGE_4K - 1) & ~(EPT_PAGE_4K - 1);
        uint64_t end = (m->base + m->len) & ~(EPT_PAGE_4K - 1);
        if (end > s->hv_start && start < s->hv_end)
            return -1;      /* the guest map never holds the hypervisor */
        if (start < done)
            start = done;   /* a large page there would have to be split */
        if (start < end) {
            if (ept_map_typed(e, start, end, mt))
                return -1;
            done = end;
        }
    }
    return 0;
}

/* Some RAM-like entry of m intersects [base, end). */
static bool touches_ram(const struct memmap *m, uint64_t base, uint64_t end)
{
    for (unsigned i = 0; i < m->n; i++)
        if (ram_like(m->e[i].type) && m->e[i].base < end && base < m->e[i].base + m->e[i].len)
            return true;
    return false;
}

/* RAM-like entries of m cover [base, end) without a gap (the map is sorted)
 * and without a page split between two of them: the static map leaves such
 * a page out, and its page table would be in the way of a large page. */
static bool covered_by_ram(const struct memmap *m, uint64_t base, uint64_t end)
{
    for (unsigned i = 0; i < m->n && base < end; i++) {
        const struct mb2_mmap_entry *e = &m->e[i];
        if (ram_like(e->type) && e->base <= base && base < e->base + e->len) {
            base = e->base + e->len;
            if (base % EPT_PAGE_4K && base < end)
                return false;
        }
    }
    return base >= end;
}

/* Every byte of [base, base+size) has class c: one walk of the maps, not
 * one per page, because this runs on the fault path. A 4 KiB page need
 * only keep clear of the hypervisor: one an entry edge splits (RAM-like
 * space ending mid-page) takes the class of the byte that faulted, as
 * the static map leaves such pages to fault in. */
static bool uniform(const struct gpa_space *s, uint64_t base, uint64_t size, enum gpa_class c)
{
    uint64_t end = base + size;
    if (gpa_held(s, base, end) || end > s->phys_limit)
        return false;
    if (size == EPT_PAGE_4K)
        return true;
    if (c == GPA_RAM)
        return covered_by_ram(s->guest, base, end);
    return !touches_ram(s->guest, base, end) && !touches_ram(s->firmware, base, end);
}

struct ept_fault_plan ept_plan_fault(const struct gpa_space *s, const struct mtrr_state *mt,
                                     uint64_t gpa)
{
    struct ept_fault_plan p = { .cls = gpa_classify(s, gpa) };
    if (p.cls != GPA_RAM && p.cls != GPA_MMIO)
        return p;
    for (int l = 1; l >= 0; l--) {
        uint64_t size = EPT_PAGE_4K << (9 * l);
        uint64_t base = gpa & ~(size - 1);
        if (!uniform(s, base, size, p.cls))
            continue;
        int type = p.cls == GPA_MMIO ? MEMTYPE_UC : mtrr_range_type(mt, base, size);
        if (type < 0)
            continue;
        p.base = base;
        p.size = size;
        p.memtype = (unsigned)type;
        return p;
    }
    return p;   /* not reached while the hypervisor region is page aligned */
}

/* A non-RAM-like entry of m intersects [base, end). */
static bool touches_non_ram(const struct memmap *m, uint64_t base, uint64_t end)
{
    for (unsigned i = 0; i < m->n; i++)
        if (!ram_like(m->e[i].type) && m->e[i].base < end && base < m->e[i].base + m->e[i].len)
            return true;
    return false;
}

static uint8_t plan_byte(struct ept_fault_plan p)
{
    return (uint8_t)(PLAN_KNOWN | (unsigned)p.cls << 3 | p.memtype);
}

/* An edge of an entry of m inside the page at base (not on its start):
 * the class may change there. */
static bool edge_inside(const struct memmap *m, uint64_t base)
{
    for (unsigned i = 0; i < m->n; i++) {
        uint64_t a = m->e[i].base, b = m->e[i].base + m->e[i].len;
        if ((a > base && a < base + EPT_PAGE_4K) || (b > base && b < base + EPT_PAGE_4K))
            return true;
    }
    return false;
}

/* The plan of a 2 MiB block holds for all of it when every byte has the
 * planned class: MMIO (the plan made sure no RAM-like entry of either map
 * is there), or RAM with no other kind of guest entry there (RAM-like
 * entries cover it, so the first entry holding any byte is RAM-like). */
void ept_plan_table_build(struct ept_plan_table *t, const struct gpa_space *s,
                          const struct mtrr_state *mt)
{
    t->npages = 0;
    if (t->max_pages > PLAN_PAGES_MAX)
        t->max_pages = PLAN_PAGES_MAX;
    for (uint64_t b = 0; b < t->blocks; b++) {
        uint64_t base = b << 21;
        struct ept_fault_plan p = ept_plan_fault(s, mt, base);
        t->block[b] = 0;
        if (p.size == EPT_PAGE_2M) {
            if (p.cls == GPA_MMIO || !touches_non_ram(s->guest, base, base + EPT_PAGE_2M))
                t->block[b] = plan_byte(p);
            continue;
        }
        if (t->npages == t->max_pages)
            continue;
        uint8_t *pages = t->pages[t->npages];
        for (unsigned i = 0; i < 512; i++) {
            uint64_t pa = base + ((uint64_t)i << 12);
            p = ept_plan_fault(s, mt, pa);
            pages[i] = p.size == EPT_PAGE_4K && !edge_inside(s->guest, pa) &&
                               !edge_inside(s->firmware, pa)
                           ? plan_byte(p)
                           : 0;
        }
        t->block[b] = (uint8_t)(PLAN_PAGES | t->npages++);
    }
}
