/*
 * guest_ept.h - the guest's EPT: the static map built at boot and the lazy
 * fault-in path (the role of KVM's kvm_mmu_page_fault), with its counters.
 */
#ifndef GUEST_EPT_H
#define GUEST_EPT_H

#include "ept.h"
#include "mtrr.h"
#include "../kernel/spinlock.h"

#define EPT_LOG_LEN 16

enum ept_action {
    EPT_MAPPED,             /* resolved: the access is retried */
    EPT_REFUSED,            /* hypervisor memory, or outside guest memory */
    EPT_REFUSED_FROZEN,     /* `ept freeze`: the map may not grow */
    EPT_REFUSED_PERMISSION, /* the page is mapped and still faulted */
    EPT_NO_MEMORY,          /* no pool page for a paging structure */
};

struct ept_fault_record {
    uint64_t gpa, rip, qual;
    uint8_t cls;            /* enum gpa_class */
    uint8_t action;         /* enum ept_action */
    uint32_t size;          /* page mapped, 0 if none */
};

/* Per-vCPU counters of the fault path. */
struct ept_stats {
    uint64_t faults[GPA_CLASSES];
    uint64_t mapped_2m, mapped_4k;
    uint64_t refusals;
    uint64_t log_count;
    struct ept_fault_record log[EPT_LOG_LEN];
};

struct guest_ept_config {
    enum slat_format format;    /* the backend's (virt.slat_format) */
    bool lazy;              /* ept=lazy: RAM faults in too */
    bool ad;                /* ept_ad=1: accessed/dirty flags, when offered */
    bool allow_1g;
    struct gpa_range held[GPA_HELD_MAX];    /* device pages the hypervisor keeps (gpa_space) */
    unsigned held_count;
};

/* guest_ept_build - the guest's map from its memory map: RAM mapped now
 * (unless lazy), the rest on demand. Returns what the backend loads (the
 * EPTP, or nCR3 for NPT), or 0 after printing why. */
uint64_t guest_ept_build(const struct memmap *guest, const struct memmap *firmware,
                         const struct guest_ept_config *cfg);

/* ept_register_stats - the console's `ept` shows these counters. */
void ept_register_stats(struct ept_stats *st);

/*
 * ept_fault_in - resolve an EPT violation at gpa (qualification qual,
 * guest RIP rip): map the page by policy, or say why not. Only ever turns
 * not-present entries present, which needs no INVEPT (SDM Vol. 3C,
 * 30.4.3.1 "Operations that Invalidate Cached Mappings").
 */
enum ept_action ept_fault_in(struct ept_stats *st, uint64_t gpa, uint64_t qual, uint64_t rip);

/*
 * ept_fault_in_fast - the common case of ept_fault_in: an ept=lazy first
 * touch (a not-present entry) below ept_fast_blocks 2 MiB blocks (0 while
 * the map is frozen) whose plan is in ept_plans, with its page directory
 * in ept_pd_tables (and, for a 4 KiB page, its page table in place),
 * taken under ept_map_lock when uncontended. It maps and counts exactly
 * as ept_fault_in would (the leaf, ept_guest_map's page count, the stats'
 * fault, mapped and log entries) and returns true; anything else it
 * leaves untouched to ept_fault_in (false). The SVM backend reaches it as
 * a light handler (kernel/exit.c); VT-x does the same in its first
 * layer's assembly (vmx/entry.asm), with the guest's GPRs still in the
 * CPU, from the inputs below, which are for no other use.
 */
bool ept_fault_in_fast(struct ept_stats *st, uint64_t gpa, uint64_t qual, uint64_t rip);

/* ept_pool_ops - tables from the hypervisor's pool, reached by hv_va. */
extern const struct ept_ops ept_pool_ops;

#define EPT_PD_TABLES 64                /* GiBs the plan table covers at most */
extern struct ept ept_guest_map;
extern struct spinlock ept_map_lock;
extern uint64_t ept_fast_blocks;
extern struct ept_plan_table ept_plans;
extern uint64_t ept_table_offset;
extern uint64_t *ept_pd_tables[EPT_PD_TABLES];

/* ept_action_name / ept_access_name - for reports. */
const char *ept_action_name(enum ept_action a);
const char *ept_access_name(uint64_t qual);

/* ept_guest_ram - pointer to the byte at gpa when the EPT maps it and it is
 * guest RAM; else NULL, with its class in *cls. */
const uint8_t *ept_guest_ram(uint64_t gpa, enum gpa_class *cls);

/* ept_print_walk - each level's entry for gpa, as key=value lines. */
void ept_print_walk(uint64_t gpa);

/* guest_ept_map_page - map the 4 KiB page at gpa on its own, uncached,
 * with perms (EPT_READ...). Returns 0, or -1 after an error line. */
int guest_ept_map_page(uint64_t gpa, uint64_t perms);

#endif
