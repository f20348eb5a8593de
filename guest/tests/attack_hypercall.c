/*
 * attack_hypercall.c - hostile hypercalls: arguments pointing into the
 * hypervisor's memory, at device memory, at and beyond 4 GiB, at 2^63,
 * lengths that wrap around or hide a small value above bit 31, call
 * numbers that truncate to a real one, a storm of random calls, and a
 * 32-bit VMCALL whose registers still hold upper halves from 64-bit mode.
 * Every call must come back with the answer the ABI promises
 * (HC_EFAULT, HC_EINVAL, HC_ENOSYS, or the right result), nothing may
 * be printed or written where it should not, and the hypervisor must not
 * notice anything else. 64-bit arguments go through sdk_vmcall64 (a
 * VMCALL from IA-32e mode).
 *
 * Selftest already covers: HC_PUTS and HC_EXIT_STATS at 0xFFFFF000, at
 * the hypervisor region's start, wrapping past 4 GiB from 32-bit
 * addresses, HC_PUTS longer than 4096, numbers 12345 and -1.
 *
 * Ends with "N passed, N failed", N the number of attacks.
 */
#include "../sdk/sdk.h"

static const char msg[] = "attack_hypercall: THIS LINE MUST NOT BE PRINTED\n";
static const char ok_msg[] = "attack_hypercall: stale upper halves ignored\n";

static uint64_t hv, hv_len;

static const char *err_name(long long r)
{
    switch (r) {
    case HC_EFAULT: return "EFAULT";
    case HC_EINVAL: return "EINVAL";
    case HC_ENOSYS: return "ENOSYS";
    default:        return 0;
    }
}

static void expect(long long got, long long want, const char *what)
{
    if (err_name(want))
        sdk_checkf(got == want, "%s -> %s (got %lld)", what, err_name(want), got);
    else
        sdk_checkf(got == want, "%s -> %lld (got %lld)", what, want, got);
}

/* The hypervisor's region from the memory map: pointers into it and
 * across its edges. A buffer across an edge must not be written in part. */
static void hypervisor_memory(void)
{
    uint32_t base = (uint32_t)hv, end = (uint32_t)(hv + hv_len);
    expect(sdk_hypercall(HC_PUTS, (long)(base - 8), 16, 0, 0), HC_EFAULT,
           "puts across the start of hypervisor memory");
    expect(sdk_hypercall(HC_PUTS, (long)(end - 1), 1, 0, 0), HC_EFAULT,
           "puts of the last byte of hypervisor memory");
    expect(sdk_hypercall(HC_PUTS, (long)(base + (uint32_t)hv_len / 2), HC_PUTS_MAX, 0, 0), HC_EFAULT,
           "puts of 4096 bytes in the middle of hypervisor memory");
    volatile uint64_t *below = (volatile uint64_t *)(base - 8);
    *below = 0x5A5A5A5A5A5A5A5Aull;
    long r = sdk_hypercall(HC_EXIT_STATS, (long)(base - 8), sizeof(sdk_exit_stats_t), 0, 0);
    sdk_checkf(r == HC_EFAULT && *below == 0x5A5A5A5A5A5A5A5Aull,
               "exit stats across the start of hypervisor memory -> EFAULT, nothing written (got %ld)", r);
    expect(sdk_hypercall(HC_EXIT_STATS, (long)(end - 8), 8, 0, 0), HC_EFAULT,
           "exit stats into the last 8 bytes of hypervisor memory");
}

/* Memory that is not RAM: device pages, firmware. */
static void device_memory(void)
{
    expect(sdk_hypercall(HC_PUTS, 0xFEC00000, 16, 0, 0), HC_EFAULT, "puts from the I/O APIC page");
    expect(sdk_hypercall(HC_PUTS, 0xFEE00000, 16, 0, 0), HC_EFAULT, "puts from the local APIC page");
    expect(sdk_hypercall(HC_PUTS, 0xF0000, 16, 0, 0), HC_EFAULT, "puts from the BIOS ROM");
    expect(sdk_hypercall(HC_EXIT_STATS, 0xF0000, 64, 0, 0), HC_EFAULT, "exit stats into the BIOS ROM");
    expect(sdk_hypercall(HC_EXIT_STATS, 0xE0000000, 64, 0, 0), HC_EFAULT,
           "exit stats into the PCI hole");
}

