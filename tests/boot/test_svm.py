"""What only the AMD-V (SVM) backend has, in both SVM implementations this
machine has: Bochs's `ryzen` CPU model (next-RIP saving, flush by ASID)
and QEMU's TCG with `-cpu EPYC,+svm,+npt` (neither: the instruction
decoder gives the next RIP). Every other boot test runs on SVM too
(conftest.py's `machine` and `any_machine`); the guests' checks follow
the CPU's vendor (the SDK's sdk_vmmcall)."""
import pytest

from conftest import _platform_boot, platforms


@pytest.fixture(params=platforms("svm", "svm-bochs"))
def svm_machine(request, bochs, qemu):
    return _platform_boot(request.param, bochs, qemu)


def test_svm_detected_with_nested_paging(iso, svm_machine):
    m = svm_machine(iso(hv_args="verbose=1", guest="demo", guest_args="reports=1 every=10"))
    m.expect(r"svm\.supported=1 svm\.status=ready")
    m.expect(r"svm\.revision=\d+ svm\.asids=\d+ svm\.np=1 svm\.nrips=[01]")
    m.expect(r"svm\.on cpu=0 vmcb=0x[0-9a-f]+ asid=1")
    m.expect_exact("guest.start cpu=0 vcpus=1")
    m.expect_exact("demo: cpu vendor=AuthenticAMD")
    m.expect(r"hypervisor_bit=1 vmx_visible=0")
    m.expect_exact("guest.exit status=0")
    m.expect_exit()
