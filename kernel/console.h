/*
 * console.h - the monovisor> prompt on the console UART.
 *
 * Output is stable key=value text; every error line starts with "error:".
 * Any part of monovisor adds commands with CONSOLE_COMMAND, which places an
 * entry in the .console_cmds section: the console depends on nobody.
 */
#ifndef CONSOLE_H
#define CONSOLE_H

#include <stdbool.h>
#include <stdint.h>

struct console_cmd {
    const char *name;
    const char *usage;
    const char *help;
    void (*run)(int argc, char **argv);     /* argv[0] is the name */
};

#define CONSOLE_COMMAND(id, name, usage, help, fn)                                  \
    static const struct console_cmd console_cmd_##id                                \
        __attribute__((used, section(".console_cmds"), aligned(8))) = {            \
            name, usage, help, fn }

struct cpu;

/* The core that polls the UART and runs commands (kmain picks it: a core
 * kept out of the guest if there is one, else the boot core). Only it
 * calls console_poll. */
extern struct cpu *console_cpu;

/* console_exec - run one command line (as typed, or from run=). */
void console_exec(const char *line);

/* console_run_list - run the ';'-separated commands of a run= option. */
void console_run_list(const char *list);

/* console_poll - take the bytes the UART holds, echo them, and run the
 * first completed line (the rest waits for the next call, so that what a
 * command asked of the vCPU takes effect first). Never waits. */
void console_poll(void);

/* console_prompt - print the prompt (after output that ended a line);
 * nothing while the guest has the terminal. */
void console_prompt(void);

/* The console mux (kernel/conmux.h): Ctrl-A c gives the terminal to the
 * guest's COM1 or back to the monovisor> prompt. */

/* console_set_guest_input - where bytes typed in guest mode go (the
 * virtual UART's receive side, kernel/vserial.c); until set they are dropped. */
void console_set_guest_input(void (*fn)(uint8_t byte));

/* console_start_mode - the mode at boot (console=): guest mode when guest. */
void console_start_mode(bool guest);

/* console_gdb_detached - GDB detached from the console's wire: back to
 * the monitor. */
void console_gdb_detached(void);

/* console_guest_mode - the guest has the terminal. */
bool console_guest_mode(void);

/* console_loop - poll forever; for a core with nothing else to do. */
_Noreturn void console_loop(void);

#endif
