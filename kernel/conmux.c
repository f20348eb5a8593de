/*
 * conmux.c - the console mux; see conmux.h.
 */
#include "conmux.h"

void conmux_init(struct conmux *m, enum conmux_mode mode)
{
    m->mode = mode;
    m->escape = false;
    m->switches = m->bells = 0;
}

enum conmux_action conmux_feed(struct conmux *m, uint8_t c, uint8_t *out)
{
    *out = c;
    if (!m->escape) {
        if (c == CONMUX_ESCAPE) {
            m->escape = true;
            return MUX_HELD;
        }
        return m->mode == CONMUX_GUEST ? MUX_GUEST : MUX_MONITOR;
    }
    m->escape = false;
    switch (c) {
    case CONMUX_ESCAPE:
        return m->mode == CONMUX_GUEST ? MUX_GUEST : MUX_MONITOR;
    case 'c':
        m->mode = m->mode == CONMUX_GUEST ? CONMUX_MONITOR : CONMUX_GUEST;
        m->switches++;
        return MUX_SWITCHED;
    case 'h':
        return MUX_HELP;
    default:
        m->bells++;
        return MUX_BELL;
    }
}
