/*
 * cr.c - conformance: the control registers (SDM Vol. 3A, 2.5 and the MOV
 * to/from CR, LMSW, SMSW and CLTS pages of Vol. 2): every CR0 and CR4 bit
 * set and cleared with what reads back and which writes fault, the CR0
 * combinations that fault (CD/NW, PG/PE, bits 63:32), leaving IA-32e mode
 * from compatibility mode with and without CR4.PCIDE (4.10.1: #GP with
 * PCIDE set), CR3's reserved bits and no-flush bit, CR4 bits that depend
 * on others (PCIDE and CR3, CET and CR0.WP, LA57 in IA-32e mode).
 */
#include "conf.h"

/* MOV to CR0/CR4/CR3 of the value at *arg (a uint64_t). */
FAULT_FN(f_cr0, "mov (%rdi), %rax", "mov %rax, %cr0", "");
FAULT_FN(f_cr4, "mov (%rdi), %rax", "mov %rax, %cr4", "");
FAULT_FN(f_cr3, "mov (%rdi), %rax", "mov %rax, %cr3", "");
FAULT_FN(f_mov_cr1, "", ".byte 0x0F, 0x20, 0xC8", "");     /* MOV RAX, CR1 */
FAULT_FN(f_mov_cr5, "", ".byte 0x0F, 0x20, 0xE8", "");
FAULT_FN(f_mov_cr9, "", ".byte 0x44, 0x0F, 0x20, 0xC8", "");
FAULT_FN(f_mov_to_cr8_hi, "mov $16, %eax", "mov %rax, %cr8", "");
FAULT_FN(f_lmsw, "mov (%rdi), %eax", "lmsw %ax", "");
FAULT_FN(f_clts_user, "", "clts", "");

/* cr4_probe(args): writes args[0] to CR4, reads CR4 into args[2], writes
 * args[1] back. It lives on a page of its own that cr4_bits makes a
 * supervisor page, so that it can switch on SMEP (supervisor fetches from
 * user pages fault, and the SDK's pages are all user pages); with RFLAGS.AC
 * set around it, SMAP does not stop its stack accesses either (4.6.1). */
void cr4_probe(void *args);
extern char cr4_probe_insn[];
__asm__(".pushsection .text.cr4_probe, \"ax\"\n"
        ".balign 4096\n"
        ".globl cr4_probe\ncr4_probe:\n"
        "pushfq\n"
        "orq $0x40000, (%rsp)\n"
        "popfq\n"
        "mov (%rdi), %rax\n"
        ".globl cr4_probe_insn\ncr4_probe_insn:\n"
        "mov %rax, %cr4\n"
        "mov %cr4, %rax\n"
        "mov %rax, 16(%rdi)\n"
        "mov 8(%rdi), %rax\n"
        "mov %rax, %cr4\n"
        "pushfq\n"
        "andq $~0x40000, (%rsp)\n"
        "popfq\n"
        "ret\n"
        ".balign 4096\n"
        ".popsection\n");

static int write_cr0_checked(uint64_t v) { return sdk_catch(f_cr0, &v); }
static int write_cr4_checked(uint64_t v) { return sdk_catch(f_cr4, &v); }

/* CR4 := v, CR4 as read back, CR4 := back; the vector of a fault. */
static int cr4_try(uint64_t v, uint64_t back, uint64_t *readback)
{
    uint64_t args[3] = { v, back, back };
    int vec = sdk_catch(cr4_probe, args);
    *readback = vec == CONF_NONE ? args[2] : read_cr4();
    return vec;
}
static int write_cr3_checked(uint64_t v) { return sdk_catch(f_cr3, &v); }

/* ---- CR0 ---- */

