/*
 * probe.h - read the VMX capability MSRs of this core.
 */
#ifndef PROBE_H
#define PROBE_H

#include "vmx_caps.h"

/* vmx_probe - read CPUID and, when VMX is present, every capability MSR
 * (TRUE_ ones only when IA32_VMX_BASIC[55] says they exist), and decode. */
void vmx_probe(struct vmx_msrs *raw, struct vmx_caps *caps);

/* vmx_print_caps - the vmx.* key=value lines on the console: all of them
 * (`info`), or the first three (boot: status, revision, the main features;
 * every character costs time on a slow serial line). */
void vmx_print_caps(const struct vmx_caps *caps, bool all);

#endif
