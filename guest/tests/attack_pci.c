/*
 * attack_pci.c - the guest goes for the console's PCI 16550 card
 * (serial=pci:00:DD.0, DD = dev=N, default 5) through its configuration
 * space: it turns the card's I/O and memory decoding off (COMMAND = 0) and
 * moves BAR0 (sizing it with all ones first, as an OS does, then another
 * address), through configuration mechanism #1 (ports 0xCF8/0xCFC) and,
 * where the ACPI MCFG gives an ECAM window, through memory. Under
 * monovisor the card is the hypervisor's (kernel/vpci.h): every write is
 * dropped, the registers read back what they held, and the console goes
 * on. Natively (the oracle that these registers do take writes on this
 * machine) the same writes take effect, and the guest puts them back.
 * Either way a register of another function (the host bridge's interrupt
 * line, 00:00.0 offset 3CH) takes a write: only the kept card is
 * read-only.
 *
 * With bus=B the card is B:DD.0, behind a PCI-to-PCI bridge on bus 0: the
 * guest also turns the bridge's decoding off and moves its secondary and
 * subordinate bus numbers past the card's, which would take the card off
 * the machine's buses as surely; under monovisor the bridge is kept too.
 */
#include "../sdk/sdk.h"

#include "../../drivers/acpi_tables.h"

#define CFG_ADDRESS 0xCF8
#define CFG_DATA    0xCFC
#define REG_VENDOR  0x00
#define REG_COMMAND 0x04
#define REG_HEADER  0x0E
#define REG_BAR0    0x10
#define REG_BUSES   0x18    /* type 1: primary, secondary, subordinate */
#define REG_IRQLINE 0x3C

