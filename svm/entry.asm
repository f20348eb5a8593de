; entry.asm - the SVM guest entry and exit (AMD APM Vol. 2, 15.5 "VMRUN
; Instruction", 15.6 "#VMEXIT"): the only SVM code C cannot express, the
; guest's GPRs living in struct guest_regs. RAX and RSP are the VMCB's
; (svm/svm_exit.c copies RAX), the rest are loaded here.
;
; void svm_vmrun(struct guest_regs *regs /* rdi */, uint64_t vmcb_pa /* rsi */,
;                uint64_t host_pa /* rdx */)
;   VMLOAD the guest's FS, GS, TR, LDTR, SYSCALL and SYSENTER state from
;   the VMCB, VMRUN it, VMSAVE that state back after the #VMEXIT, VMLOAD
;   the host's (this core's GS base, its struct cpu, and TR, which the
;   hypervisor's NMI handler needs: before the caller's STGI). GIF is clear
;   throughout (the caller's CLGI): no NMI lands in between.

%include "asm_offsets.inc"
%include "guest_gprs.inc"

bits 64
section .text

global svm_vmrun
global svm_vmrun_exited

svm_vmrun:
    PUSH_CALLEE_SAVED
    push rdx                            ; host_pa
    push rsi                            ; vmcb_pa
    push rdi                            ; regs: at [rsp] after the #VMEXIT
    mov rax, rsi                        ; VMLOAD and VMRUN take the VMCB in RAX
    LOAD_GPRS_BUT_RAX_RDI
    mov rdi, [rdi + GR_RDI]
    vmload                              ; [rax]
    vmrun                               ; [rax]
    ; The host's RSP is back (15.6); every other GPR but RAX is the guest's.
    ; A single-step or breakpoint trap of the guest's that an emulator
    ; leaves pending across the #VMEXIT (Bochs 2.7) is delivered here, with
    ; the guest's GS base: svm_exit.c's trap_db_hook dismisses it and the
    ; exit path gives it to the guest.
svm_vmrun_exited:
    push rdi
    mov rdi, [rsp + 8]
    pop qword [rdi + GR_RDI]
    SAVE_GPRS_BUT_RAX_RDI
    add rsp, 8                          ; regs
    pop rax                             ; vmcb_pa
    vmsave                              ; [rax]
    pop rax                             ; host_pa
    vmload                              ; [rax]
    POP_CALLEE_SAVED
    ret
