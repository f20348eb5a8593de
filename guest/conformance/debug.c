/*
 * debug.c - conformance: the debug registers and debug exceptions in
 * 64-bit mode (SDM Vol. 3A, chapter 17): DR0-DR3, DR6 and DR7 as read
 * back, DR4/DR5 aliasing, general detect, instruction breakpoints on each
 * of DR0-DR3, data and I/O breakpoints, single-step over ordinary
 * instructions and over instructions a hypervisor intercepts (CPUID,
 * RDMSR, port I/O to the serial port, MOV to CR4), the MOV SS shadow, and
 * the debug state across such instructions.
 */
#include "conf.h"

#define DR6_FIXED1 0xFFFF0FF0ull        /* bits that read 1 (17.2.3) */
#define DR6_B(n) (1ull << (n))
#define DR6_BD (1ull << 13)
#define DR6_BS (1ull << 14)
#define DR7_FIXED1 0x400ull
#define DR7_L(n) (1ull << (2 * (n)))
#define DR7_G(n) (2ull << (2 * (n)))
#define DR7_GD (1ull << 13)
#define DR7_RW(n, rw) ((uint64_t)(rw) << (16 + 4 * (n)))
#define DR7_LEN(n, len) ((uint64_t)(len) << (18 + 4 * (n)))
#define RW_EXEC 0
#define RW_WRITE 1
#define RW_IO 2
#define RW_RDWR 3

#define COM1_SCRATCH 0x3FF
#define COM1_LSR 0x3FD
#define MSR_FEATURE_CONTROL 0x3A

static void set_dr(unsigned n, uint64_t v)
{
    switch (n) {
    case 0: write_dr0(v); break;
    case 1: write_dr1(v); break;
    case 2: write_dr2(v); break;
    default: write_dr3(v); break;
    }
}

static uint64_t get_dr(unsigned n)
{
    switch (n) {
    case 0: return read_dr0();
    case 1: return read_dr1();
    case 2: return read_dr2();
    default: return read_dr3();
    }
}

/* ---- #DB handler: counts, keeps the last DR6, RIP and pushed RFLAGS;
 * an instruction breakpoint is a fault, so it returns with RF set (or it
 * would fire again); single-step stops after `step_budget` traps. ---- */

static volatile unsigned db_count, step_budget;
static volatile uint64_t db_dr6, db_rip, db_rflags, db_dr7;
static volatile uint64_t db_rips[16];

static void db_handler(struct sdk_frame *f)
{
    uint64_t dr6 = read_dr6();
    if (db_count < 16)
        db_rips[db_count] = f->rip;
    db_count++;
    db_dr6 = dr6;
    db_rip = f->rip;
    db_rflags = f->rflags;
    db_dr7 = read_dr7();
    f->rflags |= RFLAGS_RF;
    if (step_budget && --step_budget == 0)
        f->rflags &= ~RFLAGS_TF;
}

static void db_reset(void)
{
    db_count = 0;
    db_dr6 = db_rip = db_rflags = db_dr7 = 0;
    for (int i = 0; i < 16; i++)
        db_rips[i] = 0;
}

/* ---- the registers ---- */

FAULT_FN(f_dr6_hi, "mov $0x100000000, %rax", "mov %rax, %dr6", "");
FAULT_FN(f_dr7_hi, "mov $0x100000400, %rax", "mov %rax, %dr7", "");
FAULT_FN(f_read_dr4, "", "mov %dr4, %rax", "");
FAULT_FN(f_read_dr5, "", "mov %dr5, %rax", "");
FAULT_FN(f_read_dr0, "", "mov %dr0, %rax", "");
FAULT_FN(f_write_dr7, "mov $0x400, %eax", "mov %rax, %dr7", "");

