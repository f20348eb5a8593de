/*
 * modes.c - conformance: operating modes and the switches between them
 * (SDM Vol. 3A, chapter 10: 10.8 and 10.9 mode switching; chapter 21,
 * real-address mode; 2.5 control registers; 4.3 and 4.4 32-bit and PAE
 * paging). From 64-bit mode the guest goes down to compatibility mode,
 * legacy 32-bit protected mode (CR0.PG off, then EFER.LME off), 16-bit
 * protected mode and real mode, and back up, in several orders and by
 * several instructions (far RET, far JMP and far CALL through memory and
 * immediate pointers, LMSW, a MOV to CR0 that sets PE and PG at once).
 * At each stop it records what the CPU shows there: CS and the default
 * operand size (PUSH width, B8 + imm32, byte 40H as INC or REX), CR0,
 * CR4, EFER (LMA!), CPUID leaves 0 and 1, SMSW, SS and DS. Real mode
 * takes INT n, INT3, INTO, BOUND, #UD, #DE, #GP and #SS through an IVT in
 * the low pages (IDTR relocated with LIDT); legacy mode runs 32-bit and
 * PAE paging (PDPTE loading, reserved bits, the PDPTE registers) and the
 * #GP cases of MOV to CR0/CR4 and WRMSR to EFER; 64-bit and compatibility
 * mode check LMSW, SMSW, CLTS, CR0.NE and their #GP cases. The staircase
 * runs twice; both runs must see the same.
 *
 * Code that runs in 16-bit modes lives in the rm_start..rm_end blob,
 * copied to two free pages P, P + 4 KiB below 1 MiB (P's address never
 * goes into a check line). A fault in legacy mode goes through a 32-bit
 * IDT, in real mode through the low IVT; both either resume where a test
 * asked or end the tour (back to 64-bit mode, the "fatal" checks), so a
 * surprise prints rather than hangs. Every tour runs under sdk_catch:
 * compatibility mode uses the SDK's 64-bit IDT.
 *
 * One file over 800 lines, on purpose: it is one guest, booted natively and under
 * monovisor and compared line by line, and its checks are one walk down
 * and up the mode staircase sharing the 16-bit blob, the IVT, the GDT and
 * the recording code; split into guests, each would boot twice more and
 * repeat that set-up, split into files, the staircase would be spread
 * over them.
 */
#include "conf.h"

#define STR_(x) #x
#define STR(x) STR_(x)

/* The low pages: offsets from P. The blob (code) fills the first page. */
#define LO_IVT     0x1000       /* 64 real-mode vectors */
#define LO_SEG     0x1100       /* u16: P >> 4 */
#define LO_GDTP    0x1108       /* the SDK's GDTR: limit, 32-bit base */
#define LO_IDTP    0x1110       /* the IVT: limit 0xFF, base P + LO_IVT */
#define LO_IDT64P  0x1118       /* the SDK's IDTR, 32-bit base */
#define LO_RESUME  0x1120       /* u16: IP a real-mode fault resumes at (0: fatal) */
#define LO_FVEC    0x1124       /* u16: the last real-mode vector, its IP, CS, FLAGS */
#define LO_FIP     0x1128
#define LO_FCS     0x112C
#define LO_FFLAGS  0x1130
#define LO_HFLAGS  0x1134       /* u16: FLAGS inside the handler */
#define LO_FCOUNT  0x1138
#define LO_FATAL   0x113C       /* u16: 0x100 | vector of an unexpected real-mode fault */
#define LO_TMP     0x1140       /* 16 bytes of scratch */
#define LO_BOUNDS  0x1150       /* BOUND's two words */
#define LO_FARPTR  0x1154       /* m16:16 for the far CALL */
#define LO_SAVE    0x1158
#define LO_CR0     0x115C       /* CR0 with PE and PG (tour 4) */
#define LO_REC     0x1200       /* u32 records of the 16-bit code */
#define LO_STACK   0x2000       /* stack top (offset from P) */

/* Records of the 16-bit code (u32 index from LO_REC): stops of 18 words,
 * real-mode tries of 10, single results. */
#define R_P      0
#define R_R      20
#define R_PU     40
#define R_AP     60
#define R_AR     80
#define R_APU    100
#define R_AR2    120
#define R_D      140
#define T_INT30  160
#define T_INT3   170
#define T_INTO   180
#define T_UD     190
#define T_DE     200
#define T_BOUND  210
#define T_INTLIM 220
#define T_GPLIM  230
#define T_SSLIM  240
#define M_ALT    250
#define M_LMSW   256
#define M_SGDT   260
#define M_SEG    266
#define M_FAR    268
#define M_DIR    272
#define LO_NREC  276
_Static_assert(LO_REC + 4 * LO_NREC <= 0x1800, "records clear of the stack");

/* Records of the 32-bit code (index into m_res). */
#define S_C      0
#define S_LA     20
#define S_LB     40
#define S_LU     60
#define S_LU2    80
#define S_CU     100
#define S_AC0    120
#define S_AC     140
#define S_AL     160
#define S_AL2    180
#define S_P32    200
#define S_PAE    220
#define S_D64    240
#define A_CALL   260
#define A_CALL64 262
#define PG_R     270
#define PG_T     300
#define X_CLMSW  330
#define M_NRES   340

#define VA4M  0x40000000u       /* 32-bit paging: PDE 256, a 4 MiB page at 0 */
#define VA4K  0x40400000u       /* PDE 257 -> pt32 -> page_b */
#define VAPAE 0x40000000u       /* PAE: PDPTE 1 -> pd_a/pd_b -> pt_a/pt_b -> page_c/page_d */

#define EQU(n) ".equ " #n ", " STR(n) "\n"
__asm__(EQU(LO_IVT) EQU(LO_SEG) EQU(LO_GDTP) EQU(LO_IDTP) EQU(LO_IDT64P) EQU(LO_RESUME)
        EQU(LO_FVEC) EQU(LO_FIP) EQU(LO_FCS) EQU(LO_FFLAGS) EQU(LO_HFLAGS) EQU(LO_FCOUNT)
        EQU(LO_FATAL) EQU(LO_TMP) EQU(LO_BOUNDS) EQU(LO_FARPTR) EQU(LO_SAVE) EQU(LO_CR0)
        EQU(LO_REC) EQU(LO_STACK)
        EQU(R_P) EQU(R_R) EQU(R_PU) EQU(R_AP) EQU(R_AR) EQU(R_APU) EQU(R_AR2) EQU(R_D)
        EQU(T_INT30) EQU(T_INT3) EQU(T_INTO) EQU(T_UD) EQU(T_DE) EQU(T_BOUND) EQU(T_INTLIM)
        EQU(T_GPLIM) EQU(T_SSLIM) EQU(M_ALT) EQU(M_LMSW) EQU(M_SGDT) EQU(M_SEG) EQU(M_FAR)
        EQU(M_DIR)
        EQU(S_C) EQU(S_LA) EQU(S_LB) EQU(S_LU) EQU(S_LU2) EQU(S_CU) EQU(S_AC0) EQU(S_AC)
        EQU(S_AL) EQU(S_AL2) EQU(S_P32) EQU(S_PAE) EQU(S_D64) EQU(A_CALL) EQU(A_CALL64)
        EQU(PG_R) EQU(PG_T) EQU(X_CLMSW) EQU(VA4M) EQU(VA4K) EQU(VAPAE));

/* Shared with the assembly (volatile: the compiler sees none of its
 * accesses). */
struct __attribute__((packed)) dtr {
    uint16_t limit;
    uint64_t base;
};
static volatile uint32_t m_res[M_NRES] __attribute__((used));
static volatile uint64_t m_saved_rsp __attribute__((used));
static volatile uint32_t m_saved_cr0 __attribute__((used)), m_saved_cr3 __attribute__((used)),
    m_saved_cr4 __attribute__((used)), m_cr0_legacy __attribute__((used));
static struct dtr m_gdtr __attribute__((used)), m_idtr __attribute__((used));
static volatile uint32_t m_fvec __attribute__((used)), m_ferr __attribute__((used)),
    m_feip __attribute__((used)), m_fcount __attribute__((used)), m_resume __attribute__((used)),
    m_fatal __attribute__((used));
static volatile uint64_t idt32[32] __attribute__((used, aligned(8)));
static volatile struct __attribute__((packed)) {
    uint16_t limit;
    uint32_t base;
} idt32_ptr __attribute__((used));
static volatile uint32_t pd32[1024] __attribute__((used, aligned(4096)));
static volatile uint32_t pt32[1024] __attribute__((used, aligned(4096)));
static volatile uint32_t page_a[1024] __attribute__((used, aligned(4096)));
static volatile uint32_t page_b[1024] __attribute__((used, aligned(4096)));
static volatile uint32_t page_c[1024] __attribute__((aligned(4096)));
static volatile uint32_t page_d[1024] __attribute__((aligned(4096)));
static volatile uint64_t pd_a[512] __attribute__((aligned(4096)));
static volatile uint64_t pd_b[512] __attribute__((aligned(4096)));
static volatile uint64_t pt_a[512] __attribute__((aligned(4096)));
static volatile uint64_t pt_b[512] __attribute__((aligned(4096)));
static volatile uint64_t pdpt_leg[4] __attribute__((used, aligned(32)));
static volatile uint64_t pdpt_bad[4] __attribute__((used, aligned(32)));
static volatile uint64_t pdpt_np[4] __attribute__((used, aligned(32)));
static volatile uint32_t m_pdpte_a __attribute__((used)), m_pdpte_b __attribute__((used));

void mode_tour(void (*tour)(void));
void tour_stair(void), tour_alt(void), tour_paging(void), tour_direct(void);
void compat_clear_pae(void *), compat_clear_lme(void *), compat_pg_with_nw(void *),
    compat_lmsw(void *);
void f_clear_pg64(void *), f_x87_div0(void *);
extern char stub32_base[], rm_start[], rm_end[], rm_stubs[], rm_farfn[], rm_after_farcall[];
extern char alt_ret64[], alt_back32[], alt_after_call16[];

