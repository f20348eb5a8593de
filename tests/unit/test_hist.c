// covers: kernel/hist.c kernel/fmt.c
/*
 * test_hist.c - host unit tests of the TSC latency histogram (kernel/hist.h,
 * kernel/hist.c): bucket placement, min/max/sum, percentiles and the text
 * the console's `hist` command prints.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "../../kernel/hist.h"

/* Lines hist_format produced, in order. */
struct lines {
    char line[HIST_BUCKETS + 2][256];
    size_t n;
};

static void collect(void *ctx, const char *line)
{
    struct lines *l = ctx;
    assert_true(l->n < HIST_BUCKETS + 2);
    assert_true(strlen(line) < sizeof(l->line[0]));
    strcpy(l->line[l->n++], line);
}

static void format(const struct hist *h, const char *name, struct lines *l)
{
    memset(l, 0, sizeof(*l));
    hist_format(h, name, collect, l);
}

/* "hist.bucket range=[lo,hi] count=n " followed by bar '#'. */
static void assert_bucket_line(const char *got, uint64_t lo, uint64_t hi, uint64_t n,
                               unsigned bar)
{
    char want[256];
    int len = snprintf(want, sizeof(want), "hist.bucket range=[%llu,%llu] count=%llu ",
                       (unsigned long long)lo, (unsigned long long)hi, (unsigned long long)n);
    memset(want + len, '#', bar);
    want[len + bar] = '\0';
    assert_string_equal(got, want);
}

/* Bar length of a formatted bucket line. */
static size_t bar_of(const char *line)
{
    const char *sp = strrchr(line, ' ');
    assert_non_null(sp);
    size_t n = strlen(sp + 1);
    assert_int_equal(strspn(sp + 1, "#"), n);
    return n;
}

static uint64_t bucket_total(const struct hist *h)
{
    uint64_t t = 0;
    for (int b = 0; b < HIST_BUCKETS; b++)
        t += h->bucket[b];
    return t;
}

/* ---- adding -------------------------------------------------------------- */

static void test_zero_struct_is_empty(void **state)
{
    (void)state;
    struct hist h;
    memset(&h, 0, sizeof(h));
    assert_int_equal(hist_percentile(&h, 50), 0);
    assert_int_equal(hist_percentile(&h, 100), 0);
    assert_int_equal(hist_percentile(&h, 0), 0);
    /* The first sample sets min even though min starts at 0. */
    hist_add(&h, 42);
    assert_int_equal(h.min, 42);
    assert_int_equal(h.max, 42);
    assert_int_equal(h.count, 1);
    assert_int_equal(h.sum, 42);
}

static void test_reset_empties(void **state)
{
    (void)state;
    struct hist h, zero;
    memset(&h, 0x5A, sizeof(h));
    hist_reset(&h);
    memset(&zero, 0, sizeof(zero));
    assert_memory_equal(&h, &zero, sizeof(h));
    hist_add(&h, 7);
    hist_add(&h, UINT64_MAX);
    hist_reset(&h);
    assert_memory_equal(&h, &zero, sizeof(h));
    assert_int_equal(hist_percentile(&h, 99), 0);
}

static void test_bucket_placement(void **state)
{
    (void)state;
    static const struct { uint64_t v; unsigned b; } cases[] = {
        { 0, 0 }, { 1, 0 }, { 2, 1 }, { 3, 1 }, { 4, 2 }, { 7, 2 }, { 8, 3 },
        { 1023, 9 }, { 1024, 10 }, { 1025, 10 }, { 2047, 10 }, { 2048, 11 },
        { ((uint64_t)1 << 32) - 1, 31 }, { (uint64_t)1 << 32, 32 },
        { ((uint64_t)1 << 63) - 1, 62 }, { (uint64_t)1 << 63, 63 }, { UINT64_MAX, 63 },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct hist h;
        hist_reset(&h);
        hist_add(&h, cases[i].v);
        if (h.bucket[cases[i].b] != 1)
            fail_msg("value %llu: not in bucket %u", (unsigned long long)cases[i].v,
                     cases[i].b);
        assert_int_equal(bucket_total(&h), 1);
    }
}

