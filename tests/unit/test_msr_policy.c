// covers: kernel/msr_policy.c
/*
 * test_msr_policy.c - host unit tests of the guest's MSR policy
 * (kernel/msr_policy.c): finding the rule for an MSR, adding, replacing and
 * removing rules, the table limit, the ring of logged accesses and the
 * action names.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "../../kernel/msr_policy.h"

#define MSR_EFER 0xC0000080u
#define MSR_STAR 0xC0000081u
#define MSR_APIC_FIRST 0x800u
#define MSR_APIC_LAST 0x8FFu

/* An empty policy, as the hypervisor's zero-initialized global starts. */
static void policy_init(struct msr_policy *p)
{
    memset(p, 0, sizeof(*p));
}

static void assert_rule(const struct msr_rule *r, uint32_t first, uint32_t last,
                        enum msr_action action, uint64_t value)
{
    assert_non_null(r);
    assert_int_equal(r->first, first);
    assert_int_equal(r->last, last);
    assert_int_equal(r->action, action);
    assert_int_equal(r->value, value);
}

/* The policy is left exactly as it was by a rejected msr_policy_set. */
static void assert_set_rejected(struct msr_policy *p, uint32_t first, uint32_t last,
                                enum msr_action action, uint64_t value)
{
    struct msr_policy before;
    memcpy(&before, p, sizeof(before));
    assert_int_equal(msr_policy_set(p, first, last, action, value), -1);
    assert_memory_equal(&before, p, sizeof(before));
}

/* Fill the table with MSR_MAX_RULES single-MSR DENY rules 0x100, 0x101, ... */
static void fill_table(struct msr_policy *p)
{
    for (uint32_t i = 0; i < MSR_MAX_RULES; i++)
        assert_int_equal(msr_policy_set(p, 0x100 + i, 0x100 + i, MSR_DENY, 0), 0);
    assert_int_equal(p->n, MSR_MAX_RULES);
}

/* ---- find ------------------------------------------------------------------ */

static void test_find_no_rules(void **state)
{
    (void)state;
    struct msr_policy p;
    policy_init(&p);
    assert_null(msr_policy_find(&p, 0));
    assert_null(msr_policy_find(&p, MSR_EFER));
    assert_null(msr_policy_find(&p, UINT32_MAX));
}

static void test_find_single_msr(void **state)
{
    (void)state;
    struct msr_policy p;
    policy_init(&p);
    assert_int_equal(msr_policy_set(&p, MSR_EFER, MSR_EFER, MSR_DENY, 0), 0);
    const struct msr_rule *r = msr_policy_find(&p, MSR_EFER);
    assert_ptr_equal(r, &p.rule[0]);
    assert_rule(r, MSR_EFER, MSR_EFER, MSR_DENY, 0);
    assert_null(msr_policy_find(&p, MSR_EFER - 1));
    assert_null(msr_policy_find(&p, MSR_EFER + 1));
}

static void test_find_range_edges(void **state)
{
    (void)state;
    struct msr_policy p;
    policy_init(&p);
    assert_int_equal(msr_policy_set(&p, MSR_APIC_FIRST, MSR_APIC_LAST, MSR_LOG, 0), 0);
    assert_ptr_equal(msr_policy_find(&p, MSR_APIC_FIRST), &p.rule[0]);
    assert_ptr_equal(msr_policy_find(&p, MSR_APIC_FIRST + 0x30), &p.rule[0]);
    assert_ptr_equal(msr_policy_find(&p, MSR_APIC_LAST), &p.rule[0]);
    assert_null(msr_policy_find(&p, MSR_APIC_FIRST - 1));
    assert_null(msr_policy_find(&p, MSR_APIC_LAST + 1));
}

static void test_find_full_32bit_range(void **state)
{
    (void)state;
    struct msr_policy p;
    policy_init(&p);
    assert_int_equal(msr_policy_set(&p, 0, UINT32_MAX, MSR_LOG, 0), 0);
    assert_ptr_equal(msr_policy_find(&p, 0), &p.rule[0]);
    assert_ptr_equal(msr_policy_find(&p, UINT32_MAX), &p.rule[0]);
}

