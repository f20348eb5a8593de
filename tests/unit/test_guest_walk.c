// covers: kernel/guest_walk.c
/*
 * test_guest_walk.c - host unit tests of the guest page-table walker
 * (kernel/guest_walk.c) on small page tables in an array-backed guest memory:
 * no paging, 32-bit paging (4 KiB and 4 MiB pages, PSE-36, the 4-byte
 * entries in either half of a qword), PAE, 4-level and 5-level paging
 * (4 KiB, 2 MiB and 1 GiB pages), not-present entries at every level,
 * failed reads, and the reserved bits that do not depend on MAXPHYADDR.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "../../kernel/guest_walk.h"

/* Guest memory: MEM_PAGES pages at guest-physical 0; the rest unreadable. */
#define MEM_PAGES 32
#define PAGE 4096u
#define MEM_SIZE ((uint64_t)MEM_PAGES * PAGE)

#define P  0x001ull     /* present */
#define RW 0x002ull
#define PS 0x080ull     /* page size */
#define XD (1ull << 63)

#define CR0_PE   0x1ull
#define CR0_PG   (1ull << 31)
#define CR4_PSE  (1ull << 4)
#define CR4_PAE  (1ull << 5)
#define CR4_LA57 (1ull << 12)
#define EFER_LME (1ull << 8)
#define EFER_LMA (1ull << 10)
#define EFER_NXE (1ull << 11)

struct mem {
    uint64_t q[MEM_SIZE / 8];
    unsigned reads;             /* callback calls */
    uint64_t last;              /* last gpa asked for */
};

static struct mem mem;

static bool read64(void *ctx, uint64_t gpa, uint64_t *val)
{
    struct mem *m = ctx;
    m->reads++;
    m->last = gpa;
    /* The walker promises aligned qwords below 2^52. */
    assert_true(gpa % 8 == 0);
    assert_true(gpa < (1ull << 52));
    if (gpa >= MEM_SIZE)
        return false;
    *val = m->q[gpa / 8];
    return true;
}

static void set64(uint64_t gpa, uint64_t v)
{
    assert_true(gpa % 8 == 0 && gpa < MEM_SIZE);
    mem.q[gpa / 8] = v;
}

/* A 4-byte entry of 32-bit paging, little-endian within its qword. */
static void set32(uint64_t gpa, uint32_t v)
{
    assert_true(gpa % 4 == 0 && gpa < MEM_SIZE);
    uint64_t *q = &mem.q[gpa / 8];
    if (gpa & 4)
        *q = (*q & 0xFFFFFFFFull) | ((uint64_t)v << 32);
    else
        *q = (*q & ~0xFFFFFFFFull) | v;
}

static int setup(void **state)
{
    (void)state;
    memset(&mem, 0, sizeof(mem));
    return 0;
}

/* Walk and return the result; *gpa is preset to a sentinel. */
static enum guest_walk_result walk(const struct guest_paging *p, uint64_t lin, uint64_t *gpa)
{
    mem.reads = 0;
    *gpa = 0xDEADBEEFull;
    return guest_walk(p, lin, read64, &mem, gpa);
}

static void expect_ok(const struct guest_paging *p, uint64_t lin, uint64_t want,
                      unsigned reads)
{
    uint64_t gpa;
    enum guest_walk_result r = walk(p, lin, &gpa);
    if (r != GW_OK)
        fail_msg("linear %#llx: %s", (unsigned long long)lin, guest_walk_result_name(r));
    if (gpa != want)
        fail_msg("linear %#llx: gpa %#llx, want %#llx", (unsigned long long)lin,
                 (unsigned long long)gpa, (unsigned long long)want);
    assert_int_equal(mem.reads, reads);
}

static void expect_fail(const struct guest_paging *p, uint64_t lin, enum guest_walk_result want,
                        unsigned reads)
{
    uint64_t gpa;
    enum guest_walk_result r = walk(p, lin, &gpa);
    if (r != want)
        fail_msg("linear %#llx: %s, want %s", (unsigned long long)lin,
                 guest_walk_result_name(r), guest_walk_result_name(want));
    assert_true(gpa == 0xDEADBEEFull);      /* untouched */
    assert_int_equal(mem.reads, reads);
}

/* ---- no paging ---------------------------------------------------------- */

