/*
 * console.c - command table and the interactive prompt.
 */
#include "console.h"

#include "hv.h"
#include "kstring.h"
#include "lineedit.h"
#include "mem.h"
#include "power.h"
#include "printk.h"
#include "tokenize.h"
#include "x86.h"
#include "../drivers/acpi.h"
#include "../drivers/tsc.h"
#include "../drivers/uart.h"
#include "../vmx/probe.h"

#define MAX_WORDS 16

struct command {
    const char *name;
    const char *usage;
    const char *help;
    void (*run)(int argc, char **argv);
};

static void cmd_help(int argc, char **argv);
static void cmd_info(int argc, char **argv);
static void cmd_quit(int argc, char **argv);

static const struct command commands[] = {
    { "help", "help [COMMAND]", "list the commands, or describe one", cmd_help },
    { "info", "info", "version, command line, cores, memory map, hypervisor memory, VMX capabilities",
      cmd_info },
    { "quit", "quit", "power the machine off", cmd_quit },
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static const struct command *find_command(const char *name)
{
    for (size_t i = 0; i < NCOMMANDS; i++)
        if (!strcmp(commands[i].name, name))
            return &commands[i];
    return 0;
}

static void print_command(const struct command *c)
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
        const struct command *c = find_command(argv[1]);
        if (!c)
            kprintf("error: no command '%s' (type help for the list)\n", argv[1]);
        else
            print_command(c);
        return;
    }
    for (size_t i = 0; i < NCOMMANDS; i++)
        print_command(&commands[i]);
    kprintf("console: Ctrl-U erases the line, Ctrl-C cancels it\n");
}

static void print_cpus(void)
{
    const struct acpi_info *a = acpi();
    kprintf("cpus.count=%u cpus.bsp_apic_id=%u cpus.apic_ids=", a->cpu_count, hv.bsp_apic_id);
    for (unsigned i = 0; i < a->cpu_count; i++)
        kprintf("%s%u", i ? "," : "", a->cpus[i].apic_id);
    if (!a->cpu_count)
        kprintf("unknown");
    kprintf("%s\n", a->cpus_truncated ? " cpus.truncated=1" : "");
}

static void print_memory(void)
{
    for (unsigned i = 0; i < hv.mb.mmap_count; i++) {
        const struct mb2_mmap_entry *e = &hv.mb.mmap[i];
        kprintf("mem.region index=%u start=%#llx end=%#llx type=%s\n", i,
                (unsigned long long)e->base, (unsigned long long)(e->base + e->len),
                mb2_mem_type_name(e->type));
    }
    struct hv_region r = hv_region();
    const struct palloc *p = page_pool();
    kprintf("hv.region start=%#llx end=%#llx size_kib=%llu\n", (unsigned long long)r.start,
            (unsigned long long)r.end, (unsigned long long)((r.end - r.start) >> 10));
    kprintf("hv.pool pages=%zu used=%zu peak=%zu allocs=%llu frees=%llu failures=%llu\n",
            p->npages, p->used, p->peak, (unsigned long long)p->allocs,
            (unsigned long long)p->frees, (unsigned long long)p->failures);
}

static void print_modules(void)
{
    if (!hv.mb.module_count)
        kprintf("guest.module=none\n");
    for (unsigned i = 0; i < hv.mb.module_count; i++) {
        const struct mb2_module *m = &hv.mb.modules[i];
        kprintf("module index=%u start=%#llx end=%#llx size=%llu cmdline=\"%s\"\n", i,
                (unsigned long long)m->start, (unsigned long long)m->end,
                (unsigned long long)(m->end - m->start), m->cmdline);
    }
}

static void cmd_info(int argc, char **argv)
{
    (void)argv;
    if (argc != 1) {
        kprintf("error: usage: info\n");
        return;
    }
    char opts[256];
    const struct acpi_info *a = acpi();
    kprintf("version=%s loader=\"%s\"\n", MONOVISOR_VERSION,
            hv.mb.loader_name ? hv.mb.loader_name : "");
    kprintf("cmdline=\"%s\"\n", hv.mb.cmdline ? hv.mb.cmdline : "");
    kprintf("%s\n", options_format(&hv.opt, opts, sizeof(opts)));
    print_cpus();
    kprintf("acpi.revision=%d acpi.root=%#llx acpi.lapic=%#llx acpi.pm1a_cnt=%#x acpi.s5=%d\n",
            a->revision, (unsigned long long)a->root_table, (unsigned long long)a->lapic_base,
            a->pm1a_cnt, a->have_s5);
    kprintf("tsc.khz=%llu tsc.source=%s\n", (unsigned long long)tsc_khz(), tsc_source());
    print_memory();
    print_modules();
    vmx_print_caps(&hv.vmx);
}

static void cmd_quit(int argc, char **argv)
{
    (void)argv;
    if (argc != 1) {
        kprintf("error: usage: quit\n");
        return;
    }
    power_off("console quit", 0);
}

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
    const struct command *c = find_command(words[0]);
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

_Noreturn void console_loop(void)
{
    struct lineedit le;
    char echo[4];
    size_t echolen;

    le_init(&le);
    kputs("monovisor> ");
    for (;;) {
        int c = uart_getc();
        if (c < 0) {
            cpu_relax();
            continue;
        }
        enum le_event ev = le_feed(&le, (uint8_t)c, echo, &echolen);
        for (size_t i = 0; i < echolen; i++)
            uart_putc(echo[i]);
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
        kputs("monovisor> ");
    }
}
