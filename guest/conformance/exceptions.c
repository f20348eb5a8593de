/*
 * exceptions.c - conformance: exception and interrupt delivery in 64-bit
 * mode (SDM Vol. 3A, chapter 6): vectors, error codes, the RIP and
 * RFLAGS.RF the CPU pushes (6.12.1, 17.3.1.1: every fault-class
 * exception but an instruction breakpoint pushes RF set), #DF promotion
 * (6.15, Table 6-5), IDT limit and not-present gates, gate DPL, IST
 * stacks and frame alignment (6.14), NMI blocking, and the interrupt
 * shadow of STI and the TPR with the local APIC's self-IPIs.
 */
#include "conf.h"

FAULT_FN(f_de, "xor %ecx, %ecx; mov $1, %eax; xor %edx, %edx", "div %ecx", "");
FAULT_FN(f_de64, "xor %ecx, %ecx; mov $1, %eax; xor %edx, %edx", "div %rcx", "");
FAULT_FN(f_ud2, "", "ud2", "");
FAULT_FN(f_int3, "", "int3", "");
FAULT_FN(f_int_3, "", ".byte 0xCD, 0x03", "");        /* INT 3, two bytes */
FAULT_FN(f_into, "", ".byte 0xCE", "");               /* INTO: #UD in 64-bit mode */
FAULT_FN(f_cr4_bit15, "mov %cr4, %rax; bts $15, %rax", "mov %rax, %cr4", "");
FAULT_FN(f_cr4_all, "mov $0xffffffff, %eax", "mov %rax, %cr4", "");
FAULT_FN(f_cr0_hi, "mov %cr0, %rax; bts $32, %rax", "mov %rax, %cr0", "");
FAULT_FN(f_noncanon, "mov $0x8000000000000000, %rax", "mov (%rax), %rax", "");
FAULT_FN(f_noncanon_jmp, "mov $0x8000000000000000, %rax; lea 1f(%rip), %rcx; push %rcx",
         "jmp *%rax", "1: ret");
FAULT_FN(f_ss_noncanon, "mov %rsp, %rcx; mov $0x8000000000000000, %rsp", "push %rax",
         "mov %rcx, %rsp");
FAULT_FN(f_ds_limit, "mov $0x1000, %eax", "mov %eax, %ds", "mov $0x10, %eax; mov %eax, %ds");
FAULT_FN(f_ds_np, "mov $0x58, %eax", "mov %eax, %ds", "mov $0x10, %eax; mov %eax, %ds");
FAULT_FN(f_ds_code_xo, "mov $0x60, %eax", "mov %eax, %ds", "mov $0x10, %eax; mov %eax, %ds");
FAULT_FN(f_ss_dpl3, "mov $0x2B, %eax", "mov %eax, %ss", "mov $0x10, %eax; mov %eax, %ss");
FAULT_FN(f_ss_null, "xor %eax, %eax", "mov %eax, %ss", "mov $0x10, %eax; mov %eax, %ss");
FAULT_FN(f_ltr_data, "mov $0x10, %eax", "ltr %ax", "");
FAULT_FN(f_rdmsr_bad, "mov $0x4fffffff, %ecx", "rdmsr", "");
FAULT_FN(f_wrmsr_efer_rsvd, "mov $0xC0000080, %ecx; rdmsr; bts $20, %eax", "wrmsr", "");
FAULT_FN(f_wrmsr_ro, "mov $0xFE, %ecx; xor %eax, %eax; xor %edx, %edx", "wrmsr", "");
FAULT_FN(f_syscall_off, "", "syscall", "");
FAULT_FN(f_vmxon, "", "vmxon (%rsp)", "");
FAULT_FN(f_lock_nop, "", ".byte 0xF0, 0x90", "");     /* LOCK NOP: #UD */
FAULT_FN(f_int40, "", "int $0x40", "");
FAULT_FN(f_int41, "", "int $0x41", "");
FAULT_FN(f_int80, "", "int $0x80", "");
FAULT_FN(f_read_pf, "", "mov (%rdi), %rax", "");
FAULT_FN(f_write_pf, "", "movq $1, (%rdi)", "");
FAULT_FN(f_fetch_pf, "", "call *%rdi", "");
FAULT_FN(f_fwait, "", "fwait", "");
FAULT_FN(f_fnop, "", "fnop", "");
FAULT_FN(f_xorps, "", "xorps %xmm0, %xmm0", "");
FAULT_FN(f_hlt, "", "hlt", "");
FAULT_FN(f_cli, "", "cli", "");
FAULT_FN(f_in, "", "inb $0x80, %al", "");
FAULT_FN(f_rdpmc_user, "xor %ecx, %ecx", "rdpmc", "");
FAULT_FN(f_ac, "pushfq; orq $0x40000, (%rsp); popfq; lea 1(%rsp), %rax", "movl (%rax), %eax",
         "pushfq; andq $~0x40000, (%rsp); popfq");
