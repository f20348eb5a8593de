/*
 * modes.c - a guest that leaves the 32-bit protected mode it was started
 * in: into 64-bit long mode (PAE paging, EFER.LME, CR0.PG: the CR0 write
 * that monovisor intercepts to set "IA-32e mode guest") and back, and into
 * real mode (unrestricted guest) and back. In each mode it executes CPUID
 * and a hypercall, which must exit and come back correctly.
 */
#include "../sdk/sdk.h"

#define BLOB_AT 0x8000u     /* the real-mode code runs from conventional memory */

uint64_t modes_pml4[512] __attribute__((aligned(4096)));
uint64_t modes_pdpt[512] __attribute__((aligned(4096)));
uint64_t modes_pd[512] __attribute__((aligned(4096)));
volatile uint32_t long_vendor, long_hc, long_efer_lma;
uint32_t modes_saved_esp;

/* null, code32 0x08, data 0x10, code64 0x18, code16 0x20 (base BLOB_AT), data16 0x28 */
uint64_t modes_gdt[6] = {
    0, 0x00CF9A000000FFFFull, 0x00CF92000000FFFFull, 0x00AF9A000000FFFFull,
    0x00009A000000FFFFull | ((uint64_t)BLOB_AT << 16), 0x000092000000FFFFull,
};
struct __attribute__((packed)) { uint16_t limit; uint32_t base; } modes_gdtr = {
    sizeof(modes_gdt) - 1, (uint32_t)modes_gdt };

void to_long_and_back(void);
void to_real_and_back(void);
extern char rm_blob_start[], rm_blob_end[], rm_vendor[], rm_hc[];

__asm__(
    ".text\n"
    ".code32\n"
    ".globl to_long_and_back\n"
    "to_long_and_back:\n"
    "    pushl %ebx; pushl %esi; pushl %edi; pushl %ebp\n"
    "    movl %esp, modes_saved_esp\n"
    "    movl $modes_pml4, %eax\n"
    "    movl %eax, %cr3\n"
    "    movl %cr4, %eax; orl $0x20, %eax; movl %eax, %cr4\n"          /* PAE */
    "    movl $0xC0000080, %ecx; rdmsr; orl $0x100, %eax; wrmsr\n"     /* EFER.LME */
    "    movl %cr0, %eax; orl $0x80000000, %eax; movl %eax, %cr0\n"    /* PG: IA-32e */
    "    ljmp $0x18, $long64\n"
    ".code64\n"
    "long64:\n"
    "    xorl %eax, %eax; cpuid\n"
    "    movl $long_vendor, %edi; movl %ebx, (%rdi)\n"
    "    movl $0xC0000080, %ecx; rdmsr; shrl $10, %eax; andl $1, %eax\n"
    "    movl $long_efer_lma, %edi; movl %eax, (%rdi)\n"
    "    xorl %eax, %eax\n"                                             /* HC_VERSION */
    "    cmpl $0x68747541, %ebx; je 1f; vmcall; jmp 2f; 1: vmmcall; 2:\n"   /* EBX: CPUID 0 above */
    "    movl $long_hc, %edi; movl %eax, (%rdi)\n"
    "    pushq $0x08\n"
    "    movl $back32, %eax\n"
    "    pushq %rax\n"
    "    lretq\n"
    ".code32\n"
    "back32:\n"
    "    movl %cr0, %eax; andl $0x7FFFFFFF, %eax; movl %eax, %cr0\n"   /* leave IA-32e */
    "    movl $0xC0000080, %ecx; rdmsr; andl $~0x100, %eax; wrmsr\n"
    "    movl %cr4, %eax; andl $~0x20, %eax; movl %eax, %cr4\n"
    "    movl modes_saved_esp, %esp\n"
    "    popl %ebp; popl %edi; popl %esi; popl %ebx\n"
    "    ret\n"

    ".globl to_real_and_back\n"
    "to_real_and_back:\n"
    "    pushl %ebx; pushl %esi; pushl %edi; pushl %ebp\n"
    "    movl %esp, modes_saved_esp\n"
    "    ljmp $0x20, $0\n"                      /* 16-bit protected mode at BLOB_AT */
    "back_pm32:\n"
    "    movw $0x10, %ax; movw %ax, %ds; movw %ax, %es; movw %ax, %ss\n"
    "    movw %ax, %fs; movw %ax, %gs\n"
    "    movl modes_saved_esp, %esp\n"
    "    popl %ebp; popl %edi; popl %esi; popl %ebx\n"
    "    ret\n"

    /* Copied to BLOB_AT; every address in it is relative to its start. */
    ".section .rodata.realmode, \"a\"\n"
    ".code16\n"
    ".globl rm_blob_start, rm_blob_end, rm_vendor, rm_hc\n"
    "rm_blob_start:\n"
    "    movw $0x28, %ax; movw %ax, %ds; movw %ax, %es; movw %ax, %ss\n"
    "    movl %cr0, %eax; andl $0xFFFFFFFE, %eax; movl %eax, %cr0\n"   /* PE off: real mode */
    "    ljmp $0x0800, $(real16 - rm_blob_start)\n"
    "real16:\n"
    "    movw $0x0800, %ax; movw %ax, %ds; movw %ax, %ss\n"
    "    movw $(rm_stack_top - rm_blob_start), %sp\n"
    "    xorl %eax, %eax; cpuid\n"
    "    movl %ebx, rm_vendor - rm_blob_start\n"
    "    xorl %eax, %eax\n"
    "    cmpl $0x68747541, %ebx; je 1f; vmcall; jmp 2f; 1: vmmcall; 2:\n"   /* "Auth": AMD's VMMCALL */
    "    movl %eax, rm_hc - rm_blob_start\n"
    "    movl %cr0, %eax; orl $1, %eax; movl %eax, %cr0\n"             /* PE on */
    "    ljmpl $0x08, $back_pm32\n"
    "    .balign 4\n"
    "rm_vendor: .long 0\n"
    "rm_hc: .long 0\n"
    "    .space 128\n"
    "rm_stack_top:\n"
    "rm_blob_end:\n"
    ".code32\n"
    ".text\n");

