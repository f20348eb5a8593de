/*
 * ept.c - the guest's side of the EPT: which touches exit and which do
 * not, and that the hypervisor's memory cannot be read, written or run.
 * Counts EPT-violation exits with HC_EXIT_STATS around each step.
 *
 * Command line: mode=static|lazy|frozen|limited names what monovisor was
 * booted with (ept=static, ept=lazy, run="ept freeze", mem=64M); all
 * expect ept_refuse=gp so that refusals come back as #GP.
 */
#include "../sdk/sdk.h"

#define VEC_GP SDK_VEC_GP
/* The HPET (IA-PC HPET specification 1.0a, 2.3): Bochs puts it here. */
#define HPET_BASE 0xFED00000u

static sdk_exit_stats_t stats;

static uint64_t ept_exits(void)
{
    sdk_exit_stats(stats);
    return stats[1 + VEXIT_NPF];
}

static uint32_t sink;
static uint32_t target;

static void do_exec(void *a) { (void)a; ((void (*)(void))target)(); }

static int touch_exec(uint32_t addr)
{
    target = addr;
    return sdk_catch(do_exec, 0);
}

static uint64_t ram_total;
static void count_ram(uint64_t base, uint64_t len, uint32_t type, void *ctx)
{
    (void)ctx;
    (void)base;
    if (type == 1)
        ram_total += len;
}

/* Touch one word in every 2 MiB of RAM from 16 MiB up to 48 MiB. */
static uint64_t touch_ram(uint32_t words_per_block)
{
    uint64_t before = ept_exits();
    for (uint32_t a = 16u << 20; a < (48u << 20); a += 2u << 20)
        for (uint32_t w = 0; w < words_per_block; w++)
            sdk_read32(a + w * 4096, &sink);
    return ept_exits() - before;
}

/* A software interrupt whose delivery meets a first touch: the stack the
 * CPU pushes the frame onto is a 2 MiB block never touched, so under
 * ept=lazy the delivery exits (a nested page fault or EPT violation with
 * the event in IDT-vectoring information / EXITINTINFO). After the fault
 * is answered the event must be delivered once, with the return address
 * past the instruction: VT-x injects it again with the instruction's
 * length, SVM lets the instruction run again (EVENTINJ would push its own
 * address). The handlers count and note the return address. */
extern uint64_t sdk_idt[256];
volatile uint32_t soft_count, soft_ret;
uint32_t saved_esp;     /* the test's own stack across the switch (asm) */
void soft_isr(void);
__asm__(".text\n.globl soft_isr\nsoft_isr:\n\t"
        "incl soft_count\n\t"
        "pushl %eax\n\t"
        "movl 4(%esp), %eax\n\t"          /* the frame's EIP */
        "movl %eax, soft_ret\n\t"
        "popl %eax\n\t"
        "iretl\n");

static void soft_on_fresh_stack(uint32_t block, bool int3)
{
    uint64_t before = ept_exits();
    soft_count = 0;
    soft_ret = 0;
    uint32_t top = block + (2u << 20) - 16, ret;
    if (int3)
        __asm__ volatile("movl %%esp, saved_esp\n\t"
                         "movl %1, %%esp\n\t"
                         "int3\n\t"
                         "1: movl saved_esp, %%esp\n\t"
                         "movl $1b, %0"
                         : "=r"(ret) : "r"(top) : "memory");
    else
        __asm__ volatile("movl %%esp, saved_esp\n\t"
                         "movl %1, %%esp\n\t"
                         "int $0x81\n\t"
                         "1: movl saved_esp, %%esp\n\t"
                         "movl $1b, %0"
                         : "=r"(ret) : "r"(top) : "memory");
    uint64_t faults = ept_exits() - before;
    sdk_checkf(soft_count == 1 && soft_ret == ret,
               "%s with its frame on a fresh page: delivered once (%u), returning past it "
               "(%#x, %#x), %llu EPT exit(s)", int3 ? "INT3" : "INT 0x81", soft_count, soft_ret,
               ret, (unsigned long long)faults);
}

