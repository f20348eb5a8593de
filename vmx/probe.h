/*
 * probe.h - read the VMX capability MSRs of this core.
 */
#ifndef PROBE_H
#define PROBE_H

#include "vmx_caps.h"
#include "../kernel/virt.h"

/* This core's capabilities, read once at boot (vmx_probe_virt). */
extern struct vmx_msrs vmx_raw;
extern struct vmx_caps vmx_caps;

/* vmx_probe - read CPUID and, when VMX is present, every capability MSR
 * (TRUE_ ones only when IA32_VMX_BASIC[55] says they exist), and decode. */
void vmx_probe(struct vmx_msrs *raw, struct vmx_caps *caps);

/* vmx_print_caps - the vmx.* key=value lines on the console: all of them
 * (`info`), or the first three (boot: status, revision, the main features;
 * every character costs time on a slow serial line). */
void vmx_print_caps(const struct vmx_caps *caps, bool all);

/* vmx_probe_virt - virt.probe: vmx_probe into vmx_caps, the lines, the
 * verdict (vmx_status_message). */
int vmx_probe_virt(bool verbose, struct virt_caps *caps);

#endif
