/*
 * vexit.h - the exit reasons of the vendor-neutral core: one list for
 * Intel VT-x and AMD-V, numbered as the hypercall ABI publishes them
 * (kernel/hypercall_abi.h, VEXIT_*), named as `stats`, `trace` and `hist`
 * print them. A backend translates its own exit codes into these (pure).
 */
#ifndef VEXIT_H
#define VEXIT_H

#include "hypercall_abi.h"

/* vexit_name - "cpuid", "io", "npf", ...; "unknown" beyond the list. */
const char *vexit_name(unsigned reason);

/* vexit_by_name - the reason called name, or -1. */
int vexit_by_name(const char *name);

#endif