static void registers(void)
{
    conf_eq(read_dr7(), DR7_FIXED1, "dr7.initial");
    conf_eq(read_dr6(), DR6_FIXED1, "dr6.initial");
    static const uint64_t addrs[] = { 0, 0x12345678, 0xFFFFFFFFFFFFF000ull, 0x00007FFFFFFFFFF8ull,
                                      0x100000 };
    for (unsigned n = 0; n < 4; n++)
        for (unsigned i = 0; i < sizeof(addrs) / sizeof(addrs[0]); i++) {
            set_dr(n, addrs[i]);
            conf_eq(get_dr(n), addrs[i], "dr%u.readback_%u", n, i);
        }
    static const uint64_t dr6s[] = { 0, 0xFFFFFFFF, 0xE00F, DR6_BS, 0xFFFF4FF2, 0x1000, 0x10000 };
    for (unsigned i = 0; i < sizeof(dr6s) / sizeof(dr6s[0]); i++) {
        write_dr6(dr6s[i]);
        /* B0-B3, BD, BS, BT are the writable ones (17.2.3). */
        conf_eq(read_dr6(), (dr6s[i] & 0xE00F) | DR6_FIXED1, "dr6.write_%#llx", (unsigned long long)dr6s[i]);
    }
    write_dr6(DR6_FIXED1);
    conf_fault(f_dr6_hi, 0, VEC_GP, 0, 1, "dr6.bit32_gp");
    conf_fault(f_dr7_hi, 0, VEC_GP, 0, 1, "dr7.bit32_gp");
    static const uint64_t dr7s[] = { 0, 0x400, 0x155, 0x2AA, 0x300 | 0x400, 0xFFFF0000 };
    for (unsigned i = 0; i < sizeof(dr7s) / sizeof(dr7s[0]); i++) {
        /* Breakpoints at address 0 of length 1: nothing here touches it. */
        for (unsigned n = 0; n < 4; n++)
            set_dr(n, 0);
        write_dr7(dr7s[i]);
        uint64_t got = read_dr7();
        write_dr7(DR7_FIXED1);
        conf_eq(got, (dr7s[i] & 0xFFFF2BFF) | DR7_FIXED1, "dr7.write_%#llx", (unsigned long long)dr7s[i]);
    }
    /* DR4/DR5 alias DR6/DR7 with CR4.DE clear and #UD with it set (17.2.2). */
    uint64_t cr4 = read_cr4();
    write_cr4(cr4 & ~CR4_DE);
    write_dr6(DR6_FIXED1 | DR6_B(2));
    uint64_t dr4;
    __asm__ volatile("mov %%dr4, %0" : "=r"(dr4));
    conf_eq(dr4, DR6_FIXED1 | DR6_B(2), "dr4.aliases_dr6");
    __asm__ volatile("mov %0, %%dr4" : : "r"(DR6_FIXED1 | DR6_B(1)));
    conf_eq(read_dr6(), DR6_FIXED1 | DR6_B(1), "dr4.write_reaches_dr6");
    uint64_t dr5;
    __asm__ volatile("mov %%dr5, %0" : "=r"(dr5));
    conf_eq(dr5, read_dr7(), "dr5.aliases_dr7");
    write_dr6(DR6_FIXED1);
    write_cr4(cr4 | CR4_DE);
    conf_fault(f_read_dr4, 0, VEC_UD, 0, 1, "dr4.cr4_de_ud");
    conf_fault(f_read_dr5, 0, VEC_UD, 0, 1, "dr5.cr4_de_ud");
    write_cr4(cr4);
    /* MOV DR at CPL 3: #GP(0) (17.2). */
    conf_fault_user(f_read_dr0, 0, VEC_GP, 0, 1, "dr0.read_cpl3");
    conf_fault_user(f_write_dr7, 0, VEC_GP, 0, 1, "dr7.write_cpl3");
}

/* ---- general detect (DR7.GD): the next MOV DR is a #DB fault with BD,
 * and the CPU clears GD on the way in (17.2.4). ---- */

static volatile uint64_t gd_dr6, gd_dr7, gd_rip, gd_count;

static void gd_handler(struct sdk_frame *f)
{
    gd_dr6 = read_dr6();
    gd_dr7 = read_dr7();
    gd_rip = f->rip;
    gd_count++;
    f->rflags |= RFLAGS_RF;
    f->rip += 3;            /* skip the MOV DR (0F 21 /r or 0F 23 /r) */
}

FAULT_FN(f_gd_read, "", "mov %dr0, %rax", "");

static void general_detect(void)
{
    sdk_set_handler(VEC_DB, gd_handler);
    write_dr6(DR6_FIXED1);
    gd_count = 0;
    write_dr7(DR7_FIXED1 | DR7_GD);
    f_gd_read(0);
    conf_eq(gd_count, 1, "gd.count");
    conf_eq(gd_dr6, DR6_FIXED1 | DR6_BD, "gd.dr6_bd");
    conf_eq(gd_dr7 & DR7_GD, 0, "gd.cleared_on_db");
    conf_eq(gd_rip, (uintptr_t)f_gd_read_insn, "gd.rip_is_the_mov");
    sdk_set_handler(VEC_DB, 0);
    write_dr7(DR7_FIXED1);
    write_dr6(DR6_FIXED1);
}