static void cr0_bits(void)
{
    uint64_t cr0 = read_cr0();
    conf_eq(cr0, CR0_PG | CR0_WP | CR0_NE | CR0_ET | CR0_PE, "cr0.initial");
    /* The bits a MOV to CR0 may flip freely in IA-32e mode. */
    static const struct { unsigned bit; const char *name; } bits[] = {
        { 1, "mp" }, { 2, "em" }, { 3, "ts" }, { 5, "ne" }, { 16, "wp" }, { 18, "am" }, { 30, "cd" },
    };
    for (unsigned i = 0; i < sizeof(bits) / sizeof(bits[0]); i++) {
        uint64_t m = 1ull << bits[i].bit;
        int v = write_cr0_checked(cr0 ^ m);
        uint64_t got = read_cr0();
        write_cr0(cr0);
        conf_eq((uint64_t)(int64_t)v, (uint64_t)CONF_NONE, "cr0.flip_%s.vector", bits[i].name);
        conf_eq(got, cr0 ^ m, "cr0.flip_%s.readback", bits[i].name);
        conf_eq(read_cr0(), cr0, "cr0.flip_%s.restored", bits[i].name);
    }
    /* ET (bit 4) is fixed to 1 on every processor since the Pentium (2.5). */
    write_cr0_checked(cr0 & ~CR0_ET);
    conf_eq(read_cr0(), cr0, "cr0.et_stays_set");
    write_cr0(cr0);
    /* Reserved bits 31:0 are ignored by MOV to CR0; 63:32 are #GP (2.5). */
    static const unsigned reserved[] = { 6, 7, 10, 15, 17, 19, 24, 28 };
    for (unsigned i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++) {
        int v = write_cr0_checked(cr0 | (1ull << reserved[i]));
        uint64_t got = read_cr0();
        write_cr0(cr0);
        conf_eq((uint64_t)(int64_t)v, (uint64_t)CONF_NONE, "cr0.reserved_bit%u.vector", reserved[i]);
        conf_eq(got, cr0, "cr0.reserved_bit%u.ignored", reserved[i]);
    }
    for (unsigned b = 32; b < 64; b += 7) {
        conf_eq((uint64_t)(int64_t)write_cr0_checked(cr0 | (1ull << b)), VEC_GP, "cr0.bit%u.gp", b);
        conf_eq(read_cr0(), cr0, "cr0.bit%u.unchanged", b);
    }
    /* Cache control: NW without CD is #GP; CD with NW is a valid mode. */
    conf_eq((uint64_t)(int64_t)write_cr0_checked(cr0 | CR0_NW), VEC_GP, "cr0.nw_without_cd.gp");
    conf_eq(read_cr0(), cr0, "cr0.nw_without_cd.unchanged");
    int v = write_cr0_checked(cr0 | CR0_CD | CR0_NW);
    uint64_t got = read_cr0();
    write_cr0(cr0 | CR0_CD);
    uint64_t got_cd = read_cr0();
    write_cr0(cr0);
    conf_eq((uint64_t)(int64_t)v, (uint64_t)CONF_NONE, "cr0.cd_nw.vector");
    conf_eq(got, cr0 | CR0_CD | CR0_NW, "cr0.cd_nw.readback");
    conf_eq(got_cd, cr0 | CR0_CD, "cr0.cd_nw_to_cd.readback");
    conf_eq(read_cr0(), cr0, "cr0.cd_nw.restored");
    /* WP and CD/NW in one write, then WP back with CD/NW cleared. */
    write_cr0((cr0 & ~CR0_WP) | CR0_CD | CR0_NW);
    got = read_cr0();
    write_cr0(cr0);
    conf_eq(got, (cr0 & ~CR0_WP) | CR0_CD | CR0_NW, "cr0.wp_clear_cd_nw.readback");
    conf_eq(read_cr0(), cr0, "cr0.wp_clear_cd_nw.restored");
    /* PE cleared with PG set: #GP; PG cleared in 64-bit mode: #GP (the
     * processor must be in compatibility mode to leave IA-32e mode). */
    conf_eq((uint64_t)(int64_t)write_cr0_checked(cr0 & ~CR0_PE), VEC_GP, "cr0.pe_clear_with_pg.gp");
    conf_eq((uint64_t)(int64_t)write_cr0_checked(cr0 & ~CR0_PG), VEC_GP, "cr0.pg_clear_64bit_mode.gp");
    conf_eq(read_cr0(), cr0, "cr0.pg_clear_64bit_mode.unchanged");
    conf_eq(rdmsr(MSR_EFER) & EFER_LMA, EFER_LMA, "cr0.pg_clear_64bit_mode.lma");
    /* CLTS clears TS; at CPL 3 it is #GP. */
    write_cr0(cr0 | CR0_TS);
    __asm__ volatile("clts");
    conf_eq(read_cr0() & CR0_TS, 0, "cr0.clts_clears_ts");
    write_cr0(cr0);
    conf_fault_user(f_clts_user, 0, VEC_GP, 0, 1, "cr0.clts_cpl3");
    /* LMSW writes CR0[3:0] but cannot clear PE; SMSW reads CR0[15:0]. */
    uint64_t w = (cr0 & 0xFFF0) | CR0_MP | CR0_TS;
    conf_fault(f_lmsw, &w, CONF_NONE, -1, -1, "cr0.lmsw_mp_ts");
    conf_eq(read_cr0(), cr0 | CR0_MP | CR0_TS, "cr0.lmsw_mp_ts.readback");
    w = 0;
    conf_fault(f_lmsw, &w, CONF_NONE, -1, -1, "cr0.lmsw_zero");
    conf_eq(read_cr0(), (cr0 & ~0xEull) | CR0_PE, "cr0.lmsw_cannot_clear_pe");
    write_cr0(cr0);
    uint16_t msw;
    __asm__ volatile("smsw %0" : "=r"(msw));
    conf_eq(msw, cr0 & 0xFFFF, "cr0.smsw");
    write_cr0(cr0 | CR0_MP | CR0_TS);
    __asm__ volatile("smsw %0" : "=r"(msw));
    write_cr0(cr0);
    conf_eq(msw, (cr0 | CR0_MP | CR0_TS) & 0xFFFF, "cr0.smsw_after_write");
    /* CR1, CR5-CR7 and CR9-CR15 (but CR8) do not exist: #UD. */
    conf_fault(f_mov_cr1, 0, VEC_UD, 0, 1, "cr1.ud");
    conf_fault(f_mov_cr5, 0, VEC_UD, 0, 1, "cr5.ud");
    conf_fault(f_mov_cr9, 0, VEC_UD, 0, 1, "cr9.ud");
    conf_fault(f_mov_to_cr8_hi, 0, VEC_GP, 0, 1, "cr8.reserved_bits_gp");
    /* CR2 holds what software writes. */
    uint64_t cr2 = read_cr2();
    write_cr2(0x123456789ABCull);
    conf_eq(read_cr2(), 0x123456789ABCull, "cr2.readback");
    write_cr2(cr2);
}

