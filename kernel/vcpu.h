/*
 * vcpu.h - one virtual CPU pinned to one core, and the loop that runs it:
 * the vendor-neutral core (kernel/vcpu.c). The shape is KVM's: vcpu_run()
 * processes requests, enters the guest through the backend (virt.run,
 * kernel/virt.h), which hands every exit it does not answer itself to
 * vcpu_exit(): a table of handlers by neutral exit reason (kernel/exit.c),
 * accounting, the trace; then it repeats.
 */
#ifndef VCPU_H
#define VCPU_H

#include <stdbool.h>
#include <stdint.h>

#include "cpuid_policy.h"
#include "dbg.h"
#include "hist.h"
#include "loader.h"
#include "msr_policy.h"
#include "percpu.h"
#include "vexit.h"
#include "virt.h"
#include "x86.h"
#include "x86_regs.h"
#include "guest_walk.h"
#include "../ept/guest_ept.h"

/* The CPUID fast paths (in a backend's entry assembly) answer leaves below
 * this from the vCPU's cpuid_fast without leaving assembly. */
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
 * The slow path (kernel/exit.c, handle_cpuid) fills it, one leaf at a time.
 */
struct cpuid_fast {
    uint64_t valid;         /* bit per leaf; the generation in the high half */
    uint32_t cr4;           /* the CR4_CPUID_BITS the masks were made for (a backend
                               whose CR4 writes do not exit compares them) */
    struct cpuid_masks masks[CPUID_FAST_LEAVES];
};

/* The guest's GPRs, saved and loaded by the backend's entry assembly
 * (which reaches them through generated offsets). RSP (and RAX on AMD)
 * live in the control block: vcpu_get_gpr/vcpu_set_gpr know. */
struct guest_regs {
    uint64_t rax, rbx, rcx, rdx, rsi, rdi, rbp;
    uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
    uint64_t host_rsp;      /* the backend's: the host stack of the last entry */
};

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
#define VCPU_REQ_OFF        (1u << 6)   /* power-off: leave virtualization and halt */
#define VCPU_REQ_INIT       (1u << 7)   /* the guest sent this vCPU an INIT */
#define VCPU_REQ_SIPI       (1u << 8)   /* ... a SIPI (vector in sipi) */
#define VCPU_REQ_NMI        (1u << 9)   /* an NMI this core took in the hypervisor is the guest's */
#define VCPU_REQ_INTR       (1u << 10)  /* a PIC interrupt of the guest's COM1 waits (kernel/vserial.h) */

/* vcpu.sipi: the first SIPI since the last INIT wins (10.4.4). */
#define SIPI_VALID          0x100u      /* | vector: not yet taken */
#define SIPI_TAKEN          0x200u      /* later SIPIs are ignored until INIT */

/* Where the vCPU is in KVM's mp_state sense (what INIT and SIPI do). */
enum vcpu_mp_state {
    MP_RUNNABLE,
    MP_WAIT_SIPI,           /* after INIT: waits for a SIPI, in the hypervisor */
};

/* What one vCPU's writes to its local APIC did (kernel/vapic.c, and the
 * x2APIC ICR fast path of the entry assembly): stores emulated, ICR writes
 * (the IPIs it sent) by decision. `cpus` adds them up, `rt` shows a core's
 * IPIs. */
struct apic_stats {
    uint64_t mmio_writes, icr_writes, passed, inits, sipis, ignored, dropped;
};

#define TRACE_LEN 64
#define TRACE_MARK 0xFFFF   /* reason of a hypercall trace mark */

struct trace_entry {
    uint64_t tsc;
    uint64_t rip;
    uint64_t qual;          /* a mark's value, or the exit's vexit_info first_word */
    uint32_t reason;        /* VEXIT_*, or TRACE_MARK */
};

struct vcpu {
    struct guest_regs regs;         /* entry assembly: must stay the first member */
    unsigned id;                    /* = the index of its core */
    uint32_t apic_id;
    struct cpu *cpu;                /* the core it is pinned to */
    bool boot;                      /* the guest's boot vCPU (starts at the entry point) */
    bool console;                   /* its core serves the console */
    volatile enum vcpu_mp_state mp_state;

    struct vexit_info exit;         /* the exit being handled (the backend fills it) */
    /* The guest's RIP, valid while rip_valid: the backend's cache of it
     * for the exit being handled (its entry path clears rip_valid on every
     * exit; get_reg and set_reg of VREG_RIP fill it). vcpu_rip reads it. */
    uint64_t rip;
    bool rip_valid;
    bool exit_cached;               /* the backend's own cache of this exit's fields (VMX:
                                     * the qualification); right after rip_valid, so that
                                     * one store clears both (vmx/entry.asm) */
    struct cpuid_fast cpuid_fast;   /* the CPUID fast path's masks (kernel/exit.c fills them) */

