/*
 * cpuid_policy.c - the guest's CPUID view and its overrides; see
 * cpuid_policy.h.
 */
#include "cpuid_policy.h"

#include <stdarg.h>

#include "fmt.h"
#include "kstring.h"

/* Longest item quoted whole in a report; longer ones end in "...". */
#define ITEM_SHOWN_MAX 48

/* Leaf 40000000H: highest leaf and signature; 40000001H: ABI version. */
struct cpuid_result cpuid_hv_leaf(uint32_t leaf)
{
    struct cpuid_result hv = { 0, 0, 0, 0 };
    if (leaf == CPUID_HV_BASE) {
        hv.eax = CPUID_HV_MAX;
        memcpy(&hv.ebx, MONOVISOR_SIGNATURE, 4);
        memcpy(&hv.ecx, MONOVISOR_SIGNATURE + 4, 4);
        memcpy(&hv.edx, MONOVISOR_SIGNATURE + 8, 4);
    } else if (leaf == CPUID_HV_FEATURES) {
        hv.eax = MONOVISOR_ABI_VERSION;
    }
    return hv;
}

struct cpuid_result cpuid_kvm_leaf(void)
{
    struct cpuid_result r = { CPUID_KVM_FEATURES, 0, 0, 0 };
    memcpy(&r.ebx, KVM_SIGNATURE, 4);
    memcpy(&r.ecx, KVM_SIGNATURE + 4, 4);
    memcpy(&r.edx, KVM_SIGNATURE + 8, 4);
    return r;
}

/* ---- feature table ---------------------------------------------------------
 * SDM Vol. 2A, CPUID: Table 3-10 (leaf 1 ECX), Table 3-11 (leaf 1 EDX),
 * Table 3-8 "Information Returned by CPUID Instruction" (leaf 07H subleaf 0
 * EBX/ECX/EDX; leaf 80000001H ECX/EDX). Names follow Linux /proc/cpuinfo
 * where it has one.
 */
#define F1D(n, b)  { n, 0x1, 0, CPUID_EDX, b }
#define F1C(n, b)  { n, 0x1, 0, CPUID_ECX, b }
#define F7B(n, b)  { n, 0x7, 0, CPUID_EBX, b }
#define F7C(n, b)  { n, 0x7, 0, CPUID_ECX, b }
#define F7D(n, b)  { n, 0x7, 0, CPUID_EDX, b }
#define FXC(n, b)  { n, 0x80000001u, 0, CPUID_ECX, b }
#define FXD(n, b)  { n, 0x80000001u, 0, CPUID_EDX, b }

