/*
 * main.c - kmain: the boot flow of DESIGN.md from step 3 on. The boot stub
 * (kernel/boot.asm) has us in long mode on the boot stack.
 */
#include <stdint.h>

#include "console.h"
#include "hv.h"
#include "mem.h"
#include "power.h"
#include "printk.h"
#include "trap.h"
#include "x86.h"
#include "../drivers/acpi.h"
#include "../drivers/lapic.h"
#include "../drivers/tsc.h"
#include "../drivers/uart.h"
#include "../vmx/probe.h"

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

static void print_boot_summary(void)
{
    struct hv_region r = hv_region();
    const struct acpi_info *a = acpi();
    kprintf("hv.region start=%#llx end=%#llx size_kib=%llu pool_pages=%zu\n",
            (unsigned long long)r.start, (unsigned long long)r.end,
            (unsigned long long)((r.end - r.start) >> 10), page_pool()->npages);
    kprintf("cpus.count=%u cpus.bsp_apic_id=%u\n", a->cpu_count, hv.bsp_apic_id);
    kprintf("tsc.khz=%llu tsc.source=%s\n", (unsigned long long)tsc_khz(), tsc_source());
    kprintf("guest.modules=%u\n", hv.mb.module_count);
}

_Noreturn void kmain(uint32_t mbi_phys, uint32_t load_base, uint32_t magic);

_Noreturn void kmain(uint32_t mbi_phys, uint32_t load_base, uint32_t magic)
{
    char err[96];
    (void)magic;    /* checked by the stub */

    mem_init(load_base);
    int mb_ok = mb2_parse(phys_ptr(mbi_phys), &hv.mb, err, sizeof(err)) == 0;

    options_defaults(&hv.opt);
    if (mb_ok)
        hv.option_problems = options_parse(hv.mb.cmdline, &hv.opt, keep_problem, 0);
    bool baud_ok = uart_init((uint16_t)hv.opt.serial_port, (uint32_t)hv.opt.baud);

    kprintf("\nmonovisor %s: VT-x hypervisor for one guest\n", MONOVISOR_VERSION);
    if (!mb_ok) {
        kprintf("error: %s; cannot continue without a memory map\n", err);
        power_off("bad boot information", 1);
    }
    kprintf("cmdline=\"%s\"\n", hv.mb.cmdline ? hv.mb.cmdline : "");
    for (int i = 0; i < early_count; i++)
        kprintf("error: %s\n", early_msgs[i]);
    if (!baud_ok)
        kprintf("error: cmdline: baud: %llu does not divide 115200; using 115200\n",
                (unsigned long long)hv.opt.baud);

    if (trap_init_cpu())
        panic("no pool pages for the boot core's descriptor tables");

    acpi_init(hv.mb.rsdp, hv.mb.rsdp_len);
    hv.bsp_apic_id = lapic_id();
    tsc_init();
    print_boot_summary();

    vmx_probe(&hv.vmx_raw, &hv.vmx);
    vmx_print_caps(&hv.vmx);
    switch (hv.vmx.status) {
    case VMX_READY:
    case VMX_READY_UNLOCKED:
        kprintf("vmx: %s\n", vmx_status_message(&hv.vmx));
        break;
    default:
        kprintf("error: vmx: %s\n", vmx_status_message(&hv.vmx));
        power_off("VMX unavailable", 2);
    }

    if (hv.opt.run[0])
        console_run_list(hv.opt.run);
    console_loop();
}
