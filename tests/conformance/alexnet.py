"""AlexNet as published: the lecture's per-layer table and worked examples, CS231n's walk-through, the paper."""
from __future__ import annotations

from .conventions import LECTURE_COLUMNS, Erratum, Table, grid, rows
from .sources import CASE_STUDY, CS231N_L5, CS231N_L9, HAYS_RANZATO, JOHNSON_L8, KRIZHEVSKY_2012

# spec 'alexnet' (3x227x227, 64 filters in conv1). The FLOP column is cut off at the slide's edge for some rows:
# '?' marks each digit that cannot be read.
TABLE = Table(
    key="alexnet-lecture",
    title="AlexNet per-layer table",
    source=JOHNSON_L8,
    convention="lecture convention; params with biases, as the slide's own formulas count them",
    cells=grid(rows(LECTURE_COLUMNS, """
        conv1    3    227  64   11  4  2  64    56  784  23     73
        pool1    64   56   -    3   2  0  64    27  182  0      0
        conv2    64   27   192  5   1  2  192   27  547  307    22?
        pool2    192  27   -    3   2  0  192   13  127  0      0
        conv3    192  13   384  3   1  1  384   13  254  664    11?
        conv4    384  13   256  3   1  1  256   13  169  885    14?
        conv5    256  13   256  3   1  1  256   13  169  590    10?
        pool5    256  13   -    3   2  0  256   6   36   0      0
        flatten  256  6    -    -   -  -  9216  -   36   0      0
        fc6      9216 -    4096 -   -  -  4096  -   16   37749  38
        fc7      4096 -    4096 -   -  -  4096  -   16   16777  1?
        fc8      4096 -    1000 -   -  -  1000  -   4    4096   4
    """)),
)

WORKED = Table(
    key="alexnet-lecture-worked",
    title="AlexNet worked examples",
    source=JOHNSON_L8,
    convention="exact counts; the slides write thousands with ',' or '.'",
    cells={
        "conv1 H/W out = (227 - 11 + 2 x 2) / 4 + 1": "56",
        "conv1 output elements": "200,704",
        "conv1 KB = 200704 x 4 / 1024": "784",
        "conv1 params = 64 x 3 x 11 x 11 + 64": "23,296",
        "conv1 FLOPs = (64 x 56 x 56) x (3 x 11 x 11)": "72,855,552",
        "pool1 H/W out = floor((56 - 3) / 2 + 1)": "27",
        "pool1 KB = 64 x 27 x 27 x 4 / 1024": "182.25",
        "pool1 params": "0",
        "pool1 FLOPs = (64 x 27 x 27) x (3 x 3)": "419,904",
        "pool1 MFLOP": "0.4",
        "flatten output = 256 x 6 x 6": "9216",
        "fc6 params = 9216 x 4096 + 4096": "37.725.832",
        "fc6 FLOPs = 9216 x 4096": "37.748.736",
    },
)

# The walk-through's own network, transcribed from its "Full (simplified) AlexNet architecture" listing in the
# listing's order: each NORM comes after its MAX POOL (CONV1 -> POOL1 -> NORM1), not before it as in the paper and in
# spec 'alexnet_paper'. No two-GPU split ("simplified"); ReLUs are not listed and change no count; the slide gives no
# LRN size, so the paper's 5 is used.
CS231N_SPEC = """\
name: alexnet_cs231n
title: AlexNet as CS231n's walk-through lists it
input: [3, 227, 227]
layers:
  - {conv: conv1, filters: 96, kernel: 11, stride: 4, padding: 0}
  - {maxpool: pool1, kernel: 3, stride: 2}
  - {lrn: norm1, size: 5}
  - {conv: conv2, filters: 256, kernel: 5, stride: 1, padding: 2}
  - {maxpool: pool2, kernel: 3, stride: 2}
  - {lrn: norm2, size: 5}
  - {conv: conv3, filters: 384, kernel: 3, stride: 1, padding: 1}
  - {conv: conv4, filters: 384, kernel: 3, stride: 1, padding: 1}
  - {conv: conv5, filters: 256, kernel: 3, stride: 1, padding: 1}
  - {maxpool: pool3, kernel: 3, stride: 2}
  - {flatten: flatten}
  - {fc: fc6, features: 4096}
  - {fc: fc7, features: 4096}
  - {fc: fc8, features: 1000}
"""

CS231N = Table(
    key="alexnet-cs231n",
    title="AlexNet walk-through (CS231n)",
    source=f"{CS231N_L9}; im2col example from {CS231N_L5}",
    convention="the walk-through's own layer order (NORM after POOL); shapes as H x W x C; conv1 params without "
               "its 96 biases, which the slide lists apart",
    cells={
        "input": "227x227x3",
        "conv1 output = (227 - 11) / 4 + 1": "55x55x96",
        "conv1 parameters = (11 x 11 x 3) x 96": "35K",
        "conv1 bias": "96",
        "pool1 output = (55 - 3) / 2 + 1": "27x27x96",
        "pool1 parameters": "0",
        "conv1 X_col (11x11x3 patches x 55x55 positions)": "363 x 3025",
        "conv1 W_row": "96 x 363",
        "conv1 output as a matrix": "96 x 3025",
        **grid({
            "CONV1": {"output": "55x55x96", "filters": "96", "kernel": "11", "stride": "4", "pad": "0"},
            "POOL1": {"output": "27x27x96", "kernel": "3", "stride": "2"},
            "NORM1": {"output": "27x27x96"},
            "CONV2": {"output": "27x27x256", "filters": "256", "kernel": "5", "stride": "1", "pad": "2"},
            "POOL2": {"output": "13x13x256", "kernel": "3", "stride": "2"},
            "NORM2": {"output": "13x13x256"},
            "CONV3": {"output": "13x13x384", "filters": "384", "kernel": "3", "stride": "1", "pad": "1"},
            "CONV4": {"output": "13x13x384", "filters": "384", "kernel": "3", "stride": "1", "pad": "1"},
            "CONV5": {"output": "13x13x256", "filters": "256", "kernel": "3", "stride": "1", "pad": "1"},
            "POOL3": {"output": "6x6x256", "kernel": "3", "stride": "2"},
            "FC6": {"output": "4096"},
            "FC7": {"output": "4096"},
            "FC8": {"output": "1000"},
        }),
    },
)
CS231N_ROWS = ("CONV1", "POOL1", "NORM1", "CONV2", "POOL2", "NORM2", "CONV3", "CONV4", "CONV5", "POOL3", "FC6",
               "FC7", "FC8")  # the listing's order; spec CS231N_SPEC names each row in lower case

