#!/usr/bin/env python3
"""preflight.py - before the boot tests: start each emulator once, the way
the tests start it, and stop it again. When one cannot start (a missing
package, a host without a sound card for an emulator that wants one, ...)
print one line naming the emulator and the cause, its last line of output,
and fail, instead of letting every boot test fail with a socket error.

    python3 tests/boot/preflight.py      # exit status 0: every emulator starts
"""
import os
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(__file__))
from machine import OVMF, bochsrc, free_port, last_line  # noqa: E402

# An emulator that is still running this long after it opened its serial
# port got past its device initialisation (where Bochs 2.7's sound code
# aborts on a host without a sound card).
SETTLE_SECONDS = 1.5


def run_until_settled(cmd, out_path, port=None):
    """Start cmd with its output in out_path; wait for its serial server on
    port (if any) and connect, then SETTLE_SECONDS. None if it was still
    running (then stopped), else the reason it is not."""
    with open(out_path, "w") as out:
        try:
            # Standard input stays open and silent: Bochs waits at its
            # debugger prompt once its devices are up.
            proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=out,
                                    stderr=subprocess.STDOUT)
        except OSError as e:
            return str(e)
    sock = None
    try:
        deadline = time.time() + 30
        while port is not None and sock is None:
            try:
                sock = socket.create_connection(("127.0.0.1", port), timeout=2)
            except OSError:
                if proc.poll() is not None:
                    break
                if time.time() > deadline:
                    return "did not open its serial port within 30 s"
                time.sleep(0.1)
        time.sleep(SETTLE_SECONDS)
        if proc.poll() is None:
            return None
        return f"exited with status {proc.returncode}: {last_line(out_path) or '(no output)'}"
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        proc.stdin.close()
        if sock:
            sock.close()


def bochs(tmp):
    port = free_port()
    rc = os.path.join(tmp, "bochsrc")
    with open(rc, "w") as f:
        # No ISO is needed: the CPU never starts.
        f.write(bochsrc(os.path.join(tmp, "none.iso"), port, log=os.path.join(tmp, "bochs.log")))
    # Without `-rc` (whose "c" the tests give) Bochs stops at its debugger
    # prompt after setting up its devices, before the BIOS's first
    # instruction.
    return run_until_settled(["bochs", "-q", "-f", rc], os.path.join(tmp, "bochs.out"), port)


def qemu(tmp):
    # -S: the CPU never starts; the devices, the display and the audio
    # back end are set up exactly as for a test.
    cmd = ["qemu-system-x86_64", "-S", "-accel", "tcg", "-display", "none", "-monitor", "none",
           "-serial", "null", "-no-reboot", "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"]
    return run_until_settled(cmd, os.path.join(tmp, "qemu.out"))


def qemu_uefi(tmp):
    # The UEFI tests' QEMU: the same, with OVMF as its firmware.
    if not os.access(OVMF, os.R_OK):
        return f"no {OVMF} (Debian's ovmf package)"
    cmd = ["qemu-system-x86_64", "-S", "-bios", OVMF, "-accel", "tcg", "-display", "none",
           "-monitor", "none", "-serial", "null", "-no-reboot"]
    return run_until_settled(cmd, os.path.join(tmp, "qemu-uefi.out"))


def main():
    failed = 0
    with tempfile.TemporaryDirectory(prefix="monovisor-preflight-") as tmp:
        for name, check in (("bochs", bochs), ("qemu", qemu), ("qemu with OVMF", qemu_uefi)):
            why = check(tmp)
            if why:
                print(f"preflight: {name} cannot start: {why}")
                failed += 1
            else:
                print(f"preflight: {name} starts")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
