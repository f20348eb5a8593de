"""Boot test of an unmodified Linux: Debian's stock kernel with a busybox
initramfs (guest/linux), two CPUs in Bochs. Linux brings up its second CPU
through monovisor's INIT/SIPI emulation, its 8250 driver runs COM1 (the
virtual 16550) with interrupts, and the terminal goes back and forth
between the guest's shell and the monovisor> prompt with Ctrl-A c.
`poweroff` in the guest powers the machine off, every core leaving VMX
operation first. It takes a few minutes of Bochs time."""
import re

from machine import LINUX_ARGS, LINUX_CPU, linux_files

CTRL_A_C = b"\x01c"
SHELL = "linux:/# "


def shell(m, line, timeout=120):
    """Type a shell command into the guest; return its output."""
    m.send(line + "\r")
    # The shell's line editor wraps a long command at the terminal's width
    # (80 columns): its echo may hold a line break anywhere.
    m.expect("(?:\r*\n)?".join(re.escape(c) for c in line), timeout)
    return m.expect_exact(SHELL, timeout).replace("\r\n", "\n")


def test_linux_smp_shell_through_the_console_mux(iso, bochs):
    kernel, initrd = linux_files()
    m = bochs(iso(guest=kernel, initrd=initrd, guest_args=LINUX_ARGS, hv_args="console=guest"),
              cpus=2, model=LINUX_CPU, ignore_bad_msrs=True)
    m.expect_exact("guest.loaded format=bzimage protocol=2.15", timeout=120)
    m.expect(r"smp: Brought up 1 node, 2 CPUs", timeout=1200)
    m.expect(r"ttyS0 at I/O 0x3f8 \(irq = 4, base_baud = 115200\) is a 16550A", timeout=600)
    m.expect(r"monovisor linux guest: 6\.1\.\S+, 2 cpus", timeout=600)
    m.expect(r"linux\.shell tsc=\d+\r?\n", timeout=300)
    m.expect_exact(SHELL, timeout=120)

    out = shell(m, "uname -a; cat /proc/cpuinfo | grep -c processor; dmesg | grep -i hypervisor")
    lines = [l.strip() for l in out.split("\n") if l.strip()]
    assert any(l.startswith("Linux ") and " 6.1." in l and "x86_64" in l for l in lines), out
    assert "2" in lines, out
    # The CPUID hypervisor bit is set (vmx/cpuid_policy.c): Linux says so.
    assert any("hypervisor" in l.lower() for l in lines if not l.startswith("Linux ")), out

    # To the monitor and back; the guest keeps running meanwhile.
    m.send(CTRL_A_C)
    m.wait_prompt(60)
    stats = m.command("stats")
    assert "reason=io" in stats or "reason=io_instruction" in stats, stats
    m.send(CTRL_A_C)
    m.send("\r")
    m.expect_exact(SHELL, timeout=120)
    assert shell(m, "echo back $((6*7))").split("\n").count("back 42") == 1

    m.send("poweroff\r")
    m.expect_exact("guest.poweroff cpu=", timeout=600)
    m.expect_exact("vmx.off cpus=2 of 2", timeout=60)
    m.expect_exact("monovisor: power off (guest exit) status=0", timeout=60)
    m.expect_exit(timeout=120)


def test_bad_bzimages_are_refused_by_name_and_the_console_stays(iso, bochs, tmp_path):
    """Linux kernels the loader cannot boot: cut short, and a boot protocol
    older than 2.06 (the version field patched). One machine boots each in
    turn; each gets its error line and the console answers."""
    kernel, _ = linux_files()
    with open(kernel, "rb") as f:
        image = bytearray(f.read())
    cut = tmp_path / "cut.bzImage"
    cut.write_bytes(image[:len(image) // 2])
    m = bochs(iso(guest=str(cut)))
    m.expect_exact("error: loader: bzImage: image truncated: syssize (0x1F4) runs past its end")
    assert "stats.cpu=0" in m.command("stats")
    m.send("quit\r")
    m.expect_exit()

    old = tmp_path / "old.bzImage"
    image[0x206:0x208] = (0x0205).to_bytes(2, "little")
    old.write_bytes(image)
    m = bochs(iso(guest=str(old)), logname="old-protocol")
    m.expect_exact("error: loader: bzImage: boot protocol version (0x206) older than 2.06")
    out = m.command("reset")
    assert "reset: requested" in out
    m.expect_exact("error: loader: bzImage: boot protocol version (0x206) older than 2.06")
    m.send("quit\r")
    m.expect_exit()
