/*
 * virt.h - the seam between the vendor-neutral core and a hardware
 * virtualization backend: vmx/ (Intel VT-x) or svm/ (AMD-V). The shape is
 * KVM's struct kvm_x86_ops (Jailhouse's vcpu.c with vmx.c/svm.c, bhyve's
 * vmm_ops): the core owns the run loop, requests, INIT/SIPI, statistics,
 * the console, policies, devices, loaders and the guest-physical map;
 * a backend owns what only its vendor knows: turning virtualization on,
 * the control block (VMCS/VMCB), controls and intercepts, the entry/exit
 * path, the guest state it keeps, event injection, the next RIP, TLB tags
 * and the second-level entry format. Neutral files include this header,
 * never a vmx/ or svm/ one.
 *
 * The contract, for every function below:
 *  - "v" is the vCPU of the calling core, between exits (the control
 *    block current or at hand), unless said otherwise;
 *  - events use the encoding of kernel/event.h, which both vendors share;
 *  - exit reasons are kernel/hypercall_abi.h's VEXIT_*, and what a
 *    handler needs of an exit is in struct vexit_info, filled by the
 *    backend before it calls vcpu_exit();
 *  - nothing here prints except where said, and nothing panics on guest
 *    behaviour.
 */
#ifndef VIRT_H
#define VIRT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hypercall_abi.h"
#include "../ept/ept.h"

struct vcpu;
struct guest_start;

/* What a handler needs of an exit, decoded by the backend: reason and
 * raw always, the fields of its reason only (the others are stale: the
 * decoder of a frequent exit writes no more than it must). */
struct vexit_info {
    unsigned reason;            /* VEXIT_* */
    uint32_t raw;               /* the vendor's exit code, for reports */
    union {
        /* The first word of whichever member is filled: what the exit
         * trace records as it is (`trace` makes it readable when it
         * shows it: kernel/commands.c), so recording costs one load. */
        uint64_t first_word;
        struct {                /* VEXIT_EXCEPTION, VEXIT_NMI */
            uint32_t event;     /* vector, type, EVENT_HAS_ERROR */
            uint32_t error;
            uint64_t dr6;       /* #DB: the DR6 bits of the exit (not yet in DR6) */
            uint64_t cr2;       /* #PF: the faulting address */
        } exc;
        struct {                /* VEXIT_IO */
            /* VMX's exit qualification for I/O (SDM Vol. 3C, Table
             * 28-5), which the SVM backend builds from its EXITINFO1:
             * size - 1 in bits 2:0, VIO_* flags, the port in bits 31:16.
             * One store to fill, one test for "a byte, not a string". */
            uint32_t info;
        } io;
        struct {                /* VEXIT_NPF, VEXIT_NPF_MISCONFIG */
            uint64_t gpa;       /* first: the trace's word */
            /* bits 0-2: the access was a read, a write, a fetch; bits
             * 3-5: the entry allowed read, write, execute (EPT's exit
             * qualification bits 5:0, SDM Vol. 3C Table 28-7: VMX's own
             * encoding, into which the SVM backend turns its error code) */
            uint64_t access;
            uint32_t vectoring; /* an event the exit interrupted the delivery of (EVENT_VALID), else 0 */
            uint32_t vectoring_error;
            bool during_iret;   /* it happened while an IRET unblocked NMIs */
        } npf;
        struct {                /* VEXIT_DR_ACCESS */
            uint8_t dr, gpr;
            bool from;
        } dr;
        struct {                /* VEXIT_INVLPG */
            uint64_t va;
        } invlpg;
        bool rdtscp;            /* VEXIT_RDTSC */
    };
};

/* The flags of io.info (Table 28-5). */
#define VIO_SIZE_MASK   7u          /* size - 1 */
#define VIO_IN          (1u << 3)
#define VIO_STRING      (1u << 4)   /* INS, OUTS */
#define VIO_REP         (1u << 5)
#define VIO_PORT_SHIFT  16

static inline uint16_t vio_port(const struct vexit_info *e)
{
    return (uint16_t)(e->io.info >> VIO_PORT_SHIFT);
}

