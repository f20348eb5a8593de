"""Real-time partitions (issue 19): the `rt` command's per-core view of
exits, and which of them the hypervisor causes."""
import re
import time


def rt_line(out, cpu):
    m = re.search(rf"^rt cpu={cpu} console=(\d) seconds=([\d.]+) exits=(\d+) per_second=([\d.]+) "
                  r"by_hypervisor=(\d+) by_guest=(\d+)$", out, re.M)
    assert m, out
    return m


def test_rt_shows_no_hypervisor_exits_on_a_core_the_console_left(machine, iso):
    """With cpus=0 on two CPUs the console has core 1 to itself: the
    guest's core 0 takes no exit the hypervisor causes (no poll timer, no
    kick) while the guest spins; with the console on the guest's core,
    the poll shows up as the hypervisor's."""
    m = machine(iso(guest="debuggee", hv_args="cpus=0"), cpus=2)
    m.expect_exact("debuggee: waiting for GDB")
    out = m.command("rt reset")
    assert "rt: the window starts now" in out, out
    time.sleep(3)
    out = m.command("rt")
    line = rt_line(out, 0)
    assert line.group(1) == "0" and float(line.group(2)) > 0, out
    assert line.group(5) == "0", out                    # nothing of the hypervisor's
    assert "rt console_cpu=1 guest=0" in out, out
    assert not re.search(r"^rt cpu=0 reason=timer", out, re.M), out


def test_rt_counts_the_console_poll_as_the_hypervisors(machine, iso):
    m = machine(iso(guest="debuggee"))
    m.expect_exact("debuggee: waiting for GDB")
    time.sleep(2)
    out = m.command("rt")
    line = rt_line(out, 0)
    assert line.group(1) == "1" and int(line.group(5)) > 0, out
    timer = re.search(r"^rt cpu=0 reason=timer count=(\d+) per_second=[\d.]+ by_hypervisor=(\d+) "
                      r"by_guest=0$", out, re.M)
    assert timer and timer.group(1) == timer.group(2), out
