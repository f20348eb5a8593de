// covers: kernel/bzimage.c kernel/memmap.c
/*
 * fuzz_bzimage.c - the Linux bzImage parser and zero-page builder
 * (kernel/bzimage.c) on arbitrary images.
 *
 * The input is the image. Its first 24 bytes, part of the boot sector the
 * parser never reads, also give the command line (address, length) and the
 * initrd (address, size) for bzimage_boot_params.
 *
 * When bzimage_parse accepts an image, the loader copies the protected-mode
 * kernel and the setup header without further checks, so the harness
 * asserts what it relies on: the kernel's range inside the image and after
 * the setup sectors, the header end between 0x202 and 0x290 and inside the
 * image, init_size at most 1 GiB, the 64-bit entry inside the kernel, a
 * power-of-two alignment for a relocatable kernel. A load address, when
 * found, holds the kernel and init_size in RAM (aligned if relocatable).
 * The zero page carries "HdrS", type_of_loader 0xFF, at most 128 e820
 * entries, and the command line and initrd when accepted.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "../../kernel/bzimage.h"

static uint64_t rd(const uint8_t *p, unsigned n)
{
    uint64_t v = 0;
    memcpy(&v, p, n);
    return v;
}

static void check_params(const uint8_t *data, const struct bzimage_info *bi,
                         const struct memmap *m, uint64_t cl, uint32_t cl_len, uint64_t rd_gpa,
                         uint64_t rd_size)
{
    static uint8_t zp[4096];
    const char *why = NULL;
    if (bzimage_boot_params(zp, data, bi, m, cl, cl_len, rd_gpa, rd_size, &why) != 0) {
        if (!why)
            __builtin_trap();
        return;
    }
    if (memcmp(zp + BZ_HEADER, "HdrS", 4) || zp[BZ_TYPE_OF_LOADER] != 0xFF)
        __builtin_trap();
    if (zp[BZ_E820_ENTRIES] > BZ_E820_MAX || zp[BZ_E820_ENTRIES] > m->n)
        __builtin_trap();
    if (zp[BZ_LOADFLAGS] & BZ_CAN_USE_HEAP)
        __builtin_trap();
    uint64_t cmd = rd(zp + BZ_CMD_LINE_PTR, 4) | rd(zp + BZ_EXT_CMD_LINE_PTR, 4) << 32;
    if (cmd != cl || (cl && (cl_len > bi->cmdline_size || !memmap_is_ram(m, cl, cl_len + 1ull))))
        __builtin_trap();
    uint64_t img = rd(zp + BZ_RAMDISK_IMAGE, 4) | rd(zp + BZ_EXT_RAMDISK_IMAGE, 4) << 32;
    uint64_t size = rd(zp + BZ_RAMDISK_SIZE, 4) | rd(zp + BZ_EXT_RAMDISK_SIZE, 4) << 32;
    if (size != rd_size || (size && (img != rd_gpa || !memmap_is_ram(m, img, size))))
        __builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct bzimage_info bi;
    const char *why = NULL;

    if (bzimage_parse(data, size, &bi, &why) != 0) {
        if (!why)
            __builtin_trap();
        return 0;
    }
    if (bi.kernel_offset < 512 || bi.kernel_offset > size || bi.kernel_size == 0 ||
        bi.kernel_size > size - bi.kernel_offset)
        __builtin_trap();
    if (bi.header_end < BZ_HEADER || bi.header_end > BZ_HEADER_LIMIT || bi.header_end > size)
        __builtin_trap();
    if (bi.init_size == 0 || bi.init_size > BZ_MAX_INIT_SIZE || bi.version < 0x0206)
        __builtin_trap();
    if (bi.entry64 && bi.kernel_size <= BZ_ENTRY64_OFFSET)
        __builtin_trap();
    if (bi.relocatable && (bi.kernel_alignment < 4096 ||
                           (bi.kernel_alignment & (bi.kernel_alignment - 1))))
        __builtin_trap();

    /* A small PC map (RAM below 640 KiB, to 512 MiB and from 4 GiB), and one
     * with more entries than an e820 table holds. */
    static struct memmap small, many;
    if (!small.n) {
        static const struct mb2_mmap_entry e[] = {
            { 0x0, 0x9F000, MB2_MEM_AVAILABLE },     { 0x9F000, 0x1000, MB2_MEM_RESERVED },
            { 0x100000, 0x1FF00000, MB2_MEM_AVAILABLE }, { 0x20000000, 0x10000, MB2_MEM_ACPI },
            { 0xFEC00000, 0x1000, 9 },               { 0x100000000ull, 1ull << 32, MB2_MEM_AVAILABLE },
        };
        memcpy(small.e, e, sizeof(e));
        small.n = sizeof(e) / sizeof(e[0]);
        for (unsigned i = 0; i < MEMMAP_MAX; i++)
            many.e[many.n++] = (struct mb2_mmap_entry){ 0x100000 + i * 0x200000ull, 0x100000,
                                                        i % 3 ? MB2_MEM_AVAILABLE : MB2_MEM_NVS };
    }

    uint64_t need = bi.init_size > bi.kernel_size ? bi.init_size : bi.kernel_size;
    uint64_t at = bzimage_load_address(&bi, &small);
    if (at) {
        if (!memmap_is_ram(&small, at, bi.relocatable ? need : bi.kernel_size) || at < 0x100000)
            __builtin_trap();
        if (bi.relocatable && (at & (bi.kernel_alignment - 1)))
            __builtin_trap();
        if (!bi.relocatable && at != 0x100000)
            __builtin_trap();
    }

    uint64_t cl = rd(data, 8), rd_gpa = rd(data + 12, 8);
    uint32_t cl_len = (uint32_t)rd(data + 8, 4);
    uint64_t rd_size = rd(data + 20, 4) | (uint64_t)(data[0x1F0] & 3) << 32;
    check_params(data, &bi, &small, cl, cl_len, rd_gpa, rd_size);
    check_params(data, &bi, &many, cl, cl_len, rd_gpa, rd_size);
    return 0;
}