static void test_no_paging_is_identity(void **state)
{
    (void)state;
    struct guest_paging p = { .cr0 = CR0_PE, .cr3 = 0x1000, .cr4 = CR4_PAE | CR4_PSE };
    expect_ok(&p, 0, 0, 0);
    expect_ok(&p, 0xFEE00300, 0xFEE00300, 0);
    expect_ok(&p, 0xFFFFFFFF, 0xFFFFFFFF, 0);
    /* linear addresses are 32 bits without paging */
    expect_ok(&p, 0x123456789ull, 0x23456789, 0);
    /* real mode: CR0.PE = 0 too */
    p.cr0 = 0;
    expect_ok(&p, 0xB8000, 0xB8000, 0);
}

/* ---- 32-bit paging ---------------------------------------------------------- */

static void test_32bit_4k_pages(void **state)
{
    (void)state;
    /* Page directory at 0x1000; CR3's flags (PWT, PCD) and upper half are
     * not address bits. */
    struct guest_paging p = { .cr0 = CR0_PG | CR0_PE, .cr3 = 0xABCD000000001018ull };
    /* PDE 1 (high half of the qword at 0x1000) -> table 0x2000;
     * PDE 2 (low half of the qword at 0x1008) -> table 0x3000. */
    set32(0x1000 + 1 * 4, 0x2000 | P | RW);
    set32(0x1000 + 2 * 4, 0x3000 | P);
    /* PTE 3 (high half) and PTE 4 (low half) of table 0x2000 */
    set32(0x2000 + 3 * 4, 0xFEE00000 | P | RW);
    set32(0x2000 + 4 * 4, 0x12345000 | P | 0xFE0);    /* A, D, PAT, G, ignored bits */
    /* PTE 0 of table 0x3000 */
    set32(0x3000, 0x7000 | P);

    expect_ok(&p, 0x00403ABC, 0xFEE00ABC, 2);
    expect_ok(&p, 0x00404000, 0x12345000, 2);
    expect_ok(&p, 0x00404FFF, 0x12345FFF, 2);
    expect_ok(&p, 0x00800123, 0x7123, 2);
    /* the upper half of a 64-bit linear address is not looked at */
    expect_ok(&p, 0xFFFFFFFF00403ABCull, 0xFEE00ABC, 2);

    /* not present: PDE 0, PTE 5 */
    expect_fail(&p, 0x00000000, GW_NOT_PRESENT, 1);
    expect_fail(&p, 0x00405000, GW_NOT_PRESENT, 2);
    /* a page table outside guest memory */
    set32(0x1000 + 3 * 4, 0xFFFFF000u | P);
    expect_fail(&p, 0x00C00000, GW_BAD_READ, 2);
    assert_true(mem.last == 0xFFFFF000ull);
    /* a page directory outside guest memory */
    p.cr3 = 0xFFFFE000;
    expect_fail(&p, 0x00403ABC, GW_BAD_READ, 1);
    assert_true(mem.last == 0xFFFFE000ull);
}

/* The 4-byte entries are picked from the right half of each qword: fill a
 * whole directory and table and walk every entry of them. */
static void test_32bit_every_entry(void **state)
{
    (void)state;
    struct guest_paging p = { .cr0 = CR0_PG | CR0_PE, .cr3 = 0x1000 };
    for (uint32_t i = 0; i < 1024; i++) {
        set32(0x1000 + i * 4, 0x2000 | P);              /* all PDEs -> 0x2000 */
        set32(0x2000 + i * 4, (i << 20 | i << 12) | P); /* distinct frames */
    }
    for (uint32_t d = 0; d < 1024; d += 97)
        for (uint32_t t = 0; t < 1024; t++) {
            uint32_t lin = d << 22 | t << 12 | (t & 0xFFF);
            expect_ok(&p, lin, ((t << 20 | t << 12) & 0xFFFFF000u) | (t & 0xFFF), 2);
        }
}

