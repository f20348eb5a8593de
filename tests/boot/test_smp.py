"""Boot tests of SMP: monovisor starts every core, the guest starts its
APs with INIT-SIPI-SIPI (emulated: no SIPI is lost, a second one is
ignored), cpus= partitions the cores, and the console pauses, dumps and
resumes vCPUs on every core while all of them are in the guest."""
import re

import pytest


@pytest.mark.parametrize("cpus,args", [(1, ""), (2, "delay=0"), (4, "")],
                         ids=["1cpu", "2cpus-back-to-back", "4cpus"])
def test_smp_guest_starts_its_aps_with_init_sipi_sipi(iso, any_machine, cpus, args):
    m = any_machine(iso(guest="smp", guest_args=args, hv_args="verbose=1 onexit=console"), cpus=cpus)
    if cpus > 1:
        m.expect_exact(f"smp.online={cpus} of {cpus}")
        m.expect_exact(f"guest.start cpu=0 vcpus={cpus}")
    summary = m.expect(r"(\d+) passed, (\d+) failed")
    out = m.transcript()
    assert summary.group(2) == "0" and "FAIL" not in out, out
    for apic in range(1, cpus):
        # Three rounds (broadcast, one by one, back to back): three starts,
        # each with CPUID and a real-mode VMCALL answered.
        assert f"smp: ap apic={apic} starts=1 cpuid=ok vmcall=0x20000" in out, out
        assert f"smp: ap apic={apic} starts=3 cpuid=ok vmcall=0x20000" in out, out
    m.expect_exact('guest.stopped cpu=0 reason="guest exit"')
    out = m.command("cpus")
    for i in range(1, cpus):
        assert re.search(rf"^cpu index={i} apic_id={i} state=online {m.backend}=1 console=0 vcpu=stopped "
                         rf"mp=runnable exits=\d+ inits=3 sipis=3 kicks=\d+$", out, re.M), out
    emulated = re.search(r"^apic\.mmio_writes=\d+ icr_writes=(\d+) passed=0 inits=(\d+) sipis=(\d+)", out, re.M)
    assert emulated and int(emulated.group(2)) == 3 * (cpus - 1), out
    # `rt` says which core sent them: every ICR write, none by an AP.
    rt = m.command("rt")
    sent = {int(c): int(n) for c, n in re.findall(r"^rt cpu=(\d+) ipis_sent=(\d+) per_second=", rt, re.M)}
    assert sum(sent.values()) == int(emulated.group(1)) > 0 and set(sent) == {0}, rt
    if cpus == 2:
        # reset: the boot vCPU reloads the image, the AP waits for SIPI again,
        # and the guest's AP start-up works a second time.
        m.send("reset\r")
        m.expect_exact("guest.reset count=2")
        again = m.expect(r"(\d+) passed, (\d+) failed")
        assert again.group(2) == "0", m.transcript()
        m.expect_exact("guest: stopped; the console stays")
    m.send("quit\r")
    m.expect_exact("monovisor: power off (console quit) status=0")
    m.expect_exit()


def test_cpus_option_gives_the_guest_a_subset_of_cores(iso, machine):
    m = machine(iso(guest="smp", guest_args="expect=1", hv_args="onexit=console cpus=0,2,9"), cpus=4)
    m.expect_exact("error: cmdline: cpus: core 9 is not online; left out")
    m.expect_exact("guest.start cpu=0 vcpus=2")
    summary = m.expect(r"(\d+) passed, (\d+) failed")
    out = m.transcript()
    assert summary.group(2) == "0" and "FAIL" not in out, out
    # Only core 2 answered; cores 1 and 3 stayed in the hypervisor.
    assert "smp: ap apic=2 starts=3" in out and "smp: ap apic=1" not in out, out
    m.expect_exact('guest.stopped cpu=0 reason="guest exit"')
    m.expect_exact("guest: stopped; the console stays")     # printed by core 0, the console is core 1's
    out = m.command("cpus")
    assert re.search(rf"^cpu index=1 apic_id=1 state=online {m.backend}=1 console=1 vcpu=none$", out, re.M), out
    assert re.search(rf"^cpu index=3 apic_id=3 state=online {m.backend}=1 console=0 vcpu=none$", out, re.M), out
    assert re.search(r"^cpu index=2 apic_id=2 .* vcpu=stopped .* inits=3 sipis=3 ", out, re.M), out
    m.send("quit\r")
    m.expect_exit()


def test_pause_dump_resume_while_every_core_is_in_the_guest(iso, machine):
    m = machine(iso(guest="smp", guest_args="hold=1", hv_args="onexit=console"), cpus=4)
    m.expect_exact("smp: holding, 0 checks failed")
    # The BSP spins in the guest, the APs halt there: every core in the guest.
    out = m.command("pause")
    assert "pause: requested cpus=4 late=0" in out, out
    out = m.command("cpus")
    assert len(re.findall(r"vcpu=paused mp=runnable", out)) == 4, out
    out = m.command("regs 2")
    assert "regs.cpu=2 apic_id=2 state=paused mp=runnable" in out, out
    assert re.search(r"^guest\.cs sel=0x800 base=0x8000 limit=0xffff", out, re.M), out
    out = m.command("stats 3")
    assert re.search(r"^stats\.cpu=3 state=paused exits=\d+ resets=1$", out, re.M), out
    assert "stats cpu=3 reason=hypercall count=3 " in out, out
    out = m.command("trace 2 cpu=1")
    assert re.search(r"^trace seq=\d+ cpu=1 tsc=\d+ reason=\w+", out, re.M), out
    out = m.command("regs 7")
    assert "error: no vCPU '7'" in out, out
    # A change of controls is made by each core on its own VMCS.
    out = m.command("trap rdtsc on")
    assert out.strip() == "trap rdtsc=on", out
    out = m.command("trap exception 6 on")
    assert "trap exception=6 on exceptions=0x40" in out and "did not answer" not in out, out
    out = m.command("msr 0x10 log")
    assert "msr.rule first=0x10 last=0x10 action=log" in out and "did not answer" not in out, out
    out = m.command("resume")
    assert "resume: requested cpus=4 late=0" in out, out
    out = m.command("cpus")
    assert len(re.findall(r"vcpu=running mp=runnable", out)) == 4, out
    # quit: every core leaves VMX operation before the power-off.
    m.send("quit\r")
    m.expect_exact("monovisor: power off (console quit) status=0")
    m.expect_exit()
