/*
 * svm_defs.h - every AMD-V (SVM) constant monovisor uses, and nothing
 * else: the VMCB layout, intercept bits, exit codes, event injection,
 * the MSRs and CPUID bits of SVM. AMD64 Architecture Programmer's Manual
 * Volume 2 (APM Vol. 2, rev. 3.42), chapter 15 "Secure Virtual Machine"
 * and appendix B "Layout of VMCB"; grouped as there.
 */
#ifndef SVM_DEFS_H
#define SVM_DEFS_H

#include <stdint.h>

/* ---- CPUID (APM Vol. 3, appendix E.4) ---- */
#define CPUID_80000001_ECX_SVM      (1u << 2)
#define CPUID_SVM_FEATURES          0x8000000Au   /* EAX revision, EBX ASIDs, EDX features */
#define SVM_FEATURE_NP              (1u << 0)     /* nested paging */
#define SVM_FEATURE_LBRV            (1u << 1)
#define SVM_FEATURE_SVML            (1u << 2)     /* SVM lock (VM_CR.LOCK, SVM_KEY) */
#define SVM_FEATURE_NRIPS           (1u << 3)     /* next RIP saved on #VMEXIT */
#define SVM_FEATURE_TSC_RATE        (1u << 4)
#define SVM_FEATURE_VMCB_CLEAN      (1u << 5)
#define SVM_FEATURE_FLUSH_ASID      (1u << 6)     /* TLB_CONTROL 3 and 7 */
#define SVM_FEATURE_DECODE_ASSISTS  (1u << 7)
#define SVM_FEATURE_PAUSE_FILTER    (1u << 10)
#define SVM_FEATURE_PAUSE_THRESHOLD (1u << 12)
#define SVM_FEATURE_AVIC            (1u << 13)
#define SVM_FEATURE_VGIF            (1u << 16)

/* ---- MSRs (15.30) ---- */
#define MSR_VM_CR                   0xC0010114u
#define VM_CR_DPD                   (1ull << 0)
#define VM_CR_R_INIT                (1ull << 1)   /* INIT becomes #SX (vector 30) outside the guest */
#define VM_CR_DIS_A20M              (1ull << 2)
#define VM_CR_LOCK                  (1ull << 3)
#define VM_CR_SVMDIS                (1ull << 4)   /* EFER.SVME cannot be set */
#define MSR_VM_HSAVE_PA             0xC0010117u
#define MSR_SVM_KEY                 0xC0010118u
#define EFER_SVME                   (1ull << 12)

/* ---- VMCB control area (appendix B, Table B-1), byte offsets ---- */
#define VMCB_INTERCEPT_CR           0x000   /* u16 reads (bit n: CRn), u16 writes */
#define VMCB_INTERCEPT_DR           0x004   /* u16 reads, u16 writes */
#define VMCB_INTERCEPT_EXC          0x008   /* u32: bit n, exception vector n */
#define VMCB_INTERCEPT_MISC1        0x00C   /* u32, SVM_INTERCEPT1_* */
#define VMCB_INTERCEPT_MISC2        0x010   /* u32, SVM_INTERCEPT2_* */
#define VMCB_PAUSE_FILTER_THRESHOLD 0x03C
#define VMCB_PAUSE_FILTER_COUNT     0x03E
#define VMCB_IOPM_BASE_PA           0x040
#define VMCB_MSRPM_BASE_PA          0x048
#define VMCB_TSC_OFFSET             0x050
#define VMCB_GUEST_ASID             0x058   /* u32 */
#define VMCB_TLB_CONTROL            0x05C   /* u8 */
#define VMCB_INT_CTL                0x060   /* u32: V_TPR, V_IRQ, V_INTR_MASKING ... */
#define VMCB_INT_VECTOR             0x064   /* u32: V_INTR_VECTOR in bits 7:0 */
#define VMCB_INT_STATE              0x068   /* bit 0: interrupt shadow */
#define VMCB_EXITCODE               0x070   /* u64 */
#define VMCB_EXITINFO1              0x078
#define VMCB_EXITINFO2              0x080
#define VMCB_EXITINTINFO            0x088   /* u32 info, u32 error code at 0x08C */
#define VMCB_NP_ENABLE              0x090   /* bit 0: nested paging */
#define VMCB_EVENTINJ               0x0A8   /* u32 info, u32 error code at 0x0AC */
#define VMCB_N_CR3                  0x0B0
#define VMCB_VIRT_EXT               0x0B8   /* bit 0: LBR virtualization */
#define VMCB_CLEAN_BITS             0x0C0   /* u32 */
#define VMCB_NEXT_RIP               0x0C8
#define VMCB_INSN_LEN               0x0D0   /* u8: bytes fetched (decode assists) */

