// covers: kernel/mb1.c kernel/image.c kernel/fmt.c
/*
 * test_mb1.c - host unit tests of the Multiboot v1 image parser
 * (kernel/mb1.c) on synthetic images: the header search, the a.out
 * kludge, and ELF32/ELF64 program headers, with every error message.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "../../kernel/mb1.h"

/* ---- building images ------------------------------------------------------ */

#define IMG_MAX 0x6000

struct img {
    uint8_t b[IMG_MAX];
    size_t len;
};

static struct img I;
static struct mb1_image out;
static char err[256];

static void img_reset(size_t len)
{
    assert_true(len <= IMG_MAX);
    memset(&I, 0, sizeof(I));
    I.len = len;
}

static void w16(size_t off, uint16_t v)
{
    assert_true(off + 2 <= IMG_MAX);
    memcpy(I.b + off, &v, 2);
}

static void w32(size_t off, uint32_t v)
{
    assert_true(off + 4 <= IMG_MAX);
    memcpy(I.b + off, &v, 4);
}

static void w64(size_t off, uint64_t v)
{
    assert_true(off + 8 <= IMG_MAX);
    memcpy(I.b + off, &v, 8);
}

/* A Multiboot header (magic, flags, checksum) at off. */
static void mb_header(size_t off, uint32_t flags)
{
    w32(off, MB1_HEADER_MAGIC);
    w32(off + 4, flags);
    w32(off + 8, (uint32_t)-(MB1_HEADER_MAGIC + flags));
}

/* The a.out-kludge address fields after the header at hoff. */
static void aout_fields(size_t hoff, uint32_t header_addr, uint32_t load_addr, uint32_t load_end,
                        uint32_t bss_end, uint32_t entry)
{
    w32(hoff + 12, header_addr);
    w32(hoff + 16, load_addr);
    w32(hoff + 20, load_end);
    w32(hoff + 24, bss_end);
    w32(hoff + 28, entry);
}

#define PT_NULL  0
#define PT_LOAD  1
#define PT_NOTE  4
#define PT_GNU_STACK 0x6474e551u

#define EH32 52
#define PH32 32
#define EH64 64
#define PH64 56

static void elf_ident(int cls)
{
    memcpy(I.b, "\177ELF", 4);
    I.b[4] = (uint8_t)cls;  /* 1: ELF32, 2: ELF64 */
    I.b[5] = 1;             /* little-endian */
    I.b[6] = 1;             /* EV_CURRENT */
}

static void elf32_ehdr(uint32_t entry, uint32_t phoff, uint16_t phnum)
{
    elf_ident(1);
    w16(16, 2);             /* ET_EXEC */
    w16(18, 3);             /* EM_386 */
    w32(20, 1);
    w32(24, entry);
    w32(28, phoff);
    w16(40, EH32);
    w16(42, PH32);
    w16(44, phnum);
}

static void elf32_phdr(unsigned i, uint32_t type, uint32_t off, uint32_t vaddr, uint32_t paddr,
                       uint32_t filesz, uint32_t memsz)
{
    size_t p = EH32 + (size_t)i * PH32;
    w32(p, type);
    w32(p + 4, off);
    w32(p + 8, vaddr);
    w32(p + 12, paddr);
    w32(p + 16, filesz);
    w32(p + 20, memsz);
    w32(p + 24, 7);         /* RWX */
    w32(p + 28, 0x1000);
}

static void elf64_ehdr(uint64_t entry, uint64_t phoff, uint16_t phnum)
{
    elf_ident(2);
    w16(16, 2);             /* ET_EXEC */
    w16(18, 62);            /* EM_X86_64 */
    w32(20, 1);
    w64(24, entry);
    w64(32, phoff);
    w16(52, EH64);
    w16(54, PH64);
    w16(56, phnum);
}

static void elf64_phdr(unsigned i, uint32_t type, uint64_t off, uint64_t vaddr, uint64_t paddr,
                       uint64_t filesz, uint64_t memsz)
{
    size_t p = EH64 + (size_t)i * PH64;
    w32(p, type);
    w32(p + 4, 7);
    w64(p + 8, off);
    w64(p + 16, vaddr);
    w64(p + 24, paddr);
    w64(p + 32, filesz);
    w64(p + 40, memsz);
    w64(p + 48, 0x1000);
}

/*
 * A typical 32-bit kernel: text at 1 MiB from file offset 0x1000 (where the
 * Multiboot header is), data + bss after it.
 */
static void elf32_image(void)
{
    img_reset(0x3000);
    elf32_ehdr(0x10000C, EH32, 2);
    elf32_phdr(0, PT_LOAD, 0x1000, 0x100000, 0x100000, 0x1000, 0x1000);
    elf32_phdr(1, PT_LOAD, 0x2000, 0x102000, 0x102000, 0x800, 0x3000);
    mb_header(0x1000, MB1_FLAG_PAGE_ALIGN | MB1_FLAG_MEMINFO);
}

/* The same for ELF64, linked in the higher half with physical load addresses. */
static void elf64_image(void)
{
    img_reset(0x3000);
    elf64_ehdr(0xFFFFFFFF8010000Cull, EH64, 2);
    elf64_phdr(0, PT_LOAD, 0x1000, 0xFFFFFFFF80100000ull, 0x100000, 0x1000, 0x1000);
    elf64_phdr(1, PT_LOAD, 0x2000, 0xFFFFFFFF80102000ull, 0x102000, 0x800, 0x3000);
    mb_header(0x1000, MB1_FLAG_PAGE_ALIGN | MB1_FLAG_MEMINFO);
}

