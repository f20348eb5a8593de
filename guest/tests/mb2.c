/*
 * mb2.c - a Multiboot2 guest (GNUmakefile: MB2_GUESTS): checks the
 * handshake and the boot information monovisor builds for it, against the
 * Multiboot2 specification 2.0 (3.2 machine state, 3.6 boot information):
 * the magic in EAX, every tag well formed and 8-byte aligned, the total
 * size, the command line, the loader name, the modules with their bytes,
 * the memory map (our image is RAM, the hypervisor's region is not), the
 * basic memory information, the ACPI RSDP copies and the load base, and
 * on a UEFI machine the EFI memory map (the same regions as the memory
 * map; no EFI system table: the guest gets no runtime services).
 * Arguments: mod_len=N (the module's length; its bytes are (i * 7 + 3) mod
 * 256, as tests/boot/test_multiboot2.py writes them), modules=N (default 1),
 * efi=1 (the machine booted through UEFI: the EFI map is expected).
 * Prints lines the boot test compares and "N passed, N failed".
 */
#include "../sdk/sdk.h"
#include "../../drivers/acpi_tables.h"
#include "../../kernel/kstring.h"

extern char sdk_image_start[], sdk_image_end[];     /* guest/sdk/link.ld */

#define TAG_END 0
#define TAG_CMDLINE 1
#define TAG_LOADER 2
#define TAG_MODULE 3
#define TAG_MEMINFO 4
#define TAG_MMAP 6
#define TAG_ACPI_OLD 14
#define TAG_ACPI_NEW 15
#define TAG_EFI32 11
#define TAG_EFI64 12
#define TAG_EFI_MMAP 17
#define TAG_LOAD_BASE 21

static const uint8_t *info;
static uint32_t total;

/* A string inside a tag: NUL-terminated before the tag's end. */
static bool tag_string_ok(const uint32_t *t, uint32_t at)
{
    const char *s = (const char *)t + at;
    for (uint32_t i = 0; at + i < t[1]; i++)
        if (!s[i])
            return true;
    return false;
}

/* Walk every tag: aligned, sized, inside total_size, the end tag last. */
static void check_tags(void)
{
    uint32_t off = 8, count = 0, end_at = 0;
    bool ok = true;
    while (off + 8 <= total) {
        const uint32_t *t = (const uint32_t *)(info + off);
        if (off % 8 || t[1] < 8 || t[1] > total - off) {
            sdk_printf("mb2: bad tag type=%u size=%u at %u\n", t[0], t[1], off);
            ok = false;
            break;
        }
        count++;
        if ((t[0] == TAG_CMDLINE || t[0] == TAG_LOADER) && !tag_string_ok(t, 8))
            ok = false;
        if (t[0] == TAG_MODULE && (t[1] < 17 || !tag_string_ok(t, 16)))
            ok = false;
        if (t[0] == TAG_END) {
            end_at = off;
            break;
        }
        off += (t[1] + 7) & ~7u;
    }
    sdk_checkf(ok, "every tag 8-byte aligned, sized, strings terminated (%u tags)", count);
    sdk_checkf(end_at && end_at + 8 == total && ((const uint32_t *)(info + end_at))[1] == 8,
               "end tag (size 8) closes total_size %u", total);
}

/* Memory map queries. */
struct ram_query {
    uint64_t base, len;
    bool covered;           /* [base, base+len) inside one available entry */
    bool overlaps_ram;      /* some available entry overlaps it */
};

static void query_fn(uint64_t base, uint64_t len, uint32_t type, void *ctx)
{
    struct ram_query *q = ctx;
    if (type != 1)
        return;
    if (base <= q->base && base + len >= q->base + q->len)
        q->covered = true;
    if (base < q->base + q->len && q->base < base + len)
        q->overlaps_ram = true;
}

static struct ram_query query(uint64_t base, uint64_t len)
{
    struct ram_query q = { base, len, false, false };
    sdk_memory_map(query_fn, &q);
    return q;
}

