// covers: kernel/cpuid_policy.c kernel/fmt.c
/*
 * test_cpuid_policy.c - host unit tests of the guest's CPUID view
 * (kernel/cpuid_policy.c): leaf 1 edits, the hypervisor leaves and
 * pass-through of everything else; the override policy (apply, change,
 * reset), the feature table, list parsing and its reports, the record of
 * asked leaves and the console format of an override.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "../../kernel/cpuid_policy.h"

static struct cpuid_result res(uint32_t a, uint32_t b, uint32_t c, uint32_t d)
{
    return (struct cpuid_result){ a, b, c, d };
}

static void assert_result(struct cpuid_result r, uint32_t a, uint32_t b, uint32_t c, uint32_t d)
{
    assert_int_equal(r.eax, a);
    assert_int_equal(r.ebx, b);
    assert_int_equal(r.ecx, c);
    assert_int_equal(r.edx, d);
}

static void assert_same_result(struct cpuid_result a, struct cpuid_result b)
{
    assert_result(a, b.eax, b.ebx, b.ecx, b.edx);
}

/* Guest CR4 values covering the bits CPUID mirrors (OSXSAVE, PKE). */
static const uint64_t CR4S[] = { 0, CR4_OSXSAVE, CR4_PKE, CR4_OSXSAVE | CR4_PKE };
#define NCR4S (sizeof(CR4S) / sizeof(CR4S[0]))

/* A native answer with every bit set, to show the policy ignores it. */
static const struct cpuid_result ALL_ONES = { 0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF };

/* ---- leaf 1 ---------------------------------------------------------------- */

static void test_leaf1_hides_vmx_and_sets_hypervisor_bit(void **state)
{
    (void)state;
    /* A Skylake-like leaf 1: VMX (bit 5) set, hypervisor bit (31) clear. */
    struct cpuid_result n = res(0x000506E3, 0x00100800, 0x7FFAFBFF, 0xBFEBFBFF);
    struct cpuid_result g = cpuid_guest_view(1, 0, CR4_OSXSAVE, n);   /* OSXSAVE: as the native */
    assert_result(g, 0x000506E3, 0x00100800, 0xFFFAFBDF, 0xBFEBFBFF);
    assert_int_equal(g.ecx & CPUID_1_ECX_VMX_BIT, 0);
    assert_int_equal(g.ecx & CPUID_1_ECX_HV_BIT, CPUID_1_ECX_HV_BIT);
}

static void test_leaf1_all_ones(void **state)
{
    (void)state;
    struct cpuid_result g = cpuid_guest_view(1, 0, CR4_OSXSAVE, ALL_ONES);
    assert_result(g, 0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFDF, 0xFFFFFFFF);
}

/* OSXSAVE is the guest's CR4.OSXSAVE whatever the native bit (the host's
 * CR4), and no other CR4 bit moves it. */
static void test_leaf1_osxsave_mirrors_guest_cr4(void **state)
{
    (void)state;
    const uint64_t others = CR4_PAE | (1ull << 7) /* PGE */ | CR4_PCIDE | CR4_PKE;
    assert_int_equal(cpuid_guest_view(1, 0, 0, ALL_ONES).ecx & CPUID_1_ECX_OSXSAVE_BIT, 0);
    assert_int_equal(cpuid_guest_view(1, 0, others, ALL_ONES).ecx & CPUID_1_ECX_OSXSAVE_BIT, 0);
    assert_int_equal(cpuid_guest_view(1, 0, CR4_OSXSAVE, res(0, 0, 0, 0)).ecx,
                     CPUID_1_ECX_OSXSAVE_BIT | CPUID_1_ECX_HV_BIT);
    assert_int_equal(cpuid_guest_view(1, 5, others | CR4_OSXSAVE, res(0, 0, 0, 0)).ecx,
                     CPUID_1_ECX_OSXSAVE_BIT | CPUID_1_ECX_HV_BIT);
    /* The rest of the leaf is untouched either way. */
    assert_result(cpuid_guest_view(1, 0, 0, res(1, 2, 0x0C000000, 4)), 1, 2, 0x84000000, 4);
}

/* OSPKE is the guest's CR4.PKE in subleaf 0 of leaf 7 only; the other
 * subleaves and leaves keep bit 4 of ECX as the native answer has it. */
static void test_leaf7_ospke_mirrors_guest_cr4_in_subleaf0(void **state)
{
    (void)state;
    assert_result(cpuid_guest_view(7, 0, 0, ALL_ONES), 0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFEF, 0xFFFFFFFF);
    assert_result(cpuid_guest_view(7, 0, CR4_OSXSAVE, ALL_ONES), 0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFEF,
                  0xFFFFFFFF);
    assert_result(cpuid_guest_view(7, 0, CR4_PKE, res(0, 0, 0, 0)), 0, 0, CPUID_7_ECX_OSPKE_BIT, 0);
    assert_same_result(cpuid_guest_view(7, 1, 0, ALL_ONES), ALL_ONES);
    assert_same_result(cpuid_guest_view(7, 1, CR4_PKE, res(0, 0, 0, 0)), res(0, 0, 0, 0));
    assert_same_result(cpuid_guest_view(6, 0, 0, ALL_ONES), ALL_ONES);
}

/* Leaf 0DH: the sizes come from the XCR0/IA32_XSS in the CPU, which are
 * the guest's: the view passes them through whatever CR4 says. */
static void test_leaf_d_passes_through(void **state)
{
    (void)state;
    struct cpuid_result n = res(0x2E7, 0x340, 0xA88, 0);
    for (unsigned c = 0; c < NCR4S; c++) {
        assert_same_result(cpuid_guest_view(0xD, 0, CR4S[c], n), n);
        assert_same_result(cpuid_guest_view(0xD, 1, CR4S[c], n), n);
    }
}

static void test_leaf1_all_zero(void **state)
{
    (void)state;
    struct cpuid_result g = cpuid_guest_view(1, 0, 0, res(0, 0, 0, 0));
    assert_result(g, 0, 0, 0x80000000, 0);
}

static void test_leaf1_subleaf_ignored(void **state)
{
    (void)state;
    struct cpuid_result n = res(1, 2, 0x20, 4);
    assert_result(cpuid_guest_view(1, 7, 0, n), 1, 2, 0x80000000, 4);
    assert_result(cpuid_guest_view(1, UINT32_MAX, 0, n), 1, 2, 0x80000000, 4);
}

/* ---- hypervisor leaves ----------------------------------------------------- */

static void test_hv_base_leaf_signature(void **state)
{
    (void)state;
    struct cpuid_result g = cpuid_guest_view(CPUID_HV_BASE, 0, 0, ALL_ONES);
    assert_int_equal(g.eax, 0x40000001);
    uint8_t sig[12];
    memcpy(sig, &g.ebx, 4);
    memcpy(sig + 4, &g.ecx, 4);
    memcpy(sig + 8, &g.edx, 4);
    static const uint8_t want[12] = { 'm', 'o', 'n', 'o', 'v', 'i', 's', 'o', 'r', 0, 0, 0 };
    assert_memory_equal(sig, want, 12);
    /* The same as little-endian words. */
    assert_int_equal(g.ebx, 0x6F6E6F6D);    /* "mono" */
    assert_int_equal(g.ecx, 0x6F736976);    /* "viso" */
    assert_int_equal(g.edx, 0x00000072);    /* "r\0\0\0" */
}

static void test_hv_base_leaf_ignores_native_and_subleaf(void **state)
{
    (void)state;
    struct cpuid_result a = cpuid_guest_view(CPUID_HV_BASE, 0, 0, res(0, 0, 0, 0));
    struct cpuid_result b = cpuid_guest_view(CPUID_HV_BASE, 3, 0, res(0x12345678, 9, 8, 7));
    assert_memory_equal(&a, &b, sizeof(a));
    assert_int_equal(a.eax, CPUID_HV_MAX);
}

static void test_hv_features_leaf(void **state)
{
    (void)state;
    assert_result(cpuid_guest_view(CPUID_HV_FEATURES, 0, 0, ALL_ONES), 0x00020000, 0, 0, 0);
    assert_result(cpuid_guest_view(0x40000001, 5, 0, res(0, 0, 0, 0)), MONOVISOR_ABI_VERSION, 0, 0, 0);
}

