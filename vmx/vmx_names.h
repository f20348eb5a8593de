/*
 * vmx_names.h - names for VMX numbers: exit reasons, VM-instruction
 * errors, control bits (pure; host unit tested).
 */
#ifndef VMX_NAMES_H
#define VMX_NAMES_H

#include <stdint.h>

enum vmx_ctl_kind { CTL_PIN, CTL_PROC, CTL_PROC2, CTL_EXIT, CTL_ENTRY, CTL_KINDS };

/* exit_reason_name - "cpuid", "ept_violation", ... or "unknown" (basic reason). */
const char *exit_reason_name(uint32_t basic_reason);

/* vmx_vexit - the vendor-neutral reason (kernel/vexit.h) of a basic exit
 * reason; for reason 0 (exception or NMI) intr_info, the VM-exit
 * interruption information, tells which. */
unsigned vmx_vexit(uint32_t basic_reason, uint32_t intr_info);

/* vm_instruction_error_name - the SDM's text for error n (31.4), or "unknown". */
const char *vm_instruction_error_name(uint32_t n);

/* vmx_ctl_kind_name - "pin", "proc", "proc2", "exit", "entry". */
const char *vmx_ctl_kind_name(enum vmx_ctl_kind kind);

/* vmx_ctl_bit_name - name of bit (0-31) of a control, or NULL if unnamed. */
const char *vmx_ctl_bit_name(enum vmx_ctl_kind kind, unsigned bit);

#endif
