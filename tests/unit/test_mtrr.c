// covers: ept/mtrr.c
/*
 * test_mtrr.c - host unit tests of MTRR decoding and range types
 * (ept/mtrr.c; SDM Vol. 3A, 13.11). States are built through mtrr_decode
 * from raw MSR values, as the hardware shell reads them.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "../../ept/mtrr.h"
#include "../../vmx/vmx_defs.h"

#define KiB 1024ull
#define MiB (1024ull * KiB)
#define GiB (1024ull * MiB)
#define PG  0x1000ull

#define UC MEMTYPE_UC
#define WC MEMTYPE_WC
#define WT MEMTYPE_WT
#define WP MEMTYPE_WP
#define WB MEMTYPE_WB

#define CAP_FIX   (1ull << 8)
#define CAP_WC    (1ull << 10)
#define DEF_FE    (1ull << 10)
#define DEF_E     (1ull << 11)
#define VALID     (1ull << 11)

/* Eight bytes of one type: a fixed-range MSR giving all its ranges type t. */
#define FIX_ALL(t) (0x0101010101010101ull * (t))

/* PHYSMASK of a naturally aligned range of size bytes on a 36-bit CPU. */
static uint64_t mask36(uint64_t size)
{
    return (~(size - 1) & ((1ull << 36) - 1)) | VALID;
}

/* A typical firmware layout (SeaBIOS/QEMU, most PCs): MTRRs and fixed
 * ranges on, default WB; below 1 MiB WB RAM, UC VGA window [0xA0000,
 * 0xC0000), WP ROMs [0xC0000, 1 MiB); one variable range making
 * [0xC0000000, 4 GiB) UC for the PCI hole. */
static struct mtrr_msrs typical(void)
{
    struct mtrr_msrs r;
    memset(&r, 0, sizeof(r));
    r.cap = CAP_WC | CAP_FIX | 8;
    r.def_type = DEF_E | DEF_FE | WB;
    r.fix64k = FIX_ALL(WB);
    r.fix16k[0] = FIX_ALL(WB);
    r.fix16k[1] = FIX_ALL(UC);
    for (unsigned i = 0; i < 8; i++)
        r.fix4k[i] = FIX_ALL(WP);
    r.physbase[0] = 0xC0000000ull | UC;
    r.physmask[0] = mask36(1 * GiB);
    r.phys_bits = 36;
    return r;
}

/* The typical layout with byte i of the 88 fixed ranges (FIX64K_00000
 * byte 0 first, FIX4K_F8000 byte 7 last) holding the value i. */
static struct mtrr_msrs numbered_fixed(void)
{
    struct mtrr_msrs r = typical();
    uint64_t *regs[11] = { &r.fix64k, &r.fix16k[0], &r.fix16k[1] };
    for (unsigned i = 0; i < 8; i++)
        regs[3 + i] = &r.fix4k[i];
    for (unsigned reg = 0; reg < 11; reg++) {
        *regs[reg] = 0;
        for (unsigned b = 0; b < 8; b++)
            *regs[reg] |= (uint64_t)(reg * 8 + b) << (8 * b);
    }
    return r;
}

/* Default WB, no fixed ranges, variable ranges set by the test. */
static struct mtrr_msrs variable_only(void)
{
    struct mtrr_msrs r;
    memset(&r, 0, sizeof(r));
    r.cap = 8;
    r.def_type = DEF_E | WB;
    r.phys_bits = 36;
    return r;
}

static void set_var(struct mtrr_msrs *r, unsigned i, uint64_t base, uint64_t size, unsigned type)
{
    r->physbase[i] = base | type;
    r->physmask[i] = mask36(size);
}

static struct mtrr_state decode(const struct mtrr_msrs *r)
{
    struct mtrr_state m;
    memset(&m, 0x5A, sizeof(m));
    mtrr_decode(r, &m);
    return m;
}

/* ---- mtrr_state_none ------------------------------------------------------- */

static void test_none_fields(void **state)
{
    (void)state;
    struct mtrr_state m;
    memset(&m, 0x5A, sizeof(m));
    mtrr_state_none(&m);
    assert_true(m.enabled);
    assert_false(m.fixed_enabled);
    assert_int_equal(m.def_type, WB);
    assert_int_equal(m.nvar, 0);
    assert_int_equal(m.addr_mask, 0xFFFFFF000ull);
    for (unsigned i = 0; i < MTRR_FIXED_BYTES; i++)
        assert_int_equal(m.fixed[i], 0);
}

static void test_none_is_wb_everywhere(void **state)
{
    (void)state;
    struct mtrr_state m;
    mtrr_state_none(&m);
    assert_int_equal(mtrr_range_type(&m, 0, PG), WB);
    assert_int_equal(mtrr_range_type(&m, 0xA0000, PG), WB);        /* VGA window too */
    assert_int_equal(mtrr_range_type(&m, 0xFF000, PG), WB);
    assert_int_equal(mtrr_range_type(&m, 0, 2 * MiB), WB);          /* across 1 MiB */
    assert_int_equal(mtrr_range_type(&m, 0, 1 * GiB), WB);
    assert_int_equal(mtrr_range_type(&m, 0xC0000000, 1 * GiB), WB);
    assert_int_equal(mtrr_range_type(&m, 0xFEE00000, 2 * MiB), WB);
    assert_int_equal(mtrr_range_type(&m, 64 * GiB, 1 * GiB), WB);
}

/* ---- mtrr_decode ------------------------------------------------------------ */

static void test_decode_fixed_byte_order(void **state)
{
    (void)state;
    struct mtrr_msrs r = numbered_fixed();
    assert_int_equal(r.fix64k, 0x0706050403020100ull);
    assert_int_equal(r.fix4k[7], 0x5756555453525150ull);
    struct mtrr_state m = decode(&r);
    for (unsigned i = 0; i < MTRR_FIXED_BYTES; i++)
        assert_int_equal(m.fixed[i], i);
}

static void test_decode_fixed_ranges_addresses(void **state)
{
    (void)state;
    /* Byte i of the fixed ranges holds i: the type of a page says which
     * byte governs it. */
    struct mtrr_msrs r = numbered_fixed();
    struct mtrr_state m = decode(&r);
    /* FIX64K_00000: 0 - 0x7FFFF in 64 KiB steps. */
    assert_int_equal(mtrr_range_type(&m, 0x00000, PG), 0);
    assert_int_equal(mtrr_range_type(&m, 0x0F000, PG), 0);
    assert_int_equal(mtrr_range_type(&m, 0x10000, PG), 1);
    assert_int_equal(mtrr_range_type(&m, 0x70000, PG), 7);
    assert_int_equal(mtrr_range_type(&m, 0x7F000, PG), 7);
    assert_int_equal(mtrr_range_type(&m, 0x10000, 64 * KiB), 1);
    /* FIX16K_80000 and FIX16K_A0000: 0x80000 - 0xBFFFF in 16 KiB steps. */
    assert_int_equal(mtrr_range_type(&m, 0x80000, PG), 8);
    assert_int_equal(mtrr_range_type(&m, 0x83000, PG), 8);
    assert_int_equal(mtrr_range_type(&m, 0x84000, PG), 9);
    assert_int_equal(mtrr_range_type(&m, 0x9C000, PG), 15);
    assert_int_equal(mtrr_range_type(&m, 0xA0000, PG), 16);
    assert_int_equal(mtrr_range_type(&m, 0xBC000, PG), 23);
    assert_int_equal(mtrr_range_type(&m, 0xBF000, PG), 23);
    assert_int_equal(mtrr_range_type(&m, 0xA4000, 16 * KiB), 17);
    /* FIX4K_C0000 .. FIX4K_F8000: 0xC0000 - 0xFFFFF in 4 KiB steps. */
    assert_int_equal(mtrr_range_type(&m, 0xC0000, PG), 24);
    assert_int_equal(mtrr_range_type(&m, 0xC1000, PG), 25);
    assert_int_equal(mtrr_range_type(&m, 0xC8000, PG), 32);
    assert_int_equal(mtrr_range_type(&m, 0xF8000, PG), 80);
    assert_int_equal(mtrr_range_type(&m, 0xFF000, PG), 87);
    /* Different bytes in one range: mixed. */
    assert_int_equal(mtrr_range_type(&m, 0, 128 * KiB), -1);
    assert_int_equal(mtrr_range_type(&m, 0x80000, 32 * KiB), -1);
    assert_int_equal(mtrr_range_type(&m, 0xC0000, 8 * KiB), -1);
}

