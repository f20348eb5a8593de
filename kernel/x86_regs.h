/*
 * x86_regs.h - architectural bits of the control registers, EFER and
 * RFLAGS (SDM Vol. 3A, 2.5 "Control Registers", 2.2.1 "Extended Feature
 * Enable Register", 2.3 "System Flags and Fields in the EFLAGS Register").
 * Constants only: pure files include it too.
 */
#ifndef X86_REGS_H
#define X86_REGS_H

#define CR0_PE          (1ull << 0)
#define CR0_ET          (1ull << 4)
#define CR0_NE          (1ull << 5)
#define CR0_WP          (1ull << 16)
#define CR0_NW          (1ull << 29)
#define CR0_CD          (1ull << 30)
#define CR0_PG          (1ull << 31)

#define CR4_DE          (1ull << 3)
#define CR4_PSE         (1ull << 4)
#define CR4_PAE         (1ull << 5)
#define CR4_PGE         (1ull << 7)
#define CR4_VMXE        (1ull << 13)
#define CR4_PCIDE       (1ull << 17)
#define CR4_SMEP        (1ull << 20)
#define CR4_OSXSAVE     (1ull << 18)
#define CR4_PKE         (1ull << 22)
#define CR4_CET         (1ull << 23)

#define EFER_SCE        (1ull << 0)
#define EFER_LME        (1ull << 8)
#define EFER_LMA        (1ull << 10)
#define EFER_NXE        (1ull << 11)

/* DR6 (SDM Vol. 3A, 17.2.3): B0-B3 the breakpoints that matched, BD a
 * debug-register access with DR7.GD, BS the single-step trap. VMX's
 * pending debug exceptions and a #DB exit's qualification put B0-B3 and
 * BS at the same bits (SDM Vol. 3C, Tables 25-4 and 28-1). */
#define DR6_B0_B3       0xFull
#define DR6_BD          (1ull << 13)
#define DR6_BS          (1ull << 14)
#define DR6_FIXED1      0xFFFF0FF0ull   /* the bits that read as 1 (DR6's value at reset) */
/* What DR6 holds after a MOV: B0-B3, BD, BS, BT as written, bit 12 as 0,
 * the rest as 1 (17.2.3, Figure 17-1). */
#define DR6_VALUE(v)    (((v) & 0xE00Full) | DR6_FIXED1)
#define DR7_FIXED1      0x400ull        /* DR7 at reset: bit 10 reads as 1, every breakpoint off (17.2.4) */
#define DR7_GD          (1ull << 13)    /* general detect: a MOV DR raises #DB first (17.2.4) */
/* The DR7 bits a MOV keeps (17.2.4, Figure 17-1): L0-G3, LE, GE, bit 11
 * (RTM), GD, the R/W and LEN fields; bit 10 reads as 1, 12, 14, 15 as 0. */
#define DR7_WRITABLE    0xFFFF2BFFull
#define DR7_VALUE(v)    (((v) & DR7_WRITABLE) | DR7_FIXED1)

#define DEBUGCTL_BTF    (1ull << 1)     /* IA32_DEBUGCTL: single-step on branches (SDM Vol. 3A, 19.4.1) */

/* Memory types, as MTRRs, PAT and EPT encode them (SDM Vol. 3A, 13.3,
 * 13.11; AMD APM Vol. 2, 7.7). */
#define MEMTYPE_UC      0
#define MEMTYPE_WC      1
#define MEMTYPE_WT      4
#define MEMTYPE_WP      5
#define MEMTYPE_WB      6

#define RFLAGS_FIXED1   (1ull << 1)
#define RFLAGS_TF       (1ull << 8)
#define RFLAGS_IF       (1ull << 9)
#define RFLAGS_RF       (1ull << 16)
#define RFLAGS_VM       (1ull << 17)

#endif
