/*
 * ept.c - EPT construction and walks; see ept.h.
 */
#include "ept.h"

#include "../vmx/vmx_defs.h"

#define ENTRIES 512

static unsigned index_at(uint64_t gpa, int level)   /* level 3 = PML4 .. 0 = PT */
{
    return (unsigned)(gpa >> (12 + 9 * level)) & (ENTRIES - 1);
}

int ept_init(struct ept *e, struct ept_ops ops, bool allow_1g)
{
    *e = (struct ept){ .ops = ops, .allow_1g = allow_1g };
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

/* Install one leaf of size 4 KiB << (9 * level) at gpa. */
static int map_one(struct ept *e, uint64_t gpa, int level, uint64_t perms, unsigned memtype)
{
    uint64_t *table = e->ops.table(e->ops.ctx, e->root);
    for (int l = 3; l > level; l--) {
        uint64_t *slot = &table[index_at(gpa, l)];
        if (!(*slot & EPT_RWX)) {
            uint64_t t = e->ops.alloc_table(e->ops.ctx);
            if (!t)
                return -1;
            e->tables++;
            *slot = ept_table_entry(t);
        } else if (*slot & EPT_LARGE) {
            return -1;      /* would need a split */
        }
        table = e->ops.table(e->ops.ctx, *slot & EPT_ADDR_MASK);
    }
    uint64_t *slot = &table[index_at(gpa, level)];
    if (*slot & EPT_RWX) {
        if (level > 0 && !(*slot & EPT_LARGE))
            return -1;      /* a table is in the way */
        count_leaf(e, level, -1);
    }
    *slot = ept_leaf(gpa, perms, memtype, level > 0);
    count_leaf(e, level, 1);
    return 0;
}

int ept_map(struct ept *e, uint64_t gpa, uint64_t len, uint64_t perms, unsigned memtype)
{
    uint64_t end = gpa + len;
    if ((gpa | len) & (EPT_PAGE_4K - 1) || end < gpa)
        return -1;
    while (gpa < end) {
        int level = 0;
        if (e->allow_1g && !(gpa & (EPT_PAGE_1G - 1)) && end - gpa >= EPT_PAGE_1G)
            level = 2;
        else if (!(gpa & (EPT_PAGE_2M - 1)) && end - gpa >= EPT_PAGE_2M)
            level = 1;
        if (map_one(e, gpa, level, perms, memtype))
            return -1;
        gpa += EPT_PAGE_4K << (9 * level);
    }
    return 0;
}

void ept_walk(const struct ept *e, uint64_t gpa, struct ept_walk *w)
{
    *w = (struct ept_walk){ 0 };
    uint64_t table_pa = e->root;
    for (int l = 3; l >= 0; l--) {
        uint64_t entry = e->ops.table(e->ops.ctx, table_pa)[index_at(gpa, l)];
        w->entry[w->levels++] = entry;
        if (!(entry & EPT_RWX))
            return;
        if (l == 0 || (entry & EPT_LARGE)) {
            uint64_t size = EPT_PAGE_4K << (9 * l);
            w->mapped = true;
            w->page_size = size;
            w->hpa = (entry & EPT_ADDR_MASK & ~(size - 1)) | (gpa & (size - 1));
            w->perms = entry & EPT_RWX;
            w->memtype = (unsigned)((entry >> EPT_MEMTYPE_SHIFT) & 7);
            return;
        }
        table_pa = entry & EPT_ADDR_MASK;
    }
}

static unsigned type_for(uint32_t mmap_type)
{
    switch (mmap_type) {
    case MB2_MEM_AVAILABLE:
    case MB2_MEM_ACPI:
    case MB2_MEM_NVS:
        return MEMTYPE_WB;
    default:
        return MEMTYPE_UC;
    }
}

/* Map [start, end) minus the hypervisor region. */
static int map_outside_hv(struct ept *e, uint64_t start, uint64_t end, unsigned type,
                          uint64_t hv_start, uint64_t hv_end)
{
    if (end <= start)
        return 0;
    if (end <= hv_start || start >= hv_end)
        return ept_map(e, start, end - start, EPT_RWX, type);
    if (start < hv_start && ept_map(e, start, hv_start - start, EPT_RWX, type))
        return -1;
    if (end > hv_end && ept_map(e, hv_end, end - hv_end, EPT_RWX, type))
        return -1;
    return 0;
}

int ept_map_identity(struct ept *e, const struct memmap *m, uint64_t hv_start, uint64_t hv_end)
{
    uint64_t top = memmap_ram_top(m);
    if (top < (4ull << 30))
        top = 4ull << 30;
    /* Walk the sorted map; gaps between entries are MMIO (UC). Runs of
     * the same type are merged so they get the largest pages. */
    uint64_t run_start = 0, pos = 0;
    unsigned run_type = MEMTYPE_UC;
    for (unsigned i = 0; i <= m->n; i++) {
        uint64_t base = i < m->n ? m->e[i].base : top;
        uint64_t end = i < m->n ? m->e[i].base + m->e[i].len : top;
        unsigned type = i < m->n ? type_for(m->e[i].type) : MEMTYPE_UC;
        base &= ~(EPT_PAGE_4K - 1);     /* firmware entries need not be page aligned */
        end = (end + EPT_PAGE_4K - 1) & ~(EPT_PAGE_4K - 1);
        if (base > top)
            base = top;
        if (end > top)
            end = top;
        if (end <= pos)
            continue;
        if (base > pos) {           /* a hole: UC */
            if (run_type != MEMTYPE_UC) {
                if (map_outside_hv(e, run_start, pos, run_type, hv_start, hv_end))
                    return -1;
                run_start = pos;
                run_type = MEMTYPE_UC;
            }
            pos = base;
        }
        if (base < pos)
            base = pos;
        if (type != run_type) {
            if (map_outside_hv(e, run_start, base, run_type, hv_start, hv_end))
                return -1;
            run_start = base;
            run_type = type;
        }
        pos = end;
    }
    return map_outside_hv(e, run_start, pos, run_type, hv_start, hv_end);
}
