#!/usr/bin/env python3
"""bench.py - run the benchmark guest natively (GRUB boots it) and under
monovisor, both in Bochs with one CPU and `clock: sync=none`, where the TSC
counts retired instructions (DESIGN.md): the VMX backend on the tigerlake
model, the SVM backend on the ryzen model (its lines start with svm_).
Debian's Linux boots to its shell natively and under monovisor in Bochs
(instructions) and in QEMU's TCG with SVM (wall time). Prints one line per
figure,

    bench NAME native=N virt=N ratio=R

and writes build/bench/bench.csv and build/bench/bench.md. On a host with
KVM and nested VMX it also boots both under QEMU -cpu host and prints the
same figures in TSC cycles ("bench kvm NAME ..."); elsewhere one line says
why it did not ("bench kvm: skipped (...)"). `bench.py timer` prints only
the rows of the guest's own timer (guest/tests/timer.c: exits per 1,000
interrupts, "bench [svm_]timer_MODE exits_per_1000=X interrupts=N").
"""
import os
import re
import sys
import concurrent.futures
import subprocess

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests", "boot"))
from machine import BUILD, Bochs, Qemu, build_iso  # noqa: E402
import bench_linux  # noqa: E402

OUT = os.path.join(BUILD, "bench")


def figures_of(text):
    """The guest's "bench NAME per_op=N" and total lines."""
    figures = {}
    for name, val in re.findall(r"^bench (\w+) per_op=(\d+)", text, re.M):
        figures[name] = int(val)
    for name in ("compute", "memory_sweep"):
        c = re.search(rf"^bench {name} total=(\d+)", text, re.M)
        if c:
            figures["compute_loop" if name == "compute" else name] = int(c.group(1))
    return figures


def run(native, kind=None, hv_args="", guest_args="", megs=512, model="tigerlake"):
    """One boot of the benchmark guest in Bochs (model: tigerlake for the
    VMX backend, ryzen for SVM). Under monovisor the guest's end leaves the
    console (onexit=console), whose `info` and `ept` give the TSC at
    monovisor's first instruction and the EPT build time."""
    kind = kind or ("native" if native else "virt")
    if not native:
        hv_args = f"onexit=console {hv_args}".strip()
    iso = build_iso(os.path.join(OUT, f"bench-{kind}.iso"), guest="bench", native=native,
                    hv_args=hv_args, guest_args=guest_args)
    m = Bochs(iso, cpus=1, megs=megs, model=model, logname=f"bench-{kind}")
    try:
        m.expect_exact("bench done", timeout=600)
        text = m.transcript()
        if not native:
            m.expect_exact("guest: stopped", timeout=60)
            text += m.command("info") + m.command("ept")
    finally:
        m.close()
    figures = figures_of(text)
    first = re.search(r"^bench first_instruction_tsc=(\d+)", text, re.M)
    kmain = re.search(r"^boot\.tsc_kmain=(\d+)", text, re.M)
    if first and kmain:
        figures["boot"] = int(first.group(1)) - int(kmain.group(1))
    b = re.search(r"^ept\.pages .*build_ticks=(\d+)", text, re.M)
    if b:
        figures["ept_build"] = int(b.group(1))
    return figures


def kvm_unavailable():
    """Why QEMU cannot run monovisor with KVM and nested VMX here, or None."""
    if not os.path.exists("/dev/kvm"):
        return "no /dev/kvm"
    if not os.access("/dev/kvm", os.R_OK | os.W_OK):
        return "/dev/kvm not accessible"
    try:
        with open("/proc/cpuinfo") as f:
            if not re.search(r"^flags\s*:.*\bvmx\b", f.read(), re.M):
                return "the host CPU has no VMX (an Intel host with VT-x is needed)"
    except OSError:
        return "no /proc/cpuinfo"
    try:
        with open("/sys/module/kvm_intel/parameters/nested") as f:
            if f.read().strip() not in ("Y", "1"):
                return "kvm_intel nested=N (modprobe kvm_intel nested=1)"
    except OSError:
        return "kvm_intel is not loaded"
    return None


