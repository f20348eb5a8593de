/*
 * sdk.h - the guest SDK: a tiny freestanding library for 32-bit Multiboot
 * guests that boot both natively from GRUB and under monovisor.
 *
 * A guest defines int main(void); the SDK sets up a GDT, an IDT, a stack
 * and the serial port first, and exits with main's return value.
 */
#ifndef SDK_H
#define SDK_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../../kernel/hypercall_abi.h"

int main(void);

/* Guests run with physical addresses below 4 GiB as their own (no paging,
 * or the identity map of start64.asm), 32-bit and 64-bit builds alike. */
static inline void *sdk_ptr(uint64_t phys) { return (void *)(uintptr_t)phys; }
static inline uint32_t sdk_phys(const volatile void *p) { return (uint32_t)(uintptr_t)p; }

/* Console output on COM1 (a virtual UART under monovisor). */
void sdk_putc(char c);
void sdk_puts(const char *s);
int sdk_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Port I/O and instructions. */
static inline void outb(uint16_t port, uint8_t v) { __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port)); }
static inline uint8_t inb(uint16_t port)
{
    uint8_t v;
    __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}
static inline void outw(uint16_t port, uint16_t v) { __asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port)); }
static inline uint16_t inw(uint16_t port)
{
    uint16_t v;
    __asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}
static inline uint64_t sdk_rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

struct sdk_cpuid {
    uint32_t eax, ebx, ecx, edx;
};
static inline struct sdk_cpuid sdk_cpuid(uint32_t leaf, uint32_t sub)
{
    struct sdk_cpuid r;
    __asm__ volatile("cpuid" : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx) : "a"(leaf), "c"(sub));
    return r;
}

/* True when CPUID leaf 40000000H says "monovisor". */
bool sdk_hv_present(void);

/* The hypercall instruction of this CPU's vendor (kernel/hypercall_abi.h):
 * VMMCALL on AMD and Hygon (SVM), VMCALL elsewhere (VMX); each is #UD on
 * the other's CPUs. sdk_main sets it from CPUID 0 before main. */
extern bool sdk_vmmcall;

/* A hypercall with the ABI of kernel/hypercall_abi.h. Only under monovisor. */
static inline long sdk_hypercall(long nr, long a0, long a1, long a2, long a3)
{
    long ret;
    if (sdk_vmmcall)
        __asm__ volatile("vmmcall" : "=a"(ret) : "a"(nr), "b"(a0), "c"(a1), "d"(a2), "S"(a3) : "memory");
    else
        __asm__ volatile("vmcall" : "=a"(ret) : "a"(nr), "b"(a0), "c"(a1), "d"(a2), "S"(a3) : "memory");
    return ret;
}

/* Exception vectors sdk_catch returns. */
#define SDK_VEC_NMI 2
#define SDK_VEC_UD  6
#define SDK_VEC_GP  13
#define SDK_VEC_PF  14

/* Run fn(arg); -1 if it returned, else the exception vector it raised. */
int sdk_catch(void (*fn)(void *), void *arg);

/* The same with fn running at CPL 3 (flat ring-3 segments, its own 4 KiB
 * stack, no port access). */
int sdk_catch_user(void (*fn)(void *), void *arg);

/* RDMSR / WRMSR under sdk_catch: -1 or the vector raised. */
int sdk_rdmsr(uint32_t msr, uint64_t *val);
int sdk_wrmsr(uint32_t msr, uint64_t val);

/* A 32-bit read or write of addr under sdk_catch: -1 or the vector. */
int sdk_read32(uint32_t addr, uint32_t *val);
int sdk_write32(uint32_t addr, uint32_t val);

/* NMIs (vector 2) call fn, which returns with IRET, instead of being
 * reported as unexpected; 0 restores that. */
void sdk_set_nmi_handler(void (*fn)(void));

#ifdef __x86_64__
/* ---- 64-bit guests (start64.asm, frame64.c) ---- */

/* Selectors of start64.asm's GDT. */
#define SDK_SEL_CODE32  0x08
#define SDK_SEL_DATA    0x10
#define SDK_SEL_CODE64  0x18
#define SDK_SEL_UCODE32 0x23
#define SDK_SEL_UDATA   0x2B
#define SDK_SEL_UCODE64 0x33
#define SDK_SEL_CODE16  0x38
#define SDK_SEL_DATA16  0x40
#define SDK_SEL_TSS     0x48
#define SDK_SEL_FREE    0x58    /* 0x58-0x70: descriptors tests may set */
extern uint64_t sdk_gdt[];

