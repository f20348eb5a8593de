/*
 * demo.c - the default guest of `make run`: shows what it sees (CPUID
 * vendor, the hypervisor leaf, VMX hidden), calls the hypervisor, then runs
 * a periodic real-time loop and reports its timing jitter.
 *
 * Command line: reports=N stops after N reports (default: run forever);
 * period_us=N sets the period (default 100); every=N periods make one
 * report (default 1000).
 */
#include "../sdk/sdk.h"

static uint64_t tsc_hz(void)
{
    uint32_t max = sdk_cpuid(0, 0).eax;
    if (max >= 0x15) {
        struct sdk_cpuid r = sdk_cpuid(0x15, 0);
        if (r.eax && r.ebx && r.ecx)
            return (uint64_t)r.ecx * r.ebx / r.eax;
    }
    if (max >= 0x16 && (sdk_cpuid(0x16, 0).eax & 0xFFFF))
        return (uint64_t)(sdk_cpuid(0x16, 0).eax & 0xFFFF) * 1000000;
    return 1000000000ull;   /* unknown: assume 1 GHz */
}

/* Twelve characters from three CPUID registers, in the order given. */
static void cpuid_chars(char out[13], uint32_t a, uint32_t b, uint32_t c)
{
    __builtin_memcpy(out, &a, 4);
    __builtin_memcpy(out + 4, &b, 4);
    __builtin_memcpy(out + 8, &c, 4);
    out[12] = 0;
}

int main(void)
{
    uint32_t reports = sdk_arg("reports", 0);
    uint32_t period_us = sdk_arg("period_us", 100);
    uint32_t every = sdk_arg("every", 1000);
    if (!every)
        every = 1000;

    struct sdk_cpuid r = sdk_cpuid(0, 0);
    char vendor[13];
    cpuid_chars(vendor, r.ebx, r.edx, r.ecx);
    struct sdk_cpuid f = sdk_cpuid(1, 0);
    sdk_printf("demo: cpu vendor=%s family=%u hypervisor_bit=%u vmx_visible=%u\n", vendor,
               (f.eax >> 8) & 0xF, (f.ecx >> 31) & 1, (f.ecx >> 5) & 1);
    if (sdk_hv_present()) {
        struct sdk_cpuid h = sdk_cpuid(0x40000000, 0);
        char sig[13];
        cpuid_chars(sig, h.ebx, h.ecx, h.edx);
        long ver = sdk_hypercall(HC_VERSION, 0, 0, 0, 0);
        sdk_printf("demo: hypervisor=%s abi=%ld.%ld\n", sig, ver >> 16, ver & 0xFFFF);
        static const char hello[] = "demo: hello through HC_PUTS\n";
        sdk_hypercall(HC_PUTS, (long)hello, sizeof(hello) - 1, 0, 0);
    } else {
        sdk_puts("demo: no hypervisor (running natively)\n");
    }

    uint64_t hz = tsc_hz();
    uint64_t period = hz / 1000000 * period_us;
    sdk_printf("demo: real-time loop period_us=%u tsc_hz=%llu (reports=%u, 0 = forever)\n",
               period_us, (unsigned long long)hz, reports);
    uint64_t next = sdk_rdtsc() + period, worst = 0, sum = 0, n = 0;
    for (uint32_t rep = 0; !reports || rep < reports;) {
        uint64_t now;
        while ((now = sdk_rdtsc()) < next)
            __asm__ volatile("pause");
        uint64_t late = now - next;
        if (late > worst)
            worst = late;
        sum += late;
        next += period;
        if (++n == every) {
            rep++;
            sdk_printf("demo: periods=%llu jitter_avg_ticks=%llu jitter_max_ticks=%llu\n",
                       (unsigned long long)n, (unsigned long long)(sum / n),
                       (unsigned long long)worst);
            n = sum = worst = 0;
            next = sdk_rdtsc() + period;
        }
    }
    sdk_puts("demo: done\n");
    return 0;
}