def run_kvm(native):
    """The guest under QEMU with KVM, -cpu host: natively, or under
    monovisor (nested VMX). Figures are TSC cycles."""
    kind = "kvm-native" if native else "kvm-virt"
    iso = build_iso(os.path.join(OUT, f"bench-{kind}.iso"), guest="bench", native=native,
                    hv_args="" if native else 'run="msr 0x174 log"')
    m = Qemu(iso, cpus=1, megs=512, logname=f"bench-{kind}", accel="kvm", cpu="host")
    try:
        m.expect_exact("bench done", timeout=300)
        return figures_of(m.transcript())
    finally:
        m.close()


def kvm_lines():
    why = kvm_unavailable()
    if why:
        print(f"bench kvm: skipped ({why})")
        return
    native, virt = run_kvm(True), run_kvm(False)
    for name in ("cpuid", "vmcall", "io_in", "rdmsr", "wrmsr", "uart_write", "ipi_xapic", "ipi_x2apic",
                 "compute_loop", "memory_sweep"):
        n, v = native.get(name), virt.get(name)
        ratio = f"{v / n:.3f}" if n and v is not None else "n/a"
        print(f"bench kvm {name} native={n if n is not None else 'n/a'} "
              f"virt={v if v is not None else 'n/a'} ratio={ratio} (TSC cycles, QEMU -cpu host)")


COUNT_BUILD = os.path.join(BUILD, "count")


def vmcs_accesses():
    """VMREADs and VMWRITEs per exit, by exit reason, from a build of
    monovisor that counts them (-DVMX_COUNT_VMCS_ACCESS: the counters add
    instructions, so the instruction figures come from the normal build)."""
    subprocess.run(["make", f"BUILD={COUNT_BUILD}", "KDEFS=-DVMX_COUNT_VMCS_ACCESS",
                    f"{COUNT_BUILD}/monovisor.elf"], check=True, stdout=subprocess.DEVNULL)
    # ept=lazy (and the guest's lazy part): the EPT violations of first
    # touches are among the exits counted.
    iso = build_iso(os.path.join(OUT, "bench-count.iso"), guest="bench",
                    hv_args='onexit=console ept=lazy run="msr 0x174 log"', guest_args="mode=lazy",
                    elf=os.path.join(COUNT_BUILD, "monovisor.elf"))
    m = Bochs(iso, cpus=1, megs=512, logname="bench-count")
    try:
        m.expect_exact("bench done", timeout=600)
        m.expect_exact("guest: stopped", timeout=60)
        out = m.command("stats 0")
    finally:
        m.close()
    per = {}
    for reason, count, reads, writes in re.findall(
            r"^stats cpu=0 reason=(\w+) count=(\d+) .* vmreads=(\d+) vmwrites=(\d+)$", out, re.M):
        per[reason] = (int(count), int(reads) / int(count), int(writes) / int(count))
    return per


def plot(rows):
    """Per-operation cost, native beside virtualized, as a PNG (gnuplot)."""
    ops = [(n, a, b) for n, a, b, _ in rows if a is not None and b is not None and b < 100000]
    data = os.path.join(OUT, "ops.dat")
    with open(data, "w") as f:
        for name, n, v in ops:
            f.write(f"{name} {n} {v}\n")
    script = f"""set terminal png size 900,500 noenhanced
set output '{OUT}/bench.png'
set title 'monovisor: instructions per operation (Bochs, 1 CPU)'
set style data histograms
set style fill solid 0.8
set logscale y
set ylabel 'instructions'
set xtics rotate by -30
plot '{data}' using 2:xtic(1) title 'native', '' using 3 title 'monovisor'
"""
    try:
        subprocess.run(["gnuplot"], input=script, text=True, check=True)
        print(f"bench: plot in {OUT}/bench.png")
    except (OSError, subprocess.CalledProcessError) as e:
        print(f"bench: no plot ({e})")


def linux_rt_rows(rows, r):
    """Debian's Linux with the console on a core of its own: exits per
    guest second of each guest core idle, and per 1,000 interrupts of the
    core running the 1 kHz timer loop (one interrupt per millisecond). The
    rows leave out the IPIs a core sent (each ICR write exits, by the fast
    path: ipi_exit_path); they are printed beside."""
    for cpu, (seconds, exits, by_hv, ipis) in sorted(r["idle"].items()):
        rate = round((exits - ipis) / seconds, 3) if seconds else None
        rows.append((f"linux_rt_idle_cpu{cpu}_exits_per_s", None, rate, "n/a"))
        print(f"bench linux_rt_idle cpu={cpu} seconds={seconds} exits={exits} ipis_sent={ipis} "
              f"per_second_besides_ipis={rate} by_hypervisor={by_hv} (x2apic={int(r['x2apic'])}; target 0)")
    seconds, exits, by_hv, ipis = r["tick"][1]
    per_1000 = round((exits - ipis) / seconds, 3) if seconds else None     # 1,000 interrupts a second
    rows.append(("linux_rt_tick_exits_per_1000_irqs", None, per_1000, "n/a"))
    print(f"bench linux_rt_tick cpu=1 seconds={seconds} exits={exits} ipis_sent={ipis} "
          f"per_1000_interrupts_besides_ipis={per_1000} by_hypervisor={by_hv} ({r['tick_line']}; target 0)")


