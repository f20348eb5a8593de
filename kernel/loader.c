/*
 * loader.c - guest image stash, guest memory map, and the loaders for
 * Multiboot (v1) and Multiboot2 kernels and Linux bzImages. Parsing and
 * placement are in kernel/mb1.c, kernel/mb2_image.c, kernel/image.c and
 * kernel/bzimage.c; this file copies bytes.
 */
#include "loader.h"

#include "bzimage.h"
#include "hv.h"
#include "kstring.h"
#include "mb1.h"
#include "mb2_image.h"
#include "mem.h"
#include "printk.h"

#define STASH_ALIGN  (2ull << 20)       /* keep the region 2 MiB aligned for EPT */
#define LOW_LIMIT    0xA0000ull         /* conventional memory ends here */
#define MB1_INFO_SIZE 0x1000ull

static struct memmap gmap, fwmap;
static bool have_guest;

/* Module command lines are copied out of the boot information, which the
 * stash may overwrite. */
static char module_cmdlines[MB2_MAX_MODULES][256];

const struct memmap *guest_memmap(void)
{
    return &gmap;
}

const struct memmap *firmware_memmap(void)
{
    return &fwmap;
}

bool loader_have_guest(void)
{
    return have_guest;
}

static bool overlaps(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
    return a < b + blen && b < a + alen;
}

int loader_stash_modules(uint64_t mem_limit)
{
    struct mb2_info *mb = &hv.mb;
    uint64_t total = 0;
    for (unsigned i = 0; i < mb->module_count; i++) {
        const char *src = mb->modules[i].cmdline;
        size_t n = strlen(src);
        if (n >= sizeof(module_cmdlines[i]))
            n = sizeof(module_cmdlines[i]) - 1;
        memcpy(module_cmdlines[i], src, n);
        module_cmdlines[i][n] = '\0';
        mb->modules[i].cmdline = module_cmdlines[i];
        total += (mb->modules[i].end - mb->modules[i].start + 4095) & ~4095ull;
    }
    if (total) {
        struct hv_region r = hv_region();
        uint64_t size = (total + STASH_ALIGN - 1) & ~(STASH_ALIGN - 1);
        uint64_t start = r.start - size;
        struct memmap fw;
        memmap_guest_view(mb->mmap, mb->mmap_count, 0, 0, &fw);
        if (size > r.start || !memmap_is_ram(&fw, start, size)) {
            kprintf("error: loader: no room for %llu KiB of modules below the hypervisor at %#llx\n",
                    (unsigned long long)(total >> 10), (unsigned long long)r.start);
            return -1;
        }
        uint64_t dst = start;
        for (unsigned i = 0; i < mb->module_count; i++) {
            struct mb2_module *m = &mb->modules[i];
            uint64_t len = m->end - m->start;
            for (unsigned j = i + 1; j < mb->module_count; j++)
                if (overlaps(dst, len, mb->modules[j].start, mb->modules[j].end - mb->modules[j].start)) {
                    kprintf("error: loader: modules overlap the stash below the hypervisor; "
                            "give the machine more memory\n");
                    return -1;
                }
            memmove(phys_ptr(dst), phys_ptr(m->start), len);
            m->start = dst;
            m->end = dst + len;
            dst += (len + 4095) & ~4095ull;
        }
        mem_extend_down(start);
    }
    struct hv_region r = hv_region();
    memmap_guest_view(mb->mmap, mb->mmap_count, 0, 0, &fwmap);
    memmap_guest_view(mb->mmap, mb->mmap_count, r.start, r.end, &gmap);
    if (mem_limit) {
        uint64_t kept = memmap_limit_ram(&gmap, mem_limit);
        kprintf("guest.mem limit_kib=%llu ram_kib=%llu\n", (unsigned long long)(mem_limit >> 10),
                (unsigned long long)(kept >> 10));
    }
    have_guest = mb->module_count > 0;
    return 0;
}

void *guest_ptr(uint64_t gpa, uint64_t len)
{
    if (gpa + len < gpa || gpa + len > (4ull << 30) || !memmap_is_ram(&gmap, gpa, len))
        return 0;
    return phys_ptr(gpa);
}

/* Free guest RAM of size bytes, page aligned, that no segment of l and no
 * module uses: in conventional memory if it fits there, else after the
 * image or a module. 0 when there is none. */
