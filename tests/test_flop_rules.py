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
         "elu", "sigmoid", "tanh", "softmax", "dropout", "flatten", "concat", "add", "mul",
         "layernorm", "groupnorm", "instancenorm", "layer_scale", "relu6", "silu", "gelu", "hardswish", "hardsigmoid",
         "mish", "channel_shuffle", "mean", "identity"}


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
    # ---- MobileNet and EfficientNet activations: ptflops hooks nn.ReLU6 (not the F.hardtanh it calls), patches
    # F.silu (no hook for nn.SiLU), and counts nn.GELU in its hook and its F.gelu patch; nobody else counts them --
    Case("relu6", "3, 4, 4", "{relu6: probe}", (3, 4, 4), params=0, weights=0,
         memory=0,  # in place
         flops={**NONE, "ptflops": 3 * 4 * 4}),  # module hook only: 1 per element
    Case("relu6-not-in-place", "3, 4, 4", "{relu6: probe, inplace: false}", (3, 4, 4), params=0, weights=0,
         memory=3 * 4 * 4 * 4, flops={**NONE, "ptflops": 3 * 4 * 4}),
    Case("relu6-flat", "10", "{relu6: probe}", (10,), params=0, weights=0, memory=0,
         flops={**NONE, "ptflops": 10}),
    Case("silu", "3, 4, 4", "{silu: probe}", (3, 4, 4), params=0, weights=0, memory=0,
         flops={**NONE, "ptflops": 3 * 4 * 4}),  # F.silu patch only: 1 per element
    Case("silu-not-in-place (swish)", "3, 4, 4", "{swish: probe, inplace: false}", (3, 4, 4), params=0,
         weights=0, memory=3 * 4 * 4 * 4, flops={**NONE, "ptflops": 3 * 4 * 4}),
    Case("gelu", "3, 4, 4", "{gelu: probe}", (3, 4, 4), params=0, weights=0,
         memory=3 * 4 * 4 * 4,  # nn.GELU has no in-place form
         flops={**NONE, "ptflops": 2 * 3 * 4 * 4}),  # module hook + F.gelu patch
    Case("gelu-tanh", "3, 4, 4", "{gelu: probe, approximate: tanh}", (3, 4, 4), params=0, weights=0,
         memory=3 * 4 * 4 * 4, flops={**NONE, "ptflops": 2 * 3 * 4 * 4}),
    Case("hardswish", "3, 4, 4", "{hardswish: probe}", (3, 4, 4), params=0, weights=0, memory=0, flops=NONE),
    Case("hardsigmoid", "3, 4, 4", "{hardsigmoid: probe}", (3, 4, 4), params=0, weights=0, memory=0, flops=NONE),
    Case("hardsigmoid-not-in-place", "3, 4, 4", "{hardsigmoid: probe, inplace: false}", (3, 4, 4), params=0,
         weights=0, memory=3 * 4 * 4 * 4, flops=NONE),
    Case("mish", "3, 4, 4", "{mish: probe}", (3, 4, 4), params=0, weights=0, memory=0, flops=NONE),
    # ---- layer, group and instance norm: gamma and beta per channel; fvcore 5 per element with affine, 4 without
    # (its "rough estimate"); torchinfo its parameters once ------------------------------------------------------
    # on a feature map: torchvision's LayerNorm2d, an nn.LayerNorm subclass that thop and ptflops do not know
    Case("layernorm", "4, 5, 5", "{layernorm: probe}", (4, 5, 5),
         params=4 + 4, weights=4, memory=4 * 5 * 5 * 4,
         flops=flops(lecture=0,
                     fvcore=5 * 4 * 5 * 5,  # 500
                     torch=0,
                     torchinfo=2 * 4,  # weight and bias of C each
                     thop=0, ptflops=0)),
    Case("layernorm-not-affine", "4, 5, 5", "{layernorm: probe, affine: false}", (4, 5, 5),
         params=0, weights=0, memory=4 * 5 * 5 * 4,
         flops={**NONE, "fvcore": 4 * 4 * 5 * 5}),  # 400
    # on a flat input: nn.LayerNorm itself; thop 2 per element doubled for affine, ptflops 1 (no `affine` attribute)
    Case("layernorm-flat", "6", "{layernorm: probe}", (6,),
         params=6 + 6, weights=6, memory=6 * 4,
         flops=flops(lecture=0, fvcore=5 * 6, torch=0, torchinfo=2 * 6, thop=4 * 6, ptflops=6)),
    Case("layernorm-flat-not-affine", "6", "{layernorm: probe, affine: false}", (6,),
         params=0, weights=0, memory=6 * 4,
         flops=flops(lecture=0, fvcore=4 * 6, torch=0, torchinfo=0, thop=2 * 6, ptflops=6)),
    # thop has no rule for nn.GroupNorm; ptflops' batch-norm hook: 2 per element with affine, 1 without
    Case("groupnorm", "4, 5, 5", "{groupnorm: probe, groups: 2}", (4, 5, 5),
         params=4 + 4, weights=4, memory=4 * 5 * 5 * 4,
         flops=flops(lecture=0, fvcore=5 * 4 * 5 * 5, torch=0, torchinfo=2 * 4, thop=0, ptflops=2 * 4 * 5 * 5)),
    Case("groupnorm-not-affine", "4, 5, 5", "{groupnorm: probe, groups: 4, affine: false}", (4, 5, 5),
         params=0, weights=0, memory=4 * 5 * 5 * 4,
         flops=flops(lecture=0, fvcore=4 * 4 * 5 * 5, torch=0, torchinfo=0, thop=0, ptflops=4 * 5 * 5)),
    Case("groupnorm-flat", "6", "{groupnorm: probe, groups: 3}", (6,),
         params=6 + 6, weights=6, memory=6 * 4,
         flops=flops(lecture=0, fvcore=5 * 6, torch=0, torchinfo=2 * 6, thop=0, ptflops=2 * 6)),
    # instance norm is not affine by default, as in torch; thop 2 per element, doubled for affine
    Case("instancenorm", "4, 5, 5", "{instancenorm: probe}", (4, 5, 5),
         params=0, weights=0, memory=4 * 5 * 5 * 4,
         flops=flops(lecture=0, fvcore=4 * 4 * 5 * 5, torch=0, torchinfo=0, thop=2 * 4 * 5 * 5, ptflops=4 * 5 * 5)),
    Case("instancenorm-affine", "4, 5, 5", "{instancenorm: probe, affine: true}", (4, 5, 5),
         params=4 + 4, weights=4, memory=4 * 5 * 5 * 4,
         flops=flops(lecture=0, fvcore=5 * 4 * 5 * 5, torch=0, torchinfo=2 * 4, thop=4 * 4 * 5 * 5,
                     ptflops=2 * 4 * 5 * 5)),
    # 1-D and 3-D feature maps: the layer norm is over the channels at each position still
    Case("layernorm-1d", "4, 6", "{layernorm: probe}", (4, 6), params=4 + 4, weights=4, memory=4 * 6 * 4,
         flops={**NONE, "fvcore": 5 * 4 * 6, "torchinfo": 2 * 4}),
    Case("layernorm-3d", "2, 3, 4, 5", "{layernorm: probe, eps: 1.0e-6}", (2, 3, 4, 5), params=2 + 2, weights=2,
         memory=2 * 3 * 4 * 5 * 4, flops={**NONE, "fvcore": 5 * 2 * 3 * 4 * 5, "torchinfo": 2 * 2}),
    Case("groupnorm-3d", "4, 2, 3, 3", "{groupnorm: probe, groups: 2}", (4, 2, 3, 3), params=4 + 4, weights=4,
         memory=4 * 2 * 3 * 3 * 4,
         flops=flops(lecture=0, fvcore=5 * 4 * 2 * 3 * 3, torch=0, torchinfo=2 * 4, thop=0, ptflops=2 * 4 * 2 * 3 * 3)),
    Case("instancenorm-1d", "4, 6", "{instancenorm: probe}", (4, 6), params=0, weights=0, memory=4 * 6 * 4,
         flops=flops(lecture=0, fvcore=4 * 4 * 6, torch=0, torchinfo=0, thop=2 * 4 * 6, ptflops=4 * 6)),
    Case("instancenorm-3d-affine", "2, 3, 4, 5", "{instancenorm: probe, affine: true}", (2, 3, 4, 5),
         params=2 + 2, weights=2, memory=2 * 3 * 4 * 5 * 4,
         flops=flops(lecture=0, fvcore=5 * 2 * 3 * 4 * 5, torch=0, torchinfo=2 * 2, thop=4 * 2 * 3 * 4 * 5,
                     ptflops=2 * 2 * 3 * 4 * 5)),
    # ---- layer scale: one learned gamma per channel, no bias; no counter sees `gamma * x` (and torchinfo only
    # counts parameters called weight or bias) ------------------------------------------------------------------
    Case("layer-scale", "4, 5, 5", "{layer_scale: probe}", (4, 5, 5),
         params=4, weights=4, memory=4 * 5 * 5 * 4,  # allocates its output
         flops=NONE),
    Case("layer-scale-1d", "4, 6", "{layer_scale: probe}", (4, 6), params=4, weights=4, memory=4 * 6 * 4,
         flops=NONE),
    Case("layer-scale-flat", "6", "{layer_scale: probe, init: 0.1}", (6,), params=6, weights=6, memory=6 * 4,
         flops=NONE),
    # ---- channel shuffle, mean, identity -----------------------------------------------------------------------
    Case("channel-shuffle", "6, 2, 3", "{channel_shuffle: probe, groups: 3}", (6, 2, 3), params=0, weights=0,
         memory=6 * 2 * 3 * 4,  # a new tensor
         flops=NONE),
    Case("channel-shuffle-1d", "6, 5", "{channel_shuffle: probe, groups: 2}", (6, 5), params=0, weights=0,
         memory=6 * 5 * 4, flops=NONE),
    # the mean over H and W: lecture counts the sum behind each mean, C H W, as for global average pooling;
    # fvcore has no handle for aten::mean, and hook counters know no rule for the module
    Case("mean", "4, 5, 5", "{mean: probe}", (4,), params=0, weights=0, memory=4 * 4,
         flops={**NONE, "lecture": 4 * 5 * 5}),
    Case("mean-keepdim", "4, 5, 5", "{mean: probe, keepdim: true}", (4, 1, 1), params=0, weights=0,
         memory=4 * 1 * 1 * 4, flops={**NONE, "lecture": 4 * 5 * 5}),
    Case("mean-1d", "4, 6", "{mean: probe}", (4,), params=0, weights=0, memory=4 * 4,
         flops={**NONE, "lecture": 4 * 6}),
    Case("mean-3d-keepdim", "2, 3, 4, 5", "{mean: probe, keepdim: true}", (2, 1, 1, 1), params=0, weights=0,
         memory=2 * 4, flops={**NONE, "lecture": 2 * 3 * 4 * 5}),
    Case("identity", "3, 4, 4", "{identity: probe}", (3, 4, 4), params=0, weights=0,
         memory=0,  # returns its input
         flops=NONE),
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

