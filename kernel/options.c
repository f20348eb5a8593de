/*
 * options.c - command-line option table and parser; see options.h.
 */
#include "options.h"

#include "fmt.h"
#include "kstring.h"
#include "tokenize.h"

enum opt_type { OPT_UINT, OPT_STRING, OPT_CHOICE, OPT_SERIAL };

struct opt_desc {
    const char *name;
    enum opt_type type;
    size_t offset;          /* into struct hv_options */
    size_t size;            /* string buffer size */
    uint64_t def, min, max; /* OPT_UINT */
    bool sizes;             /* accepts K/M/G/T */
    bool hex;               /* shown in hex (ports, addresses) */
    const char *const *choices;     /* OPT_CHOICE: NULL-terminated names */
    const char *help;
};

#define UINT_OPT(n, field, d, lo, hi, hex, help) \
    { n, OPT_UINT, offsetof(struct hv_options, field), 0, d, lo, hi, false, hex, 0, help }
#define STRING_OPT(n, field, help) \
    { n, OPT_STRING, offsetof(struct hv_options, field), \
      sizeof(((struct hv_options *)0)->field), 0, 0, 0, false, false, 0, help }
#define CHOICE_OPT(n, field, d, names, help) \
    { n, OPT_CHOICE, offsetof(struct hv_options, field), 0, d, 0, 0, false, false, names, help }
#define SIZE_OPT(n, field, d, lo, hi, help) \
    { n, OPT_UINT, offsetof(struct hv_options, field), 0, d, lo, hi, true, false, 0, help }

static const char *const hlt_names[] = { "guest", "exit", 0 };
static const char *const onexit_names[] = { "poweroff", "console", 0 };
static const char *const ept_names[] = { "static", "lazy", 0 };
static const char *const refuse_names[] = { "stop", "gp", 0 };
static const char *const bool_names[] = { "0", "1", 0 };
static const char *const console_names[] = { "monitor", "guest", 0 };
static const char *const iommu_names[] = { "on", "off", 0 };

#define SERIAL_OPT(n, field, d, help) \
    { n, OPT_SERIAL, offsetof(struct hv_options, field), 0, d, 0, 0, false, true, 0, help }

static const struct opt_desc opts[] = {
    SERIAL_OPT("serial", serial, 0x3F8,
               "the console UART: I/O port, mmio:ADDR[,1|4] or pci:BB:DD.F (a 16550)"),
    UINT_OPT("baud", baud, 115200, 1, 115200, false, "console speed (a divisor of 115200)"),
    STRING_OPT("run", run, "console commands run at boot, separated by ';'"),
    CHOICE_OPT("hlt", hlt, HLT_GUEST, hlt_names, "guest: HLT sleeps in the guest; exit: HLT exits"),
    CHOICE_OPT("onexit", onexit, ONEXIT_POWEROFF, onexit_names,
               "what a guest exit (port 0xf4, HC_SHUTDOWN) does"),
    UINT_OPT("poll_us", poll_us, 10000, 0, 10000000, false,
             "console service period while the guest runs, microseconds (0: only on exits)"),
    CHOICE_OPT("ept", ept, EPT_STATIC, ept_names,
               "static: RAM mapped at boot, MMIO on first touch; lazy: RAM on first touch too"),
    CHOICE_OPT("ept_refuse", ept_refuse, REFUSE_STOP, refuse_names,
               "a refused guest access (hypervisor memory, outside, frozen map): stop or #GP"),
    CHOICE_OPT("ept_ad", ept_ad, 0, bool_names, "EPT accessed/dirty flags when the CPU has them"),
    SIZE_OPT("mem", mem, 0, 0, UINT64_MAX, "guest RAM limit (K/M/G/T); 0: all the RAM there is"),
    STRING_OPT("cpuid", cpuid, "CPUID bits to clear (-) or set (+): names or LEAF[.SUB].REG.BIT"),
    STRING_OPT("cpus", cpus, "cores given to the guest: all, or a list like 0,2 or 0-3 (0: the boot core)"),
    CHOICE_OPT("verbose", verbose, 0, bool_names,
               "1: print the boot report (0: banner, errors and guest.start; `info` shows it)"),
    CHOICE_OPT("iommu", iommu, IOMMU_ON, iommu_names,
               "on: the IOMMU keeps device DMA out of the hypervisor; off: device DMA is not confined"),
    SERIAL_OPT("gdb", gdb, 0,
               "the GDB stub's wire: console (the console's, Ctrl-A g), or a UART of its own as serial= "
               "names one (com2, I/O port, mmio:, pci:), which the guest then does not see"),
    CHOICE_OPT("gdb_wait", gdb_wait, 0, bool_names,
               "1: the guest starts stopped at its first instruction until GDB continues it"),
    CHOICE_OPT("kvm_leaves", kvm_leaves, 1, bool_names,
               "1: KVM's CPUID signature at 40000100H, no features: Linux keeps the x2APIC (fewer exits)"),
    CHOICE_OPT("console", console, CONSOLE_MONITOR, console_names,
               "who has the terminal at boot: the monovisor> prompt or the guest's COM1 (Ctrl-A c toggles)"),
};

