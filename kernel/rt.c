/*
 * rt.c - `rt`: what a real-time user asks of each guest core. How many
 * exits per second it takes, of which reasons, and which of them the
 * hypervisor caused (the console's poll timer, kicks, host interrupts,
 * `step`) rather than the guest's own instructions. A core that must run
 * undisturbed shows by_hypervisor=0: the console on another core (cpus=),
 * nothing asked of it.
 *
 * It also says how many IPIs the core sent: each is an exit the guest
 * asked for (an ICR write), not one of its timer or interrupts.
 *
 * The window is the time since the guest started or `rt reset`, by the
 * TSC (wall time: a paused guest's seconds count too). The counters are
 * the vCPU's own (stats), read here without stopping it: a line may miss
 * an exit happening as it is printed.
 */
#include "vcpu.h"

#include "console.h"
#include "kstring.h"
#include "printk.h"
#include "vexit.h"
#include "x86.h"
#include "../drivers/tsc.h"

void rt_window_start(struct vcpu *v)
{
    v->rt_tsc0 = rdtsc();
    v->rt_exits0 = v->exits;
    v->rt_kicks0 = v->kicks;
    v->rt_ipis0 = v->apic.icr_writes;
    memcpy(v->rt_count0, v->exit_count, sizeof(v->rt_count0));
}

/* "12.3": a rate times ten, with its decimal. */
static void print_rate(const char *key, uint64_t x10)
{
    kprintf(" %s=%llu.%llu", key, (unsigned long long)(x10 / 10), (unsigned long long)(x10 % 10));
}

static void print_core(struct vcpu *v)
{
    uint64_t khz = tsc_khz() ? tsc_khz() : 1000000;
    uint64_t ms = (rdtsc() - v->rt_tsc0) / khz;
    uint64_t exits = v->exits - v->rt_exits0, kicks = v->kicks - v->rt_kicks0;
    uint64_t by_hv = kicks;
    for (unsigned r = 0; r < VEXIT_MAX; r++)
        if (vexit_by_hypervisor(r))
            by_hv += v->exit_count[r] - v->rt_count0[r];
    if (by_hv > exits)
        by_hv = exits;          /* (a count read mid-exit) */
    print_begin();
    kprintf("rt cpu=%u console=%d seconds=%llu.%03llu exits=%llu", v->id, v->console,
            (unsigned long long)(ms / 1000), (unsigned long long)(ms % 1000),
            (unsigned long long)exits);
    print_rate("per_second", vexit_rate_x10(exits, ms));
    kprintf(" by_hypervisor=%llu by_guest=%llu\n", (unsigned long long)by_hv,
            (unsigned long long)(exits - by_hv));
    print_end();
    for (unsigned r = 0; r < VEXIT_MAX; r++) {
        uint64_t n = v->exit_count[r] - v->rt_count0[r];
        if (!n)
            continue;
        /* An NMI exit is a kick (the hypervisor's) or the guest's NMI. */
        uint64_t hv = r == VEXIT_NMI ? (kicks < n ? kicks : n) : vexit_by_hypervisor(r) ? n : 0;
        print_begin();
        kprintf("rt cpu=%u reason=%s count=%llu", v->id, vexit_name(r), (unsigned long long)n);
        print_rate("per_second", vexit_rate_x10(n, ms));
        kprintf(" by_hypervisor=%llu by_guest=%llu\n", (unsigned long long)hv,
                (unsigned long long)(n - hv));
        print_end();
    }
    /* The IPIs it sent: an ICR write exits (INIT and SIPI are emulated,
     * kernel/vapic.h), counted among the reasons above (wrmsr in x2APIC
     * mode, the APIC page's fault in xAPIC mode). */
    uint64_t ipis = v->apic.icr_writes - v->rt_ipis0;
    if (ipis) {
        print_begin();
        kprintf("rt cpu=%u ipis_sent=%llu", v->id, (unsigned long long)ipis);
        print_rate("per_second", vexit_rate_x10(ipis, ms));
        kprintf("\n");
        print_end();
    }
}

static void cmd_rt(int argc, char **argv)
{
    if (!vcpu_boot()) {
        kprintf("error: rt: the guest has not started\n");
        return;
    }
    if (argc == 2 && !strcmp(argv[1], "reset")) {
        for (unsigned i = 0; i < MAX_CPUS; i++)
            if (vcpus[i])
                rt_window_start(vcpus[i]);
        kprintf("rt: the window starts now\n");
        return;
    }
    if (argc != 1) {
        kprintf("error: usage: rt [reset]\n");
        return;
    }
    for (unsigned i = 0; i < MAX_CPUS; i++)
        if (vcpus[i])
            print_core(vcpus[i]);
    if (console_cpu && !vcpus[console_cpu->index])
        kprintf("rt console_cpu=%u guest=0 (the console has a core of its own)\n", console_cpu->index);
}
CONSOLE_COMMAND(rt, "rt", "rt [reset]",
                "per guest core: exits per second since the guest started (or rt reset), by reason, "
                "and how many the hypervisor caused",
                cmd_rt);
