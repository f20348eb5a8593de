/*
 * xsave.c - conformance: the XSAVE feature set (SDM Vol. 1, chapter 13;
 * Vol. 2: XSETBV, XGETBV, XSAVE, XRSTOR, XSAVEOPT, XSAVEC, XSAVES,
 * XRSTORS; Vol. 3A, 2.6 XCR0): CR4.OSXSAVE and the #UD it gates, XCR0's
 * reset value and every combination of the components CPUID.(0DH,0)
 * offers, the sizes and offsets CPUID leaf 0DH reports and how they
 * follow XCR0 (and IA32_XSS), XINUSE (XGETBV with ECX = 1), XSAVE/XRSTOR
 * round trips of x87, SSE, AVX and AVX-512 state and the XSAVE header,
 * XRSTOR's header checks, alignment, CPL, and the register state
 * surviving instructions a hypervisor intercepts (CPUID, an OUT to the
 * serial port, RDMSR, MOV to CR4, XSETBV).
 *
 * The guest is built with -mgeneral-regs-only: every x87/SSE/AVX
 * instruction is in the assembly below, so C code never touches the
 * state under test.
 *
 * One file over 800 lines, on purpose: one guest (booted natively and under monovisor,
 * compared line by line) whose checks share the XSAVE area buffers, the
 * component table read from CPUID leaf 0DH and the XCR0 walk; apart, each
 * part would repeat them and boot twice more.
 */
#include "conf.h"

/* XSETBV of XCR0 = arg (RDI). */
FAULT_FN(f_xsetbv, "mov %rdi, %rax; mov %rdi, %rdx; shr $32, %rdx; xor %ecx, %ecx", "xsetbv", "");
FAULT_FN(f_xsetbv_xcr1, "mov $1, %eax; xor %edx, %edx; mov $1, %ecx", "xsetbv", "");
FAULT_FN(f_xsetbv_xcr_ffffffff, "mov $1, %eax; xor %edx, %edx; mov $0xffffffff, %ecx", "xsetbv", "");
FAULT_FN(f_xgetbv0, "xor %ecx, %ecx", "xgetbv", "");
FAULT_FN(f_xgetbv1, "mov $1, %ecx", "xgetbv", "");
FAULT_FN(f_xgetbv2, "mov $2, %ecx", "xgetbv", "");
/* The save/restore instructions on the area at RDI, every component asked for. */
FAULT_FN(f_xsave, "mov $-1, %eax; mov $-1, %edx", "xsave64 (%rdi)", "");
FAULT_FN(f_xrstor, "mov $-1, %eax; mov $-1, %edx", "xrstor64 (%rdi)", "");
FAULT_FN(f_xrstor_x87, "mov $1, %eax; xor %edx, %edx", "xrstor64 (%rdi)", "");
FAULT_FN(f_xsaveopt, "mov $-1, %eax; mov $-1, %edx", "xsaveopt64 (%rdi)", "");
FAULT_FN(f_xsavec, "mov $-1, %eax; mov $-1, %edx", "xsavec64 (%rdi)", "");
FAULT_FN(f_xsaves, "mov $-1, %eax; mov $-1, %edx", "xsaves64 (%rdi)", "");
FAULT_FN(f_xrstors, "mov $-1, %eax; mov $-1, %edx", "xrstors64 (%rdi)", "");
FAULT_FN(f_mov_cr4, "", "mov %rdi, %cr4", "");
FAULT_FN(f_rdmsr, "mov %edi, %ecx", "rdmsr", "");
FAULT_FN(f_wrmsr_xss, "mov %rdi, %rax; mov %rdi, %rdx; shr $32, %rdx; mov $0xDA0, %ecx", "wrmsr", "");
FAULT_FN(f_vex_ymm, "", "vpxor %ymm15, %ymm15, %ymm15", "");
FAULT_FN(f_vex_xmm, "", "vpxor %xmm15, %xmm15, %xmm15", "");
FAULT_FN(f_evex_zmm, "", "vpxorq %zmm31, %zmm31, %zmm31", "");
FAULT_FN(f_kmov, "", "kmovq %k7, %rax", "");
FAULT_FN(f_sse, "", "pxor %xmm15, %xmm15", "");

/* ---- loading and storing the registers (the image layout below) ---- */

void xs_load_xmm(const void *p);
void xs_store_xmm(void *p);
void xs_load_ymm(const void *p);
void xs_store_ymm(void *p);
void xs_load_zmm(const void *p);
void xs_store_zmm(void *p);
void xs_load_k(const void *p);
void xs_store_k(void *p);
void xs_load_x87(const void *fcw);
void xs_fxsave(void *p);
void xs_ldmxcsr(const void *p);
void xs_stmxcsr(void *p);
__asm__(".pushsection .text\n"
        /* Register i at p + 64 * i: XMM the low 16 bytes, YMM 32, ZMM 64. */
        ".globl xs_load_xmm\nxs_load_xmm:\n"
        ".irp i,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15\n movdqu \\i*64(%rdi), %xmm\\i\n.endr\nret\n"
        ".globl xs_store_xmm\nxs_store_xmm:\n"
        ".irp i,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15\n movdqu %xmm\\i, \\i*64(%rdi)\n.endr\nret\n"
        ".globl xs_load_ymm\nxs_load_ymm:\n"
        ".irp i,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15\n vmovdqu \\i*64(%rdi), %ymm\\i\n.endr\nret\n"
        ".globl xs_store_ymm\nxs_store_ymm:\n"
        ".irp i,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15\n vmovdqu %ymm\\i, \\i*64(%rdi)\n.endr\nret\n"
        ".globl xs_load_zmm\nxs_load_zmm:\n"
        ".irp i,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31\n"
        " vmovdqu64 \\i*64(%rdi), %zmm\\i\n.endr\nret\n"
        ".globl xs_store_zmm\nxs_store_zmm:\n"
        ".irp i,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31\n"
        " vmovdqu64 %zmm\\i, \\i*64(%rdi)\n.endr\nret\n"
        ".globl xs_load_k\nxs_load_k:\n"
        ".irp i,0,1,2,3,4,5,6,7\n kmovq \\i*8(%rdi), %k\\i\n.endr\nret\n"
        ".globl xs_store_k\nxs_store_k:\n"
        ".irp i,0,1,2,3,4,5,6,7\n kmovq %k\\i, \\i*8(%rdi)\n.endr\nret\n"
        /* x87: the control word at RDI, then five constants on the stack. */
        ".globl xs_load_x87\nxs_load_x87:\n"
        " fninit\n fldcw (%rdi)\n fld1\n fldpi\n fldl2e\n fldln2\n fldz\n ret\n"
        ".globl xs_fxsave\nxs_fxsave:\n fxsave64 (%rdi)\n ret\n"
        ".globl xs_ldmxcsr\nxs_ldmxcsr:\n ldmxcsr (%rdi)\n ret\n"
        ".globl xs_stmxcsr\nxs_stmxcsr:\n stmxcsr (%rdi)\n ret\n"
        ".popsection\n");