static void test_decode_flags_and_default(void **state)
{
    (void)state;
    struct mtrr_msrs r = typical();
    struct mtrr_state m = decode(&r);
    assert_true(m.enabled);
    assert_true(m.fixed_enabled);
    assert_int_equal(m.def_type, WB);
    assert_int_equal(m.nvar, 8);
    assert_int_equal(m.base[0], 0xC0000000ull);
    assert_int_equal(m.mask[0], 0xFC0000800ull);
    assert_int_equal(m.addr_mask, 0xFFFFFF000ull);
    /* Only DEF_TYPE bits 7:0 are the default type. */
    r.def_type = DEF_E | UC;
    m = decode(&r);
    assert_true(m.enabled);
    assert_false(m.fixed_enabled);
    assert_int_equal(m.def_type, UC);
    r.def_type = WB;
    m = decode(&r);
    assert_false(m.enabled);
    assert_false(m.fixed_enabled);
    assert_int_equal(m.def_type, WB);
}

static void test_decode_fe_needs_cap_fix(void **state)
{
    (void)state;
    struct mtrr_msrs r = typical();
    r.cap &= ~CAP_FIX;                      /* FE set, but no fixed ranges */
    struct mtrr_state m = decode(&r);
    assert_false(m.fixed_enabled);
    /* The fixed bytes say UC at 0xA0000; without them the default rules. */
    assert_int_equal(mtrr_range_type(&m, 0xA0000, PG), WB);
    r = typical();
    r.def_type &= ~DEF_FE;                  /* fixed ranges there, but off */
    m = decode(&r);
    assert_false(m.fixed_enabled);
    assert_int_equal(mtrr_range_type(&m, 0xA0000, PG), WB);
    assert_int_equal(mtrr_range_type(&m, 0, 2 * MiB), WB);
}

static void test_decode_vcnt_limits_variable_ranges(void **state)
{
    (void)state;
    struct mtrr_msrs r = variable_only();
    r.cap = 2;
    set_var(&r, 0, 0x80000000, 256 * MiB, WT);
    set_var(&r, 1, 0x90000000, 256 * MiB, WC);
    set_var(&r, 2, 0xA0000000, 256 * MiB, UC);   /* beyond VCNT: ignored */
    struct mtrr_state m = decode(&r);
    assert_int_equal(m.nvar, 2);
    assert_int_equal(m.base[1], 0x90000000ull | WC);
    assert_int_equal(m.base[2], 0);
    assert_int_equal(m.mask[2], 0);
    assert_int_equal(mtrr_range_type(&m, 0x80000000, 2 * MiB), WT);
    assert_int_equal(mtrr_range_type(&m, 0x90000000, 2 * MiB), WC);
    assert_int_equal(mtrr_range_type(&m, 0xA0000000, 2 * MiB), WB);
    /* VCNT 0: none at all. */
    r.cap = 0;
    m = decode(&r);
    assert_int_equal(m.nvar, 0);
    assert_int_equal(mtrr_range_type(&m, 0x80000000, 2 * MiB), WB);
}

static void test_decode_vcnt_clamped_to_max(void **state)
{
    (void)state;
    struct mtrr_msrs r = variable_only();
    r.cap = 0xFF;
    for (unsigned i = 0; i < MTRR_MAX_VAR; i++)
        set_var(&r, i, (uint64_t)i * 256 * MiB, 256 * MiB, WT);
    struct mtrr_state m = decode(&r);
    assert_int_equal(m.nvar, MTRR_MAX_VAR);
    assert_int_equal(m.base[MTRR_MAX_VAR - 1], 15 * 256 * MiB | WT);
    assert_int_equal(mtrr_range_type(&m, 4 * GiB - 2 * MiB, 2 * MiB), WT);
    assert_int_equal(mtrr_range_type(&m, 4 * GiB, 2 * MiB), WB);
}

static void test_decode_phys_bits(void **state)
{
    (void)state;
    struct mtrr_msrs r = variable_only();
    r.phys_bits = 0;                        /* unknown: 36 */
    assert_int_equal(decode(&r).addr_mask, 0xFFFFFF000ull);
    r.phys_bits = 36;
    assert_int_equal(decode(&r).addr_mask, 0xFFFFFF000ull);
    r.phys_bits = 39;
    assert_int_equal(decode(&r).addr_mask, 0x7FFFFFF000ull);
    r.phys_bits = 46;
    assert_int_equal(decode(&r).addr_mask, 0x3FFFFFFFF000ull);
    r.phys_bits = 52;
    assert_int_equal(decode(&r).addr_mask, 0xFFFFFFFFFF000ull);
    r.phys_bits = 64;                       /* clamped to 52 */
    assert_int_equal(decode(&r).addr_mask, 0xFFFFFFFFFF000ull);
    r.phys_bits = 255;
    assert_int_equal(decode(&r).addr_mask, 0xFFFFFFFFFF000ull);
}

