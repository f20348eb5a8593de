// covers: drivers/acpi_tables.c kernel/fmt.c
/*
 * test_acpi_tables.c - host unit tests of the ACPI table parser
 * (drivers/acpi_tables.c) on synthetic tables: an RSDP copy (as the
 * Multiboot2 tag gives it) and tables placed in a fake physical memory
 * window that the map callback translates into a test buffer.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../drivers/acpi_tables.h"

/* ---- fake physical memory ------------------------------------------------ */

#define MEM_BASE 0x7fe0000ull       /* where QEMU puts its tables, below 128 MiB */
#define MEM_SIZE 0x10000u
#define MAX_WARN 16

struct fake {
    uint8_t mem[MEM_SIZE];
    size_t used;
    char warn[MAX_WARN][160];
    int nwarn;
    int maps;                       /* map calls */
};

static struct fake F;
static struct acpi_info info;

static void fake_init(void)
{
    memset(&F, 0, sizeof(F));
    memset(&info, 0x5A, sizeof(info));
    F.used = 0x100;                 /* nothing at MEM_BASE itself */
}

static const void *fake_map(void *ctx, uint64_t phys, size_t len)
{
    struct fake *f = ctx;
    f->maps++;
    if (phys < MEM_BASE || phys - MEM_BASE > MEM_SIZE || len > MEM_SIZE - (phys - MEM_BASE))
        return NULL;
    return f->mem + (phys - MEM_BASE);
}

static void fake_warn(void *ctx, const char *msg)
{
    struct fake *f = ctx;
    assert_true(f->nwarn < MAX_WARN);
    assert_true(strlen(msg) < sizeof(f->warn[0]));
    strcpy(f->warn[f->nwarn++], msg);
}

/* len zeroed bytes of fake memory, 16-byte aligned; *phys is their address. */
static uint8_t *fake_alloc(size_t len, uint64_t *phys)
{
    size_t off = (F.used + 15) & ~(size_t)15;
    assert_true(off + len <= MEM_SIZE);
    F.used = off + len;
    *phys = MEM_BASE + off;
    return F.mem + off;
}

static uint8_t *at(uint64_t phys)
{
    assert_true(phys >= MEM_BASE && phys < MEM_BASE + MEM_SIZE);
    return F.mem + (phys - MEM_BASE);
}

static void put16(uint8_t *p, uint16_t v) { memcpy(p, &v, 2); }
static void put32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
static void put64(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); }

/* Sets p[at] so that the len bytes from p sum to zero. */
static void fix_checksum(uint8_t *p, size_t len, size_t at)
{
    uint8_t sum = 0;
    p[at] = 0;
    for (size_t i = 0; i < len; i++)
        sum = (uint8_t)(sum + p[i]);
    p[at] = (uint8_t)(0x100 - sum);
}

/* fmt with one address filled in; four results can be in use at once. */
static const char *with_addr(const char *fmt, uint64_t phys)
{
    static char buf[4][160];
    static unsigned next;
    char *b = buf[next++ % 4];
    snprintf(b, sizeof(buf[0]), fmt, (unsigned long long)phys);
    return b;
}

/* ---- building tables ------------------------------------------------------- */

#define HDR 36

/* A system description table header (5.2.6) with the checksum left to finish(). */
static uint8_t *table_new(const char *sig, uint32_t len, uint64_t *phys)
{
    uint8_t *t = fake_alloc(len, phys);
    memcpy(t, sig, 4);
    put32(t + 4, len);
    t[8] = 1;                               /* revision */
    memcpy(t + 10, "BOCHS ", 6);            /* OEMID */
    memcpy(t + 16, "BXPC    ", 8);          /* OEM table ID */
    put32(t + 24, 1);                       /* OEM revision */
    memcpy(t + 28, "BXPC", 4);              /* creator ID */
    put32(t + 32, 1);                       /* creator revision */
    return t;
}

/* Recomputes the checksum over the table's own length field. */
static void table_finish(uint8_t *t)
{
    uint32_t len;
    memcpy(&len, t + 4, 4);
    fix_checksum(t, len, 9);
}

static uint64_t rsdt_new(const uint64_t *entries, unsigned n)
{
    uint64_t phys;
    uint8_t *t = table_new("RSDT", HDR + 4 * n, &phys);
    for (unsigned i = 0; i < n; i++)
        put32(t + HDR + 4 * i, (uint32_t)entries[i]);
    table_finish(t);
    return phys;
}

static uint64_t xsdt_new(const uint64_t *entries, unsigned n)
{
    uint64_t phys;
    uint8_t *t = table_new("XSDT", HDR + 8 * n, &phys);
    for (unsigned i = 0; i < n; i++)
        put64(t + HDR + 8 * i, entries[i]);
    table_finish(t);
    return phys;
}

/* RSDP (5.2.5.3) of ACPI 1.0: 20 bytes. */
static size_t rsdp_v0(uint8_t rsdp[36], uint64_t rsdt)
{
    memset(rsdp, 0, 36);
    memcpy(rsdp, "RSD PTR ", 8);
    memcpy(rsdp + 9, "BOCHS ", 6);
    rsdp[15] = 0;
    put32(rsdp + 16, (uint32_t)rsdt);
    fix_checksum(rsdp, 20, 8);
    return 20;
}

/* RSDP of ACPI 2.0+: 36 bytes with the XSDT and the extended checksum. */
static size_t rsdp_v2(uint8_t rsdp[36], uint64_t rsdt, uint64_t xsdt)
{
    memset(rsdp, 0, 36);
    memcpy(rsdp, "RSD PTR ", 8);
    memcpy(rsdp + 9, "BOCHS ", 6);
    rsdp[15] = 2;
    put32(rsdp + 16, (uint32_t)rsdt);
    put32(rsdp + 20, 36);
    put64(rsdp + 24, xsdt);
    fix_checksum(rsdp, 20, 8);
    fix_checksum(rsdp, 36, 32);
    return 36;
}

/* MADT entries (5.2.12), appended to a byte buffer. */
struct entries {
    uint8_t b[8192];
    size_t len;
};

static void ent_raw(struct entries *e, const uint8_t *p, size_t n)
{
    assert_true(e->len + n <= sizeof(e->b));
    memcpy(e->b + e->len, p, n);
    e->len += n;
}

static void ent_lapic(struct entries *e, uint8_t uid, uint8_t apic_id, uint32_t flags)
{
    uint8_t p[8] = { 0, 8, uid, apic_id };
    put32(p + 4, flags);
    ent_raw(e, p, sizeof(p));
}

static void ent_x2apic(struct entries *e, uint32_t apic_id, uint32_t flags, uint32_t uid)
{
    uint8_t p[16] = { 9, 16 };
    put32(p + 4, apic_id);
    put32(p + 8, flags);
    put32(p + 12, uid);
    ent_raw(e, p, sizeof(p));
}

static void ent_ioapic(struct entries *e, uint8_t id, uint32_t addr, uint32_t gsi_base)
{
    uint8_t p[12] = { 1, 12, id };
    put32(p + 4, addr);
    put32(p + 8, gsi_base);
    ent_raw(e, p, sizeof(p));
}

static void ent_iso(struct entries *e, uint8_t source, uint32_t gsi, uint16_t flags)
{
    uint8_t p[10] = { 2, 10, 0, source };
    put32(p + 4, gsi);
    put16(p + 8, flags);
    ent_raw(e, p, sizeof(p));
}

static void ent_lapic_override(struct entries *e, uint64_t addr)
{
    uint8_t p[12] = { 5, 12 };
    put64(p + 4, addr);
    ent_raw(e, p, sizeof(p));
}

static uint64_t madt_new(uint32_t lapic, const struct entries *e)
{
    uint64_t phys;
    uint8_t *t = table_new("APIC", (uint32_t)(44 + e->len), &phys);
    put32(t + 36, lapic);
    put32(t + 40, 1);                       /* PCAT_COMPAT */
    memcpy(t + 44, e->b, e->len);
    table_finish(t);
    return phys;
}

/* The MADT QEMU gives a 2-CPU i440fx machine. */
static uint64_t madt_qemu(void)
{
    struct entries e = { .len = 0 };
    ent_lapic(&e, 0, 0, 1);
    ent_lapic(&e, 1, 1, 1);
    ent_ioapic(&e, 0, 0xfec00000, 0);
    ent_iso(&e, 0, 2, 0);
    ent_iso(&e, 5, 5, 0xd);
    ent_iso(&e, 9, 9, 0xd);
    uint8_t nmi[6] = { 4, 6, 0xff, 0, 0, 1 };   /* Local APIC NMI */
    ent_raw(&e, nmi, sizeof(nmi));
    return madt_new(0xfee00000, &e);
}

/* FADT (5.2.9) field offsets. */
#define FADT_DSDT        40
#define FADT_SMI_CMD     48
#define FADT_ACPI_ENABLE 52
#define FADT_PM1A_CNT    64
#define FADT_PM1B_CNT    68
#define FADT_X_DSDT      140
#define FADT_X_PM1A_CNT  172
#define FADT_X_PM1B_CNT  184

/* A FADT of len bytes; the caller fills fields and calls table_finish. */
static uint8_t *fadt_new(uint32_t len, uint64_t *phys)
{
    return table_new("FACP", len, phys);
}

/* Generic address structure (5.2.3.2) at p. */
static void put_gas(uint8_t *p, uint8_t space, uint64_t addr)
{
    p[0] = space;
    p[1] = 16;
    p[2] = 0;
    p[3] = 2;
    put64(p + 4, addr);
}

static uint64_t dsdt_new(const uint8_t *aml, size_t n)
{
    uint64_t phys;
    uint8_t *t = table_new("DSDT", (uint32_t)(HDR + n), &phys);
    if (n)
        memcpy(t + HDR, aml, n);
    table_finish(t);
    return phys;
}

/*
 * Some AML before and after Name (_S5_, Package (4) { 5, 5, Zero, Zero }).
 * The method's PkgLength happens to be 0x08, the NameOp byte: the parser
 * must still skip it, as no package follows the name.
 */
static const uint8_t AML_S5[] = {
    0x08, '_', 'S', '3', '_', 0x12, 0x06, 0x04, 0x01, 0x01, 0x00, 0x00,   /* Name(_S3_, ...) */
    0x14, 0x08, '_', 'S', '5', '_', 0x00, 0xa4, 0x00,                     /* Method(_S5_) {Return(0)} */
    0x08, '_', 'S', '5', '_', 0x12, 0x08, 0x04, 0x0a, 0x05, 0x0a, 0x05, 0x00, 0x00,
    0x10, 0x06, '_', 'S', 'B', '_',                                      /* Scope(_SB_) */
};
#define AML_S5_NAME_OFFSET 21

/* A DSDT with just Name (_S5_, Package (2) { v, v }). */
static uint64_t dsdt_with_s5(uint8_t v)
{
    const uint8_t aml[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x06, 0x02, 0x0a, v, 0x0a, v };
    return dsdt_new(aml, sizeof(aml));
}

/* The FADT QEMU gives an i440fx machine (revision 1, 116 bytes). */
static uint64_t fadt_qemu(uint64_t dsdt)
{
    uint64_t phys;
    uint8_t *t = fadt_new(116, &phys);
    put32(t + FADT_DSDT, (uint32_t)dsdt);
    put32(t + FADT_SMI_CMD, 0xb2);
    t[FADT_ACPI_ENABLE] = 0xf1;
    t[FADT_ACPI_ENABLE + 1] = 0xf0;
    put32(t + 56, 0x600);                   /* PM1a_EVT_BLK */
    put32(t + FADT_PM1A_CNT, 0x604);
    put32(t + 76, 0x608);                   /* PM_TMR_BLK */
    t[91] = 4;                              /* PM_TMR_LEN */
    put32(t + 112, 0xa5);                   /* flags: TMR_VAL_EXT (bit 8) clear, a 24-bit timer */
    table_finish(t);
    return phys;
}

