"""bench_linux.py - Linux boot to the shell prompt, in instructions: Debian's
kernel with the busybox initramfs (guest/linux) booted by GRUB directly and
under monovisor, Bochs with one CPU and `clock: sync=none`, where the TSC
counts retired instructions from power-on (DESIGN.md). The guest's first
login shell prints `linux.shell tsc=N` (guest/linux/profile, rdtsc.c)
before its first prompt; both runs count BIOS and GRUB too, which differ
only by the files GRUB loads. Under monovisor the exits by reason up to
that point come from the console's `stats`.
"""
import os
import re
import statistics
import time

import linux_rt
from machine import Bochs, LINUX_ARGS, LINUX_CPU, Qemu, build_iso, linux_files

SHELL_MARK = r"linux\.shell tsc=(\d+)\r?\n"


def boot(out_dir, native):
    """Instructions from power-on to the shell, and (under monovisor) the
    exits by reason as {reason: count}."""
    kernel, initrd = linux_files()
    kind = "native" if native else "virt"
    # The console starts in the guest, as with make run GUEST=linux.
    iso = build_iso(os.path.join(out_dir, f"bench-linux-{kind}.iso"), guest=kernel, initrd=initrd,
                    guest_args=LINUX_ARGS, native=native, hv_args="console=guest")
    m = Bochs(iso, cpus=1, megs=512, model=LINUX_CPU, ignore_bad_msrs=True,
              logname=f"bench-linux-{kind}")
    try:
        tsc = int(m.expect(SHELL_MARK, timeout=1800).group(1))
        exits = {}
        if not native:
            m.send(b"\x01c")            # the console mux: to the monovisor> prompt
            m.wait_prompt(60)
            out = m.command("stats 0")
            for reason, count in re.findall(r"^stats cpu=0 reason=(\w+) count=(\d+)", out, re.M):
                exits[reason] = int(count)
    finally:
        m.close()
    return tsc, exits


def rt(out_dir):
    """The real-time rows (issue 19): Linux on cores 0 and 1, the console
    on core 2 (tests/boot/linux_rt.py); exits per guest second of each
    guest core idle for 10 guest seconds, and per 1,000 timer interrupts
    of core 1 running a 1 kHz timer loop."""
    def iso(**kw):
        return build_iso(os.path.join(out_dir, "bench-linux-rt.iso"), **kw)

    m = linux_rt.boot(iso, lambda path, **kw: Bochs(path, logname="bench-linux-rt", **kw))
    try:
        return linux_rt.measure(m)
    finally:
        m.close()


def qemu_boots(out_dir, rounds=3):
    """Wall seconds from QEMU's start to the shell prompt, natively and
    under monovisor (its SVM backend), QEMU's TCG with `-cpu EPYC,+svm,+npt`
    and one CPU: (native, virt), each the median of rounds boots taken
    in turn (native, virt, native, ...), so that a busy moment of the host
    weighs on neither side alone (one boot of each was seen to vary by 5%)."""
    kernel, initrd = linux_files()
    isos = {}
    for native in (True, False):
        kind = "native" if native else "virt"
        isos[native] = build_iso(os.path.join(out_dir, f"bench-qemu-linux-{kind}.iso"), guest=kernel,
                                 initrd=initrd, guest_args=LINUX_ARGS, native=native,
                                 hv_args="console=guest")
    times = {True: [], False: []}
    for _ in range(rounds):
        for native in (True, False):
            kind = "native" if native else "virt"
            t0 = time.monotonic()
            m = Qemu(isos[native], cpus=1, cpu="EPYC,+svm,+npt", logname=f"bench-qemu-linux-{kind}")
            try:
                m.expect(SHELL_MARK, timeout=900)
                times[native].append(time.monotonic() - t0)
            finally:
                m.close()
    return statistics.median(times[True]), statistics.median(times[False])
