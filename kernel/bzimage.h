/*
 * bzimage.h - Linux bzImage guests: check the setup header, choose where
 * the protected-mode kernel goes, and build the zero page (pure; host unit
 * tested). kernel/loader.c copies the bytes.
 *
 * References: Documentation/arch/x86/boot.rst, "The Real-Mode Kernel
 * Header", "Details of Header Fields", "Loading The Rest of The Kernel",
 * "32-bit Boot Protocol" and "64-bit Boot Protocol"; the zero page's layout
 * is Documentation/arch/x86/zero-page.rst (struct boot_params).
 */
#ifndef BZIMAGE_H
#define BZIMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "memmap.h"

/* Setup header offsets in the image (and in the zero page). */
#define BZ_SETUP_SECTS      0x1F1
#define BZ_SYSSIZE          0x1F4
#define BZ_BOOT_FLAG        0x1FE
#define BZ_JUMP             0x200   /* byte 0x201: header length after 0x202 */
#define BZ_HEADER           0x202
#define BZ_VERSION          0x206
#define BZ_TYPE_OF_LOADER   0x210
#define BZ_LOADFLAGS        0x211
#define BZ_CODE32_START     0x214
#define BZ_RAMDISK_IMAGE    0x218
#define BZ_RAMDISK_SIZE     0x21C
#define BZ_HEAP_END_PTR     0x224
#define BZ_CMD_LINE_PTR     0x228
#define BZ_INITRD_ADDR_MAX  0x22C
#define BZ_KERNEL_ALIGNMENT 0x230
#define BZ_RELOCATABLE      0x234
#define BZ_XLOADFLAGS       0x236
#define BZ_CMDLINE_SIZE     0x238
#define BZ_PREF_ADDRESS     0x258
#define BZ_INIT_SIZE        0x260

/* Zero-page (struct boot_params) fields outside the setup header. */
#define BZ_EXT_RAMDISK_IMAGE 0x0C0
#define BZ_EXT_RAMDISK_SIZE  0x0C4
#define BZ_EXT_CMD_LINE_PTR  0x0C8
#define BZ_ACPI_RSDP_ADDR    0x070  /* u64, protocol 2.14+ */
#define BZ_E820_ENTRIES      0x1E8
#define BZ_E820_TABLE        0x2D0
#define BZ_E820_MAX          128    /* entries of 20 bytes: base, size, type */
#define BZ_HEADER_LIMIT      0x290  /* edd_mbr_sig_buffer follows the header */

#define BZ_HDRS_MAGIC       0x53726448u     /* "HdrS" */
#define BZ_BOOT_FLAG_MAGIC  0xAA55u
#define BZ_LOADED_HIGH      0x01u           /* loadflags bit 0 */
#define BZ_CAN_USE_HEAP     0x80u           /* loadflags bit 7 */
#define BZ_XLF_KERNEL_64    0x01u           /* 64-bit entry at load address + 0x200 */
#define BZ_XLF_CAN_BE_LOADED_ABOVE_4G 0x02u
#define BZ_LOADER_UNDEFINED 0xFFu           /* type_of_loader: no assigned id */
#define BZ_ENTRY64_OFFSET   0x200u
#define BZ_MAX_INIT_SIZE    (1ull << 30)    /* larger init_size is refused as absurd */

struct bzimage_info {
    uint16_t version;           /* boot protocol, 0x020F = 2.15 */
    uint8_t setup_sects;        /* effective: 0 in the header means 4 */
    uint8_t loadflags;
    bool relocatable;
    bool entry64;               /* XLF_KERNEL_64: 64-bit entry at load + 0x200 */
    uint16_t xloadflags;        /* 0 before protocol 2.12 */
    uint32_t header_end;        /* 0x202 + byte 0x201: end of the setup header */
    uint32_t syssize;           /* in 16-byte paragraphs */
    uint32_t code32_start;
    uint32_t initrd_addr_max;   /* highest byte an initrd may occupy */
    uint32_t kernel_alignment;
    uint32_t cmdline_size;      /* longest command line, without its NUL */
    uint64_t pref_address;      /* 0x100000 before protocol 2.10 */
    uint64_t init_size;         /* before 2.10: estimated (see bzimage.c) */
    uint64_t kernel_offset;     /* protected-mode kernel in the image: (setup_sects + 1) * 512 */
    uint64_t kernel_size;       /* its bytes: syssize * 16 (a signature may follow) */
};

/*
 * bzimage_probe - true if img carries the "HdrS" signature of the boot
 * protocol's setup header at 0x202 (so that bzimage_parse, not another
 * loader, says what is wrong with it).
 */
bool bzimage_probe(const uint8_t *img, size_t len);

/*
 * bzimage_parse - check a bzImage's setup header and describe it. Requires
 * "HdrS", boot_flag 0xAA55, protocol 2.06 or later and LOADED_HIGH (no
 * zImage). Returns 0, or -1 with *why (a static string) naming the field.
 */
int bzimage_parse(const uint8_t *img, size_t len, struct bzimage_info *out, const char **why);

/*
 * bzimage_set_rsdp - tell the kernel where the ACPI RSDP lies
 * (acpi_rsdp_addr, boot protocol 2.14 and later: "the physical address of
 * the RSDP table", which UEFI machines do not keep in the BIOS area).
 * Returns false, the zero page unchanged, for an older protocol.
 */
bool bzimage_set_rsdp(uint8_t zero_page[4096], const struct bzimage_info *bi, uint64_t rsdp);

/*
 * bzimage_load_address - where to copy the protected-mode kernel so that it
 * and the init_size bytes it runs in lie in guest RAM: pref_address when
 * it is aligned, at least 1 MiB and fits, else the lowest kernel_alignment-
 * aligned address at or above max(pref_address, 16 MiB) that fits. A
 * kernel that is not relocatable goes to 0x100000 only (its init_size
 * bytes at pref_address, where it runs, in RAM too). 0 when none fits.
 */
uint64_t bzimage_load_address(const struct bzimage_info *bi, const struct memmap *guest);

/*
 * bzimage_initrd_address - where an initrd of size bytes goes: the highest
 * page-aligned address at which it lies wholly in guest RAM, ends at or
 * below min(initrd_addr_max, limit - 1) and stays out of the kernel's
 * [kernel_at, kernel_at + kernel_need) (as high as possible, so that the
 * kernel's decompression and early allocations below keep their room;
 * "Details of Header Fields", initrd_addr_max). limit lets the caller keep
 * it where it can copy. 0 when none fits.
 */
uint64_t bzimage_initrd_address(const struct bzimage_info *bi, const struct memmap *guest,
                                uint64_t size, uint64_t kernel_at, uint64_t kernel_need,
                                uint64_t limit);

/*
 * bzimage_boot_params - the zero page for the 32- or 64-bit boot protocol:
 * the image's setup header, type_of_loader 0xFF, the command line
 * (cmdline_len bytes without the NUL at cmdline_gpa; 0 = none), the initrd
 * (initrd_size 0 = none) and the e820 table from the guest's map. Refuses a
 * command line longer than cmdline_size, an initrd past initrd_addr_max,
 * either outside guest RAM or above 4 GiB without XLF_CAN_BE_LOADED_ABOVE_4G.
 * Returns 0, or -1 with *why (a static string).
 */
int bzimage_boot_params(uint8_t zero_page[4096], const uint8_t *img,
                        const struct bzimage_info *bi, const struct memmap *guest,
                        uint64_t cmdline_gpa, uint32_t cmdline_len, uint64_t initrd_gpa,
                        uint64_t initrd_size, const char **why);

#endif
