/*
 * controls.h - compute VMX control words from what monovisor wants and
 * what the CPU allows (pure; host unit tested).
 */
#ifndef CONTROLS_H
#define CONTROLS_H

#include <stdbool.h>
#include <stdint.h>

#include "vmx_caps.h"
#include "vmx_names.h"

/* Receives each bit that could not be granted; required says whether
 * monovisor can run without it. */
typedef void (*ctl_report)(void *ctx, bool required, const char *msg);

/*
 * vmx_adjust_ctl - the control value to program: the must-be-1 bits, plus
 * every requested bit (required | optional) the CPU allows (SDM Vol. 3D,
 * A.3-A.5). Each requested bit the CPU cannot set is reported by name.
 * *missing_required counts the required bits that were refused.
 */
uint32_t vmx_adjust_ctl(enum vmx_ctl_kind kind, uint32_t required, uint32_t optional,
                        struct vmx_ctl cap, ctl_report report, void *ctx,
                        unsigned *missing_required);

#endif