    uint32_t console_countdown;     /* exits until the console is served again */
    bool stepping;                  /* `step`: one instruction, then paused again */
    bool nmi_pending;               /* an NMI the hypervisor took belongs to the guest */
    bool cr4_de;                    /* the guest's CR4.DE, kept current by the backend for
                                       I/O exits (I/O breakpoints need it) */
    uint64_t step_from;             /* RIP the step started at */
    volatile uint32_t requests;
    void (*volatile call_fn)(struct vcpu *, void *);   /* VCPU_REQ_CALL */
    void *call_arg;
    uint32_t trap_exceptions;       /* exceptions `trap exception` made exit */
    uint32_t debug_exceptions;      /* exceptions the GDB stub needs (#BP, #DB) */
    bool dr_shared;                 /* the GDB stub holds debug registers: the guest's
                                       are in dr_share, its MOV DR exit (kernel/gdb_stub.c) */
    bool dr_movdr_was_on;           /* `trap movdr` before the stub took them */
    struct dr_share dr_share;
    uint32_t exception_bitmap;      /* the two together: what the backend loads
                                       (vcpu_update_exceptions) */
    volatile uint32_t sipi;         /* SIPI_VALID | vector, SIPI_TAKEN or 0 */
    uint64_t inits, sipis, kicks;   /* INITs and SIPIs taken, kicks that were ours */
    uint64_t guest_nmis;            /* NMIs for the guest the hypervisor took, by exit or
                                     * in its own code (reflected; they merge as in a CPU) */
    struct apic_stats apic;         /* its APIC writes emulated, the IPIs it sent */
    volatile enum vcpu_state state;
    const char *stop_reason;
    int exit_status;

    uint64_t exits;                 /* every exit (the entry assembly counts) */
    uint64_t exit_count[VEXIT_MAX]; /* per reason, every path */
    /* Per exit reason, the exits vcpu_exit() handled (the fast and light
     * paths are counted in exit_count only): TSC cycles in the handler
     * (sum, min, max) and their log2 histogram, all in one (kernel/hist.h). */
    struct hist stats[VEXIT_MAX];
    struct trace_entry trace[TRACE_LEN];
    uint64_t trace_count;           /* entries ever written; head = count % TRACE_LEN */
    uint64_t resets;
    /* `rt`'s window (kernel/rt.c): the TSC and the counters when it
     * began (the guest's start, `rt reset`). */
    uint64_t rt_tsc0, rt_exits0, rt_kicks0, rt_ipis0, rt_count0[VEXIT_MAX];
    struct ept_stats ept;           /* the second-level map's fault counters and log */
};

/* Set at boot from the command line: what a refused guest-physical access does. */
extern bool ept_refuse_injects_gp;

/* Set at boot from the command line: what a guest exit does. */
extern bool guest_exit_keeps_console;

/* One vCPU per core given to the guest, indexed by core; NULL elsewhere. */
extern struct vcpu *vcpus[MAX_CPUS];

/* vcpu_count - the number of vCPUs. */
unsigned vcpu_count(void);

/* vcpu_boot - the guest's boot vCPU (on the boot core), NULL before the guest. */
struct vcpu *vcpu_boot(void);

/* vcpu_alloc - a zeroed vCPU (virt.vcpu_size bytes) for core c,
 * registered in vcpus[]. */
struct vcpu *vcpu_alloc(struct cpu *c);

/* vcpu_request - set req on v and force its core out of the guest (an NMI)
 * so that it handles req at once. */
void vcpu_request(struct vcpu *v, uint32_t req);

/* vcpu_request_all - vcpu_request on every vCPU. */
void vcpu_request_all(uint32_t req);

/* vcpu_wait_requests - wait until v's core took the requests in mask
 * (kicking it again every millisecond, at most a second): 0, or -1. */
int vcpu_wait_requests(struct vcpu *v, uint32_t mask);

/* vcpu_call - run fn(v, arg) on v's core, between exits, and wait for it
 * (at most about a second). Returns 0, or -1 if the core did not answer. */
int vcpu_call(struct vcpu *v, void (*fn)(struct vcpu *, void *), void *arg);

/* vcpu_stop - stop the guest with a reason printed as guest.stopped. */
enum exit_action vcpu_stop(struct vcpu *v, const char *why);

/* vcpu_stop_guest - the guest as a whole stopped (triple fault on any
 * core, an entry failure...): this vCPU stops with why, the others too. */
enum exit_action vcpu_stop_guest(struct vcpu *v, const char *why);

/* vcpu_guest_exit - the guest asked to end with status (port 0xf4 or
 * HC_SHUTDOWN): print guest.exit, then power off or keep the console. */
