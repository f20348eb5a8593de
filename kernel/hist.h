/*
 * hist.h - a latency histogram of TSC cycles (pure; host unit tested) for
 * the console's `hist` command. Buckets are powers of two so that adding a
 * sample on the VM-exit hot path is a bit scan, an increment and two
 * compares, with no division.
 *
 * An all-zero struct hist is an empty histogram, so one in static storage
 * needs no setup.
 */
#ifndef HIST_H
#define HIST_H

#include <stdint.h>

/* Bucket b counts values v with floor(log2(v)) == b (v == 0 in bucket 0). */
#define HIST_BUCKETS 64

struct hist {
    uint64_t count, min, max, sum;  /* min and max are 0 when empty */
    uint64_t bucket[HIST_BUCKETS];
};

/*
 * hist_add - counts one sample. sum wraps after 2^64 cycles (a century of
 * TSC ticks), which is not worth a check here.
 */
static inline void hist_add(struct hist *h, uint64_t v)
{
    /* v | 1: clz of 0 is undefined, and 0 shares bucket 0 with 1 anyway. */
    h->bucket[63 - __builtin_clzll(v | 1)]++;
    if (v < h->min || h->count == 0)
        h->min = v;
    if (v > h->max)
        h->max = v;
    h->count++;
    h->sum += v;
}

/* hist_reset - empties the histogram. */
void hist_reset(struct hist *h);

/*
 * hist_percentile - the p-th percentile (0 < p <= 100) as the upper bound
 * of the bucket holding it, clamped to [min, max]; 0 when empty. p == 0
 * gives min, p > 100 is taken as 100.
 */
uint64_t hist_percentile(const struct hist *h, unsigned p);

/*
 * hist_format - the histogram as text lines through sink (no newlines):
 *   hist reason=NAME count=N min=N p50=N p99=N max=N
 * then one line per non-empty bucket, lowest first:
 *   hist.bucket range=[LO,HI] count=N ####
 * with a bar of '#' proportional to the count (the fullest bucket gets 40,
 * every non-empty one at least 1).
 */
void hist_format(const struct hist *h, const char *name,
                 void (*sink)(void *ctx, const char *line), void *ctx);

#endif