/* ---- leaving IA-32e mode from compatibility mode (10.8.5.4) ---- */

/* compat_pg(arg): arg points at the CR0 to write from compatibility mode
 * (a 32-bit code segment); when that write left IA-32e mode the routine
 * sets CR0.PG again (LME is still set: IA-32e mode comes back, 10.8.5) and
 * returns to 64-bit mode. Records EFER.LMA as seen in between. */
void compat_pg(void *arg);
extern char compat_pg_insn[];
uint32_t compat_lma_between;
__asm__(".pushsection .text\n"
        ".globl compat_pg\ncompat_pg:\n"
        "push %rbx\n"
        "mov (%rdi), %rbx\n"                /* the CR0 to write */
        "mov %cr0, %rax\n"
        "mov %rax, compat_saved_cr0(%rip)\n"
        "pushq $0x08\n"
        "lea 1f(%rip), %rax\n"
        "pushq %rax\n"
        "lretq\n"
        ".code32\n"
        "1:\n"
        ".globl compat_pg_insn\ncompat_pg_insn:\n"
        "mov %ebx, %cr0\n"
        "mov $0xC0000080, %ecx\n"
        "rdmsr\n"
        "mov %eax, compat_lma_between\n"
        "mov compat_saved_cr0, %eax\n"
        "mov %eax, %cr0\n"                  /* PG again: IA-32e mode active */
        "ljmp $0x18, $2f\n"
        ".code64\n"
        "2:\n"
        "pop %rbx\n"
        "ret\n"
        ".popsection\n"
        ".pushsection .data\ncompat_saved_cr0: .quad 0\n.popsection\n");

