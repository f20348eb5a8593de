/*
 * fmt.h - freestanding printf-style formatting (pure: no hardware access,
 * compiled into the host unit tests too).
 */
#ifndef FMT_H
#define FMT_H

#include <stdarg.h>
#include <stddef.h>

/* Receives each formatted character; ctx is the caller's. */
typedef void (*fmt_sink)(void *ctx, char c);

/*
 * fmt_format - format like printf into a sink.
 * Supports %d %i %u %x %X %o %c %s %p %%, flags '-' '0' ' ' '+' '#',
 * width and precision (also '*'), length modifiers hh h l ll z j t.
 * Returns the number of characters produced.
 */
int fmt_format(fmt_sink sink, void *ctx, const char *fmt, va_list ap);

/*
 * fmt_snprintf / fmt_vsnprintf - format into buf (always NUL-terminated when
 * size > 0). Return the length the full output would have, as C99 does.
 */
int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int fmt_snprintf(char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