static void test_decode_wider_phys_bits_keep_high_mask_bits(void **state)
{
    (void)state;
    /* On a 40-bit CPU a 1 GiB range's mask has bits 39:30; the range
     * does not repeat at 64 GiB + 3 GiB, as it would with 36 bits. */
    struct mtrr_msrs r = variable_only();
    r.phys_bits = 40;
    r.physbase[0] = 0xC0000000ull | UC;
    r.physmask[0] = (~(1 * GiB - 1) & ((1ull << 40) - 1)) | VALID;
    struct mtrr_state m = decode(&r);
    assert_int_equal(mtrr_range_type(&m, 3 * GiB, 1 * GiB), UC);
    assert_int_equal(mtrr_range_type(&m, 67 * GiB, 1 * GiB), WB);
    r.phys_bits = 36;
    m = decode(&r);
    assert_int_equal(mtrr_range_type(&m, 67 * GiB, 1 * GiB), UC);
}

/* ---- mtrr_range_type: disabled ---------------------------------------------- */

static void test_type_disabled_is_uc(void **state)
{
    (void)state;
    struct mtrr_msrs r = typical();
    r.def_type = DEF_FE | WB;               /* E clear: FE and default do not matter */
    struct mtrr_state m = decode(&r);
    assert_false(m.enabled);
    assert_int_equal(mtrr_range_type(&m, 0, PG), UC);
    assert_int_equal(mtrr_range_type(&m, 0, 2 * MiB), UC);
    assert_int_equal(mtrr_range_type(&m, 1 * GiB, 1 * GiB), UC);
    assert_int_equal(mtrr_range_type(&m, 0, 4 * GiB), UC);
}

/* ---- mtrr_range_type: fixed ranges ------------------------------------------ */

static void test_type_fixed_uniform(void **state)
{
    (void)state;
    struct mtrr_msrs r = typical();
    struct mtrr_state m = decode(&r);
    assert_int_equal(mtrr_range_type(&m, 0, PG), WB);
    assert_int_equal(mtrr_range_type(&m, 0, 512 * KiB), WB);
    assert_int_equal(mtrr_range_type(&m, 0x80000, 128 * KiB), WB);
    assert_int_equal(mtrr_range_type(&m, 0x9F000, PG), WB);
    assert_int_equal(mtrr_range_type(&m, 0xA0000, 128 * KiB), UC);
    assert_int_equal(mtrr_range_type(&m, 0xB8000, PG), UC);
    assert_int_equal(mtrr_range_type(&m, 0xC0000, 256 * KiB), WP);
    assert_int_equal(mtrr_range_type(&m, 0xFF000, PG), WP);
    /* The fixed ranges override the variable ones and the default. */
    r.def_type = DEF_E | DEF_FE | UC;
    set_var(&r, 1, 0, 1 * MiB, WT);
    m = decode(&r);
    assert_int_equal(mtrr_range_type(&m, 0x10000, PG), WB);
    assert_int_equal(mtrr_range_type(&m, 0xA0000, PG), UC);
}

static void test_type_fixed_mixed(void **state)
{
    (void)state;
    struct mtrr_state m;
    struct mtrr_msrs r = typical();
    m = decode(&r);
    assert_int_equal(mtrr_range_type(&m, 0x80000, 256 * KiB), -1);   /* WB then UC */
    assert_int_equal(mtrr_range_type(&m, 0x80000, 512 * KiB), -1);
    assert_int_equal(mtrr_range_type(&m, 0, 1 * MiB), -1);
    /* One odd 4 KiB range at the very end. */
    r.fix4k[7] = FIX_ALL(WP) & ~(0xFFull << 56);     /* 0xFF000: UC */
    m = decode(&r);
    assert_int_equal(mtrr_range_type(&m, 0xFE000, PG), WP);
    assert_int_equal(mtrr_range_type(&m, 0xFF000, PG), UC);
    assert_int_equal(mtrr_range_type(&m, 0xF8000, 32 * KiB), -1);
    assert_int_equal(mtrr_range_type(&m, 0xC0000, 256 * KiB), -1);
}

