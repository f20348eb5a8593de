/*
 * mp.c - SDK helpers for guests that start and signal other processors:
 * TSC calibration and delays, the xAPIC (ICR with delivery-status
 * polling, INIT-SIPI-SIPI as SDM Vol. 3A 9.4.4 and 12.6.1 describe it) and
 * a free page below 1 MiB for an AP's real-mode start-up code. See sdk.h.
 */
#include "sdk.h"

/* ---- time ------------------------------------------------------------- */

uint32_t sdk_tsc_mhz;

/* PIT channel 2 (10 ms one-shot, gate on port 0x61, as Linux's
 * pit_calibrate_tsc). Under Bochs with clock sync=none the PIT runs on the
 * same instruction-count clock as the TSC, so this gives the emulated
 * rate; if the PIT does not answer, 1000 ticks/us is assumed. */
const char *sdk_tsc_calibrate(void)
{
    sdk_tsc_mhz = sdk_arg("tsc_mhz", 0);
    if (sdk_tsc_mhz)
        return "tsc_mhz argument";
    const uint16_t latch = 11932;   /* 10 ms of the 1.193182 MHz PIT */
    uint8_t saved = inb(0x61);
    outb(0x61, (uint8_t)((saved & ~0x02) | 0x01));  /* gate 2 on, speaker off */
    outb(0x43, 0xB0);               /* channel 2, lobyte/hibyte, mode 0 */
    outb(0x42, latch & 0xFF);
    outb(0x42, latch >> 8);
    uint64_t t0 = sdk_rdtsc();
    uint32_t n = 0;
    while (!(inb(0x61) & 0x20) && ++n < 20000000)
        ;
    uint64_t t1 = sdk_rdtsc();
    outb(0x61, saved);
    uint64_t mhz = (t1 - t0) / 10000;
    if (n >= 20000000 || mhz < 1 || mhz > 100000) {
        sdk_tsc_mhz = 1000;
        return "PIT did not answer, assumed";
    }
    sdk_tsc_mhz = (uint32_t)mhz;
    return "PIT channel 2";
}

void sdk_udelay(uint32_t us)
{
    uint64_t end = sdk_rdtsc() + (uint64_t)us * (sdk_tsc_mhz ? sdk_tsc_mhz : 1000);
    while (sdk_rdtsc() < end)
        __asm__ volatile("pause");
}

/* ---- local APIC --------------------------------------------------------- */

uint32_t sdk_lapic_base = 0xFEE00000u;
unsigned sdk_icr_stuck, sdk_ipis_sent;

uint32_t sdk_apic_read(uint32_t reg)
{
    return *(volatile uint32_t *)sdk_ptr(sdk_lapic_base + reg);
}

void sdk_apic_write(uint32_t reg, uint32_t v)
{
    *(volatile uint32_t *)sdk_ptr(sdk_lapic_base + reg) = v;
}

void sdk_apic_enable(void)
{
    uint32_t svr = sdk_apic_read(SDK_APIC_SVR);
    if (!(svr & 0x100))
        sdk_apic_write(SDK_APIC_SVR, svr | 0x1FF);  /* software enable, spurious vector 0xFF */
}

/* 12.6.1: wait for the previous IPI's delivery status to go idle. */
void sdk_send_ipi(uint32_t dest, uint32_t low)
{
    uint32_t n = 0;
    while ((sdk_apic_read(SDK_APIC_ICR_LO) & SDK_ICR_BUSY) && ++n < 10000000)
        __asm__ volatile("pause");
    sdk_icr_stuck += n >= 10000000;
    sdk_apic_write(SDK_APIC_ICR_HI, dest << 24);
    sdk_apic_write(SDK_APIC_ICR_LO, low);
    sdk_ipis_sent++;
}

void sdk_init_sipi_sipi(uint32_t dest, uint32_t shorthand, uint32_t vector, uint32_t delay_us)
{
    sdk_send_ipi(dest, SDK_ICR_INIT | shorthand);
    if (delay_us)
        sdk_udelay(delay_us);
    sdk_send_ipi(dest, SDK_ICR_SIPI | shorthand | vector);
    if (delay_us)
        sdk_udelay(200);
    sdk_send_ipi(dest, SDK_ICR_SIPI | shorthand | vector);
}

/* ---- a page for the APs ------------------------------------------------- */

struct range {
    uint32_t base;
    bool ram;
};

static void page_in_ram(uint64_t base, uint64_t len, uint32_t type, void *ctx)
{
    struct range *r = ctx;
    if (type == 1 && base <= r->base && base + len >= r->base + 4096ull)
        r->ram = true;
}

static bool overlaps(uint32_t page, uint32_t a, uint32_t len)
{
    return len && a < page + 4096 && a + len > page;
}

bool sdk_page_usable(uint32_t page)
{
    struct range r = { page, false };
    sdk_memory_map(page_in_ram, &r);
    if (!r.ram)
        return false;
    const uint32_t *info = sdk_ptr(sdk_mb_info);
    if (!info)
        return true;
    if (sdk_mb_magic == SDK_MB2_MAGIC)     /* the tags hold the strings and the map */
        return !overlaps(page, sdk_mb_info, info[0]);
    const char *cl = sdk_cmdline();
    uint32_t cl_len = 1;
    while (cl[cl_len - 1])
        cl_len++;
    return !overlaps(page, sdk_mb_info, 88) && !overlaps(page, sdk_phys(cl), cl_len) &&
           !((info[0] & (1u << 6)) && overlaps(page, info[12], info[11]));
}

uint32_t sdk_low_page(void)
{
    if (sdk_page_usable(0x8000))
        return 0x8000;
    for (uint32_t p = 0x1000; p < 0x9F000; p += 0x1000)
        if (sdk_page_usable(p))
            return p;
    return 0;
}
