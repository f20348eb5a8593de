#!/usr/bin/env python3
"""make_seeds.py - write the seed inputs of the fuzz targets into
tests/fuzz/seeds/<target>/ (run once; the small binaries are committed).

Each seed is a valid input the parser accepts, so that fuzzing starts from
the deep paths instead of having to discover magic numbers and checksums:

  mb2/      Multiboot2 boot information: minimal (end tag only) and typical
            (command line, loader name, memory map, module, ACPI RSDP)
  mb1/      Multiboot v1 images: a.out kludge, and ELF32 with one PT_LOAD
  mb2_image/ Multiboot2 images: address + entry tags with every other header
            tag (optional where we cannot honour it), and ELF32 with a
            relocatable tag
  options/  a hypervisor command line
  acpi/     RSDP + RSDT + FACP + DSDT with \\_S5 + MADT (ACPI 1.0), and
            RSDP 2.0 + XSDT + a 244-byte FADT with X_DSDT + DSDT
  cpuid/    an override list
  lineedit/ typed lines with history recall, backspace, Ctrl-U, Ctrl-C
  ept/      the machine of the unit test test_plan_page_split_between_ram_like_entries
            (a page split between ACPI and NVS), probed there and above 2^48
  insn_decode/ mode byte + a local APIC store as guests write it, per mode
  guest_walk/  paging controls, CR3, a linear address and the page tables
            that translate it: 32-bit (4 KiB, 4 MiB), PAE, 4- and 5-level
  bzimage/  Linux bzImages (boot protocol 2.15, 64-bit, relocatable; and 2.06)
            whose boot sector gives a command line and an initrd

The layouts follow the harnesses (tests/fuzz/fuzz_*.c).
"""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))


