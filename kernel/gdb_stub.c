/*
 * gdb_stub.c - the GDB remote stub; see gdb_stub.h. The wire and the
 * packets are kernel/gdb_rsp.c's, the register layout kernel/gdb_regs.c's,
 * the sharing of the debug registers kernel/dbg.c's: this file is what
 * acts on them (vCPUs, guest memory, intercepts).
 *
 * Concurrency: everything but the hit record runs on the console's core
 * (gdb_poll, gdb_feed). A vCPU's core that meets a breakpoint records the
 * hit under hit_lock, pauses itself and asks the others to pause; the
 * console's core sends the stop reply once every vCPU is paused. The
 * breakpoint tables change only while the guest is stopped (all-stop
 * mode: GDB inserts and removes them only then), so the vCPUs' lookups
 * need no lock.
 *
 * One file over 800 lines, on purpose: its parts (the wire, stopping and
 * resuming, registers, memory, breakpoints, the vCPUs' hooks, the
 * console command) all act on one state, the stub's struct and the hit
 * record, whose rules above hold only while one file owns them. What is
 * pure and separable already lives apart: the packets (gdb_rsp.c), the
 * register layout (gdb_regs.c), the debug-register sharing (dbg.c).
 */
#include "gdb_stub.h"

#include "console.h"
#include "fmt.h"
#include "dbg.h"
#include "event.h"
#include "gdb_regs.h"
#include "gdb_rsp.h"
#include "guest_walk.h"
#include "kstring.h"
#include "loader.h"
#include "printk.h"
#include "spinlock.h"
#include "tokenize.h"
#include "vcpu.h"
#include "x86.h"
#include "x86_regs.h"
#include "../drivers/tsc.h"

#define BP_VECTOR 3
#define DB_VECTOR 1
#define INT3 0xCC
#define SW_BREAKPOINTS 64
#define MEM_CHUNK 2048          /* the most an 'm' reply carries (its hex fills a packet) */

#define SIGINT 2
#define SIGTRAP 5

/* What stopped the guest, as the stop reply says it (GDB manual, E.3). */
enum stop_kind { STOP_SIGNAL, STOP_SWBREAK, STOP_HWBREAK, STOP_WATCH, STOP_AWATCH };

struct hit {
    bool valid;
    unsigned vcpu;
    unsigned signal;
    enum stop_kind kind;
    uint64_t addr;              /* STOP_WATCH, STOP_AWATCH: the watched address */
};

struct sw_breakpoint {
    bool used;
    uint64_t linear, gpa;
    uint8_t saved;              /* the guest's byte under the INT3 */
};

static struct {
    bool ready;
    bool on_console;            /* the console's wire (the mux's gdb mode), else wire */
    struct uart_wire wire;
    struct gdb_rx rx;
    bool no_ack;
    bool attached;              /* GDB spoke since the last detach */
    bool waiting;               /* resumed by c, s or vCont, or stopping: a stop reply owed */
    bool stopping;              /* the stub asked every vCPU to pause (Ctrl-C, '?') */
    unsigned stop_signal;       /* ... and the signal to report then */
    bool stopped;               /* the guest is stopped for GDB */
    struct hit last;            /* the stop reported last ('?') */
    int g_vcpu, c_vcpu;         /* Hg, Hc: a vCPU index, -1 for any */
    struct vcpu *stepping;      /* the vCPU an 's' steps */
    bool rf_on_resume;          /* the last stop was an instruction breakpoint of ours */
    enum gdb_arch arch;         /* as told in target.xml */
    bool arch_known;            /* ... since GDB attached (else: from the vCPU's mode) */
    struct sw_breakpoint sw[SW_BREAKPOINTS];
    unsigned sw_count;
    struct dr_share dr;         /* the stub's debug-register slots (its half of every vCPU's) */
    char reply[2 * GDB_PACKET_MAX + 8];     /* framed, kept for a '-' */
    size_t reply_len;
    uint8_t data[GDB_PACKET_MAX];           /* a command's decoded data */
    char payload[GDB_PACKET_MAX + 1];       /* a reply being built */
    uint64_t packets, bad_packets;
} stub;

static struct spinlock hit_lock;
static struct hit hit;          /* under hit_lock: the first stop of a vCPU since the resume */

/* ---- the wire ---- */

static void wire_put(const char *p, size_t n)
{
    if (stub.on_console) {
        print_begin();          /* a packet in one piece, whatever the other cores print */
        for (size_t i = 0; i < n; i++)
            uart_putc(p[i]);
        print_end();
        return;
    }
    for (size_t i = 0; i < n; i++)
        uart_wire_putc(&stub.wire, p[i]);
}

static void send(const char *payload, size_t len)
{
    stub.reply_len = gdb_frame(stub.reply, sizeof(stub.reply), (const uint8_t *)payload, len);
    wire_put(stub.reply, stub.reply_len);
}

static void send_str(const char *s)
{
    send(s, strlen(s));
}

/* An error reply: Enn with an errno value, as gdbserver's (E.2: "Enn"). */
#define E_FAULT "E0e"           /* EFAULT: memory not the guest's or not mapped */
#define E_INVAL "E16"           /* EINVAL: a malformed or impossible request */
#define E_BUSY  "E10"           /* EBUSY: the guest is running or no slot is free */
#define E_NODEV "E13"           /* ENODEV: no such vCPU */

