// covers: kernel/insn_decode.c
/*
 * test_insn_decode.c - host unit tests of the MMIO store decoder
 * (kernel/insn_decode.c): every supported form in 16-, 32- and 64-bit mode,
 * exact lengths through every ModRM/SIB/displacement/immediate rule, and
 * the refusals.
 *
 * The encodings were assembled with nasm from the text beside them (those
 * marked "raw" by hand, nasm would not emit them) and their lengths checked
 * against objdump -D -b binary -mi386:x86-64 / -mi386 / -mi386
 * -Maddr16,data16. Disassemblers show a REX followed by a legacy prefix as
 * a separate instruction and drop the prefixes before it; the "ignored
 * REX" cases below were run on a CPU instead, which keeps those prefixes.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "../../kernel/insn_decode.h"

#define M16 INSN_MODE16
#define M32 INSN_MODE32
#define M64 INSN_MODE64

/* The byte count and the bytes of an encoding. */
#define CODE(...) (uint8_t)sizeof((uint8_t[]){ __VA_ARGS__ }), { __VA_ARGS__ }

struct ok_case {
    const char *text;       /* nasm source, or "raw ..." */
    enum insn_mode mode;
    uint8_t n;              /* = the expected length */
    uint8_t code[INSN_MAX_LEN];
    uint8_t size;
    uint8_t reg;
    bool high_byte, is_imm;
    uint64_t imm;
};