static void test_svm_hidden(void **state)
{
    (void)state;
    /* 80000001H:ECX.SVM cleared, the rest as the CPU says. */
    assert_result(cpuid_guest_view(0x80000001, 0, 0, ALL_ONES), ~0u, ~0u, ~(1u << 2), ~0u);
    /* Leaf 8000000AH: zero on AMD (svm_leaf), the CPU's answer elsewhere. */
    struct cpuid_policy p;
    cpuid_policy_init(&p);
    assert_result(cpuid_policy_apply(&p, 0x8000000A, 0, 0, res(1, 2, 3, 4)), 1, 2, 3, 4);
    p.svm_leaf = true;
    assert_result(cpuid_policy_apply(&p, 0x8000000A, 0, 0, res(1, 0x8000, 0, 0x44F)), 0, 0, 0, 0);
    assert_result(cpuid_policy_apply(&p, 0x80000008, 0, 0, res(1, 2, 3, 4)), 1, 2, 3, 4);
}

static void test_other_hv_leaves_zero(void **state)
{
    (void)state;
    static const uint32_t leaves[] = { 0x40000002, 0x40000003, 0x40000010, 0x40000100,
                                       0x40010000, 0x41000000, 0x4FFFFFFE, 0x4FFFFFFF };
    for (size_t i = 0; i < sizeof(leaves) / sizeof(leaves[0]); i++) {
        assert_result(cpuid_guest_view(leaves[i], 0, 0, ALL_ONES), 0, 0, 0, 0);
        assert_result(cpuid_guest_view(leaves[i], 1, 0, res(1, 2, 3, 4)), 0, 0, 0, 0);
    }
}

/* kvm_leaves: KVM's signature at 40000100H and an all-zero 40000101H
 * (no features, no hints), nothing from the native answer; monovisor's
 * own leaves unchanged; without it, zeros as for any other leaf. */
static void test_kvm_leaves(void **state)
{
    (void)state;
    struct cpuid_policy p;
    cpuid_policy_init(&p);
    assert_result(cpuid_policy_apply(&p, CPUID_KVM_BASE, 0, 0, ALL_ONES), 0, 0, 0, 0);
    p.kvm_leaves = true;
    /* "KVMK" "VMKV" "M\0\0\0" little-endian, as Linux's kvm_cpuid_base compares them. */
    assert_result(cpuid_policy_apply(&p, CPUID_KVM_BASE, 0, 0, ALL_ONES), 0x40000101, 0x4B4D564B,
                  0x564B4D56, 0x0000004D);
    assert_result(cpuid_policy_apply(&p, CPUID_KVM_FEATURES, 0, 0, ALL_ONES), 0, 0, 0, 0);
    assert_result(cpuid_policy_apply(&p, CPUID_HV_BASE, 0, 0, ALL_ONES), 0x40000001, 0x6F6E6F6D,
                  0x6F736976, 0x00000072);
    assert_result(cpuid_policy_apply(&p, 0x40000200, 0, 0, ALL_ONES), 0, 0, 0, 0);
}

static void test_hv_leaf_direct(void **state)
{
    (void)state;
    /* cpuid_hv_leaf answers without a native result; the guest view uses it. */
    struct cpuid_result base = cpuid_hv_leaf(CPUID_HV_BASE);
    assert_result(base, 0x40000001, 0x6F6E6F6D, 0x6F736976, 0x00000072);
    assert_result(cpuid_hv_leaf(CPUID_HV_FEATURES), 0x00020000, 0, 0, 0);
    assert_result(cpuid_hv_leaf(0x40000002), 0, 0, 0, 0);
    assert_result(cpuid_hv_leaf(0x4FFFFFFF), 0, 0, 0, 0);
    struct cpuid_result via_view = cpuid_guest_view(CPUID_HV_BASE, 0, 0, ALL_ONES);
    assert_memory_equal(&base, &via_view, sizeof(base));
}

/* ---- pass-through ---------------------------------------------------------- */

static void test_other_leaves_pass_through(void **state)
{
    (void)state;
    static const uint32_t leaves[] = { 0, 2, 4, 7, 0xB, 0xD, 0x3FFFFFFF, 0x50000000,
                                       0x80000000, 0x80000008, 0xFFFFFFFF };
    struct cpuid_result n = res(0xDEADBEEF, 0x756E6547, 0x6C65746E, 0xFFFFFFFF);
    for (size_t i = 0; i < sizeof(leaves) / sizeof(leaves[0]); i++) {
        assert_result(cpuid_guest_view(leaves[i], 0, 0, n), 0xDEADBEEF, 0x756E6547, 0x6C65746E,
                      0xFFFFFFFF);
        assert_result(cpuid_guest_view(leaves[i], 2, 0, ALL_ONES), 0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF,
                      0xFFFFFFFF);
    }
}

static void test_extended_leaf_keeps_bit5_of_ecx(void **state)
{
    (void)state;
    /* Only leaf 1 is edited: 0x80000001 ECX bit 5 (LZCNT) stays. */
    struct cpuid_result g = cpuid_guest_view(0x80000001, 0, 0, res(0, 0, 0x21, 0));
    assert_result(g, 0, 0, 0x21, 0);
}

/* ---- cpuid_is_hv_leaf ------------------------------------------------------ */

static void test_is_hv_leaf(void **state)
{
    (void)state;
    assert_true(cpuid_is_hv_leaf(0x40000000));
    assert_true(cpuid_is_hv_leaf(0x40000001));
    assert_true(cpuid_is_hv_leaf(0x40000100));
    assert_true(cpuid_is_hv_leaf(0x4FFFFFFF));
    assert_false(cpuid_is_hv_leaf(0x3FFFFFFF));
    assert_false(cpuid_is_hv_leaf(0x50000000));
    assert_false(cpuid_is_hv_leaf(0));
    assert_false(cpuid_is_hv_leaf(1));
    assert_false(cpuid_is_hv_leaf(0x80000000));
    assert_false(cpuid_is_hv_leaf(0xC0000000));
    assert_false(cpuid_is_hv_leaf(0xFFFFFFFF));
}

/* ---- the override policy --------------------------------------------------- */

#include "reports.h"

/* Parses list into *p (freshly initialised); returns the problems. */
static int parse(struct cpuid_policy *p, const char *list, struct reports *r)
{
    memset(r, 0, sizeof(*r));
    cpuid_policy_init(p);
    int n = cpuid_policy_parse(p, list, collect, r);
    assert_int_equal(n, r->count);
    return n;
}

static void assert_override(const struct cpuid_override *o, uint32_t leaf, uint32_t subleaf,
                            bool any, enum cpuid_reg reg, uint32_t set, uint32_t clear)
{
    assert_int_equal(o->leaf, leaf);
    assert_int_equal(o->subleaf, subleaf);
    assert_int_equal(o->any_subleaf, any);
    assert_int_equal(o->reg, reg);
    assert_int_equal(o->set, set);
    assert_int_equal(o->clear, clear);
}

static void test_policy_init_empties(void **state)
{
    (void)state;
    struct cpuid_policy p;
    memset(&p, 0xAA, sizeof(p));
    cpuid_policy_init(&p);
    assert_int_equal(p.n, 0);
    assert_int_equal(p.asked.basic, 0);
    assert_int_equal(p.asked.hv, 0);
    assert_int_equal(p.asked.ext, 0);
    assert_int_equal(p.asked.other, 0);
}

static void test_apply_without_overrides_is_fixed_view(void **state)
{
    (void)state;
    static const uint32_t leaves[] = { 0, 1, 2, 4, 7, 0xD, 0x3FFFFFFF, CPUID_HV_BASE,
                                       CPUID_HV_FEATURES, 0x40000002, 0x4FFFFFFF, 0x50000000,
                                       0x80000000, 0x80000001, 0xFFFFFFFF };
    static const uint32_t subleaves[] = { 0, 1, 7, UINT32_MAX };
    const struct cpuid_result natives[] = { res(0, 0, 0, 0), ALL_ONES,
                                            res(0x000506E3, 0x00100800, 0x7FFAFBFF, 0xBFEBFBFF) };
    struct cpuid_policy p;
    cpuid_policy_init(&p);
    for (size_t l = 0; l < sizeof(leaves) / sizeof(leaves[0]); l++)
        for (size_t s = 0; s < sizeof(subleaves) / sizeof(subleaves[0]); s++)
            for (size_t n = 0; n < sizeof(natives) / sizeof(natives[0]); n++)
                assert_same_result(cpuid_policy_apply(&p, leaves[l], subleaves[s], 0, natives[n]),
                                   cpuid_guest_view(leaves[l], subleaves[s], 0, natives[n]));
}

