"""VGG as published: CS231n's VGG-16 memory/params listing, the lecture's head table and the paper's configurations."""
from __future__ import annotations

from .conventions import Erratum, Table, grid, rows
from .sources import CS231N_L9, JOHNSON_L8, SIMONYAN_2015

# spec 'vgg16'; rows named as the spec names them (the slide writes INPUT, CONV3-64, POOL2, FC).
LISTING = Table(
    key="vgg16-listing",
    title="VGG-16 memory and parameters listing",
    source=CS231N_L9,
    convention="memory in elements, written to two significant figures (K = 1000, M = 10^6) except the exact "
               "counts 4096 and 1000; params exact and 'not counting biases'; shapes H x W x C",
    cells={
        **grid(rows(("output", "memory", "params"), """
            input    224x224x3    150K  0
            conv1_1  224x224x64   3.2M  1,728
            conv1_2  224x224x64   3.2M  36,864
            pool1    112x112x64   800K  0
            conv2_1  112x112x128  1.6M  73,728
            conv2_2  112x112x128  1.6M  147,456
            pool2    56x56x128    400K  0
            conv3_1  56x56x256    800K  294,912
            conv3_2  56x56x256    800K  589,824
            conv3_3  56x56x256    800K  589,824
            pool3    28x28x256    200K  0
            conv4_1  28x28x512    400K  1,179,648
            conv4_2  28x28x512    400K  2,359,296
            conv4_3  28x28x512    400K  2,359,296
            pool4    14x14x512    100K  0
            conv5_1  14x14x512    100K  2,359,296
            conv5_2  14x14x512    100K  2,359,296
            conv5_3  14x14x512    100K  2,359,296
            pool5    7x7x512      25K   0
            fc6      1x1x4096     4096  102,760,448
            fc7      1x1x4096     4096  16,777,216
            fc8      1x1x1000     1000  4,096,000
        """)),
        "TOTAL memory": "24M",
        "TOTAL memory x 4 bytes": "96MB",
        "TOTAL params": "138M",
    },
)
LISTED = ("conv1_1", "conv1_2", "pool1", "conv2_1", "conv2_2", "pool2", "conv3_1", "conv3_2", "conv3_3", "pool3",
          "conv4_1", "conv4_2", "conv4_3", "pool4", "conv5_1", "conv5_2", "conv5_3", "pool5", "fc6", "fc7", "fc8")

# spec 'vgg16', lecture convention (params with biases, as for GoogLeNet's fc in the same slide).
HEAD = Table(
    key="vgg16-head",
    title="VGG-16 head table",
    source=JOHNSON_L8,
    convention="lecture convention; params with biases",
    cells=grid({
        "flatten": {"C in": "512", "H/W in": "7", "C out": "25088", "Memory (KB)": "98"},
        "fc6": {"C in": "25088", "C out": "4096", "Memory (KB)": "16", "Params (k)": "102760", "FLOP (M)": "103"},
        "fc7": {"C in": "4096", "C out": "4096", "Memory (KB)": "16", "Params (k)": "16777", "FLOP (M)": "17"},
        "fc8": {"C in": "4096", "C out": "1000", "Memory (KB)": "4", "Params (k)": "4096", "FLOP (M)": "4"},
    }),
)

# Simonyan & Zisserman's Table 1 header, and what each configuration changes.
CONFIGURATIONS = Table(
    key="vgg-configurations",
    title="VGG configurations A-E",
    source=SIMONYAN_2015,
    convention="weight layers = convolutions and fully connected layers",
    cells={
        "A (vgg11) weight layers": "11",
        "A-LRN (vgg11_lrn) weight layers": "11",
        "B (vgg13) weight layers": "13",
        "C (vgg16_c) weight layers": "16",
        "D (vgg16) weight layers": "16",
        "E (vgg19) weight layers": "19",
    },
)
CONFIGURATION_SPECS = {"A": "vgg11", "A-LRN": "vgg11_lrn", "B": "vgg13", "C": "vgg16_c", "D": "vgg16", "E": "vgg19"}

# The lecture's VGG design rules, on a C x 2H x 2W or 2C x H x W input (coefficients of H, W and C).
DESIGN = Table(
    key="vgg-design",
    title="VGG design rules",
    source=JOHNSON_L8,
    convention="params without biases; memory in elements; FLOPs in the lecture convention",
    cells={
        "Conv(5x5, C->C) params": "25C^2",
        "Conv(5x5, C->C) FLOPs": "25C^2HW",
        "two Conv(3x3, C->C) params": "18C^2",
        "two Conv(3x3, C->C) FLOPs": "18C^2HW",
        "C x 2H x 2W, Conv(3x3, C->C) memory": "4HWC",
        "C x 2H x 2W, Conv(3x3, C->C) params": "9C^2",
        "C x 2H x 2W, Conv(3x3, C->C) FLOPs": "36HWC^2",
        "2C x H x W, Conv(3x3, 2C->2C) memory": "2HWC",
        "2C x H x W, Conv(3x3, 2C->2C) params": "36C^2",
        "2C x H x W, Conv(3x3, 2C->2C) FLOPs": "36HWC^2",
    },
)

ERRATA = (
    Erratum(LISTING, "TOTAL memory", "24M", "15M",
            "The listed rows add up to 150,528 + 2 x 3,211,264 + 802,816 + 2 x 1,605,632 + 401,408 + 3 x 802,816 "
            "+ 200,704 + 3 x 401,408 + 100,352 + 3 x 100,352 + 25,088 + 4096 + 4096 + 1000 = 15,237,608 "
            "elements (the rounded cells give 15.2M too), not 24M. The same listing as taught in EBU7240 (C. Oh, "
            "2021) prints '15.2M * 4 bytes ~= 61MB'."),
    Erratum(LISTING, "TOTAL memory x 4 bytes", "96MB", "61MB",
            "15,237,608 x 4 bytes = 60,950,432 bytes, 61 MB (58 MiB), as the EBU7240 copy prints; 96 MB follows "
            "from the 24M total."),
    Erratum(HEAD, "fc6 Params (k)", "102760", "102765",
            "25088 x 4096 + 4096 = 102,764,544 with the bias; 102760 is 25088 x 4096 = 102,760,448 alone, while "
            "the GoogLeNet fc in the same comparison counts its bias (1024 x 1000 + 1000 = 1025k)."),
    Erratum(HEAD, "fc7 Params (k)", "16777", "16781",
            "4096 x 4096 + 4096 = 16,781,312 with the bias; 16777 leaves it out."),
    Erratum(HEAD, "fc8 Params (k)", "4096", "4097",
            "4096 x 1000 + 1000 = 4,097,000 with the bias; 4096 leaves it out."),
)
