/*
 * mtrr.c - MTRR decoding and range types; see mtrr.h.
 */
#include "mtrr.h"

#include "../kernel/kstring.h"
#include "../kernel/x86_regs.h"

#define MTRRCAP_VCNT(c)    ((unsigned)((c) & 0xFF))
#define MTRRCAP_FIX        (1ull << 8)
#define DEF_TYPE_FE        (1ull << 10)
#define DEF_TYPE_E         (1ull << 11)
#define PHYSMASK_VALID     (1ull << 11)
#define ONE_MIB            0x100000ull

void mtrr_state_none(struct mtrr_state *m)
{
    memset(m, 0, sizeof(*m));
    m->enabled = true;
    m->def_type = MEMTYPE_WB;
    m->addr_mask = ((1ull << 36) - 1) & ~0xFFFull;
}

void mtrr_decode(const struct mtrr_msrs *raw, struct mtrr_state *m)
{
    memset(m, 0, sizeof(*m));
    unsigned bits = raw->phys_bits ? raw->phys_bits : 36;
    if (bits > 52)
        bits = 52;
    m->addr_mask = ((1ull << bits) - 1) & ~0xFFFull;
    m->enabled = raw->def_type & DEF_TYPE_E;
    m->fixed_enabled = (raw->def_type & DEF_TYPE_FE) && (raw->cap & MTRRCAP_FIX);
    m->def_type = (uint8_t)raw->def_type;
    /* Fixed ranges (13.11.2.2): one byte per range, low byte first. */
    const uint64_t *regs[11] = { &raw->fix64k, &raw->fix16k[0], &raw->fix16k[1] };
    for (unsigned i = 0; i < 8; i++)
        regs[3 + i] = &raw->fix4k[i];
    for (unsigned r = 0; r < 11; r++)
        for (unsigned b = 0; b < 8; b++)
            m->fixed[r * 8 + b] = (uint8_t)(*regs[r] >> (8 * b));
    m->nvar = MTRRCAP_VCNT(raw->cap);
    if (m->nvar > MTRR_MAX_VAR)
        m->nvar = MTRR_MAX_VAR;
    for (unsigned i = 0; i < m->nvar; i++) {
        m->base[i] = raw->physbase[i];
        m->mask[i] = raw->physmask[i];
    }
}

/* Fixed-range type of the byte at addr < 1 MiB. */
static uint8_t fixed_type(const struct mtrr_state *m, uint64_t addr)
{
    if (addr < 0x80000)
        return m->fixed[addr >> 16];                        /* 8 x 64 KiB */
    if (addr < 0xC0000)
        return m->fixed[8 + ((addr - 0x80000) >> 14)];      /* 16 x 16 KiB */
    return m->fixed[24 + ((addr - 0xC0000) >> 12)];         /* 64 x 4 KiB */
}

/* Combine the types of overlapping variable ranges (13.11.4.1): UC wins,
 * WT beats WB; any other mix is undefined and treated as UC. */
static int combine(int a, int b)
{
    if (a < 0)
        return b;
    if (a == b)
        return a;
    if (a == MEMTYPE_UC || b == MEMTYPE_UC)
        return MEMTYPE_UC;
    if ((a == MEMTYPE_WT && b == MEMTYPE_WB) || (a == MEMTYPE_WB && b == MEMTYPE_WT))
        return MEMTYPE_WT;
    return MEMTYPE_UC;
}

/* Variable-range type of [addr, addr+size), or -2 if mixed. */
static int variable_type(const struct mtrr_state *m, uint64_t addr, uint64_t size)
{
    int type = -1;
    for (unsigned i = 0; i < m->nvar; i++) {
        if (!(m->mask[i] & PHYSMASK_VALID))
            continue;
        uint64_t mask = m->mask[i] & m->addr_mask, base = m->base[i] & m->addr_mask;
        /* The MTRR covers blocks of (lowest set mask bit) bytes. */
        uint64_t block = mask ? (mask & -mask) : (m->addr_mask + 0x1000);
        bool hit;
        if (size && !(size & (size - 1)) && !(addr & (size - 1))) {
            /* An aligned power-of-two range (every caller's): the MTRR
             * matches some byte of it when the address bits above the
             * range agree, and all of it when the mask has no bit inside
             * the range. Exact for any mask, a non-contiguous one too
             * (13.11.3 only advises against those; fuzz_ept found one
             * matching every eighth page). */
            if ((addr ^ base) & mask & ~(size - 1))
                continue;
            if (mask & (size - 1))
                return -2;
            hit = true;
        } else if (block >= size) {
            hit = (addr & mask) == (base & mask);
        } else {
            /* Smaller than the range: mixed if its block lies inside.
             * Masks are taken as contiguous, as 13.11.3 advises. */
            uint64_t start = base & mask;
            if (start < addr + size && start + block > addr)
                return -2;
            hit = false;
        }
        if (hit)
            type = combine(type, (int)(m->base[i] & 0xFF));
    }
    return type < 0 ? m->def_type : type;
}

int mtrr_range_type(const struct mtrr_state *m, uint64_t addr, uint64_t size)
{
    if (!m->enabled)
        return MEMTYPE_UC;      /* MTRRs disabled: everything UC (13.11.2.1) */
    if (m->fixed_enabled && addr < ONE_MIB) {
        if (addr + size > ONE_MIB)
            return -1;          /* straddles fixed and variable ranges */
        int t = fixed_type(m, addr);
        for (uint64_t a = addr; a < addr + size; a += 0x1000)
            if (fixed_type(m, a) != t)
                return -1;
        return t;
    }
    int t = variable_type(m, addr, size);
    return t == -2 ? -1 : t;
}
