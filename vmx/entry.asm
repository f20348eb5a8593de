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
;   1. here, in assembly: RDI and RSI saved, the exit reason read (the
;      one VMREAD every exit needs), exits counted; a CPUID of a leaf that
;      the vCPU's cpuid_fast holds masks for is answered right here (the
;      fast path: native CPUID, the masks of the policy and of this vCPU's
;      CR4, RIP advanced), and so are the lazy fault-in of a page the plan
;      table knows (ept/guest_ept.h) and an x2APIC ICR write that sends
;      a fixed IPI (kernel/vapic.h);
;   2. the caller-saved GPRs saved, vmx_exit_light() (vmx/vmx_exit.c),
;      for the reasons vmx_exit_kind marks light: the exit decoded, the
;      core's light handlers (kernel/exit.c: the guest's UART);
;   3. every GPR saved, vcpu_exit() of the core (kernel/vcpu.c: the
;      handler table, statistics with cycles, the trace ring,
;      single-step), after vmx_exit() decoded the exit's fields when it
;      has any; for the others (VMCALL, RDMSR, WRMSR, ...) the neutral
;      reason is one byte of vmx_exit_kind.
;
; HOST_RIP is vmx_exit_entry (written once per VMCS). HOST_RSP is this
; frame's RSP, written only when it changed.
;
; Kicks: another core sets a request and sends an NMI to force an exit. An
; NMI that lands between the last look at the requests and VMRESUME would
; be lost (the guest would run on with the request pending), so each entry
; checks the requests inside an "entry window", and the hypervisor's NMI
; handler moves a RIP it finds inside a window to that window's abort
; label (kernel/vcpu.c, host_nmi), which returns 0 as if the handler had said
; stop. Inside the windows of layers 1 and 2 some GPRs are only in the CPU:
; their abort, vmx_partial_abort, saves them first. CR2 is not switched:
; the hypervisor never takes a page fault (one would panic), so the
; guest's CR2 survives in the register across exits.

%include "asm_offsets.inc"
%include "guest_gprs.inc"

bits 64
section .text

; The full path's call for an exit already decoded (vmx.h).
%ifdef VMX_COUNT_VMCS_ACCESS
%define VCPU_EXIT vmx_exit_counted
%else
%define VCPU_EXIT vcpu_exit
%endif

global vmx_run_guest
global vmx_exit_entry
global vmx_entry_windows
global vmx_entry_windows_end
global vmx_entry_abort
global vmx_partial_abort
extern vmx_exit
extern vmx_exit_light
extern guest_msrs
extern vmx_exit_kind
extern VCPU_EXIT
extern ept_plans
extern ept_pd_tables
extern ept_map_lock
extern ept_fast_blocks
extern ept_guest_map
extern ept_table_offset
%ifdef VMX_COUNT_VMCS_ACCESS
extern vmcs_reads
extern vmcs_writes
%endif

%macro COUNT_VMREAD 0                   ; the benchmark build counts VMREADs
%ifdef VMX_COUNT_VMCS_ACCESS
    inc qword [rel vmcs_reads]
%endif
%endmacro

; Layer 1's completion of an instruction exit: RIP += the VM-exit
; instruction length (SDM Vol. 3C, 28.2.5: prefixes count). %1 = a free
; GPR; RSI and RDX are clobbered.
%macro SKIP_INSTRUCTION 1
    mov esi, VMCS_GUEST_RIP_ENC
    vmread %1, rsi
    mov edx, VMCS_EXIT_INSTRUCTION_LEN_ENC
    vmread rdx, rdx
    add %1, rdx
    vmwrite rsi, %1
%endmacro

; The benchmark build's count for an exit layer 1 completed: the reason,
; RFLAGS, RIP and length read (the first two counted as read), RIP written.
%macro COUNT_SKIP_VMCS 1                ; %1 = the neutral reason
%ifdef VMX_COUNT_VMCS_ACCESS
    add qword [rel vmcs_reads], 2
    inc qword [rel vmcs_writes]
    add qword [rdi + VCPU_VMREADS + %1 * 8], 4
    inc qword [rdi + VCPU_VMWRITES + %1 * 8]
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

