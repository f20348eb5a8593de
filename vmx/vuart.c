/*
 * vuart.c - virtual 16550; see vuart.h.
 */
#include "vuart.h"

#include "../kernel/kstring.h"

#define LCR_DLAB 0x80
#define LSR_DR   0x01
#define LSR_THRE 0x20
#define LSR_TEMT 0x40
#define IIR_NONE 0x01
#define IIR_FIFO 0xC0
#define MCR_LOOP 0x10

void vuart_reset(struct vuart *u)
{
    memset(u, 0, sizeof(*u));
    u->dll = 1;     /* 115200 baud */
    u->lcr = 0x03;  /* 8N1 */
}

void vuart_write(struct vuart *u, unsigned reg, uint8_t val, vuart_tx tx, void *ctx)
{
    bool dlab = u->lcr & LCR_DLAB;
    switch (reg & 7) {
    case 0:
        if (dlab) {
            u->dll = val;
        } else if (u->mcr & MCR_LOOP) {
            u->rx = val;        /* loopback: what is sent comes back */
            u->rx_full = true;
        } else {
            tx(ctx, val);
            u->tx_bytes++;
        }
        break;
    case 1:
        if (dlab)
            u->dlm = val;
        else
            u->ier = val & 0x0F;
        break;
    case 2:
        break;                  /* FCR: FIFOs are always "enabled" */
    case 3:
        u->lcr = val;
        break;
    case 4:
        u->mcr = val & 0x1F;
        break;
    case 7:
        u->scr = val;
        break;
    default:
        break;                  /* LSR, MSR: read-only */
    }
}

uint8_t vuart_read(struct vuart *u, unsigned reg)
{
    bool dlab = u->lcr & LCR_DLAB;
    switch (reg & 7) {
    case 0:
        if (dlab)
            return u->dll;
        if (u->rx_full) {
            u->rx_full = false;
            return u->rx;
        }
        return 0;
    case 1:
        return dlab ? u->dlm : u->ier;
    case 2:
        return IIR_FIFO | IIR_NONE;
    case 3:
        return u->lcr;
    case 4:
        return u->mcr;
    case 5:
        return LSR_THRE | LSR_TEMT | (u->rx_full ? LSR_DR : 0);
    case 6:
        /* MSR: in loopback the outputs show as inputs; otherwise CTS, DSR, DCD. */
        if (u->mcr & MCR_LOOP)
            return (uint8_t)(((u->mcr & 0x02) << 3) | ((u->mcr & 0x01) << 5) |
                             ((u->mcr & 0x04) << 4) | ((u->mcr & 0x08) << 4));
        return 0xB0;
    default:
        return u->scr;
    }
}
