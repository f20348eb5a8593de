"""Fixtures for the boot tests: machines are always torn down."""
import os

import pytest

from machine import Bochs, Qemu, build_iso


@pytest.fixture
def iso(tmp_path):
    """iso(hv_args=..., guest=..., guest_args=...) builds an ISO for this test."""
    def make(**kw):
        return build_iso(tmp_path / "test.iso", **kw)
    return make


def _machines(request, cls):
    """A factory booting cls machines named after the test; closes them all."""
    machines = []

    def boot(iso_path, **kw):
        kw.setdefault("logname", request.node.name)
        m = cls(iso_path, **kw)
        machines.append(m)
        return m
    return boot, machines


@pytest.fixture
def bochs(request):
    boot, machines = _machines(request, Bochs)
    yield boot
    for m in machines:
        m.close()


@pytest.fixture
def qemu(request):
    boot, machines = _machines(request, Qemu)
    yield boot
    for m in machines:
        m.close()


# The platforms a `machine` test runs on: the VT-x backend in Bochs (its
# default VMX model) and the SVM backend in QEMU's TCG (SVM with nested
# paging, no next-RIP saving: the decoder's path) and in Bochs's `ryzen`
# model (next-RIP saving). MONOVISOR_PLATFORMS=vmx,svm narrows the list.
PLATFORMS = {
    "vmx": ("bochs", {}),
    "svm": ("qemu", {"cpu": "EPYC,+svm,+npt"}),
    "svm-bochs": ("bochs", {"model": "ryzen"}),
}
DEFAULT_PLATFORMS = ["vmx", "svm"]


def platforms(*names):
    """The platforms of a test, as the environment narrows them."""
    env = os.environ.get("MONOVISOR_PLATFORMS")
    allowed = env.split(",") if env else None
    return [n for n in (names or DEFAULT_PLATFORMS) if allowed is None or n in allowed]


@pytest.fixture(params=platforms())
def machine(request, bochs, qemu):
    """machine(iso_path, cpus=..., model=...) boots on each platform; on
    QEMU, Bochs's CPU model options do not apply (its CPU is the
    platform's). The factory's and the machine's `platform` and `backend`
    say where it runs."""
    return _platform_boot(request.param, bochs, qemu)


def _platform_boot(platform, bochs, qemu):
    emulator, fixed = PLATFORMS[platform]

    def boot(iso_path, **kw):
        if emulator == "qemu":
            kw.pop("model", None)
            kw.pop("ignore_bad_msrs", None)
        kw.update(fixed)
        m = (bochs if emulator == "bochs" else qemu)(iso_path, **kw)
        m.platform = platform
        m.backend = boot.backend
        return m
    boot.platform = platform
    boot.backend = platform.split("-")[0]
    return boot


@pytest.fixture(params=platforms("vmx", "svm", "svm-bochs"))
def any_machine(request, bochs, qemu):
    """machine on every platform, Bochs's ryzen included (the exactness
    tests: SMP start-up, attacks)."""
    return _platform_boot(request.param, bochs, qemu)


def pytest_sessionstart(session):
    """A fresh conformance summary per session (the controller only: xdist
    workers share its directory)."""
    if not hasattr(session.config, "workerinput"):
        import shutil
        import conformance
        shutil.rmtree(conformance.RESULTS, ignore_errors=True)


def pytest_terminal_summary(terminalreporter):
    """`conformance: N checks, N differ ...` when conformance tests ran."""
    import conformance
    line = conformance.summary()
    if line:
        terminalreporter.write_line(line)
