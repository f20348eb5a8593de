/*
 * mb1.c - Multiboot (v1) image parsing; see mb1.h.
 */
#include "mb1.h"

#include <stdbool.h>

#include "fmt.h"
#include "kstring.h"

static long find_header(const uint8_t *img, size_t len)
{
    size_t limit = len < MB1_SEARCH_LIMIT ? len : MB1_SEARCH_LIMIT;
    for (size_t off = 0; off + 12 <= limit; off += 4) {
        uint32_t magic = get_le32(img + off), flags = get_le32(img + off + 4), sum = get_le32(img + off + 8);
        if (magic == MB1_HEADER_MAGIC && (uint32_t)(magic + flags + sum) == 0)
            return (long)off;
    }
    return -1;
}

int mb1_probe(const uint8_t *img, size_t len)
{
    return find_header(img, len) >= 0;
}

static int fail(char *err, size_t errlen, const char *what)
{
    fmt_snprintf(err, errlen, "multiboot image: %s", what);
    return -1;
}

static int add_segment(struct mb1_image *out, uint64_t dest, uint64_t off, uint64_t filesz,
                       uint64_t memsz, size_t len, char *err, size_t errlen)
{
    if (memsz == 0)
        return 0;
    if (filesz > memsz)
        return fail(err, errlen, "segment file size exceeds its memory size");
    if (off > len || filesz > len - off)
        return fail(err, errlen, "segment extends past the end of the file (truncated image?)");
    if (dest + memsz < dest || dest + memsz > (1ull << 32))
        return fail(err, errlen, "segment does not fit below 4 GiB");
    if (out->nseg == MB1_MAX_SEGMENTS)
        return fail(err, errlen, "too many loadable segments");
    out->seg[out->nseg++] = (struct mb1_segment){ dest, off, filesz, memsz };
    return 0;
}

static int parse_aout(const uint8_t *img, size_t len, uint32_t hoff, struct mb1_image *out,
                      char *err, size_t errlen)
{
    if (hoff + 32 > len)
        return fail(err, errlen, "header address fields truncated");
    const uint8_t *h = img + hoff;
    uint32_t header_addr = get_le32(h + 12), load_addr = get_le32(h + 16), load_end = get_le32(h + 20);
    uint32_t bss_end = get_le32(h + 24), entry = get_le32(h + 28);
    if (load_addr > header_addr || header_addr - load_addr > hoff)
        return fail(err, errlen, "load_addr/header_addr inconsistent with the header's position");
    uint64_t file_off = hoff - (header_addr - load_addr);
    uint64_t filesz = load_end ? (uint64_t)load_end - load_addr : len - file_off;
    if (load_end && load_end < load_addr)
        return fail(err, errlen, "load_end_addr below load_addr");
    uint64_t memsz = filesz;
    if (bss_end) {
        if (bss_end < load_addr + filesz)
            return fail(err, errlen, "bss_end_addr below load_end_addr");
        memsz = (uint64_t)bss_end - load_addr;
    }
    if (add_segment(out, load_addr, file_off, filesz, memsz, len, err, errlen))
        return -1;
    if (entry < load_addr || entry >= load_addr + memsz)
        return fail(err, errlen, "entry_addr outside the loaded image");
    out->entry = entry;
    out->elf_class = 0;
    return 0;
}

static int parse_elf(const uint8_t *img, size_t len, struct mb1_image *out, char *err,
                     size_t errlen)
{
    if (len < 52 || memcmp(img, "\177ELF", 4))
        return fail(err, errlen, "not ELF and no a.out-kludge addresses (header flag 16)");
    int cls = img[4] == 1 ? 32 : img[4] == 2 ? 64 : 0;
    if (!cls || img[5] != 1)
        return fail(err, errlen, "ELF class or byte order not supported (need little-endian ELF32/64)");
    uint16_t type = get_le16(img + 16), machine = get_le16(img + 18);
    if (type != 2)
        return fail(err, errlen, "ELF file is not an executable (ET_EXEC)");
    if (machine != (cls == 32 ? 3 : 62))
        return fail(err, errlen, "ELF machine is not x86 (EM_386 / EM_X86_64)");
    uint64_t phoff, entry;
    uint16_t phentsize, phnum;
    if (cls == 32) {
        entry = get_le32(img + 24);
        phoff = get_le32(img + 28);
        phentsize = get_le16(img + 42);
        phnum = get_le16(img + 44);
    } else {
        if (len < 64)
            return fail(err, errlen, "ELF64 header truncated");
        entry = get_le64(img + 24);
        phoff = get_le64(img + 32);
        phentsize = get_le16(img + 54);
        phnum = get_le16(img + 56);
    }
    const uint64_t link_entry = entry;
    bool translated = false;
    if (phentsize < (cls == 32 ? 32 : 56) || phoff > len || (uint64_t)phnum * phentsize > len - phoff)
        return fail(err, errlen, "ELF program headers out of bounds");
    for (unsigned i = 0; i < phnum; i++) {
        const uint8_t *ph = img + phoff + (uint64_t)i * phentsize;
        if (get_le32(ph) != 1)      /* PT_LOAD */
            continue;
        uint64_t off, paddr, filesz, memsz, vaddr;
        if (cls == 32) {
            off = get_le32(ph + 4);
            vaddr = get_le32(ph + 8);
            paddr = get_le32(ph + 12);
            filesz = get_le32(ph + 16);
            memsz = get_le32(ph + 20);
        } else {
            off = get_le64(ph + 8);
            vaddr = get_le64(ph + 16);
            paddr = get_le64(ph + 24);
            filesz = get_le64(ph + 32);
            memsz = get_le64(ph + 40);
        }
        /* Multiboot loads at physical addresses; the entry is translated
         * like GRUB does: by the first segment whose virtual range holds
         * the link-time entry (never translated twice). */
        if (!translated && link_entry >= vaddr && link_entry < vaddr + memsz) {
            entry = link_entry - vaddr + paddr;
            translated = true;
        }
        if (add_segment(out, paddr, off, filesz, memsz, len, err, errlen))
            return -1;
    }
    if (!out->nseg)
        return fail(err, errlen, "ELF has no loadable segment");
    bool inside = false;
    for (unsigned i = 0; i < out->nseg; i++)
        if (entry >= out->seg[i].dest && entry < out->seg[i].dest + out->seg[i].memsz)
            inside = true;
    if (!inside)
        return fail(err, errlen, "ELF entry point outside every loadable segment");
    out->entry = entry;
    out->elf_class = cls;
    return 0;
}

int mb1_parse(const uint8_t *img, size_t len, struct mb1_image *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof(*out));
    long h = find_header(img, len);
    if (h < 0)
        return fail(err, errlen, "no Multiboot header (magic 0x1BADB002 with a valid checksum) "
                                 "in the first 8 KiB");
    out->header_offset = (uint32_t)h;
    out->flags = get_le32(img + h + 4);
    /* Bits 15:0 are requirements (3.1.2): refuse the ones we cannot meet. */
    if (out->flags & 0xFFF8 & 0xFFFF)
        return fail(err, errlen, "header requires features monovisor does not provide (flags 15:3)");
    if (out->flags & MB1_FLAG_AOUT_KLUDGE)
        return parse_aout(img, len, (uint32_t)h, out, err, errlen);
    return parse_elf(img, len, out, err, errlen);
}
