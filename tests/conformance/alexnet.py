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

# spec 'alexnet_paper' (96 filters, LRN, two-GPU groups) on its 227x227 input.
CS231N = Table(
    key="alexnet-cs231n",
    title="AlexNet walk-through (CS231n)",
    source=f"{CS231N_L9}; im2col example from {CS231N_L5}",
    convention="shapes as H x W x C; conv1 params without its 96 biases, which the slide lists apart",
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
CS231N_ROWS = {"CONV1": "conv1", "POOL1": "pool1", "NORM1": "norm1", "CONV2": "conv2", "POOL2": "pool2",
               "NORM2": "norm2", "CONV3": "conv3", "CONV4": "conv4", "CONV5": "conv5", "POOL3": "pool5",
               "FC6": "fc6", "FC7": "fc7", "FC8": "fc8"}

# The paper's own figures, and the totals quoted from it on two other slides.
PAPER = Table(
    key="alexnet-paper",
    title="AlexNet paper figures",
    source=f"{KRIZHEVSKY_2012}; the totals as quoted in {HAYS_RANZATO} and in the {CASE_STUDY}",
    convention="neurons = output elements of each conv and fc layer; params with biases; flops in the lecture "
               "convention; '60M' compared at 1M, '650,000' at 10,000 (two significant figures)",
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
    Erratum(CS231N, "NORM1 output", "27x27x96", "55x55x96",
            "The walk-through normalises after pooling (Caffe's CaffeNet order). The paper puts response "
            "normalisation right after the ReLU of conv1 and pools afterwards (Section 3.5: max-pooling layers "
            "'follow both response-normalization layers'), so norm1 sees conv1's 55x55x96."),
    Erratum(CS231N, "NORM2 output", "13x13x256", "27x27x256",
            "Same order as NORM1: in the paper norm2 follows conv2 (27x27x256) and pool2 follows norm2."),
    Erratum(PAPER, "input image", "224x224x3", "227x227x3",
            "An 11x11 stride-4 convolution without padding gives 55x55 only from 227: (227 - 11) / 4 + 1 = 55, "
            "while (224 - 11) / 4 + 1 = 54.25 does not fit (archstat raises SpecError on 224)."),
    Erratum(PAPER, "input dimensionality", "150,528", "154,587",
            "150,528 = 224 x 224 x 3, the paper's stated input, from which the first layer cannot give 55x55; the "
            "input that does is 227 x 227 x 3 = 154,587."),
    Erratum(PAPER, "neurons conv1", "253,440", "290,400",
            "conv1 outputs 55 x 55 x 96 = 290,400 values. 253,440 / 96 = 2640 is not a square, so no square map "
            "of 96 channels gives it (54 x 54 x 96 = 279,936 from a 224 input would not either); the other seven "
            "counts are exact: 27x27x256, 13x13x384 twice, 13x13x256, 4096, 4096, 1000."),
    Erratum(PAPER, "neurons in all", "650,000", "660,000",
            "290,400 + 186,624 + 64,896 + 64,896 + 43,264 + 4096 + 4096 + 1000 = 659,272, i.e. 660,000 at two "
            "significant figures; the caption's own counts (with 253,440) sum to 622,312, i.e. 620,000."),
    Erratum(PAPER, "parameters", "60M", "61M",
            "60,965,224 parameters with the GPU split (conv: 2,334,080, fc: 58,631,144), 61.0 M; only "
            "truncation gives 60M. The case-study slide's '61 million' agrees with archstat."),
    Erratum(PAPER, "Total nr. params", "60M", "61M",
            "Same count as the paper's '60 million parameters': 60,965,224 -> 61M (truncation would give 60M)."),
    Erratum(PAPER, "Total nr. flops", "832M", "726M",
            "archstat: 724,406,816 multiply-adds in the conv and fc layers + 1,102,176 pooling ops = "
            "725,508,992. None of the counts tried gives 832M: MACs only 724M; without the GPU split (groups 1) "
            "1,136M; two FLOPs per MAC 1,449M; the torchvision layout (spec 'alexnet') 718M."),
)