static const struct ok_case ok_cases[] = {
    /* ---- 64-bit mode: MOV r/m8, r8 (88) ---- */
    { "mov [rax],al", M64, CODE(0x88, 0x00), .size = 1, .reg = 0 },
    { "mov [rax],ah", M64, CODE(0x88, 0x20), .size = 1, .reg = 4, .high_byte = true },
    { "mov [rax],ch", M64, CODE(0x88, 0x28), .size = 1, .reg = 5, .high_byte = true },
    { "mov [rax],dh", M64, CODE(0x88, 0x30), .size = 1, .reg = 6, .high_byte = true },
    { "mov [rax],bh", M64, CODE(0x88, 0x38), .size = 1, .reg = 7, .high_byte = true },
    { "mov [rax],bl", M64, CODE(0x88, 0x18), .size = 1, .reg = 3 },
    { "mov [rax],spl", M64, CODE(0x40, 0x88, 0x20), .size = 1, .reg = 4 },
    { "mov [rax],dil", M64, CODE(0x40, 0x88, 0x38), .size = 1, .reg = 7 },
    { "mov [rax],r8b", M64, CODE(0x44, 0x88, 0x00), .size = 1, .reg = 8 },
    { "mov [rax],r12b", M64, CODE(0x44, 0x88, 0x20), .size = 1, .reg = 12 },
    { "mov [rax],r15b", M64, CODE(0x44, 0x88, 0x38), .size = 1, .reg = 15 },
    /* 66 does not change a byte store */
    { "o16 mov [rax],cl", M64, CODE(0x66, 0x88, 0x08), .size = 1, .reg = 1 },
    /* ---- 64-bit mode: MOV r/m, r (89), every addressing form ---- */
    { "mov [rdi],ecx", M64, CODE(0x89, 0x0F), .size = 4, .reg = 1 },
    { "mov [rdi],cx", M64, CODE(0x66, 0x89, 0x0F), .size = 2, .reg = 1 },
    { "mov [rdi],rcx", M64, CODE(0x48, 0x89, 0x0F), .size = 8, .reg = 1 },
    { "mov [r8],rcx", M64, CODE(0x49, 0x89, 0x08), .size = 8, .reg = 1 },
    { "mov [rax],r9", M64, CODE(0x4C, 0x89, 0x08), .size = 8, .reg = 9 },
    { "mov [rax],r15w", M64, CODE(0x66, 0x44, 0x89, 0x38), .size = 2, .reg = 15 },
    { "mov [rax+r12*4],r9d", M64, CODE(0x46, 0x89, 0x0C, 0xA0), .size = 4, .reg = 9 },
    { "mov [rel $+0x1234],eax", M64, CODE(0x89, 0x05, 0x2E, 0x12, 0x00, 0x00), .size = 4 },
    { "mov [rel $-0x10],rdx", M64, CODE(0x48, 0x89, 0x15, 0xE9, 0xFF, 0xFF, 0xFF), .size = 8,
      .reg = 2 },
    { "mov [r13],eax", M64, CODE(0x41, 0x89, 0x45, 0x00), .size = 4 },
    { "mov [rbp+0x10],edx", M64, CODE(0x89, 0x55, 0x10), .size = 4, .reg = 2 },
    { "mov [rbx-0x80],esi", M64, CODE(0x89, 0x73, 0x80), .size = 4, .reg = 6 },
    { "mov [rbx+0x12345678],esi", M64, CODE(0x89, 0xB3, 0x78, 0x56, 0x34, 0x12), .size = 4,
      .reg = 6 },
    { "mov [rsp],eax", M64, CODE(0x89, 0x04, 0x24), .size = 4 },
    { "mov [rsp+8],eax", M64, CODE(0x89, 0x44, 0x24, 0x08), .size = 4 },
    { "mov [rsp+0x1000],eax", M64, CODE(0x89, 0x84, 0x24, 0x00, 0x10, 0x00, 0x00), .size = 4 },
    { "mov [r12],eax", M64, CODE(0x41, 0x89, 0x04, 0x24), .size = 4 },
    { "mov [rbp+rcx*8],eax", M64, CODE(0x89, 0x44, 0xCD, 0x00), .size = 4 },
    { "mov [nosplit rax*2+0x100],eax", M64, CODE(0x89, 0x04, 0x45, 0x00, 0x01, 0x00, 0x00),
      .size = 4 },
    { "mov [abs 0x1000],eax", M64, CODE(0x89, 0x04, 0x25, 0x00, 0x10, 0x00, 0x00), .size = 4 },
    /* SIB base 101 with mod 00 and REX.B: still no base, a disp32 (Table 2-5) */
    { "raw mov [rax*1+0x100],eax (REX.B, SIB base 101)", M64,
      CODE(0x41, 0x89, 0x04, 0x05, 0x00, 0x01, 0x00, 0x00), .size = 4 },
    /* ModRM rm 101 with mod 00 and REX.B: still RIP-relative */
    { "raw mov [rip+0x10],eax (REX.B, rm 101)", M64, CODE(0x41, 0x89, 0x05, 0x10, 0, 0, 0),
      .size = 4 },
    /* 67: 32-bit addressing, same ModRM rules (EIP-relative) */
    { "a32 mov [rel $+0x100],eax", M64, CODE(0x67, 0x89, 0x05, 0xF9, 0x00, 0x00, 0x00),
      .size = 4 },
    { "mov [esp],eax", M64, CODE(0x67, 0x89, 0x04, 0x24), .size = 4 },
    { "mov [ebp+ecx*4+0x10],r11", M64, CODE(0x67, 0x4C, 0x89, 0x5C, 0x8D, 0x10), .size = 8,
      .reg = 11 },
    /* segment overrides */
    { "mov [fs:rax],ecx", M64, CODE(0x64, 0x89, 0x08), .size = 4, .reg = 1 },
    { "mov [gs:abs 0x20],rax", M64, CODE(0x65, 0x48, 0x89, 0x04, 0x25, 0x20, 0x00, 0x00, 0x00),
      .size = 8 },
    { "raw es cs ss ds mov [rax],ecx", M64, CODE(0x26, 0x2E, 0x36, 0x3E, 0x89, 0x08), .size = 4,
      .reg = 1 },
    /* REX.W wins over 66 */
    { "raw o16 mov [rax],rcx", M64, CODE(0x66, 0x48, 0x89, 0x08), .size = 8, .reg = 1 },
    /* a REX before a legacy prefix is ignored (2.2.1), the last REX counts */
    { "raw rex.w o16 mov [rax],cx", M64, CODE(0x48, 0x66, 0x89, 0x08), .size = 2, .reg = 1 },
    { "raw rex.r fs mov [rax],cl (ignored REX: CL)", M64, CODE(0x44, 0x64, 0x88, 0x08),
      .size = 1, .reg = 1 },
    { "raw rex.r ds mov [rax],ah (ignored REX: AH)", M64, CODE(0x44, 0x3E, 0x88, 0x20),
      .size = 1, .reg = 4, .high_byte = true },
    { "raw rex.w rex.r mov [rax],r9d", M64, CODE(0x48, 0x44, 0x89, 0x08), .size = 4, .reg = 9 },
    /* ---- 64-bit mode: MOV r/m, imm (C6 /0, C7 /0) ---- */
    { "mov byte [rax],0x12", M64, CODE(0xC6, 0x00, 0x12), .size = 1, .is_imm = true,
      .imm = 0x12 },
    { "mov byte [rel $+0x10],0xff", M64, CODE(0xC6, 0x05, 0x09, 0x00, 0x00, 0x00, 0xFF),
      .size = 1, .is_imm = true, .imm = 0xFF },
    { "mov byte [r15+0x7f],0x80", M64, CODE(0x41, 0xC6, 0x47, 0x7F, 0x80), .size = 1,
      .is_imm = true, .imm = 0x80 },
    { "mov dword [rax],0x12345678", M64, CODE(0xC7, 0x00, 0x78, 0x56, 0x34, 0x12), .size = 4,
      .is_imm = true, .imm = 0x12345678 },
    { "mov dword [rax],0x80000000", M64, CODE(0xC7, 0x00, 0x00, 0x00, 0x00, 0x80), .size = 4,
      .is_imm = true, .imm = 0x80000000 },
    { "mov word [rax],0x8234", M64, CODE(0x66, 0xC7, 0x00, 0x34, 0x82), .size = 2,
      .is_imm = true, .imm = 0x8234 },
    { "mov qword [rax],-2", M64, CODE(0x48, 0xC7, 0x00, 0xFE, 0xFF, 0xFF, 0xFF), .size = 8,
      .is_imm = true, .imm = 0xFFFFFFFFFFFFFFFEull },
    { "mov qword [rax],0x7fffffff", M64, CODE(0x48, 0xC7, 0x00, 0xFF, 0xFF, 0xFF, 0x7F),
      .size = 8, .is_imm = true, .imm = 0x7FFFFFFF },
    { "mov qword [rsp+r12*8+0x11223344],0x55667788", M64,
      CODE(0x4A, 0xC7, 0x84, 0xE4, 0x44, 0x33, 0x22, 0x11, 0x88, 0x77, 0x66, 0x55), .size = 8,
      .is_imm = true, .imm = 0x55667788 },
    { "mov dword [rel $+0x300],0xfee00000", M64,
      CODE(0xC7, 0x05, 0xF6, 0x02, 0x00, 0x00, 0x00, 0x00, 0xE0, 0xFE), .size = 4,
      .is_imm = true, .imm = 0xFEE00000 },
    { "raw o16 mov qword [rax],-1 (REX.W wins)", M64,
      CODE(0x66, 0x48, 0xC7, 0x00, 0xFF, 0xFF, 0xFF, 0xFF), .size = 8, .is_imm = true,
      .imm = UINT64_MAX },
    /* the longest legal: 3 prefixes + 12 bytes = 15 */
    { "raw cs ds fs mov qword [rsp+r12*8+0x11223344],0x55667788", M64,
      CODE(0x2E, 0x3E, 0x64, 0x4A, 0xC7, 0x84, 0xE4, 0x44, 0x33, 0x22, 0x11, 0x88, 0x77, 0x66,
           0x55),
      .size = 8, .is_imm = true, .imm = 0x55667788 },
    /* ---- 64-bit mode: XCHG (86, 87) ---- */
    { "xchg [rax],cl", M64, CODE(0x86, 0x08), .size = 1, .reg = 1 },
    { "xchg [rax],dh", M64, CODE(0x86, 0x30), .size = 1, .reg = 6, .high_byte = true },
    { "xchg [rax],ecx", M64, CODE(0x87, 0x08), .size = 4, .reg = 1 },
    { "lock xchg [rax],r10", M64, CODE(0xF0, 0x4C, 0x87, 0x10), .size = 8, .reg = 10 },
    { "lock xchg [rbx+0x300],si", M64, CODE(0xF0, 0x66, 0x87, 0xB3, 0x00, 0x03, 0x00, 0x00),
      .size = 2, .reg = 6 },
    /* ---- 64-bit mode: MOV moffs, AL/eAX/RAX (A2, A3) ---- */
    { "mov [qword 0xfee000b0],al", M64, CODE(0xA2, 0xB0, 0x00, 0xE0, 0xFE, 0, 0, 0, 0),
      .size = 1 },
    { "mov [qword 0xfee000b0],eax", M64, CODE(0xA3, 0xB0, 0x00, 0xE0, 0xFE, 0, 0, 0, 0),
      .size = 4 },
    { "mov [qword 0xfee000b0],rax", M64, CODE(0x48, 0xA3, 0xB0, 0x00, 0xE0, 0xFE, 0, 0, 0, 0),
      .size = 8 },
    { "mov [qword 0xfee000b0],ax", M64, CODE(0x66, 0xA3, 0xB0, 0x00, 0xE0, 0xFE, 0, 0, 0, 0),
      .size = 2 },
    { "a32 mov [dword 0xfee000b0],eax", M64, CODE(0x67, 0xA3, 0xB0, 0x00, 0xE0, 0xFE),
      .size = 4 },
    { "a32 mov [dword 0xfee000b0],al", M64, CODE(0x67, 0xA2, 0xB0, 0x00, 0xE0, 0xFE),
      .size = 1 },
    /* REX.R has no register to extend here: still RAX */
    { "raw rex.wr mov [qword 0],rax", M64, CODE(0x4C, 0xA3, 0, 0, 0, 0, 0, 0, 0, 0),
      .size = 8 },

    /* ---- 32-bit mode ---- */
    { "mov [eax],ecx", M32, CODE(0x89, 0x08), .size = 4, .reg = 1 },
    { "mov [eax],cx", M32, CODE(0x66, 0x89, 0x08), .size = 2, .reg = 1 },
    { "mov [eax],ch", M32, CODE(0x88, 0x28), .size = 1, .reg = 5, .high_byte = true },
    { "mov [eax],dl", M32, CODE(0x88, 0x10), .size = 1, .reg = 2 },
    { "mov [0xfee00300],ecx", M32, CODE(0x89, 0x0D, 0x00, 0x03, 0xE0, 0xFE), .size = 4, .reg = 1 },
    { "mov [esp],edi", M32, CODE(0x89, 0x3C, 0x24), .size = 4, .reg = 7 },
    { "mov [esp+8],eax", M32, CODE(0x89, 0x44, 0x24, 0x08), .size = 4 },
    { "mov [esp+0x100],eax", M32, CODE(0x89, 0x84, 0x24, 0x00, 0x01, 0x00, 0x00), .size = 4 },
    { "mov [nosplit ebx*4+0xfee00000],eax", M32,
      CODE(0x89, 0x04, 0x9D, 0x00, 0x00, 0xE0, 0xFE), .size = 4 },
    { "mov [ebp+esi*2+0x7f],edx", M32, CODE(0x89, 0x54, 0x75, 0x7F), .size = 4, .reg = 2 },
    { "mov [ebp],ebx", M32, CODE(0x89, 0x5D, 0x00), .size = 4, .reg = 3 },
    { "mov [esi+0x12345678],ebp", M32, CODE(0x89, 0xAE, 0x78, 0x56, 0x34, 0x12), .size = 4,
      .reg = 5 },
    { "mov [es:edi],eax", M32, CODE(0x26, 0x89, 0x07), .size = 4 },
    { "mov byte [eax],0x5a", M32, CODE(0xC6, 0x00, 0x5A), .size = 1, .is_imm = true,
      .imm = 0x5A },
    { "mov dword [0xfee000b0],0", M32,
      CODE(0xC7, 0x05, 0xB0, 0x00, 0xE0, 0xFE, 0x00, 0x00, 0x00, 0x00), .size = 4,
      .is_imm = true, .imm = 0 },
    { "mov dword [ebx+0x10],0xffffffff", M32,
      CODE(0xC7, 0x43, 0x10, 0xFF, 0xFF, 0xFF, 0xFF), .size = 4, .is_imm = true,
      .imm = 0xFFFFFFFF },
    { "mov word [ebx],0x1234", M32, CODE(0x66, 0xC7, 0x03, 0x34, 0x12), .size = 2,
      .is_imm = true, .imm = 0x1234 },
    { "xchg [eax],bl", M32, CODE(0x86, 0x18), .size = 1, .reg = 3 },
    { "lock xchg [eax],edx", M32, CODE(0xF0, 0x87, 0x10), .size = 4, .reg = 2 },
    { "mov [0xfee000b0],al", M32, CODE(0xA2, 0xB0, 0x00, 0xE0, 0xFE), .size = 1 },
    { "mov [0xfee000b0],eax", M32, CODE(0xA3, 0xB0, 0x00, 0xE0, 0xFE), .size = 4 },
    { "mov [0xfee000b0],ax", M32, CODE(0x66, 0xA3, 0xB0, 0x00, 0xE0, 0xFE), .size = 2 },
    { "a16 mov [0x1234],eax", M32, CODE(0x67, 0xA3, 0x34, 0x12), .size = 4 },
    /* 67: 16-bit addressing (Table 2-1) */
    { "mov [bx],eax", M32, CODE(0x67, 0x89, 0x07), .size = 4 },
    { "a16 mov [0x1234],ecx", M32, CODE(0x67, 0x89, 0x0E, 0x34, 0x12), .size = 4, .reg = 1 },
    { "mov [bx+0x10],eax", M32, CODE(0x67, 0x89, 0x47, 0x10), .size = 4 },
    { "mov [bx+0x1234],eax", M32, CODE(0x67, 0x89, 0x87, 0x34, 0x12), .size = 4 },
    { "mov [bp],eax", M32, CODE(0x67, 0x89, 0x46, 0x00), .size = 4 },
    { "mov word [bp+si+0x1234],0x5678", M32,
      CODE(0x66, 0x67, 0xC7, 0x82, 0x34, 0x12, 0x78, 0x56), .size = 2, .is_imm = true,
      .imm = 0x5678 },

    /* ---- 16-bit mode ---- */
    { "mov [bx],ax", M16, CODE(0x89, 0x07), .size = 2 },
    { "mov [bx],eax", M16, CODE(0x66, 0x89, 0x07), .size = 4 },
    { "mov [bx],ah", M16, CODE(0x88, 0x27), .size = 1, .reg = 4, .high_byte = true },
    { "mov [bx+si],cx", M16, CODE(0x89, 0x08), .size = 2, .reg = 1 },
    { "mov [bp+di],dx", M16, CODE(0x89, 0x13), .size = 2, .reg = 2 },
    { "raw mov [0x1234],ax (89, not A3)", M16, CODE(0x89, 0x06, 0x34, 0x12), .size = 2 },
    { "mov [bx+0x10],sp", M16, CODE(0x89, 0x67, 0x10), .size = 2, .reg = 4 },
    { "mov [bx+0x1234],bp", M16, CODE(0x89, 0xAF, 0x34, 0x12), .size = 2, .reg = 5 },
    { "mov [bp],si", M16, CODE(0x89, 0x76, 0x00), .size = 2, .reg = 6 },
    { "mov [bp+0x300],di", M16, CODE(0x89, 0xBE, 0x00, 0x03), .size = 2, .reg = 7 },
    { "mov [es:di],ax", M16, CODE(0x26, 0x89, 0x05), .size = 2 },
    { "mov word [bx],0x1234", M16, CODE(0xC7, 0x07, 0x34, 0x12), .size = 2, .is_imm = true,
      .imm = 0x1234 },
    { "mov dword [bx],0x80000001", M16, CODE(0x66, 0xC7, 0x07, 0x01, 0x00, 0x00, 0x80),
      .size = 4, .is_imm = true, .imm = 0x80000001 },
    { "mov byte [0x1234],0x56", M16, CODE(0xC6, 0x06, 0x34, 0x12, 0x56), .size = 1,
      .is_imm = true, .imm = 0x56 },
    { "mov dword [bp+0x1234],0x11223344", M16,
      CODE(0x66, 0xC7, 0x86, 0x34, 0x12, 0x44, 0x33, 0x22, 0x11), .size = 4, .is_imm = true,
      .imm = 0x11223344 },
    { "xchg [bx],dx", M16, CODE(0x87, 0x17), .size = 2, .reg = 2 },
    { "lock xchg [bx],bh", M16, CODE(0xF0, 0x86, 0x3F), .size = 1, .reg = 7, .high_byte = true },
    { "mov [0x1234],ax", M16, CODE(0xA3, 0x34, 0x12), .size = 2 },
    { "mov [0x1234],al", M16, CODE(0xA2, 0x34, 0x12), .size = 1 },
    { "mov [0x1234],eax", M16, CODE(0x66, 0xA3, 0x34, 0x12), .size = 4 },
    { "a32 mov [0xfee000b0],ax", M16, CODE(0x67, 0xA3, 0xB0, 0x00, 0xE0, 0xFE), .size = 2 },
    /* 67: 32-bit addressing (Tables 2-2, 2-3), no RIP-relative outside 64-bit mode */
    { "mov [esp],ax", M16, CODE(0x67, 0x89, 0x04, 0x24), .size = 2 },
    { "mov [esp+8],ax", M16, CODE(0x67, 0x89, 0x44, 0x24, 0x08), .size = 2 },
    { "a32 mov [0xfee00300],ebx", M16, CODE(0x66, 0x67, 0x89, 0x1D, 0x00, 0x03, 0xE0, 0xFE),
      .size = 4, .reg = 3 },
    { "mov [eax+0x100],cx", M16, CODE(0x67, 0x89, 0x88, 0x00, 0x01, 0x00, 0x00), .size = 2,
      .reg = 1 },
    { "mov [nosplit eax*8+0x10],dx", M16,
      CODE(0x67, 0x89, 0x14, 0xC5, 0x10, 0x00, 0x00, 0x00), .size = 2, .reg = 2 },
};

