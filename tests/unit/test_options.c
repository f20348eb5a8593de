// covers: kernel/options.c kernel/tokenize.c kernel/fmt.c
/*
 * test_options.c - host unit tests of the command-line options
 * (kernel/options.c): defaults, parsing and its reports, formatting and
 * parse_uint.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "../../kernel/options.h"

#include "reports.h"

/* Parses cmdline into *o (reset to defaults first); returns the problems. */
static int parse(const char *cmdline, struct hv_options *o, struct reports *r)
{
    memset(r, 0, sizeof(*r));
    options_defaults(o);
    int n = options_parse(cmdline, o, collect, r);
    assert_int_equal(n, r->count);      /* one report per problem */
    return n;
}

static void assert_defaults(const struct hv_options *o)
{
    assert_int_equal(o->serial.addr, 0x3F8);
    assert_int_equal(o->baud, 115200);
    assert_string_equal(o->run, "");
}

/* ---- options_defaults ---------------------------------------------------- */

static void test_defaults(void **state)
{
    (void)state;
    struct hv_options o;
    memset(&o, 0xAB, sizeof(o));
    options_defaults(&o);
    assert_defaults(&o);
    /* The whole string buffer is cleared, not just its first byte. */
    for (size_t i = 0; i < sizeof(o.run); i++)
        assert_int_equal(o.run[i], 0);
}

/* ---- options_parse: accepted input ---------------------------------------- */

static void test_parse_null_cmdline_keeps_defaults(void **state)
{
    (void)state;
    struct hv_options o;
    struct reports r;
    assert_int_equal(parse(NULL, &o, &r), 0);
    assert_defaults(&o);
}

static void test_parse_empty_cmdline_keeps_defaults(void **state)
{
    (void)state;
    struct hv_options o;
    struct reports r;
    assert_int_equal(parse("", &o, &r), 0);
    assert_defaults(&o);
    assert_int_equal(parse("   \t ", &o, &r), 0);
    assert_defaults(&o);
}

static void test_parse_numbers(void **state)
{
    (void)state;
    struct hv_options o;
    struct reports r;
    assert_int_equal(parse("serial=0x2F8 baud=9600", &o, &r), 0);
    assert_int_equal(o.serial.addr, 0x2F8);
    assert_int_equal(o.baud, 9600);
    assert_string_equal(o.run, "");
}

static void test_parse_range_limits_are_inclusive(void **state)
{
    (void)state;
    struct hv_options o;
    struct reports r;
    assert_int_equal(parse("serial=1 baud=1", &o, &r), 0);
    assert_int_equal(o.serial.addr, 1);
    assert_int_equal(o.baud, 1);
    assert_int_equal(parse("serial=0xFFF8 baud=115200", &o, &r), 0);
    assert_int_equal(o.serial.addr, 0xFFF8);
    assert_int_equal(o.baud, 115200);
}

static void test_parse_quoted_run_value(void **state)
{
    (void)state;
    struct hv_options o;
    struct reports r;
    assert_int_equal(parse("run=\"info; quit\"", &o, &r), 0);
    assert_string_equal(o.run, "info; quit");
}

static void test_parse_run_with_escapes_and_equals(void **state)
{
    (void)state;
    struct hv_options o;
    struct reports r;
    assert_int_equal(parse("run=set\\ a=b\\\"c baud=57600", &o, &r), 0);
    assert_string_equal(o.run, "set a=b\"c");
    assert_int_equal(o.baud, 57600);
}

static void test_parse_empty_string_value(void **state)
{
    (void)state;
    struct hv_options o;
    struct reports r;
    options_defaults(&o);
    strcpy(o.run, "old");
    memset(&r, 0, sizeof(r));
    assert_int_equal(options_parse("run=", &o, collect, &r), 0);
    assert_string_equal(o.run, "");
}

static void test_parse_last_value_wins(void **state)
{
    (void)state;
    struct hv_options o;
    struct reports r;
    assert_int_equal(parse("baud=9600 run=a baud=38400 run=b", &o, &r), 0);
    assert_int_equal(o.baud, 38400);
    assert_string_equal(o.run, "b");
}

static void test_parse_longest_string_fits(void **state)
{
    (void)state;
    struct hv_options o;
    struct reports r;
    char line[OPT_RUN_MAX + 8];
    strcpy(line, "run=");
    memset(line + 4, 'x', OPT_RUN_MAX - 1);
    line[4 + OPT_RUN_MAX - 1] = '\0';
    assert_int_equal(parse(line, &o, &r), 0);
    assert_int_equal(strlen(o.run), OPT_RUN_MAX - 1);
    assert_string_equal(o.run, line + 4);
}

static void test_parse_longest_cmdline_accepted(void **state)
{
    (void)state;
    struct hv_options o;
    struct reports r;
    char line[OPT_CMDLINE_MAX];
    memset(line, ' ', sizeof(line));
    memcpy(line, "baud=1200", 9);
    line[OPT_CMDLINE_MAX - 1] = '\0';       /* 1023 characters */
    assert_int_equal(parse(line, &o, &r), 0);
    assert_int_equal(o.baud, 1200);
}

static void test_parse_does_not_modify_cmdline(void **state)
{
    (void)state;
    struct hv_options o;
    struct reports r;
    const char line[] = "run=\"a b\" baud=300";
    char copy[sizeof(line)];
    memcpy(copy, line, sizeof(line));
    assert_int_equal(parse(copy, &o, &r), 0);
    assert_string_equal(copy, line);
}

/* ---- options_parse: problems ---------------------------------------------- */

static void test_parse_unknown_option_reported_by_name(void **state)
{
    (void)state;
    struct hv_options o;
    struct reports r;
    assert_int_equal(parse("foo=1 baud=2400", &o, &r), 1);
    assert_string_equal(r.msg[0], "cmdline: unknown option 'foo' (ignored)");
    assert_int_equal(o.baud, 2400);     /* the others still apply */
}

static void test_parse_unknown_boolean_option(void **state)
{
    (void)state;
    struct hv_options o;
    struct reports r;
    assert_int_equal(parse("quiet", &o, &r), 1);
    assert_string_equal(r.msg[0], "cmdline: unknown option 'quiet' (ignored)");
    assert_defaults(&o);
}

static void test_parse_option_names_match_exactly(void **state)
{
    (void)state;
    struct hv_options o;
    struct reports r;
    assert_int_equal(parse("bau=1 baudx=2 BAUD=3", &o, &r), 3);
    assert_string_equal(r.msg[0], "cmdline: unknown option 'bau' (ignored)");
    assert_string_equal(r.msg[1], "cmdline: unknown option 'baudx' (ignored)");
    assert_string_equal(r.msg[2], "cmdline: unknown option 'BAUD' (ignored)");
    assert_defaults(&o);
}

static void test_parse_empty_option_name(void **state)
{
    (void)state;
    struct hv_options o;
    struct reports r;
    assert_int_equal(parse("=5", &o, &r), 1);
    assert_string_equal(r.msg[0], "cmdline: unknown option '' (ignored)");
}

static void test_parse_missing_value(void **state)
{
    (void)state;
    struct hv_options o;
    struct reports r;
    assert_int_equal(parse("baud run", &o, &r), 2);
    assert_string_equal(r.msg[0], "cmdline: option 'baud' needs a value (baud=...)");
    assert_string_equal(r.msg[1], "cmdline: option 'run' needs a value (run=...)");
    assert_defaults(&o);
}

static void test_parse_malformed_number(void **state)
{
    (void)state;
    struct hv_options o;
    struct reports r;
    assert_int_equal(parse("baud=96OO", &o, &r), 1);
    assert_string_equal(r.msg[0],
                        "cmdline: baud: '96OO' is not a number; using default 115200");
    assert_int_equal(o.baud, 115200);
}

static void test_parse_empty_number(void **state)
{
    (void)state;
    struct hv_options o;
    struct reports r;
    assert_int_equal(parse("serial=", &o, &r), 1);
    assert_string_equal(r.msg[0], "cmdline: serial: '' is not an I/O port (1 to 0xfff8, com1-com4), "
                                  "mmio:ADDR[,1|4] or pci:BB:DD.F; using default 0x3f8");
    assert_int_equal(o.serial.addr, 0x3F8);
}

static void test_parse_no_size_suffix_for_plain_numbers(void **state)
{
    (void)state;
    struct hv_options o;
    struct reports r;
    assert_int_equal(parse("baud=1K", &o, &r), 1);
    assert_string_equal(r.msg[0], "cmdline: baud: '1K' is not a number; using default 115200");
}

