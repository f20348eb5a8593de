// covers: vmx/guest_check.c kernel/fmt.c
/*
 * test_guest_check.c - host unit tests of the guest-state checks
 * (vmx/guest_check.c). Each test starts from a snapshot VM entry accepts
 * (the states vmx_set_guest_start programs: 32-bit flat protected mode,
 * 64-bit long mode, real mode under unrestricted guest; plus virtual-8086
 * and protected mode without unrestricted guest), changes one field and
 * checks which field the report names and which SDM subsection it cites.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "../../vmx/guest_check.h"
#include "../../vmx/vmx_defs.h"

/* Register bits the tests flip (Vol. 3A, 2.5, 2.2.1, 2.3). */
#define CR0_PE     (1ull << 0)
#define CR0_NE     (1ull << 5)
#define CR0_WP     (1ull << 16)
#define CR0_CD     (1ull << 30)
#define CR0_PG     (1ull << 31)
#define CR4_PAE    (1ull << 5)
#define CR4_LA57   (1ull << 12)
#define CR4_PCIDE  (1ull << 17)
#define CR4_CET    (1ull << 23)
#define EFER_LME   (1ull << 8)
#define EFER_LMA   (1ull << 10)
#define RFLAGS_IF  (1ull << 9)
#define RFLAGS_VM  (1ull << 17)

#define PAT_POWER_ON 0x0007040600070406ull
#define DPL(n)       ((uint32_t)(n) << AR_DPL_SHIFT)

/* ---- valid snapshots ------------------------------------------------------ */

static struct guest_seg seg(uint16_t sel, uint64_t base, uint32_t limit, uint32_t ar)
{
    return (struct guest_seg){ .sel = sel, .base = base, .limit = limit, .ar = ar };
}

/* monovisor's Multiboot start state: flat 4 GiB segments, paging off,
 * unrestricted guest on (GUEST_PROT32 in vmx/vmx.c). */
static struct guest_state_snapshot prot32(void)
{
    struct guest_state_snapshot s = {
        .cr0 = 0x31, .cr3 = 0, .cr4 = 0x2000, .dr7 = 0x400,
        .rsp = 0x90000, .rip = 0x100000, .rflags = 2, .efer = 0,
        .pat = PAT_POWER_ON, .link_pointer = ~0ull, .debugctl = 0,
        .gdtr_base = 0, .idtr_base = 0, .gdtr_limit = 0xFFFF, .idtr_limit = 0xFFFF,
        .activity = ACTIVITY_ACTIVE, .interruptibility = 0, .entry_intr_info = 0,
        .entry_ctl = 0xd1fb,
        .proc2 = PROC2_ENABLE_EPT | PROC2_ENABLE_VPID | PROC2_UNRESTRICTED_GUEST,
        .cr0_fixed0 = 0x80000021, .cr0_fixed1 = 0xffffffff,
        .cr4_fixed0 = 0x2000, .cr4_fixed1 = 0xf72fff,
    };
    s.cs = seg(0x08, 0, 0xFFFFFFFF, 0xc09b);
    s.ds = s.es = s.ss = s.fs = s.gs = seg(0x10, 0, 0xFFFFFFFF, 0xc093);
    s.ldtr = seg(0, 0, 0, AR_UNUSABLE);
    s.tr = seg(0, 0, 0xFF, 0x8b);
    return s;
}

/* GUEST_LONG64: paging, PAE, EFER.LME/LMA, 64-bit CS. */
static struct guest_state_snapshot long64(void)
{
    struct guest_state_snapshot s = prot32();
    s.cr0 = 0x80010031;
    s.cr3 = 0x1000;
    s.cr4 = 0x2020;
    s.efer = EFER_LME | EFER_LMA;
    s.entry_ctl |= ENTRY_IA32E_MODE_GUEST;
    s.cs.ar = 0xa09b;
    s.rip = 0xFFFFFFFF80001000ull;
    return s;
}

/* GUEST_REAL: CR0.PE=0 under unrestricted guest, 64 KiB segments. */
static struct guest_state_snapshot real(void)
{
    struct guest_state_snapshot s = prot32();
    s.cr0 = 0x30;
    s.cs = seg(0xF000, 0xF0000, 0xFFFF, 0x9b);
    s.ds = s.es = s.ss = s.fs = s.gs = seg(0, 0, 0xFFFF, 0x93);
    s.tr = seg(0, 0, 0xFF, 0x83);
    s.rip = 0xFFF0;
    return s;
}

/* Virtual-8086 task inside the 32-bit guest. */
static struct guest_state_snapshot v86(void)
{
    struct guest_state_snapshot s = prot32();
    s.rflags |= RFLAGS_VM;
    s.cs = seg(0x1000, 0x10000, 0xFFFF, 0xF3);
    s.ds = s.es = s.fs = s.gs = seg(0x2000, 0x20000, 0xFFFF, 0xF3);
    s.ss = seg(0x3000, 0x30000, 0xFFFF, 0xF3);
    return s;
}

/* Protected mode with paging and without unrestricted guest: the RPL and
 * DPL rules that unrestricted guest lifts apply. */
static struct guest_state_snapshot strict(void)
{
    struct guest_state_snapshot s = prot32();
    s.cr0 = 0x80000031;
    s.proc2 = PROC2_ENABLE_EPT;
    return s;
}

/* ---- assertions ----------------------------------------------------------- */

static void expect_pass(const struct guest_state_snapshot *s)
{
    char buf[GUEST_CHECK_MSG_MAX];
    int r = guest_state_check(s, buf, sizeof(buf));
    if (r != 0)
        print_error("unexpected failure: %s\n", buf);
    assert_int_equal(r, 0);
    assert_string_equal(buf, "no failing check found among those monovisor knows");
}

/* The report starts with prefix, cites "(SDM <section>)" at its end and
 * fits GUEST_CHECK_MSG_MAX. */
static void expect_fail(const struct guest_state_snapshot *s, const char *prefix, const char *section)
{
    char buf[2 * GUEST_CHECK_MSG_MAX];
    char cite[32];
    memset(buf, 0, sizeof(buf));
    int r = guest_state_check(s, buf, sizeof(buf));
    snprintf(cite, sizeof(cite), "(SDM %s)", section);
    size_t n = strlen(buf), c = strlen(cite);
    if (r != 1 || strncmp(buf, prefix, strlen(prefix)) != 0 || n <= c || strcmp(buf + n - c, cite) != 0)
        print_error("report: \"%s\"; expected \"%s...%s\"\n", buf, prefix, cite);
    assert_int_equal(r, 1);
    assert_true(strncmp(buf, prefix, strlen(prefix)) == 0);
    assert_true(n < GUEST_CHECK_MSG_MAX);
    assert_true(n > c);
    assert_string_equal(buf + n - c, cite);
}