enum exit_action vcpu_guest_exit(struct vcpu *v, int status);

/* vcpu_apply_init - what INIT does to v (on v's core): an AP goes to the
 * INIT state and waits for a SIPI; the boot vCPU resets the guest. */
void vcpu_apply_init(struct vcpu *v);

/* vcpu_off_all - power-off: every other core leaves virtualization
 * operation and halts (waits for them, briefly), then this one; prints
 * `vmx.off cpus=N of M`, N the cores no longer in it. */
void vcpu_off_all(void);

/* vcpu_park - a core kept out of the guest: sleep in virtualization
 * operation (INIT blocked) until vcpu_off_all; never returns. */
_Noreturn void vcpu_park(struct cpu *c);

/* vcpu_start - load the guest and make v runnable (boot and reset). */
int vcpu_start(struct vcpu *v);

/* vcpu_run - the non-preemptive loop on this core; never returns. */
_Noreturn void vcpu_run(struct vcpu *v);

/*
 * vcpu_exit - one exit the backend did not answer in its fast paths, with
 * every GPR in v->regs and v->exit filled: the handler of v->exit.reason
 * (kernel/exit.c), accounting, the trace, the end of a `step`. Returns
 * non-zero to resume the guest at once, 0 to go back to vcpu_run (a stop).
 * It does not look at the requests: the backend does, before every entry
 * (with the kick's NMI held off meanwhile: VMX's entry windows, SVM's GIF).
 */
int vcpu_exit(struct vcpu *v);

/* vcpu_stepping_or_nmi - `step` is on or an NMI of the guest's waits:
 * both flags in one 16-bit load, as the entry assembly tests them (the
 * backend's generated offsets assert that they are adjacent bytes). */
static inline bool vcpu_stepping_or_nmi(const struct vcpu *v)
{
    uint16_t both;
    __builtin_memcpy(&both, &v->stepping, sizeof(both));
    return both;
}

/* vcpu_rip - the guest's RIP (cached for the exit, else virt.get_reg). */
static inline uint64_t vcpu_rip(struct vcpu *v)
{
    return v->rip_valid ? v->rip : virt.get_reg(v, VREG_RIP);
}

/* vcpu_skip_instruction - the exiting instruction completed for the guest
 * (virt.skip: RIP past it, RF cleared, TF's trap pending). */
static inline void vcpu_skip_instruction(struct vcpu *v)
{
    virt.skip(v);
}

/* vcpu_advance - the instruction at RIP, len bytes, completed for the
 * guest (an MMIO store the hypervisor did; virt.advance). */
static inline void vcpu_advance(struct vcpu *v, unsigned len)
{
    virt.advance(v, len);
}

/* vcpu_skip_debug - what the completion of an instruction emulated for
 * the guest does to the debug flags in rflags: with TF a single-step trap
 * (virt.pending_debug: BS), unless IA32_DEBUGCTL.BTF makes TF step on
 * branches; RF cleared (SDM Vol. 3A, 17.3.1). For backends' skip. */
void vcpu_skip_debug(struct vcpu *v, uint64_t rflags);

/* vcpu_inject_exception - a hardware exception for the next entry, as if
 * the instruction had faulted (RIP stays): RFLAGS.RF set first for a
 * fault (kernel/event.h, exception_sets_rf). */
void vcpu_inject_exception(struct vcpu *v, unsigned vector, bool has_error, uint32_t error);

/* vcpu_io_breakpoints - after an IN or OUT of size bytes at port that the
 * hypervisor performed for the guest: the guest's I/O breakpoints it
 * matches (kernel/dbg.h) become a pending #DB trap, delivered at the next
 * entry as the CPU would have after the instruction. Only while the
 * guest's CR4.DE is set (I/O breakpoints need it: 17.2.4); the check is
 * inline so the common case costs a test. */
void vcpu_io_breakpoints_slow(struct vcpu *v, uint16_t port, unsigned size);
static inline void vcpu_io_breakpoints(struct vcpu *v, uint16_t port, unsigned size)
{
    if (__builtin_expect(v->cr4_de, 0))
        vcpu_io_breakpoints_slow(v, port, size);
}

/* vcpu_trace - one trace entry of v (reason VEXIT_* or TRACE_MARK). */
void vcpu_trace(struct vcpu *v, uint32_t reason, uint64_t qual);

/* vcpu_get_gpr / vcpu_set_gpr - GPR by its encoding in instructions and
 * exit information (0 RAX, 1 RCX, 2 RDX, 3 RBX, 4 RSP, 5 RBP, 6 RSI,
 * 7 RDI, 8-15 R8-R15). */
