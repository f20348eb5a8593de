/*
 * paging.c - conformance: paging protections and the TLB in 64-bit mode
 * (SDM Vol. 3A, chapter 4): access rights (4.6) with CR0.WP, SMEP, SMAP
 * and execute-disable, protection keys (4.6.2), page-fault error codes and
 * CR2 (4.7), reserved bits at every level (4.5.4), the accessed and dirty
 * flags (4.8), UMIP (2.5), and the TLB invalidations of INVLPG, MOV to
 * CR3, CR4.PGE, PCIDs and INVPCID (4.10). Also CR0.WP against CR0.CD/NW
 * and a PKRU + CR0 sequence a known test suite runs.
 *
 * The identity map is all user pages: parts that need supervisor pages
 * mark the guest's own image supervisor (image_supervisor) and keep only
 * the pages under test user ones, so that SMEP and SMAP can be on while
 * the SDK runs. Other mappings go through a private PML4 slot (PRIV)
 * whose tables the parts set freely without touching the identity map.
 *
 * One file over 800 lines, on purpose: one guest (booted natively and under monovisor,
 * compared line by line) whose checks all edit the same identity map,
 * fault handler and CR2/error-code recorder; apart, each part would carry
 * its own copy of that set-up and boot twice more.
 */
#include "conf.h"

#define RDPKRU ".byte 0x0f, 0x01, 0xee"
#define WRPKRU ".byte 0x0f, 0x01, 0xef"

FAULT_FN(f_read, "", "mov (%rdi), %rax", "");
FAULT_FN(f_write, "", "movq $0x5a5a, (%rdi)", "");
FAULT_FN(f_fetch, "", "call *%rdi", "");
FAULT_FN(f_read_ac, "stac", "mov (%rdi), %rax", "clac");
FAULT_FN(f_write_ac, "stac", "movq $0x5a5a, (%rdi)", "clac");
FAULT_FN(f_stac, "", "stac", "clac");
FAULT_FN(f_wcr0, "", "mov %rdi, %cr0", "");
FAULT_FN(f_wcr3, "", "mov %rdi, %cr3", "");
FAULT_FN(f_wcr4, "", "mov %rdi, %cr4", "");
FAULT_FN(f_load_ds, "", "mov %edi, %ds", "mov $0x10, %eax; mov %eax, %ds");
FAULT_FN(f_load_ds_ac, "stac", "mov %edi, %ds", "mov $0x10, %eax; mov %eax, %ds; clac");
FAULT_FN(f_sgdt, "sub $16, %rsp", "sgdt (%rsp)", "add $16, %rsp");
FAULT_FN(f_sidt, "sub $16, %rsp", "sidt (%rsp)", "add $16, %rsp");
FAULT_FN(f_sldt, "", "sldt %ax", "");
FAULT_FN(f_smsw, "", "smsw %ax", "");
FAULT_FN(f_str, "", "str %ax", "");
FAULT_FN(f_rdpkru, "xor %ecx, %ecx", RDPKRU, "");
FAULT_FN(f_rdpkru_ecx, "mov $1, %ecx", RDPKRU, "");
FAULT_FN(f_wrpkru, "mov %edi, %eax; xor %ecx, %ecx; xor %edx, %edx", WRPKRU, "");
FAULT_FN(f_wrpkru_edx, "mov %edi, %eax; xor %ecx, %ecx; mov $1, %edx", WRPKRU, "");
/* arg: struct invpcid_arg (the type, then the 16-byte descriptor). */
FAULT_FN(f_invpcid, "mov (%rdi), %rax; lea 8(%rdi), %rcx", "invpcid (%rcx), %rax", "");

#define PTE_P   (1ull << 0)
#define PTE_W   (1ull << 1)
#define PTE_U   (1ull << 2)
#define PTE_A   (1ull << 5)
#define PTE_D   (1ull << 6)
#define PTE_PS  (1ull << 7)
#define PTE_G   (1ull << 8)
#define PTE_NX  (1ull << 63)
#define PTE_PKEY(k) ((uint64_t)(k) << 59)
#define PTE_PKEY_MASK (0xFull << 59)

#define PF_P    0x01
#define PF_W    0x02
#define PF_U    0x04
#define PF_RSVD 0x08
#define PF_ID   0x10
#define PF_PK   0x20

#define PKEY    2
#define PKRU_AD (1u << (2 * PKEY))          /* 0x10 */
#define PKRU_WD (2u << (2 * PKEY))          /* 0x20 */

#define WVAL    0x5a5aull                   /* what f_write stores */

extern char sdk_image_start[], sdk_image_end[];

/* Pages under test. */
static uint8_t pg_data[4096] __attribute__((aligned(4096)));    /* user data */
static uint8_t pg_sdata[4096] __attribute__((aligned(4096)));   /* supervisor data */
static uint8_t pg_code[4096] __attribute__((aligned(4096)));    /* user code */
static uint8_t pg_scode[4096] __attribute__((aligned(4096)));   /* supervisor code */
static uint64_t frame_a[512] __attribute__((aligned(4096)));
static uint64_t frame_b[512] __attribute__((aligned(4096)));
/* A GDT whose first page stays supervisor and whose second is a user page. */
static uint64_t gdt_pages[2][512] __attribute__((aligned(4096)));
/* The private mapping at PRIV: PML4 slot 1. */
static uint64_t priv_pdpt[512] __attribute__((aligned(4096)));
static uint64_t priv_pd[512] __attribute__((aligned(4096)));
static uint64_t priv_pt[512] __attribute__((aligned(4096)));
static volatile uint64_t marker = 0x1234567887654321ull;

#define PRIV     (1ull << 39)
#define PRIV_2M  (PRIV + (2ull << 20))      /* priv_pd[1] */
#define PRIV_1G  (PRIV + (1ull << 30))      /* priv_pdpt[1] */
#define PRIV_BAD (2ull << 39)               /* PML4 slot 2 */

static uint64_t *pte_data, *pte_sdata, *pte_code, *pte_scode;
static uint64_t sv_data, sv_sdata, sv_code, sv_scode;

struct dtr {
    uint16_t limit;
    uint64_t base;
} __attribute__((packed));

static struct dtr gdtr_orig;

struct invpcid_arg {
    uint64_t type, pcid, addr;
};

static inline uint32_t rdpkru(void)
{
    uint32_t a, d;
    __asm__ volatile(RDPKRU : "=a"(a), "=d"(d) : "c"(0));
    return a;
}

static inline void wrpkru(uint32_t v)
{
    __asm__ volatile(WRPKRU : : "a"(v), "c"(0), "d"(0) : "memory");
}

static int try_cr4(uint64_t v) { return sdk_catch(f_wcr4, (void *)v); }

/* MOV to CR3 with itself: drops the non-global TLB entries and the
 * paging-structure caches (4.10.4.1). */
static void flush(void)
{
    write_cr3(read_cr3());
}

/* A read (write) of va the compiler keeps in place and does not cache
 * memory across: the paging structures it reads next change under it. */
static uint64_t rd64(uint64_t va)
{
    uint64_t v;
    __asm__ volatile("mov (%1), %0" : "=r"(v) : "r"(va) : "memory");
    return v;
}

static void wr64(uint64_t va, uint64_t v)
{
    __asm__ volatile("mov %1, (%0)" : : "r"(va), "r"(v) : "memory");
}

/* Access va (fn: f_read, f_write, f_fetch...) at CPL 0 or 3 and expect a
 * #PF with error code err at CR2 va. */
static void expect_pf(bool user, void (*fn)(void *), uint64_t va, int64_t err, const char *name)
{
    int v = user ? conf_fault_user(fn, (void *)va, VEC_PF, err, -1, "%s", name)
                 : conf_fault(fn, (void *)va, VEC_PF, err, -1, "%s", name);
    conf_eq(v == VEC_PF ? sdk_fault.cr2 : 0, va, "%s.cr2", name);
    if (fn == f_fetch)
        conf_eq(v == VEC_PF ? sdk_fault.rip : 0, va, "%s.rip", name);
}

