// covers: kernel/event.c
/*
 * test_event.c - host unit tests of kernel/event.c: an exception raised
 * while another event is delivered, against SDM Vol. 3A, 6.15, Tables
 * 6-4 and 6-5.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "../../kernel/event.h"

static uint32_t hw(unsigned vector)
{
    return EVENT_VALID | (EVENT_TYPE_EXCEPTION << 8) | vector;
}

static const unsigned contributory[] = { 0, 10, 11, 12, 13, 21 };
static const unsigned page_faults[] = { 14, 20 };
static const unsigned benign[] = { 1, 2, 3, 4, 5, 6, 7, 9, 16, 17, 18, 19 };
#define N(a) (sizeof(a) / sizeof((a)[0]))

static void test_nothing_being_delivered_leaves_the_fault(void **state)
{
    (void)state;
    assert_int_equal(fault_during_delivery(0, 13), 13);
    /* Bit 31 clear: the other bits mean nothing. */
    assert_int_equal(fault_during_delivery((EVENT_TYPE_EXCEPTION << 8) | 8, 13), 13);
}

static void test_interrupts_and_software_events_are_benign(void **state)
{
    (void)state;
    assert_int_equal(fault_during_delivery(EVENT_VALID | (EVENT_TYPE_EXTERNAL << 8) | 0x30, 13), 13);
    assert_int_equal(fault_during_delivery(EVENT_VALID | (EVENT_TYPE_NMI << 8) | 2, 14), 14);
    /* INT 8 or INT 13 from software is no #DF or #GP being delivered. */
    assert_int_equal(fault_during_delivery(EVENT_VALID | (EVENT_TYPE_SOFT_EXC << 8) | 8, 13), 13);
    assert_int_equal(fault_during_delivery(EVENT_VALID | (4u << 8) | 13, 13), 13);
}

static void test_benign_first_is_handled_serially(void **state)
{
    (void)state;
    for (unsigned i = 0; i < N(benign); i++) {
        assert_int_equal(fault_during_delivery(hw(benign[i]), 13), 13);
        assert_int_equal(fault_during_delivery(hw(benign[i]), 14), 14);
        assert_int_equal(fault_during_delivery(hw(benign[i]), 6), 6);
    }
}

static void test_contributory_then_contributory_is_a_double_fault(void **state)
{
    (void)state;
    for (unsigned i = 0; i < N(contributory); i++)
        for (unsigned j = 0; j < N(contributory); j++)
            assert_int_equal(fault_during_delivery(hw(contributory[i]), contributory[j]), VEC_DF);
}

static void test_contributory_then_page_fault_or_benign_is_serial(void **state)
{
    (void)state;
    for (unsigned i = 0; i < N(contributory); i++) {
        for (unsigned j = 0; j < N(page_faults); j++)
            assert_int_equal(fault_during_delivery(hw(contributory[i]), page_faults[j]),
                             page_faults[j]);
        assert_int_equal(fault_during_delivery(hw(contributory[i]), 1), 1);
    }
}

static void test_page_fault_then_contributory_or_page_fault_is_a_double_fault(void **state)
{
    (void)state;
    for (unsigned i = 0; i < N(page_faults); i++) {
        for (unsigned j = 0; j < N(contributory); j++)
            assert_int_equal(fault_during_delivery(hw(page_faults[i]), contributory[j]), VEC_DF);
        for (unsigned j = 0; j < N(page_faults); j++)
            assert_int_equal(fault_during_delivery(hw(page_faults[i]), page_faults[j]), VEC_DF);
        assert_int_equal(fault_during_delivery(hw(page_faults[i]), 3), 3);
    }
}

static void test_a_fault_delivering_a_double_fault_shuts_down(void **state)
{
    (void)state;
    for (unsigned j = 0; j < N(contributory); j++)
        assert_int_equal(fault_during_delivery(hw(VEC_DF), contributory[j]), EVENT_SHUTDOWN);
    for (unsigned j = 0; j < N(page_faults); j++)
        assert_int_equal(fault_during_delivery(hw(VEC_DF), page_faults[j]), EVENT_SHUTDOWN);
    /* A benign one (a #DB, say) is handled after the #DF. */
    assert_int_equal(fault_during_delivery(hw(VEC_DF), 1), 1);
}

/* SDM Vol. 3A, 6.15, Table 6-1: faults push RF set (17.3.1.1); #DB
 * (instruction breakpoints push it clear), traps, aborts and NMI do not. */
static void test_faults_push_rf(void **state)
{
    (void)state;
    static const unsigned faults[] = { 0, 5, 6, 7, 9, 10, 11, 12, 13, 14, 16, 17, 19, 20, 21 };
    static const unsigned others[] = { 1, 2, 3, 4, 8, 18, 15, 22, 31, 32, 255 };
    for (unsigned i = 0; i < N(faults); i++)
        assert_true(exception_sets_rf(faults[i]));
    for (unsigned i = 0; i < N(others); i++)
        assert_false(exception_sets_rf(others[i]));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nothing_being_delivered_leaves_the_fault),
        cmocka_unit_test(test_interrupts_and_software_events_are_benign),
        cmocka_unit_test(test_benign_first_is_handled_serially),
        cmocka_unit_test(test_contributory_then_contributory_is_a_double_fault),
        cmocka_unit_test(test_contributory_then_page_fault_or_benign_is_serial),
        cmocka_unit_test(test_page_fault_then_contributory_or_page_fault_is_a_double_fault),
        cmocka_unit_test(test_a_fault_delivering_a_double_fault_shuts_down),
        cmocka_unit_test(test_faults_push_rf),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