#define N_OK (sizeof(ok_cases) / sizeof(ok_cases[0]))

static void check_ok(const struct ok_case *c, const uint8_t *code, size_t avail)
{
    struct mmio_store s;
    const char *why = NULL;
    memset(&s, 0xA5, sizeof(s));
    if (insn_decode_store(code, avail, c->mode, &s, &why) != 0)
        fail_msg("%s (mode %d, avail %zu): refused: %s", c->text, c->mode, avail, why);
    if (s.len != c->n || s.size != c->size || s.reg != c->reg || s.high_byte != c->high_byte ||
        s.is_imm != c->is_imm || s.imm != c->imm)
        fail_msg("%s (mode %d): got len %u size %u reg %u high %d imm? %d imm %#llx", c->text,
                 c->mode, s.len, s.size, s.reg, s.high_byte, s.is_imm,
                 (unsigned long long)s.imm);
}

static void test_supported_forms(void **state)
{
    (void)state;
    for (size_t i = 0; i < N_OK; i++)
        check_ok(&ok_cases[i], ok_cases[i].code, ok_cases[i].n);
}

/* Bytes after the instruction (the next instruction, or garbage) change
 * nothing: the length comes from the instruction alone. */
static void test_trailing_bytes_ignored(void **state)
{
    (void)state;
    for (size_t i = 0; i < N_OK; i++) {
        uint8_t buf[32];
        for (int fill = 0; fill < 2; fill++) {
            memset(buf, fill ? 0xFF : 0x00, sizeof(buf));
            memcpy(buf, ok_cases[i].code, ok_cases[i].n);
            check_ok(&ok_cases[i], buf, sizeof(buf));
            check_ok(&ok_cases[i], buf, INSN_MAX_LEN);
        }
    }
}