#define NOPTS (sizeof(opts) / sizeof(opts[0]))
_Static_assert(sizeof(opts) / sizeof(opts[0]) <= 64, "hv_options.given has a bit per option");

bool parse_uint(const char *s, bool sizes, uint64_t *out)
{
    uint64_t v = 0;
    unsigned base = 10;
    const char *p = s;

    if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
        base = 16;
        p += 2;
    }
    const char *digits = p;
    for (; *p; p++) {
        unsigned d;
        if (*p >= '0' && *p <= '9')
            d = (unsigned)(*p - '0');
        else if (base == 16 && *p >= 'a' && *p <= 'f')
            d = (unsigned)(*p - 'a' + 10);
        else if (base == 16 && *p >= 'A' && *p <= 'F')
            d = (unsigned)(*p - 'A' + 10);
        else
            break;
        if (v > (UINT64_MAX - d) / base)
            return false;
        v = v * base + d;
    }
    if (p == digits)
        return false;   /* no digits: "", "0x", or a bare suffix like "K" */
    if (*p && sizes && !p[1]) {
        unsigned shift;
        switch (*p) {
        case 'k': case 'K': shift = 10; break;
        case 'm': case 'M': shift = 20; break;
        case 'g': case 'G': shift = 30; break;
        case 't': case 'T': shift = 40; break;
        default: return false;
        }
        if (v > (UINT64_MAX >> shift))
            return false;
        v <<= shift;
        p++;
    }
    if (*p)
        return false;
    *out = v;
    return true;
}

int parse_cpu_list(const char *s, uint64_t *mask, char *err, size_t errlen)
{
    uint64_t m = 0;
    if (!s[0] || !strcmp(s, "all")) {
        *mask = ~0ull;
        return 0;
    }
    while (*s) {
        char word[24];
        size_t n = 0;
        while (s[n] && s[n] != ',')
            n++;
        if (n == 0 || n >= sizeof(word)) {
            fmt_snprintf(err, errlen, "'%.*s' is not a core number or range", (int)n, s);
            return -1;
        }
        memcpy(word, s, n);
        word[n] = '\0';
        s += n + (s[n] == ',');
        char *dash = word;
        while (*dash && *dash != '-')
            dash++;
        bool range = *dash == '-';
        *dash = '\0';
        uint64_t lo, hi;
        if (!parse_uint(word, false, &lo) || !parse_uint(range ? dash + 1 : word, false, &hi) ||
            lo > hi || hi > 63) {
            if (range)
                *dash = '-';
            fmt_snprintf(err, errlen, "'%s' is not a core number 0-63 or a range FIRST-LAST", word);
            return -1;
        }
        for (uint64_t c = lo; c <= hi; c++)
            m |= 1ull << c;
    }
    *mask = m;
    return 0;
}

void options_defaults(struct hv_options *o)
{
    memset(o, 0, sizeof(*o));
    for (size_t i = 0; i < NOPTS; i++) {
        char *field = (char *)o + opts[i].offset;
        if (opts[i].type == OPT_UINT || opts[i].type == OPT_CHOICE)
            *(uint64_t *)field = opts[i].def;
        else if (opts[i].type == OPT_SERIAL)
            *(struct serial_spec *)field = (struct serial_spec){ SERIAL_IO, opts[i].def, 1, 0 };
    }
}

/* A hex number of at most digits digits up to the end or to stop; p moves
 * past it. */
static bool hex_field(const char **p, unsigned digits, char stop, uint64_t *out)
{
    uint64_t v = 0;
    unsigned n = 0;
    for (; **p && **p != stop; (*p)++, n++) {
        char c = **p;
        unsigned d = c >= '0' && c <= '9'   ? (unsigned)(c - '0')
                     : c >= 'a' && c <= 'f' ? (unsigned)(c - 'a' + 10)
                     : c >= 'A' && c <= 'F' ? (unsigned)(c - 'A' + 10)
                                            : 16;
        if (d == 16 || n == digits)
            return false;
        v = v * 16 + d;
    }
    *out = v;
    return n > 0;
}