static void test_parse_number_overflow(void **state)
{
    (void)state;
    struct hv_options o;
    struct reports r;
    assert_int_equal(parse("baud=18446744073709551616", &o, &r), 1);
    assert_string_equal(r.msg[0], "cmdline: baud: '18446744073709551616' is not a number; "
                                  "using default 115200");
}

static void test_parse_out_of_range(void **state)
{
    (void)state;
    struct hv_options o;
    struct reports r;
    assert_int_equal(parse("baud=0 serial=0x10000 baud=115201", &o, &r), 3);
    assert_string_equal(r.msg[0],
                        "cmdline: baud: 0 is out of range [1, 115200]; using default 115200");
    assert_string_equal(r.msg[1],
                        "cmdline: serial: '0x10000' is not an I/O port (1 to 0xfff8, com1-com4), "
                        "mmio:ADDR[,1|4] or pci:BB:DD.F; using default 0x3f8");
    assert_string_equal(r.msg[2],
                        "cmdline: baud: 115201 is out of range [1, 115200]; using default 115200");
    assert_defaults(&o);
}

static void test_parse_overlong_string_value(void **state)
{
    (void)state;
    struct hv_options o;
    struct reports r;
    char line[OPT_RUN_MAX + 8];
    strcpy(line, "run=");
    memset(line + 4, 'x', OPT_RUN_MAX);
    line[4 + OPT_RUN_MAX] = '\0';
    assert_int_equal(parse(line, &o, &r), 1);
    assert_string_equal(r.msg[0], "cmdline: run: value longer than 511 characters (ignored)");
    assert_string_equal(o.run, "");
}

static void test_parse_overlong_cmdline(void **state)
{
    (void)state;
    struct hv_options o;
    struct reports r;
    char line[OPT_CMDLINE_MAX + 1];
    memset(line, ' ', sizeof(line));
    memcpy(line, "baud=1200", 9);
    line[OPT_CMDLINE_MAX] = '\0';           /* 1024 characters */
    assert_int_equal(parse(line, &o, &r), 1);
    assert_string_equal(r.msg[0], "cmdline: longer than 1023 characters (all options ignored)");
    assert_defaults(&o);
}

static void test_parse_unterminated_quote_ignores_everything(void **state)
{
    (void)state;
    struct hv_options o;
    struct reports r;
    assert_int_equal(parse("baud=9600 run=\"info; quit", &o, &r), 1);
    assert_string_equal(r.msg[0], "cmdline: unterminated quote (all options ignored)");
    assert_defaults(&o);
}

static void test_parse_dangling_backslash(void **state)
{
    (void)state;
    struct hv_options o;
    struct reports r;
    assert_int_equal(parse("baud=9600 run=x\\", &o, &r), 1);
    assert_string_equal(r.msg[0], "cmdline: dangling backslash (all options ignored)");
    assert_defaults(&o);
}

static void test_parse_too_many_words(void **state)
{
    (void)state;
    struct hv_options o;
    struct reports r;
    char line[OPT_CMDLINE_MAX];
    size_t pos = 0;
    for (int i = 0; i < 64; i++)
        pos += (size_t)snprintf(line + pos, sizeof(line) - pos, "baud=%d ", 100 + i);
    assert_int_equal(parse(line, &o, &r), 0);   /* 64 words are fine */
    assert_int_equal(o.baud, 163);
    snprintf(line + pos, sizeof(line) - pos, "baud=1");
    assert_int_equal(parse(line, &o, &r), 1);   /* the 65th is not */
    assert_string_equal(r.msg[0], "cmdline: too many words (all options ignored)");
    assert_defaults(&o);
}

static void test_parse_counts_every_problem(void **state)
{
    (void)state;
    struct hv_options o;
    struct reports r;
    assert_int_equal(parse("foo baud=x serial=0 run run=ok", &o, &r), 4);
    assert_string_equal(r.msg[0], "cmdline: unknown option 'foo' (ignored)");
    assert_string_equal(r.msg[1], "cmdline: baud: 'x' is not a number; using default 115200");
    assert_string_equal(r.msg[2], "cmdline: serial: '0' is not an I/O port (1 to 0xfff8, com1-com4), "
                                  "mmio:ADDR[,1|4] or pci:BB:DD.F; using default 0x3f8");
    assert_string_equal(r.msg[3], "cmdline: option 'run' needs a value (run=...)");
    assert_string_equal(o.run, "ok");
}

