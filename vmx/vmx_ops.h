/*
 * vmx_ops.h - VMX instructions as static inline functions, and typed VMCS
 * accessors that check the field width at compile time (the idea of KVM's
 * vmx_ops.h): vmcs_read32(VMCS_GUEST_RIP) does not build.
 *
 * VMX instructions report failure in RFLAGS (SDM Vol. 3C, 31.2
 * "Conventions"): CF=1 VMfailInvalid (no current VMCS), ZF=1 VMfailValid
 * (error number in the VM-instruction error field).
 */
#ifndef VMX_OPS_H
#define VMX_OPS_H

#include <stdint.h>

#include "vmx_defs.h"

enum vmx_result { VMX_OK = 0, VMX_FAIL_INVALID = 1, VMX_FAIL_VALID = 2 };

/* The asm goes to .fail with CF or ZF set; the result says which. */
#define VMX_INSN_RESULT(insn, ...)                                         \
    ({                                                                     \
        uint8_t cf_, zf_;                                                  \
        __asm__ volatile(insn "\n\tsetc %0\n\tsetz %1"                     \
                         : "=qm"(cf_), "=qm"(zf_)                          \
                         : __VA_ARGS__                                     \
                         : "cc", "memory");                                \
        cf_ ? VMX_FAIL_INVALID : zf_ ? VMX_FAIL_VALID : VMX_OK;            \
    })

static inline enum vmx_result vmxon(uint64_t pa)
{
    return VMX_INSN_RESULT("vmxon %2", "m"(pa));
}

static inline enum vmx_result vmclear(uint64_t pa)
{
    return VMX_INSN_RESULT("vmclear %2", "m"(pa));
}

static inline enum vmx_result vmptrld(uint64_t pa)
{
    return VMX_INSN_RESULT("vmptrld %2", "m"(pa));
}

static inline void vmxoff(void)
{
    __asm__ volatile("vmxoff" ::: "cc", "memory");
}

/* INVEPT descriptor (31.3 "INVEPT"): type 1 single context, 2 global. */
static inline enum vmx_result invept(uint64_t type, uint64_t eptp)
{
    struct { uint64_t eptp, reserved; } desc = { eptp, 0 };
    return VMX_INSN_RESULT("invept %2, %3", "m"(desc), "r"(type));
}

/* INVVPID descriptor (31.3 "INVVPID"): type 0 individual address,
 * 1 single context, 2 all contexts, 3 single context retaining globals. */
static inline enum vmx_result invvpid(uint64_t type, uint16_t vpid, uint64_t addr)
{
    struct { uint64_t vpid, addr; } desc = { vpid, addr };
    return VMX_INSN_RESULT("invvpid %2, %3", "m"(desc), "r"(type));
}

/* Raw access; use the typed macros below. */
static inline uint64_t __vmcs_read(uint64_t field)
{
    uint64_t v;
    __asm__ volatile("vmread %1, %0" : "=r"(v) : "r"(field) : "cc");
    return v;
}

static inline void __vmcs_write(uint64_t field, uint64_t v)
{
    __asm__ volatile("vmwrite %1, %0" : : "r"(field), "rm"(v) : "cc", "memory");
}

/* Optional instrumentation: the benchmark build counts VMREAD/VMWRITE. */
#ifdef VMX_COUNT_VMCS_ACCESS
extern uint64_t vmcs_reads, vmcs_writes;
#define VMCS_COUNT(c) ((c)++)
#else
#define VMCS_COUNT(c) ((void)0)
#endif

#define VMCS_CHECK_WIDTH(field, width)                                         \
    _Static_assert(VMCS_FIELD_WIDTH(field) == (width), "VMCS field width mismatch")

#define vmcs_read16(f) ({ VMCS_CHECK_WIDTH(f, VMCS_WIDTH_16); VMCS_COUNT(vmcs_reads); (uint16_t)__vmcs_read(f); })
#define vmcs_read32(f) ({ VMCS_CHECK_WIDTH(f, VMCS_WIDTH_32); VMCS_COUNT(vmcs_reads); (uint32_t)__vmcs_read(f); })
#define vmcs_read64(f) ({ VMCS_CHECK_WIDTH(f, VMCS_WIDTH_64); VMCS_COUNT(vmcs_reads); (uint64_t)__vmcs_read(f); })
#define vmcs_readn(f)  ({ VMCS_CHECK_WIDTH(f, VMCS_WIDTH_NATURAL); VMCS_COUNT(vmcs_reads); (uint64_t)__vmcs_read(f); })

#define vmcs_write16(f, v) ({ VMCS_CHECK_WIDTH(f, VMCS_WIDTH_16); VMCS_COUNT(vmcs_writes); __vmcs_write(f, (uint16_t)(v)); })
#define vmcs_write32(f, v) ({ VMCS_CHECK_WIDTH(f, VMCS_WIDTH_32); VMCS_COUNT(vmcs_writes); __vmcs_write(f, (uint32_t)(v)); })
#define vmcs_write64(f, v) ({ VMCS_CHECK_WIDTH(f, VMCS_WIDTH_64); VMCS_COUNT(vmcs_writes); __vmcs_write(f, (uint64_t)(v)); })
#define vmcs_writen(f, v)  ({ VMCS_CHECK_WIDTH(f, VMCS_WIDTH_NATURAL); VMCS_COUNT(vmcs_writes); __vmcs_write(f, (uint64_t)(v)); })

/* A field chosen at run time, of any width: VMREAD and VMWRITE with a
 * 64-bit operand zero-extend a shorter field and ignore the operand's
 * high bits (SDM Vol. 3C, 31.3, VMREAD and VMWRITE). */
#define vmcs_read_any(f)      ({ VMCS_COUNT(vmcs_reads); __vmcs_read(f); })
#define vmcs_write_any(f, v)  ({ VMCS_COUNT(vmcs_writes); __vmcs_write(f, (uint64_t)(v)); })

#endif
