// covers: kernel/ipi.c
/*
 * test_ipi.c - host unit tests of the decisions on the guest's IPIs
 * (kernel/ipi.c): INIT and SIPI emulated for the right vCPUs by destination
 * and shorthand, INIT de-assert ignored, SMI and logical-mode INIT/SIPI
 * dropped, everything else passed to the hardware.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "../../kernel/ipi.h"

/* Four vCPUs with APIC ids 0, 2, 4, 6; index 2 has no vCPU (a core kept
 * out of the guest with cpus=). */
static const uint32_t ids[4] = { 0, 2, IPI_NO_VCPU, 6 };

#define INIT_ASSERT (ICR_INIT | ICR_LEVEL_ASSERT)
#define SIPI(v) (ICR_STARTUP | ICR_LEVEL_ASSERT | (v))

static struct ipi_decision decide(uint32_t lo, uint32_t dest, bool x2apic, uint32_t self)
{
    return ipi_decide(lo, dest, x2apic, self, ids, 4);
}

static void test_fixed_and_nmi_ipis_pass(void **state)
{
    (void)state;
    struct ipi_decision d = decide(0x40 | ICR_ALL_BUT_SELF, 0, false, 0);
    assert_int_equal(d.action, IPI_PASS);
    assert_int_equal(d.targets, 0);
    d = decide(ICR_NMI | ICR_LEVEL_ASSERT, 2, false, 0);
    assert_int_equal(d.action, IPI_PASS);
    d = decide(0xEC, 6, true, 0);       /* x2APIC fixed IPI */
    assert_int_equal(d.action, IPI_PASS);
}

/* The first exit layers send an x2APIC ICR write with none of
 * IPI_FAST_REFUSE's bits on without asking: that must be what ipi_decide
 * says for every such value. The bits left are the vector (7:0), bit 8
 * (lowest priority), 12:11, 15:14 and the shorthand (19:18): 2^15 values,
 * none refused; and the refused delivery modes are exactly those other
 * than fixed and lowest priority. */
static void test_fast_path_values_all_pass(void **state)
{
    (void)state;
    for (uint32_t free = 0; free < (1u << 15); free++) {
        uint32_t lo = (free & 0x1FF) | ((free >> 9) & 3) << 11 | ((free >> 11) & 3) << 14 |
                      ((free >> 13) & 3) << 18;
        assert_int_equal(lo & IPI_FAST_REFUSE, 0);
        for (uint32_t dest = 0; dest < 8; dest++)
            assert_int_equal(decide(lo, dest == 7 ? 0xFFFFFFFFu : dest, true, 0).action, IPI_PASS);
    }
    for (uint32_t mode = 0; mode < 8; mode++)
        assert_int_equal(!!((mode << 8) & IPI_FAST_REFUSE), mode >= 2);
}

static void test_init_physical_destination(void **state)
{
    (void)state;
    struct ipi_decision d = decide(INIT_ASSERT, 2, false, 0);
    assert_int_equal(d.action, IPI_INIT);
    assert_int_equal(d.targets, 1u << 1);
    d = decide(INIT_ASSERT, 6, true, 0);
    assert_int_equal(d.targets, 1u << 3);
    /* A core the guest does not have, or nobody at all: no target. */
    d = decide(INIT_ASSERT, 4, false, 0);
    assert_int_equal(d.action, IPI_INIT);
    assert_int_equal(d.targets, 0);
}

static void test_sipi_carries_its_vector(void **state)
{
    (void)state;
    struct ipi_decision d = decide(SIPI(0x9A), 6, false, 0);
    assert_int_equal(d.action, IPI_SIPI);
    assert_int_equal(d.vector, 0x9A);
    assert_int_equal(d.targets, 1u << 3);
}

static void test_shorthands(void **state)
{
    (void)state;
    assert_int_equal(decide(INIT_ASSERT | (1u << 18), 0xAB, false, 2).targets, 1u << 1);
    assert_int_equal(decide(INIT_ASSERT | (2u << 18), 0xAB, false, 2).targets, 0xB);
    assert_int_equal(decide(SIPI(8) | ICR_ALL_BUT_SELF, 0, false, 2).targets, 0x9);
    /* A sender that is no vCPU of ours excludes nobody. */
    assert_int_equal(decide(SIPI(8) | ICR_ALL_BUT_SELF, 0, false, 4).targets, 0xB);
}

static void test_broadcast_destination(void **state)
{
    (void)state;
    assert_int_equal(decide(INIT_ASSERT, 0xFF, false, 0).targets, 0xB);
    assert_int_equal(decide(INIT_ASSERT, 0xFFFFFFFFu, true, 0).targets, 0xB);
    /* 0xFF is an ordinary id in x2APIC mode. */
    assert_int_equal(decide(INIT_ASSERT, 0xFF, true, 0).targets, 0);
}

static void test_init_deassert_is_ignored(void **state)
{
    (void)state;
    struct ipi_decision d = decide(ICR_INIT | ICR_TRIGGER_LEVEL | ICR_ALL_BUT_SELF, 0, false, 0);
    assert_int_equal(d.action, IPI_IGNORE);
    assert_string_equal(d.why, "INIT level de-assert");
    /* Edge-triggered INIT without the level bit still is an INIT. */
    assert_int_equal(decide(ICR_INIT, 2, false, 0).action, IPI_INIT);
}

static void test_smi_and_logical_init_are_dropped(void **state)
{
    (void)state;
    struct ipi_decision d = decide((2u << 8) | ICR_ALL_BUT_SELF, 0, false, 0);
    assert_int_equal(d.action, IPI_DROP);
    assert_string_equal(d.why, "SMI IPIs are the firmware's");
    d = decide(INIT_ASSERT | ICR_DEST_LOGICAL, 0x1, false, 0);
    assert_int_equal(d.action, IPI_DROP);
    assert_int_equal(d.targets, 0);
    assert_non_null(d.why);
    /* A shorthand makes the destination mode irrelevant. */
    assert_int_equal(decide(INIT_ASSERT | ICR_DEST_LOGICAL | ICR_ALL_BUT_SELF, 0, false, 0).targets,
                     0xA);
}

static void test_more_than_64_vcpus_are_clamped(void **state)
{
    (void)state;
    uint32_t many[70];
    for (unsigned i = 0; i < 70; i++)
        many[i] = i;
    struct ipi_decision d = ipi_decide(INIT_ASSERT | (2u << 18), 0, false, 0, many, 70);
    assert_true(d.targets == ~0ull);
    d = ipi_decide(INIT_ASSERT, 65, false, 0, many, 70);
    assert_int_equal(d.targets, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fixed_and_nmi_ipis_pass),
        cmocka_unit_test(test_fast_path_values_all_pass),
        cmocka_unit_test(test_init_physical_destination),
        cmocka_unit_test(test_sipi_carries_its_vector),
        cmocka_unit_test(test_shorthands),
        cmocka_unit_test(test_broadcast_destination),
        cmocka_unit_test(test_init_deassert_is_ignored),
        cmocka_unit_test(test_smi_and_logical_init_are_dropped),
        cmocka_unit_test(test_more_than_64_vcpus_are_clamped),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