struct map_walk {
    unsigned n;
    uint64_t prev_end;
    bool sorted;
    uint64_t lower, upper;   /* contiguous available bytes from 0 and from 1 MiB */
};

static void walk_fn(uint64_t base, uint64_t len, uint32_t type, void *ctx)
{
    struct map_walk *w = ctx;
    if (w->n++ && base < w->prev_end)
        w->sorted = false;
    w->prev_end = base + len;
    if (type != 1)
        return;
    if (base <= w->lower && base + len > w->lower)
        w->lower = base + len;
    if (base <= (1u << 20) + w->upper && base + len > (1u << 20) + w->upper)
        w->upper = base + len - (1u << 20);
}

static void check_memory(void)
{
    const uint32_t *t = sdk_mb2_tag(TAG_MMAP);
    sdk_check(t && t[2] == 24 && t[3] == 0 && (t[1] - 16) % 24 == 0,
              "memory map tag: entry_size 24, entry_version 0");
    struct map_walk w = { 0, 0, true, 0, 0 };
    sdk_memory_map(walk_fn, &w);
    sdk_checkf(w.n > 0 && w.sorted, "memory map: %u entries, sorted, not overlapping", w.n);
    /* Our image, the information and the stack are RAM. */
    uint32_t img = (uint32_t)sdk_image_start, img_end = (uint32_t)sdk_image_end;
    sdk_checkf(query(img, img_end - img).covered, "memory map: our image [%#x, %#x) is RAM", img,
               img_end);
    sdk_checkf(query(sdk_mb_info, total).covered, "memory map: the information at %#x is RAM",
               sdk_mb_info);
    sdk_check(sdk_mb_info >= img_end || sdk_mb_info + total <= img,
              "the information does not overlap our image");
    /* The hypervisor's region is reserved, never RAM; a hypercall pointed
     * at it is refused. */
    uint64_t hv_len, hv = sdk_hypervisor_region(&hv_len);
    sdk_printf("mb2: hv_region base=%#llx end=%#llx\n", (unsigned long long)hv,
               (unsigned long long)(hv + hv_len));
    sdk_checkf(hv && !query(hv, hv_len).overlaps_ram,
               "memory map: the hypervisor's region [%#llx, %#llx) is reserved, not RAM",
               (unsigned long long)hv, (unsigned long long)(hv + hv_len));
    long r = sdk_hypercall(HC_PUTS, (long)(uint32_t)hv, 16, 0, 0);
    sdk_checkf(r == HC_EFAULT, "the hypervisor refuses its region as guest memory (got %ld)", r);
    /* Basic memory information (3.6.3) agrees with the map. */
    t = sdk_mb2_tag(TAG_MEMINFO);
    uint64_t lower = w.lower > (640u << 10) ? (640u << 10) : w.lower;
    sdk_checkf(t && t[1] == 16 && t[2] == lower >> 10 && t[3] == w.upper >> 10,
               "basic meminfo lower=%u upper=%u KiB matches the map (%llu, %llu)", t ? t[2] : 0,
               t ? t[3] : 0, (unsigned long long)(lower >> 10),
               (unsigned long long)(w.upper >> 10));
}

/* A region inside one memory map entry of type. */
struct type_query {
    uint64_t base, len;
    uint32_t type;
    bool covered;
};

static void type_fn(uint64_t base, uint64_t len, uint32_t type, void *ctx)
{
    struct type_query *q = ctx;
    if (type == q->type && base <= q->base && base + len >= q->base + q->len)
        q->covered = true;
}

/* The e820 type an EFI memory type stands for (as Linux's and GRUB's
 * conversions do; UEFI 2.10, 7.2). */
static uint32_t efi_e820(uint32_t type, uint64_t attr)
{
    switch (type) {
    case 1: case 2: case 3: case 4: case 7:     /* loader, boot services, conventional */
        return (attr & 8) ? 1 : 2;
    case 8: return 5;       /* unusable */
    case 9: return 3;       /* ACPI reclaim */
    case 10: return 4;      /* ACPI NVS */
    case 14: return 7;      /* persistent */
    default: return 2;
    }
}