# The paper's own figures, and the totals quoted from it on two other slides. The paper writes its input as
# 224x224x3 and states no padding for any layer, yet its caption's counts need padding in conv2..conv5 (27x27 kept by
# a 5x5 window, 13x13 by 3x3 ones); with the same unstated padding in conv1 (2, or 3, with the remainder of the
# window dropped) 224 gives the 55x55 the rest of the network needs. So the figures are measured on spec
# 'alexnet_paper' at the paper's 224 input with that conv1 (PAPER_INPUT, PAPER_CONV1_PADDING); every shape and count
# is the same as the spec's 227 input gives.
PAPER = Table(
    key="alexnet-paper",
    title="AlexNet paper figures",
    source=f"{KRIZHEVSKY_2012}; the totals as quoted in {HAYS_RANZATO} and in the {CASE_STUDY}",
    convention="the paper's 224x224x3 input, conv1 padded by 2 with the remainder dropped (55x55, as the caption's "
               "later counts need); neurons = output elements of each conv and fc layer; params with biases; flops "
               "in the lecture convention; round figures are floors, as the abstract's two are ('60 million "
               "parameters' for 60,965,224, '650,000 neurons' for 659,272): '60M' compared at 1M, '650,000' at "
               "10,000",
    cells={
        "input image": "224x224x3",
        "input dimensionality": "150,528",
        "neurons conv1": "253,440",
        "neurons conv2": "186,624",
        "neurons conv3": "64,896",
        "neurons conv4": "64,896",
        "neurons conv5": "43,264",
        "neurons fc6": "4096",
        "neurons fc7": "4096",
        "neurons fc8": "1000",
        "neurons in all": "650,000",
        "hidden layers": "7",
        "parameters": "60M",
        "Total nr. params": "60M",
        "Total nr. flops": "832M",
    },
)
PAPER_LAYERS = ("conv1", "conv2", "conv3", "conv4", "conv5", "fc6", "fc7", "fc8")
PAPER_INPUT = (3, 224, 224)
PAPER_CONV1_PADDING = 2

ERRATA = (
    Erratum(TABLE, "fc6 Params (k)", "37749", "37753",
            "The slide's own formula is C_in x C_out + C_out = 9216 x 4096 + 4096 = 37,752,832; 37749 is "
            "9216 x 4096 = 37,748,736, the bias left out, while the slide's conv1 count includes it (64 x 3 x 11 "
            "x 11 + 64 = 23,296)."),
    Erratum(TABLE, "fc7 Params (k)", "16777", "16781",
            "4096 x 4096 + 4096 = 16,781,312 with the bias the slide's formula counts; 16777 is 4096 x 4096 = "
            "16,777,216 alone."),
    Erratum(TABLE, "fc8 Params (k)", "4096", "4097",
            "4096 x 1000 + 1000 = 4,097,000 with the bias; 4096 is 4096 x 1000 = 4,096,000 alone. (Every conv "
            "row rounds to the same k with or without its bias, so only the fc rows show the difference.)"),
    Erratum(TABLE, "conv4 FLOP (M)", "14?", "150",
            "384 -> 256 channels, 3x3, on 13x13: 256 x 13 x 13 x 384 x 3 x 3 = 149,520,384 = 149.52 M, which "
            "rounds to 150. The legible digits '14' fit only truncation (149), which the rest of the column does "
            "not use (conv1 72.86 -> 73, fc6 37.75 -> 38, conv5 99.68 -> '10?')."),
    Erratum(WORKED, "fc6 params = 9216 x 4096 + 4096", "37.725.832", "37.752.832",
            "9216 x 4096 + 4096 = 37,748,736 + 4096 = 37,752,832; the slide swaps two digits (725 for 752)."),
    Erratum(PAPER, "neurons conv1", "253,440", "290,400",
            "conv1 outputs 55 x 55 x 96 = 290,400 values, the map the caption's next count needs (pooled to 27x27, "
            "conv2 gives its 27 x 27 x 256 = 186,624). 253,440 / 96 = 2640 is not a square, so no square map of 96 "
            "channels gives it, at any input size or padding (54 x 54 x 96 = 279,936 from an unpadded 224 input "
            "would not either); the other seven counts are exact: 27x27x256, 13x13x384 twice, 13x13x256, 4096, "
            "4096, 1000."),
    Erratum(PAPER, "Total nr. flops", "832M", "725M",
            "archstat: 724,406,816 multiply-adds in the conv and fc layers + 1,102,176 pooling ops = 725,508,992 "
            "(725M, the floor, as the slide's '60M' params are; 726M rounded). None of the counts tried gives "
            "832M: MACs only 724M; without the GPU split (groups 1) 1136M; two FLOPs per MAC 1448M; the "
            "torchvision layout (spec 'alexnet') 717M."),
)