static void test_apply_set_and_clear_each_register(void **state)
{
    (void)state;
    struct cpuid_policy p;
    cpuid_policy_init(&p);
    assert_int_equal(cpuid_policy_change(&p, 0xD, 1, false, CPUID_EAX, 0x0000000F, true), 0);
    assert_int_equal(cpuid_policy_change(&p, 0xD, 1, false, CPUID_EBX, 0x000000F0, false), 0);
    assert_int_equal(cpuid_policy_change(&p, 0xD, 1, false, CPUID_ECX, 0x80000000, true), 0);
    assert_int_equal(cpuid_policy_change(&p, 0xD, 1, false, CPUID_EDX, 0x00000001, false), 0);
    assert_int_equal(p.n, 4);
    assert_result(cpuid_policy_apply(&p, 0xD, 1, 0, res(0x10, 0xFF, 0, 3)), 0x1F, 0x0F, 0x80000000, 2);
    assert_result(cpuid_policy_apply(&p, 0xD, 1, 0, ALL_ONES), 0xFFFFFFFF, 0xFFFFFF0F, 0xFFFFFFFF,
                  0xFFFFFFFE);
    /* Other leaves and subleaves are untouched. */
    assert_result(cpuid_policy_apply(&p, 0xD, 0, 0, res(0x10, 0xFF, 0, 3)), 0x10, 0xFF, 0, 3);
    assert_result(cpuid_policy_apply(&p, 0xE, 1, 0, res(0x10, 0xFF, 0, 3)), 0x10, 0xFF, 0, 3);
}

static void test_apply_overrides_win_over_fixed_view(void **state)
{
    (void)state;
    struct cpuid_policy p;
    cpuid_policy_init(&p);
    /* Overrides come after the fixed view: "+vmx" and "-hypervisor" hold. */
    cpuid_policy_change(&p, 1, 0, true, CPUID_ECX, CPUID_1_ECX_VMX_BIT, true);
    cpuid_policy_change(&p, 1, 0, true, CPUID_ECX, CPUID_1_ECX_HV_BIT, false);
    assert_result(cpuid_policy_apply(&p, 1, 0, 0, res(1, 2, 0, 4)), 1, 2, 0x20, 4);
    assert_result(cpuid_policy_apply(&p, 1, 3, CR4_OSXSAVE, ALL_ONES), 0xFFFFFFFF, 0xFFFFFFFF, 0x7FFFFFFF,
                  0xFFFFFFFF);
}

static void test_any_subleaf_versus_exact(void **state)
{
    (void)state;
    struct cpuid_policy p;
    cpuid_policy_init(&p);
    /* Exact subleaf 0 of leaf 7: subleaf 1 is not touched. */
    cpuid_policy_change(&p, 7, 0, false, CPUID_EBX, 1u << 5, false);
    assert_result(cpuid_policy_apply(&p, 7, 0, CR4_PKE, ALL_ONES), 0xFFFFFFFF, 0xFFFFFFDF, 0xFFFFFFFF,
                  0xFFFFFFFF);
    assert_same_result(cpuid_policy_apply(&p, 7, 1, 0, ALL_ONES), ALL_ONES);
    /* Every subleaf of leaf 7. */
    cpuid_policy_change(&p, 7, 0, true, CPUID_ECX, 1u << 3, false);
    for (uint32_t s = 0; s < 4; s++)
        assert_int_equal(cpuid_policy_apply(&p, 7, s, CR4_PKE, ALL_ONES).ecx, 0xFFFFFFF7);
    assert_int_equal(cpuid_policy_apply(&p, 7, UINT32_MAX, 0, ALL_ONES).ecx, 0xFFFFFFF7);
    assert_int_equal(cpuid_policy_apply(&p, 7, UINT32_MAX, 0, ALL_ONES).ebx, 0xFFFFFFFF);
    assert_int_equal(p.n, 2);
}

static void test_any_and_exact_overlap_apply_in_order(void **state)
{
    (void)state;
    struct cpuid_policy p;
    /* any clears bit 5, then exact subleaf 2 sets it: subleaf 2 sees it set. */
    cpuid_policy_init(&p);
    cpuid_policy_change(&p, 7, 0, true, CPUID_EBX, 1u << 5, false);
    cpuid_policy_change(&p, 7, 2, false, CPUID_EBX, 1u << 5, true);
    assert_int_equal(p.n, 2);
    assert_int_equal(cpuid_policy_apply(&p, 7, 2, 0, res(0, 0, 0, 0)).ebx, 0x20);
    assert_int_equal(cpuid_policy_apply(&p, 7, 1, 0, ALL_ONES).ebx, 0xFFFFFFDF);
    /* The other way round: the any override, later, wins. */
    cpuid_policy_init(&p);
    cpuid_policy_change(&p, 7, 2, false, CPUID_EBX, 1u << 5, true);
    cpuid_policy_change(&p, 7, 0, true, CPUID_EBX, 1u << 5, false);
    assert_int_equal(cpuid_policy_apply(&p, 7, 2, 0, res(0, 0, 0, 0)).ebx, 0);
}

static void test_any_subleaf_ignores_subleaf_argument(void **state)
{
    (void)state;
    struct cpuid_policy p;
    cpuid_policy_init(&p);
    cpuid_policy_change(&p, 0xB, 5, true, CPUID_EDX, 0x1, true);
    cpuid_policy_change(&p, 0xB, 9, true, CPUID_EDX, 0x2, true);
    assert_int_equal(p.n, 1);
    assert_override(&p.ov[0], 0xB, 0, true, CPUID_EDX, 0x3, 0);
    /* An exact override of subleaf 0 is a different entry. */
    cpuid_policy_change(&p, 0xB, 0, false, CPUID_EDX, 0x4, true);
    assert_int_equal(p.n, 2);
    assert_override(&p.ov[1], 0xB, 0, false, CPUID_EDX, 0x4, 0);
}

static void test_change_merges(void **state)
{
    (void)state;
    struct cpuid_policy p;
    cpuid_policy_init(&p);
    assert_int_equal(cpuid_policy_change(&p, 1, 0, true, CPUID_EDX, 0x3, true), 0);
    assert_int_equal(cpuid_policy_change(&p, 1, 0, true, CPUID_EDX, 0x2, false), 0);
    assert_int_equal(p.n, 1);
    assert_override(&p.ov[0], 1, 0, true, CPUID_EDX, 0x1, 0x2);
    assert_int_equal(cpuid_policy_change(&p, 1, 0, true, CPUID_EDX, 0x6, true), 0);
    assert_override(&p.ov[0], 1, 0, true, CPUID_EDX, 0x7, 0);
    assert_int_equal(cpuid_policy_change(&p, 1, 0, true, CPUID_EDX, 0xF0, false), 0);
    assert_override(&p.ov[0], 1, 0, true, CPUID_EDX, 0x7, 0xF0);
    assert_int_equal(cpuid_policy_change(&p, 1, 0, true, CPUID_EDX, 0x11, true), 0);
    assert_override(&p.ov[0], 1, 0, true, CPUID_EDX, 0x17, 0xE0);
    assert_result(cpuid_policy_apply(&p, 1, 0, 0, res(0, 0, 0, 0xFF00)), 0, 0, 0x80000000, 0xFF17);
    assert_int_equal(p.n, 1);
    /* Another register, another leaf, another subleaf kind: new entries. */
    cpuid_policy_change(&p, 1, 0, true, CPUID_ECX, 0x1, true);
    cpuid_policy_change(&p, 2, 0, true, CPUID_EDX, 0x1, true);
    cpuid_policy_change(&p, 1, 0, false, CPUID_EDX, 0x1, true);
    cpuid_policy_change(&p, 1, 1, false, CPUID_EDX, 0x1, true);
    assert_int_equal(p.n, 5);
    cpuid_policy_change(&p, 1, 1, false, CPUID_EDX, 0x1, false);
    assert_int_equal(p.n, 5);
    assert_override(&p.ov[4], 1, 1, false, CPUID_EDX, 0, 0x1);
}

static void test_change_no_bits_or_bad_register(void **state)
{
    (void)state;
    struct cpuid_policy p;
    cpuid_policy_init(&p);
    assert_int_equal(cpuid_policy_change(&p, 1, 0, true, CPUID_ECX, 0, true), 0);
    assert_int_equal(cpuid_policy_change(&p, 1, 0, true, CPUID_ECX, 0, false), 0);
    assert_int_equal(p.n, 0);
    assert_int_equal(cpuid_policy_change(&p, 1, 0, true, (enum cpuid_reg)4, 1, true), -1);
    assert_int_equal(cpuid_policy_change(&p, 1, 0, true, (enum cpuid_reg)-1, 1, true), -1);
    assert_int_equal(p.n, 0);
}

