/*
 * cpuid_count.c - executes exactly 1000 CPUID instructions and nothing else
 * that exits, then writes 0 to port 0xf4: `stats` must show
 * "reason=cpuid count=1000".
 */
#include "../sdk/sdk.h"

int main(void)
{
    for (int i = 0; i < 1000; i++) {
        uint32_t a = 0, b, c = 0, d;
        __asm__ volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
    }
    sdk_puts("cpuid_count: 1000 cpuid done\n");
    return 0;
}
