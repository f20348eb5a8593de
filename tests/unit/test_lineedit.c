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
    char echoed[8192];
    size_t echoed_len;
};

static void term_init(struct term *t)
{
    memset(t, 0, sizeof(*t));
    le_init(&t->le);
}

/* Feeds one byte; echo is collected into t->echoed (NUL-terminated). The
 * echo buffer is LE_ECHO_MAX bytes plus a guard that must stay untouched. */
static enum le_event feed(struct term *t, uint8_t c)
{
    char echo[LE_ECHO_MAX + 8];
    size_t n = 99999;
    memset(echo, '#', sizeof(echo));
    enum le_event ev = le_feed(&t->le, c, echo, LE_ECHO_MAX, &n);
    assert_true(n <= LE_ECHO_MAX);
    for (size_t i = LE_ECHO_MAX; i < sizeof(echo); i++)
        assert_int_equal(echo[i], '#');
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
    assert_int_equal(le.hist_count, 0);
    assert_int_equal(le.hist_next, 0);
    assert_int_equal(le.hist_pos, 0);
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
    /* Up with an empty history has nothing to recall; left is not handled. */
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
    assert_int_equal(feed_str(&t, "\x1bOA"), LE_NONE);     /* up, empty history */
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
    assert_echoed(&t, "abc\r\n");
    /* Right arrow right after a line: the line is reset, the sequence swallowed. */
    assert_int_equal(feed_str(&t, "\x1b[C"), LE_NONE);
    assert_string_equal(t.le.buf, "");
    assert_echoed(&t, "");
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

/* ---- history ------------------------------------------------------------- */

#define UP "\x1b[A"
#define DOWN "\x1b[B"

/* Feeds an arrow (or any sequence) and checks it gives no event. */
static void key(struct term *t, const char *seq)
{
    assert_int_equal(feed_str(t, seq), LE_NONE);
}

/* Enters lines, each followed by CR, and forgets their echo. */
static void enter_lines(struct term *t, const char *const *lines, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char s[LE_MAX + 2];
        snprintf(s, sizeof(s), "%s\r", lines[i]);
        assert_line(t, s, lines[i]);
    }
    t->echoed_len = 0;
}

static void test_init_empties_history(void **state)
{
    (void)state;
    struct term t;
    term_init(&t);
    assert_line(&t, "abc\r", "abc");
    assert_int_equal(t.le.hist_count, 1);
    le_init(&t.le);
    assert_int_equal(t.le.hist_count, 0);
    assert_int_equal(t.le.hist_pos, 0);
    t.echoed_len = 0;
    key(&t, UP);
    assert_echoed(&t, "");
    assert_string_equal(t.le.buf, "");
}

static void test_up_on_empty_history_does_nothing(void **state)
{
    (void)state;
    struct term t;
    term_init(&t);
    key(&t, UP);
    key(&t, "\x1bOA");
    key(&t, DOWN);
    assert_echoed(&t, "");
    feed_str(&t, "ab");
    key(&t, UP);
    key(&t, DOWN);
    assert_echoed(&t, "ab");
    assert_line(&t, "\r", "ab");
}

static void test_up_recalls_newest_first(void **state)
{
    (void)state;
    static const char *const lines[] = { "one", "two", "three" };
    struct term t;
    term_init(&t);
    enter_lines(&t, lines, 3);
    key(&t, UP);
    assert_echoed(&t, "three");
    assert_string_equal(t.le.buf, "three");
    assert_int_equal(t.le.len, 5);
    /* Shorter text: overwrite, blank the 2 leftover columns, step back. */
    key(&t, UP);
    assert_echoed(&t, "\b\b\b\b\btwo  \b\b");
    assert_string_equal(t.le.buf, "two");
    /* Same length: no blanking needed. */
    key(&t, UP);
    assert_echoed(&t, "\b\b\bone");
    assert_string_equal(t.le.buf, "one");
    /* Past the oldest: nothing happens. */
    key(&t, UP);
    key(&t, UP);
    assert_echoed(&t, "");
    assert_string_equal(t.le.buf, "one");
    assert_line(&t, "\r", "one");
    assert_echoed(&t, "\r\n");
}

