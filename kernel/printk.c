/*
 * printk.c - kprintf and panic over the polled console UART.
 */
#include "printk.h"

#include "fmt.h"
#include "percpu.h"
#include "spinlock.h"
#include "x86.h"
#include "../drivers/uart.h"

/* One line at a time on the wire, whichever core prints. The owner may
 * take it again (an exception dump while printing), so it nests. */
static struct spinlock print_lock;
static struct cpu *volatile print_owner;
static unsigned print_depth;

void print_begin(void)
{
    struct cpu *me = this_cpu();
    if (print_owner != me) {
        spin_lock(&print_lock);
        print_owner = me;
    }
    print_depth++;
}

void print_end(void)
{
    if (--print_depth == 0) {
        print_owner = 0;
        spin_unlock(&print_lock);
    }
}

static void uart_sink(void *ctx, char c)
{
    (void)ctx;
    if (c == '\n')
        uart_putc('\r');
    uart_putc(c);
}

int kvprintf(const char *fmt, va_list ap)
{
    print_begin();
    int n = fmt_format(uart_sink, 0, fmt, ap);
    print_end();
    return n;
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
    print_begin();
    while (*s)
        uart_sink(0, *s++);
    print_end();
}

void panic_at(const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    cli();
    print_begin();
    kprintf("\npanic: ");
    va_start(ap, fmt);
    kvprintf(fmt, ap);
    va_end(ap);
    kprintf(" (at %s:%d)\npanic: cpu %u halted\n", file, line, this_cpu()->index);
    halt_forever();
}