static void check_efi_map(void)
{
    const uint32_t *t = sdk_mb2_tag(TAG_EFI_MMAP);
    bool want = sdk_arg("efi", 0);
    sdk_checkf(!t == !want, "EFI memory map tag %s", want ? "present (UEFI)" : "absent (BIOS)");
    sdk_check(!sdk_mb2_tag(TAG_EFI32) && !sdk_mb2_tag(TAG_EFI64),
              "no EFI system table tag: no runtime services");
    if (!t)
        return;
    uint32_t dsize = t[2], n = 0, bad = 0, conventional_hv = 0;
    sdk_checkf(dsize >= 40 && dsize % 8 == 0 && t[3] == 1 && (t[1] - 16) % dsize == 0,
               "EFI map: descriptor size %u, version %u", dsize, t[3]);
    if (dsize < 40)
        return;
    uint64_t hv_len, hv = sdk_hypervisor_region(&hv_len);
    for (uint32_t off = 16; off + dsize <= t[1]; off += dsize, n++) {
        const uint8_t *e = (const uint8_t *)t + off;
        uint32_t type = *(const uint32_t *)e;
        uint64_t start, pages, attr;
        memcpy(&start, e + 8, 8);
        memcpy(&pages, e + 24, 8);
        memcpy(&attr, e + 32, 8);
        uint64_t len = pages << 12;
        struct type_query q = { start, len, efi_e820(type, attr), false };
        sdk_memory_map(type_fn, &q);
        if ((start & 0xFFF) || !pages || !q.covered) {
            sdk_printf("mb2: efi descriptor type=%u start=%#llx pages=%llu not in the map\n", type,
                       (unsigned long long)start, (unsigned long long)pages);
            bad++;
        }
        if (type == 7 && start < hv + hv_len && hv < start + len)
            conventional_hv++;
    }
    sdk_checkf(n > 0 && !bad, "EFI map: %u descriptors, each the memory map's region and type", n);
    sdk_checkf(!conventional_hv, "EFI map: the hypervisor's region is not conventional memory");
    sdk_printf("mb2: efi_map descriptors=%u\n", n);
}

static void check_strings(void)
{
    const uint32_t *t = sdk_mb2_tag(TAG_CMDLINE);
    sdk_check(t != 0, "command line tag present");
    sdk_printf("mb2: cmdline=\"%s\"\n", sdk_cmdline());
    t = sdk_mb2_tag(TAG_LOADER);
    const char *name = t ? (const char *)(t + 2) : "";
    sdk_checkf(!strcmp(name, "monovisor"), "boot loader name \"%s\"", name);
    t = sdk_mb2_tag(TAG_LOAD_BASE);
    sdk_checkf(t && t[1] == 12 && t[2] == (uint32_t)sdk_image_start,
               "load base %#x is our image's start",
               t ? t[2] : 0);
}

static void check_modules(void)
{
    uint32_t want = sdk_arg("modules", 1), mod_len = sdk_arg("mod_len", 0), n = 0;
    for (uint32_t off = 8; off + 8 <= total;) {
        const uint32_t *t = (const uint32_t *)(info + off);
        if (t[0] == TAG_END || t[1] < 8)
            break;
        if (t[0] == TAG_MODULE) {
            uint32_t start = t[2], end = t[3];
            const char *cl = (const char *)(t + 4);
            sdk_printf("mb2: module start=%#x end=%#x cmdline=\"%s\"\n", start, end, cl);
            sdk_checkf(!(start & 0xFFF) && end >= start, "module %u page aligned [%#x, %#x)", n,
                       start, end);
            sdk_checkf(query(start, end - start ? end - start : 1).covered,
                       "module %u is RAM", n);
            sdk_check(end <= (uint32_t)sdk_image_start || start >= (uint32_t)sdk_image_end,
                      "module does not overlap our image");
            sdk_check(end <= sdk_mb_info || start >= sdk_mb_info + total,
                      "module does not overlap the information");
            if (n == 0) {
                const uint8_t *p = (const uint8_t *)start;
                uint32_t bad = 0;
                for (uint32_t i = 0; i < end - start; i++)
                    bad += p[i] != (uint8_t)(i * 7 + 3);
                sdk_checkf(end - start == mod_len && !bad,
                           "module 0: %u bytes as written (%u expected, %u differ)", end - start,
                           mod_len, bad);
            }
            n++;
        }
        off += (t[1] + 7) & ~7u;
    }
    sdk_checkf(n == want, "%u module tags (%u expected)", n, want);
}

