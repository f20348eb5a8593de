/*
 * vmx.c - the Intel VT-x backend's bring-up (kernel/virt.h): VMX
 * operation on a core, the VMCS and its controls, the intercepts, the
 * guest's start, INIT and SIPI states, and the ops table. The exit path
 * is in vmx/vmx_exit.c and vmx/entry.asm, control registers and MSRs in
 * vmx/vmx_cr.c.
 */
#include "vmx.h"

#include "controls.h"
#include "probe.h"
#include "vmx_names.h"
#include "vmx_ops.h"
#include "../drivers/lapic.h"
#include "../kernel/event.h"
#include "../kernel/hv.h"
#include "../kernel/iobus.h"
#include "../kernel/options.h"
#include "../kernel/vapic.h"
#include "../kernel/x86_regs.h"
#include "../kernel/kstring.h"
#include "../kernel/mem.h"
#include "../kernel/percpu.h"
#include "../kernel/printk.h"
#include "../kernel/trap.h"
#include "../kernel/x86.h"

#define CPUID_1_ECX_XSAVE (1u << 26)
#define PAT_POWER_ON 0x0007040600070406ull      /* SDM Vol. 3A, 13.12.4 */

extern char vmx_exit_entry[];

/* The VM-entry/exit interruption information is the neutral event
 * encoding (kernel/event.h). */
_Static_assert(INTR_INFO_VALID == EVENT_VALID && INTR_INFO_DELIVER_ERROR == EVENT_HAS_ERROR &&
                   INTR_TYPE_HW_EXCEPTION == EVENT_TYPE_EXCEPTION << 8 &&
                   INTR_TYPE_NMI == EVENT_TYPE_NMI << 8 && INTR_TYPE_EXTERNAL == EVENT_TYPE_EXTERNAL << 8,
               "VMX event encoding");

struct virt_config vmx_cfg;
uint8_t vmx_exit_kind[VMX_EXIT_KIND_LEN];

static void report_ctl(void *ctx, bool required, const char *msg)
{
    (void)ctx;
    kprintf("%s: %s\n", required ? "error" : "note", msg);
}

static int vmx_enable_cpu(void)
{
    const struct vmx_caps *caps = &vmx_caps;
    if (caps->status == VMX_READY_UNLOCKED) {
        uint64_t fc = rdmsr(MSR_IA32_FEATURE_CONTROL);
        wrmsr(MSR_IA32_FEATURE_CONTROL, fc | FEATURE_CONTROL_LOCK | FEATURE_CONTROL_VMX_OUTSIDE_SMX);
    }
    /* CR0/CR4 must respect the VMX fixed bits in VMX operation (24.8,
     * appendix A.7/A.8); XSETBV for the guest needs CR4.OSXSAVE. */
    write_cr0((read_cr0() | caps->cr0_fixed0) & caps->cr0_fixed1);
    uint64_t cr4 = read_cr4() | caps->cr4_fixed0 | CR4_VMXE;
    if (cpuid(1, 0).ecx & CPUID_1_ECX_XSAVE)
        cr4 |= CR4_OSXSAVE;
    write_cr4(cr4 & caps->cr4_fixed1);

    uint32_t *region = page_alloc(1);
    if (!region) {
        kprintf("error: vmx: no pool page for the VMXON region\n");
        return -1;
    }
    region[0] = caps->revision;     /* 25.11.5: revision id, bit 31 clear */
    enum vmx_result r = vmxon(hv_pa(region));
    if (r != VMX_OK) {
        kprintf("error: vmx: VMXON failed (%s)\n",
                r == VMX_FAIL_INVALID ? "VMfailInvalid: bad VMXON region or CR0/CR4"
                                      : "VMfailValid: already in VMX operation");
        return -1;
    }
    this_cpu()->virt_on = true;
    return 0;
}

static void vmx_disable_cpu(void)
{
    struct cpu *c = this_cpu();
    if (c->virt_on) {
        vmxoff();
        write_cr4(read_cr4() & ~CR4_VMXE);
        c->virt_on = false;
    }
}

void vmx_io_intercept(struct vcpu *v, uint16_t port, unsigned n, bool on)
{
    uint8_t *bitmap = to_vmx(v)->io_bitmap;
    for (unsigned p = port; p < (unsigned)port + n && p <= 0xFFFF; p++) {
        if (on)
            bitmap[p / 8] |= (uint8_t)(1u << (p % 8));
        else
            bitmap[p / 8] &= (uint8_t)~(1u << (p % 8));
    }
}

