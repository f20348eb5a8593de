"""Boot tests of the EPT: the static map, the lazy fault-in path, the
hypervisor's memory out of reach, `ept freeze`, mem= partitioning and
the `ept` console commands."""
import re


def boot_ept_guest(iso, machine, mode, hv_args="", run="ept"):
    """Boot the ept guest; `run` executes right before its first instruction
    (the hypervisor checksum it prints is the "before" value)."""
    args = f'verbose=1 ept_refuse=gp onexit=console run="{run}" {hv_args}'.strip()
    m = machine(iso(guest="ept", guest_args=f"mode={mode}", hv_args=args))
    built = m.expect(r"ept\.built mode=(\w+) ")
    checksum = m.expect(r"ept\.hv start=0x\w+ end=0x\w+ checksum=(0x\w+)\r").group(1)
    return m, built.group(1), checksum


def finish(m):
    summary = m.expect(r"(\d+) passed, (\d+) failed")
    assert summary.group(2) == "0", m.transcript()
    m.expect_exact('guest.stopped cpu=0 reason="guest exit"')


def test_static_map_no_ram_exits_mmio_once_hypervisor_refused_and_unchanged(iso, machine):
    m, mode, checksum = boot_ept_guest(iso, machine, "static")
    assert mode == "static"
    m.expect_exact("ok static RAM: no EPT exit (got 0)")
    m.expect_exact("ok HPET page: one fault-in (got 1)")
    m.expect_exact("ok LAPIC TPR write done for the guest (read back 0x20, 2 exits)")
    m.expect(r"guest\.ept_refused gpa=0x\w+ rip=0x\w+ access=read class=hypervisor reason=refused")
    m.expect(r"guest\.ept_refused gpa=0x\w+ rip=0x\w+ access=write class=hypervisor")
    m.expect(r"guest\.ept_refused gpa=0x\w+ rip=0x\w+ access=fetch class=hypervisor")
    finish(m)
    out = m.command("ept")
    assert "ept.mode=static ept.frozen=0" in out, out
    assert re.search(rf"^ept\.hv start=0x\w+ end=0x\w+ checksum={checksum}$", out, re.M), \
        "hypervisor memory changed: " + out
    faults = re.search(r"^ept\.faults ram=0 mmio=1 hypervisor=7 outside=0 mapped_2m=(\d) "
                       r"mapped_4k=(\d) refusals=7$", out, re.M)
    assert faults and int(faults.group(1)) + int(faults.group(2)) == 1, out
    out = m.command("ept log")
    assert re.search(r"^ept\.fault seq=0 gpa=0xfed00000 rip=0x\w+ access=read class=mmio "
                     r"action=mapped size=\d+$", out, re.M), out
    assert "action=refused" in out
    out = m.command("ept walk 0xfed00000")
    assert re.search(r"^ept\.walk gpa=0xfed00000 hpa=0xfed00000 page_size=\d+ memtype=uc class=mmio$",
                     out, re.M), out
    out = m.command("ept walk 0x200000")
    assert re.search(r"memtype=wb class=ram$", out, re.M), out
    hv = re.search(r"^ept\.walk gpa=(0x\w+)", out, re.M)
    out = m.command("info")
    region = re.search(r"^hv\.region start=(0x\w+)", out, re.M).group(1)
    out = m.command(f"ept walk {region}")
    assert re.search(rf"^ept\.walk gpa={region} mapped=0 class=hypervisor$", out, re.M), out
    out = m.command("ept walk banana")
    assert "error: ept walk: 'banana' is not a guest-physical address" in out
    out = m.command("ept sideways")
    assert "error: usage: ept [walk GPA | log | freeze | thaw]" in out
    m.send("quit\r")
    m.expect_exit()


def test_lazy_ram_faults_once_per_large_page(iso, machine):
    # Also where an event's delivery meets a first touch: the guest's INT
    # 0x81 and INT3 with their frames on a fresh block (guest/tests/ept.c),
    # delivered once each. Not on Bochs's ryzen: Bochs 2.7's SVM records in
    # EXITINTINFO only the events it injected and hardware exceptions, so
    # for the guest's own INT n it reports whatever it held before (README).
    m, mode, _ = boot_ept_guest(iso, machine, "lazy", "ept=lazy")
    assert mode == "lazy"
    m.expect_exact("ok lazy RAM: one exit per 2 MiB block on first touch (got 16)")
    m.expect_exact("ok RAM touched again: no EPT exit (got 0)")
    finish(m)
    out = m.command("ept")
    assert re.search(r"^ept\.faults ram=[1-9]\d* ", out, re.M), out
    assert "static_1g=0 static_2m=0 static_4k=0" in out
    m.send("quit\r")
    m.expect_exit()


