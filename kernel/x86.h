/*
 * x86.h - static inline wrappers for the instructions C cannot express
 * (the xv6 x86.h idea). Hardware shell only: never included by pure files.
 */
#ifndef X86_H
#define X86_H

#include <stdbool.h>
#include <stdint.h>

/* Architectural MSRs (SDM Vol. 4, chapter 2). */
#define MSR_IA32_APIC_BASE        0x1B
#define MSR_IA32_FEATURE_CONTROL  0x3A
#define MSR_IA32_MTRRCAP          0xFE
#define MSR_IA32_PAT              0x277
#define MSR_IA32_VMX_BASIC        0x480
#define MSR_EFER                  0xC0000080
#define MSR_IA32_GS_BASE          0xC0000101

struct cpuid_regs {
    uint32_t eax, ebx, ecx, edx;
};

static inline struct cpuid_regs cpuid(uint32_t leaf, uint32_t subleaf)
{
    struct cpuid_regs r;
    __asm__ volatile("cpuid"
                     : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx)
                     : "a"(leaf), "c"(subleaf));
    return r;
}

static inline uint64_t rdmsr(uint32_t msr)
{
    uint32_t lo, hi;
    __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    return ((uint64_t)hi << 32) | lo;
}

static inline void wrmsr(uint32_t msr, uint64_t v)
{
    __asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32))
                     : "memory");
}

/*
 * rdmsr_safe / wrmsr_safe - the access, or 1 if it raised #GP (the
 * exception table in kernel/trap.c resumes at the fixup). For MSRs a guest
 * names: the hypervisor must not die on a bad one.
 */
#define EXTABLE_ENTRY(insn, fixup)                \
    ".pushsection .extable, \"a\"\n\t"           \
    ".balign 8\n\t"                              \
    ".quad " #insn ", " #fixup "\n\t"            \
    ".popsection\n\t"

static inline int rdmsr_safe(uint32_t msr, uint64_t *val)
{
    uint32_t lo = 0, hi = 0;
    int fault = 0;
    __asm__ volatile("1: rdmsr\n\t"
                     "2:\n\t"
                     ".pushsection .text.fixup, \"ax\"\n\t"
                     "3: movl $1, %2\n\t"
                     "jmp 2b\n\t"
                     ".popsection\n\t"
                     EXTABLE_ENTRY(1b, 3b)
                     : "+a"(lo), "+d"(hi), "+r"(fault) : "c"(msr));
    *val = ((uint64_t)hi << 32) | lo;
    return fault;
}

static inline int wrmsr_safe(uint32_t msr, uint64_t v)
{
    int fault = 0;
    __asm__ volatile("1: wrmsr\n\t"
                     "2:\n\t"
                     ".pushsection .text.fixup, \"ax\"\n\t"
                     "3: movl $1, %0\n\t"
                     "jmp 2b\n\t"
                     ".popsection\n\t"
                     EXTABLE_ENTRY(1b, 3b)
                     : "+r"(fault)
                     : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32))
                     : "memory");
    return fault;
}

static inline uint64_t rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

static inline void outb(uint16_t port, uint8_t v)
{
    __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline void outw(uint16_t port, uint16_t v)
{
    __asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port));
}

static inline void outl(uint16_t port, uint32_t v)
{
    __asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
    uint8_t v;
    __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

static inline uint16_t inw(uint16_t port)
{
    uint16_t v;
    __asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

static inline uint32_t inl(uint16_t port)
{
    uint32_t v;
    __asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

#define DEFINE_READ_CR(n)                                            \
    static inline uint64_t read_cr##n(void)                          \
    {                                                                \
        uint64_t v;                                                  \
        __asm__ volatile("mov %%cr" #n ", %0" : "=r"(v));            \
        return v;                                                    \
    }
#define DEFINE_WRITE_CR(n)                                           \
    static inline void write_cr##n(uint64_t v)                       \
    {                                                                \
        __asm__ volatile("mov %0, %%cr" #n : : "r"(v) : "memory");   \
    }
DEFINE_READ_CR(0)
DEFINE_READ_CR(2)
DEFINE_READ_CR(3)
DEFINE_READ_CR(4)
DEFINE_READ_CR(8)
DEFINE_WRITE_CR(0)
DEFINE_WRITE_CR(2)
DEFINE_WRITE_CR(3)
DEFINE_WRITE_CR(4)

/* Debug registers. The hypervisor sets none of them: DR0-DR3 and DR6 hold
 * the guest's across exits (VMX switches only DR7). */
#define DEFINE_DR(n)                                                 \
    static inline uint64_t read_dr##n(void)                          \
    {                                                                \
        uint64_t v;                                                  \
        __asm__ volatile("mov %%dr" #n ", %0" : "=r"(v));            \
        return v;                                                    \
    }                                                                \
    static inline void write_dr##n(uint64_t v)                       \
    {                                                                \
        __asm__ volatile("mov %0, %%dr" #n : : "r"(v));              \
    }
DEFINE_DR(0)
DEFINE_DR(1)
DEFINE_DR(2)
DEFINE_DR(3)
DEFINE_DR(6)
DEFINE_DR(7)

static inline uint64_t read_rflags(void)
{
    uint64_t v;
    __asm__ volatile("pushfq; popq %0" : "=r"(v));
    return v;
}

/* cpu_vendor_amd - CPUID 0's vendor is AMD ("AuthenticAMD") or Hygon
 * ("HygonGenuine"), whose CPUs have SVM where others have VMX. */
static inline bool cpu_vendor_amd(void)
{
    struct cpuid_regs r = cpuid(0, 0);
    return (r.ebx == 0x68747541 && r.edx == 0x69746E65 && r.ecx == 0x444D4163) ||   /* Auth enti cAMD */
           (r.ebx == 0x6F677948 && r.edx == 0x6E65476E && r.ecx == 0x656E6975);     /* Hygo nGen uine */
}

static inline void cpu_relax(void)
{
    __asm__ volatile("pause" ::: "memory");
}

/* iret_to_self - an IRET to the next instruction: ends the blocking of
 * NMIs that an NMI (or a VM exit caused by one) leaves behind until the
 * next IRET (SDM Vol. 3A, 7.7.1; Vol. 3C, 25.3). */
static inline void iret_to_self(void)
{
    __asm__ volatile("mov %%rsp, %%rcx\n\t"
                     "mov %%ss, %%eax\n\t"
                     "pushq %%rax\n\t"
                     "pushq %%rcx\n\t"
                     "pushfq\n\t"
                     "mov %%cs, %%eax\n\t"
                     "pushq %%rax\n\t"
                     "leaq 1f(%%rip), %%rax\n\t"
                     "pushq %%rax\n\t"
                     "iretq\n"
                     "1:"
                     : : : "rax", "rcx", "memory");
}

static inline void cli(void)
{
    __asm__ volatile("cli" ::: "memory");
}

static inline void hlt(void)
{
    __asm__ volatile("hlt" ::: "memory");
}

static inline _Noreturn void halt_forever(void)
{
    for (;;)
        __asm__ volatile("cli; hlt" ::: "memory");
}

struct __attribute__((packed)) descriptor_ptr {
    uint16_t limit;
    uint64_t base;
};

static inline void lgdt(const struct descriptor_ptr *p)
{
    __asm__ volatile("lgdt %0" : : "m"(*p));
}

static inline void lidt(const struct descriptor_ptr *p)
{
    __asm__ volatile("lidt %0" : : "m"(*p));
}

static inline void ltr(uint16_t sel)
{
    __asm__ volatile("ltr %0" : : "r"(sel));
}

#endif
