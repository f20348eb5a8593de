/*
 * fmt.c - freestanding printf core. One formatter for the console, panic
 * and the buffers of every key=value line; see fmt.h.
 */
#include "fmt.h"

#include <stdbool.h>
#include <stdint.h>

struct spec {
    bool left, zero, plus, space, alt;
    int width;
    int prec;           /* -1: none */
};

struct out {
    fmt_sink sink;
    void *ctx;
    int count;
};

static void put(struct out *o, char c)
{
    o->sink(o->ctx, c);
    o->count++;
}

static void pad(struct out *o, char c, int n)
{
    while (n-- > 0)
        put(o, c);
}

/* Emit prefix + digits with the width/precision/flags of spec. */
static void emit_number(struct out *o, const struct spec *s, const char *prefix,
                        const char *digits, int ndigits)
{
    int plen = 0;
    while (prefix[plen])
        plen++;
    int zeros = s->prec > ndigits ? s->prec - ndigits : 0;
    int body = plen + zeros + ndigits;
    int fill = s->width > body ? s->width - body : 0;

    if (!s->left && !(s->zero && s->prec < 0))
        pad(o, ' ', fill);
    for (int i = 0; i < plen; i++)
        put(o, prefix[i]);
    if (!s->left && s->zero && s->prec < 0)
        pad(o, '0', fill);
    pad(o, '0', zeros);
    for (int i = 0; i < ndigits; i++)
        put(o, digits[i]);
    if (s->left)
        pad(o, ' ', fill);
}

static void format_unsigned(struct out *o, const struct spec *s, uintmax_t v,
                            unsigned base, bool upper, bool negative)
{
    char tmp[24];   /* 64-bit octal fits in 22 digits */
    int n = 0;
    const char *set = upper ? "0123456789ABCDEF" : "0123456789abcdef";

    if (v == 0 && s->prec == 0)
        n = 0;      /* "%.0d" of zero prints nothing */
    else
        do {
            tmp[n++] = set[v % base];
            v /= base;
        } while (v);

    char digits[24];
    for (int i = 0; i < n; i++)
        digits[i] = tmp[n - 1 - i];

    const char *prefix = "";
    if (negative)
        prefix = "-";
    else if (s->plus)
        prefix = "+";
    else if (s->space)
        prefix = " ";
    if (s->alt && base == 16 && n > 0 && !(n == 1 && digits[0] == '0'))
        prefix = upper ? "0X" : "0x";
    if (s->alt && base == 8 && (n == 0 || digits[0] != '0')) {
        digits[n++] = '0';
        for (int i = n - 1; i > 0; i--)
            digits[i] = digits[i - 1];
        digits[0] = '0';
    }
    emit_number(o, s, prefix, digits, n);
}

static void format_string(struct out *o, const struct spec *s, const char *str)
{
    if (!str)
        str = "(null)";
    int len = 0;
    while ((s->prec < 0 || len < s->prec) && str[len])
        len++;
    int fill = s->width > len ? s->width - len : 0;
    if (!s->left)
        pad(o, ' ', fill);
    for (int i = 0; i < len; i++)
        put(o, str[i]);
    if (s->left)
        pad(o, ' ', fill);
}

enum length { LEN_INT, LEN_CHAR, LEN_SHORT, LEN_LONG, LEN_LLONG, LEN_SIZE, LEN_MAX, LEN_PTRDIFF };

static uintmax_t fetch_unsigned(va_list *ap, enum length len)
{
    switch (len) {
    case LEN_CHAR:    return (unsigned char)va_arg(*ap, unsigned int);
    case LEN_SHORT:   return (unsigned short)va_arg(*ap, unsigned int);
    case LEN_LONG:    return va_arg(*ap, unsigned long);
    case LEN_LLONG:   return va_arg(*ap, unsigned long long);
    case LEN_SIZE:    return va_arg(*ap, size_t);
    case LEN_MAX:     return va_arg(*ap, uintmax_t);
    case LEN_PTRDIFF: return (uintmax_t)va_arg(*ap, ptrdiff_t);
    default:          return va_arg(*ap, unsigned int);
    }
}