static uint32_t get_cr0(void)
{
    uint32_t v;
    __asm__ volatile("mov %%cr0, %0" : "=r"(v));
    return v;
}

int main(void)
{
    uint32_t vendor = sdk_cpuid(0, 0).ebx;
    __asm__ volatile("lgdt %0" : : "m"(modes_gdtr));

    modes_pml4[0] = (uint32_t)modes_pdpt | 3;
    modes_pdpt[0] = (uint32_t)modes_pd | 3;
    for (uint32_t i = 0; i < 512; i++)
        modes_pd[i] = ((uint64_t)i << 21) | 0x83;   /* 2 MiB pages, 1 GiB identity */
    to_long_and_back();
    sdk_checkf(long_efer_lma == 1, "long mode: EFER.LMA set after CR0.PG (got %u)", long_efer_lma);
    sdk_checkf(long_vendor == vendor, "long mode: cpuid exits and returns (%#x)", long_vendor);
    sdk_checkf(long_hc == HC_ABI_VERSION, "long mode: vmcall hc version (got %#x)", long_hc);
    sdk_checkf(!(get_cr0() & 0x80000000u), "back in 32-bit protected mode, paging off (cr0=%#x)",
               get_cr0());

    uint8_t *blob = (uint8_t *)BLOB_AT;
    for (char *p = rm_blob_start; p < rm_blob_end; p++)
        blob[p - rm_blob_start] = (uint8_t)*p;
    to_real_and_back();
    uint32_t rv = *(volatile uint32_t *)(BLOB_AT + (uint32_t)(rm_vendor - rm_blob_start));
    uint32_t rh = *(volatile uint32_t *)(BLOB_AT + (uint32_t)(rm_hc - rm_blob_start));
    sdk_checkf(rv == vendor, "real mode: cpuid exits and returns (%#x)", rv);
    sdk_checkf(rh == HC_ABI_VERSION, "real mode: vmcall hc version (got %#x)", rh);
    sdk_checkf(get_cr0() & 1, "back in protected mode (cr0=%#x)", get_cr0());
    sdk_finish();
}
