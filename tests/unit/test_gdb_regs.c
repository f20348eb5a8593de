// covers: kernel/gdb_regs.c kernel/gdb_rsp.c kernel/fmt.c kernel/kstring.c
/*
 * test_gdb_regs.c - a vCPU's registers as GDB sees them (kernel/gdb_regs.c):
 * the target description for 64-bit and 32-bit guests, the 'g' reply's
 * layout (little-endian hex, the x87 registers unavailable), single
 * registers read and written, and the 'G' packet.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "../../kernel/gdb_regs.h"

static struct gdb_x86_state sample(void)
{
    struct gdb_x86_state s;
    memset(&s, 0, sizeof(s));
    for (unsigned i = 0; i < 16; i++)
        s.gpr[i] = 0x1111111111111111ull * (i + 1);
    s.rip = 0xffffffff81000010ull;
    s.rflags = 0x246;
    s.sel[GDB_CS] = 0x10;
    s.sel[GDB_SS] = 0x18;
    s.fs_base = 0x7f0000001000ull;
    s.cr0 = 0x80050033;
    s.cr3 = 0x1234000;
    s.efer = 0xd01;
    return s;
}

static size_t count(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *p = hay; (p = strstr(p, needle)) != NULL; p++)
        n++;
    return n;
}

static void test_target_descriptions(void **state)
{
    (void)state;
    static char xml[8192];
    size_t len = gdb_target_xml(GDB_ARCH_AMD64, xml, sizeof(xml));
    assert_true(len > 0 && len == strlen(xml));
    assert_non_null(strstr(xml, "<architecture>i386:x86-64</architecture>"));
    assert_non_null(strstr(xml, "<feature name=\"org.gnu.gdb.i386.core\">"));
    assert_non_null(strstr(xml, "<reg name=\"rip\" bitsize=\"64\" type=\"code_ptr\" regnum=\"16\"/>"));
    assert_non_null(strstr(xml, "<reg name=\"st0\" bitsize=\"80\" type=\"i387_ext\""));
    assert_non_null(strstr(xml, "<feature name=\"org.gnu.gdb.i386.segments\"><reg name=\"fs_base\" "
                                "bitsize=\"64\""));
    assert_non_null(strstr(xml, "<reg name=\"efer\" bitsize=\"64\""));
    assert_int_equal(count(xml, "<reg "), gdb_reg_count(GDB_ARCH_AMD64));
    assert_int_equal(count(xml, "<feature "), 3);
    assert_int_equal(count(xml, "</feature>"), 3);
    assert_string_equal(xml + len - 9, "</target>");

    len = gdb_target_xml(GDB_ARCH_I386, xml, sizeof(xml));
    assert_true(len > 0);
    assert_non_null(strstr(xml, "<architecture>i386</architecture>"));
    assert_non_null(strstr(xml, "<reg name=\"ecx\" bitsize=\"32\" type=\"int32\" regnum=\"1\"/>"));
    assert_null(strstr(xml, "fs_base"));                         /* see gdb_regs.c */
    assert_int_equal(count(xml, "<feature "), 2);
    assert_int_equal(count(xml, "<reg "), gdb_reg_count(GDB_ARCH_I386));
    /* Too small: 0, never a cut document. */
    assert_int_equal(gdb_target_xml(GDB_ARCH_AMD64, xml, 100), 0);
    assert_int_equal(gdb_target_xml(GDB_ARCH_AMD64, xml, 0), 0);
}

static void test_g_reply_layout(void **state)
{
    (void)state;
    struct gdb_x86_state s = sample();
    static char out[1024];
    size_t len = gdb_read_regs(GDB_ARCH_AMD64, &s, out);
    /* 16 GPRs, rip: 8 bytes; eflags, 6 selectors: 4; st0-7: 10; 8 x87
     * control: 4; fs_base, gs_base, cr0, cr2, cr3, cr4, cr8, efer: 8. */
    assert_int_equal(len, 2 * (17 * 8 + 7 * 4 + 8 * 10 + 8 * 4 + 8 * 8));
    assert_memory_equal(out, "1111111111111111", 16);                  /* rax */
    assert_memory_equal(out + 16 * 16, "10000081ffffffff", 16);         /* rip, little-endian */
    assert_memory_equal(out + 17 * 16, "46020000", 8);                  /* eflags */
    assert_memory_equal(out + 17 * 16 + 8, "10000000", 8);              /* cs */
    const char *st0 = out + 17 * 16 + 7 * 8;
    for (unsigned i = 0; i < 8 * 20 + 8 * 8; i++)
        assert_int_equal(st0[i], 'x');                                  /* unavailable */
    assert_memory_equal(st0 + 8 * 20 + 8 * 8, "00100000007f0000", 16);  /* fs_base */

    unsigned n = gdb_reg_count(GDB_ARCH_AMD64);
    size_t total = 0;
    char one[32];
    for (unsigned i = 0; i < n; i++) {
        size_t k = gdb_read_reg(GDB_ARCH_AMD64, &s, i, one);
        assert_int_equal(k, 2 * gdb_reg_bytes(GDB_ARCH_AMD64, i));
        assert_memory_equal(one, out + total, k);
        total += k;
    }
    assert_int_equal(total, len);
    assert_int_equal(gdb_read_reg(GDB_ARCH_AMD64, &s, n, one), 0);
    assert_int_equal(gdb_reg_bytes(GDB_ARCH_AMD64, n), 0);

    /* 32-bit: GDB's i386 order, the low halves. */
    len = gdb_read_regs(GDB_ARCH_I386, &s, out);
    assert_int_equal(len, 2 * (16 * 4 + 8 * 10 + 8 * 4 + 6 * 8));
    assert_memory_equal(out, "11111111" "33333333" "44444444" "22222222", 32);   /* eax ecx edx ebx */
    assert_memory_equal(out + 8 * 8, "10000081", 8);                    /* eip */
}

