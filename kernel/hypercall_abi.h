/*
 * hypercall_abi.h - monovisor's hypercall ABI, shared by the hypervisor and
 * guests (guest/sdk includes it; keep it free of anything but constants).
 *
 * A guest at CPL 0 executes VMCALL (0F 01 C1) with the call number in EAX/RAX
 * and arguments in RBX, RCX, RDX, RSI (their low 32 bits for 32-bit guests).
 * The result comes back in RAX: >= 0 on success, a negative HC_E* code on
 * failure. Every other register is preserved. Addresses are guest-physical
 * and must lie wholly in the guest's RAM; anything else gets HC_EFAULT.
 * VMCALL at CPL > 0 raises #UD in the guest, as on a CPU without a hypervisor.
 */
#ifndef HYPERCALL_ABI_H
#define HYPERCALL_ABI_H

#define HC_VERSION      0   /* () -> ABI version, major << 16 | minor */
#define HC_PUTS         1   /* (gpa, len <= HC_PUTS_MAX) -> len: print on the console */
#define HC_EXIT_STATS   2   /* (gpa, len) -> bytes written: u64 total exits, then u64 count
                               per basic exit reason 0..HC_STATS_REASONS-1 */
#define HC_TRACE_MARK   3   /* (value) -> 0: a mark in the exit trace */
#define HC_SHUTDOWN     4   /* (status) -> does not return: the guest exits with status */
#define HC_COUNT        5

#define HC_PUTS_MAX       4096
#define HC_STATS_REASONS  70

#define HC_ENOSYS       (-38)   /* unknown call number */
#define HC_EFAULT       (-14)   /* bad guest address */
#define HC_EINVAL       (-22)   /* bad argument */

#endif
