/*
 * traps.c - instructions that exit only when the console's `trap` asks:
 * RDTSC, PAUSE, INVLPG, MOV DR, MOV CR3, a port, INT3. Each runs `rounds`
 * times (default 100) and its result is checked, so an emulated exit must
 * behave like the instruction.
 */
#include "../sdk/sdk.h"

static void do_int3(void *a)
{
    (void)a;
    __asm__ volatile("int3");
}

int main(void)
{
    uint32_t rounds = sdk_arg("rounds", 100);
    uint64_t last = 0;
    bool monotonic = true, dr_ok = true, cr3_ok = true;
    int bp = 0;
    for (uint32_t i = 0; i < rounds; i++) {
        uint64_t t = sdk_rdtsc();
        monotonic &= t > last;
        last = t;
        __asm__ volatile("pause");
        __asm__ volatile("invlpg (%0)" : : "r"(0x200000u) : "memory");
        uint32_t dr = 0x1000u + i, back;
        __asm__ volatile("mov %0, %%dr0; mov %%dr0, %1" : : "r"(dr), "r"(0) : "memory");
        __asm__ volatile("mov %%dr0, %0" : "=r"(back));
        dr_ok &= back == dr;
        uint32_t cr3 = 0x5000u + (i & 7) * 0x1000u, cr3b;
        __asm__ volatile("mov %0, %%cr3" : : "r"(cr3) : "memory");
        __asm__ volatile("mov %%cr3, %0" : "=r"(cr3b));
        cr3_ok &= cr3b == cr3;
        outb(0x80, (uint8_t)i);
        bp += sdk_catch(do_int3, 0) == 3;
    }
    sdk_checkf(monotonic, "rdtsc increases over %u rounds", rounds);
    sdk_check(dr_ok, "dr0 written and read back");
    sdk_check(cr3_ok, "cr3 written and read back");
    sdk_checkf(bp == (int)rounds, "int3 delivered as #BP every round (%d)", bp);
    sdk_finish();
}
