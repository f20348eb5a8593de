// covers: kernel/dbg.c
/*
 * fuzz_dbg_share.c - the breakpoint slots shared between the guest and
 * the GDB stub (kernel/dbg.c) under arbitrary sequences of Z/z requests,
 * guest writes to DR0-DR3 and DR7 (through dr_guest_write, or stored
 * directly and placed with dr_rebalance), #DB DR6 values, vCPUs taking
 * the stub's half and detaches. The input is a list of operations, each
 * an opcode byte and its arguments; a model beside the struct keeps the
 * requests held and which piece entries each has.
 *
 * Checks, after every operation: at most four pieces, every held
 * request's pieces carry its type and address and cover exactly its
 * range, each naturally aligned and the largest that fits (GDB's split);
 * unused entries are all zero; the placement rules (the guest wins, the
 * stub moves): no piece in a slot the guest's DR7 enables, no two pieces
 * in one slot, no piece suspended while a slot is free (so a suspended
 * piece comes back as soon as one frees), and every piece's slot what a
 * reference placement gives (pieces in slots the guest leaves stay, the
 * others take the lowest free slot in entry order); dr_compose loads the
 * guest's address and DR7 fields in every guest-enabled slot and every
 * slot without a piece, the piece's (G set, L clear) in the others, keeps
 * every other guest DR7 bit, sets bit 10, and never enables a slot
 * neither side enables; dr_stub_slots, dr_stub_held and dr_stub_suspended
 * agree with the placement. An insert succeeds iff its pieces find free
 * slots, taking the lowest unused entries and the lowest free slots and
 * moving no other piece, or fails with no change; a repeated one changes
 * nothing; a remove drops exactly its request's pieces, wherever they
 * are, and places the others as the reference does; an insert then its
 * remove leaves the struct as it was (the guest's exact view). DR6
 * splits with the stub's B bits (those of slots holding a piece; a
 * watchpoint before a breakpoint, with its request's address) hidden
 * from the guest, and the guest's hits those of its enabled slots.
 * dr_share_take_stub copies the stub's half, keeps the guest's and
 * places the pieces around it. With the guest's DR7 stored directly (not
 * yet placed), dr_compose still gives every guest-enabled slot to the
 * guest.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "../../kernel/dbg.h"

#define SLOT_FIELDS(n) (3ull << (2 * (n)) | 0xFull << (16 + 4 * (n)))

struct in {
    const uint8_t *p;
    size_t n;
};

static uint8_t u8(struct in *in)
{
    if (!in->n)
        return 0;
    in->n--;
    return *in->p++;
}

static uint64_t u64(struct in *in)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < 8; i++)
        v |= (uint64_t)u8(in) << (8 * i);
    return v;
}

/* A request held, as the model keeps it: its piece entries. */
struct req {
    unsigned type;
    uint64_t addr, len;
    unsigned pieces, longest;
};
static struct req model[4];
static unsigned nmodel;

static unsigned enabled(uint64_t dr7)
{
    unsigned m = 0;
    for (unsigned n = 0; n < 4; n++)
        if ((dr7 >> (2 * n)) & 3)
            m |= 1u << n;
    return m;
}

static unsigned popcount(unsigned m)
{
    unsigned c = 0;
    for (; m; m &= m - 1)
        c++;
    return c;
}

static unsigned lowest(unsigned m)
{
    unsigned n = 0;
    while (!(m >> n & 1))
        n++;
    return n;
}

static int find(unsigned type, uint64_t addr, uint64_t len)
{
    for (unsigned i = 0; i < nmodel; i++)
        if (model[i].type == type && model[i].addr == addr && (type == DR_Z_HW || model[i].len == len))
            return (int)i;
    return -1;
}

static unsigned bytes_of(unsigned len_field)
{
    static const unsigned b[4] = { 1, 2, 8, 4 };
    return b[len_field & 3];
}

