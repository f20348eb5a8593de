/*
 * vcpu.c - the run loop of the vendor-neutral core (KVM's __vcpu_run /
 * vcpu_enter_guest / handle_exit for one guest, no scheduler): requests
 * and kicks, INIT and SIPI as the guest's, exit accounting and tracing,
 * `step`. The backend (virt, kernel/virt.h) enters the guest and fills in
 * each exit; the handlers are in kernel/exit.c, the console commands in
 * kernel/commands.c.
 */
#include "vcpu.h"

#include "console.h"
#include "dbg.h"
#include "event.h"
#include "gdb_stub.h"
#include "guest_walk.h"
#include "hv.h"
#include "kstring.h"
#include "mem.h"
#include "power.h"
#include "printk.h"
#include "trap.h"
#include "vserial.h"
#include "x86.h"
#include "x86_regs.h"
#include "../drivers/lapic.h"
#include "../drivers/tsc.h"

#define CONSOLE_EXITS 4096

struct virt_ops virt;
struct vcpu *vcpus[MAX_CPUS];
bool guest_exit_keeps_console;

static void host_nmi(struct trap_frame *f);
static void start_step(struct vcpu *v);
static void sleep_until_set(volatile uint32_t *word);

struct vcpu *vcpu_boot(void)
{
    return vcpus[0];
}

struct vcpu *vcpu_alloc(struct cpu *c)
{
    trap_nmi_hook = host_nmi;
    for (unsigned r = 0; r < VEXIT_MAX; r++)
        if (!exit_handlers[r])      /* vcpu_exit calls them unchecked */
            panic("vcpu: exit reason %u has no handler", r);
    struct vcpu *v = page_alloc((virt.vcpu_size + PAGE_SIZE - 1) / PAGE_SIZE);
    if (!v)
        return 0;
    v->id = c->index;
    v->apic_id = c->apic_id;
    v->cpu = c;
    v->boot = c->index == 0;
    vcpus[c->index] = v;
    return v;
}

/* About a millisecond and a second of TSC ticks (1 GHz when unknown). */
static uint64_t tsc_ms(uint64_t ms)
{
    return (tsc_khz() ? tsc_khz() : 1000000) * ms;
}

/* Force v's core out of the guest with an NMI, which exits (both backends
 * intercept NMIs); the handlers know it was ours from cpu->kick. A kick
 * that lands while the core is in the hypervisor is harmless: the core
 * looks at its requests before every entry, inside an entry window (the
 * backend's entry assembly), and before every HLT of sleep_until_set,
 * inside a sleep window. */
static void kick_cpu(struct cpu *c)
{
    if (c == this_cpu())
        return;
    __atomic_store_n(&c->kick, 1, __ATOMIC_SEQ_CST);
    lapic_send_ipi(c->apic_id, ICR_NMI | ICR_LEVEL_ASSERT);
}

static void kick(struct vcpu *v)
{
    kick_cpu(v->cpu);
}

extern char vcpu_sleep_window[], vcpu_sleep_hlt[];

/* An NMI taken in the hypervisor (kernel/trap.c). A kick needs nothing
 * more, unless it interrupted an entry window after the requests were
 * looked at: then the entry is abandoned. Any other NMI is the guest's:
 * a request, so that the entry about to happen (even one past its
 * window) comes back to vcpu_run, which delivers it. */
static void host_nmi(struct trap_frame *f)
{
    struct cpu *c = this_cpu();
    struct vcpu *v = vcpus[c->index];
    for (const uint64_t *w = virt.entry_windows; w < virt.entry_windows_end; w += 3)
        if (f->rip >= w[0] && f->rip <= w[1])
            f->rip = w[2];
    if (f->rip >= (uint64_t)vcpu_sleep_window && f->rip <= (uint64_t)vcpu_sleep_hlt)
        f->rip = (uint64_t)vcpu_sleep_hlt + 1;  /* skip the HLT (one byte) */
    if (__atomic_exchange_n(&c->kick, 0, __ATOMIC_SEQ_CST))
        return;
    if (v) {
        v->guest_nmis++;
        __atomic_or_fetch(&v->requests, VCPU_REQ_NMI, __ATOMIC_SEQ_CST);
    }
}
void vcpu_request(struct vcpu *v, uint32_t req)
{
    __atomic_or_fetch(&v->requests, req, __ATOMIC_SEQ_CST);
    kick(v);
}

