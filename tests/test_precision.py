"""The TF32 switches: read and switched through either of torch's families, and always put back as they were.

The switches are process-wide flags that torch keeps on every build, so these run on the CPU.
"""
from __future__ import annotations

from collections.abc import Callable

import pytest

torch = pytest.importorskip("torch")

import archstat
from archstat.measure.precision import has_precision_switches, tf32_allowed, tf32_switched_on

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not has_precision_switches(), reason="this torch has no fp32_precision switches")]
QUICK = {"runs": 5, "warmup": 1, "warmup_time": 0.0}


def _nodes() -> list[tuple[str, object]]:
    """Every fp32_precision switch, parents before children (a parent's setter writes through to its children)."""
    b = torch.backends
    return [("generic", b), ("cudnn", b.cudnn), ("mkldnn", b.mkldnn), ("cuda.matmul", b.cuda.matmul),
            ("cudnn.conv", b.cudnn.conv), ("cudnn.rnn", b.cudnn.rnn), ("mkldnn.matmul", b.mkldnn.matmul),
            ("mkldnn.conv", b.mkldnn.conv), ("mkldnn.rnn", b.mkldnn.rnn)]


def _legacy() -> tuple[bool, bool] | str:
    try:
        return torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32
    except RuntimeError:
        return "unreadable"


def snapshot() -> dict[str, object]:
    return {"legacy": _legacy(), **{name: node.fp32_precision for name, node in _nodes()}}


@pytest.fixture(autouse=True)
def untouched_switches():
    """Each test starts from torch's defaults and leaves them so for the rest of the suite."""
    before = snapshot()
    assert before["legacy"] != "unreadable"
    yield
    torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32 = before["legacy"]
    for name, node in _nodes():
        node.fp32_precision = before[name]
    assert snapshot() == before


def _set(path: str, value: object) -> Callable[[], None]:
    def apply() -> None:
        *owners, attribute = path.split(".")
        target = torch.backends
        for owner in owners:
            target = getattr(target, owner)
        setattr(target, attribute, value)
    return apply


def _steps(*steps: Callable[[], None]) -> Callable[[], None]:
    def apply() -> None:
        for step in steps:
            step()
    return apply


# How a program may have set TF32 before it calls archstat, and what matmul and cuDNN convolutions then use: an op's
# own switch decides unless it says 'none', then its backend's, then torch's.
STARTS = {
    "defaults": (lambda: None, False, True),
    "legacy matmul on": (_set("cuda.matmul.allow_tf32", True), True, True),
    "legacy cudnn off": (_set("cudnn.allow_tf32", False), False, False),
    "float32_matmul_precision high": (lambda: torch.set_float32_matmul_precision("high"), True, True),
    "new conv ieee": (_set("cudnn.conv.fp32_precision", "ieee"), False, False),
    "new matmul tf32": (_set("cuda.matmul.fp32_precision", "tf32"), True, True),
    "new cudnn ieee under a conv left to it": (_steps(_set("cudnn.conv.fp32_precision", "none"),
                                                      _set("cudnn.fp32_precision", "ieee")), False, False),
    "new cudnn ieee under a conv of its own": (_steps(_set("cudnn.conv.fp32_precision", "tf32"),
                                                      _set("cudnn.fp32_precision", "ieee")), False, True),
    "new generic ieee, nothing below it": (_steps(_set("cuda.matmul.fp32_precision", "none"),
                                                  _set("cudnn.conv.fp32_precision", "none"),
                                                  _set("fp32_precision", "ieee")), False, False),
    "new generic tf32, nothing below it": (_steps(_set("cudnn.conv.fp32_precision", "none"),
                                                  _set("fp32_precision", "tf32")), True, True),
}


@pytest.mark.parametrize("start", STARTS)
def test_the_state_is_read_whichever_family_set_it(start):
    apply, matmul, cudnn = STARTS[start]
    apply()
    assert (tf32_allowed("matmul"), tf32_allowed("cudnn")) == (matmul, cudnn)
    if _legacy() != "unreadable":  # where torch still answers the older flags, the two readings agree
        assert _legacy() == (matmul, cudnn)


@pytest.mark.parametrize("start", STARTS)
def test_a_tf32_cell_switches_both_on_and_puts_every_switch_back(start):
    STARTS[start][0]()
    before = snapshot()
    with tf32_switched_on():
        assert tf32_allowed("matmul") and tf32_allowed("cudnn")
    assert snapshot() == before
    with tf32_switched_on(False):
        assert snapshot() == before


def test_an_exception_inside_still_puts_the_switches_back():
    before = snapshot()
    with pytest.raises(KeyError), tf32_switched_on():
        raise KeyError("cell failed")
    assert snapshot() == before


def test_profiling_after_a_program_set_the_newer_switches_works_and_records_them():
    torch.backends.cudnn.conv.fp32_precision = "ieee"  # torch now refuses to read torch.backends.cudnn.allow_tf32
    with pytest.raises(RuntimeError, match="mix of the legacy and new"):
        _ = torch.backends.cudnn.allow_tf32
    before = snapshot()
    m = archstat.profile("lenet5", device="cpu", **QUICK)
    assert m.ok, m.message
    assert snapshot() == before
