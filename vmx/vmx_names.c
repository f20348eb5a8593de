/*
 * vmx_names.c - name tables for VMX numbers; see vmx_names.h.
 */
#include "vmx_names.h"

#include "vmx_defs.h"
#include "../kernel/hypercall_abi.h"

static const char *const exit_names[EXIT_REASON_MAX] = {
    [EXIT_REASON_EXCEPTION_NMI] = "exception_nmi",
    [EXIT_REASON_EXTERNAL_INTERRUPT] = "external_interrupt",
    [EXIT_REASON_TRIPLE_FAULT] = "triple_fault",
    [EXIT_REASON_INIT] = "init",
    [EXIT_REASON_SIPI] = "sipi",
    [EXIT_REASON_INTERRUPT_WINDOW] = "interrupt_window",
    [EXIT_REASON_NMI_WINDOW] = "nmi_window",
    [EXIT_REASON_TASK_SWITCH] = "task_switch",
    [EXIT_REASON_CPUID] = "cpuid",
    [EXIT_REASON_GETSEC] = "getsec",
    [EXIT_REASON_HLT] = "hlt",
    [EXIT_REASON_INVD] = "invd",
    [EXIT_REASON_INVLPG] = "invlpg",
    [EXIT_REASON_RDPMC] = "rdpmc",
    [EXIT_REASON_RDTSC] = "rdtsc",
    [EXIT_REASON_RSM] = "rsm",
    [EXIT_REASON_VMCALL] = "vmcall",
    [EXIT_REASON_VMCLEAR] = "vmclear",
    [EXIT_REASON_VMLAUNCH] = "vmlaunch",
    [EXIT_REASON_VMPTRLD] = "vmptrld",
    [EXIT_REASON_VMPTRST] = "vmptrst",
    [EXIT_REASON_VMREAD] = "vmread",
    [EXIT_REASON_VMRESUME] = "vmresume",
    [EXIT_REASON_VMWRITE] = "vmwrite",
    [EXIT_REASON_VMXOFF] = "vmxoff",
    [EXIT_REASON_VMXON] = "vmxon",
    [EXIT_REASON_CR_ACCESS] = "cr_access",
    [EXIT_REASON_DR_ACCESS] = "dr_access",
    [EXIT_REASON_IO] = "io",
    [EXIT_REASON_RDMSR] = "rdmsr",
    [EXIT_REASON_WRMSR] = "wrmsr",
    [EXIT_REASON_INVALID_GUEST_STATE] = "invalid_guest_state",
    [EXIT_REASON_MSR_LOADING] = "msr_loading",
    [EXIT_REASON_MWAIT] = "mwait",
    [EXIT_REASON_MONITOR_TRAP_FLAG] = "monitor_trap_flag",
    [EXIT_REASON_MONITOR] = "monitor",
    [EXIT_REASON_PAUSE] = "pause",
    [EXIT_REASON_MACHINE_CHECK] = "machine_check",
    [EXIT_REASON_TPR_BELOW_THRESHOLD] = "tpr_below_threshold",
    [EXIT_REASON_APIC_ACCESS] = "apic_access",
    [EXIT_REASON_EOI_INDUCED] = "eoi_induced",
    [EXIT_REASON_GDTR_IDTR] = "gdtr_idtr",
    [EXIT_REASON_LDTR_TR] = "ldtr_tr",
    [EXIT_REASON_EPT_VIOLATION] = "ept_violation",
    [EXIT_REASON_EPT_MISCONFIG] = "ept_misconfig",
    [EXIT_REASON_INVEPT] = "invept",
    [EXIT_REASON_RDTSCP] = "rdtscp",
    [EXIT_REASON_PREEMPTION_TIMER] = "preemption_timer",
    [EXIT_REASON_INVVPID] = "invvpid",
    [EXIT_REASON_WBINVD] = "wbinvd",
    [EXIT_REASON_XSETBV] = "xsetbv",
    [EXIT_REASON_APIC_WRITE] = "apic_write",
    [EXIT_REASON_RDRAND] = "rdrand",
    [EXIT_REASON_INVPCID] = "invpcid",
    [EXIT_REASON_VMFUNC] = "vmfunc",
    [EXIT_REASON_ENCLS] = "encls",
    [EXIT_REASON_RDSEED] = "rdseed",
    [EXIT_REASON_PML_FULL] = "pml_full",
    [EXIT_REASON_XSAVES] = "xsaves",
    [EXIT_REASON_XRSTORS] = "xrstors",
    [EXIT_REASON_SPP_EVENT] = "spp_event",
};