static int parse(const uint8_t *rsdp, size_t len, char *err, size_t errlen)
{
    return acpi_parse(rsdp, len, fake_map, fake_warn, &F, &info, err, errlen);
}

/* Parses, expects success and no warnings. */
static void parse_clean(const uint8_t *rsdp, size_t len)
{
    char err[128] = "";
    if (parse(rsdp, len, err, sizeof(err)) != 0)
        fail_msg("acpi_parse failed: %s", err);
    for (int i = 0; i < F.nwarn; i++)
        print_error("unexpected warning: %s\n", F.warn[i]);
    assert_int_equal(F.nwarn, 0);
}

/* Parses, expects failure with exactly the message want. */
static void parse_fails(const uint8_t *rsdp, size_t len, const char *want)
{
    char err[128] = "";
    assert_int_equal(parse(rsdp, len, err, sizeof(err)), -1);
    assert_string_equal(err, want);
}

/* The warnings so far are exactly want[0..n). */
static void assert_warnings(int n, ...)
{
    va_list ap;
    va_start(ap, n);
    for (int i = 0; i < n && i < F.nwarn; i++)
        assert_string_equal(F.warn[i], va_arg(ap, const char *));
    va_end(ap);
    assert_int_equal(F.nwarn, n);
}

/* A v0 RSDP whose RSDT lists the given tables; parsed cleanly. */
static void parse_rsdt_clean(const uint64_t *tables, unsigned n)
{
    uint8_t rsdp[36];
    size_t len = rsdp_v0(rsdp, rsdt_new(tables, n));
    parse_clean(rsdp, len);
}

/* Same but warnings are expected: returns the parse result. */
static int parse_rsdt(const uint64_t *tables, unsigned n)
{
    uint8_t rsdp[36];
    char err[128] = "";
    size_t len = rsdp_v0(rsdp, rsdt_new(tables, n));
    return parse(rsdp, len, err, sizeof(err));
}

static void assert_cpu(unsigned i, uint32_t apic_id, uint32_t uid, bool enabled,
                       bool online_capable, bool x2apic)
{
    assert_true(i < info.cpu_count);
    assert_int_equal(info.cpus[i].apic_id, apic_id);
    assert_int_equal(info.cpus[i].uid, uid);
    assert_int_equal(info.cpus[i].enabled, enabled);
    assert_int_equal(info.cpus[i].online_capable, online_capable);
    assert_int_equal(info.cpus[i].x2apic, x2apic);
}

/* ---- acpi_checksum_ok ------------------------------------------------------ */

static void test_checksum_ok(void **state)
{
    (void)state;
    uint8_t b[8] = { 0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0x00 };
    fix_checksum(b, sizeof(b), 7);
    assert_int_equal(b[7], 0x40);           /* 0x1c0 + 0x40 = 0x200 */
    assert_true(acpi_checksum_ok(b, sizeof(b)));
    b[3]++;
    assert_false(acpi_checksum_ok(b, sizeof(b)));
    b[4]--;
    assert_true(acpi_checksum_ok(b, sizeof(b)));
}

static void test_checksum_wraps_modulo_256(void **state)
{
    (void)state;
    uint8_t ff[256];
    memset(ff, 0xff, sizeof(ff));           /* 256 * 255 = 0xff00 */
    assert_true(acpi_checksum_ok(ff, 256));
    assert_false(acpi_checksum_ok(ff, 255));
    uint8_t one = 1, zero = 0;
    assert_false(acpi_checksum_ok(&one, 1));
    assert_true(acpi_checksum_ok(&zero, 1));
    assert_true(acpi_checksum_ok(&one, 0));  /* nothing sums to zero */
}

/* ---- acpi_parse: RSDP ------------------------------------------------------ */

static void test_parse_null_rsdp(void **state)
{
    (void)state;
    fake_init();
    parse_fails(NULL, 36, "acpi: no valid RSDP");
    /* The result is cleared even on failure. */
    assert_int_equal(info.cpu_count, 0);
    assert_false(info.have_madt);
    assert_int_equal(info.revision, 0);
    assert_int_equal(F.maps, 0);
}

static void test_parse_short_rsdp(void **state)
{
    (void)state;
    uint8_t rsdp[36];
    fake_init();
    rsdp_v0(rsdp, rsdt_new(NULL, 0));
    parse_fails(rsdp, 19, "acpi: no valid RSDP");
    parse_fails(rsdp, 0, "acpi: no valid RSDP");
    assert_int_equal(F.maps, 0);
}

static void test_parse_bad_rsdp_signature(void **state)
{
    (void)state;
    uint8_t rsdp[36];
    fake_init();
    size_t len = rsdp_v0(rsdp, rsdt_new(NULL, 0));
    memcpy(rsdp, "RSD PTR_", 8);
    fix_checksum(rsdp, 20, 8);
    parse_fails(rsdp, len, "acpi: no valid RSDP");
    memcpy(rsdp, "rsd ptr ", 8);
    fix_checksum(rsdp, 20, 8);
    parse_fails(rsdp, len, "acpi: no valid RSDP");
}

static void test_parse_bad_rsdp_checksum(void **state)
{
    (void)state;
    uint8_t rsdp[36];
    fake_init();
    size_t len = rsdp_v0(rsdp, rsdt_new(NULL, 0));
    rsdp[8]++;
    parse_fails(rsdp, len, "acpi: no valid RSDP");
    /* The v1 checksum covers the first 20 bytes of a v2 RSDP too. */
    len = rsdp_v2(rsdp, rsdt_new(NULL, 0), xsdt_new(NULL, 0));
    rsdp[16]++;
    fix_checksum(rsdp, 36, 32);             /* extended checksum still fine */
    parse_fails(rsdp, len, "acpi: no valid RSDP");
}

static void test_parse_error_message_truncated(void **state)
{
    (void)state;
    char err[10];
    fake_init();
    memset(err, '#', sizeof(err));
    assert_int_equal(acpi_parse(NULL, 0, fake_map, fake_warn, &F, &info, err, sizeof(err)), -1);
    assert_string_equal(err, "acpi: no ");
}

static void test_parse_empty_rsdt(void **state)
{
    (void)state;
    uint8_t rsdp[36];
    fake_init();
    uint64_t rsdt = rsdt_new(NULL, 0);
    parse_clean(rsdp, rsdp_v0(rsdp, rsdt));
    assert_int_equal(info.revision, 0);
    assert_int_equal(info.root_table, rsdt);
    assert_false(info.have_madt);
    assert_false(info.have_fadt);
    assert_false(info.have_s5);
    assert_int_equal(info.cpu_count, 0);
    assert_int_equal(info.dsdt, 0);
    assert_int_equal(info.pm1a_cnt, 0);
}

/* ---- acpi_parse: root table -------------------------------------------------- */

static void test_parse_rsdt_not_mapped(void **state)
{
    (void)state;
    uint8_t rsdp[36];
    fake_init();
    size_t len = rsdp_v0(rsdp, 0xdead000);
    parse_fails(rsdp, len, "acpi: RSDT at 0xdead000 is missing or corrupt");
    assert_warnings(1, "acpi: table at 0xdead000 is not mapped");
    assert_int_equal(info.root_table, 0xdead000);
}

static void test_parse_rsdt_bad_checksum(void **state)
{
    (void)state;
    uint8_t rsdp[36];
    fake_init();
    uint64_t rsdt = rsdt_new((uint64_t[]){ madt_qemu() }, 1);
    at(rsdt)[9] ^= 0x55;
    size_t len = rsdp_v0(rsdp, rsdt);
    parse_fails(rsdp, len, with_addr("acpi: RSDT at %#llx is missing or corrupt", rsdt));
    assert_warnings(1, with_addr("acpi: table RSDT at %#llx has a bad checksum (skipped)", rsdt));
    assert_false(info.have_madt);
}

static void test_parse_rsdt_bad_length(void **state)
{
    (void)state;
    uint8_t rsdp[36];
    fake_init();
    uint64_t rsdt = rsdt_new(NULL, 0);
    put32(at(rsdt) + 4, 35);
    table_finish(at(rsdt));
    size_t len = rsdp_v0(rsdp, rsdt);
    parse_fails(rsdp, len, "acpi: RSDT at 0x7fe0100 is missing or corrupt");
    assert_warnings(1, "acpi: table RSDT at 0x7fe0100 has bad length 35");
}

static void test_parse_rsdt_runs_past_mapping(void **state)
{
    (void)state;
    uint8_t rsdp[36];
    fake_init();
    uint64_t rsdt = rsdt_new(NULL, 0);
    put32(at(rsdt) + 4, MEM_SIZE);          /* header mapped, body is not */
    size_t len = rsdp_v0(rsdp, rsdt);
    parse_fails(rsdp, len, "acpi: RSDT at 0x7fe0100 is missing or corrupt");
}

static void test_parse_rsdt_wrong_signature(void **state)
{
    (void)state;
    uint8_t rsdp[36];
    fake_init();
    uint64_t xsdt = xsdt_new(NULL, 0);
    size_t len = rsdp_v0(rsdp, xsdt);       /* v0 RSDP pointing at an XSDT */
    parse_fails(rsdp, len, "acpi: RSDT at 0x7fe0100 is missing or corrupt");
    assert_warnings(1, "acpi: table XSDT at 0x7fe0100 is not the RSDT (skipped)");
}

static void test_parse_rsdt_lists_tables(void **state)
{
    (void)state;
    fake_init();
    uint64_t dsdt = dsdt_new(AML_S5, sizeof(AML_S5));
    uint64_t t[] = { fadt_qemu(dsdt), madt_qemu() };
    parse_rsdt_clean(t, 2);
    assert_int_equal(info.revision, 0);
    assert_true(info.have_madt);
    assert_int_equal(info.lapic_base, 0xfee00000);
    assert_int_equal(info.cpu_count, 2);
    assert_cpu(0, 0, 0, true, false, false);
    assert_cpu(1, 1, 1, true, false, false);
    assert_false(info.cpus_truncated);
    assert_true(info.have_fadt);
    assert_int_equal(info.dsdt, dsdt);
    assert_int_equal(info.smi_cmd, 0xb2);
    assert_int_equal(info.acpi_enable, 0xf1);
    assert_int_equal(info.pm1a_cnt, 0x604);
    assert_int_equal(info.pm1b_cnt, 0);
    assert_true(info.have_s5);
    assert_int_equal(info.slp_typa, 5);
    assert_int_equal(info.slp_typb, 5);
}

static void test_parse_ignores_other_tables(void **state)
{
    (void)state;
    uint64_t hpet, ssdt;
    fake_init();
    uint8_t *t = table_new("HPET", 56, &hpet);
    table_finish(t);
    t = table_new("SSDT", 40, &ssdt);
    put32(t + 4, 3);                        /* garbage: never looked at */
    uint64_t tables[] = { hpet, ssdt, madt_qemu() };
    parse_rsdt_clean(tables, 3);
    assert_true(info.have_madt);
    assert_false(info.have_fadt);
    assert_int_equal(info.cpu_count, 2);
}

static void test_parse_unmapped_entry_warns_and_continues(void **state)
{
    (void)state;
    fake_init();
    uint64_t tables[] = { 0, 0xfee00000, madt_qemu() };
    assert_int_equal(parse_rsdt(tables, 3), 0);
    assert_warnings(2, "acpi: table at 0 is not mapped", "acpi: table at 0xfee00000 is not mapped");
    assert_int_equal(info.cpu_count, 2);
}

