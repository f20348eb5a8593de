/*
 * dbg.c - the guest's I/O breakpoints and the breakpoint slots shared
 * with the GDB stub; see dbg.h.
 */
#include "dbg.h"

#include "x86_regs.h"

uint32_t dbg_io_hits(uint64_t dr7, const uint64_t dr[4], uint16_t port, unsigned size)
{
    static const uint8_t len_bytes[4] = { 1, 2, 8, 4 };    /* LEN 00B, 01B, 10B, 11B */
    uint32_t hits = 0;
    for (unsigned n = 0; n < 4; n++) {
        unsigned rw = (unsigned)(dr7 >> (16 + 4 * n)) & 3, len = len_bytes[(dr7 >> (18 + 4 * n)) & 3];
        if (!((dr7 >> (2 * n)) & 3) || rw != DR7_RW_IO)
            continue;
        uint64_t lo = dr[n] & 0xFFFF & ~(uint64_t)(len - 1);
        if (port < lo + len && (uint64_t)port + size > lo)
            hits |= 1u << n;
    }
    return hits;
}

/* ---- the breakpoint slots shared with the GDB stub ------------------------ */

#define DR7_RESERVED_ONE (1ull << 10)   /* reserved, reads as 1 (17.2.4, Figure 17-1) */
#define DR7_LG(n) (3ull << (2 * (n)))   /* Ln (bit 2n), Gn (bit 2n + 1) (17.2.4) */
#define DR7_G(n) (2ull << (2 * (n)))    /* Gn alone: what the stub's slots enable (dr_compose in dbg.h) */
#define DR7_RW_SHIFT(n) (16 + 4 * (n))  /* R/Wn: bits 17:16 for DR0, +4 per slot (17.2.4) */
#define DR7_LEN_SHIFT(n) (18 + 4 * (n)) /* LENn: bits 19:18 for DR0, +4 per slot (17.2.4) */

/* The slots (bit n) dr7 enables, locally or globally (17.2.4). */
static unsigned enabled(uint64_t dr7)
{
    unsigned m = 0;
    for (unsigned n = 0; n < 4; n++)
        if (dr7 & DR7_LG(n))
            m |= 1u << n;
    return m;
}

/* LEN for a piece of 1, 2, 4 or 8 bytes: 00B, 01B, 11B, 10B (17.2.4). */
static uint8_t len_field(unsigned bytes)
{
    return bytes == 1 ? 0 : bytes == 2 ? 1 : bytes == 4 ? 3 : 2;
}

/* Piece i serves the request (type, addr, len)? Type 1 ignores len: GDB's
 * "kind" of a hardware breakpoint is not a length (dr_stub_insert). An
 * unused entry (type 0) serves none: type is 1, 2 or 4 here. */
static int serves(const struct dr_share *s, unsigned i, unsigned type, uint64_t addr, uint64_t len)
{
    return s->piece_type[i] == type && s->req_addr[i] == addr && (type == DR_Z_HW || s->req_len[i] == len);
}

/* The request's pieces (bit i), 0 when it holds none. */
static unsigned request_pieces(const struct dr_share *s, unsigned type, uint64_t addr, uint64_t len)
{
    unsigned m = 0;
    for (unsigned i = 0; i < 4; i++)
        if (serves(s, i, type, addr, len))
            m |= 1u << i;
    return m;
}

/* The pieces in use (bit i). */
static unsigned used_pieces(const struct dr_share *s)
{
    unsigned m = 0;
    for (unsigned i = 0; i < 4; i++)
        if (s->piece_type[i])
            m |= 1u << i;
    return m;
}

/* The piece loaded in slot n, or -1: none, or the guest enables slot n,
 * which is then the guest's whatever piece_slot says (dr_compose). Two
 * pieces in one slot (never, after dr_rebalance): the first. */
static int piece_at(const struct dr_share *s, unsigned n)
{
    if (enabled(s->guest_dr7) >> n & 1)
        return -1;
    for (unsigned i = 0; i < 4; i++)
        if (s->piece_type[i] && s->piece_slot[i] == n)
            return (int)i;
    return -1;
}

/* The slots (bit n) loaded with a piece. */
static unsigned loaded_slots(const struct dr_share *s)
{
    unsigned m = 0;
    for (unsigned n = 0; n < 4; n++)
        if (piece_at(s, n) >= 0)
            m |= 1u << n;
    return m;
}

