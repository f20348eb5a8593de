// covers: vmx/cpuid_policy.c kernel/fmt.c
/*
 * fuzz_cpuid.c - the CPUID override list parser (vmx/cpuid_policy.c) on
 * arbitrary text, then the policy it built applied and formatted.
 *
 * Checks: the return value counts exactly the problems reported (each a
 * terminated string); the table holds at most CPUID_MAX_OVERRIDES entries,
 * each with a valid register, no bit both set and cleared, subleaf 0 when
 * it applies to any subleaf; applying an override's own leaf/subleaf to an
 * all-zeros and an all-ones native answer shows its set bits as 1 and its
 * cleared bits as 0 (unless a later entry of the same leaf and register
 * touches them); cpuid_override_format's line is terminated in a small
 * buffer and fits whole in a large one.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../vmx/cpuid_policy.h"

static void count_report(void *ctx, const char *msg)
{
    if (strlen(msg) >= 160)     /* formatted into 160 bytes */
        __builtin_trap();
    ++*(int *)ctx;
}

static uint32_t reg_of(struct cpuid_result r, enum cpuid_reg reg)
{
    switch (reg) {
    case CPUID_EAX: return r.eax;
    case CPUID_EBX: return r.ebx;
    case CPUID_ECX: return r.ecx;
    default:        return r.edx;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct cpuid_policy p;
    static const uint32_t leaves[] = { 0, 1, 7, 0xD, CPUID_HV_BASE, CPUID_HV_FEATURES,
                                       CPUID_EXT_BASE, 0x80000001u, 0x80000008u };
    const struct cpuid_result zeros = { 0, 0, 0, 0 }, ones = { ~0u, ~0u, ~0u, ~0u };
    char line[128], tiny[8];

    char *list = malloc(size + 1);
    memcpy(list, data, size);
    list[size] = '\0';

    cpuid_policy_init(&p);
    int reports = 0;
    if (cpuid_policy_parse(&p, list, count_report, &reports) != reports)
        __builtin_trap();
    if (p.n > CPUID_MAX_OVERRIDES)
        __builtin_trap();

    for (unsigned i = 0; i < sizeof(leaves) / sizeof(leaves[0]); i++) {
        cpuid_policy_note(&p, leaves[i]);
        cpuid_policy_apply(&p, leaves[i], 0, 0, zeros);
        cpuid_policy_apply(&p, leaves[i], 1, 0, ones);
    }
    for (unsigned i = 0; i < p.n; i++) {
        const struct cpuid_override *o = &p.ov[i];
        if ((unsigned)o->reg > CPUID_EDX || (o->set & o->clear) || (o->any_subleaf && o->subleaf))
            __builtin_trap();
        /* Entries after o for the same leaf and register may override it. */
        uint32_t later = 0;
        for (unsigned j = i + 1; j < p.n; j++)
            if (p.ov[j].leaf == o->leaf && p.ov[j].reg == o->reg)
                later |= p.ov[j].set | p.ov[j].clear;
        uint32_t lo = reg_of(cpuid_policy_apply(&p, o->leaf, o->subleaf, 0, zeros), o->reg);
        uint32_t hi = reg_of(cpuid_policy_apply(&p, o->leaf, o->subleaf, 0, ones), o->reg);
        if ((~lo & o->set & ~later) || (hi & o->clear & ~later))
            __builtin_trap();
        cpuid_policy_note(&p, o->leaf);
        cpuid_override_format(o, line, sizeof(line));
        cpuid_override_format(o, tiny, sizeof(tiny));
        if (strnlen(line, sizeof(line)) >= sizeof(line) - 1 || !memchr(tiny, 0, sizeof(tiny)))
            __builtin_trap();
    }
    free(list);
    return 0;
}
