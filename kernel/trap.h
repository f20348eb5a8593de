/*
 * trap.h - per-core descriptor tables (GDT, TSS with IST stacks, IDT) and
 * the exception handler that prints a decoded dump and halts.
 */
#ifndef TRAP_H
#define TRAP_H

#include <stdbool.h>
#include <stdint.h>

/* Saved by kernel/isr.asm; the field order is the reverse of its pushes. */
struct trap_frame {
    uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
    uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
    uint64_t vector, error;
    uint64_t rip, cs, rflags, rsp, ss;     /* pushed by the CPU */
};

#define GDT_KERNEL_CS 0x08
#define GDT_KERNEL_DS 0x10
#define GDT_TSS       0x18

/*
 * trap_init_cpu - load this core's GDT (with its TSS and IST stacks for
 * #DF, NMI and #MC) and the shared IDT. Stacks come from the pool.
 * Returns 0, or -1 when the pool is exhausted.
 */
int trap_init_cpu(void);

/* Called for an NMI taken in the hypervisor (set by the VMX layer: the
 * NMI may be a kick or belong to the guest). NMIs never panic. */
extern void (*trap_nmi_hook)(struct trap_frame *f);

/* A #DB in the hypervisor that a backend expects: true when it was (the
 * trap is then dismissed), false for a panic like any other. Called
 * before anything per-core is used. */
extern bool (*trap_db_hook)(const struct trap_frame *f);

/* trap_dispatch - called by isr_common for every vector. */
void trap_dispatch(struct trap_frame *f);

/*
 * trap_take_interrupt - take the interrupt this core's local APIC has for
 * it (the hypervisor runs with IF clear) without an EOI: its vector, or 0
 * when none came. The interrupt is then in service, as if the core had
 * delivered it; whoever it is for sends the EOI.
 */
unsigned trap_take_interrupt(void);

#endif
