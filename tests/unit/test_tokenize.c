// covers: kernel/tokenize.c
/*
 * test_tokenize.c - host unit tests of the word splitter and the ';'
 * command splitter (kernel/tokenize.c).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "../../kernel/tokenize.h"

#define MAXW 8

/* Splits a copy of text; returns tok_split's result, words in w. */
struct split {
    char line[128];
    char *w[MAXW];
    const char *err;
    int n;
};

static void split(struct split *s, const char *text, int maxwords)
{
    assert_true(strlen(text) < sizeof(s->line));
    strcpy(s->line, text);
    memset(s->w, 0, sizeof(s->w));
    s->err = "not set";
    s->n = tok_split(s->line, s->w, maxwords, &s->err);
}

/* ---- tok_split: words ------------------------------------------------- */

static void test_split_simple_words(void **state)
{
    (void)state;
    struct split s;
    split(&s, "one two three", MAXW);
    assert_int_equal(s.n, 3);
    assert_null(s.err);
    assert_string_equal(s.w[0], "one");
    assert_string_equal(s.w[1], "two");
    assert_string_equal(s.w[2], "three");
}

static void test_split_single_word(void **state)
{
    (void)state;
    struct split s;
    split(&s, "help", MAXW);
    assert_int_equal(s.n, 1);
    assert_null(s.err);
    assert_string_equal(s.w[0], "help");
}

static void test_split_all_blank_kinds(void **state)
{
    (void)state;
    struct split s;
    split(&s, " \t a \r\n\tb  \n c\t\r ", MAXW);
    assert_int_equal(s.n, 3);
    assert_string_equal(s.w[0], "a");
    assert_string_equal(s.w[1], "b");
    assert_string_equal(s.w[2], "c");
}

static void test_split_empty_line_has_no_words(void **state)
{
    (void)state;
    struct split s;
    split(&s, "", MAXW);
    assert_int_equal(s.n, 0);
    assert_null(s.err);
    assert_null(s.w[0]);
}

static void test_split_blank_line_has_no_words(void **state)
{
    (void)state;
    struct split s;
    split(&s, "  \t\r\n  ", MAXW);
    assert_int_equal(s.n, 0);
    assert_null(s.err);
}

static void test_split_words_point_into_line(void **state)
{
    (void)state;
    struct split s;
    split(&s, "ab cd", MAXW);
    assert_int_equal(s.n, 2);
    assert_ptr_equal(s.w[0], s.line);
    assert_true(s.w[1] > s.w[0] && s.w[1] < s.line + sizeof(s.line));
}

/* ---- tok_split: quotes and escapes ------------------------------------- */

static void test_split_quotes_group_blanks(void **state)
{
    (void)state;
    struct split s;
    split(&s, "say \"hello  world\" now", MAXW);
    assert_int_equal(s.n, 3);
    assert_string_equal(s.w[0], "say");
    assert_string_equal(s.w[1], "hello  world");
    assert_string_equal(s.w[2], "now");
}

static void test_split_quotes_inside_a_word_are_removed(void **state)
{
    (void)state;
    struct split s;
    split(&s, "run=\"info; quit\" a\"b c\"d", MAXW);
    assert_int_equal(s.n, 2);
    assert_string_equal(s.w[0], "run=info; quit");
    assert_string_equal(s.w[1], "ab cd");
}

static void test_split_empty_quotes_make_an_empty_word(void **state)
{
    (void)state;
    struct split s;
    split(&s, "a \"\" b", MAXW);
    assert_int_equal(s.n, 3);
    assert_string_equal(s.w[0], "a");
    assert_string_equal(s.w[1], "");
    assert_string_equal(s.w[2], "b");
}

static void test_split_empty_quotes_at_end(void **state)
{
    (void)state;
    struct split s;
    split(&s, "x \"\"", MAXW);
    assert_int_equal(s.n, 2);
    assert_string_equal(s.w[1], "");
}

static void test_split_backslash_escapes_blank(void **state)
{
    (void)state;
    struct split s;
    split(&s, "a\\ b c", MAXW);
    assert_int_equal(s.n, 2);
    assert_string_equal(s.w[0], "a b");
    assert_string_equal(s.w[1], "c");
}

static void test_split_backslash_escapes_quote_and_backslash(void **state)
{
    (void)state;
    struct split s;
    split(&s, "\\\"x\\\" back\\\\slash \\n", MAXW);
    assert_int_equal(s.n, 3);
    assert_string_equal(s.w[0], "\"x\"");
    assert_string_equal(s.w[1], "back\\slash");
    assert_string_equal(s.w[2], "n");       /* no C escapes: just the letter */
}

static void test_split_backslash_inside_quotes(void **state)
{
    (void)state;
    struct split s;
    split(&s, "\"a \\\"quoted\\\" word\"", MAXW);
    assert_int_equal(s.n, 1);
    assert_string_equal(s.w[0], "a \"quoted\" word");
}

/* ---- tok_split: limits and errors ------------------------------------- */

