/*
 * tick.c - `tick N CPU`: a periodic 1 kHz timer loop on one core, the
 * real-time case of issue 19. Pins itself to CPU (sched_setaffinity), then
 * sleeps N times until the next whole millisecond on CLOCK_MONOTONIC
 * (clock_nanosleep with TIMER_ABSTIME, as cyclictest does): each wake-up is
 * one hrtimer interrupt of that core's local APIC timer. Prints
 * `tick n=N cpu=CPU elapsed_us=U late_max_us=L` (L: the worst lateness of a
 * wake-up). Freestanding like rdtsc.c (the initramfs has no C library):
 * x86-64 Linux system calls, arguments in rdi, rsi, rdx, r10.
 */
#include <stdint.h>

#define SYS_WRITE             1
#define SYS_SCHED_SETAFFINITY 203
#define SYS_CLOCK_GETTIME     228
#define SYS_CLOCK_NANOSLEEP   230
#define SYS_EXIT              60
#define CLOCK_MONOTONIC       1
#define TIMER_ABSTIME         1

struct timespec64 {
    int64_t sec, nsec;
};

static long sys4(long nr, long a, long b, long c, long d)
{
    long r;
    register long r10 __asm__("r10") = d;
    __asm__ volatile("syscall"
                     : "=a"(r)
                     : "a"(nr), "D"(a), "S"(b), "d"(c), "r"(r10)
                     : "rcx", "r11", "memory");
    return r;
}

static int64_t now_ns(void)
{
    struct timespec64 t;
    sys4(SYS_CLOCK_GETTIME, CLOCK_MONOTONIC, (long)&t, 0, 0);
    return t.sec * 1000000000 + t.nsec;
}

static uint64_t parse(const char *s)
{
    uint64_t v = 0;
    while (s && *s >= '0' && *s <= '9')
        v = v * 10 + (uint64_t)(*s++ - '0');
    return v;
}

static char *put(char *p, const char *s)
{
    while (*s)
        *p++ = *s++;
    return p;
}

static char *put_u(char *p, uint64_t v)
{
    char tmp[24];
    int i = 0;
    do {
        tmp[i++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (i)
        *p++ = tmp[--i];
    return p;
}

static void finish(const char *msg, uint64_t n, uint64_t cpu, uint64_t us, uint64_t late)
{
    char buf[160], *p = put(buf, msg);
    if (n) {
        p = put(put_u(put(p, "n="), n), " cpu=");
        p = put(put_u(p, cpu), " elapsed_us=");
        p = put(put_u(p, us), " late_max_us=");
        p = put_u(p, late);
    }
    *p++ = '\n';
    sys4(SYS_WRITE, 1, (long)buf, p - buf, 0);
    sys4(SYS_EXIT, n ? 0 : 2, 0, 0, 0);
}

/* The kernel enters with RSP at argc, then the argv pointers. */
void tick_main(uint64_t *sp);
void tick_main(uint64_t *sp)
{
    const char **argv = (const char **)(sp + 1);
    uint64_t n = sp[0] > 1 ? parse(argv[1]) : 0, cpu = sp[0] > 2 ? parse(argv[2]) : 0;
    if (!n || cpu >= 64)
        finish("usage: tick N CPU (N >= 1, CPU < 64)", 0, 0, 0, 0);
    uint64_t mask = 1ull << cpu;
    if (sys4(SYS_SCHED_SETAFFINITY, 0, sizeof(mask), (long)&mask, 0) < 0)
        finish("tick: no such cpu", 0, 0, 0, 0);
    int64_t start = now_ns(), next = start - start % 1000000, late = 0;
    for (uint64_t i = 0; i < n; i++) {
        next += 1000000;
        struct timespec64 t = { next / 1000000000, next % 1000000000 };
        while (sys4(SYS_CLOCK_NANOSLEEP, CLOCK_MONOTONIC, TIMER_ABSTIME, (long)&t, 0) != 0)
            ;                                   /* EINTR: sleep on to the same instant */
        int64_t l = now_ns() - next;
        if (l > late)
            late = l;
    }
    finish("tick ", n, cpu, (uint64_t)(now_ns() - start) / 1000, (uint64_t)late / 1000);
}

__asm__(".globl _start\n"
        "_start:\n\t"
        "mov %rsp, %rdi\n\t"
        "and $-16, %rsp\n\t"
        "call tick_main\n\t"
        "ud2\n");
