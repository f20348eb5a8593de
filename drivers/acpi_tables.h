/*
 * acpi_tables.h - ACPI table parsing (pure; host unit tested): RSDP,
 * RSDT/XSDT, MADT (cores), FADT (power-off registers) and the \_S5 sleep
 * type in the DSDT. ACPI 6.5 specification, chapter 5.
 * drivers/acpi.c is the hardware shell that finds the tables.
 */
#ifndef ACPI_TABLES_H
#define ACPI_TABLES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ACPI_MAX_CPUS 256

/* Maps len bytes at physical address phys for reading; NULL if it cannot. */
typedef const void *(*acpi_map_fn)(void *ctx, uint64_t phys, size_t len);
/* Receives a warning about a table that was skipped. */
typedef void (*acpi_warn_fn)(void *ctx, const char *msg);

struct acpi_cpu {
    uint32_t apic_id;
    uint32_t uid;
    bool enabled;           /* MADT flags bit 0 */
    bool online_capable;    /* MADT flags bit 1: may be enabled later */
    bool x2apic;            /* from a Processor Local x2APIC entry */
};

#define ACPI_MAX_IOAPICS   8
#define ACPI_MAX_OVERRIDES 16

struct acpi_ioapic {            /* MADT I/O APIC entry (5.2.12.3) */
    uint8_t id;
    uint32_t address;
    uint32_t gsi_base;
};

struct acpi_override {          /* MADT Interrupt Source Override (5.2.12.5) */
    uint8_t bus, source;        /* bus 0 = ISA; source = ISA IRQ */
    uint32_t gsi;
    uint16_t flags;             /* MPS INTI flags: polarity 1:0, trigger 3:2 */
};

/* The Serial Port Console Redirection table (Microsoft's SPCR
 * specification, revisions 1-4; its interface types are the DBG2 table's
 * serial port subtypes): the UART firmware's own console uses. */
#define SPCR_16550          0x0000  /* full 16550 (revision 1: type 0) */
#define SPCR_16450          0x0001  /* 16550 subset (revision 1: type 1) */
#define SPCR_16550_GAS      0x0012  /* 16550 with its parameters in the GAS */
#define SPCR_SPACE_MEMORY   0       /* GAS address space ids (ACPI 6.5, 5.2.3.2) */
#define SPCR_SPACE_IO       1

struct acpi_spcr {
    bool present;                   /* a well-formed SPCR was found */
    uint8_t revision;
    uint16_t interface;             /* SPCR_* or another DBG2 subtype */
    uint8_t space;                  /* SPCR_SPACE_IO or _MEMORY (others: unsupported) */
    uint8_t width;                  /* register access in bytes: 1 or 4 */
    uint64_t address;               /* port or physical address of register 0 */
    uint32_t baud;                  /* 0: as the firmware configured it */
    uint8_t irq;                    /* the PC-AT IRQ, when interrupt type bit 0 says so */
    uint16_t pci_vendor, pci_device;    /* 0xFFFF: not a PCI device */
    uint8_t pci_bus, pci_dev, pci_fn;
    uint64_t phys;                  /* where the table is (acpi_parse) */
};

/* acpi_parse_spcr - spcr (its header's length checked) into out; -1 with
 * the reason in err for a table that is too short or names no usable
 * address. An interface type monovisor does not drive is still parsed:
 * the caller says so (acpi_spcr_is_16550). */
int acpi_parse_spcr(const void *spcr, struct acpi_spcr *out, char *err, size_t errlen);

/* acpi_spcr_retarget - make spcr name a 16550 on I/O port `port` (8-bit
 * registers a byte apart) with ISA IRQ irq and global system interrupt
 * gsi, not a PCI device, clocked at 1.8432 MHz (revision 3+) and with no
 * namespace path (revision 4+: "."), keeping its line settings (baud,
 * parity, stop bits, flow control, terminal type); the checksum made
 * right. For the guest's copy of the machine's SPCR: the UART the guest
 * has (kernel/vserial.c) rather than the console's own. -1 (nothing
 * changed) if spcr is no SPCR of at least the revision-1 length. */
int acpi_spcr_retarget(void *spcr, uint16_t port, uint8_t irq, uint32_t gsi);

/* acpi_spcr_is_16550 - the UART is a 16550 (or 16450) on I/O ports or MMIO,
 * which monovisor's UART driver knows. */
bool acpi_spcr_is_16550(const struct acpi_spcr *s);

/* The DMA-remapping units the firmware lists: Intel VT-d's in the DMAR
 * table (VT-d spec 4.1, 8.1-8.4), AMD-Vi's in the IVRS (AMD I/O
 * Virtualization Technology spec 3.x, 5.2), and the memory they must keep
 * mapped for some devices (RMRR, IVMD). */
#define ACPI_MAX_IOMMUS 8
#define ACPI_MAX_IOMMU_RESERVED 16
enum acpi_iommu_type { ACPI_IOMMU_NONE, ACPI_IOMMU_VTD, ACPI_IOMMU_AMDVI };

struct acpi_iommu_unit {
    uint64_t base;                  /* register base, physical */
    uint16_t segment;               /* PCI segment */
    uint16_t device;                /* AMD-Vi: the IOMMU's own PCI id (bus << 8 | devfn) */
    bool include_all;               /* VT-d: INCLUDE_PCI_ALL (every device not under another) */
};

