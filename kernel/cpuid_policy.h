/*
 * cpuid_policy.h - what CPUID shows the guest (pure; host unit tested).
 *
 * The fixed view: the guest sees the native CPU minus VMX, with the
 * hypervisor-present bit set and monovisor's vendor leaves at 40000000H (the
 * range that CPUID reserves for hypervisors: SDM Vol. 2A, CPUID "Input EAX =
 * 40000000H"). Two bits are no features but mirror the CR4 of the CPU that
 * executes CPUID (SDM Vol. 2A, CPUID, Table 3-10 and Table 3-8):
 * CPUID.01H:ECX.OSXSAVE[27] = CR4.OSXSAVE and CPUID.(07H,0):ECX.OSPKE[4] =
 * CR4.PKE. The hypervisor executes CPUID in VMX root operation, under its
 * own CR4, so the view sets both from the guest's CR4 (an input).
 *
 * Leaf 0DH needs no such input: its sizes (subleaf 0 EBX for XCR0, subleaf
 * 1 EBX for XCR0 | IA32_XSS) follow the XCR0 and IA32_XSS in the CPU, and
 * those are the guest's while it runs and across its exits (XSETBV is done
 * by the CPU for the guest, IA32_XSS is not intercepted, and the hypervisor
 * never touches either: kernel/exit.c, handle_xsetbv).
 *
 * On top of it, a policy of overrides for the console's CPU-feature
 * experiments: each forces bits of one register of one leaf (one subleaf, or
 * every subleaf) to 1 or to 0. Overrides apply after the fixed view, so they
 * win over it (even "+vmx" is honoured: it is an experiment). The policy also
 * records which leaves the guest asked for.
 */
#ifndef CPUID_POLICY_H
#define CPUID_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hypercall_abi.h"
#include "x86_regs.h"

#define CPUID_HV_BASE         0x40000000u
#define CPUID_HV_FEATURES     0x40000001u
#define CPUID_HV_MAX          CPUID_HV_FEATURES
#define CPUID_EXT_BASE        0x80000000u
#define CPUID_1_ECX_VMX_BIT   (1u << 5)
#define CPUID_1_ECX_HV_BIT    (1u << 31)
#define CPUID_80000001_ECX_SVM_BIT (1u << 2)    /* AMD APM Vol. 3, E.4.2 */
#define CPUID_1_ECX_OSXSAVE_BIT (1u << 27)  /* = CR4.OSXSAVE (Table 3-10) */
#define CPUID_7_ECX_OSPKE_BIT (1u << 4)    /* subleaf 0: = CR4.PKE (Table 3-8) */
#define MONOVISOR_SIGNATURE   "monovisor\0\0\0"   /* 12 bytes: EBX, ECX, EDX */
#define CPUID_KVM_BASE        0x40000100u      /* cpuid_policy.kvm_leaves */
#define CPUID_KVM_FEATURES    0x40000101u
#define KVM_SIGNATURE         "KVMKVMKVM\0\0\0"
#define MONOVISOR_ABI_VERSION ((uint32_t)HC_ABI_VERSION)     /* kernel/hypercall_abi.h */

#define CPUID_MAX_OVERRIDES   32

struct cpuid_result {
    uint32_t eax, ebx, ecx, edx;
};

enum cpuid_reg { CPUID_EAX, CPUID_EBX, CPUID_ECX, CPUID_EDX };

/* One forced edit of one register of a leaf. */
struct cpuid_override {
    uint32_t leaf, subleaf;
    bool any_subleaf;          /* applies to every subleaf of leaf (subleaf is then 0) */
    enum cpuid_reg reg;
    uint32_t set, clear;       /* bits forced to 1 / to 0 (never both for one bit) */
};

/* Which leaves the guest asked for: cheap to record. */
struct cpuid_asked {
    uint64_t basic;            /* bit n: leaf n asked, 0 <= n < 64 */
    uint64_t hv;               /* bit n: leaf 0x40000000 + n */
    uint64_t ext;              /* bit n: leaf 0x80000000 + n */
    uint64_t other;            /* count of leaves outside those ranges */
};

struct cpuid_policy {
    struct cpuid_override ov[CPUID_MAX_OVERRIDES];
    unsigned n;                /* overrides in use: ov[0..n) */
    struct cpuid_asked asked;
    /* Leaf 8000000AH is SVM's (an AMD CPU): all zero for the guest, as on
     * a CPU without SVM, where it is reserved (AMD APM Vol. 3, E.4.9). On
     * Intel it lies past the last extended leaf and answers as the last
     * basic one does: left alone. Set at boot. */
    bool svm_leaf;
    /* KVM's leaves at 40000100H (kvm_leaves=1): KVM's signature and no
     * feature, no hint. Linux keeps the x2APIC without interrupt
     * remapping only under a hypervisor it knows to allow it
     * (try_to_enable_x2apic: x86_init.hyper.x2apic_available, which is
     * kvm_para_available for KVM); it finds KVM's signature at any
     * 100H step of the range (hypervisor_cpuid_base), as a guest finds
     * KVM's beside Hyper-V's. With no feature bit Linux uses nothing else
     * of KVM's: no kvmclock, PV EOI, steal time, async page faults or PV
     * IPIs (each needs its bit in 40000101H EAX). monovisor's own leaves
     * stay at 40000000H. Set at boot. */
    bool kvm_leaves;
};