/* VMCB_INTERCEPT_MISC1 (vector 3 of Table B-1). */
#define SVM_INTERCEPT1_INTR         (1u << 0)
#define SVM_INTERCEPT1_NMI          (1u << 1)
#define SVM_INTERCEPT1_SMI          (1u << 2)
#define SVM_INTERCEPT1_INIT         (1u << 3)
#define SVM_INTERCEPT1_VINTR        (1u << 4)
#define SVM_INTERCEPT1_CR0_SEL_WRITE (1u << 5)    /* a CR0 write changing more than TS and MP (15.9.2) */
#define SVM_INTERCEPT1_RDTSC        (1u << 14)
#define SVM_INTERCEPT1_RDPMC        (1u << 15)
#define SVM_INTERCEPT1_CPUID        (1u << 18)
#define SVM_INTERCEPT1_RSM          (1u << 19)
#define SVM_INTERCEPT1_IRET         (1u << 20)
/* INTn (CD ib): exits before the instruction, RIP on it (15.9, Table
 * B-1 vector 3 bit 21). Only INT n on hardware; QEMU 7.2's TCG takes INT3
 * (CC) and INTO (CE) here too, not at the #BP and #OF exception
 * intercepts (15.12): svm_exit.c, software_interrupt. */
#define SVM_INTERCEPT1_INTN         (1u << 21)
#define SVM_INTERCEPT1_INVD         (1u << 22)
#define SVM_INTERCEPT1_PAUSE        (1u << 23)
#define SVM_INTERCEPT1_HLT          (1u << 24)
#define SVM_INTERCEPT1_INVLPG       (1u << 25)
#define SVM_INTERCEPT1_INVLPGA      (1u << 26)
#define SVM_INTERCEPT1_IOIO_PROT    (1u << 27)
#define SVM_INTERCEPT1_MSR_PROT     (1u << 28)
#define SVM_INTERCEPT1_TASK_SWITCH  (1u << 29)
#define SVM_INTERCEPT1_SHUTDOWN     (1u << 31)

/* VMCB_INTERCEPT_MISC2 (vector 4). VMRUN must be intercepted (15.5.1). */
#define SVM_INTERCEPT2_VMRUN        (1u << 0)
#define SVM_INTERCEPT2_VMMCALL      (1u << 1)
#define SVM_INTERCEPT2_VMLOAD       (1u << 2)
#define SVM_INTERCEPT2_VMSAVE       (1u << 3)
#define SVM_INTERCEPT2_STGI         (1u << 4)
#define SVM_INTERCEPT2_CLGI         (1u << 5)
#define SVM_INTERCEPT2_SKINIT       (1u << 6)
#define SVM_INTERCEPT2_RDTSCP       (1u << 7)
#define SVM_INTERCEPT2_ICEBP        (1u << 8)
#define SVM_INTERCEPT2_WBINVD       (1u << 9)
#define SVM_INTERCEPT2_MONITOR      (1u << 10)
#define SVM_INTERCEPT2_MWAIT        (1u << 11)
#define SVM_INTERCEPT2_MWAIT_COND   (1u << 12)
#define SVM_INTERCEPT2_XSETBV       (1u << 13)