FAULT_FN(f_aligned_ok, "pushfq; orq $0x40000, (%rsp); popfq; lea 8(%rsp), %rax",
         "movl (%rax), %eax", "pushfq; andq $~0x40000, (%rsp); popfq");
FAULT_FN(f_cr0_pg_no_pe, "mov %cr0, %rax; and $~1, %rax", "mov %rax, %cr0", "");
FAULT_FN(f_cr4_pae_off, "mov %cr4, %rax; and $~0x20, %rax", "mov %rax, %cr4", "");
FAULT_FN(f_cr3_rsvd, "mov %cr3, %rax; bts $62, %rax", "mov %rax, %cr3", "");
FAULT_FN(f_xsetbv_bad, "xor %ecx, %ecx; xor %edx, %edx; xor %eax, %eax", "xsetbv", "");

/* ---- the vector, error code, RIP and RF of single faults ---- */

static void basic_faults(void)
{
    conf_fault(f_de, 0, VEC_DE, 0, 1, "de.div32");
    conf_eq(sdk_fault.rip, (uintptr_t)f_de_insn, "de.div32.rip");
    conf_fault(f_de64, 0, VEC_DE, 0, 1, "de.div64");
    conf_fault(f_ud2, 0, VEC_UD, 0, 1, "ud.ud2");
    conf_eq(sdk_fault.rip, (uintptr_t)f_ud2_insn, "ud.ud2.rip");
    conf_fault(f_into, 0, VEC_UD, 0, 1, "ud.into_64bit");
    conf_fault(f_lock_nop, 0, VEC_UD, 0, 1, "ud.lock_nop");
    /* #BP is a trap: RIP after the instruction, RF as it was (clear). */
    conf_fault(f_int3, 0, VEC_BP, 0, 0, "bp.int3");
    conf_eq(sdk_fault.rip, (uintptr_t)f_int3_next, "bp.int3.rip");
    conf_fault(f_int_3, 0, VEC_BP, 0, 0, "bp.int_imm3");
    conf_eq(sdk_fault.rip, (uintptr_t)f_int_3_next, "bp.int_imm3.rip");
    conf_fault(f_noncanon, 0, VEC_GP, 0, 1, "gp.noncanonical_load");
    conf_eq(sdk_fault.rip, (uintptr_t)f_noncanon_insn, "gp.noncanonical_load.rip");
    /* A JMP to a non-canonical address faults on the JMP (6.15, #GP). */
    conf_fault(f_noncanon_jmp, 0, VEC_GP, 0, 1, "gp.noncanonical_jmp");
    conf_eq(sdk_fault.rip, (uintptr_t)f_noncanon_jmp_insn, "gp.noncanonical_jmp.rip");
    conf_fault(f_ds_limit, 0, VEC_GP, 0x1000, 1, "gp.selector_beyond_gdt_limit");
    conf_fault(f_ds_np, 0, VEC_NP, 0x58, 1, "np.data_segment_not_present");
    conf_fault(f_ds_code_xo, 0, VEC_GP, 0x60, 1, "gp.ds_execute_only_code");
    conf_fault(f_ss_dpl3, 0, VEC_GP, 0x28, 1, "gp.ss_dpl_mismatch");
    conf_fault(f_ss_null, 0, CONF_NONE, 0, -1, "ss.null_selector_cpl0_64bit");
    conf_fault(f_ltr_data, 0, VEC_GP, 0x10, 1, "gp.ltr_data_segment");
    conf_fault(f_rdmsr_bad, 0, VEC_GP, 0, 1, "gp.rdmsr_nonexistent");
    conf_eq(sdk_fault.rip, (uintptr_t)f_rdmsr_bad_insn, "gp.rdmsr_nonexistent.rip");
    conf_fault(f_wrmsr_efer_rsvd, 0, VEC_GP, 0, 1, "gp.wrmsr_efer_reserved_bit");
    conf_fault(f_wrmsr_ro, 0, VEC_GP, 0, 1, "gp.wrmsr_mtrrcap_read_only");
    conf_fault(f_syscall_off, 0, VEC_UD, 0, 1, "ud.syscall_efer_sce_clear");
    conf_fault(f_cr4_bit15, 0, VEC_GP, 0, 1, "gp.mov_cr4_reserved_bit15");
    conf_eq(sdk_fault.rip, (uintptr_t)f_cr4_bit15_insn, "gp.mov_cr4_reserved_bit15.rip");
    conf_fault(f_cr4_all, 0, VEC_GP, 0, 1, "gp.mov_cr4_ffffffff");
    conf_eq(sdk_fault.rip, (uintptr_t)f_cr4_all_insn, "gp.mov_cr4_ffffffff.rip");
    conf_fault(f_cr0_hi, 0, VEC_GP, 0, 1, "gp.mov_cr0_bit32");
    conf_fault(f_cr0_pg_no_pe, 0, VEC_GP, 0, 1, "gp.mov_cr0_pg_without_pe");
    conf_fault(f_cr4_pae_off, 0, VEC_GP, 0, 1, "gp.mov_cr4_pae_off_in_ia32e");
    conf_fault(f_cr3_rsvd, 0, VEC_GP, 0, 1, "gp.mov_cr3_reserved_bit62");
    if (!(read_cr4() & CR4_VMXE))
        conf_fault(f_vmxon, 0, VEC_UD, 0, 1, "ud.vmxon_cr4_vmxe_clear");
    if (cpuid_bit(1, 0, ECX, 26)) {
        uint64_t cr4 = read_cr4();
        write_cr4(cr4 | CR4_OSXSAVE);
        conf_fault(f_xsetbv_bad, 0, VEC_GP, 0, 1, "gp.xsetbv_xcr0_x87_clear");
        write_cr4(cr4);
        conf_fault(f_xsetbv_bad, 0, VEC_UD, 0, 1, "ud.xsetbv_cr4_osxsave_clear");
    } else {
        conf_skip("no XSAVE", "gp.xsetbv_xcr0_x87_clear");
        conf_skip("no XSAVE", "ud.xsetbv_cr4_osxsave_clear");
    }
}

