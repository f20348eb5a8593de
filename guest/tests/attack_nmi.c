/*
 * attack_nmi.c - an NMI storm (2 CPUs): the BSP starts the AP with
 * INIT-SIPI-SIPI (the SDK's, as smp.c does) into a real-mode loop that
 * halts, counts the NMIs it takes through its IVT and runs a command
 * (a VMCALL) when asked; then the BSP sends many NMI IPIs (ICR delivery
 * mode NMI) to the AP and to itself. NMIs exit to monovisor (NMI
 * exiting), which also uses NMIs to kick cores out of the guest: each
 * NMI that was not a kick must be reflected to the guest, none may be
 * taken for a kick or get stuck, and the AP must still answer after the
 * storm. NMIs may merge (one can be pending while another is handled),
 * so the counts are at most the NMIs sent, and at least min_share
 * percent of them (the sender waits for each IPI's delivery status).
 *
 * Arguments: nmis=N   NMIs to each target (default 1000)
 *            min_share=P  percent each core must take (default 50)
 *            hold=1   after the summary, spin with both cores in the
 *                     guest (for the console's pause, cpus, resume)
 */
#include "../sdk/sdk.h"

#define STR_(x) #x
#define STR(x) STR_(x)

/* The AP's page: code at 0, the mailbox at 0x200. */
#define MB_READY   0x200    /* u32: the AP is in its loop */
#define MB_APIC    0x204    /* u32: its APIC id */
#define MB_NMIS    0x208    /* u32: NMIs taken */
#define MB_CMD     0x20C    /* u32: 1 = run the VMCALL, then 0 */
#define MB_RESULT  0x210    /* u32: the VMCALL's result */
#define MB_WAKES   0x214    /* u32: returns from HLT */

extern char nmi_ap_start[], nmi_ap_end[], nmi_ap_handler[];

/* Runs at CS = page >> 4, IP = 0, in real mode. */
__asm__(
    ".section .rodata.nmi_ap, \"a\"\n"
    ".code16\n"
    ".globl nmi_ap_start, nmi_ap_end, nmi_ap_handler\n"
    "nmi_ap_start:\n"
    "    cli\n"
    "    movw %cs, %ax\n"
    "    movw %ax, %ds\n"
    "    movw %ax, %ss\n"
    "    movw $0x1000, %sp\n"                   /* the page's top: the mailbox is below */
    "    movl $1, %eax\n"
    "    xorl %ecx, %ecx\n"
    "    cpuid\n"
    "    shrl $24, %ebx\n"
    "    movl %ebx, " STR(MB_APIC) "\n"
    "    lock incl " STR(MB_READY) "\n"
    "1:  hlt\n"
    "    lock incl " STR(MB_WAKES) "\n"
    "    cmpl $0, " STR(MB_CMD) "\n"
    "    je 1b\n"
    "    xorl %eax, %eax\n"
    "    cpuid\n"
    "    xorl %eax, %eax\n"                     /* HC_VERSION */
    "    cmpl $0x68747541, %ebx\n"              /* "Auth": AMD's VMMCALL */
    "    je 2f\n"
    "    vmcall\n"
    "    jmp 3f\n"
    "2:  vmmcall\n"
    "3:  movl %eax, " STR(MB_RESULT) "\n"
    "    movl $0, " STR(MB_CMD) "\n"
    "    jmp 1b\n"
    "nmi_ap_handler:\n"
    "    lock incl %cs:" STR(MB_NMIS) "\n"
    "    iret\n"
    "nmi_ap_end:\n"
    ".code32\n"
    ".text\n");

static volatile uint8_t *page;
static volatile uint32_t *mb(uint32_t off) { return (volatile uint32_t *)(page + off); }

static volatile uint32_t bsp_nmis;
static void count_nmi(void) { bsp_nmis++; }

/* Wait up to ms milliseconds for *p to reach at least want. */
static bool wait_for(volatile uint32_t *p, uint32_t want, uint32_t ms)
{
    uint64_t end = sdk_rdtsc() + (uint64_t)ms * 1000 * sdk_tsc_mhz;
    while (*p < want && sdk_rdtsc() < end)
        __asm__ volatile("pause");
    return *p >= want;
}

