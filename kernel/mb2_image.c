/*
 * mb2_image.c - Multiboot2 guest images and their boot information; see
 * mb2_image.h. Section numbers are the Multiboot2 specification 2.0's.
 */
#include "mb2_image.h"

#include "fmt.h"
#include "kstring.h"
#include "mb2.h"

static const char WHAT[] = "multiboot2 image";

static int fail(char *err, size_t errlen, const char *why)
{
    return image_fail(err, errlen, WHAT, why);
}

/* Header layout (3.1.1): magic, architecture, header_length, checksum. */
static bool header_at(const uint8_t *img, size_t len, size_t off)
{
    if (off + 16 > len || get_le32(img + off) != MB2_HEADER_MAGIC)
        return false;
    uint32_t sum = get_le32(img + off) + get_le32(img + off + 4) + get_le32(img + off + 8) +
                   get_le32(img + off + 12);
    return sum == 0;
}

static long find_header(const uint8_t *img, size_t len)
{
    for (size_t off = 0; off + 16 <= len && off + 16 <= MB2_SEARCH_LIMIT; off += 8)
        if (header_at(img, len, off))
            return (long)off;
    return -1;
}

int mb2_image_probe(const uint8_t *img, size_t len)
{
    return find_header(img, len) >= 0;
}

/* Boot information tag names (3.6.2 - 3.6.16), for errors. */
static const char *const info_names[] = {
    [0] = "end",
    [1] = "command line",
    [2] = "boot loader name",
    [3] = "modules",
    [4] = "basic memory information",
    [5] = "BIOS boot device",
    [6] = "memory map",
    [7] = "VBE information",
    [8] = "framebuffer information",
    [9] = "ELF symbols",
    [10] = "APM table",
    [11] = "EFI 32-bit system table pointer",
    [12] = "EFI 64-bit system table pointer",
    [13] = "SMBIOS tables",
    [14] = "ACPI old RSDP",
    [15] = "ACPI new RSDP",
    [16] = "networking information",
    [17] = "EFI memory map",
    [18] = "EFI boot services not terminated",
    [19] = "EFI 32-bit image handle pointer",
    [20] = "EFI 64-bit image handle pointer",
    [21] = "image load base address",
};

const char *mb2_info_type_name(uint32_t t)
{
    return t < sizeof(info_names) / sizeof(info_names[0]) ? info_names[t] : "unknown";
}

/* Header tag names (3.1.4 - 3.1.13), for errors. */
static const char *htag_name(uint16_t t)
{
    static const char *const names[] = {
        "end", "information request", "address", "entry address", "console flags",
        "framebuffer", "module alignment", "EFI boot services", "EFI i386 entry address",
        "EFI amd64 entry address", "relocatable",
    };
    return t < sizeof(names) / sizeof(names[0]) ? names[t] : "unknown";
}

/* "tag TYPE (NAME) at offset OFF: WHY" */
static int tag_fail(char *err, size_t errlen, uint16_t type, uint32_t off, const char *why)
{
    fmt_snprintf(err, errlen, "%s: header tag %u (%s) at offset %#x: %s", WHAT, type,
                 htag_name(type), off, why);
    return -1;
}

/* The minimum size of each header tag type (3.1.4 - 3.1.13). */
static uint32_t htag_min_size(uint16_t t)
{
    switch (t) {
    case MB2_HTAG_ADDRESS:
    case MB2_HTAG_RELOCATABLE:
        return 24;
    case MB2_HTAG_FRAMEBUFFER:
        return 20;
    case MB2_HTAG_ENTRY:
    case MB2_HTAG_CONSOLE_FLAGS:
    case MB2_HTAG_ENTRY_EFI32:
    case MB2_HTAG_ENTRY_EFI64:
        return 12;
    default:
        return 8;
    }
}

static int info_request(const uint8_t *t, uint32_t size, bool required, uint32_t off,
                        struct mb2_image *out, char *err, size_t errlen)
{
    if ((size - 8) % 4)
        return tag_fail(err, errlen, MB2_HTAG_INFO_REQUEST, off,
                        "size is not 8 plus a multiple of 4 (mbi_tag_types)");
    for (uint32_t p = 8; p < size; p += 4) {
        uint32_t type = get_le32(t + p);
        if (type < 64) {
            out->requested |= 1ull << type;
            if (required)
                out->required |= 1ull << type;
        }
        if (!required)
            continue;
        /* A required request for something we cannot give fails the boot
         * (3.1.4); the end tag type 0 asks for nothing. */
        if (type != MB2_TAG_END && (type >= 64 || !(MB2_INFO_PROVIDED >> type & 1))) {
            fmt_snprintf(err, errlen,
                         "%s: the information request tag requires the %s tag (type %u), "
                         "which monovisor does not provide", WHAT, mb2_info_type_name(type), type);
            return -1;
        }
    }
    return 0;
}

/* One header tag at off (size already checked to fit and to be at least
 * htag_min_size). */
static int header_tag(const uint8_t *t, uint16_t type, uint16_t flags, uint32_t size, uint32_t off,
                      struct mb2_image *out, struct image_addrs *addrs, char *err, size_t errlen)
{
    bool required = !(flags & MB2_HTAG_OPTIONAL);
    switch (type) {
    case MB2_HTAG_INFO_REQUEST:
        return info_request(t, size, required, off, out, err, errlen);
    case MB2_HTAG_ADDRESS:
        out->has_address = true;
        addrs->header_addr = get_le32(t + 8);
        addrs->load_addr = get_le32(t + 12);
        addrs->load_end_addr = get_le32(t + 16);
        addrs->bss_end_addr = get_le32(t + 20);
        return 0;
    case MB2_HTAG_ENTRY:
        out->has_entry = true;
        addrs->entry_addr = get_le32(t + 8);
        return 0;
    case MB2_HTAG_CONSOLE_FLAGS:
        out->console_flags = get_le32(t + 8);
        /* Bit 0: some console must be present and described in the
         * information (3.1.8); we describe none. */
        if (required && (out->console_flags & MB2_CONSOLE_REQUIRED))
            return tag_fail(err, errlen, type, off,
                            "requires a console described in the boot information "
                            "(console_flags bit 0); monovisor gives no framebuffer tag");
        return 0;
    case MB2_HTAG_FRAMEBUFFER:
        if (required)
            return tag_fail(err, errlen, type, off,
                            "requires a framebuffer, which monovisor does not provide");
        return 0;
    case MB2_HTAG_MODULE_ALIGN:
        out->module_align = true;
        return 0;
    case MB2_HTAG_EFI_BS:
        if (required)
            return tag_fail(err, errlen, type, off,
                            "requires EFI boot services, which monovisor does not provide");
        return 0;
    case MB2_HTAG_ENTRY_EFI32:
    case MB2_HTAG_ENTRY_EFI64:
        if (required)
            return tag_fail(err, errlen, type, off,
                            "requires an EFI entry; monovisor starts guests without EFI "
                            "(i386 machine state, 3.2)");
        return 0;
    case MB2_HTAG_RELOCATABLE: {
        out->relocatable = true;
        out->reloc_min = get_le32(t + 8);
        out->reloc_max = get_le32(t + 12);
        out->reloc_align = get_le32(t + 16);
        out->reloc_pref = get_le32(t + 20);
        if (out->reloc_min > out->reloc_max)
            return tag_fail(err, errlen, type, off, "min_addr above max_addr");
        if (out->reloc_align & (out->reloc_align - 1))
            return tag_fail(err, errlen, type, off, "align is not a power of two");
        if (out->reloc_pref > MB2_RELOC_HIGHEST)
            return tag_fail(err, errlen, type, off, "preference is not 0, 1 or 2");
        return 0;
    }
    default:
        if (required)
            return tag_fail(err, errlen, type, off, "unknown tag type, and not optional");
        return 0;
    }
}

int mb2_image_parse(const uint8_t *img, size_t len, struct mb2_image *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof(*out));
    long h = find_header(img, len);
    if (h < 0)
        return fail(err, errlen, "no Multiboot2 header (magic 0xE85250D6 with a valid checksum, "
                                 "8-byte aligned) in the first 32 KiB");
    uint32_t hoff = (uint32_t)h;
    uint32_t arch = get_le32(img + hoff + 4), hlen = get_le32(img + hoff + 8);
    out->header_offset = hoff;
    out->header_length = hlen;
    if (arch == MB2_ARCH_MIPS32)
        return fail(err, errlen, "architecture 4 (32-bit MIPS) is not x86; need 0 (i386)");
    if (arch != MB2_ARCH_I386)
        return fail(err, errlen, "architecture is not 0 (i386)");
    if (hlen < 24)
        return fail(err, errlen, "header_length below 24 (16 bytes of header and an end tag)");
    if (hlen > len - hoff)
        return fail(err, errlen, "header_length runs past the end of the file (truncated image?)");
    if (hlen > MB2_SEARCH_LIMIT - hoff)
        return fail(err, errlen, "header_length runs past the first 32 KiB");

    struct image_addrs addrs = { .hoff = hoff };
    const uint8_t *hdr = img + hoff;
    uint32_t off = 16;
    for (;;) {
        if (off + 8 > hlen)
            return fail(err, errlen, "no end tag within header_length (truncated header?)");
        uint16_t type = get_le16(hdr + off), flags = get_le16(hdr + off + 2);
        uint32_t size = get_le32(hdr + off + 4);
        if (size > hlen - off)
            return tag_fail(err, errlen, type, hoff + off, "size runs past header_length");
        if (size < htag_min_size(type))
            return tag_fail(err, errlen, type, hoff + off, "size too small for its fields");
        if (type == MB2_HTAG_END)
            break;
        if (header_tag(hdr + off, type, flags, size, hoff + off, out, &addrs, err, errlen))
            return -1;
        off += (size + 7) & ~7u;     /* tags start 8-byte aligned (3.1.3) */
    }

    if (out->has_address) {
        /* 3.1.5: the entry comes from the entry address tag; load_addr -1
         * loads the file from its start. */
        if (!out->has_entry)
            return fail(err, errlen, "address tag (type 2) without an entry address tag (type 3)");
        if (addrs.load_addr == 0xFFFFFFFFu) {
            if (addrs.header_addr < hoff)
                return fail(err, errlen, "header_addr below the header's offset in the file");
            addrs.load_addr = addrs.header_addr - hoff;
        }
        return image_from_addrs(len, &addrs, WHAT, &out->layout, err, errlen);
    }
    if (!image_is_elf(img, len))
        return fail(err, errlen, "not ELF and no address tag (type 2)");
    if (image_from_elf(img, len, !out->has_entry, WHAT, &out->layout, err, errlen))
        return -1;
    if (out->has_entry) {
        if (!image_contains(&out->layout, addrs.entry_addr))
            return fail(err, errlen, "entry_addr (entry address tag) outside every loadable segment");
        out->layout.entry = addrs.entry_addr;
    }
    return 0;
}

int mb2_image_place(const struct mb2_image *mi, const struct memmap *ram, uint64_t *base,
                    char *err, size_t errlen)
{
    uint64_t lo, hi;
    image_extent(&mi->layout, &lo, &hi);
    if (memmap_is_ram(ram, lo, hi - lo)) {
        *base = lo;
        return 0;
    }
    if (!mi->relocatable) {
        fmt_snprintf(err, errlen, "%s: [%#llx, %#llx) is not guest RAM (or overlaps the "
                     "hypervisor) and the image is not relocatable", WHAT,
                     (unsigned long long)lo, (unsigned long long)hi);
        return -1;
    }
    /* 3.1.13: max_addr is the highest address the image may end at. */
    uint64_t align = mi->reloc_align ? mi->reloc_align : 1;
    if (!memmap_fit(ram, mi->reloc_min, (uint64_t)mi->reloc_max, hi - lo, align,
                    mi->reloc_pref == MB2_RELOC_HIGHEST, base)) {
        fmt_snprintf(err, errlen, "%s: no %#llx-aligned room for %llu KiB of relocatable image "
                     "in guest RAM between min_addr %#x and max_addr %#x", WHAT,
                     (unsigned long long)align, (unsigned long long)((hi - lo + 1023) >> 10),
                     mi->reloc_min, mi->reloc_max);
        return -1;
    }
    return 0;
}

/* ---- boot information (3.6) ---- */

struct writer {
    uint8_t *buf;
    uint32_t cap, pos;
};

/* Bytes at the current position (only measured past the buffer's end). */
static void put(struct writer *w, const void *src, uint32_t n)
{
    if (w->buf && w->pos + n <= w->cap)
        memcpy(w->buf + w->pos, src, n);
    w->pos += n;
}

static void put32(struct writer *w, uint32_t v)
{
    put(w, &v, 4);
}

static void put64(struct writer *w, uint64_t v)
{
    put(w, &v, 8);
}

/* Starts a tag: type and a size that tag_end fills in. */
static uint32_t tag_begin(struct writer *w, uint32_t type)
{
    uint32_t at = w->pos;
    put32(w, type);
    put32(w, 0);
    return at;
}

/* Ends the tag begun at at: its size, then padding to 8 bytes (3.6.1). */
static void tag_end(struct writer *w, uint32_t at)
{
    uint32_t size = w->pos - at;
    if (w->buf && at + 8 <= w->cap)
        memcpy(w->buf + at + 4, &size, 4);
    static const uint8_t zero[8];
    put(w, zero, (8 - (w->pos & 7)) & 7);
}

static void string_tag(struct writer *w, uint32_t type, const char *s)
{
    uint32_t at = tag_begin(w, type);
    put(w, s, (uint32_t)strlen(s) + 1);
    tag_end(w, at);
}

/* 3.6.15: descriptor size and version, then EFI_MEMORY_DESCRIPTORs (UEFI
 * 2.10, 7.2; 48 bytes as firmware lays them out, version 1): the map's
 * whole pages, physical and virtual start the same (no SetVirtualAddressMap
 * is offered: the guest gets no runtime services). A part-page at either
 * end of an entry is left out, as EFI counts pages. */
#define EFI_DESC_SIZE 48
#define EFI_DESC_VERSION 1
static void efi_map_tag(struct writer *w, const struct memmap *map)
{
    uint32_t at = tag_begin(w, MB2_TAG_EFI_MMAP);
    put32(w, EFI_DESC_SIZE);
    put32(w, EFI_DESC_VERSION);
    for (unsigned i = 0; i < map->n; i++) {
        uint64_t start = (map->e[i].base + 0xFFF) & ~0xFFFull;
        uint64_t end = (map->e[i].base + map->e[i].len) & ~0xFFFull;
        if (end <= start)
            continue;
        uint32_t type;
        uint64_t attr;
        mb2_efi_descriptor(map->e[i].type, &type, &attr);
        put32(w, type);
        put32(w, 0);
        put64(w, start);
        put64(w, start);
        put64(w, (end - start) >> 12);
        put64(w, attr);
        put64(w, 0);            /* to EFI_DESC_SIZE */
    }
    tag_end(w, at);
}

uint32_t mb2_info_build(uint8_t *buf, uint32_t cap, const struct mb2_boot_desc *d)
{
    struct writer w = { buf, cap, 0 };
    put32(&w, 0);                   /* total_size, below */
    put32(&w, 0);                   /* reserved */
    string_tag(&w, MB2_TAG_CMDLINE, d->cmdline ? d->cmdline : "");
    string_tag(&w, MB2_TAG_LOADER_NAME, d->loader_name);
    for (unsigned i = 0; i < d->nmodules; i++) {
        const struct mb2_boot_module *m = &d->modules[i];
        uint32_t at = tag_begin(&w, MB2_TAG_MODULE);
        put32(&w, m->start);
        put32(&w, m->end);
        put(&w, m->cmdline, (uint32_t)strlen(m->cmdline) + 1);
        tag_end(&w, at);
    }
    uint32_t lower, upper;
    memmap_lower_upper_kib(d->map, &lower, &upper);
    uint32_t at = tag_begin(&w, MB2_TAG_BASIC_MEMINFO);
    put32(&w, lower);
    put32(&w, upper);
    tag_end(&w, at);
    /* 3.6.8: entry_size 24, entry_version 0; base, length, type, reserved. */
    at = tag_begin(&w, MB2_TAG_MMAP);
    put32(&w, 24);
    put32(&w, 0);
    for (unsigned i = 0; i < d->map->n; i++) {
        put64(&w, d->map->e[i].base);
        put64(&w, d->map->e[i].len);
        put32(&w, d->map->e[i].type);
        put32(&w, 0);
    }
    tag_end(&w, at);
    if (d->efi_map)
        efi_map_tag(&w, d->map);
    /* 3.6.12/3.6.13: the ACPI 1.0 part (20 bytes) in the old tag, the whole
     * ACPI 2.0+ RSDP in the new one. */
    if (d->rsdp) {
        at = tag_begin(&w, MB2_TAG_ACPI_OLD);
        put(&w, d->rsdp, 20);
        tag_end(&w, at);
        if (d->rsdp_len > 20) {
            at = tag_begin(&w, MB2_TAG_ACPI_NEW);
            put(&w, d->rsdp, d->rsdp_len);
            tag_end(&w, at);
        }
    }
    at = tag_begin(&w, MB2_TAG_LOAD_BASE);
    put32(&w, d->load_base);
    tag_end(&w, at);
    at = tag_begin(&w, MB2_TAG_END);
    tag_end(&w, at);
    if (buf && cap >= 4)
        memcpy(buf, &w.pos, 4);
    return w.pos;
}
