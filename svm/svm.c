/*
 * svm.c - the AMD-V (SVM) backend's bring-up (kernel/virt.h): detection,
 * SVM on a core (EFER.SVME, the host save area), the VMCB and its
 * intercepts, the guest's start, INIT and SIPI states, and the ops table.
 * The exit path is in svm/svm_exit.c and svm/entry.asm. AMD APM Vol. 2,
 * chapter 15.
 */
#include "svm.h"

#include "svm_caps.h"
#include "svm_names.h"
#include "../drivers/lapic.h"
#include "../kernel/event.h"
#include "../kernel/hv.h"
#include "../kernel/iobus.h"
#include "../kernel/kstring.h"
#include "../kernel/mem.h"
#include "../kernel/options.h"
#include "../kernel/percpu.h"
#include "../kernel/printk.h"
#include "../kernel/trap.h"
#include "../kernel/vapic.h"
#include "../kernel/x86.h"
#include "../kernel/x86_regs.h"

#define CPUID_1_ECX_XSAVE (1u << 26)
#define PAT_POWER_ON 0x0007040600070406ull      /* APM Vol. 2, 7.8.2 */
#define MSR_IA32_PAT_NR 0x277
#define PAUSE_COUNT_POLL 1000   /* PAUSEs of a spinning console core between polls */

/* EVENTINJ and EXITINTINFO are the neutral event encoding (kernel/event.h). */
_Static_assert(SVM_EVTINJ_VALID == EVENT_VALID && SVM_EVTINJ_VALID_ERR == EVENT_HAS_ERROR &&
                   SVM_EVTINJ_TYPE_EXEPT == EVENT_TYPE_EXCEPTION << 8 &&
                   SVM_EVTINJ_TYPE_NMI == EVENT_TYPE_NMI << 8 &&
                   SVM_EVTINJ_TYPE_INTR == EVENT_TYPE_EXTERNAL << 8 &&
                   SVM_EVTINJ_TYPE_SOFT == EVENT_TYPE_SOFT_INT << 8,
               "SVM event encoding");
_Static_assert(sizeof(struct vmcb_seg) == 16, "VMCB segment layout");

struct virt_config svm_cfg;
static struct svm_raw raw;
static struct svm_caps caps;

/* Per core: the host state VMLOAD restores after every exit (FS, GS with
 * this core's struct cpu, TR, LDTR, the SYSCALL and SYSENTER MSRs), saved
 * by VMSAVE when the core enables SVM (15.5.2). */
static uint64_t host_state_pa[MAX_CPUS];

uint64_t svm_host_save_pa(void)
{
    return host_state_pa[this_cpu()->index];
}

/* ---- detection ---- */

static void print_line(void *ctx, const char *line)
{
    (void)ctx;
    kprintf("%s\n", line);
}

static int svm_probe(bool verbose, struct virt_caps *out)
{
    raw = (struct svm_raw){ .ext_max = cpuid(0x80000000, 0).eax };
    if (raw.ext_max >= 0x80000001) {
        struct cpuid_regs r = cpuid(0x80000001, 0);
        raw.ext1_ecx = r.ecx;
        raw.ext1_edx = r.edx;
    }
    if (raw.ext1_ecx & CPUID_80000001_ECX_SVM) {
        if (raw.ext_max >= CPUID_SVM_FEATURES) {
            struct cpuid_regs r = cpuid(CPUID_SVM_FEATURES, 0);
            raw.svm_eax = r.eax;
            raw.svm_ebx = r.ebx;
            raw.svm_edx = r.edx;
        }
        /* Bochs 2.7 has no VM_CR: read as 0 there (SVM not disabled). */
        if (rdmsr_safe(MSR_VM_CR, &raw.vm_cr))
            raw.vm_cr = 0;
    }
    svm_caps_decode(&raw, &caps);
    bool ok = caps.status == SVM_READY || caps.status == SVM_READY_UNLOCKED;
    if (verbose || !ok)
        svm_caps_format(&caps, false, print_line, 0);
    if (!ok) {
        kprintf("error: svm: %s\n", svm_status_message(&caps));
        return -1;
    }
    if (verbose)
        kprintf("svm: %s\n", svm_status_message(&caps));
    /* The nested walk always sets the accessed and dirty flags of its
     * entries (15.25.2): ept_ad=1 has them, with nothing to switch on. */
    out->slat_ad = true;
    out->slat_1g = caps.page_1g;
    return 0;
}