__asm__(
    "/* ---- helpers (gas macros) ---- */\n"
    ".macro SEGS32\n"
    "    movw $0x10, %ax\n"
    "    movw %ax, %ds\n"
    "    movw %ax, %es\n"
    "    movw %ax, %fs\n"
    "    movw %ax, %gs\n"
    "    movw %ax, %ss\n"
    ".endm\n"
    ".macro PM16_SEGS\n"
    "    movw $0x60, %ax\n"
    "    movw %ax, %ds\n"
    "    movw %ax, %es\n"
    "    movw %ax, %fs\n"
    "    movw %ax, %gs\n"
    "    movw %ax, %ss\n"
    ".endm\n"
    ".macro REAL_SEGS\n"
    "    movw %cs, %ax\n"
    "    movw %ax, %ds\n"
    "    movw %ax, %es\n"
    "    movw %ax, %fs\n"
    "    movw %ax, %gs\n"
    "    movw %ax, %ss\n"
    ".endm\n"
    "/* 64-bit mode to compatibility mode: a far return to the 32-bit code segment. */\n"
    ".macro TO_COMPAT label\n"
    "    pushq $0x08\n"
    "    leaq \\label(%rip), %rax\n"
    "    pushq %rax\n"
    "    lretq\n"
    ".endm\n"
    "/* Compatibility mode to legacy protected mode: CR0.PG off (10.8.5.4); the\n"
    " * 32-bit IDT at once. */\n"
    ".macro LEAVE_IA32E\n"
    "    movl %cr0, %eax\n"
    "    andl $0x7FFFFFFF, %eax\n"
    "    movl %eax, %cr0\n"
    "    lidt idt32_ptr\n"
    ".endm\n"
    ".macro LME_OFF\n"
    "    movl $0xC0000080, %ecx\n"
    "    rdmsr\n"
    "    andl $0xFFFFFEFF, %eax\n"
    "    wrmsr\n"
    ".endm\n"
    ".macro LME_ON\n"
    "    movl $0xC0000080, %ecx\n"
    "    rdmsr\n"
    "    orl $0x100, %eax\n"
    "    wrmsr\n"
    ".endm\n"
    "/* Legacy protected mode, paging off, EFER.LME set: the SDK's IDT, CR4, CR3,\n"
    " * then CR0 with PG: IA-32e mode, compatibility mode (10.8.5). */\n"
    ".macro ENTER_IA32E\n"
    "    lidt m_idtr\n"
    "    movl m_saved_cr4, %eax\n"
    "    movl %eax, %cr4\n"
    "    movl m_saved_cr3, %eax\n"
    "    movl %eax, %cr3\n"
    "    movl m_saved_cr0, %eax\n"
    "    movl %eax, %cr0\n"
    ".endm\n"
    "/* 16-bit protected mode (segments 0x60) to real mode: the real-mode IVT,\n"
    " * CR0.PE off, a far return to the low page's real-mode segment (10.9.2). */\n"
    ".macro TO_REAL label\n"
    "    lidtl LO_IDTP\n"
    "    movl %cr0, %eax\n"
    "    andl $0xFFFFFFFE, %eax\n"
    "    movl %eax, %cr0\n"
    "    pushw LO_SEG\n"
    "    pushw $(\\label - rm_start)\n"
    "    lretw\n"
    ".endm\n"
    "/* Real mode to 16-bit protected mode: CR0.PE, a far jump (10.9.1). */\n"
    ".macro TO_PM16 label\n"
    "    movl %cr0, %eax\n"
    "    orl $1, %eax\n"
    "    movl %eax, %cr0\n"
    "    ljmp $0x58, $(\\label - rm_start)\n"
    ".endm\n"
    "\n"
    "/* A stop's record (32-bit code, legacy or compatibility mode): CS, the\n"
    " * width of PUSH eAX (the stack's and the operand size), what B8 + imm32\n"
    " * loads (the default operand size), whether byte 40H is INC eAX or a REX\n"
    " * prefix, CR0, CR4, EFER, CPUID leaves 0 and 1, SMSW m16, SS, DS. */\n"
    ".macro STOP32 r\n"
    "    movl $0x5A5A, m_res+4*(\\r+0)\n"
    "    xorl %eax, %eax\n"
    "    movw %cs, %ax\n"
    "    movl %eax, m_res+4*(\\r+1)\n"
    "    movl %esp, %edx\n"
    "    .byte 0x50\n"
    "    movl %esp, %ecx\n"
    "    .byte 0x58\n"
    "    subl %ecx, %edx\n"
    "    movl %edx, m_res+4*(\\r+2)\n"
    "    xorl %eax, %eax\n"
    "    .byte 0xB8, 0x78, 0x56, 0x34, 0x12\n"
    "    movl %eax, m_res+4*(\\r+3)\n"
    "    xorl %eax, %eax\n"
    "    .byte 0x40\n"
    "    nop\n"
    "    movl %eax, m_res+4*(\\r+4)\n"
    "    movl %cr0, %eax\n"
    "    movl %eax, m_res+4*(\\r+5)\n"
    "    movl %cr4, %eax\n"
    "    movl %eax, m_res+4*(\\r+6)\n"
    "    movl $0xC0000080, %ecx\n"
    "    rdmsr\n"
    "    movl %eax, m_res+4*(\\r+7)\n"
    "    xorl %eax, %eax\n"
    "    xorl %ecx, %ecx\n"
    "    cpuid\n"
    "    movl %eax, m_res+4*(\\r+8)\n"
    "    movl %ebx, m_res+4*(\\r+9)\n"
    "    movl %ecx, m_res+4*(\\r+10)\n"
    "    movl %edx, m_res+4*(\\r+11)\n"
    "    movl $1, %eax\n"
    "    xorl %ecx, %ecx\n"
    "    cpuid\n"
    "    movl %eax, m_res+4*(\\r+12)\n"
    "    movl %edx, m_res+4*(\\r+13)\n"
    "    movl $0, m_res+4*(\\r+14)\n"
    "    smsw m_res+4*(\\r+14)\n"
    "    xorl %eax, %eax\n"
    "    movw %ss, %ax\n"
    "    movl %eax, m_res+4*(\\r+16)\n"
    "    movw %ds, %ax\n"
    "    movl %eax, m_res+4*(\\r+17)\n"
    ".endm\n"
    "\n"
    "/* The same from 16-bit code (real mode or 16-bit protected mode), into the\n"
    " * low page's records (DS has the low page's base). */\n"
    ".macro STOP16 r\n"
    "    movl $0x5A5A, LO_REC+4*(\\r+0)\n"
    "    xorl %eax, %eax\n"
    "    movw %cs, %ax\n"
    "    movl %eax, LO_REC+4*(\\r+1)\n"
    "    movl %esp, %edx\n"
    "    .byte 0x50\n"
    "    movl %esp, %ecx\n"
    "    .byte 0x58\n"
    "    subl %ecx, %edx\n"
    "    movl %edx, LO_REC+4*(\\r+2)\n"
    "    xorl %eax, %eax\n"
    "    .byte 0xB8, 0x78, 0x56, 0x34, 0x12\n"
    "    movl %eax, LO_REC+4*(\\r+3)\n"
    "    xorl %eax, %eax\n"
    "    .byte 0x40\n"
    "    nop\n"
    "    movl %eax, LO_REC+4*(\\r+4)\n"
    "    movl %cr0, %eax\n"
    "    movl %eax, LO_REC+4*(\\r+5)\n"
    "    movl %cr4, %eax\n"
    "    movl %eax, LO_REC+4*(\\r+6)\n"
    "    movl $0xC0000080, %ecx\n"
    "    rdmsr\n"
    "    movl %eax, LO_REC+4*(\\r+7)\n"
    "    xorl %eax, %eax\n"
    "    xorl %ecx, %ecx\n"
    "    cpuid\n"
    "    movl %eax, LO_REC+4*(\\r+8)\n"
    "    movl %ebx, LO_REC+4*(\\r+9)\n"
    "    movl %ecx, LO_REC+4*(\\r+10)\n"
    "    movl %edx, LO_REC+4*(\\r+11)\n"
    "    movl $1, %eax\n"
    "    xorl %ecx, %ecx\n"
    "    cpuid\n"
    "    movl %eax, LO_REC+4*(\\r+12)\n"
    "    movl %edx, LO_REC+4*(\\r+13)\n"
    "    movl $0, LO_REC+4*(\\r+14)\n"
    "    smsw LO_REC+4*(\\r+14)\n"
    "    xorl %eax, %eax\n"
    "    movw %ss, %ax\n"
    "    movl %eax, LO_REC+4*(\\r+16)\n"
    "    movw %ds, %ax\n"
    "    movl %eax, LO_REC+4*(\\r+17)\n"
    ".endm\n"
    "\n"
    "/* insn under the legacy-mode IDT's catch: the vector (-1: none) and error\n"
    " * code go to m_res[slot], m_res[slot + 1]; execution goes on after insn. */\n"
    ".macro TRY32 slot, insn:vararg\n"
    "    movl $-1, m_fvec\n"
    "    movl $0, m_ferr\n"
    "    movl $.Lt32_\\@, m_resume\n"
    "    \\insn\n"
    ".Lt32_\\@:\n"
    "    movl $0, m_resume\n"
    "    pushl %eax\n"
    "    movl m_fvec, %eax\n"
    "    movl %eax, m_res+4*(\\slot)\n"
    "    movl m_ferr, %eax\n"
    "    movl %eax, m_res+4*(\\slot+1)\n"
    "    popl %eax\n"
    ".endm\n"
    "\n"
    "/* insn in real mode under the IVT's catch: record (10 dwords at slot):\n"
    " * vector (0xFFFF: none), pushed IP, CS, FLAGS, FLAGS inside the handler,\n"
    " * insn's offset, the next instruction's offset, FLAGS after, FLAGS before. */\n"
    ".macro RMTRY slot, insn:vararg\n"
    "    movw $0xFFFF, LO_FVEC\n"
    "    movw $0, LO_FIP\n"
    "    movw $0, LO_FCS\n"
    "    movw $0, LO_FFLAGS\n"
    "    movw $0, LO_HFLAGS\n"
    "    movw $(.Lrn\\@ - rm_start), LO_RESUME\n"
    "    movl $(.Lri\\@ - rm_start), LO_REC+4*(\\slot+5)\n"
    "    movl $(.Lrn\\@ - rm_start), LO_REC+4*(\\slot+6)\n"
    "    pushfw\n"
    "    popw LO_REC+4*(\\slot+8)\n"
    ".Lri\\@:\n"
    "    \\insn\n"
    ".Lrn\\@:\n"
    "    pushfw\n"
    "    popw LO_REC+4*(\\slot+7)\n"
    "    movw $0, LO_RESUME\n"
    "    movzwl LO_FVEC, %eax\n"
    "    movl %eax, LO_REC+4*(\\slot+0)\n"
    "    movzwl LO_FIP, %eax\n"
    "    movl %eax, LO_REC+4*(\\slot+1)\n"
    "    movzwl LO_FCS, %eax\n"
    "    movl %eax, LO_REC+4*(\\slot+2)\n"
    "    movzwl LO_FFLAGS, %eax\n"
    "    movl %eax, LO_REC+4*(\\slot+3)\n"
    "    movzwl LO_HFLAGS, %eax\n"
    "    movl %eax, LO_REC+4*(\\slot+4)\n"
    ".endm\n"
    "\n"
    "/* ======================= 64-bit entry and exit ======================= */\n"
    "    .text\n"
    "    .code64\n"
    "/* void mode_tour(void (*tour)(void)): save the C state, run a tour (code\n"
    " * that leaves 64-bit mode and comes back through mode_exit64 or pm32_exit). */\n"
    "    .globl mode_tour\n"
    "mode_tour:\n"
    "    pushq %rbx\n"
    "    pushq %rbp\n"
    "    pushq %r12\n"
    "    pushq %r13\n"
    "    pushq %r14\n"
    "    pushq %r15\n"
    "    pushfq\n"
    "    cli\n"
    "    movq %rsp, m_saved_rsp(%rip)\n"
    "    jmp *%rdi\n"
    "\n"
    "/* Back in 64-bit mode: the SDK's segments, GDT, IDT and stack. */\n"
    "    .globl mode_exit64\n"
    "mode_exit64:\n"
    "    movw $0x10, %ax\n"
    "    movw %ax, %ds\n"
    "    movw %ax, %es\n"
    "    movw %ax, %ss\n"
    "    xorl %eax, %eax\n"
    "    movw %ax, %fs\n"
    "    movw %ax, %gs\n"
    "    lgdt m_gdtr(%rip)\n"
    "    lidt m_idtr(%rip)\n"
    "    movq m_saved_rsp(%rip), %rsp\n"
    "    popfq\n"
    "    popq %r15\n"
    "    popq %r14\n"
    "    popq %r13\n"
    "    popq %r12\n"
    "    popq %rbp\n"
    "    popq %rbx\n"
    "    ret\n"
    "\n"
    "    .code32\n"
    "/* From anywhere in legacy protected mode (and from real mode through\n"
    " * rm_exit): paging off, back to IA-32e mode and mode_exit64. */\n"
    "    .globl pm32_exit\n"
    "pm32_exit:\n"
    "    cli\n"
    "    SEGS32\n"
    "    movl m_saved_rsp, %esp\n"
    "    movl %cr0, %eax\n"
    "    andl $0x7FFFFFFF, %eax\n"
    "    movl %eax, %cr0\n"
    "    LME_ON\n"
    "    ENTER_IA32E\n"
    "    ljmp $0x18, $mode_exit64\n"
    "\n"
    "/* The legacy-mode IDT's stubs (32 interrupt gates, 16 bytes apart): the\n"
    " * vector, error code and EIP go to m_fvec/m_ferr/m_feip; with m_resume set\n"
    " * execution resumes there, else the tour ends (m_fatal). */\n"
    "    .balign 16\n"
    "    .globl stub32_base\n"
    "stub32_base:\n"
    ".irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31\n"
    "    .balign 16\n"
    ".if (\\v == 8) | (\\v == 10) | (\\v == 11) | (\\v == 12) | (\\v == 13) | (\\v == 14) | (\\v == 17) | (\\v == 21) | (\\v == 29) | (\\v == 30)\n"
    ".else\n"
    "    pushl $0\n"
    ".endif\n"
    "    pushl $\\v\n"
    "    jmp c32_common\n"
    ".endr\n"
    "c32_common:\n"
    "    pushl %eax\n"
    "    pushl %ds\n"
    "    movw $0x10, %ax\n"
    "    movw %ax, %ds\n"
    "    movl 8(%esp), %eax\n"
    "    movl %eax, m_fvec\n"
    "    movl 12(%esp), %eax\n"
    "    movl %eax, m_ferr\n"
    "    movl 16(%esp), %eax\n"
    "    movl %eax, m_feip\n"
    "    incl m_fcount\n"
    "    movl m_resume, %eax\n"
    "    testl %eax, %eax\n"
    "    jz 1f\n"
    "    movl %eax, 16(%esp)\n"
    "    movl $0, m_resume\n"
    "    popl %ds\n"
    "    popl %eax\n"
    "    addl $8, %esp\n"
    "    iret\n"
    "1:  movl m_fvec, %eax\n"
    "    orl $0x100, %eax\n"
    "    movl %eax, m_fatal\n"
    "    jmp pm32_exit\n"
    "\n"
    "/* ============ tour 1: down the staircase and back up ============\n"
    " * 64-bit -> compatibility -> legacy 32-bit (EFER.LME still set, then\n"
    " * clear) -> 16-bit protected -> real (the real-mode tests) -> 16-bit\n"
    " * protected -> legacy 32-bit -> (LME) -> compatibility -> 64-bit. */\n"
    "    .code64\n"
    "    .globl tour_stair\n"
    "tour_stair:\n"
    "    TO_COMPAT stair_c\n"
    "    .code32\n"
    "stair_c:\n"
    "    STOP32 S_C\n"
    "    LEAVE_IA32E\n"
    "    STOP32 S_LA\n"
    "    LME_OFF\n"
    "    STOP32 S_LB\n"
    "    ljmp $0x58, $(rm_stair_pm16 - rm_start)\n"
    "stair_up32:\n"
    "    SEGS32\n"
    "    movl m_saved_rsp, %esp\n"
    "    lidt idt32_ptr\n"
    "    STOP32 S_LU\n"
    "    LME_ON\n"
    "    STOP32 S_LU2\n"
    "    ENTER_IA32E\n"
    "    STOP32 S_CU\n"
    "    ljmp $0x18, $mode_exit64\n"
    "\n"
    "/* ============ tour 2: other ways between the modes ============\n"
    " * 64 -> compat by a far CALL through an m16:32 pointer, back by a 32-bit\n"
    " * far RET; 64 -> compat by a far JMP through m16:32; compat -> 64 by a far\n"
    " * CALL, back by a 32-bit far RET; legacy 32 -> 16-bit protected by a far\n"
    " * CALL, back by a 32-bit far RET; 16-bit protected -> real -> 16-bit\n"
    " * protected by LMSW; LMSW and CLTS there; real -> legacy 32-bit directly\n"
    " * (a far JMP to the 32-bit code segment). */\n"
    "    .code64\n"
    "    .globl tour_alt\n"
    "tour_alt:\n"
    "    lcall *alt_ptr_call(%rip)\n"
    "    .globl alt_ret64\n"
    "alt_ret64:\n"
    "    ljmp *alt_ptr_jmp(%rip)\n"
    "alt_64fn:\n"
    "    movl (%rsp), %eax\n"
    "    movl %eax, m_res+4*A_CALL64\n"
    "    movl 4(%rsp), %eax\n"
    "    movl %eax, m_res+4*(A_CALL64+1)\n"
    "    .byte 0xCB                      /* RET far, 32-bit operand size */\n"
    "    .code32\n"
    "alt_callee:\n"
    "    movl (%esp), %eax\n"
    "    movl %eax, m_res+4*A_CALL\n"
    "    movl 4(%esp), %eax\n"
    "    movl %eax, m_res+4*(A_CALL+1)\n"
    "    STOP32 S_AC0\n"
    "    lret\n"
    "alt_compat:\n"
    "    lcall $0x18, $alt_64fn\n"
    "    .globl alt_back32\n"
    "alt_back32:\n"
    "    STOP32 S_AC\n"
    "    LEAVE_IA32E\n"
    "    LME_OFF\n"
    "    STOP32 S_AL\n"
    "    lcall $0x58, $(rm_alt_callee - rm_start)\n"
    "    .globl alt_after_call16\n"
    "alt_after_call16:\n"
    "    ljmp $0x58, $(rm_alt_pm16 - rm_start)\n"
    "alt_up32:\n"
    "    SEGS32\n"
    "    movl m_saved_rsp, %esp\n"
    "    lidt idt32_ptr\n"
    "    STOP32 S_AL2\n"
    "    LME_ON\n"
    "    ENTER_IA32E\n"
    "    ljmp $0x18, $mode_exit64\n"
    "\n"
    "/* ============ tour 3: paging outside IA-32e mode ============ */\n"
    "    .code64\n"
    "    .globl tour_paging\n"
    "tour_paging:\n"
    "    TO_COMPAT pg_c\n"
    "    .code32\n"
    "pg_c:\n"
    "    LEAVE_IA32E\n"
    "    LME_OFF\n"
    "    /* 32-bit paging with 4 MiB pages (CR4.PSE, PAE clear; 4.3) */\n"
    "    movl m_saved_cr4, %eax\n"
    "    andl $0xFFFFFFDF, %eax\n"
    "    orl $0x10, %eax\n"
    "    movl %eax, %cr4\n"
    "    movl $pd32, %eax\n"
    "    movl %eax, %cr3\n"
    "    movl %cr0, %eax\n"
    "    orl $0x80000000, %eax\n"
    "    movl %eax, %cr0\n"
    "    STOP32 S_P32\n"
    "    movl VA4M+page_a, %eax\n"
    "    movl %eax, m_res+4*(PG_R+0)\n"
    "    movl $0x600DF00D, VA4M+page_a+4\n"
    "    movl VA4K, %eax\n"
    "    movl %eax, m_res+4*(PG_R+1)\n"
    "    movl $0x600DF00D, VA4K+4\n"
    "    movl $0xC0000080, %ecx\n"
    "    rdmsr\n"
    "    orl $0x100, %eax\n"
    "    TRY32 PG_T+0, wrmsr\n"
    "    movl $0xC0000080, %ecx\n"
    "    rdmsr\n"
    "    movl %eax, m_res+4*(PG_R+6)\n"
    "    movl %cr0, %eax\n"
    "    andl $0x7FFFFFFF, %eax\n"
    "    movl %eax, %cr0\n"
    "    /* PAE paging outside IA-32e mode: the PDPTEs load with CR0.PG (4.4.1) */\n"
    "    movl m_saved_cr4, %eax\n"
    "    movl %eax, %cr4\n"
    "    movl $pdpt_leg, %eax\n"
    "    movl %eax, %cr3\n"
    "    movl %cr0, %eax\n"
    "    orl $0x80000000, %eax\n"
    "    movl %eax, %cr0\n"
    "    STOP32 S_PAE\n"
    "    movl VAPAE, %eax\n"
    "    movl %eax, m_res+4*(PG_R+7)\n"
    "    /* PDPTE 1 now points elsewhere in memory; the CPU keeps the one it\n"
    "     * loaded until CR3 is loaded again, whatever INVLPG or CPUID do. */\n"
    "    movl m_pdpte_b, %eax\n"
    "    movl %eax, pdpt_leg+8\n"
    "    invlpg VAPAE\n"
    "    movl VAPAE, %eax\n"
    "    movl %eax, m_res+4*(PG_R+8)\n"
    "    xorl %eax, %eax\n"
    "    xorl %ecx, %ecx\n"
    "    cpuid\n"
    "    invlpg VAPAE\n"
    "    movl VAPAE, %eax\n"
    "    movl %eax, m_res+4*(PG_R+9)\n"
    "    movl %cr3, %eax\n"
    "    movl %eax, %cr3\n"
    "    movl VAPAE, %eax\n"
    "    movl %eax, m_res+4*(PG_R+10)\n"
    "    movl m_pdpte_a, %eax\n"
    "    movl %eax, pdpt_leg+8\n"
    "    movl %cr3, %eax\n"
    "    movl %eax, %cr3\n"
    "    movl $0xC0000080, %ecx\n"
    "    rdmsr\n"
    "    orl $0x100, %eax\n"
    "    TRY32 PG_T+2, wrmsr\n"
    "    movl $pdpt_bad, %eax\n"
    "    TRY32 PG_T+4, movl %eax, %cr3\n"
    "    movl %cr3, %eax\n"
    "    movl %eax, m_res+4*(PG_R+11)\n"
    "    movl %cr0, %eax\n"
    "    andl $0x7FFFFFFF, %eax\n"
    "    movl %eax, %cr0\n"
    "    movl %cr0, %eax\n"
    "    movl %eax, m_res+4*(PG_R+12)\n"
    "    /* CR0.PG with a present PDPTE's reserved bit: #GP */\n"
    "    movl $pdpt_bad, %eax\n"
    "    movl %eax, %cr3\n"
    "    movl %cr0, %eax\n"
    "    orl $0x80000000, %eax\n"
    "    TRY32 PG_T+6, movl %eax, %cr0\n"
    "    movl %cr0, %eax\n"
    "    movl %eax, m_res+4*(PG_R+13)\n"
    "    andl $0x7FFFFFFF, %eax\n"
    "    movl %eax, %cr0\n"
    "    /* ... a not-present PDPTE's reserved bits are not checked */\n"
    "    movl $pdpt_np, %eax\n"
    "    movl %eax, %cr3\n"
    "    movl %cr0, %eax\n"
    "    orl $0x80000000, %eax\n"
    "    TRY32 PG_T+8, movl %eax, %cr0\n"
    "    movl %cr0, %eax\n"
    "    movl %eax, m_res+4*(PG_R+14)\n"
    "    andl $0x7FFFFFFF, %eax\n"
    "    movl %eax, %cr0\n"
    "    movl $pdpt_leg, %eax\n"
    "    movl %eax, %cr3\n"
    "    /* CR0.PG together with NW set and CD clear: #GP */\n"
    "    movl m_cr0_legacy, %eax\n"
    "    andl $0xBFFFFFFF, %eax\n"
    "    orl $0xA0000000, %eax\n"
    "    TRY32 PG_T+10, movl %eax, %cr0\n"
    "    movl %cr0, %eax\n"
    "    movl %eax, m_res+4*(PG_R+15)\n"
    "    movl m_cr0_legacy, %eax\n"
    "    movl %eax, %cr0\n"
    "    /* NW set, CD clear, PG unchanged: #GP */\n"
    "    movl m_cr0_legacy, %eax\n"
    "    andl $0xBFFFFFFF, %eax\n"
    "    orl $0x20000000, %eax\n"
    "    TRY32 PG_T+12, movl %eax, %cr0\n"
    "    movl m_cr0_legacy, %eax\n"
    "    movl %eax, %cr0\n"
    "    /* A reserved CR0 bit (6) with CR0.PG: ignored (2.5) */\n"
    "    movl m_cr0_legacy, %eax\n"
    "    orl $0x80000040, %eax\n"
    "    TRY32 PG_T+14, movl %eax, %cr0\n"
    "    movl %cr0, %eax\n"
    "    movl %eax, m_res+4*(PG_R+16)\n"
    "    movl m_cr0_legacy, %eax\n"
    "    movl %eax, %cr0\n"
    "    /* ... and alone */\n"
    "    movl m_cr0_legacy, %eax\n"
    "    orl $0x40, %eax\n"
    "    TRY32 PG_T+16, movl %eax, %cr0\n"
    "    movl %cr0, %eax\n"
    "    movl %eax, m_res+4*(PG_R+17)\n"
    "    movl m_cr0_legacy, %eax\n"
    "    movl %eax, %cr0\n"
    "    /* CR0.PG with EFER.LME set and CR4.PAE clear: #GP */\n"
    "    movl m_saved_cr4, %eax\n"
    "    andl $0xFFFFFFDF, %eax\n"
    "    movl %eax, %cr4\n"
    "    LME_ON\n"
    "    movl m_cr0_legacy, %eax\n"
    "    orl $0x80000000, %eax\n"
    "    TRY32 PG_T+18, movl %eax, %cr0\n"
    "    movl %cr0, %eax\n"
    "    movl %eax, m_res+4*(PG_R+18)\n"
    "    movl $0xC0000080, %ecx\n"
    "    rdmsr\n"
    "    movl %eax, m_res+4*(PG_R+19)\n"
    "    LME_OFF\n"
    "    movl m_saved_cr4, %eax\n"
    "    movl %eax, %cr4\n"
    "    /* CR0.PG without PE: #GP */\n"
    "    movl m_cr0_legacy, %eax\n"
    "    andl $0xFFFFFFFE, %eax\n"
    "    orl $0x80000000, %eax\n"
    "    TRY32 PG_T+20, movl %eax, %cr0\n"
    "    /* CR4: reserved bit 15, PCIDE outside IA-32e mode: #GP */\n"
    "    movl %cr4, %eax\n"
    "    orl $0x8000, %eax\n"
    "    TRY32 PG_T+22, movl %eax, %cr4\n"
    "    movl %cr4, %eax\n"
    "    orl $0x20000, %eax\n"
    "    TRY32 PG_T+24, movl %eax, %cr4\n"
    "    movl %cr4, %eax\n"
    "    movl %eax, m_res+4*(PG_R+20)\n"
    "    /* CLTS, LMSW (cannot clear PE), SMSW r32 in legacy protected mode */\n"
    "    movl %cr0, %eax\n"
    "    orl $8, %eax\n"
    "    movl %eax, %cr0\n"
    "    clts\n"
    "    movl %cr0, %eax\n"
    "    movl %eax, m_res+4*(PG_R+21)\n"
    "    movw $0x000E, %ax\n"
    "    lmsw %ax\n"
    "    movl %cr0, %eax\n"
    "    movl %eax, m_res+4*(PG_R+22)\n"
    "    movl m_cr0_legacy, %eax\n"
    "    movl %eax, %cr0\n"
    "    movl $0xFFFFFFFF, %eax\n"
    "    smsw %eax\n"
    "    movl %eax, m_res+4*(PG_R+23)\n"
    "    jmp pm32_exit\n"
    "\n"
    "/* ============ tour 4: real mode straight to IA-32e mode ============\n"
    " * Real mode, EFER.LME and CR4.PAE set, then CR0.PE and CR0.PG in one MOV\n"
    " * (IA-32e mode, compatibility mode on the real-mode code segment), then a\n"
    " * far JMP to the 64-bit code segment. */\n"
    "    .code64\n"
    "    .globl tour_direct\n"
    "tour_direct:\n"
    "    TO_COMPAT dir_c\n"
    "    .code32\n"
    "dir_c:\n"
    "    LEAVE_IA32E\n"
    "    LME_OFF\n"
    "    ljmp $0x58, $(rm_dir_pm16 - rm_start)\n"
    "    .code64\n"
    "    .globl dir_64\n"
    "dir_64:\n"
    "    movl $0x5A5A, m_res+4*(S_D64+0)\n"
    "    xorl %eax, %eax\n"
    "    movw %cs, %ax\n"
    "    movl %eax, m_res+4*(S_D64+1)\n"
    "    movq %cr0, %rax\n"
    "    movl %eax, m_res+4*(S_D64+5)\n"
    "    movq %cr4, %rax\n"
    "    movl %eax, m_res+4*(S_D64+6)\n"
    "    movl $0xC0000080, %ecx\n"
    "    rdmsr\n"
    "    movl %eax, m_res+4*(S_D64+7)\n"
    "    jmp mode_exit64\n"
    "\n"
    "/* ============ compatibility-mode snippets, far-called from 64-bit C ============\n"
    " * (under sdk_catch: an exception goes through the SDK's 64-bit IDT) */\n"
    "    .code64\n"
    ".macro COMPAT_FN name\n"
    "    .globl \\name\n"
    "\\name:\n"
    "    pushq %rbx\n"
    "    lcall *\\name\\()_ptr(%rip)\n"
    "    popq %rbx\n"
    "    ret\n"
    "    .pushsection .data\n"
    "    .balign 8\n"
    "\\name\\()_ptr:\n"
    "    .long \\name\\()_32\n"
    "    .word 0x08\n"
    "    .popsection\n"
    "    .code32\n"
    "\\name\\()_32:\n"
    ".endm\n"
    "\n"
    "COMPAT_FN compat_clear_pae\n"
    "    movl %cr4, %eax\n"
    "    andl $0xFFFFFFDF, %eax\n"
    "    movl %eax, %cr4\n"
    "    lret\n"
    "    .code64\n"
    "COMPAT_FN compat_clear_lme\n"
    "    movl $0xC0000080, %ecx\n"
    "    rdmsr\n"
    "    andl $0xFFFFFEFF, %eax\n"
    "    wrmsr\n"
    "    lret\n"
    "    .code64\n"
    "COMPAT_FN compat_pg_with_nw\n"
    "    movl %cr0, %eax\n"
    "    andl $0xBFFFFFFF, %eax\n"
    "    orl $0x20000000, %eax\n"
    "    movl %eax, %cr0\n"
    "    lret\n"
    "    .code64\n"
    "COMPAT_FN compat_lmsw\n"
    "    movl %cr0, %eax\n"
    "    movl %eax, m_res+4*(X_CLMSW+0)\n"
    "    movw $0x000E, %ax\n"
    "    lmsw %ax\n"
    "    movl %cr0, %eax\n"
    "    movl %eax, m_res+4*(X_CLMSW+1)\n"
    "    clts\n"
    "    movl %cr0, %eax\n"
    "    movl %eax, m_res+4*(X_CLMSW+2)\n"
    "    movl m_res+4*(X_CLMSW+0), %eax\n"
    "    movl %eax, %cr0\n"
    "    movl $0xC0000080, %ecx\n"
    "    rdmsr\n"
    "    movl %eax, m_res+4*(X_CLMSW+3)\n"
    "    lret\n"
    "    .code64\n"
    "\n"
    "/* Clearing CR0.PG in 64-bit mode (#GP). Should the MOV complete, the CPU\n"
    " * is in protected mode on the 64-bit code segment (D = 0: 16-bit code):\n"
    " * the bytes after it are a 32-bit far JMP there that goes back to IA-32e\n"
    " * mode and returns (#UD in 64-bit mode: never a hang). */\n"
    "    .globl f_clear_pg64\n"
    "f_clear_pg64:\n"
    "    movq %cr0, %rax\n"
    "    btrq $31, %rax\n"
    "    movq %rax, %cr0\n"
    "    .byte 0x66, 0xEA\n"
    "    .long pg64_recover32\n"
    "    .word 0x08\n"
    "    .code32\n"
    "pg64_recover32:\n"
    "    SEGS32\n"
    "    movl %cr0, %eax\n"
    "    orl $0x80000000, %eax\n"
    "    movl %eax, %cr0\n"
    "    ljmp $0x18, $pg64_recover64\n"
    "    .code64\n"
    "pg64_recover64:\n"
    "    ret\n"
    "\n"
    "/* x87: 1/0 with the zero-divide exception unmasked, then FWAIT. With\n"
    " * CR0.NE set that FWAIT raises #MF; with NE clear the error goes to the\n"
    " * FERR# pin (IRQ 13 through the 8259A) instead (SDM Vol. 1, 8.7). */\n"
    "    .globl f_x87_div0\n"
    "f_x87_div0:\n"
    "    fninit\n"
    "    subq $8, %rsp\n"
    "    movw $0x037B, (%rsp)\n"
    "    fldcw (%rsp)\n"
    "    addq $8, %rsp\n"
    "    fldz\n"
    "    fld1\n"
    "    fdiv %st(1), %st\n"
    "    fwait\n"
    "    fnclex\n"
    "    fninit\n"
    "    ret\n"
    "\n"
    "    .pushsection .data\n"
    "    .balign 8\n"
    "alt_ptr_call:\n"
    "    .long alt_callee\n"
    "    .word 0x08\n"
    "    .balign 8\n"
    "alt_ptr_jmp:\n"
    "    .long alt_compat\n"
    "    .word 0x08\n"
    "    .popsection\n"
    "\n"
    "/* ======================= the low pages' code =======================\n"
    " * Copied to P (two pages below 1 MiB): every reference is relative to\n"
    " * rm_start, the segment base in real mode (P >> 4) and in 16-bit\n"
    " * protected mode (selectors 0x58/0x60, base P). */\n"
    "    .section .rodata.modes_rm, \"a\"\n"
    "    .balign 16\n"
    "    .code16\n"
    "    .globl rm_start, rm_end, rm_stubs, rm_farfn\n"
    "rm_start:\n"
    "\n"
    "/* tour 1 */\n"
    "rm_stair_pm16:\n"
    "    PM16_SEGS\n"
    "    movl $LO_STACK, %esp\n"
    "    STOP16 R_P\n"
    "    TO_REAL rm_stair_real\n"
    "rm_stair_real:\n"
    "    REAL_SEGS\n"
    "    STOP16 R_R\n"
    "    call rm_tests\n"
    "    TO_PM16 rm_stair_pm16up\n"
    "rm_stair_pm16up:\n"
    "    PM16_SEGS\n"
    "    STOP16 R_PU\n"
    "    ljmpl $0x08, $stair_up32\n"
    "\n"
    "/* tour 2 */\n"
    "rm_alt_callee:\n"
    "    movl (%esp), %eax\n"
    "    movl 4(%esp), %edx\n"
    "    pushw %ds\n"
    "    movw $0x60, %cx\n"
    "    movw %cx, %ds\n"
    "    movl %eax, LO_REC+4*M_ALT\n"
    "    movl %edx, LO_REC+4*(M_ALT+1)\n"
    "    STOP16 R_AP\n"
    "    popw %ds\n"
    "    lretl\n"
    "rm_alt_pm16:\n"
    "    PM16_SEGS\n"
    "    movl $LO_STACK, %esp\n"
    "    TO_REAL rm_alt_real\n"
    "rm_alt_real:\n"
    "    REAL_SEGS\n"
    "    STOP16 R_AR\n"
    "    call rm_misc\n"
    "    /* up with LMSW: it can set PE */\n"
    "    xorl %eax, %eax\n"
    "    smsw %ax\n"
    "    orw $1, %ax\n"
    "    lmsw %ax\n"
    "    movl %cr0, %eax\n"
    "    movl %eax, LO_REC+4*(M_ALT+2)\n"
    "    ljmp $0x58, $(rm_alt_pm16up - rm_start)\n"
    "rm_alt_pm16up:\n"
    "    PM16_SEGS\n"
    "    STOP16 R_APU\n"
    "    /* LMSW cannot clear PE; it sets MP, EM, TS; CLTS clears TS */\n"
    "    movl %cr0, %eax\n"
    "    movl %eax, LO_SAVE\n"
    "    movw $0x000E, %ax\n"
    "    lmsw %ax\n"
    "    movl %cr0, %eax\n"
    "    movl %eax, LO_REC+4*(M_ALT+3)\n"
    "    clts\n"
    "    movl %cr0, %eax\n"
    "    movl %eax, LO_REC+4*(M_ALT+4)\n"
    "    movl LO_SAVE, %eax\n"
    "    movl %eax, %cr0\n"
    "    TO_REAL rm_alt_real2\n"
    "rm_alt_real2:\n"
    "    REAL_SEGS\n"
    "    STOP16 R_AR2\n"
    "    movl %cr0, %eax\n"
    "    orl $1, %eax\n"
    "    movl %eax, %cr0\n"
    "    ljmpl $0x08, $alt_up32\n"
    "\n"
    "/* tour 4 */\n"
    "rm_dir_pm16:\n"
    "    PM16_SEGS\n"
    "    movl $LO_STACK, %esp\n"
    "    TO_REAL rm_dir_real\n"
    "rm_dir_real:\n"
    "    REAL_SEGS\n"
    "    STOP16 R_D\n"
    "    movl $0xC0000080, %ecx\n"
    "    rdmsr\n"
    "    orl $0x100, %eax\n"
    "    wrmsr\n"
    "    lgdtl LO_GDTP\n"
    "    lidtl LO_IDT64P\n"
    "    movl LO_CR0, %eax\n"
    "    movl %eax, %cr0\n"
    "    /* IA-32e mode now, compatibility mode, 16-bit code */\n"
    "    movl %cr0, %eax\n"
    "    movl %eax, LO_REC+4*(M_DIR+0)\n"
    "    movl $0xC0000080, %ecx\n"
    "    rdmsr\n"
    "    movl %eax, LO_REC+4*(M_DIR+1)\n"
    "    xorl %eax, %eax\n"
    "    .byte 0xB8, 0x78, 0x56, 0x34, 0x12\n"
    "    movl %eax, LO_REC+4*(M_DIR+2)\n"
    "    ljmpl $0x18, $dir_64\n"
    "\n"
    "/* The real-mode tests: interrupts and exceptions through the IVT. */\n"
    "rm_tests:\n"
    "    sti\n"
    "    RMTRY T_INT30, int $0x30\n"
    "    cli\n"
    "    RMTRY T_INT3, int3\n"
    "    movb $0x7F, %al\n"
    "    addb $1, %al\n"
    "    RMTRY T_INTO, into\n"
    "    RMTRY T_UD, ud2\n"
    "    xorb %cl, %cl\n"
    "    movw $1, %ax\n"
    "    RMTRY T_DE, divb %cl\n"
    "    movw $5, %ax\n"
    "    RMTRY T_BOUND, boundw %ax, LO_BOUNDS\n"
    "    RMTRY T_INTLIM, int $0x50\n"
    "    RMTRY T_GPLIM, movw 0xFFFF, %ax\n"
    "    RMTRY T_SSLIM, movw %ss:0xFFFF, %ax\n"
    "    ret\n"
    "\n"
    "/* More real-mode tests: LMSW, SMSW, CLTS, SGDT/SIDT, segment bases, a far\n"
    " * CALL to another segment. */\n"
    "rm_misc:\n"
    "    movl %cr0, %eax\n"
    "    movl %eax, LO_SAVE\n"
    "    movw $0x000A, %ax\n"
    "    lmsw %ax\n"
    "    movl %cr0, %eax\n"
    "    movl %eax, LO_REC+4*(M_LMSW+0)\n"
    "    xorl %eax, %eax\n"
    "    smsw %ax\n"
    "    movl %eax, LO_REC+4*(M_LMSW+1)\n"
    "    clts\n"
    "    movl %cr0, %eax\n"
    "    movl %eax, LO_REC+4*(M_LMSW+2)\n"
    "    movl LO_SAVE, %eax\n"
    "    movl %eax, %cr0\n"
    "    sgdtl LO_TMP\n"
    "    movzwl LO_TMP, %eax\n"
    "    movl %eax, LO_REC+4*(M_SGDT+0)\n"
    "    movl LO_TMP+2, %eax\n"
    "    movl %eax, LO_REC+4*(M_SGDT+1)\n"
    "    sidtl LO_TMP\n"
    "    movzwl LO_TMP, %eax\n"
    "    movl %eax, LO_REC+4*(M_SGDT+2)\n"
    "    movl LO_TMP+2, %eax\n"
    "    movl %eax, LO_REC+4*(M_SGDT+3)\n"
    "    movl $0, LO_TMP+2\n"
    "    sgdtw LO_TMP\n"
    "    movl LO_TMP+2, %eax\n"
    "    movl %eax, LO_REC+4*(M_SGDT+4)\n"
    "    /* segment base = selector * 16 */\n"
    "    movw $0x1234, LO_TMP+8\n"
    "    movw LO_SEG, %ax\n"
    "    incw %ax\n"
    "    movw %ax, %es\n"
    "    movzwl %es:(LO_TMP+8-16), %eax\n"
    "    movl %eax, LO_REC+4*(M_SEG+0)\n"
    "    movw %cs, %ax\n"
    "    movw %ax, %es\n"
    "    /* far CALL to the same code through segment P/16 - 1 */\n"
    "    lcall *LO_FARPTR\n"
    "    .globl rm_after_farcall\n"
    "rm_after_farcall:\n"
    "    ret\n"
    "\n"
    "rm_farfn:\n"
    "    xorl %eax, %eax\n"
    "    movw %cs, %ax\n"
    "    movl %eax, LO_REC+4*(M_FAR+0)\n"
    "    pushw %bp\n"
    "    movw %sp, %bp\n"
    "    movzwl 2(%bp), %eax\n"
    "    movl %eax, LO_REC+4*(M_FAR+1)\n"
    "    movzwl 4(%bp), %eax\n"
    "    movl %eax, LO_REC+4*(M_FAR+2)\n"
    "    popw %bp\n"
    "    lretw\n"
    "\n"
    "/* Every vector of the IVT (64 of them) has a stub here, 8 bytes apart. */\n"
    "    .balign 8\n"
    "rm_stubs:\n"
    ".irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31,32,33,34,35,36,37,38,39,40,41,42,43,44,45,46,47,48,49,50,51,52,53,54,55,56,57,58,59,60,61,62,63\n"
    "    .balign 8\n"
    "    pushw $\\v\n"
    "    jmp rm_common\n"
    ".endr\n"
    "/* Stack: vector, IP, CS, FLAGS. With LO_RESUME set, record and resume\n"
    " * there; else leave real mode and end the tour (LO_FATAL). */\n"
    "rm_common:\n"
    "    pushw %bp\n"
    "    movw %sp, %bp\n"
    "    pushw %ax\n"
    "    movw 2(%bp), %ax\n"
    "    movw %ax, %cs:LO_FVEC\n"
    "    movw 4(%bp), %ax\n"
    "    movw %ax, %cs:LO_FIP\n"
    "    movw 6(%bp), %ax\n"
    "    movw %ax, %cs:LO_FCS\n"
    "    movw 8(%bp), %ax\n"
    "    movw %ax, %cs:LO_FFLAGS\n"
    "    pushfw\n"
    "    popw %ax\n"
    "    movw %ax, %cs:LO_HFLAGS\n"
    "    incw %cs:LO_FCOUNT\n"
    "    movw %cs:LO_RESUME, %ax\n"
    "    testw %ax, %ax\n"
    "    jz rm_fatal\n"
    "    movw %ax, 4(%bp)\n"
    "    movw $0, %cs:LO_RESUME\n"
    "    popw %ax\n"
    "    popw %bp\n"
    "    addw $2, %sp\n"
    "    iretw\n"
    "rm_fatal:\n"
    "    movw %cs:LO_FVEC, %ax\n"
    "    orw $0x100, %ax\n"
    "    movw %ax, %cs:LO_FATAL\n"
    "rm_exit:\n"
    "    cli\n"
    "    lgdtl %cs:LO_GDTP\n"
    "    movl %cr0, %eax\n"
    "    orl $1, %eax\n"
    "    movl %eax, %cr0\n"
    "    ljmpl $0x08, $pm32_exit\n"
    "rm_end:\n"
    "    .code64\n"
    "    .text\n");

