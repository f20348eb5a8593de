/*
 * lineedit.h - the console's line discipline (pure; host unit tested):
 * echo, backspace, Ctrl-U, Ctrl-C, terminal escape sequences swallowed,
 * over-long lines and binary bytes turned into clear errors.
 */
#ifndef LINEEDIT_H
#define LINEEDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LE_MAX 160      /* longest accepted line, in characters */

enum le_event {
    LE_NONE,            /* keep feeding */
    LE_LINE,            /* le->buf holds a complete line */
    LE_CANCEL,          /* Ctrl-C: line dropped */
    LE_ERROR,           /* line rejected: le->error says why */
};

struct lineedit {
    char buf[LE_MAX + 1];
    size_t len;
    bool overflow;          /* more than LE_MAX characters were typed */
    int bad_byte;           /* first non-printable byte, -1 if none */
    int esc;                /* escape-sequence state */
    bool last_cr;           /* swallow the LF of a CR LF pair */
    bool done;              /* a line was returned; start afresh */
    char error[80];
};

/* le_init - an empty line. */
void le_init(struct lineedit *le);

/*
 * le_feed - one received byte. Bytes to echo go to echo (room for 4) with
 * their count in *echolen. On LE_LINE, LE_ERROR and LE_CANCEL the caller
 * handles le->buf / le->error; the next le_feed starts a new line.
 */
enum le_event le_feed(struct lineedit *le, uint8_t c, char *echo, size_t *echolen);

#endif
