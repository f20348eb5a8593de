/*
 * main.c - kmain: the boot flow of DESIGN.md from step 3 on. The boot stub
 * (kernel/boot.asm) has us in long mode on the boot stack.
 *
 * This file is the composition root: the one place that knows every
 * layer (kernel, drivers, vmx, ept) and wires them together.
 */
#include <stdint.h>

#include "console.h"
#include "fmt.h"
#include "gcov.h"
#include "gdb_stub.h"
#include "hv.h"
#include "kstring.h"
#include "loader.h"
#include "mem.h"
#include "percpu.h"
#include "power.h"
#include "printk.h"
#include "smp.h"
#include "trap.h"
#include "x86.h"
#include "../drivers/acpi.h"
#include "../drivers/iommu.h"
#include "../drivers/lapic.h"
#include "../drivers/pci.h"
#include "../drivers/tsc.h"
#include "../drivers/uart.h"
#include "../ept/guest_ept.h"
#include "iobus.h"
#include "platform.h"
#include "vapic.h"
#include "vcpu.h"
#include "vpci.h"
#include "vserial.h"

struct hv_boot hv;

/* Option problems are found before the UART is set up: keep them. */
static char early_msgs[8][160];
static int early_count;

static void keep_problem(void *ctx, const char *msg)
{
    (void)ctx;
    if (early_count < 8) {
        char *d = early_msgs[early_count++];
        size_t i = 0;
        for (; msg[i] && i < sizeof(early_msgs[0]) - 1; i++)
            d[i] = msg[i];
        d[i] = '\0';
    }
}

/* The firmware's kind and where the memory map came from. */
static void print_firmware(void)
{
    kprintf("boot.firmware=%s mem.source=%s", hv.mb.efi ? "uefi" : "bios",
            hv.mb.mmap_source == MB2_MMAP_EFI      ? "efi"
            : hv.mb.mmap_source == MB2_MMAP_LEGACY ? "multiboot2"
                                                   : "none");
    if (hv.mb.mmap_source == MB2_MMAP_EFI)
        kprintf(" mem.efi_descriptors=%u", hv.mb.efi_descriptors);
    if (hv.mb.efi_system_table)
        kprintf(" efi.system_table=%#llx", (unsigned long long)hv.mb.efi_system_table);
    kprintf("%s\n", hv.mb.mmap_truncated ? " mem.truncated=1" : "");
}

static void print_boot_summary(void)
{
    struct hv_region r = hv_region();
    const struct acpi_info *a = acpi();
    print_firmware();
    kprintf("hv.region start=%#llx end=%#llx size_kib=%llu pool_pages=%zu\n",
            (unsigned long long)r.start, (unsigned long long)r.end,
            (unsigned long long)((r.end - r.start) >> 10), page_pool()->npages);
    kprintf("cpus.count=%u cpus.bsp_apic_id=%u\n", a->cpu_count, hv.bsp_apic_id);
    kprintf("tsc.khz=%llu tsc.source=%s\n", (unsigned long long)tsc_khz(), tsc_source());
    kprintf("guest.modules=%u\n", hv.mb.module_count);
}

static void print_cpus(void)
{
    const struct acpi_info *a = acpi();
    print_begin();
    kprintf("cpus.count=%u cpus.bsp_apic_id=%u cpus.apic_ids=", a->cpu_count, hv.bsp_apic_id);
    for (unsigned i = 0; i < a->cpu_count; i++)
        kprintf("%s%u", i ? "," : "", a->cpus[i].apic_id);
    if (!a->cpu_count)
        kprintf("unknown");
    kprintf("%s\n", a->cpus_truncated ? " cpus.truncated=1" : "");
    kprintf("cpus.online=");
    for (unsigned i = 0, n = 0; i < cpu_count; i++)
        if (cpus[i].state == CPU_ONLINE)
            kprintf("%s%u", n++ ? "," : "", i);
    kprintf(" cpus.guest=");
    for (unsigned i = 0, n = 0; i < cpu_count; i++)
        if (cpus[i].guest)
            kprintf("%s%u", n++ ? "," : "", i);
    kprintf("\n");
    print_end();
}

