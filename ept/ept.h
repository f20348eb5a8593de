/*
 * ept.h - the second-level map: entry constructors, mapping with the
 * largest pages that fit, and a walker (pure: tables are reached through
 * callbacks, so the host unit tests build real tables in malloc'd pages).
 * Two entry formats beside each other, one logic:
 *  - Intel's extended page tables: SDM Vol. 3C, 30.3.2 "EPT Translation
 *    Mechanism", tables 30-1 to 30-6; EPTP: 25.6.11;
 *  - AMD's nested page tables: the long-mode page-table format (AMD APM
 *    Vol. 2, 5.3 and 15.25): P, R/W, U/S, PWT/PCD, PS, NX; nCR3 the root.
 * The IOMMUs' DMA-remapping tables are the same radix tree over bits
 * 47:0, built by the same code in two more formats (drivers/iommu.c):
 *  - Intel VT-d second-level tables: VT-d spec 3.x, 9.8 "Second-Level
 *    Paging Entries": R (bit 0), W (bit 1), PS (bit 7) on a leaf above 4 KiB;
 *  - AMD-Vi I/O page tables: AMD IOMMU spec 3.x, 2.2.3 (Tables 14, 15): PR
 *    (bit 0), NextLevel (bits 11:9: the level of the table below, 0 on a
 *    leaf, which makes an entry above the PT a large page), IR (61), IW (62).
 * Permissions and memory types are given the EPT way (EPT_READ, EPT_WRITE,
 * EPT_EXEC, MEMTYPE_*) and translated for the others (slat_leaf); DMA
 * snoops the caches, so the IOMMU formats carry no memory type.
 */
#ifndef EPT_H
#define EPT_H

#include <stdbool.h>
#include <stdint.h>

#include "../kernel/memmap.h"
#include "../kernel/x86_regs.h"

#define EPT_READ          (1ull << 0)
#define EPT_WRITE         (1ull << 1)
#define EPT_EXEC          (1ull << 2)
#define EPT_RWX           (EPT_READ | EPT_WRITE | EPT_EXEC)
#define EPT_MEMTYPE_SHIFT 3             /* bits 5:3 of a leaf */
#define EPT_IGNORE_PAT    (1ull << 6)
#define EPT_LARGE         (1ull << 7)   /* leaf at PDPT (1 GiB) or PD (2 MiB) level */
#define EPT_ACCESSED      (1ull << 8)
#define EPT_DIRTY         (1ull << 9)
#define EPT_ADDR_MASK     0x000FFFFFFFFFF000ull

#define EPT_PAGE_4K       (1ull << 12)
#define EPT_PAGE_2M       (1ull << 21)
#define EPT_PAGE_1G       (1ull << 30)

/* EPTP fields (25.6.11). */
#define EPTP_MEMTYPE_WB   6ull
#define EPTP_WALK_4       (3ull << 3)   /* walk length minus one */
#define EPTP_AD_ENABLE    (1ull << 6)

/* The nested page tables' bits (AMD APM Vol. 2, 5.4.1, 5.3.3). NPT entries
 * are always user pages: nested walks are user accesses (15.25.5). */
#define NPT_P             (1ull << 0)
#define NPT_RW            (1ull << 1)
#define NPT_US            (1ull << 2)
#define NPT_PWT           (1ull << 3)
#define NPT_PCD           (1ull << 4)
#define NPT_ACCESSED      (1ull << 5)
#define NPT_DIRTY         (1ull << 6)
#define NPT_PS            (1ull << 7)   /* leaf at PDPT (1 GiB) or PD (2 MiB) level */
#define NPT_NX            (1ull << 63)

#define VTD_SL_R          (1ull << 0)
#define VTD_SL_W          (1ull << 1)
#define VTD_SL_PS         (1ull << 7)
#define AMDVI_PR          (1ull << 0)
#define AMDVI_NEXT_SHIFT  9
#define AMDVI_NEXT_MASK   (7ull << AMDVI_NEXT_SHIFT)
#define AMDVI_IR          (1ull << 61)
#define AMDVI_IW          (1ull << 62)

enum slat_format { SLAT_EPT, SLAT_NPT, SLAT_VTD, SLAT_AMDVI };

struct ept_ops {
    /* A zeroed 4 KiB table; returns its physical address, 0 when out of memory. */
    uint64_t (*alloc_table)(void *ctx);
    /* Pointer through which the table at physical address pa is accessed. */
    uint64_t *(*table)(void *ctx, uint64_t pa);
    void *ctx;
};

