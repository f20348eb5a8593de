/*
 * smp.c - the SMP test: the BSP finds the CPUs in the ACPI MADT and starts
 * the APs with INIT-SIPI-SIPI (SDM Vol. 3A 9.4.4, 12.6.1) through the xAPIC
 * ICR, in three rounds:
 *   1. broadcast (all excluding self): INIT, delay, SIPI, 200 us, SIPI;
 *   2. one AP at a time (physical destination), the same sequence;
 *   3. broadcast back to back: INIT, SIPI, SIPI with no wait at all (only
 *      the ICR delivery-status polling), the case where a SIPI that
 *      arrives right after the INIT must not be lost.
 * Each AP runs a 16-bit real-mode blob copied to a page below 1 MiB: it
 * reads its APIC id (CPUID.1:EBX[31:24]), counts itself into a mailbox in
 * that page (a per-APIC-id start counter, so a second SIPI that wrongly
 * restarted an AP shows), executes CPUID leaf 0 and, under monovisor, a
 * real-mode VMCALL (VMMCALL on AMD) HC_VERSION, then halts with interrupts off.
 *
 * Arguments: expect=N  APs expected to answer (default: the MADT's enabled
 *                      processors minus the BSP)
 *            delay=US  INIT to first SIPI delay in microseconds (default
 *                      10000; 0 sends INIT, SIPI, SIPI back to back)
 *            timeout=MS how long a round waits for its APs (default 200)
 *            tsc_mhz=N TSC ticks per microsecond, instead of measuring it
 *            storm=N   then N INIT-SIPI-SIPI broadcasts back to back and a
 *                      clean round after them (the INIT/SIPI storm attack)
 *            hold=1    do not exit at the end: the BSP spins, the APs stay
 *                      halted, every core in the guest (console tests)
 *
 * Time: the TSC is calibrated against PIT channel 2 (sdk_tsc_calibrate);
 * the ICR, INIT-SIPI-SIPI and the AP's page are the SDK's too
 * (guest/sdk/mp.c).
 *
 * Bochs 2.7 natively: its BIOS leaves the APs halted (cli; hlt), so INIT
 * works. It drops a SIPI that reaches an AP before the AP has taken its
 * pending INIT (three ICR writes in one straight run lose both SIPIs); the
 * delivery-status polling loop ends Bochs's trace, so the AP gets its turn
 * between the sends and round 3 passes.
 */
#include "../sdk/sdk.h"

#include "../../kernel/fmt.h"

#define STR_(x) #x
#define STR(x) STR_(x)

/* The AP page: code at 0, the mailbox header, per-APIC-id start counters
 * and the per-round arrival records. */
#define MB_HV       0x200   /* u32: 1 = do the VMCALL (set by the BSP) */
#define MB_SLOT     0x204   /* u32: next arrival record (lock xadd) */
#define MB_DONE     0x208   /* u32: arrivals whose record is complete */
#define MB_STARTS   0x400   /* u32[256] indexed by APIC id: starts ever */
#define MB_RECORDS  0x800   /* struct record[NREC + 1] */
#define NREC        63      /* record NREC takes every arrival beyond */
#define REC_MAGIC   0x50494953u  /* "SIPI" */
#define NO_VMCALL   0xFFFFFFFFu

struct record {
    uint32_t magic, apic, starts, maxleaf, vendor[3], vmcall;
};
_Static_assert(sizeof(struct record) == 32, "record layout of the AP blob");
_Static_assert(MB_RECORDS + (NREC + 1) * 32 == 0x1000, "mailbox fills the page");

extern char ap_blob_start[], ap_blob_end[];

/* Runs at CS = page >> 4, IP = 0, in real mode; no stack. Record
 * (offset: field): 0 magic, 4 apic, 8 starts, 12 maxleaf, 16/20/24 vendor
 * EBX/EDX/ECX, 28 vmcall. */
