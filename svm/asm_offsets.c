/*
 * asm_offsets.c - what svm/entry.asm needs of the SVM vCPU and the VMCB,
 * generated from the C definitions so they can never drift (as
 * vmx/asm_offsets.c, whose build/gen/asm_offsets.inc gives the neutral
 * vCPU's offsets to both backends): build/gen/svm_offsets.inc.
 */
#include <stddef.h>

#include "svm.h"

#define DEFINE(sym, val) __asm__ volatile("\n.ascii \"->" #sym " %c0\"" : : "i"(val))
#define OFFSET(sym, str, mem) DEFINE(sym, offsetof(struct str, mem))

void svm_asm_offsets(void);

void svm_asm_offsets(void)
{
    _Static_assert(offsetof(struct svm_vcpu, v) == 0, "entry.asm: regs = vcpu = svm_vcpu");
    OFFSET(SVM_VMCB, svm_vcpu, vmcb);
    OFFSET(SVM_SLOW_EXIT, svm_vcpu, slow_exit);
    _Static_assert(sizeof(((struct svm_vcpu *)0)->slow_exit) == 4, "entry.asm tests a dword");
    OFFSET(SVM_LEAKED_DR6, svm_vcpu, leaked_dr6);
    OFFSET(SVM_ENTRY_EVENT, svm_vcpu, entry_event);
    _Static_assert(sizeof(((struct svm_vcpu *)0)->leaked_dr6) == 8, "entry.asm tests a qword");
    OFFSET(VCPU_CPUID_CR4, vcpu, cpuid_fast.cr4);
    _Static_assert(sizeof(((struct vcpu *)0)->cpuid_fast.cr4) == 4, "entry.asm compares a dword");
    DEFINE(CR4_CPUID_BITS, CR4_CPUID_BITS);
    DEFINE(VMCB_CR4, VMCB_CR4);
    DEFINE(VMCB_EXITCODE, VMCB_EXITCODE);
    DEFINE(VMCB_RAX, VMCB_RAX);
    DEFINE(VMCB_RIP, VMCB_RIP);
    DEFINE(VMCB_NEXT_RIP, VMCB_NEXT_RIP);
    DEFINE(VMCB_RFLAGS, VMCB_RFLAGS);
    DEFINE(VMCB_INT_STATE, VMCB_INT_STATE);
    DEFINE(VMCB_TLB_CONTROL, VMCB_TLB_CONTROL);
    DEFINE(INT_STATE_SHADOW, INT_STATE_SHADOW);
    DEFINE(TLB_CONTROL_NOTHING, TLB_CONTROL_NOTHING);
    DEFINE(SVM_EXIT_CPUID, SVM_EXIT_CPUID);
}
