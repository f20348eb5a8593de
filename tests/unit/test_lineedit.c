// covers: kernel/lineedit.c kernel/fmt.c
/*
 * test_lineedit.c - host unit tests of the console line discipline
 * (kernel/lineedit.c): bytes go in one at a time, echo and events come out.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "../../kernel/lineedit.h"

/* A line editor plus everything it echoed since the last check. */
struct term {
    struct lineedit le;
    char echoed[1024];
    size_t echoed_len;
};

static void term_init(struct term *t)
{
    memset(t, 0, sizeof(*t));
    le_init(&t->le);
}

/* Feeds one byte; echo is collected into t->echoed (NUL-terminated). */
static enum le_event feed(struct term *t, uint8_t c)
{
    char echo[4];
    size_t n = 99;
    memset(echo, '#', sizeof(echo));
    enum le_event ev = le_feed(&t->le, c, echo, &n);
    assert_true(n <= sizeof(echo));
    assert_true(t->echoed_len + n < sizeof(t->echoed));
    memcpy(t->echoed + t->echoed_len, echo, n);
    t->echoed_len += n;
    t->echoed[t->echoed_len] = '\0';
    return ev;
}

/* Feeds n bytes; all but the last must give LE_NONE. Returns the last event. */
static enum le_event feed_bytes(struct term *t, const void *bytes, size_t n)
{
    const uint8_t *b = bytes;
    enum le_event ev = LE_NONE;
    for (size_t i = 0; i < n; i++) {
        ev = feed(t, b[i]);
        if (i + 1 < n && ev != LE_NONE)
            fail_msg("byte %zu (0x%02x) gave event %d", i, b[i], ev);
    }
    return ev;
}

static enum le_event feed_str(struct term *t, const char *s)
{
    return feed_bytes(t, s, strlen(s));
}

/* Checks and forgets what was echoed. */
static void assert_echoed(struct term *t, const char *want)
{
    assert_int_equal(t->echoed_len, strlen(want));
    assert_memory_equal(t->echoed, want, t->echoed_len);
    t->echoed_len = 0;
    t->echoed[0] = '\0';
}

/* Feeds s, expects a complete line equal to want. */
static void assert_line(struct term *t, const char *s, const char *want)
{
    assert_int_equal(feed_str(t, s), LE_LINE);
    assert_string_equal(t->le.buf, want);
    assert_int_equal(t->le.len, strlen(want));
}

/* ---- basics -------------------------------------------------------------- */

static void test_init_is_empty(void **state)
{
    (void)state;
    struct lineedit le;
    memset(&le, 0x5A, sizeof(le));
    le_init(&le);
    assert_int_equal(le.len, 0);
    assert_string_equal(le.buf, "");
    assert_false(le.overflow);
    assert_int_equal(le.bad_byte, -1);
    assert_false(le.last_cr);
    assert_false(le.done);
}

static void test_printable_bytes_echoed_and_stored(void **state)
{
    (void)state;
    struct term t;
    term_init(&t);
    assert_int_equal(feed(&t, 'a'), LE_NONE);
    assert_echoed(&t, "a");
    assert_int_equal(feed_str(&t, "bc 1~"), LE_NONE);
    assert_echoed(&t, "bc 1~");
    assert_int_equal(t.le.len, 6);
    assert_string_equal(t.le.buf, "abc 1~");
}

static void test_every_printable_byte_accepted(void **state)
{
    (void)state;
    struct term t;
    char want[96];
    term_init(&t);
    for (int c = 0x20; c <= 0x7E; c++) {
        want[c - 0x20] = (char)c;
        assert_int_equal(feed(&t, (uint8_t)c), LE_NONE);
    }
    want[0x7F - 0x20] = '\0';
    assert_echoed(&t, want);
    assert_line(&t, "\r", want);
}

static void test_cr_ends_line(void **state)
{
    (void)state;
    struct term t;
    term_init(&t);
    assert_line(&t, "help\r", "help");
    assert_echoed(&t, "help\r\n");
}

static void test_lf_ends_line(void **state)
{
    (void)state;
    struct term t;
    term_init(&t);
    assert_line(&t, "info\n", "info");
    assert_echoed(&t, "info\r\n");
}