/* Report that buf must contain text. */
static void expect_text(const struct guest_state_snapshot *s, const char *text)
{
    char buf[GUEST_CHECK_MSG_MAX];
    guest_state_check(s, buf, sizeof(buf));
    assert_non_null(strstr(buf, text));
}

/* One test per changed field: FAILS names the expected field prefix and
 * section, PASSES a change VM entry accepts. */
#define FAILS(name, base, prefix, section, ...)              \
    static void test_##name(void **state)                    \
    {                                                        \
        (void)state;                                         \
        struct guest_state_snapshot s = base();              \
        __VA_ARGS__;                                         \
        expect_fail(&s, prefix, section);                    \
    }
#define PASSES(name, base, ...)                              \
    static void test_##name(void **state)                    \
    {                                                        \
        (void)state;                                         \
        struct guest_state_snapshot s = base();              \
        __VA_ARGS__;                                         \
        expect_pass(&s);                                     \
    }

/* ---- the valid snapshots pass --------------------------------------------- */

PASSES(valid_prot32, prot32, )
PASSES(valid_long64, long64, )
PASSES(valid_real, real, )
PASSES(valid_v86, v86, )
PASSES(valid_strict, strict, )

/* ---- 27.3.1.1: CR0, CR4 --------------------------------------------------- */

FAILS(cr0_fixed0_ne_clear, prot32, "CR0:", "27.3.1.1", s.cr0 &= ~CR0_NE)
FAILS(cr0_fixed1_bit_set, prot32, "CR0:", "27.3.1.1", s.cr0 |= 1ull << 32)
FAILS(cr0_pg_without_pe, prot32, "CR0:", "27.3.1.1", s.cr0 = 0x80000030)
FAILS(cr0_pe_clear_without_ug, strict, "CR0:", "27.3.1.1", s.cr0 &= ~CR0_PE)
FAILS(cr0_pg_clear_without_ug, strict, "CR0:", "27.3.1.1", s.cr0 &= ~CR0_PG)
/* CD and NW are never checked against the fixed bits. */
PASSES(cr0_cd_not_checked, prot32, s.cr0_fixed1 &= ~CR0_CD; s.cr0 |= CR0_CD)
PASSES(cr0_cd_fixed0_not_checked, prot32, s.cr0_fixed0 |= CR0_CD)
PASSES(cr0_paging_with_ug, prot32, s.cr0 |= CR0_PG)

static void test_cr0_hint_names_unrestricted_guest(void **state)
{
    (void)state;
    struct guest_state_snapshot s = strict();
    s.cr0 = 0x30;
    expect_text(&s, "unrestricted guest");
    s = prot32();
    s.cr0 &= ~CR0_NE;
    char buf[GUEST_CHECK_MSG_MAX];
    assert_int_equal(guest_state_check(&s, buf, sizeof(buf)), 1);
    assert_null(strstr(buf, "unrestricted"));
    assert_non_null(strstr(buf, "0x20"));       /* the missing bit */
}

FAILS(cr4_fixed0_vmxe_clear, prot32, "CR4:", "27.3.1.1", s.cr4 = 0)
FAILS(cr4_fixed1_la57_set, prot32, "CR4:", "27.3.1.1", s.cr4 |= CR4_LA57)
FAILS(cr4_cet_without_wp, prot32, "CR4:", "27.3.1.1", s.cr4 |= CR4_CET)
PASSES(cr4_cet_with_wp, prot32, s.cr4 |= CR4_CET; s.cr0 |= CR0_WP)

/* ---- 27.3.1.1: IA-32e mode, CR3 ------------------------------------------- */

FAILS(ia32e_needs_pg, long64, "CR0: PG must be 1", "27.3.1.1", s.cr0 &= ~CR0_PG)
FAILS(ia32e_needs_pae, long64, "CR4: PAE must be 1", "27.3.1.1", s.cr4 &= ~CR4_PAE)
FAILS(pcide_outside_ia32e, prot32, "CR4: PCIDE", "27.3.1.1", s.cr4 |= CR4_PCIDE)
PASSES(pcide_in_ia32e, long64, s.cr4 |= CR4_PCIDE)
FAILS(cr3_bit52, prot32, "CR3:", "27.3.1.1", s.cr3 = 1ull << 52)
FAILS(cr3_bit63, long64, "CR3:", "27.3.1.1", s.cr3 |= 1ull << 63)
PASSES(cr3_bit51, prot32, s.cr3 = 1ull << 51)

/* ---- 27.3.1.1: DEBUGCTL, DR7 ---------------------------------------------- */

FAILS(debugctl_bit16, prot32, "DEBUGCTL:", "27.3.1.1",
      s.entry_ctl |= ENTRY_LOAD_DEBUG_CONTROLS; s.debugctl = 1ull << 16)
FAILS(debugctl_bit3, prot32, "DEBUGCTL:", "27.3.1.1",
      s.entry_ctl |= ENTRY_LOAD_DEBUG_CONTROLS; s.debugctl = 1ull << 3)
PASSES(debugctl_lbr_btf, prot32, s.entry_ctl |= ENTRY_LOAD_DEBUG_CONTROLS; s.debugctl = 3)
PASSES(debugctl_not_loaded, prot32, s.debugctl = ~0ull)
FAILS(dr7_high_bits, prot32, "DR7:", "27.3.1.1",
      s.entry_ctl |= ENTRY_LOAD_DEBUG_CONTROLS; s.dr7 |= 1ull << 32)
PASSES(dr7_not_loaded, prot32, s.dr7 |= 1ull << 32)
PASSES(dr7_low_bits, prot32, s.entry_ctl |= ENTRY_LOAD_DEBUG_CONTROLS; s.dr7 = 0xFFFFFFFF)

/* ---- 27.3.1.1: EFER ------------------------------------------------------- */

