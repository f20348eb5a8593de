// covers: kernel/bzimage.c kernel/memmap.c
/*
 * test_bzimage.c - host unit tests of the Linux bzImage parser and
 * zero-page builder (kernel/bzimage.c) on synthetic setup headers: every
 * refusal, the load-address choice and the zero page's fields. When a real
 * kernel is at hand ($BZIMAGE, else the first /boot/vmlinuz-*), it is
 * parsed too; otherwise that test is skipped.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../kernel/bzimage.h"

#define KiB 1024ull
#define MiB (1024ull * KiB)
#define GiB (1024ull * MiB)

#define AVAIL MB2_MEM_AVAILABLE
#define RSVD  MB2_MEM_RESERVED
#define ACPI  MB2_MEM_ACPI
#define NVS   MB2_MEM_NVS
#define BAD   MB2_MEM_BADRAM

#define E(b, l, t) ((struct mb2_mmap_entry){ (b), (l), (t) })
#define N(a) ((unsigned)(sizeof(a) / sizeof((a)[0])))

/* ---- building images ------------------------------------------------------ */

#define IMG_MAX 0x3000

static struct {
    uint8_t b[IMG_MAX];
    size_t len;
} I;

static struct bzimage_info bi;
static const char *why;
static struct memmap m;
static uint8_t zp[4096];

static void w8(size_t off, uint8_t v)
{
    I.b[off] = v;
}

static void w16(size_t off, uint16_t v)
{
    memcpy(I.b + off, &v, 2);
}

static void w32(size_t off, uint32_t v)
{
    memcpy(I.b + off, &v, 4);
}

static void w64(size_t off, uint64_t v)
{
    memcpy(I.b + off, &v, 8);
}

static uint32_t z32(size_t off)
{
    uint32_t v;
    memcpy(&v, zp + off, 4);
    return v;
}

static uint64_t z64(size_t off)
{
    uint64_t v;
    memcpy(&v, zp + off, 8);
    return v;
}

/*
 * A modern 64-bit kernel, shaped like Debian's 6.1 (protocol 2.15): 3 setup
 * sectors, 0x1000 bytes of protected-mode kernel then 0x100 bytes of
 * signature, relocatable to 2 MiB, preferring 16 MiB, init_size 32 MiB.
 */
static void image(void)
{
    memset(&I, 0, sizeof(I));
    I.len = 0x800 + 0x1000 + 0x100;
    w8(BZ_SETUP_SECTS, 3);
    w32(BZ_SYSSIZE, 0x1000 / 16);
    w16(BZ_BOOT_FLAG, 0xAA55);
    w8(BZ_JUMP, 0xEB);
    w8(BZ_JUMP + 1, 0x6A);              /* header ends at 0x26C */
    memcpy(I.b + BZ_HEADER, "HdrS", 4);
    w16(BZ_VERSION, 0x020F);
    w8(BZ_LOADFLAGS, BZ_LOADED_HIGH | BZ_CAN_USE_HEAP);
    w32(BZ_CODE32_START, 0x100000);
    w32(BZ_INITRD_ADDR_MAX, 0x7FFFFFFF);
    w32(BZ_KERNEL_ALIGNMENT, 2 * MiB);
    w8(BZ_RELOCATABLE, 1);
    w16(BZ_XLOADFLAGS, 0x7F);
    w32(BZ_CMDLINE_SIZE, 2047);
    w64(BZ_PREF_ADDRESS, 16 * MiB);
    w32(BZ_INIT_SIZE, 32 * MiB);
    /* setup code after the header, and the kernel's first bytes */
    memset(I.b + 0x26C, 0xCC, 0x800 - 0x26C);
    memset(I.b + 0x800, 0x90, 0x1000);
}

static int parse(void)
{
    why = NULL;
    memset(&bi, 0x5A, sizeof(bi));
    return bzimage_parse(I.b, I.len, &bi, &why);
}

static void expect_ok(void)
{
    if (parse() != 0)
        fail_msg("bzimage_parse failed: %s", why);
    assert_null(why);
}

static void expect_error(const char *what)
{
    assert_int_equal(parse(), -1);
    assert_non_null(why);
    assert_string_equal(why, what);
}

static void map_of(const struct mb2_mmap_entry *e, unsigned n)
{
    memset(&m, 0, sizeof(m));
    memcpy(m.e, e, n * sizeof(*e));
    m.n = n;
}

/* 512 MiB and 8 GiB above 4 GiB, as a BIOS would report them. */
static const struct mb2_mmap_entry pc[] = {
    { 0x0, 0x9F000, AVAIL },
    { 0x9F000, 0x1000, RSVD },
    { 0xE8000, 0x18000, RSVD },
    { 0x100000, 511 * MiB, AVAIL },
    { 512 * MiB, 0x10000, ACPI },
    { 512 * MiB + 0x10000, 0x10000, NVS },
    { 0xFFFC0000, 0x40000, RSVD },
    { 4 * GiB, 8 * GiB, AVAIL },
};

