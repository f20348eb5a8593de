/*
 * conmux.h - who gets the bytes typed on the console wire (pure; host
 * unit tested and fuzzed): the monovisor> line editor (monitor mode), the
 * guest's COM1 (guest mode) or the GDB stub (gdb mode), switched with an
 * escape as QEMU's character-device mux does.
 *
 *   Ctrl-A c        toggle guest mode / monitor mode (from gdb mode: monitor)
 *   Ctrl-A g        gdb mode: the wire carries GDB's remote protocol
 *   Ctrl-A Ctrl-A   one literal Ctrl-A to the side that has the terminal
 *   Ctrl-A h        a line naming these keys
 *   Ctrl-A other    both bytes dropped, the terminal bell rung: a typo
 *                   after the escape never reaches the guest half-done
 *
 * GDB's first packet switches too: a '$' typed at the start of an empty
 * monitor line (line_empty, which the console keeps current) is the
 * start of a packet, not a command. In gdb mode the protocol is binary
 * (an 'X' packet may carry 0x01), so escapes count only between packets
 * (gdb_idle, which the console takes from the stub).
 */
#ifndef CONMUX_H
#define CONMUX_H

#include <stdbool.h>
#include <stdint.h>

#define CONMUX_ESCAPE 0x01      /* Ctrl-A */

enum conmux_mode { CONMUX_MONITOR, CONMUX_GUEST, CONMUX_GDB };

enum conmux_action {
    MUX_MONITOR,        /* *out goes to the line editor */
    MUX_GUEST,          /* *out goes to the guest's COM1 */
    MUX_GDB,            /* *out goes to the GDB stub */
    MUX_HELD,           /* an escape: wait for the next byte */
    MUX_SWITCHED,       /* the mode changed (m->mode says to which) */
    MUX_HELP,           /* print the keys */
    MUX_BELL,           /* unknown escape: dropped, ring the bell */
};

struct conmux {
    enum conmux_mode mode;
    bool escape;        /* the last byte was an unpaired Ctrl-A */
    bool line_empty;    /* the monitor's input line is empty (the console's) */
    bool gdb_idle;      /* the stub is between packets (the console's) */
    uint64_t switches, bells;
};

/* conmux_init - start in mode, no escape pending, an empty line, the
 * stub idle. */
void conmux_init(struct conmux *m, enum conmux_mode mode);

/* conmux_feed - one byte from the wire: what to do with it; *out is the
 * byte to pass on (MUX_MONITOR, MUX_GUEST, MUX_GDB). A '$' that switches
 * to gdb mode is passed on as MUX_GDB. */
enum conmux_action conmux_feed(struct conmux *m, uint8_t c, uint8_t *out);

/* conmux_set_mode - switch without an escape (the stub leaves gdb mode
 * when GDB detaches). */
void conmux_set_mode(struct conmux *m, enum conmux_mode mode);

#endif