/* The R/W field of a Z type (17.2.4), or -1 when the debug registers
 * cannot do it: 0 is a software breakpoint, 3 a read-only watchpoint. */
static int rw_field(unsigned type)
{
    switch (type) {
    case DR_Z_HW:
        return 0;       /* 00B: instruction execution only */
    case DR_Z_WRITE:
        return 1;       /* 01B: data writes only */
    case DR_Z_ACCESS:
        return 3;       /* 11B: data reads or writes, not instruction fetches */
    default:
        return -1;
    }
}

void dr_rebalance(struct dr_share *s)
{
    /* First the pieces that stay: in a slot the guest leaves, the first
     * piece there. taken: the guest's slots and theirs. */
    unsigned taken = enabled(s->guest_dr7), homeless = 0;
    for (unsigned i = 0; i < 4; i++) {
        if (!s->piece_type[i])
            continue;
        unsigned bit = 1u << s->piece_slot[i];  /* DR_NO_SLOT: bit 4, never free */
        if (bit & ~taken & 0xF)
            taken |= bit;
        else
            homeless |= 1u << i;
    }
    /* Then the others, in entry order, each to the lowest free slot. */
    for (unsigned i = 0; i < 4; i++) {
        if (!(homeless >> i & 1))
            continue;
        unsigned free = ~taken & 0xF;
        s->piece_slot[i] = free ? (uint8_t)__builtin_ctz(free) : DR_NO_SLOT;
        taken |= 1u << s->piece_slot[i];
    }
}

void dr_guest_write(struct dr_share *s, unsigned dr, uint64_t val)
{
    if (dr < 4)
        s->guest_dr[dr] = val;
    else
        s->guest_dr7 = val;
    dr_rebalance(s);
}

int dr_stub_insert(struct dr_share *s, unsigned type, uint64_t addr, uint64_t len)
{
    int rw = rw_field(type);
    if (rw < 0)
        return DR_ERR_TYPE;
    /* An instruction breakpoint is one byte, LEN 00B, whatever GDB's kind
     * (17.2.4: other lengths are undefined with R/W 00B). */
    if (type == DR_Z_HW)
        len = 1;
    if (len == 0 || len > DR_WATCH_MAX)
        return DR_ERR_LEN;
    if (request_pieces(s, type, addr, len))
        return 0;

    /* The pieces, as GDB's x86_handle_nonaligned_watchpoint cuts them:
     * from the start, each the largest power of two that is at most the
     * bytes left and the longest LEN, and that divides its address (a slot
     * only watches an aligned field: 17.2.5). The sum wraps at 2^64 as
     * the address does; MOV DR does not check addresses (17.2.6). */
    unsigned longest = s->no_len8 ? 4 : 8, npieces = 0;
    uint64_t piece_addr[4];
    uint8_t piece_len[4];
    for (uint64_t a = addr, left = len; left;) {
        if (npieces == 4)
            return DR_ERR_FULL;
        unsigned bytes = longest;
        while (bytes > left || (a & (bytes - 1)))
            bytes >>= 1;
        piece_addr[npieces] = a;
        piece_len[npieces++] = (uint8_t)bytes;
        a += bytes;
        left -= bytes;
    }

    /* On a placed copy (all or nothing), the free slots: neither the
     * guest's nor a piece's, lowest first. While a piece is suspended
     * none is free; so when the pieces find free slots no piece is
     * suspended, every used entry holds a slot other than these, and
     * there are as many unused entries as free slots at least. */
    struct dr_share t = *s;
    dr_rebalance(&t);
    unsigned free = ~(enabled(t.guest_dr7) | loaded_slots(&t)) & 0xF, unused = ~used_pieces(&t) & 0xF;
    for (unsigned k = 0; k < npieces; k++) {
        if (!free)
            return DR_ERR_FULL;         /* s untouched */
        unsigned n = (unsigned)__builtin_ctz(free), i = (unsigned)__builtin_ctz(unused);
        free &= free - 1;
        unused &= unused - 1;
        t.piece_addr[i] = piece_addr[k];
        t.piece_rw[i] = (uint8_t)rw;
        t.piece_len[i] = len_field(piece_len[k]);
        t.piece_type[i] = (uint8_t)type;
        t.piece_slot[i] = (uint8_t)n;
        t.req_addr[i] = addr;
        t.req_len[i] = (uint8_t)len;
    }
    *s = t;
    return 0;
}