void vcpu_request_all(uint32_t req)
{
    for (unsigned i = 0; i < MAX_CPUS; i++)
        if (vcpus[i])
            vcpu_request(vcpus[i], req);
}

/* Wait until v's core took the requests in mask, kicking it again every
 * millisecond. Requests to this very core are handled when the console
 * command returns, so there is nothing to wait for. */
static bool still_pending(struct vcpu *v, uint32_t mask)
{
    if (__atomic_load_n(&v->requests, __ATOMIC_SEQ_CST) & mask)
        return true;
    if ((mask & VCPU_REQ_CALL) && __atomic_load_n(&v->call_fn, __ATOMIC_SEQ_CST))
        return true;    /* taken, still running */
    return (mask & VCPU_REQ_OFF) && __atomic_load_n(&v->cpu->virt_on, __ATOMIC_SEQ_CST);
}

int vcpu_wait_requests(struct vcpu *v, uint32_t mask)
{
    if (v->cpu == this_cpu())
        return 0;
    uint64_t t0 = rdtsc(), last = t0;
    while (still_pending(v, mask)) {
        uint64_t now = rdtsc();
        if (now - t0 > tsc_ms(1000))
            return -1;
        if (now - last > tsc_ms(1)) {
            kick(v);
            last = now;
        }
        cpu_relax();
    }
    return 0;
}

int vcpu_call(struct vcpu *v, void (*fn)(struct vcpu *, void *), void *arg)
{
    if (v->cpu == this_cpu()) {
        fn(v, arg);
        return 0;
    }
    v->call_arg = arg;
    v->call_fn = fn;
    vcpu_request(v, VCPU_REQ_CALL);
    if (vcpu_wait_requests(v, VCPU_REQ_CALL) == 0)
        return 0;
    kprintf("error: cpu %u (apic_id=%u) did not answer within a second\n", v->id, v->apic_id);
    return -1;
}

void vcpu_off_all(void)
{
    struct cpu *me = this_cpu();
    for (unsigned i = 0; i < cpu_count; i++) {
        struct cpu *c = &cpus[i];
        if (c == me || !c->virt_on)
            continue;
        if (vcpus[i]) {
            vcpu_request(vcpus[i], VCPU_REQ_OFF);
        } else {
            __atomic_store_n(&c->off, 1, __ATOMIC_SEQ_CST);
            kick_cpu(c);
        }
    }
    /* Then wait (about a second) until each has left virtualization. */
    uint64_t t0 = rdtsc(), last = t0;
    for (unsigned i = 0; i < cpu_count; i++) {
        struct cpu *c = &cpus[i];
        while (c != me && __atomic_load_n(&c->virt_on, __ATOMIC_SEQ_CST) &&
               rdtsc() - t0 < tsc_ms(1000)) {
            if (rdtsc() - last > tsc_ms(1)) {
                kick_cpu(c);
                last = rdtsc();
            }
            cpu_relax();
        }
        if (c != me && c->virt_on)
            kprintf("error: cpu %u did not leave %s operation\n", i, virt.name);
    }
    virt.disable_cpu();
    unsigned off = 0;
    for (unsigned i = 0; i < cpu_count; i++)
        off += !__atomic_load_n(&cpus[i].virt_on, __ATOMIC_SEQ_CST);
    kprintf("%s.off cpus=%u of %u\n", virt.name, off, cpu_count);
}

_Noreturn void vcpu_park(struct cpu *c)
{
    while (!__atomic_load_n(&c->off, __ATOMIC_SEQ_CST))
        sleep_until_set(&c->off);
    virt.disable_cpu();
    halt_forever();
}

void vcpu_inject_exception(struct vcpu *v, unsigned vector, bool has_error, uint32_t error)
{
    /* The frame gets the guest's RFLAGS as they are: a fault's has RF set
     * (kernel/event.h), so that the handler's IRET does not retrigger an
     * instruction breakpoint on the faulting instruction. */
    if (exception_sets_rf(vector))
        virt.set_reg(v, VREG_RFLAGS, virt.get_reg(v, VREG_RFLAGS) | RFLAGS_RF);
    virt.inject(v, EVENT_VALID | EVENT_TYPE_EXCEPTION << 8 | (vector & 0xFF) |
                        (has_error ? EVENT_HAS_ERROR : 0),
                 error);
}

void vcpu_skip_debug(struct vcpu *v, uint64_t rflags)
{
    /* TF: the single-step trap of the instruction just completed for the
     * guest, which the CPU does not raise for an instruction that exited
     * (SDM Vol. 3A, 17.3.1.4; KVM's kvm_vcpu_do_singlestep does the same),
     * unless IA32_DEBUGCTL.BTF makes it a branch trap. RF: cleared, as by
     * any instruction that completes (17.3.1.1). */
    if ((rflags & RFLAGS_TF) && !(virt.get_reg(v, VREG_DEBUGCTL) & DEBUGCTL_BTF))
        virt.pending_debug(v, DR6_BS);
    if (rflags & RFLAGS_RF)
        virt.set_reg(v, VREG_RFLAGS, rflags & ~RFLAGS_RF);
}

void vcpu_io_breakpoints_slow(struct vcpu *v, uint16_t port, unsigned size)
{
    uint64_t dr[4] = { read_dr0(), read_dr1(), read_dr2(), read_dr3() };   /* the guest's */
    uint32_t hits = dbg_io_hits(virt.get_reg(v, VREG_DR7), dr, port, size);
    if (hits)
        virt.pending_debug(v, hits);
}

void vcpu_trace(struct vcpu *v, uint32_t reason, uint64_t qual)
{
    struct trace_entry *t = &v->trace[v->trace_count++ % TRACE_LEN];
    t->tsc = rdtsc();
    t->rip = vcpu_rip(v);
    t->qual = qual;
    t->reason = reason;
}

uint64_t vcpu_get_gpr(struct vcpu *v, unsigned n)
{
    struct guest_regs *r = &v->regs;
    switch (n & 15) {
    case 0: return r->rax;
    case 1: return r->rcx;
    case 2: return r->rdx;
    case 3: return r->rbx;
    case 4: return virt.get_reg(v, VREG_RSP);
    case 5: return r->rbp;
    case 6: return r->rsi;
    case 7: return r->rdi;
    case 8: return r->r8;
    case 9: return r->r9;
    case 10: return r->r10;
    case 11: return r->r11;
    case 12: return r->r12;
    case 13: return r->r13;
    case 14: return r->r14;
    default: return r->r15;
    }
}

void vcpu_set_gpr(struct vcpu *v, unsigned n, uint64_t val)
{
    struct guest_regs *r = &v->regs;
    switch (n & 15) {
    case 0: r->rax = val; break;
    case 1: r->rcx = val; break;
    case 2: r->rdx = val; break;
    case 3: r->rbx = val; break;
    case 4: virt.set_reg(v, VREG_RSP, val); break;
    case 5: r->rbp = val; break;
    case 6: r->rsi = val; break;
    case 7: r->rdi = val; break;
    case 8: r->r8 = val; break;
    case 9: r->r9 = val; break;
    case 10: r->r10 = val; break;
    case 11: r->r11 = val; break;
    case 12: r->r12 = val; break;
    case 13: r->r13 = val; break;
    case 14: r->r14 = val; break;
    default: r->r15 = val; break;
    }
}

enum exit_action vcpu_stop(struct vcpu *v, const char *why)
{
    v->state = VCPU_STOPPED;
    v->stop_reason = why;
    kprintf("guest.stopped cpu=%u reason=\"%s\" rip=%#llx exits=%llu\n", v->id, why,
            (unsigned long long)vcpu_rip(v), (unsigned long long)v->exits);
    kprintf("guest: stopped; the console stays: regs, stats, trace, reset\n");
    console_prompt();
    return EXIT_STOP;
}

enum exit_action vcpu_stop_guest(struct vcpu *v, const char *why)
{
    for (unsigned i = 0; i < MAX_CPUS; i++)
        if (vcpus[i] && vcpus[i] != v)
            vcpu_request(vcpus[i], VCPU_REQ_STOP);
    return vcpu_stop(v, why);
}

enum exit_action vcpu_guest_exit(struct vcpu *v, int status)
{
    kprintf("\nguest.exit status=%d exits=%llu\n", status, (unsigned long long)v->exits);
    v->exit_status = status;
    if (!guest_exit_keeps_console)
        power_off("guest exit", status);
    return vcpu_stop_guest(v, "guest exit");
}

void vcpu_dump(struct vcpu *v)
{
    virt.dump(v);
}

/* The guest reset: every other vCPU goes to the INIT state first (so that
 * none runs guest code while the image is reloaded), then the boot vCPU
 * reloads and starts. */
static void reset_vcpu(struct vcpu *v)
{
    if (v->boot) {
        for (unsigned i = 0; i < MAX_CPUS; i++) {
            struct vcpu *o = vcpus[i];
            if (o && o != v && vcpu_wait_requests(o, VCPU_REQ_RESET))
                kprintf("error: reset: cpu %u did not stop; reloading anyway\n", o->id);
        }
    }
    if (vcpu_start(v) == 0 && v->boot)
        kprintf("guest.reset count=%llu\n", (unsigned long long)v->resets);
}

void vcpu_apply_init(struct vcpu *v)
{
    v->inits++;
    if (v->boot) {
        /* The boot core would restart the firmware: for a guest of ours,
         * a reset of the guest. */
        kprintf("\nguest.init cpu=%u: INIT to the boot vCPU resets the guest\n", v->id);
        vcpu_request_all(VCPU_REQ_RESET);
        return;
    }
    virt.set_init_state(v);
}

/* A SIPI counts only while the vCPU waits for one (10.4.4: a second SIPI
 * finds the core running and is ignored, so is one without INIT). */
static void apply_sipi(struct vcpu *v)
{
    uint32_t s = __atomic_load_n(&v->sipi, __ATOMIC_SEQ_CST);
    if (v->mp_state != MP_WAIT_SIPI || !(s & SIPI_VALID))
        return;
    __atomic_store_n(&v->sipi, SIPI_TAKEN, __ATOMIC_SEQ_CST);
    v->sipis++;
    virt.start_at_sipi(v, (uint8_t)s);
}

static void service_requests(struct vcpu *v)
{
    uint32_t req = __atomic_exchange_n(&v->requests, 0, __ATOMIC_SEQ_CST);
    __atomic_store_n(&v->cpu->kick, 0, __ATOMIC_SEQ_CST);
    if (req & VCPU_REQ_OFF) {
        virt.disable_cpu();
        halt_forever();
    }
    if (req & VCPU_REQ_NMI)
        v->nmi_pending = true;
    if (req & VCPU_REQ_INTR)
        vserial_inject(v);
    if (req & VCPU_REQ_CALL) {
        void (*fn)(struct vcpu *, void *) = v->call_fn;
        if (fn)
            fn(v, v->call_arg);
        __atomic_store_n(&v->call_fn, 0, __ATOMIC_SEQ_CST);
    }
    if (req & VCPU_REQ_INIT)
        vcpu_apply_init(v);
    if (req & VCPU_REQ_SIPI)
        apply_sipi(v);
    if ((req & VCPU_REQ_STOP) && (v->state == VCPU_RUNNING || v->state == VCPU_PAUSED)) {
        v->state = VCPU_STOPPED;
        v->stop_reason = "another core stopped the guest";
    }
    if (req & VCPU_REQ_RESET)
        reset_vcpu(v);
    if ((req & VCPU_REQ_PAUSE) && v->state == VCPU_RUNNING)
        v->state = VCPU_PAUSED;
    if ((req & VCPU_REQ_RESUME) && v->state == VCPU_PAUSED)
        v->state = VCPU_RUNNING;
    if ((req & VCPU_REQ_STEP) && v->state == VCPU_PAUSED)
        start_step(v);
}

/* `step`: one guest instruction of a paused vCPU. The backend arranges
 * for an exit after it (virt.step_begin: the monitor trap flag, RFLAGS.TF
 * with #DB intercepted, or both); whichever exit comes first ends the step
 * (finish_step); an event the guest takes first (an interrupt) makes the
 * step end in its handler, as on hardware. */
static void start_step(struct vcpu *v)
{
    virt.step_begin(v);
    v->step_from = vcpu_rip(v);
    v->stepping = true;
    v->state = VCPU_RUNNING;
}

/* The end of a `step`: whatever exit came first, undo what start_step
 * set, pause again and show where the guest is now. */
