; entry.asm - the guest entry/exit path (SDM Vol. 3C, 27 "VM Entries",
; 28 "VM Exits"): the only VMX code C cannot express, because the guest's
; GPRs live in struct guest_regs, not in the VMCS.
;
; int vmx_run_guest(struct guest_regs *regs /* rdi */, int launched /* esi */)
;   Enters the guest (VMLAUNCH, or VMRESUME when launched) and stays in a
;   tight exit/resume cycle: on every VM exit the guest's GPRs are saved to
;   *regs and vcpu_exit(regs) runs; while it returns non-zero the guest is
;   resumed right here, without unwinding to C. Returns 0 when vcpu_exit
;   says stop, or 1 (VMfailInvalid) / 2 (VMfailValid) when VMLAUNCH or
;   VMRESUME fails.
;
; HOST_RIP is vmx_exit_entry (written once per VMCS). HOST_RSP is this
; frame's RSP, written only when it changed.
;
; Kicks: another core sets a request and sends an NMI to force an exit. An
; NMI that lands between the last look at the requests and VMRESUME would
; be lost (the guest would run on with the request pending), so each entry
; checks the requests inside an "entry window", and the hypervisor's NMI
; handler moves a RIP it finds inside a window to vmx_entry_abort, which
; returns 0 as if vcpu_exit had said stop (vmx/vcpu.c, vmx_nmi_in_entry). CR2 is not switched: the
; hypervisor never takes a page fault (one would panic), so the guest's CR2
; survives in the register across exits.

%include "asm_offsets.inc"

bits 64
section .text

global vmx_run_guest
global vmx_exit_entry
global vmx_entry_windows
global vmx_entry_abort
extern vcpu_exit

%macro LOAD_GUEST_GPRS 0                ; rdi = regs; rdi itself last
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
%endmacro

vmx_run_guest:
    push rbp
    push rbx
    push r12
    push r13
    push r14
    push r15
    push rdi                            ; regs: at [rsp] when an exit lands
    ; RSP is now 16-byte aligned: the call in vmx_exit_entry keeps the ABI.

    cmp rsp, [rdi + GR_HOST_RSP]
    je .host_rsp_ok
    mov [rdi + GR_HOST_RSP], rsp
    mov rax, VMCS_HOST_RSP_ENC
    vmwrite rax, rsp
.host_rsp_ok:
    test esi, esi
    jz .launch
.window1:
    cmp dword [rdi + VCPU_REQUESTS], 0
    jne vmx_entry_abort
    LOAD_GUEST_GPRS
.window1_end:
    vmresume
    jmp vmx_entry_failed
.launch:
.window2:
    cmp dword [rdi + VCPU_REQUESTS], 0
    jne vmx_entry_abort
    LOAD_GUEST_GPRS
.window2_end:
    vmlaunch
    jmp vmx_entry_failed

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
    pop qword [rdi + GR_RDI]
    call vcpu_exit                      ; rdi = regs = the vcpu (first member)
    test eax, eax
    jz vmx_entry_abort
    mov rdi, [rsp]
.window3:
    cmp dword [rdi + VCPU_REQUESTS], 0
    jne vmx_entry_abort
    LOAD_GUEST_GPRS
.window3_end:
    vmresume
    jmp vmx_entry_failed

vmx_entry_abort:
    ; Back to vcpu_run with 0: a stop, a request, or an NMI in a window.
    ; The guest's GPRs are all in regs already; the host's callee-saved
    ; ones are on the stack.
    xor eax, eax
    jmp vmx_return

vmx_entry_failed:
    ; Still in the host with the guest's GPRs: CF=1 VMfailInvalid,
    ; ZF=1 VMfailValid (31.2).
    mov eax, 1
    jc vmx_return
    mov eax, 2
vmx_return:
    pop rdi
    pop r15
    pop r14
    pop r13
    pop r12
    pop rbx
    pop rbp
    ret

section .rodata
align 8
; [start, end] pairs: end is the VM-entry instruction itself (not yet run).
vmx_entry_windows:
    dq vmx_run_guest.window1, vmx_run_guest.window1_end
    dq vmx_run_guest.window2, vmx_run_guest.window2_end
    dq vmx_exit_entry.window3, vmx_exit_entry.window3_end
