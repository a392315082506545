"""One layer of every kind, counted by hand under every FLOP convention: FLOPs, params and memory.

Each expected number is worked out beside it from the README's "Counting conventions" and from what the real tools
do at batch 1 (fvcore 0.1.5 FlopCountAnalysis, torch's FlopCounterMode, torchinfo 1.8 Mult-Adds, thop 0.1.1
profile, ptflops 0.7.5 with its pytorch backend), and was checked against those tools on hand-built torch modules;
none of them is needed here, so this file guards the peer conventions in the fast lane. Where archstat knowingly
departs from a tool, the case says so in `differs` and the test is a strict xfail. Memory is bytes at fp32, batch 1.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache

import pytest

import archstat

CONVENTIONS = ("lecture", "fvcore", "torch", "torchinfo", "thop", "ptflops")

# The layer kinds of the README's table; joins are named as their rows are: <structure>.concat/.add/.mul.
KINDS = {"conv", "linear", "maxpool", "avgpool", "adaptive_avgpool", "batchnorm", "lrn", "relu", "leaky_relu",
         "elu", "sigmoid", "tanh", "softmax", "dropout", "flatten", "concat", "add", "mul"}


def flops(*, lecture: int, fvcore: int, torch: int, torchinfo: int, thop: int, ptflops: int) -> dict[str, int]:
    """One FLOP count per convention; a case that leaves one out fails at import."""
    return {"lecture": lecture, "fvcore": fvcore, "torch": torch, "torchinfo": torchinfo, "thop": thop,
            "ptflops": ptflops}


NONE = flops(lecture=0, fvcore=0, torch=0, torchinfo=0, thop=0, ptflops=0)


@dataclass(frozen=True)
class Case:
    id: str
    input: str  # the spec's input: "C, H, W" or "F"
    layer: str  # one layer (or structure) in YAML flow style, named 'probe'
    output: tuple[int, ...]
    params: int  # weights and biases
    weights: int  # params with bias=False (biases and batch norm's beta left out)
    memory: int  # bytes
    flops: dict[str, int]
    row: str = "probe"  # joins: 'probe.concat', 'probe.add', 'probe.mul'
    differs: Mapping[str, str] = field(default_factory=dict)  # convention: how archstat knowingly differs


CASES = [
    # ---- conv: MAC = C_out H' W' (C_in / g) Kh Kw; torchinfo and ptflops add one per bias use (C_out H' W') ----
    Case("conv", "3, 7, 7", "{conv: probe, filters: 8, kernel: 3}", (8, 5, 5),
         params=8 * 3 * 3 * 3 + 8, weights=8 * 3 * 3 * 3, memory=8 * 5 * 5 * 4,
         flops=flops(lecture=8 * 5 * 5 * 3 * 3 * 3,  # C_out H' W' C_in K K = 5400
                     fvcore=8 * 5 * 5 * 3 * 3 * 3,
                     torch=2 * 8 * 5 * 5 * 3 * 3 * 3,
                     torchinfo=8 * 5 * 5 * 3 * 3 * 3 + 8 * 5 * 5,  # MAC + bias C_out H' W'
                     thop=8 * 5 * 5 * 3 * 3 * 3,
                     ptflops=8 * 5 * 5 * 3 * 3 * 3 + 8 * 5 * 5)),
    Case("conv-no-bias", "3, 7, 7", "{conv: probe, filters: 8, kernel: 3, bias: false}", (8, 5, 5),
         params=8 * 3 * 3 * 3, weights=8 * 3 * 3 * 3, memory=8 * 5 * 5 * 4,
         flops=flops(lecture=8 * 5 * 5 * 3 * 3 * 3, fvcore=8 * 5 * 5 * 3 * 3 * 3, torch=2 * 8 * 5 * 5 * 3 * 3 * 3,
                     torchinfo=8 * 5 * 5 * 3 * 3 * 3, thop=8 * 5 * 5 * 3 * 3 * 3, ptflops=8 * 5 * 5 * 3 * 3 * 3)),
    # H' = (9 - 3 + 2 x 1) / 2 + 1 = 5
    Case("conv-stride-pad", "3, 9, 9", "{conv: probe, filters: 4, kernel: 3, stride: 2, padding: 1}", (4, 5, 5),
         params=4 * 3 * 3 * 3 + 4, weights=4 * 3 * 3 * 3, memory=4 * 5 * 5 * 4,
         flops=flops(lecture=4 * 5 * 5 * 3 * 3 * 3,  # C_out H' W' C_in K K = 2700
                     fvcore=4 * 5 * 5 * 3 * 3 * 3,
                     torch=2 * 4 * 5 * 5 * 3 * 3 * 3,
                     torchinfo=4 * 5 * 5 * 3 * 3 * 3 + 4 * 5 * 5,
                     thop=4 * 5 * 5 * 3 * 3 * 3,
                     ptflops=4 * 5 * 5 * 3 * 3 * 3 + 4 * 5 * 5)),
    # dilation 2 widens the 3x3 kernel to 2 x (3 - 1) + 1 = 5: H' = 9 - 5 + 1 = 5; the weights stay 3x3
    Case("conv-dilation", "2, 9, 9", "{conv: probe, filters: 4, kernel: 3, dilation: 2}", (4, 5, 5),
         params=4 * 2 * 3 * 3 + 4, weights=4 * 2 * 3 * 3, memory=4 * 5 * 5 * 4,
         flops=flops(lecture=4 * 5 * 5 * 2 * 3 * 3,  # C_out H' W' C_in K K = 1800
                     fvcore=4 * 5 * 5 * 2 * 3 * 3,
                     torch=2 * 4 * 5 * 5 * 2 * 3 * 3,
                     torchinfo=4 * 5 * 5 * 2 * 3 * 3 + 4 * 5 * 5,
                     thop=4 * 5 * 5 * 2 * 3 * 3,
                     ptflops=4 * 5 * 5 * 2 * 3 * 3 + 4 * 5 * 5)),
    Case("conv-groups", "4, 6, 6", "{conv: probe, filters: 8, kernel: 3, padding: 1, groups: 2}", (8, 6, 6),
         params=8 * 2 * 3 * 3 + 8, weights=8 * 2 * 3 * 3, memory=8 * 6 * 6 * 4,
         flops=flops(lecture=8 * 6 * 6 * 2 * 3 * 3,  # C_out H' W' (C_in / g) K K = 8 x 6 x 6 x (4 / 2) x 9 = 5184
                     fvcore=8 * 6 * 6 * 2 * 3 * 3,
                     torch=2 * 8 * 6 * 6 * 2 * 3 * 3,
                     torchinfo=8 * 6 * 6 * 2 * 3 * 3 + 8 * 6 * 6,
                     thop=8 * 6 * 6 * 2 * 3 * 3,
                     ptflops=8 * 6 * 6 * 2 * 3 * 3 + 8 * 6 * 6)),
    Case("conv-depthwise", "4, 6, 6", "{conv: probe, filters: 4, kernel: 3, padding: 1, groups: 4}", (4, 6, 6),
         params=4 * 1 * 3 * 3 + 4, weights=4 * 1 * 3 * 3, memory=4 * 6 * 6 * 4,
         flops=flops(lecture=4 * 6 * 6 * 1 * 3 * 3,  # C_out H' W' (C_in / g) K K, C_in / g = 1: 1296
                     fvcore=4 * 6 * 6 * 1 * 3 * 3,
                     torch=2 * 4 * 6 * 6 * 1 * 3 * 3,
                     torchinfo=4 * 6 * 6 * 1 * 3 * 3 + 4 * 6 * 6,
                     thop=4 * 6 * 6 * 1 * 3 * 3,
                     ptflops=4 * 6 * 6 * 1 * 3 * 3 + 4 * 6 * 6)),
    # a 1x3 kernel, stride [1, 2]: H' = 5 - 1 + 1 = 5, W' = (7 - 3) / 2 + 1 = 3
    Case("conv-rectangular", "2, 5, 7", "{conv: probe, filters: 3, kernel: [1, 3], stride: [1, 2]}", (3, 5, 3),
         params=3 * 2 * 1 * 3 + 3, weights=3 * 2 * 1 * 3, memory=3 * 5 * 3 * 4,
         flops=flops(lecture=3 * 5 * 3 * 2 * 1 * 3,  # C_out H' W' C_in Kh Kw = 270
                     fvcore=3 * 5 * 3 * 2 * 1 * 3,
                     torch=2 * 3 * 5 * 3 * 2 * 1 * 3,
                     torchinfo=3 * 5 * 3 * 2 * 1 * 3 + 3 * 5 * 3,
                     thop=3 * 5 * 3 * 2 * 1 * 3,
                     ptflops=3 * 5 * 3 * 2 * 1 * 3 + 3 * 5 * 3)),
    # ---- linear: MAC = C_in C_out; torchinfo and ptflops add the bias once (batch 1) ----------------------------
    Case("linear", "6", "{linear: probe, features: 4}", (4,),
         params=6 * 4 + 4, weights=6 * 4, memory=4 * 4,
         flops=flops(lecture=6 * 4, fvcore=6 * 4, torch=2 * 6 * 4, torchinfo=6 * 4 + 4, thop=6 * 4,
                     ptflops=6 * 4 + 4)),
    Case("linear-no-bias (fc)", "6", "{fc: probe, features: 4, bias: false}", (4,),
         params=6 * 4, weights=6 * 4, memory=4 * 4,
         flops=flops(lecture=6 * 4, fvcore=6 * 4, torch=2 * 6 * 4, torchinfo=6 * 4, thop=6 * 4, ptflops=6 * 4)),
    # ---- pooling: lecture C H' W' K K; ptflops 2 C H W (module hook + F.*_pool2d patch) -------------------------
    # H' = (7 - 3) / 2 + 1 = 3
    Case("maxpool", "3, 7, 7", "{maxpool: probe, kernel: 3, stride: 2}", (3, 3, 3),
         params=0, weights=0, memory=3 * 3 * 3 * 4,
         flops=flops(lecture=3 * 3 * 3 * 3 * 3,  # C H' W' K K = 243
                     fvcore=0, torch=0, torchinfo=0, thop=0,
                     ptflops=2 * 3 * 7 * 7)),  # 2 C H W = 294
    Case("avgpool", "3, 8, 8", "{avgpool: probe, kernel: 2}", (3, 4, 4),
         params=0, weights=0, memory=3 * 4 * 4 * 4,
         flops=flops(lecture=3 * 4 * 4 * 2 * 2,  # C H' W' K K = 192
                     fvcore=0, torch=0, torchinfo=0,
                     thop=3 * 4 * 4,  # one per output: C H' W'
                     ptflops=2 * 3 * 8 * 8)),  # 2 C H W = 384
    # ---- adaptive average pooling: lecture sums torch's windows [floor(i H / H'), ceil((i + 1) H / H')) -------
    Case("global-avgpool", "4, 6, 6", "{global_avgpool: probe}", (4, 1, 1),
         params=0, weights=0, memory=4 * 1 * 1 * 4,
         flops=flops(lecture=4 * 6 * 6,  # one 6x6 window per channel: C H W
                     fvcore=4 * 6 * 6,  # one per input element
                     torch=0, torchinfo=0,
                     thop=(6 * 6 + 1) * 4,  # (H / H' x W / W' adds + 1 division) x C H' W' = 148
                     ptflops=2 * 4 * 6 * 6)),
    Case("adaptive-avgpool", "2, 8, 8", "{adaptive_avgpool: probe, output: 2}", (2, 2, 2),
         params=0, weights=0, memory=2 * 2 * 2 * 4,
         flops=flops(lecture=2 * 2 * 2 * 4 * 4,  # C H' W' x a 4x4 window each = 128
                     fvcore=2 * 8 * 8,
                     torch=0, torchinfo=0,
                     thop=(4 * 4 + 1) * 2 * 2 * 2,  # (8/2 x 8/2 + 1) x C H' W' = 136
                     ptflops=2 * 2 * 8 * 8)),
    # 10 -> 3 bins: [0, 4) [3, 7) [6, 10), 4 + 4 + 4 = 12 per axis (they overlap)
    Case("adaptive-avgpool-uneven", "2, 10, 10", "{adaptive_avgpool: probe, output: 3}", (2, 3, 3),
         params=0, weights=0, memory=2 * 3 * 3 * 4,
         flops=flops(lecture=2 * 12 * 12,  # C x (sum of window heights) x (sum of widths) = 288
                     fvcore=2 * 10 * 10,
                     torch=0, torchinfo=0,
                     thop=(100 + 9) * 2,  # (10/3 x 10/3 + 1) x 2 x 3 x 3 = (100/9 + 1) x 18 = 218
                     ptflops=2 * 2 * 10 * 10)),
    # 7 -> 2 bins: [0, 4) [3, 7): 8; 5 -> 3 bins: [0, 2) [1, 4) [3, 5): 7
    Case("adaptive-avgpool-uneven-rectangular", "3, 7, 5", "{adaptive_avgpool: probe, output: [2, 3]}", (3, 2, 3),
         params=0, weights=0, memory=3 * 2 * 3 * 4,
         flops=flops(lecture=3 * 8 * 7,  # 168
                     fvcore=3 * 7 * 5,
                     torch=0, torchinfo=0,
                     thop=(35 + 6) * 3,  # (7/2 x 5/3 + 1) x 3 x 2 x 3 = (35/6 + 1) x 18 = 123
                     ptflops=2 * 3 * 7 * 5)),
    # thop multiplies doubles and truncates: 13/3 = 4.333333333333333 (just under), squared 18.777777777777775,
    # (that + 1) x 18 = 355.99999999999994 -> 355, where the exact (169/9 + 1) x 18 is 356
    Case("adaptive-avgpool-thop-truncation", "2, 13, 13", "{adaptive_avgpool: probe, output: 3}", (2, 3, 3),
         params=0, weights=0, memory=2 * 3 * 3 * 4,
         flops=flops(lecture=2 * 15 * 15,  # 13 -> 3 bins: [0, 5) [4, 9) [8, 13), 15 per axis
                     fvcore=2 * 13 * 13,
                     torch=0, torchinfo=0,
                     thop=(169 + 9) * 2 - 1,  # what thop 0.1.1 reports: 355
                     ptflops=2 * 2 * 13 * 13)),
    # ---- batch norm (inference): gamma and beta are parameters, the running statistics are not -----------------
    Case("batchnorm", "4, 5, 5", "{batchnorm: probe}", (4, 5, 5),
         params=4 + 4, weights=4, memory=4 * 5 * 5 * 4,
         flops=flops(lecture=0,
                     fvcore=2 * 4 * 5 * 5,  # 2 per element with affine
                     torch=0,
                     torchinfo=2 * 4,  # its parameters once: 2C
                     thop=4 * 4 * 5 * 5,  # 2 per element, doubled for affine
                     ptflops=2 * 4 * 5 * 5)),
    Case("batchnorm-not-affine", "4, 5, 5", "{batchnorm: probe, affine: false}", (4, 5, 5),
         params=0, weights=0, memory=4 * 5 * 5 * 4,
         flops=flops(lecture=0, fvcore=4 * 5 * 5, torch=0, torchinfo=0, thop=2 * 4 * 5 * 5, ptflops=4 * 5 * 5)),
    Case("batchnorm-flat", "6", "{batchnorm: probe}", (6,),
         params=6 + 6, weights=6, memory=6 * 4,
         flops=flops(lecture=0, fvcore=2 * 6, torch=0, torchinfo=2 * 6, thop=4 * 6, ptflops=2 * 6)),
    Case("batchnorm-flat-not-affine", "6", "{batchnorm: probe, affine: false}", (6,),
         params=0, weights=0, memory=6 * 4,
         flops=flops(lecture=0, fvcore=6, torch=0, torchinfo=0, thop=2 * 6, ptflops=6)),
    # ---- LRN: only ptflops sees its tensor ops: x*x, *alpha, +k (C H W each), avg_pool3d over (C + size - 1) H W
    Case("lrn", "6, 4, 4", "{lrn: probe, size: 5}", (6, 4, 4),
         params=0, weights=0, memory=6 * 4 * 4 * 4,
         flops=flops(lecture=0, fvcore=0, torch=0, torchinfo=0, thop=0,
                     ptflops=3 * 6 * 4 * 4 + (6 + 5 - 1) * 4 * 4)),  # 288 + 160 = 448
    Case("lrn-even-size", "6, 4, 4", "{lrn: probe, size: 2}", (6, 4, 4),
         params=0, weights=0, memory=6 * 4 * 4 * 4,
         flops=flops(lecture=0, fvcore=0, torch=0, torchinfo=0, thop=0,
                     ptflops=3 * 6 * 4 * 4 + (6 + 2 - 1) * 4 * 4)),  # padded by 1 + 0 channels: 288 + 112
    # ---- activations: only ptflops counts; ReLU and ELU twice (module hook + F.relu / F.elu patch) -------------
    Case("relu", "3, 4, 4", "{relu: probe}", (3, 4, 4), params=0, weights=0,
         memory=0,  # in place
         flops={**NONE, "ptflops": 2 * 3 * 4 * 4}),
    Case("relu-not-in-place", "3, 4, 4", "{relu: probe, inplace: false}", (3, 4, 4), params=0, weights=0,
         memory=3 * 4 * 4 * 4, flops={**NONE, "ptflops": 2 * 3 * 4 * 4}),
    Case("leaky-relu", "3, 4, 4", "{leaky_relu: probe}", (3, 4, 4), params=0, weights=0, memory=0,
         flops={**NONE, "ptflops": 3 * 4 * 4}),  # module hook only: ptflops does not patch F.leaky_relu
    Case("elu", "3, 4, 4", "{elu: probe}", (3, 4, 4), params=0, weights=0, memory=0,
         flops={**NONE, "ptflops": 2 * 3 * 4 * 4}),
    Case("sigmoid", "3, 4, 4", "{sigmoid: probe}", (3, 4, 4), params=0, weights=0, memory=3 * 4 * 4 * 4,
         flops=NONE),
    Case("tanh", "3, 4, 4", "{tanh: probe}", (3, 4, 4), params=0, weights=0, memory=3 * 4 * 4 * 4, flops=NONE),
    # ---- softmax over channels: thop (exp C + add C - 1 + div C) per position; ptflops F.softmax, 1 per element
    Case("softmax", "3, 4, 4", "{softmax: probe}", (3, 4, 4), params=0, weights=0, memory=3 * 4 * 4 * 4,
         flops={**NONE, "thop": (3 * 3 - 1) * 4 * 4, "ptflops": 3 * 4 * 4}),
    Case("softmax-flat", "10", "{softmax: probe}", (10,), params=0, weights=0, memory=10 * 4,
         flops={**NONE, "thop": 3 * 10 - 1, "ptflops": 10}),
    # ---- dropout, flatten --------------------------------------------------------------------------------------
    Case("dropout", "3, 4, 4", "{dropout: probe}", (3, 4, 4), params=0, weights=0,
         memory=0,  # the identity at inference
         flops=NONE),
    Case("flatten", "3, 4, 4", "{flatten: probe}", (3 * 4 * 4,), params=0, weights=0,
         memory=3 * 4 * 4 * 4,  # counted, as the lecture tables do
         flops=NONE),
    # ---- joins: no tool counts torch.cat, out += x or x * gate -------------------------------------------------
    Case("concat", "3, 4, 4",
         "{concat: probe, branches: [[{conv: a, filters: 2, kernel: 1}], "
         "[{maxpool: b, kernel: 3, stride: 1, padding: 1}]]}",
         (2 + 3, 4, 4), params=0, weights=0, memory=(2 + 3) * 4 * 4 * 4,  # the concat allocates its output
         flops=NONE, row="probe.concat"),
    Case("residual-add", "3, 4, 4", "{residual: probe, body: [{conv: c, filters: 3, kernel: 1}]}", (3, 4, 4),
         params=0, weights=0, memory=0,  # in place, as torchvision's out += identity
         flops=NONE, row="probe.add"),
    Case("scale-mul", "3, 4, 4", "{scale: probe, gate: [global_avgpool, sigmoid]}", (3, 4, 4),
         params=0, weights=0, memory=3 * 4 * 4 * 4,  # x * gate allocates
         flops=NONE, row="probe.mul"),
]
BY_ID = {case.id: case for case in CASES}


@cache
def analysis(case_id: str, convention: str = "lecture", bias: bool = True) -> archstat.Analysis:
    case = BY_ID[case_id]
    spec = archstat.parse_spec(f"input: [{case.input}]\nlayers:\n  - {case.layer}\n", f"{case.id}.yaml")
    return archstat.analyze(spec, flops=convention, bias=bias)


def _flop_cases() -> list:
    return [pytest.param(c, n, id=f"{c.id}-{n}",
                         marks=[pytest.mark.xfail(strict=True, reason=c.differs[n])] if n in c.differs else [])
            for c in CASES for n in CONVENTIONS]


@pytest.mark.parametrize("case, convention", _flop_cases())
def test_flops(case: Case, convention: str):
    assert analysis(case.id, convention).find(case.row).flops == case.flops[convention]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_shape_params_and_memory(case: Case):
    row = analysis(case.id).find(case.row)
    assert (row.output, row.params, row.memory) == (case.output, case.params, case.memory)
    assert analysis(case.id, bias=False).find(case.row).params == case.weights
    for convention in CONVENTIONS:  # the convention changes the FLOPs only
        assert (analysis(case.id, convention).find(case.row).params,
                analysis(case.id, convention).find(case.row).memory) == (case.params, case.memory)


def test_the_table_covers_every_layer_kind_of_the_readme():
    assert {analysis(case.id).find(case.row).kind for case in CASES} == KINDS
    assert len(BY_ID) == len(CASES)
