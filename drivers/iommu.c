/*
 * iommu.c - DMA remapping with Intel VT-d and AMD-Vi; see iommu.h.
 *
 * One map for every device: the guest's RAM, identity, built by the
 * second-level map's own builder in the IOMMU's format (ept/ept.h), so
 * that a device reaches exactly the RAM the guest's CPUs reach and never
 * the hypervisor's region, the IOMMUs' tables (in that region) or their
 * registers (device memory, which the map leaves out). The reserved
 * regions the firmware lists for some devices (RMRR, IVMD) are mapped
 * too, for every device: they are firmware memory, outside the guest's
 * RAM and the hypervisor's region. Interrupt requests (0xFEEx_xxxx) are
 * not DMA and not translated by either IOMMU (VT-d spec 3.x, 3.14; AMD
 * IOMMU spec 3.x, 2.2.5).
 *
 * Both vendors in one file: each is a short register sequence, and the
 * rest (the map, the report, the fault log and the command) is theirs in
 * common.
 */
#include "iommu.h"

#include "acpi.h"
#include "iommu_fault.h"
#include "../ept/ept.h"
#include "../ept/guest_ept.h"
#include "../ept/mtrr.h"
#include "tsc.h"
#include "../kernel/console.h"
#include "../kernel/hv.h"
#include "../kernel/spinlock.h"
#include "../kernel/mem.h"
#include "../kernel/printk.h"
#include "../kernel/x86.h"

static struct {
    enum acpi_iommu_type type;  /* NONE: no IOMMU enabled */
    unsigned units;
    unsigned addr_bits;         /* DMA addresses translated: below 1 << addr_bits */
    struct ept map;
    struct iommu_fault_log log;
    uint64_t next_poll;         /* TSC */
    const char *off_reason;     /* why there is none, for `iommu` and `info` */
    unsigned hidden;            /* root table entries naming the DMAR or IVRS, removed */
    struct table_ref {
        const char *name;
        uint64_t pa;
    } tables[4];                /* the structures the units read, for `iommu` (and the tests) */
    unsigned ntables;
} io;

static struct spinlock io_lock;     /* the console core polls; `iommu` runs there too */

static inline uint32_t rd32(uint64_t base, unsigned off)
{
    return *(volatile uint32_t *)phys_ptr(base + off);
}

static inline uint64_t rd64(uint64_t base, unsigned off)
{
    return *(volatile uint64_t *)phys_ptr(base + off);
}

static inline void wr32(uint64_t base, unsigned off, uint32_t v)
{
    *(volatile uint32_t *)phys_ptr(base + off) = v;
}

static inline void wr64(uint64_t base, unsigned off, uint64_t v)
{
    *(volatile uint64_t *)phys_ptr(base + off) = v;
}

/* Wait (up to about a second) until (read() & mask) == want. */
static bool wait32(uint64_t base, unsigned off, uint32_t mask, uint32_t want)
{
    uint64_t t0 = rdtsc(), limit = (tsc_khz() ? tsc_khz() : 1000000) * 1000;
    while ((rd32(base, off) & mask) != want)
        if (rdtsc() - t0 > limit)
            return false;
    return true;
}

static bool wait64(uint64_t base, unsigned off, uint64_t mask, uint64_t want)
{
    uint64_t t0 = rdtsc(), limit = (tsc_khz() ? tsc_khz() : 1000000) * 1000;
    while ((rd64(base, off) & mask) != want)
        if (rdtsc() - t0 > limit)
            return false;
    return true;
}

static void note_table(const char *name, uint64_t pa)
{
    if (io.ntables < sizeof(io.tables) / sizeof(io.tables[0]))
        io.tables[io.ntables++] = (struct table_ref){ name, pa };
}

/* ---- Intel VT-d (VT-d spec 3.x, chapter 11: registers) -------------------- */

#define VTD_CAP      0x08
#define VTD_ECAP     0x10
#define VTD_GCMD     0x18
#define VTD_GSTS     0x1C
#define VTD_RTADDR   0x20
#define VTD_CCMD     0x28
#define VTD_FSTS     0x34
#define VTD_FECTL    0x38

