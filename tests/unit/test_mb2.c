// covers: kernel/mb2.c kernel/fmt.c
/*
 * test_mb2.c - host unit tests of the Multiboot2 boot information parser
 * (kernel/mb2.c), on synthetic boot information built by the tests.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "../../kernel/mb2.h"

/* ---- building boot information ----------------------------------------- */

/*
 * A boot information buffer: 8-byte aligned like the loader's. Tags are
 * appended with mbi_tag(); mbi_end() adds the end tag and sets total_size.
 */
struct mbi {
    uint64_t words[2048];
    uint32_t len;           /* bytes used so far */
};

static uint8_t *mbi_bytes(struct mbi *m)
{
    return (uint8_t *)m->words;
}

static void put32(struct mbi *m, uint32_t off, uint32_t v)
{
    memcpy(mbi_bytes(m) + off, &v, 4);
}

static void put64(uint8_t *p, uint64_t v)
{
    memcpy(p, &v, 8);
}

static void mbi_init(struct mbi *m)
{
    memset(m, 0, sizeof(*m));
    m->len = 8;             /* total_size, reserved */
}

/* Appends a tag with a size field of 8 + plen; returns its offset. */
static uint32_t mbi_tag(struct mbi *m, uint32_t type, const void *payload, uint32_t plen)
{
    uint32_t off = m->len;
    assert_true(off + 8 + plen <= sizeof(m->words));
    put32(m, off, type);
    put32(m, off + 4, 8 + plen);
    if (plen)
        memcpy(mbi_bytes(m) + off + 8, payload, plen);
    m->len = (off + 8 + plen + 7) & ~7u;
    return off;
}

/* A string tag (command line, loader name), NUL included. */
static uint32_t mbi_string(struct mbi *m, uint32_t type, const char *s)
{
    return mbi_tag(m, type, s, (uint32_t)strlen(s) + 1);
}

static uint32_t mbi_module(struct mbi *m, uint32_t start, uint32_t end, const char *cmdline)
{
    uint8_t p[64];
    size_t n = strlen(cmdline) + 1;
    assert_true(8 + n <= sizeof(p));
    memcpy(p, &start, 4);
    memcpy(p + 4, &end, 4);
    memcpy(p + 8, cmdline, n);
    return mbi_tag(m, MB2_TAG_MODULE, p, (uint32_t)(8 + n));
}

static uint32_t mbi_u32s(struct mbi *m, uint32_t type, uint32_t a, uint32_t b)
{
    uint32_t p[2] = { a, b };
    return mbi_tag(m, type, p, sizeof(p));
}

/* A memory map tag with count entries of entry_size bytes each. */
static uint32_t mbi_mmap(struct mbi *m, uint32_t entry_size, const struct mb2_mmap_entry *e,
                         unsigned count)
{
    static uint8_t p[8 + 300 * 40];
    assert_true(count <= 300 && entry_size <= 40);
    memset(p, 0, sizeof(p));
    memcpy(p, &entry_size, 4);      /* entry_version stays 0 */
    for (unsigned i = 0; i < count; i++) {
        uint8_t *q = p + 8 + i * entry_size;
        put64(q, e[i].base);
        put64(q + 8, e[i].len);
        memcpy(q + 16, &e[i].type, 4);
        if (entry_size > 20)
            memset(q + 20, 0xEE, entry_size - 20);  /* reserved: ignored */
    }
    return mbi_tag(m, MB2_TAG_MMAP, p, 8 + count * entry_size);
}

/* An EFI memory descriptor (UEFI 2.10, 7.2). */
struct efi_desc {
    uint32_t type;
    uint64_t start, pages, attr;
};

#define EFI_WB (1ull << 3)

/* An EFI memory map tag of count descriptors, desc_size bytes each. */
static uint32_t mbi_efi_mmap(struct mbi *m, uint32_t desc_size, const struct efi_desc *d,
                             unsigned count)
{
    static uint8_t p[8 + 300 * 56];
    assert_true(count <= 300 && desc_size <= 56);
    memset(p, 0, sizeof(p));
    uint32_t version = 1;
    memcpy(p, &desc_size, 4);
    memcpy(p + 4, &version, 4);
    for (unsigned i = 0; i < count; i++) {
        uint8_t *q = p + 8 + i * desc_size;
        memcpy(q, &d[i].type, 4);
        put64(q + 8, d[i].start);
        put64(q + 16, 0xFFFF800000000000ull + d[i].start);    /* VirtualStart: ignored */
        put64(q + 24, d[i].pages);
        put64(q + 32, d[i].attr);
        if (desc_size > 40)
            memset(q + 40, 0xEE, desc_size - 40);
    }
    return mbi_tag(m, MB2_TAG_EFI_MMAP, p, 8 + count * desc_size);
}

static void mbi_end(struct mbi *m)
{
    mbi_tag(m, MB2_TAG_END, NULL, 0);
    put32(m, 0, m->len);
}

/* Parses m, expects success. */
static void parse_ok(struct mbi *m, struct mb2_info *info)
{
    char err[128] = "";
    int rc = mb2_parse(mbi_bytes(m), info, err, sizeof(err));
    if (rc != 0)
        fail_msg("mb2_parse failed: %s", err);
    assert_string_equal(err, "");
}

/* Parses m, expects failure with exactly the message want. */
static void parse_fails(struct mbi *m, const char *want)
{
    struct mb2_info info;
    char err[128] = "";
    assert_int_equal(mb2_parse(mbi_bytes(m), &info, err, sizeof(err)), -1);
    assert_string_equal(err, want);
}

/* ---- basic structure -------------------------------------------------- */

static void test_minimal_info_is_empty(void **state)
{
    (void)state;
    struct mbi m;
    struct mb2_info info;
    mbi_init(&m);
    mbi_end(&m);
    memset(&info, 0x5A, sizeof(info));
    parse_ok(&m, &info);
    assert_int_equal(info.total_size, 16);
    assert_null(info.cmdline);
    assert_null(info.loader_name);
    assert_int_equal(info.mmap_count, 0);
    assert_false(info.mmap_truncated);
    assert_int_equal(info.module_count, 0);
    assert_false(info.modules_truncated);
    assert_null(info.rsdp);
    assert_int_equal(info.rsdp_len, 0);
    assert_int_equal(info.acpi_version, 0);
    assert_false(info.has_load_base);
    assert_false(info.has_basic_meminfo);
}

