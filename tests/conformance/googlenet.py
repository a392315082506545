"""GoogLeNet as published: the paper's Table 1, and the lecture's stem and head tables with the VGG-16 comparison."""
from __future__ import annotations

from .conventions import LECTURE_COLUMNS, Erratum, Table, grid, rows
from .sources import JOHNSON_L8, SZEGEDY_2015

_TABLE1_COLUMNS = ("patch size/stride", "output size", "depth", "#1x1", "#3x3 reduce", "#3x3", "#5x5 reduce",
                   "#5x5", "pool proj", "params", "ops")


# spec 'googlenet'. The paper's rows are named by the spec rows they cover: its "convolution 3x3/1" row is
# conv2_reduce followed by conv2 (#3x3 reduce 64, #3x3 192).
TABLE1 = Table(
    key="googlenet-table1",
    title="GoogLeNet Table 1",
    source=SZEGEDY_2015,
    convention="ops: multiply-adds of the row's convolutions and fully connected layer (pooling not counted), "
               "M = 10^6, rounded half-up. params: weights without biases with K = 1024, truncated: the "
               "convention under which most rows agree (conv2 112.0K, inception3a 159.5K, linear 1000.0K); "
               "rounding half-up agrees with two, K = 1000 with none. depth: weight layers on the longest path",
    cells={
        **grid(rows(_TABLE1_COLUMNS, """
            conv1        7x7/2  112x112x64   1  -    -    -    -   -    -    2.7K   34M
            pool1        3x3/2  56x56x64     0  -    -    -    -   -    -    -      -
            conv2        3x3/1  56x56x192    2  -    64   192  -   -    -    112K   360M
            pool2        3x3/2  28x28x192    0  -    -    -    -   -    -    -      -
            inception3a  -      28x28x256    2  64   96   128  16  32   32   159K   128M
            inception3b  -      28x28x480    2  128  128  192  32  96   64   380K   304M
            pool3        3x3/2  14x14x480    0  -    -    -    -   -    -    -      -
            inception4a  -      14x14x512    2  192  96   208  16  48   64   364K   73M
            inception4b  -      14x14x512    2  160  112  224  24  64   64   437K   88M
            inception4c  -      14x14x512    2  128  128  256  24  64   64   463K   100M
            inception4d  -      14x14x528    2  112  144  288  32  64   64   580K   119M
            inception4e  -      14x14x832    2  256  160  320  32  128  128  840K   170M
            pool4        3x3/2  7x7x832      0  -    -    -    -   -    -    -      -
            inception5a  -      7x7x832      2  256  160  320  32  128  128  1072K  54M
            inception5b  -      7x7x1024     2  384  192  384  48  128  128  1388K  71M
            avgpool      7x7/1  1x1x1024     0  -    -    -    -   -    -    -      -
            dropout      -      1x1x1024     0  -    -    -    -   -    -    -      -
            fc           -      1x1x1000     1  -    -    -    -   -    -    1000K  1M
            softmax      -      1x1x1000     0  -    -    -    -   -    -    -      -
        """)),
        "dropout rate": "40%",
        "depth in all": "22",
    },
)
TABLE1_ROWS = ("conv1", "pool1", "conv2", "pool2", "inception3a", "inception3b", "pool3", "inception4a",
               "inception4b", "inception4c", "inception4d", "inception4e", "pool4", "inception5a", "inception5b",
               "avgpool", "dropout", "fc", "softmax")
TABLE1_LAYERS = {"conv2": ("conv2_reduce", "conv2")}  # Table 1 rows that stand for several spec rows
BRANCHES = {"#1x1": "b1", "#3x3 reduce": "b2_reduce", "#3x3": "b2", "#5x5 reduce": "b3_reduce", "#5x5": "b3",
            "pool proj": "b4"}
STEM_BRANCHES = {"#3x3 reduce": "conv2_reduce", "#3x3": "conv2"}

