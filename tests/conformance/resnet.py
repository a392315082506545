"""ResNet as published: the lecture's table of the five depths (from He et al., Table 1), and its stem.

The paper's networks (v1) stride a downsampling bottleneck in its first 1x1 convolution; torchvision's, and so
the bundled specs (v1.5), stride the 3x3 instead, which changes FLOPs but not parameters. The paper's GFLOP are
checked on v1 specs written out below. The basic-block depths (18, 34) are the same in both layouts, but the paper
counts them with identity shortcuts (option A: zero-padded where the width grows, no multiply-adds; its "34-layer
baseline has 3.6 billion FLOPs" is the plain net), so their 1x1 projections in the bundled specs are left out.
"""
from __future__ import annotations

from .conventions import Erratum, Table
from .sources import HE_2016, JOHNSON_L8

STAGES = {18: (2, 2, 2, 2), 34: (3, 4, 6, 3), 50: (3, 4, 6, 3), 101: (3, 4, 23, 3), 152: (3, 8, 36, 3)}
V1_DEPTHS = (50, 101, 152)  # bottleneck depths, where the paper's layout differs from torchvision's
SPEC = {18: "resnet18", 34: "resnet34", 50: "resnet50", 101: "resnet101", 152: "resnet152"}


def _row(block: str, counts: tuple[int, ...], layers: int, gflop: str) -> dict[str, str]:
    cells = {"block": block, "stem layers": "1", "FC layers": "1", "GFLOP": gflop}
    for stage, blocks in enumerate(counts, 1):
        cells[f"stage {stage} blocks"] = str(blocks)
        cells[f"stage {stage} layers"] = str(blocks * layers)
    return cells


_ROWS = {
    "ResNet-18": _row("basic", STAGES[18], 2, "1.8"),
    "ResNet-34": _row("basic", STAGES[34], 2, "3.6"),
    "ResNet-50": _row("bottleneck", STAGES[50], 3, "3.8"),
    "ResNet-101": _row("bottleneck", STAGES[101], 3, "7.6"),
    "ResNet-152": _row("bottleneck", STAGES[152], 3, "11.3"),
}
DEPTHS = {"ResNet-18": 18, "ResNet-34": 34, "ResNet-50": 50, "ResNet-101": 101, "ResNet-152": 152}

# The ImageNet top-5 errors of the same table (10.92, 8.58, 7.13, 6.44, 5.94) are measured accuracies, not
# properties of the architecture, and are not compared.
TABLE = Table(
    key="resnet-table",
    title="ResNet table",
    source=HE_2016,
    convention="lecture convention, G = 10^9, rounded half-up at 0.1; the networks the paper counts: "
               "ResNet-18 and -34 with identity shortcuts, zero-padded where the width grows (option A, no "
               "multiply-adds: the bundled specs' three 1x1 projections left out), the bottleneck depths with "
               "projections where the width grows (option B) in the paper's layout (v1). Stage layers count the "
               "convolutions of the residual paths (not the projection shortcuts)",
    cells={f"{model} {column}": text for model, cells in _ROWS.items() for column, text in cells.items()},
)

# spec 'resnet18' (the lecture: "the same aggressive stem as GoogLeNet"), and the block FLOP formula.
STEM = Table(
    key="resnet-stem",
    title="ResNet stem and blocks",
    source=JOHNSON_L8,
    convention="lecture convention; the stem convolution has no bias in ResNet, which rounds to the same 9k",
    cells={
        "conv1 Memory (KB)": "3136", "conv1 Params (k)": "9", "conv1 FLOP (M)": "118",
        "maxpool Memory (KB)": "784", "maxpool Params (k)": "0", "maxpool FLOP (M)": "2",
        "basic block FLOPs": "18HWC^2",
    },
)

ERRATA = (
    Erratum(TABLE, "ResNet-50 GFLOP", "3.8", "3.9",
            "In the paper's layout (stride on the first 1x1 of a downsampling bottleneck) with its option B "
            "projections: 3,859,879,936 = 3.86 G, 3.9 rounded (without the four projections, 359,661,568, it "
            "would be 3.5 G); torchvision's layout (the bundled spec) gives 4,091,090,944 = 4.1 G. Only truncation "
            "gives 3.8, and truncation would turn ResNet-18's 1.797 into 1.7, ResNet-101's 7.57 into 7.5 and "
            "ResNet-152's 11.28 into 11.2."),
)


def v1_spec(depth: int) -> str:
    """A bottleneck ResNet in the paper's layout: the stride on conv1 (1x1) of a downsampling block, not conv2."""
    b1, b2, b3, b4 = STAGES[depth]
    return f"""\
name: resnet{depth}_v1
title: ResNet-{depth} (He et al. 2016, original layout)
source: He, Zhang, Ren, Sun, Deep Residual Learning for Image Recognition, CVPR 2016, Table 1
fit: floor
input: [3, 224, 224]
blocks:
  bottleneck:
    params: {{width: ~, stride: 1, project: 0}}
    layers:
      - residual:
        body:
          - {{conv: conv1, filters: $width, kernel: 1, stride: $stride, bias: false}}
          - {{batchnorm: bn1}}
          - {{relu: relu1}}
          - {{conv: conv2, filters: $width, kernel: 3, padding: 1, bias: false}}
          - {{batchnorm: bn2}}
          - {{relu: relu2}}
          - {{conv: conv3, filters: "${{width * 4}}", kernel: 1, bias: false}}
          - {{batchnorm: bn3}}
        shortcut:
          - repeat: $project
            layers:
              - group: downsample
                layers:
                  - {{conv: "0", filters: "${{width * 4}}", kernel: 1, stride: $stride, bias: false}}
                  - {{batchnorm: "1"}}
        after: [{{relu: relu}}]
  stage:
    params: {{width: ~, blocks: ~, stride: 1}}
    layers:
      - {{bottleneck: "0", width: $width, stride: $stride, project: 1}}
      - repeat: "${{blocks - 1}}"
        start: 1
        layers: [{{bottleneck: "{{i}}", width: $width}}]
layers:
  - {{conv: conv1, filters: 64, kernel: 7, stride: 2, padding: 3, bias: false}}
  - {{batchnorm: bn1}}
  - {{relu: relu}}
  - {{maxpool: maxpool, kernel: 3, stride: 2, padding: 1}}
  - {{stage: layer1, width: 64, blocks: {b1}}}
  - {{stage: layer2, width: 128, blocks: {b2}, stride: 2}}
  - {{stage: layer3, width: 256, blocks: {b3}, stride: 2}}
  - {{stage: layer4, width: 512, blocks: {b4}, stride: 2}}
  - {{adaptive_avgpool: avgpool, output: 1}}
  - {{flatten: flatten}}
  - {{fc: fc, features: 1000}}
"""
