"""Boot test of an unmodified Linux: Debian's stock kernel with a busybox
initramfs (guest/linux), two CPUs in Bochs. Linux brings up its second CPU
through monovisor's INIT/SIPI emulation, its 8250 driver runs COM1 (the
virtual 16550) with interrupts, and the terminal goes back and forth
between the guest's shell and the monovisor> prompt with Ctrl-A c.
`poweroff` in the guest powers the machine off, every core leaving VMX
operation first. It takes a few minutes of Bochs time."""
import re

import pytest

import linux_rt
from linux_rt import CTRL_A_C, SHELL, shell
from machine import LINUX_ARGS, LINUX_CPU, linux_files


# ept=lazy: both vCPUs fault Linux's RAM in as they touch it, through the
# exit path's assembly and, when they meet on the map lock, ept_fault_in.
@pytest.mark.parametrize("ept", ["static", "lazy"])
def test_linux_smp_shell_through_the_console_mux(iso, machine, ept):
    kernel, initrd = linux_files()
    m = machine(iso(guest=kernel, initrd=initrd, guest_args=LINUX_ARGS,
                  hv_args=f"console=guest verbose=1 ept={ept}"),
              cpus=2, model=LINUX_CPU, ignore_bad_msrs=True)
    m.expect_exact("guest.loaded format=bzimage protocol=2.15", timeout=120)
    m.expect(r"smp: Brought up 1 node, 2 CPUs", timeout=1200)
    m.expect(r"ttyS0 at I/O 0x3f8 \(irq = 4, base_baud = 115200\) is a 16550A", timeout=600)
    m.expect(r"monovisor linux guest: 6\.1\.\S+, 2 cpus", timeout=600)
    m.expect(r"linux\.shell tsc=\d+\r?\n", timeout=300)
    m.expect_exact(SHELL, timeout=120)

    out = shell(m, "uname -a; cat /proc/cpuinfo | grep -c processor; "
                   "grep -o -w hypervisor /proc/cpuinfo | head -n 1")
    lines = [l.strip() for l in out.split("\n") if l.strip()]
    assert any(l.startswith("Linux ") and " 6.1." in l and "x86_64" in l for l in lines), out
    assert "2" in lines, out
    # The CPUID hypervisor bit is set (kernel/cpuid_policy.c): Linux shows
    # the flag in /proc/cpuinfo, on either vendor.
    assert "hypervisor" in lines, out

    # The 8250 driver runs on interrupts: IRQ 4 through the I/O APIC.
    irq = shell(m, "grep ttyS0 /proc/interrupts")
    fields = next(l for l in irq.split("\n") if "IO-APIC" in l and "grep" not in l).split()
    assert "IO-APIC" in fields and "ttyS0" in fields, irq
    assert sum(int(f) for f in fields[1:fields.index("IO-APIC")]) > 0, irq

    # To the monitor and back; the guest keeps running meanwhile.
    m.send(CTRL_A_C)
    m.wait_prompt(60)
    stats = m.command("stats")
    assert "reason=io " in stats and "stats.cpu=1 state=running" in stats, stats
    out = m.command("ept")
    assert f"ept.mode={ept} " in out, out
    faults = re.search(r"^ept\.faults ram=(\d+) mmio=(\d+) hypervisor=0 outside=0 "
                       r"mapped_2m=(\d+) mapped_4k=(\d+) refusals=0$", out, re.M)
    assert faults, out
    ram, mmio, m2, m4 = map(int, faults.groups())
    assert ram + mmio == m2 + m4 and (ram > 0) == (ept == "lazy"), out
    m.send(CTRL_A_C)
    m.send("\r")
    m.expect_exact(SHELL, timeout=120)
    assert "back 43" in shell(m, "echo back $((6*7+1))").split("\n")

    m.send("poweroff\r")
    m.expect_exact("guest.poweroff cpu=", timeout=600)
    m.expect_exact(f"{m.backend}.off cpus=2 of 2", timeout=60)
    m.expect_exact("monovisor: power off (guest exit) status=0", timeout=60)
    m.expect_exit(timeout=120)


def test_bad_bzimages_are_refused_by_name_and_the_console_stays(iso, machine, tmp_path):
    """Linux kernels the loader cannot boot: cut short, and a boot protocol
    older than 2.06 (the version field patched). One machine boots each in
    turn; each gets its error line and the console answers."""
    kernel, _ = linux_files()
    with open(kernel, "rb") as f:
        image = bytearray(f.read())
    cut = tmp_path / "cut.bzImage"
    cut.write_bytes(image[:len(image) // 2])
    m = machine(iso(guest=str(cut)))
    m.expect_exact("error: loader: bzImage: image truncated: syssize (0x1F4) runs past its end")
    assert "stats.cpu=0" in m.command("stats")
    m.send("quit\r")
    m.expect_exit()

    old = tmp_path / "old.bzImage"
    image[0x206:0x208] = (0x0205).to_bytes(2, "little")
    old.write_bytes(image)
    m = machine(iso(guest=str(old)), logname="old-protocol")
    m.expect_exact("error: loader: bzImage: boot protocol version (0x206) older than 2.06")
    out = m.command("reset")
    assert "reset: requested" in out
    m.expect_exact("error: loader: bzImage: boot protocol version (0x206) older than 2.06")
    m.send("quit\r")
    m.expect_exit()


def test_linux_real_time_cores_take_no_exits(iso, bochs):
    """Issue 19: with the console on a core of its own, Debian's Linux
    takes no exit on its cores, idle or running a 1 kHz timer loop, but
    for the IPIs it sends. It
    keeps the x2APIC (kvm_leaves=1, the default), so its timer (TSC
    deadline), EOIs and TPR are MSRs the guest owns. VT-x in Bochs only:
    neither AMD model here has an x2APIC (QEMU 7.2's TCG, Bochs's ryzen),
    and an xAPIC guest's EOIs still exit (README, "Real-time set-up")."""
    m = linux_rt.boot(iso, bochs)
    r = linux_rt.measure(m)
    assert r["x2apic"], "Linux did not keep the x2APIC"
    # The only exits a guest core may take are the IPIs it sends itself
    # (an ICR write exits: INIT and SIPI are emulated), each by the fast
    # path; Linux sends one now and then (a wake-up on the other core).
    for cpu in linux_rt.GUEST_CORES:
        seconds, exits, by_hv, ipis = r["idle"][cpu]
        assert seconds >= 10 and exits == ipis and by_hv == 0, r["idle_text"]
    seconds, exits, by_hv, ipis = r["tick"][linux_rt.TICK_CORE]
    assert seconds >= 3 and exits == ipis and by_hv == 0, r["tick_text"]
    assert r["tick_outlasted_window"], r
    tick = re.fullmatch(r"tick n=(\d+) cpu=1 elapsed_us=(\d+) late_max_us=\d+", r["tick_line"] or "")
    assert tick and int(tick.group(1)) == 9000, r
    # 9000 wake-ups at 1 kHz: nine seconds of the guest's clock, give or take.
    assert 8_500_000 <= int(tick.group(2)) <= 12_000_000, r
    m.send("poweroff\r")
    m.expect_exact("monovisor: power off (guest exit) status=0", timeout=600)
    m.expect_exit(timeout=120)
