/*
 * guest_check.c - the guest-state checks of VM entry (SDM Vol. 3C, 27.3.1)
 * on a snapshot; see guest_check.h. Checks run subsection by subsection,
 * each in the SDM's order, and the first failure is reported.
 */
#include "guest_check.h"

#include <stdarg.h>
#include <stdbool.h>

#include "vmx_defs.h"
#include "../kernel/x86_regs.h"
#include "../kernel/fmt.h"

/* Reserved-0 bits of RFLAGS: 63:22, 15, 5, 3 (27.3.1.4). */
#define RFLAGS_RESERVED    ((~0ull << 22) | (1ull << 15) | (1ull << 5) | (1ull << 3))
/* IA32_DEBUGCTL bits no processor defines: 63:16 and 5:3 (Vol. 4,
 * table 2-2, MSR 1D9H). Bits a given model lacks are not known here. */
#define DEBUGCTL_RESERVED  ((~0ull << 16) | (7ull << 3))
/* 27.3.1.1 also rejects CR3 bits 51:32 beyond the physical-address width;
 * the snapshot does not carry the width, so only 63:52 are checked. */
#define CR3_RESERVED       (~0ull << 52)
/* The only IA32_EFER bits Intel defines (Vol. 3A, 2.2.1). */
#define EFER_DEFINED       (EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE)
/* Access rights every segment register but TR/LDTR has in virtual-8086
 * mode: present, DPL 3, accessed read/write data (27.3.1.2). */
#define AR_V86             0xF3u
#define ACTIVITY_MAX       ACTIVITY_WAIT_SIPI
#define INTERRUPTIBILITY_RESERVED (~0u << 5)
#define VECTOR_DB          1
#define VECTOR_MC          18

#define ULL(v) ((unsigned long long)(v))

/* Where the message goes. */
struct out {
    char *buf;
    size_t size;
};

/* The facts most checks depend on, computed once. */
struct ctx {
    const struct guest_state_snapshot *s;
    struct out *o;
    bool ug;        /* "unrestricted guest" (25.6.2, table 25-7) */
    bool ia32e;     /* "IA-32e mode guest" VM-entry control (table 25-15) */
    bool v86;       /* RFLAGS.VM: the guest will be virtual-8086 (27.3.1.2) */
    bool intr_valid;
    uint32_t intr_type, intr_vector;
};

__attribute__((format(printf, 2, 3)))
static int fail(struct out *o, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fmt_vsnprintf(o->buf, o->size, fmt, ap);
    va_end(ap);
    return 1;
}

/* 48-bit linear addresses: bits 63:47 all equal. 5-level paging (57 bits)
 * is not assumed, see guest_check.h. */
static bool canonical(uint64_t a)
{
    uint64_t top = a >> 47;
    return top == 0 || top == 0x1FFFF;
}

static unsigned ar_type(uint32_t ar)
{
    return ar & AR_TYPE_MASK;
}

static unsigned ar_dpl(uint32_t ar)
{
    return (ar & AR_DPL_MASK) >> AR_DPL_SHIFT;
}

static bool usable(const struct guest_seg *g)
{
    return !(g->ar & AR_UNUSABLE);
}

/* ---- 27.3.1.1 Checks on Guest Control Registers, Debug Registers, MSRs ---- */

