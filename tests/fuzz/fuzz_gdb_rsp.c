// covers: kernel/gdb_rsp.c kernel/kstring.c
/*
 * fuzz_gdb_rsp.c - the GDB remote serial protocol's wire (kernel/gdb_rsp.c):
 * the input is what a debugger (or line noise) sends, fed byte by byte;
 * every packet that completes is parsed into a small buffer, and framed
 * back and read again.
 *
 * Checks: decoded data fits the buffer given, a malformed command says
 * why, vCont actions stay within their array, the qXfer annex is a string
 * of its buffer; a payload framed by gdb_frame reads back through gdb_rx
 * unchanged, with a good checksum.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "../../kernel/gdb_rsp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct gdb_rx rx, back;
    static char framed[2 * GDB_PACKET_MAX + 8];
    static uint8_t payload[GDB_PACKET_MAX + 1];
    uint8_t out[48];
    struct gdb_cmd cmd;

    gdb_rx_init(&rx);
    for (size_t i = 0; i < size; i++) {
        if (gdb_rx_feed(&rx, data[i]) != GDB_RX_PACKET)
            continue;
        size_t len = rx.len;
        memcpy(payload, rx.buf, len);
        gdb_parse(payload, len, out, sizeof(out), &cmd);
        if (cmd.data_len > sizeof(out) || (cmd.data && cmd.data != out))
            __builtin_trap();
        if (cmd.kind == GDB_CMD_BAD && !cmd.why)
            __builtin_trap();
        if (cmd.nactions > GDB_VCONT_MAX || !memchr(cmd.annex, 0, sizeof(cmd.annex)))
            __builtin_trap();
        size_t n = gdb_frame(framed, sizeof(framed), payload, len);
        if (!n)
            __builtin_trap();       /* twice the payload and 4 always fit */
        gdb_rx_init(&back);
        enum gdb_rx_event e = GDB_RX_NONE;
        for (size_t j = 0; j < n; j++)
            e = gdb_rx_feed(&back, (uint8_t)framed[j]);
        if (e != GDB_RX_PACKET || back.len != len || memcmp(back.buf, payload, len))
            __builtin_trap();
    }
    return 0;
}
