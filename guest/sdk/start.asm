; start.asm - SDK entry: Multiboot (v1) header, flat GDT, an IDT whose
; handlers either hand the vector to sdk_catch() or report it, a stack,
; then main(). Runs the same natively (GRUB) and under monovisor.

MB_MAGIC equ 0x1BADB002
MB_FLAGS equ 0x00000003            ; page-align modules, memory information
extern sdk_main
extern sdk_unexpected
global _start
global sdk_catch
global sdk_load_idt
global sdk_idt_ptr

section .multiboot
align 4
    dd MB_MAGIC
    dd MB_FLAGS
    dd -(MB_MAGIC + MB_FLAGS)

section .text
bits 32
_start:
    cli
    mov esp, stack_top
    push ebx                        ; Multiboot information
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
    mov [idt + ecx * 8], ax
    mov word [idt + ecx * 8 + 2], 0x08
    mov word [idt + ecx * 8 + 4], 0x8E00
    shr eax, 16
    mov [idt + ecx * 8 + 6], ax
    inc ecx
    cmp ecx, 32
    jb .next
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

%define HAS_ERROR(v) ((v) == 8 || ((v) >= 10 && (v) <= 14) || (v) == 17 || (v) == 21 || (v) == 29 || (v) == 30)
%assign v 0
%rep 32
isr_ %+ v:
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
gdt_end:
gdt_ptr:
    dw gdt_end - gdt - 1
    dd gdt
align 4
sdk_idt_ptr:
    dw 32 * 8 - 1
    dd idt
isr_table:
%assign v 0
%rep 32
    dd isr_ %+ v
%assign v v + 1
%endrep

section .bss nobits alloc noexec write align=16
stack: resb 16384                   ; first, so the section's alignment is the stack's
stack_top:
idt: resb 32 * 8
catch_active: resd 1
catch_esp: resd 1
