/*
 * apic.c - conformance: the local APIC (SDM Vol. 3A, chapter 12) as the
 * guest's own: IA32_APIC_BASE and the mode transitions it allows
 * (12.12.5), every xAPIC register read back after writes of the widths
 * software uses, the timer in one-shot, periodic and TSC-deadline modes,
 * EOI and the ISR, software disable, and the page at the APIC's address
 * while the APIC is globally disabled or in x2APIC mode (then it is no
 * APIC register file: a memset there goes where the bus takes it and the
 * guest runs on).
 */
#include "conf.h"

#define MSR_APIC_BASE 0x1B
#define BASE_BSP (1ull << 8)
#define BASE_EXTD (1ull << 10)
#define BASE_EN (1ull << 11)
#define MSR_TSC_DEADLINE 0x6E0

#define ID 0x020
#define VERSION 0x030
#define TPR 0x080
#define APR 0x090
#define PPR 0x0A0
#define EOI 0x0B0
#define LDR 0x0D0
#define DFR 0x0E0
#define SVR 0x0F0
#define ISR 0x100
#define TMR 0x180
#define IRR 0x200
#define ESR 0x280
#define LVT_CMCI 0x2F0
#define ICR_LO 0x300
#define ICR_HI 0x310
#define LVT_TIMER 0x320
#define LVT_THERMAL 0x330
#define LVT_PERF 0x340
#define LVT_LINT0 0x350
#define LVT_LINT1 0x360
#define LVT_ERROR 0x370
#define TMICT 0x380
#define TMCCT 0x390
#define TDCR 0x3E0

#define LVT_MASKED (1u << 16)
#define TIMER_PERIODIC (1u << 17)
#define TIMER_DEADLINE (2u << 17)
#define TIMER_VECTOR 0x60

static volatile uint8_t *page;

static uint32_t rd(unsigned reg) { return *(volatile uint32_t *)(page + reg); }
static void wr(unsigned reg, uint32_t v) { *(volatile uint32_t *)(page + reg) = v; }

static uint64_t wrmsr_checked(uint32_t msr, uint64_t v)
{
    return (uint64_t)(int64_t)sdk_wrmsr(msr, v);
}

/* ---- IA32_APIC_BASE ---- */

static void base_msr(void)
{
    uint64_t b = rdmsr(MSR_APIC_BASE);
    conf_eq(b & 0xFFFFF000ull, 0xFEE00000ull, "base.address");
    conf_eq(b & BASE_BSP, BASE_BSP, "base.bsp");
    conf_eq(b & (BASE_EN | BASE_EXTD), BASE_EN, "base.enabled_xapic");
    /* Reserved bits (0-7, 9, beyond MAXPHYADDR): #GP. */
    conf_eq(wrmsr_checked(MSR_APIC_BASE, b | 1), VEC_GP, "base.reserved_bit0.gp");
    conf_eq(wrmsr_checked(MSR_APIC_BASE, b | (1ull << 9)), VEC_GP, "base.reserved_bit9.gp");
    conf_eq(wrmsr_checked(MSR_APIC_BASE, b | (1ull << 63)), VEC_GP, "base.reserved_bit63.gp");
    /* Enabled xAPIC -> (EN=0, EXTD=1): an invalid state, #GP (12.12.5). */
    conf_eq(wrmsr_checked(MSR_APIC_BASE, (b & ~BASE_EN) | BASE_EXTD), VEC_GP, "base.invalid_state.gp");
    conf_eq(rdmsr(MSR_APIC_BASE), b, "base.unchanged");
    /* The ID register holds the initial APIC ID of CPUID.1:EBX[31:24]. */
    conf_eq(rd(ID) >> 24, sdk_cpuid(1, 0).ebx >> 24, "id.initial_apic_id");
}

/* ---- registers ---- */

struct reg_case {
    const char *name;
    unsigned reg;
    uint32_t write;
};

