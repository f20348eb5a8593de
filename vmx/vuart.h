/*
 * vuart.h - a virtual 16550 UART (pure; host unit tested): the guest's view
 * of the hypervisor's console port. Transmit goes to the console; the
 * line status always says the transmitter is empty.
 *
 * Register map: PC16550D datasheet, table 2.
 */
#ifndef VUART_H
#define VUART_H

#include <stdbool.h>
#include <stdint.h>

struct vuart {
    uint8_t ier, lcr, mcr, scr, dll, dlm;
    uint8_t rx;             /* one byte of receive buffer */
    bool rx_full;
    uint64_t tx_bytes;
};

/* Transmitted bytes go here. */
typedef void (*vuart_tx)(void *ctx, uint8_t byte);

/* vuart_reset - power-on state (115200 8N1 divisor latch). */
void vuart_reset(struct vuart *u);

/* vuart_write - the guest writes val to register reg (0-7). */
void vuart_write(struct vuart *u, unsigned reg, uint8_t val, vuart_tx tx, void *ctx);

/* vuart_read - the guest reads register reg (0-7). */
uint8_t vuart_read(struct vuart *u, unsigned reg);

#endif