static void test_split_exactly_maxwords(void **state)
{
    (void)state;
    struct split s;
    split(&s, "a b c ", 3);
    assert_int_equal(s.n, 3);
    assert_null(s.err);
    assert_string_equal(s.w[2], "c");
}

static void test_split_too_many_words(void **state)
{
    (void)state;
    struct split s;
    split(&s, "a b c d", 3);
    assert_int_equal(s.n, -1);
    assert_string_equal(s.err, "too many words");
}

static void test_split_zero_maxwords(void **state)
{
    (void)state;
    struct split s;
    split(&s, "   ", 0);
    assert_int_equal(s.n, 0);
    assert_null(s.err);
    split(&s, "a", 0);
    assert_int_equal(s.n, -1);
    assert_string_equal(s.err, "too many words");
}

static void test_split_unterminated_quote(void **state)
{
    (void)state;
    struct split s;
    split(&s, "echo \"hello world", MAXW);
    assert_int_equal(s.n, -1);
    assert_string_equal(s.err, "unterminated quote");
    split(&s, "\"", MAXW);
    assert_int_equal(s.n, -1);
    assert_string_equal(s.err, "unterminated quote");
}

static void test_split_dangling_backslash(void **state)
{
    (void)state;
    struct split s;
    split(&s, "abc\\", MAXW);
    assert_int_equal(s.n, -1);
    assert_string_equal(s.err, "dangling backslash");
    split(&s, "\"abc \\", MAXW);
    assert_int_equal(s.n, -1);
    assert_string_equal(s.err, "dangling backslash");
}

static void test_split_escaped_backslash_at_end_is_fine(void **state)
{
    (void)state;
    struct split s;
    split(&s, "abc\\\\", MAXW);
    assert_int_equal(s.n, 1);
    assert_string_equal(s.w[0], "abc\\");
}

/* ---- tok_next_command ------------------------------------------------- */

static void test_next_command_splits_on_semicolons(void **state)
{
    (void)state;
    const char *cur = "info; mem 0x1000;quit";
    char buf[32];

    assert_int_equal(tok_next_command(&cur, buf, sizeof(buf)), 1);
    assert_string_equal(buf, "info");
    assert_int_equal(tok_next_command(&cur, buf, sizeof(buf)), 1);
    assert_string_equal(buf, " mem 0x1000");
    assert_int_equal(tok_next_command(&cur, buf, sizeof(buf)), 1);
    assert_string_equal(buf, "quit");
    assert_int_equal(tok_next_command(&cur, buf, sizeof(buf)), 0);
    assert_int_equal(tok_next_command(&cur, buf, sizeof(buf)), 0);
}

static void test_next_command_empty_input_is_the_end(void **state)
{
    (void)state;
    const char *cur = "";
    char buf[8] = "keep";
    assert_int_equal(tok_next_command(&cur, buf, sizeof(buf)), 0);
    assert_string_equal(buf, "keep");
}

static void test_next_command_cursor_advances_past_semicolon(void **state)
{
    (void)state;
    const char *text = "ab;cd";
    const char *cur = text;
    char buf[8];
    assert_int_equal(tok_next_command(&cur, buf, sizeof(buf)), 1);
    assert_ptr_equal(cur, text + 3);
    assert_int_equal(tok_next_command(&cur, buf, sizeof(buf)), 1);
    assert_ptr_equal(cur, text + 5);
    assert_int_equal(*cur, '\0');
}

static void test_next_command_trailing_semicolon(void **state)
{
    (void)state;
    const char *cur = "a;";
    char buf[8];
    assert_int_equal(tok_next_command(&cur, buf, sizeof(buf)), 1);
    assert_string_equal(buf, "a");
    assert_int_equal(tok_next_command(&cur, buf, sizeof(buf)), 0);
}

static void test_next_command_empty_commands(void **state)
{
    (void)state;
    const char *cur = ";;x";
    char buf[8];
    assert_int_equal(tok_next_command(&cur, buf, sizeof(buf)), 1);
    assert_string_equal(buf, "");
    assert_int_equal(tok_next_command(&cur, buf, sizeof(buf)), 1);
    assert_string_equal(buf, "");
    assert_int_equal(tok_next_command(&cur, buf, sizeof(buf)), 1);
    assert_string_equal(buf, "x");
    assert_int_equal(tok_next_command(&cur, buf, sizeof(buf)), 0);
}

static void test_next_command_quotes_protect_semicolon(void **state)
{
    (void)state;
    const char *cur = "echo \"a;b\" c; quit";
    char buf[32];
    assert_int_equal(tok_next_command(&cur, buf, sizeof(buf)), 1);
    assert_string_equal(buf, "echo \"a;b\" c");     /* quotes kept */
    assert_int_equal(tok_next_command(&cur, buf, sizeof(buf)), 1);
    assert_string_equal(buf, " quit");
}

static void test_next_command_unterminated_quote_takes_the_rest(void **state)
{
    (void)state;
    const char *cur = "a \"b;c; d";
    char buf[32];
    assert_int_equal(tok_next_command(&cur, buf, sizeof(buf)), 1);
    assert_string_equal(buf, "a \"b;c; d");
    assert_int_equal(tok_next_command(&cur, buf, sizeof(buf)), 0);
}

