/*
 * attack_dma.c - device DMA against the hypervisor. QEMU's `edu` PCI
 * device (1234:11e8, QEMU docs/specs/edu.rst) is a DMA engine the guest
 * drives from its BAR0 registers; this guest finds it and aims it at the
 * hypervisor. Where the machine has an IOMMU, the hypervisor maps guest
 * memory identity for every device and leaves its own region and the
 * IOMMU's registers out (DESIGN.md, memory model): the guest's DMA into
 * its own RAM works, everything aimed at the hypervisor finds nothing.
 *
 * Arguments:
 *   iommu=1       the hypervisor confines DMA: every attack must find no
 *                 hypervisor data (and the writes are made too: the host
 *                 test compares the hypervisor's checksum afterwards);
 *   iommu=0       it does not (no IOMMU): the negative control, the DMA
 *                 reads must see the hypervisor's bytes; nothing is written;
 *   regs=0xADDR   (iommu=1) the IOMMU's register page, refused to the CPU
 *                 and to DMA (QEMU 7.2: intel-iommu at 0xfed90000,
 *                 amd-iommu at 0xfed80000).
 *   tables=1      (iommu=1) then ask for the IOMMU's own tables: addresses
 *                 typed on COM1, one hexadecimal address a line, an empty
 *                 line ends (the boot test types what `iommu` shows); each
 *                 is read and written by DMA, and DMA into guest RAM must
 *                 still work afterwards (zeros that landed in a root or
 *                 device table would end all translation).
 * Boot with ept_refuse=gp (a refused CPU access is #GP) and QEMU's
 * `-device edu,dma_mask=0xffffffffffff` (edu masks DMA addresses to 28
 * bits by default). No edu device: no checks.
 *
 * A "no data" page (what a blocked DMA read may leave in the device's
 * buffer, pre-filled with a pattern): all zeros (QEMU reads a failed
 * translation as zeros), all ones (a master abort), or the pattern
 * untouched (the read dropped).
 */
#include "../sdk/sdk.h"
#include "../../kernel/kstring.h"

#define PAGE 4096u
/* Bytes per transfer: half of edu's 4 KiB buffer. QEMU 7.2's edu aborts
 * ("hardware error: EDU: DMA range ... out of bounds") on a transfer that
 * ends at the buffer's end: it wants the end strictly inside. */
#define LEN 2048u
#define MB2_HEADER_MAGIC 0xE85250D6u

/* ---- PCI configuration space ----------------------------------------------- */

/* Mechanism #1 (PCI Local Bus 3.0, 3.2.2.3.2): the address, a dword, to
 * 0xCF8, the data at 0xCFC. If it does not answer (00:00.0 is no host
 * bridge), PCI Express's ECAM from the ACPI MCFG table (PCI Firmware 3.2,
 * 4.1.2): 4 KiB per function at base + (bus << 20 | dev << 15 | fn << 12).
 * The line "attack_dma: pci config=cf8|ecam ..." says which was used (a
 * hypervisor that intercepts 0xCF9 must still pass the dword at 0xCF8
 * through whole; the boot test checks that too). */
static uint32_t ecam;           /* 0: mechanism #1 */

