// covers: drivers/pci.c
/*
 * test_pci.c - PCI BAR decoding and configuration addresses (mechanism #1
 * and ECAM; drivers/pci.c), with the BARs of the
 * cards serial=pci:... meets: QEMU's pci-serial (an I/O BAR), an MMIO
 * 16550 behind a 32-bit and a 64-bit memory BAR.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "../../drivers/pci.h"

static void test_io_bar(void **state)
{
    (void)state;
    struct pci_bar b = pci_bar_decode(0xC001, 0xFFFFFFFF);
    assert_int_equal(b.space, PCI_BAR_IO);
    assert_int_equal(b.base, 0xC000);
    assert_false(b.is64);
    b = pci_bar_decode(0xC003, 0);          /* bit 1 is reserved: ignored */
    assert_int_equal(b.base, 0xC000);
    assert_int_equal(pci_bar_decode(0x1, 0).space, PCI_BAR_NONE);     /* unassigned */
}

static void test_memory_bars(void **state)
{
    (void)state;
    struct pci_bar b = pci_bar_decode(0xFEBD1008, 0xFFFFFFFF);     /* 32-bit, prefetchable */
    assert_int_equal(b.space, PCI_BAR_MEM);
    assert_int_equal(b.base, 0xFEBD1000);
    assert_false(b.is64);
    b = pci_bar_decode(0xFE00000C, 0x8);    /* 64-bit, prefetchable */
    assert_int_equal(b.space, PCI_BAR_MEM);
    assert_int_equal(b.base, 0x8FE000000ull);
    assert_true(b.is64);
    assert_int_equal(pci_bar_decode(0x0, 0).space, PCI_BAR_NONE);
    assert_int_equal(pci_bar_decode(0x4, 0).space, PCI_BAR_NONE);
    assert_int_equal(pci_bar_decode(0x4, 1).space, PCI_BAR_MEM);    /* above 4 GiB only */
    assert_int_equal(pci_bar_decode(0xFEBD1002, 0).space, PCI_BAR_NONE);   /* type 1: below 1 MiB */
    assert_int_equal(pci_bar_decode(0xFEBD1006, 0).space, PCI_BAR_NONE);   /* type 3: reserved */
}

/* Mechanism #1: the enable bit, bus/device/function, the register's
 * dword from the address and its byte from the data port. */
static void test_cfg_target(void **state)
{
    (void)state;
    unsigned bdf = 0, reg = 0;
    assert_false(pci_cfg_target(0x00002810u, 0xCFC, &bdf, &reg));      /* enable clear */
    assert_true(pci_cfg_target(0x80002810u, 0xCFC, &bdf, &reg));
    assert_int_equal(bdf, 0x28);                                        /* 00:05.0 */
    assert_int_equal(reg, 0x10);
    assert_true(pci_cfg_target(0x80FFFF07u, 0xCFE, &bdf, &reg));        /* ff:1f.7, bits 1:0 ignored */
    assert_int_equal(bdf, 0xFFFF);
    assert_int_equal(reg, 0x06);
    assert_true(pci_cfg_target(0x8F012345u, 0xCFF, &bdf, &reg));        /* reserved 30:24 ignored */
    assert_int_equal(bdf, 0x0123);
    assert_int_equal(reg, 0x47);
}

/* ECAM: 4 KiB per function from the window's first bus; outside it, 0. */
static void test_ecam_page(void **state)
{
    (void)state;
    assert_int_equal(pci_ecam_page(0xB0000000ull, 0, 255, 0x28), 0xB0028000ull);
    assert_int_equal(pci_ecam_page(0xB0000000ull, 0, 255, 0x0100), 0xB0100000ull);
    assert_int_equal(pci_ecam_page(0xE0000000ull, 2, 3, 0x0208), 0xE0008000ull);
    assert_int_equal(pci_ecam_page(0xE0000000ull, 2, 3, 0x0108), 0);
    assert_int_equal(pci_ecam_page(0xE0000000ull, 2, 3, 0x0408), 0);
    assert_int_equal(pci_ecam_page(0, 0, 255, 0x28), 0);
}

