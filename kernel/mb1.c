/*
 * mb1.c - Multiboot (v1) image parsing; see mb1.h.
 */
#include "mb1.h"

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

static const char WHAT[] = "multiboot image";

static int fail(char *err, size_t errlen, const char *why)
{
    return image_fail(err, errlen, WHAT, why);
}

static int parse_aout(const uint8_t *img, size_t len, uint32_t hoff, struct mb1_image *out,
                      char *err, size_t errlen)
{
    if (hoff + 32 > len)
        return fail(err, errlen, "header address fields truncated");
    const uint8_t *h = img + hoff;
    struct image_addrs a = {
        .hoff = hoff,
        .header_addr = get_le32(h + 12),
        .load_addr = get_le32(h + 16),
        .load_end_addr = get_le32(h + 20),
        .bss_end_addr = get_le32(h + 24),
        .entry_addr = get_le32(h + 28),
    };
    return image_from_addrs(len, &a, WHAT, &out->layout, err, errlen);
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
    if (!image_is_elf(img, len))
        return fail(err, errlen, "not ELF and no a.out-kludge addresses (header flag 16)");
    return image_from_elf(img, len, true, WHAT, &out->layout, err, errlen);
}
