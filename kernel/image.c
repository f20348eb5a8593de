/*
 * image.c - guest kernel image layouts; see image.h.
 */
#include "image.h"

#include "fmt.h"
#include "kstring.h"

int image_fail(char *err, size_t errlen, const char *what, const char *why)
{
    fmt_snprintf(err, errlen, "%s: %s", what, why);
    return -1;
}

static int add_segment(struct image_layout *out, uint64_t dest, uint64_t off, uint64_t filesz,
                       uint64_t memsz, size_t len, const char *what, char *err, size_t errlen)
{
    if (memsz == 0)
        return 0;
    if (filesz > memsz)
        return image_fail(err, errlen, what, "segment file size exceeds its memory size");
    if (off > len || filesz > len - off)
        return image_fail(err, errlen, what,
                          "segment extends past the end of the file (truncated image?)");
    if (dest + memsz < dest || dest + memsz > (1ull << 32))
        return image_fail(err, errlen, what, "segment does not fit below 4 GiB");
    if (out->nseg == IMAGE_MAX_SEGMENTS)
        return image_fail(err, errlen, what, "too many loadable segments");
    out->seg[out->nseg++] = (struct image_segment){ dest, off, filesz, memsz };
    return 0;
}

bool image_is_elf(const uint8_t *img, size_t len)
{
    return len >= 52 && !memcmp(img, "\177ELF", 4);
}

bool image_contains(const struct image_layout *l, uint64_t addr)
{
    for (unsigned i = 0; i < l->nseg; i++)
        if (addr >= l->seg[i].dest && addr - l->seg[i].dest < l->seg[i].memsz)
            return true;
    return false;
}

void image_extent(const struct image_layout *l, uint64_t *lo, uint64_t *hi)
{
    *lo = l->nseg ? ~0ull : 0;
    *hi = 0;
    for (unsigned i = 0; i < l->nseg; i++) {
        if (l->seg[i].dest < *lo)
            *lo = l->seg[i].dest;
        if (l->seg[i].dest + l->seg[i].memsz > *hi)
            *hi = l->seg[i].dest + l->seg[i].memsz;
    }
}

int image_from_addrs(size_t len, const struct image_addrs *a, const char *what,
                     struct image_layout *out, char *err, size_t errlen)
{
    if (a->load_addr > a->header_addr || a->header_addr - a->load_addr > a->hoff)
        return image_fail(err, errlen, what,
                          "load_addr/header_addr inconsistent with the header's position");
    uint64_t file_off = a->hoff - (a->header_addr - a->load_addr);
    if (a->load_end_addr && a->load_end_addr < a->load_addr)
        return image_fail(err, errlen, what, "load_end_addr below load_addr");
    uint64_t filesz = a->load_end_addr ? (uint64_t)a->load_end_addr - a->load_addr
                                       : len - file_off;
    uint64_t memsz = filesz;
    if (a->bss_end_addr) {
        if (a->bss_end_addr < a->load_addr + filesz)
            return image_fail(err, errlen, what, "bss_end_addr below load_end_addr");
        memsz = (uint64_t)a->bss_end_addr - a->load_addr;
    }
    if (add_segment(out, a->load_addr, file_off, filesz, memsz, len, what, err, errlen))
        return -1;
    if (!image_contains(out, a->entry_addr))
        return image_fail(err, errlen, what, "entry_addr outside the loaded image");
    out->entry = a->entry_addr;
    out->elf_class = 0;
    return 0;
}

int image_from_elf(const uint8_t *img, size_t len, bool check_entry, const char *what,
                   struct image_layout *out, char *err, size_t errlen)
{
    if (!image_is_elf(img, len))
        return image_fail(err, errlen, what, "not an ELF file");
    int cls = img[4] == 1 ? 32 : img[4] == 2 ? 64 : 0;
    if (!cls || img[5] != 1)
        return image_fail(err, errlen, what,
                          "ELF class or byte order not supported (need little-endian ELF32/64)");
    uint16_t type = get_le16(img + 16), machine = get_le16(img + 18);
    if (type != 2)
        return image_fail(err, errlen, what, "ELF file is not an executable (ET_EXEC)");
    if (machine != (cls == 32 ? 3 : 62))
        return image_fail(err, errlen, what, "ELF machine is not x86 (EM_386 / EM_X86_64)");
    uint64_t phoff, entry;
    uint16_t phentsize, phnum;
    if (cls == 32) {
        entry = get_le32(img + 24);
        phoff = get_le32(img + 28);
        phentsize = get_le16(img + 42);
        phnum = get_le16(img + 44);
    } else {
        if (len < 64)
            return image_fail(err, errlen, what, "ELF64 header truncated");
        entry = get_le64(img + 24);
        phoff = get_le64(img + 32);
        phentsize = get_le16(img + 54);
        phnum = get_le16(img + 56);
    }
    const uint64_t link_entry = entry;
    bool translated = false;
    if (phentsize < (cls == 32 ? 32 : 56) || phoff > len || (uint64_t)phnum * phentsize > len - phoff)
        return image_fail(err, errlen, what, "ELF program headers out of bounds");
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
        if (add_segment(out, paddr, off, filesz, memsz, len, what, err, errlen))
            return -1;
    }
    if (!out->nseg)
        return image_fail(err, errlen, what, "ELF has no loadable segment");
    if (check_entry && !image_contains(out, entry))
        return image_fail(err, errlen, what, "ELF entry point outside every loadable segment");
    out->entry = entry;
    out->elf_class = cls;
    return 0;
}