/* An a.out-kludge image of 0x3000 bytes loaded at 1 MiB; header at 0x40. */
#define AOUT_HOFF 0x40
static void aout_image(void)
{
    img_reset(0x3000);
    mb_header(AOUT_HOFF, MB1_FLAG_AOUT_KLUDGE | MB1_FLAG_PAGE_ALIGN | MB1_FLAG_MEMINFO);
    aout_fields(AOUT_HOFF, 0x100000 + AOUT_HOFF, 0x100000, 0x102000, 0x105000, 0x100080);
}

static int parse(void)
{
    memset(err, 0, sizeof(err));
    memset(&out, 0x5A, sizeof(out));
    return mb1_parse(I.b, I.len, &out, err, sizeof(err));
}

static void expect_ok(void)
{
    int rc = parse();
    if (rc != 0)
        fail_msg("mb1_parse failed: %s", err);
}

static void expect_error(const char *what)
{
    assert_int_equal(parse(), -1);
    char want[256];
    snprintf(want, sizeof(want), "multiboot image: %s", what);
    assert_string_equal(err, want);
}

static void assert_seg(unsigned i, uint64_t dest, uint64_t offset, uint64_t filesz, uint64_t memsz)
{
    assert_true(i < out.layout.nseg);
    assert_int_equal(out.layout.seg[i].dest, dest);
    assert_int_equal(out.layout.seg[i].offset, offset);
    assert_int_equal(out.layout.seg[i].filesz, filesz);
    assert_int_equal(out.layout.seg[i].memsz, memsz);
}

#define NO_HEADER "no Multiboot header (magic 0x1BADB002 with a valid checksum) in the first 8 KiB"
#define NOT_ELF   "not ELF and no a.out-kludge addresses (header flag 16)"
#define BAD_CLASS "ELF class or byte order not supported (need little-endian ELF32/64)"
#define NOT_EXEC  "ELF file is not an executable (ET_EXEC)"
#define NOT_X86   "ELF machine is not x86 (EM_386 / EM_X86_64)"
#define PH_OOB    "ELF program headers out of bounds"
#define NO_LOAD   "ELF has no loadable segment"
#define ENTRY_OUT "ELF entry point outside every loadable segment"
#define PAST_EOF  "segment extends past the end of the file (truncated image?)"
#define ABOVE_4G  "segment does not fit below 4 GiB"
#define FILE_GT_MEM "segment file size exceeds its memory size"
#define TOO_MANY  "too many loadable segments"
#define REQ_FLAGS "header requires features monovisor does not provide (flags 15:3)"

/* ---- header search --------------------------------------------------------- */

static void test_probe_header_at_start(void **state)
{
    (void)state;
    img_reset(64);
    mb_header(0, 0);
    assert_int_equal(mb1_probe(I.b, I.len), 1);
    /* Exactly the 12 header bytes are enough. */
    assert_int_equal(mb1_probe(I.b, 12), 1);
    assert_int_equal(mb1_probe(I.b, 11), 0);
    assert_int_equal(mb1_probe(I.b, 0), 0);
}

static void test_probe_no_header(void **state)
{
    (void)state;
    img_reset(IMG_MAX);
    assert_int_equal(mb1_probe(I.b, I.len), 0);
    expect_error(NO_HEADER);
}

static void test_probe_bad_checksum(void **state)
{
    (void)state;
    img_reset(64);
    mb_header(8, 0x3);
    w32(16, 0);             /* checksum wrong */
    assert_int_equal(mb1_probe(I.b, I.len), 0);
    expect_error(NO_HEADER);
    /* Checksum right for other flags. */
    mb_header(8, 0x3);
    w32(12, 0x2);
    assert_int_equal(mb1_probe(I.b, I.len), 0);
}

static void test_probe_magic_only_at_4_byte_alignment(void **state)
{
    (void)state;
    img_reset(64);
    mb_header(6, 0);        /* valid header, misaligned */
    assert_int_equal(mb1_probe(I.b, I.len), 0);
    img_reset(64);
    mb_header(1, 0);
    assert_int_equal(mb1_probe(I.b, I.len), 0);
    img_reset(64);
    mb_header(4, 0);
    assert_int_equal(mb1_probe(I.b, I.len), 1);
}

static void test_probe_within_first_8k(void **state)
{
    (void)state;
    img_reset(0x4000);
    mb_header(8192 - 12, 0);    /* last place that fits wholly */
    assert_int_equal(mb1_probe(I.b, I.len), 1);
    img_reset(0x4000);
    mb_header(8192 - 8, 0);     /* straddles 8 KiB */
    assert_int_equal(mb1_probe(I.b, I.len), 0);
    img_reset(0x4000);
    mb_header(8192, 0);
    assert_int_equal(mb1_probe(I.b, I.len), 0);
    expect_error(NO_HEADER);
    img_reset(0x4000);
    mb_header(0x3000, 0);
    assert_int_equal(mb1_probe(I.b, I.len), 0);
}

static void test_probe_header_at_end_of_short_image(void **state)
{
    (void)state;
    img_reset(100);
    mb_header(88, 0);
    assert_int_equal(mb1_probe(I.b, 100), 1);
    assert_int_equal(mb1_probe(I.b, 99), 0);
}

static void test_first_valid_header_wins(void **state)
{
    (void)state;
    elf32_image();
    /* A bad-checksum magic before the real header, and a second header after. */
    w32(0x800, MB1_HEADER_MAGIC);
    mb_header(0x1100, MB1_FLAG_AOUT_KLUDGE);
    expect_ok();
    assert_int_equal(out.header_offset, 0x1000);
    assert_int_equal(out.flags, MB1_FLAG_PAGE_ALIGN | MB1_FLAG_MEMINFO);
    assert_int_equal(out.layout.elf_class, 32);
}

