// covers: kernel/insn_decode.c
/*
 * fuzz_insn_decode.c - the MMIO store decoder (kernel/insn_decode.c) on
 * arbitrary instruction bytes. Input: one byte whose value mod 4 is the
 * mode (3: an invalid enum insn_mode), then the code bytes, which end
 * exactly where libFuzzer's buffer ends (so ASan sees any overread).
 *
 * Checks: a decoded store has 1 <= len <= min(avail, 15), size 1, 2, 4
 * or 8, a register below 16 (below 8 outside 64-bit mode), the high-byte
 * form only for byte stores from register 4-7, an immediate that fits its
 * size (a sign-extended imm32 for size 8) and no register with it. The
 * length needs no look-ahead: decoding exactly len bytes gives the same
 * store, one byte fewer is "truncated". A refusal gives a reason and
 * leaves *out alone; an invalid mode is always refused.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "../../kernel/insn_decode.h"

static bool same(const struct mmio_store *a, const struct mmio_store *b)
{
    return a->len == b->len && a->size == b->size && a->is_imm == b->is_imm &&
           a->reg == b->reg && a->high_byte == b->high_byte && a->imm == b->imm &&
           a->is_string == b->is_string && a->rep == b->rep && a->addr_size == b->addr_size;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    enum insn_mode mode = (enum insn_mode)(data[0] % 4);
    const uint8_t *code = data + 1;
    size_t avail = size - 1;
    struct mmio_store s, sentinel, again;
    const char *why = NULL;

    /* The length decoder of intercepted instructions, on the same bytes:
     * a length within what was given and the 15-byte limit, operands in
     * range, nothing written on a refusal. */
    struct insn_sys y, ysent;
    memset(&y, 0x5A, sizeof(y));
    ysent = y;
    if (insn_decode_system(code, avail, mode, &y, &why) == 0) {
        if (mode > INSN_MODE64 || y.len < 1 || y.len > avail || y.len > INSN_MAX_LEN ||
            y.kind > INSN_SYS_INVLPG || y.reg > 15 || y.gpr > (mode == INSN_MODE64 ? 15 : 7))
            __builtin_trap();
        if (y.kind != INSN_SYS_MOV_CR && y.kind != INSN_SYS_MOV_DR && (y.reg || y.gpr || y.to))
            __builtin_trap();
    } else if (!why || !*why || memcmp(&y, &ysent, sizeof(y)) != 0) {
        __builtin_trap();
    }
    why = NULL;

    memset(&s, 0xA5, sizeof(s));
    sentinel = s;
    if (insn_decode_store(code, avail, mode, &s, &why) != 0) {
        if (!why || !*why || memcmp(&s, &sentinel, sizeof(s)) != 0)
            __builtin_trap();
        return 0;
    }
    if (mode > INSN_MODE64)
        __builtin_trap();

    if (s.len < 1 || s.len > avail || s.len > INSN_MAX_LEN)
        __builtin_trap();
    if (s.size != 1 && s.size != 2 && s.size != 4 && s.size != 8)
        __builtin_trap();
    if (s.reg > (mode == INSN_MODE64 ? 15 : 7))
        __builtin_trap();
    if (s.high_byte && (s.size != 1 || s.is_imm || s.reg < 4 || s.reg > 7))
        __builtin_trap();
    if (s.is_imm && s.reg != 0)
        __builtin_trap();
    if (!s.is_imm && s.imm != 0)
        __builtin_trap();
    if (s.is_imm && s.size < 8 && (s.imm >> (8 * s.size)) != 0)
        __builtin_trap();
    if (s.is_imm && s.size == 8 && s.imm != (uint64_t)(int64_t)(int32_t)(uint32_t)s.imm)
        __builtin_trap();
    /* STOS: from the accumulator, with an address size; REP only on STOS */
    if (s.is_string && (s.is_imm || s.is_xchg || s.reg != 0 ||
                        (s.addr_size != 2 && s.addr_size != 4 && s.addr_size != 8)))
        __builtin_trap();
    if (!s.is_string && (s.rep || s.addr_size))
        __builtin_trap();
    if (s.addr_size == 8 && mode != INSN_MODE64)
        __builtin_trap();
    /* 8-byte stores exist only in 64-bit mode (REX.W) */
    if (s.size == 8 && mode != INSN_MODE64)
        __builtin_trap();

    /* The bytes after the instruction play no part. */
    memset(&again, 0, sizeof(again));
    if (insn_decode_store(code, s.len, mode, &again, &why) != 0 || !same(&s, &again))
        __builtin_trap();
    why = NULL;
    if (insn_decode_store(code, s.len - 1u, mode, &again, &why) != -1 || !why ||
        strcmp(why, "truncated") != 0)
        __builtin_trap();
    return 0;
}
