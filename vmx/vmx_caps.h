/*
 * vmx_caps.h - decode the VMX capability MSRs into what this CPU can do
 * (pure: no MSR access here; vmx/probe.c reads them). Host unit tested.
 */
#ifndef VMX_CAPS_H
#define VMX_CAPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Raw values, as read by the probe. MSR fields are valid only when
 * CPUID reports VMX (reading them otherwise raises #GP). */
struct vmx_msrs {
    uint32_t cpuid1_ecx;
    uint64_t feature_control;
    uint64_t basic;
    uint64_t pinbased, procbased, procbased2, exit, entry;
    uint64_t true_pinbased, true_procbased, true_exit, true_entry;
    uint64_t misc, ept_vpid_cap, vmfunc;
    uint64_t cr0_fixed0, cr0_fixed1, cr4_fixed0, cr4_fixed1;
};

enum vmx_status {
    VMX_READY,              /* enabled and locked by firmware */
    VMX_READY_UNLOCKED,     /* IA32_FEATURE_CONTROL unlocked: monovisor enables and locks it */
    VMX_ABSENT,             /* CPUID.1:ECX.VMX = 0 */
    VMX_LOCKED_OFF,         /* locked with VMX outside SMX disabled */
    VMX_UNUSABLE,           /* present, but lacks what monovisor cannot do without */
};

/* A control MSR pair (appendix A.3): bits that must be 1, bits that may be 1. */
struct vmx_ctl {
    uint32_t must1;
    uint32_t may1;
};

struct vmx_caps {
    enum vmx_status status;
    const char *unusable_reason;    /* VMX_UNUSABLE: what is missing */
    uint32_t revision;
    uint32_t vmcs_size;
    unsigned vmcs_memtype;
    bool true_ctls;                 /* IA32_VMX_BASIC[55]: TRUE_ MSRs used */
    struct vmx_ctl pin, proc, proc2, exit, entry;
    uint64_t misc, ept_vpid_cap;
    uint64_t cr0_fixed0, cr0_fixed1, cr4_fixed0, cr4_fixed1;
};

/* vmx_ctl_from_msr - split a control capability MSR (low: allowed-0
 * settings, i.e. must-be-1 bits; high: allowed-1 settings). */
struct vmx_ctl vmx_ctl_from_msr(uint64_t msr);

/* vmx_caps_decode - everything the rest of monovisor asks about VMX. */
void vmx_caps_decode(const struct vmx_msrs *m, struct vmx_caps *c);

/* vmx_has - named capability by its key (the part after "vmx."), e.g.
 * "ept", "unrestricted_guest". Returns -1 for an unknown name. */
int vmx_has(const struct vmx_caps *c, const char *name);

/* vmx_status_message - one sentence: what is wrong and what to do. */
const char *vmx_status_message(const struct vmx_caps *c);

/* Receives each formatted key=value line. */
typedef void (*vmx_line_sink)(void *ctx, const char *line);

/* vmx_caps_format - the stable key=value lines printed at boot and by
 * `info`: status, basic facts, one flag per capability, raw MSRs. */
void vmx_caps_format(const struct vmx_caps *c, vmx_line_sink sink, void *ctx);

#endif
