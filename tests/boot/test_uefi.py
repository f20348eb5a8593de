"""Boot tests through UEFI: the same hybrid ISO under OVMF (Debian's ovmf)
in QEMU's TCG. GRUB's EFI build exits boot services and enters monovisor
by Multiboot2 with the EFI memory map, the EFI64 system table and the ACPI
RSDP tags; monovisor takes its memory map from the EFI one, finds the RSDP
through the system table for a Linux guest (acpi_rsdp_addr) and runs the
guest as on a legacy BIOS. QEMU emulates SVM, not VT-x: the guests run on
the SVM backend, and an Intel CPU model gets the clean no-VMX error."""
import re
import struct

import pytest

from machine import LINUX_ARGS, linux_files

SVM_CPU = "EPYC,+svm,+npt"
SHELL = "linux:/# "


def uefi(qemu, path, **kw):
    return qemu(path, firmware="uefi", **kw)


def check_uefi_info(out):
    """`info` on a UEFI machine: the firmware, the EFI map, the RSDP."""
    fw = re.search(r"^boot\.firmware=uefi mem\.source=efi mem\.efi_descriptors=(\d+) "
                   r"efi\.system_table=0x[0-9a-f]+$", out, re.M)
    assert fw and int(fw.group(1)) > 10, out
    assert re.search(r"acpi\.revision=2 .* acpi\.rsdp=0x[1-9a-f][0-9a-f]*$", out, re.M), out
    assert re.search(r"^hv\.region start=0x[0-9a-f]+ end=0x[0-9a-f]+ size_kib=\d+$", out, re.M), out
    # What firmware keeps (ACPI tables, NVS, runtime services) stays out
    # of the guest's RAM: reserved or ACPI in the map monovisor keeps.
    types = set(re.findall(r"^mem\.region index=\d+ start=\S+ end=\S+ type=(\w+)$", out, re.M))
    assert "available" in types and types & {"reserved", "acpi", "nvs"}, out


def test_uefi_intel_without_vmx_says_so_and_powers_off(iso, qemu):
    m = uefi(qemu, iso(), cpu="Nehalem")
    m.expect_exact("monovisor ", timeout=120)
    m.expect(r"error: vmx: this CPU has no VMX \(CPUID\.1:ECX\.VMX=0\): run monovisor on")
    m.expect_exact("monovisor: power off (VMX unavailable) status=2")
    m.expect_exit(timeout=30)
    assert m.exit_status() == 0, "QEMU should leave through ACPI S5 power-off"


def test_uefi_selftest_and_the_efi_boot_information(iso, qemu):
    m = uefi(qemu, iso(guest="selftest", hv_args="verbose=1 onexit=console"), cpu=SVM_CPU, cpus=2)
    m.expect(r"boot\.firmware=uefi mem\.source=efi", timeout=120)
    summary = m.expect(r"(\d+) passed, (\d+) failed", timeout=300)
    assert summary.group(2) == "0" and "FAIL" not in m.transcript(), m.transcript()
    m.expect_exact('guest.stopped cpu=0 reason="guest exit"')
    check_uefi_info(m.command("info"))
    m.send("quit\r")
    m.expect_exact("monovisor: power off (console quit) status=0")
    m.expect_exit()


def test_uefi_smp_guest_starts_every_ap_once(iso, qemu):
    cpus = 4
    m = uefi(qemu, iso(guest="smp_mb2", hv_args="verbose=1 onexit=console"), cpu=SVM_CPU,
             cpus=cpus)
    m.expect_exact(f"smp.online={cpus} of {cpus}", timeout=120)
    summary = m.expect(r"(\d+) passed, (\d+) failed", timeout=300)
    out = m.transcript()
    assert summary.group(2) == "0" and "FAIL" not in out, out
    for apic in range(1, cpus):
        assert f"smp: ap apic={apic} starts=1 cpuid=ok vmcall=0x20000" in out, out
        assert f"smp: ap apic={apic} starts=3 cpuid=ok vmcall=0x20000" in out, out