static void test_crlf_gives_one_line(void **state)
{
    (void)state;
    struct term t;
    term_init(&t);
    assert_line(&t, "one\r", "one");
    assert_echoed(&t, "one\r\n");
    /* The LF of the pair is swallowed: no second (empty) line, no echo. */
    assert_int_equal(feed(&t, '\n'), LE_NONE);
    assert_echoed(&t, "");
    assert_line(&t, "two\r", "two");
    assert_echoed(&t, "two\r\n");
}

static void test_lone_lf_after_non_cr_ends_line(void **state)
{
    (void)state;
    struct term t;
    term_init(&t);
    assert_line(&t, "a\n", "a");
    /* A second LF is not part of a CR LF pair: an empty line. */
    assert_line(&t, "\n", "");
    assert_echoed(&t, "a\r\n\r\n");
}

static void test_lf_after_cr_then_byte_is_a_line(void **state)
{
    (void)state;
    struct term t;
    term_init(&t);
    assert_line(&t, "a\r", "a");
    assert_int_equal(feed(&t, 'b'), LE_NONE);
    /* The CR was two bytes ago: this LF ends the line "b". */
    assert_line(&t, "\n", "b");
}

static void test_cr_cr_gives_two_lines(void **state)
{
    (void)state;
    struct term t;
    term_init(&t);
    assert_line(&t, "x\r", "x");
    assert_line(&t, "\r", "");
    assert_int_equal(feed(&t, '\n'), LE_NONE);
    assert_echoed(&t, "x\r\n\r\n");
}

static void test_empty_line(void **state)
{
    (void)state;
    struct term t;
    term_init(&t);
    assert_line(&t, "\r", "");
    assert_echoed(&t, "\r\n");
}

static void test_buf_readable_until_next_byte(void **state)
{
    (void)state;
    struct term t;
    term_init(&t);
    assert_line(&t, "status\r", "status");
    assert_true(t.le.done);
    /* Still there after the event. */
    assert_string_equal(t.le.buf, "status");
    /* The next byte starts a new line. */
    assert_int_equal(feed(&t, 'x'), LE_NONE);
    assert_false(t.le.done);
    assert_string_equal(t.le.buf, "x");
    assert_int_equal(t.le.len, 1);
}

static void test_buf_cleared_by_swallowed_lf(void **state)
{
    (void)state;
    struct term t;
    term_init(&t);
    assert_line(&t, "abc\r", "abc");
    assert_int_equal(feed(&t, '\n'), LE_NONE);
    assert_string_equal(t.le.buf, "");
    assert_int_equal(t.le.len, 0);
}

/* ---- editing ------------------------------------------------------------- */

static void test_backspace_erases(void **state)
{
    (void)state;
    struct term t;
    term_init(&t);
    feed_str(&t, "abc");
    assert_echoed(&t, "abc");
    assert_int_equal(feed(&t, 0x08), LE_NONE);
    assert_echoed(&t, "\b \b");
    assert_int_equal(t.le.len, 2);
    assert_line(&t, "d\r", "abd");
    assert_echoed(&t, "d\r\n");
}

static void test_del_erases(void **state)
{
    (void)state;
    struct term t;
    term_init(&t);
    feed_str(&t, "xy");
    assert_int_equal(feed(&t, 0x7F), LE_NONE);
    assert_int_equal(feed(&t, 0x7F), LE_NONE);
    assert_echoed(&t, "xy\b \b\b \b");
    assert_int_equal(t.le.len, 0);
    assert_line(&t, "z\r", "z");
}

static void test_backspace_on_empty_line_does_nothing(void **state)
{
    (void)state;
    struct term t;
    term_init(&t);
    assert_int_equal(feed(&t, 0x08), LE_NONE);
    assert_int_equal(feed(&t, 0x7F), LE_NONE);
    assert_echoed(&t, "");
    assert_int_equal(t.le.len, 0);
    /* Erasing more than was typed stops at the start. */
    feed_str(&t, "a");
    feed(&t, 0x7F);
    feed(&t, 0x7F);
    feed(&t, 0x08);
    assert_echoed(&t, "a\b \b");
    assert_line(&t, "\r", "");
}

static void test_backspace_right_after_line_does_nothing(void **state)
{
    (void)state;
    struct term t;
    term_init(&t);
    assert_line(&t, "abc\r", "abc");
    assert_echoed(&t, "abc\r\n");
    /* The new line is empty: nothing to erase, nothing echoed. */
    assert_int_equal(feed(&t, 0x7F), LE_NONE);
    assert_echoed(&t, "");
    assert_line(&t, "\r", "");
}