/* ---- the vCPUs ---- */

static struct vcpu *vcpu_of(int index)
{
    if (index >= 0 && index < MAX_CPUS && vcpus[index])
        return vcpus[index];
    for (unsigned i = 0; i < MAX_CPUS; i++)
        if (vcpus[i])
            return vcpus[i];
    return 0;
}

/* A GDB thread id (the vCPU + 1; 0 any, -1 all) as a vCPU index, -1 for
 * any; -2 for none such. */
static int thread_vcpu(int64_t thread)
{
    if (thread == GDB_THREAD_ANY || thread == GDB_THREAD_ALL)
        return -1;
    if (thread < 1 || thread > MAX_CPUS || !vcpus[thread - 1])
        return -2;
    return (int)(thread - 1);
}

static bool all_paused(void)
{
    for (unsigned i = 0; i < MAX_CPUS; i++) {
        struct vcpu *v = vcpus[i];
        if (v && (v->state == VCPU_RUNNING ||
                  (__atomic_load_n(&v->requests, __ATOMIC_SEQ_CST) & (VCPU_REQ_STEP | VCPU_REQ_RESUME))))
            return false;
    }
    return true;
}

/* Every vCPU still running is asked to pause (the console's `pause`),
 * unless it has been asked already. */
static void pause_others(struct vcpu *self)
{
    for (unsigned i = 0; i < MAX_CPUS; i++) {
        struct vcpu *v = vcpus[i];
        if (v && v != self && v->state == VCPU_RUNNING &&
            !(__atomic_load_n(&v->requests, __ATOMIC_SEQ_CST) & VCPU_REQ_PAUSE))
            vcpu_request(v, VCPU_REQ_PAUSE);
    }
}

static bool guest_ended(void)
{
    for (unsigned i = 0; i < MAX_CPUS; i++)
        if (vcpus[i] && vcpus[i]->state != VCPU_STOPPED && vcpus[i]->state != VCPU_NO_GUEST)
            return false;
    return vcpu_boot() != 0;
}

/* Run fn on every vCPU's core, in turn (the changes to intercepts and
 * debug registers are made where the control block is current). */
static void on_every_vcpu(void (*fn)(struct vcpu *, void *), void *arg)
{
    for (unsigned i = 0; i < MAX_CPUS; i++)
        if (vcpus[i])
            vcpu_call(vcpus[i], fn, arg);
}

/* ---- registers ---- */

/* GDB's GPR order (rax, rbx, rcx, rdx, rsi, rdi, rbp, rsp, r8...) as the
 * instruction encoding numbers them (vcpu_get_gpr: rax, rcx, rdx, rbx,
 * rsp, rbp, rsi, rdi, r8...). */
static const uint8_t gpr_encoding[16] = { 0, 3, 1, 2, 6, 7, 5, 4, 8, 9, 10, 11, 12, 13, 14, 15 };
/* GDB's selector order (cs, ss, ds, es, fs, gs) as VREGs. */
static const enum vreg sel_vreg[6] = { VREG_CS_SEL, VREG_SS_SEL, VREG_DS_SEL,
                                       VREG_ES_SEL, VREG_FS_SEL, VREG_GS_SEL };

struct state_call {
    struct gdb_x86_state s;
    unsigned code_bits;
    struct guest_paging paging;
    int result;
};

static void read_state(struct vcpu *v, void *arg)
{
    struct state_call *c = arg;
    struct gdb_x86_state *s = &c->s;
    for (unsigned i = 0; i < 16; i++)
        s->gpr[i] = vcpu_get_gpr(v, gpr_encoding[i]);
    s->rip = vcpu_rip(v);
    s->rflags = virt.get_reg(v, VREG_RFLAGS);
    for (unsigned i = 0; i < 6; i++)
        s->sel[i] = (uint16_t)virt.get_reg(v, sel_vreg[i]);
    s->fs_base = virt.get_reg(v, VREG_FS_BASE);
    s->gs_base = virt.get_reg(v, VREG_GS_BASE);
    s->cr0 = virt.get_reg(v, VREG_CR0);
    s->cr2 = virt.get_reg(v, VREG_CR2);
    s->cr3 = virt.get_reg(v, VREG_CR3);
    s->cr4 = virt.get_reg(v, VREG_CR4);
    s->cr8 = read_cr8();        /* not switched on either backend: the guest's */
    s->efer = virt.get_reg(v, VREG_EFER);
    c->code_bits = virt.code_bits(v);
    vcpu_paging(v, &c->paging);
}

/* What GDB may change: the GPRs, RIP, RFLAGS and the FS/GS bases. The
 * selectors (without their descriptor caches) and the control registers
 * are read only: a write that changes one is refused whole. */
