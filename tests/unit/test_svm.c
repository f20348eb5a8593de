// covers: svm/svm_caps.c svm/svm_names.c kernel/fmt.c kernel/kstring.c
/*
 * test_svm.c - host unit tests of the SVM backend's pure parts: what the
 * CPUID leaves and VM_CR say (svm/svm_caps.c, AMD APM Vol. 2, 15.4),
 * the exit codes' names and neutral reasons (svm/svm_names.c, Table C-1)
 * and the instruction of a software-interrupt exit (svm_swint_decode).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "../../kernel/hypercall_abi.h"
#include "../../svm/svm_caps.h"
#include "../../svm/svm_defs.h"
#include "../../svm/svm_names.h"

/* Bochs 2.7's ryzen model: CPUID 8000000AH EDX = 44FH. */
static struct svm_raw ryzen(void)
{
    return (struct svm_raw){ .ext_max = 0x8000001F, .ext1_ecx = CPUID_80000001_ECX_SVM,
                             .ext1_edx = 1u << 26, .svm_eax = 1, .svm_ebx = 0x8000,
                             .svm_edx = 0x44F, .vm_cr = 0 };
}

static void test_ryzen_is_ready_with_nrips(void **state)
{
    (void)state;
    struct svm_raw r = ryzen();
    struct svm_caps c;
    svm_caps_decode(&r, &c);
    assert_int_equal(c.status, SVM_READY);
    assert_true(c.np && c.nrips && c.flush_asid && c.lbrv && c.pause_filter && c.page_1g);
    assert_false(c.decode_assists || c.vgif || c.vmcb_clean);
    assert_int_equal(c.asids, 0x8000);
    assert_int_equal(c.revision, 1);
    assert_string_equal(svm_status_message(&c), "SVM enabled by firmware");
}

static void test_absent_disabled_and_unusable(void **state)
{
    (void)state;
    struct svm_caps c;
    struct svm_raw r = ryzen();
    r.ext1_ecx = 0;
    svm_caps_decode(&r, &c);
    assert_int_equal(c.status, SVM_ABSENT);
    assert_non_null(strstr(svm_status_message(&c), "CPUID.80000001H:ECX.SVM=0"));
    r = ryzen();
    r.ext_max = 0x80000000;                 /* no leaf 80000001H at all */
    svm_caps_decode(&r, &c);
    assert_int_equal(c.status, SVM_ABSENT);
    r = ryzen();
    r.vm_cr = VM_CR_SVMDIS | VM_CR_LOCK;    /* firmware: disabled, locked */
    svm_caps_decode(&r, &c);
    assert_int_equal(c.status, SVM_LOCKED_OFF);
    assert_non_null(strstr(svm_status_message(&c), "firmware setup"));
    r.vm_cr = VM_CR_SVMDIS;                 /* disabled, not locked: ours to enable */
    svm_caps_decode(&r, &c);
    assert_int_equal(c.status, SVM_READY_UNLOCKED);
    r = ryzen();
    r.svm_edx &= ~SVM_FEATURE_NP;           /* QEMU's qemu64: no nested paging */
    svm_caps_decode(&r, &c);
    assert_int_equal(c.status, SVM_UNUSABLE);
    assert_non_null(strstr(svm_status_message(&c), "NP=0"));
    r = ryzen();
    r.svm_ebx = 1;                          /* the host's ASID only */
    svm_caps_decode(&r, &c);
    assert_int_equal(c.status, SVM_UNUSABLE);
    r = ryzen();
    r.ext_max = 0x80000008;                 /* SVM bit without its leaf */
    svm_caps_decode(&r, &c);
    assert_int_equal(c.status, SVM_UNUSABLE);
}

static char lines[4][200];
static unsigned nlines;

static void sink(void *ctx, const char *line)
{
    (void)ctx;
    strncpy(lines[nlines++ % 4], line, sizeof(lines[0]) - 1);
}

static void test_format_lines(void **state)
{
    (void)state;
    struct svm_raw r = ryzen();
    struct svm_caps c;
    svm_caps_decode(&r, &c);
    nlines = 0;
    svm_caps_format(&c, false, sink, 0);
    assert_int_equal(nlines, 2);
    assert_string_equal(lines[0], "svm.supported=1 svm.status=ready");
    assert_string_equal(lines[1], "svm.revision=1 svm.asids=32768 svm.np=1 svm.nrips=1 "
                                  "svm.flush_asid=1 svm.page_1g=1");
    nlines = 0;
    svm_caps_format(&c, true, sink, 0);
    assert_int_equal(nlines, 3);
    r.ext1_ecx = 0;
    svm_caps_decode(&r, &c);
    nlines = 0;
    svm_caps_format(&c, true, sink, 0);
    assert_int_equal(nlines, 1);
    assert_string_equal(lines[0], "svm.supported=0 svm.status=absent");
}

