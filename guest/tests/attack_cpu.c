/*
 * attack_cpu.c - hostile instructions: what a guest that pokes at VMX,
 * control registers, EFER, XCR0, MSRs and CPUID gets back. Each must get
 * what a CPU without VMX would give (#UD, #GP, an answer) and never stop
 * the guest, fail a VM entry or reach the hypervisor's own state.
 *
 * Booted with run="trap cr3 on", so that MOV to CR3 exits too.
 *
 * Selftest already covers: the eleven VMX instructions at CPL 0 (#UD),
 * IA32_FEATURE_CONTROL read and a write setting bit 2, RDMSR 0x480 and
 * 0x48C and WRMSR 0x481, CR4.VMXE, XSETBV with CR4.OSXSAVE=0, without
 * x87, AVX without SSE, ECX=1 and bit 63, CPUID 0x4FFFFFFF and 0xFFFFFFFF.
 *
 * Ends with "N passed, N failed", N the number of attacks.
 */
#include "../sdk/sdk.h"

#define VEC_UD SDK_VEC_UD
#define VEC_GP SDK_VEC_GP

#define CR0_PE (1u << 0)
#define CR0_NE (1u << 5)
#define CR0_NW (1u << 29)
#define CR0_CD (1u << 30)
#define CR0_PG (1u << 31)
#define CR4_PSE (1u << 4)
#define CR4_PAE (1u << 5)
#define CR4_OSXSAVE (1u << 18)
#define MSR_EFER 0xC0000080u
#define EFER_LME (1ull << 8)
#define EFER_LMA (1ull << 10)

static uint32_t get_cr0(void) { uint32_t v; __asm__ volatile("mov %%cr0, %0" : "=r"(v)); return v; }
static uint32_t get_cr4(void) { uint32_t v; __asm__ volatile("mov %%cr4, %0" : "=r"(v)); return v; }
static void put_cr0(uint32_t v) { __asm__ volatile("mov %0, %%cr0" : : "r"(v) : "memory"); }
static void put_cr4(uint32_t v) { __asm__ volatile("mov %0, %%cr4" : : "r"(v) : "memory"); }
static void put_cr3(uint32_t v) { __asm__ volatile("mov %0, %%cr3" : : "r"(v) : "memory"); }

static uint32_t cr_value;
static void set_cr0(void *a) { (void)a; put_cr0(cr_value); }
static void set_cr4(void *a) { (void)a; put_cr4(cr_value); }
static void set_cr3(void *a) { (void)a; put_cr3(cr_value); }

/* ---- VMX from ring 3 and the VMX instructions selftest leaves out ------ */

static void u_vmcall_version(void *a) { (void)a; sdk_hypercall(HC_VERSION, 0, 0, 0, 0); }
static void u_vmcall_shutdown(void *a) { (void)a; sdk_hypercall(HC_SHUTDOWN, 7, 0, 0, 0); }
static uint64_t vmxon_region;
static void u_vmxon(void *a) { (void)a; __asm__ volatile("vmxon %0" : : "m"(vmxon_region)); }
static uint32_t user_cpuid;
static void u_cpuid(void *a) { (void)a; user_cpuid = sdk_cpuid(0x40000000, 0).ebx; }
static void i_vmfunc(void *a) { (void)a; __asm__ volatile(".byte 0x0f, 0x01, 0xd4" : : "a"(0), "c"(0)); }
static void i_getsec(void *a) { (void)a; __asm__ volatile("getsec" : : "a"(0) : "ebx", "ecx", "edx"); }

static void vmx_instructions(void)
{
    int v = sdk_catch_user(u_vmcall_version, 0);
    sdk_checkf(v == VEC_UD, "vmcall HC_VERSION at CPL 3 -> #UD (got %d)", v);
    v = sdk_catch_user(u_vmcall_shutdown, 0);
    sdk_checkf(v == VEC_UD, "vmcall HC_SHUTDOWN at CPL 3 -> #UD, the guest goes on (got %d)", v);
    v = sdk_catch_user(u_vmxon, 0);
    sdk_checkf(v == VEC_UD, "vmxon at CPL 3 -> #UD (got %d)", v);
    v = sdk_catch_user(u_cpuid, 0);
    sdk_checkf(v == -1 && user_cpuid == 0x6f6e6f6d, "cpuid at CPL 3 answered like at CPL 0 (got %d, %#x)",
               v, user_cpuid);
    v = sdk_catch(i_vmfunc, 0);
    sdk_checkf(v == VEC_UD, "vmfunc -> #UD (got %d)", v);
    v = sdk_catch(i_getsec, 0);
    sdk_checkf(v == VEC_UD, "getsec -> #UD (got %d)", v);
}

