/*
 * vpci.c - configuration space of the PCI functions the hypervisor keeps;
 * see vpci.h. Mechanism #1 (PCI Local Bus 3.0, 3.2.2.3.2) is one address
 * latch for the whole machine, so the guest gets one too: its dword
 * writes to 0xCF8 stay here, and each access to 0xCFC-0xCFF sets the
 * chipset's latch to the guest's and does the access, under a lock (two
 * vCPUs must not interleave latch and data). Byte and word accesses to
 * 0xCF8 are no configuration address (0xCF9 is the reset register,
 * kernel/platform.c's): they go to the hardware.
 */
#include "vpci.h"

#include <stdbool.h>

#include "fmt.h"
#include "iobus.h"
#include "insn_decode.h"
#include "mem.h"
#include "printk.h"
#include "spinlock.h"
#include "../drivers/acpi.h"
#include "../drivers/pci.h"
#include "../ept/guest_ept.h"

#define CFG_ADDRESS 0xCF8
#define CFG_DATA    0xCFC

static unsigned held[VPCI_HELD_MAX];
static const char *held_whose[VPCI_HELD_MAX];
static unsigned held_count;
static uint32_t guest_cf8;          /* the guest's configuration address */
static struct spinlock cfg_lock;
uint64_t vpci_dropped;

static const char *kept(unsigned bdf)
{
    for (unsigned i = 0; i < held_count; i++)
        if (held[i] == bdf)
            return held_whose[i];
    return 0;
}

/* One line per function and way, the first time the guest writes. */
static void note_dropped(unsigned bdf, unsigned reg, bool ecam)
{
    static unsigned told;       /* bit 2i: mechanism #1, 2i + 1: ECAM, of held[i] */
    vpci_dropped++;
    for (unsigned i = 0; i < held_count; i++) {
        unsigned bit = 1u << (2 * i + ecam);
        if (held[i] != bdf || (told & bit))
            continue;
        told |= bit;
        kprintf("\nnote: guest: configuration write to PCI %02x:%02x.%x (register %#x, %s) "
                "dropped: the function is %s (noted once; `cpus` counts them)\n", bdf >> 8,
                bdf >> 3 & 31, bdf & 7, reg, ecam ? "ECAM" : "mechanism #1", held_whose[i]);
    }
}

static uint32_t address_in(struct vcpu *v, uint16_t port, unsigned size)
{
    (void)v;
    if (size == 4)
        return guest_cf8;
    spin_lock(&cfg_lock);
    uint32_t val = hw_in(port, size);
    spin_unlock(&cfg_lock);
    return val;
}

static enum exit_action address_out(struct vcpu *v, uint16_t port, unsigned size, uint32_t val)
{
    (void)v;
    if (size == 4) {
        guest_cf8 = val;
    } else {
        spin_lock(&cfg_lock);
        hw_out(port, size, val);
        spin_unlock(&cfg_lock);
    }
    return EXIT_RESUME;
}

static uint32_t data_in(struct vcpu *v, uint16_t port, unsigned size)
{
    (void)v;
    spin_lock(&cfg_lock);
    outl(CFG_ADDRESS, guest_cf8);
    uint32_t val = hw_in(port, size);
    spin_unlock(&cfg_lock);
    return val;
}

static enum exit_action data_out(struct vcpu *v, uint16_t port, unsigned size, uint32_t val)
{
    (void)v;
    unsigned bdf, reg;
    if (pci_cfg_target(guest_cf8, port, &bdf, &reg) && kept(bdf)) {
        note_dropped(bdf, reg, false);
        return EXIT_RESUME;
    }
    spin_lock(&cfg_lock);
    outl(CFG_ADDRESS, guest_cf8);
    hw_out(port, size, val);
    spin_unlock(&cfg_lock);
    return EXIT_RESUME;
}

/* exact: a byte at 0xCF9 is the reset register's, not ours. */
static const struct io_device address_dev = {
    .name = "pci-config-address", .wide = true, .exact = true,
    .in = address_in, .out = address_out,
};
static const struct io_device data_dev = {
    .name = "pci-config-data", .wide = true, .in = data_in, .out = data_out,
};

/* A store to a kept function's ECAM page: dropped, the instruction
 * completed (an XCHG gets what the register holds). */
static enum exit_action ecam_store(struct vcpu *v, uint64_t gpa)
{
    struct mmio_store st;
    enum exit_action a;
    if (!mmio_decode(v, gpa, "PCI configuration (ECAM)", &st, &a))
        return a;
    const struct acpi_info *ai = acpi();
    unsigned bdf = ai->ecam_bus_first * 256u + (unsigned)((gpa - ai->ecam_base) >> 12);
    note_dropped(bdf, (unsigned)(gpa & 0xFFF), true);
    uint32_t old = st.is_xchg && gpa < (1ull << 32) ? *(volatile uint32_t *)phys_ptr(gpa & ~3ull) : 0;
    mmio_store_done(v, &st, old);
    return EXIT_RESUME;
}

static const struct mmio_device ecam_dev = { .name = "pci-ecam-kept", .store = ecam_store };

static void hold_one(unsigned bdf, const char *whose)
{
    if (kept(bdf))
        return;
    if (held_count == VPCI_HELD_MAX) {
        kprintf("warning: pci: %02x:%02x.%x (%s) stays writable for the guest: more than %u "
                "functions to keep\n", bdf >> 8, bdf >> 3 & 31, bdf & 7, whose, VPCI_HELD_MAX);
        return;
    }
    if (!held_count) {
        guest_cf8 = inl(CFG_ADDRESS);
        iobus_register(CFG_ADDRESS, 1, &address_dev);
        iobus_register(CFG_DATA, 4, &data_dev);
    }
    held_whose[held_count] = whose;
    held[held_count++] = bdf;
    const struct acpi_info *ai = acpi();
    uint64_t page = pci_ecam_page(ai->ecam_base, ai->ecam_bus_first, ai->ecam_bus_last, bdf);
    if (page) {
        mmio_register(page, &ecam_dev);
        guest_ept_map_page(page, EPT_READ);     /* (its own error line if it cannot) */
    }
}

void vpci_hold(unsigned bdf, const char *whose)
{
    static char bridge_whose[2][64];
    static unsigned names;
    unsigned path[VPCI_HELD_MAX];
    int n = pci_upstream_bridges(bdf >> 8, pci_cfg_read32, path, VPCI_HELD_MAX);
    if (n < 0)
        kprintf("warning: pci: no bridge path from bus 0 to %02x:%02x.%x (%s): its bridges stay "
                "writable for the guest\n", bdf >> 8, bdf >> 3 & 31, bdf & 7, whose);
    if (n > 0) {
        char *name = bridge_whose[names < 2 ? names++ : 1];     /* (two callers: console, GDB) */
        fmt_snprintf(name, sizeof(bridge_whose[0]), "a bridge to %s", whose);
        for (int i = 0; i < n; i++)
            hold_one(path[i], name);
    }
    hold_one(bdf, whose);
}