static void test_exit_codes_to_neutral_reasons(void **state)
{
    (void)state;
    assert_int_equal(svm_vexit(SVM_EXIT_CPUID, 0), VEXIT_CPUID);
    assert_int_equal(svm_vexit(SVM_EXIT_VMMCALL, 0), VEXIT_HYPERCALL);
    assert_int_equal(svm_vexit(SVM_EXIT_MSR, 0), VEXIT_RDMSR);
    assert_int_equal(svm_vexit(SVM_EXIT_MSR, 1), VEXIT_WRMSR);
    assert_int_equal(svm_vexit(SVM_EXIT_IOIO, 0), VEXIT_IO);
    assert_int_equal(svm_vexit(SVM_EXIT_NPF, NPF_P | NPF_RW), VEXIT_NPF);
    assert_int_equal(svm_vexit(SVM_EXIT_NPF, NPF_P | NPF_RSV), VEXIT_NPF_MISCONFIG);
    assert_int_equal(svm_vexit(SVM_EXIT_NMI, 0), VEXIT_NMI);
    assert_int_equal(svm_vexit(SVM_EXIT_INIT, 0), VEXIT_INIT);
    assert_int_equal(svm_vexit(SVM_EXIT_VINTR, 0), VEXIT_INTERRUPT_WINDOW);
    assert_int_equal(svm_vexit(SVM_EXIT_IRET, 0), VEXIT_NMI_WINDOW);
    assert_int_equal(svm_vexit(SVM_EXIT_SHUTDOWN, 0), VEXIT_TRIPLE_FAULT);
    assert_int_equal(svm_vexit(SVM_EXIT_HLT, 0), VEXIT_HLT);
    assert_int_equal(svm_vexit(SVM_EXIT_RDTSCP, 0), VEXIT_RDTSC);
    assert_int_equal(svm_vexit(SVM_EXIT_MWAIT_COND, 0), VEXIT_MWAIT);
    assert_int_equal(svm_vexit(SVM_EXIT_XSETBV, 0), VEXIT_XSETBV);
    assert_int_equal(svm_vexit(SVM_EXIT_READ_CR0 + 3, 0), VEXIT_CR_ACCESS);
    assert_int_equal(svm_vexit(SVM_EXIT_WRITE_CR0 + 3, 0), VEXIT_CR_ACCESS);
    assert_int_equal(svm_vexit(SVM_EXIT_READ_DR0 + 7, 0), VEXIT_DR_ACCESS);
    assert_int_equal(svm_vexit(SVM_EXIT_WRITE_DR0 + 7, 0), VEXIT_DR_ACCESS);
    for (uint32_t v = 0; v < 32; v++)
        assert_int_equal(svm_vexit(SVM_EXIT_EXCP_BASE + v, 0), VEXIT_EXCEPTION);
    const uint32_t virt[] = { SVM_EXIT_VMRUN, SVM_EXIT_VMLOAD, SVM_EXIT_VMSAVE, SVM_EXIT_STGI,
                              SVM_EXIT_CLGI, SVM_EXIT_SKINIT, SVM_EXIT_INVLPGA };
    for (unsigned i = 0; i < sizeof(virt) / sizeof(virt[0]); i++)
        assert_int_equal(svm_vexit(virt[i], 0), VEXIT_VIRT_INSN);
    assert_int_equal(svm_vexit(SVM_EXIT_TASK_SWITCH, 0), VEXIT_OTHER);
    assert_int_equal(svm_vexit(SVM_EXIT_INVALID, 0), VEXIT_OTHER);
    assert_int_equal(svm_vexit(0x12345, 0), VEXIT_OTHER);
}

static void test_exit_names(void **state)
{
    (void)state;
    assert_string_equal(svm_exit_name(SVM_EXIT_CPUID), "cpuid");
    assert_string_equal(svm_exit_name(SVM_EXIT_NPF), "npf");
    assert_string_equal(svm_exit_name(SVM_EXIT_READ_CR0 + 3), "read_cr3");
    assert_string_equal(svm_exit_name(SVM_EXIT_WRITE_CR0 + 15), "write_cr15");
    assert_string_equal(svm_exit_name(SVM_EXIT_READ_DR0 + 7), "read_dr");
    assert_string_equal(svm_exit_name(SVM_EXIT_WRITE_DR0), "write_dr");
    assert_string_equal(svm_exit_name(SVM_EXIT_EXCP_BASE + 14), "excp_pf");
    assert_string_equal(svm_exit_name(SVM_EXIT_EXCP_BASE + 31), "excp_31");
    assert_string_equal(svm_exit_name(SVM_EXIT_CR0_WRITE_TRAP + 4), "cr_write_trap");
    assert_string_equal(svm_exit_name(SVM_EXIT_INVALID), "invalid");
    assert_string_equal(svm_exit_name(0x3FF), "unknown");
    assert_string_equal(svm_exit_name(0xA5), "unknown");
    assert_string_equal(svm_exit_name(0x7FFFFFFF), "unknown");
}

