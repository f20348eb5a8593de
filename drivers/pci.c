/*
 * pci.c - PCI BAR decoding; see pci.h.
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
