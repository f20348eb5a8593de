/*
 * controls.c - VMX control adjustment; see controls.h.
 */
#include "controls.h"

#include "../kernel/fmt.h"

uint32_t vmx_adjust_ctl(enum vmx_ctl_kind kind, uint32_t required, uint32_t optional,
                        struct vmx_ctl cap, ctl_report report, void *ctx,
                        unsigned *missing_required)
{
    uint32_t wanted = required | optional;
    uint32_t refused = wanted & ~cap.may1;

    for (unsigned bit = 0; bit < 32; bit++) {
        if (!(refused & (1u << bit)))
            continue;
        bool req = required & (1u << bit);
        const char *name = vmx_ctl_bit_name(kind, bit);
        char msg[120];
        if (name)
            fmt_snprintf(msg, sizeof(msg), "vmx: %s control '%s' (bit %u) not supported by this CPU",
                         vmx_ctl_kind_name(kind), name, bit);
        else
            fmt_snprintf(msg, sizeof(msg), "vmx: %s control bit %u not supported by this CPU",
                         vmx_ctl_kind_name(kind), bit);
        if (req && missing_required)
            (*missing_required)++;
        if (report)
            report(ctx, req, msg);
    }
    /* Default-1 bits stay 1 whatever we asked (A.3.1). */
    return (wanted & cap.may1) | cap.must1;
}