static void test_down_goes_back_to_newer(void **state)
{
    (void)state;
    static const char *const lines[] = { "one", "two", "three" };
    struct term t;
    term_init(&t);
    enter_lines(&t, lines, 3);
    key(&t, UP);
    key(&t, UP);
    key(&t, UP);
    assert_string_equal(t.le.buf, "one");
    t.echoed_len = 0;
    key(&t, DOWN);
    assert_echoed(&t, "\b\b\btwo");
    assert_string_equal(t.le.buf, "two");
    /* Longer text: back over the old, print the new, nothing to blank. */
    key(&t, DOWN);
    assert_echoed(&t, "\b\b\bthree");
    assert_string_equal(t.le.buf, "three");
    /* Past the newest: an empty line. */
    key(&t, DOWN);
    assert_echoed(&t, "\b\b\b\b\b     \b\b\b\b\b");
    assert_string_equal(t.le.buf, "");
    assert_int_equal(t.le.len, 0);
    assert_int_equal(t.le.hist_pos, 0);
    /* Further down: nothing. */
    key(&t, DOWN);
    assert_echoed(&t, "");
    /* And up again starts from the newest. */
    key(&t, UP);
    assert_echoed(&t, "three");
    assert_line(&t, "\r", "three");
}

static void test_ss3_arrows_browse_too(void **state)
{
    (void)state;
    static const char *const lines[] = { "aa", "bb" };
    struct term t;
    term_init(&t);
    enter_lines(&t, lines, 2);
    key(&t, "\x1bOA");
    key(&t, "\x1bOA");
    assert_echoed(&t, "bb\b\baa");
    key(&t, "\x1bOB");
    assert_echoed(&t, "\b\bbb");
    key(&t, "\x1bOB");
    assert_echoed(&t, "\b\b  \b\b");
    assert_line(&t, "\r", "");
}

static void test_down_while_typing_keeps_the_line(void **state)
{
    (void)state;
    static const char *const lines[] = { "old" };
    struct term t;
    term_init(&t);
    enter_lines(&t, lines, 1);
    feed_str(&t, "new");
    key(&t, DOWN);
    assert_echoed(&t, "new");
    assert_line(&t, "\r", "new");
}

static void test_up_replaces_typed_text(void **state)
{
    (void)state;
    static const char *const lines[] = { "ls" };
    struct term t;
    term_init(&t);
    enter_lines(&t, lines, 1);
    feed_str(&t, "abcdef");
    assert_echoed(&t, "abcdef");
    key(&t, UP);
    assert_echoed(&t, "\b\b\b\b\b\bls    \b\b\b\b");
    assert_string_equal(t.le.buf, "ls");
    assert_int_equal(t.le.len, 2);
    /* Down past the newest drops the typed text too: an empty line. */
    key(&t, DOWN);
    assert_echoed(&t, "\b\b  \b\b");
    assert_line(&t, "\r", "");
}

static void test_up_after_typing_longer_entry(void **state)
{
    (void)state;
    static const char *const lines[] = { "longcommand" };
    struct term t;
    term_init(&t);
    enter_lines(&t, lines, 1);
    feed_str(&t, "x");
    key(&t, UP);
    assert_echoed(&t, "x\blongcommand");
    assert_line(&t, "\r", "longcommand");
}

static void test_history_keeps_last_16(void **state)
{
    (void)state;
    struct term t;
    char want[16];
    term_init(&t);
    for (int i = 0; i < LE_HISTORY + 4; i++) {
        char s[32];
        snprintf(want, sizeof(want), "cmd %02d", i);
        snprintf(s, sizeof(s), "%s\r", want);
        assert_line(&t, s, want);
        assert_int_equal(t.le.hist_count, i + 1 < LE_HISTORY ? i + 1 : LE_HISTORY);
    }
    t.echoed_len = 0;
    /* cmd 19 back to cmd 04; cmd 00-03 were pushed out. */
    for (int i = LE_HISTORY + 3; i >= 4; i--) {
        key(&t, UP);
        snprintf(want, sizeof(want), "cmd %02d", i);
        assert_string_equal(t.le.buf, want);
    }
    t.echoed_len = 0;
    key(&t, UP);
    assert_echoed(&t, "");
    assert_string_equal(t.le.buf, "cmd 04");
    /* And forward again, in order. */
    for (int i = 5; i <= LE_HISTORY + 3; i++) {
        key(&t, DOWN);
        snprintf(want, sizeof(want), "cmd %02d", i);
        assert_string_equal(t.le.buf, want);
    }
    key(&t, DOWN);
    assert_string_equal(t.le.buf, "");
}