static void test_overrides_on_hypervisor_leaves(void **state)
{
    (void)state;
    struct cpuid_policy p;
    cpuid_policy_init(&p);
    cpuid_policy_change(&p, CPUID_HV_FEATURES, 0, true, CPUID_EBX, 0x80000001, true);
    cpuid_policy_change(&p, CPUID_HV_FEATURES, 0, true, CPUID_EAX, 0x00020000, false);
    cpuid_policy_change(&p, CPUID_HV_BASE, 0, false, CPUID_EAX, 0xFF, true);
    cpuid_policy_change(&p, 0x40000002, 0, true, CPUID_EDX, 0x5, true);
    /* The native answer is still ignored for hypervisor leaves. */
    assert_result(cpuid_policy_apply(&p, CPUID_HV_FEATURES, 3, 0, ALL_ONES), 0, 0x80000001, 0, 0);
    assert_result(cpuid_policy_apply(&p, CPUID_HV_BASE, 0, 0, ALL_ONES), 0x400000FF, 0x6F6E6F6D,
                  0x6F736976, 0x00000072);
    assert_result(cpuid_policy_apply(&p, CPUID_HV_BASE, 1, 0, ALL_ONES), 0x40000001, 0x6F6E6F6D,
                  0x6F736976, 0x00000072);
    assert_result(cpuid_policy_apply(&p, 0x40000002, 0, 0, ALL_ONES), 0, 0, 0, 5);
    assert_result(cpuid_policy_apply(&p, 0x40000003, 0, 0, ALL_ONES), 0, 0, 0, 0);
}

/* Fills p with CPUID_MAX_OVERRIDES distinct overrides (leaf i, EAX bit 0). */
static void fill(struct cpuid_policy *p)
{
    cpuid_policy_init(p);
    for (uint32_t i = 0; i < CPUID_MAX_OVERRIDES; i++)
        assert_int_equal(cpuid_policy_change(p, 0x100 + i, 0, true, CPUID_EAX, 1, true), 0);
    assert_int_equal(p->n, CPUID_MAX_OVERRIDES);
}

static void test_table_full(void **state)
{
    (void)state;
    struct cpuid_policy p, before;
    fill(&p);
    memcpy(&before, &p, sizeof(p));
    assert_int_equal(cpuid_policy_change(&p, 0x200, 0, true, CPUID_EAX, 1, true), -1);
    assert_int_equal(cpuid_policy_change(&p, 0x100, 0, false, CPUID_EAX, 1, true), -1);
    assert_int_equal(cpuid_policy_change(&p, 0x100, 0, true, CPUID_EBX, 1, true), -1);
    assert_memory_equal(&p, &before, sizeof(p));
    /* Merging into an existing entry still works. */
    assert_int_equal(cpuid_policy_change(&p, 0x11F, 7, true, CPUID_EAX, 2, true), 0);
    assert_override(&p.ov[31], 0x11F, 0, true, CPUID_EAX, 3, 0);
    assert_int_equal(p.n, CPUID_MAX_OVERRIDES);
    for (uint32_t i = 0; i < CPUID_MAX_OVERRIDES; i++)
        assert_int_equal(cpuid_policy_apply(&p, 0x100 + i, 0, 0, res(0, 0, 0, 0)).eax,
                         i == 31 ? 3 : 1);
}

static void test_reset(void **state)
{
    (void)state;
    struct cpuid_policy p;
    fill(&p);
    cpuid_policy_note(&p, 1);
    cpuid_policy_note(&p, 0x12345678);
    cpuid_policy_reset(&p);
    assert_int_equal(p.n, 0);
    assert_same_result(cpuid_policy_apply(&p, 0x105, 0, 0, res(0, 0, 0, 0)), res(0, 0, 0, 0));
    /* What the guest asked is kept. */
    assert_int_equal(p.asked.basic, 2);
    assert_int_equal(p.asked.other, 1);
    /* The whole table is free again. */
    for (uint32_t i = 0; i < CPUID_MAX_OVERRIDES; i++)
        assert_int_equal(cpuid_policy_change(&p, 0x300 + i, 0, true, CPUID_ECX, 1, false), 0);
    assert_override(&p.ov[0], 0x300, 0, true, CPUID_ECX, 0, 1);
    cpuid_policy_reset(&p);
    cpuid_policy_reset(&p);
    assert_int_equal(p.n, 0);
}

/* ---- feature table --------------------------------------------------------- */

static void assert_feature(const char *name, uint32_t leaf, uint32_t subleaf, enum cpuid_reg reg,
                           unsigned bit)
{
    const struct cpuid_feature *f = cpuid_feature_find(name);
    if (!f)
        fail_msg("feature %s missing", name);
    assert_string_equal(f->name, name);
    assert_int_equal(f->leaf, leaf);
    assert_int_equal(f->subleaf, subleaf);
    assert_int_equal(f->reg, reg);
    assert_int_equal(f->bit, bit);
}

static void test_feature_bits(void **state)
{
    (void)state;
    /* SDM Vol. 2A, CPUID, Tables 3-8, 3-10 and 3-11. */
    assert_feature("fpu", 1, 0, CPUID_EDX, 0);
    assert_feature("tsc", 1, 0, CPUID_EDX, 4);
    assert_feature("apic", 1, 0, CPUID_EDX, 9);
    assert_feature("sep", 1, 0, CPUID_EDX, 11);
    assert_feature("pse36", 1, 0, CPUID_EDX, 17);
    assert_feature("clflush", 1, 0, CPUID_EDX, 19);
    assert_feature("mmx", 1, 0, CPUID_EDX, 23);
    assert_feature("sse2", 1, 0, CPUID_EDX, 26);
    assert_feature("htt", 1, 0, CPUID_EDX, 28);
    assert_feature("sse3", 1, 0, CPUID_ECX, 0);
    assert_feature("monitor", 1, 0, CPUID_ECX, 3);
    assert_feature("vmx", 1, 0, CPUID_ECX, 5);
    assert_feature("ssse3", 1, 0, CPUID_ECX, 9);
    assert_feature("pcid", 1, 0, CPUID_ECX, 17);
    assert_feature("sse4_1", 1, 0, CPUID_ECX, 19);
    assert_feature("x2apic", 1, 0, CPUID_ECX, 21);
    assert_feature("tsc_deadline", 1, 0, CPUID_ECX, 24);
    assert_feature("osxsave", 1, 0, CPUID_ECX, 27);
    assert_feature("avx", 1, 0, CPUID_ECX, 28);
    assert_feature("rdrand", 1, 0, CPUID_ECX, 30);
    assert_feature("hypervisor", 1, 0, CPUID_ECX, 31);
    assert_feature("fsgsbase", 7, 0, CPUID_EBX, 0);
    assert_feature("avx2", 7, 0, CPUID_EBX, 5);
    assert_feature("smep", 7, 0, CPUID_EBX, 7);
    assert_feature("rtm", 7, 0, CPUID_EBX, 11);
    assert_feature("avx512f", 7, 0, CPUID_EBX, 16);
    assert_feature("smap", 7, 0, CPUID_EBX, 20);
    assert_feature("avx512ifma", 7, 0, CPUID_EBX, 21);
    assert_feature("clflushopt", 7, 0, CPUID_EBX, 23);
    assert_feature("sha", 7, 0, CPUID_EBX, 29);
    assert_feature("avx512vl", 7, 0, CPUID_EBX, 31);
    assert_feature("avx512vbmi", 7, 0, CPUID_ECX, 1);
    assert_feature("umip", 7, 0, CPUID_ECX, 2);
    assert_feature("waitpkg", 7, 0, CPUID_ECX, 5);
    assert_feature("avx512_vpopcntdq", 7, 0, CPUID_ECX, 14);
    assert_feature("la57", 7, 0, CPUID_ECX, 16);
    assert_feature("rdpid", 7, 0, CPUID_ECX, 22);
    assert_feature("avx512_4vnniw", 7, 0, CPUID_EDX, 2);
    assert_feature("md_clear", 7, 0, CPUID_EDX, 10);
    assert_feature("serialize", 7, 0, CPUID_EDX, 14);
    assert_feature("hybrid", 7, 0, CPUID_EDX, 15);
    assert_feature("ibt", 7, 0, CPUID_EDX, 20);
    assert_feature("amx_tile", 7, 0, CPUID_EDX, 24);
    assert_feature("spec_ctrl", 7, 0, CPUID_EDX, 26);
    assert_feature("flush_l1d", 7, 0, CPUID_EDX, 28);
    assert_feature("arch_capabilities", 7, 0, CPUID_EDX, 29);
    assert_feature("ssbd", 7, 0, CPUID_EDX, 31);
    assert_feature("lahf_lm", 0x80000001, 0, CPUID_ECX, 0);
    assert_feature("lzcnt", 0x80000001, 0, CPUID_ECX, 5);
    assert_feature("prefetchw", 0x80000001, 0, CPUID_ECX, 8);
    assert_feature("syscall", 0x80000001, 0, CPUID_EDX, 11);
    assert_feature("nx", 0x80000001, 0, CPUID_EDX, 20);
    assert_feature("pdpe1gb", 0x80000001, 0, CPUID_EDX, 26);
    assert_feature("rdtscp", 0x80000001, 0, CPUID_EDX, 27);
    assert_feature("lm", 0x80000001, 0, CPUID_EDX, 29);
    /* The fixed view's two bits are the table's. */
    assert_int_equal(1u << cpuid_feature_find("vmx")->bit, CPUID_1_ECX_VMX_BIT);
    assert_int_equal(1u << cpuid_feature_find("hypervisor")->bit, CPUID_1_ECX_HV_BIT);
}