/* ---- #SS on a non-canonical stack, through IST1 ---- */

static void stack_faults(void)
{
    sdk_set_ist(VEC_SS, 1);
    conf_fault(f_ss_noncanon, 0, VEC_SS, 0, 1, "ss.noncanonical_push");
    conf_eq(sdk_fault.rsp, 0x8000000000000000ull, "ss.noncanonical_push.pushed_rsp");
    sdk_set_ist(VEC_SS, 0);
}

/* ---- #NM and x87/SSE availability (CR0.TS, EM, MP; CR4.OSFXSR) ---- */

static void device_not_available(void)
{
    uint64_t cr0 = read_cr0(), cr4 = read_cr4();
    write_cr0((cr0 & ~(CR0_EM | CR0_TS)) | CR0_MP);
    __asm__ volatile("fninit");
    conf_fault(f_fnop, 0, CONF_NONE, 0, -1, "nm.fnop_ts_clear");
    write_cr0(cr0 | CR0_TS | CR0_MP);
    conf_fault(f_fnop, 0, VEC_NM, 0, 1, "nm.fnop_ts_set");
    conf_fault(f_fwait, 0, VEC_NM, 0, 1, "nm.fwait_ts_mp_set");
    write_cr0((cr0 | CR0_TS) & ~CR0_MP);
    conf_fault(f_fwait, 0, CONF_NONE, 0, -1, "nm.fwait_ts_set_mp_clear");
    write_cr0((cr0 | CR0_EM) & ~CR0_TS);
    conf_fault(f_fnop, 0, VEC_NM, 0, 1, "nm.fnop_em_set");
    write_cr4(cr4 | CR4_OSFXSR);
    conf_fault(f_xorps, 0, VEC_UD, 0, 1, "ud.sse_em_set");
    write_cr0(cr0 & ~(CR0_EM | CR0_TS));
    conf_fault(f_xorps, 0, CONF_NONE, 0, -1, "sse.osfxsr_set");
    write_cr4(cr4 & ~CR4_OSFXSR);
    conf_fault(f_xorps, 0, VEC_UD, 0, 1, "ud.sse_osfxsr_clear");
    write_cr0(cr0 | CR0_TS);
    conf_fault(f_xorps, 0, VEC_UD, 0, 1, "ud.sse_osfxsr_clear_ts_set");
    write_cr4(cr4);
    write_cr0(cr0);
}

