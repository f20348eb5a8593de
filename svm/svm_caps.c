/*
 * svm_caps.c - SVM capabilities decoded; see svm_caps.h.
 */
#include "svm_caps.h"

#include "svm_defs.h"
#include "../kernel/fmt.h"

#define CPUID_80000001_EDX_PAGE1GB (1u << 26)

void svm_caps_decode(const struct svm_raw *r, struct svm_caps *c)
{
    *c = (struct svm_caps){ .status = SVM_ABSENT };
    if (r->ext_max < 0x80000001u || !(r->ext1_ecx & CPUID_80000001_ECX_SVM))
        return;
    bool leaf = r->ext_max >= CPUID_SVM_FEATURES;
    uint32_t f = leaf ? r->svm_edx : 0;
    c->revision = leaf ? r->svm_eax & 0xFF : 0;
    c->asids = leaf ? r->svm_ebx : 0;
    c->np = f & SVM_FEATURE_NP;
    c->nrips = f & SVM_FEATURE_NRIPS;
    c->flush_asid = f & SVM_FEATURE_FLUSH_ASID;
    c->decode_assists = f & SVM_FEATURE_DECODE_ASSISTS;
    c->vgif = f & SVM_FEATURE_VGIF;
    c->lbrv = f & SVM_FEATURE_LBRV;
    c->pause_filter = f & SVM_FEATURE_PAUSE_FILTER;
    c->vmcb_clean = f & SVM_FEATURE_VMCB_CLEAN;
    c->page_1g = r->ext1_edx & CPUID_80000001_EDX_PAGE1GB;
    /* 15.4: VM_CR.SVMDIS forbids EFER.SVME; with VM_CR.LOCK set it cannot
     * be cleared (the firmware's "SVM mode: disabled"). */
    if (r->vm_cr & VM_CR_SVMDIS)
        c->status = (r->vm_cr & VM_CR_LOCK) ? SVM_LOCKED_OFF : SVM_READY_UNLOCKED;
    else
        c->status = SVM_READY;
    /* One ASID for the host and one per vCPU at least; nested paging
     * (15.25) is the guest-physical map. */
    if ((c->status == SVM_READY || c->status == SVM_READY_UNLOCKED) && (!c->np || c->asids < 2))
        c->status = SVM_UNUSABLE;
}

const char *svm_status_message(const struct svm_caps *c)
{
    switch (c->status) {
    case SVM_READY:
        return "SVM enabled by firmware";
    case SVM_READY_UNLOCKED:
        return "VM_CR.SVMDIS set but not locked; monovisor clears it";
    case SVM_ABSENT:
        return "this CPU has no SVM (CPUID.80000001H:ECX.SVM=0): run monovisor on an AMD CPU "
               "with AMD-V, under KVM with nested SVM (-enable-kvm -cpu host), in QEMU "
               "(-cpu EPYC,+svm,+npt) or in Bochs with an SVM CPU model (cpu: model=ryzen)";
    case SVM_LOCKED_OFF:
        return "SVM is disabled and locked by firmware (VM_CR.SVMDIS=1, VM_CR.LOCK=1): enable "
               "SVM Mode (AMD-V) in the firmware setup and power-cycle";
    case SVM_UNUSABLE:
        return c->np ? "SVM offers no ASID for a guest (CPUID.8000000AH:EBX < 2)"
                     : "SVM without nested paging (CPUID.8000000AH:EDX.NP=0): monovisor needs it "
                       "(QEMU: -cpu EPYC,+svm,+npt)";
    }
    return "unknown SVM status";
}

static const char *status_key(enum svm_status s)
{
    switch (s) {
    case SVM_READY:          return "ready";
    case SVM_READY_UNLOCKED: return "ready_unlocked";
    case SVM_ABSENT:         return "absent";
    case SVM_LOCKED_OFF:     return "locked_off";
    case SVM_UNUSABLE:       return "unusable";
    }
    return "unknown";
}

void svm_caps_format(const struct svm_caps *c, bool all, svm_line_sink sink, void *ctx)
{
    char line[160];
    bool present = c->status != SVM_ABSENT;
    fmt_snprintf(line, sizeof(line), "svm.supported=%d svm.status=%s", present, status_key(c->status));
    sink(ctx, line);
    if (!present)
        return;
    fmt_snprintf(line, sizeof(line), "svm.revision=%u svm.asids=%u svm.np=%d svm.nrips=%d "
                 "svm.flush_asid=%d svm.page_1g=%d",
                 c->revision, c->asids, c->np, c->nrips, c->flush_asid, c->page_1g);
    sink(ctx, line);
    if (!all)
        return;
    fmt_snprintf(line, sizeof(line), "svm.decode_assists=%d svm.vgif=%d svm.lbrv=%d "
                 "svm.pause_filter=%d svm.vmcb_clean=%d",
                 c->decode_assists, c->vgif, c->lbrv, c->pause_filter, c->vmcb_clean);
    sink(ctx, line);
}
