/*
 * vapic.c - the guest's local APIC writes that send IPIs, so that INIT and
 * SIPI can be emulated exactly; see vapic.h. The decision is pure
 * (kernel/ipi.c), so is the decoding of the storing instruction
 * (kernel/insn_decode.c) and the guest page walk that finds it
 * (kernel/guest_walk.c).
 */
#include "vapic.h"

#include "insn_decode.h"
#include "iobus.h"
#include "ipi.h"
#include "kstring.h"
#include "loader.h"
#include "mem.h"
#include "printk.h"
#include "x86.h"
#include "x86_regs.h"
#include "../drivers/lapic.h"
#include "../ept/guest_ept.h"

static uint64_t page;

uint64_t apic_page(void)
{
    return page;
}

static enum exit_action apic_mmio_write(struct vcpu *v, uint64_t gpa);
static const struct mmio_device apic_dev = { .name = "lapic", .store = apic_mmio_write };

int apic_virt_init(void)
{
    page = rdmsr(MSR_IA32_APIC_BASE) & APIC_BASE_ADDR;
    mmio_register(page, &apic_dev);
    return guest_ept_map_page(page, EPT_READ);
}

void apic_virt_vcpu(struct vcpu *v)
{
    virt.intercept_msr(v, MSR_X2APIC_ICR, true);
    virt.intercept_msr(v, MSR_IA32_APIC_BASE, true);
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
    v->apic.icr_writes++;
    switch (d.action) {
    case IPI_PASS:
        v->apic.passed++;
        if (x2apic)
            wrmsr(MSR_X2APIC_ICR, ((uint64_t)dest << 32) | lo);
        else
            *apic_reg(XAPIC_ICR_LOW) = lo;      /* ICR high holds dest already */
        return;
    case IPI_IGNORE:
        v->apic.ignored++;
        return;
    case IPI_DROP:
        v->apic.dropped++;
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
            v->apic.inits++;
        } else {
            uint32_t none = 0;
            __atomic_compare_exchange_n(&t->sipi, &none, SIPI_VALID | d.vector, false,
                                        __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
            vcpu_request(t, VCPU_REQ_SIPI);
            v->apic.sipis++;
        }
    }
}

void apic_stats_sum(struct apic_stats *sum)
{
    *sum = (struct apic_stats){ 0 };
    for (unsigned i = 0; i < MAX_CPUS; i++) {
        const struct apic_stats *s = vcpus[i] ? &vcpus[i]->apic : 0;
        if (!s)
            continue;
        sum->mmio_writes += s->mmio_writes;
        sum->icr_writes += s->icr_writes;
        sum->passed += s->passed;
        sum->inits += s->inits;
        sum->sipis += s->sipis;
        sum->ignored += s->ignored;
        sum->dropped += s->dropped;
    }
}

bool apic_msr_watched(uint32_t msr)
{
    return msr == MSR_X2APIC_ICR || msr == MSR_IA32_APIC_BASE;
}

bool apic_msr_write(struct vcpu *v, uint32_t msr, uint64_t val, enum exit_action *a)
{
    if (msr == MSR_X2APIC_ICR) {
        /* Reserved bits and xAPIC mode fault as they would (12.12.9). */
        if (!(rdmsr(MSR_IA32_APIC_BASE) & APIC_BASE_X2APIC) || (val & ICR_X2APIC_RESERVED)) {
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

static enum exit_action apic_mmio_write(struct vcpu *v, uint64_t gpa)
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
            v->apic.dropped++;
            mmio_store_done(v, &st, 0);
            return EXIT_RESUME;
        }
        note_physical("guest APIC stores of another width than 32 bits: done on the APIC as written");
        mmio_store_physical(v, gpa, &st);
        return EXIT_RESUME;
    }
    v->apic.mmio_writes++;
    uint32_t old = st.is_xchg ? *apic_reg(off) : 0;
    if (off == XAPIC_ICR_LOW)
        icr_write(v, val, *apic_reg(XAPIC_ICR_HIGH) >> 24, false);
    else
        *apic_reg(off) = val;
    mmio_store_done(v, &st, old);
    return EXIT_RESUME;
}