static void expect_ok(bool user, void (*fn)(void *), uint64_t va, const char *name)
{
    if (user)
        conf_fault_user(fn, (void *)va, CONF_NONE, -1, -1, "%s", name);
    else
        conf_fault(fn, (void *)va, CONF_NONE, -1, -1, "%s", name);
}

static bool is_test_page(uint64_t va)
{
    return va == (uintptr_t)pg_data || va == (uintptr_t)pg_sdata || va == (uintptr_t)pg_code ||
           va == (uintptr_t)pg_scode || va == (uintptr_t)frame_a || va == (uintptr_t)frame_b ||
           va == (uintptr_t)gdt_pages[1];
}

/* The guest image's pages (but those under test) supervisor or user. */
static void image_supervisor(bool sup)
{
    for (uint64_t va = (uintptr_t)sdk_image_start & ~0xFFFull; va < (uintptr_t)sdk_image_end;
         va += 4096) {
        if (is_test_page(va))
            continue;
        uint64_t *pte = conf_pte(va);
        *pte = sup ? *pte & ~PTE_U : *pte | PTE_U;
    }
    conf_flush_tlb_all();
}

static void set_pte(uint64_t *pte, uint64_t v, uint64_t va)
{
    *pte = v;
    invlpg(va);
}

static void restore_ptes(void)
{
    set_pte(pte_data, sv_data, (uintptr_t)pg_data);
    set_pte(pte_sdata, sv_sdata, (uintptr_t)pg_sdata);
    set_pte(pte_code, sv_code, (uintptr_t)pg_code);
    set_pte(pte_scode, sv_scode, (uintptr_t)pg_scode);
}

/* The private mapping: PRIV -> frame_a (PTE 0), PRIV + 4 KiB -> frame_b. */
static void priv_reset(void)
{
    for (int i = 0; i < 512; i++)
        priv_pdpt[i] = priv_pd[i] = priv_pt[i] = 0;
    priv_pt[0] = sdk_phys(frame_a) | 7;
    priv_pt[1] = sdk_phys(frame_b) | 7;
    priv_pd[0] = sdk_phys(priv_pt) | 7;
    priv_pdpt[0] = sdk_phys(priv_pd) | 7;
    sdk_pml4[1] = sdk_phys(priv_pdpt) | 7;
    sdk_pml4[2] = 0;
    flush();
}

static void setup(void)
{
    __asm__ volatile("sgdt %0" : "=m"(gdtr_orig));
    pte_data = conf_pte((uintptr_t)pg_data);
    pte_sdata = conf_pte((uintptr_t)pg_sdata);
    pte_code = conf_pte((uintptr_t)pg_code);
    pte_scode = conf_pte((uintptr_t)pg_scode);
    sv_data = *pte_data;
    sv_sdata = *pte_sdata & ~PTE_U;         /* supervisor pages from now on */
    sv_code = *pte_code;
    sv_scode = *pte_scode & ~PTE_U;
    restore_ptes();
    pg_code[0] = pg_scode[0] = 0xC3;        /* RET */
    frame_a[0] = 0xAAAAAAAAAAAAAAAAull;
    frame_b[0] = 0xBBBBBBBBBBBBBBBBull;
    ((uint8_t *)frame_a)[64] = 0xC3;
    priv_reset();
    /* Every image page has a 4 KiB PTE now, before any part toggles them. */
    image_supervisor(false);
}

/* ---- CR0.WP (4.6.1) ---- */

static void write_protect(void)
{
    uint64_t d = (uintptr_t)pg_data, s = (uintptr_t)pg_sdata;
    uint64_t cr0 = read_cr0();
    conf_eq(cr0 & CR0_WP, CR0_WP, "wp.initially_set");
    set_pte(pte_data, sv_data & ~PTE_W, d);
    set_pte(pte_sdata, sv_sdata & ~PTE_W, s);

    expect_pf(false, f_write, d, PF_P | PF_W, "wp.wp1.sup_write_ro_user_page");
    expect_pf(false, f_write, s, PF_P | PF_W, "wp.wp1.sup_write_ro_supervisor_page");
    expect_ok(false, f_read, d, "wp.wp1.sup_read_ro_user_page");
    expect_pf(true, f_write, d, PF_P | PF_W | PF_U, "wp.wp1.user_write_ro_user_page");
    expect_ok(true, f_read, d, "wp.wp1.user_read_ro_user_page");

    conf_fault(f_wcr0, (void *)(cr0 & ~CR0_WP), CONF_NONE, -1, -1, "wp.clear_wp");
    conf_eq(read_cr0(), cr0 & ~CR0_WP, "wp.clear_wp.readback");
    *(volatile uint64_t *)pg_data = 0;
    expect_ok(false, f_write, d, "wp.wp0.sup_write_ro_user_page");
    conf_eq(*(volatile uint64_t *)pg_data, WVAL, "wp.wp0.sup_write_ro_user_page.value");
    expect_ok(false, f_write, s, "wp.wp0.sup_write_ro_supervisor_page");
    expect_pf(true, f_write, d, PF_P | PF_W | PF_U, "wp.wp0.user_write_ro_user_page");
    expect_pf(true, f_read, s, PF_P | PF_U, "wp.wp0.user_read_supervisor_page");
    /* R/W clear in the PDE instead (4.6.1: every level counts). */
    set_pte(pte_data, sv_data, d);
    priv_pd[0] &= ~PTE_W;
    flush();
    expect_ok(false, f_write, PRIV, "wp.wp0.sup_write_ro_pde");
    expect_pf(true, f_write, PRIV, PF_P | PF_W | PF_U, "wp.wp0.user_write_ro_pde");

    conf_fault(f_wcr0, (void *)cr0, CONF_NONE, -1, -1, "wp.set_wp");
    conf_eq(read_cr0(), cr0, "wp.set_wp.readback");
    expect_pf(false, f_write, PRIV, PF_P | PF_W, "wp.wp1.sup_write_ro_pde");
    set_pte(pte_data, sv_data & ~PTE_W, d);
    expect_pf(false, f_write, d, PF_P | PF_W, "wp.restored.sup_write_ro_user_page");
    write_cr0(cr0);
    restore_ptes();
    priv_reset();
}

/* ---- CR0.CD/NW and CR0.WP together ---- */

