/*
 * vmx_defs.h - VMX architectural constants and nothing else: capability
 * MSRs, control bits, EPT/VPID capabilities, VMCS field encodings, exit
 * reasons, VM-instruction errors. Grouped as in the SDM
 * (Vol. 3C chapter 25 "Virtual Machine Control Structures", Vol. 3D
 * appendix A "VMX Capability Reporting Facility").
 */
#ifndef VMX_DEFS_H
#define VMX_DEFS_H

#include "../kernel/x86_regs.h"      /* MEMTYPE_* */

/* ---- Capability MSRs (SDM Vol. 3D, appendix A; Vol. 4, table 2-2) ---- */
#define MSR_IA32_VMX_BASIC               0x480
#define MSR_IA32_VMX_PINBASED_CTLS       0x481
#define MSR_IA32_VMX_PROCBASED_CTLS      0x482
#define MSR_IA32_VMX_EXIT_CTLS           0x483
#define MSR_IA32_VMX_ENTRY_CTLS          0x484
#define MSR_IA32_VMX_MISC                0x485
#define MSR_IA32_VMX_CR0_FIXED0          0x486
#define MSR_IA32_VMX_CR0_FIXED1          0x487
#define MSR_IA32_VMX_CR4_FIXED0          0x488
#define MSR_IA32_VMX_CR4_FIXED1          0x489
#define MSR_IA32_VMX_VMCS_ENUM           0x48A
#define MSR_IA32_VMX_PROCBASED_CTLS2     0x48B
#define MSR_IA32_VMX_EPT_VPID_CAP        0x48C
#define MSR_IA32_VMX_TRUE_PINBASED_CTLS  0x48D
#define MSR_IA32_VMX_TRUE_PROCBASED_CTLS 0x48E
#define MSR_IA32_VMX_TRUE_EXIT_CTLS      0x48F
#define MSR_IA32_VMX_TRUE_ENTRY_CTLS     0x490
#define MSR_IA32_VMX_VMFUNC              0x491

/* IA32_FEATURE_CONTROL (MSR 0x3A) bits (SDM Vol. 3C, 24.7 "Enabling and
 * Entering VMX Operation"). */
#define FEATURE_CONTROL_LOCK             (1ull << 0)
#define FEATURE_CONTROL_VMX_INSIDE_SMX   (1ull << 1)
#define FEATURE_CONTROL_VMX_OUTSIDE_SMX  (1ull << 2)

/* CPUID.1:ECX.VMX[bit 5] (SDM Vol. 3C, 24.6 "Discovering Support for VMX"). */
#define CPUID_1_ECX_VMX                  (1u << 5)

/* IA32_VMX_BASIC fields (appendix A.1). */
#define VMX_BASIC_REVISION_MASK          0x7FFFFFFFull
#define VMX_BASIC_VMCS_SIZE(b)           (((b) >> 32) & 0x1FFF)
#define VMX_BASIC_32BIT_ADDR             (1ull << 48)
#define VMX_BASIC_DUAL_MONITOR           (1ull << 49)
#define VMX_BASIC_MEMTYPE(b)             (((b) >> 50) & 0xF)
#define VMX_BASIC_INS_OUTS_INFO          (1ull << 54)
#define VMX_BASIC_TRUE_CTLS              (1ull << 55)

/* ---- Pin-based VM-execution controls (25.6.1, table 25-5) ---- */
#define PIN_EXTINT_EXITING               (1u << 0)
#define PIN_NMI_EXITING                  (1u << 3)
#define PIN_VIRTUAL_NMIS                 (1u << 5)
#define PIN_PREEMPTION_TIMER             (1u << 6)
#define PIN_POSTED_INTERRUPTS            (1u << 7)

