/*
 * attack_ept.c - a lazy-EPT storm: with ept=lazy every first touch of a
 * guest-physical page exits, and the hypervisor maps it (RAM, device
 * memory), or refuses it (its own memory, RAM that mem= keeps out). The
 * guest touches every 4 KiB page of its RAM, one page per 2 MiB of RAM
 * beyond mem=, of the hypervisor's region and of the hole above RAM,
 * every 4 KiB page of the PCI hole (0xE0000000-0xFEBFFFFF) and, with PAE
 * paging, one page per GiB of the physical address space above 4 GiB.
 * It counts EPT-violation exits with HC_EXIT_STATS: the hypervisor must
 * map exactly what it may with as few faults as the map allows (one per
 * 2 MiB block), refuse what it must (#GP: boot with ept_refuse=gp), and
 * run out of pool pages, if ever, with a message rather than a crash. The
 * boot test reads the pool counters around the storm.
 *
 * Boot with ept=lazy ept_refuse=gp mem=256M.
 */
#include "../sdk/sdk.h"

#define MIB (1u << 20)
#define BLOCK (2u * MIB)
#define PCI_HOLE_START 0xE0000000u
#define PCI_HOLE_END   0xFEC00000u

static sdk_exit_stats_t st;

static uint64_t ept_exits(void)
{
    sdk_exit_stats(st);
    return st[1 + VEXIT_NPF];
}

/* ---- the guest's memory map ---------------------------------------------- */

struct ram {
    uint32_t lo[8], hi[8];     /* whole 2 MiB blocks of available RAM from 2 MiB up */
    unsigned n;
    uint64_t top;               /* end of the highest available entry */
    uint64_t top_any;           /* end of the highest entry below the PCI hole */
};

static void add_ram(uint64_t base, uint64_t len, uint32_t type, void *ctx)
{
    struct ram *r = ctx;
    if (base + len <= PCI_HOLE_START && base + len > r->top_any)
        r->top_any = base + len;
    if (type != 1 || base + len > (1ull << 32))
        return;
    uint64_t lo = (base + BLOCK - 1) & ~(uint64_t)(BLOCK - 1), hi = (base + len) & ~(uint64_t)(BLOCK - 1);
    if (lo < BLOCK)
        lo = BLOCK;
    if (base + len > r->top)
        r->top = base + len;
    if (lo < hi && r->n < 8) {
        r->lo[r->n] = (uint32_t)lo;
        r->hi[r->n] = (uint32_t)hi;
        r->n++;
    }
}

/* ---- PAE paging with a 2 MiB window at 1 GiB ------------------------------ */

#define WINDOW 0x40000000u
static uint64_t pdpt[4] __attribute__((aligned(32)));
static uint64_t pd_low[512] __attribute__((aligned(4096)));
static uint64_t pd_window[512] __attribute__((aligned(4096)));

static void pae_on(void)
{
    for (uint32_t i = 0; i < 512; i++)
        pd_low[i] = ((uint64_t)i << 21) | 0x83;        /* the first GiB, 1:1 */
    pdpt[0] = (uint32_t)pd_low | 1;
    pdpt[1] = (uint32_t)pd_window | 1;
    uint32_t cr0, cr4;
    __asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
    __asm__ volatile("mov %0, %%cr4" : : "r"(cr4 | 0x20));
    __asm__ volatile("mov %0, %%cr3" : : "r"(pdpt));
    __asm__ volatile("mov %%cr0, %0" : "=r"(cr0));
    __asm__ volatile("mov %0, %%cr0" : : "r"(cr0 | 0x80000000u) : "memory");
}

static void pae_off(void)
{
    uint32_t cr0, cr4;
    __asm__ volatile("mov %%cr0, %0" : "=r"(cr0));
    __asm__ volatile("mov %0, %%cr0" : : "r"(cr0 & ~0x80000000u) : "memory");
    __asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
    __asm__ volatile("mov %0, %%cr4" : : "r"(cr4 & ~0x20u));
}

/* Read the word at physical pa through the window. */
static int read_phys(uint64_t pa, uint32_t *val)
{
    pd_window[0] = (pa & ~(uint64_t)(BLOCK - 1)) | 0x83;
    __asm__ volatile("invlpg (%0)" : : "r"(WINDOW) : "memory");
    return sdk_read32(WINDOW + (uint32_t)(pa & (BLOCK - 1)), val);
}

/* ---- the storm -------------------------------------------------------------- */

