/*
 * tsc.c - TSC frequency (SDM Vol. 3B, 20.7.3 "Determining the Processor Base
 * Frequency"; CPUID leaves 15H and 16H).
 */
#include "tsc.h"

#include <stdbool.h>

#include "../kernel/x86.h"

#define PIT_HZ        1193182u
#define PIT_CH2       0x42
#define PIT_CMD       0x43
#define PORT_B        0x61      /* bit 0: ch2 gate, bit 1: speaker, bit 5: ch2 out */
#define CALIBRATE_MS  10

static uint64_t khz;
static const char *source = "none";

/* The ACPI PM timer (ACPI 6.5, 4.8.3.3): a free-running 3.579545 MHz
 * counter of 24 or 32 bits at an I/O port, on BIOS and UEFI machines
 * alike (a UEFI machine may have no PIT). 10 ms of it against the TSC;
 * the difference of two reads modulo its width survives one wrap. */
#define PM_TIMER_HZ 3579545u

static uint64_t pm_timer_calibrate(uint16_t port, bool wide)
{
    uint32_t mask = wide ? 0xFFFFFFFFu : 0xFFFFFFu;
    uint32_t ticks = PM_TIMER_HZ / 1000 * CALIBRATE_MS;
    uint32_t c0 = inl(port) & mask;
    uint64_t t0 = rdtsc(), spins = 0;
    uint32_t c;
    do {
        c = inl(port) & mask;
        if (++spins > 100000000ull || (c == c0 && spins > 1000000))
            return 0;                               /* not counting: no PM timer */
    } while (((c - c0) & mask) < ticks);
    uint64_t t1 = rdtsc();
    /* The ticks that passed may exceed the 10 ms asked for by a read's
     * time: scale by what was counted. */
    return (t1 - t0) * PM_TIMER_HZ / (((c - c0) & mask) * 1000ull);
}

static uint64_t pit_calibrate(void)
{
    uint16_t count = PIT_HZ * CALIBRATE_MS / 1000;
    uint8_t b = inb(PORT_B);
    outb(PORT_B, (uint8_t)((b & ~0x02) | 0x01));    /* gate on, speaker off */
    outb(PIT_CMD, 0xB0);                            /* ch2, lo/hi, mode 0 */
    outb(PIT_CH2, count & 0xFF);
    outb(PIT_CH2, count >> 8);
    uint64_t t0 = rdtsc();
    uint64_t spins = 0;
    while (!(inb(PORT_B) & 0x20)) {
        if (++spins > 100000000ull)                 /* no PIT: give up */
            return 0;
    }
    uint64_t t1 = rdtsc();
    outb(PORT_B, b);
    return (t1 - t0) / CALIBRATE_MS;
}

void tsc_init(uint16_t pm_timer, bool pm_timer_32)
{
    uint32_t max = cpuid(0, 0).eax;
    if (max >= 0x15) {
        struct cpuid_regs r = cpuid(0x15, 0);      /* EBX/EAX ratio of ECX Hz */
        if (r.eax && r.ebx && r.ecx) {
            khz = (uint64_t)r.ecx * r.ebx / r.eax / 1000;
            source = "cpuid15";
            return;
        }
    }
    if (max >= 0x16) {
        uint32_t mhz = cpuid(0x16, 0).eax & 0xFFFF;  /* base frequency, MHz */
        if (mhz) {
            khz = (uint64_t)mhz * 1000;
            source = "cpuid16";
            return;
        }
    }
    if (pm_timer && (khz = pm_timer_calibrate(pm_timer, pm_timer_32))) {
        source = "pmtimer";
        return;
    }
    khz = pit_calibrate();
    source = khz ? "pit" : "none";
}

uint64_t tsc_khz(void)
{
    return khz;
}

const char *tsc_source(void)
{
    return source;
}