/* ---- bzimage_parse ---------------------------------------------------------- */

static void test_parse_typical(void **state)
{
    (void)state;
    image();
    expect_ok();
    assert_int_equal(bi.version, 0x020F);
    assert_int_equal(bi.setup_sects, 3);
    assert_int_equal(bi.loadflags, BZ_LOADED_HIGH | BZ_CAN_USE_HEAP);
    assert_true(bi.relocatable);
    assert_true(bi.entry64);
    assert_int_equal(bi.xloadflags, 0x7F);
    assert_int_equal(bi.header_end, 0x26C);
    assert_int_equal(bi.syssize, 0x100);
    assert_int_equal(bi.code32_start, 0x100000);
    assert_int_equal(bi.initrd_addr_max, 0x7FFFFFFF);
    assert_int_equal(bi.kernel_alignment, 2 * MiB);
    assert_int_equal(bi.cmdline_size, 2047);
    assert_int_equal(bi.pref_address, 16 * MiB);
    assert_int_equal(bi.init_size, 32 * MiB);
    assert_int_equal(bi.kernel_offset, 0x800);
    assert_int_equal(bi.kernel_size, 0x1000);
}

static void test_parse_setup_sects_zero_means_four(void **state)
{
    (void)state;
    image();
    w8(BZ_SETUP_SECTS, 0);
    I.len = 0xA00 + 0x1000;
    expect_ok();
    assert_int_equal(bi.setup_sects, 4);
    assert_int_equal(bi.kernel_offset, 5 * 512);
    assert_int_equal(bi.kernel_size, 0x1000);
}

static void test_parse_kernel_up_to_the_end(void **state)
{
    (void)state;
    image();
    I.len = 0x1800;     /* no signature: syssize ends exactly at the end */
    expect_ok();
    assert_int_equal(bi.kernel_offset + bi.kernel_size, I.len);
}

static void test_parse_32bit_kernel(void **state)
{
    (void)state;
    image();
    w16(BZ_XLOADFLAGS, 0);
    w8(BZ_RELOCATABLE, 0);
    w32(BZ_KERNEL_ALIGNMENT, 3);    /* not checked when not relocatable */
    expect_ok();
    assert_false(bi.entry64);
    assert_false(bi.relocatable);
}

static void test_parse_protocol_2_06(void **state)
{
    (void)state;
    image();
    w16(BZ_VERSION, 0x0206);
    w8(BZ_JUMP + 1, BZ_CMDLINE_SIZE + 4 - BZ_HEADER);  /* header ends after cmdline_size */
    w64(BZ_PREF_ADDRESS, 0x12345678);   /* not fields before 2.10/2.12 */
    w16(BZ_XLOADFLAGS, 0x7F);
    w32(BZ_SYSSIZE, 0x1001 / 16 + 1);   /* 0x1010 bytes: rounded to 0x2000 */
    I.len = 0x800 + 0x1010;
    expect_ok();
    assert_int_equal(bi.header_end, 0x23C);
    assert_int_equal(bi.xloadflags, 0);
    assert_false(bi.entry64);
    assert_int_equal(bi.pref_address, 1 * MiB);
    assert_int_equal(bi.init_size, 3 * 0x2000);
}

static void test_parse_too_short(void **state)
{
    (void)state;
    image();
    I.len = BZ_VERSION + 1;
    expect_error("bzImage: image too short for a setup header (truncated?)");
    I.len = 0;
    expect_error("bzImage: image too short for a setup header (truncated?)");
}

static void test_parse_no_magic(void **state)
{
    (void)state;
    image();
    memcpy(I.b + BZ_HEADER, "HdrT", 4);
    expect_error("bzImage: no \"HdrS\" magic at 0x202 (not a Linux kernel)");
}

static void test_parse_bad_boot_flag(void **state)
{
    (void)state;
    image();
    w16(BZ_BOOT_FLAG, 0x55AA);
    expect_error("bzImage: boot_flag (0x1FE) is not 0xAA55");
}

static void test_parse_old_protocol(void **state)
{
    (void)state;
    image();
    w16(BZ_VERSION, 0x0205);
    expect_error("bzImage: boot protocol version (0x206) older than 2.06");
}

static void test_parse_header_too_short(void **state)
{
    (void)state;
    image();
    w8(BZ_JUMP + 1, BZ_INIT_SIZE + 3 - BZ_HEADER);     /* cuts init_size */
    expect_error("bzImage: setup header length (byte 0x201) too short for its protocol version");
    w16(BZ_VERSION, 0x0209);                            /* enough for 2.09 */
    expect_ok();
    w8(BZ_JUMP + 1, BZ_CMDLINE_SIZE + 3 - BZ_HEADER);
    expect_error("bzImage: setup header length (byte 0x201) too short for its protocol version");
}

static void test_parse_header_too_long(void **state)
{
    (void)state;
    image();
    w8(BZ_JUMP + 1, BZ_HEADER_LIMIT - BZ_HEADER);       /* up to 0x290: fine */
    expect_ok();
    w8(BZ_JUMP + 1, BZ_HEADER_LIMIT + 1 - BZ_HEADER);
    expect_error("bzImage: setup header length (byte 0x201) runs past 0x290");
}

