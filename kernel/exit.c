/*
 * exit.c - the vendor-neutral exit handlers and their dispatch table
 * (contract: kernel/vcpu.h, exit_handlers). What a handler needs of the
 * exit is in v->exit (kernel/virt.h, filled by the backend); what it
 * needs of the guest's state it asks the backend (virt). Guest
 * misbehaviour is answered the way a CPU without a hypervisor would (#GP,
 * #UD) or with a reported stop: never a hypervisor panic.
 */
#include "vcpu.h"

#include "console.h"
#include "cpuid_policy.h"
#include "event.h"
#include "gdb_stub.h"
#include "iobus.h"
#include "loader.h"
#include "msr_policy.h"
#include "platform.h"
#include "printk.h"
#include "spinlock.h"
#include "vapic.h"
#include "vserial.h"
#include "x86.h"
#include "x86_regs.h"
#include "../drivers/uart.h"

#define VEC_UD 6
#define VEC_GP 13

static enum exit_action inject_gp(struct vcpu *v)
{
    vcpu_inject_exception(v, VEC_GP, true, 0);
    return EXIT_RESUME;
}

static enum exit_action inject_ud(struct vcpu *v)
{
    vcpu_inject_exception(v, VEC_UD, false, 0);
    return EXIT_RESUME;
}

/* ---- CPUID ---- */

/* The guest's CPUID policy, shared by every vCPU (changed by the console
 * and the cpuid= option; kernel/cpuid_policy.h). */
struct cpuid_policy guest_cpuid;

/* A new generation of v's fast-path masks: no valid leaf, and a slow exit
 * that computed masks before now cannot mark them valid. */
