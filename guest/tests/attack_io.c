/*
 * attack_io.c - hostile port I/O: the console UART's ports (a virtual
 * 16550 under monovisor, on the same wire as the console), the reset and
 * power ports, and accesses wider than a byte that reach them from the
 * port below. None may reach the real UART, reset the machine or break
 * the console.
 *
 *   uart   reprogram the divisor latch, line control, interrupts, FIFOs
 *          and modem control, then print a line: it must come out whole
 *          (the real UART keeps its settings); word accesses at 0x3F7 and
 *          0x3FE reach the virtual registers byte by byte; the guest polls
 *          the receive register while the operator types a command: the
 *          guest sees nothing, the console gets every byte (the test types
 *          `cpuid -sse4_2`, which ends the polling).
 *   reset  0xCF9 writes without the reset bit are ignored; keyboard
 *          controller commands other than 0xFE reach the controller (its
 *          command byte comes back), also through a word write at 0x63.
 *
 * After "N passed, N failed" the guest writes 0x01FE to port 0x64 (a word:
 * 0xFE to the keyboard controller): the guest, not the machine, must be
 * reset. Started again, it finds its mark in low memory and does string
 * I/O to the UART, which monovisor stops with a message (not emulated);
 * the console must stay.
 */
#include "../sdk/sdk.h"

#define COM1 0x3F8
#define MARK ((volatile uint32_t *)0x8000)     /* survives the guest reset */
#define MARK_RESET 0x52535431u                  /* "RST1" */

static void uart_defaults(void)
{
    outb(COM1 + 3, 0x80);
    outb(COM1 + 0, 0x01);       /* 115200 */
    outb(COM1 + 1, 0x00);
    outb(COM1 + 3, 0x03);       /* 8N1 */
    outb(COM1 + 1, 0x00);
    outb(COM1 + 2, 0x07);
    outb(COM1 + 4, 0x03);
}

static void uart_reprogrammed(void)
{
    outb(COM1 + 3, 0x80);       /* DLAB */
    outb(COM1 + 0, 0x0C);       /* 9600 baud */
    outb(COM1 + 1, 0x00);
    uint8_t dll = inb(COM1), dlm = inb(COM1 + 1);
    outb(COM1 + 3, 0x1F);       /* 8 bits, even parity, 2 stop bits */
    outb(COM1 + 1, 0x0F);       /* every interrupt */
    outb(COM1 + 2, 0x00);       /* FIFOs off */
    outb(COM1 + 4, 0x00);       /* DTR, RTS off */
    uint8_t lcr = inb(COM1 + 3), ier = inb(COM1 + 1);
    sdk_checkf(dll == 0x0C && dlm == 0 && lcr == 0x1F && ier == 0x0F,
               "virtual uart keeps the guest's settings: dll=%#x dlm=%#x lcr=%#x ier=%#x", dll, dlm, lcr,
               ier);
    sdk_puts("attack_io: line printed at 9600 8E2 without FIFOs: 0123456789 ABCDEF abcdef ~!@#$%^&*()\n");
    sdk_checkf(inb(COM1 + 5) & 0x20, "virtual uart still ready to send after the line");
    uart_defaults();
}

static void uart_wide_accesses(void)
{
    outb(COM1 + 3, 0x80);
    outw(COM1 - 1, 0x4200);     /* 0x3F7 <- 0x00, divisor latch low <- 0x42 */
    uint8_t dll = inb(COM1);
    uint16_t w = inw(COM1 - 1);
    outb(COM1 + 3, 0x03);
    sdk_checkf(dll == 0x42, "word write at 0x3f7 sets the virtual divisor latch to 0x42 (got %#x)", dll);
    sdk_checkf((w >> 8) == 0x42, "word read at 0x3f7 reads the virtual divisor latch (got %#x)", w);
    outw(COM1 + 6, 0xA55A);     /* modem status (read-only) <- 0x5A, scratch <- 0xA5 */
    uint8_t scr = inb(COM1 + 7);
    sdk_checkf(scr == 0xA5, "word write at 0x3fe sets the virtual scratch register (got %#x)", scr);
    uart_defaults();
}

/* Poll the receive side while the operator types `cpuid -sse4_2` on the
 * console: the polling ends when the console applied it. */
static void uart_receive_while_typing(void)
{
    sdk_tsc_calibrate();
    sdk_puts("attack_io: polling the receive register; type now\n");
    uint64_t end = sdk_rdtsc() + 60ull * 1000000 * sdk_tsc_mhz;
    unsigned ready = 0, data = 0, n = 0;
    bool hidden = false;
    while (!hidden && sdk_rdtsc() < end) {
        ready += inb(COM1 + 5) & 1;
        data += inb(COM1) != 0;
        if (++n % 64 == 0)
            hidden = !(sdk_cpuid(1, 0).ecx & (1u << 20));
    }
    sdk_checkf(hidden, "the console got the command typed while the guest polled (%u polls)", n);
    sdk_checkf(!ready && !data, "no typed byte reached the guest (data ready %u times, data %u times)", ready,
               data);
}

static bool kbc_output(uint8_t *val)
{
    for (unsigned i = 0; i < 100000; i++) {
        if (inb(0x64) & 1) {
            *val = inb(0x60);
            return true;
        }
    }
    return false;
}

static void reset_ports(void)
{
    outb(0xCF9, 0x02);          /* picks a hard reset, does not do it */
    sdk_check(true, "0xcf9 <- 0x02 (no reset bit) ignored");
    outb(0xCF9, 0x08);          /* full reset select, no reset bit */
    sdk_check(true, "0xcf9 <- 0x08 (no reset bit) ignored");
    outw(0xCF9, 0x0400);        /* 0xCF9 <- 0x00, 0xCFA <- 0x04 */
    sdk_check(true, "0xcf9 <- word 0x0400 (the reset bit lands in 0xcfa) ignored");

    uint8_t junk, cmd = 0, cmd2 = 0;
    while (kbc_output(&junk))
        ;
    outb(0x64, 0x20);           /* read the command byte */
    bool got = kbc_output(&cmd);
    sdk_checkf(got, "keyboard controller command 0x20 reaches the controller (command byte %#x)", cmd);
    outw(0x63, 0x2000);         /* 0x63 <- 0x00, 0x64 <- 0x20 */
    got = kbc_output(&cmd2);
    sdk_checkf(got && cmd2 == cmd, "word write at 0x63 gives the controller command 0x20 (command byte %#x)",
               cmd2);
}

static void string_io(void)
{
    static const char s[] = "OUTS";
    const char *p = s;
    uint32_t n = 4;
    sdk_puts("attack_io: string I/O to the UART next\n");
    __asm__ volatile("rep outsb" : "+S"(p), "+c"(n) : "d"(COM1) : "memory");
    sdk_puts("attack_io: string I/O went through\n");
    sdk_exit(1);
}

int main(void)
{
    if (*MARK == MARK_RESET) {
        *MARK = 0;
        sdk_puts("attack_io: started again by the guest reset\n");
        string_io();
    }
    sdk_puts("attack_io: start\n");
    uart_reprogrammed();
    uart_wide_accesses();
    uart_receive_while_typing();
    reset_ports();
    sdk_summary();
    *MARK = MARK_RESET;
    sdk_puts("attack_io: word 0x01fe to port 0x64 next\n");
    outw(0x64, 0x01FE);         /* 0x64 <- 0xFE: pulse the reset line */
    for (unsigned i = 0; i < 1000000; i++)
        __asm__ volatile("pause");
    *MARK = 0;
    sdk_puts("attack_io: still running after the reset pulse\n");
    return 1;
}
