/*
 * guest_walk.c - guest linear-to-physical translation; see guest_walk.h.
 * Paging structures: SDM Vol. 3A, chapter 4 (4.3 32-bit paging, 4.4 PAE
 * paging, 4.5 4-level and 5-level paging).
 */
#include "guest_walk.h"

#define CR0_PG   (1ull << 31)   /* Vol. 3A, 2.5 */
#define CR4_PSE  (1ull << 4)    /* Vol. 3A, 2.5 */
#define CR4_PAE  (1ull << 5)
#define CR4_LA57 (1ull << 12)
#define EFER_LMA (1ull << 10)   /* Vol. 3A, 2.2.1 */
#define EFER_NXE (1ull << 11)

#define PTE_P    (1ull << 0)    /* present, every level */
#define PTE_PS   (1ull << 7)    /* page size: maps a page instead of a table */
#define PTE_XD   (1ull << 63)   /* execute-disable; reserved when EFER.NXE = 0 */

/* Address bits of a 64-bit entry or of CR3: 51:12 (MAXPHYADDR <= 52). */
#define ADDR_MASK 0x000FFFFFFFFFF000ull
/* PAE PDE/PTE: bits 62:M are reserved (Vol. 3A, 4.4.2, e.g. "Format of a
 * PAE Page-Table Entry"); 62:52 whatever M is. */
#define PAE_RSVD_HIGH 0x7FF0000000000000ull
/* PAE PDPTE (4.4.1, "Format of a PAE Page-Directory-Pointer-Table
 * Entry"): bits 2:1 and 8:5 reserved, and 63:M, so 63:52 whatever M is;
 * but bit 5, where a walk that sets accessed flags in PDPTEs puts one
 * (QEMU's TCG does, on an AMD CPU): the hypervisor reads the PDPTEs from
 * memory, after the CPU loaded and used them. */
#define PDPTE_RSVD 0xFFF00000000001C6ull

/* A 32-bit paging entry (4 bytes) at addr: the aligned qword holding it,
 * low half for the entry at a multiple of 8, high half otherwise (guest
 * memory is little-endian). */
static bool read32(guest_read64_fn read, void *ctx, uint64_t addr, uint32_t *e)
{
    uint64_t q;
    if (!read(ctx, addr & ~7ull, &q))
        return false;
    *e = (uint32_t)((addr & 4) ? q >> 32 : q);
    return true;
}

/* 32-bit paging (4.3): page directory at CR3[31:12] (the upper half of CR3
 * is ignored), indexed by linear bits 31:22; page table indexed by 21:12. */
static enum guest_walk_result walk32(const struct guest_paging *p, uint32_t lin,
                                     guest_read64_fn read, void *ctx, uint64_t *gpa)
{
    uint32_t pde, pte;
    if (!read32(read, ctx, (p->cr3 & 0xFFFFF000u) + (lin >> 22) * 4, &pde))
        return GW_BAD_READ;
    if (!(pde & PTE_P))
        return GW_NOT_PRESENT;
    if ((p->cr4 & CR4_PSE) && (pde & PTE_PS)) {
        /* A 4 MiB page ("Format of a 32-Bit Page-Directory Entry that Maps a
         * 4-MByte Page"): address bits 31:22 in place, 39:32 in PDE bits
         * 20:13 (PSE-36); bit 21 is reserved. With MAXPHYADDR < 40 bits
         * 20:(M-19) are reserved too; unknown here, they pass through. */
        if (pde & (1u << 21))
            return GW_RESERVED;
        *gpa = (pde & 0xFFC00000u) | ((uint64_t)((pde >> 13) & 0xFF) << 32) |
               (lin & 0x3FFFFFu);
        return GW_OK;
    }
    /* Without CR4.PSE bit 7 of a PDE is ignored: it names a page table. */
    if (!read32(read, ctx, (pde & 0xFFFFF000u) + ((lin >> 12) & 0x3FF) * 4, &pte))
        return GW_BAD_READ;
    if (!(pte & PTE_P))
        return GW_NOT_PRESENT;
    *gpa = (pte & 0xFFFFF000u) | (lin & 0xFFFu);
    return GW_OK;
}

