/*
 * timer.c - how many VM exits a real-time guest's own timer costs (issue
 * 19, "real-time partitions: zero exits"): the guest runs its local APIC
 * timer at hz interrupts a second, idles in HLT between them (HLT does
 * not exit by default), and counts its vCPU's exits over n interrupts
 * with HC_EXIT_STATS before and after. Each interrupt's handler does what
 * an OS's tick does: re-arms the timer for the next period's absolute
 * time (TSC-deadline: the last deadline plus a period; one-shot: the APIC
 * counts left until then, as a tickless kernel programs its clock event,
 * so that handler latency does not stretch the periods), raises and
 * lowers the task priority (TPR) and signals end of interrupt (EOI); with
 * selfipi=1 every 10th one also sends itself an IPI.
 *
 * Arguments: mode=xapic|x2apic|deadline  the APIC's registers as MMIO
 *                  (xAPIC, the default), as MSRs (x2APIC: IA32_APIC_BASE
 *                  bits 11 and 10 set, SDM Vol. 3A 12.12.1), or the timer
 *                  in TSC-deadline mode (IA32_TSC_DEADLINE, MSR 6E0H,
 *                  12.5.4.1) with the x2APIC for EOI and TPR where the CPU
 *                  has one, else the xAPIC;
 *            timer=oneshot|periodic  the LVT timer's mode in xapic and
 *                  x2apic modes (LVT timer bits 18:17: 00 one-shot, 01
 *                  periodic, 10 TSC-deadline; 12.5.4), default oneshot;
 *            hz=N  interrupts a second (default 1000);
 *            n=N   interrupts measured (default 1000);
 *            tpr=0 no TPR raise and lower in the handler (default on);
 *            selfipi=1  every 10th interrupt sends a self-IPI: the x2APIC
 *                  SELF IPI register (MSR 83FH, 12.12.11) in x2APIC mode,
 *                  else the ICR with the self shorthand (12.6.1);
 *            slack=P  the time check's tolerance in percent (default 10);
 *            tsc_mhz=N  TSC ticks per microsecond, instead of measuring.
 *
 * The TSC is calibrated against PIT channel 2 (sdk_tsc_calibrate), the
 * APIC timer (divide by 1) against the TSC over 10 ms; the 8259As are
 * masked (the firmware's PIT tick would arrive as vector 8). Ten
 * interrupts, polled with a time limit, prove the timer works and warm
 * the paths up; then the measured window, from arming the timer to the
 * n-th interrupt. It prints
 *
 *   timer mode=M timer=T hz=N interrupts=N tsc_seconds=S exits=N per_1000=N
 *   timer apic_stores=N selfipis=N spurious=N max_gap_us=N late=N
 *   timer exit reason=R count=N        (one per reason with exits)
 *
 * exits=n/a per_1000=n/a natively (no monovisor to ask: the native run is
 * the oracle that the timer really runs at hz); apic_stores counts the
 * guest's stores to the xAPIC page in the window (under monovisor each is
 * an exit today: the page is read-only in the second-level map, and
 * kernel/vapic.c decodes and does the store); max_gap_us is the longest
 * time between two interrupts and late the gaps over 1.5 periods (a tick
 * late, or in periodic mode lost); R is the VEXIT_* number of
 * kernel/hypercall_abi.h, the second HC_EXIT_STATS's own exit taken off.
 * Checks: tsc_seconds within slack of n/hz, every self-IPI taken. A CPU
 * without x2APIC (CPUID.1:ECX[21]) or TSC-deadline (CPUID.1:ECX[24]) for
 * the mode asked prints "timer mode=M unsupported: WHY" and exits with
 * status 77.
 */
#include "../sdk/sdk.h"

#include "../../kernel/fmt.h"
#include "../../kernel/kstring.h"

#define TIMER_VECTOR    0x40
#define SELFIPI_VECTOR  0x41
#define SPURIOUS_VECTOR 0xFF
#define UNSUPPORTED     77      /* exit status: the CPU lacks the mode */

