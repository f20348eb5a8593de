/*
 * vmx_defs.h - VMX architectural constants and nothing else: capability
 * MSRs, control bits, EPT/VPID capabilities. Grouped as in the SDM
 * (Vol. 3C chapter 25 "Virtual Machine Control Structures", Vol. 3D
 * appendix A "VMX Capability Reporting Facility").
 */
#ifndef VMX_DEFS_H
#define VMX_DEFS_H

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

/* Memory types (SDM Vol. 3A, 13.3 / 13.11 "Memory Type Range Registers"). */
#define MEMTYPE_UC                       0
#define MEMTYPE_WC                       1
#define MEMTYPE_WT                       4
#define MEMTYPE_WP                       5
#define MEMTYPE_WB                       6

#endif