/* ---- the state every check compares with ---- */

static uint32_t C0, C4, E0;            /* CR0, CR4, EFER in 64-bit mode at the start */
static struct sdk_cpuid cpuid0, cpuid1;
static uint32_t lo;                    /* P */
static uint16_t seg;                   /* P >> 4 */

#define MAGIC 0x5A5A
#define NONE32 0xFFFFFFFFu             /* TRY32: no exception */
#define NONE16 0xFFFFu                 /* RMTRY: no exception */
#define OP16 0x566Au                   /* B8 78 56 34 12 with a 16-bit operand size */
#define OP32 0x12345678u

static volatile uint32_t *lrec(unsigned i)
{
    return (volatile uint32_t *)sdk_ptr(lo + LO_REC + 4 * i);
}

static volatile uint16_t *lo16(unsigned off)
{
    return (volatile uint16_t *)sdk_ptr(lo + off);
}

static volatile uint32_t *lo32(unsigned off)
{
    return (volatile uint32_t *)sdk_ptr(lo + off);
}

/* What a stop should show. cs/ss/ds: 0 = the low page's real-mode
 * segment (checked without printing it). */
struct want {
    uint32_t cs, width, op, inc, cr0, cr4, efer, ss, ds;
};

static void seg_check(uint32_t got, uint32_t want, const char *name, const char *field)
{
    if (want)
        conf_eq(got, want, "%s.%s", name, field);
    else
        conf_true(got == seg, "%s.%s_is_low_segment", name, field);
}

