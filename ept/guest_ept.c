/*
 * guest_ept.c - the hardware shell of the EPT: tables from the pool.
 */
#include "guest_ept.h"

#include "../kernel/mem.h"
#include "../kernel/printk.h"

static struct ept map;

static uint64_t pool_table(void *ctx)
{
    (void)ctx;
    void *p = page_alloc(1);
    return p ? hv_pa(p) : 0;
}

static uint64_t *table_at(void *ctx, uint64_t pa)
{
    (void)ctx;
    return hv_va(pa);
}

uint64_t guest_ept_build(const struct memmap *m, bool allow_1g, bool ad)
{
    struct ept_ops ops = { pool_table, table_at, 0 };
    struct hv_region r = hv_region();
    if (ept_init(&map, ops, allow_1g) || ept_map_identity(&map, m, r.start, r.end)) {
        kprintf("error: ept: out of pool pages building the guest map\n");
        return 0;
    }
    kprintf("ept.built pages_1g=%llu pages_2m=%llu pages_4k=%llu tables=%llu\n",
            (unsigned long long)map.pages_1g, (unsigned long long)map.pages_2m,
            (unsigned long long)map.pages_4k, (unsigned long long)map.tables);
    return ept_eptp(map.root, ad);
}

struct ept *guest_ept(void)
{
    return &map;
}
