/*
 * insn_decode.h - decode the guest instruction that wrote to emulated MMIO
 * (pure; host unit tested and fuzzed).
 *
 * The local APIC page is write-protected in EPT, so a guest store to it
 * exits with an EPT violation that says where, not what: the hypervisor
 * fetches the instruction bytes at the guest RIP and decodes them here to
 * learn the value, its size and the instruction length (to advance RIP).
 *
 * Only the plain stores compilers and kernels use on MMIO are accepted:
 *
 *   88 /r       MOV r/m8, r8
 *   89 /r       MOV r/m16/32/64, r16/32/64
 *   C6 /0 ib    MOV r/m8, imm8
 *   C7 /0 iw/id MOV r/m16/32/64, imm16/32 (imm32 sign-extended with REX.W)
 *   86/87 /r    XCHG r/m, r   - only the store half is described: the
 *               caller must also put the old memory value into reg
 *   A2 / A3     MOV moffs, AL / eAX / RAX
 *   AA / AB     STOS to ES:[rDI] from AL / eAX / RAX, with or without
 *               REP (F3): what memset compiles to
 *
 * with the legacy prefixes 66, 67, F0 (XCHG only), F3 (STOS only), the
 * segment overrides and, in 64-bit mode, REX. Everything else is refused
 * with a reason, so that the caller can stop the guest with a clear
 * report instead of emulating something wrongly.
 */
#ifndef INSN_DECODE_H
#define INSN_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The architectural limit on an instruction's length (SDM Vol. 2A, 2.3.11;
 * a longer one raises #GP). */
#define INSN_MAX_LEN 15

/* Default operand and address size of the code segment: real mode or a
 * 16-bit segment (CS.D = 0), a 32-bit segment (CS.D = 1), 64-bit mode
 * (CS.L = 1 in IA-32e mode); SDM Vol. 1, 3.6. */
enum insn_mode { INSN_MODE16, INSN_MODE32, INSN_MODE64 };

struct mmio_store {
    uint8_t len;      /* instruction length in bytes */
    uint8_t size;     /* bytes written: 1, 2, 4 or 8 */
    bool is_imm;      /* value is imm, not a register */
    uint8_t reg;      /* source GPR, SDM numbering: 0=RAX 1=RCX 2=RDX 3=RBX 4=RSP
                       * 5=RBP 6=RSI 7=RDI 8..15=R8..R15 (REX.R); 0 when is_imm */
    bool high_byte;   /* 8-bit AH/CH/DH/BH (reg 4-7 without REX): the value is
                       * bits 15:8 of GPR reg - 4 */
    uint64_t imm;     /* when is_imm: the value stored, size bytes wide (imm32
                       * sign-extended for size 8), zero above; else 0 */
    bool is_xchg;     /* XCHG: reg must also receive the old memory value */
    bool is_string;   /* STOS: size bytes from rAX to ES:[rDI], rDI moves by size */
    bool rep;         /* STOS with REP: rCX elements */
    uint8_t addr_size;  /* STOS: bytes of rDI and rCX used (2, 4 or 8) */
};

/*
 * insn_decode_store - decode the store at code[0..avail) executed with the
 * default sizes of mode. Returns 0 and fills *out; or -1 with a static
 * reason string in *why (when why is not NULL) and *out untouched: not one
 * of the forms above (register destination, ModRM.mod == 3, included),
 * truncated (avail too small), longer than INSN_MAX_LEN bytes, or mode not
 * one of enum insn_mode. *why is left alone on success.
 * Never reads code[avail] or beyond, nor more than INSN_MAX_LEN bytes.
 */
int insn_decode_store(const uint8_t *code, size_t avail, enum insn_mode mode,
                      struct mmio_store *out, const char **why);

/*
 * The instructions an intercept exits on without saying how long they
 * are (SVM without next-RIP saving, AMD APM Vol. 2, 15.7.1, as QEMU's
 * TCG emulates it) nor, without decode assists (15.33), what a MOV to or
 * from a control or debug register names:
 *
 *   F4           HLT               F3 90        PAUSE
 *   0F 08 / 09   INVD / WBINVD     0F 30-33     WRMSR RDTSC RDMSR RDPMC
 *   0F A2        CPUID             0F 01 /7 m   INVLPG
 *   0F 01 mod=3  the register forms of group 7: MONITOR, MWAIT, XSETBV,
 *                VMRUN, VMMCALL, VMLOAD, VMSAVE, STGI, CLGI, SKINIT,
 *                INVLPGA, RDTSCP...
 *   0F 20-23 /r  MOV from/to CRn, DRn (ModRM.mod is ignored: always
 *                registers; F0 with CR0 is CR8 on AMD, APM Vol. 3, MOV CRn)
 *   E4-E7 ib, EC-EF, 6C-6F   IN, OUT, INS, OUTS
 *
 * with any legacy prefixes and, in 64-bit mode, REX.
 */
enum insn_sys_kind { INSN_SYS_OTHER, INSN_SYS_MOV_CR, INSN_SYS_MOV_DR, INSN_SYS_INVLPG };

struct insn_sys {
    uint8_t len;        /* instruction length in bytes */
    uint8_t kind;       /* enum insn_sys_kind */
    bool to;            /* MOV to CRn/DRn (0F 22, 0F 23); from otherwise */
    uint8_t reg;        /* the CR or DR number (ModRM.reg, REX.R) */
    uint8_t gpr;        /* the GPR, SDM numbering (ModRM.rm, REX.B) */
};

/*
 * insn_decode_system - decode one of the instructions above at
 * code[0..avail) in mode: 0 and *out, or -1 with a static reason in *why
 * (when not NULL), *out untouched. Never reads past avail nor beyond
 * INSN_MAX_LEN bytes.
 */
int insn_decode_system(const uint8_t *code, size_t avail, enum insn_mode mode,
                       struct insn_sys *out, const char **why);

#endif
