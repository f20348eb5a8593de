/*
 * tsc.c - TSC frequency (SDM Vol. 3B, 20.7.3 "Determining the Processor Base
 * Frequency"; CPUID leaves 15H and 16H).
 */
#include "tsc.h"

#include "../kernel/x86.h"

#define PIT_HZ        1193182u
#define PIT_CH2       0x42
#define PIT_CMD       0x43
#define PORT_B        0x61      /* bit 0: ch2 gate, bit 1: speaker, bit 5: ch2 out */
#define CALIBRATE_MS  10

static uint64_t khz;
static const char *source = "none";

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

void tsc_init(void)
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