FAILS(efer_reserved_bit, prot32, "EFER:", "27.3.1.1", s.efer = 1ull << 1)
FAILS(efer_svme_bit, long64, "EFER:", "27.3.1.1", s.efer |= 1ull << 12)
FAILS(efer_lma_without_ia32e, prot32, "EFER: LMA=1", "27.3.1.1", s.efer = EFER_LMA)
FAILS(efer_no_lma_in_ia32e, long64, "EFER: LMA=0", "27.3.1.1", s.efer = EFER_LME)
FAILS(efer_lma_ne_lme_with_pg, long64, "EFER: LMA=1 must equal LME=0", "27.3.1.1", s.efer = EFER_LMA)
/* Paging off: LME may be set ahead of CR0.PG (the way into long mode). */
PASSES(efer_lme_without_pg, prot32, s.efer = EFER_LME)
PASSES(efer_sce_nxe, long64, s.efer |= 1ull | 1ull << 11)
PASSES(efer_not_loaded, prot32, s.entry_ctl &= ~ENTRY_LOAD_EFER; s.efer = ~0ull)

/* ---- 27.3.1.1: PAT -------------------------------------------------------- */

FAILS(pat_type2_entry0, prot32, "PAT: entry 0 has type 2", "27.3.1.1", s.pat = (s.pat & ~0xFFull) | 2)
FAILS(pat_type3_entry5, prot32, "PAT: entry 5 has type 3", "27.3.1.1",
      s.pat = (s.pat & ~(0xFFull << 40)) | 3ull << 40)
FAILS(pat_type8_entry7, prot32, "PAT: entry 7 has type 8", "27.3.1.1",
      s.pat = (s.pat & ~(0xFFull << 56)) | 8ull << 56)
PASSES(pat_all_valid_types, prot32, s.pat = 0x0706050401000607ull)
PASSES(pat_not_loaded, prot32, s.entry_ctl &= ~ENTRY_LOAD_PAT; s.pat = ~0ull)

/* ---- 27.3.1.4: RIP, RFLAGS ------------------------------------------------ */

FAILS(rip_high_in_32bit, prot32, "RIP:", "27.3.1.4", s.rip = 1ull << 32)
FAILS(rip_high_in_compat_mode, long64, "RIP:", "27.3.1.4", s.cs.ar = 0xc09b)
FAILS(rip_bits_63_48_mixed, long64, "RIP:", "27.3.1.4", s.rip = 0x0001000000000000ull)
/* Bits 63:48 equal is all the check asks, not canonical 63:47. */
PASSES(rip_bit47_alone, long64, s.rip = 0x0000800000000000ull)
FAILS(rflags_reserved_bit3, prot32, "RFLAGS: reserved", "27.3.1.4", s.rflags |= 1ull << 3)
FAILS(rflags_reserved_bit22, prot32, "RFLAGS: reserved", "27.3.1.4", s.rflags |= 1ull << 22)
FAILS(rflags_reserved_bit63, prot32, "RFLAGS: reserved", "27.3.1.4", s.rflags |= 1ull << 63)
FAILS(rflags_bit1_clear, prot32, "RFLAGS: bit 1", "27.3.1.4", s.rflags = 0)
FAILS(rflags_vm_in_ia32e, long64, "RFLAGS: VM", "27.3.1.4", s.rflags |= RFLAGS_VM)
FAILS(rflags_vm_in_real_mode, real, "RFLAGS: VM", "27.3.1.4", s.rflags |= RFLAGS_VM)
FAILS(rflags_if_clear_injecting_extint, prot32, "RFLAGS: IF", "27.3.1.4",
      s.entry_intr_info = INTR_INFO_VALID | INTR_TYPE_EXTERNAL | 0x20)
PASSES(rflags_if_set_injecting_extint, prot32,
       s.rflags |= RFLAGS_IF; s.entry_intr_info = INTR_INFO_VALID | INTR_TYPE_EXTERNAL | 0x20)
/* The valid bit decides: a stale vector without it is ignored. */
PASSES(rflags_if_clear_invalid_intr_info, prot32, s.entry_intr_info = INTR_TYPE_EXTERNAL | 0x20)
PASSES(rflags_if_clear_injecting_exception, prot32,
       s.entry_intr_info = INTR_INFO_VALID | INTR_TYPE_HW_EXCEPTION | 13)

/* ---- 27.3.1.2: TR --------------------------------------------------------- */

FAILS(tr_unusable, prot32, "TR: must be usable", "27.3.1.2", s.tr.ar |= AR_UNUSABLE)
FAILS(tr_ti_set, prot32, "TR: selector", "27.3.1.2", s.tr.sel = 0x2c)
FAILS(tr_base_not_canonical, long64, "TR: base", "27.3.1.2", s.tr.base = 0x0000800000000000ull)
PASSES(tr_base_high_canonical, long64, s.tr.base = 0xFFFF800000001000ull)
FAILS(tr_16bit_tss_in_ia32e, long64, "TR: type 3", "27.3.1.2", s.tr.ar = 0x83)
FAILS(tr_available_tss, prot32, "TR: type 9", "27.3.1.2", s.tr.ar = 0x89)
FAILS(tr_data_type, prot32, "TR: type 2", "27.3.1.2", s.tr.ar = 0x82)
FAILS(tr_s_set, prot32, "TR: S", "27.3.1.2", s.tr.ar |= AR_S)
FAILS(tr_not_present, prot32, "TR: P", "27.3.1.2", s.tr.ar &= ~AR_P)
FAILS(tr_reserved_bit8, prot32, "TR: reserved", "27.3.1.2", s.tr.ar |= 1u << 8)
FAILS(tr_reserved_bit17, prot32, "TR: reserved", "27.3.1.2", s.tr.ar |= 1u << 17)
FAILS(tr_g_with_byte_limit, prot32, "TR: G=1", "27.3.1.2", s.tr.ar |= AR_G)
FAILS(tr_big_limit_without_g, prot32, "TR: G=0", "27.3.1.2", s.tr.limit = 0x100000)
PASSES(tr_page_granular, prot32, s.tr.ar |= AR_G; s.tr.limit = 0xFFFFF)
PASSES(tr_16bit_tss_in_prot32, prot32, s.tr.ar = 0x83)

/* ---- 27.3.1.2: LDTR ------------------------------------------------------- */

#define LDT_AR (AR_TYPE_LDT | AR_P)

