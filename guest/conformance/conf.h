/*
 * conf.h - the conformance guests' checks (guest/conformance/): 64-bit
 * SDK guests that GRUB boots natively and monovisor boots as its guest,
 * in the same emulator, so that tests/boot/test_conformance.py can
 * compare what they print line by line (native is the oracle).
 *
 * Each check prints exactly one line:
 *     PASS: NAME
 *     FAIL: NAME: got=0x... want=0x...
 *     SKIP: NAME: WHY          (the CPU lacks the feature)
 * NAME is unique within a guest; nothing that differs between runs of
 * the same CPU (addresses of the memory map, TSC values) goes into a
 * line. The last line is "conformance: done checks=N failed=N skipped=N".
 */
#ifndef CONF_H
#define CONF_H

#include "../sdk/sdk.h"

/* Check names are formatted into a buffer of this size. */
#define CONF_NAME_MAX 120

/* got == want. */
void conf_eq(uint64_t got, uint64_t want, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* ok. */
void conf_true(bool ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* An observation: "PASS: NAME=0xVALUE". It holds no expectation of its
 * own (the value is the CPU model's, such as an APIC version register);
 * the differential comparison of the lines is the check. */
void conf_value(uint64_t value, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A check that cannot run on this CPU (a missing feature): why. */
void conf_skip(const char *why, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The first line, "conformance: suite=NAME"; masks the 8259A PICs. */
void conf_begin(const char *suite);

/* The summary line and the guest's end. */
_Noreturn void conf_done(void);

/* ---- faults ---- */

/* A function for sdk_catch, fn(void *arg) with arg in RDI: before, then
 * the instruction under test at NAME_insn (the RIP a fault pushes), then
 * after from NAME_next (the RIP a trap pushes), then RET. */
#define FAULT_FN(name, before, insn, after)                                    \
    void name(void *);                                                         \
    extern char name##_insn[], name##_next[];                                  \
    __asm__(".pushsection .text\n"                                             \
            ".globl " #name "\n" #name ":\n" before "\n"                       \
            ".globl " #name "_insn\n" #name "_insn:\n" insn "\n"               \
            ".globl " #name "_next\n" #name "_next:\n" after "\n"              \
            "ret\n.popsection\n")

/* No exception (CONF_NONE) or the vector fn raised under sdk_catch;
 * sdk_fault holds the frame. */
#define CONF_NONE (-1)

/* fn(arg) under sdk_catch, then three checks: the vector it raised
 * (CONF_NONE for none) and, when it raised want_vector, the error code
 * (want_error; ignored when negative or the vector pushes none) and
 * RFLAGS.RF in the pushed frame
 * (want_rf; ignored when negative). Returns the vector. */
int conf_fault(void (*fn)(void *), void *arg, int want_vector, int64_t want_error, int want_rf,
               const char *fmt, ...) __attribute__((format(printf, 6, 7)));

/* conf_fault with fn at CPL 3 (sdk_catch_user); CONF_NONE: it returned. */
int conf_fault_user(void (*fn)(void *), void *arg, int want_vector, int64_t want_error, int want_rf,
                    const char *fmt, ...) __attribute__((format(printf, 6, 7)));

/* Only the vector: conf_fault with the error code and RF not checked. */
int conf_vector(void (*fn)(void *), void *arg, int want_vector, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* ---- the CPU ---- */

#define RFLAGS_TF (1ull << 8)
#define RFLAGS_IF (1ull << 9)
#define RFLAGS_RF (1ull << 16)
#define RFLAGS_AC (1ull << 18)

#define CR0_PE (1ull << 0)
#define CR0_MP (1ull << 1)
#define CR0_EM (1ull << 2)
#define CR0_TS (1ull << 3)
#define CR0_ET (1ull << 4)
#define CR0_NE (1ull << 5)
#define CR0_WP (1ull << 16)
#define CR0_AM (1ull << 18)
#define CR0_NW (1ull << 29)
#define CR0_CD (1ull << 30)
#define CR0_PG (1ull << 31)

#define CR4_VME        (1ull << 0)
#define CR4_PVI        (1ull << 1)
#define CR4_TSD        (1ull << 2)
#define CR4_DE         (1ull << 3)
#define CR4_PSE        (1ull << 4)
#define CR4_PAE        (1ull << 5)
#define CR4_MCE        (1ull << 6)
#define CR4_PGE        (1ull << 7)
#define CR4_PCE        (1ull << 8)
#define CR4_OSFXSR     (1ull << 9)
#define CR4_OSXMMEXCPT (1ull << 10)
#define CR4_UMIP       (1ull << 11)
#define CR4_LA57       (1ull << 12)
#define CR4_VMXE       (1ull << 13)
#define CR4_SMXE       (1ull << 14)
#define CR4_FSGSBASE   (1ull << 16)
#define CR4_PCIDE      (1ull << 17)
#define CR4_OSXSAVE    (1ull << 18)
#define CR4_SMEP       (1ull << 20)
#define CR4_SMAP       (1ull << 21)
#define CR4_PKE        (1ull << 22)
#define CR4_CET        (1ull << 23)
#define CR4_PKS        (1ull << 24)

#define MSR_EFER 0xC0000080u
#define EFER_SCE (1ull << 0)
#define EFER_LME (1ull << 8)
#define EFER_LMA (1ull << 10)
#define EFER_NXE (1ull << 11)

#define VEC_DE 0
#define VEC_DB 1
#define VEC_NMI 2
#define VEC_BP 3
#define VEC_OF 4
#define VEC_BR 5
#define VEC_UD 6
#define VEC_NM 7
#define VEC_DF 8
#define VEC_TS 10
#define VEC_NP 11
#define VEC_SS 12
#define VEC_GP 13
#define VEC_PF 14
#define VEC_MF 16
#define VEC_AC 17
#define VEC_XM 19

#define CONF_CR(n)                                                              \
    static inline uint64_t read_cr##n(void)                                     \
    {                                                                           \
        uint64_t v;                                                             \
        __asm__ volatile("mov %%cr" #n ", %0" : "=r"(v));                       \
        return v;                                                               \
    }                                                                           \
    static inline void write_cr##n(uint64_t v)                                  \
    {                                                                           \
        __asm__ volatile("mov %0, %%cr" #n : : "r"(v) : "memory");              \
    }
CONF_CR(0)
CONF_CR(2)
CONF_CR(3)
CONF_CR(4)
CONF_CR(8)
#undef CONF_CR

#define CONF_DR(n)                                                              \
    static inline uint64_t read_dr##n(void)                                     \
    {                                                                           \
        uint64_t v;                                                             \
        __asm__ volatile("mov %%dr" #n ", %0" : "=r"(v));                       \
        return v;                                                               \
    }                                                                           \
    static inline void write_dr##n(uint64_t v)                                  \
    {                                                                           \
        __asm__ volatile("mov %0, %%dr" #n : : "r"(v) : "memory");              \
    }
CONF_DR(0)
CONF_DR(1)
CONF_DR(2)
CONF_DR(3)
CONF_DR(6)
CONF_DR(7)
#undef CONF_DR

static inline uint64_t read_rflags(void)
{
    uint64_t v;
    __asm__ volatile("pushfq; popq %0" : "=r"(v));
    return v;
}

static inline uint64_t rdmsr(uint32_t msr)
{
    uint32_t lo, hi;
    __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    return ((uint64_t)hi << 32) | lo;
}

static inline void wrmsr(uint32_t msr, uint64_t v)
{
    __asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)) : "memory");
}

static inline bool cpuid_bit(uint32_t leaf, uint32_t sub, int reg, unsigned bit)
{
    struct sdk_cpuid r = sdk_cpuid(leaf, sub);
    uint32_t v = reg == 0 ? r.eax : reg == 1 ? r.ebx : reg == 2 ? r.ecx : r.edx;
    return (v >> bit) & 1;
}
#define EAX 0
#define EBX 1
#define ECX 2
#define EDX 3

/* Invalidate every TLB entry, global ones too: CR4.PGE off and on. */
void conf_flush_tlb_all(void);

/* A 4 KiB page table for the 2 MiB page holding va, made on first use
 * from the same mapping; returns the entry of va (change it, then
 * INVLPG). */
uint64_t *conf_pte(uint64_t va);

static inline void invlpg(uint64_t va)
{
    __asm__ volatile("invlpg (%0)" : : "r"(va) : "memory");
}

#endif
