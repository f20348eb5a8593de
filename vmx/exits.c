/*
 * exits.c - the exit handlers and their dispatch table.
 *
 * Contract: a handler runs on the exiting core with its VMCS current and
 * the guest's GPRs in v->regs. It returns EXIT_RESUME to re-enter the
 * guest or EXIT_STOP after vcpu_stop() (or a power-off). A handler that
 * emulates an instruction advances RIP itself (vcpu_skip_instruction); one
 * that injects a fault leaves RIP on the faulting instruction. Guest
 * misbehaviour is answered the way a CPU without a hypervisor would
 * (#GP, #UD) or with a reported stop: never a hypervisor panic.
 */
#include "apic.h"
#include "vcpu.h"

#include "../kernel/cpuid_policy.h"
#include "../kernel/cr_rules.h"
#include "../kernel/event.h"
#include "../kernel/hypercall_abi.h"
#include "../kernel/msr_policy.h"
#include "vmx.h"
#include "vmx_names.h"
#include "vmx_ops.h"
#include "vserial.h"
#include "../drivers/acpi.h"
#include "../kernel/spinlock.h"
#include "../kernel/x86_regs.h"
#include "../kernel/console.h"
#include "../kernel/loader.h"
#include "../kernel/printk.h"
#include "../kernel/x86.h"
#include "../drivers/uart.h"

#define VEC_UD 6
#define VEC_GP 13
#define QEMU_DEBUG_EXIT_PORT 0xF4

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