/* The greedy piece at a with left bytes to go (GDB's size_try_array). */
static unsigned greedy(uint64_t a, uint64_t left, unsigned longest)
{
    unsigned b = longest;
    while (b > left || (a & (b - 1)))
        b >>= 1;
    return b;
}

static unsigned pieces_needed(uint64_t addr, uint64_t len, unsigned longest)
{
    unsigned k = 0;
    for (uint64_t a = addr, left = len; left && k < 5; k++) {
        unsigned b = greedy(a, left, longest);
        a += b;
        left -= b;
    }
    return k;
}

static unsigned used(const struct dr_share *s)
{
    unsigned m = 0;
    for (unsigned i = 0; i < 4; i++)
        if (s->piece_type[i])
            m |= 1u << i;
    return m;
}

/* at[n]: the entry loaded in slot n, or -1: none, or the guest enables
 * it (then it is the guest's, placed or not), the first entry if two
 * claim it. */
static void loaded_at(const struct dr_share *s, int at[4])
{
    unsigned guest = enabled(s->guest_dr7);
    for (unsigned n = 0; n < 4; n++) {
        at[n] = -1;
        for (unsigned i = 4; i-- > 0;)
            if (s->piece_type[i] && s->piece_slot[i] == n && !(guest >> n & 1))
                at[n] = (int)i;
    }
}

static unsigned loaded_slots(const struct dr_share *s)
{
    int at[4];
    unsigned m = 0;
    loaded_at(s, at);
    for (unsigned n = 0; n < 4; n++)
        if (at[n] >= 0)
            m |= 1u << n;
    return m;
}

/* The reference placement of s's pieces around its guest DR7: a piece
 * keeps a slot the guest leaves and no lower entry keeps; the rest, in
 * entry order, take the lowest free slot or none. */
static void ref_place(const struct dr_share *s, uint8_t out[4])
{
    unsigned guest = enabled(s->guest_dr7), kept = 0;
    for (unsigned i = 0; i < 4; i++) {
        out[i] = s->piece_slot[i];
        if (!s->piece_type[i])
            continue;
        unsigned n = s->piece_slot[i];
        if (n < 4 && !(guest >> n & 1) && !(kept >> n & 1))
            kept |= 1u << n;
        else
            out[i] = 0xFF;      /* to place */
    }
    for (unsigned i = 0; i < 4; i++) {
        if (out[i] != 0xFF)
            continue;
        unsigned free = ~(guest | kept) & 0xF;
        out[i] = free ? (uint8_t)lowest(free) : DR_NO_SLOT;
        if (free)
            kept |= 1u << out[i];
    }
}

/* dr_compose against the slot map, placed or not. */
static void check_compose(const struct dr_share *s)
{
    int at[4];
    loaded_at(s, at);
    uint64_t dr[4], dr7, keep = 0;
    unsigned guest = enabled(s->guest_dr7), stub = 0;
    dr_compose(s, dr, &dr7);
    for (unsigned n = 0; n < 4; n++) {
        keep |= SLOT_FIELDS(n);
        if (at[n] >= 0) {
            unsigned i = (unsigned)at[n];
            uint64_t want = 2ull << (2 * n) | (uint64_t)s->piece_rw[i] << (16 + 4 * n) |
                            (uint64_t)s->piece_len[i] << (18 + 4 * n);
            if ((guest >> n & 1) || dr[n] != s->piece_addr[i] || (dr7 & SLOT_FIELDS(n)) != want)
                __builtin_trap();
            stub |= 1u << n;
        } else if (dr[n] != s->guest_dr[n] || (dr7 & SLOT_FIELDS(n)) != (s->guest_dr7 & SLOT_FIELDS(n))) {
            __builtin_trap();
        }
    }
    if ((dr7 & ~keep) != ((s->guest_dr7 | 0x400) & ~keep))
        __builtin_trap();
    if (enabled(dr7) & ~(stub | guest) || dr_stub_slots(s) != stub || dr_stub_held(s) != used(s))
        __builtin_trap();
    unsigned loaded = 0;
    for (unsigned n = 0; n < 4; n++)
        if (at[n] >= 0)
            loaded |= 1u << at[n];
    if (dr_stub_suspended(s) != (used(s) & ~loaded))
        __builtin_trap();
}

