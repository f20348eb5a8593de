/*
 * guest_ept.c - the hardware shell of the EPT: tables from the pool, MTRRs
 * from the CPU, the fault-in path and the `ept` console command.
 */
#include "guest_ept.h"

#include "../kernel/console.h"
#include "../kernel/hv.h"
#include "../kernel/kstring.h"
#include "../kernel/layout.h"
#include "../kernel/mem.h"
#include "../kernel/options.h"
#include "../kernel/printk.h"
#include "../kernel/spinlock.h"
#include "../kernel/x86.h"
#include "../kernel/x86_regs.h"

#define CPUID_1_EDX_MTRR (1u << 12)

static struct gpa_space space;
static struct mtrr_state mtrr;
static struct guest_ept_config config;
static uint64_t eptp_value;
static struct ept_stats *stats_shown;
static uint64_t static_1g, static_2m, static_4k;
static uint64_t build_ticks;            /* TSC ticks guest_ept_build took */
static bool frozen;                     /* `ept freeze` */

/* The plan table covers guest RAM up to this much (1 byte per 2 MiB);
 * above, faults go to the planner. Its page tables: one per 2 MiB block
 * that mixes kinds of pages (low memory, the hypervisor's edges, ACPI). */
#define PLAN_TABLE_LIMIT ((uint64_t)EPT_PD_TABLES << 30)
#define PLAN_PAGE_TABLES 16

/* The state the fault path shares with its fast half in assembly
 * (vmx/entry.asm, which reads the layouts from build/gen/asm_offsets.inc;
 * guest_ept.h declares them for it). */
struct ept ept_guest_map;
struct spinlock ept_map_lock;           /* every vCPU faults in; only the fault path takes it */
uint64_t ept_fast_blocks;               /* ept_plans.blocks, 0 while `ept freeze` holds */
struct ept_plan_table ept_plans;        /* ept=lazy: the fault path's plans (ept.h) */
/* Paging structures come from the pool, inside the hypervisor's image:
 * one offset turns their physical address into a pointer (hv_va). */
uint64_t ept_table_offset;
/* ept=lazy: the page directory of each GiB the plan table covers, made at
 * build, so that the fault path finds a 2 MiB entry without a walk (NULL:
 * the pool ran out). */
uint64_t *ept_pd_tables[EPT_PD_TABLES];

/* Paging structures from the hypervisor's pool (the IOMMU's map takes
 * them from here too: drivers/iommu.c). */
static uint64_t pool_table(void *ctx)
{
    (void)ctx;
    void *p = page_alloc(1);
    return p ? hv_pa(p) : 0;
}

static uint64_t *table_at(void *ctx, uint64_t pa)
{
    (void)ctx;
    return hv_va(pa);
}

const struct ept_ops ept_pool_ops = { pool_table, table_at, 0 };

static void read_mtrrs(void)
{
    if (!(cpuid(1, 0).edx & CPUID_1_EDX_MTRR)) {
        mtrr_state_none(&mtrr);
        return;
    }
    struct mtrr_msrs raw = { 0 };
    raw.cap = rdmsr(MSR_MTRRCAP);
    raw.def_type = rdmsr(MSR_MTRR_DEF_TYPE);
    if (raw.cap & (1u << 8)) {
        raw.fix64k = rdmsr(MSR_MTRR_FIX64K);
        raw.fix16k[0] = rdmsr(MSR_MTRR_FIX16K_80);
        raw.fix16k[1] = rdmsr(MSR_MTRR_FIX16K_A0);
        for (unsigned i = 0; i < 8; i++)
            raw.fix4k[i] = rdmsr(MSR_MTRR_FIX4K_C0 + i);
    }
    for (unsigned i = 0; i < (raw.cap & 0xFF) && i < MTRR_MAX_VAR; i++) {
        raw.physbase[i] = rdmsr(MSR_MTRR_PHYSBASE0 + 2 * i);
        raw.physmask[i] = rdmsr(MSR_MTRR_PHYSBASE0 + 2 * i + 1);
    }
    if (cpuid(0x80000000, 0).eax >= 0x80000008)
        raw.phys_bits = cpuid(0x80000008, 0).eax & 0xFF;
    mtrr_decode(&raw, &mtrr);
}

