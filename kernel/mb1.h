/*
 * mb1.h - Multiboot (version 1) guest images: find the header, check it,
 * and describe what to load where (pure; host unit tested).
 * Multiboot Specification 0.6.96, section 3.1 "OS image format".
 */
#ifndef MB1_H
#define MB1_H

#include <stddef.h>
#include <stdint.h>

#include "image.h"

#define MB1_HEADER_MAGIC     0x1BADB002u
#define MB1_BOOTLOADER_MAGIC 0x2BADB002u
#define MB1_SEARCH_LIMIT     8192
#define MB1_FLAG_PAGE_ALIGN  (1u << 0)
#define MB1_FLAG_MEMINFO     (1u << 1)
#define MB1_FLAG_VIDEO       (1u << 2)
#define MB1_FLAG_AOUT_KLUDGE (1u << 16)
#define MB1_MAX_SEGMENTS     IMAGE_MAX_SEGMENTS

struct mb1_image {
    uint32_t flags;
    uint32_t header_offset;
    struct image_layout layout;     /* elf_class 0: the a.out kludge */
};

/*
 * mb1_probe - 1 if img carries a Multiboot header (magic in the first
 * 8 KiB, 4-byte aligned, checksum valid), else 0.
 */
int mb1_probe(const uint8_t *img, size_t len);

/*
 * mb1_parse - what to load for a Multiboot image: the a.out-kludge
 * addresses when header flag 16 is set, else the ELF program headers
 * (ELF32 or ELF64, x86). Every range is checked against the file.
 * Returns 0, or -1 with err naming what is wrong.
 */
int mb1_parse(const uint8_t *img, size_t len, struct mb1_image *out, char *err, size_t errlen);

#endif
