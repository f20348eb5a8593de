/*
 * triple.c - an attack on the hypervisor's composure: says hello, then
 * triple-faults (an IDT of limit 0 turns #UD into #DF into shutdown).
 * monovisor must report it, stop the guest and keep its console.
 */
#include "../sdk/sdk.h"

int main(void)
{
    sdk_puts("triple: about to triple fault\n");
    sdk_load_idt(0);
    __asm__ volatile("ud2");
    sdk_puts("triple: still alive?\n");
    return 1;
}