static void test_ctrl_u_cancels(void **state)
{
    (void)state;
    struct term t;
    term_init(&t);
    feed_str(&t, "oops");
    assert_echoed(&t, "oops");
    assert_int_equal(feed(&t, 0x15), LE_CANCEL);
    assert_echoed(&t, "\r\n");
    assert_int_equal(t.le.len, 0);
    assert_string_equal(t.le.buf, "");
    assert_line(&t, "ok\r", "ok");
}

static void test_ctrl_c_cancels(void **state)
{
    (void)state;
    struct term t;
    term_init(&t);
    feed_str(&t, "run");
    assert_echoed(&t, "run");
    assert_int_equal(feed(&t, 0x03), LE_CANCEL);
    assert_echoed(&t, "^C\r\n");
    assert_int_equal(t.le.len, 0);
    assert_string_equal(t.le.buf, "");
    assert_line(&t, "go\r", "go");
    assert_echoed(&t, "go\r\n");
}

static void test_ctrl_c_on_empty_line(void **state)
{
    (void)state;
    struct term t;
    term_init(&t);
    assert_int_equal(feed(&t, 0x03), LE_CANCEL);
    assert_int_equal(feed(&t, 0x03), LE_CANCEL);
    assert_echoed(&t, "^C\r\n^C\r\n");
}

static void test_cancel_forgets_errors(void **state)
{
    (void)state;
    struct term t;
    term_init(&t);
    feed(&t, 0x01);
    for (int i = 0; i < LE_MAX + 5; i++)
        feed(&t, 'a');
    assert_int_equal(feed(&t, 0x03), LE_CANCEL);
    assert_line(&t, "fine\r", "fine");
}

/* ---- escape sequences ---------------------------------------------------- */

static void test_csi_arrow_swallowed(void **state)
{
    (void)state;
    struct term t;
    term_init(&t);
    feed_str(&t, "ab");
    assert_int_equal(feed_str(&t, "\x1b[A"), LE_NONE);
    assert_int_equal(feed_str(&t, "\x1b[D"), LE_NONE);
    assert_echoed(&t, "ab");
    assert_line(&t, "c\r", "abc");
}

static void test_csi_with_parameters_swallowed(void **state)
{
    (void)state;
    struct term t;
    term_init(&t);
    /* Ctrl-Right, Delete, F5: parameters and intermediates until the final byte. */
    assert_int_equal(feed_str(&t, "\x1b[1;5C"), LE_NONE);
    assert_int_equal(feed_str(&t, "\x1b[3~"), LE_NONE);
    assert_int_equal(feed_str(&t, "\x1b[15~"), LE_NONE);
    assert_int_equal(feed_str(&t, "\x1b[?25h"), LE_NONE);
    assert_echoed(&t, "");
    assert_int_equal(t.le.len, 0);
    assert_line(&t, "x\r", "x");
    assert_echoed(&t, "x\r\n");
}

static void test_csi_swallows_control_bytes_until_final(void **state)
{
    (void)state;
    struct term t;
    term_init(&t);
    /* Inside a CSI sequence even CR is not a final byte: it is swallowed. */
    assert_int_equal(feed_str(&t, "\x1b[1\r"), LE_NONE);
    assert_int_equal(feed(&t, 'm'), LE_NONE);
    assert_echoed(&t, "");
    assert_line(&t, "y\r", "y");
}

static void test_ss3_swallowed(void **state)
{
    (void)state;
    struct term t;
    term_init(&t);
    feed_str(&t, "a");
    assert_int_equal(feed_str(&t, "\x1bOP"), LE_NONE);     /* F1 */
    assert_int_equal(feed_str(&t, "\x1bOA"), LE_NONE);     /* application-mode up */
    assert_echoed(&t, "a");
    assert_line(&t, "b\r", "ab");
}

static void test_esc_other_byte_swallows_that_byte(void **state)
{
    (void)state;
    struct term t;
    term_init(&t);
    /* Alt-x sends ESC x: both bytes are dropped. */
    assert_int_equal(feed_str(&t, "\x1bx"), LE_NONE);
    assert_echoed(&t, "");
    assert_line(&t, "y\r", "y");
}

static void test_escape_sequence_is_not_a_bad_byte(void **state)
{
    (void)state;
    struct term t;
    term_init(&t);
    assert_line(&t, "\x1b[A\x1bOP\x1b[1;5Cok\r", "ok");
    assert_int_equal(t.le.bad_byte, -1);
}

