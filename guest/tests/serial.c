/*
 * serial.c - drives COM1 the way Linux's 8250 driver does, with
 * interrupts: probes the UART (the scratch IER test, the loopback test,
 * FIFO detection, the THRE re-assert test of serial8250_startup), routes
 * IRQ 4 through the I/O APIC (irq=ioapic, the default: the RTE of the
 * GSI the MADT gives ISA IRQ 4, fixed delivery to this CPU, vector 0x41)
 * or the 8259A (irq=pic: ICW1-ICW4 with base 0x20, everything but IRQ 4
 * masked), enables the receive and line-status interrupts and echoes each
 * typed line back upper-cased ("echo: LINE", control bytes as ^X) with
 * interrupt-driven transmit (THRE interrupts feed the FIFO from a ring).
 * After each line it prints its interrupt counters; the line "exit" ends
 * it with a summary.
 *
 * Register names: PC16550D datasheet, table 2.
 */
#include "../sdk/sdk.h"
#include "../../drivers/acpi_tables.h"
#include "../../kernel/fmt.h"
#include "../../kernel/kstring.h"

#define COM1    0x3F8
#define RBR     0
#define THR     0
#define IER     1
#define IIR     2
#define FCR     2
#define LCR     3
#define MCR     4
#define LSR     5
#define MSR     6
#define SCR     7
#define IER_RDI  0x01
#define IER_THRI 0x02
#define IER_RLSI 0x04
#define LSR_DR   0x01
#define LSR_THRE 0x20

#define IOAPIC_VECTOR 0x41
#define PIC_BASE      0x20
#define SPURIOUS      0xFF
#define APIC_EOI      0x0B0

static bool use_pic;
static volatile uint32_t *ioapic;
static uint8_t vector;
static struct acpi_info acpi;

static volatile unsigned rx_irqs, thre_irqs, lsr_irqs, other_irqs, spurious_irqs;
static uint8_t ier;

/* The typed line, filled by the interrupt handler. */
static char line[128];
static volatile unsigned line_len;
static volatile bool line_done;

/* Transmit ring, drained by THRE interrupts. */
static char ring[512];
static volatile unsigned ring_head, ring_tail;

static void ier_set(uint8_t v)
{
    ier = v;
    outb(COM1 + IER, v);
}

/* ---- the interrupt handler --------------------------------------------- */

static void rx_bytes(void)
{
    while (inb(COM1 + LSR) & LSR_DR) {
        char c = (char)inb(COM1 + RBR);
        if (line_done)
            continue;       /* the last line is not taken yet */
        if (c == '\r' || c == '\n') {
            line_done = line_len > 0;
            continue;
        }
        if (line_len < sizeof(line) - 1)
            line[line_len++] = c;
    }
}

/* THRE: up to 16 bytes (the FIFO) from the ring; none left: THRI off, as
 * Linux's __stop_tx does. */
static void tx_bytes(void)
{
    for (unsigned n = 0; n < 16 && ring_tail != ring_head; n++) {
        outb(COM1 + THR, (uint8_t)ring[ring_tail % sizeof(ring)]);
        ring_tail++;
    }
    if (ring_tail == ring_head)
        ier_set(ier & ~IER_THRI);
}

/* The handlers' entries (sdk.h): registers saved, the C function, IRET. */
SDK_IRQ_STUB(serial_isr, serial_irq);
SDK_IRQ_STUB(spurious_isr, serial_spurious);

void serial_irq(void)
{
    /* As serial8250_handle_irq loops: until IIR says nothing is pending. */
    for (unsigned pass = 0; pass < 64; pass++) {
        uint8_t iir = inb(COM1 + IIR);
        if (iir & 1)
            break;
        switch (iir & 0x0E) {
        case 0x06:
            lsr_irqs++;
            inb(COM1 + LSR);
            break;
        case 0x04:
        case 0x0C:
            rx_irqs++;
            rx_bytes();
            break;
        case 0x02:
            thre_irqs++;
            tx_bytes();
            break;
        default:
            other_irqs++;
            inb(COM1 + MSR);
            break;
        }
    }
    if (use_pic)
        outb(0x20, 0x20);               /* non-specific EOI (OCW2) */
    else
        sdk_apic_write(APIC_EOI, 0);
}

void serial_spurious(void)
{
    spurious_irqs++;                    /* no EOI for the spurious vector (12.9) */
}

/* ---- probing, as drivers/tty/serial/8250/8250_port.c does ----------------- */

