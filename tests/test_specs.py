"""The bundled specs: each loads, adds up, and reproduces the published parameter counts and map sizes."""
from __future__ import annotations

import pytest

import archstat
from archstat.analysis import Analysis, Row, leaves, walk

NAMES = archstat.bundled_names()

# Exact parameter counts (biases included, auxiliary side branches left out).
# "torchvision": sum(p.numel() for p in torchvision.models.NAME().parameters()), torchvision 0.29.
# "torch model": the same count for an equivalent torch.nn model built layer by layer from the paper.
PARAMS = {
    "alexnet": 61_100_840,  # torchvision alexnet
    "alexnet_paper": 60_965_224,  # torch model; the paper's "60 million": 96 filters, groups 2 in conv2/4/5
    "googlenet": 6_998_552,  # torch model of Table 1 (5x5 branch, biases, no BN); weights alone 6,990,272
    "googlenet_torchvision": 6_624_904,  # torchvision.models.googlenet(aux_logits=False) numel count
    "lenet5": 1_256_080,  # 520 + 25,050 + 2450 * 500 + 500 + 500 * 10 + 10
    "mlp": 101_000,  # 1000 * 100 + 100 * 10, no biases
    "resnet18": 11_689_512,  # torchvision resnet18
    "resnet34": 21_797_672,  # torchvision resnet34
    "resnet50": 25_557_032,  # torchvision resnet50
    "resnet101": 44_549_160,  # torchvision resnet101
    "resnet152": 60_192_808,  # torchvision resnet152
    "se_resnet50": 28_088_024,  # torch model: resnet50 + 2,514,944 gate weights + 16,048 gate biases
    "vgg11": 132_863_336,  # torchvision vgg11
    "vgg11_lrn": 132_863_336,  # vgg11: LRN has no parameters
    "vgg13": 133_047_848,  # torchvision vgg13
    "vgg16": 138_357_544,  # torchvision vgg16
    "vgg16_c": 133_638_952,  # vgg16 - 8 * (256**2 + 2 * 512**2): three 3x3 kernels become 1x1 (torch model)
    "vgg19": 143_667_240,  # torchvision vgg19
    "zfnet": 107_627_624,  # torch model; fc6 alone is 6 * 6 * 512 * 4096 + 4096 = 75,501,568
    "vgg11_bn": 132_868_840,  # torchvision vgg11_bn
    "vgg13_bn": 133_053_736,  # torchvision vgg13_bn
    "vgg16_bn": 138_365_992,  # torchvision vgg16_bn: vgg16 + 13 x 2 x C batch-norm parameters (8,448)
    "vgg19_bn": 143_678_248,  # torchvision vgg19_bn
    "squeezenet1_0": 1_248_424,  # torchvision squeezenet1_0
    "squeezenet1_1": 1_235_496,  # torchvision squeezenet1_1
    "resnext50_32x4d": 25_028_904,  # torchvision resnext50_32x4d
    "resnext101_32x8d": 88_791_336,  # torchvision resnext101_32x8d
    "resnext101_64x4d": 83_455_272,  # torchvision resnext101_64x4d
    "wide_resnet50_2": 68_883_240,  # torchvision wide_resnet50_2
    "wide_resnet101_2": 126_886_696,  # torchvision wide_resnet101_2
    "inception_v3": 23_834_568,  # torchvision inception_v3(aux_logits=False); 27,161,264 with the side branch
    "regnet_x_400mf": 5_495_976,  # torchvision regnet_x_400mf
    "regnet_x_800mf": 7_259_656,  # torchvision regnet_x_800mf
    "regnet_x_1_6gf": 9_190_136,  # torchvision regnet_x_1_6gf
    "regnet_x_3_2gf": 15_296_552,  # torchvision regnet_x_3_2gf
    "regnet_x_8gf": 39_572_648,  # torchvision regnet_x_8gf
    "regnet_x_16gf": 54_278_536,  # torchvision regnet_x_16gf
    "regnet_x_32gf": 107_811_560,  # torchvision regnet_x_32gf
    "regnet_y_400mf": 4_344_144,  # torchvision regnet_y_400mf
    "regnet_y_800mf": 6_432_512,  # torchvision regnet_y_800mf
    "regnet_y_1_6gf": 11_202_430,  # torchvision regnet_y_1_6gf
    "regnet_y_3_2gf": 19_436_338,  # torchvision regnet_y_3_2gf
    "regnet_y_8gf": 39_381_472,  # torchvision regnet_y_8gf
    "regnet_y_16gf": 83_590_140,  # torchvision regnet_y_16gf
    "regnet_y_32gf": 145_046_770,  # torchvision regnet_y_32gf
    "mobilenet_v2": 3_504_872,  # torchvision mobilenet_v2
    "mobilenet_v3_large": 5_483_032,  # torchvision mobilenet_v3_large
    "mobilenet_v3_small": 2_542_856,  # torchvision mobilenet_v3_small
    "mnasnet0_5": 2_218_512,  # torchvision mnasnet0_5
    "mnasnet0_75": 3_170_208,  # torchvision mnasnet0_75
    "mnasnet1_0": 4_383_312,  # torchvision mnasnet1_0
    "mnasnet1_3": 6_282_256,  # torchvision mnasnet1_3
    "convnext_tiny": 28_589_128,  # torchvision convnext_tiny
    "convnext_small": 50_223_688,  # torchvision convnext_small
    "convnext_base": 88_591_464,  # torchvision convnext_base
    "convnext_large": 197_767_336,  # torchvision convnext_large
    "densenet121": 7_978_856,  # torchvision densenet121
    "densenet161": 28_681_000,  # torchvision densenet161
    "densenet169": 14_149_480,  # torchvision densenet169
    "densenet201": 20_013_928,  # torchvision densenet201
    "shufflenet_v2_x0_5": 1_366_792,  # torchvision shufflenet_v2_x0_5
    "shufflenet_v2_x1_0": 2_278_604,  # torchvision shufflenet_v2_x1_0
    "shufflenet_v2_x1_5": 3_503_624,  # torchvision shufflenet_v2_x1_5
    "shufflenet_v2_x2_0": 7_393_996,  # torchvision shufflenet_v2_x2_0
    "efficientnet_b0": 5_288_548,  # torchvision efficientnet_b0
    "efficientnet_b1": 7_794_184,  # torchvision efficientnet_b1
    "efficientnet_b2": 9_109_994,  # torchvision efficientnet_b2
    "efficientnet_b3": 12_233_232,  # torchvision efficientnet_b3
    "efficientnet_b4": 19_341_616,  # torchvision efficientnet_b4
    "efficientnet_b5": 30_389_784,  # torchvision efficientnet_b5
    "efficientnet_b6": 43_040_704,  # torchvision efficientnet_b6
    "efficientnet_b7": 66_347_960,  # torchvision efficientnet_b7
}

