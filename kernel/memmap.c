/*
 * memmap.c - guest memory map; see memmap.h.
 */
#include "memmap.h"

#include "kstring.h"

#define PAGE 4096ull

static void push(struct memmap *m, uint64_t base, uint64_t end, uint32_t type)
{
    if (end <= base)
        return;
    if (m->n == MEMMAP_MAX) {
        m->truncated = true;
        return;
    }
    m->e[m->n++] = (struct mb2_mmap_entry){ base, end - base, type };
}

static void sort(struct memmap *m)
{
    for (unsigned i = 1; i < m->n; i++) {
        struct mb2_mmap_entry x = m->e[i];
        unsigned j = i;
        while (j > 0 && m->e[j - 1].base > x.base) {
            m->e[j] = m->e[j - 1];
            j--;
        }
        m->e[j] = x;
    }
}

void memmap_guest_view(const struct mb2_mmap_entry *in, unsigned n, uint64_t hv_start,
                       uint64_t hv_end, struct memmap *out)
{
    memset(out, 0, sizeof(*out));
    for (unsigned i = 0; i < n; i++) {
        uint64_t base = in[i].base, end = in[i].base + in[i].len;
        if (in[i].len == 0 || end < base)
            continue;
        if (in[i].type == MB2_MEM_AVAILABLE) {
            base = (base + PAGE - 1) & ~(PAGE - 1);
            end &= ~(PAGE - 1);
            if (base < in[i].base)
                continue;       /* rounding up wrapped past 2^64: no whole page */
        }
        if (hv_end <= hv_start || end <= hv_start || base >= hv_end) {
            push(out, base, end, in[i].type);
        } else {
            push(out, base, hv_start, in[i].type);
            push(out, hv_end, end, in[i].type);
        }
    }
    if (hv_end > hv_start)
        push(out, hv_start, hv_end, MB2_MEM_RESERVED);
    sort(out);
}

bool memmap_is_ram(const struct memmap *m, uint64_t gpa, uint64_t len)
{
    if (len == 0 || gpa + len < gpa)
        return false;
    uint64_t end = gpa + len;
    /* Entries are sorted; adjacent available entries may cover the range together. */
    for (unsigned i = 0; i < m->n && gpa < end; i++) {
        const struct mb2_mmap_entry *e = &m->e[i];
        if (e->type != MB2_MEM_AVAILABLE || e->base > gpa || e->base + e->len <= gpa)
            continue;
        gpa = e->base + e->len;
    }
    return gpa >= end;
}

/* The lowest fit starts at the first aligned address of some RAM entry (at
 * or above lo), the highest ends at some entry's end (or at hi) rounded
 * down: any other fit could slide down or up to one of those. */
bool memmap_fit(const struct memmap *m, uint64_t lo, uint64_t hi, uint64_t size, uint64_t align,
                bool highest, uint64_t *at)
{
    bool found = false;
    if (size == 0 || hi < lo || size > hi - lo || align == 0 || (align & (align - 1)))
        return false;
    for (unsigned i = 0; i < m->n; i++) {
        const struct mb2_mmap_entry *e = &m->e[i];
        if (e->type != MB2_MEM_AVAILABLE || e->len == 0)
            continue;
        uint64_t cand;
        if (highest) {
            uint64_t end = e->base + e->len < hi ? e->base + e->len : hi;
            if (end < size)
                continue;
            cand = (end - size) & ~(align - 1);
            if (cand < lo)
                continue;
        } else {
            uint64_t base = e->base > lo ? e->base : lo;
            if (base + (align - 1) < base)
                continue;
            cand = (base + (align - 1)) & ~(align - 1);
            if (cand > hi - size)
                continue;
        }
        if (!memmap_is_ram(m, cand, size))
            continue;
        if (!found || (highest ? cand > *at : cand < *at))
            *at = cand;
        found = true;
    }
    return found;
}

uint64_t memmap_ram_top(const struct memmap *m)
{
    uint64_t top = 0;
    for (unsigned i = 0; i < m->n; i++)
        if (m->e[i].type == MB2_MEM_AVAILABLE && m->e[i].base + m->e[i].len > top)
            top = m->e[i].base + m->e[i].len;
    return top;
}

/* Length of the RAM run that starts at addr. */
static uint64_t ram_run(const struct memmap *m, uint64_t addr)
{
    uint64_t p = addr;
    for (unsigned i = 0; i < m->n; i++) {
        const struct mb2_mmap_entry *e = &m->e[i];
        if (e->type == MB2_MEM_AVAILABLE && e->base <= p && e->base + e->len > p)
            p = e->base + e->len;
    }
    return p - addr;
}

void memmap_lower_upper_kib(const struct memmap *m, uint32_t *lower, uint32_t *upper)
{
    uint64_t lo = ram_run(m, 0), hi = ram_run(m, 1ull << 20);
    if (lo > (640ull << 10))
        lo = 640ull << 10;
    if (hi > 0xFFFFFFFFull << 10)
        hi = 0xFFFFFFFFull << 10;
    *lower = (uint32_t)(lo >> 10);
    *upper = (uint32_t)(hi >> 10);
}

uint32_t memmap_type_at(const struct memmap *m, uint64_t gpa)
{
    for (unsigned i = 0; i < m->n; i++)
        if (gpa >= m->e[i].base && gpa - m->e[i].base < m->e[i].len)
            return m->e[i].type;
    return 0;
}

bool memmap_overlaps_ram(const struct memmap *m, uint64_t gpa, uint64_t len)
{
    if (len == 0)
        return false;
    /* Last byte; a range that would wrap stops at 2^64 - 1. */
    uint64_t last = len - 1 > UINT64_MAX - gpa ? UINT64_MAX : gpa + len - 1;
    for (unsigned i = 0; i < m->n; i++) {
        const struct mb2_mmap_entry *e = &m->e[i];
        if (e->type == MB2_MEM_AVAILABLE && e->base <= last && gpa < e->base + e->len)
            return true;
    }
    return false;
}

uint64_t memmap_limit_ram(struct memmap *m, uint64_t bytes)
{
    uint64_t kept = 0;
    unsigned out = 0;
    for (unsigned i = 0; i < m->n; i++) {
        struct mb2_mmap_entry e = m->e[i];
        if (e.type == MB2_MEM_AVAILABLE) {
            uint64_t room = bytes - kept;
            if (room == 0)
                continue;           /* beyond the limit: not in the guest's map */
            if (e.len > room)
                e.len = room & ~(PAGE - 1);
            if (e.len == 0)
                continue;
            kept += e.len;
        }
        m->e[out++] = e;
    }
    m->n = out;
    return kept;
}
