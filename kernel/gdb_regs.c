/*
 * gdb_regs.c - a vCPU's registers as GDB sees them; see gdb_regs.h. One
 * table per architecture gives both the target description and the packet
 * layout, so the two cannot disagree.
 */
#include "gdb_regs.h"

#include "fmt.h"
#include "gdb_rsp.h"
#include "kstring.h"

enum kind { K_GPR, K_RIP, K_FLAGS, K_SEL, K_X87, K_FS_BASE, K_GS_BASE, K_CR0, K_CR2, K_CR3, K_CR4,
            K_CR8, K_EFER };
enum feature { F_CORE, F_SEGMENTS, F_SYS, F_COUNT };

struct reg {
    const char *name;
    uint8_t bytes;
    uint8_t kind;
    uint8_t index;          /* K_GPR: GDB_RAX...; K_SEL: GDB_CS... */
    uint8_t feature;
    const char *type;
};

#define GPR(n, i, t) { n, 8, K_GPR, i, F_CORE, t }
#define GPR32(n, i, t) { n, 4, K_GPR, i, F_CORE, t }
#define SEL(n, i) { n, 4, K_SEL, i, F_CORE, "int32" }
#define X87_DATA(n) { n, 10, K_X87, 0, F_CORE, "i387_ext" }
#define X87_CTRL(n) { n, 4, K_X87, 0, F_CORE, "int" }
#define SELECTORS_AND_X87                                                                       \
    SEL("cs", GDB_CS), SEL("ss", GDB_SS), SEL("ds", GDB_DS), SEL("es", GDB_ES), SEL("fs", GDB_FS), \
    SEL("gs", GDB_GS), X87_DATA("st0"), X87_DATA("st1"), X87_DATA("st2"), X87_DATA("st3"),      \
    X87_DATA("st4"), X87_DATA("st5"), X87_DATA("st6"), X87_DATA("st7"), X87_CTRL("fctrl"),      \
    X87_CTRL("fstat"), X87_CTRL("ftag"), X87_CTRL("fiseg"), X87_CTRL("fioff"), X87_CTRL("foseg"), \
    X87_CTRL("fooff"), X87_CTRL("fop")
#define SYSTEM                                                                                  \
    { "cr0", 8, K_CR0, 0, F_SYS, "int64" }, { "cr2", 8, K_CR2, 0, F_SYS, "int64" },              \
    { "cr3", 8, K_CR3, 0, F_SYS, "int64" }, { "cr4", 8, K_CR4, 0, F_SYS, "int64" },              \
    { "cr8", 8, K_CR8, 0, F_SYS, "int64" }, { "efer", 8, K_EFER, 0, F_SYS, "int64" }

static const struct reg amd64[] = {
    GPR("rax", GDB_RAX, "int64"), GPR("rbx", GDB_RBX, "int64"), GPR("rcx", GDB_RCX, "int64"),
    GPR("rdx", GDB_RDX, "int64"), GPR("rsi", GDB_RSI, "int64"), GPR("rdi", GDB_RDI, "int64"),
    GPR("rbp", GDB_RBP, "data_ptr"), GPR("rsp", GDB_RSP, "data_ptr"),
    GPR("r8", GDB_R8, "int64"), GPR("r9", GDB_R9, "int64"), GPR("r10", GDB_R10, "int64"),
    GPR("r11", GDB_R11, "int64"), GPR("r12", GDB_R12, "int64"), GPR("r13", GDB_R13, "int64"),
    GPR("r14", GDB_R14, "int64"), GPR("r15", GDB_R15, "int64"),
    { "rip", 8, K_RIP, 0, F_CORE, "code_ptr" }, { "eflags", 4, K_FLAGS, 0, F_CORE, "i386_eflags" },
    SELECTORS_AND_X87,
    { "fs_base", 8, K_FS_BASE, 0, F_SEGMENTS, "int" }, { "gs_base", 8, K_GS_BASE, 0, F_SEGMENTS, "int" },
    SYSTEM,
};