/* XCR0 components (SDM Vol. 1, 13.1). */
#define X_X87       (1ull << 0)
#define X_SSE       (1ull << 1)
#define X_AVX       (1ull << 2)
#define X_BNDREGS   (1ull << 3)
#define X_BNDCSR    (1ull << 4)
#define X_MPX       (X_BNDREGS | X_BNDCSR)
#define X_OPMASK    (1ull << 5)
#define X_ZMM_HI256 (1ull << 6)
#define X_HI16_ZMM  (1ull << 7)
#define X_AVX512    (X_OPMASK | X_ZMM_HI256 | X_HI16_ZMM)
#define X_PKRU      (1ull << 9)
#define X_TILECFG   (1ull << 17)
#define X_TILEDATA  (1ull << 18)
#define X_AMX       (X_TILECFG | X_TILEDATA)

#define MSR_XSS 0xDA0
#define MSR_FEATURE_CONTROL 0x3A
#define COMPACTED (1ull << 63)

static inline uint64_t xgetbv(uint32_t idx)
{
    uint32_t lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(idx));
    return ((uint64_t)hi << 32) | lo;
}

static inline void xsetbv0(uint64_t v)
{
    __asm__ volatile("xsetbv" : : "c"(0), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)) : "memory");
}

/* The save/restore instructions with an RFBM, under sdk_catch: a fault
 * (a CPU or hypervisor that refuses what the SDM allows) is counted in
 * op_faults, which each part checks, instead of ending the guest. */
struct xop {
    void *area;
    uint64_t rfbm;
};
#define XOP_FN(name, insn) \
    FAULT_FN(name, "mov 8(%rdi), %eax; mov 12(%rdi), %edx; mov (%rdi), %rdi", insn " (%rdi)", "")
XOP_FN(f_op_xsave, "xsave64");
XOP_FN(f_op_xrstor, "xrstor64");
XOP_FN(f_op_xsaveopt, "xsaveopt64");
XOP_FN(f_op_xsavec, "xsavec64");
XOP_FN(f_op_xsaves, "xsaves64");
XOP_FN(f_op_xrstors, "xrstors64");

static unsigned op_faults;

static int op(void (*fn)(void *), const void *p, uint64_t rfbm)
{
    struct xop o = { (void *)(uintptr_t)p, rfbm };
    int v = sdk_catch(fn, &o);
    op_faults += v != CONF_NONE;
    return v;
}

#define xsave(p, rfbm) op(f_op_xsave, p, rfbm)
#define xrstor(p, rfbm) op(f_op_xrstor, p, rfbm)
#define xsaveopt(p, rfbm) op(f_op_xsaveopt, p, rfbm)
#define xsavec(p, rfbm) op(f_op_xsavec, p, rfbm)
#define xsaves(p, rfbm) op(f_op_xsaves, p, rfbm)
#define xrstors(p, rfbm) op(f_op_xrstors, p, rfbm)

static void *memset_(void *d, int c, size_t n)
{
    volatile uint8_t *p = d;
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)c;
    return d;
}

static void memcpy_(void *d, const void *s, size_t n)
{
    uint8_t *a = d;
    const uint8_t *b = s;
    for (size_t i = 0; i < n; i++)
        a[i] = b[i];
}

static bool same(const void *a, const void *b, size_t n)
{
    const uint8_t *x = a, *y = b;
    for (size_t i = 0; i < n; i++)
        if (x[i] != y[i])
            return false;
    return true;
}

static bool all_zero(const void *a, size_t n)
{
    const uint8_t *x = a;
    for (size_t i = 0; i < n; i++)
        if (x[i])
            return false;
    return true;
}

static uint64_t rd64(const uint8_t *p)
{
    uint64_t v;
    memcpy_(&v, p, 8);
    return v;
}

static void wr64(uint8_t *p, uint64_t v)
{
    memcpy_(p, &v, 8);
}

/* ---- what CPUID says ---- */

static bool has_xsave, has_xsaveopt, has_xsavec, has_xgetbv1, has_xsaves, has_avx;
static uint64_t xcr0_supported, xss_supported, xcr0_max;
static uint32_t comp_size[64], comp_off[64], comp_ecx[64];

static void read_cpuid(void)
{
    has_xsave = cpuid_bit(1, 0, ECX, 26);
    has_avx = cpuid_bit(1, 0, ECX, 28);
    if (!has_xsave || sdk_cpuid(0, 0).eax < 0xD)
        return;
    struct sdk_cpuid s0 = sdk_cpuid(0xD, 0), s1 = sdk_cpuid(0xD, 1);
    xcr0_supported = ((uint64_t)s0.edx << 32) | s0.eax;
    xss_supported = ((uint64_t)s1.edx << 32) | s1.ecx;
    has_xsaveopt = s1.eax & 1;
    has_xsavec = s1.eax & 2;
    has_xgetbv1 = s1.eax & 4;
    has_xsaves = s1.eax & 8;
    for (unsigned i = 2; i < 63; i++) {
        struct sdk_cpuid r = sdk_cpuid(0xD, i);
        comp_size[i] = r.eax;
        comp_off[i] = r.ebx;
        comp_ecx[i] = r.ecx;
    }
}

/* XCR0 values XSETBV accepts (SDM Vol. 2C, XSETBV; Vol. 1, 13.3). */
static bool xcr0_valid(uint64_t v)
{
    if (!(v & X_X87) || (v & ~xcr0_supported))
        return false;
    if ((v & X_AVX) && !(v & X_SSE))
        return false;
    if ((v & X_AVX512) && ((v & X_AVX512) != X_AVX512 || !(v & X_AVX)))
        return false;
    if ((v & X_MPX) && (v & X_MPX) != X_MPX)
        return false;
    if ((v & X_AMX) && (v & X_AMX) != X_AMX)
        return false;
    return true;
}

/* The largest valid XCR0 this CPU offers. */
static uint64_t xcr0_largest(void)
{
    uint64_t v = xcr0_supported;
    if ((v & X_MPX) != X_MPX)
        v &= ~X_MPX;
    if ((v & X_AMX) != X_AMX)
        v &= ~X_AMX;
    if ((v & X_AVX) && !(v & X_SSE))
        v &= ~X_AVX;
    if ((v & X_AVX512) != X_AVX512 || !(v & X_AVX))
        v &= ~X_AVX512;
    return v;
}

/* The size of the standard-format area for the components in v, from
 * the offsets and sizes CPUID reports (13.4.1); *unknown: a component of
 * v whose sub-leaf reports no size. */
static uint32_t std_size(uint64_t v, bool *unknown)
{
    uint32_t s = 512 + 64;
    *unknown = false;
    for (unsigned i = 2; i < 63; i++) {
        if (!(v >> i & 1))
            continue;
        if (!comp_size[i]) {
            *unknown = true;
            continue;
        }
        if (comp_off[i] + comp_size[i] > s)
            s = comp_off[i] + comp_size[i];
    }
    return s;
}

/* The size of the compacted area for the components in v (13.4.3):
 * each after the previous, 64-byte aligned where ECX[1] says so. */
static uint32_t compacted_size(uint64_t v)
{
    uint32_t s = 512 + 64;
    for (unsigned i = 2; i < 63; i++) {
        if (!(v >> i & 1))
            continue;
        if (comp_ecx[i] & 2)
            s = (s + 63) & ~63u;
        s += comp_size[i];
    }
    return s;
}