static void check_stop(const char *name, const volatile uint32_t *r, const struct want *w)
{
    conf_eq(r[0], MAGIC, "%s.reached", name);
    if (r[0] != MAGIC)
        return;
    seg_check(r[1], w->cs, name, "cs");
    conf_eq(r[2], w->width, "%s.push_width", name);
    conf_eq(r[3], w->op, "%s.mov_imm_operand_size", name);
    conf_eq(r[4], w->inc, "%s.byte40_is_inc", name);
    conf_eq(r[5], w->cr0, "%s.cr0", name);
    conf_eq(r[6], w->cr4, "%s.cr4", name);
    conf_eq(r[7], w->efer, "%s.efer", name);
    conf_true(r[8] == cpuid0.eax && r[9] == cpuid0.ebx && r[10] == cpuid0.ecx &&
                  r[11] == cpuid0.edx, "%s.cpuid0_as_in_64bit", name);
    conf_eq(r[12], cpuid1.eax, "%s.cpuid1.eax", name);
    conf_eq(r[13], cpuid1.edx, "%s.cpuid1.edx", name);
    conf_eq(r[14], w->cr0 & 0xFFFF, "%s.smsw_m16", name);
    seg_check(r[16], w->ss, name, "ss");
    seg_check(r[17], w->ds, name, "ds");
}

