/*
 * mem.c - the hypervisor region and its page pool; see mem.h.
 */
#include "mem.h"

#include "kstring.h"
#include "printk.h"
#include "spinlock.h"

#define POOL_BYTES ((size_t)HV_POOL_MIB << 20)
#define POOL_PAGES (POOL_BYTES / PAGE_SIZE)

extern char __image_size[];     /* linker script: load base to end of bss */

static uint8_t pool[POOL_BYTES] __attribute__((aligned(PAGE_SIZE)));
static uint64_t pool_bitmap[palloc_bitmap_words(POOL_PAGES)];
static struct palloc pool_alloc;
static struct spinlock pool_lock;       /* every core allocates (stacks, VMCS, EPT) */
static uint64_t load_base;
static uint64_t region_start;

void mem_init(uint64_t base)
{
    load_base = base;
    region_start = base;
    palloc_init(&pool_alloc, (uint64_t)pool, POOL_PAGES, pool_bitmap);
}

struct hv_region hv_region(void)
{
    return (struct hv_region){ region_start, load_base + (uint64_t)__image_size };
}

void mem_extend_down(uint64_t new_start)
{
    if (new_start < region_start)
        region_start = new_start;
}

void *page_alloc(size_t n)
{
    spin_lock(&pool_lock);
    void *p = (void *)palloc_alloc(&pool_alloc, n, 1);
    spin_unlock(&pool_lock);
    if (p)
        memset(p, 0, n * PAGE_SIZE);
    return p;
}

void page_free(void *p, size_t n)
{
    spin_lock(&pool_lock);
    int bad = palloc_free(&pool_alloc, (uint64_t)p, n);
    spin_unlock(&pool_lock);
    if (bad)
        panic("page_free: %p (%zu pages) was not allocated from the pool", p, n);
}

const struct palloc *page_pool(void)
{
    return &pool_alloc;
}

uint64_t hv_pa(const void *p)
{
    uint64_t va = (uint64_t)p;
    if (va >= KERNEL_VLINK)
        return va - KERNEL_VLINK + load_base;
    return va;
}

void *hv_va(uint64_t pa)
{
    if (pa >= load_base && pa < load_base + (uint64_t)__image_size)
        return (void *)(pa - load_base + KERNEL_VLINK);
    return phys_ptr(pa);
}
