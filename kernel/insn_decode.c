/*
 * insn_decode.c - decode an MMIO store; see insn_decode.h.
 *
 * Encodings: SDM Vol. 2A, chapter 2 (prefixes 2.1.1, ModRM and SIB
 * Tables 2-1 to 2-3, REX 2.2.1) and the MOV and XCHG pages of Vol. 2B.
 * Effective operand and address sizes: SDM Vol. 1, 3.6, Tables 3-3, 3-4.
 */
#include "insn_decode.h"

/* REX fields (Vol. 2A, Table 2-4): W = 64-bit operand, R = ModRM.reg bit 3,
 * B = ModRM.rm bit 3. */
#define REX_W 0x08
#define REX_R 0x04
#define REX_B 0x01

/* The bytes consumed so far; why says what stopped the decoding. */
struct cursor {
    const uint8_t *code;
    size_t avail, pos;
    const char *why;
};

/* Claims the next n bytes; false when the 15-byte limit or the end of
 * the fetched bytes comes first. The limit is checked first: once it is
 * exceeded, more bytes could not make the instruction valid. */
static bool take(struct cursor *c, size_t n)
{
    if (c->pos + n > INSN_MAX_LEN) {
        c->why = "longer than 15 bytes";
        return false;
    }
    if (c->pos + n > c->avail) {
        c->why = "truncated";
        return false;
    }
    c->pos += n;
    return true;
}

/* The n bytes just taken, little-endian (immediates and displacements are
 * stored low byte first, Vol. 1, 1.3.1). */
static uint64_t last_le(const struct cursor *c, size_t n)
{
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++)
        v |= (uint64_t)c->code[c->pos - n + i] << (8 * i);
    return v;
}

/*
 * Consumes ModRM, SIB and displacement of a memory operand with address
 * size asz (2, 4 or 8 bytes); *modrm gets the ModRM byte.
 */
static bool take_modrm(struct cursor *c, unsigned asz, uint8_t *modrm)
{
    if (!take(c, 1))
        return false;
    uint8_t m = c->code[c->pos - 1];
    unsigned mod = m >> 6, rm = m & 7;
    size_t disp;

    *modrm = m;
    if (mod == 3) {
        /* mod 11b names a register, not memory: it cannot have touched MMIO. */
        c->why = "register destination (ModRM.mod = 3)";
        return false;
    }
    if (asz == 2) {
        /* Table 2-1: no SIB; mod 01 disp8, mod 10 disp16, mod 00 rm 110
         * is [disp16] instead of [BP]. */
        disp = mod == 1 ? 1 : mod == 2 ? 2 : rm == 6 ? 2 : 0;
        return take(c, disp);
    }
    /* Tables 2-2 and 2-3 (32- and 64-bit addressing): mod 01 disp8,
     * mod 10 disp32; mod 00 rm 101 is [disp32] (RIP-relative in 64-bit
     * mode, 2.2.1.6); rm 100 is followed by a SIB byte, whose base 101
     * with mod 00 means no base and a disp32. REX.B does not change these
     * special cases (Table 2-5), so only the 3-bit fields are looked at. */
    disp = mod == 1 ? 1 : mod == 2 ? 4 : 0;
    if (rm == 4) {
        if (!take(c, 1))
            return false;
        if (mod == 0 && (c->code[c->pos - 1] & 7) == 5)
            disp = 4;
    } else if (mod == 0 && rm == 5) {
        disp = 4;
    }
    return take(c, disp);
}

static int fail(const char **why, const char *reason)
{
    if (why)
        *why = reason;
    return -1;
}

/* insn_decode_store - see insn_decode.h. */
int insn_decode_store(const uint8_t *code, size_t avail, enum insn_mode mode,
                      struct mmio_store *out, const char **why)
{
    struct cursor c = { code, avail, 0, NULL };
    bool opsize = false, addrsize = false, lock = false, rep = false;
    uint8_t rex = 0, op, modrm;
    struct mmio_store s = { 0 };

    if (mode != INSN_MODE16 && mode != INSN_MODE32 && mode != INSN_MODE64)
        return fail(why, "bad mode");

