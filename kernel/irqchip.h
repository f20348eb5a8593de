/*
 * irqchip.h - what the guest programmed into its interrupt controllers
 * (pure; host unit tested and fuzzed): a shadow of the I/O APIC's
 * register select and redirection table (Intel 82093AA datasheet, 3.1
 * and 3.2.4), a tracker of the 8259A PICs' initialisation sequence and
 * mask (8259A datasheet, "Programming the 8259A"), and the decision how
 * an interrupt of a virtual device's ISA line reaches the guest.
 *
 * The guest owns both controllers: its writes reach the hardware
 * unchanged; these only watch, so that a virtual device (the guest's
 * COM1, kernel/vuart.h) can raise the vector the guest chose for its line.
 */
#ifndef IRQCHIP_H
#define IRQCHIP_H

#include <stdbool.h>
#include <stdint.h>

#include "../drivers/lapic.h"

/* ---- I/O APIC ---- */

#define IOAPIC_REGSEL   0x00        /* offsets in the MMIO page (82093AA 3.0) */
#define IOAPIC_WIN      0x10
#define IOAPIC_REG_VER  0x01        /* bits 23:16: maximum redirection entry */
#define IOAPIC_REG_RTE0 0x10        /* RTE n: registers 0x10+2n (low), 0x11+2n (high) */
#define IOAPIC_PINS     240         /* registers 0x10..0xFF hold 120 RTEs; room for more */

/* Redirection table entry bits (82093AA 3.2.4). */
#define RTE_VECTOR(r)       ((uint8_t)(r))
#define RTE_DELIVERY(r)     (((r) >> 8) & 7)     /* 000 fixed, 001 lowest priority, ... */
#define RTE_DEST_LOGICAL    (1ull << 11)
#define RTE_ACTIVE_LOW      (1ull << 13)
#define RTE_LEVEL           (1ull << 15)
#define RTE_MASKED          (1ull << 16)
#define RTE_DEST(r)         ((uint8_t)((r) >> 56))

struct ioapic_shadow {
    uint32_t regsel;                /* IOREGSEL bits 7:0 */
    uint64_t rte[IOAPIC_PINS];
};

/* ioapic_shadow_reset - every RTE masked, as after the 82093AA's reset. */
void ioapic_shadow_reset(struct ioapic_shadow *s);

/*
 * ioapic_shadow_write - the guest stored val (32 bits) at offset off of
 * the I/O APIC page. Returns the pin whose RTE changed, or -1 (another
 * register, IOREGSEL, or an offset that is neither IOREGSEL nor IOWIN).
 */
int ioapic_shadow_write(struct ioapic_shadow *s, unsigned off, uint32_t val);

/* ---- 8259A PIC pair ---- */

enum pic_state { PIC_READY, PIC_ICW2, PIC_ICW3, PIC_ICW4 };

struct pic_chip {
    enum pic_state state;
    bool icw4_needed, single;
    bool initialized;               /* an ICW1..ICW2/3/4 sequence completed */
    uint8_t base;                   /* ICW2: vector of IR0 (bits 7:3) */
    uint8_t imr;                    /* OCW1 */
};

struct pic_track {
    struct pic_chip chip[2];        /* master (0x20/0x21), slave (0xA0/0xA1) */
};

/* pic_track_reset - nothing initialised yet (the BIOS's programming is
 * not known), everything masked. */
void pic_track_reset(struct pic_track *p);

/*
 * pic_track_write - the guest wrote val to port (0x20, 0x21, 0xA0, 0xA1;
 * others are ignored). Returns true when the initialisation state or a
 * mask changed (then a waiting interrupt may now be deliverable).
 */
bool pic_track_write(struct pic_track *p, uint16_t port, uint8_t val);

/* ---- the route of one ISA interrupt line ---- */

enum irq_route_kind {
    IRQ_ROUTE_NONE,         /* masked everywhere: nothing to do until unmasked */
    IRQ_ROUTE_LAPIC,        /* send icr_low to dest through the local APIC */
    IRQ_ROUTE_PIC,          /* inject vector as an external interrupt on the boot vCPU */
};

struct irq_route {
    enum irq_route_kind kind;
    uint8_t vector;
    uint32_t icr_low;       /* IRQ_ROUTE_LAPIC: ICR bits 31:0 (SDM Vol. 3A, 12.6.1) */
    uint32_t dest;          /* IRQ_ROUTE_LAPIC: ICR destination field */
    const char *why;        /* IRQ_ROUTE_NONE: why */
};

/*
 * irq_route_decide - how ISA line isa_irq (0-15) reaches the guest: by
 * the I/O APIC when io is non-NULL and RTE pin is unmasked (its vector,
 * fixed or lowest-priority delivery, physical or logical destination,
 * sent as an edge: the line is an ISA edge), else by the master or slave
 * 8259A when it was initialised and the line (and for IRQ 8-15 the
 * cascade, IRQ 2) is unmasked, else nowhere.
 */
struct irq_route irq_route_decide(const struct ioapic_shadow *io, unsigned pin,
                                  const struct pic_track *pic, unsigned isa_irq);

#endif