/* Offset of component c in a compacted area holding xcomp (13.4.3). */
static uint32_t compacted_off(uint64_t xcomp, unsigned c)
{
    uint32_t s = 512 + 64;
    for (unsigned i = 2; i < c; i++) {
        if (!(xcomp >> i & 1))
            continue;
        if (comp_ecx[i] & 2)
            s = (s + 63) & ~63u;
        s += comp_size[i];
    }
    if (comp_ecx[c] & 2)
        s = (s + 63) & ~63u;
    return s;
}

/* ---- register images ---- */

struct image {
    uint8_t v[32][64];              /* ZMM/YMM/XMM i */
    uint64_t k[8];
    uint32_t mxcsr;
    uint16_t fcw;
    uint8_t fx[512] __attribute__((aligned(16)));   /* FXSAVE: x87 */
};

static struct image pat_a, pat_b, got;
static struct image x87_ref_a, x87_ref_b;

static void make_patterns(void)
{
    for (unsigned i = 0; i < 32; i++)
        for (unsigned j = 0; j < 64; j++) {
            pat_a.v[i][j] = (uint8_t)(0x11 + i * 7 + j * 13);
            pat_b.v[i][j] = (uint8_t)~pat_a.v[i][j];
        }
    for (unsigned i = 0; i < 8; i++) {
        pat_a.k[i] = 0x0123456789ABCDEFull ^ (0x1111111111111111ull * (i + 1));
        pat_b.k[i] = ~pat_a.k[i];
    }
    pat_a.mxcsr = 0xFF80;           /* all exceptions masked, round to zero, FZ */
    pat_b.mxcsr = 0x3F80;           /* round up */
    pat_a.fcw = 0x027F;             /* double precision */
    pat_b.fcw = 0x037F;
}

/* Load image p into the registers XCR0 x enables (SSE and x87 always). */
static void load_regs(const struct image *p, uint64_t x)
{
    xs_load_x87(&p->fcw);
    xs_ldmxcsr(&p->mxcsr);
    if ((x & X_AVX512) == X_AVX512) {
        xs_load_zmm(p->v);
        xs_load_k(p->k);
    } else if (x & X_AVX) {
        xs_load_ymm(p->v);
    } else {
        xs_load_xmm(p->v);
    }
}

static void store_regs(struct image *p, uint64_t x)
{
    memset_(p, 0, sizeof(*p));
    xs_fxsave(p->fx);
    xs_stmxcsr(&p->mxcsr);
    if ((x & X_AVX512) == X_AVX512) {
        xs_store_zmm(p->v);
        xs_store_k(p->k);
    } else if (x & X_AVX) {
        xs_store_ymm(p->v);
    } else {
        xs_store_xmm(p->v);
    }
}

/* The x87 part of an FXSAVE image: FCW, FSW, abridged FTW, ST0-ST7. */
static bool x87_same(const struct image *a, const struct image *b)
{
    return same(a->fx, b->fx, 5) && same(a->fx + 32, b->fx + 32, 128);
}

static bool xmm_same(const struct image *a, const struct image *b)
{
    for (unsigned i = 0; i < 16; i++)
        if (!same(a->v[i], b->v[i], 16))
            return false;
    return true;
}

static bool ymmh_same(const struct image *a, const struct image *b)
{
    for (unsigned i = 0; i < 16; i++)
        if (!same(a->v[i] + 16, b->v[i] + 16, 16))
            return false;
    return true;
}

static bool ymmh_zero(const struct image *a)
{
    for (unsigned i = 0; i < 16; i++)
        if (!all_zero(a->v[i] + 16, 16))
            return false;
    return true;
}

static bool zmmh_same(const struct image *a, const struct image *b)
{
    for (unsigned i = 0; i < 16; i++)
        if (!same(a->v[i] + 32, b->v[i] + 32, 32))
            return false;
    return true;
}

static bool hi16_same(const struct image *a, const struct image *b)
{
    for (unsigned i = 16; i < 32; i++)
        if (!same(a->v[i], b->v[i], 64))
            return false;
    return true;
}

/* Every register group of XCR0 x in `got` against image `want` (whose
 * x87 part is the FXSAVE reference ref), one check per group. */
static void check_regs(const char *what, const struct image *want, const struct image *ref, uint64_t x)
{
    conf_true(x87_same(&got, ref), "%s.x87", what);
    conf_eq(got.mxcsr, want->mxcsr, "%s.mxcsr", what);
    conf_true(xmm_same(&got, want), "%s.xmm", what);
    if (x & X_AVX)
        conf_true(ymmh_same(&got, want), "%s.ymm_hi128", what);
    if ((x & X_AVX512) == X_AVX512) {
        conf_true(zmmh_same(&got, want), "%s.zmm_hi256", what);
        conf_true(hi16_same(&got, want), "%s.hi16_zmm", what);
        conf_true(same(got.k, want->k, sizeof(got.k)), "%s.opmask", what);
    }
}

/* XSAVE areas: standard, compacted, scratch. */
static uint8_t area_a[8192] __attribute__((aligned(64)));
static uint8_t area_b[8192] __attribute__((aligned(64)));
static uint8_t area_c[8192] __attribute__((aligned(64)));
static uint8_t area_init[8192] __attribute__((aligned(64)));

#define HDR 512
#define XSTATE_BV(a) rd64((a) + HDR)
#define XCOMP_BV(a) rd64((a) + HDR + 8)

static uint64_t cr0_saved, cr4_saved;

/* SSE on: CR0.EM = 0, MP = 1, TS = 0; CR4.OSFXSR, OSXMMEXCPT (13.1, 2.5). */
static void enable_sse(void)
{
    write_cr0((cr0_saved & ~(CR0_EM | CR0_TS)) | CR0_MP | CR0_NE);
    write_cr4(cr4_saved | CR4_OSFXSR | CR4_OSXMMEXCPT);
}

static void restore_cpu(void)
{
    if (read_cr4() & CR4_OSXSAVE)
        xsetbv0(X_X87);
    write_cr4(cr4_saved | CR4_OSFXSR | CR4_OSXMMEXCPT);
}

/* ---- CR4.OSXSAVE ---- */