static void test_everything_together(void **state)
{
    (void)state;
    struct mbi m;
    struct mb2_info info;
    static const struct mb2_mmap_entry map[] = {
        { 0, 0x9FC00, MB2_MEM_AVAILABLE },
        { 0x100000, 0x7EE0000, MB2_MEM_AVAILABLE },
    };
    uint8_t rsdp[36] = "RSD PTR ";

    mbi_init(&m);
    mbi_string(&m, MB2_TAG_CMDLINE, "serial=0x3f8");
    mbi_string(&m, MB2_TAG_LOADER_NAME, "GRUB 2.06");
    mbi_module(&m, 0x200000, 0x300000, "guest");
    mbi_u32s(&m, MB2_TAG_BASIC_MEMINFO, 639, 130048);
    mbi_mmap(&m, 24, map, 2);
    mbi_tag(&m, MB2_TAG_ACPI_NEW, rsdp, sizeof(rsdp));
    mbi_u32s(&m, MB2_TAG_LOAD_BASE, 0x200000, 0);
    mbi_end(&m);
    parse_ok(&m, &info);

    assert_int_equal(info.total_size, m.len);
    assert_string_equal(info.cmdline, "serial=0x3f8");
    assert_string_equal(info.loader_name, "GRUB 2.06");
    assert_int_equal(info.module_count, 1);
    assert_int_equal(info.mmap_count, 2);
    assert_true(info.has_basic_meminfo);
    assert_int_equal(info.acpi_version, 2);
    assert_true(info.has_load_base);
    assert_int_equal(info.load_base, 0x200000);
}

static void test_null_info(void **state)
{
    (void)state;
    struct mb2_info info;
    char err[128];
    memset(&info, 0x5A, sizeof(info));
    assert_int_equal(mb2_parse(NULL, &info, err, sizeof(err)), -1);
    assert_string_equal(err, "multiboot2 info: no boot information (at offset 0)");
    assert_null(info.cmdline);          /* *out cleared even on failure */
    assert_int_equal(info.mmap_count, 0);
}

static void test_misaligned_info(void **state)
{
    (void)state;
    struct mbi m;
    struct mb2_info info;
    char err[128];
    mbi_init(&m);
    mbi_end(&m);
    for (unsigned shift = 1; shift < 8; shift++) {
        assert_int_equal(mb2_parse(mbi_bytes(&m) + shift, &info, err, sizeof(err)), -1);
        assert_string_equal(err, "multiboot2 info: not 8-byte aligned (at offset 0)");
    }
}

static void test_total_size_too_small(void **state)
{
    (void)state;
    struct mbi m;
    mbi_init(&m);
    mbi_end(&m);
    put32(&m, 0, 15);
    parse_fails(&m, "multiboot2 info: total size too small (at offset 0)");
    put32(&m, 0, 0);
    parse_fails(&m, "multiboot2 info: total size too small (at offset 0)");
}

static void test_missing_end_tag(void **state)
{
    (void)state;
    struct mbi m;
    mbi_init(&m);
    mbi_string(&m, MB2_TAG_CMDLINE, "abc");     /* 12 bytes, padded to 16 */
    put32(&m, 0, m.len);                        /* ends right after it */
    parse_fails(&m, "multiboot2 info: missing end tag (at offset 24)");
}

static void test_missing_end_tag_when_padding_runs_past_total(void **state)
{
    (void)state;
    struct mbi m;
    mbi_init(&m);
    mbi_string(&m, MB2_TAG_CMDLINE, "abc");     /* size 12 at offset 8 */
    put32(&m, 0, 8 + 12);                       /* tag fits, padding does not */
    parse_fails(&m, "multiboot2 info: missing end tag (at offset 24)");
}

static void test_missing_end_tag_after_unknown_tag(void **state)
{
    (void)state;
    struct mbi m;
    mbi_init(&m);
    mbi_end(&m);
    put32(&m, 0, 16);
    put32(&m, 4, 0);
    /* A 16-byte buffer whose only tag is not the end tag. */
    put32(&m, 8, 99);
    put32(&m, 12, 8);
    parse_fails(&m, "multiboot2 info: missing end tag (at offset 16)");
}

static void test_tag_size_below_header(void **state)
{
    (void)state;
    struct mbi m;
    mbi_init(&m);
    uint32_t off = mbi_string(&m, MB2_TAG_CMDLINE, "abc");
    mbi_end(&m);
    put32(&m, off + 4, 7);
    parse_fails(&m, "multiboot2 info: tag size out of bounds (at offset 8)");
    put32(&m, off + 4, 0);
    parse_fails(&m, "multiboot2 info: tag size out of bounds (at offset 8)");
}

static void test_tag_size_past_total(void **state)
{
    (void)state;
    struct mbi m;
    mbi_init(&m);
    mbi_string(&m, MB2_TAG_CMDLINE, "abc");
    uint32_t off = mbi_string(&m, MB2_TAG_LOADER_NAME, "x");
    mbi_end(&m);
    put32(&m, off + 4, m.len - off + 1);
    parse_fails(&m, "multiboot2 info: tag size out of bounds (at offset 24)");
    put32(&m, off + 4, 0xFFFFFFFF);
    parse_fails(&m, "multiboot2 info: tag size out of bounds (at offset 24)");
}

static void test_end_tag_with_bad_size(void **state)
{
    (void)state;
    struct mbi m;
    mbi_init(&m);
    mbi_end(&m);
    put32(&m, 12, 4);
    parse_fails(&m, "multiboot2 info: tag size out of bounds (at offset 8)");
}

static void test_error_message_truncated_to_errlen(void **state)
{
    (void)state;
    struct mb2_info info;
    char err[12];
    memset(err, 'x', sizeof(err));
    assert_int_equal(mb2_parse(NULL, &info, err, 10), -1);
    assert_string_equal(err, "multiboot");
    assert_int_equal(err[10], 'x');
}

static void test_no_error_buffer(void **state)
{
    (void)state;
    struct mb2_info info;
    assert_int_equal(mb2_parse(NULL, &info, NULL, 0), -1);
}

/* ---- strings ------------------------------------------------------------ */

