/*
 * msr.c - conformance: model-specific registers (SDM Vol. 4, chapter 2;
 * Vol. 2B RDMSR, WRMSR, RDTSCP, RDPID, SWAPGS, SYSCALL, SYSRET,
 * SYSENTER, SYSEXIT; Vol. 3A 13.11 MTRRs, 13.12 PAT, 5.8.8 fast system
 * calls in 64-bit mode, 18.17 the TSC): which architectural MSRs the CPU
 * model offers (by its CPUID), write and read back, reserved bits and
 * non-canonical addresses (#GP), read-only MSRs, MSRs that do not exist
 * (#GP with RF set in the pushed frame), CPL 3, values visible through
 * the machine (FS/GS bases, TSC_AUX in RDTSCP, STAR/LSTAR/FMASK in
 * SYSCALL, the SYSENTER MSRs in SYSENTER), and values surviving
 * instructions a hypervisor intercepts. Every MSR changed is restored.
 *
 * One file over 800 lines: a conformance guest is one boot of one area,
 * whose parts share the state they set up and restore; the harness
 * compares it as a whole (tests/boot/test_conformance.py).
 */
#include "conf.h"

#include "../../kernel/fmt.h"

/* RDMSR of MSR arg, the value into msr_rd; WRMSR of struct msr_arg. */
uint32_t msr_rd_lo, msr_rd_hi;
struct msr_arg {
    uint32_t index, pad;
    uint64_t value;
};
FAULT_FN(f_rdmsr, "mov %edi, %ecx", "rdmsr", "mov %eax, msr_rd_lo(%rip); mov %edx, msr_rd_hi(%rip)");
FAULT_FN(f_wrmsr, "mov (%rdi), %ecx; mov 8(%rdi), %eax; mov 12(%rdi), %edx", "wrmsr", "");
FAULT_FN(f_rdtscp, "", "rdtscp", "mov %ecx, msr_rd_lo(%rip)");
FAULT_FN(f_rdpid, "", "rdpid %rax", "mov %eax, msr_rd_lo(%rip)");
FAULT_FN(f_rdfsbase, "", "rdfsbase %rax", "");
FAULT_FN(f_sysret_user, "lea f_sysret_user_next(%rip), %rcx; pushfq; pop %r11", "sysretq", "");
FAULT_FN(f_sysexit_user, "lea f_sysexit_user_next(%rip), %rdx; mov %rsp, %rcx", "sysexitq", "");
FAULT_FN(f_swapgs_user, "", "swapgs", "");

#define MSR_TSC            0x10
#define MSR_APIC_BASE      0x1B
#define MSR_FEATURE_CONTROL 0x3A
#define MSR_TSC_ADJUST     0x3B
#define MSR_SPEC_CTRL      0x48
#define MSR_PRED_CMD       0x49
#define MSR_MTRRCAP        0xFE
#define MSR_ARCH_CAP       0x10A
#define MSR_FLUSH_CMD      0x10B
#define MSR_SYSENTER_CS    0x174
#define MSR_SYSENTER_ESP   0x175
#define MSR_SYSENTER_EIP   0x176
#define MSR_MCG_CAP        0x179
#define MSR_MCG_STATUS     0x17A
#define MSR_MISC_ENABLE    0x1A0
#define MSR_DEBUGCTL       0x1D9
#define MSR_MTRR_PHYSBASE0 0x200
#define MSR_MTRR_FIX64K    0x250
#define MSR_MTRR_FIX16K_80 0x258
#define MSR_MTRR_FIX4K_C0  0x268
#define MSR_PAT            0x277
#define MSR_MTRR_DEF_TYPE  0x2FF
#define MSR_VMX_BASIC      0x480
#define MSR_U_CET          0x6A0
#define MSR_S_CET          0x6A2
#define MSR_PL0_SSP        0x6A4
#define MSR_ISST           0x6A8
#define MSR_TSC_DEADLINE   0x6E0
#define MSR_STAR           0xC0000081u
#define MSR_LSTAR          0xC0000082u
#define MSR_CSTAR          0xC0000083u
#define MSR_FMASK          0xC0000084u
#define MSR_FS_BASE        0xC0000100u
#define MSR_GS_BASE        0xC0000101u
#define MSR_KGS_BASE       0xC0000102u
#define MSR_TSC_AUX        0xC0000103u

#define PAT_POWER_ON 0x0007040600070406ull      /* SDM Vol. 3A, 13.12.4 */
#define NONCANON_47 0x0000800000000000ull       /* bit 47 set, 63:48 clear */
#define NONCANON_63 0x8000000000000000ull
#define SEL_K_CODE64 0x58   /* sdk_gdt's free slots: SYSCALL/SYSENTER targets */
#define SEL_K_DATA   0x60

#define RFLAGS_CF (1ull << 0)
#define RFLAGS_DF (1ull << 10)

/* ---- helpers ---- */

static int rd_try(uint32_t msr, uint64_t *v)
{
    msr_rd_lo = msr_rd_hi = 0;
    int r = sdk_catch(f_rdmsr, (void *)(uintptr_t)msr);
    if (v)
        *v = r == CONF_NONE ? ((uint64_t)msr_rd_hi << 32) | msr_rd_lo : 0;
    return r;
}

static int wr_try(uint32_t msr, uint64_t v)
{
    struct msr_arg a = { msr, 0, v };
    return sdk_catch(f_wrmsr, &a);
}

/* RDMSR under conf_fault: the vector, its error code 0 and RF (a #GP is
 * a fault: RF set in the pushed frame, 6.12.1 and 17.3.1.1). */
