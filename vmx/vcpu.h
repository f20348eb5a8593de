/*
 * vcpu.h - one virtual CPU pinned to one core, and the loop that runs it.
 *
 * The shape is KVM's: vcpu_run() processes requests, enters the guest
 * (VMLAUNCH first, VMRESUME after), dispatches the exit by basic reason
 * through a table of handlers, accounts, and repeats.
 */
#ifndef VCPU_H
#define VCPU_H

#include <stdbool.h>
#include <stdint.h>

#include "../kernel/cpuid_policy.h"
#include "../kernel/hist.h"
#include "vmx_defs.h"
#include "vmx_ops.h"
#include "../ept/guest_ept.h"
#include "../kernel/loader.h"
#include "../kernel/vexit.h"
#include "../kernel/percpu.h"
#include "../kernel/x86_regs.h"

/* The CPUID fast path (vmx/entry.asm) answers leaves below this from
 * the vCPU's cpuid_fast without leaving assembly. */
#define CPUID_FAST_LEAVES 32

/*
 * cpuid_fast - the guest's CPUID policy (guest_cpuid) as masks
 * (cpuid_policy_masks) for the leaves the fast path answers, one set per
 * vCPU: the answer depends on the vCPU's CR4 (OSXSAVE, OSPKE). valid: bit
 * n (n < 32) says masks[n] holds leaf n's masks under the current policy
 * and CR4 and the leaf was noted as asked; bits 63:32 count changes
 * (policy, or the vCPU's CR4.OSXSAVE/PKE), so that a slow CPUID exit that
 * computed its masks before a change cannot set its bit (compare-and-swap
 * on the whole word: the console changes the policy from another core).
 * The slow path (handle_cpuid) fills it, one leaf at a time.
 */
struct cpuid_fast {
    uint64_t valid;
    struct cpuid_masks masks[CPUID_FAST_LEAVES];
};

/* Guest GPRs not held in the VMCS, saved and loaded by vmx/entry.asm.
 * entry.asm reaches the fields through build/gen/asm_offsets.inc, which
 * vmx/asm_offsets.c generates from this very struct. */
struct guest_regs {
    uint64_t rax, rbx, rcx, rdx, rsi, rdi, rbp;
    uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
    uint64_t host_rsp;      /* last value written to VMCS_HOST_RSP */
};

/* vmx/entry.asm: run the guest, handling exits (the fast path in
 * assembly, then vcpu_exit_light(), then vcpu_exit()) until one says stop
 * (then 0), or VMLAUNCH/VMRESUME fails (then the enum vmx_result). */
int vmx_run_guest(struct guest_regs *regs, int launched);

/* vcpu_exit_light - an exit with only the caller-saved GPRs in v->regs
 * (RAX, RCX, RDX, RSI, RDI, R8-R11; RBX, RBP, R12-R15 are still the
 * guest's, in the CPU): 1 if a light handler dealt with it and the guest
 * may resume, 0 to go on to vcpu_exit(). */
struct vcpu;
int vcpu_exit_light(struct vcpu *v);

/* vcpu_exit - handle one VM exit with every GPR in regs; non-zero:
 * resume the guest at once. */
int vcpu_exit(struct guest_regs *regs);

enum exit_action { EXIT_RESUME, EXIT_STOP };

enum vcpu_state {
    VCPU_NO_GUEST,          /* nothing loaded */
    VCPU_RUNNING,
    VCPU_PAUSED,            /* by the console; resume continues */
    VCPU_STOPPED,           /* the guest ended or failed; reset reloads it */
};

/* Requests, set by the console or another core (vcpu_request) and handled
 * by the vCPU's own core before it enters the guest again. */
#define VCPU_REQ_RESET      (1u << 0)   /* guest reset: the boot vCPU reloads, others wait for SIPI */
#define VCPU_REQ_PAUSE      (1u << 1)
#define VCPU_REQ_RESUME     (1u << 2)
#define VCPU_REQ_STEP       (1u << 3)
#define VCPU_REQ_CALL       (1u << 4)   /* run call_fn on the vCPU's core (vcpu_call) */
#define VCPU_REQ_STOP       (1u << 5)   /* the whole guest stopped (triple fault, ...) */
#define VCPU_REQ_OFF        (1u << 6)   /* power-off: VMXOFF and halt */
#define VCPU_REQ_INIT       (1u << 7)   /* the guest sent this vCPU an INIT */
#define VCPU_REQ_SIPI       (1u << 8)   /* ... a SIPI (vector in sipi) */
#define VCPU_REQ_NMI        (1u << 9)   /* an NMI this core took in the hypervisor is the guest's */
#define VCPU_REQ_INTR       (1u << 10)  /* a PIC interrupt of the guest's COM1 waits (vmx/vserial.h) */

