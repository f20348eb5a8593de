/*
 * tsc.h - time-stamp counter frequency.
 */
#ifndef TSC_H
#define TSC_H

#include <stdint.h>

/* tsc_init - find the TSC frequency: CPUID leaf 0x15, then 0x16, else a
 * 10 ms PIT channel 2 calibration. */
void tsc_init(void);

/* tsc_khz - TSC ticks per millisecond (0 if unknown). */
uint64_t tsc_khz(void);

/* tsc_source - "cpuid15", "cpuid16" or "pit". */
const char *tsc_source(void);

#endif
