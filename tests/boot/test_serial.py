"""The guest's COM1: the virtual 16550A with receive and interrupts, its
IRQ routed through the I/O APIC or the 8259A, and the console mux
(Ctrl-A c, Ctrl-A Ctrl-A). The serial guest probes COM1 as Linux's 8250
driver does and echoes typed lines with interrupt-driven receive and
transmit."""
import re

import pytest

GUEST_MODE = "[monovisor: console -> guest, Ctrl-A c returns]"
MONITOR_MODE = "[monovisor: console -> monitor]"
READY = 'serial: ready, type a line ("exit" ends)\r\n'   # whole: the guest is quiet after it


def echo_line(m, typed, echoed, n):
    """Type a line for the guest; its echo and counters come back."""
    m.send(typed + "\r")
    m.expect_exact("echo: " + echoed + "\r\n")
    # The whole counters line: the guest is quiet before the test goes on
    # (its output reaches the wire in monitor mode too).
    match = m.expect(r"serial: line=%d rx_irqs=(\d+) thre_irqs=(\d+) .*spurious=\d+\r\n" % n)
    rx, thre = int(match.group(1)), int(match.group(2))
    assert rx >= 1 and thre >= 1, (rx, thre)
    return rx, thre


def to_monitor(m):
    m.send("\x01c")
    m.expect_exact(MONITOR_MODE)
    m.wait_prompt()


def test_serial_ioapic_echo_and_mux(iso, machine):
    m = machine(iso(guest="serial", hv_args="onexit=console"))
    for check in ("IER scratch test", "scratch register", "loopback MSR=0x90",
                  "FIFO detection IIR>>6=3", "loopback byte", "THRE re-asserts"):
        m.expect_exact("ok probe: " + check)
    m.expect(r"serial: route=ioapic gsi=\d+ pin=\d+ ioapic=0xfec00000 vector=0x41")
    m.expect_exact(READY)
    # Typed at the prompt, a line is the monitor's, not the guest's.
    out = m.command("serial")
    assert "serial mode=monitor" in out, out
    assert re.search(r"via=ioapic vector=0x41", out), out
    m.send("\x01c")
    m.expect_exact(GUEST_MODE)
    rx1, thre1 = echo_line(m, "hello, com1", "HELLO, COM1", 1)
    to_monitor(m)
    out = m.command("stats")
    assert re.search(r"^stats cpu=0 reason=io count=[1-9]", out, re.M), out
    assert re.search(r"^stats cpu=0 reason=npf count=[1-9]", out, re.M), out
    out = m.command("serial")
    assert re.search(r"serial.irqs ioapic=[1-9]\d* pic=0 ", out), out
    assert re.search(r"rx=1[2-9] ", out), out
    # Back to the guest: Ctrl-A Ctrl-A is one Ctrl-A for it.
    m.send("\x01c")
    m.expect_exact(GUEST_MODE)
    rx2, thre2 = echo_line(m, "\x01\x01x", "^AX", 2)
    assert rx2 > rx1 and thre2 > thre1
    # Ctrl-A and an unknown key: both dropped (a bell), the guest sees nothing.
    echo_line(m, "a\x01qb", "AB", 3)
    m.send("exit\r")
    m.expect_exact("ok interrupt-driven receive")
    m.expect_exact("ok interrupt-driven transmit")
    m.expect_exact("passed, 0 failed")
    m.expect_exact("guest.exit status=0")
    to_monitor(m)
    m.send("quit\r")
    m.expect_exit()


def test_serial_pic_route_and_console_guest_option(iso, machine):
    m = machine(iso(guest="serial", guest_args="irq=pic", hv_args="console=guest onexit=console hlt=exit"))
    m.expect_exact(GUEST_MODE)
    m.expect(r"serial: route=pic gsi=\d+ pin=\d+ ioapic=0x[0-9a-f]+ vector=0x24")
    m.expect_exact(READY)
    # console=guest: typed bytes go to the guest from the start.
    echo_line(m, "pic line", "PIC LINE", 1)
    to_monitor(m)
    out = m.command("serial")
    assert "via=pic vector=0x24" in out, out
    assert re.search(r"serial.irqs ioapic=0 pic=[1-9]", out), out
    assert "pic_init=1 pic_base=0x20 pic_imr=0xef" in out, out
    # hlt=exit: the guest waits for its interrupts in the HLT activity state.
    out = m.command("stats")
    assert re.search(r"^stats cpu=0 reason=hlt count=[1-9]", out, re.M), out
    m.send("\x01c")
    m.expect_exact(GUEST_MODE)
    echo_line(m, "again", "AGAIN", 2)
    m.send("exit\r")
    m.expect_exact("passed, 0 failed")
    m.expect_exact("guest.exit status=0")
    to_monitor(m)
    m.send("quit\r")
    m.expect_exit()


@pytest.mark.parametrize("irq", ["ioapic", "pic"])
def test_serial_from_a_console_core_outside_the_guest(iso, machine, irq):
    """cpus=0 on two CPUs: core 1 serves the console, so a typed byte's
    interrupt crosses cores: an IPI from core 1's local APIC (I/O APIC
    route) or a request that kicks the boot vCPU to inject (PIC route)."""
    m = machine(iso(guest="serial", guest_args=f"irq={irq}", hv_args="cpus=0 onexit=console"),
              cpus=2)
    m.expect_exact(READY)
    m.send("\x01c")
    m.expect_exact(GUEST_MODE)
    echo_line(m, "cross core", "CROSS CORE", 1)
    to_monitor(m)
    out = m.command("serial")
    assert re.search(rf"serial.irqs ioapic={'[1-9]' if irq == 'ioapic' else '0 '}", out), out
    assert re.search(rf"pic={'[1-9]' if irq == 'pic' else '0 '}", out), out
    m.send("quit\r")
    m.expect_exit()