/* The interrupted state as an exception or interrupt stub saved it: the
 * GPRs, the vector and error code (0 where the CPU pushes none), then the
 * CPU's own frame (SDM Vol. 3A, 6.14.2). A handler may change any of it;
 * the stub's IRETQ loads it. */
struct sdk_frame {
    uint64_t r15, r14, r13, r12, r11, r10, r9, r8, rbp, rdi, rsi, rdx, rcx, rbx, rax;
    uint64_t vector, error, rip, cs, rflags, rsp, ss;
};
typedef void (*sdk_handler)(struct sdk_frame *f);

/* Vector's handler (0: none; the previous one is returned). Without one
 * an exception ends sdk_catch, or the guest (status 3). */
sdk_handler sdk_set_handler(unsigned vector, sdk_handler fn);

/* The gate of vector: its IST index (0-7), DPL, present bit, type (0xE
 * interrupt gate, 0xF trap gate). */
void sdk_set_ist(unsigned vector, unsigned ist);
void sdk_set_gate_dpl(unsigned vector, unsigned dpl);
void sdk_set_gate_present(unsigned vector, bool present);
void sdk_set_gate_type(unsigned vector, unsigned type);
extern char sdk_ist_stack_top[];     /* IST1 */

/* The exception that ended the last sdk_catch/sdk_catch_user: the CPU's
 * frame as pushed and CR2 at the handler. */
struct sdk_fault {
    uint64_t vector, error, rip, cs, rflags, rsp, ss, cr2;
};
extern struct sdk_fault sdk_fault;

/* The identity map of the low 4 GiB: sdk_pd[i] maps the 2 MiB page at
 * i << 21 (present, writable, user; the top GiB uncached). */
extern uint64_t sdk_pml4[512], sdk_pd[4 * 512];
#else
/* An interrupt gate (DPL 0, ring 0 code) for vector to stub, an assembly
 * routine that ends in IRET; the IDT's limit grows to all 256 vectors
 * (others not present: #NP). 32-bit guests' hardware interrupts. */
void sdk_set_irq_gate(unsigned vector, void (*stub)(void));

/* SDK_IRQ_STUB(stub, fn): the interrupt entry `stub` for sdk_set_irq_gate
 * that saves the GPRs, calls void fn(void) (a global function: the EOI is
 * fn's) and returns with IRET. */
#define SDK_IRQ_STUB(stub, fn)                                                  \
    void fn(void);                                                              \
    void stub(void);                                                            \
    __asm__(".text\n.globl " #stub "\n" #stub ":\n\tpushal\n\tcld\n\tcall " #fn \
            "\n\tpopal\n\tiretl\n")

/* VMCALL with 64-bit registers (from IA-32e mode, entered and left
 * around it; see start.asm). back32: load the registers in 64-bit mode,
 * then VMCALL from 32-bit mode with RBX and RSI keeping their upper
 * halves (RAX, RCX, RDX reloaded as 32-bit values). */
struct sdk_regs64 {
    uint64_t rax, rbx, rcx, rdx, rsi;
};
void sdk_vmcall64(struct sdk_regs64 *r, int back32);
static inline long long sdk_hypercall64(uint64_t nr, uint64_t a0, uint64_t a1)
{
    struct sdk_regs64 r = { nr, a0, a1, 0, 0 };
    sdk_vmcall64(&r, 0);
    return (long long)r.rax;
}
#endif

/* HC_EXIT_STATS into st[0] (total) and st[1 + reason], reason one of the
 * VEXIT_* of hypercall_abi.h; the call's result. */
typedef uint64_t sdk_exit_stats_t[HC_STATS_REASONS + 1];
long sdk_exit_stats(sdk_exit_stats_t st);

/* Reload the IDT with a new limit (0: every exception triple-faults). */
void sdk_load_idt(uint16_t limit);

/* End the guest: port 0xf4 under monovisor (and QEMU), then Bochs's
 * shutdown port, then halt. */
_Noreturn void sdk_exit(int status);

/* Multiboot information the guest was started with (0 if none): EAX and
 * EBX at entry, SDK_MB1_MAGIC or SDK_MB2_MAGIC (a guest linked with the
 * Multiboot2 start file, GNUmakefile's MB2_GUESTS). The functions below
 * read either kind. */
#define SDK_MB1_MAGIC 0x2BADB002u
#define SDK_MB2_MAGIC 0x36D76289u
extern uint32_t sdk_mb_magic, sdk_mb_info;

