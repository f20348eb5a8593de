/*
 * conmux.h - who gets the bytes typed on the console wire (pure; host
 * unit tested and fuzzed): the monovisor> line editor (monitor mode) or
 * the guest's COM1 (guest mode), switched with an escape as QEMU's
 * character-device mux does.
 *
 *   Ctrl-A c        toggle guest mode / monitor mode
 *   Ctrl-A Ctrl-A   one literal Ctrl-A to the side that has the terminal
 *   Ctrl-A h        a line naming these keys
 *   Ctrl-A other    both bytes dropped, the terminal bell rung: a typo
 *                   after the escape never reaches the guest half-done
 */
#ifndef CONMUX_H
#define CONMUX_H

#include <stdbool.h>
#include <stdint.h>

#define CONMUX_ESCAPE 0x01      /* Ctrl-A */

enum conmux_mode { CONMUX_MONITOR, CONMUX_GUEST };

enum conmux_action {
    MUX_MONITOR,        /* *out goes to the line editor */
    MUX_GUEST,          /* *out goes to the guest's COM1 */
    MUX_HELD,           /* an escape: wait for the next byte */
    MUX_SWITCHED,       /* the mode changed (m->mode says to which) */
    MUX_HELP,           /* print the keys */
    MUX_BELL,           /* unknown escape: dropped, ring the bell */
};

struct conmux {
    enum conmux_mode mode;
    bool escape;        /* the last byte was an unpaired Ctrl-A */
    uint64_t switches, bells;
};

/* conmux_init - start in mode, no escape pending. */
void conmux_init(struct conmux *m, enum conmux_mode mode);

/* conmux_feed - one byte from the wire: what to do with it; *out is the
 * byte to pass on (MUX_MONITOR, MUX_GUEST). */
enum conmux_action conmux_feed(struct conmux *m, uint8_t c, uint8_t *out);

#endif