static void osxsave(void)
{
    uint64_t cr4 = read_cr4();
    conf_eq(!!(cr4 & CR4_OSXSAVE), 0, "osxsave.clear_at_start");
    conf_eq(cpuid_bit(1, 0, ECX, 27), 0, "osxsave.cpuid_clear_at_start");
    /* Without CR4.OSXSAVE: XGETBV, XSETBV, XSAVE, XRSTOR are #UD (Vol. 2). */
    conf_fault(f_xgetbv0, 0, VEC_UD, 0, 1, "ud.xgetbv_osxsave_clear");
    conf_fault(f_xsetbv, (void *)(uintptr_t)X_X87, VEC_UD, 0, 1, "ud.xsetbv_osxsave_clear");
    conf_fault(f_xsave, area_a, VEC_UD, 0, 1, "ud.xsave_osxsave_clear");
    conf_fault(f_xrstor, area_a, VEC_UD, 0, 1, "ud.xrstor_osxsave_clear");
    conf_fault(f_vex_xmm, 0, VEC_UD, 0, 1, "ud.vex_osxsave_clear");
    /* CR4.OSXSAVE is settable iff CPUID.01H:ECX.XSAVE (2.5; #GP on a
     * reserved bit). */
    conf_fault(f_mov_cr4, (void *)(uintptr_t)(cr4 | CR4_OSXSAVE), has_xsave ? CONF_NONE : VEC_GP, 0, 1,
               "osxsave.set");
    if (!has_xsave)
        return;
    conf_eq(!!(read_cr4() & CR4_OSXSAVE), 1, "osxsave.reads_back");
    /* CPUID.01H:ECX.OSXSAVE mirrors CR4.OSXSAVE (Vol. 2A, CPUID, Table 3-10). */
    conf_eq(cpuid_bit(1, 0, ECX, 27), 1, "osxsave.cpuid_follows_set");
    /* XCR0 after reset is 1 (Vol. 3A, 10.1.1, Table 10-1). */
    conf_eq(xgetbv(0), X_X87, "xcr0.reset_value");
    conf_fault(f_xgetbv0, 0, CONF_NONE, 0, -1, "xgetbv.osxsave_set");
    /* XGETBV is allowed at any CPL. */
    conf_fault_user(f_xgetbv0, 0, CONF_NONE, 0, -1, "xgetbv.cpl3");
    write_cr4(cr4);
    conf_eq(cpuid_bit(1, 0, ECX, 27), 0, "osxsave.cpuid_follows_clear");
    conf_fault(f_xgetbv0, 0, VEC_UD, 0, 1, "ud.xgetbv_osxsave_cleared_again");
    write_cr4(cr4 | CR4_OSXSAVE);
    conf_eq(xgetbv(0), X_X87, "xcr0.kept_across_osxsave_toggle");
    restore_cpu();
}

/* ---- CPUID leaf 0DH ---- */

static void cpuid_leaf_d(void)
{
    struct sdk_cpuid s0 = sdk_cpuid(0xD, 0);
    bool unknown;
    /* Sub-leaf 0: EAX[0] (x87) and EAX[1] (SSE) are 1; ECX the size for
     * every supported component; EBX the size for XCR0 (1 now: 576). */
    conf_eq(s0.eax & 3, 3, "cpuid_d.0.x87_sse_supported");
    conf_eq(!!(s0.eax & X_AVX), has_avx, "cpuid_d.0.avx_iff_cpuid_avx");
    uint32_t max = std_size(xcr0_supported, &unknown);
    if (!unknown)
        conf_eq(s0.ecx, max, "cpuid_d.0.ecx_max_size");
    else /* a component CPUID gives no size (Bochs 2.7: PKRU): at least the rest */
        conf_true(s0.ecx > max, "cpuid_d.0.ecx_max_size_beyond_known");
    write_cr4(read_cr4() | CR4_OSXSAVE);
    conf_eq(sdk_cpuid(0xD, 0).ebx, 576, "cpuid_d.0.ebx_xcr0_x87");
    restore_cpu();
    /* Sub-leaf i of each supported user component: its size, an offset
     * beyond the legacy area and header, ECX[0] = 0 (an XCR0 bit); of
     * each supervisor (IA32_XSS) component: ECX[0] = 1, EBX = 0. Any
     * other sub-leaf is invalid: all four registers 0 (CPUID, Table 3-8). */
    for (unsigned i = 2; i < 63; i++) {
        struct sdk_cpuid r = sdk_cpuid(0xD, i);
        if (xcr0_supported >> i & 1) {
            /* Bochs 2.7 reports sub-leaf 9 (PKRU) as all zero although
             * XCR0[9] is supported (cpuid.cc: "#if BX_SUPPPORT_PKEYS"):
             * the size and offset checks of 9 fail natively. */
            conf_true(r.eax != 0, "cpuid_d.%u.size_nonzero", i);
            conf_true(r.ebx >= 576, "cpuid_d.%u.offset_beyond_header", i);
            conf_true(r.ebx + r.eax <= s0.ecx, "cpuid_d.%u.within_max_size", i);
            conf_eq(r.ecx & 1, 0, "cpuid_d.%u.user_component", i);
        } else if (xss_supported >> i & 1) {
            conf_true(r.eax != 0, "cpuid_d.%u.size_nonzero", i);
            conf_eq(r.ebx, 0, "cpuid_d.%u.supervisor_offset_zero", i);
            conf_eq(r.ecx & 1, 1, "cpuid_d.%u.supervisor_component", i);
        } else if (i <= 12 || i == 62) {
            conf_true(!r.eax && !r.ebx && !r.ecx && !r.edx, "cpuid_d.%u.invalid_all_zero", i);
        }
    }
    struct sdk_cpuid r63 = sdk_cpuid(0xD, 63);
    conf_true(!r63.eax && !r63.ebx && !r63.ecx && !r63.edx, "cpuid_d.63.invalid_all_zero");
}

/* ---- XCR0: every combination, XSETBV's other #GPs ---- */

