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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_io_bar),
        cmocka_unit_test(test_memory_bars),
        cmocka_unit_test(test_cfg_target),
        cmocka_unit_test(test_ecam_page),
    };
    return cmocka_run_group_tests(tests, 0, 0);
}
