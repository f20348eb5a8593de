/*
 * smp.c - AP start-up: the universal INIT-SIPI-SIPI sequence (SDM Vol. 3A,
 * 10.4.4 "MP Initialization Example") through the trampoline of
 * kernel/ap_boot.asm.
 */
#include "smp.h"

#include "hv.h"
#include "kstring.h"
#include "mem.h"
#include "printk.h"
#include "x86.h"
#include "../drivers/acpi.h"
#include "../drivers/lapic.h"
#include "../drivers/tsc.h"

#define AP_STACK_PAGES 4
#define LOW_MEM_TOP    0x9F000ull   /* below the EBDA and the VGA/BIOS area */

/* Mirrors ap_params in kernel/ap_boot.asm. */
struct __attribute__((packed)) ap_params {
    uint16_t gdt_limit;
    uint32_t gdt_base;
    uint32_t pm32;
    uint16_t pm32_sel;
    uint32_t lm64;
    uint16_t lm64_sel;
    uint32_t cr3;
    uint64_t stack;
    uint64_t cpu;
    uint64_t entry;
};

extern const char ap_trampoline[], ap_trampoline_end[], ap_params[], ap_pm32[], ap_lm64[], ap_gdt[];

static uint8_t saved_page[PAGE_SIZE];

void smp_init_bsp(uint32_t apic_id)
{
    struct cpu *c = &cpus[0];
    c->index = 0;
    c->apic_id = apic_id;
    c->state = CPU_ONLINE;
    cpu_count = 1;
    percpu_init(c);
}

void smp_wait_tsc(uint64_t ticks)
{
    uint64_t t0 = rdtsc();
    while (rdtsc() - t0 < ticks)
        cpu_relax();
}

static uint64_t ticks_us(uint64_t us)
{
    uint64_t khz = tsc_khz() ? tsc_khz() : 1000000;     /* unknown: assume 1 GHz */
    return khz * us / 1000;
}

/* The highest page of available RAM in [4 KiB, LOW_MEM_TOP): real mode
 * can reach it, and page 0 (the real-mode IVT) is left alone. */
static uint64_t pick_trampoline_page(void)
{
    uint64_t best = 0;
    for (unsigned i = 0; i < hv.mb.mmap_count; i++) {
        const struct mb2_mmap_entry *e = &hv.mb.mmap[i];
        if (e->type != MB2_MEM_AVAILABLE)
            continue;
        uint64_t start = (e->base + PAGE_SIZE - 1) & ~(uint64_t)(PAGE_SIZE - 1);
        uint64_t end = e->base + e->len < LOW_MEM_TOP ? e->base + e->len : LOW_MEM_TOP;
        end &= ~(uint64_t)(PAGE_SIZE - 1);
        if (start < PAGE_SIZE)
            start = PAGE_SIZE;
        if (end >= start + PAGE_SIZE && end - PAGE_SIZE > best)
            best = end - PAGE_SIZE;
    }
    return best;
}

static void list_cores(void)
{
    const struct acpi_info *a = acpi();
    for (unsigned i = 0; i < a->cpu_count; i++) {
        const struct acpi_cpu *m = &a->cpus[i];
        if ((!m->enabled && !m->online_capable) || m->apic_id == cpus[0].apic_id ||
            cpu_by_apic_id(m->apic_id))
            continue;
        if (cpu_count == MAX_CPUS) {
            kprintf("note: smp: more than %d cores; apic_id=%u and later are left out\n",
                    MAX_CPUS, m->apic_id);
            return;
        }
        struct cpu *c = &cpus[cpu_count];
        c->index = cpu_count++;
        c->apic_id = m->apic_id;
        c->state = CPU_ABSENT;
    }
}

/* INIT, 10 ms, SIPI, 200 us, SIPI once more if the core is not up yet;
 * then up to 100 ms for it to reach C. */
static bool start_one(struct cpu *c, uint64_t page)
{
    lapic_send_ipi(c->apic_id, ICR_INIT | ICR_LEVEL_ASSERT);
    smp_wait_tsc(ticks_us(10000));
    uint32_t sipi = ICR_STARTUP | ICR_LEVEL_ASSERT | ICR_VECTOR(page >> 12);
    lapic_send_ipi(c->apic_id, sipi);
    smp_wait_tsc(ticks_us(200));
    if (c->state != CPU_ONLINE)
        lapic_send_ipi(c->apic_id, sipi);
    /* An AP answers in microseconds on hardware; an emulator's vCPU thread
     * beside other work may take far longer to run at all, so wait up to a
     * second before giving up on it (Linux's do_boot_cpu waits ten). */
    uint64_t t0 = rdtsc(), limit = ticks_us(1000000);
    while (c->state != CPU_ONLINE && rdtsc() - t0 < limit)
        cpu_relax();
    return c->state == CPU_ONLINE;
}

unsigned smp_start_aps(void (*entry)(struct cpu *))
{
    list_cores();
    if (cpu_count == 1)
        return 1;
    uint64_t page = pick_trampoline_page();
    if (!page) {
        kprintf("error: smp: no free page below 1 MiB for the AP trampoline; "
                "running on the boot core only\n");
        return 1;
    }
    uint8_t *low = phys_ptr(page);
    size_t size = (size_t)(ap_trampoline_end - ap_trampoline);
    memcpy(saved_page, low, PAGE_SIZE);
    memcpy(low, ap_trampoline, size);
    struct ap_params *p = (struct ap_params *)(low + (ap_params - ap_trampoline));
    p->gdt_base = (uint32_t)(page + (uint64_t)(ap_gdt - ap_trampoline));
    p->pm32 = (uint32_t)(page + (uint64_t)(ap_pm32 - ap_trampoline));
    p->lm64 = (uint32_t)(page + (uint64_t)(ap_lm64 - ap_trampoline));
    p->cr3 = (uint32_t)read_cr3();
    p->entry = (uint64_t)entry;

    unsigned online = 1;
    for (unsigned i = 1; i < cpu_count; i++) {
        struct cpu *c = &cpus[i];
        uint8_t *stack = page_alloc(AP_STACK_PAGES);
        if (!stack) {
            kprintf("error: smp: no pool pages for the stack of apic_id=%u\n", c->apic_id);
            c->state = CPU_FAILED;
            continue;
        }
        c->stack_top = (uint64_t)(stack + AP_STACK_PAGES * PAGE_SIZE);
        p->stack = c->stack_top;
        p->cpu = (uint64_t)c;
        c->state = CPU_STARTING;
        __atomic_thread_fence(__ATOMIC_SEQ_CST);
        if (start_one(c, page)) {
            online++;
            continue;
        }
        /* Back to wait-for-SIPI, so that it cannot run the trampoline
         * page after the guest got it back. */
        lapic_send_ipi(c->apic_id, ICR_INIT | ICR_LEVEL_ASSERT);
        c->state = CPU_FAILED;
        kprintf("error: smp: core apic_id=%u did not start (no answer to INIT-SIPI-SIPI); "
                "going on without it\n", c->apic_id);
    }
    memcpy(low, saved_page, PAGE_SIZE);
    return online;
}
