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

/* Slot n holds the request (type, addr, len)? Type 1 ignores len: GDB's
 * "kind" of a hardware breakpoint is not a length (dr_stub_insert). */
static int holds(const struct dr_share *s, unsigned n, unsigned type, uint64_t addr, uint64_t len)
{
    return (s->stub_slots >> n & 1) && s->stub_type[n] == type && s->req_addr[n] == addr &&
           (type == DR_Z_HW || s->req_len[n] == len);
}

/* The request's slots (bit n), 0 when it holds none. */
static unsigned request_slots(const struct dr_share *s, unsigned type, uint64_t addr, uint64_t len)
{
    unsigned m = 0;
    for (unsigned n = 0; n < 4; n++)
        if (holds(s, n, type, addr, len))
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
    if (request_slots(s, type, addr, len))
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

    /* The slots: those the guest leaves disabled first, then those it
     * enables (suspending its breakpoints there), lowest first in each. */
    unsigned free = ~(unsigned)s->stub_slots & 0xF, guest = enabled(s->guest_dr7), nslots = 0;
    unsigned slot[4];
    for (unsigned pass = 0; pass < 2; pass++)
        for (unsigned n = 0; n < 4; n++)
            if ((free >> n & 1) && (guest >> n & 1) == pass)
                slot[nslots++] = n;
    if (npieces > nslots)
        return DR_ERR_FULL;
    for (unsigned i = 0; i < npieces; i++) {
        unsigned n = slot[i];
        s->stub_addr[n] = piece_addr[i];
        s->stub_rw[n] = (uint8_t)rw;
        s->stub_len[n] = len_field(piece_len[i]);
        s->stub_type[n] = (uint8_t)type;
        s->req_addr[n] = addr;
        s->req_len[n] = (uint8_t)len;
        s->stub_slots |= (uint8_t)(1u << n);
    }
    return 0;
}

/* Slot n back to the guest, its stub fields zeroed so that an insert
 * and its remove leave the struct as they found it. */
static void release(struct dr_share *s, unsigned n)
{
    s->stub_slots &= (uint8_t)~(1u << n);
    s->stub_addr[n] = s->req_addr[n] = 0;
    s->req_len[n] = s->stub_rw[n] = s->stub_len[n] = s->stub_type[n] = 0;
}

int dr_stub_remove(struct dr_share *s, unsigned type, uint64_t addr, uint64_t len)
{
    if (rw_field(type) < 0)
        return DR_ERR_TYPE;
    unsigned m = request_slots(s, type, addr, len);
    if (!m)
        return DR_ERR_ABSENT;
    for (unsigned n = 0; n < 4; n++)
        if (m >> n & 1)
            release(s, n);
    return 0;
}

void dr_stub_clear(struct dr_share *s)
{
    for (unsigned n = 0; n < 4; n++)
        release(s, n);
}

void dr_share_take_stub(struct dr_share *to, const struct dr_share *from)
{
    for (unsigned n = 0; n < 4; n++) {
        to->stub_addr[n] = from->stub_addr[n];
        to->req_addr[n] = from->req_addr[n];
        to->req_len[n] = from->req_len[n];
        to->stub_rw[n] = from->stub_rw[n];
        to->stub_len[n] = from->stub_len[n];
        to->stub_type[n] = from->stub_type[n];
    }
    to->stub_slots = from->stub_slots;
    to->no_len8 = from->no_len8;
}

void dr_compose(const struct dr_share *s, uint64_t dr[4], uint64_t *dr7)
{
    uint64_t v = s->guest_dr7 | DR7_RESERVED_ONE;
    for (unsigned n = 0; n < 4; n++) {
        if (!(s->stub_slots >> n & 1)) {
            dr[n] = s->guest_dr[n];
            continue;
        }
        dr[n] = s->stub_addr[n];
        v &= ~(DR7_LG(n) | 3ull << DR7_RW_SHIFT(n) | 3ull << DR7_LEN_SHIFT(n));
        v |= DR7_G(n) | (uint64_t)(s->stub_rw[n] & 3) << DR7_RW_SHIFT(n) |
             (uint64_t)(s->stub_len[n] & 3) << DR7_LEN_SHIFT(n);
    }
    *dr7 = v;
}

unsigned dr_stub_hit(const struct dr_share *s, uint64_t dr6, unsigned *type, uint64_t *addr)
{
    unsigned hits = (unsigned)(dr6 & DR6_B0_B3) & s->stub_slots;
    int best = -1;
    for (unsigned n = 0; n < 4; n++)
        if ((hits >> n & 1) && (best < 0 || (s->stub_type[best] == DR_Z_HW && s->stub_type[n] != DR_Z_HW)))
            best = (int)n;
    if (best >= 0) {
        *type = s->stub_type[best];
        *addr = s->req_addr[best];
    }
    return hits;
}

unsigned dr_guest_hits(const struct dr_share *s, uint64_t dr6)
{
    return (unsigned)(dr6 & DR6_B0_B3) & enabled(s->guest_dr7) & ~(unsigned)s->stub_slots;
}

uint64_t dr_guest_dr6(const struct dr_share *s, uint64_t dr6)
{
    return dr6 & ~((uint64_t)s->stub_slots & DR6_B0_B3);
}

unsigned dr_suspended(const struct dr_share *s)
{
    return enabled(s->guest_dr7) & s->stub_slots;
}

unsigned dr_stub_slots(const struct dr_share *s)
{
    return s->stub_slots;
}
