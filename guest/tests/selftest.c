/*
 * selftest.c - exercises every exit handler from the guest's side and
 * checks the answers: CPUID policy, virtualised VMX or SVM MSRs (by the
 * CPU's vendor), VMX and SVM instructions, CR4.VMXE and EFER.SVME hiding, CR0 paging, CPUID's OSXSAVE/OSPKE following this CPU's
 * CR4 and leaf 0DH its XCR0, XSETBV validation, the virtual UART, the
 * guest-exit port, INVD/WBINVD and the hypercall ABI. Ends with
 * "N passed, N failed" and exits with that status.
 */
#include "../sdk/sdk.h"

#define VEC_UD SDK_VEC_UD
#define VEC_GP SDK_VEC_GP
#define rdmsr_vec sdk_rdmsr
#define wrmsr_vec sdk_wrmsr

static void test_cpuid(void)
{
    struct sdk_cpuid r = sdk_cpuid(1, 0);
    sdk_check(r.ecx & (1u << 31), "cpuid.1 hypervisor bit set");
    sdk_check(!(r.ecx & (1u << 5)), "cpuid.1 vmx bit hidden");
    r = sdk_cpuid(0x40000000, 0);
    sdk_check(r.ebx == 0x6f6e6f6d && r.ecx == 0x6f736976 && r.edx == 0x72,
              "cpuid.40000000 signature monovisor");
    sdk_checkf(r.eax == 0x40000001, "cpuid.40000000 max leaf 0x40000001 (got %#x)", r.eax);
    r = sdk_cpuid(0x40000001, 0);
    sdk_checkf(r.eax == HC_ABI_VERSION, "cpuid.40000001 abi version 2.0 (got %#x)", r.eax);
    r = sdk_cpuid(0x4FFFFFFF, 0);
    sdk_check(!r.eax && !r.ebx && !r.ecx && !r.edx, "cpuid.4fffffff absurd hypervisor leaf is zero");
    r = sdk_cpuid(0xFFFFFFFF, 0xFFFFFFFF);
    sdk_check(true, "cpuid.ffffffff absurd leaf answered");
    r = sdk_cpuid(0, 0);
    char vendor[13];
    __builtin_memcpy(vendor, &r.ebx, 4);
    __builtin_memcpy(vendor + 4, &r.edx, 4);
    __builtin_memcpy(vendor + 8, &r.ecx, 4);
    vendor[12] = 0;
    sdk_checkf(vendor[0] != 0, "cpuid.0 native vendor passes through (%s)", vendor);
}

static void test_msrs(void)
{
    uint64_t v = 0;
    if (sdk_vmmcall) {
        /* AMD: SVM looks disabled by firmware and locked (VM_CR.SVMDIS,
         * LOCK); EFER.SVME is reserved without SVM. */
        sdk_check(rdmsr_vec(0xC0010114, &v) == -1, "rdmsr vm_cr allowed");
        sdk_checkf((v & 0x18) == 0x18, "vm_cr shows svm disabled and locked (%#llx)", (unsigned long long)v);
        sdk_check(wrmsr_vec(0xC0010114, 0) == VEC_GP, "wrmsr vm_cr -> #GP");
        sdk_check(wrmsr_vec(0xC0010117, 0x1000) == VEC_GP, "wrmsr vm_hsave_pa -> #GP");
        sdk_check(rdmsr_vec(0xC0000080, &v) == -1 && !(v & (1u << 12)), "efer.svme reads as 0");
        sdk_check(wrmsr_vec(0xC0000080, v | (1u << 12)) == VEC_GP, "setting efer.svme -> #GP");
    } else {
        sdk_check(rdmsr_vec(0x3A, &v) == -1, "rdmsr feature_control allowed");
        sdk_checkf((v & 1) && !(v & 6), "feature_control shows locked, vmx off (%#llx)", (unsigned long long)v);
        sdk_check(wrmsr_vec(0x3A, v | 4) == VEC_GP, "wrmsr feature_control -> #GP");
        sdk_check(rdmsr_vec(0x480, 0) == VEC_GP, "rdmsr vmx_basic -> #GP");
        sdk_check(rdmsr_vec(0x48C, 0) == VEC_GP, "rdmsr vmx_ept_vpid_cap -> #GP");
        sdk_check(wrmsr_vec(0x481, 0) == VEC_GP, "wrmsr vmx_pinbased -> #GP");
    }
    sdk_check(wrmsr_vec(0x174, 0x10) == -1 && rdmsr_vec(0x174, &v) == -1 && v == 0x10,
              "sysenter_cs write/read passes through");
    /* A nonexistent MSR: the CPU's answer, which the hypervisor asks it
     * for (#GP on hardware and Bochs; QEMU's TCG reads 0 and ignores a
     * write). */
    int r = rdmsr_vec(0x4B564D00, &v), w = wrmsr_vec(0x4B564D00, 1);
    sdk_checkf((r == VEC_GP || (r == -1 && v == 0)) && (w == VEC_GP || w == -1),
               "nonexistent msr outside the bitmap: #GP, or what QEMU does (%d, %d)", r, w);
    /* The TSC through its MSR, not intercepted: counting (QEMU's TCG reads
     * it as 0, natively too). */
    uint64_t t0 = 0, t1 = 0;
    sdk_checkf(rdmsr_vec(0x10, &t0) == -1 && rdmsr_vec(0x10, &t1) == -1 && (t1 != t0 || !t1),
               "rdmsr tsc passes through (%#llx, %#llx)", (unsigned long long)t0,
               (unsigned long long)t1);
}