static void test_find_overlap_latest_added_wins(void **state)
{
    (void)state;
    struct msr_policy p;
    policy_init(&p);
    assert_int_equal(msr_policy_set(&p, 0x10, 0x20, MSR_DENY, 0), 0);
    assert_int_equal(msr_policy_set(&p, 0x18, 0x28, MSR_FIXED, 7), 0);
    /* Only the older rule covers 0x10..0x17. */
    assert_rule(msr_policy_find(&p, 0x10), 0x10, 0x20, MSR_DENY, 0);
    assert_rule(msr_policy_find(&p, 0x17), 0x10, 0x20, MSR_DENY, 0);
    /* Both cover 0x18..0x20: the newer one wins. */
    assert_rule(msr_policy_find(&p, 0x18), 0x18, 0x28, MSR_FIXED, 7);
    assert_rule(msr_policy_find(&p, 0x20), 0x18, 0x28, MSR_FIXED, 7);
    /* Only the newer rule covers 0x21..0x28. */
    assert_rule(msr_policy_find(&p, 0x28), 0x18, 0x28, MSR_FIXED, 7);
    assert_null(msr_policy_find(&p, 0x29));
}

static void test_find_narrow_rule_inside_wide_one(void **state)
{
    (void)state;
    struct msr_policy p;
    policy_init(&p);
    assert_int_equal(msr_policy_set(&p, MSR_APIC_FIRST, MSR_APIC_LAST, MSR_DENY, 0), 0);
    assert_int_equal(msr_policy_set(&p, 0x802, 0x802, MSR_FIXED, 0x42), 0);
    assert_rule(msr_policy_find(&p, 0x802), 0x802, 0x802, MSR_FIXED, 0x42);
    assert_rule(msr_policy_find(&p, 0x801), MSR_APIC_FIRST, MSR_APIC_LAST, MSR_DENY, 0);
    assert_rule(msr_policy_find(&p, 0x803), MSR_APIC_FIRST, MSR_APIC_LAST, MSR_DENY, 0);
}

static void test_find_older_rule_shows_after_removal(void **state)
{
    (void)state;
    struct msr_policy p;
    policy_init(&p);
    assert_int_equal(msr_policy_set(&p, 0x10, 0x20, MSR_DENY, 0), 0);
    assert_int_equal(msr_policy_set(&p, 0x18, 0x18, MSR_FIXED, 5), 0);
    assert_rule(msr_policy_find(&p, 0x18), 0x18, 0x18, MSR_FIXED, 5);
    assert_int_equal(msr_policy_set(&p, 0x18, 0x18, MSR_PASS, 0), 0);
    assert_int_equal(p.n, 1);
    assert_rule(msr_policy_find(&p, 0x18), 0x10, 0x20, MSR_DENY, 0);
}

/* ---- set ------------------------------------------------------------------- */

static void test_set_adds_rules_in_order(void **state)
{
    (void)state;
    struct msr_policy p;
    policy_init(&p);
    assert_int_equal(msr_policy_set(&p, MSR_EFER, MSR_EFER, MSR_LOG, 0), 0);
    assert_int_equal(msr_policy_set(&p, MSR_APIC_FIRST, MSR_APIC_LAST, MSR_DENY, 0), 0);
    assert_int_equal(msr_policy_set(&p, MSR_STAR, MSR_STAR, MSR_FIXED, 0x123456789ABCDEF0ull), 0);
    assert_int_equal(p.n, 3);
    assert_rule(&p.rule[0], MSR_EFER, MSR_EFER, MSR_LOG, 0);
    assert_rule(&p.rule[1], MSR_APIC_FIRST, MSR_APIC_LAST, MSR_DENY, 0);
    assert_rule(&p.rule[2], MSR_STAR, MSR_STAR, MSR_FIXED, 0x123456789ABCDEF0ull);
}

static void test_set_value_stored_for_any_action(void **state)
{
    (void)state;
    struct msr_policy p;
    policy_init(&p);
    /* The value matters only for MSR_FIXED but is kept as given. */
    assert_int_equal(msr_policy_set(&p, 1, 1, MSR_DENY, 99), 0);
    assert_rule(&p.rule[0], 1, 1, MSR_DENY, 99);
}