static void test_cmdline_and_loader_name(void **state)
{
    (void)state;
    struct mbi m;
    struct mb2_info info;
    mbi_init(&m);
    uint32_t c = mbi_string(&m, MB2_TAG_CMDLINE, "baud=9600 run=\"info; quit\"");
    uint32_t l = mbi_string(&m, MB2_TAG_LOADER_NAME, "GRUB 2.06-13");
    mbi_end(&m);
    parse_ok(&m, &info);
    assert_string_equal(info.cmdline, "baud=9600 run=\"info; quit\"");
    assert_string_equal(info.loader_name, "GRUB 2.06-13");
    /* The strings are not copied: they point into the tags. */
    assert_ptr_equal(info.cmdline, (const char *)mbi_bytes(&m) + c + 8);
    assert_ptr_equal(info.loader_name, (const char *)mbi_bytes(&m) + l + 8);
}

static void test_empty_cmdline(void **state)
{
    (void)state;
    struct mbi m;
    struct mb2_info info;
    mbi_init(&m);
    mbi_string(&m, MB2_TAG_CMDLINE, "");
    mbi_end(&m);
    parse_ok(&m, &info);
    assert_non_null(info.cmdline);
    assert_string_equal(info.cmdline, "");
}

static void test_cmdline_nul_before_tag_end(void **state)
{
    (void)state;
    struct mbi m;
    struct mb2_info info;
    mbi_init(&m);
    mbi_tag(&m, MB2_TAG_CMDLINE, "ab\0cd", 5);
    mbi_end(&m);
    parse_ok(&m, &info);
    assert_string_equal(info.cmdline, "ab");
}

static void test_cmdline_not_terminated(void **state)
{
    (void)state;
    struct mbi m;
    mbi_init(&m);
    /* The padding after the tag is zero, but it is not part of the tag. */
    mbi_tag(&m, MB2_TAG_CMDLINE, "abcd", 4);
    mbi_end(&m);
    parse_fails(&m, "multiboot2 info: command line not terminated (at offset 8)");
}

static void test_cmdline_tag_without_payload(void **state)
{
    (void)state;
    struct mbi m;
    mbi_init(&m);
    mbi_tag(&m, MB2_TAG_CMDLINE, NULL, 0);
    mbi_end(&m);
    parse_fails(&m, "multiboot2 info: command line not terminated (at offset 8)");
}

static void test_loader_name_not_terminated(void **state)
{
    (void)state;
    struct mbi m;
    mbi_init(&m);
    mbi_string(&m, MB2_TAG_CMDLINE, "ok");
    mbi_tag(&m, MB2_TAG_LOADER_NAME, "GRUB", 4);
    mbi_end(&m);
    parse_fails(&m, "multiboot2 info: loader name not terminated (at offset 24)");
}

/* ---- modules ------------------------------------------------------------ */

static void test_modules_in_order(void **state)
{
    (void)state;
    struct mbi m;
    struct mb2_info info;
    mbi_init(&m);
    mbi_module(&m, 0x400000, 0x401234, "bzImage console=ttyS0");
    mbi_module(&m, 0x500000, 0x600000, "initrd");
    mbi_module(&m, 0x700000, 0x700000, "");    /* empty module, empty name */
    mbi_end(&m);
    parse_ok(&m, &info);
    assert_int_equal(info.module_count, 3);
    assert_false(info.modules_truncated);
    assert_int_equal(info.modules[0].start, 0x400000);
    assert_int_equal(info.modules[0].end, 0x401234);
    assert_string_equal(info.modules[0].cmdline, "bzImage console=ttyS0");
    assert_int_equal(info.modules[1].start, 0x500000);
    assert_int_equal(info.modules[1].end, 0x600000);
    assert_string_equal(info.modules[1].cmdline, "initrd");
    assert_int_equal(info.modules[2].start, 0x700000);
    assert_int_equal(info.modules[2].end, 0x700000);
    assert_string_equal(info.modules[2].cmdline, "");
}

static void test_module_addresses_taken_as_given(void **state)
{
    (void)state;
    struct mbi m;
    struct mb2_info info;
    mbi_init(&m);
    mbi_module(&m, 0, 0xFFFFFFFF, "all");
    mbi_end(&m);
    parse_ok(&m, &info);
    assert_int_equal(info.modules[0].start, 0);
    assert_int_equal(info.modules[0].end, 0xFFFFFFFF);
}

static void test_module_ends_before_start(void **state)
{
    (void)state;
    struct mbi m;
    mbi_init(&m);
    mbi_module(&m, 0x500000, 0x4FFFFF, "bad");
    mbi_end(&m);
    parse_fails(&m, "multiboot2 info: module ends before it starts (at offset 8)");
}

static void test_module_tag_too_short(void **state)
{
    (void)state;
    struct mbi m;
    uint32_t p[2] = { 0x1000, 0x2000 };
    mbi_init(&m);
    mbi_tag(&m, MB2_TAG_MODULE, p, sizeof(p));  /* size 16: no string at all */
    mbi_end(&m);
    parse_fails(&m, "multiboot2 info: module tag too short (at offset 8)");
}

static void test_module_cmdline_not_terminated(void **state)
{
    (void)state;
    struct mbi m;
    uint8_t p[12] = { 0 };
    uint32_t s = 0x1000, e = 0x2000;
    memcpy(p, &s, 4);
    memcpy(p + 4, &e, 4);
    memcpy(p + 8, "abcd", 4);
    mbi_init(&m);
    mbi_tag(&m, MB2_TAG_MODULE, p, sizeof(p));
    mbi_end(&m);
    parse_fails(&m, "multiboot2 info: module command line not terminated (at offset 8)");
}

static void test_modules_truncated_at_max(void **state)
{
    (void)state;
    struct mbi m;
    struct mb2_info info;
    mbi_init(&m);
    for (uint32_t i = 0; i < MB2_MAX_MODULES + 2; i++)
        mbi_module(&m, 0x100000 * (i + 1), 0x100000 * (i + 1) + 0x1000, "m");
    mbi_end(&m);
    parse_ok(&m, &info);
    assert_int_equal(info.module_count, MB2_MAX_MODULES);
    assert_true(info.modules_truncated);
    assert_int_equal(info.modules[MB2_MAX_MODULES - 1].start, 0x100000 * MB2_MAX_MODULES);
}

static void test_modules_exactly_max_not_truncated(void **state)
{
    (void)state;
    struct mbi m;
    struct mb2_info info;
    mbi_init(&m);
    for (uint32_t i = 0; i < MB2_MAX_MODULES; i++)
        mbi_module(&m, i, i + 1, "m");
    mbi_end(&m);
    parse_ok(&m, &info);
    assert_int_equal(info.module_count, MB2_MAX_MODULES);
    assert_false(info.modules_truncated);
}