static inline void outl32(uint16_t port, uint32_t v) { __asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port)); }
static inline uint32_t inl32(uint16_t port)
{
    uint32_t v;
    __asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

/* A configuration register, size 1, 2 or 4 at its own alignment: through
 * mechanism #1 (ecam 0) or the function's ECAM page. */
struct way {
    const char *name;
    uint32_t ecam;          /* the ECAM window (bus 0 at its start), 0: mechanism #1 */
};

static uint32_t cfg_read(const struct way *w, unsigned bdf, unsigned reg, unsigned size)
{
    uint32_t v;
    if (w->ecam) {
        uintptr_t a = w->ecam + (bdf << 12) + reg;
        v = size == 1 ? *(volatile uint8_t *)a : size == 2 ? *(volatile uint16_t *)a : *(volatile uint32_t *)a;
        return v;
    }
    outl32(CFG_ADDRESS, 0x80000000u | bdf << 8 | (reg & 0xFC));
    uint16_t port = (uint16_t)(CFG_DATA + (reg & 3));
    return size == 1 ? inb(port) : size == 2 ? inw(port) : inl32(port);
}

static void cfg_write(const struct way *w, unsigned bdf, unsigned reg, unsigned size, uint32_t v)
{
    if (w->ecam) {
        uintptr_t a = w->ecam + (bdf << 12) + reg;
        if (size == 1)
            *(volatile uint8_t *)a = (uint8_t)v;
        else if (size == 2)
            *(volatile uint16_t *)a = (uint16_t)v;
        else
            *(volatile uint32_t *)a = v;
        return;
    }
    outl32(CFG_ADDRESS, 0x80000000u | bdf << 8 | (reg & 0xFC));
    uint16_t port = (uint16_t)(CFG_DATA + (reg & 3));
    if (size == 1)
        outb(port, (uint8_t)v);
    else if (size == 2)
        outw(port, (uint16_t)v);
    else
        outl32(port, v);
}

static void attack(const struct way *w, unsigned card, bool hv)
{
    uint32_t id = cfg_read(w, card, REG_VENDOR, 4);
    sdk_checkf((id & 0xFFFF) != 0xFFFF, "%s: the card is there (id %08x)", w->name, id);
    uint32_t cmd = cfg_read(w, card, REG_COMMAND, 2), bar = cfg_read(w, card, REG_BAR0, 4);
    cfg_write(w, card, REG_COMMAND, 2, 0);
    uint32_t cmd_after = cfg_read(w, card, REG_COMMAND, 2);
    cfg_write(w, card, REG_BAR0, 4, 0xFFFFFFFFu);
    uint32_t sized = cfg_read(w, card, REG_BAR0, 4);
    cfg_write(w, card, REG_BAR0, 4, (bar & 1) ? 0x1001u : 0xE0000000u);
    uint32_t moved = cfg_read(w, card, REG_BAR0, 4);
    cfg_write(w, card, REG_BAR0, 4, bar);           /* natively: put it all back */
    cfg_write(w, card, REG_COMMAND, 2, cmd);
    sdk_printf("attack_pci: %s: command %04x -> %04x, bar0 %08x sized %08x moved %08x\n", w->name,
               cmd, cmd_after, bar, sized, moved);
    if (hv) {
        sdk_checkf(cmd_after == cmd && sized == bar && moved == bar,
                   "%s: the console card's command and BAR0 took no write", w->name);
    } else {
        sdk_checkf(cmd_after == 0 && moved != bar,
                   "%s: natively the card's command and BAR0 take writes", w->name);
    }
    sdk_checkf(cfg_read(w, card, REG_COMMAND, 2) == cmd && cfg_read(w, card, REG_BAR0, 4) == bar,
               "%s: the card's registers as they were", w->name);
    /* Another function: the host bridge's interrupt line takes a write. */
    uint32_t line = cfg_read(w, 0, REG_IRQLINE, 1);
    cfg_write(w, 0, REG_IRQLINE, 1, line ^ 0x5A);
    uint32_t changed = cfg_read(w, 0, REG_IRQLINE, 1);
    cfg_write(w, 0, REG_IRQLINE, 1, line);
    sdk_checkf(changed == (line ^ 0x5A) && cfg_read(w, 0, REG_IRQLINE, 1) == line,
               "%s: 00:00.0's interrupt line takes writes (%02x -> %02x)", w->name, line, changed);
}

/* The bridge on bus 0 whose secondary bus is bus, or -1. */
static int bridge_to(const struct way *w, unsigned bus)
{
    for (unsigned bdf = 0; bdf < 256; bdf++)
        if ((cfg_read(w, bdf, REG_VENDOR, 2) & 0xFFFF) != 0xFFFF &&
            (cfg_read(w, bdf, REG_HEADER, 1) & 0x7F) == 1 &&
            ((cfg_read(w, bdf, REG_BUSES, 4) >> 8) & 0xFF) == bus)
            return (int)bdf;
    return -1;
}

static void attack_bridge(const struct way *w, unsigned card, bool hv)
{
    int bridge = bridge_to(w, card >> 8);
    sdk_checkf(bridge >= 0, "%s: a bridge on bus 0 leads to bus %u", w->name, card >> 8);
    if (bridge < 0)
        return;
    unsigned b = (unsigned)bridge;
    uint32_t cmd = cfg_read(w, b, REG_COMMAND, 2), buses = cfg_read(w, b, REG_BUSES, 4);
    cfg_write(w, b, REG_COMMAND, 2, 0);
    uint32_t cmd_after = cfg_read(w, b, REG_COMMAND, 2);
    /* Secondary and subordinate 0x40: the card's bus is behind no bridge. */
    cfg_write(w, b, REG_BUSES, 4, (buses & 0xFF0000FFu) | 0x404000u);
    uint32_t buses_after = cfg_read(w, b, REG_BUSES, 4);
    uint32_t card_id = cfg_read(w, card, REG_VENDOR, 4);
    cfg_write(w, b, REG_BUSES, 4, buses);           /* natively: put it all back */
    cfg_write(w, b, REG_COMMAND, 2, cmd);
    sdk_printf("attack_pci: %s: bridge %02x:%02x.%x command %04x -> %04x, buses %06x -> %06x, "
               "card id %08x\n", w->name, b >> 8, b >> 3 & 31, b & 7, cmd, cmd_after, buses & 0xFFFFFF,
               buses_after & 0xFFFFFF, card_id);
    if (hv)
        sdk_checkf(cmd_after == cmd && buses_after == buses && (card_id & 0xFFFF) != 0xFFFF,
                   "%s: the bridge to the console card took no write", w->name);
    else
        sdk_checkf(cmd_after == 0 && buses_after != buses && (card_id & 0xFFFF) == 0xFFFF,
                   "%s: natively the bridge takes writes and the card leaves bus %u", w->name, card >> 8);
    sdk_checkf(cfg_read(w, b, REG_COMMAND, 2) == cmd && cfg_read(w, b, REG_BUSES, 4) == buses &&
               (cfg_read(w, card, REG_VENDOR, 2) & 0xFFFF) != 0xFFFF,
               "%s: the bridge as it was, the card behind it", w->name);
}

int main(void)
{
    bool hv = sdk_hv_present();
    unsigned card = sdk_arg("bus", 0) << 8 | sdk_arg("dev", 5) << 3;
    struct way w = { "mechanism #1", 0 };
    attack(&w, card, hv);
    if (card >> 8)
        attack_bridge(&w, card, hv);

    static struct acpi_info ai;
    char err[96];
    size_t len = 0;
    const void *rsdp = sdk_find_rsdp(&len);
    if (rsdp && acpi_parse(rsdp, len, sdk_phys_map, 0, 0, &ai, err, sizeof(err)) == 0 &&
        ai.ecam_base && ai.ecam_base < 0x100000000ull && ai.ecam_bus_first == 0) {
        sdk_printf("attack_pci: ecam base %#llx\n", (unsigned long long)ai.ecam_base);
        struct way e = { "ECAM", (uint32_t)ai.ecam_base };
        attack(&e, card, hv);
        if (card >> 8)
            attack_bridge(&e, card, hv);
    } else {
        sdk_puts("attack_pci: no ECAM window (no MCFG)\n");
    }
    sdk_finish();
}
