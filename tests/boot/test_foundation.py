"""Boot tests of the foundation: boot, VMX probe, console, command line,
power-off, and the no-VMX path."""
import re

import pytest


def test_qemu_intel_without_vmx_says_so_and_powers_off(iso, qemu):
    """QEMU's TCG has no VMX: an Intel CPU model gets the VMX backend's one
    clear error line, then QEMU exits by itself."""
    m = qemu(iso(), cpu="Nehalem")
    m.expect_exact("monovisor ")
    m.expect(r"vmx\.supported=0 vmx\.status=absent")
    m.expect(r"error: vmx: this CPU has no VMX \(CPUID\.1:ECX\.VMX=0\): run monovisor on")
    m.expect_exact("monovisor: power off (VMX unavailable) status=2")
    m.expect_exit(timeout=30)
    assert m.exit_status() == 0, "QEMU should leave through ACPI S5 power-off"
    assert "monovisor> " not in m.transcript()


@pytest.mark.parametrize("cpu, status, why", [
    ("qemu64,-svm", "absent", r"this CPU has no SVM \(CPUID\.80000001H:ECX\.SVM=0\)"),
    ("qemu64", "unusable", r"SVM without nested paging \(CPUID\.8000000AH:EDX\.NP=0\)"),
])
def test_qemu_amd_without_usable_svm_says_so_and_powers_off(iso, qemu, cpu, status, why):
    """An AMD CPU model goes to the SVM backend: without SVM, or with SVM
    but no nested paging (QEMU's default qemu64), one clear error line."""
    m = qemu(iso(), cpu=cpu)
    m.expect(rf"svm\.supported=\d svm\.status={status}")
    m.expect(rf"error: svm: {why}")
    m.expect_exact("monovisor: power off (SVM unavailable) status=2")
    m.expect_exit(timeout=30)
    assert m.exit_status() == 0
    assert "monovisor> " not in m.transcript()


def test_bochs_four_cpus_reports_vmx_with_ept_and_unrestricted_guest(iso, bochs):
    m = bochs(iso(hv_args="verbose=1"), cpus=4)      # the boot report
    m.expect(r"cpus\.count=4 cpus\.bsp_apic_id=0")
    m.expect(r"vmx\.supported=1 vmx\.status=ready")
    m.expect(r"vmx\.ept=1 vmx\.unrestricted_guest=1 vmx\.vpid=1 vmx\.preemption_timer=1")
    m.expect_exact("error: loader: no guest module")
    out = m.command("info")
    assert "cpus.apic_ids=0,1,2,3" in out
    m.send("quit\r")
    m.expect_exact("monovisor: power off (console quit) status=0")
    m.expect_exit()


def test_console_help_info_errors_and_quit(iso, bochs):
    m = bochs(iso(hv_args="baud=115200"))
    m.expect_exact("error: loader: no guest module")

    out = m.command("help")
    for name in ("help", "info", "quit"):
        assert re.search(rf'^cmd={name} usage="[^"]+" help="[^"]+"$', out, re.M), out

    out = m.command("help info")
    assert out.strip().startswith('cmd=info usage="info"'), out
    assert "cmd=quit" not in out

    out = m.command("help nosuch")
    assert "error: no command 'nosuch'" in out

    out = m.command("info")
    assert re.search(r"^version=\S+ loader=\"GRUB", out, re.M), out
    assert re.search(r"^boot\.tsc_kmain=[1-9]\d* boot\.tsc_guest_start=0$", out, re.M), out
    assert 'cmdline="baud=115200"' in out
    assert "opt.serial=0x3f8 opt.baud=115200" in out
    assert "cpus.count=1 cpus.bsp_apic_id=0 cpus.apic_ids=0" in out
    assert re.search(r"^mem\.region index=0 start=0 end=0x9f\w+ type=available$", out, re.M)
    hv = re.search(r"^hv\.region start=(0x\w+) end=(0x\w+)", out, re.M)
    assert hv and int(hv.group(1), 16) >= 256 << 20, "hypervisor must sit high"
    assert int(hv.group(1), 16) % (2 << 20) == 0
    assert re.search(r"^hv\.pool pages=4096 used=\d+ peak=\d+", out, re.M)
    assert "guest.module=none" in out
    assert "vmx.ept=1 vmx.unrestricted_guest=1" in out
    assert re.search(r"^tsc\.khz=[1-9]\d* tsc\.source=\w+", out, re.M)

    out = m.command("frobnicate now")
    assert "error: unknown command 'frobnicate' (type help for the list)" in out

    out = m.command("info extra")
    assert "error: usage: info" in out

    # Over-long line: rejected at Enter, console lives on.
    m.send("x" * 300 + "\r")
    m.expect_exact("error: line too long (more than 160 characters)")
    m.wait_prompt()

    # Binary garbage (not Ctrl-A: that is the console mux's escape).
    m.send(b"ab\x02\xfe\x00cd\r")
    m.expect_exact("error: line contains a non-printable byte (0x02)")
    m.wait_prompt()

    # Unterminated quote, an empty line, and a terminal escape sequence.
    out = m.command('help "info')
    assert "error: unterminated quote" in out
    m.send("\r")
    m.wait_prompt()
    m.send("\x1b[C")                   # a terminal escape sequence is swallowed
    out = m.command("help quit")
    assert 'cmd=quit usage="quit"' in out
    m.send("\x1b[A\r")                 # up arrow recalls the last line
    m.expect_exact('cmd=quit usage="quit"')
    m.wait_prompt()

    # Backspace edits the line before it runs.
    m.send("quix\x7ft\r")
    m.expect_exact("monovisor: power off (console quit) status=0")
    m.expect_exit()


def test_cmdline_problems_are_reported_by_name_and_defaults_kept(iso, bochs):
    m = bochs(iso(hv_args='bogus=1 baud=abc serial=0x99999 run="info; nosuchcmd; quit"'))
    m.expect_exact("error: cmdline: unknown option 'bogus' (ignored)")
    m.expect_exact("error: cmdline: baud: 'abc' is not a number; using default 115200")
    m.expect_exact("error: cmdline: serial: '0x99999' is not an I/O port (1 to 0xfff8, com1-com4), "
                   "mmio:ADDR[,1|4] or pci:BB:DD.F; using default 0x3f8")
    m.expect_exact("monovisor> info")
    m.expect_exact("opt.serial=0x3f8 opt.baud=115200")
    m.expect_exact("monovisor> nosuchcmd")
    m.expect_exact("error: unknown command 'nosuchcmd'")
    m.expect_exact("monovisor: power off (console quit) status=0")
    m.expect_exit()
    assert "monovisor> quit" in m.transcript()


def test_guest_module_and_its_arguments_are_seen(iso, bochs, tmp_path):
    guest = tmp_path / "guest.bin"
    guest.write_bytes(bytes(range(256)) * 16)
    m = bochs(iso(guest=str(guest), guest_args="console=ttyS0 quiet", hv_args="verbose=1 run=info"))
    m.expect_exact("guest.modules=1")
    m.expect(r"hv\.region start=(0x\w+) end=(0x\w+) size_kib")
    hv_start, hv_end = (int(m.child.match.group(i), 16) for i in (1, 2))
    m.expect(r'module index=0 start=(0x\w+) end=(0x\w+) size=4096 cmdline="console=ttyS0 quiet"')
    start = int(m.child.match.group(1), 16)
    # The module is stashed inside the hypervisor's region: no guest can
    # overwrite the image that reset reloads.
    assert hv_start <= start < hv_end, "module must be stashed in the hypervisor's region"
    m.wait_prompt()
    m.send("quit\r")
    m.expect_exit()