int main(void)
{
    uint32_t val;
    sdk_puts("attack_ept: start\n");
    /* The guest's own pages fault in first: the first 2 MiB are mapped
     * 4 KiB at a time (the block holds firmware areas), and code or data
     * first used in a loop below would count there. */
    for (uint32_t a = MIB; a < BLOCK; a += 4096)
        (void)*(volatile uint32_t *)a;
    ept_exits();

    struct ram ram = { .n = 0 };
    sdk_memory_map(add_ram, &ram);
    uint64_t hv_len;
    uint32_t hv = (uint32_t)sdk_hypervisor_region(&hv_len);
    sdk_checkf(ram.n > 0 && hv != 0, "memory map: RAM up to %#llx, hypervisor at %#x",
               (unsigned long long)ram.top, hv);

    /* RAM: every 4 KiB page written, then read back. */
    uint32_t blocks = 0, pages = 0, bad = 0;
    uint64_t before = ept_exits();
    for (unsigned r = 0; r < ram.n; r++) {
        for (uint32_t a = ram.lo[r]; a < ram.hi[r]; a += 4096, pages++)
            *(volatile uint32_t *)a = a ^ 0x5EED5EEDu;
        blocks += (ram.hi[r] - ram.lo[r]) / BLOCK;
    }
    uint64_t n = ept_exits() - before;
    sdk_checkf(n == blocks, "RAM: %u pages in %u blocks of 2 MiB written: %llu EPT exits, one per block",
               pages, blocks, (unsigned long long)n);
    before = ept_exits();
    for (unsigned r = 0; r < ram.n; r++)
        for (uint32_t a = ram.lo[r]; a < ram.hi[r]; a += 4096)
            bad += *(volatile uint32_t *)a != (a ^ 0x5EED5EEDu);
    n = ept_exits() - before;
    sdk_checkf(!bad && !n, "RAM read back: %u pages wrong, %llu EPT exits", bad, (unsigned long long)n);

    /* RAM that mem= keeps out, up to the hypervisor: refused, each time. */
    uint32_t tried = 0, refused = 0;
    before = ept_exits();
    for (uint32_t a = ((uint32_t)ram.top + BLOCK - 1) & ~(BLOCK - 1); a + BLOCK <= hv; a += BLOCK, tried++)
        refused += sdk_read32(a, &val) == SDK_VEC_GP;
    n = ept_exits() - before;
    sdk_checkf(tried && refused == tried && n == tried,
               "RAM beyond mem=: %u of %u blocks refused (#GP), %llu EPT exits", refused, tried,
               (unsigned long long)n);

    /* The hypervisor's region: every 2 MiB and its last page, read and written. */
    tried = refused = 0;
    for (uint32_t a = hv; a < hv + hv_len; a += BLOCK, tried += 2)
        refused += (sdk_read32(a, &val) == SDK_VEC_GP) + (sdk_write32(a, 0xBAD) == SDK_VEC_GP);
    refused += sdk_read32(hv + (uint32_t)hv_len - 4, &val) == SDK_VEC_GP;
    tried++;
    sdk_checkf(refused == tried, "hypervisor region: %u of %u reads and writes refused (#GP)", refused,
               tried);

    /* The hole above RAM, below the PCI hole: device memory, mapped. */
    tried = refused = 0;
    before = ept_exits();
    uint32_t above = ((uint32_t)ram.top_any + BLOCK - 1) & ~(BLOCK - 1);
    for (uint32_t a = above; a < PCI_HOLE_START; a += BLOCK, tried++)
        refused += sdk_read32(a, &val) != -1;
    n = ept_exits() - before;
    sdk_checkf(!refused && n == tried, "hole %#x-%#x: %u blocks readable, %llu EPT exits (one per block)",
               above, PCI_HOLE_START, tried, (unsigned long long)n);

    /* The PCI hole: every 4 KiB page. */
    tried = refused = 0;
    before = ept_exits();
    for (uint32_t a = PCI_HOLE_START; a < PCI_HOLE_END; a += 4096, tried++)
        refused += sdk_read32(a, &val) != -1;
    n = ept_exits() - before;
    sdk_checkf(!refused && n == (PCI_HOLE_END - PCI_HOLE_START) / BLOCK,
               "PCI hole: %u pages readable, %llu EPT exits (one per 2 MiB)", tried, (unsigned long long)n);

    /* Above 4 GiB, up to the physical-address width: one page per GiB,
     * each a new EPT page directory from the hypervisor's pool. */
    uint32_t bits = sdk_cpuid(0x80000000, 0).eax >= 0x80000008 ? sdk_cpuid(0x80000008, 0).eax & 0xFF : 36;
    pae_on();
    tried = refused = 0;
    before = ept_exits();
    for (uint64_t g = 4; g < (1ull << (bits - 30)); g++, tried++)
        refused += read_phys(g << 30, &val) != -1;
    n = ept_exits() - before;
    sdk_checkf(!refused && n == tried, "above 4 GiB: one page in each of %u GiB up to 2^%u readable, "
               "%llu EPT exits", tried, bits, (unsigned long long)n);
    tried = refused = 0;
    before = ept_exits();
    for (uint64_t a = (5ull << 30) + BLOCK; a < (6ull << 30); a += BLOCK, tried++)
        refused += read_phys(a, &val) != -1;
    n = ept_exits() - before;
    pae_off();
    sdk_checkf(!refused && n == tried, "the GiB at 5 GiB: %u more blocks readable, %llu EPT exits", tried,
               (unsigned long long)n);
    sdk_printf("attack_ept: %llu EPT exits in all\n", (unsigned long long)ept_exits());
    sdk_finish();
}