static void finish_step(struct vcpu *v)
{
    virt.step_end(v);
    v->stepping = false;
    v->state = VCPU_PAUSED;
    if (gdb_step_done(v))
        return;         /* GDB's step: the stub reports it */
    uint64_t rip = vcpu_rip(v);
    uint8_t code[15];
    size_t n = vcpu_fetch_code(v, code);
    print_begin();
    kprintf("step cpu=%u rip_before=%#llx rip=%#llx reason=%s bytes=", v->id,
            (unsigned long long)v->step_from, (unsigned long long)rip, vexit_name(v->exit.reason));
    for (size_t i = 0; i < n; i++)
        kprintf("%02x", code[i]);
    kprintf("%s\n", n ? "" : "n/a");
    print_end();
    console_prompt();
}

static bool read_guest64(void *ctx, uint64_t gpa, uint64_t *val)
{
    (void)ctx;
    const uint64_t *p = guest_ptr(gpa, 8);
    if (!p)
        return false;
    *val = *p;
    return true;
}

void vcpu_print_gprs(const struct vcpu *v, uint64_t cr2)
{
    const struct guest_regs *r = &v->regs;
    kprintf("guest.rax=%#llx guest.rbx=%#llx guest.rcx=%#llx guest.rdx=%#llx\n"
            "guest.rsi=%#llx guest.rdi=%#llx guest.rbp=%#llx guest.cr2=%#llx\n"
            "guest.r8=%#llx guest.r9=%#llx guest.r10=%#llx guest.r11=%#llx\n"
            "guest.r12=%#llx guest.r13=%#llx guest.r14=%#llx guest.r15=%#llx\n",
            (unsigned long long)r->rax, (unsigned long long)r->rbx, (unsigned long long)r->rcx,
            (unsigned long long)r->rdx, (unsigned long long)r->rsi, (unsigned long long)r->rdi,
            (unsigned long long)r->rbp, (unsigned long long)cr2, (unsigned long long)r->r8,
            (unsigned long long)r->r9, (unsigned long long)r->r10, (unsigned long long)r->r11,
            (unsigned long long)r->r12, (unsigned long long)r->r13, (unsigned long long)r->r14,
            (unsigned long long)r->r15);
}

void vcpu_paging(struct vcpu *v, struct guest_paging *p)
{
    *p = (struct guest_paging){ virt.get_reg(v, VREG_CR0), virt.get_reg(v, VREG_CR3),
                                virt.get_reg(v, VREG_CR4), virt.get_reg(v, VREG_EFER) };
}

enum guest_walk_result vcpu_walk(const struct guest_paging *p, uint64_t linear, uint64_t *gpa)
{
    return guest_walk(p, linear, read_guest64, 0, gpa);
}

size_t vcpu_fetch_code(struct vcpu *v, uint8_t *buf)
{
    struct guest_paging p;
    vcpu_paging(v, &p);
    uint64_t lin = virt.get_reg(v, VREG_CS_BASE) + vcpu_rip(v);
    size_t n = 0;
    while (n < 15) {
        uint64_t gpa;
        if (vcpu_walk(&p, lin + n, &gpa) != GW_OK)
            break;
        size_t chunk = PAGE_SIZE - ((lin + n) & (PAGE_SIZE - 1));
        if (chunk > 15 - n)
            chunk = 15 - n;
        const uint8_t *src = guest_ptr(gpa, chunk);
        if (!src)
            break;
        memcpy(buf + n, src, chunk);
        n += chunk;
    }
    return n;
}

void vcpu_update_exceptions(struct vcpu *v)
{
    v->exception_bitmap = v->trap_exceptions | v->debug_exceptions;
    virt.set_exceptions(v, v->exception_bitmap);
}

/* XCR0 and IA32_XSS as a reset leaves them, on this core (SDM Vol. 3A,
 * 10.1.1, Table 10-1: XCR0 = 1; Vol. 4, IA32_XSS (DA0H) = 0): they are the
 * guest's while it runs (the hypervisor never changes them otherwise),
 * so a guest (re)start must not inherit an older XCR0. XSETBV needs
 * CR4.OSXSAVE, which the backend's enable_cpu sets whenever
 * CPUID.01H:ECX.XSAVE[26] is 1; IA32_XSS exists when
 * CPUID.(0DH,1):EAX.XSAVES[3] is 1 (SDM Vol. 2A, CPUID, Table 3-8). */
static void reset_xstate(void)
{
    if (!(cpuid(1, 0).ecx & (1u << 26)))
        return;
    __asm__ volatile("xsetbv" : : "c"(0), "a"(1), "d"(0));
    if (cpuid(0xD, 1).eax & (1u << 3))
        wrmsr(0xDA0, 0);
}