# Output shapes (C, H, W) or (F,) of named rows, from the papers' tables and torchvision's forward pass.
SHAPES = {
    "lenet5": {"conv1": (20, 28, 28), "pool1": (20, 14, 14), "pool2": (50, 7, 7), "flatten": (2450,),
               "fc2": (10,)},
    "mlp": {"fc1": (100,), "fc2": (10,)},
    "alexnet": {"conv1": (64, 56, 56), "pool1": (64, 27, 27), "conv2": (192, 27, 27), "pool2": (192, 13, 13),
                "pool5": (256, 6, 6), "avgpool": (256, 6, 6), "flatten": (9216,), "fc8": (1000,)},
    "alexnet_paper": {"conv1": (96, 55, 55), "norm1": (96, 55, 55), "pool1": (96, 27, 27), "conv2": (256, 27, 27),
                      "pool2": (256, 13, 13), "conv4": (384, 13, 13), "pool5": (256, 6, 6), "flatten": (9216,)},
    "zfnet": {"conv1": (96, 110, 110), "pool1": (96, 55, 55), "conv2": (256, 26, 26), "pool2": (256, 13, 13),
              "conv4": (1024, 13, 13), "pool5": (512, 6, 6), "flatten": (18432,)},
    "vgg16": {"conv1_2": (64, 224, 224), "pool1": (64, 112, 112), "pool2": (128, 56, 56), "conv3_3": (256, 56, 56),
              "pool3": (256, 28, 28), "pool4": (512, 14, 14), "conv5_3": (512, 14, 14), "pool5": (512, 7, 7),
              "flatten": (25088,), "fc8": (1000,)},
    "vgg16_c": {"conv3_3": (256, 56, 56), "conv4_3": (512, 28, 28), "conv5_3": (512, 14, 14), "pool5": (512, 7, 7)},
    "vgg19": {"conv3_4": (256, 56, 56), "conv5_4": (512, 14, 14), "pool5": (512, 7, 7)},
    "vgg11_lrn": {"norm1": (64, 224, 224), "pool1": (64, 112, 112), "pool5": (512, 7, 7)},
    "googlenet": {"conv1": (64, 112, 112), "pool1": (64, 56, 56), "conv2": (192, 56, 56), "pool2": (192, 28, 28),
                  "inception3a": (256, 28, 28), "inception3b": (480, 28, 28), "pool3": (480, 14, 14),
                  "inception4a": (512, 14, 14), "inception4b": (512, 14, 14), "inception4c": (512, 14, 14),
                  "inception4d": (528, 14, 14), "inception4e": (832, 14, 14), "pool4": (832, 7, 7),
                  "inception5a": (832, 7, 7), "inception5b": (1024, 7, 7), "avgpool": (1024, 1, 1),
                  "fc": (1000,)},
    "resnet18": {"conv1": (64, 112, 112), "maxpool": (64, 56, 56), "layer1": (64, 56, 56),
                 "layer2": (128, 28, 28), "layer3": (256, 14, 14), "layer4": (512, 7, 7), "avgpool": (512, 1, 1)},
    "resnet34": {"layer1": (64, 56, 56), "layer4": (512, 7, 7), "fc": (1000,)},
    "resnet50": {"conv1": (64, 112, 112), "maxpool": (64, 56, 56), "layer1": (256, 56, 56),
                 "layer1.0.conv1": (64, 56, 56), "layer2.0.conv2": (128, 28, 28),
                 "layer2": (512, 28, 28), "layer3": (1024, 14, 14), "layer4": (2048, 7, 7),
                 "avgpool": (2048, 1, 1), "fc": (1000,)},
    "resnet101": {"layer3": (1024, 14, 14), "layer4": (2048, 7, 7)},
    "resnet152": {"layer3": (1024, 14, 14), "layer4": (2048, 7, 7)},
    "squeezenet1_0": {"conv1": (96, 109, 109), "pool1": (96, 54, 54), "fire2": (128, 54, 54),
                      "fire2.squeeze": (16, 54, 54), "pool4": (256, 27, 27), "pool8": (512, 13, 13),
                      "fire9": (512, 13, 13), "conv10": (1000, 13, 13)},
    "squeezenet1_1": {"conv1": (64, 111, 111), "pool1": (64, 55, 55), "pool3": (128, 27, 27), "pool5": (256, 13, 13),
                      "fire9": (512, 13, 13)},
    "vgg16_bn": {"bn1_2": (64, 224, 224), "pool5": (512, 7, 7), "fc8": (1000,)},
    "regnet_y_400mf": {"stem": (32, 112, 112), "trunk_output.block1": (48, 56, 56),
                       "trunk_output.block2": (104, 28, 28), "trunk_output.block3": (208, 14, 14),
                       "trunk_output.block4": (440, 7, 7),
                       "trunk_output.block2.block2-1.f.se.fc1": (26, 1, 1)},
    "mobilenet_v2": {"features.stem": (32, 112, 112), "features.1_project": (16, 112, 112), "features.2": (24, 56, 56),
                     "features.17": (320, 7, 7), "features.last": (1280, 7, 7), "avgpool": (1280, 1, 1)},
    "mobilenet_v3_large": {"features.1": (16, 112, 112), "features.4": (40, 28, 28), "features.13": (160, 7, 7),
                           "features.last": (960, 7, 7), "classifier0": (1280,)},
    "convnext_tiny": {"features.stem": (96, 56, 56), "features.stage1": (96, 56, 56),
                      "features.stage1.0.pwconv1": (384, 56, 56), "features.downsample2": (192, 28, 28),
                      "features.stage4": (768, 7, 7), "classifier_norm": (768, 1, 1)},
    "densenet121": {"features.denseblock1": (256, 56, 56), "features.denseblock1.denselayer1.conv1": (128, 56, 56),
                    "features.denseblock1.denselayer1": (96, 56, 56), "features.transition1": (128, 28, 28),
                    "features.denseblock4": (1024, 7, 7), "avgpool": (1024, 1, 1)},
    "shufflenet_v2_x1_0": {"maxpool": (24, 56, 56), "stage2": (116, 28, 28), "stage2.1.branches.slice2": (58, 28, 28),
                           "stage3": (232, 14, 14), "stage4": (464, 7, 7), "mean": (1024,)},
    "efficientnet_b0": {"features.stem": (32, 112, 112), "features.stage1": (16, 112, 112),
                        "features.stage2.0.se.fc1": (4, 1, 1), "features.stage7": (320, 7, 7),
                        "features.last": (1280, 7, 7)},
    "efficientnet_b7": {"features.stem": (64, 300, 300), "features.stage7": (640, 19, 19),
                        "features.last": (2560, 19, 19)},
    "mnasnet1_0": {"layers.separable_project": (16, 112, 112), "layers.stack1": (24, 56, 56),
                   "layers.stack6": (320, 7, 7), "mean": (1280,)},
    "regnet_x_32gf": {"trunk_output.block4": (2520, 7, 7), "trunk_output.block1.block1-0.f.b": (336, 56, 56)},
    "inception_v3": {"Conv2d_1a_3x3": (32, 149, 149), "maxpool1": (64, 73, 73), "Conv2d_4a_3x3": (192, 71, 71),
                     "maxpool2": (192, 35, 35), "Mixed_5b": (256, 35, 35), "Mixed_5d": (288, 35, 35),
                     "Mixed_6a": (768, 17, 17), "Mixed_6e": (768, 17, 17), "Mixed_7a": (1280, 8, 8),
                     "Mixed_7b.branch3x3": (768, 8, 8), "Mixed_7c": (2048, 8, 8), "avgpool": (2048, 1, 1)},
    "resnext50_32x4d": {"layer1.0.conv2": (128, 56, 56), "layer1": (256, 56, 56),
                        "layer4.0.conv2": (1024, 7, 7), "layer4": (2048, 7, 7)},
    "wide_resnet50_2": {"layer1.0.conv2": (128, 56, 56), "layer4.2.conv1": (1024, 7, 7),
                        "layer4": (2048, 7, 7)},
    "se_resnet50": {"layer1": (256, 56, 56), "layer3.0.se.squeeze": (1024, 1, 1),
                    "layer3.0.se.fc1": (64, 1, 1), "layer3.0.se": (1024, 14, 14),
                    "layer4": (2048, 7, 7), "fc": (1000,)},
}

