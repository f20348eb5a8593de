/*
 * uart.c - polled 16550 driver (PC16550D datasheet register map).
 * No interrupts: the hypervisor takes none (DESIGN.md, cores and interrupts).
 */
#include "uart.h"

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

#define LCR_8N1  0x03
#define LCR_DLAB 0x80
#define FCR_ENABLE_CLEAR 0x07   /* enable FIFOs, clear RX and TX */
#define MCR_DTR_RTS_OUT2 0x0B
#define LSR_DR   0x01           /* data ready */
#define LSR_THRE 0x20           /* transmit holding register empty */

#define UART_CLOCK_DIV 115200   /* 1.8432 MHz / 16 */

static uint16_t port;

bool uart_init(uint16_t base, uint32_t baud)
{
    bool ok = baud != 0 && UART_CLOCK_DIV % baud == 0 && baud <= UART_CLOCK_DIV;
    uint16_t divisor = ok ? (uint16_t)(UART_CLOCK_DIV / baud) : 1;

    port = base;
    outb(port + UART_IER, 0x00);
    outb(port + UART_LCR, LCR_DLAB);
    outb(port + UART_DLL, divisor & 0xFF);
    outb(port + UART_DLM, divisor >> 8);
    outb(port + UART_LCR, LCR_8N1);
    outb(port + UART_FCR, FCR_ENABLE_CLEAR);
    outb(port + UART_MCR, MCR_DTR_RTS_OUT2);
    return ok;
}

void uart_adopt(uint16_t base)
{
    port = base;
    outb(port + UART_IER, 0x00);
    outb(port + UART_LCR, LCR_8N1);     /* DLAB clear: the divisor stays */
    outb(port + UART_FCR, FCR_ENABLE_CLEAR);
    outb(port + UART_MCR, MCR_DTR_RTS_OUT2);
}

void uart_putc(char c)
{
    if (!port)
        return;
    while (!(inb(port + UART_LSR) & LSR_THRE))
        cpu_relax();
    outb(port + UART_THR, (uint8_t)c);
}

int uart_getc(void)
{
    if (!port || !(inb(port + UART_LSR) & LSR_DR))
        return -1;
    return inb(port + UART_RBR);
}

uint16_t uart_base(void)
{
    return port;
}