static const struct cpuid_feature features[] = {
    /* Leaf 1 EDX (Table 3-11). */
    F1D("fpu", 0), F1D("vme", 1), F1D("de", 2), F1D("pse", 3), F1D("tsc", 4), F1D("msr", 5),
    F1D("pae", 6), F1D("mce", 7), F1D("cx8", 8), F1D("apic", 9), F1D("sep", 11),
    F1D("mtrr", 12), F1D("pge", 13), F1D("mca", 14), F1D("cmov", 15), F1D("pat", 16),
    F1D("pse36", 17), F1D("psn", 18), F1D("clflush", 19), F1D("ds", 21), F1D("acpi", 22),
    F1D("mmx", 23), F1D("fxsr", 24), F1D("sse", 25), F1D("sse2", 26), F1D("ss", 27),
    F1D("htt", 28), F1D("tm", 29), F1D("pbe", 31),
    /* Leaf 1 ECX (Table 3-10); bit 31 is "not used", i.e. left to hypervisors. */
    F1C("sse3", 0), F1C("pclmulqdq", 1), F1C("dtes64", 2), F1C("monitor", 3), F1C("ds_cpl", 4),
    F1C("vmx", 5), F1C("smx", 6), F1C("est", 7), F1C("tm2", 8), F1C("ssse3", 9),
    F1C("cnxt_id", 10), F1C("sdbg", 11), F1C("fma", 12), F1C("cx16", 13), F1C("xtpr", 14),
    F1C("pdcm", 15), F1C("pcid", 17), F1C("dca", 18), F1C("sse4_1", 19), F1C("sse4_2", 20),
    F1C("x2apic", 21), F1C("movbe", 22), F1C("popcnt", 23), F1C("tsc_deadline", 24),
    F1C("aes", 25), F1C("xsave", 26), F1C("osxsave", 27), F1C("avx", 28), F1C("f16c", 29),
    F1C("rdrand", 30), F1C("hypervisor", 31),
    /* Leaf 07H subleaf 0 EBX (Table 3-8). */
    F7B("fsgsbase", 0), F7B("tsc_adjust", 1), F7B("sgx", 2), F7B("bmi1", 3), F7B("hle", 4),
    F7B("avx2", 5), F7B("smep", 7), F7B("bmi2", 8), F7B("erms", 9), F7B("invpcid", 10),
    F7B("rtm", 11), F7B("mpx", 14), F7B("avx512f", 16), F7B("avx512dq", 17),
    F7B("rdseed", 18), F7B("adx", 19), F7B("smap", 20), F7B("avx512ifma", 21),
    F7B("clflushopt", 23), F7B("clwb", 24), F7B("intel_pt", 25), F7B("avx512pf", 26),
    F7B("avx512er", 27), F7B("avx512cd", 28), F7B("sha", 29), F7B("avx512bw", 30),
    F7B("avx512vl", 31),
    /* Leaf 07H subleaf 0 ECX (Table 3-8). */
    F7C("avx512vbmi", 1), F7C("umip", 2), F7C("pku", 3), F7C("ospke", 4), F7C("waitpkg", 5),
    F7C("avx512_vbmi2", 6), F7C("cet_ss", 7), F7C("gfni", 8), F7C("vaes", 9),
    F7C("vpclmulqdq", 10), F7C("avx512_vnni", 11), F7C("avx512_bitalg", 12),
    F7C("avx512_vpopcntdq", 14), F7C("la57", 16), F7C("rdpid", 22), F7C("cldemote", 25),
    F7C("movdiri", 27), F7C("movdir64b", 28), F7C("pks", 31),
    /* Leaf 07H subleaf 0 EDX (Table 3-8). */
    F7D("avx512_4vnniw", 2), F7D("avx512_4fmaps", 3), F7D("fsrm", 4), F7D("md_clear", 10),
    F7D("serialize", 14), F7D("hybrid", 15), F7D("pconfig", 18), F7D("ibt", 20),
    F7D("amx_bf16", 22), F7D("avx512_fp16", 23), F7D("amx_tile", 24), F7D("amx_int8", 25),
    F7D("spec_ctrl", 26), F7D("stibp", 27), F7D("flush_l1d", 28),
    F7D("arch_capabilities", 29), F7D("ssbd", 31),
    /* Leaf 80000001H ECX and EDX (Table 3-8). */
    FXC("lahf_lm", 0), FXC("lzcnt", 5), FXC("prefetchw", 8),
    FXD("syscall", 11), FXD("nx", 20), FXD("pdpe1gb", 26), FXD("rdtscp", 27), FXD("lm", 29),
};

#define NFEATURES (sizeof(features) / sizeof(features[0]))

/* A feature of leaf 07H names subleaf 0; the other leaves of the table take
 * no subleaf (SDM Vol. 2A, CPUID: ECX is an input only for the leaves that
 * say so), so their features cover every subleaf the guest may pass. */
static bool feature_any_subleaf(const struct cpuid_feature *f)
{
    return f->leaf != 0x7;
}

/* ---- policy ------------------------------------------------------------------ */

/* No overrides, nothing asked. */
void cpuid_policy_init(struct cpuid_policy *p)
{
    memset(p, 0, sizeof(*p));
}

/* Every step of cpuid_policy_apply forces bits (to 1 or to 0) whatever
 * the input, so its answer for all-zero input holds the bits forced to 1
 * and its answer for all-ones input the bits not forced to 0. */
static void masks_at(const struct cpuid_policy *p, uint32_t leaf, uint32_t subleaf, uint64_t cr4,
                     struct cpuid_masks *m)
{
    struct cpuid_result zeros = cpuid_policy_apply(p, leaf, subleaf, cr4, (struct cpuid_result){ 0, 0, 0, 0 });
    struct cpuid_result ones = cpuid_policy_apply(p, leaf, subleaf, cr4, (struct cpuid_result){ ~0u, ~0u, ~0u, ~0u });
    *m = (struct cpuid_masks){ { ones.eax, ones.ebx, ones.ecx, ones.edx },
                               { zeros.eax, zeros.ebx, zeros.ecx, zeros.edx } };
}

/* The fixed view tells subleaf 0 apart from the others only (leaf 7's
 * OSPKE), and exact-subleaf overrides are refused first: subleaves 0 and 1
 * giving the same masks means every subleaf does. Leaf 7's differ by the
 * forced OSPKE bit; when the host's CR4.PKE is the guest's, the native
 * subleaf 0 reports the guest's OSPKE already (SDM Vol. 2A, CPUID, Table
 * 3-8) and subleaf 1's masks, which leave the bit alone, serve all. */
bool cpuid_policy_masks(const struct cpuid_policy *p, uint32_t leaf, uint64_t guest_cr4,
                        uint64_t host_cr4, struct cpuid_masks *m)
{
    for (unsigned i = 0; i < p->n; i++)
        if (p->ov[i].leaf == leaf && !p->ov[i].any_subleaf)
            return false;
    struct cpuid_masks other;
    masks_at(p, leaf, 0, guest_cr4, m);
    masks_at(p, leaf, 1, guest_cr4, &other);
    if (memcmp(m, &other, sizeof(other)) == 0)
        return true;
    if (leaf == 7 && !((guest_cr4 ^ host_cr4) & CR4_PKE)) {
        *m = other;
        return true;
    }
    return false;
}