static void test_parse_rsdt_trailing_partial_entry_ignored(void **state)
{
    (void)state;
    uint8_t rsdp[36];
    fake_init();
    uint64_t madt = madt_qemu();
    uint64_t rsdt = rsdt_new((uint64_t[]){ madt, madt }, 2);
    put32(at(rsdt) + 4, HDR + 4 + 3);       /* second entry cut to 3 bytes */
    table_finish(at(rsdt));
    parse_clean(rsdp, rsdp_v0(rsdp, rsdt));
    assert_int_equal(info.cpu_count, 2);     /* the MADT once */
}

/* ---- acpi_parse: RSDT or XSDT -------------------------------------------------- */

/* One MADT per root table, with 1 (RSDT) and 3 (XSDT) CPUs. */
static void two_roots(uint64_t *rsdt, uint64_t *xsdt)
{
    struct entries e1 = { .len = 0 }, e3 = { .len = 0 };
    ent_lapic(&e1, 0, 0, 1);
    ent_lapic(&e3, 0, 0, 1);
    ent_lapic(&e3, 1, 1, 1);
    ent_lapic(&e3, 2, 2, 1);
    *rsdt = rsdt_new((uint64_t[]){ madt_new(0xfee00000, &e1) }, 1);
    *xsdt = xsdt_new((uint64_t[]){ madt_new(0xfee00000, &e3) }, 1);
}

static void test_parse_prefers_xsdt(void **state)
{
    (void)state;
    uint8_t rsdp[36];
    uint64_t rsdt, xsdt;
    fake_init();
    two_roots(&rsdt, &xsdt);
    parse_clean(rsdp, rsdp_v2(rsdp, rsdt, xsdt));
    assert_int_equal(info.revision, 2);
    assert_int_equal(info.root_table, xsdt);
    assert_int_equal(info.cpu_count, 3);
}

static void test_parse_xsdt_bad_extended_checksum_uses_rsdt(void **state)
{
    (void)state;
    uint8_t rsdp[36];
    uint64_t rsdt, xsdt;
    fake_init();
    two_roots(&rsdt, &xsdt);
    size_t len = rsdp_v2(rsdp, rsdt, xsdt);
    rsdp[32]++;
    parse_clean(rsdp, len);
    assert_int_equal(info.revision, 2);
    assert_int_equal(info.root_table, rsdt);
    assert_int_equal(info.cpu_count, 1);
}

static void test_parse_xsdt_needs_whole_v2_rsdp(void **state)
{
    (void)state;
    uint8_t rsdp[36];
    uint64_t rsdt, xsdt;
    fake_init();
    two_roots(&rsdt, &xsdt);
    rsdp_v2(rsdp, rsdt, xsdt);
    /* Only the 20-byte part was copied (ACPI old tag with a v2 RSDP). */
    parse_clean(rsdp, 20);
    assert_int_equal(info.root_table, rsdt);
    parse_clean(rsdp, 35);
    assert_int_equal(info.root_table, rsdt);
}

static void test_parse_xsdt_bad_rsdp_length_uses_rsdt(void **state)
{
    (void)state;
    uint8_t rsdp[40];
    uint64_t rsdt, xsdt;
    fake_init();
    two_roots(&rsdt, &xsdt);
    /* Length field below 36. */
    rsdp_v2(rsdp, rsdt, xsdt);
    put32(rsdp + 20, 20);
    fix_checksum(rsdp, 20, 8);
    parse_clean(rsdp, 36);
    assert_int_equal(info.root_table, rsdt);
    /* Length field beyond the copy we were given. */
    rsdp_v2(rsdp, rsdt, xsdt);
    put32(rsdp + 20, 40);
    fix_checksum(rsdp, 20, 8);
    memset(rsdp + 36, 0, 4);
    fix_checksum(rsdp, 40, 32);
    parse_clean(rsdp, 36);
    assert_int_equal(info.root_table, rsdt);
    /* ... but fine when the copy is that long. */
    parse_clean(rsdp, 40);
    assert_int_equal(info.root_table, xsdt);
}

static void test_parse_xsdt_address_zero_uses_rsdt(void **state)
{
    (void)state;
    uint8_t rsdp[36];
    uint64_t rsdt, xsdt;
    fake_init();
    two_roots(&rsdt, &xsdt);
    parse_clean(rsdp, rsdp_v2(rsdp, rsdt, 0));
    assert_int_equal(info.root_table, rsdt);
    assert_int_equal(info.cpu_count, 1);
}

static void test_parse_revision_below_2_ignores_xsdt(void **state)
{
    (void)state;
    uint8_t rsdp[36];
    uint64_t rsdt, xsdt;
    fake_init();
    two_roots(&rsdt, &xsdt);
    size_t len = rsdp_v2(rsdp, rsdt, xsdt);
    rsdp[15] = 1;
    fix_checksum(rsdp, 20, 8);
    fix_checksum(rsdp, 36, 32);
    parse_clean(rsdp, len);
    assert_int_equal(info.revision, 1);
    assert_int_equal(info.root_table, rsdt);
}

static void test_parse_corrupt_xsdt_is_an_error(void **state)
{
    (void)state;
    uint8_t rsdp[36];
    uint64_t rsdt, xsdt;
    fake_init();
    two_roots(&rsdt, &xsdt);
    at(xsdt)[HDR]++;
    size_t len = rsdp_v2(rsdp, rsdt, xsdt);
    parse_fails(rsdp, len, with_addr("acpi: XSDT at %#llx is missing or corrupt", xsdt));
    assert_warnings(1, with_addr("acpi: table XSDT at %#llx has a bad checksum (skipped)", xsdt));
}

static void test_parse_xsdt_entries_are_64_bit(void **state)
{
    (void)state;
    uint8_t rsdp[36];
    fake_init();
    uint64_t madt = madt_qemu();
    uint64_t xsdt = xsdt_new((uint64_t[]){ 0x100000000ull | madt, madt }, 2);
    size_t len = rsdp_v2(rsdp, rsdt_new(NULL, 0), xsdt);
    char err[64];
    assert_int_equal(parse(rsdp, len, err, sizeof(err)), 0);
    /* The high half is not dropped: that address is not mapped. */
    assert_warnings(1, "acpi: table at 0x107fe0100 is not mapped");
    assert_int_equal(info.cpu_count, 2);
}

/* The DMAR (or IVRS) taken out of both root tables: entries shift down,
 * the length shrinks, the checksum holds, the rest of the walk is the same
 * and the table is found no more. */
static void test_root_drop_hides_a_table(void **state)
{
    (void)state;
    uint8_t rsdp[36];
    char err[64];
    fake_init();
    uint64_t madt = madt_qemu();
    uint64_t xsdt = xsdt_new((uint64_t[]){ 0x7fe0000, madt, 0x7fe0000 }, 3);
    uint64_t rsdt = rsdt_new((uint64_t[]){ 0x7fe0000, madt }, 2);
    assert_int_equal(acpi_root_drop(at(xsdt), 8, 0x7fe0000), 2);
    assert_int_equal(acpi_root_drop(at(rsdt), 4, 0x7fe0000), 1);
    assert_int_equal(*(uint32_t *)(at(xsdt) + 4), HDR + 8);
    assert_int_equal(*(uint32_t *)(at(rsdt) + 4), HDR + 4);
    assert_true(acpi_checksum_ok(at(xsdt), HDR + 8));
    assert_true(acpi_checksum_ok(at(rsdt), HDR + 4));
    assert_int_equal(*(uint64_t *)(at(xsdt) + HDR), madt);
    assert_int_equal(*(uint64_t *)(at(xsdt) + HDR + 8), 0);     /* no stale entry behind */
    size_t len = rsdp_v2(rsdp, rsdt, xsdt);
    assert_int_equal(parse(rsdp, len, err, sizeof(err)), 0);
    assert_int_equal(info.cpu_count, 2);
    /* Nothing to drop, or a root table that is not whole entries: untouched. */
    assert_int_equal(acpi_root_drop(at(xsdt), 8, 0x7fe0000), 0);
    *(uint32_t *)(at(rsdt) + 4) = HDR + 3;
    assert_int_equal(acpi_root_drop(at(rsdt), 4, madt), 0);
    *(uint32_t *)(at(rsdt) + 4) = HDR - 1;
    assert_int_equal(acpi_root_drop(at(rsdt), 4, madt), 0);
}

static void test_parse_without_warn_callback(void **state)
{
    (void)state;
    uint8_t rsdp[36];
    char err[64];
    fake_init();
    uint64_t madt = madt_qemu();
    at(madt)[50]++;
    size_t len = rsdp_v0(rsdp, rsdt_new((uint64_t[]){ 0x1000, madt }, 2));
    assert_int_equal(acpi_parse(rsdp, len, fake_map, NULL, &F, &info, err, sizeof(err)), 0);
    assert_false(info.have_madt);
}

/* ---- tables skipped with a warning -------------------------------------------- */

static void test_madt_bad_checksum_skipped(void **state)
{
    (void)state;
    fake_init();
    uint64_t madt = madt_qemu();
    at(madt)[44 + 3] = 7;                   /* APIC ID changed, checksum not */
    uint64_t good = madt_qemu();
    assert_int_equal(parse_rsdt((uint64_t[]){ madt, good }, 2), 0);
    assert_warnings(1, "acpi: table APIC at 0x7fe0100 has a bad checksum (skipped)");
    assert_int_equal(info.cpu_count, 2);
    assert_int_equal(info.cpus[0].apic_id, 0);
}

static void test_table_bad_length_skipped(void **state)
{
    (void)state;
    uint64_t shortt, huge;
    fake_init();
    uint8_t *t = table_new("APIC", 44, &shortt);
    put32(t + 4, 35);
    t = fadt_new(116, &huge);
    put32(t + 4, (16u << 20) + 1);
    assert_int_equal(parse_rsdt((uint64_t[]){ shortt, huge }, 2), 0);
    assert_warnings(2, "acpi: table APIC at 0x7fe0100 has bad length 35",
                    "acpi: table FACP at 0x7fe0130 has bad length 16777217");
    assert_false(info.have_madt);
    assert_false(info.have_fadt);
}

static void test_table_body_not_mapped_skipped(void **state)
{
    (void)state;
    uint64_t madt;
    fake_init();
    uint8_t *t = table_new("APIC", 44, &madt);
    put32(t + 4, 16u << 20);                /* a valid length, but not mapped */
    assert_int_equal(parse_rsdt((uint64_t[]){ madt, madt_qemu() }, 2), 0);
    assert_true(info.have_madt);
    assert_int_equal(info.cpu_count, 2);    /* only the second MADT's */
}

static void test_madt_shorter_than_44_ignored(void **state)
{
    (void)state;
    uint64_t madt;
    fake_init();
    uint8_t *t = table_new("APIC", 40, &madt);
    table_finish(t);
    parse_rsdt_clean((uint64_t[]){ madt }, 1);
    assert_false(info.have_madt);
    assert_int_equal(info.lapic_base, 0);
}

static void test_fadt_bad_checksum_skipped(void **state)
{
    (void)state;
    fake_init();
    uint64_t fadt = fadt_qemu(dsdt_new(AML_S5, sizeof(AML_S5)));
    at(fadt)[FADT_PM1A_CNT]++;
    assert_int_equal(parse_rsdt((uint64_t[]){ fadt }, 1), 0);
    assert_warnings(1, with_addr("acpi: table FACP at %#llx has a bad checksum (skipped)", fadt));
    assert_false(info.have_fadt);
    assert_false(info.have_s5);
    assert_int_equal(info.pm1a_cnt, 0);
}

/* ---- MADT ------------------------------------------------------------------------ */