static int check_cr0_cr4(const struct ctx *c)
{
    const struct guest_state_snapshot *s = c->s;

    /* CD and NW are never checked (VM entry does not change them); PE and
     * PG are free with unrestricted guest. */
    uint64_t free_bits = CR0_NW | CR0_CD | (c->ug ? CR0_PE | CR0_PG : 0);
    uint64_t must1 = s->cr0_fixed0 & ~free_bits;
    uint64_t must0 = ~s->cr0_fixed1 & ~free_bits;
    if ((s->cr0 & must1) != must1)
        return fail(c->o, "CR0: bits %#llx must be 1 (IA32_VMX_CR0_FIXED0), CR0=%#llx%s (SDM 27.3.1.1)",
                    ULL(must1 & ~s->cr0), ULL(s->cr0),
                    (must1 & ~s->cr0 & (CR0_PE | CR0_PG)) ? "; PE/PG=0 needs unrestricted guest" : "");
    if (s->cr0 & must0)
        return fail(c->o, "CR0: bits %#llx must be 0 (IA32_VMX_CR0_FIXED1), CR0=%#llx (SDM 27.3.1.1)",
                    ULL(s->cr0 & must0), ULL(s->cr0));
    if ((s->cr0 & CR0_PG) && !(s->cr0 & CR0_PE))
        return fail(c->o, "CR0: PG=1 requires PE=1, CR0=%#llx (SDM 27.3.1.1)", ULL(s->cr0));

    /* CR4 has no exceptions. */
    must1 = s->cr4_fixed0;
    must0 = ~s->cr4_fixed1;
    if ((s->cr4 & must1) != must1)
        return fail(c->o, "CR4: bits %#llx must be 1 (IA32_VMX_CR4_FIXED0), CR4=%#llx (SDM 27.3.1.1)",
                    ULL(must1 & ~s->cr4), ULL(s->cr4));
    if (s->cr4 & must0)
        return fail(c->o, "CR4: bits %#llx must be 0 (IA32_VMX_CR4_FIXED1), CR4=%#llx (SDM 27.3.1.1)",
                    ULL(s->cr4 & must0), ULL(s->cr4));
    if ((s->cr4 & CR4_CET) && !(s->cr0 & CR0_WP))
        return fail(c->o, "CR4: CET=1 requires CR0.WP=1 (SDM 27.3.1.1)");
    return 0;
}

static int check_mode_regs(const struct ctx *c)
{
    const struct guest_state_snapshot *s = c->s;

    /* An IA-32e mode guest runs with paging and PAE on; PCIDs exist only
     * in IA-32e mode. */
    if (c->ia32e) {
        if (!(s->cr0 & CR0_PG))
            return fail(c->o, "CR0: PG must be 1 in an IA-32e mode guest, CR0=%#llx (SDM 27.3.1.1)",
                        ULL(s->cr0));
        if (!(s->cr4 & CR4_PAE))
            return fail(c->o, "CR4: PAE must be 1 in an IA-32e mode guest, CR4=%#llx (SDM 27.3.1.1)",
                        ULL(s->cr4));
    } else if (s->cr4 & CR4_PCIDE) {
        return fail(c->o, "CR4: PCIDE must be 0 unless IA-32e mode guest is set (SDM 27.3.1.1)");
    }
    if (s->cr3 & CR3_RESERVED)
        return fail(c->o, "CR3: bits 63:52 must be 0, CR3=%#llx (SDM 27.3.1.1)", ULL(s->cr3));
    return 0;
}

static int check_dr7_msrs(const struct ctx *c)
{
    const struct guest_state_snapshot *s = c->s;

    /* DEBUGCTL and DR7 are loaded, and checked, only with "load debug
     * controls". */
    if (s->entry_ctl & ENTRY_LOAD_DEBUG_CONTROLS) {
        if (s->debugctl & DEBUGCTL_RESERVED)
            return fail(c->o, "DEBUGCTL: reserved bits %#llx set (SDM 27.3.1.1)",
                        ULL(s->debugctl & DEBUGCTL_RESERVED));
        if (s->dr7 >> 32)
            return fail(c->o, "DR7: bits 63:32 must be 0, DR7=%#llx (SDM 27.3.1.1)", ULL(s->dr7));
    }

    if (s->entry_ctl & ENTRY_LOAD_EFER) {
        bool lma = s->efer & EFER_LMA, lme = s->efer & EFER_LME;
        if (s->efer & ~EFER_DEFINED)
            return fail(c->o, "EFER: reserved bits %#llx set (SDM 27.3.1.1)",
                        ULL(s->efer & ~EFER_DEFINED));
        if (lma != c->ia32e)
            return fail(c->o, "EFER: LMA=%d must equal the IA-32e mode guest control (%d) (SDM 27.3.1.1)",
                        lma, c->ia32e);
        if ((s->cr0 & CR0_PG) && lma != lme)
            return fail(c->o, "EFER: LMA=%d must equal LME=%d when CR0.PG=1 (SDM 27.3.1.1)", lma, lme);
    }

    /* Each PAT entry must be a type WRMSR accepts: UC, WC, WT, WP, WB, UC-. */
    if (s->entry_ctl & ENTRY_LOAD_PAT) {
        for (unsigned i = 0; i < 8; i++) {
            unsigned type = (s->pat >> (8 * i)) & 0xFF;
            if (type == 2 || type == 3 || type > 7)
                return fail(c->o, "PAT: entry %u has type %u; valid are 0, 1, 4, 5, 6, 7 (SDM 27.3.1.1)",
                            i, type);
        }
    }
    return 0;
}

