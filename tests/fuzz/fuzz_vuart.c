// covers: vmx/vuart.c
/*
 * fuzz_vuart.c - the virtual 16550 (vmx/vuart.c) driven by a guest that
 * does arbitrary register accesses. Each operation is two input bytes:
 * the first is the register (bit 7 set: write; the whole byte is passed so
 * that the decoder's "reg & 7" is exercised too), the second the value.
 *
 * Checks: transmitted bytes are counted exactly (tx_bytes equals the tx
 * callbacks, and loopback transmits nothing); LSR always shows the
 * transmitter empty and DR exactly when a byte waits; a waiting byte reads
 * back once from RBR; IIR says "no interrupt, FIFOs on"; the scratch
 * register reads back what was written; IER and MCR keep their
 * reserved bits clear.
 */
#include <stddef.h>
#include <stdint.h>

#include "../../vmx/vuart.h"

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

    vuart_reset(&u);
    for (size_t i = 0; i + 1 < size; i += 2) {
        unsigned reg = data[i] & 0x7F;
        uint8_t val = data[i + 1];
        if (data[i] & 0x80) {
            bool loop = u.mcr & 0x10, dlab = u.lcr & 0x80;
            uint64_t before = sent;
            vuart_write(&u, reg, val, count_tx, &sent);
            /* THR: sent once, or in loopback received instead. */
            if ((reg & 7) == 0 && !dlab &&
                (sent != before + !loop || (loop && (!u.rx_full || u.rx != val))))
                __builtin_trap();
            if ((reg & 7) == 7)
                scr_written = val;
        } else {
            bool full = u.rx_full, dlab = u.lcr & 0x80;
            uint8_t rx = u.rx;
            uint8_t v = vuart_read(&u, reg);
            switch (reg & 7) {
            case 0:
                if (!dlab && full && (v != rx || u.rx_full))
                    __builtin_trap();
                break;
            case 2:
                if (v != 0xC1)
                    __builtin_trap();
                break;
            case 5:
                if ((v & 0x60) != 0x60 || (v & 1) != full)
                    __builtin_trap();
                break;
            case 7:
                if (scr_written >= 0 && v != scr_written)
                    __builtin_trap();
                break;
            }
        }
        if (u.tx_bytes != sent || (u.ier & 0xF0) || (u.mcr & 0xE0))
            __builtin_trap();
    }
    return 0;
}
