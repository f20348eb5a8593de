; isr.asm - interrupt and exception entry stubs for all 256 vectors.
;
; Each stub pushes a zero error code when the CPU does not push one (SDM
; Vol. 3A, 7.13 "Error Code"), then its vector, then jumps to isr_common,
; which saves the GPRs in the order of struct trap_frame (kernel/trap.h)
; and calls trap_dispatch(frame) on a 16-byte aligned stack.

bits 64
extern trap_dispatch

section .text
align 16
isr_common:
    push rax
    push rbx
    push rcx
    push rdx
    push rsi
    push rdi
    push rbp
    push r8
    push r9
    push r10
    push r11
    push r12
    push r13
    push r14
    push r15
    cld
    mov rdi, rsp                ; struct trap_frame *
    mov rbx, rsp                ; callee-saved: restore after the call
    and rsp, -16
    call trap_dispatch
    mov rsp, rbx
    pop r15
    pop r14
    pop r13
    pop r12
    pop r11
    pop r10
    pop r9
    pop r8
    pop rbp
    pop rdi
    pop rsi
    pop rdx
    pop rcx
    pop rbx
    pop rax
    add rsp, 16                 ; vector, error code
    iretq

; Vectors whose exceptions push an error code: #DF #TS #NP #SS #GP #PF #AC #CP #VC #SX.
%define HAS_ERROR(v) ((v) == 8 || ((v) >= 10 && (v) <= 14) || (v) == 17 || (v) == 21 || (v) == 29 || (v) == 30)

%assign v 0
%rep 256
align 16
isr_stub_ %+ v:
%if HAS_ERROR(v) == 0
    push 0
%endif
    push v
    jmp isr_common
%assign v v + 1
%endrep

section .rodata
align 8
global isr_stubs
isr_stubs:
%assign v 0
%rep 256
    dq isr_stub_ %+ v
%assign v v + 1
%endrep
