/*
 * bench.c - the benchmark guest: round-trip cost of the operations that
 * exit (CPUID, VMCALL, a trapped port read, a trapped RDMSR) and of a
 * compute loop, in TSC ticks. Booted natively by GRUB and under monovisor
 * in Bochs with `clock: sync=none` and one CPU, a tick is one instruction
 * (DESIGN.md), so the figures are exact and repeatable.
 *
 * Prints "bench NAME per_op=N ops=N" lines (loop instructions included:
 * they cancel out of virtualized minus native), then "bench done".
 */
#include "../sdk/sdk.h"

#define OPS 1000

static void report(const char *name, uint64_t ticks, unsigned n)
{
    sdk_printf("bench %s per_op=%llu ops=%u\n", name, (unsigned long long)(ticks / n), n);
}

int main(void)
{
    /* The first thing the guest does: how long the boot took, in TSC ticks
     * since reset (under monovisor the hypervisor prints its own start). */
    uint64_t t0 = sdk_rdtsc();
    sdk_printf("bench first_instruction_tsc=%llu\n", (unsigned long long)t0);
    bool hv = sdk_hv_present();

    t0 = sdk_rdtsc();
    for (unsigned i = 0; i < OPS; i++) {
        uint32_t a = 0, b, c = 0, d;
        __asm__ volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
    }
    report("cpuid", sdk_rdtsc() - t0, OPS);

    if (hv) {
        t0 = sdk_rdtsc();
        for (unsigned i = 0; i < OPS; i++)
            sdk_hypercall(HC_VERSION, 0, 0, 0, 0);
        report("vmcall", sdk_rdtsc() - t0, OPS);
    } else {
        sdk_puts("bench vmcall per_op=n/a ops=0\n");
    }

    t0 = sdk_rdtsc();
    for (unsigned i = 0; i < OPS; i++)
        (void)inb(0x3F8 + 7);       /* UART scratch register: trapped under monovisor */
    report("io_in", sdk_rdtsc() - t0, OPS);

    /* An MSR every vCPU exits on: IA32_FEATURE_CONTROL on Intel, EFER on
     * AMD (its SVME bit is hidden; Bochs has no VM_CR to read natively). */
    uint32_t msr = sdk_vmmcall ? 0xC0000080u : 0x3Au;
    t0 = sdk_rdtsc();
    for (unsigned i = 0; i < OPS; i++) {
        uint32_t lo, hi;
        __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    }
    report("rdmsr", sdk_rdtsc() - t0, OPS);

    /* WRMSR of IA32_SYSENTER_CS: trapped when monovisor runs with
     * run="msr 0x174 log", emulated through the VMCS. */
    t0 = sdk_rdtsc();
    for (unsigned i = 0; i < OPS; i++)
        __asm__ volatile("wrmsr" : : "c"(0x174), "a"(0x10), "d"(0));
    report("wrmsr", sdk_rdtsc() - t0, OPS);

    /* A write to the UART's scratch register: the virtual UART under monovisor. */
    t0 = sdk_rdtsc();
    for (unsigned i = 0; i < OPS; i++)
        outb(0x3F8 + 7, (uint8_t)i);
    report("uart_write", sdk_rdtsc() - t0, OPS);

    /* Lazy EPT faults (monovisor booted with ept=lazy, guest with mode=lazy):
     * the first read of a 2 MiB RAM block faults it in as one large page;
     * the first read of a page in the mixed first 2 MiB faults in 4 KiB. */
    if (sdk_arg_is("mode", "lazy")) {
        enum { BLOCKS = 64, PAGES = 64 };
        t0 = sdk_rdtsc();
        for (unsigned i = 0; i < BLOCKS; i++)
            (void)*(volatile uint32_t *)((64u << 20) + i * (2u << 20));
        report("ept_fault_2m", sdk_rdtsc() - t0, BLOCKS);
        t0 = sdk_rdtsc();
        for (unsigned i = 0; i < PAGES; i++)
            (void)*(volatile uint32_t *)(0x20000u + i * 4096u);
        report("ept_fault_4k", sdk_rdtsc() - t0, PAGES);
    }

    /* Memory sweep (after the lazy faults, which need fresh blocks): one write per 64-byte line over 256 MiB from 64 MiB. */
    t0 = sdk_rdtsc();
    for (uint32_t a = 64u << 20; a < (320u << 20); a += 64)
        *(volatile uint32_t *)a = a;
    sdk_printf("bench memory_sweep total=%llu bytes=%u\n", (unsigned long long)(sdk_rdtsc() - t0),
               256u << 20);

    /* Compute: no exits at all in steady state. */
    enum { ITER = 2000000 };
    volatile uint32_t x = 1;
    t0 = sdk_rdtsc();
    for (unsigned i = 0; i < ITER; i++)
        x = x * 1103515245u + 12345u;
    sdk_printf("bench compute total=%llu iterations=%u\n", (unsigned long long)(sdk_rdtsc() - t0), ITER);
    sdk_puts("bench done\n");
    return 0;
}