/* ---- MSRs ----------------------------------------------------------------- */

/* AMD's: VM_CR as firmware leaves SVM disabled and locked, the host save
 * area's address and the SVM lock key, none of them the guest's (the CPU
 * it sees has no SVM: APM Vol. 2, 15.30). */
static void svm_msrs(void)
{
    uint64_t cr0 = 0, cr1 = 0;
    sdk_rdmsr(0xC0010114, &cr0);
    int v = sdk_wrmsr(0xC0010114, 0);
    sdk_rdmsr(0xC0010114, &cr1);
    sdk_checkf(v == VEC_GP && cr1 == cr0 && (cr0 & 0x18) == 0x18,
               "vm_cr write 0 (unlock, enable svm) -> #GP, still %#llx (got %d)", (unsigned long long)cr1, v);
    v = sdk_wrmsr(0xC0010117, 0x1000);
    sdk_checkf(v == VEC_GP, "vm_hsave_pa write (aim the host save area) -> #GP (got %d)", v);
    v = sdk_rdmsr(0xC0010118, 0);
    sdk_checkf(v == VEC_GP, "svm_key read -> #GP (got %d)", v);
}

/* Intel's: the VMX capability MSRs and IA32_FEATURE_CONTROL as a CPU
 * without VMX (its firmware locked it) gives them. */
static void vmx_msrs(void)
{
    unsigned rd_gp = 0, wr_gp = 0, n = 0;
    for (uint32_t m = 0x480; m <= 0x491; m++, n++) {
        uint64_t v;
        rd_gp += sdk_rdmsr(m, &v) == VEC_GP;
        wr_gp += sdk_wrmsr(m, 0) == VEC_GP;
    }
    sdk_checkf(rd_gp == n, "every VMX capability MSR 0x480-0x491 read -> #GP (%u of %u)", rd_gp, n);
    sdk_checkf(wr_gp == n, "every VMX capability MSR 0x480-0x491 written -> #GP (%u of %u)", wr_gp, n);
    uint64_t fc0 = 0, fc1 = 0;
    sdk_rdmsr(0x3A, &fc0);
    int v = sdk_wrmsr(0x3A, 0);
    sdk_rdmsr(0x3A, &fc1);
    sdk_checkf(v == VEC_GP && fc1 == fc0, "feature control write 0 (unlock) -> #GP, still %#llx (got %d)",
               (unsigned long long)fc1, v);
}

static void msrs(void)
{
    if (sdk_vmmcall)
        svm_msrs();
    else
        vmx_msrs();
    int v = sdk_rdmsr(0x40000000, 0);
    sdk_checkf(v == VEC_GP, "rdmsr 0x40000000 (hypervisor MSR range) -> #GP (got %d)", v);
    v = sdk_wrmsr(0xFFFFFFFF, 1);
    sdk_checkf(v == VEC_GP, "wrmsr 0xffffffff -> #GP (got %d)", v);
    /* MSRs whose guest value lives in the VMCS: a value the CPU refuses
     * must be refused, not stored where it would fail the next VM entry. */
    v = sdk_wrmsr(0x176, 0x8000000000000000ull);
    sdk_checkf(v == VEC_GP, "sysenter_eip non-canonical -> #GP (got %d)", v);
    v = sdk_wrmsr(0xC0000100, 0x0000800000000000ull);
    sdk_checkf(v == VEC_GP, "fs_base non-canonical -> #GP (got %d)", v);
    v = sdk_wrmsr(0x277, 0x0007040600070402ull);       /* entry 0: type 2 is reserved */
    sdk_checkf(v == VEC_GP, "pat with a reserved memory type -> #GP (got %d)", v);
    v = sdk_wrmsr(0x1D9, 1ull << 63);
    sdk_checkf(v == VEC_GP, "debugctl reserved bit 63 -> #GP (got %d)", v);
}

/* ---- EFER ----------------------------------------------------------------- */

/* One page directory of 4 MiB pages mapping the low 4 GiB 1:1. */
static uint32_t pd32[1024] __attribute__((aligned(4096)));

static void paging_on_32(void)
{
    for (uint32_t i = 0; i < 1024; i++)
        pd32[i] = (i << 22) | 0x83;
    put_cr4(get_cr4() | CR4_PSE);
    put_cr3((uint32_t)pd32);
    put_cr0(get_cr0() | CR0_PG);
}

