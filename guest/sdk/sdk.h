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

#include "../../vmx/hypercall_abi.h"

int main(void);

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

/* VMCALL with the ABI of vmx/hypercall_abi.h. Only under monovisor. */
static inline long sdk_hypercall(long nr, long a0, long a1, long a2, long a3)
{
    long ret;
    __asm__ volatile("vmcall" : "=a"(ret) : "a"(nr), "b"(a0), "c"(a1), "d"(a2), "S"(a3) : "memory");
    return ret;
}

/* Run fn(arg); -1 if it returned, else the exception vector it raised. */
int sdk_catch(void (*fn)(void *), void *arg);

/* Reload the IDT with a new limit (0: every exception triple-faults). */
void sdk_load_idt(uint16_t limit);

/* End the guest: port 0xf4 under monovisor (and QEMU), then Bochs's
 * shutdown port, then halt. */
_Noreturn void sdk_exit(int status);

/* Multiboot information the guest was started with (0 if none). */
extern uint32_t sdk_mb_magic, sdk_mb_info;

/* The guest's command line ("" if none). */
const char *sdk_cmdline(void);

/* The number after "key=" in the command line, or def. */
uint32_t sdk_arg(const char *key, uint32_t def);

/* The word after "key=" in the command line compared with word. */
bool sdk_arg_is(const char *key, const char *word);

/* The hypervisor's region as our memory map shows it: the reserved entry
 * of 2 MiB or more between 16 MiB and 4 GiB. Its base, 0 if none. */
uint64_t sdk_hypervisor_region(uint64_t *len);

/* Walk the Multiboot memory map: fn(base, len, type) for each entry. */
void sdk_memory_map(void (*fn)(uint64_t base, uint64_t len, uint32_t type, void *ctx), void *ctx);

/* The ACPI RSDP (ACPI 6.5, 5.2.5.1: the first KiB of the EBDA, then
 * 0xE0000-0xFFFFF, on 16-byte boundaries, with a valid checksum), or 0.
 * *len: 20 for an ACPI 1.0 RSDP, else its length field when the extended
 * checksum holds (what drivers/acpi_tables.h's acpi_parse() takes). */
const void *sdk_find_rsdp(size_t *len);

/* Test helpers: one "ok NAME" / "FAIL NAME" line per check, then the
 * summary line "N passed, N failed" and an exit status (1 if any failed). */
void sdk_check(bool ok, const char *name);
void sdk_checkf(bool ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
_Noreturn void sdk_finish(void);

/* The number of failed checks so far. */
unsigned sdk_failed(void);

#endif
