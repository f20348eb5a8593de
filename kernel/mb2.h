/*
 * mb2.h - Multiboot2 boot information parser (pure: compiled into the host
 * unit tests). Multiboot2 specification 1.0, section 3.6 "Boot information".
 */
#ifndef MB2_H
#define MB2_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MB2_BOOTLOADER_MAGIC 0x36D76289u

/* Tag types (spec 3.6.x). */
#define MB2_TAG_END           0
#define MB2_TAG_CMDLINE       1
#define MB2_TAG_LOADER_NAME   2
#define MB2_TAG_MODULE        3
#define MB2_TAG_BASIC_MEMINFO 4
#define MB2_TAG_BOOTDEV       5
#define MB2_TAG_MMAP          6
#define MB2_TAG_FRAMEBUFFER   8
#define MB2_TAG_ACPI_OLD      14
#define MB2_TAG_ACPI_NEW      15
#define MB2_TAG_LOAD_BASE     21

/* Memory map entry types (spec 3.6.8), the same numbers as e820. */
#define MB2_MEM_AVAILABLE     1
#define MB2_MEM_RESERVED      2
#define MB2_MEM_ACPI          3
#define MB2_MEM_NVS           4
#define MB2_MEM_BADRAM        5

#define MB2_MAX_MMAP    128
#define MB2_MAX_MODULES 8

struct mb2_mmap_entry {
    uint64_t base;
    uint64_t len;
    uint32_t type;
};

struct mb2_module {
    uint64_t start;     /* physical, inclusive */
    uint64_t end;       /* physical, exclusive */
    const char *cmdline;
};

struct mb2_info {
    uint32_t total_size;
    const char *cmdline;        /* NULL when the loader gave none */
    const char *loader_name;    /* NULL when absent */
    struct mb2_mmap_entry mmap[MB2_MAX_MMAP];
    unsigned mmap_count;
    bool mmap_truncated;        /* more entries than MB2_MAX_MMAP */
    struct mb2_module modules[MB2_MAX_MODULES];
    unsigned module_count;
    bool modules_truncated;
    const void *rsdp;           /* copy of the RSDP inside the tag, or NULL */
    uint32_t rsdp_len;
    int acpi_version;           /* 1: old RSDP tag, 2: new (XSDT) tag, 0: none */
    bool has_load_base;
    uint64_t load_base;
    uint32_t mem_lower_kib, mem_upper_kib;
    bool has_basic_meminfo;
};

/*
 * mb2_parse - parse the boot information at mbi (8-byte aligned, as the
 * loader leaves it). Every tag is bounds-checked against total_size; the
 * modules' addresses are taken as given. Unknown tags are skipped.
 * Returns 0, or -1 with a reason in err (errlen bytes).
 */
int mb2_parse(const void *mbi, struct mb2_info *out, char *err, size_t errlen);

/* mb2_mem_type_name - "available", "reserved", "acpi", "nvs", "badram", "type?". */
const char *mb2_mem_type_name(uint32_t type);

#endif
