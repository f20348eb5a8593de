/*
 * console.c - command dispatch and the interactive prompt.
 */
#include "console.h"

#include "../drivers/iommu.h"

#include "conmux.h"
#include "gdb_stub.h"
#include "kstring.h"
#include "lineedit.h"
#include "percpu.h"
#include "power.h"
#include "printk.h"
#include "tokenize.h"
#include "x86.h"
#include "../drivers/uart.h"

#define MAX_WORDS 16

struct cpu *console_cpu;

extern const struct console_cmd __console_cmds_start[], __console_cmds_end[];

static const struct console_cmd *find_command(const char *name)
{
    for (const struct console_cmd *c = __console_cmds_start; c < __console_cmds_end; c++)
        if (!strcmp(c->name, name))
            return c;
    return 0;
}

static void print_command(const struct console_cmd *c)
{
    kprintf("cmd=%s usage=\"%s\" help=\"%s\"\n", c->name, c->usage, c->help);
}

static void cmd_help(int argc, char **argv)
{
    if (argc > 2) {
        kprintf("error: usage: help [COMMAND]\n");
        return;
    }
    if (argc == 2) {
        const struct console_cmd *c = find_command(argv[1]);
        if (!c)
            kprintf("error: no command '%s' (type help for the list)\n", argv[1]);
        else
            print_command(c);
        return;
    }
    /* Alphabetical, whatever the link order. */
    const char *last = "";
    for (;;) {
        const struct console_cmd *next = 0;
        for (const struct console_cmd *c = __console_cmds_start; c < __console_cmds_end; c++)
            if (strcmp(c->name, last) > 0 && (!next || strcmp(c->name, next->name) < 0))
                next = c;
        if (!next)
            break;
        print_command(next);
        last = next->name;
    }
    kprintf("console: Ctrl-U erases the line, Ctrl-C cancels it; Ctrl-A c switches between "
            "this prompt and the guest's COM1, Ctrl-A g hands the wire to GDB, Ctrl-A Ctrl-A "
            "sends the guest a Ctrl-A\n");
}
CONSOLE_COMMAND(help, "help", "help [COMMAND]", "list the commands, or describe one", cmd_help);

static void cmd_quit(int argc, char **argv)
{
    (void)argv;
    if (argc != 1) {
        kprintf("error: usage: quit\n");
        return;
    }
    power_off("console quit", 0);
}
CONSOLE_COMMAND(quit, "quit", "quit", "power the machine off (every core leaves VMX or SVM first)", cmd_quit);

void console_exec(const char *line)
{
    char buf[LE_MAX + 1];
    char *words[MAX_WORDS];
    const char *err;

    size_t len = strlen(line);
    if (len >= sizeof(buf)) {
        kprintf("error: command longer than %d characters\n", LE_MAX);
        return;
    }
    memcpy(buf, line, len + 1);
    int n = tok_split(buf, words, MAX_WORDS, &err);
    if (n < 0) {
        kprintf("error: %s\n", err);
        return;
    }
    if (n == 0)
        return;
    const struct console_cmd *c = find_command(words[0]);
    if (!c) {
        kprintf("error: unknown command '%s' (type help for the list)\n", words[0]);
        return;
    }
    c->run(n, words);
}

void console_run_list(const char *list)
{
    char cmd[LE_MAX + 1];
    const char *cursor = list;
    int r;
    while ((r = tok_next_command(&cursor, cmd, sizeof(cmd))) != 0) {
        if (r < 0) {
            kprintf("error: run: a command is longer than %d characters (skipped)\n", LE_MAX);
            continue;
        }
        const char *c = cmd;
        while (*c == ' ' || *c == '\t')
            c++;
        if (!*c)
            continue;
        kprintf("monovisor> %s\n", c);
        console_exec(c);
    }
}

static struct lineedit le;
static bool le_ready;
static struct conmux mux;
static void (*guest_input)(uint8_t byte);

void console_set_guest_input(void (*fn)(uint8_t byte))
{
    guest_input = fn;
}

void console_start_mode(bool guest)
{
    conmux_init(&mux, guest ? CONMUX_GUEST : CONMUX_MONITOR);
    if (guest)
        kputs("\n[monovisor: console -> guest, Ctrl-A c returns]\n");
}

bool console_guest_mode(void)
{
    return mux.mode == CONMUX_GUEST;
}

void console_prompt(void)
{
    /* Only the console's core knows where its input line stands; in guest
     * mode the terminal is the guest's. */
    if ((!console_cpu || console_cpu == this_cpu()) && mux.mode == CONMUX_MONITOR)
        kputs("monovisor> ");
}

/* Ctrl-A c or g: say who has the terminal now. */
static void announce_switch(void)
{
    if (mux.mode == CONMUX_GUEST) {
        kputs("\n[monovisor: console -> guest, Ctrl-A c returns]\n");
        return;
    }
    if (mux.mode == CONMUX_GDB && !gdb_on_console()) {
        kputs("\n[monovisor: the GDB stub listens on its own UART (gdb=), not here]\n");
        conmux_set_mode(&mux, CONMUX_MONITOR);
    } else if (mux.mode == CONMUX_GDB) {
        kputs("\n[monovisor: console -> gdb (target remote this wire), Ctrl-A c returns]\n");
        return;
    }
    kputs("\n[monovisor: console -> monitor]\n");
    le_init(&le);       /* a fresh line */
    console_prompt();
}

void console_gdb_detached(void)
{
    conmux_set_mode(&mux, CONMUX_MONITOR);
    announce_switch();
}

void console_poll(void)
{
    char echo[LE_ECHO_MAX];     /* a history recall redraws the whole line */
    size_t echolen;
    int c;
    uint8_t b;

    if (!le_ready) {
        le_init(&le);
        le_ready = true;
    }
    iommu_poll();
    gdb_poll();
    while ((c = mux.mode == CONMUX_GDB ? gdb_next_byte(uart_getc) : uart_getc()) >= 0) {
        mux.line_empty = le.done || le.len == 0;   /* (done: the next byte starts a new line) */
        mux.gdb_idle = gdb_between_packets();
        enum conmux_action a = conmux_feed(&mux, (uint8_t)c, &b);
        if (a == MUX_GDB && !gdb_on_console()) {
            a = MUX_SWITCHED;       /* a '$': says where the stub is, back to the monitor */
            mux.mode = CONMUX_GDB;
        }
        switch (a) {
        case MUX_GUEST:
            if (guest_input)
                guest_input(b);
            continue;
        case MUX_GDB:
            gdb_feed(b);
            continue;
        case MUX_HELD:
            continue;
        case MUX_SWITCHED:
            announce_switch();
            continue;
        case MUX_HELP:
            kputs("\n[monovisor: Ctrl-A c switches guest/monitor, Ctrl-A g to GDB's remote "
                  "protocol, Ctrl-A Ctrl-A sends Ctrl-A, Ctrl-A h this help]\n");
            continue;
        case MUX_BELL:
            uart_putc('\a');
            continue;
        case MUX_MONITOR:
            break;
        }
        enum le_event ev = le_feed(&le, b, echo, sizeof(echo), &echolen);
        print_begin();
        for (size_t i = 0; i < echolen; i++)
            uart_putc(echo[i]);
        print_end();
        switch (ev) {
        case LE_NONE:
            continue;
        case LE_LINE:
            console_exec(le.buf);
            break;
        case LE_ERROR:
            kprintf("error: %s\n", le.error);
            break;
        case LE_CANCEL:
            break;
        }
        console_prompt();
        /* One line per call: what the command asked of the vCPU (pause,
         * reset) takes effect before the next line runs. */
        return;
    }
}

_Noreturn void console_loop(void)
{
    for (;;) {
        console_poll();
        cpu_relax();
    }
}
