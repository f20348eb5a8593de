// covers: kernel/gdb_rsp.c kernel/kstring.c
/*
 * test_gdb_rsp.c - the GDB remote serial protocol's wire (kernel/gdb_rsp.c):
 * framing and checksums byte by byte, escapes, acknowledgements and the
 * interrupt byte, every command the stub takes, malformed ones named, and
 * replies framed as GDB reads them. Packets are the ones GDB 13 sends
 * (set debug remote 1).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "../../kernel/gdb_rsp.h"

static struct gdb_rx rx;

/* Feed s; the events of its bytes, the last one returned. */
static enum gdb_rx_event feed(const char *s, size_t n)
{
    enum gdb_rx_event e = GDB_RX_NONE;
    for (size_t i = 0; i < n; i++) {
        e = gdb_rx_feed(&rx, (uint8_t)s[i]);
        if (i + 1 < n)
            assert_int_equal(e, GDB_RX_NONE);
    }
    return e;
}
#define FEED(s) feed((s), sizeof(s) - 1)

static void test_framing_and_checksums(void **state)
{
    (void)state;
    gdb_rx_init(&rx);
    assert_int_equal(FEED("$g#67"), GDB_RX_PACKET);
    assert_int_equal(rx.len, 1);
    assert_string_equal((char *)rx.buf, "g");
    assert_int_equal(FEED("$qSupported:multiprocess+;swbreak+#1B"), GDB_RX_PACKET);  /* upper case too */
    assert_int_equal(FEED("$g#68"), GDB_RX_BAD_CHECKSUM);
    assert_int_equal(FEED("$g#x"), GDB_RX_BAD_CHECKSUM);
    assert_int_equal(FEED("$g#6z"), GDB_RX_BAD_CHECKSUM);
    assert_int_equal(gdb_rx_feed(&rx, '+'), GDB_RX_ACK);
    assert_int_equal(gdb_rx_feed(&rx, '-'), GDB_RX_NAK);
    assert_int_equal(gdb_rx_feed(&rx, 0x03), GDB_RX_INTERRUPT);
    assert_int_equal(gdb_rx_feed(&rx, 'x'), GDB_RX_NONE);           /* noise between packets */
    /* A '$' inside a packet starts it again (a lost '#'). */
    assert_int_equal(FEED("$m10$g#67"), GDB_RX_PACKET);
    assert_string_equal((char *)rx.buf, "g");
    /* '}' escapes: "X0,1:" then '#' sent as "}\x03", summed as sent. */
    char pkt[32] = "$X0,1:}\x03#";
    uint8_t sum = gdb_checksum((const uint8_t *)pkt + 1, 7);
    pkt[9] = "0123456789abcdef"[sum >> 4];
    pkt[10] = "0123456789abcdef"[sum & 15];
    assert_int_equal(feed(pkt, 11), GDB_RX_PACKET);
    assert_int_equal(rx.len, 6);
    assert_memory_equal(rx.buf, "X0,1:#", 6);
}

static void test_too_long_is_dropped(void **state)
{
    (void)state;
    static char big[GDB_PACKET_MAX + 8];
    gdb_rx_init(&rx);
    gdb_rx_feed(&rx, '$');
    memset(big, 'a', sizeof(big));
    uint8_t sum = 0;
    for (size_t i = 0; i < sizeof(big); i++) {
        assert_int_equal(gdb_rx_feed(&rx, (uint8_t)big[i]), GDB_RX_NONE);
        sum = (uint8_t)(sum + 'a');
    }
    char tail[3] = { '#', "0123456789abcdef"[sum >> 4], "0123456789abcdef"[sum & 15] };
    assert_int_equal(feed(tail, 3), GDB_RX_TOO_LONG);
    assert_int_equal(FEED("$?#3f"), GDB_RX_PACKET);                 /* and the next one is fine */
}

static struct gdb_cmd cmd;
static uint8_t data[64];

