/*
 * gdb_stub.h - a GDB remote stub in the hypervisor (the hardware shell of
 * kernel/gdb_rsp.c and kernel/gdb_regs.c): GDB debugs the guest as a
 * target whose threads are the vCPUs, on any machine monovisor runs on.
 *
 * Where it listens: the console's wire in the mux's gdb mode (Ctrl-A g,
 * or GDB's first '$' on an empty monitor line: kernel/conmux.h), or a UART
 * of its own (gdb=com2, gdb=0x2f8, gdb=mmio:..., gdb=pci:...), which the
 * guest then does not see.
 *
 * How it runs: the console's core polls it (console_poll); it stops the
 * guest with the console's pause machinery (every vCPU paused, all-stop
 * mode), reads and writes a vCPU's state on that vCPU's core (vcpu_call),
 * and guest memory through the guest's page tables with the hypervisor's
 * own memory refused. Software breakpoints are INT3 bytes with #BP
 * intercepted; hardware breakpoints and watchpoints use the debug
 * registers the guest does not hold (kernel/dbg.h shares them); `s` steps
 * one vCPU as the console's `step` does, the others staying paused.
 */
#ifndef GDB_STUB_H
#define GDB_STUB_H

#include <stdbool.h>
#include <stdint.h>

#include "../drivers/uart.h"

struct vcpu;

/* gdb_stub_init - listen on w (its own UART, already programmed), or on
 * the console's wire when w is NULL (boot, before any vCPU). */
void gdb_stub_init(const struct uart_wire *w);

/* gdb_wait_at_start - gdb_wait=1 (boot); gdb_hold_at_start - the guest's
 * first start leaves every vCPU paused, stopped for GDB at the first
 * instruction (QEMU's -S): called by vcpu_start on each vCPU's core,
 * true when v must wait. */
void gdb_wait_at_start(bool on);
bool gdb_hold_at_start(struct vcpu *v);

/* gdb_poll - take what the stub's own UART received, report a stop the
 * guest reached (the console's core, from console_poll). */
void gdb_poll(void);

/* gdb_feed - one byte from the console's wire in gdb mode. */
void gdb_feed(uint8_t byte);

/* gdb_on_console - the stub listens on the console's wire. */
bool gdb_on_console(void);

/* gdb_next_byte - getc's next byte, waited for (briefly) while a packet
 * is half received; -1 when none comes. */
int gdb_next_byte(int (*getc)(void));

/* gdb_between_packets - no packet is half received (the mux's escapes
 * count only then). */
bool gdb_between_packets(void);

/* ---- called on a vCPU's core, from its exit handlers ---- */

/* gdb_exception - an intercepted #BP or #DB (v->exit): true when it was
 * the stub's (a breakpoint, watchpoint or step of GDB's: the vCPU is
 * paused and every other one asked to pause), false when it is the
 * guest's own, to be reflected (with *dr6 the bits the guest should see,
 * for a #DB). */
bool gdb_exception(struct vcpu *v, uint64_t *dr6);

/* gdb_step_done - the end of a step (finish_step): true when GDB asked
 * for it (the stop is GDB's to report, not the console's). */
bool gdb_step_done(struct vcpu *v);

/* gdb_dr_access - a MOV to or from DR0-DR3 or DR7 (dr) while the stub
 * holds debug registers (v->dr_shared): the guest's value kept aside or
 * read back (*val), the hardware's composed of both (kernel/dbg.h). */
void gdb_dr_access(struct vcpu *v, unsigned dr, bool from, uint64_t *val);

/* gdb_holds_debug_registers - `trap movdr off` must wait. */
bool gdb_holds_debug_registers(void);

#endif
