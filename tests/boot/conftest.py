"""Fixtures for the boot tests: machines are always torn down."""
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