/* xAPIC register offsets (SDM Vol. 3A, table 12-1); the x2APIC MSR of
 * each is 800H + offset / 16 (12.12.1.2). */
#define APIC_TPR        0x080
#define APIC_EOI        0x0B0
#define APIC_SVR        0x0F0
#define APIC_ICR_LO     0x300
#define APIC_LVT_TIMER  0x320
#define APIC_TIMER_INIT 0x380
#define APIC_TIMER_CUR  0x390
#define APIC_TIMER_DIV  0x3E0
#define X2APIC_MSR(off) (0x800u + ((off) >> 4))
#define X2APIC_SELF_IPI 0x83F

#define LVT_MASKED      (1u << 16)
#define LVT_ONESHOT     (0u << 17)
#define LVT_PERIODIC    (1u << 17)
#define LVT_DEADLINE    (2u << 17)
#define DIV_BY_1        0xB         /* divide configuration 1011b (12.5.4) */
#define ICR_SELF        (1u << 18)  /* destination shorthand 01b: self */

#define MSR_APIC_BASE    0x1B
#define APIC_BASE_EXTD   (1ull << 10)
#define APIC_BASE_EN     (1ull << 11)
#define APIC_BASE_ADDR   0xFFFFF000u
#define MSR_TSC_DEADLINE 0x6E0

#define CPUID1_EDX_APIC     (1u << 9)
#define CPUID1_ECX_X2APIC   (1u << 21)
#define CPUID1_ECX_DEADLINE (1u << 24)

enum mode { XAPIC, X2APIC, DEADLINE };
static const char *const mode_names[] = { "xapic", "x2apic", "deadline" };

static enum mode mode;
static bool x2;                 /* the APIC's registers are MSRs */
static bool periodic, tpr, selfipi;
static uint32_t apic_period;    /* APIC timer counts per interrupt */
static uint64_t tsc_period;     /* TSC ticks per interrupt */
static uint32_t apic_mult;      /* APIC counts per TSC tick, 16.16 fixed point */

/* The handlers' state. */
static volatile uint32_t count, target, selfipis, spurious, stores;
static volatile uint32_t late;         /* gaps over 1.5 periods: ticks lost or late */
static volatile uint64_t deadline, t_last, max_gap;

static inline void msr_write(uint32_t msr, uint64_t v)
{
    __asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)) : "memory");
}

static inline uint64_t msr_read(uint32_t msr)
{
    uint32_t lo, hi;
    __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    return ((uint64_t)hi << 32) | lo;
}

static uint32_t apic_rd(uint32_t off)
{
    return x2 ? (uint32_t)msr_read(X2APIC_MSR(off)) : sdk_apic_read(off);
}

/* A register write; stores counts those to the xAPIC page. */
static void apic_wr(uint32_t off, uint32_t v)
{
    if (x2) {
        msr_write(X2APIC_MSR(off), v);
    } else {
        sdk_apic_write(off, v);
        stores++;
    }
}

/* ---- the interrupt handlers ---------------------------------------------- */

/* The next period, at an absolute time as a tickless OS programs its
 * clock event: TSC-deadline writes it; one-shot converts what is left of
 * it into APIC counts (or the periods stretch by each handler's latency);
 * periodic needs nothing. */
static void arm_next(void)
{
    deadline += tsc_period;
    if (mode == DEADLINE) {
        msr_write(MSR_TSC_DEADLINE, deadline);
    } else if (!periodic) {
        int64_t left = (int64_t)(deadline - sdk_rdtsc());
        uint32_t counts = left >= (int64_t)tsc_period ? apic_period
                          : left > 0 ? (uint32_t)(((uint64_t)(uint32_t)left * apic_mult) >> 16) : 0;
        apic_wr(APIC_TIMER_INIT, counts ? counts : 1);
    }
}

/* The handlers' entries (sdk.h): registers saved, the C function, IRET. */
SDK_IRQ_STUB(timer_isr, timer_irq);
SDK_IRQ_STUB(selfipi_isr, selfipi_irq);
SDK_IRQ_STUB(spurious_isr, spurious_irq);

void timer_irq(void)
{
    uint32_t c = ++count;
    uint64_t now = sdk_rdtsc(), gap = now - t_last;
    t_last = now;
    if (gap > max_gap)
        max_gap = gap;
    if (2 * gap > 3 * tsc_period)
        late++;
    if (c < target)
        arm_next();
    if (tpr)
        apic_wr(APIC_TPR, 0x50);    /* above our vectors' class, as an OS masks */
    if (selfipi && c % 10 == 0) {
        if (x2)
            msr_write(X2APIC_SELF_IPI, SELFIPI_VECTOR);
        else
            apic_wr(APIC_ICR_LO, ICR_SELF | SELFIPI_VECTOR);
    }
    if (tpr)
        apic_wr(APIC_TPR, 0);
    apic_wr(APIC_EOI, 0);
}

void selfipi_irq(void)
{
    selfipis++;
    apic_wr(APIC_EOI, 0);
}

void spurious_irq(void)
{
    spurious++;                     /* no EOI for the spurious vector (12.9) */
}

/* ---- the timer ------------------------------------------------------------ */

/* Start the first period; returns the TSC at its start. */
static uint64_t arm_first(void)
{
    uint64_t t = sdk_rdtsc();
    deadline = t + tsc_period;
    if (mode == DEADLINE)
        msr_write(MSR_TSC_DEADLINE, deadline);
    else
        apic_wr(APIC_TIMER_INIT, apic_period);
    return t;
}

static void stop_timer(void)
{
    if (mode == DEADLINE)
        msr_write(MSR_TSC_DEADLINE, 0);     /* disarms (12.5.4.1) */
    else
        apic_wr(APIC_TIMER_INIT, 0);        /* stops it (12.5.4) */
    /* Take an interrupt already pending, with IF set for two instructions. */
    __asm__ volatile("sti; nop; nop; cli" : : : "memory");
}

/* The APIC timer's counts (divide by 1) in one period (tsc_period TSC
 * ticks), measured against the TSC over 10 ms. */
static uint32_t calibrate_apic(void)
{
    apic_wr(APIC_TIMER_DIV, DIV_BY_1);
    apic_wr(APIC_LVT_TIMER, LVT_MASKED | LVT_ONESHOT | TIMER_VECTOR);
    uint64_t t0 = sdk_rdtsc();
    apic_wr(APIC_TIMER_INIT, 0xFFFFFFFFu);
    while (sdk_rdtsc() - t0 < (uint64_t)sdk_tsc_mhz * 10000)
        ;
    uint32_t cur = apic_rd(APIC_TIMER_CUR);
    uint64_t t1 = sdk_rdtsc();
    apic_wr(APIC_TIMER_INIT, 0);
    uint64_t counts = 0xFFFFFFFFu - cur;
    return (uint32_t)(counts * tsc_period / (t1 - t0));
}

/* "unsupported" and exit when the CPU lacks what mode needs. */
static void need(bool have, const char *why)
{
    if (have)
        return;
    sdk_printf("timer mode=%s unsupported: %s\n", mode_names[mode], why);
    sdk_exit(UNSUPPORTED);
}

/* Run interrupts up to number want (count counts on from where it is):
 * in HLT, or with poll set spinning with interrupts on, up to limit TSC
 * ticks; false on time-out. */
static bool run_to(uint32_t want, bool poll, uint64_t limit)
{
    target = want;
    if (!poll) {
        while (count < want)
            __asm__ volatile("sti; hlt; cli" : : : "memory");
        return true;
    }
    uint64_t t0 = sdk_rdtsc();
    __asm__ volatile("sti" : : : "memory");
    while (count < want && sdk_rdtsc() - t0 <= limit)
        __asm__ volatile("pause" : : : "memory");
    __asm__ volatile("cli" : : : "memory");
    return count >= want;
}