static void registers(void)
{
    conf_value(rd(VERSION), "version");
    conf_value(rd(SVR), "svr.initial");
    conf_value(rd(DFR), "dfr.initial");
    conf_value(rd(LVT_TIMER), "lvt_timer.initial");
    conf_value(rd(LVT_LINT0), "lvt_lint0.initial");
    conf_value(rd(LVT_LINT1), "lvt_lint1.initial");
    conf_value(rd(LVT_ERROR), "lvt_error.initial");
    conf_value(rd(TDCR), "tdcr.initial");
    /* Writes and what reads back: each register's own rules (12.4-12.6);
     * the value the native APIC shows is the reference. */
    static const struct reg_case cases[] = {
        { "tpr_ff", TPR, 0xFF }, { "tpr_1234", TPR, 0x1234 }, { "tpr_0", TPR, 0 },
        { "ldr", LDR, 0xA5000000 }, { "ldr_low_bits", LDR, 0x12345678 },
        { "dfr_cluster", DFR, 0x0FFFFFFF }, { "dfr_flat", DFR, 0xFFFFFFFF },
        { "svr_1ff", SVR, 0x1FF }, { "svr_10ff", SVR, 0x10FF }, { "svr_ffffffff", SVR, 0xFFFFFFFF },
        { "lvt_timer", LVT_TIMER, LVT_MASKED | TIMER_PERIODIC | 0x55 },
        { "lvt_timer_all", LVT_TIMER, 0xFFFFFFFF },
        { "lvt_lint0", LVT_LINT0, LVT_MASKED | 0x700 },
        { "lvt_lint1", LVT_LINT1, LVT_MASKED | 0x400 },
        { "lvt_error", LVT_ERROR, LVT_MASKED | 0xFE },
        { "lvt_perf", LVT_PERF, LVT_MASKED | 0x400 },
        { "lvt_thermal", LVT_THERMAL, LVT_MASKED | 0x33 },
        { "tdcr_b", TDCR, 0xB }, { "tdcr_ff", TDCR, 0xFF },
        { "icr_hi", ICR_HI, 0xAB000000 }, { "icr_hi_low_bits", ICR_HI, 0x00FFFFFF },
        { "id", ID, 0x0F000000 }, { "version_ro", VERSION, 0 }, { "ppr_ro", PPR, 0xFF },
        { "isr_ro", ISR, 0xFFFFFFFF }, { "irr_ro", IRR, 0xFFFFFFFF }, { "tmr_ro", TMR, 0xFFFFFFFF },
        { "tmcct_ro", TMCCT, 0x1234 }, { "apr", APR, 0x80 },
    };
    for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        uint32_t saved = rd(cases[i].reg);
        wr(cases[i].reg, cases[i].write);
        uint32_t got = rd(cases[i].reg);
        wr(cases[i].reg, saved);
        conf_value(got, "reg.%s.readback", cases[i].name);
        conf_eq(rd(cases[i].reg), saved, "reg.%s.restored", cases[i].name);
    }
    /* ESR: a write latches the errors seen since the last one (12.5.3). */
    wr(ESR, 0);
    conf_value(rd(ESR), "esr.after_write");
    /* Widths: the registers are 32 bits on 16-byte boundaries (12.4.1);
     * loads of less are what the model answers. Stores of other widths
     * are not architectural, and Bochs 2.7 stops the machine on one
     * ("APIC write with len=1": a panic), so none is made here. */
    wr(TPR, 0x30);
    conf_value(*(volatile uint8_t *)(page + TPR), "width.tpr_load8");
    conf_value(*(volatile uint16_t *)(page + TPR), "width.tpr_load16");
    conf_value(*(volatile uint8_t *)(page + VERSION + 2), "width.version_load8_byte2");
    wr(TPR, 0);
}

/* ---- the timer (12.5.4) ---- */

static volatile uint32_t timer_ticks;

static void timer_handler(struct sdk_frame *f)
{
    (void)f;
    timer_ticks++;
    wr(EOI, 0);
}

static bool wait_ticks(uint32_t n, uint32_t spins)
{
    for (uint32_t i = 0; i < spins && timer_ticks < n; i++)
        __asm__ volatile("sti; pause; cli");
    return timer_ticks >= n;
}