static void test_header_at_last_offset_parses(void **state)
{
    (void)state;
    elf32_image();
    img_reset(0x3000);
    elf32_ehdr(0x102000, EH32, 1);
    elf32_phdr(0, PT_LOAD, 0x2000, 0x102000, 0x102000, 0x1000, 0x1000);
    mb_header(8192 - 12, 0);
    expect_ok();
    assert_int_equal(out.header_offset, 8180);
}

/* ---- required flags -------------------------------------------------------- */

static void test_required_flags_refused(void **state)
{
    (void)state;
    for (unsigned bit = 3; bit < 16; bit++) {
        elf32_image();
        mb_header(0x1000, MB1_FLAG_PAGE_ALIGN | (1u << bit));
        expect_error(REQ_FLAGS);
        /* What was found is still reported. */
        assert_int_equal(out.header_offset, 0x1000);
        assert_int_equal(out.flags, MB1_FLAG_PAGE_ALIGN | (1u << bit));
    }
    aout_image();
    mb_header(AOUT_HOFF, MB1_FLAG_AOUT_KLUDGE | 0x8000);
    expect_error(REQ_FLAGS);
}

static void test_video_and_low_flags_tolerated(void **state)
{
    (void)state;
    elf32_image();
    mb_header(0x1000, MB1_FLAG_PAGE_ALIGN | MB1_FLAG_MEMINFO | MB1_FLAG_VIDEO);
    expect_ok();
    assert_int_equal(out.flags, 0x7);
    elf32_image();
    mb_header(0x1000, 0);
    expect_ok();
    assert_int_equal(out.flags, 0);
}

static void test_optional_high_flags_tolerated(void **state)
{
    (void)state;
    /* Bits 31:17 are optional features: ignored. */
    elf32_image();
    mb_header(0x1000, 0xFFFE0000u | MB1_FLAG_VIDEO);
    expect_ok();
    assert_int_equal(out.flags, 0xFFFE0004u);
    assert_int_equal(out.layout.elf_class, 32);
}

/* ---- a.out kludge ---------------------------------------------------------- */

static void test_aout_basic(void **state)
{
    (void)state;
    aout_image();
    expect_ok();
    assert_int_equal(out.layout.elf_class, 0);
    assert_int_equal(out.header_offset, AOUT_HOFF);
    assert_int_equal(out.flags, MB1_FLAG_AOUT_KLUDGE | 0x3);
    assert_int_equal(out.layout.entry, 0x100080);
    assert_int_equal(out.layout.nseg, 1);
    assert_seg(0, 0x100000, 0, 0x2000, 0x5000);
}

static void test_aout_header_later_in_file(void **state)
{
    (void)state;
    /* The header sits 0x10 bytes into the loaded part, which starts at file offset 0xFF0. */
    img_reset(0x3000);
    mb_header(0x1000, MB1_FLAG_AOUT_KLUDGE);
    aout_fields(0x1000, 0x200010, 0x200000, 0x201800, 0, 0x200020);
    expect_ok();
    assert_int_equal(out.header_offset, 0x1000);
    assert_seg(0, 0x200000, 0xFF0, 0x1800, 0x1800);
    assert_int_equal(out.layout.entry, 0x200020);
}

static void test_aout_load_end_zero_means_whole_file(void **state)
{
    (void)state;
    aout_image();
    aout_fields(AOUT_HOFF, 0x100000 + AOUT_HOFF, 0x100000, 0, 0x104000, 0x100080);
    expect_ok();
    assert_seg(0, 0x100000, 0, 0x3000, 0x4000);
    /* From a header further in: the rest of the file from the load offset. */
    img_reset(0x3000);
    mb_header(0x1000, MB1_FLAG_AOUT_KLUDGE);
    aout_fields(0x1000, 0x300000, 0x300000, 0, 0, 0x300000);
    expect_ok();
    assert_seg(0, 0x300000, 0x1000, 0x2000, 0x2000);
}

static void test_aout_bss_end_zero_no_bss(void **state)
{
    (void)state;
    aout_image();
    aout_fields(AOUT_HOFF, 0x100000 + AOUT_HOFF, 0x100000, 0x102000, 0, 0x101FFF);
    expect_ok();
    assert_seg(0, 0x100000, 0, 0x2000, 0x2000);
    assert_int_equal(out.layout.entry, 0x101FFF);
}

static void test_aout_bss_end_equal_to_load_end(void **state)
{
    (void)state;
    aout_image();
    aout_fields(AOUT_HOFF, 0x100000 + AOUT_HOFF, 0x100000, 0x102000, 0x102000, 0x100000);
    expect_ok();
    assert_seg(0, 0x100000, 0, 0x2000, 0x2000);
}

static void test_aout_entry_in_bss_allowed(void **state)
{
    (void)state;
    aout_image();
    aout_fields(AOUT_HOFF, 0x100000 + AOUT_HOFF, 0x100000, 0x102000, 0x105000, 0x104FFF);
    expect_ok();
    assert_int_equal(out.layout.entry, 0x104FFF);
}

static void test_aout_entry_outside(void **state)
{
    (void)state;
    aout_image();
    aout_fields(AOUT_HOFF, 0x100000 + AOUT_HOFF, 0x100000, 0x102000, 0x105000, 0x105000);
    expect_error("entry_addr outside the loaded image");
    aout_fields(AOUT_HOFF, 0x100000 + AOUT_HOFF, 0x100000, 0x102000, 0x105000, 0xFFFFF);
    expect_error("entry_addr outside the loaded image");
    aout_fields(AOUT_HOFF, 0x100000 + AOUT_HOFF, 0x100000, 0x102000, 0, 0x102000);
    expect_error("entry_addr outside the loaded image");
}