/* VMCB_TLB_CONTROL (15.16.1). */
#define TLB_CONTROL_NOTHING         0
#define TLB_CONTROL_FLUSH_ALL       1
#define TLB_CONTROL_FLUSH_ASID      3
#define TLB_CONTROL_FLUSH_ASID_NONGLOBAL 7

/* VMCB_INT_CTL (15.21.1). */
#define V_TPR_MASK                  0xFu
#define V_IRQ                       (1u << 8)
#define V_INTR_PRIO_SHIFT           16
#define V_IGN_TPR                   (1u << 20)
#define V_INTR_MASKING              (1u << 24)

#define INT_STATE_SHADOW            (1u << 0)   /* STI or MOV SS blocking */

/* EVENTINJ and EXITINTINFO (15.20): vector 7:0, type 10:8, error valid
 * 11, valid 31, error code in the upper half; the neutral encoding of
 * kernel/event.h (asserted in svm.c). */
#define SVM_EVTINJ_VALID            (1u << 31)
#define SVM_EVTINJ_VALID_ERR        (1u << 11)
#define SVM_EVTINJ_TYPE_INTR        (0u << 8)
#define SVM_EVTINJ_TYPE_NMI         (2u << 8)
#define SVM_EVTINJ_TYPE_EXEPT       (3u << 8)
#define SVM_EVTINJ_TYPE_SOFT        (4u << 8)

/* ---- VMCB state save area (appendix B, Table B-2), offsets from the
 * start of the VMCB (it begins at 0x400). Segments are struct vmcb_seg. */
#define VMCB_SAVE                   0x400
#define VMCB_ES                     0x400
#define VMCB_CS                     0x410
#define VMCB_SS                     0x420
#define VMCB_DS                     0x430
#define VMCB_FS                     0x440
#define VMCB_GS                     0x450
#define VMCB_GDTR                   0x460
#define VMCB_LDTR                   0x470
#define VMCB_IDTR                   0x480
#define VMCB_TR                     0x490
#define VMCB_CPL                    0x4CB   /* u8 */
#define VMCB_EFER                   0x4D0
#define VMCB_CR4                    0x548
#define VMCB_CR3                    0x550
#define VMCB_CR0                    0x558
#define VMCB_DR7                    0x560
#define VMCB_DR6                    0x568
#define VMCB_RFLAGS                 0x570
#define VMCB_RIP                    0x578
#define VMCB_RSP                    0x5D8
#define VMCB_RAX                    0x5F8
#define VMCB_STAR                   0x600
#define VMCB_LSTAR                  0x608
#define VMCB_CSTAR                  0x610
#define VMCB_SFMASK                 0x618
#define VMCB_KERNEL_GS_BASE         0x620
#define VMCB_SYSENTER_CS            0x628
#define VMCB_SYSENTER_ESP           0x630
#define VMCB_SYSENTER_EIP           0x638
#define VMCB_CR2                    0x640
#define VMCB_G_PAT                  0x668
#define VMCB_DBGCTL                 0x670

/* A segment in the VMCB: the attributes are the descriptor's bits 47:40
 * (type, S, DPL, P) in 7:0 and 55:52 (AVL, L, D/B, G) in 11:8 (15.5.1). */
struct vmcb_seg {
    uint16_t sel;
    uint16_t attrib;
    uint32_t limit;
    uint64_t base;
};

#define SEG_ATTR_TYPE_MASK          0xFu
#define SEG_ATTR_S                  (1u << 4)
#define SEG_ATTR_DPL_SHIFT          5
#define SEG_ATTR_P                  (1u << 7)
#define SEG_ATTR_L                  (1u << 9)
#define SEG_ATTR_DB                 (1u << 10)
#define SEG_ATTR_G                  (1u << 11)