/* vcpu.sipi: the first SIPI since the last INIT wins (10.4.4). */
#define SIPI_VALID          0x100u      /* | vector: not yet taken */
#define SIPI_TAKEN          0x200u      /* later SIPIs are ignored until INIT */

/* Where the vCPU is in KVM's mp_state sense (what INIT and SIPI do). */
enum vcpu_mp_state {
    MP_RUNNABLE,
    MP_WAIT_SIPI,           /* after INIT: waits for a SIPI, in the hypervisor */
};


#define TRACE_LEN 64
#define TRACE_MARK 0xFFFF   /* reason of a hypercall trace mark */

struct trace_entry {
    uint64_t tsc;
    uint64_t rip;
    uint64_t qual;
    uint32_t reason;
};

struct vcpu {
    struct guest_regs regs;         /* entry.asm: must stay the first member */
    int launched;
    unsigned id;                    /* = the index of its core */
    uint32_t apic_id;
    struct cpu *cpu;                /* the core it is pinned to */
    bool boot;                      /* the guest's boot vCPU (starts at the entry point) */
    bool console;                   /* its core serves the console */
    volatile enum vcpu_mp_state mp_state;
    uint64_t vmcs_pa;
    void *vmcs;
    uint8_t *msr_bitmap;            /* 4 KiB: read low, read high, write low, write high */
    uint8_t *io_bitmap;             /* 8 KiB: A (0-0x7fff) then B */
    uint32_t pin, proc, proc2, exit_ctl, entry_ctl;  /* as programmed */

    /* Per-exit cache: each field is read from the VMCS at most once. */
    uint32_t exit_reason;
    bool have_rip, have_qual;
    uint64_t rip, qual;

    uint64_t cr0_shadow, cr4_shadow;
    struct cpuid_fast cpuid_fast;   /* entry.asm's CPUID fast path (vmx/exits.c fills it) */
    uint64_t preempt_reload;        /* VMX-preemption timer reload value, 0 = off */

    uint32_t console_countdown;     /* exits until the console is served again */
    bool stepping;                  /* `step`: one instruction, then paused again */
    bool nmi_pending;               /* an NMI the hypervisor took belongs to the guest */
    uint64_t step_from;             /* RIP the step started at */
    uint64_t step_tf;               /* the guest's own RFLAGS.TF during a step */
    volatile uint32_t requests;
    void (*volatile call_fn)(struct vcpu *, void *);   /* VCPU_REQ_CALL */
    void *call_arg;
    uint32_t exception_bitmap;      /* as programmed */
    volatile uint32_t sipi;         /* SIPI_VALID | vector, SIPI_TAKEN or 0 */
    uint64_t inits, sipis, kicks;   /* INITs and SIPIs taken, kicks that were ours */
    volatile enum vcpu_state state;
    const char *stop_reason;
    int exit_status;

    uint64_t exits;                 /* every exit (entry.asm counts) */
    uint64_t exit_count[VEXIT_MAX];         /* per neutral reason (kernel/vexit.h), every path */
    /* Per exit reason, the exits vcpu_exit() handled (the fast and light
     * paths are counted in exit_count only): TSC cycles in the handler
     * (sum, min, max) and their log2 histogram, all in one (vmx/hist.h). */
    struct hist stats[VEXIT_MAX];
    struct hist unknown_stat;
#ifdef VMX_COUNT_VMCS_ACCESS
    /* Benchmark build: VMREADs and VMWRITEs per exit reason (1 CPU: the
     * counters in vmx_ops.h are global). */
    uint64_t vmreads[VEXIT_MAX], vmwrites[VEXIT_MAX];
    uint64_t vmreads0, vmwrites0;   /* the counters when this exit began (entry.asm) */
#endif
    struct trace_entry trace[TRACE_LEN];
    uint64_t trace_count;           /* entries ever written; head = count % TRACE_LEN */
    uint64_t resets;
    struct ept_stats ept;           /* the EPT fault path's counters and log */
};