static void cache_disable(void)
{
    uint64_t d = (uintptr_t)pg_data;
    uint64_t cr0 = read_cr0();
    set_pte(pte_data, sv_data & ~PTE_W, d);

    /* MOVs to CR0 that change CD/NW together with NE: a hypervisor
     * that owns NE (CR0 guest/host mask) sees these exit, and VM entry
     * never loads CR0.CD/NW (SDM Vol. 3C, 27.3.2.1): it must apply them
     * itself. main() left CD = NW = 0; clearing NE is allowed. */
    conf_fault(f_wcr0, (void *)((cr0 & ~CR0_NE) | CR0_CD | CR0_NW), CONF_NONE, -1, -1,
               "cr0.clear_ne_set_cd_nw");
    conf_eq(read_cr0(), (cr0 & ~CR0_NE) | CR0_CD | CR0_NW, "cr0.clear_ne_set_cd_nw.readback");
    conf_fault(f_wcr0, (void *)cr0, CONF_NONE, -1, -1, "cr0.set_ne_clear_cd_nw");
    conf_eq(read_cr0(), cr0, "cr0.set_ne_clear_cd_nw.readback");
    write_cr0(cr0 | CR0_CD | CR0_NW);
    conf_fault(f_wcr0, (void *)(cr0 & ~CR0_NE), CONF_NONE, -1, -1, "cr0.clear_ne_clear_cd_nw");
    conf_eq(read_cr0(), cr0 & ~CR0_NE, "cr0.clear_ne_clear_cd_nw.readback");
    conf_fault(f_wcr0, (void *)(cr0 | CR0_CD | CR0_NW), CONF_NONE, -1, -1, "cr0.set_ne_set_cd_nw");
    conf_eq(read_cr0(), cr0 | CR0_CD | CR0_NW, "cr0.set_ne_set_cd_nw.readback");
    write_cr0(cr0);
    conf_eq(read_cr0(), cr0, "cr0.clear_cd_nw.readback");
    /* NW without CD is #GP, exiting write or not. */
    conf_fault(f_wcr0, (void *)((cr0 & ~(CR0_NE | CR0_CD)) | CR0_NW), VEC_GP, 0, -1,
               "cr0.clear_ne_nw_without_cd");
    conf_eq(read_cr0(), cr0, "cr0.clear_ne_nw_without_cd.unchanged");
    write_cr0(cr0);

    conf_fault(f_wcr0, (void *)(cr0 | CR0_CD), CONF_NONE, -1, -1, "cr0.set_cd");
    conf_eq(read_cr0(), cr0 | CR0_CD, "cr0.set_cd.readback");
    expect_pf(false, f_write, d, PF_P | PF_W, "cr0.cd.wp1.sup_write_ro");
    conf_fault(f_wcr0, (void *)(cr0 | CR0_CD | CR0_NW), CONF_NONE, -1, -1, "cr0.set_cd_nw");
    conf_eq(read_cr0(), cr0 | CR0_CD | CR0_NW, "cr0.set_cd_nw.readback");
    /* NW without CD: #GP(0) (MOV to CR0, "Protected Mode Exceptions"). */
    conf_fault(f_wcr0, (void *)((cr0 & ~CR0_CD) | CR0_NW), VEC_GP, 0, -1, "cr0.nw_without_cd");
    conf_eq(read_cr0(), cr0 | CR0_CD | CR0_NW, "cr0.nw_without_cd.unchanged");
    conf_fault(f_wcr0, (void *)((cr0 & ~CR0_WP) | CR0_CD | CR0_NW), CONF_NONE, -1, -1,
               "cr0.clear_wp_cd_nw");
    conf_eq(read_cr0(), (cr0 & ~CR0_WP) | CR0_CD | CR0_NW, "cr0.clear_wp_cd_nw.readback");
    *(volatile uint64_t *)pg_data = 0;
    expect_ok(false, f_write, d, "cr0.cd_nw.wp0.sup_write_ro");
    conf_eq(*(volatile uint64_t *)pg_data, WVAL, "cr0.cd_nw.wp0.sup_write_ro.value");
    conf_fault(f_wcr0, (void *)(cr0 & ~CR0_WP), CONF_NONE, -1, -1, "cr0.clear_cd_nw_wp0");
    conf_eq(read_cr0(), cr0 & ~CR0_WP, "cr0.clear_cd_nw_wp0.readback");
    expect_ok(false, f_write, d, "cr0.wp0.sup_write_ro");
    conf_fault(f_wcr0, (void *)(cr0 | CR0_CD | CR0_NW), CONF_NONE, -1, -1, "cr0.set_wp_cd_nw");
    conf_eq(read_cr0(), cr0 | CR0_CD | CR0_NW, "cr0.set_wp_cd_nw.readback");
    expect_pf(false, f_write, d, PF_P | PF_W, "cr0.cd_nw.wp1.sup_write_ro");
    conf_fault(f_wcr0, (void *)cr0, CONF_NONE, -1, -1, "cr0.restore");
    conf_eq(read_cr0(), cr0, "cr0.restore.readback");
    write_cr0(cr0);
    restore_ptes();
}

/* ---- SMEP (4.6.1) ---- */

static void smep(void)
{
    if (!cpuid_bit(7, 0, EBX, 7)) {
        conf_skip("no SMEP", "smep.set_cr4");
        conf_fault(f_wcr4, (void *)(read_cr4() | CR4_SMEP), VEC_GP, 0, -1, "smep.set_cr4_unsupported");
        return;
    }
    uint64_t cr4 = read_cr4(), c = (uintptr_t)pg_code, sc = (uintptr_t)pg_scode;
    conf_eq(rdmsr(MSR_EFER) & EFER_NXE, 0, "smep.efer_nxe_clear");
    image_supervisor(true);
    conf_fault(f_wcr4, (void *)(cr4 | CR4_SMEP), CONF_NONE, -1, -1, "smep.set_cr4");
    conf_eq(read_cr4() & CR4_SMEP, CR4_SMEP, "smep.set_cr4.readback");
    /* I/D is set with SMEP even though EFER.NXE is clear (4.7). */
    expect_pf(false, f_fetch, c, PF_P | PF_ID, "smep.on.sup_fetch_user_page");
    expect_ok(false, f_fetch, sc, "smep.on.sup_fetch_supervisor_page");
    expect_ok(false, f_read, c, "smep.on.sup_read_user_page");
    expect_ok(false, f_write, (uintptr_t)pg_data, "smep.on.sup_write_user_page");
    /* A user PDE over a supervisor PTE is a supervisor page: runs. The
     * private mapping is user at every level: its fetch faults. */
    expect_pf(false, f_fetch, PRIV + 64, PF_P | PF_ID, "smep.on.sup_fetch_user_private");
    priv_pt[0] &= ~PTE_U;
    invlpg(PRIV);
    expect_ok(false, f_fetch, PRIV + 64, "smep.on.sup_fetch_pte_supervisor");
    priv_pt[0] |= PTE_U;
    priv_pd[0] &= ~PTE_U;
    flush();
    expect_ok(false, f_fetch, PRIV + 64, "smep.on.sup_fetch_pde_supervisor");
    priv_reset();
    conf_fault(f_wcr4, (void *)cr4, CONF_NONE, -1, -1, "smep.clear_cr4");
    conf_eq(read_cr4() & CR4_SMEP, 0, "smep.clear_cr4.readback");
    expect_ok(false, f_fetch, c, "smep.off.sup_fetch_user_page");
    write_cr4(cr4);
    image_supervisor(false);
}

/* ---- SMAP (4.6.1) ---- */

static void smap(void)
{
    if (!cpuid_bit(7, 0, EBX, 20)) {
        conf_skip("no SMAP", "smap.set_cr4");
        conf_fault(f_wcr4, (void *)(read_cr4() | CR4_SMAP), VEC_GP, 0, -1, "smap.set_cr4_unsupported");
        conf_fault(f_stac, 0, VEC_UD, -1, -1, "smap.stac_unsupported");
        return;
    }
    uint64_t cr4 = read_cr4(), d = (uintptr_t)pg_data, s = (uintptr_t)pg_sdata;
    conf_fault_user(f_stac, 0, VEC_UD, -1, -1, "smap.stac_cpl3");
    conf_fault(f_stac, 0, CONF_NONE, -1, -1, "smap.stac_cpl0");

    /* A GDT: the SDK's descriptors in a supervisor page, a data
     * descriptor (selector 0x1000) alone in the user page after it. */
    for (int i = 0; i < 16; i++)
        gdt_pages[0][i] = sdk_gdt[i];
    gdt_pages[1][0] = 0x00CF93000000FFFFull;    /* data, flat, accessed */
    struct dtr g = { 0x1000 + 7, (uintptr_t)gdt_pages[0] };

    *(volatile uint64_t *)pg_data = 0;
    image_supervisor(true);
    conf_fault(f_wcr4, (void *)(cr4 | CR4_SMAP), CONF_NONE, -1, -1, "smap.set_cr4");
    conf_eq(read_cr4() & CR4_SMAP, CR4_SMAP, "smap.set_cr4.readback");
    expect_pf(false, f_read, d, PF_P, "smap.on.sup_read_user_page");
    expect_pf(false, f_write, d, PF_P | PF_W, "smap.on.sup_write_user_page");
    expect_ok(false, f_read_ac, d, "smap.on.ac.sup_read_user_page");
    expect_ok(false, f_write_ac, d, "smap.on.ac.sup_write_user_page");
    expect_ok(false, f_read, s, "smap.on.sup_read_supervisor_page");
    expect_ok(false, f_write, s, "smap.on.sup_write_supervisor_page");
    /* SMAP is about data: fetching from a user page still runs. */
    expect_ok(false, f_fetch, (uintptr_t)pg_code, "smap.on.sup_fetch_user_page");
    /* A user PTE under a supervisor PDE is a supervisor page. */
    priv_pd[0] &= ~PTE_U;
    flush();
    expect_ok(false, f_read, PRIV, "smap.on.sup_read_pde_supervisor");
    priv_reset();
    expect_pf(false, f_read, PRIV, PF_P, "smap.on.sup_read_user_private");
    /* Implicit supervisor accesses (a descriptor load) to a user page
     * fault whatever RFLAGS.AC is (4.6.1). Bochs 2.7 deviates with AC=1:
     * its SMAP check looks at RFLAGS.AC for implicit accesses too, so
     * smap.on.ac.implicit_gdt_read fails natively (no #PF). */
    __asm__ volatile("lgdt %0" : : "m"(g));
    int v = conf_fault(f_load_ds, (void *)0x1000ul, VEC_PF, PF_P, -1, "smap.on.implicit_gdt_read");
    conf_eq(v == VEC_PF ? sdk_fault.cr2 : 0, (uintptr_t)gdt_pages[1], "smap.on.implicit_gdt_read.cr2");
    v = conf_fault(f_load_ds_ac, (void *)0x1000ul, VEC_PF, PF_P, -1, "smap.on.ac.implicit_gdt_read");
    conf_eq(v == VEC_PF ? sdk_fault.cr2 : 0, (uintptr_t)gdt_pages[1], "smap.on.ac.implicit_gdt_read.cr2");
    __asm__ volatile("lgdt %0" : : "m"(gdtr_orig));
    conf_fault(f_wcr4, (void *)cr4, CONF_NONE, -1, -1, "smap.clear_cr4");
    conf_eq(read_cr4() & CR4_SMAP, 0, "smap.clear_cr4.readback");
    conf_eq(*(volatile uint64_t *)pg_data, WVAL, "smap.on.ac.sup_write_user_page.value");
    expect_ok(false, f_read, d, "smap.off.sup_read_user_page");
    expect_ok(false, f_write, d, "smap.off.sup_write_user_page");
    __asm__ volatile("lgdt %0" : : "m"(g));
    conf_fault(f_load_ds, (void *)0x1000ul, CONF_NONE, -1, -1, "smap.off.implicit_gdt_read");
    __asm__ volatile("lgdt %0" : : "m"(gdtr_orig));
    write_cr4(cr4);
    image_supervisor(false);
}