static void svm_print_caps(bool verbose)
{
    svm_caps_format(&caps, verbose, print_line, 0);
}

/* ---- SVM on a core ---- */

static inline void vmsave(uint64_t pa)
{
    __asm__ volatile("vmsave %%rax" : : "a"(pa) : "memory");
}

static int svm_enable_cpu(void)
{
    struct cpu *c = this_cpu();
    if (caps.status == SVM_READY_UNLOCKED)
        wrmsr(MSR_VM_CR, rdmsr(MSR_VM_CR) & ~VM_CR_SVMDIS);
    /* XSETBV for the guest's resets needs CR4.OSXSAVE (kernel/vcpu.c). */
    if (cpuid(1, 0).ecx & CPUID_1_ECX_XSAVE)
        write_cr4(read_cr4() | CR4_OSXSAVE);
    void *hsave = page_alloc(1), *host = page_alloc(1);
    if (!hsave || !host) {
        kprintf("error: svm: no pool pages for the host save areas\n");
        return -1;
    }
    /* 15.4: EFER.SVME first; VMRUN saves the host's state to the page
     * VM_HSAVE_PA names (15.30.4). The nested walk takes EFER.NXE from
     * the host (15.25.3): without it a nested entry's NX bit is reserved
     * (the read-only device pages have it). */
    uint64_t nxe = (cpuid(0x80000001, 0).edx >> 20) & 1 ? EFER_NXE : 0;
    wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SVME | nxe);
    wrmsr(MSR_VM_HSAVE_PA, hv_pa(hsave));
    host_state_pa[c->index] = hv_pa(host);
    vmsave(host_state_pa[c->index]);
    c->virt_on = true;
    trap_db_hook = svm_db_hook;
    return 0;
}

static void svm_disable_cpu(void)
{
    struct cpu *c = this_cpu();
    if (c->virt_on) {
        wrmsr(MSR_EFER, rdmsr(MSR_EFER) & ~EFER_SVME);
        c->virt_on = false;
    }
}

/* ---- intercept maps ---- */

static void svm_io_intercept(struct vcpu *v, uint16_t port, unsigned n, bool on)
{
    /* 15.10.1: one bit per port; an access of several bytes exits when any
     * of its ports' bits is set (the third page covers those past FFFFH). */
    uint8_t *map = to_svm(v)->iopm;
    for (unsigned p = port; p < (unsigned)port + n && p <= 0xFFFF; p++) {
        if (on)
            map[p / 8] |= (uint8_t)(1u << (p % 8));
        else
            map[p / 8] &= (uint8_t)~(1u << (p % 8));
    }
}

/* The MSRs SVM always takes (the guest's EFER keeps SVME, which it must
 * not see; the PAT register is the host's with nested paging, the
 * guest's is g_PAT, 15.25.8; the SVM MSRs of a CPU without SVM). */
static bool always_intercepted(uint32_t msr)
{
    return msr == MSR_EFER || msr == MSR_IA32_PAT_NR || msr == MSR_VM_CR ||
           msr == MSR_VM_HSAVE_PA || msr == MSR_SVM_KEY;
}

void svm_msr_intercept(struct vcpu *v, uint32_t msr, bool on)
{
    /* 15.11: two bits per MSR (read, write) in three 2 KiB ranges; MSRs
     * outside them always exit. */
    unsigned base;
    if (msr <= 0x1FFF)
        base = 0;
    else if (msr >= 0xC0000000u && msr <= 0xC0001FFFu)
        base = 0x800;
    else if (msr >= 0xC0010000u && msr <= 0xC0011FFFu)
        base = 0x1000;
    else
        return;
    if (!on && always_intercepted(msr))
        return;
    unsigned bit = (msr & 0x1FFF) * 2;
    uint8_t *byte = &to_svm(v)->msrpm[base + bit / 8];
    uint8_t both = (uint8_t)(3u << (bit % 8));
    *byte = on ? (uint8_t)(*byte | both) : (uint8_t)(*byte & ~both);
}

/* ---- the VMCB ---- */

static int svm_vcpu_setup(struct vcpu *v, const struct virt_config *cfg)
{
    struct svm_vcpu *x = to_svm(v);
    svm_cfg = *cfg;
    x->vmcb = page_alloc(1);
    x->iopm = page_alloc(3);
    x->msrpm = page_alloc(2);
    if (!x->vmcb || !x->iopm || !x->msrpm) {
        kprintf("error: svm: no pool pages for the VMCB and the intercept maps\n");
        return -1;
    }
    x->vmcb_pa = hv_pa(x->vmcb);
    x->asid = 1 + v->id;                /* ASID 0 is the host's (15.16) */
    if (x->asid >= caps.asids) {
        kprintf("error: svm: cpu %u needs ASID %u, the CPU has %u\n", v->id, x->asid, caps.asids);
        return -1;
    }
    x->nrips = caps.nrips;
    x->no_nrips = !caps.nrips;
    x->flush_asid = caps.flush_asid;
    x->decode_assists = caps.decode_assists;

    /* Intercepts (15.9-15.13): NMIs (kicks), INIT (emulated), CPUID,
     * INVD (the hypervisor's lines would go too), port I/O and MSRs by
     * their maps, shutdown; every SVM instruction and VMMCALL, the
     * hypercall. External interrupts go straight to the guest (no INTR
     * intercept, V_INTR_MASKING clear) but on the console's core. */
    /* The console's core has no preemption timer on AMD: the guest's
     * own interrupts exit there instead, and the console is served then
     * (svm_exit.c, take_interrupt), its HLTs always exit (svm_halt
     * serves the console while the vCPU waits), and so do its PAUSEs,
     * which a core spinning in a wait loop executes (every PAUSE_COUNT_POLL
     * of them with the pause filter, 15.14.4): the console's poll there. */
    x->intr_intercept = v->console && cfg->poll_ticks;
    x->hlt_trap = cfg->hlt_exiting;
    x->pause_trap = false;
    /* CR0 writes that change more than TS and MP exit (svm_state.c,
     * svm_cr_access): rare (mode switches), and checked as the APM says
     * the CPU does, where an emulator's guest mode does not (Bochs 2.7
     * lets an SVM guest set PG without PE: "paged real mode"). */
    uint32_t misc1 = SVM_INTERCEPT1_NMI | SVM_INTERCEPT1_INIT | SVM_INTERCEPT1_CPUID |
                     SVM_INTERCEPT1_CR0_SEL_WRITE |
                     SVM_INTERCEPT1_INVD | SVM_INTERCEPT1_IOIO_PROT | SVM_INTERCEPT1_MSR_PROT |
                     SVM_INTERCEPT1_SHUTDOWN | SVM_INTERCEPT1_INVLPGA |
                     (cfg->hlt_exiting || x->intr_intercept ? SVM_INTERCEPT1_HLT : 0) |
                     (x->intr_intercept ? SVM_INTERCEPT1_INTR | SVM_INTERCEPT1_PAUSE : 0);
    uint32_t misc2 = SVM_INTERCEPT2_VMRUN | SVM_INTERCEPT2_VMMCALL | SVM_INTERCEPT2_VMLOAD |
                     SVM_INTERCEPT2_VMSAVE | SVM_INTERCEPT2_STGI | SVM_INTERCEPT2_CLGI |
                     SVM_INTERCEPT2_SKINIT;
    *vmcb32(x, VMCB_INTERCEPT_MISC1) = misc1;
    *vmcb32(x, VMCB_INTERCEPT_MISC2) = misc2;
    svm_set_exceptions(v, v->exception_bitmap);     /* with INTn when #BP (svm_exit.c) */
    if (caps.pause_filter)
        *vmcb16(x, VMCB_PAUSE_FILTER_COUNT) = PAUSE_COUNT_POLL;
    *vmcb64(x, VMCB_IOPM_BASE_PA) = hv_pa(x->iopm);
    *vmcb64(x, VMCB_MSRPM_BASE_PA) = hv_pa(x->msrpm);
    *vmcb32(x, VMCB_GUEST_ASID) = x->asid;
    *vmcb8(x, VMCB_TLB_CONTROL) = TLB_CONTROL_FLUSH_ALL;
    *vmcb64(x, VMCB_NP_ENABLE) = 1;
    *vmcb64(x, VMCB_N_CR3) = cfg->slat_root;

    iobus_intercept(v);
    svm_msr_intercept(v, MSR_EFER, true);
    svm_msr_intercept(v, MSR_IA32_PAT_NR, true);
    svm_msr_intercept(v, MSR_VM_CR, true);
    svm_msr_intercept(v, MSR_VM_HSAVE_PA, true);
    svm_msr_intercept(v, MSR_SVM_KEY, true);
    apic_virt_vcpu(v);
    v->regs.host_rsp = 0;
    if (hv.opt.verbose && v->boot)
        kprintf("svm.on cpu=%u vmcb=%#llx asid=%u intercepts=%#x/%#x nrips=%d\n", v->id,
                (unsigned long long)x->vmcb_pa, x->asid, *vmcb32(x, VMCB_INTERCEPT_MISC1), misc2,
                x->nrips);
    return 0;
}

