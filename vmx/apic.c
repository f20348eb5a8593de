/*
 * apic.c - interception of the guest's APIC writes that send IPIs; see
 * apic.h. The decision is pure (vmx/ipi.c), so is the decoding of the
 * storing instruction (vmx/insn_decode.c) and the guest page walk that
 * finds it (vmx/guest_walk.c).
 */
#include "apic.h"

#include "../kernel/insn_decode.h"
#include "../kernel/ipi.h"
#include "vmx.h"
#include "vmx_ops.h"
#include "../drivers/lapic.h"
#include "../ept/guest_ept.h"
#include "../kernel/kstring.h"
#include "../kernel/loader.h"
#include "../kernel/mem.h"
#include "../kernel/printk.h"
#include "../kernel/x86.h"
#include "../kernel/x86_regs.h"

#define APIC_BASE_ADDR     0x000FFFFFFFFFF000ull    /* IA32_APIC_BASE[51:12] (12.4.4) */
#define XAPIC_ICR_LOW      0x300
#define XAPIC_ICR_HIGH     0x310
#define MSR_X2APIC_ICR     0x830

struct apic_stats apic_stats;
static uint64_t page;

uint64_t apic_page(void)
{
    return page;
}

int apic_virt_init(void)
{
    page = rdmsr(MSR_IA32_APIC_BASE) & APIC_BASE_ADDR;
    return guest_ept_map_page(page, EPT_READ);
}

void apic_virt_vcpu(struct vcpu *v)
{
    vmx_msr_intercept(v, MSR_X2APIC_ICR, true);
    vmx_msr_intercept(v, MSR_IA32_APIC_BASE, true);
}

static volatile uint32_t *apic_reg(unsigned off)
{
    return (volatile uint32_t *)phys_ptr(page + off);
}

static void report_drop(const char *why)
{
    static bool told;
    if (!told)
        kprintf("\nnote: guest IPI not delivered: %s (reported once)\n", why);
    told = true;
}