static void test_exactly_16_lines_all_kept(void **state)
{
    (void)state;
    struct term t;
    char want[16];
    term_init(&t);
    for (int i = 0; i < LE_HISTORY; i++) {
        char s[32];
        snprintf(want, sizeof(want), "c%d", i);
        snprintf(s, sizeof(s), "%s\r", want);
        assert_line(&t, s, want);
    }
    for (int i = 0; i < LE_HISTORY; i++)
        key(&t, UP);
    assert_string_equal(t.le.buf, "c0");
    key(&t, UP);
    assert_string_equal(t.le.buf, "c0");
    /* One more line pushes c0 out. */
    assert_line(&t, "\r", "c0");
    for (int i = 0; i < LE_HISTORY; i++)
        key(&t, UP);
    assert_string_equal(t.le.buf, "c1");
}

static void test_repeat_of_previous_line_not_stored(void **state)
{
    (void)state;
    static const char *const lines[] = { "a", "a", "b", "a", "a" };
    struct term t;
    term_init(&t);
    enter_lines(&t, lines, 5);
    /* Only back-to-back repeats collapse: a, b, a. */
    assert_int_equal(t.le.hist_count, 3);
    key(&t, UP);
    assert_string_equal(t.le.buf, "a");
    key(&t, UP);
    assert_string_equal(t.le.buf, "b");
    key(&t, UP);
    assert_string_equal(t.le.buf, "a");
    t.echoed_len = 0;
    key(&t, UP);
    assert_echoed(&t, "");
}

static void test_repeat_differing_in_spaces_is_stored(void **state)
{
    (void)state;
    static const char *const lines[] = { "a b", "a  b" };
    struct term t;
    term_init(&t);
    enter_lines(&t, lines, 2);
    assert_int_equal(t.le.hist_count, 2);
}

static void test_empty_and_blank_lines_not_stored(void **state)
{
    (void)state;
    static const char *const lines[] = { "x", "", "   ", "" };
    struct term t;
    term_init(&t);
    enter_lines(&t, lines, 4);
    assert_int_equal(t.le.hist_count, 1);
    key(&t, UP);
    assert_echoed(&t, "x");
    key(&t, UP);
    assert_echoed(&t, "");
    assert_line(&t, "\r", "x");
}

static void test_line_with_leading_spaces_stored_as_typed(void **state)
{
    (void)state;
    static const char *const lines[] = { "  go " };
    struct term t;
    term_init(&t);
    enter_lines(&t, lines, 1);
    key(&t, UP);
    assert_echoed(&t, "  go ");
    assert_string_equal(t.le.buf, "  go ");
}

static void test_rejected_lines_not_stored(void **state)
{
    (void)state;
    static const char *const lines[] = { "good" };
    struct term t;
    term_init(&t);
    enter_lines(&t, lines, 1);
    for (int i = 0; i < LE_MAX + 1; i++)
        feed(&t, 'z');
    assert_int_equal(feed(&t, '\r'), LE_ERROR);
    feed_str(&t, "bad");
    feed(&t, 0x01);
    assert_int_equal(feed(&t, '\r'), LE_ERROR);
    assert_int_equal(t.le.hist_count, 1);
    t.echoed_len = 0;
    key(&t, UP);
    assert_echoed(&t, "good");
    key(&t, UP);
    assert_echoed(&t, "");
    assert_line(&t, "\r", "good");
}

