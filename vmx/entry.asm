; entry.asm - the guest entry/exit path (SDM Vol. 3C, 27 "VM Entries",
; 28 "VM Exits"): the only VMX code C cannot express, because the guest's
; GPRs live in struct guest_regs, not in the VMCS.
;
; int vmx_run_guest(struct guest_regs *regs /* rdi */, int launched /* esi */)
;   Enters the guest (VMLAUNCH, or VMRESUME when launched) and stays in a
;   tight exit/resume cycle without unwinding to C. Returns 0 when an exit
;   handler says stop (or a request is pending), or 1 (VMfailInvalid) /
;   2 (VMfailValid) when VMLAUNCH or VMRESUME fails.
;
; An exit goes through three layers, each saving only what it needs:
;   1. here, in assembly: RDI, RSI, RDX saved, the exit reason read (the
;      one VMREAD every exit needs), exits counted; a CPUID of a leaf that
;      the vCPU's cpuid_fast holds masks for is answered right here (the
;      fast path: native CPUID, the masks of the policy and of this vCPU's
;      CR4, RIP advanced), and so is the lazy fault-in of a page the plan
;      table knows: four VMREADs here, then ept_fault_in_fast()
;      (ept/guest_ept.c), C that keeps every GPR but RAX (PRESERVES_GPRS),
;      so only RAX and RCX are saved for it;
;   2. the caller-saved GPRs saved, vcpu_exit_light() (vmx/vcpu.c): the
;      light handlers of vmx/exits.c (the guest's UART);
;   3. every GPR saved, vcpu_exit(): the exit_handlers table, statistics
;      with cycles, the trace ring, single-step.
;
; HOST_RIP is vmx_exit_entry (written once per VMCS). HOST_RSP is this
; frame's RSP, written only when it changed.
;
; Kicks: another core sets a request and sends an NMI to force an exit. An
; NMI that lands between the last look at the requests and VMRESUME would
; be lost (the guest would run on with the request pending), so each entry
; checks the requests inside an "entry window", and the hypervisor's NMI
; handler moves a RIP it finds inside a window to that window's abort
; label (vmx/vcpu.c, host_nmi), which returns 0 as if the handler had said
; stop. Inside the windows of layers 1 and 2 some GPRs are only in the CPU:
; their abort, vmx_partial_abort, saves them first. CR2 is not switched:
; the hypervisor never takes a page fault (one would panic), so the
; guest's CR2 survives in the register across exits.

%include "asm_offsets.inc"

bits 64
section .text

global vmx_run_guest
global vmx_exit_entry
global vmx_entry_windows
global vmx_entry_windows_end
global vmx_entry_abort
global vmx_partial_abort
extern vcpu_exit
extern vcpu_exit_light
extern ept_fault_in_fast
extern exit_light_handlers
%ifdef VMX_COUNT_VMCS_ACCESS
extern vmcs_reads
extern vmcs_writes
%endif

%macro COUNT_VMREAD 0                   ; the benchmark build counts VMREADs
%ifdef VMX_COUNT_VMCS_ACCESS
    inc qword [rel vmcs_reads]
%endif
%endmacro

; The entry of layers 1 and 2, every GPR but RDI loaded: window %1 looks
; at the requests, then RDI, then VMRESUME.
%macro PARTIAL_RESUME 1
%1:
    cmp dword [rdi + VCPU_REQUESTS], 0
    jne vmx_partial_abort
    mov rdi, [rdi + GR_RDI]
%1_end:
    vmresume
    jmp vmx_partial_failed
%endmacro

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
    pop qword [rdi + GR_RDI]
    mov [rdi + GR_RSI], rsi
    mov [rdi + GR_RDX], rdx
%ifdef VMX_COUNT_VMCS_ACCESS
    mov rsi, [rel vmcs_reads]           ; this exit's VMREADs and VMWRITEs from here
    mov [rdi + VCPU_VMREADS0], rsi
    mov rsi, [rel vmcs_writes]
    mov [rdi + VCPU_VMWRITES0], rsi
    inc qword [rel vmcs_reads]          ; the exit reason's, below
%endif
    mov esi, VMCS_EXIT_REASON_ENC
    vmread rdx, rsi
    mov [rdi + VCPU_EXIT_REASON], edx
    mov word [rdi + VCPU_HAVE_RIP], 0   ; have_rip, have_qual: nothing cached yet
    mov dword [rdi + VCPU_LAUNCHED], 1
    inc qword [rdi + VCPU_EXITS]
    dec dword [rdi + VCPU_COUNTDOWN]    ; 0: the console's turn (vcpu_exit)
    jz .light
    cmp edx, EXIT_CPUID
    je .cpuid
    cmp edx, EXIT_EPT_VIOLATION
    jne .light

    ; ---- layer 1: EPT violation (SDM Vol. 3C, 28.2.1, table 28-7).
    cmp byte [rdi + VCPU_STEPPING], 0
    jne .light
    cmp byte [rdi + VCPU_NMI_PENDING], 0
    jne .light
    mov [rdi + GR_RAX], rax
    mov [rdi + GR_RCX], rcx
    mov edx, VMCS_EXIT_QUALIFICATION_ENC
    vmread rdx, rdx
    COUNT_VMREAD
    ; Bits 5:3: what the entry allowed. Not 0: the page is mapped and
    ; still faulted (a store to the read-only xAPIC or I/O APIC page):
    ; handle_ept_violation's case.
    test dl, 0x38
    jnz .ept_slow
    mov eax, VMCS_IDT_VECTORING_INFO_ENC
    vmread rax, rax
    COUNT_VMREAD
    test eax, eax                       ; bit 31: the exit interrupted an event's
    js .ept_slow                        ; delivery, which the slow path injects again
    mov esi, VMCS_GUEST_PHYSICAL_ADDRESS_ENC
    vmread rsi, rsi
    mov ecx, VMCS_GUEST_RIP_ENC
    vmread rcx, rcx                     ; for the fault log
    COUNT_VMREAD
    COUNT_VMREAD
    add rdi, VCPU_EPT                   ; (st, gpa, qual, rip)
    call ept_fault_in_fast
    mov rdi, [rsp]
    test al, al
    jz .ept_slow
    inc qword [rdi + VCPU_EXIT_COUNT + EXIT_EPT_VIOLATION * 8]
%ifdef VMX_COUNT_VMCS_ACCESS
    mov rax, [rel vmcs_reads]
    sub rax, [rdi + VCPU_VMREADS0]
    add [rdi + VCPU_VMREADS + EXIT_EPT_VIOLATION * 8], rax
%endif
    mov rax, [rdi + GR_RAX]
    mov rcx, [rdi + GR_RCX]
    mov rdx, [rdi + GR_RDX]
    mov rsi, [rdi + GR_RSI]
    PARTIAL_RESUME .window6
.ept_slow:                              ; as it came: RAX, RCX the guest's, EDX the reason
    mov rax, [rdi + GR_RAX]
    mov rcx, [rdi + GR_RCX]
    mov edx, EXIT_EPT_VIOLATION
    jmp .light

    ; ---- layer 1: CPUID (SDM Vol. 2A, CPUID). EAX = leaf, ECX = subleaf.
.cpuid:
    cmp eax, CPUID_FAST_LEAVES
    jae .light
    cmp byte [rdi + VCPU_STEPPING], 0   ; `step` ends in vcpu_exit
    jne .light
    cmp byte [rdi + VCPU_NMI_PENDING], 0 ; vcpu_run tries to deliver it first
    jne .light
    bt dword [rdi + VCPU_CPUID_VALID], eax
    jnc .light                          ; not asked yet, or no masks: the slow path fills them
    ; Handled from here on. RIP += the VM-exit instruction length (28.2.5):
    ; CPUID is 0F A2, but prefixes count (a 66 0F A2 is three bytes). RBX
    ; and RDX are free: CPUID overwrites both.
    mov esi, VMCS_GUEST_RIP_ENC
    vmread rbx, rsi
    mov edx, VMCS_EXIT_INSTRUCTION_LEN_ENC
    vmread rdx, rdx
    add rbx, rdx
    vmwrite rsi, rbx
    mov esi, eax
    shl esi, 5                          ; sizeof(struct cpuid_masks)
    cpuid                               ; 32-bit results: the upper halves are 0, as for the guest's
    and eax, [rdi + rsi + VCPU_CPUID_MASKS + 0]
    and ebx, [rdi + rsi + VCPU_CPUID_MASKS + 4]
    and ecx, [rdi + rsi + VCPU_CPUID_MASKS + 8]
    and edx, [rdi + rsi + VCPU_CPUID_MASKS + 12]
    or eax, [rdi + rsi + VCPU_CPUID_MASKS + 16]
    or ebx, [rdi + rsi + VCPU_CPUID_MASKS + 20]
    or ecx, [rdi + rsi + VCPU_CPUID_MASKS + 24]
    or edx, [rdi + rsi + VCPU_CPUID_MASKS + 28]
    inc qword [rdi + VCPU_EXIT_COUNT + EXIT_CPUID * 8]
%ifdef VMX_COUNT_VMCS_ACCESS
    add qword [rel vmcs_reads], 2
    inc qword [rel vmcs_writes]
    add qword [rdi + VCPU_VMREADS + EXIT_CPUID * 8], 3
    inc qword [rdi + VCPU_VMWRITES + EXIT_CPUID * 8]
%endif
    mov rsi, [rdi + GR_RSI]
    PARTIAL_RESUME .window4

    ; ---- layer 2: the caller-saved GPRs; RBX, RBP, R12-R15 stay in the
    ; CPU across the call (the C ABI keeps them).
.light:
    mov [rdi + GR_RAX], rax
    mov [rdi + GR_RCX], rcx
    mov [rdi + GR_R8],  r8
    mov [rdi + GR_R9],  r9
    mov [rdi + GR_R10], r10
    mov [rdi + GR_R11], r11
    cmp edx, EXIT_REASON_MAX_NR         ; (an entry failure has bit 31 set)
    jae .full
    cmp qword [rdx * 8 + exit_light_handlers], 0
    je .full
    call vcpu_exit_light                ; rdi = regs = the vcpu (first member)
    mov rdi, [rsp]
    test eax, eax
    jz .full
    mov rax, [rdi + GR_RAX]
    mov rcx, [rdi + GR_RCX]
    mov rdx, [rdi + GR_RDX]
    mov rsi, [rdi + GR_RSI]
    mov r8,  [rdi + GR_R8]
    mov r9,  [rdi + GR_R9]
    mov r10, [rdi + GR_R10]
    mov r11, [rdi + GR_R11]
    PARTIAL_RESUME .window5

    ; ---- layer 3: every GPR.
.full:
    mov [rdi + GR_RBX], rbx
    mov [rdi + GR_RBP], rbp
    mov [rdi + GR_R12], r12
    mov [rdi + GR_R13], r13
    mov [rdi + GR_R14], r14
    mov [rdi + GR_R15], r15
    call vcpu_exit
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

%macro SAVE_GPRS_BUT_RDI 0              ; rdi = regs
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
%endmacro

vmx_partial_abort:
    ; A request (or an NMI) in a window of layer 1 or 2: every GPR but RDI
    ; holds the guest's value; regs.rdi has the guest's RDI already.
    mov rdi, [rsp]
    SAVE_GPRS_BUT_RDI
    jmp vmx_entry_abort

vmx_partial_failed:
    ; VMRESUME of layer 1 or 2 failed: as vmx_partial_abort, keeping the
    ; flags (MOV leaves them) for vmx_entry_failed.
    mov rdi, [rsp]
    SAVE_GPRS_BUT_RDI
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
; [start, end, abort] triples: end is the VM-entry instruction itself (not
; yet run); abort is where host_nmi sends a RIP inside [start, end].
vmx_entry_windows:
    dq vmx_run_guest.window1, vmx_run_guest.window1_end, vmx_entry_abort
    dq vmx_run_guest.window2, vmx_run_guest.window2_end, vmx_entry_abort
    dq vmx_exit_entry.window3, vmx_exit_entry.window3_end, vmx_entry_abort
    dq vmx_exit_entry.window4, vmx_exit_entry.window4_end, vmx_partial_abort
    dq vmx_exit_entry.window5, vmx_exit_entry.window5_end, vmx_partial_abort
    dq vmx_exit_entry.window6, vmx_exit_entry.window6_end, vmx_partial_abort
vmx_entry_windows_end:
