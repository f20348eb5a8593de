/*
 * percpu.c - per-core records; see percpu.h.
 */
#include "percpu.h"

#include "x86.h"

struct cpu cpus[MAX_CPUS];
unsigned cpu_count;

void percpu_init(struct cpu *c)
{
    c->self = c;
    wrmsr(MSR_IA32_GS_BASE, (uint64_t)c);
}

struct cpu *cpu_by_apic_id(uint32_t apic_id)
{
    for (unsigned i = 0; i < cpu_count; i++)
        if (cpus[i].apic_id == apic_id)
            return &cpus[i];
    return 0;
}
