"""Differential conformance (tests/boot/conformance.py): every conformance
guest, on every CPU model, natively and under monovisor; the test fails on
any check whose line differs, and when either run does not reach its end.
"""
import pytest

import conformance

# Guests that need more than one CPU (INIT/SIPI).
CPUS = {"smp": 2}

# Checks left out of the comparison because the emulator itself is wrong
# natively and monovisor cannot make it right (model or "*", guest,
# check) -> why. Every entry names what was checked natively.
KNOWN = {}


def known_for(guest, model):
    return {name: why for (m, g, name), why in KNOWN.items() if g == guest and m in ("*", model)}


@pytest.mark.parametrize("model", conformance.MODELS)
@pytest.mark.parametrize("guest", conformance.guests())
def test_conformance(guest, model, tmp_path):
    (native, ndone, ntext), (virt, vdone, vtext) = conformance.both(
        guest, model, str(tmp_path), cpus=CPUS.get(guest, 1))
    assert ndone, f"native run of {guest} on {model} did not finish:\n{ntext[-3000:]}"
    assert vdone, f"monovisor run of {guest} on {model} did not finish:\n{vtext[-3000:]}"
    known = known_for(guest, model)
    differ = conformance.compare(native, virt, known)
    conformance.record(guest, model, len(native), len(differ), len(known))
    lines = [f"  {name}:\n    native:    {a}\n    monovisor: {b}" for name, a, b in differ]
    assert not differ, (f"{guest} on {model}: {len(differ)} of {len(native)} checks differ "
                        f"from native:\n" + "\n".join(lines))
