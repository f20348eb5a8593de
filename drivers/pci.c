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

/* The bridge on bus whose range holds target, or -1. Functions 1-7 only
 * where function 0 says it has them (header type bit 7, 6.2.1). */
static int bridge_toward(unsigned bus, unsigned target, uint32_t (*read)(unsigned, unsigned))
{
    for (unsigned dev = 0; dev < 32; dev++) {
        for (unsigned fn = 0; fn < 8; fn++) {
            unsigned bdf = bus << 8 | dev << 3 | fn;
            if ((read(bdf, PCI_VENDOR_ID) & 0xFFFF) == 0xFFFF) {
                if (fn == 0)
                    break;
                continue;
            }
            uint32_t hdr = read(bdf, PCI_HEADER_TYPE) >> 16;
            if ((hdr & 0x7F) == 1) {
                uint32_t nums = read(bdf, PCI_BUS_NUMBERS);
                unsigned sec = (nums >> 8) & 0xFF, sub = (nums >> 16) & 0xFF;
                if (sec > bus && sec <= target && target <= sub)
                    return (int)bdf;
            }
            if (fn == 0 && !(hdr & 0x80))
                break;
        }
    }
    return -1;
}

int pci_upstream_bridges(unsigned bus, uint32_t (*read)(unsigned bdf, unsigned off), unsigned *out,
                         unsigned max)
{
    unsigned n = 0, at = 0;
    while (at != bus) {
        /* A secondary bus is above its bridge's (sec > at): the walk ends. */
        int b = bridge_toward(at, bus, read);
        if (b < 0 || n == max)
            return -1;
        out[n++] = (unsigned)b;
        at = (read((unsigned)b, PCI_BUS_NUMBERS) >> 8) & 0xFF;
    }
    return (int)n;
}

uint64_t pci_ecam_page(uint64_t base, uint8_t bus_first, uint8_t bus_last, unsigned bdf)
{
    unsigned bus = (bdf >> 8) & 0xFF;
    if (!base || bus < bus_first || bus > bus_last)
        return 0;
    return base + ((uint64_t)(bdf - bus_first * 256u) << 12);
}
