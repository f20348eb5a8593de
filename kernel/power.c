/*
 * power.c - power-off for hardware and for the emulators the tests use.
 */
#include "power.h"

#include "printk.h"
#include "x86.h"
#include "../drivers/acpi.h"

#define BOCHS_SHUTDOWN_PORT 0x8900      /* Bochs: "Shutdown" written here quits */
#define QEMU_DEBUG_EXIT_PORT 0xF4       /* QEMU isa-debug-exit: exits (v << 1) | 1 */

void power_off(const char *why, int status)
{
    cli();
    kprintf("monovisor: power off (%s) status=%d\n", why, status);
    acpi_poweroff();
    for (const char *s = "Shutdown"; *s; s++)
        outb(BOCHS_SHUTDOWN_PORT, (uint8_t)*s);
    outb(QEMU_DEBUG_EXIT_PORT, (uint8_t)status);
    kprintf("error: power-off did not take effect (no ACPI S5 and no emulator exit port); "
            "halted: switch the machine off by hand\n");
    halt_forever();
}