/* Every proper prefix of a supported instruction is refused as truncated,
 * without reading past avail (the bytes sit at the end of a buffer, so an
 * overread shows under ASan/valgrind as well). */
static void test_every_truncation(void **state)
{
    (void)state;
    for (size_t i = 0; i < N_OK; i++) {
        const struct ok_case *c = &ok_cases[i];
        for (size_t avail = 0; avail < c->n; avail++) {
            uint8_t buf[INSN_MAX_LEN];
            struct mmio_store s, before;
            const char *why = NULL;
            memcpy(buf + sizeof(buf) - avail, c->code, avail);
            memset(&s, 0x5A, sizeof(s));
            before = s;
            if (insn_decode_store(buf + sizeof(buf) - avail, avail, c->mode, &s, &why) != -1)
                fail_msg("%s cut to %zu bytes: accepted", c->text, avail);
            assert_non_null(why);
            if (strcmp(why, "truncated") != 0)
                fail_msg("%s cut to %zu bytes: %s", c->text, avail, why);
            assert_memory_equal(&s, &before, sizeof(s));
        }
    }
}

/* ---- refusals ------------------------------------------------------------ */

struct bad_case {
    const char *text;
    enum insn_mode mode;
    uint8_t n;
    uint8_t code[INSN_MAX_LEN + 2];
    const char *why;
};

