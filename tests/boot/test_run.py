"""`make run`'s machine (scripts/run.sh, issue 16): on a host whose CPU
cannot nest VT-x or AMD-V (no KVM here), QEMU's TCG with SVM and nested
paging, said in the first line; the demo guest runs (forever, as `make run` boots it), the console is the
terminal, `quit` powers off and QEMU ends."""
import os
import re

import pexpect
import pytest

from machine import LOGS, ROOT


def test_run_picks_qemu_tcg_with_svm_and_reaches_the_prompt(iso, tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("EMULATOR", "BACKEND", "FIRMWARE", "GDB")}
    path = iso(guest="demo", guest_args="reports=0")
    os.makedirs(LOGS, exist_ok=True)
    with open(os.path.join(LOGS, "test_run.log"), "w") as log:
        child = pexpect.spawn(os.path.join(ROOT, "scripts", "run.sh"), [str(path)], env=env,
                              encoding="utf-8", codec_errors="replace", timeout=300, logfile=log)
        try:
            first = child.expect([r"run: QEMU TCG \(-cpu EPYC,\+svm,\+npt, svm backend\): ([^\r\n]+)",
                                  r"run: QEMU with KVM"])
            if first == 1:
                pytest.skip("this host nests VT-x or AMD-V: run.sh's first choice, QEMU with KVM")
            assert re.search(r"\d+ CPUs, \d+ MiB$", child.match.group(1)), child.match.group(0)
            child.expect_exact("demo: cpu vendor=AuthenticAMD")
            child.expect_exact("demo: hypervisor=monovisor abi=2.0")
            child.send("\r")
            child.expect_exact("monovisor> ")
            child.send("quit\r")
            child.expect_exact("monovisor: power off (console quit) status=0")
            child.expect(pexpect.EOF, timeout=60)
        finally:
            child.close(force=True)