# Blocks per stage (paper Table 1), named "0", "1", ... inside layer1..layer4.
RESNET_BLOCKS = {
    "resnet18": (2, 2, 2, 2), "resnet34": (3, 4, 6, 3), "resnet50": (3, 4, 6, 3),
    "resnet101": (3, 4, 23, 3), "resnet152": (3, 8, 36, 3), "se_resnet50": (3, 4, 6, 3),
    "resnext50_32x4d": (3, 4, 6, 3), "resnext101_32x8d": (3, 4, 23, 3), "resnext101_64x4d": (3, 4, 23, 3),
    "wide_resnet50_2": (3, 4, 6, 3), "wide_resnet101_2": (3, 4, 23, 3),
}

COUNTS = ("params", "memory", "flops")


@pytest.fixture(scope="module")
def analyses() -> dict[str, Analysis]:
    return {name: archstat.analyze(name) for name in NAMES}


def names(analysis: Analysis) -> set[str]:
    return {row.name for _, row in walk(analysis.rows)}


def check_sums(row: Row) -> None:
    for child in row.children:
        check_sums(child)
    if row.children:
        for count in COUNTS:
            assert getattr(row, count) == sum(getattr(c, count) for c in row.children), (row.name, count)


def test_every_bundled_spec_has_a_verified_count():
    assert set(NAMES) == set(PARAMS)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("side", [False, True], ids=["main", "side"])
