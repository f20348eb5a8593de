// covers: drivers/pci.c
/*
 * test_pci.c - PCI BAR decoding (drivers/pci.c), with the BARs of the
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_io_bar),
        cmocka_unit_test(test_memory_bars),
    };
    return cmocka_run_group_tests(tests, 0, 0);
}
