/*
 * platform.c - the guest's exit, reset and power-off ports; see platform.h.
 */
#include "platform.h"

#include "iobus.h"
#include "printk.h"
#include "x86.h"
#include "../drivers/acpi.h"

#define KBC_COMMAND_PORT  0x64
#define KBC_PULSE_RESET   0xFE          /* pulses the reset line */
#define RESET_CONTROL     0xCF9
#define RST_CPU           (1u << 2)     /* 0xCF9 bit 2: reset now (PCH datasheets) */
#define PM1_SLP_EN        (1u << 13)    /* ACPI 6.5, 4.8.3.2.1 PM1 control */
#define PM1_SLP_TYP(v)    (((v) >> 10) & 7)

/* The PM1 control register port holds, or 0 (a 16-bit register: a byte
 * write to its upper half can set SLP_EN too). */
static uint16_t pm1_base(uint16_t port)
{
    const struct acpi_info *a = acpi();
    if (a->pm1a_cnt && (unsigned)(port - a->pm1a_cnt) < 2u)
        return a->pm1a_cnt;
    if (a->pm1b_cnt && (unsigned)(port - a->pm1b_cnt) < 2u)
        return a->pm1b_cnt;
    return 0;
}

bool platform_port(uint16_t port)
{
    return port == GUEST_EXIT_PORT || port == KBC_COMMAND_PORT || port == RESET_CONTROL ||
           pm1_base(port);
}

static enum exit_action guest_reset(struct vcpu *v, const char *source)
{
    kprintf("\nguest.reset_request cpu=%u source=%s\n", v->id, source);
    vcpu_request_all(VCPU_REQ_RESET);
    return EXIT_RESUME;
}

/* 0xf4: the guest's end, with the low byte as its status. */
static enum exit_action exit_out(struct vcpu *v, uint16_t port, unsigned size, uint32_t val)
{
    (void)port, (void)size;
    return vcpu_guest_exit(v, (int)(val & 0xFF));
}

/* The keyboard controller: 0xFE resets the guest; any other command goes
 * to the controller (the command is the low byte of a wider write). */
static enum exit_action kbc_out(struct vcpu *v, uint16_t port, unsigned size, uint32_t val)
{
    (void)size;
    if ((uint8_t)val == KBC_PULSE_RESET)
        return guest_reset(v, "kbc");
    outb(port, (uint8_t)val);
    return EXIT_RESUME;
}

/* 0xCF9: with RST_CPU a reset of the guest; without it the write only
 * picks the kind of reset, kept from the machine, which is not the
 * guest's to reset. */
static enum exit_action cf9_out(struct vcpu *v, uint16_t port, unsigned size, uint32_t val)
{
    (void)port, (void)size;
    return (val & RST_CPU) ? guest_reset(v, "cf9") : EXIT_RESUME;
}

/* PM1 control: SLP_EN with the \_S5 sleep type powers the guest off;
 * other sleep types are refused with a note; everything else goes to the
 * hardware. */
static enum exit_action pm1_out(struct vcpu *v, uint16_t port, unsigned size, uint32_t val)
{
    const struct acpi_info *a = acpi();
    uint16_t base = pm1_base(port);
    uint32_t reg = val << (8 * (port - base));
    if (!(reg & PM1_SLP_EN)) {
        if (size == 1)
            outb(port, (uint8_t)val);
        else
            outw(port, (uint16_t)val);
        return EXIT_RESUME;
    }
    unsigned typ = PM1_SLP_TYP(reg);
    if (a->have_s5 && typ == (base == a->pm1a_cnt ? a->slp_typa : a->slp_typb)) {
        kprintf("\nguest.poweroff cpu=%u source=acpi\n", v->id);
        return vcpu_guest_exit(v, 0);
    }
    kprintf("\nnote: guest asked for ACPI sleep type %u; only S5 (power-off) is done, the rest "
            "ignored\n", typ);
    return EXIT_RESUME;
}

static const struct io_device exit_port = { .name = "guest-exit", .wide = true, .out = exit_out };
static const struct io_device kbc = { .name = "kbc", .wide = true, .out = kbc_out };
static const struct io_device cf9 = { .name = "cf9", .wide = true, .exact = true, .out = cf9_out };
static const struct io_device pm1 = { .name = "pm1", .wide = true, .out = pm1_out };

void platform_init(void)
{
    const struct acpi_info *a = acpi();
    iobus_register(GUEST_EXIT_PORT, 1, &exit_port);
    iobus_register(KBC_COMMAND_PORT, 1, &kbc);
    iobus_register(RESET_CONTROL, 1, &cf9);
    if (a->pm1a_cnt)
        iobus_register(a->pm1a_cnt, 2, &pm1);
    if (a->pm1b_cnt)
        iobus_register(a->pm1b_cnt, 2, &pm1);
}