/* ---- UMIP (2.5, CR4.UMIP) ---- */

static void umip(void)
{
    static const struct {
        void (*fn)(void *);
        const char *name;
    } insns[] = { { f_sgdt, "sgdt" }, { f_sidt, "sidt" }, { f_sldt, "sldt" },
                  { f_smsw, "smsw" }, { f_str, "str" } };
    uint64_t cr4 = read_cr4();
    for (unsigned i = 0; i < 5; i++)
        conf_fault_user(insns[i].fn, 0, CONF_NONE, -1, -1, "umip.off.cpl3.%s", insns[i].name);
    if (!cpuid_bit(7, 0, ECX, 2)) {
        conf_skip("no UMIP", "umip.set_cr4");
        conf_fault(f_wcr4, (void *)(cr4 | CR4_UMIP), VEC_GP, 0, -1, "umip.set_cr4_unsupported");
        return;
    }
    conf_fault(f_wcr4, (void *)(cr4 | CR4_UMIP), CONF_NONE, -1, -1, "umip.set_cr4");
    conf_eq(read_cr4() & CR4_UMIP, CR4_UMIP, "umip.set_cr4.readback");
    for (unsigned i = 0; i < 5; i++) {
        conf_fault_user(insns[i].fn, 0, VEC_GP, 0, -1, "umip.on.cpl3.%s", insns[i].name);
        conf_fault(insns[i].fn, 0, CONF_NONE, -1, -1, "umip.on.cpl0.%s", insns[i].name);
    }
    conf_fault(f_wcr4, (void *)cr4, CONF_NONE, -1, -1, "umip.clear_cr4");
    conf_fault_user(f_sgdt, 0, CONF_NONE, -1, -1, "umip.cleared.cpl3.sgdt");
    write_cr4(cr4);
}

/* ---- execute-disable (4.6.2 of EFER.NXE; 4.5.4 reserved with NXE=0) ---- */

static void execute_disable(void)
{
    uint64_t efer = rdmsr(MSR_EFER), sc = (uintptr_t)pg_scode;
    /* NXE clear: bit 63 is reserved at every level; I/D stays 0 (4.7). */
    conf_eq(efer & EFER_NXE, 0, "nx.efer_nxe_initially_clear");
    priv_pt[0] |= PTE_NX;
    invlpg(PRIV);
    expect_pf(false, f_read, PRIV, PF_P | PF_RSVD, "nx.nxe0.pte.sup_read");
    expect_pf(false, f_write, PRIV, PF_P | PF_W | PF_RSVD, "nx.nxe0.pte.sup_write");
    expect_pf(false, f_fetch, PRIV + 64, PF_P | PF_RSVD, "nx.nxe0.pte.sup_fetch");
    expect_pf(true, f_read, PRIV, PF_P | PF_U | PF_RSVD, "nx.nxe0.pte.user_read");
    priv_reset();
    priv_pd[0] |= PTE_NX;
    flush();
    expect_pf(false, f_read, PRIV, PF_P | PF_RSVD, "nx.nxe0.pde.sup_read");
    priv_reset();
    expect_pf(true, f_fetch, sc, PF_P | PF_U, "nx.nxe0.user_fetch_supervisor_page");
    if (!cpuid_bit(0x80000001, 0, EDX, 20)) {
        conf_skip("no NX", "nx.nxe1");
        return;
    }
    wrmsr(MSR_EFER, efer | EFER_NXE);
    conf_eq(rdmsr(MSR_EFER) & EFER_NXE, EFER_NXE, "nx.set_nxe.readback");
    expect_ok(false, f_fetch, PRIV + 64, "nx.nxe1.sup_fetch_executable");
    priv_pt[0] |= PTE_NX;
    invlpg(PRIV);
    expect_pf(false, f_fetch, PRIV + 64, PF_P | PF_ID, "nx.nxe1.pte.sup_fetch");
    expect_pf(true, f_fetch, PRIV + 64, PF_P | PF_U | PF_ID, "nx.nxe1.pte.user_fetch");
    expect_ok(false, f_read, PRIV, "nx.nxe1.pte.sup_read");
    expect_ok(true, f_read, PRIV, "nx.nxe1.pte.user_read");
    priv_reset();
    priv_pdpt[0] |= PTE_NX;
    flush();
    expect_pf(false, f_fetch, PRIV + 64, PF_P | PF_ID, "nx.nxe1.pdpte.sup_fetch");
    priv_reset();
    sdk_pml4[1] |= PTE_NX;
    flush();
    expect_pf(false, f_fetch, PRIV + 64, PF_P | PF_ID, "nx.nxe1.pml4e.sup_fetch");
    priv_reset();
    expect_pf(true, f_fetch, sc, PF_P | PF_U | PF_ID, "nx.nxe1.user_fetch_supervisor_page");
    /* Not present: P clear, I/D set (4.7). */
    priv_pt[0] &= ~PTE_P;
    invlpg(PRIV);
    expect_pf(false, f_fetch, PRIV + 64, PF_ID, "nx.nxe1.fetch_not_present");
    priv_reset();
    wrmsr(MSR_EFER, efer);
    conf_eq(rdmsr(MSR_EFER), efer, "nx.efer_restored");
}

/* ---- reserved bits (4.5.4, 4.7 RSVD) ---- */

