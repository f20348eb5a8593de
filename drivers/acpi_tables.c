/*
 * acpi_tables.c - ACPI table parsing; see acpi_tables.h.
 * Unaligned fields are read with memcpy: firmware tables are byte-packed.
 */
#include "acpi_tables.h"

#include "../kernel/fmt.h"
#include "../kernel/kstring.h"

#define SDT_HEADER_LEN 36

static uint8_t rd8(const void *p, size_t off)
{
    return ((const uint8_t *)p)[off];
}

static uint16_t rd16(const void *p, size_t off)
{
    uint16_t v;
    memcpy(&v, (const uint8_t *)p + off, 2);
    return v;
}

static uint32_t rd32(const void *p, size_t off)
{
    uint32_t v;
    memcpy(&v, (const uint8_t *)p + off, 4);
    return v;
}

static uint64_t rd64(const void *p, size_t off)
{
    uint64_t v;
    memcpy(&v, (const uint8_t *)p + off, 8);
    return v;
}

bool acpi_checksum_ok(const void *p, size_t len)
{
    uint8_t sum = 0;
    for (size_t i = 0; i < len; i++)
        sum = (uint8_t)(sum + rd8(p, i));
    return sum == 0;
}

static void warnf(acpi_warn_fn warn, void *ctx, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void warnf(acpi_warn_fn warn, void *ctx, const char *fmt, ...)
{
    char msg[128];
    va_list ap;
    va_start(ap, fmt);
    fmt_vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (warn)
        warn(ctx, msg);
}

/* Map a whole system description table after checking its header. */
static const void *map_table(acpi_map_fn map, acpi_warn_fn warn, void *ctx, uint64_t phys,
                             const char *expect)
{
    const void *h = map(ctx, phys, SDT_HEADER_LEN);
    if (!h) {
        warnf(warn, ctx, "acpi: table at %#llx is not mapped", (unsigned long long)phys);
        return 0;
    }
    if (expect && memcmp(h, expect, 4)) {
        warnf(warn, ctx, "acpi: table %.4s at %#llx is not the %s (skipped)", (const char *)h,
              (unsigned long long)phys, expect);
        return 0;
    }
    uint32_t len = rd32(h, 4);
    if (len < SDT_HEADER_LEN || len > (16u << 20)) {
        warnf(warn, ctx, "acpi: table %.4s at %#llx has bad length %u", (const char *)h,
              (unsigned long long)phys, len);
        return 0;
    }
    const void *t = map(ctx, phys, len);
    if (!t)
        return 0;
    if (!acpi_checksum_ok(t, len)) {
        warnf(warn, ctx, "acpi: table %.4s at %#llx has a bad checksum (skipped)",
              (const char *)t, (unsigned long long)phys);
        return 0;
    }
    return t;
}

/* The checksum byte of a table of len bytes (5.2.6): all of them sum to 0. */
static void set_checksum(uint8_t *t, uint32_t len)
{
    t[9] = 0;
    uint8_t sum = 0;
    for (uint32_t i = 0; i < len; i++)
        sum = (uint8_t)(sum + t[i]);
    t[9] = (uint8_t)-sum;
}

unsigned acpi_root_drop(void *root, size_t entry_size, uint64_t drop)
{
    uint8_t *t = root;
    uint32_t len = rd32(t, 4);
    if (len < SDT_HEADER_LEN || (len - SDT_HEADER_LEN) % entry_size)
        return 0;
    uint32_t out = SDT_HEADER_LEN;
    unsigned dropped = 0;
    for (uint32_t in = SDT_HEADER_LEN; in < len; in += (uint32_t)entry_size) {
        uint64_t phys = entry_size == 8 ? rd64(t, in) : rd32(t, in);
        if (phys == drop) {
            dropped++;
            continue;
        }
        memmove(t + out, t + in, entry_size);
        out += (uint32_t)entry_size;
    }
    if (!dropped)
        return 0;
    memset(t + out, 0, len - out);      /* the bytes past the end: no stale entry */
    memcpy(t + 4, &out, 4);
    set_checksum(t, out);
    return dropped;
}

void acpi_parse_madt(const void *madt, struct acpi_info *out)
{
    uint32_t len = rd32(madt, 4);
    out->have_madt = true;
    out->lapic_base = rd32(madt, 36);
    for (uint32_t off = 44; off + 2 <= len;) {
        uint8_t type = rd8(madt, off), elen = rd8(madt, off + 1);
        if (elen < 2 || off + elen > len)
            break;
        struct acpi_cpu cpu = { 0 };
        bool is_cpu = false;
        if (type == 0 && elen >= 8) {           /* Processor Local APIC (5.2.12.2) */
            cpu.uid = rd8(madt, off + 2);
            cpu.apic_id = rd8(madt, off + 3);
            uint32_t fl = rd32(madt, off + 4);
            cpu.enabled = fl & 1;
            cpu.online_capable = fl & 2;
            is_cpu = true;
        } else if (type == 9 && elen >= 16) {   /* Processor Local x2APIC (5.2.12.12) */
            cpu.apic_id = rd32(madt, off + 4);
            uint32_t fl = rd32(madt, off + 8);
            cpu.enabled = fl & 1;
            cpu.online_capable = fl & 2;
            cpu.uid = rd32(madt, off + 12);
            cpu.x2apic = true;
            is_cpu = true;
        } else if (type == 5 && elen >= 12) {   /* Local APIC Address Override (5.2.12.8) */
            out->lapic_base = rd64(madt, off + 4);
        } else if (type == 1 && elen >= 12 && out->ioapic_count < ACPI_MAX_IOAPICS) {
            /* I/O APIC (5.2.12.3): id, reserved, address, GSI base */
            out->ioapics[out->ioapic_count++] = (struct acpi_ioapic){
                rd8(madt, off + 2), rd32(madt, off + 4), rd32(madt, off + 8) };
        } else if (type == 2 && elen >= 10 && out->override_count < ACPI_MAX_OVERRIDES) {
            /* Interrupt Source Override (5.2.12.5): bus, source, GSI, flags */
            out->overrides[out->override_count++] = (struct acpi_override){
                rd8(madt, off + 2), rd8(madt, off + 3), rd32(madt, off + 4),
                (uint16_t)(rd8(madt, off + 8) | rd8(madt, off + 9) << 8) };
        }
        if (is_cpu && (cpu.enabled || cpu.online_capable)) {
            if (out->cpu_count < ACPI_MAX_CPUS)
                out->cpus[out->cpu_count++] = cpu;
            else
                out->cpus_truncated = true;
        }
        off += elen;
    }
}

uint32_t acpi_isa_gsi(const struct acpi_info *a, unsigned irq)
{
    for (unsigned i = 0; i < a->override_count; i++)
        if (a->overrides[i].bus == 0 && a->overrides[i].source == irq)
            return a->overrides[i].gsi;
    return irq;
}

const struct acpi_ioapic *acpi_ioapic_for_gsi(const struct acpi_info *a, uint32_t gsi)
{
    const struct acpi_ioapic *best = 0;
    for (unsigned i = 0; i < a->ioapic_count; i++)
        if (a->ioapics[i].gsi_base <= gsi && (!best || a->ioapics[i].gsi_base > best->gsi_base))
            best = &a->ioapics[i];
    return best;
}

/* FADT (5.2.9): power-management registers and the DSDT. */
static void parse_fadt(const void *fadt, struct acpi_info *out)
{
    uint32_t len = rd32(fadt, 4);
    out->have_fadt = true;
    if (len >= 44)
        out->dsdt = rd32(fadt, 40);
    if (len >= 148 && rd64(fadt, 140))
        out->dsdt = rd64(fadt, 140);            /* X_DSDT */
    if (len >= 72) {
        out->smi_cmd = rd32(fadt, 48);
        out->acpi_enable = rd8(fadt, 52);
        out->pm1a_cnt = (uint16_t)rd32(fadt, 64);
        out->pm1b_cnt = (uint16_t)rd32(fadt, 68);
    }
    /* X_PM1a/b_CNT_BLK (generic address structures, space 1 = system I/O). */
    if (!out->pm1a_cnt && len >= 184 && rd8(fadt, 172) == 1)
        out->pm1a_cnt = (uint16_t)rd64(fadt, 176);
    if (!out->pm1b_cnt && len >= 196 && rd8(fadt, 184) == 1)
        out->pm1b_cnt = (uint16_t)rd64(fadt, 188);
    /* The PM timer (4.8.3.3): PM_TMR_BLK at 76 with PM_TMR_LEN 4 at 91,
     * else X_PM_TMR_BLK at 208 in system I/O; TMR_VAL_EXT is bit 8 of the
     * flags at 112. A reduced-hardware FADT has neither. */
    if (len >= 92 && rd32(fadt, 76) && rd32(fadt, 76) <= 0xFFFC && rd8(fadt, 91) == 4)
        out->pm_tmr = (uint16_t)rd32(fadt, 76);
    if (!out->pm_tmr && len >= 220 && rd8(fadt, 208) == 1 && rd64(fadt, 212) &&
        rd64(fadt, 212) <= 0xFFFC)
        out->pm_tmr = (uint16_t)rd64(fadt, 212);
    out->pm_tmr_32 = out->pm_tmr && len >= 116 && (rd32(fadt, 112) >> 8 & 1);
}

/* One AML data object that is an integer (20.2.3): Zero, One, Ones,
 * BytePrefix, WordPrefix, DWordPrefix. Returns bytes used, 0 if not one. */
static size_t aml_integer(const uint8_t *p, size_t left, uint8_t *val)
{
    if (left < 1)
        return 0;
    switch (p[0]) {
    case 0x00: *val = 0; return 1;
    case 0x01: *val = 1; return 1;
    case 0xFF: *val = 0xFF; return 1;
    case 0x0A: if (left < 2) return 0; *val = p[1]; return 2;
    case 0x0B: if (left < 3) return 0; *val = p[1]; return 3;
    case 0x0C: if (left < 5) return 0; *val = p[1]; return 5;
    default: return 0;
    }
}

bool acpi_find_s5(const uint8_t *aml, size_t len, uint8_t *typa, uint8_t *typb)
{
    for (size_t i = 0; i + 4 <= len; i++) {
        if (memcmp(aml + i, "_S5_", 4))
            continue;
        /* NameOp (0x08) before the name, optionally with a root prefix '\'. */
        bool named = (i >= 1 && aml[i - 1] == 0x08) ||
                     (i >= 2 && aml[i - 1] == '\\' && aml[i - 2] == 0x08);
        size_t p = i + 4;
        if (!named || p >= len || aml[p] != 0x12)   /* PackageOp */
            continue;
        p++;
        if (p >= len)
            return false;
        size_t pkglen_bytes = 1 + (aml[p] >> 6);    /* PkgLength (20.2.4) */
        p += pkglen_bytes;
        if (p >= len)
            return false;
        p++;                                        /* NumElements */
        uint8_t a, b;
        size_t n = aml_integer(aml + p, len - p, &a);
        if (!n)
            return false;
        p += n;
        n = aml_integer(aml + p, len - p, &b);
        if (!n)
            b = 0;
        *typa = a;
        *typb = b;
        return true;
    }
    return false;
}

/* SPCR layout (revision 2; 1 has the same first 80 bytes): the header, the
 * interface type at 36 (one byte in revision 1, where 0 and 1 are the
 * 16550 and 16450), the base address GAS at 40 (space id, bit width, bit
 * offset, access size, address), the interrupt type at 52 and IRQ at 53,
 * the baud rate code at 58, the PCI ids at 64-70. */
#define SPCR_MIN_LEN 80

static uint32_t spcr_baud(uint8_t code)
{
    switch (code) {
    case 3: return 9600;
    case 4: return 19200;
    case 6: return 57600;
    case 7: return 115200;
    default: return 0;      /* 0 "as is", and reserved codes: leave it be */
    }
}

int acpi_parse_spcr(const void *spcr, struct acpi_spcr *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof(*out));
    uint32_t len = rd32(spcr, 4);
    if (len < SPCR_MIN_LEN) {
        fmt_snprintf(err, errlen, "acpi: SPCR too short (%u bytes, at least %u)", len, SPCR_MIN_LEN);
        return -1;
    }
    out->revision = rd8(spcr, 8);
    out->interface = rd8(spcr, 36);
    out->space = rd8(spcr, 40);
    /* Access size (ACPI 6.5, 5.2.3.2): 1 byte, 3 dword; 0 (undefined, as
     * older tables leave it): from the register bit width. */
    uint8_t access = rd8(spcr, 43), bits = rd8(spcr, 41);
    out->width = access == 3 || (access == 0 && bits == 32) ? 4 : 1;
    out->address = rd64(spcr, 44);
    if (rd8(spcr, 52) & 1)
        out->irq = rd8(spcr, 53);
    out->baud = spcr_baud(rd8(spcr, 58));
    out->pci_device = rd16(spcr, 64);
    out->pci_vendor = rd16(spcr, 66);
    out->pci_bus = rd8(spcr, 68);
    out->pci_dev = rd8(spcr, 69);
    out->pci_fn = rd8(spcr, 70);
    if (!out->address) {
        fmt_snprintf(err, errlen, "acpi: SPCR names no base address");
        return -1;
    }
    out->present = true;
    return 0;
}