static void test_every_power_of_two_in_its_bucket(void **state)
{
    (void)state;
    struct hist h;
    hist_reset(&h);
    for (unsigned b = 0; b < HIST_BUCKETS; b++)
        hist_add(&h, (uint64_t)1 << b);
    /* 1 goes to bucket 0, 2^b to bucket b. */
    for (unsigned b = 0; b < HIST_BUCKETS; b++)
        assert_int_equal(h.bucket[b], 1);
}

static void test_min_max_sum(void **state)
{
    (void)state;
    struct hist h;
    hist_reset(&h);
    hist_add(&h, 500);
    hist_add(&h, 300);
    hist_add(&h, 900);
    hist_add(&h, 700);
    assert_int_equal(h.count, 4);
    assert_int_equal(h.min, 300);
    assert_int_equal(h.max, 900);
    assert_int_equal(h.sum, 2400);
    hist_add(&h, 0);
    assert_int_equal(h.min, 0);
    assert_int_equal(h.max, 900);
    hist_add(&h, UINT64_MAX);
    assert_true(h.max == UINT64_MAX);
    assert_int_equal(h.count, 6);
    assert_int_equal(bucket_total(&h), 6);
}

static void test_zero_samples(void **state)
{
    (void)state;
    struct hist h;
    hist_reset(&h);
    hist_add(&h, 0);
    hist_add(&h, 0);
    assert_int_equal(h.count, 2);
    assert_int_equal(h.min, 0);
    assert_int_equal(h.max, 0);
    assert_int_equal(h.bucket[0], 2);
    /* Bucket 0's upper bound (1) is clamped to max. */
    assert_int_equal(hist_percentile(&h, 50), 0);
    assert_int_equal(hist_percentile(&h, 100), 0);
}

/* ---- percentiles ---------------------------------------------------------- */

static void test_percentile_single_value(void **state)
{
    (void)state;
    struct hist h;
    hist_reset(&h);
    hist_add(&h, 100);
    /* Bucket [64,127], clamped to max = 100. */
    assert_int_equal(hist_percentile(&h, 1), 100);
    assert_int_equal(hist_percentile(&h, 50), 100);
    assert_int_equal(hist_percentile(&h, 100), 100);
}

static void test_percentile_all_equal(void **state)
{
    (void)state;
    struct hist h;
    hist_reset(&h);
    for (int i = 0; i < 1000; i++)
        hist_add(&h, 700);
    assert_int_equal(h.bucket[9], 1000);
    assert_int_equal(h.sum, 700000);
    for (unsigned p = 1; p <= 100; p++)
        assert_int_equal(hist_percentile(&h, p), 700);
}

static void test_percentile_two_clusters(void **state)
{
    (void)state;
    struct hist h;
    hist_reset(&h);
    for (int i = 0; i < 90; i++)
        hist_add(&h, 100);      /* [64,127] */
    for (int i = 0; i < 9; i++)
        hist_add(&h, 5000);     /* [4096,8191] */
    hist_add(&h, 1000000);      /* [524288,1048575] */
    assert_int_equal(hist_percentile(&h, 1), 127);
    assert_int_equal(hist_percentile(&h, 50), 127);
    assert_int_equal(hist_percentile(&h, 90), 127);
    assert_int_equal(hist_percentile(&h, 91), 8191);
    assert_int_equal(hist_percentile(&h, 99), 8191);
    /* The top bucket's bound 1048575 is clamped to max. */
    assert_int_equal(hist_percentile(&h, 100), 1000000);
}

static void test_percentile_rank_rounds_up(void **state)
{
    (void)state;
    struct hist h;
    hist_reset(&h);
    hist_add(&h, 1);
    hist_add(&h, 100);
    hist_add(&h, 10000);
    /* rank = ceil(3 * p / 100): 33 -> 1, 34 -> 2, 66 -> 2, 67 -> 3. */
    assert_int_equal(hist_percentile(&h, 33), 1);
    assert_int_equal(hist_percentile(&h, 34), 127);
    assert_int_equal(hist_percentile(&h, 66), 127);
    assert_int_equal(hist_percentile(&h, 67), 10000);
}

static void test_percentile_out_of_range_p(void **state)
{
    (void)state;
    struct hist h;
    hist_reset(&h);
    hist_add(&h, 20);
    hist_add(&h, 3000);
    assert_int_equal(hist_percentile(&h, 0), 20);           /* min */
    assert_int_equal(hist_percentile(&h, 101), 3000);       /* as 100 */
    assert_int_equal(hist_percentile(&h, 1000000), 3000);
}