int parse_serial(const char *s, struct serial_spec *out, char *err, size_t errlen)
{
    struct serial_spec sp = { SERIAL_IO, 0, 1, 0 };
    /* The PC's COM ports by name (their BIOS data area order). */
    static const char *const com_names[] = { "com1", "com2", "com3", "com4" };
    static const uint16_t com_ports[] = { 0x3F8, 0x2F8, 0x3E8, 0x2E8 };
    for (unsigned i = 0; i < 4; i++) {
        if (!strcmp(s, com_names[i])) {
            sp.addr = com_ports[i];
            *out = sp;
            return 0;
        }
    }
    if (!strncmp(s, "pci:", 4)) {
        /* BB:DD.F (PCI Local Bus 3.0, 3.2.2.3.2: 256 buses, 32 devices,
         * 8 functions). */
        const char *p = s + 4;
        uint64_t bus, dev, fn;
        if (!hex_field(&p, 2, ':', &bus) || *p++ != ':' || !hex_field(&p, 2, '.', &dev) ||
            *p++ != '.' || !hex_field(&p, 1, 0, &fn) || dev > 31 || fn > 7) {
            fmt_snprintf(err, errlen, "'%s' is not pci:BB:DD.F (bus 00-ff, device 00-1f, "
                         "function 0-7, in hex)", s);
            return -1;
        }
        sp.kind = SERIAL_PCI;
        sp.bdf = bus << 8 | dev << 3 | fn;
    } else if (!strncmp(s, "mmio:", 5)) {
        char num[24] = "";
        const char *comma = s + 5;
        while (*comma && *comma != ',')
            comma++;
        size_t len = (size_t)(comma - (s + 5));
        if (len < sizeof(num)) {
            memcpy(num, s + 5, len);
            num[len] = '\0';
        }
        uint64_t width = 1;
        if (len >= sizeof(num) || !parse_uint(num, false, &sp.addr) || !sp.addr ||
            (*comma && (!parse_uint(comma + 1, false, &width) || (width != 1 && width != 4)))) {
            fmt_snprintf(err, errlen, "'%s' is not mmio:ADDR[,1|4] (a nonzero address, the "
                         "registers' width 1 or 4)", s);
            return -1;
        }
        if (sp.addr >= 0x100000000ull || sp.addr % width) {
            fmt_snprintf(err, errlen, "mmio address %#llx is %s", (unsigned long long)sp.addr,
                         sp.addr % width ? "not aligned to the register width"
                                         : "above 4 GiB (the hypervisor maps the low 4 GiB)");
            return -1;
        }
        sp.kind = SERIAL_MMIO;
        sp.width = width;
    } else if (!parse_uint(s, false, &sp.addr) || !sp.addr || sp.addr > 0xFFF8) {
        fmt_snprintf(err, errlen, "'%s' is not an I/O port (1 to 0xfff8, com1-com4), mmio:ADDR[,1|4] "
                     "or pci:BB:DD.F", s);
        return -1;
    }
    *out = sp;
    return 0;
}

void format_serial(const struct serial_spec *sp, char *buf, size_t size)
{
    if (sp->kind == SERIAL_PCI)
        fmt_snprintf(buf, size, "pci:%02llx:%02llx.%llx", (unsigned long long)(sp->bdf >> 8),
                     (unsigned long long)(sp->bdf >> 3 & 31), (unsigned long long)(sp->bdf & 7));
    else if (sp->kind == SERIAL_MMIO)
        fmt_snprintf(buf, size, "mmio:%#llx,%llu", (unsigned long long)sp->addr,
                     (unsigned long long)sp->width);
    else if (sp->addr)
        fmt_snprintf(buf, size, "%#llx", (unsigned long long)sp->addr);
    else
        fmt_snprintf(buf, size, "console");     /* gdb='s default: no UART of its own */
}