static void paging_off(void)
{
    put_cr0(get_cr0() & ~CR0_PG);
}

static void efer(void)
{
    uint64_t e0 = 0, e1 = 0;
    sdk_rdmsr(MSR_EFER, &e0);
    int v = sdk_wrmsr(MSR_EFER, e0 | 2);
    sdk_checkf(v == VEC_GP, "efer reserved bit 1 -> #GP (got %d)", v);
    v = sdk_wrmsr(MSR_EFER, e0 | (1ull << 63));
    sdk_checkf(v == VEC_GP, "efer reserved bit 63 -> #GP (got %d)", v);
    /* LMA is read-only: writing it outside IA-32e mode changes nothing. */
    v = sdk_wrmsr(MSR_EFER, e0 | EFER_LMA);
    sdk_rdmsr(MSR_EFER, &e1);
    sdk_checkf(v == -1 && !(e1 & EFER_LMA),
               "efer.lma written outside long mode is ignored (got %d, efer %#llx)", v, (unsigned long long)e1);
    sdk_wrmsr(MSR_EFER, e0);
    /* LME cannot change while paging is on (SDM Vol. 3A, 10.8.5). */
    paging_on_32();
    v = sdk_wrmsr(MSR_EFER, e0 | EFER_LME);
    sdk_rdmsr(MSR_EFER, &e1);
    paging_off();
    sdk_checkf(v == VEC_GP && !(e1 & EFER_LME), "efer.lme set with paging on -> #GP (got %d, efer %#llx)", v,
               (unsigned long long)e1);
    sdk_wrmsr(MSR_EFER, e0);
}

/* ---- CR0, CR4 -------------------------------------------------------------- */

/* PAE tables: the first GiB identity-mapped with 2 MiB pages; PDPTE 3
 * is filled in by the test. */
static uint64_t pae_pdpt[4] __attribute__((aligned(32)));
static uint64_t pae_bad[4] __attribute__((aligned(32)));
static uint64_t pae_pd[512] __attribute__((aligned(4096)));

static void control_registers(void)
{
    uint32_t cr0 = get_cr0(), cr4 = get_cr4();
    cr_value = cr4 | (1u << 31);
    int v = sdk_catch(set_cr4, 0);
    sdk_checkf(v == VEC_GP && get_cr4() == cr4, "cr4 reserved bit 31 -> #GP (got %d)", v);
    cr_value = (cr0 | CR0_PG) & ~CR0_PE;
    v = sdk_catch(set_cr0, 0);
    sdk_checkf(v == VEC_GP && get_cr0() == cr0, "cr0 pg without pe -> #GP (got %d)", v);
    /* NW without CD is #GP; with NE cleared the write exits. */
    cr_value = (cr0 & ~(CR0_NE | CR0_CD)) | CR0_NW;
    v = sdk_catch(set_cr0, 0);
    uint32_t after = get_cr0();
    put_cr0(cr0);
    sdk_checkf(v == VEC_GP && after == cr0, "cr0 nw without cd (ne cleared: exits) -> #GP (got %d, cr0 %#x)",
               v, after);

    /* PAE paging turned on with a PDPTE that sets a reserved bit: MOV to
     * CR0 loads the PDPTEs and must #GP (SDM Vol. 3A, 4.4.1). The first
     * GiB, where this code runs, is mapped properly in case it does not.
     * AMD's CPUs load no PDPTEs at a MOV (a reserved bit faults as a #PF
     * when a walk meets it): Intel's rule only. */
    if (sdk_vmmcall) {
        sdk_puts("note: pdpte checks at mov to cr0/cr3 skipped: Intel's rule (AMD walks them later)\n");
        return;
    }
    for (uint32_t i = 0; i < 512; i++)
        pae_pd[i] = ((uint64_t)i << 21) | 0x83;
    pae_pdpt[0] = (uint32_t)pae_pd | 1;
    pae_pdpt[1] = pae_pdpt[2] = 0;
    pae_pdpt[3] = (uint32_t)pae_pd | 1 | (1u << 1);     /* bit 1: reserved */
    put_cr3((uint32_t)pae_pdpt);
    put_cr4(cr4 | CR4_PAE);
    cr_value = cr0 | CR0_PG;
    v = sdk_catch(set_cr0, 0);
    after = get_cr0();
    put_cr0(cr0);
    put_cr4(cr4);
    sdk_checkf(v == VEC_GP && !(after & CR0_PG), "pae paging with a reserved bit in a pdpte -> #GP (got %d)",
               v);

    /* The same PDPT loaded by MOV to CR3 under PAE paging: the CPU checks
     * it, or the hypervisor when `trap cr3` makes the MOV exit. */
    pae_bad[0] = pae_pdpt[0];
    pae_bad[1] = pae_pdpt[1] = 0;
    pae_bad[2] = pae_pdpt[2] = 0;
    pae_bad[3] = pae_pdpt[3];
    pae_pdpt[3] = 0;
    put_cr3((uint32_t)pae_pdpt);
    put_cr4(cr4 | CR4_PAE);
    put_cr0(cr0 | CR0_PG);
    cr_value = (uint32_t)pae_bad;
    v = sdk_catch(set_cr3, 0);
    uint32_t cr3;
    __asm__ volatile("mov %%cr3, %0" : "=r"(cr3));
    put_cr0(cr0);
    put_cr4(cr4);
    sdk_checkf(v == VEC_GP && cr3 == (uint32_t)pae_pdpt,
               "mov to cr3 of a pdpt with a reserved bit under pae paging -> #GP, cr3 kept (got %d)", v);
}