/* GDB's i386 order: eax, ecx, edx, ebx, esp, ebp, esi, edi. No segment
 * bases: GDB 13 fails an internal check on an i386 description with the
 * segments feature and without SSE registers. */
static const struct reg i386[] = {
    GPR32("eax", GDB_RAX, "int32"), GPR32("ecx", GDB_RCX, "int32"), GPR32("edx", GDB_RDX, "int32"),
    GPR32("ebx", GDB_RBX, "int32"), GPR32("esp", GDB_RSP, "data_ptr"), GPR32("ebp", GDB_RBP, "data_ptr"),
    GPR32("esi", GDB_RSI, "int32"), GPR32("edi", GDB_RDI, "int32"),
    { "eip", 4, K_RIP, 0, F_CORE, "code_ptr" }, { "eflags", 4, K_FLAGS, 0, F_CORE, "i386_eflags" },
    SELECTORS_AND_X87,
    SYSTEM,
};

static const struct reg *table(enum gdb_arch arch, unsigned *n)
{
    if (arch == GDB_ARCH_AMD64) {
        *n = sizeof(amd64) / sizeof(amd64[0]);
        return amd64;
    }
    *n = sizeof(i386) / sizeof(i386[0]);
    return i386;
}

unsigned gdb_reg_count(enum gdb_arch arch)
{
    unsigned n;
    table(arch, &n);
    return n;
}

unsigned gdb_reg_bytes(enum gdb_arch arch, unsigned i)
{
    unsigned n;
    const struct reg *t = table(arch, &n);
    return i < n ? t[i].bytes : 0;
}

/* The register's storage in s; NULL for an unavailable one. */
static uint64_t *slot(struct gdb_x86_state *s, const struct reg *r, uint64_t *sel)
{
    switch (r->kind) {
    case K_GPR:     return &s->gpr[r->index];
    case K_RIP:     return &s->rip;
    case K_FLAGS:   return &s->rflags;
    case K_SEL:     *sel = s->sel[r->index]; return sel;
    case K_FS_BASE: return &s->fs_base;
    case K_GS_BASE: return &s->gs_base;
    case K_CR0:     return &s->cr0;
    case K_CR2:     return &s->cr2;
    case K_CR3:     return &s->cr3;
    case K_CR4:     return &s->cr4;
    case K_CR8:     return &s->cr8;
    case K_EFER:    return &s->efer;
    default:        return 0;
    }
}

static size_t read_one(const struct reg *r, const struct gdb_x86_state *s, char *out)
{
    uint64_t sel, *p = slot((struct gdb_x86_state *)s, r, &sel);
    if (!p) {
        memset(out, 'x', 2u * r->bytes);
        return 2u * r->bytes;
    }
    uint8_t le[8];
    for (unsigned i = 0; i < 8; i++)
        le[i] = (uint8_t)(*p >> (8 * i));
    return gdb_hex(out, le, r->bytes);
}

size_t gdb_read_reg(enum gdb_arch arch, const struct gdb_x86_state *s, unsigned i, char *out)
{
    unsigned n;
    const struct reg *t = table(arch, &n);
    return i < n ? read_one(&t[i], s, out) : 0;
}

size_t gdb_read_regs(enum gdb_arch arch, const struct gdb_x86_state *s, char *out)
{
    unsigned n;
    const struct reg *t = table(arch, &n);
    size_t len = 0;
    for (unsigned i = 0; i < n; i++)
        len += read_one(&t[i], s, out + len);
    return len;
}

static void write_one(const struct reg *r, struct gdb_x86_state *s, const uint8_t *data)
{
    uint64_t sel, *p = slot(s, r, &sel);
    if (!p)
        return;
    uint64_t v = 0;
    for (unsigned i = 0; i < r->bytes && i < 8; i++)
        v |= (uint64_t)data[i] << (8 * i);
    if (r->kind == K_SEL)
        s->sel[r->index] = (uint16_t)v;
    else
        *p = v;
}