/* The stops' expectations. */
static struct want w_compat(void)
{
    return (struct want){ 0x08, 4, OP32, 1, C0, C4, E0, 0x10, 0x10 };
}
static struct want w_legacy(uint32_t efer)
{
    return (struct want){ 0x08, 4, OP32, 1, C0 & ~(uint32_t)CR0_PG, C4, efer, 0x10, 0x10 };
}
static struct want w_pm16(void)
{
    return (struct want){ 0x58, 2, OP16, 1, C0 & ~(uint32_t)CR0_PG, C4,
                          E0 & ~(uint32_t)(EFER_LMA | EFER_LME), 0x60, 0x60 };
}
static struct want w_real(void)
{
    return (struct want){ 0, 2, OP16, 1, C0 & ~(uint32_t)(CR0_PG | CR0_PE), C4,
                          E0 & ~(uint32_t)(EFER_LMA | EFER_LME), 0, 0 };
}

#define E_LA (E0 & ~(uint32_t)EFER_LMA)
#define E_LB (E0 & ~(uint32_t)(EFER_LMA | EFER_LME))

/* A real-mode try: the vector, the pushed IP (the instruction for a
 * fault, the next one for a trap or INT n) and CS. */
static void check_rm_try(const char *name, unsigned t, uint32_t vector, bool fault)
{
    const volatile uint32_t *r = lrec(t);
    conf_eq(r[0], vector, "%s.vector", name);
    if (r[0] != vector)
        return;
    conf_eq(r[1], fault ? r[5] : r[6], "%s.pushed_ip", name);
    conf_true(r[2] == seg, "%s.pushed_cs", name);
    conf_eq(r[3], r[8], "%s.pushed_flags", name);
}