/* ---- instruction breakpoints ---- */

void bp_target(void);
void bp_target2(void);
void bp_cpuid(void);
void bp_out(void);
extern char bp_cpuid_next[], bp_out_next[];
__asm__(".pushsection .text\n.globl bp_target\nbp_target:\nnop\nret\n"
        ".globl bp_target2\nbp_target2:\nnop\nret\n"
        ".globl bp_cpuid\nbp_cpuid:\npush %rbx\nxor %eax, %eax\nxor %ecx, %ecx\n"
        "cpuid\n.globl bp_cpuid_next\nbp_cpuid_next:\nnop\npop %rbx\nret\n"
        ".globl bp_out\nbp_out:\nmov $0x3FF, %edx\nmov $0x66, %al\n"
        "outb %al, %dx\n.globl bp_out_next\nbp_out_next:\nnop\nret\n.popsection\n");

/* Instructions monovisor intercepts, one after the other. */
static void exiting_instructions(void)
{
    uint64_t fc;
    sdk_cpuid(0, 0);
    sdk_cpuid(1, 0);
    outb(COM1_SCRATCH, 0x5A);
    (void)inb(COM1_SCRATCH);
    sdk_rdmsr(MSR_FEATURE_CONTROL, &fc);
    if (cpuid_bit(1, 0, ECX, 26)) {     /* CR4.OSXSAVE: an exiting MOV to CR4 */
        uint64_t cr4 = read_cr4();
        write_cr4(cr4 ^ CR4_OSXSAVE);
        write_cr4(cr4);
    }
}