/* ---- 27.3.1.4 Checks on Guest RIP and RFLAGS ---- */

static int check_rip_rflags(const struct ctx *c)
{
    const struct guest_state_snapshot *s = c->s;
    bool code64 = c->ia32e && (s->cs.ar & AR_L);

    if (!code64 && (s->rip >> 32))
        return fail(c->o, "RIP: bits 63:32 must be 0 outside 64-bit code, RIP=%#llx (SDM 27.3.1.4)",
                    ULL(s->rip));
    /* In 64-bit code bits 63:N must be equal, N the linear-address width. */
    if (code64 && (s->rip >> 48) != 0 && (s->rip >> 48) != 0xFFFF)
        return fail(c->o, "RIP: bits 63:48 must be all 0 or all 1, RIP=%#llx (SDM 27.3.1.4)",
                    ULL(s->rip));

    if (s->rflags & RFLAGS_RESERVED)
        return fail(c->o, "RFLAGS: reserved bits %#llx set (63:22, 15, 5, 3 must be 0) (SDM 27.3.1.4)",
                    ULL(s->rflags & RFLAGS_RESERVED));
    if (!(s->rflags & RFLAGS_FIXED1))
        return fail(c->o, "RFLAGS: bit 1 must be 1, RFLAGS=%#llx (SDM 27.3.1.4)", ULL(s->rflags));
    if ((s->rflags & RFLAGS_VM) && (c->ia32e || !(s->cr0 & CR0_PE)))
        return fail(c->o, "RFLAGS: VM must be 0 in an IA-32e mode guest or with CR0.PE=0 (SDM 27.3.1.4)");
    if (c->intr_valid && c->intr_type == INTR_TYPE_EXTERNAL && !(s->rflags & RFLAGS_IF))
        return fail(c->o, "RFLAGS: IF must be 1 to inject an external interrupt (SDM 27.3.1.4)");
    return 0;
}

/* ---- 27.3.1.2 Checks on Guest Segment Registers ---- */

/* The limit as the granularity bit scales it: 4 KiB units need limit
 * bits 11:0 all 1; byte units cannot reach past 1 MiB. */
static int check_limit_g(const struct ctx *c, const char *name, const struct guest_seg *g)
{
    if ((g->ar & AR_G) && (g->limit & 0xFFF) != 0xFFF)
        return fail(c->o, "%s: G=1 but limit %#x has a 0 in bits 11:0 (SDM 27.3.1.2)", name, g->limit);
    if (!(g->ar & AR_G) && (g->limit & 0xFFF00000))
        return fail(c->o, "%s: G=0 but limit %#x has bits 31:20 set (SDM 27.3.1.2)", name, g->limit);
    return 0;
}

static int check_reserved_ar(const struct ctx *c, const char *name, uint32_t ar)
{
    if (ar & AR_RESERVED)
        return fail(c->o, "%s: reserved access-rights bits %#x set (11:8, 31:17) (SDM 27.3.1.2)",
                    name, ar & AR_RESERVED);
    return 0;
}

static int check_tr(const struct ctx *c)
{
    const struct guest_seg *g = &c->s->tr;
    unsigned type = ar_type(g->ar);

    if (!usable(g))
        return fail(c->o, "TR: must be usable (access rights %#x) (SDM 27.3.1.2)", g->ar);
    if (g->sel & 4)
        return fail(c->o, "TR: selector %#x has TI=1; TR must be in the GDT (SDM 27.3.1.2)", g->sel);
    if (!canonical(g->base))
        return fail(c->o, "TR: base %#llx is not canonical (SDM 27.3.1.2)", ULL(g->base));
    /* Only a busy TSS, and only the 64-bit one in IA-32e mode. */
    if (c->ia32e && type != AR_TYPE_TSS_BUSY_32)
        return fail(c->o, "TR: type %u must be 11 (busy TSS) in an IA-32e mode guest (SDM 27.3.1.2)", type);
    if (type != AR_TYPE_TSS_BUSY_16 && type != AR_TYPE_TSS_BUSY_32)
        return fail(c->o, "TR: type %u must be 3 or 11 (busy TSS) (SDM 27.3.1.2)", type);
    if (g->ar & AR_S)
        return fail(c->o, "TR: S must be 0 (system segment) (SDM 27.3.1.2)");
    if (!(g->ar & AR_P))
        return fail(c->o, "TR: P must be 1 (SDM 27.3.1.2)");
    if (check_reserved_ar(c, "TR", g->ar))
        return 1;
    return check_limit_g(c, "TR", g);
}