static void xcr0_combinations(void)
{
    write_cr4(read_cr4() | CR4_OSXSAVE);
    unsigned changed = 0;
    uint64_t s = xcr0_supported;
    for (;;) {
        bool valid = xcr0_valid(s);
        uint64_t before = xgetbv(0);
        conf_fault(f_xsetbv, (void *)(uintptr_t)s, valid ? CONF_NONE : VEC_GP, 0, 1, "xcr0.set.%#llx",
                   (unsigned long long)s);
        uint64_t now = xgetbv(0);
        if (valid) {
            conf_eq(now, s, "xcr0.set.%#llx.readback", (unsigned long long)s);
            /* CPUID.(0DH,0).EBX: the size XSAVE needs for XCR0 now (13.4.1). */
            bool unknown;
            uint32_t want = std_size(s, &unknown);
            uint32_t ebx = sdk_cpuid(0xD, 0).ebx;
            if (!unknown)
                conf_eq(ebx, want, "xcr0.set.%#llx.cpuid_size", (unsigned long long)s);
            else /* a component CPUID gives no size (Bochs: PKRU): at least the rest */
                conf_true(ebx > want, "xcr0.set.%#llx.cpuid_size_beyond_known", (unsigned long long)s);
            if (has_xsaves && (s == (X_X87 | X_SSE) || s == xcr0_max)) {
                /* CPUID.(0DH,1).EBX: the compacted size for XCR0 | IA32_XSS
                 * (IA32_XSS is 0 here). Bochs 2.7 reports the
                 * standard-format size, and 0 for x87|SSE (cpuid.cc):
                 * these fail natively. */
                conf_eq(sdk_cpuid(0xD, 1).ebx, compacted_size(s), "xcr0.set.%#llx.cpuid_xsaves_size",
                        (unsigned long long)s);
            }
            xsetbv0(X_X87);
        } else {
            changed += now != before;
        }
        if (!s)
            break;
        s = (s - 1) & xcr0_supported;
    }
    conf_eq(changed, 0, "xcr0.refused_values_leave_xcr0");
    /* Every bit CPUID does not offer, with x87 and SSE: #GP. */
    for (unsigned i = 0; i < 64; i++) {
        if (xcr0_supported >> i & 1)
            continue;
        conf_fault(f_xsetbv, (void *)(uintptr_t)(X_X87 | X_SSE | (1ull << i)), VEC_GP, 0, 1,
                   "xcr0.unsupported_bit%u", i);
    }
    conf_eq(xgetbv(0), X_X87, "xcr0.unchanged_by_unsupported_bits");
    /* XSETBV of an XCR other than 0: #GP (Vol. 2C, XSETBV). */
    conf_fault(f_xsetbv_xcr1, 0, VEC_GP, 0, 1, "xsetbv.ecx1");
    conf_fault(f_xsetbv_xcr_ffffffff, 0, VEC_GP, 0, 1, "xsetbv.ecx_ffffffff");
    /* XSETBV at CPL 3: #GP(0), which has priority over a VM exit (Vol. 3C,
     * 26.1.1: faults based on privilege level). The value is XCR0's own. */
    conf_fault_user(f_xsetbv, (void *)(uintptr_t)X_X87, VEC_GP, 0, 1, "xsetbv.cpl3");
    conf_eq(xgetbv(0), X_X87, "xsetbv.cpl3.xcr0_unchanged");
    /* XGETBV of XCR1 (XINUSE) iff CPUID.(0DH,1):EAX[2]; of XCR2: #GP. */
    conf_fault(f_xgetbv1, 0, has_xgetbv1 ? CONF_NONE : VEC_GP, 0, 1, "xgetbv.ecx1");
    conf_fault(f_xgetbv2, 0, VEC_GP, 0, 1, "xgetbv.ecx2");
    /* Instructions of components XCR0 leaves out are #UD (13.3, 14.3). */
    conf_fault(f_sse, 0, CONF_NONE, 0, -1, "sse.xcr0_x87");
    if (has_avx) {
        conf_fault(f_vex_ymm, 0, VEC_UD, 0, 1, "ud.avx_xcr0_x87");
        xsetbv0(X_X87 | X_SSE);
        conf_fault(f_vex_ymm, 0, VEC_UD, 0, 1, "ud.avx_xcr0_x87_sse");
        xsetbv0(X_X87 | X_SSE | X_AVX);
        conf_fault(f_vex_ymm, 0, CONF_NONE, 0, -1, "avx.xcr0_avx");
        if ((xcr0_max & X_AVX512) == X_AVX512) {
            conf_fault(f_evex_zmm, 0, VEC_UD, 0, 1, "ud.avx512_xcr0_avx");
            conf_fault(f_kmov, 0, VEC_UD, 0, 1, "ud.kmov_xcr0_avx");
            xsetbv0(X_X87 | X_SSE | X_AVX | X_AVX512);
            conf_fault(f_evex_zmm, 0, CONF_NONE, 0, -1, "avx512.xcr0_avx512");
            conf_fault(f_kmov, 0, CONF_NONE, 0, -1, "avx512.kmov_xcr0_avx512");
        }
    }
    restore_cpu();
}

/* ---- XINUSE ---- */

static void xinuse(void)
{
    op_faults = 0;
    if (!has_xgetbv1) {
        conf_skip("no XGETBV with ECX=1", "xinuse");
        return;
    }
    write_cr4(read_cr4() | CR4_OSXSAVE);
    xsetbv0(xcr0_max);
    /* XRSTOR with XSTATE_BV = 0: every component initialized (13.8.1).
     * The SDM lets XINUSE[i] stay 1 for a component in its initial
     * configuration; it must be 1 for one that is not (13.6). */
    xrstor(area_init, ~0ull);
    uint64_t v = xgetbv(1);
    conf_eq(v & ~xcr0_max, 0, "xinuse.within_xcr0");
    conf_eq(v, 0, "xinuse.zero_after_init");
    xs_load_xmm(pat_a.v);
    conf_eq(xgetbv(1) & X_SSE, X_SSE, "xinuse.sse_after_xmm_load");
    xs_load_x87(&pat_a.fcw);
    conf_eq(xgetbv(1) & X_X87, X_X87, "xinuse.x87_after_fld");
    if (xcr0_max & X_AVX) {
        xs_load_ymm(pat_a.v);
        conf_eq(xgetbv(1) & X_AVX, X_AVX, "xinuse.avx_after_ymm_load");
    }
    if ((xcr0_max & X_AVX512) == X_AVX512) {
        xs_load_k(pat_a.k);
        conf_eq(xgetbv(1) & X_OPMASK, X_OPMASK, "xinuse.opmask_after_kmov");
        xs_load_zmm(pat_a.v);
        conf_eq(xgetbv(1) & X_AVX512, X_AVX512, "xinuse.avx512_after_zmm_load");
    }
    /* XGETBV(1) is XCR0 AND XINUSE: with XCR0 = x87|SSE only those. */
    xsetbv0(X_X87 | X_SSE);
    conf_eq(xgetbv(1) & ~(X_X87 | X_SSE), 0, "xinuse.masked_by_xcr0");
    xrstor(area_init, ~0ull);
    conf_eq(op_faults, 0, "xinuse.no_unexpected_faults");
    restore_cpu();
}

/* ---- XSAVE / XRSTOR and their kin ---- */

static void check_image(const char *what, const uint8_t *a, uint64_t x, bool compacted)
{
    uint64_t xcomp = compacted ? XCOMP_BV(a) : 0;
    conf_eq(rd64(a) & 0xFFFF, pat_a.fcw, "%s.image.fcw", what);
    conf_eq(rd64(a + 24) & 0xFFFFFFFF, pat_a.mxcsr, "%s.image.mxcsr", what);
    bool ok = true;
    for (unsigned i = 0; i < 16; i++)
        ok &= same(a + 160 + 16 * i, pat_a.v[i], 16);
    conf_true(ok, "%s.image.xmm", what);
    if (x & X_AVX) {
        uint32_t off = compacted ? compacted_off(xcomp, 2) : comp_off[2];
        ok = true;
        for (unsigned i = 0; i < 16; i++)
            ok &= same(a + off + 16 * i, pat_a.v[i] + 16, 16);
        conf_true(ok, "%s.image.ymm_hi128", what);
    }
    if ((x & X_AVX512) == X_AVX512) {
        uint32_t off = compacted ? compacted_off(xcomp, 5) : comp_off[5];
        conf_true(same(a + off, pat_a.k, 64), "%s.image.opmask", what);
        off = compacted ? compacted_off(xcomp, 6) : comp_off[6];
        ok = true;
        for (unsigned i = 0; i < 16; i++)
            ok &= same(a + off + 32 * i, pat_a.v[i] + 32, 32);
        conf_true(ok, "%s.image.zmm_hi256", what);
        off = compacted ? compacted_off(xcomp, 7) : comp_off[7];
        ok = true;
        for (unsigned i = 0; i < 16; i++)
            ok &= same(a + off + 64 * i, pat_a.v[16 + i], 64);
        conf_true(ok, "%s.image.hi16_zmm", what);
    }
}