static void reportf(opt_report report, void *ctx, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void reportf(opt_report report, void *ctx, const char *fmt, ...)
{
    char msg[160];
    va_list ap;
    va_start(ap, fmt);
    fmt_vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    report(ctx, msg);
}

static const struct opt_desc *find_opt(const char *name, size_t len)
{
    for (size_t i = 0; i < NOPTS; i++)
        if (strlen(opts[i].name) == len && !strncmp(opts[i].name, name, len))
            return &opts[i];
    return 0;
}

bool options_given(const struct hv_options *o, const char *name)
{
    const struct opt_desc *d = find_opt(name, strlen(name));
    return d && (o->given >> (d - opts) & 1);
}

static int apply_value(const struct opt_desc *d, const char *val, struct hv_options *o,
                       opt_report report, void *ctx);

/* Apply one name=value word; returns the number of problems (0 or 1). */
static int apply(const char *word, struct hv_options *o, opt_report report, void *ctx)
{
    const char *eq = word;
    while (*eq && *eq != '=')
        eq++;
    size_t nlen = (size_t)(eq - word);
    const struct opt_desc *d = find_opt(word, nlen);
    if (!d) {
        reportf(report, ctx, "cmdline: unknown option '%.*s' (ignored)", (int)nlen, word);
        return 1;
    }
    if (!*eq) {
        reportf(report, ctx, "cmdline: option '%s' needs a value (%s=...)", d->name, d->name);
        return 1;
    }
    int problems = apply_value(d, eq + 1, o, report, ctx);
    if (!problems)
        o->given |= 1ull << (d - opts);
    return problems;
}

/* The value of one option; returns the number of problems (0 or 1). */
static int apply_value(const struct opt_desc *d, const char *val, struct hv_options *o,
                       opt_report report, void *ctx)
{
    char *field = (char *)o + d->offset;

    if (d->type == OPT_STRING) {
        size_t len = strlen(val);
        if (len >= d->size) {
            reportf(report, ctx, "cmdline: %s: value longer than %zu characters (ignored)",
                    d->name, d->size - 1);
            return 1;
        }
        memcpy(field, val, len + 1);
        return 0;
    }
    if (d->type == OPT_SERIAL) {
        char why[120], def[16];
        struct serial_spec *sp = (struct serial_spec *)field;
        if (!d->def && !strcmp(val, "console")) {
            /* An option whose default is "no UART of its own" takes it by name. */
            *sp = (struct serial_spec){ SERIAL_IO, 0, 1, 0 };
            return 0;
        }
        if (parse_serial(val, sp, why, sizeof(why))) {
            format_serial(&(struct serial_spec){ SERIAL_IO, d->def, 1, 0 }, def, sizeof(def));
            reportf(report, ctx, "cmdline: %s: %s; using default %s", d->name, why, def);
            return 1;
        }
        return 0;
    }
    if (d->type == OPT_CHOICE) {
        for (uint64_t i = 0; d->choices[i]; i++) {
            if (!strcmp(d->choices[i], val)) {
                *(uint64_t *)field = i;
                return 0;
            }
        }
        char names[64];
        size_t pos = 0;
        for (size_t i = 0; d->choices[i] && pos < sizeof(names); i++)
            pos += (size_t)fmt_snprintf(names + pos, sizeof(names) - pos, "%s%s", i ? "|" : "",
                                        d->choices[i]);
        reportf(report, ctx, "cmdline: %s: '%s' is not one of %s; using default %s", d->name, val,
                names, d->choices[d->def]);
        return 1;
    }
    uint64_t v;
    if (!parse_uint(val, d->sizes, &v)) {
        reportf(report, ctx, "cmdline: %s: '%s' is not a number; using default %llu",
                d->name, val, (unsigned long long)d->def);
        return 1;
    }
    if (v < d->min || v > d->max) {
        reportf(report, ctx, "cmdline: %s: %llu is out of range [%llu, %llu]; using default %llu",
                d->name, (unsigned long long)v, (unsigned long long)d->min,
                (unsigned long long)d->max, (unsigned long long)d->def);
        return 1;
    }
    *(uint64_t *)field = v;
    return 0;
}

int options_parse(const char *cmdline, struct hv_options *o, opt_report report, void *ctx)
{
    char buf[OPT_CMDLINE_MAX];
    char *words[64];
    const char *err;

    if (!cmdline)
        return 0;
    if (strlen(cmdline) >= sizeof(buf)) {
        reportf(report, ctx, "cmdline: longer than %zu characters (all options ignored)",
                sizeof(buf) - 1);
        return 1;
    }
    memcpy(buf, cmdline, strlen(cmdline) + 1);
    int n = tok_split(buf, words, (int)(sizeof(words) / sizeof(words[0])), &err);
    if (n < 0) {
        reportf(report, ctx, "cmdline: %s (all options ignored)", err);
        return 1;
    }
    int problems = 0;
    for (int i = 0; i < n; i++)
        problems += apply(words[i], o, report, ctx);
    return problems;
}

char *options_format(const struct hv_options *o, char *buf, size_t size)
{
    size_t pos = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < NOPTS && pos < size; i++) {
        const char *field = (const char *)o + opts[i].offset;
        const char *sep = i ? " " : "";
        int n;
        char serial[32];
        if (opts[i].type == OPT_STRING)
            n = fmt_snprintf(buf + pos, size - pos, "%sopt.%s=\"%s\"", sep, opts[i].name, field);
        else if (opts[i].type == OPT_SERIAL)
            n = (format_serial((const struct serial_spec *)field, serial, sizeof(serial)),
                 fmt_snprintf(buf + pos, size - pos, "%sopt.%s=%s", sep, opts[i].name, serial));
        else if (opts[i].type == OPT_CHOICE)
            n = fmt_snprintf(buf + pos, size - pos, "%sopt.%s=%s", sep, opts[i].name,
                             opts[i].choices[*(const uint64_t *)field]);
        else
            n = fmt_snprintf(buf + pos, size - pos, opts[i].hex ? "%sopt.%s=%#llx" : "%sopt.%s=%llu",
                             sep, opts[i].name, (unsigned long long)*(const uint64_t *)field);
        pos += (size_t)n;
    }
    return buf;
}