static void test_parse_long_unknown_name_report_is_truncated(void **state)
{
    (void)state;
    struct hv_options o;
    struct reports r;
    char line[300];
    memset(line, 'n', 250);
    line[250] = '\0';
    assert_int_equal(parse(line, &o, &r), 1);
    /* Reports are formatted into 160 bytes. */
    assert_int_equal(strlen(r.msg[0]), 159);
    assert_memory_equal(r.msg[0], "cmdline: unknown option 'nnnn", 29);
}

/* ---- options_format -------------------------------------------------------- */

static void test_gdb_wire_forms(void **state)
{
    (void)state;
    struct hv_options o;
    struct reports r;
    options_defaults(&o);
    assert_int_equal(o.gdb.addr, 0);                       /* the console's wire */
    assert_false(options_given(&o, "gdb"));
    assert_int_equal(parse("gdb=com4", &o, &r), 0);
    assert_int_equal(o.gdb.kind, SERIAL_IO);
    assert_int_equal(o.gdb.addr, 0x2E8);
    assert_int_equal(parse("gdb=console", &o, &r), 0);
    assert_int_equal(o.gdb.addr, 0);
    assert_true(options_given(&o, "gdb"));
    assert_int_equal(parse("gdb=mmio:0xfe000000,4", &o, &r), 0);
    assert_int_equal(o.gdb.kind, SERIAL_MMIO);
    assert_int_equal(parse("gdb=com5", &o, &r), 1);
    assert_string_equal(r.msg[0], "cmdline: gdb: 'com5' is not an I/O port (1 to 0xfff8, com1-com4), "
                                  "mmio:ADDR[,1|4] or pci:BB:DD.F; using default console");
    assert_int_equal(parse("serial=console", &o, &r), 1);   /* only gdb= has no UART of its own */
    assert_int_equal(parse("serial=com2", &o, &r), 0);
    assert_int_equal(o.serial.addr, 0x2F8);
}

static void test_format_defaults(void **state)
{
    (void)state;
    struct hv_options o;
    char buf[512];
    options_defaults(&o);
    assert_ptr_equal(options_format(&o, buf, sizeof(buf)), buf);
    assert_string_equal(buf, "opt.serial=0x3f8 opt.baud=115200 opt.run=\"\" opt.hlt=guest "
                             "opt.onexit=poweroff opt.poll_us=10000 opt.ept=static "
                             "opt.ept_refuse=stop opt.ept_ad=0 opt.mem=0 opt.cpuid=\"\" opt.cpus=\"\" "
                             "opt.verbose=0 opt.iommu=on opt.gdb=console opt.gdb_wait=0 "
                             "opt.kvm_leaves=1 opt.console=monitor");
}

static void test_format_parsed_values(void **state)
{
    (void)state;
    struct hv_options o;
    struct reports r;
    char buf[512];
    assert_int_equal(parse("serial=0x2f8 baud=9600 run=\"info; quit\" hlt=exit onexit=console "
                           "poll_us=0 ept=lazy ept_refuse=gp ept_ad=1 mem=64M cpuid=-avx,+x2apic "
                           "cpus=0,2 iommu=off gdb=com2 gdb_wait=1 kvm_leaves=0 console=guest",
                           &o, &r), 0);
    options_format(&o, buf, sizeof(buf));
    assert_string_equal(buf, "opt.serial=0x2f8 opt.baud=9600 opt.run=\"info; quit\" opt.hlt=exit "
                             "opt.onexit=console opt.poll_us=0 opt.ept=lazy opt.ept_refuse=gp "
                             "opt.ept_ad=1 opt.mem=67108864 opt.cpuid=\"-avx,+x2apic\" opt.cpus=\"0,2\" "
                             "opt.verbose=0 opt.iommu=off opt.gdb=0x2f8 opt.gdb_wait=1 "
                             "opt.kvm_leaves=0 opt.console=guest");
    assert_int_equal(o.hlt, HLT_EXIT);
    assert_int_equal(o.iommu, IOMMU_OFF);
    assert_int_equal(o.console, CONSOLE_GUEST);
    assert_int_equal(o.onexit, ONEXIT_CONSOLE);
}