__asm__(
    ".section .rodata.smp_ap, \"a\"\n"
    ".code16\n"
    ".globl ap_blob_start, ap_blob_end\n"
    "ap_blob_start:\n"
    "    cli\n"
    "    movw %cs, %ax\n"
    "    movw %ax, %ds\n"
    "    movl $1, %eax\n"
    "    lock xaddl %eax, " STR(MB_SLOT) "\n"
    "    cmpl $" STR(NREC) ", %eax\n"
    "    jb 1f\n"
    "    movl $" STR(NREC) ", %eax\n"
    "1:  shll $5, %eax\n"
    "    addl $" STR(MB_RECORDS) ", %eax\n"
    "    movw %ax, %di\n"
    "    movl $1, %eax\n"
    "    xorl %ecx, %ecx\n"
    "    cpuid\n"
    "    shrl $24, %ebx\n"
    "    movl %ebx, 4(%di)\n"
    "    movw %bx, %si\n"
    "    shlw $2, %si\n"
    "    movl $1, %eax\n"
    "    lock xaddl %eax, " STR(MB_STARTS) "(%si)\n"
    "    incl %eax\n"
    "    movl %eax, 8(%di)\n"
    "    xorl %eax, %eax\n"
    "    xorl %ecx, %ecx\n"
    "    cpuid\n"
    "    movl %eax, 12(%di)\n"
    "    movl %ebx, 16(%di)\n"
    "    movl %edx, 20(%di)\n"
    "    movl %ecx, 24(%di)\n"
    "    movl $" STR(NO_VMCALL) ", %eax\n"
    "    cmpl $0, " STR(MB_HV) "\n"
    "    je 2f\n"
    "    xorl %eax, %eax\n"                 /* HC_VERSION */
    "    cmpl $0x68747541, %ebx\n"          /* "Auth" (CPUID 0 above): AMD's VMMCALL */
    "    je 4f\n"
    "    vmcall\n"
    "    jmp 2f\n"
    "4:  vmmcall\n"
    "2:  movl %eax, 28(%di)\n"
    "    movl $" STR(REC_MAGIC) ", (%di)\n"
    "    lock incl " STR(MB_DONE) "\n"
    "3:  cli\n"
    "    hlt\n"
    "    jmp 3b\n"
    "ap_blob_end:\n"
    ".code32\n"
    ".text\n");

/* ---- ACPI ------------------------------------------------------------- */

#define MAX_CPUS 256

struct cpu {
    uint32_t apic;
    bool enabled;       /* flags bit 0; else online capable (bit 1) */
};
static struct cpu cpus[MAX_CPUS];
static unsigned ncpus, nenabled;
static const char *acpi_error;

static uint8_t sum(const void *p, uint32_t len)
{
    uint8_t s = 0;
    for (uint32_t i = 0; i < len; i++)
        s = (uint8_t)(s + ((const uint8_t *)p)[i]);
    return s;
}

static bool sig_is(const void *p, const char *sig, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        if (((const char *)p)[i] != sig[i])
            return false;
    return true;
}

static const uint8_t *table_ok(uint64_t addr, const char *sig)
{
    if (!addr || addr >= (1ull << 32) - 36)
        return 0;
    const uint8_t *t = (const uint8_t *)(uint32_t)addr;
    uint32_t len = *(const uint32_t *)(t + 4);
    if (!sig_is(t, sig, 4) || len < 36 || sum(t, len) != 0)
        return 0;
    return t;
}

static void add_cpu(uint32_t apic, uint32_t flags)
{
    if (!(flags & 3))
        return;
    for (unsigned i = 0; i < ncpus; i++) {
        if (cpus[i].apic == apic) {     /* listed as xAPIC and x2APIC */
            if ((flags & 1) && !cpus[i].enabled) {
                cpus[i].enabled = true;
                nenabled++;
            }
            return;
        }
    }
    if (ncpus == MAX_CPUS)
        return;
    cpus[ncpus++] = (struct cpu){ apic, flags & 1 };
    nenabled += flags & 1;
}