/* ---- XSETBV ------------------------------------------------------------------ */

static uint32_t xcr_index, xcr_lo, xcr_hi;
static void do_xsetbv(void *a)
{
    (void)a;
    __asm__ volatile("xsetbv" : : "c"(xcr_index), "a"(xcr_lo), "d"(xcr_hi));
}

static void xsetbv(void)
{
    if (!(sdk_cpuid(1, 0).ecx & (1u << 26))) {
        sdk_check(true, "xsetbv ecx=0xffffffff skipped: no XSAVE");
        sdk_check(true, "xsetbv all ones skipped: no XSAVE");
        return;
    }
    put_cr4(get_cr4() | CR4_OSXSAVE);
    xcr_index = 0xFFFFFFFF, xcr_lo = 3, xcr_hi = 0;
    int v = sdk_catch(do_xsetbv, 0);
    sdk_checkf(v == VEC_GP, "xsetbv ecx=0xffffffff -> #GP (got %d)", v);
    xcr_index = 0, xcr_lo = 0xFFFFFFFF, xcr_hi = 0xFFFFFFFF;
    v = sdk_catch(do_xsetbv, 0);
    uint32_t lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    sdk_checkf(v == VEC_GP && lo != 0xFFFFFFFF, "xsetbv xcr0 all ones -> #GP, xcr0 still %#x (got %d)", lo,
               v);
}

/* ---- CPUID -------------------------------------------------------------------- */

static bool vmx_hidden(void)
{
    struct sdk_cpuid r = sdk_cpuid(1, 0);
    return !(r.ecx & (1u << 5)) && (r.ecx & (1u << 31));
}

static void cpuid_leaves(void)
{
    static const uint32_t absurd[] = { 0x7FFFFFFF, 0x8000FFFF, 0x8FFFFFFF, 0xC0000000, 0xBFFFFFFF };
    for (unsigned i = 0; i < sizeof(absurd) / sizeof(absurd[0]); i++) {
        struct sdk_cpuid a = sdk_cpuid(absurd[i], 0xFFFFFFFF), b = sdk_cpuid(absurd[i], 0);
        sdk_checkf(a.eax == b.eax && a.ebx == b.ebx && vmx_hidden(),
                   "cpuid %#x answered (eax=%#x), the same twice, vmx still hidden", absurd[i], a.eax);
    }
    bool zero = true;
    for (uint32_t l = 0x40000002; l <= 0x400000FF; l++) {
        struct sdk_cpuid r = sdk_cpuid(l, l);
        zero &= !r.eax && !r.ebx && !r.ecx && !r.edx;
    }
    sdk_check(zero, "cpuid 0x40000002-0x400000ff (beyond the hypervisor's max leaf) all zero");
    static const uint32_t subleaf[] = { 4, 7, 0xB, 0xD, 0x12, 0x14, 0x1F };
    bool answered = true;
    for (unsigned i = 0; i < sizeof(subleaf) / sizeof(subleaf[0]); i++)
        (void)sdk_cpuid(subleaf[i], 0xFFFFFFFF), answered &= vmx_hidden();
    sdk_check(answered, "cpuid leaves 4, 7, 0xb, 0xd, 0x12, 0x14, 0x1f with subleaf 0xffffffff answered");
}

int main(void)
{
    sdk_puts("attack_cpu: start\n");
    vmx_instructions();
    msrs();
    efer();
    control_registers();
    xsetbv();
    cpuid_leaves();
    sdk_finish();
}