static void test_parse_truncated_in_header(void **state)
{
    (void)state;
    image();
    I.len = 0x26B;
    expect_error("bzImage: image truncated inside the setup header");
}

static void test_parse_zimage(void **state)
{
    (void)state;
    image();
    w8(BZ_LOADFLAGS, BZ_CAN_USE_HEAP);
    expect_error("bzImage: loadflags (0x211) lack LOADED_HIGH: a zImage, not supported");
}

static void test_parse_setup_larger_than_image(void **state)
{
    (void)state;
    image();
    w8(BZ_SETUP_SECTS, 255);            /* 128 KiB of setup */
    expect_error("bzImage: setup (setup_sects, 0x1F1) as large as the image or larger");
    image();
    I.len = 0x800;                      /* setup, and nothing after it */
    expect_error("bzImage: setup (setup_sects, 0x1F1) as large as the image or larger");
}

static void test_parse_syssize_zero(void **state)
{
    (void)state;
    image();
    w32(BZ_SYSSIZE, 0);
    expect_error("bzImage: syssize (0x1F4) is zero");
}

static void test_parse_syssize_past_end(void **state)
{
    (void)state;
    image();
    w32(BZ_SYSSIZE, 0x1100 / 16 + 1);   /* one paragraph past the signature */
    expect_error("bzImage: image truncated: syssize (0x1F4) runs past its end");
    w32(BZ_SYSSIZE, 0xFFFFFFFF);        /* 64 GiB: no 32-bit overflow */
    expect_error("bzImage: image truncated: syssize (0x1F4) runs past its end");
}

static void test_parse_bad_alignment(void **state)
{
    (void)state;
    static const uint32_t bad[] = { 0, 1, 2048, 3 * MiB, 0x80000001u };
    for (unsigned i = 0; i < N(bad); i++) {
        image();
        w32(BZ_KERNEL_ALIGNMENT, bad[i]);
        expect_error("bzImage: kernel_alignment (0x230) is not a power of two of at least 4 KiB");
    }
    image();
    w32(BZ_KERNEL_ALIGNMENT, 4096);
    expect_ok();
}

static void test_parse_entry64_past_end(void **state)
{
    (void)state;
    image();
    w32(BZ_SYSSIZE, 0x200 / 16);
    expect_error("bzImage: 64-bit entry (+0x200, xloadflags) past the kernel's end");
    w16(BZ_XLOADFLAGS, 0);              /* the 32-bit entry at +0 is fine */
    expect_ok();
}

static void test_parse_init_size(void **state)
{
    (void)state;
    image();
    w32(BZ_INIT_SIZE, 0);
    expect_error("bzImage: init_size (0x260) is zero");
    w32(BZ_INIT_SIZE, (uint32_t)(1 * GiB));
    expect_ok();
    w32(BZ_INIT_SIZE, (uint32_t)(1 * GiB + 1));
    expect_error("bzImage: init_size (0x260) larger than 1 GiB");
    w32(BZ_INIT_SIZE, 0xFFFFFFFF);
    expect_error("bzImage: init_size (0x260) larger than 1 GiB");
}

static void test_parse_why_optional(void **state)
{
    (void)state;
    image();
    w16(BZ_BOOT_FLAG, 0);
    assert_int_equal(bzimage_parse(I.b, I.len, &bi, NULL), -1);
}

/* ---- bzimage_load_address ------------------------------------------------- */

static void test_load_at_pref_address(void **state)
{
    (void)state;
    image();
    expect_ok();
    map_of(pc, N(pc));
    assert_int_equal(bzimage_load_address(&bi, &m), 16 * MiB);
}

static void test_load_above_hole_at_pref_address(void **state)
{
    (void)state;
    static const struct mb2_mmap_entry map[] = {
        { 1 * MiB, 15 * MiB, AVAIL },
        { 16 * MiB, 1 * MiB, RSVD },            /* the hypervisor, say */
        { 17 * MiB, 100 * MiB, AVAIL },
    };
    image();
    expect_ok();
    map_of(map, N(map));
    assert_int_equal(bzimage_load_address(&bi, &m), 18 * MiB);
    /* RAM up to exactly 18 + 32 MiB still fits; one page less does not */
    m.e[2].len = 33 * MiB;
    assert_int_equal(bzimage_load_address(&bi, &m), 18 * MiB);
    m.e[2].len = 33 * MiB - 4096;
    assert_int_equal(bzimage_load_address(&bi, &m), 0);
}