static void test_feature_unknown(void **state)
{
    (void)state;
    static const char *const names[] = { "avx9", "", "AVX", "Avx2", "avx ", " avx", "sse4",
                                         "sse4_", "avx512", "avx512f1", "x", "+avx" };
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        assert_null(cpuid_feature_find(names[i]));
}

static void test_feature_table_is_sound(void **state)
{
    (void)state;
    static const char *const required[] = {
        "fpu", "vme", "de", "pse", "tsc", "msr", "pae", "mce", "cx8", "apic", "sep", "mtrr",
        "pge", "mca", "cmov", "pat", "pse36", "clflush", "mmx", "fxsr", "sse", "sse2", "ss",
        "htt", "sse3", "pclmulqdq", "monitor", "vmx", "ssse3", "fma", "cx16", "pcid", "sse4_1",
        "sse4_2", "x2apic", "movbe", "popcnt", "tsc_deadline", "aes", "xsave", "osxsave", "avx",
        "f16c", "rdrand", "hypervisor", "fsgsbase", "bmi1", "hle", "avx2", "smep", "bmi2",
        "erms", "invpcid", "rtm", "avx512f", "avx512dq", "rdseed", "adx", "smap", "avx512ifma",
        "clflushopt", "clwb", "avx512pf", "avx512er", "avx512cd", "sha", "avx512bw", "avx512vl",
        "avx512vbmi", "umip", "pku", "ospke", "waitpkg", "avx512_vbmi2", "gfni", "vaes",
        "vpclmulqdq", "avx512_vnni", "avx512_bitalg", "avx512_vpopcntdq", "la57", "rdpid",
        "avx512_4vnniw", "avx512_4fmaps", "md_clear", "serialize", "hybrid", "pconfig", "ibt",
        "amx_bf16", "avx512_fp16", "amx_tile", "amx_int8", "spec_ctrl", "stibp", "flush_l1d",
        "arch_capabilities", "ssbd", "lahf_lm", "lzcnt", "prefetchw", "syscall", "nx",
        "pdpe1gb", "rdtscp", "lm",
    };
    for (size_t i = 0; i < sizeof(required) / sizeof(required[0]); i++)
        if (!cpuid_feature_find(required[i]))
            fail_msg("feature %s missing", required[i]);

    unsigned n = 0;
    const struct cpuid_feature *f;
    while ((f = cpuid_feature_at(n)) != NULL) {
        /* Lower case names, found by name, valid places, no duplicates. */
        for (const char *c = f->name; *c; c++)
            assert_true((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '_');
        assert_ptr_equal(cpuid_feature_find(f->name), f);
        assert_true(f->leaf == 1 || f->leaf == 7 || f->leaf == 0x80000001);
        assert_int_equal(f->subleaf, 0);
        assert_true(f->reg <= CPUID_EDX);
        assert_true(f->bit < 32);
        for (unsigned j = 0; j < n; j++) {
            const struct cpuid_feature *g = cpuid_feature_at(j);
            assert_true(strcmp(g->name, f->name) != 0);
            assert_false(g->leaf == f->leaf && g->reg == f->reg && g->bit == f->bit);
        }
        n++;
    }
    assert_true(n >= sizeof(required) / sizeof(required[0]));
    assert_null(cpuid_feature_at(n));
    assert_null(cpuid_feature_at(n + 1));
    assert_null(cpuid_feature_at(UINT32_MAX));
    assert_string_equal(cpuid_feature_at(0)->name, "fpu");
}

static void test_reg_names(void **state)
{
    (void)state;
    assert_string_equal(cpuid_reg_name(CPUID_EAX), "eax");
    assert_string_equal(cpuid_reg_name(CPUID_EBX), "ebx");
    assert_string_equal(cpuid_reg_name(CPUID_ECX), "ecx");
    assert_string_equal(cpuid_reg_name(CPUID_EDX), "edx");
    assert_string_equal(cpuid_reg_name((enum cpuid_reg)4), "?");
}

/* ---- parsing --------------------------------------------------------------- */

static void test_parse_names(void **state)
{
    (void)state;
    struct cpuid_policy p;
    struct reports r;
    assert_int_equal(parse(&p, "-avx512f,+x2apic", &r), 0);
    assert_int_equal(p.n, 2);
    /* Leaf 7 features name subleaf 0; leaf 1 features every subleaf. */
    assert_override(&p.ov[0], 7, 0, false, CPUID_EBX, 0, 1u << 16);
    assert_override(&p.ov[1], 1, 0, true, CPUID_ECX, 1u << 21, 0);
    assert_int_equal(cpuid_policy_apply(&p, 7, 0, 0, ALL_ONES).ebx, 0xFFFEFFFF);
    assert_int_equal(cpuid_policy_apply(&p, 7, 1, 0, ALL_ONES).ebx, 0xFFFFFFFF);
    assert_int_equal(cpuid_policy_apply(&p, 1, 0, 0, res(0, 0, 0, 0)).ecx, 0x80200000);
    assert_int_equal(cpuid_policy_apply(&p, 1, 0xABCD, 0, res(0, 0, 0, 0)).ecx, 0x80200000);
    /* 80000001H features cover every subleaf too. */
    assert_int_equal(parse(&p, "-nx,-lm,+lahf_lm", &r), 0);
    assert_int_equal(p.n, 2);
    assert_override(&p.ov[0], 0x80000001, 0, true, CPUID_EDX, 0, (1u << 20) | (1u << 29));
    assert_override(&p.ov[1], 0x80000001, 0, true, CPUID_ECX, 1, 0);
    assert_result(cpuid_policy_apply(&p, 0x80000001, 9, 0, res(0, 0, 0, 0xFFFFFFFF)), 0, 0, 1,
                  0xDFEFFFFF);
}

static void test_parse_numeric(void **state)
{
    (void)state;
    struct cpuid_policy p;
    struct reports r;
    assert_int_equal(parse(&p, "-1.ecx.12,+7.0.ebx.5,+0x80000001.edx.0x14,+7.0x1.eax.0,"
                               "-0X7.ebx.31,+4294967295.edx.0x1F,+0xd.ECX.3", &r), 1);
    assert_string_equal(r.msg[0],
                        "cpuid: bad item '0xd.ECX.3' (register must be eax, ebx, ecx or edx)");
    assert_int_equal(p.n, 6);
    assert_override(&p.ov[0], 1, 0, true, CPUID_ECX, 0, 1u << 12);
    assert_override(&p.ov[1], 7, 0, false, CPUID_EBX, 1u << 5, 0);
    assert_override(&p.ov[2], 0x80000001, 0, true, CPUID_EDX, 1u << 20, 0);
    assert_override(&p.ov[3], 7, 1, false, CPUID_EAX, 1, 0);
    assert_override(&p.ov[4], 7, 0, true, CPUID_EBX, 0, 1u << 31);
    assert_override(&p.ov[5], 0xFFFFFFFF, 0, true, CPUID_EDX, 0x80000000, 0);
    /* Without a subleaf, the item covers every subleaf of the leaf. */
    assert_int_equal(parse(&p, "+7.ebx.5,+7.0.ebx.6", &r), 0);
    assert_override(&p.ov[0], 7, 0, true, CPUID_EBX, 1u << 5, 0);
    assert_override(&p.ov[1], 7, 0, false, CPUID_EBX, 1u << 6, 0);
    assert_int_equal(cpuid_policy_apply(&p, 7, 0, 0, res(0, 0, 0, 0)).ebx, 0x60);
    assert_int_equal(cpuid_policy_apply(&p, 7, 3, 0, res(0, 0, 0, 0)).ebx, 0x20);
}

static void test_parse_example_list(void **state)
{
    (void)state;
    struct cpuid_policy p;
    struct reports r;
    assert_int_equal(parse(&p, "-avx512f,+x2apic,-1.ecx.12,+7.0.ebx.5", &r), 0);
    /* +7.0.ebx.5 merges into -avx512f's entry, -1.ecx.12 into +x2apic's. */
    assert_int_equal(p.n, 2);
    assert_override(&p.ov[0], 7, 0, false, CPUID_EBX, 1u << 5, 1u << 16);
    assert_override(&p.ov[1], 1, 0, true, CPUID_ECX, 1u << 21, 1u << 12);
    struct cpuid_result g = cpuid_policy_apply(&p, 1, 0, 0, res(0, 0, 0x1020, 0));
    assert_int_equal(g.ecx, 0x80200000);        /* -fma, +x2apic, -vmx, +hypervisor */
}

static void test_parse_order_later_wins(void **state)
{
    (void)state;
    struct cpuid_policy p;
    struct reports r;
    assert_int_equal(parse(&p, "+avx,-avx", &r), 0);
    assert_override(&p.ov[0], 1, 0, true, CPUID_ECX, 0, 1u << 28);
    assert_int_equal(parse(&p, "-avx,+avx", &r), 0);
    assert_override(&p.ov[0], 1, 0, true, CPUID_ECX, 1u << 28, 0);
    /* A name and its numeric spelling merge. */
    assert_int_equal(parse(&p, "-avx2,+7.0.ebx.5", &r), 0);
    assert_int_equal(p.n, 1);
    assert_override(&p.ov[0], 7, 0, false, CPUID_EBX, 1u << 5, 0);
    /* Parsing adds to what is there. */
    assert_int_equal(cpuid_policy_parse(&p, "+sse3", collect, &r), 0);
    assert_int_equal(p.n, 2);
}

static void test_parse_whitespace(void **state)
{
    (void)state;
    struct cpuid_policy p;
    struct reports r;
    assert_int_equal(parse(&p, " +avx , -sse\t,\n+lm \r, \t ,  +1.eax.0  ", &r), 0);
    assert_int_equal(p.n, 4);
    assert_override(&p.ov[0], 1, 0, true, CPUID_ECX, 1u << 28, 0);
    assert_override(&p.ov[1], 1, 0, true, CPUID_EDX, 0, 1u << 25);
    assert_override(&p.ov[2], 0x80000001, 0, true, CPUID_EDX, 1u << 29, 0);
    assert_override(&p.ov[3], 1, 0, true, CPUID_EAX, 1, 0);
    /* Blanks inside an item are part of it. */
    assert_int_equal(parse(&p, "+ avx,- 1.eax.0,+1. eax.0", &r), 3);
    assert_string_equal(r.msg[0], "cpuid: unknown feature ' avx'");
    assert_string_equal(r.msg[1], "cpuid: unknown feature ' 1.eax.0'");
    assert_string_equal(r.msg[2],
                        "cpuid: bad item '1. eax.0' (register must be eax, ebx, ecx or edx)");
    assert_int_equal(p.n, 0);
}

static void test_parse_empty(void **state)
{
    (void)state;
    static const char *const lists[] = { "", ",", ",,,", " ", " , \t, ", "\n" };
    struct cpuid_policy p;
    struct reports r;
    for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
        assert_int_equal(parse(&p, lists[i], &r), 0);
        assert_int_equal(p.n, 0);
    }
    assert_int_equal(parse(&p, NULL, &r), 0);
    assert_int_equal(p.n, 0);
}