/* Each VMX instruction with a harmless operand; all must #UD. */
static uint64_t vmx_operand;
static void i_vmxon(void *a) { (void)a; __asm__ volatile("vmxon %0" : : "m"(vmx_operand)); }
static void i_vmxoff(void *a) { (void)a; __asm__ volatile("vmxoff"); }
static void i_vmclear(void *a) { (void)a; __asm__ volatile("vmclear %0" : : "m"(vmx_operand)); }
static void i_vmptrld(void *a) { (void)a; __asm__ volatile("vmptrld %0" : : "m"(vmx_operand)); }
static void i_vmptrst(void *a) { (void)a; __asm__ volatile("vmptrst %0" : "=m"(vmx_operand)); }
static void i_vmread(void *a) { (void)a; uint32_t x; __asm__ volatile("vmread %1, %0" : "=r"(x) : "r"(0x681E)); }
static void i_vmwrite(void *a) { (void)a; __asm__ volatile("vmwrite %0, %1" : : "r"(0), "r"(0x681E)); }
static void i_vmlaunch(void *a) { (void)a; __asm__ volatile("vmlaunch"); }
static void i_vmresume(void *a) { (void)a; __asm__ volatile("vmresume"); }
static void i_invept(void *a) { (void)a; uint64_t d[2] = { 0, 0 }; __asm__ volatile("invept %0, %1" : : "m"(d), "r"(1)); }
static void i_invvpid(void *a) { (void)a; uint64_t d[2] = { 1, 0 }; __asm__ volatile("invvpid %0, %1" : : "m"(d), "r"(1)); }

/* SVM's instructions and the other vendor's hypercall instruction: #UD
 * in the guest on either vendor (intercepted on AMD, undefined on Intel). */
static void i_vmrun(void *a) { (void)a; __asm__ volatile("vmrun" : : "a"(0)); }
static void i_vmload(void *a) { (void)a; __asm__ volatile("vmload" : : "a"(0)); }
static void i_vmsave(void *a) { (void)a; __asm__ volatile("vmsave" : : "a"(0)); }
static void i_stgi(void *a) { (void)a; __asm__ volatile("stgi"); }
static void i_clgi(void *a) { (void)a; __asm__ volatile("clgi"); }
static void i_skinit(void *a) { (void)a; __asm__ volatile("skinit" : : "a"(0)); }
static void i_invlpga(void *a) { (void)a; __asm__ volatile("invlpga" : : "a"(0), "c"(0)); }
static void i_other_hypercall(void *a)
{
    (void)a;
    if (sdk_vmmcall)
        __asm__ volatile("vmcall" : : "a"(0) : "memory");
    else
        __asm__ volatile("vmmcall" : : "a"(0) : "memory");
}