static void test_load_lowest_fit_in_any_entry(void **state)
{
    (void)state;
    /* unsorted: the lowest fit wins, not the first entry's */
    static const struct mb2_mmap_entry map[] = {
        { 256 * MiB, 64 * MiB, AVAIL },
        { 20 * MiB, 8 * MiB, AVAIL },           /* too small */
        { 100 * MiB + 4096, 40 * MiB, AVAIL },  /* fits from 102 MiB */
        { 0xFFFFFFFFFFFFF000ull, 0x1000, AVAIL }, /* aligning up would wrap */
        { 16 * MiB, 64 * MiB, RSVD },
    };
    image();
    expect_ok();
    map_of(map, N(map));
    assert_int_equal(bzimage_load_address(&bi, &m), 102 * MiB);
}

static void test_probe(void **state)
{
    (void)state;
    image();
    assert_true(bzimage_probe(I.b, I.len));
    assert_false(bzimage_probe(I.b, BZ_HEADER + 3));     /* signature cut off */
    w32(BZ_HEADER, 0x53726449);                          /* "IdrS" */
    assert_false(bzimage_probe(I.b, I.len));
}

/* ---- bzimage_initrd_address ---------------------------------------------- */

static void test_initrd_highest_fit_below_addr_max(void **state)
{
    (void)state;
    static const struct mb2_mmap_entry map[] = {
        { 0, 640 * KiB, AVAIL },
        { 1 * MiB, 511 * MiB, AVAIL },
        { 4 * GiB, 4 * GiB, AVAIL },            /* above initrd_addr_max */
    };
    image();
    expect_ok();
    map_of(map, N(map));
    /* ends at the top of RAM below 512 MiB, page aligned */
    assert_int_equal(bzimage_initrd_address(&bi, &m, 10 * MiB + 5, 16 * MiB, 32 * MiB, 0),
                     (512 * MiB - (10 * MiB + 5)) & ~4095ull);
    /* initrd_addr_max clips it */
    bi.initrd_addr_max = 256 * MiB - 1;
    assert_int_equal(bzimage_initrd_address(&bi, &m, 1 * MiB, 16 * MiB, 32 * MiB, 0), 255 * MiB);
    /* and so does the caller's limit */
    assert_int_equal(bzimage_initrd_address(&bi, &m, 1 * MiB, 16 * MiB, 32 * MiB, 100 * MiB),
                     99 * MiB);
    /* too large for anything: none */
    assert_int_equal(bzimage_initrd_address(&bi, &m, 300 * MiB, 16 * MiB, 32 * MiB, 0), 0);
    assert_int_equal(bzimage_initrd_address(&bi, &m, 0, 16 * MiB, 32 * MiB, 0), 0);
}

static void test_initrd_avoids_kernel_and_holes(void **state)
{
    (void)state;
    static const struct mb2_mmap_entry map[] = {
        { 1 * MiB, 63 * MiB, AVAIL },           /* kernel at 16 MiB, 48 MiB of it */
        { 64 * MiB, 1 * MiB, RSVD },
        { 65 * MiB, 1 * MiB, AVAIL },           /* too small */
    };
    image();
    expect_ok();
    map_of(map, N(map));
    /* no room above the kernel: just below it */
    assert_int_equal(bzimage_initrd_address(&bi, &m, 4 * MiB, 16 * MiB, 48 * MiB, 0), 12 * MiB);
    /* a small one fits in the last entry */
    assert_int_equal(bzimage_initrd_address(&bi, &m, 4096, 16 * MiB, 48 * MiB, 0),
                     66 * MiB - 4096);
    /* nothing below the kernel either */
    assert_int_equal(bzimage_initrd_address(&bi, &m, 20 * MiB, 16 * MiB, 48 * MiB, 0), 0);
}

static void test_load_contiguous_entries(void **state)
{
    (void)state;
    /* adjacent available entries together hold the kernel */
    static const struct mb2_mmap_entry map[] = {
        { 16 * MiB, 20 * MiB, AVAIL },
        { 36 * MiB, 20 * MiB, AVAIL },
    };
    image();
    expect_ok();
    map_of(map, N(map));
    assert_int_equal(bzimage_load_address(&bi, &m), 16 * MiB);
}

static void test_load_unaligned_pref_address(void **state)
{
    (void)state;
    image();
    w64(BZ_PREF_ADDRESS, 17 * MiB);
    expect_ok();
    map_of(pc, N(pc));
    assert_int_equal(bzimage_load_address(&bi, &m), 18 * MiB);
}

static void test_load_low_pref_address(void **state)
{
    (void)state;
    /* pref_address 0 (or below 1 MiB) is never used: search from 16 MiB */
    static const struct mb2_mmap_entry map[] = {
        { 0, 1 * GiB, AVAIL },
    };
    image();
    w64(BZ_PREF_ADDRESS, 0);
    expect_ok();
    map_of(map, N(map));
    assert_int_equal(bzimage_load_address(&bi, &m), 16 * MiB);
    image();
    w64(BZ_PREF_ADDRESS, 2 * MiB);      /* 1 MiB or above: taken when it fits */
    expect_ok();
    assert_int_equal(bzimage_load_address(&bi, &m), 2 * MiB);
}