static void test_choice_option_rejects_unknown_value_by_name(void **state)
{
    (void)state;
    struct hv_options o;
    struct reports r;
    assert_int_equal(parse("hlt=sometimes onexit=reboot", &o, &r), 2);
    assert_int_equal(r.count, 2);
    assert_string_equal(r.msg[0], "cmdline: hlt: 'sometimes' is not one of guest|exit; using default guest");
    assert_string_equal(r.msg[1], "cmdline: onexit: 'reboot' is not one of poweroff|console; "
                                  "using default poweroff");
    assert_int_equal(o.hlt, HLT_GUEST);
    assert_int_equal(o.onexit, ONEXIT_POWEROFF);
}

static void test_format_truncates_inside_first_option(void **state)
{
    (void)state;
    struct hv_options o;
    char buf[16];
    memset(buf, 'x', sizeof(buf));
    options_defaults(&o);
    options_format(&o, buf, 10);
    assert_string_equal(buf, "opt.seria");
    assert_int_equal(buf[10], 'x');
}

static void test_format_truncates_between_options(void **state)
{
    (void)state;
    struct hv_options o;
    char buf[64];
    const char *first = "opt.serial=0x3f8";
    size_t size = strlen(first) + 1;
    memset(buf, 'x', sizeof(buf));
    options_defaults(&o);
    options_format(&o, buf, size);
    assert_string_equal(buf, first);
    assert_int_equal(buf[size], 'x');
    options_format(&o, buf, size + 4);
    assert_string_equal(buf, "opt.serial=0x3f8 opt");
    assert_int_equal(buf[size + 4], 'x');
}

static void test_format_size_one(void **state)
{
    (void)state;
    struct hv_options o;
    char buf[4] = "abc";
    options_defaults(&o);
    options_format(&o, buf, 1);
    assert_string_equal(buf, "");
    assert_int_equal(buf[1], 'b');
}

/* ---- parse_cpu_list ----------------------------------------------------------- */

static uint64_t cpu_list(const char *s)
{
    uint64_t m = 0x1234;
    char err[96] = "untouched";
    assert_int_equal(parse_cpu_list(s, &m, err, sizeof(err)), 0);
    assert_string_equal(err, "untouched");
    return m;
}

static void test_cpu_list_forms(void **state)
{
    (void)state;
    assert_true(cpu_list("") == ~0ull);
    assert_true(cpu_list("all") == ~0ull);
    assert_true(cpu_list("0") == 1);
    assert_true(cpu_list("0,2") == 5);
    assert_true(cpu_list("0-3") == 0xF);
    assert_true(cpu_list("0-3,6,8-9") == 0x34F);
    assert_true(cpu_list("63") == 1ull << 63);
    assert_true(cpu_list("0x10") == 1ull << 16);
    assert_true(cpu_list("2,2,1-2") == 6);
}

static void assert_cpu_list_error(const char *s, const char *msg)
{
    uint64_t m = 0x1234;
    char err[96] = "";
    assert_int_equal(parse_cpu_list(s, &m, err, sizeof(err)), -1);
    assert_int_equal(m, 0x1234);
    assert_string_equal(err, msg);
}

static void test_cpu_list_errors_name_the_bad_item(void **state)
{
    (void)state;
    assert_cpu_list_error("64", "'64' is not a core number 0-63 or a range FIRST-LAST");
    assert_cpu_list_error("0,x", "'x' is not a core number 0-63 or a range FIRST-LAST");
    assert_cpu_list_error("3-1", "'3-1' is not a core number 0-63 or a range FIRST-LAST");
    assert_cpu_list_error("1-", "'1-' is not a core number 0-63 or a range FIRST-LAST");
    assert_cpu_list_error("0,,1", "'' is not a core number or range");
    assert_cpu_list_error(",", "'' is not a core number or range");
    assert_cpu_list_error("0,123456789012345678901234", "'123456789012345678901234' is not a core number or range");
}

/* ---- parse_uint ------------------------------------------------------------- */

static uint64_t uint_ok(const char *s, bool sizes)
{
    uint64_t v = 0xDEAD;
    if (!parse_uint(s, sizes, &v))
        fail_msg("parse_uint(\"%s\", %d) failed", s, sizes);
    return v;
}

