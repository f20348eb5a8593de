/*
 * event.c - exception combinations; see event.h.
 */
#include "event.h"

enum exception_class { BENIGN, CONTRIBUTORY, PAGE_FAULT };

/* SDM Vol. 3A, 6.15, Table 6-4: contributory are #DE (0), #TS (10), #NP
 * (11), #SS (12), #GP (13) and #CP (21); the page fault class is #PF (14)
 * and #VE (20); every other exception and every interrupt is benign. */
static enum exception_class class_of(unsigned vector)
{
    switch (vector) {
    case 0: case 10: case 11: case 12: case 13: case 21:
        return CONTRIBUTORY;
    case 14: case 20:
        return PAGE_FAULT;
    default:
        return BENIGN;
    }
}

unsigned fault_during_delivery(uint32_t idt_vectoring_info, unsigned fault)
{
    /* Only a hardware exception being delivered combines (external
     * interrupts, NMIs and software INTn/INT3/INTO count as benign). */
    if (!(idt_vectoring_info & EVENT_VALID) ||
        EVENT_TYPE(idt_vectoring_info) != EVENT_TYPE_EXCEPTION)
        return fault;
    unsigned first = idt_vectoring_info & 0xFF;
    enum exception_class second = class_of(fault);
    if (second == BENIGN)
        return fault;
    if (first == VEC_DF)
        return EVENT_SHUTDOWN;
    enum exception_class c = class_of(first);
    /* Table 6-5: contributory then contributory, or a page fault then a
     * contributory exception or page fault: #DF. */
    if ((c == CONTRIBUTORY && second == CONTRIBUTORY) || c == PAGE_FAULT)
        return VEC_DF;
    return fault;
}

bool exception_sets_rf(unsigned vector)
{
    switch (vector) {
    case 0: case 5: case 6: case 7: case 9: case 10: case 11: case 12: case 13: case 14:
    case 16: case 17: case 19: case 20: case 21:
        return true;
    default:    /* #DB; #BP, #OF: traps; #DF, #MC: aborts; NMI and the rest */
        return false;
    }
}
