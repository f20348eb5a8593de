/*
 * guest_check.h - name the guest-state field that made a VM entry fail
 * with exit reason 33 "invalid guest state" (pure: works on a snapshot of
 * the VMCS fields, no VMREAD here; host unit tested).
 *
 * The CPU says only that some check of SDM Vol. 3C, 27.3.1 "Checks on the
 * Guest State Area" failed, not which. guest_state_check repeats the checks
 * monovisor can evaluate from the snapshot, in the SDM's order, and reports
 * the first that fails.
 */
#ifndef GUEST_CHECK_H
#define GUEST_CHECK_H

#include <stddef.h>
#include <stdint.h>

/* One segment register as the VMCS holds it (25.4.1): selector, base,
 * limit and access rights in the VMCS format (table 25-2). */
struct guest_seg {
    uint16_t sel;
    uint64_t base;
    uint32_t limit;
    uint32_t ar;
};

/* The VMCS fields the checks read. The fixed-bit MSRs are
 * IA32_VMX_CR0_FIXED0/1 and IA32_VMX_CR4_FIXED0/1 (appendix A.7, A.8). */
struct guest_state_snapshot {
    uint64_t cr0, cr3, cr4, dr7, rsp, rip, rflags, efer, pat, link_pointer, debugctl;
    struct guest_seg es, cs, ss, ds, fs, gs, ldtr, tr;
    uint64_t gdtr_base, idtr_base;
    uint32_t gdtr_limit, idtr_limit;
    uint32_t activity, interruptibility, entry_intr_info;
    uint32_t entry_ctl, proc2;            /* VM-entry controls, secondary proc controls */
    uint64_t cr0_fixed0, cr0_fixed1, cr4_fixed0, cr4_fixed1;
};

/* A buffer this size holds every message guest_state_check writes. */
#define GUEST_CHECK_MSG_MAX 160

/*
 * guest_state_check - the first failing check, as "FIELD: what is wrong
 * (SDM 27.3.1.x)" written into buf (truncated to size, always terminated
 * when size > 0); returns 0 when every implemented check passes (then buf
 * says "no failing check found among those monovisor knows"), 1 when one
 * fails. Linear addresses are checked as 48-bit (no 5-level paging), and
 * the processor is assumed to be outside SMM.
 */
int guest_state_check(const struct guest_state_snapshot *s, char *buf, size_t size);

#endif