static void write_state(struct vcpu *v, void *arg)
{
    struct state_call *c = arg;
    struct state_call now;
    read_state(v, &now);
    const struct gdb_x86_state *s = &c->s, *o = &now.s;
    if (memcmp(s->sel, o->sel, sizeof(s->sel)) || s->cr0 != o->cr0 || s->cr2 != o->cr2 ||
        s->cr3 != o->cr3 || s->cr4 != o->cr4 || s->cr8 != o->cr8 || s->efer != o->efer) {
        c->result = -1;
        return;
    }
    for (unsigned i = 0; i < 16; i++)
        if (s->gpr[i] != o->gpr[i])
            vcpu_set_gpr(v, gpr_encoding[i], s->gpr[i]);
    if (s->rip != o->rip)
        virt.set_reg(v, VREG_RIP, s->rip);
    if (s->rflags != o->rflags)
        virt.set_reg(v, VREG_RFLAGS, s->rflags | RFLAGS_FIXED1);
    if (s->fs_base != o->fs_base)
        virt.set_reg(v, VREG_FS_BASE, s->fs_base);
    if (s->gs_base != o->gs_base)
        virt.set_reg(v, VREG_GS_BASE, s->gs_base);
    c->result = 0;
}

static int get_state(int index, struct state_call *c)
{
    struct vcpu *v = vcpu_of(index);
    if (!v || v->state == VCPU_NO_GUEST)
        return -1;
    return vcpu_call(v, read_state, c);
}

/* ---- memory ---- */

/* The guest RAM byte at a linear address of the paging in p, NULL when it
 * is not mapped or not guest RAM (the hypervisor's memory, devices). */
static uint8_t *guest_byte(const struct guest_paging *p, uint64_t linear, uint64_t *gpa_out)
{
    uint64_t gpa;
    if (vcpu_walk(p, linear, &gpa) != GW_OK)
        return 0;
    if (gpa_out)
        *gpa_out = gpa;
    return guest_ptr(gpa, 1);
}

static struct sw_breakpoint *sw_find(uint64_t linear)
{
    for (unsigned i = 0; i < SW_BREAKPOINTS; i++)
        if (stub.sw[i].used && stub.sw[i].linear == linear)
            return &stub.sw[i];
    return 0;
}

/* Copy [linear, linear + n) in or out, page by page; the INT3 bytes of
 * our breakpoints read as the guest's own, and a write there changes the
 * byte kept aside. All or nothing: every byte is checked first. */
static bool guest_copy(const struct guest_paging *p, uint64_t linear, uint8_t *buf, size_t n,
                       bool write)
{
    for (size_t i = 0; i < n; i++)
        if (!guest_byte(p, linear + i, 0))
            return false;
    for (size_t i = 0; i < n; i++) {
        uint8_t *b = guest_byte(p, linear + i, 0);
        struct sw_breakpoint *bp = stub.sw_count ? sw_find(linear + i) : 0;
        if (write && bp)
            bp->saved = buf[i];
        else if (write)
            *b = buf[i];
        else
            buf[i] = bp ? bp->saved : *b;
    }
    return true;
}

/* ---- intercepts: #BP while there are software breakpoints, #DB and
 * MOV DR while the stub holds debug registers ---- */

struct debug_setup {
    uint32_t exceptions;        /* the stub's: (1 << BP_VECTOR), (1 << DB_VECTOR) */
    bool dr_held;
    const struct dr_share *dr;  /* the stub's slots */
};

/* DR0-DR3 are the CPU's (the host never uses them), DR7 the backend's. */
static void load_debug_registers(struct vcpu *v, const uint64_t dr[4], uint64_t dr7)
{
    write_dr0(dr[0]);
    write_dr1(dr[1]);
    write_dr2(dr[2]);
    write_dr3(dr[3]);
    virt.set_reg(v, VREG_DR7, dr7);
}

/* The hardware's values for v's share. The guest's GD stays out: its MOV
 * DRs exit while the stub holds registers, and general detect is
 * emulated there (kernel/exit.c, handle_dr), from the guest's own DR7. */
static void compose(const struct vcpu *v, uint64_t dr[4], uint64_t *dr7)
{
    dr_compose(&v->dr_share, dr, dr7);
    *dr7 &= ~DR7_GD;
}

static void apply_debug_setup(struct vcpu *v, void *arg)
{
    const struct debug_setup *d = arg;
    if (d->dr_held && !v->dr_shared) {
        /* Taking the debug registers over: the guest's values go aside,
         * its MOVs to and from them exit from now on. */
        v->dr_share = (struct dr_share){ 0 };
        v->dr_share.guest_dr[0] = read_dr0();
        v->dr_share.guest_dr[1] = read_dr1();
        v->dr_share.guest_dr[2] = read_dr2();
        v->dr_share.guest_dr[3] = read_dr3();
        v->dr_share.guest_dr7 = virt.get_reg(v, VREG_DR7);
        v->dr_movdr_was_on = virt.trap_on(v, TRAP_MOVDR);
        virt.set_trap(v, TRAP_MOVDR, true);
        v->dr_shared = true;
    }
    if (v->dr_shared) {
        dr_share_take_stub(&v->dr_share, d->dr);
        uint64_t dr[4], dr7;
        compose(v, dr, &dr7);
        if (!d->dr_held) {
            /* Given back: the guest's own values, and its MOVs no longer exit
             * unless `trap movdr` had them exit before. */
            for (unsigned i = 0; i < 4; i++)
                dr[i] = v->dr_share.guest_dr[i];
            dr7 = v->dr_share.guest_dr7;
            virt.set_trap(v, TRAP_MOVDR, v->dr_movdr_was_on);
            v->dr_shared = false;
        }
        load_debug_registers(v, dr, dr7);
    }
    v->debug_exceptions = d->exceptions;
    vcpu_update_exceptions(v);
}

