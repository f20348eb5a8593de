/*
 * tsc.h - time-stamp counter frequency.
 */
#ifndef TSC_H
#define TSC_H

#include <stdbool.h>
#include <stdint.h>

/* tsc_init - find the TSC frequency: CPUID leaf 0x15, then 0x16, else 10
 * ms against the ACPI PM timer at port pm_timer (its counter 32 bits wide
 * or 24; 0: none), else against PIT channel 2. */
void tsc_init(uint16_t pm_timer, bool pm_timer_32);

/* tsc_khz - TSC ticks per millisecond (0 if unknown). */
uint64_t tsc_khz(void);

/* tsc_source - "cpuid15", "cpuid16", "pmtimer", "pit" or "none". */
const char *tsc_source(void);

#endif