static bool parse_acpi(void)
{
    size_t rsdp_len;
    const uint8_t *rsdp = sdk_find_rsdp(&rsdp_len);
    if (!rsdp) {
        acpi_error = "no RSDP in the EBDA or 0xE0000-0xFFFFF";
        return false;
    }
    const uint8_t *root = 0;
    unsigned esize = 4;
    if (rsdp_len >= 36) {       /* ACPI 2.0+ with a valid extended checksum */
        root = table_ok(*(const uint64_t *)(rsdp + 24), "XSDT");
        esize = 8;
    }
    if (!root) {
        root = table_ok(*(const uint32_t *)(rsdp + 16), "RSDT");
        esize = 4;
    }
    if (!root) {
        acpi_error = "no valid RSDT/XSDT";
        return false;
    }
    const uint8_t *madt = 0;
    uint32_t rlen = *(const uint32_t *)(root + 4);
    for (uint32_t o = 36; o + esize <= rlen && !madt; o += esize) {
        uint64_t a = esize == 8 ? *(const uint64_t *)(root + o) : *(const uint32_t *)(root + o);
        madt = table_ok(a, "APIC");
    }
    if (!madt) {
        acpi_error = "no valid MADT";
        return false;
    }
    sdk_lapic_base = *(const uint32_t *)(madt + 36);
    uint32_t mlen = *(const uint32_t *)(madt + 4);
    for (uint32_t o = 44; o + 2 <= mlen;) {
        const uint8_t *e = madt + o;
        if (e[1] < 2 || o + e[1] > mlen)
            break;
        if (e[0] == 0 && e[1] >= 8)             /* processor local APIC */
            add_cpu(e[3], *(const uint32_t *)(e + 4));
        else if (e[0] == 9 && e[1] >= 16)       /* processor local x2APIC */
            add_cpu(*(const uint32_t *)(e + 4), *(const uint32_t *)(e + 8));
        else if (e[0] == 5 && e[1] >= 12) {     /* local APIC address override */
            uint64_t a = *(const uint64_t *)(e + 4);
            if (a < (1ull << 32))
                sdk_lapic_base = (uint32_t)a;
        }
        o += e[1];
    }
    return true;
}

static bool in_madt(uint32_t apic)
{
    for (unsigned i = 0; i < ncpus; i++)
        if (cpus[i].apic == apic)
            return true;
    return false;
}

/* ---- the AP page ------------------------------------------------------- */

static volatile uint8_t *mb;

static volatile uint32_t *mb32(uint32_t off)
{
    return (volatile uint32_t *)(mb + off);
}

static uint32_t starts_of(uint32_t apic)
{
    return apic < 256 ? *mb32(MB_STARTS + apic * 4) : 0;
}

static struct record read_record(unsigned i)
{
    volatile struct record *r = (volatile struct record *)(mb + MB_RECORDS + i * 32);
    return (struct record){ r->magic, r->apic, r->starts, r->maxleaf,
                            { r->vendor[0], r->vendor[1], r->vendor[2] }, r->vmcall };
}

static void new_round(void)
{
    *mb32(MB_SLOT) = 0;
    *mb32(MB_DONE) = 0;
    for (unsigned i = 0; i <= NREC; i++)
        *mb32(MB_RECORDS + i * 32) = 0;
}

/* Wait until want APs completed their records, then the settling time for
 * any extra arrival (or a restart) to show; returns the arrivals. */
static uint32_t wait_arrivals(uint32_t want, uint32_t timeout_ms, uint32_t settle_ms)
{
    uint64_t start = sdk_rdtsc(), end = start + (uint64_t)timeout_ms * 1000 * sdk_tsc_mhz;
    while (*mb32(MB_DONE) < want && sdk_rdtsc() < end)
        __asm__ volatile("pause");
    sdk_udelay(settle_ms * 1000);
    return *mb32(MB_DONE);
}

/* ---- rounds ------------------------------------------------------------- */

static uint32_t bsp_apic, expect, hv_version;
static bool hv;
static struct sdk_cpuid bsp_leaf0;
static uint32_t aps[MAX_CPUS];      /* the APs that answered round 1 */
static unsigned naps;

static const char *vmcall_str(uint32_t v, char *buf, unsigned len)
{
    if (v == NO_VMCALL)
        return "none";
    fmt_snprintf(buf, len, "%#x", v);
    return buf;
}

/* Checks the records of a broadcast round: every AP answered once, with
 * start counter before[id] + 1. */