    /* Prefixes (2.1.1), in any order and number within the 15 bytes. */
    for (;;) {
        if (!take(&c, 1))
            return fail(why, c.why);
        op = code[c.pos - 1];
        if (op == 0x66) {
            opsize = true;
        } else if (op == 0x67) {
            addrsize = true;
        } else if (op == 0xF0) {
            lock = true;
        } else if (op == 0x26 || op == 0x2E || op == 0x36 || op == 0x3E || op == 0x64 ||
                   op == 0x65) {
            /* ES CS SS DS FS GS: the caller has the guest-physical address
             * from the EPT violation, the segment does not matter. */
        } else if (op == 0xF3) {
            /* REP on STOS; XRELEASE on XCHG and MOV C6/C7 (refused below). */
            rep = true;
        } else if (op == 0xF2) {
            /* REPNE, or XACQUIRE on XCHG. */
            return fail(why, "F2 prefix");
        } else if (mode == INSN_MODE64 && (op & 0xF0) == 0x40) {
            /* REX (2.2.1); outside 64-bit mode 40-4F are INC/DEC. */
            rex = op;
            continue;
        } else {
            break;
        }
        /* A REX not right before the opcode is ignored (2.2.1); the legacy
         * prefixes around it still count. */
        rex = 0;
    }

    /* Effective sizes (Vol. 1, Tables 3-3 and 3-4): 66 toggles 16/32-bit
     * operands, REX.W makes them 64-bit and wins over 66; 67 toggles the
     * address size (16/32, or 64/32 in 64-bit mode). */
    unsigned osz, asz;
    if (rex & REX_W)
        osz = 8;
    else if (mode == INSN_MODE16)
        osz = opsize ? 4 : 2;
    else
        osz = opsize ? 2 : 4;
    if (mode == INSN_MODE16)
        asz = addrsize ? 4 : 2;
    else if (mode == INSN_MODE32)
        asz = addrsize ? 2 : 4;
    else
        asz = addrsize ? 4 : 8;

    switch (op) {
    case 0x86: /* XCHG r/m8, r8 */
    case 0x87: /* XCHG r/m, r */
        s.is_xchg = true;
        s.size = (op & 1) ? osz : 1;
        break;
    case 0x88: /* MOV r/m8, r8 */
    case 0x89: /* MOV r/m, r */
        s.size = (op & 1) ? osz : 1;
        break;
    case 0xC6: /* MOV r/m8, imm8 */
    case 0xC7: /* MOV r/m, imm16/32 */
        s.size = (op & 1) ? osz : 1;
        s.is_imm = true;
        break;
    case 0xA2: /* MOV moffs8, AL */
    case 0xA3: /* MOV moffs, eAX */
        s.size = (op & 1) ? osz : 1;
        break;
    case 0xAA: /* STOS m8 */
    case 0xAB: /* STOS m16/32/64 */
        s.size = (op & 1) ? osz : 1;
        s.is_string = true;
        s.rep = rep;
        s.addr_size = (uint8_t)asz;
        break;
    default:
        return fail(why, "unsupported opcode");
    }
    if (rep && !s.is_string)
        return fail(why, "F3 prefix");
    /* LOCK is #UD on anything but a read-modify-write such as XCHG
     * (Vol. 2A, LOCK). */
    if (lock && op != 0x86 && op != 0x87)
        return fail(why, "LOCK prefix on MOV");

    if (s.is_string) {
        /* No operand bytes: the source is the accumulator. */
    } else if (op == 0xA2 || op == 0xA3) {
        /* The offset is as wide as the address size: 8 bytes in 64-bit mode
         * without 67 (2.2.1.4). The source is always the accumulator. */
        if (!take(&c, asz))
            return fail(why, c.why);
    } else {
        if (!take_modrm(&c, asz, &modrm))
            return fail(why, c.why);
        unsigned reg = (modrm >> 3) & 7;
        if (s.is_imm) {
            /* C6 and C7 are MOV only with /0 (C6 F8 / C7 F8 are XABORT /
             * XBEGIN, register forms refused above). */
            if (reg != 0)
                return fail(why, "C6/C7 with ModRM.reg != 0");
            /* ib, iw or id; with REX.W an id sign-extended to 64 bits
             * (2.2.1.5). */
            unsigned isz = s.size > 4 ? 4 : s.size;
            if (!take(&c, isz))
                return fail(why, c.why);
            s.imm = last_le(&c, isz);
            if (s.size == 8)
                s.imm = (uint64_t)(int64_t)(int32_t)(uint32_t)s.imm;
        } else {
            /* Without any REX, byte registers 4-7 are AH CH DH BH; with one
             * they are SPL BPL SIL DIL (Vol. 2A, 2.2.1.2 and Table 3-1). */
            s.high_byte = s.size == 1 && !rex && reg >= 4;
            s.reg = (uint8_t)(reg | ((rex & REX_R) ? 8 : 0));
        }
    }
    s.len = (uint8_t)c.pos;
    *out = s;
    return 0;
}