/* Revision 3 adds the UART clock at 76, revision 4 the precise baud rate
 * at 80 and the namespace string's length and offset at 84 and 86. */
#define SPCR_UART_CLOCK   76
#define SPCR_NS_LENGTH    84
#define SPCR_NS_OFFSET    86
#define SPCR_REV4_LEN     88
#define UART_CLOCK_16550  1843200u  /* the PC's 16550 crystal: divisor 1 = 115200 baud */

static void wr16(uint8_t *t, size_t off, uint16_t v) { memcpy(t + off, &v, 2); }
static void wr32(uint8_t *t, size_t off, uint32_t v) { memcpy(t + off, &v, 4); }

int acpi_spcr_retarget(void *spcr, uint16_t port, uint8_t irq, uint32_t gsi)
{
    uint8_t *t = spcr;
    uint32_t len = rd32(t, 4);
    if (memcmp(t, "SPCR", 4) || len < SPCR_MIN_LEN)
        return -1;
    uint8_t rev = t[8];
    t[36] = SPCR_16550;
    memset(t + 37, 0, 3);
    /* The base address, a GAS (ACPI 6.5, 5.2.3.2): system I/O, 8-bit
     * registers at bit offset 0, byte access. */
    t[40] = SPCR_SPACE_IO;
    t[41] = 8;
    t[42] = 0;
    t[43] = 1;
    uint64_t base = port;
    memcpy(t + 44, &base, 8);
    t[52] = 0x3;                        /* interrupt type: PC-AT 8259 IRQ and I/O APIC */
    t[53] = irq;
    wr32(t, 54, gsi);
    wr16(t, 64, 0xFFFF);                /* PCI device and vendor: not a PCI device */
    wr16(t, 66, 0xFFFF);
    memset(t + 68, 0, 8);               /* bus, device, function, flags, segment */
    if (rev >= 3)
        wr32(t, SPCR_UART_CLOCK, UART_CLOCK_16550);
    if (rev >= 4 && len >= SPCR_REV4_LEN) {
        uint16_t ns_len, ns_off;
        memcpy(&ns_len, t + SPCR_NS_LENGTH, 2);
        memcpy(&ns_off, t + SPCR_NS_OFFSET, 2);
        if (ns_len >= 2 && ns_off >= SPCR_REV4_LEN && (uint32_t)ns_off + ns_len <= len) {
            memset(t + ns_off, 0, ns_len);
            t[ns_off] = '.';            /* "not in the namespace" (SPCR spec, revision 4) */
            wr16(t, SPCR_NS_LENGTH, 2);
        }
    }
    set_checksum(t, len);
    return 0;
}