int main(void)
{
    uint32_t nmis = sdk_arg("nmis", 1000);
    uint32_t min_share = sdk_arg("min_share", 50);
    uint32_t bsp_apic = sdk_cpuid(1, 0).ebx >> 24;
    const char *how = sdk_tsc_calibrate();
    sdk_printf("attack_nmi: bsp apic=%u, tsc %u MHz (%s), %u NMIs to each core\n", bsp_apic, sdk_tsc_mhz,
               how, nmis);
    sdk_set_nmi_handler(count_nmi);
    sdk_apic_enable();

    /* The AP: its code below 1 MiB, its NMI handler in the real-mode IVT. */
    uint32_t p = sdk_low_page();
    if (!p) {
        sdk_check(false, "a page below 1 MiB for the AP");
        sdk_finish();
    }
    page = (volatile uint8_t *)p;
    for (uint32_t i = 0; i < 0x1000; i++)
        page[i] = i < (uint32_t)(nmi_ap_end - nmi_ap_start) ? (uint8_t)nmi_ap_start[i] : 0;
    volatile uint16_t *ivt = (volatile uint16_t *)0;
    __asm__("" : "+r"(ivt));        /* an address, not a null pointer to GCC */
    ivt[2 * 2] = (uint16_t)(nmi_ap_handler - nmi_ap_start);
    ivt[2 * 2 + 1] = (uint16_t)(p >> 4);
    sdk_init_sipi_sipi(0, SDK_ICR_ALL_BUT_SELF, p >> 12, 10000);
    bool up = wait_for(mb(MB_READY), 1, 500);
    uint32_t ap = *mb(MB_APIC);
    sdk_checkf(up && ap != bsp_apic, "AP started (apic %u) and halts in its loop", ap);
    if (!up)
        sdk_finish();

    /* The storm: NMIs to the AP and to ourselves, interleaved. */
    sdk_udelay(1000);
    uint32_t ap0 = *mb(MB_NMIS), bsp0 = bsp_nmis;
    for (uint32_t i = 0; i < nmis; i++) {
        sdk_send_ipi(ap, SDK_ICR_NMI);
        sdk_send_ipi(bsp_apic, SDK_ICR_NMI);
    }
    sdk_udelay(10000);
    uint32_t ap_got = *mb(MB_NMIS) - ap0, bsp_got = bsp_nmis - bsp0;
    sdk_printf("attack_nmi: sent %u NMIs to each core: the AP took %u, the BSP took %u\n", nmis, ap_got,
               bsp_got);
    sdk_checkf(ap_got * 100 >= nmis * min_share && ap_got <= nmis,
               "the AP took at least %u%% of its NMIs (%u of %u)", min_share, ap_got, nmis);
    sdk_checkf(bsp_got * 100 >= nmis * min_share && bsp_got <= nmis,
               "the BSP took at least %u%% of its own NMIs (%u of %u)", min_share, bsp_got, nmis);

    /* After the storm, one at a time: each arrives, promptly. */
    unsigned ap_one = 0, bsp_one = 0;
    for (unsigned i = 0; i < 10; i++) {
        uint32_t a = *mb(MB_NMIS), b = bsp_nmis;
        sdk_send_ipi(ap, SDK_ICR_NMI);
        ap_one += wait_for(mb(MB_NMIS), a + 1, 10);
        sdk_send_ipi(bsp_apic, SDK_ICR_NMI);
        bsp_one += wait_for(&bsp_nmis, b + 1, 10);
    }
    sdk_checkf(ap_one == 10, "after the storm, single NMIs to the AP arrive within 10 ms (%u of 10)", ap_one);
    sdk_checkf(bsp_one == 10, "after the storm, single NMIs to the BSP arrive within 10 ms (%u of 10)",
               bsp_one);

    /* The AP still runs guest code: an NMI wakes it to run a VMCALL. */
    *mb(MB_RESULT) = 0;
    *mb(MB_CMD) = 1;
    sdk_send_ipi(ap, SDK_ICR_NMI);
    bool done = false;
    for (unsigned i = 0; i < 100 && !done; i++) {
        sdk_udelay(1000);
        done = *mb(MB_CMD) == 0;
    }
    sdk_checkf(done && *mb(MB_RESULT) == HC_ABI_VERSION, "the AP ran a VMCALL after the storm (HC_VERSION %#x)",
               *mb(MB_RESULT));
    sdk_checkf(!sdk_icr_stuck, "ICR delivery status idle before each of %u IPIs", sdk_ipis_sent);

    unsigned failed = sdk_summary();
    if (sdk_arg("hold", 0)) {
        sdk_printf("attack_nmi: holding, both cores in the guest\n");
        for (;;)
            __asm__ volatile("pause");
    }
    sdk_exit(failed ? 1 : 0);
}