static void reserved_bits(void)
{
    unsigned maxphys = sdk_cpuid(0x80000000, 0).eax >= 0x80000008 ?
                       sdk_cpuid(0x80000008, 0).eax & 0xFF : 36;
    if (maxphys < 52) {
        uint64_t bit = 1ull << maxphys;
        priv_pt[0] |= bit;
        invlpg(PRIV);
        expect_pf(false, f_read, PRIV, PF_P | PF_RSVD, "rsvd.maxphyaddr.pte.sup_read");
        expect_pf(false, f_write, PRIV, PF_P | PF_W | PF_RSVD, "rsvd.maxphyaddr.pte.sup_write");
        expect_pf(true, f_read, PRIV, PF_P | PF_U | PF_RSVD, "rsvd.maxphyaddr.pte.user_read");
        priv_reset();
        priv_pt[0] |= (1ull << 51);
        invlpg(PRIV);
        expect_pf(false, f_read, PRIV, PF_P | PF_RSVD, "rsvd.bit51.pte.sup_read");
        priv_reset();
        priv_pd[0] |= bit;
        flush();
        expect_pf(false, f_read, PRIV, PF_P | PF_RSVD, "rsvd.maxphyaddr.pde.sup_read");
        priv_reset();
        priv_pdpt[0] |= bit;
        flush();
        expect_pf(false, f_read, PRIV, PF_P | PF_RSVD, "rsvd.maxphyaddr.pdpte.sup_read");
        priv_reset();
        sdk_pml4[1] |= bit;
        flush();
        expect_pf(false, f_read, PRIV, PF_P | PF_RSVD, "rsvd.maxphyaddr.pml4e.sup_read");
        priv_reset();
        /* Reserved bits of a not-present entry are ignored: P clear, no RSVD. */
        priv_pt[0] = (priv_pt[0] | bit) & ~PTE_P;
        invlpg(PRIV);
        expect_pf(false, f_read, PRIV, 0, "rsvd.not_present_entry_ignored");
        priv_reset();
    } else {
        conf_skip("MAXPHYADDR is 52", "rsvd.maxphyaddr");
    }
    /* PS (bit 7) is reserved in a PML4E. */
    sdk_pml4[2] = sdk_phys(priv_pdpt) | 7 | PTE_PS;
    flush();
    expect_pf(false, f_read, PRIV_BAD, PF_P | PF_RSVD, "rsvd.pml4e_ps.sup_read");
    sdk_pml4[2] = 0;
    priv_reset();
    /* A 2 MiB page: bits 20:13 reserved. */
    uint64_t m = (uintptr_t)&marker, base = m & ~0x1FFFFFull;
    priv_pd[1] = base | PTE_PS | 7;
    flush();
    conf_eq(rd64(PRIV_2M + (m - base)), marker, "rsvd.pde_2m.control_read");
    priv_pd[1] |= 1ull << 13;
    flush();
    expect_pf(false, f_read, PRIV_2M + (m - base), PF_P | PF_RSVD, "rsvd.pde_2m_bit13.sup_read");
    priv_reset();
    /* A 1 GiB page: bits 29:13 reserved; without 1-GByte pages PS itself is. */
    uint64_t gb = m & ~0x3FFFFFFFull;
    priv_pdpt[1] = gb | PTE_PS | 7;
    flush();
    if (cpuid_bit(0x80000001, 0, EDX, 26)) {
        conf_eq(rd64(PRIV_1G + (m - gb)), marker, "rsvd.pdpte_1g.control_read");
        priv_pdpt[1] |= 1ull << 13;
        flush();
        expect_pf(false, f_read, PRIV_1G + (m - gb), PF_P | PF_RSVD, "rsvd.pdpte_1g_bit13.sup_read");
    } else {
        expect_pf(false, f_read, PRIV_1G + (m - gb), PF_P | PF_RSVD, "rsvd.pdpte_ps_no_1g_pages");
    }
    priv_reset();
}

/* ---- accessed and dirty flags (4.8) ---- */

static void accessed_dirty(void)
{
    uint64_t ad = PTE_A | PTE_D;
    priv_pt[0] &= ~ad;
    priv_pd[0] &= ~ad;
    priv_pdpt[0] &= ~ad;
    sdk_pml4[1] &= ~ad;
    flush();
    conf_eq(rd64(PRIV), frame_a[0], "ad.read.value");
    conf_eq(priv_pt[0] & ad, PTE_A, "ad.read.pte_a_set_d_clear");
    conf_eq(priv_pd[0] & PTE_A, PTE_A, "ad.read.pde_a_set");
    conf_eq(priv_pdpt[0] & PTE_A, PTE_A, "ad.read.pdpte_a_set");
    conf_eq(sdk_pml4[1] & PTE_A, PTE_A, "ad.read.pml4e_a_set");
    priv_pt[0] &= ~ad;
    invlpg(PRIV);
    expect_ok(false, f_write, PRIV + 8, "ad.write");
    conf_eq(priv_pt[0] & ad, ad, "ad.write.pte_a_d_set");
    conf_eq(frame_a[1], WVAL, "ad.write.value");
    /* A write through a cached clean translation sets D too. */
    priv_pt[0] &= ~ad;
    invlpg(PRIV);
    (void)rd64(PRIV);
    conf_eq(priv_pt[0] & ad, PTE_A, "ad.read_then_write.after_read");
    expect_ok(false, f_write, PRIV + 8, "ad.read_then_write.write");
    conf_eq(priv_pt[0] & ad, ad, "ad.read_then_write.pte_d_set");
    priv_pt[0] &= ~ad;
    invlpg(PRIV);
    expect_ok(true, f_read, PRIV, "ad.user_read");
    conf_eq(priv_pt[0] & ad, PTE_A, "ad.user_read.pte_a_set_d_clear");
    priv_pt[0] &= ~ad;
    invlpg(PRIV);
    expect_ok(false, f_fetch, PRIV + 64, "ad.fetch");
    conf_eq(priv_pt[0] & ad, PTE_A, "ad.fetch.pte_a_set_d_clear");
    /* A 2 MiB page: A and D in the PDE. */
    uint64_t m = (uintptr_t)&marker, base = m & ~0x1FFFFFull;
    priv_pd[1] = base | PTE_PS | 7;
    flush();
    (void)rd64(PRIV_2M + (m - base));
    conf_eq(priv_pd[1] & ad, PTE_A, "ad.pde_2m.read_a_set_d_clear");
    wr64(PRIV_2M + (m - base), marker);
    conf_eq(priv_pd[1] & ad, ad, "ad.pde_2m.write_d_set");
    frame_a[1] = 0;
    priv_reset();
}

/* ---- the TLB (4.10) ---- */

static void tlb(void)
{
    priv_pt[0] = sdk_phys(frame_a) | 7;
    invlpg(PRIV);
    conf_eq(rd64(PRIV), frame_a[0], "tlb.initial_frame_a");
    /* Without an invalidation the old translation may still be used
     * (4.10.4.3): not checked. */
    priv_pt[0] = sdk_phys(frame_b) | 7;
    invlpg(PRIV);
    conf_eq(rd64(PRIV), frame_b[0], "tlb.invlpg.new_frame");
    priv_pt[0] = sdk_phys(frame_a) | 7;
    write_cr3(read_cr3());
    conf_eq(rd64(PRIV), frame_a[0], "tlb.mov_cr3.new_frame");
    conf_eq(rd64(PRIV + 4096), frame_b[0], "tlb.second_pte");

    uint64_t cr4 = read_cr4();
    if (cpuid_bit(1, 0, EDX, 13)) {
        conf_fault(f_wcr4, (void *)(cr4 | CR4_PGE), CONF_NONE, -1, -1, "tlb.set_pge");
        priv_pt[0] = sdk_phys(frame_b) | 7 | PTE_G;
        invlpg(PRIV);
        conf_eq(rd64(PRIV), frame_b[0], "tlb.global.initial_frame_b");
        priv_pt[0] = sdk_phys(frame_a) | 7 | PTE_G;
        write_cr4(cr4 & ~CR4_PGE);
        write_cr4(cr4 | CR4_PGE);
        conf_eq(rd64(PRIV), frame_a[0], "tlb.global.pge_toggle.new_frame");
        priv_pt[0] = sdk_phys(frame_b) | 7 | PTE_G;
        invlpg(PRIV);
        conf_eq(rd64(PRIV), frame_b[0], "tlb.global.invlpg.new_frame");
        /* Global entries may survive MOV to CR3 (4.10.4.1): not checked;
         * clearing PGE drops them. */
        priv_pt[0] = sdk_phys(frame_a) | 7 | PTE_G;
        write_cr3(read_cr3());
        write_cr4(cr4 & ~CR4_PGE);
        conf_eq(rd64(PRIV), frame_a[0], "tlb.global.pge_clear.new_frame");
        write_cr4(cr4);
        conf_eq(read_cr4(), cr4, "tlb.cr4_restored");
    } else {
        conf_skip("no PGE", "tlb.global");
    }
    priv_reset();
}

