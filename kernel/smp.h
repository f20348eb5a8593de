/*
 * smp.h - starting the application processors (DESIGN.md boot flow, step 5).
 */
#ifndef SMP_H
#define SMP_H

#include "percpu.h"

/*
 * smp_init_bsp - record the boot core as cpus[0] and make it this core
 * (before anything calls this_cpu()).
 */
void smp_init_bsp(uint32_t apic_id);

/*
 * smp_start_aps - list the cores of the ACPI MADT (enabled and
 * online-capable, xAPIC and x2APIC entries) in cpus[], then start each
 * with INIT-SIPI-SIPI through a trampoline in a page below 1 MiB whose
 * contents are put back afterwards (the page is the guest's). Each AP runs
 * entry(its struct cpu) on its own stack with its own descriptor tables
 * and must set state to CPU_ONLINE. A core that does not come up is
 * reported by APIC id, put back into wait-for-SIPI and left out.
 * Returns the number of cores online, the boot core included.
 */
unsigned smp_start_aps(void (*entry)(struct cpu *));

/* smp_wait_tsc - spin for ticks TSC ticks. */
void smp_wait_tsc(uint64_t ticks);

#endif