/* Overrides only: the record of asked leaves stays. */
void cpuid_policy_reset(struct cpuid_policy *p)
{
    memset(p->ov, 0, sizeof(p->ov));
    p->n = 0;
}

/* Merge into the entry with the same key (the subleaf of an any-subleaf
 * entry is 0), or take a new one. */
int cpuid_policy_change(struct cpuid_policy *p, uint32_t leaf, uint32_t subleaf, bool any_subleaf,
                        enum cpuid_reg reg, uint32_t bits, bool set)
{
    if ((unsigned)reg > CPUID_EDX)
        return -1;
    if (!bits)
        return 0;
    if (any_subleaf)
        subleaf = 0;

    struct cpuid_override *o = 0;
    for (unsigned i = 0; i < p->n && !o; i++) {
        struct cpuid_override *c = &p->ov[i];
        if (c->leaf == leaf && c->subleaf == subleaf && c->any_subleaf == any_subleaf &&
            c->reg == reg)
            o = c;
    }
    if (!o) {
        if (p->n >= CPUID_MAX_OVERRIDES)
            return -1;
        o = &p->ov[p->n++];
        *o = (struct cpuid_override){ leaf, subleaf, any_subleaf, reg, 0, 0 };
    }
    if (set) {
        o->set |= bits;
        o->clear &= ~bits;
    } else {
        o->clear |= bits;
        o->set &= ~bits;
    }
    return 0;
}

/* Table order: leaf 1 EDX, ECX, leaf 7 EBX, ECX, EDX, 80000001H ECX, EDX. */
const struct cpuid_feature *cpuid_feature_at(unsigned i)
{
    return i < NFEATURES ? &features[i] : 0;
}

/* Feature whose name is the len characters at name, or NULL. */
static const struct cpuid_feature *find_feature(const char *name, size_t len)
{
    for (size_t i = 0; i < NFEATURES; i++)
        if (strlen(features[i].name) == len && !strncmp(features[i].name, name, len))
            return &features[i];
    return 0;
}

/* Linear search: the table is small and the console is not a hot path. */
const struct cpuid_feature *cpuid_feature_find(const char *name)
{
    return find_feature(name, strlen(name));
}

static const char *const reg_names[] = { "eax", "ebx", "ecx", "edx" };

/* Lower-case register name, as the parser and the format spell it. */
const char *cpuid_reg_name(enum cpuid_reg reg)
{
    return (unsigned)reg <= CPUID_EDX ? reg_names[reg] : "?";
}

/* ---- parsing ----------------------------------------------------------------- */

static bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* The len characters at s as a decimal or 0x-hex number of 32 bits. */
static bool parse_u32(const char *s, size_t len, uint32_t *out)
{
    uint64_t v = 0;
    unsigned base = 10;
    size_t i = 0;

    if (len > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        i = 2;
    }
    if (i == len)
        return false;
    for (; i < len; i++) {
        char c = s[i];
        unsigned d;
        if (c >= '0' && c <= '9')
            d = (unsigned)(c - '0');
        else if (base == 16 && c >= 'a' && c <= 'f')
            d = (unsigned)(c - 'a' + 10);
        else if (base == 16 && c >= 'A' && c <= 'F')
            d = (unsigned)(c - 'A' + 10);
        else
            return false;
        v = v * base + d;
        if (v > UINT32_MAX)
            return false;
    }
    *out = (uint32_t)v;
    return true;
}

struct parse_ctx {
    void (*report)(void *ctx, const char *msg);
    void *ctx;
    int problems;
};

/* The len characters at item, for a report: quoted whole up to
 * ITEM_SHOWN_MAX characters, else cut and ended with "...". */
static const char *show(char *buf, size_t size, const char *item, size_t len)
{
    if (len > ITEM_SHOWN_MAX)
        fmt_snprintf(buf, size, "%.*s...", ITEM_SHOWN_MAX, item);
    else
        fmt_snprintf(buf, size, "%.*s", (int)len, item);
    return buf;
}

