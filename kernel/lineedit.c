/*
 * lineedit.c - console line discipline; see lineedit.h.
 */
#include "lineedit.h"

#include "fmt.h"
#include "kstring.h"

enum { ESC_NONE, ESC_START, ESC_CSI, ESC_SS3 };

#define CTRL(c) ((c) & 0x1F)

static void reset(struct lineedit *le)
{
    le->len = 0;
    le->buf[0] = '\0';
    le->overflow = false;
    le->bad_byte = -1;
    le->esc = ESC_NONE;
    le->done = false;
}

void le_init(struct lineedit *le)
{
    memset(le, 0, sizeof(*le));
    reset(le);
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
    return LE_LINE;
}

enum le_event le_feed(struct lineedit *le, uint8_t c, char *echo, size_t *echolen)
{
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
        if (c >= 0x40 && c <= 0x7E)     /* final byte of a CSI sequence */
            le->esc = ESC_NONE;
        return LE_NONE;
    case ESC_SS3:
        le->esc = ESC_NONE;
        return LE_NONE;
    default:
        break;
    }

    if (c == '\n' && was_cr)
        return LE_NONE;
    if (c == '\r' || c == '\n') {
        le->last_cr = c == '\r';
        echo[(*echolen)++] = '\r';
        echo[(*echolen)++] = '\n';
        return finish(le);
    }
    if (c == 0x1B) {
        le->esc = ESC_START;
        return LE_NONE;
    }
    if (c == 0x08 || c == 0x7F) {
        if (le->len && !le->overflow) {
            le->len--;
            echo[(*echolen)++] = '\b';
            echo[(*echolen)++] = ' ';
            echo[(*echolen)++] = '\b';
        }
        return LE_NONE;
    }
    if (c == CTRL('U')) {
        /* The erase is echoed by the caller redrawing; report as cancel. */
        reset(le);
        echo[(*echolen)++] = '\r';
        echo[(*echolen)++] = '\n';
        return LE_CANCEL;
    }
    if (c == CTRL('C')) {
        reset(le);
        echo[(*echolen)++] = '^';
        echo[(*echolen)++] = 'C';
        echo[(*echolen)++] = '\r';
        echo[(*echolen)++] = '\n';
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
    echo[(*echolen)++] = (char)c;
    return LE_NONE;
}
