// covers: kernel/vuart.c
/*
 * fuzz_vuart.c - the virtual 16550A (kernel/vuart.c) driven by a guest that
 * does arbitrary register accesses while bytes arrive from the wire. Each
 * operation is two input bytes: the first says what (bit 7 set: a write
 * of register byte&0x7F, passed whole so that "reg & 7" is exercised;
 * bits 7:6 = 01: a byte from the wire; else a read), the second the value.
 *
 * Checks: transmitted bytes are counted exactly (tx_bytes equals the tx
 * callbacks, and loopback transmits nothing); the FIFO never holds more
 * than 16 bytes (1 with FIFOs off) and a byte is taken from the wire
 * exactly when there is room outside loopback; RBR hands bytes back in
 * the order they came; LSR always shows the transmitter empty and DR
 * exactly when a byte waits; IIR bits 7:6 follow FCR bit 0 and its low
 * bits are one of the 16550's five codes; the interrupt output is never
 * up without OUT2 or in loopback, and every rise is latched as an edge;
 * the scratch register reads back what was written; IER and MCR keep
 * their reserved bits clear.
 */
#include <stddef.h>
#include <stdint.h>

#include "../../kernel/vuart.h"

static void count_tx(void *ctx, uint8_t byte)
{
    (void)byte;
    ++*(uint64_t *)ctx;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct vuart u;
    uint64_t sent = 0;
    int scr_written = -1;
    /* A model of the FIFO's contents: what went in, in order. */
    uint8_t model[VUART_FIFO];
    unsigned mhead = 0, mcount = 0;

    vuart_reset(&u);
    for (size_t i = 0; i + 1 < size; i += 2) {
        unsigned reg = data[i] & 0x7F;
        uint8_t val = data[i + 1];
        bool irq_before = vuart_irq(&u);
        uint64_t edges_before = u.edges;
        unsigned cap = (u.fcr & 1) ? VUART_FIFO : 1;
        if (data[i] & 0x80) {
            bool loop = u.mcr & 0x10, dlab = u.lcr & 0x80;
            uint64_t before = sent;
            uint8_t old_fcr = u.fcr;
            vuart_write(&u, reg, val, count_tx, &sent);
            if ((reg & 7) == 0 && !dlab) {
                /* THR: sent once, or in loopback received instead. */
                if (sent != before + !loop)
                    __builtin_trap();
                if (loop && mcount < cap) {
                    model[(mhead + mcount) % VUART_FIFO] = val;
                    mcount++;
                } else if (loop && cap == 1) {
                    model[mhead] = val;     /* 16450 mode: RBR overwritten */
                }
            }
            /* FCR: toggling bit 0 or bit 1 with bit 0 empties the FIFO. */
            if ((reg & 7) == 2 && (((val ^ old_fcr) & 1) || (val & 3) == 3)) {
                mcount = 0;
                mhead = 0;
            }
            if ((reg & 7) == 7)
                scr_written = val;
        } else if ((data[i] & 0xC0) == 0x40) {
            bool room = !(u.mcr & 0x10) && mcount < cap;
            if (vuart_receive(&u, val) != room)
                __builtin_trap();
            if (room) {
                model[(mhead + mcount) % VUART_FIFO] = val;
                mcount++;
            }
        } else {
            bool dlab = u.lcr & 0x80;
            uint8_t v = vuart_read(&u, reg);
            switch (reg & 7) {
            case 0:
                if (!dlab && mcount) {
                    if (v != model[mhead])
                        __builtin_trap();
                    mhead = (mhead + 1) % VUART_FIFO;
                    mcount--;
                }
                break;
            case 2:
                if ((v >> 6) != ((u.fcr & 1) ? 3 : 0) || (v & 0x30) ||
                    ((v & 0x0F) != 1 && (v & 0x0F) != 6 && (v & 0x0F) != 4 && (v & 0x0F) != 2 &&
                     (v & 0x0F) != 0))
                    __builtin_trap();
                break;
            case 5:
                if ((v & 0x60) != 0x60 || (v & 1) != (mcount != 0))
                    __builtin_trap();
                break;
            case 7:
                if (scr_written >= 0 && v != scr_written)
                    __builtin_trap();
                break;
            }
        }
        if (u.tx_bytes != sent || (u.ier & 0xF0) || (u.mcr & 0xE0) || u.rx_count != mcount ||
            u.rx_count > ((u.fcr & 1) ? VUART_FIFO : 1))
            __builtin_trap();
        if (vuart_irq(&u) && (u.mcr & 0x18) != 0x08)
            __builtin_trap();
        if (vuart_irq(&u) && !irq_before && u.edges == edges_before)
            __builtin_trap();
        if (u.edges != edges_before && !vuart_take_edge(&u))
            __builtin_trap();
    }
    return 0;
}