/* Everything, on a placed struct. */
static void check(const struct dr_share *s)
{
    unsigned all = 0;
    for (unsigned r = 0; r < nmodel; r++) {
        const struct req *q = &model[r];
        if (all & q->pieces || !q->pieces)
            __builtin_trap();
        all |= q->pieces;
        unsigned rw = q->type == DR_Z_HW ? 0 : q->type == DR_Z_WRITE ? 1 : 3;
        for (unsigned i = 0; i < 4; i++)
            if ((q->pieces >> i & 1) && (s->piece_type[i] != q->type || s->req_addr[i] != q->addr ||
                                        s->req_len[i] != q->len || s->piece_rw[i] != rw))
                __builtin_trap();
        /* The pieces, in address order, cover [addr, addr + len) greedily. */
        uint64_t a = q->addr, left = q->len;
        for (unsigned k = 0; k < popcount(q->pieces); k++) {
            unsigned i = 4;
            for (unsigned m = 0; m < 4; m++)
                if ((q->pieces >> m & 1) && s->piece_addr[m] == a)
                    i = m;
            if (i == 4)
                __builtin_trap();
            unsigned b = bytes_of(s->piece_len[i]);
            if (b != greedy(a, left, q->longest) || (a & (b - 1)))
                __builtin_trap();
            a += b;
            left -= b;
        }
        if (left)
            __builtin_trap();
    }
    if (all != used(s))
        __builtin_trap();
    for (unsigned i = 0; i < 4; i++)
        if (!(all >> i & 1) && (s->piece_addr[i] || s->req_addr[i] || s->req_len[i] || s->piece_rw[i] ||
                                s->piece_len[i] || s->piece_type[i] || s->piece_slot[i]))
            __builtin_trap();

    /* Placed: no piece in a guest slot, none shared, none suspended
     * while a slot is free; and as the reference places them. */
    unsigned guest = enabled(s->guest_dr7), taken = 0, suspended = 0;
    for (unsigned i = 0; i < 4; i++) {
        if (!(all >> i & 1))
            continue;
        unsigned n = s->piece_slot[i];
        if (n == DR_NO_SLOT) {
            suspended |= 1u << i;
            continue;
        }
        if (n > 3 || ((guest | taken) >> n & 1))
            __builtin_trap();
        taken |= 1u << n;
    }
    if (suspended && (guest | taken) != 0xF)
        __builtin_trap();
    uint8_t want[4];
    ref_place(s, want);
    if (memcmp(want, s->piece_slot, 4) || dr_stub_slots(s) != taken || dr_stub_suspended(s) != suspended)
        __builtin_trap();
    check_compose(s);
}

/* The stub's half of a and b the same but for the slots? */
static int same_pieces(const struct dr_share *a, const struct dr_share *b)
{
    return !memcmp(a->piece_addr, b->piece_addr, sizeof(a->piece_addr)) &&
           !memcmp(a->req_addr, b->req_addr, sizeof(a->req_addr)) && !memcmp(a->req_len, b->req_len, 4) &&
           !memcmp(a->piece_rw, b->piece_rw, 4) && !memcmp(a->piece_len, b->piece_len, 4) &&
           !memcmp(a->piece_type, b->piece_type, 4) && a->no_len8 == b->no_len8;
}

/* Insert (type, addr, len) and check the outcome against the model;
 * returns the entries it took (0: none, failed or repeated). */