static void test_parse_trailing_and_repeated_commas(void **state)
{
    (void)state;
    struct cpuid_policy p;
    struct reports r;
    assert_int_equal(parse(&p, "+avx,", &r), 0);
    assert_int_equal(p.n, 1);
    assert_int_equal(parse(&p, ",-sse,,+avx,,", &r), 0);
    assert_int_equal(p.n, 2);
    assert_override(&p.ov[0], 1, 0, true, CPUID_EDX, 0, 1u << 25);
}

static void test_parse_bad_items(void **state)
{
    (void)state;
    static const struct {
        const char *item, *msg;
    } cases[] = {
        { "-avx9", "cpuid: unknown feature 'avx9'" },
        { "+AVX", "cpuid: unknown feature 'AVX'" },
        { "+avx2.", "cpuid: unknown feature 'avx2.'" },
        { "+7.ebx.40", "cpuid: bad item '7.ebx.40' (bit must be 0-31)" },
        { "-7.0.ebx.32", "cpuid: bad item '7.0.ebx.32' (bit must be 0-31)" },
        { "+7.0.ebx.", "cpuid: bad item '7.0.ebx.' (bit must be 0-31)" },
        { "+7.0.ebx.-1", "cpuid: bad item '7.0.ebx.-1' (bit must be 0-31)" },
        { "+7.0.ebx.5x", "cpuid: bad item '7.0.ebx.5x' (bit must be 0-31)" },
        { "+7.0.ebx.0x", "cpuid: bad item '7.0.ebx.0x' (bit must be 0-31)" },
        { "+7.0.ebx.99999999999", "cpuid: bad item '7.0.ebx.99999999999' (bit must be 0-31)" },
        { "avx", "cpuid: bad item 'avx' (must start with + or -)" },
        { "1.ecx.5", "cpuid: bad item '1.ecx.5' (must start with + or -)" },
        { "*avx", "cpuid: bad item '*avx' (must start with + or -)" },
        { "+", "cpuid: bad item '+' (a feature or LEAF[.SUBLEAF].REG.BIT must follow)" },
        { "-", "cpuid: bad item '-' (a feature or LEAF[.SUBLEAF].REG.BIT must follow)" },
        { "+7", "cpuid: bad item '7' (expected LEAF[.SUBLEAF].REG.BIT)" },
        { "+7.ebx", "cpuid: bad item '7.ebx' (expected LEAF[.SUBLEAF].REG.BIT)" },
        { "+7.0.0.ebx.5", "cpuid: bad item '7.0.0.ebx.5' (expected LEAF[.SUBLEAF].REG.BIT)" },
        { "+7.0.1.2.ebx.5", "cpuid: bad item '7.0.1.2.ebx.5' (expected LEAF[.SUBLEAF].REG.BIT)" },
        { "+0x1g.ecx.1", "cpuid: bad item '0x1g.ecx.1' (leaf must be a 32-bit number)" },
        { "+0x.ecx.1", "cpuid: bad item '0x.ecx.1' (leaf must be a 32-bit number)" },
        { "+0x100000000.ecx.1",
          "cpuid: bad item '0x100000000.ecx.1' (leaf must be a 32-bit number)" },
        { "+4294967296.ecx.1", "cpuid: bad item '4294967296.ecx.1' (leaf must be a 32-bit number)" },
        { "+7.x.ebx.1", "cpuid: bad item '7.x.ebx.1' (subleaf must be a 32-bit number)" },
        { "+7..ebx.1", "cpuid: bad item '7..ebx.1' (subleaf must be a 32-bit number)" },
        { "+7.0.esi.1", "cpuid: bad item '7.0.esi.1' (register must be eax, ebx, ecx or edx)" },
        { "+7.0.ebxx.1", "cpuid: bad item '7.0.ebxx.1' (register must be eax, ebx, ecx or edx)" },
        { "+7.0..1", "cpuid: bad item '7.0..1' (register must be eax, ebx, ecx or edx)" },
    };
    struct cpuid_policy p;
    struct reports r;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        assert_int_equal(parse(&p, cases[i].item, &r), 1);
        assert_string_equal(r.msg[0], cases[i].msg);
        assert_int_equal(p.n, 0);
    }
}