/* A segment from the VMX-style access rights the start states use
 * (type 3:0, S 4, DPL 6:5, P 7, AVL 12, L 13, D/B 14, G 15): VMCB
 * attributes hold the same bits packed into 11:0 (15.5.1). */
#define AR_TYPE_CODE_RX_ACCESSED 0xBu
#define AR_TYPE_DATA_RW_ACCESSED 0x3u
#define AR_S   (1u << 4)
#define AR_P   (1u << 7)
#define AR_L   (1u << 13)
#define AR_DB  (1u << 14)
#define AR_G   (1u << 15)

static void set_seg(struct svm_vcpu *x, unsigned off, uint16_t sel, uint64_t base, uint32_t limit,
                    uint32_t ar)
{
    *vmcb_seg(x, off) = (struct vmcb_seg){ sel, (uint16_t)((ar & 0xFF) | ((ar >> 4) & 0xF00)),
                                           limit, base };
}

static void set_data_segments(struct svm_vcpu *x, uint16_t sel, uint32_t limit, uint32_t ar)
{
    set_seg(x, VMCB_DS, sel, 0, limit, ar);
    set_seg(x, VMCB_ES, sel, 0, limit, ar);
    set_seg(x, VMCB_SS, sel, 0, limit, ar);
    set_seg(x, VMCB_FS, sel, 0, limit, ar);
    set_seg(x, VMCB_GS, sel, 0, limit, ar);
}

/* What every start shares: no event, no window, no blocking, the TLB
 * flushed, the guest's CR4 known to the core. */
static void common_start(struct svm_vcpu *x)
{
    *vmcb32(x, VMCB_EVENTINJ) = 0;
    *vmcb32(x, VMCB_INT_CTL) = 0;
    *vmcb32(x, VMCB_INT_STATE) = 0;
    svm_intercept(x, VMCB_INTERCEPT_MISC1, SVM_INTERCEPT1_VINTR | SVM_INTERCEPT1_IRET, false);
    *vmcb8(x, VMCB_TLB_CONTROL) = TLB_CONTROL_FLUSH_ALL;
    x->nmi_blocked = x->nmi_after_iret = false;
    x->halted = false;
    x->v.cr4_de = *vmcb64(x, VMCB_CR4) & CR4_DE;
    x->v.rip_valid = false;
    cpuid_fast_invalidate_vcpu(&x->v);
}