/* ---- basic meminfo ---------------------------------------------------- */

static void test_basic_meminfo(void **state)
{
    (void)state;
    struct mbi m;
    struct mb2_info info;
    mbi_init(&m);
    mbi_u32s(&m, MB2_TAG_BASIC_MEMINFO, 639, 523264);
    mbi_end(&m);
    parse_ok(&m, &info);
    assert_true(info.has_basic_meminfo);
    assert_int_equal(info.mem_lower_kib, 639);
    assert_int_equal(info.mem_upper_kib, 523264);
}

static void test_basic_meminfo_too_short(void **state)
{
    (void)state;
    struct mbi m;
    uint32_t lower = 639;
    mbi_init(&m);
    mbi_tag(&m, MB2_TAG_BASIC_MEMINFO, &lower, 4);
    mbi_end(&m);
    parse_fails(&m, "multiboot2 info: basic memory info tag too short (at offset 8)");
}

/* ---- memory map ----------------------------------------------------------- */

static const struct mb2_mmap_entry sample_map[] = {
    { 0x0, 0x9FC00, MB2_MEM_AVAILABLE },
    { 0x9FC00, 0x400, MB2_MEM_RESERVED },
    { 0x100000, 0x7EE0000, MB2_MEM_AVAILABLE },
    { 0x7FE0000, 0x20000, MB2_MEM_ACPI },
    { 0xFEFFC000, 0x4000, MB2_MEM_NVS },
    { 0x100000000ULL, 0x180000000ULL, MB2_MEM_AVAILABLE },
    { 0x280000000ULL, 0x1000, MB2_MEM_BADRAM },
};
#define SAMPLE_COUNT (sizeof(sample_map) / sizeof(sample_map[0]))

static void assert_sample_map(const struct mb2_info *info)
{
    assert_int_equal(info->mmap_count, SAMPLE_COUNT);
    assert_false(info->mmap_truncated);
    for (unsigned i = 0; i < SAMPLE_COUNT; i++) {
        assert_int_equal(info->mmap[i].base, sample_map[i].base);
        assert_int_equal(info->mmap[i].len, sample_map[i].len);
        assert_int_equal(info->mmap[i].type, sample_map[i].type);
    }
}

static void test_mmap_entries(void **state)
{
    (void)state;
    struct mbi m;
    struct mb2_info info;
    mbi_init(&m);
    mbi_mmap(&m, 24, sample_map, SAMPLE_COUNT);
    mbi_end(&m);
    parse_ok(&m, &info);
    assert_sample_map(&info);
}

static void test_mmap_larger_entries(void **state)
{
    (void)state;
    struct mbi m;
    struct mb2_info info;
    mbi_init(&m);
    mbi_mmap(&m, 32, sample_map, SAMPLE_COUNT);    /* a future, longer entry */
    mbi_end(&m);
    parse_ok(&m, &info);
    assert_sample_map(&info);
}

static void test_mmap_without_entries(void **state)
{
    (void)state;
    struct mbi m;
    struct mb2_info info;
    mbi_init(&m);
    mbi_mmap(&m, 24, NULL, 0);
    mbi_end(&m);
    parse_ok(&m, &info);
    assert_int_equal(info.mmap_count, 0);
}

static void test_mmap_partial_trailing_entry_ignored(void **state)
{
    (void)state;
    struct mbi m;
    struct mb2_info info;
    mbi_init(&m);
    uint32_t off = mbi_mmap(&m, 24, sample_map, 2);
    mbi_end(&m);
    put32(&m, off + 4, 16 + 24 + 23);   /* the second entry is one byte short */
    parse_ok(&m, &info);
    assert_int_equal(info.mmap_count, 1);
    assert_int_equal(info.mmap[0].len, sample_map[0].len);
}

static void test_mmap_tag_too_short(void **state)
{
    (void)state;
    struct mbi m;
    uint32_t entry_size = 24;
    mbi_init(&m);
    mbi_tag(&m, MB2_TAG_MMAP, &entry_size, 4);     /* size 12: no version */
    mbi_end(&m);
    parse_fails(&m, "multiboot2 info: memory map tag too short (at offset 8)");
}

static void test_mmap_bad_entry_size(void **state)
{
    (void)state;
    static const uint32_t bad[] = { 0, 8, 16, 20, 23, 25, 28, 36 };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct mbi m;
        mbi_init(&m);
        mbi_u32s(&m, MB2_TAG_MMAP, bad[i], 0);
        mbi_end(&m);
        parse_fails(&m, "multiboot2 info: memory map entry size invalid (at offset 8)");
    }
}

static void test_mmap_huge_entry_size_reads_nothing(void **state)
{
    (void)state;
    struct mbi m;
    struct mb2_info info;
    mbi_init(&m);
    uint32_t off = mbi_mmap(&m, 24, NULL, 0);     /* size 16: no entries */
    mbi_end(&m);
    /*
     * A multiple of 8 so large that 16 + entry_size wraps around: no entry
     * may be read (it would lie past the tag, and past total_size).
     */
    put32(&m, off + 8, 0xFFFFFFF8);
    parse_ok(&m, &info);
    assert_int_equal(info.mmap_count, 0);
    put32(&m, off + 8, 0x80000000);
    parse_ok(&m, &info);
    assert_int_equal(info.mmap_count, 0);
}

static void test_mmap_several_tags_accumulate(void **state)
{
    (void)state;
    struct mbi m;
    struct mb2_info info;
    mbi_init(&m);
    mbi_mmap(&m, 24, sample_map, 3);
    mbi_mmap(&m, 24, sample_map + 3, SAMPLE_COUNT - 3);
    mbi_end(&m);
    parse_ok(&m, &info);
    assert_sample_map(&info);
}

static void test_mmap_truncated_at_max(void **state)
{
    (void)state;
    struct mbi m;
    struct mb2_info info;
    static struct mb2_mmap_entry big[MB2_MAX_MMAP + 5];
    for (unsigned i = 0; i < MB2_MAX_MMAP + 5; i++)
        big[i] = (struct mb2_mmap_entry){ (uint64_t)i << 20, 1 << 20, 1 + i % 5 };
    mbi_init(&m);
    mbi_mmap(&m, 24, big, MB2_MAX_MMAP + 5);
    mbi_end(&m);
    parse_ok(&m, &info);
    assert_int_equal(info.mmap_count, MB2_MAX_MMAP);
    assert_true(info.mmap_truncated);
    assert_int_equal(info.mmap[MB2_MAX_MMAP - 1].base, (uint64_t)(MB2_MAX_MMAP - 1) << 20);
    assert_int_equal(info.mmap[MB2_MAX_MMAP - 1].type, 1 + (MB2_MAX_MMAP - 1) % 5);
}