static void test_load_never_below_pref_address(void **state)
{
    (void)state;
    static const struct mb2_mmap_entry map[] = {
        { 1 * MiB, 200 * MiB, AVAIL },
        { 201 * MiB, 1 * MiB, RSVD },
        { 202 * MiB, 100 * MiB, AVAIL },
    };
    image();
    w64(BZ_PREF_ADDRESS, 192 * MiB);    /* [192, 224) MiB crosses the hole */
    expect_ok();
    map_of(map, N(map));
    assert_int_equal(bzimage_load_address(&bi, &m), 202 * MiB);
}

static void test_load_kernel_larger_than_init_size(void **state)
{
    (void)state;
    static const struct mb2_mmap_entry map[] = {
        { 16 * MiB, 8192, AVAIL },
        { 18 * MiB, 4096, AVAIL },
    };
    image();
    w32(BZ_INIT_SIZE, 4096);
    w32(BZ_SYSSIZE, 0x1100 / 16);       /* the kernel is 0x1100 bytes */
    expect_ok();
    map_of(map, N(map));
    assert_int_equal(bzimage_load_address(&bi, &m), 16 * MiB);
    m.e[0].len = 4096;                  /* room for init_size only */
    assert_int_equal(bzimage_load_address(&bi, &m), 0);
}

static void test_load_nothing_fits(void **state)
{
    (void)state;
    static const struct mb2_mmap_entry map[] = {
        { 0, 0x9F000, AVAIL },
        { 1 * MiB, 31 * MiB, AVAIL },
    };
    image();
    expect_ok();
    map_of(map, N(map));
    assert_int_equal(bzimage_load_address(&bi, &m), 0);
    map_of(map, 0);
    assert_int_equal(bzimage_load_address(&bi, &m), 0);
}

static void test_load_not_relocatable(void **state)
{
    (void)state;
    image();
    w8(BZ_RELOCATABLE, 0);
    expect_ok();
    map_of(pc, N(pc));
    assert_int_equal(bzimage_load_address(&bi, &m), 1 * MiB);
    /* it runs at pref_address: no RAM there, no load */
    static const struct mb2_mmap_entry low[] = {
        { 1 * MiB, 15 * MiB, AVAIL },
        { 16 * MiB, 1 * MiB, RSVD },
        { 17 * MiB, 100 * MiB, AVAIL },
    };
    map_of(low, N(low));
    assert_int_equal(bzimage_load_address(&bi, &m), 0);
    /* 1 MiB itself reserved */
    static const struct mb2_mmap_entry hole[] = {
        { 0, 1 * MiB + 4096, RSVD },
        { 1 * MiB + 4096, 1 * GiB, AVAIL },
    };
    map_of(hole, N(hole));
    assert_int_equal(bzimage_load_address(&bi, &m), 0);
}

/* ---- bzimage_boot_params ---------------------------------------------------- */

static int boot_params(uint64_t cmdline, uint32_t cmdlen, uint64_t initrd, uint64_t initrd_size)
{
    why = NULL;
    memset(zp, 0xA5, sizeof(zp));
    return bzimage_boot_params(zp, I.b, &bi, &m, cmdline, cmdlen, initrd, initrd_size, &why);
}

static void expect_params_error(const char *what, uint64_t cmdline, uint32_t cmdlen,
                                uint64_t initrd, uint64_t initrd_size)
{
    assert_int_equal(boot_params(cmdline, cmdlen, initrd, initrd_size), -1);
    assert_non_null(why);
    assert_string_equal(why, what);
}

static void test_params_typical(void **state)
{
    (void)state;
    image();
    expect_ok();
    map_of(pc, N(pc));
    assert_int_equal(boot_params(0x20000, 11, 0x1F000000, 0x800000), 0);
    assert_null(why);
    /* the setup header, and nothing else of the image */
    for (size_t i = 0; i < 4096; i++) {
        if (i == BZ_TYPE_OF_LOADER || i == BZ_LOADFLAGS || (i >= BZ_RAMDISK_IMAGE && i < 0x220) ||
            (i >= BZ_CMD_LINE_PTR && i < BZ_CMD_LINE_PTR + 4) || i == BZ_E820_ENTRIES ||
            (i >= BZ_E820_TABLE && i < BZ_E820_TABLE + 8 * 20))
            continue;
        uint8_t want = i >= BZ_SETUP_SECTS && i < 0x26C ? I.b[i] : 0;
        if (zp[i] != want)
            fail_msg("zero page byte 0x%zx is 0x%02x, want 0x%02x", i, zp[i], want);
    }
    assert_int_equal(zp[BZ_TYPE_OF_LOADER], 0xFF);
    assert_int_equal(zp[BZ_LOADFLAGS], BZ_LOADED_HIGH);     /* CAN_USE_HEAP cleared */
    assert_memory_equal(zp + BZ_HEADER, "HdrS", 4);
    assert_int_equal(z32(BZ_CMD_LINE_PTR), 0x20000);
    assert_int_equal(z32(BZ_EXT_CMD_LINE_PTR), 0);
    assert_int_equal(z32(BZ_RAMDISK_IMAGE), 0x1F000000);
    assert_int_equal(z32(BZ_RAMDISK_SIZE), 0x800000);
    assert_int_equal(z32(BZ_EXT_RAMDISK_IMAGE), 0);
    assert_int_equal(z32(BZ_EXT_RAMDISK_SIZE), 0);
    /* e820: the map, reserved entries at 0x9F000 and 0xE8000 kept apart */
    static const struct { uint64_t base, len; uint32_t type; } e820[] = {
        { 0x0, 0x9F000, 1 }, { 0x9F000, 0x1000, 2 }, { 0xE8000, 0x18000, 2 },
        { 0x100000, 511 * MiB, 1 }, { 512 * MiB, 0x10000, 3 }, { 512 * MiB + 0x10000, 0x10000, 4 },
        { 0xFFFC0000, 0x40000, 2 },
    };
    assert_int_equal(zp[BZ_E820_ENTRIES], 8);
    for (unsigned i = 0; i < N(e820); i++) {
        size_t at = BZ_E820_TABLE + i * 20;
        assert_int_equal(z64(at), e820[i].base);
        assert_int_equal(z64(at + 8), e820[i].len);
        assert_int_equal(z32(at + 16), e820[i].type);
    }
    assert_int_equal(z64(BZ_E820_TABLE + 7 * 20), 4 * GiB);
}