def test_uefi_mb2_guest_gets_the_efi_memory_map(iso, qemu, tmp_path):
    """A Multiboot2 guest on a UEFI machine: its information carries the
    EFI memory map (tag 17) beside the e820-style one, the same regions
    and types, the hypervisor's region not conventional memory, and no EFI
    system table (no runtime services). The guest's checks are
    guest/tests/mb2.c's, with efi=1."""
    initrd = tmp_path / "initrd.bin"
    initrd.write_bytes(bytes((i * 7 + 3) & 0xFF for i in range(5000)))
    m = uefi(qemu, iso(guest="mb2", initrd=str(initrd), guest_args="mod_len=5000 efi=1",
                       hv_args="onexit=console"), cpu=SVM_CPU)
    m.expect_exact("mb2: start", timeout=120)
    n = m.expect(r"mb2: efi_map descriptors=(\d+)\r", timeout=60)
    summary = m.expect(r"(\d+) passed, (\d+) failed", timeout=60)
    assert summary.group(2) == "0" and "FAIL" not in m.transcript(), m.transcript()
    assert int(n.group(1)) > 3, m.transcript()
    m.send("quit\r")
    m.expect_exit()


def test_bios_info_says_legacy(iso, machine):
    """On a legacy BIOS the map is Multiboot2's and no RSDP address is
    handed on (Linux finds it in the BIOS area)."""
    m = machine(iso(hv_args="baud=115200"))
    m.expect_exact("error: loader: no guest module")
    out = m.command("info")
    assert re.search(r"^boot\.firmware=bios mem\.source=multiboot2$", out, re.M), out
    assert "acpi.rsdp=0\n" in out.replace("\r", "") or "acpi.rsdp=0x0" in out, out


def test_uefi_linux_boots_to_its_shell(iso, qemu):
    """Debian's kernel under OVMF with 2 CPUs: no RSDP in the BIOS area, so
    Linux finds ACPI only through acpi_rsdp_addr, and its e820 map is the
    EFI map's. A line typed right at the first prompt is answered, the
    monitor shows both vCPUs running, and `poweroff` ends it (both cores
    leave SVM)."""
    kernel, initrd = linux_files()
    m = uefi(qemu, iso(guest=kernel, initrd=initrd, guest_args=LINUX_ARGS,
                       hv_args="console=guest verbose=1"), cpu=SVM_CPU, cpus=2)
    m.expect(r"boot\.firmware=uefi mem\.source=efi", timeout=120)
    m.expect_exact("guest.loaded format=bzimage protocol=2.15", timeout=120)
    m.expect(r"BIOS-e820: \[mem 0x0000000000000000-0x[0-9a-f]+\] usable", timeout=300)
    m.expect(r"BIOS-e820: \[mem 0x[0-9a-f]+-0x[0-9a-f]+\] ACPI NVS", timeout=60)  # OVMF's, from the EFI map
    m.expect(r"ACPI: RSDP 0x0*[0-9A-F]+ 0000(14|24) \(v0[02]", timeout=300)
    m.expect(r"smp: Brought up 1 node, 2 CPUs", timeout=600)
    m.expect_exact("ACPI: Using IOAPIC for interrupt routing", timeout=300)
    m.expect(r"linux\.shell tsc=\d+", timeout=600)
    m.expect_exact(SHELL, timeout=120)
    m.send("echo typed-$((6*7))\r")
    m.expect_exact("typed-42", timeout=120)
    m.expect_exact(SHELL, timeout=60)
    m.send(b"\x01c")
    m.wait_prompt(60)
    stats = m.command("stats")
    assert "stats.cpu=0 state=running" in stats and "stats.cpu=1 state=running" in stats, stats
    m.send(b"\x01c")
    m.send("\r")
    m.expect_exact(SHELL, timeout=120)
    m.send("poweroff\r")
    m.expect_exact("guest.poweroff cpu=", timeout=600)
    m.expect_exact("svm.off cpus=2 of 2", timeout=60)
    m.expect_exact("monovisor: power off (guest exit) status=0", timeout=60)
    m.expect_exit(timeout=120)


# ---- the console the firmware names (ACPI SPCR) -----------------------------

