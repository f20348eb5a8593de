#!/usr/bin/env python3
"""bench.py - run the benchmark guest natively (GRUB boots it) and under
monovisor, both in Bochs with one CPU and `clock: sync=none`, where the TSC
counts retired instructions (DESIGN.md). Prints one line per figure,

    bench NAME native=N virt=N ratio=R

and writes build/bench/bench.csv and build/bench/bench.md.
"""
import os
import re
import sys
import concurrent.futures

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests", "boot"))
from machine import BUILD, Bochs, build_iso  # noqa: E402

OUT = os.path.join(BUILD, "bench")


def run(native):
    kind = "native" if native else "virt"
    iso = build_iso(os.path.join(OUT, f"bench-{kind}.iso"), guest="bench", native=native)
    m = Bochs(iso, cpus=1, logname=f"bench-{kind}")
    try:
        m.expect_exact("bench done", timeout=600)
        text = m.transcript()
    finally:
        m.close()
    figures = {}
    for name, val in re.findall(r"^bench (\w+) per_op=(\d+)", text, re.M):
        figures[name] = int(val)
    c = re.search(r"^bench compute total=(\d+)", text, re.M)
    if c:
        figures["compute_loop"] = int(c.group(1))
    return figures


def main():
    os.makedirs(OUT, exist_ok=True)
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        native_f, virt_f = pool.submit(run, True), pool.submit(run, False)
        native, virt = native_f.result(), virt_f.result()
    rows = []
    for name in ("cpuid", "vmcall", "io_in", "rdmsr", "compute_loop"):
        n, v = native.get(name), virt.get(name)
        ratio = f"{v / n:.3f}" if n and v is not None else "n/a"
        rows.append((name, n, v, ratio))
        print(f"bench {name} native={n if n is not None else 'n/a'} "
              f"virt={v if v is not None else 'n/a'} ratio={ratio}")
    if native.get("cpuid") is not None and virt.get("cpuid") is not None:
        path = virt["cpuid"] - native["cpuid"]
        print(f"bench cpuid_exit_path instructions={path} (virt - native, exit and entry included)")
    with open(os.path.join(OUT, "bench.csv"), "w") as f:
        f.write("name,native,virt,ratio\n")
        for r in rows:
            f.write(",".join("" if x is None else str(x) for x in r) + "\n")
    with open(os.path.join(OUT, "bench.md"), "w") as f:
        f.write("| operation | native (instructions) | monovisor (instructions) | ratio |\n")
        f.write("|---|---:|---:|---:|\n")
        for name, n, v, ratio in rows:
            f.write(f"| {name} | {n if n is not None else 'n/a'} | {v if v is not None else 'n/a'} | {ratio} |\n")
    print(f"bench: table in {OUT}/bench.md")


if __name__ == "__main__":
    main()
