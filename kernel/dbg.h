/*
 * dbg.h - the guest's debug registers as the CPU would apply them to an
 * access the hypervisor performs for the guest (pure; host unit tested).
 * An IN or OUT to a port monovisor emulates never reaches the CPU's own
 * breakpoint logic, so the hypervisor matches the guest's I/O
 * breakpoints itself and makes the #DB trap pending, as the CPU would
 * have raised it after the instruction.
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
 * down to its length (SDM Vol. 3A, 17.2.4 and 17.2.5: LEN 00B 1 byte,
 * 01B 2, 11B 4, 10B 8). The caller checks CR4.DE (without it R/W = 10B
 * is undefined).
 */
uint32_t dbg_io_hits(uint64_t dr7, const uint64_t dr[4], uint16_t port, unsigned size);

#endif