static void timer(void)
{
    sdk_set_handler(TIMER_VECTOR, timer_handler);
    wr(TDCR, 0xB);                          /* divide by 1 */
    /* One-shot: counts down to 0 once, one interrupt. */
    timer_ticks = 0;
    wr(LVT_TIMER, TIMER_VECTOR);
    wr(TMICT, 20000);
    uint32_t c1 = rd(TMCCT);
    conf_true(c1 > 0 && c1 <= 20000, "timer.oneshot.counting");
    conf_true(wait_ticks(1, 2000000), "timer.oneshot.fired");
    for (int i = 0; i < 20000; i++)
        __asm__ volatile("sti; pause; cli");
    conf_eq(timer_ticks, 1, "timer.oneshot.once");
    conf_eq(rd(TMCCT), 0, "timer.oneshot.count_zero");
    /* Periodic: reloads from TMICT. */
    timer_ticks = 0;
    wr(LVT_TIMER, TIMER_VECTOR | TIMER_PERIODIC);
    wr(TMICT, 20000);
    conf_true(wait_ticks(5, 4000000), "timer.periodic.five");
    wr(TMICT, 0);                           /* a zero count stops it */
    for (int i = 0; i < 20000; i++)         /* one may have been pending */
        __asm__ volatile("sti; pause; cli");
    uint32_t t = timer_ticks;
    for (int i = 0; i < 20000; i++)
        __asm__ volatile("sti; pause; cli");
    conf_eq(timer_ticks, t, "timer.periodic.stopped_by_zero");
    /* Masked: it counts, but no interrupt. */
    timer_ticks = 0;
    wr(LVT_TIMER, TIMER_VECTOR | LVT_MASKED);
    wr(TMICT, 2000);
    for (int i = 0; i < 20000; i++)
        __asm__ volatile("sti; pause; cli");
    conf_eq(timer_ticks, 0, "timer.masked.no_interrupt");
    conf_eq(rd(TMCCT), 0, "timer.masked.counted_down");
    /* TSC-deadline mode (12.5.4.1). */
    if (cpuid_bit(1, 0, ECX, 24)) {
        timer_ticks = 0;
        wr(LVT_TIMER, TIMER_VECTOR | TIMER_DEADLINE);
        conf_eq(rd(LVT_TIMER) & (3u << 17), TIMER_DEADLINE, "timer.deadline.mode");
        wrmsr(MSR_TSC_DEADLINE, sdk_rdtsc() + 20000);
        conf_true(wait_ticks(1, 2000000), "timer.deadline.fired");
        /* Zero once the deadline passed (12.5.4.1); Bochs 2.7 keeps it. */
        conf_true(rdmsr(MSR_TSC_DEADLINE) == 0, "timer.deadline.cleared_after");
        wrmsr(MSR_TSC_DEADLINE, 0);
        /* In deadline mode TMICT writes are ignored (12.5.4.1); Bochs 2.7
         * takes them. */
        wr(TMICT, 1000);
        conf_eq(rd(TMICT), 0, "timer.deadline.tmict_ignored");
        wr(TMICT, 0);
    } else {
        conf_skip("no TSC deadline", "timer.deadline.fired");
    }
    wr(LVT_TIMER, LVT_MASKED | TIMER_VECTOR);
    wr(TMICT, 0);
    sdk_set_handler(TIMER_VECTOR, 0);
}

/* ---- ISR, EOI and the processor priority ---- */

static volatile uint32_t isr_seen, ppr_seen;

static void isr_handler(struct sdk_frame *f)
{
    isr_seen = rd(ISR + (f->vector / 32) * 16) >> (f->vector % 32) & 1;
    ppr_seen = rd(PPR);
    wr(EOI, 0);
}

static void eoi(void)
{
    sdk_set_handler(0x71, isr_handler);
    isr_seen = ppr_seen = 0;
    wr(ICR_LO, 0x44000 | 0x71);             /* self, fixed */
    __asm__ volatile("sti; nop; cli");
    conf_eq(isr_seen, 1, "isr.set_in_handler");
    conf_eq(ppr_seen & 0xF0, 0x70, "ppr.class_in_handler");
    conf_eq(rd(ISR + (0x71 / 32) * 16) >> (0x71 % 32) & 1, 0, "isr.clear_after_eoi");
    conf_eq(rd(PPR), 0, "ppr.after_eoi");
    sdk_set_handler(0x71, 0);
}

/* ---- software disable (SVR bit 8; 12.4.7.2) ---- */

static void software_disable(void)
{
    uint32_t svr = rd(SVR);
    wr(LVT_LINT0, 0x700);                   /* ExtINT, unmasked */
    wr(SVR, svr & ~0x100u);
    conf_eq(rd(LVT_LINT0) & LVT_MASKED, LVT_MASKED, "swdisable.lvt_masked");
    wr(LVT_LINT0, 0x700);
    conf_eq(rd(LVT_LINT0) & LVT_MASKED, LVT_MASKED, "swdisable.lvt_stays_masked");
    wr(SVR, svr | 0x100);
    conf_eq(rd(LVT_LINT0) & LVT_MASKED, LVT_MASKED, "swenable.lvt_still_masked");
    wr(LVT_LINT0, LVT_MASKED | 0x700);
    wr(SVR, svr);
}

/* ---- the APIC page while it is no APIC ---- */

/* memset of the page: REP STOSQ, then 8-byte and byte MOVs (what a
 * compiler makes of it), all under sdk_catch. */
FAULT_FN(f_stosq, "push %rdi; mov %rdi, %rdx; mov $512, %ecx; mov $0x5a5a5a5a5a5a5a5a, %rax; cld",
         "rep stosq", "pop %rdi");
FAULT_FN(f_stosb_down, "push %rdi; lea 0xfff(%rdi), %rdi; mov $64, %ecx; mov $0x11, %al; std",
         "rep stosb", "cld; pop %rdi");
FAULT_FN(f_mov64, "mov $0x0123456789abcdef, %rax", "mov %rax, 0x20(%rdi)", "");
FAULT_FN(f_mov8, "", "movb $0x77, 0x31(%rdi)", "");
FAULT_FN(f_xchg32, "mov $0xcafe, %eax", "xchg %eax, 0x40(%rdi)", "mov %eax, 0x44(%rdi)");