static uint8_t byte_sum(const uint8_t *p, uint32_t len)
{
    uint8_t s = 0;
    for (uint32_t i = 0; i < len; i++)
        s = (uint8_t)(s + p[i]);
    return s;
}

static void check_acpi(void)
{
    const uint32_t *old = sdk_mb2_tag(TAG_ACPI_OLD), *new = sdk_mb2_tag(TAG_ACPI_NEW);
    sdk_check(old || new, "an ACPI RSDP tag");
    size_t fw_len = 0;
    const uint8_t *fw = sdk_find_rsdp(&fw_len);
    if (old) {
        const uint8_t *r = (const uint8_t *)(old + 2);
        sdk_check(old[1] >= 28 && !memcmp(r, "RSD PTR ", 8) && byte_sum(r, 20) == 0,
                  "old RSDP tag: signature and checksum");
        sdk_check(fw && !memcmp(r, fw, 20), "old RSDP tag: the firmware's RSDP");
    }
    if (new) {
        const uint8_t *r = (const uint8_t *)(new + 2);
        uint32_t len = *(const uint32_t *)(r + 20);
        sdk_check(new[1] >= 8 + 36 && r[15] >= 2 && len >= 36 && len <= new[1] - 8 &&
                      byte_sum(r, 20) == 0 && byte_sum(r, len) == 0,
                  "new RSDP tag: revision 2+, both checksums");
    }
    sdk_printf("mb2: acpi old=%d new=%d firmware_len=%u\n", old != 0, new != 0, (unsigned)fw_len);
    /* The serial console the SPCR names (acpi_parse checks its checksum):
     * under monovisor, the guest's own UART. */
    static struct acpi_info ai;
    char err[96];
    if (fw && acpi_parse(fw, fw_len, sdk_phys_map, 0, 0, &ai, err, sizeof(err)) == 0 && ai.spcr.present)
        sdk_printf("mb2: spcr interface=%#x space=%u address=%#llx irq=%u pci=%04x\n",
                   ai.spcr.interface, ai.spcr.space, (unsigned long long)ai.spcr.address,
                   ai.spcr.irq, ai.spcr.pci_vendor);
}

int main(void)
{
    sdk_puts("mb2: start\n");
    sdk_checkf(sdk_mb_magic == SDK_MB2_MAGIC, "multiboot2 magic in eax (%#x)", sdk_mb_magic);
    info = (const uint8_t *)sdk_mb_info;
    total = info ? *(const uint32_t *)info : 0;
    sdk_checkf(info && !(sdk_mb_info & 7) && total >= 16 && ((const uint32_t *)info)[1] == 0,
               "information at %#x: 8-byte aligned, total_size %u, reserved 0", sdk_mb_info, total);
    if (sdk_failed())
        sdk_finish();
    uint32_t cr0;
    __asm__ volatile("mov %%cr0, %0" : "=r"(cr0));
    sdk_checkf((cr0 & 0x80000001u) == 1, "protected mode, paging off (cr0=%#x)", cr0);
    check_tags();
    check_strings();
    check_modules();
    check_memory();
    check_efi_map();
    check_acpi();
    sdk_finish();
}
