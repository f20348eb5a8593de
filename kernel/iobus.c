/*
 * iobus.c - the guest's port I/O and emulated MMIO; see iobus.h.
 */
#include "iobus.h"

#include "insn_decode.h"
#include "mem.h"
#include "printk.h"
#include "x86.h"

#define IO_DEVICES 16    /* < IOBUS_PORT_LIGHT */
#define MMIO_DEVICES 4

/* iobus_port_dev[port]: 1 + the index in devices[] of its device, 0 for
 * none, with IOBUS_PORT_LIGHT for a light one; iobus_dev_of[] turns that
 * byte into the device. */
uint8_t iobus_port_dev[65536];
const struct io_device *iobus_dev_of[256];
static const struct io_device *devices[IO_DEVICES];
static unsigned ndevices;

/* The ranges as registered, for iobus_intercept. */
#define IO_RANGES 32
static struct {
    uint16_t first;
    unsigned n;
} ranges[IO_RANGES];
static unsigned nranges;

static struct {
    uint64_t page;
    const struct mmio_device *dev;
} mmio[MMIO_DEVICES];
static unsigned nmmio;

void iobus_register(uint16_t first, unsigned n, const struct io_device *dev)
{
    unsigned i = 0;
    while (i < ndevices && devices[i] != dev)
        i++;
    if (i == ndevices) {
        if (ndevices == IO_DEVICES) {
            kprintf("error: iobus: no room for device %s\n", dev->name);
            return;
        }
        devices[ndevices++] = dev;
    }
    uint8_t byte = (uint8_t)((i + 1) | (dev->light ? IOBUS_PORT_LIGHT : 0));
    iobus_dev_of[byte] = dev;
    if (nranges == IO_RANGES) {
        kprintf("error: iobus: no room for the ports of device %s\n", dev->name);
        return;
    }
    ranges[nranges].first = first;
    ranges[nranges++].n = n;
    for (unsigned p = first; p < (unsigned)first + n && p <= 0xFFFF; p++)
        iobus_port_dev[p] = byte;
}

void iobus_intercept(struct vcpu *v)
{
    for (unsigned i = 0; i < nranges; i++)
        virt.intercept_io(v, ranges[i].first, ranges[i].n, true);
}

uint32_t hw_in(uint16_t port, unsigned size)
{
    return size == 1 ? inb(port) : size == 2 ? inw(port) : inl(port);
}

void hw_out(uint16_t port, unsigned size, uint32_t val)
{
    if (size == 1)
        outb(port, (uint8_t)val);
    else if (size == 2)
        outw(port, (uint16_t)val);
    else
        outl(port, val);
}

/* Byte by byte (an access a device takes in bytes, or one that reaches a
 * device after its first byte: OUT to 0x3F7 reaches 0x3F8): each byte
 * goes where a byte access to its port would, so none reaches the console
 * UART or resets the machine unseen. */
static enum exit_action split(struct vcpu *v, uint16_t port, unsigned size, bool in, uint32_t *val)
{
    uint32_t acc = 0;
    for (unsigned i = 0; i < size; i++) {
        uint16_t p = (uint16_t)(port + i);
        const struct io_device *d = iobus_device(p);
        if (d && d->exact && i)
            d = 0;
        if (in) {
            acc |= (d && d->in ? d->in(v, p, 1) : hw_in(p, 1)) << (8 * i);
        } else {
            uint8_t b = (uint8_t)(*val >> (8 * i));
            if (d && d->out) {
                enum exit_action a = d->out(v, p, 1, b);
                if (a != EXIT_RESUME)
                    return a;
            } else {
                hw_out(p, 1, b);
            }
        }
    }
    if (in)
        *val = acc;
    return EXIT_RESUME;
}