#define VTD_GCMD_TE    (1u << 31)   /* translation enable */
#define VTD_GCMD_SRTP  (1u << 30)   /* set root table pointer (one-shot) */
#define VTD_GCMD_WBF   (1u << 27)   /* write buffer flush (one-shot) */
#define VTD_GCMD_QIE   (1u << 26)   /* queued invalidation enable */
/* The status bits that mirror persistent commands (11.4.4: TE, QIE, IRE,
 * CFI); a GCMD write carries them with the one new command. */
#define VTD_GSTS_PERSISTENT 0x96800000u

#define VTD_CAP_RWBF(c)   (((c) >> 4) & 1)
#define VTD_CAP_SAGAW(c)  (((c) >> 8) & 0x1F)      /* bit 1: 39-bit 3-level, bit 2: 48-bit 4-level */
#define VTD_CAP_MGAW(c)   ((unsigned)(((c) >> 16) & 0x3F) + 1)
#define VTD_CAP_FRO(c)    ((unsigned)(((c) >> 24) & 0x3FF) * 16)
#define VTD_CAP_2M(c)     (((c) >> 34) & 1)
#define VTD_CAP_1G(c)     (((c) >> 35) & 1)
#define VTD_CAP_NFR(c)    ((unsigned)(((c) >> 40) & 0xFF) + 1)
#define VTD_ECAP_C(e)     ((e) & 1)                 /* page walks snoop the caches */
#define VTD_ECAP_IRO(e)   ((unsigned)(((e) >> 8) & 0x3FF) * 16)

#define VTD_CCMD_ICC_GLOBAL   (1ull << 63 | 1ull << 61)     /* 11.4.6: ICC, CIRG = global */
#define VTD_IOTLB_IVT_GLOBAL  (1ull << 63 | 1ull << 60)     /* 11.4.8.1: IVT, IIRG = global */
#define VTD_FSTS_PFO          (1u << 0)
#define VTD_FECTL_IM          (1u << 31)

#define VTD_DOMAIN 1            /* the one domain (0 is reserved under caching mode) */

/* The register pages a unit decodes: the architectural block and the
 * IOTLB and fault-recording registers, which the capabilities place. */
static uint64_t vtd_register_bytes(uint64_t base)
{
    uint64_t cap = rd64(base, VTD_CAP), ecap = rd64(base, VTD_ECAP);
    uint64_t end = 0x1000;
    uint64_t iotlb = VTD_ECAP_IRO(ecap) + 16, frcd = VTD_CAP_FRO(cap) + 16ull * VTD_CAP_NFR(cap);
    if (iotlb > end)
        end = iotlb;
    if (frcd > end)
        end = frcd;
    return (end + 0xFFF) & ~0xFFFull;
}

static void vtd_command(uint64_t base, uint32_t cmd)
{
    wr32(base, VTD_GCMD, (rd32(base, VTD_GSTS) & VTD_GSTS_PERSISTENT) | cmd);
}

/* The root table (11.4.5, 9.1) has 256 buses, each pointing at the one
 * context table, whose 256 entries (9.3) all name the one domain and its
 * second-level table: every device translates through the same map. */
