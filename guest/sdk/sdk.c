/*
 * sdk.c - guest SDK runtime; see sdk.h. printf is monovisor's own
 * formatter (kernel/fmt.c), compiled for the guest.
 */
#include "sdk.h"

#include "../../kernel/fmt.h"
#include "../../kernel/kstring.h"

#define COM1 0x3F8

uint32_t sdk_mb_magic, sdk_mb_info;
static unsigned passed, failed;

static void serial_init(void)
{
    outb(COM1 + 1, 0x00);       /* no interrupts */
    outb(COM1 + 3, 0x80);       /* DLAB */
    outb(COM1 + 0, 0x01);       /* 115200 */
    outb(COM1 + 1, 0x00);
    outb(COM1 + 3, 0x03);       /* 8N1 */
    outb(COM1 + 2, 0x07);       /* FIFOs */
}

void sdk_putc(char c)
{
    if (c == '\n')
        sdk_putc('\r');
    while (!(inb(COM1 + 5) & 0x20))
        ;
    outb(COM1, (uint8_t)c);
}

void sdk_puts(const char *s)
{
    while (*s)
        sdk_putc(*s++);
}

static void sink(void *ctx, char c)
{
    (void)ctx;
    sdk_putc(c);
}

int sdk_printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = fmt_format(sink, 0, fmt, ap);
    va_end(ap);
    return n;
}

bool sdk_hv_present(void)
{
    if (!(sdk_cpuid(1, 0).ecx & (1u << 31)))
        return false;
    struct sdk_cpuid r = sdk_cpuid(0x40000000, 0);
    return r.ebx == 0x6f6e6f6d && r.ecx == 0x6f736976 && r.edx == 0x72;  /* "monovisor" */
}

void sdk_exit(int status)
{
    outb(0xF4, (uint8_t)status);
    for (const char *s = "Shutdown"; *s; s++)
        outb(0x8900, (uint8_t)*s);
    for (;;)
        __asm__ volatile("cli; hlt");
}

void sdk_check(bool ok, const char *name)
{
    sdk_printf("%s %s\n", ok ? "ok" : "FAIL", name);
    if (ok)
        passed++;
    else
        failed++;
}

void sdk_checkf(bool ok, const char *fmt, ...)
{
    char buf[160];
    va_list ap;
    va_start(ap, fmt);
    fmt_vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    sdk_check(ok, buf);
}

unsigned sdk_failed(void)
{
    return failed;
}

unsigned sdk_summary(void)
{
    sdk_printf("%u passed, %u failed\n", passed, failed);
    return failed;
}

void sdk_finish(void)
{
    sdk_exit(sdk_summary() ? 1 : 0);
}

/* Checked accesses: the instruction runs under sdk_catch. */
static uint32_t msr_index, msr_lo, msr_hi, mem_addr, mem_val;

static void do_rdmsr(void *a)
{
    (void)a;
    __asm__ volatile("rdmsr" : "=a"(msr_lo), "=d"(msr_hi) : "c"(msr_index));
}

static void do_wrmsr(void *a)
{
    (void)a;
    __asm__ volatile("wrmsr" : : "a"(msr_lo), "d"(msr_hi), "c"(msr_index));
}

static void do_read(void *a) { (void)a; mem_val = *(volatile uint32_t *)sdk_ptr(mem_addr); }
static void do_write(void *a) { (void)a; *(volatile uint32_t *)sdk_ptr(mem_addr) = mem_val; }

int sdk_rdmsr(uint32_t msr, uint64_t *val)
{
    msr_index = msr;
    msr_lo = msr_hi = 0;
    int v = sdk_catch(do_rdmsr, 0);
    if (val)
        *val = ((uint64_t)msr_hi << 32) | msr_lo;
    return v;
}

int sdk_wrmsr(uint32_t msr, uint64_t val)
{
    msr_index = msr;
    msr_lo = (uint32_t)val;
    msr_hi = (uint32_t)(val >> 32);
    return sdk_catch(do_wrmsr, 0);
}

int sdk_read32(uint32_t addr, uint32_t *val)
{
    mem_addr = addr;
    mem_val = 0;
    int v = sdk_catch(do_read, 0);
    if (val)
        *val = mem_val;
    return v;
}

int sdk_write32(uint32_t addr, uint32_t val)
{
    mem_addr = addr;
    mem_val = val;
    return sdk_catch(do_write, 0);
}

extern void (*sdk_nmi_hook)(void);

void sdk_set_nmi_handler(void (*fn)(void))
{
    sdk_nmi_hook = fn;
}

#ifndef __x86_64__
extern uint64_t sdk_idt[256];
extern struct __attribute__((packed)) {
    uint16_t limit;
    uint32_t base;
} sdk_idt_ptr;

