/*
 * image.h - where a guest kernel image's bytes go (pure; host unit tested):
 * the loadable segments of an ELF32/ELF64 executable, or the one segment
 * that a.out-kludge style load addresses describe. Shared by the Multiboot
 * (kernel/mb1.c) and Multiboot2 (kernel/mb2_image.c) image parsers.
 */
#ifndef IMAGE_H
#define IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define IMAGE_MAX_SEGMENTS 16

struct image_segment {
    uint64_t dest;          /* physical load address */
    uint64_t offset;        /* in the image file */
    uint64_t filesz;        /* bytes copied from the file */
    uint64_t memsz;         /* bytes at dest (the rest zeroed) */
};

struct image_layout {
    uint64_t entry;
    struct image_segment seg[IMAGE_MAX_SEGMENTS];
    unsigned nseg;
    int elf_class;          /* 32, 64, or 0 for load addresses from the header */
};

/* The header's load addresses (Multiboot 0.6.96 3.1.3 flag 16 fields,
 * Multiboot2 3.1.5 address tag): hoff is where the header sits in the file. */
struct image_addrs {
    uint32_t hoff;
    uint32_t header_addr, load_addr, load_end_addr, bss_end_addr, entry_addr;
};

/*
 * image_from_addrs - the one segment the load addresses describe in a
 * file of len bytes: the file from hoff - (header_addr - load_addr) for
 * load_end_addr - load_addr bytes (to the end of the file when
 * load_end_addr is 0), zero-filled up to bss_end_addr (none when 0); the
 * entry must lie inside it. what names the format in errors ("multiboot
 * image"). Returns 0, or -1 with err.
 */
int image_from_addrs(size_t len, const struct image_addrs *a, const char *what,
                     struct image_layout *out, char *err, size_t errlen);

/*
 * image_from_elf - the PT_LOAD program headers of a little-endian x86 ELF32
 * or ELF64 executable, at their physical addresses; the entry is the ELF
 * entry translated from virtual to physical by the segment holding it.
 * check_entry: refuse an entry outside every segment (a caller that takes
 * the entry from elsewhere passes false). Every range is checked against
 * the file and 4 GiB. Returns 0, or -1 with err.
 */
int image_from_elf(const uint8_t *img, size_t len, bool check_entry, const char *what,
                   struct image_layout *out, char *err, size_t errlen);

/* image_is_elf - img starts with an ELF identification and a whole ELF32
 * file header (52 bytes). */
bool image_is_elf(const uint8_t *img, size_t len);

/* image_contains - addr lies inside some segment of l. */
bool image_contains(const struct image_layout *l, uint64_t addr);

/* image_extent - lowest dest and highest dest + memsz of l's segments. */
void image_extent(const struct image_layout *l, uint64_t *lo, uint64_t *hi);

/* image_fail - "WHAT: WHY" into err; returns -1. */
int image_fail(char *err, size_t errlen, const char *what, const char *why);

#endif