/* The neutral reason of each basic exit reason monovisor handles, stored
 * plus one: 0 in the table is VEXIT_OTHER for the rest (VEXIT_EXCEPTION,
 * 0, is reason 0's, decided apart: vmx_vexit). */
#define N(x) ((x) + 1)
const uint8_t vmx_neutral_reasons[EXIT_REASON_MAX] = {
    [EXIT_REASON_EXTERNAL_INTERRUPT] = N(VEXIT_INTERRUPT),
    [EXIT_REASON_TRIPLE_FAULT] = N(VEXIT_TRIPLE_FAULT),
    [EXIT_REASON_INIT] = N(VEXIT_INIT),
    [EXIT_REASON_SIPI] = N(VEXIT_SIPI),
    [EXIT_REASON_INTERRUPT_WINDOW] = N(VEXIT_INTERRUPT_WINDOW),
    [EXIT_REASON_NMI_WINDOW] = N(VEXIT_NMI_WINDOW),
    [EXIT_REASON_CPUID] = N(VEXIT_CPUID),
    [EXIT_REASON_GETSEC] = N(VEXIT_VIRT_INSN),
    [EXIT_REASON_HLT] = N(VEXIT_HLT),
    [EXIT_REASON_INVD] = N(VEXIT_INVD),
    [EXIT_REASON_WBINVD] = N(VEXIT_INVD),
    [EXIT_REASON_INVLPG] = N(VEXIT_INVLPG),
    [EXIT_REASON_RDTSC] = N(VEXIT_RDTSC),
    [EXIT_REASON_RDTSCP] = N(VEXIT_RDTSC),
    [EXIT_REASON_VMCALL] = N(VEXIT_HYPERCALL),
    [EXIT_REASON_VMCLEAR] = N(VEXIT_VIRT_INSN),
    [EXIT_REASON_VMLAUNCH] = N(VEXIT_VIRT_INSN),
    [EXIT_REASON_VMPTRLD] = N(VEXIT_VIRT_INSN),
    [EXIT_REASON_VMPTRST] = N(VEXIT_VIRT_INSN),
    [EXIT_REASON_VMREAD] = N(VEXIT_VIRT_INSN),
    [EXIT_REASON_VMRESUME] = N(VEXIT_VIRT_INSN),
    [EXIT_REASON_VMWRITE] = N(VEXIT_VIRT_INSN),
    [EXIT_REASON_VMXOFF] = N(VEXIT_VIRT_INSN),
    [EXIT_REASON_VMXON] = N(VEXIT_VIRT_INSN),
    [EXIT_REASON_INVEPT] = N(VEXIT_VIRT_INSN),
    [EXIT_REASON_INVVPID] = N(VEXIT_VIRT_INSN),
    [EXIT_REASON_VMFUNC] = N(VEXIT_VIRT_INSN),
    [EXIT_REASON_CR_ACCESS] = N(VEXIT_CR_ACCESS),
    [EXIT_REASON_DR_ACCESS] = N(VEXIT_DR_ACCESS),
    [EXIT_REASON_IO] = N(VEXIT_IO),
    [EXIT_REASON_RDMSR] = N(VEXIT_RDMSR),
    [EXIT_REASON_WRMSR] = N(VEXIT_WRMSR),
    [EXIT_REASON_MWAIT] = N(VEXIT_MWAIT),
    [EXIT_REASON_MONITOR_TRAP_FLAG] = N(VEXIT_STEP),
    [EXIT_REASON_MONITOR] = N(VEXIT_MONITOR),
    [EXIT_REASON_PAUSE] = N(VEXIT_PAUSE),
    [EXIT_REASON_EPT_VIOLATION] = N(VEXIT_NPF),
    [EXIT_REASON_EPT_MISCONFIG] = N(VEXIT_NPF_MISCONFIG),
    [EXIT_REASON_PREEMPTION_TIMER] = N(VEXIT_TIMER),
    [EXIT_REASON_XSETBV] = N(VEXIT_XSETBV),
};


const char *exit_reason_name(uint32_t r)
{
    if (r < EXIT_REASON_MAX && exit_names[r])
        return exit_names[r];
    return "unknown";
}

/* SDM Vol. 3C, 31.4 "VM Instruction Error Numbers", table 31-1. */
static const char *const vmxerr_names[VMXERR_MAX + 1] = {
    [1] = "VMCALL executed in VMX root operation",
    [2] = "VMCLEAR with invalid physical address",
    [3] = "VMCLEAR with VMXON pointer",
    [4] = "VMLAUNCH with non-clear VMCS",
    [5] = "VMRESUME with non-launched VMCS",
    [6] = "VMRESUME after VMXOFF",
    [7] = "VM entry with invalid control field(s)",
    [8] = "VM entry with invalid host-state field(s)",
    [9] = "VMPTRLD with invalid physical address",
    [10] = "VMPTRLD with VMXON pointer",
    [11] = "VMPTRLD with incorrect VMCS revision identifier",
    [12] = "VMREAD/VMWRITE from/to unsupported VMCS component",
    [13] = "VMWRITE to read-only VMCS component",
    [15] = "VMXON executed in VMX root operation",
    [16] = "VM entry with invalid executive-VMCS pointer",
    [17] = "VM entry with non-launched executive VMCS",
    [18] = "VM entry with executive-VMCS pointer not VMXON pointer",
    [19] = "VMCALL with non-clear VMCS",
    [20] = "VMCALL with invalid VM-exit control fields",
    [22] = "VMCALL with incorrect MSEG revision identifier",
    [23] = "VMXOFF under dual-monitor treatment of SMIs and SMM",
    [24] = "VMCALL with invalid SMM-monitor features",
    [25] = "VM entry with invalid VM-execution control fields in executive VMCS",
    [26] = "VM entry with events blocked by MOV SS",
    [28] = "Invalid operand to INVEPT/INVVPID",
};

const char *vm_instruction_error_name(uint32_t n)
{
    if (n <= VMXERR_MAX && vmxerr_names[n])
        return vmxerr_names[n];
    return "unknown";
}

static const char *const kind_names[CTL_KINDS] = { "pin", "proc", "proc2", "exit", "entry" };

const char *vmx_ctl_kind_name(enum vmx_ctl_kind kind)
{
    return kind < CTL_KINDS ? kind_names[kind] : "unknown";
}

#define BIT_INDEX(mask) (__builtin_ctz(mask))

static const char *const pin_bits[32] = {
    [BIT_INDEX(PIN_EXTINT_EXITING)] = "external-interrupt exiting",
    [BIT_INDEX(PIN_NMI_EXITING)] = "NMI exiting",
    [BIT_INDEX(PIN_VIRTUAL_NMIS)] = "virtual NMIs",
    [BIT_INDEX(PIN_PREEMPTION_TIMER)] = "VMX-preemption timer",
    [BIT_INDEX(PIN_POSTED_INTERRUPTS)] = "posted interrupts",
};

static const char *const proc_bits[32] = {
    [BIT_INDEX(PROC_INTR_WINDOW_EXITING)] = "interrupt-window exiting",
    [BIT_INDEX(PROC_TSC_OFFSETTING)] = "use TSC offsetting",
    [BIT_INDEX(PROC_HLT_EXITING)] = "HLT exiting",
    [BIT_INDEX(PROC_INVLPG_EXITING)] = "INVLPG exiting",
    [BIT_INDEX(PROC_MWAIT_EXITING)] = "MWAIT exiting",
    [BIT_INDEX(PROC_RDPMC_EXITING)] = "RDPMC exiting",
    [BIT_INDEX(PROC_RDTSC_EXITING)] = "RDTSC exiting",
    [BIT_INDEX(PROC_CR3_LOAD_EXITING)] = "CR3-load exiting",
    [BIT_INDEX(PROC_CR3_STORE_EXITING)] = "CR3-store exiting",
    [BIT_INDEX(PROC_TERTIARY_CONTROLS)] = "activate tertiary controls",
    [BIT_INDEX(PROC_CR8_LOAD_EXITING)] = "CR8-load exiting",
    [BIT_INDEX(PROC_CR8_STORE_EXITING)] = "CR8-store exiting",
    [BIT_INDEX(PROC_TPR_SHADOW)] = "use TPR shadow",
    [BIT_INDEX(PROC_NMI_WINDOW_EXITING)] = "NMI-window exiting",
    [BIT_INDEX(PROC_MOV_DR_EXITING)] = "MOV-DR exiting",
    [BIT_INDEX(PROC_UNCOND_IO_EXITING)] = "unconditional I/O exiting",
    [BIT_INDEX(PROC_USE_IO_BITMAPS)] = "use I/O bitmaps",
    [BIT_INDEX(PROC_MONITOR_TRAP_FLAG)] = "monitor trap flag",
    [BIT_INDEX(PROC_USE_MSR_BITMAPS)] = "use MSR bitmaps",
    [BIT_INDEX(PROC_MONITOR_EXITING)] = "MONITOR exiting",
    [BIT_INDEX(PROC_PAUSE_EXITING)] = "PAUSE exiting",
    [BIT_INDEX(PROC_SECONDARY_CONTROLS)] = "activate secondary controls",
};

static const char *const proc2_bits[32] = {
    [BIT_INDEX(PROC2_VIRTUALIZE_APIC_ACCESSES)] = "virtualize APIC accesses",
    [BIT_INDEX(PROC2_ENABLE_EPT)] = "enable EPT",
    [BIT_INDEX(PROC2_DESCRIPTOR_TABLE_EXITING)] = "descriptor-table exiting",
    [BIT_INDEX(PROC2_ENABLE_RDTSCP)] = "enable RDTSCP",
    [BIT_INDEX(PROC2_VIRTUALIZE_X2APIC)] = "virtualize x2APIC mode",
    [BIT_INDEX(PROC2_ENABLE_VPID)] = "enable VPID",
    [BIT_INDEX(PROC2_WBINVD_EXITING)] = "WBINVD exiting",
    [BIT_INDEX(PROC2_UNRESTRICTED_GUEST)] = "unrestricted guest",
    [BIT_INDEX(PROC2_APIC_REGISTER_VIRT)] = "APIC-register virtualization",
    [BIT_INDEX(PROC2_VIRTUAL_INTR_DELIVERY)] = "virtual-interrupt delivery",
    [BIT_INDEX(PROC2_PAUSE_LOOP_EXITING)] = "PAUSE-loop exiting",
    [BIT_INDEX(PROC2_RDRAND_EXITING)] = "RDRAND exiting",
    [BIT_INDEX(PROC2_ENABLE_INVPCID)] = "enable INVPCID",
    [BIT_INDEX(PROC2_ENABLE_VMFUNC)] = "enable VM functions",
    [BIT_INDEX(PROC2_VMCS_SHADOWING)] = "VMCS shadowing",
    [BIT_INDEX(PROC2_RDSEED_EXITING)] = "RDSEED exiting",
    [BIT_INDEX(PROC2_EPT_VIOLATION_VE)] = "EPT-violation #VE",
    [BIT_INDEX(PROC2_ENABLE_XSAVES)] = "enable XSAVES/XRSTORS",
    [BIT_INDEX(PROC2_MODE_BASED_EPT_EXEC)] = "mode-based execute control for EPT",
    [BIT_INDEX(PROC2_SUBPAGE_WRITE)] = "sub-page write permissions for EPT",
    [BIT_INDEX(PROC2_TSC_SCALING)] = "use TSC scaling",
};

static const char *const exit_bits[32] = {
    [BIT_INDEX(EXIT_SAVE_DEBUG_CONTROLS)] = "save debug controls",
    [BIT_INDEX(EXIT_HOST_ADDR_SPACE_SIZE)] = "host address-space size",
    [BIT_INDEX(EXIT_LOAD_PERF_GLOBAL_CTRL)] = "load IA32_PERF_GLOBAL_CTRL",
    [BIT_INDEX(EXIT_ACK_INTR_ON_EXIT)] = "acknowledge interrupt on exit",
    [BIT_INDEX(EXIT_SAVE_PAT)] = "save IA32_PAT",
    [BIT_INDEX(EXIT_LOAD_PAT)] = "load IA32_PAT",
    [BIT_INDEX(EXIT_SAVE_EFER)] = "save IA32_EFER",
    [BIT_INDEX(EXIT_LOAD_EFER)] = "load IA32_EFER",
    [BIT_INDEX(EXIT_SAVE_PREEMPTION_TIMER)] = "save VMX-preemption timer value",
};

static const char *const entry_bits[32] = {
    [BIT_INDEX(ENTRY_LOAD_DEBUG_CONTROLS)] = "load debug controls",
    [BIT_INDEX(ENTRY_IA32E_MODE_GUEST)] = "IA-32e mode guest",
    [BIT_INDEX(ENTRY_SMM)] = "entry to SMM",
    [BIT_INDEX(ENTRY_LOAD_PERF_GLOBAL_CTRL)] = "load IA32_PERF_GLOBAL_CTRL",
    [BIT_INDEX(ENTRY_LOAD_PAT)] = "load IA32_PAT",
    [BIT_INDEX(ENTRY_LOAD_EFER)] = "load IA32_EFER",
};

static const char *const *const bit_tables[CTL_KINDS] = {
    pin_bits, proc_bits, proc2_bits, exit_bits, entry_bits,
};

const char *vmx_ctl_bit_name(enum vmx_ctl_kind kind, unsigned bit)
{
    if (kind >= CTL_KINDS || bit >= 32)
        return 0;
    return bit_tables[kind][bit];
}
