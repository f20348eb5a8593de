// covers: drivers/iommu_fault.c
/*
 * test_iommu_fault.c - DMA fault records decoded (VT-d fault recording
 * registers, AMD-Vi event log entries) and counted in the `iommu` log.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "../../drivers/iommu_fault.h"

/* QEMU's intel-iommu, the edu device at 00:03.0 reading a page it may not:
 * F, T (read), FR 6, SID 0x0018. */
static void test_vtd_read_denied(void **state)
{
    (void)state;
    struct iommu_fault f;
    assert_true(vtd_decode_frcd(0x1fe00123ull, 1ull << 63 | 1ull << 62 | 6ull << 32 | 0x18, 2, &f));
    assert_int_equal(f.type, ACPI_IOMMU_VTD);
    assert_int_equal(f.unit, 2);
    assert_int_equal(f.sid, 0x18);
    assert_int_equal(f.addr, 0x1fe00000ull);
    assert_false(f.write);
    assert_string_equal(iommu_fault_reason(&f), "read_denied");
    assert_true(vtd_decode_frcd(0x1000, 1ull << 63 | 5ull << 32, 0, &f));
    assert_true(f.write);
    assert_string_equal(iommu_fault_reason(&f), "write_denied");
    f.reason = 0x20;
    assert_string_equal(iommu_fault_reason(&f), "other");
    f.reason = 14;
    assert_string_equal(iommu_fault_reason(&f), "other");
    assert_false(vtd_decode_frcd(0x1000, 6ull << 32, 0, &f));      /* F clear: no fault */
}

static void test_amdvi_events(void **state)
{
    (void)state;
    struct iommu_fault f;
    /* IO_PAGE_FAULT, PR and RW (a write to a present page it may not). */
    uint64_t q0 = 2ull << 60 | (uint64_t)(1u << 4 | 1u << 5 | 1u << 6) << 48 | 0x0018;
    assert_true(amdvi_decode_event(q0, 0x1fe00abcull, 1, &f));
    assert_int_equal(f.type, ACPI_IOMMU_AMDVI);
    assert_int_equal(f.sid, 0x18);
    assert_int_equal(f.addr, 0x1fe00000ull);
    assert_true(f.write);
    assert_string_equal(iommu_fault_reason(&f), "permission");
    assert_true(amdvi_decode_event(2ull << 60 | 0x0018, 0x1000, 1, &f));
    assert_false(f.write);
    assert_string_equal(iommu_fault_reason(&f), "not_present");
    assert_true(amdvi_decode_event(2ull << 60 | (uint64_t)(1u << 4) << 48, 0x1000, 1, &f));
    assert_string_equal(iommu_fault_reason(&f), "page_fault");
    static const char *const names[] = { 0, "illegal_device_entry", 0, "device_table_error",
                                         "page_table_error", "illegal_command", "command_error",
                                         "iotlb_timeout", "invalid_device_request", "other" };
    for (unsigned code = 1; code <= 9; code++) {
        if (code == 2)
            continue;
        assert_true(amdvi_decode_event((uint64_t)code << 60 | 1ull << 53, 0, 0, &f));
        assert_false(f.write);      /* RW means something only in a page fault */
        assert_string_equal(iommu_fault_reason(&f), names[code]);
    }
    assert_false(amdvi_decode_event(0x18, 0x1000, 0, &f));        /* no event */
}

static void test_log_counts_repeats_and_overflow(void **state)
{
    (void)state;
    static struct iommu_fault_log log;
    struct iommu_fault f = { .type = ACPI_IOMMU_VTD, .sid = 0x18, .addr = 0x1000, .reason = 6 };
    iommu_fault_log_add(&log, &f);
    iommu_fault_log_add(&log, &f);
    assert_int_equal(log.n, 1);
    assert_int_equal(log.e[0].count, 2);
    f.write = true;                         /* another access: another line */
    iommu_fault_log_add(&log, &f);
    assert_int_equal(log.n, 2);
    for (unsigned i = 0; i < IOMMU_FAULT_LOG_LEN + 3; i++) {
        f.addr = 0x100000ull * (i + 2);
        iommu_fault_log_add(&log, &f);
    }
    assert_int_equal(log.n, IOMMU_FAULT_LOG_LEN);
    assert_int_equal(log.total, 3 + IOMMU_FAULT_LOG_LEN + 3);
    assert_int_equal(log.unlisted, 5);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vtd_read_denied),
        cmocka_unit_test(test_amdvi_events),
        cmocka_unit_test(test_log_counts_repeats_and_overflow),
    };
    return cmocka_run_group_tests(tests, 0, 0);
}