static void test_set_same_range_replaces(void **state)
{
    (void)state;
    struct msr_policy p;
    policy_init(&p);
    assert_int_equal(msr_policy_set(&p, 0x10, 0x1F, MSR_DENY, 0), 0);
    assert_int_equal(msr_policy_set(&p, MSR_EFER, MSR_EFER, MSR_LOG, 0), 0);
    assert_int_equal(msr_policy_set(&p, 0x10, 0x1F, MSR_FIXED, 0xABCD), 0);
    assert_int_equal(p.n, 2);
    /* Replaced in place: the rule keeps its position. */
    assert_rule(&p.rule[0], 0x10, 0x1F, MSR_FIXED, 0xABCD);
    assert_rule(&p.rule[1], MSR_EFER, MSR_EFER, MSR_LOG, 0);
    assert_int_equal(msr_policy_set(&p, 0x10, 0x1F, MSR_LOG, 0), 0);
    assert_int_equal(p.n, 2);
    assert_rule(&p.rule[0], 0x10, 0x1F, MSR_LOG, 0);
}

static void test_set_different_range_same_first_is_new_rule(void **state)
{
    (void)state;
    struct msr_policy p;
    policy_init(&p);
    assert_int_equal(msr_policy_set(&p, 0x10, 0x1F, MSR_DENY, 0), 0);
    assert_int_equal(msr_policy_set(&p, 0x10, 0x20, MSR_LOG, 0), 0);
    assert_int_equal(msr_policy_set(&p, 0x0F, 0x1F, MSR_FIXED, 1), 0);
    assert_int_equal(p.n, 3);
    assert_rule(&p.rule[0], 0x10, 0x1F, MSR_DENY, 0);
    assert_rule(&p.rule[1], 0x10, 0x20, MSR_LOG, 0);
    assert_rule(&p.rule[2], 0x0F, 0x1F, MSR_FIXED, 1);
}

static void test_set_pass_removes_and_keeps_order(void **state)
{
    (void)state;
    struct msr_policy p;
    policy_init(&p);
    assert_int_equal(msr_policy_set(&p, 1, 1, MSR_DENY, 0), 0);
    assert_int_equal(msr_policy_set(&p, 2, 3, MSR_LOG, 0), 0);
    assert_int_equal(msr_policy_set(&p, 4, 4, MSR_FIXED, 44), 0);
    assert_int_equal(msr_policy_set(&p, 5, 9, MSR_DENY, 0), 0);
    assert_int_equal(msr_policy_set(&p, 2, 3, MSR_PASS, 0), 0);
    assert_int_equal(p.n, 3);
    assert_rule(&p.rule[0], 1, 1, MSR_DENY, 0);
    assert_rule(&p.rule[1], 4, 4, MSR_FIXED, 44);
    assert_rule(&p.rule[2], 5, 9, MSR_DENY, 0);
    assert_null(msr_policy_find(&p, 2));
    assert_null(msr_policy_find(&p, 3));
}

static void test_set_pass_removes_first_and_last(void **state)
{
    (void)state;
    struct msr_policy p;
    policy_init(&p);
    assert_int_equal(msr_policy_set(&p, 1, 1, MSR_DENY, 0), 0);
    assert_int_equal(msr_policy_set(&p, 2, 2, MSR_LOG, 0), 0);
    assert_int_equal(msr_policy_set(&p, 3, 3, MSR_FIXED, 3), 0);
    assert_int_equal(msr_policy_set(&p, 3, 3, MSR_PASS, 0), 0);
    assert_int_equal(p.n, 2);
    assert_rule(&p.rule[0], 1, 1, MSR_DENY, 0);
    assert_rule(&p.rule[1], 2, 2, MSR_LOG, 0);
    assert_int_equal(msr_policy_set(&p, 1, 1, MSR_PASS, 0), 0);
    assert_int_equal(p.n, 1);
    assert_rule(&p.rule[0], 2, 2, MSR_LOG, 0);
    assert_int_equal(msr_policy_set(&p, 2, 2, MSR_PASS, 0), 0);
    assert_int_equal(p.n, 0);
    assert_null(msr_policy_find(&p, 2));
}

