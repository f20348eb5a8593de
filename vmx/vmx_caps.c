/*
 * vmx_caps.c - VMX capability decoding; see vmx_caps.h.
 */
#include "vmx_caps.h"

#include "vmx_defs.h"
#include "../kernel/fmt.h"
#include "../kernel/kstring.h"

struct vmx_ctl vmx_ctl_from_msr(uint64_t msr)
{
    return (struct vmx_ctl){ .must1 = (uint32_t)msr, .may1 = (uint32_t)(msr >> 32) };
}

enum cap_src { SRC_PIN, SRC_PROC, SRC_PROC2, SRC_EXIT, SRC_ENTRY, SRC_MISC, SRC_EPT };

struct cap_flag {
    const char *name;
    enum cap_src src;
    uint64_t bit;
};

/* Every flag printed as vmx.NAME=0|1. Secondary controls count only when
 * the primary "activate secondary controls" bit may be 1. */
static const struct cap_flag flags[] = {
    { "ept",                  SRC_PROC2, PROC2_ENABLE_EPT },
    { "unrestricted_guest",   SRC_PROC2, PROC2_UNRESTRICTED_GUEST },
    { "vpid",                 SRC_PROC2, PROC2_ENABLE_VPID },
    { "preemption_timer",     SRC_PIN,   PIN_PREEMPTION_TIMER },
    { "secondary_ctls",       SRC_PROC,  PROC_SECONDARY_CONTROLS },
    { "msr_bitmaps",          SRC_PROC,  PROC_USE_MSR_BITMAPS },
    { "io_bitmaps",           SRC_PROC,  PROC_USE_IO_BITMAPS },
    { "monitor_trap_flag",    SRC_PROC,  PROC_MONITOR_TRAP_FLAG },
    { "tpr_shadow",           SRC_PROC,  PROC_TPR_SHADOW },
    { "nmi_exiting",          SRC_PIN,   PIN_NMI_EXITING },
    { "virtual_nmis",         SRC_PIN,   PIN_VIRTUAL_NMIS },
    { "posted_interrupts",    SRC_PIN,   PIN_POSTED_INTERRUPTS },
    { "rdtscp",               SRC_PROC2, PROC2_ENABLE_RDTSCP },
    { "invpcid",              SRC_PROC2, PROC2_ENABLE_INVPCID },
    { "xsaves",               SRC_PROC2, PROC2_ENABLE_XSAVES },
    { "wbinvd_exiting",       SRC_PROC2, PROC2_WBINVD_EXITING },
    { "apic_access",          SRC_PROC2, PROC2_VIRTUALIZE_APIC_ACCESSES },
    { "x2apic_virt",          SRC_PROC2, PROC2_VIRTUALIZE_X2APIC },
    { "apic_register_virt",   SRC_PROC2, PROC2_APIC_REGISTER_VIRT },
    { "virtual_intr_delivery", SRC_PROC2, PROC2_VIRTUAL_INTR_DELIVERY },
    { "vmcs_shadowing",       SRC_PROC2, PROC2_VMCS_SHADOWING },
    { "tsc_scaling",          SRC_PROC2, PROC2_TSC_SCALING },
    { "ept_subpage_write",    SRC_PROC2, PROC2_SUBPAGE_WRITE },
    { "save_efer",            SRC_EXIT,  EXIT_SAVE_EFER },
    { "load_efer",            SRC_ENTRY, ENTRY_LOAD_EFER },
    { "load_pat",             SRC_ENTRY, ENTRY_LOAD_PAT },
    { "host_64bit",           SRC_EXIT,  EXIT_HOST_ADDR_SPACE_SIZE },
    { "ia32e_guest",          SRC_ENTRY, ENTRY_IA32E_MODE_GUEST },
    { "activity_hlt",         SRC_MISC,  VMX_MISC_ACTIVITY_HLT },
    { "activity_shutdown",    SRC_MISC,  VMX_MISC_ACTIVITY_SHUTDOWN },
    { "activity_wait_sipi",   SRC_MISC,  VMX_MISC_ACTIVITY_WAIT_SIPI },
    { "ept_exec_only",        SRC_EPT,   EPT_CAP_EXEC_ONLY },
    { "ept_4level",           SRC_EPT,   EPT_CAP_WALK_4 },
    { "ept_5level",           SRC_EPT,   EPT_CAP_WALK_5 },
    { "ept_wb",               SRC_EPT,   EPT_CAP_MEMTYPE_WB },
    { "ept_uc",               SRC_EPT,   EPT_CAP_MEMTYPE_UC },
    { "ept_2m",               SRC_EPT,   EPT_CAP_PAGE_2M },
    { "ept_1g",               SRC_EPT,   EPT_CAP_PAGE_1G },
    { "ept_ad",               SRC_EPT,   EPT_CAP_ACCESSED_DIRTY },
    { "invept",               SRC_EPT,   EPT_CAP_INVEPT },
    { "invept_single",        SRC_EPT,   EPT_CAP_INVEPT_SINGLE },
    { "invept_all",           SRC_EPT,   EPT_CAP_INVEPT_ALL },
    { "invvpid",              SRC_EPT,   VPID_CAP_INVVPID },
    { "invvpid_single",       SRC_EPT,   VPID_CAP_INVVPID_SINGLE },
    { "invvpid_all",          SRC_EPT,   VPID_CAP_INVVPID_ALL },
};

