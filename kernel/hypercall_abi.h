/*
 * hypercall_abi.h - monovisor's hypercall ABI, shared by the hypervisor and
 * guests (guest/sdk includes it; keep it free of anything but constants).
 *
 * A guest at CPL 0 executes VMCALL (0F 01 C1) with the call number in EAX/RAX
 * and arguments in RBX, RCX, RDX, RSI (their low 32 bits for 32-bit guests).
 * The result comes back in RAX: >= 0 on success, a negative HC_E* code on
 * failure. Every other register is preserved. Addresses are guest-physical
 * and must lie wholly in the guest's RAM; anything else gets HC_EFAULT.
 * VMCALL at CPL > 0 raises #UD in the guest, as on a CPU without a hypervisor.
 */
#ifndef HYPERCALL_ABI_H
#define HYPERCALL_ABI_H

#define HC_ABI_VERSION  0x00020000  /* major << 16 | minor; 2.0: vendor-neutral exit reasons */

#define HC_VERSION      0   /* () -> ABI version (HC_ABI_VERSION), major << 16 | minor */
#define HC_PUTS         1   /* (gpa, len <= HC_PUTS_MAX) -> len: print on the console */
#define HC_EXIT_STATS   2   /* (gpa, len) -> bytes written: u64 total exits, then u64 count
                               per exit reason 0..HC_STATS_REASONS-1 (VEXIT_*) */
#define HC_TRACE_MARK   3   /* (value) -> 0: a mark in the exit trace */
#define HC_SHUTDOWN     4   /* (status) -> does not return: the guest exits with status */
#define HC_COUNT        5

#define HC_PUTS_MAX       4096

/* Exit reasons, the same on every processor vendor (kernel/vexit.h names
 * them): HC_EXIT_STATS's order, `stats`, `trace`, `hist`. */
#define VEXIT_EXCEPTION         0   /* an exception `trap exception` intercepts */
#define VEXIT_NMI               1   /* an NMI: another core's kick, or the guest's */
#define VEXIT_INTERRUPT         2   /* an external interrupt */
#define VEXIT_INTERRUPT_WINDOW  3   /* the guest can take the interrupt it waits for */
#define VEXIT_NMI_WINDOW        4   /* ... the NMI */
#define VEXIT_TRIPLE_FAULT      5   /* shutdown */
#define VEXIT_INIT              6
#define VEXIT_SIPI              7
#define VEXIT_CPUID             8
#define VEXIT_HLT               9
#define VEXIT_INVD              10  /* INVD, WBINVD */
#define VEXIT_INVLPG            11
#define VEXIT_RDTSC             12  /* RDTSC, RDTSCP */
#define VEXIT_HYPERCALL         13  /* VMCALL (Intel), VMMCALL (AMD) */
#define VEXIT_VIRT_INSN         14  /* VMX or SVM instructions, GETSEC, SKINIT: #UD */
#define VEXIT_CR_ACCESS         15  /* MOV to/from CR, LMSW, CLTS */
#define VEXIT_DR_ACCESS         16  /* MOV to/from DR */
#define VEXIT_IO                17  /* IN, OUT, INS, OUTS */
#define VEXIT_RDMSR             18
#define VEXIT_WRMSR             19
#define VEXIT_MONITOR           20
#define VEXIT_MWAIT             21
#define VEXIT_PAUSE             22
#define VEXIT_NPF               23  /* a guest-physical access the second-level map did not allow */
#define VEXIT_NPF_MISCONFIG     24  /* an entry the CPU calls invalid (EPT misconfiguration) */
#define VEXIT_TIMER             25  /* the console core's poll timer */
#define VEXIT_XSETBV            26
#define VEXIT_STEP              27  /* the monitor trap flag (`step`) */
#define VEXIT_OTHER             28  /* anything else: reported, the guest stopped */
#define VEXIT_MAX               29
#define HC_STATS_REASONS        VEXIT_MAX

#define HC_ENOSYS       (-38)   /* unknown call number */
#define HC_EFAULT       (-14)   /* bad guest address */
#define HC_EINVAL       (-22)   /* bad argument */

#endif