/* ---- Primary processor-based controls (25.6.2, table 25-6) ---- */
#define PROC_INTR_WINDOW_EXITING         (1u << 2)
#define PROC_TSC_OFFSETTING              (1u << 3)
#define PROC_HLT_EXITING                 (1u << 7)
#define PROC_INVLPG_EXITING              (1u << 9)
#define PROC_MWAIT_EXITING               (1u << 10)
#define PROC_RDPMC_EXITING               (1u << 11)
#define PROC_RDTSC_EXITING               (1u << 12)
#define PROC_CR3_LOAD_EXITING            (1u << 15)
#define PROC_CR3_STORE_EXITING           (1u << 16)
#define PROC_TERTIARY_CONTROLS           (1u << 17)
#define PROC_CR8_LOAD_EXITING            (1u << 19)
#define PROC_CR8_STORE_EXITING           (1u << 20)
#define PROC_TPR_SHADOW                  (1u << 21)
#define PROC_NMI_WINDOW_EXITING          (1u << 22)
#define PROC_MOV_DR_EXITING              (1u << 23)
#define PROC_UNCOND_IO_EXITING           (1u << 24)
#define PROC_USE_IO_BITMAPS              (1u << 25)
#define PROC_MONITOR_TRAP_FLAG           (1u << 27)
#define PROC_USE_MSR_BITMAPS             (1u << 28)
#define PROC_MONITOR_EXITING             (1u << 29)
#define PROC_PAUSE_EXITING               (1u << 30)
#define PROC_SECONDARY_CONTROLS          (1u << 31)

/* ---- Secondary processor-based controls (25.6.2, table 25-7) ---- */
#define PROC2_VIRTUALIZE_APIC_ACCESSES   (1u << 0)
#define PROC2_ENABLE_EPT                 (1u << 1)
#define PROC2_DESCRIPTOR_TABLE_EXITING   (1u << 2)
#define PROC2_ENABLE_RDTSCP              (1u << 3)
#define PROC2_VIRTUALIZE_X2APIC          (1u << 4)
#define PROC2_ENABLE_VPID                (1u << 5)
#define PROC2_WBINVD_EXITING             (1u << 6)
#define PROC2_UNRESTRICTED_GUEST         (1u << 7)
#define PROC2_APIC_REGISTER_VIRT         (1u << 8)
#define PROC2_VIRTUAL_INTR_DELIVERY      (1u << 9)
#define PROC2_PAUSE_LOOP_EXITING         (1u << 10)
#define PROC2_RDRAND_EXITING             (1u << 11)
#define PROC2_ENABLE_INVPCID             (1u << 12)
#define PROC2_ENABLE_VMFUNC              (1u << 13)
#define PROC2_VMCS_SHADOWING             (1u << 14)
#define PROC2_RDSEED_EXITING             (1u << 16)
#define PROC2_EPT_VIOLATION_VE           (1u << 18)
#define PROC2_ENABLE_XSAVES              (1u << 20)
#define PROC2_MODE_BASED_EPT_EXEC        (1u << 22)
#define PROC2_SUBPAGE_WRITE              (1u << 23)   /* sub-page write permissions for EPT (29.3.4) */
#define PROC2_TSC_SCALING                (1u << 25)

/* ---- VM-exit controls (25.7.1, table 25-13) ---- */
#define EXIT_SAVE_DEBUG_CONTROLS         (1u << 2)
#define EXIT_HOST_ADDR_SPACE_SIZE        (1u << 9)
#define EXIT_LOAD_PERF_GLOBAL_CTRL       (1u << 12)
#define EXIT_ACK_INTR_ON_EXIT            (1u << 15)
#define EXIT_SAVE_PAT                    (1u << 18)
#define EXIT_LOAD_PAT                    (1u << 19)
#define EXIT_SAVE_EFER                   (1u << 20)
#define EXIT_LOAD_EFER                   (1u << 21)
#define EXIT_SAVE_PREEMPTION_TIMER       (1u << 22)

/* ---- VM-entry controls (25.8.1, table 25-15) ---- */
#define ENTRY_LOAD_DEBUG_CONTROLS        (1u << 2)
#define ENTRY_IA32E_MODE_GUEST           (1u << 9)
#define ENTRY_SMM                        (1u << 10)
#define ENTRY_LOAD_PERF_GLOBAL_CTRL      (1u << 13)
#define ENTRY_LOAD_PAT                   (1u << 14)
#define ENTRY_LOAD_EFER                  (1u << 15)

