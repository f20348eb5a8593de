/*
 * gdb_rsp.c - the GDB remote serial protocol's wire; see gdb_rsp.h.
 */
#include "gdb_rsp.h"

#include "kstring.h"

enum { RX_IDLE, RX_DATA, RX_CHECK1, RX_CHECK2 };

void gdb_rx_init(struct gdb_rx *rx)
{
    rx->state = RX_IDLE;
    rx->len = 0;
    rx->buf[0] = 0;
}

static int hex_value(uint8_t c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

enum gdb_rx_event gdb_rx_feed(struct gdb_rx *rx, uint8_t byte)
{
    switch (rx->state) {
    case RX_IDLE:
        if (byte == '$') {
            rx->state = RX_DATA;
            rx->sum = 0;
            rx->len = 0;
            rx->escaped = rx->overflow = false;
            return GDB_RX_NONE;
        }
        return byte == '+' ? GDB_RX_ACK : byte == '-' ? GDB_RX_NAK : byte == 0x03 ? GDB_RX_INTERRUPT
                                                                                  : GDB_RX_NONE;
    case RX_DATA:
        if (byte == '#' && !rx->escaped) {
            rx->state = RX_CHECK1;
            return GDB_RX_NONE;
        }
        if (byte == '$' && !rx->escaped) {      /* a new packet: the broken one is dropped */
            rx->sum = 0;
            rx->len = 0;
            rx->overflow = false;
            return GDB_RX_NONE;
        }
        rx->sum = (uint8_t)(rx->sum + byte);
        if (byte == '}' && !rx->escaped) {
            rx->escaped = true;
            return GDB_RX_NONE;
        }
        if (rx->escaped)
            byte ^= 0x20;
        rx->escaped = false;
        if (rx->len == GDB_PACKET_MAX)
            rx->overflow = true;
        else
            rx->buf[rx->len++] = byte;
        return GDB_RX_NONE;
    case RX_CHECK1: {
        int v = hex_value(byte);
        if (v < 0) {
            rx->state = RX_IDLE;
            return GDB_RX_BAD_CHECKSUM;
        }
        rx->check = (uint8_t)v;
        rx->state = RX_CHECK2;
        return GDB_RX_NONE;
    }
    default: {
        int v = hex_value(byte);
        rx->state = RX_IDLE;
        rx->buf[rx->len] = 0;
        if (v < 0 || (uint8_t)(rx->check << 4 | v) != rx->sum)
            return GDB_RX_BAD_CHECKSUM;
        return rx->overflow ? GDB_RX_TOO_LONG : GDB_RX_PACKET;
    }
    }
}

uint8_t gdb_checksum(const uint8_t *p, size_t n)
{
    uint8_t sum = 0;
    for (size_t i = 0; i < n; i++)
        sum = (uint8_t)(sum + p[i]);
    return sum;
}

size_t gdb_hex(char *out, const void *data, size_t n)
{
    static const char digits[] = "0123456789abcdef";
    const uint8_t *p = data;
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[p[i] >> 4];
        out[2 * i + 1] = digits[p[i] & 15];
    }
    return 2 * n;
}

size_t gdb_frame(char *out, size_t cap, const uint8_t *payload, size_t len)
{
    size_t o = 0;
    uint8_t sum = 0;
    if (cap < 4)
        return 0;
    out[o++] = '$';
    for (size_t i = 0; i < len; i++) {
        uint8_t c = payload[i];
        bool esc = c == '$' || c == '#' || c == '}' || c == '*';
        if (o + (esc ? 2 : 1) + 3 > cap)
            return 0;
        if (esc) {
            out[o++] = '}';
            sum = (uint8_t)(sum + '}');
            c ^= 0x20;
        }
        out[o++] = (char)c;
        sum = (uint8_t)(sum + c);
    }
    out[o++] = '#';
    gdb_hex(out + o, &sum, 1);
    return o + 2;
}

/* ---- parsing ---------------------------------------------------------------- */

struct cursor {
    const uint8_t *p, *end;
};

static bool at_end(const struct cursor *c)
{
    return c->p == c->end;
}

static bool take(struct cursor *c, char ch)
{
    if (at_end(c) || *c->p != (uint8_t)ch)
        return false;
    c->p++;
    return true;
}

/* A hexadecimal number of 1 to 16 digits. */
static bool number(struct cursor *c, uint64_t *v)
{
    unsigned n = 0;
    *v = 0;
    for (int d; !at_end(c) && (d = hex_value(*c->p)) >= 0; c->p++, n++) {
        if (n == 16)
            return false;
        *v = *v << 4 | (uint64_t)d;
    }
    return n > 0;
}