static void test_aout_empty_image_entry_outside(void **state)
{
    (void)state;
    /* load_end == load_addr and no bss: nothing to load, so no entry either. */
    aout_image();
    aout_fields(AOUT_HOFF, 0x100000 + AOUT_HOFF, 0x100000, 0x100000, 0, 0x100000);
    expect_error("entry_addr outside the loaded image");
    assert_int_equal(out.layout.nseg, 0);
}

static void test_aout_header_addr_before_load_addr(void **state)
{
    (void)state;
    aout_image();
    aout_fields(AOUT_HOFF, 0xFFFFF, 0x100000, 0x102000, 0, 0x100080);
    expect_error("load_addr/header_addr inconsistent with the header's position");
}

static void test_aout_load_starts_before_file(void **state)
{
    (void)state;
    aout_image();
    /* The header would be 0x41 bytes into the load, but it is at file offset 0x40. */
    aout_fields(AOUT_HOFF, 0x100041, 0x100000, 0x102000, 0, 0x100080);
    expect_error("load_addr/header_addr inconsistent with the header's position");
    /* 0x40 exactly: the load starts at file offset 0. */
    aout_fields(AOUT_HOFF, 0x100040, 0x100000, 0x102000, 0, 0x100080);
    expect_ok();
    assert_seg(0, 0x100000, 0, 0x2000, 0x2000);
}

static void test_aout_load_end_below_load_addr(void **state)
{
    (void)state;
    aout_image();
    aout_fields(AOUT_HOFF, 0x100000 + AOUT_HOFF, 0x100000, 0xFFFFF, 0, 0x100080);
    expect_error("load_end_addr below load_addr");
}

static void test_aout_bss_end_below_load_end(void **state)
{
    (void)state;
    aout_image();
    aout_fields(AOUT_HOFF, 0x100000 + AOUT_HOFF, 0x100000, 0x102000, 0x101FFF, 0x100080);
    expect_error("bss_end_addr below load_end_addr");
    /* With load_end 0 the load end is the end of the file. */
    aout_fields(AOUT_HOFF, 0x100000 + AOUT_HOFF, 0x100000, 0, 0x102FFF, 0x100080);
    expect_error("bss_end_addr below load_end_addr");
}

static void test_aout_load_end_past_file(void **state)
{
    (void)state;
    aout_image();
    aout_fields(AOUT_HOFF, 0x100000 + AOUT_HOFF, 0x100000, 0x103001, 0, 0x100080);
    expect_error(PAST_EOF);
    /* Exactly the whole file is fine. */
    aout_fields(AOUT_HOFF, 0x100000 + AOUT_HOFF, 0x100000, 0x103000, 0, 0x100080);
    expect_ok();
    assert_seg(0, 0x100000, 0, 0x3000, 0x3000);
}

static void test_aout_truncated_header_fields(void **state)
{
    (void)state;
    aout_image();
    I.len = AOUT_HOFF + 31;     /* entry_addr cut short */
    expect_error("header address fields truncated");
    I.len = AOUT_HOFF + 12;     /* only magic, flags, checksum */
    expect_error("header address fields truncated");
    /* All 32 bytes present: the whole (short) file is loaded. */
    aout_image();
    I.len = AOUT_HOFF + 32;
    aout_fields(AOUT_HOFF, 0x100000 + AOUT_HOFF, 0x100000, 0, 0, 0x100000);
    expect_ok();
    assert_seg(0, 0x100000, 0, AOUT_HOFF + 32, AOUT_HOFF + 32);
}

static void test_aout_up_to_4g(void **state)
{
    (void)state;
    /* Loaded in the last page below 4 GiB: fits exactly. */
    img_reset(0x1000);
    mb_header(0, MB1_FLAG_AOUT_KLUDGE);
    aout_fields(0, 0xFFFFF000, 0xFFFFF000, 0, 0, 0xFFFFFFFF);
    expect_ok();
    assert_seg(0, 0xFFFFF000, 0, 0x1000, 0x1000);
    assert_int_equal(out.layout.entry, 0xFFFFFFFF);
    /* One byte more of file does not. */
    I.len = 0x1001;
    expect_error(ABOVE_4G);
}

/* ---- ELF32 ----------------------------------------------------------------- */

static void test_elf32_basic(void **state)
{
    (void)state;
    elf32_image();
    expect_ok();
    assert_int_equal(out.layout.elf_class, 32);
    assert_int_equal(out.layout.entry, 0x10000C);
    assert_int_equal(out.header_offset, 0x1000);
    assert_int_equal(out.layout.nseg, 2);
    assert_seg(0, 0x100000, 0x1000, 0x1000, 0x1000);
    assert_seg(1, 0x102000, 0x2000, 0x800, 0x3000);
}

static void test_elf32_skips_non_load_headers(void **state)
{
    (void)state;
    elf32_image();
    elf32_ehdr(0x10000C, EH32, 5);
    elf32_phdr(0, PT_NOTE, 0x1000, 0x100000, 0x100000, 0x10, 0x10);
    elf32_phdr(1, PT_LOAD, 0x1000, 0x100000, 0x100000, 0x1000, 0x1000);
    elf32_phdr(2, PT_GNU_STACK, 0, 0, 0, 0, 0);
    elf32_phdr(3, PT_NULL, 0xFFFFFF, 0, 0, 0xFFFFFFF, 0xFFFFFFF);
    elf32_phdr(4, PT_LOAD, 0x2000, 0x102000, 0x102000, 0x800, 0x3000);
    expect_ok();
    assert_int_equal(out.layout.nseg, 2);
    assert_seg(0, 0x100000, 0x1000, 0x1000, 0x1000);
    assert_seg(1, 0x102000, 0x2000, 0x800, 0x3000);
}