int vcpu_start(struct vcpu *v)
{
    reset_xstate();         /* a (re)start is a reset for XCR0 and IA32_XSS too */
    if (v->boot) {
        struct guest_start start;
        if (loader_load(&start)) {
            v->state = VCPU_NO_GUEST;
            console_prompt();
            return -1;
        }
        virt.set_start_state(v, &start);
        vserial_reset();        /* the machine's reset resets its UART */
        vserial_inject(v);      /* nothing waits now: closes an open interrupt window */
    } else {
        /* An AP: the INIT state, waiting for the guest's SIPI (the
         * backend sets what INIT leaves alone on a fresh vCPU). */
        virt.set_init_state(v);
    }
    v->exits = 0;
    memset(v->exit_count, 0, sizeof(v->exit_count));
    memset(v->stats, 0, sizeof(v->stats));
    v->trace_count = 0;
    v->inits = v->sipis = v->kicks = 0;
    rt_window_start(v);
    v->console_countdown = CONSOLE_EXITS;
    v->state = gdb_hold_at_start(v) ? VCPU_PAUSED : VCPU_RUNNING;
    v->resets++;
    return 0;
}

/* The console's core serves the console every CONSOLE_EXITS exits too
 * (the entry assembly counts console_countdown down on every exit and
 * leaves its fast path when it reaches 0): a poll timer that counts guest
 * time only sees little of a guest that exits all the time. */
static void console_countdown_expired(struct vcpu *v)
{
    v->console_countdown = CONSOLE_EXITS;
    if (v->console)
        console_poll();
}

int vcpu_exit(struct vcpu *v)
{
    uint64_t t0 = rdtsc();
    unsigned reason = v->exit.reason;
    if (__builtin_expect(!v->console_countdown, 0))
        console_countdown_expired(v);
    struct hist *s = &v->stats[reason];
    /* Kept in a register across the call: GCC would otherwise compute
     * the address again at each use below (Linux's OPTIMIZER_HIDE_VAR). */
    __asm__("" : "+r"(s));
    enum exit_action a = exit_handlers[reason](v);

    v->exit_count[reason]++;
    vcpu_trace_exit(v, t0);
    hist_add(s, rdtsc() - t0);
    if (__builtin_expect(vcpu_stepping_or_nmi(v), 0)) {
        if (v->stepping)
            finish_step(v);
        return 0;       /* (an NMI of the guest's: vcpu_run delivers it first) */
    }
    return a == EXIT_RESUME && v->state == VCPU_RUNNING && v->mp_state == MP_RUNNABLE;
}

/* HLT until *word is set (a request). The kick is an NMI, which wakes HLT; one
 * that lands after the look at the requests and before the HLT would be
 * lost, so host_nmi moves a RIP in that window past the HLT. */
__attribute__((noinline)) static void sleep_until_set(volatile uint32_t *word)
{
    __asm__ volatile(".globl vcpu_sleep_window\n\t"
                     ".globl vcpu_sleep_hlt\n"
                     "vcpu_sleep_window:\n\t"
                     "cmpl $0, %0\n\t"
                     "jne 1f\n"
                     "vcpu_sleep_hlt:\n\t"
                     "hlt\n"
                     "1:"
                     : : "m"(*word) : "memory");
}

/* Between requests: the console's core polls the UART; another core
 * sleeps until a request wakes it (a waiting AP, a paused guest). */
static void wait_for_request(struct vcpu *v)
{
    if (v->console) {
        console_poll();
        cpu_relax();
        return;
    }
    sleep_until_set(&v->requests);
}

_Noreturn void vcpu_run(struct vcpu *v)
{
    for (;;) {
        if (v->requests)
            service_requests(v);
        if (v->state != VCPU_RUNNING || v->mp_state == MP_WAIT_SIPI) {
            wait_for_request(v);
            continue;
        }
        if (v->nmi_pending)
            virt.deliver_nmi(v);
        /* Returns only for a stop, a request or a failed entry. */
        if (virt.run(v))
            vcpu_stop_guest(v, "VM entry failed");
    }
}

unsigned vcpu_count(void)
{
    unsigned n = 0;
    for (unsigned i = 0; i < MAX_CPUS; i++)
        n += vcpus[i] != 0;
    return n;
}