static void test_madt_enabled_disabled_online_capable(void **state)
{
    (void)state;
    fake_init();
    struct entries e = { .len = 0 };
    ent_lapic(&e, 0, 0, 1);             /* enabled */
    ent_lapic(&e, 1, 2, 0);             /* disabled: not usable */
    ent_lapic(&e, 2, 4, 2);             /* online capable */
    ent_lapic(&e, 3, 6, 3);             /* both bits */
    ent_lapic(&e, 4, 8, 0xfffffffc);    /* reserved bits only */
    parse_rsdt_clean((uint64_t[]){ madt_new(0xfee00000, &e) }, 1);
    assert_int_equal(info.cpu_count, 3);
    assert_cpu(0, 0, 0, true, false, false);
    assert_cpu(1, 4, 2, false, true, false);
    assert_cpu(2, 6, 3, true, true, false);
}

static void test_madt_x2apic_entries(void **state)
{
    (void)state;
    fake_init();
    struct entries e = { .len = 0 };
    ent_lapic(&e, 0, 0, 1);
    ent_x2apic(&e, 0x100, 1, 0x200);
    ent_x2apic(&e, 0xffffffff, 0, 7);   /* disabled */
    ent_x2apic(&e, 0x12345678, 2, 0x9abcdef0);
    parse_rsdt_clean((uint64_t[]){ madt_new(0xfee00000, &e) }, 1);
    assert_int_equal(info.cpu_count, 3);
    assert_cpu(0, 0, 0, true, false, false);
    assert_cpu(1, 0x100, 0x200, true, false, true);
    assert_cpu(2, 0x12345678, 0x9abcdef0, false, true, true);
}

static void test_madt_lapic_address_override(void **state)
{
    (void)state;
    fake_init();
    struct entries e = { .len = 0 };
    ent_lapic(&e, 0, 0, 1);
    ent_lapic_override(&e, 0x1fee00000ull);
    parse_rsdt_clean((uint64_t[]){ madt_new(0xfee00000, &e) }, 1);
    assert_int_equal(info.lapic_base, 0x1fee00000ull);
    assert_int_equal(info.cpu_count, 1);
}

static void test_madt_short_entries_skipped(void **state)
{
    (void)state;
    fake_init();
    struct entries e = { .len = 0 };
    uint8_t short_lapic[6] = { 0, 6, 9, 9, 1, 0 };
    uint8_t short_x2apic[12] = { 9, 12, 0, 0, 9, 0, 0, 0, 1, 0, 0, 0 };
    uint8_t short_override[10] = { 5, 10, 0, 0, 0, 0, 0xd0, 0xfe, 0, 0 };
    uint8_t unknown[2] = { 0x7f, 2 };
    ent_raw(&e, short_lapic, sizeof(short_lapic));
    ent_raw(&e, short_x2apic, sizeof(short_x2apic));
    ent_raw(&e, short_override, sizeof(short_override));
    ent_raw(&e, unknown, sizeof(unknown));
    ent_lapic(&e, 1, 1, 1);             /* still reached */
    parse_rsdt_clean((uint64_t[]){ madt_new(0xfee00000, &e) }, 1);
    assert_int_equal(info.lapic_base, 0xfee00000);
    assert_int_equal(info.cpu_count, 1);
    assert_cpu(0, 1, 1, true, false, false);
}

static void test_madt_longer_entries_accepted(void **state)
{
    (void)state;
    fake_init();
    struct entries e = { .len = 0 };
    uint8_t long_lapic[10] = { 0, 10, 3, 5, 1, 0, 0, 0, 0xee, 0xee };
    ent_raw(&e, long_lapic, sizeof(long_lapic));
    ent_lapic(&e, 4, 6, 1);
    parse_rsdt_clean((uint64_t[]){ madt_new(0xfee00000, &e) }, 1);
    assert_int_equal(info.cpu_count, 2);
    assert_cpu(0, 5, 3, true, false, false);
    assert_cpu(1, 6, 4, true, false, false);
}

static void test_madt_entry_length_below_2_stops_walk(void **state)
{
    (void)state;
    for (uint8_t bad = 0; bad < 2; bad++) {
        fake_init();
        struct entries e = { .len = 0 };
        ent_lapic(&e, 0, 0, 1);
        uint8_t stop[2] = { 1, bad };
        ent_raw(&e, stop, sizeof(stop));
        ent_lapic(&e, 1, 1, 1);
        parse_rsdt_clean((uint64_t[]){ madt_new(0xfee00000, &e) }, 1);
        assert_true(info.have_madt);
        assert_int_equal(info.cpu_count, 1);
    }
}

static void test_madt_entry_past_end_stops_walk(void **state)
{
    (void)state;
    fake_init();
    struct entries e = { .len = 0 };
    ent_lapic(&e, 0, 0, 1);
    ent_lapic_override(&e, 0x1fee00000ull);
    uint8_t cut[6] = { 0, 8, 1, 1, 1, 0 };   /* claims 8 bytes, 6 left */
    ent_raw(&e, cut, sizeof(cut));
    parse_rsdt_clean((uint64_t[]){ madt_new(0xfee00000, &e) }, 1);
    assert_int_equal(info.cpu_count, 1);
    assert_int_equal(info.lapic_base, 0x1fee00000ull);
}

static void test_madt_single_trailing_byte(void **state)
{
    (void)state;
    fake_init();
    struct entries e = { .len = 0 };
    ent_lapic(&e, 0, 0, 1);
    uint8_t one = 0;
    ent_raw(&e, &one, 1);
    parse_rsdt_clean((uint64_t[]){ madt_new(0xfee00000, &e) }, 1);
    assert_int_equal(info.cpu_count, 1);
}

static void test_madt_truncated_at_max_cpus(void **state)
{
    (void)state;
    fake_init();
    struct entries e = { .len = 0 };
    for (unsigned i = 0; i < 250; i++)
        ent_lapic(&e, (uint8_t)i, (uint8_t)i, 1);
    for (unsigned i = 250; i < ACPI_MAX_CPUS + 10; i++)
        ent_x2apic(&e, i, 1, i);
    parse_rsdt_clean((uint64_t[]){ madt_new(0xfee00000, &e) }, 1);
    assert_int_equal(info.cpu_count, ACPI_MAX_CPUS);
    assert_true(info.cpus_truncated);
    assert_cpu(249, 249, 249, true, false, false);
    assert_cpu(250, 250, 250, true, false, true);
    assert_cpu(ACPI_MAX_CPUS - 1, ACPI_MAX_CPUS - 1, ACPI_MAX_CPUS - 1, true, false, true);
}

static void test_madt_exactly_max_cpus_not_truncated(void **state)
{
    (void)state;
    fake_init();
    struct entries e = { .len = 0 };
    for (unsigned i = 0; i < ACPI_MAX_CPUS; i++)
        ent_x2apic(&e, i, 1, i);
    /* Disabled entries past the limit are not CPUs we lose. */
    for (unsigned i = 0; i < 4; i++)
        ent_lapic(&e, 0xff, 0xff, 0);
    parse_rsdt_clean((uint64_t[]){ madt_new(0xfee00000, &e) }, 1);
    assert_int_equal(info.cpu_count, ACPI_MAX_CPUS);
    assert_false(info.cpus_truncated);
}

static void test_parse_madt_directly(void **state)
{
    (void)state;
    fake_init();
    struct entries e = { .len = 0 };
    ent_lapic(&e, 7, 3, 1);
    uint64_t madt = madt_new(0xfec01000, &e);
    memset(&info, 0, sizeof(info));
    acpi_parse_madt(at(madt), &info);
    assert_true(info.have_madt);
    assert_int_equal(info.lapic_base, 0xfec01000);
    assert_int_equal(info.cpu_count, 1);
    assert_cpu(0, 3, 7, true, false, false);
    /* A second MADT adds its CPUs after the first's. */
    acpi_parse_madt(at(madt), &info);
    assert_int_equal(info.cpu_count, 2);
}

static void test_parse_madt_without_entries(void **state)
{
    (void)state;
    fake_init();
    struct entries e = { .len = 0 };
    uint64_t madt = madt_new(0xfee00000, &e);
    memset(&info, 0, sizeof(info));
    acpi_parse_madt(at(madt), &info);
    assert_true(info.have_madt);
    assert_int_equal(info.lapic_base, 0xfee00000);
    assert_int_equal(info.cpu_count, 0);
}

/* ---- FADT ------------------------------------------------------------------------ */

/* Finishes the FADT at phys and parses an RSDT holding only it. */
static void parse_fadt_only(uint64_t phys)
{
    table_finish(at(phys));
    parse_rsdt_clean((uint64_t[]){ phys }, 1);
    assert_true(info.have_fadt);
}

static void test_fadt_qemu(void **state)
{
    (void)state;
    fake_init();
    uint64_t dsdt = dsdt_with_s5(0);
    parse_rsdt_clean((uint64_t[]){ fadt_qemu(dsdt) }, 1);
    assert_true(info.have_fadt);
    assert_false(info.have_madt);
    assert_int_equal(info.dsdt, dsdt);
    assert_int_equal(info.smi_cmd, 0xb2);
    assert_int_equal(info.acpi_enable, 0xf1);
    assert_int_equal(info.pm1a_cnt, 0x604);
    assert_int_equal(info.pm1b_cnt, 0);
    assert_true(info.have_s5);
    assert_int_equal(info.slp_typa, 0);
    assert_int_equal(info.slp_typb, 0);
}

static void test_fadt_pm1b(void **state)
{
    (void)state;
    uint64_t phys;
    fake_init();
    uint8_t *t = fadt_new(116, &phys);
    put32(t + FADT_PM1A_CNT, 0x1004);
    put32(t + FADT_PM1B_CNT, 0x1044);
    parse_fadt_only(phys);
    assert_int_equal(info.pm1a_cnt, 0x1004);
    assert_int_equal(info.pm1b_cnt, 0x1044);
}

static void test_fadt_x_dsdt_preferred(void **state)
{
    (void)state;
    uint64_t phys;
    fake_init();
    uint64_t d32 = dsdt_with_s5(1), d64 = dsdt_with_s5(2);
    uint8_t *t = fadt_new(244, &phys);
    put32(t + FADT_DSDT, (uint32_t)d32);
    put64(t + FADT_X_DSDT, d64);
    parse_fadt_only(phys);
    assert_int_equal(info.dsdt, d64);
    assert_int_equal(info.slp_typa, 2);
}

static void test_fadt_x_dsdt_zero_keeps_dsdt(void **state)
{
    (void)state;
    uint64_t phys;
    fake_init();
    uint64_t d32 = dsdt_with_s5(1);
    uint8_t *t = fadt_new(244, &phys);
    put32(t + FADT_DSDT, (uint32_t)d32);
    parse_fadt_only(phys);
    assert_int_equal(info.dsdt, d32);
    assert_int_equal(info.slp_typa, 1);
}

static void test_fadt_x_dsdt_needs_148_bytes(void **state)
{
    (void)state;
    uint64_t phys;
    fake_init();
    uint64_t d32 = dsdt_with_s5(1), d64 = dsdt_with_s5(2);
    uint8_t *t = fadt_new(147, &phys);
    put32(t + FADT_DSDT, (uint32_t)d32);
    put32(t + FADT_X_DSDT, (uint32_t)d64);  /* the field is cut off */
    parse_fadt_only(phys);
    assert_int_equal(info.dsdt, d32);
    assert_int_equal(info.slp_typa, 1);
}

static void test_fadt_x_dsdt_only(void **state)
{
    (void)state;
    uint64_t phys;
    fake_init();
    uint64_t d64 = dsdt_with_s5(2);
    uint8_t *t = fadt_new(148, &phys);
    put64(t + FADT_X_DSDT, d64);
    parse_fadt_only(phys);
    assert_int_equal(info.dsdt, d64);
    assert_int_equal(info.slp_typa, 2);
}