static intmax_t fetch_signed(va_list *ap, enum length len)
{
    switch (len) {
    case LEN_CHAR:    return (signed char)va_arg(*ap, int);
    case LEN_SHORT:   return (short)va_arg(*ap, int);
    case LEN_LONG:    return va_arg(*ap, long);
    case LEN_LLONG:   return va_arg(*ap, long long);
    case LEN_SIZE:    return (intmax_t)va_arg(*ap, size_t);
    case LEN_MAX:     return va_arg(*ap, intmax_t);
    case LEN_PTRDIFF: return va_arg(*ap, ptrdiff_t);
    default:          return va_arg(*ap, int);
    }
}

int fmt_format(fmt_sink sink, void *ctx, const char *fmt, va_list ap_in)
{
    struct out o = { sink, ctx, 0 };
    va_list ap;
    va_copy(ap, ap_in);

    for (const char *p = fmt; *p; p++) {
        if (*p != '%') {
            put(&o, *p);
            continue;
        }
        struct spec s = { .prec = -1 };
        for (;;) {
            char f = *++p;
            if (f == '-') s.left = true;
            else if (f == '0') s.zero = true;
            else if (f == '+') s.plus = true;
            else if (f == ' ') s.space = true;
            else if (f == '#') s.alt = true;
            else break;
        }
        if (*p == '*') {
            s.width = va_arg(ap, int);
            if (s.width < 0) {
                s.left = true;
                s.width = -s.width;
            }
            p++;
        } else {
            while (*p >= '0' && *p <= '9')
                s.width = s.width * 10 + (*p++ - '0');
        }
        if (*p == '.') {
            p++;
            s.prec = 0;
            if (*p == '*') {
                s.prec = va_arg(ap, int);
                if (s.prec < 0)
                    s.prec = -1;
                p++;
            } else {
                while (*p >= '0' && *p <= '9')
                    s.prec = s.prec * 10 + (*p++ - '0');
            }
        }
        enum length len = LEN_INT;
        switch (*p) {
        case 'h':
            len = LEN_SHORT;
            if (p[1] == 'h') { len = LEN_CHAR; p++; }
            p++;
            break;
        case 'l':
            len = LEN_LONG;
            if (p[1] == 'l') { len = LEN_LLONG; p++; }
            p++;
            break;
        case 'z': len = LEN_SIZE; p++; break;
        case 'j': len = LEN_MAX; p++; break;
        case 't': len = LEN_PTRDIFF; p++; break;
        default: break;
        }

        switch (*p) {
        case 'd':
        case 'i': {
            intmax_t v = fetch_signed(&ap, len);
            uintmax_t mag = v < 0 ? (uintmax_t)0 - (uintmax_t)v : (uintmax_t)v;
            format_unsigned(&o, &s, mag, 10, false, v < 0);
            break;
        }
        case 'u':
            s.plus = s.space = false;
            format_unsigned(&o, &s, fetch_unsigned(&ap, len), 10, false, false);
            break;
        case 'x':
        case 'X':
            s.plus = s.space = false;
            format_unsigned(&o, &s, fetch_unsigned(&ap, len), 16, *p == 'X', false);
            break;
        case 'o':
            s.plus = s.space = false;
            format_unsigned(&o, &s, fetch_unsigned(&ap, len), 8, false, false);
            break;
        case 'p':
            s.alt = true;
            s.plus = s.space = false;
            format_unsigned(&o, &s, (uintptr_t)va_arg(ap, void *), 16, false, false);
            break;
        case 'c': {
            char c = (char)va_arg(ap, int);
            int fill = s.width > 1 ? s.width - 1 : 0;
            if (!s.left)
                pad(&o, ' ', fill);
            put(&o, c);
            if (s.left)
                pad(&o, ' ', fill);
            break;
        }
        case 's':
            format_string(&o, &s, va_arg(ap, const char *));
            break;
        case '%':
            put(&o, '%');
            break;
        case '\0':
            p--;    /* lone '%' at the end: stop */
            break;
        default:    /* unknown conversion: show it verbatim */
            put(&o, '%');
            put(&o, *p);
            break;
        }
    }
    va_end(ap);
    return o.count;
}

struct bufctx {
    char *buf;
    size_t size;
    size_t pos;
};

static void buf_sink(void *ctx, char c)
{
    struct bufctx *b = ctx;
    if (b->pos + 1 < b->size)
        b->buf[b->pos] = c;
    b->pos++;
}

int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
    struct bufctx b = { buf, size, 0 };
    int n = fmt_format(buf_sink, &b, fmt, ap);
    if (size > 0)
        buf[b.pos < size ? b.pos : size - 1] = '\0';
    return n;
}

int fmt_snprintf(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = fmt_vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}
