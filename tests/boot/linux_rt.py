"""linux_rt.py - the real-time measurement of Debian's Linux (issue 19),
shared by the boot test (test_linux.py) and `make bench`
(scripts/bench_linux.py).

Linux gets cores 0 and 1, the console core 2 alone (`cpus=0,1` on three
CPUs); the UART's interrupt and the shell are moved to core 0. `rt` then
counts each guest core's exits over a window of an idle system, and over a
window inside a 1 kHz timer loop pinned to core 1 (guest/linux/tick.c:
clock_nanosleep to each next millisecond, one local APIC timer interrupt
per wake-up; its output goes to a file, so the loop's core writes nothing
to the UART)."""
import re
import time

from machine import LINUX_ARGS, LINUX_CPU, linux_files

CTRL_A_C = b"\x01c"
SHELL = "linux:/# "
HV_ARGS = "cpus=0,1 console=guest"
CPUS = 3
GUEST_CORES = (0, 1)
TICK_CORE = 1


def boot(iso_factory, bochs_factory, **kw):
    """Linux booted for the measurement, at its shell prompt."""
    kernel, initrd = linux_files()
    m = bochs_factory(iso_factory(guest=kernel, initrd=initrd, guest_args=LINUX_ARGS, hv_args=HV_ARGS),
                      cpus=CPUS, model=LINUX_CPU, ignore_bad_msrs=True, **kw)
    m.expect(r"linux\.shell tsc=\d+\r?\n", timeout=2400)
    m.expect_exact(SHELL, timeout=300)
    return m


def shell(m, line, timeout=120):
    """Type a shell command into the guest; return what came back up to its
    end mark (the echo, which busybox wraps at 80 columns, included). The
    mark is computed, so its echo never matches."""
    m.send(line + "; echo @@end$((6*7))@@\r")
    m.expect_exact("@@end42@@", timeout)
    out = m.child.before.replace("\r\n", "\n")
    m.expect_exact(SHELL, timeout)
    return out


def to_monitor(m):
    m.send(CTRL_A_C)
    m.wait_prompt(60)


def to_guest(m):
    m.send(CTRL_A_C)
    m.send("\r")
    m.expect_exact(SHELL, timeout=120)


def rt_cores(out):
    """{cpu: (guest seconds, exits, by_hypervisor, IPIs sent)} of an `rt`
    answer. An IPI the core sends is an exit of the guest's asking (its ICR
    write, kernel/vapic.h), not one of its timer or interrupts."""
    ipis = {int(c): int(n) for c, n in re.findall(r"^rt cpu=(\d+) ipis_sent=(\d+) ", out, re.M)}
    return {int(c): (float(s), int(e), int(h), ipis.get(int(c), 0)) for c, s, e, h in re.findall(
        r"^rt cpu=(\d+) console=\d seconds=([\d.]+) exits=(\d+) per_second=[\d.]+ "
        r"by_hypervisor=(\d+) by_guest=\d+$", out, re.M)}


def window(m, seconds):
    """`rt reset`, then `rt` until every guest core's window holds the
    given guest seconds (the TSC's: in Bochs its instructions); the last
    answer, and its text."""
    m.command("rt reset")
    while True:
        time.sleep(2)
        out = m.command("rt")
        cores = rt_cores(out)
        assert sorted(cores) == list(GUEST_CORES), out
        if min(c[0] for c in cores.values()) >= seconds:
            return cores, out


def measure(m, idle_seconds=10, tick_seconds=3):
    """From the shell prompt: the idle window and the timer loop's window
    (dicts of rt_cores), the loop's own line and whether it still ran when
    the window closed."""
    out = shell(m, "echo 1 > /proc/irq/4/smp_affinity; taskset -p 1 $$ > /dev/null; "
                   "dmesg | grep -c 'x2apic enabled'")
    x2apic = "1" in out.split("\n")
    to_monitor(m)
    idle, idle_text = window(m, idle_seconds)
    to_guest(m)
    # The loop outlasts the window by a margin: the window opens after the
    # switch to the monitor, and `rt` is asked every two wall seconds.
    m.send(f"tick {(tick_seconds + 6) * 1000} {TICK_CORE} > /tmp/tick &\r")
    m.expect_exact(SHELL, timeout=120)
    to_monitor(m)
    ticking, tick_text = window(m, tick_seconds)
    to_guest(m)
    still = "Running" in shell(m, "jobs")
    line = re.search(r"tick n=\d+ cpu=\d+ elapsed_us=\d+ late_max_us=\d+",
                     shell(m, "wait; cat /tmp/tick", timeout=600))
    return {"x2apic": x2apic, "idle": idle, "idle_text": idle_text, "tick": ticking,
            "tick_text": tick_text, "tick_line": line.group(0) if line else None,
            "tick_outlasted_window": still}
