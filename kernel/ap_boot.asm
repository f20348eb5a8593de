; ap_boot.asm - the application processors' way from the start-up IPI to
; 64-bit C, copied by kernel/smp.c to a 4 KiB page below 1 MiB.
;
; A SIPI with vector V starts the core in real mode at CS = V << 8, IP = 0
; (SDM Vol. 3A, 10.4.4 "MP Initialization Example"), caches off
; (CR0.CD = CR0.NW = 1 after INIT, table 10-1). The code below only uses
; offsets from its own start, so it runs wherever it was copied; the
; addresses that depend on the page (GDT base, far-jump targets) and the
; core's stack and C entry are filled in by smp.c in ap_params, whose
; layout struct ap_params in smp.c mirrors.
;
; Path: real mode -> 32-bit protected mode (GDT, CR0.PE) -> PAE paging on
; the hypervisor's own page tables with EFER.LME -> 64-bit code segment
; (SDM Vol. 3A, 10.8.5 "Initializing IA-32e Mode") -> entry(cpu) on the
; core's stack. Nothing returns.

%include "x86_regs.inc"

%define OFF(label)  ((label) - ap_trampoline)

global ap_trampoline
global ap_trampoline_end
global ap_params
global ap_pm32
global ap_lm64
global ap_gdt

section .rodata
align 16
bits 16
ap_trampoline:
    cli
    cld
    xor ebx, ebx
    mov bx, cs
    mov ds, bx
    shl ebx, 4                          ; EBX = linear address of this page
    o32 lgdt [OFF(ap_gdtr)]
    mov eax, cr0
    and eax, ~(CR0_CD | CR0_NW)         ; caches on: INIT left them off
    or eax, CR0_PE
    mov cr0, eax
    o32 jmp far [OFF(ap_far32)]

bits 32
ap_pm32:
    mov ax, 0x10
    mov ds, ax
    mov es, ax
    mov ss, ax
    mov eax, cr4
    or eax, CR4_PAE
    mov cr4, eax
    mov eax, [ebx + OFF(ap_cr3)]
    mov cr3, eax
    mov ecx, MSR_EFER
    rdmsr
    or eax, EFER_LME
    wrmsr
    mov eax, cr0
    or eax, CR0_PG | CR0_WP
    mov cr0, eax
    jmp far [ebx + OFF(ap_far64)]

bits 64
ap_lm64:
    mov ebx, ebx                        ; upper half undefined after the switch
    mov ax, 0x10
    mov ds, ax
    mov es, ax
    mov ss, ax
    mov rsp, [rbx + OFF(ap_stack)]
    mov rdi, [rbx + OFF(ap_cpu)]
    mov rax, [rbx + OFF(ap_entry)]
    call rax                            ; entry(struct cpu *) does not return
.hang:
    cli
    hlt
    jmp .hang

align 8
ap_gdt:
    dq 0
    dq 0x00AF9A000000FFFF               ; 0x08: 64-bit code
    dq 0x00CF92000000FFFF               ; 0x10: flat data
    dq 0x00CF9A000000FFFF               ; 0x18: flat 32-bit code
ap_gdt_end:

; Filled in by smp.c (struct ap_params): keep both in the same order.
align 8
ap_params:
ap_gdtr:    dw ap_gdt_end - ap_gdt - 1
            dd 0                        ; linear address of ap_gdt
ap_far32:   dd 0                        ; linear address of ap_pm32
            dw 0x18
ap_far64:   dd 0                        ; linear address of ap_lm64
            dw 0x08
ap_cr3:     dd 0
ap_stack:   dq 0
ap_cpu:     dq 0
ap_entry:   dq 0
ap_trampoline_end:
