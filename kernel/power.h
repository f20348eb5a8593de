/*
 * power.h - turning the machine off.
 */
#ifndef POWER_H
#define POWER_H

/*
 * power_off - print "monovisor: power off (why)", then try in turn: ACPI
 * S5, Bochs's "Shutdown" on port 0x8900, QEMU's isa-debug-exit on port
 * 0xf4 (with status). If the machine is still running, say so and halt.
 */
_Noreturn void power_off(const char *why, int status);

/* power_on_off - fn runs first in power_off (VMXOFF, say). At most 4. */
void power_on_off(void (*fn)(void));

#endif
