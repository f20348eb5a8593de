/*
 * vmx.h - VMX operation on a core: VMXON, the VMCS, the guest's start state.
 */
#ifndef VMX_H
#define VMX_H

#include "cpuid_policy.h"
#include "msr_policy.h"
#include "vcpu.h"
#include "vmx_caps.h"

/* The guest's CPUID policy, shared by every vCPU (vmx/exits.c). */
extern struct cpuid_policy guest_cpuid;

/* The CPUID fast path (vmx/entry.asm) answers leaves below this from
 * cpuid_fast without leaving assembly. */
#define CPUID_FAST_LEAVES 32

/*
 * cpuid_fast - guest_cpuid as masks (cpuid_policy_masks) for the leaves the
 * fast path answers. valid: bit n (n < 32) says masks[n] holds leaf n's
 * masks under the current policy and the leaf was noted as asked; bits
 * 63:32 count policy changes, so that a slow CPUID exit that computed its
 * masks under an older policy cannot set its bit (compare-and-swap on the
 * whole word). The slow path (handle_cpuid) fills it, one leaf at a time.
 */
struct cpuid_fast {
    uint64_t valid;
    struct cpuid_masks masks[CPUID_FAST_LEAVES];
};
extern struct cpuid_fast cpuid_fast;

/* cpuid_fast_invalidate - after any change of guest_cpuid: every leaf
 * goes through the slow path again (and refills its masks). */
void cpuid_fast_invalidate(void);

struct vmx_config {
    bool hlt_exiting;           /* hlt=exit: intercept HLT */
    uint64_t preempt_ticks;     /* VMX-preemption timer period in TSC ticks (0: off) */
    uint64_t eptp;
    uint16_t console_port;      /* base of the UART the guest must not touch */
};

/*
 * vmx_enable_cpu - enter VMX operation on this core: IA32_FEATURE_CONTROL
 * (enable and lock when firmware left it unlocked), CR0/CR4 fixed bits,
 * CR4.VMXE, VMXON with a fresh VMXON region. Returns 0, or -1 after
 * printing an error line.
 */
int vmx_enable_cpu(const struct vmx_caps *caps);

/* vmx_disable_cpu - VMXOFF on this core (idempotent). */
void vmx_disable_cpu(void);

/*
 * vmx_setup_vcpu - allocate and initialise v's VMCS (controls from the
 * capability MSRs, host state, bitmaps, EPT) and make it current.
 * Returns 0, or -1 after printing why.
 */
int vmx_setup_vcpu(struct vcpu *v, const struct vmx_caps *caps, const struct vmx_config *cfg);

/* vmx_io_intercept - make port I/O on [port, port + n) exit (on) or pass
 * through (off) in v's I/O bitmaps (25.6.4). */
void vmx_io_intercept(struct vcpu *v, uint16_t port, unsigned n, bool on);

/* vmx_msr_intercept - make RDMSR/WRMSR of msr exit (on) or pass through
 * (off, never for the MSRs monovisor always virtualises). */
void vmx_msr_intercept(struct vcpu *v, uint32_t msr, bool on);

/* vmx_msr_always_intercepted - IA32_FEATURE_CONTROL and the VMX MSRs. */
bool vmx_msr_always_intercepted(uint32_t msr);

/* The guest's MSR policy, shared by every vCPU (vmx/exits.c). */
extern struct msr_policy guest_msrs;

/* vmx_set_guest_start - the guest state of a fresh start in s->mode. */
void vmx_set_guest_start(struct vcpu *v, const struct guest_start *s);

/* vmx_set_init_state - the architectural state after INIT, waiting for a
 * SIPI (the VMCS must be current: v's own core, between exits). */
void vmx_set_init_state(struct vcpu *v);

/* vmx_start_at_sipi - leave wait-for-SIPI: real mode at vector << 12. */
void vmx_start_at_sipi(struct vcpu *v, uint8_t vector);

/* platform_port - a port through which the guest resets or powers off the
 * machine (keyboard controller, 0xCF9, ACPI PM1 control); always
 * intercepted (platform_intercept) and applied to the guest only. */
bool platform_port(uint16_t port);
void platform_intercept(struct vcpu *v);

/* vmx_config - the configuration the vCPUs were set up with. */
const struct vmx_config *vmx_config(void);

#endif
