/*
 * debuggee.c - the guest GDB debugs in the stub's boot tests
 * (tests/boot/test_gdb.py): built without optimization (GNUmakefile) so
 * that its lines, variables and frames are what its source says.
 *
 * It spins until GDB attaches and sets `attached` (natively under QEMU's
 * stub, the oracle, as under monovisor's), calls add() from work() a few
 * times (a breakpoint and a backtrace of three frames), stores to
 * `counter` (a watchpoint), then spins until `released` becomes nonzero,
 * which only GDB does (Ctrl-C, then a write to the variable), and ends
 * with a line the test waits for. Its waits PAUSE, as spin loops do: on
 * AMD the console's core (here the guest's only one) serves the console,
 * and with it the stub, on the guest's PAUSEs (svm/svm.c).
 */
#include "../sdk/sdk.h"

volatile int attached;
volatile int counter;
volatile int released;
volatile unsigned long spins;

/* Not static: GDB finds them by name, as it would in any program. */
int add(int a, int b);
void work(int rounds);

int add(int a, int b)
{
    int sum = a + b;
    return sum;
}

void work(int rounds)
{
    for (int i = 1; i <= rounds; i++)
        counter = add(counter, i);
}

int main(void)
{
    sdk_puts("debuggee: waiting for GDB\n");
    while (!attached) {
        spins++;
        __builtin_ia32_pause();
    }
    work(3);
    counter = 1000;
    sdk_printf("debuggee: counter=%d, spinning until released\n", counter);
    while (!released) {
        spins++;
        __builtin_ia32_pause();
    }
    sdk_printf("debuggee: released=%d counter=%d\n", released, counter);
    sdk_exit(0);
}
