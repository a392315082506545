"""LeNet-5, the two-layer MLP, the small worked examples and the headline figures of the lectures."""
from __future__ import annotations

from .conventions import Erratum, Table, grid
from .sources import CASE_STUDY, CS231N_L5, EBU7240_MLP, JOHNSON_L8, SZEGEDY_2015

# spec 'lenet5'. Weight sizes are the weight tensors (C_out x C_in x K x K, and D_in x D_out), without biases.
LENET5 = Table(
    key="lenet5",
    title="LeNet-5 table",
    source=JOHNSON_L8,
    convention="shapes C x H x W; weight size = the weight tensor, biases not listed",
    cells=grid({
        "input": {"output size": "1 x 28 x 28"},
        "conv1": {"output size": "20 x 28 x 28", "weight size": "20 x 1 x 5 x 5"},
        "relu1": {"output size": "20 x 28 x 28"},
        "pool1": {"output size": "20 x 14 x 14"},
        "conv2": {"output size": "50 x 14 x 14", "weight size": "50 x 20 x 5 x 5"},
        "relu2": {"output size": "50 x 14 x 14"},
        "pool2": {"output size": "50 x 7 x 7"},
        "flatten": {"output size": "2450"},
        "fc1": {"output size": "500", "weight size": "2450 x 500"},
        "relu3": {"output size": "500"},
        "fc2": {"output size": "10", "weight size": "500 x 10"},
    }),
)

# spec 'mlp'. N = 64 is the batch, a run option rather than part of the spec, so it is not compared here.
MLP = Table(
    key="mlp",
    title="Two-layer MLP example",
    source=EBU7240_MLP,
    convention="w1 is D_in x H and w2 is H x D_out, without biases",
    cells={"D_in": "1000", "H": "100", "D_out": "10", "w1": "1000 x 100", "w2": "100 x 10"},
)

# Tiny specs built in the tests (archstat.parse_spec); shapes as the slides write them, H x W x C or H x W.
EXAMPLES = Table(
    key="worked-examples",
    title="Small worked examples",
    source=CS231N_L5,
    convention="params with biases ('+1 for bias'); shapes H x W x C",
    cells={
        "32x32x3, 10 5x5 filters, stride 1, pad 2: output": "32x32x10",
        "32x32x3, 10 5x5 filters: params per filter": "76",
        "32x32x3, 10 5x5 filters: params in all": "760",
        "7x7 input, 3x3 filter, stride 1": "5x5",
        "7x7 input, 3x3 filter, stride 2": "3x3",
        "7x7 input, 3x3 filter, stride 3: (7 - 3) / 3 + 1": "2.33",
        "7x7 input, 3x3 filter, stride 1, pad 1": "7x7",
        "receptive field of three 3x3 convs": "7x7",
        "three 3x3 convs C->C: params": "27C^2",
        "one 7x7 conv C->C: params": "49C^2",
    },
)

# Layer counts are weight layers (conv and fc) on the longest path; parameters with biases, compared at 1M, and
# GoogLeNet's without its fully connected layer, as the slide counts them ("throw away fully connected layers").
HEADLINES = Table(
    key="headlines",
    title="ImageNet winners' headline figures",
    source=f"{CASE_STUDY}; the 22 layers also in {SZEGEDY_2015.removesuffix(', Table 1')}, Section 5",
    convention="layers = weight layers on the longest path; parameters with biases at 1M, half-up (the slide's "
               "AlexNet '61 million' for 60,965,224 is rounded, not cut); GoogLeNet's without its fully connected "
               "layer, as the slide says ('throw away fully connected layers')",
    cells={
        "AlexNet layers": "8",
        "AlexNet parameters": "61M",
        "ZFNet layers": "8",
        "ZFNet conv1": "7x7 stride 2",
        "ZFNet conv3, conv4, conv5 filters": "512, 1024, 512",
        "VGGNet layers": "16",
        "VGGNet parameters": "138M",
        "GoogLeNet layers": "22",
        "GoogLeNet parameters": "5M",
        "ResNet layers": "152",
    },
)
HEADLINE_SPECS = {"AlexNet": "alexnet_paper", "ZFNet": "zfnet", "VGGNet": "vgg16", "GoogLeNet": "googlenet",
                  "ResNet": "resnet152"}
WITHOUT_FC = ("GoogLeNet",)  # counted without its linear layers, as the slide does

ERRATA = (
    Erratum(HEADLINES, "GoogLeNet parameters", "5M", "6M",
            "Counted as the slide counts it, without the fully connected layer ('throw away fully connected "
            "layers'): 6,998,552 - 1,025,000 = 5,973,552 with biases (5,966,272 without; the auxiliary "
            "classifiers, used only in training, are left out), 6M at the slide's rounding (its AlexNet '61 "
            "million' is 60,965,224 rounded; cutting would make that 60M). With the fc it is 7M. '5 million' "
            "matches '12x less than AlexNet' on the companion slide (60M / 12), not the network (60,965,224 / "
            "5,973,552 = 10.2x)."),
)
