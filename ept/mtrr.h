/*
 * mtrr.h - memory types from the MTRRs (pure; host unit tested).
 * SDM Vol. 3A, 13.11 "Memory Type Range Registers (MTRRs)".
 */
#ifndef MTRR_H
#define MTRR_H

#include <stdbool.h>
#include <stdint.h>

#define MSR_MTRRCAP          0xFE
#define MSR_MTRR_DEF_TYPE    0x2FF
#define MSR_MTRR_PHYSBASE0   0x200      /* PHYSBASEn = 0x200 + 2n, PHYSMASKn = 0x201 + 2n */
#define MSR_MTRR_FIX64K      0x250
#define MSR_MTRR_FIX16K_80   0x258
#define MSR_MTRR_FIX16K_A0   0x259
#define MSR_MTRR_FIX4K_C0    0x268      /* .. 0x26F */
#define MTRR_MAX_VAR         16
#define MTRR_FIXED_BYTES     88         /* 8 x 64K + 16 x 16K + 64 x 4K ranges below 1 MiB */

struct mtrr_state {
    bool enabled;                   /* IA32_MTRR_DEF_TYPE.E */
    bool fixed_enabled;             /* IA32_MTRR_DEF_TYPE.FE (and MTRRCAP.FIX) */
    uint8_t def_type;
    uint8_t fixed[MTRR_FIXED_BYTES];
    unsigned nvar;
    uint64_t base[MTRR_MAX_VAR];    /* PHYSBASEn */
    uint64_t mask[MTRR_MAX_VAR];    /* PHYSMASKn (bit 11: valid) */
    uint64_t addr_mask;             /* bits 51..12 of a physical address on this CPU */
};

/* Raw MSR values, as read by the hardware shell. */
struct mtrr_msrs {
    uint64_t cap, def_type;
    uint64_t fix64k, fix16k[2], fix4k[8];
    uint64_t physbase[MTRR_MAX_VAR], physmask[MTRR_MAX_VAR];
    unsigned phys_bits;             /* CPUID.80000008H:EAX[7:0], 36 if unknown */
};

/* mtrr_decode - the state from raw MSRs (variable ranges beyond MTRRCAP.VCNT ignored). */
void mtrr_decode(const struct mtrr_msrs *raw, struct mtrr_state *m);

/* mtrr_state_none - MTRRs absent: everything write-back, as CPUs without
 * MTRRs (and emulators) behave. */
void mtrr_state_none(struct mtrr_state *m);

/*
 * mtrr_range_type - the memory type of the naturally aligned range
 * [addr, addr + size) (size a power of two, at least 4 KiB), or -1 when
 * the MTRRs give it more than one type (the caller maps smaller pages).
 */
int mtrr_range_type(const struct mtrr_state *m, uint64_t addr, uint64_t size);

#endif