static void uint_bad(const char *s, bool sizes)
{
    uint64_t v = 0xDEAD;
    if (parse_uint(s, sizes, &v))
        fail_msg("parse_uint(\"%s\", %d) accepted", s, sizes);
    assert_int_equal(v, 0xDEAD);        /* *out untouched on failure */
}

static void test_parse_uint_decimal(void **state)
{
    (void)state;
    assert_int_equal(uint_ok("0", false), 0);
    assert_int_equal(uint_ok("7", false), 7);
    assert_int_equal(uint_ok("115200", false), 115200);
    assert_int_equal(uint_ok("00012", false), 12);
    assert_int_equal(uint_ok("18446744073709551615", false), UINT64_MAX);
}

static void test_parse_uint_hex(void **state)
{
    (void)state;
    assert_int_equal(uint_ok("0x0", false), 0);
    assert_int_equal(uint_ok("0x3F8", false), 0x3F8);
    assert_int_equal(uint_ok("0X3f8", false), 0x3F8);
    assert_int_equal(uint_ok("0xaBcDeF", false), 0xABCDEF);
    assert_int_equal(uint_ok("0x0123456789", false), 0x123456789ULL);
    assert_int_equal(uint_ok("0xFFFFFFFFFFFFFFFF", false), UINT64_MAX);
    assert_int_equal(uint_ok("0x000000000000000000001", false), 1);
}

static void test_parse_uint_rejects_garbage(void **state)
{
    (void)state;
    uint_bad("", false);
    uint_bad("0x", false);
    uint_bad("0X", true);
    uint_bad("x10", false);
    uint_bad("-1", false);
    uint_bad("+1", false);
    uint_bad(" 1", false);
    uint_bad("1 ", false);
    uint_bad("12a", false);     /* hex digits need 0x */
    uint_bad("0xg", false);
    uint_bad("0x12G", false);
    uint_bad("0x1-", false);
    uint_bad("0x1 ", false);
    uint_bad("1.5", false);
}

static void test_parse_uint_overflow(void **state)
{
    (void)state;
    uint_bad("18446744073709551616", false);
    uint_bad("99999999999999999999", false);
    uint_bad("0x10000000000000000", false);
    uint_bad("0x1FFFFFFFFFFFFFFFF", false);
}

static void test_parse_uint_size_suffixes(void **state)
{
    (void)state;
    assert_int_equal(uint_ok("4K", true), 4096);
    assert_int_equal(uint_ok("4k", true), 4096);
    assert_int_equal(uint_ok("16M", true), 16ULL << 20);
    assert_int_equal(uint_ok("16m", true), 16ULL << 20);
    assert_int_equal(uint_ok("2G", true), 2ULL << 30);
    assert_int_equal(uint_ok("2g", true), 2ULL << 30);
    assert_int_equal(uint_ok("3T", true), 3ULL << 40);
    assert_int_equal(uint_ok("3t", true), 3ULL << 40);
    assert_int_equal(uint_ok("0x10K", true), 16ULL << 10);
    assert_int_equal(uint_ok("0K", true), 0);
    assert_int_equal(uint_ok("1234", true), 1234);     /* suffix optional */
}

static void test_parse_uint_suffix_needs_sizes(void **state)
{
    (void)state;
    uint_bad("4K", false);
    uint_bad("1M", false);
    uint_bad("1G", false);
    uint_bad("1T", false);
}

static void test_parse_uint_bad_suffixes(void **state)
{
    (void)state;
    uint_bad("4KB", true);      /* only one suffix letter */
    uint_bad("4KK", true);
    uint_bad("4P", true);       /* no peta */
    uint_bad("4 K", true);
    uint_bad("4x", true);
    uint_bad("0x4Kz", true);
}

static void test_parse_uint_suffix_needs_digits(void **state)
{
    (void)state;
    uint_bad("K", true);
    uint_bad("M", true);
    uint_bad("0xK", true);
}