static inline void outl(uint16_t port, uint32_t v) { __asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port)); }
static inline uint32_t inl(uint16_t port)
{
    uint32_t v;
    __asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

static uint32_t cfg1_read32(unsigned bdf, unsigned off)
{
    outl(0xCF8, 0x80000000u | bdf << 8 | (off & 0xFC));
    return inl(0xCFC);
}

static uint32_t cfg_read32(unsigned bdf, unsigned off)
{
    if (ecam)
        return *(volatile uint32_t *)sdk_ptr(ecam + (bdf << 12) + (off & 0xFFC));
    return cfg1_read32(bdf, off);
}

static void cfg_write16(unsigned bdf, unsigned off, uint16_t v)
{
    if (ecam) {
        *(volatile uint16_t *)sdk_ptr(ecam + (bdf << 12) + (off & 0xFFE)) = v;
        return;
    }
    outl(0xCF8, 0x80000000u | bdf << 8 | (off & 0xFC));
    outw((uint16_t)(0xCFC + (off & 2)), v);
}

/* The ECAM base of PCI segment 0 in the MCFG (below 4 GiB), or 0; *last:
 * its last bus. RSDT entries only (QEMU's SeaBIOS and OVMF give one). */
static uint32_t mcfg_ecam(unsigned *last)
{
    size_t len;
    const uint8_t *rsdp = sdk_find_rsdp(&len);
    if (!rsdp)
        return 0;
    const uint8_t *rsdt = sdk_ptr(*(const uint32_t *)(rsdp + 16));
    uint32_t rsdt_len = *(const uint32_t *)(rsdt + 4);
    for (uint32_t off = 36; off + 4 <= rsdt_len; off += 4) {
        const uint8_t *t = sdk_ptr(*(const uint32_t *)(rsdt + off));
        if (memcmp(t, "MCFG", 4))
            continue;
        uint32_t t_len = *(const uint32_t *)(t + 4);
        for (uint32_t e = 44; e + 16 <= t_len; e += 16) {       /* base, segment, first and last bus */
            const uint8_t *a = t + e;
            if (*(const uint16_t *)(a + 8) == 0 && *(const uint32_t *)(a + 4) == 0) {
                *last = a[11];
                return *(const uint32_t *)a;
            }
        }
    }
    return 0;
}

/* Choose the mechanism: #1 when 00:00.0 reads as a host bridge (class
 * 06 00 00) through it. Prints which; false if neither works. */
static bool pci_config_init(unsigned *last_bus)
{
    uint32_t id = cfg1_read32(0, 0x00), class = cfg1_read32(0, 0x08) >> 8;
    *last_bus = 255;
    if ((id & 0xFFFF) != 0xFFFF && id && class == 0x060000) {
        sdk_printf("attack_dma: pci config=cf8 host_bridge=%#x\n", id);
        return true;
    }
    ecam = mcfg_ecam(last_bus);
    sdk_printf("attack_dma: pci config=ecam base=%#x last_bus=%u (mechanism #1: 00:00.0 reads id %#x "
               "class %#x)\n", ecam, *last_bus, id, class);
    return ecam != 0;
}

#define EDU_ID          0x11E81234u     /* device 11e8, vendor 1234 */
#define PCI_CMD_MEM     (1u << 1)
#define PCI_CMD_MASTER  (1u << 2)

/* The first function on buses 0-last that is edu (bus << 8 | dev << 3 |
 * fn), or -1. Functions 1-7 only where function 0 is multi-function
 * (header type bit 7). */
static int find_edu(unsigned last)
{
    for (unsigned bus = 0; bus <= last; bus++)
        for (unsigned dev = 0; dev < 32; dev++)
            for (unsigned fn = 0; fn < 8; fn++) {
                unsigned bdf = bus << 8 | dev << 3 | fn;
                uint32_t id = cfg_read32(bdf, 0);
                if ((id & 0xFFFF) == 0xFFFF) {
                    if (fn == 0)
                        break;
                    continue;
                }
                if (id == EDU_ID)
                    return (int)bdf;
                if (fn == 0 && !(cfg_read32(bdf, 0x0C) & (0x80u << 16)))
                    break;
            }
    return -1;
}

/* ---- edu's DMA engine (QEMU hw/misc/edu.c) -------------------------------- */

#define EDU_IDENT       0x00            /* reads 0x010000ed */
#define EDU_DMA_SRC     0x80
#define EDU_DMA_DST     0x88
#define EDU_DMA_COUNT   0x90
#define EDU_DMA_CMD     0x98
#define EDU_RUN         0x1
#define EDU_TO_RAM      0x2             /* direction: 0 memory -> buffer, 1 buffer -> memory */
#define EDU_BUF         0x40000u        /* the device's 4 KiB buffer, in its own addresses */
#define DMA_TIMEOUT_MS  5000            /* a transfer takes 100 ms of QEMU's virtual time */

static volatile uint32_t *edu;

_Noreturn static void finish(void)
{
    unsigned failed = sdk_summary();
    sdk_puts("attack_dma: done\n");
    sdk_exit(failed ? 1 : 0);
}

/* One transfer of LEN bytes between edu's buffer and bus address addr (the
 * IOMMU's input address: guest-physical). A 32-bit write of a 64-bit
 * address register sets the whole register (QEMU's edu), enough below
 * 4 GiB. Waits for RUN to clear; a transfer still running after
 * DMA_TIMEOUT_MS is a failed check and ends the guest (edu ignores its
 * registers while it runs). */
static void dma(uint32_t addr, uint32_t dir, const char *what)
{
    uint32_t src = dir == EDU_TO_RAM ? EDU_BUF : addr, dst = dir == EDU_TO_RAM ? addr : EDU_BUF;
    edu[EDU_DMA_SRC / 4] = src;
    edu[EDU_DMA_DST / 4] = dst;
    edu[EDU_DMA_COUNT / 4] = LEN;
    edu[EDU_DMA_CMD / 4] = dir | EDU_RUN;
    for (unsigned ms = 0; ms < DMA_TIMEOUT_MS; ms++) {
        if (!(edu[EDU_DMA_CMD / 4] & EDU_RUN))
            return;
        sdk_udelay(1000);
    }
    sdk_checkf(false, "DMA %s (%#x -> %#x, %u bytes): still running after %u ms", what, src, dst, LEN,
               DMA_TIMEOUT_MS);
    finish();
}

/* The device buffer <- addr; addr <- the device buffer. */
static void dma_read(uint32_t addr, const char *what) { dma(addr, 0, what); }
static void dma_write(uint32_t addr, const char *what) { dma(addr, EDU_TO_RAM, what); }

/* ---- what a DMA read brings ------------------------------------------------- */

static uint8_t pattern[PAGE] __attribute__((aligned(PAGE)));
static uint8_t seen[PAGE] __attribute__((aligned(PAGE)));
static uint8_t zeros[PAGE] __attribute__((aligned(PAGE)));

struct look {
    unsigned differ, zero, ones;        /* bytes unlike the pattern, 0x00, 0xFF */
};

/* What a DMA read of LEN bytes at addr brought: the device buffer is
 * filled with the pattern first, then read from addr, then copied into
 * seen; printed as "attack_dma: WHAT ADDR: ...". */
static struct look peek(uint32_t addr, const char *what)
{
    dma_read(sdk_phys(pattern), "pattern into the device");
    dma_read(addr, what);
    memset(seen, 0x5C, LEN);
    dma_write(sdk_phys(seen), "device buffer back into guest RAM");
    struct look l = { 0, 0, 0 };
    for (unsigned i = 0; i < LEN; i++) {
        l.differ += seen[i] != pattern[i];
        l.zero += seen[i] == 0;
        l.ones += seen[i] == 0xFF;
    }
    sdk_printf("attack_dma: %s %#x: %u bytes differ from the pattern, %u zero, %u 0xff; first "
               "%02x %02x %02x %02x %02x %02x %02x %02x\n", what, addr, l.differ, l.zero, l.ones,
               seen[0], seen[1], seen[2], seen[3], seen[4], seen[5], seen[6], seen[7]);
    return l;
}

static bool no_data(struct look l)
{
    return l.zero == LEN || l.ones == LEN || l.differ == 0;
}

static const char *verdict(struct look l)
{
    return l.zero == LEN ? "all zero" : l.ones == LEN ? "all 0xff" : l.differ == 0 ? "pattern unchanged"
                                                                                    : "DATA";
}

/* A line typed on COM1 (the guest's side of the console): its hexadecimal
 * digits ("0x" allowed), 0 for an empty line. */
static uint32_t read_hex_line(void)
{
    uint32_t v = 0;
    for (;;) {
        while (!(inb(0x3F8 + 5) & 1))      /* LSR.DR */
            ;
        char c = (char)inb(0x3F8);
        if (c == '\r' || c == '\n')
            return v;
        char l = (char)(c | 0x20);
        if (c >= '0' && c <= '9')
            v = v << 4 | (uint32_t)(c - '0');
        else if (l >= 'a' && l <= 'f')
            v = v << 4 | (uint32_t)(l - 'a' + 10);
        else if (l == 'x')
            v = 0;
    }
}

/* The number after "key=0x" (hexadecimal) in the command line, or 0. */
static uint32_t arg_hex(const char *key)
{
    const char *cl = sdk_cmdline();
    size_t n = strlen(key);
    for (const char *p = cl; *p; p++) {
        if ((p != cl && p[-1] != ' ') || strncmp(p, key, n) || p[n] != '=' || p[n + 1] != '0' ||
            (p[n + 2] | 0x20) != 'x')
            continue;
        uint32_t v = 0;
        for (p += n + 3;; p++) {
            char c = (char)(*p | 0x20);
            if (*p >= '0' && *p <= '9')
                v = v << 4 | (uint32_t)(*p - '0');
            else if (c >= 'a' && c <= 'f')
                v = v << 4 | (uint32_t)(c - 'a' + 10);
            else
                return v;
        }
    }
    return 0;
}

int main(void)
{
    bool iommu = sdk_arg("iommu", 0) != 0;
    uint32_t regs = arg_hex("regs");
    sdk_tsc_calibrate();
    sdk_printf("attack_dma: start iommu=%u regs=%#x\n", iommu, regs);

    unsigned last_bus;
    int bdf = pci_config_init(&last_bus) ? find_edu(last_bus) : -1;
    if (bdf < 0) {
        sdk_puts("attack_dma: no edu device\n");
        finish();
    }
    uint32_t bar0 = cfg_read32((unsigned)bdf, 0x10);
    uint32_t bar0_hi = (bar0 & 0x7) == 0x4 ? cfg_read32((unsigned)bdf, 0x14) : 0;
    sdk_printf("attack_dma: edu at %02x:%02x.%x bar0=%#x\n", bdf >> 8, bdf >> 3 & 0x1F, bdf & 7,
               bar0 & ~0xFu);
    if ((bar0 & 1) || bar0_hi || !(bar0 & ~0xFu)) {
        sdk_checkf(false, "edu BAR0 %#x (high %#x): not a memory BAR below 4 GiB", bar0, bar0_hi);
        finish();
    }
    uint16_t cmd = (uint16_t)cfg_read32((unsigned)bdf, 0x04);
    cfg_write16((unsigned)bdf, 0x04, (uint16_t)(cmd | PCI_CMD_MEM | PCI_CMD_MASTER));
    cmd = (uint16_t)cfg_read32((unsigned)bdf, 0x04);
    edu = sdk_ptr(bar0 & ~0xFu);
    uint32_t ident = edu[EDU_IDENT / 4];
    sdk_checkf(ident == 0x010000ED && (cmd & (PCI_CMD_MEM | PCI_CMD_MASTER)) == (PCI_CMD_MEM | PCI_CMD_MASTER),
               "edu: identification %#x (0x10000ed), command %#x (memory space, bus master)", ident, cmd);

    /* (a) DMA into the guest's own RAM: RAM -> device -> another page. */
    for (unsigned i = 0; i < PAGE; i++)
        pattern[i] = (uint8_t)((i * 31 + 0xA5) ^ (i >> 8));
    dma_read(sdk_phys(zeros), "zeros into the device");
    dma_read(sdk_phys(pattern), "guest RAM into the device");
    memset(seen, 0x5C, LEN);
    dma_write(sdk_phys(seen), "device buffer into guest RAM");
    unsigned differ = 0;
    for (unsigned i = 0; i < LEN; i++)
        differ += seen[i] != pattern[i];
    sdk_checkf(differ == 0, "DMA into the guest's own RAM: %u bytes RAM -> device -> RAM, %u differ", LEN,
               differ);

    uint64_t hv_len;
    uint32_t hv = (uint32_t)sdk_hypervisor_region(&hv_len);
    if (!hv) {
        sdk_check(false, "the memory map shows no hypervisor region");
        finish();
    }
    uint32_t hv_last = hv + (uint32_t)hv_len - LEN;    /* its last bytes */
    sdk_printf("attack_dma: hypervisor region %#x-%#llx\n", hv, (unsigned long long)(hv + hv_len));

    /* (b) DMA reads of the hypervisor's first and last pages. */
    struct look l = peek(hv, "DMA read of the hypervisor's first page");
    if (iommu)
        sdk_checkf(no_data(l), "DMA read of the hypervisor's first page %#x: %s", hv, verdict(l));
    else
        sdk_checkf(!no_data(l), "DMA read of the hypervisor's first page %#x without an IOMMU: leaked, "
                   "%u bytes differ from the pattern", hv, l.differ);
    l = peek(hv_last, "DMA read of the hypervisor's last page");
    if (iommu)
        sdk_checkf(no_data(l), "DMA read of the hypervisor's last page %#x: %s", hv_last, verdict(l));
    else
        sdk_checkf(l.differ != 0, "DMA read of the hypervisor's last page %#x without an IOMMU: reached "
                   "(%s), %u bytes differ from the pattern", hv_last, verdict(l), l.differ);
    if (!iommu) {
        /* The hypervisor's image itself (its first bytes are the guest
         * modules it keeps): the 2 MiB block that starts with its
         * Multiboot2 header (kernel/boot.asm; loaded 2 MiB aligned). */
        uint32_t image = 0;
        for (uint32_t a = hv; !image && a < hv_last; a += 2u << 20) {
            peek(a, "DMA read of the hypervisor at");
            if (*(const uint32_t *)seen == MB2_HEADER_MAGIC)
                image = a;
        }
        sdk_checkf(image != 0, "DMA read of the hypervisor's image without an IOMMU: its Multiboot2 header "
                   "%#x at %#x", MB2_HEADER_MAGIC, image);
        finish();
    }

    /* (c) DMA writes of the pattern into the hypervisor (its checksum,
     * compared by the host test, tells whether they landed). */
    uint32_t targets[2] = { hv + 0x1000, hv_last };
    for (unsigned i = 0; i < 2; i++) {
        dma_read(sdk_phys(pattern), "pattern into the device");
        dma_write(targets[i], "pattern into the hypervisor");
        l = peek(targets[i], "DMA read after the DMA write to");
        sdk_checkf(no_data(l), "DMA write of the pattern to the hypervisor at %#x made; read back: %s",
                   targets[i], verdict(l));
    }

    /* (d) The IOMMU's registers: refused to the CPU, invisible to DMA,
     * and a DMA write of zeros there (which would turn translation off)
     * changes nothing. */
    if (regs) {
        uint32_t val = 0;
        int vec = sdk_read32(regs, &val);
        sdk_checkf(vec == SDK_VEC_GP, "CPU read of the IOMMU's registers at %#x: %s %d, value %#x", regs,
                   vec == SDK_VEC_GP ? "refused, vector" : "NOT refused, vector", vec, val);
        /* Offset 0x30: reserved on VT-d, the read-only extended features on AMD-Vi. */
        vec = sdk_write32(regs + 0x30, 0);
        sdk_checkf(vec == SDK_VEC_GP, "CPU write of the IOMMU's registers at %#x: %s %d", regs + 0x30,
                   vec == SDK_VEC_GP ? "refused, vector" : "NOT refused, vector", vec);
        l = peek(regs, "DMA read of the IOMMU's registers");
        sdk_checkf(no_data(l), "DMA read of the IOMMU's registers at %#x: %s", regs, verdict(l));
        dma_read(sdk_phys(zeros), "zeros into the device");
        dma_write(regs, "zeros into the IOMMU's registers");
        l = peek(regs, "DMA read after the DMA write to");
        sdk_checkf(no_data(l), "DMA write of zeros to the IOMMU's registers at %#x made; read back: %s", regs,
                   verdict(l));
        l = peek(hv, "DMA read after the register write of");
        sdk_checkf(no_data(l), "DMA read of the hypervisor's first page %#x after it: %s", hv, verdict(l));
    }

    /* (e) The IOMMU's own tables, at the addresses typed in. */
    if (sdk_arg("tables", 0)) {
        sdk_puts("attack_dma: DMA targets? (hex, one a line, empty line ends)\n");
        unsigned n = 0;
        for (uint32_t a; (a = read_hex_line()) != 0; n++) {
            l = peek(a, "DMA read of the IOMMU's table");
            sdk_checkf(no_data(l), "DMA read of the IOMMU's table at %#x: %s", a, verdict(l));
            dma_read(sdk_phys(zeros), "zeros into the device");
            dma_write(a, "zeros into the IOMMU's table");
            l = peek(a, "DMA read after the DMA write to");
            sdk_checkf(no_data(l), "DMA write of zeros to the IOMMU's table at %#x made; read back: %s", a,
                       verdict(l));
        }
        dma_read(sdk_phys(pattern), "guest RAM into the device");
        memset(seen, 0x5C, LEN);
        dma_write(sdk_phys(seen), "device buffer into guest RAM");
        differ = 0;
        for (unsigned i = 0; i < LEN; i++)
            differ += seen[i] != pattern[i];
        sdk_checkf(n > 0 && differ == 0, "after %u tables: DMA into the guest's own RAM still works, %u "
                   "bytes differ", n, differ);
    }
    finish();
}
