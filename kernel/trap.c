/*
 * trap.c - GDT/TSS/IDT and the exception dump.
 *
 * The hypervisor runs with interrupts off and takes none (DESIGN.md): an
 * exception here is a hypervisor bug or a hardware fault, so it prints
 * everything that helps to find it and halts the core. Never a silent
 * triple-fault reset.
 */
#include "trap.h"

#include <stdbool.h>

#include "mem.h"
#include "percpu.h"
#include "printk.h"
#include "x86.h"
#include "x86_regs.h"

/* 64-bit TSS (SDM Vol. 3A, 9.7 "Task Management in 64-bit Mode"). */
struct __attribute__((packed)) tss64 {
    uint32_t reserved0;
    uint64_t rsp[3];
    uint64_t reserved1;
    uint64_t ist[7];
    uint64_t reserved2;
    uint16_t reserved3;
    uint16_t iomap_base;
};

struct cpu_tables {
    uint64_t gdt[5];            /* null, code64, data, TSS (two slots) */
    struct tss64 tss;
};

/* IDT gate (SDM Vol. 3A, 7.14.1 "64-Bit Mode IDT"). */
struct __attribute__((packed)) idt_gate {
    uint16_t offset_lo;
    uint16_t selector;
    uint8_t ist;
    uint8_t type_attr;          /* P=1, DPL=0, type 0xE: interrupt gate */
    uint16_t offset_mid;
    uint32_t offset_hi;
    uint32_t reserved;
};

#define IST_DOUBLE_FAULT 1
#define IST_NMI          2
#define IST_MACHINE_CHECK 3
#define IST_STACK_PAGES  2

extern const uint64_t isr_stubs[256];
static struct idt_gate idt[256] __attribute__((aligned(16)));
static bool idt_ready;

static const char *const exception_names[32] = {
    "#DE divide error", "#DB debug", "NMI", "#BP breakpoint", "#OF overflow",
    "#BR bound range", "#UD invalid opcode", "#NM device not available",
    "#DF double fault", "coprocessor segment overrun", "#TS invalid TSS",
    "#NP segment not present", "#SS stack fault", "#GP general protection",
    "#PF page fault", "reserved 15", "#MF x87 floating point", "#AC alignment check",
    "#MC machine check", "#XM SIMD floating point", "#VE virtualization",
    "#CP control protection", "reserved 22", "reserved 23", "reserved 24",
    "reserved 25", "reserved 26", "reserved 27", "#HV hypervisor injection",
    "#VC VMM communication", "#SX security", "reserved 31",
};

static void build_idt(void)
{
    for (int v = 0; v < 256; v++) {
        uint64_t a = isr_stubs[v];
        uint8_t ist = v == 8 ? IST_DOUBLE_FAULT : v == 2 ? IST_NMI : v == 18 ? IST_MACHINE_CHECK : 0;
        idt[v] = (struct idt_gate){
            .offset_lo = (uint16_t)a,
            .selector = GDT_KERNEL_CS,
            .ist = ist,
            .type_attr = 0x8E,
            .offset_mid = (uint16_t)(a >> 16),
            .offset_hi = (uint32_t)(a >> 32),
        };
    }
    idt_ready = true;
}

int trap_init_cpu(void)
{
    struct cpu_tables *t = page_alloc(1);
    uint8_t *stacks = page_alloc(3 * IST_STACK_PAGES);
    if (!t || !stacks)
        return -1;
    if (!idt_ready)
        build_idt();

    /* Code: L=1, P=1, S=1, type execute/read; data: P=1, S=1, writable
     * (SDM Vol. 3A, 3.4.5 "Segment Descriptors"). */
    t->gdt[0] = 0;
    t->gdt[1] = 0x00AF9A000000FFFFull;
    t->gdt[2] = 0x00CF92000000FFFFull;
    uint64_t base = (uint64_t)&t->tss, limit = sizeof(t->tss) - 1;
    /* 64-bit TSS descriptor, type 9 available (SDM Vol. 3A, 9.2.3). */
    t->gdt[3] = (limit & 0xFFFF) | ((base & 0xFFFFFF) << 16) | (0x89ull << 40) |
                (((limit >> 16) & 0xF) << 48) | (((base >> 24) & 0xFF) << 56);
    t->gdt[4] = base >> 32;
    for (int i = 0; i < 3; i++)
        t->tss.ist[i] = (uint64_t)(stacks + (size_t)(i + 1) * IST_STACK_PAGES * PAGE_SIZE);
    t->tss.iomap_base = sizeof(t->tss);   /* no I/O permission bitmap */

    struct descriptor_ptr gdtr = { sizeof(t->gdt) - 1, (uint64_t)t->gdt };
    struct descriptor_ptr idtr = { sizeof(idt) - 1, (uint64_t)idt };
    lgdt(&gdtr);
    /* Reload CS with a far return, then the data segments. */
    __asm__ volatile("pushq %[cs]\n\t"
                     "leaq 1f(%%rip), %%rax\n\t"
                     "pushq %%rax\n\t"
                     "lretq\n"
                     "1:\n\t"
                     "movw %[ds], %%ax\n\t"
                     "movw %%ax, %%ds\n\t"
                     "movw %%ax, %%es\n\t"
                     "movw %%ax, %%ss\n\t"
                     : : [cs] "i"(GDT_KERNEL_CS), [ds] "i"(GDT_KERNEL_DS) : "rax", "memory");
    ltr(GDT_TSS);
    lidt(&idtr);
    return 0;
}