#define LONG "longer than 15 bytes"
#define MOD3 "register destination (ModRM.mod = 3)"
#define UNSUP "unsupported opcode"
#define REPNE "F2 prefix"
#define REP "F3 prefix"
#define LOCKMOV "LOCK prefix on MOV"
#define SLASH0 "C6/C7 with ModRM.reg != 0"

static const struct bad_case bad_cases[] = {
    /* register destinations: mod 11b */
    { "mov eax,ecx", M64, CODE(0x89, 0xC8), MOD3 },
    { "mov r8,r9", M64, CODE(0x4D, 0x89, 0xC8), MOD3 },
    { "mov al,ah", M32, CODE(0x88, 0xE0), MOD3 },
    { "mov cl,0x12", M16, CODE(0xC6, 0xC1, 0x12), MOD3 },
    { "mov ecx,0x12345678 (C7 /0)", M32, CODE(0xC7, 0xC1, 0x78, 0x56, 0x34, 0x12), MOD3 },
    { "xchg ecx,eax (87 /r)", M64, CODE(0x87, 0xC1), MOD3 },
    /* C6/C7 other than /0 */
    { "raw C6 /1", M64, CODE(0xC6, 0x08, 0x12), SLASH0 },
    { "raw C7 /7 memory", M32, CODE(0xC7, 0x38, 0, 0, 0, 0), SLASH0 },
    { "xabort 0x12 (C6 F8: mod 11b)", M64, CODE(0xC6, 0xF8, 0x12), MOD3 },
    { "xbegin $+6 (C7 F8: mod 11b)", M64, CODE(0xC7, 0xF8, 0x00, 0x00, 0x00, 0x00), MOD3 },
    /* other instructions */
    { "mov eax,[rax] (a load)", M64, CODE(0x8B, 0x00), UNSUP },
    { "mov al,[0x1234] (A0)", M16, CODE(0xA0, 0x34, 0x12), UNSUP },
    { "mov eax,[moffs] (A1)", M32, CODE(0xA1, 0, 0, 0, 0), UNSUP },
    { "movnti [rax],eax", M64, CODE(0x0F, 0xC3, 0x00), UNSUP },
    { "add [rax],eax", M64, CODE(0x01, 0x00), UNSUP },
    { "or dword [rax],1", M32, CODE(0x83, 0x08, 0x01), UNSUP },
    { "lodsd (a load)", M32, CODE(0xAD), UNSUP },
    { "movsd (a copy)", M32, CODE(0xA5), UNSUP },
    { "movaps [rax],xmm0", M64, CODE(0x0F, 0x29, 0x00), UNSUP },
    { "vmovdqa [rax],ymm0 (VEX)", M64, CODE(0xC5, 0xFD, 0x7F, 0x00), UNSUP },
    /* 40-4F outside 64-bit mode are INC/DEC, not REX */
    { "dec eax; mov [eax],ecx", M32, CODE(0x48, 0x89, 0x08), UNSUP },
    { "inc ax; mov [bx],ax", M16, CODE(0x40, 0x89, 0x07), UNSUP },
    /* F2 anywhere, F3 but on STOS */
    { "repne stosb", M64, CODE(0xF2, 0xAA), REPNE },
    { "xrelease mov [rax],eax", M64, CODE(0xF3, 0x89, 0x00), REP },
    { "xacquire lock xchg [rax],eax", M64, CODE(0xF2, 0xF0, 0x87, 0x00), REPNE },
    { "raw 66 F2 mov", M32, CODE(0x66, 0xF2, 0x89, 0x00), REPNE },
    { "raw rep mov byte [eax],1", M32, CODE(0xF3, 0xC6, 0x00, 0x01), REP },
    /* LOCK on a MOV is #UD */
    { "raw lock mov [rax],eax", M64, CODE(0xF0, 0x89, 0x00), LOCKMOV },
    { "raw lock mov byte [eax],1", M32, CODE(0xF0, 0xC6, 0x00, 0x01), LOCKMOV },
    { "raw lock mov [moffs],al", M16, CODE(0xF0, 0xA2, 0x34, 0x12), LOCKMOV },
    /* the 15-byte limit: the 15-byte instruction above with one prefix more */
    { "raw cs ds fs es mov qword [rsp+r12*8+0x11223344],0x55667788", M64,
      CODE(0x2E, 0x3E, 0x64, 0x26, 0x4A, 0xC7, 0x84, 0xE4, 0x44, 0x33, 0x22, 0x11, 0x88, 0x77,
           0x66, 0x55),
      LONG },
    /* 14 prefixes, opcode, ModRM: ModRM is the 16th byte */
    { "raw 14 x cs mov [rax],eax", M64,
      CODE(0x2E, 0x2E, 0x2E, 0x2E, 0x2E, 0x2E, 0x2E, 0x2E, 0x2E, 0x2E, 0x2E, 0x2E, 0x2E, 0x2E,
           0x89, 0x00),
      LONG },
    /* 15 prefixes: the opcode would be the 16th byte */
    { "raw 15 x o16", M32,
      CODE(0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
           0x66, 0x89, 0x00),
      LONG },
    /* a moffs64 store behind 7 prefixes: 7 + 1 + 8 = 16 */
    { "raw 7 prefixes mov [moffs64],al", M64,
      CODE(0x66, 0x2E, 0x3E, 0x26, 0x36, 0x64, 0x65, 0xA2, 1, 2, 3, 4, 5, 6, 7, 8), LONG },
    /* truncated instructions that are not prefixes of a supported one */
    { "nothing", M64, 0, { 0 }, "truncated" },
    { "raw lone REX", M64, CODE(0x48), "truncated" },
    { "raw prefixes only", M32, CODE(0x66, 0x67, 0x2E), "truncated" },
};

