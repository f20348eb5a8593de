/*
 * svm_names.c - SVM exit codes named and translated, and the instruction
 * of a software-interrupt exit decoded; see svm_names.h. AMD APM Vol. 2,
 * appendix C, Table C-1.
 */
#include "svm_names.h"

#include "svm_defs.h"
#include "../kernel/hypercall_abi.h"

static const char *const names[] = {
    [SVM_EXIT_INTR] = "intr",
    [SVM_EXIT_NMI] = "nmi",
    [SVM_EXIT_SMI] = "smi",
    [SVM_EXIT_INIT] = "init",
    [SVM_EXIT_VINTR] = "vintr",
    [SVM_EXIT_CR0_SEL_WRITE] = "cr0_sel_write",
    [SVM_EXIT_RDTSC] = "rdtsc",
    [SVM_EXIT_RDPMC] = "rdpmc",
    [SVM_EXIT_PUSHF] = "pushf",
    [SVM_EXIT_POPF] = "popf",
    [SVM_EXIT_CPUID] = "cpuid",
    [SVM_EXIT_RSM] = "rsm",
    [SVM_EXIT_IRET] = "iret",
    [SVM_EXIT_SWINT] = "swint",
    [SVM_EXIT_INVD] = "invd",
    [SVM_EXIT_PAUSE] = "pause",
    [SVM_EXIT_HLT] = "hlt",
    [SVM_EXIT_INVLPG] = "invlpg",
    [SVM_EXIT_INVLPGA] = "invlpga",
    [SVM_EXIT_IOIO] = "ioio",
    [SVM_EXIT_MSR] = "msr",
    [SVM_EXIT_TASK_SWITCH] = "task_switch",
    [SVM_EXIT_FERR_FREEZE] = "ferr_freeze",
    [SVM_EXIT_SHUTDOWN] = "shutdown",
    [SVM_EXIT_VMRUN] = "vmrun",
    [SVM_EXIT_VMMCALL] = "vmmcall",
    [SVM_EXIT_VMLOAD] = "vmload",
    [SVM_EXIT_VMSAVE] = "vmsave",
    [SVM_EXIT_STGI] = "stgi",
    [SVM_EXIT_CLGI] = "clgi",
    [SVM_EXIT_SKINIT] = "skinit",
    [SVM_EXIT_RDTSCP] = "rdtscp",
    [SVM_EXIT_ICEBP] = "icebp",
    [SVM_EXIT_WBINVD] = "wbinvd",
    [SVM_EXIT_MONITOR] = "monitor",
    [SVM_EXIT_MWAIT] = "mwait",
    [SVM_EXIT_MWAIT_COND] = "mwait_cond",
    [SVM_EXIT_XSETBV] = "xsetbv",
    [SVM_EXIT_RDPRU] = "rdpru",
    [SVM_EXIT_EFER_WRITE_TRAP] = "efer_write_trap",
    [SVM_EXIT_INVPCID] = "invpcid",
    [SVM_EXIT_NPF] = "npf",
    [SVM_EXIT_AVIC_INCOMPLETE_IPI] = "avic_incomplete_ipi",
    [SVM_EXIT_AVIC_NOACCEL] = "avic_noaccel",
    [SVM_EXIT_VMGEXIT] = "vmgexit",
};

const char *svm_exit_name(uint32_t code)
{
    /* The ranges: 16 CR reads, 16 CR writes, 16 DR reads and writes, 32
     * exceptions, 16 CR write traps. */
    static const char *const cr_read[16] = { "read_cr0", "read_cr1", "read_cr2", "read_cr3",
        "read_cr4", "read_cr5", "read_cr6", "read_cr7", "read_cr8", "read_cr9", "read_cr10",
        "read_cr11", "read_cr12", "read_cr13", "read_cr14", "read_cr15" };
    static const char *const cr_write[16] = { "write_cr0", "write_cr1", "write_cr2", "write_cr3",
        "write_cr4", "write_cr5", "write_cr6", "write_cr7", "write_cr8", "write_cr9",
        "write_cr10", "write_cr11", "write_cr12", "write_cr13", "write_cr14", "write_cr15" };
    static const char *const excp[32] = { "excp_de", "excp_db", "excp_nmi", "excp_bp",
        "excp_of", "excp_br", "excp_ud", "excp_nm", "excp_df", "excp_9", "excp_ts", "excp_np",
        "excp_ss", "excp_gp", "excp_pf", "excp_15", "excp_mf", "excp_ac", "excp_mc", "excp_xf",
        "excp_20", "excp_cp", "excp_22", "excp_23", "excp_24", "excp_25", "excp_26", "excp_27",
        "excp_hv", "excp_vc", "excp_sx", "excp_31" };
    if (code < SVM_EXIT_WRITE_CR0)
        return cr_read[code];
    if (code < SVM_EXIT_READ_DR0)
        return cr_write[code - SVM_EXIT_WRITE_CR0];
    if (code < SVM_EXIT_WRITE_DR0)
        return "read_dr";
    if (code < SVM_EXIT_EXCP_BASE)
        return "write_dr";
    if (code < SVM_EXIT_EXCP_BASE + 32)
        return excp[code - SVM_EXIT_EXCP_BASE];
    if (code >= SVM_EXIT_CR0_WRITE_TRAP && code < SVM_EXIT_CR0_WRITE_TRAP + 16)
        return "cr_write_trap";
    if (code == SVM_EXIT_INVALID)
        return "invalid";
    if (code < sizeof(names) / sizeof(names[0]) && names[code])
        return names[code];
    return "unknown";
}