static int check_ldtr(const struct ctx *c)
{
    const struct guest_seg *g = &c->s->ldtr;

    /* An unusable LDTR is not checked at all. */
    if (!usable(g))
        return 0;
    if (g->sel & 4)
        return fail(c->o, "LDTR: selector %#x has TI=1; LDTR must be in the GDT (SDM 27.3.1.2)", g->sel);
    if (!canonical(g->base))
        return fail(c->o, "LDTR: base %#llx is not canonical (SDM 27.3.1.2)", ULL(g->base));
    if (ar_type(g->ar) != AR_TYPE_LDT)
        return fail(c->o, "LDTR: type %u must be 2 (LDT) (SDM 27.3.1.2)", ar_type(g->ar));
    if (g->ar & AR_S)
        return fail(c->o, "LDTR: S must be 0 (system segment) (SDM 27.3.1.2)");
    if (!(g->ar & AR_P))
        return fail(c->o, "LDTR: P must be 1 (SDM 27.3.1.2)");
    if (check_reserved_ar(c, "LDTR", g->ar))
        return 1;
    return check_limit_g(c, "LDTR", g);
}

/* Virtual-8086 mode: each of CS, SS, DS, ES, FS, GS is what real-mode
 * style addressing makes of its selector. */
static int check_v86_seg(const struct ctx *c, const char *name, const struct guest_seg *g)
{
    if (g->base != (uint64_t)g->sel << 4)
        return fail(c->o, "%s: base %#llx must be selector<<4 (%#x) in virtual-8086 mode (SDM 27.3.1.2)",
                    name, ULL(g->base), (unsigned)g->sel << 4);
    if (g->limit != 0xFFFF)
        return fail(c->o, "%s: limit %#x must be 0xffff in virtual-8086 mode (SDM 27.3.1.2)", name, g->limit);
    if (g->ar != AR_V86)
        return fail(c->o, "%s: access rights %#x must be 0xf3 in virtual-8086 mode (SDM 27.3.1.2)",
                    name, g->ar);
    return 0;
}

static int check_cs(const struct ctx *c)
{
    const struct guest_seg *g = &c->s->cs;
    unsigned type = ar_type(g->ar), dpl = ar_dpl(g->ar), ss_dpl = ar_dpl(c->s->ss.ar);

    /* CS is always usable as far as these checks go. */
    if (g->base >> 32)
        return fail(c->o, "CS: base %#llx: bits 63:32 must be 0 (SDM 27.3.1.2)", ULL(g->base));
    /* Accessed code; unrestricted guest also allows the accessed data
     * segment real mode leaves in CS. */
    bool code = (type & (AR_TYPE_CODE | AR_TYPE_ACCESSED)) == (AR_TYPE_CODE | AR_TYPE_ACCESSED);
    if (!code && !(c->ug && type == AR_TYPE_DATA_RW_ACCESSED))
        return fail(c->o, "CS: type %u must be %s (SDM 27.3.1.2)", type,
                    c->ug ? "3, 9, 11, 13 or 15" : "9, 11, 13 or 15 (3 only with unrestricted guest)");
    if (!(g->ar & AR_S))
        return fail(c->o, "CS: S must be 1 (code or data segment) (SDM 27.3.1.2)");
    /* CS.DPL and SS.DPL together make the CPL. */
    if (!code && dpl != 0)
        return fail(c->o, "CS: DPL %u must be 0 with type 3 (SDM 27.3.1.2)", dpl);
    if (code && !(type & AR_TYPE_EC) && dpl != ss_dpl)
        return fail(c->o, "CS: DPL %u must equal SS.DPL %u for non-conforming code (SDM 27.3.1.2)",
                    dpl, ss_dpl);
    if (code && (type & AR_TYPE_EC) && dpl > ss_dpl)
        return fail(c->o, "CS: DPL %u must not exceed SS.DPL %u for conforming code (SDM 27.3.1.2)",
                    dpl, ss_dpl);
    if (!(g->ar & AR_P))
        return fail(c->o, "CS: P must be 1 (SDM 27.3.1.2)");
    if (check_reserved_ar(c, "CS", g->ar))
        return 1;
    if (c->ia32e && (g->ar & AR_L) && (g->ar & AR_DB))
        return fail(c->o, "CS: L=1 and D/B=1 in an IA-32e mode guest; D/B must be 0 (SDM 27.3.1.2)");
    return check_limit_g(c, "CS", g);
}

