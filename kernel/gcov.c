/*
 * gcov.c - coverage of the running hypervisor.
 *
 * The coverage build (make coverage: HV_GCOV, the C files compiled with
 * --coverage -fprofile-info-section -fprofile-update=atomic) gets, from
 * GCC, a section .gcov_info of pointers to each object's counters instead
 * of constructors (there is no C runtime here), and from libgcov
 * __gcov_info_to_gcda, which turns one object's counters into the bytes of
 * its .gcda file through callbacks. Those bytes leave through Bochs's port
 * 0xE9 (port_e9_hack: written to Bochs's standard output at once, not
 * paced like the UART) as text lines:
 *
 *     gcov.file NAME          the .gcda path the compiler chose
 *     gcov.data HEX           up to 64 bytes of it
 *     gcov.end
 *
 * which tests/boot/gcov_collect.py writes back as .gcda files for lcov.
 */
#include "gcov.h"

#ifdef HV_GCOV

#include <stddef.h>
#include <stdint.h>

#include "console.h"
#include "power.h"
#include "printk.h"
#include "x86.h"

#define E9_PORT 0xE9

struct gcov_info;
extern const struct gcov_info *const __gcov_info_start[], *const __gcov_info_end[];

/* libgcov (GCC 12, gcov.h). */
void __gcov_info_to_gcda(const struct gcov_info *info, void (*filename)(const char *, void *),
                         void (*dump)(const void *, unsigned, void *),
                         void *(*allocate)(unsigned, void *), void *arg);

/* What instrumented code and __gcov_info_to_gcda refer to but never call
 * here: merging with an earlier .gcda (the host merges), and the paths of
 * libgcov that need an operating system. */
void __gcov_merge_add(int64_t *counters, unsigned n);
void abort(void);
void *mmap(void *addr, size_t len, int prot, int flags, int fd, long off);

void __gcov_merge_add(int64_t *counters, unsigned n)
{
    (void)counters;
    (void)n;
}

void abort(void)
{
    panic("gcov: libgcov aborted");
}

void *mmap(void *addr, size_t len, int prot, int flags, int fd, long off)
{
    (void)addr, (void)len, (void)prot, (void)flags, (void)fd, (void)off;
    return (void *)-1;
}

static void e9_puts(const char *s)
{
    while (*s)
        outb(E9_PORT, (uint8_t)*s++);
}

static uint8_t line[64];
static unsigned line_len;

static void flush_line(void)
{
    static const char hex[] = "0123456789abcdef";
    if (!line_len)
        return;
    e9_puts("gcov.data ");
    for (unsigned i = 0; i < line_len; i++) {
        outb(E9_PORT, (uint8_t)hex[line[i] >> 4]);
        outb(E9_PORT, (uint8_t)hex[line[i] & 15]);
    }
    outb(E9_PORT, '\n');
    line_len = 0;
}

static void on_filename(const char *name, void *arg)
{
    (void)arg;
    e9_puts("gcov.file ");
    e9_puts(name);
    outb(E9_PORT, '\n');
}

static void on_data(const void *data, unsigned n, void *arg)
{
    (void)arg;
    const uint8_t *p = data;
    for (unsigned i = 0; i < n; i++) {
        line[line_len++] = p[i];
        if (line_len == sizeof(line))
            flush_line();
    }
}

/* Only for value-profiling counters, which --coverage does not make. */
static void *on_allocate(unsigned n, void *arg)
{
    static uint8_t arena[64 << 10] __attribute__((aligned(16)));
    static size_t used;
    (void)arg;
    n = (n + 15) & ~15u;
    if (used + n > sizeof(arena))
        return 0;
    used += n;
    return arena + used - n;
}

static void gcov_dump(void)
{
    unsigned files = 0;
    for (const struct gcov_info *const *i = __gcov_info_start; i < __gcov_info_end; i++) {
        __gcov_info_to_gcda(*i, on_filename, on_data, on_allocate, 0);
        flush_line();
        files++;
    }
    e9_puts("gcov.end\n");
    kprintf("gcov.dumped files=%u\n", files);
}

static void cmd_gcov(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    gcov_dump();
}
CONSOLE_COMMAND(gcov, "gcov", "gcov", "coverage build: dump the counters on port 0xE9", cmd_gcov);

void gcov_init(void)
{
    power_on_off(gcov_dump);
}

#else

void gcov_init(void)
{
}

#endif