bool gdb_write_reg(enum gdb_arch arch, struct gdb_x86_state *s, unsigned i, const uint8_t *data, size_t len)
{
    unsigned n;
    const struct reg *t = table(arch, &n);
    if (i >= n || len != t[i].bytes)
        return false;
    write_one(&t[i], s, data);
    return true;
}

bool gdb_write_regs(enum gdb_arch arch, struct gdb_x86_state *s, const uint8_t *data, size_t len)
{
    unsigned n;
    const struct reg *t = table(arch, &n);
    size_t total = 0;
    for (unsigned i = 0; i < n; i++)
        total += t[i].bytes;
    if (len != total)
        return false;
    for (unsigned i = 0; i < n; i++) {
        write_one(&t[i], s, data);
        data += t[i].bytes;
    }
    return true;
}

/* ---- the target description ---------------------------------------------- */

struct out {
    char *p;
    size_t len, cap;
    bool full;
};

static void put(struct out *o, const char *s)
{
    size_t n = strlen(s);
    if (o->full || o->len + n >= o->cap) {
        o->full = true;
        return;
    }
    memcpy(o->p + o->len, s, n);
    o->len += n;
    o->p[o->len] = 0;
}

size_t gdb_target_xml(enum gdb_arch arch, char *buf, size_t cap)
{
    static const char *const features[F_COUNT] = { "org.gnu.gdb.i386.core", "org.gnu.gdb.i386.segments",
                                                    "org.monovisor.x86.sys" };
    /* EFLAGS' arithmetic and control flags (SDM Vol. 1, 3.4.3). */
    static const char eflags[] =
        "<flags id=\"i386_eflags\" size=\"4\">"
        "<field name=\"CF\" start=\"0\" end=\"0\"/><field name=\"PF\" start=\"2\" end=\"2\"/>"
        "<field name=\"AF\" start=\"4\" end=\"4\"/><field name=\"ZF\" start=\"6\" end=\"6\"/>"
        "<field name=\"SF\" start=\"7\" end=\"7\"/><field name=\"TF\" start=\"8\" end=\"8\"/>"
        "<field name=\"IF\" start=\"9\" end=\"9\"/><field name=\"DF\" start=\"10\" end=\"10\"/>"
        "<field name=\"OF\" start=\"11\" end=\"11\"/></flags>";
    struct out o = { buf, 0, cap, cap == 0 };
    unsigned n;
    const struct reg *t = table(arch, &n);
    char line[128];
    if (cap)
        buf[0] = 0;
    put(&o, "<?xml version=\"1.0\"?><!DOCTYPE target SYSTEM \"gdb-target.dtd\"><target version=\"1.0\">");
    put(&o, arch == GDB_ARCH_AMD64 ? "<architecture>i386:x86-64</architecture>"
                                   : "<architecture>i386</architecture>");
    for (unsigned f = 0; f < F_COUNT; f++) {
        bool any = false;
        for (unsigned i = 0; i < n; i++)
            any = any || t[i].feature == f;
        if (!any)
            continue;       /* an empty feature is not one GDB knows what to do with */
        fmt_snprintf(line, sizeof(line), "<feature name=\"%s\">", features[f]);
        put(&o, line);
        if (f == F_CORE)
            put(&o, eflags);
        for (unsigned i = 0; i < n; i++) {
            if (t[i].feature != f)
                continue;
            fmt_snprintf(line, sizeof(line), "<reg name=\"%s\" bitsize=\"%u\" type=\"%s\" regnum=\"%u\"/>",
                         t[i].name, 8u * t[i].bytes, t[i].type, i);
            put(&o, line);
        }
        put(&o, "</feature>");
    }
    put(&o, "</target>");
    return o.full ? 0 : o.len;
}