static void test_set_pass_without_exact_rule_is_added(void **state)
{
    (void)state;
    struct msr_policy p;
    policy_init(&p);
    /* On an empty table: a PASS rule is stored (and found). */
    assert_int_equal(msr_policy_set(&p, 0x20, 0x20, MSR_PASS, 0), 0);
    assert_int_equal(p.n, 1);
    assert_rule(&p.rule[0], 0x20, 0x20, MSR_PASS, 0);
    assert_ptr_equal(msr_policy_find(&p, 0x20), &p.rule[0]);
    /* Inside a wider rule: it punches a pass hole; the wide rule stays. */
    assert_int_equal(msr_policy_set(&p, 0x10, 0x1F, MSR_DENY, 0), 0);
    assert_int_equal(msr_policy_set(&p, 0x14, 0x15, MSR_PASS, 0), 0);
    assert_int_equal(p.n, 3);
    assert_rule(&p.rule[1], 0x10, 0x1F, MSR_DENY, 0);
    assert_rule(msr_policy_find(&p, 0x14), 0x14, 0x15, MSR_PASS, 0);
    assert_rule(msr_policy_find(&p, 0x16), 0x10, 0x1F, MSR_DENY, 0);
    /* PASS again on the PASS rule's exact range removes it. */
    assert_int_equal(msr_policy_set(&p, 0x14, 0x15, MSR_PASS, 0), 0);
    assert_int_equal(p.n, 2);
    assert_rule(msr_policy_find(&p, 0x14), 0x10, 0x1F, MSR_DENY, 0);
}

static void test_set_first_above_last_rejected(void **state)
{
    (void)state;
    struct msr_policy p;
    policy_init(&p);
    assert_int_equal(msr_policy_set(&p, 5, 5, MSR_DENY, 0), 0);
    assert_set_rejected(&p, 6, 5, MSR_DENY, 0);
    assert_set_rejected(&p, UINT32_MAX, 0, MSR_LOG, 0);
    assert_set_rejected(&p, 6, 5, MSR_PASS, 0);
    assert_int_equal(p.n, 1);
}

static void test_set_invalid_action_rejected(void **state)
{
    (void)state;
    struct msr_policy p;
    policy_init(&p);
    assert_int_equal(msr_policy_set(&p, 5, 5, MSR_DENY, 0), 0);
    assert_set_rejected(&p, 1, 1, MSR_ACTIONS, 0);
    assert_set_rejected(&p, 1, 1, (enum msr_action)100, 0);
    assert_set_rejected(&p, 1, 1, (enum msr_action)-1, 0);
    /* Not even as a replacement of an existing range. */
    assert_set_rejected(&p, 5, 5, MSR_ACTIONS, 0);
    assert_rule(&p.rule[0], 5, 5, MSR_DENY, 0);
}

static void test_set_table_full_rejected(void **state)
{
    (void)state;
    struct msr_policy p;
    policy_init(&p);
    fill_table(&p);
    assert_set_rejected(&p, 0x1000, 0x1000, MSR_DENY, 0);
    assert_set_rejected(&p, 0x100, 0x101, MSR_LOG, 0);     /* overlaps, not exact */
    assert_set_rejected(&p, 0x2000, 0x2000, MSR_PASS, 0);  /* pass with no exact rule */
    assert_null(msr_policy_find(&p, 0x1000));
}

static void test_set_replace_works_when_full(void **state)
{
    (void)state;
    struct msr_policy p;
    policy_init(&p);
    fill_table(&p);
    assert_int_equal(msr_policy_set(&p, 0x100, 0x100, MSR_FIXED, 0x77), 0);
    assert_int_equal(msr_policy_set(&p, 0x11F, 0x11F, MSR_LOG, 0), 0);
    assert_int_equal(p.n, MSR_MAX_RULES);
    assert_rule(&p.rule[0], 0x100, 0x100, MSR_FIXED, 0x77);
    assert_rule(&p.rule[MSR_MAX_RULES - 1], 0x11F, 0x11F, MSR_LOG, 0);
}

static void test_set_remove_when_full_frees_a_slot(void **state)
{
    (void)state;
    struct msr_policy p;
    policy_init(&p);
    fill_table(&p);
    assert_int_equal(msr_policy_set(&p, 0x105, 0x105, MSR_PASS, 0), 0);
    assert_int_equal(p.n, MSR_MAX_RULES - 1);
    assert_rule(&p.rule[5], 0x106, 0x106, MSR_DENY, 0);
    assert_rule(&p.rule[MSR_MAX_RULES - 2], 0x11F, 0x11F, MSR_DENY, 0);
    assert_int_equal(msr_policy_set(&p, 0x1000, 0x1000, MSR_LOG, 0), 0);
    assert_int_equal(p.n, MSR_MAX_RULES);
    assert_rule(&p.rule[MSR_MAX_RULES - 1], 0x1000, 0x1000, MSR_LOG, 0);
    assert_set_rejected(&p, 0x2000, 0x2000, MSR_LOG, 0);
}

