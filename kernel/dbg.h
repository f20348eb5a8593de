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

/* piece_slot of a suspended piece: in no slot. */
#define DR_NO_SLOT 4u

/*
 * struct dr_share - the guest's view of the debug registers and the
 * stub's pieces. Zeroed, it is a guest without breakpoints and a stub
 * holding nothing.
 *
 * The guest wins, the stub moves. A slot the guest's DR7 enables (Ln or
 * Gn, 17.2.4) is always the guest's: its DRn and DR7 fields are loaded
 * as the guest wrote them, so the guest sees the x86 the bare CPU shows.
 * The stub's breakpoints live in the other slots. One Z request is one
 * or more pieces (a watchpoint split into aligned fields, see
 * dr_stub_insert), each needing a slot of its own; piece i is entry i of
 * the piece_ and req_ arrays, which keeps beside the piece (piece_addr,
 * piece_len) the whole request it serves (req_addr, req_len, and
 * piece_type, which is 0 for an unused entry, every field of which is
 * then 0). A piece is loaded in piece_slot, or suspended (DR_NO_SLOT):
 * not loaded, its hits not reported, when the guest enables every slot
 * the stub's other pieces leave. dr_rebalance keeps the placement: no
 * piece in a slot the guest enables, no two pieces in one slot, no piece
 * suspended while a slot is free (neither the guest's nor a piece's).
 * Hence at most four pieces: an insert needs free slots, and none is
 * free while a piece is suspended.
 */
struct dr_share {
    uint64_t guest_dr[4];   /* the guest's DR0-DR3 as it wrote them */
    uint64_t guest_dr7;     /* the guest's DR7 as it wrote it */
    uint64_t piece_addr[4]; /* per piece: its address (what its slot's DRn is loaded with) */
    uint64_t req_addr[4];   /* per piece: the address of the Z request it serves */
    uint8_t req_len[4];     /* per piece: that request's length (1 for Z1) */
    uint8_t piece_rw[4];    /* per piece: DR7 R/W (00B execute, 01B write, 11B read/write) */
    uint8_t piece_len[4];   /* per piece: DR7 LEN (00B 1 byte, 01B 2, 11B 4, 10B 8) */
    uint8_t piece_type[4];  /* per piece: the GDB Z type that made it (1, 2 or 4); 0: no piece */
    uint8_t piece_slot[4];  /* per piece: the slot (0-3) it is loaded in, DR_NO_SLOT: suspended */
    uint8_t no_len8;        /* set when LEN 10B is undefined on this CPU: pieces of 4 bytes at most */
};

/*
 * dr_stub_insert - take slots for GDB's "Z type,addr,len".
 *
 * Type 1 (execute): one piece, R/W 00B and LEN 00B whatever len (GDB's
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
 * Slots: only free ones, those guest_dr7 does not enable (L and G clear,
 * 17.2.4) and no piece holds (after dr_rebalance, which the insert
 * applies first), lowest first, the pieces in address order into the
 * lowest unused entries; too few: DR_ERR_FULL (a slot the guest enables
 * is never taken). For a stub serving several vCPUs, guest_dr7 of the
 * struct inserted into should enable the slots any vCPU enables
 * (dr_guest_write(s, 7, the OR of every vCPU's DR7)). All or nothing: on
 * an error the struct does not change. A request already held (same
 * type, addr and, except for type 1, len) succeeds without taking more
 * and without change; there is no count, one dr_stub_remove drops it.
 * Different requests never share a piece, even for the same field.
 *
 * Returns 0, DR_ERR_TYPE (type not 1, 2 or 4), DR_ERR_LEN (len 0 or
 * above DR_WATCH_MAX for types 2 and 4) or DR_ERR_FULL.
 */
int dr_stub_insert(struct dr_share *s, unsigned type, uint64_t addr, uint64_t len);

/*
 * dr_stub_remove - GDB's "z type,addr,len": drop every piece of the
 * matching dr_stub_insert (matched as there), loaded or suspended,
 * wherever its pieces moved; the slots they held go back to the guest's
 * DRn and DR7 fields, or to suspended pieces (dr_rebalance). Returns 0,
 * DR_ERR_TYPE (type not 1, 2 or 4) or DR_ERR_ABSENT (no such request
 * held; the struct does not change).
 */
int dr_stub_remove(struct dr_share *s, unsigned type, uint64_t addr, uint64_t len);

/* dr_stub_clear - drop every piece (GDB detached or killed the session). */
void dr_stub_clear(struct dr_share *s);

/*
 * dr_guest_write - the guest's MOV to DRn (dr 0-3) or DR7 (dr 7; any
 * other dr is taken as 7: the caller folds DR4/DR5 and keeps DR6): val
 * stored as written, then dr_rebalance. The entry point for every guest
 * write while the stub shares the slots, and for the stub's own struct
 * when the OR of the vCPUs' DR7 changes.
 */