struct ept {
    struct ept_ops ops;
    enum slat_format format;
    uint64_t root;          /* physical address of the PML4 */
    bool allow_1g;          /* IA32_VMX_EPT_VPID_CAP[17] */
    bool no_2m;             /* 4 KiB leaves only (a VT-d unit without SLLPS bit 34) */
    uint64_t tables;        /* paging-structure pages in use, root included */
    uint64_t pages_4k, pages_2m, pages_1g;
};

/* ept_table_entry - a non-leaf EPT entry pointing at the table at pa (RWX). */
static inline uint64_t ept_table_entry(uint64_t pa)
{
    return (pa & EPT_ADDR_MASK) | EPT_RWX;
}

/* ept_leaf - an EPT leaf mapping pa with perms (EPT_READ|...) and memory type. */
static inline uint64_t ept_leaf(uint64_t pa, uint64_t perms, unsigned memtype, bool large)
{
    return (pa & EPT_ADDR_MASK) | (perms & EPT_RWX) | ((uint64_t)(memtype & 7) << EPT_MEMTYPE_SHIFT) |
           (large ? EPT_LARGE : 0);
}

/* The memory type of an NPT leaf is the host PAT entry its PWT and PCD
 * select (the PAT index's bit 2 left 0), combined with the MTRRs, which
 * the map's types come from (APM Vol. 2, 15.25.8; 7.8.2, Table 7-10). The
 * power-on PAT (0 WB, 1 WT, 2 UC-, 3 UC), which monovisor keeps: WB and
 * WP map to WB (the MTRRs' WP wins), WT to WT, UC to UC, WC to UC- (the
 * MTRRs' WC wins). */
static inline uint64_t npt_memtype_bits(unsigned memtype)
{
    switch (memtype) {
    case MEMTYPE_UC: return NPT_PCD | NPT_PWT;
    case MEMTYPE_WC: return NPT_PCD;
    case MEMTYPE_WT: return NPT_PWT;
    default:         return 0;
    }
}

static inline unsigned npt_memtype(uint64_t e)
{
    switch (e & (NPT_PCD | NPT_PWT)) {
    case NPT_PCD | NPT_PWT: return MEMTYPE_UC;
    case NPT_PCD:           return MEMTYPE_WC;
    case NPT_PWT:           return MEMTYPE_WT;
    default:                return MEMTYPE_WB;
    }
}

/* The format's entries, in the EPT's terms. An NPT page is readable when
 * present: EPT_READ alone (or with EXEC) is read-only, no EPT_READ is not
 * present at all. The IOMMU formats know no execute permission. */
static inline bool slat_present(enum slat_format f, uint64_t e)
{
    switch (f) {
    case SLAT_EPT: return (e & EPT_RWX) != 0;
    case SLAT_VTD: return (e & (VTD_SL_R | VTD_SL_W)) != 0;
    default:       return (e & NPT_P) != 0;     /* AMD-Vi's PR is bit 0 too */
    }
}

/* A present entry above the PT is a large page: bit 7 (EPT's "page", NPT's
 * PS, VT-d's PS), or AMD-Vi's NextLevel 0. */
static inline bool slat_large(enum slat_format f, uint64_t e)
{
    if (f == SLAT_AMDVI)
        return (e & AMDVI_NEXT_MASK) == 0;
    return (e & EPT_LARGE) != 0;
}

/* An entry pointing at the table at pa, whose level is next (1 = PT, 2 =
 * PD, 3 = PDPT): every permission, which the leaves then narrow. */
static inline uint64_t slat_table_entry(enum slat_format f, uint64_t pa, unsigned next)
{
    switch (f) {
    case SLAT_EPT:   return ept_table_entry(pa);
    case SLAT_NPT:   return (pa & EPT_ADDR_MASK) | NPT_P | NPT_RW | NPT_US;
    case SLAT_VTD:   return (pa & EPT_ADDR_MASK) | VTD_SL_R | VTD_SL_W;
    default:         return (pa & EPT_ADDR_MASK) | AMDVI_PR | (uint64_t)next << AMDVI_NEXT_SHIFT |
                            AMDVI_IR | AMDVI_IW;
    }
}