static int check_ss(const struct ctx *c)
{
    const struct guest_state_snapshot *s = c->s;
    const struct guest_seg *g = &s->ss;
    unsigned type = ar_type(g->ar), dpl = ar_dpl(g->ar);

    /* Without unrestricted guest, CPL is both RPLs and SS.DPL. */
    if (!c->ug && (g->sel & 3) != (s->cs.sel & 3))
        return fail(c->o, "SS: selector RPL %u must equal CS selector RPL %u (SDM 27.3.1.2)",
                    g->sel & 3u, s->cs.sel & 3u);
    if (usable(g) && (g->base >> 32))
        return fail(c->o, "SS: base %#llx: bits 63:32 must be 0 (SDM 27.3.1.2)", ULL(g->base));
    if (usable(g) && (type & ~AR_TYPE_EC) != AR_TYPE_DATA_RW_ACCESSED)
        return fail(c->o, "SS: type %u must be 3 or 7 (writable accessed data) (SDM 27.3.1.2)", type);
    if (usable(g) && !(g->ar & AR_S))
        return fail(c->o, "SS: S must be 1 (code or data segment) (SDM 27.3.1.2)");
    /* SS.DPL is the CPL even when SS is unusable, so these always apply. */
    if (!c->ug && dpl != (g->sel & 3u))
        return fail(c->o, "SS: DPL %u must equal the selector's RPL %u (SDM 27.3.1.2)", dpl, g->sel & 3u);
    if (dpl != 0 && (!(s->cr0 & CR0_PE) || ar_type(s->cs.ar) == AR_TYPE_DATA_RW_ACCESSED))
        return fail(c->o, "SS: DPL %u must be 0 when CR0.PE=0 or CS type is 3 (SDM 27.3.1.2)", dpl);
    if (!usable(g))
        return 0;
    if (!(g->ar & AR_P))
        return fail(c->o, "SS: P must be 1 (SDM 27.3.1.2)");
    if (check_reserved_ar(c, "SS", g->ar))
        return 1;
    return check_limit_g(c, "SS", g);
}

/* DS, ES, FS, GS. FS and GS bases are checked even when unusable: they
 * hold the 64-bit bases (IA32_FS_BASE, IA32_GS_BASE). */
static int check_data_seg(const struct ctx *c, const char *name, const struct guest_seg *g, bool fs_gs)
{
    unsigned type = ar_type(g->ar), dpl = ar_dpl(g->ar), rpl = g->sel & 3u;

    if (fs_gs && !canonical(g->base))
        return fail(c->o, "%s: base %#llx is not canonical (SDM 27.3.1.2)", name, ULL(g->base));
    if (!usable(g))
        return 0;
    if (!fs_gs && (g->base >> 32))
        return fail(c->o, "%s: base %#llx: bits 63:32 must be 0 (SDM 27.3.1.2)", name, ULL(g->base));
    if (!(type & AR_TYPE_ACCESSED))
        return fail(c->o, "%s: type %u must have the accessed bit (bit 0) set (SDM 27.3.1.2)", name, type);
    if ((type & AR_TYPE_CODE) && !(type & AR_TYPE_RW))
        return fail(c->o, "%s: type %u is execute-only code; it must be readable (SDM 27.3.1.2)", name, type);
    if (!(g->ar & AR_S))
        return fail(c->o, "%s: S must be 1 (code or data segment) (SDM 27.3.1.2)", name);
    /* Data and non-conforming code (types 0-11): DPL >= RPL. */
    bool conforming = (type & (AR_TYPE_CODE | AR_TYPE_EC)) == (AR_TYPE_CODE | AR_TYPE_EC);
    if (!c->ug && !conforming && dpl < rpl)
        return fail(c->o, "%s: DPL %u must not be below the selector's RPL %u (SDM 27.3.1.2)",
                    name, dpl, rpl);
    if (!(g->ar & AR_P))
        return fail(c->o, "%s: P must be 1 (SDM 27.3.1.2)", name);
    if (check_reserved_ar(c, name, g->ar))
        return 1;
    return check_limit_g(c, name, g);
}

