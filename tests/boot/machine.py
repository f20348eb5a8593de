"""Boot-test machines: build an ISO, boot it in Bochs or QEMU, talk to the
serial console with pexpect, keep the transcript.

Every wait has a timeout; a failed wait raises AssertionError carrying the
whole serial transcript, so a failing test shows what the machine said.
"""
import os
import select
import shutil
import socket
import subprocess
import sys
import threading
import time

import pexpect
import pexpect.fdpexpect

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
from bochsrc import bochsrc  # noqa: E402  (the one generator: scripts/bochsrc.py)

# Slower builds (make coverage's) stretch every wait by this factor.
TIMEOUT_SCALE = float(os.environ.get("BOOTTEST_TIMEOUT_SCALE", "1"))
# MONOVISOR_BUILD: another build tree (make BUILD=...) with its ELF and guests.
BUILD = os.environ.get("MONOVISOR_BUILD") or os.path.join(ROOT, "build")
ELF = os.path.join(BUILD, "monovisor.elf")
LOGS = os.path.join(BUILD, "test-logs")


PROMPT = "monovisor> "


GUESTS = os.path.join(BUILD, "guest")

# The CPUIDs every SDK guest executes before its own code: sdk_main asks
# leaf 0 for the vendor (the hypercall is VMCALL on Intel, VMMCALL on AMD).
SDK_STARTUP_CPUIDS = 1


def guest_elf(name):
    """Path of an in-tree guest built by make (guest/tests/NAME.c, demo)."""
    return os.path.join(GUESTS, name + ".elf")


def build_iso(path, hv_args="", guest="none", initrd=None, guest_args="", native=False, elf=None):
    """Build an ISO at path from the already built ELF and guests (make
    builds them before the boot tests run, so parallel tests never race).
    guest: a file, "none", or the name of an in-tree guest; elf: another
    build of monovisor (the benchmark's counting one)."""
    if guest and guest != "none" and os.path.exists(guest_elf(guest)):
        guest = guest_elf(guest)
    env = dict(os.environ, HV_ARGS=hv_args, GUEST_ARGS=guest_args, NATIVE="1" if native else "")
    # MONOVISOR_ELF: the boot tests run another build (make coverage's).
    cmd = [os.path.join(ROOT, "iso", "mkiso.sh"), str(path),
           elf or os.environ.get("MONOVISOR_ELF") or ELF,
           guest or "", initrd or ""]
    subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL)
    return str(path)


# The Linux guest (guest/linux/build.sh: Debian's kernel, busybox initramfs)
# and how Bochs must run it (GNUmakefile, GUEST=linux, says why).
LINUX_DIR = os.path.join(BUILD, "linux")
LINUX_ARGS = "console=ttyS0,115200"
LINUX_CPU = "corei7_haswell_4770"

# UEFI firmware for QEMU (Debian's ovmf: code and variables in one image).
OVMF = "/usr/share/ovmf/OVMF.fd"


def linux_files():
    """(bzImage, initramfs) of the Linux guest, fetched and built on first use."""
    kernel = os.path.join(LINUX_DIR, "bzImage")
    initrd = os.path.join(LINUX_DIR, "initramfs.cpio.gz")
    subprocess.run([os.path.join(ROOT, "guest", "linux", "build.sh"), LINUX_DIR], check=True,
                   stdout=subprocess.DEVNULL)
    return kernel, initrd


def last_line(path):
    """The last non-empty line of a file (an emulator's output): why it stopped."""
    try:
        with open(path, errors="replace") as f:
            lines = [ln.strip() for ln in f if ln.strip()]
    except OSError:
        return ""
    return lines[-1] if lines else ""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class SerialRelay:
    """A second serial port for GDB (the stub's gdb=com2) as a TCP port
    GDB can connect to whenever it likes. Bochs's socket-server COM port
    waits at start-up for its one client: the relay is that client, from
    the start, and passes bytes between it and each GDB that connects."""

    def __init__(self, emulator_port, alive, deadline=30):
        end = time.time() + deadline
        while True:
            try:
                self.up = socket.create_connection(("127.0.0.1", emulator_port), timeout=5)
                break
            except OSError:
                if not alive() or time.time() > end:
                    raise AssertionError(f"the emulator's COM2 socket {emulator_port} did not open")
                time.sleep(0.2)
        self.up.settimeout(None)
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(1)
        self.port = self.listener.getsockname()[1]
        self.closed = False
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while not self.closed:
            try:
                down, _ = self.listener.accept()
            except OSError:
                return
            with down:
                while True:
                    try:
                        ready, _, _ = select.select([self.up, down], [], [], 0.5)
                    except (OSError, ValueError):
                        return
                    if self.closed:
                        return
                    dead = False
                    for s in ready:
                        data = s.recv(4096)
                        if not data:
                            dead = True
                            break
                        (down if s is self.up else self.up).sendall(data)
                    if dead:
                        break

    def close(self):
        self.closed = True
        for s in (self.listener, self.up):
            try:
                s.close()
            except OSError:
                pass