static unsigned insert(struct dr_share *s, unsigned type, uint64_t addr, uint64_t len)
{
    struct dr_share before;
    memcpy(&before, s, sizeof(before));
    int rc = dr_stub_insert(s, type, addr, len);
    uint64_t l = type == DR_Z_HW ? 1 : len;
    unsigned longest = s->no_len8 ? 4 : 8, k = 0;
    int expect;
    unsigned free = ~(enabled(before.guest_dr7) | loaded_slots(&before)) & 0xF;
    if (type != DR_Z_HW && type != DR_Z_WRITE && type != DR_Z_ACCESS)
        expect = DR_ERR_TYPE;
    else if (l == 0 || l > DR_WATCH_MAX)
        expect = DR_ERR_LEN;
    else if (find(type, addr, l) >= 0)
        expect = 0;
    else {
        k = pieces_needed(addr, l, longest);
        expect = k <= popcount(free) ? 0 : DR_ERR_FULL;
        if (expect)
            k = 0;
    }
    if (rc != expect)
        __builtin_trap();
    if (!k) {
        if (memcmp(s, &before, sizeof(before)))
            __builtin_trap();
        return 0;
    }
    /* The lowest unused entries, the lowest free slots, in address
     * order; every other entry as it was. */
    unsigned unused = ~used(&before) & 0xF, took = 0;
    uint64_t a = addr;
    for (unsigned j = 0; j < k; j++) {
        unsigned i = lowest(unused), n = lowest(free);
        unused &= unused - 1;
        free &= free - 1;
        if (s->piece_slot[i] != n || s->piece_addr[i] != a)
            __builtin_trap();
        a += bytes_of(s->piece_len[i]);
        took |= 1u << i;
    }
    for (unsigned i = 0; i < 4; i++)
        if (!(took >> i & 1) && (s->piece_type[i] != before.piece_type[i] ||
                                 s->piece_slot[i] != before.piece_slot[i] ||
                                 s->piece_addr[i] != before.piece_addr[i]))
            __builtin_trap();
    model[nmodel++] = (struct req){ type, addr, l, took, longest };
    return took;
}

static void remove_req(struct dr_share *s, unsigned type, uint64_t addr, uint64_t len)
{
    struct dr_share before;
    memcpy(&before, s, sizeof(before));
    int rc = dr_stub_remove(s, type, addr, len);
    int r = find(type, addr, len);
    if (type != DR_Z_HW && type != DR_Z_WRITE && type != DR_Z_ACCESS) {
        if (rc != DR_ERR_TYPE || memcmp(s, &before, sizeof(before)))
            __builtin_trap();
        return;
    }
    if (r < 0) {
        if (rc != DR_ERR_ABSENT || memcmp(s, &before, sizeof(before)))
            __builtin_trap();
        return;
    }
    /* Its pieces gone, loaded or suspended; the others placed as the
     * reference places them once those slots are free. */
    struct dr_share want;
    memcpy(&want, &before, sizeof(want));
    for (unsigned i = 0; i < 4; i++)
        if (model[r].pieces >> i & 1) {
            want.piece_addr[i] = want.req_addr[i] = 0;
            want.req_len[i] = want.piece_rw[i] = want.piece_len[i] = want.piece_type[i] = 0;
            want.piece_slot[i] = 0;
        }
    ref_place(&want, want.piece_slot);
    if (rc != 0 || memcmp(s, &want, sizeof(want)))
        __builtin_trap();
    model[r] = model[--nmodel];
}

/* A guest write: only that register and the slots move, as the reference places them. */
static void guest_write(struct dr_share *s, unsigned dr, uint64_t val)
{
    struct dr_share want;
    memcpy(&want, s, sizeof(want));
    if (dr < 4)
        want.guest_dr[dr] = val;
    else
        want.guest_dr7 = val;
    ref_place(&want, want.piece_slot);
    dr_guest_write(s, dr, val);
    if (memcmp(s, &want, sizeof(want)))
        __builtin_trap();
}

