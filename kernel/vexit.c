/*
 * vexit.c - names of the vendor-neutral exit reasons; see vexit.h.
 */
#include "vexit.h"

#include "kstring.h"

static const char *const names[VEXIT_MAX] = {
    [VEXIT_EXCEPTION] = "exception",
    [VEXIT_NMI] = "nmi",
    [VEXIT_INTERRUPT] = "interrupt",
    [VEXIT_INTERRUPT_WINDOW] = "interrupt_window",
    [VEXIT_NMI_WINDOW] = "nmi_window",
    [VEXIT_TRIPLE_FAULT] = "triple_fault",
    [VEXIT_INIT] = "init",
    [VEXIT_SIPI] = "sipi",
    [VEXIT_CPUID] = "cpuid",
    [VEXIT_HLT] = "hlt",
    [VEXIT_INVD] = "invd",
    [VEXIT_INVLPG] = "invlpg",
    [VEXIT_RDTSC] = "rdtsc",
    [VEXIT_HYPERCALL] = "hypercall",
    [VEXIT_VIRT_INSN] = "virt_insn",
    [VEXIT_CR_ACCESS] = "cr_access",
    [VEXIT_DR_ACCESS] = "dr_access",
    [VEXIT_IO] = "io",
    [VEXIT_RDMSR] = "rdmsr",
    [VEXIT_WRMSR] = "wrmsr",
    [VEXIT_MONITOR] = "monitor",
    [VEXIT_MWAIT] = "mwait",
    [VEXIT_PAUSE] = "pause",
    [VEXIT_NPF] = "npf",
    [VEXIT_NPF_MISCONFIG] = "npf_misconfig",
    [VEXIT_TIMER] = "timer",
    [VEXIT_XSETBV] = "xsetbv",
    [VEXIT_STEP] = "step",
    [VEXIT_OTHER] = "other",
};

const char *vexit_name(unsigned reason)
{
    return reason < VEXIT_MAX && names[reason] ? names[reason] : "unknown";
}

bool vexit_by_hypervisor(unsigned reason)
{
    return reason == VEXIT_TIMER || reason == VEXIT_INTERRUPT || reason == VEXIT_STEP;
}

uint64_t vexit_rate_x10(uint64_t count, uint64_t ms)
{
    if (!ms)
        return 0;
    /* count * 10000 / ms without overflow for any count below 2^50
     * (centuries of exits at a million a second). */
    return count < (1ull << 50) ? count * 10000 / ms : count / ms * 10000;
}

int vexit_by_name(const char *name)
{
    for (int r = 0; r < VEXIT_MAX; r++)
        if (names[r] && !strcmp(names[r], name))
            return r;
    return -1;
}
