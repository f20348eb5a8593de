// covers: kernel/options.c kernel/tokenize.c kernel/fmt.c
/*
 * fuzz_options.c - the hypervisor command line (kernel/options.c) on
 * arbitrary text: options_parse, then options_format of the result.
 *
 * Checks: the return value counts exactly the problems reported, each
 * report is a terminated string; the formatted line is terminated in a
 * small buffer (1-64 bytes, from the input's length) and fits whole in a
 * large one, and the small one holds a prefix of the large one.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../kernel/options.h"

static void count_report(void *ctx, const char *msg)
{
    if (strlen(msg) >= 160)     /* the reports are formatted into 160 bytes */
        __builtin_trap();
    ++*(int *)ctx;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct hv_options o;
    static char large[4096];

    size_t small_size = 1 + size % 64;
    char *line = malloc(size + 1);      /* the input, terminated */
    memcpy(line, data, size);
    line[size] = '\0';

    options_defaults(&o);
    int reports = 0;
    int problems = options_parse(line, &o, count_report, &reports);
    if (problems != reports)
        __builtin_trap();

    char *small = malloc(small_size);   /* exact size: ASan catches overruns */
    if (options_format(&o, small, small_size) != small ||
        options_format(&o, large, sizeof(large)) != large)
        __builtin_trap();
    size_t slen = strnlen(small, small_size), llen = strnlen(large, sizeof(large));
    if (slen == small_size || llen >= sizeof(large) - 1 || strncmp(small, large, slen))
        __builtin_trap();
    free(small);
    free(line);
    return 0;
}