/* ---- PCIDs (4.10.1, MOV to CR3 / CR4) ---- */

static void pcid(void)
{
    uint64_t cr3 = read_cr3(), cr4 = read_cr4();
    /* Bit 63 of CR3 is reserved with CR4.PCIDE clear. */
    conf_fault(f_wcr3, (void *)(cr3 | (1ull << 63)), VEC_GP, 0, -1, "pcid.off.cr3_bit63");
    write_cr3(cr3);
    if (!cpuid_bit(1, 0, ECX, 17)) {
        conf_skip("no PCID", "pcid.set_pcide");
        conf_fault(f_wcr4, (void *)(cr4 | CR4_PCIDE), VEC_GP, 0, -1, "pcid.set_pcide_unsupported");
        return;
    }
    /* CR3[11:0] must be 0 to set PCIDE (MOV to CR4, #GP). */
    conf_fault(f_wcr3, (void *)(cr3 | 1), CONF_NONE, -1, -1, "pcid.off.cr3_low_bits");
    conf_eq(read_cr3(), cr3 | 1, "pcid.off.cr3_low_bits.readback");
    conf_fault(f_wcr4, (void *)(cr4 | CR4_PCIDE), VEC_GP, 0, -1, "pcid.set_pcide_cr3_low_bits_set");
    conf_eq(read_cr4() & CR4_PCIDE, 0, "pcid.set_pcide_cr3_low_bits_set.unchanged");
    /* The same with CR4.PKE set in the same write (a bit a hypervisor
     * may own, so that this MOV exits to it). */
    if (cpuid_bit(7, 0, ECX, 3)) {
        conf_fault(f_wcr4, (void *)(cr4 | CR4_PCIDE | CR4_PKE), VEC_GP, 0, -1,
                   "pcid.set_pcide_pke_cr3_low_bits_set");
        conf_eq(read_cr4(), cr4, "pcid.set_pcide_pke_cr3_low_bits_set.unchanged");
        write_cr3(cr3 | 1);
        write_cr4(cr4);
    } else {
        conf_skip("no PKU", "pcid.set_pcide_pke_cr3_low_bits_set");
    }
    write_cr3(cr3);
    conf_fault(f_wcr4, (void *)(cr4 | CR4_PCIDE), CONF_NONE, -1, -1, "pcid.set_pcide");
    conf_eq(read_cr4() & CR4_PCIDE, CR4_PCIDE, "pcid.set_pcide.readback");
    conf_fault(f_wcr3, (void *)(cr3 | 1), CONF_NONE, -1, -1, "pcid.cr3_pcid1");
    conf_eq(read_cr3(), cr3 | 1, "pcid.cr3_pcid1.readback");
    conf_eq(rd64(PRIV), frame_a[0], "pcid.pcid1.read");
    priv_pt[0] = sdk_phys(frame_b) | 7;
    conf_fault(f_wcr3, (void *)(cr3 | 1), CONF_NONE, -1, -1, "pcid.cr3_pcid1_flush");
    conf_eq(rd64(PRIV), frame_b[0], "pcid.cr3_pcid1_flush.new_frame");
    conf_fault(f_wcr3, (void *)(cr3 | 1 | (1ull << 63)), CONF_NONE, -1, -1, "pcid.cr3_noflush");
    conf_eq(read_cr3(), cr3 | 1, "pcid.cr3_noflush.bit63_not_stored");
    priv_pt[0] = sdk_phys(frame_a) | 7;
    invlpg(PRIV);
    conf_eq(rd64(PRIV), frame_a[0], "pcid.invlpg.new_frame");
    conf_fault(f_wcr3, (void *)(cr3 | 0x123), CONF_NONE, -1, -1, "pcid.cr3_pcid123");
    conf_eq(read_cr3(), cr3 | 0x123, "pcid.cr3_pcid123.readback");
    conf_fault(f_wcr3, (void *)cr3, CONF_NONE, -1, -1, "pcid.cr3_pcid0");
    conf_fault(f_wcr4, (void *)cr4, CONF_NONE, -1, -1, "pcid.clear_pcide");
    conf_eq(read_cr4() & CR4_PCIDE, 0, "pcid.clear_pcide.readback");
    conf_eq(read_cr3(), cr3, "pcid.cr3_restored");
    write_cr4(cr4);
    write_cr3(cr3);
    priv_reset();
}

/* ---- INVPCID (Vol. 2A, INVPCID) ---- */

static struct invpcid_arg ipa;

static void invpcid_try(uint64_t type, uint64_t pcid, uint64_t addr)
{
    ipa = (struct invpcid_arg){ type, pcid, addr };
}

static void invpcid(void)
{
    if (!cpuid_bit(7, 0, EBX, 10)) {
        conf_skip("no INVPCID", "invpcid");
        invpcid_try(0, 0, 0);
        conf_fault(f_invpcid, &ipa, VEC_UD, -1, -1, "invpcid.unsupported");
        return;
    }
    uint64_t cr4 = read_cr4();
    static const char *tn[] = { "type0", "type1", "type2", "type3" };
    /* Valid descriptors (PCID 0, PCIDE clear): no fault. */
    for (unsigned t = 0; t < 4; t++) {
        invpcid_try(t, 0, PRIV);
        conf_fault(f_invpcid, &ipa, CONF_NONE, -1, -1, "invpcid.%s.valid", tn[t]);
    }
    /* Descriptor bits 63:12 are reserved whatever the type (#GP). */
    for (unsigned t = 0; t < 4; t++) {
        invpcid_try(t, 0x1000, PRIV);
        conf_fault(f_invpcid, &ipa, VEC_GP, 0, -1, "invpcid.%s.reserved_bits", tn[t]);
    }
    invpcid_try(0, 0, 0x8000000000000000ull);
    conf_fault(f_invpcid, &ipa, VEC_GP, 0, -1, "invpcid.type0.noncanonical");
    invpcid_try(2, 0, 0x8000000000000000ull);
    conf_fault(f_invpcid, &ipa, CONF_NONE, -1, -1, "invpcid.type2.noncanonical_ignored");
    invpcid_try(4, 0, PRIV);
    conf_fault(f_invpcid, &ipa, VEC_GP, 0, -1, "invpcid.type4");
    /* The type is the whole 64-bit register in 64-bit mode: 2^32 > 3 is
     * #GP. Bochs 2.7 deviates (it looks at the low 32 bits and runs it
     * as type 0): invpcid.type_bit32 fails natively. */
    invpcid_try(1ull << 32, 0, PRIV);
    conf_fault(f_invpcid, &ipa, VEC_GP, 0, -1, "invpcid.type_bit32");
    /* CR4.PCIDE clear: types 0 and 1 with a PCID other than 0 are #GP. */
    invpcid_try(0, 1, PRIV);
    conf_fault(f_invpcid, &ipa, VEC_GP, 0, -1, "invpcid.type0.pcid1_pcide_clear");
    invpcid_try(1, 1, PRIV);
    conf_fault(f_invpcid, &ipa, VEC_GP, 0, -1, "invpcid.type1.pcid1_pcide_clear");
    invpcid_try(0, 0, PRIV);
    conf_fault_user(f_invpcid, &ipa, VEC_GP, 0, -1, "invpcid.cpl3");
    /* Each type drops the translation of PRIV (PCID 0, not global). */
    for (unsigned t = 0; t < 4; t++) {
        uint64_t *f = t & 1 ? frame_a : frame_b;
        priv_pt[0] = sdk_phys(f) | 7;
        invpcid_try(t, 0, PRIV);
        sdk_catch(f_invpcid, &ipa);
        conf_eq(rd64(PRIV), f[0], "invpcid.%s.new_frame", tn[t]);
    }
    /* Type 2 drops global translations too. */
    if (cpuid_bit(1, 0, EDX, 13)) {
        write_cr4(cr4 | CR4_PGE);
        priv_pt[0] = sdk_phys(frame_a) | 7 | PTE_G;
        invlpg(PRIV);
        (void)rd64(PRIV);
        priv_pt[0] = sdk_phys(frame_b) | 7 | PTE_G;
        invpcid_try(2, 0, 0);
        sdk_catch(f_invpcid, &ipa);
        conf_eq(rd64(PRIV), frame_b[0], "invpcid.type2.global_new_frame");
        write_cr4(cr4);
    }
    /* With PCIDE: PCID 1 in type 0 and 1 is fine. */
    if (cpuid_bit(1, 0, ECX, 17) && try_cr4(cr4 | CR4_PCIDE) == CONF_NONE) {
        invpcid_try(0, 1, PRIV);
        conf_fault(f_invpcid, &ipa, CONF_NONE, -1, -1, "invpcid.type0.pcid1_pcide_set");
        invpcid_try(1, 0xFFF, PRIV);
        conf_fault(f_invpcid, &ipa, CONF_NONE, -1, -1, "invpcid.type1.pcidfff_pcide_set");
        write_cr4(cr4);
    }
    write_cr4(cr4);
    priv_reset();
}