static int rd_chk(uint32_t msr, int want, uint64_t *v, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int rd_chk(uint32_t msr, int want, uint64_t *v, const char *fmt, ...)
{
    char name[CONF_NAME_MAX];
    va_list ap;
    va_start(ap, fmt);
    fmt_vsnprintf(name, sizeof(name), fmt, ap);
    va_end(ap);
    msr_rd_lo = msr_rd_hi = 0;
    int r = conf_fault(f_rdmsr, (void *)(uintptr_t)msr, want, 0, 1, "%s", name);
    if (v)
        *v = r == CONF_NONE ? ((uint64_t)msr_rd_hi << 32) | msr_rd_lo : 0;
    return r;
}

static int wr_chk(uint32_t msr, uint64_t val, int want, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int wr_chk(uint32_t msr, uint64_t val, int want, const char *fmt, ...)
{
    char name[CONF_NAME_MAX];
    va_list ap;
    va_start(ap, fmt);
    fmt_vsnprintf(name, sizeof(name), fmt, ap);
    va_end(ap);
    struct msr_arg a = { msr, 0, val };
    return conf_fault(f_wrmsr, &a, want, 0, 1, "%s", name);
}

/* Write val, expect no fault, read back want. */
static void wr_rb(uint32_t msr, uint64_t val, uint64_t want, const char *name)
{
    uint64_t v;
    wr_chk(msr, val, CONF_NONE, "%s.write", name);
    rd_try(msr, &v);
    conf_eq(v, want, "%s.readback", name);
}

/* ---- what CPUID says ---- */

static bool cpu_tsc, cpu_msr, cpu_apic, cpu_sep, cpu_mtrr, cpu_pat, cpu_mca, cpu_tsc_deadline, cpu_x2apic;
static bool cpu_syscall, cpu_nx, cpu_lm, cpu_rdtscp, cpu_rdpid, cpu_tsc_adjust, cpu_fsgsbase;
static bool cpu_ibrs, cpu_stibp, cpu_ssbd, cpu_l1d_flush, cpu_arch_cap, cpu_cet, cpu_vmx, cpu_smx;
static unsigned maxphys;

static void features(void)
{
    struct sdk_cpuid l1 = sdk_cpuid(1, 0);
    cpu_tsc = l1.edx >> 4 & 1;
    cpu_msr = l1.edx >> 5 & 1;
    cpu_apic = l1.edx >> 9 & 1;
    cpu_sep = l1.edx >> 11 & 1;
    cpu_mtrr = l1.edx >> 12 & 1;
    cpu_mca = l1.edx >> 14 & 1;
    cpu_pat = l1.edx >> 16 & 1;
    cpu_vmx = l1.ecx >> 5 & 1;
    cpu_smx = l1.ecx >> 6 & 1;
    cpu_x2apic = l1.ecx >> 21 & 1;
    cpu_tsc_deadline = l1.ecx >> 24 & 1;
    if (sdk_cpuid(0, 0).eax >= 7) {
        struct sdk_cpuid l7 = sdk_cpuid(7, 0);
        cpu_fsgsbase = l7.ebx & 1;
        cpu_tsc_adjust = l7.ebx >> 1 & 1;
        cpu_rdpid = l7.ecx >> 22 & 1;
        cpu_cet = (l7.ecx >> 7 & 1) || (l7.edx >> 20 & 1);
        cpu_ibrs = l7.edx >> 26 & 1;
        cpu_stibp = l7.edx >> 27 & 1;
        cpu_l1d_flush = l7.edx >> 28 & 1;
        cpu_arch_cap = l7.edx >> 29 & 1;
        cpu_ssbd = l7.edx >> 31 & 1;
    }
    uint32_t ext = sdk_cpuid(0x80000000, 0).eax;
    if (ext >= 0x80000001) {
        struct sdk_cpuid e1 = sdk_cpuid(0x80000001, 0);
        cpu_syscall = e1.edx >> 11 & 1;
        cpu_nx = e1.edx >> 20 & 1;
        cpu_rdtscp = e1.edx >> 27 & 1;
        cpu_lm = e1.edx >> 29 & 1;
    }
    maxphys = ext >= 0x80000008 ? sdk_cpuid(0x80000008, 0).eax & 0xFF : 36;
    conf_true(cpu_msr, "cpuid.msr_supported");
    conf_true(cpu_lm, "cpuid.long_mode_supported");
}

/* ---- which MSRs exist ---- */

struct presence {
    uint32_t msr;
    const char *name;
    bool *cond;     /* exists iff *cond (0: always) */
};

static bool yes = true;

static void presence(void)
{
    /* SDM Vol. 4, Table 2-2: the architectural MSRs and the CPUID bits
     * that say they exist. IA32_MISC_ENABLE, IA32_DEBUGCTL (both since
     * family 6) and IA32_MCG_CAP/STATUS (CPUID.01H:EDX.MCA) do not exist
     * in Bochs 2.7 (msr.cc): those checks fail natively. */
    static const struct presence list[] = {
        { MSR_TSC, "tsc", &cpu_tsc },
        { MSR_APIC_BASE, "apic_base", &yes },
        { MSR_TSC_ADJUST, "tsc_adjust", &cpu_tsc_adjust },
        { MSR_SYSENTER_CS, "sysenter_cs", &cpu_sep },
        { MSR_SYSENTER_ESP, "sysenter_esp", &cpu_sep },
        { MSR_SYSENTER_EIP, "sysenter_eip", &cpu_sep },
        { MSR_MTRRCAP, "mtrrcap", &cpu_mtrr },
        { MSR_MTRR_DEF_TYPE, "mtrr_def_type", &cpu_mtrr },
        { MSR_MTRR_PHYSBASE0, "mtrr_physbase0", &cpu_mtrr },
        { MSR_MTRR_PHYSBASE0 + 1, "mtrr_physmask0", &cpu_mtrr },
        { MSR_PAT, "pat", &cpu_pat },
        { MSR_MCG_CAP, "mcg_cap", &cpu_mca },
        { MSR_MCG_STATUS, "mcg_status", &cpu_mca },
        { MSR_MISC_ENABLE, "misc_enable", &yes },
        { MSR_DEBUGCTL, "debugctl", &yes },
        { MSR_TSC_DEADLINE, "tsc_deadline", &cpu_tsc_deadline },
        { MSR_EFER, "efer", &cpu_lm },
        { MSR_STAR, "star", &cpu_syscall },
        { MSR_LSTAR, "lstar", &cpu_lm },
        { MSR_CSTAR, "cstar", &cpu_lm },
        { MSR_FMASK, "fmask", &cpu_lm },
        { MSR_FS_BASE, "fs_base", &cpu_lm },
        { MSR_GS_BASE, "gs_base", &cpu_lm },
        { MSR_KGS_BASE, "kernel_gs_base", &cpu_lm },
        { MSR_TSC_AUX, "tsc_aux", &cpu_rdtscp },
        { MSR_ARCH_CAP, "arch_capabilities", &cpu_arch_cap },
        { MSR_U_CET, "u_cet", &cpu_cet },
        { MSR_S_CET, "s_cet", &cpu_cet },
    };
    for (unsigned i = 0; i < sizeof(list) / sizeof(list[0]); i++) {
        bool exists = *list[i].cond;
        if (list[i].msr == MSR_TSC_AUX)
            exists = cpu_rdtscp || cpu_rdpid;
        rd_chk(list[i].msr, exists ? CONF_NONE : VEC_GP, 0, "exists.%s", list[i].name);
    }
    /* IA32_SPEC_CTRL with any of IBRS, STIBP, SSBD (CPUID.(7,0):EDX[26,27,31]). */
    rd_chk(MSR_SPEC_CTRL, (cpu_ibrs || cpu_stibp || cpu_ssbd) ? CONF_NONE : VEC_GP, 0, "exists.spec_ctrl");
}

/* ---- IA32_TSC, IA32_TSC_ADJUST (18.17) ---- */

static void tsc(void)
{
    if (!cpu_tsc) {
        conf_skip("no TSC", "tsc");
        return;
    }
    uint64_t a = rdmsr(MSR_TSC), b = rdmsr(MSR_TSC);
    conf_true(b > a, "tsc.monotonic_rdmsr");
    a = sdk_rdtsc();
    b = rdmsr(MSR_TSC);
    uint64_t c = sdk_rdtsc();
    conf_true(a <= b && b <= c, "tsc.rdmsr_between_rdtsc");
    /* A write sets the counter; it counts on from there. Forward only, so
     * nothing that waits on the TSC waits longer. */
    uint64_t adj0 = 0, adj1 = 0;
    if (cpu_tsc_adjust)
        adj0 = rdmsr(MSR_TSC_ADJUST);
    uint64_t t = sdk_rdtsc() + (1ull << 36);
    wr_chk(MSR_TSC, t, CONF_NONE, "tsc.write");
    b = rdmsr(MSR_TSC);
    c = sdk_rdtsc();
    conf_true(b >= t && b - t < (1ull << 24), "tsc.write_readback_counts_on");
    conf_true(c >= b, "tsc.rdtsc_after_write");
    if (cpu_tsc_adjust) {
        /* A write to IA32_TSC adds what it changed to IA32_TSC_ADJUST; a
         * write to IA32_TSC_ADJUST moves the TSC by its change (Vol. 4,
         * 3BH). */
        adj1 = rdmsr(MSR_TSC_ADJUST);
        uint64_t d = adj1 - adj0;
        conf_true(d <= (1ull << 36) && d > (1ull << 36) - (1ull << 24), "tsc_adjust.follows_tsc_write");
        a = sdk_rdtsc();
        wr_chk(MSR_TSC_ADJUST, adj1 + (1ull << 30), CONF_NONE, "tsc_adjust.write");
        b = sdk_rdtsc();
        conf_true(b - a >= (1ull << 30) && b - a < (1ull << 30) + (1ull << 24), "tsc_adjust.moves_tsc");
        conf_true(rdmsr(MSR_TSC_ADJUST) == adj1 + (1ull << 30), "tsc_adjust.readback");
    } else {
        conf_skip("no IA32_TSC_ADJUST", "tsc_adjust");
    }
}

/* ---- IA32_APIC_BASE (Vol. 3A, 12.4.4) ---- */

static uint64_t apic_base;

static void apic_base_msr(void)
{
    uint64_t v = apic_base = rdmsr(MSR_APIC_BASE);
    conf_eq(v >> 8 & 1, 1, "apic_base.bsp");
    conf_eq(v >> 11 & 1, 1, "apic_base.enabled");
    conf_eq(cpu_apic, 1, "apic_base.cpuid_apic_follows_enable");
    conf_eq(v & 0xFFFFF000ull, 0xFEE00000ull, "apic_base.default_address");
    conf_eq(v & 0x2FF, 0, "apic_base.reserved_low_clear");
    conf_eq(v >> maxphys, 0, "apic_base.beyond_maxphyaddr_clear");
    conf_eq(v >> 10 & 1, 0, "apic_base.xapic_mode");
    /* The same value again: accepted, nothing changes. */
    wr_rb(MSR_APIC_BASE, v, v, "apic_base.same_value");
    /* Reserved bits 7:0, 9, beyond MAXPHYADDR: #GP. */
    wr_chk(MSR_APIC_BASE, v | 1, VEC_GP, "apic_base.reserved_bit0");
    wr_chk(MSR_APIC_BASE, v | (1ull << 9), VEC_GP, "apic_base.reserved_bit9");
    wr_chk(MSR_APIC_BASE, v | (1ull << 63), VEC_GP, "apic_base.reserved_bit63");
    if (maxphys < 52)
        wr_chk(MSR_APIC_BASE, v | (1ull << maxphys), VEC_GP, "apic_base.beyond_maxphyaddr");
    /* x2APIC enable without global enable is the invalid state (12.12.5). */
    if (cpu_x2apic)
        wr_chk(MSR_APIC_BASE, (v & ~(1ull << 11)) | (1ull << 10), VEC_GP, "apic_base.x2apic_without_enable");
    conf_eq(rdmsr(MSR_APIC_BASE), v, "apic_base.unchanged");
}

/* ---- IA32_PAT (13.12.2) ---- */

static void pat(void)
{
    if (!cpu_pat) {
        conf_skip("no PAT", "pat");
        return;
    }
    uint64_t orig = rdmsr(MSR_PAT);
    conf_eq(orig, PAT_POWER_ON, "pat.power_on_value");
    static const uint64_t valid[] = {
        0x0606060606060606ull, 0x0000000000000000ull, 0x0007010405060700ull, 0x0706050401000706ull,
        PAT_POWER_ON,
    };
    for (unsigned i = 0; i < sizeof(valid) / sizeof(valid[0]); i++) {
        char name[40];
        fmt_snprintf(name, sizeof(name), "pat.valid%u", i);
        wr_rb(MSR_PAT, valid[i], valid[i], name);
    }
    /* Memory types 2, 3 and 8 and up are reserved in any entry: #GP. */
    static const uint8_t bad[] = { 2, 3, 8 };
    unsigned changed = 0;
    for (unsigned e = 0; e < 8; e++)
        for (unsigned k = 0; k < sizeof(bad); k++) {
            uint64_t val = (PAT_POWER_ON & ~(0xFFull << (8 * e))) | ((uint64_t)bad[k] << (8 * e));
            wr_chk(MSR_PAT, val, VEC_GP, "pat.entry%u_type%u", e, bad[k]);
            changed += rdmsr(MSR_PAT) != PAT_POWER_ON;
        }
    wr_chk(MSR_PAT, PAT_POWER_ON | (0x80ull << 56), VEC_GP, "pat.entry7_type0x86");
    wr_chk(MSR_PAT, PAT_POWER_ON | 0xF8, VEC_GP, "pat.entry0_type0xfe");
    conf_eq(changed, 0, "pat.refused_writes_leave_pat");
    wrmsr(MSR_PAT, orig);
    conf_eq(rdmsr(MSR_PAT), orig, "pat.restored");
}

/* ---- IA32_SYSENTER_CS/ESP/EIP ---- */

static void sysenter_msrs(void)
{
    if (!cpu_sep) {
        conf_skip("no SYSENTER", "sysenter_msrs");
        return;
    }
    uint64_t cs = rdmsr(MSR_SYSENTER_CS), esp = rdmsr(MSR_SYSENTER_ESP), eip = rdmsr(MSR_SYSENTER_EIP);
    wr_rb(MSR_SYSENTER_CS, 0x1234, 0x1234, "sysenter_cs");
    wr_rb(MSR_SYSENTER_ESP, 0x0000123456789ABCull, 0x0000123456789ABCull, "sysenter_esp");
    wr_rb(MSR_SYSENTER_EIP, 0xFFFF8000DEADBEE0ull, 0xFFFF8000DEADBEE0ull, "sysenter_eip");
    /* Non-canonical addresses: #GP (WRMSR, Vol. 2B). */
    wr_chk(MSR_SYSENTER_ESP, NONCANON_47, VEC_GP, "sysenter_esp.noncanonical");
    wr_chk(MSR_SYSENTER_EIP, NONCANON_63, VEC_GP, "sysenter_eip.noncanonical");
    conf_eq(rdmsr(MSR_SYSENTER_EIP), 0xFFFF8000DEADBEE0ull, "sysenter_eip.unchanged_by_refused");
    wrmsr(MSR_SYSENTER_CS, cs);
    wrmsr(MSR_SYSENTER_ESP, esp);
    wrmsr(MSR_SYSENTER_EIP, eip);
}

/* ---- IA32_EFER (Vol. 3A, 2.2.1) ---- */

static void efer(void)
{
    uint64_t e = rdmsr(MSR_EFER);
    conf_eq(e & (EFER_LME | EFER_LMA), EFER_LME | EFER_LMA, "efer.long_mode_active");
    wr_chk(MSR_EFER, e | EFER_SCE, cpu_syscall ? CONF_NONE : VEC_GP, "efer.set_sce");
    conf_eq(rdmsr(MSR_EFER) & EFER_SCE, cpu_syscall ? EFER_SCE : 0, "efer.set_sce.readback");
    wr_chk(MSR_EFER, e & ~EFER_SCE, CONF_NONE, "efer.clear_sce");
    conf_eq(rdmsr(MSR_EFER) & EFER_SCE, 0, "efer.clear_sce.readback");
    wr_chk(MSR_EFER, e | EFER_NXE, cpu_nx ? CONF_NONE : VEC_GP, "efer.set_nxe");
    conf_eq(rdmsr(MSR_EFER) & EFER_NXE, cpu_nx ? EFER_NXE : 0, "efer.set_nxe.readback");
    wr_chk(MSR_EFER, e & ~EFER_NXE, CONF_NONE, "efer.clear_nxe");
    conf_eq(rdmsr(MSR_EFER) & EFER_NXE, 0, "efer.clear_nxe.readback");
    /* LMA is read-only: a write of 0 there is ignored (Vol. 4, C0000080H). */
    wr_chk(MSR_EFER, e & ~EFER_LMA, CONF_NONE, "efer.write_lma_clear");
    conf_eq(rdmsr(MSR_EFER) & EFER_LMA, EFER_LMA, "efer.lma_still_set");
    /* Changing LME while paging is on: #GP (Vol. 3A, 10.8.5). */
    wr_chk(MSR_EFER, e & ~EFER_LME, VEC_GP, "efer.clear_lme_paging");
    /* Reserved bits (Intel: all but 0, 8, 10, 11): #GP. */
    static const unsigned bits[] = { 1, 2, 3, 4, 5, 6, 7, 9, 12, 13, 14, 15, 16, 17, 20, 31, 32, 63 };
    for (unsigned i = 0; i < sizeof(bits) / sizeof(bits[0]); i++)
        wr_chk(MSR_EFER, e | (1ull << bits[i]), VEC_GP, "efer.reserved_bit%u", bits[i]);
    wrmsr(MSR_EFER, e);
    conf_eq(rdmsr(MSR_EFER), e, "efer.restored");
}

/* ---- STAR, LSTAR, CSTAR, FMASK ---- */

static void syscall_msrs(void)
{
    if (!cpu_syscall) {
        conf_skip("no SYSCALL", "syscall_msrs");
        return;
    }
    uint64_t star = rdmsr(MSR_STAR), lstar = rdmsr(MSR_LSTAR), cstar = rdmsr(MSR_CSTAR),
             fmask = rdmsr(MSR_FMASK);
    wr_rb(MSR_STAR, 0x0023001012345678ull, 0x0023001012345678ull, "star");
    wr_rb(MSR_STAR, 0xFFFFFFFFFFFFFFFFull, 0xFFFFFFFFFFFFFFFFull, "star.all_ones");
    wr_rb(MSR_LSTAR, 0xFFFF800012345670ull, 0xFFFF800012345670ull, "lstar");
    wr_rb(MSR_LSTAR, 0x00007FFFFFFFF000ull, 0x00007FFFFFFFF000ull, "lstar.top_of_lower_half");
    wr_chk(MSR_LSTAR, NONCANON_47, VEC_GP, "lstar.noncanonical_47");
    wr_chk(MSR_LSTAR, NONCANON_63, VEC_GP, "lstar.noncanonical_63");
    conf_eq(rdmsr(MSR_LSTAR), 0x00007FFFFFFFF000ull, "lstar.unchanged_by_refused");
    wr_rb(MSR_CSTAR, 0xFFFF800076543210ull, 0xFFFF800076543210ull, "cstar");
    wr_chk(MSR_CSTAR, NONCANON_47, VEC_GP, "cstar.noncanonical");
    wr_rb(MSR_FMASK, 0x00047700ull, 0x00047700ull, "fmask");
    wr_rb(MSR_FMASK, 0xFFFFFFFFull, 0xFFFFFFFFull, "fmask.low_32_bits");
    wrmsr(MSR_STAR, star);
    wrmsr(MSR_LSTAR, lstar);
    wrmsr(MSR_CSTAR, cstar);
    wrmsr(MSR_FMASK, fmask);
}

/* ---- FS_BASE, GS_BASE, KERNEL_GS_BASE: the bases of the segments ---- */

static uint64_t seg_area[2][4];

static uint64_t fs_load(unsigned off)
{
    uint64_t v;
    __asm__ volatile("mov %%fs:(%1), %0" : "=r"(v) : "r"((uint64_t)off) : "memory");
    return v;
}

static uint64_t gs_load(unsigned off)
{
    uint64_t v;
    __asm__ volatile("mov %%gs:(%1), %0" : "=r"(v) : "r"((uint64_t)off) : "memory");
    return v;
}

static void segment_bases(void)
{
    uint64_t fs = rdmsr(MSR_FS_BASE), gs = rdmsr(MSR_GS_BASE), kgs = rdmsr(MSR_KGS_BASE);
    conf_eq(fs, 0, "fs_base.zero_at_start");
    conf_eq(gs, 0, "gs_base.zero_at_start");
    seg_area[0][0] = 0x1111222233334444ull;
    seg_area[0][1] = 0x5555666677778888ull;
    seg_area[1][0] = 0x99990000AAAA0000ull;
    seg_area[1][1] = 0xBBBB0000CCCC0000ull;
    uint64_t a0 = (uintptr_t)seg_area[0], a1 = (uintptr_t)seg_area[1];

    wr_rb(MSR_FS_BASE, a0, a0, "fs_base");
    conf_eq(fs_load(0), seg_area[0][0], "fs_base.fs_relative_load0");
    conf_eq(fs_load(8), seg_area[0][1], "fs_base.fs_relative_load8");
    wr_rb(MSR_GS_BASE, a1, a1, "gs_base");
    conf_eq(gs_load(0), seg_area[1][0], "gs_base.gs_relative_load0");
    conf_eq(gs_load(8), seg_area[1][1], "gs_base.gs_relative_load8");
    /* SWAPGS exchanges GS_BASE and KERNEL_GS_BASE (Vol. 2B, SWAPGS). */
    wr_rb(MSR_KGS_BASE, a0, a0, "kernel_gs_base");
    __asm__ volatile("swapgs" ::: "memory");
    conf_eq(rdmsr(MSR_GS_BASE), a0, "swapgs.gs_base_from_kernel_gs_base");
    conf_eq(rdmsr(MSR_KGS_BASE), a1, "swapgs.kernel_gs_base_from_gs_base");
    conf_eq(gs_load(0), seg_area[0][0], "swapgs.gs_relative_load");
    __asm__ volatile("swapgs" ::: "memory");
    conf_eq(rdmsr(MSR_GS_BASE), a1, "swapgs.twice_restores");
    /* SWAPGS at CPL 3: #GP(0) (Vol. 2B, SWAPGS). */
    conf_fault_user(f_swapgs_user, 0, VEC_GP, 0, 1, "swapgs.cpl3");
    /* Non-canonical bases: #GP (WRMSR). */
    wr_chk(MSR_FS_BASE, NONCANON_47, VEC_GP, "fs_base.noncanonical_47");
    wr_chk(MSR_FS_BASE, NONCANON_63, VEC_GP, "fs_base.noncanonical_63");
    wr_chk(MSR_GS_BASE, NONCANON_47, VEC_GP, "gs_base.noncanonical_47");
    wr_chk(MSR_KGS_BASE, NONCANON_47, VEC_GP, "kernel_gs_base.noncanonical_47");
    wr_chk(MSR_KGS_BASE, 0xFFFF7FFFFFFFFFFFull, VEC_GP, "kernel_gs_base.noncanonical_high");
    conf_eq(rdmsr(MSR_FS_BASE), a0, "fs_base.unchanged_by_refused");
    /* RDFSBASE reads the same base (CR4.FSGSBASE, CPUID.(7,0):EBX[0]). */
    if (cpu_fsgsbase) {
        uint64_t cr4 = read_cr4(), v;
        conf_fault(f_rdfsbase, 0, VEC_UD, 0, 1, "rdfsbase.cr4_fsgsbase_clear");
        write_cr4(cr4 | CR4_FSGSBASE);
        __asm__ volatile("rdfsbase %0" : "=r"(v));
        conf_eq(v, a0, "rdfsbase.equals_msr");
        __asm__ volatile("wrgsbase %0" : : "r"(a0) : "memory");
        conf_eq(rdmsr(MSR_GS_BASE), a0, "wrgsbase.seen_by_rdmsr");
        write_cr4(cr4);
    } else {
        conf_skip("no FSGSBASE", "rdfsbase");
    }
    wrmsr(MSR_FS_BASE, fs);
    wrmsr(MSR_GS_BASE, gs);
    wrmsr(MSR_KGS_BASE, kgs);
    conf_eq(fs_load(0) == seg_area[0][0], 0, "fs_base.restored");
}

/* ---- IA32_TSC_AUX, RDTSCP, RDPID ---- */

static void tsc_aux(void)
{
    if (!cpu_rdtscp && !cpu_rdpid) {
        conf_skip("no RDTSCP or RDPID", "tsc_aux");
        return;
    }
    uint64_t orig = rdmsr(MSR_TSC_AUX);
    wr_rb(MSR_TSC_AUX, 0x12345678, 0x12345678, "tsc_aux");
    if (cpu_rdtscp) {
        conf_fault(f_rdtscp, 0, CONF_NONE, 0, -1, "rdtscp");
        conf_eq(msr_rd_lo, 0x12345678, "rdtscp.ecx_is_tsc_aux");
        conf_fault_user(f_rdtscp, 0, CONF_NONE, 0, -1, "rdtscp.cpl3");
        conf_eq(msr_rd_lo, 0x12345678, "rdtscp.cpl3.ecx_is_tsc_aux");
    }
    if (cpu_rdpid) {
        conf_fault(f_rdpid, 0, CONF_NONE, 0, -1, "rdpid");
        conf_eq(msr_rd_lo, 0x12345678, "rdpid.is_tsc_aux");
    } else {
        conf_skip("no RDPID", "rdpid");
    }
    /* Bits 63:32 are reserved (Vol. 4, C0000103H): #GP. Bochs 2.7 keeps
     * the low half and does not fault (msr.cc): fails natively. */
    wr_chk(MSR_TSC_AUX, 1ull << 32, VEC_GP, "tsc_aux.reserved_bit32");
    wrmsr(MSR_TSC_AUX, orig);
}

/* ---- IA32_DEBUGCTL ---- */

static void debugctl(void)
{
    uint64_t orig;
    if (rd_try(MSR_DEBUGCTL, &orig) != CONF_NONE) {
        conf_skip("IA32_DEBUGCTL does not exist here", "debugctl");
        return;
    }
    conf_eq(orig, 0, "debugctl.zero_at_start");
    wr_rb(MSR_DEBUGCTL, 2, 2, "debugctl.btf");
    wr_rb(MSR_DEBUGCTL, 1, 1, "debugctl.lbr");
    wr_chk(MSR_DEBUGCTL, 1ull << 63, VEC_GP, "debugctl.reserved_bit63");
    wr_chk(MSR_DEBUGCTL, 1ull << 2, VEC_GP, "debugctl.reserved_bit2");
    wrmsr(MSR_DEBUGCTL, orig);
}

/* ---- MTRRs (13.11) ---- */

static void mtrr(void)
{
    if (!cpu_mtrr) {
        conf_skip("no MTRRs", "mtrr");
        return;
    }
    uint64_t cap = rdmsr(MSR_MTRRCAP);
    unsigned vcnt = cap & 0xFF;
    bool fix = cap >> 8 & 1;
    conf_true(vcnt >= 1, "mtrrcap.variable_ranges");
    /* IA32_MTRRCAP is read-only: #GP (Vol. 4, FEH). */
    wr_chk(MSR_MTRRCAP, cap, VEC_GP, "mtrrcap.write");
    conf_eq(rdmsr(MSR_MTRRCAP), cap, "mtrrcap.unchanged");

    uint64_t def = rdmsr(MSR_MTRR_DEF_TYPE);
    wr_rb(MSR_MTRR_DEF_TYPE, def, def, "mtrr_def_type.same");
    wr_rb(MSR_MTRR_DEF_TYPE, (def & ~0xFFull) | 6, (def & ~0xFFull) | 6, "mtrr_def_type.wb");
    static const unsigned def_bad_bits[] = { 8, 9, 12, 31, 32, 63 };
    for (unsigned i = 0; i < sizeof(def_bad_bits) / sizeof(def_bad_bits[0]); i++)
        wr_chk(MSR_MTRR_DEF_TYPE, def | (1ull << def_bad_bits[i]), VEC_GP, "mtrr_def_type.reserved_bit%u",
               def_bad_bits[i]);
    static const unsigned bad_types[] = { 2, 3, 7, 8 };
    for (unsigned i = 0; i < sizeof(bad_types) / sizeof(bad_types[0]); i++)
        wr_chk(MSR_MTRR_DEF_TYPE, (def & ~0xFFull) | bad_types[i], VEC_GP, "mtrr_def_type.type%u",
               bad_types[i]);
    wrmsr(MSR_MTRR_DEF_TYPE, def);
    conf_eq(rdmsr(MSR_MTRR_DEF_TYPE), def, "mtrr_def_type.restored");

    /* A variable range not in use (mask V clear), from the top. */
    int pair = -1;
    for (int i = (int)vcnt - 1; i >= 0; i--)
        if (!(rdmsr(MSR_MTRR_PHYSBASE0 + 2 * i + 1) >> 11 & 1)) {
            pair = i;
            break;
        }
    if (pair < 0) {
        conf_skip("every variable range in use", "mtrr_var");
    } else {
        uint32_t b = MSR_MTRR_PHYSBASE0 + 2 * pair, m = b + 1;
        uint64_t ob = rdmsr(b), om = rdmsr(m);
        uint64_t phys_mask = ((1ull << maxphys) - 1) & ~0xFFFull;
        wr_rb(b, 0x12340006ull, 0x12340006ull, "mtrr_var.physbase");
        wr_rb(m, phys_mask, phys_mask, "mtrr_var.physmask_v_clear");
        wr_chk(b, 0x12340006ull | (1ull << 8), VEC_GP, "mtrr_var.physbase_reserved_bit8");
        wr_chk(b, 0x12340006ull | (1ull << 11), VEC_GP, "mtrr_var.physbase_reserved_bit11");
        wr_chk(b, 0x12340002ull, VEC_GP, "mtrr_var.physbase_type2");
        wr_chk(b, 0x12340007ull, VEC_GP, "mtrr_var.physbase_type7");
        if (maxphys < 52) {
            wr_chk(b, 0x12340006ull | (1ull << maxphys), VEC_GP, "mtrr_var.physbase_beyond_maxphyaddr");
            wr_chk(m, phys_mask | (1ull << maxphys), VEC_GP, "mtrr_var.physmask_beyond_maxphyaddr");
        }
        wr_chk(m, phys_mask | 1, VEC_GP, "mtrr_var.physmask_reserved_bit0");
        wr_chk(m, phys_mask | (1ull << 10), VEC_GP, "mtrr_var.physmask_reserved_bit10");
        conf_eq(rdmsr(b), 0x12340006ull, "mtrr_var.physbase_unchanged_by_refused");
        wrmsr(m, om);
        wrmsr(b, ob);
        conf_true(rdmsr(b) == ob && rdmsr(m) == om, "mtrr_var.restored");
    }
    if (fix) {
        static const uint32_t fixed[] = { MSR_MTRR_FIX64K, MSR_MTRR_FIX16K_80, MSR_MTRR_FIX16K_80 + 1,
                                          MSR_MTRR_FIX4K_C0, MSR_MTRR_FIX4K_C0 + 7 };
        for (unsigned i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
            uint64_t o;
            rd_chk(fixed[i], CONF_NONE, &o, "mtrr_fixed.%#x.read", fixed[i]);
            char name[40];
            fmt_snprintf(name, sizeof(name), "mtrr_fixed.%#x.same", fixed[i]);
            wr_rb(fixed[i], o, o, name);
            wr_chk(fixed[i], (o & ~0xFF00ull) | 0x0200, VEC_GP, "mtrr_fixed.%#x.type2", fixed[i]);
            conf_eq(rdmsr(fixed[i]), o, "mtrr_fixed.%#x.unchanged", fixed[i]);
        }
    } else {
        conf_skip("no fixed-range MTRRs", "mtrr_fixed");
    }
}

/* ---- machine check ---- */

static void mca(void)
{
    /* IA32_MCG_CAP is read-only: #GP (Vol. 4, 179H). */
    wr_chk(MSR_MCG_CAP, 0, VEC_GP, "mcg_cap.write");
    uint64_t cap;
    if (!cpu_mca || rd_try(MSR_MCG_CAP, &cap) != CONF_NONE) {
        conf_skip("no machine-check architecture here", "mcg");
        return;
    }
    unsigned banks = cap & 0xFF;
    conf_true(banks >= 1, "mcg_cap.banks");
    rd_chk(0x400, CONF_NONE, 0, "mc0_ctl.read");
    rd_chk(0x401, CONF_NONE, 0, "mc0_status.read");
}

/* ---- IA32_TSC_DEADLINE (12.5.4.1) ---- */

#define APIC_LVT_TIMER 0x320

static void tsc_deadline(void)
{
    if (!cpu_tsc_deadline) {
        conf_skip("no TSC-deadline timer", "tsc_deadline");
        return;
    }
    sdk_lapic_base = (uint32_t)(apic_base & 0xFFFFF000u);
    sdk_apic_enable();
    uint32_t lvt = sdk_apic_read(APIC_LVT_TIMER);
    uint64_t far = sdk_rdtsc() + (1ull << 44);
    /* Outside TSC-deadline mode, writes are ignored and reads are 0. */
    sdk_apic_write(APIC_LVT_TIMER, 0x100EF);           /* masked, one-shot */
    wr_chk(MSR_TSC_DEADLINE, far, CONF_NONE, "tsc_deadline.write_one_shot_mode");
    conf_true(rdmsr(MSR_TSC_DEADLINE) == 0, "tsc_deadline.reads_zero_one_shot_mode");
    sdk_apic_write(APIC_LVT_TIMER, 0x500EF);           /* masked, TSC-deadline */
    conf_eq(sdk_apic_read(APIC_LVT_TIMER) & 0x70000, 0x50000, "tsc_deadline.lvt_mode_set");
    wr_chk(MSR_TSC_DEADLINE, far, CONF_NONE, "tsc_deadline.write");
    conf_true(rdmsr(MSR_TSC_DEADLINE) == far, "tsc_deadline.readback");
    wrmsr(MSR_TSC_DEADLINE, 0);                        /* disarm */
    conf_true(rdmsr(MSR_TSC_DEADLINE) == 0, "tsc_deadline.disarmed");
    sdk_apic_write(APIC_LVT_TIMER, lvt);
}

/* ---- x2APIC MSRs in xAPIC mode (12.12.1.2: #GP) ---- */

static void x2apic_msrs(void)
{
    if (rdmsr(MSR_APIC_BASE) >> 10 & 1) {
        conf_skip("the APIC is in x2APIC mode", "x2apic_msrs");
        return;
    }
    static const uint32_t list[] = { 0x800, 0x802, 0x803, 0x808, 0x80B, 0x80F, 0x828,
                                     0x830, 0x832, 0x838, 0x83E, 0x83F, 0x8FF };
    for (unsigned i = 0; i < sizeof(list) / sizeof(list[0]); i++) {
        rd_chk(list[i], VEC_GP, 0, "x2apic_msr.%#x.rdmsr_xapic_mode", list[i]);
        wr_chk(list[i], 0, VEC_GP, "x2apic_msr.%#x.wrmsr_xapic_mode", list[i]);
    }
}

/* ---- MSRs this CPU model does not have ---- */

static void nonexistent(void)
{
    static const uint32_t list[] = { 0x4FFFFFFF, 0x12345678, 0x00002000, 0x00003FFF, 0x40000000,
                                     0x40000001, 0xBFFFFFFF, 0xC0000000, 0xC0001FFF, 0xC0002000,
                                     0xC0010000, 0xC0011000, 0xFFFFFFFF, 0x00001FFF };
    for (unsigned i = 0; i < sizeof(list) / sizeof(list[0]); i++) {
        rd_chk(list[i], VEC_GP, 0, "nonexistent.%#x.rdmsr", list[i]);
        conf_eq(sdk_fault.rip, (uintptr_t)f_rdmsr_insn, "nonexistent.%#x.rdmsr.rip", list[i]);
        wr_chk(list[i], 0, VEC_GP, "nonexistent.%#x.wrmsr", list[i]);
        conf_eq(sdk_fault.rip, (uintptr_t)f_wrmsr_insn, "nonexistent.%#x.wrmsr.rip", list[i]);
    }
}

/* ---- CPL 3: RDMSR and WRMSR are #GP(0) (Vol. 2B) ---- */

static void cpl3(void)
{
    static struct msr_arg star_arg, apic_arg, bad_arg;
    conf_fault_user(f_rdmsr, (void *)(uintptr_t)MSR_TSC, VEC_GP, 0, 1, "cpl3.rdmsr_tsc");
    conf_eq(sdk_fault.rip, (uintptr_t)f_rdmsr_insn, "cpl3.rdmsr_tsc.rip");
    conf_eq(sdk_fault.cs, SDK_SEL_UCODE64, "cpl3.rdmsr_tsc.cs");
    conf_fault_user(f_rdmsr, (void *)(uintptr_t)MSR_FEATURE_CONTROL, VEC_GP, 0, 1,
                    "cpl3.rdmsr_feature_control");
    conf_fault_user(f_rdmsr, (void *)(uintptr_t)MSR_APIC_BASE, VEC_GP, 0, 1, "cpl3.rdmsr_apic_base");
    conf_fault_user(f_rdmsr, (void *)(uintptr_t)0x4FFFFFFF, VEC_GP, 0, 1, "cpl3.rdmsr_nonexistent");
    conf_fault_user(f_rdmsr, (void *)(uintptr_t)MSR_VMX_BASIC, VEC_GP, 0, 1, "cpl3.rdmsr_vmx_basic");
    conf_fault_user(f_rdmsr, (void *)(uintptr_t)MSR_FS_BASE, VEC_GP, 0, 1, "cpl3.rdmsr_fs_base");
    /* The values are the MSRs' own, so a write that went through would
     * change nothing. */
    star_arg = (struct msr_arg){ MSR_STAR, 0, rdmsr(MSR_STAR) };
    conf_fault_user(f_wrmsr, &star_arg, VEC_GP, 0, 1, "cpl3.wrmsr_star");
    apic_arg = (struct msr_arg){ MSR_APIC_BASE, 0, rdmsr(MSR_APIC_BASE) };
    conf_fault_user(f_wrmsr, &apic_arg, VEC_GP, 0, 1, "cpl3.wrmsr_apic_base");
    bad_arg = (struct msr_arg){ 0x4FFFFFFF, 0, 0 };
    conf_fault_user(f_wrmsr, &bad_arg, VEC_GP, 0, 1, "cpl3.wrmsr_nonexistent");
}

/* ---- speculation-control MSRs (Vol. 4, 48H, 49H, 10AH, 10BH) ---- */

static void spec_ctrl(void)
{
    if (cpu_ibrs || cpu_stibp || cpu_ssbd) {
        uint64_t o = rdmsr(MSR_SPEC_CTRL);
        wr_rb(MSR_SPEC_CTRL, 0, 0, "spec_ctrl.zero");
        wr_chk(MSR_SPEC_CTRL, 1ull << 63, VEC_GP, "spec_ctrl.reserved_bit63");
        wrmsr(MSR_SPEC_CTRL, o);
    } else {
        wr_chk(MSR_SPEC_CTRL, 0, VEC_GP, "spec_ctrl.absent");
    }
    /* IA32_PRED_CMD and IA32_FLUSH_CMD are write-only: RDMSR #GP. */
    if (cpu_ibrs) {
        wr_chk(MSR_PRED_CMD, 1, CONF_NONE, "pred_cmd.ibpb");
        wr_chk(MSR_PRED_CMD, 1ull << 63, VEC_GP, "pred_cmd.reserved_bit63");
        rd_chk(MSR_PRED_CMD, VEC_GP, 0, "pred_cmd.rdmsr_write_only");
    } else {
        wr_chk(MSR_PRED_CMD, 1, VEC_GP, "pred_cmd.absent");
    }
    if (cpu_l1d_flush) {
        wr_chk(MSR_FLUSH_CMD, 1, CONF_NONE, "flush_cmd.l1d_flush");
        rd_chk(MSR_FLUSH_CMD, VEC_GP, 0, "flush_cmd.rdmsr_write_only");
    } else {
        wr_chk(MSR_FLUSH_CMD, 1, VEC_GP, "flush_cmd.absent");
    }
    /* IA32_ARCH_CAPABILITIES is read-only. */
    if (cpu_arch_cap)
        wr_chk(MSR_ARCH_CAP, 0, VEC_GP, "arch_capabilities.write");
}

/* ---- CET MSRs (Vol. 4, 6A0H-6A8H) ---- */

static void cet(void)
{
    if (!cpu_cet) {
        conf_skip("no CET", "cet");
        return;
    }
    uint64_t ssp0 = rdmsr(MSR_PL0_SSP), isst = rdmsr(MSR_ISST);
    wr_rb(MSR_PL0_SSP, 0xFFFF800000001000ull, 0xFFFF800000001000ull, "pl0_ssp");
    wr_chk(MSR_PL0_SSP, NONCANON_47, VEC_GP, "pl0_ssp.noncanonical");
    wr_chk(MSR_PL0_SSP, 0xFFFF800000001001ull, VEC_GP, "pl0_ssp.misaligned");
    wr_rb(MSR_ISST, 0x0000000000002000ull, 0x0000000000002000ull, "interrupt_ssp_table");
    wr_chk(MSR_ISST, NONCANON_63, VEC_GP, "interrupt_ssp_table.noncanonical");
    wrmsr(MSR_PL0_SSP, ssp0);
    wrmsr(MSR_ISST, isst);
    wr_rb(MSR_U_CET, 0, 0, "u_cet.zero");
    wr_rb(MSR_S_CET, 0, 0, "s_cet.zero");
}

/* ---- MSR values across instructions a hypervisor intercepts ---- */

struct kept {
    uint32_t msr;
    const char *name;
    uint64_t value;
    bool *cond;
};

static uint8_t scratch_seen;

static void act_cpuid(void)
{
    (void)sdk_cpuid(0, 0);
    (void)sdk_cpuid(1, 0);
}

static void act_out(void)
{
    outb(0x3FF, 0xA5);
    scratch_seen = inb(0x3FF);
}

static void act_rdmsr(void)
{
    uint64_t v;
    rd_try(MSR_FEATURE_CONTROL, &v);
    rd_try(MSR_APIC_BASE, &v);
    rd_try(0x4FFFFFFF, &v);
}

static void act_cr4(void)
{
    uint64_t cr4 = read_cr4();
    if (cpuid_bit(1, 0, ECX, 26)) {
        write_cr4(cr4 | CR4_OSXSAVE);
        write_cr4(cr4);
    }
}

static void act_wrmsr(void)
{
    wr_try(MSR_APIC_BASE, rdmsr(MSR_APIC_BASE));
}

static void survive_exits(void)
{
    uint64_t fs_area = (uintptr_t)seg_area[0], gs_area = (uintptr_t)seg_area[1];
    seg_area[0][2] = 0x0F0F0F0F0F0F0F0Full;
    seg_area[1][2] = 0xF0F0F0F0F0F0F0F0ull;
    uint64_t efer_v = rdmsr(MSR_EFER) | (cpu_syscall ? EFER_SCE : 0) | (cpu_nx ? EFER_NXE : 0);
    struct kept list[] = {
        { MSR_SYSENTER_CS, "sysenter_cs", 0x0058, &cpu_sep },
        { MSR_SYSENTER_ESP, "sysenter_esp", 0xFFFF800000123450ull, &cpu_sep },
        { MSR_SYSENTER_EIP, "sysenter_eip", 0x00007FFF00ABCDE0ull, &cpu_sep },
        { MSR_PAT, "pat", 0x0007010600070106ull, &cpu_pat },
        { MSR_EFER, "efer", efer_v, &yes },
        { MSR_STAR, "star", 0x0020005800000000ull, &cpu_syscall },
        { MSR_LSTAR, "lstar", 0xFFFF8000FEDC0000ull, &cpu_syscall },
        { MSR_CSTAR, "cstar", 0xFFFF8000FEDC1000ull, &cpu_syscall },
        { MSR_FMASK, "fmask", 0x00040401ull, &cpu_syscall },
        { MSR_FS_BASE, "fs_base", fs_area, &yes },
        { MSR_GS_BASE, "gs_base", gs_area, &yes },
        { MSR_KGS_BASE, "kernel_gs_base", 0xFFFF8000CAFE0000ull, &yes },
        { MSR_TSC_AUX, "tsc_aux", 0x00ABCDEF, &cpu_rdtscp },
    };
    const unsigned n = sizeof(list) / sizeof(list[0]);
    uint64_t saved[sizeof(list) / sizeof(list[0])];
    static const struct {
        const char *name;
        void (*fn)(void);
    } acts[] = {
        { "cpuid", act_cpuid },
        { "out_serial_scratch", act_out },
        { "rdmsr_intercepted", act_rdmsr },
        { "wrmsr_apic_base", act_wrmsr },
        { "mov_cr4_osxsave", act_cr4 },
    };
    for (unsigned i = 0; i < n; i++)
        if (*list[i].cond)
            saved[i] = rdmsr(list[i].msr);
    for (unsigned a = 0; a < sizeof(acts) / sizeof(acts[0]); a++) {
        for (unsigned i = 0; i < n; i++)
            if (*list[i].cond)
                wrmsr(list[i].msr, list[i].value);
        acts[a].fn();
        uint64_t fs0 = fs_load(16), gs0 = gs_load(16);
        for (unsigned i = 0; i < n; i++)
            if (*list[i].cond)
                conf_eq(rdmsr(list[i].msr), list[i].value, "exit.%s.%s", acts[a].name, list[i].name);
        conf_eq(fs0, seg_area[0][2], "exit.%s.fs_relative_load", acts[a].name);
        conf_eq(gs0, seg_area[1][2], "exit.%s.gs_relative_load", acts[a].name);
        for (unsigned i = 0; i < n; i++)
            if (*list[i].cond)
                wrmsr(list[i].msr, saved[i]);
    }
    conf_eq(scratch_seen, 0xA5, "exit.out_serial_scratch.reads_back");
}

/* ---- SYSCALL / SYSRET (Vol. 3A, 5.8.8; Vol. 2B) ---- */

uint64_t sc_rcx, sc_r11, sc_rflags, sc_cs, sc_ss, sc_count, sc_user_rflags;
uint64_t se_rsp, se_cs, se_ss, se_rflags, se_count;
void u_syscall(void *);
void sc_entry(void);
void u_sysenter(void *);
void se_entry(void);
extern char u_syscall_ret[], u_sysenter_ret[];
__asm__(".pushsection .text\n"
        /* At CPL 3: AC, DF and CF set, SYSCALL; back from SYSRET, the
         * flags it restored, then clean up. */
        ".globl u_syscall\nu_syscall:\n"
        " pushfq\n orq $0x40401, (%rsp)\n popfq\n"
        " syscall\n"
        ".globl u_syscall_ret\nu_syscall_ret:\n"
        " pushfq\n popq sc_user_rflags(%rip)\n"
        " pushfq\n andq $~0x40401, (%rsp)\n popfq\n"
        " ret\n"
        /* CPL 0 (STAR's CS), the user's stack: record, SYSRET. */
        ".globl sc_entry\nsc_entry:\n"
        " mov %rcx, sc_rcx(%rip)\n mov %r11, sc_r11(%rip)\n"
        " pushfq\n popq sc_rflags(%rip)\n"
        " xor %eax, %eax\n mov %cs, %ax\n mov %rax, sc_cs(%rip)\n"
        " mov %ss, %ax\n mov %rax, sc_ss(%rip)\n"
        " incq sc_count(%rip)\n"
        " sysretq\n"
        /* At CPL 3: SYSENTER, SYSEXIT comes back to RDX with RSP = RCX. */
        ".globl u_sysenter\nu_sysenter:\n"
        " mov %rsp, %rcx\n lea u_sysenter_ret(%rip), %rdx\n"
        " sysenter\n"
        ".globl u_sysenter_ret\nu_sysenter_ret:\n"
        " ret\n"
        ".globl se_entry\nse_entry:\n"
        " mov %rsp, se_rsp(%rip)\n"
        " xor %eax, %eax\n mov %cs, %ax\n mov %rax, se_cs(%rip)\n"
        " mov %ss, %ax\n mov %rax, se_ss(%rip)\n"
        " pushfq\n popq se_rflags(%rip)\n"
        " incq se_count(%rip)\n"
        " sysexitq\n"
        ".popsection\n");

static uint8_t sysenter_stack[4096] __attribute__((aligned(16)));

static void syscall_sysret(void)
{
    if (!cpu_syscall) {
        conf_skip("no SYSCALL", "syscall");
        return;
    }
    uint64_t efer_v = rdmsr(MSR_EFER), star = rdmsr(MSR_STAR), lstar = rdmsr(MSR_LSTAR),
             fmask = rdmsr(MSR_FMASK);
    const uint64_t mask = RFLAGS_AC | RFLAGS_DF | RFLAGS_CF;
    /* SYSCALL: CS = STAR[47:32], SS = that + 8; SYSRET to 64-bit code:
     * CS = STAR[63:48] + 16, SS = STAR[63:48] + 8, RPL 3. */
    wrmsr(MSR_STAR, ((uint64_t)(SDK_SEL_UCODE32 & ~3) << 48) | ((uint64_t)SEL_K_CODE64 << 32));
    wrmsr(MSR_LSTAR, (uintptr_t)sc_entry);
    wrmsr(MSR_FMASK, mask);
    wrmsr(MSR_EFER, efer_v | EFER_SCE);
    sc_count = 0;
    conf_fault_user(u_syscall, 0, CONF_NONE, 0, -1, "syscall.round_trip");
    conf_eq(sc_count, 1, "syscall.handler_ran");
    conf_eq(sc_rcx, (uintptr_t)u_syscall_ret, "syscall.rcx_next_rip");
    conf_eq(sc_r11 & mask, mask, "syscall.r11_rflags");
    conf_eq(sc_r11 & 2, 2, "syscall.r11_reserved_bit1");
    conf_eq(sc_rflags & mask, 0, "syscall.fmask_cleared_flags");
    conf_eq(sc_rflags & RFLAGS_RF, 0, "syscall.rf_clear");
    conf_eq(sc_cs, SEL_K_CODE64, "syscall.cs_from_star");
    conf_eq(sc_ss, SEL_K_DATA, "syscall.ss_from_star");
    conf_eq(sc_user_rflags & mask, mask, "sysret.rflags_from_r11");
    /* The user code's HLT after SYSRET faults with CS/SS from STAR[63:48]. */
    conf_eq(sdk_fault.cs, SDK_SEL_UCODE64, "sysret.cs_from_star");
    conf_eq(sdk_fault.ss, SDK_SEL_UDATA, "sysret.ss_from_star");
    /* SYSRET at CPL 3: #GP(0). */
    conf_fault_user(f_sysret_user, 0, VEC_GP, 0, 1, "sysret.cpl3");
    /* FMASK of 0: the flags pass through. */
    wrmsr(MSR_FMASK, 0);
    conf_fault_user(u_syscall, 0, CONF_NONE, 0, -1, "syscall.fmask_zero.round_trip");
    conf_eq(sc_rflags & mask, mask, "syscall.fmask_zero.flags_kept");
    /* EFER.SCE clear: #UD. */
    wrmsr(MSR_EFER, efer_v & ~EFER_SCE);
    conf_fault_user(u_syscall, 0, VEC_UD, 0, 1, "syscall.sce_clear");
    wrmsr(MSR_EFER, efer_v);
    wrmsr(MSR_STAR, star);
    wrmsr(MSR_LSTAR, lstar);
    wrmsr(MSR_FMASK, fmask);
}

/* ---- SYSENTER / SYSEXIT in 64-bit mode (Vol. 2B) ---- */

static void sysenter_sysexit(void)
{
    if (!cpu_sep) {
        conf_skip("no SYSENTER", "sysenter");
        return;
    }
    uint64_t cs = rdmsr(MSR_SYSENTER_CS), esp = rdmsr(MSR_SYSENTER_ESP), eip = rdmsr(MSR_SYSENTER_EIP);
    uint64_t top = (uintptr_t)(sysenter_stack + sizeof(sysenter_stack));
    /* SYSENTER: CS = SYSENTER_CS, SS = CS + 8, RSP, RIP from the MSRs;
     * SYSEXIT with REX.W: CS = SYSENTER_CS + 32, SS = + 40, RPL 3. */
    wrmsr(MSR_SYSENTER_CS, SEL_K_CODE64);
    wrmsr(MSR_SYSENTER_ESP, top);
    wrmsr(MSR_SYSENTER_EIP, (uintptr_t)se_entry);
    se_count = 0;
    conf_fault_user(u_sysenter, 0, CONF_NONE, 0, -1, "sysenter.round_trip");
    conf_eq(se_count, 1, "sysenter.handler_ran");
    conf_eq(se_cs, SEL_K_CODE64, "sysenter.cs");
    conf_eq(se_ss, SEL_K_DATA, "sysenter.ss");
    conf_eq(se_rsp, top, "sysenter.rsp_from_msr");
    conf_eq(se_rflags & RFLAGS_IF, 0, "sysenter.if_clear");
    conf_eq(sdk_fault.cs, (SEL_K_CODE64 + 32) | 3, "sysexit.cs");
    conf_eq(sdk_fault.ss, (SEL_K_CODE64 + 40) | 3, "sysexit.ss");
    /* SYSEXIT at CPL 3: #GP(0); SYSENTER with SYSENTER_CS = 0: #GP(0). */
    conf_fault_user(f_sysexit_user, 0, VEC_GP, 0, 1, "sysexit.cpl3");
    wrmsr(MSR_SYSENTER_CS, 0);
    conf_fault_user(u_sysenter, 0, VEC_GP, 0, 1, "sysenter.cs_zero");
    wrmsr(MSR_SYSENTER_CS, cs);
    wrmsr(MSR_SYSENTER_ESP, esp);
    wrmsr(MSR_SYSENTER_EIP, eip);
}

/* ---- what monovisor hides, in CPUID's terms ---- */

static void vmx_view(void)
{
    /* IA32_FEATURE_CONTROL's VMX enables only with VMX (or SMX) in CPUID. */
    uint64_t fc;
    if (rd_try(MSR_FEATURE_CONTROL, &fc) == CONF_NONE) {
        conf_true(!(fc & 4) || cpu_vmx, "feature_control.vmx_outside_smx_implies_cpuid_vmx");
        conf_true(!(fc & 2) || (cpu_vmx && cpu_smx), "feature_control.vmx_inside_smx_implies_cpuid_smx");
    } else {
        conf_true(!cpu_vmx && !cpu_smx, "feature_control.absent_implies_no_vmx_smx");
    }
    /* A locked IA32_FEATURE_CONTROL refuses writes (Vol. 4, 3AH, bit 0);
     * an unlocked one takes its own value back. */
    if (rd_try(MSR_FEATURE_CONTROL, &fc) == CONF_NONE) {
        static struct msr_arg fc_arg;
        fc_arg = (struct msr_arg){ MSR_FEATURE_CONTROL, 0, fc };
        conf_vector(f_wrmsr, &fc_arg, (fc & 1) ? VEC_GP : CONF_NONE, "feature_control.write_gp_iff_locked");
    }
    /* The VMX capability MSRs exist iff CPUID.01H:ECX.VMX, some of them
     * iff capabilities in others say so (Vol. 3D, appendix A). */
    uint64_t basic = 0, procb = 0, proc2 = 0;
    if (cpu_vmx) {
        rd_try(0x480, &basic);
        rd_try(0x482, &procb);
    }
    bool has2 = cpu_vmx && (procb >> 63 & 1);
    if (has2)
        rd_try(0x48B, &proc2);
    for (uint32_t m = 0x480; m <= 0x491; m++) {
        bool exists = cpu_vmx;
        if (m == 0x48B)
            exists = has2;
        else if (m == 0x48C)
            exists = has2 && ((proc2 >> 33 & 1) || (proc2 >> 37 & 1));
        else if (m >= 0x48D && m <= 0x490)
            exists = cpu_vmx && (basic >> 55 & 1);
        else if (m == 0x491)
            exists = has2 && (proc2 >> 45 & 1);
        conf_vector(f_rdmsr, (void *)(uintptr_t)m, exists ? CONF_NONE : VEC_GP, "vmx_msr.%#x.exists_per_cpuid",
                    m);
    }
}

/* ---- x2APIC mode (12.12): the MSR interface of the local APIC ----
 * Last: leaving x2APIC mode needs a pass through the disabled state
 * (12.12.5), which Bochs 2.7 never leaves again (msr.cc, relocate_apic
 * ignores writes while the APIC is globally disabled). */

static void x2apic_mode(void)
{
    if (!cpu_x2apic) {
        conf_skip("no x2APIC", "x2apic");
        return;
    }
    uint64_t base = rdmsr(MSR_APIC_BASE), v;
    if (base >> 10 & 1) {
        conf_skip("already in x2APIC mode", "x2apic");
        return;
    }
    sdk_lapic_base = (uint32_t)(base & 0xFFFFF000u);
    sdk_apic_enable();
    uint32_t id = sdk_cpuid(1, 0).ebx >> 24;
    uint32_t ver = sdk_apic_read(0x30), svr = sdk_apic_read(0xF0);
    write_cr8(0);
    /* xAPIC to x2APIC: EXTD with EN (12.12.5, Figure 12-27). */
    wr_chk(MSR_APIC_BASE, base | (1ull << 10), CONF_NONE, "x2apic.enable");
    conf_eq(rdmsr(MSR_APIC_BASE), base | (1ull << 10), "x2apic.apic_base_readback");
    conf_eq(cpuid_bit(1, 0, EDX, 9), 1, "x2apic.cpuid_apic_still_set");
    rd_chk(0x802, CONF_NONE, &v, "x2apic.id.rdmsr");
    conf_eq(v, id, "x2apic.id_is_initial_apic_id");
    rd_chk(0x803, CONF_NONE, &v, "x2apic.version.rdmsr");
    conf_eq(v, ver, "x2apic.version_as_xapic");
    rd_chk(0x80F, CONF_NONE, &v, "x2apic.svr.rdmsr");
    conf_eq(v, svr, "x2apic.svr_kept_across_switch");
    /* The logical ID follows from the x2APIC ID (12.12.10.2). Bochs 2.7
     * leaves the LDR 0 (apic.cc): fails natively. */
    rd_chk(0x80D, CONF_NONE, &v, "x2apic.ldr.rdmsr");
    conf_eq(v, ((uint64_t)(id >> 4) << 16) | (1u << (id & 15)), "x2apic.ldr_from_id");
    rd_chk(0x830, CONF_NONE, 0, "x2apic.icr.rdmsr");
    /* Registers x2APIC mode does not have, or has write-only: #GP
     * (12.12.1.2, Table 12-6). */
    rd_chk(0x80E, VEC_GP, 0, "x2apic.dfr.rdmsr");
    rd_chk(0x831, VEC_GP, 0, "x2apic.icr_high.rdmsr");
    rd_chk(0x80B, VEC_GP, 0, "x2apic.eoi.rdmsr");
    rd_chk(0x83F, VEC_GP, 0, "x2apic.self_ipi.rdmsr");
    wr_chk(0x802, 0, VEC_GP, "x2apic.id.wrmsr");
    wr_chk(0x803, 0, VEC_GP, "x2apic.version.wrmsr");
    wr_chk(0x80B, 1, VEC_GP, "x2apic.eoi.wrmsr_nonzero");
    wr_chk(0x808, 0x100, VEC_GP, "x2apic.tpr.wrmsr_reserved_bit8");
    wr_chk(0x808, 1ull << 32, VEC_GP, "x2apic.tpr.wrmsr_high_half");
    /* The TPR through the MSR is CR8's (12.8.6.1). */
    wr_chk(0x808, 0xF0, CONF_NONE, "x2apic.tpr.wrmsr");
    conf_eq(read_cr8(), 0xF, "x2apic.tpr_is_cr8");
    /* ICR reserved bits (31:20, 17:16, 13): #GP (12.12.1.3: a non-zero
     * write to a reserved bit of an x2APIC register). A self IPI
     * with vector 0xEE, which the TPR of 0xF0 holds off (and IF is 0),
     * should it be sent. Bochs 2.7 sends it without a fault (apic.cc,
     * write_x2apic): fails natively. */
    wr_chk(0x830, (1ull << 20) | (1ull << 18) | 0xEE, VEC_GP, "x2apic.icr.wrmsr_reserved_bit20");
    /* Back to xAPIC mode without passing through disabled, or EXTD
     * without EN: #GP (12.12.5). */
    wr_chk(MSR_APIC_BASE, base, VEC_GP, "x2apic.to_xapic_directly");
    wr_chk(MSR_APIC_BASE, (base & ~(1ull << 11)) | (1ull << 10), VEC_GP, "x2apic.extd_without_en");
    conf_eq(rdmsr(MSR_APIC_BASE), base | (1ull << 10), "x2apic.still_x2apic");
}

int main(void)
{
    /* 0x58: 64-bit code, DPL 0; 0x60: data, DPL 0 (SYSCALL, SYSENTER). */
    sdk_gdt[SEL_K_CODE64 / 8] = 0x00AF9A000000FFFFull;
    sdk_gdt[SEL_K_DATA / 8] = 0x00CF92000000FFFFull;
    conf_begin("msr");
    features();
    presence();
    tsc();
    apic_base_msr();
    pat();
    sysenter_msrs();
    efer();
    syscall_msrs();
    segment_bases();
    tsc_aux();
    debugctl();
    mtrr();
    mca();
    tsc_deadline();
    x2apic_msrs();
    nonexistent();
    cpl3();
    spec_ctrl();
    cet();
    survive_exits();
    syscall_sysret();
    sysenter_sysexit();
    vmx_view();
    x2apic_mode();
    conf_done();
}
