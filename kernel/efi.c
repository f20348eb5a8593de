/*
 * efi.c - the EFI system table's configuration table; see efi.h.
 */
#include "efi.h"

#include "fmt.h"
#include "kstring.h"

/* EFI_SYSTEM_TABLE (UEFI 2.10, 4.3.1) on x86-64: the table header (4.2.1:
 * Signature u64, Revision u32, HeaderSize u32, CRC32, Reserved), then
 * pointers and UINTNs of 8 bytes: NumberOfTableEntries at 104 and
 * ConfigurationTable at 112. */
#define ST_HEADER_SIZE   12
#define ST_NUM_TABLES    104
#define ST_CONFIG_TABLE  112
#define ST_MIN_SIZE      120

/* EFI_CONFIGURATION_TABLE (4.6.1): EFI_GUID VendorGuid, VOID *VendorTable. */
#define CT_ENTRY_SIZE    24

/* The ACPI GUIDs of 4.6.1.1, as EFI_GUID lies in memory (Data1, Data2 and
 * Data3 little-endian, Data4 as bytes). */
static const uint8_t acpi20_guid[16] = { 0x71, 0xe8, 0x68, 0x88, 0xf1, 0xe4, 0xd3, 0x11,
                                         0xbc, 0x22, 0x00, 0x80, 0xc7, 0x3c, 0x88, 0x81 };
static const uint8_t acpi10_guid[16] = { 0x30, 0x2d, 0x9d, 0xeb, 0x88, 0x2d, 0xd3, 0x11,
                                         0x9a, 0x16, 0x00, 0x90, 0x27, 0x3f, 0xc1, 0x4d };

static uint64_t fail(char *err, size_t errlen, const char *what, uint64_t at)
{
    fmt_snprintf(err, errlen, "efi: %s (at %#llx)", what, (unsigned long long)at);
    return 0;
}

static uint32_t rd32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

static uint64_t rd64(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

/* An RSDP at pa (ACPI 6.5, 5.2.5.3): 20 bytes checked for every revision,
 * the extended 36 (or its Length) from revision 2. */
static const char *rsdp_problem(uint64_t pa, bool want_v2, acpi_map_fn map, void *ctx)
{
    const uint8_t *r = pa ? map(ctx, pa, 20) : 0;
    if (!r)
        return "RSDP not readable";
    if (memcmp(r, "RSD PTR ", 8) || !acpi_checksum_ok(r, 20))
        return "RSDP signature or checksum wrong";
    if (r[15] < 2)
        return want_v2 ? "ACPI 2.0 entry holds a revision 0 RSDP" : 0;
    const uint8_t *x = map(ctx, pa, 36);
    uint32_t len = x ? rd32(x + 20) : 0;
    if (!x || len < 36 || !(x = map(ctx, pa, len)) || !acpi_checksum_ok(x, len))
        return "RSDP extended checksum or length wrong";
    return 0;
}

uint64_t efi_find_rsdp(uint64_t system_table, acpi_map_fn map, void *ctx, char *err, size_t errlen)
{
    const uint8_t *st = system_table ? map(ctx, system_table, ST_MIN_SIZE) : 0;
    if (!st)
        return fail(err, errlen, "system table not readable", system_table);
    if (rd64(st) != EFI_SYSTEM_TABLE_SIGNATURE || rd32(st + ST_HEADER_SIZE) < ST_MIN_SIZE)
        return fail(err, errlen, "not an EFI system table (signature or header size)", system_table);
    uint64_t n = rd64(st + ST_NUM_TABLES), ct_pa = rd64(st + ST_CONFIG_TABLE);
    if (n > EFI_MAX_CONFIG_TABLES)
        return fail(err, errlen, "configuration table too long", system_table);
    const uint8_t *ct = n ? map(ctx, ct_pa, n * CT_ENTRY_SIZE) : 0;
    if (n && !ct)
        return fail(err, errlen, "configuration table not readable", ct_pa);
    uint64_t v1 = 0, v2 = 0;
    for (uint64_t i = 0; i < n; i++) {
        const uint8_t *e = ct + i * CT_ENTRY_SIZE;
        if (!v2 && !memcmp(e, acpi20_guid, 16))
            v2 = rd64(e + 16);
        else if (!v1 && !memcmp(e, acpi10_guid, 16))
            v1 = rd64(e + 16);
    }
    if (!v1 && !v2)
        return fail(err, errlen, "no ACPI table in the configuration table", ct_pa);
    const char *why = 0;
    if (v2) {
        why = rsdp_problem(v2, true, map, ctx);
        if (!why)
            return v2;
    }
    if (v1) {
        const char *why1 = rsdp_problem(v1, false, map, ctx);
        if (!why1)
            return v1;
        if (!why)
            why = why1;
    }
    return fail(err, errlen, why, v2 ? v2 : v1);
}
