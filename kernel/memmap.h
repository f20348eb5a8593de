/*
 * memmap.h - the guest's view of physical memory (pure; host unit tested).
 *
 * Guest-physical equals host-physical (DESIGN.md, memory model): the guest
 * gets the firmware's memory map with the hypervisor's region turned into
 * "reserved", and may touch only the RAM of that map.
 */
#ifndef MEMMAP_H
#define MEMMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mb2.h"

#define MEMMAP_MAX (MB2_MAX_MMAP + 8)

struct memmap {
    struct mb2_mmap_entry e[MEMMAP_MAX];
    unsigned n;
    bool truncated;
};

/*
 * memmap_guest_view - sorted copy of the firmware map (zero-length
 * entries dropped, available RAM trimmed to whole 4 KiB pages) in which
 * [hv_start, hv_end) is carved out of every entry and inserted as one
 * reserved entry.
 */
void memmap_guest_view(const struct mb2_mmap_entry *in, unsigned n, uint64_t hv_start,
                       uint64_t hv_end, struct memmap *out);

/* memmap_is_ram - [gpa, gpa+len) lies wholly in available entries of m
 * (len 0 is never RAM; wrap-around never is). */
bool memmap_is_ram(const struct memmap *m, uint64_t gpa, uint64_t len);

/* memmap_type_at - type of the entry holding gpa, 0 when no entry does. */
uint32_t memmap_type_at(const struct memmap *m, uint64_t gpa);

/* memmap_overlaps_ram - some byte of [gpa, gpa+len) is available RAM. */
bool memmap_overlaps_ram(const struct memmap *m, uint64_t gpa, uint64_t len);

/* memmap_limit_ram - keep only the lowest `bytes` of available RAM (mem=):
 * available entries beyond it are trimmed or dropped, others kept.
 * Returns the RAM kept. */
uint64_t memmap_limit_ram(struct memmap *m, uint64_t bytes);

/*
 * memmap_fit - a size-byte range of RAM in m whose start is a multiple of
 * align (a power of two) and which lies in [lo, hi): the lowest such start,
 * or the highest when highest is set. Returns true with *at, or false.
 */
bool memmap_fit(const struct memmap *m, uint64_t lo, uint64_t hi, uint64_t size, uint64_t align,
                bool highest, uint64_t *at);

/* memmap_ram_top - end of the highest available entry (0 if none). */
uint64_t memmap_ram_top(const struct memmap *m);

/* memmap_lower_upper_kib - available RAM below 1 MiB and above 1 MiB in KiB, as the
 * Multiboot mem_lower/mem_upper fields want them (contiguous from 0 and from
 * 1 MiB). */
void memmap_lower_upper_kib(const struct memmap *m, uint32_t *lower, uint32_t *upper);

#endif