static void test_percentile_top_bucket(void **state)
{
    (void)state;
    struct hist h;
    hist_reset(&h);
    hist_add(&h, UINT64_MAX);
    assert_true(hist_percentile(&h, 50) == UINT64_MAX);
    hist_reset(&h);
    hist_add(&h, (uint64_t)1 << 63);
    assert_true(hist_percentile(&h, 50) == (uint64_t)1 << 63);
}

static void test_percentile_huge_count_does_not_overflow(void **state)
{
    (void)state;
    struct hist h;
    hist_reset(&h);
    /* count * p would overflow 64 bits; the rank must not. */
    h.count = 0xF000000000000000ull;
    h.bucket[3] = h.count / 2;
    h.bucket[40] = h.count / 2;
    h.min = 8;
    h.max = ((uint64_t)1 << 41) - 1;
    assert_int_equal(hist_percentile(&h, 50), 15);
    assert_true(hist_percentile(&h, 51) == ((uint64_t)1 << 41) - 1);
    assert_true(hist_percentile(&h, 100) == ((uint64_t)1 << 41) - 1);
}

/* ---- format ---------------------------------------------------------------- */

static void test_format_empty(void **state)
{
    (void)state;
    struct hist h;
    struct lines l;
    hist_reset(&h);
    format(&h, "all", &l);
    assert_int_equal(l.n, 1);
    assert_string_equal(l.line[0], "hist reason=all count=0 min=0 p50=0 p99=0 max=0");
}

static void test_format_small_example(void **state)
{
    (void)state;
    static const uint64_t v[] = { 0, 1, 5, 5, 6, 100 };
    struct hist h;
    struct lines l;
    hist_reset(&h);
    for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
        hist_add(&h, v[i]);
    format(&h, "cpuid", &l);
    assert_int_equal(l.n, 4);
    assert_string_equal(l.line[0], "hist reason=cpuid count=6 min=0 p50=7 p99=100 max=100");
    /* Bars: 3 -> 40, 2 -> round(80 / 3) = 27, 1 -> round(40 / 3) = 13. */
    assert_string_equal(l.line[1],
                        "hist.bucket range=[0,1] count=2 ###########################");
    assert_string_equal(l.line[2],
                        "hist.bucket range=[4,7] count=3 ########################################");
    assert_string_equal(l.line[3], "hist.bucket range=[64,127] count=1 #############");
}

static void test_format_single_sample(void **state)
{
    (void)state;
    struct hist h;
    struct lines l;
    hist_reset(&h);
    hist_add(&h, 1500);
    format(&h, "io", &l);
    assert_int_equal(l.n, 2);
    assert_string_equal(l.line[0], "hist reason=io count=1 min=1500 p50=1500 p99=1500 max=1500");
    assert_bucket_line(l.line[1], 1024, 2047, 1, 40);
}

static void test_format_top_bucket_range(void **state)
{
    (void)state;
    struct hist h;
    struct lines l;
    hist_reset(&h);
    hist_add(&h, UINT64_MAX);
    format(&h, "x", &l);
    assert_int_equal(l.n, 2);
    assert_string_equal(l.line[0], "hist reason=x count=1 min=18446744073709551615 "
                                   "p50=18446744073709551615 p99=18446744073709551615 "
                                   "max=18446744073709551615");
    assert_bucket_line(l.line[1], (uint64_t)1 << 63, UINT64_MAX, 1, 40);
}

static void test_format_every_bucket_in_order(void **state)
{
    (void)state;
    struct hist h;
    struct lines l;
    hist_reset(&h);
    for (unsigned b = 0; b < HIST_BUCKETS; b++)
        hist_add(&h, b ? (uint64_t)1 << b : 0);
    format(&h, "all", &l);
    assert_int_equal(l.n, 1 + HIST_BUCKETS);
    for (unsigned b = 0; b < HIST_BUCKETS; b++) {
        uint64_t lo = b ? (uint64_t)1 << b : 0;
        uint64_t hi = b == 63 ? UINT64_MAX : ((uint64_t)1 << (b + 1)) - 1;
        assert_bucket_line(l.line[1 + b], lo, hi, 1, 40);
    }
}

