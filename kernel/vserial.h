/*
 * vserial.h - the guest's COM1: the virtual 16550A (kernel/vuart.h) on the
 * console wire, with its interrupt routed the way the guest programmed
 * its interrupt controllers (kernel/irqchip.h).
 *
 * Receive: the console (kernel/console.c) hands the bytes typed in guest
 * mode to vserial_rx, which queues them (VSERIAL_QUEUE bytes; beyond
 * that they are dropped and counted) and moves them into the UART's
 * receive FIFO as it has room: at once, and again whenever the guest
 * reads RBR. Transmit: every byte the guest writes goes to the wire at
 * once, whatever the console mode.
 *
 * Interrupts: when the UART's interrupt output rises (vuart_take_edge),
 * ISA IRQ 4 (global system interrupt from the MADT's overrides) goes
 *  - through the I/O APIC route when its RTE is unmasked: an IPI from the
 *    local APIC of the core that saw the edge, with the RTE's vector,
 *    delivery mode and destination, so the guest's LAPIC does priority,
 *    ISR and EOI as for a device interrupt;
 *  - else through the 8259A when the guest initialised it and IRQ 4 is
 *    unmasked: base+4 injected as an external interrupt into the boot
 *    vCPU (VM-entry event injection, SDM Vol. 3C 27.6), waiting for an
 *    interrupt window (25.6.2) when the guest cannot take it yet;
 *  - else nowhere; the guest unmasking the line later delivers it if the
 *    output is still up.
 * The guest's I/O APIC stores (its page is read-only in the EPT) and
 * writes to the PIC ports are done on the hardware and watched.
 */
#ifndef VSERIAL_H
#define VSERIAL_H

#include <stdbool.h>
#include <stdint.h>

#include "vcpu.h"

#define VSERIAL_QUEUE 256
#define VSERIAL_ISA_IRQ 4       /* COM1 */

/* vserial_init - the guest's COM1 at port (the console UART's base) on
 * the I/O bus, the 8259A's ports watched; find the I/O APIC holding
 * COM1's GSI (MADT), write-protect its page in the guest's map (an MMIO
 * device) and read the RTE as firmware left it. Returns 0 or -1 (after
 * an error line). */
int vserial_init(uint16_t port);

/* vserial_hold_ports - a UART of the hypervisor's at I/O ports [first,
 * first + 8): the console's when it is not the guest's (a PCI card's
 * BAR), or the GDB stub's (gdb=): kept from the guest, which reads all
 * ones there and writes nothing, as on a bus where nothing answers. */
enum held_uart { HELD_CONSOLE, HELD_GDB };
void vserial_hold_ports(uint16_t first, enum held_uart whose);

/* vserial_reset - a guest reset: the UART back to its reset state, the
 * queue and a pending PIC injection dropped (the controllers are the
 * hardware's and keep their programming). */
void vserial_reset(void);

/* vserial_rx - a byte typed for the guest (the console's guest mode). */
void vserial_rx(uint8_t byte);

/* vserial_pic_port - port is one of the 8259A ports. */
static inline bool vserial_pic_port(uint16_t port)
{
    return (port & ~1u) == 0x20 || (port & ~1u) == 0xA0;
}

/* vserial_inject - on v's core (the boot vCPU) between exits: inject the
 * waiting PIC interrupt if the guest can take it (virt.intr_ready:
 * RFLAGS.IF, no STI or MOV SS blocking, no other event being injected),
 * else ask for an interrupt-window exit; drop the window when nothing
 * waits. */
void vserial_inject(struct vcpu *v);

#endif
