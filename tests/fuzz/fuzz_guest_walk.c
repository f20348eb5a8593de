// covers: kernel/guest_walk.c
/*
 * fuzz_guest_walk.c - the guest page-table walker (kernel/guest_walk.c) on
 * page tables the input writes into a small fake guest memory:
 *
 *   flags byte: bit 0 CR0.PG, 1 CR4.PAE, 2 EFER.LMA, 3 CR4.LA57,
 *               4 CR4.PSE, 5 EFER.NXE, 6 CR0.PE
 *   CR3 (8 bytes, little-endian), the linear address (8 bytes),
 *   then records of a 2-byte qword index (mod MEM_QWORDS) and the
 *   8-byte value stored there; the rest of memory is zero.
 *
 * Memory is MEM_PAGES pages at guest-physical 0; reads beyond fail.
 *
 * Checks: every read is of an aligned qword below 2^52 and indexes the
 * fake memory in bounds; a walk makes at most as many reads as its mode
 * has levels (so it terminates); the result is one of the enum and has a
 * name. A translation keeps the page offset, is below 2^52 (2^40 with
 * 32-bit paging, 2^32 without paging, where it is the identity); failures
 * leave *gpa alone. Linear-address bits the mode does not translate do not
 * change the outcome.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "../../kernel/guest_walk.h"

#define MEM_PAGES 16
#define MEM_QWORDS (MEM_PAGES * 4096 / 8)
#define SENTINEL 0x5EA5EA5EA5EA5EA5ull

struct mem {
    uint64_t q[MEM_QWORDS];
    unsigned reads;
};

static struct mem mem;

static bool read64(void *ctx, uint64_t gpa, uint64_t *val)
{
    struct mem *m = ctx;
    if (m != &mem || gpa % 8 != 0 || gpa >= (1ull << 52))
        __builtin_trap();
    m->reads++;
    if (gpa / 8 >= MEM_QWORDS)
        return false;
    *val = m->q[gpa / 8];
    return true;
}

static uint64_t le64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

static enum guest_walk_result walk(const struct guest_paging *p, uint64_t lin, uint64_t *gpa)
{
    mem.reads = 0;
    *gpa = SENTINEL;
    return guest_walk(p, lin, read64, &mem, gpa);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 17)
        return 0;
    uint8_t f = data[0];
    struct guest_paging p = {
        .cr0 = (f & 1 ? 1ull << 31 : 0) | (f & 64 ? 1 : 0),
        .cr3 = le64(data + 1),
        .cr4 = (f & 2 ? 1ull << 5 : 0) | (f & 8 ? 1ull << 12 : 0) | (f & 16 ? 1ull << 4 : 0),
        .efer = (f & 4 ? 1ull << 10 | 1ull << 8 : 0) | (f & 32 ? 1ull << 11 : 0),
    };
    uint64_t lin = le64(data + 9);

    memset(&mem, 0, sizeof(mem));
    for (size_t i = 17; i + 10 <= size; i += 10)
        mem.q[(data[i] | data[i + 1] << 8) % MEM_QWORDS] = le64(data + i + 2);

    /* The mode, its number of levels, and the linear bits it ignores. */
    unsigned levels;
    uint64_t ignored;
    if (!(f & 1)) {
        levels = 0;
        ignored = 0xFFFFFFFF00000000ull;
    } else if (!(f & 2)) {
        levels = 2;
        ignored = 0xFFFFFFFF00000000ull;
    } else if (!(f & 4)) {
        levels = 3;
        ignored = 0xFFFFFFFF00000000ull;
    } else if (!(f & 8)) {
        levels = 4;
        ignored = 0xFFFF000000000000ull;
    } else {
        levels = 5;
        ignored = 0xFE00000000000000ull;
    }

    uint64_t gpa, gpa2;
    enum guest_walk_result r = walk(&p, lin, &gpa);
    unsigned reads = mem.reads;
    if (r != GW_OK && r != GW_NOT_PRESENT && r != GW_BAD_READ && r != GW_RESERVED)
        __builtin_trap();
    const char *name = guest_walk_result_name(r);
    if (!name || strcmp(name, "?") == 0)
        __builtin_trap();
    if (reads > levels || (r != GW_OK && reads == 0))
        __builtin_trap();
    if (r == GW_OK) {
        if ((gpa & 0xFFF) != (lin & 0xFFF) || gpa >= (1ull << 52))
            __builtin_trap();
        if (levels == 0 && gpa != (uint32_t)lin)
            __builtin_trap();
        if (levels == 2 && gpa >= (1ull << 40))
            __builtin_trap();
    } else if (gpa != SENTINEL) {
        __builtin_trap();
    }

    /* Flipping untranslated linear bits changes nothing. */
    enum guest_walk_result r2 = walk(&p, lin ^ ignored, &gpa2);
    if (r2 != r || mem.reads != reads || (r == GW_OK && gpa2 != gpa))
        __builtin_trap();
    return 0;
}
