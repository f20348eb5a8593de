/*
 * platform.h - the ports through which a guest ends itself, resets or
 * powers off the machine: QEMU's isa-debug-exit (0xf4, the guest's exit
 * status), the keyboard controller's command port, the reset control
 * register 0xCF9 and the ACPI PM1 control registers. They act on the
 * guest, never on the machine (devices on kernel/iobus.h).
 */
#ifndef PLATFORM_H
#define PLATFORM_H

#include <stdbool.h>
#include <stdint.h>

#define GUEST_EXIT_PORT 0xF4

/* platform_init - register the ports (the PM1 ones from the FADT). */
void platform_init(void);

/* platform_port - port is one of them (`trap io` may not release it). */
bool platform_port(uint16_t port);

#endif
