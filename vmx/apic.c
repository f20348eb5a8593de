/*
 * apic.c - interception of the guest's APIC writes that send IPIs; see
 * apic.h. The decision is pure (vmx/ipi.c), so is the decoding of the
 * storing instruction (vmx/insn_decode.c) and the guest page walk that
 * finds it (vmx/guest_walk.c).
 */
#include "apic.h"

#include "insn_decode.h"
#include "ipi.h"
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

bool mmio_store32_decode(struct vcpu *v, uint64_t gpa, const char *device, uint32_t *val,
                         struct mmio_store *st, enum exit_action *a)
{
    uint8_t code[INSN_MAX_LEN];
    size_t n = vcpu_fetch_code(v, code);
    const char *why = "instruction not in guest RAM";
    unsigned off = (unsigned)(gpa & (PAGE_SIZE - 1));
    if (!n || insn_decode_store(code, n, code_mode(), st, &why) || st->size != 4 || (off & 3)) {
        kprintf("\nerror: guest %s write at offset %#x by rip=%#llx: %s (the %s "
                "takes aligned 32-bit stores)\n",
                device, off, (unsigned long long)vcpu_rip(v),
                n ? (st->size != 4 ? "not a 32-bit store" : why) : why, device);
        *a = vcpu_stop_guest(v, "unsupported device register access");
        return false;
    }
    *val = (uint32_t)(st->is_imm ? st->imm : vcpu_get_gpr(v, st->reg));
    return true;
}

void mmio_store_done(struct vcpu *v, const struct mmio_store *st, uint32_t old)
{
    if (st->is_xchg)    /* the register gets the old value; the upper half is cleared */
        vcpu_set_gpr(v, st->reg, old);
    vmcs_writen(VMCS_GUEST_RIP, vcpu_rip(v) + st->len);
}

enum exit_action apic_mmio_write(struct vcpu *v, uint64_t gpa)
{
    struct mmio_store st;
    uint32_t val;
    enum exit_action a;
    unsigned off = (unsigned)(gpa & (PAGE_SIZE - 1));
    if (!mmio_store32_decode(v, gpa, "local APIC", &val, &st, &a))
        return a;
    apic_stats.mmio_writes++;
    uint32_t old = st.is_xchg ? *apic_reg(off) : 0;
    if (off == XAPIC_ICR_LOW)
        icr_write(v, val, *apic_reg(XAPIC_ICR_HIGH) >> 24, false);
    else
        *apic_reg(off) = val;
    mmio_store_done(v, &st, old);
    return EXIT_RESUME;
}
