// covers: vmx/vmx_caps.c kernel/fmt.c
/*
 * test_vmx_caps.c - host unit tests of the VMX capability decoder
 * (vmx/vmx_caps.c). The reference CPU is what Bochs reports for a VMX CPU
 * model; the tests then take away one capability at a time.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "../../vmx/vmx_caps.h"
#include "../../vmx/vmx_defs.h"

/* A control MSR from its must-be-1 (low) and may-be-1 (high) halves. */
#define CTL(must1, may1) (((uint64_t)(may1) << 32) | (uint32_t)(must1))

#define BOCHS_BASIC (4ull | (4096ull << 32) | ((uint64_t)MEMTYPE_WB << 50) | VMX_BASIC_TRUE_CTLS)
#define BOCHS_PIN   CTL(0x16, 0x7f)
#define BOCHS_PROC  CTL(0x4006172, 0xfff9fffe)
#define BOCHS_PROC2 CTL(0, 0x2977fff)
#define BOCHS_EXIT  CTL(0x36dfb, 0x107fffff)
#define BOCHS_ENTRY CTL(0x11fb, 0x10ffff)
#define BOCHS_EPT   0xf0106b34141ull
/* Preemption timer rate 5, EFER.LMA stored, HLT/shutdown/wait-for-SIPI, 4 CR3 targets. */
#define BOCHS_MISC  0x401e5ull

#define REASON_NO_HOST64 "no 64-bit host support (VM-exit control 'host address-space size')"
#define REASON_NO_EPT    "no EPT (secondary control 'enable EPT')"
#define REASON_EPT_WEAK  "EPT lacks 4-level walks with write-back paging structures"

/* The Bochs CPU, enabled and locked by firmware. */
static struct vmx_msrs bochs(void)
{
    struct vmx_msrs m = {
        .cpuid1_ecx = 0xfed83223u,      /* SSE3 ... VMX (bit 5) ... hypervisor */
        .feature_control = FEATURE_CONTROL_LOCK | FEATURE_CONTROL_VMX_OUTSIDE_SMX,
        .basic = BOCHS_BASIC,
        .pinbased = BOCHS_PIN, .procbased = BOCHS_PROC, .procbased2 = BOCHS_PROC2,
        .exit = BOCHS_EXIT, .entry = BOCHS_ENTRY,
        .true_pinbased = BOCHS_PIN, .true_procbased = BOCHS_PROC,
        .true_exit = BOCHS_EXIT, .true_entry = BOCHS_ENTRY,
        .misc = BOCHS_MISC, .ept_vpid_cap = BOCHS_EPT, .vmfunc = 1,
        .cr0_fixed0 = 0x80000021, .cr0_fixed1 = 0xffffffff,
        .cr4_fixed0 = 0x2000, .cr4_fixed1 = 0x3767ff,
    };
    return m;
}

static struct vmx_caps decode(const struct vmx_msrs *m)
{
    struct vmx_caps c;
    memset(&c, 0xA5, sizeof(c));    /* decode must set every field */
    vmx_caps_decode(m, &c);
    return c;
}

/* Sets the may-be-1 half of a control MSR to may1 & ~clear. */
static void clear_may1(uint64_t *msr, uint32_t clear)
{
    *msr &= ~((uint64_t)clear << 32);
}

static void assert_ctl(struct vmx_ctl ctl, uint32_t must1, uint32_t may1)
{
    assert_int_equal(ctl.must1, must1);
    assert_int_equal(ctl.may1, may1);
}

/* ---- collected output lines ---------------------------------------------- */

#define MAX_LINES 32

struct lines {
    char text[MAX_LINES][256];
    int n;
};

static void collect(void *ctx, const char *line)
{
    struct lines *l = ctx;
    assert_true(l->n < MAX_LINES);
    assert_true(strlen(line) < sizeof(l->text[0]));
    strcpy(l->text[l->n++], line);
}

static void format(const struct vmx_caps *c, struct lines *l)
{
    memset(l, 0, sizeof(*l));
    vmx_caps_format(c, collect, l);
}

/* Index of the line equal to want, or -1. */
static int find_line(const struct lines *l, const char *want)
{
    for (int i = 0; i < l->n; i++)
        if (!strcmp(l->text[i], want))
            return i;
    return -1;
}

/* Value printed for key ("vmx.NAME") as a whole word, or NULL. */
static const char *find_value(const struct lines *l, const char *key, char *val, size_t size)
{
    size_t klen = strlen(key);
    for (int i = 0; i < l->n; i++) {
        const char *s = l->text[i];
        while (s && *s) {
            if (!strncmp(s, key, klen) && s[klen] == '=') {
                const char *v = s + klen + 1;
                size_t n = strcspn(v, " ");
                snprintf(val, size, "%.*s", (int)n, v);
                return val;
            }
            s = strchr(s, ' ');
            if (s)
                s++;
        }
    }
    return NULL;
}

static void assert_value(const struct lines *l, const char *key, const char *want)
{
    char val[64];
    const char *got = find_value(l, key, val, sizeof(val));
    if (!got)
        fail_msg("%s not printed", key);
    assert_string_equal(got, want);
}

/* ---- vmx_ctl_from_msr ------------------------------------------------------ */

static void test_ctl_from_msr_splits_halves(void **state)
{
    (void)state;
    assert_ctl(vmx_ctl_from_msr(BOCHS_PIN), 0x16, 0x7f);
    assert_ctl(vmx_ctl_from_msr(0x0000007f00000016ull), 0x16, 0x7f);
    assert_ctl(vmx_ctl_from_msr(BOCHS_PROC), 0x4006172, 0xfff9fffe);
    assert_ctl(vmx_ctl_from_msr(0), 0, 0);
    assert_ctl(vmx_ctl_from_msr(UINT64_MAX), 0xffffffff, 0xffffffff);
    assert_ctl(vmx_ctl_from_msr(0x123456789abcdef0ull), 0x9abcdef0, 0x12345678);
}