static void test_parse_bad_items_skipped_good_applied(void **state)
{
    (void)state;
    struct cpuid_policy p;
    struct reports r;
    assert_int_equal(parse(&p, "+avx,-avx9,avx2,-sse,+7.ebx.40,+lm", &r), 3);
    assert_string_equal(r.msg[0], "cpuid: unknown feature 'avx9'");
    assert_string_equal(r.msg[1], "cpuid: bad item 'avx2' (must start with + or -)");
    assert_string_equal(r.msg[2], "cpuid: bad item '7.ebx.40' (bit must be 0-31)");
    assert_int_equal(p.n, 3);
    assert_override(&p.ov[0], 1, 0, true, CPUID_ECX, 1u << 28, 0);
    assert_override(&p.ov[1], 1, 0, true, CPUID_EDX, 0, 1u << 25);
    assert_override(&p.ov[2], 0x80000001, 0, true, CPUID_EDX, 1u << 29, 0);
}

static void test_parse_long_item_is_shortened(void **state)
{
    (void)state;
    char list[128], want[160];
    memset(list, 'a', sizeof(list));
    list[0] = '+';
    list[sizeof(list) - 1] = '\0';
    struct cpuid_policy p;
    struct reports r;
    assert_int_equal(parse(&p, list, &r), 1);
    snprintf(want, sizeof(want), "cpuid: unknown feature '%.48s...'", list + 1);
    assert_string_equal(r.msg[0], want);
    /* 48 characters are shown whole. */
    list[49] = '\0';
    assert_int_equal(parse(&p, list, &r), 1);
    snprintf(want, sizeof(want), "cpuid: unknown feature '%s'", list + 1);
    assert_string_equal(r.msg[0], want);
}

static void test_parse_table_full(void **state)
{
    (void)state;
    char list[1024];
    size_t pos = 0;
    for (unsigned i = 0; i <= CPUID_MAX_OVERRIDES; i++)
        pos += (size_t)snprintf(list + pos, sizeof(list) - pos, "+%u.eax.0,", i);
    snprintf(list + pos, sizeof(list) - pos, "+0.eax.1,-avx");
    struct cpuid_policy p;
    struct reports r;
    assert_int_equal(parse(&p, list, &r), 2);
    assert_string_equal(r.msg[0], "cpuid: '32.eax.0' skipped: override table full (32 entries)");
    assert_string_equal(r.msg[1], "cpuid: 'avx' skipped: override table full (32 entries)");
    assert_int_equal(p.n, CPUID_MAX_OVERRIDES);
    /* "+0.eax.1" merged into the first entry. */
    assert_override(&p.ov[0], 0, 0, true, CPUID_EAX, 3, 0);
    assert_override(&p.ov[31], 31, 0, true, CPUID_EAX, 1, 0);
}

static void test_parse_without_report(void **state)
{
    (void)state;
    struct cpuid_policy p;
    cpuid_policy_init(&p);
    assert_int_equal(cpuid_policy_parse(&p, "+bogus,+sse3,x", NULL, NULL), 2);
    assert_int_equal(p.n, 1);
    assert_override(&p.ov[0], 1, 0, true, CPUID_ECX, 1, 0);
}

/* ---- asked leaves ---------------------------------------------------------- */

static void test_note_asked_leaves(void **state)
{
    (void)state;
    struct cpuid_policy p;
    cpuid_policy_init(&p);
    static const uint32_t basic[] = { 0, 1, 7, 0xD, 63 };
    for (size_t i = 0; i < sizeof(basic) / sizeof(basic[0]); i++) {
        cpuid_policy_note(&p, basic[i]);
        cpuid_policy_note(&p, basic[i]);      /* twice: a bit, not a count */
    }
    assert_int_equal(p.asked.basic, 0x8000000000002083ull);
    cpuid_policy_note(&p, 0x40000000);
    cpuid_policy_note(&p, 0x40000001);
    cpuid_policy_note(&p, 0x4000003F);
    assert_int_equal(p.asked.hv, 0x8000000000000003ull);
    cpuid_policy_note(&p, 0x80000000);
    cpuid_policy_note(&p, 0x80000008);
    cpuid_policy_note(&p, 0x8000003F);
    assert_int_equal(p.asked.ext, 0x8000000000000101ull);
    assert_int_equal(p.asked.other, 0);
    /* Just past each range, between them and beyond: counted. */
    static const uint32_t other[] = { 64, 0x3FFFFFFF, 0x40000040, 0x4FFFFFFF, 0x7FFFFFFF,
                                      0x80000040, 0xC0000000, 0xFFFFFFFF, 64 };
    for (size_t i = 0; i < sizeof(other) / sizeof(other[0]); i++)
        cpuid_policy_note(&p, other[i]);
    assert_int_equal(p.asked.other, 9);
    assert_int_equal(p.asked.basic, 0x8000000000002083ull);
    assert_int_equal(p.asked.hv, 0x8000000000000003ull);
    assert_int_equal(p.asked.ext, 0x8000000000000101ull);
    assert_int_equal(p.n, 0);
}

/* ---- format ---------------------------------------------------------------- */

static void test_override_format(void **state)
{
    (void)state;
    char buf[128];
    struct cpuid_override o = { 7, 0, true, CPUID_EBX, 0, 0x10000 };
    cpuid_override_format(&o, buf, sizeof(buf));
    assert_string_equal(buf, "cpuid.override leaf=0x7 subleaf=any reg=ebx set=0x0 clear=0x10000");
    o = (struct cpuid_override){ 0x80000001, 0, false, CPUID_EDX, 0xFFFFFFFF, 0 };
    cpuid_override_format(&o, buf, sizeof(buf));
    assert_string_equal(buf, "cpuid.override leaf=0x80000001 subleaf=0x0 reg=edx "
                             "set=0xffffffff clear=0x0");
    o = (struct cpuid_override){ 0xD, 0xABCDEF12, false, CPUID_EAX, 0x30, 0x5 };
    cpuid_override_format(&o, buf, sizeof(buf));
    assert_string_equal(buf, "cpuid.override leaf=0xd subleaf=0xabcdef12 reg=eax set=0x30 "
                             "clear=0x5");
    o = (struct cpuid_override){ 1, 0, true, CPUID_ECX, 0x20, 0x80000000 };
    cpuid_override_format(&o, buf, sizeof(buf));
    assert_string_equal(buf, "cpuid.override leaf=0x1 subleaf=any reg=ecx set=0x20 "
                             "clear=0x80000000");
}

static void test_override_format_small_buffer(void **state)
{
    (void)state;
    char buf[16];
    struct cpuid_override o = { 7, 0, true, CPUID_EBX, 0, 0x10000 };
    cpuid_override_format(&o, buf, 10);
    assert_string_equal(buf, "cpuid.ove");
    memset(buf, 'x', sizeof(buf));
    cpuid_override_format(&o, buf, 0);
    assert_int_equal(buf[0], 'x');
}

static void test_format_of_parsed_policy(void **state)
{
    (void)state;
    struct cpuid_policy p;
    struct reports r;
    char buf[128];
    assert_int_equal(parse(&p, "-avx512f", &r), 0);
    cpuid_override_format(&p.ov[0], buf, sizeof(buf));
    assert_string_equal(buf, "cpuid.override leaf=0x7 subleaf=0x0 reg=ebx set=0x0 clear=0x10000");
    assert_int_equal(parse(&p, "-7.ebx.16", &r), 0);
    cpuid_override_format(&p.ov[0], buf, sizeof(buf));
    assert_string_equal(buf, "cpuid.override leaf=0x7 subleaf=any reg=ebx set=0x0 clear=0x10000");
}

/* ---- masks (the CPUID fast path) ------------------------------------------ */

/* A small xorshift: the same pseudo-random natives on every run. */
static uint32_t next_random(uint32_t *x)
{
    *x ^= *x << 13;
    *x ^= *x >> 17;
    *x ^= *x << 5;
    return *x;
}

/* masks applied to native equal cpuid_policy_apply, for the leaf given and
 * every guest CR4 of CR4S, the host's CR4 the same. */
static void assert_masks_match(const struct cpuid_policy *p, uint32_t leaf)
{
    for (unsigned c = 0; c < NCR4S; c++) {
        struct cpuid_masks m;
        uint32_t x = 0x12345678u ^ leaf;
        assert_true(cpuid_policy_masks(p, leaf, CR4S[c], CR4S[c], &m));
        for (int i = 0; i < 200; i++) {
            struct cpuid_result n = res(next_random(&x), next_random(&x), next_random(&x), next_random(&x));
            uint32_t sub = i < 100 ? (uint32_t)i : next_random(&x);
            if (leaf == 7 && sub == 0)  /* as the CPU under the same CR4.PKE reports it */
                n.ecx = (n.ecx & ~CPUID_7_ECX_OSPKE_BIT) | (CR4S[c] & CR4_PKE ? CPUID_7_ECX_OSPKE_BIT : 0);
            struct cpuid_result g = cpuid_policy_apply(p, leaf, sub, CR4S[c], n);
            assert_result(g, (n.eax & m.and_mask[0]) | m.or_mask[0], (n.ebx & m.and_mask[1]) | m.or_mask[1],
                          (n.ecx & m.and_mask[2]) | m.or_mask[2], (n.edx & m.and_mask[3]) | m.or_mask[3]);
        }
    }
}