static void test_fadt_x_pm1a_cnt_fallback(void **state)
{
    (void)state;
    uint64_t phys;
    fake_init();
    uint8_t *t = fadt_new(276, &phys);
    put_gas(t + FADT_X_PM1A_CNT, 1, 0x1804);
    put_gas(t + FADT_X_PM1B_CNT, 1, 0x1844);
    parse_fadt_only(phys);
    assert_int_equal(info.pm1a_cnt, 0x1804);
    assert_int_equal(info.pm1b_cnt, 0x1844);
}

static void test_fadt_32_bit_pm1_cnt_wins(void **state)
{
    (void)state;
    uint64_t phys;
    fake_init();
    uint8_t *t = fadt_new(276, &phys);
    put32(t + FADT_PM1A_CNT, 0x604);
    put32(t + FADT_PM1B_CNT, 0x644);
    put_gas(t + FADT_X_PM1A_CNT, 1, 0x1804);
    put_gas(t + FADT_X_PM1B_CNT, 1, 0x1844);
    parse_fadt_only(phys);
    assert_int_equal(info.pm1a_cnt, 0x604);
    assert_int_equal(info.pm1b_cnt, 0x644);
}

static void test_fadt_x_pm1_cnt_in_memory_space_ignored(void **state)
{
    (void)state;
    uint64_t phys;
    fake_init();
    uint8_t *t = fadt_new(276, &phys);
    put_gas(t + FADT_X_PM1A_CNT, 0, 0xfed80004);   /* system memory: not a port */
    put_gas(t + FADT_X_PM1B_CNT, 0, 0xfed80044);
    parse_fadt_only(phys);
    assert_int_equal(info.pm1a_cnt, 0);
    assert_int_equal(info.pm1b_cnt, 0);
}

static void test_fadt_x_pm1_cnt_needs_whole_field(void **state)
{
    (void)state;
    uint64_t phys;
    fake_init();
    /* X_PM1a_CNT_BLK ends at 184, X_PM1b_CNT_BLK at 196. */
    uint8_t *t = fadt_new(195, &phys);
    put_gas(t + FADT_X_PM1A_CNT, 1, 0x1804);
    put_gas(t + FADT_X_PM1B_CNT, 1, 0x1844);   /* its last byte is cut (0) */
    parse_fadt_only(phys);
    assert_int_equal(info.pm1a_cnt, 0x1804);
    assert_int_equal(info.pm1b_cnt, 0);

    fake_init();
    t = fadt_new(183, &phys);
    put_gas(t + FADT_X_PM1A_CNT, 1, 0x1804);
    parse_fadt_only(phys);
    assert_int_equal(info.pm1a_cnt, 0);
}

/* The PM timer: the 32-bit block with PM_TMR_LEN 4, else the extended
 * block in system I/O; 24 or 32 bits by TMR_VAL_EXT; nothing from a block
 * of another length, a memory-space one or a FADT too short for them. */
static void test_fadt_pm_timer(void **state)
{
    (void)state;
    uint64_t phys;
    fake_init();
    parse_fadt_only(fadt_qemu(0));
    assert_int_equal(info.pm_tmr, 0x608);
    assert_false(info.pm_tmr_32);

    fake_init();
    uint8_t *t = fadt_new(276, &phys);
    put32(t + 76, 0xb008);
    t[91] = 4;
    put32(t + 112, 1u << 8);                /* TMR_VAL_EXT */
    put_gas(t + 208, 1, 0x1808);
    parse_fadt_only(phys);
    assert_int_equal(info.pm_tmr, 0xb008);
    assert_true(info.pm_tmr_32);

    fake_init();
    t = fadt_new(276, &phys);
    put32(t + 76, 0xb008);
    t[91] = 2;                              /* not a PM timer block's length */
    put_gas(t + 208, 1, 0x1808);
    parse_fadt_only(phys);
    assert_int_equal(info.pm_tmr, 0x1808);
    assert_false(info.pm_tmr_32);

    fake_init();
    t = fadt_new(276, &phys);
    put_gas(t + 208, 0, 0xfed80008);        /* system memory: not a port */
    parse_fadt_only(phys);
    assert_int_equal(info.pm_tmr, 0);

    fake_init();
    t = fadt_new(219, &phys);               /* X_PM_TMR_BLK cut short */
    put_gas(t + 208, 1, 0x1808);
    parse_fadt_only(phys);
    assert_int_equal(info.pm_tmr, 0);
    assert_false(info.pm_tmr_32);
}

static void test_fadt_between_44_and_72_bytes(void **state)
{
    (void)state;
    uint64_t phys;
    fake_init();
    uint64_t d32 = dsdt_with_s5(3);
    uint8_t *t = fadt_new(71, &phys);
    put32(t + FADT_DSDT, (uint32_t)d32);
    put32(t + FADT_SMI_CMD, 0xb2);
    t[FADT_ACPI_ENABLE] = 0xf1;
    put32(t + FADT_PM1A_CNT, 0x604);
    parse_fadt_only(phys);
    assert_int_equal(info.dsdt, d32);
    assert_true(info.have_s5);
    assert_int_equal(info.slp_typa, 3);
    assert_int_equal(info.smi_cmd, 0);
    assert_int_equal(info.acpi_enable, 0);
    assert_int_equal(info.pm1a_cnt, 0);
}

static void test_fadt_short(void **state)
{
    (void)state;
    uint64_t phys;
    fake_init();
    uint8_t *t = fadt_new(43, &phys);
    put32(t + 36, 0x7fe1000);               /* FIRMWARE_CTRL only */
    parse_fadt_only(phys);
    assert_int_equal(info.dsdt, 0);
    assert_false(info.have_s5);
    assert_int_equal(info.pm1a_cnt, 0);

    fake_init();
    t = fadt_new(HDR, &phys);               /* header only */
    parse_fadt_only(phys);
    assert_int_equal(info.dsdt, 0);
}

/* ---- DSDT and \_S5 through acpi_parse ----------------------------------------------- */

static void test_dsdt_via_x_dsdt(void **state)
{
    (void)state;
    uint64_t phys;
    fake_init();
    static const uint8_t aml[] = { 0x08, '\\', '_', 'S', '5', '_', 0x12, 0x06, 0x04,
                                   0x0a, 0x07, 0x0a, 0x07, 0x00, 0x00 };
    uint64_t dsdt = dsdt_new(aml, sizeof(aml));
    uint8_t *t = fadt_new(244, &phys);
    put32(t + FADT_DSDT, 0x1000);           /* stale: X_DSDT wins */
    put64(t + FADT_X_DSDT, dsdt);
    put32(t + FADT_PM1A_CNT, 0x604);
    parse_fadt_only(phys);
    assert_int_equal(info.dsdt, dsdt);
    assert_true(info.have_s5);
    assert_int_equal(info.slp_typa, 7);
    assert_int_equal(info.slp_typb, 7);
}

static void test_dsdt_bad_checksum(void **state)
{
    (void)state;
    fake_init();
    uint64_t dsdt = dsdt_new(AML_S5, sizeof(AML_S5));
    at(dsdt)[HDR]++;
    assert_int_equal(parse_rsdt((uint64_t[]){ fadt_qemu(dsdt) }, 1), 0);
    assert_warnings(1, "acpi: table DSDT at 0x7fe0100 has a bad checksum (skipped)");
    assert_true(info.have_fadt);
    assert_false(info.have_s5);
}

static void test_dsdt_not_mapped(void **state)
{
    (void)state;
    fake_init();
    assert_int_equal(parse_rsdt((uint64_t[]){ fadt_qemu(0xbfff0000) }, 1), 0);
    assert_warnings(1, "acpi: table at 0xbfff0000 is not mapped");
    assert_false(info.have_s5);
}

static void test_dsdt_wrong_signature(void **state)
{
    (void)state;
    uint64_t ssdt;
    fake_init();
    uint8_t *t = table_new("SSDT", (uint32_t)(HDR + sizeof(AML_S5)), &ssdt);
    memcpy(t + HDR, AML_S5, sizeof(AML_S5));
    table_finish(t);
    assert_int_equal(parse_rsdt((uint64_t[]){ fadt_qemu(ssdt) }, 1), 0);
    assert_warnings(1, "acpi: table SSDT at 0x7fe0100 is not the DSDT (skipped)");
    assert_false(info.have_s5);
}

static void test_dsdt_without_s5(void **state)
{
    (void)state;
    fake_init();
    static const uint8_t aml[] = { 0x10, 0x06, '_', 'S', 'B', '_' };
    parse_rsdt_clean((uint64_t[]){ fadt_qemu(dsdt_new(aml, sizeof(aml))) }, 1);
    assert_false(info.have_s5);
    assert_int_equal(info.slp_typa, 0);
}

static void test_dsdt_empty_body(void **state)
{
    (void)state;
    fake_init();
    parse_rsdt_clean((uint64_t[]){ fadt_qemu(dsdt_new(NULL, 0)) }, 1);
    assert_true(info.have_fadt);
    assert_false(info.have_s5);
}

static void test_s5_only_inside_dsdt_length(void **state)
{
    (void)state;
    fake_init();
    /* The Name (_S5_) object lies just past the DSDT's length: not found. */
    uint64_t dsdt = dsdt_new(AML_S5, sizeof(AML_S5));
    put32(at(dsdt) + 4, HDR + AML_S5_NAME_OFFSET + 7);   /* up to the PkgLength */
    table_finish(at(dsdt));
    parse_rsdt_clean((uint64_t[]){ fadt_qemu(dsdt) }, 1);
    assert_false(info.have_s5);
    /* One byte more and the first value is complete. */
    put32(at(dsdt) + 4, HDR + AML_S5_NAME_OFFSET + 10);
    table_finish(at(dsdt));
    parse_rsdt_clean((uint64_t[]){ fadt_qemu(dsdt) }, 1);
    assert_true(info.have_s5);
    assert_int_equal(info.slp_typa, 5);
    assert_int_equal(info.slp_typb, 0);
}

/* ---- acpi_find_s5 ------------------------------------------------------------------- */

/* Runs acpi_find_s5 on aml; on failure the outputs must be untouched. */
static bool find_s5(const uint8_t *aml, size_t len, uint8_t *a, uint8_t *b)
{
    *a = 0xEE;
    *b = 0xEE;
    bool ok = acpi_find_s5(aml, len, a, b);
    if (!ok) {
        assert_int_equal(*a, 0xEE);
        assert_int_equal(*b, 0xEE);
    }
    return ok;
}

#define FIND_S5(arr, a, b) find_s5(arr, sizeof(arr), a, b)

static void test_s5_name_package(void **state)
{
    (void)state;
    uint8_t a, b;
    static const uint8_t aml[] = { 0x08, 0x5F, 0x53, 0x35, 0x5F, 0x12, 0x08, 0x04,
                                   0x0A, 0x05, 0x0A, 0x06, 0x00, 0x00 };
    assert_true(FIND_S5(aml, &a, &b));
    assert_int_equal(a, 5);
    assert_int_equal(b, 6);
}

static void test_s5_root_prefix(void **state)
{
    (void)state;
    uint8_t a, b;
    static const uint8_t aml[] = { 0x08, 0x5C, 0x5F, 0x53, 0x35, 0x5F, 0x12, 0x08, 0x04,
                                   0x0A, 0x07, 0x0A, 0x03, 0x00, 0x00 };
    assert_true(FIND_S5(aml, &a, &b));
    assert_int_equal(a, 7);
    assert_int_equal(b, 3);
}

static void test_s5_qemu_zero_package(void **state)
{
    (void)state;
    uint8_t a, b;
    /* Name (_S5, Package (0x04) { Zero, Zero, Zero, Zero }) */
    static const uint8_t aml[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x06, 0x04,
                                   0x00, 0x00, 0x00, 0x00 };
    assert_true(FIND_S5(aml, &a, &b));
    assert_int_equal(a, 0);
    assert_int_equal(b, 0);
}