bool acpi_spcr_is_16550(const struct acpi_spcr *s)
{
    return s->present &&
           (s->interface == SPCR_16550 || s->interface == SPCR_16450 ||
            s->interface == SPCR_16550_GAS) &&
           (s->space == SPCR_SPACE_IO || s->space == SPCR_SPACE_MEMORY) &&
           (s->space == SPCR_SPACE_MEMORY || s->address <= 0xFFF8);
}

/* ---- DMAR (Intel VT-d spec 8.1) and IVRS (AMD IOMMU spec 5.2) ---- */

static void add_unit(struct acpi_iommu *out, struct acpi_iommu_unit u)
{
    if (out->unit_count == ACPI_MAX_IOMMUS)
        out->truncated = true;
    else
        out->units[out->unit_count++] = u;
}

static void add_reserved(struct acpi_iommu *out, struct acpi_iommu_reserved r)
{
    if (out->reserved_count == ACPI_MAX_IOMMU_RESERVED)
        out->truncated = true;
    else
        out->reserved[out->reserved_count++] = r;
}

#define DMAR_STRUCTS 48         /* the remapping structures start here */
#define DMAR_DRHD 0
#define DMAR_RMRR 1

int acpi_parse_dmar(const void *dmar, struct acpi_iommu *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof(*out));
    uint32_t len = rd32(dmar, 4);
    if (len < DMAR_STRUCTS) {
        fmt_snprintf(err, errlen, "acpi: DMAR too short (%u bytes, at least %u)", len, DMAR_STRUCTS);
        return -1;
    }
    out->type = ACPI_IOMMU_VTD;
    out->addr_bits = (uint8_t)(rd8(dmar, 36) + 1);      /* Host Address Width is N - 1 */
    out->intr_remap = rd8(dmar, 37) & 1;
    /* Each structure: Type (2 bytes), Length (2 bytes) (8.2-8.4). */
    for (uint32_t off = DMAR_STRUCTS; off < len;) {
        uint16_t type = off + 4 <= len ? rd16(dmar, off) : 0;
        uint16_t slen = off + 4 <= len ? rd16(dmar, off + 2) : 0;
        uint16_t min = type == DMAR_DRHD ? 16 : type == DMAR_RMRR ? 24 : 4;
        if (slen < min || slen > len - off) {
            fmt_snprintf(err, errlen, "acpi: DMAR: structure type %u at offset %u: length %u "
                         "(min %u, table %u)", type, off, slen, min, len);
            return -1;
        }
        if (type == DMAR_DRHD) {
            struct acpi_iommu_unit u = { rd64(dmar, off + 8), rd16(dmar, off + 6), 0,
                                         rd8(dmar, off + 4) & 1 };
            if (!u.base) {
                fmt_snprintf(err, errlen, "acpi: DMAR: DRHD at offset %u has no register base", off);
                return -1;
            }
            add_unit(out, u);
        } else if (type == DMAR_RMRR) {
            uint64_t base = rd64(dmar, off + 8), limit = rd64(dmar, off + 16);
            if (limit < base || limit == UINT64_MAX) {
                fmt_snprintf(err, errlen, "acpi: DMAR: RMRR at offset %u has limit %#llx below "
                             "its base %#llx", off, (unsigned long long)limit,
                             (unsigned long long)base);
                return -1;
            }
            add_reserved(out, (struct acpi_iommu_reserved){ base, limit + 1, rd16(dmar, off + 6) });
        }
        off += slen;
    }
    return 0;
}

