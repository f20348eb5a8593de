/*
 * msr_policy.h - what the guest's RDMSR and WRMSR do, per MSR or range
 * (pure; host unit tested): pass through (the default), pass through and
 * log, deny (#GP), or a fixed value (reads return it, writes are dropped).
 * Plus a ring of the logged accesses.
 */
#ifndef MSR_POLICY_H
#define MSR_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MSR_MAX_RULES 32
#define MSR_LOG_LEN   32

enum msr_action { MSR_PASS, MSR_LOG, MSR_DENY, MSR_FIXED, MSR_ACTIONS };

struct msr_rule {
    uint32_t first, last;       /* inclusive */
    enum msr_action action;
    uint64_t value;             /* MSR_FIXED */
};

struct msr_access {
    uint64_t rip, value;
    uint32_t msr;
    bool write;
    uint8_t action;             /* enum msr_action applied */
};

struct msr_policy {
    struct msr_rule rule[MSR_MAX_RULES];
    unsigned n;
    struct msr_access log[MSR_LOG_LEN];
    uint64_t log_count;
};

/* msr_policy_find - the rule for msr (the latest added that covers it), or NULL. */
const struct msr_rule *msr_policy_find(const struct msr_policy *p, uint32_t msr);

/*
 * msr_policy_set - a rule for [first, last]; a rule with the same range is
 * replaced, MSR_PASS on exactly a rule's range removes it. Returns 0, or -1
 * when first > last or the table is full.
 */
int msr_policy_set(struct msr_policy *p, uint32_t first, uint32_t last, enum msr_action action,
                   uint64_t value);

/* msr_policy_record - append an access to the log ring. */
void msr_policy_record(struct msr_policy *p, uint32_t msr, bool write, uint64_t value, uint64_t rip,
                       enum msr_action action);

/* msr_action_name / msr_action_parse - "pass", "log", "deny", "fixed". */
const char *msr_action_name(enum msr_action a);
int msr_action_parse(const char *s, enum msr_action *a);

#endif
