/*
 * printk.c - kprintf and panic over the polled console UART.
 */
#include "printk.h"

#include "fmt.h"
#include "x86.h"
#include "../drivers/uart.h"

static void uart_sink(void *ctx, char c)
{
    (void)ctx;
    if (c == '\n')
        uart_putc('\r');
    uart_putc(c);
}

int kvprintf(const char *fmt, va_list ap)
{
    return fmt_format(uart_sink, 0, fmt, ap);
}

int kprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = kvprintf(fmt, ap);
    va_end(ap);
    return n;
}

void kputs(const char *s)
{
    while (*s)
        uart_sink(0, *s++);
}

void panic_at(const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    cli();
    kprintf("\npanic: ");
    va_start(ap, fmt);
    kvprintf(fmt, ap);
    va_end(ap);
    kprintf(" (at %s:%d)\npanic: core halted\n", file, line);
    halt_forever();
}
