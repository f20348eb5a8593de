/*
 * conf.c - the conformance guests' checks and helpers; see conf.h.
 */
#include "conf.h"

#include "../../kernel/fmt.h"

static unsigned checks, failed, skipped;

/* char buf[] := the check name fmt and the variable arguments make. */
#define NAME(buf, fmt)                                                         \
    char buf[CONF_NAME_MAX];                                                   \
    do {                                                                       \
        va_list ap_;                                                           \
        va_start(ap_, fmt);                                                    \
        fmt_vsnprintf(buf, CONF_NAME_MAX, fmt, ap_);                           \
        va_end(ap_);                                                           \
    } while (0)

void conf_eq(uint64_t got, uint64_t want, const char *fmt, ...)
{
    NAME(name, fmt);
    checks++;
    if (got == want) {
        sdk_printf("PASS: %s\n", name);
        return;
    }
    failed++;
    sdk_printf("FAIL: %s: got=%#llx want=%#llx\n", name, (unsigned long long)got,
               (unsigned long long)want);
}

void conf_true(bool ok, const char *fmt, ...)
{
    NAME(name, fmt);
    checks++;
    failed += !ok;
    sdk_printf("%s: %s\n", ok ? "PASS" : "FAIL", name);
}

void conf_value(uint64_t value, const char *fmt, ...)
{
    NAME(name, fmt);
    checks++;
    sdk_printf("PASS: %s=%#llx\n", name, (unsigned long long)value);
}

void conf_skip(const char *why, const char *fmt, ...)
{
    NAME(name, fmt);
    checks++;
    skipped++;
    sdk_printf("SKIP: %s: %s\n", name, why);
}

void conf_begin(const char *suite)
{
    /* The 8259A's interrupts (the timer GRUB or the BIOS left running)
     * have no business here: mask both PICs, as an OS does before it
     * uses the local APIC. */
    outb(0x21, 0xFF);
    outb(0xA1, 0xFF);
    sdk_printf("conformance: suite=%s\n", suite);
}

void conf_done(void)
{
    sdk_printf("conformance: done checks=%u failed=%u skipped=%u\n", checks, failed, skipped);
    sdk_exit(0);
}

static int fault_check(int (*catch)(void (*)(void *), void *), void (*fn)(void *), void *arg,
                       int want_vector, int64_t want_error, int want_rf, const char *name)
{
    int v = catch(fn, arg);
    conf_eq((uint64_t)(int64_t)v, (uint64_t)(int64_t)want_vector, "%s.vector", name);
    if (v == want_vector && v != CONF_NONE) {
        /* Exceptions with an error code (6.13); INT n never pushes one. */
        bool has_error = v == VEC_DF || (v >= VEC_TS && v <= VEC_PF) || v == VEC_AC ||
                         v == 21 || v == 29 || v == 30;
        if (want_error >= 0 && has_error)
            conf_eq(sdk_fault.error, (uint64_t)want_error, "%s.error", name);
        if (want_rf >= 0)
            conf_eq(!!(sdk_fault.rflags & RFLAGS_RF), (uint64_t)want_rf, "%s.rf", name);
    }
    return v;
}

int conf_fault(void (*fn)(void *), void *arg, int want_vector, int64_t want_error, int want_rf,
               const char *fmt, ...)
{
    NAME(name, fmt);
    return fault_check(sdk_catch, fn, arg, want_vector, want_error, want_rf, name);
}

int conf_fault_user(void (*fn)(void *), void *arg, int want_vector, int64_t want_error, int want_rf,
                    const char *fmt, ...)
{
    NAME(name, fmt);
    return fault_check(sdk_catch_user, fn, arg, want_vector, want_error, want_rf, name);
}

int conf_vector(void (*fn)(void *), void *arg, int want_vector, const char *fmt, ...)
{
    NAME(name, fmt);
    return fault_check(sdk_catch, fn, arg, want_vector, -1, -1, name);
}

void conf_flush_tlb_all(void)
{
    uint64_t cr4 = read_cr4();
    if (cr4 & CR4_PGE) {
        write_cr4(cr4 & ~CR4_PGE);
        write_cr4(cr4);
    } else {
        write_cr3(read_cr3());
    }
}

/* Page tables for conf_pte, one per 2 MiB page split (a few suffice). */
#define SPLITS 8
static uint64_t split_pt[SPLITS][512] __attribute__((aligned(4096)));
static uint64_t split_va[SPLITS];
static unsigned nsplit;

uint64_t *conf_pte(uint64_t va)
{
    uint64_t big = va & ~0x1FFFFFull;
    for (unsigned i = 0; i < nsplit; i++)
        if (split_va[i] == big)
            return &split_pt[i][(va >> 12) & 511];
    if (nsplit == SPLITS || va >= (4ull << 30)) {
        sdk_printf("guest: conf_pte: no page table for %#llx\n", (unsigned long long)va);
        sdk_exit(3);
    }
    unsigned i = nsplit++;
    uint64_t pde = sdk_pd[va >> 21];
    /* The same flags, PAT bit 12 of a 2 MiB entry goes to bit 7 (4.5.4). */
    uint64_t flags = (pde & 0x1F) | ((pde >> 12 & 1) << 7) | (pde & (1ull << 63));
    for (unsigned j = 0; j < 512; j++)
        split_pt[i][j] = (big + ((uint64_t)j << 12)) | flags;
    split_va[i] = big;
    sdk_pd[va >> 21] = sdk_phys(split_pt[i]) | 0x07;
    conf_flush_tlb_all();
    return &split_pt[i][(va >> 12) & 511];
}