static void test_edited_recalled_line_is_stored(void **state)
{
    (void)state;
    static const char *const lines[] = { "status" };
    struct term t;
    term_init(&t);
    enter_lines(&t, lines, 1);
    key(&t, UP);
    feed(&t, 0x7F);
    feed(&t, 0x7F);
    assert_echoed(&t, "status\b \b\b \b");
    assert_string_equal(t.le.buf, "stat");
    assert_line(&t, "e\r", "state");
    assert_echoed(&t, "e\r\n");
    assert_int_equal(t.le.hist_count, 2);
    key(&t, UP);
    assert_echoed(&t, "state");
    key(&t, UP);
    assert_echoed(&t, "\b\b\b\b\bstatus");
}

static void test_up_after_editing_continues_from_entry(void **state)
{
    (void)state;
    static const char *const lines[] = { "a", "b", "c" };
    struct term t;
    term_init(&t);
    enter_lines(&t, lines, 3);
    key(&t, UP);
    key(&t, UP);
    assert_string_equal(t.le.buf, "b");
    feed(&t, 0x08);
    feed_str(&t, "xy");
    t.echoed_len = 0;
    /* The edit is dropped by moving on; the entry itself is untouched. */
    key(&t, UP);
    assert_echoed(&t, "\b\ba \b");
    assert_string_equal(t.le.buf, "a");
    key(&t, DOWN);
    assert_echoed(&t, "\bb");
    assert_string_equal(t.le.buf, "b");
}

static void test_unchanged_recalled_line_becomes_newest(void **state)
{
    (void)state;
    static const char *const lines[] = { "a", "b" };
    struct term t;
    term_init(&t);
    enter_lines(&t, lines, 2);
    key(&t, UP);
    key(&t, UP);
    assert_line(&t, "\r", "a");
    assert_int_equal(t.le.hist_count, 3);
    key(&t, UP);
    assert_string_equal(t.le.buf, "a");
    key(&t, UP);
    assert_string_equal(t.le.buf, "b");
    key(&t, UP);
    assert_string_equal(t.le.buf, "a");
}

static void test_recalling_newest_and_entering_adds_nothing(void **state)
{
    (void)state;
    static const char *const lines[] = { "a", "b" };
    struct term t;
    term_init(&t);
    enter_lines(&t, lines, 2);
    key(&t, UP);
    assert_line(&t, "\r", "b");
    assert_int_equal(t.le.hist_count, 2);
}

static void test_ctrl_c_drops_recalled_line(void **state)
{
    (void)state;
    static const char *const lines[] = { "one", "two" };
    struct term t;
    term_init(&t);
    enter_lines(&t, lines, 2);
    key(&t, UP);
    key(&t, UP);
    feed_str(&t, "x");
    assert_echoed(&t, "two\b\b\bonex");
    assert_int_equal(feed(&t, 0x03), LE_CANCEL);
    assert_echoed(&t, "^C\r\n");
    assert_int_equal(t.le.hist_count, 2);
    assert_int_equal(t.le.hist_pos, 0);
    /* Browsing starts over from the newest; nothing was changed. */
    key(&t, UP);
    assert_echoed(&t, "two");
    key(&t, UP);
    assert_echoed(&t, "\b\b\bone");
}

static void test_ctrl_u_drops_recalled_line(void **state)
{
    (void)state;
    static const char *const lines[] = { "one", "two" };
    struct term t;
    term_init(&t);
    enter_lines(&t, lines, 2);
    key(&t, UP);
    feed_str(&t, "zz");
    assert_int_equal(feed(&t, 0x15), LE_CANCEL);
    assert_int_equal(t.le.hist_count, 2);
    t.echoed_len = 0;
    key(&t, UP);
    assert_echoed(&t, "two");
    assert_line(&t, "\r", "two");
}

static void test_recall_replaces_bad_line(void **state)
{
    (void)state;
    static const char *const lines[] = { "ok" };
    struct term t;
    term_init(&t);
    enter_lines(&t, lines, 1);
    /* The bad byte was never echoed: only "zz" is on the terminal. */
    feed(&t, 0x01);
    feed_str(&t, "zz");
    key(&t, UP);
    assert_echoed(&t, "zz\b\bok");
    assert_int_equal(t.le.bad_byte, -1);
    assert_line(&t, "\r", "ok");
}