static inline unsigned vio_size(const struct vexit_info *e)
{
    return (e->io.info & VIO_SIZE_MASK) + 1;
}

/* Guest registers that are not GPRs, as get_reg/set_reg name them. */
enum vreg {
    VREG_RIP, VREG_RSP, VREG_RFLAGS,
    VREG_CR0, VREG_CR3, VREG_CR4,   /* as the guest sees them (its read shadows where there are) */
    VREG_CR2, VREG_EFER, VREG_DR6, VREG_DR7, VREG_DEBUGCTL,
    VREG_CS_BASE,
    VREG_FS_BASE, VREG_GS_BASE,
    /* The selectors, in the order of the instruction encoding's Sreg
     * field (SDM Vol. 2A, 3.1.1.3): read only here — set_reg ignores
     * them, since a selector alone, without its descriptor cache, is not
     * a state any instruction leaves behind. */
    VREG_ES_SEL, VREG_CS_SEL, VREG_SS_SEL, VREG_DS_SEL, VREG_FS_SEL, VREG_GS_SEL,
};

/* Exits the console can turn on and off (`trap`). */
enum vtrap {
    TRAP_RDTSC,     /* RDTSC and RDTSCP */
    TRAP_HLT,
    TRAP_CR3,       /* MOV to and from CR3 */
    TRAP_INVLPG,
    TRAP_MOVDR,     /* MOV to and from DR0-DR7 */
    TRAP_MWAIT,     /* MONITOR and MWAIT */
    TRAP_PAUSE,
    TRAPS,
};

/* What the core asks of a vCPU's set-up. */
struct virt_config {
    bool hlt_exiting;           /* hlt=exit */
    uint64_t poll_ticks;        /* the console core's poll period in TSC ticks, 0: none */
    uint64_t slat_root;         /* the second-level map's root (EPTP / nCR3) */
};

/* What the second-level map may use on this CPU (the backend's probe). */
struct virt_caps {
    bool slat_ad;               /* accessed and dirty flags in its entries */
    bool slat_1g;               /* 1 GiB pages */
};

/* An MSR access the backend handled (its control block keeps the MSR, or
 * it is the virtualization's own), refused (#GP), or left to the core. */
enum msr_result { MSR_DONE, MSR_GP, MSR_CORE };

struct virt_ops {
    const char *name;           /* "vmx", "svm": the prefix of its lines */
    const char *label;          /* "VMX", "SVM": in sentences */
    size_t vcpu_size;           /* its vCPU: struct vcpu first, the backend's part after */
    enum slat_format slat_format;   /* its second-level entries (ept/ept.h) */

    /* ---- detection, on the boot core ---- */
    /* What this CPU offers: its key=value lines (the first few, or all
     * when verbose), *caps filled; 0 when it can run a guest, else -1
     * after one error line that says why and what to do. */
    int (*probe)(bool verbose, struct virt_caps *caps);

    /* ---- bring-up, on each core ---- */
    int (*enable_cpu)(void);            /* enter virtualization operation; -1 after an error line */
    void (*disable_cpu)(void);          /* leave it (nothing when not in it) */
    int (*vcpu_setup)(struct vcpu *v, const struct virt_config *cfg);  /* control block, intercepts */
    void (*print_caps)(bool verbose);   /* the capabilities as `info` shows them */

    /* ---- running ---- */
    /* Enter the guest and handle its exits (vcpu_exit(), through the
     * backend's fast paths first) until one says stop or a request is
     * pending: 0. A failed entry: its report printed, -1. */
    int (*run)(struct vcpu *v);

    /* ---- architectural state ---- */
    void (*set_start_state)(struct vcpu *v, const struct guest_start *s);
    void (*set_init_state)(struct vcpu *v);             /* INIT, then wait for SIPI */
    void (*start_at_sipi)(struct vcpu *v, uint8_t vector);
    uint64_t (*get_reg)(struct vcpu *v, enum vreg r);
    void (*set_reg)(struct vcpu *v, enum vreg r, uint64_t val);
    unsigned (*cpl)(struct vcpu *v);
    unsigned (*code_bits)(struct vcpu *v);   /* 16 (real, virtual-8086, 16-bit CS), 32 or 64 (CS.L in IA-32e mode) */
    void (*dump)(struct vcpu *v);                       /* guest.* key=value lines (`regs`) */

