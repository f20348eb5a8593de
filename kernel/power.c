/*
 * power.c - power-off for hardware and for the emulators the tests use.
 */
#include "power.h"

#include "printk.h"
#include "x86.h"
#include "../drivers/acpi.h"

#define BOCHS_SHUTDOWN_PORT 0x8900      /* Bochs: "Shutdown" written here quits */
#define QEMU_DEBUG_EXIT_PORT 0xF4       /* QEMU isa-debug-exit: exits (v << 1) | 1 */

static void (*hooks[4])(void);

void power_on_off(void (*fn)(void))
{
    for (unsigned i = 0; i < 4; i++) {
        if (!hooks[i]) {
            hooks[i] = fn;
            return;
        }
    }
    panic("power_on_off: more than 4 hooks");
}

void power_off(const char *why, int status)
{
    cli();
    for (unsigned i = 0; i < 4 && hooks[i]; i++)
        hooks[i]();
    kprintf("monovisor: power off (%s) status=%d\n", why, status);
    acpi_poweroff();
    for (const char *s = "Shutdown"; *s; s++)
        outb(BOCHS_SHUTDOWN_PORT, (uint8_t)*s);
    outb(QEMU_DEBUG_EXIT_PORT, (uint8_t)status);
    kprintf("error: power-off did not take effect (no ACPI S5 and no emulator exit port); "
            "halted: switch the machine off by hand\n");
    halt_forever();
}