static void print_memory(void)
{
    print_firmware();
    for (unsigned i = 0; i < hv.mb.mmap_count; i++) {
        const struct mb2_mmap_entry *e = &hv.mb.mmap[i];
        kprintf("mem.region index=%u start=%#llx end=%#llx type=%s\n", i,
                (unsigned long long)e->base, (unsigned long long)(e->base + e->len),
                mb2_mem_type_name(e->type));
    }
    struct hv_region r = hv_region();
    const struct palloc *p = page_pool();
    kprintf("hv.region start=%#llx end=%#llx size_kib=%llu\n", (unsigned long long)r.start,
            (unsigned long long)r.end, (unsigned long long)((r.end - r.start) >> 10));
    kprintf("hv.pool pages=%zu used=%zu peak=%zu allocs=%llu frees=%llu failures=%llu\n",
            p->npages, p->used, p->peak, (unsigned long long)p->allocs,
            (unsigned long long)p->frees, (unsigned long long)p->failures);
}

static void print_modules(void)
{
    if (!hv.mb.module_count)
        kprintf("guest.module=none\n");
    for (unsigned i = 0; i < hv.mb.module_count; i++) {
        const struct mb2_module *m = &hv.mb.modules[i];
        kprintf("module index=%u start=%#llx end=%#llx size=%llu cmdline=\"%s\"\n", i,
                (unsigned long long)m->start, (unsigned long long)m->end,
                (unsigned long long)(m->end - m->start), m->cmdline);
    }
}

static char cmdline_copy[OPT_CMDLINE_MAX];
static char loader_copy[64];
/* The RSDP (36 bytes for ACPI 2.0+) for the guest's Multiboot2 ACPI tags. */
static uint8_t rsdp_copy[64] __attribute__((aligned(8)));
static uint64_t tsc_kmain, tsc_guest;   /* TSC at kmain, at the guest's start (0: none yet) */

/* The console's UART: serial= when given, else the one the firmware names
 * in the ACPI SPCR table (as Linux's earlycon and NOVA take it), else COM1.
 * The guest's virtual UART is the console's when that is an I/O-space
 * UART (vserial_init), so a guest that reads the same SPCR finds the UART
 * it names; with a PCI or MMIO console the guest's UART is COM1 and the
 * console's registers are kept from it (guest_uart_port). */
static const char *console_source = "default";
static int console_pci = -1;            /* serial=pci:'s function, when the console is on it */
static char guest_spcr_note[96];        /* the SPCR rewritten for the guest (guest_spcr) */
static int gdb_pci = -1;                /* gdb=pci:'s function, when the stub's wire is on it */
static char console_problem[160];       /* why serial= was not taken: said after the banner */

#define COM1 0x3F8

/* A PCI 16550's registers: the function's first I/O or memory BAR (PCI
 * Local Bus 3.0, 6.2.5.1), its decoding turned on if firmware left it
 * off. False with why. */
static bool pci_uart_wire(unsigned bdf, struct uart_wire *w, char *why, size_t n)
{
    if ((pci_cfg_read32(bdf, PCI_VENDOR_ID) & 0xFFFF) == 0xFFFF) {
        fmt_snprintf(why, n, "no PCI function there");
        return false;
    }
    uint16_t cmd = (uint16_t)pci_cfg_read32(bdf, PCI_COMMAND);
    for (unsigned off = PCI_BAR0; off < PCI_BAR0 + 24; off += 4) {
        uint32_t lo = pci_cfg_read32(bdf, off);
        uint32_t hi = off + 4 < PCI_BAR0 + 24 ? pci_cfg_read32(bdf, off + 4) : 0;
        struct pci_bar bar = pci_bar_decode(lo, hi);
        if (bar.space == PCI_BAR_IO && bar.base <= 0xFFF8) {
            *w = (struct uart_wire){ false, bar.base, 1 };
            pci_cfg_write16(bdf, PCI_COMMAND, cmd | PCI_CMD_IO);
            return true;
        }
        if (bar.space == PCI_BAR_MEM) {
            if (bar.base >= 0x100000000ull) {
                fmt_snprintf(why, n, "its memory BAR at %#llx is above 4 GiB",
                             (unsigned long long)bar.base);
                return false;
            }
            *w = (struct uart_wire){ true, bar.base, 1 };
            pci_cfg_write16(bdf, PCI_COMMAND, cmd | PCI_CMD_MEMORY);
            return true;
        }
        if (bar.is64)
            off += 4;
    }
    fmt_snprintf(why, n, "no I/O or memory BAR assigned");
    return false;
}