/*
 * A named feature flag: bit of reg in leaf/subleaf. Features of leaf 7 apply
 * to subleaf 0 only; those of leaves without subleaves (1, 80000001H) apply
 * to every subleaf, since ECX is no input there (SDM Vol. 2A, CPUID).
 */
struct cpuid_feature {
    const char *name;
    uint32_t leaf, subleaf;
    enum cpuid_reg reg;
    uint8_t bit;
};

/* cpuid_is_hv_leaf - leaf lies in 40000000H-4FFFFFFFH. */
static inline int cpuid_is_hv_leaf(uint32_t leaf)
{
    return (leaf & 0xF0000000u) == 0x40000000u;
}

/* cpuid_hv_leaf - monovisor's answer for a hypervisor leaf (zeros for the
 * ones it does not define). */
struct cpuid_result cpuid_hv_leaf(uint32_t leaf);

/* cpuid_kvm_leaf - KVM's leaf 40000100H: its highest leaf (40000101H,
 * all zero: no features, no hints) and its signature. */
struct cpuid_result cpuid_kvm_leaf(void);

/*
 * cpuid_guest_view - the guest's answer to CPUID leaf/subleaf, given the
 * native answer (ignored for hypervisor leaves: callers need not execute
 * CPUID for those) and the CR4 the guest set (its read shadow: CR4.VMXE is
 * never in it). Inline: it sits on the CPUID exit's hot path.
 */
static inline struct cpuid_result cpuid_guest_view(uint32_t leaf, uint32_t subleaf, uint64_t guest_cr4,
                                                   struct cpuid_result r)
{
    if (cpuid_is_hv_leaf(leaf))
        return cpuid_hv_leaf(leaf);
    if (leaf == 1) {
        r.ecx &= ~CPUID_1_ECX_VMX_BIT;      /* no nested VMX */
        r.ecx |= CPUID_1_ECX_HV_BIT;        /* "a hypervisor is present" */
        r.ecx &= ~CPUID_1_ECX_OSXSAVE_BIT;  /* the guest's CR4.OSXSAVE, not the host's */
        if (guest_cr4 & CR4_OSXSAVE)
            r.ecx |= CPUID_1_ECX_OSXSAVE_BIT;
    } else if (leaf == 7 && subleaf == 0) {
        r.ecx &= ~CPUID_7_ECX_OSPKE_BIT;    /* the guest's CR4.PKE, not the host's */
        if (guest_cr4 & CR4_PKE)
            r.ecx |= CPUID_7_ECX_OSPKE_BIT;
    } else if (leaf == 0x80000001) {
        r.ecx &= ~CPUID_80000001_ECX_SVM_BIT;   /* no nested SVM (always 0 on Intel) */
    }
    return r;
}

/* The guest's answer to a leaf as masks on the native one, per register
 * (EAX, EBX, ECX, EDX): guest = (native & and_mask) | or_mask. The
 * layout is vmx/entry.asm's: the CPUID fast path applies the masks. */
/* The CR4 bits that CPUID reports back (CPUID.01H:ECX.OSXSAVE =
 * CR4.OSXSAVE, CPUID.(07H,0):ECX.OSPKE = CR4.PKE: SDM Vol. 2A, CPUID,
 * Tables 3-10 and 3-8): masks are made for one setting of them. */
#define CR4_CPUID_BITS (CR4_OSXSAVE | CR4_PKE)

struct cpuid_masks {
    uint32_t and_mask[4];
    uint32_t or_mask[4];
};

/* cpuid_policy_init - an empty policy: no overrides, nothing asked yet. */
void cpuid_policy_init(struct cpuid_policy *p);

/*
 * cpuid_policy_apply - the guest's answer under policy p for a vCPU whose
 * CR4 (read shadow) is guest_cr4: the fixed view (cpuid_guest_view), then
 * each override of this leaf/subleaf in table order. With no overrides it
 * costs one compare beyond the fixed view. Inline: it sits on the CPUID
 * exit's hot path.
 */
