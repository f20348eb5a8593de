/*
 * svm_caps.h - decode what the CPU says about SVM into what monovisor can
 * do with it (pure: no CPUID or MSR access here, svm/svm.c reads them).
 * AMD APM Vol. 2, 15.4 "Enabling SVM"; Vol. 3, CPUID Fn8000_000A.
 * Host unit tested.
 */
#ifndef SVM_CAPS_H
#define SVM_CAPS_H

#include <stdbool.h>
#include <stdint.h>

/* Raw values as read. vm_cr only when the SVM bit is set (reading it
 * otherwise raises #GP), the 8000000AH leaf only within ext_max. */
struct svm_raw {
    uint32_t ext_max;                   /* CPUID 80000000H:EAX */
    uint32_t ext1_ecx, ext1_edx;        /* CPUID 80000001H */
    uint32_t svm_eax, svm_ebx, svm_edx; /* CPUID 8000000AH: revision, ASIDs, features */
    uint64_t vm_cr;                     /* MSR C001_0114H */
};

enum svm_status {
    SVM_READY,              /* usable as it is */
    SVM_READY_UNLOCKED,     /* VM_CR.SVMDIS set but not locked: monovisor clears it */
    SVM_ABSENT,             /* CPUID 80000001H:ECX.SVM = 0 */
    SVM_LOCKED_OFF,         /* VM_CR.SVMDIS and LOCK set: disabled by firmware */
    SVM_UNUSABLE,           /* present, but without nested paging */
};

struct svm_caps {
    enum svm_status status;
    uint32_t revision, asids;
    bool np, nrips, flush_asid, decode_assists, vgif, lbrv, pause_filter, vmcb_clean;
    bool page_1g;                       /* CPUID 80000001H:EDX.Page1GB[26] */
};

/* svm_caps_decode - everything the rest of monovisor asks about SVM. */
void svm_caps_decode(const struct svm_raw *r, struct svm_caps *c);

/* svm_status_message - one sentence: what is wrong and what to do, or
 * how SVM was found. */
const char *svm_status_message(const struct svm_caps *c);

/* svm_caps_format - the svm.* key=value lines: all of them, or the first
 * few (boot), through sink. */
typedef void (*svm_line_sink)(void *ctx, const char *line);
void svm_caps_format(const struct svm_caps *c, bool all, svm_line_sink sink, void *ctx);

#endif