# spec 'googlenet' (rows conv, max-pool, conv, conv, max-pool on the slide) and spec 'vgg16' for the comparison.
STEM = Table(
    key="googlenet-stem",
    title="GoogLeNet stem table",
    source=JOHNSON_L8,
    convention="lecture convention; params with biases. Totals over 224 -> 28: MB = KB / 1024, params in K or "
               "M, MFLOP. The VGG-16 range 224 -> 28 is conv1_1..pool3; ratios are VGG-16 / GoogLeNet",
    cells={
        **grid(rows(LECTURE_COLUMNS, """
            conv1         3    224  64   7  2  3  64   112  3136  9    118
            pool1         64   112  -    3  2  1  64   56   784   0    2
            conv2_reduce  64   56   64   1  1  0  64   56   784   4    13
            conv2         64   56   192  3  1  1  192  56   2352  111  347
            pool2         192  56   -    3  2  1  192  28   588   0    1
        """)),
        "Total Memory (MB)": "7.5",
        "Total Params": "124K",
        "Total MFLOP": "418",
        "VGG-16 Memory (MB)": "42.9",
        "VGG-16 Params": "1.1M",
        "VGG-16 MFLOP": "7485",
        "Memory ratio": "5.7x",
        "Params ratio": "8.9x",
        "MFLOP ratio": "17.8x",
    },
)
STEM_ROWS = ("conv1", "pool1", "conv2_reduce", "conv2", "pool2")
STEM_RANGE = ("conv1", "pool2")
VGG16_RANGE = ("conv1_1", "pool3")
VGG16_SUMMED = ("conv1_1", "conv1_2", "conv2_1", "conv2_2", "conv3_1", "conv3_2")

HEAD = Table(
    key="googlenet-head",
    title="GoogLeNet head table",
    source=JOHNSON_L8,
    convention="lecture convention; params with biases",
    cells=grid({
        "avgpool": {"C in": "1024", "H/W in": "7", "kernel": "7", "stride": "1", "pad": "0", "C out": "1024",
                    "H/W out": "1", "Memory (KB)": "4", "Params (k)": "0", "FLOP (M)": "0"},
        "fc": {"C in": "1024", "filters": "1000", "C out": "1000", "Memory (KB)": "0", "Params (k)": "1025",
               "FLOP (M)": "1"},
    }),
)