static void update_intercepts(void)
{
    struct debug_setup d = { 0, dr_stub_held(&stub.dr) != 0, &stub.dr };
    if (stub.sw_count)
        d.exceptions |= 1u << BP_VECTOR;
    if (d.dr_held)
        d.exceptions |= 1u << DB_VECTOR;
    on_every_vcpu(apply_debug_setup, &d);
}

bool gdb_holds_debug_registers(void)
{
    return dr_stub_held(&stub.dr) != 0;
}

void gdb_dr_access(struct vcpu *v, unsigned dr, bool from, uint64_t *val)
{
    struct dr_share *s = &v->dr_share;
    if (from) {
        *val = dr < 4 ? s->guest_dr[dr] : s->guest_dr7;
        return;
    }
    dr_guest_write(s, dr, *val);       /* (the stub's pieces move out of its slots) */
    uint64_t hw[4], dr7;
    compose(v, hw, &dr7);
    load_debug_registers(v, hw, dr7);
}

/* ---- breakpoints ---- */

static const char *insert_sw(const struct guest_paging *p, uint64_t linear)
{
    if (sw_find(linear))
        return "OK";            /* inserted already (GDB may send it twice) */
    uint64_t gpa;
    uint8_t *b = guest_byte(p, linear, &gpa);
    if (!b)
        return E_FAULT;
    for (unsigned i = 0; i < SW_BREAKPOINTS; i++) {
        struct sw_breakpoint *bp = &stub.sw[i];
        if (bp->used)
            continue;
        *bp = (struct sw_breakpoint){ true, linear, gpa, *b };
        *b = INT3;
        if (stub.sw_count++ == 0)
            update_intercepts();
        return "OK";
    }
    return E_BUSY;
}

static void drop_sw(struct sw_breakpoint *bp)
{
    uint8_t *b = guest_ptr(bp->gpa, 1);
    if (b && *b == INT3)        /* (the guest may have written over it since) */
        *b = bp->saved;
    bp->used = false;
    stub.sw_count--;
}

static const char *remove_sw(uint64_t linear)
{
    struct sw_breakpoint *bp = sw_find(linear);
    if (!bp)
        return E_INVAL;
    drop_sw(bp);
    if (!stub.sw_count)
        update_intercepts();
    return "OK";
}

static void read_guest_dr7(struct vcpu *v, void *arg)
{
    *(uint64_t *)arg |= v->dr_shared ? v->dr_share.guest_dr7 : virt.get_reg(v, VREG_DR7);
}

static const char *change_hw(unsigned type, uint64_t addr, uint64_t len, bool insert)
{
    /* The slots any vCPU's guest enables are never taken (kernel/dbg.h). */
    uint64_t dr7 = 0;
    on_every_vcpu(read_guest_dr7, &dr7);
    dr_guest_write(&stub.dr, 7, dr7);
    int r = insert ? dr_stub_insert(&stub.dr, type, addr, len) : dr_stub_remove(&stub.dr, type, addr, len);
    if (r == DR_ERR_TYPE)
        return "";              /* read watchpoints: x86 has none (GDB then says so) */
    if (r == DR_ERR_FULL)
        return E_BUSY;
    if (r < 0)
        return E_INVAL;
    update_intercepts();
    return "OK";
}

/* Everything the stub put in the guest, taken out (detach, kill). */
static void remove_all(void)
{
    for (unsigned i = 0; i < SW_BREAKPOINTS; i++)
        if (stub.sw[i].used)
            drop_sw(&stub.sw[i]);
    stub.dr = (struct dr_share){ 0 };
    update_intercepts();
}

/* ---- on a vCPU's core ---- */

/* The first stop since the resume wins; later ones are not lost: their
 * vCPU stays at the instruction, which runs again on the next resume. */
static void record_hit(struct vcpu *v, unsigned signal, enum stop_kind kind, uint64_t addr)
{
    spin_lock(&hit_lock);
    if (!hit.valid)
        hit = (struct hit){ true, v->id, signal, kind, addr };
    spin_unlock(&hit_lock);
    v->state = VCPU_PAUSED;
    pause_others(v);
}

static uint64_t linear_rip(struct vcpu *v)
{
    return virt.get_reg(v, VREG_CS_BASE) + vcpu_rip(v);
}

