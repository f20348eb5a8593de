// covers: vmx/vmx_names.c
/*
 * test_vmx_names.c - host unit tests of the VMX name tables
 * (vmx/vmx_names.c): exit reasons, VM-instruction errors, control kinds
 * and control bits.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "../../vmx/vmx_names.h"
#include "../../vmx/vmx_defs.h"
#include "../../kernel/hypercall_abi.h"

/* ---- exit reasons --------------------------------------------------------- */

static void test_exit_reason_known(void **state)
{
    (void)state;
    assert_string_equal(exit_reason_name(EXIT_REASON_EXCEPTION_NMI), "exception_nmi");
    assert_string_equal(exit_reason_name(0), "exception_nmi");
    assert_string_equal(exit_reason_name(1), "external_interrupt");
    assert_string_equal(exit_reason_name(2), "triple_fault");
    assert_string_equal(exit_reason_name(10), "cpuid");
    assert_string_equal(exit_reason_name(12), "hlt");
    assert_string_equal(exit_reason_name(18), "vmcall");
    assert_string_equal(exit_reason_name(28), "cr_access");
    assert_string_equal(exit_reason_name(30), "io");
    assert_string_equal(exit_reason_name(31), "rdmsr");
    assert_string_equal(exit_reason_name(32), "wrmsr");
    assert_string_equal(exit_reason_name(33), "invalid_guest_state");
    assert_string_equal(exit_reason_name(48), "ept_violation");
    assert_string_equal(exit_reason_name(49), "ept_misconfig");
    assert_string_equal(exit_reason_name(52), "preemption_timer");
    assert_string_equal(exit_reason_name(55), "xsetbv");
    assert_string_equal(exit_reason_name(64), "xrstors");
}

static void test_exit_reason_gaps_unknown(void **state)
{
    (void)state;
    /* 5, 6, 35, 38, 42, 65 have no name in the table; 67..69 are past the last. */
    static const uint32_t gaps[] = { 5, 6, 35, 38, 42, 65, 67, 68, 69 };
    for (size_t i = 0; i < sizeof(gaps) / sizeof(gaps[0]); i++)
        assert_string_equal(exit_reason_name(gaps[i]), "unknown");
}

static void test_exit_reason_out_of_range_unknown(void **state)
{
    (void)state;
    assert_string_equal(exit_reason_name(EXIT_REASON_MAX), "unknown");
    assert_string_equal(exit_reason_name(EXIT_REASON_MAX + 1), "unknown");
    assert_string_equal(exit_reason_name(1000), "unknown");
    assert_string_equal(exit_reason_name(UINT32_MAX), "unknown");
    /* The entry-failure flag is not part of the basic reason. */
    assert_string_equal(exit_reason_name(EXIT_REASON_ENTRY_FAILURE | EXIT_REASON_INVALID_GUEST_STATE),
                        "unknown");
}

static void test_exit_reason_spp_event(void **state)
{
    (void)state;
    assert_string_equal(exit_reason_name(EXIT_REASON_SPP_EVENT), "spp_event");
    assert_int_equal(vmx_vexit(EXIT_REASON_SPP_EVENT, 0), VEXIT_OTHER);   /* reported, the guest stopped */
}

static void test_exit_reason_every_value_has_a_string(void **state)
{
    (void)state;
    int named = 0;
    for (uint32_t r = 0; r < EXIT_REASON_MAX + 5; r++) {
        const char *n = exit_reason_name(r);
        assert_non_null(n);
        assert_true(strlen(n) > 0);
        named += strcmp(n, "unknown") != 0;
    }
    /* 0..64 minus the gaps 5, 6, 35, 38, 42; 66 (SPP). */
    assert_int_equal(named, 61);
}

/* ---- VM-instruction errors ------------------------------------------------ */

