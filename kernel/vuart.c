/*
 * vuart.c - virtual 16550A; see vuart.h. Bit names: PC16550D datasheet,
 * table 2 (register summary).
 */
#include "vuart.h"

#include "kstring.h"

#define IER_ERBFI 0x01      /* received data available */
#define IER_ETBEI 0x02      /* transmitter holding register empty */
#define IER_ELSI  0x04      /* receiver line status */
#define IER_EDSSI 0x08      /* modem status */
#define IIR_NONE  0x01      /* bit 0: no interrupt pending */
#define IIR_MSR   0x00      /* table 4, lowest priority ... */
#define IIR_THRE  0x02
#define IIR_RDA   0x04
#define IIR_LSR   0x06      /* ... highest */
#define IIR_FIFO  0xC0      /* bits 7:6: FIFOs enabled */
#define FCR_ENABLE   0x01
#define FCR_CLEAR_RX 0x02
#define FCR_MASK     0xC9   /* what stays: enable, DMA mode, trigger level */
#define LCR_DLAB  0x80
#define MCR_DTR   0x01
#define MCR_RTS   0x02
#define MCR_OUT1  0x04
#define MCR_OUT2  0x08
#define MCR_LOOP  0x10
#define LSR_DR    0x01
#define LSR_OE    0x02
#define LSR_THRE  0x20
#define LSR_TEMT  0x40
#define MSR_CTS   0x10
#define MSR_DSR   0x20
#define MSR_RI    0x40
#define MSR_DCD   0x80
#define MSR_TERI  0x04      /* RI went from on to off */
/* The far end as a terminal shows it: CTS, DSR and DCD on, no ring. */
#define MSR_WIRE  (MSR_CTS | MSR_DSR | MSR_DCD)

void vuart_reset(struct vuart *u)
{
    memset(u, 0, sizeof(*u));
    u->dll = 1;     /* 115200 baud */
    u->lcr = 0x03;  /* 8N1 */
    u->msr_in = MSR_WIRE;
}

static unsigned rx_capacity(const struct vuart *u)
{
    return (u->fcr & FCR_ENABLE) ? VUART_FIFO : 1;
}

/* The pending interrupt of highest priority (table 4), IIR_NONE if none. */
static uint8_t pending(const struct vuart *u)
{
    if ((u->ier & IER_ELSI) && u->lsr_err)
        return IIR_LSR;
    if ((u->ier & IER_ERBFI) && u->rx_count)
        return IIR_RDA;
    if ((u->ier & IER_ETBEI) && u->thre_pending)
        return IIR_THRE;
    if ((u->ier & IER_EDSSI) && u->msr_delta)
        return IIR_MSR;
    return IIR_NONE;
}

/* Recompute the output and latch a rising edge. */
static void update_irq(struct vuart *u)
{
    bool level = pending(u) != IIR_NONE && (u->mcr & (MCR_OUT2 | MCR_LOOP)) == MCR_OUT2;
    if (level && !u->irq) {
        u->edge = true;
        u->edges++;
    }
    u->irq = level;
}

/* The modem inputs: the outputs fed back in loopback (DTR->DSR, RTS->CTS,
 * OUT1->RI, OUT2->DCD), else the wire. A change sets the delta bits. */
static void update_modem_inputs(struct vuart *u)
{
    uint8_t in = MSR_WIRE;
    if (u->mcr & MCR_LOOP)
        in = (uint8_t)(((u->mcr & MCR_DTR) ? MSR_DSR : 0) | ((u->mcr & MCR_RTS) ? MSR_CTS : 0) |
                       ((u->mcr & MCR_OUT1) ? MSR_RI : 0) | ((u->mcr & MCR_OUT2) ? MSR_DCD : 0));
    uint8_t changed = in ^ u->msr_in;
    /* DCTS, DDSR, DDCD: any change; TERI: RI's trailing edge only. */
    u->msr_delta |= (uint8_t)(((changed & MSR_CTS) ? 0x01 : 0) | ((changed & MSR_DSR) ? 0x02 : 0) |
                              ((changed & MSR_DCD) ? 0x08 : 0) |
                              ((changed & u->msr_in & MSR_RI) ? MSR_TERI : 0));
    u->msr_in = in;
}

