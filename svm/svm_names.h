/*
 * svm_names.h - SVM exit codes: their names, the vendor-neutral exit
 * reason each is, and what a software-interrupt exit's instruction is
 * (pure; host unit tested).
 */
#ifndef SVM_NAMES_H
#define SVM_NAMES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* svm_exit_name - "cpuid", "npf", "excp_pf", ... or "unknown". */
const char *svm_exit_name(uint32_t code);

/* svm_vexit - the neutral reason (kernel/hypercall_abi.h VEXIT_*) of an
 * exit code with its EXITINFO1, which tells RDMSR (0) from WRMSR (1) and
 * a nested page fault on a reserved bit (VEXIT_NPF_MISCONFIG) from the
 * others; exceptions are VEXIT_EXCEPTION. */
unsigned svm_vexit(uint32_t code, uint64_t info1);

/* What the instruction at CS:RIP of an INTn intercept (SVM_EXIT_SWINT,
 * AMD APM Vol. 2, 15.9) is: the exit does not say without decode assists
 * (QEMU's TCG has none, and exits there for INT3 and INTO too). */
enum svm_swint_kind {
    SWINT_UNKNOWN,      /* none of these, or not all its bytes at hand */
    SWINT_EXCEPTION,    /* INT3 (vector 3), INTO with OF set (vector 4): a #BP or #OF trap */
    SWINT_INT,          /* INT n (vector n) */
    SWINT_SKIP,         /* INTO with OF clear: nothing happens */
    SWINT_UD,           /* INTO in 64-bit mode, or a LOCK prefix: #UD */
};

struct svm_swint {
    uint8_t kind;       /* enum svm_swint_kind */
    uint8_t vector;     /* SWINT_EXCEPTION, SWINT_INT */
    uint8_t len;        /* the instruction's bytes, prefixes included (all but UNKNOWN) */
};

/* svm_swint_decode - the software-interrupt instruction at code[0..n)
 * (CC, CD ib or CE after any legacy prefixes and, in 64-bit mode, REX:
 * APM Vol. 3, INT, INTO) run with code size bits (16, 32, 64) and RFLAGS.OF
 * of; the kind is SWINT_UNKNOWN when it is none of them, is truncated, or
 * is longer than 15 bytes. Never reads code[n] or beyond. */
struct svm_swint svm_swint_decode(const uint8_t *code, size_t n, unsigned bits, bool of);

#endif