/* ---- vmx_caps_decode: the reference CPU ------------------------------------ */

static void test_decode_bochs_ready(void **state)
{
    (void)state;
    struct vmx_msrs m = bochs();
    struct vmx_caps c = decode(&m);
    assert_int_equal(c.status, VMX_READY);
    assert_null(c.unusable_reason);
    assert_int_equal(c.revision, 4);
    assert_int_equal(c.vmcs_size, 4096);
    assert_int_equal(c.vmcs_memtype, MEMTYPE_WB);
    assert_true(c.true_ctls);
    assert_ctl(c.pin, 0x16, 0x7f);
    assert_ctl(c.proc, 0x4006172, 0xfff9fffe);
    assert_ctl(c.proc2, 0, 0x2977fff);
    assert_ctl(c.exit, 0x36dfb, 0x107fffff);
    assert_ctl(c.entry, 0x11fb, 0x10ffff);
    assert_int_equal(c.misc, BOCHS_MISC);
    assert_int_equal(c.ept_vpid_cap, BOCHS_EPT);
    assert_int_equal(c.cr0_fixed0, 0x80000021);
    assert_int_equal(c.cr0_fixed1, 0xffffffff);
    assert_int_equal(c.cr4_fixed0, 0x2000);
    assert_int_equal(c.cr4_fixed1, 0x3767ff);
}

static void test_decode_basic_fields(void **state)
{
    (void)state;
    struct vmx_msrs m = bochs();
    /* Revision is bits 30:0 (bit 31 is always 0), size bits 44:32, memtype 53:50. */
    m.basic = 0x7fffffffull | (0x1fffull << 32) | (1ull << 48) | ((uint64_t)MEMTYPE_UC << 50) |
              (1ull << 31) | (1ull << 45);
    struct vmx_caps c = decode(&m);
    assert_int_equal(c.revision, 0x7fffffff);
    assert_int_equal(c.vmcs_size, 0x1fff);
    assert_int_equal(c.vmcs_memtype, MEMTYPE_UC);
    assert_false(c.true_ctls);
    m.basic = 0x12 | (1024ull << 32) | (0xfull << 50);
    c = decode(&m);
    assert_int_equal(c.revision, 0x12);
    assert_int_equal(c.vmcs_size, 1024);
    assert_int_equal(c.vmcs_memtype, 0xf);
}

/* ---- vmx_caps_decode: status ----------------------------------------------- */

static void test_decode_absent_without_cpuid_vmx(void **state)
{
    (void)state;
    struct vmx_msrs m = bochs();
    m.cpuid1_ecx &= ~CPUID_1_ECX_VMX;
    struct vmx_caps c = decode(&m);
    struct vmx_caps zero;
    memset(&zero, 0, sizeof(zero));
    zero.status = VMX_ABSENT;
    /* Nothing else is decoded: the MSRs cannot even be read. */
    assert_memory_equal(&c, &zero, sizeof(c));
}

static void test_decode_absent_only_bit_5_matters(void **state)
{
    (void)state;
    struct vmx_msrs m = bochs();
    m.cpuid1_ecx = ~CPUID_1_ECX_VMX;
    assert_int_equal(decode(&m).status, VMX_ABSENT);
    m.cpuid1_ecx = CPUID_1_ECX_VMX;
    assert_int_equal(decode(&m).status, VMX_READY);
}

static void test_decode_locked_off(void **state)
{
    (void)state;
    struct vmx_msrs m = bochs();
    m.feature_control = FEATURE_CONTROL_LOCK;
    struct vmx_caps c = decode(&m);
    assert_int_equal(c.status, VMX_LOCKED_OFF);
    assert_null(c.unusable_reason);
    /* The capabilities are still decoded for `info`. */
    assert_int_equal(c.revision, 4);
    assert_ctl(c.proc2, 0, 0x2977fff);
    assert_int_equal(c.ept_vpid_cap, BOCHS_EPT);
}

static void test_decode_locked_off_with_only_inside_smx(void **state)
{
    (void)state;
    struct vmx_msrs m = bochs();
    m.feature_control = FEATURE_CONTROL_LOCK | FEATURE_CONTROL_VMX_INSIDE_SMX;
    assert_int_equal(decode(&m).status, VMX_LOCKED_OFF);
}

static void test_decode_locked_off_wins_over_unusable(void **state)
{
    (void)state;
    struct vmx_msrs m = bochs();
    m.feature_control = FEATURE_CONTROL_LOCK;
    clear_may1(&m.true_exit, EXIT_HOST_ADDR_SPACE_SIZE);
    struct vmx_caps c = decode(&m);
    assert_int_equal(c.status, VMX_LOCKED_OFF);
    assert_null(c.unusable_reason);
}

static void test_decode_ready_when_locked_on(void **state)
{
    (void)state;
    struct vmx_msrs m = bochs();
    m.feature_control = FEATURE_CONTROL_LOCK | FEATURE_CONTROL_VMX_OUTSIDE_SMX;
    assert_int_equal(decode(&m).status, VMX_READY);
    m.feature_control = FEATURE_CONTROL_LOCK | FEATURE_CONTROL_VMX_INSIDE_SMX |
                        FEATURE_CONTROL_VMX_OUTSIDE_SMX;
    assert_int_equal(decode(&m).status, VMX_READY);
    /* Unrelated bits (SENTER, SGX, LMCE) do not matter. */
    m.feature_control = 0x7f05;
    assert_int_equal(decode(&m).status, VMX_READY);
}

