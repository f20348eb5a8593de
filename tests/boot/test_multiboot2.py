"""Boot tests of Multiboot2 guests (kernel/mb2_image.c, kernel/loader.c):
the mb2 guest (guest/tests/mb2.c) checks its handshake and every piece of
its boot information; images that require what monovisor cannot give, or
whose header is cut short, are refused by name and the console lives."""
import struct

import pytest

from machine import guest_elf

MB2_MAGIC = 0xE85250D6


def module_bytes(n):
    """The module the mb2 guest checks: byte i is (i * 7 + 3) mod 256."""
    return bytes((i * 7 + 3) & 0xFF for i in range(n))


def header_tags(image):
    """Offset of the Multiboot2 header, and (offset, type, flags, size) of
    each of its tags (Multiboot2 spec 3.1)."""
    for off in range(0, min(len(image), 32768) - 16, 8):
        magic, arch, length, csum = struct.unpack_from("<IIII", image, off)
        if magic == MB2_MAGIC and (magic + arch + length + csum) & 0xFFFFFFFF == 0:
            break
    else:
        raise AssertionError("no Multiboot2 header in the mb2 guest")
    tags, at = [], off + 16
    while True:
        type_, flags, size = struct.unpack_from("<HHI", image, at)
        tags.append((at, type_, flags, size))
        if type_ == 0:
            return off, tags
        at += (size + 7) & ~7


def mb2_image():
    with open(guest_elf("mb2"), "rb") as f:
        return bytearray(f.read())


def test_mb2_guest_gets_its_handshake_and_information(iso, machine, tmp_path):
    initrd = tmp_path / "initrd.bin"
    initrd.write_bytes(module_bytes(10000))
    args = "mod_len=10000 greeting=hello-mb2 x=1"
    m = machine(iso(guest="mb2", initrd=str(initrd), guest_args=args, hv_args="verbose=1"))
    hv = m.expect(r"hv\.region start=(0x[0-9a-f]+) end=(0x[0-9a-f]+) ")
    hv_start, hv_end = int(hv.group(1), 16), int(hv.group(2), 16)
    loaded = m.expect(r"guest\.loaded format=multiboot2-elf32 entry=0x\w+ segments=\d+ "
                      r"base=0x100000 info=(0x\w+) info_size=(\d+) modules=1\r")
    m.expect_exact("mb2: start")
    m.expect_exact('mb2: cmdline="%s"' % args)
    mod = m.expect(r'mb2: module start=(0x[0-9a-f]+) end=(0x[0-9a-f]+) cmdline="initrd"')
    assert int(mod.group(2), 16) - int(mod.group(1), 16) == 10000
    region = m.expect(r"mb2: hv_region base=(0x[0-9a-f]+) end=(0x[0-9a-f]+)\r")
    # The region the guest sees reserved holds the hypervisor's (the stash
    # of the modules below it may have grown it since the boot summary).
    assert int(region.group(1), 16) <= hv_start and hv_end <= int(region.group(2), 16), \
        m.transcript()
    m.expect(r"mb2: acpi old=1 new=\d firmware_len=\d+")
    summary = m.expect(r"(\d+) passed, (\d+) failed")
    assert "FAIL" not in m.transcript(), m.transcript()
    assert int(summary.group(2)) == 0 and int(summary.group(1)) >= 20
    assert int(loaded.group(2)) > 0
    m.expect_exact("guest.exit status=0")
    m.expect_exit()


def test_required_framebuffer_information_is_refused_by_name(iso, machine, tmp_path):
    """The mb2 guest's optional information request (ACPI, framebuffer) made
    required: monovisor gives no framebuffer, so it refuses the image."""
    image = mb2_image()
    _, tags = header_tags(image)
    optional_requests = [t for t in tags if t[1] == 1 and t[2] & 1]
    assert optional_requests
    struct.pack_into("<H", image, optional_requests[0][0] + 2, 0)
    bad = tmp_path / "fb.elf"
    bad.write_bytes(image)
    m = machine(iso(guest=str(bad)))
    m.expect_exact("error: loader: multiboot2 image: the information request tag requires the "
                   "framebuffer information tag (type 8), which monovisor does not provide")
    out = m.command("info")
    assert "guest.module" in out or "module index=0" in out, out
    m.send("quit\r")
    m.expect_exit()