static void parse(const char *s)
{
    gdb_parse((const uint8_t *)s, strlen(s), data, sizeof(data), &cmd);
}

static void test_simple_commands(void **state)
{
    (void)state;
    static const struct {
        const char *pkt;
        enum gdb_cmd_kind kind;
    } cases[] = {
        { "?", GDB_CMD_HALT_REASON },       { "g", GDB_CMD_READ_REGS },
        { "k", GDB_CMD_KILL },              { "D", GDB_CMD_DETACH },
        { "D;1", GDB_CMD_DETACH },          { "vCont?", GDB_CMD_VCONT_QUERY },
        { "qSupported", GDB_CMD_SUPPORTED },
        { "qSupported:multiprocess+;swbreak+;hwbreak+;qRelocInsn+", GDB_CMD_SUPPORTED },
        { "QStartNoAckMode", GDB_CMD_NO_ACK_MODE }, { "qAttached", GDB_CMD_ATTACHED },
        { "qAttached:1", GDB_CMD_ATTACHED }, { "qC", GDB_CMD_CURRENT_THREAD },
        { "qfThreadInfo", GDB_CMD_THREAD_FIRST }, { "qsThreadInfo", GDB_CMD_THREAD_NEXT },
        { "qSupportedX", GDB_CMD_UNKNOWN }, { "qTStatus", GDB_CMD_UNKNOWN },
        { "vMustReplyEmpty", GDB_CMD_UNKNOWN }, { "g1", GDB_CMD_UNKNOWN },
        { "?x", GDB_CMD_UNKNOWN },          { "kk", GDB_CMD_UNKNOWN },
        { "", GDB_CMD_UNKNOWN },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        parse(cases[i].pkt);
        assert_int_equal(cmd.kind, cases[i].kind);
    }
}

static void test_registers(void **state)
{
    (void)state;
    parse("p10");
    assert_int_equal(cmd.kind, GDB_CMD_READ_REG);
    assert_int_equal(cmd.reg, 16);
    parse("P10=efbeadde00000000");
    assert_int_equal(cmd.kind, GDB_CMD_WRITE_REG);
    assert_int_equal(cmd.reg, 16);
    assert_int_equal(cmd.data_len, 8);
    assert_memory_equal(cmd.data, "\xef\xbe\xad\xde\0\0\0\0", 8);
    parse("G0102A0ff");
    assert_int_equal(cmd.kind, GDB_CMD_WRITE_REGS);
    assert_int_equal(cmd.data_len, 4);
    assert_memory_equal(cmd.data, "\x01\x02\xa0\xff", 4);
    const char *bad_ones[] = { "p", "pxyz", "p10000", "p1,", "P10", "P10=1", "P10=zz", "G123", "G0g" };
    for (size_t i = 0; i < sizeof(bad_ones) / sizeof(bad_ones[0]); i++) {
        parse(bad_ones[i]);
        assert_int_equal(cmd.kind, GDB_CMD_BAD);
        assert_non_null(cmd.why);
    }
    char big[2 + 2 * 65] = "G";
    memset(big + 1, 'a', 2 * 65);
    big[1 + 2 * 65] = 0;
    parse(big);                                                 /* 65 bytes into 64 */
    assert_int_equal(cmd.kind, GDB_CMD_BAD);
}