/* The guest's CPUID policy, shared by every vCPU (changed by the console
 * and the cpuid= option; vmx/cpuid_policy.h). */
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
static void cpuid_fast_fill(struct vcpu *v, uint32_t leaf)
{
    struct cpuid_fast *f = &v->cpuid_fast;
    uint64_t valid = __atomic_load_n(&f->valid, __ATOMIC_SEQ_CST);
    struct cpuid_masks m;
    if (leaf >= CPUID_FAST_LEAVES || (valid >> leaf & 1) ||
        !cpuid_policy_masks(&guest_cpuid, leaf, v->cr4_shadow, read_cr4(), &m))
        return;
    f->masks[leaf] = m;
    __atomic_compare_exchange_n(&f->valid, &valid, valid | 1ull << leaf, false,
                                __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
}

/* CPUID: the guest's view (vmx/cpuid_policy.c) under this vCPU's CR4.
 * Hypervisor leaves are answered without executing CPUID. The leaves below
 * CPUID_FAST_LEAVES come here once per policy and CR4.OSXSAVE/PKE setting:
 * later ones take the fast path in vmx/entry.asm, which applies the vCPU's
 * cpuid_fast masks to the native answer. */
static enum exit_action handle_cpuid(struct vcpu *v)
{
    uint32_t leaf = (uint32_t)v->regs.rax, sub = (uint32_t)v->regs.rcx;
    struct cpuid_result g;
    struct cpuid_result native = { 0, 0, 0, 0 };
    if (!cpuid_is_hv_leaf(leaf)) {
        struct cpuid_regs r = cpuid(leaf, sub);
        native = (struct cpuid_result){ r.eax, r.ebx, r.ecx, r.edx };
    }
    cpuid_policy_note(&guest_cpuid, leaf);
    cpuid_fast_fill(v, leaf);
    g = cpuid_policy_apply(&guest_cpuid, leaf, sub, v->cr4_shadow, native);
    v->regs.rax = g.eax;
    v->regs.rbx = g.ebx;
    v->regs.rcx = g.ecx;
    v->regs.rdx = g.edx;
    vcpu_skip_instruction(v);
    return EXIT_RESUME;
}

static struct cr_state cr_state(struct vcpu *v);

/* The EFER bits this CPU has (CPUID.80000001H:EDX: SYSCALL 11, NX 20,
 * Intel 64 29; SDM Vol. 3A, 2.2.1). */
static uint64_t efer_allowed(void)
{
    static uint64_t allowed;
    if (!allowed) {
        uint32_t edx = cpuid(0x80000000, 0).eax >= 0x80000001 ? cpuid(0x80000001, 0).edx : 0;
        allowed = ((edx >> 11) & 1 ? EFER_SCE : 0) | ((edx >> 20) & 1 ? EFER_NXE : 0) |
                  ((edx >> 29) & 1 ? EFER_LME : 0) | (1ull << 63);     /* bit 63: marks it computed */
    }
    return allowed & ~(1ull << 63);
}

static bool is_vmx_cap_msr(uint32_t msr)
{
    return msr >= MSR_IA32_VMX_BASIC && msr <= MSR_IA32_VMX_VMFUNC;
}

/* The guest's MSR policy (console `msr`), shared by every vCPU. */
struct msr_policy guest_msrs;

/* MSRs whose guest value lives in the VMCS guest-state area (25.4.2): an
 * emulated access must use the field, not the CPU's MSR, which holds the
 * host's value while the hypervisor runs. Returns false for other MSRs. */
static bool vmcs_msr_read(uint32_t msr, uint64_t *val)
{
    switch (msr) {
    case 0x174: *val = vmcs_read32(VMCS_GUEST_SYSENTER_CS); return true;
    case 0x175: *val = vmcs_readn(VMCS_GUEST_SYSENTER_ESP); return true;
    case 0x176: *val = vmcs_readn(VMCS_GUEST_SYSENTER_EIP); return true;
    case 0x1D9: *val = vmcs_read64(VMCS_GUEST_DEBUGCTL); return true;
    case MSR_IA32_PAT: *val = vmcs_read64(VMCS_GUEST_PAT); return true;
    case MSR_EFER: *val = vmcs_read64(VMCS_GUEST_EFER); return true;
    case 0xC0000100: *val = vmcs_readn(VMCS_GUEST_FS_BASE); return true;
    case 0xC0000101: *val = vmcs_readn(VMCS_GUEST_GS_BASE); return true;
    default: return false;
    }
}

static bool vmcs_msr_write(uint32_t msr, uint64_t val)
{
    switch (msr) {
    case 0x174: vmcs_write32(VMCS_GUEST_SYSENTER_CS, val); return true;
    case 0x175: vmcs_writen(VMCS_GUEST_SYSENTER_ESP, val); return true;
    case 0x176: vmcs_writen(VMCS_GUEST_SYSENTER_EIP, val); return true;
    case 0x1D9: vmcs_write64(VMCS_GUEST_DEBUGCTL, val); return true;
    case MSR_IA32_PAT: vmcs_write64(VMCS_GUEST_PAT, val); return true;
    case MSR_EFER: vmcs_write64(VMCS_GUEST_EFER, val); return true;
    case 0xC0000100: vmcs_writen(VMCS_GUEST_FS_BASE, val); return true;
    case 0xC0000101: vmcs_writen(VMCS_GUEST_GS_BASE, val); return true;
    default: return false;
    }
}

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

/* RDMSR: only intercepted MSRs and those outside the bitmap ranges exit
 * (25.6.9). The VMX ones read as on a CPU without VMX; the console's
 * rules deny, fix or log the rest. */
static enum exit_action handle_rdmsr(struct vcpu *v)
{
    uint32_t msr = (uint32_t)v->regs.rcx;
    uint64_t val;
    const struct msr_rule *r = msr_rule(msr);
    if (r && r->action == MSR_DENY) {
        msr_log(v, r, msr, false, 0);
        return inject_gp(v);
    }
    if (r && r->action == MSR_FIXED) {
        val = r->value;
    } else if (is_vmx_cap_msr(msr)) {
        return inject_gp(v);    /* no VMX: these MSRs do not exist */
    } else if (msr == MSR_IA32_FEATURE_CONTROL) {
        val = (rdmsr(msr) & ~(FEATURE_CONTROL_VMX_INSIDE_SMX | FEATURE_CONTROL_VMX_OUTSIDE_SMX)) |
              FEATURE_CONTROL_LOCK;
    } else if (!vmcs_msr_read(msr, &val) && rdmsr_safe(msr, &val)) {
        return inject_gp(v);
    }
    msr_log(v, r, msr, false, val);
    v->regs.rax = (uint32_t)val;
    v->regs.rdx = val >> 32;
    vcpu_skip_instruction(v);
    return EXIT_RESUME;
}

static enum exit_action handle_wrmsr(struct vcpu *v)
{
    uint32_t msr = (uint32_t)v->regs.rcx;
    uint64_t val = ((v->regs.rdx & 0xFFFFFFFF) << 32) | (v->regs.rax & 0xFFFFFFFF);
    const struct msr_rule *r = msr_rule(msr);
    msr_log(v, r, msr, true, val);
    if (r && r->action == MSR_DENY)
        return inject_gp(v);
    enum exit_action a;
    if (!r && apic_msr_write(v, msr, val, &a))
        return a;
    if (!(r && r->action == MSR_FIXED)) {      /* a fixed MSR drops writes */
        /* IA32_FEATURE_CONTROL is locked, the VMX MSRs read-only: #GP. */
        if (is_vmx_cap_msr(msr) || msr == MSR_IA32_FEATURE_CONTROL)
            return inject_gp(v);
        /* Values the CPU would refuse are refused: try it on the CPU first
         * (with interrupts off nothing runs in between), then put the
         * guest's value where the VMCS keeps it. */
        uint64_t host;
        bool in_vmcs = vmcs_msr_read(msr, &host);
        if (msr == MSR_EFER) {
            /* Never on the host's EFER (clearing LME would fault): check
             * as the CPU would (vmx/cr_rules.c: reserved bits, LME with
             * paging on, LMA read-only) and keep it in the VMCS. */
            struct cr_state s = cr_state(v);
            if (!efer_write(&s, &val, efer_allowed()))
                return inject_gp(v);
            vmcs_msr_write(msr, val);
            vcpu_skip_instruction(v);
            return EXIT_RESUME;
        }
        if (in_vmcs)
            host = rdmsr(msr);
        if (wrmsr_safe(msr, val))
            return inject_gp(v);
        if (in_vmcs) {
            wrmsr(msr, host);
            vmcs_msr_write(msr, val);
        }
    }
    vcpu_skip_instruction(v);
    return EXIT_RESUME;
}

/* HC_PUTS text: '\n' becomes "\r\n" on the wire. */
static void console_putc_crlf(uint8_t byte)
{
    if (byte == '\n')
        uart_putc('\r');
    uart_putc((char)byte);
}

/* The ports through which a guest resets or powers off the machine: the
 * keyboard controller's command port (0xFE pulses the reset line), the
 * reset control register 0xCF9 and the ACPI PM1 control registers. They
 * act on the whole guest, never on the machine. */
#define KBC_COMMAND_PORT  0x64
#define KBC_PULSE_RESET   0xFE
#define RESET_CONTROL     0xCF9
#define RST_CPU           (1u << 2)     /* 0xCF9 bit 2: reset now (PCH datasheets) */
#define PM1_SLP_EN        (1u << 13)    /* ACPI 6.5, 4.8.3.2.1 PM1 control */
#define PM1_SLP_TYP(v)    (((v) >> 10) & 7)

/* The PM1 control register port holds, or 0 (a 16-bit register: a byte
 * write to its upper half can set SLP_EN too). */
static uint16_t pm1_base(uint16_t port)
{
    const struct acpi_info *a = acpi();
    if (a->pm1a_cnt && (unsigned)(port - a->pm1a_cnt) < 2u)
        return a->pm1a_cnt;
    if (a->pm1b_cnt && (unsigned)(port - a->pm1b_cnt) < 2u)
        return a->pm1b_cnt;
    return 0;
}

bool platform_port(uint16_t port)
{
    return port == KBC_COMMAND_PORT || port == RESET_CONTROL || pm1_base(port);
}

void platform_intercept(struct vcpu *v)
{
    const struct acpi_info *a = acpi();
    vmx_io_intercept(v, KBC_COMMAND_PORT, 1, true);
    vmx_io_intercept(v, RESET_CONTROL, 1, true);
    if (a->pm1a_cnt)
        vmx_io_intercept(v, a->pm1a_cnt, 2, true);
    if (a->pm1b_cnt)
        vmx_io_intercept(v, a->pm1b_cnt, 2, true);
}

static enum exit_action guest_reset(struct vcpu *v, const char *source)
{
    kprintf("\nguest.reset_request cpu=%u source=%s\n", v->id, source);
    vcpu_request_all(VCPU_REQ_RESET);
    return EXIT_RESUME;
}

static enum exit_action platform_write(struct vcpu *v, uint16_t port, unsigned size, uint32_t val)
{
    const struct acpi_info *a = acpi();
    if (port == KBC_COMMAND_PORT) {
        /* The command is the low byte: a wider write is one byte to each
         * port, as the bus splits it for the 8-bit controller. */
        if ((uint8_t)val == KBC_PULSE_RESET)
            return guest_reset(v, "kbc");
        outb(port, (uint8_t)val);
        return EXIT_RESUME;
    }
    if (port == RESET_CONTROL) {
        /* Without RST_CPU the write only picks the kind of reset: kept
         * from the machine, which is not the guest's to reset. */
        return (val & RST_CPU) ? guest_reset(v, "cf9") : EXIT_RESUME;
    }
    uint16_t base = pm1_base(port);
    uint32_t reg = val << (8 * (port - base));
    if (!(reg & PM1_SLP_EN)) {
        if (size == 1)
            outb(port, (uint8_t)val);
        else
            outw(port, (uint16_t)val);
        return EXIT_RESUME;
    }
    unsigned typ = PM1_SLP_TYP(reg);
    if (a->have_s5 && typ == (base == a->pm1a_cnt ? a->slp_typa : a->slp_typb)) {
        kprintf("\nguest.poweroff cpu=%u source=acpi\n", v->id);
        return vcpu_guest_exit(v, 0);
    }
    kprintf("\nnote: guest asked for ACPI sleep type %u; only S5 (power-off) is done, the rest "
            "ignored\n", typ);
    return EXIT_RESUME;
}

/* A port the hypervisor emulates byte by byte: the virtual UART's, and
 * for writes the guest-exit port, the keyboard controller's command port,
 * the PM1 control registers and the 8259A ports, whose writes are
 * watched (not 0xCF9: a doubleword at 0xCF8 is the PCI configuration
 * address, which reaches 0xCF9 only as a byte). */
static bool io_emulated_byte(uint16_t port, bool in, uint16_t uart)
{
    return (port >= uart && port < uart + 8) ||
           (!in && (port == QEMU_DEBUG_EXIT_PORT || port == KBC_COMMAND_PORT || pm1_base(port) ||
                    vserial_pic_port(port)));
}

/* A word or doubleword access to the virtual UART, or one that reaches an
 * emulated port after its first byte (OUT to 0x63 reaches 0x64): the bus
 * splits it into byte accesses, one per port, so each byte goes where a
 * byte access to its port would (the virtual UART, the platform ports,
 * the hardware) and none reaches the real console UART or resets the
 * machine. */
__attribute__((noinline)) static enum exit_action io_split(struct vcpu *v, uint16_t port, unsigned size,
                                                           bool in, uint16_t uart)
{
    uint64_t val = 0;
    vcpu_skip_instruction(v);
    for (unsigned i = 0; i < size; i++) {
        uint16_t p = (uint16_t)(port + i);
        uint8_t b = (uint8_t)(v->regs.rax >> (8 * i));
        if (p >= uart && p < uart + 8) {
            if (in)
                val |= (uint64_t)vserial_read(p - uart) << (8 * i);
            else
                vserial_write(p - uart, b);
        } else if (in) {
            val |= (uint64_t)inb(p) << (8 * i);
        } else if (p == QEMU_DEBUG_EXIT_PORT) {
            return vcpu_guest_exit(v, b);
        } else if (platform_port(p)) {
            enum exit_action a = platform_write(v, p, 1, b);
            if (a != EXIT_RESUME)
                return a;
        } else if (vserial_pic_port(p)) {
            vserial_pic_write(p, b);
        } else {
            outb(p, b);
        }
    }
    if (in) {
        uint64_t mask = size == 4 ? 0xFFFFFFFFull : (1ull << (8 * size)) - 1;
        v->regs.rax = (v->regs.rax & ~mask) | val;
    }
    return EXIT_RESUME;
}

/* The common I/O exit: a byte IN or OUT (not INS/OUTS) to a virtual UART
 * register, with the exit qualification q (28.2.1, table 28-5). Needs
 * RAX only: handle_io's first step and a light handler. */
static bool vuart_byte(struct vcpu *v, uint64_t q)
{
    uint16_t port = (uint16_t)(q >> 16), reg = (uint16_t)(port - vmx_config()->console_port);
    if ((q & 0x17) != 0 || reg >= 8)    /* size 1 (bits 2:0 = 0), not string (bit 4) */
        return false;
    if (q & (1u << 3))
        v->regs.rax = (v->regs.rax & ~0xFFull) | vserial_read(reg);
    else
        vserial_write(reg, (uint8_t)v->regs.rax);
    vcpu_skip_instruction(v);
    vcpu_io_breakpoints(v, port, 1);
    return true;
}

/* handle_io looks at the guest-exit and platform ports first (for OUT):
 * a console port set over one of them leaves those to it. */
static bool light_io(struct vcpu *v)
{
    uint64_t q = vcpu_qual(v);
    uint16_t port = (uint16_t)(q >> 16);
    if (!(q & (1u << 3)) && (port == QEMU_DEBUG_EXIT_PORT || platform_port(port)))
        return false;
    return vuart_byte(v, q);
}

/* I/O instruction (qualification: 28.2.1, table 28-5), done for the guest. */
static enum exit_action io_emulate(struct vcpu *v)
{
    uint64_t q = vcpu_qual(v);
    unsigned size = (unsigned)(q & 7) + 1;
    bool in = q & (1u << 3), string = q & (1u << 4);
    uint16_t port = (uint16_t)(q >> 16);
    uint16_t uart = vmx_config()->console_port;

    if (string) {
        kprintf("error: guest: string I/O (INS/OUTS) to intercepted port %#x is not emulated\n", port);
        return vcpu_stop_guest(v, "string I/O to an intercepted port");
    }
    if (port == QEMU_DEBUG_EXIT_PORT && !in) {
        vcpu_skip_instruction(v);
        return vcpu_guest_exit(v, (int)(v->regs.rax & 0xFF));
    }
    if (!in && platform_port(port)) {
        vcpu_skip_instruction(v);
        return platform_write(v, port, size,
                              (uint32_t)v->regs.rax & (size == 4 ? ~0u : (1u << (8 * size)) - 1));
    }
    if (size == 1 && !in && vserial_pic_port(port)) {   /* the guest programs its PIC */
        vserial_pic_write(port, (uint8_t)v->regs.rax);
        vcpu_skip_instruction(v);
        return EXIT_RESUME;
    }
    for (unsigned i = 0; size > 1 && i < size; i++)     /* reaches an emulated port? */
        if (io_emulated_byte((uint16_t)(port + i), in, uart))
            return io_split(v, port, size, in, uart);
    uint64_t mask = size == 4 ? 0xFFFFFFFFull : (1ull << (8 * size)) - 1;
    if (in) {
        /* A port trapped for observation (`trap io`): do the access for the guest. */
        uint64_t val = size == 1 ? inb(port) : size == 2 ? inw(port) : inl(port);
        v->regs.rax = (v->regs.rax & ~mask) | (val & mask);
    } else if (size == 1) {
        outb(port, (uint8_t)v->regs.rax);
    } else if (size == 2) {
        outw(port, (uint16_t)v->regs.rax);
    } else {
        outl(port, (uint32_t)v->regs.rax);
    }
    vcpu_skip_instruction(v);
    return EXIT_RESUME;
}

/* The common case first, the virtual UART's byte access (light_io: with
 * its I/O breakpoints); then every other access, and the guest's I/O
 * breakpoints it matches (vcpu_io_breakpoints) unless it stopped the
 * guest or powered it off. */
static enum exit_action handle_io(struct vcpu *v)
{
    if (light_io(v))
        return EXIT_RESUME;
    enum exit_action a = io_emulate(v);
    if (a == EXIT_RESUME) {
        uint64_t q = vcpu_qual(v);
        vcpu_io_breakpoints(v, (uint16_t)(q >> 16), (unsigned)(q & 7) + 1);
    }
    return a;
}

/* MAXPHYADDR (CPUID.80000008H:EAX[7:0], 36 without that leaf). */
static unsigned phys_addr_bits(void)
{
    static unsigned bits;
    if (!bits)
        bits = cpuid(0x80000000, 0).eax >= 0x80000008 ? cpuid(0x80000008, 0).eax & 0xFF : 36;
    return bits;
}

/* With PAE paging outside long mode the CPU holds the four PDPTEs; when we
 * emulate the MOV to CR0 (or CR3) that loads them, we load them (28.3.2).
 * A present PDPTE with a reserved bit set makes that MOV #GP (SDM Vol. 3A,
 * 4.4.1), and would fail the VM entry: return false, load nothing. */
static bool load_pdptes(uint64_t cr3)
{
    const uint64_t *p = guest_ptr(cr3 & ~0x1Full, 32);
    if (!p)
        return true;
    uint64_t pdpte[4] = { p[0], p[1], p[2], p[3] };    /* one read: the guest may change them */
    uint64_t reserved = 0x1E6 | ~((1ull << phys_addr_bits()) - 1);
    for (int i = 0; i < 4; i++)
        if ((pdpte[i] & 1) && (pdpte[i] & reserved))
            return false;
    vmcs_write64(VMCS_GUEST_PDPTE0, pdpte[0]);
    vmcs_write64(VMCS_GUEST_PDPTE1, pdpte[1]);
    vmcs_write64(VMCS_GUEST_PDPTE2, pdpte[2]);
    vmcs_write64(VMCS_GUEST_PDPTE3, pdpte[3]);
    return true;
}

/* Flush this vCPU's TLB entries as the emulated instruction would (SDM
 * Vol. 3A, 4.10.4.1): INVVPID type 1 (single context) drops them all,
 * type 3 keeps the global ones, as a MOV to CR3 does. Without VPID every
 * VM entry flushes anyway. */
static void flush_guest_tlb(struct vcpu *v, uint64_t type)
{
    if (v->proc2 & PROC2_ENABLE_VPID)
        invvpid(type, (uint16_t)vmcs_read16(VMCS_VPID), 0);
}

/* The guest's CR0, CR3, CR4 and EFER as it has them, for cr_rules.h: the
 * bits the host owns from their shadows (CR0.PG, CR4.OSXSAVE/PKE/DE/VMXE,
 * whose guest values only exits change), the rest from the guest-state
 * fields the CPU keeps current. */
static struct cr_state cr_state(struct vcpu *v)
{
    uint64_t cr0_mask = vmcs_readn(VMCS_CR0_MASK), cr4_mask = vmcs_readn(VMCS_CR4_MASK);
    uint64_t efer = vmcs_read64(VMCS_GUEST_EFER);
    return (struct cr_state){
        .cr0 = (vmcs_readn(VMCS_GUEST_CR0) & ~cr0_mask) | (v->cr0_shadow & cr0_mask),
        .cr3 = vmcs_readn(VMCS_GUEST_CR3),
        .cr4 = (vmcs_readn(VMCS_GUEST_CR4) & ~cr4_mask) | (v->cr4_shadow & cr4_mask),
        .efer = efer,
        .cs_l = (efer & EFER_LMA) && (vmcs_read32(VMCS_GUEST_CS_AR) & AR_L),
    };
}

static enum exit_action guest_write_cr0(struct vcpu *v, uint64_t val)
{
    /* Every architectural check of the MOV (vmx/cr_rules.c): the CPU made
     * none, since the write exited. */
    struct cr_state s = cr_state(v);
    if (!cr0_write(&s, &val))
        return inject_gp(v);
    uint64_t efer = s.efer;
    bool was_pg = s.cr0 & CR0_PG, pg = val & CR0_PG;
    bool pae = s.cr4 & CR4_PAE;
    if (pg && !was_pg && pae && !(efer & EFER_LME) && !load_pdptes(s.cr3))
        return inject_gp(v);
    if (pg && !was_pg && (efer & EFER_LME)) {
        efer |= EFER_LMA;       /* entering IA-32e mode (10.8.5) */
        v->entry_ctl |= ENTRY_IA32E_MODE_GUEST;
        /* The CPU never looks at TR's cached type when it activates IA-32e
         * mode, but VM entry requires a busy 64-bit TSS there (27.3.1.2).
         * A guest coming from real mode (an AP after SIPI, which goes
         * straight to long mode in Linux's trampoline) still holds the
         * real-mode 16-bit busy type until its LTR: present type 11. */
        uint32_t tr_ar = vmcs_read32(VMCS_GUEST_TR_AR);
        if ((tr_ar & AR_TYPE_MASK) != AR_TYPE_TSS_BUSY_32)
            vmcs_write32(VMCS_GUEST_TR_AR, (tr_ar & ~AR_TYPE_MASK) | AR_TYPE_TSS_BUSY_32);
    } else if (!pg && was_pg && (efer & EFER_LMA)) {
        efer &= ~EFER_LMA;
        v->entry_ctl &= ~ENTRY_IA32E_MODE_GUEST;
    }
    vmcs_write64(VMCS_GUEST_EFER, efer);
    vmcs_write32(VMCS_ENTRY_CONTROLS, v->entry_ctl);
    /* Clearing CR0.PG invalidates every TLB entry, global ones too. */
    if (was_pg && !pg)
        flush_guest_tlb(v, 1);
    v->cr0_shadow = val;
    vmcs_writen(VMCS_CR0_READ_SHADOW, val);
    vmcs_writen(VMCS_GUEST_CR0, val | CR0_NE);
    vmx_guest_cache_control(val);       /* CD and NW: not loaded by VM entry */
    return EXIT_RESUME;
}

static enum exit_action guest_write_cr4(struct vcpu *v, uint64_t val)
{
    /* CR4.VMXE is reserved on a CPU without VMX: setting it is #GP. So is
     * any bit this CPU cannot set (fixed-1 MSR), and every combination
     * the CPU refuses (vmx/cr_rules.c). */
    struct cr_state s = cr_state(v);
    if (!cr4_write(&s, val, rdmsr(MSR_IA32_VMX_CR4_FIXED1) & ~CR4_VMXE))
        return inject_gp(v);
    /* CPUID's OSXSAVE and OSPKE mirror CR4 (cpuid_policy.h): this vCPU's
     * fast-path masks for leaves 1 and 7 are stale once either changes. */
    if ((v->cr4_shadow ^ val) & CR4_CPUID_BITS)
        cpuid_fast_invalidate_vcpu(v);
    /* The write's own TLB invalidation: a change of PAE, PGE, PSE or SMEP,
     * or PCIDE cleared, drops every entry, global ones too. Compared with
     * the CR4 the guest runs with: bits it does not own change without
     * exits, so the read shadow has only the host-owned ones right. */
    uint64_t changed = vmcs_readn(VMCS_GUEST_CR4) ^ val;
    if ((changed & (CR4_PAE | CR4_PGE | CR4_PSE | CR4_SMEP)) ||
        ((changed & CR4_PCIDE) && !(val & CR4_PCIDE)))
        flush_guest_tlb(v, 1);
    v->cr4_shadow = val;
    vmcs_writen(VMCS_CR4_READ_SHADOW, val);
    vmcs_writen(VMCS_GUEST_CR4, val | CR4_VMXE);
    return EXIT_RESUME;
}

/* MOV to CR3 when CR3-load exiting is on (`trap cr3`). */
static enum exit_action guest_write_cr3(struct vcpu *v, uint64_t val)
{
    uint64_t efer = vmcs_read64(VMCS_GUEST_EFER);
    if ((v->cr0_shadow & CR0_PG) && (vmcs_readn(VMCS_GUEST_CR4) & CR4_PAE) && !(efer & EFER_LMA) &&
        !load_pdptes(val))
        return inject_gp(v);
    vmcs_writen(VMCS_GUEST_CR3, val);
    flush_guest_tlb(v, 3);      /* single context, globals retained */
    return EXIT_RESUME;
}

/* Control-register access (qualification: 28.2.1, table 28-3). Only bits
 * the host owns exit: the VMX fixed bits, CR0.PG, CR4.VMXE and the CR4
 * bits CPUID mirrors (CR4_CPUID_BITS). */
static enum exit_action handle_cr(struct vcpu *v)
{
    uint64_t q = vcpu_qual(v);
    unsigned cr = q & 15, type = (q >> 4) & 3, gpr = (q >> 8) & 15;
    enum exit_action a = EXIT_RESUME;
    switch (type) {
    case 0: {       /* MOV to CR */
        uint64_t val = vcpu_get_gpr(v, gpr);
        if (!(vmcs_read64(VMCS_GUEST_EFER) & EFER_LMA))
            val &= 0xFFFFFFFF;
        if (cr == 0)
            a = guest_write_cr0(v, val);
        else if (cr == 4)
            a = guest_write_cr4(v, val);
        else if (cr == 3)
            a = guest_write_cr3(v, val);
        else
            return vcpu_stop_guest(v, "unexpected MOV to CR exit");
        break;
    }
    case 1:         /* MOV from CR: only CR3, when `trap cr3` asks */
        if (cr != 3)
            return vcpu_stop_guest(v, "unexpected MOV from CR exit");
        vcpu_set_gpr(v, gpr, vmcs_readn(VMCS_GUEST_CR3));
        break;
    case 3: {       /* LMSW: bits 3:0 of CR0, cannot clear PE; the rest as the guest has it */
        uint64_t src = (q >> 16) & 0xF, cr0 = cr_state(v).cr0;
        uint64_t val = (cr0 & ~0xEull) | (src & 0xF) | (cr0 & CR0_PE);
        a = guest_write_cr0(v, val);
        break;
    }
    default:
        return vcpu_stop_guest(v, "unexpected control-register exit (CLTS)");
    }
    if (vmcs_read32(VMCS_ENTRY_INTR_INFO) & INTR_INFO_VALID)
        return a;   /* faulted: RIP stays */
    vcpu_skip_instruction(v);
    return a;
}

/* XSETBV (SDM Vol. 2C, XSETBV "Protected Mode Exceptions"): validate as
 * the CPU would, then let the CPU do it. The hypervisor never touches
 * extended state, so the guest's XCR0 stays in place across exits: CPUID
 * leaf 0DH executed in root operation reports the sizes for the guest's
 * XCR0 (and IA32_XSS, which is not intercepted). */
static enum exit_action handle_xsetbv(struct vcpu *v)
{
    uint32_t idx = (uint32_t)v->regs.rcx;
    uint64_t val = ((v->regs.rdx & 0xFFFFFFFF) << 32) | (v->regs.rax & 0xFFFFFFFF);
    /* The CR4 the guest runs with (GUEST_CR4 holds every bit the guest set). */
    if (!(vmcs_readn(VMCS_GUEST_CR4) & CR4_OSXSAVE))
        return inject_ud(v);
    /* The CPL check comes before the exit on hardware (SDM Vol. 3C,
     * 26.1.1); Bochs 2.7 exits first, so it is made here too. */
    if (vcpu_cpl(v))
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

/* RDTSC / RDTSCP when `trap rdtsc` asks: the host's TSC (no offset), as
 * the guest would have read it. */
static enum exit_action handle_rdtsc(struct vcpu *v)
{
    uint64_t t = rdtsc();
    v->regs.rax = (uint32_t)t;
    v->regs.rdx = t >> 32;
    if ((v->exit_reason & 0xFFFF) == EXIT_REASON_RDTSCP)
        v->regs.rcx = (uint32_t)rdmsr(0xC0000103);      /* IA32_TSC_AUX */
    vcpu_skip_instruction(v);
    return EXIT_RESUME;
}

/* INVLPG when `trap invlpg` asks: invalidate that address for the guest. */
static enum exit_action handle_invlpg(struct vcpu *v)
{
    if (v->proc2 & PROC2_ENABLE_VPID)
        invvpid(0, (uint16_t)vmcs_read16(VMCS_VPID), vcpu_qual(v));
    vcpu_skip_instruction(v);
    return EXIT_RESUME;
}

/* MOV DR when `trap movdr` asks (qualification: table 28-4). DR7 lives in
 * the VMCS; DR0-3 and DR6 stay in the CPU, which the host never uses. */
static enum exit_action handle_dr(struct vcpu *v)
{
    uint64_t q = vcpu_qual(v);
    unsigned dr = q & 7, gpr = (q >> 8) & 15;
    bool from = q & 16;
    if ((dr == 4 || dr == 5) && (vmcs_readn(VMCS_GUEST_CR4) & (1ull << 3)))
        return inject_ud(v);    /* CR4.DE: DR4/DR5 are reserved */
    if (dr == 4 || dr == 5)
        dr += 2;                /* aliases of DR6/DR7 */
    if (from) {
        uint64_t val;
        switch (dr) {
        case 0: val = read_dr0(); break;
        case 1: val = read_dr1(); break;
        case 2: val = read_dr2(); break;
        case 3: val = read_dr3(); break;
        case 6: val = read_dr6(); break;
        default: val = vmcs_readn(VMCS_GUEST_DR7); break;
        }
        vcpu_set_gpr(v, gpr, val);
    } else {
        uint64_t val = vcpu_get_gpr(v, gpr);
        if ((dr == 6 || dr == 7) && (val >> 32))
            return inject_gp(v);    /* bits 63:32 of DR6/DR7 are reserved (17.2.3, 17.2.4) */
        switch (dr) {
        case 0: write_dr0(val); break;
        case 1: write_dr1(val); break;
        case 2: write_dr2(val); break;
        case 3: write_dr3(val); break;
        case 6: write_dr6(val); break;
        default:
            vmcs_writen(VMCS_GUEST_DR7, val);
            break;
        }
    }
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

/* Monitor trap flag: `step` set it; vcpu_exit ends the step. */
static enum exit_action handle_mtf(struct vcpu *v)
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

/* Every VMX instruction in the guest: #UD, as on a CPU without VMX. */
static enum exit_action handle_vmx_instruction(struct vcpu *v)
{
    return inject_ud(v);
}

/* A triple fault shuts the whole machine down (SDM Vol. 3A, 7.15 #DF):
 * the guest stops on every core; `reset` restarts it. */
static enum exit_action handle_triple_fault(struct vcpu *v)
{
    kprintf("\nguest.triple_fault cpu=%u rip=%#llx\n", v->id, (unsigned long long)vcpu_rip(v));
    vcpu_dump(v);
    return vcpu_stop_guest(v, "triple fault");
}

/* INIT (exit reason 3: INIT always exits in VMX non-root, 25.2). The
 * guest's own INITs never get here: its ICR writes are intercepted and
 * INIT and SIPI emulated (vmx/apic.c). One from elsewhere is applied the
 * same way. */
static enum exit_action handle_init(struct vcpu *v)
{
    vcpu_apply_init(v);
    return EXIT_RESUME;
}

/* SIPI (exit reason 4) only exits in the wait-for-SIPI activity state,
 * which monovisor never enters (a waiting vCPU waits in the hypervisor):
 * nothing to start, resume. */
static enum exit_action handle_sipi(struct vcpu *v)
{
    (void)v;
    return EXIT_RESUME;
}

/* The VMX-preemption timer (the console's core only): serve the console,
 * re-arm (26.5.1). */
static enum exit_action handle_preemption_timer(struct vcpu *v)
{
    console_poll();
    vmcs_write32(VMCS_PREEMPTION_TIMER, v->preempt_reload);
    return EXIT_RESUME;
}

/* HLT, when hlt=exit intercepts it: the core waits in the guest's HLT
 * activity state until an interrupt (25.4.2), as it would natively. */
static enum exit_action handle_hlt(struct vcpu *v)
{
    vcpu_skip_instruction(v);
    /* "sti; hlt": the HLT was in STI's shadow, which ends with it; left
     * set, the HLT activity state fails the entry (27.3.1.5). */
    uint32_t intr = vmcs_read32(VMCS_GUEST_INTERRUPTIBILITY);
    if (intr & (INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOV_SS))
        vmcs_write32(VMCS_GUEST_INTERRUPTIBILITY,
                     intr & ~(INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOV_SS));
    vmcs_write32(VMCS_GUEST_ACTIVITY_STATE, ACTIVITY_HLT);
    return EXIT_RESUME;
}

/* NMIs exit (NMI exiting): a kick from another core (cpu->kick set) ends
 * here and the caller sees the request; any other NMI is the guest's and
 * is reflected, when the guest can take it (vcpu_deliver_nmi). With
 * virtual NMIs (when the CPU has them) the guest's NMI blocking is its
 * own, ended by its IRET; without them an NMI we inject blocks every
 * later NMI on the core, kicks included, and no guest IRET ends that
 * (26.3: with NMI exiting, IRET leaves NMI blocking alone). Exceptions
 * exit only when `trap exception` asked: reflected too. */
static enum exit_action handle_exception_nmi(struct vcpu *v)
{
    uint32_t info = vmcs_read32(VMCS_EXIT_INTR_INFO);
    if ((info & (7u << 8)) == INTR_TYPE_NMI) {
        /* The exit left NMIs blocked on this core until an IRET: without
         * one, the next kick would never arrive. Without virtual NMIs: the
         * NMI exited, so the guest was not blocking NMIs; Bochs 2.7 saves
         * "blocking by NMI" all the same (masked before the state was
         * saved), which would block every later NMI in the guest: clear
         * it (25.4.2). */
        iret_to_self();
        uint32_t intr = vmcs_read32(VMCS_GUEST_INTERRUPTIBILITY);
        if ((intr & INTERRUPTIBILITY_NMI) && !(v->pin & PIN_VIRTUAL_NMIS))
            vmcs_write32(VMCS_GUEST_INTERRUPTIBILITY, intr & ~INTERRUPTIBILITY_NMI);
        if (__atomic_exchange_n(&v->cpu->kick, 0, __ATOMIC_SEQ_CST)) {
            v->kicks++;
            return EXIT_RESUME;
        }
        v->nmi_pending = true;
        vcpu_deliver_nmi(v);
        return EXIT_RESUME;
    }
    if (v->stepping && (info & 0xFF) == DB_VECTOR)
        return EXIT_RESUME;     /* the single-step trap of `step`: not the guest's */
    uint32_t entry = info & (INTR_INFO_VALID | INTR_INFO_DELIVER_ERROR | 0x7FF);
    if (info & INTR_INFO_DELIVER_ERROR)
        vmcs_write32(VMCS_ENTRY_EXCEPTION_ERROR, vmcs_read32(VMCS_EXIT_INTR_ERROR));
    vmcs_write32(VMCS_ENTRY_INTR_INFO, entry);
    return EXIT_RESUME;
}

/* Interrupt-window exiting, set while a PIC interrupt of the guest's COM1
 * waits for the guest to become interruptible (25.6.2): inject it now. */
static enum exit_action handle_interrupt_window(struct vcpu *v)
{
    vserial_inject(v);
    return EXIT_RESUME;
}

/* NMI-window exiting, set while a guest NMI waits for the guest's NMI
 * blocking (or STI, MOV SS) to end: deliver it now. */
static enum exit_action handle_nmi_window(struct vcpu *v)
{
    vcpu_deliver_nmi(v);
    return EXIT_RESUME;
}

/* External-interrupt exiting is off: the interrupt stays pending and the
 * guest takes it on entry. Counted, nothing else. */
static enum exit_action handle_external_interrupt(struct vcpu *v)
{
    (void)v;
    return EXIT_RESUME;
}

/* Hypercalls (vmx/hypercall_abi.h). */
static enum exit_action handle_vmcall(struct vcpu *v)
{
    uint32_t cs_ar = vmcs_read32(VMCS_GUEST_CS_AR);
    if ((cs_ar >> 5) & 3)   /* CPL = CS.DPL (vcpu_cpl) */
        return inject_ud(v);
    int64_t ret;
    uint64_t nr = v->regs.rax, a0 = v->regs.rbx, a1 = v->regs.rcx;
    if (!((cs_ar & AR_L) && (vmcs_read64(VMCS_GUEST_EFER) & EFER_LMA))) {
        /* Not 64-bit mode: the ABI takes the low 32 bits; the upper
         * halves may still hold what 64-bit code left there. */
        nr = (uint32_t)nr;
        a0 = (uint32_t)a0;
        a1 = (uint32_t)a1;
    }
    switch (nr) {
    case HC_VERSION:
        ret = MONOVISOR_ABI_VERSION;
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
        /* Counts as of this call, the VMCALL itself included. */
        for (uint64_t i = 0; i < len / 8; i++)
            out[i] = i == 0 ? v->exits
                            : v->exit_count[i - 1] + (i - 1 == VEXIT_HYPERCALL);
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

bool ept_refuse_injects_gp;

/* An exit during event delivery (IDT-vectoring information valid, 28.2.4)
 * left that event undelivered: inject it again with the next entry. */
static void reinject_vectoring_event(void)
{
    uint32_t info = vmcs_read32(VMCS_IDT_VECTORING_INFO);
    if (!(info & INTR_INFO_VALID))
        return;
    if (info & INTR_INFO_DELIVER_ERROR)
        vmcs_write32(VMCS_ENTRY_EXCEPTION_ERROR, vmcs_read32(VMCS_IDT_VECTORING_ERROR));
    uint32_t type = info & (7u << 8);
    if (type == (4u << 8) || type == (5u << 8) || type == INTR_TYPE_SW_EXCEPTION)
        vmcs_write32(VMCS_ENTRY_INSTRUCTION_LEN, vmcs_read32(VMCS_EXIT_INSTRUCTION_LEN));
    vmcs_write32(VMCS_ENTRY_INTR_INFO, info & ~(1u << 12));
}

/* EPT violation (qualification: 28.2.1, table 28-7): the fault-in path of
 * ept/guest_ept.c maps guest RAM and device MMIO on first touch; the
 * hypervisor's memory and anything outside the guest's are refused. The
 * common first touch never comes here: vmx/entry.asm maps it with the
 * guest's GPRs still in the CPU (ept/guest_ept.h). */
static enum exit_action handle_ept_violation(struct vcpu *v)
{
    uint64_t q = vcpu_qual(v);
    uint64_t gpa = vmcs_read64(VMCS_GUEST_PHYSICAL_ADDRESS);
    /* A store to the read-only xAPIC page (vmx/apic.c). */
    if ((gpa & ~(uint64_t)0xFFF) == apic_page() && (q & 2) && (q & 8))
        return apic_mmio_write(v, gpa);
    /* ... and to the I/O APIC's page (vmx/vserial.c). */
    if ((gpa & ~(uint64_t)0xFFF) == vserial_ioapic_page() && (q & 2) && (q & 8))
        return vserial_ioapic_write(v, gpa);
    enum ept_action a = ept_fault_in(&v->ept, gpa, q, vcpu_rip(v));
    if (a == EPT_MAPPED) {
        reinject_vectoring_event();
        return EXIT_RESUME;     /* the access is retried: no RIP change */
    }
    kprintf("\nguest.ept_refused gpa=%#llx rip=%#llx access=%s class=%s reason=%s "
            "allowed=%c%c%c linear_valid=%d\n",
            (unsigned long long)gpa, (unsigned long long)vcpu_rip(v), ept_access_name(q),
            gpa_class_name(v->ept.log[(v->ept.log_count - 1) % EPT_LOG_LEN].cls),
            ept_action_name(a), (q & 8) ? 'r' : '-', (q & 16) ? 'w' : '-', (q & 32) ? 'x' : '-',
            (int)((q >> 7) & 1));
    if (!ept_refuse_injects_gp)
        return vcpu_stop_guest(v, "EPT violation refused");
    uint32_t vectoring = vmcs_read32(VMCS_IDT_VECTORING_INFO);
    /* An IRET that unblocked NMIs faulted: block them again (28.2.3). */
    if ((q & (1u << 12)) && !(vectoring & INTR_INFO_VALID))
        vmcs_write32(VMCS_GUEST_INTERRUPTIBILITY,
                     vmcs_read32(VMCS_GUEST_INTERRUPTIBILITY) | INTERRUPTIBILITY_NMI);
    /* A refusal met while the CPU delivered an event (the guest's IDT,
     * stack or handler out of reach) is a fault of that delivery: the #GP
     * becomes a #DF, or a shutdown (vmx/event.h). */
    unsigned vector = fault_during_delivery(vectoring, VEC_GP);
    if (vector == EVENT_SHUTDOWN)
        return handle_triple_fault(v);
    vcpu_inject_exception(v, vector, true, 0);
    return EXIT_RESUME;
}

/* EPT misconfiguration (30.3.3.1): an entry the CPU calls invalid. Show
 * the walk, which names the offending entry. */
static enum exit_action handle_ept_misconfig(struct vcpu *v)
{
    uint64_t gpa = vmcs_read64(VMCS_GUEST_PHYSICAL_ADDRESS);
    kprintf("error: vmx: EPT misconfiguration at gpa=%#llx\n", (unsigned long long)gpa);
    ept_print_walk(gpa);
    return vcpu_stop_guest(v, "EPT misconfiguration");
}

enum exit_action handle_unknown_exit(struct vcpu *v)
{
    uint32_t basic = v->exit_reason & 0xFFFF;
    kprintf("\nerror: vmx: unhandled exit reason %u (%s) qualification=%#llx\n", basic,
            exit_reason_name(basic), (unsigned long long)vcpu_qual(v));
    vcpu_dump(v);
    return vcpu_stop_guest(v, "unhandled exit");
}

const exit_handler exit_handlers[VEXIT_MAX] = {
    [VEXIT_EXCEPTION] = handle_exception_nmi,
    [VEXIT_NMI] = handle_exception_nmi,
    [VEXIT_INTERRUPT] = handle_external_interrupt,
    [VEXIT_NMI_WINDOW] = handle_nmi_window,
    [VEXIT_INTERRUPT_WINDOW] = handle_interrupt_window,
    [VEXIT_TRIPLE_FAULT] = handle_triple_fault,
    [VEXIT_INIT] = handle_init,
    [VEXIT_SIPI] = handle_sipi,
    [VEXIT_CPUID] = handle_cpuid,
    [VEXIT_HLT] = handle_hlt,
    [VEXIT_INVD] = handle_invd,
    [VEXIT_HYPERCALL] = handle_vmcall,
    [VEXIT_VIRT_INSN] = handle_vmx_instruction,
    [VEXIT_CR_ACCESS] = handle_cr,
    [VEXIT_IO] = handle_io,
    [VEXIT_RDMSR] = handle_rdmsr,
    [VEXIT_WRMSR] = handle_wrmsr,
    [VEXIT_NPF] = handle_ept_violation,
    [VEXIT_NPF_MISCONFIG] = handle_ept_misconfig,
    [VEXIT_TIMER] = handle_preemption_timer,
    [VEXIT_XSETBV] = handle_xsetbv,
    [VEXIT_RDTSC] = handle_rdtsc,
    [VEXIT_INVLPG] = handle_invlpg,
    [VEXIT_DR_ACCESS] = handle_dr,
    [VEXIT_MONITOR] = handle_skip,
    [VEXIT_MWAIT] = handle_skip,
    [VEXIT_PAUSE] = handle_skip,
    [VEXIT_STEP] = handle_mtf,
};

const exit_light_handler exit_light_handlers[EXIT_REASON_MAX] = {
    [EXIT_REASON_IO] = light_io,
};
