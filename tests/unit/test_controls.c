// covers: vmx/controls.c vmx/vmx_names.c kernel/fmt.c
/*
 * test_controls.c - host unit tests of the VMX control adjustment
 * (vmx/controls.c): the value programmed from required/optional bits and
 * the capability MSR split, and the report of each refused bit.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "../../vmx/controls.h"
#include "../../vmx/vmx_defs.h"

/* ---- report recorder ------------------------------------------------------ */

#define MAX_REPORTS 40

struct reports {
    int n;
    bool required[MAX_REPORTS];
    char msg[MAX_REPORTS][160];
};

static void record(void *ctx, bool required, const char *msg)
{
    struct reports *r = ctx;
    assert_true(r->n < MAX_REPORTS);
    assert_true(strlen(msg) < sizeof(r->msg[0]));
    r->required[r->n] = required;
    strcpy(r->msg[r->n], msg);
    r->n++;
}

static struct vmx_ctl ctl(uint32_t must1, uint32_t may1)
{
    return (struct vmx_ctl){ .must1 = must1, .may1 = may1 };
}

/* ---- the adjusted value --------------------------------------------------- */

static void test_all_allowed_gives_wanted_bits(void **state)
{
    (void)state;
    struct reports r = { 0 };
    unsigned missing = 0;
    uint32_t v = vmx_adjust_ctl(CTL_PROC2, PROC2_ENABLE_EPT, PROC2_ENABLE_VPID,
                                ctl(0, 0xFFFFFFFF), record, &r, &missing);
    assert_int_equal(v, PROC2_ENABLE_EPT | PROC2_ENABLE_VPID);
    assert_int_equal(r.n, 0);
    assert_int_equal(missing, 0);
}

static void test_must1_bits_always_set(void **state)
{
    (void)state;
    struct reports r = { 0 };
    unsigned missing = 0;
    /* Typical pin-based default1 bits 1, 2, 4. */
    uint32_t v = vmx_adjust_ctl(CTL_PIN, PIN_NMI_EXITING, 0, ctl(0x16, 0x7F), record, &r,
                                &missing);
    assert_int_equal(v, 0x16 | PIN_NMI_EXITING);
    /* Nothing requested: the must-be-1 bits alone. */
    assert_int_equal(vmx_adjust_ctl(CTL_PIN, 0, 0, ctl(0x16, 0x7F), record, &r, &missing), 0x16);
    assert_int_equal(r.n, 0);
    assert_int_equal(missing, 0);
}

static void test_result_is_wanted_and_may1_or_must1(void **state)
{
    (void)state;
    struct reports r = { 0 };
    uint32_t req = 0x0000F0F0, opt = 0x0F000F00;
    struct vmx_ctl c = ctl(0x00000001, 0x00FF00FF | 0x1);
    uint32_t v = vmx_adjust_ctl(CTL_EXIT, req, opt, c, record, &r, NULL);
    assert_int_equal(v, ((req | opt) & c.may1) | c.must1);
    assert_int_equal(v, 0x000000F1);
}

static void test_refused_bits_are_dropped(void **state)
{
    (void)state;
    unsigned missing = 0;
    uint32_t v = vmx_adjust_ctl(CTL_PROC, PROC_HLT_EXITING | PROC_USE_MSR_BITMAPS,
                                PROC_MONITOR_TRAP_FLAG,
                                ctl(0, PROC_HLT_EXITING), NULL, NULL, &missing);
    assert_int_equal(v, PROC_HLT_EXITING);
    assert_int_equal(missing, 1);
}

/* ---- reports -------------------------------------------------------------- */

static void test_refused_required_named_bit_reported(void **state)
{
    (void)state;
    struct reports r = { 0 };
    unsigned missing = 0;
    uint32_t v = vmx_adjust_ctl(CTL_PROC2, PROC2_ENABLE_EPT, 0, ctl(0, 0), record, &r, &missing);
    assert_int_equal(v, 0);
    assert_int_equal(r.n, 1);
    assert_true(r.required[0]);
    assert_string_equal(r.msg[0], "vmx: proc2 control 'enable EPT' (bit 1) not supported by this CPU");
    assert_int_equal(missing, 1);
}

