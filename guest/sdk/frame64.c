/*
 * frame64.c - exceptions and interrupts of 64-bit SDK guests
 * (start64.asm): per-vector handlers that see and may change the whole
 * interrupted state, sdk_catch's record of the exception that ended the
 * caught function, and the IDT's per-gate settings. See sdk.h.
 */
#include "sdk.h"

#define SEL_CODE64 0x18
#define SEL_DATA   0x10

struct sdk_fault sdk_fault;
static sdk_handler handlers[256];

extern uint32_t catch_active, sdk_user_done;
extern uint64_t catch_rsp;
extern char sdk_catch_landing[];
/* sdk_set_nmi_handler's hook (guest/sdk/sdk.c); start.asm holds it in
 * 32-bit guests. */
void (*sdk_nmi_hook)(void);

sdk_handler sdk_set_handler(unsigned vector, sdk_handler fn)
{
    sdk_handler old = handlers[vector & 255];
    handlers[vector & 255] = fn;
    return old;
}

/* The gate's descriptor (SDM Vol. 3A, 6.14.1, Figure 6-8). */
static uint8_t *gate(unsigned vector)
{
    extern uint8_t sdk_idt[];
    return &sdk_idt[(vector & 255) * 16];
}

void sdk_set_ist(unsigned vector, unsigned ist)
{
    gate(vector)[4] = (uint8_t)(ist & 7);
}

void sdk_set_gate_dpl(unsigned vector, unsigned dpl)
{
    uint8_t *g = gate(vector);
    g[5] = (uint8_t)((g[5] & ~0x60) | ((dpl & 3) << 5));
}

void sdk_set_gate_present(unsigned vector, bool present)
{
    uint8_t *g = gate(vector);
    g[5] = (uint8_t)(present ? g[5] | 0x80 : g[5] & ~0x80);
}

void sdk_set_gate_type(unsigned vector, unsigned type)
{
    uint8_t *g = gate(vector);
    g[5] = (uint8_t)((g[5] & ~0x0F) | (type & 0x0F));
}

static uint64_t read_cr2(void)
{
    uint64_t v;
    __asm__ volatile("mov %%cr2, %0" : "=r"(v));
    return v;
}

void sdk_exception(struct sdk_frame *f);
void sdk_exception(struct sdk_frame *f)
{
    unsigned vector = (unsigned)f->vector;
    if (vector == 2 && sdk_nmi_hook) {
        sdk_nmi_hook();
        return;
    }
    if (handlers[vector]) {
        handlers[vector](f);
        return;
    }
    if (catch_active) {
        /* End sdk_catch: its frame is at catch_rsp, on the ring-0 stack. */
        sdk_fault = (struct sdk_fault){ f->vector, f->error, f->rip, f->cs, f->rflags,
                                        f->rsp, f->ss, read_cr2() };
        catch_active = 0;
        f->rax = (uint64_t)(int64_t)vector;
        if (sdk_user_done) {        /* sdk_catch_user: fn returned */
            sdk_user_done = 0;
            f->rax = (uint64_t)-1;
        }
        f->rip = (uintptr_t)sdk_catch_landing;
        f->cs = SEL_CODE64;
        f->rsp = catch_rsp;
        f->ss = SEL_DATA;
        f->rflags = 0x2;            /* sdk_catch's POPFQ puts the caller's back */
        return;
    }
    sdk_printf("guest: unexpected exception %u error=%#llx rip=%#llx cs=%#llx rflags=%#llx\n",
               vector, (unsigned long long)f->error, (unsigned long long)f->rip,
               (unsigned long long)f->cs, (unsigned long long)f->rflags);
    sdk_exit(3);
}
