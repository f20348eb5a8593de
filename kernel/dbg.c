/*
 * dbg.c - the guest's I/O breakpoints; see dbg.h.
 */
#include "dbg.h"

uint32_t dbg_io_hits(uint64_t dr7, const uint64_t dr[4], uint16_t port, unsigned size)
{
    static const uint8_t len_bytes[4] = { 1, 2, 8, 4 };    /* LEN 00B, 01B, 10B, 11B */
    uint32_t hits = 0;
    for (unsigned n = 0; n < 4; n++) {
        unsigned rw = (unsigned)(dr7 >> (16 + 4 * n)) & 3, len = len_bytes[(dr7 >> (18 + 4 * n)) & 3];
        if (!((dr7 >> (2 * n)) & 3) || rw != DR7_RW_IO)
            continue;
        uint64_t lo = dr[n] & 0xFFFF & ~(uint64_t)(len - 1);
        if (port < lo + len && (uint64_t)port + size > lo)
            hits |= 1u << n;
    }
    return hits;
}
