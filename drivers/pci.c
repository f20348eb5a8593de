/*
 * pci.c - PCI BAR decoding and configuration addresses; see pci.h.
 */
#include "pci.h"

struct pci_bar pci_bar_decode(uint32_t lo, uint32_t hi)
{
    struct pci_bar b = { PCI_BAR_NONE, 0, false };
    if (lo & 1) {
        b.base = lo & ~3u;
        b.space = b.base ? PCI_BAR_IO : PCI_BAR_NONE;
        return b;
    }
    unsigned type = (lo >> 1) & 3;
    if (type == 1 || type == 3)
        return b;                   /* below 1 MiB (PCI 2.x) and reserved: not handled */
    b.is64 = type == 2;
    b.base = (lo & ~0xFull) | (b.is64 ? (uint64_t)hi << 32 : 0);
    b.space = b.base ? PCI_BAR_MEM : PCI_BAR_NONE;
    return b;
}

bool pci_cfg_target(uint32_t cf8, uint16_t port, unsigned *bdf, unsigned *reg)
{
    if (!(cf8 & 0x80000000u))
        return false;
    *bdf = (cf8 >> 8) & 0xFFFF;
    *reg = (cf8 & 0xFC) | (port & 3);
    return true;
}

uint64_t pci_ecam_page(uint64_t base, uint8_t bus_first, uint8_t bus_last, unsigned bdf)
{
    unsigned bus = (bdf >> 8) & 0xFF;
    if (!base || bus < bus_first || bus > bus_last)
        return 0;
    return base + ((uint64_t)(bdf - bus_first * 256u) << 12);
}