/* ---- #PF error codes and CR2 (4.7) ---- */

static uint8_t pf_page[4096] __attribute__((aligned(4096)));

static void page_faults(void)
{
    uint64_t va = (uintptr_t)pf_page;
    uint64_t *pte = conf_pte(va), saved = *pte;

    *pte = saved & ~1ull;           /* not present */
    invlpg(va);
    conf_fault(f_read_pf, pf_page, VEC_PF, 0, 1, "pf.read_not_present");
    conf_eq(sdk_fault.cr2, va, "pf.read_not_present.cr2");
    conf_eq(sdk_fault.rip, (uintptr_t)f_read_pf_insn, "pf.read_not_present.rip");
    conf_fault(f_write_pf, pf_page + 8, VEC_PF, 2, 1, "pf.write_not_present");
    conf_eq(sdk_fault.cr2, va + 8, "pf.write_not_present.cr2");

    *pte = saved & ~2ull;           /* read-only: with CR0.WP, a supervisor write faults */
    invlpg(va);
    conf_fault(f_read_pf, pf_page, CONF_NONE, 0, -1, "pf.read_read_only");
    conf_fault(f_write_pf, pf_page, VEC_PF, 3, 1, "pf.write_read_only_wp");
    write_cr0(read_cr0() & ~CR0_WP);
    conf_fault(f_write_pf, pf_page, CONF_NONE, 0, -1, "pf.write_read_only_no_wp");
    write_cr0(read_cr0() | CR0_WP);

    /* User accesses (error code bit 2). */
    *pte = saved & ~4ull;           /* supervisor page */
    invlpg(va);
    conf_fault_user(f_read_pf, pf_page, VEC_PF, 5, 1, "pf.user_read_supervisor");
    conf_eq(sdk_fault.cr2, va, "pf.user_read_supervisor.cr2");
    *pte = saved & ~2ull;
    invlpg(va);
    conf_fault_user(f_write_pf, pf_page, VEC_PF, 7, 1, "pf.user_write_read_only");

    /* A reserved bit (4.7: RSVD, bit 3): bit 51 is beyond every MAXPHYADDR here. */
    unsigned maxphys = sdk_cpuid(0x80000008, 0).eax & 0xFF;
    if (maxphys < 52) {
        *pte = saved | (1ull << 51);
        invlpg(va);
        conf_fault(f_read_pf, pf_page, VEC_PF, 9, 1, "pf.reserved_bit");
    } else {
        conf_skip("MAXPHYADDR is 52", "pf.reserved_bit");
    }
    *pte = saved;
    invlpg(va);

    /* Instruction fetch (I/D, bit 4) from an NX page, with EFER.NXE. */
    if (cpuid_bit(0x80000001, 0, EDX, 20)) {
        uint64_t efer = rdmsr(MSR_EFER);
        wrmsr(MSR_EFER, efer | EFER_NXE);
        pf_page[0] = 0xC3;          /* RET */
        *pte = saved | (1ull << 63);
        invlpg(va);
        conf_fault(f_fetch_pf, pf_page, VEC_PF, 0x11, 1, "pf.fetch_nx");
        conf_eq(sdk_fault.rip, va, "pf.fetch_nx.rip");
        *pte = saved;
        invlpg(va);
        conf_fault(f_fetch_pf, pf_page, CONF_NONE, 0, -1, "pf.fetch_executable");
        wrmsr(MSR_EFER, efer);
    } else {
        conf_skip("no NX", "pf.fetch_nx.vector");
        conf_skip("no NX", "pf.fetch_executable.vector");
    }
    *pte = saved;
    invlpg(va);
}

/* ---- CPL 3: privileged instructions, #AC ---- */

