; start64.asm - SDK entry for 64-bit guests (GNUmakefile: GUESTS64): the
; Multiboot (v1) header of an ELF64 image, which GRUB and monovisor both
; start in 32-bit protected mode (Multiboot 0.6.96, 3.2); then the way an
; OS enters IA-32e mode (SDM Vol. 3A, 10.8.5): identity paging of the low
; 4 GiB with 2 MiB pages, CR4.PAE, EFER.LME, CR0.PG; a GDT with 64-bit,
; 32-bit, 16-bit and ring-3 segments, a 64-bit TSS with IST stacks, and an
; IDT of 256 interrupt gates whose stubs hand a full frame to
; sdk_exception() (guest/sdk/frame64.c). Then sdk_main(magic, info).
; Also the 64-bit sdk_catch, sdk_catch_user and sdk_load_idt of sdk.h.

MB_MAGIC equ 0x1BADB002
MB_FLAGS equ 0x00000003            ; page-align modules, memory information
extern sdk_main
extern sdk_exception
global _start
global sdk_catch
global sdk_catch_user
global sdk_catch_landing
global sdk_load_idt
global sdk_idt
global sdk_idt_ptr
global sdk_gdt
global sdk_tss
global sdk_pml4
global sdk_pd
global sdk_ist_stack_top
global sdk_user_stack_top

; Selectors (sdk.h SDK_SEL_*).
SEL_CODE32  equ 0x08
SEL_DATA    equ 0x10
SEL_CODE64  equ 0x18
SEL_UCODE32 equ 0x23                ; ring 3, RPL 3
SEL_UDATA   equ 0x2B
SEL_UCODE64 equ 0x33
SEL_CODE16  equ 0x38
SEL_DATA16  equ 0x40
SEL_TSS     equ 0x48

EFER        equ 0xC0000080
EFER_LME    equ 1 << 8
CR0_PG_WP_NE_ET_PE equ 0x80010031
CR4_PAE     equ 1 << 5
PDE_FLAGS   equ 0x87                ; present, writable, user, 2 MiB page (4.5.4)
PDE_UC      equ 0x18                ; PWT | PCD: the top GiB holds the APIC and I/O APIC

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
    mov edi, eax                    ; magic
    mov esi, ebx                    ; information
    lgdt [gdt_ptr]
    jmp SEL_CODE32:.flat
.flat:
    mov ax, SEL_DATA
    mov ds, ax
    mov es, ax
    mov fs, ax
    mov gs, ax
    mov ss, ax
    ; 2048 page-directory entries: 4 GiB in 2 MiB pages.
    xor ecx, ecx
.pde:
    mov eax, ecx
    shl eax, 21
    or eax, PDE_FLAGS
    cmp ecx, 3 * 512
    jb .cached
    or eax, PDE_UC
.cached:
    mov [sdk_pd + ecx * 8], eax
    mov dword [sdk_pd + ecx * 8 + 4], 0
    inc ecx
    cmp ecx, 4 * 512
    jb .pde
    xor ecx, ecx
.pdpte:
    mov eax, ecx
    shl eax, 12
    add eax, sdk_pd
    or eax, 7                       ; present, writable, user
    mov [pdpt + ecx * 8], eax
    inc ecx
    cmp ecx, 4
    jb .pdpte
    mov eax, pdpt
    or eax, 7
    mov [sdk_pml4], eax
    ; Exact values, not bits added to what the loader left: Multiboot
    ; leaves all but PE and PG undefined (GRUB on Bochs's BIOS hands over
    ; caches disabled, CR0.CD = NW = 1).
    mov eax, sdk_pml4
    mov cr3, eax
    mov eax, CR4_PAE
    mov cr4, eax
    mov ecx, EFER
    mov eax, EFER_LME
    xor edx, edx
    wrmsr
    mov eax, CR0_PG_WP_NE_ET_PE     ; IA-32e mode active (10.8.5)
    mov cr0, eax
    jmp SEL_CODE64:long_entry

bits 64
long_entry:
    mov ax, SEL_DATA
    mov ds, ax
    mov es, ax
    mov ss, ax
    xor eax, eax
    mov fs, ax
    mov gs, ax
    mov rsp, stack_top
    push rdi
    push rsi
    call build_idt
    lidt [sdk_idt_ptr]
    call build_tss
    pop rsi
    pop rdi
    call sdk_main                   ; sdk_main(magic, info) does not return
.hang:
    cli
    hlt
    jmp .hang

; 256 64-bit interrupt gates (type 0xE, DPL 0, IST 0; 6.14.1).
build_idt:
    xor ecx, ecx
.gate:
    mov rax, [isr_table + rcx * 8]
    mov rdx, rcx
    shl rdx, 4
    mov [sdk_idt + rdx], ax
    mov word [sdk_idt + rdx + 2], SEL_CODE64
    mov word [sdk_idt + rdx + 4], 0x8E00
    shr rax, 16
    mov [sdk_idt + rdx + 6], ax
    shr rax, 16
    mov [sdk_idt + rdx + 8], eax
    mov dword [sdk_idt + rdx + 12], 0
    inc ecx
    cmp ecx, 256
    jb .gate
    ret

; The 64-bit TSS (7.7): RSP0 for exceptions from ring 3, IST1 and IST2
; for gates that ask for them (sdk_set_ist); no I/O bitmap.
build_tss:
    mov rax, sdk_tss
    mov [gdt_tss + 2], ax
    shr rax, 16
    mov [gdt_tss + 4], al
    mov [gdt_tss + 7], ah
    shr rax, 16
    mov [gdt_tss + 8], eax
    mov rax, ring0_stack_top
    mov [sdk_tss + 4], rax          ; RSP0
    mov rax, sdk_ist_stack_top
    mov [sdk_tss + 36], rax         ; IST1
    mov rax, ist2_stack_top
    mov [sdk_tss + 44], rax         ; IST2
    mov word [sdk_tss + 102], 104   ; I/O map base beyond the limit
    mov ax, SEL_TSS
    ltr ax
    ret

; void sdk_load_idt(uint16_t limit)
sdk_load_idt:
    mov [sdk_idt_ptr], di
    lidt [sdk_idt_ptr]
    ret

; int sdk_catch(void (*fn)(void *) /* rdi */, void *arg /* rsi */)
; Runs fn(arg); returns -1, or the vector of the exception it raised
; (sdk_exception records it in sdk_fault and IRETs to sdk_catch_landing
; with RSP = catch_rsp and RAX = the vector).
sdk_catch:
    push rbp
    push rbx
    push r12
    push r13
    push r14
    push r15
    pushfq
    mov [rel catch_rsp], rsp
    mov dword [rel catch_active], 1
    mov rax, rdi
    mov rdi, rsi
    call rax
    mov dword [rel catch_active], 0
    mov eax, -1
sdk_catch_landing:
    ; A visit to ring 3 left DS and ES null (IRET to an outer level clears
    ; data selectors of a higher privilege, 6.14.4): harmless in 64-bit
    ; mode, not in a 32-bit one a test may switch to next.
    mov ecx, SEL_DATA
    mov ds, ecx
    mov es, ecx
    popfq
    pop r15
    pop r14
    pop r13
    pop r12
    pop rbx
    pop rbp
    ret

; int sdk_catch_user(void (*fn)(void *), void *arg)
; fn(arg) at CPL 3 in 64-bit mode (SEL_UCODE64, its own stack); -1 when it
; returned (its HLT at CPL 3 raises #GP with sdk_user_done set), else the
; vector it raised.
sdk_catch_user:
    push rbp
    push rbx
    push r12
    push r13
    push r14
    push r15
    pushfq
    mov [rel catch_rsp], rsp
    mov [rel user_fn], rdi
    mov [rel user_arg], rsi
    mov dword [rel sdk_user_done], 0
    mov dword [rel catch_active], 1
    push SEL_UDATA                  ; SS
    mov rax, sdk_user_stack_top
    push rax                        ; RSP
    pushfq                          ; RFLAGS
    push SEL_UCODE64                ; CS
    mov rax, user_entry
    push rax                        ; RIP
    iretq
user_entry:
    mov rdi, [rel user_arg]
    call [rel user_fn]
    mov dword [rel sdk_user_done], 1
    hlt                             ; #GP at CPL 3: back to ring 0

; The stubs: vector and (for vectors without one) a zero error code, then
; the common part, which saves every GPR into a struct sdk_frame (sdk.h)
; on the stack and calls sdk_exception(frame) on a 16-byte aligned stack.
; INT n pushes no error code whatever n is: tests use INT on vectors
; without one, or read the frame knowing that.
%define HAS_ERROR(v) ((v) == 8 || ((v) >= 10 && (v) <= 14) || (v) == 17 || (v) == 21 || (v) == 29 || (v) == 30)
%assign v 0
%rep 256
isr_ %+ v:
%if HAS_ERROR(v) == 0
    push 0
%endif
    push v
    jmp isr_common
%assign v v + 1
%endrep

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
    mov rdi, rsp
    mov rbx, rsp
    and rsp, -16
    cld
    call sdk_exception
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
    add rsp, 16                     ; vector, error code
    iretq

section .data
align 16
sdk_gdt:
    dq 0
    dq 0x00CF9A000000FFFF           ; 0x08 code, flat 32-bit
    dq 0x00CF92000000FFFF           ; 0x10 data, flat
    dq 0x00AF9A000000FFFF           ; 0x18 code, 64-bit
    dq 0x00CFFA000000FFFF           ; 0x20 code, flat 32-bit, DPL 3
    dq 0x00CFF2000000FFFF           ; 0x28 data, flat, DPL 3
    dq 0x00AFFA000000FFFF           ; 0x30 code, 64-bit, DPL 3
    dq 0x00009A000000FFFF           ; 0x38 code, 16-bit, base 0, 64 KiB
    dq 0x000092000000FFFF           ; 0x40 data, 16-bit, base 0, 64 KiB
gdt_tss:
    dq 0x0000890000000067           ; 0x48 64-bit TSS (available); base set at boot
    dq 0
    times 4 dq 0                    ; 0x58-0x70: free for tests
gdt_end:
gdt_ptr:
    dw gdt_end - sdk_gdt - 1
    dq sdk_gdt
align 8
sdk_idt_ptr:
    dw 256 * 16 - 1
    dq sdk_idt
isr_table:
%assign v 0
%rep 256
    dq isr_ %+ v
%assign v v + 1
%endrep

section .bss nobits alloc noexec write align=4096
sdk_pml4: resq 512
pdpt: resq 512
sdk_pd: resq 4 * 512                ; sdk_pd[i]: the 2 MiB page at i << 21
sdk_idt: resb 256 * 16
stack: resb 16384
stack_top:
ring0_stack: resb 8192
ring0_stack_top:
ist1_stack: resb 4096
sdk_ist_stack_top:
ist2_stack: resb 4096
ist2_stack_top:
user_stack: resb 8192
sdk_user_stack_top:
sdk_tss: resb 112
catch_active: resd 1
global sdk_user_done
sdk_user_done: resd 1
catch_rsp: resq 1
user_fn: resq 1
user_arg: resq 1
global catch_active
global catch_rsp
