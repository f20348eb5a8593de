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
#define MB2_TAG_EFI32         11  /* EFI 32-bit system table pointer */
#define MB2_TAG_EFI64         12  /* EFI 64-bit system table pointer */
#define MB2_TAG_ACPI_OLD      14
#define MB2_TAG_ACPI_NEW      15
#define MB2_TAG_EFI_MMAP      17  /* the EFI memory map (GetMemoryMap's descriptors) */
#define MB2_TAG_EFI_BS        18  /* EFI boot services not terminated */
#define MB2_TAG_LOAD_BASE     21

/* Memory map entry types (spec 3.6.8), the same numbers as e820. */
#define MB2_MEM_AVAILABLE     1
#define MB2_MEM_RESERVED      2
#define MB2_MEM_ACPI          3
#define MB2_MEM_NVS           4
#define MB2_MEM_BADRAM        5
#define MB2_MEM_PMEM          7   /* persistent memory (e820 type 7) */

#define MB2_MAX_MMAP    256
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

/* Where mmap[] came from: the EFI memory map tag when the loader gave one
 * (a UEFI machine: GRUB's legacy map is derived from it, and drops what
 * EFI says beyond the five e820 types), else the legacy memory map tag. */
enum mb2_mmap_source { MB2_MMAP_NONE, MB2_MMAP_LEGACY, MB2_MMAP_EFI };

struct mb2_info {
    uint32_t total_size;
    const char *cmdline;        /* NULL when the loader gave none */
    const char *loader_name;    /* NULL when absent */
    struct mb2_mmap_entry mmap[MB2_MAX_MMAP];
    unsigned mmap_count;
    bool mmap_truncated;        /* more entries than MB2_MAX_MMAP */
    enum mb2_mmap_source mmap_source;
    unsigned efi_descriptors;   /* in the EFI map tag (mmap[] merges neighbours) */
    bool efi;                   /* booted by UEFI firmware (an EFI tag is there) */
    uint64_t efi_system_table;  /* physical address of the EFI64 system table, or 0 */
    bool efi_boot_services;     /* boot services still running (tag 18): not supported */
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

/*
 * mb2_efi_type - the e820 type (MB2_MEM_*) of an EFI memory type (UEFI
 * 2.10, 7.2, Table 7-6 "Memory Type Usage after ExitBootServices()"): the
 * loader's and boot services' memory and conventional memory are free
 * (with the write-back attribute; without it, reserved), ACPI reclaim is
 * ACPI, ACPI NVS is NVS, unusable is bad, persistent is PMEM, and the rest
 * (reserved, runtime services, MMIO, PAL code, unknown) stays reserved.
 */
uint32_t mb2_efi_type(uint32_t efi_type, uint64_t attribute);

/*
 * mb2_efi_descriptor - the EFI memory type and attributes that describe a
 * region of e820 type (MB2_MEM_*) to a guest: RAM as conventional memory
 * (write-back capable, and UC, WC, WT as firmware reports RAM), ACPI
 * tables as reclaimable, NVS as NVS, bad RAM as unusable, persistent
 * memory as persistent, anything else reserved. mb2_efi_type maps each
 * back to type.
 */
void mb2_efi_descriptor(uint32_t type, uint32_t *efi_type, uint64_t *attribute);

/* mb2_mem_type_name - "available", "reserved", "acpi", "nvs", "badram", "pmem", "type?". */
const char *mb2_mem_type_name(uint32_t type);

#endif
