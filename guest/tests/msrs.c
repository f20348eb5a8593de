/*
 * msrs.c - RDMSR/WRMSR on three MSRs whose policy the console sets before
 * the guest starts (run="msr 0x174 deny; msr 0x175 fixed 0x1234;
 * msr 0x176 log"): denied raises #GP, fixed reads the value and drops
 * writes, logged passes through.
 */
#include "../sdk/sdk.h"

#define VEC_GP SDK_VEC_GP
#define rd sdk_rdmsr
#define wr sdk_wrmsr

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