static void test_decode_ready_unlocked(void **state)
{
    (void)state;
    static const uint64_t unlocked[] = {
        0,
        FEATURE_CONTROL_VMX_OUTSIDE_SMX,
        FEATURE_CONTROL_VMX_INSIDE_SMX,
        FEATURE_CONTROL_VMX_INSIDE_SMX | FEATURE_CONTROL_VMX_OUTSIDE_SMX,
    };
    for (size_t i = 0; i < sizeof(unlocked) / sizeof(unlocked[0]); i++) {
        struct vmx_msrs m = bochs();
        m.feature_control = unlocked[i];
        struct vmx_caps c = decode(&m);
        assert_int_equal(c.status, VMX_READY_UNLOCKED);
        assert_null(c.unusable_reason);
    }
}

static void test_decode_unusable_without_host_address_space_size(void **state)
{
    (void)state;
    struct vmx_msrs m = bochs();
    clear_may1(&m.true_exit, EXIT_HOST_ADDR_SPACE_SIZE);
    struct vmx_caps c = decode(&m);
    assert_int_equal(c.status, VMX_UNUSABLE);
    assert_string_equal(c.unusable_reason, REASON_NO_HOST64);
    assert_int_equal(vmx_has(&c, "host_64bit"), 0);
}

static void test_decode_unusable_host64_reported_first(void **state)
{
    (void)state;
    struct vmx_msrs m = bochs();
    clear_may1(&m.true_exit, EXIT_HOST_ADDR_SPACE_SIZE);
    clear_may1(&m.procbased2, PROC2_ENABLE_EPT);
    m.ept_vpid_cap = 0;
    assert_string_equal(decode(&m).unusable_reason, REASON_NO_HOST64);
}

static void test_decode_unusable_without_ept(void **state)
{
    (void)state;
    struct vmx_msrs m = bochs();
    clear_may1(&m.procbased2, PROC2_ENABLE_EPT);
    struct vmx_caps c = decode(&m);
    assert_int_equal(c.status, VMX_UNUSABLE);
    assert_string_equal(c.unusable_reason, REASON_NO_EPT);
}

static void test_decode_unusable_without_secondary_controls(void **state)
{
    (void)state;
    struct vmx_msrs m = bochs();
    clear_may1(&m.true_procbased, PROC_SECONDARY_CONTROLS);
    struct vmx_caps c = decode(&m);
    assert_int_equal(c.status, VMX_UNUSABLE);
    assert_string_equal(c.unusable_reason, REASON_NO_EPT);
}

static void test_decode_unusable_ept_without_4level_walk(void **state)
{
    (void)state;
    struct vmx_msrs m = bochs();
    m.ept_vpid_cap &= ~EPT_CAP_WALK_4;
    m.ept_vpid_cap |= EPT_CAP_WALK_5;
    struct vmx_caps c = decode(&m);
    assert_int_equal(c.status, VMX_UNUSABLE);
    assert_string_equal(c.unusable_reason, REASON_EPT_WEAK);
}

static void test_decode_unusable_ept_without_wb(void **state)
{
    (void)state;
    struct vmx_msrs m = bochs();
    m.ept_vpid_cap &= ~EPT_CAP_MEMTYPE_WB;
    struct vmx_caps c = decode(&m);
    assert_int_equal(c.status, VMX_UNUSABLE);
    assert_string_equal(c.unusable_reason, REASON_EPT_WEAK);
}

static void test_decode_unusable_ept_without_caps_msr(void **state)
{
    (void)state;
    struct vmx_msrs m = bochs();
    m.ept_vpid_cap = 0;
    assert_string_equal(decode(&m).unusable_reason, REASON_EPT_WEAK);
}

static void test_decode_unusable_even_when_unlocked(void **state)
{
    (void)state;
    struct vmx_msrs m = bochs();
    m.feature_control = 0;
    clear_may1(&m.procbased2, PROC2_ENABLE_EPT);
    struct vmx_caps c = decode(&m);
    assert_int_equal(c.status, VMX_UNUSABLE);
    assert_string_equal(c.unusable_reason, REASON_NO_EPT);
}

static void test_decode_minimal_usable_cpu(void **state)
{
    (void)state;
    /* Only what monovisor needs; no TRUE_ MSRs. */
    struct vmx_msrs m = {
        .cpuid1_ecx = CPUID_1_ECX_VMX,
        .basic = 1 | (4096ull << 32) | ((uint64_t)MEMTYPE_WB << 50),
        .procbased = CTL(0, PROC_SECONDARY_CONTROLS),
        .procbased2 = CTL(0, PROC2_ENABLE_EPT),
        .exit = CTL(0, EXIT_HOST_ADDR_SPACE_SIZE),
        .ept_vpid_cap = EPT_CAP_WALK_4 | EPT_CAP_MEMTYPE_WB,
    };
    struct vmx_caps c = decode(&m);
    assert_int_equal(c.status, VMX_READY_UNLOCKED);
    assert_false(c.true_ctls);
    assert_int_equal(vmx_has(&c, "ept"), 1);
    assert_int_equal(vmx_has(&c, "vpid"), 0);
    assert_int_equal(vmx_has(&c, "unrestricted_guest"), 0);
}

/* ---- vmx_caps_decode: which MSRs are used ---------------------------------- */

static void test_decode_true_msrs_used_with_basic_bit_55(void **state)
{
    (void)state;
    struct vmx_msrs m = bochs();
    /* TRUE_ MSRs clear default-1 bits; the others report them as must-be-1. */
    m.pinbased = CTL(0x16, 0x7f);
    m.true_pinbased = CTL(0x00, 0x7f);
    m.procbased = CTL(0x0401e172, 0xfff9fffe);
    m.true_procbased = CTL(0x04006172, 0xfff9fffe);
    m.exit = CTL(0x36dff, 0x107fffff);
    m.true_exit = CTL(0x36dfb, 0x107fffff);
    m.entry = CTL(0x11ff, 0x10ffff);
    m.true_entry = CTL(0x11fb, 0x10ffff);
    struct vmx_caps c = decode(&m);
    assert_true(c.true_ctls);
    assert_ctl(c.pin, 0x00, 0x7f);
    assert_ctl(c.proc, 0x04006172, 0xfff9fffe);
    assert_ctl(c.exit, 0x36dfb, 0x107fffff);
    assert_ctl(c.entry, 0x11fb, 0x10ffff);
    /* PROCBASED_CTLS2 has no TRUE_ variant. */
    assert_ctl(c.proc2, 0, 0x2977fff);
}

static void test_decode_true_msrs_ignored_without_basic_bit_55(void **state)
{
    (void)state;
    struct vmx_msrs m = bochs();
    m.basic &= ~VMX_BASIC_TRUE_CTLS;
    /* Without bit 55 the TRUE_ MSRs do not exist; garbage must not leak in. */
    m.true_pinbased = CTL(0xdead, 0);
    m.true_procbased = CTL(0xbeef, 0);
    m.true_exit = CTL(0xf00d, 0);
    m.true_entry = CTL(0xcafe, 0);
    struct vmx_caps c = decode(&m);
    assert_false(c.true_ctls);
    assert_ctl(c.pin, 0x16, 0x7f);
    assert_ctl(c.proc, 0x4006172, 0xfff9fffe);
    assert_ctl(c.exit, 0x36dfb, 0x107fffff);
    assert_ctl(c.entry, 0x11fb, 0x10ffff);
    assert_int_equal(c.status, VMX_READY);
}

static void test_decode_secondary_controls_from_true_procbased(void **state)
{
    (void)state;
    struct vmx_msrs m = bochs();
    /* With bit 55, the activate-secondary bit is read from the TRUE_ MSR. */
    clear_may1(&m.true_procbased, PROC_SECONDARY_CONTROLS);
    struct vmx_caps c = decode(&m);
    assert_ctl(c.proc2, 0, 0);
    m = bochs();
    clear_may1(&m.procbased, PROC_SECONDARY_CONTROLS);
    c = decode(&m);
    assert_ctl(c.proc2, 0, 0x2977fff);
    assert_int_equal(c.status, VMX_READY);
}

static void test_decode_procbased2_ignored_without_secondary(void **state)
{
    (void)state;
    struct vmx_msrs m = bochs();
    m.basic &= ~VMX_BASIC_TRUE_CTLS;
    clear_may1(&m.procbased, PROC_SECONDARY_CONTROLS);
    m.procbased2 = CTL(0x1234, 0x2977fff);
    struct vmx_caps c = decode(&m);
    assert_ctl(c.proc2, 0, 0);
    assert_int_equal(vmx_has(&c, "secondary_ctls"), 0);
    assert_int_equal(vmx_has(&c, "ept"), 0);
    assert_int_equal(vmx_has(&c, "unrestricted_guest"), 0);
    assert_int_equal(vmx_has(&c, "ept_4level"), 0);
    assert_int_equal(c.status, VMX_UNUSABLE);
    assert_string_equal(c.unusable_reason, REASON_NO_EPT);
}

static void test_decode_secondary_must1_kept(void **state)
{
    (void)state;
    struct vmx_msrs m = bochs();
    m.procbased2 = CTL(PROC2_ENABLE_EPT, 0x2977fff);
    assert_ctl(decode(&m).proc2, PROC2_ENABLE_EPT, 0x2977fff);
}

/* ---- vmx_has --------------------------------------------------------------- */

static void test_has_bochs_flags(void **state)
{
    (void)state;
    struct vmx_msrs m = bochs();
    struct vmx_caps c = decode(&m);
    static const char *const one[] = {
        "ept", "unrestricted_guest", "vpid", "preemption_timer", "secondary_ctls",
        "msr_bitmaps", "io_bitmaps", "monitor_trap_flag", "tpr_shadow", "nmi_exiting",
        "virtual_nmis", "rdtscp", "invpcid", "xsaves", "wbinvd_exiting", "apic_access",
        "x2apic_virt", "apic_register_virt", "virtual_intr_delivery", "vmcs_shadowing",
        "tsc_scaling", "save_efer", "load_efer", "load_pat", "host_64bit", "ia32e_guest",
        "activity_hlt", "activity_shutdown", "activity_wait_sipi", "ept_exec_only",
        "ept_4level", "ept_wb", "ept_uc", "ept_2m", "ept_1g", "ept_ad", "invept",
        "invept_single", "invept_all", "invvpid", "invvpid_single", "invvpid_all",
    };
    for (size_t i = 0; i < sizeof(one) / sizeof(one[0]); i++)
        if (vmx_has(&c, one[i]) != 1)
            fail_msg("vmx_has(%s) = %d, want 1", one[i], vmx_has(&c, one[i]));
    assert_int_equal(vmx_has(&c, "posted_interrupts"), 0);
    assert_int_equal(vmx_has(&c, "ept_5level"), 0);
}

static void test_has_unknown_names(void **state)
{
    (void)state;
    struct vmx_msrs m = bochs();
    struct vmx_caps c = decode(&m);
    assert_int_equal(vmx_has(&c, ""), -1);
    assert_int_equal(vmx_has(&c, "EPT"), -1);
    assert_int_equal(vmx_has(&c, "vmx.ept"), -1);
    assert_int_equal(vmx_has(&c, "ept "), -1);
    assert_int_equal(vmx_has(&c, "ep"), -1);
    assert_int_equal(vmx_has(&c, "invvpid_addr"), -1);
    assert_int_equal(vmx_has(&c, "supported"), -1);
}