static void test_mmap_exactly_max_not_truncated(void **state)
{
    (void)state;
    struct mbi m;
    struct mb2_info info;
    static struct mb2_mmap_entry big[MB2_MAX_MMAP];
    for (unsigned i = 0; i < MB2_MAX_MMAP; i++)
        big[i] = (struct mb2_mmap_entry){ (uint64_t)i << 12, 1 << 12, MB2_MEM_AVAILABLE };
    mbi_init(&m);
    mbi_mmap(&m, 24, big, MB2_MAX_MMAP);
    mbi_end(&m);
    parse_ok(&m, &info);
    assert_int_equal(info.mmap_count, MB2_MAX_MMAP);
    assert_false(info.mmap_truncated);
}

static void test_mmap_truncated_across_tags(void **state)
{
    (void)state;
    struct mbi m;
    struct mb2_info info;
    static struct mb2_mmap_entry big[100];
    for (unsigned i = 0; i < 100; i++)
        big[i] = (struct mb2_mmap_entry){ i, 1, MB2_MEM_RESERVED };
    _Static_assert(MB2_MAX_MMAP > 200 && MB2_MAX_MMAP < 300, "three tags of 100 overflow it");
    mbi_init(&m);
    mbi_mmap(&m, 24, big, 100);
    mbi_mmap(&m, 24, big, 100);
    mbi_mmap(&m, 24, big, 100);
    mbi_end(&m);
    parse_ok(&m, &info);
    assert_int_equal(info.mmap_count, MB2_MAX_MMAP);
    assert_true(info.mmap_truncated);
    assert_int_equal(info.mmap[100].base, 0);      /* first of the second tag */
}

/* ---- ACPI ------------------------------------------------------------------ */

static void test_acpi_old_rsdp(void **state)
{
    (void)state;
    struct mbi m;
    struct mb2_info info;
    uint8_t rsdp[20] = "RSD PTR v1";
    mbi_init(&m);
    uint32_t off = mbi_tag(&m, MB2_TAG_ACPI_OLD, rsdp, sizeof(rsdp));
    mbi_end(&m);
    parse_ok(&m, &info);
    assert_int_equal(info.acpi_version, 1);
    assert_int_equal(info.rsdp_len, 20);
    assert_ptr_equal(info.rsdp, mbi_bytes(&m) + off + 8);
    assert_memory_equal(info.rsdp, rsdp, sizeof(rsdp));
}

static void test_acpi_new_rsdp(void **state)
{
    (void)state;
    struct mbi m;
    struct mb2_info info;
    uint8_t rsdp[36] = "RSD PTR v2";
    mbi_init(&m);
    uint32_t off = mbi_tag(&m, MB2_TAG_ACPI_NEW, rsdp, sizeof(rsdp));
    mbi_end(&m);
    parse_ok(&m, &info);
    assert_int_equal(info.acpi_version, 2);
    assert_int_equal(info.rsdp_len, 36);
    assert_ptr_equal(info.rsdp, mbi_bytes(&m) + off + 8);
}

static void test_acpi_new_preferred_when_after_old(void **state)
{
    (void)state;
    struct mbi m;
    struct mb2_info info;
    uint8_t v1[20] = "v1", v2[36] = "v2";
    mbi_init(&m);
    mbi_tag(&m, MB2_TAG_ACPI_OLD, v1, sizeof(v1));
    uint32_t off = mbi_tag(&m, MB2_TAG_ACPI_NEW, v2, sizeof(v2));
    mbi_end(&m);
    parse_ok(&m, &info);
    assert_int_equal(info.acpi_version, 2);
    assert_int_equal(info.rsdp_len, 36);
    assert_ptr_equal(info.rsdp, mbi_bytes(&m) + off + 8);
}

static void test_acpi_new_preferred_when_before_old(void **state)
{
    (void)state;
    struct mbi m;
    struct mb2_info info;
    uint8_t v1[20] = "v1", v2[36] = "v2";
    mbi_init(&m);
    uint32_t off = mbi_tag(&m, MB2_TAG_ACPI_NEW, v2, sizeof(v2));
    mbi_tag(&m, MB2_TAG_ACPI_OLD, v1, sizeof(v1));
    mbi_end(&m);
    parse_ok(&m, &info);
    assert_int_equal(info.acpi_version, 2);
    assert_int_equal(info.rsdp_len, 36);
    assert_ptr_equal(info.rsdp, mbi_bytes(&m) + off + 8);
}

static void test_acpi_first_old_kept(void **state)
{
    (void)state;
    struct mbi m;
    struct mb2_info info;
    uint8_t a[20] = "first", b[20] = "second";
    mbi_init(&m);
    uint32_t off = mbi_tag(&m, MB2_TAG_ACPI_OLD, a, sizeof(a));
    mbi_tag(&m, MB2_TAG_ACPI_OLD, b, sizeof(b));
    mbi_end(&m);
    parse_ok(&m, &info);
    assert_int_equal(info.acpi_version, 1);
    assert_ptr_equal(info.rsdp, mbi_bytes(&m) + off + 8);
}

static void test_acpi_empty_tag(void **state)
{
    (void)state;
    struct mbi m;
    mbi_init(&m);
    mbi_tag(&m, MB2_TAG_ACPI_OLD, NULL, 0);
    mbi_end(&m);
    parse_fails(&m, "multiboot2 info: ACPI RSDP tag empty (at offset 8)");

    mbi_init(&m);
    mbi_string(&m, MB2_TAG_CMDLINE, "x");
    mbi_tag(&m, MB2_TAG_ACPI_NEW, NULL, 0);
    mbi_end(&m);
    parse_fails(&m, "multiboot2 info: ACPI RSDP tag empty (at offset 24)");
}

/* ---- load base and unknown tags ---------------------------------------- */

static void test_load_base(void **state)
{
    (void)state;
    struct mbi m;
    struct mb2_info info;
    uint32_t lb = 0x1E00000;
    mbi_init(&m);
    mbi_tag(&m, MB2_TAG_LOAD_BASE, &lb, 4);
    mbi_end(&m);
    parse_ok(&m, &info);
    assert_true(info.has_load_base);
    assert_int_equal(info.load_base, 0x1E00000);
}