static void test_type_fixed_straddling_1m(void **state)
{
    (void)state;
    /* Even with one type for all of it, a range across 1 MiB mixes fixed
     * and variable ranges. */
    struct mtrr_msrs r = typical();
    r.fix16k[1] = FIX_ALL(WB);
    for (unsigned i = 0; i < 8; i++)
        r.fix4k[i] = FIX_ALL(WB);
    struct mtrr_state m = decode(&r);
    assert_int_equal(mtrr_range_type(&m, 0, 1 * MiB), WB);
    assert_int_equal(mtrr_range_type(&m, 0, 2 * MiB), -1);
    assert_int_equal(mtrr_range_type(&m, 0, 1 * GiB), -1);
    assert_int_equal(mtrr_range_type(&m, 1 * MiB, PG), WB);
    assert_int_equal(mtrr_range_type(&m, 2 * MiB, 2 * MiB), WB);
}

/* ---- mtrr_range_type: variable ranges --------------------------------------- */

static void test_type_variable_typical(void **state)
{
    (void)state;
    struct mtrr_msrs r = typical();
    struct mtrr_state m = decode(&r);
    /* Default WB outside the range. */
    assert_int_equal(mtrr_range_type(&m, 1 * MiB, PG), WB);
    assert_int_equal(mtrr_range_type(&m, 2 * MiB, 2 * MiB), WB);
    assert_int_equal(mtrr_range_type(&m, 1 * GiB, 1 * GiB), WB);
    assert_int_equal(mtrr_range_type(&m, 0xBFE00000, 2 * MiB), WB);
    assert_int_equal(mtrr_range_type(&m, 0xBFFFF000, PG), WB);
    /* The range's own type inside. */
    assert_int_equal(mtrr_range_type(&m, 0xC0000000, PG), UC);
    assert_int_equal(mtrr_range_type(&m, 0xC0000000, 2 * MiB), UC);
    assert_int_equal(mtrr_range_type(&m, 3 * GiB, 1 * GiB), UC);
    assert_int_equal(mtrr_range_type(&m, 0xFEE00000, 2 * MiB), UC);
    assert_int_equal(mtrr_range_type(&m, 0xFFFFF000, PG), UC);
    /* RAM above 4 GiB is WB again. */
    assert_int_equal(mtrr_range_type(&m, 4 * GiB, PG), WB);
    assert_int_equal(mtrr_range_type(&m, 4 * GiB, 1 * GiB), WB);
    assert_int_equal(mtrr_range_type(&m, 7 * GiB, 1 * GiB), WB);
}

static void test_type_variable_smaller_range_inside_is_mixed(void **state)
{
    (void)state;
    struct mtrr_msrs r = typical();
    r.def_type &= ~DEF_FE;                  /* variable ranges only, down to 0 */
    struct mtrr_state m = decode(&r);
    /* The 1 GiB UC range inside [0, 4 GiB) and [2 GiB, 4 GiB). */
    assert_int_equal(mtrr_range_type(&m, 0, 4 * GiB), -1);
    assert_int_equal(mtrr_range_type(&m, 2 * GiB, 2 * GiB), -1);
    /* Outside [4 GiB, 8 GiB): the default. */
    assert_int_equal(mtrr_range_type(&m, 4 * GiB, 4 * GiB), WB);
    /* A 4 KiB range: mixed at 2 MiB, its own type at 4 KiB. */
    r = variable_only();
    set_var(&r, 0, 0x1234000, PG, UC);
    m = decode(&r);
    assert_int_equal(mtrr_range_type(&m, 0x1200000, 2 * MiB), -1);
    assert_int_equal(mtrr_range_type(&m, 0x1234000, 16 * KiB), -1);
    assert_int_equal(mtrr_range_type(&m, 0x1234000, PG), UC);
    assert_int_equal(mtrr_range_type(&m, 0x1233000, PG), WB);
    assert_int_equal(mtrr_range_type(&m, 0x1235000, PG), WB);
    assert_int_equal(mtrr_range_type(&m, 0x1000000, 2 * MiB), WB);
    assert_int_equal(mtrr_range_type(&m, 0x1400000, 2 * MiB), WB);
}