/*
 * The 8-byte-entry levels top..1 below the table at table: level n is
 * indexed by linear bits 12 + 9n - 1 : 12 + 9(n - 1). Levels 3 and 2 may
 * map a 1 GiB or 2 MiB page with PS = 1, level 1 always maps a 4 KiB page
 * (4.4.2, 4.5.4 to 4.5.5); pae selects the PAE reserved bits.
 */
static enum guest_walk_result walk_levels(uint64_t table, int top, uint64_t lin, bool pae,
                                          bool nxe, guest_read64_fn read, void *ctx,
                                          uint64_t *gpa)
{
    for (int level = top;; level--) {
        unsigned shift = 12 + 9 * (unsigned)(level - 1);
        uint64_t e;
        if (!read(ctx, table + ((lin >> shift) & 511) * 8, &e))
            return GW_BAD_READ;
        if (!(e & PTE_P))
            return GW_NOT_PRESENT;
        bool page = level == 1 || (level <= 3 && (e & PTE_PS));
        uint64_t rsvd = nxe ? 0 : PTE_XD;
        if (pae)
            rsvd |= PAE_RSVD_HIGH;
        if (level >= 4)
            rsvd |= PTE_PS;     /* PML5E, PML4E: bit 7 reserved (4.5.4) */
        if (page && level > 1)
            /* Above the PAT bit 12, up to the page's alignment: 20:13 for
             * 2 MiB, 29:13 for 1 GiB. */
            rsvd |= ((1ull << shift) - 1) & ~0x1FFFull;
        if (e & rsvd)
            return GW_RESERVED;
        if (page) {
            uint64_t off = (1ull << shift) - 1;
            *gpa = (e & ADDR_MASK & ~off) | (lin & off);
            return GW_OK;
        }
        table = e & ADDR_MASK;
    }
}

/* guest_walk - see guest_walk.h. */
enum guest_walk_result guest_walk(const struct guest_paging *p, uint64_t linear,
                                  guest_read64_fn read, void *ctx, uint64_t *gpa)
{
    bool nxe = p->efer & EFER_NXE;

    if (!(p->cr0 & CR0_PG)) {
        /* Without paging the CPU is not in IA-32e mode: linear addresses
         * are 32 bits and are the physical ones (4.1.1). */
        *gpa = (uint32_t)linear;
        return GW_OK;
    }
    if (!(p->cr4 & CR4_PAE))
        return walk32(p, (uint32_t)linear, read, ctx, gpa);
    if (!(p->efer & EFER_LMA)) {
        /* PAE paging (4.4.1): four PDPTEs at CR3[31:5], indexed by linear
         * bits 31:30; they cannot map pages. */
        uint32_t lin = (uint32_t)linear;
        uint64_t pdpte;
        if (!read(ctx, (p->cr3 & 0xFFFFFFE0u) + (lin >> 30) * 8, &pdpte))
            return GW_BAD_READ;
        if (!(pdpte & PTE_P))
            return GW_NOT_PRESENT;
        if (pdpte & PDPTE_RSVD)
            return GW_RESERVED;
        return walk_levels(pdpte & ADDR_MASK, 2, lin, true, nxe, read, ctx, gpa);
    }
    /* 4-level or 5-level paging (4.5): the PML4 or PML5 table at CR3[51:12]
     * (CR3 bits 63:52, e.g. LAM, are not address bits). */
    return walk_levels(p->cr3 & ADDR_MASK, (p->cr4 & CR4_LA57) ? 5 : 4, linear, false, nxe,
                       read, ctx, gpa);
}

/* guest_walk_result_name - see guest_walk.h. */
const char *guest_walk_result_name(enum guest_walk_result r)
{
    switch (r) {
    case GW_OK:
        return "ok";
    case GW_NOT_PRESENT:
        return "not present";
    case GW_BAD_READ:
        return "bad read";
    case GW_RESERVED:
        return "reserved bit";
    }
    return "?";
}
