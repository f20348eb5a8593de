/*
 * event.h - what an exception becomes when it arises while the CPU
 * delivers another event (pure; host unit tested). The hypervisor needs
 * it where it raises an exception on the CPU's behalf in the middle of a
 * delivery: an EPT violation refused with ept_refuse=gp, taken while the
 * guest's IDT, stack or handler was being reached.
 */
#ifndef EVENT_H
#define EVENT_H

#include <stdbool.h>
#include <stdint.h>

/*
 * An event (interrupt or exception) being delivered or to inject, in the
 * encoding both vendors share: VMX's interruption information (SDM Vol.
 * 3C, 25.8.3, 28.2.2-4) and SVM's EVENTINJ / EXITINTINFO (AMD APM Vol. 2,
 * 15.20) alike: vector in bits 7:0, type in 10:8, an error code to push
 * in bit 11, valid in bit 31.
 */
#define EVENT_VALID           (1u << 31)
#define EVENT_HAS_ERROR       (1u << 11)
#define EVENT_TYPE(e)         (((e) >> 8) & 7)
#define EVENT_VECTOR(e)       ((e) & 0xFF)
#define EVENT_TYPE_EXTERNAL   0u        /* both: external interrupt */
#define EVENT_TYPE_NMI        2u
#define EVENT_TYPE_EXCEPTION  3u        /* a hardware exception */
#define EVENT_TYPE_SOFT_INT   4u        /* INT n */
#define EVENT_TYPE_PRIV_SOFT  5u        /* VMX only: INT1 */
#define EVENT_TYPE_SOFT_EXC   6u        /* VMX only: INT3, INTO */

#define VEC_DF 8                        /* #DF, error code 0 */
#define EVENT_SHUTDOWN 256              /* a triple fault: the CPU shuts down */

/*
 * fault_during_delivery - the exception to deliver when exception vector
 * fault arises while delivering the event that idt_vectoring_info
 * describes (in the encoding above: VM-exit IDT-vectoring information,
 * SDM Vol. 3C, 28.2.4, or SVM's EXITINTINFO; bit 31 clear: none), by the classes of SDM Vol. 3A, 6.15, Table 6-4
 * and the combinations of Table 6-5: fault itself (handled serially),
 * VEC_DF, or EVENT_SHUTDOWN (a contributory exception or page fault while
 * delivering #DF).
 */
unsigned fault_during_delivery(uint32_t idt_vectoring_info, unsigned fault);

/*
 * exception_sets_rf - whether the CPU pushes RFLAGS with RF set when it
 * delivers exception vector: every fault-class exception (SDM Vol. 3A,
 * 6.15, Table 6-1 "Fault"), except #DB, whose instruction-breakpoint
 * faults push RF clear and whose traps push it as it was (17.3.1.1).
 * An injected exception pushes the guest's RFLAGS as it is, so whoever
 * injects a fault sets RF there first (KVM does the same).
 */
bool exception_sets_rf(unsigned vector);

#endif