#define NFLAGS (sizeof(flags) / sizeof(flags[0]))

static bool flag_value(const struct vmx_caps *c, const struct cap_flag *f)
{
    bool secondary = c->proc.may1 & PROC_SECONDARY_CONTROLS;
    switch (f->src) {
    case SRC_PIN:   return c->pin.may1 & f->bit;
    case SRC_PROC:  return c->proc.may1 & f->bit;
    case SRC_PROC2: return secondary && (c->proc2.may1 & f->bit);
    case SRC_EXIT:  return c->exit.may1 & f->bit;
    case SRC_ENTRY: return c->entry.may1 & f->bit;
    case SRC_MISC:  return c->misc & f->bit;
    case SRC_EPT:   return secondary && (c->proc2.may1 & (PROC2_ENABLE_EPT | PROC2_ENABLE_VPID))
                           && (c->ept_vpid_cap & f->bit);
    }
    return false;
}

int vmx_has(const struct vmx_caps *c, const char *name)
{
    for (size_t i = 0; i < NFLAGS; i++)
        if (!strcmp(flags[i].name, name))
            return flag_value(c, &flags[i]);
    return -1;
}

void vmx_caps_decode(const struct vmx_msrs *m, struct vmx_caps *c)
{
    memset(c, 0, sizeof(*c));
    if (!(m->cpuid1_ecx & CPUID_1_ECX_VMX)) {
        c->status = VMX_ABSENT;
        return;
    }
    c->revision = (uint32_t)(m->basic & VMX_BASIC_REVISION_MASK);
    c->vmcs_size = (uint32_t)VMX_BASIC_VMCS_SIZE(m->basic);
    c->vmcs_memtype = (unsigned)VMX_BASIC_MEMTYPE(m->basic);
    c->true_ctls = m->basic & VMX_BASIC_TRUE_CTLS;
    /* Appendix A.3.1-A.5: with IA32_VMX_BASIC[55] the TRUE_ MSRs report
     * which default-1 controls may actually be 0. */
    c->pin = vmx_ctl_from_msr(c->true_ctls ? m->true_pinbased : m->pinbased);
    c->proc = vmx_ctl_from_msr(c->true_ctls ? m->true_procbased : m->procbased);
    c->exit = vmx_ctl_from_msr(c->true_ctls ? m->true_exit : m->exit);
    c->entry = vmx_ctl_from_msr(c->true_ctls ? m->true_entry : m->entry);
    /* Appendix A.3.3: IA32_VMX_PROCBASED_CTLS2 exists only when the
     * secondary controls may be activated. */
    if (c->proc.may1 & PROC_SECONDARY_CONTROLS)
        c->proc2 = vmx_ctl_from_msr(m->procbased2);
    c->misc = m->misc;
    c->ept_vpid_cap = m->ept_vpid_cap;
    c->cr0_fixed0 = m->cr0_fixed0;
    c->cr0_fixed1 = m->cr0_fixed1;
    c->cr4_fixed0 = m->cr4_fixed0;
    c->cr4_fixed1 = m->cr4_fixed1;

    if ((m->feature_control & FEATURE_CONTROL_LOCK) &&
        !(m->feature_control & FEATURE_CONTROL_VMX_OUTSIDE_SMX)) {
        c->status = VMX_LOCKED_OFF;
        return;
    }
    /* A 64-bit host needs the "host address-space size" exit control
     * (25.7.1); identity guest memory needs EPT (DESIGN.md, memory model). */
    if (!(c->exit.may1 & EXIT_HOST_ADDR_SPACE_SIZE))
        c->unusable_reason = "no 64-bit host support (VM-exit control 'host address-space size')";
    else if (!vmx_has(c, "ept"))
        c->unusable_reason = "no EPT (secondary control 'enable EPT')";
    else if (!vmx_has(c, "ept_4level") || !vmx_has(c, "ept_wb"))
        c->unusable_reason = "EPT lacks 4-level walks with write-back paging structures";
    if (c->unusable_reason) {
        c->status = VMX_UNUSABLE;
        return;
    }
    c->status = (m->feature_control & FEATURE_CONTROL_LOCK) ? VMX_READY : VMX_READY_UNLOCKED;
}

