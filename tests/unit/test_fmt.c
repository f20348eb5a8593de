// covers: kernel/fmt.c
/*
 * test_fmt.c - host unit tests of the freestanding printf core (kernel/fmt.c).
 *
 * Most checks format the same thing with the host C library's snprintf and
 * with fmt_snprintf and require identical bytes and return values. Behaviour
 * that the C standard leaves open (or that GCC's -Wformat rejects) is checked
 * against explicit expected strings instead.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>

#include "../../kernel/fmt.h"

#define BUFSZ 256

/* Fails the test with the format that differed and both outputs. */
static void check_same_output(const char *what, const char *want, int want_n,
                              const char *got, int got_n)
{
    if (want_n != got_n || memcmp(want, got, BUFSZ) != 0) {
        print_error("format %s\n  libc: %d \"%s\"\n  fmt:  %d \"%s\"\n",
                    what, want_n, want, got_n, got);
        fail();
    }
}

/*
 * SAME(fmt, args...) - fmt_snprintf and snprintf into 256-byte buffers
 * prefilled with a sentinel must agree exactly (bytes and return value).
 */
#define SAME(...)                                         \
    do {                                                                    \
        char want_[BUFSZ], got_[BUFSZ];                                     \
        memset(want_, '#', sizeof(want_));                                  \
        memset(got_, '#', sizeof(got_));                                    \
        int want_n_ = snprintf(want_, sizeof(want_), __VA_ARGS__);                 \
        int got_n_ = fmt_snprintf(got_, sizeof(got_), __VA_ARGS__);               \
        check_same_output(#__VA_ARGS__, want_, want_n_, got_, got_n_);      \
    } while (0)

/* Same check for a format string built at run time, into `size` bytes. */
static void vcheck_runtime_format(size_t size, const char *f, va_list ap)
{
    char want[BUFSZ], got[BUFSZ];
    va_list ap2;

    memset(want, '#', sizeof(want));
    memset(got, '#', sizeof(got));
    va_copy(ap2, ap);
    int want_n = vsnprintf(want, size, f, ap);
    int got_n = fmt_vsnprintf(got, size, f, ap2);
    va_end(ap2);
    check_same_output(f, want, want_n, got, got_n);
}

static void check_runtime_format(const char *f, ...)
{
    va_list ap;
    va_start(ap, f);
    vcheck_runtime_format(BUFSZ, f, ap);
    va_end(ap);
}

static void check_runtime_format_sized(size_t size, const char *f, ...)
{
    va_list ap;
    va_start(ap, f);
    vcheck_runtime_format(size, f, ap);
    va_end(ap);
}

/*
 * fmt_unchecked - fmt_vsnprintf without the printf format attribute, for
 * formats GCC's -Wformat rejects on purpose (unknown conversions, flags
 * that do not apply, a lone '%').
 */
static int fmt_unchecked(char *buf, size_t size, const char *f, ...)
{
    va_list ap;
    va_start(ap, f);
    int n = fmt_vsnprintf(buf, size, f, ap);
    va_end(ap);
    return n;
}

/* ---- plain text and %% -------------------------------------------------- */

static void test_plain_text_is_copied(void **state)
{
    (void)state;
    SAME("hello, world");
    SAME("%s", "");
    SAME("a\tb\nc");
}

static void test_empty_format_gives_empty_string(void **state)
{
    (void)state;
    char buf[8] = "xxxxxxx";
    assert_int_equal(fmt_snprintf(buf, sizeof(buf), "%s", ""), 0);
    assert_string_equal(buf, "");
    SAME("%s", "");
}

static void test_percent_percent(void **state)
{
    (void)state;
    SAME("%%");
    SAME("100%% sure");
    SAME("%%%d%%", 5);
}

/* ---- signed decimal ---------------------------------------------------- */

static void test_signed_decimal_values(void **state)
{
    (void)state;
    SAME("%d", 0);
    SAME("%d", 1);
    SAME("%d", -1);
    SAME("%d", 42);
    SAME("%i", -42);
    SAME("%d", INT_MAX);
    SAME("%d", INT_MIN);
    SAME("%i", INT_MIN);
    SAME("[%d|%i]", 123456789, -987654321);
}

static void test_signed_decimal_flags(void **state)
{
    (void)state;
    SAME("%+d", 5);
    SAME("%+d", -5);
    SAME("%+d", 0);
    SAME("% d", 5);
    SAME("% d", -5);
    check_runtime_format("%+ d", 5);            /* '+' wins over ' ' */
    check_runtime_format("% +d", 5);
    SAME("%5d", 42);
    SAME("%-5d|", 42);
    SAME("%05d", 42);
    SAME("%05d", -42);
    SAME("%+05d", 42);
    SAME("% 05d", 42);
    check_runtime_format("%-05d|", -42);        /* '-' wins over '0' */
    SAME("%1d", 12345);         /* width smaller than the number */
}

static void test_signed_decimal_precision(void **state)
{
    (void)state;
    SAME("%.3d", 7);
    SAME("%.3d", -7);
    SAME("%.1d", 12345);
    SAME("%8.3d", -7);
    SAME("%-8.3d|", 7);
    check_runtime_format("%08.3d", 7);          /* '0' ignored with a precision */
    SAME("%.0d", 0);            /* zero with precision 0 prints nothing */
    SAME("%5.0d|", 0);
    SAME("%+.0d", 0);
    SAME("% .0d", 0);
    SAME("%.0d", 1);
    SAME("%.d", 0);             /* '.' alone means precision 0 */
    SAME("%.20d", INT_MIN);
}

/* ---- unsigned, hex, octal ---------------------------------------------- */

static void test_unsigned_conversions(void **state)
{
    (void)state;
    SAME("%u", 0u);
    SAME("%u", 42u);
    SAME("%u", UINT_MAX);
    SAME("%x", 0u);
    SAME("%x", 0xdeadbeefu);
    SAME("%X", 0xdeadbeefu);
    SAME("%x", UINT_MAX);
    SAME("%o", 0u);
    SAME("%o", 8u);
    SAME("%o", 0777u);
    SAME("%o", UINT_MAX);
    SAME("%08x", 0xbeefu);
    SAME("%-8X|", 0xbeefu);
    SAME("%.6o", 8u);
    SAME("%.0x", 0u);
    SAME("%.0o", 0u);
    SAME("%.0u", 0u);
}

static void test_alternate_form_hex(void **state)
{
    (void)state;
    SAME("%#x", 255u);
    SAME("%#X", 255u);
    SAME("%#x", 0u);            /* no prefix for zero */
    SAME("%#.0x", 0u);
    SAME("%#10x|", 255u);
    SAME("%#-10x|", 255u);
    SAME("%#010x", 255u);       /* zeros go after the prefix */
    SAME("%#.5x", 255u);
    SAME("%#10.5X", 255u);
    SAME("%#x", 1u);
}

static void test_alternate_form_octal(void **state)
{
    (void)state;
    SAME("%#o", 8u);
    SAME("%#o", 0u);            /* already starts with 0 */
    SAME("%#.0o", 0u);          /* alt form forces the single 0 */
    SAME("%#.3o", 8u);          /* precision already gives the 0 */
    SAME("%#.5o", 8u);
    SAME("%#08o", 8u);
    SAME("%#-8o|", 8u);
    SAME("%#o", UINT_MAX);
}

static void test_sign_flags_ignored_for_unsigned(void **state)
{
    (void)state;
    char buf[32];
    /* GCC warns about these, the C standard says they do nothing. */
    assert_int_equal(fmt_unchecked(buf, sizeof(buf), "%+u", 0u), 1);
    assert_string_equal(buf, "0");
    assert_int_equal(fmt_unchecked(buf, sizeof(buf), "% u", 42u), 2);
    assert_string_equal(buf, "42");
    assert_int_equal(fmt_unchecked(buf, sizeof(buf), "%+05llu", 7ULL), 5);
    assert_string_equal(buf, "00007");
    assert_int_equal(fmt_unchecked(buf, sizeof(buf), "%+x", 255u), 2);
    assert_string_equal(buf, "ff");
    assert_int_equal(fmt_unchecked(buf, sizeof(buf), "% X", 255u), 2);
    assert_string_equal(buf, "FF");
    assert_int_equal(fmt_unchecked(buf, sizeof(buf), "%+o", 8u), 2);
    assert_string_equal(buf, "10");
    assert_int_equal(fmt_unchecked(buf, sizeof(buf), "% +#x", 255u), 4);
    assert_string_equal(buf, "0xff");
}

/* ---- length modifiers ---------------------------------------------------- */

static void test_length_hh(void **state)
{
    (void)state;
    SAME("%hhd", 300);          /* converted to signed char: 44 */
    SAME("%hhd", 200);          /* -56 */
    SAME("%hhd", -1);
    SAME("%hhu", 300);
    SAME("%hhu", -1);
    SAME("%hhx", 0x1234);
    SAME("%hho", 0777);
    SAME("%hhi", (signed char)-128);
}

static void test_length_h(void **state)
{
    (void)state;
    SAME("%hd", 70000);
    SAME("%hd", -70000);
    SAME("%hd", (short)SHRT_MIN);
    SAME("%hu", 70000);
    SAME("%hu", -1);
    SAME("%hX", 0x12345678);
    SAME("%ho", 0x10000);
}

static void test_length_l_and_ll(void **state)
{
    (void)state;
    SAME("%ld", 0L);
    SAME("%ld", LONG_MAX);
    SAME("%ld", LONG_MIN);
    SAME("%li", -1234567890123L);
    SAME("%lu", ULONG_MAX);
    SAME("%lx", 0x123456789abcdefUL);
    SAME("%#lo", ULONG_MAX);
    SAME("%lld", LLONG_MIN);
    SAME("%lld", LLONG_MAX);
    SAME("%llu", ULLONG_MAX);
    SAME("%llX", 0xFEDCBA9876543210ULL);
    SAME("%#llx", 0x8000000000000000ULL);
    SAME("%+20lld|", 1LL);
    SAME("%-25llo|", ULLONG_MAX);
}

static void test_length_z_j_t(void **state)
{
    (void)state;
    SAME("%zu", (size_t)0);
    SAME("%zu", SIZE_MAX);
    SAME("%zx", (size_t)0xabcdef0123ULL);
    SAME("%zd", (ssize_t)-1);
    SAME("%zd", (ssize_t)12345);
    SAME("%jd", INTMAX_MIN);
    SAME("%jd", INTMAX_MAX);
    SAME("%ju", UINTMAX_MAX);
    SAME("%jx", (uintmax_t)0x1122334455667788ULL);
    SAME("%td", (ptrdiff_t)-5);
    SAME("%td", PTRDIFF_MAX);
    SAME("%td", PTRDIFF_MIN);
    SAME("%tx", (ptrdiff_t)-1);
    SAME("%to", (ptrdiff_t)8);
}

static void test_length_modifier_keeps_argument_alignment(void **state)
{
    (void)state;
    /* Mixing sizes must consume exactly one argument of each type. */
    SAME("%hhd %hd %d %ld %lld %zu %jd %td %s",
         (signed char)1, (short)2, 3, 4L, 5LL, (size_t)6, (intmax_t)7, (ptrdiff_t)8, "end");
    SAME("%llx-%x-%llx", 0x1111111122222222ULL, 0x33333333u, 0x4444444455555555ULL);
}

/* ---- %c, %s, %p ------------------------------------------------------ */

static void test_char_conversion(void **state)
{
    (void)state;
    SAME("%c", 'a');
    SAME("%c%c%c", 'x', 'y', 'z');
    SAME("%5c|", 'q');
    SAME("%-5c|", 'q');
    SAME("%1c", 'q');
    SAME("%c", 0x141);          /* converted to unsigned char: 'A' */
}

static void test_char_nul_is_counted(void **state)
{
    (void)state;
    char buf[8];
    memset(buf, 'x', sizeof(buf));
    assert_int_equal(fmt_snprintf(buf, sizeof(buf), "a%cb", 0), 3);
    assert_int_equal(buf[0], 'a');
    assert_int_equal(buf[1], '\0');
    assert_int_equal(buf[2], 'b');
    assert_int_equal(buf[3], '\0');
    SAME("a%cb", 0);
}

static void test_string_conversion(void **state)
{
    (void)state;
    SAME("%s", "hello");
    SAME("[%s]", "");
    SAME("%10s|", "hello");
    SAME("%-10s|", "hello");
    SAME("%2s|", "hello");
    SAME("%.3s|", "hello");
    SAME("%.0s|", "hello");
    SAME("%.10s|", "hello");
    SAME("%8.3s|", "hello");
    SAME("%-8.3s|", "hello");
    SAME("%s and %s", "this", "that");
}

static void test_string_precision_does_not_read_past_it(void **state)
{
    (void)state;
    const char not_terminated[3] = { 'a', 'b', 'c' };
    char buf[16];
    assert_int_equal(fmt_snprintf(buf, sizeof(buf), "%.3s!", not_terminated), 4);
    assert_string_equal(buf, "abc!");
    assert_int_equal(fmt_snprintf(buf, sizeof(buf), "%.*s!", 2, not_terminated), 3);
    assert_string_equal(buf, "ab!");
}

static void test_null_string_prints_null(void **state)
{
    (void)state;
    char buf[32];
    const char *nothing = NULL;
    assert_int_equal(fmt_unchecked(buf, sizeof(buf), "%s", nothing), 6);
    assert_string_equal(buf, "(null)");
    assert_int_equal(fmt_unchecked(buf, sizeof(buf), "[%8s]", nothing), 10);
    assert_string_equal(buf, "[  (null)]");
    assert_int_equal(fmt_unchecked(buf, sizeof(buf), "[%-8s]", nothing), 10);
    assert_string_equal(buf, "[(null)  ]");
    assert_int_equal(fmt_unchecked(buf, sizeof(buf), "[%.3s]", nothing), 5);
    assert_string_equal(buf, "[(nu]");
}

static void test_pointer_conversion(void **state)
{
    (void)state;
    int x;
    SAME("%p", (void *)&x);
    SAME("%p", (void *)0x1000);
    SAME("%p", (void *)UINTPTR_MAX);
    SAME("%20p|", (void *)0xabcdef);
    SAME("%-20p|", (void *)0xabcdef);
}

static void test_null_pointer_prints_zero(void **state)
{
    (void)state;
    char buf[16];
    /* glibc prints "(nil)"; fmt prints the number like %#x does. */
    assert_int_equal(fmt_snprintf(buf, sizeof(buf), "%p", (void *)0), 1);
    assert_string_equal(buf, "0");
    assert_int_equal(fmt_snprintf(buf, sizeof(buf), "[%4p]", (void *)0), 6);
    assert_string_equal(buf, "[   0]");
}

static void test_pointer_ignores_sign_flags(void **state)
{
    (void)state;
    char buf[32];
    assert_int_equal(fmt_unchecked(buf, sizeof(buf), "%+p", (void *)0xff), 4);
    assert_string_equal(buf, "0xff");
    assert_int_equal(fmt_unchecked(buf, sizeof(buf), "% p", (void *)0xff), 4);
    assert_string_equal(buf, "0xff");
}

/* ---- '*' width and precision ----------------------------------------- */

static void test_star_width_and_precision(void **state)
{
    (void)state;
    SAME("%*d|", 6, 42);
    SAME("%-*d|", 6, 42);
    SAME("%*d|", -6, 42);       /* negative width: left-justify */
    SAME("%0*d|", -6, 42);
    SAME("%.*d|", 4, 42);
    SAME("%.*d|", -4, 42);      /* negative precision: as if omitted */
    check_runtime_format("%0*.*d|", 8, -1, 42); /* ... so the '0' flag applies again */
    SAME("%*.*s|", 8, 2, "hello");
    SAME("%*.*x|", -8, 4, 0xabu);
    SAME("%*c|", 3, 'z');
    SAME("%.*s|", 0, "hello");
}

/* ---- systematic cross-checks ------------------------------------------ */

static const char *const flag_sets[] = {
    "", "-", "0", "+", " ", "#", "-0", "-+", "+0", " 0", "-#", "#0", "+ ", "-+ 0#",
};
static const char *const widths[] = { "", "1", "4", "12", "30" };
static const char *const precisions[] = { "", ".", ".0", ".1", ".4", ".15" };

static void test_int_conversions_all_flag_width_precision_combinations(void **state)
{
    (void)state;
    static const int values[] = { 0, 1, -1, 7, -7, 42, 255, -256, 65535, INT_MAX, INT_MIN };
    static const char convs[] = "diuxXo";
    char f[32];

    for (size_t c = 0; convs[c]; c++)
        for (size_t fl = 0; fl < sizeof(flag_sets) / sizeof(flag_sets[0]); fl++) {
            /* '#' with d/i/u is undefined behaviour: skip those combinations. */
            if (strchr(flag_sets[fl], '#') && strchr("diu", convs[c]))
                continue;
            for (size_t w = 0; w < sizeof(widths) / sizeof(widths[0]); w++)
                for (size_t p = 0; p < sizeof(precisions) / sizeof(precisions[0]); p++) {
                    snprintf(f, sizeof(f), "[%%%s%s%s%c]", flag_sets[fl], widths[w],
                             precisions[p], convs[c]);
                    for (size_t v = 0; v < sizeof(values) / sizeof(values[0]); v++)
                        check_runtime_format(f, values[v]);
                }
        }
}

static void test_long_long_conversions_all_flag_width_precision_combinations(void **state)
{
    (void)state;
    static const long long values[] = {
        0, 1, -1, 0x7fffffffLL + 1, -0x80000000LL - 1, LLONG_MAX, LLONG_MIN,
        01234567012345670LL,
    };
    static const char convs[] = "diuxXo";
    char f[32];

    for (size_t c = 0; convs[c]; c++)
        for (size_t fl = 0; fl < sizeof(flag_sets) / sizeof(flag_sets[0]); fl++) {
            if (strchr(flag_sets[fl], '#') && strchr("diu", convs[c]))
                continue;
            for (size_t w = 0; w < sizeof(widths) / sizeof(widths[0]); w++)
                for (size_t p = 0; p < sizeof(precisions) / sizeof(precisions[0]); p++) {
                    snprintf(f, sizeof(f), "%%%s%s%sll%c|", flag_sets[fl], widths[w],
                             precisions[p], convs[c]);
                    for (size_t v = 0; v < sizeof(values) / sizeof(values[0]); v++)
                        check_runtime_format(f, values[v]);
                }
        }
}

static void test_length_modifiers_with_every_conversion(void **state)
{
    (void)state;
    static const char convs[] = "diuxXo";
    char f[16];

    for (size_t c = 0; convs[c]; c++) {
        snprintf(f, sizeof(f), "%%hh%c", convs[c]);
        check_runtime_format(f, 0x1ff);
        check_runtime_format(f, -129);
        snprintf(f, sizeof(f), "%%h%c", convs[c]);
        check_runtime_format(f, 0x1ffff);
        check_runtime_format(f, -32769);
        snprintf(f, sizeof(f), "%%l%c", convs[c]);
        check_runtime_format(f, LONG_MIN);
        check_runtime_format(f, -2L);
        snprintf(f, sizeof(f), "%%z%c", convs[c]);
        check_runtime_format(f, SIZE_MAX);
        check_runtime_format(f, (size_t)1 << 40);
        snprintf(f, sizeof(f), "%%j%c", convs[c]);
        check_runtime_format(f, INTMAX_MIN);
        check_runtime_format(f, (intmax_t)-3);
        snprintf(f, sizeof(f), "%%t%c", convs[c]);
        check_runtime_format(f, PTRDIFF_MIN);
        check_runtime_format(f, (ptrdiff_t)99);
    }
}

static void test_string_all_width_precision_combinations(void **state)
{
    (void)state;
    static const char *const strs[] = { "", "a", "hello", "a much longer string here" };
    static const char *const sflags[] = { "", "-" };
    char f[32];

    for (size_t fl = 0; fl < 2; fl++)
        for (size_t w = 0; w < sizeof(widths) / sizeof(widths[0]); w++)
            for (size_t p = 0; p < sizeof(precisions) / sizeof(precisions[0]); p++) {
                snprintf(f, sizeof(f), "<%%%s%s%ss>", sflags[fl], widths[w], precisions[p]);
                for (size_t s = 0; s < sizeof(strs) / sizeof(strs[0]); s++)
                    check_runtime_format(f, strs[s]);
            }
}

/* ---- unknown conversions and a trailing '%' ----------------------------- */

static void test_unknown_conversion_printed_verbatim(void **state)
{
    (void)state;
    char buf[32];
    assert_int_equal(fmt_unchecked(buf, sizeof(buf), "a%qb"), 4);
    assert_string_equal(buf, "a%qb");
    assert_int_equal(fmt_unchecked(buf, sizeof(buf), "%y"), 2);
    assert_string_equal(buf, "%y");
    /* Flags, width, precision and length are dropped. */
    assert_int_equal(fmt_unchecked(buf, sizeof(buf), "%-08.3lw!"), 3);
    assert_string_equal(buf, "%w!");
    /* Unsupported standard conversions too (no floating point, no %n). */
    assert_int_equal(fmt_unchecked(buf, sizeof(buf), "%f %n"), 5);
    assert_string_equal(buf, "%f %n");
}

static void test_unknown_conversion_consumes_no_argument(void **state)
{
    (void)state;
    char buf[32];
    assert_int_equal(fmt_unchecked(buf, sizeof(buf), "%k %d", 17), 5);
    assert_string_equal(buf, "%k 17");
}

static void test_lone_trailing_percent_stops(void **state)
{
    (void)state;
    char buf[32];
    memset(buf, 'x', sizeof(buf));
    assert_int_equal(fmt_unchecked(buf, sizeof(buf), "abc%"), 3);
    assert_string_equal(buf, "abc");
    assert_int_equal(fmt_unchecked(buf, sizeof(buf), "%"), 0);
    assert_string_equal(buf, "");
}

static void test_trailing_incomplete_spec_stops(void **state)
{
    (void)state;
    char buf[32];
    static const char *const cut[] = {
        "ab%-", "ab%08", "ab%.", "ab%.3", "ab%l", "ab%ll", "ab%h", "ab%hh",
        "ab%z", "ab%j", "ab%t", "ab%#+ 0-12.7ll",
    };
    for (size_t i = 0; i < sizeof(cut) / sizeof(cut[0]); i++) {
        memset(buf, 'x', sizeof(buf));
        assert_int_equal(fmt_unchecked(buf, sizeof(buf), cut[i]), 2);
        assert_string_equal(buf, "ab");
    }
}

/* ---- buffer size, truncation and the return value --------------------- */

static void test_return_value_is_full_length(void **state)
{
    (void)state;
    char buf[64];
    assert_int_equal(fmt_snprintf(buf, sizeof(buf), "%d-%s", 1234, "abc"), 8);
    assert_string_equal(buf, "1234-abc");
}

static void test_truncation_matches_libc(void **state)
{
    (void)state;
    for (size_t size = 1; size <= 16; size++) {
        check_runtime_format_sized(size, "hello world %d", 12345);
        check_runtime_format_sized(size, "%08x|%-6s|", 0xbeefu, "ab");
        check_runtime_format_sized(size, "%c%c%c", 'a', 'b', 'c');
        check_runtime_format_sized(size, "%#llo %+.3d", 0777ULL, 5);
    }
}

static void test_truncated_output_is_terminated(void **state)
{
    (void)state;
    char buf[8];
    memset(buf, 'x', sizeof(buf));
    assert_int_equal(fmt_snprintf(buf, 5, "hello world"), 11);
    assert_string_equal(buf, "hell");
    assert_int_equal(buf[5], 'x');      /* nothing written past size */
}

static void test_exact_fit(void **state)
{
    (void)state;
    char buf[6];
    memset(buf, 'x', sizeof(buf));
    assert_int_equal(fmt_snprintf(buf, sizeof(buf), "%s", "hello"), 5);
    assert_string_equal(buf, "hello");
    assert_int_equal(fmt_snprintf(buf, 5, "%s", "hello"), 5);
    assert_string_equal(buf, "hell");
}

static void test_size_one_gives_empty_string(void **state)
{
    (void)state;
    char buf[4] = "abc";
    assert_int_equal(fmt_snprintf(buf, 1, "%d", 987), 3);
    assert_int_equal(buf[0], '\0');
    assert_int_equal(buf[1], 'b');
}

static void test_size_zero_writes_nothing(void **state)
{
    (void)state;
    char buf[4] = "abc";
    assert_int_equal(fmt_snprintf(buf, 0, "%s%d", "xyz", 42), 5);
    assert_string_equal(buf, "abc");
    /* C99: a NULL buffer with size 0 just measures. */
    assert_int_equal(fmt_snprintf(NULL, 0, "%s%d", "xyz", 42), 5);
}

/* ---- fmt_format with a caller's sink ----------------------------------- */

struct collect {
    char text[64];
    int calls;
};

static void collect_sink(void *ctx, char c)
{
    struct collect *col = ctx;
    if (col->calls < (int)sizeof(col->text) - 1)
        col->text[col->calls] = c;
    col->calls++;
}

static int format_to(struct collect *col, const char *f, ...)
{
    va_list ap;
    va_start(ap, f);
    int n = fmt_format(collect_sink, col, f, ap);
    va_end(ap);
    return n;
}

static void test_format_calls_sink_once_per_character(void **state)
{
    (void)state;
    struct collect col = { { 0 }, 0 };
    int n = format_to(&col, "x=%d %s", -3, "ok");
    assert_int_equal(n, 7);
    assert_int_equal(col.calls, 7);
    assert_string_equal(col.text, "x=-3 ok");
}

static void test_format_empty_produces_nothing(void **state)
{
    (void)state;
    struct collect col = { { 0 }, 0 };
    assert_int_equal(format_to(&col, ""), 0);
    assert_int_equal(col.calls, 0);
}

/* fmt_vsnprintf must not consume the caller's va_list for a second use. */
static int vsn_twice(char *a, char *b, size_t size, const char *f, ...)
{
    va_list ap;
    va_start(ap, f);
    int n1 = fmt_vsnprintf(a, size, f, ap);
    va_end(ap);
    va_start(ap, f);
    int n2 = fmt_vsnprintf(b, size, f, ap);
    va_end(ap);
    return n1 == n2 ? n1 : -1;
}

static void test_vsnprintf_repeatable(void **state)
{
    (void)state;
    char a[32], b[32];
    assert_int_equal(vsn_twice(a, b, sizeof(a), "%d:%s:%llx", 9, "nine", 0x9ULL), 8);
    assert_string_equal(a, "9:nine:9");
    assert_string_equal(b, "9:nine:9");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_text_is_copied),
        cmocka_unit_test(test_empty_format_gives_empty_string),
        cmocka_unit_test(test_percent_percent),
        cmocka_unit_test(test_signed_decimal_values),
        cmocka_unit_test(test_signed_decimal_flags),
        cmocka_unit_test(test_signed_decimal_precision),
        cmocka_unit_test(test_unsigned_conversions),
        cmocka_unit_test(test_alternate_form_hex),
        cmocka_unit_test(test_alternate_form_octal),
        cmocka_unit_test(test_sign_flags_ignored_for_unsigned),
        cmocka_unit_test(test_length_hh),
        cmocka_unit_test(test_length_h),
        cmocka_unit_test(test_length_l_and_ll),
        cmocka_unit_test(test_length_z_j_t),
        cmocka_unit_test(test_length_modifier_keeps_argument_alignment),
        cmocka_unit_test(test_char_conversion),
        cmocka_unit_test(test_char_nul_is_counted),
        cmocka_unit_test(test_string_conversion),
        cmocka_unit_test(test_string_precision_does_not_read_past_it),
        cmocka_unit_test(test_null_string_prints_null),
        cmocka_unit_test(test_pointer_conversion),
        cmocka_unit_test(test_null_pointer_prints_zero),
        cmocka_unit_test(test_pointer_ignores_sign_flags),
        cmocka_unit_test(test_star_width_and_precision),
        cmocka_unit_test(test_int_conversions_all_flag_width_precision_combinations),
        cmocka_unit_test(test_long_long_conversions_all_flag_width_precision_combinations),
        cmocka_unit_test(test_length_modifiers_with_every_conversion),
        cmocka_unit_test(test_string_all_width_precision_combinations),
        cmocka_unit_test(test_unknown_conversion_printed_verbatim),
        cmocka_unit_test(test_unknown_conversion_consumes_no_argument),
        cmocka_unit_test(test_lone_trailing_percent_stops),
        cmocka_unit_test(test_trailing_incomplete_spec_stops),
        cmocka_unit_test(test_return_value_is_full_length),
        cmocka_unit_test(test_truncation_matches_libc),
        cmocka_unit_test(test_truncated_output_is_terminated),
        cmocka_unit_test(test_exact_fit),
        cmocka_unit_test(test_size_one_gives_empty_string),
        cmocka_unit_test(test_size_zero_writes_nothing),
        cmocka_unit_test(test_format_calls_sink_once_per_character),
        cmocka_unit_test(test_format_empty_produces_nothing),
        cmocka_unit_test(test_vsnprintf_repeatable),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