static void instruction_breakpoints(void)
{
    sdk_set_handler(VEC_DB, db_handler);
    for (unsigned n = 0; n < 4; n++) {
        for (unsigned global = 0; global < 2; global++) {
            write_dr6(DR6_FIXED1);
            db_reset();
            set_dr(n, (uintptr_t)bp_target);
            write_dr7(DR7_FIXED1 | (global ? DR7_G(n) : DR7_L(n)));
            bp_target();
            bp_target();
            write_dr7(DR7_FIXED1);
            const char *e = global ? "g" : "l";
            conf_eq(db_count, 2, "ibp.dr%u.%s.count", n, e);
            conf_eq(db_dr6, DR6_FIXED1 | DR6_B(n), "ibp.dr%u.%s.dr6", n, e);
            conf_eq(db_rip, (uintptr_t)bp_target, "ibp.dr%u.%s.rip", n, e);
            /* An instruction breakpoint pushes RF clear (17.3.1.1). */
            conf_eq(!!(db_rflags & RFLAGS_RF), 0, "ibp.dr%u.%s.rf", n, e);
            set_dr(n, 0);
        }
    }
    /* Disabled in DR7: nothing. (The B bit of a disabled breakpoint that
     * matches may still be set in DR6 by a later #DB, 17.2.3: DR0 is
     * cleared again before the next check.) */
    db_reset();
    write_dr0((uintptr_t)bp_target);
    write_dr7(DR7_FIXED1);
    bp_target();
    conf_eq(db_count, 0, "ibp.disabled.count");
    write_dr0(0);

    /* DR6.BS set beforehand stays; B bits of breakpoints that did not hit
     * may be cleared (17.2.3). */
    write_dr6(0xFFFF4FF2);
    db_reset();
    write_dr2((uintptr_t)bp_target);
    write_dr7(DR7_FIXED1 | DR7_L(2));
    bp_target();
    write_dr7(DR7_FIXED1);
    conf_eq(db_count, 1, "ibp.bs_kept.count");
    conf_eq(db_dr6, DR6_FIXED1 | DR6_BS | DR6_B(2), "ibp.bs_kept.dr6");

    /* After a breakpoint fired, a new address and DR6 written: the new
     * breakpoint fires once. */
    write_dr6(DR6_FIXED1);
    db_reset();
    write_dr2((uintptr_t)bp_target);
    write_dr7(DR7_FIXED1 | DR7_L(2));
    bp_target();
    write_dr2((uintptr_t)bp_target2);
    write_dr6(0xFFFF4FF2);
    bp_target2();
    write_dr7(DR7_FIXED1);
    conf_eq(db_count, 2, "ibp.rearmed.count");
    conf_eq(db_rip, (uintptr_t)bp_target2, "ibp.rearmed.rip");
    conf_eq(db_dr6, DR6_FIXED1 | DR6_BS | DR6_B(2), "ibp.rearmed.dr6");

    /* The breakpoint survives instructions the hypervisor intercepts. */
    write_dr6(DR6_FIXED1);
    db_reset();
    write_dr3((uintptr_t)bp_target);
    write_dr7(DR7_FIXED1 | DR7_L(3));
    exiting_instructions();
    uint64_t dr7 = read_dr7(), dr3 = read_dr3();
    bp_target();
    write_dr7(DR7_FIXED1);
    conf_eq(dr7, DR7_FIXED1 | DR7_L(3), "ibp.across_exits.dr7");
    conf_eq(dr3, (uintptr_t)bp_target, "ibp.across_exits.dr3");
    conf_eq(db_count, 1, "ibp.across_exits.count");
    conf_eq(db_dr6, DR6_FIXED1 | DR6_B(3), "ibp.across_exits.dr6");

    /* A breakpoint on an instruction the hypervisor intercepts: the
     * handler's RF lets it run once; RF is clear again after it, so a
     * breakpoint on the next instruction fires too (17.3.1.1). */
    write_dr6(DR6_FIXED1);
    db_reset();
    write_dr0((uintptr_t)bp_cpuid);
    write_dr1((uintptr_t)bp_cpuid_next);
    write_dr7(DR7_FIXED1 | DR7_L(0) | DR7_L(1));
    bp_cpuid();
    write_dr7(DR7_FIXED1);
    conf_eq(db_count, 2, "ibp.on_cpuid_then_next.count");
    conf_eq(db_rips[0], (uintptr_t)bp_cpuid, "ibp.on_cpuid_then_next.rip0");
    conf_eq(db_rips[1], (uintptr_t)bp_cpuid_next, "ibp.on_cpuid_then_next.rip1");
    write_dr6(DR6_FIXED1);
    db_reset();
    write_dr0((uintptr_t)bp_out);
    write_dr1((uintptr_t)bp_out_next);
    write_dr7(DR7_FIXED1 | DR7_L(0) | DR7_L(1));
    bp_out();
    write_dr7(DR7_FIXED1);
    conf_eq(db_count, 2, "ibp.on_serial_out_then_next.count");
    conf_eq(db_rips[1], (uintptr_t)bp_out_next, "ibp.on_serial_out_then_next.rip1");
    write_dr0(0);
    write_dr1(0);
    /* DR6 written before such instructions reads back after them. */
    write_dr6(DR6_FIXED1 | DR6_B(1) | DR6_BS);
    exiting_instructions();
    conf_eq(read_dr6(), DR6_FIXED1 | DR6_B(1) | DR6_BS, "dr6.across_exits");
    write_dr6(DR6_FIXED1);
    for (unsigned n = 0; n < 4; n++)
        set_dr(n, 0);
    sdk_set_handler(VEC_DB, 0);
}

/* ---- data breakpoints: traps after the access (17.2.5, 17.3.1.2) ---- */

static volatile uint64_t watched[2] __attribute__((aligned(16)));

FAULT_FN(f_store32, "", "movl $42, (%rdi)", "");
FAULT_FN(f_store8_hi, "", "movb $7, 3(%rdi)", "");
FAULT_FN(f_store64, "", "movq $9, (%rdi)", "");
FAULT_FN(f_load32, "", "movl (%rdi), %eax", "");
FAULT_FN(f_store_next, "", "movl $5, 8(%rdi)", "");

struct wp_case {
    const char *name;
    unsigned rw, len;           /* DR7 fields (LEN: 0 1 byte, 1 2, 3 4, 2 8) */
    unsigned offset;            /* the watched address, from watched */
    void (*fn)(void *);
    char *next;
    unsigned want_hits;
};