static void test_32bit_4m_pages(void **state)
{
    (void)state;
    struct guest_paging p = { .cr0 = CR0_PG | CR0_PE, .cr3 = 0x1000, .cr4 = CR4_PSE };
    /* PDE 3: 4 MiB page at 0xFEC00000 */
    set32(0x1000 + 3 * 4, 0xFEC00000u | PS | P | RW);
    /* PDE 4: 4 MiB page at 0x12_00400000 (PSE-36: bits 39:32 in 20:13),
     * with PAT (bit 12) set */
    set32(0x1000 + 4 * 4, 0x00400000u | (0x12u << 13) | 0x1000 | PS | P);
    /* PDE 5: bits 39:32 all ones */
    set32(0x1000 + 5 * 4, 0xFFC00000u | (0xFFu << 13) | PS | P);
    /* PDE 6: bit 21 is reserved */
    set32(0x1000 + 6 * 4, 0x00800000u | (1u << 21) | PS | P);

    expect_ok(&p, 0x00C00000, 0xFEC00000, 1);
    expect_ok(&p, 0x00E00300, 0xFEE00300, 1);
    expect_ok(&p, 0x013FFFFF, 0x12007FFFFFull, 1);
    expect_ok(&p, 0x01400000, 0xFFFFC00000ull, 1);
    expect_fail(&p, 0x01800000, GW_RESERVED, 1);
    /* PDE 8: PS = 0, a page table, with CR4.PSE as well */
    set32(0x1000 + 8 * 4, 0x6000u | P);
    set32(0x6000 + 2 * 4, 0x9000u | P);
    expect_ok(&p, 0x02002345, 0x9345, 2);

    /* Without CR4.PSE, PS is ignored: PDE 3 names a page table at
     * 0xFEC00000, outside guest memory. */
    p.cr4 = 0;
    expect_fail(&p, 0x00C00000, GW_BAD_READ, 2);
    assert_true(mem.last == 0xFEC00000ull);
    /* ... and one inside guest memory is walked as a table */
    set32(0x1000 + 7 * 4, 0x5000u | PS | P);
    set32(0x5000 + 1 * 4, 0xABCDE000u | P);
    expect_ok(&p, 0x01C01234, 0xABCDE234, 2);
    /* with CR4.PSE the same PDE is a 4 MiB page: 0x5000 has PAT (bit 12)
     * and bit 14, which PSE-36 makes address bit 33 */
    p.cr4 = CR4_PSE;
    expect_ok(&p, 0x01C01234, 0x200001234ull, 1);
}

/* ---- PAE paging ------------------------------------------------------------- */

static struct guest_paging pae(void)
{
    /* PDPT at 0x1FE0: 32-byte aligned, not page aligned, crossing into
     * the next page; bits 63:32 and 4:0 of CR3 are not address bits. */
    struct guest_paging p = { .cr0 = CR0_PG | CR0_PE, .cr3 = 0xFFFF000000001FF8ull,
                              .cr4 = CR4_PAE };
    return p;
}

static void test_pae(void **state)
{
    (void)state;
    struct guest_paging p = pae();
    /* PDPTE 3 (0x1FF8) -> PD 0x3000; PDPTE 0 (0x1FE0) -> PD 0x4000 */
    set64(0x1FE0 + 3 * 8, 0x3000 | P | 0x18);     /* PWT, PCD are allowed */
    set64(0x1FE0, 0x4000 | P | 0xE00);            /* and ignored bits 11:9 */
    /* PD 0x3000: PDE 1 -> PT 0x5000; PDE 2 -> 2 MiB page 0x2_3440_0000 */
    set64(0x3000 + 1 * 8, 0x5000 | P | RW);
    set64(0x3000 + 2 * 8, 0x234400000ull | 0x1000 | PS | P);   /* PAT bit 12 */
    /* PT 0x5000: PTE 1 -> 0xF_FFFF_F000 frame with PAT (bit 7) and G */
    set64(0x5000 + 1 * 8, 0xFFFFFF000ull | 0x180 | P);
    /* PD 0x4000, PDE 0 -> PT 0x6000, PTE 0 */
    set64(0x4000, 0x6000 | P);
    set64(0x6000, 0xFEE00000 | P);

    expect_ok(&p, 0xC0201ABC, 0xFFFFFFABCull, 3);
    expect_ok(&p, 0xC0412345, 0x234412345ull, 2);
    expect_ok(&p, 0x00000300, 0xFEE00300, 3);
    expect_ok(&p, 0xFFFFFFFF00000300ull, 0xFEE00300, 3);      /* bits 63:32 ignored */
    /* the address bits reach bit 51 */
    set64(0x3000 + 3 * 8, 0x000FFFFFFFE00000ull | PS | P);
    expect_ok(&p, 0xC07FFFFF, 0x000FFFFFFFFFFFFFull, 2);

    /* not present at each level */
    expect_fail(&p, 0x40000000, GW_NOT_PRESENT, 1);       /* PDPTE 1 */
    expect_fail(&p, 0xC0000000, GW_NOT_PRESENT, 2);       /* PDE 0 */
    expect_fail(&p, 0xC0202000, GW_NOT_PRESENT, 3);       /* PTE 2 */
    /* reads outside memory at each level */
    set64(0x1FE0 + 2 * 8, 0x7FFFF000ull | P);
    expect_fail(&p, 0x80000000, GW_BAD_READ, 2);
    set64(0x3000 + 4 * 8, 0x80000000ull | P);
    expect_fail(&p, 0xC0800000, GW_BAD_READ, 3);
    p.cr3 = 0xFFFFFFE0;
    expect_fail(&p, 0, GW_BAD_READ, 1);
}