/* 64-bit addresses and lengths (VMCALL from 64-bit mode). */
static void huge_arguments(void)
{
    uint64_t m = (uint32_t)msg;
    expect(sdk_hypercall64(HC_PUTS, 1ull << 32, 16), HC_EFAULT, "puts at 4 GiB");
    expect(sdk_hypercall64(HC_PUTS, (1ull << 32) + m, 16), HC_EFAULT,
           "puts at 4 GiB + a guest string (no truncation to 32 bits)");
    expect(sdk_hypercall64(HC_PUTS, 1ull << 63, 16), HC_EFAULT, "puts at 2^63");
    expect(sdk_hypercall64(HC_PUTS, ~0ull - 15, 32), HC_EFAULT, "puts at 2^64-16, 32 bytes (wraps)");
    expect(sdk_hypercall64(HC_PUTS, m, (1ull << 32) + 5), HC_EINVAL,
           "puts of 2^32+5 bytes (no truncation to 5)");
    expect(sdk_hypercall64(HC_PUTS, m, ~0ull), HC_EINVAL, "puts of 2^64-1 bytes");
    expect(sdk_hypercall64(HC_PUTS, 1ull << 63, 0), 0, "puts of 0 bytes at 2^63: nothing to do");
    expect(sdk_hypercall64(HC_EXIT_STATS, 1ull << 63, 64), HC_EFAULT, "exit stats at 2^63");
    expect(sdk_hypercall64(HC_EXIT_STATS, ~0ull - 7, 16), HC_EFAULT, "exit stats at 2^64-8 (wraps)");
    expect(sdk_hypercall64(HC_EXIT_STATS, (1ull << 32) + m, 64), HC_EFAULT,
           "exit stats at 4 GiB + a guest buffer");
    expect(sdk_hypercall64(HC_EXIT_STATS, 1ull << 63, 0), HC_EFAULT, "exit stats of 0 bytes at 2^63");

    /* A huge length on a good buffer writes the stats and nothing more. */
    static uint64_t buf[HC_STATS_REASONS + 1 + 4];
    for (unsigned i = 0; i < sizeof(buf) / 8; i++)
        buf[i] = 0xA5A5A5A5A5A5A5A5ull;
    long long r = sdk_hypercall64(HC_EXIT_STATS, (uint32_t)buf, ~0ull);
    bool guard = true;
    for (unsigned i = HC_STATS_REASONS + 1; i < sizeof(buf) / 8; i++)
        guard &= buf[i] == 0xA5A5A5A5A5A5A5A5ull;
    sdk_checkf(r == (long long)sizeof(sdk_exit_stats_t) && guard && buf[0] != 0xA5A5A5A5A5A5A5A5ull,
               "exit stats with length 2^64-1 writes %u bytes and not one more (got %lld)",
               (unsigned)sizeof(sdk_exit_stats_t), r);
    buf[0] = 0xA5A5A5A5A5A5A5A5ull;
    r = sdk_hypercall(HC_EXIT_STATS, (long)buf, 7, 0, 0);
    sdk_checkf(r == 0 && buf[0] == 0xA5A5A5A5A5A5A5A5ull, "exit stats with 7 bytes writes nothing (got %lld)",
               r);
}

/* Numbers that are not calls, some of which become one if truncated. */
static void garbage_numbers(void)
{
    expect(sdk_hypercall(HC_COUNT, 0, 0, 0, 0), HC_ENOSYS, "call number HC_COUNT");
    expect(sdk_hypercall(0x7FFFFFFF, 1, 2, 3, 4), HC_ENOSYS, "call number 0x7fffffff");
    expect(sdk_hypercall((long)0x80000000u, 1, 2, 3, 4), HC_ENOSYS, "call number 0x80000000");
    expect(sdk_hypercall64(1ull << 32, 0, 0), HC_ENOSYS, "call number 2^32 (HC_VERSION if truncated)");
    expect(sdk_hypercall64((1ull << 32) | HC_PUTS, (uint32_t)msg, sizeof(msg) - 1), HC_ENOSYS,
           "call number 2^32+HC_PUTS");
    expect(sdk_hypercall64((1ull << 63) | HC_SHUTDOWN, 0, 0), HC_ENOSYS,
           "call number 2^63+HC_SHUTDOWN");
    struct sdk_regs64 g = { ~0ull, ~0ull, ~0ull, ~0ull, ~0ull };
    sdk_vmcall64(&g, 0);
    expect((long long)g.rax, HC_ENOSYS, "call number 2^64-1 with every argument 2^64-1");
    expect(sdk_hypercall64(HC_TRACE_MARK, ~0ull, ~0ull), 0, "trace mark of 2^64-1");
}