static void test_elf32_zero_memsz_segment_skipped(void **state)
{
    (void)state;
    elf32_image();
    elf32_ehdr(0x10000C, EH32, 3);
    elf32_phdr(0, PT_LOAD, 0x1000, 0x100000, 0x100000, 0x1000, 0x1000);
    /* Empty: skipped even though its offset is past the end of the file. */
    elf32_phdr(1, PT_LOAD, 0x9000, 0x200000, 0x200000, 0, 0);
    elf32_phdr(2, PT_LOAD, 0x2000, 0x102000, 0x102000, 0x800, 0x3000);
    expect_ok();
    assert_int_equal(out.layout.nseg, 2);
    assert_seg(1, 0x102000, 0x2000, 0x800, 0x3000);
}

static void test_elf32_bss_only_segment(void **state)
{
    (void)state;
    elf32_image();
    elf32_ehdr(0x10000C, EH32, 2);
    elf32_phdr(1, PT_LOAD, 0x3000, 0x110000, 0x110000, 0, 0x8000);    /* offset == len */
    expect_ok();
    assert_seg(1, 0x110000, 0x3000, 0, 0x8000);
}

static void test_elf32_higher_half_entry_translated(void **state)
{
    (void)state;
    elf32_image();
    elf32_ehdr(0xC010000C, EH32, 2);
    elf32_phdr(0, PT_LOAD, 0x1000, 0xC0100000, 0x100000, 0x1000, 0x1000);
    elf32_phdr(1, PT_LOAD, 0x2000, 0xC0102000, 0x102000, 0x800, 0x3000);
    expect_ok();
    /* Loaded at the physical addresses; the entry moved with its segment. */
    assert_seg(0, 0x100000, 0x1000, 0x1000, 0x1000);
    assert_seg(1, 0x102000, 0x2000, 0x800, 0x3000);
    assert_int_equal(out.layout.entry, 0x10000C);
}

static void test_elf32_entry_in_second_segment_translated(void **state)
{
    (void)state;
    elf32_image();
    elf32_ehdr(0xC0104000, EH32, 2);
    elf32_phdr(0, PT_LOAD, 0x1000, 0xC0100000, 0x100000, 0x1000, 0x1000);
    elf32_phdr(1, PT_LOAD, 0x2000, 0xC0102000, 0x102000, 0x800, 0x3000);
    expect_ok();
    assert_int_equal(out.layout.entry, 0x104000);      /* in the bss part */
}

static void test_elf32_entry_translated_once(void **state)
{
    (void)state;
    /* The entry is looked up by its link address, like GRUB: once seg 0
     * has translated it to 0x100010, seg 1 (linked at 0x100000, loaded at
     * 2 MiB) must not move it again. */
    elf32_image();
    elf32_ehdr(0xC0100010, EH32, 2);
    elf32_phdr(0, PT_LOAD, 0x1000, 0xC0100000, 0x100000, 0x1000, 0x1000);
    elf32_phdr(1, PT_LOAD, 0x2000, 0x100000, 0x200000, 0x800, 0x1000);
    expect_ok();
    assert_int_equal(out.layout.entry, 0x100010);
    /* And the other way round: seg 1 alone names the entry's segment. */
    elf32_ehdr(0x100010, EH32, 2);
    expect_ok();
    assert_int_equal(out.layout.entry, 0x200010);
}

static void test_elf32_physical_entry_kept(void **state)
{
    (void)state;
    /* Entry given as a physical address (boot stub), segment linked high. */
    elf32_image();
    elf32_ehdr(0x100010, EH32, 1);
    elf32_phdr(0, PT_LOAD, 0x1000, 0xC0100000, 0x100000, 0x1000, 0x1000);
    expect_ok();
    assert_int_equal(out.layout.entry, 0x100010);
    assert_int_equal(out.layout.nseg, 1);
}

static void test_elf32_entry_outside_segments(void **state)
{
    (void)state;
    elf32_image();
    elf32_ehdr(0x105000, EH32, 2);      /* just past the second segment's memsz */
    expect_error(ENTRY_OUT);
    elf32_ehdr(0x101000, EH32, 2);      /* in the gap between the two */
    expect_error(ENTRY_OUT);
    elf32_ehdr(0xFFFFF, EH32, 2);
    expect_error(ENTRY_OUT);
    elf32_ehdr(0x104FFF, EH32, 2);      /* last byte: inside */
    expect_ok();
    /* A high entry outside the segments' virtual range is not translated. */
    elf32_ehdr(0xC010000C, EH32, 2);
    expect_error(ENTRY_OUT);
}

static void test_elf32_segment_past_end_of_file(void **state)
{
    (void)state;
    elf32_image();
    elf32_phdr(1, PT_LOAD, 0x2000, 0x102000, 0x102000, 0x1001, 0x3000);
    expect_error(PAST_EOF);
    elf32_phdr(1, PT_LOAD, 0x2000, 0x102000, 0x102000, 0x1000, 0x3000);   /* to the last byte */
    expect_ok();
    elf32_phdr(1, PT_LOAD, 0x3001, 0x102000, 0x102000, 0, 0x3000);        /* offset past end */
    expect_error(PAST_EOF);
    elf32_phdr(1, PT_LOAD, 0xFFFFFFFF, 0x102000, 0x102000, 0x10, 0x3000);
    expect_error(PAST_EOF);
}

static void test_elf32_filesz_exceeds_memsz(void **state)
{
    (void)state;
    elf32_image();
    elf32_phdr(1, PT_LOAD, 0x2000, 0x102000, 0x102000, 0x801, 0x800);
    expect_error(FILE_GT_MEM);
}

