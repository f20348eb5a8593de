// covers: kernel/mb2_image.c kernel/mb2.c kernel/image.c kernel/memmap.c kernel/fmt.c
/*
 * fuzz_mb2_image.c - the Multiboot2 guest image parser (kernel/mb2_image.c)
 * on arbitrary images: the header search, every header tag, the address
 * tag and ELF32/64 layouts, and the placement of the result in a fixed
 * guest memory map.
 *
 * When mb2_image_parse accepts an image, the loader copies each segment
 * without further checks, so the harness asserts what it relies on: a
 * probed header, 1 to IMAGE_MAX_SEGMENTS segments each inside the file,
 * filesz <= memsz, below 4 GiB, the entry inside some segment, no required
 * information the loader cannot give; and a placement that succeeds is
 * wholly RAM and honours the relocatable tag's window and alignment.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "../../kernel/mb2_image.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct mb2_image mi;
    char err[200];

    int probed = mb2_image_probe(data, size);
    if (mb2_image_parse(data, size, &mi, err, sizeof(err)) != 0) {
        if (!memchr(err, 0, sizeof(err)))
            __builtin_trap();
        return 0;
    }
    const struct image_layout *l = &mi.layout;
    if (!probed || l->nseg == 0 || l->nseg > IMAGE_MAX_SEGMENTS)
        __builtin_trap();
    if (mi.required & ~MB2_INFO_PROVIDED & ~1ull)
        __builtin_trap();
    if (mi.header_offset % 8 || mi.header_offset + mi.header_length > MB2_SEARCH_LIMIT)
        __builtin_trap();
    for (unsigned i = 0; i < l->nseg; i++) {
        const struct image_segment *s = &l->seg[i];
        if (s->offset > size || s->filesz > size - s->offset || s->filesz > s->memsz)
            __builtin_trap();
        if (s->dest > (1ull << 32) || s->memsz > (1ull << 32) - s->dest)
            __builtin_trap();
    }
    if (!image_contains(l, l->entry))
        __builtin_trap();

    /* 1 MiB to 256 MiB of RAM, the low 636 KiB, and a hole. */
    struct memmap ram = { .n = 3 };
    ram.e[0] = (struct mb2_mmap_entry){ 0, 0x9F000, MB2_MEM_AVAILABLE };
    ram.e[1] = (struct mb2_mmap_entry){ 0x100000, 0x7F00000, MB2_MEM_AVAILABLE };
    ram.e[2] = (struct mb2_mmap_entry){ 0x8000000, 0x100000, MB2_MEM_RESERVED };
    uint64_t base, lo, hi;
    if (mb2_image_place(&mi, &ram, &base, err, sizeof(err)) != 0) {
        if (!memchr(err, 0, sizeof(err)))
            __builtin_trap();
        return 0;
    }
    image_extent(l, &lo, &hi);
    if (!memmap_is_ram(&ram, base, hi - lo))
        __builtin_trap();
    if (base != lo) {
        uint64_t align = mi.reloc_align ? mi.reloc_align : 1;
        if (!mi.relocatable || base % align || base < mi.reloc_min ||
            base + (hi - lo) > mi.reloc_max)
            __builtin_trap();
    }
    return 0;
}