static void test_load_base_zero_is_present(void **state)
{
    (void)state;
    struct mbi m;
    struct mb2_info info;
    uint32_t lb = 0;
    mbi_init(&m);
    mbi_tag(&m, MB2_TAG_LOAD_BASE, &lb, 4);
    mbi_end(&m);
    parse_ok(&m, &info);
    assert_true(info.has_load_base);
    assert_int_equal(info.load_base, 0);
}

static void test_load_base_too_short(void **state)
{
    (void)state;
    struct mbi m;
    mbi_init(&m);
    mbi_tag(&m, MB2_TAG_LOAD_BASE, "abc", 3);
    mbi_end(&m);
    parse_fails(&m, "multiboot2 info: load base tag too short (at offset 8)");
}

static void test_unknown_tags_skipped(void **state)
{
    (void)state;
    struct mbi m;
    struct mb2_info info;
    uint8_t junk[37];
    memset(junk, 0xFF, sizeof(junk));       /* no NUL anywhere */
    mbi_init(&m);
    mbi_tag(&m, MB2_TAG_FRAMEBUFFER, junk, 22);
    mbi_tag(&m, MB2_TAG_BOOTDEV, junk, 12);
    mbi_tag(&m, 9, junk, 13);               /* ELF sections, odd size */
    mbi_tag(&m, 12345, junk, sizeof(junk));
    mbi_tag(&m, 99, NULL, 0);
    mbi_string(&m, MB2_TAG_CMDLINE, "after");
    mbi_end(&m);
    parse_ok(&m, &info);
    assert_string_equal(info.cmdline, "after");
}

static void test_tags_after_end_tag_ignored(void **state)
{
    (void)state;
    struct mbi m;
    struct mb2_info info;
    mbi_init(&m);
    mbi_tag(&m, MB2_TAG_END, NULL, 0);
    mbi_tag(&m, MB2_TAG_CMDLINE, "abcd", 4);    /* broken, but never reached */
    put32(&m, 0, m.len);
    parse_ok(&m, &info);
    assert_null(info.cmdline);
}

static void test_odd_tag_sizes_are_padded(void **state)
{
    (void)state;
    struct mbi m;
    struct mb2_info info;
    mbi_init(&m);
    mbi_string(&m, MB2_TAG_CMDLINE, "a");               /* size 10 */
    mbi_string(&m, MB2_TAG_LOADER_NAME, "bootldr");     /* size 16 */
    mbi_module(&m, 1, 2, "xyz");                        /* size 20 */
    mbi_u32s(&m, MB2_TAG_BASIC_MEMINFO, 1, 2);
    mbi_end(&m);
    parse_ok(&m, &info);
    assert_string_equal(info.cmdline, "a");
    assert_string_equal(info.loader_name, "bootldr");
    assert_string_equal(info.modules[0].cmdline, "xyz");
    assert_int_equal(info.mem_upper_kib, 2);
}

/* ---- mb2_mem_type_name -------------------------------------------------- */

static void test_mem_type_names(void **state)
{
    (void)state;
    assert_string_equal(mb2_mem_type_name(MB2_MEM_AVAILABLE), "available");
    assert_string_equal(mb2_mem_type_name(MB2_MEM_RESERVED), "reserved");
    assert_string_equal(mb2_mem_type_name(MB2_MEM_ACPI), "acpi");
    assert_string_equal(mb2_mem_type_name(MB2_MEM_NVS), "nvs");
    assert_string_equal(mb2_mem_type_name(MB2_MEM_BADRAM), "badram");
}

static void test_mem_type_name_unknown(void **state)
{
    (void)state;
    assert_string_equal(mb2_mem_type_name(0), "type?");
    assert_string_equal(mb2_mem_type_name(6), "type?");
    assert_string_equal(mb2_mem_type_name(0xFFFFFFFF), "type?");
}

/* ---- UEFI: the EFI memory map and system table tags ------------------------ */

/* OVMF's map in miniature: converted to e820 types, neighbours of one type
 * merged, zero-page descriptors skipped; the source and count said. */
static void test_efi_mmap_converted_and_merged(void **state)
{
    (void)state;
    static const struct efi_desc d[] = {
        { 3, 0x0, 1, EFI_WB | 0xF },            /* boot services code: free */
        { 7, 0x1000, 0x9F, EFI_WB | 0xF },      /* conventional: merges with it */
        { 6, 0xA0000, 0, EFI_WB },              /* no pages: skipped */
        { 0, 0xA0000, 0x60, 0 },                /* reserved */
        { 1, 0x100000, 0x100, EFI_WB },         /* loader code */
        { 2, 0x200000, 0x100, EFI_WB },         /* loader data: merges */
        { 4, 0x300000, 0x100, EFI_WB },         /* boot services data: merges */
        { 9, 0x400000, 0x10, EFI_WB },          /* ACPI reclaim */
        { 10, 0x410000, 0x10, EFI_WB },         /* ACPI NVS */
        { 5, 0x420000, 0x10, EFI_WB | (1ull << 63) },    /* runtime code */
        { 6, 0x430000, 0x10, EFI_WB | (1ull << 63) },    /* runtime data: merges (reserved) */
        { 7, 0x500000, 0x100, 0 },              /* conventional without WB: reserved */
        { 8, 0x600000, 1, EFI_WB },             /* unusable */
        { 14, 0x700000, 0x100, EFI_WB },        /* persistent */
        { 11, 0xFEC00000, 1, 1 },               /* MMIO */
        { 99, 0x800000, 1, EFI_WB },            /* unknown type: reserved */
    };
    struct mbi m;
    struct mb2_info info;
    mbi_init(&m);
    mbi_efi_mmap(&m, 48, d, sizeof(d) / sizeof(d[0]));
    mbi_end(&m);
    parse_ok(&m, &info);
    assert_int_equal(info.mmap_source, MB2_MMAP_EFI);
    assert_true(info.efi);
    assert_int_equal(info.efi_descriptors, 16);
    static const struct mb2_mmap_entry want[] = {
        { 0x0, 0xA0000, MB2_MEM_AVAILABLE },
        { 0xA0000, 0x60000, MB2_MEM_RESERVED },
        { 0x100000, 0x300000, MB2_MEM_AVAILABLE },
        { 0x400000, 0x10000, MB2_MEM_ACPI },
        { 0x410000, 0x10000, MB2_MEM_NVS },
        { 0x420000, 0x20000, MB2_MEM_RESERVED },
        { 0x500000, 0x100000, MB2_MEM_RESERVED },
        { 0x600000, 0x1000, MB2_MEM_BADRAM },
        { 0x700000, 0x100000, MB2_MEM_PMEM },
        { 0xFEC00000, 0x1000, MB2_MEM_RESERVED },
        { 0x800000, 0x1000, MB2_MEM_RESERVED },
    };
    assert_int_equal(info.mmap_count, sizeof(want) / sizeof(want[0]));
    for (unsigned i = 0; i < info.mmap_count; i++) {
        assert_int_equal(info.mmap[i].base, want[i].base);
        assert_int_equal(info.mmap[i].len, want[i].len);
        assert_int_equal(info.mmap[i].type, want[i].type);
    }
    assert_false(info.mmap_truncated);
}