static void user_mode(void)
{
    conf_fault_user(f_hlt, 0, VEC_GP, 0, 1, "user.hlt");
    conf_eq(sdk_fault.cs, SDK_SEL_UCODE64, "user.hlt.pushed_cs");
    conf_eq(sdk_fault.ss, SDK_SEL_UDATA, "user.hlt.pushed_ss");
    conf_fault_user(f_cli, 0, VEC_GP, 0, 1, "user.cli_iopl0");
    conf_fault_user(f_in, 0, VEC_GP, 0, 1, "user.in_iopl0");
    uint64_t cr4 = read_cr4();
    write_cr4(cr4 & ~CR4_PCE);
    conf_fault_user(f_rdpmc_user, 0, VEC_GP, 0, 1, "user.rdpmc_pce_clear");
    write_cr4(cr4);
    /* Alignment check: CR0.AM, RFLAGS.AC, CPL 3 (6.15, #AC). */
    uint64_t cr0 = read_cr0();
    write_cr0(cr0 | CR0_AM);
    conf_fault_user(f_ac, 0, VEC_AC, 0, 1, "ac.misaligned_user");
    conf_eq(sdk_fault.rip, (uintptr_t)f_ac_insn, "ac.misaligned_user.rip");
    conf_fault_user(f_aligned_ok, 0, CONF_NONE, 0, -1, "ac.aligned_user");
    write_cr0(cr0 & ~CR0_AM);
    conf_fault_user(f_ac, 0, CONF_NONE, 0, -1, "ac.cr0_am_clear");
    write_cr0(cr0);
    /* INT n through a DPL 0 gate from CPL 3: #GP(vector * 8 + 2) (6.12.1.1). */
    conf_fault_user(f_int80, 0, VEC_GP, 0x80 * 8 + 2, 1, "user.int80_dpl0_gate");
    sdk_set_gate_dpl(0x80, 3);
    conf_fault_user(f_int80, 0, 0x80, 0, 0, "user.int80_dpl3_gate");
    conf_eq(sdk_fault.cs, SDK_SEL_UCODE64, "user.int80_dpl3_gate.pushed_cs");
    conf_eq(sdk_fault.rip, (uintptr_t)f_int80_next, "user.int80_dpl3_gate.rip");
    sdk_set_gate_dpl(0x80, 0);
    /* INT3 and INTO are checked against the gate's DPL too. */
    conf_fault_user(f_int3, 0, VEC_GP, 3 * 8 + 2, 1, "user.int3_dpl0_gate");
}

/* ---- the IDT: limit, not-present gates, #DF promotion ---- */

static void idt_faults(void)
{
    /* INT 0x40 beyond the IDT limit: #GP(0x40 * 8 + 2). */
    sdk_load_idt(32 * 16 - 1);
    conf_fault(f_int40, 0, VEC_GP, 0x40 * 8 + 2, 1, "idt.int_beyond_limit");
    conf_eq(sdk_fault.rip, (uintptr_t)f_int40_insn, "idt.int_beyond_limit.rip");
    sdk_load_idt(256 * 16 - 1);
    conf_fault(f_int40, 0, 0x40, -1, 0, "idt.int_within_limit");
    /* A not-present gate: #NP(vector * 8 + 2). */
    sdk_set_gate_present(0x41, false);
    conf_fault(f_int41, 0, VEC_NP, 0x41 * 8 + 2, 1, "idt.gate_not_present");
    sdk_set_gate_present(0x41, true);
    /* A #GP whose own gate is not present: #NP while delivering #GP,
     * two contributory exceptions: #DF with error code 0 (6.15, Table 6-5). */
    sdk_set_gate_present(VEC_GP, false);
    conf_fault(f_noncanon, 0, VEC_DF, 0, -1, "df.gp_with_gp_gate_not_present");
    sdk_set_gate_present(VEC_GP, true);
    /* #PF, then #GP delivering it (gate not present: #NP): #DF too. */
    uint64_t va = (uintptr_t)pf_page, *pte = conf_pte(va), saved = *pte;
    *pte = saved & ~1ull;
    invlpg(va);
    sdk_set_gate_present(VEC_PF, false);
    conf_fault(f_read_pf, pf_page, VEC_DF, 0, -1, "df.pf_with_pf_gate_not_present");
    sdk_set_gate_present(VEC_PF, true);
    /* A benign exception (#BP) whose gate is not present: just #NP. */
    sdk_set_gate_present(VEC_BP, false);
    conf_fault(f_int3, 0, VEC_NP, VEC_BP * 8 + 2, 1, "np.int3_gate_not_present");
    sdk_set_gate_present(VEC_BP, true);
    *pte = saved;
    invlpg(va);
}

