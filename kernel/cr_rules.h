/*
 * cr_rules.h - what a MOV to CR0 or CR4, or a WRMSR to IA32_EFER, may do
 * (pure; host unit tested). A write that exits to the hypervisor bypasses
 * the CPU's own checks: monovisor makes them here, all of them, so the
 * guest gets the #GP a bare CPU would give instead of a VM entry that
 * fails later (SDM Vol. 3A, 2.5 "Control Registers", 2.2.1 "Extended
 * Feature Enable Register", 4.10.1, 10.8.5; Vol. 2B, MOV to/from Control
 * Registers, and WRMSR).
 */
#ifndef CR_RULES_H
#define CR_RULES_H

#include <stdbool.h>
#include <stdint.h>

/* The guest's state a write is judged against: CR0, CR3, CR4 and EFER as
 * the guest has them, and whether it runs 64-bit code (CS.L in IA-32e mode). */
struct cr_state {
    uint64_t cr0, cr3, cr4, efer;
    bool cs_l;
};

/* The CR0 bits that exist (2.5): PE MP EM TS ET NE WP AM NW CD PG. */
#define CR0_DEFINED 0xE005003Full

/*
 * cr0_write - a MOV to CR0 (or LMSW, already merged into *val) from state
 * s: false if it faults (#GP: bits 63:32, NW without CD, PG without PE,
 * PG cleared in 64-bit mode or with CR4.PCIDE set, IA-32e mode activated
 * without CR4.PAE); else true with *val as the CPU keeps it: reserved bits
 * 31:0 ignored (read as 0), ET read as 1.
 */
bool cr0_write(const struct cr_state *s, uint64_t *val);

/*
 * cr4_write - a MOV to CR4 from state s, settable the bits of allowed (the
 * features this CPU has and the guest may use): false if it faults (#GP:
 * a bit outside allowed, PAE cleared or LA57 changed in IA-32e mode,
 * PCIDE set outside IA-32e mode or with CR3[11:0] != 0, CET without
 * CR0.WP).
 */
bool cr4_write(const struct cr_state *s, uint64_t val, uint64_t allowed);

/*
 * efer_write - a WRMSR to IA32_EFER from state s, settable the bits of
 * allowed (SCE, LME, NXE as CPUID offers them): false if it faults (#GP:
 * a bit outside allowed and LMA, LME changed while CR0.PG is set); else
 * true with *val as the CPU keeps it: LMA is read-only, it keeps s->efer's.
 */
bool efer_write(const struct cr_state *s, uint64_t *val, uint64_t allowed);

#endif