static void problem(struct parse_ctx *pc, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Count one problem and report it, formatted. */
static void problem(struct parse_ctx *pc, const char *fmt, ...)
{
    char msg[160];
    va_list ap;
    va_start(ap, fmt);
    fmt_vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    pc->problems++;
    if (pc->report)
        pc->report(pc->ctx, msg);
}

/* Parse LEAF[.SUBLEAF].REG.BIT (the len characters at s) into the override
 * it asks for; returns NULL or the reason it is bad. */
static const char *parse_numeric(const char *s, size_t len, uint32_t *leaf, uint32_t *subleaf,
                                 bool *any, enum cpuid_reg *reg, unsigned *bit)
{
    const char *field[5];
    size_t flen[5];
    unsigned nf = 0;
    size_t start = 0;

    for (size_t i = 0; i <= len; i++) {
        if (i < len && s[i] != '.')
            continue;
        if (nf == 5)
            return "expected LEAF[.SUBLEAF].REG.BIT";
        field[nf] = s + start;
        flen[nf++] = i - start;
        start = i + 1;
    }
    if (nf < 3 || nf > 4)
        return "expected LEAF[.SUBLEAF].REG.BIT";
    if (!parse_u32(field[0], flen[0], leaf))
        return "leaf must be a 32-bit number";
    *any = nf == 3;
    *subleaf = 0;
    if (!*any && !parse_u32(field[1], flen[1], subleaf))
        return "subleaf must be a 32-bit number";

    unsigned r = nf - 2, b = nf - 1;
    unsigned i;
    for (i = 0; i <= CPUID_EDX; i++)
        if (flen[r] == 3 && !strncmp(field[r], reg_names[i], 3))
            break;
    if (i > CPUID_EDX)
        return "register must be eax, ebx, ecx or edx";
    *reg = (enum cpuid_reg)i;

    uint32_t v;
    if (!parse_u32(field[b], flen[b], &v) || v > 31)
        return "bit must be 0-31";
    *bit = v;
    return 0;
}

/* Apply one item (the len characters at s, blanks trimmed, not empty). */
static void parse_item(struct cpuid_policy *p, struct parse_ctx *pc, const char *s, size_t len)
{
    char shown[ITEM_SHOWN_MAX + 4];
    if (s[0] != '+' && s[0] != '-') {
        problem(pc, "cpuid: bad item '%s' (must start with + or -)",
                show(shown, sizeof(shown), s, len));
        return;
    }
    bool set = s[0] == '+';
    const char *body = s + 1;
    size_t blen = len - 1;
    if (!blen) {
        problem(pc, "cpuid: bad item '%s' (a feature or LEAF[.SUBLEAF].REG.BIT must follow)",
                show(shown, sizeof(shown), s, len));
        return;
    }

    uint32_t leaf, subleaf;
    bool any;
    enum cpuid_reg reg;
    unsigned bit;
    if (body[0] >= '0' && body[0] <= '9') {
        const char *why = parse_numeric(body, blen, &leaf, &subleaf, &any, &reg, &bit);
        if (why) {
            problem(pc, "cpuid: bad item '%s' (%s)", show(shown, sizeof(shown), body, blen), why);
            return;
        }
    } else {
        const struct cpuid_feature *f = find_feature(body, blen);
        if (!f) {
            problem(pc, "cpuid: unknown feature '%s'", show(shown, sizeof(shown), body, blen));
            return;
        }
        leaf = f->leaf;
        subleaf = f->subleaf;
        any = feature_any_subleaf(f);
        reg = f->reg;
        bit = f->bit;
    }
    if (cpuid_policy_change(p, leaf, subleaf, any, reg, 1u << bit, set) < 0)
        problem(pc, "cpuid: '%s' skipped: override table full (%d entries)",
                show(shown, sizeof(shown), body, blen), CPUID_MAX_OVERRIDES);
}

/* Split at commas, trim blanks, apply each non-empty item in order. */
int cpuid_policy_parse(struct cpuid_policy *p, const char *list,
                       void (*report)(void *ctx, const char *msg), void *ctx)
{
    struct parse_ctx pc = { report, ctx, 0 };
    const char *s = list ? list : "";

    for (;;) {
        const char *end = s;
        while (*end && *end != ',')
            end++;
        const char *a = s, *b = end;
        while (a < b && is_blank(*a))
            a++;
        while (b > a && is_blank(b[-1]))
            b--;
        if (a < b)
            parse_item(p, &pc, a, (size_t)(b - a));
        if (!*end)
            return pc.problems;
        s = end + 1;
    }
}

/* ---- formatting --------------------------------------------------------------- */

/* One "cpuid.override key=value ..." line; numbers in hex. */
void cpuid_override_format(const struct cpuid_override *o, char *buf, size_t size)
{
    char sub[16];
    if (o->any_subleaf)
        memcpy(sub, "any", 4);
    else
        fmt_snprintf(sub, sizeof(sub), "0x%x", (unsigned)o->subleaf);
    fmt_snprintf(buf, size, "cpuid.override leaf=0x%x subleaf=%s reg=%s set=0x%x clear=0x%x",
                 (unsigned)o->leaf, sub, cpuid_reg_name(o->reg), (unsigned)o->set,
                 (unsigned)o->clear);
}