static void test_svm_instructions(void)
{
    static const struct { const char *name; void (*fn)(void *); } insn[] = {
        { "vmrun", i_vmrun }, { "vmload", i_vmload }, { "vmsave", i_vmsave },
        { "stgi", i_stgi }, { "clgi", i_clgi }, { "skinit", i_skinit },
        { "invlpga", i_invlpga }, { "the other vendor's hypercall", i_other_hypercall },
    };
    for (unsigned i = 0; i < sizeof(insn) / sizeof(insn[0]); i++) {
        int v = sdk_catch(insn[i].fn, 0);
        sdk_checkf(v == VEC_UD, "%s in the guest -> #UD (got %d)", insn[i].name, v);
    }
}

static void test_vmx_instructions(void)
{
    static const struct { const char *name; void (*fn)(void *); } insn[] = {
        { "vmxon", i_vmxon }, { "vmxoff", i_vmxoff }, { "vmclear", i_vmclear },
        { "vmptrld", i_vmptrld }, { "vmptrst", i_vmptrst }, { "vmread", i_vmread },
        { "vmwrite", i_vmwrite }, { "vmlaunch", i_vmlaunch }, { "vmresume", i_vmresume },
        { "invept", i_invept }, { "invvpid", i_invvpid },
    };
    for (unsigned i = 0; i < sizeof(insn) / sizeof(insn[0]); i++) {
        int v = sdk_catch(insn[i].fn, 0);
        sdk_checkf(v == VEC_UD, "%s in the guest -> #UD (got %d)", insn[i].name, v);
    }
}

static uint32_t cr_value;
static void set_cr4(void *a) { (void)a; __asm__ volatile("mov %0, %%cr4" : : "r"(cr_value)); }
static uint32_t get_cr4(void) { uint32_t v; __asm__ volatile("mov %%cr4, %0" : "=r"(v)); return v; }
static uint32_t get_cr0(void) { uint32_t v; __asm__ volatile("mov %%cr0, %0" : "=r"(v)); return v; }
static void set_cr0(uint32_t v) { __asm__ volatile("mov %0, %%cr0" : : "r"(v) : "memory"); }

/* One page directory of 4 MiB pages mapping the low 4 GiB 1:1. */
static uint32_t pd[1024] __attribute__((aligned(4096)));

static void test_control_registers(void)
{
    uint32_t cr4 = get_cr4();
    sdk_checkf(!(cr4 & (1u << 13)), "cr4.vmxe reads as 0 (cr4=%#x)", cr4);
    cr_value = cr4 | (1u << 13);
    sdk_check(sdk_catch(set_cr4, 0) == VEC_GP, "setting cr4.vmxe -> #GP");
    cr_value = cr4 | (1u << 4) | (1u << 9);     /* PSE, OSFXSR */
    sdk_check(sdk_catch(set_cr4, 0) == -1 && (get_cr4() & 0x210) == 0x210, "cr4 pse+osfxsr set");

    for (uint32_t i = 0; i < 1024; i++)
        pd[i] = (i << 22) | 0x83;               /* present, writable, 4 MiB */
    __asm__ volatile("mov %0, %%cr3" : : "r"(pd));
    set_cr0(get_cr0() | 0x80010000u);           /* PG, WP */
    volatile uint32_t probe = pd[1];
    sdk_check((get_cr0() & 0x80010000u) == 0x80010000u && probe == ((1u << 22) | 0x83),
              "paging on with an identity map");
    set_cr0(get_cr0() & ~0x80000000u);
    sdk_check(!(get_cr0() & 0x80000000u), "paging off again");
    sdk_checkf(get_cr0() & 1, "cr0.pe still set (cr0=%#x)", get_cr0());
}

#define CR4_PGE     (1u << 7)
#define CR4_OSXSAVE (1u << 18)
#define CR4_PKE     (1u << 22)