static void data_breakpoints(void)
{
    const struct wp_case cases[] = {
        { "write4_store32", RW_WRITE, 3, 0, f_store32, f_store32_next, 1 },
        { "write4_load32", RW_WRITE, 3, 0, f_load32, f_load32_next, 0 },
        { "rdwr4_load32", RW_RDWR, 3, 0, f_load32, f_load32_next, 1 },
        { "rdwr4_store32", RW_RDWR, 3, 0, f_store32, f_store32_next, 1 },
        { "write1_at3_store8", RW_WRITE, 0, 3, f_store8_hi, f_store8_hi_next, 1 },
        { "write1_at3_store32", RW_WRITE, 0, 3, f_store32, f_store32_next, 1 },
        { "write1_at0_store8_hi", RW_WRITE, 0, 0, f_store8_hi, f_store8_hi_next, 0 },
        { "write8_store64", RW_WRITE, 2, 0, f_store64, f_store64_next, 1 },
        { "write8_store_next", RW_WRITE, 2, 0, f_store_next, f_store_next_next, 0 },
        { "write2_store32", RW_WRITE, 1, 2, f_store32, f_store32_next, 1 },
    };
    sdk_set_handler(VEC_DB, db_handler);
    for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const struct wp_case *c = &cases[i];
        unsigned n = i % 4;
        write_dr6(DR6_FIXED1);
        db_reset();
        set_dr(n, (uintptr_t)watched + c->offset);
        write_dr7(DR7_FIXED1 | DR7_L(n) | DR7_RW(n, c->rw) | DR7_LEN(n, c->len));
        c->fn((void *)watched);
        write_dr7(DR7_FIXED1);
        set_dr(n, 0);
        conf_eq(db_count, c->want_hits, "wp.%s.count", c->name);
        if (c->want_hits) {
            conf_eq(db_dr6, DR6_FIXED1 | DR6_B(n), "wp.%s.dr6", c->name);
            conf_eq(db_rip, (uintptr_t)c->next, "wp.%s.rip_after", c->name);
        }
    }
    /* The store happened before the trap. */
    watched[0] = 0;
    write_dr1((uintptr_t)watched);
    write_dr7(DR7_FIXED1 | DR7_L(1) | DR7_RW(1, RW_WRITE) | DR7_LEN(1, 3));
    db_reset();
    f_store32((void *)watched);
    conf_eq((uint32_t)watched[0], 42, "wp.value_stored_before_trap");
    /* DR6 = BS|B1 beforehand: BS stays; DR6 = 0 beforehand: no BS. */
    write_dr6(0xFFFF4FF2);
    db_reset();
    f_store32((void *)watched);
    conf_eq(db_dr6, DR6_FIXED1 | DR6_BS | DR6_B(1), "wp.bs_not_cleared.dr6");
    write_dr6(0);
    db_reset();
    f_store32((void *)watched);
    conf_eq(db_count, 1, "wp.bs_not_set.count");
    conf_eq(db_dr6, DR6_FIXED1 | DR6_B(1), "wp.bs_not_set.dr6");
    /* ... and the same around instructions the hypervisor intercepts. */
    write_dr6(0);
    exiting_instructions();
    db_reset();
    f_store32((void *)watched);
    conf_eq(db_dr6, DR6_FIXED1 | DR6_B(1), "wp.after_exits.dr6");
    write_dr7(DR7_FIXED1);
    write_dr1(0);
    write_dr6(DR6_FIXED1);
    sdk_set_handler(VEC_DB, 0);
}

/* ---- I/O breakpoints (CR4.DE, RW = 10; 17.2.4) ---- */

FAULT_FN(f_out80, "mov $0x11, %al", "outb %al, $0x80", "");
FAULT_FN(f_in80, "", "inb $0x80, %al", "");
FAULT_FN(f_out_scratch, "mov $0x3FF, %dx; mov $0x22, %al", "outb %al, %dx", "");
FAULT_FN(f_in_scratch, "mov $0x3FF, %dx", "inb %dx, %al", "");
FAULT_FN(f_outw_3fe, "mov $0x3FE, %dx; mov $0x3333, %ax", "outw %ax, %dx", "");

