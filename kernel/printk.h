/*
 * printk.h - console output of the hypervisor: printf to the UART, panic.
 */
#ifndef PRINTK_H
#define PRINTK_H

#include <stdarg.h>

/* kprintf - format to the console UART ("\n" goes out as CR LF). */
int kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int kvprintf(const char *fmt, va_list ap);

/* kputs - write a string as is (no newline added). */
void kputs(const char *s);

/* print_begin / print_end - hold the console line for a run of output
 * (several kprintf calls that make one line, the echo of typed bytes) so
 * that other cores' output does not cut into it. They nest on one core.
 * Never hold it across a wait for another core, which may need to print. */
void print_begin(void);
void print_end(void);

/*
 * panic - a broken invariant of the hypervisor itself: print "panic: ...",
 * the call site and halt this core. Never used for guest misbehaviour.
 */
#define panic(...) panic_at(__FILE__, __LINE__, __VA_ARGS__)
_Noreturn void panic_at(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
