"""The GDB stub (kernel/gdb_stub.c): Debian's gdb, in batch mode, debugs the
debuggee guest (guest/tests/debuggee.c) through monovisor on each backend,
and what it prints is what it prints for the same guest run natively under
QEMU's own stub (the oracle): break at a function, continue, backtrace,
read and write a variable, next, finish, a hardware watchpoint with its
old and new values; then Ctrl-C while the guest spins, the vCPUs as
threads, hypervisor memory refused, detach, and the guest finishing."""
import os
import re
import signal
import subprocess
import time

import pytest

from machine import BUILD, LOGS, ROOT, TIMEOUT_SCALE, guest_elf

DEBUGGEE = guest_elf("debuggee")

# The part of the session that must read the same natively and under
# monovisor (gdb's output between the markers).
SCENARIO = """\
echo ==begin==\\n
print attached = 1
break add
continue
bt
print counter
print counter = 100
next
finish
delete
watch counter
continue
delete
echo ==end==\\n
"""


def gdb_script(path, port, tail):
    with open(path, "w") as f:
        if os.environ.get("GDB_DEBUG_REMOTE"):     # the packets, for a failing run's log
            f.write("set debug remote 1\n")
        f.write("set pagination off\nset confirm off\nset width 0\nset remotetimeout 30\n"
                f"file {DEBUGGEE}\ntarget remote 127.0.0.1:{port}\n")
        f.write(SCENARIO)
        f.write(tail)


def run_gdb(script, log, interrupt_when=None, timeout=300):
    """gdb -batch on script, its output in log; interrupt_when(): True when
    the test should press Ctrl-C (SIGINT to gdb, which sends the stub
    0x03), polled while gdb runs. Returns the output."""
    timeout *= TIMEOUT_SCALE
    with open(log, "w") as out:
        p = subprocess.Popen(["gdb", "-nx", "-batch", "-x", script], cwd=ROOT,
                             stdout=out, stderr=subprocess.STDOUT)
        end = time.time() + timeout
        interrupted = interrupt_when is None
        while p.poll() is None:
            if time.time() > end:
                p.kill()
                p.wait()
                break
            if not interrupted and interrupt_when():
                time.sleep(0.5)
                p.send_signal(signal.SIGINT)
                interrupted = True
            time.sleep(0.2)
    with open(log) as f:
        return f.read()


def scenario(output):
    m = re.search(r"==begin==\n(.*)==end==\n", output, re.S)
    assert m, output
    return m.group(1)


@pytest.fixture(scope="module")
def native_scenario(tmp_path_factory):
    """The scenario against the debuggee natively under QEMU's stub
    (qemu-system-i386: the 32-bit guest's registers), attached when the
    guest waits for it."""
    from machine import Qemu, build_iso, free_port
    tmp = tmp_path_factory.mktemp("native")
    iso = build_iso(tmp / "native.iso", guest="debuggee", native=True)
    port = free_port()
    # Two CPUs, as under monovisor: GDB then names the thread of a stop.
    m = Qemu(iso, cpus=2, logname="gdb_native", system="i386",
             extra=("-gdb", f"tcp:127.0.0.1:{port}"))
    try:
        m.expect_exact("debuggee: waiting for GDB")
        script = str(tmp / "native.gdb")
        gdb_script(script, port, "kill\n")
        out = run_gdb(script, os.path.join(LOGS, "gdb_native.gdb.log"))
    finally:
        m.close()
    return scenario(out)


def test_gdb_debugs_the_guest_as_natively(machine, iso, tmp_path, native_scenario):
    m = machine(iso(guest="debuggee", hv_args="gdb=com2 onexit=console"), cpus=2, gdb=True)
    m.expect_exact("gdb.wire=io:0x2f8")
    m.expect_exact("debuggee: waiting for GDB")
    hv = re.search(r"^hv\.region start=(0x\w+)", m.command("info"), re.M).group(1)
    tail = f"""\
continue
echo ==interrupted==\\n
print released = 1
info threads
thread 2
info registers eip cs
thread 1
info registers eip
python
try:
    gdb.execute("x/4xb {hv}")
except gdb.MemoryError as e:
    print("refused:", e)
end
detach
"""
    script = str(tmp_path / "session.gdb")
    gdb_script(script, m.gdb_port, tail)
    spinning = []

    def guest_spins():
        if not spinning:
            try:
                m.expect_exact("spinning until released", timeout=1)
                spinning.append(True)
            except AssertionError:
                return False
        return True
    log = os.path.join(LOGS, f"gdb_{m.platform}.gdb.log")
    out = run_gdb(script, log, interrupt_when=guest_spins)
    got = scenario(out)
    assert got == native_scenario, f"--- native ---\n{native_scenario}\n--- monovisor ---\n{got}"
    # The scenario itself, so that a stub and an oracle that both print
    # nothing cannot agree.
    assert re.search(r"Breakpoint 1, add \(a=0, b=1\) at guest/tests/debuggee.c:\d+", got), got
    assert re.search(r"#1  0x\w+ in work \(rounds=3\)", got), got
    assert re.search(r"#2  0x\w+ in main \(\)", got), got
    assert "$2 = 0" in got and "$3 = 100" in got, got
    # add(0, 1) had its arguments before counter became 100: it returns 1,
    # which work() stores over the 100.
    assert "Value returned is $4 = 1" in got, got
    assert re.search(r"Hardware watchpoint 2: counter\s+Old value = 100\s+New value = 1\n", got), got
    after = out.split("==end==", 1)[1]
    assert "Thread 1 received signal SIGINT, Interrupt." in after, out
    assert "$5 = 1" in after, out
    assert re.search(r"\* 1\s+Thread 1 ", after) and re.search(r"\s2\s+Thread 2 ", after), out
    # The AP is in the INIT state, waiting for a SIPI: CS.selector F000h, EIP FFF0h (SDM Vol. 3A, 10.1.4).
    assert re.search(r"^eip\s+0xfff0\s", after, re.M) and re.search(r"^cs\s+0xf000\s", after, re.M), out
    assert re.search(rf"refused: Cannot access memory at address {hv}", after), out
    assert "[Inferior 1 (Remote target) detached]" in after, out
    m.expect_exact("debuggee: released=1")
    m.expect_exact("guest.exit status=0")
    out = m.command("gdb")
    assert "attached=0" in out and "breakpoints=0 debug_registers=0" in out, out