struct acpi_iommu_reserved {
    uint64_t base, end;             /* [base, end), page aligned as the tables require */
    uint16_t segment;
};

struct acpi_iommu {
    enum acpi_iommu_type type;      /* NONE: no DMAR or IVRS */
    uint8_t addr_bits;              /* DMAR: host address width; IVRS: physical address size */
    bool intr_remap;                /* DMAR: INTR_REMAP flag */
    struct acpi_iommu_unit units[ACPI_MAX_IOMMUS];
    unsigned unit_count;
    struct acpi_iommu_reserved reserved[ACPI_MAX_IOMMU_RESERVED];
    unsigned reserved_count;
    bool truncated;                 /* more units or regions than the arrays hold */
};

/* acpi_parse_dmar / acpi_parse_ivrs - the table (its header's length
 * checked) into out; -1 with the reason in err for one too short, a
 * structure whose length is under its minimum or runs past the table
 * (never a loop on a zero length), or a unit without a register base. */
int acpi_parse_dmar(const void *dmar, struct acpi_iommu *out, char *err, size_t errlen);
int acpi_parse_ivrs(const void *ivrs, struct acpi_iommu *out, char *err, size_t errlen);

struct acpi_info {
    int revision;                   /* RSDP revision: 0 = ACPI 1.0 (RSDT) */
    uint64_t root_table;            /* physical address of the XSDT or RSDT */
    bool have_madt;
    uint64_t lapic_base;
    struct acpi_cpu cpus[ACPI_MAX_CPUS];
    unsigned cpu_count;
    bool cpus_truncated;
    struct acpi_ioapic ioapics[ACPI_MAX_IOAPICS];
    unsigned ioapic_count;
    struct acpi_override overrides[ACPI_MAX_OVERRIDES];
    unsigned override_count;
    bool have_fadt;
    uint64_t dsdt;
    uint32_t smi_cmd;
    uint8_t acpi_enable;
    uint16_t pm1a_cnt, pm1b_cnt;    /* I/O ports, 0 when absent */
    uint16_t pm_tmr;                /* the ACPI PM timer's I/O port (3.579545 MHz), 0: none */
    bool pm_tmr_32;                 /* its counter is 32 bits wide (FADT TMR_VAL_EXT), else 24 */
    bool have_s5;
    uint8_t slp_typa, slp_typb;     /* \_S5 package values */
    struct acpi_spcr spcr;          /* the console the firmware names, if any */
    struct acpi_iommu iommu;        /* the DMA-remapping units, if any (DMAR, else IVRS) */
    uint64_t iommu_table;           /* the physical address of that DMAR or IVRS, 0: none */
    /* PCI Express enhanced configuration (ECAM) of segment 0, from the MCFG
     * (PCI Firmware spec 3.2, 4.1.2): 4 KiB per function from ecam_base,
     * bus ecam_bus_first at its start. 0: no MCFG entry for segment 0. */
    uint64_t ecam_base;
    uint8_t ecam_bus_first, ecam_bus_last;
};

/* acpi_checksum_ok - the bytes sum to zero modulo 256 (5.2.5.3, 5.2.6). */
bool acpi_checksum_ok(const void *p, size_t len);

/*
 * acpi_parse - walk from the RSDP (a copy, as the Multiboot2 tag gives it)
 * through the XSDT (or RSDT) to the MADT, FADT and DSDT. Tables with a
 * bad signature, length or checksum are skipped with a warning. Returns 0,
 * or -1 with a reason in err when the RSDP or the root table is unusable.
 */
int acpi_parse(const void *rsdp, size_t rsdp_len, acpi_map_fn map, acpi_warn_fn warn,
               void *ctx, struct acpi_info *out, char *err, size_t errlen);

/*
 * acpi_root_drop - remove from the root table at root (the RSDT when
 * entry_size is 4, the XSDT when 8; its header's length checked) every
 * entry naming the table at drop, then fix its length and checksum, so
 * that an OS reading it finds that table no longer. Returns the entries
 * removed; 0 and nothing written for a root table too short to hold its
 * header or whose length is not whole entries.
 */
unsigned acpi_root_drop(void *root, size_t entry_size, uint64_t drop);

/* acpi_parse_madt - cores, I/O APICs and interrupt source overrides
 * from a MADT (5.2.12) into out. */
void acpi_parse_madt(const void *madt, struct acpi_info *out);

/* acpi_isa_gsi - the global system interrupt of ISA IRQ irq: an
 * Interrupt Source Override's, else irq itself (identity, 5.2.12.5). */
uint32_t acpi_isa_gsi(const struct acpi_info *a, unsigned irq);

/* acpi_ioapic_for_gsi - the I/O APIC with the highest GSI base at or
 * below gsi (the one whose inputs should hold it), or NULL. */
const struct acpi_ioapic *acpi_ioapic_for_gsi(const struct acpi_info *a, uint32_t gsi);

/* acpi_find_s5 - the SLP_TYPa/b values of the \_S5_ package in AML
 * (DSDT body). Returns false when there is none or it is malformed. */
bool acpi_find_s5(const uint8_t *aml, size_t len, uint8_t *typa, uint8_t *typb);

#endif