#define IVRS_BLOCKS 48          /* the IVHD and IVMD blocks start here */

int acpi_parse_ivrs(const void *ivrs, struct acpi_iommu *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof(*out));
    uint32_t len = rd32(ivrs, 4);
    if (len < IVRS_BLOCKS) {
        fmt_snprintf(err, errlen, "acpi: IVRS too short (%u bytes, at least %u)", len, IVRS_BLOCKS);
        return -1;
    }
    out->type = ACPI_IOMMU_AMDVI;
    out->addr_bits = (uint8_t)((rd32(ivrs, 36) >> 8) & 0x7F);     /* IVinfo PASize (5.2.1) */
    /* Each block: Type (1 byte), Flags (1), Length (2), DeviceID (2). IVHD
     * types 10h (24-byte header), 11h and 40h (40); IVMD 20h-22h (32). */
    for (uint32_t off = IVRS_BLOCKS; off < len;) {
        uint8_t type = off + 4 <= len ? rd8(ivrs, off) : 0;
        uint16_t blen = off + 4 <= len ? rd16(ivrs, off + 2) : 0;
        bool ivhd = type == 0x10 || type == 0x11 || type == 0x40;
        bool ivmd = type >= 0x20 && type <= 0x22;
        uint16_t min = type == 0x10 ? 24 : ivhd ? 40 : ivmd ? 32 : 4;
        if (blen < min || blen > len - off) {
            fmt_snprintf(err, errlen, "acpi: IVRS: block type %#x at offset %u: length %u "
                         "(min %u, table %u)", type, off, blen, min, len);
            return -1;
        }
        if (ivhd) {
            /* One IOMMU may be described by several IVHD types (10h for
             * old software, 11h/40h for new): the same base is one unit. */
            struct acpi_iommu_unit u = { rd64(ivrs, off + 8), rd16(ivrs, off + 16),
                                         rd16(ivrs, off + 4), false };
            if (!u.base) {
                fmt_snprintf(err, errlen, "acpi: IVRS: IVHD at offset %u has no register base", off);
                return -1;
            }
            bool known = false;
            for (unsigned i = 0; i < out->unit_count; i++)
                known |= out->units[i].base == u.base && out->units[i].segment == u.segment;
            if (!known)
                add_unit(out, u);
        } else if (ivmd) {
            uint64_t base = rd64(ivrs, off + 16), size = rd64(ivrs, off + 24);
            if (size > UINT64_MAX - base) {
                fmt_snprintf(err, errlen, "acpi: IVRS: IVMD at offset %u wraps (start %#llx, "
                             "length %#llx)", off, (unsigned long long)base,
                             (unsigned long long)size);
                return -1;
            }
            if (size)
                add_reserved(out, (struct acpi_iommu_reserved){ base, base + size, 0 });
        }
        off += blen;
    }
    return 0;
}