static void test_recall_replaces_overlong_line(void **state)
{
    (void)state;
    static const char *const lines[] = { "ok" };
    struct term t;
    char want[3 * LE_MAX + 1];
    size_t n = 0;
    term_init(&t);
    enter_lines(&t, lines, 1);
    for (int i = 0; i < LE_MAX + 7; i++)
        feed(&t, 'w');
    assert_true(t.le.overflow);
    t.echoed_len = 0;
    /* Only LE_MAX characters were echoed, so only those are erased. */
    key(&t, UP);
    memset(want + n, '\b', LE_MAX);
    n += LE_MAX;
    memcpy(want + n, "ok", 2);
    n += 2;
    memset(want + n, ' ', LE_MAX - 2);
    n += LE_MAX - 2;
    memset(want + n, '\b', LE_MAX - 2);
    n += LE_MAX - 2;
    want[n] = '\0';
    assert_echoed(&t, want);
    assert_false(t.le.overflow);
    /* Backspace works again on the recalled line. */
    feed(&t, 0x7F);
    assert_echoed(&t, "\b \b");
    assert_line(&t, "k\r", "ok");
}

static void test_longest_recall_fits_echo_buffer(void **state)
{
    (void)state;
    struct term t;
    char a[LE_MAX + 2], b[LE_MAX + 2], want[3 * LE_MAX + 1];
    term_init(&t);
    memset(a, 'a', LE_MAX);
    a[LE_MAX] = '\0';
    memset(b, 'b', LE_MAX);
    b[LE_MAX] = '\0';
    {
        const char *const lines[] = { a, b };
        enter_lines(&t, lines, 2);
    }
    key(&t, UP);
    key(&t, UP);
    t.echoed_len = 0;
    /* Full line over full line: LE_MAX back, LE_MAX new. */
    key(&t, DOWN);
    memset(want, '\b', LE_MAX);
    memcpy(want + LE_MAX, b, LE_MAX + 1);
    assert_echoed(&t, want);
    /* Full line to empty: the worst case, 3 * LE_MAX (feed checks the bound). */
    key(&t, DOWN);
    memset(want, '\b', LE_MAX);
    memset(want + LE_MAX, ' ', LE_MAX);
    memset(want + 2 * LE_MAX, '\b', LE_MAX);
    want[3 * LE_MAX] = '\0';
    assert_echoed(&t, want);
    assert_true(3 * LE_MAX <= LE_ECHO_MAX);
}

static void test_arrow_right_after_line_recalls_it(void **state)
{
    (void)state;
    struct term t;
    term_init(&t);
    assert_line(&t, "abc\r", "abc");
    /* The LF of the CR LF pair is swallowed; the arrow then recalls. */
    key(&t, "\n" UP);
    assert_echoed(&t, "abc\r\nabc");
    assert_string_equal(t.le.buf, "abc");
    assert_line(&t, "\r", "abc");
}

static void test_modified_and_other_keys_do_not_browse(void **state)
{
    (void)state;
    static const char *const keys[] = {
        "\x1b[1;5A",    /* Ctrl-Up */
        "\x1b[1;2B",    /* Shift-Down */
        "\x1b[C", "\x1b[D", "\x1b[H", "\x1b[F", "\x1bOH", "\x1bOF",
        "\x1b[1~", "\x1b[4~", "\x1b[15~", "\x1b[5~", "\x1b[6~",
        "\x1bOP", "\x1bOQ", "\x1b" "A", "\x1bOC",
    };
    static const char *const lines[] = { "hist" };
    struct term t;
    term_init(&t);
    enter_lines(&t, lines, 1);
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        key(&t, keys[i]);
        assert_echoed(&t, "");
        assert_string_equal(t.le.buf, "");
        assert_int_equal(t.le.hist_pos, 0);
    }
    assert_line(&t, "\r", "");
}

static void test_high_bytes_inside_csi_swallowed(void **state)
{
    (void)state;
    static const char *const lines[] = { "up" };
    struct term t;
    term_init(&t);
    enter_lines(&t, lines, 1);
    /* DEL and 0x80 are not final bytes: swallowed as parameters, so the
     * 'A' that ends the sequence is not a plain up arrow. */
    key(&t, "\x1b[\x7f\x80" "A");
    key(&t, "\x1b[\xff" "B");
    assert_echoed(&t, "");
    assert_int_equal(t.le.bad_byte, -1);
    assert_line(&t, "\r", "");
}