/* "io:0x3f8" or "mmio:0xfedc9000,4". */
static const char *wire_name(const struct uart_wire *w, char *buf, size_t n)
{
    if (w->mmio)
        fmt_snprintf(buf, n, "mmio:%#llx,%u", (unsigned long long)w->base, w->width);
    else
        fmt_snprintf(buf, n, "io:%#llx", (unsigned long long)w->base);
    return buf;
}

/* An MMIO UART's registers in memory the firmware's map calls RAM (or
 * ACPI tables, NVS): a mistyped address, where the scratch-register probe
 * would "answer" and the console would write into memory, perhaps the
 * hypervisor's own. */
static bool wire_in_ram(const struct uart_wire *w)
{
    uint64_t end = w->base + 8ull * w->width;
    for (unsigned i = 0; w->mmio && i < hv.mb.mmap_count; i++) {
        const struct mb2_mmap_entry *e = &hv.mb.mmap[i];
        if ((e->type == MB2_MEM_AVAILABLE || e->type == MB2_MEM_ACPI || e->type == MB2_MEM_NVS ||
             e->type == MB2_MEM_PMEM) &&
            e->base < end && w->base < e->base + e->len)
            return true;
    }
    return false;
}

/* The console as serial= names it, at boot before anything prints: false
 * (and console_problem) when it is not there, then COM1 is. */
static bool open_console_option(void)
{
    const struct serial_spec *sp = &hv.opt.serial;
    struct uart_wire w = { sp->kind == SERIAL_MMIO, sp->addr, (uint8_t)sp->width };
    char why[96] = "", spec[32], name[40];
    bool ok = sp->kind != SERIAL_PCI || pci_uart_wire((unsigned)sp->bdf, &w, why, sizeof(why));
    if (ok && wire_in_ram(&w)) {
        fmt_snprintf(why, sizeof(why), "%s is RAM in the memory map, not a UART",
                     wire_name(&w, name, sizeof(name)));     /* (a PCI BAR never is) */
        ok = false;
    } else if (ok && options_given(&hv.opt, "serial") && !uart_probe(&w)) {
        fmt_snprintf(why, sizeof(why), "no 16550 answers at %s", wire_name(&w, name, sizeof(name)));
        ok = false;
    }
    if (!ok) {
        format_serial(sp, spec, sizeof(spec));
        fmt_snprintf(console_problem, sizeof(console_problem),
                     "console: serial=%s: %s; the console is COM1 (io:0x3f8)", spec, why);
        w = (struct uart_wire){ false, COM1, 1 };
    }
    if (sp->kind == SERIAL_PCI && ok)
        console_pci = (int)sp->bdf;
    return uart_init(&w, (uint32_t)hv.opt.baud);
}

/* After ACPI: without serial=, the UART of the SPCR, if it is a 16550 in
 * I/O or memory space (1- or 4-byte registers) that answers. */
static void choose_console(void)
{
    const struct acpi_spcr *sp = &acpi()->spcr;
    char name[40];
    if (options_given(&hv.opt, "serial")) {
        console_source = "cmdline";
        return;
    }
    if (!sp->present)
        return;
    bool mmio = sp->space == SPCR_SPACE_MEMORY;
    struct uart_wire w = { mmio, sp->address, (uint8_t)(mmio ? sp->width : 1) };
    if (!acpi_spcr_is_16550(sp) || (mmio && (w.base >= 0x100000000ull || w.base % w.width))) {
        kprintf("note: console: the ACPI SPCR names a UART monovisor does not drive (interface "
                "type %#x, %s %#llx): the console stays on COM1 (serial= chooses another)\n",
                sp->interface, mmio ? "memory" : "I/O", (unsigned long long)sp->address);
        return;
    }
    if (wire_in_ram(&w) || !uart_probe(&w)) {
        kprintf("note: console: the ACPI SPCR names a 16550 at %s that does not answer: the "
                "console stays on COM1 (serial= chooses another)\n", wire_name(&w, name, sizeof(name)));
        return;
    }
    console_source = "spcr";
    uint32_t baud = sp->baud;
    if (options_given(&hv.opt, "baud"))
        baud = (uint32_t)hv.opt.baud;
    if (baud)
        uart_init(&w, baud);
    else
        uart_adopt(&w);
    hv.opt.baud = baud;
}

static void print_console(void)
{
    const struct acpi_spcr *sp = &acpi()->spcr;
    char name[40];
    kprintf("console.source=%s type=16550 address=%s", console_source,
            wire_name(uart_console(), name, sizeof(name)));
    if (console_pci >= 0)
        kprintf(" pci=%02x:%02x.%x", (unsigned)console_pci >> 8, (unsigned)console_pci >> 3 & 31,
                (unsigned)console_pci & 7);
    kprintf(" baud=");
    if (hv.opt.baud)
        kprintf("%llu", (unsigned long long)hv.opt.baud);
    else
        kprintf("firmware");
    kprintf(" spcr=%s\n", !sp->present               ? "none"
                          : !acpi_spcr_is_16550(sp)       ? "other"
                          : sp->space == SPCR_SPACE_IO    ? "16550-io"
                                                          : "16550-mmio");
    if (guest_spcr_note[0])
        kprintf("%s\n", guest_spcr_note);
}

/* The guest's UART port: the console's when it is a UART in I/O space the
 * guest would know as one (COM1, another port serial= or the SPCR names);
 * COM1 when the console is a PCI card (whose interrupt is not an ISA one)
 * or memory-mapped. The console's own registers are then kept from the
 * guest: the card's ports (held), the MMIO page (refused in the map). */
static uint16_t guest_uart_port(struct guest_ept_config *ecfg)
{
    const struct uart_wire *w = uart_console();
    if (!w->mmio && console_pci < 0)
        return (uint16_t)w->base;
    if (w->mmio) {
        ecfg->held[ecfg->held_count++] = (struct gpa_range){
            w->base & ~0xFFFull, (w->base + 8ull * w->width + 0xFFF) & ~0xFFFull };
    } else if (w->base != COM1) {
        vserial_hold_ports((uint16_t)w->base, HELD_CONSOLE);
    }
    return COM1;
}

/* The SPCR the guest reads names the guest's UART: the console's when the
 * guest has it (a 16550 on an I/O port), else COM1 with IRQ 4 (the
 * console a PCI card, an MMIO UART, or a UART the SPCR names that does not
 * answer). The machine's table is rewritten in place, as the IOMMU's are
 * hidden: the guest finds the same view however it looks. */
static void guest_spcr(uint16_t port)
{
    const struct acpi_info *a = acpi();
    const struct acpi_spcr *sp = &a->spcr;
    if (!sp->present || (acpi_spcr_is_16550(sp) && sp->space == SPCR_SPACE_IO && sp->address == port &&
                         sp->irq == VSERIAL_ISA_IRQ))
        return;
    uint32_t gsi = acpi_isa_gsi(a, VSERIAL_ISA_IRQ);
    if (acpi_spcr_for_guest(port, VSERIAL_ISA_IRQ, gsi)) {
        kprintf("warning: console: the ACPI SPCR could not be rewritten for the guest\n");
        return;
    }
    fmt_snprintf(guest_spcr_note, sizeof(guest_spcr_note),
                 "console.guest_spcr=io:%#x irq=%u gsi=%u (the firmware's named %s %#llx irq %u)",
                 port, VSERIAL_ISA_IRQ, gsi, sp->space == SPCR_SPACE_IO ? "io" : "mmio",
                 (unsigned long long)sp->address, sp->irq);
    kprintf("%s\n", guest_spcr_note);
}

/* gdb=: the GDB stub's own UART, when it names one: opened as the
 * console's would be (a PCI card's BAR, an MMIO UART that must answer),
 * then kept from the guest like the console's (ports held, the MMIO page
 * refused in the map). Anything wrong: one line, and the stub stays on
 * the console's wire (Ctrl-A g). */
static void open_gdb_wire(struct guest_ept_config *ecfg, uint16_t guest_uart)
{
    const struct serial_spec *sp = &hv.opt.gdb;
    if (!options_given(&hv.opt, "gdb") || (sp->kind == SERIAL_IO && !sp->addr))
        return;
    struct uart_wire w = { sp->kind == SERIAL_MMIO, sp->addr, (uint8_t)sp->width };
    const struct uart_wire *con = uart_console();
    char why[96] = "", spec[32], name[40];
    bool ok = sp->kind != SERIAL_PCI || pci_uart_wire((unsigned)sp->bdf, &w, why, sizeof(why));
    if (ok && w.mmio == con->mmio && w.base == con->base) {
        fmt_snprintf(why, sizeof(why), "that is the console's UART (gdb=console shares its wire)");
        ok = false;
    } else if (ok && !w.mmio && w.base == guest_uart) {
        fmt_snprintf(why, sizeof(why), "that is the guest's UART");
        ok = false;
    } else if (ok && wire_in_ram(&w)) {
        fmt_snprintf(why, sizeof(why), "%s is RAM in the memory map, not a UART",
                     wire_name(&w, name, sizeof(name)));
        ok = false;
    } else if (ok && !uart_probe(&w)) {
        fmt_snprintf(why, sizeof(why), "no 16550 answers at %s", wire_name(&w, name, sizeof(name)));
        ok = false;
    }
    format_serial(sp, spec, sizeof(spec));
    if (!ok) {
        kprintf("error: gdb=%s: %s; the GDB stub listens on the console (Ctrl-A g)\n", spec, why);
        return;
    }
    if (w.mmio)
        ecfg->held[ecfg->held_count++] = (struct gpa_range){
            w.base & ~0xFFFull, (w.base + 8ull * w.width + 0xFFF) & ~0xFFFull };
    else
        vserial_hold_ports((uint16_t)w.base, HELD_GDB);
    if (sp->kind == SERIAL_PCI)
        gdb_pci = (int)sp->bdf;
    uart_wire_init(&w, (uint32_t)(hv.opt.baud ? hv.opt.baud : 115200));
    gdb_stub_init(&w);
    kprintf("gdb.wire=%s (target remote to this UART)\n", wire_name(&w, name, sizeof(name)));
}

static void cmd_info(int argc, char **argv)
{
    (void)argv;
    if (argc != 1) {
        kprintf("error: usage: info\n");
        return;
    }
    char opts[512];
    const struct acpi_info *a = acpi();
    kprintf("version=%s loader=\"%s\"\n", MONOVISOR_VERSION, loader_copy);
    kprintf("boot.tsc_kmain=%llu boot.tsc_guest_start=%llu\n", (unsigned long long)tsc_kmain,
            (unsigned long long)tsc_guest);
    kprintf("cmdline=\"%s\"\n", cmdline_copy);
    kprintf("%s\n", options_format(&hv.opt, opts, sizeof(opts)));
    print_cpus();
    print_console();
    kprintf("acpi.revision=%d acpi.root=%#llx acpi.lapic=%#llx acpi.pm1a_cnt=%#x acpi.s5=%d "
            "acpi.rsdp=%#llx\n",
            a->revision, (unsigned long long)a->root_table, (unsigned long long)a->lapic_base,
            a->pm1a_cnt, a->have_s5, (unsigned long long)hv.acpi_rsdp_pa);
    kprintf("tsc.khz=%llu tsc.source=%s\n", (unsigned long long)tsc_khz(), tsc_source());
    print_memory();
    iommu_print_summary();
    print_modules();
    virt.print_caps(true);
}
CONSOLE_COMMAND(info, "info", "info",
                "version, command line, cores, memory map, hypervisor memory, VMX or SVM capabilities",
                cmd_info);

/* Copy what later code needs out of the boot information, which the
 * module stash may overwrite. */
static void keep_boot_strings(void)
{
    const char *s = hv.mb.cmdline ? hv.mb.cmdline : "";
    size_t i = 0;
    for (; s[i] && i < sizeof(cmdline_copy) - 1; i++)
        cmdline_copy[i] = s[i];
    cmdline_copy[i] = '\0';
    s = hv.mb.loader_name ? hv.mb.loader_name : "";
    for (i = 0; s[i] && i < sizeof(loader_copy) - 1; i++)
        loader_copy[i] = s[i];
    loader_copy[i] = '\0';
    hv.mb.cmdline = cmdline_copy;
    hv.mb.loader_name = loader_copy;
    /* Parsed already; a Multiboot2 guest gets a copy (kernel/loader.c). */
    if (hv.mb.rsdp && hv.mb.rsdp_len >= 20 && hv.mb.rsdp_len <= sizeof(rsdp_copy)) {
        memcpy(rsdp_copy, hv.mb.rsdp, hv.mb.rsdp_len);
        hv.mb.rsdp = rsdp_copy;
    } else {
        hv.mb.rsdp = 0;
        hv.mb.rsdp_len = 0;
    }
}

static void report_cpuid_problem(void *ctx, const char *msg)
{
    (void)ctx;
    kprintf("error: cmdline: %s\n", msg);
}

/* The run= commands, once: right before the guest's first instruction
 * (so that `ept freeze` and friends apply to it), or when there is no guest. */
static void run_boot_commands(void)
{
    static bool done;
    if (!done && hv.opt.run[0])
        console_run_list(hv.opt.run);
    done = true;
}

/* The APs wait here after start-up until the boot core has built the
 * guest: 1 = set up your vCPU, -1 = there is no guest. */
static volatile int guest_go;

/* What every vCPU is set up with (start_guest fills it before guest_go). */
static struct virt_config guest_cfg;

/* An AP in C (kernel/ap_boot.asm calls it on the core's own stack). Every
 * core enters VMX operation, even one kept out of the guest: INIT is
 * blocked in VMX root operation (SDM Vol. 3C, 24.8), so the guest cannot
 * restart a core of ours and run on it outside VMX. */
static _Noreturn void ap_main(struct cpu *c)
{
    percpu_init(c);
    if (trap_init_cpu()) {
        kprintf("error: smp: no pool pages for the tables of apic_id=%u\n", c->apic_id);
        halt_forever();
    }
    c->state = CPU_ONLINE;
    while (!guest_go)
        cpu_relax();
    if (guest_go < 0 || virt.enable_cpu()) {
        c->setup = -1;
        if (c == console_cpu)
            console_loop();
        halt_forever();
    }
    struct vcpu *v = 0;
    if (c->guest) {
        v = vcpu_alloc(c);
        if (!v || virt.vcpu_setup(v, &guest_cfg)) {
            kprintf("error: smp: cpu %u (apic_id=%u) gets no vCPU\n", c->index, c->apic_id);
            if (v)
                vcpus[c->index] = 0;
            v = 0;
        }
    }
    if (v)
        vcpu_start(v);      /* the INIT state: waits for the guest's SIPI */
    c->setup = v ? 1 : 2;
    if (v)
        vcpu_run(v);
    if (c != console_cpu)
        vcpu_park(c);       /* in virtualization operation: INIT held off, SIPIs ignored */
    while (!c->off) {       /* the console's core; power-off may come from a vCPU */
        console_poll();
        cpu_relax();
    }
    virt.disable_cpu();
    halt_forever();
}

/* Which cores the guest gets (cpus=) and which one serves the console. */
static void assign_cores(void)
{
    uint64_t mask;
    char err[96];
    if (parse_cpu_list(hv.opt.cpus, &mask, err, sizeof(err))) {
        kprintf("error: cmdline: cpus: %s; the guest gets every core\n", err);
        mask = ~0ull;
    }
    if (!(mask & 1)) {
        kprintf("error: cmdline: cpus: core 0 (the boot core) runs the guest's boot vCPU; "
                "added\n");
        mask |= 1;
    }
    for (unsigned i = 0; i < 64; i++)
        if ((mask >> i & 1) && (i >= cpu_count || cpus[i].state != CPU_ONLINE) && hv.opt.cpus[0] &&
            strcmp(hv.opt.cpus, "all"))
            kprintf("error: cmdline: cpus: core %u is not online; left out\n", i);
    console_cpu = &cpus[0];
    for (unsigned i = 0; i < cpu_count; i++) {
        cpus[i].guest = cpus[i].state == CPU_ONLINE && (mask >> i & 1);
        if (cpus[i].state == CPU_ONLINE && !cpus[i].guest && console_cpu == &cpus[0])
            console_cpu = &cpus[i];
    }
}