static inline uint64_t slat_leaf(enum slat_format f, uint64_t pa, uint64_t perms, unsigned memtype,
                                 bool large)
{
    uint64_t a = pa & EPT_ADDR_MASK;
    switch (f) {
    case SLAT_EPT:
        return ept_leaf(pa, perms, memtype, large);
    case SLAT_NPT:
        if (!(perms & EPT_READ))
            return 0;
        return a | NPT_P | NPT_US | ((perms & EPT_WRITE) ? NPT_RW : 0) |
               ((perms & EPT_EXEC) ? 0 : NPT_NX) | npt_memtype_bits(memtype) | (large ? NPT_PS : 0);
    case SLAT_VTD:
        if (!(perms & (EPT_READ | EPT_WRITE)))
            return 0;
        return a | (perms & (EPT_READ | EPT_WRITE)) | (large ? VTD_SL_PS : 0);  /* R, W: bits 0, 1 */
    default:
        if (!(perms & (EPT_READ | EPT_WRITE)))
            return 0;
        return a | AMDVI_PR | ((perms & EPT_READ) ? AMDVI_IR : 0) | ((perms & EPT_WRITE) ? AMDVI_IW : 0);
    }
}

/* slat_perms / slat_memtype - a leaf's permissions (EPT_READ...) and type. */
static inline uint64_t slat_perms(enum slat_format f, uint64_t e)
{
    switch (f) {
    case SLAT_EPT:
        return e & EPT_RWX;
    case SLAT_NPT:
        if (!(e & NPT_P))
            return 0;
        return EPT_READ | ((e & NPT_RW) ? EPT_WRITE : 0) | ((e & NPT_NX) ? 0 : EPT_EXEC);
    case SLAT_VTD:
        return e & (EPT_READ | EPT_WRITE);
    default:
        if (!(e & AMDVI_PR))
            return 0;
        return ((e & AMDVI_IR) ? EPT_READ : 0) | ((e & AMDVI_IW) ? EPT_WRITE : 0);
    }
}

static inline unsigned slat_memtype(enum slat_format f, uint64_t e)
{
    switch (f) {
    case SLAT_EPT: return (unsigned)((e >> EPT_MEMTYPE_SHIFT) & 7);
    case SLAT_NPT: return npt_memtype(e);
    default:       return MEMTYPE_WB;      /* snooped DMA */
    }
}

/* ept_eptp - the EPT pointer for a 4-level walk with write-back paging
 * structures, accessed/dirty flags when ad. */
static inline uint64_t ept_eptp(uint64_t root, bool ad)
{
    return (root & EPT_ADDR_MASK) | EPTP_MEMTYPE_WB | EPTP_WALK_4 | (ad ? EPTP_AD_ENABLE : 0);
}

/* ept_init - an empty map of the given format (allocates the root).
 * Returns 0 or -1. */
int ept_init(struct ept *e, enum slat_format format, struct ept_ops ops, bool allow_1g);

/*
 * ept_map - identity-map [gpa, gpa+len) (4 KiB aligned) with perms and
 * memtype, using 1 GiB / 2 MiB pages wherever alignment allows. Existing
 * leaves in the range are replaced. Returns 0, or -1 when a table cannot
 * be allocated or a large page would have to be split.
 */
int ept_map(struct ept *e, uint64_t gpa, uint64_t len, uint64_t perms, unsigned memtype);

/*
 * ept_table - the table of the given level (2 = PDPT, 1 = PD, 0 = PT;
 * the PML4 is the root) on gpa's walk, allocating the missing ones above
 * it, as ept_map would. NULL when a large page is in the way or a table
 * cannot be allocated.
 */
uint64_t *ept_table(struct ept *e, uint64_t gpa, int level);

struct ept_walk {
    int levels;             /* entries read: 1 (PML4) .. 4 (PT) */
    uint64_t entry[4];      /* PML4E, PDPTE, PDE, PTE as read */
    bool mapped;
    uint64_t hpa;           /* translation when mapped */
    uint64_t page_size;
    uint64_t perms;
    unsigned memtype;
};

/* ept_walk - translate gpa through the map, recording every level. */
void ept_walk(const struct ept *e, uint64_t gpa, struct ept_walk *w);

/* What a guest-physical address is (DESIGN.md, memory model). */
enum gpa_class {
    GPA_RAM,        /* RAM, ACPI or NVS in the guest's map: mapped write-back (MTRRs) */
    GPA_MMIO,       /* device or firmware space: mapped uncacheable, lazily */
    GPA_HV,         /* the hypervisor's region, or a device page it keeps: never mapped */
    GPA_OUTSIDE,    /* beyond the physical address width or the 48 bits EPT
                       translates, or RAM left out by mem= */
    GPA_CLASSES,
};

#define GPA_HELD_MAX 10        /* the console's and the GDB stub's UART pages, ACPI_MAX_IOMMUS register sets */
struct gpa_range {
    uint64_t start, end;
};

