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
;
; The fast path: a CPUID of a leaf the vCPU's cpuid_fast holds masks for
; is answered here, between one VMRUN and the next, and its exit never
; reaches C (as VT-x's first layer does it, vmx/entry.asm): the native
; CPUID, the masks of the policy and of this vCPU's CR4, RIP from the next
; RIP the CPU saved (15.7.1), the exit counted. Neither VMSAVE nor VMLOAD
; is needed: the state they move stays the guest's in the CPU, which the
; fast path never uses (no GS, no TR). Anything unusual takes the C path
; unchanged: CR4.OSXSAVE or PKE not those of the masks, `step` or a
; guest NMI waiting, TF or RF (the single-step trap
; and RF's clearing are svm_advance's), the console's turn
; (console_countdown about to reach 0), a request, an intercept to re-arm
; or no next RIP saved (slow_exit), a leaked #DB (svm_db_hook). A request
; that comes after the look at the requests is followed by its NMI, which
; GIF holds until VMRUN sets it: the guest exits at once (15.17), as on
; svm_run's own entries.

%include "asm_offsets.inc"
%include "svm_offsets.inc"
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
svm_vmrun_again:
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
    mov [rdi + GR_RSI], rsi
    mov rsi, [rdi + SVM_VMCB]
    cmp dword [rsi + VMCB_EXITCODE], SVM_EXIT_CPUID
    jne .slow

    ; ---- CPUID (SDM Vol. 2A, CPUID): EAX = leaf (the VMCB's RAX), ECX =
    ; subleaf (the guest's, in the CPU). The masks hold for the CR4.OSXSAVE
    ; and PKE they were made for, which the guest may have changed since
    ; (its CR4 writes do not exit): then the slow path makes new ones.
    mov eax, [rsi + VMCB_CR4]
    and eax, CR4_CPUID_BITS
    cmp eax, [rdi + VCPU_CPUID_CR4]
    jne .slow
    mov eax, [rsi + VMCB_RAX]
    cmp eax, CPUID_FAST_LEAVES
    jae .slow
    cmp word [rdi + VCPU_STEPPING], 0   ; stepping, nmi_pending
    jne .slow
    bt dword [rdi + VCPU_CPUID_VALID], eax
    jnc .slow                           ; not asked yet, or no masks: the slow path fills them
    test dword [rsi + VMCB_RFLAGS], RFLAGS_TF_RF
    jnz .slow
    cmp dword [rdi + VCPU_COUNTDOWN], 1
    jbe .slow
    cmp dword [rdi + VCPU_REQUESTS], 0
    jne .slow
    cmp dword [rdi + SVM_SLOW_EXIT], 0
    jne .slow
    cmp qword [rdi + SVM_LEAKED_DR6], 0
    jne .slow
    ; Handled from here on: RIP past the CPUID (prefixes included), its
    ; interrupt shadow over (15.21.5), a TLB flush asked for done. RBX and
    ; RDX are free: CPUID overwrites both.
    mov rbx, [rsi + VMCB_NEXT_RIP]
    mov [rsi + VMCB_RIP], rbx
    and dword [rsi + VMCB_INT_STATE], ~INT_STATE_SHADOW
    mov byte [rsi + VMCB_TLB_CONTROL], TLB_CONTROL_NOTHING
    mov qword [rdi + SVM_ENTRY_EVENT], 0  ; the next VMRUN injects nothing (redeliver)
    inc qword [rdi + VCPU_EXITS]
    dec dword [rdi + VCPU_COUNTDOWN]
    inc qword [rdi + VCPU_EXIT_COUNT + VEXIT_CPUID_NR * 8]
    CPUID_MASKED
    mov rsi, [rdi + SVM_VMCB]
    mov [rsi + VMCB_RAX], rax
    mov rsi, [rdi + GR_RSI]
    mov rax, [rsp + 8]                  ; vmcb_pa
    mov rdi, [rdi + GR_RDI]
    jmp svm_vmrun_again

.slow:
    mov rsi, [rdi + GR_RSI]
    SAVE_GPRS_BUT_RAX_RDI
    add rsp, 8                          ; regs
    pop rax                             ; vmcb_pa
    vmsave                              ; [rax]
    pop rax                             ; host_pa
    vmload                              ; [rax]
    POP_CALLEE_SAVED
    ret