/* Set at boot from the command line: what a refused EPT access does. */
extern bool ept_refuse_injects_gp;

/* One vCPU per core given to the guest, indexed by core; NULL elsewhere. */
extern struct vcpu *vcpus[MAX_CPUS];

/* vcpu_count - the number of vCPUs. */
unsigned vcpu_count(void);

/* vcpu_boot - the guest's boot vCPU (on the boot core), NULL before VMX. */
struct vcpu *vcpu_boot(void);

/* vcpu_alloc - a zeroed vCPU for core c, registered in vcpus[]. */
struct vcpu *vcpu_alloc(struct cpu *c);

/* vcpu_request - set req on v and force its core out of the guest (an NMI,
 * or a SIPI while it waits for one) so that it handles req at once. */
void vcpu_request(struct vcpu *v, uint32_t req);

/* vcpu_request_all - vcpu_request on every vCPU. */
void vcpu_request_all(uint32_t req);

/* vcpu_call - run fn(v, arg) on v's core, between exits, and wait for it
 * (at most about a second). Returns 0, or -1 if the core did not answer. */
int vcpu_call(struct vcpu *v, void (*fn)(struct vcpu *, void *), void *arg);

/* vcpu_stop_guest - the guest as a whole stopped (triple fault on any
 * core, an entry failure...): this vCPU stops with why, the others too. */
enum exit_action vcpu_stop_guest(struct vcpu *v, const char *why);

/* vcpu_apply_init - what INIT does to v (on v's core): an AP goes to the
 * INIT state and waits for a SIPI; the boot vCPU resets the guest. */
void vcpu_apply_init(struct vcpu *v);

/* vcpu_off_all - power-off: every other core leaves VMX operation (VMXOFF)
 * and halts (waits for them, briefly), then this one; prints
 * `vmx.off cpus=N of M`, N the cores no longer in VMX operation. */
void vcpu_off_all(void);

/* vcpu_park - a core kept out of the guest: sleep in VMX root operation
 * (INIT blocked) until vcpu_off_all; never returns. */
_Noreturn void vcpu_park(struct cpu *c);

/* vcpu_run - the non-preemptive loop on this core; never returns. */
_Noreturn void vcpu_run(struct vcpu *v);

/* vcpu_stepping_or_nmi - `step` is on or an NMI of the guest's waits:
 * both flags in one 16-bit load, as entry.asm tests them
 * (vmx/asm_offsets.c asserts that they are adjacent bytes). */
static inline bool vcpu_stepping_or_nmi(const struct vcpu *v)
{
    uint16_t both;
    __builtin_memcpy(&both, &v->stepping, sizeof(both));
    return both;
}

/* Exit helpers for handlers: each VMCS field is read at most once per
 * exit (vmx/entry.asm clears the have_ flags). */
static inline uint64_t vcpu_rip(struct vcpu *v)
{
    if (!v->have_rip) {
        v->rip = vmcs_readn(VMCS_GUEST_RIP);
        v->have_rip = true;
    }
    return v->rip;
}

static inline uint64_t vcpu_qual(struct vcpu *v)
{
    if (!v->have_qual) {
        v->qual = vmcs_readn(VMCS_EXIT_QUALIFICATION);
        v->have_qual = true;
    }
    return v->qual;
}

/* vcpu_cpl - the guest's current privilege level: SS.DPL, which VM entry
 * requires equal to CPL (SDM Vol. 3C, 25.4.1; CS.DPL can differ for a
 * conforming code segment). Real mode: 0; virtual-8086 mode: 3. */
static inline unsigned vcpu_cpl(struct vcpu *v)
{
    (void)v;
    return (vmcs_read32(VMCS_GUEST_SS_AR) >> 5) & 3;
}

/* vcpu_skip_debug - the end of an emulated instruction for the debug
 * flags in rflags (TF, RF); vcpu_skip_instruction's rare case. */
void vcpu_skip_debug(struct vcpu *v, uint64_t rflags);

