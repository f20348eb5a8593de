// covers: kernel/mb2_image.c kernel/image.c kernel/memmap.c kernel/mb2.c kernel/fmt.c
/*
 * test_mb2_image.c - host unit tests of the Multiboot2 guest image parser
 * and boot information builder (kernel/mb2_image.c) on synthetic images:
 * the header search, every header tag (3.1.4 - 3.1.13) accepted or refused
 * by name, ELF and address-tag layouts, relocation, and the information
 * read back with the hypervisor's own parser (kernel/mb2.c).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "../../kernel/mb2.h"
#include "../../kernel/mb2_image.h"

#define IMG_MAX 0x9000
#define HOFF    0x1000      /* where the header goes in most images */

static uint8_t I[IMG_MAX];
static size_t ilen;
static uint32_t tpos;       /* next tag's offset in the image */
static struct mb2_image out;
static char err[256];

static void w16(size_t off, uint16_t v) { memcpy(I + off, &v, 2); }
static void w32(size_t off, uint32_t v) { memcpy(I + off, &v, 4); }

/* The fixed header part at off; tags follow from tpos. */
static void header(size_t off, uint32_t arch)
{
    w32(off, MB2_HEADER_MAGIC);
    w32(off + 4, arch);
    tpos = (uint32_t)off + 16;
}

/* A tag with up to 6 u32 fields after type, flags, size; size given. */
static uint32_t tag_sized(uint16_t type, uint16_t flags, uint32_t size, const uint32_t *f, unsigned n)
{
    uint32_t at = tpos;
    w16(at, type);
    w16(at + 2, flags);
    w32(at + 4, size);
    for (unsigned i = 0; i < n; i++)
        w32(at + 8 + 4 * i, f[i]);
    tpos += (size + 7) & ~7u;
    return at;
}