static int check_segments(const struct ctx *c)
{
    const struct guest_state_snapshot *s = c->s;

    if (check_tr(c) || check_ldtr(c))
        return 1;
    if (c->v86)
        return check_v86_seg(c, "CS", &s->cs) || check_v86_seg(c, "SS", &s->ss) ||
               check_v86_seg(c, "DS", &s->ds) || check_v86_seg(c, "ES", &s->es) ||
               check_v86_seg(c, "FS", &s->fs) || check_v86_seg(c, "GS", &s->gs);
    return check_cs(c) || check_ss(c) ||
           check_data_seg(c, "DS", &s->ds, false) || check_data_seg(c, "ES", &s->es, false) ||
           check_data_seg(c, "FS", &s->fs, true) || check_data_seg(c, "GS", &s->gs, true);
}

/* ---- 27.3.1.3 Checks on Guest Descriptor-Table Registers ---- */

static int check_dtr(const struct ctx *c, const char *name, uint64_t base, uint32_t limit)
{
    if (!canonical(base))
        return fail(c->o, "%s: base %#llx is not canonical (SDM 27.3.1.3)", name, ULL(base));
    /* The VMCS field is 32 bits, the register's limit 16. */
    if (limit >> 16)
        return fail(c->o, "%s: limit %#x: bits 31:16 must be 0 (SDM 27.3.1.3)", name, limit);
    return 0;
}

/* ---- 27.3.1.5 Checks on Guest Non-Register State ---- */

/* May the event in the VM-entry interruption information be injected
 * into a guest in this activity state? Only events that would wake the
 * state (or pend an MTF exit, from HLT) can. */
static bool injectable(const struct ctx *c, uint32_t activity)
{
    uint32_t type = c->intr_type, vec = c->intr_vector;

    switch (activity) {
    case ACTIVITY_HLT:
        return type == INTR_TYPE_EXTERNAL || type == INTR_TYPE_NMI ||
               (type == INTR_TYPE_HW_EXCEPTION && (vec == VECTOR_DB || vec == VECTOR_MC)) ||
               (type == INTR_TYPE_OTHER && vec == 0);
    case ACTIVITY_SHUTDOWN:
        return type == INTR_TYPE_NMI || (type == INTR_TYPE_HW_EXCEPTION && vec == VECTOR_MC);
    case ACTIVITY_WAIT_SIPI:
        return false;
    default:
        return true;
    }
}

static int check_activity(const struct ctx *c)
{
    const struct guest_state_snapshot *s = c->s;
    uint32_t act = s->activity;

    /* IA32_VMX_MISC says which of 1-3 this CPU supports; the snapshot
     * does not carry it, so only the architectural range is checked. */
    if (act > ACTIVITY_MAX)
        return fail(c->o, "ACTIVITY: state %u is not 0-3 (active, HLT, shutdown, wait-for-SIPI) (SDM 27.3.1.5)",
                    act);
    if (act == ACTIVITY_HLT && ar_dpl(s->ss.ar) != 0)
        return fail(c->o, "ACTIVITY: HLT needs SS.DPL=0 (CPL 0), SS.DPL=%u (SDM 27.3.1.5)", ar_dpl(s->ss.ar));
    if (act != ACTIVITY_ACTIVE && (s->interruptibility & (INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOV_SS)))
        return fail(c->o, "ACTIVITY: state %u with blocking by STI or MOV SS; must be active (SDM 27.3.1.5)",
                    act);
    if (c->intr_valid && !injectable(c, act))
        return fail(c->o, "ACTIVITY: event type %u vector %u cannot be injected in state %u (SDM 27.3.1.5)",
                    c->intr_type >> 8, c->intr_vector, act);
    if ((s->entry_ctl & ENTRY_SMM) && act == ACTIVITY_WAIT_SIPI)
        return fail(c->o, "ACTIVITY: wait-for-SIPI not allowed with entry to SMM (SDM 27.3.1.5)");
    return 0;
}

