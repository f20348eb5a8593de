/*
 * asm_offsets.c - offsets that vmx/entry.asm uses, generated from the C
 * structs so they can never drift. Compiled to assembly only; the build
 * turns every "->NAME value" marker into "%define NAME value" in
 * build/gen/asm_offsets.inc (the Linux asm-offsets technique).
 */
#include <stddef.h>

#include "../kernel/cpuid_policy.h"
#include "../kernel/ipi.h"
#include "../kernel/msr_policy.h"
#include "../kernel/vapic.h"
#include "../kernel/x86_regs.h"
#include "vmx.h"

#define DEFINE(sym, val) __asm__ volatile("\n.ascii \"->" #sym " %c0\"" : : "i"(val))
#define OFFSET(sym, str, mem) DEFINE(sym, offsetof(struct str, mem))

void asm_offsets(void);

void asm_offsets(void)
{
    OFFSET(GR_RAX, guest_regs, rax);
    OFFSET(GR_RBX, guest_regs, rbx);
    OFFSET(GR_RCX, guest_regs, rcx);
    OFFSET(GR_RDX, guest_regs, rdx);
    OFFSET(GR_RSI, guest_regs, rsi);
    OFFSET(GR_RDI, guest_regs, rdi);
    OFFSET(GR_RBP, guest_regs, rbp);
    OFFSET(GR_R8, guest_regs, r8);
    OFFSET(GR_R9, guest_regs, r9);
    OFFSET(GR_R10, guest_regs, r10);
    OFFSET(GR_R11, guest_regs, r11);
    OFFSET(GR_R12, guest_regs, r12);
    OFFSET(GR_R13, guest_regs, r13);
    OFFSET(GR_R14, guest_regs, r14);
    OFFSET(GR_R15, guest_regs, r15);
    OFFSET(GR_HOST_RSP, guest_regs, host_rsp);
    OFFSET(VCPU_REQUESTS, vcpu, requests);
    _Static_assert(sizeof(((struct vcpu *)0)->requests) == 4, "entry.asm compares a dword");
    DEFINE(VMCS_HOST_RSP_ENC, VMCS_HOST_RSP);

    /* The exit path's fast part (entry.asm): the neutral vCPU is the
     * first member of struct vmx_vcpu, so its offsets hold for both. */
    _Static_assert(offsetof(struct vmx_vcpu, v) == 0, "entry.asm: regs = vcpu = vmx_vcpu");
    OFFSET(VCPU_EXIT_RAW, vcpu, exit.raw);
    OFFSET(VCPU_EXIT_VREASON, vcpu, exit.reason);
    _Static_assert(sizeof(((struct vcpu *)0)->exit.raw) == 4 &&
                   sizeof(((struct vcpu *)0)->exit.reason) == 4, "entry.asm stores dwords");
    DEFINE(VMX_KIND_DECODE_NR, VMX_KIND_DECODE);
    OFFSET(VCPU_EXITS, vcpu, exits);
    OFFSET(VCPU_RIP_VALID, vcpu, rip_valid);
    _Static_assert(offsetof(struct vcpu, exit_cached) == offsetof(struct vcpu, rip_valid) + 1 &&
                   sizeof(bool) == 1, "entry.asm clears both with one word");
    DEFINE(VMX_EXIT_KIND_MASK_NR, VMX_EXIT_KIND_LEN - 1);
    OFFSET(VCPU_EXIT_COUNT, vcpu, exit_count);
    OFFSET(VCPU_COUNTDOWN, vcpu, console_countdown);
    _Static_assert(sizeof(((struct vcpu *)0)->console_countdown) == 4, "entry.asm counts a dword");
    OFFSET(VCPU_STEPPING, vcpu, stepping);
    _Static_assert(sizeof(((struct vcpu *)0)->stepping) == 1, "entry.asm tests a byte");
    _Static_assert(offsetof(struct vcpu, nmi_pending) == offsetof(struct vcpu, stepping) + 1 &&
                       sizeof(((struct vcpu *)0)->nmi_pending) == 1,
                   "entry.asm tests stepping and nmi_pending with one word");
    DEFINE(VMCS_EXIT_REASON_ENC, VMCS_EXIT_REASON);
    DEFINE(VMCS_GUEST_RIP_ENC, VMCS_GUEST_RIP);
    DEFINE(VMCS_GUEST_RFLAGS_ENC, VMCS_GUEST_RFLAGS);
    DEFINE(RFLAGS_TF_RF, RFLAGS_TF | RFLAGS_RF);
    DEFINE(VMCS_EXIT_QUALIFICATION_ENC, VMCS_EXIT_QUALIFICATION);
    DEFINE(VMCS_GUEST_PHYSICAL_ADDRESS_ENC, VMCS_GUEST_PHYSICAL_ADDRESS);
    DEFINE(VMCS_IDT_VECTORING_INFO_ENC, VMCS_IDT_VECTORING_INFO);

    /* The lazy EPT fault's fast path (entry.asm; ept/guest_ept.h). */
    OFFSET(VCPU_EPT_FAULTS, vcpu, ept.faults);
    OFFSET(VCPU_EPT_MAPPED_2M, vcpu, ept.mapped_2m);
    OFFSET(VCPU_EPT_MAPPED_4K, vcpu, ept.mapped_4k);
    OFFSET(VCPU_EPT_LOG_COUNT, vcpu, ept.log_count);
    OFFSET(VCPU_EPT_LOG, vcpu, ept.log);
    DEFINE(EPT_LOG_MASK, EPT_LOG_LEN - 1);
    _Static_assert((EPT_LOG_LEN & (EPT_LOG_LEN - 1)) == 0, "entry.asm wraps the log with a mask");
    _Static_assert(sizeof(struct ept_fault_record) == 32, "entry.asm indexes the log by count << 5");
    OFFSET(LOG_GPA, ept_fault_record, gpa);
    OFFSET(LOG_RIP, ept_fault_record, rip);
    OFFSET(LOG_QUAL, ept_fault_record, qual);
    OFFSET(LOG_CLS, ept_fault_record, cls);
    OFFSET(LOG_ACTION, ept_fault_record, action);
    OFFSET(LOG_SIZE, ept_fault_record, size);
    _Static_assert(sizeof(((struct ept_fault_record *)0)->size) == 4, "entry.asm writes a dword");
    DEFINE(EPT_ACTION_MAPPED, EPT_MAPPED);
    OFFSET(PLANS_BLOCK, ept_plan_table, block);
    OFFSET(PLANS_PAGES, ept_plan_table, pages);
    DEFINE(PLAN_KNOWN_BIT, PLAN_KNOWN);
    DEFINE(PLAN_PAGES_BIT, PLAN_PAGES);
    OFFSET(EPT_MAP_PAGES_4K, ept, pages_4k);
    OFFSET(EPT_MAP_PAGES_2M, ept, pages_2m);
    _Static_assert(sizeof(ept_map_lock.locked) == 4, "entry.asm takes the lock with a dword");
    DEFINE(EPT_RWX_BITS, EPT_RWX);
    DEFINE(EPT_LARGE_BIT, EPT_LARGE);
    DEFINE(EPT_MEMTYPE_SHIFT_NR, EPT_MEMTYPE_SHIFT);
    DEFINE(EPT_PAGE_2M_SIZE, EPT_PAGE_2M);
    DEFINE(EPT_PAGE_4K_SIZE, EPT_PAGE_4K);
    DEFINE(VMCS_EXIT_INSTRUCTION_LEN_ENC, VMCS_EXIT_INSTRUCTION_LEN);
    DEFINE(EXIT_CPUID, EXIT_REASON_CPUID);
    DEFINE(EXIT_EPT_VIOLATION, EXIT_REASON_EPT_VIOLATION);
    DEFINE(VEXIT_CPUID_NR, VEXIT_CPUID);             /* exit_count's index */
    DEFINE(VEXIT_NPF_NR, VEXIT_NPF);
    DEFINE(CPUID_FAST_LEAVES, CPUID_FAST_LEAVES);
    OFFSET(VCPU_CPUID_VALID, vcpu, cpuid_fast.valid);
    OFFSET(VCPU_CPUID_MASKS, vcpu, cpuid_fast.masks);
    _Static_assert(sizeof(struct cpuid_masks) == 32, "entry.asm indexes the masks by leaf << 5");

    /* The x2APIC ICR's fast path (vmx/entry.asm, svm/entry.asm; kernel/vapic.h). */
    DEFINE(EXIT_WRMSR, EXIT_REASON_WRMSR);
    DEFINE(VEXIT_WRMSR_NR, VEXIT_WRMSR);
    DEFINE(MSR_X2APIC_ICR_NR, MSR_X2APIC_ICR);
    DEFINE(MSR_APIC_BASE_NR, MSR_IA32_APIC_BASE);
    DEFINE(APIC_BASE_X2APIC_BIT, APIC_BASE_X2APIC);
    DEFINE(IPI_FAST_REFUSE_BITS, IPI_FAST_REFUSE);  /* printed as a negative dword: nasm takes it */
    OFFSET(MSR_POLICY_RULES, msr_policy, n);
    _Static_assert(sizeof(((struct msr_policy *)0)->n) == 4, "entry.asm compares a dword");
    OFFSET(VCPU_APIC_ICR_WRITES, vcpu, apic.icr_writes);
    OFFSET(VCPU_APIC_PASSED, vcpu, apic.passed);
#ifdef VMX_COUNT_VMCS_ACCESS
    DEFINE(VMX_COUNT_VMCS_ACCESS, 1);
    OFFSET(VCPU_VMREADS, vmx_vcpu, vmreads);
    OFFSET(VCPU_VMWRITES, vmx_vcpu, vmwrites);
    OFFSET(VCPU_VMREADS0, vmx_vcpu, vmreads0);
    OFFSET(VCPU_VMWRITES0, vmx_vcpu, vmwrites0);
#endif
}