int main(void)
{
    if (sdk_arg_is("mode", "x2apic"))
        mode = X2APIC;
    else if (sdk_arg_is("mode", "deadline"))
        mode = DEADLINE;
    else
        mode = XAPIC;
    periodic = mode != DEADLINE && sdk_arg_is("timer", "periodic");
    tpr = sdk_arg("tpr", 1) != 0;
    selfipi = sdk_arg("selfipi", 0) != 0;
    uint32_t hz = sdk_arg("hz", 1000), n = sdk_arg("n", 1000), slack = sdk_arg("slack", 10);
    if (!hz || hz > 100000)
        hz = 1000;
    if (!n)
        n = 1;

    struct sdk_cpuid id = sdk_cpuid(1, 0);
    need(id.edx & CPUID1_EDX_APIC, "no local APIC (CPUID.1:EDX[9]=0)");
    bool have_x2 = id.ecx & CPUID1_ECX_X2APIC;
    if (mode == X2APIC)
        need(have_x2, "no x2APIC (CPUID.1:ECX[21]=0)");
    if (mode == DEADLINE)
        need(id.ecx & CPUID1_ECX_DEADLINE, "no TSC-deadline timer (CPUID.1:ECX[24]=0)");

    const char *how = sdk_tsc_calibrate();
    tsc_period = (uint64_t)sdk_tsc_mhz * 1000000 / hz;
    sdk_set_irq_gate(TIMER_VECTOR, timer_isr);
    sdk_set_irq_gate(SELFIPI_VECTOR, selfipi_isr);
    sdk_set_irq_gate(SPURIOUS_VECTOR, spurious_isr);
    /* The 8259As off (OCW1, every IRQ masked): the firmware's PIT tick
     * (IRQ 0, vector 8 with the BIOS's base) is none of ours. */
    outb(0x21, 0xFF);
    outb(0xA1, 0xFF);

    /* Enabled in xAPIC mode at its address; then x2APIC mode if wanted
     * (xAPIC to x2APIC is a legal transition: 12.12.5). */
    uint64_t base;
    if (sdk_rdmsr(MSR_APIC_BASE, &base) >= 0) {
        sdk_printf("timer: IA32_APIC_BASE unreadable\n");
        return 1;
    }
    sdk_lapic_base = (uint32_t)base & APIC_BASE_ADDR;
    if (!(base & APIC_BASE_EN) && sdk_wrmsr(MSR_APIC_BASE, base | APIC_BASE_EN) >= 0) {
        sdk_printf("timer: cannot enable the APIC\n");
        return 1;
    }
    x2 = mode == X2APIC || (mode == DEADLINE && have_x2);
    if (x2 && sdk_wrmsr(MSR_APIC_BASE, base | APIC_BASE_EN | APIC_BASE_EXTD) >= 0) {
        sdk_printf("timer: cannot enter x2APIC mode\n");
        return 1;
    }
    uint32_t svr = apic_rd(APIC_SVR);
    if (!(svr & 0x100) || (svr & 0xFF) != SPURIOUS_VECTOR)
        apic_wr(APIC_SVR, 0x100 | SPURIOUS_VECTOR);    /* software enable (12.9) */
    apic_wr(APIC_TPR, 0);

    if (mode != DEADLINE) {
        apic_period = calibrate_apic();
        apic_mult = (uint32_t)(((uint64_t)apic_period << 16) / tsc_period);
    }
    sdk_printf("timer tsc_mhz=%u (%s) apic=%s tsc_period=%llu apic_period=%u\n", sdk_tsc_mhz, how,
               x2 ? "x2apic" : "xapic", (unsigned long long)tsc_period, apic_period);
    if (mode != DEADLINE && apic_period < 16) {
        sdk_printf("timer: APIC timer too slow or not counting (%u a period)\n", apic_period);
        return 1;
    }
    uint32_t lvt = mode == DEADLINE ? LVT_DEADLINE : periodic ? LVT_PERIODIC : LVT_ONESHOT;
    apic_wr(APIC_LVT_TIMER, lvt | TIMER_VECTOR);
    /* In xAPIC mode the LVT write and a later WRMSR of IA32_TSC_DEADLINE
     * are not ordered: MFENCE between them (12.5.4.1, as Linux does). */
    __asm__ volatile("mfence" : : : "memory");

    /* Warm-up: ten interrupts, polled, within 100 periods. */
    count = 0;
    arm_first();
    bool alive = run_to(10, true, 100 * tsc_period);
    stop_timer();
    sdk_checkf(alive, "warm-up: 10 timer interrupts within 100 periods (%u)", count);
    if (!alive) {
        sdk_printf("timer: LVT=%#x init=%u cur=%u TPR=%#x ISR[2]=%#x IRR[2]=%#x\n",
                   apic_rd(APIC_LVT_TIMER), apic_rd(APIC_TIMER_INIT), apic_rd(APIC_TIMER_CUR),
                   apic_rd(APIC_TPR), apic_rd(0x120), apic_rd(0x220));
        return (int)sdk_summary();
    }

    /* The measured window. */
    bool hv = sdk_hv_present();
    sdk_exit_stats_t before, after;
    count = 0;
    selfipis = 0;
    stores = 0;
    late = 0;
    max_gap = 0;
    if (hv)
        sdk_exit_stats(before);
    uint64_t t0 = arm_first();
    t_last = t0;
    run_to(n, false, 0);
    if (hv)
        sdk_exit_stats(after);
    uint32_t window_stores = stores, interrupts = count;
    uint64_t ticks = t_last - t0, expect = tsc_period * n;
    stop_timer();

    uint64_t second = (uint64_t)sdk_tsc_mhz * 1000000;
    uint32_t centis = (uint32_t)((ticks * 100 + second / 2) / second);
    char exits[24] = "n/a", per[24] = "n/a";
    if (hv) {
        after[0] -= 1;                          /* the second call's own exit */
        after[1 + VEXIT_HYPERCALL] -= 1;
        uint64_t total = after[0] - before[0];
        fmt_snprintf(exits, sizeof(exits), "%llu", (unsigned long long)total);
        fmt_snprintf(per, sizeof(per), "%llu", (unsigned long long)(total * 1000 / n));
    }
    sdk_printf("timer mode=%s timer=%s hz=%u interrupts=%u tsc_seconds=%u.%02u exits=%s per_1000=%s\n",
               mode_names[mode], mode == DEADLINE ? "deadline" : periodic ? "periodic" : "oneshot",
               hz, interrupts, centis / 100, centis % 100, exits, per);
    sdk_printf("timer apic_stores=%u selfipis=%u spurious=%u max_gap_us=%u late=%u\n", window_stores,
               selfipis, spurious, (uint32_t)(max_gap / sdk_tsc_mhz), late);
    if (hv)
        for (unsigned r = 0; r < HC_STATS_REASONS; r++)
            if (after[1 + r] != before[1 + r])
                sdk_printf("timer exit reason=%u count=%llu\n", r,
                           (unsigned long long)(after[1 + r] - before[1 + r]));

    uint64_t off = ticks > expect ? ticks - expect : expect - ticks;
    sdk_checkf(off * 100 <= expect * slack, "%u interrupts at %u Hz took %u.%02u s of TSC (within %u%%)",
               n, hz, centis / 100, centis % 100, slack);
    if (selfipi)
        sdk_checkf(selfipis == n / 10, "self-IPIs taken: %u of %u", selfipis, n / 10);
    return sdk_summary() ? 1 : 0;
}
