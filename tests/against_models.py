"""Model factories for `archstat check --against against_models:NAME` in tests/test_against.py (not a test module)."""
from __future__ import annotations

from collections import OrderedDict

import torch
import torch.nn.functional as F
from torch import nn


def _lenet5(relu2: nn.Module) -> nn.Sequential:
    """LeNet-5 as specs/lenet5.yaml writes it, its modules named as the spec names its layers."""
    return nn.Sequential(OrderedDict([
        ("conv1", nn.Conv2d(1, 20, 5, padding=2)), ("relu1", nn.ReLU()), ("pool1", nn.MaxPool2d(2)),
        ("conv2", nn.Conv2d(20, 50, 5, padding=2)), ("relu2", relu2), ("pool2", nn.MaxPool2d(2)),
        ("flatten", nn.Flatten()), ("fc1", nn.Linear(2450, 500)), ("relu3", nn.ReLU()), ("fc2", nn.Linear(500, 10)),
    ]))


def lenet5_named() -> nn.Module:
    return _lenet5(nn.ReLU())


def lenet5_tanh() -> nn.Module:
    """The spec's relu2 is a tanh here."""
    return _lenet5(nn.Tanh())


class FunctionalLeNet5(nn.Module):
    """LeNet-5 with its activations, pooling and flatten as function calls, which module hooks do not see."""

    def __init__(self) -> None:
        super().__init__()
        self.c1, self.c2 = nn.Conv2d(1, 20, 5, padding=2), nn.Conv2d(20, 50, 5, padding=2)
        self.f1, self.f2 = nn.Linear(2450, 500), nn.Linear(500, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = F.max_pool2d(F.relu(self.c1(x)), 2)
        x = F.max_pool2d(F.relu(self.c2(x)), 2)
        return self.f2(F.relu(self.f1(torch.flatten(x, 1))))


def googlenet_with_aux() -> nn.Module:
    """torchvision's default GoogLeNet: auxiliary heads built, and run only in training mode."""
    import torchvision

    return torchvision.models.googlenet(weights=None, aux_logits=True, init_weights=False)


def broken() -> nn.Module:
    raise RuntimeError("this factory needs a checkpoint that is not there")


def not_a_module() -> int:
    return 42


class TinyWithAux(nn.Module):
    """A convolution, an auxiliary head that runs only in training mode, and a classifier (tests/data specs)."""

    def __init__(self) -> None:
        super().__init__()
        self.c = nn.Conv2d(3, 4, 3, padding=1)
        self.head = nn.Sequential(OrderedDict([("flatten", nn.Flatten()), ("fc", nn.Linear(256, 2))]))
        self.out = nn.Linear(256, 5)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.c(x)
        if self.training:
            self.head(x)
        return self.out(torch.flatten(x, 1))


class ShortcutFirst(nn.Module):
    """A residual block that runs its projection shortcut before its body, as torchvision's RegNet does."""

    def __init__(self) -> None:
        super().__init__()
        self.body = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(),
                                  nn.Conv2d(8, 8, 3, padding=1), nn.BatchNorm2d(8))
        self.proj = nn.Sequential(nn.Conv2d(3, 8, 1), nn.BatchNorm2d(8))
        self.pool, self.fc = nn.AdaptiveAvgPool2d(1), nn.Linear(8, 4)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = F.relu(self.proj(x) + self.body(x))
        return self.fc(self.head(x))

    def head(self, x: torch.Tensor) -> torch.Tensor:
        return torch.flatten(self.pool(x), 1)


class MeanHead(ShortcutFirst):
    """The same, pooling with x.mean: fvcore counts no FLOPs for it, and no hook sees it."""

    def head(self, x: torch.Tensor) -> torch.Tensor:
        return x.mean([2, 3])
