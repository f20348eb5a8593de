// covers: kernel/efi.c drivers/acpi_tables.c kernel/fmt.c kernel/kstring.c
/*
 * fuzz_efi.c - the EFI system table walk (kernel/efi.c) on arbitrary
 * memory: the input is physical memory from 0x7F000000, the system table
 * at its start. The map hands out exactly the bytes asked for when they
 * lie inside the input (copied into a buffer of that size, so ASan sees
 * any read past what was mapped). A found RSDP must lie inside the input
 * and be one; a miss must say why.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../kernel/efi.h"

#define BASE 0x7F000000ull

struct memory {
    const uint8_t *data;
    size_t size;
    void *maps[64];
    unsigned n;
};

static const void *map(void *ctx, uint64_t phys, size_t len)
{
    struct memory *m = ctx;
    if (phys < BASE || phys - BASE > m->size || len > m->size - (phys - BASE) || m->n == 64)
        return 0;
    void *p = malloc(len ? len : 1);
    memcpy(p, m->data + (phys - BASE), len);
    m->maps[m->n++] = p;
    return p;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct memory m = { data, size, { 0 }, 0 };
    char err[96] = "";
    uint64_t pa = efi_find_rsdp(BASE, map, &m, err, sizeof(err));
    if (pa) {
        if (pa < BASE || pa - BASE + 20 > size || memcmp(data + (pa - BASE), "RSD PTR ", 8) ||
            !acpi_checksum_ok(data + (pa - BASE), 20))
            __builtin_trap();
    } else if (strncmp(err, "efi: ", 5)) {
        __builtin_trap();
    }
    for (unsigned i = 0; i < m.n; i++)
        free(m.maps[i]);
    return 0;
}
