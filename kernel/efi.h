/*
 * efi.h - what monovisor reads of UEFI after boot services ended (pure;
 * host unit tested and fuzzed): the configuration table of the EFI system
 * table, which is where firmware lists the ACPI RSDP (UEFI 2.10, 4.3 and
 * 4.6). A UEFI machine has no RSDP in the legacy BIOS area, where Linux
 * looks when the boot protocol does not name one.
 */
#ifndef EFI_H
#define EFI_H

#include <stddef.h>
#include <stdint.h>

#include "../drivers/acpi_tables.h"

#define EFI_SYSTEM_TABLE_SIGNATURE 0x5453595320494249ull   /* "IBI SYST" */
#define EFI_MAX_CONFIG_TABLES 1024      /* more is not a system table */

/*
 * efi_find_rsdp - the physical address of the ACPI RSDP the EFI system
 * table at system_table lists: the ACPI 2.0 GUID's entry (an RSDP of
 * revision 2 or later, XSDT), else the ACPI 1.0 one; checked as an RSDP
 * (signature, checksums, length). map reads physical memory. 0 with the
 * reason in err (errlen bytes) when there is none.
 */
uint64_t efi_find_rsdp(uint64_t system_table, acpi_map_fn map, void *ctx, char *err, size_t errlen);

#endif
