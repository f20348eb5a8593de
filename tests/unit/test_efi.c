// covers: kernel/efi.c drivers/acpi_tables.c kernel/fmt.c kernel/kstring.c
/*
 * test_efi.c - host unit tests of the EFI system table's configuration
 * table walk (kernel/efi.c) on a fake physical memory: a system table,
 * its configuration table and RSDPs as OVMF lays them out.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "../../kernel/efi.h"

#define MEM_BASE 0x7F000000ull
static uint8_t mem[0x4000];

static const void *map(void *ctx, uint64_t phys, size_t len)
{
    (void)ctx;
    if (phys < MEM_BASE || phys - MEM_BASE > sizeof(mem) || len > sizeof(mem) - (phys - MEM_BASE))
        return 0;
    return mem + (phys - MEM_BASE);
}

static void w32(uint64_t pa, uint32_t v) { memcpy(mem + (pa - MEM_BASE), &v, 4); }
static void w64(uint64_t pa, uint64_t v) { memcpy(mem + (pa - MEM_BASE), &v, 8); }

static const uint8_t acpi20[16] = { 0x71, 0xe8, 0x68, 0x88, 0xf1, 0xe4, 0xd3, 0x11,
                                    0xbc, 0x22, 0x00, 0x80, 0xc7, 0x3c, 0x88, 0x81 };
static const uint8_t acpi10[16] = { 0x30, 0x2d, 0x9d, 0xeb, 0x88, 0x2d, 0xd3, 0x11,
                                    0x9a, 0x16, 0x00, 0x90, 0x27, 0x3f, 0xc1, 0x4d };
static const uint8_t smbios[16] = { 0x31, 0x2d, 0x9d, 0xeb, 0x88, 0x2d, 0xd3, 0x11,
                                    0x9a, 0x16, 0x00, 0x90, 0x27, 0x3f, 0xc1, 0x4d };

#define ST   (MEM_BASE + 0x100)
#define CT   (MEM_BASE + 0x800)
#define RSDP2 (MEM_BASE + 0x1000)
#define RSDP1 (MEM_BASE + 0x1100)

static void fix_sum(uint64_t pa, size_t len, size_t at)
{
    uint8_t *p = mem + (pa - MEM_BASE), s = 0;
    p[at] = 0;
    for (size_t i = 0; i < len; i++)
        s = (uint8_t)(s + p[i]);
    p[at] = (uint8_t)-s;
}

static void put_rsdp(uint64_t pa, uint8_t revision)
{
    uint8_t *p = mem + (pa - MEM_BASE);
    memcpy(p, "RSD PTR ", 8);
    memcpy(p + 9, "OVMF  ", 6);
    p[15] = revision;
    w32(pa + 16, 0x7FB7D000);
    fix_sum(pa, 20, 8);
    if (revision >= 2) {
        w32(pa + 20, 36);
        w64(pa + 24, 0x7FB7D0E8);
        fix_sum(pa, 36, 32);
    }
}

static void put_entry(unsigned i, const uint8_t guid[16], uint64_t table)
{
    memcpy(mem + (CT - MEM_BASE) + i * 24, guid, 16);
    w64(CT + i * 24 + 16, table);
}

/* OVMF's order: SMBIOS and others first, ACPI 1.0 and 2.0 later. */
static void setup(unsigned n)
{
    memset(mem, 0, sizeof(mem));
    w64(ST, EFI_SYSTEM_TABLE_SIGNATURE);
    w32(ST + 8, (2u << 16) | 70);       /* revision 2.70 */
    w32(ST + 12, 120);
    w64(ST + 104, n);
    w64(ST + 112, CT);
    put_rsdp(RSDP2, 2);
    put_rsdp(RSDP1, 0);
}

static uint64_t find(char *err)
{
    return efi_find_rsdp(ST, map, 0, err, 96);
}

static void test_acpi20_preferred(void **state)
{
    (void)state;
    char err[96] = "";
    setup(3);
    put_entry(0, smbios, MEM_BASE + 0x2000);
    put_entry(1, acpi10, RSDP1);
    put_entry(2, acpi20, RSDP2);
    assert_int_equal(find(err), RSDP2);
}

static void test_acpi10_alone_or_when_20_is_bad(void **state)
{
    (void)state;
    char err[96] = "";
    setup(1);
    put_entry(0, acpi10, RSDP1);
    assert_int_equal(find(err), RSDP1);
    setup(2);
    put_entry(0, acpi20, RSDP2);
    put_entry(1, acpi10, RSDP1);
    mem[RSDP2 - MEM_BASE + 30] ^= 1;    /* extended checksum broken */
    assert_int_equal(find(err), RSDP1);
}

static void test_errors_are_named(void **state)
{
    (void)state;
    char err[96];
    setup(0);
    assert_int_equal(find(err), 0);
    assert_string_equal(err, "efi: no ACPI table in the configuration table (at 0x7f000800)");
    setup(1);
    put_entry(0, smbios, MEM_BASE + 0x2000);
    assert_int_equal(find(err), 0);
    assert_string_equal(err, "efi: no ACPI table in the configuration table (at 0x7f000800)");
    setup(1);
    w64(ST, 0x1234);
    assert_int_equal(find(err), 0);
    assert_string_equal(err, "efi: not an EFI system table (signature or header size) (at 0x7f000100)");
    setup(1);
    w32(ST + 12, 100);
    assert_int_equal(find(err), 0);
    assert_string_equal(err, "efi: not an EFI system table (signature or header size) (at 0x7f000100)");
    assert_int_equal(efi_find_rsdp(0, map, 0, err, sizeof(err)), 0);
    assert_string_equal(err, "efi: system table not readable (at 0)");
    assert_int_equal(efi_find_rsdp(0x1000, map, 0, err, sizeof(err)), 0);
    assert_string_equal(err, "efi: system table not readable (at 0x1000)");
    setup(EFI_MAX_CONFIG_TABLES + 1);
    assert_int_equal(find(err), 0);
    assert_string_equal(err, "efi: configuration table too long (at 0x7f000100)");
    setup(1000);        /* 24000 bytes: past the memory */
    assert_int_equal(find(err), 0);
    assert_string_equal(err, "efi: configuration table not readable (at 0x7f000800)");
    setup(1);
    put_entry(0, acpi20, RSDP2 + 0x10);     /* no RSDP there */
    assert_int_equal(find(err), 0);
    assert_string_equal(err, "efi: RSDP signature or checksum wrong (at 0x7f001010)");
    setup(1);
    put_entry(0, acpi20, RSDP1);            /* a revision 0 RSDP under the 2.0 GUID */
    assert_int_equal(find(err), 0);
    assert_string_equal(err, "efi: ACPI 2.0 entry holds a revision 0 RSDP (at 0x7f001100)");
    setup(1);
    put_entry(0, acpi20, 0);
    assert_int_equal(find(err), 0);
    assert_string_equal(err, "efi: no ACPI table in the configuration table (at 0x7f000800)");
    setup(1);
    put_entry(0, acpi20, MEM_BASE + sizeof(mem) - 24);      /* 36 bytes do not fit */
    memcpy(mem + sizeof(mem) - 24, mem + (RSDP2 - MEM_BASE), 24);
    assert_int_equal(find(err), 0);
    assert_string_equal(err, "efi: RSDP extended checksum or length wrong (at 0x7f003fe8)");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_acpi20_preferred),
        cmocka_unit_test(test_acpi10_alone_or_when_20_is_bad),
        cmocka_unit_test(test_errors_are_named),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
