/*
 * uart.h - polled 16550 UART, the hypervisor's console wire.
 */
#ifndef UART_H
#define UART_H

#include <stdbool.h>
#include <stdint.h>

/* uart_adopt - the console on the 16550 at base as the firmware set its
 * speed (the divisor kept: an SPCR's "as configured" baud rate), 8N1, FIFOs
 * on, interrupts off. */
void uart_adopt(uint16_t base);

/*
 * uart_init - program the 16550 at I/O port base for baud, 8N1, FIFOs on,
 * interrupts off. Returns false when the baud rate cannot be derived from
 * the 115200 Hz divisor clock (the port is then left at 115200).
 */
bool uart_init(uint16_t base, uint32_t baud);

/* uart_putc - send one byte, waiting for THRE (LSR bit 5) first. */
void uart_putc(char c);

/* uart_getc - one received byte, or -1 when none is waiting (LSR bit 0). */
int uart_getc(void);

/* uart_base - I/O port base of the console UART (0 before uart_init). */
uint16_t uart_base(void);

#endif
