// covers: kernel/dbg.c
/*
 * fuzz_dbg_share.c - the breakpoint slots shared between the guest and
 * the GDB stub (kernel/dbg.c) under arbitrary sequences of Z/z requests,
 * guest writes to DR0-DR3 and DR7, #DB DR6 values and detaches. The input
 * is a list of operations, each an opcode byte and its arguments; a model
 * beside the struct keeps the requests held and which slots each took.
 *
 * Checks: the stub never holds more than the 4 slots, and dr_stub_count
 * says how many; every held request's slots carry its type and address
 * and their pieces cover exactly its range, each naturally aligned and
 * the largest that fits (GDB's split); an insert takes the slots a
 * reference choice takes (guest-disabled ones first, lowest first) or
 * fails with no change, and a repeated one changes nothing; a remove
 * drops exactly its request's slots, and an insert then its remove leaves
 * the struct as it was; dr_compose loads the guest's address and DR7
 * fields in every slot the stub does not hold, the stub's (G set, L clear)
 * in the others, keeps every other guest DR7 bit, sets bit 10, and so
 * never enables a slot neither side enables; dr_suspended is the guest's
 * enabled slots the stub holds; DR6 splits with the stub's B bits reported
 * (a watchpoint before a breakpoint, with its request's address), only
 * those hidden from the guest, and the guest's hits only those of its
 * enabled slots the stub does not hold; dr_share_take_stub copies the
 * stub's half and keeps the guest's.
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

/* A request held, as the model keeps it. */
struct req {
    unsigned type;
    uint64_t addr, len;
    unsigned slots, longest;
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

static void check(const struct dr_share *s)
{
    if (s->stub_slots & ~0xFu || dr_stub_slots(s) != s->stub_slots)
        __builtin_trap();
    unsigned all = 0;
    for (unsigned i = 0; i < nmodel; i++) {
        const struct req *r = &model[i];
        if (all & r->slots || !r->slots)
            __builtin_trap();
        all |= r->slots;
        unsigned rw = r->type == DR_Z_HW ? 0 : r->type == DR_Z_WRITE ? 1 : 3;
        for (unsigned n = 0; n < 4; n++)
            if ((r->slots >> n & 1) && (s->stub_type[n] != r->type || s->req_addr[n] != r->addr ||
                                       s->req_len[n] != r->len || s->stub_rw[n] != rw))
                __builtin_trap();
        /* The pieces, in address order, cover [addr, addr + len) greedily. */
        uint64_t a = r->addr, left = r->len;
        for (unsigned k = 0; k < popcount(r->slots); k++) {
            unsigned n = 4;
            for (unsigned m = 0; m < 4; m++)
                if ((r->slots >> m & 1) && s->stub_addr[m] == a)
                    n = m;
            if (n == 4)
                __builtin_trap();
            unsigned b = bytes_of(s->stub_len[n]);
            if (b != greedy(a, left, r->longest) || (a & (b - 1)))
                __builtin_trap();
            a += b;
            left -= b;
        }
        if (left)
            __builtin_trap();
    }
    if (all != s->stub_slots)
        __builtin_trap();
    for (unsigned n = 0; n < 4; n++)
        if (!(all >> n & 1) && (s->stub_addr[n] || s->req_addr[n] || s->req_len[n] || s->stub_rw[n] ||
                                s->stub_len[n] || s->stub_type[n]))
            __builtin_trap();

    uint64_t dr[4], dr7, keep = 0;
    dr_compose(s, dr, &dr7);
    for (unsigned n = 0; n < 4; n++) {
        keep |= SLOT_FIELDS(n);
        if (s->stub_slots >> n & 1) {
            uint64_t want = 2ull << (2 * n) | (uint64_t)s->stub_rw[n] << (16 + 4 * n) |
                            (uint64_t)s->stub_len[n] << (18 + 4 * n);
            if (dr[n] != s->stub_addr[n] || (dr7 & SLOT_FIELDS(n)) != want)
                __builtin_trap();
        } else if (dr[n] != s->guest_dr[n] || (dr7 & SLOT_FIELDS(n)) != (s->guest_dr7 & SLOT_FIELDS(n))) {
            __builtin_trap();
        }
    }
    if ((dr7 & ~keep) != ((s->guest_dr7 | 0x400) & ~keep))
        __builtin_trap();
    if (enabled(dr7) & ~(s->stub_slots | enabled(s->guest_dr7)))
        __builtin_trap();
    if (dr_suspended(s) != (enabled(s->guest_dr7) & s->stub_slots))
        __builtin_trap();
}

/* Insert (type, addr, len) and check the outcome against the model;
 * returns the slots it took (0: none, failed or repeated). */
static unsigned insert(struct dr_share *s, unsigned type, uint64_t addr, uint64_t len)
{
    struct dr_share before;
    memcpy(&before, s, sizeof(before));
    int rc = dr_stub_insert(s, type, addr, len);
    uint64_t l = type == DR_Z_HW ? 1 : len;
    unsigned longest = s->no_len8 ? 4 : 8;
    int expect;
    unsigned want = 0;
    if (type != DR_Z_HW && type != DR_Z_WRITE && type != DR_Z_ACCESS)
        expect = DR_ERR_TYPE;
    else if (l == 0 || l > DR_WATCH_MAX)
        expect = DR_ERR_LEN;
    else if (find(type, addr, l) >= 0)
        expect = 0;
    else {
        unsigned k = pieces_needed(addr, l, longest), free = ~(unsigned)before.stub_slots & 0xF;
        unsigned guest = enabled(before.guest_dr7);
        for (unsigned pass = 0; pass < 2; pass++)
            for (unsigned n = 0; n < 4; n++)
                if ((free >> n & 1) && (guest >> n & 1) == pass && popcount(want) < k)
                    want |= 1u << n;
        expect = popcount(want) == k ? 0 : DR_ERR_FULL;
        if (expect)
            want = 0;
    }
    if (rc != expect)
        __builtin_trap();
    if (!want) {
        if (memcmp(s, &before, sizeof(before)))
            __builtin_trap();
        return 0;
    }
    if (s->stub_slots != (before.stub_slots | want))
        __builtin_trap();
    model[nmodel++] = (struct req){ type, addr, l, want, longest };
    return want;
}

static void remove_req(struct dr_share *s, unsigned type, uint64_t addr, uint64_t len)
{
    struct dr_share before;
    memcpy(&before, s, sizeof(before));
    int rc = dr_stub_remove(s, type, addr, len);
    int i = find(type, addr, len);
    if (type != DR_Z_HW && type != DR_Z_WRITE && type != DR_Z_ACCESS) {
        if (rc != DR_ERR_TYPE || memcmp(s, &before, sizeof(before)))
            __builtin_trap();
        return;
    }
    if (i < 0) {
        if (rc != DR_ERR_ABSENT || memcmp(s, &before, sizeof(before)))
            __builtin_trap();
        return;
    }
    if (rc != 0 || s->stub_slots != (before.stub_slots & ~model[i].slots))
        __builtin_trap();
    model[i] = model[--nmodel];
}

static void report(const struct dr_share *s, uint64_t dr6)
{
    unsigned type = 99;
    uint64_t addr = 99;
    unsigned hits = dr_stub_hit(s, dr6, &type, &addr);
    if (hits != ((unsigned)dr6 & 0xF & s->stub_slots))
        __builtin_trap();
    if (!hits && (type != 99 || addr != 99))
        __builtin_trap();
    if (hits) {
        /* The lowest hit slot of the reported kind carries the request. */
        unsigned n = 4, watch = 0;
        for (unsigned m = 0; m < 4; m++)
            if (hits >> m & 1 && s->stub_type[m] != DR_Z_HW)
                watch = 1;
        for (unsigned m = 4; m-- > 0;)
            if ((hits >> m & 1) && (s->stub_type[m] != DR_Z_HW) == watch)
                n = m;
        if (n == 4 || type != s->stub_type[n] || addr != s->req_addr[n])
            __builtin_trap();
    }
    if (dr_guest_hits(s, dr6) != ((unsigned)dr6 & 0xF & enabled(s->guest_dr7) & ~(unsigned)s->stub_slots))
        __builtin_trap();
    if (dr_guest_dr6(s, dr6) != (dr6 & ~(uint64_t)s->stub_slots))
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
        switch (op & 7) {
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
            s.guest_dr7 = addr;
            break;
        case 4:
            s.guest_dr[type & 3] = addr;
            break;
        case 5:
            report(&s, addr);
            break;
        case 6: {
            /* A vCPU taking the stub's half keeps its own guest half. */
            struct dr_share v;
            memset(&v, 0, sizeof(v));
            v.guest_dr[type & 3] = addr;
            v.guest_dr7 = addr >> 3;
            dr_share_take_stub(&v, &s);
            if (memcmp(v.stub_addr, s.stub_addr, sizeof(s.stub_addr)) ||
                memcmp(v.req_addr, s.req_addr, sizeof(s.req_addr)) || v.stub_slots != s.stub_slots ||
                memcmp(v.req_len, s.req_len, 4) || memcmp(v.stub_rw, s.stub_rw, 4) ||
                memcmp(v.stub_len, s.stub_len, 4) || memcmp(v.stub_type, s.stub_type, 4) ||
                v.no_len8 != s.no_len8 || v.guest_dr[type & 3] != addr ||
                v.guest_dr7 != addr >> 3)
                __builtin_trap();
            s.no_len8 = !s.no_len8;
            break;
        }
        default:
            dr_stub_clear(&s);
            nmodel = 0;
            if (s.stub_slots)
                __builtin_trap();
            break;
        }
        check(&s);
    }
    return 0;
}
