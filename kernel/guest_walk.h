/*
 * guest_walk.h - translate a guest linear address to a guest-physical one
 * by walking the guest's page tables (pure; host unit tested and fuzzed).
 *
 * The hypervisor needs it to fetch the instruction at the guest RIP (for
 * MMIO emulation) and to read guest buffers named by linear addresses.
 * Guest memory is read through a callback, so the walker knows nothing of
 * EPT or of how guest RAM is mapped in the hypervisor.
 *
 * Only the translation is done: no permission checks (R/W, U/S, XD, SMEP,
 * SMAP, protection keys), no accessed/dirty updates, no TLB. Reserved bits
 * are checked where they do not depend on MAXPHYADDR, which the walker
 * does not know: physical-address bits between MAXPHYADDR and 51 pass
 * through into the result (the caller's EPT lookup then refuses them).
 */
#ifndef GUEST_WALK_H
#define GUEST_WALK_H

#include <stdbool.h>
#include <stdint.h>

/*
 * Reads the 8-byte-aligned guest-physical qword at gpa (always a multiple
 * of 8, below 2^52) into *val; false when gpa is not readable guest memory.
 */
typedef bool (*guest_read64_fn)(void *ctx, uint64_t gpa, uint64_t *val);

/* The guest's paging controls, as the VMCS guest-state area holds them. */
struct guest_paging {
    uint64_t cr0, cr3, cr4, efer;
};

enum guest_walk_result {
    GW_OK,          /* *gpa is the translation */
    GW_NOT_PRESENT, /* an entry on the way has P = 0: the guest would #PF */
    GW_BAD_READ,    /* the callback could not read an entry */
    GW_RESERVED,    /* an entry sets a reserved bit: the guest would #PF */
};

/*
 * guest_walk - the guest-physical address of linear under p, into *gpa
 * (untouched unless GW_OK). The paging mode is chosen as the CPU does
 * (SDM Vol. 3A, 4.1.1 and Table 4-1):
 *
 *   CR0.PG = 0          no paging: gpa = linear, cut to 32 bits
 *   CR4.PAE = 0         32-bit paging: 4 KiB pages, 4 MiB with CR4.PSE
 *                       (PSE-36: PDE bits 20:13 are address bits 39:32)
 *   EFER.LMA = 0        PAE paging: PDPTE from CR3[31:5], 2 MiB pages
 *   CR4.LA57 = 0        4-level paging, 2 MiB and 1 GiB pages
 *   otherwise           5-level paging
 *
 * With 32-bit and PAE paging the linear address is cut to 32 bits; with
 * 4- and 5-level paging the bits above 47 or 56 are ignored (the CPU
 * raised #GP for a non-canonical address before any walk).
 *
 * The PAE PDPTEs are read from memory: the CPU uses the copies it loaded
 * on the guest's last MOV to CR3 (the VMCS guest PDPTE fields), which
 * differ only if the guest changed the PDPT since without reloading CR3.
 * 1-GiB pages are assumed supported (CPUID.80000001H:EDX[26]).
 */
enum guest_walk_result guest_walk(const struct guest_paging *p, uint64_t linear,
                                  guest_read64_fn read, void *ctx, uint64_t *gpa);

/* guest_walk_result_name - "ok", "not present", "bad read", "reserved bit",
 * or "?" for a value outside the enum. */
const char *guest_walk_result_name(enum guest_walk_result r);

#endif
