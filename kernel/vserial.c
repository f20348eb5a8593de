/*
 * vserial.c - the guest's COM1 and the route of its interrupt; see
 * vserial.h.
 */
#include "vserial.h"

#include "console.h"
#include "event.h"
#include "insn_decode.h"
#include "iobus.h"
#include "irqchip.h"
#include "mem.h"
#include "printk.h"
#include "spinlock.h"
#include "vapic.h"
#include "vuart.h"
#include "x86.h"
#include "x86_regs.h"
#include "../drivers/acpi.h"
#include "../drivers/lapic.h"
#include "../drivers/uart.h"
#include "../ept/guest_ept.h"

#define NO_PAGE 1ull            /* vserial_ioapic_page when there is none */

/* The UART and its receive queue, under uart_lock (any vCPU's core does
 * register accesses, the console core receives). */
static struct spinlock uart_lock;
static struct vuart uart = { .dll = 1, .lcr = 3, .msr_in = 0xB0 };
static uint8_t queue[VSERIAL_QUEUE];
static unsigned q_head, q_count;

/* The interrupt controllers as the guest programmed them, under chip_lock. */
static struct spinlock chip_lock;
static struct ioapic_shadow ioapic;
static struct pic_track pic;
static uint64_t ioapic_base = NO_PAGE;
static uint16_t uart_port;              /* the console UART's base, the guest's COM1 */
static uint32_t gsi, pin = IOAPIC_PINS;     /* pin IOAPIC_PINS: no I/O APIC route */

/* A PIC vector waiting for the boot vCPU (0: none; vectors 0-31 are
 * exceptions, which a PIC base never yields). */
static volatile uint32_t pic_pending;

/* The devices it puts on the guest's buses (kernel/iobus.h), below. */
static const struct io_device uart_dev, pic_dev;
static const struct mmio_device ioapic_dev;

static struct {
    uint64_t dropped;           /* typed bytes beyond the queue */
    uint64_t lapic, pic, masked, windows;
} st;

/* A byte the guest sent: on the wire as it is, as a real UART does (the
 * guest's own line discipline adds its '\r's), between the hypervisor's
 * lines, never inside one (the print lock; uart_lock is taken first). */
static void uart_tx(void *ctx, uint8_t byte)
{
    (void)ctx;
    print_begin();
    uart_putc((char)byte);
    print_end();
}

/* Move queued bytes into the FIFO while it has room (uart_lock held). */
static void refill(void)
{
    while (q_count && vuart_receive(&uart, queue[q_head])) {
        q_head = (q_head + 1) % VSERIAL_QUEUE;
        q_count--;
    }
}

static uint32_t ioapic_read(unsigned reg)
{
    *(volatile uint32_t *)phys_ptr(ioapic_base + IOAPIC_REGSEL) = reg;
    return *(volatile uint32_t *)phys_ptr(ioapic_base + IOAPIC_WIN);
}

int vserial_init(uint16_t port)
{
    const struct acpi_info *a = acpi();
    uart_port = port;
    iobus_register(port, 8, &uart_dev);
    iobus_register(0x20, 2, &pic_dev);
    iobus_register(0xA0, 2, &pic_dev);
    ioapic_shadow_reset(&ioapic);
    pic_track_reset(&pic);
    console_set_guest_input(vserial_rx);
    gsi = acpi_isa_gsi(a, VSERIAL_ISA_IRQ);
    const struct acpi_ioapic *io = acpi_ioapic_for_gsi(a, gsi);
    if (!io)
        return 0;               /* PIC only */
    ioapic_base = io->address;
    /* The RTE as firmware left it, before the guest runs (82093AA 3.2.4). */
    unsigned max = (ioapic_read(IOAPIC_REG_VER) >> 16) & 0xFF;
    if (gsi - io->gsi_base <= max && gsi - io->gsi_base < IOAPIC_PINS) {
        pin = gsi - io->gsi_base;
        ioapic.rte[pin] = ioapic_read(IOAPIC_REG_RTE0 + 2 * pin) |
                          (uint64_t)ioapic_read(IOAPIC_REG_RTE0 + 2 * pin + 1) << 32;
    }
    mmio_register(ioapic_base, &ioapic_dev);
    return guest_ept_map_page(ioapic_base, EPT_READ);
}

/* The route of IRQ 4 now (chip_lock taken here). */
static struct irq_route route(void)
{
    spin_lock(&chip_lock);
    struct irq_route r = irq_route_decide(pin < IOAPIC_PINS ? &ioapic : 0, pin, &pic, VSERIAL_ISA_IRQ);
    spin_unlock(&chip_lock);
    return r;
}

/* The UART's interrupt output rose (or a masked one was unmasked while
 * it is up): deliver it where the guest routes IRQ 4. */
static void deliver(void)
{
    struct irq_route r = route();
    struct vcpu *boot = vcpu_boot();
    switch (r.kind) {
    case IRQ_ROUTE_LAPIC:
        /* The same send as the hypervisor's own IPIs: xAPIC or x2APIC, the
         * guest's ICR high half put back (drivers/lapic.c). */
        lapic_send_ipi(r.dest, r.icr_low);
        __atomic_add_fetch(&st.lapic, 1, __ATOMIC_RELAXED);
        return;
    case IRQ_ROUTE_PIC:
        if (!boot)
            return;
        __atomic_store_n(&pic_pending, r.vector, __ATOMIC_SEQ_CST);
        __atomic_add_fetch(&st.pic, 1, __ATOMIC_RELAXED);
        /* Event injection is a VMCS field: only the boot vCPU's own core
         * writes it. */
        if (boot->cpu == this_cpu())
            vserial_inject(boot);
        else
            vcpu_request(boot, VCPU_REQ_INTR);
        return;
    case IRQ_ROUTE_NONE:
        __atomic_add_fetch(&st.masked, 1, __ATOMIC_RELAXED);
        return;
    }
}

