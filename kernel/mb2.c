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

/* EFI memory types (UEFI 2.10, 7.2, EFI_MEMORY_TYPE) and the write-back
 * attribute (EFI_MEMORY_WB, Table 7-5). */
enum {
    EFI_RESERVED, EFI_LOADER_CODE, EFI_LOADER_DATA, EFI_BS_CODE, EFI_BS_DATA, EFI_RT_CODE,
    EFI_RT_DATA, EFI_CONVENTIONAL, EFI_UNUSABLE, EFI_ACPI_RECLAIM, EFI_ACPI_NVS, EFI_MMIO,
    EFI_MMIO_PORT, EFI_PAL_CODE, EFI_PERSISTENT,
};
#define EFI_MEMORY_WB (1ull << 3)
#define EFI_PAGE_SIZE 4096ull

uint32_t mb2_efi_type(uint32_t efi_type, uint64_t attribute)
{
    switch (efi_type) {
    case EFI_LOADER_CODE:
    case EFI_LOADER_DATA:
    case EFI_BS_CODE:
    case EFI_BS_DATA:
    case EFI_CONVENTIONAL:
        return (attribute & EFI_MEMORY_WB) ? MB2_MEM_AVAILABLE : MB2_MEM_RESERVED;
    case EFI_ACPI_RECLAIM: return MB2_MEM_ACPI;
    case EFI_ACPI_NVS:     return MB2_MEM_NVS;
    case EFI_UNUSABLE:     return MB2_MEM_BADRAM;
    case EFI_PERSISTENT:   return MB2_MEM_PMEM;
    default:               return MB2_MEM_RESERVED;
    }
}

void mb2_efi_descriptor(uint32_t type, uint32_t *efi_type, uint64_t *attribute)
{
    /* UEFI 2.10, 7.2: EFI_MEMORY_UC 1, WC 2, WT 4, WB 8 (cacheability the
     * region supports). */
    *attribute = 0;
    switch (type) {
    case MB2_MEM_AVAILABLE:
        *efi_type = EFI_CONVENTIONAL;
        *attribute = 0xF;
        return;
    case MB2_MEM_ACPI:   *efi_type = EFI_ACPI_RECLAIM; *attribute = 0xF; return;
    case MB2_MEM_NVS:    *efi_type = EFI_ACPI_NVS; *attribute = 0xF; return;
    case MB2_MEM_BADRAM: *efi_type = EFI_UNUSABLE; return;
    case MB2_MEM_PMEM:   *efi_type = EFI_PERSISTENT; *attribute = 0xF; return;
    default:             *efi_type = EFI_RESERVED; return;
    }
}

/* The EFI memory map tag (Multiboot2 3.6.15): descriptor size and version,
 * then EFI_MEMORY_DESCRIPTORs (UEFI 2.10, 7.2: Type u32 at 0, PhysicalStart
 * u64 at 8, NumberOfPages u64 at 24, Attribute u64 at 32; the size may grow
 * in later versions, so the tag's size is the stride). Converted to e820
 * types, neighbours of the same type merged; it replaces a legacy map. */
static int parse_efi_mmap(const uint8_t *tag, uint32_t size, uint32_t off, struct mb2_info *out,
                          char *err, size_t errlen)
{
    if (size < 16)
        return fail(err, errlen, "EFI memory map tag too short", off);
    uint32_t desc_size;
    memcpy(&desc_size, tag + 8, 4);
    if (desc_size < 40 || desc_size % 8)
        return fail(err, errlen, "EFI memory descriptor size invalid", off);
    out->mmap_count = 0;
    out->mmap_truncated = false;
    out->mmap_source = MB2_MMAP_EFI;
    out->efi_descriptors = 0;
    for (uint32_t p = 16; desc_size <= size - p; p += desc_size) {
        uint32_t type;
        uint64_t start, pages, attr;
        memcpy(&type, tag + p, 4);
        memcpy(&start, tag + p + 8, 8);
        memcpy(&pages, tag + p + 24, 8);
        memcpy(&attr, tag + p + 32, 8);
        out->efi_descriptors++;
        if (!pages)
            continue;
        if (start % EFI_PAGE_SIZE || pages > (UINT64_MAX - start) / EFI_PAGE_SIZE)
            return fail(err, errlen, "EFI memory descriptor out of range", off + p);
        uint64_t len = pages * EFI_PAGE_SIZE;
        uint32_t t = mb2_efi_type(type, attr);
        struct mb2_mmap_entry *last = out->mmap_count ? &out->mmap[out->mmap_count - 1] : 0;
        if (last && last->type == t && last->base + last->len == start) {
            last->len += len;
            continue;
        }
        if (out->mmap_count == MB2_MAX_MMAP) {
            out->mmap_truncated = true;
            continue;
        }
        out->mmap[out->mmap_count++] = (struct mb2_mmap_entry){ start, len, t };
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
            /* The EFI map, when there is one, is the better one. */
            if (out->mmap_source == MB2_MMAP_EFI)
                break;
            if (parse_mmap(tag, t.size, off, out, err, errlen))
                return -1;
            out->mmap_source = MB2_MMAP_LEGACY;
            break;
        case MB2_TAG_EFI_MMAP:
            out->efi = true;
            if (parse_efi_mmap(tag, t.size, off, out, err, errlen))
                return -1;
            break;
        case MB2_TAG_EFI32:
            out->efi = true;
            break;
        case MB2_TAG_EFI64:
            if (t.size < 16)
                return fail(err, errlen, "EFI64 system table tag too short", off);
            memcpy(&out->efi_system_table, tag + 8, 8);
            out->efi = true;
            break;
        case MB2_TAG_EFI_BS:
            out->efi = true;
            out->efi_boot_services = true;
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
    case MB2_MEM_PMEM:      return "pmem";
    default:                return "type?";
    }
}