static void test_parse_uint_suffix_overflow(void **state)
{
    (void)state;
    assert_int_equal(uint_ok("16777215T", true), 0xFFFFFFULL << 40);
    uint_bad("16777216T", true);
    assert_int_equal(uint_ok("17179869183G", true), 17179869183ULL << 30);
    uint_bad("17179869184G", true);
    assert_int_equal(uint_ok("0x3FFFFFFFFFFFFFK", true), 0x3FFFFFFFFFFFFFULL << 10);
    uint_bad("0x40000000000000K", true);
}

/* options_given: set by a word that parsed, not by defaults or refusals. */
/* serial=: a port, an MMIO 16550 or a PCI card; what is wrong with each
 * bad form said; the value shown as it is taken. */
static void test_parse_serial_forms(void **state)
{
    (void)state;
    struct hv_options o;
    struct reports r;
    char buf[32], err[128];
    assert_int_equal(parse("serial=pci:00:03.0", &o, &r), 0);
    assert_int_equal(o.serial.kind, SERIAL_PCI);
    assert_int_equal(o.serial.bdf, 3 << 3);
    format_serial(&o.serial, buf, sizeof(buf));
    assert_string_equal(buf, "pci:00:03.0");
    assert_int_equal(parse("serial=pci:Fe:1f.7", &o, &r), 0);
    assert_int_equal(o.serial.bdf, 0xFE << 8 | 31 << 3 | 7);
    format_serial(&o.serial, buf, sizeof(buf));
    assert_string_equal(buf, "pci:fe:1f.7");
    assert_int_equal(parse("serial=mmio:0xfedc9000,4", &o, &r), 0);
    assert_int_equal(o.serial.kind, SERIAL_MMIO);
    assert_int_equal(o.serial.addr, 0xFEDC9000);
    assert_int_equal(o.serial.width, 4);
    format_serial(&o.serial, buf, sizeof(buf));
    assert_string_equal(buf, "mmio:0xfedc9000,4");
    assert_int_equal(parse("serial=mmio:0xfe000001", &o, &r), 0);
    assert_int_equal(o.serial.width, 1);
    assert_int_equal(parse("serial=0x2f8", &o, &r), 0);
    format_serial(&o.serial, buf, sizeof(buf));
    assert_string_equal(buf, "0x2f8");
    assert_true(options_given(&o, "serial"));

    static const struct { const char *in, *why; } bad[] = {
        { "pci:0:3.0", 0 },                     /* accepted: one hex digit per field is fine */
        { "pci:00:20.0", "'pci:00:20.0' is not pci:BB:DD.F (bus 00-ff, device 00-1f, function "
                         "0-7, in hex)" },
        { "pci:00:03.8", "'pci:00:03.8' is not pci:BB:DD.F (bus 00-ff, device 00-1f, function "
                         "0-7, in hex)" },
        { "pci:100:03.0", "'pci:100:03.0' is not pci:BB:DD.F (bus 00-ff, device 00-1f, function "
                          "0-7, in hex)" },
        { "pci:00:03", "'pci:00:03' is not pci:BB:DD.F (bus 00-ff, device 00-1f, function 0-7, "
                       "in hex)" },
        { "pci:", "'pci:' is not pci:BB:DD.F (bus 00-ff, device 00-1f, function 0-7, in hex)" },
        { "mmio:", "'mmio:' is not mmio:ADDR[,1|4] (a nonzero address, the registers' width 1 "
                   "or 4)" },
        { "mmio:0", "'mmio:0' is not mmio:ADDR[,1|4] (a nonzero address, the registers' width 1 "
                    "or 4)" },
        { "mmio:0x1000,2", "'mmio:0x1000,2' is not mmio:ADDR[,1|4] (a nonzero address, the "
                           "registers' width 1 or 4)" },
        { "mmio:0x1000,", "'mmio:0x1000,' is not mmio:ADDR[,1|4] (a nonzero address, the "
                          "registers' width 1 or 4)" },
        { "mmio:0x1002,4", "mmio address 0x1002 is not aligned to the register width" },
        { "mmio:0x100000000", "mmio address 0x100000000 is above 4 GiB (the hypervisor maps the "
                              "low 4 GiB)" },
        { "mmio:0x10000000000000000000", "'mmio:0x10000000000000000000' is not mmio:ADDR[,1|4] "
                                         "(a nonzero address, the registers' width 1 or 4)" },
        { "0", "'0' is not an I/O port (1 to 0xfff8, com1-com4), mmio:ADDR[,1|4] or pci:BB:DD.F" },
        { "com0", "'com0' is not an I/O port (1 to 0xfff8, com1-com4), mmio:ADDR[,1|4] or pci:BB:DD.F" },
    };
    for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct serial_spec sp = { 9, 9, 9, 9 };
        err[0] = '\0';
        int rc = parse_serial(bad[i].in, &sp, err, sizeof(err));
        if (!bad[i].why) {
            assert_int_equal(rc, 0);
            continue;
        }
        assert_int_equal(rc, -1);
        assert_string_equal(err, bad[i].why);
        assert_int_equal(sp.kind, 9);           /* untouched */
    }
}

