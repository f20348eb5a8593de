/*
 * power.c - the guest resets or powers off its machine, and a reset guest
 * boots again: under monovisor these act on the guest, never on the
 * machine (kernel/platform.c, kernel/vcpu.c vcpu_apply_init).
 *
 * Arguments: how=kbc   the keyboard controller's pulse-reset command
 *                      (0xFE to port 0x64)
 *                how=cf9   the reset control register: 0x06 to port 0xCF9
 *                          (full reset, RST_CPU)
 *                how=acpi  ACPI S5: SLP_TYPa of the DSDT's \_S5 package
 *                          with SLP_EN to the FADT's PM1a control port
 *                how=init  INIT to itself through the xAPIC ICR
 *            cpu=ap    (kbc only) the BSP starts the first other MADT
 *                      processor with INIT-SIPI-SIPI on a 16-bit blob that
 *                      does the kbc reset, and spins meanwhile
 *
 * A boot counter in a page below 1 MiB (COUNTER_PAGE; RAM in the memory
 * map, not the image's, so a guest reset keeps it) tells the boots apart.
 * Boot 1 does the action; should the guest still run afterwards it says
 * FAIL and exits. Boot 2 checks that the image was reloaded and exits with
 * the test summary (status 0). how=acpi never boots again: the guest is
 * powered off. Natively kbc and cf9 reset the whole machine instead.
 */
#include "../sdk/sdk.h"

#include "../../drivers/acpi_tables.h"
#include "../../kernel/kstring.h"

#define COUNTER_PAGE  0x7000u
#define COUNTER_MAGIC 0x52574F50u   /* "POWR" */
#define AP_PAGE       0x8000u       /* the AP's real-mode blob */

struct counter {
    uint32_t magic, boots, apic;
};

#define PM1_SLP_EN   (1u << 13)
#define PM1_SLP_TYP(v) ((uint32_t)(v) << 10)

/* Image contents a reset must restore: initialized data and bss. */
static volatile uint32_t data_word = 0x600DDA7Au;
static volatile uint32_t bss_word;

static struct acpi_info acpi;
static bool have_acpi;

extern char ap_blob_start[], ap_blob_end[];

/* The AP: real mode at AP_PAGE:0, no stack; pulses the reset line
 * through the keyboard controller, then halts. */
__asm__(
    ".section .rodata.power_ap, \"a\"\n"
    ".code16\n"
    ".globl ap_blob_start, ap_blob_end\n"
    "ap_blob_start:\n"
    "    cli\n"
    "    movb $0xFE, %al\n"
    "    outb %al, $0x64\n"
    "1:  hlt\n"
    "    jmp 1b\n"
    "ap_blob_end:\n"
    ".code32\n"
    ".text\n");

static void acpi_warn(void *ctx, const char *msg)
{
    (void)ctx;
    sdk_printf("power: %s\n", msg);
}

static void spin(uint32_t n)
{
    for (volatile uint32_t i = 0; i < n; i++)
        __asm__ volatile("pause");
}

/* ---- the actions -------------------------------------------------------- */

static const char *how_name(void)
{
    static const char *const hows[] = { "kbc", "cf9", "acpi", "init" };
    for (unsigned i = 0; i < sizeof(hows) / sizeof(hows[0]); i++)
        if (sdk_arg_is("how", hows[i]))
            return hows[i];
    return 0;
}

/* The first enabled MADT processor other than self, or -1. */
static int64_t other_cpu(uint32_t self)
{
    for (unsigned i = 0; have_acpi && i < acpi.cpu_count; i++)
        if (acpi.cpus[i].enabled && acpi.cpus[i].apic_id != self && acpi.cpus[i].apic_id < 255)
            return acpi.cpus[i].apic_id;
    return -1;
}