/* CPUID.01H:ECX.OSXSAVE[27] (SDM Vol. 2A, CPUID, Table 3-10). */
static bool cpuid_osxsave(void) { return sdk_cpuid(1, 0).ecx & (1u << 27); }
/* CPUID.(07H,0):ECX.OSPKE[4] (Table 3-8). */
static bool cpuid_ospke(void) { return sdk_cpuid(7, 0).ecx & (1u << 4); }

/* Twice each: the first CPUID after a CR4 change takes the slow exit, the
 * second the fast path with the vCPU's fresh masks. */
static void check_mirror(bool (*bit)(void), bool want, const char *what)
{
    bool a = bit(), b = bit();
    sdk_checkf(a == want && b == want, "cpuid %s=%d with cr4 bit %s (got %d, %d)", what, want,
               want ? "set" : "clear", a, b);
}

static void set_cr4_bits(uint32_t set, uint32_t clear)
{
    cr_value = (get_cr4() | set) & ~clear;
    sdk_catch(set_cr4, 0);
}

/* CPUID.01H:ECX.OSXSAVE and CPUID.(07H,0):ECX.OSPKE report this CPU's
 * CR4.OSXSAVE and CR4.PKE: the guest's, not the hypervisor's. */
static void test_cpuid_follows_cr4(void)
{
    if (!(sdk_cpuid(1, 0).ecx & (1u << 26))) {
        sdk_check(true, "cpuid osxsave skipped: no XSAVE on this CPU");
    } else {
        sdk_checkf(!(get_cr4() & CR4_OSXSAVE), "cr4.osxsave clear at start (cr4=%#x)", get_cr4());
        check_mirror(cpuid_osxsave, false, "1.ecx.osxsave");
        set_cr4_bits(CR4_OSXSAVE, 0);
        sdk_checkf(get_cr4() & CR4_OSXSAVE, "cr4.osxsave set (cr4=%#x)", get_cr4());
        check_mirror(cpuid_osxsave, true, "1.ecx.osxsave");
        /* CR4.PGE toggles (Linux's global TLB flush) leave OSXSAVE alone:
         * no control-register exit, and CPUID still says 1. */
        static sdk_exit_stats_t st;
        sdk_hypercall(HC_EXIT_STATS, (long)st, sizeof(st), 0, 0);
        uint64_t cr_before = st[1 + VEXIT_CR_ACCESS];
        for (int i = 0; i < 4; i++)
            set_cr4_bits(i & 1 ? 0 : CR4_PGE, i & 1 ? CR4_PGE : 0);
        sdk_hypercall(HC_EXIT_STATS, (long)st, sizeof(st), 0, 0);
        sdk_checkf(st[1 + VEXIT_CR_ACCESS] == cr_before, "cr4.pge toggles do not exit (%llu -> %llu cr exits)",
                   (unsigned long long)cr_before, (unsigned long long)st[1 + VEXIT_CR_ACCESS]);
        check_mirror(cpuid_osxsave, true, "1.ecx.osxsave");
        set_cr4_bits(0, CR4_OSXSAVE);
        check_mirror(cpuid_osxsave, false, "1.ecx.osxsave");
    }
    if (!(sdk_cpuid(7, 0).ecx & (1u << 3))) {
        sdk_puts("selftest: note: no PKU on this CPU (cpuid.7.0.ecx.pku=0): ospke checks skipped\n");
        sdk_check(!cpuid_ospke(), "cpuid 7.0.ecx.ospke=0 without pku");
        return;
    }
    check_mirror(cpuid_ospke, false, "7.0.ecx.ospke");
    uint32_t sub1 = sdk_cpuid(7, 1).ecx;
    set_cr4_bits(CR4_PKE, 0);
    sdk_checkf(get_cr4() & CR4_PKE, "cr4.pke set (cr4=%#x)", get_cr4());
    check_mirror(cpuid_ospke, true, "7.0.ecx.ospke");
    uint32_t sub1_pke = sdk_cpuid(7, 1).ecx;
    sdk_checkf(sub1_pke == sub1, "cpuid 7.1.ecx unchanged by cr4.pke: ospke is subleaf 0's (%#x, %#x)",
               sub1, sub1_pke);
    set_cr4_bits(0, CR4_PKE);
    check_mirror(cpuid_ospke, false, "7.0.ecx.ospke");
}