/* ---- IA32_VMX_MISC (appendix A.6) ---- */
#define VMX_MISC_PREEMPT_TIMER_RATE(m)   ((m) & 0x1F)
#define VMX_MISC_STORE_EFER_LMA          (1ull << 5)
#define VMX_MISC_ACTIVITY_HLT            (1ull << 6)
#define VMX_MISC_ACTIVITY_SHUTDOWN       (1ull << 7)
#define VMX_MISC_ACTIVITY_WAIT_SIPI      (1ull << 8)
#define VMX_MISC_CR3_TARGETS(m)          (((m) >> 16) & 0x1FF)
#define VMX_MISC_MAX_MSR_LIST(m)         (((m) >> 25) & 0x7)

/* ---- IA32_VMX_EPT_VPID_CAP (appendix A.10) ---- */
#define EPT_CAP_EXEC_ONLY                (1ull << 0)
#define EPT_CAP_WALK_4                   (1ull << 6)
#define EPT_CAP_WALK_5                   (1ull << 7)
#define EPT_CAP_MEMTYPE_UC               (1ull << 8)
#define EPT_CAP_MEMTYPE_WB               (1ull << 14)
#define EPT_CAP_PAGE_2M                  (1ull << 16)
#define EPT_CAP_PAGE_1G                  (1ull << 17)
#define EPT_CAP_INVEPT                   (1ull << 20)
#define EPT_CAP_ACCESSED_DIRTY           (1ull << 21)
#define EPT_CAP_INVEPT_SINGLE            (1ull << 25)
#define EPT_CAP_INVEPT_ALL               (1ull << 26)
#define VPID_CAP_INVVPID                 (1ull << 32)
#define VPID_CAP_INVVPID_ADDR            (1ull << 40)
#define VPID_CAP_INVVPID_SINGLE          (1ull << 41)
#define VPID_CAP_INVVPID_ALL             (1ull << 42)

/* Memory types: kernel/x86_regs.h, MEMTYPE_*. */

/* ---- VMCS field encodings (SDM Vol. 3D, appendix B) ----
 * Bits 14:13 of an encoding give the width: 0 = 16-bit, 1 = 64-bit,
 * 2 = 32-bit, 3 = natural width (B.1-B.4). vmx_ops.h checks them. */
#define VMCS_FIELD_WIDTH(f)              (((f) >> 13) & 3)
#define VMCS_WIDTH_16                    0
#define VMCS_WIDTH_64                    1
#define VMCS_WIDTH_32                    2
#define VMCS_WIDTH_NATURAL               3

/* 16-bit control, guest, host (B.1) */
#define VMCS_VPID                        0x0000
#define VMCS_GUEST_ES_SEL                0x0800
#define VMCS_GUEST_CS_SEL                0x0802
#define VMCS_GUEST_SS_SEL                0x0804
#define VMCS_GUEST_DS_SEL                0x0806
#define VMCS_GUEST_FS_SEL                0x0808
#define VMCS_GUEST_GS_SEL                0x080A
#define VMCS_GUEST_LDTR_SEL              0x080C
#define VMCS_GUEST_TR_SEL                0x080E
#define VMCS_HOST_ES_SEL                 0x0C00
#define VMCS_HOST_CS_SEL                 0x0C02
#define VMCS_HOST_SS_SEL                 0x0C04
#define VMCS_HOST_DS_SEL                 0x0C06
#define VMCS_HOST_FS_SEL                 0x0C08
#define VMCS_HOST_GS_SEL                 0x0C0A
#define VMCS_HOST_TR_SEL                 0x0C0C

/* 64-bit control, read-only, guest, host (B.2) */
#define VMCS_IO_BITMAP_A                 0x2000
#define VMCS_IO_BITMAP_B                 0x2002
#define VMCS_MSR_BITMAP                  0x2004
#define VMCS_EXIT_MSR_STORE_ADDR         0x2006
#define VMCS_EXIT_MSR_LOAD_ADDR          0x2008
#define VMCS_ENTRY_MSR_LOAD_ADDR         0x200A
#define VMCS_TSC_OFFSET                  0x2010
#define VMCS_EPT_POINTER                 0x201A
#define VMCS_GUEST_PHYSICAL_ADDRESS      0x2400
#define VMCS_LINK_POINTER                0x2800
#define VMCS_GUEST_DEBUGCTL              0x2802
#define VMCS_GUEST_PAT                   0x2804
#define VMCS_GUEST_EFER                  0x2806
#define VMCS_GUEST_PDPTE0                0x280A
#define VMCS_GUEST_PDPTE1                0x280C
#define VMCS_GUEST_PDPTE2                0x280E
#define VMCS_GUEST_PDPTE3                0x2810
#define VMCS_HOST_PAT                    0x2C00
#define VMCS_HOST_EFER                   0x2C02

/* 32-bit control, read-only, guest, host (B.3) */
#define VMCS_PIN_CONTROLS                0x4000
#define VMCS_PROC_CONTROLS               0x4002
#define VMCS_EXCEPTION_BITMAP            0x4004
#define VMCS_PF_ERROR_MASK               0x4006
#define VMCS_PF_ERROR_MATCH              0x4008
#define VMCS_CR3_TARGET_COUNT            0x400A
#define VMCS_EXIT_CONTROLS               0x400C
#define VMCS_EXIT_MSR_STORE_COUNT        0x400E
#define VMCS_EXIT_MSR_LOAD_COUNT         0x4010
#define VMCS_ENTRY_CONTROLS              0x4012
#define VMCS_ENTRY_MSR_LOAD_COUNT        0x4014
#define VMCS_ENTRY_INTR_INFO             0x4016
#define VMCS_ENTRY_EXCEPTION_ERROR       0x4018
#define VMCS_ENTRY_INSTRUCTION_LEN       0x401A
#define VMCS_PROC2_CONTROLS              0x401E
#define VMCS_VM_INSTRUCTION_ERROR        0x4400
#define VMCS_EXIT_REASON                 0x4402
#define VMCS_EXIT_INTR_INFO              0x4404
#define VMCS_EXIT_INTR_ERROR             0x4406
#define VMCS_IDT_VECTORING_INFO          0x4408
#define VMCS_IDT_VECTORING_ERROR         0x440A
#define VMCS_EXIT_INSTRUCTION_LEN        0x440C
#define VMCS_EXIT_INSTRUCTION_INFO       0x440E
#define VMCS_GUEST_ES_LIMIT              0x4800
#define VMCS_GUEST_CS_LIMIT              0x4802
#define VMCS_GUEST_SS_LIMIT              0x4804
#define VMCS_GUEST_DS_LIMIT              0x4806
#define VMCS_GUEST_FS_LIMIT              0x4808
#define VMCS_GUEST_GS_LIMIT              0x480A
#define VMCS_GUEST_LDTR_LIMIT            0x480C
#define VMCS_GUEST_TR_LIMIT              0x480E
#define VMCS_GUEST_GDTR_LIMIT            0x4810
#define VMCS_GUEST_IDTR_LIMIT            0x4812
#define VMCS_GUEST_ES_AR                 0x4814
#define VMCS_GUEST_CS_AR                 0x4816
#define VMCS_GUEST_SS_AR                 0x4818
#define VMCS_GUEST_DS_AR                 0x481A
#define VMCS_GUEST_FS_AR                 0x481C
#define VMCS_GUEST_GS_AR                 0x481E
#define VMCS_GUEST_LDTR_AR               0x4820
#define VMCS_GUEST_TR_AR                 0x4822
#define VMCS_GUEST_INTERRUPTIBILITY      0x4824
#define VMCS_GUEST_ACTIVITY_STATE        0x4826
#define VMCS_GUEST_SYSENTER_CS           0x482A
#define VMCS_PREEMPTION_TIMER            0x482E
#define VMCS_HOST_SYSENTER_CS            0x4C00

/* Natural-width control, read-only, guest, host (B.4) */
#define VMCS_CR0_MASK                    0x6000
#define VMCS_CR4_MASK                    0x6002
#define VMCS_CR0_READ_SHADOW             0x6004
#define VMCS_CR4_READ_SHADOW             0x6006
#define VMCS_EXIT_QUALIFICATION          0x6400
#define VMCS_GUEST_LINEAR_ADDRESS        0x640A
#define VMCS_GUEST_CR0                   0x6800
#define VMCS_GUEST_CR3                   0x6802
#define VMCS_GUEST_CR4                   0x6804
#define VMCS_GUEST_ES_BASE               0x6806
#define VMCS_GUEST_CS_BASE               0x6808
#define VMCS_GUEST_SS_BASE               0x680A
#define VMCS_GUEST_DS_BASE               0x680C
#define VMCS_GUEST_FS_BASE               0x680E
#define VMCS_GUEST_GS_BASE               0x6810
#define VMCS_GUEST_LDTR_BASE             0x6812
#define VMCS_GUEST_TR_BASE               0x6814
#define VMCS_GUEST_GDTR_BASE             0x6816
#define VMCS_GUEST_IDTR_BASE             0x6818
#define VMCS_GUEST_DR7                   0x681A
#define VMCS_GUEST_RSP                   0x681C
#define VMCS_GUEST_RIP                   0x681E
#define VMCS_GUEST_RFLAGS                0x6820
#define VMCS_GUEST_PENDING_DBG           0x6822
#define PENDING_DBG_BS                   (1ull << 14)   /* single step pending (table 25-4) */
#define VMCS_GUEST_SYSENTER_ESP          0x6824
#define VMCS_GUEST_SYSENTER_EIP          0x6826
#define VMCS_HOST_CR0                    0x6C00
#define VMCS_HOST_CR3                    0x6C02
#define VMCS_HOST_CR4                    0x6C04
#define VMCS_HOST_FS_BASE                0x6C06
#define VMCS_HOST_GS_BASE                0x6C08
#define VMCS_HOST_TR_BASE                0x6C0A
#define VMCS_HOST_GDTR_BASE              0x6C0C
#define VMCS_HOST_IDTR_BASE              0x6C0E
#define VMCS_HOST_SYSENTER_ESP           0x6C10
#define VMCS_HOST_SYSENTER_EIP           0x6C12
#define VMCS_HOST_RSP                    0x6C14
#define VMCS_HOST_RIP                    0x6C16

/* ---- Basic exit reasons (appendix C) ---- */
#define EXIT_REASON_EXCEPTION_NMI        0
#define EXIT_REASON_EXTERNAL_INTERRUPT   1
#define EXIT_REASON_TRIPLE_FAULT         2
#define EXIT_REASON_INIT                 3
#define EXIT_REASON_SIPI                 4
#define EXIT_REASON_INTERRUPT_WINDOW     7
#define EXIT_REASON_NMI_WINDOW           8
#define EXIT_REASON_TASK_SWITCH          9
#define EXIT_REASON_CPUID                10
#define EXIT_REASON_GETSEC               11
#define EXIT_REASON_HLT                  12
#define EXIT_REASON_INVD                 13
#define EXIT_REASON_INVLPG               14
#define EXIT_REASON_RDPMC                15
#define EXIT_REASON_RDTSC                16
#define EXIT_REASON_RSM                  17
#define EXIT_REASON_VMCALL               18
#define EXIT_REASON_VMCLEAR              19
#define EXIT_REASON_VMLAUNCH             20
#define EXIT_REASON_VMPTRLD              21
#define EXIT_REASON_VMPTRST              22
#define EXIT_REASON_VMREAD               23
#define EXIT_REASON_VMRESUME             24
#define EXIT_REASON_VMWRITE              25
#define EXIT_REASON_VMXOFF               26
#define EXIT_REASON_VMXON                27
#define EXIT_REASON_CR_ACCESS            28
#define EXIT_REASON_DR_ACCESS            29
#define EXIT_REASON_IO                   30
#define EXIT_REASON_RDMSR                31
#define EXIT_REASON_WRMSR                32
#define EXIT_REASON_INVALID_GUEST_STATE  33
#define EXIT_REASON_MSR_LOADING          34
#define EXIT_REASON_MWAIT                36
#define EXIT_REASON_MONITOR_TRAP_FLAG    37
#define EXIT_REASON_MONITOR              39
#define EXIT_REASON_PAUSE                40
#define EXIT_REASON_MACHINE_CHECK        41
#define EXIT_REASON_TPR_BELOW_THRESHOLD  43
#define EXIT_REASON_APIC_ACCESS          44
#define EXIT_REASON_EOI_INDUCED          45
#define EXIT_REASON_GDTR_IDTR            46
#define EXIT_REASON_LDTR_TR              47
#define EXIT_REASON_EPT_VIOLATION        48
#define EXIT_REASON_EPT_MISCONFIG        49
#define EXIT_REASON_INVEPT               50
#define EXIT_REASON_RDTSCP               51
#define EXIT_REASON_PREEMPTION_TIMER     52
#define EXIT_REASON_INVVPID              53
#define EXIT_REASON_WBINVD               54
#define EXIT_REASON_XSETBV               55
#define EXIT_REASON_APIC_WRITE           56
#define EXIT_REASON_RDRAND               57
#define EXIT_REASON_INVPCID              58
#define EXIT_REASON_VMFUNC               59
#define EXIT_REASON_ENCLS                60
#define EXIT_REASON_RDSEED               61
#define EXIT_REASON_PML_FULL             62
#define EXIT_REASON_XSAVES               63
#define EXIT_REASON_XRSTORS              64
#define EXIT_REASON_SPP_EVENT            66          /* an SPP-table miss or misconfiguration */
#define EXIT_REASON_MAX                  70
#define EXIT_REASON_ENTRY_FAILURE        (1u << 31)  /* bit 31 of the exit reason */