static void page_stores(const char *state)
{
    void *p = (void *)page;
    conf_fault(f_stosq, p, CONF_NONE, -1, -1, "%s.memset_rep_stosq", state);
    conf_value(*(volatile uint64_t *)(page + 0x800), "%s.after_stosq_0x800", state);
    conf_fault(f_stosb_down, p, CONF_NONE, -1, -1, "%s.rep_stosb_down", state);
    conf_value(*(volatile uint8_t *)(page + 0xFC1), "%s.after_stosb_0xfc1", state);
    conf_fault(f_mov64, p, CONF_NONE, -1, -1, "%s.mov64", state);
    conf_value(*(volatile uint64_t *)(page + 0x20), "%s.after_mov64", state);
    conf_fault(f_mov8, p, CONF_NONE, -1, -1, "%s.mov8", state);
    conf_value(*(volatile uint8_t *)(page + 0x31), "%s.after_mov8", state);
    conf_fault(f_xchg32, p, CONF_NONE, -1, -1, "%s.xchg32", state);
    conf_value(*(volatile uint32_t *)(page + 0x44), "%s.xchg32_old", state);
}

/* The last part: the APIC stays disabled. Bochs 2.7 ignores every
 * IA32_APIC_BASE write once the APIC is disabled (as a P6 does: only a
 * reset enables it again, 12.4.3), so nothing after this uses it. */
static void global_disable(void)
{
    uint64_t b = rdmsr(MSR_APIC_BASE);
    conf_eq(wrmsr_checked(MSR_APIC_BASE, b & ~(BASE_EN | BASE_EXTD)), (uint64_t)CONF_NONE, "gdisable.wrmsr");
    conf_eq(rdmsr(MSR_APIC_BASE) & (BASE_EN | BASE_EXTD), 0, "gdisable.base");
    page_stores("gdisable");
    /* Disabled -> x2APIC directly: #GP (12.12.5, Figure 12-27). */
    if (cpuid_bit(1, 0, ECX, 21))
        conf_eq(wrmsr_checked(MSR_APIC_BASE, (b & ~BASE_EN) | BASE_EXTD), VEC_GP, "gdisable.to_extd_only.gp");
    conf_value((uint64_t)(int64_t)sdk_wrmsr(MSR_APIC_BASE, (b & ~BASE_EXTD) | BASE_EN), "genable.wrmsr");
    conf_value(rdmsr(MSR_APIC_BASE) & (BASE_EN | BASE_EXTD), "genable.base");
}

/* ---- x2APIC mode (12.12); left enabled for global_disable ---- */

static void x2apic(void)
{
    if (!cpuid_bit(1, 0, ECX, 21)) {
        conf_skip("no x2APIC", "x2apic.enable");
        return;
    }
    uint64_t b = rdmsr(MSR_APIC_BASE);
    uint32_t xid = rd(ID) >> 24;
    conf_eq(wrmsr_checked(MSR_APIC_BASE, b | BASE_EXTD), (uint64_t)CONF_NONE, "x2apic.enable");
    conf_eq(rdmsr(MSR_APIC_BASE) & (BASE_EN | BASE_EXTD), BASE_EN | BASE_EXTD, "x2apic.base");
    conf_eq(rdmsr(0x802), xid, "x2apic.id_msr");
    conf_value(rdmsr(0x803), "x2apic.version_msr");
    wrmsr(0x808, 0x40);
    conf_eq(rdmsr(0x808), 0x40, "x2apic.tpr_msr");
    conf_eq(read_cr8(), 4, "x2apic.cr8_is_tpr");
    wrmsr(0x808, 0);
    /* The page is no APIC in x2APIC mode (12.12.1.2). */
    page_stores("x2apic");
    /* x2APIC -> xAPIC directly: #GP (12.12.5). */
    conf_eq(wrmsr_checked(MSR_APIC_BASE, b), VEC_GP, "x2apic.to_xapic_directly.gp");
    conf_eq(rdmsr(MSR_APIC_BASE) & (BASE_EN | BASE_EXTD), BASE_EN | BASE_EXTD, "x2apic.still_x2apic");
}

int main(void)
{
    conf_begin("apic");
    if (!cpuid_bit(1, 0, EDX, 9)) {
        conf_skip("no local APIC", "apic.present");
        conf_done();
    }
    page = sdk_ptr(rdmsr(MSR_APIC_BASE) & 0xFFFFF000ull);
    sdk_lapic_base = sdk_phys(page);
    sdk_apic_enable();
    base_msr();
    registers();
    timer();
    eoi();
    software_disable();
    x2apic();
    global_disable();
    conf_done();
}
