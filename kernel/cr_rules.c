/*
 * cr_rules.c - the architectural checks of control-register and EFER
 * writes; see cr_rules.h.
 */
#include "cr_rules.h"

#include "x86_regs.h"

#define CR4_LA57 (1ull << 12)

bool cr0_write(const struct cr_state *s, uint64_t *val)
{
    uint64_t v = *val;
    bool ia32e = s->efer & EFER_LMA;
    if (v >> 32)
        return false;                           /* bits 63:32 are reserved: #GP */
    if ((v & CR0_NW) && !(v & CR0_CD))
        return false;                           /* not-write-through without cache disable */
    if ((v & CR0_PG) && !(v & CR0_PE))
        return false;
    if (ia32e && !(v & CR0_PG) && (s->cs_l || (s->cr4 & CR4_PCIDE)))
        return false;   /* IA-32e mode is left from compatibility mode only, without PCIDE */
    if (!(s->cr0 & CR0_PG) && (v & CR0_PG) && (s->efer & EFER_LME) && !(s->cr4 & CR4_PAE))
        return false;                           /* activating IA-32e mode needs PAE (10.8.5) */
    *val = (v & CR0_DEFINED) | CR0_ET;
    return true;
}

bool cr4_write(const struct cr_state *s, uint64_t val, uint64_t allowed)
{
    bool ia32e = s->efer & EFER_LMA;
    if (val & ~allowed)
        return false;
    if (ia32e && !(val & CR4_PAE))
        return false;
    if (ia32e && ((val ^ s->cr4) & CR4_LA57))
        return false;                           /* 4.1.1: no paging-mode change in IA-32e mode */
    if ((val & CR4_PCIDE) && !(s->cr4 & CR4_PCIDE) && (!ia32e || (s->cr3 & 0xFFF)))
        return false;                           /* 4.10.1 */
    if ((val & CR4_CET) && !(s->cr0 & CR0_WP))
        return false;
    return true;
}

bool efer_write(const struct cr_state *s, uint64_t *val, uint64_t allowed)
{
    uint64_t v = *val;
    if (v & ~(allowed | EFER_LMA))
        return false;
    if (((v ^ s->efer) & EFER_LME) && (s->cr0 & CR0_PG))
        return false;                           /* 10.8.5: LME changes only with paging off */
    *val = (v & ~EFER_LMA) | (s->efer & EFER_LMA);
    return true;
}