/* ---- protection keys (4.6.2) ---- */

/* The known suite's way (kvm-unit-tests x86/pku.c): a #PF handler on an
 * IST stack that counts, clears PKRU and returns, so that the access is
 * retried and completes. A fault that is not a protection-key one ends
 * the handler's use: it faults again into sdk_catch. */
static volatile uint64_t kut_pf_count, kut_pf_error, kut_pf_cr2;

static void kut_pf(struct sdk_frame *f)
{
    if (!(f->error & PF_PK)) {
        sdk_set_handler(VEC_PF, 0);
        return;
    }
    kut_pf_count++;
    kut_pf_error = f->error;
    kut_pf_cr2 = read_cr2();
    wrpkru(0);
}

/* One access of the sequence: fn at va with PKRU pkru; then how many
 * #PFs the handler took (want_pf), their error code and the value
 * written or read. */
static void kut_access(void (*fn)(void *), uint64_t va, uint32_t pkru, unsigned want_pf,
                       uint64_t want_error, const char *name)
{
    kut_pf_count = 0;
    kut_pf_error = kut_pf_cr2 = 0;
    *(volatile uint64_t *)va = 0x1111;
    invlpg(va);
    wrpkru(pkru);
    conf_fault(fn, (void *)va, CONF_NONE, -1, -1, "%s", name);
    wrpkru(0);
    conf_eq(kut_pf_count, want_pf, "%s.pf_count", name);
    conf_eq(kut_pf_error, want_pf ? want_error : 0, "%s.pf_error", name);
    conf_eq(kut_pf_cr2, want_pf ? va : 0, "%s.pf_cr2", name);
    conf_eq(*(volatile uint64_t *)va, fn == f_write ? WVAL : 0x1111, "%s.value", name);
}

static void kut_sequence(uint64_t cr0)
{
    uint64_t d = (uintptr_t)pg_data, s = (uintptr_t)pg_sdata;
    uint64_t wp1 = cr0 | CR0_WP, wp0 = cr0 & ~CR0_WP;
    sdk_set_ist(VEC_PF, 1);
    sdk_set_handler(VEC_PF, kut_pf);
    /* kvm-unit-tests' checks (its "supervisor page" is a supervisor
     * page with key 2, its USER_VAR the user page with key 2). Bochs 2.7
     * deviates on kut.sup_page_wd_wp1 (it applies WD to supervisor
     * pages: a #PF) and on kut.read_user_page_ad and
     * kut.cd.user_page_ad_wp0 (no #PF: AD is checked at CPL 3 only). */
    write_cr0(wp1);
    kut_access(f_write, s, PKRU_AD, 0, 0, "pku.kut.sup_page_ad_wp1");
    write_cr0(wp0);
    kut_access(f_write, s, PKRU_AD, 0, 0, "pku.kut.sup_page_ad_wp0");
    write_cr0(wp1);
    kut_access(f_write, s, PKRU_WD, 0, 0, "pku.kut.sup_page_wd_wp1");
    write_cr0(wp0);
    kut_access(f_write, s, PKRU_WD, 0, 0, "pku.kut.sup_page_wd_wp0");
    kut_access(f_write, d, PKRU_WD, 0, 0, "pku.kut.user_page_wd_wp0");
    write_cr0(wp1);
    kut_access(f_write, d, PKRU_WD, 1, PF_P | PF_W | PF_PK, "pku.kut.user_page_wd_wp1");
    kut_access(f_read, d, PKRU_AD, 1, PF_P | PF_PK, "pku.kut.read_user_page_ad");
    /* Then the cache-disable write: WP as before (clear), CD and NW set. */
    write_cr0(wp0);
    kut_access(f_write, s, PKRU_AD, 0, 0, "pku.kut.cd.before.sup_page_ad_wp0");
    conf_fault(f_wcr0, (void *)(wp0 | CR0_CD | CR0_NW), CONF_NONE, -1, -1, "pku.kut.cd.mov_cr0");
    conf_eq(read_cr0(), wp0 | CR0_CD | CR0_NW, "pku.kut.cd.mov_cr0.readback");
    kut_access(f_write, s, PKRU_AD, 0, 0, "pku.kut.cd.sup_page_ad_wp0");
    kut_access(f_write, d, PKRU_WD, 0, 0, "pku.kut.cd.user_page_wd_wp0");
    kut_access(f_write, d, PKRU_AD, 1, PF_P | PF_W | PF_PK, "pku.kut.cd.user_page_ad_wp0");
    conf_fault(f_wcr0, (void *)wp1, CONF_NONE, -1, -1, "pku.kut.cd.restore_cr0");
    conf_eq(read_cr0(), wp1, "pku.kut.cd.restore_cr0.readback");
    kut_access(f_write, d, PKRU_WD, 1, PF_P | PF_W | PF_PK, "pku.kut.after.user_page_wd_wp1");
    sdk_set_handler(VEC_PF, 0);
    sdk_set_ist(VEC_PF, 0);
}

struct pk_case {
    const char *name;
    bool user;
    void (*fn)(void *);
    bool on_user_page;
};

