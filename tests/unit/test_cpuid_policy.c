// covers: vmx/cpuid_policy.c
/*
 * test_cpuid_policy.c - host unit tests of the guest's CPUID view
 * (vmx/cpuid_policy.c): leaf 1 edits, the hypervisor leaves and
 * pass-through of everything else.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "../../vmx/cpuid_policy.h"

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

/* A native answer with every bit set, to show the policy ignores it. */
static const struct cpuid_result ALL_ONES = { 0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF };

/* ---- leaf 1 ---------------------------------------------------------------- */

static void test_leaf1_hides_vmx_and_sets_hypervisor_bit(void **state)
{
    (void)state;
    /* A Skylake-like leaf 1: VMX (bit 5) set, hypervisor bit (31) clear. */
    struct cpuid_result n = res(0x000506E3, 0x00100800, 0x7FFAFBFF, 0xBFEBFBFF);
    struct cpuid_result g = cpuid_guest_view(1, 0, n);
    assert_result(g, 0x000506E3, 0x00100800, 0xFFFAFBDF, 0xBFEBFBFF);
    assert_int_equal(g.ecx & CPUID_1_ECX_VMX_BIT, 0);
    assert_int_equal(g.ecx & CPUID_1_ECX_HV_BIT, CPUID_1_ECX_HV_BIT);
}

static void test_leaf1_all_ones(void **state)
{
    (void)state;
    struct cpuid_result g = cpuid_guest_view(1, 0, ALL_ONES);
    assert_result(g, 0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFDF, 0xFFFFFFFF);
}

static void test_leaf1_all_zero(void **state)
{
    (void)state;
    struct cpuid_result g = cpuid_guest_view(1, 0, res(0, 0, 0, 0));
    assert_result(g, 0, 0, 0x80000000, 0);
}

static void test_leaf1_subleaf_ignored(void **state)
{
    (void)state;
    struct cpuid_result n = res(1, 2, 0x20, 4);
    assert_result(cpuid_guest_view(1, 7, n), 1, 2, 0x80000000, 4);
    assert_result(cpuid_guest_view(1, UINT32_MAX, n), 1, 2, 0x80000000, 4);
}

/* ---- hypervisor leaves ----------------------------------------------------- */

static void test_hv_base_leaf_signature(void **state)
{
    (void)state;
    struct cpuid_result g = cpuid_guest_view(CPUID_HV_BASE, 0, ALL_ONES);
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
    struct cpuid_result a = cpuid_guest_view(CPUID_HV_BASE, 0, res(0, 0, 0, 0));
    struct cpuid_result b = cpuid_guest_view(CPUID_HV_BASE, 3, res(0x12345678, 9, 8, 7));
    assert_memory_equal(&a, &b, sizeof(a));
    assert_int_equal(a.eax, CPUID_HV_MAX);
}

static void test_hv_features_leaf(void **state)
{
    (void)state;
    assert_result(cpuid_guest_view(CPUID_HV_FEATURES, 0, ALL_ONES), 0x00010000, 0, 0, 0);
    assert_result(cpuid_guest_view(0x40000001, 5, res(0, 0, 0, 0)), MONOVISOR_ABI_VERSION, 0, 0, 0);
}

static void test_other_hv_leaves_zero(void **state)
{
    (void)state;
    static const uint32_t leaves[] = { 0x40000002, 0x40000003, 0x40000010, 0x40000100,
                                       0x40010000, 0x41000000, 0x4FFFFFFE, 0x4FFFFFFF };
    for (size_t i = 0; i < sizeof(leaves) / sizeof(leaves[0]); i++) {
        assert_result(cpuid_guest_view(leaves[i], 0, ALL_ONES), 0, 0, 0, 0);
        assert_result(cpuid_guest_view(leaves[i], 1, res(1, 2, 3, 4)), 0, 0, 0, 0);
    }
}

static void test_hv_leaf_direct(void **state)
{
    (void)state;
    /* cpuid_hv_leaf answers without a native result; the guest view uses it. */
    struct cpuid_result base = cpuid_hv_leaf(CPUID_HV_BASE);
    assert_result(base, 0x40000001, 0x6F6E6F6D, 0x6F736976, 0x00000072);
    assert_result(cpuid_hv_leaf(CPUID_HV_FEATURES), 0x00010000, 0, 0, 0);
    assert_result(cpuid_hv_leaf(0x40000002), 0, 0, 0, 0);
    assert_result(cpuid_hv_leaf(0x4FFFFFFF), 0, 0, 0, 0);
    struct cpuid_result via_view = cpuid_guest_view(CPUID_HV_BASE, 0, ALL_ONES);
    assert_memory_equal(&base, &via_view, sizeof(base));
}

/* ---- pass-through ---------------------------------------------------------- */

static void test_other_leaves_pass_through(void **state)
{
    (void)state;
    static const uint32_t leaves[] = { 0, 2, 4, 7, 0xB, 0xD, 0x3FFFFFFF, 0x50000000,
                                       0x80000000, 0x80000001, 0x80000008, 0xFFFFFFFF };
    struct cpuid_result n = res(0xDEADBEEF, 0x756E6547, 0x6C65746E, 0xFFFFFFFF);
    for (size_t i = 0; i < sizeof(leaves) / sizeof(leaves[0]); i++) {
        assert_result(cpuid_guest_view(leaves[i], 0, n), 0xDEADBEEF, 0x756E6547, 0x6C65746E,
                      0xFFFFFFFF);
        assert_result(cpuid_guest_view(leaves[i], 2, ALL_ONES), 0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF,
                      0xFFFFFFFF);
    }
}

static void test_extended_leaf_keeps_bit5_of_ecx(void **state)
{
    (void)state;
    /* Only leaf 1 is edited: 0x80000001 ECX bit 5 (LZCNT) stays. */
    struct cpuid_result g = cpuid_guest_view(0x80000001, 0, res(0, 0, 0x21, 0));
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_leaf1_hides_vmx_and_sets_hypervisor_bit),
        cmocka_unit_test(test_leaf1_all_ones),
        cmocka_unit_test(test_leaf1_all_zero),
        cmocka_unit_test(test_leaf1_subleaf_ignored),
        cmocka_unit_test(test_hv_base_leaf_signature),
        cmocka_unit_test(test_hv_base_leaf_ignores_native_and_subleaf),
        cmocka_unit_test(test_hv_features_leaf),
        cmocka_unit_test(test_other_hv_leaves_zero),
        cmocka_unit_test(test_hv_leaf_direct),
        cmocka_unit_test(test_other_leaves_pass_through),
        cmocka_unit_test(test_extended_leaf_keeps_bit5_of_ecx),
        cmocka_unit_test(test_is_hv_leaf),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
