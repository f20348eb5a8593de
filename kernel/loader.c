/*
 * loader.c - guest image stash, guest memory map and the Multiboot (v1)
 * loader. Parsing is in kernel/mb1.c; this file copies bytes.
 */
#include "loader.h"

#include "hv.h"
#include "kstring.h"
#include "mb1.h"
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

/* A page of conventional memory for the Multiboot information that no
 * segment uses. */
static uint64_t find_info_page(const struct mb1_image *img)
{
    for (uint64_t p = 0x1000; p + MB1_INFO_SIZE <= LOW_LIMIT; p += MB1_INFO_SIZE) {
        if (!memmap_is_ram(&gmap, p, MB1_INFO_SIZE))
            continue;
        bool used = false;
        for (unsigned i = 0; i < img->nseg; i++)
            if (overlaps(p, MB1_INFO_SIZE, img->seg[i].dest, img->seg[i].memsz))
                used = true;
        if (!used)
            return p;
    }
    return 0;
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
    uint64_t top = 0;
    for (unsigned i = 0; i < mi.nseg; i++) {
        const struct mb1_segment *s = &mi.seg[i];
        uint8_t *dst = guest_ptr(s->dest, s->memsz);
        if (!dst) {
            kprintf("error: loader: segment %u [%#llx, %#llx) is not in guest RAM "
                    "(or overlaps the hypervisor)\n", i, (unsigned long long)s->dest,
                    (unsigned long long)(s->dest + s->memsz));
            return -1;
        }
        memcpy(dst, img + s->offset, s->filesz);
        memset(dst + s->filesz, 0, s->memsz - s->filesz);
        if (s->dest + s->memsz > top)
            top = s->dest + s->memsz;
    }

    uint64_t info_gpa = find_info_page(&mi);
    if (!info_gpa) {
        kprintf("error: loader: no free page below 640 KiB for the Multiboot information\n");
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

    /* Further boot modules become the guest's modules, after its image. */
    uint32_t mods[MB2_MAX_MODULES][4];
    unsigned nmods = 0;
    uint64_t mod_at = (top + 4095) & ~4095ull;
    for (unsigned i = 1; i < hv.mb.module_count; i++) {
        const struct mb2_module *m = &hv.mb.modules[i];
        uint64_t mlen = m->end - m->start;
        void *dst = guest_ptr(mod_at, mlen ? mlen : 1);
        if (!dst) {
            kprintf("error: loader: module %u (%llu bytes) does not fit in guest RAM at %#llx\n", i,
                    (unsigned long long)mlen, (unsigned long long)mod_at);
            return -1;
        }
        memcpy(dst, phys_ptr(m->start), mlen);
        mods[nmods][0] = (uint32_t)mod_at;
        mods[nmods][1] = (uint32_t)(mod_at + mlen);
        mods[nmods][2] = (uint32_t)put_bytes(&w, m->cmdline, strlen(m->cmdline) + 1);
        mods[nmods][3] = 0;
        nmods++;
        mod_at = (mod_at + mlen + 4095) & ~4095ull;
    }
    if (nmods) {
        flags |= 1u << 3;
        info[5] = nmods;
        info[6] = (uint32_t)put_bytes(&w, mods, sizeof(mods[0]) * nmods);
    }
    if (w.pos > MB1_INFO_SIZE)
        panic("Multiboot information overflowed its page");
    info[0] = flags;

    *start = (struct guest_start){
        .mode = GUEST_PROT32,
        .rip = mi.entry,
        .rax = MB1_BOOTLOADER_MAGIC,
        .rbx = info_gpa,
    };
    if (hv.opt.verbose)     /* the boot report (kernel/main.c) */
        kprintf("guest.loaded format=multiboot%s entry=%#llx segments=%u info=%#llx modules=%u\n",
                mi.elf_class ? (mi.elf_class == 32 ? "-elf32" : "-elf64") : "-aout",
                (unsigned long long)mi.entry, mi.nseg, (unsigned long long)info_gpa, nmods);
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
    if (mb1_probe(img, len))
        return load_mb1(img, len, start);
    kprintf("error: loader: the guest module (%llu bytes) is not a kernel monovisor can load: "
            "no Multiboot header in its first 8 KiB\n", (unsigned long long)len);
    return -1;
}