static void test_escape_after_line_starts_new_line(void **state)
{
    (void)state;
    struct term t;
    term_init(&t);
    assert_line(&t, "abc\r", "abc");
    /* Up arrow right after a line: the line is reset, the sequence swallowed. */
    assert_int_equal(feed_str(&t, "\x1b[A"), LE_NONE);
    assert_string_equal(t.le.buf, "");
    assert_line(&t, "\r", "");
}

/* ---- errors -------------------------------------------------------------- */

static void test_line_of_exactly_le_max_accepted(void **state)
{
    (void)state;
    struct term t;
    char want[LE_MAX + 1];
    term_init(&t);
    memset(want, 'q', LE_MAX);
    want[LE_MAX] = '\0';
    feed_str(&t, want);
    assert_echoed(&t, want);
    assert_line(&t, "\r", want);
}

static void test_overlong_line_is_error(void **state)
{
    (void)state;
    struct term t;
    char want[LE_MAX + 1];
    term_init(&t);
    memset(want, 'w', LE_MAX);
    want[LE_MAX] = '\0';
    for (int i = 0; i < LE_MAX + 40; i++)
        assert_int_equal(feed(&t, 'w'), LE_NONE);
    /* Only the first LE_MAX characters were echoed. */
    assert_echoed(&t, want);
    assert_true(t.le.overflow);
    assert_int_equal(feed(&t, '\r'), LE_ERROR);
    assert_echoed(&t, "\r\n");
    assert_string_equal(t.le.error, "line too long (more than 160 characters)");
    /* The next line works. */
    assert_line(&t, "next\r", "next");
    assert_false(t.le.overflow);
}

static void test_overlong_line_by_one_is_error(void **state)
{
    (void)state;
    struct term t;
    term_init(&t);
    for (int i = 0; i < LE_MAX + 1; i++)
        feed(&t, 'a');
    assert_int_equal(feed(&t, '\n'), LE_ERROR);
    assert_string_equal(t.le.error, "line too long (more than 160 characters)");
}

static void test_backspace_ignored_after_overflow(void **state)
{
    (void)state;
    struct term t;
    term_init(&t);
    for (int i = 0; i < LE_MAX + 1; i++)
        feed(&t, 'a');
    t.echoed_len = 0;
    /* Erasing cannot bring an overflowed line back under the limit. */
    assert_int_equal(feed(&t, 0x7F), LE_NONE);
    assert_int_equal(feed(&t, 0x08), LE_NONE);
    assert_echoed(&t, "");
    assert_int_equal(feed(&t, '\r'), LE_ERROR);
    assert_string_equal(t.le.error, "line too long (more than 160 characters)");
}

static void test_non_printable_byte_is_error(void **state)
{
    (void)state;
    struct term t;
    term_init(&t);
    feed_str(&t, "ab");
    assert_int_equal(feed(&t, 0x01), LE_NONE);
    assert_echoed(&t, "ab");        /* not echoed */
    feed_str(&t, "c");
    assert_int_equal(feed(&t, '\r'), LE_ERROR);
    assert_string_equal(t.le.error, "line contains a non-printable byte (0x01)");
    assert_line(&t, "fine\r", "fine");
}

static void test_first_bad_byte_reported(void **state)
{
    (void)state;
    struct term t;
    term_init(&t);
    feed(&t, 0x80);
    feed(&t, 0x01);
    feed(&t, 0xFF);
    assert_int_equal(feed(&t, '\r'), LE_ERROR);
    assert_string_equal(t.le.error, "line contains a non-printable byte (0x80)");
}

static void test_high_and_control_bytes_are_bad(void **state)
{
    (void)state;
    static const uint8_t bad[] = { 0x00, 0x02, 0x04, 0x07, 0x09, 0x0B, 0x0C, 0x0E,
                                   0x14, 0x16, 0x1A, 0x1F, 0x80, 0xA0, 0xC3, 0xFF };
    for (size_t i = 0; i < sizeof(bad); i++) {
        struct term t;
        char want[64];
        term_init(&t);
        assert_int_equal(feed(&t, bad[i]), LE_NONE);
        assert_echoed(&t, "");
        assert_int_equal(feed(&t, '\r'), LE_ERROR);
        snprintf(want, sizeof(want), "line contains a non-printable byte (0x%02x)", bad[i]);
        assert_string_equal(t.le.error, want);
    }
}

