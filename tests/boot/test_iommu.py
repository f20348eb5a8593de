"""Boot tests of device DMA against the hypervisor (guest/tests/attack_dma.c)
in QEMU's TCG with an SVM CPU: a q35 machine with QEMU's `edu` PCI device
(a DMA engine the guest drives), with or without an emulated IOMMU
(intel-iommu, amd-iommu). Without one, the guest's DMA reads the
hypervisor's memory: the negative control, proving the guest would see a
leak. With one, the hypervisor maps guest memory identity for every device
and leaves its own region and the IOMMU's registers out: every DMA aimed at
the hypervisor finds nothing, the hypervisor's memory is unchanged (the
`ept` checksum) and the `iommu` command shows the faults.

QEMU 7.2 facts: the IOMMU device is given before the PCI devices (QEMU's
documented rule; 7.2 translates a cold-plugged edu in either order); edu
masks DMA addresses to 28 bits unless given dma_mask, and aborts on a
transfer that ends at its buffer's end (the guest moves 2 KiB at a time);
a DMA read the IOMMU refuses fills edu's buffer with zeros, a refused write
is dropped; intel-iommu's registers are at 0xfed90000 (0x230 bytes),
amd-iommu's at 0xfed80000 (16 KiB; the IOMMU is a PCI function too), as
`info mtree` shows.
"""
import hashlib
import re

import pytest

from machine import LINUX_ARGS, linux_files
from test_attacks import boot, intact, passed, quit
from test_linux import SHELL, shell

CPU = "EPYC,+svm,+npt"
EDU = "edu,dma_mask=0xffffffffffff"
CTRL_A_C = b"\x01c"
IOMMUS = {
    "vtd": ("intel-iommu", 0xFED90000),
    "amdvi": ("amd-iommu", 0xFED80000),
}
EDU_AT = r"attack_dma: edu at ([0-9a-f]{2}:[0-9a-f]{2}\.[0-7]) bar0=0x\w+\r"
REGION = r"attack_dma: hypervisor region (0x\w+)-(0x\w+)\r"


def q35(qemu, *devices):
    """A machine factory for boot(): QEMU's q35 with devices in this order."""
    extra = ["-machine", "q35"] + [a for d in devices for a in ("-device", d)]

    def make(iso_path, cpus=1):
        return qemu(iso_path, cpus=cpus, cpu=CPU, extra=extra)
    return make


def attacks_the_hypervisor(m):
    """The guest aims at the region the hypervisor says is its own (q35's
    memory map reserves the PCI Express configuration window as well);
    returns (start, end)."""
    hv = re.search(r"^ept\.hv start=(0x\w+) end=(0x\w+) ", m.transcript(), re.M).groups()
    region = m.expect(REGION).groups()
    assert [int(x, 16) for x in region] == [int(x, 16) for x in hv], (region, hv)
    return hv


def test_dma_without_iommu_reaches_the_hypervisor(iso, qemu):
    m, checksum = boot(iso, q35(qemu, EDU), "attack_dma", guest_args="iommu=0")
    m.expect(EDU_AT)
    m.expect_exact("ok DMA into the guest's own RAM: 2048 bytes RAM -> device -> RAM, 0 differ")
    attacks_the_hypervisor(m)
    m.expect(r"ok DMA read of the hypervisor's first page 0x\w+ without an IOMMU: leaked, \d+ bytes differ")
    m.expect(r"ok DMA read of the hypervisor's image without an IOMMU: "
             r"its Multiboot2 header 0xe85250d6 at 0x\w+")
    passed(m, 5)
    m.expect_exact("attack_dma: done")
    m.expect_exact('guest.stopped cpu=0 reason="guest exit"')
    # DMA reads only: the hypervisor's memory is unchanged.
    intact(m, checksum)
    quit(m)


def test_pci_config_mechanism_1_reaches_the_devices(iso, qemu):
    # The guest falls back on ECAM (MCFG) when 00:00.0 does not read as a
    # host bridge through ports 0xCF8/0xCFC; it must not need to: a dword
    # OUT to 0xCF8 reaches CONFIG_ADDRESS whole, not as bytes (one of them
    # to 0xCF9, the reset register).
    m, _ = boot(iso, q35(qemu, EDU), "attack_dma", guest_args="iommu=0")
    m.expect(r"attack_dma: pci config=(\w+) ")
    assert m.child.match.group(1) == "cf8", m.transcript()
    m.expect_exact("attack_dma: done")
    quit(m)


def test_no_iommu_warns(iso, qemu):
    m, _ = boot(iso, q35(qemu, EDU), "attack_dma", guest_args="iommu=0")
    m.expect_exact("attack_dma: done")
    # Printed at boot, before the checksum boot() waited for: in the transcript.
    assert "warning: iommu: none: device DMA is not confined" in m.transcript(), m.transcript()
    quit(m)