void vserial_inject(struct vcpu *v)
{
    uint32_t vec = __atomic_load_n(&pic_pending, __ATOMIC_SEQ_CST);
    bool window = false;
    if (vec && v->mp_state == MP_RUNNABLE) {
        if (virt.intr_ready(v) && __atomic_compare_exchange_n(&pic_pending, &vec, 0, false,
                                                               __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
            virt.inject(v, EVENT_VALID | EVENT_TYPE_EXTERNAL << 8 | vec, 0);
        else
            window = true;
    }
    if (virt.intr_window(v, window))
        st.windows++;
}

void vserial_reset(void)
{
    spin_lock(&uart_lock);
    vuart_reset(&uart);
    q_head = q_count = 0;
    spin_unlock(&uart_lock);
    __atomic_store_n(&pic_pending, 0, __ATOMIC_SEQ_CST);
}


void vserial_rx(uint8_t byte)
{
    spin_lock(&uart_lock);
    if (q_count < VSERIAL_QUEUE) {
        queue[(q_head + q_count) % VSERIAL_QUEUE] = byte;
        q_count++;
    } else {
        st.dropped++;
    }
    refill();
    bool edge = vuart_take_edge(&uart);
    spin_unlock(&uart_lock);
    if (edge)
        deliver();
}

/* A controller change may open the way for an interrupt that could not
 * be delivered: the output is a level, so if it is still up, deliver. */
static void recheck(void)
{
    spin_lock(&uart_lock);
    bool up = vuart_irq(&uart);
    spin_unlock(&uart_lock);
    if (up && route().kind != IRQ_ROUTE_NONE && !__atomic_load_n(&pic_pending, __ATOMIC_SEQ_CST))
        deliver();
}

/* A guest store to the I/O APIC's page (read-only in the second-level
 * map): done on the hardware and watched. */
static enum exit_action ioapic_store(struct vcpu *v, uint64_t gpa)
{
    struct mmio_store ms;
    uint32_t val;
    enum exit_action a;
    unsigned off = (unsigned)(gpa & (PAGE_SIZE - 1));
    if (!mmio_decode(v, gpa, "I/O APIC", &ms, &a))
        return a;
    if (!mmio_plain32(v, gpa, &ms, &val)) {
        /* The I/O APIC takes aligned 32-bit accesses: another store goes
         * to it as written (the shadow does not follow it). */
        mmio_store_physical(v, gpa, &ms);
        return EXIT_RESUME;
    }
    volatile uint32_t *reg = (volatile uint32_t *)phys_ptr(ioapic_base + off);
    spin_lock(&chip_lock);
    uint32_t old = ms.is_xchg ? *reg : 0;
    *reg = val;
    int changed = ioapic_shadow_write(&ioapic, off, val);
    spin_unlock(&chip_lock);
    mmio_store_done(v, &ms, old);
    if (changed >= 0 && (unsigned)changed == pin)
        recheck();
    return EXIT_RESUME;
}

/* The devices on the buses (kernel/iobus.h): the UART's eight registers,
 * byte by byte and light; the 8259A's ports, whose writes are done on the
 * hardware and watched; the I/O APIC's page. */
static uint32_t uart_in(struct vcpu *v, uint16_t port, unsigned size)
{
    (void)v, (void)size;
    unsigned reg = (unsigned)(port - uart_port);
    spin_lock(&uart_lock);
    uint8_t val = vuart_read(&uart, reg);
    if (reg == 0)
        refill();               /* RBR read: room for the next queued byte */
    bool edge = vuart_take_edge(&uart);
    spin_unlock(&uart_lock);
    if (edge)
        deliver();
    return val;
}

static enum exit_action uart_out(struct vcpu *v, uint16_t port, unsigned size, uint32_t val)
{
    (void)v, (void)size;
    spin_lock(&uart_lock);
    vuart_write(&uart, (unsigned)(port - uart_port), (uint8_t)val, uart_tx, 0);
    refill();                   /* FCR or MCR may have made room */
    bool edge = vuart_take_edge(&uart);
    spin_unlock(&uart_lock);
    if (edge)
        deliver();
    return EXIT_RESUME;
}

static enum exit_action pic_out(struct vcpu *v, uint16_t port, unsigned size, uint32_t val)
{
    (void)v, (void)size;
    spin_lock(&chip_lock);
    outb(port, (uint8_t)val);
    bool changed = pic_track_write(&pic, port, (uint8_t)val);
    spin_unlock(&chip_lock);
    if (changed)
        recheck();
    return EXIT_RESUME;
}

static const struct io_device uart_dev = { .name = "uart", .light = true, .in = uart_in, .out = uart_out };

static uint32_t held_in(struct vcpu *v, uint16_t port, unsigned size)
{
    (void)v, (void)port, (void)size;
    return 0xFF;
}

static enum exit_action held_out(struct vcpu *v, uint16_t port, unsigned size, uint32_t val)
{
    (void)v, (void)port, (void)size, (void)val;
    return EXIT_RESUME;
}

static const struct io_device held_dev[] = {
    [HELD_CONSOLE] = { .name = "console-uart", .in = held_in, .out = held_out },
    [HELD_GDB] = { .name = "gdb-uart", .in = held_in, .out = held_out },
};

void vserial_hold_ports(uint16_t first, enum held_uart whose)
{
    iobus_register(first, 8, &held_dev[whose]);
}
static const struct io_device pic_dev = { .name = "pic", .out = pic_out };
static const struct mmio_device ioapic_dev = { .name = "ioapic", .store = ioapic_store };

static void cmd_serial(int argc, char **argv)
{
    (void)argv;
    if (argc != 1) {
        kprintf("error: usage: serial\n");
        return;
    }
    spin_lock(&uart_lock);
    struct vuart u = uart;
    unsigned queued = q_count;
    spin_unlock(&uart_lock);
    spin_lock(&chip_lock);
    uint64_t rte = pin < IOAPIC_PINS ? ioapic.rte[pin] : 0;
    struct pic_chip m = pic.chip[0];
    spin_unlock(&chip_lock);
    struct irq_route r = route();
    static const char *const via[] = { "none", "ioapic", "pic" };
    print_begin();
    kprintf("serial mode=%s ier=%#x lcr=%#x mcr=%#x fcr=%#x irq=%d rx_fifo=%u queued=%u rx=%llu "
            "tx=%llu overruns=%llu dropped=%llu edges=%llu\n",
            console_guest_mode() ? "guest" : "monitor", u.ier, u.lcr, u.mcr, u.fcr, u.irq,
            u.rx_count, queued, (unsigned long long)u.rx_bytes, (unsigned long long)u.tx_bytes,
            (unsigned long long)u.overruns, (unsigned long long)st.dropped,
            (unsigned long long)u.edges);
    kprintf("serial.route irq=%u gsi=%u ioapic=%#llx pin=%d rte=%#llx pic_init=%d pic_base=%#x "
            "pic_imr=%#x via=%s vector=%#x\n",
            VSERIAL_ISA_IRQ, gsi, (unsigned long long)(ioapic_base == NO_PAGE ? 0 : ioapic_base),
            pin < IOAPIC_PINS ? (int)pin : -1, (unsigned long long)rte, m.initialized, m.base, m.imr,
            via[r.kind], r.kind == IRQ_ROUTE_NONE ? 0 : r.vector);
    kprintf("serial.irqs ioapic=%llu pic=%llu masked=%llu windows=%llu\n",
            (unsigned long long)st.lapic, (unsigned long long)st.pic,
            (unsigned long long)st.masked, (unsigned long long)st.windows);
    print_end();
}
CONSOLE_COMMAND(serial, "serial", "serial",
                "the guest's COM1: console mode, registers, FIFO and queue, counters; the route "
                "of its IRQ 4 (I/O APIC RTE, PIC) and the interrupts delivered",
                cmd_serial);