static void check_broadcast(const char *round, uint32_t got, const uint32_t *before)
{
    sdk_checkf(got == expect, "%s: %u APs answered, expected %u", round, got, expect);
    bool ids_ok = true, starts_ok = true, cpuid_ok = true, vmcall_ok = true, magic_ok = true;
    uint32_t seen[NREC];
    unsigned nseen = 0;
    for (unsigned i = 0; i < got && i < NREC; i++) {
        struct record r = read_record(i);
        char vb[16];
        bool cpuid = r.maxleaf == bsp_leaf0.eax && r.vendor[0] == bsp_leaf0.ebx &&
                     r.vendor[1] == bsp_leaf0.edx && r.vendor[2] == bsp_leaf0.ecx;
        sdk_printf("smp: ap apic=%u starts=%u cpuid=%s vmcall=%s\n", r.apic, r.starts,
                   cpuid ? "ok" : "BAD", vmcall_str(r.vmcall, vb, sizeof(vb)));
        magic_ok &= r.magic == REC_MAGIC;
        bool dup = false;
        for (unsigned j = 0; j < nseen; j++)
            dup |= seen[j] == r.apic;
        seen[nseen++] = r.apic;
        ids_ok &= !dup && r.apic != bsp_apic && in_madt(r.apic);
        uint32_t want = (before && r.apic < 256 ? before[r.apic] : 0) + 1;
        starts_ok &= r.starts == want && starts_of(r.apic) == want;
        cpuid_ok &= cpuid;
        if (hv)
            vmcall_ok &= r.vmcall == hv_version;
        else
            vmcall_ok &= r.vmcall == NO_VMCALL;
    }
    if (got > NREC)
        sdk_printf("smp: %u arrivals, only %u recorded\n", got, NREC);
    sdk_checkf(magic_ok, "%s: every arrival's record complete", round);
    sdk_checkf(ids_ok, "%s: every AP's APIC id is in the MADT, not the BSP's, none twice", round);
    sdk_checkf(starts_ok, "%s: every AP started exactly once (the second SIPI was ignored)",
               round);
    sdk_checkf(cpuid_ok, "%s: every AP's real-mode CPUID leaf 0 matches the BSP's", round);
    if (hv)
        sdk_checkf(vmcall_ok, "%s: every AP's real-mode VMCALL HC_VERSION returned %#x", round,
                   hv_version);
    else
        sdk_checkf(vmcall_ok, "%s: no hypervisor: no AP attempted VMCALL", round);
}