static void svm_set_start_state(struct vcpu *v, const struct guest_start *s)
{
    struct svm_vcpu *x = to_svm(v);
    uint64_t cr0 = CR0_ET, cr4 = 0, efer = 0;
    uint32_t code_ar, data_ar = AR_TYPE_DATA_RW_ACCESSED | AR_S | AR_P;
    memset(&v->regs, 0, sizeof(v->regs));
    memset(x->vmcb + VMCB_SAVE, 0, PAGE_SIZE - VMCB_SAVE);
    v->regs.rax = s->rax;
    v->regs.rbx = s->rbx;
    v->regs.rsi = s->rsi;
    switch (s->mode) {
    case GUEST_REAL: {
        uint16_t cs = (uint16_t)((s->rip >> 4) & 0xF000);
        code_ar = AR_TYPE_CODE_RX_ACCESSED | AR_S | AR_P;
        set_seg(x, VMCB_CS, cs, (uint64_t)cs << 4, 0xFFFF, code_ar);
        set_data_segments(x, 0, 0xFFFF, data_ar);
        *vmcb64(x, VMCB_RIP) = s->rip - ((uint64_t)cs << 4);
        break;
    }
    case GUEST_PROT32:
        /* Multiboot machine state (Multiboot 0.6.96, 3.2). */
        cr0 |= CR0_PE;
        code_ar = AR_TYPE_CODE_RX_ACCESSED | AR_S | AR_P | AR_DB | AR_G;
        data_ar |= AR_DB | AR_G;
        set_seg(x, VMCB_CS, 0x08, 0, 0xFFFFFFFF, code_ar);
        set_data_segments(x, 0x10, 0xFFFFFFFF, data_ar);
        *vmcb64(x, VMCB_RIP) = s->rip;
        break;
    case GUEST_LONG64:
        cr0 |= CR0_PE | CR0_PG | CR0_WP;
        cr4 |= CR4_PAE;
        efer = EFER_LME | EFER_LMA;
        code_ar = AR_TYPE_CODE_RX_ACCESSED | AR_S | AR_P | AR_L | AR_G;
        data_ar |= AR_DB | AR_G;
        set_seg(x, VMCB_CS, 0x08, 0, 0xFFFFFFFF, code_ar);
        set_data_segments(x, 0x10, 0xFFFFFFFF, data_ar);
        *vmcb64(x, VMCB_RIP) = s->rip;
        break;
    }
    set_seg(x, VMCB_LDTR, 0, 0, 0, 0);
    set_seg(x, VMCB_TR, 0, 0, 0xFF, (s->mode == GUEST_REAL ? 0x3u : 0xBu) | AR_P);  /* a busy TSS */
    set_seg(x, VMCB_GDTR, 0, 0, 0xFFFF, 0);
    set_seg(x, VMCB_IDTR, 0, 0, 0xFFFF, 0);
    *vmcb64(x, VMCB_CR0) = cr0;
    *vmcb64(x, VMCB_CR4) = cr4;
    *vmcb64(x, VMCB_CR3) = s->cr3;
    *vmcb64(x, VMCB_EFER) = efer | EFER_SVME;   /* VMRUN requires it (15.5.1); the guest never sees it */
    *vmcb64(x, VMCB_RSP) = s->rsp;
    *vmcb64(x, VMCB_RFLAGS) = RFLAGS_FIXED1;
    *vmcb64(x, VMCB_DR7) = 0x400;
    *vmcb64(x, VMCB_DR6) = DR6_FIXED1;
    *vmcb64(x, VMCB_G_PAT) = PAT_POWER_ON;
    common_start(x);
    v->nmi_pending = false;
    svm_deliver_nmi(v);
    v->mp_state = MP_RUNNABLE;
}