/* Leaf 7 tells subleaf 0 (OSPKE) apart: no masks when the guest's CR4.PKE
 * is not the host's (OSXSAVE does not matter there). */
static void assert_leaf7_refused(const struct cpuid_policy *p)
{
    struct cpuid_masks m;
    for (unsigned c = 0; c < NCR4S; c++) {
        assert_false(cpuid_policy_masks(p, 7, CR4S[c], CR4S[c] ^ CR4_PKE, &m));
        assert_false(cpuid_policy_masks(p, 7, CR4S[c], (CR4S[c] ^ CR4_PKE) | CR4_OSXSAVE, &m));
    }
}

static void test_masks_fixed_view(void **state)
{
    (void)state;
    struct cpuid_policy p;
    struct cpuid_masks m;
    cpuid_policy_init(&p);
    assert_true(cpuid_policy_masks(&p, 1, 0, 0, &m));
    assert_int_equal(m.and_mask[2], ~(CPUID_1_ECX_VMX_BIT | CPUID_1_ECX_OSXSAVE_BIT));
    assert_int_equal(m.or_mask[2], CPUID_1_ECX_HV_BIT);
    assert_true(cpuid_policy_masks(&p, 1, CR4_OSXSAVE, 0, &m));
    assert_int_equal(m.and_mask[2], ~CPUID_1_ECX_VMX_BIT);
    assert_int_equal(m.or_mask[2], CPUID_1_ECX_HV_BIT | CPUID_1_ECX_OSXSAVE_BIT);
    assert_true(cpuid_policy_masks(&p, 0, 0, 0, &m));
    for (int r = 0; r < 4; r++) {
        assert_int_equal(m.and_mask[r], 0xFFFFFFFFu);
        assert_int_equal(m.or_mask[r], 0);
    }
    for (uint32_t leaf = 0; leaf < 40; leaf++)
        assert_masks_match(&p, leaf);
    assert_leaf7_refused(&p);
    /* Leaf 7 with the host's PKE: subleaf 0's OSPKE is left to the CPU. */
    assert_true(cpuid_policy_masks(&p, 7, CR4_PKE, CR4_PKE | CR4_OSXSAVE, &m));
    assert_int_equal(m.and_mask[2], 0xFFFFFFFFu);
    assert_int_equal(m.or_mask[2], 0);
    assert_masks_match(&p, CPUID_HV_BASE);      /* constant: and = or = the answer */
    assert_masks_match(&p, CPUID_HV_FEATURES);
    assert_masks_match(&p, CPUID_EXT_BASE + 1);
}

static void test_masks_follow_any_subleaf_overrides(void **state)
{
    (void)state;
    struct cpuid_policy p;
    cpuid_policy_init(&p);
    assert_int_equal(cpuid_policy_parse(&p, "-x2apic,+1.ecx.5,-1.edx.0,+7.ebx.3,-7.ebx.3,+0.eax.31", 0, 0), 0);
    for (uint32_t leaf = 0; leaf < 40; leaf++)
        assert_masks_match(&p, leaf);
    assert_leaf7_refused(&p);
}

static void test_masks_refused_for_exact_subleaf_override(void **state)
{
    (void)state;
    struct cpuid_policy p;
    struct cpuid_masks m;
    cpuid_policy_init(&p);
    assert_int_equal(cpuid_policy_parse(&p, "-0xd.1.eax.3", 0, 0), 0);    /* leaf 0DH subleaf 1 */
    assert_false(cpuid_policy_masks(&p, 0xD, 0, 0, &m));
    assert_masks_match(&p, 1);                  /* other leaves stay expressible */
    cpuid_policy_reset(&p);
    assert_true(cpuid_policy_masks(&p, 0xD, 0, 0, &m));
}

/* The experiments' overrides come after the CR4 mirror, so they win. */
static void test_overrides_win_over_cr4_bits(void **state)
{
    (void)state;
    struct cpuid_policy p;
    cpuid_policy_init(&p);
    assert_int_equal(cpuid_policy_parse(&p, "-osxsave,+ospke", 0, 0), 0);
    assert_int_equal(cpuid_policy_apply(&p, 1, 0, CR4_OSXSAVE, ALL_ONES).ecx & CPUID_1_ECX_OSXSAVE_BIT, 0);
    assert_int_equal(cpuid_policy_apply(&p, 7, 0, 0, res(0, 0, 0, 0)).ecx, CPUID_7_ECX_OSPKE_BIT);
    struct cpuid_masks m;
    assert_true(cpuid_policy_masks(&p, 1, CR4_OSXSAVE, 0, &m));
    assert_int_equal(m.or_mask[2] & CPUID_1_ECX_OSXSAVE_BIT, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_leaf1_hides_vmx_and_sets_hypervisor_bit),
        cmocka_unit_test(test_leaf1_all_ones),
        cmocka_unit_test(test_leaf1_osxsave_mirrors_guest_cr4),
        cmocka_unit_test(test_leaf7_ospke_mirrors_guest_cr4_in_subleaf0),
        cmocka_unit_test(test_leaf_d_passes_through),
        cmocka_unit_test(test_leaf1_all_zero),
        cmocka_unit_test(test_leaf1_subleaf_ignored),
        cmocka_unit_test(test_hv_base_leaf_signature),
        cmocka_unit_test(test_hv_base_leaf_ignores_native_and_subleaf),
        cmocka_unit_test(test_hv_features_leaf),
        cmocka_unit_test(test_svm_hidden),
        cmocka_unit_test(test_other_hv_leaves_zero),
        cmocka_unit_test(test_kvm_leaves),
        cmocka_unit_test(test_hv_leaf_direct),
        cmocka_unit_test(test_other_leaves_pass_through),
        cmocka_unit_test(test_extended_leaf_keeps_bit5_of_ecx),
        cmocka_unit_test(test_is_hv_leaf),
        cmocka_unit_test(test_policy_init_empties),
        cmocka_unit_test(test_apply_without_overrides_is_fixed_view),
        cmocka_unit_test(test_apply_set_and_clear_each_register),
        cmocka_unit_test(test_apply_overrides_win_over_fixed_view),
        cmocka_unit_test(test_any_subleaf_versus_exact),
        cmocka_unit_test(test_any_and_exact_overlap_apply_in_order),
        cmocka_unit_test(test_any_subleaf_ignores_subleaf_argument),
        cmocka_unit_test(test_change_merges),
        cmocka_unit_test(test_change_no_bits_or_bad_register),
        cmocka_unit_test(test_overrides_on_hypervisor_leaves),
        cmocka_unit_test(test_table_full),
        cmocka_unit_test(test_reset),
        cmocka_unit_test(test_feature_bits),
        cmocka_unit_test(test_feature_unknown),
        cmocka_unit_test(test_feature_table_is_sound),
        cmocka_unit_test(test_reg_names),
        cmocka_unit_test(test_parse_names),
        cmocka_unit_test(test_parse_numeric),
        cmocka_unit_test(test_parse_example_list),
        cmocka_unit_test(test_parse_order_later_wins),
        cmocka_unit_test(test_parse_whitespace),
        cmocka_unit_test(test_parse_empty),
        cmocka_unit_test(test_parse_trailing_and_repeated_commas),
        cmocka_unit_test(test_parse_bad_items),
        cmocka_unit_test(test_parse_bad_items_skipped_good_applied),
        cmocka_unit_test(test_parse_long_item_is_shortened),
        cmocka_unit_test(test_parse_table_full),
        cmocka_unit_test(test_parse_without_report),
        cmocka_unit_test(test_note_asked_leaves),
        cmocka_unit_test(test_override_format),
        cmocka_unit_test(test_override_format_small_buffer),
        cmocka_unit_test(test_format_of_parsed_policy),
        cmocka_unit_test(test_masks_fixed_view),
        cmocka_unit_test(test_masks_follow_any_subleaf_overrides),
        cmocka_unit_test(test_masks_refused_for_exact_subleaf_override),
        cmocka_unit_test(test_overrides_win_over_cr4_bits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