static uint64_t find_free(uint64_t size, const struct image_layout *l,
                          const struct mb2_boot_module *mods, unsigned nmods)
{
    uint64_t cand[LOW_LIMIT / 4096 + IMAGE_MAX_SEGMENTS + MB2_MAX_MODULES];
    unsigned n = 0;
    for (uint64_t p = 0x1000; p + size <= LOW_LIMIT; p += 0x1000)
        cand[n++] = p;
    for (unsigned i = 0; i < l->nseg; i++)
        cand[n++] = (l->seg[i].dest + l->seg[i].memsz + 4095) & ~4095ull;
    for (unsigned i = 0; i < nmods; i++)
        cand[n++] = ((uint64_t)mods[i].end + 4095) & ~4095ull;
    for (unsigned c = 0; c < n; c++) {
        uint64_t p = cand[c];
        bool used = !guest_ptr(p, size);
        for (unsigned i = 0; i < l->nseg && !used; i++)
            used = overlaps(p, size, l->seg[i].dest, l->seg[i].memsz);
        for (unsigned i = 0; i < nmods && !used; i++)
            used = overlaps(p, size, mods[i].start, mods[i].end - mods[i].start);
        if (!used)
            return p;
    }
    return 0;
}

/* Copy the segments of l into guest memory (each must be guest RAM).
 * Returns the end of the highest one, or 0 after printing why not. */
static uint64_t copy_segments(const uint8_t *img, const struct image_layout *l)
{
    uint64_t top = 0;
    for (unsigned i = 0; i < l->nseg; i++) {
        const struct image_segment *s = &l->seg[i];
        uint8_t *dst = guest_ptr(s->dest, s->memsz);
        if (!dst) {
            kprintf("error: loader: segment %u [%#llx, %#llx) is not in guest RAM "
                    "(or overlaps the hypervisor)\n", i, (unsigned long long)s->dest,
                    (unsigned long long)(s->dest + s->memsz));
            return 0;
        }
        memcpy(dst, img + s->offset, s->filesz);
        memset(dst + s->filesz, 0, s->memsz - s->filesz);
        if (s->dest + s->memsz > top)
            top = s->dest + s->memsz;
    }
    return top;
}

/* The further boot modules become the guest's modules, copied page
 * aligned from at on (Multiboot 0.6.96 3.3, Multiboot2 3.6.6). Returns how
 * many, or -1 after printing why not. */
static int copy_modules(uint64_t at, struct mb2_boot_module *out)
{
    unsigned n = 0;
    at = (at + 4095) & ~4095ull;
    for (unsigned i = 1; i < hv.mb.module_count; i++) {
        const struct mb2_module *m = &hv.mb.modules[i];
        uint64_t mlen = m->end - m->start;
        void *dst = guest_ptr(at, mlen ? mlen : 1);
        if (!dst) {
            kprintf("error: loader: module %u (%llu bytes) does not fit in guest RAM at %#llx\n", i,
                    (unsigned long long)mlen, (unsigned long long)at);
            return -1;
        }
        memcpy(dst, phys_ptr(m->start), mlen);
        out[n++] = (struct mb2_boot_module){ (uint32_t)at, (uint32_t)(at + mlen), m->cmdline };
        at = (at + mlen + 4095) & ~4095ull;
    }
    return (int)n;
}

struct mb1_info_writer {
    uint8_t *base;
    uint64_t gpa;
    uint64_t pos;
};

static uint64_t put_bytes(struct mb1_info_writer *w, const void *src, uint64_t n)
{
    uint64_t at = w->pos;
    memcpy(w->base + at, src, n);
    w->pos = (w->pos + n + 7) & ~7ull;
    return w->gpa + at;
}

