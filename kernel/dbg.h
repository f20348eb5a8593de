/*
 * dbg.h - the guest's debug registers (pure; host unit tested).
 *
 * Two parts. First, the guest's breakpoints as the CPU would apply them to
 * an access the hypervisor performs for the guest: an IN or OUT to a port
 * monovisor emulates never reaches the CPU's own breakpoint logic, so the
 * hypervisor matches the guest's I/O breakpoints itself and makes the #DB
 * trap pending, as the CPU would have raised it after the instruction.
 *
 * Second, the four breakpoint slots (DR0-DR3 and their DR7 fields) shared
 * between the guest and the GDB stub: the stub implements GDB's Z1
 * (hardware breakpoint), Z2 (write watchpoint) and Z4 (access watchpoint)
 * with the guest CPU's debug registers, while the guest keeps using its
 * own, its MOV to and from DR0-DR7 then intercepted and kept in a shadow.
 * The policy here decides which slots the stub takes, what the hardware
 * is loaded with, and which side a #DB's DR6 bits belong to.
 *
 * SDM citations are to the Intel SDM Vol. 3B, chapter 17 ("Debug, Branch
 * Profile, TSC, and Intel Resource Director Technology Features"; the
 * chapter's number differs between editions, the sections' titles do
 * not): 17.2.3 "Debug Status Register (DR6)", 17.2.4 "Debug Control
 * Register (DR7)", 17.2.5 "Breakpoint Field Recognition", 17.2.6 "Debug
 * Registers and Intel 64 Processors", 17.3.1 "Debug Exception (#DB)".
 *
 * The stub's breakpoints apply to every vCPU, the guest's values are each
 * vCPU's: the stub keeps one struct dr_share for its requests (its guest
 * half standing for all vCPUs, see dr_stub_insert) and copies its half
 * into each vCPU's with dr_share_take_stub.
 */
#ifndef DBG_H
#define DBG_H

#include <stdint.h>

#define DR7_RW_IO 2u                    /* R/W field 10B: I/O read or write (17.2.4) */
#define PENDING_DBG_ENABLED_BP (1ull << 12)     /* pending debug exceptions: an enabled breakpoint matched */

/*
 * dbg_io_hits - the breakpoints (bit n for DRn, as DR6.B0-B3 and the
 * pending debug exceptions field's bits 3:0) that an I/O access of size
 * bytes (1, 2 or 4) at port matches: enabled in dr7 (L or G), R/W = 10B,
 * the port range overlapping the breakpoint's, DRn's address aligned
 * down to its length (SDM Vol. 3B, 17.2.4 and 17.2.5: LEN 00B 1 byte,
 * 01B 2, 11B 4, 10B 8). The caller checks CR4.DE (without it R/W = 10B
 * is undefined).
 */
uint32_t dbg_io_hits(uint64_t dr7, const uint64_t dr[4], uint16_t port, unsigned size);

/* ---- the breakpoint slots shared with the GDB stub ------------------------ */

/* GDB's Z/z types (the remote protocol's "Z type,addr,kind"); 0 (software
 * breakpoint) and 3 (read watchpoint) are not the debug registers' to take. */
enum dr_z_type {
    DR_Z_HW = 1,            /* hardware breakpoint: R/W 00B, LEN 00B */
    DR_Z_WRITE = 2,         /* write watchpoint: R/W 01B */
    DR_Z_READ = 3,          /* read watchpoint: no R/W encoding breaks on reads only */
    DR_Z_ACCESS = 4,        /* access (read or write) watchpoint: R/W 11B */
};

/* dr_stub_insert and dr_stub_remove: 0 or one of these. */
enum dr_err {
    DR_ERR_TYPE = -1,       /* a Z type the debug registers cannot do (0, 3, above 4) */
    DR_ERR_LEN = -2,        /* a watchpoint of 0 bytes or of more than 32 (4 slots x 8) */
    DR_ERR_FULL = -3,       /* its pieces need more slots than the stub can take */
    DR_ERR_ABSENT = -4,     /* remove: no such insert */
};

/* The most bytes one watchpoint may span: four slots of 8 bytes. */
#define DR_WATCH_MAX 32u

/*
 * struct dr_share - the guest's view of the debug registers and the
 * stub's claims on the four slots. Zeroed, it is a guest without
 * breakpoints and a stub holding nothing. One Z request may hold several
 * slots (a watchpoint split into aligned pieces); each keeps the whole
 * request (req_addr, req_len) beside its own piece (stub_addr, stub_len).
 * Slots the stub does not hold have their stub fields zero.
 */
struct dr_share {
    uint64_t guest_dr[4];   /* the guest's DR0-DR3 as it wrote them */
    uint64_t guest_dr7;     /* the guest's DR7 as it wrote it */
    uint64_t stub_addr[4];  /* per stub slot: the piece's address (what DRn is loaded with) */
    uint64_t req_addr[4];   /* per stub slot: the address of the Z request it serves */
    uint8_t req_len[4];     /* per stub slot: that request's length (1 for Z1) */
    uint8_t stub_rw[4];     /* per stub slot: DR7 R/W (00B execute, 01B write, 11B read/write) */
    uint8_t stub_len[4];    /* per stub slot: DR7 LEN (00B 1 byte, 01B 2, 11B 4, 10B 8) */
    uint8_t stub_type[4];   /* per stub slot: the GDB Z type that took it (1, 2 or 4) */
    uint8_t stub_slots;     /* bit n: slot n is the stub's */
    uint8_t no_len8;        /* set when LEN 10B is undefined on this CPU: pieces of 4 bytes at most */
};

/*
 * dr_stub_insert - take slots for GDB's "Z type,addr,len".
 *
 * Type 1 (execute): one slot, R/W 00B and LEN 00B whatever len (GDB's
 * "kind") says: an instruction breakpoint must have LEN 00B, other lengths
 * are undefined (17.2.4), and it matches the address of the instruction's
 * first byte (17.2.5). Types 2 and 4: R/W 01B (break on data writes) and
 * 11B (data reads or writes, not instruction fetches) (17.2.4); the range
 * [addr, addr + len) is covered as GDB's x86-dregs.c covers it, by
 * naturally aligned pieces of 1, 2, 4 or 8 bytes, each the largest that
 * fits the rest of the range and the alignment of its start, each in its
 * own slot: a slot's LEN masks the low address bits of DRn, so it only
 * watches an aligned field (17.2.5). 8-byte pieces use LEN 10B, which
 * Intel 64 processors support in all modes (17.2.4 note, 17.2.6); with
 * no_len8 set pieces stop at 4 bytes. Type 3 is refused: no R/W encoding
 * breaks on reads alone (17.2.4), and gdbserver refuses it too.
 *
 * Slots: first those guest_dr7 does not enable (L and G clear, 17.2.4),
 * lowest first; only when they are too few, slots it enables, whose
 * breakpoints are suspended while the stub holds them (dr_suspended).
 * For a stub serving several vCPUs, guest_dr7 of the struct inserted
 * into should enable the slots any vCPU enables. All or nothing: on an
 * error no slot changes. A request already held (same type, addr and,
 * except for type 1, len) succeeds without taking more; there is no
 * count, one dr_stub_remove drops it. Different requests never share a
 * slot, even for the same piece.
 *
 * Returns 0, DR_ERR_TYPE (type not 1, 2 or 4), DR_ERR_LEN (len 0 or
 * above DR_WATCH_MAX for types 2 and 4) or DR_ERR_FULL.
 */
int dr_stub_insert(struct dr_share *s, unsigned type, uint64_t addr, uint64_t len);

/*
 * dr_stub_remove - GDB's "z type,addr,len": release every slot the
 * matching dr_stub_insert took (matched as there), giving each back to the
 * guest's DRn and DR7 fields. Returns 0, DR_ERR_TYPE (type not 1, 2 or
 * 4) or DR_ERR_ABSENT (no such request held).
 */
int dr_stub_remove(struct dr_share *s, unsigned type, uint64_t addr, uint64_t len);

/* dr_stub_clear - drop every stub slot (GDB detached or killed the session). */
void dr_stub_clear(struct dr_share *s);

/* dr_share_take_stub - the stub's half of from (its slots, requests and
 * no_len8) copied into to, whose guest half (guest_dr, guest_dr7) stays:
 * a vCPU's share after the stub's requests changed. */
void dr_share_take_stub(struct dr_share *to, const struct dr_share *from);

/*
 * dr_compose - what to load into the hardware's DR0-DR3 and DR7 for the
 * guest to run: DRn is the stub's piece address where the stub holds slot
 * n, else the guest's DRn. DR7 is the guest's with, in each stub slot,
 * Gn set and Ln clear: the processor clears L0-L3 on every task switch
 * and keeps G0-G3 (17.2.4), and a guest's hardware task switch (not
 * intercepted under SVM) must not disable the stub's breakpoints (QEMU's
 * stub under KVM enables its slots with G too); R/Wn and LENn the stub's
 * (17.2.4); bit 10 set (reserved, reads as 1: 17.2.4, Figure 17-1);
 * every other guest bit kept: LE, GE, GD, RTM and the guest's own slots.
 */
void dr_compose(const struct dr_share *s, uint64_t dr[4], uint64_t *dr7);

/*
 * dr_stub_hit - the stub's slots (bit n for slot n) a #DB's DR6 reports
 * as met: B0-B3 (17.2.3) masked by the stub's slots; 0: none, *type and
 * *addr left alone. Else *type and *addr are the Z type and address GDB
 * gave (not the piece's: GDB finds its watchpoint by the address a
 * "watch:"/"awatch:" stop reason names) of the one to report: a
 * watchpoint rather than a breakpoint (a data breakpoint is a trap
 * reported after the access, an instruction breakpoint a fault reported
 * before the instruction, which runs again: 17.3.1.1, 17.3.1.2), then
 * the lowest slot. B bits of slots that are not enabled may be set
 * (17.2.3); every stub slot is enabled (dr_compose).
 */
unsigned dr_stub_hit(const struct dr_share *s, uint64_t dr6, unsigned *type, uint64_t *addr);

/*
 * dr_guest_hits - the guest's own breakpoints (bit n for DRn) a #DB's DR6
 * reports: B0-B3 of the slots guest_dr7 enables (L or G, 17.2.4) and the
 * stub does not hold. Only those count: B bits of breakpoints that are
 * not enabled may be set (17.2.3), and a suspended one's B bit is the
 * stub's. (BD and BS are the caller's to weigh: 17.2.3.)
 */
unsigned dr_guest_hits(const struct dr_share *s, uint64_t dr6);

/*
 * dr_guest_dr6 - the DR6 the guest sees for a #DB: B0-B3 of the stub's
 * slots cleared (the stub's address was in DRn, not the guest's), every
 * other bit kept: BD, BS, BT, RTM, the reserved bits and the B bits of the
 * guest's own slots (17.2.3).
 */
uint64_t dr_guest_dr6(const struct dr_share *s, uint64_t dr6);

/* dr_suspended - the slots (bit n) the guest's DR7 enables (Ln or Gn,
 * 17.2.4) that the stub holds: the guest's breakpoints not in effect. */
unsigned dr_suspended(const struct dr_share *s);

/* dr_stub_slots - the slots (bit n) the stub holds (0: the hardware may
 * run with the guest's own debug registers, MOV DR need not exit). */
unsigned dr_stub_slots(const struct dr_share *s);

#endif