static int vtd_enable_unit(uint64_t base, uint64_t root_pa)
{
    uint64_t cap = rd64(base, VTD_CAP), ecap = rd64(base, VTD_ECAP);
    if (rd32(base, VTD_GSTS) & VTD_GCMD_QIE) {
        /* Firmware left queued invalidation on: register-based invalidation
         * needs it off (6.5.2). */
        wr32(base, VTD_GCMD, (rd32(base, VTD_GSTS) & VTD_GSTS_PERSISTENT) & ~VTD_GCMD_QIE);
        if (!wait32(base, VTD_GSTS, VTD_GCMD_QIE, 0))
            return -1;
    }
    wr32(base, VTD_FECTL, VTD_FECTL_IM);    /* faults recorded, no interrupt: polled */
    if (!VTD_ECAP_C(ecap))
        __asm__ volatile("wbinvd" ::: "memory");    /* the tables reach memory before the walks */
    wr64(base, VTD_RTADDR, root_pa);   /* TTM 00: legacy root entries */
    vtd_command(base, VTD_GCMD_SRTP);
    if (!wait32(base, VTD_GSTS, VTD_GCMD_SRTP, VTD_GCMD_SRTP))
        return -1;
    wr64(base, VTD_CCMD, VTD_CCMD_ICC_GLOBAL);
    if (!wait64(base, VTD_CCMD, 1ull << 63, 0))
        return -1;
    unsigned iotlb = VTD_ECAP_IRO(ecap) + 8;
    wr64(base, iotlb, VTD_IOTLB_IVT_GLOBAL);
    if (!wait64(base, iotlb, 1ull << 63, 0))
        return -1;
    if (VTD_CAP_RWBF(cap)) {
        vtd_command(base, VTD_GCMD_WBF);
        if (!wait32(base, VTD_GSTS, VTD_GCMD_WBF, 0))
            return -1;
    }
    vtd_command(base, VTD_GCMD_TE);
    if (!wait32(base, VTD_GSTS, VTD_GCMD_TE, VTD_GCMD_TE))
        return -1;
    return 0;
}

static void vtd_poll_unit(unsigned i, uint64_t base)
{
    uint64_t cap = rd64(base, VTD_CAP);
    unsigned fro = VTD_CAP_FRO(cap), n = VTD_CAP_NFR(cap);
    for (unsigned r = 0; r < n; r++) {
        struct iommu_fault f;
        unsigned off = fro + 16 * r;
        if (!vtd_decode_frcd(rd64(base, off), rd64(base, off + 8), i, &f))
            continue;
        iommu_fault_log_add(&io.log, &f);
        wr32(base, off + 12, 1u << 31);     /* F is write-1-to-clear */
    }
    uint32_t fsts = rd32(base, VTD_FSTS);
    if (fsts & VTD_FSTS_PFO) {
        io.log.lost++;
        wr32(base, VTD_FSTS, VTD_FSTS_PFO);
    }
}

/* ---- AMD-Vi (AMD IOMMU spec 3.x, 3.4: MMIO registers) --------------------- */

#define AMDVI_DEV_TABLE    0x0000
#define AMDVI_CMD_BASE     0x0008
#define AMDVI_EVENT_BASE   0x0010
#define AMDVI_CONTROL      0x0018
#define AMDVI_EXT_FEATURE  0x0030
#define AMDVI_CMD_HEAD     0x2000
#define AMDVI_CMD_TAIL     0x2008
#define AMDVI_EVENT_HEAD   0x2010
#define AMDVI_EVENT_TAIL   0x2018
#define AMDVI_STATUS       0x2020
#define AMDVI_MMIO_BYTES   0x4000   /* the registers above; 3.4 */

#define AMDVI_CTL_EN          (1ull << 0)
#define AMDVI_CTL_EVENT_LOG   (1ull << 2)
#define AMDVI_CTL_CMD_BUF     (1ull << 12)
#define AMDVI_STATUS_EVT_OVF  (1u << 0)
#define AMDVI_EFR_IA          (1ull << 6)   /* INVALIDATE_IOMMU_ALL */

#define AMDVI_DEVICES    65536u
#define AMDVI_DTE_BYTES  32u
#define AMDVI_LOG_ENTRIES 256u      /* command buffer and event log: 4 KiB each (2^8 entries) */

/* A device table entry (2.2.2.1, Table 7): V, TV, Mode 4 (a 4-level
 * table), the root, IR and IW (ANDed with the tables'); the domain.
 * Interrupts pass untouched (IV 0), as on VT-d without interrupt
 * remapping: IV with IntCtl 01b would forward fixed interrupts and keep
 * NMIs and INITs out, but QEMU 7.2's amd-iommu, the one this is tested
 * on, then drops every MSI of the device (unless started with
 * intremap=on, and even then it mistranslates the forwarded ones). */