enum exit_action iobus_access(struct vcpu *v, uint16_t port, unsigned size, bool in)
{
    uint32_t mask = size == 4 ? ~0u : (1u << (8 * size)) - 1, val = (uint32_t)v->regs.rax & mask;
    const struct io_device *d = iobus_device(port);
    /* Whole unless a device takes its first port in bytes, or a later
     * port's device would see a byte of it (one that is not "exact": a
     * dword OUT to 0xCF8, PCI's CONFIG_ADDRESS, is not a byte to 0xCF9). */
    bool whole = size == 1 || !d || d->wide;
    for (unsigned i = 1; whole && !d && i < size; i++) {
        const struct io_device *o = iobus_device((uint16_t)(port + i));
        whole = !o || o->exact;
    }
    /* The instruction completes first: a device's out may end the guest. */
    vcpu_skip_instruction(v);
    enum exit_action a = EXIT_RESUME;
    if (!whole)
        a = split(v, port, size, in, &val);
    else if (in)
        val = d && d->in ? d->in(v, port, size) : hw_in(port, size);
    else if (d && d->out)
        a = d->out(v, port, size, val);
    else
        hw_out(port, size, val);
    if (in)     /* AL, AX or EAX: a 32-bit result zero-extends into RAX (3.4.1.1) */
        v->regs.rax = size == 4 ? val : (v->regs.rax & ~(uint64_t)mask) | (val & mask);
    if (a == EXIT_RESUME)
        vcpu_io_breakpoints(v, port, size);
    return a;
}

void mmio_register(uint64_t page, const struct mmio_device *dev)
{
    if (nmmio == MMIO_DEVICES) {
        kprintf("error: iobus: no room for MMIO device %s\n", dev->name);
        return;
    }
    mmio[nmmio].page = page & ~0xFFFull;
    mmio[nmmio++].dev = dev;
}

const struct mmio_device *mmio_device(uint64_t gpa)
{
    for (unsigned i = 0; i < nmmio; i++)
        if (mmio[i].page == (gpa & ~0xFFFull))
            return mmio[i].dev;
    return 0;
}

/* ---- stores to emulated MMIO ---- */

uint64_t mmio_physical_stores;

/* The code segment's default size (virt.code_bits). */
static enum insn_mode code_mode(struct vcpu *v)
{
    unsigned bits = virt.code_bits(v);
    return bits == 64 ? INSN_MODE64 : bits == 32 ? INSN_MODE32 : INSN_MODE16;
}

bool mmio_decode(struct vcpu *v, uint64_t gpa, const char *device, struct mmio_store *st,
                 enum exit_action *a)
{
    uint8_t code[INSN_MAX_LEN];
    size_t n = vcpu_fetch_code(v, code);
    const char *why = "instruction not in guest RAM";
    if (n && !insn_decode_store(code, n, code_mode(v), st, &why))
        return true;
    kprintf("\nerror: guest %s write at offset %#x by rip=%#llx: %s\n", device,
            (unsigned)(gpa & (PAGE_SIZE - 1)), (unsigned long long)vcpu_rip(v), why);
    *a = vcpu_stop_guest(v, "unsupported device register access");
    return false;
}

/* A GPR's low size bytes as a store takes them (AH-BH: bits 15:8). */
static uint64_t store_value(struct vcpu *v, const struct mmio_store *st)
{
    uint64_t val = st->is_imm ? st->imm
                   : st->high_byte ? vcpu_get_gpr(v, st->reg - 4u) >> 8
                                   : vcpu_get_gpr(v, st->reg);
    return st->size == 8 ? val : val & ((1ull << (8 * st->size)) - 1);
}

bool mmio_plain32(struct vcpu *v, uint64_t gpa, const struct mmio_store *st, uint32_t *val)
{
    if (st->is_string || st->size != 4 || (gpa & 3))
        return false;
    *val = (uint32_t)store_value(v, st);
    return true;
}