static int load_mb1(const uint8_t *img, uint64_t len, struct guest_start *start)
{
    struct mb1_image mi;
    char err[120];
    if (mb1_parse(img, len, &mi, err, sizeof(err))) {
        kprintf("error: loader: %s\n", err);
        return -1;
    }
    uint64_t top = copy_segments(img, &mi.layout);
    if (!top)
        return -1;
    struct mb2_boot_module placed[MB2_MAX_MODULES];
    int nmods = copy_modules(top, placed);
    if (nmods < 0)
        return -1;

    uint64_t info_gpa = find_free(MB1_INFO_SIZE, &mi.layout, placed, (unsigned)nmods);
    if (!info_gpa) {
        kprintf("error: loader: no free page in guest RAM for the Multiboot information\n");
        return -1;
    }
    struct mb1_info_writer w = { phys_ptr(info_gpa), info_gpa, 128 };
    uint32_t *info = (uint32_t *)w.base;
    memset(info, 0, MB1_INFO_SIZE);

    /* Multiboot information (0.6.96, 3.3): memory, cmdline, modules, mmap, name. */
    uint32_t flags = (1u << 0) | (1u << 2) | (1u << 6) | (1u << 9);
    memmap_lower_upper_kib(&gmap, &info[1], &info[2]);
    const char *cl = hv.mb.modules[0].cmdline;
    info[4] = (uint32_t)put_bytes(&w, cl, strlen(cl) + 1);
    info[16] = (uint32_t)put_bytes(&w, "monovisor", 10);

    uint64_t mmap_start = w.pos;
    for (unsigned i = 0; i < gmap.n; i++) {
        struct __attribute__((packed)) { uint32_t size; uint64_t base, len; uint32_t type; } e = {
            20, gmap.e[i].base, gmap.e[i].len, gmap.e[i].type };
        memcpy(w.base + w.pos, &e, sizeof(e));
        w.pos += sizeof(e);
    }
    info[11] = (uint32_t)(w.pos - mmap_start);
    info[12] = (uint32_t)(info_gpa + mmap_start);
    w.pos = (w.pos + 7) & ~7ull;

    uint32_t mods[MB2_MAX_MODULES][4];
    for (int i = 0; i < nmods; i++) {
        mods[i][0] = placed[i].start;
        mods[i][1] = placed[i].end;
        mods[i][2] = (uint32_t)put_bytes(&w, placed[i].cmdline, strlen(placed[i].cmdline) + 1);
        mods[i][3] = 0;
    }
    if (nmods) {
        flags |= 1u << 3;
        info[5] = (uint32_t)nmods;
        info[6] = (uint32_t)put_bytes(&w, mods, sizeof(mods[0]) * (unsigned)nmods);
    }
    if (w.pos > MB1_INFO_SIZE)
        panic("Multiboot information overflowed its page");
    info[0] = flags;

    *start = (struct guest_start){
        .mode = GUEST_PROT32,
        .rip = mi.layout.entry,
        .rax = MB1_BOOTLOADER_MAGIC,
        .rbx = info_gpa,
    };
    if (hv.opt.verbose)     /* the boot report (kernel/main.c) */
        kprintf("guest.loaded format=multiboot%s entry=%#llx segments=%u info=%#llx modules=%d\n",
                mi.layout.elf_class ? (mi.layout.elf_class == 32 ? "-elf32" : "-elf64") : "-aout",
                (unsigned long long)mi.layout.entry, mi.layout.nseg, (unsigned long long)info_gpa,
                nmods);
    return 0;
}

/* The boot information of a Multiboot2 guest is at most this big: the
 * memory map, the command lines and the fixed tags. */
#define MB2_INFO_MAX (0x1000 + MEMMAP_MAX * (24 + 48) + (MB2_MAX_MODULES + 1) * 280)