static void test_refusals(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
        const struct bad_case *c = &bad_cases[i];
        struct mmio_store s, before;
        const char *why = NULL;
        memset(&s, 0x3C, sizeof(s));
        before = s;
        if (insn_decode_store(c->code, c->n, c->mode, &s, &why) != -1)
            fail_msg("%s: accepted with len %u", c->text, s.len);
        if (!why || strcmp(why, c->why) != 0)
            fail_msg("%s: reason \"%s\", want \"%s\"", c->text, why ? why : "(null)", c->why);
        assert_memory_equal(&s, &before, sizeof(s));
    }
}

/* The 15-byte limit is reported as such even when more bytes follow, and
 * the 15th byte may be the last of a valid instruction. */
static void test_length_limit_with_spare_bytes(void **state)
{
    (void)state;
    uint8_t buf[32];
    struct mmio_store s;
    const char *why = NULL;

    /* 13 prefixes + 89 00: exactly 15 bytes */
    memset(buf, 0x3E, sizeof(buf));
    buf[13] = 0x89;
    buf[14] = 0x00;
    assert_int_equal(insn_decode_store(buf, sizeof(buf), M32, &s, &why), 0);
    assert_int_equal(s.len, 15);
    assert_int_equal(s.size, 4);

    /* 14 prefixes + 89 00: 16 */
    memset(buf, 0x3E, sizeof(buf));
    buf[14] = 0x89;
    buf[15] = 0x00;
    assert_int_equal(insn_decode_store(buf, sizeof(buf), M32, &s, &why), -1);
    assert_string_equal(why, LONG);

    /* prefixes only, many of them */
    memset(buf, 0x66, sizeof(buf));
    assert_int_equal(insn_decode_store(buf, sizeof(buf), M64, &s, &why), -1);
    assert_string_equal(why, LONG);
    /* ... but truncated when the bytes end before the limit */
    assert_int_equal(insn_decode_store(buf, 14, M64, &s, &why), -1);
    assert_string_equal(why, "truncated");

    /* 12 REX prefixes + C7 /0 id: the REXes count toward the limit */
    memset(buf, 0x48, sizeof(buf));
    memcpy(buf + 12, (const uint8_t[]){ 0xC7, 0x00, 1, 2, 3, 4 }, 6);
    assert_int_equal(insn_decode_store(buf, sizeof(buf), M64, &s, &why), -1);
    assert_string_equal(why, LONG);
    /* 7 REX prefixes: 7 + 6 = 13, fine, and REX.W applies */
    memcpy(buf + 7, (const uint8_t[]){ 0xC7, 0x00, 0xFF, 0xFF, 0xFF, 0xFF }, 6);
    assert_int_equal(insn_decode_store(buf, sizeof(buf), M64, &s, &why), 0);
    assert_int_equal(s.len, 13);
    assert_int_equal(s.size, 8);
    assert_true(s.imm == UINT64_MAX);
}

static void test_why_may_be_null(void **state)
{
    (void)state;
    static const uint8_t bad[] = { 0x89, 0xC0 };
    static const uint8_t good[] = { 0x89, 0x00 };
    struct mmio_store s;
    assert_int_equal(insn_decode_store(bad, sizeof(bad), M64, &s, NULL), -1);
    assert_int_equal(insn_decode_store(good, 1, M64, &s, NULL), -1);
    assert_int_equal(insn_decode_store(good, sizeof(good), M64, &s, NULL), 0);
    assert_int_equal(s.len, 2);
}

/* why is left alone on success. */
static void test_why_untouched_on_success(void **state)
{
    (void)state;
    static const uint8_t good[] = { 0x89, 0x00 };
    struct mmio_store s;
    const char *why = "sentinel";
    assert_int_equal(insn_decode_store(good, sizeof(good), M64, &s, &why), 0);
    assert_string_equal(why, "sentinel");
}

static void test_bad_mode(void **state)
{
    (void)state;
    static const uint8_t good[] = { 0x89, 0x00 };
    struct mmio_store s;
    const char *why = NULL;
    assert_int_equal(insn_decode_store(good, sizeof(good), (enum insn_mode)3, &s, &why), -1);
    assert_string_equal(why, "bad mode");
    assert_int_equal(insn_decode_store(good, sizeof(good), (enum insn_mode)-1, &s, &why), -1);
    assert_string_equal(why, "bad mode");
}

/* The same bytes in the three modes: only the defaults differ. */
static void test_same_bytes_per_mode(void **state)
{
    (void)state;
    /* C7 05 + 4 + imm: 64-bit [rip+disp32] id, 32-bit [disp32] id, 16-bit
     * [di] iw, then the rest is the next instruction. */
    static const uint8_t code[] = { 0xC7, 0x05, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88 };
    struct mmio_store s;
    const char *why;
    assert_int_equal(insn_decode_store(code, sizeof(code), M64, &s, &why), 0);
    assert_int_equal(s.len, 10);
    assert_int_equal(s.size, 4);
    assert_true(s.imm == 0x88776655);
    assert_int_equal(insn_decode_store(code, sizeof(code), M32, &s, &why), 0);
    assert_int_equal(s.len, 10);
    assert_int_equal(s.size, 4);
    assert_true(s.imm == 0x88776655);
    assert_int_equal(insn_decode_store(code, sizeof(code), M16, &s, &why), 0);
    assert_int_equal(s.len, 4);
    assert_int_equal(s.size, 2);
    assert_true(s.imm == 0x2211);

    /* A3 + moffs: 9 bytes in 64-bit mode, 5 in 32-bit, 3 in 16-bit */
    static const uint8_t a3[] = { 0xA3, 1, 2, 3, 4, 5, 6, 7, 8 };
    assert_int_equal(insn_decode_store(a3, sizeof(a3), M64, &s, &why), 0);
    assert_int_equal(s.len, 9);
    assert_int_equal(insn_decode_store(a3, sizeof(a3), M32, &s, &why), 0);
    assert_int_equal(s.len, 5);
    assert_int_equal(insn_decode_store(a3, sizeof(a3), M16, &s, &why), 0);
    assert_int_equal(s.len, 3);
}

/* Every ModRM byte with a memory operand, under each address size: the
 * length follows Tables 2-1 to 2-3 (SIB byte 0x25 = no index, base 101). */
static void test_all_modrm_lengths(void **state)
{
    (void)state;
    for (int m = 0; m < 3; m++) {
        for (int a16 = 0; a16 < 2; a16++) {
            enum insn_mode mode = (enum insn_mode)m;
            /* 16-bit addressing: 16-bit mode alone, or 32-bit mode with 67. */
            bool addr16 = (mode == M16 && !a16) || (mode == M32 && a16);
            for (unsigned modrm = 0; modrm < 0xC0; modrm++) {
                uint8_t code[16] = { 0x67, 0x89, (uint8_t)modrm, 0x25 };
                const uint8_t *p = a16 ? code : code + 1;
                unsigned mod = modrm >> 6, rm = modrm & 7, want;
                if (addr16)
                    want = 2 + (mod == 1 ? 1 : mod == 2 ? 2 : rm == 6 ? 2 : 0);
                else
                    /* with SIB 0x25 and mod 00 the SIB adds a disp32 too */
                    want = 2 + (rm == 4) + (mod == 1 ? 1 : mod == 2 ? 4 : rm == 5 || rm == 4 ? 4 : 0);
                want += a16;
                struct mmio_store s;
                const char *why;
                assert_int_equal(insn_decode_store(p, sizeof(code) - (size_t)a16, mode, &s, &why), 0);
                if (s.len != want)
                    fail_msg("mode %d 67=%d modrm %#x: len %u, want %u", m, a16, modrm, s.len,
                             want);
                assert_int_equal(s.reg, (modrm >> 3) & 7);
            }
        }
    }
}

/* STOS (AA, AB), with or without REP: size from the opcode, 66 and REX.W,
 * the address size (rDI, rCX) from the mode and 67. */
static void test_stos(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        enum insn_mode mode;
        uint8_t n;
        uint8_t code[4];
        uint8_t size, asz;
        bool rep;
    } cases[] = {
        { "stosb", M64, CODE(0xAA), 1, 8, false },
        { "rep stosb", M64, CODE(0xF3, 0xAA), 1, 8, true },
        { "rep stosq", M64, CODE(0xF3, 0x48, 0xAB), 8, 8, true },
        { "rep stosd", M64, CODE(0xF3, 0xAB), 4, 8, true },
        { "rep stosw", M64, CODE(0x66, 0xF3, 0xAB), 2, 8, true },
        { "a32 rep stosq", M64, CODE(0x67, 0xF3, 0x48, 0xAB), 8, 4, true },
        { "rep stosd", M32, CODE(0xF3, 0xAB), 4, 4, true },
        { "a16 stosd", M32, CODE(0x67, 0xAB), 4, 2, false },
        { "rep stosw", M16, CODE(0xF3, 0xAB), 2, 2, true },
        { "es stosb", M16, CODE(0x26, 0xAA), 1, 2, false },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct mmio_store st;
        const char *why = NULL;
        if (insn_decode_store(cases[i].code, cases[i].n, cases[i].mode, &st, &why))
            fail_msg("%s: refused: %s", cases[i].text, why);
        assert_true(st.is_string);
        assert_int_equal(st.len, cases[i].n);
        assert_int_equal(st.size, cases[i].size);
        assert_int_equal(st.addr_size, cases[i].asz);
        assert_int_equal(st.rep, cases[i].rep);
        assert_int_equal(st.reg, 0);
        assert_false(st.is_imm || st.is_xchg);
    }
}

/* ---- insn_decode_system: the instructions an SVM intercept exits on ---- */

static struct insn_sys sys_ok(enum insn_mode mode, const uint8_t *code, size_t n)
{
    struct insn_sys s;
    const char *why = "untouched";
    assert_int_equal(insn_decode_system(code, n, mode, &s, &why), 0);
    assert_string_equal(why, "untouched");
    return s;
}

#define SYS_LEN(mode, n_, ...)                                                   \
    do {                                                                         \
        const uint8_t b_[] = { __VA_ARGS__ };                                   \
        assert_int_equal(sys_ok(mode, b_, sizeof(b_)).len, n_);                 \
    } while (0)

static void test_system_lengths(void **state)
{
    (void)state;
    SYS_LEN(INSN_MODE32, 2, 0x0F, 0xA2);                    /* CPUID */
    SYS_LEN(INSN_MODE32, 3, 0x66, 0x0F, 0xA2);              /* a prefix counts */
    SYS_LEN(INSN_MODE64, 3, 0x48, 0x0F, 0x32);              /* REX.W RDMSR */
    SYS_LEN(INSN_MODE64, 2, 0x0F, 0x30);                    /* WRMSR */
    SYS_LEN(INSN_MODE16, 1, 0xF4);                          /* HLT */
    SYS_LEN(INSN_MODE32, 2, 0xF3, 0x90);                    /* PAUSE */
    SYS_LEN(INSN_MODE64, 3, 0x0F, 0x01, 0xD9);              /* VMMCALL */
    SYS_LEN(INSN_MODE64, 3, 0x0F, 0x01, 0xD1);              /* XSETBV */
    SYS_LEN(INSN_MODE64, 3, 0x0F, 0x01, 0xF9);              /* RDTSCP */
    SYS_LEN(INSN_MODE32, 2, 0x0F, 0x08);                    /* INVD */
    SYS_LEN(INSN_MODE32, 2, 0xE4, 0x60);                    /* IN AL, 60h */
    SYS_LEN(INSN_MODE32, 1, 0xEE);                          /* OUT DX, AL */
    /* INVLPG with each addressing form (0F 01 /7). */
    SYS_LEN(INSN_MODE64, 3, 0x0F, 0x01, 0x38);              /* [rax] */
    SYS_LEN(INSN_MODE64, 4, 0x0F, 0x01, 0x78, 0x10);        /* [rax+disp8] */
    SYS_LEN(INSN_MODE64, 7, 0x0F, 0x01, 0x3D, 1, 2, 3, 4);  /* [rip+disp32] */
    SYS_LEN(INSN_MODE64, 8, 0x0F, 0x01, 0xBC, 0x24, 1, 2, 3, 4);   /* [rsp+disp32] with SIB */
    SYS_LEN(INSN_MODE16, 5, 0x0F, 0x01, 0x3E, 0x34, 0x12);  /* [disp16] */
    SYS_LEN(INSN_MODE16, 8, 0x67, 0x0F, 0x01, 0x3D, 1, 2, 3, 4);   /* 67: 32-bit [disp32] */
    const uint8_t invlpg[] = { 0x0F, 0x01, 0x38 };
    assert_int_equal(sys_ok(INSN_MODE64, invlpg, 3).kind, INSN_SYS_INVLPG);
}

static void test_system_mov_cr_dr_operands(void **state)
{
    (void)state;
    const uint8_t to_cr4[] = { 0x0F, 0x22, 0xE0 };          /* MOV CR4, EAX */
    struct insn_sys s = sys_ok(INSN_MODE32, to_cr4, sizeof(to_cr4));
    assert_int_equal(s.len, 3);
    assert_int_equal(s.kind, INSN_SYS_MOV_CR);
    assert_true(s.to);
    assert_int_equal(s.reg, 4);
    assert_int_equal(s.gpr, 0);
    const uint8_t from_cr3[] = { 0x41, 0x0F, 0x20, 0xDF };  /* MOV R15, CR3 */
    s = sys_ok(INSN_MODE64, from_cr3, sizeof(from_cr3));
    assert_int_equal(s.len, 4);
    assert_false(s.to);
    assert_int_equal(s.reg, 3);
    assert_int_equal(s.gpr, 15);
    const uint8_t to_cr8[] = { 0x44, 0x0F, 0x22, 0xC1 };    /* MOV CR8, RCX (REX.R) */
    assert_int_equal(sys_ok(INSN_MODE64, to_cr8, sizeof(to_cr8)).reg, 8);
    const uint8_t lock_cr8[] = { 0xF0, 0x0F, 0x22, 0xC3 };  /* LOCK MOV CR0, EBX = CR8 */
    s = sys_ok(INSN_MODE32, lock_cr8, sizeof(lock_cr8));
    assert_int_equal(s.reg, 8);
    assert_int_equal(s.gpr, 3);
    const uint8_t to_dr7[] = { 0x0F, 0x23, 0xFE };          /* MOV DR7, ESI */
    s = sys_ok(INSN_MODE32, to_dr7, sizeof(to_dr7));
    assert_int_equal(s.kind, INSN_SYS_MOV_DR);
    assert_true(s.to);
    assert_int_equal(s.reg, 7);
    assert_int_equal(s.gpr, 6);
    const uint8_t from_dr6[] = { 0x0F, 0x21, 0x30 };        /* mod 00 is still registers */
    s = sys_ok(INSN_MODE32, from_dr6, sizeof(from_dr6));
    assert_false(s.to);
    assert_int_equal(s.reg, 6);
    assert_int_equal(s.gpr, 0);
}

static void test_system_refusals(void **state)
{
    (void)state;
    struct insn_sys s = { .len = 99 };
    const char *why = 0;
    const uint8_t mov[] = { 0x89, 0x07 };
    assert_int_equal(insn_decode_system(mov, sizeof(mov), INSN_MODE32, &s, &why), -1);
    assert_string_equal(why, "not an instruction an intercept exits on");
    assert_int_equal(s.len, 99);
    const uint8_t lgdt[] = { 0x0F, 0x01, 0x10 };            /* 0F 01 /2 m: LGDT */
    assert_int_equal(insn_decode_system(lgdt, sizeof(lgdt), INSN_MODE32, &s, &why), -1);
    assert_string_equal(why, "0F 01 memory form other than INVLPG");
    const uint8_t cut[] = { 0x0F, 0x01, 0xBC, 0x24, 1 };
    assert_int_equal(insn_decode_system(cut, sizeof(cut), INSN_MODE64, &s, &why), -1);
    assert_string_equal(why, "truncated");
    uint8_t prefixes[16];
    memset(prefixes, 0x66, sizeof(prefixes));
    assert_int_equal(insn_decode_system(prefixes, sizeof(prefixes), INSN_MODE32, &s, &why), -1);
    assert_string_equal(why, "longer than 15 bytes");
    assert_int_equal(insn_decode_system(mov, sizeof(mov), (enum insn_mode)7, &s, 0), -1);
    /* 40-4F are REX in 64-bit mode only. */
    const uint8_t rex[] = { 0x48, 0x0F, 0xA2 };
    assert_int_equal(insn_decode_system(rex, sizeof(rex), INSN_MODE32, &s, &why), -1);
    assert_int_equal(sys_ok(INSN_MODE64, rex, sizeof(rex)).len, 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_supported_forms),
        cmocka_unit_test(test_stos),
        cmocka_unit_test(test_trailing_bytes_ignored),
        cmocka_unit_test(test_every_truncation),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_length_limit_with_spare_bytes),
        cmocka_unit_test(test_why_may_be_null),
        cmocka_unit_test(test_why_untouched_on_success),
        cmocka_unit_test(test_bad_mode),
        cmocka_unit_test(test_same_bytes_per_mode),
        cmocka_unit_test(test_all_modrm_lengths),
        cmocka_unit_test(test_system_lengths),
        cmocka_unit_test(test_system_mov_cr_dr_operands),
        cmocka_unit_test(test_system_refusals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