/* Piece i gone, its fields zeroed so that an insert and its remove leave
 * the struct as they found it. */
static void release(struct dr_share *s, unsigned i)
{
    s->piece_addr[i] = s->req_addr[i] = 0;
    s->req_len[i] = s->piece_rw[i] = s->piece_len[i] = s->piece_type[i] = s->piece_slot[i] = 0;
}

int dr_stub_remove(struct dr_share *s, unsigned type, uint64_t addr, uint64_t len)
{
    if (rw_field(type) < 0)
        return DR_ERR_TYPE;
    unsigned m = request_pieces(s, type, addr, len);
    if (!m)
        return DR_ERR_ABSENT;
    for (unsigned i = 0; i < 4; i++)
        if (m >> i & 1)
            release(s, i);
    dr_rebalance(s);    /* the slots freed: suspended pieces come back */
    return 0;
}

void dr_stub_clear(struct dr_share *s)
{
    for (unsigned i = 0; i < 4; i++)
        release(s, i);
}

void dr_share_take_stub(struct dr_share *to, const struct dr_share *from)
{
    for (unsigned i = 0; i < 4; i++) {
        to->piece_addr[i] = from->piece_addr[i];
        to->req_addr[i] = from->req_addr[i];
        to->req_len[i] = from->req_len[i];
        to->piece_rw[i] = from->piece_rw[i];
        to->piece_len[i] = from->piece_len[i];
        to->piece_type[i] = from->piece_type[i];
        to->piece_slot[i] = from->piece_slot[i];
    }
    to->no_len8 = from->no_len8;
    dr_rebalance(to);
}

void dr_compose(const struct dr_share *s, uint64_t dr[4], uint64_t *dr7)
{
    uint64_t v = s->guest_dr7 | DR7_RESERVED_ONE;
    for (unsigned n = 0; n < 4; n++) {
        int i = piece_at(s, n);
        if (i < 0) {
            dr[n] = s->guest_dr[n];
            continue;
        }
        dr[n] = s->piece_addr[i];
        v &= ~(DR7_LG(n) | 3ull << DR7_RW_SHIFT(n) | 3ull << DR7_LEN_SHIFT(n));
        v |= DR7_G(n) | (uint64_t)(s->piece_rw[i] & 3) << DR7_RW_SHIFT(n) |
             (uint64_t)(s->piece_len[i] & 3) << DR7_LEN_SHIFT(n);
    }
    *dr7 = v;
}

unsigned dr_stub_hit(const struct dr_share *s, uint64_t dr6, unsigned *type, uint64_t *addr)
{
    unsigned hits = 0;
    int best = -1;
    for (unsigned n = 0; n < 4; n++) {
        int i = piece_at(s, n);
        if (i < 0 || !(dr6 >> n & 1))
            continue;
        hits |= 1u << n;
        if (best < 0 || (s->piece_type[best] == DR_Z_HW && s->piece_type[i] != DR_Z_HW))
            best = i;
    }
    if (best >= 0) {
        *type = s->piece_type[best];
        *addr = s->req_addr[best];
    }
    return hits;
}

unsigned dr_guest_hits(const struct dr_share *s, uint64_t dr6)
{
    return (unsigned)(dr6 & DR6_B0_B3) & enabled(s->guest_dr7);
}

uint64_t dr_guest_dr6(const struct dr_share *s, uint64_t dr6)
{
    return dr6 & ~(uint64_t)loaded_slots(s);
}

unsigned dr_stub_suspended(const struct dr_share *s)
{
    unsigned loaded = 0;
    for (unsigned n = 0; n < 4; n++) {
        int i = piece_at(s, n);
        if (i >= 0)
            loaded |= 1u << i;
    }
    return used_pieces(s) & ~loaded;
}

unsigned dr_stub_slots(const struct dr_share *s)
{
    return loaded_slots(s);
}

unsigned dr_stub_held(const struct dr_share *s)
{
    return used_pieces(s);
}