static void report(const struct dr_share *s, uint64_t dr6)
{
    unsigned type = 99;
    uint64_t addr = 99;
    int at[4];
    loaded_at(s, at);
    unsigned hits = dr_stub_hit(s, dr6, &type, &addr), stub = loaded_slots(s);
    if (hits != ((unsigned)dr6 & 0xF & stub))
        __builtin_trap();
    if (!hits && (type != 99 || addr != 99))
        __builtin_trap();
    if (hits) {
        /* The lowest hit slot of the reported kind carries the request. */
        unsigned n = 4, watch = 0;
        for (unsigned m = 0; m < 4; m++)
            if (hits >> m & 1 && s->piece_type[at[m]] != DR_Z_HW)
                watch = 1;
        for (unsigned m = 4; m-- > 0;)
            if ((hits >> m & 1) && (s->piece_type[at[m]] != DR_Z_HW) == watch)
                n = m;
        if (n == 4 || type != s->piece_type[at[n]] || addr != s->req_addr[at[n]])
            __builtin_trap();
    }
    if (dr_guest_hits(s, dr6) != ((unsigned)dr6 & 0xF & enabled(s->guest_dr7)))
        __builtin_trap();
    if (dr_guest_dr6(s, dr6) != (dr6 & ~(uint64_t)stub))
        __builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct in in = { data, size };
    struct dr_share s;
    memset(&s, 0, sizeof(s));
    nmodel = 0;
    while (in.n) {
        uint8_t op = u8(&in);
        unsigned type = u8(&in) & 7;
        uint8_t a = u8(&in);
        uint64_t addr = a & 0x80 ? u64(&in) : 0x1000 + (a & 0x7F);
        uint64_t len = u8(&in) & 0x3F;
        /* A DR7 from the argument: small ones name the enabled slots. */
        uint64_t dr7 = a & 0x80 ? addr : (a & 0x7F) | len << 16;
        switch (op % 9) {
        case 0:
            insert(&s, type, addr, len);
            break;
        case 1:
            remove_req(&s, type, addr, len);
            break;
        case 2: {
            /* An insert and its remove leave everything as it was. */
            struct dr_share before;
            memcpy(&before, &s, sizeof(before));
            if (insert(&s, type, addr, len)) {
                remove_req(&s, type, addr, len);
                if (memcmp(&s, &before, sizeof(before)))
                    __builtin_trap();
            }
            break;
        }
        case 3:
            guest_write(&s, 7, dr7);
            break;
        case 4:
            guest_write(&s, type & 3, addr);
            break;
        case 5:
            report(&s, addr);
            break;
        case 6: {
            /* A vCPU taking the stub's half keeps its own guest half and
             * places the pieces around it. */
            struct dr_share v, want;
            memset(&v, 0, sizeof(v));
            v.guest_dr[type & 3] = addr;
            v.guest_dr7 = dr7 >> (len & 3);
            if (len & 4)
                memcpy(v.piece_slot, "\1\1\4\2", 4);    /* leftovers the copy overwrites */
            memcpy(&want, &s, sizeof(want));
            memcpy(want.guest_dr, v.guest_dr, sizeof(want.guest_dr));
            want.guest_dr7 = v.guest_dr7;
            ref_place(&want, want.piece_slot);
            dr_share_take_stub(&v, &s);
            if (!same_pieces(&v, &s) || memcmp(v.piece_slot, want.piece_slot, 4) ||
                v.guest_dr[type & 3] != addr || v.guest_dr7 != want.guest_dr7)
                __builtin_trap();
            check(&v);
            report(&v, addr ^ dr7);
            s.no_len8 = !s.no_len8;
            break;
        }
        case 7: {
            /* DR7 stored directly: the guest's slots are its own before
             * any placement; dr_rebalance then places as the reference. */
            s.guest_dr7 = dr7;
            check_compose(&s);
            report(&s, addr ^ len);
            struct dr_share want;
            memcpy(&want, &s, sizeof(want));
            ref_place(&want, want.piece_slot);
            dr_rebalance(&s);
            if (memcmp(&s, &want, sizeof(want)))
                __builtin_trap();
            break;
        }
        default:
            dr_stub_clear(&s);
            nmodel = 0;
            if (dr_stub_held(&s))
                __builtin_trap();
            break;
        }
        check(&s);
    }
    return 0;
}
