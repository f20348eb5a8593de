/*
 * loader.h - the guest image: kept safe in the hypervisor region at boot,
 * loaded into guest memory (again on every reset), and the start state the
 * vCPU gets.
 */
#ifndef LOADER_H
#define LOADER_H

#include <stdbool.h>
#include <stdint.h>

#include "memmap.h"

/* How the guest starts: the loader fills this in for the VMX code. */
enum guest_mode { GUEST_REAL, GUEST_PROT32, GUEST_LONG64 };

struct guest_start {
    enum guest_mode mode;
    uint64_t rip, rsp;
    uint64_t rax, rbx, rsi;
    uint64_t cr3;
};

/*
 * loader_stash_modules - copy every boot module just below the hypervisor
 * image and grow the hypervisor region over them, so that no guest can
 * overwrite the pristine image a reset reloads. Then compute the guest's
 * memory map, with at most mem_limit bytes of RAM (0: all).
 * Returns 0, or -1 after printing why.
 */
int loader_stash_modules(uint64_t mem_limit);

/* guest_memmap - the guest's memory map (hypervisor region reserved, RAM
 * beyond mem= left out). */
const struct memmap *guest_memmap(void);

/* firmware_memmap - the machine's memory map, sorted. */
const struct memmap *firmware_memmap(void);

/* loader_have_guest - a guest module was given. */
bool loader_have_guest(void);

/*
 * loader_load - (re)load the guest kernel from the stash into guest memory
 * and fill in its start state. The format decides the loader, whatever the
 * file is called. Returns 0, or -1 after printing an error line that
 * names what is wrong with the image.
 */
int loader_load(struct guest_start *start);

/* guest_ptr - pointer to [gpa, gpa+len) if it lies wholly in guest RAM
 * below 4 GiB (the identity-mapped range), else NULL. */
void *guest_ptr(uint64_t gpa, uint64_t len);

#endif
