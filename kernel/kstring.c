/*
 * kstring.c - freestanding memcpy and friends (see kstring.h).
 */
#include "kstring.h"

#include <stdint.h>

/* A word (8 bytes; 4 in the 32-bit guests' SDK) a step, then the rest:
 * an emulator counts every step of a REP string instruction, and boot
 * copies and clears whole pages. */
#ifdef __x86_64__
#define REP_WORD "q"
#else
#define REP_WORD "l"
#endif

void *memcpy(void *restrict dst, const void *restrict src, size_t n)
{
    void *ret = dst;
    size_t q = n / sizeof(long), r = n % sizeof(long);
    __asm__ volatile("rep movs" REP_WORD : "+D"(dst), "+S"(src), "+c"(q) : : "memory");
    __asm__ volatile("rep movsb" : "+D"(dst), "+S"(src), "+c"(r) : : "memory");
    return ret;
}

void *memmove(void *dst, const void *src, size_t n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;
    if (d < s || d >= s + n) {
        while (n--)
            *d++ = *s++;
    } else {
        while (n--)
            d[n] = s[n];
    }
    return dst;
}

void *memset(void *dst, int c, size_t n)
{
    void *ret = dst;
    size_t q = n / sizeof(long), r = n % sizeof(long);
    unsigned long v = (unsigned long)-1 / 255 * (uint8_t)c;     /* c in every byte */
    __asm__ volatile("rep stos" REP_WORD : "+D"(dst), "+c"(q) : "a"(v) : "memory");
    __asm__ volatile("rep stosb" : "+D"(dst), "+c"(r) : "a"(v) : "memory");
    return ret;
}

int memcmp(const void *a, const void *b, size_t n)
{
    const unsigned char *x = a, *y = b;
    for (size_t i = 0; i < n; i++)
        if (x[i] != y[i])
            return x[i] < y[i] ? -1 : 1;
    return 0;
}

size_t strlen(const char *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    return n;
}

int strcmp(const char *a, const char *b)
{
    while (*a && *a == *b) {
        a++;
        b++;
    }
    return (unsigned char)*a - (unsigned char)*b;
}

int strncmp(const char *a, const char *b, size_t n)
{
    for (; n; n--, a++, b++) {
        if (*a != *b || !*a)
            return (unsigned char)*a - (unsigned char)*b;
    }
    return 0;
}