    /* ---- instructions and events ---- */
    /* The exiting instruction completed: RIP past it (its length from the
     * exit, NRIP, or the decoder), RF cleared, TF's trap pending. */
    void (*skip)(struct vcpu *v);
    void (*advance)(struct vcpu *v, unsigned len);      /* the same for an instruction of len bytes */
    void (*inject)(struct vcpu *v, uint32_t event, uint32_t error);    /* for the next entry; wakes a HLT */
    bool (*injecting)(struct vcpu *v);                  /* an event is set for the next entry */
    void (*reinject)(struct vcpu *v, const struct vexit_info *e);     /* e->npf.vectoring again */
    void (*deliver_nmi)(struct vcpu *v);   /* v->nmi_pending: inject when possible, else an NMI window */
    /* After an NMI exit: undo what it left (VMX: NMI blocking). true when
     * the NMI was not consumed by the exit but stays pending for the
     * hypervisor, whose NMI handler (kernel/vcpu.c, host_nmi) then tells a
     * kick from the guest's NMI (SVM: at STGI); false when the exit took
     * it and the core must tell them apart (VMX). */
    bool (*nmi_exited)(struct vcpu *v);
    void (*block_nmi)(struct vcpu *v);     /* the guest blocks NMIs again (a faulting IRET) */
    bool (*intr_ready)(struct vcpu *v);    /* the guest takes an external interrupt now */
    bool (*intr_window)(struct vcpu *v, bool open);   /* an exit when it can; true: newly opened */
    void (*pending_debug)(struct vcpu *v, uint64_t dr6_bits);   /* a #DB trap before the next instruction */

    /* ---- intercepts ---- */
    void (*intercept_io)(struct vcpu *v, uint16_t port, unsigned n, bool on);
    void (*intercept_msr)(struct vcpu *v, uint32_t msr, bool on);
    int (*set_trap)(struct vcpu *v, enum vtrap t, bool on);    /* -1: this CPU cannot */
    bool (*trap_on)(struct vcpu *v, enum vtrap t);
    void (*set_exceptions)(struct vcpu *v, uint32_t bitmap);   /* vectors 0-31 that exit */

    /* ---- MSRs and control registers ---- */
    enum msr_result (*msr_read)(struct vcpu *v, uint32_t msr, uint64_t *val);
    enum msr_result (*msr_write)(struct vcpu *v, uint32_t msr, uint64_t val);
    int (*cr_access)(struct vcpu *v);   /* a control-register exit, done: 0 resume, -1 stop */
    void (*halt)(struct vcpu *v);       /* an intercepted HLT, done: the core waits as HLT would */

    /* ---- TLB ---- */
    void (*flush_tlb)(struct vcpu *v, bool globals);
    void (*invlpg)(struct vcpu *v, uint64_t va);

    /* ---- `step` ---- */
    void (*step_begin)(struct vcpu *v);
    void (*step_end)(struct vcpu *v);

    /* ---- the console's poll timer (VEXIT_TIMER) ---- */
    void (*rearm_timer)(struct vcpu *v);

    /* ---- reports ---- */
    const char *(*exit_name)(uint32_t raw);     /* the vendor's name of its exit code */
    void (*print_exit_extra)(struct vcpu *v, unsigned reason);  /* more on `stats`'s line, or NULL */

    /* [start, end, abort] triples: an NMI (a kick) that lands between
     * start and end (the entry instruction, not yet run) sends the core to
     * abort, which returns from run as after a request (kernel/vcpu.c). */
    const uint64_t *entry_windows, *entry_windows_end;
};

/* The backend this machine runs: kernel/main.c copies its table here at
 * boot, so a call through it is one indirect call with no pointer to load
 * first (the exit handlers make several per exit). */
extern struct virt_ops virt;

extern const struct virt_ops vmx_ops, svm_ops;

#endif
