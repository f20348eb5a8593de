/*
 * vmx_names.h - names for VMX numbers: exit reasons, VM-instruction
 * errors, control bits (pure; host unit tested).
 */
#ifndef VMX_NAMES_H
#define VMX_NAMES_H

#include <stdint.h>

#include "vmx_defs.h"
#include "../kernel/hypercall_abi.h"

enum vmx_ctl_kind { CTL_PIN, CTL_PROC, CTL_PROC2, CTL_EXIT, CTL_ENTRY, CTL_KINDS };

/* exit_reason_name - "cpuid", "ept_violation", ... or "unknown" (basic reason). */
const char *exit_reason_name(uint32_t basic_reason);

/* vmx_vexit - the vendor-neutral reason (kernel/hypercall_abi.h) of a
 * basic exit reason; for reason 0 (exception or NMI) intr_info, the
 * VM-exit interruption information, tells which (25.2, 28.2.2). Inline:
 * every exit the core handles asks. */
extern const uint8_t vmx_neutral_reasons[EXIT_REASON_MAX];
static inline unsigned vmx_vexit(uint32_t basic, uint32_t intr_info)
{
    if (basic == EXIT_REASON_EXCEPTION_NMI)
        return (intr_info & (7u << 8)) == INTR_TYPE_NMI ? VEXIT_NMI : VEXIT_EXCEPTION;
    return basic < EXIT_REASON_MAX && vmx_neutral_reasons[basic] ? vmx_neutral_reasons[basic] - 1u
                                                                   : VEXIT_OTHER;
}

/* vm_instruction_error_name - the SDM's text for error n (31.4), or "unknown". */
const char *vm_instruction_error_name(uint32_t n);

/* vmx_ctl_kind_name - "pin", "proc", "proc2", "exit", "entry". */
const char *vmx_ctl_kind_name(enum vmx_ctl_kind kind);

/* vmx_ctl_bit_name - name of bit (0-31) of a control, or NULL if unnamed. */
const char *vmx_ctl_bit_name(enum vmx_ctl_kind kind, unsigned bit);

#endif
