"""Boot tests of hostile guests (guest/tests/attack_*.c) and the soak
(guest/tests/soak.c): each guest ends with "N passed, 0 failed", N the
attacks it made (each refused, or answered as a CPU without a hypervisor
would); after each run the hypervisor says what happened, its memory is
unchanged (the `ept` checksum equals the one printed right before the
guest's first instruction) and the console still answers."""
import re

import pytest

from machine import SDK_STARTUP_CPUIDS

CHECKSUM = r"ept\.hv start=0x\w+ end=0x\w+ checksum=(0x\w+)\r"
POOL = r"hv\.pool pages=(\d+) used=(\d+) peak=(\d+) allocs=(\d+) frees=(\d+) failures=(\d+)"
TABLES = r"ept\.pages pages_1g=\d+ pages_2m=\d+ pages_4k=\d+ tables=(\d+) "


def boot(iso, machine, guest, hv_args="", run="", guest_args="", cpus=1):
    """Boot guest with ept_refuse=gp and the console kept after it; `ept`
    (and run) execute right before its first instruction. Returns the
    machine and the hypervisor checksum printed then."""
    commands = "ept" + (f"; {run}" if run else "")
    args = f'onexit=console ept_refuse=gp run="{commands}" {hv_args}'.strip()
    m = machine(iso(guest=guest, guest_args=guest_args, hv_args=args), cpus=cpus)
    return m, m.expect(CHECKSUM).group(1)


def pool(text):
    """(used, peak, allocs, frees, failures) of the last hv.pool line."""
    return tuple(int(x) for x in re.findall(POOL, text)[-1][1:])


def tables(text):
    return int(re.findall(TABLES, text)[-1])


def passed(m, n, timeout=120):
    """The guest's summary: exactly n attacks, none failed."""
    s = m.expect(r"(\d+) passed, (\d+) failed", timeout)
    out = m.transcript()
    assert (int(s.group(1)), int(s.group(2))) == (n, 0) and "\nFAIL " not in out, out


def intact(m, checksum):
    """The hypervisor's memory unchanged and the console answering;
    returns (`ept`, `info`, `stats`) output."""
    ept = m.command("ept")
    assert re.search(rf"^ept\.hv start=0x\w+ end=0x\w+ checksum={checksum}$", ept, re.M), \
        "hypervisor memory changed:\n" + ept
    info = m.command("info")
    assert re.search(r"^version=\S+ ", info, re.M) and pool(info)[4] == 0, info
    stats = m.command("stats")
    assert re.search(r"^stats\.cpu=0 state=\w+ exits=\d+ resets=\d+$", stats, re.M), stats
    return ept, info, stats


def quit(m):
    m.send("quit\r")
    m.expect_exact("monovisor: power off (console quit) status=0")
    m.expect_exit()


def stat(stats, reason, cpu=0):
    s = re.search(rf"^stats cpu={cpu} reason={reason} count=(\d+) ", stats, re.M)
    return int(s.group(1)) if s else 0


def test_hostile_hypercalls_are_refused(iso, any_machine):
    m, checksum = boot(iso, any_machine, "attack_hypercall")
    m.expect_exact("attack_hypercall: start")
    m.expect_exact("ok 2000 random hypercalls answered as the ABI says")
    m.expect_exact("attack_hypercall: stale upper halves ignored")
    passed(m, 34)
    m.expect_exact('guest.stopped cpu=0 reason="guest exit"')
    assert "MUST NOT BE PRINTED" not in m.transcript()
    _, _, stats = intact(m, checksum)
    assert stat(stats, "hypercall") > 2000, stats
    quit(m)


def test_hostile_instructions_get_what_a_cpu_without_vmx_gives(iso, any_machine):
    if any_machine.platform == "svm":
        pytest.skip("QEMU's TCG itself raises none of these #GPs (unknown MSRs read 0, CR0.PG "
                    "without PE taken): its native answers differ; Bochs's ryzen runs the SVM case")
    m, checksum = boot(iso, any_machine, "attack_cpu", run="trap cr3 on")
    m.expect_exact("trap cr3=on")
    m.expect_exact("ok vmcall HC_SHUTDOWN at CPL 3 -> #UD, the guest goes on")
    if m.backend == "vmx":
        m.expect_exact("ok pae paging with a reserved bit in a pdpte -> #GP")
    # AMD: 3 SVM MSRs for Intel's 3 VMX ones, not Intel's 2 PDPTE rules.
    passed(m, 33 if m.backend == "vmx" else 31)
    m.expect_exact('guest.stopped cpu=0 reason="guest exit"')
    assert "VM entry failed" not in m.transcript() and "guest.exit status=0" in m.transcript()
    _, _, stats = intact(m, checksum)
    assert stat(stats, "cr_access") > 0 and stat(stats, "hypercall") > 0, stats
    quit(m)