_T1 = TABLE1
ERRATA = (
    Erratum(_T1, "conv1 params", "2.7K", "9.1K",
            "64 filters of 7 x 7 x 3 = 9408 weights = 9.19K (K = 1024); 2.7K does not fit any 7x7/2 convolution "
            "to 64 channels on 3 input channels."),
    Erratum(_T1, "conv1 ops", "34M", "118M",
            "112 x 112 x 64 x 7 x 7 x 3 = 118,013,952; 34M follows from the wrong params: 2.7K x 112 x 112 = "
            "2,700 x 12,544 = 33.9M."),
    Erratum(_T1, "inception3b params", "380K", "379K",
            "256 x 128 + 256 x 128 + 128 x 192 x 9 + 256 x 32 + 32 x 96 x 25 + 256 x 64 = 388,096 = 379.0K "
            "(K = 1024); only with biases (388,736 = 379.6K, rounded) would it read 380K."),
    Erratum(_T1, "inception4a params", "364K", "366K",
            "480 x 192 + 480 x 96 + 96 x 208 x 9 + 480 x 16 + 16 x 48 x 25 + 480 x 64 = 375,552 = 366.75K "
            "(K = 1024)."),
    Erratum(_T1, "inception4a ops", "73M", "74M",
            "375,552 x 14 x 14 = 73,608,192 MACs (73.6M -> 74M); 73M follows from the published params: "
            "364K x 1024 x 196 = 73.06M."),
    Erratum(_T1, "inception4b params", "437K", "438K",
            "512 x 160 + 512 x 112 + 112 x 224 x 9 + 512 x 24 + 24 x 64 x 25 + 512 x 64 = 448,512 = 438.0K "
            "(K = 1024)."),
    Erratum(_T1, "inception4c params", "463K", "497K",
            "512 x 128 + 512 x 128 + 128 x 256 x 9 + 512 x 24 + 24 x 64 x 25 + 512 x 64 = 509,440 = 497.5K "
            "(K = 1024); the row's ops, 100M = 509,440 x 196, agree with the branch widths, not with 463K."),
    Erratum(_T1, "inception4d params", "580K", "590K",
            "512 x 112 + 512 x 144 + 144 x 288 x 9 + 512 x 32 + 32 x 64 x 25 + 512 x 64 = 604,672 = 590.5K "
            "(K = 1024)."),
    Erratum(_T1, "inception4e params", "840K", "847K",
            "528 x 256 + 528 x 160 + 160 x 320 x 9 + 528 x 32 + 32 x 128 x 25 + 528 x 128 = 867,328 = 847.0K "
            "(K = 1024)."),
    Erratum(_T1, "inception5a params", "1072K", "1018K",
            "832 x 256 + 832 x 160 + 160 x 320 x 9 + 832 x 32 + 32 x 128 x 25 + 832 x 128 = 1,042,432 = 1018.0K "
            "(K = 1024)."),
    Erratum(_T1, "inception5a ops", "54M", "51M",
            "1,042,432 x 7 x 7 = 51,079,168 MACs; 54M follows from the published params: 1072K x 1024 x 49 = "
            "53.8M."),
    Erratum(_T1, "inception5b params", "1388K", "1409K",
            "832 x 384 + 832 x 192 + 192 x 384 x 9 + 832 x 48 + 48 x 128 x 25 + 832 x 128 = 1,442,816 = 1409.0K "
            "(K = 1024)."),
    Erratum(STEM, "Total MFLOP", "418", "481",
            "118,013,952 + 1,806,336 + 12,845,056 + 346,816,512 + 1,354,752 = 480,836,608, and the rows as "
            "printed sum to 118 + 2 + 13 + 347 + 1 = 481: two digits swapped."),
    Erratum(STEM, "VGG-16 Memory (MB)", "42.9", "51.3",
            "42.9 MB is conv1_1..conv3_2 only: (2 x 12544 + 2 x 6272 + 2 x 3136) KB = 43,904 KB = 42.875 MB, six "
            "convolutions and no pooling. From 224 down to 28 VGG-16 also has conv3_3 (3136 KB) and pool1..pool3 "
            "(3136 + 1568 + 784 KB): 52,528 KB = 51.3 MB. (The six convolutions are all of VGG-13's above 28x28.)"),
    Erratum(STEM, "VGG-16 Params", "1.1M", "1.7M",
            "1.1M is conv1_1..conv3_2 (1,145,408 with biases); with conv3_3 (590,080) the range 224 -> 28 holds "
            "1,735,488."),
    Erratum(STEM, "VGG-16 MFLOP", "7485", "9341",
            "7485 is conv1_1..conv3_2: 86.7 + 1849.7 + 924.8 + 1849.7 + 924.8 + 1849.7 = 7,485,456,384 FLOPs. "
            "conv3_3 adds 1,849,688,064 and pool1..pool3 5,619,712: 9,340,764,160 from 224 down to 28."),
    Erratum(STEM, "Memory ratio", "5.7x", "6.9x",
            "5.7 = 42.9 / 7.5, the published figures (the six convolutions exactly: 43,904 / 7644 KB = 5.74); "
            "over the whole range 224 -> 28 it is 52,528 KB / 7644 KB = 6.9."),
    Erratum(STEM, "Params ratio", "8.9x", "13.9x",
            "8.9 = 1.1M / 124K, a ratio of rounded figures: even over the six convolutions the exact ratio is "
            "1,145,408 / 124,416 = 9.2; over the range 224 -> 28 it is 1,735,488 / 124,416 = 13.9."),
    Erratum(STEM, "MFLOP ratio", "17.8x", "19.4x",
            "Not the ratio of the printed figures either: 7485 / 418 = 17.9 (7485 / 481 = 15.6). Over the range "
            "224 -> 28: 9,340,764,160 / 480,836,608 = 19.4."),
    Erratum(HEAD, "fc Memory (KB)", "0", "4",
            "1000 outputs x 4 bytes / 1024 = 3.9 KB, which rounds to 4 (as fc8's 1000 outputs give 4 in the AlexNet "
            "and VGG-16 tables)."),
)
