/*
 * console.h - the monovisor> prompt on the console UART.
 *
 * Output is stable key=value text; every error line starts with "error:".
 */
#ifndef CONSOLE_H
#define CONSOLE_H

/* console_exec - run one command line (as typed, or from run=). */
void console_exec(const char *line);

/* console_run_list - run the ';'-separated commands of a run= option. */
void console_run_list(const char *list);

/* console_loop - the interactive prompt; never returns (quit powers off). */
_Noreturn void console_loop(void);

#endif
