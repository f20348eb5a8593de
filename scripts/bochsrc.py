#!/usr/bin/env python3
"""bochsrc.py - the one Bochs configuration the project generates, for the
boot tests (tests/boot/machine.py), the benchmark and `make run`
(scripts/run.sh, through the command line below).

It names everything Bochs would otherwise take from the host, so that a run
behaves the same on a desktop, a server and a fresh CI machine:
- no sound: Bochs 2.7's speaker plugin opens the host's ALSA device at start
  and aborts ("buffer overflow detected") on a host without a sound card,
  even with libasound2 installed (DESIGN.md); the speaker, the game port
  (a host joystick) and the parallel port (a host file) are unloaded and
  every sound driver is the dummy one;
- no display: the rfb display library, which waits for no viewer
  (timeout=0) and needs no X server;
- no USB, no network, no floppy: none are configured;
- the BIOS images of Debian's bochsbios and vgabios packages.

    python3 scripts/bochsrc.py --iso ISO --serial PORT [--megs N] [--cpus N]
        [--model NAME] [--ignore-bad-msrs] [--log FILE] [--port-e9]

prints the configuration on standard output.
"""
import argparse

BIOS = "/usr/share/bochs/BIOS-bochs-latest"
VGA_BIOS = "/usr/share/bochs/VGABIOS-lgpl-latest"
DEFAULT_MODEL = "tigerlake"


def bochsrc(iso, serial_port, megs=512, cpus=1, model=DEFAULT_MODEL, ignore_bad_msrs=False,
            log="/dev/null", port_e9=False, gdb_port=None):
    """The configuration text: iso booted from the CD-ROM, COM1 a TCP
    server on 127.0.0.1:serial_port (and COM2 one on gdb_port, the GDB
    stub's wire with gdb=com2), one CPU per `cpus` of `model`, the TSC
    advancing one tick per instruction (clock: sync=none: DESIGN.md)."""
    # Bochs backs at most 2 GiB with host memory; more swaps to a file.
    mem = f"megs: {megs}" if megs <= 2048 else f"memory: guest={megs}, host=2048"
    lines = [
        # First: later options may belong to plugins this line unloads.
        "plugin_ctrl: speaker=0, gameport=0, parallel=0",
        "sound: driver=dummy",
        mem,
        f"cpu: model={model}, count={cpus}, ips=100000000, ignore_bad_msrs={int(ignore_bad_msrs)}",
        "clock: sync=none, time0=local",
        f"romimage: file={BIOS}",
        f"vgaromimage: file={VGA_BIOS}",
        'display_library: rfb, options="timeout=0"',
        f"ata0-master: type=cdrom, path={iso}, status=inserted",
        "boot: cdrom",
        f"com1: enabled=1, mode=socket-server, dev=127.0.0.1:{serial_port}",
    ]
    if gdb_port:
        lines.append(f"com2: enabled=1, mode=socket-server, dev=127.0.0.1:{gdb_port}")
    if port_e9:
        lines.append("port_e9_hack: enabled=1")     # the coverage build's counters
    lines += [
        f"log: {log}",
        "panic: action=fatal",
        "error: action=report",
        "info: action=ignore",
        "debug: action=ignore",
    ]
    return "\n".join(lines) + "\n"


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--iso", required=True)
    p.add_argument("--serial", type=int, required=True, help="TCP port of COM1 on 127.0.0.1")
    p.add_argument("--megs", type=int, default=512)
    p.add_argument("--cpus", type=int, default=1)
    p.add_argument("--model", default=DEFAULT_MODEL)
    p.add_argument("--ignore-bad-msrs", action="store_true")
    p.add_argument("--log", default="/dev/null")
    p.add_argument("--port-e9", action="store_true")
    p.add_argument("--gdb", type=int, default=None, help="TCP port of COM2 (the GDB stub's wire)")
    a = p.parse_args()
    print(bochsrc(a.iso, a.serial, a.megs, a.cpus, a.model, a.ignore_bad_msrs, a.log, a.port_e9,
                  a.gdb), end="")


if __name__ == "__main__":
    main()