static void test_elf32_segment_up_to_4g(void **state)
{
    (void)state;
    elf32_image();
    elf32_ehdr(0x10000C, EH32, 2);
    elf32_phdr(1, PT_LOAD, 0x2000, 0xFFFFF000, 0xFFFFF000, 0x800, 0x1000);
    expect_ok();
    assert_seg(1, 0xFFFFF000, 0x2000, 0x800, 0x1000);
    elf32_phdr(1, PT_LOAD, 0x2000, 0xFFFFF000, 0xFFFFF000, 0x800, 0x1001);
    expect_error(ABOVE_4G);
}

static void test_elf32_max_segments(void **state)
{
    (void)state;
    img_reset(0x5000);
    mb_header(0x1000, 0);
    elf32_ehdr(0x100000, EH32, MB1_MAX_SEGMENTS);
    for (unsigned i = 0; i < MB1_MAX_SEGMENTS; i++)
        elf32_phdr(i, PT_LOAD, 0x1000 + i * 0x100, 0x100000 + i * 0x1000, 0x100000 + i * 0x1000,
                   0x100, 0x1000);
    expect_ok();
    assert_int_equal(out.layout.nseg, MB1_MAX_SEGMENTS);
    assert_seg(MB1_MAX_SEGMENTS - 1, 0x10F000, 0x1F00, 0x100, 0x1000);
    /* One more is refused. */
    elf32_ehdr(0x100000, EH32, MB1_MAX_SEGMENTS + 1);
    elf32_phdr(MB1_MAX_SEGMENTS, PT_LOAD, 0x2000, 0x200000, 0x200000, 0x100, 0x1000);
    expect_error(TOO_MANY);
}

static void test_elf32_many_headers_few_loads(void **state)
{
    (void)state;
    /* Non-loadable and empty headers do not count against the limit. */
    img_reset(0x5000);
    mb_header(0x1000, 0);
    elf32_ehdr(0x100000, EH32, 40);
    for (unsigned i = 0; i < 40; i++) {
        if (i % 4 == 0)
            elf32_phdr(i, PT_LOAD, 0x1000, 0x100000 + i * 0x1000, 0x100000 + i * 0x1000, 0x10, 0x10);
        else if (i % 4 == 1)
            elf32_phdr(i, PT_LOAD, 0x1000, 0x900000, 0x900000, 0, 0);
        else
            elf32_phdr(i, PT_NOTE, 0x1000, 0, 0, 0x10, 0x10);
    }
    expect_ok();
    assert_int_equal(out.layout.nseg, 10);
}

/* ---- ELF header errors ---------------------------------------------------- */

static void test_not_elf(void **state)
{
    (void)state;
    img_reset(0x2000);
    mb_header(0x1000, 0);
    expect_error(NOT_ELF);
    memcpy(I.b, "\177ELG", 4);
    expect_error(NOT_ELF);
    memcpy(I.b, "MZ\x90\x00", 4);
    expect_error(NOT_ELF);
}

static void test_elf_too_short(void **state)
{
    (void)state;
    /* Anything shorter than an ELF32 header is not ELF. */
    img_reset(51);
    elf_ident(1);
    mb_header(36, 0);
    expect_error(NOT_ELF);
}

static void test_elf_bad_class_or_byte_order(void **state)
{
    (void)state;
    elf32_image();
    I.b[4] = 0;
    expect_error(BAD_CLASS);
    I.b[4] = 3;
    expect_error(BAD_CLASS);
    I.b[4] = 1;
    I.b[5] = 2;             /* big-endian */
    expect_error(BAD_CLASS);
    I.b[5] = 0;
    expect_error(BAD_CLASS);
    I.b[5] = 1;
    expect_ok();
}

static void test_elf_not_executable(void **state)
{
    (void)state;
    static const uint16_t types[] = { 0, 1, 3, 4, 0xFE00 };
    for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
        elf32_image();
        w16(16, types[i]);
        expect_error(NOT_EXEC);
        elf64_image();
        w16(16, types[i]);
        expect_error(NOT_EXEC);
    }
}

static void test_elf_wrong_machine(void **state)
{
    (void)state;
    elf32_image();
    w16(18, 62);            /* ELF32 for x86-64 */
    expect_error(NOT_X86);
    w16(18, 40);            /* ARM */
    expect_error(NOT_X86);
    elf64_image();
    w16(18, 3);             /* ELF64 for i386 */
    expect_error(NOT_X86);
    w16(18, 183);           /* AArch64 */
    expect_error(NOT_X86);
}

static void test_elf32_program_headers_out_of_bounds(void **state)
{
    (void)state;
    elf32_image();
    elf32_ehdr(0x10000C, 0x3001, 1);        /* phoff past the end */
    expect_error(PH_OOB);
    elf32_ehdr(0x10000C, 0x3000 - PH32 + 1, 1);  /* last header cut short */
    expect_error(PH_OOB);
    elf32_ehdr(0x10000C, EH32, 0xFFFF);     /* too many */
    expect_error(PH_OOB);
    elf32_ehdr(0x10000C, 0xFFFFFFFF, 1);
    expect_error(PH_OOB);
    elf32_image();
    w16(42, PH32 - 1);                      /* entries too small */
    expect_error(PH_OOB);
    w16(42, 0);
    expect_error(PH_OOB);
}

static void test_elf32_program_headers_at_end_of_file(void **state)
{
    (void)state;
    /* The table ends exactly at the end of the file. */
    img_reset(0x3000);
    mb_header(0x1000, 0);
    elf32_ehdr(0x100000, 0x3000 - PH32, 1);
    size_t p = 0x3000 - PH32;
    w32(p, PT_LOAD);
    w32(p + 4, 0x1000);
    w32(p + 8, 0x100000);
    w32(p + 12, 0x100000);
    w32(p + 16, 0x1000);
    w32(p + 20, 0x1000);
    expect_ok();
    assert_seg(0, 0x100000, 0x1000, 0x1000, 0x1000);
}