bool gdb_exception(struct vcpu *v, uint64_t *dr6)
{
    const struct vexit_info *e = &v->exit;
    unsigned vector = EVENT_VECTOR(e->exc.event);
    if (vector == BP_VECTOR && (v->debug_exceptions & (1u << BP_VECTOR))) {
        /* RIP is at the INT3 (both backends). One of ours: stop there.
         * Not an INT3 any more (removed since it ran): run the guest's
         * byte. Else the guest's own INT3: reflected. */
        uint64_t lin = linear_rip(v);
        struct guest_paging p;
        vcpu_paging(v, &p);
        const uint8_t *b = guest_byte(&p, lin, 0);
        if (b && *b == INT3 && sw_find(lin)) {
            record_hit(v, SIGTRAP, STOP_SWBREAK, 0);
            return true;
        }
        return b && *b != INT3;
    }
    if (vector == DB_VECTOR && v->dr_shared) {
        uint64_t bits = e->exc.dr6;
        unsigned type;
        uint64_t addr;
        *dr6 = dr_guest_dr6(&v->dr_share, bits);
        if (!dr_stub_hit(&v->dr_share, bits, &type, &addr))
            return false;
        if (dr_guest_hits(&v->dr_share, bits) || (bits & (DR6_BS | DR6_BD))) {
            /* The guest's #DB too (its own breakpoint, its TF): delivered
             * as well, before the handler's first instruction, where the
             * vCPU stops for GDB (a data breakpoint is a trap and would not
             * fire again; SDM Vol. 3B, 17.3.1.2). */
            virt.set_reg(v, VREG_DR6, (virt.get_reg(v, VREG_DR6) & ~DR6_B0_B3) | *dr6);
            virt.inject(v, e->exc.event, e->exc.error);
        }
        record_hit(v, SIGTRAP, type == 1 ? STOP_HWBREAK : type == 2 ? STOP_WATCH : STOP_AWATCH, addr);
        return true;
    }
    return false;
}

bool gdb_step_done(struct vcpu *v)
{
    if (stub.stepping != v)
        return false;
    stub.stepping = 0;
    spin_lock(&hit_lock);
    if (!hit.valid)
        hit = (struct hit){ true, v->id, SIGTRAP, STOP_SIGNAL, 0 };
    spin_unlock(&hit_lock);
    return true;
}

/* ---- stop replies ---- */

static void send_stop(const struct hit *h)
{
    static const char *const names[] = { [STOP_SWBREAK] = "swbreak:;", [STOP_HWBREAK] = "hwbreak:;" };
    int n = fmt_snprintf(stub.payload, sizeof(stub.payload), "T%02xthread:%x;", h->signal, h->vcpu + 1);
    if (h->kind == STOP_WATCH || h->kind == STOP_AWATCH)
        fmt_snprintf(stub.payload + n, sizeof(stub.payload) - n, "%swatch:%llx;",
                     h->kind == STOP_AWATCH ? "a" : "", (unsigned long long)h->addr);
    else if (h->kind != STOP_SIGNAL)
        fmt_snprintf(stub.payload + n, sizeof(stub.payload) - n, "%s", names[h->kind]);
    send_str(stub.payload);
}

/* The guest stopped as GDB asked or at a breakpoint: say so once every
 * vCPU is paused. */
static void check_stop(void)
{
    if (!stub.waiting)
        return;
    if (guest_ended()) {
        struct vcpu *b = vcpu_boot();
        fmt_snprintf(stub.payload, sizeof(stub.payload), "W%02x", (unsigned)b->exit_status & 0xFF);
        send_str(stub.payload);
        stub.waiting = stub.stopped = stub.attached = false;
        return;
    }
    spin_lock(&hit_lock);
    bool have = hit.valid || stub.stopping;
    spin_unlock(&hit_lock);
    if (!have)
        return;
    /* Requests are a set, not a sequence: a vCPU that had not yet taken
     * the resume when a hit asked it to pause takes both at once and runs
     * on. Asked again until every vCPU is paused. */
    pause_others(0);
    if (!all_paused())
        return;
    spin_lock(&hit_lock);
    struct hit h = hit;
    hit.valid = false;
    spin_unlock(&hit_lock);
    if (!h.valid) {
        struct vcpu *v = vcpu_of(stub.c_vcpu);
        h = (struct hit){ true, v ? v->id : 0, stub.stop_signal, STOP_SIGNAL, 0 };
    }
    stub.waiting = stub.stopping = false;
    stub.stopped = true;
    stub.last = h;
    stub.g_vcpu = stub.c_vcpu = (int)h.vcpu;
    stub.rf_on_resume = h.kind == STOP_HWBREAK;
    send_stop(&h);
}

/* Stop the guest for GDB (Ctrl-C, an attach to a running guest). */
static void stop_guest(unsigned signal)
{
    stub.stop_signal = signal;
    stub.stopping = true;
    stub.waiting = true;
    pause_others(0);
    check_stop();
}

/* ---- resuming ---- */

static void set_rf(struct vcpu *v, void *arg)
{
    (void)arg;
    virt.set_reg(v, VREG_RFLAGS, virt.get_reg(v, VREG_RFLAGS) | RFLAGS_RF);
}

struct rip_call {
    uint64_t rip;
};

static void set_rip(struct vcpu *v, void *arg)
{
    virt.set_reg(v, VREG_RIP, ((struct rip_call *)arg)->rip);
}

/* An instruction breakpoint of ours that stopped a vCPU would fire again
 * at once: RF set for it lets the instruction run (SDM Vol. 3A, 17.3.1.1). */
static void prepare_resume(void)
{
    if (stub.rf_on_resume) {
        struct vcpu *v = vcpu_of((int)stub.last.vcpu);
        if (v)
            vcpu_call(v, set_rf, 0);
        stub.rf_on_resume = false;
    }
    spin_lock(&hit_lock);
    hit.valid = false;
    spin_unlock(&hit_lock);
    stub.stopped = false;
    stub.waiting = true;
}