static uint32_t xcr_index, xcr_lo, xcr_hi;
static void do_xsetbv(void *a)
{
    (void)a;
    __asm__ volatile("xsetbv" : : "c"(xcr_index), "a"(xcr_lo), "d"(xcr_hi));
}

/* A MOV to CR0 or CR4 that exits is carried out by the hypervisor, which
 * must flush the TLB as the instruction would (SDM Vol. 3A, 4.10.4.1):
 * with VPID the guest's translations outlive VM entries. A global 4 KiB
 * page is read, its PTE pointed at another page without INVLPG, then CR4
 * is written with PGE cleared and OSXSAVE flipped (which exits), or CR0.PG
 * cleared and set again (both exit): the next read sees the new page. */
#define CR4_PSE     (1u << 4)
#define PTE_GLOBAL  0x103u                  /* present, writable, global */
static uint32_t window_pt[1024] __attribute__((aligned(4096)));
static uint32_t frames[3][1024] __attribute__((aligned(4096)));

static uint32_t window_read(void)
{
    return *(volatile uint32_t *)(16u << 22);  /* pd[16], window_pt[0] */
}

static void test_emulated_cr_writes_flush_the_tlb(void)
{
    for (uint32_t i = 0; i < 3; i++)
        frames[i][0] = 0xF0 + i;
    for (uint32_t i = 0; i < 1024; i++)
        pd[i] = (i << 22) | 0x83;
    pd[16] = (uint32_t)window_pt | 0x03;
    window_pt[0] = (uint32_t)frames[0] | PTE_GLOBAL;
    __asm__ volatile("mov %0, %%cr3" : : "r"(pd) : "memory");
    set_cr4_bits(CR4_PSE | CR4_PGE, 0);
    uint32_t cr0 = get_cr0();
    set_cr0(cr0 | 0x80000000u);
    uint32_t first = window_read();
    if (sdk_cpuid(1, 0).ecx & (1u << 26)) {
        window_pt[0] = (uint32_t)frames[1] | PTE_GLOBAL;   /* no INVLPG */
        cr_value = (get_cr4() ^ CR4_OSXSAVE) & ~CR4_PGE;
        sdk_catch(set_cr4, 0);
        uint32_t now = window_read();
        sdk_checkf(first == 0xF0 && now == 0xF1,
                   "cr4 write clearing pge (an exit: osxsave flipped) flushes the tlb (read %#x, then %#x)",
                   first, now);
        set_cr4_bits(CR4_PGE, 0);
        set_cr4_bits(0, CR4_OSXSAVE);
        first = window_read();
    } else {
        sdk_check(true, "cr4 tlb flush skipped: no XSAVE, no exiting cr4 write");
    }
    window_pt[0] = (uint32_t)frames[2] | PTE_GLOBAL;       /* no INVLPG */
    set_cr0(cr0 & ~0x80000000u);
    set_cr0(cr0 | 0x80000000u);
    uint32_t now = window_read();
    sdk_checkf(now == 0xF2, "cr0.pg cleared and set (exits) flushes the tlb (read %#x, then %#x)",
               first, now);
    set_cr0(cr0 & ~0x80000000u);
    set_cr4_bits(0, CR4_PGE);
}