static void test_has_each_control_bit(void **state)
{
    (void)state;
    struct vmx_msrs m;
    struct vmx_caps c;

    m = bochs(); clear_may1(&m.true_pinbased, PIN_PREEMPTION_TIMER); c = decode(&m);
    assert_int_equal(vmx_has(&c, "preemption_timer"), 0);
    assert_int_equal(vmx_has(&c, "nmi_exiting"), 1);

    m = bochs(); clear_may1(&m.true_procbased, PROC_USE_MSR_BITMAPS); c = decode(&m);
    assert_int_equal(vmx_has(&c, "msr_bitmaps"), 0);
    assert_int_equal(vmx_has(&c, "io_bitmaps"), 1);

    m = bochs(); clear_may1(&m.procbased2, PROC2_UNRESTRICTED_GUEST); c = decode(&m);
    assert_int_equal(vmx_has(&c, "unrestricted_guest"), 0);
    assert_int_equal(vmx_has(&c, "ept"), 1);
    assert_int_equal(c.status, VMX_READY);

    m = bochs(); clear_may1(&m.true_exit, EXIT_SAVE_EFER); c = decode(&m);
    assert_int_equal(vmx_has(&c, "save_efer"), 0);
    assert_int_equal(vmx_has(&c, "host_64bit"), 1);

    m = bochs(); clear_may1(&m.true_entry, ENTRY_LOAD_EFER | ENTRY_IA32E_MODE_GUEST); c = decode(&m);
    assert_int_equal(vmx_has(&c, "load_efer"), 0);
    assert_int_equal(vmx_has(&c, "ia32e_guest"), 0);
    assert_int_equal(vmx_has(&c, "load_pat"), 1);

    m = bochs(); m.misc &= ~VMX_MISC_ACTIVITY_WAIT_SIPI; c = decode(&m);
    assert_int_equal(vmx_has(&c, "activity_wait_sipi"), 0);
    assert_int_equal(vmx_has(&c, "activity_hlt"), 1);

    m = bochs(); m.ept_vpid_cap |= EPT_CAP_WALK_5; c = decode(&m);
    assert_int_equal(vmx_has(&c, "ept_5level"), 1);
}

static void test_has_flags_ignore_must1(void **state)
{
    (void)state;
    struct vmx_msrs m = bochs();
    /* A control that must be 1 but may not be 1 is not offered. */
    m.true_pinbased = CTL(0x7f, 0x3f);
    struct vmx_caps c = decode(&m);
    assert_int_equal(vmx_has(&c, "preemption_timer"), 0);
    assert_int_equal(vmx_has(&c, "virtual_nmis"), 1);
}

static void test_has_ept_caps_with_vpid_only(void **state)
{
    (void)state;
    struct vmx_msrs m = bochs();
    /* The EPT/VPID capability MSR exists when either EPT or VPID may be 1. */
    clear_may1(&m.procbased2, PROC2_ENABLE_EPT);
    struct vmx_caps c = decode(&m);
    assert_int_equal(vmx_has(&c, "ept"), 0);
    assert_int_equal(vmx_has(&c, "vpid"), 1);
    assert_int_equal(vmx_has(&c, "invvpid"), 1);
    assert_int_equal(vmx_has(&c, "invvpid_all"), 1);
    assert_int_equal(vmx_has(&c, "ept_4level"), 1);
}

static void test_has_ept_caps_with_ept_only(void **state)
{
    (void)state;
    struct vmx_msrs m = bochs();
    clear_may1(&m.procbased2, PROC2_ENABLE_VPID);
    struct vmx_caps c = decode(&m);
    assert_int_equal(vmx_has(&c, "vpid"), 0);
    assert_int_equal(vmx_has(&c, "ept_wb"), 1);
    assert_int_equal(vmx_has(&c, "invept"), 1);
    assert_int_equal(c.status, VMX_READY);
}

static void test_has_ept_caps_zero_without_ept_and_vpid(void **state)
{
    (void)state;
    struct vmx_msrs m = bochs();
    /* A stale ept_vpid_cap value does not count when neither may be enabled. */
    clear_may1(&m.procbased2, PROC2_ENABLE_EPT | PROC2_ENABLE_VPID);
    struct vmx_caps c = decode(&m);
    static const char *const ept[] = {
        "ept_exec_only", "ept_4level", "ept_5level", "ept_wb", "ept_uc", "ept_2m", "ept_1g",
        "ept_ad", "invept", "invept_single", "invept_all", "invvpid", "invvpid_single",
        "invvpid_all",
    };
    for (size_t i = 0; i < sizeof(ept) / sizeof(ept[0]); i++)
        if (vmx_has(&c, ept[i]) != 0)
            fail_msg("vmx_has(%s) = %d, want 0", ept[i], vmx_has(&c, ept[i]));
    assert_int_equal(vmx_has(&c, "rdtscp"), 1);
}

static void test_has_secondary_flags_need_activate_bit(void **state)
{
    (void)state;
    /* Built by hand: secondary and EPT caps present, but the primary
     * "activate secondary controls" bit may not be 1. */
    struct vmx_caps c;
    memset(&c, 0, sizeof(c));
    c.proc.may1 = 0x7ffffffe;
    c.proc2.may1 = 0xffffffff;
    c.ept_vpid_cap = BOCHS_EPT;
    assert_int_equal(vmx_has(&c, "secondary_ctls"), 0);
    assert_int_equal(vmx_has(&c, "ept"), 0);
    assert_int_equal(vmx_has(&c, "tsc_scaling"), 0);
    assert_int_equal(vmx_has(&c, "ept_4level"), 0);
    assert_int_equal(vmx_has(&c, "invvpid"), 0);
    assert_int_equal(vmx_has(&c, "msr_bitmaps"), 1);
    c.proc.may1 |= PROC_SECONDARY_CONTROLS;
    assert_int_equal(vmx_has(&c, "secondary_ctls"), 1);
    assert_int_equal(vmx_has(&c, "ept"), 1);
    assert_int_equal(vmx_has(&c, "tsc_scaling"), 1);
    assert_int_equal(vmx_has(&c, "ept_4level"), 1);
    assert_int_equal(vmx_has(&c, "invvpid"), 1);
}