static void save_restore(void)
{
    op_faults = 0;
    uint64_t x = xcr0_max;
    write_cr4(read_cr4() | CR4_OSXSAVE);
    xsetbv0(x);
    /* The x87 references: FXSAVE right after loading each pattern. */
    load_regs(&pat_a, x);
    store_regs(&x87_ref_a, x);
    load_regs(&pat_b, x);
    store_regs(&x87_ref_b, x);
    /* Every component this XCR0 has (but PKRU, left at its initial 0) is
     * in use: XSAVE sets those XSTATE_BV bits (13.7). */
    uint64_t inuse = x & ~X_PKRU;

    memset_(area_a, 0, sizeof(area_a));
    load_regs(&pat_a, x);
    xsave(area_a, ~0ull);
    conf_eq(XSTATE_BV(area_a), inuse, "xsave.xstate_bv");
    conf_eq(XCOMP_BV(area_a), 0, "xsave.xcomp_bv_zero");
    check_image("xsave", area_a, x, false);

    /* Clobber every register, XRSTOR, compare. */
    load_regs(&pat_b, x);
    xrstor(area_a, ~0ull);
    store_regs(&got, x);
    check_regs("xrstor.roundtrip", &pat_a, &x87_ref_a, x);

    /* RFBM: XRSTOR of x87 and SSE only leaves the other components. */
    load_regs(&pat_b, x);
    xrstor(area_a, X_X87 | X_SSE);
    store_regs(&got, x);
    conf_true(x87_same(&got, &x87_ref_a), "xrstor.rfbm_x87_sse.x87_restored");
    conf_true(xmm_same(&got, &pat_a), "xrstor.rfbm_x87_sse.xmm_restored");
    conf_eq(got.mxcsr, pat_a.mxcsr, "xrstor.rfbm_x87_sse.mxcsr_restored");
    if (x & X_AVX)
        conf_true(ymmh_same(&got, &pat_b), "xrstor.rfbm_x87_sse.ymm_hi128_kept");
    if ((x & X_AVX512) == X_AVX512)
        conf_true(hi16_same(&got, &pat_b), "xrstor.rfbm_x87_sse.hi16_zmm_kept");

    /* XSTATE_BV[2] = 0: XRSTOR puts AVX state in its initial
     * configuration (upper halves zero), the rest from memory. */
    if (x & X_AVX) {
        memcpy_(area_b, area_a, sizeof(area_a));
        wr64(area_b + HDR, XSTATE_BV(area_b) & ~X_AVX);
        load_regs(&pat_b, x);
        xrstor(area_b, ~0ull);
        store_regs(&got, x);
        conf_true(ymmh_zero(&got), "xrstor.xstate_bv_avx_clear.ymm_hi128_init");
        conf_true(xmm_same(&got, &pat_a), "xrstor.xstate_bv_avx_clear.xmm_restored");
    }
    /* XSTATE_BV[1] = 0: XMM registers zero, MXCSR still from memory. */
    memcpy_(area_b, area_a, sizeof(area_a));
    wr64(area_b + HDR, XSTATE_BV(area_b) & ~X_SSE);
    load_regs(&pat_b, x);
    xrstor(area_b, X_X87 | X_SSE);
    store_regs(&got, x);
    {
        bool z = true;
        for (unsigned i = 0; i < 16; i++)
            z &= all_zero(got.v[i], 16);
        conf_true(z, "xrstor.xstate_bv_sse_clear.xmm_init");
    }
    conf_eq(got.mxcsr, pat_a.mxcsr, "xrstor.xstate_bv_sse_clear.mxcsr_from_memory");

    /* XSAVE writes XSTATE_BV[i] for the components it saves and leaves
     * the other bits as they were in memory (13.7). */
    memset_(area_b, 0, sizeof(area_b));
    wr64(area_b + HDR, X_AVX | (1ull << 62));
    load_regs(&pat_a, x);
    xsave(area_b, X_X87);
    conf_eq(XSTATE_BV(area_b), X_X87 | X_AVX | (1ull << 62), "xsave.rfbm_x87.other_bits_kept");
    wr64(area_b + HDR, 0);
    xsave(area_b, X_SSE);
    conf_eq(XSTATE_BV(area_b), X_SSE, "xsave.rfbm_sse.sets_sse_only");

    /* XSAVEOPT: the same image into a fresh area. */
    if (has_xsaveopt) {
        memset_(area_b, 0, sizeof(area_b));
        load_regs(&pat_a, x);
        xsaveopt(area_b, ~0ull);
        conf_eq(XSTATE_BV(area_b), inuse, "xsaveopt.xstate_bv");
        check_image("xsaveopt", area_b, x, false);
        load_regs(&pat_b, x);
        xrstor(area_b, ~0ull);
        store_regs(&got, x);
        check_regs("xsaveopt.roundtrip", &pat_a, &x87_ref_a, x);
    } else {
        conf_skip("no XSAVEOPT", "xsaveopt");
    }

    /* XSAVEC: compacted form, XCOMP_BV = RFBM | bit 63, XSTATE_BV =
     * XINUSE AND RFBM (13.10). */
    if (has_xsavec) {
        /* Bochs 2.7 lays the compacted area out from offset 416 (its
         * XSAVEC starts the extended components after the SSE state,
         * xsave.cc), over the header: the AVX and AVX-512 image checks
         * fail natively, and XRSTOR of that image faults on the header.
         * The round trip therefore saves x87 and SSE only. */
        memset_(area_c, 0, sizeof(area_c));
        load_regs(&pat_a, x);
        xsavec(area_c, ~0ull);
        conf_eq(XCOMP_BV(area_c), x | COMPACTED, "xsavec.xcomp_bv");
        conf_eq(XSTATE_BV(area_c), inuse, "xsavec.xstate_bv");
        check_image("xsavec", area_c, x, true);
        memset_(area_c, 0, sizeof(area_c));
        xsavec(area_c, X_X87 | X_SSE);
        conf_eq(XCOMP_BV(area_c), X_X87 | X_SSE | COMPACTED, "xsavec.rfbm_x87_sse.xcomp_bv");
        conf_eq(XSTATE_BV(area_c), X_X87 | X_SSE, "xsavec.rfbm_x87_sse.xstate_bv");
        load_regs(&pat_b, x);
        xrstor(area_c, ~0ull);
        store_regs(&got, x);
        check_regs("xsavec.rfbm_x87_sse.roundtrip", &pat_a, &x87_ref_a, X_X87 | X_SSE);
        /* Components outside XCOMP_BV are initialized by XRSTOR (13.8.2). */
        if (x & X_AVX)
            conf_true(ymmh_zero(&got), "xsavec.rfbm_x87_sse.roundtrip.ymm_hi128_init");
    } else {
        conf_skip("no XSAVEC", "xsavec");
    }

    /* XSAVES/XRSTORS: compacted, CPL 0, XCOMP_BV from XCR0 | IA32_XSS. */
    if (has_xsaves) {
        /* Bochs 2.7's XSAVES shares XSAVEC's layout (see above): the
         * image is checked for x87 and SSE, the round trip saves those. */
        memset_(area_c, 0, sizeof(area_c));
        load_regs(&pat_a, x);
        xsaves(area_c, ~0ull);
        conf_eq(XCOMP_BV(area_c), x | COMPACTED, "xsaves.xcomp_bv");
        conf_eq(XSTATE_BV(area_c), inuse, "xsaves.xstate_bv");
        check_image("xsaves", area_c, X_X87 | X_SSE, true);
        memset_(area_c, 0, sizeof(area_c));
        xsaves(area_c, X_X87 | X_SSE);
        conf_eq(XCOMP_BV(area_c), X_X87 | X_SSE | COMPACTED, "xsaves.rfbm_x87_sse.xcomp_bv");
        load_regs(&pat_b, x);
        xrstors(area_c, ~0ull);
        store_regs(&got, x);
        check_regs("xrstors.rfbm_x87_sse.roundtrip", &pat_a, &x87_ref_a, X_X87 | X_SSE);
        conf_fault_user(f_xsaves, area_b, VEC_GP, 0, 1, "xsaves.cpl3");
        conf_fault_user(f_xrstors, area_c, VEC_GP, 0, 1, "xrstors.cpl3");
        /* XRSTORS needs the compacted form (XCOMP_BV[63]). */
        conf_fault(f_xrstors, area_a, VEC_GP, 0, 1, "xrstors.standard_form");
    } else {
        conf_skip("no XSAVES", "xsaves");
    }
    conf_eq(op_faults, 0, "save_restore.no_unexpected_faults");
    restore_cpu();
}

