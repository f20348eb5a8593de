; boot.asm - Multiboot2 header and the 32-bit entry into 64-bit long mode.
;
; GRUB enters here in 32-bit protected mode, paging off, EAX = Multiboot2
; magic, EBX = physical address of the boot information, ESP undefined
; (Multiboot2 spec, section 3.3 "I386 machine state"). The image was loaded
; at an address only known now (relocatable-image header tag), so this code
; is position independent: every address is EBP (the physical load base)
; plus an offset from boot_start.
;
; It builds the host page tables (identity map of the low 4 GiB with 2 MiB
; pages, plus the higher-half kernel window onto the load base), enters long
; mode (SDM Vol. 3A, 10.8.5 "Initializing IA-32e Mode") and calls
; kmain(mbi_phys, load_base, magic) on the boot stack.

%define MB2_HEADER_MAGIC   0xE85250D6
%define MB2_BOOT_MAGIC     0x36D76289
%define KERNEL_VBASE       0xFFFFFFFF80000000

%include "x86_regs.inc"
%define PTE_P              (1 << 0)
%define PTE_RW             (1 << 1)
%define PTE_PS             (1 << 7)
%define COM1               0x3F8

extern kmain
extern __image_size

; One section, so that every label minus boot_start is an assembly-time
; constant (nasm cannot subtract labels of different sections).
section .boot progbits alloc exec write align=4096
boot_start:
mb2_header:
    dd MB2_HEADER_MAGIC
    dd 0                                    ; architecture: i386 protected mode
    dd mb2_header_end - mb2_header
    dd 0x100000000 - (MB2_HEADER_MAGIC + (mb2_header_end - mb2_header))
    align 8
    ; Relocatable header tag (Multiboot2 spec 3.1.10): load anywhere in
    ; [1 MiB, 4 GiB), 2 MiB aligned, as high as possible, out of the guest's way.
    dw 10, 0
    dd 24
    dd 0x00100000                           ; min_addr
    dd 0xFFFFFFFF                           ; max_addr (end of image)
    dd 0x00200000                           ; align
    dd 2                                    ; preference: highest
    align 8
    dw 0, 0                                 ; end tag
    dd 8
mb2_header_end:

    align 16
bits 32
global _start
_start:
    cli
    cld
    mov edi, eax                            ; keep the magic
    ; No stack yet. Borrow the reserved u32 at mbi+4 for the single push
    ; of the call below: it is ours to scribble on and nothing reads it.
    lea esp, [ebx + 8]
    call .here
.here:
    pop ebp
    sub ebp, .here - boot_start             ; EBP = physical load base
    lea esp, [ebp + stack32_top - boot_start]

    cmp edi, MB2_BOOT_MAGIC
    jne .not_multiboot2
    mov edi, ebx                            ; EDI = MBI from here on (CPUID clobbers EBX)

    ; Long mode present? CPUID.80000001H:EDX.LM[bit 29].
    mov eax, 0x80000000
    cpuid
    cmp eax, 0x80000001
    jb .no_long_mode
    mov eax, 0x80000001
    cpuid
    test edx, 1 << 29
    jz .no_long_mode

    ; PML4[0] -> identity PDPT; PML4[511] -> kernel PDPT.
    lea eax, [ebp + pdpt_ident - boot_start]
    or eax, PTE_P | PTE_RW
    mov [ebp + pml4 - boot_start], eax
    lea eax, [ebp + pdpt_kernel - boot_start]
    or eax, PTE_P | PTE_RW
    mov [ebp + pml4 - boot_start + 511 * 8], eax

    ; Identity PDPT[0..3] -> pd_ident[0..3], each 512 x 2 MiB pages.
    xor ecx, ecx
.fill_pdpt:
    mov eax, ecx
    shl eax, 12
    lea eax, [ebp + pd_ident - boot_start + eax]
    or eax, PTE_P | PTE_RW
    mov [ebp + pdpt_ident - boot_start + ecx * 8], eax
    inc ecx
    cmp ecx, 4
    jb .fill_pdpt

    xor ecx, ecx                            ; 2048 entries cover 4 GiB