static void amdvi_dte(uint64_t *e, uint64_t root)
{
    e[0] = 1 | 2 | 4ull << 9 | (root & EPT_ADDR_MASK) | 1ull << 61 | 1ull << 62;
    e[1] = 1;                                           /* DomainID */
    e[2] = 0;
    e[3] = 0;
}

static uint64_t amdvi_log_base(void *page)
{
    return hv_pa(page) | 8ull << 56;        /* length: 2^8 entries (3.4.2, 3.4.3) */
}

static int amdvi_command(uint64_t base, uint64_t *cmdbuf, const uint64_t cmd[2])
{
    uint32_t tail = (uint32_t)rd64(base, AMDVI_CMD_TAIL);
    cmdbuf[tail / 8] = cmd[0];
    cmdbuf[tail / 8 + 1] = cmd[1];
    tail = (tail + 16) % (AMDVI_LOG_ENTRIES * 16);
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    wr64(base, AMDVI_CMD_TAIL, tail);
    return wait64(base, AMDVI_CMD_HEAD, 0x7FFF0, tail) ? 0 : -1;
}

static int amdvi_enable_unit(uint64_t base, uint64_t devtab_pa)
{
    uint64_t *cmdbuf = page_alloc(1), *events = page_alloc(1);
    if (!cmdbuf || !events)
        return -1;
    uint64_t ctl = rd64(base, AMDVI_CONTROL);
    if (ctl & AMDVI_CTL_EN)
        wr64(base, AMDVI_CONTROL, ctl & ~AMDVI_CTL_EN);    /* firmware's: reprogrammed from scratch */
    wr64(base, AMDVI_DEV_TABLE, devtab_pa | (AMDVI_DEVICES * AMDVI_DTE_BYTES / 4096 - 1));
    wr64(base, AMDVI_CMD_BASE, amdvi_log_base(cmdbuf));
    wr64(base, AMDVI_EVENT_BASE, amdvi_log_base(events));
    note_table("event_log", hv_pa(events));
    wr64(base, AMDVI_CMD_HEAD, 0);
    wr64(base, AMDVI_CMD_TAIL, 0);
    wr64(base, AMDVI_EVENT_HEAD, 0);
    wr64(base, AMDVI_EVENT_TAIL, 0);
    wr32(base, AMDVI_STATUS, AMDVI_STATUS_EVT_OVF);
    /* One write: QEMU runs the command buffer and the event log only
     * while the IOMMU is enabled. Then whatever the firmware's use left in
     * the caches goes (2.4: INVALIDATE_IOMMU_ALL, where offered), before
     * the guest's first instruction. */
    wr64(base, AMDVI_CONTROL, ctl | AMDVI_CTL_CMD_BUF | AMDVI_CTL_EVENT_LOG | AMDVI_CTL_EN);
    if (rd64(base, AMDVI_EXT_FEATURE) & AMDVI_EFR_IA) {
        const uint64_t all[2] = { 8ull << 60, 0 };
        if (amdvi_command(base, cmdbuf, all))
            return -1;
    }
    return 0;
}

/* An entry is new while it is not zero: each one read is zeroed. (QEMU
 * 7.2's amd-iommu writes entries without moving the tail register, so the
 * entries, not the tail, say what is there.) */
static void amdvi_poll_unit(unsigned i, uint64_t base)
{
    uint64_t *log = hv_va(rd64(base, AMDVI_EVENT_BASE) & EPT_ADDR_MASK);
    uint32_t head = (uint32_t)rd64(base, AMDVI_EVENT_HEAD) % (AMDVI_LOG_ENTRIES * 16);
    for (unsigned n = 0; n < AMDVI_LOG_ENTRIES && (log[head / 8] | log[head / 8 + 1]); n++) {
        struct iommu_fault f;
        if (amdvi_decode_event(log[head / 8], log[head / 8 + 1], i, &f))
            iommu_fault_log_add(&io.log, &f);
        log[head / 8] = log[head / 8 + 1] = 0;
        head = (head + 16) % (AMDVI_LOG_ENTRIES * 16);
    }
    wr64(base, AMDVI_EVENT_HEAD, head);
    if (rd32(base, AMDVI_STATUS) & AMDVI_STATUS_EVT_OVF) {
        /* Logging stopped at the overflow (3.4.5): restart it empty. */
        io.log.lost++;
        uint64_t ctl = rd64(base, AMDVI_CONTROL);
        wr64(base, AMDVI_CONTROL, ctl & ~AMDVI_CTL_EVENT_LOG);
        wr32(base, AMDVI_STATUS, AMDVI_STATUS_EVT_OVF);
        wr64(base, AMDVI_EVENT_HEAD, 0);
        wr64(base, AMDVI_EVENT_TAIL, 0);
        for (unsigned n = 0; n < AMDVI_LOG_ENTRIES * 2; n++)
            log[n] = 0;
        wr64(base, AMDVI_CONTROL, ctl);
    }
}

/* ---- common --------------------------------------------------------------- */

static const char *type_name(enum acpi_iommu_type t)
{
    return t == ACPI_IOMMU_VTD ? "vtd" : t == ACPI_IOMMU_AMDVI ? "amdvi" : "none";
}

static uint64_t register_bytes(const struct acpi_iommu *a, unsigned i)
{
    return a->type == ACPI_IOMMU_VTD ? vtd_register_bytes(a->units[i].base) : AMDVI_MMIO_BYTES;
}

/* The register blocks monovisor can reach: below 4 GiB (its identity map). */
static bool reachable(const struct acpi_iommu *a, unsigned i)
{
    return a->units[i].base && a->units[i].base < 0x100000000ull - AMDVI_MMIO_BYTES;
}

void iommu_prepare(struct guest_ept_config *cfg)
{
    const struct acpi_iommu *a = &acpi()->iommu;
    if (hv.opt.iommu == IOMMU_OFF || !acpi()->iommu_table)
        return;
    for (unsigned i = 0; i < a->unit_count && cfg->held_count < GPA_HELD_MAX; i++) {
        if (!reachable(a, i))
            continue;
        uint64_t start = a->units[i].base & ~0xFFFull;
        cfg->held[cfg->held_count++] = (struct gpa_range){ start, start + register_bytes(a, i) };
    }
    io.hidden = acpi_hide_table(hv.mb.rsdp, hv.mb.rsdp_len, acpi()->iommu_table);
}

static void none(const char *why)
{
    io.type = ACPI_IOMMU_NONE;
    io.off_reason = why;
    kprintf("warning: iommu: %s: device DMA is not confined\n", why);
}

/* The map every device translates through: the guest's RAM and the
 * firmware's reserved regions, read and write, nothing else. */
static int build_map(enum slat_format format, bool allow_2m, bool allow_1g, const struct memmap *guest,
                     const struct memmap *firmware)
{
    struct hv_region r = hv_region();
    struct gpa_space s = {
        .guest = guest,
        .firmware = firmware,
        .hv_start = r.start,
        .hv_end = r.end,
        .phys_limit = 1ull << io.addr_bits,
    };
    static const struct mtrr_state uniform;     /* no types: the largest pages that fit */
    if (ept_init(&io.map, format, ept_pool_ops, allow_1g))
        return -1;
    io.map.no_2m = !allow_2m;
    if (ept_map_guest_ram(&io.map, &s, &uniform))
        return -1;
    const struct acpi_iommu *a = &acpi()->iommu;
    for (unsigned i = 0; i < a->reserved_count; i++) {
        const struct acpi_iommu_reserved *m = &a->reserved[i];
        if (m->base < r.end && r.start < m->end) {
            kprintf("warning: iommu: reserved region %#llx-%#llx meets the hypervisor's memory: "
                    "left unmapped\n", (unsigned long long)m->base, (unsigned long long)m->end);
            continue;
        }
        if (ept_map(&io.map, m->base, m->end - m->base, EPT_READ | EPT_WRITE, MEMTYPE_WB))
            kprintf("warning: iommu: reserved region %#llx-%#llx overlaps guest RAM mapped in large "
                    "pages: left as it is\n", (unsigned long long)m->base, (unsigned long long)m->end);
    }
    return 0;
}