struct gpa_space {
    const struct memmap *guest;     /* the guest's map */
    const struct memmap *firmware;  /* the machine's map */
    uint64_t hv_start, hv_end;
    uint64_t phys_limit;            /* 1 << MAXPHYADDR */
    /* Device pages the hypervisor keeps (its MMIO console UART, the IOMMUs'
     * registers), refused as its region is. */
    struct gpa_range held[GPA_HELD_MAX];
    unsigned held_count;
};

/* gpa_held - [base, end) meets the hypervisor's region or a held range. */
static inline bool gpa_held(const struct gpa_space *s, uint64_t base, uint64_t end)
{
    if (base < s->hv_end && s->hv_start < end)
        return true;
    for (unsigned i = 0; i < s->held_count; i++)
        if (base < s->held[i].end && s->held[i].start < end)
            return true;
    return false;
}

/* gpa_classify - the class of one guest-physical address. */
enum gpa_class gpa_classify(const struct gpa_space *s, uint64_t gpa);

/* gpa_class_name - "ram", "mmio", "hypervisor", "outside". */
const char *gpa_class_name(enum gpa_class c);

struct mtrr_state;

/*
 * ept_map_typed - identity-map [start, end) (4 KiB aligned) RWX with the
 * largest pages whose memory type the MTRRs make uniform (1 GiB when
 * allowed, 2 MiB, 4 KiB). Returns 0 or -1.
 */
int ept_map_typed(struct ept *e, uint64_t start, uint64_t end, const struct mtrr_state *mt);

/*
 * ept_map_guest_ram - the static part of the guest's map: every RAM, ACPI
 * and NVS entry of s->guest (which never holds the hypervisor region).
 * Returns 0 or -1.
 */
int ept_map_guest_ram(struct ept *e, const struct gpa_space *s, const struct mtrr_state *mt);

/* The page a fault at some address is resolved with. */
struct ept_fault_plan {
    enum gpa_class cls;
    uint64_t base, size;            /* size 0: refuse */
    unsigned memtype;
};

/*
 * ept_plan_fault - how to resolve a fault at gpa: RAM and MMIO get the
 * 2 MiB page around gpa when all of it is that class (and, for RAM, of one
 * MTRR type), else the 4 KiB page; MMIO is uncacheable. The hypervisor
 * region and what lies outside get size 0: refuse.
 */
struct ept_fault_plan ept_plan_fault(const struct gpa_space *s, const struct mtrr_state *mt,
                                     uint64_t gpa);

/*
 * Plans precomputed for the fault path, so that a fault costs a table
 * look-up instead of walks of the memory maps and MTRRs: one byte per
 * 2 MiB block from 0 (block), and for blocks that hold more than one kind
 * of page, one byte per 4 KiB page (pages). A byte is 0 where the table
 * does not know (ept_plan_fault decides), else PLAN_KNOWN | class << 3 |
 * memory type; a block byte PLAN_PAGES | i sends to pages[i]. The table
 * only says what ept_plan_fault says, for every address of the block or
 * page (ept_plan_table_build checks that the class cannot change inside).
 */
#define PLAN_KNOWN     0x80u
#define PLAN_PAGES     0x40u
#define PLAN_PAGES_MAX 64u          /* PLAN_PAGES | i: i in bits 5:0 */

struct ept_plan_table {
    uint8_t *block;
    uint64_t blocks;                /* 2 MiB blocks described, from 0 */
    uint8_t (*pages)[512];
    unsigned npages, max_pages;     /* page tables used / given (<= PLAN_PAGES_MAX) */
};

/*
 * ept_plan_table_build - fill t (t->block with t->blocks bytes, t->pages
 * with t->max_pages tables, all given by the caller) from ept_plan_fault.
 * Blocks with more mixed ones than page tables stay 0 (unknown).
 */
void ept_plan_table_build(struct ept_plan_table *t, const struct gpa_space *s,
                          const struct mtrr_state *mt);

/* ept_plan_lookup - the plan of a fault at gpa from t: true and *p, or
 * false when t does not know (ask ept_plan_fault). */
static inline bool ept_plan_lookup(const struct ept_plan_table *t, uint64_t gpa,
                                   struct ept_fault_plan *p)
{
    uint64_t b = gpa >> 21;
    if (b >= t->blocks)
        return false;
    unsigned e = t->block[b];
    uint64_t size = EPT_PAGE_2M;
    if (e & PLAN_PAGES) {
        e = t->pages[e & (PLAN_PAGES - 1)][(gpa >> 12) & 511];
        size = EPT_PAGE_4K;
    }
    if (!(e & PLAN_KNOWN))
        return false;
    *p = (struct ept_fault_plan){ (enum gpa_class)((e >> 3) & 3), gpa & ~(size - 1), size, e & 7 };
    return true;
}

#endif
