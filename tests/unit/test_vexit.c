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
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
