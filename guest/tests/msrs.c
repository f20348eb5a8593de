/*
 * msrs.c - RDMSR/WRMSR on three MSRs whose policy the console sets before
 * the guest starts (run="msr 0x174 deny; msr 0x175 fixed 0x1234;
 * msr 0x176 log"): denied raises #GP, fixed reads the value and drops
 * writes, logged passes through.
 */
#include "../sdk/sdk.h"

#define VEC_GP 13

static uint32_t idx, lo, hi;
static void do_rd(void *a) { (void)a; __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(idx)); }
static void do_wr(void *a) { (void)a; __asm__ volatile("wrmsr" : : "a"(lo), "d"(hi), "c"(idx)); }

static int rd(uint32_t msr, uint64_t *v)
{
    idx = msr;
    int r = sdk_catch(do_rd, 0);
    *v = ((uint64_t)hi << 32) | lo;
    return r;
}

static int wr(uint32_t msr, uint64_t v)
{
    idx = msr;
    lo = (uint32_t)v;
    hi = (uint32_t)(v >> 32);
    return sdk_catch(do_wr, 0);
}

int main(void)
{
    uint64_t v;
    sdk_check(rd(0x174, &v) == VEC_GP, "denied rdmsr 0x174 raises #GP");
    sdk_check(wr(0x174, 8) == VEC_GP, "denied wrmsr 0x174 raises #GP");
    int r = rd(0x175, &v);
    sdk_checkf(r == -1 && v == 0x1234, "fixed rdmsr 0x175 reads 0x1234 (%#llx)", (unsigned long long)v);
    sdk_check(wr(0x175, 0x99) == -1 && rd(0x175, &v) == -1 && v == 0x1234,
              "fixed wrmsr 0x175 is dropped");
    sdk_check(wr(0x176, 0xABC000) == -1 && rd(0x176, &v) == -1 && v == 0xABC000,
              "logged 0x176 passes through");
    sdk_finish();
}