void cpuid_fast_invalidate_vcpu(struct vcpu *v)
{
    uint64_t old = __atomic_load_n(&v->cpuid_fast.valid, __ATOMIC_SEQ_CST);
    while (!__atomic_compare_exchange_n(&v->cpuid_fast.valid, &old, ((old >> 32) + 1) << 32, false,
                                        __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
        ;
}

void cpuid_fast_invalidate(void)
{
    for (unsigned i = 0; i < MAX_CPUS; i++)
        if (vcpus[i])
            cpuid_fast_invalidate_vcpu(vcpus[i]);
}

/* After a slow CPUID exit of leaf (noted as asked by now): its masks for
 * v's fast path, unless the policy or v's CR4 changed meanwhile (the
 * generation in the high half of valid) or the leaf is not expressible as
 * masks. */
static void cpuid_fast_fill(struct vcpu *v, uint32_t leaf, uint64_t cr4)
{
    struct cpuid_fast *f = &v->cpuid_fast;
    if ((cr4 & CR4_CPUID_BITS) != f->cr4) {
        /* CR4 changed without an exit that said so (SVM does not
         * intercept CR4 writes): a new generation for the new bits. */
        f->cr4 = (uint32_t)(cr4 & CR4_CPUID_BITS);
        cpuid_fast_invalidate_vcpu(v);
    }
    uint64_t valid = __atomic_load_n(&f->valid, __ATOMIC_SEQ_CST);
    struct cpuid_masks m;
    if (leaf >= CPUID_FAST_LEAVES || (valid >> leaf & 1) ||
        !cpuid_policy_masks(&guest_cpuid, leaf, cr4, read_cr4(), &m))
        return;
    f->masks[leaf] = m;
    __atomic_compare_exchange_n(&f->valid, &valid, valid | 1ull << leaf, false,
                                __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
}

/* CPUID: the guest's view (kernel/cpuid_policy.c) under this vCPU's CR4.
 * Hypervisor leaves are answered without executing CPUID. The leaves below
 * CPUID_FAST_LEAVES come here once per policy and CR4.OSXSAVE/PKE setting:
 * later ones take the backend's fast path, which applies the vCPU's
 * cpuid_fast masks to the native answer. */
static enum exit_action handle_cpuid(struct vcpu *v)
{
    uint32_t leaf = (uint32_t)v->regs.rax, sub = (uint32_t)v->regs.rcx;
    uint64_t cr4 = virt.get_reg(v, VREG_CR4);
    struct cpuid_result g;
    struct cpuid_result native = { 0, 0, 0, 0 };
    if (!cpuid_is_hv_leaf(leaf)) {
        struct cpuid_regs r = cpuid(leaf, sub);
        native = (struct cpuid_result){ r.eax, r.ebx, r.ecx, r.edx };
    }
    cpuid_policy_note(&guest_cpuid, leaf);
    cpuid_fast_fill(v, leaf, cr4);
    g = cpuid_policy_apply(&guest_cpuid, leaf, sub, cr4, native);
    v->regs.rax = g.eax;
    v->regs.rbx = g.ebx;
    v->regs.rcx = g.ecx;
    v->regs.rdx = g.edx;
    vcpu_skip_instruction(v);
    return EXIT_RESUME;
}

/* ---- MSRs ---- */

/* The guest's MSR policy (console `msr`), shared by every vCPU. */
struct msr_policy guest_msrs;

/* The console's rule for msr, if any (`msr`). */
static const struct msr_rule *msr_rule(uint32_t msr)
{
    return guest_msrs.n ? msr_policy_find(&guest_msrs, msr) : 0;
}

/* Log an access a rule other than pass saw. Every vCPU logs into the one
 * ring: under a lock, off the common path (no rule, no log). */
static struct spinlock msr_log_lock;

static void msr_log_record(struct vcpu *v, const struct msr_rule *r, uint32_t msr, bool write,
                           uint64_t val)
{
    spin_lock(&msr_log_lock);
    msr_policy_record(&guest_msrs, msr, write, val, vcpu_rip(v), r->action);
    spin_unlock(&msr_log_lock);
}

static inline void msr_log(struct vcpu *v, const struct msr_rule *r, uint32_t msr, bool write,
                           uint64_t val)
{
    if (__builtin_expect(r && r->action != MSR_PASS, 0))
        msr_log_record(v, r, msr, write, val);
}

/* The MSR's value for the guest: the backend's answer (the MSRs its
 * control block holds, those of the virtualization it hides), else the
 * CPU's. False for a #GP. */
static inline bool guest_rdmsr(struct vcpu *v, uint32_t msr, uint64_t *val)
{
    enum msr_result m = virt.msr_read(v, msr, val);
    if (__builtin_expect(m == MSR_DONE, 1))
        return true;
    return m == MSR_CORE && !rdmsr_safe(msr, val);
}

/* RDMSR: only intercepted MSRs and those outside the bitmap ranges exit.
 * The console's rules deny, fix or log (off the common path: no rule);
 * the rest is guest_rdmsr, a #GP there becoming the guest's. */
static enum exit_action handle_rdmsr(struct vcpu *v)
{
    uint32_t msr = (uint32_t)v->regs.rcx;
    uint64_t val;
    const struct msr_rule *r = msr_rule(msr);
    if (__builtin_expect(r != 0, 0)) {
        if (r->action == MSR_DENY) {
            msr_log(v, r, msr, false, 0);
            return inject_gp(v);
        }
        if (r->action == MSR_FIXED)
            val = r->value;
        else if (!guest_rdmsr(v, msr, &val))
            return inject_gp(v);
        msr_log(v, r, msr, false, val);
    } else if (!guest_rdmsr(v, msr, &val)) {
        return inject_gp(v);
    }
    v->regs.rax = (uint32_t)val;
    v->regs.rdx = val >> 32;
    vcpu_skip_instruction(v);
    return EXIT_RESUME;
}

/* guest_rdmsr's counterpart: the backend's, else tried on the CPU (values
 * it refuses are the guest's #GP). False for a #GP. */
static inline bool guest_wrmsr(struct vcpu *v, uint32_t msr, uint64_t val)
{
    enum msr_result m = virt.msr_write(v, msr, val);
    if (__builtin_expect(m == MSR_DONE, 1))
        return true;
    return m == MSR_CORE && !wrmsr_safe(msr, val);
}

/* WRMSR: the rules first (logged; a fixed MSR drops writes), else the
 * APIC's MSRs the hypervisor watches (kernel/vapic.c), then guest_wrmsr. */
static enum exit_action handle_wrmsr(struct vcpu *v)
{
    uint32_t msr = (uint32_t)v->regs.rcx;
    uint64_t val = ((v->regs.rdx & 0xFFFFFFFF) << 32) | (v->regs.rax & 0xFFFFFFFF);
    const struct msr_rule *r = msr_rule(msr);
    if (__builtin_expect(r != 0, 0)) {
        msr_log(v, r, msr, true, val);
        if (r->action == MSR_DENY || (r->action != MSR_FIXED && !guest_wrmsr(v, msr, val)))
            return inject_gp(v);
    } else {
        enum exit_action a;
        if (apic_msr_write(v, msr, val, &a))
            return a;
        if (!guest_wrmsr(v, msr, val))
            return inject_gp(v);
    }
    vcpu_skip_instruction(v);
    return EXIT_RESUME;
}

/* ---- port I/O ---- */

/* The common case, in the light path: a byte IN or OUT of a device that
 * allows it (the virtual UART). Needs RAX only. */
static bool light_io(struct vcpu *v)
{
    uint32_t info = v->exit.io.info;
    uint16_t port = (uint16_t)(info >> VIO_PORT_SHIFT);
    if ((info & (VIO_SIZE_MASK | VIO_STRING)) || !iobus_port_light(port))
        return false;
    const struct io_device *d = iobus_device(port);
    /* iobus_access, less what a byte to a light device cannot meet. */
    vcpu_skip_instruction(v);
    if (info & VIO_IN)
        v->regs.rax = (v->regs.rax & ~0xFFull) | (uint8_t)d->in(v, port, 1);
    else
        d->out(v, port, 1, (uint8_t)v->regs.rax);
    vcpu_io_breakpoints(v, port, 1);
    return true;
}

/* Port I/O to an intercepted port: the device that holds it
 * (kernel/iobus.h), or the hardware for a port `trap io` intercepts. */
static enum exit_action handle_io(struct vcpu *v)
{
    const struct vexit_info *e = &v->exit;
    if (e->io.info & VIO_STRING) {
        kprintf("error: guest: string I/O (INS/OUTS) to intercepted port %#x is not emulated\n",
                vio_port(e));
        return vcpu_stop_guest(v, "string I/O to an intercepted port");
    }
    return iobus_access(v, vio_port(e), vio_size(e), e->io.info & VIO_IN);
}

/* ---- control and debug registers, XSETBV ---- */

/* Control-register access: the backend's (only the bits it owns exit). */
static enum exit_action handle_cr(struct vcpu *v)
{
    return virt.cr_access(v) ? EXIT_STOP : EXIT_RESUME;
}

/* XSETBV (SDM Vol. 2C, XSETBV "Protected Mode Exceptions"): validate as
 * the CPU would, then let the CPU do it. The hypervisor never touches
 * extended state, so the guest's XCR0 stays in place across exits: CPUID
 * leaf 0DH executed by the hypervisor reports the sizes for the guest's
 * XCR0 (and IA32_XSS, which is not intercepted). */
static enum exit_action handle_xsetbv(struct vcpu *v)
{
    uint32_t idx = (uint32_t)v->regs.rcx;
    uint64_t val = ((v->regs.rdx & 0xFFFFFFFF) << 32) | (v->regs.rax & 0xFFFFFFFF);
    if (!(virt.get_reg(v, VREG_CR4) & CR4_OSXSAVE))
        return inject_ud(v);
    /* The CPL check comes before the exit on hardware (SDM Vol. 3C,
     * 26.1.1); Bochs 2.7 exits first, so it is made here too. */
    if (virt.cpl(v))
        return inject_gp(v);
    struct cpuid_regs xs = cpuid(0xD, 0);
    uint64_t supported = ((uint64_t)xs.edx << 32) | xs.eax;
    bool bad = idx != 0 || !(val & 1) || (val & ~supported) ||
               ((val & 4) && !(val & 2)) ||                            /* AVX needs SSE */
               ((val & 0xE0) && (val & 0xE0) != 0xE0) ||               /* AVX-512: all three */
               ((val & 0xE0) && !(val & 4)) ||                         /* ... and AVX */
               ((val & 0x18) && (val & 0x18) != 0x18);                 /* MPX: both */
    if (bad)
        return inject_gp(v);
    __asm__ volatile("xsetbv" : : "c"(idx), "a"((uint32_t)val), "d"((uint32_t)(val >> 32)));
    vcpu_skip_instruction(v);
    return EXIT_RESUME;
}

/* MOV DR when `trap movdr` asks, or while the GDB stub holds debug
 * registers. DR0-DR3 stay in the CPU, which the host never uses (or, the
 * stub's, in the guest's dr_share); DR6 and DR7 are where the backend
 * keeps them. Emulated as the CPU does it (SDM Vol. 2A, MOV—Move to/from
 * Debug Registers; Vol. 3B, 17.2.4), in its order: #GP at CPL > 0 (and
 * in virtual-8086 mode), #UD for DR4/DR5 with CR4.DE, #DB for DR7.GD,
 * then the move. The exit may come before the CPU's own checks (a
 * backend intercepts the instruction), so all are made here. */
static enum exit_action handle_dr(struct vcpu *v)
{
    const struct vexit_info *e = &v->exit;
    unsigned dr = e->dr.dr, gpr = e->dr.gpr;
    if (virt.cpl(v))
        return inject_gp(v);
    if ((dr == 4 || dr == 5) && (virt.get_reg(v, VREG_CR4) & CR4_DE))
        return inject_ud(v);    /* CR4.DE: DR4/DR5 are reserved */
    if (dr == 4 || dr == 5)
        dr += 2;                /* aliases of DR6/DR7 */
    uint64_t dr7 = v->dr_shared ? v->dr_share.guest_dr7 : virt.get_reg(v, VREG_DR7);
    if (dr7 & DR7_GD) {
        /* General detect: a fault at the MOV, DR6.BD set, GD cleared for
         * the handler (17.2.3, 17.2.4). */
        if (v->dr_shared)
            gdb_dr_access(v, 7, false, &(uint64_t){ dr7 & ~DR7_GD });
        else
            virt.set_reg(v, VREG_DR7, dr7 & ~DR7_GD);
        virt.set_reg(v, VREG_DR6, virt.get_reg(v, VREG_DR6) | DR6_BD);
        vcpu_inject_exception(v, 1, false, 0);
        return EXIT_RESUME;
    }
    uint64_t val = 0;
    if (!e->dr.from) {
        val = vcpu_get_gpr(v, gpr);
        if ((dr == 6 || dr == 7) && (val >> 32))
            return inject_gp(v);    /* bits 63:32 of DR6/DR7 are reserved (17.2.3, 17.2.4) */
        /* What the register then holds: VMX's DR6 is the CPU's, which
         * does this itself, but SVM's and every DR7 are a field. */
        val = dr == 7 ? DR7_VALUE(val) : dr == 6 ? DR6_VALUE(val) : val;
    }
    if (v->dr_shared && dr != 6) {
        /* The GDB stub holds some of DR0-DR3: the guest's values are kept
         * aside (kernel/gdb_stub.c), the hardware's composed of both. */
        gdb_dr_access(v, dr, e->dr.from, &val);
    } else if (e->dr.from) {
        switch (dr) {
        case 0: val = read_dr0(); break;
        case 1: val = read_dr1(); break;
        case 2: val = read_dr2(); break;
        case 3: val = read_dr3(); break;
        case 6: val = virt.get_reg(v, VREG_DR6); break;
        default: val = virt.get_reg(v, VREG_DR7); break;
        }
    } else {
        switch (dr) {
        case 0: write_dr0(val); break;
        case 1: write_dr1(val); break;
        case 2: write_dr2(val); break;
        case 3: write_dr3(val); break;
        case 6: virt.set_reg(v, VREG_DR6, val); break;
        default: virt.set_reg(v, VREG_DR7, val); break;
        }
    }
    if (e->dr.from)
        vcpu_set_gpr(v, gpr, val);
    vcpu_skip_instruction(v);
    return EXIT_RESUME;
}

/* ---- instructions `trap` makes exit, and the ones that always do ---- */

/* RDTSC / RDTSCP when `trap rdtsc` asks: the host's TSC (no offset), as
 * the guest would have read it. */
static enum exit_action handle_rdtsc(struct vcpu *v)
{
    uint64_t t = rdtsc();
    v->regs.rax = (uint32_t)t;
    v->regs.rdx = t >> 32;
    if (v->exit.rdtscp)
        v->regs.rcx = (uint32_t)rdmsr(0xC0000103);      /* IA32_TSC_AUX */
    vcpu_skip_instruction(v);
    return EXIT_RESUME;
}

/* INVLPG when `trap invlpg` asks: invalidate that address for the guest. */
static enum exit_action handle_invlpg(struct vcpu *v)
{
    virt.invlpg(v, v->exit.invlpg.va);
    vcpu_skip_instruction(v);
    return EXIT_RESUME;
}

/* MONITOR, MWAIT and PAUSE when trapped: counted, then skipped. MWAIT is a
 * hint a guest must expect to return at once (SDM Vol. 2B, MWAIT). */
static enum exit_action handle_skip(struct vcpu *v)
{
    vcpu_skip_instruction(v);
    return EXIT_RESUME;
}

/* HLT, when hlt=exit intercepts it: the core waits as the guest's HLT
 * would (the backend's way: VMX's HLT activity state). */
static enum exit_action handle_hlt(struct vcpu *v)
{
    virt.halt(v);
    return EXIT_RESUME;
}

/* The monitor trap flag: `step` set it; vcpu_exit ends the step. */
static enum exit_action handle_step(struct vcpu *v)
{
    (void)v;
    return EXIT_RESUME;
}

/* INVD would discard dirty lines, the hypervisor's included: do WBINVD. */
static enum exit_action handle_invd(struct vcpu *v)
{
    __asm__ volatile("wbinvd" ::: "memory");
    vcpu_skip_instruction(v);
    return EXIT_RESUME;
}

/* Every instruction of the virtualization the guest does not see (VMX's,
 * SVM's, GETSEC, SKINIT): #UD, as on a CPU without it. */
static enum exit_action handle_virt_insn(struct vcpu *v)
{
    return inject_ud(v);
}

/* ---- events ---- */

/* A triple fault shuts the whole machine down (SDM Vol. 3A, 7.15 #DF):
 * the guest stops on every core; `reset` restarts it. */
static enum exit_action handle_triple_fault(struct vcpu *v)
{
    kprintf("\nguest.triple_fault cpu=%u rip=%#llx\n", v->id, (unsigned long long)vcpu_rip(v));
    vcpu_dump(v);
    return vcpu_stop_guest(v, "triple fault");
}

/* INIT: the guest's own INITs never get here, its ICR writes are
 * intercepted and INIT and SIPI emulated (kernel/vapic.c). One from
 * elsewhere is applied the same way. */
static enum exit_action handle_init(struct vcpu *v)
{
    vcpu_apply_init(v);
    return EXIT_RESUME;
}

/* SIPI only exits in a wait-for-SIPI state, which monovisor never enters
 * (a waiting vCPU waits in the hypervisor): nothing to start, resume. */
static enum exit_action handle_sipi(struct vcpu *v)
{
    (void)v;
    return EXIT_RESUME;
}

/* The console core's poll timer: serve the console, re-arm. */
static enum exit_action handle_timer(struct vcpu *v)
{
    console_poll();
    virt.rearm_timer(v);
    return EXIT_RESUME;
}

/* NMIs exit: a kick from another core (cpu->kick set) ends here and the
 * caller sees the request; any other NMI is the guest's and is reflected
 * when the guest can take it (virt.deliver_nmi). The backend first
 * undoes what the exit left behind (virt.nmi_exited: VMX's NMI blocking
 * until an IRET), or says the hypervisor's NMI handler sorted it out. */
static enum exit_action handle_nmi(struct vcpu *v)
{
    if (virt.nmi_exited(v))
        return EXIT_RESUME;
    if (__atomic_exchange_n(&v->cpu->kick, 0, __ATOMIC_SEQ_CST)) {
        v->kicks++;
        return EXIT_RESUME;
    }
    v->guest_nmis++;
    v->nmi_pending = true;
    virt.deliver_nmi(v);
    return EXIT_RESUME;
}

/* Exceptions exit only when `trap exception` (or `step`) asked: reflected,
 * the single-step trap of `step` excepted. An intercepted #PF or #DB
 * exits before the CPU wrote CR2 or DR6 (SDM Vol. 3C, 27.1; AMD APM Vol.
 * 2, 15.12): the reflection writes them as the delivery would have (DR6:
 * B0-B3 replaced, the rest kept, as KVM's kvm_deliver_exception_payload). */
static enum exit_action handle_exception(struct vcpu *v)
{
    const struct vexit_info *e = &v->exit;
    unsigned vector = EVENT_VECTOR(e->exc.event);
    if (v->stepping && vector == 1)
        return EXIT_RESUME;     /* the single-step trap of `step`: not the guest's */
    uint64_t dr6 = e->exc.dr6;
    if (v->debug_exceptions && gdb_exception(v, &dr6))
        return EXIT_RESUME;     /* a breakpoint of GDB's: the vCPU is paused */
    if (vector == 14 && EVENT_TYPE(e->exc.event) == EVENT_TYPE_EXCEPTION)
        virt.set_reg(v, VREG_CR2, e->exc.cr2);
    if (vector == 1 && EVENT_TYPE(e->exc.event) == EVENT_TYPE_EXCEPTION)
        virt.set_reg(v, VREG_DR6, (virt.get_reg(v, VREG_DR6) & ~DR6_B0_B3) | dr6);
    virt.inject(v, e->exc.event, e->exc.error);
    return EXIT_RESUME;
}

/* The interrupt window, open while a PIC interrupt of the guest's COM1
 * waits for the guest to become interruptible: inject it now. */
static enum exit_action handle_interrupt_window(struct vcpu *v)
{
    vserial_inject(v);
    return EXIT_RESUME;
}

/* The NMI window, open while a guest NMI waits for its blocking to end:
 * deliver it now. */
static enum exit_action handle_nmi_window(struct vcpu *v)
{
    virt.deliver_nmi(v);
    return EXIT_RESUME;
}

/* External interrupts do not exit: counted if one does, nothing else. */
/* An external interrupt exits only on the console's core of a backend
 * without a poll timer (SVM: the backend already gave it to the guest):
 * the console's turn. */
static enum exit_action handle_interrupt(struct vcpu *v)
{
    if (v->console)
        console_poll();
    return EXIT_RESUME;
}

/* ---- hypercalls (kernel/hypercall_abi.h) ---- */

/* HC_PUTS text: '\n' becomes "\r\n" on the wire. */
static void console_putc_crlf(uint8_t byte)
{
    if (byte == '\n')
        uart_putc('\r');
    uart_putc((char)byte);
}

static enum exit_action handle_hypercall(struct vcpu *v)
{
    if (virt.cpl(v))
        return inject_ud(v);
    int64_t ret;
    uint64_t nr = v->regs.rax, a0 = v->regs.rbx, a1 = v->regs.rcx;
    if ((nr | a0 | a1) >> 32 && virt.code_bits(v) != 64) {
        /* Not 64-bit mode: the ABI takes the low 32 bits; the upper
         * halves may still hold what 64-bit code left there (only then
         * does the mode matter). */
        nr = (uint32_t)nr;
        a0 = (uint32_t)a0;
        a1 = (uint32_t)a1;
    }
    switch (nr) {
    case HC_VERSION:
        ret = HC_ABI_VERSION;
        break;
    case HC_PUTS: {
        const char *s = a1 <= HC_PUTS_MAX ? guest_ptr(a0, a1) : 0;
        if (a1 > HC_PUTS_MAX) {
            ret = HC_EINVAL;
        } else if (a1 && !s) {
            ret = HC_EFAULT;
        } else {
            for (uint64_t i = 0; i < a1; i++)
                console_putc_crlf((uint8_t)s[i]);
            ret = (int64_t)a1;
        }
        break;
    }
    case HC_EXIT_STATS: {
        uint64_t len = a1 < 8 * (HC_STATS_REASONS + 1) ? a1 & ~7ull : 8 * (HC_STATS_REASONS + 1);
        uint64_t *out = guest_ptr(a0, len ? len : 1);
        if (!out) {
            ret = HC_EFAULT;
            break;
        }
        /* Counts as of this call, the hypercall itself included. */
        for (uint64_t i = 0; i < len / 8; i++)
            out[i] = i == 0 ? v->exits : v->exit_count[i - 1] + (i - 1 == VEXIT_HYPERCALL);
        ret = (int64_t)len;
        break;
    }
    case HC_TRACE_MARK:
        vcpu_trace(v, TRACE_MARK, a0);
        ret = 0;
        break;
    case HC_SHUTDOWN:
        vcpu_skip_instruction(v);
        return vcpu_guest_exit(v, (int)a0);
    default:
        ret = HC_ENOSYS;
        break;
    }
    v->regs.rax = (uint64_t)ret;
    vcpu_skip_instruction(v);
    return EXIT_RESUME;
}

/* ---- the second-level map ---- */

bool ept_refuse_injects_gp;

/* A guest-physical access the map did not allow: a store to an emulated
 * device's page (kernel/iobus.h), else the fault-in path of
 * ept/guest_ept.c, which maps guest RAM and device MMIO on first touch
 * and refuses the hypervisor's memory and anything outside the guest's.
 * The common first touch may never come here: a backend's fast path maps
 * it with the guest's GPRs still in the CPU (ept/guest_ept.h). */
static enum exit_action handle_npf(struct vcpu *v)
{
    const struct vexit_info *e = &v->exit;
    uint64_t gpa = e->npf.gpa, access = e->npf.access;
    const struct mmio_device *d = mmio_device(gpa);
    if (d && (access & EPT_WRITE) && (access & (EPT_READ << 3)))
        return d->store(v, gpa);
    enum ept_action a = ept_fault_in(&v->ept, gpa, access, vcpu_rip(v));
    if (a == EPT_MAPPED) {
        virt.reinject(v, e);
        return EXIT_RESUME;     /* the access is retried: no RIP change */
    }
    kprintf("\nguest.ept_refused gpa=%#llx rip=%#llx access=%s class=%s reason=%s "
            "allowed=%c%c%c\n",
            (unsigned long long)gpa, (unsigned long long)vcpu_rip(v), ept_access_name(access),
            gpa_class_name(v->ept.log[(v->ept.log_count - 1) % EPT_LOG_LEN].cls),
            ept_action_name(a), (access & 8) ? 'r' : '-', (access & 16) ? 'w' : '-',
            (access & 32) ? 'x' : '-');
    if (!ept_refuse_injects_gp)
        return vcpu_stop_guest(v, "second-level map access refused");
    /* An IRET that unblocked NMIs faulted: block them again. */
    if (e->npf.during_iret && !(e->npf.vectoring & EVENT_VALID))
        virt.block_nmi(v);
    /* A refusal met while the CPU delivered an event (the guest's IDT,
     * stack or handler out of reach) is a fault of that delivery: the #GP
     * becomes a #DF, or a shutdown (kernel/event.h). */
    unsigned vector = fault_during_delivery(e->npf.vectoring, VEC_GP);
    if (vector == EVENT_SHUTDOWN)
        return handle_triple_fault(v);
    vcpu_inject_exception(v, vector, true, 0);
    return EXIT_RESUME;
}

/* The common first touch, in the light path: an ept=lazy fault the plan
 * table answers (ept_fault_in_fast), outside an event's delivery (nothing
 * to deliver again). Needs no GPR. */
static bool light_npf(struct vcpu *v)
{
    const struct vexit_info *e = &v->exit;
    return !e->npf.vectoring && ept_fault_in_fast(&v->ept, e->npf.gpa, e->npf.access, vcpu_rip(v));
}

/* An entry the CPU calls invalid (EPT misconfiguration): the walk names it. */
static enum exit_action handle_npf_misconfig(struct vcpu *v)
{
    kprintf("error: %s: second-level map misconfiguration at gpa=%#llx\n", virt.name,
            (unsigned long long)v->exit.npf.gpa);
    ept_print_walk(v->exit.npf.gpa);
    return vcpu_stop_guest(v, "second-level map misconfiguration");
}

/* Any other exit (VEXIT_OTHER): the decoded exit and the guest state
 * printed, the guest stopped. */
static enum exit_action handle_other(struct vcpu *v)
{
    kprintf("\nerror: %s: unhandled exit %#x (%s)\n", virt.name, v->exit.raw,
            virt.exit_name(v->exit.raw));
    vcpu_dump(v);
    return vcpu_stop_guest(v, "unhandled exit");
}

const exit_handler exit_handlers[VEXIT_MAX] = {
    [VEXIT_EXCEPTION] = handle_exception,
    [VEXIT_NMI] = handle_nmi,
    [VEXIT_INTERRUPT] = handle_interrupt,
    [VEXIT_INTERRUPT_WINDOW] = handle_interrupt_window,
    [VEXIT_NMI_WINDOW] = handle_nmi_window,
    [VEXIT_TRIPLE_FAULT] = handle_triple_fault,
    [VEXIT_INIT] = handle_init,
    [VEXIT_SIPI] = handle_sipi,
    [VEXIT_CPUID] = handle_cpuid,
    [VEXIT_HLT] = handle_hlt,
    [VEXIT_INVD] = handle_invd,
    [VEXIT_INVLPG] = handle_invlpg,
    [VEXIT_RDTSC] = handle_rdtsc,
    [VEXIT_HYPERCALL] = handle_hypercall,
    [VEXIT_VIRT_INSN] = handle_virt_insn,
    [VEXIT_CR_ACCESS] = handle_cr,
    [VEXIT_DR_ACCESS] = handle_dr,
    [VEXIT_IO] = handle_io,
    [VEXIT_RDMSR] = handle_rdmsr,
    [VEXIT_WRMSR] = handle_wrmsr,
    [VEXIT_MONITOR] = handle_skip,
    [VEXIT_MWAIT] = handle_skip,
    [VEXIT_PAUSE] = handle_skip,
    [VEXIT_NPF] = handle_npf,
    [VEXIT_NPF_MISCONFIG] = handle_npf_misconfig,
    [VEXIT_TIMER] = handle_timer,
    [VEXIT_XSETBV] = handle_xsetbv,
    [VEXIT_STEP] = handle_step,
    [VEXIT_OTHER] = handle_other,
};

const exit_light_handler exit_light_handlers[VEXIT_MAX] = {
    [VEXIT_IO] = light_io,
    [VEXIT_NPF] = light_npf,
};