static void test_memory(void **state)
{
    (void)state;
    parse("mffffffff81000000,40");
    assert_int_equal(cmd.kind, GDB_CMD_READ_MEM);
    assert_int_equal(cmd.addr, 0xffffffff81000000ull);
    assert_int_equal(cmd.length, 0x40);
    parse("M1000,2:cc90");
    assert_int_equal(cmd.kind, GDB_CMD_WRITE_MEM);
    assert_int_equal(cmd.addr, 0x1000);
    assert_int_equal(cmd.data_len, 2);
    assert_memory_equal(cmd.data, "\xcc\x90", 2);
    gdb_parse((const uint8_t *)"X2000,3:a#}", 11, data, sizeof(data), &cmd);   /* binary, escapes undone */
    assert_int_equal(cmd.kind, GDB_CMD_WRITE_MEM);
    assert_int_equal(cmd.data_len, 3);
    assert_memory_equal(cmd.data, "a#}", 3);
    parse("X2000,0:");                                          /* GDB's probe for X */
    assert_int_equal(cmd.kind, GDB_CMD_WRITE_MEM);
    assert_int_equal(cmd.data_len, 0);
    const char *bad_ones[] = { "m", "m10", "m10,", "m,10", "m10,20x", "m11112222333344445,1",
                               "M10,2", "M10,2:cc", "M10,1:ccdd", "X10,1", "X10,2:a", "M10:cc" };
    for (size_t i = 0; i < sizeof(bad_ones) / sizeof(bad_ones[0]); i++) {
        parse(bad_ones[i]);
        assert_int_equal(cmd.kind, GDB_CMD_BAD);
    }
    char big[80] = "X0,41:";
    memset(big + 6, 'z', 65);
    big[71] = 0;
    parse(big);                                                 /* 65 bytes into 64 */
    assert_int_equal(cmd.kind, GDB_CMD_BAD);
}

static void test_execution_and_threads(void **state)
{
    (void)state;
    parse("c");
    assert_int_equal(cmd.kind, GDB_CMD_CONTINUE);
    assert_false(cmd.has_addr);
    parse("s100a");
    assert_int_equal(cmd.kind, GDB_CMD_STEP);
    assert_true(cmd.has_addr);
    assert_int_equal(cmd.addr, 0x100a);
    parse("cx");
    assert_int_equal(cmd.kind, GDB_CMD_BAD);
    parse("vCont;s:2;c");
    assert_int_equal(cmd.kind, GDB_CMD_VCONT);
    assert_int_equal(cmd.nactions, 2);
    assert_int_equal(cmd.actions[0].action, 's');
    assert_int_equal(cmd.actions[0].thread, 2);
    assert_int_equal(cmd.actions[1].action, 'c');
    assert_int_equal(cmd.actions[1].thread, GDB_THREAD_ALL);
    parse("vCont;C05:1;t:-1");
    assert_int_equal(cmd.kind, GDB_CMD_VCONT);
    assert_int_equal(cmd.actions[0].action, 'c');
    assert_int_equal(cmd.actions[1].action, 't');
    assert_int_equal(cmd.actions[1].thread, GDB_THREAD_ALL);
    const char *bad_ones[] = { "vCont;", "vCont;x", "vCont;C", "vCont;c:", "vCont;c:-2", "vCont;cc",
                               "vCont;c;c;c;c;c;c;c;c;c", "Hx1", "Hg", "Hgz", "Hc1x", "T", "Tq" };
    for (size_t i = 0; i < sizeof(bad_ones) / sizeof(bad_ones[0]); i++) {
        parse(bad_ones[i]);
        assert_int_equal(cmd.kind, GDB_CMD_BAD);
    }
    parse("Hg2");
    assert_int_equal(cmd.kind, GDB_CMD_SET_THREAD);
    assert_int_equal(cmd.op, 'g');
    assert_int_equal(cmd.thread, 2);
    parse("Hc-1");
    assert_int_equal(cmd.op, 'c');
    assert_int_equal(cmd.thread, GDB_THREAD_ALL);
    parse("Hg0");
    assert_int_equal(cmd.thread, GDB_THREAD_ANY);
    parse("T3");
    assert_int_equal(cmd.kind, GDB_CMD_THREAD_ALIVE);
    assert_int_equal(cmd.thread, 3);
}