static void test_ss3_takes_exactly_one_byte(void **state)
{
    (void)state;
    struct term t;
    term_init(&t);
    /* Whatever follows ESC O ends it, even a digit: "b" is typed again. */
    key(&t, "\x1bO1");
    assert_int_equal(feed_str(&t, "b"), LE_NONE);
    assert_echoed(&t, "b");
    assert_line(&t, "\r", "b");
}

static void test_small_echo_buffer_is_not_overrun(void **state)
{
    (void)state;
    struct lineedit le;
    char echo[8];
    size_t n;
    le_init(&le);
    memset(echo, '#', sizeof(echo));
    /* Two bytes of room: the Ctrl-C echo is cut, nothing past it written. */
    assert_int_equal(le_feed(&le, 0x03, echo, 2, &n), LE_CANCEL);
    assert_int_equal(n, 2);
    assert_memory_equal(echo, "^C######", 8);
    /* A recall into 4 bytes: the first 4 bytes of the full echo. */
    const char *s = "hello\r";
    while (*s)
        le_feed(&le, (uint8_t)*s++, echo, sizeof(echo), &n);
    le_feed(&le, 'x', echo, sizeof(echo), &n);
    le_feed(&le, 0x1B, echo, 4, &n);
    le_feed(&le, '[', echo, 4, &n);
    memset(echo, '#', sizeof(echo));
    assert_int_equal(le_feed(&le, 'A', echo, 4, &n), LE_NONE);
    assert_int_equal(n, 4);
    assert_memory_equal(echo, "\bhel####", 8);
    assert_string_equal(le.buf, "hello");
    /* No room at all: nothing written, the line still ends. */
    memset(echo, '#', sizeof(echo));
    assert_int_equal(le_feed(&le, '\r', echo, 0, &n), LE_LINE);
    assert_int_equal(n, 0);
    assert_memory_equal(echo, "########", 8);
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
        cmocka_unit_test(test_init_empties_history),
        cmocka_unit_test(test_up_on_empty_history_does_nothing),
        cmocka_unit_test(test_up_recalls_newest_first),
        cmocka_unit_test(test_down_goes_back_to_newer),
        cmocka_unit_test(test_ss3_arrows_browse_too),
        cmocka_unit_test(test_down_while_typing_keeps_the_line),
        cmocka_unit_test(test_up_replaces_typed_text),
        cmocka_unit_test(test_up_after_typing_longer_entry),
        cmocka_unit_test(test_history_keeps_last_16),
        cmocka_unit_test(test_exactly_16_lines_all_kept),
        cmocka_unit_test(test_repeat_of_previous_line_not_stored),
        cmocka_unit_test(test_repeat_differing_in_spaces_is_stored),
        cmocka_unit_test(test_empty_and_blank_lines_not_stored),
        cmocka_unit_test(test_line_with_leading_spaces_stored_as_typed),
        cmocka_unit_test(test_rejected_lines_not_stored),
        cmocka_unit_test(test_edited_recalled_line_is_stored),
        cmocka_unit_test(test_up_after_editing_continues_from_entry),
        cmocka_unit_test(test_unchanged_recalled_line_becomes_newest),
        cmocka_unit_test(test_recalling_newest_and_entering_adds_nothing),
        cmocka_unit_test(test_ctrl_c_drops_recalled_line),
        cmocka_unit_test(test_ctrl_u_drops_recalled_line),
        cmocka_unit_test(test_recall_replaces_bad_line),
        cmocka_unit_test(test_recall_replaces_overlong_line),
        cmocka_unit_test(test_longest_recall_fits_echo_buffer),
        cmocka_unit_test(test_arrow_right_after_line_recalls_it),
        cmocka_unit_test(test_modified_and_other_keys_do_not_browse),
        cmocka_unit_test(test_high_bytes_inside_csi_swallowed),
        cmocka_unit_test(test_ss3_takes_exactly_one_byte),
        cmocka_unit_test(test_small_echo_buffer_is_not_overrun),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