/* ---- handlers: what they see on the stack ---- */

static volatile uint64_t seen_rsp, seen_rflags, seen_count, seen_err;

static void record(struct sdk_frame *f)
{
    seen_rsp = (uintptr_t)(f + 1) - 5 * 8;     /* the CPU's frame: RIP at the lowest address */
    seen_rflags = read_rflags();
    seen_err = f->error;
    seen_count++;
}

FAULT_FN(f_int50_sub8, "sub $8, %rsp", "int $0x50", "add $8, %rsp");
FAULT_FN(f_int50, "", "int $0x50", "");

static void handler_frames(void)
{
    sdk_set_handler(0x50, record);
    /* 64-bit mode aligns RSP to 16 before it pushes five quadwords
     * (6.14.2): the frame's lowest address is 8 modulo 16, whatever RSP
     * was (8 modulo 16 at f_int50's INT, 0 at the other's). */
    seen_count = 0;
    f_int50(0);
    conf_eq(seen_count, 1, "frame.int50.delivered");
    conf_eq(seen_rsp % 16, 8, "frame.aligned_from_rsp_8_mod_16");
    f_int50_sub8(0);
    conf_eq(seen_rsp % 16, 8, "frame.aligned_from_rsp_0_mod_16");
    /* An interrupt gate clears IF, a trap gate keeps it (6.12.1.3). */
    __asm__ volatile("sti");
    f_int50(0);
    conf_eq(!!(seen_rflags & RFLAGS_IF), 0, "frame.interrupt_gate_clears_if");
    sdk_set_gate_type(0x50, 0xF);
    f_int50(0);
    conf_eq(!!(seen_rflags & RFLAGS_IF), 1, "frame.trap_gate_keeps_if");
    __asm__ volatile("cli");
    sdk_set_gate_type(0x50, 0xE);
    /* IST: the handler runs on IST1 whatever RSP was (6.14.5). */
    sdk_set_ist(0x50, 1);
    f_int50(0);
    uint64_t top = (uintptr_t)sdk_ist_stack_top;
    conf_true(seen_rsp < top && seen_rsp >= top - 4096, "frame.ist1_stack");
    conf_eq(seen_rsp % 16, 8, "frame.ist1_stack_aligned");
    sdk_set_ist(0x50, 0);
    sdk_set_handler(0x50, 0);
}

/* ---- local APIC: self-IPIs, STI shadow, TPR, NMI blocking ---- */

#define APIC_BASE_MSR 0x1B
#define APIC_TPR 0x080
#define APIC_EOI 0x0B0
#define APIC_ISR 0x100
#define APIC_IRR 0x200
#define APIC_SELF_FIXED(v) (0x44000u | (v))     /* shorthand self, assert, fixed */
#define APIC_NMI 0x4400u                        /* NMI, assert, no shorthand */

static volatile uint64_t irq_count, irq_shadow_mark, nmi_count, nmi_nested_seen;
static volatile uint32_t shadow_counter;

static void irq_handler(struct sdk_frame *f)
{
    (void)f;
    irq_shadow_mark = shadow_counter;
    irq_count++;
    sdk_apic_write(APIC_EOI, 0);
}

/* The self shorthand is valid only with fixed delivery (SDM Vol. 3A,
 * 12.6.1, the table of valid combinations for the local xAPIC's ICR): an
 * NMI to oneself names one's own APIC ID. */
static void self_nmi(void)
{
    sdk_apic_write(SDK_APIC_ICR_HI, sdk_apic_read(SDK_APIC_ID) & 0xFF000000u);
    sdk_apic_write(SDK_APIC_ICR_LO, APIC_NMI);
}

static void nmi_handler(void)
{
    nmi_count++;
    if (nmi_count == 1) {
        /* A second NMI now stays pending until this handler's IRET. */
        self_nmi();
        for (int i = 0; i < 1000; i++)
            __asm__ volatile("pause");
        nmi_nested_seen = nmi_count;
    }
}

