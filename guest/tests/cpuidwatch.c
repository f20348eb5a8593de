/*
 * cpuidwatch.c - prints CPUID.1:ECX, then keeps asking until the answer
 * changes (the console's `cpuid -FEATURE` applies to the running guest),
 * checks that exactly the SSE4.2 bit (20) went away, and exits.
 */
#include "../sdk/sdk.h"

#define SSE4_2 (1u << 20)
#define X2APIC (1u << 21)

int main(void)
{
    uint32_t first = sdk_cpuid(1, 0).ecx;
    sdk_printf("cpuidwatch: leaf1.ecx=%#x sse4_2=%u x2apic=%u\n", first, !!(first & SSE4_2),
               !!(first & X2APIC));
    for (uint32_t i = 0; i < 200000000u; i++) {
        uint32_t now = sdk_cpuid(1, 0).ecx;
        if (now == first)
            continue;
        sdk_printf("cpuidwatch: changed leaf1.ecx=%#x after %u reads\n", now, i);
        sdk_check((first & SSE4_2) && !(now & SSE4_2), "sse4_2 cleared by the console");
        sdk_check((first & ~SSE4_2) == now, "no other bit changed");
        sdk_finish();
    }
    sdk_check(false, "CPUID.1:ECX changed");
    sdk_finish();
}
