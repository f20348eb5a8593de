// covers: kernel/cr_rules.c
/*
 * test_cr_rules.c - host unit tests of kernel/cr_rules.c against SDM Vol. 3A
 * 2.5, 2.2.1, 4.10.1 and 10.8.5 (and the MOV to CR0/CR4 pages of Vol. 2B).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "../../kernel/cr_rules.h"
#include "../../kernel/x86_regs.h"

#define CR0_64 (CR0_PG | CR0_WP | CR0_NE | CR0_ET | CR0_PE)     /* 0x80010031 */
#define CR4_LA57 (1ull << 12)

/* 64-bit mode, paging with PAE, no PCIDE. */
static const struct cr_state long64 = { CR0_64, 0x1000, CR4_PAE, EFER_LME | EFER_LMA, true };
/* The same in compatibility mode. */
static const struct cr_state compat = { CR0_64, 0x1000, CR4_PAE, EFER_LME | EFER_LMA, false };
/* Protected mode, paging off, LME set (about to enter IA-32e mode). */
static const struct cr_state prot = { CR0_ET | CR0_PE, 0x1000, CR4_PAE, EFER_LME, false };

static void test_cr0_reserved_and_fixed_bits(void **state)
{
    (void)state;
    uint64_t v = CR0_64 | (1ull << 6) | (1ull << 17) | (1ull << 28);
    assert_true(cr0_write(&long64, &v));
    assert_int_equal(v, CR0_64);                /* reserved bits 31:0 ignored */
    v = CR0_64 & ~CR0_ET;
    assert_true(cr0_write(&long64, &v));
    assert_int_equal(v, CR0_64);                /* ET reads 1 */
    v = CR0_64 | (1ull << 32);
    assert_false(cr0_write(&long64, &v));
    v = CR0_64 | (1ull << 63);
    assert_false(cr0_write(&long64, &v));
}

static void test_cr0_cache_and_protection_combinations(void **state)
{
    (void)state;
    uint64_t v = CR0_64 | CR0_NW;
    assert_false(cr0_write(&long64, &v));       /* NW without CD */
    v = CR0_64 | CR0_NW | CR0_CD;
    assert_true(cr0_write(&long64, &v));
    assert_int_equal(v, CR0_64 | CR0_NW | CR0_CD);
    v = (CR0_64 | CR0_CD | CR0_NW) & ~CR0_WP;
    assert_true(cr0_write(&long64, &v));
    assert_int_equal(v, (CR0_64 | CR0_CD | CR0_NW) & ~CR0_WP);
    v = CR0_PG | CR0_ET;
    assert_false(cr0_write(&prot, &v));         /* PG without PE */
}

static void test_cr0_leaving_ia32e_mode(void **state)
{
    (void)state;
    uint64_t v = CR0_64 & ~CR0_PG;
    assert_false(cr0_write(&long64, &v));       /* from 64-bit mode */
    v = CR0_64 & ~CR0_PG;
    assert_true(cr0_write(&compat, &v));        /* from compatibility mode */
    struct cr_state pcid = compat;
    pcid.cr4 |= CR4_PCIDE;
    v = CR0_64 & ~CR0_PG;
    assert_false(cr0_write(&pcid, &v));         /* with PCIDE (4.10.1) */
    v = CR0_64;                                 /* PG stays: fine with PCIDE */
    assert_true(cr0_write(&pcid, &v));
}

static void test_cr0_entering_ia32e_mode_needs_pae(void **state)
{
    (void)state;
    uint64_t v = CR0_PG | CR0_ET | CR0_PE;
    assert_true(cr0_write(&prot, &v));
    struct cr_state nopae = prot;
    nopae.cr4 = 0;
    v = CR0_PG | CR0_ET | CR0_PE;
    assert_false(cr0_write(&nopae, &v));
    nopae.efer = 0;                             /* 32-bit paging: fine */
    v = CR0_PG | CR0_ET | CR0_PE;
    assert_true(cr0_write(&nopae, &v));
}

static void test_cr4_rules(void **state)
{
    (void)state;
    uint64_t all = ~0ull;
    assert_true(cr4_write(&long64, CR4_PAE | CR4_OSXSAVE, all));
    assert_false(cr4_write(&long64, CR4_PAE | (1ull << 15), ~(1ull << 15)));   /* not allowed */
    assert_false(cr4_write(&long64, 0, all));                   /* PAE off in IA-32e mode */
    assert_true(cr4_write(&prot, 0, all));                      /* ... fine outside */
    assert_false(cr4_write(&long64, CR4_PAE | CR4_LA57, all));  /* LA57 in IA-32e mode */
    assert_true(cr4_write(&prot, CR4_PAE | CR4_LA57, all));
    /* PCIDE: IA-32e mode and CR3[11:0] = 0 (4.10.1). */
    struct cr_state s = long64;
    s.cr3 = 0x1018;
    assert_false(cr4_write(&s, CR4_PAE | CR4_PCIDE, all));
    s.cr3 = 0x1000;
    assert_true(cr4_write(&s, CR4_PAE | CR4_PCIDE, all));
    assert_false(cr4_write(&prot, CR4_PAE | CR4_PCIDE, all));   /* outside IA-32e mode */
    s.cr4 |= CR4_PCIDE;                                         /* already set: CR3 may hold a PCID */
    s.cr3 = 0x1005;
    assert_true(cr4_write(&s, CR4_PAE | CR4_PCIDE | CR4_OSXSAVE, all));
    /* CET needs CR0.WP. */
    assert_true(cr4_write(&long64, CR4_PAE | CR4_CET, all));
    s = long64;
    s.cr0 &= ~CR0_WP;
    assert_false(cr4_write(&s, CR4_PAE | CR4_CET, all));
}

static void test_efer_rules(void **state)
{
    (void)state;
    uint64_t allowed = EFER_SCE | EFER_LME | EFER_NXE;
    uint64_t v = EFER_LME | EFER_NXE | EFER_SCE;            /* LMA written 0: kept */
    assert_true(efer_write(&long64, &v, allowed));
    assert_int_equal(v, EFER_LME | EFER_LMA | EFER_NXE | EFER_SCE);
    v = EFER_LMA;                                           /* LME cleared with paging on */
    assert_false(efer_write(&long64, &v, allowed));
    v = EFER_LME | EFER_LMA | (1ull << 20);
    assert_false(efer_write(&long64, &v, allowed));         /* reserved */
    v = EFER_LME | EFER_LMA | EFER_NXE;
    assert_false(efer_write(&long64, &v, EFER_SCE | EFER_LME));     /* no NX */
    v = 0;                                                  /* paging off: LME may go */
    assert_true(efer_write(&prot, &v, allowed));
    assert_int_equal(v, 0);
    v = EFER_LMA;                                           /* LMA cannot be set */
    assert_true(efer_write(&prot, &v, allowed));
    assert_int_equal(v, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cr0_reserved_and_fixed_bits),
        cmocka_unit_test(test_cr0_cache_and_protection_combinations),
        cmocka_unit_test(test_cr0_leaving_ia32e_mode),
        cmocka_unit_test(test_cr0_entering_ia32e_mode_needs_pae),
        cmocka_unit_test(test_cr4_rules),
        cmocka_unit_test(test_efer_rules),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
