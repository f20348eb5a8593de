// covers: kernel/cpuid_policy.c kernel/fmt.c
/*
 * fuzz_cpuid.c - the CPUID override list parser (kernel/cpuid_policy.c) on
 * arbitrary text, then the policy it built applied and formatted.
 *
 * Checks: the return value counts exactly the problems reported (each a
 * terminated string); the table holds at most CPUID_MAX_OVERRIDES entries,
 * each with a valid register, no bit both set and cleared, subleaf 0 when
 * it applies to any subleaf; applying an override's own leaf/subleaf to an
 * all-zeros and an all-ones native answer shows its set bits as 1 and its
 * cleared bits as 0 (unless a later entry of the same leaf and register
 * touches them); whenever cpuid_policy_masks offers masks (for guest and
 * host CR4s with and without OSXSAVE/PKE), they give cpuid_policy_apply's
 * answer for subleaves 0, 1 and 7 and three native values; cpuid_override_format's
 * line is terminated in a small buffer and fits whole in a large one.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../kernel/cpuid_policy.h"

static void count_report(void *ctx, const char *msg)
{
    if (strlen(msg) >= 160)     /* formatted into 160 bytes */
        __builtin_trap();
    ++*(int *)ctx;
}

static bool same_result(struct cpuid_result a, struct cpuid_result b)
{
    return a.eax == b.eax && a.ebx == b.ebx && a.ecx == b.ecx && a.edx == b.edx;
}

static struct cpuid_result masked(const struct cpuid_masks *m, struct cpuid_result n)
{
    return (struct cpuid_result){ (n.eax & m->and_mask[0]) | m->or_mask[0],
                                  (n.ebx & m->and_mask[1]) | m->or_mask[1],
                                  (n.ecx & m->and_mask[2]) | m->or_mask[2],
                                  (n.edx & m->and_mask[3]) | m->or_mask[3] };
}

/* Masks, when offered, agree with the policy for every subleaf tried. */
static void check_masks(const struct cpuid_policy *p, uint32_t leaf, uint64_t cr4, uint64_t host_cr4)
{
    static const uint32_t subleaves[] = { 0, 1, 7 };
    const struct cpuid_result natives[] = { { 0, 0, 0, 0 }, { ~0u, ~0u, ~0u, ~0u },
                                            { 0x5A5A5A5A, 0xA5A5A5A5, 0x0F0F0F0F, 0xF0F0F0F0 } };
    struct cpuid_masks m;
    /* Natives as a CPU under host_cr4 gives them: subleaf 0 of leaf 7
     * reports the host's CR4.PKE. */
    if (!cpuid_policy_masks(p, leaf, cr4, host_cr4, &m))
        return;
    for (unsigned s = 0; s < sizeof(subleaves) / sizeof(subleaves[0]); s++)
        for (unsigned n = 0; n < sizeof(natives) / sizeof(natives[0]); n++) {
            struct cpuid_result native = natives[n];
            if (leaf == 7 && subleaves[s] == 0)
                native.ecx = (native.ecx & ~CPUID_7_ECX_OSPKE_BIT) |
                             (host_cr4 & CR4_PKE ? CPUID_7_ECX_OSPKE_BIT : 0);
            if (!same_result(masked(&m, native), cpuid_policy_apply(p, leaf, subleaves[s], cr4, native)))
                __builtin_trap();
        }
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
        static const uint64_t cr4s[] = { 0, CR4_OSXSAVE, CR4_PKE, CR4_OSXSAVE | CR4_PKE };
        for (unsigned c = 0; c < sizeof(cr4s) / sizeof(cr4s[0]); c++)
            for (unsigned h = 0; h < sizeof(cr4s) / sizeof(cr4s[0]); h++)
                check_masks(&p, leaves[i], cr4s[c], cr4s[h]);
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