PASSES(ldtr_usable, prot32, s.ldtr = seg(0x18, 0x5000, 0xFFF, LDT_AR))
/* An unusable LDTR is not checked, whatever else it holds. */
PASSES(ldtr_unusable_garbage, prot32, s.ldtr = seg(0xFFFF, ~0ull, ~0u, ~0u))
FAILS(ldtr_ti_set, prot32, "LDTR: selector", "27.3.1.2", s.ldtr = seg(0x1c, 0, 0xFFF, LDT_AR))
FAILS(ldtr_base_not_canonical, prot32, "LDTR: base", "27.3.1.2",
      s.ldtr = seg(0x18, 0x8000000000000000ull, 0xFFF, LDT_AR))
FAILS(ldtr_type_tss, prot32, "LDTR: type 11", "27.3.1.2", s.ldtr = seg(0x18, 0, 0xFFF, 0x8b))
FAILS(ldtr_s_set, prot32, "LDTR: S", "27.3.1.2", s.ldtr = seg(0x18, 0, 0xFFF, LDT_AR | AR_S))
FAILS(ldtr_not_present, prot32, "LDTR: P", "27.3.1.2", s.ldtr = seg(0x18, 0, 0xFFF, AR_TYPE_LDT))
FAILS(ldtr_reserved_bit11, prot32, "LDTR: reserved", "27.3.1.2",
      s.ldtr = seg(0x18, 0, 0xFFF, LDT_AR | 1u << 11))
FAILS(ldtr_g_with_byte_limit, prot32, "LDTR: G=1", "27.3.1.2", s.ldtr = seg(0x18, 0, 0xFFE, LDT_AR | AR_G))
FAILS(ldtr_big_limit_without_g, prot32, "LDTR: G=0", "27.3.1.2",
      s.ldtr = seg(0x18, 0, 0xFFFFFFFF, LDT_AR))

/* ---- 27.3.1.2: CS --------------------------------------------------------- */

FAILS(cs_base_high, prot32, "CS: base", "27.3.1.2", s.cs.base = 1ull << 32)
FAILS(cs_data_type, prot32, "CS: type 1", "27.3.1.2", s.cs.ar = (s.cs.ar & ~0xFu) | 1)
FAILS(cs_code_not_accessed, prot32, "CS: type 10", "27.3.1.2", s.cs.ar = (s.cs.ar & ~0xFu) | 10)
FAILS(cs_type3_without_ug, strict, "CS: type 3", "27.3.1.2", s.cs.ar = 0xc093)
PASSES(cs_type3_with_ug, prot32, s.cs.ar = 0xc093)
PASSES(cs_execute_only, prot32, s.cs.ar = 0xc099)
FAILS(cs_s_clear, prot32, "CS: S", "27.3.1.2", s.cs.ar &= ~AR_S)
FAILS(cs_type3_dpl3, prot32, "CS: DPL 3 must be 0", "27.3.1.2", s.cs.ar = 0xc093 | DPL(3))
FAILS(cs_nonconforming_dpl_ne_ss, prot32, "CS: DPL 1 must equal SS.DPL 0", "27.3.1.2", s.cs.ar |= DPL(1))
FAILS(cs_conforming_dpl_above_ss, prot32, "CS: DPL 3 must not exceed SS.DPL 0", "27.3.1.2",
      s.cs.ar = 0xc09f | DPL(3))
PASSES(cs_conforming_dpl_below_ss, prot32, s.cs.ar = 0xc09f; s.ss.ar |= DPL(3))
PASSES(cs_ring3, strict, s.cs.sel = 0x1b; s.cs.ar |= DPL(3); s.ss.sel = 0x23; s.ss.ar |= DPL(3))
FAILS(cs_not_present, prot32, "CS: P", "27.3.1.2", s.cs.ar &= ~AR_P)
FAILS(cs_reserved_bit9, prot32, "CS: reserved", "27.3.1.2", s.cs.ar |= 1u << 9)
FAILS(cs_reserved_bit31, prot32, "CS: reserved", "27.3.1.2", s.cs.ar |= 1u << 31)
FAILS(cs_l_and_d_in_ia32e, long64, "CS: L=1 and D/B=1", "27.3.1.2", s.cs.ar |= AR_DB)
/* Outside IA-32e mode L means nothing and is not checked. */
PASSES(cs_l_and_d_outside_ia32e, prot32, s.cs.ar |= AR_L)
PASSES(cs_compat_mode, long64, s.cs.ar = 0xc09b; s.rip = 0x1000)
FAILS(cs_g_with_byte_limit, prot32, "CS: G=1", "27.3.1.2", s.cs.limit = 0xFFFFF000)
FAILS(cs_big_limit_without_g, prot32, "CS: G=0", "27.3.1.2", s.cs.ar &= ~AR_G)

/* ---- 27.3.1.2: SS --------------------------------------------------------- */

FAILS(ss_rpl_ne_cs_rpl, strict, "SS: selector RPL 3", "27.3.1.2", s.ss.sel = 0x13)
PASSES(ss_rpl_ne_cs_rpl_with_ug, prot32, s.ss.sel = 0x13)
FAILS(ss_base_high, prot32, "SS: base", "27.3.1.2", s.ss.base = 1ull << 40)
PASSES(ss_unusable_base_high, long64, s.ss = seg(0, 1ull << 40, 0, AR_UNUSABLE))
FAILS(ss_type_read_only, prot32, "SS: type 1", "27.3.1.2", s.ss.ar = 0xc091)
FAILS(ss_type_code, prot32, "SS: type 11", "27.3.1.2", s.ss.ar = 0xc09b)
PASSES(ss_expand_down, prot32, s.ss.ar = 0x4097; s.ss.limit = 0xFFF)
FAILS(ss_s_clear, prot32, "SS: S", "27.3.1.2", s.ss.ar &= ~AR_S)
/* CS conforming keeps CS's own check quiet so SS's DPL rule is reached. */
FAILS(ss_dpl_ne_rpl_without_ug, strict, "SS: DPL 3 must equal", "27.3.1.2",
      s.cs.ar = 0xc09f; s.ss.ar |= DPL(3))
FAILS(ss_dpl_nonzero_real_mode, real, "SS: DPL 3 must be 0", "27.3.1.2", s.cs.ar = 0x9f; s.ss.ar |= DPL(3))
FAILS(ss_dpl_nonzero_cs_type3, prot32, "SS: DPL 2 must be 0", "27.3.1.2", s.cs.ar = 0xc093; s.ss.ar |= DPL(2))
/* SS.DPL is the CPL: checked even when SS is unusable. */
FAILS(ss_unusable_dpl_real_mode, real, "SS: DPL 3 must be 0", "27.3.1.2",
      s.cs.ar = 0x9f; s.ss.ar = AR_UNUSABLE | DPL(3))
