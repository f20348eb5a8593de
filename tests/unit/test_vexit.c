// covers: kernel/vexit.c kernel/kstring.c
/*
 * test_vexit.c - host unit tests of kernel/vexit.c: the vendor-neutral
 * exit reasons have one name each, and names lead back to them.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "../../kernel/vexit.h"

static void test_every_reason_has_a_unique_name(void **state)
{
    (void)state;
    for (unsigned r = 0; r < VEXIT_MAX; r++) {
        assert_string_not_equal(vexit_name(r), "unknown");
        assert_int_equal(vexit_by_name(vexit_name(r)), (int)r);
        for (unsigned q = 0; q < r; q++)
            assert_string_not_equal(vexit_name(r), vexit_name(q));
    }
}

static void test_who_caused_an_exit(void **state)
{
    (void)state;
    assert_true(vexit_by_hypervisor(VEXIT_TIMER));
    assert_true(vexit_by_hypervisor(VEXIT_INTERRUPT));
    assert_true(vexit_by_hypervisor(VEXIT_STEP));
    assert_false(vexit_by_hypervisor(VEXIT_NMI));       /* the vCPU tells kicks apart */
    assert_false(vexit_by_hypervisor(VEXIT_CPUID));
    assert_false(vexit_by_hypervisor(VEXIT_NPF));
    assert_false(vexit_by_hypervisor(VEXIT_INTERRUPT_WINDOW));  /* the guest's device */
}

static void test_rates_per_second_with_one_decimal(void **state)
{
    (void)state;
    assert_int_equal(vexit_rate_x10(0, 1000), 0);
    assert_int_equal(vexit_rate_x10(5, 0), 0);
    assert_int_equal(vexit_rate_x10(1000, 1000), 10000);    /* 1000.0 per second */
    assert_int_equal(vexit_rate_x10(54, 45000), 12);        /* 1.2 per second */
    assert_int_equal(vexit_rate_x10(1ull << 52, 1000), (1ull << 52) / 1000 * 10000);
}

static void test_names_the_tools_use(void **state)
{
    (void)state;
    assert_string_equal(vexit_name(VEXIT_CPUID), "cpuid");
    assert_string_equal(vexit_name(VEXIT_IO), "io");
    assert_string_equal(vexit_name(VEXIT_NPF), "npf");
    assert_string_equal(vexit_name(VEXIT_HYPERCALL), "hypercall");
    assert_string_equal(vexit_name(VEXIT_TIMER), "timer");
    assert_string_equal(vexit_name(VEXIT_MAX), "unknown");
    assert_int_equal(vexit_by_name("ept_violation"), -1);
    assert_int_equal(vexit_by_name(""), -1);
    assert_int_equal(HC_STATS_REASONS, VEXIT_MAX);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_reason_has_a_unique_name),
        cmocka_unit_test(test_names_the_tools_use),
        cmocka_unit_test(test_who_caused_an_exit),
        cmocka_unit_test(test_rates_per_second_with_one_decimal),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