static void test_type_variable_overlap_uc_wins(void **state)
{
    (void)state;
    struct mtrr_msrs r = variable_only();
    set_var(&r, 0, 0, 2 * GiB, WB);
    set_var(&r, 1, 0x40000000, 1 * GiB, UC);
    set_var(&r, 2, 0x60000000, 256 * MiB, WT);
    r.def_type = DEF_E | UC;
    struct mtrr_state m = decode(&r);
    assert_int_equal(mtrr_range_type(&m, 0, 1 * GiB), WB);
    assert_int_equal(mtrr_range_type(&m, 0x40000000, 2 * MiB), UC);
    assert_int_equal(mtrr_range_type(&m, 0x60000000, 2 * MiB), UC);     /* WB, UC and WT */
    assert_int_equal(mtrr_range_type(&m, 0x80000000, 2 * MiB), UC);     /* default */
    /* The order of the ranges does not matter. */
    r = variable_only();
    set_var(&r, 0, 0x40000000, 1 * GiB, UC);
    set_var(&r, 1, 0, 2 * GiB, WB);
    m = decode(&r);
    assert_int_equal(mtrr_range_type(&m, 0x40000000, 1 * GiB), UC);
    assert_int_equal(mtrr_range_type(&m, 0, 1 * GiB), WB);
}

static void test_type_variable_wt_beats_wb(void **state)
{
    (void)state;
    struct mtrr_msrs r = variable_only();
    set_var(&r, 0, 0, 4 * GiB, WB);
    set_var(&r, 1, 0x80000000, 256 * MiB, WT);
    r.def_type = DEF_E | UC;
    struct mtrr_state m = decode(&r);
    assert_int_equal(mtrr_range_type(&m, 0x80000000, 2 * MiB), WT);
    assert_int_equal(mtrr_range_type(&m, 0x8FE00000, 2 * MiB), WT);
    assert_int_equal(mtrr_range_type(&m, 0x90000000, 2 * MiB), WB);
    r = variable_only();
    set_var(&r, 0, 0x80000000, 256 * MiB, WT);
    set_var(&r, 1, 0, 4 * GiB, WB);
    m = decode(&r);
    assert_int_equal(mtrr_range_type(&m, 0x80000000, 2 * MiB), WT);
}

static void test_type_variable_same_type_overlap(void **state)
{
    (void)state;
    struct mtrr_msrs r = variable_only();
    set_var(&r, 0, 0xD0000000, 256 * MiB, WC);
    set_var(&r, 1, 0xD0000000, 16 * MiB, WC);
    struct mtrr_state m = decode(&r);
    assert_int_equal(mtrr_range_type(&m, 0xD0000000, 2 * MiB), WC);
    assert_int_equal(mtrr_range_type(&m, 0xD1000000, 2 * MiB), WC);
}

static void test_type_variable_other_mixes_uc(void **state)
{
    (void)state;
    static const unsigned mixes[][2] = {
        { WC, WB }, { WB, WC }, { WC, WT }, { WP, WB }, { WP, WT }, { WC, WP },
    };
    for (unsigned i = 0; i < sizeof(mixes) / sizeof(mixes[0]); i++) {
        struct mtrr_msrs r = variable_only();
        set_var(&r, 0, 0xE0000000, 256 * MiB, mixes[i][0]);
        set_var(&r, 1, 0xE0000000, 16 * MiB, mixes[i][1]);
        struct mtrr_state m = decode(&r);
        assert_int_equal(mtrr_range_type(&m, 0xE0000000, 2 * MiB), UC);
        assert_int_equal(mtrr_range_type(&m, 0xE1000000, 2 * MiB), mixes[i][0]);
    }
}

static void test_type_variable_invalid_ignored(void **state)
{
    (void)state;
    struct mtrr_msrs r = typical();
    r.physmask[0] &= ~VALID;
    set_var(&r, 1, 0, 4 * GiB, UC);
    r.physmask[1] &= ~VALID;
    struct mtrr_state m = decode(&r);
    assert_int_equal(mtrr_range_type(&m, 0xC0000000, 1 * GiB), WB);
    assert_int_equal(mtrr_range_type(&m, 0, 4 * GiB), -1);          /* fixed ranges below 1 MiB */
    assert_int_equal(mtrr_range_type(&m, 4 * GiB, 4 * GiB), WB);
    /* An invalid range smaller than the asked one does not mix it. */
    r = variable_only();
    r.physbase[0] = 0x1234000 | UC;
    r.physmask[0] = mask36(PG) & ~VALID;
    m = decode(&r);
    assert_int_equal(mtrr_range_type(&m, 0x1200000, 2 * MiB), WB);
}