static void test_pae_reserved_bits(void **state)
{
    (void)state;
    struct guest_paging p = pae();
    set64(0x1FE0 + 3 * 8, 0x3000 | P);
    set64(0x3000 + 1 * 8, 0x5000 | P);
    set64(0x3000 + 2 * 8, 0x00400000 | PS | P);
    set64(0x5000 + 1 * 8, 0x7000 | P);
    expect_ok(&p, 0xC0201000, 0x7000, 3);
    expect_ok(&p, 0xC0400000, 0x400000, 2);

    /* PDPTE: bits 2:1, 8:6 and 63:52 (the PDPTE has no XD); bit 5 is
     * where QEMU's walk sets an accessed flag: taken. */
    set64(0x1FE0 + 3 * 8, 0x3000 | P | 1ull << 5);
    expect_ok(&p, 0xC0201000, 0x7000, 3);
    static const unsigned pdpte_bits[] = { 1, 2, 6, 7, 8, 52, 60, 62, 63 };
    for (size_t i = 0; i < sizeof(pdpte_bits) / sizeof(pdpte_bits[0]); i++) {
        set64(0x1FE0 + 3 * 8, 0x3000 | P | 1ull << pdpte_bits[i]);
        p.efer = EFER_NXE;
        expect_fail(&p, 0xC0201000, GW_RESERVED, 1);
    }
    set64(0x1FE0 + 3 * 8, 0x3000 | P);

    /* PDE and PTE: bits 62:52; 63 unless EFER.NXE */
    static const unsigned high_bits[] = { 52, 55, 58, 59, 62 };
    for (size_t i = 0; i < sizeof(high_bits) / sizeof(high_bits[0]); i++) {
        set64(0x3000 + 1 * 8, 0x5000 | P | 1ull << high_bits[i]);
        expect_fail(&p, 0xC0201000, GW_RESERVED, 2);
        set64(0x3000 + 1 * 8, 0x5000 | P);
        set64(0x5000 + 1 * 8, 0x7000 | P | 1ull << high_bits[i]);
        expect_fail(&p, 0xC0201000, GW_RESERVED, 3);
        set64(0x5000 + 1 * 8, 0x7000 | P);
        set64(0x3000 + 2 * 8, 0x00400000 | PS | P | 1ull << high_bits[i]);
        expect_fail(&p, 0xC0400000, GW_RESERVED, 2);
        set64(0x3000 + 2 * 8, 0x00400000 | PS | P);
    }
    set64(0x5000 + 1 * 8, 0x7000 | P | XD);
    p.efer = 0;
    expect_fail(&p, 0xC0201000, GW_RESERVED, 3);
    p.efer = EFER_NXE;
    expect_ok(&p, 0xC0201000, 0x7000, 3);
    set64(0x3000 + 1 * 8, 0x5000 | P | XD);
    expect_ok(&p, 0xC0201000, 0x7000, 3);
    p.efer = 0;
    expect_fail(&p, 0xC0201000, GW_RESERVED, 2);

    /* 2 MiB page: bits 20:13 */
    p.efer = EFER_NXE;
    for (unsigned b = 13; b <= 20; b++) {
        set64(0x3000 + 2 * 8, 0x00400000 | PS | P | 1ull << b);
        expect_fail(&p, 0xC0400000, GW_RESERVED, 2);
    }
    /* ... but bit 12 is PAT */
    set64(0x3000 + 2 * 8, 0x00400000 | PS | P | 1ull << 12 | XD);
    expect_ok(&p, 0xC0400000, 0x400000, 2);
    /* a not-present entry is not checked for reserved bits */
    set64(0x3000 + 2 * 8, 0xFFFFFFFFFFFFFFFEull);
    expect_fail(&p, 0xC0400000, GW_NOT_PRESENT, 2);
}

/* LA57 means nothing outside IA-32e mode. */
static void test_pae_ignores_la57(void **state)
{
    (void)state;
    struct guest_paging p = pae();
    p.cr4 |= CR4_LA57;
    set64(0x1FE0, 0x3000 | P);
    set64(0x3000, 0x00200000 | PS | P);
    expect_ok(&p, 0x00012345, 0x00212345, 2);
}

