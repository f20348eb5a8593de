// covers: kernel/mb1.c kernel/image.c kernel/fmt.c
/*
 * fuzz_mb1.c - the Multiboot v1 image parser (kernel/mb1.c) on arbitrary
 * images: the header search, the a.out kludge and ELF32/64 program headers.
 *
 * When mb1_parse accepts an image, the loader copies each segment without
 * further checks, so the harness asserts what it relies on: at least one
 * and at most MB1_MAX_SEGMENTS segments, each one's file range inside the
 * image, filesz <= memsz, dest + memsz at most 4 GiB, and the entry point
 * inside some segment. mb1_parse accepting implies mb1_probe found a header.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "../../kernel/mb1.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct mb1_image img;
    char err[160];

    int probed = mb1_probe(data, size);
    if (mb1_parse(data, size, &img, err, sizeof(err)) != 0) {
        if (!memchr(err, 0, sizeof(err)))
            __builtin_trap();
        return 0;
    }
    if (!probed || img.layout.nseg == 0 || img.layout.nseg > MB1_MAX_SEGMENTS)
        __builtin_trap();
    int entry_inside = 0;
    for (unsigned i = 0; i < img.layout.nseg; i++) {
        const struct image_segment *s = &img.layout.seg[i];
        if (s->offset > size || s->filesz > size - s->offset)
            __builtin_trap();
        if (s->filesz > s->memsz)
            __builtin_trap();
        if (s->dest > (1ull << 32) || s->memsz > (1ull << 32) - s->dest)
            __builtin_trap();
        if (img.layout.entry >= s->dest && img.layout.entry - s->dest < s->memsz)
            entry_inside = 1;
    }
    if (!entry_inside)
        __builtin_trap();
    return 0;
}