PASSES(ss_unusable_in_ia32e, long64, s.ss = seg(0, 0, 0, AR_UNUSABLE))
FAILS(ss_not_present, prot32, "SS: P", "27.3.1.2", s.ss.ar &= ~AR_P)
FAILS(ss_reserved_bit20, prot32, "SS: reserved", "27.3.1.2", s.ss.ar |= 1u << 20)
FAILS(ss_g_with_byte_limit, prot32, "SS: G=1", "27.3.1.2", s.ss.limit = 0x7FFFE)
FAILS(ss_big_limit_without_g, prot32, "SS: G=0", "27.3.1.2", s.ss.ar &= ~AR_G)

/* ---- 27.3.1.2: DS, ES, FS, GS --------------------------------------------- */

FAILS(ds_base_high, prot32, "DS: base", "27.3.1.2", s.ds.base = 1ull << 32)
PASSES(ds_unusable_base_high, prot32, s.ds = seg(0, 1ull << 32, 0, AR_UNUSABLE))
PASSES(es_unusable_garbage, prot32, s.es = seg(0x13, 0, 0x123, AR_UNUSABLE | 0xFFFE0F00))
FAILS(fs_base_not_canonical, long64, "FS: base", "27.3.1.2", s.fs.base = 0x0000800000000000ull)
/* FS/GS bases are the 64-bit MSR bases: checked even when unusable. */
FAILS(gs_unusable_base_not_canonical, long64, "GS: base", "27.3.1.2",
      s.gs = seg(0, 0x1234000000000000ull, 0, AR_UNUSABLE))
PASSES(gs_base_high_canonical, long64, s.gs.base = 0xFFFF880000000000ull)
FAILS(ds_not_accessed, prot32, "DS: type 2", "27.3.1.2", s.ds.ar = 0xc092)
FAILS(es_execute_only_code, prot32, "ES: type 9", "27.3.1.2", s.es.ar = 0xc099)
PASSES(es_readable_code, prot32, s.es.ar = 0xc09b)
PASSES(es_read_only_data, prot32, s.es.ar = 0xc091)
FAILS(fs_s_clear, prot32, "FS: S", "27.3.1.2", s.fs.ar &= ~AR_S)
FAILS(gs_dpl_below_rpl, strict, "GS: DPL 0 must not be below the selector's RPL 3", "27.3.1.2",
      s.gs.sel = 0x13)
PASSES(gs_dpl_below_rpl_with_ug, prot32, s.gs.sel = 0x13)
/* Conforming code may be loaded whatever its DPL. */
PASSES(gs_conforming_dpl_below_rpl, strict, s.gs.sel = 0x13; s.gs.ar = 0xc09f)
PASSES(ds_dpl_above_rpl, strict, s.ds.ar |= DPL(3))
FAILS(ds_not_present, prot32, "DS: P", "27.3.1.2", s.ds.ar &= ~AR_P)
FAILS(es_reserved_bit10, prot32, "ES: reserved", "27.3.1.2", s.es.ar |= 1u << 10)
FAILS(fs_g_with_byte_limit, prot32, "FS: G=1", "27.3.1.2", s.fs.limit = 0xFFFFFFF0)
FAILS(gs_big_limit_without_g, prot32, "GS: G=0", "27.3.1.2", s.gs.ar &= ~AR_G)

/* ---- 27.3.1.2: virtual-8086 mode ------------------------------------------ */

FAILS(v86_cs_base, v86, "CS: base", "27.3.1.2", s.cs.base = 0)
FAILS(v86_ss_limit, v86, "SS: limit", "27.3.1.2", s.ss.limit = 0xFFFFF)
FAILS(v86_ds_ar, v86, "DS: access rights", "27.3.1.2", s.ds.ar = 0xc093)
FAILS(v86_es_ar, v86, "ES: access rights", "27.3.1.2", s.es.ar = 0xF3 | AR_UNUSABLE)
FAILS(v86_fs_base, v86, "FS: base", "27.3.1.2", s.fs.base = 0x20001)
FAILS(v86_gs_ar, v86, "GS: access rights", "27.3.1.2", s.gs.ar = 0xF2)
/* TR is checked in virtual-8086 mode too. */
FAILS(v86_tr_unusable, v86, "TR:", "27.3.1.2", s.tr.ar = AR_UNUSABLE)

/* ---- 27.3.1.3: GDTR, IDTR ------------------------------------------------- */

FAILS(gdtr_limit_high, prot32, "GDTR: limit", "27.3.1.3", s.gdtr_limit = 0x10000)
FAILS(gdtr_base_not_canonical, long64, "GDTR: base", "27.3.1.3", s.gdtr_base = 0x00FF000000000000ull)
FAILS(idtr_limit_high, prot32, "IDTR: limit", "27.3.1.3", s.idtr_limit = 0xFFFFFFFF)
FAILS(idtr_base_not_canonical, long64, "IDTR: base", "27.3.1.3", s.idtr_base = 0xFFFF7FFFFFFFF000ull)
PASSES(dtr_bases_high_canonical, long64,
       s.gdtr_base = 0xFFFFFFFF81000000ull; s.idtr_base = 0x00007FFFFFFFF000ull)

/* ---- 27.3.1.5: activity state --------------------------------------------- */

#define INJECT(type, vec) (INTR_INFO_VALID | (type) | (vec))

FAILS(activity_out_of_range, prot32, "ACTIVITY: state 4", "27.3.1.5", s.activity = 4)
FAILS(activity_huge, prot32, "ACTIVITY:", "27.3.1.5", s.activity = 0xFFFFFFFF)
PASSES(activity_hlt, prot32, s.activity = ACTIVITY_HLT)
PASSES(activity_shutdown, prot32, s.activity = ACTIVITY_SHUTDOWN)
PASSES(activity_wait_sipi, prot32, s.activity = ACTIVITY_WAIT_SIPI)
/* Ring 3, consistently (CS, SS RPL and DPL 3), halted. */
FAILS(activity_hlt_cpl3, strict, "ACTIVITY: HLT needs SS.DPL=0", "27.3.1.5",
      s.activity = ACTIVITY_HLT; s.cs.sel = 0x1b; s.cs.ar |= DPL(3); s.ss.sel = 0x23; s.ss.ar |= DPL(3))
FAILS(activity_hlt_with_sti_blocking, prot32, "ACTIVITY: state 1", "27.3.1.5",
      s.activity = ACTIVITY_HLT; s.rflags |= RFLAGS_IF; s.interruptibility = INTERRUPTIBILITY_STI)
FAILS(activity_shutdown_with_movss_blocking, prot32, "ACTIVITY: state 2", "27.3.1.5",
      s.activity = ACTIVITY_SHUTDOWN; s.interruptibility = INTERRUPTIBILITY_MOV_SS)
PASSES(activity_hlt_with_nmi_blocking, prot32,
       s.activity = ACTIVITY_HLT; s.interruptibility = INTERRUPTIBILITY_NMI)
PASSES(activity_hlt_inject_extint, prot32,
       s.activity = ACTIVITY_HLT; s.rflags |= RFLAGS_IF; s.entry_intr_info = INJECT(INTR_TYPE_EXTERNAL, 0x30))
PASSES(activity_hlt_inject_nmi, prot32, s.activity = ACTIVITY_HLT; s.entry_intr_info = INJECT(INTR_TYPE_NMI, 2))
PASSES(activity_hlt_inject_db, prot32,
       s.activity = ACTIVITY_HLT; s.entry_intr_info = INJECT(INTR_TYPE_HW_EXCEPTION, 1))
PASSES(activity_hlt_inject_mc, prot32,
       s.activity = ACTIVITY_HLT; s.entry_intr_info = INJECT(INTR_TYPE_HW_EXCEPTION, 18))
PASSES(activity_hlt_inject_mtf, prot32, s.activity = ACTIVITY_HLT; s.entry_intr_info = INJECT(INTR_TYPE_OTHER, 0))
FAILS(activity_hlt_inject_pf, prot32, "ACTIVITY: event type 3 vector 14", "27.3.1.5",
      s.activity = ACTIVITY_HLT; s.entry_intr_info = INJECT(INTR_TYPE_HW_EXCEPTION, 14) | INTR_INFO_DELIVER_ERROR)
FAILS(activity_hlt_inject_other_vector1, prot32, "ACTIVITY: event type 7 vector 1", "27.3.1.5",
      s.activity = ACTIVITY_HLT; s.entry_intr_info = INJECT(INTR_TYPE_OTHER, 1))
FAILS(activity_hlt_inject_sw_exception, prot32, "ACTIVITY: event type 6 vector 3", "27.3.1.5",
      s.activity = ACTIVITY_HLT; s.entry_intr_info = INJECT(INTR_TYPE_SW_EXCEPTION, 3))
PASSES(activity_shutdown_inject_nmi, prot32,
       s.activity = ACTIVITY_SHUTDOWN; s.entry_intr_info = INJECT(INTR_TYPE_NMI, 2))
PASSES(activity_shutdown_inject_mc, prot32,
       s.activity = ACTIVITY_SHUTDOWN; s.entry_intr_info = INJECT(INTR_TYPE_HW_EXCEPTION, 18))
FAILS(activity_shutdown_inject_extint, prot32, "ACTIVITY: event type 0 vector 48 cannot be injected in state 2",
      "27.3.1.5",
      s.activity = ACTIVITY_SHUTDOWN; s.rflags |= RFLAGS_IF; s.entry_intr_info = INJECT(INTR_TYPE_EXTERNAL, 0x30))
FAILS(activity_shutdown_inject_db, prot32, "ACTIVITY: event type 3 vector 1", "27.3.1.5",
      s.activity = ACTIVITY_SHUTDOWN; s.entry_intr_info = INJECT(INTR_TYPE_HW_EXCEPTION, 1))
FAILS(activity_wait_sipi_inject_nmi, prot32, "ACTIVITY: event type 2 vector 2", "27.3.1.5",
      s.activity = ACTIVITY_WAIT_SIPI; s.entry_intr_info = INJECT(INTR_TYPE_NMI, 2))
PASSES(activity_active_inject_anything, prot32, s.entry_intr_info = INJECT(INTR_TYPE_SW_EXCEPTION, 3))
FAILS(activity_wait_sipi_entry_to_smm, prot32, "ACTIVITY: wait-for-SIPI", "27.3.1.5",
      s.activity = ACTIVITY_WAIT_SIPI; s.entry_ctl |= ENTRY_SMM)
PASSES(activity_hlt_entry_to_smm, prot32, s.activity = ACTIVITY_HLT; s.entry_ctl |= ENTRY_SMM)

/* ---- 27.3.1.5: interruptibility state ------------------------------------- */

FAILS(intr_reserved_bit5, prot32, "INTERRUPTIBILITY: reserved bits 0x20", "27.3.1.5", s.interruptibility = 1u << 5)
FAILS(intr_reserved_bit31, prot32, "INTERRUPTIBILITY: reserved", "27.3.1.5", s.interruptibility = 1u << 31)
FAILS(intr_sti_and_movss, prot32, "INTERRUPTIBILITY: blocking by STI and by MOV SS", "27.3.1.5",
      s.rflags |= RFLAGS_IF; s.interruptibility = INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOV_SS)
FAILS(intr_sti_with_if_clear, prot32, "INTERRUPTIBILITY: blocking by STI with RFLAGS.IF=0", "27.3.1.5",
      s.interruptibility = INTERRUPTIBILITY_STI)
PASSES(intr_sti_with_if_set, prot32, s.rflags |= RFLAGS_IF; s.interruptibility = INTERRUPTIBILITY_STI)
PASSES(intr_movss_with_if_clear, prot32, s.interruptibility = INTERRUPTIBILITY_MOV_SS)
FAILS(intr_sti_injecting_extint, prot32, "INTERRUPTIBILITY: blocking by STI or MOV SS while injecting an external",
      "27.3.1.5",
      s.rflags |= RFLAGS_IF; s.interruptibility = INTERRUPTIBILITY_STI;
      s.entry_intr_info = INJECT(INTR_TYPE_EXTERNAL, 0x30))
FAILS(intr_movss_injecting_extint, prot32, "INTERRUPTIBILITY: blocking by STI or MOV SS", "27.3.1.5",
      s.rflags |= RFLAGS_IF; s.interruptibility = INTERRUPTIBILITY_MOV_SS;
      s.entry_intr_info = INJECT(INTR_TYPE_EXTERNAL, 0x30))