class Machine:
    """Common console handling over a pexpect child."""

    name = "machine"

    def __init__(self, logname):
        os.makedirs(LOGS, exist_ok=True)
        self.log_path = os.path.join(LOGS, logname + ".log")
        self.log = open(self.log_path, "w", encoding="utf-8", errors="replace")
        self.child = None
        self.debug_path = None      # the emulator's own log, if it keeps one

    def transcript(self):
        self.log.flush()
        with open(self.log_path, encoding="utf-8", errors="replace") as f:
            return f.read()

    def _fail(self, what):
        debug = ""
        if self.debug_path and os.path.exists(self.debug_path):
            with open(self.debug_path, encoding="utf-8", errors="replace") as f:
                tail = f.read().splitlines()[-40:]
            debug = f"\n----- {self.debug_path} (last lines) -----\n" + "\n".join(tail)
        raise AssertionError(
            f"{self.name}: {what}\n----- serial transcript ({self.log_path}) -----\n"
            f"{self.transcript()}\n----- end of transcript -----{debug}")

    def expect(self, pattern, timeout=60):
        """Wait for a regular expression (or list); return the match."""
        timeout *= TIMEOUT_SCALE
        try:
            self.child.expect(pattern, timeout=timeout)
        except pexpect.TIMEOUT:
            self._fail(f"timed out after {timeout}s waiting for {pattern!r}")
        except pexpect.EOF:
            self._fail(f"machine stopped while waiting for {pattern!r}")
        return self.child.match

    def expect_exact(self, text, timeout=60):
        timeout *= TIMEOUT_SCALE
        try:
            self.child.expect_exact(text, timeout=timeout)
        except pexpect.TIMEOUT:
            self._fail(f"timed out after {timeout}s waiting for {text!r}")
        except pexpect.EOF:
            self._fail(f"machine stopped while waiting for {text!r}")
        return self.child.before

    def send(self, data):
        """Type text or raw bytes (binary garbage included) into the console."""
        if isinstance(data, str):
            data = data.encode()
        os.write(self.child.child_fd, data)

    def command(self, line, timeout=60):
        """Type a console command; return its output (without the echo)."""
        self.send(line + "\r")
        self.expect_exact(line + "\r\n", timeout)
        return self.expect_exact(PROMPT, timeout).replace("\r\n", "\n")

    def wait_prompt(self, timeout=180):
        self.expect_exact(PROMPT, timeout)

    def expect_exit(self, timeout=60):
        """The machine powers itself off: the console closes."""
        timeout *= TIMEOUT_SCALE
        try:
            self.child.expect(pexpect.EOF, timeout=timeout)
        except pexpect.TIMEOUT:
            self._fail(f"still running {timeout}s after it should have powered off")

    def close(self):
        self.log.close()


