/*
 * hist.c - latency histogram reporting; see hist.h.
 */
#include "hist.h"

#include "fmt.h"
#include "kstring.h"

#define BAR_MAX 40

/* hist_reset - empties the histogram (all-zero is the empty state). */
void hist_reset(struct hist *h)
{
    memset(h, 0, sizeof(*h));
}

static uint64_t bucket_lo(unsigned b)
{
    return b ? (uint64_t)1 << b : 0;
}

static uint64_t bucket_hi(unsigned b)
{
    return b == HIST_BUCKETS - 1 ? UINT64_MAX : ((uint64_t)1 << (b + 1)) - 1;
}

/* hist_percentile - see hist.h. */
uint64_t hist_percentile(const struct hist *h, unsigned p)
{
    if (h->count == 0)
        return 0;
    if (p == 0)
        return h->min;
    if (p > 100)
        p = 100;
    /* rank = ceil(count * p / 100), split so count * p cannot overflow. */
    uint64_t rank = h->count / 100 * p + (h->count % 100 * p + 99) / 100;
    uint64_t seen = 0;
    unsigned b;
    for (b = 0; b < HIST_BUCKETS - 1; b++) {
        seen += h->bucket[b];
        if (seen >= rank)
            break;
    }
    /* The bucket holds a sample >= min, so its upper bound is >= min too:
     * only the max side of the clamp can bite. */
    uint64_t hi = bucket_hi(b);
    return hi > h->max ? h->max : hi;
}

/* '#' count for a bucket of n samples when the fullest holds most. */
static unsigned bar_len(uint64_t n, uint64_t most)
{
    /* Scale both down until n * 40 + most / 2 fits in 64 bits. */
    while (most >> 58) {
        most >>= 1;
        n >>= 1;
    }
    uint64_t len = (n * BAR_MAX + most / 2) / most;
    return len ? (unsigned)len : 1;
}

/* hist_format - see hist.h. */
void hist_format(const struct hist *h, const char *name,
                 void (*sink)(void *ctx, const char *line), void *ctx)
{
    char line[192];
    uint64_t most = 0;

    fmt_snprintf(line, sizeof(line),
                 "hist reason=%s count=%llu min=%llu p50=%llu p99=%llu max=%llu", name,
                 (unsigned long long)h->count,
                 (unsigned long long)h->min,
                 (unsigned long long)hist_percentile(h, 50),
                 (unsigned long long)hist_percentile(h, 99),
                 (unsigned long long)h->max);
    sink(ctx, line);

    for (unsigned b = 0; b < HIST_BUCKETS; b++)
        if (h->bucket[b] > most)
            most = h->bucket[b];
    for (unsigned b = 0; b < HIST_BUCKETS; b++) {
        if (!h->bucket[b])
            continue;
        int n = fmt_snprintf(line, sizeof(line), "hist.bucket range=[%llu,%llu] count=%llu ",
                             (unsigned long long)bucket_lo(b), (unsigned long long)bucket_hi(b),
                             (unsigned long long)h->bucket[b]);
        /* At most 19 + 20 + 1 + 20 + 8 + 20 + 1 = 89 characters: the bar fits. */
        unsigned len = bar_len(h->bucket[b], most);
        memset(line + n, '#', len);
        line[n + len] = '\0';
        sink(ctx, line);
    }
}