static bool irr_bit(unsigned v)
{
    return (sdk_apic_read(APIC_IRR + (v / 32) * 16) >> (v % 32)) & 1;
}

static void apic_interrupts(void)
{
    if (!cpuid_bit(1, 0, EDX, 9)) {
        conf_skip("no local APIC", "apic.self_ipi");
        return;
    }
    sdk_lapic_base = (uint32_t)(rdmsr(APIC_BASE_MSR) & 0xFFFFF000u);
    sdk_apic_enable();
    sdk_set_handler(0x51, irq_handler);

    /* IF=0: the interrupt waits in the IRR. */
    irq_count = 0;
    sdk_apic_write(SDK_APIC_ICR_LO, APIC_SELF_FIXED(0x51));
    for (int i = 0; i < 100; i++)
        __asm__ volatile("pause");
    conf_eq(irq_count, 0, "apic.self_ipi_if_clear_not_delivered");
    conf_eq(irr_bit(0x51), 1, "apic.self_ipi_pending_in_irr");
    /* STI's shadow: the next instruction runs before the interrupt (6.8.3). */
    shadow_counter = 0;
    __asm__ volatile("sti; incl %0; cli" : "+m"(shadow_counter));
    conf_eq(irq_count, 1, "apic.self_ipi_delivered_after_sti");
    conf_eq(irq_shadow_mark, 1, "apic.sti_shadow_one_instruction");
    conf_eq(irr_bit(0x51), 0, "apic.irr_clear_after_delivery");

    /* TPR (CR8 in 64-bit mode: TPR[7:4] = CR8[3:0], 10.8.6.1). */
    write_cr8(6);
    conf_eq(sdk_apic_read(APIC_TPR) & 0xF0, 0x60, "apic.cr8_sets_tpr");
    sdk_apic_write(APIC_TPR, 0x20);
    conf_eq(read_cr8(), 2, "apic.tpr_reads_as_cr8");
    write_cr8(5);       /* class 5 blocks vector 0x51 */
    irq_count = 0;
    sdk_apic_write(SDK_APIC_ICR_LO, APIC_SELF_FIXED(0x51));
    __asm__ volatile("sti; nop; nop; nop; cli");
    conf_eq(irq_count, 0, "apic.tpr_blocks_equal_class");
    write_cr8(4);
    __asm__ volatile("sti; nop; nop; cli");
    conf_eq(irq_count, 1, "apic.tpr_lowered_delivers");
    write_cr8(0);
    sdk_set_handler(0x51, 0);

    /* NMIs: a self-NMI is taken at once, even with IF=0; a second one
     * sent from the handler waits for its IRET (6.7.1). */
    nmi_count = nmi_nested_seen = 0;
    sdk_set_nmi_handler(nmi_handler);
    self_nmi();
    for (int i = 0; i < 1000 && nmi_count < 2; i++)
        __asm__ volatile("pause");
    conf_eq(nmi_nested_seen, 1, "nmi.blocked_inside_handler");
    conf_eq(nmi_count, 2, "nmi.second_delivered_after_iret");
    /* An NMI through an IST gate. */
    sdk_set_nmi_handler(0);
    sdk_set_ist(VEC_NMI, 1);
    sdk_set_handler(VEC_NMI, record);
    seen_count = 0;
    self_nmi();
    for (int i = 0; i < 1000 && !seen_count; i++)
        __asm__ volatile("pause");
    uint64_t top = (uintptr_t)sdk_ist_stack_top;
    conf_eq(seen_count, 1, "nmi.ist.delivered");
    conf_true(seen_rsp < top && seen_rsp >= top - 4096, "nmi.ist.on_ist1");
    sdk_set_handler(VEC_NMI, 0);
    sdk_set_ist(VEC_NMI, 0);
}

int main(void)
{
    /* 0x58: a data segment that is not present; 0x60: execute-only code. */
    sdk_gdt[SDK_SEL_FREE / 8] = 0x00CF12000000FFFFull;
    sdk_gdt[SDK_SEL_FREE / 8 + 1] = 0x00CF98000000FFFFull;
    conf_begin("exceptions");
    basic_faults();
    stack_faults();
    device_not_available();
    page_faults();
    user_mode();
    idt_faults();
    handler_frames();
    apic_interrupts();
    conf_done();
}