static void io_breakpoints(void)
{
    struct {
        const char *name;
        uint16_t port;
        unsigned len;
        void (*fn)(void *);
        char *next;
        unsigned want;
    } cases[] = {
        { "port80_out", 0x80, 0, f_out80, f_out80_next, 1 },
        { "port80_in", 0x80, 0, f_in80, f_in80_next, 1 },
        { "port81_out80", 0x81, 0, f_out80, f_out80_next, 0 },
        { "com1_scratch_out", COM1_SCRATCH, 0, f_out_scratch, f_out_scratch_next, 1 },
        { "com1_scratch_in", COM1_SCRATCH, 0, f_in_scratch, f_in_scratch_next, 1 },
        { "com1_scratch_outw_3fe", COM1_SCRATCH, 0, f_outw_3fe, f_outw_3fe_next, 1 },
        { "com1_lsr_out_scratch", COM1_LSR, 0, f_out_scratch, f_out_scratch_next, 0 },
    };
    uint64_t cr4 = read_cr4();
    sdk_set_handler(VEC_DB, db_handler);
    for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        unsigned n = i % 4;
        write_cr4(cr4 | CR4_DE);
        write_dr6(DR6_FIXED1);
        db_reset();
        set_dr(n, cases[i].port);
        write_dr7(DR7_FIXED1 | DR7_L(n) | DR7_RW(n, RW_IO) | DR7_LEN(n, cases[i].len));
        cases[i].fn(0);
        write_dr7(DR7_FIXED1);
        set_dr(n, 0);
        conf_eq(db_count, cases[i].want, "iobp.%s.count", cases[i].name);
        if (cases[i].want) {
            conf_eq(db_dr6, DR6_FIXED1 | DR6_B(n), "iobp.%s.dr6", cases[i].name);
            conf_eq(db_rip, (uintptr_t)cases[i].next, "iobp.%s.rip_after", cases[i].name);
        }
    }
    /* RW = 10 without CR4.DE is undefined (17.2.4): not checked. */
    write_cr4(cr4);
    write_dr6(DR6_FIXED1);
    sdk_set_handler(VEC_DB, 0);
}

/* ---- single-step (RFLAGS.TF; 17.3.1.4) ---- */

/* Each sequence starts by setting TF with POPF: the first trap comes
 * after the instruction that follows the POPF (17.3.1.4). Labels s_N
 * mark where each trap should land. */
#define STEP_FN(name, body)                                                    \
    void name(void);                                                           \
    __asm__(".pushsection .text\n.globl " #name "\n" #name ":\n"               \
            "push %rbx\npush %r12\npush %r13\n"                                \
            "mov step_r12(%rip), %r12\nmov step_r13(%rip), %r13\n"             \
            "pushfq\norq $0x100, (%rsp)\npopfq\n" body                         \
            "\npushfq\nandq $~0x100, (%rsp)\npopfq\n"                          \
            "pop %r13\npop %r12\npop %rbx\nret\n.popsection\n")

/* R12 and R13 as a sequence finds them (the values MOV to CR4 writes). */
uint64_t step_r12, step_r13;

STEP_FN(step_plain, ".globl sp_0\nnop\nsp_0:\nnop\nsp_1:\nnop\nsp_2:\n");
STEP_FN(step_cpuid, ".globl sc_0\nxor %eax, %eax\nsc_0:\nxor %ecx, %ecx\nsc_1:\ncpuid\nsc_2:\nnop\nsc_3:\n");
STEP_FN(step_cpuid_first, "cpuid\n.globl scf_0\nscf_0:\nnop\nscf_1:\n");
STEP_FN(step_rdmsr, "nop\n.globl sr_0\nsr_0:\nmov $0x3A, %ecx\nsr_1:\nrdmsr\nsr_2:\nnop\nsr_3:\n");
STEP_FN(step_out, "nop\n.globl so_0\nso_0:\nmov $0x3FF, %edx\nso_1:\nmov $0x44, %al\nso_2:\n"
                  "outb %al, %dx\nso_3:\ninb %dx, %al\nso_4:\nnop\nso_5:\n");
STEP_FN(step_movss, "nop\n.globl sm_0\nsm_0:\nmov %ss, %eax\nsm_1:\nmov %eax, %ss\nnop\nsm_2:\nnop\nsm_3:\n");
STEP_FN(step_cr4, "nop\n.globl s4_0\ns4_0:\nmov %r12, %cr4\ns4_1:\nmov %r13, %cr4\ns4_2:\nnop\ns4_3:\n");
STEP_FN(step_ud, "nop\n.globl su_0\nsu_0:\nud2\nsu_1:\nnop\nsu_2:\n");

extern char sp_0[], sp_1[], sp_2[], sc_0[], sc_1[], sc_2[], sc_3[], scf_0[], scf_1[];
extern char sr_0[], sr_1[], sr_2[], sr_3[], so_0[], so_1[], so_2[], so_3[], so_4[], so_5[];
extern char sm_0[], sm_1[], sm_2[], sm_3[];
extern char s4_0[], s4_1[], s4_2[], s4_3[];