static int check_interruptibility(const struct ctx *c)
{
    uint32_t v = c->s->interruptibility;
    bool sti = v & INTERRUPTIBILITY_STI, movss = v & INTERRUPTIBILITY_MOV_SS;

    if (v & INTERRUPTIBILITY_RESERVED)
        return fail(c->o, "INTERRUPTIBILITY: reserved bits %#x set (31:5) (SDM 27.3.1.5)",
                    v & INTERRUPTIBILITY_RESERVED);
    if (sti && movss)
        return fail(c->o, "INTERRUPTIBILITY: blocking by STI and by MOV SS both set (SDM 27.3.1.5)");
    if (sti && !(c->s->rflags & RFLAGS_IF))
        return fail(c->o, "INTERRUPTIBILITY: blocking by STI with RFLAGS.IF=0 (SDM 27.3.1.5)");
    if (c->intr_valid && c->intr_type == INTR_TYPE_EXTERNAL && (sti || movss))
        return fail(c->o, "INTERRUPTIBILITY: blocking by STI or MOV SS while injecting an external interrupt (SDM 27.3.1.5)");
    if (c->intr_valid && c->intr_type == INTR_TYPE_NMI && movss)
        return fail(c->o, "INTERRUPTIBILITY: blocking by MOV SS while injecting an NMI (SDM 27.3.1.5)");
    /* monovisor runs outside SMM, where blocking by SMI must be 0. */
    if (v & INTERRUPTIBILITY_SMI)
        return fail(c->o, "INTERRUPTIBILITY: blocking by SMI must be 0 outside SMM (SDM 27.3.1.5)");
    if ((v & INTERRUPTIBILITY_ENCLAVE) && movss)
        return fail(c->o, "INTERRUPTIBILITY: enclave interruption with blocking by MOV SS (SDM 27.3.1.5)");
    return 0;
}

static int check_link_pointer(const struct ctx *c)
{
    /* Any other value must address a shadow VMCS, which monovisor never
     * sets up. */
    if (c->s->link_pointer != ~0ull)
        return fail(c->o, "LINK_POINTER: %#llx must be ~0 (monovisor uses no shadow VMCS) (SDM 27.3.1.5)",
                    ULL(c->s->link_pointer));
    return 0;
}

/* guest_state_check - run every check, report the first failure (see
 * guest_check.h). */
int guest_state_check(const struct guest_state_snapshot *s, char *buf, size_t size)
{
    struct out o = { buf, size };
    struct ctx c = {
        .s = s,
        .o = &o,
        .ug = s->proc2 & PROC2_UNRESTRICTED_GUEST,
        .ia32e = s->entry_ctl & ENTRY_IA32E_MODE_GUEST,
        .v86 = s->rflags & RFLAGS_VM,
        .intr_valid = s->entry_intr_info & INTR_INFO_VALID,
        .intr_type = s->entry_intr_info & INTR_INFO_TYPE_MASK,
        .intr_vector = s->entry_intr_info & INTR_INFO_VECTOR_MASK,
    };

    /* 27.3.1.1, then 27.3.1.4 ahead of 27.3.1.2: which segment checks
     * apply depends on RFLAGS.VM, so a bad RFLAGS is named first. Then
     * 27.3.1.3 and 27.3.1.5. */
    if (check_cr0_cr4(&c) || check_mode_regs(&c) || check_dr7_msrs(&c) ||
        check_rip_rflags(&c) || check_segments(&c) ||
        check_dtr(&c, "GDTR", s->gdtr_base, s->gdtr_limit) ||
        check_dtr(&c, "IDTR", s->idtr_base, s->idtr_limit) ||
        check_activity(&c) || check_interruptibility(&c) || check_link_pointer(&c))
        return 1;
    fmt_snprintf(buf, size, "no failing check found among those monovisor knows");
    return 0;
}