/* ---- the tours ---- */

static void (*cur_tour)(void);

static void run_tour(void *arg)
{
    (void)arg;
    mode_tour(cur_tour);
}

static void clear_records(void)
{
    for (unsigned i = 0; i < M_NRES; i++)
        m_res[i] = 0;
    for (unsigned i = 0; i < LO_NREC; i++)
        *lrec(i) = 0;
    *lo16(LO_FATAL) = 0;
    *lo16(LO_RESUME) = 0;
    m_fatal = 0;
    m_resume = 0;
}

static void save_state(void)
{
    m_saved_cr0 = (uint32_t)read_cr0();
    m_saved_cr3 = (uint32_t)read_cr3();
    m_saved_cr4 = (uint32_t)read_cr4();
    m_cr0_legacy = m_saved_cr0 & ~(uint32_t)CR0_PG;
    __asm__ volatile("sgdt %0; sidt %1" : "=m"(m_gdtr), "=m"(m_idtr));
}

static uint16_t str_tr(void)
{
    uint16_t v;
    __asm__ volatile("str %0" : "=r"(v));
    return v;
}

/* A tour ran to its end and left 64-bit mode as it found it. */
static void check_tour_end(const char *name, int vector)
{
    conf_eq((uint64_t)(int64_t)vector, (uint64_t)(int64_t)CONF_NONE, "%s.no_exception_64bit", name);
    conf_eq(m_fatal, 0, "%s.no_unexpected_fault_legacy", name);
    conf_eq(*lo16(LO_FATAL), 0, "%s.no_unexpected_fault_real", name);
    conf_eq(read_cr0(), C0, "%s.end.cr0", name);
    conf_eq(read_cr4(), C4, "%s.end.cr4", name);
    conf_eq(rdmsr(MSR_EFER), E0, "%s.end.efer", name);
    struct dtr g, i;
    __asm__ volatile("sgdt %0; sidt %1" : "=m"(g), "=m"(i));
    conf_true(g.limit == m_gdtr.limit && g.base == m_gdtr.base && i.limit == m_idtr.limit &&
                  i.base == m_idtr.base, "%s.end.gdtr_idtr", name);
    conf_eq(str_tr(), SDK_SEL_TSS, "%s.end.tr", name);
}

static void tour(void (*fn)(void), const char *name)
{
    clear_records();
    save_state();
    cur_tour = fn;
    int v = sdk_catch(run_tour, 0);
    check_tour_end(name, v);
}

/* The staircase; run twice, the second run must record the same. */
static uint32_t stair_res[M_NRES], stair_lrec[LO_NREC];

static void stair(int run)
{
    tour(tour_stair, run == 1 ? "t1" : "t2");
    if (run == 2) {
        bool same32 = true, same16 = true;
        for (unsigned i = 0; i < M_NRES; i++)
            same32 &= m_res[i] == stair_res[i];
        for (unsigned i = 0; i < LO_NREC; i++)
            same16 &= *lrec(i) == stair_lrec[i];
        conf_true(same32, "t2.records_32bit_as_t1");
        conf_true(same16, "t2.records_16bit_as_t1");
        /* IP offsets are the same, CS the same low segment: the real-mode
         * exception records repeat exactly. */
        conf_eq(*lrec(R_R + 5), stair_lrec[R_R + 5], "t2.real.cr0_as_t1");
        conf_eq(*lrec(R_R + 7), stair_lrec[R_R + 7], "t2.real.efer_as_t1");
        return;
    }
    for (unsigned i = 0; i < M_NRES; i++)
        stair_res[i] = m_res[i];
    for (unsigned i = 0; i < LO_NREC; i++)
        stair_lrec[i] = *lrec(i);
    struct want w;
    w = w_compat();
    check_stop("t1.compat_down", &m_res[S_C], &w);
    w = w_legacy(E_LA);
    check_stop("t1.legacy_lme_set", &m_res[S_LA], &w);
    w = w_legacy(E_LB);
    check_stop("t1.legacy_lme_clear", &m_res[S_LB], &w);
    w = w_pm16();
    check_stop("t1.pm16_down", lrec(R_P), &w);
    w = w_real();
    check_stop("t1.real", lrec(R_R), &w);
    w = w_pm16();
    check_stop("t1.pm16_up", lrec(R_PU), &w);
    w = w_legacy(E_LB);
    check_stop("t1.legacy_up", &m_res[S_LU], &w);
    w = w_legacy(E_LB | (uint32_t)EFER_LME);
    check_stop("t1.legacy_up_lme_set", &m_res[S_LU2], &w);
    w = w_compat();
    check_stop("t1.compat_up", &m_res[S_CU], &w);

    /* INT 30H with IF set: FLAGS, CS, IP pushed; IF and TF clear in the
     * handler; IRET restores FLAGS (21.1.4, INT n real-address mode). */
    check_rm_try("real.int30", T_INT30, 0x30, false);
    const volatile uint32_t *r = lrec(T_INT30);
    conf_eq(r[8] & RFLAGS_IF, RFLAGS_IF, "real.int30.if_set_before");
    conf_eq(r[4], r[8] & ~(uint32_t)(RFLAGS_IF | RFLAGS_TF), "real.int30.handler_flags");
    conf_eq(r[7], r[8], "real.int30.flags_after_iret");
    check_rm_try("real.int3", T_INT3, VEC_BP, false);
    check_rm_try("real.into_of_set", T_INTO, VEC_OF, false);
    check_rm_try("real.ud2", T_UD, VEC_UD, true);
    check_rm_try("real.div_by_zero", T_DE, VEC_DE, true);
    check_rm_try("real.bound_out_of_range", T_BOUND, VEC_BR, true);
    /* INT n beyond the IDTR limit in real mode: #GP (INT n, Operation). */
    check_rm_try("real.int_beyond_ivt_limit", T_INTLIM, VEC_GP, true);
    /* A word at offset FFFFH crosses the 64 KiB limit: #GP, #SS for SS. */
    check_rm_try("real.word_at_ffff_ds", T_GPLIM, VEC_GP, true);
    check_rm_try("real.word_at_ffff_ss", T_SSLIM, VEC_SS, true);
}