/* FNV-1a over what never changes after boot: the module stash and the
 * image's text and read-only data. A guest that wrote there would show. */
extern char __kernel_vstart[], __rodata_end[];

static uint64_t hv_checksum(void)
{
    uint64_t h = 0xCBF29CE484222325ull;
    struct hv_region r = hv_region();
    uint64_t load_base = hv_pa(__kernel_vstart) - ((uint64_t)__kernel_vstart - KERNEL_VLINK);
    const uint8_t *p = phys_ptr(r.start);
    for (uint64_t i = 0; i < load_base - r.start; i++)
        h = (h ^ p[i]) * 0x100000001B3ull;
    for (const char *q = __kernel_vstart; q < __rodata_end; q++)
        h = (h ^ (uint8_t)*q) * 0x100000001B3ull;
    return h;
}

/* ept=lazy: every RAM page faults in, so plan them all now (the fault
 * path then looks its plan up); without pool pages the planner does it. */
static void build_plan_table(const struct memmap *guest)
{
    uint64_t top = 0;
    for (unsigned i = 0; i < guest->n; i++)
        if (guest->e[i].type != MB2_MEM_RESERVED && guest->e[i].base + guest->e[i].len > top)
            top = guest->e[i].base + guest->e[i].len;
    if (top > PLAN_TABLE_LIMIT)
        top = PLAN_TABLE_LIMIT;
    uint64_t blocks = (top + EPT_PAGE_2M - 1) >> 21;
    ept_plans.block = page_alloc((blocks + PAGE_SIZE - 1) / PAGE_SIZE);
    ept_plans.pages = page_alloc(PLAN_PAGE_TABLES * 512 / PAGE_SIZE);
    if (!ept_plans.block || !ept_plans.pages) {
        ept_plans = (struct ept_plan_table){ 0 };
        return;
    }
    ept_table_offset = (uint64_t)hv_va(ept_guest_map.root) - ept_guest_map.root;
    ept_plans.blocks = blocks;
    ept_plans.max_pages = PLAN_PAGE_TABLES;
    ept_plan_table_build(&ept_plans, &space, &mtrr);
    for (uint64_t g = 0; g < (blocks + 511) / 512; g++)
        ept_pd_tables[g] = ept_table(&ept_guest_map, g << 30, 1);
    ept_fast_blocks = blocks;
}

uint64_t guest_ept_build(const struct memmap *guest, const struct memmap *firmware,
                         const struct guest_ept_config *cfg)
{
    struct ept_ops ops = ept_pool_ops;
    struct hv_region r = hv_region();
    uint64_t t0 = rdtsc();
    config = *cfg;
    read_mtrrs();
    space = (struct gpa_space){
        .guest = guest,
        .firmware = firmware,
        .hv_start = r.start,
        .hv_end = r.end,
        .phys_limit = mtrr.addr_mask + 0x1000,
        .held_count = cfg->held_count,
    };
    memcpy(space.held, cfg->held, sizeof(space.held));
    if (ept_init(&ept_guest_map, cfg->format, ops, cfg->allow_1g) ||
        (!cfg->lazy && ept_map_guest_ram(&ept_guest_map, &space, &mtrr))) {
        kprintf("error: ept: out of pool pages building the guest map\n");
        return 0;
    }
    if (cfg->lazy)
        build_plan_table(guest);
    build_ticks = rdtsc() - t0;
    static_1g = ept_guest_map.pages_1g;
    static_2m = ept_guest_map.pages_2m;
    static_4k = ept_guest_map.pages_4k;
    if (hv.opt.verbose)     /* the boot report (kernel/main.c) */
        kprintf("ept.built mode=%s pages_1g=%llu pages_2m=%llu pages_4k=%llu tables=%llu mtrr=%s "
                "build_ticks=%llu\n",
                cfg->lazy ? "lazy" : "static", (unsigned long long)ept_guest_map.pages_1g,
                (unsigned long long)ept_guest_map.pages_2m,
                (unsigned long long)ept_guest_map.pages_4k,
                (unsigned long long)ept_guest_map.tables, mtrr.enabled ? "on" : "off",
                (unsigned long long)build_ticks);
    /* nCR3 is the root itself, its PWT and PCD clear: the tables are
     * write-back (APM Vol. 2, 15.25.4). */
    eptp_value = cfg->format == SLAT_EPT ? ept_eptp(ept_guest_map.root, cfg->ad) : ept_guest_map.root;
    return eptp_value;
}

void ept_register_stats(struct ept_stats *st)
{
    stats_shown = st;
}

const char *ept_action_name(enum ept_action a)
{
    switch (a) {
    case EPT_MAPPED:             return "mapped";
    case EPT_REFUSED:            return "refused";
    case EPT_REFUSED_FROZEN:     return "refused_frozen";
    case EPT_REFUSED_PERMISSION: return "refused_permission";
    case EPT_NO_MEMORY:          return "no_memory";
    }
    return "unknown";
}

/* Exit qualification bits 2:0 (SDM Vol. 3C, table 28-7). */
const char *ept_access_name(uint64_t qual)
{
    return (qual & 4) ? "fetch" : (qual & 2) ? "write" : "read";
}

/* Map the plan's page unless another vCPU faulted on it first. Where a
 * 4 KiB table already exists (a page mapped on its own, such as the
 * read-only APIC page), the fault maps 4 KiB. */
static enum ept_action map_locked(struct ept_fault_plan *p, uint64_t gpa)
{
    struct ept_walk w;
    enum ept_action a = EPT_MAPPED;
    spin_lock(&ept_map_lock);
    ept_walk(&ept_guest_map, gpa, &w);
    if (!w.mapped && w.levels == 4 && p->size > EPT_PAGE_4K) {
        p->base = gpa & ~(uint64_t)(EPT_PAGE_4K - 1);
        p->size = EPT_PAGE_4K;
    }
    if (!w.mapped && ept_map(&ept_guest_map, p->base, p->size, EPT_RWX, p->memtype))
        a = EPT_NO_MEMORY;
    spin_unlock(&ept_map_lock);
    return a;
}

int guest_ept_map_page(uint64_t gpa, uint64_t perms)
{
    spin_lock(&ept_map_lock);
    int r = ept_map(&ept_guest_map, gpa & ~(uint64_t)(EPT_PAGE_4K - 1), EPT_PAGE_4K, perms,
                    MEMTYPE_UC);
    spin_unlock(&ept_map_lock);
    if (r)
        kprintf("error: ept: cannot map the page at %#llx on its own (a large page is there, "
                "or the pool is empty)\n", (unsigned long long)gpa);
    return r;
}

/* Count and log a fault (the fast and the slow path alike). */
static void account(struct ept_stats *st, const struct ept_fault_plan *p, enum ept_action a,
                    uint64_t gpa, uint64_t qual, uint64_t rip)
{
    st->faults[p->cls]++;
    if (a == EPT_MAPPED) {
        if (p->size == EPT_PAGE_2M)
            st->mapped_2m++;
        else
            st->mapped_4k++;
    } else {
        st->refusals++;
    }
    st->log[st->log_count++ % EPT_LOG_LEN] = (struct ept_fault_record){
        gpa, rip, qual, (uint8_t)p->cls, (uint8_t)a, a == EPT_MAPPED ? (uint32_t)p->size : 0 };
}

enum ept_action ept_fault_in(struct ept_stats *st, uint64_t gpa, uint64_t qual, uint64_t rip)
{
    struct ept_fault_plan p;
    if (!ept_plan_lookup(&ept_plans, gpa, &p))
        p = ept_plan_fault(&space, &mtrr, gpa);
    enum ept_action a;
    if (qual & (EPT_READ | EPT_WRITE | EPT_EXEC) << 3)
        a = EPT_REFUSED_PERMISSION;     /* bits 5:3: the entry allowed something */
    else if (!p.size)
        a = EPT_REFUSED;
    else if (frozen)
        a = EPT_REFUSED_FROZEN;
    else
        a = map_locked(&p, gpa);
    account(st, &p, a, gpa, qual, rip);
    return a;
}