/* ---- exit codes (appendix C, Table C-1) ---- */
#define SVM_EXIT_READ_CR0           0x000   /* + n: read of CRn */
#define SVM_EXIT_WRITE_CR0          0x010   /* + n: write of CRn */
#define SVM_EXIT_READ_DR0           0x020
#define SVM_EXIT_WRITE_DR0          0x030
#define SVM_EXIT_EXCP_BASE          0x040   /* + vector */
#define SVM_EXIT_INTR               0x060
#define SVM_EXIT_NMI                0x061
#define SVM_EXIT_SMI                0x062
#define SVM_EXIT_INIT               0x063
#define SVM_EXIT_VINTR              0x064
#define SVM_EXIT_CR0_SEL_WRITE      0x065
#define SVM_EXIT_RDTSC              0x06E
#define SVM_EXIT_RDPMC              0x06F
#define SVM_EXIT_PUSHF              0x070
#define SVM_EXIT_POPF               0x071
#define SVM_EXIT_CPUID              0x072
#define SVM_EXIT_RSM                0x073
#define SVM_EXIT_IRET               0x074
#define SVM_EXIT_SWINT              0x075
#define SVM_EXIT_INVD               0x076
#define SVM_EXIT_PAUSE              0x077
#define SVM_EXIT_HLT                0x078
#define SVM_EXIT_INVLPG             0x079
#define SVM_EXIT_INVLPGA            0x07A
#define SVM_EXIT_IOIO               0x07B
#define SVM_EXIT_MSR                0x07C
#define SVM_EXIT_TASK_SWITCH        0x07D
#define SVM_EXIT_FERR_FREEZE        0x07E
#define SVM_EXIT_SHUTDOWN           0x07F
#define SVM_EXIT_VMRUN              0x080
#define SVM_EXIT_VMMCALL            0x081
#define SVM_EXIT_VMLOAD             0x082
#define SVM_EXIT_VMSAVE             0x083
#define SVM_EXIT_STGI               0x084
#define SVM_EXIT_CLGI               0x085
#define SVM_EXIT_SKINIT             0x086
#define SVM_EXIT_RDTSCP             0x087
#define SVM_EXIT_ICEBP              0x088
#define SVM_EXIT_WBINVD             0x089
#define SVM_EXIT_MONITOR            0x08A
#define SVM_EXIT_MWAIT              0x08B
#define SVM_EXIT_MWAIT_COND         0x08C
#define SVM_EXIT_XSETBV             0x08D
#define SVM_EXIT_RDPRU              0x08E
#define SVM_EXIT_EFER_WRITE_TRAP    0x08F
#define SVM_EXIT_CR0_WRITE_TRAP     0x090   /* + n */
#define SVM_EXIT_INVPCID            0x0A2
#define SVM_EXIT_NPF                0x400
#define SVM_EXIT_AVIC_INCOMPLETE_IPI 0x401
#define SVM_EXIT_AVIC_NOACCEL       0x402
#define SVM_EXIT_VMGEXIT            0x403
#define SVM_EXIT_INVALID            0xFFFFFFFFu   /* -1 in the 64-bit field: VMRUN's consistency checks */
#define SVM_EXIT_CODES              0x404   /* the table of names covers 0 to this */

/* EXITINFO1 of SVM_EXIT_IOIO (15.10.2, Figure 15-2). */
#define IOIO_TYPE_IN                (1u << 0)
#define IOIO_STR                    (1u << 2)
#define IOIO_REP                    (1u << 3)
#define IOIO_SZ8                    (1u << 4)
#define IOIO_SZ16                   (1u << 5)
#define IOIO_SZ32                   (1u << 6)
#define IOIO_PORT_SHIFT             16

/* EXITINFO1 of SVM_EXIT_NPF (15.25.6): a #PF error code. */
#define NPF_P                       (1ull << 0)
#define NPF_RW                      (1ull << 1)
#define NPF_US                      (1ull << 2)
#define NPF_RSV                     (1ull << 3)
#define NPF_ID                      (1ull << 4)   /* instruction fetch */
#define NPF_FINAL                   (1ull << 32)  /* the access to the final guest-physical address */
#define NPF_TABLES                  (1ull << 33)  /* the walk of the guest's page tables */

#endif