def test_uart_and_reset_port_attacks_keep_the_console_and_reset_only_the_guest(iso, machine):
    m, checksum = boot(iso, machine, "attack_io")
    # The virtual UART reprogrammed (9600 8E2, no FIFOs): the real one keeps
    # its settings, the line comes out whole.
    m.expect_exact("attack_io: line printed at 9600 8E2 without FIFOs: "
                   "0123456789 ABCDEF abcdef ~!@#$%^&*()\r")
    # The guest polls the receive register while we type: the console gets
    # every byte (it applies the command, which ends the polling).
    m.expect_exact("attack_io: polling the receive register; type now")
    m.send("cpuid -sse4_2\r")
    m.expect_exact("cpuid.changed problems=0 overrides=1")
    m.expect_exact("ok no typed byte reached the guest (data ready 0 times, data 0 times)")
    passed(m, 12)
    # (What came before the summary: a fast machine's reset may already be
    # in the transcript after it.)
    before_reset = m.transcript().split("12 passed, 0 failed")[0]
    assert "reset_request" not in before_reset, "a write without the reset bit reset the guest"
    # Word 0x01FE to port 0x64: 0xFE reaches the keyboard controller, which
    # resets the guest (not the machine: monovisor boots once).
    m.expect_exact("guest.reset_request cpu=0 source=kbc")
    m.expect_exact("guest.reset count=2")
    m.expect_exact("attack_io: started again by the guest reset")
    # String I/O to the UART: not emulated, the guest stops with a message.
    m.expect_exact("error: guest: string I/O (INS/OUTS) to intercepted port 0x3f8 is not emulated")
    m.expect_exact('guest.stopped cpu=0 reason="string I/O to an intercepted port"')
    out = m.transcript()
    assert out.count("Booting `monovisor'") == 1 and "string I/O went through" not in out, out
    assert "still running after the reset pulse" not in out, out
    _, _, stats = intact(m, checksum)
    assert re.search(r"^stats\.cpu=0 state=stopped exits=\d+ resets=2$", stats, re.M), stats
    quit(m)


def test_lazy_ept_storm_maps_what_it_may_and_refuses_what_it_must(iso, machine):
    m, checksum = boot(iso, machine, "attack_ept", hv_args="ept=lazy mem=256M", run="info")
    m.expect(POOL)
    before = m.transcript()
    m.expect_exact("attack_ept: start")
    passed(m, 9)
    m.expect_exact('guest.stopped cpu=0 reason="guest exit"')
    out = m.transcript()
    # Every refusal reported, by class: RAM beyond mem= and the hypervisor.
    assert len(re.findall(r"guest\.ept_refused gpa=0x\w+ rip=0x\w+ access=\w+ class=outside "
                          r"reason=refused", out)) == 117, out
    assert len(re.findall(r"guest\.ept_refused gpa=0x\w+ rip=0x\w+ access=\w+ class=hypervisor "
                          r"reason=refused", out)) == 21, out
    assert "no_memory" not in out, out
    ept, info, _ = intact(m, checksum)
    faults = re.search(r"^ept\.faults ram=\d+ mmio=(\d+) hypervisor=21 outside=117 mapped_2m=\d+ "
                       r"mapped_4k=\d+ refusals=138$", ept, re.M)
    assert faults and int(faults.group(1)) >= 1536 + 246 + 1020 + 511, ept
    # The pool grew by the EPT tables the storm needed (one page directory
    # per GiB touched above 4 GiB: about 4 MiB), and by nothing else.
    (used0, _, allocs0, frees0, _), (used1, peak1, allocs1, frees1, failures) = pool(before), pool(info)
    grown = tables(ept) - tables(before)
    assert grown >= 1020 and used1 - used0 == grown and peak1 == used1, (before, info, ept)
    assert allocs1 - allocs0 == grown and frees1 == frees0 and failures == 0, (before, info)
    quit(m)