def write(target, name, data):
    d = os.path.join(HERE, "seeds", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def pad8(b):
    return b + b"\0" * (-len(b) % 8)


# ---- Multiboot2 boot information (Multiboot2 spec 3.6) -----------------------

def mb2_tag(type_, payload):
    return pad8(struct.pack("<II", type_, 8 + len(payload)) + payload)


def mb2_info(tags):
    body = b"".join(tags) + struct.pack("<II", 0, 8)        # end tag
    return struct.pack("<II", 8 + len(body), 0) + body


def mb2_seeds():
    write("mb2", "minimal.bin", mb2_info([]))
    mmap = struct.pack("<II", 24, 0) + b"".join(
        struct.pack("<QQII", base, length, type_, 0)
        for base, length, type_ in [(0, 0x9FC00, 1), (0x9FC00, 0x400, 2),
                                    (0x100000, 0x7EE0000, 1), (0x7FE0000, 0x20000, 3)])
    rsdp = rsdp_v0(0xE0000)
    write("mb2", "typical.bin", mb2_info([
        mb2_tag(1, b"serial=0x3f8 run=\"info\"\0"),
        mb2_tag(2, b"GRUB 2.06\0"),
        mb2_tag(4, struct.pack("<II", 639, 130048)),
        mb2_tag(6, mmap),
        mb2_tag(3, struct.pack("<II", 0x200000, 0x201000) + b"guest.elf arg\0"),
        mb2_tag(14, rsdp),
        mb2_tag(21, struct.pack("<I", 0x1000000)),
    ]))

    # A UEFI machine's (GRUB's EFI build): the EFI memory map (tag 17,
    # 48-byte descriptors as OVMF lays them out: type, start, virtual start,
    # pages, attribute), the EFI64 system table (12) and the ACPI 2.0 RSDP.
    descs = [(7, 0, 0x9F, 0xF), (2, 0x9F000, 1, 0xF), (4, 0x100000, 0x100, 0xF),
             (7, 0x200000, 0x7D00, 0xF), (9, 0x7F00000, 0x10, 0xF), (10, 0x7F10000, 0x10, 0xF),
             (5, 0x7F20000, 0x20, 0x800000000000000F), (11, 0xFFC00000, 0x400, 1 << 63)]
    efi = struct.pack("<II", 48, 1) + b"".join(
        struct.pack("<IIQQQQQ", t, 0, start, start, pages, attr, 0)
        for t, start, pages, attr in descs)
    write("mb2", "uefi.bin", mb2_info([
        mb2_tag(1, b"\0"),
        mb2_tag(2, b"GRUB 2.06\0"),
        mb2_tag(6, mmap),
        mb2_tag(17, efi),
        mb2_tag(12, struct.pack("<Q", 0x7FB00000)),
        mb2_tag(15, rsdp_v2(0xE0000)),
        mb2_tag(3, struct.pack("<II", 0x200000, 0x201000) + b"guest.elf\0"),
    ]))


# ---- Multiboot v1 images (Multiboot spec 3.1) ---------------------------------

MB1_MAGIC = 0x1BADB002


def mb1_header(flags):
    return struct.pack("<III", MB1_MAGIC, flags, (-(MB1_MAGIC + flags)) & 0xFFFFFFFF)


def mb1_seeds():
    # a.out kludge: header at 0, loaded at 1 MiB, whole file, 4 KiB of bss,
    # entry at the "jmp $" after the header.
    load = 0x100000
    hdr = mb1_header(0x00010003) + struct.pack("<IIIII", load, load, 0, load + 0x1000, load + 32)
    write("mb1", "aout.bin", hdr + b"\xEB\xFE" + b"\0" * 30)
    # ELF32 executable: ELF header, one PT_LOAD of the whole file at 1 MiB,
    # then the Multiboot header (page-align + meminfo flags) and "jmp $".
    ehdr_len, phdr_len = 52, 32
    code_off = ehdr_len + phdr_len + 12
    size = code_off + 2
    ident = b"\x7fELF" + bytes([1, 1, 1]) + b"\0" * 9
    ehdr = ident + struct.pack("<HHIIIIIHHHHHH", 2, 3, 1, load + code_off, ehdr_len, 0, 0,
                               ehdr_len, phdr_len, 1, 0, 0, 0)
    phdr = struct.pack("<IIIIIIII", 1, 0, load, load, size, size + 0x1000, 5, 0x1000)
    write("mb1", "elf32.bin", ehdr + phdr + mb1_header(0x3) + b"\xEB\xFE")


# ---- Multiboot2 images (Multiboot2 spec 3.1) ----------------------------------

MB2_HEADER_MAGIC = 0xE85250D6


def mb2_htag(type_, flags, *fields):
    return pad8(struct.pack("<HHI", type_, flags, 8 + 4 * len(fields)) +
                struct.pack("<%dI" % len(fields), *fields))


def mb2_header(tags):
    body = b"".join(tags) + mb2_htag(0, 0)
    length = 16 + len(body)
    return struct.pack("<IIII", MB2_HEADER_MAGIC, 0, length,
                       (-(MB2_HEADER_MAGIC + length)) & 0xFFFFFFFF) + body


def mb2_image_seeds():
    # Address tag: the header at 0, loaded at 1 MiB from the file's start
    # (load_addr -1), 4 KiB of bss; the entry at the "jmp $" after it.
    load = 0x100000
    opt = 1
    tags = [mb2_htag(1, 0, 1, 2, 3, 4, 6), mb2_htag(1, opt, 8, 14, 15),
            mb2_htag(2, 0, load, 0xFFFFFFFF, 0, load + 0x2000), None,
            mb2_htag(4, 0, 2), mb2_htag(5, opt, 1024, 768, 32), mb2_htag(6, 0),
            mb2_htag(7, opt), mb2_htag(8, opt, load), mb2_htag(9, opt, load),
            mb2_htag(10, 0, load, 0x10000000, 0x1000, 1)]
    size = len(mb2_header([t for t in tags if t] + [mb2_htag(3, 0, 0)]))
    tags[3] = mb2_htag(3, 0, load + size)
    write("mb2_image", "address.bin", mb2_header(tags) + b"\xEB\xFE" + b"\0" * 6)
    # ELF32 executable: ELF header, one PT_LOAD of the whole file at 1 MiB,
    # the Multiboot2 header on an 8-byte boundary, "jmp $".
    ehdr_len, phdr_len = 52, 32
    hdr = mb2_header([mb2_htag(1, 0, 1, 6), mb2_htag(10, 0, load, 0x8000000, 0x200000, 2)])
    code_off = 88 + len(hdr)
    total = code_off + 2
    ident = b"\x7fELF" + bytes([1, 1, 1]) + b"\0" * 9
    ehdr = ident + struct.pack("<HHIIIIIHHHHHH", 2, 3, 1, load + code_off, ehdr_len, 0, 0,
                               ehdr_len, phdr_len, 1, 0, 0, 0)
    phdr = struct.pack("<IIIIIIII", 1, 0, load, load, total, total + 0x1000, 5, 0x1000)
    write("mb2_image", "elf32.bin", ehdr + phdr + b"\0" * 4 + hdr + b"\xEB\xFE")


# ---- ACPI tables (ACPI 6.5, chapter 5) ----------------------------------------

WIN_BASE = 0xE0000      # fuzz_acpi.c maps the input after the RSDP here


def checksum_fix(b, at, length=None):
    """b with byte at set so that its first length bytes (all) sum to 0."""
    b = bytearray(b)
    b[at] = 0
    b[at] = (-sum(b[:length])) & 0xFF
    return bytes(b)


def rsdp_v0(rsdt):
    r = b"RSD PTR " + b"\0" + b"MONOVS" + bytes([0]) + struct.pack("<I", rsdt)
    return checksum_fix(r, 8)


def rsdp_v2(xsdt):
    r = b"RSD PTR " + b"\0" + b"MONOVS" + bytes([2]) + struct.pack("<IIQ", 0, 36, xsdt) + b"\0" * 4
    r = checksum_fix(r, 8, 20)      # the ACPI 1.0 part, bytes 0-19
    return checksum_fix(r, 32)      # all 36 bytes


def sdt(sig, body, revision=1):
    hdr = sig + struct.pack("<IB", 36 + len(body), revision) + b"\0" + b"MONOVS" + \
        b"MONOVSTB" + struct.pack("<I", 1) + b"MNVS" + struct.pack("<I", 1)
    return checksum_fix(hdr + body, 9)


def dsdt():
    # Name (\_S5_, Package (4) { 5, 5, 0, 0 }): NameOp, root prefix, name,
    # PackageOp, PkgLength 8, NumElements 4, BytePrefix 5 twice, Zero twice.
    aml = b"\x08\\_S5_\x12\x08\x04\x0A\x05\x0A\x05\x00\x00"
    return sdt(b"DSDT", aml, 2)


def madt():
    entries = struct.pack("<BBBBI", 0, 8, 0, 0, 1)              # local APIC 0, enabled
    entries += struct.pack("<BBBBI", 0, 8, 1, 1, 2)             # local APIC 1, online capable
    entries += struct.pack("<BBHIII", 9, 16, 0, 0x100, 1, 2)    # local x2APIC 0x100
    entries += struct.pack("<BBHQ", 5, 12, 0, 0xFEE00000)       # LAPIC address override
    return sdt(b"APIC", struct.pack("<II", 0xFEE00000, 1) + entries, 3)


def fadt(length, dsdt_addr, x_dsdt=0):
    body = bytearray(length - 36)
    struct.pack_into("<I", body, 40 - 36, dsdt_addr if not x_dsdt else 0)
    struct.pack_into("<IB", body, 48 - 36, 0xB2, 0xF0)          # SMI_CMD, ACPI_ENABLE
    if x_dsdt:
        struct.pack_into("<Q", body, 140 - 36, x_dsdt)
        struct.pack_into("<BBBBQ", body, 172 - 36, 1, 16, 0, 2, 0x604)     # X_PM1a_CNT_BLK
    else:
        struct.pack_into("<II", body, 64 - 36, 0x604, 0)        # PM1a_CNT_BLK, PM1b_CNT_BLK
    return sdt(b"FACP", bytes(body), 1 if length < 244 else 4)


class Window:
    """Tables laid out one after the other, 16-byte aligned, from WIN_BASE."""

    def __init__(self):
        self.mem = bytearray()

    def place(self, table):
        self.mem += b"\0" * (-len(self.mem) % 16)
        addr = WIN_BASE + len(self.mem)
        self.mem += table
        return addr


def acpi_seeds():
    w = Window()
    d = w.place(dsdt())
    f = w.place(fadt(116, d))
    m = w.place(madt())
    r = w.place(sdt(b"RSDT", struct.pack("<II", f, m)))
    write("acpi", "acpi1_rsdt.bin", rsdp_v0(r) + b"\0" * 16 + bytes(w.mem))

    w = Window()
    d = w.place(dsdt())
    f = w.place(fadt(244, 0, x_dsdt=d))
    x = w.place(sdt(b"XSDT", struct.pack("<Q", f)))
    write("acpi", "acpi2_xsdt.bin", rsdp_v2(x) + bytes(w.mem))

    # A server's console: an SPCR (revision 2) naming COM2 as an I/O
    # 16550 at 115200 (interface 0, GAS I/O 8-bit at 0x2F8, IRQ 4, baud
    # code 7, PCI ids 0xFFFF: not a PCI device).
    w = Window()
    d = w.place(dsdt())
    f = w.place(fadt(244, 0, x_dsdt=d))
    spcr = struct.pack("<B3xBBBBQBBIBBBBBBHHBBBIB4x", 0, 1, 8, 0, 1, 0x2F8, 1, 4, 0, 7, 0, 1,
                       0, 0, 0, 0xFFFF, 0xFFFF, 0, 0, 0, 0, 0)
    c = w.place(sdt(b"SPCR", spcr, revision=2))
    x = w.place(sdt(b"XSDT", struct.pack("<QQ", f, c)))
    write("acpi", "acpi2_spcr.bin", rsdp_v2(x) + bytes(w.mem))

    # The DMA remapping units: QEMU's intel-iommu DMAR (a DRHD with
    # INCLUDE_PCI_ALL at 0xfed90000, an RMRR with one device scope) and
    # its amd-iommu IVRS (IVHDs of types 10h and 11h for one IOMMU, an
    # IVMD for all peripherals).
    drhd = struct.pack("<HHBBHQ", 0, 16, 1, 0, 0, 0xFED90000)
    rmrr = struct.pack("<HHHHQQ", 1, 32, 0, 0, 0x7EC00000, 0x7EC7FFFF) + bytes([1, 8, 0, 0, 0, 0, 0x1D, 0])
    w = Window()
    d = w.place(dsdt())
    f = w.place(fadt(244, 0, x_dsdt=d))
    r = w.place(sdt(b"DMAR", bytes([38, 1]) + bytes(10) + drhd + rmrr))
    x = w.place(sdt(b"XSDT", struct.pack("<QQ", f, r)))
    write("acpi", "acpi2_dmar.bin", rsdp_v2(x) + bytes(w.mem))
    ivhd10 = struct.pack("<BBHHHQHHI", 0x10, 0, 24, 0x10, 0x40, 0xFEB00000, 0, 0, 0)
    ivhd11 = struct.pack("<BBHHHQHHIQ", 0x11, 0, 40, 0x10, 0x40, 0xFEB00000, 0, 0, 0, 0) + bytes(8)
    ivmd = struct.pack("<BBHHHQQQ", 0x20, 0, 32, 0, 0, 0, 0x7F000000, 0x100000)
    w = Window()
    d = w.place(dsdt())
    f = w.place(fadt(244, 0, x_dsdt=d))
    v = w.place(sdt(b"IVRS", struct.pack("<IQ", 0x00203040, 0) + ivhd10 + ivhd11 + ivmd))
    x = w.place(sdt(b"XSDT", struct.pack("<QQ", f, v)))
    write("acpi", "acpi2_ivrs.bin", rsdp_v2(x) + bytes(w.mem))


# ---- the rest --------------------------------------------------------------------

def other_seeds():
    write("options", "typical.txt", b'serial=0x2f8 baud=9600 run="info; quit"')
    write("cpuid", "typical.txt", b"-avx512f,+x2apic,-1.ecx.12,+7.0.ebx.5, ,+0x80000001.edx.20")
    write("lineedit", "typing.txt", b"info\rquit\r\x1b[A\x1b[A\x1b[B\x7fx\r\nhel\x15\x03vm\x01\r")
    # fuzz_ept.c: config (2 entries, static map), phys_bits 52, hypervisor at
    # 256 MiB (one page), ACPI [0, 0x100800), NVS [0x100800, 2 MiB), MTRRs
    # off, then the split page and an address above 2^48 (outside).
    ept = bytes([0x04, 52]) + (0x10000).to_bytes(3, "little") + (0).to_bytes(2, "little")
    ept += (0).to_bytes(3, "little") + (0x100).to_bytes(2, "little") + bytes([0x80, 3])
    ept += (0x100).to_bytes(3, "little") + (0xFF).to_bytes(2, "little") + bytes([0x88, 4])
    ept += bytes([0]) + (0).to_bytes(2, "little")
    ept += struct.pack("<QQ", 0x100000, (1 << 48) + 0x1000)
    write("ept", "split_page.bin", ept)


# ---- MMIO store decoder (fuzz_insn_decode.c) -------------------------------------

def insn_decode_seeds():
    # mode byte (0: 16-bit, 1: 32-bit, 2: 64-bit), then the instruction and
    # a few bytes of the next one
    apic = struct.pack("<I", 0xFEE000B0)
    seeds = {
        "m64_mov_rdx.bin": (2, b"\x89\x02"),                          # mov [rdx],eax
        "m64_mov_abs_imm.bin": (2, b"\xC7\x04\x25" + apic + b"\0\0\0\0"),
        "m64_movabs_rax.bin": (2, b"\x48\xA3" + struct.pack("<Q", 0xFEE00300)),
        "m64_lock_xchg_r12.bin": (2, b"\xF0\x4C\x87\x20"),            # lock xchg [rax],r12
        "m64_mov_rip_byte.bin": (2, b"\x66\x44\x88\x3D\x10\x00\x00\x00"),
        "m32_mov_abs.bin": (1, b"\x89\x15" + apic),                    # mov [0xfee000b0],edx
        "m32_moffs.bin": (1, b"\xA3" + apic),
        "m16_addr32_imm.bin": (0, b"\x66\x67\xC7\x05" + apic + b"\x01\0\0\0"),
        "m16_mov_bx_ah.bin": (0, b"\x88\x27"),
    }
    for name, (mode, code) in seeds.items():
        write("insn_decode", name, bytes([mode]) + code + b"\x90\xC3")


# ---- guest page-table walker (fuzz_guest_walk.c) ----------------------------------

PG, PAE, LMA, LA57, PSE, NXE, PE = 1, 2, 4, 8, 16, 32, 64


def walk_input(flags, cr3, linear, qwords):
    """The harness's input: qwords maps a guest-physical address to a qword."""
    recs = b"".join(struct.pack("<HQ", gpa // 8, v) for gpa, v in sorted(qwords.items()))
    return struct.pack("<BQQ", flags, cr3, linear) + recs


def walk_tables(linear, levels, leaf, top=0x1000):
    """Tables for a 64-bit-entry walk, one page each from top up."""
    q = {}
    for n in range(levels, 1, -1):
        table = top + (levels - n) * 0x1000
        q[table + ((linear >> (12 + 9 * (n - 1))) & 511) * 8] = (table + 0x1000) | 3
    q[top + (levels - 1) * 0x1000 + ((linear >> 12) & 511) * 8] = leaf
    return q


def guest_walk_seeds():
    lin = 0x00007F1234567ABC
    write("guest_walk", "4level.bin",
          walk_input(PE | PG | PAE | LMA | NXE, 0x1000, lin,
                     walk_tables(lin, 4, 0xFEE00003 | 1 << 63)))
    lin = 0x00ABCDEF12345678
    write("guest_walk", "5level.bin",
          walk_input(PE | PG | PAE | LMA | LA57, 0x1000, lin, walk_tables(lin, 5, 0x9003)))
    # PAE: PDPT at 0x1FE0, PDPTE 3 -> PD 0x3000 -> PT 0x4000
    lin = 0xC0201ABC
    write("guest_walk", "pae.bin",
          walk_input(PE | PG | PAE, 0x1FE0, lin,
                     {0x1FF8: 0x3001, 0x3008: 0x4003, 0x4008: 0xFEE00003}))
    # 32-bit paging: PDE 1 -> PT 0x2000, PTE 3; PDE 2 a 4 MiB page (PSE-36)
    lin = 0x00403ABC
    write("guest_walk", "32bit.bin",
          walk_input(PE | PG | PSE, 0x1000, lin,
                     {0x1000: (0x2003 << 32) | (0x00800083 | 0x12 << 13),
                      0x2008: 0xFEE00003 << 32}))


# ---- Linux bzImage (Documentation/arch/x86/boot.rst) -----------------------------

def bzimage(version, header_len, setup_sects=3, kernel=0x1000, tail=0x100):
    """Setup header of a kernel shaped like Debian's; fuzz_bzimage.c reads the
    command line (0x20000, 10 bytes) and initrd (16 MiB, 1 MiB) from bytes 0-23."""
    b = bytearray(((setup_sects or 4) + 1) * 512 + kernel + tail)     # 0 means 4
    struct.pack_into("<QIQI", b, 0, 0x20000, 10, 0x1000000, 0x100000)
    struct.pack_into("<BHI", b, 0x1F1, setup_sects, 0, kernel // 16)
    struct.pack_into("<HBB4sH", b, 0x1FE, 0xAA55, 0xEB, header_len, b"HdrS", version)
    struct.pack_into("<B", b, 0x211, 0x01)                      # LOADED_HIGH
    struct.pack_into("<IIIIBBHI", b, 0x214, 0x100000, 0, 0, 0, 0, 0, 0, 0)
    struct.pack_into("<IIBBHI", b, 0x22C, 0x7FFFFFFF, 0x200000, 1, 21, 0x7F, 2047)
    if version >= 0x020A:
        struct.pack_into("<QI", b, 0x258, 0x1000000, 0x2000000)
    return bytes(b)


def bzimage_seeds():
    write("bzimage", "proto215.bin", bzimage(0x020F, 0x6A))
    write("bzimage", "proto206.bin", bzimage(0x0206, 0x3A, setup_sects=0))


if __name__ == "__main__":
    mb2_seeds()
    mb1_seeds()
    mb2_image_seeds()
    acpi_seeds()
    other_seeds()
    insn_decode_seeds()
    guest_walk_seeds()
    bzimage_seeds()
