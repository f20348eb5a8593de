/*
 * lineedit.c - console line discipline; see lineedit.h.
 */
#include "lineedit.h"

#include "fmt.h"
#include "kstring.h"

/*
 * ESC_CSI is the byte right after "ESC [": only there do 'A' / 'B' mean a
 * plain up / down arrow. Once a parameter byte was seen (ESC [ 1 ; 5 A is
 * Ctrl-Up) the sequence is something else and ESC_CSI_PARAM swallows it.
 */
enum { ESC_NONE, ESC_START, ESC_CSI, ESC_CSI_PARAM, ESC_SS3 };

#define CTRL(c) ((c) & 0x1F)

/* The caller's echo buffer; put() drops what does not fit rather than overrun. */
struct echo {
    char *buf;
    size_t size;
    size_t *len;
};

static void put(struct echo *e, char c)
{
    if (*e->len < e->size)
        e->buf[(*e->len)++] = c;
}

static void put_n(struct echo *e, char c, size_t n)
{
    while (n--)
        put(e, c);
}

static void reset(struct lineedit *le)
{
    le->len = 0;
    le->buf[0] = '\0';
    le->overflow = false;
    le->bad_byte = -1;
    le->esc = ESC_NONE;
    le->done = false;
    le->hist_pos = 0;
}

void le_init(struct lineedit *le)
{
    memset(le, 0, sizeof(*le));
    reset(le);
}

/* The k-th newest history entry, 1 <= k <= hist_count. */
static const char *hist_entry(const struct lineedit *le, size_t k)
{
    return le->hist[(le->hist_next + LE_HISTORY - k) % LE_HISTORY];
}

/* Stores an accepted line. Blank lines would only be noise to step over,
 * and a command repeated back to back is one entry, as in shells. */
static void hist_store(struct lineedit *le)
{
    size_t i = 0;
    while (le->buf[i] == ' ')
        i++;
    if (le->buf[i] == '\0')
        return;
    if (le->hist_count && strcmp(hist_entry(le, 1), le->buf) == 0)
        return;
    memcpy(le->hist[le->hist_next], le->buf, le->len + 1);
    le->hist_next = (le->hist_next + 1) % LE_HISTORY;
    if (le->hist_count < LE_HISTORY)
        le->hist_count++;
}

/*
 * Replaces the line with text (a history entry, or "" past the newest).
 * The terminal cursor is at the end of the old text, which is exactly
 * le->len characters: over-long and non-printable input was never echoed.
 * So: back over it, print the new text on top, blank what sticks out.
 * The replaced line's errors go with it.
 */
static void replace_line(struct lineedit *le, const char *text, struct echo *e)
{
    size_t old = le->len, n = strlen(text);

    put_n(e, '\b', old);
    for (size_t i = 0; i < n; i++)
        put(e, text[i]);
    if (old > n) {
        put_n(e, ' ', old - n);
        put_n(e, '\b', old - n);
    }
    memcpy(le->buf, text, n + 1);
    le->len = n;
    le->overflow = false;
    le->bad_byte = -1;
}

/* Up (older) or down (newer) in the history; nothing past either end. */
static void hist_move(struct lineedit *le, bool up, struct echo *e)
{
    if (up) {
        if (le->hist_pos >= le->hist_count)
            return;
        le->hist_pos++;
    } else {
        if (le->hist_pos == 0)
            return;
        le->hist_pos--;
    }
    replace_line(le, le->hist_pos ? hist_entry(le, le->hist_pos) : "", e);
}

static enum le_event finish(struct lineedit *le)
{
    le->buf[le->len] = '\0';
    le->done = true;    /* buf stays readable until the next byte */
    if (le->overflow) {
        fmt_snprintf(le->error, sizeof(le->error), "line too long (more than %d characters)",
                     LE_MAX);
        return LE_ERROR;
    }
    if (le->bad_byte >= 0) {
        fmt_snprintf(le->error, sizeof(le->error),
                     "line contains a non-printable byte (0x%02x)", le->bad_byte);
        return LE_ERROR;
    }
    hist_store(le);
    return LE_LINE;
}

/* le_feed - one received byte; see lineedit.h. */
enum le_event le_feed(struct lineedit *le, uint8_t c, char *echo, size_t echosize,
                      size_t *echolen)
{
    struct echo e = { echo, echosize, echolen };
    *echolen = 0;
    bool was_cr = le->last_cr;
    le->last_cr = false;

    if (le->done)
        reset(le);

    switch (le->esc) {
    case ESC_START:
        le->esc = c == '[' ? ESC_CSI : c == 'O' ? ESC_SS3 : ESC_NONE;
        return LE_NONE;
    case ESC_CSI:
    case ESC_SS3:
        if (c == 'A' || c == 'B') {
            le->esc = ESC_NONE;
            hist_move(le, c == 'A', &e);
            return LE_NONE;
        }
        /* SS3 is always one more byte; CSI ends at its final byte. */
        if (le->esc == ESC_SS3 || (c >= 0x40 && c <= 0x7E))
            le->esc = ESC_NONE;
        else
            le->esc = ESC_CSI_PARAM;
        return LE_NONE;
    case ESC_CSI_PARAM:
        if (c >= 0x40 && c <= 0x7E)     /* final byte of a CSI sequence */
            le->esc = ESC_NONE;
        return LE_NONE;
    default:
        break;
    }

    if (c == '\n' && was_cr)
        return LE_NONE;
    if (c == '\r' || c == '\n') {
        le->last_cr = c == '\r';
        put(&e, '\r');
        put(&e, '\n');
        return finish(le);
    }
    if (c == 0x1B) {
        le->esc = ESC_START;
        return LE_NONE;
    }
    if (c == 0x08 || c == 0x7F) {
        if (le->len && !le->overflow) {
            le->len--;
            le->buf[le->len] = '\0';
            put(&e, '\b');
            put(&e, ' ');
            put(&e, '\b');
        }
        return LE_NONE;
    }
    if (c == CTRL('U')) {
        /* The erase is echoed by the caller redrawing; report as cancel. */
        reset(le);
        put(&e, '\r');
        put(&e, '\n');
        return LE_CANCEL;
    }
    if (c == CTRL('C')) {
        reset(le);
        put(&e, '^');
        put(&e, 'C');
        put(&e, '\r');
        put(&e, '\n');
        return LE_CANCEL;
    }
    if (c < 0x20 || c > 0x7E) {
        if (le->bad_byte < 0)
            le->bad_byte = c;
        return LE_NONE;
    }
    if (le->len >= LE_MAX) {
        le->overflow = true;
        return LE_NONE;
    }
    le->buf[le->len++] = (char)c;
    le->buf[le->len] = '\0';
    put(&e, (char)c);
    return LE_NONE;
}