def test_required_efi_memory_map_is_refused_on_a_bios_machine(iso, machine, tmp_path):
    """The optional request for ACPI and a framebuffer made a required one
    for the old RSDP and the EFI memory map (tag 17): monovisor gives that map only
    on a UEFI machine (tests/boot/test_uefi.py), so this BIOS one refuses."""
    image = mb2_image()
    _, tags = header_tags(image)
    at, _, _, size = next(t for t in tags if t[1] == 1 and t[2] & 1)
    types = list(struct.unpack_from(f"<{(size - 8) // 4}I", image, at + 8))
    assert types == [14, 15, 8], types
    struct.pack_into("<HHI3I", image, at, 1, 0, size, 14, 17, 0)     # 0 asks for nothing
    bad = tmp_path / "efimap.elf"
    bad.write_bytes(image)
    m = machine(iso(guest=str(bad)))
    m.expect_exact("error: loader: multiboot2 image: the information request tag requires the "
                   "EFI memory map tag and this machine booted without UEFI")
    m.send("quit\r")
    m.expect_exit()


def test_required_efi_boot_services_are_refused_by_name(iso, machine, tmp_path):
    """The module alignment tag (8 bytes) turned into a required EFI boot
    services tag (type 7, also 8 bytes)."""
    image = mb2_image()
    _, tags = header_tags(image)
    align = [t for t in tags if t[1] == 6]
    assert align
    struct.pack_into("<HH", image, align[0][0], 7, 0)
    bad = tmp_path / "efi.elf"
    bad.write_bytes(image)
    m = machine(iso(guest=str(bad)))
    m.expect(r"error: loader: multiboot2 image: header tag 7 \(EFI boot services\) at offset "
             r"0x\w+: requires EFI boot services, which monovisor does not provide")
    out = m.command("help quit")
    assert "quit" in out
    m.send("quit\r")
    m.expect_exit()


def test_truncated_multiboot2_header_is_refused(iso, machine, tmp_path):
    image = mb2_image()
    off, _ = header_tags(image)
    cut = tmp_path / "cut.elf"
    cut.write_bytes(image[:off + 40])       # the fixed part and one tag of 88 bytes
    m = machine(iso(guest=str(cut)))
    m.expect_exact("error: loader: multiboot2 image: header_length runs past the end of the "
                   "file (truncated image?)")
    out = m.command("reset")
    assert "reset: requested" in out
    m.expect_exact("error: loader: multiboot2 image: header_length runs past the end")
    m.send("quit\r")
    m.expect_exit()


def relocatable_image(link, pref):
    """A flat Multiboot2 image (address, entry and relocatable tags) linked
    at link; its position-independent code exits with status 0 when EAX
    holds the Multiboot2 magic (3.2), else 1, through port 0xF4."""
    def tag(type_, flags, *fields):
        body = struct.pack("<HHI", type_, flags, 8 + 4 * len(fields)) + \
            struct.pack("<%dI" % len(fields), *fields)
        return body + b"\0" * (-len(body) % 8)
    code = bytes([0x3D]) + struct.pack("<I", 0x36D76289)    # cmp eax, magic
    code += bytes([0x75, 0x06,                                # jne bad
                   0x31, 0xC0, 0xE6, 0xF4, 0xEB, 0xFE,        # xor eax,eax; out 0xf4,al; jmp $
                   0xB0, 0x01, 0xE6, 0xF4, 0xEB, 0xFE])       # bad: mov al,1; out 0xf4,al; jmp $
    header_len = 16 + 24 + 16 + 24 + 8
    tags = (tag(2, 0, link, link, 0, link + 0x10000) + tag(3, 0, link + header_len) +
            tag(10, 0, 0x200000, 0x10000000, 0x200000, pref) + tag(0, 0))
    assert 16 + len(tags) == header_len
    head = struct.pack("<IIII", MB2_MAGIC, 0, header_len, (-(MB2_MAGIC + header_len)) & 0xFFFFFFFF)
    return head + tags + code


@pytest.mark.parametrize("pref,base", [(1, 0x200000), (2, 0xFE00000)])
def test_relocatable_image_linked_outside_guest_ram_is_moved(iso, machine, tmp_path, pref, base):
    """Linked at 3.75 GiB (not RAM): loaded at the lowest (preference 1) or
    highest (2) 2 MiB-aligned place between min_addr 2 MiB and max_addr
    256 MiB, its entry moved with it."""
    img = tmp_path / "reloc.bin"
    img.write_bytes(relocatable_image(0xF0000000, pref))
    m = machine(iso(guest=str(img), hv_args="verbose=1"))
    m.expect(r"guest\.loaded format=multiboot2-aout entry=%#x segments=1 base=%#x "
             r"relocated=1 info=0x\w+" % (base + 0x58, base))
    m.expect_exact("guest.exit status=0")
    m.expect_exit()
