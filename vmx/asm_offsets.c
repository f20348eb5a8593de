/*
 * asm_offsets.c - offsets that vmx/entry.asm uses, generated from the C
 * structs so they can never drift. Compiled to assembly only; the build
 * turns every "->NAME value" marker into "%define NAME value" in
 * build/gen/asm_offsets.inc (the Linux asm-offsets technique).
 */
#include <stddef.h>

#include "vcpu.h"

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
}