%macro SAVE_CALLEE_SAVED_GPRS 0         ; the guest's, which layers 1 and 2 leave in the CPU
    mov [rdi + GR_RBX], rbx
    mov [rdi + GR_RBP], rbp
    mov [rdi + GR_R12], r12
    mov [rdi + GR_R13], r13
    mov [rdi + GR_R14], r14
    mov [rdi + GR_R15], r15
%endmacro


%macro LOAD_GUEST_GPRS 0                ; rdi = regs; rdi itself last
    mov rax, [rdi + GR_RAX]
    LOAD_GPRS_BUT_RAX_RDI
    mov rdi, [rdi + GR_RDI]
%endmacro

vmx_run_guest:
    PUSH_CALLEE_SAVED
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
%ifdef VMX_COUNT_VMCS_ACCESS
    mov rsi, [rel vmcs_reads]           ; this exit's VMREADs and VMWRITEs from here
    mov [rdi + VCPU_VMREADS0], rsi
    mov rsi, [rel vmcs_writes]
    mov [rdi + VCPU_VMWRITES0], rsi
    inc qword [rel vmcs_reads]          ; the exit reason's, below
%endif
    ; ESI = the exit reason until layer 2 stores it; RDX stays the guest's
    ; until a path needs it (the CPUID fast path never saves it: CPUID
    ; overwrites RDX).
    mov esi, VMCS_EXIT_REASON_ENC
    vmread rsi, rsi
    inc qword [rdi + VCPU_EXITS]        ; (vcpu_run: an exit means the VMCS was launched)
    dec dword [rdi + VCPU_COUNTDOWN]    ; 0: the console's turn (vcpu_exit)
    jz .light
    cmp esi, EXIT_CPUID
    je .cpuid
    cmp esi, EXIT_EPT_VIOLATION
    je .ept
    ; The guest's ECX before the reason: every other exit pays this one
    ; compare (a WRMSR of another MSR too), and one whose ECX is 830H by
    ; chance is told by the reason's, below.
    cmp ecx, MSR_X2APIC_ICR_NR
    jne .light

    ; ---- layer 1: WRMSR of the x2APIC ICR (SDM Vol. 3A, 12.12.9), an IPI
    ; the guest's core sends to another (kernel/vapic.h): ECX = the MSR,
    ; EDX:EAX = the value, the guest's, in the CPU. A fixed or
    ; lowest-priority IPI without a reserved bit (none of IPI_FAST_REFUSE)
    ; is what vapic.c would send on as written: sent from here, with the
    ; guest's own registers. The C path takes the rest, unchanged: another
    ; MSR, INIT/SIPI/NMI/SMI, reserved bits, a console `msr` rule, `step`
    ; or a guest NMI waiting, TF or RF, the APIC in xAPIC mode (the #GP).
    cmp esi, EXIT_WRMSR
    jne .light
    test eax, IPI_FAST_REFUSE_BITS
    jnz .light
    cmp word [rdi + VCPU_STEPPING], 0   ; stepping, nmi_pending
    jne .light
    cmp dword [rel guest_msrs + MSR_POLICY_RULES], 0
    jne .light
    mov [rdi + GR_RAX], rax
    mov [rdi + GR_RCX], rcx
    mov [rdi + GR_RDX], rdx
    mov esi, VMCS_GUEST_RFLAGS_ENC
    vmread rsi, rsi
    COUNT_VMREAD
    test esi, RFLAGS_TF_RF
    jnz .icr_slow
    mov ecx, MSR_APIC_BASE_NR           ; the guest's own: apic_msr_write lets it set EXTD
    rdmsr
    test eax, APIC_BASE_X2APIC_BIT
    jz .icr_slow
    mov ecx, MSR_X2APIC_ICR_NR
    mov eax, [rdi + GR_RAX]
    mov edx, [rdi + GR_RDX]
    wrmsr
    SKIP_INSTRUCTION rax
    inc qword [rdi + VCPU_EXIT_COUNT + VEXIT_WRMSR_NR * 8]
    inc qword [rdi + VCPU_APIC_ICR_WRITES]
    inc qword [rdi + VCPU_APIC_PASSED]
    COUNT_SKIP_VMCS VEXIT_WRMSR_NR
    mov rax, [rdi + GR_RAX]
    mov rcx, [rdi + GR_RCX]
    mov rdx, [rdi + GR_RDX]
    mov rsi, [rdi + GR_RSI]
    PARTIAL_RESUME .window7
.icr_slow:                              ; RDX saved; RAX and RCX back, ESI the reason
    mov rax, [rdi + GR_RAX]
    mov rcx, [rdi + GR_RCX]
    mov esi, EXIT_WRMSR
    jmp .light_rdx_saved

    ; ---- layer 1: EPT violation (SDM Vol. 3C, 28.2.1, table 28-7): the
    ; common case of ept_fault_in (ept/guest_ept.c), which it mirrors step
    ; for step (see ept/guest_ept.h): an ept=lazy first touch the plan
    ; table knows. Anything else goes on to vcpu_exit unchanged
    ; (.ept_slow). RAX, RCX, R8, R9 are saved for the work.
.ept:
    mov [rdi + GR_RDX], rdx
    cmp word [rdi + VCPU_STEPPING], 0   ; `step`, or an NMI of the guest's
    jne .light_rdx_saved
    mov [rdi + GR_RAX], rax
    mov [rdi + GR_RCX], rcx
    mov [rdi + GR_R8], r8
    mov [rdi + GR_R9], r9
    mov edx, VMCS_EXIT_QUALIFICATION_ENC
    vmread rdx, rdx
    COUNT_VMREAD
    ; Bits 5:3: what the entry allowed. Not 0: the page is mapped and
    ; still faulted (a store to the read-only xAPIC or I/O APIC page).
    test dl, 0x38
    jnz .ept_slow
    mov eax, VMCS_IDT_VECTORING_INFO_ENC
    vmread rax, rax
    COUNT_VMREAD
    test eax, eax                       ; bit 31: the exit interrupted an event's
    js .ept_slow                        ; delivery, which the slow path injects again
    mov esi, VMCS_GUEST_PHYSICAL_ADDRESS_ENC
    vmread rsi, rsi
    COUNT_VMREAD
    ; The plan (ept.h, ept_plan_lookup): a byte per 2 MiB block, PLAN_KNOWN
    ; | class << 3 | memory type, or PLAN_PAGES | i: then a byte per 4 KiB
    ; page in pages[i]. RAX = the byte, ECX = the plan's page size.
    mov r8, rsi
    shr r8, 21                          ; the block
    cmp r8, [rel ept_fast_blocks]       ; ept_plans.blocks, 0 while frozen
    jae .ept_slow
    mov rax, [rel ept_plans + PLANS_BLOCK]
    movzx eax, byte [rax + r8]
    mov ecx, EPT_PAGE_2M_SIZE
    test al, PLAN_PAGES_BIT
    jz .ept_plan
    and eax, PLAN_PAGES_BIT - 1
    shl eax, 9                          ; 512 bytes per table of pages
    add rax, [rel ept_plans + PLANS_PAGES]
    mov r9, rsi
    shr r9, 12
    and r9d, 511
    movzx eax, byte [rax + r9]
    mov ecx, EPT_PAGE_4K_SIZE
.ept_plan:
    test al, PLAN_KNOWN_BIT
    jz .ept_slow
    mov r9, rsi
    shr r9, 30
    mov r9, [r9 * 8 + ept_pd_tables]    ; the page directory of gpa's GiB
    test r9, r9
    jz .ept_slow
    and r8d, 511
    lea r8, [r9 + r8 * 8]               ; gpa's PDE
    lock bts dword [rel ept_map_lock], 0 ; spin_trylock
    jc .ept_slow                        ; contended: the slow path waits
    ; Only not-present entries are filled: no INVEPT (30.4.3.1).
    mov r9, [r8]
    test r9b, EPT_RWX_BITS
    jz .ept_pde_empty
    test r9b, EPT_LARGE_BIT
    jnz .ept_raced                      ; another vCPU mapped it meanwhile
    ; A page table is there: the 4 KiB page (as map_locked). A table
    ; entry holds its address and RWX (ept_table_entry), and the accessed
    ; flag (bit 8) with ept_ad=1: clear bits 11:0.
    and r9, -4096
    add r9, [rel ept_table_offset]
    mov r8, rsi
    shr r8, 12
    and r8d, 511
    lea r8, [r9 + r8 * 8]               ; gpa's PTE
    test byte [r8], EPT_RWX_BITS
    jnz .ept_raced_4k
    lea r9d, [rax * 8]                  ; ept_leaf: memory type << 3 | RWX
    and r9d, 7 << EPT_MEMTYPE_SHIFT_NR
    or r9d, EPT_RWX_BITS
    mov rcx, rsi
    and rcx, -4096
    or r9, rcx
    mov [r8], r9
    inc qword [rel ept_guest_map + EPT_MAP_PAGES_4K]
.ept_raced_4k:
    mov ecx, EPT_PAGE_4K_SIZE
    lea r9, [rdi + VCPU_EPT_MAPPED_4K]
    jmp .ept_mapped
.ept_raced:                             ; counted as the plan's size, as ept_fault_in does
    lea r9, [rdi + VCPU_EPT_MAPPED_2M]
    lea r8, [rdi + VCPU_EPT_MAPPED_4K]
    cmp ecx, EPT_PAGE_2M_SIZE
    cmovne r9, r8
    jmp .ept_mapped
.ept_pde_empty:
    cmp ecx, EPT_PAGE_2M_SIZE
    jne .ept_unlock_slow                ; a 4 KiB page needs a page table made
    lea r9d, [rax * 8]                  ; ept_leaf: memory type << 3 | RWX | large
    and r9d, 7 << EPT_MEMTYPE_SHIFT_NR
    or r9d, EPT_RWX_BITS | EPT_LARGE_BIT
    mov rcx, rsi
    and rcx, -EPT_PAGE_2M_SIZE
    or r9, rcx
    mov [r8], r9
    inc qword [rel ept_guest_map + EPT_MAP_PAGES_2M]
    mov ecx, EPT_PAGE_2M_SIZE
    lea r9, [rdi + VCPU_EPT_MAPPED_2M]
.ept_mapped:                            ; ECX = page size, R9 = its counter: account() of guest_ept.c
    mov dword [rel ept_map_lock], 0     ; spin_unlock
    inc qword [r9]
    shr eax, 3
    and eax, 3                          ; the class
    inc qword [rdi + VCPU_EPT_FAULTS + rax * 8]
    mov r8, [rdi + VCPU_EPT_LOG_COUNT]
    inc qword [rdi + VCPU_EPT_LOG_COUNT]
    and r8d, EPT_LOG_MASK
    shl r8d, 5                          ; sizeof(struct ept_fault_record)
    add r8, rdi
    mov [r8 + VCPU_EPT_LOG + LOG_GPA], rsi
    mov [r8 + VCPU_EPT_LOG + LOG_QUAL], rdx
    mov [r8 + VCPU_EPT_LOG + LOG_CLS], al
    mov byte [r8 + VCPU_EPT_LOG + LOG_ACTION], EPT_ACTION_MAPPED
    mov [r8 + VCPU_EPT_LOG + LOG_SIZE], ecx
    mov eax, VMCS_GUEST_RIP_ENC
    vmread [r8 + VCPU_EPT_LOG + LOG_RIP], rax
    COUNT_VMREAD
    inc qword [rdi + VCPU_EXIT_COUNT + VEXIT_NPF_NR * 8]
%ifdef VMX_COUNT_VMCS_ACCESS
    mov rax, [rel vmcs_reads]
    sub rax, [rdi + VCPU_VMREADS0]
    add [rdi + VCPU_VMREADS + VEXIT_NPF_NR * 8], rax
%endif
    mov rax, [rdi + GR_RAX]
    mov rcx, [rdi + GR_RCX]
    mov rdx, [rdi + GR_RDX]
    mov rsi, [rdi + GR_RSI]
    mov r8, [rdi + GR_R8]
    mov r9, [rdi + GR_R9]
    PARTIAL_RESUME .window6
.ept_unlock_slow:
    mov dword [rel ept_map_lock], 0
.ept_slow:                              ; as it came: the GPRs the guest's (RDX saved), ESI the reason
    mov rax, [rdi + GR_RAX]
    mov rcx, [rdi + GR_RCX]
    mov r8, [rdi + GR_R8]
    mov r9, [rdi + GR_R9]
    mov esi, EXIT_EPT_VIOLATION
    jmp .light_rdx_saved

    ; ---- layer 1: CPUID (SDM Vol. 2A, CPUID). EAX = leaf, ECX = subleaf.
.cpuid:
    cmp eax, CPUID_FAST_LEAVES
    jae .light
    ; `step` ends in vcpu_exit; a pending NMI of the guest's, vcpu_run
    ; tries to deliver first.
    cmp word [rdi + VCPU_STEPPING], 0   ; stepping, nmi_pending
    jne .light
    bt dword [rdi + VCPU_CPUID_VALID], eax
    jnc .light                          ; not asked yet, or no masks: the slow path fills them
    ; RFLAGS.TF (a single-step trap due after the CPUID) or RF (to clear):
    ; vcpu_skip_instruction's work, on the slow path.
    mov esi, VMCS_GUEST_RFLAGS_ENC
    vmread rsi, rsi
    COUNT_VMREAD
    test esi, RFLAGS_TF_RF
    jnz .cpuid_slow
    ; Handled from here on. RIP += the VM-exit instruction length (28.2.5):
    ; CPUID is 0F A2, but prefixes count (a 66 0F A2 is three bytes). RBX
    ; and RDX are free: CPUID overwrites both.
    SKIP_INSTRUCTION rbx
    CPUID_MASKED
    inc qword [rdi + VCPU_EXIT_COUNT + VEXIT_CPUID_NR * 8]
    COUNT_SKIP_VMCS VEXIT_CPUID_NR
    mov rsi, [rdi + GR_RSI]
    PARTIAL_RESUME .window4
.cpuid_slow:                            ; ESI held RFLAGS: the reason again
    mov esi, EXIT_CPUID

    ; ---- layer 2: the caller-saved GPRs; RBX, RBP, R12-R15 stay in the
    ; CPU across the call (the C ABI keeps them).
.light:
    mov [rdi + GR_RDX], rdx
.light_rdx_saved:
    mov [rdi + VCPU_EXIT_RAW], esi      ; as read: an entry failure's bit 31 too
    mov word [rdi + VCPU_RIP_VALID], 0  ; nothing of the exit cached yet (C's): rip_valid, exit_cached
    mov [rdi + GR_RAX], rax
    mov [rdi + GR_RCX], rcx
    mov [rdi + GR_R8],  r8
    mov [rdi + GR_R9],  r9
    mov [rdi + GR_R10], r10
    mov [rdi + GR_R11], r11
    ; The basic reason (bits 15:0, 28.2.1; none is above 7FH) indexes the
    ; table: an entry failure's bit 31 and the flags in 27:16 are in
    ; exit.raw, and the reasons an entry fails with (33, 34, 41) decode.
    and esi, VMX_EXIT_KIND_MASK_NR
    movzx eax, byte [rsi + vmx_exit_kind]
    ; One unsigned compare sorts the three: a neutral reason is below
    ; VMX_KIND_DECODE, VMX_KIND_LIGHT's bit 7 above it (vmx.h).
    cmp al, VMX_KIND_DECODE_NR
    ja .light_handler
    je .full_decode
    mov [rdi + VCPU_EXIT_VREASON], eax  ; nothing to decode: the neutral reason

    ; ---- layer 3: every GPR.
.full:                                  ; v->exit filled
    SAVE_CALLEE_SAVED_GPRS
    call VCPU_EXIT
.full_done:
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

.full_decode:
    SAVE_CALLEE_SAVED_GPRS
    call vmx_exit
    jmp .full_done

.light_handler:
    call vmx_exit_light                 ; rdi = regs = the vcpu (first member), esi = the reason
    mov rdi, [rsp]
    test eax, eax
    jz .full                            ; declined: vcpu_exit, as decoded
    mov rax, [rdi + GR_RAX]
    mov rcx, [rdi + GR_RCX]
    mov rdx, [rdi + GR_RDX]
    mov rsi, [rdi + GR_RSI]
    mov r8,  [rdi + GR_R8]
    mov r9,  [rdi + GR_R9]
    mov r10, [rdi + GR_R10]
    mov r11, [rdi + GR_R11]
    PARTIAL_RESUME .window5

%macro SAVE_GPRS_BUT_RDI 0              ; rdi = regs
    mov [rdi + GR_RAX], rax
    SAVE_GPRS_BUT_RAX_RDI
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
    POP_CALLEE_SAVED
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
    dq vmx_exit_entry.window7, vmx_exit_entry.window7_end, vmx_partial_abort
vmx_entry_windows_end:
