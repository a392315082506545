"""The bundled specs that are torchvision models: the spec, its torchvision constructor and keyword arguments.

A plain data module (no torch), so the README's zoo table and the torch-backed tests read the same list.
"""
from __future__ import annotations

# (bundled spec, torchvision constructor, keyword arguments)
TWINS = [
    ("alexnet", "alexnet", {}),
    ("vgg11", "vgg11", {}),
    ("vgg13", "vgg13", {}),
    ("vgg16", "vgg16", {}),
    ("vgg19", "vgg19", {}),
    ("googlenet_torchvision", "googlenet", {"aux_logits": False, "init_weights": False}),
    ("resnet18", "resnet18", {}),
    ("resnet34", "resnet34", {}),
    ("resnet50", "resnet50", {}),
    ("resnet101", "resnet101", {}),
    ("resnet152", "resnet152", {}),
    *((f"{v}_bn", f"{v}_bn", {}) for v in ("vgg11", "vgg13", "vgg16", "vgg19")),
    ("squeezenet1_0", "squeezenet1_0", {}),
    ("squeezenet1_1", "squeezenet1_1", {}),
    ("inception_v3", "inception_v3", {"aux_logits": False, "init_weights": False}),
    *((f"convnext_{s}", f"convnext_{s}", {}) for s in ("tiny", "small", "base", "large")),
    *((f"densenet{d}", f"densenet{d}", {}) for d in (121, 161, 169, 201)),
    *((f"shufflenet_v2_x{m}", f"shufflenet_v2_x{m}", {}) for m in ("0_5", "1_0", "1_5", "2_0")),
    *((f"efficientnet_b{i}", f"efficientnet_b{i}", {}) for i in range(8)),
    *((n, n, {}) for n in ("mobilenet_v2", "mobilenet_v3_large", "mobilenet_v3_small", "mnasnet0_5", "mnasnet0_75",
                           "mnasnet1_0", "mnasnet1_3")),
    *((f"regnet_{k}_{s}", f"regnet_{k}_{s}", {}) for k in "xy" for s in ("400mf", "800mf", "1_6gf", "3_2gf", "8gf",
                                                                        "16gf", "32gf")),
    *((n, n, {}) for n in ("resnext50_32x4d", "resnext101_32x8d", "resnext101_64x4d", "wide_resnet50_2",
                           "wide_resnet101_2")),
]