/* Boot 1: do it. Returns only when nothing happened (or a check failed). */
static void act(const char *how, uint32_t self)
{
    if (sdk_arg_is("cpu", "ap")) {
        int64_t ap = other_cpu(self);
        uint32_t blob = (uint32_t)(ap_blob_end - ap_blob_start);
        sdk_checkf(ap >= 0, "cpu=ap: another enabled processor in the MADT");
        sdk_checkf(sdk_page_usable(AP_PAGE), "cpu=ap: AP page %#x is free RAM", AP_PAGE);
        sdk_checkf(!strcmp(how, "kbc"), "cpu=ap goes with how=kbc");
        if (sdk_failed())
            return;
        for (uint32_t i = 0; i < blob; i++)
            ((volatile uint8_t *)AP_PAGE)[i] = (uint8_t)ap_blob_start[i];
        sdk_printf("power: starting ap apic=%u at %#x to reset through the kbc\n",
                   (uint32_t)ap, AP_PAGE);
        sdk_apic_enable();
        sdk_init_sipi_sipi((uint32_t)ap, 0, AP_PAGE >> 12, 1000);
        spin(200000000);    /* seconds: the AP resets the guest meanwhile */
        return;
    }
    if (!strcmp(how, "kbc")) {
        outb(0x64, 0xFE);
    } else if (!strcmp(how, "cf9")) {
        outb(0xCF9, 0x06);
    } else if (!strcmp(how, "acpi")) {
        sdk_checkf(have_acpi && acpi.pm1a_cnt, "acpi: FADT PM1a_CNT port found");
        sdk_checkf(have_acpi && acpi.have_s5, "acpi: \\_S5 package in the DSDT");
        if (sdk_failed())
            return;
        outw(acpi.pm1a_cnt, (uint16_t)(PM1_SLP_TYP(acpi.slp_typa) | PM1_SLP_EN));
    } else {
        sdk_apic_enable();
        sdk_send_ipi(self, SDK_ICR_INIT);
    }
    spin(10000000);
}

int main(void)
{
    const char *how = how_name();
    if (!how) {
        sdk_check(false, "argument how=kbc|cf9|acpi|init");
        sdk_finish();
    }
    uint32_t self = sdk_cpuid(1, 0).ebx >> 24;
    size_t rsdp_len = 0;
    const void *rsdp = sdk_find_rsdp(&rsdp_len);
    char err[96];
    have_acpi = acpi_parse(rsdp, rsdp_len, sdk_phys_map, acpi_warn, 0, &acpi, err, sizeof(err)) == 0;
    if (have_acpi) {
        if (acpi.have_madt && acpi.lapic_base && acpi.lapic_base < (1ull << 32))
            sdk_lapic_base = (uint32_t)acpi.lapic_base;
        sdk_printf("power: acpi rsdp=%#x len=%u pm1a_cnt=%#x pm1b_cnt=%#x s5=%s slp_typa=%u "
                   "slp_typb=%u cpus=%u\n", (uint32_t)(uintptr_t)rsdp, (unsigned)rsdp_len,
                   acpi.pm1a_cnt, acpi.pm1b_cnt, acpi.have_s5 ? "yes" : "no", acpi.slp_typa,
                   acpi.slp_typb, acpi.cpu_count);
    } else {
        sdk_printf("power: %s\n", err);
    }

    if (!sdk_page_usable(COUNTER_PAGE)) {
        sdk_checkf(false, "boot counter page %#x is free RAM", COUNTER_PAGE);
        sdk_finish();
    }
    volatile struct counter *c = (volatile struct counter *)COUNTER_PAGE;
    if (c->magic != COUNTER_MAGIC) {
        c->magic = COUNTER_MAGIC;
        c->boots = 0;
    }
    uint32_t boot = ++c->boots;
    sdk_printf("power: boot %u how=%s apic=%u %s\n", boot, how, self,
               sdk_hv_present() ? "under monovisor" : "native");

    if (boot == 1) {
        c->apic = self;
        data_word = 0xBAD0DA7Au;    /* a reset reloads the image: both come back */
        bss_word = 0xBAD0B55u;
        act(how, self);
        sdk_printf("FAIL power: still running after how=%s\n", how);
        c->magic = 0;
        sdk_finish();
    }

    sdk_printf("power: reset survived how=%s\n", how);
    sdk_checkf(boot == 2, "boot counter at %#x survived the reset: boot %u", COUNTER_PAGE, boot);
    sdk_checkf(c->apic == self, "boot 2 runs on the boot processor (apic %u, boot 1 on %u)",
               self, c->apic);
    sdk_checkf(data_word == 0x600DDA7Au, "image data reloaded (%#x)", data_word);
    sdk_checkf(bss_word == 0, "image bss cleared (%#x)", bss_word);
    c->magic = 0;       /* the console's `reset` starts over at boot 1 */
    sdk_finish();
}
