// covers: kernel/lineedit.c kernel/fmt.c
/*
 * fuzz_lineedit.c - the console line discipline (kernel/lineedit.c): every
 * input byte is fed to two line editors, one with the full LE_ECHO_MAX echo
 * buffer and one with a tiny one (both heap buffers of exact size, so ASan
 * sees an overrun).
 *
 * Checks after each byte: echolen within the buffer, and with LE_ECHO_MAX
 * strictly below it (the documented bound holds: nothing was cut); le->buf
 * terminated, le->len == strlen(le->buf) <= LE_MAX; history entries
 * terminated; the echo room never changes the events or the line.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../kernel/lineedit.h"

#define TINY 3

static void check(const struct lineedit *le, size_t echolen, size_t echosize)
{
    if (echolen > echosize)
        __builtin_trap();
    size_t n = strnlen(le->buf, sizeof(le->buf));
    if (n > LE_MAX || n != le->len)
        __builtin_trap();
    if (strnlen(le->error, sizeof(le->error)) == sizeof(le->error))
        __builtin_trap();
    for (unsigned i = 0; i < LE_HISTORY; i++)
        if (strnlen(le->hist[i], sizeof(le->hist[i])) > LE_MAX)
            __builtin_trap();
    if (le->hist_count > LE_HISTORY || le->hist_pos > le->hist_count)
        __builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct lineedit full, tiny;
    char *echo = malloc(LE_ECHO_MAX), *echo_tiny = malloc(TINY);
    size_t echolen, tinylen;

    le_init(&full);
    le_init(&tiny);
    for (size_t i = 0; i < size; i++) {
        enum le_event ev = le_feed(&full, data[i], echo, LE_ECHO_MAX, &echolen);
        enum le_event ev_tiny = le_feed(&tiny, data[i], echo_tiny, TINY, &tinylen);
        check(&full, echolen, LE_ECHO_MAX);
        check(&tiny, tinylen, TINY);
        if (echolen >= LE_ECHO_MAX)
            __builtin_trap();
        if (ev != ev_tiny || full.len != tiny.len || strcmp(full.buf, tiny.buf))
            __builtin_trap();
        /* The tiny echo is a prefix of the full one. */
        if (tinylen != (echolen < TINY ? echolen : TINY) || memcmp(echo, echo_tiny, tinylen))
            __builtin_trap();
    }
    free(echo);
    free(echo_tiny);
    return 0;
}
