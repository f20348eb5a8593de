/*
 * guest_ept.h - the guest's EPT, built from the pool.
 */
#ifndef GUEST_EPT_H
#define GUEST_EPT_H

#include "ept.h"

/* guest_ept_build - identity map of the guest's memory map without the
 * hypervisor region; allow_1g and ad from the EPT capabilities.
 * Returns the EPTP, or 0 after printing why. */
uint64_t guest_ept_build(const struct memmap *m, bool allow_1g, bool ad);

/* guest_ept - the map built (for the console and the fault path). */
struct ept *guest_ept(void);

#endif
