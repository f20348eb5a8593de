/*
 * conmux.c - the console mux; see conmux.h.
 */
#include "conmux.h"

void conmux_init(struct conmux *m, enum conmux_mode mode)
{
    m->mode = mode;
    m->escape = false;
    m->line_empty = true;
    m->gdb_idle = true;
    m->switches = m->bells = 0;
}

void conmux_set_mode(struct conmux *m, enum conmux_mode mode)
{
    if (m->mode != mode)
        m->switches++;
    m->mode = mode;
    m->escape = false;
}

static enum conmux_action pass(const struct conmux *m)
{
    static const enum conmux_action to[] = {
        [CONMUX_MONITOR] = MUX_MONITOR, [CONMUX_GUEST] = MUX_GUEST, [CONMUX_GDB] = MUX_GDB,
    };
    return to[m->mode];
}

enum conmux_action conmux_feed(struct conmux *m, uint8_t c, uint8_t *out)
{
    *out = c;
    if (m->mode == CONMUX_GDB && !m->gdb_idle)
        return MUX_GDB;         /* inside a packet: every byte is data */
    if (!m->escape) {
        if (c == CONMUX_ESCAPE) {
            m->escape = true;
            return MUX_HELD;
        }
        if (c == '$' && m->mode == CONMUX_MONITOR && m->line_empty) {
            conmux_set_mode(m, CONMUX_GDB);
            return MUX_GDB;
        }
        return pass(m);
    }
    m->escape = false;
    switch (c) {
    case CONMUX_ESCAPE:
        return pass(m);
    case 'c':
        conmux_set_mode(m, m->mode == CONMUX_MONITOR ? CONMUX_GUEST : CONMUX_MONITOR);
        return MUX_SWITCHED;
    case 'g':
        conmux_set_mode(m, CONMUX_GDB);     /* (already there: said again) */
        return MUX_SWITCHED;
    case 'h':
        return MUX_HELP;
    default:
        m->bells++;
        return MUX_BELL;
    }
}