# ---- 1-D (C, L) and 3-D (C, D, H, W) conv and pooling, transposed conv, upsampling ------------------------------
# The 2-D rules over every spatial dim: conv MAC = C_out x (output positions) x (C_in / g) x (kernel taps); pooling
# as in 2-D, except fvcore, which counts adaptive pooling only in 2-D (aten::adaptive_avg_pool2d). Transposed
# conv: fvcore, torch and ptflops count C_in x (input positions) x (C_out / g) x taps (the MACs it performs);
# thop and torchinfo count its weights once per *output* position. Checked at batch 1 on ConvNd, ConvTransposeNd,
# MaxPoolNd, AvgPoolNd, AdaptiveAvgPoolNd and nn.Upsample with fvcore, FlopCounterMode, torchinfo, thop, ptflops.
KINDS |= {"conv_transpose", "upsample"}

SPATIAL_CASES = [
    # ---- conv in 1-D: L' = (9 - 3 + 2 x 1) / 2 + 1 = 5 --------------------------------------------------------
    Case("conv-1d", "2, 9", "{conv: probe, filters: 4, kernel: 3, stride: 2, padding: 1}", (4, 5),
         params=4 * 2 * 3 + 4, weights=4 * 2 * 3, memory=4 * 5 * 4,
         flops=flops(lecture=4 * 5 * 2 * 3,  # C_out L' C_in K = 120
                     fvcore=4 * 5 * 2 * 3,
                     torch=2 * 4 * 5 * 2 * 3,
                     torchinfo=4 * 5 * 2 * 3 + 4 * 5,  # MAC + bias C_out L'
                     thop=4 * 5 * 2 * 3,
                     ptflops=4 * 5 * 2 * 3 + 4 * 5)),
    # 'same' with an even kernel pads 1 before and 2 after (a ZeroPad1d in front of the Conv1d): L' = L = 10
    Case("conv-1d-same-even-kernel", "2, 10", "{conv: probe, filters: 3, kernel: 4, padding: same}", (3, 10),
         params=3 * 2 * 4 + 3, weights=3 * 2 * 4, memory=3 * 10 * 4,
         flops=flops(lecture=3 * 10 * 2 * 4,  # 240
                     fvcore=3 * 10 * 2 * 4, torch=2 * 3 * 10 * 2 * 4, torchinfo=3 * 10 * 2 * 4 + 3 * 10,
                     thop=3 * 10 * 2 * 4, ptflops=3 * 10 * 2 * 4 + 3 * 10)),
    # ---- conv in 3-D: padding 1 keeps 4 x 5 x 6 --------------------------------------------------------------
    Case("conv-3d", "2, 4, 5, 6", "{conv: probe, filters: 4, kernel: 3, padding: 1}", (4, 4, 5, 6),
         params=4 * 2 * 3 * 3 * 3 + 4, weights=4 * 2 * 3 * 3 * 3, memory=4 * 4 * 5 * 6 * 4,
         flops=flops(lecture=4 * 4 * 5 * 6 * 2 * 3 * 3 * 3,  # C_out D' H' W' C_in K K K = 25920
                     fvcore=4 * 4 * 5 * 6 * 2 * 3 * 3 * 3,
                     torch=2 * 4 * 4 * 5 * 6 * 2 * 3 * 3 * 3,
                     torchinfo=4 * 4 * 5 * 6 * 2 * 3 * 3 * 3 + 4 * 4 * 5 * 6,
                     thop=4 * 4 * 5 * 6 * 2 * 3 * 3 * 3,
                     ptflops=4 * 4 * 5 * 6 * 2 * 3 * 3 * 3 + 4 * 4 * 5 * 6)),
    # a (2+1)-D style 1x3x3 kernel, stride [1, 2, 2], 2 groups: D' = 3, H' = W' = (7 - 3) / 2 + 1 = 3
    Case("conv-3d-groups-rectangular", "4, 3, 7, 7",
         "{conv: probe, filters: 6, kernel: [1, 3, 3], stride: [1, 2, 2], groups: 2}", (6, 3, 3, 3),
         params=6 * 2 * 1 * 3 * 3 + 6, weights=6 * 2 * 1 * 3 * 3, memory=6 * 3 * 3 * 3 * 4,
         flops=flops(lecture=6 * 3 * 3 * 3 * 2 * 1 * 3 * 3,  # C_out D' H' W' (C_in / g) Kd Kh Kw = 2916
                     fvcore=6 * 3 * 3 * 3 * 2 * 1 * 3 * 3,
                     torch=2 * 6 * 3 * 3 * 3 * 2 * 1 * 3 * 3,
                     torchinfo=6 * 3 * 3 * 3 * 2 * 1 * 3 * 3 + 6 * 3 * 3 * 3,
                     thop=6 * 3 * 3 * 3 * 2 * 1 * 3 * 3,
                     ptflops=6 * 3 * 3 * 3 * 2 * 1 * 3 * 3 + 6 * 3 * 3 * 3)),
    # ---- pooling in 1-D and 3-D: lecture C x (output positions) x taps; thop avg 1 per output; ptflops 2 per input
    Case("maxpool-1d", "3, 9", "{maxpool: probe, kernel: 3, stride: 2}", (3, 4),
         params=0, weights=0, memory=3 * 4 * 4,
         flops=flops(lecture=3 * 4 * 3,  # C L' K = 36
                     fvcore=0, torch=0, torchinfo=0, thop=0,
                     ptflops=2 * 3 * 9)),  # module hook + F.max_pool1d patch: 2 C L = 54
    Case("maxpool-3d", "3, 4, 6, 6", "{maxpool: probe, kernel: 2}", (3, 2, 3, 3),
         params=0, weights=0, memory=3 * 2 * 3 * 3 * 4,
         flops=flops(lecture=3 * 2 * 3 * 3 * 2 * 2 * 2,  # C D' H' W' K K K = 432
                     fvcore=0, torch=0, torchinfo=0, thop=0,
                     ptflops=2 * 3 * 4 * 6 * 6)),  # 864
    Case("avgpool-1d", "3, 8", "{avgpool: probe, kernel: 2}", (3, 4),
         params=0, weights=0, memory=3 * 4 * 4,
         flops=flops(lecture=3 * 4 * 2,  # 24
                     fvcore=0, torch=0, torchinfo=0,
                     thop=3 * 4,  # one per output
                     ptflops=2 * 3 * 8)),
    Case("avgpool-3d", "3, 4, 6, 6", "{avgpool: probe, kernel: [1, 2, 2]}", (3, 4, 3, 3),
         params=0, weights=0, memory=3 * 4 * 3 * 3 * 4,
         flops=flops(lecture=3 * 4 * 3 * 3 * 1 * 2 * 2,  # 432
                     fvcore=0, torch=0, torchinfo=0,
                     thop=3 * 4 * 3 * 3,  # 108
                     ptflops=2 * 3 * 4 * 6 * 6)),
    # ---- adaptive pooling in 1-D and 3-D: fvcore 0 (it counts aten::adaptive_avg_pool2d only) -----------------
    Case("global-avgpool-1d", "4, 10", "{global_avgpool: probe}", (4, 1),
         params=0, weights=0, memory=4 * 1 * 4,
         flops=flops(lecture=4 * 10,  # C L
                     fvcore=0, torch=0, torchinfo=0,
                     thop=(10 + 1) * 4,  # (L / L' adds + 1 division) x C L' = 44
                     ptflops=2 * 4 * 10)),
    # 10 -> 3 bins: [0, 4) [3, 7) [6, 10), 12 in all; thop (10/3 + 1) x 12 = 52.000000000000014 -> 52
    Case("adaptive-avgpool-1d-uneven", "4, 10", "{adaptive_avgpool: probe, output: 3}", (4, 3),
         params=0, weights=0, memory=4 * 3 * 4,
         flops=flops(lecture=4 * 12, fvcore=0, torch=0, torchinfo=0, thop=(10 + 3) * 4, ptflops=2 * 4 * 10)),
    Case("global-avgpool-3d", "4, 3, 6, 6", "{global_avgpool: probe}", (4, 1, 1, 1),
         params=0, weights=0, memory=4 * 4,
         flops=flops(lecture=4 * 3 * 6 * 6,  # C D H W = 432
                     fvcore=0, torch=0, torchinfo=0,
                     thop=(3 * 6 * 6 + 1) * 4,  # 436
                     ptflops=2 * 4 * 3 * 6 * 6)),
    # 3 -> 1: 3; 7 -> 2 bins [0, 4) [3, 7): 8; 5 -> 3 bins [0, 2) [1, 4) [3, 5): 7
    Case("adaptive-avgpool-3d-uneven", "2, 3, 7, 5", "{adaptive_avgpool: probe, output: [1, 2, 3]}", (2, 1, 2, 3),
         params=0, weights=0, memory=2 * 1 * 2 * 3 * 4,
         flops=flops(lecture=2 * 3 * 8 * 7,  # 336
                     fvcore=0, torch=0, torchinfo=0,
                     thop=(3 * 7 * 5 + 1 * 2 * 3) * 2,  # (3/1 x 7/2 x 5/3 + 1) x C D' H' W' = (105/6 + 1) x 12
                     ptflops=2 * 2 * 3 * 7 * 5)),
    # ---- transposed conv: H' = (H - 1) S - 2P + D (K - 1) + output_padding + 1 ----------------------------------
    # (5 - 1) x 2 - 2 x 1 + (3 - 1) + 1 + 1 = 10; the weights are C_in x (C_out / g) x K x K = 3 x 4 x 9 = 108
    Case("conv-transpose", "3, 5, 5",
         "{conv_transpose: probe, filters: 4, kernel: 3, stride: 2, padding: 1, output_padding: 1}", (4, 10, 10),
         params=3 * 4 * 3 * 3 + 4, weights=3 * 4 * 3 * 3, memory=4 * 10 * 10 * 4,
         flops=flops(lecture=3 * 5 * 5 * 4 * 3 * 3,  # C_in H W (C_out / g) K K = 2700
                     fvcore=3 * 5 * 5 * 4 * 3 * 3,
                     torch=2 * 3 * 5 * 5 * 4 * 3 * 3,
                     torchinfo=3 * 4 * 3 * 3 * 10 * 10 + 4 * 10 * 10,  # weights x H' W' + bias x H' W' = 11200
                     thop=4 * 10 * 10 * 3 * 3 * 3,  # C_out H' W' (C_in / g) K K = 10800
                     ptflops=3 * 5 * 5 * 4 * 3 * 3 + 4 * 10 * 10)),  # MAC + bias per output element = 3100
    Case("conv-transpose-no-bias", "3, 5, 5", "{conv_transpose: probe, filters: 4, kernel: 2, stride: 2, bias: false}",
         (4, 10, 10), params=3 * 4 * 2 * 2, weights=3 * 4 * 2 * 2, memory=4 * 10 * 10 * 4,
         flops=flops(lecture=3 * 5 * 5 * 4 * 2 * 2,  # 1200
                     fvcore=3 * 5 * 5 * 4 * 2 * 2, torch=2 * 3 * 5 * 5 * 4 * 2 * 2,
                     torchinfo=3 * 4 * 2 * 2 * 10 * 10,  # 4800
                     thop=4 * 10 * 10 * 3 * 2 * 2,
                     ptflops=3 * 5 * 5 * 4 * 2 * 2)),
    # (4 - 1) x 2 + 2 x (3 - 1) + 1 = 11; 2 groups: each input channel meets C_out / g = 3 filters
    Case("conv-transpose-groups-dilation", "4, 4, 4",
         "{conv_transpose: probe, filters: 6, kernel: 3, stride: 2, dilation: 2, groups: 2}", (6, 11, 11),
         params=4 * 3 * 3 * 3 + 6, weights=4 * 3 * 3 * 3, memory=6 * 11 * 11 * 4,
         flops=flops(lecture=4 * 4 * 4 * 3 * 3 * 3,  # C_in H W (C_out / g) K K = 1728
                     fvcore=4 * 4 * 4 * 3 * 3 * 3,
                     torch=2 * 4 * 4 * 4 * 3 * 3 * 3,
                     torchinfo=4 * 3 * 3 * 3 * 11 * 11 + 6 * 11 * 11,  # 13068 + 726
                     thop=6 * 11 * 11 * 2 * 3 * 3,  # C_out H' W' (C_in / g) K K = 13068
                     ptflops=4 * 4 * 4 * 3 * 3 * 3 + 6 * 11 * 11)),
    # 1-D: (8 - 1) x 2 - 2 + (4 - 1) + 1 = 16
    Case("conv-transpose-1d", "2, 8", "{conv_transpose: probe, filters: 3, kernel: 4, stride: 2, padding: 1}", (3, 16),
         params=2 * 3 * 4 + 3, weights=2 * 3 * 4, memory=3 * 16 * 4,
         flops=flops(lecture=2 * 8 * 3 * 4,  # C_in L C_out K = 192
                     fvcore=2 * 8 * 3 * 4, torch=2 * 2 * 8 * 3 * 4,
                     torchinfo=2 * 3 * 4 * 16 + 3 * 16,  # 432
                     thop=3 * 16 * 2 * 4,  # 384
                     ptflops=2 * 8 * 3 * 4 + 3 * 16)),  # 240
    # 3-D: kernel 2, stride 2 doubles every size
    Case("conv-transpose-3d", "2, 2, 3, 4", "{conv_transpose: probe, filters: 3, kernel: 2, stride: 2}", (3, 4, 6, 8),
         params=2 * 3 * 8 + 3, weights=2 * 3 * 8, memory=3 * 4 * 6 * 8 * 4,
         flops=flops(lecture=2 * 2 * 3 * 4 * 3 * 8,  # C_in D H W C_out K K K = 1152
                     fvcore=2 * 2 * 3 * 4 * 3 * 8, torch=2 * 2 * 2 * 3 * 4 * 3 * 8,
                     torchinfo=2 * 3 * 8 * 4 * 6 * 8 + 3 * 4 * 6 * 8,  # 9216 + 576
                     thop=3 * 4 * 6 * 8 * 2 * 8,  # 9216
                     ptflops=2 * 2 * 3 * 4 * 3 * 8 + 3 * 4 * 6 * 8)),  # 1728
    # ---- upsampling: lecture the inputs each output interpolates (nearest 1, linear 2, bilinear 4, trilinear 8,
    # bicubic 16); fvcore upsample_nearest2d 1 and upsample_bilinear2d 4 per output, nothing else; thop per output
    # nearest 1, linear 5, bilinear 11, bicubic 259, trilinear 0; ptflops its module hook (the output elements)
    # plus its F.interpolate patch (input elements x s^dims, or the output elements for a size) ------------------
    Case("upsample", "3, 4, 5", "{upsample: probe}", (3, 8, 10),  # nearest, x 2 by default
         params=0, weights=0, memory=3 * 8 * 10 * 4,
         flops={**NONE, "lecture": 3 * 8 * 10, "fvcore": 3 * 8 * 10, "thop": 3 * 8 * 10,
                "ptflops": 3 * 8 * 10 + 3 * 4 * 5 * 2 ** 2}),  # 240 + 60 x 4 = 480
    Case("upsample-size", "3, 4, 5", "{upsample: probe, size: [7, 9]}", (3, 7, 9),
         params=0, weights=0, memory=3 * 7 * 9 * 4,
         flops={**NONE, "lecture": 3 * 7 * 9, "fvcore": 3 * 7 * 9, "thop": 3 * 7 * 9, "ptflops": 2 * 3 * 7 * 9}),
    Case("upsample-bilinear", "3, 4, 5", "{upsample: probe, scale_factor: 2, mode: bilinear}", (3, 8, 10),
         params=0, weights=0, memory=3 * 8 * 10 * 4,
         flops={**NONE, "lecture": 4 * 3 * 8 * 10, "fvcore": 4 * 3 * 8 * 10, "thop": 11 * 3 * 8 * 10,
                "ptflops": 2 * 3 * 8 * 10}),
    Case("upsample-bicubic", "3, 4, 5", "{upsample: probe, mode: bicubic, align_corners: true}", (3, 8, 10),
         params=0, weights=0, memory=3 * 8 * 10 * 4,
         flops={**NONE, "lecture": 16 * 3 * 8 * 10, "fvcore": 0, "thop": (224 + 35) * 3 * 8 * 10,  # 62160
                "ptflops": 2 * 3 * 8 * 10}),
    Case("upsample-1d-nearest", "2, 5", "{upsample: probe, scale_factor: 3}", (2, 15),
         params=0, weights=0, memory=2 * 15 * 4,
         flops={**NONE, "lecture": 2 * 15, "fvcore": 0,  # upsample_nearest1d: not an fvcore op
                "thop": 2 * 15, "ptflops": 2 * 15 + 2 * 5 * 3}),
    Case("upsample-1d-linear", "2, 5", "{upsample: probe, mode: linear}", (2, 10),
         params=0, weights=0, memory=2 * 10 * 4,
         flops={**NONE, "lecture": 2 * 2 * 10, "fvcore": 0, "thop": 5 * 2 * 10, "ptflops": 2 * 2 * 10}),
    Case("upsample-3d-nearest", "2, 2, 3, 4", "{upsample: probe}", (2, 4, 6, 8),
         params=0, weights=0, memory=2 * 4 * 6 * 8 * 4,
         flops={**NONE, "lecture": 2 * 4 * 6 * 8, "fvcore": 0, "thop": 2 * 4 * 6 * 8,
                "ptflops": 2 * 4 * 6 * 8 + 2 * 2 * 3 * 4 * 2 ** 3}),  # 384 + 48 x 8
    Case("upsample-3d-trilinear", "2, 2, 3, 4", "{upsample: probe, mode: trilinear}", (2, 4, 6, 8),
         params=0, weights=0, memory=2 * 4 * 6 * 8 * 4,
         flops={**NONE, "lecture": 8 * 2 * 4 * 6 * 8, "fvcore": 0,
                "thop": 0,  # "mode trilinear is not implemented yet, take it a zero op"
                "ptflops": 2 * 2 * 4 * 6 * 8}),
    # torch: floor(5 x 1.5) = 7; ptflops: 147 + int(75 x 1.5^2 = 168.75)
    Case("upsample-fractional-scale", "3, 5, 5", "{upsample: probe, scale_factor: 1.5}", (3, 7, 7),
         params=0, weights=0, memory=3 * 7 * 7 * 4,
         flops={**NONE, "lecture": 3 * 7 * 7, "fvcore": 3 * 7 * 7, "thop": 3 * 7 * 7, "ptflops": 3 * 7 * 7 + 168}),
    Case("upsample-scale-list", "3, 4, 5", "{upsample: probe, scale_factor: [2, 3]}", (3, 8, 15),
         params=0, weights=0, memory=3 * 8 * 15 * 4,
         flops={**NONE, "lecture": 3 * 8 * 15, "fvcore": 3 * 8 * 15, "thop": 3 * 8 * 15,
                "ptflops": 3 * 8 * 15 + 3 * 4 * 5 * 2 * 3}),  # 360 + 60 x 6
    # ptflops multiplies by the factors' whole parts for a list: 60 x 1 x 1, where the output has 3 x 6 x 7
    Case("upsample-scale-list-fractional", "3, 4, 5", "{upsample: probe, scale_factor: [1.5, 1.5]}", (3, 6, 7),
         params=0, weights=0, memory=3 * 6 * 7 * 4,
         flops={**NONE, "lecture": 3 * 6 * 7, "fvcore": 3 * 6 * 7, "thop": 3 * 6 * 7,
                "ptflops": 3 * 6 * 7 + 3 * 4 * 5 * 1 * 1}),
]
CASES += SPATIAL_CASES
BY_ID = {case.id: case for case in CASES}


def spec_of(case: Case) -> archstat.Spec:
    """The case's one-layer spec."""
    return archstat.parse_spec(f"input: [{case.input}]\nlayers:\n  - {case.layer}\n", f"{case.id}.yaml")


@cache
def analysis(case_id: str, convention: str = "lecture", bias: bool = True) -> archstat.Analysis:
    return archstat.analyze(spec_of(BY_ID[case_id]), flops=convention, bias=bias)


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