static void leave_ia32e(void)
{
    uint64_t cr0 = read_cr0(), cr4 = read_cr4();
    /* Without PCIDE, clearing PG from compatibility mode leaves IA-32e mode. */
    uint64_t w = cr0 & ~CR0_PG;
    compat_lma_between = 0xFFFFFFFF;
    conf_fault(compat_pg, &w, CONF_NONE, -1, -1, "ia32e.leave_from_compat");
    conf_eq(compat_lma_between & EFER_LMA, 0, "ia32e.leave_from_compat.lma_clear");
    conf_eq(rdmsr(MSR_EFER) & EFER_LMA, EFER_LMA, "ia32e.leave_from_compat.lma_back");
    conf_eq(read_cr0(), cr0, "ia32e.leave_from_compat.cr0_back");
    if (!cpuid_bit(1, 0, ECX, 17)) {
        conf_skip("no PCID", "ia32e.pcide_leave.vector");
        return;
    }
    /* With CR4.PCIDE set it is #GP (4.10.1; MOV to CR0, Vol. 2B). */
    write_cr3(read_cr3() & ~0xFFFull);
    write_cr4(cr4 | CR4_PCIDE);
    compat_lma_between = 0xFFFFFFFF;
    conf_fault(compat_pg, &w, VEC_GP, 0, 1, "ia32e.pcide_leave");
    conf_eq(sdk_fault.rip, (uintptr_t)compat_pg_insn, "ia32e.pcide_leave.rip");
    conf_eq(sdk_fault.cs, SDK_SEL_CODE32, "ia32e.pcide_leave.pushed_cs");
    conf_eq(compat_lma_between, 0xFFFFFFFF, "ia32e.pcide_leave.not_left");
    conf_eq(read_cr0(), cr0, "ia32e.pcide_leave.cr0");
    conf_eq(read_cr4(), cr4 | CR4_PCIDE, "ia32e.pcide_leave.cr4");
    conf_eq(rdmsr(MSR_EFER) & EFER_LMA, EFER_LMA, "ia32e.pcide_leave.lma");
    write_cr4(cr4);
}

/* ---- CR4 ---- */

struct cr4_bit {
    unsigned bit;
    const char *name;
    uint32_t leaf, sub;
    int reg;
    unsigned cpuid_bit;     /* the feature that makes the bit settable */
};

