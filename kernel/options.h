/*
 * options.h - the hypervisor's command line (the multiboot2 line in
 * grub.cfg, HV_ARGS of `make iso`). Pure; host unit tested.
 *
 * Syntax: words of the form name=value or name (booleans), separated by
 * blanks; values may be double-quoted. Unknown or malformed options are
 * reported by name and the default is kept.
 */
#ifndef OPTIONS_H
#define OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define OPT_RUN_MAX     512
#define OPT_CMDLINE_MAX 1024

/* serial=: where the console UART is. */
enum { SERIAL_IO, SERIAL_MMIO, SERIAL_PCI };
struct serial_spec {
    uint64_t kind;              /* SERIAL_* */
    uint64_t addr;              /* SERIAL_IO: the I/O port; SERIAL_MMIO: the physical address */
    uint64_t width;             /* SERIAL_MMIO: register width and stride in bytes, 1 or 4 */
    uint64_t bdf;               /* SERIAL_PCI: bus << 8 | device << 3 | function */
};

struct hv_options {
    struct serial_spec serial;  /* serial=PORT|mmio:ADDR[,1|4]|pci:BB:DD.F  the console UART */
    uint64_t baud;              /* baud=N       console speed */
    char run[OPT_RUN_MAX];      /* run="cmd; cmd"  console commands at boot */
    uint64_t hlt;               /* hlt=guest|exit  (HLT_GUEST, HLT_EXIT) */
    uint64_t onexit;            /* onexit=poweroff|console  what a guest exit does */
    uint64_t poll_us;           /* poll_us=N  console service period while the guest runs */
    uint64_t ept;               /* ept=static|lazy  (EPT_STATIC, EPT_LAZY) */
    uint64_t ept_refuse;        /* ept_refuse=stop|gp  what a refused access does */
    uint64_t ept_ad;            /* ept_ad=0|1  EPT accessed/dirty flags */
    uint64_t mem;               /* mem=SIZE  guest RAM limit (0: all) */
    char cpuid[OPT_RUN_MAX];    /* cpuid=-avx512f,+x2apic  CPUID bits hidden/shown */
    char cpus[64];              /* cpus=all|0,2|0-3  the cores given to the guest */
    uint64_t verbose;           /* verbose=0|1  the whole boot report on the console */
    uint64_t console;           /* console=monitor|guest  who has the terminal at boot */
    uint64_t iommu;             /* iommu=on|off  DMA remapping (IOMMU_ON, IOMMU_OFF) */
    struct serial_spec gdb;     /* gdb=console|com2|PORT|mmio:...|pci:...  the GDB stub's wire */
    uint64_t gdb_wait;          /* gdb_wait=0|1  the guest waits for GDB at its first instruction */
    uint64_t kvm_leaves;        /* kvm_leaves=0|1  KVM's CPUID signature at 40000100H (x2APIC for Linux) */
    uint64_t given;             /* the options the command line set (bit per option) */
};

enum { EPT_STATIC, EPT_LAZY };
enum { REFUSE_STOP, REFUSE_GP };

enum { HLT_GUEST, HLT_EXIT };
enum { ONEXIT_POWEROFF, ONEXIT_CONSOLE };
enum { CONSOLE_MONITOR, CONSOLE_GUEST };
enum { IOMMU_ON, IOMMU_OFF };

/* Receives one problem, already formatted ("cmdline: ..."). */
typedef void (*opt_report)(void *ctx, const char *msg);

/* options_defaults - fill o with every option's default. */
void options_defaults(struct hv_options *o);

/*
 * options_parse - parse cmdline (NULL = empty) into o, which must hold the
 * defaults. Each problem is passed to report. Returns the number of problems.
 */
int options_parse(const char *cmdline, struct hv_options *o, opt_report report, void *ctx);

/* options_given - o's option name was set by the command line (not a
 * default, nor a value refused). */
bool options_given(const struct hv_options *o, const char *name);

/*
 * options_format - the effective options as one key=value line, each key
 * prefixed "opt.", into buf. Returns buf.
 */
char *options_format(const struct hv_options *o, char *buf, size_t size);

/*
 * parse_cpu_list - "all" (every bit) or a comma-separated list of core
 * numbers and ranges below 64 ("0,2", "0-3,6") into *mask. Returns 0, or
 * -1 with the reason in err.
 */
int parse_cpu_list(const char *s, uint64_t *mask, char *err, size_t errlen);

/*
 * parse_serial - a serial= value: an I/O port ("0x2f8", 1 to 0xfff8, or
 * by its name "com1" to "com4": 0x3f8, 0x2f8, 0x3e8, 0x2e8), an
 * MMIO 16550 ("mmio:0xfedc9000" or with ",1" or ",4": its registers'
 * width and stride in bytes, 1 by default; below 4 GiB, aligned to that
 * width) or a PCI 16550 card ("pci:00:03.0": bus, device and function in
 * hex, as lspci prints them). Returns 0 with *out, or -1 with the reason
 * in err.
 */
int parse_serial(const char *s, struct serial_spec *out, char *err, size_t errlen);

/* format_serial - spec as parse_serial takes it ("0x3f8", "mmio:0x...,4",
 * "pci:00:03.0") into buf. */
void format_serial(const struct serial_spec *spec, char *buf, size_t size);

/*
 * parse_uint - decimal or 0x-hex number; with sizes, a K/M/G/T suffix
 * (binary units) is accepted. Returns false on garbage or overflow.
 */
bool parse_uint(const char *s, bool sizes, uint64_t *out);

#endif