const char *vmx_status_message(const struct vmx_caps *c)
{
    switch (c->status) {
    case VMX_READY:
        return "VMX enabled by firmware";
    case VMX_READY_UNLOCKED:
        return "IA32_FEATURE_CONTROL unlocked; monovisor enables VMX outside SMX and locks it";
    case VMX_ABSENT:
        return "this CPU has no VMX (CPUID.1:ECX.VMX=0): run monovisor on an Intel CPU with "
               "VT-x, under KVM with nested VMX (-enable-kvm -cpu host), or in Bochs with a "
               "VMX CPU model (cpu: model=tigerlake)";
    case VMX_LOCKED_OFF:
        return "VMX is disabled and locked by firmware (IA32_FEATURE_CONTROL lock=1, "
               "VMX outside SMX=0): enable Intel Virtualization Technology (VT-x) in the "
               "firmware setup and power-cycle";
    case VMX_UNUSABLE:
        return c->unusable_reason;
    }
    return "unknown VMX status";
}

static const char *memtype_name(unsigned t)
{
    switch (t) {
    case MEMTYPE_UC: return "uc";
    case MEMTYPE_WB: return "wb";
    default:         return "other";
    }
}

static const char *status_key(enum vmx_status s)
{
    switch (s) {
    case VMX_READY:          return "ready";
    case VMX_READY_UNLOCKED: return "ready_unlocked";
    case VMX_ABSENT:         return "absent";
    case VMX_LOCKED_OFF:     return "locked_off";
    case VMX_UNUSABLE:       return "unusable";
    }
    return "unknown";
}

/* Append to a line buffer, clamping at its end. */
static void append(char *line, size_t size, size_t *pos, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void append(char *line, size_t size, size_t *pos, const char *fmt, ...)
{
    va_list ap;
    if (*pos >= size)
        return;
    va_start(ap, fmt);
    *pos += (size_t)fmt_vsnprintf(line + *pos, size - *pos, fmt, ap);
    va_end(ap);
}

void vmx_caps_format(const struct vmx_caps *c, vmx_line_sink sink, void *ctx)
{
    char line[200];
    size_t pos = 0;
    bool present = c->status != VMX_ABSENT;

    append(line, sizeof(line), &pos, "vmx.supported=%d vmx.status=%s", present,
           status_key(c->status));
    sink(ctx, line);
    if (!present)
        return;

    pos = 0;
    append(line, sizeof(line), &pos,
           "vmx.revision=%#x vmx.vmcs_size=%u vmx.vmcs_memtype=%s vmx.true_ctls=%d",
           c->revision, c->vmcs_size, memtype_name(c->vmcs_memtype), c->true_ctls);
    sink(ctx, line);

    /* Flags, several per line, each line under 100 characters. */
    pos = 0;
    for (size_t i = 0; i < NFLAGS; i++) {
        if (pos > 70) {
            sink(ctx, line);
            pos = 0;
        }
        append(line, sizeof(line), &pos, "%svmx.%s=%d", pos ? " " : "", flags[i].name,
               flag_value(c, &flags[i]));
    }
    sink(ctx, line);

    pos = 0;
    append(line, sizeof(line), &pos, "vmx.preemption_timer_rate=%u vmx.cr3_targets=%u",
           (unsigned)VMX_MISC_PREEMPT_TIMER_RATE(c->misc),
           (unsigned)VMX_MISC_CR3_TARGETS(c->misc));
    sink(ctx, line);

    pos = 0;
    append(line, sizeof(line), &pos,
           "vmx.cr0_fixed0=%#llx vmx.cr0_fixed1=%#llx vmx.cr4_fixed0=%#llx vmx.cr4_fixed1=%#llx",
           (unsigned long long)c->cr0_fixed0, (unsigned long long)c->cr0_fixed1,
           (unsigned long long)c->cr4_fixed0, (unsigned long long)c->cr4_fixed1);
    sink(ctx, line);

    pos = 0;
    append(line, sizeof(line), &pos,
           "vmx.ctl.pin=%#x/%#x vmx.ctl.proc=%#x/%#x vmx.ctl.proc2=%#x/%#x",
           c->pin.must1, c->pin.may1, c->proc.must1, c->proc.may1, c->proc2.must1, c->proc2.may1);
    sink(ctx, line);
    pos = 0;
    append(line, sizeof(line), &pos,
           "vmx.ctl.exit=%#x/%#x vmx.ctl.entry=%#x/%#x vmx.ept_vpid_cap=%#llx",
           c->exit.must1, c->exit.may1, c->entry.must1, c->entry.may1,
           (unsigned long long)c->ept_vpid_cap);
    sink(ctx, line);
}