static void test_s5_one_and_ones(void **state)
{
    (void)state;
    uint8_t a, b;
    static const uint8_t one_ones[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x04, 0x02, 0x01, 0xFF };
    assert_true(FIND_S5(one_ones, &a, &b));
    assert_int_equal(a, 1);
    assert_int_equal(b, 0xFF);
    static const uint8_t ones_zero[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x04, 0x02, 0xFF, 0x00 };
    assert_true(FIND_S5(ones_zero, &a, &b));
    assert_int_equal(a, 0xFF);
    assert_int_equal(b, 0);
}

static void test_s5_word_and_dword_prefix(void **state)
{
    (void)state;
    uint8_t a, b;
    static const uint8_t aml[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x0A, 0x02,
                                   0x0B, 0x05, 0x00, 0x0C, 0x07, 0x00, 0x00, 0x00 };
    assert_true(FIND_S5(aml, &a, &b));
    assert_int_equal(a, 5);
    assert_int_equal(b, 7);
    static const uint8_t rev[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x0A, 0x02,
                                   0x0C, 0x03, 0x00, 0x00, 0x00, 0x0B, 0x04, 0x00 };
    assert_true(FIND_S5(rev, &a, &b));
    assert_int_equal(a, 3);
    assert_int_equal(b, 4);
}

static void test_s5_multibyte_pkglength(void **state)
{
    (void)state;
    uint8_t a, b;
    /* PkgLength lead byte bits 7:6 give the number of following bytes. */
    static const uint8_t two[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x48, 0x00, 0x04,
                                   0x0A, 0x02, 0x0A, 0x03, 0x00, 0x00 };
    assert_true(FIND_S5(two, &a, &b));
    assert_int_equal(a, 2);
    assert_int_equal(b, 3);
    static const uint8_t three[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x89, 0x00, 0x00, 0x04,
                                     0x0A, 0x04, 0x01 };
    assert_true(FIND_S5(three, &a, &b));
    assert_int_equal(a, 4);
    assert_int_equal(b, 1);
    static const uint8_t four[] = { 0x08, '_', 'S', '5', '_', 0x12, 0xCA, 0x00, 0x00, 0x00,
                                    0x02, 0x0A, 0x06, 0x0A, 0x06 };
    assert_true(FIND_S5(four, &a, &b));
    assert_int_equal(a, 6);
    assert_int_equal(b, 6);
}

static void test_s5_without_nameop_ignored(void **state)
{
    (void)state;
    uint8_t a, b;
    /* Method (_S5_): MethodOp, PkgLength, name. */
    static const uint8_t method[] = { 0x14, 0x09, '_', 'S', '5', '_', 0x12, 0x04, 0x02,
                                      0x0A, 0x05, 0x0A, 0x05 };
    assert_false(FIND_S5(method, &a, &b));
    /* A root prefix that is not preceded by NameOp. */
    static const uint8_t root[] = { 0x10, '\\', '_', 'S', '5', '_', 0x12, 0x04, 0x02,
                                    0x0A, 0x05, 0x0A, 0x05 };
    assert_false(FIND_S5(root, &a, &b));
    /* At the very start of the AML, no byte before it. */
    static const uint8_t start[] = { '_', 'S', '5', '_', 0x12, 0x04, 0x02, 0x0A, 0x05, 0x00 };
    assert_false(FIND_S5(start, &a, &b));
    static const uint8_t root_start[] = { '\\', '_', 'S', '5', '_', 0x12, 0x04, 0x02, 0x01 };
    assert_false(FIND_S5(root_start, &a, &b));
}

static void test_s5_first_named_package_wins(void **state)
{
    (void)state;
    uint8_t a, b;
    static const uint8_t aml[] = {
        0x14, 0x09, '_', 'S', '5', '_', 0x12, 0x04, 0x02, 0x0A, 0x01, 0x0A, 0x01,
        0x08, '_', 'S', '5', '_', 0x0A, 0x03,                 /* Name(_S5_, 3): no package */
        0x08, '_', 'S', '5', '_', 0x12, 0x06, 0x02, 0x0A, 0x05, 0x0A, 0x06,
        0x08, '_', 'S', '5', '_', 0x12, 0x06, 0x02, 0x0A, 0x07, 0x0A, 0x07,
    };
    assert_true(FIND_S5(aml, &a, &b));
    assert_int_equal(a, 5);
    assert_int_equal(b, 6);
}

static void test_s5_one_element(void **state)
{
    (void)state;
    uint8_t a, b;
    static const uint8_t aml[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x04, 0x01, 0x0A, 0x05 };
    assert_true(FIND_S5(aml, &a, &b));
    assert_int_equal(a, 5);
    assert_int_equal(b, 0);
    /* The second element is not an integer (a string). */
    static const uint8_t str[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x07, 0x02, 0x0A, 0x05,
                                   0x0D, 'x', 0x00 };
    assert_true(FIND_S5(str, &a, &b));
    assert_int_equal(a, 5);
    assert_int_equal(b, 0);
    /* The second element is cut short. */
    static const uint8_t cut[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x06, 0x02, 0x0A, 0x05,
                                   0x0C, 0x05, 0x00 };
    assert_true(FIND_S5(cut, &a, &b));
    assert_int_equal(a, 5);
    assert_int_equal(b, 0);
}

static void test_s5_first_element_not_integer(void **state)
{
    (void)state;
    uint8_t a, b;
    static const uint8_t aml[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x06, 0x02,
                                   0x0D, 'x', 0x00, 0x00 };
    assert_false(FIND_S5(aml, &a, &b));
}

static void test_s5_truncated(void **state)
{
    (void)state;
    uint8_t a, b;
    static const uint8_t full[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x48, 0x00, 0x04,
                                    0x0A, 0x05, 0x0A, 0x05, 0x00, 0x00 };
    /* Every cut before the first value is complete fails. */
    for (size_t len = 0; len <= 10; len++)
        if (find_s5(full, len, &a, &b))
            fail_msg("found _S5_ in the first %zu bytes", len);
    assert_true(find_s5(full, 11, &a, &b));
    assert_int_equal(a, 5);
    assert_int_equal(b, 0);
    static const uint8_t dword[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x0A, 0x02,
                                     0x0C, 0x09, 0x00, 0x00, 0x00 };
    assert_false(find_s5(dword, 12, &a, &b));
    assert_true(find_s5(dword, 13, &a, &b));
    assert_int_equal(a, 9);
    static const uint8_t word[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x06, 0x02, 0x0B, 0x09, 0x00 };
    assert_false(find_s5(word, 10, &a, &b));
    assert_true(find_s5(word, 11, &a, &b));
}

static void test_s5_empty_and_tiny(void **state)
{
    (void)state;
    uint8_t a, b;
    assert_false(find_s5((const uint8_t *)"", 0, &a, &b));
    assert_false(find_s5((const uint8_t *)"_S5", 3, &a, &b));
    assert_false(find_s5((const uint8_t *)"\x08_S5_", 5, &a, &b));
}

static void test_madt_ioapics_and_overrides(void **state)
{
    (void)state;
    fake_init();
    struct entries e = { .len = 0 };
    ent_lapic(&e, 0, 0, 1);
    ent_ioapic(&e, 2, 0xfec00000, 0);
    ent_ioapic(&e, 3, 0xfec01000, 24);
    ent_iso(&e, 0, 2, 0);
    ent_iso(&e, 4, 7, 0x5);
    uint8_t short_iso[8] = { 2, 8, 0, 3, 9, 0, 0, 0 };   /* too short: skipped */
    ent_raw(&e, short_iso, sizeof(short_iso));
    parse_rsdt_clean((uint64_t[]){ madt_new(0xfee00000, &e) }, 1);
    assert_int_equal(info.ioapic_count, 2);
    assert_int_equal(info.ioapics[1].id, 3);
    assert_int_equal(info.ioapics[1].address, 0xfec01000);
    assert_int_equal(info.ioapics[1].gsi_base, 24);
    assert_int_equal(info.override_count, 2);
    assert_int_equal(info.overrides[1].source, 4);
    assert_int_equal(info.overrides[1].gsi, 7);
    assert_int_equal(info.overrides[1].flags, 5);
    assert_int_equal(acpi_isa_gsi(&info, 0), 2);
    assert_int_equal(acpi_isa_gsi(&info, 4), 7);
    assert_int_equal(acpi_isa_gsi(&info, 3), 3);            /* identity without an override */
    assert_int_equal(acpi_ioapic_for_gsi(&info, 7)->id, 2);
    assert_int_equal(acpi_ioapic_for_gsi(&info, 30)->id, 3);
    assert_int_equal(info.cpu_count, 1);
}

static void test_madt_without_ioapic(void **state)
{
    (void)state;
    fake_init();
    struct entries e = { .len = 0 };
    ent_lapic(&e, 0, 0, 1);
    parse_rsdt_clean((uint64_t[]){ madt_new(0xfee00000, &e) }, 1);
    assert_int_equal(info.ioapic_count, 0);
    assert_null(acpi_ioapic_for_gsi(&info, 4));
    assert_int_equal(acpi_isa_gsi(&info, 4), 4);
}

/* ---- SPCR ------------------------------------------------------------------ */

/* An SPCR of revision 2 (80 bytes) as QEMU's virt or a server's firmware
 * lays it out: interface type, base address GAS, IRQ, baud code, PCI ids. */
static uint64_t spcr_new(uint8_t interface, uint8_t space, uint8_t bits, uint8_t access,
                         uint64_t addr, uint8_t baud_code, uint32_t len)
{
    uint64_t phys;
    uint8_t *t = table_new("SPCR", len, &phys);
    t[8] = 2;
    t[36] = interface;
    t[40] = space;
    t[41] = bits;
    t[43] = access;
    put64(t + 44, addr);
    t[52] = 1;                              /* PC-AT interrupt */
    t[53] = 4;
    t[58] = baud_code;
    t[60] = 1;                              /* one stop bit */
    put16(t + 64, 0xFFFF);                  /* not a PCI device */
    put16(t + 66, 0xFFFF);
    table_finish(t);
    return phys;
}

/* MCFG: segment 0's first allocation with a non-empty bus range and a
 * 1 MiB-aligned base; other segments and broken entries are passed over. */
static void test_mcfg_ecam_window(void **state)
{
    (void)state;
    fake_init();
    uint64_t phys;
    uint8_t *t = table_new("MCFG", HDR + 8 + 4 * 16, &phys);
    uint8_t *e = t + HDR + 8;
    put64(e, 0xC0000000ull);                /* segment 1: not ours */
    put16(e + 8, 1);
    e[11] = 255;
    put64(e + 16, 0xD0080000ull);           /* segment 0, not 1 MiB aligned */
    e[16 + 11] = 255;
    put64(e + 32, 0xE0000000ull);           /* segment 0, buses 3 to 2: empty */
    e[32 + 10] = 3;
    e[32 + 11] = 2;
    put64(e + 48, 0xB0000000ull);           /* the one */
    e[48 + 10] = 0;
    e[48 + 11] = 0x7F;
    table_finish(t);
    uint8_t rsdp[36];
    uint64_t entries[] = { phys };
    parse_clean(rsdp, rsdp_v2(rsdp, 0, xsdt_new(entries, 1)));
    assert_int_equal(info.ecam_base, 0xB0000000ull);
    assert_int_equal(info.ecam_bus_first, 0);
    assert_int_equal(info.ecam_bus_last, 0x7F);

    fake_init();                            /* a header and nothing more: no window */
    table_finish(table_new("MCFG", HDR + 8, &phys));
    uint64_t only[] = { phys };
    parse_clean(rsdp, rsdp_v2(rsdp, 0, xsdt_new(only, 1)));
    assert_int_equal(info.ecam_base, 0);
}