void sdk_set_irq_gate(unsigned vector, void (*stub)(void))
{
    /* SDM Vol. 3A, 6.11, figure 6-2: offset 15:0, selector, type 0xE
     * (32-bit interrupt gate) with P, offset 31:16. */
    uint32_t a = (uint32_t)(uintptr_t)stub;
    sdk_idt[vector & 255] = (a & 0xFFFF) | ((uint64_t)0x08 << 16) /* start.asm: SEL_CODE */ |
                            ((uint64_t)0x8E00 << 32) | ((uint64_t)(a >> 16) << 48);
    if (sdk_idt_ptr.limit < sizeof(sdk_idt) - 1)
        sdk_load_idt(sizeof(sdk_idt) - 1);
}
#endif

long sdk_exit_stats(sdk_exit_stats_t st)
{
    return sdk_hypercall(HC_EXIT_STATS, (long)st, sizeof(sdk_exit_stats_t), 0, 0);
}

/* IA-32e paging for sdk_vmcall64: the low 4 GiB identity-mapped with
 * 2 MiB pages, built on first use. Returns the PML4's address. */
static uint64_t lm_pml4[512] __attribute__((aligned(4096)));
static uint64_t lm_pdpt[512] __attribute__((aligned(4096)));
static uint64_t lm_pd[4][512] __attribute__((aligned(4096)));

uint32_t sdk_long_mode_tables(void);
uint32_t sdk_long_mode_tables(void)
{
    if (!lm_pml4[0]) {
        for (uint32_t g = 0; g < 4; g++) {
            for (uint32_t i = 0; i < 512; i++)
                lm_pd[g][i] = ((uint64_t)g << 30) | ((uint64_t)i << 21) | 0x83;
            lm_pdpt[g] = sdk_phys(lm_pd[g]) | 3;
        }
        lm_pml4[0] = sdk_phys(lm_pdpt) | 3;
    }
    return sdk_phys(lm_pml4);
}

const uint32_t *sdk_mb2_tag(uint32_t type)
{
    if (sdk_mb_magic != SDK_MB2_MAGIC || !sdk_mb_info)
        return 0;
    const uint8_t *base = sdk_ptr(sdk_mb_info);
    uint32_t total = *(const uint32_t *)base;
    for (uint32_t off = 8; off + 8 <= total;) {
        const uint32_t *t = (const uint32_t *)(base + off);
        if (t[0] == 0 || t[1] < 8)
            return 0;
        if (t[0] == type)
            return t;
        off += (t[1] + 7) & ~7u;
    }
    return 0;
}

const char *sdk_cmdline(void)
{
    if (sdk_mb_magic == SDK_MB2_MAGIC) {
        const uint32_t *t = sdk_mb2_tag(1);
        return t ? (const char *)(t + 2) : "";
    }
    const uint32_t *info = sdk_ptr(sdk_mb_info);
    if (sdk_mb_magic != SDK_MB1_MAGIC || !(info[0] & (1u << 2)) || !info[4])
        return "";
    return sdk_ptr(info[4]);
}

/* Start of the value of key in the command line, or 0. */
static const char *arg_value(const char *key)
{
    const char *cl = sdk_cmdline();
    for (const char *p = cl; *p; p++) {
        const char *k = key, *q = p;
        while (*k && *q == *k)
            k++, q++;
        if (!*k && *q == '=' && (p == cl || p[-1] == ' '))
            return q + 1;
    }
    return 0;
}

uint32_t sdk_arg(const char *key, uint32_t def)
{
    const char *v = arg_value(key);
    if (!v || *v < '0' || *v > '9')
        return def;
    uint32_t n = 0;
    for (; *v >= '0' && *v <= '9'; v++)
        n = n * 10 + (uint32_t)(*v - '0');
    return n;
}

bool sdk_arg_is(const char *key, const char *word)
{
    const char *v = arg_value(key);
    if (!v)
        return false;
    while (*word && *v == *word)
        v++, word++;
    return !*word && (*v == ' ' || *v == '\0');
}

void sdk_memory_map(void (*fn)(uint64_t base, uint64_t len, uint32_t type, void *ctx), void *ctx)
{
    if (sdk_mb_magic == SDK_MB2_MAGIC) {
        /* Multiboot2 3.6.8: entry_size, entry_version, then entries of
         * base, length, type (entry_size bytes each). */
        const uint32_t *t = sdk_mb2_tag(6);
        if (!t || t[2] < 24)
            return;
        for (uint32_t off = 16; off + t[2] <= t[1]; off += t[2]) {
            const uint32_t *e = (const uint32_t *)((const uint8_t *)t + off);
            fn(e[0] | ((uint64_t)e[1] << 32), e[2] | ((uint64_t)e[3] << 32), e[4], ctx);
        }
        return;
    }
    const uint32_t *info = sdk_ptr(sdk_mb_info);
    if (sdk_mb_magic != SDK_MB1_MAGIC || !(info[0] & (1u << 6)))
        return;
    for (uint32_t a = info[12]; a < info[12] + info[11];) {
        const uint32_t *e = sdk_ptr(a);
        fn(e[1] | ((uint64_t)e[2] << 32), e[3] | ((uint64_t)e[4] << 32), e[5], ctx);
        a += e[0] + 4;
    }
}

static uint8_t byte_sum(const uint8_t *p, uint32_t len)
{
    uint8_t s = 0;
    for (uint32_t i = 0; i < len; i++)
        s = (uint8_t)(s + p[i]);
    return s;
}