static void test_params_no_cmdline_no_initrd(void **state)
{
    (void)state;
    image();
    w32(BZ_CMD_LINE_PTR, 0x11111111);   /* an image's leftovers are not passed on */
    w32(BZ_RAMDISK_IMAGE, 0x22222222);
    w32(BZ_RAMDISK_SIZE, 0x33333333);
    expect_ok();
    map_of(pc, N(pc));
    assert_int_equal(boot_params(0, 0, 0x1234, 0), 0);
    assert_int_equal(z32(BZ_CMD_LINE_PTR), 0);
    assert_int_equal(z32(BZ_RAMDISK_IMAGE), 0);
    assert_int_equal(z32(BZ_RAMDISK_SIZE), 0);
    expect_params_error("bzImage: command line length without an address", 0, 5, 0, 0);
    assert_int_equal(bzimage_boot_params(zp, I.b, &bi, &m, 0, 5, 0, 0, NULL), -1);
}

static void test_params_cmdline_size(void **state)
{
    (void)state;
    image();
    w32(BZ_CMDLINE_SIZE, 255);
    expect_ok();
    map_of(pc, N(pc));
    assert_int_equal(boot_params(0x20000, 255, 0, 0), 0);
    expect_params_error("bzImage: command line longer than the kernel's cmdline_size",
                        0x20000, 256, 0, 0);
}

static void test_params_cmdline_not_ram(void **state)
{
    (void)state;
    image();
    expect_ok();
    map_of(pc, N(pc));
    /* its NUL would be the first byte of the reserved page at 0x9F000 */
    expect_params_error("bzImage: command line not in guest RAM", 0x9F000 - 10, 10, 0, 0);
    assert_int_equal(boot_params(0x9F000 - 11, 10, 0, 0), 0);
    expect_params_error("bzImage: command line not in guest RAM", 0xFFFFFFFFFFFFFFF0ull, 100, 0,
                        0);
}

static void test_params_cmdline_above_4g(void **state)
{
    (void)state;
    image();
    w16(BZ_XLOADFLAGS, BZ_XLF_KERNEL_64);
    expect_ok();
    map_of(pc, N(pc));
    expect_params_error("bzImage: command line above 4 GiB and no XLF_CAN_BE_LOADED_ABOVE_4G "
                        "(xloadflags)", 4 * GiB + 0x1000, 10, 0, 0);
    image();
    expect_ok();
    assert_int_equal(boot_params(4 * GiB + 0x1000, 10, 0, 0), 0);
    assert_int_equal(z32(BZ_CMD_LINE_PTR), 0x1000);
    assert_int_equal(z32(BZ_EXT_CMD_LINE_PTR), 1);
}

static void test_params_initrd_limits(void **state)
{
    (void)state;
    image();
    w16(BZ_XLOADFLAGS, BZ_XLF_KERNEL_64);
    w32(BZ_INITRD_ADDR_MAX, 0x0FFFFFFF);
    expect_ok();
    map_of(pc, N(pc));
    /* last byte exactly at initrd_addr_max */
    assert_int_equal(boot_params(0, 0, 0x0F000000, 0x1000000), 0);
    expect_params_error("bzImage: initrd ends above the kernel's initrd_addr_max", 0, 0,
                        0x0F000000, 0x1000001);
    expect_params_error("bzImage: initrd ends above the kernel's initrd_addr_max", 0, 0, 4 * GiB,
                        0x1000);
    expect_params_error("bzImage: initrd not in guest RAM", 0, 0, 0x9F000, 0x1000);
    expect_params_error("bzImage: initrd not in guest RAM", 0, 0, 0xFFFFFFFFFFFFF000ull,
                        0x2000);
}