static void test_bar_scaling(void **state)
{
    (void)state;
    struct hist h;
    struct lines l;
    hist_reset(&h);
    for (int i = 0; i < 80; i++)
        hist_add(&h, 10);           /* bucket 3 */
    for (int i = 0; i < 40; i++)
        hist_add(&h, 100);          /* bucket 6 */
    for (int i = 0; i < 2; i++)
        hist_add(&h, 1000);         /* bucket 9: 80 / 80 = 1 */
    hist_add(&h, 10000);            /* bucket 13: 0.5 rounds up to 1 */
    format(&h, "b", &l);
    assert_int_equal(l.n, 5);
    assert_int_equal(bar_of(l.line[1]), 40);
    assert_int_equal(bar_of(l.line[2]), 20);
    assert_int_equal(bar_of(l.line[3]), 1);
    assert_int_equal(bar_of(l.line[4]), 1);
}

static void test_bar_at_least_one(void **state)
{
    (void)state;
    struct hist h;
    struct lines l;
    hist_reset(&h);
    for (int i = 0; i < 1000; i++)
        hist_add(&h, 3);
    hist_add(&h, 300);              /* 40 / 1000 rounds to 0: shown as 1 */
    format(&h, "b", &l);
    assert_int_equal(l.n, 3);
    assert_int_equal(bar_of(l.line[1]), 40);
    assert_bucket_line(l.line[2], 256, 511, 1, 1);
}

static void test_bar_scaling_huge_counts(void **state)
{
    (void)state;
    struct hist h;
    struct lines l;
    hist_reset(&h);
    /* Counts where n * 40 overflows 64 bits. */
    h.bucket[2] = UINT64_MAX;
    h.bucket[5] = UINT64_MAX / 2;
    h.bucket[7] = UINT64_MAX / 4;
    h.bucket[9] = 1;
    h.count = UINT64_MAX;
    h.min = 4;
    h.max = 1000;
    format(&h, "big", &l);
    assert_int_equal(l.n, 5);
    assert_bucket_line(l.line[1], 4, 7, UINT64_MAX, 40);
    assert_bucket_line(l.line[2], 32, 63, UINT64_MAX / 2, 20);
    assert_bucket_line(l.line[3], 128, 255, UINT64_MAX / 4, 10);
    assert_bucket_line(l.line[4], 512, 1023, 1, 1);
}

static void test_format_long_name_truncated(void **state)
{
    (void)state;
    struct hist h;
    struct lines l;
    char name[400];
    hist_reset(&h);
    hist_add(&h, 5);
    memset(name, 'n', sizeof(name) - 1);
    name[sizeof(name) - 1] = '\0';
    format(&h, name, &l);
    assert_int_equal(l.n, 2);
    /* Cut to the line buffer, never overrun; the bucket line is whole. */
    assert_true(strlen(l.line[0]) < 192);
    assert_memory_equal(l.line[0], "hist reason=nnnn", 16);
    assert_bucket_line(l.line[1], 4, 7, 1, 40);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_zero_struct_is_empty),
        cmocka_unit_test(test_reset_empties),
        cmocka_unit_test(test_bucket_placement),
        cmocka_unit_test(test_every_power_of_two_in_its_bucket),
        cmocka_unit_test(test_min_max_sum),
        cmocka_unit_test(test_zero_samples),
        cmocka_unit_test(test_percentile_single_value),
        cmocka_unit_test(test_percentile_all_equal),
        cmocka_unit_test(test_percentile_two_clusters),
        cmocka_unit_test(test_percentile_rank_rounds_up),
        cmocka_unit_test(test_percentile_out_of_range_p),
        cmocka_unit_test(test_percentile_top_bucket),
        cmocka_unit_test(test_percentile_huge_count_does_not_overflow),
        cmocka_unit_test(test_format_empty),
        cmocka_unit_test(test_format_small_example),
        cmocka_unit_test(test_format_single_sample),
        cmocka_unit_test(test_format_top_bucket_range),
        cmocka_unit_test(test_format_every_bucket_in_order),
        cmocka_unit_test(test_bar_scaling),
        cmocka_unit_test(test_bar_at_least_one),
        cmocka_unit_test(test_bar_scaling_huge_counts),
        cmocka_unit_test(test_format_long_name_truncated),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