static void test_spcr_io_16550(void **state)
{
    (void)state;
    fake_init();
    uint8_t rsdp[36];
    uint64_t e[] = { spcr_new(0, SPCR_SPACE_IO, 8, 1, 0x2F8, 7, 80) };
    parse_clean(rsdp, rsdp_v2(rsdp, 0, xsdt_new(e, 1)));
    const struct acpi_spcr *sp = &info.spcr;
    assert_true(sp->present && acpi_spcr_is_16550(sp));
    assert_int_equal(sp->revision, 2);
    assert_int_equal(sp->interface, SPCR_16550);
    assert_int_equal(sp->space, SPCR_SPACE_IO);
    assert_int_equal(sp->width, 1);
    assert_int_equal(sp->address, 0x2F8);
    assert_int_equal(sp->baud, 115200);
    assert_int_equal(sp->irq, 4);
    assert_int_equal(sp->pci_vendor, 0xFFFF);
}

/* The SPCR rewritten for the guest: an MMIO UART behind a PCI function
 * becomes COM1 on I/O ports with IRQ 4 (GSI 2 where an override says so),
 * not a PCI device, checksum right; its line settings kept. Revision 4's
 * UART clock and namespace path follow; no SPCR, nothing changed. */
static void test_spcr_retarget_names_the_guests_uart(void **state)
{
    (void)state;
    fake_init();
    uint64_t phys = spcr_new(0x12, SPCR_SPACE_MEMORY, 32, 3, 0xFEDC9000, 7, 80);
    uint8_t *t = at(phys);
    put16(t + 64, 0x0003);                  /* a PCI device: 8086:0003 at 00:1f.3 */
    put16(t + 66, 0x8086);
    t[69] = 0x1f;
    t[70] = 3;
    table_finish(t);
    assert_int_equal(acpi_spcr_retarget(t, 0x3F8, 4, 2), 0);
    assert_true(acpi_checksum_ok(t, 80));
    struct acpi_spcr sp;
    char err[96];
    assert_int_equal(acpi_parse_spcr(t, &sp, err, sizeof(err)), 0);
    assert_true(acpi_spcr_is_16550(&sp));
    assert_int_equal(sp.interface, SPCR_16550);
    assert_int_equal(sp.space, SPCR_SPACE_IO);
    assert_int_equal(sp.width, 1);
    assert_int_equal(sp.address, 0x3F8);
    assert_int_equal(sp.irq, 4);
    assert_int_equal(t[52], 3);             /* 8259 and I/O APIC */
    assert_int_equal(t[54], 2);             /* the GSI */
    assert_int_equal(sp.baud, 115200);
    assert_int_equal(t[60], 1);             /* stop bits kept */
    assert_int_equal(sp.pci_vendor, 0xFFFF);
    assert_int_equal(sp.pci_device, 0xFFFF);
    assert_int_equal(sp.pci_dev, 0);
    assert_int_equal(sp.pci_fn, 0);

    /* Revision 4 with a namespace path: the clock and "." */
    uint64_t p4 = spcr_new(0x12, SPCR_SPACE_MEMORY, 32, 3, 0xFEDC9000, 0, 100);
    uint8_t *t4 = at(p4);
    t4[8] = 4;
    put32(t4 + 76, 48000000);
    put16(t4 + 84, 12);
    put16(t4 + 86, 88);
    memcpy(t4 + 88, "\\_SB.URT0", 10);
    table_finish(t4);
    assert_int_equal(acpi_spcr_retarget(t4, 0x2F8, 4, 4), 0);
    assert_true(acpi_checksum_ok(t4, 100));
    uint32_t clock;
    memcpy(&clock, t4 + 76, 4);
    assert_int_equal(clock, 1843200);
    assert_int_equal(t4[84], 2);
    assert_int_equal(t4[88], '.');
    assert_int_equal(t4[89], 0);
    assert_int_equal(t4[58], 0);            /* "as is" kept */

    /* Not an SPCR, or too short: -1, untouched. */
    uint64_t pf;
    table_finish(table_new("FACP", 80, &pf));
    uint8_t before[80];
    memcpy(before, at(pf), 80);
    assert_int_equal(acpi_spcr_retarget(at(pf), 0x3F8, 4, 4), -1);
    assert_memory_equal(before, at(pf), 80);
    uint64_t ps = spcr_new(0, SPCR_SPACE_IO, 8, 1, 0x2F8, 7, 60);
    assert_int_equal(acpi_spcr_retarget(at(ps), 0x3F8, 4, 4), -1);
}

/* An MMIO 16550 with 32-bit registers (the GAS's dword access, or its bit
 * width when the access size is left undefined), "as is" baud rate. */
static void test_spcr_mmio_widths_and_baud(void **state)
{
    (void)state;
    static const struct { uint8_t bits, access, width, code; uint32_t baud; } c[] = {
        { 32, 3, 4, 0, 0 }, { 32, 0, 4, 3, 9600 }, { 8, 1, 1, 4, 19200 }, { 8, 0, 1, 6, 57600 },
        { 32, 1, 1, 5, 0 },                 /* byte access wins; reserved code 5: as is */
    };
    for (unsigned i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
        fake_init();
        uint8_t rsdp[36];
        uint64_t e[] = { spcr_new(0x12, SPCR_SPACE_MEMORY, c[i].bits, c[i].access, 0xFEDC9000,
                                  c[i].code, 88) };
        parse_clean(rsdp, rsdp_v2(rsdp, 0, xsdt_new(e, 1)));
        assert_true(acpi_spcr_is_16550(&info.spcr));
        assert_int_equal(info.spcr.interface, SPCR_16550_GAS);
        assert_int_equal(info.spcr.address, 0xFEDC9000);
        assert_int_equal(info.spcr.width, c[i].width);
        assert_int_equal(info.spcr.baud, c[i].baud);
    }
}

/* Parsed but not a UART monovisor drives: a PL011 (type 3), a system-bus
 * address space, an I/O port beyond 0xFFF8. */
static void test_spcr_not_a_16550(void **state)
{
    (void)state;
    static const struct { uint8_t type, space; uint64_t addr; } c[] = {
        { 3, SPCR_SPACE_MEMORY, 0x9000000 }, { 0, 2, 0x3F8 }, { 0, SPCR_SPACE_IO, 0x10000 },
    };
    for (unsigned i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
        fake_init();
        uint8_t rsdp[36];
        uint64_t e[] = { spcr_new(c[i].type, c[i].space, 8, 1, c[i].addr, 7, 80) };
        parse_clean(rsdp, rsdp_v2(rsdp, 0, xsdt_new(e, 1)));
        assert_true(info.spcr.present);
        assert_false(acpi_spcr_is_16550(&info.spcr));
    }
}

/* Too short, or no address: a warning naming it, the SPCR ignored. */
static void test_spcr_malformed_is_ignored_with_a_warning(void **state)
{
    (void)state;
    fake_init();
    uint8_t rsdp[36];
    uint64_t e[] = { spcr_new(0, SPCR_SPACE_IO, 8, 1, 0x3F8, 7, 60) };
    char err[128] = "";
    assert_int_equal(parse(rsdp, rsdp_v2(rsdp, 0, xsdt_new(e, 1)), err, sizeof(err)), 0);
    assert_false(info.spcr.present);
    assert_int_equal(F.nwarn, 1);
    assert_string_equal(F.warn[0], with_addr("acpi: SPCR too short (60 bytes, at least 80) "
                                             "(at %#llx; ignored)", e[0]));
    fake_init();
    uint64_t e2[] = { spcr_new(0, SPCR_SPACE_IO, 8, 1, 0, 7, 80) };
    assert_int_equal(parse(rsdp, rsdp_v2(rsdp, 0, xsdt_new(e2, 1)), err, sizeof(err)), 0);
    assert_false(info.spcr.present);
    assert_int_equal(F.nwarn, 1);
    assert_string_equal(F.warn[0], with_addr("acpi: SPCR names no base address (at %#llx; ignored)",
                                             e2[0]));
}

/* ---- DMAR and IVRS ----------------------------------------------------------- */

/* QEMU's intel-iommu on q35 (its DMAR: host address width 39 - 1, the
 * INTR_REMAP flag, one DRHD with INCLUDE_PCI_ALL at 0xfed90000), with an
 * RMRR as firmware lists one for a USB controller's legacy emulation. */
static uint64_t dmar_qemu(uint8_t *extra, uint16_t extra_len)
{
    uint64_t phys;
    uint32_t len = 48 + 16 + 32 + extra_len;
    uint8_t *t = table_new("DMAR", len, &phys);
    t[36] = 38;
    t[37] = 1;
    uint8_t *d = t + 48;
    put16(d, 0);                            /* DRHD */
    put16(d + 2, 16);
    d[4] = 1;                               /* INCLUDE_PCI_ALL */
    put64(d + 8, 0xfed90000);
    uint8_t *r = t + 64;
    put16(r, 1);                            /* RMRR with one device scope (PCI endpoint 00:1d.0) */
    put16(r + 2, 32);
    put64(r + 8, 0x7ec00000);
    put64(r + 16, 0x7ec7ffff);
    r[24] = 1;
    r[25] = 8;
    r[29] = 0;
    r[30] = 0x1d;
    r[31] = 0;
    if (extra_len)
        memcpy(t + 96, extra, extra_len);
    table_finish(t);
    return phys;
}

static void test_dmar_of_qemu_intel_iommu(void **state)
{
    (void)state;
    fake_init();
    parse_rsdt_clean((uint64_t[]){ dmar_qemu(0, 0) }, 1);
    assert_int_equal(info.iommu.type, ACPI_IOMMU_VTD);
    assert_int_equal(info.iommu.addr_bits, 39);
    assert_true(info.iommu.intr_remap);
    assert_int_equal(info.iommu.unit_count, 1);
    assert_int_equal(info.iommu.units[0].base, 0xfed90000);
    assert_true(info.iommu.units[0].include_all);
    assert_int_equal(info.iommu.reserved_count, 1);
    assert_int_equal(info.iommu.reserved[0].base, 0x7ec00000);
    assert_int_equal(info.iommu.reserved[0].end, 0x7ec80000);
    assert_true(info.iommu_table != 0);
}

static void test_dmar_errors_are_named_and_the_table_ignored(void **state)
{
    (void)state;
    static const struct { uint16_t type, len; const char *why; } bad[] = {
        { 5, 0, "acpi: DMAR: structure type 5 at offset 96: length 0 (min 4, table 104)" },
        { 0, 8, "acpi: DMAR: structure type 0 at offset 96: length 8 (min 16, table 104)" },
        { 2, 12, "acpi: DMAR: structure type 2 at offset 96: length 12 (min 4, table 104)" },
    };
    for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        uint8_t extra[8] = { 0 };
        put16(extra, bad[i].type);
        put16(extra + 2, bad[i].len);
        fake_init();
        uint64_t t = dmar_qemu(extra, 8);
        assert_int_equal(parse_rsdt((uint64_t[]){ t }, 1), 0);
        char want[160];
        snprintf(want, sizeof(want), "%s (at %#llx; ignored)", bad[i].why, (unsigned long long)t);
        assert_warnings(1, want);
        assert_int_equal(info.iommu.type, ACPI_IOMMU_NONE);
        assert_int_equal(info.iommu_table, 0);
    }
    /* A DRHD without a register base, an RMRR whose limit is below its
     * base, a table too short for its fixed part: each named. */
    char err[160];
    struct acpi_iommu io;
    fake_init();
    uint8_t *t = at(dmar_qemu(0, 0));
    put64(t + 48 + 8, 0);
    assert_int_equal(acpi_parse_dmar(t, &io, err, sizeof(err)), -1);
    assert_string_equal(err, "acpi: DMAR: DRHD at offset 48 has no register base");
    put64(t + 48 + 8, 0xfed90000);
    put64(t + 64 + 16, 0x1000);
    assert_int_equal(acpi_parse_dmar(t, &io, err, sizeof(err)), -1);
    assert_string_equal(err, "acpi: DMAR: RMRR at offset 64 has limit 0x1000 below its base "
                             "0x7ec00000");
    put32(t + 4, 40);
    assert_int_equal(acpi_parse_dmar(t, &io, err, sizeof(err)), -1);
    assert_string_equal(err, "acpi: DMAR too short (40 bytes, at least 48)");
}