static void test_has_all_zero_caps(void **state)
{
    (void)state;
    struct vmx_caps c;
    memset(&c, 0, sizeof(c));
    assert_int_equal(vmx_has(&c, "ept"), 0);
    assert_int_equal(vmx_has(&c, "host_64bit"), 0);
    assert_int_equal(vmx_has(&c, "activity_hlt"), 0);
    assert_int_equal(vmx_has(&c, "invvpid_all"), 0);
}

/* ---- vmx_status_message ------------------------------------------------------ */

static void test_status_message_each_status(void **state)
{
    (void)state;
    struct vmx_caps c;
    memset(&c, 0, sizeof(c));
    c.status = VMX_READY;
    assert_string_equal(vmx_status_message(&c), "VMX enabled by firmware");
    c.status = VMX_READY_UNLOCKED;
    assert_string_equal(vmx_status_message(&c),
                        "IA32_FEATURE_CONTROL unlocked; monovisor enables VMX outside SMX "
                        "and locks it");
    c.status = VMX_ABSENT;
    assert_string_equal(vmx_status_message(&c),
                        "this CPU has no VMX (CPUID.1:ECX.VMX=0): run monovisor on an Intel "
                        "CPU with VT-x, under KVM with nested VMX (-enable-kvm -cpu host), or "
                        "in Bochs with a VMX CPU model (cpu: model=tigerlake)");
    c.status = VMX_LOCKED_OFF;
    assert_string_equal(vmx_status_message(&c),
                        "VMX is disabled and locked by firmware (IA32_FEATURE_CONTROL lock=1, "
                        "VMX outside SMX=0): enable Intel Virtualization Technology (VT-x) in "
                        "the firmware setup and power-cycle");
    c.status = VMX_UNUSABLE;
    c.unusable_reason = "some reason";
    assert_string_equal(vmx_status_message(&c), "some reason");
    c.status = (enum vmx_status)42;
    assert_string_equal(vmx_status_message(&c), "unknown VMX status");
}

static void test_status_message_from_decode(void **state)
{
    (void)state;
    struct vmx_msrs m = bochs();
    struct vmx_caps c;
    m.ept_vpid_cap &= ~EPT_CAP_MEMTYPE_WB;
    c = decode(&m);
    assert_ptr_equal(vmx_status_message(&c), c.unusable_reason);
    assert_string_equal(vmx_status_message(&c), REASON_EPT_WEAK);
    m = bochs();
    m.feature_control = FEATURE_CONTROL_LOCK;
    c = decode(&m);
    assert_non_null(strstr(vmx_status_message(&c), "enable Intel Virtualization Technology"));
}

/* ---- vmx_caps_format ----------------------------------------------------------- */

static void test_format_absent_is_one_line(void **state)
{
    (void)state;
    struct vmx_msrs m = bochs();
    m.cpuid1_ecx = 0;
    struct vmx_caps c = decode(&m);
    struct lines l;
    format(&c, &l);
    assert_int_equal(l.n, 1);
    assert_string_equal(l.text[0], "vmx.supported=0 vmx.status=absent");
}

static void test_format_bochs_exact_lines(void **state)
{
    (void)state;
    static const char *const want[] = {
        "vmx.supported=1 vmx.status=ready",
        "vmx.revision=0x4 vmx.vmcs_size=4096 vmx.vmcs_memtype=wb vmx.true_ctls=1",
        "vmx.ept=1 vmx.unrestricted_guest=1 vmx.vpid=1 vmx.preemption_timer=1 "
        "vmx.secondary_ctls=1",
        "vmx.msr_bitmaps=1 vmx.io_bitmaps=1 vmx.monitor_trap_flag=1 vmx.tpr_shadow=1",
        "vmx.nmi_exiting=1 vmx.virtual_nmis=1 vmx.posted_interrupts=0 vmx.rdtscp=1",
        "vmx.invpcid=1 vmx.xsaves=1 vmx.wbinvd_exiting=1 vmx.apic_access=1 vmx.x2apic_virt=1",
        "vmx.apic_register_virt=1 vmx.virtual_intr_delivery=1 vmx.vmcs_shadowing=1",
        "vmx.tsc_scaling=1 vmx.ept_subpage_write=1 vmx.save_efer=1 vmx.load_efer=1",
        "vmx.load_pat=1 vmx.host_64bit=1 vmx.ia32e_guest=1 vmx.activity_hlt=1 vmx.activity_shutdown=1",
        "vmx.activity_wait_sipi=1 vmx.ept_exec_only=1 vmx.ept_4level=1 vmx.ept_5level=0",
        "vmx.ept_wb=1 vmx.ept_uc=1 vmx.ept_2m=1 vmx.ept_1g=1 vmx.ept_ad=1 vmx.invept=1",
        "vmx.invept_single=1 vmx.invept_all=1 vmx.invvpid=1 vmx.invvpid_single=1",
        "vmx.invvpid_all=1",
        "vmx.preemption_timer_rate=5 vmx.cr3_targets=4",
        "vmx.cr0_fixed0=0x80000021 vmx.cr0_fixed1=0xffffffff vmx.cr4_fixed0=0x2000 "
        "vmx.cr4_fixed1=0x3767ff",
        "vmx.ctl.pin=0x16/0x7f vmx.ctl.proc=0x4006172/0xfff9fffe vmx.ctl.proc2=0/0x2977fff",
        "vmx.ctl.exit=0x36dfb/0x107fffff vmx.ctl.entry=0x11fb/0x10ffff "
        "vmx.ept_vpid_cap=0xf0106b34141",
    };
    struct vmx_msrs m = bochs();
    struct vmx_caps c = decode(&m);
    struct lines l;
    format(&c, &l);
    for (int i = 0; i < l.n && i < (int)(sizeof(want) / sizeof(want[0])); i++)
        assert_string_equal(l.text[i], want[i]);
    assert_int_equal(l.n, sizeof(want) / sizeof(want[0]));
}

