/*
 * gdb_rsp.h - the GDB remote serial protocol's wire (pure: the host unit
 * tests and a fuzzer drive it): packets framed and checked byte by byte as
 * they arrive, commands parsed into one struct, replies framed. The stub
 * that acts on the commands is the hardware shell's (issue 20's later
 * steps); this file knows nothing of vCPUs.
 *
 * GDB manual, Appendix E "GDB Remote Serial Protocol": E.1 Overview
 * (framing "$payload#cs", the checksum a sum modulo 256 of the payload's
 * characters, '+'/'-' acknowledgements, '}' escapes the next byte XOR
 * 0x20, '*' run-length encoding in replies only), E.2 Packets, E.3 Stop
 * Reply Packets, E.4 General Query Packets, E.9 Interrupts (a lone 0x03).
 */
#ifndef GDB_RSP_H
#define GDB_RSP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The largest payload taken (qSupported says PacketSize: hex of this): a
 * register set of x86-64 in hex and some memory, with room to spare. */
#define GDB_PACKET_MAX 4096

enum gdb_rx_event {
    GDB_RX_NONE,            /* the byte was taken; nothing complete yet */
    GDB_RX_PACKET,          /* a packet with a good checksum: rx->buf, rx->len */
    GDB_RX_BAD_CHECKSUM,    /* a packet whose checksum did not match: answer '-' */
    GDB_RX_TOO_LONG,        /* a packet longer than GDB_PACKET_MAX: dropped, answer '-' */
    GDB_RX_ACK,             /* '+' outside a packet */
    GDB_RX_NAK,             /* '-' outside a packet: send the last reply again */
    GDB_RX_INTERRUPT,       /* 0x03 outside a packet: stop the target */
};

struct gdb_rx {
    int state;
    uint8_t sum;            /* of the payload's bytes as they came (escapes too) */
    uint8_t check;          /* the first checksum digit's value */
    bool escaped;           /* the previous byte was '}' */
    bool overflow;
    size_t len;
    uint8_t buf[GDB_PACKET_MAX + 1];    /* the payload, unescaped, NUL-terminated */
};

/* gdb_rx_init - waiting for a packet. */
void gdb_rx_init(struct gdb_rx *rx);

/* gdb_rx_idle - between packets (no '$' seen since the last one ended). */
static inline bool gdb_rx_idle(const struct gdb_rx *rx)
{
    return rx->state == 0;
}

/* gdb_rx_feed - one byte from the wire. Bytes outside a packet other than
 * '$', '+', '-' and 0x03 are ignored (GDB's own noise, line noise). */
enum gdb_rx_event gdb_rx_feed(struct gdb_rx *rx, uint8_t byte);

enum gdb_cmd_kind {
    GDB_CMD_UNKNOWN,        /* not supported: the empty reply */
    GDB_CMD_BAD,            /* supported but malformed: an error reply */
    GDB_CMD_HALT_REASON,    /* ? */
    GDB_CMD_READ_REGS,      /* g */
    GDB_CMD_WRITE_REGS,     /* G XX...: data, data_len */
    GDB_CMD_READ_REG,       /* p n: reg */
    GDB_CMD_WRITE_REG,      /* P n=XX...: reg, data, data_len */
    GDB_CMD_READ_MEM,       /* m addr,length */
    GDB_CMD_WRITE_MEM,      /* M addr,length:XX... and X addr,length:binary */
    GDB_CMD_CONTINUE,       /* c [addr]: has_addr, addr */
    GDB_CMD_STEP,           /* s [addr] */
    GDB_CMD_VCONT_QUERY,    /* vCont? */
    GDB_CMD_VCONT,          /* vCont;action[:thread]...: actions */
    GDB_CMD_INSERT_BP,      /* Z type,addr,kind */
    GDB_CMD_REMOVE_BP,      /* z type,addr,kind */
    GDB_CMD_SET_THREAD,     /* H op thread: op 'g' or 'c', thread */
    GDB_CMD_THREAD_ALIVE,   /* T thread */
    GDB_CMD_KILL,           /* k */
    GDB_CMD_DETACH,         /* D */
    GDB_CMD_SUPPORTED,      /* qSupported[:features] */
    GDB_CMD_NO_ACK_MODE,    /* QStartNoAckMode */
    GDB_CMD_ATTACHED,       /* qAttached */
    GDB_CMD_CURRENT_THREAD, /* qC */
    GDB_CMD_THREAD_FIRST,   /* qfThreadInfo */
    GDB_CMD_THREAD_NEXT,    /* qsThreadInfo */
    GDB_CMD_XFER_FEATURES,  /* qXfer:features:read:annex:offset,length */
};

/* A thread id: a positive number (the vCPU + 1), or all (-1), or any (0). */
#define GDB_THREAD_ALL (-1)
#define GDB_THREAD_ANY 0

#define GDB_VCONT_MAX 8
struct gdb_vcont_action {
    char action;            /* 'c', 's' or 't' (stop) */
    int64_t thread;         /* GDB_THREAD_ALL when not given */
};

struct gdb_cmd {
    enum gdb_cmd_kind kind;
    const char *why;        /* GDB_CMD_BAD: what was wrong */
    uint64_t addr, length;  /* m, M, X, c/s with an address, Z/z, qXfer offset and length */
    bool has_addr;
    unsigned reg;           /* p, P */
    unsigned type, bp_kind; /* Z/z: 0 software, 1 hardware, 2 write, 3 read, 4 access watchpoint */
    char op;                /* H: 'g' or 'c' */
    int64_t thread;         /* H, T */
    const uint8_t *data;    /* G, P, M, X: the bytes decoded (into the caller's buffer) */
    size_t data_len;
    struct gdb_vcont_action actions[GDB_VCONT_MAX];
    unsigned nactions;
    char annex[32];         /* qXfer: the object's name */
};

/*
 * gdb_parse - the command in payload (len bytes, as gdb_rx gave it). Data
 * the command carries (hex or binary) is decoded into out (cap bytes); more
 * than fits is GDB_CMD_BAD. Never reads past payload + len.
 */
void gdb_parse(const uint8_t *payload, size_t len, uint8_t *out, size_t cap, struct gdb_cmd *cmd);

/* gdb_frame - "$" payload "#cs" into out (cap bytes), with '$', '#', '}'
 * and '*' escaped. Returns the length, or 0 when it does not fit. */
size_t gdb_frame(char *out, size_t cap, const uint8_t *payload, size_t len);

/* gdb_hex - n bytes as 2n lowercase hex digits (no NUL). Returns 2n. */
size_t gdb_hex(char *out, const void *data, size_t n);

/* gdb_checksum - the protocol's sum of n bytes modulo 256. */
uint8_t gdb_checksum(const uint8_t *p, size_t n);

#endif
