"""Boot tests of guest reset and power-off: the guest pulses the keyboard
controller's reset line, writes the reset control register 0xCF9, sends
INIT to itself, or enters ACPI S5; monovisor resets or powers off the
guest, not the machine. The power guest counts its boots in RAM that a
guest reset keeps, so boot 2 proves the reset happened and the image was
reloaded."""
import pytest


@pytest.mark.parametrize("how", ["kbc", "cf9", "init"])
def test_guest_reset_reboots_the_guest(iso, machine, how):
    m = machine(iso(guest="power", guest_args=f"how={how}"))
    m.expect_exact(f"power: boot 1 how={how}")
    if how == "init":
        m.expect_exact("guest.init cpu=0: INIT to the boot vCPU resets the guest")
    else:
        m.expect_exact(f"guest.reset_request cpu=0 source={how}")
    m.expect_exact("guest.reset count=2")
    m.expect_exact(f"power: boot 2 how={how}")
    m.expect_exact(f"power: reset survived how={how}")
    summary = m.expect(r"(\d+) passed, (\d+) failed")
    out = m.transcript()
    assert summary.group(2) == "0" and "FAIL" not in out, out
    m.expect_exact("guest.exit status=0")
    m.expect_exact("monovisor: power off (guest exit) status=0")
    m.expect_exit()


def test_guest_acpi_s5_powers_off(iso, machine):
    m = machine(iso(guest="power", guest_args="how=acpi"))
    # The guest finds the registers itself (SDK RSDP search + drivers/acpi_tables.c).
    m.expect(r"power: acpi rsdp=0x\w+ len=\d+ pm1a_cnt=0x[1-9a-f]\w* pm1b_cnt=\w+ s5=yes ")
    m.expect_exact("power: boot 1 how=acpi")
    m.expect_exact("guest.poweroff cpu=0 source=acpi")
    m.expect_exact("guest.exit status=0")
    m.expect_exact("monovisor: power off (guest exit) status=0")
    m.expect_exit()
    out = m.transcript()
    assert "FAIL" not in out and "power: boot 2" not in out, out


def test_reset_from_an_ap_reboots_the_guest_on_the_boot_vcpu(iso, machine):
    m = machine(iso(guest="power", guest_args="how=kbc cpu=ap"), cpus=2)
    m.expect_exact("guest.start cpu=0 vcpus=2")
    m.expect_exact("power: boot 1 how=kbc apic=0")
    m.expect_exact("power: starting ap apic=1")
    m.expect_exact("guest.reset_request cpu=1 source=kbc")
    m.expect_exact("guest.reset count=2")
    m.expect_exact("power: boot 2 how=kbc apic=0")
    summary = m.expect(r"(\d+) passed, (\d+) failed")
    out = m.transcript()
    assert summary.group(2) == "0" and "FAIL" not in out, out
    m.expect_exact("guest.exit status=0")
    m.expect_exact("monovisor: power off (guest exit) status=0")
    m.expect_exit()