class Bochs(Machine):
    """Bochs with a VMX CPU model, serial on a local socket."""

    name = "bochs"

    def __init__(self, iso, cpus=1, megs=512, model="tigerlake", logname="bochs",
                 ignore_bad_msrs=False, gdb=False):
        super().__init__(logname)
        # gdb: COM2 on a socket too, for the GDB stub (gdb=com2); GDB
        # connects to self.gdb_port.
        gdb_emulator_port = free_port() if gdb else None
        self.dir = self.log_path[:-4] + ".bochs"
        shutil.rmtree(self.dir, ignore_errors=True)
        os.makedirs(self.dir)
        port = free_port()
        rc = os.path.join(self.dir, "bochsrc")
        with open(rc, "w") as f:
            f.write(bochsrc(iso, port, megs=megs, cpus=cpus, model=model,
                            ignore_bad_msrs=ignore_bad_msrs, log=f"{self.dir}/bochs.log",
                            port_e9=True, gdb_port=gdb_emulator_port))
        with open(os.path.join(self.dir, "cont"), "w") as f:
            f.write("c\n")
        self.out = open(os.path.join(self.dir, "stdout"), "w")
        self.proc = subprocess.Popen(
            ["bochs", "-q", "-f", rc, "-rc", os.path.join(self.dir, "cont")],
            stdin=subprocess.DEVNULL, stdout=self.out, stderr=subprocess.STDOUT)
        deadline = time.time() + 30
        while True:
            try:
                self.sock = socket.create_connection(("127.0.0.1", port), timeout=5)
                break
            except OSError:
                if self.proc.poll() is not None or time.time() > deadline:
                    raise AssertionError(
                        f"bochs did not open its serial socket: {last_line(self.out.name)!r}; "
                        f"see {self.dir}/stdout")
                time.sleep(0.2)
        self.child = pexpect.fdpexpect.fdspawn(self.sock.fileno(), encoding="utf-8",
                                               codec_errors="replace")
        self.child.logfile_read = self.log
        self.relay = None
        if gdb:
            self.relay = SerialRelay(gdb_emulator_port, lambda: self.proc.poll() is None)
            self.gdb_port = self.relay.port

    def expect_exit(self, timeout=60):
        super().expect_exit(timeout)
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self._fail("bochs did not exit after power-off")

    def close(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        if getattr(self, "relay", None):
            self.relay.close()
        try:
            self.sock.close()
        except AttributeError:
            pass
        self.out.close()
        # make coverage: keep what the coverage build dumped at power-off.
        if os.environ.get("GCOV_RUNS"):
            from gcov_collect import collect
            collect(os.path.join(self.dir, "stdout"),
                    os.path.join(os.environ["GCOV_RUNS"], os.path.basename(self.dir)),
                    os.environ.get("GCOV_BUILD", os.path.join(BUILD, "gcov")))
        super().close()


class Qemu(Machine):
    """QEMU with TCG: the SVM backend with an SVM CPU, the no-VMX and
    no-SVM paths with others."""

    name = "qemu"

    def __init__(self, iso, cpus=1, megs=512, logname="qemu", accel="tcg", cpu="qemu64",
                 firmware="bios", serial=("stdio",), extra=(), gdb=False, system="x86_64"):
        super().__init__(logname)
        # gdb: COM2 a TCP server GDB connects to (self.gdb_port), for the
        # GDB stub's gdb=com2.
        if gdb:
            self.gdb_port = free_port()
            serial = tuple(serial) + (f"tcp:127.0.0.1:{self.gdb_port},server=on,wait=off",)
        # firmware="uefi": OVMF (Debian's ovmf), the ISO's EFI boot path.
        # system="i386": the 32-bit machine (its GDB stub describes i386
        # registers: the native oracle of a 32-bit guest under GDB).
        # serial: QEMU's COM1, COM2, ... backends, one of them "stdio" (the
        # test's line); extra: more QEMU arguments (-acpitable ...).
        fw = ["-bios", OVMF] if firmware == "uefi" else []
        ports = [a for s in serial for a in ("-serial", s)]
        # QEMU's own log of CPU resets, shown when a test fails: a triple
        # fault ("Triple fault" and the registers) ends a -no-reboot run
        # without a word on the serial line. (Not guest_errors: OVMF's
        # probes of the TPM at 0xFED40000 would write megabytes.)
        self.debug_path = self.log_path[:-len(".log")] + ".qemu-debug.log"
        args = fw + ["-accel", accel, "-cpu", cpu, "-smp", str(cpus), "-m", str(megs),
                     "-cdrom", iso, "-display", "none",
                     "-d", "cpu_reset", "-D", self.debug_path] + ports + [
                     "-monitor", "none", "-no-reboot",
                     "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"] + list(extra)
        # The serial line is QEMU's stdio on pexpect's pty: raw and without
        # ONLCR (QEMU turns OPOST back on), so that the console's "\r\n"
        # stays that, and what the test types is not echoed by the
        # terminal too: as on Bochs's socket.
        self.child = pexpect.spawn("/bin/sh", ["-c", 'stty raw -echo -onlcr && exec "$0" "$@"',
                                               f"qemu-system-{system}"] + args,
                                   encoding="utf-8", codec_errors="replace")
        self.child.logfile_read = self.log

    def exit_status(self):
        self.child.close()
        return self.child.exitstatus

    def close(self):
        if self.child.isalive():
            self.child.terminate(force=True)
        super().close()