static const uint8_t *scan_rsdp(uint32_t from, uint32_t len)
{
    for (uint32_t a = from; a + 20 <= from + len; a += 16) {
        const uint8_t *p = sdk_ptr(a);
        if (!memcmp(p, "RSD PTR ", 8) && byte_sum(p, 20) == 0)
            return p;
    }
    return 0;
}

const void *sdk_phys_map(void *ctx, uint64_t phys, size_t len)
{
    (void)ctx;
    if (phys >= (1ull << 32) || len > (1ull << 32) - phys)
        return 0;
    return (const void *)(uintptr_t)phys;
}

const void *sdk_find_rsdp(size_t *len)
{
    /* Booted by Multiboot2: the loader's copy of the RSDP (tag 15 for
     * ACPI 2.0+, 14 for 1.0), the only way on a UEFI machine, whose
     * firmware keeps no RSDP in the BIOS area. */
    const uint32_t *t = sdk_mb2_tag(15);
    if (!t)
        t = sdk_mb2_tag(14);
    if (t && t[1] >= 8 + 20) {
        const uint8_t *p = (const uint8_t *)(t + 2);
        if (len)
            *len = t[1] - 8;
        return p;
    }
    uint32_t bda_ebda = 0x40E;      /* the BDA's EBDA segment */
    __asm__("" : "+r"(bda_ebda));   /* an address, not a zero-size object to GCC */
    uint32_t ebda = (uint32_t)*(volatile uint16_t *)sdk_ptr(bda_ebda) << 4;
    const uint8_t *p = 0;
    if (ebda >= 0x80000 && ebda < 0xA0000)
        p = scan_rsdp(ebda, 1024);
    if (!p)
        p = scan_rsdp(0xE0000, 0x20000);
    if (p && len) {
        uint32_t xlen = *(const uint32_t *)(p + 20);
        *len = p[15] >= 2 && xlen >= 36 && xlen <= 1024 && byte_sum(p, xlen) == 0 ? xlen : 20;
    }
    return p;
}

/* The lowest reserved entry of 2 MiB or more between 16 MiB and 4 GiB:
 * monovisor takes its region from RAM, below the windows of device space
 * firmware reserves higher up (q35's PCI Express configuration space at
 * 0xB0000000, the flash below 4 GiB); RAM that mem= keeps out is not in
 * the map at all. */
struct region {
    uint64_t base, len;
};

static void find_hv(uint64_t base, uint64_t len, uint32_t type, void *ctx)
{
    struct region *r = ctx;
    if (type == 2 && base >= (16u << 20) && len >= (2u << 20) && base + len <= (1ull << 32) &&
        (!r->base || base < r->base)) {
        r->base = base;
        r->len = len;
    }
}

uint64_t sdk_hypervisor_region(uint64_t *len)
{
    struct region r = { 0, 0 };
    sdk_memory_map(find_hv, &r);
    if (len)
        *len = r.len;
    return r.base;
}

void sdk_unexpected(uint32_t vector, uint32_t error, uint32_t eip);
void sdk_unexpected(uint32_t vector, uint32_t error, uint32_t eip)
{
    sdk_printf("guest: unexpected exception %u error=%#x eip=%#x\n", vector, error, eip);
    sdk_exit(3);
}

bool sdk_vmmcall;

void sdk_main(uint32_t magic, uint32_t info);
void sdk_main(uint32_t magic, uint32_t info)
{
    struct sdk_cpuid v = sdk_cpuid(0, 0);
    sdk_vmmcall = (v.ebx == 0x68747541 && v.edx == 0x69746E65 && v.ecx == 0x444D4163) ||   /* AuthenticAMD */
                  (v.ebx == 0x6F677948 && v.edx == 0x6E65476E && v.ecx == 0x656E6975);     /* HygonGenuine */
    sdk_mb_magic = magic;
    sdk_mb_info = info;
    serial_init();
    sdk_exit(main());
}

/* libgcc's 64-bit division for 32-bit code (the formatter divides 64-bit
 * numbers); shift-and-subtract, enough for printing. */
uint64_t __udivmoddi4(uint64_t n, uint64_t d, uint64_t *rem);
uint64_t __udivdi3(uint64_t n, uint64_t d);
uint64_t __umoddi3(uint64_t n, uint64_t d);

uint64_t __udivmoddi4(uint64_t n, uint64_t d, uint64_t *rem)
{
    uint64_t q = 0, r = 0;
    for (int i = 63; i >= 0; i--) {
        r = (r << 1) | ((n >> i) & 1);
        if (r >= d) {
            r -= d;
            q |= 1ull << i;
        }
    }
    if (rem)
        *rem = r;
    return q;
}

uint64_t __udivdi3(uint64_t n, uint64_t d)
{
    return __udivmoddi4(n, d, 0);
}

uint64_t __umoddi3(uint64_t n, uint64_t d)
{
    uint64_t r;
    __udivmoddi4(n, d, &r);
    return r;
}
