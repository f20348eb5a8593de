/*
 * svm_names.h - SVM exit codes: their names and the vendor-neutral exit
 * reason each is (pure; host unit tested).
 */
#ifndef SVM_NAMES_H
#define SVM_NAMES_H

#include <stdint.h>

/* svm_exit_name - "cpuid", "npf", "excp_pf", ... or "unknown". */
const char *svm_exit_name(uint32_t code);

/* svm_vexit - the neutral reason (kernel/hypercall_abi.h VEXIT_*) of an
 * exit code with its EXITINFO1, which tells RDMSR (0) from WRMSR (1) and
 * a nested page fault on a reserved bit (VEXIT_NPF_MISCONFIG) from the
 * others; exceptions are VEXIT_EXCEPTION. */
unsigned svm_vexit(uint32_t code, uint64_t info1);

#endif
