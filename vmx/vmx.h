/*
 * vmx.h - VMX operation on a core: VMXON, the VMCS, the guest's start state.
 */
#ifndef VMX_H
#define VMX_H

#include "../kernel/cpuid_policy.h"
#include "../kernel/msr_policy.h"
#include "vcpu.h"
#include "vmx_caps.h"

/* The guest's CPUID policy, shared by every vCPU (vmx/exits.c). */
extern struct cpuid_policy guest_cpuid;

/* cpuid_fast_invalidate - after any change of guest_cpuid: on every vCPU,
 * every leaf goes through the slow path again (and refills its masks). */
void cpuid_fast_invalidate(void);

/* cpuid_fast_invalidate_vcpu - the same for v alone: after its CR4 read
 * shadow changed in CR4_CPUID_BITS (a MOV to CR4, INIT, a fresh start). */
void cpuid_fast_invalidate_vcpu(struct vcpu *v);

/* The CR4 bits that CPUID reports back (CPUID.01H:ECX.OSXSAVE = CR4.OSXSAVE,
 * CPUID.(07H,0):ECX.OSPKE = CR4.PKE: SDM Vol. 2A, CPUID, Tables 3-10 and
 * 3-8). Host-owned in the CR4 guest/host mask (SDM Vol. 3C, 25.6.6), so a
 * MOV to CR4 that changes one exits and the vCPU's CPUID masks follow; a
 * MOV that leaves them as the read shadow has them (Linux's CR4.PGE
 * toggles) does not exit (26.1.3). */
#define CR4_CPUID_BITS (CR4_OSXSAVE | CR4_PKE)

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

/* vmx_reset_xstate - XCR0 and IA32_XSS as a reset leaves them, on this
 * core: they are the guest's while it runs (the hypervisor never changes
 * them otherwise), so a guest (re)start must not inherit an older XCR0. */
void vmx_reset_xstate(void);

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

/* vmx_guest_cache_control - give this core the guest's CR0.CD and NW
 * from cr0. VM entry does not load them and VM exit does not change them
 * (SDM Vol. 3C, 27.3.2.1, 28.5.1): the core's own bits are the guest's
 * (it owns the core), and a MOV to CR0 the hypervisor emulates, INIT and
 * a fresh start set them here, on the vCPU's core. */
void vmx_guest_cache_control(uint64_t cr0);

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