/* Let the APs set up their vCPUs and wait (about a second) until they did. */
static void release_aps(void)
{
    guest_go = 1;
    uint64_t t0 = rdtsc(), limit = (tsc_khz() ? tsc_khz() : 1000000) * 1000;
    for (unsigned i = 1; i < cpu_count; i++) {
        while (cpus[i].state == CPU_ONLINE && !cpus[i].setup && rdtsc() - t0 < limit)
            cpu_relax();
        if (cpus[i].state == CPU_ONLINE && !cpus[i].setup)
            kprintf("error: smp: cpu %u (apic_id=%u) did not set up %s in time\n", i,
                    cpus[i].apic_id, virt.label);
    }
}

/* Bring up VMX on every core and start the guest. Returns only when
 * there is nothing to run (the console then keeps the machine). */
static void start_guest(void)
{
    if (loader_stash_modules(hv.opt.mem))
        return;
    assign_cores();
    struct guest_ept_config ecfg = {
        .lazy = hv.opt.ept == EPT_LAZY,
        .format = virt.slat_format,
        .ad = hv.opt.ept_ad && hv.caps.slat_ad,
        .allow_1g = hv.caps.slat_1g,
    };
    if (hv.opt.ept_ad && !ecfg.ad)
        kprintf("note: ept_ad=1 but this CPU has no EPT accessed/dirty flags\n");
    uint16_t guest_uart = guest_uart_port(&ecfg);
    guest_spcr(guest_uart);
    open_gdb_wire(&ecfg, guest_uart);
    iommu_prepare(&ecfg);
    uint64_t eptp = guest_ept_build(guest_memmap(), firmware_memmap(), &ecfg);
    /* The devices on the guest's bus (kernel/iobus.h), before any vCPU:
     * set-up intercepts their ports. */
    platform_init();
    if (!eptp || apic_virt_init() || vserial_init(guest_uart))
        return;
    /* The UART cards' configuration space: read-only for the guest. */
    if (console_pci >= 0)
        vpci_hold((unsigned)console_pci, "the hypervisor's console");
    if (gdb_pci >= 0)
        vpci_hold((unsigned)gdb_pci, "the GDB stub's UART");
    iommu_start(guest_memmap(), firmware_memmap());     /* devices confined before the guest runs */
    if (virt.enable_cpu())
        return;
    power_on_off(vcpu_off_all);     /* every core leaves virtualization (the others then halt) */
    guest_cfg = (struct virt_config){
        .hlt_exiting = hv.opt.hlt == HLT_EXIT,
        .poll_ticks = tsc_khz() * hv.opt.poll_us / 1000,
        .slat_root = eptp,
    };
    guest_exit_keeps_console = hv.opt.onexit == ONEXIT_CONSOLE;
    cpuid_policy_init(&guest_cpuid);
    guest_cpuid.svm_leaf = cpu_vendor_amd();
    guest_cpuid.kvm_leaves = hv.opt.kvm_leaves;
    if (hv.opt.cpuid[0])
        cpuid_policy_parse(&guest_cpuid, hv.opt.cpuid, report_cpuid_problem, 0);
    cpuid_fast_invalidate();
    ept_refuse_injects_gp = hv.opt.ept_refuse == REFUSE_GP;
    struct vcpu *v = vcpu_alloc(&cpus[0]);
    if (!v) {
        kprintf("error: %s: no pool pages for the boot vCPU\n", virt.name);
        return;
    }
    ept_register_stats(&v->ept);
    v->console = console_cpu == &cpus[0];
    if (virt.vcpu_setup(v, &guest_cfg)) {
        vcpus[0] = 0;
        return;
    }
    release_aps();
    if (vcpu_count() > 1 && hv.opt.verbose)
        kprintf("%s.aps vcpus=%u\n", virt.name, vcpu_count());
    run_boot_commands();
    if (vcpu_start(v) == 0) {
        kprintf("guest.start cpu=0 vcpus=%u\n", vcpu_count());
        tsc_guest = rdtsc();
    }
    vcpu_run(v);
}