static inline struct cpuid_result cpuid_policy_apply(const struct cpuid_policy *p,
                                                     uint32_t leaf, uint32_t subleaf, uint64_t guest_cr4,
                                                     struct cpuid_result native)
{
    struct cpuid_result r = cpuid_guest_view(leaf, subleaf, guest_cr4, native);
    if (leaf == 0x8000000Au && p->svm_leaf)
        r = (struct cpuid_result){ 0, 0, 0, 0 };
    else if (leaf == CPUID_KVM_BASE && p->kvm_leaves)
        r = cpuid_kvm_leaf();
    for (unsigned i = 0; i < p->n; i++) {
        const struct cpuid_override *o = &p->ov[i];
        if (o->leaf != leaf || (!o->any_subleaf && o->subleaf != subleaf))
            continue;
        uint32_t *v;
        switch (o->reg) {
        case CPUID_EAX: v = &r.eax; break;
        case CPUID_EBX: v = &r.ebx; break;
        case CPUID_ECX: v = &r.ecx; break;
        default:        v = &r.edx; break;
        }
        *v = (*v & ~o->clear) | o->set;
    }
    return r;
}

/*
 * cpuid_policy_note - record that the guest asked for leaf (O(1)): a bit of
 * asked.basic/hv/ext for the first 64 leaves of each range, else a count.
 * Every vCPU notes into the one policy: atomic, without a lock.
 */
static inline void cpuid_policy_note(struct cpuid_policy *p, uint32_t leaf)
{
    if (leaf < 64)
        __atomic_fetch_or(&p->asked.basic, 1ull << leaf, __ATOMIC_RELAXED);
    else if (leaf - CPUID_HV_BASE < 64)
        __atomic_fetch_or(&p->asked.hv, 1ull << (leaf - CPUID_HV_BASE), __ATOMIC_RELAXED);
    else if (leaf - CPUID_EXT_BASE < 64)
        __atomic_fetch_or(&p->asked.ext, 1ull << (leaf - CPUID_EXT_BASE), __ATOMIC_RELAXED);
    else
        __atomic_fetch_add(&p->asked.other, 1, __ATOMIC_RELAXED);
}

/*
 * cpuid_policy_change - force bits of reg in leaf (subleaf, or every subleaf
 * with any_subleaf) to 1 (set) or to 0 (!set). An override with the same
 * leaf/subleaf/any_subleaf/reg is merged: for the bits of this call, the
 * later call wins. bits == 0 changes nothing. Returns 0, or -1 (policy
 * unchanged) when a new override is needed and the table is full, or reg is
 * not a register.
 */
int cpuid_policy_change(struct cpuid_policy *p, uint32_t leaf, uint32_t subleaf, bool any_subleaf,
                        enum cpuid_reg reg, uint32_t bits, bool set);

/*
 * cpuid_policy_masks - leaf's answer under p, for a vCPU whose CR4 is
 * guest_cr4, as masks on the native answer (struct cpuid_masks), valid for
 * every subleaf and every native answer produced under host_cr4 (the CR4
 * of the hypervisor executing CPUID): the fixed view and the overrides only
 * force bits. Returns false when the answer depends on the subleaf: an
 * override names one exact subleaf of leaf, or leaf 7 where the guest's
 * CR4.PKE differs from the host's (OSPKE must then be forced in subleaf 0
 * alone; where they agree, the native subleaf 0 already has it right).
 */
bool cpuid_policy_masks(const struct cpuid_policy *p, uint32_t leaf, uint64_t guest_cr4,
                        uint64_t host_cr4, struct cpuid_masks *m);

/* cpuid_policy_reset - drop every override (what was asked is kept). */
void cpuid_policy_reset(struct cpuid_policy *p);

/* cpuid_feature_find - the feature called name (case-sensitive, lower
 * case, e.g. "avx2"), NULL if unknown. */
const struct cpuid_feature *cpuid_feature_find(const char *name);

/* cpuid_feature_at - the i-th entry of the feature table, NULL past the end
 * (for help and listings). */
const struct cpuid_feature *cpuid_feature_at(unsigned i);

/* cpuid_reg_name - "eax", "ebx", "ecx", "edx" ("?" for anything else). */
const char *cpuid_reg_name(enum cpuid_reg reg);

/*
 * cpuid_policy_parse - apply a comma-separated list such as
 * "-avx512f,+x2apic,-1.ecx.12,+7.0.ebx.5" (the cmdline option cpuid= and the
 * console). Each item is '+' (force to 1) or '-' (force to 0), then a
 * feature name or LEAF[.SUBLEAF].REG.BIT: numbers decimal or 0x hex, REG
 * eax/ebx/ecx/edx, BIT 0-31; without SUBLEAF the item applies to every
 * subleaf. Blanks around items and empty items (",,", a trailing comma) are
 * ignored. Items apply in order; each bad one is passed to report (e.g.
 * "cpuid: unknown feature 'avx9'") and skipped. list may be NULL. Returns
 * the number of problems.
 */
int cpuid_policy_parse(struct cpuid_policy *p, const char *list,
                       void (*report)(void *ctx, const char *msg), void *ctx);

/*
 * cpuid_override_format - o as one key=value line for the console, e.g.
 * "cpuid.override leaf=0x7 subleaf=any reg=ebx set=0x0 clear=0x10000"
 * (subleaf=0x.. for an exact subleaf), into buf (NUL-terminated if size > 0).
 */
void cpuid_override_format(const struct cpuid_override *o, char *buf, size_t size);

#endif