static void svm_set_init_state(struct vcpu *v)
{
    /* The state INIT leaves (SDM Vol. 3A, 10.1.1, Table 10-1; APM Vol. 2,
     * 14.1.3): real mode, caches off, CS:IP F000:FFF0 with CS base
     * FFFF0000H, EDX the processor signature, everything else zero. SVM
     * has no wait-for-SIPI state: the vCPU waits in the hypervisor
     * (MP_WAIT_SIPI) until an emulated SIPI starts it. */
    struct svm_vcpu *x = to_svm(v);
    uint32_t data_ar = AR_TYPE_DATA_RW_ACCESSED | AR_S | AR_P;
    uint64_t pat = *vmcb64(x, VMCB_G_PAT);
    memset(&v->regs, 0, sizeof(v->regs) - sizeof(v->regs.host_rsp));
    memset(x->vmcb + VMCB_SAVE, 0, PAGE_SIZE - VMCB_SAVE);
    v->regs.rdx = cpuid(1, 0).eax;
    set_seg(x, VMCB_CS, 0xF000, 0xFFFF0000ull, 0xFFFF, AR_TYPE_CODE_RX_ACCESSED | AR_S | AR_P);
    set_data_segments(x, 0, 0xFFFF, data_ar);
    set_seg(x, VMCB_LDTR, 0, 0, 0xFFFF, 0x2u | AR_P);
    /* TR: a busy 32-bit TSS as the CPU's own INIT leaves it in Bochs's
     * ryzen model (its MOV to CR0 refuses IA-32e mode over a 16-bit TSS,
     * as the SDM's VM-entry checks do: an AP that goes from its SIPI
     * straight to long mode, as Linux's and the conformance smp guest's
     * do, needs it). */
    set_seg(x, VMCB_TR, 0, 0, 0xFFFF, 0xBu | AR_P);
    set_seg(x, VMCB_GDTR, 0, 0, 0xFFFF, 0);
    set_seg(x, VMCB_IDTR, 0, 0, 0xFFFF, 0);
    *vmcb64(x, VMCB_RIP) = 0xFFF0;
    *vmcb64(x, VMCB_RFLAGS) = RFLAGS_FIXED1;
    *vmcb64(x, VMCB_CR0) = CR0_CD | CR0_NW | CR0_ET;
    *vmcb64(x, VMCB_EFER) = EFER_SVME;
    *vmcb64(x, VMCB_DR7) = 0x400;
    *vmcb64(x, VMCB_DR6) = DR6_FIXED1;
    *vmcb64(x, VMCB_G_PAT) = pat ? pat : PAT_POWER_ON;     /* INIT leaves PAT alone */
    /* What INIT resets outside the VMCB: DR0-DR3 (the guest's, the host
     * never uses them), CR2 too (the VMCB holds it, but Bochs 2.7's VMRUN
     * leaves the core's own: the guest's last) and the local APIC. */
    write_cr2(0);
    write_dr0(0);
    write_dr1(0);
    write_dr2(0);
    write_dr3(0);
    lapic_init_reset();
    common_start(x);
    v->nmi_pending = false;
    svm_deliver_nmi(v);
    v->mp_state = MP_WAIT_SIPI;
}

static void svm_start_at_sipi(struct vcpu *v, uint8_t vector)
{
    /* A SIPI starts the core in real mode at CS = vector << 8, IP = 0
     * (SDM Vol. 3A, 10.4.4.1); the rest is the INIT state. */
    struct svm_vcpu *x = to_svm(v);
    vmcb_seg(x, VMCB_CS)->sel = (uint16_t)(vector << 8);
    vmcb_seg(x, VMCB_CS)->base = (uint64_t)vector << 12;
    *vmcb64(x, VMCB_RIP) = 0;
    *vmcb32(x, VMCB_INT_STATE) = 0;
    v->rip_valid = false;
    v->nmi_pending = false;
    v->mp_state = MP_RUNNABLE;
}

/* ---- the exits the console turns on and off (`trap`) ---- */