/* vcpu_advance - the instruction at RIP, len bytes, completed for the
 * guest: RIP past it, and what its completion does to RFLAGS.TF and RF
 * (vcpu_skip_debug). */
static inline void vcpu_advance(struct vcpu *v, uint32_t len)
{
    v->rip = vcpu_rip(v) + len;
    vmcs_writen(VMCS_GUEST_RIP, v->rip);
    uint64_t rflags = vmcs_readn(VMCS_GUEST_RFLAGS);
    if (__builtin_expect(rflags & (RFLAGS_TF | RFLAGS_RF), 0))
        vcpu_skip_debug(v, rflags);
}

/* vcpu_skip_instruction - vcpu_advance past the exiting instruction (its
 * length from the VM-exit instruction-length field, 28.2.5). */
static inline void vcpu_skip_instruction(struct vcpu *v)
{
    vcpu_advance(v, vmcs_read32(VMCS_EXIT_INSTRUCTION_LEN));
}
void vcpu_inject_exception(struct vcpu *v, unsigned vector, bool has_error, uint32_t error);

/* vcpu_io_breakpoints - after an IN or OUT of size bytes at port that the
 * hypervisor performed for the guest: the guest's I/O breakpoints it
 * matches (vmx/dbg.h) become a pending #DB trap, delivered at the next
 * entry as the CPU would have after the instruction. Only while the
 * guest's CR4.DE is set (I/O breakpoints need it: 17.2.4); the check is
 * inline so the common case costs a test. */
void vcpu_io_breakpoints_slow(struct vcpu *v, uint16_t port, unsigned size);
static inline void vcpu_io_breakpoints(struct vcpu *v, uint16_t port, unsigned size)
{
    if (__builtin_expect(v->cr4_shadow & CR4_DE, 0))
        vcpu_io_breakpoints_slow(v, port, size);
}

/* vcpu_deliver_nmi - inject the guest's pending NMI (nmi_pending) if it
 * can take one now, else ask for an NMI-window exit (virtual NMIs). */
void vcpu_deliver_nmi(struct vcpu *v);
void vcpu_trace(struct vcpu *v, uint32_t reason, uint64_t qual);

/* vcpu_stop - stop the guest with a reason printed as guest.stopped. */
enum exit_action vcpu_stop(struct vcpu *v, const char *why);

/* vcpu_guest_exit - the guest asked to end with status (port 0xf4 or
 * HC_SHUTDOWN): print guest.exit, then power off or keep the console. */
enum exit_action vcpu_guest_exit(struct vcpu *v, int status);

/* vcpu_get_gpr / vcpu_set_gpr - GPR by its encoding in exit
 * qualifications (0 RAX, 1 RCX, 2 RDX, 3 RBX, 4 RSP, 5 RBP, 6 RSI, 7 RDI, 8-15 R8-R15). */
uint64_t vcpu_get_gpr(struct vcpu *v, unsigned n);
void vcpu_set_gpr(struct vcpu *v, unsigned n, uint64_t val);

/* vcpu_fetch_code - up to 15 bytes at the guest's CS:RIP, read through
 * its page tables (v's core, between exits); the number read. */
size_t vcpu_fetch_code(struct vcpu *v, uint8_t *buf);

/* vcpu_start - load the guest and make v runnable (boot and reset). */
int vcpu_start(struct vcpu *v);

/* Set at boot from the command line: what a guest exit does. */
extern bool guest_exit_keeps_console;

/* vcpu_dump - guest GPRs, RIP, RFLAGS, CRs, segments as key=value lines. */
void vcpu_dump(struct vcpu *v);

/* Dispatch table (vmx/exits.c). */
typedef enum exit_action (*exit_handler)(struct vcpu *v);
extern const exit_handler exit_handlers[VEXIT_MAX];

/* Light handlers (vmx/exits.c), tried first for their reasons: they see
 * only the caller-saved GPRs in v->regs (vcpu_exit_light). Each either
 * handles the exit completely and returns true, or changes nothing and
 * returns false (then the exit_handlers entry runs). No locks held long,
 * no printing: the common case of a frequent exit. */
typedef bool (*exit_light_handler)(struct vcpu *v);
extern const exit_light_handler exit_light_handlers[EXIT_REASON_MAX];
enum exit_action handle_unknown_exit(struct vcpu *v);

#endif