/* The first Multiboot2 boot information tag of type (its type and size
 * words first; Multiboot2 spec 3.6), or 0 (none, or not Multiboot2). */
const uint32_t *sdk_mb2_tag(uint32_t type);

/* The guest's command line ("" if none). */
const char *sdk_cmdline(void);

/* The number after "key=" in the command line, or def. */
uint32_t sdk_arg(const char *key, uint32_t def);

/* The word after "key=" in the command line compared with word. */
bool sdk_arg_is(const char *key, const char *word);

/* The hypervisor's region as our memory map shows it: the lowest reserved
 * entry of 2 MiB or more between 16 MiB and 4 GiB. Its base, 0 if none. */
uint64_t sdk_hypervisor_region(uint64_t *len);

/* Walk the Multiboot memory map: fn(base, len, type) for each entry. */
void sdk_memory_map(void (*fn)(uint64_t base, uint64_t len, uint32_t type, void *ctx), void *ctx);

/* The ACPI RSDP (ACPI 6.5, 5.2.5.1: the first KiB of the EBDA, then
 * 0xE0000-0xFFFFF, on 16-byte boundaries, with a valid checksum), or 0.
 * *len: 20 for an ACPI 1.0 RSDP, else its length field when the extended
 * checksum holds (what drivers/acpi_tables.h's acpi_parse() takes). */
const void *sdk_find_rsdp(size_t *len);

/* An acpi_map_fn (drivers/acpi_tables.h) for a guest without paging:
 * physical addresses below 4 GiB are pointers; NULL above. */
const void *sdk_phys_map(void *ctx, uint64_t phys, size_t len);

/* Test helpers: one "ok NAME" / "FAIL NAME" line per check, then the
 * summary line "N passed, N failed" and an exit status (1 if any failed). */
void sdk_check(bool ok, const char *name);
void sdk_checkf(bool ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
_Noreturn void sdk_finish(void);

/* The summary line alone, for a guest that goes on after it; returns the
 * number of failed checks. */
unsigned sdk_summary(void);

/* The number of failed checks so far. */
unsigned sdk_failed(void);

/* ---- processors (guest/sdk/mp.c) ---- */

/* TSC ticks per microsecond: sdk_tsc_calibrate() measures it against PIT
 * channel 2 (or takes the tsc_mhz= argument) and says how. */
extern uint32_t sdk_tsc_mhz;
const char *sdk_tsc_calibrate(void);
void sdk_udelay(uint32_t us);

/* The xAPIC at sdk_lapic_base (default 0xFEE00000). */
#define SDK_APIC_ID         0x020
#define SDK_APIC_SVR        0x0F0
#define SDK_APIC_ICR_LO     0x300
#define SDK_APIC_ICR_HI     0x310
#define SDK_ICR_BUSY        (1u << 12)
#define SDK_ICR_NMI         0x00004400u     /* NMI, level assert, edge */
#define SDK_ICR_INIT        0x00004500u     /* INIT, level assert, edge */
#define SDK_ICR_SIPI        0x00004600u     /* start-up, level assert | vector */
#define SDK_ICR_ALL_BUT_SELF (3u << 18)
extern uint32_t sdk_lapic_base;
extern unsigned sdk_icr_stuck, sdk_ipis_sent;   /* ICR never idle; IPIs sent */
uint32_t sdk_apic_read(uint32_t reg);
void sdk_apic_write(uint32_t reg, uint32_t v);

/* Software-enable the local APIC (SVR bit 8, spurious vector 0xFF) if the
 * firmware left it off (SDM Vol. 3A, 12.9). */
void sdk_apic_enable(void);

/* An IPI (physical destination dest unless low holds a shorthand), after
 * waiting for the previous one's delivery status to go idle. */
void sdk_send_ipi(uint32_t dest, uint32_t low);

/* INIT, delay, SIPI, 200 us (or nothing when delay is 0), SIPI. */
void sdk_init_sipi_sipi(uint32_t dest, uint32_t shorthand, uint32_t vector, uint32_t delay_us);

/* A free RAM page below 1 MiB (0x8000 if it is), clear of the Multiboot
 * information: where an AP's real-mode code can go. 0 if none. */
uint32_t sdk_low_page(void);

/* The 4 KiB page at page is RAM in the memory map and clear of the
 * Multiboot information, its command line and memory map. */
bool sdk_page_usable(uint32_t page);

#endif
