/*
 * lineedit.h - the console's line discipline (pure; host unit tested):
 * echo, backspace, Ctrl-U, Ctrl-C, command history on the up/down arrows,
 * other terminal escape sequences swallowed, over-long lines and binary
 * bytes turned into clear errors.
 */
#ifndef LINEEDIT_H
#define LINEEDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LE_MAX 160      /* longest accepted line, in characters */
#define LE_HISTORY 16   /* accepted lines kept for recall */

/*
 * Room le_feed needs for the echo of one byte. The largest is a recall:
 * lineedit does not know the prompt, so it cannot redraw with "\r"; it
 * moves back over the old text with one "\b" per character, prints the new
 * text over it and, if the new text is shorter, blanks the rest with
 * spaces and moves back over them: old + new + 2 * (old - new) <= 3 * LE_MAX.
 */
#define LE_ECHO_MAX (3 * LE_MAX + 8)

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
    /* History: a ring of the last LE_HISTORY accepted non-blank lines. */
    char hist[LE_HISTORY][LE_MAX + 1];
    size_t hist_next;       /* slot the next stored line goes to */
    size_t hist_count;      /* lines stored, at most LE_HISTORY */
    size_t hist_pos;        /* entry on show: 0 = none (typing), k = k-th newest */
};

/* le_init - an empty line and an empty history. */
void le_init(struct lineedit *le);

/*
 * le_feed - one received byte. Bytes to echo go to echo (echosize bytes of
 * room; give it LE_ECHO_MAX, a smaller buffer gets a truncated echo but is
 * never overrun) with their count in *echolen. On LE_LINE, LE_ERROR and
 * LE_CANCEL the caller handles le->buf / le->error; the next le_feed starts
 * a new line.
 *
 * Up (ESC [ A or ESC O A) replaces the line with the previous history
 * entry, down (ESC [ B or ESC O B) with the next one, or with an empty line
 * past the newest; at either end nothing happens. A recalled line can be
 * edited; Enter stores it as typed, Ctrl-C / Ctrl-U drop it. The echo of a
 * recall is "\b" x old length, the new text, then if it is shorter
 * " " x (difference) and "\b" x (difference) - like backspace it assumes
 * the line has not wrapped on the terminal.
 */
enum le_event le_feed(struct lineedit *le, uint8_t c, char *echo, size_t echosize,
                      size_t *echolen);

#endif
