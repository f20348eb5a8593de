/*
 * kstring.h - the few <string.h> functions the hypervisor uses. Same
 * prototypes as the C library, so pure files that include this compile
 * unchanged against libc in the host unit tests; kernel/kstring.c provides
 * them in the freestanding build (GCC also emits calls to memcpy/memset).
 */
#ifndef KSTRING_H
#define KSTRING_H

#include <stddef.h>
#include <stdint.h>

void *memcpy(void *restrict dst, const void *restrict src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);

/* get_le16/32/64 - a little-endian field at p, which may be unaligned
 * (image headers: Multiboot, bzImage). */
static inline uint16_t get_le16(const uint8_t *p)
{
    uint16_t v;
    memcpy(&v, p, 2);
    return v;
}

static inline uint32_t get_le32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

static inline uint64_t get_le64(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

#endif
