/*
 * iobus.h - where a guest's port I/O and stores to emulated MMIO go:
 * devices register the ports and pages they emulate, and an exit finds its
 * device in one lookup (bhyve's inout and MMIO handlers, KVM's io bus).
 * Ports no device holds are the hardware's (the guest owns the machine's
 * devices: an intercepted one, `trap io`, is accessed for it).
 */
#ifndef IOBUS_H
#define IOBUS_H

#include <stdbool.h>
#include <stdint.h>

#include "vcpu.h"

/*
 * A device's ports. Accesses reach it one byte per port, as the bus splits
 * a word or doubleword for 8-bit devices, unless wide: then an access of
 * 1, 2 or 4 bytes that starts at one of its ports comes whole. in: the
 * byte (or value) read, or NULL when reads go to the hardware; out: a
 * write, or NULL for the same. Handlers run on the exiting core between
 * exits, with the guest's GPRs in v->regs; the instruction is completed
 * by the bus (RIP past it, the I/O breakpoints) unless out returns
 * EXIT_STOP or changed the guest's state (a reset request is fine).
 */
struct io_device {
    const char *name;
    bool wide;
    bool light;     /* in and out (both given) print nothing, hold no lock long
                       and out returns EXIT_RESUME: the light path
                       (vcpu_exit_light) may do its byte accesses */
    bool exact;     /* only accesses that start at its ports reach it: a wider
                       one that merely covers them is the hardware's (0xCF9
                       inside the PCI configuration address at 0xCF8) */
    uint32_t (*in)(struct vcpu *v, uint16_t port, unsigned size);
    enum exit_action (*out)(struct vcpu *v, uint16_t port, unsigned size, uint32_t val);
};

/* iobus_register - dev holds [first, first + n) (boot, before any vCPU);
 * the ports are intercepted on every vCPU set up later (iobus_intercept). */
void iobus_register(uint16_t first, unsigned n, const struct io_device *dev);

/* iobus_device - the device holding port, or NULL; iobus_port_light -
 * whether that is a light one (inline: the light path asks on every byte
 * of the guest's console, one load and one test, then one more load). */
#define IOBUS_PORT_LIGHT 0x80
extern uint8_t iobus_port_dev[65536];           /* a device's number (1..), | IOBUS_PORT_LIGHT; 0: none */
extern const struct io_device *iobus_dev_of[256];   /* by that byte, NULL at 0 */
static inline const struct io_device *iobus_device(uint16_t port)
{
    return iobus_dev_of[iobus_port_dev[port]];
}

static inline bool iobus_port_light(uint16_t port)
{
    return iobus_port_dev[port] & IOBUS_PORT_LIGHT;
}

/* iobus_intercept - make every registered port exit on v (vCPU set-up). */
void iobus_intercept(struct vcpu *v);

/* iobus_access - an IN or OUT of size bytes at port (not string I/O),
 * value in/out of the guest's RAX, done as the bus would: whole to a wide
 * device, byte by byte where any byte reaches a device, else on the
 * hardware. Completes the instruction. */
enum exit_action iobus_access(struct vcpu *v, uint16_t port, unsigned size, bool in);

/* hw_in / hw_out - an IN or OUT of size (1, 2 or 4) bytes on the
 * hardware, as the guest's instruction would do it. */
uint32_t hw_in(uint16_t port, unsigned size);
void hw_out(uint16_t port, unsigned size, uint32_t val);

/* A device's page of MMIO whose stores exit (the page is read-only in the
 * second-level map): store runs for a store to it at gpa. */
struct mmio_device {
    const char *name;
    enum exit_action (*store)(struct vcpu *v, uint64_t gpa);
};

/* mmio_register - dev holds the 4 KiB page at page (boot). */
void mmio_register(uint64_t page, const struct mmio_device *dev);

/* mmio_device - the device holding gpa's page, or NULL. */
const struct mmio_device *mmio_device(uint64_t gpa);

/*
 * mmio_decode - the guest's store that hit a write-protected device page
 * at gpa, decoded (kernel/insn_decode.c, the instruction read through the
 * guest's page tables) into *st. An instruction the decoder does not know
 * stops the guest with an error line naming device: then false, and *a
 * is the handler's answer.
 */
struct mmio_store;
bool mmio_decode(struct vcpu *v, uint64_t gpa, const char *device, struct mmio_store *st,
                 enum exit_action *a);

/* mmio_plain32 - st is one aligned 32-bit store, the access device
 * registers take (SDM Vol. 3A, 12.4.1; the I/O APIC's datasheet): its
 * value in *val. */
bool mmio_plain32(struct vcpu *v, uint64_t gpa, const struct mmio_store *st, uint32_t *val);

/*
 * mmio_store_physical - do st for the guest on the physical address gpa
 * (guest-physical is host-physical), as wide as the guest's own store: what
 * the bus does with an access a device model does not take (another
 * width, a string store, or a page that is not the device's just now).
 * XCHG gets the old value; STOS writes the elements inside gpa's page and
 * updates rDI and rCX, completing the instruction only when its count is
 * done (a REP STOS over several pages continues with the next exit).
 * Counted in mmio_physical_stores (`cpus` shows them).
 */
void mmio_store_physical(struct vcpu *v, uint64_t gpa, const struct mmio_store *st);
extern uint64_t mmio_physical_stores;

/* mmio_store_done - after the store was done for the guest: an XCHG's
 * register gets old, the instruction completes. */
void mmio_store_done(struct vcpu *v, const struct mmio_store *st, uint32_t old);

#endif