static void probe(void)
{
    uint8_t save = inb(COM1 + IER);
    outb(COM1 + IER, 0);
    uint8_t s2 = inb(COM1 + IER) & 0x0F;
    outb(COM1 + IER, 0x0F);
    uint8_t s3 = inb(COM1 + IER) & 0x0F;
    outb(COM1 + IER, save);
    sdk_checkf(s2 == 0 && s3 == 0x0F, "probe: IER scratch test (%#x %#x)", s2, s3);

    outb(COM1 + SCR, 0x5A);
    sdk_check(inb(COM1 + SCR) == 0x5A, "probe: scratch register");

    uint8_t save_mcr = inb(COM1 + MCR);
    outb(COM1 + MCR, 0x10 | 0x0A);                  /* loopback, RTS, OUT2 */
    uint8_t msr = inb(COM1 + MSR) & 0xF0;
    outb(COM1 + MCR, save_mcr);
    sdk_checkf(msr == 0x90, "probe: loopback MSR=%#x (CTS, DCD)", msr);

    outb(COM1 + LCR, 0xBF);
    outb(COM1 + FCR, 0);
    outb(COM1 + LCR, 0);
    outb(COM1 + FCR, 0x01);
    uint8_t kind = inb(COM1 + IIR) >> 6;
    sdk_checkf(kind == 3, "probe: FIFO detection IIR>>6=%u (16550A)", kind);

    /* Loopback: a byte written comes back through RBR. */
    outb(COM1 + FCR, 0x07);
    outb(COM1 + MCR, 0x10);
    outb(COM1 + THR, 0xA5);
    uint8_t lsr = inb(COM1 + LSR), back = inb(COM1 + RBR);
    outb(COM1 + MCR, save_mcr);
    sdk_checkf((lsr & LSR_DR) && back == 0xA5, "probe: loopback byte (%#x)", back);

    /* serial8250_startup's THRE re-assert test. */
    outb(COM1 + IER, IER_THRI);
    uint8_t iir1 = inb(COM1 + IIR);
    outb(COM1 + IER, 0);
    outb(COM1 + IER, IER_THRI);
    uint8_t iir2 = inb(COM1 + IIR);
    outb(COM1 + IER, 0);
    sdk_checkf(!(iir1 & 1) && !(iir2 & 1), "probe: THRE re-asserts (IIR %#x %#x)", iir1, iir2);
}

/* ---- interrupt routing ---------------------------------------------------- */

static void ioapic_write(unsigned reg, uint32_t val)
{
    ioapic[0] = reg;                    /* IOREGSEL */
    ioapic[4] = val;                    /* IOWIN (offset 0x10) */
}

static uint32_t ioapic_read(unsigned reg)
{
    ioapic[0] = reg;
    return ioapic[4];
}

/* ICW1 (edge, cascade, ICW4), ICW2 (base), ICW3, ICW4 (8086 mode); then
 * masks: only IRQ 4 when the PIC is the route, else everything. */
static void pic_init(bool route)
{
    outb(0x20, 0x11);
    outb(0x21, PIC_BASE);
    outb(0x21, 0x04);
    outb(0x21, 0x01);
    outb(0xA0, 0x11);
    outb(0xA1, PIC_BASE + 8);
    outb(0xA1, 0x02);
    outb(0xA1, 0x01);
    outb(0x21, route ? (uint8_t)~(1u << 4) : 0xFF);
    outb(0xA1, 0xFF);
}

static bool route_irq(void)
{
    char err[96];
    size_t rsdp_len = 0;
    const void *rsdp = sdk_find_rsdp(&rsdp_len);
    if (acpi_parse(rsdp, rsdp_len, sdk_phys_map, 0, 0, &acpi, err, sizeof(err)) || !acpi.have_madt) {
        sdk_printf("serial: no MADT: %s\n", err);
        return false;
    }
    if (acpi.lapic_base && acpi.lapic_base < (1ull << 32))
        sdk_lapic_base = (uint32_t)acpi.lapic_base;
    uint32_t gsi = acpi_isa_gsi(&acpi, 4);
    const struct acpi_ioapic *io = acpi_ioapic_for_gsi(&acpi, gsi);
    if (!io && !use_pic) {
        sdk_printf("serial: no I/O APIC in the MADT\n");
        return false;
    }
    unsigned pin = io ? gsi - io->gsi_base : 0;
    if (io)
        ioapic = (volatile uint32_t *)(uintptr_t)io->address;
    uint32_t self = sdk_cpuid(1, 0).ebx >> 24;
    sdk_apic_enable();
    pic_init(use_pic);
    if (use_pic) {
        vector = PIC_BASE + 4;
        if (io)
            ioapic_write(0x10 + 2 * pin, 1u << 16);     /* masked */
    } else {
        vector = IOAPIC_VECTOR;
        /* High half first (destination: this CPU), then the low half:
         * fixed, physical, active high, edge, unmasked (82093AA 3.2.4). */
        ioapic_write(0x11 + 2 * pin, self << 24);
        ioapic_write(0x10 + 2 * pin, vector);
        uint32_t lo = ioapic_read(0x10 + 2 * pin);
        sdk_checkf((lo & 0x100FF) == vector, "route: RTE %u reads back %#x", pin, lo);
    }
    sdk_printf("serial: route=%s gsi=%u pin=%u ioapic=%#x vector=%#x apic_id=%u\n",
               use_pic ? "pic" : "ioapic", gsi, pin, io ? io->address : 0, vector, self);
    return true;
}