static void test_refused_optional_bit_not_counted(void **state)
{
    (void)state;
    struct reports r = { 0 };
    unsigned missing = 0;
    uint32_t v = vmx_adjust_ctl(CTL_PROC2, 0, PROC2_ENABLE_VPID, ctl(0, PROC2_ENABLE_EPT), record,
                                &r, &missing);
    assert_int_equal(v, 0);
    assert_int_equal(r.n, 1);
    assert_false(r.required[0]);
    assert_string_equal(r.msg[0], "vmx: proc2 control 'enable VPID' (bit 5) not supported by this CPU");
    assert_int_equal(missing, 0);
}

static void test_unnamed_bit_reported_by_number(void **state)
{
    (void)state;
    struct reports r = { 0 };
    unsigned missing = 0;
    vmx_adjust_ctl(CTL_PIN, 1u << 9, 0, ctl(0, 0xFF), record, &r, &missing);
    assert_int_equal(r.n, 1);
    assert_true(r.required[0]);
    assert_string_equal(r.msg[0], "vmx: pin control bit 9 not supported by this CPU");
    assert_int_equal(missing, 1);
}

static void test_bit_31_reported(void **state)
{
    (void)state;
    struct reports r = { 0 };
    unsigned missing = 0;
    uint32_t v = vmx_adjust_ctl(CTL_PROC, PROC_SECONDARY_CONTROLS, 1u << 30, ctl(0x0401E172, 0x7FFFFFFF),
                                record, &r, &missing);
    assert_int_equal(v, 0x0401E172 | (1u << 30));
    assert_int_equal(r.n, 1);
    assert_string_equal(r.msg[0],
                        "vmx: proc control 'activate secondary controls' (bit 31) not supported by this CPU");
    assert_int_equal(missing, 1);
}

static void test_reports_in_bit_order_with_required_flag(void **state)
{
    (void)state;
    struct reports r = { 0 };
    unsigned missing = 0;
    uint32_t req = ENTRY_IA32E_MODE_GUEST | ENTRY_LOAD_EFER;
    uint32_t opt = ENTRY_LOAD_PAT | (1u << 30);
    uint32_t v = vmx_adjust_ctl(CTL_ENTRY, req, opt, ctl(0x11FF, ENTRY_LOAD_PAT | 0x11FF), record,
                                &r, &missing);
    assert_int_equal(v, 0x11FF | ENTRY_LOAD_PAT);
    assert_int_equal(r.n, 3);
    assert_true(r.required[0]);
    assert_string_equal(r.msg[0], "vmx: entry control 'IA-32e mode guest' (bit 9) not supported by this CPU");
    assert_true(r.required[1]);
    assert_string_equal(r.msg[1], "vmx: entry control 'load IA32_EFER' (bit 15) not supported by this CPU");
    assert_false(r.required[2]);
    assert_string_equal(r.msg[2], "vmx: entry control bit 30 not supported by this CPU");
    assert_int_equal(missing, 2);
}

static void test_bit_both_required_and_optional_counts_as_required(void **state)
{
    (void)state;
    struct reports r = { 0 };
    unsigned missing = 0;
    vmx_adjust_ctl(CTL_EXIT, EXIT_LOAD_EFER, EXIT_LOAD_EFER, ctl(0, 0), record, &r, &missing);
    assert_int_equal(r.n, 1);
    assert_true(r.required[0]);
    assert_string_equal(r.msg[0], "vmx: exit control 'load IA32_EFER' (bit 21) not supported by this CPU");
    assert_int_equal(missing, 1);
}

static void test_all_bits_refused(void **state)
{
    (void)state;
    struct reports r = { 0 };
    unsigned missing = 0;
    uint32_t v = vmx_adjust_ctl(CTL_PROC2, 0xFFFF0000, 0x0000FFFF, ctl(0, 0), record, &r, &missing);
    assert_int_equal(v, 0);
    assert_int_equal(r.n, 32);
    for (int i = 0; i < 32; i++)
        assert_int_equal(r.required[i], i >= 16);
    assert_string_equal(r.msg[0],
                        "vmx: proc2 control 'virtualize APIC accesses' (bit 0) not supported by this CPU");
    assert_string_equal(r.msg[15], "vmx: proc2 control bit 15 not supported by this CPU");
    assert_string_equal(r.msg[22], "vmx: proc2 control 'mode-based execute control for EPT' (bit 22) "
                                   "not supported by this CPU");
    assert_string_equal(r.msg[31], "vmx: proc2 control bit 31 not supported by this CPU");
    assert_int_equal(missing, 16);
}

