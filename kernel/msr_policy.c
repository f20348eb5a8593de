/*
 * msr_policy.c - per-MSR policy and access log; see msr_policy.h.
 */
#include "msr_policy.h"

#include "kstring.h"

static const char *const names[MSR_ACTIONS] = { "pass", "log", "deny", "fixed" };

const struct msr_rule *msr_policy_find(const struct msr_policy *p, uint32_t msr)
{
    for (unsigned i = p->n; i-- > 0;)
        if (msr >= p->rule[i].first && msr <= p->rule[i].last)
            return &p->rule[i];
    return 0;
}

int msr_policy_set(struct msr_policy *p, uint32_t first, uint32_t last, enum msr_action action,
                   uint64_t value)
{
    if (first > last || action >= MSR_ACTIONS)
        return -1;
    for (unsigned i = 0; i < p->n; i++) {
        struct msr_rule *r = &p->rule[i];
        if (r->first != first || r->last != last)
            continue;
        if (action == MSR_PASS) {
            memmove(r, r + 1, (p->n - i - 1) * sizeof(*r));
            p->n--;
        } else {
            r->action = action;
            r->value = value;
        }
        return 0;
    }
    if (p->n == MSR_MAX_RULES)
        return -1;
    p->rule[p->n++] = (struct msr_rule){ first, last, action, value };
    return 0;
}

void msr_policy_record(struct msr_policy *p, uint32_t msr, bool write, uint64_t value, uint64_t rip,
                       enum msr_action action)
{
    p->log[p->log_count++ % MSR_LOG_LEN] = (struct msr_access){ rip, value, msr, write, (uint8_t)action };
}

const char *msr_action_name(enum msr_action a)
{
    return a < MSR_ACTIONS ? names[a] : "unknown";
}

int msr_action_parse(const char *s, enum msr_action *a)
{
    for (unsigned i = 0; i < MSR_ACTIONS; i++) {
        if (!strcmp(s, names[i])) {
            *a = (enum msr_action)i;
            return 0;
        }
    }
    return -1;
}