static int start_vtd(const struct acpi_iommu *a, const struct memmap *guest, const struct memmap *firmware)
{
    /* The address width and page sizes every unit offers. */
    unsigned sagaw = 0x1F, mgaw = 64;
    bool m2 = true, g1 = true;
    for (unsigned i = 0; i < a->unit_count; i++) {
        uint64_t cap = rd64(a->units[i].base, VTD_CAP);
        sagaw &= VTD_CAP_SAGAW(cap);
        if (VTD_CAP_MGAW(cap) < mgaw)
            mgaw = VTD_CAP_MGAW(cap);
        m2 = m2 && VTD_CAP_2M(cap);
        g1 = g1 && VTD_CAP_1G(cap);
    }
    unsigned levels = (sagaw & 4) ? 4 : (sagaw & 2) ? 3 : 0;
    if (!levels) {
        none("the VT-d units share no 3- or 4-level address width");
        return -1;
    }
    io.addr_bits = levels == 4 ? 48 : 39;
    if (mgaw < io.addr_bits)
        io.addr_bits = mgaw;
    if (build_map(SLAT_VTD, m2, g1 && m2, guest, firmware))
        return -1;
    note_table("dma_map", io.map.root);
    uint64_t slpt = io.map.root;
    if (levels == 3) {
        /* A 3-level walk starts at the PDPT of the first 512 GiB. */
        uint64_t *pml4 = hv_va(io.map.root);
        slpt = pml4[0] & EPT_ADDR_MASK;
        if (!slpt)
            return -1;
    }
    uint64_t *root = page_alloc(1), *ctx = page_alloc(1);
    if (!root || !ctx)
        return -1;
    for (unsigned d = 0; d < 256; d++) {
        ctx[2 * d] = slpt | 1;                                  /* P; TT 00: translated */
        ctx[2 * d + 1] = (levels == 4 ? 2 : 1) | (uint64_t)VTD_DOMAIN << 8;   /* AW, DID */
    }
    for (unsigned b = 0; b < 256; b++)
        root[2 * b] = hv_pa(ctx) | 1;
    note_table("root_table", hv_pa(root));
    note_table("context_table", hv_pa(ctx));
    for (unsigned i = 0; i < a->unit_count; i++)
        if (vtd_enable_unit(a->units[i].base, hv_pa(root))) {
            kprintf("error: iommu: VT-d unit %u at %#llx did not take its commands\n", i,
                    (unsigned long long)a->units[i].base);
            return -1;
        }
    return 0;
}

static int start_amdvi(const struct acpi_iommu *a, const struct memmap *guest, const struct memmap *firmware)
{
    io.addr_bits = 48;      /* Mode 4 */
    if (build_map(SLAT_AMDVI, true, true, guest, firmware))
        return -1;
    note_table("dma_map", io.map.root);
    uint64_t *devtab = page_alloc(AMDVI_DEVICES * AMDVI_DTE_BYTES / 4096);
    if (!devtab)
        return -1;
    for (unsigned d = 0; d < AMDVI_DEVICES; d++)
        amdvi_dte(&devtab[d * 4], io.map.root);
    note_table("device_table", hv_pa(devtab));
    for (unsigned i = 0; i < a->unit_count; i++)
        if (amdvi_enable_unit(a->units[i].base, hv_pa(devtab))) {
            kprintf("error: iommu: AMD-Vi unit %u at %#llx did not take its commands\n", i,
                    (unsigned long long)a->units[i].base);
            return -1;
        }
    return 0;
}