static int svm_set_trap(struct vcpu *v, enum vtrap t, bool on)
{
    /* Every one has an intercept (15.9-15.13, Table B-1). */
    struct svm_vcpu *x = to_svm(v);
    switch (t) {
    case TRAP_RDTSC:
        svm_intercept(x, VMCB_INTERCEPT_MISC1, SVM_INTERCEPT1_RDTSC, on);
        svm_intercept(x, VMCB_INTERCEPT_MISC2, SVM_INTERCEPT2_RDTSCP, on);
        break;
    case TRAP_HLT:
        x->hlt_trap = on;
        svm_intercept(x, VMCB_INTERCEPT_MISC1, SVM_INTERCEPT1_HLT, on || x->intr_intercept);
        break;
    case TRAP_CR3:      /* reads in bits 15:0, writes in 31:16 */
        svm_intercept(x, VMCB_INTERCEPT_CR, (1u << 3) | (1u << 19), on);
        break;
    case TRAP_INVLPG:
        svm_intercept(x, VMCB_INTERCEPT_MISC1, SVM_INTERCEPT1_INVLPG, on);
        break;
    case TRAP_MOVDR:
        svm_intercept(x, VMCB_INTERCEPT_DR, 0xFFFFFFFFu, on);
        break;
    case TRAP_MWAIT:
        svm_intercept(x, VMCB_INTERCEPT_MISC2,
                      SVM_INTERCEPT2_MONITOR | SVM_INTERCEPT2_MWAIT | SVM_INTERCEPT2_MWAIT_COND, on);
        break;
    case TRAP_PAUSE:
        x->pause_trap = on;
        svm_intercept(x, VMCB_INTERCEPT_MISC1, SVM_INTERCEPT1_PAUSE, on || x->intr_intercept);
        /* Every PAUSE while trapped; every PAUSE_COUNT_POLL for the poll. */
        if (caps.pause_filter)
            *vmcb16(x, VMCB_PAUSE_FILTER_COUNT) = on ? 0 : PAUSE_COUNT_POLL;
        break;
    default:
        return -1;
    }
    return 0;
}

static bool svm_trap_on(struct vcpu *v, enum vtrap t)
{
    struct svm_vcpu *x = to_svm(v);
    uint32_t m1 = *vmcb32(x, VMCB_INTERCEPT_MISC1), m2 = *vmcb32(x, VMCB_INTERCEPT_MISC2);
    switch (t) {
    case TRAP_RDTSC: return m1 & SVM_INTERCEPT1_RDTSC;
    case TRAP_HLT: return x->hlt_trap;
    case TRAP_CR3: return *vmcb32(x, VMCB_INTERCEPT_CR) & (1u << 19);
    case TRAP_INVLPG: return m1 & SVM_INTERCEPT1_INVLPG;
    case TRAP_MOVDR: return *vmcb32(x, VMCB_INTERCEPT_DR) != 0;
    case TRAP_MWAIT: return m2 & SVM_INTERCEPT2_MWAIT;
    case TRAP_PAUSE: return x->pause_trap;
    default: return false;
    }
}

const struct virt_ops svm_ops = {
    .name = "svm",
    .label = "SVM",
    .vcpu_size = sizeof(struct svm_vcpu),
    .slat_format = SLAT_NPT,
    .probe = svm_probe,
    .enable_cpu = svm_enable_cpu,
    .disable_cpu = svm_disable_cpu,
    .vcpu_setup = svm_vcpu_setup,
    .print_caps = svm_print_caps,
    .run = svm_run,
    .set_start_state = svm_set_start_state,
    .set_init_state = svm_set_init_state,
    .start_at_sipi = svm_start_at_sipi,
    .get_reg = svm_get_reg,
    .set_reg = svm_set_reg,
    .cpl = svm_cpl,
    .code_bits = svm_code_bits,
    .dump = svm_dump,
    .skip = svm_skip,
    .advance = svm_advance,
    .inject = svm_inject,
    .injecting = svm_injecting,
    .reinject = svm_reinject,
    .deliver_nmi = svm_deliver_nmi,
    .nmi_exited = svm_nmi_exited,
    .block_nmi = svm_block_nmi,
    .intr_ready = svm_intr_ready,
    .intr_window = svm_intr_window,
    .pending_debug = svm_pending_debug,
    .intercept_io = svm_io_intercept,
    .intercept_msr = svm_msr_intercept,
    .set_trap = svm_set_trap,
    .trap_on = svm_trap_on,
    .set_exceptions = svm_set_exceptions,
    .msr_read = svm_msr_read,
    .msr_write = svm_msr_write,
    .cr_access = svm_cr_access,
    .halt = svm_halt,
    .flush_tlb = svm_flush_tlb,
    .invlpg = svm_invlpg,
    .step_begin = svm_step_begin,
    .step_end = svm_step_end,
    .rearm_timer = svm_rearm_timer,
    .exit_name = svm_exit_name,
    .entry_windows = 0,
    .entry_windows_end = 0,
};