def ipi_path(native, virt, prefix):
    """An IPI between guest cores that still exits (the x2APIC ICR): the
    hypervisor's instructions for it, issue 19's target 120."""
    if native.get("ipi_x2apic") is not None and virt.get("ipi_x2apic") is not None:
        print(f"bench {prefix}ipi_exit_path instructions={virt['ipi_x2apic'] - native['ipi_x2apic']} "
              "(x2APIC ICR write of a fixed IPI, virt - native, exit and entry included; "
              "target <= 120)")
    else:
        print(f"bench {prefix}ipi_exit_path instructions=n/a (the CPU model has no x2APIC)")
    if native.get("ipi_xapic") is not None and virt.get("ipi_xapic") is not None:
        print(f"bench {prefix}ipi_xapic_exit_path instructions={virt['ipi_xapic'] - native['ipi_xapic']} "
              "(xAPIC ICR store and the EOI's store, two exits through the instruction decoder)")


# The guest's own 1 kHz local-APIC timer (guest/tests/timer.c): `bench
# [svm_]timer_NAME` and the guest's arguments.
TIMER_MODES = (("xapic", "mode=xapic"), ("xapic_periodic", "mode=xapic timer=periodic"),
               ("x2apic", "mode=x2apic"), ("deadline", "mode=deadline"))


def vexit_names():
    """The neutral exit reasons by number (kernel/hypercall_abi.h)."""
    with open(os.path.join(os.path.dirname(__file__), "..", "kernel", "hypercall_abi.h")) as f:
        return {int(n): name.lower() for name, n in re.findall(r"^#define VEXIT_(\w+)\s+(\d+)", f.read(), re.M)}


def timer_exits(model):
    """guest/tests/timer.c under monovisor in Bochs (model: tigerlake for
    VT-x, ryzen for SVM), two CPUs, the console alone on core 1 (cpus=0):
    per mode of TIMER_MODES the exits of 1,000 interrupts of a 1 kHz
    local-APIC timer, as {"per_1000", "interrupts", "reasons", "failed"}
    or {"unsupported": why} where the CPU model lacks the mode."""
    names, results = vexit_names(), {}
    for name, args in TIMER_MODES:
        kind = f"timer-{model}-{name}"
        iso = build_iso(os.path.join(OUT, f"bench-{kind}.iso"), guest="timer", hv_args="cpus=0",
                        guest_args=f"n=1000 {args}")
        m = Bochs(iso, cpus=2, model=model, logname=f"bench-{kind}")
        try:
            m.expect([r"unsupported: [^\r\n]*\r?\n", r"\d+ passed, \d+ failed"], timeout=600)
            text = m.transcript()
        finally:
            m.close()
        why = re.search(r"^\r?timer mode=\S+ unsupported: ([^\r\n]*)", text, re.M)
        line = re.search(r"^\r?timer mode=.* interrupts=(\d+) .* per_1000=(\d+)", text, re.M)
        failed = re.search(r"^\r?\d+ passed, (\d+) failed", text, re.M)
        if why or not line:
            results[name] = {"unsupported": why.group(1) if why else "no timer line (see the log)"}
            continue
        reasons = {names.get(int(r), r): int(c)
                   for r, c in re.findall(r"^\r?timer exit reason=(\d+) count=(\d+)", text, re.M)}
        results[name] = {"per_1000": int(line.group(2)), "interrupts": int(line.group(1)),
                         "reasons": reasons, "failed": int(failed.group(1)) if failed else None}
    return results