static void test_type_variable_empty_mask_covers_all(void **state)
{
    (void)state;
    /* A mask of just the valid bit matches every address. */
    struct mtrr_msrs r = variable_only();
    r.physbase[0] = WT;
    r.physmask[0] = VALID;
    struct mtrr_state m = decode(&r);
    assert_int_equal(mtrr_range_type(&m, 0, PG), WT);
    assert_int_equal(mtrr_range_type(&m, 3 * GiB, 1 * GiB), WT);
    assert_int_equal(mtrr_range_type(&m, 0, 64 * GiB), WT);
}

static void test_type_variable_default_types(void **state)
{
    (void)state;
    /* Default UC with WB RAM ranges (older BIOSes): [0, 2 GiB) + [2 GiB, 3 GiB). */
    struct mtrr_msrs r = variable_only();
    r.def_type = DEF_E | UC;
    set_var(&r, 0, 0, 2 * GiB, WB);
    set_var(&r, 1, 2 * GiB, 1 * GiB, WB);
    struct mtrr_state m = decode(&r);
    assert_int_equal(mtrr_range_type(&m, 0, 1 * GiB), WB);
    assert_int_equal(mtrr_range_type(&m, 2 * GiB, 1 * GiB), WB);
    assert_int_equal(mtrr_range_type(&m, 3 * GiB, 1 * GiB), UC);
    assert_int_equal(mtrr_range_type(&m, 4 * GiB, 2 * MiB), UC);
    assert_int_equal(mtrr_range_type(&m, 0, 4 * GiB), -1);
}

/* A non-contiguous mask (13.11.3 advises against it, a CPU takes it): a
 * WC range matching the last 4 KiB page of every 32 KiB. Aligned ranges
 * that hold such a page are mixed, whatever their size; pages are exact. */
static void test_noncontiguous_mask_is_exact_for_aligned_ranges(void **state)
{
    (void)state;
    struct mtrr_msrs r = variable_only();
    r.physbase[0] = 0x7000 | WC;
    r.physmask[0] = VALID | 0x7000;         /* only bits 14:12 compared */
    struct mtrr_state m = decode(&r);
    assert_int_equal(mtrr_range_type(&m, 0x7000, 0x1000), WC);
    assert_int_equal(mtrr_range_type(&m, 0xF000, 0x1000), WC);
    assert_int_equal(mtrr_range_type(&m, 0x17000, 0x1000), WC);
    assert_int_equal(mtrr_range_type(&m, 0x8000, 0x1000), WB);
    assert_int_equal(mtrr_range_type(&m, 0x8000, 0x4000), WB);      /* 0x8000-0xbfff: none */
    assert_int_equal(mtrr_range_type(&m, 0x8000, 0x8000), -1);      /* holds 0xf000 */
    assert_int_equal(mtrr_range_type(&m, 0x200000, 0x200000), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_none_fields),
        cmocka_unit_test(test_none_is_wb_everywhere),
        cmocka_unit_test(test_decode_fixed_byte_order),
        cmocka_unit_test(test_decode_fixed_ranges_addresses),
        cmocka_unit_test(test_decode_flags_and_default),
        cmocka_unit_test(test_decode_fe_needs_cap_fix),
        cmocka_unit_test(test_decode_vcnt_limits_variable_ranges),
        cmocka_unit_test(test_decode_vcnt_clamped_to_max),
        cmocka_unit_test(test_decode_phys_bits),
        cmocka_unit_test(test_noncontiguous_mask_is_exact_for_aligned_ranges),
        cmocka_unit_test(test_decode_wider_phys_bits_keep_high_mask_bits),
        cmocka_unit_test(test_type_disabled_is_uc),
        cmocka_unit_test(test_type_fixed_uniform),
        cmocka_unit_test(test_type_fixed_mixed),
        cmocka_unit_test(test_type_fixed_straddling_1m),
        cmocka_unit_test(test_type_variable_typical),
        cmocka_unit_test(test_type_variable_smaller_range_inside_is_mixed),
        cmocka_unit_test(test_type_variable_overlap_uc_wins),
        cmocka_unit_test(test_type_variable_wt_beats_wb),
        cmocka_unit_test(test_type_variable_same_type_overlap),
        cmocka_unit_test(test_type_variable_other_mixes_uc),
        cmocka_unit_test(test_type_variable_invalid_ignored),
        cmocka_unit_test(test_type_variable_empty_mask_covers_all),
        cmocka_unit_test(test_type_variable_default_types),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