static void test_params_initrd_above_4g(void **state)
{
    (void)state;
    image();
    w32(BZ_INITRD_ADDR_MAX, 0x0FFFFFFF);
    expect_ok();
    map_of(pc, N(pc));
    assert_int_equal(boot_params(0, 0, 6 * GiB + 0x3000, 0x100000000ull + 0x5000), 0);
    assert_int_equal(z32(BZ_RAMDISK_IMAGE), 0x80003000);
    assert_int_equal(z32(BZ_EXT_RAMDISK_IMAGE), 1);
    assert_int_equal(z32(BZ_RAMDISK_SIZE), 0x5000);
    assert_int_equal(z32(BZ_EXT_RAMDISK_SIZE), 1);
    /* initrd_addr_max does not bind such a kernel below 4 GiB either */
    assert_int_equal(boot_params(0, 0, 0x1F000000, 0x1000000), 0);
}

static void test_params_e820_types_and_merging(void **state)
{
    (void)state;
    static const struct mb2_mmap_entry map[] = {
        { 0, 0x1000, AVAIL },
        { 0x1000, 0x1000, AVAIL },      /* merged with the one before */
        { 0x2000, 0, RSVD },            /* empty: dropped */
        { 0x2000, 0x1000, 7 },          /* unknown: reserved */
        { 0x3000, 0x1000, RSVD },       /* merged into it */
        { 0x4000, 0x1000, ACPI },
        { 0x5000, 0x1000, NVS },
        { 0x6000, 0x1000, BAD },
        { 0x8000, 0x1000, BAD },        /* not adjacent: kept apart */
        { 0x9000, 0x1000, 0 },          /* type 0: reserved */
    };
    static const struct { uint64_t base, len; uint32_t type; } want[] = {
        { 0, 0x2000, 1 }, { 0x2000, 0x2000, 2 }, { 0x4000, 0x1000, 3 }, { 0x5000, 0x1000, 4 },
        { 0x6000, 0x1000, 5 }, { 0x8000, 0x1000, 5 }, { 0x9000, 0x1000, 2 },
    };
    image();
    expect_ok();
    map_of(map, N(map));
    assert_int_equal(boot_params(0, 0, 0, 0), 0);
    assert_int_equal(zp[BZ_E820_ENTRIES], N(want));
    for (unsigned i = 0; i < N(want); i++) {
        size_t at = BZ_E820_TABLE + i * 20;
        assert_int_equal(z64(at), want[i].base);
        assert_int_equal(z64(at + 8), want[i].len);
        assert_int_equal(z32(at + 16), want[i].type);
    }
    assert_int_equal(z64(BZ_E820_TABLE + N(want) * 20), 0);
}

static void test_params_e820_at_most_128(void **state)
{
    (void)state;
    image();
    expect_ok();
    memset(&m, 0, sizeof(m));
    for (unsigned i = 0; i < MEMMAP_MAX; i++)
        m.e[m.n++] = E(i * 0x2000ull, 0x1000, i % 2 ? RSVD : AVAIL);   /* never adjacent */
    assert_int_equal(boot_params(0, 0, 0, 0), 0);
    assert_int_equal(zp[BZ_E820_ENTRIES], 128);
    assert_int_equal(z64(BZ_E820_TABLE + 127 * 20), 127 * 0x2000ull);
    /* the table ends at 0xCD0; what follows stays zero */
    for (size_t i = BZ_E820_TABLE + 128 * 20; i < 4096; i++)
        assert_int_equal(zp[i], 0);
    /* merged entries leave room: all of them fit when adjacent */
    memset(&m, 0, sizeof(m));
    for (unsigned i = 0; i < MEMMAP_MAX; i++)
        m.e[m.n++] = E(i * 0x1000ull, 0x1000, AVAIL);
    assert_int_equal(boot_params(0, 0, 0, 0), 0);
    assert_int_equal(zp[BZ_E820_ENTRIES], 1);
    assert_int_equal(z64(BZ_E820_TABLE + 8), MEMMAP_MAX * 0x1000ull);
}

/* ---- a real kernel ---------------------------------------------------------- */

static uint8_t *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *b = n > 0 ? malloc((size_t)n) : NULL;
    if (b && fread(b, 1, (size_t)n, f) != (size_t)n) {
        free(b);
        b = NULL;
    }
    fclose(f);
    *len = b ? (size_t)n : 0;
    return b;
}

