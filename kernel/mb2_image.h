/*
 * mb2_image.h - Multiboot2 guest images (pure; host unit tested): find and
 * check the image's Multiboot2 header and its tags, describe what to load
 * where, place a relocatable image, and build the boot information the
 * guest gets. Multiboot2 specification 2.0: 3.1 "OS image format"
 * (header and tags), 3.2 "Machine state", 3.6 "Boot information format".
 * (kernel/mb2.c parses the boot information GRUB gives the hypervisor.)
 */
#ifndef MB2_IMAGE_H
#define MB2_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "image.h"
#include "memmap.h"

#define MB2_HEADER_MAGIC     0xE85250D6u
#define MB2_SEARCH_LIMIT     32768      /* the header lies wholly in the first 32 KiB */
#define MB2_ARCH_I386        0          /* 32-bit protected mode i386 */
#define MB2_ARCH_MIPS32      4

/* Header tag types (3.1.4 - 3.1.13) and the "optional" flag bit 0 (3.1.3). */
#define MB2_HTAG_END             0
#define MB2_HTAG_INFO_REQUEST    1
#define MB2_HTAG_ADDRESS         2
#define MB2_HTAG_ENTRY           3
#define MB2_HTAG_CONSOLE_FLAGS   4
#define MB2_HTAG_FRAMEBUFFER     5
#define MB2_HTAG_MODULE_ALIGN    6
#define MB2_HTAG_EFI_BS          7
#define MB2_HTAG_ENTRY_EFI32     8
#define MB2_HTAG_ENTRY_EFI64     9
#define MB2_HTAG_RELOCATABLE     10
#define MB2_HTAG_OPTIONAL        1u
#define MB2_CONSOLE_REQUIRED     1u     /* console_flags bit 0 */

/* Relocatable tag preference (3.1.13). */
#define MB2_RELOC_NONE    0
#define MB2_RELOC_LOWEST  1
#define MB2_RELOC_HIGHEST 2

/* Boot information tags monovisor gives a guest (3.6): command line,
 * loader name, modules, basic memory information, memory map, ACPI
 * old/new RSDP (when the machine has one), the EFI memory map (when the
 * machine booted through UEFI), image load base. */
#define MB2_INFO_PROVIDED ((1ull << 1) | (1ull << 2) | (1ull << 3) | (1ull << 4) | (1ull << 6) | \
                           (1ull << 14) | (1ull << 15) | (1ull << 17) | (1ull << 21))

struct mb2_image {
    uint32_t header_offset, header_length;
    struct image_layout layout;
    uint64_t requested;             /* information tag types asked for (bit n: type n) */
    uint64_t required;              /* those asked for by a request tag that is not optional */
    bool has_address, has_entry;
    bool module_align;              /* modules page aligned (we always do) */
    uint32_t console_flags;
    bool relocatable;
    uint32_t reloc_min, reloc_max, reloc_align, reloc_pref;
};

/*
 * mb2_image_probe - 1 if img carries a Multiboot2 header: the magic on an
 * 8-byte boundary in the first 32 KiB with a valid checksum (magic +
 * architecture + header_length + checksum = 0 mod 2^32), else 0.
 */
int mb2_image_probe(const uint8_t *img, size_t len);

/*
 * mb2_image_parse - check the header and every tag, and describe what to
 * load: the address tag's load addresses (with the entry address tag), else
 * the ELF32/ELF64 program headers (the entry address tag, when present,
 * overrides the ELF entry). Refuses, naming the field or tag: a truncated
 * or malformed header or tag, an architecture other than i386, a required
 * information request for a tag monovisor cannot give, a required
 * framebuffer, console, EFI boot services or EFI entry tag, an unknown
 * required tag. Returns 0, or -1 with err.
 */
int mb2_image_parse(const uint8_t *img, size_t len, struct mb2_image *out, char *err, size_t errlen);

/* mb2_info_type_name - what boot information tag type t is ("memory map"),
 * "unknown" past the types of the specification. */
const char *mb2_info_type_name(uint32_t t);

/*
 * mb2_image_place - where the image's lowest byte goes. Its link address
 * when the whole image lies in RAM of ram; else, for a relocatable image,
 * the lowest (preference 1 or none) or highest (2) reloc_align-aligned
 * address in [reloc_min, reloc_max - size] whose whole range is RAM.
 * Returns 0 with *base, or -1 with err.
 */
int mb2_image_place(const struct mb2_image *mi, const struct memmap *ram, uint64_t *base,
                    char *err, size_t errlen);

/* What the boot information holds (all addresses guest-physical). */
struct mb2_boot_module {
    uint32_t start, end;
    const char *cmdline;
};

struct mb2_boot_desc {
    const char *cmdline;
    const char *loader_name;
    const struct mb2_boot_module *modules;
    unsigned nmodules;
    const struct memmap *map;       /* memory map and basic memory information */
    const void *rsdp;               /* NULL: no ACPI tags */
    uint32_t rsdp_len;              /* 20: ACPI 1.0 (old RSDP tag only); more: both tags */
    uint32_t load_base;             /* the image's lowest loaded byte */
    bool efi_map;                   /* the EFI memory map tag too (a UEFI machine) */
};

/*
 * mb2_info_build - write the boot information (3.6) into buf (cap bytes,
 * 8-byte aligned): total_size and reserved, then 8-byte aligned tags in
 * this order: command line (1), boot loader name (2), modules (3), basic
 * memory information (4), memory map (6), the EFI memory map (17, when
 * efi_map: the same map as EFI descriptors, mb2_efi_descriptor), ACPI old
 * RSDP (14) and new RSDP (15), image load base (21), end (0). Nothing is
 * written past cap (buf may be NULL to measure). Returns the total size:
 * the information is whole only when that is at most cap.
 */
uint32_t mb2_info_build(uint8_t *buf, uint32_t cap, const struct mb2_boot_desc *d);

#endif
