/*
 * pci.h - what monovisor reads of PCI: a function's configuration space
 * through configuration mechanism #1 (I/O ports 0xCF8/0xCFC, PCI Local
 * Bus 3.0, 3.2.2.3.2; every PC chipset has it, BIOS or UEFI) and its Base
 * Address Registers (6.2.5.1), to find a PCI 16550 card's registers for
 * serial=pci:BB:DD.F. The decoding is pure (host unit tested).
 */
#ifndef PCI_H
#define PCI_H

#include <stdbool.h>
#include <stdint.h>

#include "../kernel/x86.h"

#define PCI_VENDOR_ID   0x00
#define PCI_COMMAND     0x04    /* bit 0: I/O space, bit 1: memory space */
#define PCI_CLASS_REV   0x08    /* class code in bits 31:8 */
#define PCI_HEADER_TYPE 0x0C    /* the dword: header type in bits 22:16, multi-function bit 23 */
#define PCI_BAR0        0x10
#define PCI_BUS_NUMBERS 0x18    /* type 1: primary 7:0, secondary 15:8, subordinate 23:16 */
#define PCI_CMD_IO      (1u << 0)
#define PCI_CMD_MEMORY  (1u << 1)

/* pci_cfg_read32 / pci_cfg_write16 - the register at off (aligned to its
 * size) of function bdf (bus << 8 | device << 3 | function). A function
 * that is not there reads all ones. */
static inline uint32_t pci_cfg_read32(unsigned bdf, unsigned off)
{
    outl(0xCF8, 0x80000000u | bdf << 8 | (off & 0xFC));
    return inl(0xCFC);
}

static inline void pci_cfg_write16(unsigned bdf, unsigned off, uint16_t val)
{
    outl(0xCF8, 0x80000000u | bdf << 8 | (off & 0xFC));
    outw((uint16_t)(0xCFC + (off & 2)), val);
}

/* pci_cfg_target - what a configuration-data access at port (0xCFC-0xCFF)
 * reaches under the configuration address cf8 (mechanism #1: bit 31
 * enable, bus 23:16, device 15:11, function 10:8, register 7:2): the
 * function (bus << 8 | device << 3 | function) in *bdf and the register's
 * byte in *reg. false when the enable bit is clear (plain I/O then). */
bool pci_cfg_target(uint32_t cf8, uint16_t port, unsigned *bdf, unsigned *reg);

/* pci_ecam_page - the 4 KiB of function bdf in an ECAM window at base
 * whose first bus is bus_first (PCI Express 3.0, 7.2.2); 0 when bdf's bus
 * is outside [bus_first, bus_last]. */
uint64_t pci_ecam_page(uint64_t base, uint8_t bus_first, uint8_t bus_last, unsigned bdf);

/*
 * pci_upstream_bridges - the PCI-to-PCI bridges between the host bridge
 * and bus, from the root down: on each bus from 0, the function with a
 * type 1 header (PCI Local Bus 3.0, 6.1; PCI-to-PCI Bridge 1.2, 3.2.5)
 * whose secondary..subordinate range holds bus; the walk goes on at its
 * secondary bus until that is bus. read(bdf, off) is a configuration dword
 * (all ones where no function answers). At most max in out; returns how
 * many, or -1 when bus is not reached (no such bridge, a loop, more than
 * max levels).
 */
int pci_upstream_bridges(unsigned bus, uint32_t (*read)(unsigned bdf, unsigned off), unsigned *out,
                         unsigned max);

/* One BAR, decoded. */
struct pci_bar {
    enum { PCI_BAR_NONE, PCI_BAR_IO, PCI_BAR_MEM } space;
    uint64_t base;
    bool is64;              /* a 64-bit memory BAR: it takes the next BAR's slot too */
};

/*
 * pci_bar_decode - a BAR's value (lo) and, for a 64-bit memory BAR, the
 * next one's (hi): bit 0 set is I/O space (base in bits 31:2), else memory
 * (type in bits 2:1: 0 32-bit, 2 64-bit; base in bits 31:4). A base of 0
 * (unassigned by firmware) or a reserved type is PCI_BAR_NONE.
 */
struct pci_bar pci_bar_decode(uint32_t lo, uint32_t hi);

#endif