static void test_real_kernel(void **state)
{
    (void)state;
    char path[4096] = "";
    const char *env = getenv("BZIMAGE");
    glob_t g;
    if (env && *env) {
        snprintf(path, sizeof(path), "%s", env);
    } else if (glob("/boot/vmlinuz-*", 0, NULL, &g) == 0) {
        snprintf(path, sizeof(path), "%s", g.gl_pathv[0]);
        globfree(&g);
    }
    size_t len;
    uint8_t *img = path[0] ? read_file(path, &len) : NULL;
    if (!img) {
        print_message("no bzImage ($BZIMAGE or /boot/vmlinuz-*): skipped\n");
        skip();
    }
    print_message("real kernel: %s\n", path);
    int rc = bzimage_parse(img, len, &bi, &why);
    if (rc)
        fail_msg("%s: %s", path, why);
    assert_true(bi.version >= 0x020A);
    assert_true(bi.relocatable);
    assert_true(bi.entry64);
    assert_true(bi.kernel_offset + bi.kernel_size <= len);
    assert_true(bi.init_size >= bi.kernel_size);
    print_message("  protocol %u.%02u, setup %u sectors, kernel 0x%llx bytes at 0x%llx, "
                  "pref_address 0x%llx, init_size 0x%llx, alignment 0x%x, xloadflags 0x%x\n",
                  bi.version >> 8, bi.version & 0xFF, bi.setup_sects,
                  (unsigned long long)bi.kernel_size, (unsigned long long)bi.kernel_offset,
                  (unsigned long long)bi.pref_address, (unsigned long long)bi.init_size,
                  bi.kernel_alignment, bi.xloadflags);
    map_of(pc, N(pc));
    uint64_t at = bzimage_load_address(&bi, &m);
    assert_int_equal(at, bi.pref_address);
    why = NULL;
    assert_int_equal(bzimage_boot_params(zp, img, &bi, &m, 0x20000, 20, 0x10000000, 0x1000000,
                                         &why), 0);
    assert_memory_equal(zp + BZ_HEADER, "HdrS", 4);
    assert_int_equal(zp[BZ_TYPE_OF_LOADER], 0xFF);
    free(img);
}

/* acpi_rsdp_addr (0x070) from boot protocol 2.14: set there, not before. */
static void test_set_rsdp_by_protocol(void **state)
{
    (void)state;
    static uint8_t page[4096];
    struct bzimage_info info = { .version = 0x020E };
    memset(page, 0, sizeof(page));
    assert_true(bzimage_set_rsdp(page, &info, 0x7FB7E014));
    uint64_t v;
    memcpy(&v, page + 0x70, 8);
    assert_int_equal(v, 0x7FB7E014);
    memset(page, 0, sizeof(page));
    info.version = 0x020D;
    assert_false(bzimage_set_rsdp(page, &info, 0x7FB7E014));
    for (unsigned i = 0; i < sizeof(page); i++)
        assert_int_equal(page[i], 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_set_rsdp_by_protocol),
        cmocka_unit_test(test_parse_typical),
        cmocka_unit_test(test_parse_setup_sects_zero_means_four),
        cmocka_unit_test(test_parse_kernel_up_to_the_end),
        cmocka_unit_test(test_parse_32bit_kernel),
        cmocka_unit_test(test_parse_protocol_2_06),
        cmocka_unit_test(test_parse_too_short),
        cmocka_unit_test(test_parse_no_magic),
        cmocka_unit_test(test_parse_bad_boot_flag),
        cmocka_unit_test(test_parse_old_protocol),
        cmocka_unit_test(test_parse_header_too_short),
        cmocka_unit_test(test_parse_header_too_long),
        cmocka_unit_test(test_parse_truncated_in_header),
        cmocka_unit_test(test_parse_zimage),
        cmocka_unit_test(test_parse_setup_larger_than_image),
        cmocka_unit_test(test_parse_syssize_zero),
        cmocka_unit_test(test_parse_syssize_past_end),
        cmocka_unit_test(test_parse_bad_alignment),
        cmocka_unit_test(test_parse_entry64_past_end),
        cmocka_unit_test(test_parse_init_size),
        cmocka_unit_test(test_parse_why_optional),
        cmocka_unit_test(test_load_at_pref_address),
        cmocka_unit_test(test_load_above_hole_at_pref_address),
        cmocka_unit_test(test_load_lowest_fit_in_any_entry),
        cmocka_unit_test(test_load_contiguous_entries),
        cmocka_unit_test(test_probe),
        cmocka_unit_test(test_initrd_highest_fit_below_addr_max),
        cmocka_unit_test(test_initrd_avoids_kernel_and_holes),
        cmocka_unit_test(test_load_unaligned_pref_address),
        cmocka_unit_test(test_load_low_pref_address),
        cmocka_unit_test(test_load_never_below_pref_address),
        cmocka_unit_test(test_load_kernel_larger_than_init_size),
        cmocka_unit_test(test_load_nothing_fits),
        cmocka_unit_test(test_load_not_relocatable),
        cmocka_unit_test(test_params_typical),
        cmocka_unit_test(test_params_no_cmdline_no_initrd),
        cmocka_unit_test(test_params_cmdline_size),
        cmocka_unit_test(test_params_cmdline_not_ram),
        cmocka_unit_test(test_params_cmdline_above_4g),
        cmocka_unit_test(test_params_initrd_limits),
        cmocka_unit_test(test_params_initrd_above_4g),
        cmocka_unit_test(test_params_e820_types_and_merging),
        cmocka_unit_test(test_params_e820_at_most_128),
        cmocka_unit_test(test_real_kernel),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