/* ---- 4-level and 5-level paging ------------------------------------------------ */

#define IDX(lin, level) (((lin) >> (12 + 9 * ((level) - 1))) & 511)

static struct guest_paging lm(bool la57)
{
    /* CR3 bits 11:0 (PCID, or PWT/PCD) and 63:52 are not address bits */
    struct guest_paging p = { .cr0 = CR0_PG | CR0_PE, .cr3 = 0x8000000000001FFFull,
                              .cr4 = CR4_PAE | (la57 ? CR4_LA57 : 0),
                              .efer = EFER_LME | EFER_LMA | EFER_NXE };
    return p;
}

/* Tables for lin: top level at 0x1000, then 0x2000, 0x3000, ... */
static void build(uint64_t lin, int top, uint64_t leaf)
{
    for (int level = top; level > 1; level--)
        set64((uint64_t)(top - level + 1) * PAGE + IDX(lin, level) * 8,
              (uint64_t)(top - level + 2) * PAGE | P | RW);
    set64((uint64_t)top * PAGE + IDX(lin, 1) * 8, leaf);
}

static void test_4level(void **state)
{
    (void)state;
    struct guest_paging p = lm(false);
    uint64_t lin = 0x00007F1234567ABCull;
    build(lin, 4, 0x000ABCDEF0123000ull | P | RW | XD | 0x7FF0000000000000ull);
    /* bits 62:52 are ignored or protection keys: not in the address */
    expect_ok(&p, lin, 0x000ABCDEF0123ABCull, 4);
    /* the bits above 47 are not looked at */
    expect_ok(&p, lin | 0xFFFF000000000000ull, 0x000ABCDEF0123ABCull, 4);
    expect_ok(&p, lin ^ 0x0001000000000000ull, 0x000ABCDEF0123ABCull, 4);

    /* not present at each level, then a read outside memory at each level */
    for (int level = 4; level >= 1; level--) {
        uint64_t at = (uint64_t)(4 - level + 1) * PAGE + IDX(lin, level) * 8;
        uint64_t keep = mem.q[at / 8];
        set64(at, keep & ~P);
        expect_fail(&p, lin, GW_NOT_PRESENT, (unsigned)(4 - level + 1));
        set64(at, keep);
        if (level > 1) {
            set64(at, 0x7FFFF000ull | P);
            expect_fail(&p, lin, GW_BAD_READ, (unsigned)(4 - level + 2));
            assert_true(mem.last == 0x7FFFF000ull + IDX(lin, level - 1) * 8);
            set64(at, keep);
        }
    }
    p.cr3 = 0x000FFFFFFFFFF000ull;
    expect_fail(&p, lin, GW_BAD_READ, 1);
    assert_true(mem.last == 0x000FFFFFFFFFF000ull + IDX(lin, 4) * 8);
}

static void test_4level_large_pages(void **state)
{
    (void)state;
    struct guest_paging p = lm(false);
    uint64_t lin = 0xFFFFFFFF81234567ull;      /* a kernel address */
    build(lin, 4, 0);
    uint64_t pdpte_at = 2 * PAGE + IDX(lin, 3) * 8, pde_at = 3 * PAGE + IDX(lin, 2) * 8;
    uint64_t pdpte = mem.q[pdpte_at / 8];

    /* 2 MiB page, with PAT (bit 12) */
    set64(pde_at, 0x0000004000000000ull | 0x1000 | PS | P);
    expect_ok(&p, lin, 0x0000004000034567ull, 3);
    /* 1 GiB page, with PAT */
    set64(pdpte_at, 0x000FFFFFC0000000ull | 0x1000 | PS | P | XD);
    expect_ok(&p, lin, 0x000FFFFFC1234567ull, 2);

    /* 1 GiB: bits 29:13 reserved */
    for (unsigned b = 13; b <= 29; b++) {
        set64(pdpte_at, 0x40000000ull | PS | P | 1ull << b);
        expect_fail(&p, lin, GW_RESERVED, 2);
    }
    /* 2 MiB: bits 20:13 reserved, 21 is an address bit */
    set64(pdpte_at, pdpte);
    for (unsigned b = 13; b <= 20; b++) {
        set64(pde_at, 0x40000000ull | PS | P | 1ull << b);
        expect_fail(&p, lin, GW_RESERVED, 3);
    }
    set64(pde_at, 0x40000000ull | PS | P | 1ull << 21);
    expect_ok(&p, lin, 0x40234567ull, 3);
}