/* One ICR write of the guest: emulate INIT/SIPI, pass the rest on. */
static void icr_write(struct vcpu *v, uint32_t lo, uint32_t dest, bool x2apic)
{
    uint32_t ids[MAX_CPUS];
    for (unsigned i = 0; i < MAX_CPUS; i++)
        ids[i] = vcpus[i] ? vcpus[i]->apic_id : IPI_NO_VCPU;
    struct ipi_decision d = ipi_decide(lo, dest, x2apic, v->apic_id, ids, MAX_CPUS);
    apic_stats.icr_writes++;
    switch (d.action) {
    case IPI_PASS:
        apic_stats.passed++;
        if (x2apic)
            wrmsr(MSR_X2APIC_ICR, ((uint64_t)dest << 32) | lo);
        else
            *apic_reg(XAPIC_ICR_LOW) = lo;      /* ICR high holds dest already */
        return;
    case IPI_IGNORE:
        apic_stats.ignored++;
        return;
    case IPI_DROP:
        apic_stats.dropped++;
        report_drop(d.why);
        return;
    case IPI_INIT:
    case IPI_SIPI:
        break;
    }
    for (unsigned i = 0; i < MAX_CPUS; i++) {
        struct vcpu *t = vcpus[i];
        if (!t || !(d.targets >> i & 1))
            continue;
        if (d.action == IPI_INIT) {
            /* INIT forgets any SIPI not yet taken; the next one counts. */
            __atomic_store_n(&t->sipi, 0, __ATOMIC_SEQ_CST);
            vcpu_request(t, VCPU_REQ_INIT);
            apic_stats.inits++;
        } else {
            uint32_t none = 0;
            __atomic_compare_exchange_n(&t->sipi, &none, SIPI_VALID | d.vector, false,
                                        __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
            vcpu_request(t, VCPU_REQ_SIPI);
            apic_stats.sipis++;
        }
    }
}

bool apic_msr_write(struct vcpu *v, uint32_t msr, uint64_t val, enum exit_action *a)
{
    if (msr == MSR_X2APIC_ICR) {
        /* Reserved bits and xAPIC mode fault as they would (12.12.9). */
        if (!(rdmsr(MSR_IA32_APIC_BASE) & (1ull << 10)) || (val & 0xFFF32000ull)) {
            vcpu_inject_exception(v, 13, true, 0);
            *a = EXIT_RESUME;
            return true;
        }
        icr_write(v, (uint32_t)val, (uint32_t)(val >> 32), true);
    } else if (msr == MSR_IA32_APIC_BASE) {
        /* Enable and x2APIC mode are the guest's; the address stays, or
         * the guest would take its APIC out of our sight. */
        uint64_t now = rdmsr(MSR_IA32_APIC_BASE);
        if ((val & APIC_BASE_ADDR) != (now & APIC_BASE_ADDR) || wrmsr_safe(msr, val)) {
            vcpu_inject_exception(v, 13, true, 0);
            *a = EXIT_RESUME;
            return true;
        }
    } else {
        return false;
    }
    vcpu_skip_instruction(v);
    *a = EXIT_RESUME;
    return true;
}

/* The code segment's default size (SDM Vol. 3A, 3.4.5: CS.L, CS.D). */
static enum insn_mode code_mode(void)
{
    uint32_t ar = vmcs_read32(VMCS_GUEST_CS_AR);
    if (!(vmcs_readn(VMCS_GUEST_CR0) & CR0_PE) || (vmcs_readn(VMCS_GUEST_RFLAGS) & (1u << 17)))
        return INSN_MODE16;     /* real mode, virtual-8086 mode */
    if ((ar & AR_L) && (vmcs_read64(VMCS_GUEST_EFER) & EFER_LMA))
        return INSN_MODE64;
    return (ar & AR_DB) ? INSN_MODE32 : INSN_MODE16;
}

bool mmio_decode(struct vcpu *v, uint64_t gpa, const char *device, struct mmio_store *st,
                 enum exit_action *a)
{
    uint8_t code[INSN_MAX_LEN];
    size_t n = vcpu_fetch_code(v, code);
    const char *why = "instruction not in guest RAM";
    if (n && !insn_decode_store(code, n, code_mode(), st, &why))
        return true;
    kprintf("\nerror: guest %s write at offset %#x by rip=%#llx: %s\n", device,
            (unsigned)(gpa & (PAGE_SIZE - 1)), (unsigned long long)vcpu_rip(v), why);
    *a = vcpu_stop_guest(v, "unsupported device register access");
    return false;
}

/* A GPR's low size bytes as a store takes them (AH-BH: bits 15:8). */
static uint64_t store_value(struct vcpu *v, const struct mmio_store *st)
{
    uint64_t val = st->is_imm ? st->imm
                   : st->high_byte ? vcpu_get_gpr(v, st->reg - 4u) >> 8
                                   : vcpu_get_gpr(v, st->reg);
    return st->size == 8 ? val : val & ((1ull << (8 * st->size)) - 1);
}

bool mmio_plain32(struct vcpu *v, uint64_t gpa, const struct mmio_store *st, uint32_t *val)
{
    if (st->is_string || st->size != 4 || (gpa & 3))
        return false;
    *val = (uint32_t)store_value(v, st);
    return true;
}

static uint64_t phys_access(uint64_t pa, unsigned size, const uint64_t *store)
{
    volatile void *p = phys_ptr(pa);
    uint64_t old = 0;
    switch (size) {
    case 1: old = *(volatile uint8_t *)p; if (store) *(volatile uint8_t *)p = (uint8_t)*store; break;
    case 2: old = *(volatile uint16_t *)p; if (store) *(volatile uint16_t *)p = (uint16_t)*store; break;
    case 4: old = *(volatile uint32_t *)p; if (store) *(volatile uint32_t *)p = (uint32_t)*store; break;
    default: old = *(volatile uint64_t *)p; if (store) *(volatile uint64_t *)p = *store; break;
    }
    return old;
}

/* A register written with an operand of size bytes: 1 and 2 merge into
 * the old value, 4 zero-extends, 8 replaces (SDM Vol. 1, 3.4.1.1). */
static void set_sized(struct vcpu *v, unsigned reg, unsigned size, uint64_t val)
{
    uint64_t old = vcpu_get_gpr(v, reg);
    if (size < 4) {
        uint64_t m = (1ull << (8 * size)) - 1;
        val = (old & ~m) | (val & m);
    } else if (size == 4) {
        val = (uint32_t)val;
    }
    vcpu_set_gpr(v, reg, val);
}

void mmio_store_physical(struct vcpu *v, uint64_t gpa, const struct mmio_store *st)
{
    uint64_t val = store_value(v, st);
    apic_stats.physical++;
    if (!st->is_string) {
        uint64_t old = phys_access(gpa, st->size, st->is_xchg ? 0 : &val);
        if (st->is_xchg) {
            phys_access(gpa, st->size, &val);
            if (st->high_byte)      /* AH-BH: bits 15:8 of the register */
                vcpu_set_gpr(v, st->reg - 4u, (vcpu_get_gpr(v, st->reg - 4u) & ~0xFF00ull) | (old << 8));
            else
                set_sized(v, st->reg, st->size, old);
        }
        vcpu_advance(v, st->len);
        return;
    }
    /* STOS (SDM Vol. 2B): ES:[rDI] := rAX, rDI moves by size (down when
     * RFLAGS.DF); with REP, rCX times. gpa is rDI's element: the ones up
     * to the end of its page are done now. */
    uint64_t mask = st->addr_size == 8 ? ~0ull : (1ull << (8 * st->addr_size)) - 1;
    uint64_t rdi = vcpu_get_gpr(v, 7), rcx = vcpu_get_gpr(v, 1);
    bool down = vmcs_readn(VMCS_GUEST_RFLAGS) & (1u << 10);
    unsigned off = (unsigned)(gpa & (PAGE_SIZE - 1));
    uint64_t in_page = down ? off / st->size + 1 : (PAGE_SIZE - off + st->size - 1) / st->size;
    uint64_t count = st->rep ? rcx & mask : 1;
    uint64_t k = count < in_page ? count : in_page;
    for (uint64_t i = 0; i < k; i++)
        phys_access(down ? gpa - i * st->size : gpa + i * st->size, st->size, &val);
    uint64_t step = k * st->size;
    rdi = (rdi & ~mask) | ((down ? rdi - step : rdi + step) & mask);
    if (st->addr_size == 4)
        rdi = (uint32_t)rdi;    /* a 32-bit address register zero-extends */
    vcpu_set_gpr(v, 7, rdi);
    if (st->rep) {
        rcx = (rcx & ~mask) | ((rcx - k) & mask);
        if (st->addr_size == 4)
            rcx = (uint32_t)rcx;
        vcpu_set_gpr(v, 1, rcx);
        if (rcx & mask)
            return;             /* the rest after the next exit: RIP stays */
    }
    vcpu_advance(v, st->len);
}

void mmio_store_done(struct vcpu *v, const struct mmio_store *st, uint32_t old)
{
    if (st->is_xchg)    /* the register gets the old value; the upper half is cleared */
        vcpu_set_gpr(v, st->reg, old);
    vcpu_advance(v, st->len);
}

/* Say once per kind that stores went to the bus instead of a model. */
static void note_physical(const char *what)
{
    static const char *told[4];
    for (unsigned i = 0; i < 4; i++) {
        if (told[i] == what)
            return;
        if (!told[i]) {
            told[i] = what;
            kprintf("\nnote: %s (noted once; `cpus` counts them)\n", what);
            return;
        }
    }
}

/* This core's APIC is globally enabled in xAPIC mode (IA32_APIC_BASE
 * bit 11 EN set, bit 10 EXTD clear: SDM Vol. 3A, 12.4.3, 12.12.1): only
 * then is the page its register file. The MSR is the guest's own
 * (apic_msr_write lets it change both bits). */
static bool xapic_enabled(void)
{
    uint64_t base = rdmsr(MSR_IA32_APIC_BASE);
    return (base & (1ull << 11)) && !(base & (1ull << 10));
}

enum exit_action apic_mmio_write(struct vcpu *v, uint64_t gpa)
{
    struct mmio_store st;
    uint32_t val;
    enum exit_action a;
    unsigned off = (unsigned)(gpa & (PAGE_SIZE - 1));
    if (!mmio_decode(v, gpa, "local APIC", &st, &a))
        return a;
    if (!xapic_enabled()) {
        note_physical("guest stores to the APIC page while its APIC is disabled or in "
                      "x2APIC mode: done on the bus");
        mmio_store_physical(v, gpa, &st);
        return EXIT_RESUME;
    }
    if (!mmio_plain32(v, gpa, &st, &val)) {
        /* Not a register access the SDM defines (12.4.1): the APIC itself
         * decides, but for the ICR, whose IPIs must be seen. */
        if (off < XAPIC_ICR_LOW + 4 && off + (st.is_string ? PAGE_SIZE : st.size) > XAPIC_ICR_LOW) {
            note_physical("guest APIC store of another width than 32 bits over the ICR: dropped");
            apic_stats.dropped++;
            mmio_store_done(v, &st, 0);
            return EXIT_RESUME;
        }
        note_physical("guest APIC stores of another width than 32 bits: done on the APIC as written");
        mmio_store_physical(v, gpa, &st);
        return EXIT_RESUME;
    }
    apic_stats.mmio_writes++;
    uint32_t old = st.is_xchg ? *apic_reg(off) : 0;
    if (off == XAPIC_ICR_LOW)
        icr_write(v, val, *apic_reg(XAPIC_ICR_HIGH) >> 24, false);
    else
        *apic_reg(off) = val;
    mmio_store_done(v, &st, old);
    return EXIT_RESUME;
}
