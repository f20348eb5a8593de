; start.asm - SDK entry: Multiboot (v1) header, or a Multiboot2 one when
; assembled with -DMULTIBOOT2 (GNUmakefile: MB2_GUESTS), flat GDT (with a 64-bit
; code segment, ring-3 segments and a TSS), an IDT whose handlers either
; hand the vector to sdk_catch() or report it (vector 2 may go to an NMI
; hook instead), a stack, then main(). Also the ring-3 catch and the
; 64-bit VMCALL. Runs the same natively (GRUB) and under monovisor.

MB_MAGIC equ 0x1BADB002
MB_FLAGS equ 0x00000003            ; page-align modules, memory information
extern sdk_main
extern sdk_unexpected
extern sdk_long_mode_tables
global _start
global sdk_catch
global sdk_catch_user
global sdk_load_idt
global sdk_idt_ptr
global sdk_idt
global sdk_nmi_hook
global sdk_vmcall64
extern sdk_vmmcall

SEL_CODE32  equ 0x08
SEL_DATA    equ 0x10
SEL_CODE64  equ 0x18
SEL_UCODE   equ 0x23                ; ring-3 code, RPL 3
SEL_UDATA   equ 0x2B                ; ring-3 data, RPL 3
SEL_TSS     equ 0x30

%ifdef MULTIBOOT2
; Multiboot2 specification 2.0, 3.1: the header on an 8-byte boundary in
; the first 32 KiB, tags 8-byte aligned, an end tag. The loader takes the
; ELF program headers (no address tag).
MB2_MAGIC equ 0xE85250D6
MB2_OPTIONAL equ 1                  ; tag flags bit 0 (3.1.3)
section .multiboot progbits alloc noexec nowrite align=8
mb2_header:
    dd MB2_MAGIC
    dd 0                            ; architecture 0: i386 protected mode
    dd mb2_header_end - mb2_header
    dd 0x100000000 - MB2_MAGIC - (mb2_header_end - mb2_header)
mb2_request:                        ; 3.1.4, required: what the SDK reads
    dw 1, 0
    dd mb2_request_end - mb2_request
    dd 1, 2, 3, 4, 6                ; cmdline, loader name, modules, meminfo, mmap
mb2_request_end:
    align 8, db 0
mb2_request_opt:                    ; optional: ACPI RSDPs, a framebuffer
    dw 1, MB2_OPTIONAL
    dd mb2_request_opt_end - mb2_request_opt
    dd 14, 15, 8
mb2_request_opt_end:
    align 8, db 0
    dw 6, 0                         ; 3.1.10: modules page aligned
    dd 8
    dw 0, 0                         ; end tag
    dd 8
mb2_header_end:
%else
section .multiboot
align 4
    dd MB_MAGIC
    dd MB_FLAGS
    dd -(MB_MAGIC + MB_FLAGS)
%endif

section .text
bits 32
_start:
    cli
    mov esp, stack_top
    push ebx                        ; Multiboot (or Multiboot2) information
    push eax                        ; magic
    lgdt [gdt_ptr]
    jmp 0x08:.flat
.flat:
    mov cx, 0x10
    mov ds, cx
    mov es, cx
    mov fs, cx
    mov gs, cx
    mov ss, cx
    call build_idt
    lidt [sdk_idt_ptr]
    call build_tss
    call sdk_main                   ; sdk_main(magic, info) does not return
.hang:
    cli
    hlt
    jmp .hang

; Fill 32 interrupt gates (type 0xE, DPL 0, selector 0x08).
build_idt:
    xor ecx, ecx
.next:
    mov eax, [isr_table + ecx * 4]
    mov [sdk_idt + ecx * 8], ax
    mov word [sdk_idt + ecx * 8 + 2], 0x08
    mov word [sdk_idt + ecx * 8 + 4], 0x8E00
    shr eax, 16
    mov [sdk_idt + ecx * 8 + 6], ax
    inc ecx
    cmp ecx, 32
    jb .next
    ret

; The TSS: only SS0:ESP0 matter (the stack an exception from ring 3
; lands on); no I/O bitmap, so ring 3 has no port access.
build_tss:
    mov eax, tss
    mov [gdt_tss + 2], ax
    shr eax, 16
    mov [gdt_tss + 4], al
    mov [gdt_tss + 7], ah
    mov dword [tss + 8], SEL_DATA   ; SS0
    mov word [tss + 102], 104       ; I/O map base beyond the limit
    mov ax, SEL_TSS
    ltr ax
    ret

; void sdk_load_idt(uint16_t limit): reload the IDT with another limit
; (limit 0 makes every exception a double and then a triple fault).
sdk_load_idt:
    mov eax, [esp + 4]
    mov [sdk_idt_ptr], ax
    lidt [sdk_idt_ptr]
    ret

; int sdk_catch(void (*fn)(void *), void *arg)
; Runs fn(arg); returns -1, or the vector of the exception fn raised.
sdk_catch:
    push ebp
    push ebx
    push esi
    push edi
    mov eax, [esp + 20]
    mov edx, [esp + 24]
    mov [catch_esp], esp
    mov dword [catch_active], 1
    push edx
    call eax
    add esp, 4
    mov dword [catch_active], 0
    mov eax, -1
catch_done:
    pop edi
    pop esi
    pop ebx
    pop ebp
    ret

; int sdk_catch_user(void (*fn)(void *), void *arg)
; Runs fn(arg) at CPL 3 (flat ring-3 segments, its own stack); returns -1,
; or the vector of the exception fn raised. After fn returns, a HLT at
; CPL 3 (#GP) brings the CPU back to ring 0 with user_done set.
sdk_catch_user:
    push ebp
    push ebx
    push esi
    push edi
    mov eax, [esp + 20]
    mov edx, [esp + 24]
    mov [user_fn], eax
    mov [user_arg], edx
    mov [catch_esp], esp
    mov [tss + 4], esp              ; ESP0: below the saved registers
    mov dword [user_done], 0
    mov dword [catch_active], 1
    mov ax, SEL_UDATA
    mov ds, ax
    mov es, ax
    mov fs, ax
    mov gs, ax
    push dword SEL_UDATA            ; SS
    push dword user_stack_top       ; ESP
    pushfd
    push dword SEL_UCODE            ; CS
    push dword user_entry           ; EIP
    iretd
user_entry:
    push dword [user_arg]
    call [user_fn]
    add esp, 4
    mov dword [user_done], 1
    hlt                             ; #GP at CPL 3: back to ring 0

; void sdk_vmcall64(struct sdk_regs64 *r, int back32)
; Enters IA-32e mode (identity map of the low 4 GiB), loads RAX, RBX, RCX,
; RDX, RSI from r (all 64 bits) and:
;   back32 = 0: executes the hypercall (VMCALL, or VMMCALL when
;               sdk_vmmcall says so) in 64-bit mode and stores the five
;               registers back into r;
;   back32 = 1: leaves IA-32e mode again without touching RBX and RSI,
;               reloads EAX, ECX, EDX (32-bit writes) and executes VMCALL
;               in 32-bit protected mode, so RBX and RSI still hold the
;               upper halves set in 64-bit mode; stores EAX into r->rax.
sdk_vmcall64:
    push ebp
    push ebx
    push esi
    push edi
    mov eax, [esp + 20]
    mov [lm_regs], eax
    mov eax, [esp + 24]
    mov [lm_back32], eax
    mov [lm_saved_esp], esp
    call sdk_long_mode_tables       ; eax: the PML4
    mov cr3, eax
    mov eax, cr4
    or eax, 0x20                    ; PAE
    mov cr4, eax
    mov ecx, 0xC0000080
    rdmsr
    or eax, 0x100                   ; EFER.LME
    wrmsr
    mov eax, cr0
    or eax, 0x80000000              ; PG: IA-32e mode
    mov cr0, eax
    jmp SEL_CODE64:.long64
bits 64
.long64:
    mov esp, esp                    ; RSP's upper half clear
    mov edi, [lm_regs]
    mov rax, [rdi]
    mov rbx, [rdi + 8]
    mov rcx, [rdi + 16]
    mov rdx, [rdi + 24]
    mov rsi, [rdi + 32]
    cmp dword [lm_back32], 0
    jne .leave
    cmp byte [sdk_vmmcall], 0
    jne .vmmcall64
    vmcall
    jmp .called64
.vmmcall64:
    vmmcall
.called64:
    mov edi, [lm_regs]
    mov [rdi], rax
    mov [rdi + 8], rbx
    mov [rdi + 16], rcx
    mov [rdi + 24], rdx
    mov [rdi + 32], rsi
.leave:
    push qword SEL_CODE32
    mov eax, .compat32
    push rax
    o64 retf
bits 32
.compat32:
    mov eax, cr0
    and eax, 0x7FFFFFFF             ; paging off: IA-32e mode off
    mov cr0, eax
    mov ecx, 0xC0000080
    rdmsr
    and eax, ~0x100
    wrmsr
    mov eax, cr4
    and eax, ~0x20
    mov cr4, eax
    cmp dword [lm_back32], 0
    je .done
    mov edi, [lm_regs]
    mov eax, [edi]                  ; 32-bit loads: RAX, RCX, RDX only
    mov ecx, [edi + 16]
    mov edx, [edi + 24]
    cmp byte [sdk_vmmcall], 0
    jne .vmmcall32
    vmcall
    jmp .called32
.vmmcall32:
    vmmcall
.called32:
    mov edi, [lm_regs]
    mov [edi], eax
    mov dword [edi + 4], 0
.done:
    mov esp, [lm_saved_esp]
    pop edi
    pop esi
    pop ebx
    pop ebp
    ret

%define HAS_ERROR(v) ((v) == 8 || ((v) >= 10 && (v) <= 14) || (v) == 17 || (v) == 21 || (v) == 29 || (v) == 30)
%assign v 0
%rep 32
isr_ %+ v:
%if v == 2
    cmp dword [sdk_nmi_hook], 0     ; an NMI hook counts and returns
    je .plain
    pushad
    call [sdk_nmi_hook]
    popad
    iretd
.plain:
%endif
%if HAS_ERROR(v) == 0
    push 0
%endif
    push v
    jmp isr_common
%assign v v + 1
%endrep

isr_common:
    cmp dword [catch_active], 0
    je .fatal
    mov eax, [esp]                  ; vector
    mov esp, [catch_esp]
    mov dword [catch_active], 0
    mov cx, SEL_DATA                ; ring 3 may have left its selectors
    mov ds, cx
    mov es, cx
    mov fs, cx
    mov gs, cx
    cmp dword [user_done], 0        ; sdk_catch_user: fn returned
    je catch_done
    mov dword [user_done], 0
    mov eax, -1
    jmp catch_done
.fatal:
    push dword [esp + 8]            ; eip
    push dword [esp + 8]            ; error code
    push dword [esp + 8]            ; vector
    call sdk_unexpected

section .data
align 8
gdt:
    dq 0
    dq 0x00CF9A000000FFFF           ; 0x08 code, flat 32-bit
    dq 0x00CF92000000FFFF           ; 0x10 data, flat
    dq 0x00AF9A000000FFFF           ; 0x18 code, 64-bit
    dq 0x00CFFA000000FFFF           ; 0x20 code, flat 32-bit, DPL 3
    dq 0x00CFF2000000FFFF           ; 0x28 data, flat, DPL 3
gdt_tss:
    dq 0x0000890000000067           ; 0x30 TSS (32-bit, available); base set at boot
gdt_end:
gdt_ptr:
    dw gdt_end - gdt - 1
    dd gdt
align 4
sdk_idt_ptr:
    dw 32 * 8 - 1
    dd sdk_idt
isr_table:
%assign v 0
%rep 32
    dd isr_ %+ v
%assign v v + 1
%endrep

section .bss nobits alloc noexec write align=16
stack: resb 16384                   ; first, so the section's alignment is the stack's
stack_top:
tss: resb 112                       ; 104 used; keeps what follows 16-byte aligned
user_stack: resb 4096
user_stack_top:
sdk_idt: resb 256 * 8               ; 32 exception gates; sdk_set_irq_gate adds others
catch_active: resd 1
catch_esp: resd 1
sdk_nmi_hook: resd 1
user_done: resd 1
user_fn: resd 1
user_arg: resd 1
lm_regs: resd 1
lm_back32: resd 1
lm_saved_esp: resd 1