.fill_pd:
    mov eax, ecx
    shl eax, 21
    or eax, PTE_P | PTE_RW | PTE_PS
    mov [ebp + pd_ident - boot_start + ecx * 8], eax
    inc ecx
    cmp ecx, 2048
    jb .fill_pd

    ; Kernel window: PDPT[510] -> pd_kernel; pd_kernel[1 + i] = load_base + i * 2 MiB
    ; (KERNEL_VBASE + LINK_PHYS is 2 MiB into the top 2 GiB).
    lea eax, [ebp + pd_kernel - boot_start]
    or eax, PTE_P | PTE_RW
    mov [ebp + pdpt_kernel - boot_start + 510 * 8], eax
    mov ecx, __image_size
    add ecx, 0x1FFFFF
    shr ecx, 21                             ; number of 2 MiB pages
    xor esi, esi
.fill_kernel:
    mov eax, esi
    shl eax, 21
    add eax, ebp
    or eax, PTE_P | PTE_RW | PTE_PS
    mov [ebp + pd_kernel - boot_start + esi * 8 + 8], eax
    inc esi
    cmp esi, ecx
    jb .fill_kernel

    ; CR4.PAE, CR3, EFER.LME, then CR0.PG (SDM Vol. 3A 10.8.5).
    mov eax, cr4
    or eax, CR4_PAE
    mov cr4, eax
    lea eax, [ebp + pml4 - boot_start]
    mov cr3, eax
    mov ecx, MSR_EFER
    rdmsr
    or eax, EFER_LME
    wrmsr
    ; Caches on: Multiboot leaves CR0.CD and NW undefined, and GRUB hands
    ; over what the firmware left (SeaBIOS and Bochs's BIOS: both set, as
    ; after reset). Neither VM entry nor VM exit changes them (SDM Vol. 3C,
    ; 27.3.2.1, 28.5.1), so they are the guest's to set later.
    mov eax, cr0
    and eax, ~(CR0_CD | CR0_NW)
    or eax, CR0_PG | CR0_PE | CR0_WP
    mov cr0, eax

    ; Load a GDT with a 64-bit code segment and far-return into it.
    lea eax, [ebp + gdt64 - boot_start]
    mov [ebp + gdtr64 - boot_start + 2], eax
    lgdt [ebp + gdtr64 - boot_start]
    lea eax, [ebp + long_entry - boot_start]
    push 0x08
    push eax
    retf

.not_multiboot2:
    lea esi, [ebp + msg_not_mb2 - boot_start]
    jmp die32
.no_long_mode:
    lea esi, [ebp + msg_no_lm - boot_start]
    jmp die32

; die32: print the NUL-terminated string at ESI on COM1 and halt. Only for
; errors found before long mode, when nothing better is possible.
die32:
    mov dx, COM1 + 5                        ; LSR
.wait:
    in al, dx
    test al, 0x20                           ; THRE
    jz .wait
    lodsb
    test al, al
    jz .halt
    mov dx, COM1
    out dx, al
    jmp die32
.halt:
    cli
    hlt
    jmp .halt

bits 64
long_entry:
    mov ax, 0x10
    mov ds, ax
    mov es, ax
    mov ss, ax
    xor ax, ax
    mov fs, ax
    mov gs, ax
    mov rsp, boot_stack_top                 ; higher-half boot stack
    mov edi, edi                            ; arg 0: Multiboot2 info (physical), zero-extended
    mov esi, ebp                            ; arg 1: physical load base
    mov eax, MB2_BOOT_MAGIC
    mov edx, eax                            ; arg 2: magic (already checked)
    mov rax, kmain
    call rax
.hang:
    cli
    hlt
    jmp .hang

    align 16
gdt64:
    dq 0
    dq 0x00AF9A000000FFFF                   ; 0x08: 64-bit code, DPL0
    dq 0x00CF92000000FFFF                   ; 0x10: data
gdt64_end:
gdtr64:
    dw gdt64_end - gdt64 - 1
    dd 0                                    ; base, patched at run time
msg_not_mb2:
    db "monovisor: error: not started by a Multiboot2 boot loader (bad magic in EAX); boot it with GRUB's multiboot2 command", 13, 10, 0
msg_no_lm:
    db "monovisor: error: this CPU has no 64-bit long mode (CPUID.80000001H:EDX.LM=0); monovisor needs an x86-64 CPU with VT-x", 13, 10, 0

    ; Host page tables, zero in the image. They stay in use after boot.
    align 4096
pml4:        times 4096 db 0
pdpt_ident:  times 4096 db 0
pdpt_kernel: times 4096 db 0
pd_ident:    times 4096 * 4 db 0
pd_kernel:   times 4096 db 0
stack32:     times 256 db 0
stack32_top:

section .bss nobits alloc noexec write align=16
boot_stack:  resb 0x4000                    ; BOOT_STACK_SIZE (layout.h)
boot_stack_top:
