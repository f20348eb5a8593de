/*
 * bzimage.c - Linux bzImage setup header and zero page; see bzimage.h.
 */
#include "bzimage.h"

#include "kstring.h"

#define MIB (1ull << 20)
#define GIB (1ull << 30)

static void wr32(uint8_t *p, uint32_t v)
{
    memcpy(p, &v, 4);
}

static void wr64(uint8_t *p, uint64_t v)
{
    memcpy(p, &v, 8);
}

static int fail(const char **why, const char *what)
{
    if (why)
        *why = what;
    return -1;
}

bool bzimage_probe(const uint8_t *img, size_t len)
{
    return len >= BZ_HEADER + 4 && get_le32(img + BZ_HEADER) == BZ_HDRS_MAGIC;
}

int bzimage_parse(const uint8_t *img, size_t len, struct bzimage_info *out, const char **why)
{
    memset(out, 0, sizeof(*out));
    if (len < BZ_VERSION + 2)
        return fail(why, "bzImage: image too short for a setup header (truncated?)");
    if (get_le32(img + BZ_HEADER) != BZ_HDRS_MAGIC)
        return fail(why, "bzImage: no \"HdrS\" magic at 0x202 (not a Linux kernel)");
    if (get_le16(img + BZ_BOOT_FLAG) != BZ_BOOT_FLAG_MAGIC)
        return fail(why, "bzImage: boot_flag (0x1FE) is not 0xAA55");
    out->version = get_le16(img + BZ_VERSION);
    if (out->version < 0x0206)
        return fail(why, "bzImage: boot protocol version (0x206) older than 2.06");

    /* "64-bit Boot Protocol": the setup header ends at 0x202 + byte 0x201
     * (the offset of the jump at 0x200). It must hold every field of its
     * version and stop before the zero page's edd_mbr_sig_buffer. */
    out->header_end = BZ_HEADER + img[BZ_JUMP + 1];
    uint32_t need_end = out->version >= 0x020A ? BZ_INIT_SIZE + 4 : BZ_CMDLINE_SIZE + 4;
    if (out->header_end < need_end)
        return fail(why, "bzImage: setup header length (byte 0x201) too short for its "
                         "protocol version");
    if (out->header_end > BZ_HEADER_LIMIT)
        return fail(why, "bzImage: setup header length (byte 0x201) runs past 0x290");
    if (out->header_end > len)
        return fail(why, "bzImage: image truncated inside the setup header");

    out->loadflags = img[BZ_LOADFLAGS];
    if (!(out->loadflags & BZ_LOADED_HIGH))
        return fail(why, "bzImage: loadflags (0x211) lack LOADED_HIGH: a zImage, not supported");

    /* "Details of Header Fields", setup_sects: 0 means 4. "Loading The Rest
     * of The Kernel": the protected-mode kernel starts after the boot
     * sector and the setup sectors. */
    out->setup_sects = img[BZ_SETUP_SECTS] ? img[BZ_SETUP_SECTS] : 4;
    out->kernel_offset = ((uint64_t)out->setup_sects + 1) * 512;
    if (out->kernel_offset >= len)
        return fail(why, "bzImage: setup (setup_sects, 0x1F1) as large as the image or larger");
    /* syssize counts the protected-mode kernel in 16-byte paragraphs (4
     * bytes wide since 2.04); a signature may follow it in the file. */
    out->syssize = get_le32(img + BZ_SYSSIZE);
    if (out->syssize == 0)
        return fail(why, "bzImage: syssize (0x1F4) is zero");
    out->kernel_size = (uint64_t)out->syssize * 16;
    if (out->kernel_size > len - out->kernel_offset)
        return fail(why, "bzImage: image truncated: syssize (0x1F4) runs past its end");

    out->code32_start = get_le32(img + BZ_CODE32_START);
    out->initrd_addr_max = get_le32(img + BZ_INITRD_ADDR_MAX);
    out->kernel_alignment = get_le32(img + BZ_KERNEL_ALIGNMENT);
    out->relocatable = img[BZ_RELOCATABLE] != 0;
    out->cmdline_size = get_le32(img + BZ_CMDLINE_SIZE);
    if (out->relocatable &&
        (out->kernel_alignment < 4096 || (out->kernel_alignment & (out->kernel_alignment - 1))))
        return fail(why, "bzImage: kernel_alignment (0x230) is not a power of two of at "
                         "least 4 KiB");
    if (out->version >= 0x020C)
        out->xloadflags = get_le16(img + BZ_XLOADFLAGS);
    out->entry64 = (out->xloadflags & BZ_XLF_KERNEL_64) != 0;
    if (out->entry64 && out->kernel_size <= BZ_ENTRY64_OFFSET)
        return fail(why, "bzImage: 64-bit entry (+0x200, xloadflags) past the kernel's end");

    if (out->version >= 0x020A) {
        out->pref_address = get_le64(img + BZ_PREF_ADDRESS);
        out->init_size = get_le32(img + BZ_INIT_SIZE);
        if (out->init_size == 0)
            return fail(why, "bzImage: init_size (0x260) is zero");
    } else {
        /* Before 2.10 neither field exists: the kernel runs at 1 MiB, and
         * GRUB (grub-core/loader/i386/linux.c) reserves three times the
         * page-rounded protected-mode size for it to decompress in. */
        out->pref_address = MIB;
        out->init_size = ((out->kernel_size + 4095) & ~4095ull) * 3;
    }
    if (out->init_size > BZ_MAX_INIT_SIZE)
        return fail(why, "bzImage: init_size (0x260) larger than 1 GiB");
    return 0;
}

/*
 * "Details of Header Fields", init_size: a relocatable kernel runs at
 * align_up(max(load address, pref_address), kernel_alignment), one that is
 * not relocatable at pref_address. So a relocatable kernel is never put
 * below pref_address (it would move up there anyway), and the range it
 * needs from its load address is the larger of init_size and its size.
 * Below 16 MiB stays for the zero page, command line and initrd.
 */
uint64_t bzimage_load_address(const struct bzimage_info *bi, const struct memmap *guest)
{
    uint64_t need = bi->init_size > bi->kernel_size ? bi->init_size : bi->kernel_size;
    if (!bi->relocatable) {
        if (memmap_is_ram(guest, MIB, bi->kernel_size) &&
            memmap_is_ram(guest, bi->pref_address, bi->init_size))
            return MIB;
        return 0;
    }
    uint64_t align = bi->kernel_alignment;
    if (bi->pref_address >= MIB && !(bi->pref_address & (align - 1)) &&
        memmap_is_ram(guest, bi->pref_address, need))
        return bi->pref_address;
    uint64_t lower = bi->pref_address > 16 * MIB ? bi->pref_address : 16 * MIB;
    uint64_t best = 0;
    /* The lowest fit is the first aligned address of some RAM entry (at or
     * above lower): any fit inside an entry can slide down to it. */
    for (unsigned i = 0; i < guest->n; i++) {
        const struct mb2_mmap_entry *e = &guest->e[i];
        uint64_t base = e->base > lower ? e->base : lower;
        if (e->type != MB2_MEM_AVAILABLE || base + (align - 1) < base)
            continue;
        uint64_t at = (base + (align - 1)) & ~(align - 1);
        if (memmap_is_ram(guest, at, need) && (!best || at < best))
            best = at;
    }
    return best;
}

uint64_t bzimage_initrd_address(const struct bzimage_info *bi, const struct memmap *guest,
                                uint64_t size, uint64_t kernel_at, uint64_t kernel_need,
                                uint64_t limit)
{
    const uint64_t page = 4096;
    uint64_t top = (uint64_t)bi->initrd_addr_max + 1;   /* end of the last byte allowed */
    if (limit && limit < top)
        top = limit;
    if (size == 0 || size > top)
        return 0;
    uint64_t best = 0;
    /* The highest fit ends at the top of some RAM entry (clipped to top),
     * or just below the kernel: try each such end, aligned down. */
    for (unsigned i = 0; i <= guest->n; i++) {
        uint64_t end = i < guest->n ? guest->e[i].base + guest->e[i].len : kernel_at;
        if (i < guest->n && (guest->e[i].type != MB2_MEM_AVAILABLE || end < guest->e[i].base))
            continue;
        if (end > top)
            end = top;
        if (end < size)
            continue;
        uint64_t at = (end - size) & ~(page - 1);
        if (at + size > kernel_at && at < kernel_at + kernel_need)
            continue;
        if (at && memmap_is_ram(guest, at, size) && at > best)
            best = at;
    }
    return best;
}

/* e820 types (zero-page.rst, e820_table) are Multiboot2's 1-5; anything
 * else is reported as reserved. */
static uint32_t e820_type(uint32_t mb2_type)
{
    return mb2_type >= MB2_MEM_AVAILABLE && mb2_type <= MB2_MEM_BADRAM ? mb2_type
                                                                       : MB2_MEM_RESERVED;
}

/* Adjacent entries of one type are merged; past BZ_E820_MAX entries the
 * (highest) rest of the map is left out. */
static void fill_e820(uint8_t *zp, const struct memmap *m)
{
    unsigned n = 0;
    uint64_t prev_end = 0;
    uint32_t prev_type = 0;
    for (unsigned i = 0; i < m->n; i++) {
        const struct mb2_mmap_entry *e = &m->e[i];
        uint32_t type = e820_type(e->type);
        if (e->len == 0)
            continue;
        if (n && type == prev_type && e->base == prev_end) {
            uint8_t *last = zp + BZ_E820_TABLE + (n - 1) * 20;
            wr64(last + 8, get_le64(last + 8) + e->len);
        } else {
            if (n == BZ_E820_MAX)
                break;
            uint8_t *ent = zp + BZ_E820_TABLE + n * 20;
            wr64(ent, e->base);
            wr64(ent + 8, e->len);
            wr32(ent + 16, type);
            n++;
        }
        prev_end = e->base + e->len;
        prev_type = type;
    }
    zp[BZ_E820_ENTRIES] = (uint8_t)n;
}

int bzimage_boot_params(uint8_t zero_page[4096], const uint8_t *img,
                        const struct bzimage_info *bi, const struct memmap *guest,
                        uint64_t cmdline_gpa, uint32_t cmdline_len, uint64_t initrd_gpa,
                        uint64_t initrd_size, const char **why)
{
    const bool above_4g = (bi->xloadflags & BZ_XLF_CAN_BE_LOADED_ABOVE_4G) != 0;
    memset(zero_page, 0, 4096);
    /* "64-bit Boot Protocol": copy the setup header from the image. */
    memcpy(zero_page + BZ_SETUP_SECTS, img + BZ_SETUP_SECTS, bi->header_end - BZ_SETUP_SECTS);
    zero_page[BZ_TYPE_OF_LOADER] = BZ_LOADER_UNDEFINED;
    /* The heap (heap_end_ptr) is for the real-mode setup code, which the
     * 32/64-bit entry skips: CAN_USE_HEAP stays clear. */
    zero_page[BZ_LOADFLAGS] = bi->loadflags & ~BZ_CAN_USE_HEAP;
    /* The loader's fields are ours, whatever the image holds there. */
    wr32(zero_page + BZ_CMD_LINE_PTR, 0);
    wr32(zero_page + BZ_RAMDISK_IMAGE, 0);
    wr32(zero_page + BZ_RAMDISK_SIZE, 0);

    /* "The Kernel Command Line": NUL-terminated, at most cmdline_size bytes
     * before the NUL; ext_cmd_line_ptr holds bits 63:32. */
    if (cmdline_gpa) {
        if (cmdline_len > bi->cmdline_size)
            return fail(why, "bzImage: command line longer than the kernel's cmdline_size");
        if (!memmap_is_ram(guest, cmdline_gpa, (uint64_t)cmdline_len + 1))
            return fail(why, "bzImage: command line not in guest RAM");
        if (cmdline_gpa + cmdline_len >= 4 * GIB && !above_4g)
            return fail(why, "bzImage: command line above 4 GiB and no "
                             "XLF_CAN_BE_LOADED_ABOVE_4G (xloadflags)");
        wr32(zero_page + BZ_CMD_LINE_PTR, (uint32_t)cmdline_gpa);
        wr32(zero_page + BZ_EXT_CMD_LINE_PTR, (uint32_t)(cmdline_gpa >> 32));
    } else if (cmdline_len) {
        return fail(why, "bzImage: command line length without an address");
    }

    /* initrd_addr_max bounds the initrd's last byte; a kernel with
     * XLF_CAN_BE_LOADED_ABOVE_4G takes it anywhere (ext_ramdisk_* hold bits
     * 63:32), as Linux's own kexec_file loader assumes. */
    if (initrd_size) {
        if (!memmap_is_ram(guest, initrd_gpa, initrd_size))
            return fail(why, "bzImage: initrd not in guest RAM");
        uint64_t last = initrd_gpa + initrd_size - 1;
        if (!above_4g && last > bi->initrd_addr_max)
            return fail(why, "bzImage: initrd ends above the kernel's initrd_addr_max");
        wr32(zero_page + BZ_RAMDISK_IMAGE, (uint32_t)initrd_gpa);
        wr32(zero_page + BZ_EXT_RAMDISK_IMAGE, (uint32_t)(initrd_gpa >> 32));
        wr32(zero_page + BZ_RAMDISK_SIZE, (uint32_t)initrd_size);
        wr32(zero_page + BZ_EXT_RAMDISK_SIZE, (uint32_t)(initrd_size >> 32));
    }

    fill_e820(zero_page, guest);
    return 0;
}

bool bzimage_set_rsdp(uint8_t zero_page[4096], const struct bzimage_info *bi, uint64_t rsdp)
{
    if (bi->version < 0x020E)
        return false;
    wr64(zero_page + BZ_ACPI_RSDP_ADDR, rsdp);
    return true;
}