static int load_mb2(const uint8_t *img, uint64_t len, struct guest_start *start)
{
    struct mb2_image mi;
    char err[160];
    uint64_t base;
    if (mb2_image_parse(img, len, &mi, err, sizeof(err)) ||
        mb2_image_place(&mi, &gmap, &base, err, sizeof(err))) {
        kprintf("error: loader: %s\n", err);
        return -1;
    }
    /* A required request for the ACPI tags needs an RSDP on this machine
     * (an ACPI 2.0+ one for the new RSDP tag). */
    if ((mi.required & (1ull << MB2_TAG_ACPI_OLD) && !hv.mb.rsdp) ||
        (mi.required & (1ull << MB2_TAG_ACPI_NEW) && (!hv.mb.rsdp || hv.mb.acpi_version < 2))) {
        kprintf("error: loader: multiboot2 image: the information request tag requires the "
                "ACPI %s RSDP tag and this machine has %s\n",
                mi.required & (1ull << MB2_TAG_ACPI_NEW) ? "new" : "old",
                hv.mb.rsdp ? "an ACPI 1.0 RSDP only" : "no RSDP");
        return -1;
    }
    if (mi.required & (1ull << MB2_TAG_EFI_MMAP) && !hv.mb.efi) {
        kprintf("error: loader: multiboot2 image: the information request tag requires the "
                "EFI memory map tag and this machine booted without UEFI\n");
        return -1;
    }
    /* Relocation moves every segment and the entry by the same amount. */
    uint64_t lo, hi;
    image_extent(&mi.layout, &lo, &hi);
    for (unsigned i = 0; i < mi.layout.nseg; i++)
        mi.layout.seg[i].dest += base - lo;
    mi.layout.entry += base - lo;
    uint64_t top = copy_segments(img, &mi.layout);
    if (!top)
        return -1;
    struct mb2_boot_module mods[MB2_MAX_MODULES];
    int nmods = copy_modules(top, mods);
    if (nmods < 0)
        return -1;

    struct mb2_boot_desc d = {
        .cmdline = hv.mb.modules[0].cmdline,
        .loader_name = "monovisor",
        .modules = mods,
        .nmodules = (unsigned)nmods,
        .map = &gmap,
        .rsdp = hv.mb.rsdp,
        .rsdp_len = hv.mb.acpi_version >= 2 ? hv.mb.rsdp_len : 20,
        .load_base = (uint32_t)base,
        .efi_map = hv.mb.efi,
    };
    uint32_t size = mb2_info_build(0, 0, &d);
    uint64_t info_gpa = size <= MB2_INFO_MAX ? find_free(size, &mi.layout, mods, (unsigned)nmods) : 0;
    if (!info_gpa) {
        kprintf("error: loader: no room in guest RAM for %u bytes of Multiboot2 information\n",
                size);
        return -1;
    }
    mb2_info_build(phys_ptr(info_gpa), size, &d);

    /* Machine state (3.2): EAX magic, EBX the information, 32-bit protected
     * mode with paging off and flat 4 GiB segments. */
    *start = (struct guest_start){
        .mode = GUEST_PROT32,
        .rip = mi.layout.entry,
        .rax = MB2_BOOTLOADER_MAGIC,
        .rbx = info_gpa,
    };
    if (hv.opt.verbose)     /* the boot report (kernel/main.c) */
        kprintf("guest.loaded format=multiboot2%s entry=%#llx segments=%u base=%#llx%s info=%#llx "
                "info_size=%u modules=%d\n",
                mi.layout.elf_class ? (mi.layout.elf_class == 32 ? "-elf32" : "-elf64") : "-aout",
                (unsigned long long)mi.layout.entry, mi.layout.nseg, (unsigned long long)base,
                base != lo ? " relocated=1" : "", (unsigned long long)info_gpa, size, nmods);
    return 0;
}

/* A free run of conventional memory from 64 KiB up (the first 64 KiB keep
 * the real-mode IVT, BDA and what Linux reserves there), page aligned. */
static uint64_t low_ram(uint64_t len, uint64_t from)
{
    len = (len + 4095) & ~4095ull;
    for (uint64_t p = from; p + len <= LOW_LIMIT; p += 4096)
        if (memmap_is_ram(&gmap, p, len))
            return p;
    return 0;
}

/*
 * Linux x86 boot protocol, "32-bit Boot Protocol" (Documentation/arch/x86/
 * boot.rst): the protected-mode kernel at its load address, a zero page
 * (boot_params) with the setup header, command line, initrd and e820 map,
 * then entry at the load address in flat 32-bit protected mode with paging
 * and interrupts off and ESI pointing at the zero page. The kernel loads its
 * own GDT before its first segment load (arch/x86/boot/compressed/head_64.S,
 * startup_32), so the selectors the vCPU starts with do not matter.
 */