static void resume_all(void)
{
    prepare_resume();
    for (unsigned i = 0; i < MAX_CPUS; i++)
        if (vcpus[i] && vcpus[i]->state == VCPU_PAUSED)
            vcpu_request(vcpus[i], VCPU_REQ_RESUME);
}

static void step_one(int index)
{
    struct vcpu *v = vcpu_of(index < 0 ? (int)stub.last.vcpu : index);
    if (!v || v->state != VCPU_PAUSED) {
        send_str(E_BUSY);
        return;
    }
    prepare_resume();
    stub.stepping = v;
    vcpu_request(v, VCPU_REQ_STEP);
}

/* ---- commands ---- */

static void reply_registers(const struct gdb_cmd *cmd)
{
    struct state_call c;
    if (get_state(stub.g_vcpu, &c)) {
        send_str(E_NODEV);
        return;
    }
    size_t n;
    if (!stub.arch_known) {
        /* A client that never asked for target.xml: the vCPU's mode decides. */
        stub.arch = c.code_bits == 64 ? GDB_ARCH_AMD64 : GDB_ARCH_I386;
        stub.arch_known = true;
    }
    if (cmd->kind == GDB_CMD_READ_REGS)
        n = gdb_read_regs(stub.arch, &c.s, stub.payload);
    else if (!(n = gdb_read_reg(stub.arch, &c.s, cmd->reg, stub.payload))) {
        send_str(E_INVAL);
        return;
    }
    send(stub.payload, n);
}

static void write_registers(const struct gdb_cmd *cmd)
{
    struct state_call c;
    struct vcpu *v = vcpu_of(stub.g_vcpu);
    if (get_state(stub.g_vcpu, &c)) {
        send_str(E_NODEV);
        return;
    }
    bool ok = cmd->kind == GDB_CMD_WRITE_REGS
                  ? gdb_write_regs(stub.arch, &c.s, cmd->data, cmd->data_len)
                  : gdb_write_reg(stub.arch, &c.s, cmd->reg, cmd->data, cmd->data_len);
    if (!ok) {
        send_str(E_INVAL);
        return;
    }
    c.result = -1;
    vcpu_call(v, write_state, &c);
    send_str(c.result ? E_INVAL : "OK");
}

static void memory(const struct gdb_cmd *cmd)
{
    struct state_call c;
    if (get_state(stub.g_vcpu, &c)) {
        send_str(E_NODEV);
        return;
    }
    if (cmd->kind == GDB_CMD_WRITE_MEM) {
        send_str(guest_copy(&c.paging, cmd->addr, (uint8_t *)cmd->data, cmd->data_len, true)
                     ? "OK" : E_FAULT);
        return;
    }
    uint8_t buf[MEM_CHUNK];
    size_t n = cmd->length < MEM_CHUNK ? (size_t)cmd->length : MEM_CHUNK;
    if (!guest_copy(&c.paging, cmd->addr, buf, n, false)) {
        send_str(E_FAULT);
        return;
    }
    send(stub.payload, gdb_hex(stub.payload, buf, n));
}

static void breakpoint(const struct gdb_cmd *cmd)
{
    bool insert = cmd->kind == GDB_CMD_INSERT_BP;
    if (cmd->type != 0) {
        send_str(change_hw(cmd->type, cmd->addr, cmd->bp_kind, insert));
        return;
    }
    if (!insert) {
        send_str(remove_sw(cmd->addr));
        return;
    }
    struct state_call c;
    if (get_state(stub.g_vcpu, &c)) {
        send_str(E_NODEV);
        return;
    }
    send_str(insert_sw(&c.paging, cmd->addr));
}

static void features(const struct gdb_cmd *cmd)
{
    static char xml[8192];
    if (strcmp(cmd->annex, "target.xml")) {
        send_str("E00");
        return;
    }
    /* The architecture of the vCPU GDB looks at when it asks (it asks once,
     * on connecting): i386 for a guest in real or protected mode. */
    struct state_call c;
    if (get_state(stub.g_vcpu, &c) == 0)
        stub.arch = c.code_bits == 64 ? GDB_ARCH_AMD64 : GDB_ARCH_I386;
    stub.arch_known = true;
    size_t len = gdb_target_xml(stub.arch, xml, sizeof(xml));
    size_t off = cmd->addr < len ? (size_t)cmd->addr : len;
    size_t n = len - off;
    size_t max = cmd->length < GDB_PACKET_MAX - 1 ? (size_t)cmd->length : GDB_PACKET_MAX - 1;
    if (n > max)
        n = max;
    stub.payload[0] = off + n < len ? 'm' : 'l';
    memcpy(stub.payload + 1, xml + off, n);
    send(stub.payload, n + 1);
}

static void thread_list(void)
{
    size_t n = 0;
    stub.payload[n++] = 'm';
    for (unsigned i = 0; i < MAX_CPUS; i++)
        if (vcpus[i])
            n += (size_t)fmt_snprintf(stub.payload + n, sizeof(stub.payload) - n, "%s%x",
                                      n > 1 ? "," : "", i + 1);
    send(stub.payload, n);
}

static void detach(void)
{
    remove_all();
    stub.attached = stub.no_ack = stub.arch_known = false;
    stub.stepping = 0;
    if (stub.stopped || stub.waiting)
        resume_all();
    stub.waiting = stub.stopped = stub.stopping = false;
    if (stub.on_console)
        console_gdb_detached();
}