static void test_breakpoints(void **state)
{
    (void)state;
    parse("Z0,ffffffff81000000,1");
    assert_int_equal(cmd.kind, GDB_CMD_INSERT_BP);
    assert_int_equal(cmd.type, 0);
    assert_int_equal(cmd.addr, 0xffffffff81000000ull);
    assert_int_equal(cmd.bp_kind, 1);
    parse("z2,1000,8");
    assert_int_equal(cmd.kind, GDB_CMD_REMOVE_BP);
    assert_int_equal(cmd.type, 2);
    assert_int_equal(cmd.bp_kind, 8);
    parse("Z0,1000,1;X2,0a");                                   /* conditions: ignored */
    assert_int_equal(cmd.kind, GDB_CMD_INSERT_BP);
    const char *bad_ones[] = { "Z5,1000,1", "Z0,1000", "Z0,1000,11", "Z0", "Z0,,1", "Z0,1000,1x" };
    for (size_t i = 0; i < sizeof(bad_ones) / sizeof(bad_ones[0]); i++) {
        parse(bad_ones[i]);
        assert_int_equal(cmd.kind, GDB_CMD_BAD);
    }
}

static void test_xfer(void **state)
{
    (void)state;
    parse("qXfer:features:read:target.xml:0,ffb");
    assert_int_equal(cmd.kind, GDB_CMD_XFER_FEATURES);
    assert_string_equal(cmd.annex, "target.xml");
    assert_int_equal(cmd.addr, 0);
    assert_int_equal(cmd.length, 0xffb);
    const char *bad_ones[] = { "qXfer:features:read:target.xml", "qXfer:features:read:target.xml:0",
                               "qXfer:features:read:a:1,2x",
                               "qXfer:features:read:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa:0,1" };
    for (size_t i = 0; i < sizeof(bad_ones) / sizeof(bad_ones[0]); i++) {
        parse(bad_ones[i]);
        assert_int_equal(cmd.kind, GDB_CMD_BAD);
    }
}

static void test_replies_are_framed_and_escaped(void **state)
{
    (void)state;
    char out[32];
    assert_int_equal(gdb_frame(out, sizeof(out), (const uint8_t *)"OK", 2), 6);
    assert_memory_equal(out, "$OK#9a", 6);
    assert_int_equal(gdb_frame(out, sizeof(out), (const uint8_t *)"", 0), 4);
    assert_memory_equal(out, "$#00", 4);
    /* '$', '#', '}', '*' escaped; the checksum is of what is sent. */
    size_t n = gdb_frame(out, sizeof(out), (const uint8_t *)"a$#}*", 5);
    assert_int_equal(n, 1 + 1 + 8 + 3);
    assert_memory_equal(out, "$a}\x04}\x03}]}\x0a#", 11);
    gdb_rx_init(&rx);
    assert_int_equal(feed(out, n), GDB_RX_PACKET);             /* and our reader undoes it */
    assert_memory_equal(rx.buf, "a$#}*", 5);
    assert_int_equal(gdb_frame(out, 3, (const uint8_t *)"", 0), 0);
    assert_int_equal(gdb_frame(out, 6, (const uint8_t *)"OK", 2), 6);
    assert_int_equal(gdb_frame(out, 5, (const uint8_t *)"OK", 2), 0);
    assert_int_equal(gdb_frame(out, 6, (const uint8_t *)"O#", 2), 0);
    char hex[8];
    assert_int_equal(gdb_hex(hex, "\x00\xab\x7f\xff", 4), 8);
    assert_memory_equal(hex, "00ab7fff", 8);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_framing_and_checksums),
        cmocka_unit_test(test_too_long_is_dropped),
        cmocka_unit_test(test_simple_commands),
        cmocka_unit_test(test_registers),
        cmocka_unit_test(test_memory),
        cmocka_unit_test(test_execution_and_threads),
        cmocka_unit_test(test_breakpoints),
        cmocka_unit_test(test_xfer),
        cmocka_unit_test(test_replies_are_framed_and_escaped),
    };
    return cmocka_run_group_tests(tests, 0, 0);
}