/* VMX exit reasons to the neutral list (kernel/hypercall_abi.h). */
static void test_vexit_translation(void **state)
{
    (void)state;
    assert_int_equal(vmx_vexit(EXIT_REASON_EXCEPTION_NMI, INTR_INFO_VALID | INTR_TYPE_NMI | 2), VEXIT_NMI);
    assert_int_equal(vmx_vexit(EXIT_REASON_EXCEPTION_NMI, INTR_INFO_VALID | INTR_TYPE_HW_EXCEPTION | 13),
                     VEXIT_EXCEPTION);
    assert_int_equal(vmx_vexit(EXIT_REASON_CPUID, 0), VEXIT_CPUID);
    assert_int_equal(vmx_vexit(EXIT_REASON_VMCALL, 0), VEXIT_HYPERCALL);
    assert_int_equal(vmx_vexit(EXIT_REASON_EPT_VIOLATION, 0), VEXIT_NPF);
    assert_int_equal(vmx_vexit(EXIT_REASON_PREEMPTION_TIMER, 0), VEXIT_TIMER);
    assert_int_equal(vmx_vexit(EXIT_REASON_RDTSCP, 0), VEXIT_RDTSC);
    assert_int_equal(vmx_vexit(EXIT_REASON_WBINVD, 0), VEXIT_INVD);
    assert_int_equal(vmx_vexit(EXIT_REASON_VMXON, 0), VEXIT_VIRT_INSN);
    assert_int_equal(vmx_vexit(EXIT_REASON_MONITOR_TRAP_FLAG, 0), VEXIT_STEP);
    assert_int_equal(vmx_vexit(EXIT_REASON_TASK_SWITCH, 0), VEXIT_OTHER);
    assert_int_equal(vmx_vexit(EXIT_REASON_MAX, 0), VEXIT_OTHER);
    assert_int_equal(vmx_vexit(0xFFFF, 0), VEXIT_OTHER);
    for (uint32_t r = 1; r < EXIT_REASON_MAX; r++)
        assert_true(vmx_vexit(r, 0) < VEXIT_MAX);
}

static void test_vm_instruction_error_known(void **state)
{
    (void)state;
    assert_string_equal(vm_instruction_error_name(1), "VMCALL executed in VMX root operation");
    assert_string_equal(vm_instruction_error_name(4), "VMLAUNCH with non-clear VMCS");
    assert_string_equal(vm_instruction_error_name(5), "VMRESUME with non-launched VMCS");
    assert_string_equal(vm_instruction_error_name(7), "VM entry with invalid control field(s)");
    assert_string_equal(vm_instruction_error_name(8), "VM entry with invalid host-state field(s)");
    assert_string_equal(vm_instruction_error_name(12),
                        "VMREAD/VMWRITE from/to unsupported VMCS component");
    assert_string_equal(vm_instruction_error_name(13), "VMWRITE to read-only VMCS component");
    assert_string_equal(vm_instruction_error_name(15), "VMXON executed in VMX root operation");
    assert_string_equal(vm_instruction_error_name(26), "VM entry with events blocked by MOV SS");
    assert_string_equal(vm_instruction_error_name(28), "Invalid operand to INVEPT/INVVPID");
}

static void test_vm_instruction_error_all_numbered_ones_named(void **state)
{
    (void)state;
    for (uint32_t n = 1; n <= VMXERR_MAX; n++) {
        const char *s = vm_instruction_error_name(n);
        assert_non_null(s);
        if (n == 14 || n == 21 || n == 27)
            assert_string_equal(s, "unknown");
        else
            assert_string_not_equal(s, "unknown");
    }
}

static void test_vm_instruction_error_unknown(void **state)
{
    (void)state;
    assert_string_equal(vm_instruction_error_name(0), "unknown");
    assert_string_equal(vm_instruction_error_name(14), "unknown");
    assert_string_equal(vm_instruction_error_name(21), "unknown");
    assert_string_equal(vm_instruction_error_name(27), "unknown");
    assert_string_equal(vm_instruction_error_name(VMXERR_MAX + 1), "unknown");
    assert_string_equal(vm_instruction_error_name(0x10000), "unknown");
    assert_string_equal(vm_instruction_error_name(UINT32_MAX), "unknown");
}

/* ---- control kinds and bits ----------------------------------------------- */

static void test_ctl_kind_names(void **state)
{
    (void)state;
    assert_string_equal(vmx_ctl_kind_name(CTL_PIN), "pin");
    assert_string_equal(vmx_ctl_kind_name(CTL_PROC), "proc");
    assert_string_equal(vmx_ctl_kind_name(CTL_PROC2), "proc2");
    assert_string_equal(vmx_ctl_kind_name(CTL_EXIT), "exit");
    assert_string_equal(vmx_ctl_kind_name(CTL_ENTRY), "entry");
    assert_string_equal(vmx_ctl_kind_name(CTL_KINDS), "unknown");
    assert_string_equal(vmx_ctl_kind_name((enum vmx_ctl_kind)77), "unknown");
}