static void test_elf32_larger_phentsize(void **state)
{
    (void)state;
    /* Entries larger than the standard size are stepped over by phentsize. */
    img_reset(0x3000);
    mb_header(0x1000, 0);
    elf32_ehdr(0x100000, EH32, 2);
    w16(42, 48);
    size_t p0 = EH32, p1 = EH32 + 48;
    w32(p0, PT_LOAD);
    w32(p0 + 4, 0x1000);
    w32(p0 + 8, 0x100000);
    w32(p0 + 12, 0x100000);
    w32(p0 + 16, 0x100);
    w32(p0 + 20, 0x100);
    w32(p1, PT_LOAD);
    w32(p1 + 4, 0x2000);
    w32(p1 + 8, 0x200000);
    w32(p1 + 12, 0x200000);
    w32(p1 + 16, 0x200);
    w32(p1 + 20, 0x400);
    expect_ok();
    assert_int_equal(out.layout.nseg, 2);
    assert_seg(1, 0x200000, 0x2000, 0x200, 0x400);
}

static void test_elf_no_loadable_segment(void **state)
{
    (void)state;
    elf32_image();
    elf32_ehdr(0x10000C, EH32, 0);
    expect_error(NO_LOAD);
    elf32_ehdr(0x10000C, EH32, 2);
    elf32_phdr(0, PT_NOTE, 0x1000, 0x100000, 0x100000, 0x10, 0x10);
    elf32_phdr(1, PT_LOAD, 0x2000, 0x102000, 0x102000, 0, 0);
    expect_error(NO_LOAD);
    elf64_image();
    elf64_ehdr(0x10000C, EH64, 0);
    expect_error(NO_LOAD);
}

/* ---- ELF64 ----------------------------------------------------------------- */

static void test_elf64_higher_half(void **state)
{
    (void)state;
    elf64_image();
    expect_ok();
    assert_int_equal(out.layout.elf_class, 64);
    assert_int_equal(out.layout.entry, 0x10000C);
    assert_int_equal(out.layout.nseg, 2);
    assert_seg(0, 0x100000, 0x1000, 0x1000, 0x1000);
    assert_seg(1, 0x102000, 0x2000, 0x800, 0x3000);
}

static void test_elf64_identity_linked(void **state)
{
    (void)state;
    elf64_image();
    elf64_ehdr(0x102100, EH64, 2);
    elf64_phdr(0, PT_LOAD, 0x1000, 0x100000, 0x100000, 0x1000, 0x1000);
    elf64_phdr(1, PT_LOAD, 0x2000, 0x102000, 0x102000, 0x800, 0x3000);
    expect_ok();
    assert_int_equal(out.layout.entry, 0x102100);
}

static void test_elf64_header_truncated(void **state)
{
    (void)state;
    /* 60 bytes: long enough for ELF32, not for ELF64 (the header sits in e_shoff/e_flags). */
    img_reset(60);
    elf_ident(2);
    w16(16, 2);
    w16(18, 62);
    mb_header(40, 0);
    expect_error("ELF64 header truncated");
}

static void test_elf64_program_headers_out_of_bounds(void **state)
{
    (void)state;
    elf64_image();
    elf64_ehdr(0x10000C, 0x3001, 1);
    expect_error(PH_OOB);
    elf64_ehdr(0x10000C, 0x3000 - PH64 + 1, 1);
    expect_error(PH_OOB);
    elf64_ehdr(0x10000C, 0xFFFFFFFFFFFFFFC0ull, 1);   /* huge: must not wrap */
    expect_error(PH_OOB);
    elf64_image();
    w16(54, PH32);          /* ELF32-sized entries in an ELF64 file */
    expect_error(PH_OOB);
}

static void test_elf64_segment_above_4g(void **state)
{
    (void)state;
    elf64_image();
    elf64_phdr(1, PT_LOAD, 0x2000, 0x100000000ull, 0x100000000ull, 0x800, 0x3000);
    expect_error(ABOVE_4G);
    elf64_phdr(1, PT_LOAD, 0x2000, 0xFFFFF000, 0xFFFFF000, 0x800, 0x1001);
    expect_error(ABOVE_4G);
    /* dest + memsz wraps around 2^64. */
    elf64_phdr(1, PT_LOAD, 0x2000, 0x102000, 0xFFFFFFFFFFFFF000ull, 0x800, 0x2000);
    expect_error(ABOVE_4G);
    elf64_phdr(1, PT_LOAD, 0x2000, 0xFFFFF000, 0xFFFFF000, 0x800, 0x1000);
    expect_ok();
}

static void test_elf64_segment_errors(void **state)
{
    (void)state;
    elf64_image();
    elf64_phdr(1, PT_LOAD, 0x2000, 0x102000, 0x102000, 0x3001, 0x3000);
    expect_error(FILE_GT_MEM);
    elf64_phdr(1, PT_LOAD, 0x2000, 0x102000, 0x102000, 0x1001, 0x3000);
    expect_error(PAST_EOF);
    /* offset + filesz would wrap: still past the end. */
    elf64_phdr(1, PT_LOAD, 0xFFFFFFFFFFFFF000ull, 0x102000, 0x102000, 0x2000, 0x3000);
    expect_error(PAST_EOF);
    elf64_phdr(1, PT_LOAD, 0x2000, 0x102000, 0x102000, 0xFFFFFFFFFFFFF000ull,
               0xFFFFFFFFFFFFF000ull);
    expect_error(PAST_EOF);
}

