/*
 * palloc.c - first-fit bitmap page allocator; see palloc.h.
 */
#include "palloc.h"

#include "kstring.h"

static bool test_bit(const struct palloc *a, size_t i)
{
    return a->bitmap[i / 64] & (1ull << (i % 64));
}

static void set_range(struct palloc *a, size_t first, size_t n, bool used)
{
    for (size_t i = first; i < first + n; i++) {
        if (used)
            a->bitmap[i / 64] |= 1ull << (i % 64);
        else
            a->bitmap[i / 64] &= ~(1ull << (i % 64));
    }
}

void palloc_init(struct palloc *a, uint64_t base, size_t npages, uint64_t *bitmap)
{
    memset(a, 0, sizeof(*a));
    a->base = base;
    a->npages = npages;
    a->bitmap = bitmap;
    memset(bitmap, 0, palloc_bitmap_words(npages) * sizeof(uint64_t));
}

uint64_t palloc_alloc(struct palloc *a, size_t n, size_t align)
{
    if (align == 0)
        align = 1;
    if (n == 0 || n > a->npages) {
        a->failures++;
        return 0;
    }
    /* Only index 0 is a multiple of an align >= npages; clamping keeps
     * first + align and the rounding below from wrapping around. */
    if (align > a->npages)
        align = a->npages;
    for (size_t first = 0; first + n <= a->npages; first += align) {
        size_t i = 0;
        while (i < n && !test_bit(a, first + i))
            i++;
        if (i < n) {
            /* Skip past the page in use, keeping the alignment. */
            size_t next = first + i + 1;
            first = (next + align - 1) / align * align - align;
            continue;
        }
        set_range(a, first, n, true);
        a->used += n;
        if (a->used > a->peak)
            a->peak = a->used;
        a->allocs++;
        return a->base + (uint64_t)first * PALLOC_PAGE;
    }
    a->failures++;
    return 0;
}

int palloc_free(struct palloc *a, uint64_t addr, size_t n)
{
    if (addr < a->base || (addr - a->base) % PALLOC_PAGE || n == 0)
        return -1;
    size_t first = (size_t)((addr - a->base) / PALLOC_PAGE);
    if (first >= a->npages || n > a->npages - first)
        return -1;
    for (size_t i = first; i < first + n; i++)
        if (!test_bit(a, i))
            return -1;
    set_range(a, first, n, false);
    a->used -= n;
    a->frees++;
    return 0;
}