/* ---- VM-instruction error numbers (Vol. 3C, 31.4) ---- */
#define VMXERR_MAX                       28

/* ---- Event injection / exit interruption information (25.8.3, 25.9.2) ---- */
#define INTR_INFO_VALID                  (1u << 31)
#define INTR_INFO_DELIVER_ERROR          (1u << 11)
#define INTR_TYPE_EXTERNAL               (0u << 8)
#define INTR_TYPE_NMI                    (2u << 8)
#define INTR_TYPE_HW_EXCEPTION           (3u << 8)
#define DB_VECTOR                        1              /* #DB, debug exception */
#define INTR_TYPE_SW_EXCEPTION           (6u << 8)
#define INTR_TYPE_OTHER                  (7u << 8)  /* vector 0: pending MTF VM exit */
#define INTR_INFO_VECTOR_MASK            0xFFu      /* bits 7:0 */
#define INTR_INFO_TYPE_MASK              (7u << 8)  /* bits 10:8 */

/* Guest activity states (25.4.2) and interruptibility bits. */
#define ACTIVITY_ACTIVE                  0
#define ACTIVITY_HLT                     1
#define ACTIVITY_SHUTDOWN                2
#define ACTIVITY_WAIT_SIPI               3
#define INTERRUPTIBILITY_STI             (1u << 0)
#define INTERRUPTIBILITY_MOV_SS          (1u << 1)
#define INTERRUPTIBILITY_SMI             (1u << 2)
#define INTERRUPTIBILITY_NMI             (1u << 3)
#define INTERRUPTIBILITY_ENCLAVE         (1u << 4)  /* table 25-3; bits 31:5 reserved */

/* Segment access rights in the VMCS format (25.4.1, table 25-2). The type
 * bits are the descriptor's (Vol. 3A, 3.4.5.1 "Code- and Data-Segment
 * Descriptor Types"). */
#define AR_TYPE_MASK                     0xFu
#define AR_TYPE_ACCESSED                 (1u << 0)
#define AR_TYPE_RW                       (1u << 1)  /* data: writable; code: readable */
#define AR_TYPE_EC                       (1u << 2)  /* data: expand-down; code: conforming */
#define AR_TYPE_CODE                     (1u << 3)
#define AR_TYPE_CODE_RX_ACCESSED         0xB
#define AR_TYPE_DATA_RW_ACCESSED         0x3
#define AR_TYPE_TSS_BUSY_32              0xB
#define AR_TYPE_TSS_BUSY_16              0x3
#define AR_TYPE_LDT                      0x2
#define AR_S                             (1u << 4)
#define AR_DPL_SHIFT                     5          /* bits 6:5 */
#define AR_DPL_MASK                      (3u << AR_DPL_SHIFT)
#define AR_P                             (1u << 7)
#define AR_L                             (1u << 13)
#define AR_DB                            (1u << 14)
#define AR_G                             (1u << 15)
#define AR_UNUSABLE                      (1u << 16)
#define AR_RESERVED                      0xFFFE0F00u  /* bits 31:17 and 11:8 */

#endif