bool ept_fault_in_fast(struct ept_stats *st, uint64_t gpa, uint64_t qual, uint64_t rip)
{
    struct ept_fault_plan p;
    uint64_t *pd;
    if ((qual & (EPT_READ | EPT_WRITE | EPT_EXEC) << 3) || (gpa >> 21) >= ept_fast_blocks ||
        !ept_plan_lookup(&ept_plans, gpa, &p) || !(pd = ept_pd_tables[gpa >> 30]) ||
        !spin_trylock(&ept_map_lock))
        return false;
    enum slat_format f = ept_guest_map.format;
    uint64_t *e = &pd[(gpa >> 21) & 511];
    if (!slat_present(f, *e)) {
        if (p.size != EPT_PAGE_2M) {
            spin_unlock(&ept_map_lock);     /* a 4 KiB page needs a page table made */
            return false;
        }
        *e = slat_leaf(f, p.base, EPT_RWX, p.memtype, true);
        ept_guest_map.pages_2m++;
    } else if (!slat_large(f, *e)) {
        /* A page table is there: the 4 KiB page (as map_locked). */
        uint64_t *pte = (uint64_t *)((*e & EPT_ADDR_MASK) + ept_table_offset) + ((gpa >> 12) & 511);
        p.base = gpa & ~(uint64_t)(EPT_PAGE_4K - 1);
        p.size = EPT_PAGE_4K;
        if (!slat_present(f, *pte)) {
            *pte = slat_leaf(f, p.base, EPT_RWX, p.memtype, false);
            ept_guest_map.pages_4k++;
        }
    }   /* else another vCPU mapped it meanwhile: counted as the plan's size */
    spin_unlock(&ept_map_lock);
    account(st, &p, EPT_MAPPED, gpa, qual, rip);
    return true;
}

static const char *memtype_name(unsigned t)
{
    switch (t) {
    case MEMTYPE_UC: return "uc";
    case MEMTYPE_WC: return "wc";
    case MEMTYPE_WT: return "wt";
    case MEMTYPE_WP: return "wp";
    case MEMTYPE_WB: return "wb";
    default:         return "invalid";
    }
}

const uint8_t *ept_guest_ram(uint64_t gpa, enum gpa_class *cls)
{
    struct ept_walk w;
    *cls = gpa_classify(&space, gpa);
    if (*cls != GPA_RAM || !ept_guest_map.root)
        return 0;
    ept_walk(&ept_guest_map, gpa, &w);
    if (!w.mapped || w.hpa >= (4ull << 30))
        return 0;   /* not mapped yet (lazy), or beyond the host's identity map */
    return phys_ptr(w.hpa);
}

void ept_print_walk(uint64_t gpa)
{
    static const char *const level[4] = { "pml4e", "pdpte", "pde", "pte" };
    struct ept_walk w;
    ept_walk(&ept_guest_map, gpa, &w);
    enum slat_format f = ept_guest_map.format;
    for (int i = 0; i < w.levels; i++) {
        uint64_t e = w.entry[i], p = slat_perms(f, e);
        kprintf("ept.walk level=%s entry=%#llx perms=%c%c%c%s\n", level[i], (unsigned long long)e,
                (p & EPT_READ) ? 'r' : '-', (p & EPT_WRITE) ? 'w' : '-', (p & EPT_EXEC) ? 'x' : '-',
                slat_present(f, e) && slat_large(f, e) ? " large=1" : "");
    }
    if (w.mapped)
        kprintf("ept.walk gpa=%#llx hpa=%#llx page_size=%llu memtype=%s class=%s\n",
                (unsigned long long)gpa, (unsigned long long)w.hpa,
                (unsigned long long)w.page_size, memtype_name(w.memtype),
                gpa_class_name(gpa_classify(&space, gpa)));
    else
        kprintf("ept.walk gpa=%#llx mapped=0 class=%s\n", (unsigned long long)gpa,
                gpa_class_name(gpa_classify(&space, gpa)));
}