static void test_xsetbv(void)
{
    if (!(sdk_cpuid(1, 0).ecx & (1u << 26))) {
        sdk_check(true, "xsetbv skipped: no XSAVE on this CPU");
        return;
    }
    xcr_index = 0, xcr_lo = 3, xcr_hi = 0;
    cr_value = get_cr4() & ~(1u << 18);
    sdk_catch(set_cr4, 0);
    sdk_check(sdk_catch(do_xsetbv, 0) == VEC_UD, "xsetbv with cr4.osxsave=0 -> #UD");
    cr_value = get_cr4() | (1u << 18);
    sdk_check(sdk_catch(set_cr4, 0) == -1, "cr4.osxsave set");
    sdk_check(sdk_catch(do_xsetbv, 0) == -1, "xsetbv xcr0=x87|sse");
    uint32_t lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    sdk_checkf(lo == 3 && hi == 0, "xgetbv reads back 3 (got %#x)", lo);
    /* CPUID.(0DH,0):EBX is the XSAVE area size for the features enabled in
     * XCR0 (SDM Vol. 2A, CPUID, Table 3-8): this guest's XCR0. x87|SSE:
     * the 512-byte legacy region and the 64-byte header (SDM Vol. 1, 13.4). */
    uint32_t size = sdk_cpuid(0xD, 0).ebx;
    sdk_checkf(size == 576, "cpuid.d.0 ebx=576 for xcr0=x87|sse (got %u)", size);
    if (sdk_cpuid(0xD, 0).eax & 4) {
        /* AVX (component 2): the size grows to its offset + size (CPUID.(0DH,2)). */
        struct sdk_cpuid avx = sdk_cpuid(0xD, 2);
        xcr_lo = 7;
        sdk_check(sdk_catch(do_xsetbv, 0) == -1, "xsetbv xcr0=x87|sse|avx");
        size = sdk_cpuid(0xD, 0).ebx;
        sdk_checkf(size == avx.ebx + avx.eax, "cpuid.d.0 ebx=%u follows xcr0 with avx (got %u)",
                   avx.ebx + avx.eax, size);
        xcr_lo = 3;
        sdk_check(sdk_catch(do_xsetbv, 0) == -1 && sdk_cpuid(0xD, 0).ebx == 576,
                  "xsetbv back to x87|sse: cpuid.d.0 ebx=576");
    } else {
        sdk_puts("selftest: note: no AVX state: cpuid.d.0 avx size check skipped\n");
    }
    xcr_lo = 2;
    sdk_check(sdk_catch(do_xsetbv, 0) == VEC_GP, "xsetbv without x87 -> #GP");
    xcr_lo = 5;
    sdk_check(sdk_catch(do_xsetbv, 0) == VEC_GP, "xsetbv avx without sse -> #GP");
    xcr_lo = 3, xcr_index = 1;
    sdk_check(sdk_catch(do_xsetbv, 0) == VEC_GP, "xsetbv ecx=1 -> #GP");
    xcr_index = 0, xcr_lo = 3, xcr_hi = 0x80000000u;
    sdk_check(sdk_catch(do_xsetbv, 0) == VEC_GP, "xsetbv reserved bit 63 -> #GP");
}

static void test_uart(void)
{
    outb(0x3F8 + 7, 0x5A);
    sdk_check(inb(0x3F8 + 7) == 0x5A, "uart scratch register round trip");
    sdk_check(inb(0x3F8 + 5) & 0x20, "uart lsr thre set");
    uint8_t mcr = inb(0x3F8 + 4);
    outb(0x3F8 + 4, 0x10);                      /* loopback */
    outb(0x3F8, 'Q');
    bool got = (inb(0x3F8 + 5) & 1) && inb(0x3F8) == 'Q';
    outb(0x3F8 + 4, mcr);
    sdk_check(got, "uart loopback returns the byte");
    outb(0x80, 0x42);                           /* POST port: passes through */
    sdk_check(true, "port 0x80 write passes through");
}

static void test_cache_instructions(void)
{
    __asm__ volatile("invd" ::: "memory");
    sdk_check(true, "invd emulated");
    __asm__ volatile("wbinvd" ::: "memory");
    sdk_check(true, "wbinvd");
}

static sdk_exit_stats_t stats;