_Noreturn void kmain(uint32_t mbi_phys, uint32_t load_base, uint32_t magic);

_Noreturn void kmain(uint32_t mbi_phys, uint32_t load_base, uint32_t magic)
{
    char err[96];
    (void)magic;    /* checked by the stub */

    uint64_t tsc_at_entry = rdtsc();
    smp_init_bsp(0);        /* this_cpu() from here on; the APIC id follows */
    mem_init(load_base);
    int mb_ok = mb2_parse(phys_ptr(mbi_phys), &hv.mb, err, sizeof(err)) == 0;

    options_defaults(&hv.opt);
    if (mb_ok)
        hv.option_problems = options_parse(hv.mb.cmdline, &hv.opt, keep_problem, 0);
    bool baud_ok = open_console_option();

    /* Bochs (and a real UART) sends a byte in the time of thousands of
     * instructions: the boot report costs most of the boot, so only
     * verbose=1 prints it (the info command shows it any time). */
    tsc_kmain = tsc_at_entry;
    kprintf("\nmonovisor %s: hypervisor for one guest\n", MONOVISOR_VERSION);
    if (mb_ok && !hv.mb.mmap_count)
        fmt_snprintf(err, sizeof(err), "multiboot2 info: no memory map (tags 6 and 17 absent or empty)");
    if (!mb_ok || !hv.mb.mmap_count) {
        kprintf("error: %s; cannot continue without a memory map\n", err);
        power_off("bad boot information", 1);
    }
    if (hv.mb.efi_boot_services) {
        /* GRUB leaves them running only when the kernel's header asks. */
        kprintf("error: multiboot2 info: EFI boot services still running (tag 18): monovisor "
                "needs the machine to itself; boot it without multiboot2's EFI boot services tag\n");
        power_off("bad boot information", 1);
    }
    if (hv.opt.verbose)
        kprintf("boot.tsc_kmain=%llu\ncmdline=\"%s\"\n", (unsigned long long)tsc_at_entry,
                hv.mb.cmdline ? hv.mb.cmdline : "");
    for (int i = 0; i < early_count; i++)
        kprintf("error: %s\n", early_msgs[i]);
    if (!baud_ok)
        kprintf("error: cmdline: baud: %llu does not divide 115200; using 115200\n",
                (unsigned long long)hv.opt.baud);
    if (console_problem[0])
        kprintf("error: %s\n", console_problem);

    if (trap_init_cpu())
        panic("no pool pages for the boot core's descriptor tables");
    gcov_init();
    gdb_stub_init(0);       /* on the console's wire, unless gdb= names a UART */
    gdb_wait_at_start(hv.opt.gdb_wait);

    acpi_init(hv.mb.rsdp, hv.mb.rsdp_len);
    if (hv.mb.efi_system_table)
        hv.acpi_rsdp_pa = acpi_rsdp_from_efi(hv.mb.efi_system_table);
    choose_console();
    if (hv.opt.verbose || strcmp(console_source, "default"))
        print_console();
    keep_boot_strings();
    hv.bsp_apic_id = lapic_id();
    cpus[0].apic_id = hv.bsp_apic_id;
    tsc_init(acpi()->pm_tmr, acpi()->pm_tmr_32);
    if (hv.opt.verbose)
        print_boot_summary();

    /* The backend of this CPU's vendor (KVM's kvm-intel and kvm-amd):
     * AMD's and Hygon's have SVM, everyone else's VMX. */
    virt = cpu_vendor_amd() ? svm_ops : vmx_ops;
    if (virt.probe(hv.opt.verbose, &hv.caps)) {
        static char why[32];
        fmt_snprintf(why, sizeof(why), "%s unavailable", virt.label);
        power_off(why, 2);
    }

    unsigned online = smp_start_aps(ap_main);
    if (cpu_count > 1 && (hv.opt.verbose || online < cpu_count))
        kprintf("smp.online=%u of %u\n", online, cpu_count);

    console_start_mode(hv.opt.console == CONSOLE_GUEST);
    console_prompt();
    start_guest();
    console_cpu = &cpus[0];
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    guest_go = -1;          /* no guest: the APs halt */
    run_boot_commands();
    console_loop();
}