static void test_bad_byte_erased_still_reported(void **state)
{
    (void)state;
    struct term t;
    term_init(&t);
    feed_str(&t, "a");
    feed(&t, 0x09);
    /* The bad byte was never stored, so backspace erases 'a' instead. */
    feed(&t, 0x7F);
    assert_int_equal(t.le.len, 0);
    assert_int_equal(feed(&t, '\r'), LE_ERROR);
    assert_string_equal(t.le.error, "line contains a non-printable byte (0x09)");
}

static void test_overflow_reported_before_bad_byte(void **state)
{
    (void)state;
    struct term t;
    term_init(&t);
    feed(&t, 0x02);
    for (int i = 0; i < LE_MAX + 1; i++)
        feed(&t, 'a');
    assert_int_equal(feed(&t, '\r'), LE_ERROR);
    assert_string_equal(t.le.error, "line too long (more than 160 characters)");
}

static void test_error_line_then_crlf(void **state)
{
    (void)state;
    struct term t;
    term_init(&t);
    feed(&t, 0x01);
    assert_int_equal(feed(&t, '\r'), LE_ERROR);
    /* The LF of the CR LF pair after an error line is swallowed too. */
    assert_int_equal(feed(&t, '\n'), LE_NONE);
    assert_line(&t, "ok\r", "ok");
    assert_int_equal(t.le.bad_byte, -1);
}

static void test_many_lines_in_a_row(void **state)
{
    (void)state;
    struct term t;
    term_init(&t);
    for (int i = 0; i < 100; i++) {
        char s[32], want[16];
        snprintf(want, sizeof(want), "cmd %d", i);
        snprintf(s, sizeof(s), "%s\r", want);
        assert_line(&t, s, want);
        assert_int_equal(feed(&t, '\n'), LE_NONE);     /* the LF is swallowed */
        assert_string_equal(t.le.buf, "");
    }
    assert_line(&t, "last\r", "last");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_init_is_empty),
        cmocka_unit_test(test_printable_bytes_echoed_and_stored),
        cmocka_unit_test(test_every_printable_byte_accepted),
        cmocka_unit_test(test_cr_ends_line),
        cmocka_unit_test(test_lf_ends_line),
        cmocka_unit_test(test_crlf_gives_one_line),
        cmocka_unit_test(test_lone_lf_after_non_cr_ends_line),
        cmocka_unit_test(test_lf_after_cr_then_byte_is_a_line),
        cmocka_unit_test(test_cr_cr_gives_two_lines),
        cmocka_unit_test(test_empty_line),
        cmocka_unit_test(test_buf_readable_until_next_byte),
        cmocka_unit_test(test_buf_cleared_by_swallowed_lf),
        cmocka_unit_test(test_backspace_erases),
        cmocka_unit_test(test_del_erases),
        cmocka_unit_test(test_backspace_on_empty_line_does_nothing),
        cmocka_unit_test(test_backspace_right_after_line_does_nothing),
        cmocka_unit_test(test_ctrl_u_cancels),
        cmocka_unit_test(test_ctrl_c_cancels),
        cmocka_unit_test(test_ctrl_c_on_empty_line),
        cmocka_unit_test(test_cancel_forgets_errors),
        cmocka_unit_test(test_csi_arrow_swallowed),
        cmocka_unit_test(test_csi_with_parameters_swallowed),
        cmocka_unit_test(test_csi_swallows_control_bytes_until_final),
        cmocka_unit_test(test_ss3_swallowed),
        cmocka_unit_test(test_esc_other_byte_swallows_that_byte),
        cmocka_unit_test(test_escape_sequence_is_not_a_bad_byte),
        cmocka_unit_test(test_escape_after_line_starts_new_line),
        cmocka_unit_test(test_line_of_exactly_le_max_accepted),
        cmocka_unit_test(test_overlong_line_is_error),
        cmocka_unit_test(test_overlong_line_by_one_is_error),
        cmocka_unit_test(test_backspace_ignored_after_overflow),
        cmocka_unit_test(test_non_printable_byte_is_error),
        cmocka_unit_test(test_first_bad_byte_reported),
        cmocka_unit_test(test_high_and_control_bytes_are_bad),
        cmocka_unit_test(test_bad_byte_erased_still_reported),
        cmocka_unit_test(test_overflow_reported_before_bad_byte),
        cmocka_unit_test(test_error_line_then_crlf),
        cmocka_unit_test(test_many_lines_in_a_row),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