static void vcont(const struct gdb_cmd *cmd)
{
    for (unsigned i = 0; i < cmd->nactions; i++) {
        if (cmd->actions[i].action == 's') {
            int t = thread_vcpu(cmd->actions[i].thread);
            step_one(t >= 0 ? t : stub.c_vcpu);
            return;
        }
    }
    for (unsigned i = 0; i < cmd->nactions; i++) {
        if (cmd->actions[i].action == 'c') {
            resume_all();
            return;
        }
    }
    send_str("OK");     /* only 't': the guest is stopped already */
}

static void command(const uint8_t *payload, size_t len)
{
    struct gdb_cmd cmd;
    gdb_parse(payload, len, stub.data, sizeof(stub.data), &cmd);
    stub.packets++;
    stub.attached = true;
    bool needs_stop = cmd.kind == GDB_CMD_READ_REGS || cmd.kind == GDB_CMD_WRITE_REGS ||
                      cmd.kind == GDB_CMD_READ_REG || cmd.kind == GDB_CMD_WRITE_REG ||
                      cmd.kind == GDB_CMD_READ_MEM || cmd.kind == GDB_CMD_WRITE_MEM ||
                      cmd.kind == GDB_CMD_INSERT_BP || cmd.kind == GDB_CMD_REMOVE_BP ||
                      cmd.kind == GDB_CMD_CONTINUE || cmd.kind == GDB_CMD_STEP ||
                      cmd.kind == GDB_CMD_VCONT;
    if (needs_stop && !stub.stopped) {
        send_str(E_BUSY);
        return;
    }
    switch (cmd.kind) {
    case GDB_CMD_UNKNOWN:
        send_str("");
        return;
    case GDB_CMD_BAD:
        stub.bad_packets++;
        send_str(E_INVAL);
        return;
    case GDB_CMD_SUPPORTED:
        fmt_snprintf(stub.payload, sizeof(stub.payload),
                     "PacketSize=%x;qXfer:features:read+;swbreak+;hwbreak+;QStartNoAckMode+;"
                     "vContSupported+", GDB_PACKET_MAX);
        send_str(stub.payload);
        return;
    case GDB_CMD_NO_ACK_MODE:
        send_str("OK");
        stub.no_ack = true;     /* after the OK, which is still acknowledged */
        return;
    case GDB_CMD_HALT_REASON:
        if (stub.stopped)
            send_stop(&stub.last);
        else if (!stub.waiting)
            stop_guest(SIGTRAP);    /* GDB attaches to a running guest: it stops */
        return;
    case GDB_CMD_ATTACHED:
        send_str("1");          /* attached to a guest that was there: detach leaves it running */
        return;
    case GDB_CMD_CURRENT_THREAD:
        fmt_snprintf(stub.payload, sizeof(stub.payload), "QC%x",
                     (vcpu_of(stub.g_vcpu) ? vcpu_of(stub.g_vcpu)->id : 0) + 1);
        send_str(stub.payload);
        return;
    case GDB_CMD_THREAD_FIRST:
        thread_list();
        return;
    case GDB_CMD_THREAD_NEXT:
        send_str("l");
        return;
    case GDB_CMD_THREAD_ALIVE:
        send_str(thread_vcpu(cmd.thread) >= 0 ? "OK" : E_NODEV);
        return;
    case GDB_CMD_SET_THREAD: {
        int t = thread_vcpu(cmd.thread);
        if (t == -2) {
            send_str(E_NODEV);
            return;
        }
        if (cmd.op == 'g')
            stub.g_vcpu = t;
        else
            stub.c_vcpu = t;
        send_str("OK");
        return;
    }
    case GDB_CMD_XFER_FEATURES:
        features(&cmd);
        return;
    case GDB_CMD_READ_REGS:
    case GDB_CMD_READ_REG:
        reply_registers(&cmd);
        return;
    case GDB_CMD_WRITE_REGS:
    case GDB_CMD_WRITE_REG:
        write_registers(&cmd);
        return;
    case GDB_CMD_READ_MEM:
    case GDB_CMD_WRITE_MEM:
        memory(&cmd);
        return;
    case GDB_CMD_INSERT_BP:
    case GDB_CMD_REMOVE_BP:
        breakpoint(&cmd);
        return;
    case GDB_CMD_CONTINUE:
    case GDB_CMD_STEP:
        if (cmd.has_addr) {
            struct rip_call r = { cmd.addr };
            struct vcpu *v = vcpu_of(stub.c_vcpu);
            if (v)
                vcpu_call(v, set_rip, &r);
        }
        if (cmd.kind == GDB_CMD_STEP)
            step_one(stub.c_vcpu);
        else
            resume_all();
        return;
    case GDB_CMD_VCONT_QUERY:
        send_str("vCont;c;C;s;S;t");
        return;
    case GDB_CMD_VCONT:
        vcont(&cmd);
        return;
    case GDB_CMD_DETACH:
        send_str("OK");
        detach();
        return;
    case GDB_CMD_KILL:
        /* The guest is not GDB's to end: a kill leaves it running, as a
         * detach does (GDB expects no reply). */
        detach();
        return;
    }
}

