/*
 * halt.c - says so, then halts with interrupts off, as an idle real-time
 * guest does. With hlt=exit monovisor sees the HLT and parks the vCPU in
 * the HLT activity state; by default HLT never exits.
 */
#include "../sdk/sdk.h"

int main(void)
{
    sdk_puts("halt: halting\n");
    for (;;)
        __asm__ volatile("cli; hlt");
}