unsigned svm_vexit(uint32_t code, uint64_t info1)
{
    if (code < SVM_EXIT_READ_DR0)
        return VEXIT_CR_ACCESS;
    if (code < SVM_EXIT_EXCP_BASE)
        return VEXIT_DR_ACCESS;
    if (code < SVM_EXIT_EXCP_BASE + 32)
        return VEXIT_EXCEPTION;
    switch (code) {
    case SVM_EXIT_CR0_SEL_WRITE: return VEXIT_CR_ACCESS;
    case SVM_EXIT_INTR: return VEXIT_INTERRUPT;
    case SVM_EXIT_NMI: return VEXIT_NMI;
    case SVM_EXIT_INIT: return VEXIT_INIT;
    case SVM_EXIT_VINTR: return VEXIT_INTERRUPT_WINDOW;
    case SVM_EXIT_IRET: return VEXIT_NMI_WINDOW;      /* the guest's NMI handler returns */
    case SVM_EXIT_RDTSC: case SVM_EXIT_RDTSCP: return VEXIT_RDTSC;
    case SVM_EXIT_CPUID: return VEXIT_CPUID;
    case SVM_EXIT_INVD: return VEXIT_INVD;
    case SVM_EXIT_PAUSE: return VEXIT_PAUSE;
    case SVM_EXIT_HLT: return VEXIT_HLT;
    case SVM_EXIT_INVLPG: return VEXIT_INVLPG;
    case SVM_EXIT_IOIO: return VEXIT_IO;
    case SVM_EXIT_SHUTDOWN: return VEXIT_TRIPLE_FAULT;
    case SVM_EXIT_VMMCALL: return VEXIT_HYPERCALL;
    case SVM_EXIT_VMRUN: case SVM_EXIT_VMLOAD: case SVM_EXIT_VMSAVE: case SVM_EXIT_STGI:
    case SVM_EXIT_CLGI: case SVM_EXIT_SKINIT: case SVM_EXIT_INVLPGA:
        return VEXIT_VIRT_INSN;
    case SVM_EXIT_MONITOR: return VEXIT_MONITOR;
    case SVM_EXIT_MWAIT: case SVM_EXIT_MWAIT_COND: return VEXIT_MWAIT;
    case SVM_EXIT_XSETBV: return VEXIT_XSETBV;
    case SVM_EXIT_MSR: return info1 ? VEXIT_WRMSR : VEXIT_RDMSR;
    case SVM_EXIT_NPF: return (info1 & NPF_RSV) ? VEXIT_NPF_MISCONFIG : VEXIT_NPF;
    default: return VEXIT_OTHER;
    }
}

/* The legacy prefixes (APM Vol. 3, 1.2.1): operand and address size, the
 * segment overrides, LOCK, REP/REPNE; INT ignores all but LOCK. */
static bool legacy_prefix(uint8_t b)
{
    return b == 0x66 || b == 0x67 || b == 0x26 || b == 0x2E || b == 0x36 || b == 0x3E ||
           b == 0x64 || b == 0x65 || b == 0xF0 || b == 0xF2 || b == 0xF3;
}

struct svm_swint svm_swint_decode(const uint8_t *code, size_t n, unsigned bits, bool of)
{
    struct svm_swint s = { SWINT_UNKNOWN, 0, 0 };
    bool lock = false;
    size_t i = 0;
    if (n > 15)
        n = 15;         /* the architectural limit (APM Vol. 3, 1.1): longer is #GP */
    /* REX (40-4F) is a prefix in 64-bit mode only, INC/DEC elsewhere. */
    while (i < n && (legacy_prefix(code[i]) || (bits == 64 && (code[i] & 0xF0) == 0x40))) {
        lock |= code[i] == 0xF0;
        i++;
    }
    if (i >= n)
        return s;
    switch (code[i]) {
    case 0xCC:          /* INT3: #BP, a trap (APM Vol. 3, INT) */
        s.kind = SWINT_EXCEPTION;
        s.vector = 3;
        break;
    case 0xCD:          /* INT n */
        if (i + 1 >= n)
            return s;
        s.kind = SWINT_INT;
        s.vector = code[++i];
        break;
    case 0xCE:          /* INTO: #OF when OF is set; invalid in 64-bit mode */
        s.kind = bits == 64 ? SWINT_UD : of ? SWINT_EXCEPTION : SWINT_SKIP;
        s.vector = s.kind == SWINT_EXCEPTION ? 4 : 0;
        break;
    default:
        return s;
    }
    if (lock) {         /* LOCK with an instruction that takes none: #UD (APM Vol. 3, 1.2.5) */
        s.kind = SWINT_UD;
        s.vector = 0;
    }
    s.len = (uint8_t)(i + 1);
    return s;
}