void gdb_feed(uint8_t byte)
{
    if (!stub.ready)
        return;
    switch (gdb_rx_feed(&stub.rx, byte)) {
    case GDB_RX_NONE:
    case GDB_RX_ACK:
        return;
    case GDB_RX_NAK:
        if (stub.reply_len)
            wire_put(stub.reply, stub.reply_len);
        return;
    case GDB_RX_BAD_CHECKSUM:
    case GDB_RX_TOO_LONG:
        stub.bad_packets++;
        if (!stub.no_ack)
            wire_put("-", 1);
        return;
    case GDB_RX_INTERRUPT:
        stub.attached = true;
        if (!stub.stopped && !stub.waiting)
            stop_guest(SIGINT);
        else if (stub.waiting && !stub.stopping) {
            stub.stopping = true;
            stub.stop_signal = SIGINT;
            pause_others(0);
        }
        return;
    case GDB_RX_PACKET:
        if (!stub.no_ack)
            wire_put("+", 1);
        command(stub.rx.buf, stub.rx.len);
        return;
    }
}

/* A UART hands over a byte at a time (a 16550's FIFO holds 16; an
 * emulator may take the next one from its socket only after a read), so
 * a stub that read only at the console's poll would take a packet at one
 * byte a poll: seconds for qSupported. Inside a packet, the next byte is
 * waited for, up to a millisecond (ten character times at 115200 baud). */
int gdb_next_byte(int (*getc)(void))
{
    int c = getc();
    if (c >= 0 || gdb_rx_idle(&stub.rx))
        return c;
    uint64_t t0 = rdtsc(), wait = tsc_khz() ? tsc_khz() : 1000000;
    while ((c = getc()) < 0 && rdtsc() - t0 < wait)
        cpu_relax();
    return c;
}

static int wire_getc(void)
{
    return uart_wire_getc(&stub.wire);
}

bool gdb_on_console(void)
{
    return stub.ready && stub.on_console;
}

bool gdb_between_packets(void)
{
    return gdb_rx_idle(&stub.rx);
}

void gdb_poll(void)
{
    if (!stub.ready)
        return;
    if (!stub.on_console) {
        int c;
        while ((c = gdb_next_byte(wire_getc)) >= 0)
            gdb_feed((uint8_t)c);
    }
    check_stop();
}

static bool wait_at_start;

void gdb_wait_at_start(bool on)
{
    wait_at_start = on;
}

bool gdb_hold_at_start(struct vcpu *v)
{
    if (!wait_at_start || v->resets)
        return false;           /* (a reset is not the first start) */
    if (v->boot) {
        /* Stopped as after a stop reply, which GDB's '?' gets. */
        stub.stopped = true;
        stub.last = (struct hit){ true, v->id, SIGTRAP, STOP_SIGNAL, 0 };
        stub.g_vcpu = stub.c_vcpu = (int)v->id;
        kprintf("gdb: the guest waits for GDB at its first instruction (gdb_wait=1)\n");
    }
    return true;
}

void gdb_stub_init(const struct uart_wire *w)
{
    stub.on_console = !w;
    if (w)
        stub.wire = *w;
    gdb_rx_init(&stub.rx);
    stub.g_vcpu = stub.c_vcpu = -1;
    stub.arch = GDB_ARCH_AMD64;
    stub.ready = true;
}

/* ---- the console's view ---- */

/* The stub's pieces some vCPU cannot load now (its guest enables every
 * free slot): a mask of pieces, as dr_stub_suspended. */
static void or_suspended(struct vcpu *v, void *arg)
{
    if (v->dr_shared)
        *(unsigned *)arg |= dr_stub_suspended(&v->dr_share);
}

static unsigned gdb_suspended(void)
{
    unsigned mask = 0;
    if (dr_stub_held(&stub.dr))
        on_every_vcpu(or_suspended, &mask);
    return mask;
}

static void cmd_gdb(int argc, char **argv)
{
    if (argc == 2 && !strcmp(argv[1], "detach")) {
        if (!stub.attached) {
            kprintf("error: gdb detach: no GDB is attached\n");
            return;
        }
        detach();
        kprintf("gdb: detached; breakpoints removed, the guest runs\n");
        return;
    }
    if (argc != 1) {
        kprintf("error: usage: gdb [detach]\n");
        return;
    }
    char name[40];
    if (stub.on_console)
        fmt_snprintf(name, sizeof(name), "console");
    else if (stub.wire.mmio)
        fmt_snprintf(name, sizeof(name), "mmio:%#llx", (unsigned long long)stub.wire.base);
    else
        fmt_snprintf(name, sizeof(name), "io:%#llx", (unsigned long long)stub.wire.base);
    kprintf("gdb.wire=%s attached=%d state=%s packets=%llu bad=%llu breakpoints=%u "
            "debug_registers=%#x suspended=%#x\n",
            name, stub.attached, stub.stopped ? "stopped" : stub.waiting ? "running" : "idle",
            (unsigned long long)stub.packets, (unsigned long long)stub.bad_packets, stub.sw_count,
            dr_stub_held(&stub.dr), gdb_suspended());
}
CONSOLE_COMMAND(gdb, "gdb", "gdb [detach]",
                "the GDB stub: its wire and state; detach removes its breakpoints and resumes the guest",
                cmd_gdb);