/* ---- XSAVE/XRSTOR faults ---- */

static void save_restore_faults(void)
{
    op_faults = 0;
    uint64_t x = xcr0_max;
    write_cr4(read_cr4() | CR4_OSXSAVE);
    xsetbv0(x);
    memset_(area_a, 0, sizeof(area_a));
    load_regs(&pat_a, x);
    xsave(area_a, ~0ull);

    /* The area must be 64-byte aligned: #GP(0) (Vol. 2D, XSAVE). */
    conf_fault(f_xsave, area_b + 8, VEC_GP, 0, 1, "gp.xsave_misaligned_8");
    conf_fault(f_xsave, area_b + 32, VEC_GP, 0, 1, "gp.xsave_misaligned_32");
    conf_fault(f_xrstor, area_b + 16, VEC_GP, 0, 1, "gp.xrstor_misaligned_16");
    if (has_xsaveopt)
        conf_fault(f_xsaveopt, area_b + 8, VEC_GP, 0, 1, "gp.xsaveopt_misaligned");
    if (has_xsavec)
        conf_fault(f_xsavec, area_b + 8, VEC_GP, 0, 1, "gp.xsavec_misaligned");
    conf_fault(f_xsave, (void *)0x8000000000000000ull, VEC_GP, 0, 1, "gp.xsave_noncanonical");
    conf_fault(f_xsave, area_b, CONF_NONE, 0, -1, "xsave.aligned_ok");
    conf_fault(f_xrstor, area_a, CONF_NONE, 0, -1, "xrstor.valid_ok");
    /* XSAVE and XRSTOR are allowed at CPL 3. */
    conf_fault_user(f_xsave, area_b, CONF_NONE, 0, -1, "xsave.cpl3");
    conf_fault_user(f_xrstor, area_a, CONF_NONE, 0, -1, "xrstor.cpl3");

    /* XRSTOR's header checks (13.8): a bit in XSTATE_BV that XCR0 lacks,
     * XCOMP_BV without bit 63, bytes 23:8 of the header; MXCSR reserved
     * bits when SSE or AVX is restored. */
    memcpy_(area_b, area_a, sizeof(area_a));
    wr64(area_b + HDR, XSTATE_BV(area_a) | (1ull << 63));
    conf_fault(f_xrstor, area_b, VEC_GP, 0, 1, "gp.xrstor_xstate_bv_bit63");
    memcpy_(area_b, area_a, sizeof(area_a));
    wr64(area_b + HDR, XSTATE_BV(area_a) | X_BNDREGS);
    conf_fault(f_xrstor, area_b, (x & X_BNDREGS) ? CONF_NONE : VEC_GP, 0, 1,
               "gp.xrstor_xstate_bv_bndregs");
    memcpy_(area_b, area_a, sizeof(area_a));
    wr64(area_b + HDR + 8, 1);
    conf_fault(f_xrstor, area_b, VEC_GP, 0, 1, "gp.xrstor_xcomp_bv_without_bit63");
    memcpy_(area_b, area_a, sizeof(area_a));
    wr64(area_b + HDR + 16, 1);
    conf_fault(f_xrstor, area_b, VEC_GP, 0, 1, "gp.xrstor_header_bytes_16_23");
    /* Bytes 63:24 of a standard-form header are not checked (13.8.1). */
    memcpy_(area_b, area_a, sizeof(area_a));
    wr64(area_b + HDR + 48, 1);
    conf_fault(f_xrstor, area_b, CONF_NONE, 0, -1, "xrstor.header_bytes_48_55_standard_form");
    memcpy_(area_b, area_a, sizeof(area_a));
    wr64(area_b + 24, (rd64(area_b + 24) & ~0xFFFFFFFFull) | 0xFFFF1F80ull);
    conf_fault(f_xrstor, area_b, VEC_GP, 0, 1, "gp.xrstor_mxcsr_reserved");
    /* ... with RFBM = x87 only, MXCSR is not loaded: no fault. */
    conf_fault(f_xrstor_x87, area_b, CONF_NONE, 0, -1, "xrstor.mxcsr_reserved_rfbm_x87");
    /* XSTATE_BV with SSE under XCR0 = x87: #GP. */
    xsetbv0(X_X87);
    conf_fault(f_xrstor, area_a, VEC_GP, 0, 1, "gp.xrstor_xstate_bv_beyond_xcr0");
    xsetbv0(x);
    if (has_xsavec) {
        /* A compacted header with a bit of XCOMP_BV XCR0 lacks, or
         * XSTATE_BV beyond XCOMP_BV, or bytes 63:16 not zero: #GP (13.8.2). */
        memset_(area_c, 0, sizeof(area_c));
        load_regs(&pat_a, x);
        xsavec(area_c, X_X87 | X_SSE);
        memcpy_(area_b, area_c, sizeof(area_c));
        wr64(area_b + HDR + 8, XCOMP_BV(area_c) | (1ull << 62));
        conf_fault(f_xrstor, area_b, VEC_GP, 0, 1, "gp.xrstor_compacted_xcomp_bv_bit62");
        memcpy_(area_b, area_c, sizeof(area_c));
        wr64(area_b + HDR + 8, X_X87 | COMPACTED);
        conf_fault(f_xrstor, area_b, VEC_GP, 0, 1, "gp.xrstor_compacted_xstate_bv_beyond_xcomp_bv");
        memcpy_(area_b, area_c, sizeof(area_c));
        wr64(area_b + HDR + 48, 1);
        conf_fault(f_xrstor, area_b, VEC_GP, 0, 1, "gp.xrstor_compacted_header_bytes_48_55");
        conf_fault(f_xrstor, area_c, CONF_NONE, 0, -1, "xrstor.compacted_ok");
    }
    /* CR0.TS: #NM (Vol. 2D, XSAVE: "#NM if CR0.TS[bit 3] = 1"). */
    write_cr0(read_cr0() | CR0_TS);
    conf_fault(f_xsave, area_b, VEC_NM, 0, 1, "nm.xsave_ts_set");
    conf_fault(f_xrstor, area_a, VEC_NM, 0, 1, "nm.xrstor_ts_set");
    write_cr0(read_cr0() & ~CR0_TS);
    xrstor(area_init, ~0ull);
    conf_eq(op_faults, 0, "save_restore_faults.no_unexpected_faults");
    restore_cpu();
}