def spcr_table(path, interface, space, address, baud_code=7, bits=8, access=1):
    """An SPCR of revision 2 (Microsoft's SPCR specification) for QEMU's
    -acpitable: the interface type, the base address as a GAS, IRQ 4, the
    baud rate code (7: 115200, 0: as configured), not a PCI device."""
    body = struct.pack("<B3xBBBBQBBIBBBBBBHHBBBIB4x", interface, space, bits, 0, access,
                       address, 1, 4, 0, baud_code, 0, 1, 0, 0, 0, 0xFFFF, 0xFFFF, 0, 0, 0,
                       0, 0)
    length = 36 + len(body)
    header = struct.pack("<4sIBB6s8sI4sI", b"SPCR", length, 2, 0, b"MONOVI", b"SPCRTEST", 1,
                         b"MNVS", 1)
    table = bytearray(header + body)
    table[9] = (-sum(table)) & 0xFF
    path.write_bytes(bytes(table))
    return str(path)


@pytest.mark.parametrize("firmware, baud_code, baud", [("bios", 7, "115200"),
                                                       ("uefi", 0, "firmware")])
def test_spcr_console_on_com2_without_serial_option(iso, qemu, tmp_path, firmware, baud_code,
                                                     baud):
    """The SPCR names COM2 (0x2F8) and no serial= is given: the console moves
    there (QEMU's COM1 goes nowhere) and says so; the prompt answers. Baud
    code 0 keeps the speed the firmware set."""
    table = spcr_table(tmp_path / "spcr.bin", 0, 1, 0x2F8, baud_code=baud_code)
    m = qemu(iso(hv_args="onexit=console"), cpu=SVM_CPU, firmware=firmware,
             serial=("null", "stdio"), extra=["-acpitable", f"file={table}"])
    line = f"console.source=spcr type=16550 address=io:0x2f8 baud={baud} spcr=16550-io"
    m.expect_exact(line, timeout=120)
    m.expect_exact("error: loader: no guest module")
    out = m.command("info")
    assert line in out, out
    m.send("quit\r")
    m.expect_exact("monovisor: power off (console quit) status=0")
    m.expect_exit()


def test_serial_option_wins_over_the_spcr(iso, qemu, tmp_path):
    table = spcr_table(tmp_path / "spcr.bin", 0, 1, 0x2F8, baud_code=0)
    m = qemu(iso(hv_args="serial=0x3f8"), cpu=SVM_CPU, extra=["-acpitable", f"file={table}"])
    m.expect_exact("console.source=cmdline type=16550 address=io:0x3f8 baud=115200 spcr=16550-io",
                   timeout=120)
    m.expect_exact("error: loader: no guest module")
    m.send("quit\r")
    m.expect_exit()


def test_spcr_of_a_uart_not_driven_says_so_and_stays_on_com1(iso, qemu, tmp_path):
    """An MMIO 16550 that does not answer (nothing is at that address in
    QEMU's PC) and a PL011: one note each, COM1 kept."""
    cases = (("mmio", 0x12, 0, 0xFEDC9000, "16550-mmio",
              "note: console: the ACPI SPCR names a 16550 at mmio:0xfedc9000,4 that does not "
              "answer: the console stays on COM1"),
             ("pl011", 3, 0, 0x9000000, "other",
              "note: console: the ACPI SPCR names a UART monovisor does not drive (interface "
              "type 0x3, memory 0x9000000): the console stays on COM1"))
    for name, interface, space, address, kind, note in cases:
        table = spcr_table(tmp_path / f"{name}.bin", interface, space, address, bits=32, access=3)
        m = qemu(iso(hv_args="onexit=console"), cpu=SVM_CPU, logname=f"spcr-{name}",
                 extra=["-acpitable", f"file={table}"])
        m.expect_exact(note, timeout=120)
        m.expect_exact("error: loader: no guest module")
        out = m.command("info")
        assert f"console.source=default type=16550 address=io:0x3f8 baud=115200 spcr={kind}" in out, out
        m.send("quit\r")
        m.expect_exit()


@pytest.mark.parametrize("firmware", ["bios", "uefi"])
def test_the_spcr_the_guest_reads_names_its_uart(iso, qemu, tmp_path, firmware):
    """The SPCR names an MMIO 16550 behind a PCI function that does not
    answer: the console stays on COM1, and the machine's SPCR is rewritten
    for the guest to name the UART it has, COM1 with IRQ 4, not a PCI
    device; the guest finds it there (its checksum right: acpi_parse
    checks it), under SeaBIOS and OVMF alike."""
    table = spcr_table(tmp_path / "spcr.bin", 0x12, 0, 0xFEDC9000, bits=32, access=3)
    initrd = tmp_path / "initrd.bin"
    initrd.write_bytes(bytes((i * 7 + 3) & 0xFF for i in range(5000)))
    efi = " efi=1" if firmware == "uefi" else ""       # the guest expects the EFI map tag
    m = qemu(iso(guest="mb2", initrd=str(initrd), guest_args=f"mod_len=5000{efi}",
                 hv_args="onexit=console"),
             cpu=SVM_CPU, firmware=firmware, extra=["-acpitable", f"file={table}"])
    note = m.expect(r"console\.guest_spcr=io:0x3f8 irq=4 gsi=(\d+) \(the firmware's named mmio "
                    r"0xfedc9000 irq 4\)", timeout=120)
    m.expect_exact("mb2: spcr interface=0 space=1 address=0x3f8 irq=4 pci=ffff", timeout=120)
    summary = m.expect(r"(\d+) passed, (\d+) failed", timeout=60)
    assert summary.group(2) == "0" and "FAIL" not in m.transcript(), m.transcript()
    out = m.command("info")
    assert note.group(0) in out, out
    m.send("quit\r")
    m.expect_exit()


# ---- a PCI 16550 card as the console (serial=pci:BB:DD.F) --------------------

PCI_SERIAL = ["-chardev", "stdio,id=card", "-device", "pci-serial,chardev=card,addr=05.0"]


@pytest.mark.parametrize("firmware", ["bios", "uefi"])
def test_pci_serial_card_as_the_only_console(iso, qemu, firmware):
    """QEMU's pci-serial (a 16550 behind an I/O BAR) and no COM1: the
    console is the card, found by its BAR; the guest's UART is COM1 (the
    card's interrupt is a PCI one) and its bytes reach the card's wire;
    the card's own ports are kept from the guest."""
    m = qemu(iso(guest="selftest", hv_args="serial=pci:00:05.0 onexit=console"), cpu=SVM_CPU,
             firmware=firmware, serial=("none",), extra=PCI_SERIAL)
    line = m.expect(r"console\.source=cmdline type=16550 address=io:(0x[0-9a-f]+) pci=00:05\.0 "
                    r"baud=115200 spcr=none", timeout=120)
    assert int(line.group(1), 16) not in (0x3F8, 0x2F8), line.group(0)
    summary = m.expect(r"(\d+) passed, (\d+) failed", timeout=300)
    assert summary.group(2) == "0" and "FAIL" not in m.transcript(), m.transcript()
    m.expect_exact('guest.stopped cpu=0 reason="guest exit"')
    out = m.command("info")
    assert f"opt.serial=pci:00:05.0" in out and line.group(0) in out, out
    m.send("quit\r")
    m.expect_exact("monovisor: power off (console quit) status=0")
    m.expect_exit()


def pci_card(bridged, console):
    """QEMU's devices for a PCI 16550 card at 00:05.0, or behind a
    PCI-to-PCI bridge at 00:06.0 (bus 1, the firmware's numbering) at
    01:05.0; console: on the terminal. The card's function, its devices."""
    where = "bus=br1," if bridged else ""
    devices = ["-device", "pci-bridge,id=br1,chassis_nr=1,addr=06.0"] if bridged else []
    if console:
        devices += ["-chardev", "stdio,id=card"]
    devices += ["-device", f"pci-serial,{'chardev=card,' if console else ''}{where}addr=05.0"]
    return ("01:05.0" if bridged else "00:05.0"), devices


PLACES = [(chipset, bridged) for bridged in (False, True) for chipset in ("pc", "q35")]
PLACE_IDS = [f"{c}-{'bridged' if b else 'bus0'}" for c, b in PLACES]


