/*
 * vpci.h - the PCI functions the hypervisor keeps: the console's PCI
 * 16550 card (serial=pci:) and the GDB stub's. Their configuration space,
 * and that of the bridges above them, is read-only for the guest, through
 * configuration mechanism #1 (ports 0xCF8/0xCFC, emulated once a function
 * is kept) and through the PCIe
 * ECAM window (the function's 4 KiB page read-only in the second-level
 * map): a guest that disabled the card's decoding or moved its BAR would
 * move the hypervisor's console from under it. Reads are the hardware's;
 * writes are dropped, said once and counted. The guest sees the card
 * without resources: sizing a BAR reads back its value, which Linux takes
 * for a BAR it cannot use (pci_size), and the card's ports and page are
 * kept from it anyway (kernel/vserial.h, the map's held pages).
 */
#ifndef VPCI_H
#define VPCI_H

#include <stdint.h>

#define VPCI_HELD_MAX 8     /* two cards and the bridges above them */

/* vpci_hold - keep function bdf (bus << 8 | device << 3 | function) for
 * whose (a name for the note), and every PCI-to-PCI bridge between it and
 * the host bridge (drivers/pci.h, pci_upstream_bridges): a guest that
 * turned a bridge's decoding off, moved its windows or bus numbers or
 * reset its secondary bus would take the card away as surely as the
 * card's own registers. At boot, after the guest's map is built (the
 * ECAM pages are write-protected in it) and before any vCPU. */
void vpci_hold(unsigned bdf, const char *whose);

/* Counters for `cpus`: configuration writes to a kept function dropped. */
extern uint64_t vpci_dropped;

#endif