FAILS(intr_movss_injecting_nmi, prot32, "INTERRUPTIBILITY: blocking by MOV SS while injecting an NMI", "27.3.1.5",
      s.interruptibility = INTERRUPTIBILITY_MOV_SS; s.entry_intr_info = INJECT(INTR_TYPE_NMI, 2))
PASSES(intr_movss_injecting_exception, prot32,
       s.interruptibility = INTERRUPTIBILITY_MOV_SS; s.entry_intr_info = INJECT(INTR_TYPE_HW_EXCEPTION, 6))
FAILS(intr_smi_blocking, prot32, "INTERRUPTIBILITY: blocking by SMI", "27.3.1.5",
      s.interruptibility = INTERRUPTIBILITY_SMI)
FAILS(intr_enclave_with_movss, prot32, "INTERRUPTIBILITY: enclave", "27.3.1.5",
      s.interruptibility = INTERRUPTIBILITY_ENCLAVE | INTERRUPTIBILITY_MOV_SS)
PASSES(intr_enclave_alone, prot32, s.interruptibility = INTERRUPTIBILITY_ENCLAVE)
PASSES(intr_nmi_blocking, prot32, s.interruptibility = INTERRUPTIBILITY_NMI)

/* ---- 27.3.1.5: VMCS link pointer ------------------------------------------ */

FAILS(link_pointer_zero, prot32, "LINK_POINTER: 0", "27.3.1.5", s.link_pointer = 0)
FAILS(link_pointer_page, prot32, "LINK_POINTER: 0x5000", "27.3.1.5", s.link_pointer = 0x5000)
FAILS(link_pointer_low_32, prot32, "LINK_POINTER: 0xffffffff ", "27.3.1.5", s.link_pointer = 0xFFFFFFFF)

/* ---- the report ----------------------------------------------------------- */

/* With several faults, the first in check order is named. */
static void test_first_failure_is_reported(void **state)
{
    (void)state;
    struct guest_state_snapshot s = prot32();
    s.link_pointer = 0;
    expect_fail(&s, "LINK_POINTER:", "27.3.1.5");
    s.activity = 9;
    expect_fail(&s, "ACTIVITY:", "27.3.1.5");
    s.idtr_limit = 0x10000;
    expect_fail(&s, "IDTR:", "27.3.1.3");
    s.gdtr_limit = 0x10000;
    expect_fail(&s, "GDTR:", "27.3.1.3");
    s.gs.ar = 0;
    expect_fail(&s, "GS:", "27.3.1.2");
    s.tr.ar = AR_UNUSABLE;
    expect_fail(&s, "TR:", "27.3.1.2");
    s.rflags = 0;
    expect_fail(&s, "RFLAGS:", "27.3.1.4");
    s.pat = ~0ull;
    expect_fail(&s, "PAT:", "27.3.1.1");
    s.efer = 1ull << 2;
    expect_fail(&s, "EFER:", "27.3.1.1");
    s.cr3 = ~0ull;
    expect_fail(&s, "CR3:", "27.3.1.1");
    s.cr4 = 0;
    expect_fail(&s, "CR4:", "27.3.1.1");
    s.cr0 = 0;
    expect_fail(&s, "CR0:", "27.3.1.1");
}

/* The report shows the offending value. */
static void test_report_text(void **state)
{
    (void)state;
    char buf[GUEST_CHECK_MSG_MAX];
    struct guest_state_snapshot s = prot32();
    s.tr.ar = 0x89;
    assert_int_equal(guest_state_check(&s, buf, sizeof(buf)), 1);
    assert_string_equal(buf, "TR: type 9 must be 3 or 11 (busy TSS) (SDM 27.3.1.2)");

    s = prot32();
    s.cr4 |= CR4_LA57;
    assert_int_equal(guest_state_check(&s, buf, sizeof(buf)), 1);
    assert_string_equal(buf, "CR4: bits 0x1000 must be 0 (IA32_VMX_CR4_FIXED1), CR4=0x3000 (SDM 27.3.1.1)");

    s = long64();
    s.fs.base = 0x0000800000000000ull;
    assert_int_equal(guest_state_check(&s, buf, sizeof(buf)), 1);
    assert_string_equal(buf, "FS: base 0x800000000000 is not canonical (SDM 27.3.1.2)");
}

/* A small buffer gets a truncated, terminated report; the result is
 * the same; no buffer at all is allowed. */
static void test_small_buffers(void **state)
{
    (void)state;
    struct guest_state_snapshot s = prot32();
    s.tr.ar = AR_UNUSABLE;
    char buf[8];
    memset(buf, 'x', sizeof(buf));
    assert_int_equal(guest_state_check(&s, buf, sizeof(buf)), 1);
    assert_string_equal(buf, "TR: mus");
    assert_int_equal(guest_state_check(&s, buf, 1), 1);
    assert_string_equal(buf, "");
    assert_int_equal(guest_state_check(&s, NULL, 0), 1);

    s = prot32();
    memset(buf, 'x', sizeof(buf));
    assert_int_equal(guest_state_check(&s, buf, sizeof(buf)), 0);
    assert_string_equal(buf, "no fail");
    assert_int_equal(guest_state_check(&s, NULL, 0), 0);
}

/* The snapshot is only read. */
static void test_snapshot_unchanged(void **state)
{
    (void)state;
    struct guest_state_snapshot s = long64(), copy;
    s.cs.ar |= AR_DB;
    copy = s;
    char buf[GUEST_CHECK_MSG_MAX];
    assert_int_equal(guest_state_check(&s, buf, sizeof(buf)), 1);
    assert_memory_equal(&s, &copy, sizeof(s));
}