/* A byte reaches the receiver (wire or loopback). Full: the byte is
 * lost and OE set (datasheet LSR bit 1); without FIFOs it overwrites RBR. */
static void rx_push(struct vuart *u, uint8_t byte)
{
    unsigned cap = rx_capacity(u);
    if (u->rx_count >= cap) {
        u->lsr_err |= LSR_OE;
        u->overruns++;
        if (cap == 1)
            u->rx[u->rx_head] = byte;
        return;
    }
    u->rx[(u->rx_head + u->rx_count) % VUART_FIFO] = byte;
    u->rx_count++;
    u->rx_bytes++;
}

static void rx_clear(struct vuart *u)
{
    u->rx_head = 0;
    u->rx_count = 0;
}

bool vuart_receive(struct vuart *u, uint8_t byte)
{
    if ((u->mcr & MCR_LOOP) || u->rx_count >= rx_capacity(u))
        return false;
    rx_push(u, byte);
    update_irq(u);
    return true;
}

unsigned vuart_rx_room(const struct vuart *u)
{
    return (u->mcr & MCR_LOOP) ? 0 : rx_capacity(u) - u->rx_count;
}

bool vuart_irq(const struct vuart *u)
{
    return u->irq;
}

void vuart_write(struct vuart *u, unsigned reg, uint8_t val, vuart_tx tx, void *ctx)
{
    bool dlab = u->lcr & LCR_DLAB;
    switch (reg & 7) {
    case 0:
        if (dlab) {
            u->dll = val;
            break;
        }
        /* Writing THR clears the THRE interrupt; the byte leaves at once
         * and THR is empty again, which re-arms it (table 4). */
        u->thre_pending = false;
        update_irq(u);
        if (u->mcr & MCR_LOOP) {
            rx_push(u, val);        /* loopback: what is sent comes back */
        } else {
            tx(ctx, val);
            u->tx_bytes++;
        }
        u->thre_pending = true;
        break;
    case 1:
        if (dlab) {
            u->dlm = val;
            break;
        }
        /* Setting ETBEI with THR empty raises THRE; clearing it drops a
         * pending one (Linux's serial8250_startup checks the re-assert). */
        if ((val & IER_ETBEI) != (u->ier & IER_ETBEI))
            u->thre_pending = val & IER_ETBEI;
        u->ier = val & 0x0F;
        break;
    case 2:
        /* FCR: bit 0 gates the others; changing it empties both FIFOs. */
        if ((val ^ u->fcr) & FCR_ENABLE)
            rx_clear(u);
        if (!(val & FCR_ENABLE)) {
            u->fcr = 0;
            break;
        }
        if (val & FCR_CLEAR_RX)
            rx_clear(u);
        u->fcr = val & FCR_MASK;    /* bit 2 (clear TX): the TX side is always empty */
        break;
    case 3:
        u->lcr = val;
        break;
    case 4:
        u->mcr = val & 0x1F;
        update_modem_inputs(u);
        break;
    case 7:
        u->scr = val;
        break;
    default:
        break;                  /* LSR, MSR: read-only */
    }
    update_irq(u);
}

uint8_t vuart_read(struct vuart *u, unsigned reg)
{
    bool dlab = u->lcr & LCR_DLAB;
    uint8_t v;
    switch (reg & 7) {
    case 0:
        if (dlab)
            return u->dll;
        if (!u->rx_count)
            return 0;
        v = u->rx[u->rx_head];
        u->rx_head = (uint8_t)((u->rx_head + 1) % VUART_FIFO);
        u->rx_count--;
        break;
    case 1:
        return dlab ? u->dlm : u->ier;
    case 2:
        v = pending(u);
        /* Reading IIR while it names THRE clears THRE (table 4). */
        if (v == IIR_THRE)
            u->thre_pending = false;
        if (u->fcr & FCR_ENABLE)
            v |= IIR_FIFO;
        break;
    case 3:
        return u->lcr;
    case 4:
        return u->mcr;
    case 5:
        v = (uint8_t)(LSR_THRE | LSR_TEMT | u->lsr_err | (u->rx_count ? LSR_DR : 0));
        u->lsr_err = 0;         /* reading LSR clears the error bits */
        break;
    case 6:
        v = u->msr_in | u->msr_delta;
        u->msr_delta = 0;
        break;
    default:
        return u->scr;
    }
    update_irq(u);
    return v;
}