/* GRUB gives both maps on UEFI: the EFI one wins, before or after. */
static void test_efi_mmap_preferred_over_legacy(void **state)
{
    (void)state;
    static const struct efi_desc d[] = { { 7, 0x100000, 0x100, EFI_WB } };
    static const struct mb2_mmap_entry legacy[] = { { 0, 0x9F000, 1 }, { 0x100000, 0x1000, 2 } };
    for (int efi_first = 0; efi_first < 2; efi_first++) {
        struct mbi m;
        struct mb2_info info;
        mbi_init(&m);
        if (efi_first)
            mbi_efi_mmap(&m, 40, d, 1);
        mbi_mmap(&m, 24, legacy, 2);
        if (!efi_first)
            mbi_efi_mmap(&m, 40, d, 1);
        mbi_end(&m);
        parse_ok(&m, &info);
        assert_int_equal(info.mmap_source, MB2_MMAP_EFI);
        assert_int_equal(info.mmap_count, 1);
        assert_int_equal(info.mmap[0].base, 0x100000);
        assert_int_equal(info.mmap[0].len, 0x100000);
        assert_int_equal(info.mmap[0].type, MB2_MEM_AVAILABLE);
    }
}

static void test_legacy_mmap_source(void **state)
{
    (void)state;
    static const struct mb2_mmap_entry legacy[] = { { 0, 0x9F000, 1 } };
    struct mbi m;
    struct mb2_info info;
    mbi_init(&m);
    mbi_mmap(&m, 24, legacy, 1);
    mbi_end(&m);
    parse_ok(&m, &info);
    assert_int_equal(info.mmap_source, MB2_MMAP_LEGACY);
    assert_false(info.efi);
    assert_int_equal(info.efi_system_table, 0);
}

static void test_efi_mmap_bad_inputs(void **state)
{
    (void)state;
    struct mbi m;
    static const struct efi_desc unaligned[] = { { 7, 0x100800, 1, EFI_WB } };
    static const struct efi_desc wraps[] = { { 7, 0xFFFFFFFFFFFFF000ull, 2, EFI_WB } };
    static const struct efi_desc ok[] = { { 7, 0x100000, 1, EFI_WB } };
    mbi_init(&m);
    mbi_efi_mmap(&m, 36, ok, 1);
    mbi_end(&m);
    parse_fails(&m, "multiboot2 info: EFI memory descriptor size invalid (at offset 8)");
    mbi_init(&m);
    mbi_efi_mmap(&m, 44, ok, 1);
    mbi_end(&m);
    parse_fails(&m, "multiboot2 info: EFI memory descriptor size invalid (at offset 8)");
    mbi_init(&m);
    mbi_efi_mmap(&m, 48, unaligned, 1);
    mbi_end(&m);
    parse_fails(&m, "multiboot2 info: EFI memory descriptor out of range (at offset 24)");
    mbi_init(&m);
    mbi_efi_mmap(&m, 48, wraps, 1);
    mbi_end(&m);
    parse_fails(&m, "multiboot2 info: EFI memory descriptor out of range (at offset 24)");
    mbi_init(&m);
    mbi_tag(&m, MB2_TAG_EFI_MMAP, "\x30\0\0", 3);
    mbi_end(&m);
    parse_fails(&m, "multiboot2 info: EFI memory map tag too short (at offset 8)");
}

/* A trailing partial descriptor is no descriptor; an empty map is empty. */
static void test_efi_mmap_partial_and_empty(void **state)
{
    (void)state;
    static const struct efi_desc d[] = { { 7, 0x100000, 1, EFI_WB }, { 7, 0x300000, 1, EFI_WB } };
    struct mbi m;
    struct mb2_info info;
    mbi_init(&m);
    uint32_t off = mbi_efi_mmap(&m, 48, d, 2);
    put32(&m, off + 4, 8 + 8 + 48 + 40);      /* the second cut short */
    m.len = off + 8 + 8 + 48 + 40;
    mbi_end(&m);
    parse_ok(&m, &info);
    assert_int_equal(info.efi_descriptors, 1);
    assert_int_equal(info.mmap_count, 1);
    mbi_init(&m);
    mbi_efi_mmap(&m, 48, d, 0);
    mbi_end(&m);
    parse_ok(&m, &info);
    assert_int_equal(info.mmap_source, MB2_MMAP_EFI);
    assert_int_equal(info.mmap_count, 0);
}

/* More separate regions than mmap[] holds: the rest are counted, dropped. */
static void test_efi_mmap_truncated(void **state)
{
    (void)state;
    static struct efi_desc d[MB2_MAX_MMAP + 4];
    for (unsigned i = 0; i < MB2_MAX_MMAP + 4; i++)     /* gaps between: nothing merges */
        d[i] = (struct efi_desc){ 7, (uint64_t)i << 21, 1, EFI_WB };
    struct mbi m;
    struct mb2_info info;
    mbi_init(&m);
    mbi_efi_mmap(&m, 40, d, MB2_MAX_MMAP + 4);
    mbi_end(&m);
    parse_ok(&m, &info);
    assert_int_equal(info.efi_descriptors, MB2_MAX_MMAP + 4);
    assert_int_equal(info.mmap_count, MB2_MAX_MMAP);
    assert_true(info.mmap_truncated);
    assert_int_equal(info.mmap[MB2_MAX_MMAP - 1].base, (uint64_t)(MB2_MAX_MMAP - 1) << 21);
}

