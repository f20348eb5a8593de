/*
 * vuart.h - a virtual 16550A UART (pure; host unit tested and fuzzed): the
 * guest's COM1 on the hypervisor's console wire.
 *
 * Modelled after the PC16550D datasheet: the register map (table 2), a
 * 16-byte receive FIFO with overrun (LSR.OE), the FIFO control register
 * (IIR bits 7:6 read 11 while the FIFOs are on), the interrupt
 * identification register with the 16550's priorities (table 4: line
 * status, received data, transmitter empty, modem status), the line
 * status register (DR, OE, THRE, TEMT), loopback with the modem outputs
 * fed back to the modem inputs, the modem status deltas, the scratch
 * register and the divisor latch.
 *
 * Transmission is instantaneous: a byte written to THR goes to the tx
 * callback at once and THR is empty again, so THRE and TEMT always read 1
 * and a THR write re-arms the THRE interrupt at once (after a momentary
 * drop of the line: an edge, as on hardware when the byte moves on to the
 * shift register). The receive FIFO has no trigger level or character
 * timeout: the received-data interrupt is pending whenever a byte waits.
 *
 * The interrupt output is the pending condition gated by MCR.OUT2 (on a
 * PC, OUT2 enables the buffer between the UART and the interrupt
 * controller) and off in loopback (the datasheet forces OUT2 inactive
 * there). vuart_irq() reads the line; vuart_take_edge() says whether it
 * rose since the last look, which is when an edge-triggered controller
 * would take an interrupt.
 */
#ifndef VUART_H
#define VUART_H

#include <stdbool.h>
#include <stdint.h>

#define VUART_FIFO 16

struct vuart {
    uint8_t ier, lcr, mcr, scr, dll, dlm, fcr;
    uint8_t lsr_err;        /* OE, latched until LSR is read */
    uint8_t msr_in;         /* modem inputs, MSR bits 7:4 as last seen */
    uint8_t msr_delta;      /* MSR bits 3:0, cleared by reading MSR */
    uint8_t rx[VUART_FIFO]; /* receive FIFO (one entry used without FIFOs) */
    uint8_t rx_head, rx_count;
    bool thre_pending;      /* THRE interrupt armed (datasheet table 4) */
    bool irq;               /* the interrupt output, as last computed */
    bool edge;              /* the output rose since vuart_take_edge */
    uint64_t tx_bytes, rx_bytes, overruns, edges;
};

/* Transmitted bytes go here. */
typedef void (*vuart_tx)(void *ctx, uint8_t byte);

/* vuart_reset - the datasheet's master-reset state (table 5: IER, FCR,
 * MCR, LSR errors 0, FIFOs off) with a 115200 8N1 divisor latch, which is
 * what firmware leaves on COM1. */
void vuart_reset(struct vuart *u);

/* vuart_write - the guest writes val to register reg (its low 3 bits). */
void vuart_write(struct vuart *u, unsigned reg, uint8_t val, vuart_tx tx, void *ctx);

/* vuart_read - the guest reads register reg (its low 3 bits); reads of
 * RBR, IIR, LSR and MSR have the datasheet's side effects. */
uint8_t vuart_read(struct vuart *u, unsigned reg);

/* vuart_receive - a byte arrives from the wire. Returns false when it is
 * not taken: the FIFO (one byte with FIFOs off) is full, or the UART is
 * in loopback, where the receiver hears only its own transmitter. The
 * caller keeps the byte (flow control by not draining the wire). */
bool vuart_receive(struct vuart *u, uint8_t byte);

/* vuart_rx_room - bytes vuart_receive would take now. */
unsigned vuart_rx_room(const struct vuart *u);

/* vuart_irq - the level of the interrupt output. */
bool vuart_irq(const struct vuart *u);

/* vuart_take_edge - true once for each time the output rose (low to high)
 * since the last call; several rises in between count as one, as an
 * edge-triggered input that has not been serviced latches just one.
 * Inline: every guest access to the UART asks. */
static inline bool vuart_take_edge(struct vuart *u)
{
    bool e = u->edge;
    u->edge = false;
    return e;
}

#endif
