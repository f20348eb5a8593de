/*
 * reports.h - a report sink for the unit tests of pure modules that report
 * problems through a (ctx, msg) callback: it keeps every message.
 * Include after <cmocka.h>.
 */
#ifndef TEST_REPORTS_H
#define TEST_REPORTS_H

#include <string.h>

#define MAX_REPORTS 40

struct reports {
    int count;
    char msg[MAX_REPORTS][200];
};

static inline void collect(void *ctx, const char *msg)
{
    struct reports *r = ctx;
    assert_true(r->count < MAX_REPORTS);
    assert_true(strlen(msg) < sizeof(r->msg[0]));
    strcpy(r->msg[r->count++], msg);
}

#endif
