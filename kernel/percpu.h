/*
 * percpu.h - one record per core, reached through the GS base.
 *
 * Each core's IA32_GS_BASE (and the VMCS host GS base, which VM exits
 * load) points at its struct cpu, whose first field points at itself, so
 * this_cpu() is a single MOV from %gs:0 and needs no lock and no APIC read.
 */
#ifndef PERCPU_H
#define PERCPU_H

#include <stdbool.h>
#include <stdint.h>

#define MAX_CPUS 64

enum cpu_state {
    CPU_ABSENT,         /* not in the MADT */
    CPU_STARTING,       /* INIT-SIPI-SIPI sent, not yet in C */
    CPU_ONLINE,         /* running monovisor code */
    CPU_FAILED,         /* did not answer; sent INIT again and left alone */
};

struct cpu {
    struct cpu *self;           /* %gs:0 */
    unsigned index;             /* 0 = the boot core, then MADT order */
    uint32_t apic_id;
    volatile enum cpu_state state;
    bool virt_on;               /* in virtualization operation (VMXON, EFER.SVME) */
    bool guest;                 /* runs a vCPU (cpus= option) */
    volatile int setup;         /* AP after VMX set-up: 1 vCPU, 2 parked, -1 failed */
    volatile uint32_t kick;     /* a kick IPI to this core is on its way (kernel/vcpu.c) */
    volatile uint32_t off;      /* a core without a vCPU: leave VMX operation (power-off) */
    uint64_t host_nmis;         /* NMIs taken in the hypervisor */
    volatile uint8_t taking_interrupt;  /* trap_take_interrupt() is waiting for one */
    volatile uint8_t taken_vector;      /* ... and this is the vector it took (0: none) */
    uint64_t stack_top;         /* the core's hypervisor stack */
};

extern struct cpu cpus[MAX_CPUS];
extern unsigned cpu_count;      /* entries of cpus[] in use */

static inline struct cpu *this_cpu(void)
{
    struct cpu *c;
    __asm__ volatile("mov %%gs:0, %0" : "=r"(c));
    return c;
}

/* percpu_init - make c this core's record (IA32_GS_BASE). */
void percpu_init(struct cpu *c);

/* cpu_by_apic_id - the record of the core with that APIC id, or NULL. */
struct cpu *cpu_by_apic_id(uint32_t apic_id);

#endif