/* MCFG (PCI Firmware spec 3.2, table 4-2): the header, 8 reserved bytes,
 * then 16-byte allocations: base address, segment, first and last bus.
 * Segment 0's first allocation is kept (a PC has one); an empty range is
 * no allocation. */
static void parse_mcfg(const void *mcfg, struct acpi_info *out)
{
    uint32_t len = rd32(mcfg, 4);
    for (uint32_t off = SDT_HEADER_LEN + 8; off + 16 <= len; off += 16) {
        uint64_t base = rd64(mcfg, off);
        uint8_t first = rd8(mcfg, off + 10), last = rd8(mcfg, off + 11);
        if (rd16(mcfg, off + 8) == 0 && base && first <= last && !(base & 0xFFFFF)) {
            out->ecam_base = base;
            out->ecam_bus_first = first;
            out->ecam_bus_last = last;
            return;
        }
    }
}

int acpi_parse(const void *rsdp, size_t rsdp_len, acpi_map_fn map, acpi_warn_fn warn,
               void *ctx, struct acpi_info *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof(*out));
    /* RSDP (5.2.5.3): 20 bytes in ACPI 1.0, 36 from 2.0 on. */
    if (!rsdp || rsdp_len < 20 || memcmp(rsdp, "RSD PTR ", 8) || !acpi_checksum_ok(rsdp, 20)) {
        fmt_snprintf(err, errlen, "acpi: no valid RSDP");
        return -1;
    }
    out->revision = rd8(rsdp, 15);
    bool xsdt = out->revision >= 2 && rsdp_len >= 36 && rd32(rsdp, 20) >= 36 &&
                rd32(rsdp, 20) <= rsdp_len && acpi_checksum_ok(rsdp, rd32(rsdp, 20)) &&
                rd64(rsdp, 24);
    out->root_table = xsdt ? rd64(rsdp, 24) : rd32(rsdp, 16);

    const void *root = map_table(map, warn, ctx, out->root_table, xsdt ? "XSDT" : "RSDT");
    if (!root) {
        fmt_snprintf(err, errlen, "acpi: %s at %#llx is missing or corrupt",
                     xsdt ? "XSDT" : "RSDT", (unsigned long long)out->root_table);
        return -1;
    }
    size_t esize = xsdt ? 8 : 4;
    uint32_t rlen = rd32(root, 4);
    for (size_t off = SDT_HEADER_LEN; off + esize <= rlen; off += esize) {
        uint64_t phys = xsdt ? rd64(root, off) : rd32(root, off);
        const void *h = map(ctx, phys, SDT_HEADER_LEN);
        if (!h) {
            warnf(warn, ctx, "acpi: table at %#llx is not mapped", (unsigned long long)phys);
            continue;
        }
        if (!memcmp(h, "APIC", 4)) {
            const void *t = map_table(map, warn, ctx, phys, "APIC");
            if (t && rd32(t, 4) >= 44)
                acpi_parse_madt(t, out);
        } else if (!memcmp(h, "FACP", 4)) {
            const void *t = map_table(map, warn, ctx, phys, "FACP");
            if (t)
                parse_fadt(t, out);
        } else if ((!memcmp(h, "DMAR", 4) || !memcmp(h, "IVRS", 4)) && !out->iommu_table) {
            /* A machine has one or the other; the first well-formed wins. */
            bool vtd = !memcmp(h, "DMAR", 4);
            const void *t = map_table(map, warn, ctx, phys, vtd ? "DMAR" : "IVRS");
            char why[128];
            if (t && (vtd ? acpi_parse_dmar : acpi_parse_ivrs)(t, &out->iommu, why, sizeof(why))) {
                warnf(warn, ctx, "%s (at %#llx; ignored)", why, (unsigned long long)phys);
                memset(&out->iommu, 0, sizeof(out->iommu));
            } else if (t) {
                out->iommu_table = phys;
            }
        } else if (!memcmp(h, "MCFG", 4)) {
            const void *t = map_table(map, warn, ctx, phys, "MCFG");
            if (t)
                parse_mcfg(t, out);
        } else if (!memcmp(h, "SPCR", 4)) {
            const void *t = map_table(map, warn, ctx, phys, "SPCR");
            char why[80];
            if (t && acpi_parse_spcr(t, &out->spcr, why, sizeof(why)))
                warnf(warn, ctx, "%s (at %#llx; ignored)", why, (unsigned long long)phys);
            else if (t)
                out->spcr.phys = phys;
        }
    }
    if (out->dsdt) {
        const uint8_t *d = map_table(map, warn, ctx, out->dsdt, "DSDT");
        if (d)
            out->have_s5 = acpi_find_s5(d + SDT_HEADER_LEN, rd32(d, 4) - SDT_HEADER_LEN,
                                        &out->slp_typa, &out->slp_typb);
    }
    return 0;
}