def test_spec_loads_and_adds_up(name: str, side: bool):
    spec = archstat.load(name)
    assert spec.name == name
    assert spec.title and spec.source and spec.notes
    analysis = archstat.analyze(spec, side=side)
    for count in COUNTS:
        assert getattr(analysis.totals, count) == sum(getattr(r, count) for r in analysis.rows), count
    for row in analysis.rows:
        check_sums(row)
    assert analysis.output == ((10,) if name in ("lenet5", "mlp") else (1000,))


@pytest.mark.parametrize("name", NAMES)
def test_total_params(analyses: dict[str, Analysis], name: str):
    assert analyses[name].totals.params == PARAMS[name]


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_output_shapes(analyses: dict[str, Analysis], name: str):
    analysis = analyses[name]
    found = {layer: analysis.find(layer).output for layer in SHAPES[name]}
    assert found == SHAPES[name]


def test_googlenet_auxiliary_classifiers_are_side_branches():
    main = archstat.analyze("googlenet")
    with_aux = archstat.analyze("googlenet", side=True)
    assert not {n for n in names(main) if n.split(".")[0] in ("aux1", "aux2")}
    aux1, aux2 = with_aux.find("aux1"), with_aux.find("aux2")
    # 128 x C x 1 x 1 + 128, then 2048 x 1024 + 1024 and 1024 x 1000 + 1000; C = 512 after 4a, 528 after 4d
    assert (aux1.params, aux2.params) == (3_188_840, 3_190_888)
    assert with_aux.totals.params == main.totals.params + aux1.params + aux2.params == 13_378_280
    assert with_aux.find("aux1.classifier.pool").output == (512, 4, 4)
    assert with_aux.find("aux2.classifier.pool").output == (528, 4, 4)
    assert with_aux.find("aux1.classifier").output == (1000,)
    assert with_aux.output == main.output == (1000,)
    main_rows = {r.name: r.output for _, r in walk(main.rows)}
    assert {n: o for n, o in ((r.name, r.output) for _, r in walk(with_aux.rows)) if n in main_rows} == main_rows