#define T(name) cmocka_unit_test(test_##name)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(valid_prot32), T(valid_long64), T(valid_real), T(valid_v86), T(valid_strict),

        T(cr0_fixed0_ne_clear), T(cr0_fixed1_bit_set), T(cr0_pg_without_pe),
        T(cr0_pe_clear_without_ug), T(cr0_pg_clear_without_ug), T(cr0_cd_not_checked),
        T(cr0_cd_fixed0_not_checked), T(cr0_paging_with_ug), T(cr0_hint_names_unrestricted_guest),
        T(cr4_fixed0_vmxe_clear), T(cr4_fixed1_la57_set), T(cr4_cet_without_wp), T(cr4_cet_with_wp),

        T(ia32e_needs_pg), T(ia32e_needs_pae), T(pcide_outside_ia32e), T(pcide_in_ia32e),
        T(cr3_bit52), T(cr3_bit63), T(cr3_bit51),

        T(debugctl_bit16), T(debugctl_bit3), T(debugctl_lbr_btf), T(debugctl_not_loaded),
        T(dr7_high_bits), T(dr7_not_loaded), T(dr7_low_bits),

        T(efer_reserved_bit), T(efer_svme_bit), T(efer_lma_without_ia32e), T(efer_no_lma_in_ia32e),
        T(efer_lma_ne_lme_with_pg), T(efer_lme_without_pg), T(efer_sce_nxe), T(efer_not_loaded),

        T(pat_type2_entry0), T(pat_type3_entry5), T(pat_type8_entry7), T(pat_all_valid_types),
        T(pat_not_loaded),

        T(rip_high_in_32bit), T(rip_high_in_compat_mode), T(rip_bits_63_48_mixed), T(rip_bit47_alone),
        T(rflags_reserved_bit3), T(rflags_reserved_bit22), T(rflags_reserved_bit63), T(rflags_bit1_clear),
        T(rflags_vm_in_ia32e), T(rflags_vm_in_real_mode), T(rflags_if_clear_injecting_extint),
        T(rflags_if_set_injecting_extint), T(rflags_if_clear_invalid_intr_info),
        T(rflags_if_clear_injecting_exception),

        T(tr_unusable), T(tr_ti_set), T(tr_base_not_canonical), T(tr_base_high_canonical),
        T(tr_16bit_tss_in_ia32e), T(tr_available_tss), T(tr_data_type), T(tr_s_set), T(tr_not_present),
        T(tr_reserved_bit8), T(tr_reserved_bit17), T(tr_g_with_byte_limit), T(tr_big_limit_without_g),
        T(tr_page_granular), T(tr_16bit_tss_in_prot32),

        T(ldtr_usable), T(ldtr_unusable_garbage), T(ldtr_ti_set), T(ldtr_base_not_canonical),
        T(ldtr_type_tss), T(ldtr_s_set), T(ldtr_not_present), T(ldtr_reserved_bit11),
        T(ldtr_g_with_byte_limit), T(ldtr_big_limit_without_g),

        T(cs_base_high), T(cs_data_type), T(cs_code_not_accessed), T(cs_type3_without_ug),
        T(cs_type3_with_ug), T(cs_execute_only), T(cs_s_clear), T(cs_type3_dpl3),
        T(cs_nonconforming_dpl_ne_ss), T(cs_conforming_dpl_above_ss), T(cs_conforming_dpl_below_ss),
        T(cs_ring3), T(cs_not_present), T(cs_reserved_bit9), T(cs_reserved_bit31),
        T(cs_l_and_d_in_ia32e), T(cs_l_and_d_outside_ia32e), T(cs_compat_mode),
        T(cs_g_with_byte_limit), T(cs_big_limit_without_g),

        T(ss_rpl_ne_cs_rpl), T(ss_rpl_ne_cs_rpl_with_ug), T(ss_base_high), T(ss_unusable_base_high),
        T(ss_type_read_only), T(ss_type_code), T(ss_expand_down), T(ss_s_clear),
        T(ss_dpl_ne_rpl_without_ug), T(ss_dpl_nonzero_real_mode), T(ss_dpl_nonzero_cs_type3),
        T(ss_unusable_dpl_real_mode), T(ss_unusable_in_ia32e), T(ss_not_present),
        T(ss_reserved_bit20), T(ss_g_with_byte_limit), T(ss_big_limit_without_g),

        T(ds_base_high), T(ds_unusable_base_high), T(es_unusable_garbage), T(fs_base_not_canonical),
        T(gs_unusable_base_not_canonical), T(gs_base_high_canonical), T(ds_not_accessed),
        T(es_execute_only_code), T(es_readable_code), T(es_read_only_data), T(fs_s_clear),
        T(gs_dpl_below_rpl), T(gs_dpl_below_rpl_with_ug), T(gs_conforming_dpl_below_rpl),
        T(ds_dpl_above_rpl), T(ds_not_present), T(es_reserved_bit10), T(fs_g_with_byte_limit),
        T(gs_big_limit_without_g),

        T(v86_cs_base), T(v86_ss_limit), T(v86_ds_ar), T(v86_es_ar), T(v86_fs_base), T(v86_gs_ar),
        T(v86_tr_unusable),

        T(gdtr_limit_high), T(gdtr_base_not_canonical), T(idtr_limit_high), T(idtr_base_not_canonical),
        T(dtr_bases_high_canonical),

        T(activity_out_of_range), T(activity_huge), T(activity_hlt), T(activity_shutdown),
        T(activity_wait_sipi), T(activity_hlt_cpl3), T(activity_hlt_with_sti_blocking),
        T(activity_shutdown_with_movss_blocking), T(activity_hlt_with_nmi_blocking),
        T(activity_hlt_inject_extint), T(activity_hlt_inject_nmi), T(activity_hlt_inject_db),
        T(activity_hlt_inject_mc), T(activity_hlt_inject_mtf), T(activity_hlt_inject_pf),
        T(activity_hlt_inject_other_vector1), T(activity_hlt_inject_sw_exception),
        T(activity_shutdown_inject_nmi), T(activity_shutdown_inject_mc),
        T(activity_shutdown_inject_extint), T(activity_shutdown_inject_db),
        T(activity_wait_sipi_inject_nmi), T(activity_active_inject_anything),
        T(activity_wait_sipi_entry_to_smm), T(activity_hlt_entry_to_smm),

        T(intr_reserved_bit5), T(intr_reserved_bit31), T(intr_sti_and_movss), T(intr_sti_with_if_clear),
        T(intr_sti_with_if_set), T(intr_movss_with_if_clear), T(intr_sti_injecting_extint),
        T(intr_movss_injecting_extint), T(intr_movss_injecting_nmi), T(intr_movss_injecting_exception),
        T(intr_smi_blocking), T(intr_enclave_with_movss), T(intr_enclave_alone), T(intr_nmi_blocking),

        T(link_pointer_zero), T(link_pointer_page), T(link_pointer_low_32),

        T(first_failure_is_reported), T(report_text), T(small_buffers), T(snapshot_unchanged),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