static void test_efi64_system_table_and_boot_services(void **state)
{
    (void)state;
    struct mbi m;
    struct mb2_info info;
    uint64_t st = 0x7F9EE018;
    mbi_init(&m);
    mbi_tag(&m, MB2_TAG_EFI64, &st, 8);
    mbi_end(&m);
    parse_ok(&m, &info);
    assert_true(info.efi);
    assert_int_equal(info.efi_system_table, st);
    assert_false(info.efi_boot_services);
    mbi_init(&m);
    mbi_tag(&m, MB2_TAG_EFI64, &st, 4);
    mbi_end(&m);
    parse_fails(&m, "multiboot2 info: EFI64 system table tag too short (at offset 8)");
    mbi_init(&m);
    mbi_tag(&m, MB2_TAG_EFI_BS, NULL, 0);
    mbi_end(&m);
    parse_ok(&m, &info);
    assert_true(info.efi && info.efi_boot_services);
    uint32_t st32 = 0x7F000000;
    mbi_init(&m);
    mbi_tag(&m, MB2_TAG_EFI32, &st32, 4);
    mbi_end(&m);
    parse_ok(&m, &info);
    assert_true(info.efi);
    assert_int_equal(info.efi_system_table, 0);
}

static void test_efi_type_table(void **state)
{
    (void)state;
    static const uint32_t want[16] = {
        MB2_MEM_RESERVED, MB2_MEM_AVAILABLE, MB2_MEM_AVAILABLE, MB2_MEM_AVAILABLE,
        MB2_MEM_AVAILABLE, MB2_MEM_RESERVED, MB2_MEM_RESERVED, MB2_MEM_AVAILABLE,
        MB2_MEM_BADRAM, MB2_MEM_ACPI, MB2_MEM_NVS, MB2_MEM_RESERVED,
        MB2_MEM_RESERVED, MB2_MEM_RESERVED, MB2_MEM_PMEM, MB2_MEM_RESERVED,
    };
    for (uint32_t t = 0; t < 16; t++)
        assert_int_equal(mb2_efi_type(t, EFI_WB), want[t]);
    for (uint32_t t = 1; t <= 7; t++)   /* free only when write-back */
        if (want[t] == MB2_MEM_AVAILABLE)
            assert_int_equal(mb2_efi_type(t, 0), MB2_MEM_RESERVED);
    assert_int_equal(mb2_efi_type(0x80000000u, EFI_WB), MB2_MEM_RESERVED);  /* OEM */
    assert_string_equal(mb2_mem_type_name(MB2_MEM_PMEM), "pmem");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_minimal_info_is_empty),
        cmocka_unit_test(test_everything_together),
        cmocka_unit_test(test_null_info),
        cmocka_unit_test(test_misaligned_info),
        cmocka_unit_test(test_total_size_too_small),
        cmocka_unit_test(test_missing_end_tag),
        cmocka_unit_test(test_missing_end_tag_when_padding_runs_past_total),
        cmocka_unit_test(test_missing_end_tag_after_unknown_tag),
        cmocka_unit_test(test_tag_size_below_header),
        cmocka_unit_test(test_tag_size_past_total),
        cmocka_unit_test(test_end_tag_with_bad_size),
        cmocka_unit_test(test_error_message_truncated_to_errlen),
        cmocka_unit_test(test_no_error_buffer),
        cmocka_unit_test(test_cmdline_and_loader_name),
        cmocka_unit_test(test_empty_cmdline),
        cmocka_unit_test(test_cmdline_nul_before_tag_end),
        cmocka_unit_test(test_cmdline_not_terminated),
        cmocka_unit_test(test_cmdline_tag_without_payload),
        cmocka_unit_test(test_loader_name_not_terminated),
        cmocka_unit_test(test_modules_in_order),
        cmocka_unit_test(test_module_addresses_taken_as_given),
        cmocka_unit_test(test_module_ends_before_start),
        cmocka_unit_test(test_module_tag_too_short),
        cmocka_unit_test(test_module_cmdline_not_terminated),
        cmocka_unit_test(test_modules_truncated_at_max),
        cmocka_unit_test(test_modules_exactly_max_not_truncated),
        cmocka_unit_test(test_basic_meminfo),
        cmocka_unit_test(test_basic_meminfo_too_short),
        cmocka_unit_test(test_mmap_entries),
        cmocka_unit_test(test_mmap_larger_entries),
        cmocka_unit_test(test_mmap_without_entries),
        cmocka_unit_test(test_mmap_partial_trailing_entry_ignored),
        cmocka_unit_test(test_mmap_tag_too_short),
        cmocka_unit_test(test_mmap_bad_entry_size),
        cmocka_unit_test(test_mmap_huge_entry_size_reads_nothing),
        cmocka_unit_test(test_mmap_several_tags_accumulate),
        cmocka_unit_test(test_mmap_truncated_at_max),
        cmocka_unit_test(test_efi_mmap_converted_and_merged),
        cmocka_unit_test(test_efi_mmap_preferred_over_legacy),
        cmocka_unit_test(test_legacy_mmap_source),
        cmocka_unit_test(test_efi_mmap_bad_inputs),
        cmocka_unit_test(test_efi_mmap_partial_and_empty),
        cmocka_unit_test(test_efi_mmap_truncated),
        cmocka_unit_test(test_efi64_system_table_and_boot_services),
        cmocka_unit_test(test_efi_type_table),
        cmocka_unit_test(test_mmap_exactly_max_not_truncated),
        cmocka_unit_test(test_mmap_truncated_across_tags),
        cmocka_unit_test(test_acpi_old_rsdp),
        cmocka_unit_test(test_acpi_new_rsdp),
        cmocka_unit_test(test_acpi_new_preferred_when_after_old),
        cmocka_unit_test(test_acpi_new_preferred_when_before_old),
        cmocka_unit_test(test_acpi_first_old_kept),
        cmocka_unit_test(test_acpi_empty_tag),
        cmocka_unit_test(test_load_base),
        cmocka_unit_test(test_load_base_zero_is_present),
        cmocka_unit_test(test_load_base_too_short),
        cmocka_unit_test(test_unknown_tags_skipped),
        cmocka_unit_test(test_tags_after_end_tag_ignored),
        cmocka_unit_test(test_odd_tag_sizes_are_padded),
        cmocka_unit_test(test_mem_type_names),
        cmocka_unit_test(test_mem_type_name_unknown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