static void test_format_lines_under_120_characters(void **state)
{
    (void)state;
    struct vmx_msrs m = bochs();
    struct vmx_caps c = decode(&m);
    struct lines l;
    format(&c, &l);
    assert_true(l.n > 5);
    for (int i = 0; i < l.n; i++) {
        if (strlen(l.text[i]) >= 120)
            fail_msg("line %d has %zu characters: %s", i, strlen(l.text[i]), l.text[i]);
        assert_true(strlen(l.text[i]) > 0);
        assert_null(strchr(l.text[i], '\n'));
    }
}

static void test_format_flags_lines_under_100_even_all_set(void **state)
{
    (void)state;
    struct vmx_caps c;
    memset(&c, 0xff, sizeof(c));
    c.status = VMX_READY;
    c.true_ctls = true;
    struct lines l;
    format(&c, &l);
    /* Lines 2 .. n-5 are flag lines. */
    for (int i = 2; i < l.n - 4; i++) {
        assert_true(strlen(l.text[i]) < 100);
        assert_non_null(strstr(l.text[i], "=1"));
        assert_null(strstr(l.text[i], "=0"));
    }
}

static void test_format_flag_values_follow_vmx_has(void **state)
{
    (void)state;
    struct vmx_msrs m = bochs();
    clear_may1(&m.procbased2, PROC2_UNRESTRICTED_GUEST | PROC2_ENABLE_XSAVES);
    m.ept_vpid_cap |= EPT_CAP_WALK_5;
    struct vmx_caps c = decode(&m);
    struct lines l;
    format(&c, &l);
    assert_value(&l, "vmx.ept", "1");
    assert_value(&l, "vmx.unrestricted_guest", "0");
    assert_value(&l, "vmx.xsaves", "0");
    assert_value(&l, "vmx.ept_5level", "1");
    assert_value(&l, "vmx.posted_interrupts", "0");
    assert_non_null(strstr(l.text[2], "vmx.ept=1 vmx.unrestricted_guest=0"));
    /* Every flag vmx_has knows is printed exactly once with its value. */
    int flags = 0;
    for (int i = 0; i < l.n; i++) {
        char copy[256];
        strcpy(copy, l.text[i]);
        for (char *tok = strtok(copy, " "); tok; tok = strtok(NULL, " ")) {
            char *eq = strchr(tok, '=');
            assert_non_null(eq);
            *eq = '\0';
            assert_int_equal(strncmp(tok, "vmx.", 4), 0);
            int has = vmx_has(&c, tok + 4);
            if (has < 0)
                continue;
            flags++;
            assert_true(!strcmp(eq + 1, "0") || !strcmp(eq + 1, "1"));
            assert_int_equal(has, eq[1] - '0');
        }
    }
    assert_int_equal(flags, 45);
}

static void test_format_status_keys(void **state)
{
    (void)state;
    struct vmx_msrs m = bochs();
    struct vmx_caps c;
    struct lines l;

    m.feature_control = 0;
    c = decode(&m);
    format(&c, &l);
    assert_string_equal(l.text[0], "vmx.supported=1 vmx.status=ready_unlocked");

    m.feature_control = FEATURE_CONTROL_LOCK;
    c = decode(&m);
    format(&c, &l);
    assert_string_equal(l.text[0], "vmx.supported=1 vmx.status=locked_off");
    assert_true(l.n > 1);   /* details still shown */

    m = bochs();
    clear_may1(&m.procbased2, PROC2_ENABLE_EPT);
    c = decode(&m);
    format(&c, &l);
    assert_string_equal(l.text[0], "vmx.supported=1 vmx.status=unusable");
    assert_value(&l, "vmx.ept", "0");

    c.status = (enum vmx_status)42;
    format(&c, &l);
    assert_string_equal(l.text[0], "vmx.supported=1 vmx.status=unknown");
}

static void test_format_memtype_names(void **state)
{
    (void)state;
    struct vmx_msrs m = bochs();
    struct vmx_caps c;
    struct lines l;

    m.basic = 0x10 | (2048ull << 32) | ((uint64_t)MEMTYPE_UC << 50);
    c = decode(&m);
    format(&c, &l);
    assert_string_equal(l.text[1],
                        "vmx.revision=0x10 vmx.vmcs_size=2048 vmx.vmcs_memtype=uc vmx.true_ctls=0");

    m.basic = 0x10 | (2048ull << 32) | ((uint64_t)MEMTYPE_WT << 50);
    c = decode(&m);
    format(&c, &l);
    assert_value(&l, "vmx.vmcs_memtype", "other");
}