static void test_elf64_entry_outside(void **state)
{
    (void)state;
    elf64_image();
    elf64_ehdr(0xFFFFFFFF80105000ull, EH64, 2);    /* past the second segment */
    expect_error(ENTRY_OUT);
    elf64_ehdr(0x200000, EH64, 2);
    expect_error(ENTRY_OUT);
}

static void test_elf64_too_many_segments(void **state)
{
    (void)state;
    img_reset(0x5000);
    mb_header(0x1000, 0);
    elf64_ehdr(0x100000, EH64, MB1_MAX_SEGMENTS + 1);
    for (unsigned i = 0; i <= MB1_MAX_SEGMENTS; i++)
        elf64_phdr(i, PT_LOAD, 0x2000, 0x100000 + i * 0x1000, 0x100000 + i * 0x1000, 0x10, 0x10);
    expect_error(TOO_MANY);
    elf64_ehdr(0x100000, EH64, MB1_MAX_SEGMENTS);
    expect_ok();
    assert_int_equal(out.layout.nseg, MB1_MAX_SEGMENTS);
}

/* ---- the error buffer ------------------------------------------------------ */

static void test_error_truncated_to_buffer(void **state)
{
    (void)state;
    img_reset(64);
    char small[10];
    memset(small, 'x', sizeof(small));
    assert_int_equal(mb1_parse(I.b, I.len, &out, small, sizeof(small)), -1);
    assert_string_equal(small, "multiboot");
}

static void test_output_cleared_before_parse(void **state)
{
    (void)state;
    img_reset(64);
    memset(&out, 0x5A, sizeof(out));
    assert_int_equal(mb1_parse(I.b, I.len, &out, err, sizeof(err)), -1);
    assert_int_equal(out.layout.nseg, 0);
    assert_int_equal(out.layout.entry, 0);
    assert_int_equal(out.flags, 0);
    assert_int_equal(out.header_offset, 0);
    assert_int_equal(out.layout.elf_class, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_probe_header_at_start),
        cmocka_unit_test(test_probe_no_header),
        cmocka_unit_test(test_probe_bad_checksum),
        cmocka_unit_test(test_probe_magic_only_at_4_byte_alignment),
        cmocka_unit_test(test_probe_within_first_8k),
        cmocka_unit_test(test_probe_header_at_end_of_short_image),
        cmocka_unit_test(test_first_valid_header_wins),
        cmocka_unit_test(test_header_at_last_offset_parses),
        cmocka_unit_test(test_required_flags_refused),
        cmocka_unit_test(test_video_and_low_flags_tolerated),
        cmocka_unit_test(test_optional_high_flags_tolerated),
        cmocka_unit_test(test_aout_basic),
        cmocka_unit_test(test_aout_header_later_in_file),
        cmocka_unit_test(test_aout_load_end_zero_means_whole_file),
        cmocka_unit_test(test_aout_bss_end_zero_no_bss),
        cmocka_unit_test(test_aout_bss_end_equal_to_load_end),
        cmocka_unit_test(test_aout_entry_in_bss_allowed),
        cmocka_unit_test(test_aout_entry_outside),
        cmocka_unit_test(test_aout_empty_image_entry_outside),
        cmocka_unit_test(test_aout_header_addr_before_load_addr),
        cmocka_unit_test(test_aout_load_starts_before_file),
        cmocka_unit_test(test_aout_load_end_below_load_addr),
        cmocka_unit_test(test_aout_bss_end_below_load_end),
        cmocka_unit_test(test_aout_load_end_past_file),
        cmocka_unit_test(test_aout_truncated_header_fields),
        cmocka_unit_test(test_aout_up_to_4g),
        cmocka_unit_test(test_elf32_basic),
        cmocka_unit_test(test_elf32_skips_non_load_headers),
        cmocka_unit_test(test_elf32_zero_memsz_segment_skipped),
        cmocka_unit_test(test_elf32_bss_only_segment),
        cmocka_unit_test(test_elf32_higher_half_entry_translated),
        cmocka_unit_test(test_elf32_entry_in_second_segment_translated),
        cmocka_unit_test(test_elf32_entry_translated_once),
        cmocka_unit_test(test_elf32_physical_entry_kept),
        cmocka_unit_test(test_elf32_entry_outside_segments),
        cmocka_unit_test(test_elf32_segment_past_end_of_file),
        cmocka_unit_test(test_elf32_filesz_exceeds_memsz),
        cmocka_unit_test(test_elf32_segment_up_to_4g),
        cmocka_unit_test(test_elf32_max_segments),
        cmocka_unit_test(test_elf32_many_headers_few_loads),
        cmocka_unit_test(test_not_elf),
        cmocka_unit_test(test_elf_too_short),
        cmocka_unit_test(test_elf_bad_class_or_byte_order),
        cmocka_unit_test(test_elf_not_executable),
        cmocka_unit_test(test_elf_wrong_machine),
        cmocka_unit_test(test_elf32_program_headers_out_of_bounds),
        cmocka_unit_test(test_elf32_program_headers_at_end_of_file),
        cmocka_unit_test(test_elf32_larger_phentsize),
        cmocka_unit_test(test_elf_no_loadable_segment),
        cmocka_unit_test(test_elf64_higher_half),
        cmocka_unit_test(test_elf64_identity_linked),
        cmocka_unit_test(test_elf64_header_truncated),
        cmocka_unit_test(test_elf64_program_headers_out_of_bounds),
        cmocka_unit_test(test_elf64_segment_above_4g),
        cmocka_unit_test(test_elf64_segment_errors),
        cmocka_unit_test(test_elf64_entry_outside),
        cmocka_unit_test(test_elf64_too_many_segments),
        cmocka_unit_test(test_error_truncated_to_buffer),
        cmocka_unit_test(test_output_cleared_before_parse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
