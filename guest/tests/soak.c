/*
 * soak.c - many mixed exits, then the books must balance: CPUID, OUT to
 * port 0x80 (boot with run="trap io 0x80 on"), RDMSR of
 * IA32_FEATURE_CONTROL (always intercepted), VMCALL HC_VERSION, and with
 * ept=lazy first touches of fresh 2 MiB blocks of RAM, in turn. Every
 * answer is checked, then HC_EXIT_STATS must show exactly what the guest
 * did: each of those reasons grew by the guest's own count, nothing else
 * grew but the preemption timer (the console's tick), and the total is
 * the sum. The boot test compares `stats` with the counts printed here
 * and the hypervisor's pool before and after (no leak).
 *
 * Arguments: exits=N    exits to cause (default 10^6: about 10 s of
 *                       Bochs time)
 *            touches=T  first touches among them, with ept=lazy (default 64)
 */
#include "../sdk/sdk.h"

#define MIB (1u << 20)
#define BLOCK (2u * MIB)
#define TOUCH_BASE (64u * MIB)      /* above the guest image, below mem= limits */

static sdk_exit_stats_t s0, s1;

int main(void)
{
    uint32_t total = sdk_arg("exits", 1000000), touches = sdk_arg("touches", 64);
    if (touches > total / 4)
        touches = total / 4;
    sdk_printf("soak: %u exits, %u of them first touches\n", total, touches);
    /* The guest's own pages first (the first 2 MiB fault in 4 KiB at a
     * time with ept=lazy), so that only the touches below count. */
    for (uint32_t a = MIB; a < BLOCK; a += 4096)
        (void)*(volatile uint32_t *)a;
    sdk_exit_stats(s0);
    sdk_exit_stats(s0);

    uint32_t n_cpuid = 0, n_io = 0, n_rdmsr = 0, n_vmcall = 0, n_touch = 0;
    uint32_t bad_cpuid = 0, bad_rdmsr = 0, bad_vmcall = 0;
    uint32_t vendor = 0, fc_lo = 0;
    /* An MSR every vCPU exits on, with a lock bit set: Intel's
     * IA32_FEATURE_CONTROL (bit 0), AMD's VM_CR (bit 3, SVM locked off). */
    uint32_t trapped_msr = sdk_vmmcall ? 0xC0010114u : 0x3Au;
    uint32_t lock_bit = sdk_vmmcall ? 1u << 3 : 1u;
    uint32_t every = touches ? (total - touches) / touches : 0;
    for (uint32_t i = 0, k = 0; i < total; i++) {
        if (n_touch < touches && k == every) {
            (void)*(volatile uint32_t *)(TOUCH_BASE + n_touch * BLOCK);
            n_touch++;
            k = 0;
            continue;
        }
        k++;
        switch (i & 3) {
        case 0: {
            uint32_t a = 0, b, c = 0, d;
            __asm__ volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
            if (!n_cpuid)
                vendor = b;
            bad_cpuid += b != vendor;
            n_cpuid++;
            break;
        }
        case 1:
            outb(0x80, (uint8_t)i);
            n_io++;
            break;
        case 2: {
            uint32_t lo, hi;
            __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(trapped_msr));
            if (!n_rdmsr)
                fc_lo = lo;
            bad_rdmsr += lo != fc_lo || !(lo & lock_bit);
            n_rdmsr++;
            break;
        }
        default:
            bad_vmcall += sdk_hypercall(HC_VERSION, 0, 0, 0, 0) != HC_ABI_VERSION;
            n_vmcall++;
            break;
        }
    }
    sdk_exit_stats(s1);

    uint64_t d[HC_STATS_REASONS + 1], sum = 0;
    for (unsigned r = 0; r <= HC_STATS_REASONS; r++) {
        d[r] = s1[r] - s0[r];
        if (r)
            sum += d[r];
    }
    uint64_t preempt = d[1 + VEXIT_TIMER];
    sdk_printf("soak: cpuid=%u io=%u rdmsr=%u vmcall=%u touches=%u preemption_timer=%llu total=%llu\n",
               n_cpuid, n_io, n_rdmsr, n_vmcall, n_touch, (unsigned long long)preempt,
               (unsigned long long)d[0]);
    /* The whole run's counts, for the test to compare with `stats`: the
     * guest did no CPUID or RDMSR elsewhere, and three more VMCALLs
     * (HC_EXIT_STATS twice before, once after). */
    sdk_printf("soak: run cpuid=%u rdmsr=%u vmcall=%u\n", n_cpuid, n_rdmsr, n_vmcall + 3);
    sdk_checkf(!bad_cpuid && !bad_rdmsr && !bad_vmcall,
               "every answer right (%u cpuid, %u rdmsr, %u vmcall wrong)", bad_cpuid, bad_rdmsr, bad_vmcall);
    sdk_checkf(d[1 + VEXIT_CPUID] == n_cpuid, "cpuid exits %llu = %u done",
               (unsigned long long)d[1 + VEXIT_CPUID], n_cpuid);
    sdk_checkf(d[1 + VEXIT_IO] == n_io, "io exits %llu = %u done", (unsigned long long)d[1 + VEXIT_IO],
               n_io);
    sdk_checkf(d[1 + VEXIT_RDMSR] == n_rdmsr, "rdmsr exits %llu = %u done",
               (unsigned long long)d[1 + VEXIT_RDMSR], n_rdmsr);
    sdk_checkf(d[1 + VEXIT_HYPERCALL] == n_vmcall + 1, "vmcall exits %llu = %u done + this HC_EXIT_STATS",
               (unsigned long long)d[1 + VEXIT_HYPERCALL], n_vmcall);
    bool lazy = sdk_arg_is("ept", "lazy");
    sdk_checkf(d[1 + VEXIT_NPF] == (lazy ? n_touch : 0), "ept exits %llu = %u first touches (ept=%s)",
               (unsigned long long)d[1 + VEXIT_NPF], lazy ? n_touch : 0, lazy ? "lazy" : "static");
    uint64_t known = n_cpuid + n_io + n_rdmsr + n_vmcall + 1 + (lazy ? n_touch : 0) + preempt;
    sdk_checkf(sum == d[0] && d[0] == known,
               "total %llu = the sum per reason %llu = the guest's %llu + %llu preemption timer",
               (unsigned long long)d[0], (unsigned long long)sum, (unsigned long long)(known - preempt),
               (unsigned long long)preempt);
    sdk_finish();
}