@pytest.mark.parametrize("kind", sorted(IOMMUS))
def test_dma_attack_is_refused(iso, qemu, kind):
    device, regs = IOMMUS[kind]
    m, checksum = boot(iso, q35(qemu, device, EDU), "attack_dma",
                       guest_args=f"iommu=1 regs={regs:#x} tables=1")
    # The boot line (after a "monovisor> " prompt: not at a line's start).
    out = m.transcript()
    assert re.search(rf"\biommu\.units=1 type={kind} mode=identity-minus-hv\r?$", out, re.M), out
    bdf = m.expect(EDU_AT).group(1)
    m.expect_exact("ok DMA into the guest's own RAM: 2048 bytes RAM -> device -> RAM, 0 differ")
    hv = attacks_the_hypervisor(m)
    # (e) The IOMMU's own tables, where `iommu` says they are, typed to the
    # guest (its COM1) one address a line.
    m.expect_exact("attack_dma: DMA targets?")
    tables = re.findall(r"^iommu\.table name=(\w+) pa=(0x\w+)$", m.command("iommu"), re.M)
    want = {"vtd": {"dma_map", "root_table", "context_table"},
            "amdvi": {"dma_map", "device_table", "event_log"}}[kind]
    assert {name for name, _ in tables} == want, tables
    m.send(CTRL_A_C)
    m.expect_exact("[monovisor: console -> guest, Ctrl-A c returns]")
    for _, pa in tables:
        m.send(f"{pa}\r")
    m.send("\r")
    m.expect_exact(f"ok after {len(tables)} tables: DMA into the guest's own RAM still works, 0 bytes differ")
    passed(m, 11 + 2 * len(tables) + 1)
    m.expect_exact("attack_dma: done")
    m.expect_exact('guest.stopped cpu=0 reason="guest exit"')
    m.send(CTRL_A_C)
    m.expect_exact("[monovisor: console -> monitor]")
    m.wait_prompt()
    intact(m, checksum)
    # The faults the attacks caused, edu's among them, some inside the
    # hypervisor's region (addresses may be page-aligned). More key=value
    # fields may follow on each line.
    out = m.command("iommu")
    s = re.search(rf"^iommu\.units=1 type={kind} mode=identity-minus-hv faults=(\d+) hidden=(\d+)$", out, re.M)
    assert s and int(s.group(2)) >= 1, out      # the DMAR or IVRS out of the guest's root tables
    if kind == "amdvi":
        # QEMU 7.2's amd-iommu refuses the DMA but writes no event (its
        # amdvi_log_event tests the status register with an OR, which is
        # always true, and returns): nothing to count there.
        quit(m)
        return
    assert int(s.group(1)) >= 1, out
    faults = re.findall(rf"^iommu\.fault unit=\d+ device={re.escape(bdf)} address=(0x\w+) "
                        r"access=(?:read|write) reason=\S+ count=\d+( \S+=\S*)*$", out, re.M)
    start, end = (int(x, 16) for x in hv)
    assert any(start & ~0xFFF <= int(a, 16) < end for a, _ in faults), out
    quit(m)


def test_without_an_iommu_the_console_says_so(iso, machine):
    # Bochs (VT-x) and QEMU's pc machine (SVM) have no DMAR or IVRS.
    m, checksum = boot(iso, machine, "halt")
    assert "warning: iommu: none: device DMA is not confined" in m.transcript(), m.transcript()
    none = 'iommu.units=0 type=none reason="none": device DMA is not confined'
    assert none in m.command("iommu"), m.transcript()
    assert none in m.command("info"), m.transcript()
    intact(m, checksum)
    quit(m)


@pytest.mark.parametrize("kind", sorted(IOMMUS))
def test_linux_reads_its_disk_through_the_iommu(iso, qemu, kind, tmp_path):
    """Debian's kernel with intel_iommu=on finds no IOMMU (the DMAR or IVRS
    is hidden, the registers refused), and reads a virtio disk whose DMA
    goes through the IOMMU (iommu_platform=on: QEMU's virtio otherwise
    bypasses it) and monovisor's map of the guest's RAM: every byte
    arrives, and no fault is recorded."""
    kernel, initrd = linux_files()
    data = b"monovisor dma test\n" + bytes((i * 131 + 7) & 0xFF for i in range((1 << 20) - 19))
    disk = tmp_path / "disk.img"
    disk.write_bytes(data)
    device, _ = IOMMUS[kind]
    extra = ["-machine", "q35", "-device", device,
             "-drive", f"file={disk},format=raw,if=none,id=d0",
             "-device", "virtio-blk-pci,drive=d0,disable-legacy=on,iommu_platform=on"]
    m = qemu(iso(guest=kernel, initrd=initrd, guest_args=f"{LINUX_ARGS} intel_iommu=on virtio_disk",
                 hv_args="console=guest"), cpus=1, cpu=CPU, extra=extra)
    m.expect(rf"iommu\.units=1 type={kind} mode=identity-minus-hv", timeout=120)
    m.expect(r"linux\.shell tsc=\d+", timeout=900)
    m.expect_exact(SHELL, timeout=120)
    out = shell(m, "md5sum /dev/vda; ls /sys/class/iommu | wc -l; "
                   "dmesg | grep -c -e 'DMAR: Host address width' -e 'DMAR: DRHD' -e 'AMD-Vi: Found IOMMU'")
    lines = [l.strip() for l in out.split("\n") if l.strip()]
    assert f"{hashlib.md5(data).hexdigest()}  /dev/vda" in lines, out
    assert lines[-2:] == ["0", "0"], out        # no IOMMU in sysfs, none found in ACPI
    m.send(CTRL_A_C)
    m.wait_prompt(60)
    s = re.search(rf"^iommu\.units=1 type={kind} mode=identity-minus-hv faults=(\d+) hidden=1$",
                  m.command("iommu"), re.M)
    assert s and s.group(1) == "0", m.transcript()
    m.send(CTRL_A_C)
    m.send("\r")
    m.expect_exact(SHELL, timeout=120)
    m.send("poweroff\r")
    m.expect_exact("monovisor: power off (guest exit) status=0", timeout=300)
    m.expect_exit(timeout=120)