bool vmx_msr_always_intercepted(uint32_t msr)
{
    return msr == MSR_IA32_FEATURE_CONTROL ||
           (msr >= MSR_IA32_VMX_BASIC && msr <= MSR_IA32_VMX_VMFUNC);
}

void vmx_msr_intercept(struct vcpu *v, uint32_t msr, bool on)
{
    /* 25.6.9: low MSRs 0-1FFFH at 0 (reads) / 2048 (writes), high MSRs
     * C0000000H-C0001FFFH at 1024 / 3072; all others always exit. */
    if (msr > 0x1FFF && (msr < 0xC0000000u || msr > 0xC0001FFFu))
        return;
    if (!on && vmx_msr_always_intercepted(msr))
        return;
    unsigned base = msr >= 0xC0000000u ? 1024 : 0;
    uint32_t idx = msr & 0x1FFF;
    uint8_t bit = (uint8_t)(1u << (idx % 8));
    uint8_t *bitmap = to_vmx(v)->msr_bitmap;
    for (unsigned off = 0; off <= 2048; off += 2048) {
        if (on)
            bitmap[off + base + idx / 8] |= bit;
        else
            bitmap[off + base + idx / 8] &= (uint8_t)~bit;
    }
}

static void write_host_state(void)
{
    struct descriptor_ptr gdtr, idtr;
    __asm__ volatile("sgdt %0" : "=m"(gdtr));
    __asm__ volatile("sidt %0" : "=m"(idtr));
    const uint64_t *gdt = (const uint64_t *)gdtr.base;
    uint64_t lo = gdt[GDT_TSS / 8], hi = gdt[GDT_TSS / 8 + 1];
    uint64_t tss = ((lo >> 16) & 0xFFFFFF) | (((lo >> 56) & 0xFF) << 24) | (hi << 32);

    /* Host-state area (25.5, checks in 27.2.2-27.2.4). */
    vmcs_writen(VMCS_HOST_CR0, read_cr0());
    vmcs_writen(VMCS_HOST_CR3, read_cr3());
    vmcs_writen(VMCS_HOST_CR4, read_cr4());
    vmcs_write16(VMCS_HOST_CS_SEL, GDT_KERNEL_CS);
    vmcs_write16(VMCS_HOST_SS_SEL, GDT_KERNEL_DS);
    vmcs_write16(VMCS_HOST_DS_SEL, GDT_KERNEL_DS);
    vmcs_write16(VMCS_HOST_ES_SEL, GDT_KERNEL_DS);
    vmcs_write16(VMCS_HOST_FS_SEL, 0);
    vmcs_write16(VMCS_HOST_GS_SEL, 0);
    vmcs_write16(VMCS_HOST_TR_SEL, GDT_TSS);
    vmcs_writen(VMCS_HOST_FS_BASE, 0);
    vmcs_writen(VMCS_HOST_GS_BASE, rdmsr(MSR_IA32_GS_BASE));    /* this core's struct cpu */
    vmcs_writen(VMCS_HOST_TR_BASE, tss);
    vmcs_writen(VMCS_HOST_GDTR_BASE, gdtr.base);
    vmcs_writen(VMCS_HOST_IDTR_BASE, idtr.base);
    vmcs_write32(VMCS_HOST_SYSENTER_CS, 0);
    vmcs_writen(VMCS_HOST_SYSENTER_ESP, 0);
    vmcs_writen(VMCS_HOST_SYSENTER_EIP, 0);
    vmcs_write64(VMCS_HOST_EFER, rdmsr(MSR_EFER));
    vmcs_write64(VMCS_HOST_PAT, rdmsr(MSR_IA32_PAT));
    vmcs_writen(VMCS_HOST_RIP, (uint64_t)vmx_exit_entry);
    vmcs_writen(VMCS_HOST_RSP, 0);  /* vmx_enter_guest writes the real one */
}

/* Per basic exit reason, entry.asm's byte (vmx.h, vmx_exit_kind): the
 * neutral reason or VMX_KIND_DECODE where the exit carries fields, and
 * VMX_KIND_LIGHT where kernel/exit.c's light table has a handler (reason
 * 0, exception or NMI, never does; an EPT violation's light case is the
 * first layer's already). The reasons a VM entry fails with (28.8: invalid
 * guest state, MSR loading, machine check) and those past the last known
 * one decode: vmx_exit() then reads bit 31 and the flags in exit.raw. */