/* ---- main ------------------------------------------------------------------ */

static void queue_byte(char c)
{
    while (ring_head - ring_tail >= sizeof(ring))
        __asm__ volatile("pause");
    ring[ring_head % sizeof(ring)] = c;
    ring_head++;
}

static void queue_str(const char *s)
{
    while (*s)
        queue_byte(*s++);
}

static bool line_ready(void)
{
    return line_done;
}

static bool tx_idle(void)
{
    return ring_tail == ring_head && !(ier & IER_THRI);
}

/* Sleep until done() holds; returns with interrupts off. The check runs
 * with interrupts off and STI's one-instruction shadow covers the HLT, so
 * no interrupt slips in between the check and the sleep. */
static void wait_for(bool (*done)(void))
{
    for (;;) {
        __asm__ volatile("cli");
        if (done())
            return;
        __asm__ volatile("sti; hlt");
    }
}

/* Start interrupt-driven transmit: THRI on raises THRE at once. */
static void kick_tx(void)
{
    __asm__ volatile("cli");
    if (!(ier & IER_THRI))
        ier_set(ier | IER_THRI);
    __asm__ volatile("sti");
}

static void counters(const char *what)
{
    sdk_printf("serial: %s rx_irqs=%u thre_irqs=%u lsr_irqs=%u other_irqs=%u spurious=%u\n", what,
               rx_irqs, thre_irqs, lsr_irqs, other_irqs, spurious_irqs);
}

int main(void)
{
    use_pic = sdk_arg_is("irq", "pic");
    probe();
    if (!route_irq())
        sdk_finish();
    sdk_set_irq_gate(vector, serial_isr);
    sdk_set_irq_gate(SPURIOUS, spurious_isr);

    /* serial8250_do_startup: 8N1, clear the FIFOs, DTR | RTS | OUT2,
     * then the receive and line-status interrupts. */
    outb(COM1 + LCR, 0x03);
    outb(COM1 + FCR, 0x07);
    inb(COM1 + LSR);
    inb(COM1 + RBR);
    inb(COM1 + IIR);
    inb(COM1 + MSR);
    outb(COM1 + MCR, 0x0B);
    ier_set(IER_RDI | IER_RLSI);
    sdk_printf("serial: ready, type a line (\"exit\" ends)\n");
    __asm__ volatile("sti");

    for (unsigned lines = 0;;) {
        wait_for(line_ready);
        char buf[sizeof(line)];
        unsigned n = line_len;
        memcpy(buf, line, n);
        buf[n] = 0;
        line_len = 0;
        line_done = false;
        __asm__ volatile("sti");
        if (!strcmp(buf, "exit"))
            break;
        lines++;
        queue_str("echo: ");
        for (unsigned i = 0; i < n; i++) {
            char c = buf[i];
            if ((uint8_t)c < 0x20) {
                queue_byte('^');
                queue_byte((char)(c + '@'));
            } else {
                queue_byte(c >= 'a' && c <= 'z' ? (char)(c - 32) : c);
            }
        }
        queue_str("\r\n");
        kick_tx();
        wait_for(tx_idle);
        __asm__ volatile("sti");
        char what[32];
        fmt_snprintf(what, sizeof(what), "line=%u", lines);
        counters(what);
    }
    counters("done");
    sdk_check(rx_irqs > 0, "interrupt-driven receive");
    sdk_check(thre_irqs > 0, "interrupt-driven transmit");
    sdk_finish();
}