static void print_summary(void)
{
    kprintf("ept.mode=%s ept.frozen=%d ept.ad=%d ept.%s=%#llx\n", config.lazy ? "lazy" : "static",
            frozen, config.ad, config.format == SLAT_EPT ? "eptp" : "ncr3",
            (unsigned long long)eptp_value);
    kprintf("ept.pages pages_1g=%llu pages_2m=%llu pages_4k=%llu tables=%llu "
            "static_1g=%llu static_2m=%llu static_4k=%llu build_ticks=%llu\n",
            (unsigned long long)ept_guest_map.pages_1g, (unsigned long long)ept_guest_map.pages_2m,
            (unsigned long long)ept_guest_map.pages_4k, (unsigned long long)ept_guest_map.tables,
            (unsigned long long)static_1g, (unsigned long long)static_2m,
            (unsigned long long)static_4k, (unsigned long long)build_ticks);
    if (stats_shown) {
        const struct ept_stats *s = stats_shown;
        kprintf("ept.faults ram=%llu mmio=%llu hypervisor=%llu outside=%llu mapped_2m=%llu "
                "mapped_4k=%llu refusals=%llu\n",
                (unsigned long long)s->faults[GPA_RAM], (unsigned long long)s->faults[GPA_MMIO],
                (unsigned long long)s->faults[GPA_HV], (unsigned long long)s->faults[GPA_OUTSIDE],
                (unsigned long long)s->mapped_2m, (unsigned long long)s->mapped_4k,
                (unsigned long long)s->refusals);
    }
    for (unsigned i = 0; space.guest && i < space.guest->n; i++) {
        const struct mb2_mmap_entry *e = &space.guest->e[i];
        kprintf("ept.region start=%#llx end=%#llx type=%s\n", (unsigned long long)e->base,
                (unsigned long long)(e->base + e->len), mb2_mem_type_name(e->type));
    }
    kprintf("ept.hv start=%#llx end=%#llx checksum=%#llx\n", (unsigned long long)space.hv_start,
            (unsigned long long)space.hv_end, (unsigned long long)hv_checksum());
}

static void print_log(void)
{
    if (!stats_shown) {
        kprintf("ept.log count=0\n");
        return;
    }
    const struct ept_stats *s = stats_shown;
    uint64_t n = s->log_count < EPT_LOG_LEN ? s->log_count : EPT_LOG_LEN;
    for (uint64_t i = s->log_count - n; i < s->log_count; i++) {
        const struct ept_fault_record *f = &s->log[i % EPT_LOG_LEN];
        kprintf("ept.fault seq=%llu gpa=%#llx rip=%#llx access=%s class=%s action=%s size=%u\n",
                (unsigned long long)i, (unsigned long long)f->gpa, (unsigned long long)f->rip,
                ept_access_name(f->qual), gpa_class_name(f->cls), ept_action_name(f->action),
                f->size);
    }
    kprintf("ept.log count=%llu\n", (unsigned long long)s->log_count);
}

static void cmd_ept(int argc, char **argv)
{
    if (!ept_guest_map.root) {
        kprintf("error: ept: no guest map (no guest started)\n");
        return;
    }
    if (argc == 1) {
        print_summary();
    } else if (argc == 3 && !strcmp(argv[1], "walk")) {
        uint64_t gpa;
        if (!parse_uint(argv[2], false, &gpa) || gpa >= space.phys_limit) {
            kprintf("error: ept walk: '%s' is not a guest-physical address below %#llx\n", argv[2],
                    (unsigned long long)space.phys_limit);
            return;
        }
        ept_print_walk(gpa);
    } else if (argc == 2 && !strcmp(argv[1], "log")) {
        print_log();
    } else if (argc == 2 && !strcmp(argv[1], "freeze")) {
        frozen = true;
        ept_fast_blocks = 0;
        kprintf("ept.frozen=1 (any further fault-in is refused and reported)\n");
    } else if (argc == 2 && !strcmp(argv[1], "thaw")) {
        frozen = false;
        ept_fast_blocks = ept_plans.blocks;
        kprintf("ept.frozen=0\n");
    } else {
        kprintf("error: usage: ept [walk GPA | log | freeze | thaw]\n");
    }
}
CONSOLE_COMMAND(ept, "ept", "ept [walk GPA | log | freeze | thaw]",
                "guest map: mode, pages, faults; walk one address; recent faults; freeze the map",
                cmd_ept);