int main(void)
{
    bsp_apic = sdk_cpuid(1, 0).ebx >> 24;
    bsp_leaf0 = sdk_cpuid(0, 0);
    hv = sdk_hv_present();
    if (hv)
        hv_version = (uint32_t)sdk_hypercall(HC_VERSION, 0, 0, 0, 0);

    bool acpi = parse_acpi();
    sdk_checkf(acpi, "acpi: MADT found (%s)", acpi ? "ok" : acpi_error);
    bool bsp_enabled = false;
    for (unsigned i = 0; i < ncpus; i++)
        bsp_enabled |= cpus[i].apic == bsp_apic && cpus[i].enabled;
    uint32_t def = nenabled - (bsp_enabled ? 1 : 0);
    if (!acpi)
        def = 0;
    expect = sdk_arg("expect", def);
    uint32_t delay = sdk_arg("delay", 10000);
    uint32_t timeout = sdk_arg("timeout", 200);
    const uint32_t settle = 10;     /* ms after the last expected arrival */

    sdk_printf("smp: bsp apic=%u madt cpus=%u expect=%u (enabled %u, delay=%u us, %s)\n",
               bsp_apic, ncpus, expect, nenabled, delay, hv ? "under monovisor" : "native");
    for (unsigned i = 0; i < ncpus; i++)
        sdk_printf("smp: madt apic=%u %s\n", cpus[i].apic,
                   cpus[i].enabled ? "enabled" : "online-capable");
    if (acpi)
        sdk_checkf(bsp_enabled, "bsp apic %u is an enabled MADT processor", bsp_apic);
    if (hv)
        sdk_checkf((int32_t)hv_version >= 0, "bsp: VMCALL HC_VERSION = %#x", hv_version);
    const char *how = sdk_tsc_calibrate();
    sdk_printf("smp: tsc %u MHz (%s)\n", sdk_tsc_mhz, how);

    uint32_t page = sdk_low_page();
    sdk_checkf(page != 0, "AP start page below 1 MiB in RAM: %#x (vector %#x)", page, page >> 12);
    if (!page)
        sdk_finish();
    uint32_t svr = sdk_apic_read(SDK_APIC_SVR);
    sdk_printf("smp: lapic base=%#x id=%u svr=%#x\n", sdk_lapic_base,
               sdk_apic_read(SDK_APIC_ID) >> 24, svr);
    sdk_apic_enable();
    sdk_checkf(sdk_apic_read(SDK_APIC_ID) >> 24 == bsp_apic, "lapic id register = cpuid apic id %u",
               bsp_apic);

    mb = (volatile uint8_t *)page;
    uint32_t blob = (uint32_t)(ap_blob_end - ap_blob_start);
    if (blob > MB_HV) {
        sdk_checkf(false, "AP blob (%u bytes) fits before the mailbox", blob);
        sdk_finish();
    }
    for (uint32_t i = 0; i < 0x1000; i++)
        mb[i] = i < blob ? (uint8_t)ap_blob_start[i] : 0;
    *mb32(MB_HV) = hv;
    uint32_t vector = page >> 12;
    if (!expect)
        sdk_printf("smp: no APs expected (expect=0)\n");

    /* Round 1: broadcast. */
    sdk_printf("smp: round 1: broadcast INIT, %u us, SIPI, SIPI\n", delay);
    new_round();
    sdk_init_sipi_sipi(0, SDK_ICR_ALL_BUT_SELF, vector, delay);
    uint32_t got = wait_arrivals(expect, timeout, settle);
    check_broadcast("round 1 broadcast", got, 0);
    naps = 0;
    for (unsigned i = 0; i < got && i < NREC; i++) {
        struct record r = read_record(i);
        if (r.apic != bsp_apic && r.apic < 256 && naps < MAX_CPUS)
            aps[naps++] = r.apic;
    }

    /* Round 2: one AP at a time. */
    sdk_printf("smp: round 2: each AP alone: INIT, %u us, SIPI, SIPI\n", delay);
    for (unsigned k = 0; k < naps; k++) {
        uint32_t id = aps[k], before[MAX_CPUS];
        for (unsigned j = 0; j < naps; j++)
            before[j] = starts_of(aps[j]);
        new_round();
        sdk_init_sipi_sipi(id, 0, vector, delay);
        uint32_t n = wait_arrivals(1, timeout, settle);
        struct record r = read_record(0);
        bool others = true;
        for (unsigned j = 0; j < naps; j++)
            if (j != k)
                others &= starts_of(aps[j]) == before[j];
        char vb[16];
        sdk_printf("smp: ap apic=%u starts=%u vmcall=%s\n", r.apic, starts_of(id),
                   vmcall_str(r.vmcall, vb, sizeof(vb)));
        sdk_checkf(n == 1 && r.magic == REC_MAGIC && r.apic == id && others &&
                       starts_of(id) == before[k] + 1 && r.starts == before[k] + 1,
                   "round 2 ap %u alone: %u answered, starts %u -> %u", id, n, before[k],
                   starts_of(id));
    }

    /* Round 3: broadcast back to back. */
    sdk_printf("smp: round 3: broadcast INIT, SIPI, SIPI back to back\n");
    static uint32_t before[256];
    for (unsigned i = 0; i < 256; i++)
        before[i] = starts_of(i);
    new_round();
    sdk_init_sipi_sipi(0, SDK_ICR_ALL_BUT_SELF, vector, 0);
    got = wait_arrivals(expect, timeout, settle);
    check_broadcast("round 3 back-to-back", got, before);

    /* Round 4 (storm=N): N broadcasts of INIT, SIPI, SIPI back to back,
     * without waiting for anybody, then a clean broadcast round: every AP
     * must still start exactly once. */
    uint32_t storm = sdk_arg("storm", 0);
    if (storm) {
        sdk_printf("smp: round 4: %u INIT-SIPI-SIPI broadcasts back to back\n", storm);
        for (uint32_t i = 0; i < storm; i++)
            sdk_init_sipi_sipi(0, SDK_ICR_ALL_BUT_SELF, vector, 0);
        sdk_udelay(settle * 1000);      /* the last starts finish */
        for (unsigned i = 0; i < 256; i++)
            before[i] = starts_of(i);
        new_round();
        sdk_init_sipi_sipi(0, SDK_ICR_ALL_BUT_SELF, vector, delay);
        got = wait_arrivals(expect, timeout, settle);
        check_broadcast("round 5 after the storm", got, before);
    }

    sdk_checkf(!sdk_icr_stuck, "ICR delivery status idle before each of %u IPIs", sdk_ipis_sent);
    if (sdk_arg("hold", 0)) {
        /* Every core stays in the guest: the APs halted, the BSP here. */
        sdk_printf("smp: holding, %u checks failed\n", sdk_failed());
        for (;;)
            __asm__ volatile("pause");
    }
    sdk_finish();
}
