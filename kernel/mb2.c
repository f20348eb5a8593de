/*
 * mb2.c - Multiboot2 boot information parser; see mb2.h.
 */
#include "mb2.h"

#include "fmt.h"
#include "kstring.h"

struct mb2_tag {
    uint32_t type;
    uint32_t size;
};

static int fail(char *err, size_t errlen, const char *what, uint32_t off)
{
    fmt_snprintf(err, errlen, "multiboot2 info: %s (at offset %u)", what, off);
    return -1;
}

/* A string inside a tag must be NUL-terminated within the tag. */
static const char *tag_string(const uint8_t *start, uint32_t len)
{
    for (uint32_t i = 0; i < len; i++)
        if (start[i] == '\0')
            return (const char *)start;
    return NULL;
}

static int parse_mmap(const uint8_t *tag, uint32_t size, uint32_t off, struct mb2_info *out,
                      char *err, size_t errlen)
{
    if (size < 16)
        return fail(err, errlen, "memory map tag too short", off);
    uint32_t entry_size, entry_version;
    memcpy(&entry_size, tag + 8, 4);
    memcpy(&entry_version, tag + 12, 4);
    (void)entry_version;
    if (entry_size < 24 || entry_size % 8)
        return fail(err, errlen, "memory map entry size invalid", off);
    for (uint32_t p = 16; entry_size <= size - p; p += entry_size) {
        if (out->mmap_count == MB2_MAX_MMAP) {
            out->mmap_truncated = true;
            break;
        }
        struct mb2_mmap_entry *e = &out->mmap[out->mmap_count++];
        memcpy(&e->base, tag + p, 8);
        memcpy(&e->len, tag + p + 8, 8);
        memcpy(&e->type, tag + p + 16, 4);
    }
    return 0;
}

int mb2_parse(const void *mbi, struct mb2_info *out, char *err, size_t errlen)
{
    const uint8_t *base = mbi;
    memset(out, 0, sizeof(*out));
    if (!mbi)
        return fail(err, errlen, "no boot information", 0);
    if ((uintptr_t)mbi % 8)
        return fail(err, errlen, "not 8-byte aligned", 0);

    uint32_t total;
    memcpy(&total, base, 4);
    if (total < 16)
        return fail(err, errlen, "total size too small", 0);
    out->total_size = total;

    uint32_t off = 8;
    for (;;) {
        if (off + sizeof(struct mb2_tag) > total)
            return fail(err, errlen, "missing end tag", off);
        struct mb2_tag t;
        memcpy(&t, base + off, sizeof(t));
        if (t.size < 8 || t.size > total - off)
            return fail(err, errlen, "tag size out of bounds", off);
        const uint8_t *tag = base + off;

        switch (t.type) {
        case MB2_TAG_END:
            return 0;
        case MB2_TAG_CMDLINE:
            out->cmdline = tag_string(tag + 8, t.size - 8);
            if (!out->cmdline)
                return fail(err, errlen, "command line not terminated", off);
            break;
        case MB2_TAG_LOADER_NAME:
            out->loader_name = tag_string(tag + 8, t.size - 8);
            if (!out->loader_name)
                return fail(err, errlen, "loader name not terminated", off);
            break;
        case MB2_TAG_MODULE: {
            if (t.size < 17)
                return fail(err, errlen, "module tag too short", off);
            if (out->module_count == MB2_MAX_MODULES) {
                out->modules_truncated = true;
                break;
            }
            uint32_t s, e;
            memcpy(&s, tag + 8, 4);
            memcpy(&e, tag + 12, 4);
            if (e < s)
                return fail(err, errlen, "module ends before it starts", off);
            const char *cl = tag_string(tag + 16, t.size - 16);
            if (!cl)
                return fail(err, errlen, "module command line not terminated", off);
            out->modules[out->module_count++] = (struct mb2_module){ s, e, cl };
            break;
        }
        case MB2_TAG_BASIC_MEMINFO:
            if (t.size < 16)
                return fail(err, errlen, "basic memory info tag too short", off);
            memcpy(&out->mem_lower_kib, tag + 8, 4);
            memcpy(&out->mem_upper_kib, tag + 12, 4);
            out->has_basic_meminfo = true;
            break;
        case MB2_TAG_MMAP:
            if (parse_mmap(tag, t.size, off, out, err, errlen))
                return -1;
            break;
        case MB2_TAG_ACPI_OLD:
        case MB2_TAG_ACPI_NEW:
            /* Prefer the ACPI 2.0+ copy when the loader gives both. */
            if (t.size <= 8)
                return fail(err, errlen, "ACPI RSDP tag empty", off);
            if (t.type == MB2_TAG_ACPI_NEW || out->acpi_version == 0) {
                out->rsdp = tag + 8;
                out->rsdp_len = t.size - 8;
                out->acpi_version = t.type == MB2_TAG_ACPI_NEW ? 2 : 1;
            }
            break;
        case MB2_TAG_LOAD_BASE:
            if (t.size < 12)
                return fail(err, errlen, "load base tag too short", off);
            uint32_t lb;
            memcpy(&lb, tag + 8, 4);
            out->load_base = lb;
            out->has_load_base = true;
            break;
        default:
            break;  /* framebuffer, ELF sections, EFI, ...: not ours */
        }
        off += (t.size + 7) & ~7u;
    }
}

const char *mb2_mem_type_name(uint32_t type)
{
    switch (type) {
    case MB2_MEM_AVAILABLE: return "available";
    case MB2_MEM_RESERVED:  return "reserved";
    case MB2_MEM_ACPI:      return "acpi";
    case MB2_MEM_NVS:       return "nvs";
    case MB2_MEM_BADRAM:    return "badram";
    default:                return "type?";
    }
}
