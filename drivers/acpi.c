/*
 * acpi.c - ACPI discovery and S5 power-off (ACPI 6.5, 4.8.3.2 "PM1 Control
 * Registers" and 16.1.5 "Sleeping States").
 */
#include "acpi.h"

#include "../kernel/efi.h"
#include "../kernel/kstring.h"

#include "../kernel/mem.h"
#include "../kernel/printk.h"
#include "../kernel/x86.h"

#define PM1_SCI_EN      (1u << 0)
#define PM1_SLP_TYP_SHIFT 10
#define PM1_SLP_TYP_MASK (7u << PM1_SLP_TYP_SHIFT)
#define PM1_SLP_EN      (1u << 13)
#define IDENTITY_LIMIT  (4ull << 30)

static struct acpi_info info;

/* Tables are read through the identity map of the low 4 GiB. */
static const void *map_identity(void *ctx, uint64_t phys, size_t len)
{
    (void)ctx;
    if (phys == 0 || phys >= IDENTITY_LIMIT || len > IDENTITY_LIMIT - phys)
        return 0;
    return phys_ptr(phys);
}

static void warn(void *ctx, const char *msg)
{
    (void)ctx;
    kprintf("warning: %s\n", msg);
}

int acpi_init(const void *rsdp, size_t rsdp_len)
{
    char err[96];
    if (acpi_parse(rsdp, rsdp_len, map_identity, warn, 0, &info, err, sizeof(err))) {
        kprintf("warning: %s; cores and ACPI power-off unknown\n", err);
        return -1;
    }
    return 0;
}

uint64_t acpi_rsdp_from_efi(uint64_t system_table)
{
    char err[96];
    uint64_t pa = efi_find_rsdp(system_table, map_identity, 0, err, sizeof(err));
    if (!pa)
        kprintf("warning: %s; a Linux guest is not told where ACPI is\n", err);
    return pa;
}

static unsigned drop_from(uint64_t root_pa, size_t entry_size, uint64_t phys)
{
    const uint8_t *h = map_identity(0, root_pa, 36);
    uint32_t len;
    if (!h)
        return 0;
    memcpy(&len, h + 4, 4);
    void *root = (void *)map_identity(0, root_pa, len);
    return root && acpi_checksum_ok(root, len) ? acpi_root_drop(root, entry_size, phys) : 0;
}

unsigned acpi_hide_table(const void *rsdp, size_t rsdp_len, uint64_t phys)
{
    const uint8_t *r = rsdp;
    uint32_t rsdt = 0;
    uint64_t xsdt = 0;
    if (!r || rsdp_len < 20 || !phys)
        return 0;
    memcpy(&rsdt, r + 16, 4);
    if (r[15] >= 2 && rsdp_len >= 36)
        memcpy(&xsdt, r + 24, 8);
    return (rsdt ? drop_from(rsdt, 4, phys) : 0) + (xsdt ? drop_from(xsdt, 8, phys) : 0);
}

int acpi_spcr_for_guest(uint16_t port, uint8_t irq, uint32_t gsi)
{
    const uint8_t *h = info.spcr.phys ? map_identity(0, info.spcr.phys, 36) : 0;
    uint32_t len;
    if (!h)
        return -1;
    memcpy(&len, h + 4, 4);
    void *t = (void *)map_identity(0, info.spcr.phys, len);
    return t ? acpi_spcr_retarget(t, port, irq, gsi) : -1;
}

const struct acpi_info *acpi(void)
{
    return &info;
}

static void sleep_s5(uint16_t port, uint8_t slp_typ)
{
    uint16_t v = inw(port);
    v = (uint16_t)((v & ~PM1_SLP_TYP_MASK) | ((uint32_t)slp_typ << PM1_SLP_TYP_SHIFT) | PM1_SLP_EN);
    outw(port, v);
}

void acpi_poweroff(void)
{
    if (!info.have_fadt || !info.pm1a_cnt || !info.have_s5)
        return;
    /* Hand ACPI over from SMM if the firmware has not (ACPI 6.5, 16.3.1). */
    if (info.smi_cmd && info.acpi_enable && !(inw(info.pm1a_cnt) & PM1_SCI_EN)) {
        outb((uint16_t)info.smi_cmd, info.acpi_enable);
        for (int i = 0; i < 1000000 && !(inw(info.pm1a_cnt) & PM1_SCI_EN); i++)
            cpu_relax();
    }
    sleep_s5(info.pm1a_cnt, info.slp_typa);
    if (info.pm1b_cnt)
        sleep_s5(info.pm1b_cnt, info.slp_typb);
    for (int i = 0; i < 1000000; i++)
        cpu_relax();
}