static void test_given(void **state)
{
    (void)state;
    struct hv_options o;
    options_defaults(&o);
    assert_false(options_given(&o, "serial"));
    struct reports r;
    assert_int_equal(parse("serial=0x2f8 baud=0 verbose=1", &o, &r), 1);
    assert_true(options_given(&o, "serial"));
    assert_false(options_given(&o, "baud"));        /* out of its range: refused */
    assert_true(options_given(&o, "verbose"));
    assert_false(options_given(&o, "ept"));
    assert_false(options_given(&o, "nosuch"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_given),
        cmocka_unit_test(test_parse_serial_forms),
        cmocka_unit_test(test_parse_null_cmdline_keeps_defaults),
        cmocka_unit_test(test_parse_empty_cmdline_keeps_defaults),
        cmocka_unit_test(test_parse_numbers),
        cmocka_unit_test(test_parse_range_limits_are_inclusive),
        cmocka_unit_test(test_parse_quoted_run_value),
        cmocka_unit_test(test_parse_run_with_escapes_and_equals),
        cmocka_unit_test(test_parse_empty_string_value),
        cmocka_unit_test(test_parse_last_value_wins),
        cmocka_unit_test(test_parse_longest_string_fits),
        cmocka_unit_test(test_parse_longest_cmdline_accepted),
        cmocka_unit_test(test_parse_does_not_modify_cmdline),
        cmocka_unit_test(test_parse_unknown_option_reported_by_name),
        cmocka_unit_test(test_parse_unknown_boolean_option),
        cmocka_unit_test(test_parse_option_names_match_exactly),
        cmocka_unit_test(test_parse_empty_option_name),
        cmocka_unit_test(test_parse_missing_value),
        cmocka_unit_test(test_parse_malformed_number),
        cmocka_unit_test(test_parse_empty_number),
        cmocka_unit_test(test_parse_no_size_suffix_for_plain_numbers),
        cmocka_unit_test(test_parse_number_overflow),
        cmocka_unit_test(test_parse_out_of_range),
        cmocka_unit_test(test_parse_overlong_string_value),
        cmocka_unit_test(test_parse_overlong_cmdline),
        cmocka_unit_test(test_parse_unterminated_quote_ignores_everything),
        cmocka_unit_test(test_parse_dangling_backslash),
        cmocka_unit_test(test_parse_too_many_words),
        cmocka_unit_test(test_parse_counts_every_problem),
        cmocka_unit_test(test_parse_long_unknown_name_report_is_truncated),
        cmocka_unit_test(test_gdb_wire_forms),
        cmocka_unit_test(test_format_defaults),
        cmocka_unit_test(test_choice_option_rejects_unknown_value_by_name),
        cmocka_unit_test(test_format_parsed_values),
        cmocka_unit_test(test_format_truncates_inside_first_option),
        cmocka_unit_test(test_format_truncates_between_options),
        cmocka_unit_test(test_format_size_one),
        cmocka_unit_test(test_parse_uint_decimal),
        cmocka_unit_test(test_parse_uint_hex),
        cmocka_unit_test(test_parse_uint_rejects_garbage),
        cmocka_unit_test(test_parse_uint_overflow),
        cmocka_unit_test(test_parse_uint_size_suffixes),
        cmocka_unit_test(test_parse_uint_suffix_needs_sizes),
        cmocka_unit_test(test_parse_uint_bad_suffixes),
        cmocka_unit_test(test_parse_uint_suffix_needs_digits),
        cmocka_unit_test(test_parse_uint_suffix_overflow),
        cmocka_unit_test(test_cpu_list_forms),
        cmocka_unit_test(test_cpu_list_errors_name_the_bad_item),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
