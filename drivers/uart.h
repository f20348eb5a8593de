/*
 * uart.h - polled 16550 UART, the hypervisor's console wire: in I/O space
 * (COM ports, a PCI card's I/O BAR) or memory-mapped (an SoC's or a PCI
 * card's memory BAR, registers 1 or 4 bytes apart and wide).
 */
#ifndef UART_H
#define UART_H

#include <stdbool.h>
#include <stdint.h>

struct uart_wire {
    bool mmio;          /* else I/O ports */
    uint64_t base;      /* the I/O port, or the physical address (below 4 GiB) */
    uint8_t width;      /* MMIO: register width and stride in bytes, 1 or 4 */
};

/*
 * uart_init - the console on w: baud, 8N1, FIFOs on, interrupts off.
 * Returns false when the baud rate cannot be derived from the 115200 Hz
 * divisor clock (the UART is then left at 115200).
 */
bool uart_init(const struct uart_wire *w, uint32_t baud);

/* uart_adopt - the console on w at the speed firmware set (the divisor
 * kept: an SPCR's "as configured" baud rate), 8N1, FIFOs on, interrupts
 * off. */
void uart_adopt(const struct uart_wire *w);

/* uart_probe - a 16550 answers at w: its scratch register (7) keeps two
 * values written to it (the PC16550D's SCR; Linux's 8250 probe does the
 * same), then has its old one back. Touches nothing else. */
bool uart_probe(const struct uart_wire *w);

/* uart_putc - send one byte, waiting for THRE (LSR bit 5) first. */
void uart_putc(char c);

/* uart_getc - one received byte, or -1 when none is waiting (LSR bit 0). */
int uart_getc(void);

/* uart_wire_init, uart_wire_putc, uart_wire_getc - the same on a wire
 * that is not the console's (the GDB stub's second UART, gdb=). */
bool uart_wire_init(const struct uart_wire *w, uint32_t baud);
void uart_wire_putc(const struct uart_wire *w, char c);
int uart_wire_getc(const struct uart_wire *w);

/* uart_console - the console's wire (base 0 before uart_init). */
const struct uart_wire *uart_console(void);

#endif