int main(void)
{
    bool lazy = sdk_arg_is("mode", "lazy"), frozen = sdk_arg_is("mode", "frozen");
    bool limited = sdk_arg_is("mode", "limited");
    sdk_printf("ept: mode=%s\n", lazy ? "lazy" : frozen ? "frozen" : limited ? "limited" : "static");

    /* RAM: pre-populated (static) means no exit at all; lazy means one per
     * 2 MiB block on first touch, none the second time. The SDK's access
     * and stats helpers run once first, so that their own pages (4 KiB
     * ones in the first 2 MiB) have faulted in before anything is counted. */
    sdk_read32((uint32_t)&sink, &sink);
    ept_exits();
    uint64_t n = touch_ram(4);
    if (lazy)
        sdk_checkf(n == 16, "lazy RAM: one exit per 2 MiB block on first touch (got %llu)",
                   (unsigned long long)n);
    else
        sdk_checkf(n == 0, "static RAM: no EPT exit (got %llu)", (unsigned long long)n);
    n = touch_ram(4);
    sdk_checkf(n == 0, "RAM touched again: no EPT exit (got %llu)", (unsigned long long)n);

    /* MMIO: the HPET's page faults in once, uncacheable. (The I/O APIC's
     * page is mapped read-only from the start: kernel/vserial.c watches the
     * guest's writes to it.) */
    uint64_t before = ept_exits();
    int v = sdk_read32(HPET_BASE, &sink);       /* HPET capabilities and ID */
    if (frozen) {
        sdk_checkf(v == VEC_GP, "frozen map: first HPET touch refused (got %d)", v);
    } else {
        sdk_checkf(v == -1, "HPET capabilities readable (got %d)", v);
        sdk_checkf(ept_exits() - before == 1, "HPET page: one fault-in (got %llu)",
                   (unsigned long long)(ept_exits() - before));
        before = ept_exits();
        sdk_read32(HPET_BASE, &sink);
        sdk_checkf(ept_exits() == before, "HPET page again: no exit");
    }

    /* The local APIC's page is mapped read-only from the start: reads do
     * not exit, a write exits once and is done for the guest. */
    before = ept_exits();
    v = sdk_read32(0xFEE00030, &sink);         /* APIC version register */
    uint32_t version = sink;
    sdk_checkf(v == -1 && (version & 0xFF) != 0 && ept_exits() == before,
               "LAPIC version register readable without an exit (%#x)", version);
    volatile uint32_t *tpr = (volatile uint32_t *)0xFEE00080;
    uint32_t old_tpr = *tpr;
    *tpr = 0x20;
    uint32_t new_tpr = *tpr;
    *tpr = old_tpr;
    sdk_checkf(new_tpr == 0x20 && ept_exits() - before == 2,
               "LAPIC TPR write done for the guest (read back %#x, %llu exits)", new_tpr,
               (unsigned long long)(ept_exits() - before));

    if (lazy || (!frozen && !limited)) {
        uint64_t bp_gate = sdk_idt[3];
        sdk_set_irq_gate(0x81, soft_isr);
        sdk_set_irq_gate(3, soft_isr);
        soft_on_fresh_stack(300u << 20, false);
        soft_on_fresh_stack(302u << 20, true);
        sdk_idt[3] = bp_gate;
    }

    /* The hypervisor's region: read, write and execute are all refused. */
    uint64_t hv_len;
    uint32_t hv = (uint32_t)sdk_hypervisor_region(&hv_len);
    sdk_checkf(hv != 0, "hypervisor region in the memory map (%#x, %llu KiB)", hv,
               (unsigned long long)(hv_len >> 10));
    uint32_t probes[3] = { hv, hv + (uint32_t)(hv_len / 2), hv + (uint32_t)hv_len - 4 };
    for (int i = 0; i < 3; i++) {
        sdk_checkf(sdk_read32(probes[i], &sink) == VEC_GP, "read of hypervisor memory %#x refused",
                   probes[i]);
        sdk_checkf(sdk_write32(probes[i], 0xDEADBEEF) == VEC_GP, "write to hypervisor memory %#x refused",
                   probes[i]);
    }
    sdk_checkf(touch_exec(hv) == VEC_GP, "execution of hypervisor memory refused");

    if (limited) {
        /* mem=64M: RAM beyond the limit is not ours: not in the map, refused. */
        sdk_memory_map(count_ram, 0);
        sdk_checkf(ram_total == (64u << 20), "memory map holds exactly 64 MiB of RAM (%#llx)",
                   (unsigned long long)ram_total);
        sdk_checkf(sdk_read32(128u << 20, &sink) == VEC_GP, "RAM beyond mem= refused");
    }
    sdk_finish();
}
