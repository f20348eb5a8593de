/*
 * acpi.h - the hardware shell over acpi_tables.c: finds the tables from the
 * Multiboot2 RSDP tag, keeps what it found, powers the machine off.
 */
#ifndef ACPI_H
#define ACPI_H

#include "acpi_tables.h"

/* acpi_init - parse from the RSDP copy the loader gave (NULL: none).
 * Problems are printed as "warning: acpi: ..." lines. Returns 0 or -1. */
int acpi_init(const void *rsdp, size_t rsdp_len);

/* acpi_rsdp_from_efi - the RSDP's physical address from the EFI system
 * table (kernel/efi.h), or 0 after a warning line. */
uint64_t acpi_rsdp_from_efi(uint64_t system_table);

/* acpi_hide_table - remove the table at phys from the machine's RSDT and
 * XSDT (both, as the RSDP names them; in place, so that every way a guest
 * finds them leads to the same view). Returns the entries removed. */
unsigned acpi_hide_table(const void *rsdp, size_t rsdp_len, uint64_t phys);

/* acpi_spcr_for_guest - rewrite the machine's SPCR in place to name the
 * guest's UART (acpi_spcr_retarget): a 16550 at I/O port port, ISA IRQ
 * irq, GSI gsi. 0, or -1 when there is no SPCR or it cannot be read. */
int acpi_spcr_for_guest(uint16_t port, uint8_t irq, uint32_t gsi);

/* acpi - what acpi_init found (zeroed when it failed). */
const struct acpi_info *acpi(void);

/* acpi_poweroff - enter S5 through PM1a/PM1b_CNT with the \_S5 sleep
 * type. Returns only if the machine is still running (no ACPI, or the
 * write did nothing). */
void acpi_poweroff(void);

#endif