/* ---- IA32_XSS ---- */

static void xss(void)
{
    uint64_t v;
    if (!has_xsaves) {
        /* IA32_XSS exists iff CPUID.(0DH,1):EAX[3] (Vol. 4, Table 2-2).
         * Bochs 2.7 reads it on every CPU model (msr.cc), so the
         * read check fails natively on models without XSAVES. */
        conf_fault(f_rdmsr, (void *)(uintptr_t)MSR_XSS, VEC_GP, 0, 1, "xss.rdmsr_without_xsaves");
        conf_fault(f_wrmsr_xss, 0, VEC_GP, 0, 1, "xss.wrmsr_without_xsaves");
        return;
    }
    conf_fault(f_rdmsr, (void *)(uintptr_t)MSR_XSS, CONF_NONE, 0, -1, "xss.rdmsr");
    sdk_rdmsr(MSR_XSS, &v);
    conf_eq(v, 0, "xss.reset_value");
    write_cr4(read_cr4() | CR4_OSXSAVE);
    xsetbv0(X_X87 | X_SSE);
    for (unsigned i = 0; i < 64; i++) {
        if (!(xss_supported >> i & 1))
            continue;
        conf_fault(f_wrmsr_xss, (void *)(uintptr_t)(1ull << i), CONF_NONE, 0, -1, "xss.set_bit%u", i);
        sdk_rdmsr(MSR_XSS, &v);
        conf_eq(v, 1ull << i, "xss.set_bit%u.readback", i);
        /* CPUID.(0DH,1).EBX follows XCR0 | IA32_XSS. */
        conf_eq(sdk_cpuid(0xD, 1).ebx, compacted_size(X_X87 | X_SSE | (1ull << i)),
                "xss.set_bit%u.cpuid_size", i);
        sdk_wrmsr(MSR_XSS, 0);
    }
    /* Bits CPUID.(0DH,1) ECX/EDX do not offer: #GP, the user components
     * among them. Bochs 2.7 accepts the CET bits 11 and 12 (msr.cc,
     * get_ia32_xss_allow_mask) while its CPUID reports none
     * ("#if BX_SUPPPORT_CET" in cpuid.cc): those fail natively. */
    static const unsigned bits[] = { 0, 1, 2, 5, 8, 9, 11, 12, 13, 14, 15, 16, 31, 32, 63 };
    for (unsigned n = 0; n < sizeof(bits) / sizeof(bits[0]); n++) {
        unsigned i = bits[n];
        if (xss_supported >> i & 1)
            continue;
        conf_fault(f_wrmsr_xss, (void *)(uintptr_t)(1ull << i), VEC_GP, 0, 1, "xss.unsupported_bit%u", i);
        sdk_wrmsr(MSR_XSS, 0);
    }
    sdk_rdmsr(MSR_XSS, &v);
    conf_eq(v, 0, "xss.restored");
    restore_cpu();
}

/* ---- register state across instructions a hypervisor intercepts ---- */

static void act_cpuid(void)
{
    (void)sdk_cpuid(0, 0);
    (void)sdk_cpuid(1, 0);
    (void)sdk_cpuid(0xD, 0);
}

static uint8_t scratch_seen;

static void act_out_scratch(void)
{
    outb(0x3FF, 0x5A);
    scratch_seen = inb(0x3FF);
}

static void act_rdmsr(void)
{
    uint64_t v;
    sdk_rdmsr(MSR_FEATURE_CONTROL, &v);
}

static void act_cr4_toggle(void)
{
    uint64_t cr4 = read_cr4();
    write_cr4(cr4 & ~CR4_OSXSAVE);
    write_cr4(cr4);
}

static void act_xsetbv_same(void)
{
    xsetbv0(xgetbv(0));
}

static void act_xsetbv_fault(void)
{
    sdk_catch(f_xsetbv, 0);     /* XCR0 = 0: #GP */
}

static void act_rdmsr_nonexistent(void)
{
    uint64_t v;
    sdk_rdmsr(0x4FFFFFFF, &v);  /* #GP: injected by a hypervisor that intercepts it */
}

static void act_invd(void)
{
    __asm__ volatile("invd; wbinvd" ::: "memory");
}

static void act_ioapic_read(void)
{
    /* The I/O APIC's page: a hypervisor maps MMIO on first touch. */
    (void)*(volatile uint32_t *)(uintptr_t)0xFEC00000u;
}

static void survive(const char *what, void (*act)(void))
{
    uint64_t x = xcr0_max;
    load_regs(&pat_a, x);
    act();
    store_regs(&got, x);
    check_regs(what, &pat_a, &x87_ref_a, x);
    load_regs(&pat_b, x);
    act();
    store_regs(&got, x);
    conf_true(xmm_same(&got, &pat_b) && (!(x & X_AVX) || ymmh_same(&got, &pat_b)) &&
                  x87_same(&got, &x87_ref_b) && got.mxcsr == pat_b.mxcsr,
              "%s.second_pattern", what);
}

static void exits(void)
{
    uint64_t x = xcr0_max;
    write_cr4(read_cr4() | CR4_OSXSAVE);
    xsetbv0(x);
    survive("exit.cpuid", act_cpuid);
    survive("exit.out_serial_scratch", act_out_scratch);
    conf_eq(scratch_seen, 0x5A, "exit.out_serial_scratch.reads_back");
    survive("exit.rdmsr_feature_control", act_rdmsr);
    survive("exit.rdmsr_nonexistent_gp", act_rdmsr_nonexistent);
    survive("exit.invd_wbinvd", act_invd);
    survive("exit.ioapic_mmio_read", act_ioapic_read);
    survive("exit.mov_cr4_osxsave_toggle", act_cr4_toggle);
    conf_eq(xgetbv(0), x, "exit.mov_cr4_osxsave_toggle.xcr0_kept");
    survive("exit.xsetbv_same_value", act_xsetbv_same);
    survive("exit.xsetbv_gp", act_xsetbv_fault);
    conf_eq(xgetbv(0), x, "exit.xsetbv_gp.xcr0_kept");
    restore_cpu();
}

int main(void)
{
    conf_begin("xsave");
    cr0_saved = read_cr0();
    cr4_saved = read_cr4();
    read_cpuid();
    make_patterns();
    memset_(area_init, 0, sizeof(area_init));
    wr64(area_init + 24, 0x1F80);        /* MXCSR's initial value */
    enable_sse();
    osxsave();
    if (!has_xsave) {
        conf_skip("no XSAVE", "xsave");
        conf_done();
    }
    xcr0_max = xcr0_largest();
    cpuid_leaf_d();
    xcr0_combinations();
    xinuse();
    save_restore();
    save_restore_faults();
    xss();
    exits();
    write_cr4(cr4_saved);
    write_cr0(cr0_saved);
    conf_done();
}
