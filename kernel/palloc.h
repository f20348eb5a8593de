/*
 * palloc.h - page allocator over one contiguous pool (pure bitmap logic:
 * addresses are plain numbers, so the host unit tests drive it too).
 * kernel/mem.c runs it over the hypervisor's pool.
 */
#ifndef PALLOC_H
#define PALLOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PALLOC_PAGE 4096u

struct palloc {
    uint64_t base;          /* address of page 0 */
    size_t npages;
    uint64_t *bitmap;       /* npages bits, 1 = in use */
    size_t used;            /* pages in use now */
    size_t peak;            /* most pages ever in use at once */
    uint64_t allocs, frees; /* successful calls */
    uint64_t failures;      /* allocations that found no room */
};

/* palloc_bitmap_words - uint64_t words the bitmap of npages needs. */
#define palloc_bitmap_words(npages) (((npages) + 63) / 64)

/* palloc_init - an empty allocator over npages pages from base (page aligned). */
void palloc_init(struct palloc *a, uint64_t base, size_t npages, uint64_t *bitmap);

/*
 * palloc_alloc - n contiguous pages whose first page index is a multiple
 * of align (1 = any). Returns the address, or 0 when there is no room
 * (counted in failures).
 */
uint64_t palloc_alloc(struct palloc *a, size_t n, size_t align);

/*
 * palloc_free - give back n pages at addr. Returns 0, or -1 (and frees
 * nothing) if the range is outside the pool, misaligned or not all in use.
 */
int palloc_free(struct palloc *a, uint64_t addr, size_t n);

#endif