static struct svm_swint swint(const char *hex, unsigned bits, bool of)
{
    uint8_t code[32];
    size_t n = 0;
    for (; hex[2 * n]; n++) {
        unsigned b;
        assert_int_equal(sscanf(hex + 2 * n, "%2x", &b), 1);
        code[n] = (uint8_t)b;
    }
    return svm_swint_decode(code, n, bits, of);
}

#define assert_swint(s, k, vec, l) do { \
        struct svm_swint s_ = (s); \
        assert_int_equal(s_.kind, (k)); \
        assert_int_equal(s_.vector, (vec)); \
        assert_int_equal(s_.len, (l)); \
    } while (0)

static void test_software_interrupts(void **state)
{
    (void)state;
    for (unsigned bits = 16; bits <= 64; bits *= 2) {
        assert_swint(swint("cc", bits, false), SWINT_EXCEPTION, 3, 1);
        assert_swint(swint("cc90", bits, true), SWINT_EXCEPTION, 3, 1);
        assert_swint(swint("cd80", bits, false), SWINT_INT, 0x80, 2);
        assert_swint(swint("cd03", bits, false), SWINT_INT, 3, 2);   /* INT 3 is INT n, not INT3 */
        assert_swint(swint("662ecd21", bits, false), SWINT_INT, 0x21, 4);
        assert_swint(swint("f3cc", bits, false), SWINT_EXCEPTION, 3, 2);
        assert_swint(swint("f0cd80", bits, false), SWINT_UD, 0, 3);
        assert_swint(swint("f0cc", bits, false), SWINT_UD, 0, 2);
        assert_swint(swint("cd", bits, false), SWINT_UNKNOWN, 0, 0);  /* truncated */
        assert_swint(swint("66", bits, false), SWINT_UNKNOWN, 0, 0);
        assert_swint(swint("", bits, false), SWINT_UNKNOWN, 0, 0);
        assert_swint(swint("90", bits, false), SWINT_UNKNOWN, 0, 0);
        assert_swint(swint("f1", bits, false), SWINT_UNKNOWN, 0, 0);  /* INT1: the ICEBP intercept's */
        assert_swint(swint("0f0b", bits, false), SWINT_UNKNOWN, 0, 0);
    }
    /* INTO: #OF with OF set, nothing with it clear, #UD in 64-bit mode. */
    assert_swint(swint("ce", 32, true), SWINT_EXCEPTION, 4, 1);
    assert_swint(swint("ce", 16, false), SWINT_SKIP, 0, 1);
    assert_swint(swint("66ce", 32, false), SWINT_SKIP, 0, 2);
    assert_swint(swint("ce", 64, true), SWINT_UD, 0, 1);
    assert_swint(swint("ce", 64, false), SWINT_UD, 0, 1);
    /* REX is a prefix in 64-bit mode only (40-4F are INC/DEC elsewhere). */
    assert_swint(swint("48cd80", 64, false), SWINT_INT, 0x80, 3);
    assert_swint(swint("6641cc", 64, false), SWINT_EXCEPTION, 3, 3);
    assert_swint(swint("48cd80", 32, false), SWINT_UNKNOWN, 0, 0);
    assert_swint(swint("40cc", 16, false), SWINT_UNKNOWN, 0, 0);
    /* 15 bytes at most (APM Vol. 3, 1.1): 14 prefixes and CC fit, 15 do
     * not, nor do 14 and CD ib; bytes past 15 are never read. */
    assert_swint(swint("2e2e2e2e2e2e2e2e2e2e2e2e2e2ecc", 32, false), SWINT_EXCEPTION, 3, 15);
    assert_swint(swint("2e2e2e2e2e2e2e2e2e2e2e2e2e2e2ecc", 32, false), SWINT_UNKNOWN, 0, 0);
    assert_swint(swint("2e2e2e2e2e2e2e2e2e2e2e2e2e2ecd80", 32, false), SWINT_UNKNOWN, 0, 0);
    assert_swint(swint("2e2e2e2e2e2e2e2e2e2e2e2e2ecd80", 32, false), SWINT_INT, 0x80, 15);
    /* The name of the exit the decoder serves. */
    assert_string_equal(svm_exit_name(SVM_EXIT_SWINT), "swint");
    assert_int_equal(svm_vexit(SVM_EXIT_SWINT, 0), VEXIT_OTHER);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ryzen_is_ready_with_nrips),
        cmocka_unit_test(test_absent_disabled_and_unusable),
        cmocka_unit_test(test_format_lines),
        cmocka_unit_test(test_exit_codes_to_neutral_reasons),
        cmocka_unit_test(test_exit_names),
        cmocka_unit_test(test_software_interrupts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