static void decode_error(const struct trap_frame *f)
{
    uint64_t e = f->error;
    if (f->vector == 14) {
        /* Page-fault error code (SDM Vol. 3A, 5.7 figure 5-12). */
        kprintf("trap.pf: cr2=%#llx present=%d write=%d user=%d rsvd=%d fetch=%d\n",
                (unsigned long long)read_cr2(), (int)(e & 1), (int)((e >> 1) & 1),
                (int)((e >> 2) & 1), (int)((e >> 3) & 1), (int)((e >> 4) & 1));
    } else if (e && (f->vector == 10 || f->vector == 11 || f->vector == 12 || f->vector == 13)) {
        /* Selector error code (SDM Vol. 3A, 7.13). */
        kprintf("trap.selector: index=%llu table=%s external=%d\n",
                (unsigned long long)(e >> 3), (e & 2) ? "idt" : (e & 4) ? "ldt" : "gdt",
                (int)(e & 1));
    }
}

/* Exception table: (faulting instruction, fixup) pairs from x86.h's
 * *_safe helpers, between the linker's __extable_start and __extable_end. */
struct extable_entry {
    uint64_t insn, fixup;
};
extern const struct extable_entry __extable_start[], __extable_end[];

void (*trap_nmi_hook)(struct trap_frame *f);

bool (*trap_db_hook)(const struct trap_frame *f);

void trap_dispatch(struct trap_frame *f)
{
    /* First, before the GS base is looked at: a #DB the backend expects
     * (svm/entry.asm: right after VMRUN, with the guest's GS base still
     * loaded) is its business. */
    if (f->vector == 1 && trap_db_hook && trap_db_hook(f))
        return;
    struct cpu *c = this_cpu();
    if (f->vector >= 32 && c->taking_interrupt) {
        /* trap_take_interrupt's window: the vector is its answer; the
         * core returns with IF clear, so one interrupt and no more. No
         * EOI: the one the interrupt is for sends it. */
        c->taken_vector = (uint8_t)f->vector;
        c->taking_interrupt = 0;
        f->rflags &= ~RFLAGS_IF;
        return;
    }
    if (f->vector == 2) {
        c->host_nmis++;
        if (trap_nmi_hook)
            trap_nmi_hook(f);
        return;
    }
    if (f->vector == 13) {
        for (const struct extable_entry *e = __extable_start; e < __extable_end; e++) {
            if (e->insn == f->rip) {
                f->rip = e->fixup;
                return;
            }
        }
    }
    const char *name = f->vector < 32 ? exception_names[f->vector] : "unexpected interrupt";
    kprintf("\npanic: exception vector=%llu (%s) error=%#llx\n", (unsigned long long)f->vector,
            name, (unsigned long long)f->error);
    decode_error(f);
    kprintf("trap.rip=%#018llx trap.cs=%#llx trap.rflags=%#llx trap.rsp=%#018llx trap.ss=%#llx\n",
            (unsigned long long)f->rip, (unsigned long long)f->cs,
            (unsigned long long)f->rflags, (unsigned long long)f->rsp,
            (unsigned long long)f->ss);
    kprintf("trap.cr0=%#llx trap.cr2=%#llx trap.cr3=%#llx trap.cr4=%#llx\n",
            (unsigned long long)read_cr0(), (unsigned long long)read_cr2(),
            (unsigned long long)read_cr3(), (unsigned long long)read_cr4());
    kprintf("trap.rax=%#018llx trap.rbx=%#018llx trap.rcx=%#018llx trap.rdx=%#018llx\n"
            "trap.rsi=%#018llx trap.rdi=%#018llx trap.rbp=%#018llx\n"
            "trap.r8=%#018llx trap.r9=%#018llx trap.r10=%#018llx trap.r11=%#018llx\n"
            "trap.r12=%#018llx trap.r13=%#018llx trap.r14=%#018llx trap.r15=%#018llx\n",
            (unsigned long long)f->rax, (unsigned long long)f->rbx, (unsigned long long)f->rcx,
            (unsigned long long)f->rdx, (unsigned long long)f->rsi, (unsigned long long)f->rdi,
            (unsigned long long)f->rbp, (unsigned long long)f->r8, (unsigned long long)f->r9,
            (unsigned long long)f->r10, (unsigned long long)f->r11, (unsigned long long)f->r12,
            (unsigned long long)f->r13, (unsigned long long)f->r14, (unsigned long long)f->r15);
    kprintf("panic: cpu %u halted (look the RIP up in build/monovisor.lst)\n", c->index);
    halt_forever();
}

unsigned trap_take_interrupt(void)
{
    /* The hypervisor runs with IF clear: an interrupt for the guest waits
     * in the local APIC. Open IF for one instruction boundary (STI's
     * shadow covers the NOP, SDM Vol. 3A 6.8.3): the APIC delivers its
     * highest pending vector, which moves from IRR to ISR as for any
     * delivery (SDM Vol. 3A 11.8.4). */
    struct cpu *c = this_cpu();
    c->taken_vector = 0;
    c->taking_interrupt = 1;
    __asm__ volatile("sti\n\tnop\n\tcli" ::: "memory");
    c->taking_interrupt = 0;
    return c->taken_vector;
}