static void test_dmar_more_units_than_held_is_truncated(void **state)
{
    (void)state;
    uint8_t extra[16 * 9];
    memset(extra, 0, sizeof(extra));
    for (unsigned i = 0; i < 9; i++) {
        put16(extra + 16 * i + 2, 16);
        put64(extra + 16 * i + 8, 0xfe000000 + 0x1000 * i);
    }
    fake_init();
    parse_rsdt_clean((uint64_t[]){ dmar_qemu(extra, sizeof(extra)) }, 1);
    assert_int_equal(info.iommu.unit_count, ACPI_MAX_IOMMUS);
    assert_true(info.iommu.truncated);
}

/* More reserved regions than the list holds: the rest is dropped, and
 * said to be (truncated); an IVRS shorter than its header is an error. */
static void test_iommu_reserved_truncated_and_short_ivrs(void **state)
{
    (void)state;
    uint8_t extra[24 * 17];
    memset(extra, 0, sizeof(extra));
    for (unsigned i = 0; i < 17; i++) {
        put16(extra + 24 * i, 1);           /* RMRR without device scope */
        put16(extra + 24 * i + 2, 24);
        put64(extra + 24 * i + 8, 0x7e000000 + 0x10000 * i);
        put64(extra + 24 * i + 16, 0x7e000fff + 0x10000 * i);
    }
    fake_init();
    parse_rsdt_clean((uint64_t[]){ dmar_qemu(extra, sizeof(extra)) }, 1);
    assert_int_equal(info.iommu.reserved_count, ACPI_MAX_IOMMU_RESERVED);
    assert_true(info.iommu.truncated);

    uint8_t ivrs[40] = "IVRS";
    ivrs[4] = sizeof(ivrs);
    char err[96];
    struct acpi_iommu io;
    assert_int_equal(acpi_parse_ivrs(ivrs, &io, err, sizeof(err)), -1);
    assert_string_equal(err, "acpi: IVRS too short (40 bytes, at least 48)");
}

/* QEMU's amd-iommu (its IVRS: one IOMMU described by an IVHD of type 10h
 * and one of type 11h, the same base: one unit) and an IVMD for all
 * peripherals. */
static uint64_t ivrs_qemu(void)
{
    uint64_t phys;
    uint8_t *t = table_new("IVRS", 48 + 24 + 40 + 32, &phys);
    put32(t + 36, 0x00203040);              /* IVinfo: PASize (bits 14:8) 0x30, 48 bits */
    uint8_t *h = t + 48;
    h[0] = 0x10;
    put16(h + 2, 24);
    put16(h + 4, 0x0010);                   /* the IOMMU is 00:02.0 */
    put64(h + 8, 0xfeb00000);
    h = t + 72;
    h[0] = 0x11;
    put16(h + 2, 40);
    put16(h + 4, 0x0010);
    put64(h + 8, 0xfeb00000);
    uint8_t *m = t + 112;
    m[0] = 0x20;
    put16(m + 2, 32);
    put64(m + 16, 0x7f000000);
    put64(m + 24, 0x100000);
    table_finish(t);
    return phys;
}

static void test_ivrs_of_qemu_amd_iommu(void **state)
{
    (void)state;
    fake_init();
    parse_rsdt_clean((uint64_t[]){ ivrs_qemu() }, 1);
    assert_int_equal(info.iommu.type, ACPI_IOMMU_AMDVI);
    assert_int_equal(info.iommu.addr_bits, 0x30);
    assert_int_equal(info.iommu.unit_count, 1);
    assert_int_equal(info.iommu.units[0].base, 0xfeb00000);
    assert_int_equal(info.iommu.units[0].device, 0x0010);
    assert_int_equal(info.iommu.reserved_count, 1);
    assert_int_equal(info.iommu.reserved[0].base, 0x7f000000);
    assert_int_equal(info.iommu.reserved[0].end, 0x7f100000);

    char err[160];
    struct acpi_iommu io;
    uint8_t *t = at(info.iommu_table);
    put16(t + 72 + 2, 24);                  /* an 11h IVHD needs 40 bytes */
    assert_int_equal(acpi_parse_ivrs(t, &io, err, sizeof(err)), -1);
    assert_string_equal(err, "acpi: IVRS: block type 0x11 at offset 72: length 24 (min 40, table 144)");
    put16(t + 72 + 2, 40);
    put64(t + 112 + 24, UINT64_MAX);
    assert_int_equal(acpi_parse_ivrs(t, &io, err, sizeof(err)), -1);
    assert_string_equal(err, "acpi: IVRS: IVMD at offset 112 wraps (start 0x7f000000, length "
                             "0xffffffffffffffff)");
    put64(t + 112 + 24, 0x100000);
    put64(t + 48 + 8, 0);
    assert_int_equal(acpi_parse_ivrs(t, &io, err, sizeof(err)), -1);
    assert_string_equal(err, "acpi: IVRS: IVHD at offset 48 has no register base");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mcfg_ecam_window),
        cmocka_unit_test(test_spcr_io_16550),
        cmocka_unit_test(test_spcr_retarget_names_the_guests_uart),
        cmocka_unit_test(test_spcr_mmio_widths_and_baud),
        cmocka_unit_test(test_spcr_not_a_16550),
        cmocka_unit_test(test_spcr_malformed_is_ignored_with_a_warning),
        cmocka_unit_test(test_checksum_ok),
        cmocka_unit_test(test_madt_ioapics_and_overrides),
        cmocka_unit_test(test_madt_without_ioapic),
        cmocka_unit_test(test_checksum_wraps_modulo_256),
        cmocka_unit_test(test_parse_null_rsdp),
        cmocka_unit_test(test_parse_short_rsdp),
        cmocka_unit_test(test_parse_bad_rsdp_signature),
        cmocka_unit_test(test_parse_bad_rsdp_checksum),
        cmocka_unit_test(test_parse_error_message_truncated),
        cmocka_unit_test(test_parse_empty_rsdt),
        cmocka_unit_test(test_parse_rsdt_not_mapped),
        cmocka_unit_test(test_parse_rsdt_bad_checksum),
        cmocka_unit_test(test_parse_rsdt_bad_length),
        cmocka_unit_test(test_parse_rsdt_runs_past_mapping),
        cmocka_unit_test(test_parse_rsdt_wrong_signature),
        cmocka_unit_test(test_parse_rsdt_lists_tables),
        cmocka_unit_test(test_parse_ignores_other_tables),
        cmocka_unit_test(test_parse_unmapped_entry_warns_and_continues),
        cmocka_unit_test(test_parse_rsdt_trailing_partial_entry_ignored),
        cmocka_unit_test(test_parse_prefers_xsdt),
        cmocka_unit_test(test_parse_xsdt_bad_extended_checksum_uses_rsdt),
        cmocka_unit_test(test_parse_xsdt_needs_whole_v2_rsdp),
        cmocka_unit_test(test_parse_xsdt_bad_rsdp_length_uses_rsdt),
        cmocka_unit_test(test_parse_xsdt_address_zero_uses_rsdt),
        cmocka_unit_test(test_parse_revision_below_2_ignores_xsdt),
        cmocka_unit_test(test_parse_corrupt_xsdt_is_an_error),
        cmocka_unit_test(test_parse_xsdt_entries_are_64_bit),
        cmocka_unit_test(test_root_drop_hides_a_table),
        cmocka_unit_test(test_parse_without_warn_callback),
        cmocka_unit_test(test_madt_bad_checksum_skipped),
        cmocka_unit_test(test_table_bad_length_skipped),
        cmocka_unit_test(test_table_body_not_mapped_skipped),
        cmocka_unit_test(test_madt_shorter_than_44_ignored),
        cmocka_unit_test(test_fadt_bad_checksum_skipped),
        cmocka_unit_test(test_madt_enabled_disabled_online_capable),
        cmocka_unit_test(test_madt_x2apic_entries),
        cmocka_unit_test(test_madt_lapic_address_override),
        cmocka_unit_test(test_madt_short_entries_skipped),
        cmocka_unit_test(test_madt_longer_entries_accepted),
        cmocka_unit_test(test_madt_entry_length_below_2_stops_walk),
        cmocka_unit_test(test_madt_entry_past_end_stops_walk),
        cmocka_unit_test(test_madt_single_trailing_byte),
        cmocka_unit_test(test_madt_truncated_at_max_cpus),
        cmocka_unit_test(test_madt_exactly_max_cpus_not_truncated),
        cmocka_unit_test(test_parse_madt_directly),
        cmocka_unit_test(test_parse_madt_without_entries),
        cmocka_unit_test(test_fadt_qemu),
        cmocka_unit_test(test_fadt_pm1b),
        cmocka_unit_test(test_fadt_x_dsdt_preferred),
        cmocka_unit_test(test_fadt_x_dsdt_zero_keeps_dsdt),
        cmocka_unit_test(test_fadt_x_dsdt_needs_148_bytes),
        cmocka_unit_test(test_fadt_x_dsdt_only),
        cmocka_unit_test(test_fadt_x_pm1a_cnt_fallback),
        cmocka_unit_test(test_fadt_32_bit_pm1_cnt_wins),
        cmocka_unit_test(test_fadt_x_pm1_cnt_in_memory_space_ignored),
        cmocka_unit_test(test_fadt_x_pm1_cnt_needs_whole_field),
        cmocka_unit_test(test_fadt_pm_timer),
        cmocka_unit_test(test_dmar_of_qemu_intel_iommu),
        cmocka_unit_test(test_dmar_errors_are_named_and_the_table_ignored),
        cmocka_unit_test(test_dmar_more_units_than_held_is_truncated),
        cmocka_unit_test(test_ivrs_of_qemu_amd_iommu),
        cmocka_unit_test(test_iommu_reserved_truncated_and_short_ivrs),
        cmocka_unit_test(test_fadt_between_44_and_72_bytes),
        cmocka_unit_test(test_fadt_short),
        cmocka_unit_test(test_dsdt_via_x_dsdt),
        cmocka_unit_test(test_dsdt_bad_checksum),
        cmocka_unit_test(test_dsdt_not_mapped),
        cmocka_unit_test(test_dsdt_wrong_signature),
        cmocka_unit_test(test_dsdt_without_s5),
        cmocka_unit_test(test_dsdt_empty_body),
        cmocka_unit_test(test_s5_only_inside_dsdt_length),
        cmocka_unit_test(test_s5_name_package),
        cmocka_unit_test(test_s5_root_prefix),
        cmocka_unit_test(test_s5_qemu_zero_package),
        cmocka_unit_test(test_s5_one_and_ones),
        cmocka_unit_test(test_s5_word_and_dword_prefix),
        cmocka_unit_test(test_s5_multibyte_pkglength),
        cmocka_unit_test(test_s5_without_nameop_ignored),
        cmocka_unit_test(test_s5_first_named_package_wins),
        cmocka_unit_test(test_s5_one_element),
        cmocka_unit_test(test_s5_first_element_not_integer),
        cmocka_unit_test(test_s5_truncated),
        cmocka_unit_test(test_s5_empty_and_tiny),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