@pytest.mark.parametrize("chipset,bridged", PLACES, ids=PLACE_IDS)
def test_the_console_cards_configuration_space_is_the_hypervisors(iso, qemu, chipset, bridged):
    """The guest turns the console card's decoding off and moves its BAR
    (guest/tests/attack_pci.c), through ports 0xCF8/0xCFC and, on q35,
    through the ECAM window; with the card behind a bridge it also turns
    the bridge's decoding off and moves its bus numbers past the card's.
    Every write to either is dropped and said once per function and way,
    the registers read back what they held, another function's register
    still takes a write, and the console answers."""
    card, devices = pci_card(bridged, console=True)
    q35 = ["-machine", "q35"] if chipset == "q35" else []
    m = qemu(iso(guest="attack_pci", guest_args=f"bus={int(bridged)}",
                 hv_args=f"serial=pci:{card} onexit=console"),
             cpu=SVM_CPU, serial=("none",), extra=devices + q35)
    for way in ("mechanism #1", "ECAM") if chipset == "q35" else ("mechanism #1",):
        m.expect_exact(f"note: guest: configuration write to PCI {card} (register 0x4, {way}) "
                       "dropped: the function is the hypervisor's console", timeout=120)
        if bridged:
            m.expect_exact(f"note: guest: configuration write to PCI 00:06.0 (register 0x4, {way}) "
                           "dropped: the function is a bridge to the hypervisor's console", timeout=60)
    summary = m.expect(r"(\d+) passed, (\d+) failed", timeout=120)
    out = m.transcript()
    assert summary.group(2) == "0" and "FAIL" not in out, out
    assert ("attack_pci: no ECAM window" in out) == (chipset == "pc"), out
    m.expect_exact('guest.stopped cpu=0 reason="guest exit"')
    out = m.command("cpus")
    ways = 2 if chipset == "q35" else 1
    # Per way: the card's COMMAND, BAR0 sized, BAR0 moved, and the two
    # writes back; the bridge's COMMAND and bus numbers, and the two back.
    assert f"pci.kept_writes_dropped={(5 + 4 * bridged) * ways}" in out, out
    m.send("quit\r")
    m.expect_exact("monovisor: power off (console quit) status=0")
    m.expect_exit()


@pytest.mark.parametrize("chipset,bridged", PLACES, ids=PLACE_IDS)
def test_attack_pci_natively_the_card_takes_the_writes(iso, qemu, chipset, bridged):
    """The oracle: without monovisor the same card's COMMAND and BAR0
    take the guest's writes, through both ways, and so do the bridge's
    COMMAND and bus numbers, which take the card off the machine's buses
    (the guest puts everything back)."""
    _, devices = pci_card(bridged, console=False)
    q35 = ["-machine", "q35"] if chipset == "q35" else []
    m = qemu(iso(guest="attack_pci", guest_args=f"bus={int(bridged)}", native=True), cpu=SVM_CPU,
             extra=devices + q35)
    summary = m.expect(r"(\d+) passed, (\d+) failed", timeout=120)
    out = m.transcript()
    assert summary.group(2) == "0" and "FAIL" not in out, out
    assert re.search(r"attack_pci: mechanism #1: command [0-9a-f]{4} -> 0000", out), out
    assert bool(re.search(r"attack_pci: mechanism #1: bridge 00:06\.0 command [0-9a-f]{4} -> 0000, "
                          r"buses 010100 -> 404000, card id ffffffff", out)) == bridged, out


def test_serial_option_naming_nothing_falls_back_to_com1(iso, qemu):
    """serial= naming no PCI function, an MMIO address where no 16550
    answers, or one in RAM (where a probe would seem to answer and the
    console would write into memory): said once, and the console is COM1."""
    for n, (spec, why) in enumerate((("pci:00:1f.7", "no PCI function there"),
                                     ("mmio:0xd0000000,4", "no 16550 answers at mmio:0xd0000000,4"),
                                     ("mmio:0x200000,1",
                                      "mmio:0x200000,1 is RAM in the memory map, not a UART"))):
        m = qemu(iso(hv_args=f"serial={spec}"), cpu=SVM_CPU, logname=f"serial-option-{n}")
        m.expect_exact(f"error: console: serial={spec}: {why}; the console is COM1 (io:0x3f8)",
                       timeout=120)
        m.expect_exact("error: loader: no guest module")
        out = m.command("info")
        assert "console.source=cmdline type=16550 address=io:0x3f8 baud=115200" in out, out
        m.send("quit\r")
        m.expect_exit()