def timer_rows(rows, prefix, results):
    """`bench PREFIXtimer_NAME exits_per_1000=X interrupts=N`: the exits a
    guest core takes per 1,000 interrupts of its own timer (issue 19's
    target 0), by reason."""
    for name, _ in TIMER_MODES:
        r = results.get(name, {"unsupported": "not run"})
        if "unsupported" in r:
            rows.append((f"{prefix}timer_{name}_exits_per_1000", None, None, "n/a"))
            print(f"bench {prefix}timer_{name} exits_per_1000=n/a interrupts=n/a "
                  f"(unsupported: {r['unsupported']})")
            continue
        rows.append((f"{prefix}timer_{name}_exits_per_1000", None, r["per_1000"], "n/a"))
        by = " ".join(f"{k}={v}" for k, v in sorted(r["reasons"].items())) or "none"
        bad = "" if r["failed"] == 0 else f"; the guest's checks failed: {r['failed']}"
        print(f"bench {prefix}timer_{name} exits_per_1000={r['per_1000']} interrupts={r['interrupts']} "
              f"(1 kHz local-APIC timer, console on its own core; by reason: {by}; target 0{bad})")


def micro_rows(rows, prefix, native, virt, lazy):
    """The per-operation figures of one backend: `bench PREFIXNAME ...`."""
    for name in ("cpuid", "vmcall", "io_in", "rdmsr", "wrmsr", "uart_write", "ipi_xapic", "ipi_x2apic",
                 "compute_loop", "memory_sweep"):
        n, v = native.get(name), virt.get(name)
        ratio = f"{v / n:.3f}" if n and v is not None else "n/a"
        rows.append((prefix + name, n, v, ratio))
        print(f"bench {prefix}{name} native={n if n is not None else 'n/a'} "
              f"virt={v if v is not None else 'n/a'} ratio={ratio}")
    for name in ("ept_fault_2m", "ept_fault_4k"):
        v = lazy.get(name)
        rows.append((prefix + name, None, v, "n/a"))
        print(f"bench {prefix}{name} native=n/a virt={v if v is not None else 'n/a'} ratio=n/a "
              "(first touch of a page under ept=lazy, loop included)")