void iommu_start(const struct memmap *guest, const struct memmap *firmware)
{
    const struct acpi_iommu *a = &acpi()->iommu;
    if (hv.opt.iommu == IOMMU_OFF) {
        none("off (iommu=off)");
        return;
    }
    if (a->type == ACPI_IOMMU_NONE || !a->unit_count) {
        none("none");
        return;
    }
    for (unsigned i = 0; i < a->unit_count; i++)
        if (!reachable(a, i) || a->units[i].segment) {
            none(a->units[i].segment ? "a unit on PCI segment other than 0" : "a unit's registers above 4 GiB");
            return;
        }
    int err = a->type == ACPI_IOMMU_VTD ? start_vtd(a, guest, firmware) : start_amdvi(a, guest, firmware);
    if (err) {
        if (!io.off_reason)
            none("not enabled (out of pool pages or a unit that did not answer)");
        return;
    }
    io.type = a->type;
    io.units = a->unit_count;
    kprintf("iommu.units=%u type=%s mode=identity-minus-hv\n", io.units, type_name(io.type));
    if (!io.hidden)
        kprintf("warning: iommu: the %s could not be removed from the guest's ACPI view\n",
                io.type == ACPI_IOMMU_VTD ? "DMAR" : "IVRS");
}

void iommu_poll(void)
{
    if (io.type == ACPI_IOMMU_NONE)
        return;
    uint64_t now = rdtsc();
    if (now < io.next_poll)
        return;
    io.next_poll = now + (tsc_khz() ? tsc_khz() : 1000000);     /* a millisecond */
    if (!spin_trylock(&io_lock))
        return;
    const struct acpi_iommu *a = &acpi()->iommu;
    for (unsigned i = 0; i < io.units; i++) {
        if (io.type == ACPI_IOMMU_VTD)
            vtd_poll_unit(i, a->units[i].base);
        else
            amdvi_poll_unit(i, a->units[i].base);
    }
    spin_unlock(&io_lock);
}

void iommu_print_summary(void)
{
    if (io.type == ACPI_IOMMU_NONE)
        kprintf("iommu.units=0 type=none reason=\"%s\": device DMA is not confined\n",
                io.off_reason ? io.off_reason : "not started");
    else
        kprintf("iommu.units=%u type=%s mode=identity-minus-hv faults=%llu hidden=%u\n", io.units,
                type_name(io.type), (unsigned long long)io.log.total, io.hidden);
}

static void cmd_iommu(int argc, char **argv)
{
    (void)argv;
    if (argc != 1) {
        kprintf("error: usage: iommu\n");
        return;
    }
    io.next_poll = 0;
    iommu_poll();
    iommu_print_summary();
    if (io.type == ACPI_IOMMU_NONE)
        return;
    const struct acpi_iommu *a = &acpi()->iommu;
    for (unsigned i = 0; i < io.units; i++)
        kprintf("iommu.unit=%u base=%#llx\n", i, (unsigned long long)a->units[i].base);
    kprintf("iommu.map root=%#llx address_bits=%u tables=%llu pages_4k=%llu pages_2m=%llu "
            "pages_1g=%llu\n", (unsigned long long)io.map.root, io.addr_bits,
            (unsigned long long)io.map.tables, (unsigned long long)io.map.pages_4k,
            (unsigned long long)io.map.pages_2m, (unsigned long long)io.map.pages_1g);
    for (unsigned i = 0; i < io.ntables; i++)
        kprintf("iommu.table name=%s pa=%#llx\n", io.tables[i].name, (unsigned long long)io.tables[i].pa);
    for (unsigned i = 0; i < io.log.n; i++) {
        const struct iommu_fault *f = &io.log.e[i].f;
        kprintf("iommu.fault unit=%u device=%02x:%02x.%x address=%#llx access=%s reason=%s count=%llu\n",
                f->unit, f->sid >> 8, (f->sid >> 3) & 0x1F, f->sid & 7, (unsigned long long)f->addr,
                f->write ? "write" : "read", iommu_fault_reason(f), (unsigned long long)io.log.e[i].count);
    }
    if (io.log.unlisted || io.log.lost)
        kprintf("iommu.faults unlisted=%llu lost_overflows=%llu\n", (unsigned long long)io.log.unlisted,
                (unsigned long long)io.log.lost);
}
CONSOLE_COMMAND(iommu, "iommu", "iommu",
                "the IOMMUs: units, the DMA map, and the DMA faults they recorded", cmd_iommu);