/* ---- record ---------------------------------------------------------------- */

static void test_record_stores_fields(void **state)
{
    (void)state;
    struct msr_policy p;
    policy_init(&p);
    msr_policy_record(&p, MSR_EFER, true, 0xD01, 0xFFFFFFFF81000010ull, MSR_LOG);
    msr_policy_record(&p, MSR_STAR, false, 0x1234, 0x7C00, MSR_FIXED);
    assert_int_equal(p.log_count, 2);
    assert_int_equal(p.log[0].msr, MSR_EFER);
    assert_true(p.log[0].write);
    assert_int_equal(p.log[0].value, 0xD01);
    assert_int_equal(p.log[0].rip, 0xFFFFFFFF81000010ull);
    assert_int_equal(p.log[0].action, MSR_LOG);
    assert_int_equal(p.log[1].msr, MSR_STAR);
    assert_false(p.log[1].write);
    assert_int_equal(p.log[1].value, 0x1234);
    assert_int_equal(p.log[1].rip, 0x7C00);
    assert_int_equal(p.log[1].action, MSR_FIXED);
}

static void test_record_leaves_rules_alone(void **state)
{
    (void)state;
    struct msr_policy p;
    policy_init(&p);
    assert_int_equal(msr_policy_set(&p, 1, 2, MSR_DENY, 0), 0);
    msr_policy_record(&p, 1, false, 0, 0, MSR_DENY);
    assert_int_equal(p.n, 1);
    assert_rule(&p.rule[0], 1, 2, MSR_DENY, 0);
}

static void test_record_ring_wraps(void **state)
{
    (void)state;
    struct msr_policy p;
    policy_init(&p);
    /* Entry i has msr i, value 100 + i and rip 0x1000 + i. */
    for (uint32_t i = 0; i < MSR_LOG_LEN + 3; i++)
        msr_policy_record(&p, i, i & 1, 100 + i, 0x1000 + i, MSR_DENY);
    assert_int_equal(p.log_count, MSR_LOG_LEN + 3);
    /* The three newest overwrote the three oldest. */
    for (uint32_t i = 0; i < 3; i++) {
        assert_int_equal(p.log[i].msr, MSR_LOG_LEN + i);
        assert_int_equal(p.log[i].value, 100 + MSR_LOG_LEN + i);
        assert_int_equal(p.log[i].rip, 0x1000 + MSR_LOG_LEN + i);
    }
    /* The rest are untouched. */
    assert_int_equal(p.log[3].msr, 3);
    assert_int_equal(p.log[MSR_LOG_LEN - 1].msr, MSR_LOG_LEN - 1);
    assert_int_equal(p.log[MSR_LOG_LEN - 1].value, 100 + MSR_LOG_LEN - 1);
}

static void test_record_exactly_full_ring(void **state)
{
    (void)state;
    struct msr_policy p;
    policy_init(&p);
    for (uint32_t i = 0; i < MSR_LOG_LEN; i++)
        msr_policy_record(&p, i, false, 0, 0, MSR_LOG);
    assert_int_equal(p.log_count, MSR_LOG_LEN);
    assert_int_equal(p.log[0].msr, 0);
    assert_int_equal(p.log[MSR_LOG_LEN - 1].msr, MSR_LOG_LEN - 1);
    /* The next one goes to slot 0. */
    msr_policy_record(&p, 0xAAAA, true, 1, 2, MSR_FIXED);
    assert_int_equal(p.log_count, MSR_LOG_LEN + 1);
    assert_int_equal(p.log[0].msr, 0xAAAA);
    assert_int_equal(p.log[0].action, MSR_FIXED);
    assert_int_equal(p.log[1].msr, 1);
}