static void test_hypercalls(void)
{
    static const char msg[] = "hello from the guest through HC_PUTS\n";
    long r = sdk_hypercall(HC_VERSION, 0, 0, 0, 0);
    sdk_checkf(r == HC_ABI_VERSION, "hc version 2.0 (got %#lx)", r);
    r = sdk_hypercall(HC_PUTS, (long)msg, sizeof(msg) - 1, 0, 0);
    sdk_checkf(r == (long)sizeof(msg) - 1, "hc puts returns its length (got %ld)", r);
    r = sdk_hypercall(HC_PUTS, (long)0xFFFFF000u, 16, 0, 0);
    sdk_checkf(r == HC_EFAULT, "hc puts from unmapped memory -> EFAULT (got %ld)", r);
    r = sdk_hypercall(HC_PUTS, (long)msg, HC_PUTS_MAX + 1, 0, 0);
    sdk_checkf(r == HC_EINVAL, "hc puts too long -> EINVAL (got %ld)", r);
    r = sdk_hypercall(HC_PUTS, (long)0xFFFFFFF0u, 0x20, 0, 0);
    sdk_checkf(r == HC_EFAULT, "hc puts wrapping past 4 GiB -> EFAULT (got %ld)", r);
    r = sdk_hypercall(12345, 0, 0, 0, 0);
    sdk_checkf(r == HC_ENOSYS, "hc unknown number -> ENOSYS (got %ld)", r);
    r = sdk_hypercall(-1, -1, -1, -1, -1);
    sdk_checkf(r == HC_ENOSYS, "hc garbage -> ENOSYS (got %ld)", r);
    r = sdk_hypercall(HC_TRACE_MARK, 0x1234, 0, 0, 0);
    sdk_checkf(r == 0, "hc trace mark (got %ld)", r);

    /* Exit statistics: three CPUIDs more must show as three more. */
    r = sdk_hypercall(HC_EXIT_STATS, (long)stats, sizeof(stats), 0, 0);
    uint64_t before = stats[1 + VEXIT_CPUID];
    sdk_cpuid(0, 0);
    sdk_cpuid(0, 0);
    sdk_cpuid(0, 0);
    r = sdk_hypercall(HC_EXIT_STATS, (long)stats, sizeof(stats), 0, 0);
    sdk_checkf(r == (long)sizeof(stats), "hc exit stats size (got %ld)", r);
    sdk_checkf(stats[1 + VEXIT_CPUID] == before + 3, "hc exit stats counts cpuid exits (%llu -> %llu)",
               (unsigned long long)before, (unsigned long long)stats[1 + VEXIT_CPUID]);
    sdk_check(stats[0] >= stats[1 + VEXIT_CPUID] + stats[1 + VEXIT_HYPERCALL], "hc exit stats total adds up");
    r = sdk_hypercall(HC_EXIT_STATS, (long)0xFFFFF000u, sizeof(stats), 0, 0);
    sdk_checkf(r == HC_EFAULT, "hc exit stats to unmapped memory -> EFAULT (got %ld)", r);
}

/* The hypervisor's region is reserved in our memory map; find it and make
 * sure a hypercall cannot be pointed at it. */
static void test_hypervisor_memory_refused(void)
{
    uint64_t hv = sdk_hypervisor_region(0);
    sdk_checkf(hv != 0, "reserved hypervisor region in the memory map (%#llx)", (unsigned long long)hv);
    long r = sdk_hypercall(HC_PUTS, (long)(uint32_t)hv, 16, 0, 0);
    sdk_checkf(r == HC_EFAULT, "hc puts from hypervisor memory -> EFAULT (got %ld)", r);
    r = sdk_hypercall(HC_EXIT_STATS, (long)(uint32_t)hv, 64, 0, 0);
    sdk_checkf(r == HC_EFAULT, "hc exit stats into hypervisor memory -> EFAULT (got %ld)", r);
}

int main(void)
{
    sdk_puts("selftest: start\n");
    sdk_check(sdk_mb_magic == 0x2BADB002u, "multiboot magic in eax");
    sdk_check(sdk_hv_present(), "running under monovisor");
    test_cpuid();
    test_msrs();
    test_vmx_instructions();
    test_svm_instructions();
    test_control_registers();
    test_cpuid_follows_cr4();
    test_emulated_cr_writes_flush_the_tlb();
    test_xsetbv();
    test_uart();
    test_cache_instructions();
    test_hypercalls();
    test_hypervisor_memory_refused();
    sdk_finish();
}