def main():
    os.makedirs(OUT, exist_ok=True)
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        # The Linux boots are the longest runs: start them first.
        linux_native_f = pool.submit(bench_linux.boot, OUT, True)
        linux_virt_f = pool.submit(bench_linux.boot, OUT, False)
        linux_rt_f = pool.submit(bench_linux.rt, OUT)
        native_f = pool.submit(run, True)
        virt_f = pool.submit(run, False, "virt", 'run="msr 0x174 log"')
        lazy_f = pool.submit(run, False, "virt-lazy", "ept=lazy", "mode=lazy")
        # The boots: default options (the msr rule of "virt" would print at boot).
        boot_f = pool.submit(run, False, "virt-boot")
        big_f = pool.submit(run, False, "virt-4g", "", "", 4096)
        count_f = pool.submit(vmcs_accesses)
        # The SVM backend: Bochs's ryzen model, the same guest and runs.
        svm_native_f = pool.submit(run, True, "svm-native", model="ryzen")
        svm_virt_f = pool.submit(run, False, "svm-virt", 'run="msr 0x174 log"', model="ryzen")
        svm_lazy_f = pool.submit(run, False, "svm-virt-lazy", "ept=lazy", "mode=lazy", model="ryzen")
        svm_boot_f = pool.submit(run, False, "svm-virt-boot", model="ryzen")
        timer_f = pool.submit(timer_exits, "tigerlake")
        svm_timer_f = pool.submit(timer_exits, "ryzen")
        native, virt = native_f.result(), virt_f.result()
        lazy, boot, big = lazy_f.result(), boot_f.result(), big_f.result()
        (linux_native, _), (linux_virt, linux_exits) = linux_native_f.result(), linux_virt_f.result()
    rows = []
    micro_rows(rows, "", native, virt, lazy)
    for name, figs, mib in (("boot_512m", boot, 512), ("boot_4g", big, 4096)):
        v = figs.get("boot")
        rows.append((name, None, v, "n/a"))
        print(f"bench {name} native=n/a virt={v if v is not None else 'n/a'} ratio=n/a "
              f"(monovisor's first instruction to the guest's, {mib} MiB, instructions)")
    for name, figs, mib in (("ept_build_512m", boot, 512), ("ept_build_4g", big, 4096)):
        v = figs.get("ept_build")
        rows.append((name, None, v, "n/a"))
        print(f"bench {name} native=n/a virt={v if v is not None else 'n/a'} ratio=n/a "
              f"(static EPT of {mib} MiB of RAM, instructions)")
    ratio = f"{linux_virt / linux_native:.3f}"
    rows.append(("linux_boot", linux_native, linux_virt, ratio))
    print(f"bench linux_boot native={linux_native} virt={linux_virt} ratio={ratio} "
          "(power-on to the first shell prompt, Debian's kernel, 1 CPU, instructions; target <= 1.05)")
    for reason, count in sorted(linux_exits.items(), key=lambda x: -x[1]):
        print(f"bench linux_boot_exits reason={reason} count={count}")
    linux_rt_rows(rows, linux_rt_f.result())
    if native.get("cpuid") is not None and virt.get("cpuid") is not None:
        path = virt["cpuid"] - native["cpuid"]
        print(f"bench cpuid_exit_path instructions={path} (virt - native, exit and entry included)")
    ipi_path(native, virt, "")
    timer_rows(rows, "", timer_f.result())
    svm_native, svm_virt = svm_native_f.result(), svm_virt_f.result()
    micro_rows(rows, "svm_", svm_native, svm_virt, svm_lazy_f.result())
    v = svm_boot_f.result().get("boot")
    rows.append(("svm_boot_512m", None, v, "n/a"))
    print(f"bench svm_boot_512m native=n/a virt={v if v is not None else 'n/a'} ratio=n/a "
          "(monovisor's first instruction to the guest's, 512 MiB, instructions)")
    if svm_native.get("cpuid") is not None and svm_virt.get("cpuid") is not None:
        print(f"bench svm_cpuid_exit_path instructions={svm_virt['cpuid'] - svm_native['cpuid']} "
              "(virt - native, #VMEXIT and VMRUN included; target <= 60)")
    ipi_path(svm_native, svm_virt, "svm_")
    timer_rows(rows, "svm_", svm_timer_f.result())
    # Wall time: alone on the machine, after the Bochs runs.
    q_native, q_virt = bench_linux.qemu_boots(OUT)
    ratio = f"{q_virt / q_native:.3f}"
    rows.append(("qemu_tcg_linux_boot_ms", round(q_native * 1000), round(q_virt * 1000), ratio))
    print(f"bench qemu_tcg_linux_boot native={q_native:.1f}s virt={q_virt:.1f}s ratio={ratio} "
          "(QEMU TCG -cpu EPYC,+svm,+npt, 1 CPU, wall time from start to the shell prompt; "
          "the median of 3 boots each, taken in turn; target <= 1.05)")
    vmcs = count_f.result()
    for reason, (count, reads, writes) in sorted(vmcs.items()):
        print(f"bench vmcs reason={reason} exits={count} vmreads_per_exit={reads:.2f} "
              f"vmwrites_per_exit={writes:.2f}")
    with open(os.path.join(OUT, "bench.csv"), "w") as f:
        f.write("name,native,virt,ratio\n")
        for r in rows:
            f.write(",".join("" if x is None else str(x) for x in r) + "\n")
    with open(os.path.join(OUT, "bench.md"), "w") as f:
        f.write("| operation | native (instructions) | monovisor (instructions) | ratio |\n")
        f.write("|---|---:|---:|---:|\n")
        for name, n, v, ratio in rows:
            f.write(f"| {name} | {n if n is not None else 'n/a'} | {v if v is not None else 'n/a'} | {ratio} |\n")
        f.write("\n| exit reason | exits | VMREADs per exit | VMWRITEs per exit |\n")
        f.write("|---|---:|---:|---:|\n")
        for reason, (count, reads, writes) in sorted(vmcs.items()):
            f.write(f"| {reason} | {count} | {reads:.2f} | {writes:.2f} |\n")
        f.write("\n| exit reason during Linux boot | exits |\n")
        f.write("|---|---:|\n")
        for reason, count in sorted(linux_exits.items(), key=lambda x: -x[1]):
            f.write(f"| {reason} | {count} |\n")
    plot(rows)
    kvm_lines()
    print(f"bench: table in {OUT}/bench.md")


if __name__ == "__main__":
    if sys.argv[1:] == ["timer"]:      # the timer rows alone (a few minutes)
        os.makedirs(OUT, exist_ok=True)
        timer_rows([], "", timer_exits("tigerlake"))
        timer_rows([], "svm_", timer_exits("ryzen"))
    else:
        main()