static void test_record_count_continues_past_many_wraps(void **state)
{
    (void)state;
    struct msr_policy p;
    policy_init(&p);
    for (uint32_t i = 0; i < 5 * MSR_LOG_LEN + 7; i++)
        msr_policy_record(&p, i, false, i, 0, MSR_LOG);
    assert_int_equal(p.log_count, 5 * MSR_LOG_LEN + 7);
    /* The newest entry sits at log_count - 1 modulo the ring. */
    assert_int_equal(p.log[(p.log_count - 1) % MSR_LOG_LEN].msr, 5 * MSR_LOG_LEN + 6);
    assert_int_equal(p.log[7].msr, 4 * MSR_LOG_LEN + 7);
}

/* ---- names ----------------------------------------------------------------- */

static void test_action_name_each(void **state)
{
    (void)state;
    assert_string_equal(msr_action_name(MSR_PASS), "pass");
    assert_string_equal(msr_action_name(MSR_LOG), "log");
    assert_string_equal(msr_action_name(MSR_DENY), "deny");
    assert_string_equal(msr_action_name(MSR_FIXED), "fixed");
}

static void test_action_name_out_of_range(void **state)
{
    (void)state;
    assert_string_equal(msr_action_name(MSR_ACTIONS), "unknown");
    assert_string_equal(msr_action_name((enum msr_action)255), "unknown");
    assert_string_equal(msr_action_name((enum msr_action)-1), "unknown");
}

static void test_action_parse_each(void **state)
{
    (void)state;
    enum msr_action a = MSR_ACTIONS;
    assert_int_equal(msr_action_parse("pass", &a), 0);
    assert_int_equal(a, MSR_PASS);
    assert_int_equal(msr_action_parse("log", &a), 0);
    assert_int_equal(a, MSR_LOG);
    assert_int_equal(msr_action_parse("deny", &a), 0);
    assert_int_equal(a, MSR_DENY);
    assert_int_equal(msr_action_parse("fixed", &a), 0);
    assert_int_equal(a, MSR_FIXED);
}

static void test_action_parse_round_trips_names(void **state)
{
    (void)state;
    for (int i = 0; i < MSR_ACTIONS; i++) {
        enum msr_action a = MSR_ACTIONS;
        assert_int_equal(msr_action_parse(msr_action_name((enum msr_action)i), &a), 0);
        assert_int_equal(a, i);
    }
}

static void test_action_parse_unknown_leaves_output(void **state)
{
    (void)state;
    static const char *const bad[] = { "", "unknown", "Pass", "DENY", "fix", "fixed ", " log",
                                       "logs", "passthrough" };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        enum msr_action a = MSR_FIXED;
        assert_int_equal(msr_action_parse(bad[i], &a), -1);
        assert_int_equal(a, MSR_FIXED);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_find_no_rules),
        cmocka_unit_test(test_find_single_msr),
        cmocka_unit_test(test_find_range_edges),
        cmocka_unit_test(test_find_full_32bit_range),
        cmocka_unit_test(test_find_overlap_latest_added_wins),
        cmocka_unit_test(test_find_narrow_rule_inside_wide_one),
        cmocka_unit_test(test_find_older_rule_shows_after_removal),
        cmocka_unit_test(test_set_adds_rules_in_order),
        cmocka_unit_test(test_set_value_stored_for_any_action),
        cmocka_unit_test(test_set_same_range_replaces),
        cmocka_unit_test(test_set_different_range_same_first_is_new_rule),
        cmocka_unit_test(test_set_pass_removes_and_keeps_order),
        cmocka_unit_test(test_set_pass_removes_first_and_last),
        cmocka_unit_test(test_set_pass_without_exact_rule_is_added),
        cmocka_unit_test(test_set_first_above_last_rejected),
        cmocka_unit_test(test_set_invalid_action_rejected),
        cmocka_unit_test(test_set_table_full_rejected),
        cmocka_unit_test(test_set_replace_works_when_full),
        cmocka_unit_test(test_set_remove_when_full_frees_a_slot),
        cmocka_unit_test(test_record_stores_fields),
        cmocka_unit_test(test_record_leaves_rules_alone),
        cmocka_unit_test(test_record_ring_wraps),
        cmocka_unit_test(test_record_exactly_full_ring),
        cmocka_unit_test(test_record_count_continues_past_many_wraps),
        cmocka_unit_test(test_action_name_each),
        cmocka_unit_test(test_action_name_out_of_range),
        cmocka_unit_test(test_action_parse_each),
        cmocka_unit_test(test_action_parse_round_trips_names),
        cmocka_unit_test(test_action_parse_unknown_leaves_output),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