/* A thread id: "-1" (all) or a hexadecimal number (0: any). */
static bool thread_id(struct cursor *c, int64_t *t)
{
    uint64_t v;
    if (take(c, '-')) {
        if (!take(c, '1'))
            return false;
        *t = GDB_THREAD_ALL;
        return true;
    }
    if (!number(c, &v) || v > INT64_MAX)
        return false;
    *t = (int64_t)v;
    return true;
}

/* The rest of the packet as hex pairs, into out. */
static bool hex_data(struct cursor *c, uint8_t *out, size_t cap, struct gdb_cmd *cmd)
{
    size_t n = (size_t)(c->end - c->p);
    if (n % 2 || n / 2 > cap)
        return false;
    for (size_t i = 0; i < n / 2; i++) {
        int hi = hex_value(c->p[2 * i]), lo = hex_value(c->p[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return false;
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    c->p = c->end;
    cmd->data = out;
    cmd->data_len = n / 2;
    return true;
}

static bool prefix(const uint8_t *p, size_t len, const char *s)
{
    size_t n = strlen(s);
    return len >= n && !memcmp(p, s, n);
}

static bool exactly(const uint8_t *p, size_t len, const char *s)
{
    return len == strlen(s) && !memcmp(p, s, len);
}

static void bad(struct gdb_cmd *cmd, const char *why)
{
    cmd->kind = GDB_CMD_BAD;
    cmd->why = why;
}

/* "addr,length" */
static bool addr_length(struct cursor *c, struct gdb_cmd *cmd)
{
    return number(c, &cmd->addr) && take(c, ',') && number(c, &cmd->length);
}

static void parse_vcont(struct cursor *c, struct gdb_cmd *cmd)
{
    cmd->kind = GDB_CMD_VCONT;
    while (take(c, ';')) {
        if (cmd->nactions == GDB_VCONT_MAX)
            { bad(cmd, "too many vCont actions"); return; }
        struct gdb_vcont_action *a = &cmd->actions[cmd->nactions++];
        uint64_t sig;
        if (at_end(c))
            { bad(cmd, "empty vCont action"); return; }
        a->action = (char)*c->p++;
        if (a->action == 'C' || a->action == 'S') {     /* with a signal, which is dropped */
            if (!number(c, &sig))
                { bad(cmd, "vCont signal"); return; }
            a->action = a->action == 'C' ? 'c' : 's';
        } else if (a->action != 'c' && a->action != 's' && a->action != 't') {
            { bad(cmd, "unknown vCont action"); return; }
        }
        a->thread = GDB_THREAD_ALL;
        if (take(c, ':') && !thread_id(c, &a->thread))
            { bad(cmd, "vCont thread"); return; }
    }
    if (!at_end(c) || !cmd->nactions)
        bad(cmd, "malformed vCont");
}

static void parse_xfer(const uint8_t *p, size_t len, struct gdb_cmd *cmd)
{
    static const char head[] = "qXfer:features:read:";
    struct cursor c = { p + sizeof(head) - 1, p + len };
    size_t n = 0;
    while (!at_end(&c) && *c.p != ':') {
        if (n == sizeof(cmd->annex) - 1)
            { bad(cmd, "qXfer annex too long"); return; }
        cmd->annex[n++] = (char)*c.p++;
    }
    cmd->annex[n] = 0;
    if (!take(&c, ':') || !number(&c, &cmd->addr) || !take(&c, ',') || !number(&c, &cmd->length) ||
        !at_end(&c))
        { bad(cmd, "malformed qXfer"); return; }
    cmd->kind = GDB_CMD_XFER_FEATURES;
}

void gdb_parse(const uint8_t *payload, size_t len, uint8_t *out, size_t cap, struct gdb_cmd *cmd)
{
    memset(cmd, 0, sizeof(*cmd));
    if (!len)
        return;
    struct cursor c = { payload + 1, payload + len };
    switch (payload[0]) {
    case '?':
        cmd->kind = len == 1 ? GDB_CMD_HALT_REASON : GDB_CMD_UNKNOWN;
        return;
    case 'g':
        cmd->kind = len == 1 ? GDB_CMD_READ_REGS : GDB_CMD_UNKNOWN;
        return;
    case 'G':
        cmd->kind = GDB_CMD_WRITE_REGS;
        if (!hex_data(&c, out, cap, cmd))
            bad(cmd, "G: register data is not whole hex bytes that fit");
        return;
    case 'p': {
        uint64_t r;
        cmd->kind = GDB_CMD_READ_REG;
        if (!number(&c, &r) || r > 0xFFFF || !at_end(&c))
            { bad(cmd, "p: register number"); return; }
        cmd->reg = (unsigned)r;
        return;
    }
    case 'P': {
        uint64_t r;
        cmd->kind = GDB_CMD_WRITE_REG;
        if (!number(&c, &r) || r > 0xFFFF || !take(&c, '='))
            { bad(cmd, "P: register number"); return; }
        cmd->reg = (unsigned)r;
        if (!hex_data(&c, out, cap, cmd))
            bad(cmd, "P: register value");
        return;
    }
    case 'm':
        cmd->kind = GDB_CMD_READ_MEM;
        if (!addr_length(&c, cmd) || !at_end(&c))
            bad(cmd, "m: address,length");
        return;
    case 'M':
        cmd->kind = GDB_CMD_WRITE_MEM;
        if (!addr_length(&c, cmd) || !take(&c, ':'))
            { bad(cmd, "M: address,length:"); return; }
        if (!hex_data(&c, out, cap, cmd) || cmd->data_len != cmd->length)
            bad(cmd, "M: data is not length bytes of hex");
        return;
    case 'X': {
        cmd->kind = GDB_CMD_WRITE_MEM;
        if (!addr_length(&c, cmd) || !take(&c, ':'))
            { bad(cmd, "X: address,length:"); return; }
        size_t n = (size_t)(c.end - c.p);
        if (n != cmd->length || n > cap)
            { bad(cmd, "X: data is not length bytes"); return; }
        memcpy(out, c.p, n);
        cmd->data = out;
        cmd->data_len = n;
        return;
    }
    case 'c':
    case 's':
        cmd->kind = payload[0] == 'c' ? GDB_CMD_CONTINUE : GDB_CMD_STEP;
        cmd->has_addr = !at_end(&c);
        if (cmd->has_addr && (!number(&c, &cmd->addr) || !at_end(&c)))
            bad(cmd, "c/s: address");
        return;
    case 'Z':
    case 'z': {
        uint64_t type, kind;
        cmd->kind = payload[0] == 'Z' ? GDB_CMD_INSERT_BP : GDB_CMD_REMOVE_BP;
        if (!number(&c, &type) || type > 4 || !take(&c, ',') || !number(&c, &cmd->addr) ||
            !take(&c, ',') || !number(&c, &kind) || kind > 16 || (!at_end(&c) && *c.p != ';'))
            { bad(cmd, "Z/z: type,address,kind"); return; }
        cmd->type = (unsigned)type;
        cmd->bp_kind = (unsigned)kind;
        return;
    }
    case 'H':
        cmd->kind = GDB_CMD_SET_THREAD;
        if (at_end(&c) || (*c.p != 'g' && *c.p != 'c'))
            { bad(cmd, "H: op"); return; }
        cmd->op = (char)*c.p++;
        if (!thread_id(&c, &cmd->thread) || !at_end(&c))
            bad(cmd, "H: thread");
        return;
    case 'T':
        cmd->kind = GDB_CMD_THREAD_ALIVE;
        if (!thread_id(&c, &cmd->thread) || !at_end(&c))
            bad(cmd, "T: thread");
        return;
    case 'k':
        cmd->kind = len == 1 ? GDB_CMD_KILL : GDB_CMD_UNKNOWN;
        return;
    case 'D':
        cmd->kind = GDB_CMD_DETACH;     /* "D" or "D;pid": one process */
        return;
    default:
        break;
    }
    if (exactly(payload, len, "vCont?"))
        cmd->kind = GDB_CMD_VCONT_QUERY;
    else if (prefix(payload, len, "vCont;"))
        parse_vcont(&(struct cursor){ payload + 5, payload + len }, cmd);
    else if (prefix(payload, len, "qSupported") && (len == 10 || payload[10] == ':'))
        cmd->kind = GDB_CMD_SUPPORTED;
    else if (exactly(payload, len, "QStartNoAckMode"))
        cmd->kind = GDB_CMD_NO_ACK_MODE;
    else if (exactly(payload, len, "qAttached") || prefix(payload, len, "qAttached:"))
        cmd->kind = GDB_CMD_ATTACHED;
    else if (exactly(payload, len, "qC"))
        cmd->kind = GDB_CMD_CURRENT_THREAD;
    else if (exactly(payload, len, "qfThreadInfo"))
        cmd->kind = GDB_CMD_THREAD_FIRST;
    else if (exactly(payload, len, "qsThreadInfo"))
        cmd->kind = GDB_CMD_THREAD_NEXT;
    else if (prefix(payload, len, "qXfer:features:read:"))
        parse_xfer(payload, len, cmd);
}
