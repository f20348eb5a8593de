/*
 * uart.c - polled 16550 driver (PC16550D datasheet register map), in I/O
 * space or memory-mapped.
 * No interrupts: the hypervisor takes none (DESIGN.md, cores and interrupts).
 */
#include "uart.h"

#include "../kernel/mem.h"
#include "../kernel/x86.h"

#define UART_RBR 0  /* receive buffer (read, DLAB=0) */
#define UART_THR 0  /* transmit holding (write, DLAB=0) */
#define UART_DLL 0  /* divisor latch low (DLAB=1) */
#define UART_IER 1  /* interrupt enable (DLAB=0) */
#define UART_DLM 1  /* divisor latch high (DLAB=1) */
#define UART_FCR 2  /* FIFO control (write) */
#define UART_LCR 3  /* line control */
#define UART_MCR 4  /* modem control */
#define UART_LSR 5  /* line status */
#define UART_SCR 7  /* scratch */

#define LCR_8N1  0x03
#define LCR_DLAB 0x80
#define FCR_ENABLE_CLEAR 0x07   /* enable FIFOs, clear RX and TX */
#define MCR_DTR_RTS_OUT2 0x0B
#define LSR_DR   0x01           /* data ready */
#define LSR_THRE 0x20           /* transmit holding register empty */

#define UART_CLOCK_DIV 115200   /* 1.8432 MHz / 16 */

static struct uart_wire wire;      /* the console's */

/* Register r: a byte in I/O space, or in memory at r * width, read and
 * written width bytes wide (an MMIO 16550 with 32-bit registers takes
 * only 32-bit accesses; the register is the low byte). */
static uint8_t rd(const struct uart_wire *w, unsigned r)
{
    if (!w->mmio)
        return inb((uint16_t)(w->base + r));
    if (w->width == 4)
        return (uint8_t)*(volatile uint32_t *)phys_ptr(w->base + 4 * r);
    return *(volatile uint8_t *)phys_ptr(w->base + r);
}

static void wr(const struct uart_wire *w, unsigned r, uint8_t v)
{
    if (!w->mmio)
        outb((uint16_t)(w->base + r), v);
    else if (w->width == 4)
        *(volatile uint32_t *)phys_ptr(w->base + 4 * r) = v;
    else
        *(volatile uint8_t *)phys_ptr(w->base + r) = v;
}

bool uart_wire_init(const struct uart_wire *w, uint32_t baud)
{
    bool ok = baud != 0 && UART_CLOCK_DIV % baud == 0 && baud <= UART_CLOCK_DIV;
    uint16_t divisor = ok ? (uint16_t)(UART_CLOCK_DIV / baud) : 1;

    wr(w, UART_IER, 0x00);
    wr(w, UART_LCR, LCR_DLAB);
    wr(w, UART_DLL, divisor & 0xFF);
    wr(w, UART_DLM, divisor >> 8);
    wr(w, UART_LCR, LCR_8N1);
    wr(w, UART_FCR, FCR_ENABLE_CLEAR);
    wr(w, UART_MCR, MCR_DTR_RTS_OUT2);
    return ok;
}

bool uart_init(const struct uart_wire *w, uint32_t baud)
{
    wire = *w;
    return uart_wire_init(&wire, baud);
}

void uart_adopt(const struct uart_wire *w)
{
    wire = *w;
    wr(&wire, UART_IER, 0x00);
    wr(&wire, UART_LCR, LCR_8N1);       /* DLAB clear: the divisor stays */
    wr(&wire, UART_FCR, FCR_ENABLE_CLEAR);
    wr(&wire, UART_MCR, MCR_DTR_RTS_OUT2);
}

bool uart_probe(const struct uart_wire *w)
{
    uint8_t old = rd(w, UART_SCR);
    wr(w, UART_SCR, 0x5A);
    bool ok = rd(w, UART_SCR) == 0x5A;
    wr(w, UART_SCR, 0xA5);
    ok = ok && rd(w, UART_SCR) == 0xA5;
    wr(w, UART_SCR, old);
    return ok;
}

void uart_wire_putc(const struct uart_wire *w, char c)
{
    if (!w->base)
        return;
    while (!(rd(w, UART_LSR) & LSR_THRE))
        cpu_relax();
    wr(w, UART_THR, (uint8_t)c);
}

int uart_wire_getc(const struct uart_wire *w)
{
    if (!w->base || !(rd(w, UART_LSR) & LSR_DR))
        return -1;
    return rd(w, UART_RBR);
}

void uart_putc(char c)
{
    uart_wire_putc(&wire, c);
}

int uart_getc(void)
{
    return uart_wire_getc(&wire);
}

const struct uart_wire *uart_console(void)
{
    return &wire;
}