/* A machine's configuration space for pci_upstream_bridges: functions
 * with their header type dword and bus numbers; the rest reads all ones. */
struct fn {
    unsigned bdf;
    uint8_t header;         /* header type byte: bit 7 multi-function, 6:0 layout */
    uint8_t sec, sub;       /* type 1 */
};
static const struct fn *machine;
static unsigned machine_n, reads;

static uint32_t fake_read(unsigned bdf, unsigned off)
{
    reads++;
    for (unsigned i = 0; i < machine_n; i++) {
        const struct fn *f = &machine[i];
        if (f->bdf != bdf)
            continue;
        switch (off) {
        case PCI_VENDOR_ID:   return 0x00011B36;
        case PCI_HEADER_TYPE: return (uint32_t)f->header << 16;
        case PCI_BUS_NUMBERS: return (uint32_t)f->sub << 16 | (uint32_t)f->sec << 8 | (bdf >> 8);
        default:              return 0;
        }
    }
    return 0xFFFFFFFFu;
}

static void use(const struct fn *m, unsigned n)
{
    machine = m;
    machine_n = n;
    reads = 0;
}

#define BDF(b, d, f) ((b) << 8 | (d) << 3 | (f))

/* QEMU's pc with a pci-bridge at 00:06.0 (bus 1) and, in a multi-function
 * slot 1c, an endpoint at function 0 and a bridge at function 1 to bus 2,
 * behind which 02:00.0 bridges to bus 3 (as a PCIe switch's ports do). */
static const struct fn tree[] = {
    { BDF(0, 0, 0), 0x00, 0, 0 },
    { BDF(0, 6, 0), 0x01, 1, 1 },
    { BDF(0, 0x1c, 0), 0x80, 0, 0 },
    { BDF(0, 0x1c, 1), 0x81, 2, 5 },
    { BDF(2, 0, 0), 0x01, 3, 3 },
    { BDF(3, 0, 0), 0x00, 0, 0 },
};

static void test_upstream_bridges(void **state)
{
    (void)state;
    unsigned out[4];
    use(tree, sizeof(tree) / sizeof(tree[0]));
    assert_int_equal(pci_upstream_bridges(0, fake_read, out, 4), 0);
    assert_int_equal(reads, 0);
    assert_int_equal(pci_upstream_bridges(1, fake_read, out, 4), 1);
    assert_int_equal(out[0], BDF(0, 6, 0));
    assert_int_equal(pci_upstream_bridges(3, fake_read, out, 4), 2);
    assert_int_equal(out[0], BDF(0, 0x1c, 1));
    assert_int_equal(out[1], BDF(2, 0, 0));
    /* Bus 4 is inside 00:1c.1's range, but no bridge on bus 2 leads there. */
    assert_int_equal(pci_upstream_bridges(4, fake_read, out, 4), -1);
    assert_int_equal(pci_upstream_bridges(9, fake_read, out, 4), -1);
    /* Too deep for out. */
    assert_int_equal(pci_upstream_bridges(3, fake_read, out, 1), -1);
}

/* A function 1-7 of a device whose function 0 is single-function is not
 * looked at (some chipsets alias function 0 there), and a bridge whose
 * secondary bus is not above its own (a loop) leads nowhere. */
static void test_upstream_bridges_skips_aliases_and_loops(void **state)
{
    (void)state;
    static const struct fn m[] = {
        { BDF(0, 3, 0), 0x00, 0, 0 },
        { BDF(0, 3, 2), 0x01, 1, 1 },       /* not multi-function: never seen */
        { BDF(0, 4, 0), 0x01, 0, 7 },       /* secondary 0 on bus 0: a loop */
    };
    unsigned out[4];
    use(m, 3);
    assert_int_equal(pci_upstream_bridges(1, fake_read, out, 4), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_io_bar),
        cmocka_unit_test(test_memory_bars),
        cmocka_unit_test(test_cfg_target),
        cmocka_unit_test(test_ecam_page),
        cmocka_unit_test(test_upstream_bridges),
        cmocka_unit_test(test_upstream_bridges_skips_aliases_and_loops),
    };
    return cmocka_run_group_tests(tests, 0, 0);
}
