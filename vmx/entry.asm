; entry.asm - enter the guest and come back (SDM Vol. 3C, 27 "VM Entries",
; 28 "VM Exits"). The only VMX code C cannot express: the guest's GPRs live
; in struct guest_regs, not in the VMCS.
;
; int vmx_enter_guest(struct guest_regs *regs /* rdi */, int launched /* esi */)
;   Returns 0 after a VM exit (the guest's GPRs and CR2 saved in *regs), or
;   1 (VMfailInvalid) / 2 (VMfailValid) if VMLAUNCH/VMRESUME failed.
;
; HOST_RIP is vmx_exit_entry (written once per VMCS); HOST_RSP is this
; frame's RSP, written only when it changed since the last entry.

%include "asm_offsets.inc"

bits 64
section .text

global vmx_enter_guest
global vmx_exit_entry

vmx_enter_guest:
    push rbp
    push rbx
    push r12
    push r13
    push r14
    push r15
    push rdi                            ; regs: at [rsp] when the exit lands

    cmp rsp, [rdi + GR_HOST_RSP]
    je .host_rsp_ok
    mov [rdi + GR_HOST_RSP], rsp
    mov rax, VMCS_HOST_RSP_ENC
    vmwrite rax, rsp
.host_rsp_ok:
    mov rax, [rdi + GR_CR2]
    mov rdx, cr2
    cmp rax, rdx
    je .cr2_ok
    mov cr2, rax
.cr2_ok:
    test esi, esi                       ; flags survive the MOVs below
    mov rax, [rdi + GR_RAX]
    mov rbx, [rdi + GR_RBX]
    mov rcx, [rdi + GR_RCX]
    mov rdx, [rdi + GR_RDX]
    mov rsi, [rdi + GR_RSI]
    mov rbp, [rdi + GR_RBP]
    mov r8,  [rdi + GR_R8]
    mov r9,  [rdi + GR_R9]
    mov r10, [rdi + GR_R10]
    mov r11, [rdi + GR_R11]
    mov r12, [rdi + GR_R12]
    mov r13, [rdi + GR_R13]
    mov r14, [rdi + GR_R14]
    mov r15, [rdi + GR_R15]
    mov rdi, [rdi + GR_RDI]
    jnz .resume
    vmlaunch
    jmp .failed
.resume:
    vmresume
.failed:
    ; Still in the host: CF=1 VMfailInvalid, ZF=1 VMfailValid (31.2).
    mov eax, 1
    jc .out
    mov eax, 2
.out:
    pop rdi
    pop r15
    pop r14
    pop r13
    pop r12
    pop rbx
    pop rbp
    ret

vmx_exit_entry:
    ; RSP = HOST_RSP: [rsp] holds the regs pointer. Every GPR is the guest's.
    push rdi
    mov rdi, [rsp + 8]
    mov [rdi + GR_RAX], rax
    mov [rdi + GR_RBX], rbx
    mov [rdi + GR_RCX], rcx
    mov [rdi + GR_RDX], rdx
    mov [rdi + GR_RSI], rsi
    mov [rdi + GR_RBP], rbp
    mov [rdi + GR_R8],  r8
    mov [rdi + GR_R9],  r9
    mov [rdi + GR_R10], r10
    mov [rdi + GR_R11], r11
    mov [rdi + GR_R12], r12
    mov [rdi + GR_R13], r13
    mov [rdi + GR_R14], r14
    mov [rdi + GR_R15], r15
    pop rax                             ; the guest's RDI
    mov [rdi + GR_RDI], rax
    mov rax, cr2
    mov [rdi + GR_CR2], rax
    xor eax, eax
    jmp .out_exit
.out_exit:
    pop rdi
    pop r15
    pop r14
    pop r13
    pop r12
    pop rbx
    pop rbp
    ret
