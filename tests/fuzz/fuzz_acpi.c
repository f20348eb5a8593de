// covers: drivers/acpi_tables.c kernel/fmt.c
/*
 * fuzz_acpi.c - the ACPI table parser (drivers/acpi_tables.c) on a fake
 * physical memory built from the input: the first 36 bytes are the RSDP copy
 * (as the Multiboot2 tag gives it), the rest a window mapped at WIN_BASE.
 * The map callback refuses any request not wholly inside the window; both
 * are heap buffers of exact size, so ASan catches every read past a table
 * or past what was mapped. acpi_find_s5 also runs on the raw input.
 *
 * Checks: warnings and errors are terminated strings of their buffers,
 * cpu_count <= ACPI_MAX_CPUS, \_S5 is only found through a FADT's DSDT, a
 * DMAR or IVRS acpi_root_drop removed from the root table is not found
 * again, and an SPCR acpi_spcr_retarget rewrote parses again, checksum
 * right, as the 16550 at the port it was given (what the guest reads).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../drivers/acpi_tables.h"

#define RSDP_LEN 36
#define WIN_BASE 0xE0000ull     /* where the window appears; the seed's tables point here */

struct window {
    uint8_t *mem;
    size_t len;
};

static const void *win_map(void *ctx, uint64_t phys, size_t len)
{
    const struct window *w = ctx;
    if (phys < WIN_BASE || phys - WIN_BASE > w->len || len > w->len - (phys - WIN_BASE))
        return NULL;
    return w->mem + (phys - WIN_BASE);
}

static void win_warn(void *ctx, const char *msg)
{
    (void)ctx;
    if (strlen(msg) >= 128)     /* formatted into 128 bytes */
        __builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct acpi_info info;
    char err[96];
    uint8_t a, b;

    acpi_find_s5(data, size, &a, &b);

    size_t rsdp_len = size < RSDP_LEN ? size : RSDP_LEN;
    uint8_t *rsdp = malloc(rsdp_len);
    memcpy(rsdp, data, rsdp_len);
    struct window w = { malloc(size - rsdp_len), size - rsdp_len };
    memcpy(w.mem, data + rsdp_len, w.len);

    if (acpi_parse(rsdp, rsdp_len, win_map, win_warn, &w, &info, err, sizeof(err)) == 0) {
        if (info.cpu_count > ACPI_MAX_CPUS)
            __builtin_trap();
        if (info.have_s5 && (!info.have_fadt || !info.dsdt))
            __builtin_trap();
        /* The IOMMU's table dropped from the root table the walk used:
         * the walk must find it no more (what a guest then reads). */
        const uint8_t *h = win_map(&w, info.root_table, 8);
        uint32_t rlen;
        if (info.iommu_table && h) {
            memcpy(&rlen, h + 4, 4);
            uint8_t *root = (uint8_t *)win_map(&w, info.root_table, rlen);
            uint64_t dropped = info.iommu_table;
            if (root && acpi_root_drop(root, memcmp(root, "XSDT", 4) ? 4 : 8, dropped) &&
                acpi_parse(rsdp, rsdp_len, win_map, win_warn, &w, &info, err, sizeof(err)) == 0 &&
                info.iommu_table == dropped)
                __builtin_trap();
        }
        if (info.spcr.present) {
            const uint8_t *sh = win_map(&w, info.spcr.phys, 8);
            uint32_t slen;
            memcpy(&slen, sh + 4, 4);
            uint8_t *spcr = (uint8_t *)win_map(&w, info.spcr.phys, slen);
            struct acpi_spcr again;
            if (!spcr || acpi_spcr_retarget(spcr, 0x3F8, 4, 4) || !acpi_checksum_ok(spcr, slen) ||
                acpi_parse_spcr(spcr, &again, err, sizeof(err)) || !acpi_spcr_is_16550(&again) ||
                again.space != SPCR_SPACE_IO || again.address != 0x3F8 || again.irq != 4 ||
                again.pci_vendor != 0xFFFF)
                __builtin_trap();
        }
    } else if (!memchr(err, 0, sizeof(err))) {
        __builtin_trap();
    }
    free(w.mem);
    free(rsdp);
    return 0;
}