static void test_writes(void **state)
{
    (void)state;
    struct gdb_x86_state s = sample(), t;
    memset(&t, 0, sizeof(t));
    /* 'G' with what 'g' gave (x87 bytes as zeros): every available register back. */
    static char hex[1024];
    static uint8_t bytes[512];
    size_t len = gdb_read_regs(GDB_ARCH_AMD64, &s, hex);
    for (size_t i = 0; i < len / 2; i++) {
        unsigned v = 0;
        if (hex[2 * i] != 'x')
            sscanf(hex + 2 * i, "%2x", &v);
        bytes[i] = (uint8_t)v;
    }
    assert_true(gdb_write_regs(GDB_ARCH_AMD64, &t, bytes, len / 2));
    assert_memory_equal(&t, &s, sizeof(s));
    assert_false(gdb_write_regs(GDB_ARCH_AMD64, &t, bytes, len / 2 - 1));

    /* One register: rip (16), cs (18), st0 (24: taken, nothing kept). */
    assert_true(gdb_write_reg(GDB_ARCH_AMD64, &t, 16, (const uint8_t *)"\x00\x10\x00\x00\x00\x00\x00\x00", 8));
    assert_int_equal(t.rip, 0x1000);
    assert_true(gdb_write_reg(GDB_ARCH_AMD64, &t, 18, (const uint8_t *)"\x08\x00\x00\x00", 4));
    assert_int_equal(t.sel[GDB_CS], 8);
    assert_true(gdb_write_reg(GDB_ARCH_AMD64, &t, 24, bytes, 10));
    assert_false(gdb_write_reg(GDB_ARCH_AMD64, &t, 16, bytes, 4));       /* wrong size */
    assert_false(gdb_write_reg(GDB_ARCH_AMD64, &t, 99, bytes, 8));
    /* i386: ebx (3) sets rbx's low half and clears the rest. */
    assert_true(gdb_write_reg(GDB_ARCH_I386, &t, 3, (const uint8_t *)"\x78\x56\x34\x12", 4));
    assert_int_equal(t.gpr[GDB_RBX], 0x12345678);
    /* Every kind of register goes where it belongs. */
    static const struct { unsigned reg; size_t off; } where[] = {
        { 41, offsetof(struct gdb_x86_state, gs_base) }, { 42, offsetof(struct gdb_x86_state, cr0) },
        { 43, offsetof(struct gdb_x86_state, cr2) }, { 44, offsetof(struct gdb_x86_state, cr3) },
        { 45, offsetof(struct gdb_x86_state, cr4) }, { 46, offsetof(struct gdb_x86_state, cr8) },
        { 47, offsetof(struct gdb_x86_state, efer) }, { 17, offsetof(struct gdb_x86_state, rflags) },
    };
    for (unsigned i = 0; i < sizeof(where) / sizeof(where[0]); i++) {
        uint8_t v[8] = { (uint8_t)(0xA0 + i), 0, 0, 0, 0, 0, 0, 0 };
        memset(&t, 0, sizeof(t));
        assert_true(gdb_write_reg(GDB_ARCH_AMD64, &t, where[i].reg, v, gdb_reg_bytes(GDB_ARCH_AMD64, where[i].reg)));
        assert_int_equal(*(uint64_t *)((char *)&t + where[i].off), 0xA0 + i);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_target_descriptions),
        cmocka_unit_test(test_g_reply_layout),
        cmocka_unit_test(test_writes),
    };
    return cmocka_run_group_tests(tests, 0, 0);
}
