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

#define IPI_VECTOR 0x41

/* The IPI's handler: count, EOI (the xAPIC's register while eoi points
 * to it, else the x2APIC's MSR 80BH). */
static volatile unsigned ipis;
static volatile uint32_t *eoi;
SDK_IRQ_STUB(ipi_isr, ipi_irq);
void ipi_irq(void)
{
    ipis++;
    if (eoi)
        *eoi = 0;
    else
        __asm__ volatile("wrmsr" : : "c"(0x80B), "a"(0), "d"(0));
}

static void ipi_count(const char *name, uint64_t t0)
{
    report(name, sdk_rdtsc() - t0, OPS);
    if (ipis != OPS)
        sdk_printf("bench %s: %u of %u IPIs taken\n", name, ipis, OPS);
    ipis = 0;
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

    /* IPIs, as one guest core sends another: a fixed IPI to this core by
     * its own APIC id, taken and EOIed before the next; the handler costs
     * the same natively. First through the xAPIC's ICR (SDM Vol. 3A,
     * 12.6.1: the destination written once, then the low half per IPI;
     * under monovisor that store and the EOI's each exit, the page being
     * read-only), then through the x2APIC's (12.12.9: one WRMSR, the
     * ICR's fast path). Last: the APIC stays in x2APIC mode. */
    sdk_set_irq_gate(IPI_VECTOR, ipi_isr);
    outb(0x21, 0xFF);                                   /* the 8259As masked: the BIOS's */
    outb(0xA1, 0xFF);                                   /* timer would come at vector 8 */
    sdk_apic_enable();
    sdk_apic_write(SDK_APIC_ICR_HI, sdk_apic_read(SDK_APIC_ID) & 0xFF000000u);
    volatile uint32_t *icr = sdk_ptr(sdk_lapic_base + SDK_APIC_ICR_LO);
    eoi = sdk_ptr(sdk_lapic_base + 0xB0);
    t0 = sdk_rdtsc();
    for (unsigned i = 0; i < OPS; i++) {
        *icr = IPI_VECTOR;
        __asm__ volatile("sti; nop; cli" : : : "memory");
    }
    ipi_count("ipi_xapic", t0);
    eoi = 0;
    if (sdk_cpuid(1, 0).ecx & (1u << 21)) {
        uint64_t base, id;
        sdk_rdmsr(0x1B, &base);
        sdk_wrmsr(0x1B, base | (1u << 11) | (1u << 10));   /* EN, EXTD */
        sdk_rdmsr(0x802, &id);
        t0 = sdk_rdtsc();
        for (unsigned i = 0; i < OPS; i++) {
            __asm__ volatile("wrmsr; sti; nop; cli"
                             : : "c"(0x830), "a"(IPI_VECTOR), "d"((uint32_t)id) : "memory");
        }
        ipi_count("ipi_x2apic", t0);
    } else {
        sdk_puts("bench ipi_x2apic per_op=n/a ops=0 (no x2APIC)\n");
    }

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