#define TAG(type, flags, ...)                                                               \
    tag_sized(type, flags, 8 + 4 * (sizeof((uint32_t[]){ 0, ##__VA_ARGS__ }) / 4 - 1),     \
              (const uint32_t[]){ 0, ##__VA_ARGS__ } + 1,                                  \
              sizeof((uint32_t[]){ 0, ##__VA_ARGS__ }) / 4 - 1)

/* The end tag, then header_length and the checksum. */
static void finish(size_t hoff)
{
    TAG(MB2_HTAG_END, 0);
    uint32_t len = tpos - (uint32_t)hoff, arch;
    memcpy(&arch, I + hoff + 4, 4);
    w32(hoff + 8, len);
    w32(hoff + 12, (uint32_t)-(MB2_HEADER_MAGIC + arch + len));
}

/* An a.out-style image of 0x3000 bytes: header at HOFF, loaded from file
 * offset 0 at 1 MiB (header_addr 1 MiB + HOFF), entry 1 MiB + 0x1800. */
static void aout_start(void)
{
    memset(I, 0, sizeof(I));
    ilen = 0x3000;
    header(HOFF, MB2_ARCH_I386);
    TAG(MB2_HTAG_ADDRESS, 0, 0x100000 + HOFF, 0x100000, 0x102000, 0x104000);
    TAG(MB2_HTAG_ENTRY, 0, 0x101800);
}

/* A minimal ELF32 with two PT_LOAD segments, header at HOFF. */
static void elf_start(void)
{
    memset(I, 0, sizeof(I));
    ilen = 0x3000;
    memcpy(I, "\177ELF", 4);
    I[4] = 1;
    I[5] = 1;
    w16(16, 2);
    w16(18, 3);
    w32(24, 0x10000C);
    w32(28, 52);
    w16(42, 32);
    w16(44, 2);
    /* p_type, p_offset, p_vaddr, p_paddr, p_filesz, p_memsz */
    w32(52, 1), w32(56, 0x1000), w32(60, 0x100000), w32(64, 0x100000), w32(68, 0x1000), w32(72, 0x1000);
    w32(84, 1), w32(88, 0x2000), w32(92, 0x102000), w32(96, 0x102000), w32(100, 0x800), w32(104, 0x3000);
    header(HOFF, MB2_ARCH_I386);
}

static void expect_ok(void)
{
    int r = mb2_image_parse(I, ilen, &out, err, sizeof(err));
    if (r)
        fail_msg("unexpected error: %s", err);
}

static void expect_error(const char *want)
{
    memset(err, 0, sizeof(err));
    assert_int_equal(mb2_image_parse(I, ilen, &out, err, sizeof(err)), -1);
    if (!strstr(err, want))
        fail_msg("error \"%s\" does not contain \"%s\"", err, want);
}

/* ---- header search and fixed part ------------------------------------------ */

static void test_probe_finds_8_aligned_header_with_checksum(void **state)
{
    (void)state;
    aout_start();
    finish(HOFF);
    assert_int_equal(mb2_image_probe(I, ilen), 1);
    expect_ok();
    assert_int_equal(out.header_offset, HOFF);
    assert_int_equal(out.header_length, 16 + 24 + 16 + 8);
    /* Not on an 8-byte boundary: not found. */
    memmove(I + HOFF + 4, I + HOFF, 0x100);
    memset(I + HOFF, 0, 4);
    assert_int_equal(mb2_image_probe(I, ilen), 0);
    expect_error("no Multiboot2 header (magic 0xE85250D6");
}

static void test_probe_refuses_bad_checksum_short_file_and_past_32k(void **state)
{
    (void)state;
    aout_start();
    finish(HOFF);
    w32(HOFF + 12, 0);
    assert_int_equal(mb2_image_probe(I, ilen), 0);
    aout_start();
    finish(HOFF);
    assert_int_equal(mb2_image_probe(I, HOFF + 15), 0);
    assert_int_equal(mb2_image_probe(I, HOFF + 16), 1);
    /* The last 8-aligned place for the fixed part inside 32 KiB, and past it. */
    memset(I, 0, sizeof(I));
    header(MB2_SEARCH_LIMIT - 16, 0);
    w32(MB2_SEARCH_LIMIT - 8, 24);
    w32(MB2_SEARCH_LIMIT - 4, (uint32_t)-(MB2_HEADER_MAGIC + 24));
    assert_int_equal(mb2_image_probe(I, IMG_MAX), 1);
    ilen = IMG_MAX;
    expect_error("header_length runs past the first 32 KiB");
    memset(I, 0, sizeof(I));
    header(MB2_SEARCH_LIMIT, 0);
    w32(MB2_SEARCH_LIMIT + 8, 24);
    w32(MB2_SEARCH_LIMIT + 12, (uint32_t)-(MB2_HEADER_MAGIC + 24));
    assert_int_equal(mb2_image_probe(I, IMG_MAX), 0);
}

static void test_architecture_must_be_i386(void **state)
{
    (void)state;
    aout_start();
    w32(HOFF + 4, MB2_ARCH_MIPS32);
    finish(HOFF);
    expect_error("architecture 4 (32-bit MIPS) is not x86; need 0 (i386)");
    aout_start();
    w32(HOFF + 4, 7);
    finish(HOFF);
    expect_error("multiboot2 image: architecture is not 0 (i386)");
}

static void test_header_length_errors(void **state)
{
    (void)state;
    aout_start();
    finish(HOFF);
    ilen = HOFF + 40;           /* cut inside the tags */
    expect_error("multiboot2 image: header_length runs past the end of the file (truncated image?)");
    memset(I, 0, sizeof(I));
    ilen = 0x100;
    header(0, 0);
    w32(8, 16);
    w32(12, (uint32_t)-(MB2_HEADER_MAGIC + 16));
    expect_error("header_length below 24");
}

static void test_tag_errors_name_the_tag(void **state)
{
    (void)state;
    /* A tag running past header_length. */
    aout_start();
    uint32_t at = TAG(MB2_HTAG_MODULE_ALIGN, 0);
    finish(HOFF);
    w32(at + 4, 0x100);
    expect_error("header tag 6 (module alignment) at offset 0x1038: size runs past header_length");
    /* Too small for its fields. */
    aout_start();
    tag_sized(MB2_HTAG_RELOCATABLE, 0, 16, (const uint32_t[]){ 0, 0 }, 2);
    finish(HOFF);
    expect_error("header tag 10 (relocatable) at offset 0x1038: size too small for its fields");
    aout_start();
    tag_sized(MB2_HTAG_ENTRY, 0, 4, 0, 0);
    finish(HOFF);
    expect_error("header tag 3 (entry address) at offset 0x1038: size too small");
    /* No end tag: header_length ends after the last tag. */
    aout_start();
    finish(HOFF);
    uint32_t hl = 16 + 24 + 16;
    w32(HOFF + 8, hl);
    w32(HOFF + 12, (uint32_t)-(MB2_HEADER_MAGIC + hl));
    expect_error("no end tag within header_length (truncated header?)");
}

/* ---- information request --------------------------------------------------- */

static void test_information_request_required_and_optional(void **state)
{
    (void)state;
    aout_start();
    TAG(MB2_HTAG_INFO_REQUEST, 0, 1, 2, 3, 4, 6, 14);
    TAG(MB2_HTAG_INFO_REQUEST, MB2_HTAG_OPTIONAL, 8, 15, 17, 100);
    finish(HOFF);
    expect_ok();
    assert_int_equal(out.required, (1u << 1) | (1u << 2) | (1u << 3) | (1u << 4) | (1u << 6) | (1u << 14));
    assert_int_equal(out.requested, out.required | (1u << 8) | (1u << 15) | (1u << 17));
}

static void test_information_request_refuses_what_we_cannot_give(void **state)
{
    (void)state;
    static const struct { uint32_t type; const char *name; } cases[] = {
        { 8, "the framebuffer information tag (type 8)" },
        { 10, "the APM table tag (type 10)" },
        { 12, "the EFI 64-bit system table pointer tag (type 12)" },
        { 5, "the BIOS boot device tag (type 5)" },
        { 99, "the unknown tag (type 99)" },
    };
    for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        aout_start();
        TAG(MB2_HTAG_INFO_REQUEST, 0, 6, cases[i].type);
        finish(HOFF);
        char want[160];
        snprintf(want, sizeof(want), "multiboot2 image: the information request tag requires %s, "
                 "which monovisor does not provide", cases[i].name);
        expect_error(want);
    }
    /* Type 0 asks for nothing; a size that is not 8 + 4n is malformed. */
    aout_start();
    TAG(MB2_HTAG_INFO_REQUEST, 0, 0);
    finish(HOFF);
    expect_ok();
    aout_start();
    tag_sized(MB2_HTAG_INFO_REQUEST, 0, 14, (const uint32_t[]){ 1, 2 }, 2);
    finish(HOFF);
    expect_error("header tag 1 (information request) at offset 0x1038: size is not 8 plus a "
                 "multiple of 4");
}

/* ---- the other tags ---------------------------------------------------------- */

static void test_required_tags_we_cannot_honour_are_refused(void **state)
{
    (void)state;
    aout_start();
    TAG(MB2_HTAG_FRAMEBUFFER, 0, 1024, 768, 32);
    finish(HOFF);
    expect_error("header tag 5 (framebuffer) at offset 0x1038: requires a framebuffer, which "
                 "monovisor does not provide");
    aout_start();
    TAG(MB2_HTAG_EFI_BS, 0);
    finish(HOFF);
    expect_error("header tag 7 (EFI boot services) at offset 0x1038: requires EFI boot services");
    aout_start();
    TAG(MB2_HTAG_ENTRY_EFI32, 0, 0x101000);
    finish(HOFF);
    expect_error("header tag 8 (EFI i386 entry address) at offset 0x1038: requires an EFI entry");
    aout_start();
    TAG(MB2_HTAG_ENTRY_EFI64, 0, 0x101000);
    finish(HOFF);
    expect_error("header tag 9 (EFI amd64 entry address)");
    aout_start();
    TAG(MB2_HTAG_CONSOLE_FLAGS, 0, MB2_CONSOLE_REQUIRED | 2);
    finish(HOFF);
    expect_error("header tag 4 (console flags) at offset 0x1038: requires a console described");
    aout_start();
    TAG(42, 0, 1, 2);
    finish(HOFF);
    expect_error("header tag 42 (unknown) at offset 0x1038: unknown tag type, and not optional");
}

static void test_optional_tags_are_accepted(void **state)
{
    (void)state;
    aout_start();
    TAG(MB2_HTAG_FRAMEBUFFER, MB2_HTAG_OPTIONAL, 1024, 768, 32);
    TAG(MB2_HTAG_EFI_BS, MB2_HTAG_OPTIONAL);
    TAG(MB2_HTAG_ENTRY_EFI32, MB2_HTAG_OPTIONAL, 0x101000);
    TAG(MB2_HTAG_ENTRY_EFI64, MB2_HTAG_OPTIONAL, 0x101000);
    TAG(MB2_HTAG_CONSOLE_FLAGS, MB2_HTAG_OPTIONAL, MB2_CONSOLE_REQUIRED);
    TAG(42, MB2_HTAG_OPTIONAL, 1, 2, 3);
    TAG(MB2_HTAG_MODULE_ALIGN, 0);
    TAG(MB2_HTAG_CONSOLE_FLAGS, 0, 2);          /* EGA text supported, none required */
    finish(HOFF);
    expect_ok();
    assert_true(out.module_align);
    assert_int_equal(out.console_flags, 2);
    assert_int_equal(out.layout.entry, 0x101800);
}

static void test_relocatable_tag(void **state)
{
    (void)state;
    aout_start();
    TAG(MB2_HTAG_RELOCATABLE, 0, 0x200000, 0x10000000, 0x200000, MB2_RELOC_HIGHEST);
    finish(HOFF);
    expect_ok();
    assert_true(out.relocatable);
    assert_int_equal(out.reloc_min, 0x200000);
    assert_int_equal(out.reloc_max, 0x10000000);
    assert_int_equal(out.reloc_align, 0x200000);
    assert_int_equal(out.reloc_pref, MB2_RELOC_HIGHEST);
    aout_start();
    TAG(MB2_HTAG_RELOCATABLE, 0, 0x300000, 0x200000, 0x1000, 0);
    finish(HOFF);
    expect_error("header tag 10 (relocatable) at offset 0x1038: min_addr above max_addr");
    aout_start();
    TAG(MB2_HTAG_RELOCATABLE, 0, 0, 0x200000, 0x3000, 0);
    finish(HOFF);
    expect_error("align is not a power of two");
    aout_start();
    TAG(MB2_HTAG_RELOCATABLE, 0, 0, 0x200000, 0x1000, 3);
    finish(HOFF);
    expect_error("preference is not 0, 1 or 2");
}

/* ---- layouts ------------------------------------------------------------------- */

static void test_address_tag_layout(void **state)
{
    (void)state;
    aout_start();
    finish(HOFF);
    expect_ok();
    assert_int_equal(out.layout.elf_class, 0);
    assert_int_equal(out.layout.nseg, 1);
    assert_int_equal(out.layout.seg[0].dest, 0x100000);
    assert_int_equal(out.layout.seg[0].offset, 0);
    assert_int_equal(out.layout.seg[0].filesz, 0x2000);
    assert_int_equal(out.layout.seg[0].memsz, 0x4000);
    assert_int_equal(out.layout.entry, 0x101800);
}

static void test_address_tag_load_addr_minus_one_loads_from_file_start(void **state)
{
    (void)state;
    memset(I, 0, sizeof(I));
    ilen = 0x3000;
    header(HOFF, 0);
    TAG(MB2_HTAG_ADDRESS, 0, 0x200000 + HOFF, 0xFFFFFFFF, 0, 0);
    TAG(MB2_HTAG_ENTRY, 0, 0x200100);
    finish(HOFF);
    expect_ok();
    assert_int_equal(out.layout.seg[0].dest, 0x200000);
    assert_int_equal(out.layout.seg[0].offset, 0);
    assert_int_equal(out.layout.seg[0].filesz, 0x3000);
    /* header_addr below the header's own offset cannot be. */
    memset(I, 0, sizeof(I));
    header(HOFF, 0);
    TAG(MB2_HTAG_ADDRESS, 0, 0x100, 0xFFFFFFFF, 0, 0);
    TAG(MB2_HTAG_ENTRY, 0, 0x100);
    finish(HOFF);
    expect_error("header_addr below the header's offset in the file");
}

static void test_address_tag_errors(void **state)
{
    (void)state;
    memset(I, 0, sizeof(I));
    ilen = 0x3000;
    header(HOFF, 0);
    TAG(MB2_HTAG_ADDRESS, 0, 0x100000 + HOFF, 0x100000, 0, 0);
    finish(HOFF);
    expect_error("address tag (type 2) without an entry address tag (type 3)");
    aout_start();
    finish(HOFF);
    w32(HOFF + 16 + 24 + 8, 0x200000);          /* entry address tag's field */
    expect_error("multiboot2 image: entry_addr outside the loaded image");
    aout_start();
    finish(HOFF);
    w32(HOFF + 16 + 16, 0x105000);              /* load_end_addr past the file */
    w32(HOFF + 16 + 20, 0x106000);
    expect_error("multiboot2 image: segment extends past the end of the file (truncated image?)");
}

static void test_elf_layout_and_entry_tag(void **state)
{
    (void)state;
    elf_start();
    finish(HOFF);
    expect_ok();
    assert_int_equal(out.layout.elf_class, 32);
    assert_int_equal(out.layout.nseg, 2);
    assert_int_equal(out.layout.entry, 0x10000C);
    /* The entry address tag overrides the ELF entry. */
    elf_start();
    TAG(MB2_HTAG_ENTRY, 0, 0x102100);
    finish(HOFF);
    expect_ok();
    assert_int_equal(out.layout.entry, 0x102100);
    /* ... even when the ELF entry lies outside every segment. */
    elf_start();
    w32(24, 0x900000);
    TAG(MB2_HTAG_ENTRY, 0, 0x100010);
    finish(HOFF);
    expect_ok();
    assert_int_equal(out.layout.entry, 0x100010);
    elf_start();
    TAG(MB2_HTAG_ENTRY, 0, 0x900000);
    finish(HOFF);
    expect_error("entry_addr (entry address tag) outside every loadable segment");
    elf_start();
    w32(24, 0x900000);
    finish(HOFF);
    expect_error("multiboot2 image: ELF entry point outside every loadable segment");
    elf_start();
    I[0] = 'X';
    finish(HOFF);
    expect_error("multiboot2 image: not ELF and no address tag (type 2)");
}

/* ---- placement ----------------------------------------------------------------- */

static struct memmap ram;

static void ram_of(uint64_t base, uint64_t len)
{
    memset(&ram, 0, sizeof(ram));
    ram.e[0] = (struct mb2_mmap_entry){ 0, 0x9F000, MB2_MEM_AVAILABLE };
    ram.e[1] = (struct mb2_mmap_entry){ base, len, MB2_MEM_AVAILABLE };
    ram.n = 2;
}

static void test_place_at_link_address_or_relocate(void **state)
{
    (void)state;
    uint64_t base = 0;
    aout_start();
    TAG(MB2_HTAG_RELOCATABLE, 0, 0x100000, 0x8000000, 0x200000, MB2_RELOC_NONE);
    finish(HOFF);
    expect_ok();
    ram_of(0x100000, 0x7F00000);
    assert_int_equal(mb2_image_place(&out, &ram, &base, err, sizeof(err)), 0);
    assert_int_equal(base, 0x100000);
    /* 1 MiB is not RAM: the lowest 2 MiB-aligned fit at or above min_addr. */
    ram_of(0x180000, 0x7E80000);
    assert_int_equal(mb2_image_place(&out, &ram, &base, err, sizeof(err)), 0);
    assert_int_equal(base, 0x200000);
    out.reloc_pref = MB2_RELOC_HIGHEST;     /* ends at or below max_addr */
    assert_int_equal(mb2_image_place(&out, &ram, &base, err, sizeof(err)), 0);
    assert_int_equal(base, 0x7E00000);
    /* No room between min_addr and max_addr. */
    out.reloc_max = 0x201000;
    assert_int_equal(mb2_image_place(&out, &ram, &base, err, sizeof(err)), -1);
    assert_string_equal(err, "multiboot2 image: no 0x200000-aligned room for 16 KiB of "
                             "relocatable image in guest RAM between min_addr 0x100000 and "
                             "max_addr 0x201000");
    /* Not relocatable: the link address or nothing. */
    aout_start();
    finish(HOFF);
    expect_ok();
    assert_int_equal(mb2_image_place(&out, &ram, &base, err, sizeof(err)), -1);
    assert_string_equal(err, "multiboot2 image: [0x100000, 0x104000) is not guest RAM (or "
                             "overlaps the hypervisor) and the image is not relocatable");
    /* align 0 counts as 1. */
    aout_start();
    TAG(MB2_HTAG_RELOCATABLE, 0, 0x180001, 0x8000000, 0, MB2_RELOC_LOWEST);
    finish(HOFF);
    expect_ok();
    assert_int_equal(mb2_image_place(&out, &ram, &base, err, sizeof(err)), 0);
    assert_int_equal(base, 0x180001);
}

/* ---- boot information -------------------------------------------------------- */

static uint8_t buf[4096] __attribute__((aligned(8)));

static const uint8_t rsdp2[36] = "RSD PTR \x00OEMID \x02";

static void test_info_round_trips_through_the_parser(void **state)
{
    (void)state;
    static const struct mb2_boot_module mods[] = {
        { 0x200000, 0x200123, "initrd" },
        { 0x201000, 0x201000, "" },
    };
    ram_of(0x100000, 0x1FF00000);
    struct mb2_boot_desc d = {
        .cmdline = "console=ttyS0 x=1",
        .loader_name = "monovisor",
        .modules = mods,
        .nmodules = 2,
        .map = &ram,
        .rsdp = rsdp2,
        .rsdp_len = 36,
        .load_base = 0x100000,
    };
    uint32_t size = mb2_info_build(0, 0, &d);
    memset(buf, 0xEE, sizeof(buf));
    assert_int_equal(mb2_info_build(buf, sizeof(buf), &d), size);
    assert_int_equal(size % 8, 0);
    assert_int_equal(buf[size], 0xEE);
    struct mb2_info mi;
    if (mb2_parse(buf, &mi, err, sizeof(err)))
        fail_msg("%s", err);
    assert_int_equal(mi.total_size, size);
    assert_string_equal(mi.cmdline, "console=ttyS0 x=1");
    assert_string_equal(mi.loader_name, "monovisor");
    assert_int_equal(mi.module_count, 2);
    assert_int_equal(mi.modules[0].start, 0x200000);
    assert_int_equal(mi.modules[0].end, 0x200123);
    assert_string_equal(mi.modules[0].cmdline, "initrd");
    assert_string_equal(mi.modules[1].cmdline, "");
    assert_int_equal(mi.mmap_count, 2);
    assert_int_equal(mi.mmap[1].base, 0x100000);
    assert_int_equal(mi.mmap[1].len, 0x1FF00000);
    assert_true(mi.has_basic_meminfo);
    assert_int_equal(mi.mem_lower_kib, 0x9F000 >> 10);
    assert_int_equal(mi.mem_upper_kib, 0x1FF00000 >> 10);
    assert_int_equal(mi.acpi_version, 2);
    assert_int_equal(mi.rsdp_len, 36);
    assert_memory_equal(mi.rsdp, rsdp2, 36);
    assert_true(mi.has_load_base);
    assert_int_equal(mi.load_base, 0x100000);
    /* Every tag starts 8-byte aligned; reserved is 0. */
    uint32_t reserved;
    memcpy(&reserved, buf + 4, 4);
    assert_int_equal(reserved, 0);
    unsigned tags = 0;
    for (uint32_t off = 8; off < size; tags++) {
        uint32_t t[2];
        memcpy(t, buf + off, 8);
        assert_int_equal(off % 8, 0);
        if (t[0] == MB2_TAG_END) {
            assert_int_equal(off + 8, size);
            break;
        }
        off += (t[1] + 7) & ~7u;
    }
    assert_int_equal(tags, 9);      /* cmdline, name, 2 modules, meminfo, mmap, 14, 15, 21 */
}

static void test_info_acpi1_and_no_acpi(void **state)
{
    (void)state;
    ram_of(0x100000, 0x100000);
    struct mb2_boot_desc d = { .cmdline = 0, .loader_name = "monovisor", .map = &ram,
                               .rsdp = rsdp2, .rsdp_len = 20, .load_base = 0x100000 };
    struct mb2_info mi;
    assert_true(mb2_info_build(buf, sizeof(buf), &d) <= sizeof(buf));
    assert_int_equal(mb2_parse(buf, &mi, err, sizeof(err)), 0);
    assert_string_equal(mi.cmdline, "");
    assert_int_equal(mi.acpi_version, 1);
    assert_int_equal(mi.rsdp_len, 20);
    d.rsdp = 0;
    assert_true(mb2_info_build(buf, sizeof(buf), &d) <= sizeof(buf));
    assert_int_equal(mb2_parse(buf, &mi, err, sizeof(err)), 0);
    assert_int_equal(mi.acpi_version, 0);
    assert_int_equal(mi.module_count, 0);
}

static void test_info_never_writes_past_cap(void **state)
{
    (void)state;
    ram_of(0x100000, 0x100000);
    struct mb2_boot_desc d = { .cmdline = "a long enough command line", .loader_name = "monovisor",
                               .map = &ram, .load_base = 0x100000 };
    uint32_t size = mb2_info_build(0, 0, &d);
    for (uint32_t cap = 0; cap < size; cap += 3) {
        memset(buf, 0xEE, sizeof(buf));
        assert_int_equal(mb2_info_build(buf, cap, &d), size);
        for (uint32_t i = cap; i < size + 8; i++)
            assert_int_equal(buf[i], 0xEE);
    }
}

/* On a UEFI machine the guest's map comes twice: e820 entries and EFI
 * descriptors of the same regions (whole pages). The host's own parser,
 * which prefers the EFI map, reads the same map back. */
static void test_info_efi_map_describes_the_same_map(void **state)
{
    (void)state;
    memset(&ram, 0, sizeof(ram));
    static const struct mb2_mmap_entry want[] = {
        { 0, 0x9F000, MB2_MEM_AVAILABLE },
        { 0x100000, 0x7EF0000, MB2_MEM_AVAILABLE },
        { 0x7FF0000, 0x8000, MB2_MEM_ACPI },
        { 0x7FF8000, 0x4000, MB2_MEM_NVS },
        { 0x7FFC000, 0x4000, MB2_MEM_RESERVED },
        { 0x8000000, 0x1000, MB2_MEM_BADRAM },
        { 0x100000000, 0x40000000, MB2_MEM_PMEM },
    };
    for (unsigned i = 0; i < sizeof(want) / sizeof(want[0]); i++)
        ram.e[ram.n++] = want[i];
    ram.e[ram.n++] = (struct mb2_mmap_entry){ 0x140000800, 0x800, MB2_MEM_RESERVED };   /* no whole page */
    struct mb2_boot_desc d = { .loader_name = "monovisor", .map = &ram, .load_base = 0x100000,
                               .efi_map = true };
    uint32_t size = mb2_info_build(0, 0, &d);
    assert_true(size <= sizeof(buf));
    assert_int_equal(mb2_info_build(buf, sizeof(buf), &d), size);
    struct mb2_info mi;
    if (mb2_parse(buf, &mi, err, sizeof(err)))
        fail_msg("%s", err);
    assert_true(mi.efi);
    assert_int_equal(mi.mmap_source, MB2_MMAP_EFI);
    assert_int_equal(mi.efi_descriptors, sizeof(want) / sizeof(want[0]));
    assert_int_equal(mi.efi_system_table, 0);      /* no runtime services for the guest */
    assert_int_equal(mi.mmap_count, sizeof(want) / sizeof(want[0]));
    for (unsigned i = 0; i < mi.mmap_count; i++) {
        assert_int_equal(mi.mmap[i].base, want[i].base);
        assert_int_equal(mi.mmap[i].len, want[i].len);
        assert_int_equal(mi.mmap[i].type, want[i].type);
    }
    /* Every e820 type round-trips through its descriptor. */
    for (uint32_t t = 0; t < 10; t++) {
        uint32_t et;
        uint64_t attr;
        mb2_efi_descriptor(t, &et, &attr);
        uint32_t back = mb2_efi_type(et, attr);
        bool known = t == MB2_MEM_AVAILABLE || t == MB2_MEM_ACPI || t == MB2_MEM_NVS ||
                     t == MB2_MEM_BADRAM || t == MB2_MEM_PMEM;
        assert_int_equal(back, known ? t : MB2_MEM_RESERVED);
    }
    /* Without efi_map, no EFI tag. */
    d.efi_map = false;
    assert_true(mb2_info_build(buf, sizeof(buf), &d) < size);
    assert_int_equal(mb2_parse(buf, &mi, err, sizeof(err)), 0);
    assert_false(mi.efi);
    assert_int_equal(mi.mmap_source, MB2_MMAP_LEGACY);
}

static void test_info_type_names(void **state)
{
    (void)state;
    assert_string_equal(mb2_info_type_name(6), "memory map");
    assert_string_equal(mb2_info_type_name(21), "image load base address");
    assert_string_equal(mb2_info_type_name(22), "unknown");
    assert_string_equal(mb2_info_type_name(0xFFFFFFFF), "unknown");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_probe_finds_8_aligned_header_with_checksum),
        cmocka_unit_test(test_probe_refuses_bad_checksum_short_file_and_past_32k),
        cmocka_unit_test(test_architecture_must_be_i386),
        cmocka_unit_test(test_header_length_errors),
        cmocka_unit_test(test_tag_errors_name_the_tag),
        cmocka_unit_test(test_information_request_required_and_optional),
        cmocka_unit_test(test_information_request_refuses_what_we_cannot_give),
        cmocka_unit_test(test_required_tags_we_cannot_honour_are_refused),
        cmocka_unit_test(test_optional_tags_are_accepted),
        cmocka_unit_test(test_relocatable_tag),
        cmocka_unit_test(test_address_tag_layout),
        cmocka_unit_test(test_address_tag_load_addr_minus_one_loads_from_file_start),
        cmocka_unit_test(test_address_tag_errors),
        cmocka_unit_test(test_elf_layout_and_entry_tag),
        cmocka_unit_test(test_place_at_link_address_or_relocate),
        cmocka_unit_test(test_info_round_trips_through_the_parser),
        cmocka_unit_test(test_info_acpi1_and_no_acpi),
        cmocka_unit_test(test_info_never_writes_past_cap),
        cmocka_unit_test(test_info_efi_map_describes_the_same_map),
        cmocka_unit_test(test_info_type_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