static void cr4_bits(void)
{
    static const struct cr4_bit bits[] = {
        { 0, "vme", 1, 0, EDX, 1 },
        { 1, "pvi", 1, 0, EDX, 1 },
        { 2, "tsd", 1, 0, EDX, 4 },
        { 3, "de", 1, 0, EDX, 2 },
        { 4, "pse", 1, 0, EDX, 3 },
        { 6, "mce", 1, 0, EDX, 7 },
        { 7, "pge", 1, 0, EDX, 13 },
        { 8, "pce", 0, 0, -1, 0 },
        { 9, "osfxsr", 1, 0, EDX, 24 },
        { 10, "osxmmexcpt", 1, 0, EDX, 25 },
        { 11, "umip", 7, 0, ECX, 2 },
        { 13, "vmxe", 1, 0, ECX, 5 },
        { 14, "smxe", 1, 0, ECX, 6 },
        { 16, "fsgsbase", 7, 0, EBX, 0 },
        { 18, "osxsave", 1, 0, ECX, 26 },
        { 20, "smep", 7, 0, EBX, 7 },
        { 21, "smap", 7, 0, EBX, 20 },
        { 22, "pke", 7, 0, ECX, 3 },
        { 24, "pks", 7, 0, ECX, 31 },
    };
    uint64_t cr4 = read_cr4();
    conf_eq(cr4, CR4_PAE, "cr4.initial");
    uint64_t *pte = conf_pte((uintptr_t)cr4_probe), saved = *pte;
    *pte = saved & ~4ull;       /* a supervisor page */
    invlpg((uintptr_t)cr4_probe);
    for (unsigned i = 0; i < sizeof(bits) / sizeof(bits[0]); i++) {
        const struct cr4_bit *b = &bits[i];
        bool have = b->reg < 0 || cpuid_bit(b->leaf, b->sub, b->reg, b->cpuid_bit);
        uint64_t m = 1ull << b->bit;
        uint64_t got;
        int v = cr4_try(cr4 | m, cr4, &got);
        /* Settable exactly when CPUID offers the feature (2.5; VMXE: VMX
         * is what CPUID shows, so the check holds with it hidden too). */
        conf_eq((uint64_t)(int64_t)v, have ? (uint64_t)CONF_NONE : VEC_GP, "cr4.set_%s.vector_as_cpuid", b->name);
        conf_eq(got, have ? cr4 | m : cr4, "cr4.set_%s.readback", b->name);
        conf_eq(read_cr4(), cr4, "cr4.set_%s.restored", b->name);
    }
    *pte = saved;
    invlpg((uintptr_t)cr4_probe);
    /* Reserved bits: #GP (2.5). */
    static const unsigned reserved[] = { 15, 26, 27, 31, 32, 40, 63 };
    for (unsigned i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++) {
        conf_eq((uint64_t)(int64_t)write_cr4_checked(cr4 | (1ull << reserved[i])), VEC_GP,
                "cr4.reserved_bit%u.gp", reserved[i]);
        conf_eq(read_cr4(), cr4, "cr4.reserved_bit%u.unchanged", reserved[i]);
    }
    /* PAE cannot be cleared in IA-32e mode, nor LA57 changed (2.5, 4.1.1). */
    conf_eq((uint64_t)(int64_t)write_cr4_checked(cr4 & ~CR4_PAE), VEC_GP, "cr4.pae_clear_ia32e.gp");
    conf_eq((uint64_t)(int64_t)write_cr4_checked(cr4 | CR4_LA57), VEC_GP, "cr4.la57_set_ia32e.gp");
    /* PCIDE: needs PCID and CR3[11:0] = 0 (4.10.1). */
    if (cpuid_bit(1, 0, ECX, 17)) {
        uint64_t cr3 = read_cr3();
        write_cr3(cr3 | 0x18);          /* PWT | PCD: CR3[11:0] != 0 */
        conf_eq((uint64_t)(int64_t)write_cr4_checked(cr4 | CR4_PCIDE), VEC_GP, "cr4.pcide_cr3_low_bits.gp");
        write_cr3(cr3 & ~0xFFFull);
        conf_eq((uint64_t)(int64_t)write_cr4_checked(cr4 | CR4_PCIDE), (uint64_t)CONF_NONE, "cr4.pcide_set.vector");
        conf_eq(read_cr4(), cr4 | CR4_PCIDE, "cr4.pcide_set.readback");
        /* CR3 with PCID 5 and bit 63 (no flush): bit 63 is not kept. */
        uint64_t base = cr3 & ~0xFFFull;
        conf_eq((uint64_t)(int64_t)write_cr3_checked(base | 5 | (1ull << 63)), (uint64_t)CONF_NONE, "cr3.pcid_noflush.vector");
        conf_eq(read_cr3(), base | 5, "cr3.pcid_noflush.readback");
        write_cr3(base);
        write_cr4(cr4);
        conf_eq(read_cr4(), cr4, "cr4.pcide_clear.readback");
        write_cr3(cr3);
    } else {
        conf_skip("no PCID", "cr4.pcide_set.vector");
        conf_eq((uint64_t)(int64_t)write_cr4_checked(cr4 | CR4_PCIDE), VEC_GP, "cr4.pcide_without_pcid.gp");
    }
    /* CET needs CR0.WP; WP cannot be cleared while CET is set (2.5). */
    if (cpuid_bit(7, 0, ECX, 7)) {
        uint64_t cr0 = read_cr0();
        write_cr0(cr0 & ~CR0_WP);
        conf_eq((uint64_t)(int64_t)write_cr4_checked(cr4 | CR4_CET), VEC_GP, "cr4.cet_without_wp.gp");
        write_cr0(cr0);
        conf_eq((uint64_t)(int64_t)write_cr4_checked(cr4 | CR4_CET), (uint64_t)CONF_NONE, "cr4.cet_set.vector");
        conf_eq((uint64_t)(int64_t)write_cr0_checked(cr0 & ~CR0_WP), VEC_GP, "cr0.wp_clear_with_cet.gp");
        write_cr4(cr4);
    } else {
        conf_skip("no CET", "cr4.cet_set.vector");
    }
}