static void test_ctl_bit_names_named(void **state)
{
    (void)state;
    assert_string_equal(vmx_ctl_bit_name(CTL_PIN, 0), "external-interrupt exiting");
    assert_string_equal(vmx_ctl_bit_name(CTL_PIN, 3), "NMI exiting");
    assert_string_equal(vmx_ctl_bit_name(CTL_PIN, 7), "posted interrupts");
    assert_string_equal(vmx_ctl_bit_name(CTL_PROC, 7), "HLT exiting");
    assert_string_equal(vmx_ctl_bit_name(CTL_PROC, 25), "use I/O bitmaps");
    assert_string_equal(vmx_ctl_bit_name(CTL_PROC, 31), "activate secondary controls");
    assert_string_equal(vmx_ctl_bit_name(CTL_PROC2, 0), "virtualize APIC accesses");
    assert_string_equal(vmx_ctl_bit_name(CTL_PROC2, 1), "enable EPT");
    assert_string_equal(vmx_ctl_bit_name(CTL_PROC2, 7), "unrestricted guest");
    assert_string_equal(vmx_ctl_bit_name(CTL_PROC2, 25), "use TSC scaling");
    assert_string_equal(vmx_ctl_bit_name(CTL_EXIT, 9), "host address-space size");
    assert_string_equal(vmx_ctl_bit_name(CTL_EXIT, 22), "save VMX-preemption timer value");
    assert_string_equal(vmx_ctl_bit_name(CTL_ENTRY, 2), "load debug controls");
    assert_string_equal(vmx_ctl_bit_name(CTL_ENTRY, 9), "IA-32e mode guest");
    assert_string_equal(vmx_ctl_bit_name(CTL_ENTRY, 15), "load IA32_EFER");
}

static void test_ctl_bit_names_match_defs(void **state)
{
    (void)state;
    /* Each defined control constant has a name at its bit index. */
    static const struct {
        enum vmx_ctl_kind kind;
        uint32_t mask;
    } defs[] = {
        { CTL_PIN, PIN_EXTINT_EXITING }, { CTL_PIN, PIN_VIRTUAL_NMIS },
        { CTL_PIN, PIN_PREEMPTION_TIMER }, { CTL_PROC, PROC_INTR_WINDOW_EXITING },
        { CTL_PROC, PROC_TERTIARY_CONTROLS }, { CTL_PROC, PROC_PAUSE_EXITING },
        { CTL_PROC2, PROC2_RDSEED_EXITING }, { CTL_PROC2, PROC2_EPT_VIOLATION_VE },
        { CTL_PROC2, PROC2_ENABLE_XSAVES }, { CTL_EXIT, EXIT_SAVE_DEBUG_CONTROLS },
        { CTL_EXIT, EXIT_LOAD_EFER }, { CTL_ENTRY, ENTRY_LOAD_PAT },
    };
    for (size_t i = 0; i < sizeof(defs) / sizeof(defs[0]); i++)
        assert_non_null(vmx_ctl_bit_name(defs[i].kind, (unsigned)__builtin_ctz(defs[i].mask)));
}

static void test_ctl_bit_names_unnamed_null(void **state)
{
    (void)state;
    assert_null(vmx_ctl_bit_name(CTL_PIN, 1));
    assert_null(vmx_ctl_bit_name(CTL_PIN, 9));
    assert_null(vmx_ctl_bit_name(CTL_PIN, 31));
    assert_null(vmx_ctl_bit_name(CTL_PROC, 0));
    assert_null(vmx_ctl_bit_name(CTL_PROC, 26));
    assert_null(vmx_ctl_bit_name(CTL_PROC2, 15));
    assert_null(vmx_ctl_bit_name(CTL_PROC2, 31));
    assert_null(vmx_ctl_bit_name(CTL_EXIT, 0));
    assert_null(vmx_ctl_bit_name(CTL_ENTRY, 31));
}

static void test_ctl_bit_names_out_of_range_null(void **state)
{
    (void)state;
    assert_null(vmx_ctl_bit_name(CTL_PIN, 32));
    assert_null(vmx_ctl_bit_name(CTL_PROC2, 33));
    assert_null(vmx_ctl_bit_name(CTL_ENTRY, UINT32_MAX));
    assert_null(vmx_ctl_bit_name(CTL_KINDS, 0));
    assert_null(vmx_ctl_bit_name((enum vmx_ctl_kind)100, 1));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exit_reason_known),
        cmocka_unit_test(test_exit_reason_gaps_unknown),
        cmocka_unit_test(test_exit_reason_out_of_range_unknown),
        cmocka_unit_test(test_exit_reason_every_value_has_a_string),
        cmocka_unit_test(test_exit_reason_spp_event),
        cmocka_unit_test(test_vexit_translation),
        cmocka_unit_test(test_vm_instruction_error_known),
        cmocka_unit_test(test_vm_instruction_error_all_numbered_ones_named),
        cmocka_unit_test(test_vm_instruction_error_unknown),
        cmocka_unit_test(test_ctl_kind_names),
        cmocka_unit_test(test_ctl_bit_names_named),
        cmocka_unit_test(test_ctl_bit_names_match_defs),
        cmocka_unit_test(test_ctl_bit_names_unnamed_null),
        cmocka_unit_test(test_ctl_bit_names_out_of_range_null),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