def test_frozen_map_refuses_and_reports_a_new_touch(iso, machine):
    m, _, _ = boot_ept_guest(iso, machine, "frozen", run="ept; ept freeze")
    m.expect_exact("monovisor> ept freeze")    # run= runs right before the guest starts
    m.expect_exact("ept.frozen=1")
    m.expect(r"guest\.ept_refused gpa=0xfed00000 rip=0x\w+ access=read class=mmio "
             r"reason=refused_frozen")
    m.expect_exact("ok frozen map: first HPET touch refused")
    finish(m)
    m.send("quit\r")
    m.expect_exit()


def test_mem_limit_keeps_ram_beyond_it_out_of_the_guests_map_and_reach(iso, machine):
    m, _, _ = boot_ept_guest(iso, machine, "limited", "mem=64M ept_ad=1")
    assert "guest.mem limit_kib=65536 ram_kib=65536" in m.transcript()
    m.expect_exact("ok memory map holds exactly 64 MiB of RAM")
    m.expect(r"guest\.ept_refused gpa=0x8000000 rip=0x\w+ access=read class=outside reason=refused")
    m.expect_exact("ok RAM beyond mem= refused")
    finish(m)
    out = m.command("ept")
    assert "ept.ad=1" in out, out
    if m.backend == "vmx":      # (AMD's nested walk always sets them: nothing in nCR3)
        eptp = int(re.search(r"ept\.eptp=(0x\w+)", out).group(1), 16)
        assert eptp & 0x40, "EPTP bit 6 enables accessed/dirty flags"
    assert re.search(r"^ept\.region start=0x100000 end=0x4061000 type=available$", out, re.M), out
    m.send("quit\r")
    m.expect_exit()


def test_lazy_faults_are_logged_and_counted_and_freeze_stops_them(iso, machine):
    """The first-touch path of ept=lazy (vmx/entry.asm's fast half and
    ept_fault_in alike): every fault counted by class, mapped or refused,
    the log with the guest's RIP; `ept freeze` before the guest's start
    refuses its very first fetch, `ept thaw` and `reset` run it again."""
    m, mode, _ = boot_ept_guest(iso, machine, "lazy", "ept=lazy", run="ept; ept freeze")
    assert mode == "lazy"
    m.expect_exact("ept.frozen=1")
    first = m.expect(r"guest\.ept_refused gpa=(0x\w+) rip=(0x\w+) access=fetch class=ram "
                     r"reason=refused_frozen")
    assert first.group(1) == first.group(2), "the refused fetch is the guest's first instruction"
    # ept_refuse=gp: the #GP's delivery is refused too (the IDT is not
    # mapped either), which makes it a #DF, whose refusal is a shutdown.
    m.expect(r"guest\.ept_refused gpa=0x\w+ rip=(0x\w+) access=read class=ram "
             r"reason=refused_frozen")
    m.expect(r"guest\.ept_refused gpa=0x\w+ rip=(0x\w+) access=read class=ram "
             r"reason=refused_frozen")
    m.expect_exact("guest.triple_fault cpu=0")
    m.expect_exact('guest.stopped cpu=0 reason="triple fault"')
    m.wait_prompt()
    assert "ept.frozen=0" in m.command("ept thaw")
    m.send("reset\r")
    m.expect_exact("ok lazy RAM: one exit per 2 MiB block on first touch (got 16)")
    m.expect_exact("ok RAM touched again: no EPT exit (got 0)")
    summary = m.expect(r"(\d+) passed, (\d+) failed")
    assert summary.group(2) == "0", m.transcript()
    m.expect_exact('guest.stopped cpu=0 reason="guest exit"')
    m.wait_prompt()
    out = m.command("ept")
    f = re.search(r"^ept\.faults ram=(\d+) mmio=(\d+) hypervisor=(\d+) outside=(\d+) "
                  r"mapped_2m=(\d+) mapped_4k=(\d+) refusals=(\d+)$", out, re.M)
    assert f, out
    ram, mmio, hv, outside, m2, m4, refused = map(int, f.groups())
    assert ram >= 16 and m2 >= 16, out
    assert ram + mmio + hv + outside == m2 + m4 + refused, out
    log = m.command("ept log")
    count = int(re.search(r"^ept\.log count=(\d+)$", log, re.M).group(1))
    assert count == ram + mmio + hv + outside, log
    mapped = re.findall(r"^ept\.fault seq=\d+ gpa=(0x\w+) rip=(0x\w+) access=(\w+) class=ram "
                        r"action=mapped size=(\d+)$", log, re.M)
    assert mapped, log
    for gpa, rip, access, size in mapped:
        assert int(rip, 16) != 0 and access in ("read", "write", "fetch"), log
        assert size in ("4096", "2097152"), log
    m.send("quit\r")
    m.expect_exit()