static void step_check(const char *name, void (*fn)(void), char *const *want, unsigned n)
{
    write_dr6(DR6_FIXED1);
    db_reset();
    step_budget = n;
    fn();
    step_budget = 0;
    conf_eq(db_count, n, "step.%s.count", name);
    for (unsigned i = 0; i < n && i < 16; i++)
        conf_eq(db_rips[i], (uintptr_t)want[i], "step.%s.rip%u", name, i);
    conf_eq(db_dr6, DR6_FIXED1 | DR6_BS, "step.%s.dr6", name);
}

static volatile uint64_t ud_rip, ud_count;

static void ud_handler(struct sdk_frame *f)
{
    ud_rip = f->rip;
    ud_count++;
    f->rip += 2;                /* past the UD2 */
}

static void single_step(void)
{
    sdk_set_handler(VEC_DB, db_handler);
    char *plain[] = { sp_0, sp_1, sp_2 };
    step_check("plain", step_plain, plain, 3);
    char *cpuid[] = { sc_0, sc_1, sc_2, sc_3 };
    step_check("cpuid", step_cpuid, cpuid, 4);
    /* The first instruction after the POPF that set TF is an exiting one. */
    char *cpuid_first[] = { scf_0, scf_1 };
    step_check("cpuid_first", step_cpuid_first, cpuid_first, 2);
    char *rdmsr[] = { sr_0, sr_1, sr_2, sr_3 };
    step_check("rdmsr", step_rdmsr, rdmsr, 4);
    char *out[] = { so_0, so_1, so_2, so_3, so_4, so_5 };
    step_check("serial_io", step_out, out, 6);
    /* MOV SS holds off the trap of its own step to the end of the next
     * instruction (6.8.3): one trap for both. (POP SS, the other one, is
     * invalid in 64-bit mode.) */
    char *movss[] = { sm_0, sm_1, sm_2, sm_3 };
    step_check("mov_ss", step_movss, movss, 4);
    if (cpuid_bit(1, 0, ECX, 26)) {
        uint64_t cr4 = read_cr4();
        step_r12 = cr4 ^ CR4_OSXSAVE;
        step_r13 = cr4;
        char *cr4s[] = { s4_0, s4_1, s4_2, s4_3 };
        step_check("mov_cr4", step_cr4, cr4s, 4);
        write_cr4(cr4);
    } else {
        conf_skip("no XSAVE: no exiting MOV to CR4", "step.mov_cr4.count");
    }
    /* A faulting instruction gets no single-step trap; the #UD handler
     * runs with TF clear and its IRET brings TF back (6.12.1.3). */
    sdk_set_handler(VEC_UD, ud_handler);
    write_dr6(DR6_FIXED1);
    db_reset();
    ud_count = 0;
    step_budget = 2;
    step_ud();
    step_budget = 0;
    extern char su_0[], su_2[];
    conf_eq(ud_count, 1, "step.ud2.ud_count");
    conf_eq(ud_rip, (uintptr_t)su_0, "step.ud2.ud_rip");
    conf_eq(db_rips[0], (uintptr_t)su_0, "step.ud2.rip0");
    /* The IRET that sets TF again traps after the next instruction. */
    conf_eq(db_rips[1], (uintptr_t)su_2, "step.ud2.rip1_after_iret");
    sdk_set_handler(VEC_UD, 0);
    write_dr6(DR6_FIXED1);
    sdk_set_handler(VEC_DB, 0);
}

/* ---- INT1 (ICEBP, F1): a #DB trap that sets no DR6 bit ---- */

FAULT_FN(f_icebp, "", ".byte 0xF1", "");

static void icebp(void)
{
    write_dr6(DR6_FIXED1);
    conf_fault(f_icebp, 0, VEC_DB, 0, 0, "icebp");
    conf_eq(sdk_fault.rip, (uintptr_t)f_icebp_next, "icebp.rip_after");
    conf_eq(read_dr6(), DR6_FIXED1, "icebp.dr6");
}

int main(void)
{
    conf_begin("debug");
    registers();
    general_detect();
    instruction_breakpoints();
    data_breakpoints();
    io_breakpoints();
    single_step();
    icebp();
    conf_done();
}