static uint64_t phys_access(uint64_t pa, unsigned size, const uint64_t *store)
{
    volatile void *p = phys_ptr(pa);
    uint64_t old = 0;
    switch (size) {
    case 1: old = *(volatile uint8_t *)p; if (store) *(volatile uint8_t *)p = (uint8_t)*store; break;
    case 2: old = *(volatile uint16_t *)p; if (store) *(volatile uint16_t *)p = (uint16_t)*store; break;
    case 4: old = *(volatile uint32_t *)p; if (store) *(volatile uint32_t *)p = (uint32_t)*store; break;
    default: old = *(volatile uint64_t *)p; if (store) *(volatile uint64_t *)p = *store; break;
    }
    return old;
}

/* A register written with an operand of size bytes: 1 and 2 merge into
 * the old value, 4 zero-extends, 8 replaces (SDM Vol. 1, 3.4.1.1). */
static void set_sized(struct vcpu *v, unsigned reg, unsigned size, uint64_t val)
{
    uint64_t old = vcpu_get_gpr(v, reg);
    if (size < 4) {
        uint64_t m = (1ull << (8 * size)) - 1;
        val = (old & ~m) | (val & m);
    } else if (size == 4) {
        val = (uint32_t)val;
    }
    vcpu_set_gpr(v, reg, val);
}

void mmio_store_physical(struct vcpu *v, uint64_t gpa, const struct mmio_store *st)
{
    uint64_t val = store_value(v, st);
    mmio_physical_stores++;
    if (!st->is_string) {
        uint64_t old = phys_access(gpa, st->size, st->is_xchg ? 0 : &val);
        if (st->is_xchg) {
            phys_access(gpa, st->size, &val);
            if (st->high_byte)      /* AH-BH: bits 15:8 of the register */
                vcpu_set_gpr(v, st->reg - 4u, (vcpu_get_gpr(v, st->reg - 4u) & ~0xFF00ull) | (old << 8));
            else
                set_sized(v, st->reg, st->size, old);
        }
        vcpu_advance(v, st->len);
        return;
    }
    /* STOS (SDM Vol. 2B): ES:[rDI] := rAX, rDI moves by size (down when
     * RFLAGS.DF); with REP, rCX times. gpa is rDI's element: the ones up
     * to the end of its page are done now. */
    uint64_t mask = st->addr_size == 8 ? ~0ull : (1ull << (8 * st->addr_size)) - 1;
    uint64_t rdi = vcpu_get_gpr(v, 7), rcx = vcpu_get_gpr(v, 1);
    bool down = virt.get_reg(v, VREG_RFLAGS) & (1u << 10);
    unsigned off = (unsigned)(gpa & (PAGE_SIZE - 1));
    uint64_t in_page = down ? off / st->size + 1 : (PAGE_SIZE - off + st->size - 1) / st->size;
    uint64_t count = st->rep ? rcx & mask : 1;
    uint64_t k = count < in_page ? count : in_page;
    for (uint64_t i = 0; i < k; i++)
        phys_access(down ? gpa - i * st->size : gpa + i * st->size, st->size, &val);
    uint64_t step = k * st->size;
    rdi = (rdi & ~mask) | ((down ? rdi - step : rdi + step) & mask);
    if (st->addr_size == 4)
        rdi = (uint32_t)rdi;    /* a 32-bit address register zero-extends */
    vcpu_set_gpr(v, 7, rdi);
    if (st->rep) {
        rcx = (rcx & ~mask) | ((rcx - k) & mask);
        if (st->addr_size == 4)
            rcx = (uint32_t)rcx;
        vcpu_set_gpr(v, 1, rcx);
        if (rcx & mask)
            return;             /* the rest after the next exit: RIP stays */
    }
    vcpu_advance(v, st->len);
}

void mmio_store_done(struct vcpu *v, const struct mmio_store *st, uint32_t old)
{
    if (st->is_xchg)    /* the register gets the old value; the upper half is cleared */
        vcpu_set_gpr(v, st->reg, old);
    vcpu_advance(v, st->len);
}