static void alt(void)
{
    tour(tour_alt, "t3");
    struct want w;
    /* far CALL m16:32 from 64-bit mode pushes CS and EIP as doublewords */
    conf_eq(m_res[A_CALL], (uintptr_t)alt_ret64, "t3.farcall_64_to_compat.pushed_eip");
    conf_eq(m_res[A_CALL + 1], SDK_SEL_CODE64, "t3.farcall_64_to_compat.pushed_cs");
    w = w_compat();
    check_stop("t3.compat_by_farcall", &m_res[S_AC0], &w);
    conf_eq(m_res[A_CALL64], (uintptr_t)alt_back32, "t3.farcall_compat_to_64.pushed_eip");
    conf_eq(m_res[A_CALL64 + 1], SDK_SEL_CODE32, "t3.farcall_compat_to_64.pushed_cs");
    w = w_compat();
    check_stop("t3.compat_by_farjmp", &m_res[S_AC], &w);
    w = w_legacy(E_LB);
    check_stop("t3.legacy", &m_res[S_AL], &w);
    conf_eq(*lrec(M_ALT), (uintptr_t)alt_after_call16, "t3.farcall_32_to_16.pushed_eip");
    conf_eq(*lrec(M_ALT + 1), SDK_SEL_CODE32, "t3.farcall_32_to_16.pushed_cs");
    w = w_pm16();
    w.ss = 0x10;
    check_stop("t3.pm16_by_farcall", lrec(R_AP), &w);
    w = w_real();
    check_stop("t3.real", lrec(R_AR), &w);
    /* LMSW sets PE from real mode (it cannot clear it, 10.9) */
    conf_eq(*lrec(M_ALT + 2), C0 & ~(uint32_t)CR0_PG, "t3.lmsw_sets_pe.cr0");
    w = w_pm16();
    check_stop("t3.pm16_by_lmsw", lrec(R_APU), &w);
    uint32_t pm = C0 & ~(uint32_t)CR0_PG;
    conf_eq(*lrec(M_ALT + 3), pm | CR0_MP | CR0_EM | CR0_TS, "t3.pm16.lmsw_keeps_pe_sets_mp_em_ts");
    conf_eq(*lrec(M_ALT + 4), pm | CR0_MP | CR0_EM, "t3.pm16.clts");
    w = w_real();
    check_stop("t3.real_again", lrec(R_AR2), &w);
    w = w_legacy(E_LB);
    check_stop("t3.legacy_from_real_by_farjmp", &m_res[S_AL2], &w);

    /* Real mode: LMSW loads PE, MP, EM, TS (PE stays 0 here) */
    uint32_t rm = C0 & ~(uint32_t)(CR0_PG | CR0_PE);
    uint32_t lm = (rm & ~0xFu) | CR0_MP | CR0_TS;
    conf_eq(*lrec(M_LMSW), lm, "real.lmsw_mp_ts.cr0");
    conf_eq(*lrec(M_LMSW + 1), lm & 0xFFFF, "real.smsw_r16");
    conf_eq(*lrec(M_LMSW + 2), lm & ~(uint32_t)CR0_TS, "real.clts.cr0");
    /* SGDT/SIDT in real mode: limit and the full 32-bit base (16- and
     * 32-bit operand size alike); the IDTR LIDT loaded */
    conf_eq(*lrec(M_SGDT), m_gdtr.limit, "real.sgdt.limit");
    conf_eq(*lrec(M_SGDT + 1), m_gdtr.base, "real.sgdt.base");
    conf_eq(*lrec(M_SGDT + 2), 0xFF, "real.sidt.limit");
    conf_true(*lrec(M_SGDT + 3) == lo + LO_IVT, "real.sidt.base_is_low_ivt");
    conf_eq(*lrec(M_SGDT + 4), m_gdtr.base, "real.sgdt_o16.base");
    conf_eq(*lrec(M_SEG), 0x1234, "real.segment_base_is_selector_times_16");
    /* far CALL through m16:16 to another segment over the same code */
    conf_true(*lrec(M_FAR) == (uint32_t)seg - 1, "real.farcall.callee_cs");
    conf_eq(*lrec(M_FAR + 1), (uint32_t)(rm_after_farcall - rm_start), "real.farcall.pushed_ip");
    conf_true(*lrec(M_FAR + 2) == seg, "real.farcall.pushed_cs");
}

static void paging(void)
{
    tour(tour_paging, "t4");
    const volatile uint32_t *p = &m_res[PG_R], *t = &m_res[PG_T];
    struct want w = w_legacy(E_LB);
    w.cr0 = C0;
    w.cr4 = (C4 & ~(uint32_t)CR4_PAE) | CR4_PSE;
    check_stop("paging32", &m_res[S_P32], &w);
    conf_eq(p[0], 0xA1A1A1A1u, "paging32.read_4mib_page");
    conf_eq(p[1], 0xB2B2B2B2u, "paging32.read_4kib_page");
    conf_eq(page_a[1], 0x600DF00Du, "paging32.write_4mib_page");
    conf_eq(page_b[1], 0x600DF00Du, "paging32.write_4kib_page");
    conf_eq(pd32[256] & 0x60, 0x60, "paging32.pde_4mib_accessed_dirty");
    conf_eq(pd32[257] & 0x20, 0x20, "paging32.pde_table_accessed");
    conf_eq(pt32[0] & 0x60, 0x60, "paging32.pte_accessed_dirty");
    conf_eq(t[0], VEC_GP, "paging32.wrmsr_efer_lme_paging_on.vector");
    conf_eq(t[1], 0, "paging32.wrmsr_efer_lme_paging_on.error");
    conf_eq(p[6], E_LB, "paging32.efer_unchanged");

    w = w_legacy(E_LB);
    w.cr0 = C0;
    check_stop("pae_legacy", &m_res[S_PAE], &w);
    conf_eq(p[7], 0xC3C3C3C3u, "pae_legacy.read");
    /* PDPTE registers (4.4.1): memory changed, INVLPG: the old PDPTE
     * stays; CPUID in between too; MOV to CR3 loads the new one. */
    conf_eq(p[8], 0xC3C3C3C3u, "pae_legacy.pdpte_register_after_invlpg");
    conf_eq(p[9], 0xC3C3C3C3u, "pae_legacy.pdpte_register_after_cpuid");
    conf_eq(p[10], 0xD4D4D4D4u, "pae_legacy.pdpte_reloaded_by_mov_cr3");
    conf_eq(t[2], VEC_GP, "pae_legacy.wrmsr_efer_lme_paging_on.vector");
    conf_eq(t[4], VEC_GP, "pae_legacy.mov_cr3_reserved_pdpte.vector");
    conf_eq(t[5], 0, "pae_legacy.mov_cr3_reserved_pdpte.error");
    conf_eq(p[11], sdk_phys(pdpt_leg), "pae_legacy.mov_cr3_reserved_pdpte.cr3_unchanged");
    conf_eq(p[12], C0 & ~(uint32_t)CR0_PG, "pae_legacy.paging_off.cr0");
    conf_eq(t[6], VEC_GP, "pae_legacy.mov_cr0_pg_reserved_pdpte.vector");
    conf_eq(t[7], 0, "pae_legacy.mov_cr0_pg_reserved_pdpte.error");
    conf_eq(p[13], C0 & ~(uint32_t)CR0_PG, "pae_legacy.mov_cr0_pg_reserved_pdpte.cr0");
    conf_eq(t[8], NONE32, "pae_legacy.not_present_pdpte_reserved_ignored.vector");
    conf_eq(p[14], C0, "pae_legacy.not_present_pdpte_reserved_ignored.cr0");

    conf_eq(t[10], VEC_GP, "legacy.mov_cr0_pg_nw_without_cd.vector");
    conf_eq(p[15], C0 & ~(uint32_t)CR0_PG, "legacy.mov_cr0_pg_nw_without_cd.cr0");
    conf_eq(t[12], VEC_GP, "legacy.mov_cr0_nw_without_cd.vector");
    conf_eq(t[14], NONE32, "legacy.mov_cr0_pg_reserved_bit6.vector");
    conf_eq(p[16], C0, "legacy.mov_cr0_pg_reserved_bit6.ignored");
    conf_eq(t[16], NONE32, "legacy.mov_cr0_reserved_bit6.vector");
    conf_eq(p[17], C0 & ~(uint32_t)CR0_PG, "legacy.mov_cr0_reserved_bit6.ignored");
    conf_eq(t[18], VEC_GP, "legacy.mov_cr0_pg_lme_without_pae.vector");
    conf_eq(t[19], 0, "legacy.mov_cr0_pg_lme_without_pae.error");
    conf_eq(p[18], C0 & ~(uint32_t)CR0_PG, "legacy.mov_cr0_pg_lme_without_pae.cr0");
    conf_eq(p[19], E_LB | (uint32_t)EFER_LME, "legacy.mov_cr0_pg_lme_without_pae.efer");
    conf_eq(t[20], VEC_GP, "legacy.mov_cr0_pg_without_pe.vector");
    conf_eq(t[22], VEC_GP, "legacy.mov_cr4_reserved_bit15.vector");
    conf_eq(t[24], VEC_GP, "legacy.mov_cr4_pcide.vector");
    conf_eq(p[20], C4, "legacy.cr4_unchanged");
    uint32_t pm = C0 & ~(uint32_t)CR0_PG;
    conf_eq(p[21], pm & ~(uint32_t)CR0_TS, "legacy.clts.cr0");
    conf_eq(p[22], pm | CR0_MP | CR0_EM | CR0_TS, "legacy.lmsw_keeps_pe_sets_mp_em_ts");
    conf_eq(p[23] & 0xFFFF, pm & 0xFFFF, "legacy.smsw_r32_low_word");
}

static void direct(void)
{
    tour(tour_direct, "t5");
    struct want w = w_real();
    check_stop("t5.real", lrec(R_D), &w);
    /* CR0.PE and PG in one MOV from real mode: IA-32e mode at once, on the
     * real-mode code segment (16-bit compatibility mode) */
    conf_eq(*lrec(M_DIR), C0, "t5.pe_pg_from_real.cr0");
    conf_eq(*lrec(M_DIR + 1), E0, "t5.pe_pg_from_real.efer");
    conf_eq(*lrec(M_DIR + 2), OP16, "t5.pe_pg_from_real.operand_size_16");
    conf_eq(m_res[S_D64], MAGIC, "t5.64bit.reached");
    conf_eq(m_res[S_D64 + 1], SDK_SEL_CODE64, "t5.64bit.cs");
    conf_eq(m_res[S_D64 + 5], C0, "t5.64bit.cr0");
    conf_eq(m_res[S_D64 + 6], C4, "t5.64bit.cr4");
    conf_eq(m_res[S_D64 + 7], E0, "t5.64bit.efer");
}

