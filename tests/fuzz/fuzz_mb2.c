// covers: kernel/mb2.c kernel/fmt.c
/*
 * fuzz_mb2.c - the Multiboot2 boot information parser (kernel/mb2.c) on
 * arbitrary bytes.
 *
 * mb2_parse trusts total_size (the loader's word), so the harness clamps it
 * to the input and copies exactly that many bytes into an 8-byte aligned
 * heap buffer of that size: any read past total_size is an ASan report.
 * On success every pointer the parser hands back (strings, RSDP) must lie
 * inside the buffer, strings terminated there, and the counts within their
 * arrays.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../kernel/mb2.h"

static int inside(const uint8_t *buf, size_t len, const void *p, size_t n)
{
    const uint8_t *q = p;
    return q >= buf && q <= buf + len && n <= (size_t)(buf + len - q);
}

static void check_string(const uint8_t *buf, size_t len, const char *s)
{
    if (s && (!inside(buf, len, s, 1) || !memchr(s, 0, (size_t)(buf + len - (const uint8_t *)s))))
        __builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct mb2_info info;
    char err[128];

    if (size < 8)
        return 0;
    uint32_t total;
    memcpy(&total, data, 4);
    if (total > size)
        total = (uint32_t)size;
    size_t len = total < 8 ? 8 : total;     /* the fixed header is read regardless */
    /* malloc is 16-byte aligned; exactly len bytes, so ASan sees the end. */
    uint8_t *buf = malloc(len);
    if ((uintptr_t)buf % 8)
        __builtin_trap();
    memcpy(buf, data, len);
    memcpy(buf, &total, 4);

    if (mb2_parse(buf, &info, err, sizeof(err)) == 0) {
        if (info.mmap_count > MB2_MAX_MMAP || info.module_count > MB2_MAX_MODULES)
            __builtin_trap();
        check_string(buf, len, info.cmdline);
        check_string(buf, len, info.loader_name);
        for (unsigned i = 0; i < info.module_count; i++) {
            check_string(buf, len, info.modules[i].cmdline);
            if (info.modules[i].end < info.modules[i].start)
                __builtin_trap();
        }
        if (info.rsdp && (!info.rsdp_len || !inside(buf, len, info.rsdp, info.rsdp_len)))
            __builtin_trap();
    } else if (!memchr(err, 0, sizeof(err))) {
        __builtin_trap();
    }
    free(buf);
    return 0;
}