static void test_format_raw_values_when_zero(void **state)
{
    (void)state;
    struct vmx_caps c;
    memset(&c, 0, sizeof(c));
    c.status = VMX_UNUSABLE;
    struct lines l;
    format(&c, &l);
    assert_true(find_line(&l, "vmx.revision=0 vmx.vmcs_size=0 vmx.vmcs_memtype=uc "
                              "vmx.true_ctls=0") >= 0);
    assert_true(find_line(&l, "vmx.preemption_timer_rate=0 vmx.cr3_targets=0") >= 0);
    assert_true(find_line(&l, "vmx.cr0_fixed0=0 vmx.cr0_fixed1=0 vmx.cr4_fixed0=0 "
                              "vmx.cr4_fixed1=0") >= 0);
    assert_true(find_line(&l, "vmx.ctl.pin=0/0 vmx.ctl.proc=0/0 vmx.ctl.proc2=0/0") >= 0);
    assert_true(find_line(&l, "vmx.ctl.exit=0/0 vmx.ctl.entry=0/0 vmx.ept_vpid_cap=0") >= 0);
}

static void test_format_extreme_values_printed_in_full(void **state)
{
    (void)state;
    struct vmx_caps c;
    memset(&c, 0xff, sizeof(c));
    c.status = VMX_READY;
    c.true_ctls = true;
    c.revision = 0x7fffffff;
    c.vmcs_size = 0x1fff;
    c.vmcs_memtype = 0xf;
    struct lines l;
    format(&c, &l);
    assert_string_equal(l.text[1], "vmx.revision=0x7fffffff vmx.vmcs_size=8191 "
                                   "vmx.vmcs_memtype=other vmx.true_ctls=1");
    assert_string_equal(l.text[l.n - 4], "vmx.preemption_timer_rate=31 vmx.cr3_targets=511");
    assert_string_equal(l.text[l.n - 3],
                        "vmx.cr0_fixed0=0xffffffffffffffff vmx.cr0_fixed1=0xffffffffffffffff "
                        "vmx.cr4_fixed0=0xffffffffffffffff vmx.cr4_fixed1=0xffffffffffffffff");
    assert_string_equal(l.text[l.n - 2], "vmx.ctl.pin=0xffffffff/0xffffffff "
                                         "vmx.ctl.proc=0xffffffff/0xffffffff "
                                         "vmx.ctl.proc2=0xffffffff/0xffffffff");
    assert_string_equal(l.text[l.n - 1], "vmx.ctl.exit=0xffffffff/0xffffffff "
                                         "vmx.ctl.entry=0xffffffff/0xffffffff "
                                         "vmx.ept_vpid_cap=0xffffffffffffffff");
}

static void test_format_misc_fields(void **state)
{
    (void)state;
    struct vmx_msrs m = bochs();
    m.misc = 0x7 | (0x100ull << 16) | (1ull << 25);     /* rate 7, 256 CR3 targets */
    struct vmx_caps c = decode(&m);
    struct lines l;
    format(&c, &l);
    assert_true(find_line(&l, "vmx.preemption_timer_rate=7 vmx.cr3_targets=256") >= 0);
    assert_value(&l, "vmx.activity_hlt", "0");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ctl_from_msr_splits_halves),
        cmocka_unit_test(test_decode_bochs_ready),
        cmocka_unit_test(test_decode_basic_fields),
        cmocka_unit_test(test_decode_absent_without_cpuid_vmx),
        cmocka_unit_test(test_decode_absent_only_bit_5_matters),
        cmocka_unit_test(test_decode_locked_off),
        cmocka_unit_test(test_decode_locked_off_with_only_inside_smx),
        cmocka_unit_test(test_decode_locked_off_wins_over_unusable),
        cmocka_unit_test(test_decode_ready_when_locked_on),
        cmocka_unit_test(test_decode_ready_unlocked),
        cmocka_unit_test(test_decode_unusable_without_host_address_space_size),
        cmocka_unit_test(test_decode_unusable_host64_reported_first),
        cmocka_unit_test(test_decode_unusable_without_ept),
        cmocka_unit_test(test_decode_unusable_without_secondary_controls),
        cmocka_unit_test(test_decode_unusable_ept_without_4level_walk),
        cmocka_unit_test(test_decode_unusable_ept_without_wb),
        cmocka_unit_test(test_decode_unusable_ept_without_caps_msr),
        cmocka_unit_test(test_decode_unusable_even_when_unlocked),
        cmocka_unit_test(test_decode_minimal_usable_cpu),
        cmocka_unit_test(test_decode_true_msrs_used_with_basic_bit_55),
        cmocka_unit_test(test_decode_true_msrs_ignored_without_basic_bit_55),
        cmocka_unit_test(test_decode_secondary_controls_from_true_procbased),
        cmocka_unit_test(test_decode_procbased2_ignored_without_secondary),
        cmocka_unit_test(test_decode_secondary_must1_kept),
        cmocka_unit_test(test_has_bochs_flags),
        cmocka_unit_test(test_has_unknown_names),
        cmocka_unit_test(test_has_each_control_bit),
        cmocka_unit_test(test_has_flags_ignore_must1),
        cmocka_unit_test(test_has_ept_caps_with_vpid_only),
        cmocka_unit_test(test_has_ept_caps_with_ept_only),
        cmocka_unit_test(test_has_ept_caps_zero_without_ept_and_vpid),
        cmocka_unit_test(test_has_secondary_flags_need_activate_bit),
        cmocka_unit_test(test_has_all_zero_caps),
        cmocka_unit_test(test_status_message_each_status),
        cmocka_unit_test(test_status_message_from_decode),
        cmocka_unit_test(test_format_absent_is_one_line),
        cmocka_unit_test(test_format_bochs_exact_lines),
        cmocka_unit_test(test_format_lines_under_120_characters),
        cmocka_unit_test(test_format_flags_lines_under_100_even_all_set),
        cmocka_unit_test(test_format_flag_values_follow_vmx_has),
        cmocka_unit_test(test_format_status_keys),
        cmocka_unit_test(test_format_memtype_names),
        cmocka_unit_test(test_format_raw_values_when_zero),
        cmocka_unit_test(test_format_extreme_values_printed_in_full),
        cmocka_unit_test(test_format_misc_fields),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
