/*
 * vexit.h - the exit reasons of the vendor-neutral core: one list for
 * Intel VT-x and AMD-V, numbered as the hypercall ABI publishes them
 * (kernel/hypercall_abi.h, VEXIT_*), named as `stats`, `trace` and `hist`
 * print them. A backend translates its own exit codes into these (pure).
 */
#ifndef VEXIT_H
#define VEXIT_H

#include <stdbool.h>
#include <stdint.h>

#include "hypercall_abi.h"

/* vexit_name - "cpuid", "io", "npf", ...; "unknown" beyond the list. */
const char *vexit_name(unsigned reason);

/* vexit_by_name - the reason called name, or -1. */
int vexit_by_name(const char *name);

/* vexit_by_hypervisor - exits of this reason are the hypervisor's doing,
 * not the guest's: the console's poll timer, a host interrupt the
 * console's core intercepts, `step`'s monitor trap flag. (An NMI exit is
 * the hypervisor's when it was a kick: the vCPU counts those apart.) */
bool vexit_by_hypervisor(unsigned reason);

/* vexit_rate_x10 - count events over ms milliseconds, per second, times
 * ten (one decimal without floating point); 0 when ms is 0. */
uint64_t vexit_rate_x10(uint64_t count, uint64_t ms);

#endif