static void test_next_command_backslash_protects_semicolon(void **state)
{
    (void)state;
    const char *cur = "a\\;b;c";
    char buf[32];
    assert_int_equal(tok_next_command(&cur, buf, sizeof(buf)), 1);
    assert_string_equal(buf, "a\\;b");               /* escape kept */
    assert_int_equal(tok_next_command(&cur, buf, sizeof(buf)), 1);
    assert_string_equal(buf, "c");
}

static void test_next_command_backslash_protects_quote(void **state)
{
    (void)state;
    const char *cur = "say \\\"hi;bye";
    char buf[32];
    /* The escaped quote does not open a quoted part, so ';' still splits. */
    assert_int_equal(tok_next_command(&cur, buf, sizeof(buf)), 1);
    assert_string_equal(buf, "say \\\"hi");
    assert_int_equal(tok_next_command(&cur, buf, sizeof(buf)), 1);
    assert_string_equal(buf, "bye");
}

static void test_next_command_trailing_backslash(void **state)
{
    (void)state;
    const char *cur = "ab\\";
    char buf[8];
    assert_int_equal(tok_next_command(&cur, buf, sizeof(buf)), 1);
    assert_string_equal(buf, "ab\\");
    assert_int_equal(tok_next_command(&cur, buf, sizeof(buf)), 0);
}

static void test_next_command_exact_fit(void **state)
{
    (void)state;
    const char *cur = "abc;d";
    char buf[4];
    assert_int_equal(tok_next_command(&cur, buf, sizeof(buf)), 1);
    assert_string_equal(buf, "abc");
}

static void test_next_command_overflow_skips_command(void **state)
{
    (void)state;
    const char *cur = "abcd;ef;ghijk";
    char buf[4];
    memset(buf, 'x', sizeof(buf));
    assert_int_equal(tok_next_command(&cur, buf, sizeof(buf)), -1);
    assert_memory_equal(buf, "xxxx", 4);            /* buf untouched */
    assert_int_equal(tok_next_command(&cur, buf, sizeof(buf)), 1);
    assert_string_equal(buf, "ef");
    assert_int_equal(tok_next_command(&cur, buf, sizeof(buf)), -1);
    assert_int_equal(tok_next_command(&cur, buf, sizeof(buf)), 0);
}

static void test_next_command_zero_size_buffer(void **state)
{
    (void)state;
    const char *cur = ";a";
    char buf[1] = { 'x' };
    /* Not even the empty command fits without room for the NUL. */
    assert_int_equal(tok_next_command(&cur, buf, 0), -1);
    assert_int_equal(tok_next_command(&cur, buf, 0), -1);
    assert_int_equal(tok_next_command(&cur, buf, 0), 0);
    assert_int_equal(buf[0], 'x');
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_split_simple_words),
        cmocka_unit_test(test_split_single_word),
        cmocka_unit_test(test_split_all_blank_kinds),
        cmocka_unit_test(test_split_empty_line_has_no_words),
        cmocka_unit_test(test_split_blank_line_has_no_words),
        cmocka_unit_test(test_split_words_point_into_line),
        cmocka_unit_test(test_split_quotes_group_blanks),
        cmocka_unit_test(test_split_quotes_inside_a_word_are_removed),
        cmocka_unit_test(test_split_empty_quotes_make_an_empty_word),
        cmocka_unit_test(test_split_empty_quotes_at_end),
        cmocka_unit_test(test_split_backslash_escapes_blank),
        cmocka_unit_test(test_split_backslash_escapes_quote_and_backslash),
        cmocka_unit_test(test_split_backslash_inside_quotes),
        cmocka_unit_test(test_split_exactly_maxwords),
        cmocka_unit_test(test_split_too_many_words),
        cmocka_unit_test(test_split_zero_maxwords),
        cmocka_unit_test(test_split_unterminated_quote),
        cmocka_unit_test(test_split_dangling_backslash),
        cmocka_unit_test(test_split_escaped_backslash_at_end_is_fine),
        cmocka_unit_test(test_next_command_splits_on_semicolons),
        cmocka_unit_test(test_next_command_empty_input_is_the_end),
        cmocka_unit_test(test_next_command_cursor_advances_past_semicolon),
        cmocka_unit_test(test_next_command_trailing_semicolon),
        cmocka_unit_test(test_next_command_empty_commands),
        cmocka_unit_test(test_next_command_quotes_protect_semicolon),
        cmocka_unit_test(test_next_command_unterminated_quote_takes_the_rest),
        cmocka_unit_test(test_next_command_backslash_protects_semicolon),
        cmocka_unit_test(test_next_command_backslash_protects_quote),
        cmocka_unit_test(test_next_command_trailing_backslash),
        cmocka_unit_test(test_next_command_exact_fit),
        cmocka_unit_test(test_next_command_overflow_skips_command),
        cmocka_unit_test(test_next_command_zero_size_buffer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