/* xorshift64: a fixed sequence, so a failure can be replayed. */
static uint64_t rnd_state = 0x9E3779B97F4A7C15ull;
static uint64_t rnd(void)
{
    rnd_state ^= rnd_state << 13;
    rnd_state ^= rnd_state >> 7;
    rnd_state ^= rnd_state << 17;
    return rnd_state;
}

/* Random numbers and arguments. Addresses are kept where no call may
 * write (at or above 4 GiB, or in the hypervisor's region), so a call
 * that wrongly accepted one would show as a wrong answer, not as our own
 * memory overwritten. */
static void storm(unsigned n)
{
    unsigned bad = 0, efault = 0, einval = 0, enosys = 0;
    for (unsigned i = 0; i < n; i++) {
        uint64_t nr = rnd(), a0 = rnd(), a1 = rnd();
        switch (nr & 7) {
        case 0: nr = HC_PUTS; break;
        case 1: nr = HC_EXIT_STATS; break;
        case 2: nr = HC_PUTS; a1 &= 0xFFF; break;
        case 3: nr = HC_EXIT_STATS; a1 &= 0xFFF; break;
        case 4: nr |= 1ull << 32; break;            /* never a call */
        default: nr = (nr & 0xFF) == HC_SHUTDOWN ? 0xFF : nr & 0xFF; break;
        }
        if (nr == HC_PUTS || nr == HC_EXIT_STATS)
            a0 = (a0 & 1) ? hv + (a0 % (hv_len - 0x1000)) : a0 | (1ull << 32);
        long long r = sdk_hypercall64(nr, a0, a1);
        bool ok;
        if (nr == HC_VERSION)
            ok = r == HC_ABI_VERSION;
        else if (nr == HC_TRACE_MARK)
            ok = r == 0;
        else if (nr == HC_PUTS)
            ok = r == (a1 > HC_PUTS_MAX ? HC_EINVAL : a1 ? HC_EFAULT : 0);
        else if (nr == HC_EXIT_STATS)
            ok = r == HC_EFAULT;
        else
            ok = r == HC_ENOSYS;
        efault += r == HC_EFAULT;
        einval += r == HC_EINVAL;
        enosys += r == HC_ENOSYS;
        if (!ok && bad++ < 4)
            sdk_printf("attack_hypercall: storm call %u nr=%#llx a0=%#llx a1=%#llx -> %lld\n", i,
                       (unsigned long long)nr, (unsigned long long)a0, (unsigned long long)a1, r);
    }
    sdk_checkf(!bad, "%u random hypercalls answered as the ABI says (efault=%u einval=%u enosys=%u)", n,
               efault, einval, enosys);
}

/* The ABI uses the low 32 bits of each register for a 32-bit guest. A
 * guest that was in 64-bit mode may come back with upper halves set. */
static void stale_upper_halves(void)
{
    struct sdk_regs64 r = { HC_PUTS, 0xDEADBEEF00000000ull | (uint32_t)ok_msg, sizeof(ok_msg) - 1,
                            0, 0xFFFFFFFF00000000ull };
    sdk_vmcall64(&r, 1);
    sdk_checkf((long)r.rax == (long)sizeof(ok_msg) - 1,
               "32-bit hc puts with a stale upper half in RBX uses the low 32 bits (got %ld)", (long)r.rax);
}

int main(void)
{
    sdk_puts("attack_hypercall: start\n");
    hv = sdk_hypervisor_region(&hv_len);
    sdk_checkf(sdk_hv_present() && hv != 0, "under monovisor, hypervisor region %#llx+%#llx in the map",
               (unsigned long long)hv, (unsigned long long)hv_len);
    if (!hv)
        sdk_finish();
    hypervisor_memory();
    device_memory();
    huge_arguments();
    garbage_numbers();
    storm(sdk_arg("storm", 2000));
    stale_upper_halves();
    sdk_finish();
}
