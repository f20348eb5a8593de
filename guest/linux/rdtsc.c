/*
 * rdtsc.c - print the time-stamp counter in decimal: the clock of the Linux
 * boot benchmark (in Bochs with `clock: sync=none` and one CPU the TSC
 * counts retired instructions, DESIGN.md). The initramfs has no C library,
 * so this is freestanding: two system calls (x86-64 Linux ABI: write = 1,
 * exit = 60; arguments in rdi, rsi, rdx; rcx and r11 clobbered).
 */
#include <stdint.h>

static long syscall3(long nr, long a, long b, long c)
{
    long r;
    __asm__ volatile("syscall" : "=a"(r) : "a"(nr), "D"(a), "S"(b), "d"(c) : "rcx", "r11", "memory");
    return r;
}

void _start(void);
void _start(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    uint64_t t = ((uint64_t)hi << 32) | lo;
    char buf[24];
    int i = sizeof(buf) - 1;
    buf[i] = '\n';
    do {
        buf[--i] = (char)('0' + t % 10);
        t /= 10;
    } while (t);
    syscall3(1, 1, (long)(buf + i), (long)(sizeof(buf) - i));
    syscall3(60, 0, 0, 0);
    for (;;)
        ;
}