static int load_bzimage(const uint8_t *img, uint64_t len, struct guest_start *start)
{
    struct bzimage_info bi;
    const char *why;
    if (bzimage_parse(img, len, &bi, &why)) {
        kprintf("error: loader: %s\n", why);
        return -1;
    }
    uint64_t need = bi.init_size > bi.kernel_size ? bi.init_size : bi.kernel_size;
    uint64_t at = bzimage_load_address(&bi, &gmap);
    if (!at || !guest_ptr(at, need)) {
        kprintf("error: loader: no room for the Linux kernel: it needs %llu KiB of guest RAM "
                "(init_size) below 4 GiB; give the machine more memory\n",
                (unsigned long long)(need >> 10));
        return -1;
    }
    memcpy(phys_ptr(at), img + bi.kernel_offset, bi.kernel_size);

    const char *cl = hv.mb.modules[0].cmdline;
    uint32_t cl_len = (uint32_t)strlen(cl);
    uint64_t zp_gpa = low_ram(4096, 0x10000);
    uint64_t cl_gpa = zp_gpa ? low_ram(cl_len + 1, zp_gpa + 4096) : 0;
    if (!zp_gpa || !cl_gpa) {
        kprintf("error: loader: no free conventional memory below 640 KiB for the Linux zero page "
                "and command line\n");
        return -1;
    }
    memcpy(phys_ptr(cl_gpa), cl, cl_len + 1);

    /* The second boot module, if any, is the initrd. */
    uint64_t rd_gpa = 0, rd_len = 0;
    if (hv.mb.module_count > 1) {
        const struct mb2_module *m = &hv.mb.modules[1];
        rd_len = m->end - m->start;
        rd_gpa = bzimage_initrd_address(&bi, &gmap, rd_len, at, need, 4ull << 30);
        if (rd_len && !rd_gpa) {
            kprintf("error: loader: no room for the %llu KiB initrd in guest RAM below the "
                    "kernel's initrd_addr_max %#x\n", (unsigned long long)(rd_len >> 10),
                    bi.initrd_addr_max);
            return -1;
        }
        if (rd_len)
            memcpy(phys_ptr(rd_gpa), phys_ptr(m->start), rd_len);
    }

    if (bzimage_boot_params(phys_ptr(zp_gpa), img, &bi, &gmap, cl_gpa, cl_len, rd_gpa, rd_len,
                            &why)) {
        kprintf("error: loader: %s\n", why);
        return -1;
    }
    /* On UEFI the RSDP is not in the BIOS area where Linux would look. */
    if (hv.acpi_rsdp_pa && !bzimage_set_rsdp(phys_ptr(zp_gpa), &bi, hv.acpi_rsdp_pa))
        kprintf("warning: loader: boot protocol %u.%u has no acpi_rsdp_addr (2.14+): the "
                "kernel may find no ACPI on this UEFI machine\n", bi.version >> 8, bi.version & 0xFF);
    *start = (struct guest_start){
        .mode = GUEST_PROT32,
        .rip = at,
        .rsi = zp_gpa,
    };
    if (hv.opt.verbose)     /* the boot report (kernel/main.c) */
        kprintf("guest.loaded format=bzimage protocol=%u.%02u at=%#llx size_kib=%llu "
                "init_size_kib=%llu zero_page=%#llx initrd=%#llx initrd_kib=%llu\n",
                bi.version >> 8, bi.version & 0xFF,
                (unsigned long long)at, (unsigned long long)(bi.kernel_size >> 10),
                (unsigned long long)(bi.init_size >> 10), (unsigned long long)zp_gpa,
                (unsigned long long)rd_gpa, (unsigned long long)(rd_len >> 10));
    return 0;
}

int loader_load(struct guest_start *start)
{
    if (!have_guest) {
        kprintf("error: loader: no guest module: add one to the ISO "
                "(make iso GUEST=kernel) or as a module2 line in grub.cfg\n");
        return -1;
    }
    const struct mb2_module *k = &hv.mb.modules[0];
    const uint8_t *img = phys_ptr(k->start);
    uint64_t len = k->end - k->start;
    if (len == 0) {
        kprintf("error: loader: the guest module is empty (0 bytes)\n");
        return -1;
    }
    /* Multiboot2 first: an image with both headers gets the richer information. */
    if (mb2_image_probe(img, len))
        return load_mb2(img, len, start);
    if (mb1_probe(img, len))
        return load_mb1(img, len, start);
    if (bzimage_probe(img, len))
        return load_bzimage(img, len, start);
    kprintf("error: loader: the guest module (%llu bytes) is not a kernel monovisor can load: "
            "no Multiboot2 header in its first 32 KiB, no Multiboot header in its first 8 KiB, "
            "no Linux bzImage header (HdrS at 0x202)\n", (unsigned long long)len);
    return -1;
}