/* insn_decode_system - see insn_decode.h. */
int insn_decode_system(const uint8_t *code, size_t avail, enum insn_mode mode,
                       struct insn_sys *out, const char **why)
{
    struct cursor c = { code, avail, 0, NULL };
    bool addrsize = false, lock = false;
    uint8_t rex = 0, op, modrm;
    struct insn_sys s = { 0 };

    if (mode != INSN_MODE16 && mode != INSN_MODE32 && mode != INSN_MODE64)
        return fail(why, "bad mode");
    for (;;) {
        if (!take(&c, 1))
            return fail(why, c.why);
        op = code[c.pos - 1];
        if (op == 0x67) {
            addrsize = true;
        } else if (op == 0xF0) {
            lock = true;
        } else if (op == 0x66 || op == 0xF2 || op == 0xF3 || op == 0x26 || op == 0x2E ||
                   op == 0x36 || op == 0x3E || op == 0x64 || op == 0x65) {
            /* operand size, REP, segments: no bearing on these lengths */
        } else if (mode == INSN_MODE64 && (op & 0xF0) == 0x40) {
            rex = op;
            continue;
        } else {
            break;
        }
        rex = 0;
    }
    unsigned asz = mode == INSN_MODE16 ? (addrsize ? 4 : 2)
                   : mode == INSN_MODE32 ? (addrsize ? 2 : 4)
                                         : (addrsize ? 4 : 8);
    switch (op) {
    case 0xF4: case 0x90:                           /* HLT; PAUSE (F3 90) */
    case 0xEC: case 0xED: case 0xEE: case 0xEF:     /* IN/OUT with DX */
    case 0x6C: case 0x6D: case 0x6E: case 0x6F:     /* INS, OUTS */
        break;
    case 0xE4: case 0xE5: case 0xE6: case 0xE7:     /* IN/OUT imm8 */
        if (!take(&c, 1))
            return fail(why, c.why);
        break;
    case 0x0F:
        if (!take(&c, 1))
            return fail(why, c.why);
        op = code[c.pos - 1];
        switch (op) {
        case 0x08: case 0x09: case 0x30: case 0x31: case 0x32: case 0x33: case 0xA2:
            break;
        case 0x01:
            if (!take(&c, 1))
                return fail(why, c.why);
            modrm = code[c.pos - 1];
            if (modrm >> 6 == 3)
                break;                  /* a register form: the opcode ends with it */
            if ((modrm >> 3 & 7) != 7)
                return fail(why, "0F 01 memory form other than INVLPG");
            c.pos--;                    /* INVLPG m: the memory operand's bytes */
            if (!take_modrm(&c, asz, &modrm))
                return fail(why, c.why);
            s.kind = INSN_SYS_INVLPG;
            break;
        case 0x20: case 0x21: case 0x22: case 0x23:
            if (!take(&c, 1))
                return fail(why, c.why);
            modrm = code[c.pos - 1];
            s.kind = (op & 1) ? INSN_SYS_MOV_DR : INSN_SYS_MOV_CR;
            s.to = op & 2;
            s.reg = (uint8_t)((modrm >> 3 & 7) | ((rex & REX_R) ? 8 : 0));
            s.gpr = (uint8_t)((modrm & 7) | ((rex & REX_B) ? 8 : 0));
            if (lock && s.kind == INSN_SYS_MOV_CR && s.reg == 0)
                s.reg = 8;              /* LOCK MOV CR0 is CR8 (AMD's alternative encoding) */
            break;
        default:
            return fail(why, "not an instruction an intercept exits on");
        }
        break;
    default:
        return fail(why, "not an instruction an intercept exits on");
    }
    s.len = (uint8_t)c.pos;
    *out = s;
    return 0;
}