static void fill_exit_tables(void)
{
    for (uint32_t r = 0; r < VMX_EXIT_KIND_LEN; r++) {
        if (r >= EXIT_REASON_MAX || r == EXIT_REASON_INVALID_GUEST_STATE ||
            r == EXIT_REASON_MSR_LOADING || r == EXIT_REASON_MACHINE_CHECK) {
            vmx_exit_kind[r] = VMX_KIND_DECODE;
            continue;
        }
        bool light = r && r != EXIT_REASON_EPT_VIOLATION && exit_light_handlers[vmx_vexit(r, 0)] != 0;
        vmx_exit_kind[r] = (uint8_t)((vmx_exit_has_fields(r) ? VMX_KIND_DECODE : vmx_vexit(r, 0)) |
                                     (light ? VMX_KIND_LIGHT : 0));
    }
}

static int vmx_vcpu_setup(struct vcpu *v, const struct virt_config *cfg)
{
    const struct vmx_caps *caps = &vmx_caps;
    struct vmx_vcpu *x = to_vmx(v);
    unsigned missing = 0;
    vmx_cfg = *cfg;
    fill_exit_tables();

    x->vmcs = page_alloc(1);
    x->msr_bitmap = page_alloc(1);
    x->io_bitmap = page_alloc(2);
    if (!x->vmcs || !x->msr_bitmap || !x->io_bitmap) {
        kprintf("error: vmx: no pool pages for the VMCS and bitmaps\n");
        return -1;
    }
    *(uint32_t *)x->vmcs = caps->revision;
    x->vmcs_pa = hv_pa(x->vmcs);
    if (vmclear(x->vmcs_pa) != VMX_OK || vmptrld(x->vmcs_pa) != VMX_OK) {
        kprintf("error: vmx: VMCLEAR/VMPTRLD of a fresh VMCS failed\n");
        return -1;
    }

    /* Controls (25.6-25.8). External interrupts go straight to the guest
     * (no exiting): the hypervisor takes none (DESIGN.md). NMIs exit: an
     * NMI IPI is how another core kicks this one out of the guest; the
     * guest's own NMIs are reflected. Only the console's core has the
     * preemption timer: the others never exit unless the guest asks. */
    uint32_t pin_opt = cfg->poll_ticks && v->console ? PIN_PREEMPTION_TIMER : 0;
    /* Virtual NMIs: the guest's NMI blocking is its own (its IRET ends it),
     * so a reflected NMI never blocks the kicks (kernel/exit.c, handle_nmi). */
    x->pin = vmx_adjust_ctl(CTL_PIN, PIN_NMI_EXITING, pin_opt | PIN_VIRTUAL_NMIS, caps->pin, report_ctl,
                            0, &missing);
    uint32_t proc_req = PROC_USE_MSR_BITMAPS | PROC_USE_IO_BITMAPS | PROC_SECONDARY_CONTROLS;
    uint32_t proc_opt = cfg->hlt_exiting ? PROC_HLT_EXITING : 0;
    x->proc = vmx_adjust_ctl(CTL_PROC, proc_req, proc_opt, caps->proc, report_ctl, 0, &missing);
    /* With EPT the CR3 exits are useless; the TRUE_ MSRs let us clear them. */
    x->proc &= ~((PROC_CR3_LOAD_EXITING | PROC_CR3_STORE_EXITING) & ~caps->proc.must1);
    uint32_t proc2_req = PROC2_ENABLE_EPT | PROC2_UNRESTRICTED_GUEST;
    /* Without these the guest's RDTSCP, INVPCID, XSAVES would #UD. */
    uint32_t proc2_opt = PROC2_ENABLE_VPID | PROC2_ENABLE_RDTSCP | PROC2_ENABLE_INVPCID |
                         PROC2_ENABLE_XSAVES;
    x->proc2 = vmx_adjust_ctl(CTL_PROC2, proc2_req, proc2_opt, caps->proc2, report_ctl, 0, &missing);
    /* The debug controls: without them (the TRUE_ MSRs may allow 0, as
     * Bochs's do) a VM exit leaves DR7 at 400H and the next entry does not
     * load the guest's back, so its breakpoints would vanish at the first
     * exit (SDM Vol. 3C, 28.3.1, 28.5.1, 27.3.2.1). */
    uint32_t exit_req = EXIT_HOST_ADDR_SPACE_SIZE | EXIT_SAVE_EFER | EXIT_LOAD_EFER |
                        EXIT_SAVE_DEBUG_CONTROLS;
    uint32_t exit_opt = EXIT_SAVE_PAT | EXIT_LOAD_PAT | (pin_opt ? EXIT_SAVE_PREEMPTION_TIMER : 0);
    x->exit_ctl = vmx_adjust_ctl(CTL_EXIT, exit_req, exit_opt, caps->exit, report_ctl, 0, &missing);
    uint32_t entry_req = ENTRY_LOAD_EFER | ENTRY_LOAD_DEBUG_CONTROLS;
    x->entry_ctl = vmx_adjust_ctl(CTL_ENTRY, entry_req, ENTRY_LOAD_PAT, caps->entry, report_ctl, 0,
                                  &missing);
    if (missing) {
        kprintf("error: vmx: %u required control(s) missing; cannot run a guest\n", missing);
        return -1;
    }
    vmcs_write32(VMCS_PIN_CONTROLS, x->pin);
    vmcs_write32(VMCS_PROC_CONTROLS, x->proc);
    vmcs_write32(VMCS_PROC2_CONTROLS, x->proc2);
    vmcs_write32(VMCS_EXIT_CONTROLS, x->exit_ctl);
    vmcs_write32(VMCS_ENTRY_CONTROLS, x->entry_ctl);
    vmcs_write32(VMCS_EXCEPTION_BITMAP, v->exception_bitmap);
    vmcs_write32(VMCS_PF_ERROR_MASK, 0);
    vmcs_write32(VMCS_PF_ERROR_MATCH, 0);
    vmcs_write32(VMCS_CR3_TARGET_COUNT, 0);
    vmcs_write32(VMCS_EXIT_MSR_STORE_COUNT, 0);
    vmcs_write32(VMCS_EXIT_MSR_LOAD_COUNT, 0);
    vmcs_write32(VMCS_ENTRY_MSR_LOAD_COUNT, 0);
    vmcs_write32(VMCS_ENTRY_INTR_INFO, 0);
    if (x->proc2 & PROC2_ENABLE_VPID)
        vmcs_write16(VMCS_VPID, 1 + v->id);     /* VPID 0 is the host's (25.6.12) */
    vmcs_write64(VMCS_EPT_POINTER, cfg->slat_root);

    /* Bitmaps: pass-through except the ports of the devices on the bus
     * (kernel/iobus.h), the APIC's MSRs the hypervisor watches,
     * IA32_FEATURE_CONTROL and the VMX capability MSRs. */
    iobus_intercept(v);
    vmcs_write64(VMCS_IO_BITMAP_A, hv_pa(x->io_bitmap));
    vmcs_write64(VMCS_IO_BITMAP_B, hv_pa(x->io_bitmap + 4096));
    vmx_msr_intercept(v, MSR_IA32_FEATURE_CONTROL, true);
    for (uint32_t msr = MSR_IA32_VMX_BASIC; msr <= MSR_IA32_VMX_VMFUNC; msr++)
        vmx_msr_intercept(v, msr, true);
    apic_virt_vcpu(v);
    vmcs_write64(VMCS_MSR_BITMAP, hv_pa(x->msr_bitmap));

    /* CR0/CR4 bits the host owns (25.6.6): every bit VMX fixes, except
     * PE/PG which unrestricted guest frees (27.3.1.1), plus PG itself so
     * that entering long mode exits and we keep "IA-32e mode guest" right.
     * CR4.VMXE reads as 0 through the shadow: the guest sees no VMX.
     * CR4_CPUID_BITS: changing one exits, for the vCPU's CPUID answers;
     * CR4.DE too, so that cr4_shadow says whether the guest may have I/O
     * breakpoints on the ports monovisor emulates (vcpu_io_breakpoints). */
    x->cr0_mask = ((caps->cr0_fixed0 | ~caps->cr0_fixed1) & ~CR0_PE) | CR0_PG;
    x->cr4_mask = caps->cr4_fixed0 | ~caps->cr4_fixed1 | CR4_VMXE | CR4_CPUID_BITS | CR4_DE;
    vmcs_writen(VMCS_CR0_MASK, x->cr0_mask);
    vmcs_writen(VMCS_CR4_MASK, x->cr4_mask);

    x->preempt_reload = (x->pin & PIN_PREEMPTION_TIMER) ? cfg->poll_ticks >> VMX_MISC_PREEMPT_TIMER_RATE(caps->misc) : 0;
    if (x->preempt_reload > 0xFFFFFFFFull)
        x->preempt_reload = 0xFFFFFFFFull;
    if (x->pin & PIN_PREEMPTION_TIMER)
        vmcs_write32(VMCS_PREEMPTION_TIMER, x->preempt_reload ? x->preempt_reload : 1);

    write_host_state();
    v->regs.host_rsp = 0;
    if (hv.opt.verbose && v->boot)
        kprintf("vmx.on cpu=%u vmcs=%#llx pin=%#x proc=%#x proc2=%#x exit=%#x entry=%#x\n", v->id,
                (unsigned long long)x->vmcs_pa, x->pin, x->proc, x->proc2, x->exit_ctl,
                x->entry_ctl);
    return 0;
}