/* ---- 64-bit and compatibility mode ---- */

FAULT_FN(f_clear_pae64, "mov %cr4, %rax; and $~0x20, %rax", "mov %rax, %cr4", "");
FAULT_FN(f_clear_lme64, "mov $0xC0000080, %ecx; rdmsr; and $~0x100, %eax", "wrmsr", "");
FAULT_FN(f_pg_no_pe64, "mov %cr0, %rax; and $~1, %rax", "mov %rax, %cr0", "");
FAULT_FN(f_nw_no_cd64, "mov %cr0, %rax; btr $30, %rax; bts $29, %rax", "mov %rax, %cr0", "");
FAULT_FN(f_cr0_bit6, "mov %cr0, %rax; bts $6, %rax", "mov %rax, %cr0", "");

static void long_mode(void)
{
    conf_eq(C0 & (CR0_PG | CR0_PE), CR0_PG | CR0_PE, "m64.cr0_pg_pe");
    conf_eq(C4 & CR4_PAE, CR4_PAE, "m64.cr4_pae");
    conf_eq(E0 & (EFER_LME | EFER_LMA), EFER_LME | EFER_LMA, "m64.efer_lme_lma");
    uint64_t v64, v32 = 0xFFFFFFFFFFFFFFFFull;
    uint16_t m16 = 0;
    __asm__ volatile("smsw %0" : "=r"(v64));
    __asm__ volatile("smsw %k0" : "+r"(v32));
    __asm__ volatile("smsw %0" : "=m"(m16));
    conf_eq(v64, read_cr0(), "m64.smsw_r64_is_cr0");
    conf_eq(v32, (uint32_t)read_cr0(), "m64.smsw_r32_zero_extended");
    conf_eq(m16, read_cr0() & 0xFFFF, "m64.smsw_m16");
    uint64_t cr0 = read_cr0();
    __asm__ volatile("lmsw %w0" : : "r"(0x000E) : "memory");
    conf_eq(read_cr0(), cr0 | CR0_MP | CR0_EM | CR0_TS, "m64.lmsw_keeps_pe_sets_mp_em_ts");
    __asm__ volatile("clts");
    conf_eq(read_cr0(), cr0 | CR0_MP | CR0_EM, "m64.clts");
    write_cr0(cr0);
    conf_fault(f_clear_pae64, 0, VEC_GP, 0, 1, "m64.mov_cr4_clear_pae");
    conf_fault(f_clear_lme64, 0, VEC_GP, 0, 1, "m64.wrmsr_efer_clear_lme");
    conf_fault(f_pg_no_pe64, 0, VEC_GP, 0, 1, "m64.mov_cr0_clear_pe");
    conf_fault(f_nw_no_cd64, 0, VEC_GP, 0, 1, "m64.mov_cr0_nw_without_cd");
    conf_fault(f_cr0_bit6, 0, CONF_NONE, 0, -1, "m64.mov_cr0_reserved_bit6");
    conf_eq(read_cr0(), cr0, "m64.mov_cr0_reserved_bit6.ignored");
    write_cr0(cr0);

    /* compatibility mode, reached by far CALL m16:32 */
    conf_fault(compat_clear_pae, 0, VEC_GP, 0, 1, "compat.mov_cr4_clear_pae");
    conf_eq(sdk_fault.cs, SDK_SEL_CODE32, "compat.mov_cr4_clear_pae.pushed_cs");
    conf_fault(compat_clear_lme, 0, VEC_GP, 0, 1, "compat.wrmsr_efer_clear_lme");
    conf_fault(compat_pg_with_nw, 0, VEC_GP, 0, 1, "compat.mov_cr0_nw_without_cd");
    m_res[X_CLMSW + 1] = 0;
    conf_fault(compat_lmsw, 0, CONF_NONE, 0, -1, "compat.lmsw");
    conf_eq(m_res[X_CLMSW + 1], cr0 | CR0_MP | CR0_EM | CR0_TS, "compat.lmsw_keeps_pe_sets_mp_em_ts");
    conf_eq(m_res[X_CLMSW + 2], cr0 | CR0_MP | CR0_EM, "compat.clts");
    conf_eq(m_res[X_CLMSW + 3], E0, "compat.efer");
    conf_eq(read_cr0(), cr0, "compat.cr0_restored");

    /* CR0.NE (2.5, SDM Vol. 1 8.7): with NE set an unmasked x87 error is
     * #MF at the next waiting instruction; with NE clear it is signalled
     * on FERR# (IRQ 13, masked at the 8259A here), no exception. */
    conf_fault(f_x87_div0, 0, VEC_MF, 0, -1, "x87.ne_set_div0_raises_mf");
    __asm__ volatile("fnclex; fninit");
    write_cr0(cr0 & ~CR0_NE);
    conf_eq(read_cr0(), cr0 & ~CR0_NE, "x87.cr0_ne_clear");
    conf_fault(f_x87_div0, 0, CONF_NONE, 0, -1, "x87.ne_clear_div0_no_mf");
    __asm__ volatile("fnclex; fninit");
    write_cr0(cr0);
}

static bool setup(void)
{
    C0 = (uint32_t)read_cr0();
    C4 = (uint32_t)read_cr4();
    E0 = (uint32_t)rdmsr(MSR_EFER);
    cpuid0 = sdk_cpuid(0, 0);
    cpuid1 = sdk_cpuid(1, 0);
    save_state();

    /* Two free pages below 1 MiB: sdk_low_page's, or the first pair. */
    lo = sdk_low_page();
    if (!lo || lo + 0x2000 > 0xA0000 || !sdk_page_usable(lo + 0x1000)) {
        lo = 0;
        for (uint32_t p = 0x1000; p + 0x2000 <= 0xA0000 && !lo; p += 0x1000)
            if (sdk_page_usable(p) && sdk_page_usable(p + 0x1000))
                lo = p;
    }
    conf_true(lo != 0, "setup.two_low_pages");
    uint32_t blob = (uint32_t)(rm_end - rm_start);
    conf_true(blob <= 0x1000, "setup.blob_fits_a_page");
    conf_true(sdk_phys(page_a) < 0x400000, "setup.page_a_below_4mib");
    if (!lo || blob > 0x1000 || sdk_phys(page_a) >= 0x400000)
        return false;
    seg = (uint16_t)(lo >> 4);
    uint8_t *d = sdk_ptr(lo);
    for (uint32_t i = 0; i < 0x2000; i++)
        d[i] = i < blob ? (uint8_t)rm_start[i] : 0;
    *lo16(LO_SEG) = seg;
    *lo16(LO_GDTP) = m_gdtr.limit;
    *lo32(LO_GDTP + 2) = (uint32_t)m_gdtr.base;
    *lo16(LO_IDTP) = 0xFF;
    *lo32(LO_IDTP + 2) = lo + LO_IVT;
    *lo16(LO_IDT64P) = m_idtr.limit;
    *lo32(LO_IDT64P + 2) = (uint32_t)m_idtr.base;
    *lo16(LO_BOUNDS) = 0;
    *lo16(LO_BOUNDS + 2) = 1;
    *lo16(LO_FARPTR) = (uint16_t)(rm_farfn - rm_start + 16);
    *lo16(LO_FARPTR + 2) = (uint16_t)(seg - 1);
    *lo32(LO_CR0) = C0;
    for (unsigned v = 0; v < 64; v++)
        *lo32(LO_IVT + 4 * v) = ((uint32_t)seg << 16) | (uint32_t)(rm_stubs - rm_start + 8 * v);

    /* GDT: 16-bit code and data with the low pages' base. */
    sdk_gdt[0x58 / 8] = 0x00009A000000FFFFull | ((uint64_t)lo << 16);
    sdk_gdt[0x60 / 8] = 0x000092000000FFFFull | ((uint64_t)lo << 16);
    /* The legacy-mode IDT: 32 interrupt gates. */
    for (unsigned v = 0; v < 32; v++) {
        uint32_t off = sdk_phys(stub32_base) + 16 * v;
        idt32[v] = ((uint64_t)((off & 0xFFFF0000u) | 0x8E00) << 32) |
                   ((uint32_t)SDK_SEL_CODE32 << 16) | (off & 0xFFFF);
    }
    idt32_ptr.limit = sizeof(idt32) - 1;
    idt32_ptr.base = sdk_phys(idt32);

    /* 32-bit paging: identity in 4 MiB pages but PDE 256 (a 4 MiB page at
     * 0) and 257 (a page table whose first entry maps page_b). */
    for (uint32_t i = 0; i < 1024; i++)
        pd32[i] = (i << 22) | 0x83;
    pd32[256] = 0x83;
    pd32[257] = sdk_phys(pt32) | 0x03;
    pt32[0] = sdk_phys(page_b) | 0x03;
    page_a[0] = 0xA1A1A1A1u;
    page_b[0] = 0xB2B2B2B2u;
    page_c[0] = 0xC3C3C3C3u;
    page_d[0] = 0xD4D4D4D4u;
    /* PAE paging: the SDK's page directories but GiB 1, where PDPTE 1
     * points to pd_a (-> page_c) or pd_b (-> page_d). */
    pt_a[0] = sdk_phys(page_c) | 0x03;
    pt_b[0] = sdk_phys(page_d) | 0x03;
    pd_a[0] = sdk_phys(pt_a) | 0x03;
    pd_b[0] = sdk_phys(pt_b) | 0x03;
    m_pdpte_a = sdk_phys(pd_a) | 1;
    m_pdpte_b = sdk_phys(pd_b) | 1;
    for (unsigned i = 0; i < 4; i++)
        pdpt_leg[i] = pdpt_bad[i] = pdpt_np[i] = sdk_phys(&sdk_pd[512 * i]) | 1;
    pdpt_leg[1] = m_pdpte_a;
    pdpt_bad[1] = sdk_phys(pd_a) | 0x07;        /* RW, US: reserved in a PAE PDPTE */
    pdpt_np[1] = 0x06 | (1u << 5);              /* not present: not checked */
    return true;
}

int main(void)
{
    conf_begin("modes");
    if (!setup())
        conf_done();
    long_mode();
    stair(1);
    stair(2);
    alt();
    paging();
    direct();
    /* Last: clearing CR0.PG in 64-bit mode is #GP (MOV CR, 64-bit mode
     * exceptions); should it not fault, f_clear_pg64 finds its way back. */
    conf_fault(f_clear_pg64, 0, VEC_GP, 0, 1, "m64.mov_cr0_clear_pg");
    conf_eq(read_cr0(), C0, "m64.mov_cr0_clear_pg.cr0");
    conf_done();
}