/* ---- CR3 ---- */

static void cr3_bits(void)
{
    uint64_t cr3 = read_cr3();
    unsigned maxphys = sdk_cpuid(0x80000008, 0).eax & 0xFF;
    /* Bits MAXPHYADDR-1:12 hold the base; beyond it: #GP (4.5). */
    conf_eq((uint64_t)(int64_t)write_cr3_checked(cr3 | (1ull << maxphys)), VEC_GP, "cr3.beyond_maxphyaddr.gp");
    conf_eq((uint64_t)(int64_t)write_cr3_checked(cr3 | (1ull << 62)), VEC_GP, "cr3.bit62.gp");
    conf_eq(read_cr3(), cr3, "cr3.unchanged");
    /* PWT and PCD (bits 3, 4) read back; the other low bits are ignored. */
    conf_eq((uint64_t)(int64_t)write_cr3_checked(cr3 | 0x18), (uint64_t)CONF_NONE, "cr3.pwt_pcd.vector");
    conf_eq(read_cr3(), cr3 | 0x18, "cr3.pwt_pcd.readback");
    write_cr3(cr3);
    conf_eq((uint64_t)(int64_t)write_cr3_checked(cr3 | 0x7), (uint64_t)CONF_NONE, "cr3.ignored_low_bits.vector");
    conf_eq(read_cr3() & 0x7, 0x7, "cr3.ignored_low_bits.readback");   /* ignored by the CPU, kept in CR3 */
    write_cr3(cr3);
}

/* ---- EFER transitions that fault in IA-32e mode (2.2.1, 10.8.5) ---- */

FAULT_FN(f_wrefer, "mov $0xC0000080, %ecx; mov (%rdi), %eax; mov 4(%rdi), %edx", "wrmsr", "");

static void efer(void)
{
    uint64_t e = rdmsr(MSR_EFER);
    conf_eq(e & (EFER_LME | EFER_LMA), EFER_LME | EFER_LMA, "efer.initial_lme_lma");
    /* LME cannot change while paging is on. */
    uint64_t w = e & ~EFER_LME;
    conf_fault(f_wrefer, &w, VEC_GP, 0, 1, "efer.lme_clear_paging.gp");
    /* LMA is read-only: a write of 0 there changes nothing (2.2.1). */
    w = e & ~EFER_LMA;
    int v = sdk_catch(f_wrefer, &w);
    conf_eq((uint64_t)(int64_t)v, (uint64_t)CONF_NONE, "efer.lma_write_ignored.vector");
    conf_eq(rdmsr(MSR_EFER), e, "efer.lma_write_ignored.readback");
    /* Still in 64-bit mode afterwards: a 64-bit register survives. */
    uint64_t probe = 0x1122334455667788ull;
    __asm__ volatile("nop" : "+r"(probe));
    conf_eq(probe, 0x1122334455667788ull, "efer.lma_write_ignored.still_64bit");
}

int main(void)
{
    conf_begin("cr");
    cr0_bits();
    leave_ia32e();
    cr4_bits();
    cr3_bits();
    efer();
    conf_done();
}