#define SET_SEG(seg, sel, base, limit, ar)                 \
    do {                                                   \
        vmcs_write16(VMCS_GUEST_##seg##_SEL, sel);         \
        vmcs_writen(VMCS_GUEST_##seg##_BASE, base);        \
        vmcs_write32(VMCS_GUEST_##seg##_LIMIT, limit);     \
        vmcs_write32(VMCS_GUEST_##seg##_AR, ar);           \
    } while (0)

/* DS, ES, SS, FS, GS alike, base 0. */
static void set_data_segments(uint16_t sel, uint32_t limit, uint32_t ar)
{
    SET_SEG(DS, sel, 0, limit, ar);
    SET_SEG(ES, sel, 0, limit, ar);
    SET_SEG(SS, sel, 0, limit, ar);
    SET_SEG(FS, sel, 0, limit, ar);
    SET_SEG(GS, sel, 0, limit, ar);
}

/* After the hypervisor rewrote the guest state: nothing cached of the
 * last exit holds (vmx.h, the per-exit cache). */
static void forget_exit_cache(struct vmx_vcpu *x)
{
    x->v.rip_valid = x->v.exit_cached = false;
}

/* A (re)start: the benchmark build's VMCS access counts start afresh. */
static void reset_counters(struct vmx_vcpu *x)
{
#ifdef VMX_COUNT_VMCS_ACCESS
    memset(x->vmreads, 0, sizeof(x->vmreads));
    memset(x->vmwrites, 0, sizeof(x->vmwrites));
#else
    (void)x;
#endif
}

void vmx_guest_cache_control(uint64_t cr0)
{
    uint64_t now = read_cr0();
    if ((now ^ cr0) & (CR0_CD | CR0_NW))
        write_cr0((now & ~(CR0_CD | CR0_NW)) | (cr0 & (CR0_CD | CR0_NW)));
}

static void vmx_set_start_state(struct vcpu *v, const struct guest_start *s)
{
    struct vmx_vcpu *x = to_vmx(v);
    uint64_t cr0 = CR0_ET, cr4 = 0, efer = 0;
    uint32_t code_ar, data_ar = AR_TYPE_DATA_RW_ACCESSED | AR_S | AR_P;
    uint32_t limit = 0xFFFFFFFF;

    /* A launched VMCS must be cleared before VMLAUNCH again (31.3,
     * VMLAUNCH); VMCLEAR keeps its contents. */
    if (vmclear(x->vmcs_pa) != VMX_OK || vmptrld(x->vmcs_pa) != VMX_OK)
        panic("VMCLEAR/VMPTRLD of the current VMCS failed");
    memset(&v->regs, 0, sizeof(v->regs));
    v->regs.rax = s->rax;
    v->regs.rbx = s->rbx;
    v->regs.rsi = s->rsi;

    switch (s->mode) {
    case GUEST_REAL: {
        /* Real mode at rip: CS = rip >> 4 rounded to a 64 KiB segment. */
        uint16_t cs = (uint16_t)((s->rip >> 4) & 0xF000);
        code_ar = AR_TYPE_CODE_RX_ACCESSED | AR_S | AR_P;
        SET_SEG(CS, cs, (uint64_t)cs << 4, 0xFFFF, code_ar);
        set_data_segments(0, 0xFFFF, data_ar);
        vmcs_writen(VMCS_GUEST_RIP, s->rip - ((uint64_t)cs << 4));
        break;
    }
    case GUEST_PROT32:
        /* Multiboot machine state (Multiboot 0.6.96, 3.2): flat 4 GiB
         * segments, protected mode, paging off. */
        cr0 |= CR0_PE;
        code_ar = AR_TYPE_CODE_RX_ACCESSED | AR_S | AR_P | AR_DB | AR_G;
        data_ar |= AR_DB | AR_G;
        SET_SEG(CS, 0x08, 0, limit, code_ar);
        set_data_segments(0x10, limit, data_ar);
        vmcs_writen(VMCS_GUEST_RIP, s->rip);
        break;
    case GUEST_LONG64:
        cr0 |= CR0_PE | CR0_PG | CR0_WP;
        cr4 |= CR4_PAE;
        efer = EFER_LME | EFER_LMA;
        code_ar = AR_TYPE_CODE_RX_ACCESSED | AR_S | AR_P | AR_L | AR_G;
        data_ar |= AR_DB | AR_G;
        SET_SEG(CS, 0x08, 0, limit, code_ar);
        set_data_segments(0x10, limit, data_ar);
        vmcs_writen(VMCS_GUEST_RIP, s->rip);
        break;
    }
    /* LDTR unusable; TR a busy TSS (26.3.1.2 requires one even when unused). */
    SET_SEG(LDTR, 0, 0, 0, AR_UNUSABLE);
    SET_SEG(TR, 0, 0, 0xFF, (s->mode == GUEST_REAL ? AR_TYPE_TSS_BUSY_16 : AR_TYPE_TSS_BUSY_32) | AR_P);
    vmcs_writen(VMCS_GUEST_GDTR_BASE, 0);
    vmcs_write32(VMCS_GUEST_GDTR_LIMIT, 0xFFFF);
    vmcs_writen(VMCS_GUEST_IDTR_BASE, 0);
    vmcs_write32(VMCS_GUEST_IDTR_LIMIT, 0xFFFF);

    /* The guest sees cr0/cr4; the CPU runs with the VMX fixed bits added
     * (caches on). */
    vmx_set_cr0(x, cr0);
    vmx_set_cr4(x, cr4);
    vmcs_writen(VMCS_GUEST_CR3, s->cr3);
    vmx_set_efer(x, efer);

    vmcs_writen(VMCS_GUEST_RSP, s->rsp);
    vmcs_writen(VMCS_GUEST_RFLAGS, 0x2);        /* bit 1 is reserved 1 */
    vmcs_writen(VMCS_GUEST_DR7, 0x400);
    vmcs_write64(VMCS_GUEST_DEBUGCTL, 0);
    vmcs_write64(VMCS_GUEST_PAT, PAT_POWER_ON);
    vmcs_write32(VMCS_GUEST_SYSENTER_CS, 0);
    vmcs_writen(VMCS_GUEST_SYSENTER_ESP, 0);
    vmcs_writen(VMCS_GUEST_SYSENTER_EIP, 0);
    vmcs_write64(VMCS_LINK_POINTER, ~0ull);     /* 27.3.1.5: no shadow VMCS */
    vmcs_write32(VMCS_GUEST_ACTIVITY_STATE, ACTIVITY_ACTIVE);
    vmcs_write32(VMCS_GUEST_INTERRUPTIBILITY, 0);
    vmcs_writen(VMCS_GUEST_PENDING_DBG, 0);
    vmcs_write32(VMCS_ENTRY_INTR_INFO, 0);
    if (x->preempt_reload)
        vmcs_write32(VMCS_PREEMPTION_TIMER, x->preempt_reload);
    x->launched = 0;
    reset_counters(x);
    forget_exit_cache(x);
    v->nmi_pending = false;
    vmx_deliver_nmi(v);         /* nothing pending: closes the NMI window */
    v->mp_state = MP_RUNNABLE;
}

static void vmx_set_init_state(struct vcpu *v)
{
    struct vmx_vcpu *x = to_vmx(v);
    /* A fresh VMCS gets the fields INIT leaves alone first. */
    if (!x->launched)
        vmx_set_start_state(v, &(struct guest_start){ .mode = GUEST_REAL });
    /* The state INIT leaves (SDM Vol. 3A, 10.1.1, table 10-1): real mode,
     * caches off, CS:IP F000:FFF0 with CS base FFFF0000H, EDX the
     * processor signature, everything else zero; an AP then waits for a
     * SIPI (10.4.2). The vCPU waits in the hypervisor (mp_state
     * MP_WAIT_SIPI, never entered) until an emulated SIPI starts it; the
     * VMCS activity state says wait-for-SIPI (25.4.2) for `regs`. */
    uint64_t cr0 = CR0_CD | CR0_NW | CR0_ET;
    uint32_t data_ar = AR_TYPE_DATA_RW_ACCESSED | AR_S | AR_P;
    memset(&v->regs, 0, sizeof(v->regs) - sizeof(v->regs.host_rsp));
    v->regs.rdx = cpuid(1, 0).eax;
    SET_SEG(CS, 0xF000, 0xFFFF0000ull, 0xFFFF, AR_TYPE_CODE_RX_ACCESSED | AR_S | AR_P);
    set_data_segments(0, 0xFFFF, data_ar);
    SET_SEG(LDTR, 0, 0, 0xFFFF, AR_TYPE_LDT | AR_P);
    SET_SEG(TR, 0, 0, 0xFFFF, AR_TYPE_TSS_BUSY_16 | AR_P);
    vmcs_writen(VMCS_GUEST_GDTR_BASE, 0);
    vmcs_write32(VMCS_GUEST_GDTR_LIMIT, 0xFFFF);
    vmcs_writen(VMCS_GUEST_IDTR_BASE, 0);
    vmcs_write32(VMCS_GUEST_IDTR_LIMIT, 0xFFFF);
    vmcs_writen(VMCS_GUEST_RIP, 0xFFF0);
    vmcs_writen(VMCS_GUEST_RSP, 0);
    vmcs_writen(VMCS_GUEST_RFLAGS, 0x2);
    vmx_set_cr0(x, cr0);                /* caches off, as INIT leaves them */
    vmx_set_cr4(x, 0);                  /* CPUID: OSXSAVE = OSPKE = 0 */
    /* What INIT resets outside the VMCS: CR2, DR0-DR3, DR6 (the CPU's own,
     * the guest's since the host never uses them) and the local APIC. */
    write_cr2(0);
    write_dr0(0);
    write_dr1(0);
    write_dr2(0);
    write_dr3(0);
    write_dr6(0xFFFF0FF0);
    lapic_init_reset();
    vmcs_writen(VMCS_GUEST_CR3, 0);
    vmx_set_efer(x, 0);
    vmcs_writen(VMCS_GUEST_DR7, 0x400);
    vmcs_write64(VMCS_GUEST_DEBUGCTL, 0);
    vmcs_write32(VMCS_GUEST_INTERRUPTIBILITY, 0);
    vmcs_writen(VMCS_GUEST_PENDING_DBG, 0);
    vmcs_write32(VMCS_ENTRY_INTR_INFO, 0);
    vmcs_write32(VMCS_GUEST_ACTIVITY_STATE, ACTIVITY_WAIT_SIPI);
    forget_exit_cache(x);
    v->nmi_pending = false;
    vmx_deliver_nmi(v);
    v->mp_state = MP_WAIT_SIPI;
}

static void vmx_start_at_sipi(struct vcpu *v, uint8_t vector)
{
    forget_exit_cache(to_vmx(v));
    /* A SIPI starts the core in real mode at CS = vector << 8, IP = 0
     * (SDM Vol. 3A, 10.4.4.1); the rest is the INIT state. */
    vmcs_write16(VMCS_GUEST_CS_SEL, (uint16_t)(vector << 8));
    vmcs_writen(VMCS_GUEST_CS_BASE, (uint64_t)vector << 12);
    vmcs_writen(VMCS_GUEST_RIP, 0);
    vmcs_write32(VMCS_GUEST_ACTIVITY_STATE, ACTIVITY_ACTIVE);
    vmcs_write32(VMCS_GUEST_INTERRUPTIBILITY, 0);
    v->nmi_pending = false;     /* NMIs while waiting are blocked (25.4.2) */
    v->mp_state = MP_RUNNABLE;
}

/* ---- the exits the console turns on and off (`trap`) ---- */

/* The primary processor-based controls of each (SDM Vol. 3C, Table 25-6). */
static const uint32_t trap_controls[TRAPS] = {
    [TRAP_RDTSC] = PROC_RDTSC_EXITING,
    [TRAP_HLT] = PROC_HLT_EXITING,
    [TRAP_CR3] = PROC_CR3_LOAD_EXITING | PROC_CR3_STORE_EXITING,
    [TRAP_INVLPG] = PROC_INVLPG_EXITING,
    [TRAP_MOVDR] = PROC_MOV_DR_EXITING,
    [TRAP_MWAIT] = PROC_MONITOR_EXITING | PROC_MWAIT_EXITING,
    [TRAP_PAUSE] = PROC_PAUSE_EXITING,
};

static int vmx_set_trap(struct vcpu *v, enum vtrap t, bool on)
{
    struct vmx_vcpu *x = to_vmx(v);
    uint32_t bits = trap_controls[t];
    /* Appendix A.3.2: a control may be 1 only where the capability MSR's
     * high half allows it, 0 only where its low half does. */
    if (on ? (vmx_caps.proc.may1 & bits) != bits : (vmx_caps.proc.must1 & bits) != 0)
        return -1;
    x->proc = on ? x->proc | bits : x->proc & ~bits;
    vmcs_write32(VMCS_PROC_CONTROLS, x->proc);
    return 0;
}

static bool vmx_trap_on(struct vcpu *v, enum vtrap t)
{
    return (to_vmx(v)->proc & trap_controls[t]) == trap_controls[t];
}

static void vmx_set_exceptions(struct vcpu *v, uint32_t bitmap)
{
    /* `step` keeps #DB exiting until it ends (vmx_step_end restores). */
    vmcs_write32(VMCS_EXCEPTION_BITMAP, bitmap | (v->stepping ? 1u << DB_VECTOR : 0));
}

static void vmx_intercept_msr(struct vcpu *v, uint32_t msr, bool on)
{
    vmx_msr_intercept(v, msr, on);
}

static void vmx_print_caps_virt(bool verbose)
{
    vmx_print_caps(&vmx_caps, verbose);
}

/* [start, end, abort] triples of vmx/entry.asm. */
extern const uint64_t vmx_entry_windows[], vmx_entry_windows_end[];

const struct virt_ops vmx_ops = {
    .name = "vmx",
    .label = "VMX",
    .vcpu_size = sizeof(struct vmx_vcpu),
    .slat_format = SLAT_EPT,
    .probe = vmx_probe_virt,
    .enable_cpu = vmx_enable_cpu,
    .disable_cpu = vmx_disable_cpu,
    .vcpu_setup = vmx_vcpu_setup,
    .print_caps = vmx_print_caps_virt,
    .run = vmx_run,
    .set_start_state = vmx_set_start_state,
    .set_init_state = vmx_set_init_state,
    .start_at_sipi = vmx_start_at_sipi,
    .get_reg = vmx_get_reg,
    .set_reg = vmx_set_reg,
    .cpl = vmx_cpl,
    .code_bits = vmx_code_bits,
    .dump = vmx_dump,
    .skip = vmx_skip,
    .advance = vmx_advance,
    .inject = vmx_inject,
    .injecting = vmx_injecting,
    .reinject = vmx_reinject,
    .deliver_nmi = vmx_deliver_nmi,
    .nmi_exited = vmx_nmi_exited,
    .block_nmi = vmx_block_nmi,
    .intr_ready = vmx_intr_ready,
    .intr_window = vmx_intr_window,
    .pending_debug = vmx_pending_debug,
    .intercept_io = vmx_io_intercept,
    .intercept_msr = vmx_intercept_msr,
    .set_trap = vmx_set_trap,
    .trap_on = vmx_trap_on,
    .set_exceptions = vmx_set_exceptions,
    .msr_read = vmx_msr_read,
    .msr_write = vmx_msr_write,
    .cr_access = vmx_cr_access,
    .halt = vmx_halt,
    .flush_tlb = vmx_flush_tlb,
    .invlpg = vmx_invlpg,
    .step_begin = vmx_step_begin,
    .step_end = vmx_step_end,
    .rearm_timer = vmx_rearm_timer,
    .exit_name = exit_reason_name,
#ifdef VMX_COUNT_VMCS_ACCESS
    .print_exit_extra = vmx_print_exit_extra,
#endif
    .entry_windows = vmx_entry_windows,
    .entry_windows_end = vmx_entry_windows_end,
};