static void test_4level_reserved_bits(void **state)
{
    (void)state;
    struct guest_paging p = lm(false);
    uint64_t lin = 0x0000000012345000ull;
    build(lin, 4, 0x9000 | P);
    expect_ok(&p, lin, 0x9000, 4);

    /* PS in a PML4E is reserved */
    uint64_t pml4e_at = 1 * PAGE + IDX(lin, 4) * 8;
    set64(pml4e_at, mem.q[pml4e_at / 8] | PS);
    expect_fail(&p, lin, GW_RESERVED, 1);
    set64(pml4e_at, mem.q[pml4e_at / 8] & ~PS);

    /* XD is reserved at every level without EFER.NXE */
    for (int level = 4; level >= 1; level--) {
        uint64_t at = (uint64_t)(4 - level + 1) * PAGE + IDX(lin, level) * 8;
        set64(at, mem.q[at / 8] | XD);
        p.efer = EFER_LME | EFER_LMA;
        expect_fail(&p, lin, GW_RESERVED, (unsigned)(4 - level + 1));
        p.efer = EFER_LME | EFER_LMA | EFER_NXE;
        expect_ok(&p, lin, 0x9000, 4);
        set64(at, mem.q[at / 8] & ~XD);
    }
}

static void test_5level(void **state)
{
    (void)state;
    struct guest_paging p = lm(true);
    uint64_t lin = 0x00ABCDEF12345678ull;      /* bits 56:48 index the PML5 */
    build(lin, 5, 0x000FEDCBA9876000ull | P);
    expect_ok(&p, lin, 0x000FEDCBA9876678ull, 5);
    /* bits 63:57 are not looked at */
    expect_ok(&p, lin | 0xFE00000000000000ull, 0x000FEDCBA9876678ull, 5);

    /* PS in a PML5E is reserved */
    uint64_t at = 1 * PAGE + IDX(lin, 5) * 8;
    set64(at, mem.q[at / 8] | PS);
    expect_fail(&p, lin, GW_RESERVED, 1);
    set64(at, mem.q[at / 8] & ~PS);
    /* not present at the top */
    expect_fail(&p, lin ^ (1ull << 48), GW_NOT_PRESENT, 1);
    /* a 1 GiB page three levels down */
    set64(3 * PAGE + IDX(lin, 3) * 8, 0x0000008000000000ull | PS | P);
    expect_ok(&p, lin, 0x0000008000000000ull | (lin & 0x3FFFFFFF), 3);
}

/* The walk uses 4 levels without LA57, 5 with it, on the same CR3. */
static void test_la57_selects_levels(void **state)
{
    (void)state;
    uint64_t lin = 0x0000123456789000ull;
    build(lin, 4, 0x4000 | P);
    struct guest_paging p = lm(false);
    expect_ok(&p, lin, 0x4000, 4);
    p.cr4 |= CR4_LA57;
    /* now 0x1000 is a PML5 indexed by bits 56:48 (0): not present */
    expect_fail(&p, lin, GW_NOT_PRESENT, 1);
}

static void test_result_names(void **state)
{
    (void)state;
    assert_string_equal(guest_walk_result_name(GW_OK), "ok");
    assert_string_equal(guest_walk_result_name(GW_NOT_PRESENT), "not present");
    assert_string_equal(guest_walk_result_name(GW_BAD_READ), "bad read");
    assert_string_equal(guest_walk_result_name(GW_RESERVED), "reserved bit");
    assert_string_equal(guest_walk_result_name((enum guest_walk_result)4), "?");
    assert_string_equal(guest_walk_result_name((enum guest_walk_result)-1), "?");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_no_paging_is_identity, setup),
        cmocka_unit_test_setup(test_32bit_4k_pages, setup),
        cmocka_unit_test_setup(test_32bit_every_entry, setup),
        cmocka_unit_test_setup(test_32bit_4m_pages, setup),
        cmocka_unit_test_setup(test_pae, setup),
        cmocka_unit_test_setup(test_pae_reserved_bits, setup),
        cmocka_unit_test_setup(test_pae_ignores_la57, setup),
        cmocka_unit_test_setup(test_4level, setup),
        cmocka_unit_test_setup(test_4level_large_pages, setup),
        cmocka_unit_test_setup(test_4level_reserved_bits, setup),
        cmocka_unit_test_setup(test_5level, setup),
        cmocka_unit_test_setup(test_la57_selects_levels, setup),
        cmocka_unit_test(test_result_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