static void pkeys(void)
{
    if (!cpuid_bit(7, 0, ECX, 3)) {
        conf_skip("no PKU", "pku.set_cr4");
        conf_fault(f_rdpkru, 0, VEC_UD, -1, -1, "pku.rdpkru_unsupported");
        conf_fault(f_wcr4, (void *)(read_cr4() | CR4_PKE), VEC_GP, 0, -1, "pku.set_cr4_unsupported");
        return;
    }
    uint64_t cr4 = read_cr4(), cr0 = read_cr0();
    uint64_t d = (uintptr_t)pg_data, s = (uintptr_t)pg_sdata;
    conf_eq(cpuid_bit(7, 0, ECX, 4), 0, "pku.ospke_clear");
    conf_fault(f_rdpkru, 0, VEC_UD, -1, -1, "pku.pke0.rdpkru");
    conf_fault(f_wrpkru, 0, VEC_UD, -1, -1, "pku.pke0.wrpkru");
    conf_fault(f_wcr4, (void *)(cr4 | CR4_PKE), CONF_NONE, -1, -1, "pku.set_cr4");
    conf_eq(read_cr4() & CR4_PKE, CR4_PKE, "pku.set_cr4.readback");
    conf_eq(cpuid_bit(7, 0, ECX, 4), 1, "pku.ospke_set");
    if (!(read_cr4() & CR4_PKE))
        return;
    /* PKRU is 0 after reset (Vol. 3A, 10.1.1) and GRUB leaves it. */
    conf_eq(rdpkru(), 0, "pku.pkru_reset_value");
    conf_fault(f_rdpkru_ecx, 0, VEC_GP, 0, -1, "pku.rdpkru_ecx_nonzero");
    conf_fault(f_wrpkru_edx, 0, VEC_GP, 0, -1, "pku.wrpkru_edx_nonzero");
    conf_fault(f_wrpkru, (void *)0x12345678ul, CONF_NONE, -1, -1, "pku.wrpkru");
    conf_eq(rdpkru(), 0x12345678, "pku.wrpkru.readback");
    wrpkru(0);
    conf_fault_user(f_wrpkru, (void *)0x55555550ul, CONF_NONE, -1, -1, "pku.cpl3.wrpkru");
    conf_eq(rdpkru(), 0x55555550, "pku.cpl3.wrpkru.readback");
    conf_fault_user(f_rdpkru, 0, CONF_NONE, -1, -1, "pku.cpl3.rdpkru");
    wrpkru(0);

    /* Key 2 on the user data page, the supervisor data page and the
     * user code page. */
    set_pte(pte_data, sv_data | PTE_PKEY(PKEY), d);
    set_pte(pte_sdata, sv_sdata | PTE_PKEY(PKEY), s);
    set_pte(pte_code, sv_code | PTE_PKEY(PKEY), (uintptr_t)pg_code);
    static const struct pk_case cases[] = {
        { "user_read", true, f_read, true },     { "user_write", true, f_write, true },
        { "sup_read", false, f_read, true },     { "sup_write", false, f_write, true },
        { "sup_write_supervisor_page", false, f_write, false },
        { "sup_read_supervisor_page", false, f_read, false },
    };
    for (int ad = 1; ad >= 0; ad--) {
        for (int wp = 1; wp >= 0; wp--) {
            write_cr0(wp ? cr0 | CR0_WP : cr0 & ~CR0_WP);
            for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++) {
                const struct pk_case *c = &cases[i];
                uint64_t va = c->on_user_page ? d : s;
                bool write = c->fn == f_write;
                /* AD: no data access to a user page; WD: no user write,
                 * no supervisor write with WP (4.6.2). Supervisor pages:
                 * keys do not apply (CR4.PKS clear). Bochs 2.7 deviates
                 * twice: it checks AD for CPL 3 accesses only, so
                 * pku.ad.wp{0,1}.sup_{read,write} fail natively (no #PF),
                 * and it checks WD whatever the page's U/S, so
                 * pku.wd.wp1.sup_write_supervisor_page fails natively
                 * (#PF 0x23). */
                bool fault = c->on_user_page &&
                             (ad || (write && (c->user || wp)));
                int64_t err = PF_P | PF_PK | (write ? PF_W : 0) | (c->user ? PF_U : 0);
                const char *mode = ad ? "ad" : "wd";
                wrpkru(ad ? PKRU_AD : PKRU_WD);
                if (fault) {
                    int v = c->user ? conf_fault_user(c->fn, (void *)va, VEC_PF, err, -1,
                                                      "pku.%s.wp%d.%s", mode, wp, c->name)
                                    : conf_fault(c->fn, (void *)va, VEC_PF, err, -1,
                                                 "pku.%s.wp%d.%s", mode, wp, c->name);
                    conf_eq(v == VEC_PF ? sdk_fault.cr2 : 0, va, "pku.%s.wp%d.%s.cr2", mode, wp,
                            c->name);
                } else if (c->user) {
                    conf_fault_user(c->fn, (void *)va, CONF_NONE, -1, -1, "pku.%s.wp%d.%s", mode, wp,
                                    c->name);
                } else {
                    conf_fault(c->fn, (void *)va, CONF_NONE, -1, -1, "pku.%s.wp%d.%s", mode, wp,
                               c->name);
                }
                wrpkru(0);
            }
        }
    }
    write_cr0(cr0);
    /* Keys apply to data accesses only: fetches from a key-2 page run. */
    wrpkru(PKRU_AD | PKRU_WD);
    expect_ok(false, f_fetch, (uintptr_t)pg_code, "pku.ad.sup_fetch");
    conf_fault_user(f_fetch, pg_code, CONF_NONE, -1, -1, "pku.ad.user_fetch");
    /* Key 0 (every other page) is unaffected. */
    expect_ok(true, f_read, PRIV, "pku.ad.key0_user_read");
    wrpkru(0);

    /* The sequence a known test suite runs (kvm-unit-tests x86/pku.c
     * then a cache-disable write): PKRU AD for key 2, CR0.WP cleared,
     * supervisor writes, then CR0 | CD | NW (WP still clear), more
     * accesses, then CR0 restored. The supervisor accesses to the key-2
     * user page with AD (pku.seq.write_user_page_ad_wp0,
     * pku.seq.cd_nw.sup_{read,write}_user_page) fail natively on Bochs
     * 2.7 (no #PF: AD checked at CPL 3 only, see above). */
    wrpkru(PKRU_AD);
    conf_fault(f_wcr0, (void *)(cr0 & ~CR0_WP), CONF_NONE, -1, -1, "pku.seq.cr0_wp0");
    conf_eq(read_cr0(), cr0 & ~CR0_WP, "pku.seq.cr0_wp0.readback");
    *(volatile uint32_t *)pg_sdata = 0;
    expect_ok(false, f_write, s, "pku.seq.write_supervisor_page_ad_wp0");
    conf_eq(*(volatile uint32_t *)pg_sdata, (uint32_t)WVAL, "pku.seq.write_supervisor_page_ad_wp0.value");
    expect_pf(false, f_write, d, PF_P | PF_W | PF_PK, "pku.seq.write_user_page_ad_wp0");
    conf_fault(f_wcr0, (void *)((cr0 & ~CR0_WP) | CR0_CD | CR0_NW), CONF_NONE, -1, -1,
               "pku.seq.cr0_cd_nw");
    conf_eq(read_cr0(), (cr0 & ~CR0_WP) | CR0_CD | CR0_NW, "pku.seq.cr0_cd_nw.readback");
    conf_eq(rdpkru(), PKRU_AD, "pku.seq.cd_nw.pkru");
    conf_eq(read_cr4() & CR4_PKE, CR4_PKE, "pku.seq.cd_nw.cr4_pke");
    expect_ok(false, f_write, s, "pku.seq.cd_nw.write_supervisor_page");
    expect_ok(false, f_read, s, "pku.seq.cd_nw.read_supervisor_page");
    expect_pf(false, f_read, d, PF_P | PF_PK, "pku.seq.cd_nw.sup_read_user_page");
    expect_pf(false, f_write, d, PF_P | PF_W | PF_PK, "pku.seq.cd_nw.sup_write_user_page");
    expect_pf(true, f_read, d, PF_P | PF_U | PF_PK, "pku.seq.cd_nw.user_read_user_page");
    wrpkru(PKRU_WD);
    expect_ok(false, f_write, d, "pku.seq.cd_nw.wd.sup_write_user_page");
    expect_pf(true, f_write, d, PF_P | PF_W | PF_U | PF_PK, "pku.seq.cd_nw.wd.user_write_user_page");
    conf_fault(f_wcr0, (void *)cr0, CONF_NONE, -1, -1, "pku.seq.cr0_restore");
    conf_eq(read_cr0(), cr0, "pku.seq.cr0_restore.readback");
    expect_pf(false, f_write, d, PF_P | PF_W | PF_PK, "pku.seq.wp1.wd.sup_write_user_page");
    expect_ok(false, f_read, d, "pku.seq.wp1.wd.sup_read_user_page");
    wrpkru(0);
    expect_ok(false, f_write, d, "pku.seq.pkru0.sup_write_user_page");
    write_cr0(cr0);
    kut_sequence(cr0);

    write_cr0(cr0);
    restore_ptes();
    conf_fault(f_wcr4, (void *)cr4, CONF_NONE, -1, -1, "pku.clear_cr4");
    conf_eq(cpuid_bit(7, 0, ECX, 4), 0, "pku.ospke_clear_again");
    conf_fault(f_rdpkru, 0, VEC_UD, -1, -1, "pku.pke0_again.rdpkru");
    write_cr4(cr4);
}

int main(void)
{
    conf_begin("paging");
    /* Caches on, as an OS does first: Multiboot leaves CR0.CD/NW undefined. */
    write_cr0(read_cr0() & ~(CR0_CD | CR0_NW));
    setup();
    write_protect();
    cache_disable();
    smep();
    smap();
    umip();
    execute_disable();
    reserved_bits();
    accessed_dirty();
    tlb();
    pcid();
    invpcid();
    pkeys();
    restore_ptes();
    priv_reset();
    sdk_pml4[1] = 0;
    flush();
    conf_done();
}