void dr_guest_write(struct dr_share *s, unsigned dr, uint64_t val);

/*
 * dr_rebalance - place the stub's pieces around the guest's enabled
 * slots: a piece whose slot guest_dr7 enables (or that another piece
 * holds) leaves it; every piece without a slot then takes the lowest
 * free slot (neither guest-enabled nor holding a piece), in entry order,
 * or stays suspended (DR_NO_SLOT) while none is free. Pieces in slots
 * the guest leaves stay where they are. Deterministic, and a struct so
 * placed does not change. Needed after writing guest_dr or guest_dr7
 * directly; dr_guest_write, dr_stub_insert, dr_stub_remove and
 * dr_share_take_stub apply it themselves.
 */
void dr_rebalance(struct dr_share *s);

/* dr_share_take_stub - the stub's half of from (its pieces and
 * no_len8) copied into to, whose guest half (guest_dr, guest_dr7) stays,
 * then dr_rebalance(to): a vCPU's share after the stub's requests
 * changed, placed around that vCPU's own DR7. */
void dr_share_take_stub(struct dr_share *to, const struct dr_share *from);

/*
 * dr_compose - what to load into the hardware's DR0-DR3 and DR7 for the
 * guest to run. A slot guest_dr7 enables: the guest's DRn and DR7
 * fields, always (even were a piece placed there, as before a
 * dr_rebalance). A slot loaded with a stub piece (not suspended): DRn the
 * piece's address; in DR7 Gn set and Ln clear: the processor clears L0-L3
 * on every task switch and keeps G0-G3 (17.2.4), and a guest's hardware
 * task switch (not intercepted under SVM) must not disable the stub's
 * breakpoints (QEMU's stub under KVM enables its slots with G too); R/Wn
 * and LENn the piece's (17.2.4). Any other slot: the guest's DRn and
 * fields (disabled). Bit 10 set (reserved, reads as 1: 17.2.4, Figure
 * 17-1); every other guest bit kept: LE, GE, GD, RTM.
 */
void dr_compose(const struct dr_share *s, uint64_t dr[4], uint64_t *dr7);

/*
 * dr_stub_hit - the slots loaded with stub pieces (bit n for slot n) a
 * #DB's DR6 reports as met: B0-B3 (17.2.3) masked by dr_stub_slots
 * (a suspended piece is in no slot, so never reported); 0: none, *type
 * and *addr left alone. Else *type and *addr are the Z type and address
 * GDB gave (not the piece's: GDB finds its watchpoint by the address a
 * "watch:"/"awatch:" stop reason names) of the one to report: a
 * watchpoint rather than a breakpoint (a data breakpoint is a trap
 * reported after the access, an instruction breakpoint a fault reported
 * before the instruction, which runs again: 17.3.1.1, 17.3.1.2), then
 * the lowest slot. B bits of slots that are not enabled may be set
 * (17.2.3); every loaded piece's slot is enabled (dr_compose).
 */
unsigned dr_stub_hit(const struct dr_share *s, uint64_t dr6, unsigned *type, uint64_t *addr);

/*
 * dr_guest_hits - the guest's own breakpoints (bit n for DRn) a #DB's DR6
 * reports: B0-B3 of every slot guest_dr7 enables (L or G, 17.2.4), each
 * loaded with the guest's breakpoint (dr_compose). Only those count: B
 * bits of breakpoints that are not enabled may be set (17.2.3). (BD and
 * BS are the caller's to weigh: 17.2.3.)
 */
unsigned dr_guest_hits(const struct dr_share *s, uint64_t dr6);

/*
 * dr_guest_dr6 - the DR6 the guest sees for a #DB: B0-B3 of the slots
 * loaded with stub pieces (dr_stub_slots) cleared (the stub's address was
 * in DRn, not the guest's), every other bit kept: BD, BS, BT, RTM, the
 * reserved bits and the B bits of every other slot, the guest's enabled
 * ones and those it set up but left disabled, whose DRn and fields are
 * its own (17.2.3).
 */
uint64_t dr_guest_dr6(const struct dr_share *s, uint64_t dr6);

/* dr_stub_suspended - the stub's pieces (bit i for entry i) that are not
 * loaded: suspended because the guest enables every slot the other
 * pieces leave (its popcount is how many). 0: every request fully in
 * effect. */
unsigned dr_stub_suspended(const struct dr_share *s);

/* dr_stub_slots - the slots (bit n) loaded with the stub's pieces, those
 * whose B bits are the stub's (dr_stub_hit, dr_guest_dr6). May be 0
 * while the stub holds requests (all suspended): use dr_stub_held to
 * know whether the stub needs the debug registers. */
unsigned dr_stub_slots(const struct dr_share *s);

/* dr_stub_held - the stub's pieces (bit i for entry i), loaded or
 * suspended (0: the stub holds no request, the hardware may run with the
 * guest's own debug registers and MOV DR need not exit). */
unsigned dr_stub_held(const struct dr_share *s);

#endif