uint64_t vcpu_get_gpr(struct vcpu *v, unsigned n);
void vcpu_set_gpr(struct vcpu *v, unsigned n, uint64_t val);

/* The guest's GPRs and CR2 (which the backend keeps) as `regs` and the
 * backends' dumps show them: guest.rax=... lines. */
void vcpu_print_gprs(const struct vcpu *v, uint64_t cr2);

/* rt_window_start - `rt`'s counts of v start afresh from now (kernel/rt.c). */
void rt_window_start(struct vcpu *v);

/* vcpu_update_exceptions - the exceptions that exit on v are what `trap`
 * and the GDB stub ask, together (on v's core). */
void vcpu_update_exceptions(struct vcpu *v);

/* vcpu_paging - what the guest's page walk depends on (on v's core);
 * vcpu_walk - a linear address through those page tables, read from
 * guest RAM only (kernel/guest_walk.h). */
void vcpu_paging(struct vcpu *v, struct guest_paging *p);
enum guest_walk_result vcpu_walk(const struct guest_paging *p, uint64_t linear, uint64_t *gpa);

/* vcpu_fetch_code - up to 15 bytes at the guest's CS:RIP, read through
 * its page tables (v's core, between exits); the number read. */
size_t vcpu_fetch_code(struct vcpu *v, uint8_t *buf);

/* vcpu_dump - the guest state as key=value lines (virt.dump). */
void vcpu_dump(struct vcpu *v);

/* cpuid_fast_invalidate_vcpu / cpuid_fast_invalidate - v's (everyone's)
 * fast-path masks are stale: the policy or v's CR4.OSXSAVE/PKE changed. */
void cpuid_fast_invalidate_vcpu(struct vcpu *v);
void cpuid_fast_invalidate(void);

/* The guest's CPUID and MSR policies, shared by every vCPU (kernel/exit.c). */
extern struct cpuid_policy guest_cpuid;
extern struct msr_policy guest_msrs;

/* Exit handlers (kernel/exit.c), by VEXIT_* reason: one for every reason
 * (VEXIT_OTHER's reports the exit and stops the guest). Contract: a handler
 * runs on the exiting core with v->exit filled and the guest's GPRs in
 * v->regs. It returns EXIT_RESUME to re-enter the guest or EXIT_STOP after
 * vcpu_stop() (or a power-off). A handler that emulates an instruction
 * moves past it (vcpu_skip_instruction); one that injects a fault leaves
 * RIP on the faulting instruction. */
typedef enum exit_action (*exit_handler)(struct vcpu *v);
extern const exit_handler exit_handlers[VEXIT_MAX];

/* Light handlers (kernel/exit.c), tried first by vcpu_exit_light for their
 * reasons: they see only the caller-saved GPRs in v->regs. Each either
 * handles the exit completely and returns true, or changes nothing and
 * returns false. No locks held long, no printing: the common case of a
 * frequent exit. */
typedef bool (*exit_light_handler)(struct vcpu *v);
extern const exit_light_handler exit_light_handlers[VEXIT_MAX];

/* vcpu_trace_exit - v's exit into the trace ring, with its RIP and what
 * the handler saw (both exit paths, every exit they handle). */
static inline __attribute__((always_inline)) void vcpu_trace_exit(struct vcpu *v, uint64_t tsc)
{
    struct trace_entry *t = &v->trace[v->trace_count++ % TRACE_LEN];
    t->tsc = tsc;
    t->rip = vcpu_rip(v);
    t->qual = v->exit.first_word;      /* as it is: print_trace reads it */
    t->reason = v->exit.reason;
}

/*
 * vcpu_exit_light - vcpu_exit() for a backend's light path, for a reason
 * the light table has a handler for (the caller looked): only the
 * caller-saved GPRs are in v->regs (RAX, RCX, RDX, RSI, RDI, R8-R11), so
 * only handlers that need no other may run (the light table: the virtual
 * UART's byte I/O, the lazy fault-in's common case). 1 if one did and the
 * guest may resume, 0 to go on to vcpu_exit() with the same v->exit.
 * Handled exits are counted and traced; their cycles are left to the full
 * path (what `hist` and the cycles of `stats` show). Inline: the backend's
 * light layer is one call.
 */
static inline __attribute__((always_inline)) int vcpu_exit_light(struct vcpu *v)
{
    unsigned reason = v->exit.reason;
    /* A pending NMI of the guest's: vcpu_run tries to deliver it before
     * the next entry (vcpu_exit returns 0 for it). */
    if (vcpu_stepping_or_nmi(v) || !v->console_countdown || !exit_light_handlers[reason](v))
        return 0;
    v->exit_count[reason]++;
    vcpu_trace_exit(v, rdtsc());
    return 1;
}

#endif