static void test_missing_required_accumulates(void **state)
{
    (void)state;
    unsigned missing = 5;
    vmx_adjust_ctl(CTL_PIN, PIN_EXTINT_EXITING | PIN_NMI_EXITING, 0, ctl(0, 0), NULL, NULL, &missing);
    assert_int_equal(missing, 7);
    vmx_adjust_ctl(CTL_EXIT, EXIT_HOST_ADDR_SPACE_SIZE, 0, ctl(0, 0), NULL, NULL, &missing);
    assert_int_equal(missing, 8);
}

static void test_must1_bit_not_requested_not_reported(void **state)
{
    (void)state;
    struct reports r = { 0 };
    unsigned missing = 0;
    /* A must-be-1 bit outside may1 (inconsistent MSR) is still set, never reported. */
    uint32_t v = vmx_adjust_ctl(CTL_PIN, 0, 0, ctl(0x2, 0x0), record, &r, &missing);
    assert_int_equal(v, 0x2);
    assert_int_equal(r.n, 0);
    assert_int_equal(missing, 0);
}

static void test_null_report_and_missing_allowed(void **state)
{
    (void)state;
    uint32_t v = vmx_adjust_ctl(CTL_PROC2, PROC2_ENABLE_EPT | PROC2_UNRESTRICTED_GUEST, PROC2_ENABLE_VPID,
                                ctl(0, PROC2_ENABLE_EPT), NULL, NULL, NULL);
    assert_int_equal(v, PROC2_ENABLE_EPT);
}

static void test_report_without_missing_counter(void **state)
{
    (void)state;
    struct reports r = { 0 };
    uint32_t v = vmx_adjust_ctl(CTL_PROC2, PROC2_UNRESTRICTED_GUEST, 0, ctl(0, 0), record, &r, NULL);
    assert_int_equal(v, 0);
    assert_int_equal(r.n, 1);
    assert_true(r.required[0]);
    assert_string_equal(r.msg[0],
                        "vmx: proc2 control 'unrestricted guest' (bit 7) not supported by this CPU");
}

static void test_each_kind_name_in_message(void **state)
{
    (void)state;
    static const struct {
        enum vmx_ctl_kind kind;
        uint32_t bit;
        const char *msg;
    } cases[] = {
        { CTL_PIN, PIN_PREEMPTION_TIMER,
          "vmx: pin control 'VMX-preemption timer' (bit 6) not supported by this CPU" },
        { CTL_PROC, PROC_USE_MSR_BITMAPS,
          "vmx: proc control 'use MSR bitmaps' (bit 28) not supported by this CPU" },
        { CTL_PROC2, PROC2_TSC_SCALING,
          "vmx: proc2 control 'use TSC scaling' (bit 25) not supported by this CPU" },
        { CTL_EXIT, EXIT_ACK_INTR_ON_EXIT,
          "vmx: exit control 'acknowledge interrupt on exit' (bit 15) not supported by this CPU" },
        { CTL_ENTRY, ENTRY_SMM, "vmx: entry control 'entry to SMM' (bit 10) not supported by this CPU" },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct reports r = { 0 };
        vmx_adjust_ctl(cases[i].kind, 0, cases[i].bit, ctl(0, ~cases[i].bit), record, &r, NULL);
        assert_int_equal(r.n, 1);
        assert_false(r.required[0]);
        assert_string_equal(r.msg[0], cases[i].msg);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_all_allowed_gives_wanted_bits),
        cmocka_unit_test(test_must1_bits_always_set),
        cmocka_unit_test(test_result_is_wanted_and_may1_or_must1),
        cmocka_unit_test(test_refused_bits_are_dropped),
        cmocka_unit_test(test_refused_required_named_bit_reported),
        cmocka_unit_test(test_refused_optional_bit_not_counted),
        cmocka_unit_test(test_unnamed_bit_reported_by_number),
        cmocka_unit_test(test_bit_31_reported),
        cmocka_unit_test(test_reports_in_bit_order_with_required_flag),
        cmocka_unit_test(test_bit_both_required_and_optional_counts_as_required),
        cmocka_unit_test(test_all_bits_refused),
        cmocka_unit_test(test_missing_required_accumulates),
        cmocka_unit_test(test_must1_bit_not_requested_not_reported),
        cmocka_unit_test(test_null_report_and_missing_allowed),
        cmocka_unit_test(test_report_without_missing_counter),
        cmocka_unit_test(test_each_kind_name_in_message),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
