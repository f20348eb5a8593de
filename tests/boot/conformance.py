"""Differential conformance: run a conformance guest (guest/conformance/)
natively (GRUB boots it) and under monovisor in the same emulator with the
same CPU model, and compare what each check printed. Native is the oracle:
a check whose line differs is a place where the guest does not see the x86
the bare CPU shows.

Used by tests/boot/test_conformance.py and the summary `make conformance`
prints (conftest.py).
"""
import concurrent.futures
import glob
import json
import os
import re

from machine import BUILD, ROOT, Bochs, build_iso

RESULTS = os.path.join(BUILD, "conformance")
CHECK = re.compile(r"^(PASS|FAIL|SKIP): ([^:=\s]+)(?:[:=].*)?$")
DONE = re.compile(r"^conformance: done checks=(\d+)")

# The emulators and CPU models the suite runs on (VMX: Bochs; issue 16
# adds the SVM ones).
# The VMX backend on two Intel models, the SVM backend on Bochs's ryzen.
MODELS = ["tigerlake", "corei7_haswell_4770", "ryzen"]


def guests():
    """The conformance guests, by the name of their source file."""
    return sorted(os.path.splitext(os.path.basename(p))[0]
                  for p in glob.glob(os.path.join(ROOT, "guest", "conformance", "*.c"))
                  if not p.endswith("/conf.c"))


def parse(transcript):
    """{check name: its whole line} and whether the done line came; a
    name printed twice is an error of the guest."""
    checks, done = {}, False
    for line in transcript.replace("\r", "").split("\n"):
        m = CHECK.match(line)
        if m:
            if m.group(2) in checks:
                raise AssertionError(f"check {m.group(2)!r} printed twice")
            checks[m.group(2)] = line
        elif DONE.match(line):
            done = True
    return checks, done


def run(guest, model, native, iso_dir, cpus=1, timeout=900):
    """Boot the guest once; (checks, done, transcript)."""
    kind = "native" if native else "monovisor"
    iso = build_iso(os.path.join(iso_dir, f"{kind}.iso"), guest=f"conf_{guest}", native=native)
    m = Bochs(iso, cpus=cpus, model=model, logname=f"conformance-{guest}-{model}-{kind}")
    try:
        # The guest's end, or monovisor's report of a stopped guest (then
        # its whole report, up to the console's prompt).
        i = m.child.expect([DONE.pattern.lstrip("^"), r"unexpected exception",
                            r"guest\.stopped", r"guest\.triple_fault"], timeout=timeout)
        if i >= 2:
            m.child.expect_exact("monovisor> ", timeout=30)
    except Exception:      # EOF or timeout: judged from what was printed
        pass
    try:
        text = m.transcript()
    finally:
        m.close()
    checks, done = parse(text)
    return checks, done, text


def compare(native, virt, known=None):
    """The checks whose lines differ: [(name, native line, monovisor
    line)], None for a check one side did not print. known: {name: why}
    left out of the comparison (the emulator's own behaviour, checked
    natively)."""
    known = known or {}
    out = []
    for name in sorted(set(native) | set(virt)):
        if name in known:
            continue
        a, b = native.get(name), virt.get(name)
        if a != b:
            out.append((name, a, b))
    return out


def both(guest, model, iso_dir, cpus=1):
    """Native and monovisor runs side by side."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        n = pool.submit(run, guest, model, True, iso_dir, cpus)
        v = pool.submit(run, guest, model, False, iso_dir, cpus)
        return n.result(), v.result()


def record(guest, model, checks, differ, known, documented):
    """This run's counts, for summary(): known and documented are the
    checks left out as the emulator's own and as README's."""
    os.makedirs(RESULTS, exist_ok=True)
    with open(os.path.join(RESULTS, f"{guest}-{model}.json"), "w") as f:
        json.dump({"guest": guest, "model": model, "checks": checks, "differ": differ,
                   "known": known, "documented": documented}, f)


def summary():
    """One line over every result of this session: None if none."""
    files = sorted(glob.glob(os.path.join(RESULTS, "*.json")))
    if not files:
        return None
    checks = differ = known = documented = 0
    for p in files:
        with open(p) as f:
            r = json.load(f)
        checks += r["checks"]
        differ += r["differ"]
        known += r["known"]
        documented += r["documented"]
    return (f"conformance: {checks} checks, {differ} differ ({len(files)} guest and CPU model "
            f"runs; left out: {known} the emulator's own, {documented} documented in README)")