def test_inception_v3_auxiliary_classifier_is_torchvisions():
    with_aux = archstat.analyze("inception_v3", side=True)
    # pool 5/3 on 17x17x768, 1x1 to 128 and 5x5 to 768 (no biases, batch norm 2C each), fc 768 -> 1000
    aux = 768 * 128 + 2 * 128 + 128 * 768 * 25 + 2 * 768 + 768 * 1000 + 1000
    assert with_aux.find("AuxLogits").params == aux == 3_326_696
    assert with_aux.totals.params == 27_161_264  # torchvision.models.inception_v3() with its default aux_logits
    assert with_aux.find("AuxLogits.classifier.conv1").output == (768, 1, 1)


def test_googlenet_inception_branches():
    a = archstat.analyze("googlenet")
    assert a.find("inception3a").kind == "concat"
    assert [a.find(f"inception3a.{b}").output[0] for b in ("b1", "b2", "b3", "b4")] == [64, 128, 32, 32]
    assert a.find("inception3a.b3").columns["kernel"] == 5


def test_vgg16_without_biases():
    # 138,357,544 less 13 conv biases (4224) and 3 fc biases (9192)
    assert archstat.analyze("vgg16", bias=False).totals.params == 138_344_128


def test_mlp_has_no_biases():
    assert archstat.analyze("mlp", bias=False).totals.params == PARAMS["mlp"]


@pytest.mark.parametrize("name", sorted(RESNET_BLOCKS))
def test_resnet_stages(analyses: dict[str, Analysis], name: str):
    analysis = analyses[name]
    for stage, count in enumerate(RESNET_BLOCKS[name], 1):
        row = analysis.find(f"layer{stage}")
        assert row.kind == "group"
        assert [child.label for child in row.children] == [str(i) for i in range(count)]
    every = names(analysis)
    projections = sorted(n for n in every if n.endswith(".downsample"))  # torchvision's names: downsample.0, .1
    first = "layer1.0.downsample" if "layer1.0.conv3" in every else None
    assert projections == sorted(filter(None, [first] + [f"layer{s}.0.downsample" for s in (2, 3, 4)]))
    assert analysis.find("layer2.0.downsample.0").columns["stride"] == 2
    assert analysis.find("layer1.1").kind == "residual" and analysis.find("layer1.1.relu").kind == "relu"


@pytest.mark.parametrize("name", ["resnet18", "resnet50", "se_resnet50"])
def test_resnet_convolutions_have_no_bias(analyses: dict[str, Analysis], name: str):
    for row in leaves(analyses[name].rows):
        if row.kind == "conv" and ".se." not in row.name:  # the SE gate's 1x1 convolutions keep their biases
            assert row.params == row.output[0] * row.input[0] * row.columns["kernel"] ** 2, row.name