def test_nmi_storm_is_reflected_and_the_console_still_steers_both_cpus(iso, any_machine):
    # QEMU's TCG runs each vCPU as a host thread; with the test's other
    # machine on the same two host cores, NMIs sent to a descheduled AP
    # merge (measured: 369 of 1000; Bochs's ryzen: 1000 of 1000): there
    # every NMI must still be at most one taken, and the later single
    # NMIs each arrive.
    share = 1 if any_machine.platform == "svm" else 50
    m, checksum = boot(iso, any_machine, "attack_nmi", guest_args=f"hold=1 min_share={share}", cpus=2)
    counts = m.expect(r"attack_nmi: sent (\d+) NMIs to each core: the AP took (\d+), the BSP took (\d+)\r")
    passed(m, 7)
    m.expect_exact("attack_nmi: holding, both cores in the guest")
    sent, ap, bsp = (int(x) for x in counts.groups())
    assert sent == 1000 and ap <= sent and bsp <= sent, counts.group(0)
    out = m.command("cpus")
    assert len(re.findall(r"vcpu=running mp=runnable", out)) == 2, out
    out = m.command("stats 1")
    # Every NMI the AP took came through the hypervisor: by an exit, or
    # while the hypervisor ran (on SVM all of them, at STGI).
    took = re.search(r"^stats cpu=1 guest_nmis=(\d+)$", out, re.M)
    assert took and int(took.group(1)) >= ap, out
    out = m.command("pause")
    assert "pause: requested cpus=2 late=0" in out, out
    out = m.command("cpus")
    assert len(re.findall(r"vcpu=paused mp=runnable", out)) == 2, out
    out = m.command("regs 1")
    assert "regs.cpu=1 apic_id=1 state=paused" in out, out
    out = m.command("resume")
    assert "resume: requested cpus=2 late=0" in out, out
    out = m.command("cpus")
    assert len(re.findall(r"vcpu=running mp=runnable", out)) == 2, out
    intact(m, checksum)
    quit(m)


@pytest.mark.parametrize("ept", ["static", "lazy"])
def test_soak_exit_counts_add_up_and_the_pool_does_not_grow(iso, machine, ept):
    m, checksum = boot(iso, machine, "soak", hv_args=f"ept={ept}", run="info; trap io 0x80 on",
                       guest_args=f"ept={ept}")
    m.expect(POOL)
    before = m.transcript()
    m.expect_exact("trap io=0x80-0x80 on")
    m.expect_exact("soak: 1000000 exits, 64 of them first touches")
    did = m.expect(r"soak: cpuid=(\d+) io=(\d+) rdmsr=(\d+) vmcall=(\d+) touches=(\d+) ", timeout=300)
    run = m.expect(r"soak: run cpuid=(\d+) rdmsr=(\d+) vmcall=(\d+)\r")
    passed(m, 7)
    m.expect_exact('guest.stopped cpu=0 reason="guest exit"')
    ept_out, info, stats = intact(m, checksum)
    # `stats` agrees with what the guest says it did.
    cpuid, rdmsr, vmcall = (int(x) for x in run.groups())
    assert (stat(stats, "cpuid"), stat(stats, "rdmsr"), stat(stats, "hypercall")) == \
        (cpuid + SDK_STARTUP_CPUIDS, rdmsr, vmcall), \
        (run.group(0), stats)
    assert stat(stats, "io") >= int(did.group(2)) and sum(int(x) for x in did.groups()[:4]) >= 999000, stats
    assert stat(stats, "npf") >= (int(did.group(5)) if ept == "lazy" else 0), stats
    # No leak: what the pool gave since the guest started is EPT tables for
    # the guest's first touches of its own first 2 MiB (lazy), nothing else.
    (used0, _, allocs0, frees0, _), (used1, peak1, allocs1, frees1, _) = pool(before), pool(info)
    grown = tables(ept_out) - tables(before)
    assert used1 - used0 == grown and allocs1 - allocs0 == grown and frees1 == frees0, (before, info)
    assert peak1 == used1 and grown <= (3 if ept == "lazy" else 0), (before, info, ept_out)
    quit(m)


def test_init_sipi_storm_leaves_the_hypervisor_intact_and_every_ap_startable(iso, machine):
    # 300 broadcasts of INIT, SIPI, SIPI back to back from the guest's BSP
    # (each write to the APIC page exits and is emulated), then a clean
    # round in which every AP starts exactly once.
    m, checksum = boot(iso, machine, "smp", guest_args="storm=300", cpus=4)
    m.expect_exact("smp: round 4: 300 INIT-SIPI-SIPI broadcasts back to back")
    s = m.expect(r"(\d+) passed, (\d+) failed", 300)
    out = m.transcript()
    assert s.group(2) == "0" and "\nFAIL " not in out, out
    m.expect_exact("guest: stopped; the console stays")
    intact(m, checksum)
    cpus = m.command("cpus")
    assert re.search(r"^apic\.mmio_writes=\d+ icr_writes=\d+ passed=0 inits=(\d+)", cpus, re.M), cpus
    inits = int(re.search(r"^apic\..* inits=(\d+) sipis", cpus, re.M).group(1))
    assert inits >= 3 * 304, cpus
    quit(m)
