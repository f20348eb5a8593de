/*
 * mem.h - the hypervisor's own memory: one reserved physical region (the
 * image, its bss and the page pool inside it), page allocation from the
 * pool, and address translation.
 *
 * Host addressing: physical memory below 4 GiB is identity-mapped, so a
 * physical address is also a pointer; the image itself is reached through
 * the higher-half window (kernel/layout.h), whose pointers hv_pa()
 * translates for hardware (VMCS, page tables).
 */
#ifndef MEM_H
#define MEM_H

#include <stddef.h>
#include <stdint.h>

#include "layout.h"
#include "palloc.h"

struct hv_region {
    uint64_t start;     /* physical, inclusive */
    uint64_t end;       /* physical, exclusive */
};

/* mem_init - record the region from the physical load base. */
void mem_init(uint64_t load_base);

/* mem_extend_down - grow the region down to new_start (the module stash). */
void mem_extend_down(uint64_t new_start);

/* hv_region - the physical range monovisor owns (never given to a guest). */
struct hv_region hv_region(void);

/* page_alloc - n zeroed, contiguous 4 KiB pages from the pool, or NULL. */
void *page_alloc(size_t n);

/* page_free - return pages from page_alloc. Panics on a bad free. */
void page_free(void *p, size_t n);

/* page_pool - the pool's counters (pages, used, peak, failures). */
const struct palloc *page_pool(void);

/* hv_pa - physical address of a hypervisor pointer. */
uint64_t hv_pa(const void *p);

/* hv_va - pointer to a physical address of the hypervisor image or below
 * 4 GiB (the inverse of hv_pa). */
void *hv_va(uint64_t pa);

/* phys_ptr - pointer to physical memory below 4 GiB (identity map). */
static inline void *phys_ptr(uint64_t pa)
{
    return (void *)(uintptr_t)pa;
}

#endif
