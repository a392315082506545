"""Check a spec against a real model (torchvision's, or any nn.Module factory), not against archstat's own build.

The real model runs once with forward hooks on its leaf modules; each spec layer is paired with the module call
that is its twin (by name where the spec uses the model's names, else by order, class by class), and the pairs'
output shapes, parameters and FLOPs are compared. With copied weights the two models' outputs are compared too.
"""
from __future__ import annotations

import importlib
import itertools
import math
import os
import sys
import warnings
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Any

import torch
from torch import nn

from archstat.analysis import Analysis, Options, Row, walk
from archstat.engine import analyze
from archstat.errors import ToolError, did_you_mean
from archstat.layers import REGISTRY, format_shape
from archstat.measure.build import SpecModel, build_analysed
from archstat.measure.counters import COUNTERS
from archstat.measure.hooks import module_calls
from archstat.ops import Op, Shape
from archstat.spec import Spec

# torchvision builders whose models carry auxiliary classifiers unless told otherwise (aux_logits=False).
AUX_HEADS = frozenset({"googlenet", "inception_v3"})
TOLERANCE = 1e-5  # outputs agree when max |difference| <= TOLERANCE x max(1, max |reference output|)
SEED = 0
NO_TWIN = "not seen"  # the verdict of a spec layer no module hook sees (a functional call in the model, or a join)


# ---- the real model -------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Reference:
    """The real model a spec is checked against, and how it was made."""

    ref: str  # as given: torchvision:resnet50 or module.path:factory
    model: nn.Module
    built: str  # the call that made it


@contextmanager
def _quiet() -> Iterator[None]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def load_reference(ref: str, aux: bool = False) -> Reference:
    """Build `ref` in eval mode: torchvision:NAME (weights=None; aux_logits=aux where it has auxiliary heads) or
    module.path:factory, called with no arguments; ToolError, in one line, when it cannot be built."""
    where, sep, name = ref.partition(":")
    if not sep or not where or not name:
        raise ToolError(f"--against takes torchvision:NAME or module.path:factory, got '{ref}'")
    if where == "torchvision":
        factory, built = _torchvision(name, aux)
    else:
        factory, built = _factory(where, name), f"{where}.{name}()"
    try:
        with _quiet(), torch.random.fork_rng(devices=[]):
            torch.manual_seed(SEED)  # the same initial weights every run, so the reported numbers repeat
            model = factory()
    except Exception as exc:
        raise ToolError(f"the reference {ref} could not be built: {type(exc).__name__}: {exc}") from None
    if not isinstance(model, nn.Module):
        raise ToolError(f"the reference {ref} is not a torch.nn.Module: {built} returned {type(model).__name__}")
    return Reference(ref, model.eval(), built)


def _torchvision(name: str, aux: bool) -> tuple[Callable[[], Any], str]:
    try:
        import torchvision
    except ImportError as exc:
        raise ToolError(f"--against torchvision:{name} needs torchvision (pip install 'archstat[torchvision]'): {exc}"
                        ) from None
    try:
        builder = torchvision.models.get_model_builder(name)
    except ValueError:
        known = torchvision.models.list_models()
        raise ToolError(f"torchvision has no model '{name}'{did_you_mean(name, known)}") from None
    kwargs: dict[str, Any] = {"weights": None}
    if name in AUX_HEADS:  # the heads only as the spec has them; torchvision's default initialisation, unwarned
        kwargs |= {"aux_logits": aux, "init_weights": True}
    shown = ", ".join(f"{k}={v}" for k, v in kwargs.items())
    return lambda: builder(**kwargs), f"torchvision.models.{name}({shown})"


def _factory(module: str, attribute: str) -> Callable[[], Any]:
    """module.attribute (dotted), imported with the working directory on the path, as `python -m` would."""
    added = os.getcwd() not in sys.path
    if added:
        sys.path.insert(0, os.getcwd())
    try:
        with _quiet():
            found: Any = importlib.import_module(module)
    except Exception as exc:
        raise ToolError(f"cannot import '{module}' for --against {module}:{attribute}: "
                        f"{type(exc).__name__}: {exc}") from None
    finally:
        if added:
            sys.path.remove(os.getcwd())
    for part in attribute.split("."):
        if not hasattr(found, part):
            raise ToolError(f"'{module}' has no '{attribute}' to build the reference {module}:{attribute}")
        found = getattr(found, part)
    if not callable(found):
        raise ToolError(f"{module}:{attribute} is not callable: a factory that returns an nn.Module is needed")
    return found


# ---- one traced pass ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Call:
    """One run of a leaf module of the real model, in execution order."""

    position: int
    name: str
    module: nn.Module = field(repr=False, compare=False)
    shape: Shape | None
    params: int
    flops: int | None  # the counter's count for the module (shared modules: split evenly); None if it cannot be

    @property
    def kind(self) -> str:
        return type(self.module).__name__


@dataclass(frozen=True)
class Trace:
    """What the real model did on one input: its leaf module calls, its output, what ran and what was passed over."""

    model: nn.Module = field(repr=False)
    calls: tuple[Call, ...]
    output: Any
    ran: frozenset[str]  # every module the forward pass entered
    params: int  # sum(numel) of every parameter
    flops: int  # the counter's total
    passed_over: dict[str, int]  # parameter-free leaf modules that are not torch.nn layers, by class (Identity...)
    unrun: tuple[tuple[str, int], ...]  # modules with parameters that never ran (auxiliary heads), outermost
    inner_params: tuple[tuple[str, int], ...]  # parameters held by modules with children (not compared per layer)


def _is_traced(module: nn.Module) -> bool:
    """A leaf that holds weights or buffers, or a torch.nn layer (activation, pooling, dropout...) but Identity."""
    if next(module.children(), None) is not None:
        return False
    state = next(module.parameters(), None) is not None or next(module.buffers(), None) is not None
    layer = type(module).__module__.startswith("torch.nn.") and not isinstance(module, nn.Identity)
    return state or layer


def trace(model: nn.Module, x: torch.Tensor, counter: str) -> Trace:
    """Run the model once with hooks on its leaf modules, and count it with `counter`, both under no_grad;
    ToolError when it does not run on x or cannot be counted."""
    modules = dict(model.named_modules())
    traced = {name: m for name, m in modules.items() if _is_traced(m)}
    try:
        with _quiet():
            runs, ran, output = module_calls(model, x, traced, modules)
    except Exception as exc:
        raise ToolError(f"the model did not run on the spec's input {format_shape(tuple(x.shape))}: "
                        f"{type(exc).__name__}: {exc}") from None
    try:
        with torch.no_grad(), _quiet():
            counts = COUNTERS[counter](model, x)
    except Exception as exc:
        raise ToolError(f"{counter} could not count the model: {type(exc).__name__}: {exc}") from None
    passed = Counter(type(m).__name__ for name, m in modules.items()
                     if name in ran and name not in traced and next(m.children(), None) is None)
    return Trace(model, _calls(runs, traced, counts), output, frozenset(ran),
                 sum(p.numel() for p in model.parameters()), counts[""], dict(passed), _unrun(modules, ran),
                 _inner_params(modules))


def _calls(runs: list[tuple[str, Shape | None]], traced: dict[str, nn.Module], counts: dict[str, int]
           ) -> tuple[Call, ...]:
    """The calls with their params and FLOPs; a module called k times gets 1/k of its count each, when the calls
    have one shape and the count divides (else None: not compared)."""
    times = Counter(name for name, _ in runs)
    shapes: dict[str, set[Shape | None]] = {}
    for name, shape in runs:
        shapes.setdefault(name, set()).add(shape)

    def flops(name: str) -> int | None:
        count, k = counts.get(name, 0), times[name]
        return count // k if count % k == 0 and len(shapes[name]) == 1 else None

    return tuple(Call(i, name, traced[name], shape, _own_params(traced[name]), flops(name))
                 for i, (name, shape) in enumerate(runs))


def _own_params(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters(recurse=False))


def _unrun(modules: dict[str, nn.Module], ran: set[str]) -> tuple[tuple[str, int], ...]:
    """The outermost modules with parameters that the forward pass never entered, with their parameter counts."""
    found: list[tuple[str, int]] = []
    for name, module in modules.items():
        outer = any(name.startswith(f"{above}.") for above, _ in found)
        if name and name not in ran and not outer:
            params = sum(p.numel() for p in module.parameters())
            if params:
                found.append((name, params))
    return tuple(found)


def _inner_params(modules: dict[str, nn.Module]) -> tuple[tuple[str, int], ...]:
    return tuple((name or "(root)", _own_params(m)) for name, m in modules.items()
                 if next(m.children(), None) is not None and _own_params(m))


# ---- pairing the spec's layers with the calls ----------------------------------------------------------------

@dataclass(frozen=True)
class Pair:
    """A spec op and its twin among the calls, in execution order; either may be missing."""

    op: int | None  # index into Analysis.ops
    call: int | None  # position in Trace.calls
    match: str = ""  # 'name' or 'order'


def _layer_class(cls: type) -> type:
    """The torch.nn layer a module class is or derives from (torchvision's LayerNorm2d: nn.LayerNorm), else itself."""
    return next((c for c in cls.__mro__ if c.__module__.startswith("torch.nn.") and c is not nn.Module), cls)


def _compatible(a: type, b: type) -> bool:
    """Twins can be the same layer: one class derives from the other, or both from the same torch.nn layer."""
    return issubclass(a, b) or issubclass(b, a) or _layer_class(a) is _layer_class(b)


# What the alignment compares: the module's class, its output shape, its params, and whether it is pointwise (a
# Linear, or a convolution with 1x1 kernels and nothing else: the same layer on channels-last maps).
Signature = tuple[type, "Shape | None", int, bool]


def pair_calls(ops: Sequence[Op], modules: Mapping[int, nn.Module], calls: Sequence[Call]) -> list[Pair]:
    """Pair each op (in the order given) with a call: ops whose name is a module's (called once, same class)
    first, then the rest by order between those anchors, class by class, preferring twins whose shape and params
    agree. modules: the built spec's module of each op, by op index."""
    times = Counter(c.name for c in calls)
    position = {c.name: c.position for c in calls if times[c.name] == 1}
    anchors: list[tuple[int, int]] = []
    for k, op in enumerate(ops):
        p = position.get(op.name)
        if p is not None and _kin(_op_signature(op, modules), _call_signature(calls[p])) and (
                not anchors or p > anchors[-1][1]):
            anchors.append((k, p))
    pairs: list[Pair] = []
    start = (0, 0)
    for k, p in [*anchors, (len(ops), len(calls))]:
        stretch, real = ops[start[0]:k], range(start[1], p)
        _, matched = _align([_op_signature(op, modules) for op in stretch], [_call_signature(calls[j]) for j in real])
        pairs += _with_gaps([op.index for op in stretch], list(real), matched)
        if k < len(ops):
            pairs.append(Pair(ops[k].index, p, "name"))
        start = (k + 1, p + 1)
    return pairs


def _op_signature(op: Op, modules: Mapping[int, nn.Module]) -> Signature:
    kind, module = REGISTRY[op.kind], modules[op.index]
    return type(module), op.output, kind.weights(op.site) + kind.biases(op.site), _pointwise(module)


def _call_signature(call: Call) -> Signature:
    return type(call.module), call.shape, call.params, _pointwise(call.module)


def _pointwise(module: nn.Module) -> bool:
    """A Linear, or a convolution that is one: 1x1 kernels, stride 1, no padding, no groups, not transposed."""
    if isinstance(module, nn.Linear):
        return True
    if not isinstance(module, nn.modules.conv._ConvNd) or module.transposed or module.groups != 1:
        return False
    ones = all(k == 1 for k in (*module.kernel_size, *module.stride, *module.dilation))
    return ones and module.padding in ("valid", (0,) * len(module.kernel_size))


def _same_layer(ours: nn.Module, theirs: nn.Module) -> bool:
    """Two modules that can be twins (see _kin)."""
    return _compatible(type(ours), type(theirs)) or (_pointwise(ours) and _pointwise(theirs))


def _kin(ours: Signature, theirs: Signature) -> bool:
    """Twins can be the same layer: compatible classes, or both pointwise (a 1x1 convolution and a Linear)."""
    return _compatible(ours[0], theirs[0]) or (ours[3] and theirs[3])


def same_shape(ours: Shape | None, theirs: Shape | None) -> bool:
    """The same output, or the same on a channels-last map (H x W x C for C x H x W: ConvNeXt's Linear layers)."""
    return ours == theirs or (ours is not None and theirs is not None and len(ours) >= 2
                              and theirs == (*ours[1:], ours[0]))


def _align(ours: Sequence[Signature], theirs: Sequence[Signature]) -> tuple[int, list[tuple[int, int]]]:
    """Align two sequences in order (a longest common subsequence): the most same-class pairs, then the most whose
    shape and params agree. The score, and the matched (i, j) in order."""
    kin = {(a, b): _kin(a, b) for a in set(ours) for b in set(theirs)}

    def score(i: int, j: int) -> int:
        a, b = ours[i], theirs[j]
        if not kin[a, b]:
            return 0
        return 1_000_000 + 2 * same_shape(a[1], b[1]) + 2 * (a[2] == b[2])

    n, m = len(ours), len(theirs)
    best = [[0] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        row, below = best[i], best[i + 1]
        for j in range(m - 1, -1, -1):
            s = score(i, j)
            row[j] = max(below[j], row[j + 1], s + below[j + 1] if s else 0)
    matched: list[tuple[int, int]] = []
    i = j = 0
    while i < n and j < m:
        s = score(i, j)
        if s and best[i][j] == s + best[i + 1][j + 1]:
            matched.append((i, j))
            i, j = i + 1, j + 1
        elif best[i][j] == best[i + 1][j]:
            i += 1
        else:
            j += 1
    return best[0][0], matched


def _with_gaps(ops: list[int], calls: list[int], matched: list[tuple[int, int]]) -> list[Pair]:
    """The matched pairs in order, each gap between them as its ops and calls paired off in turn (kinds that
    differ), then what is left of either side alone."""
    pairs: list[Pair] = []
    i = j = 0
    for mi, mj in [*matched, (len(ops), len(calls))]:
        ks, ps = ops[i:mi], calls[j:mj]
        pairs += [Pair(k, p, "order") for k, p in zip(ks, ps)]
        pairs += [Pair(k, None) for k in ks[len(ps):]]
        pairs += [Pair(None, p) for p in ps[len(ks):]]
        if mi < len(ops):
            pairs.append(Pair(ops[mi], calls[mj], "order"))
        i, j = mi + 1, mj + 1
    return pairs


# ---- parallel paths the model runs in another order ----------------------------------------------------------

MAX_PATHS = 4  # a structure with more parallel paths keeps the spec's order (4! = 24 orders are tried at most)


def parallel_paths(analysis: Analysis) -> list[tuple[str, list[range]]]:
    """The op ranges of each structure's paths that hold ops (a residual's body and projection shortcut, a
    concat's branches), for every structure with two or more: their order is the spec's, not necessarily the
    model's (torchvision's RegNet runs the projection first)."""
    found = []
    for _, row in walk(analysis.rows):
        join = next((c for c in row.children if not c.children and REGISTRY[c.kind].join), None)
        if join is None or join.last_op is None:  # a group, or a structure whose join is not its own
            continue
        ends = [i for i in analysis.ops[join.last_op].inputs if i >= row.ops.start]
        paths = [range(a, b + 1) for a, b in zip([row.ops.start, *(e + 1 for e in ends)], ends)]
        if len(paths) >= 2:
            found.append((row.name, paths))
    return found


def pair_in_model_order(analysis: Analysis, ops: list[Op], modules: Mapping[int, nn.Module], calls: Sequence[Call]
                        ) -> tuple[list[Pair], list[str]]:
    """Pair the ops with the calls; where a structure's layers pair badly, try its paths in every order against
    the calls around it and keep the order that pairs best (ties keep the spec's), then pair again. The pairs,
    and the structures whose paths the model runs in another order."""
    pairs = pair_calls(ops, modules, calls)
    order = [op.index for op in ops]
    reordered = []
    for name, paths in parallel_paths(analysis):
        if len(paths) > MAX_PATHS or not _pairs_badly(paths, pairs, calls, modules, analysis):
            continue
        best = _best_order(paths, order, pairs, modules, calls, analysis)
        if best is not None:
            order = best
            reordered.append(name)
    if not reordered:
        return pairs, []
    return pair_calls([analysis.ops[i] for i in order], modules, calls), reordered


def _pairs_badly(paths: list[range], pairs: list[Pair], calls: Sequence[Call], modules: Mapping[int, nn.Module],
                 analysis: Analysis) -> bool:
    """Some op of the structure is paired with a call whose class, shape or params differ, or a call near it has
    no twin."""
    inside = set().union(*paths)
    at = [k for k, pair in enumerate(pairs) if pair.op in inside]
    near = pairs[max(0, at[0] - 1):at[-1] + 2] if at else []
    return any(pair.op is None or (pair.call is not None and not _twins(_op_signature(analysis.ops[pair.op], modules),
                                                                         _call_signature(calls[pair.call])))
               for pair in near)


def _twins(ours: Signature, theirs: Signature) -> bool:
    return _kin(ours, theirs) and same_shape(ours[1], theirs[1]) and ours[2] == theirs[2]


def _best_order(paths: list[range], order: list[int], pairs: list[Pair], modules: Mapping[int, nn.Module],
                calls: Sequence[Call], analysis: Analysis) -> list[int] | None:
    """The op order with this structure's paths in the order that aligns best with the calls around them; None
    when the spec's own order does as well."""
    inside = set().union(*paths)
    before = [pair.call for pair in pairs[:next((k for k, p in enumerate(pairs) if p.op in inside), 0)]
              if pair.call is not None and pair.op is not None]  # the calls twinned before the structure
    kept = [path for path in paths if path]
    ops = [[i for i in path if not REGISTRY[analysis.ops[i].kind].join] for path in kept]
    # as many calls as the structure has layers, from the first after its input: enough for all of its twins (the
    # model runs no more layers as modules than the spec has) and too few to borrow the next block's
    lo = before[-1] + 1 if before else 0
    theirs = [_call_signature(calls[j]) for j in range(lo, min(len(calls), lo + sum(map(len, ops))))]
    scored = []
    for orders in itertools.permutations(range(len(kept))):
        seq = [i for k in orders for i in ops[k]]
        scored.append((_align([_op_signature(analysis.ops[i], modules) for i in seq], theirs)[0], orders))
    best_score, best = max(scored, key=lambda item: item[0])
    if best_score <= scored[0][0]:
        return None
    first = min(order.index(i) for i in inside if i in order)
    moved = [i for k in best for i in ops[k]]
    return order[:first] + moved + order[first + len(moved):]


# ---- the comparison ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class LayerCheck:
    """A spec row beside its twin in the real model (a block: beside its layers' twins), or a module of the real
    model that the spec lacks. None: nothing to compare."""

    name: str  # the spec row; '' for a module the spec lacks
    kind: str  # the spec row's kind; a module the spec lacks: its class
    depth: int
    reference: str  # the twin's module name (a block: what its layers' twins' names share)
    match: str  # 'name', 'order', or '' (no twin)
    shape: Shape | None
    ref_shape: Shape | None
    params: int | None
    ref_params: int | None
    flops: int | None
    ref_flops: int | None
    issue: str = ""  # what the numbers do not say: the kinds differ, the spec has no such layer, layers inside differ
    seen: bool = True  # False: no module hook saw this spec row (a functional call in the model, or a join)

    @property
    def problems(self) -> list[str]:
        """What disagrees, in words; empty when the row checks out (or has no twin to check)."""
        found = [self.issue] if self.issue else []
        if self.ref_shape is not None and self.shape is not None and not same_shape(self.shape, self.ref_shape):
            found.append(f"output {format_shape(self.shape)} != model {format_shape(self.ref_shape)}")
        if self.ref_params is not None and self.params is not None and self.ref_params != self.params:
            found.append(f"params {self.params:,} != model {self.ref_params:,}")
        if self.ref_flops is not None and self.flops is not None and self.ref_flops != self.flops:
            found.append(f"FLOPs {self.flops:,} != model {self.ref_flops:,}")
        return found

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def verdict(self) -> str:
        return "DIFFERS" if self.problems else ("ok" if self.seen else NO_TWIN)


@dataclass(frozen=True)
class OutputCheck:
    """The two models' outputs on one seeded random input after the real model's weights were copied across."""

    max_abs: float | None  # None: the shapes differ
    scale: float  # max |reference output|
    tolerance: float
    copied: int  # modules whose weights and buffers were copied
    uncopied: tuple[str, ...]  # modules of the real model that ran with weights or buffers nothing received
    inner: tuple[tuple[str, str], ...] = ()  # (the model's tensors outside its leaf modules, the spec layer given them)

    @property
    def max_rel(self) -> float | None:
        return None if self.max_abs is None else self.max_abs / self.scale if self.scale else self.max_abs

    @property
    def bound(self) -> float:
        """The largest difference that passes: the tolerance, relative to the model's largest |output| (at least 1)."""
        return self.tolerance * max(1.0, self.scale)

    @property
    def ok(self) -> bool:
        return self.max_abs is not None and self.max_abs <= self.bound


@dataclass(frozen=True)
class AgainstReport:
    """A spec checked against a real model: per row, in execution order, the totals, and the outputs."""

    spec: Spec
    options: Options
    reference: Reference
    rows: tuple[LayerCheck, ...]  # the spec's rows as the table nests them, modules the spec lacks in between
    layers: tuple[LayerCheck, ...]  # leaf level, in execution order: what `first` reads
    total: LayerCheck
    output: OutputCheck | None
    input: Shape  # with the batch
    matched: dict[str, int]  # pairs by how they were matched: 'name', 'order'
    unseen: dict[str, int]  # spec layers without a twin, by kind (joins included)
    trace: Trace = field(repr=False)
    side: tuple[tuple[str, int], ...] = ()  # the spec's side branches, counted in its params total
    reordered: tuple[str, ...] = ()  # structures whose parallel paths the model runs in another order

    @property
    def first(self) -> LayerCheck | None:
        """The first layer, in execution order, that disagrees with the real model."""
        return next((layer for layer in self.layers if not layer.ok), None)

    @property
    def differing(self) -> int:
        return sum(not layer.ok for layer in self.layers)

    @property
    def paired(self) -> int:
        """Spec layers with a twin in the model."""
        return sum(self.matched.values())

    @property
    def ok(self) -> bool:
        return self.first is None and self.total.ok and (self.output is None or self.output.ok)

    def notes(self) -> list[str]:
        """What was matched how, what could not be compared, and why totals may differ, in words."""
        t, notes = self.trace, [self._matching()]
        if self.reordered:
            shown, n = _some(list(self.reordered)), len(self.reordered)
            notes.append(f"the model runs the parallel paths of {n} {'structure' if n == 1 else 'structures'} in "
                         f"another order than the spec writes them ({shown}); they are matched in the model's order")
        permuted = sum(layer.shape != layer.ref_shape and same_shape(layer.shape, layer.ref_shape)
                       for layer in self.layers)
        if permuted:
            notes.append(f"{permuted} layers run on channels-last maps in the model (H x W x C for C x H x W) and "
                         "are compared as the same map; a Linear there is the spec's 1x1 convolution")
        if self.unseen:
            flops = sum(layer.flops or 0 for layer in self.layers if not layer.seen)
            notes.append("not seen by the model's module hooks, so compared only in the totals: "
                         f"{_counted(self.unseen)} (functional calls such as F.relu, torch.flatten, x.mean, and the "
                         "joins: cat, +, *)" + (f"; they count {flops:,} FLOPs" if flops else ""))
        if t.passed_over:
            notes.append(f"passed over in the model (parameter-free modules that are not torch.nn layers): "
                         f"{_counted(t.passed_over)}")
        if t.inner_params:
            notes.append(f"{sum(n for _, n in t.inner_params):,} parameters held by {len(t.inner_params)} modules "
                         "with children, compared only in the total: "
                         + _some([f"{name} {n:,}" for name, n in t.inner_params]))
        if self.side:
            notes.append("the spec's params total counts its side branches (" + ", ".join(
                f"{name} {n:,}" for name, n in self.side) + "), its FLOPs do not, as a model in eval mode holds its "
                "auxiliary heads but runs only its main path (torchvision's GoogLeNet, Inception-v3)")
        unrun = self.unrun_note()
        if unrun:
            notes.append(unrun)
        return notes

    def unrun_note(self) -> str | None:
        """The parameters of modules the model holds but never ran (auxiliary heads), which sum(numel) counts."""
        t = self.trace
        if not t.unrun:
            return None
        held = sum(n for _, n in t.unrun)
        return (f"the model's sum(numel) {t.params:,} includes {held:,} params in modules its forward pass never ran "
                "(" + ", ".join(f"{name} {n:,}" for name, n in t.unrun) + f"), and its FLOPs leave them out; "
                f"without them it holds {t.params - held:,}")

    def _matching(self) -> str:
        named, ordered = self.matched.get("name", 0), self.matched.get("order", 0)
        by_order = ("the model's leaf modules in execution order, traced with forward hooks, aligned with the spec's "
                    "layers class by class")
        if not ordered:
            return f"layers matched by name: {named}, each spec layer's name a module's"
        if not named:
            return f"layers matched by order: {ordered} ({by_order})"
        return f"layers matched by name where the spec uses the model's module names: {named}; else by order: " \
               f"{ordered} ({by_order})"


def _some(items: list[str], shown: int = 3) -> str:
    """The first few items, and how many more."""
    return ", ".join(items[:shown]) + (f" and {len(items) - shown} more" if len(items) > shown else "")


def _counted(kinds: dict[str, int]) -> str:
    return ", ".join(f"{n} {kind}" for kind, n in sorted(kinds.items(), key=lambda item: (-item[1], item[0])))


def check_against(spec: Spec, ref: str, options: Options | None = None, counter: str = "fvcore",
                  weights: bool = False, tolerance: float = TOLERANCE) -> AgainstReport:
    """Compare the spec, row by row and in total, with the real model `ref`; with weights=True also copy its
    weights into the built spec and compare the outputs on one seeded random input."""
    options = replace(options or Options(), flops=counter, side=False)
    analysis = analyze(spec, options)
    sides = _side_branches(spec, options)
    reference = load_reference(ref, aux=bool(sides))
    x = torch.randn((options.batch, *analysis.input), generator=torch.Generator().manual_seed(SEED))
    try:
        found = trace(reference.model, x, counter)
    except ToolError as exc:
        raise ToolError(f"{ref}: {exc}") from None
    model = build_analysed(analysis, "cpu" if weights else "meta")
    ops = [op for op in analysis.ops if not REGISTRY[op.kind].join]
    pairs, reordered = pair_in_model_order(analysis, ops, {op.index: model.steps[op.index] for op in ops},
                                           found.calls)
    rows, layers = _rows(analysis, model, found, pairs)
    total = _total(analysis, found, sides)
    output = _outputs(model, x, found, pairs, tolerance) if weights else None
    matched = Counter(pair.match for pair in pairs if pair.op is not None and pair.call is not None)
    unseen = Counter(analysis.ops[pair.op].kind for pair in pairs if pair.op is not None and pair.call is None)
    unseen.update(op.kind for op in analysis.ops if REGISTRY[op.kind].join)
    return AgainstReport(spec, options, reference, rows, layers, total, output, tuple(x.shape), dict(matched),
                         dict(unseen), found, sides, tuple(reordered))


def _side_branches(spec: Spec, options: Options) -> tuple[tuple[str, int], ...]:
    """The spec's side branches, outermost, with their params (nothing when it has none)."""
    with_side = analyze(spec, replace(options, side=True))
    return tuple((row.name, row.params) for _, row in walk(with_side.rows) if row.kind == "side")


def _total(analysis: Analysis, found: Trace, sides: tuple[tuple[str, int], ...]) -> LayerCheck:
    y = _first_tensor(found.output)
    return LayerCheck(
        name="(model)", kind="model", depth=0, reference="(model)", match="", shape=analysis.output,
        ref_shape=tuple(y.shape[1:]) if y is not None else None,
        params=analysis.totals.params + sum(n for _, n in sides), ref_params=found.params,
        flops=analysis.totals.flops, ref_flops=found.flops,
    )


def _rows(analysis: Analysis, model: SpecModel, found: Trace, pairs: list[Pair]
          ) -> tuple[tuple[LayerCheck, ...], tuple[LayerCheck, ...]]:
    """The table's rows (spec rows nested, modules the spec lacks placed after the row before them) and the leaf
    checks in execution order."""
    walked = list(walk(analysis.rows))
    by_op = {row.ops[-1]: (depth, row) for depth, row in walked if not row.children and row.ops}
    twin = {pair.op: pair for pair in pairs if pair.op is not None}
    leaf: dict[int, LayerCheck] = {}
    layers: list[LayerCheck] = []
    extras: list[tuple[int, LayerCheck]] = []  # (the op they run after, -1: before all), module the spec lacks
    last = -1
    for pair in pairs:
        if pair.op is None:
            assert pair.call is not None  # a pair holds at least one side, by construction
            after, depth = (analysis.ops[last].name, by_op[last][0]) if last >= 0 else (None, 0)
            check = _extra(found.calls[pair.call], after, depth)
            extras.append((last, check))
        else:
            depth, row = by_op[pair.op]
            check = _leaf(depth, row, model.steps[pair.op], pair, found)
            leaf[pair.op] = check
            last = pair.op
        layers.append(check)
    for op in analysis.ops:  # joins: no pair, no twin
        if op.index not in twin:
            depth, row = by_op[op.index]
            leaf[op.index] = _unseen(depth, row)
    shown = [leaf[row.last_op] if not row.children and row.last_op is not None else _block(depth, row, leaf)
             for depth, row in walked]
    return tuple(_placed(walked, shown, extras)), tuple(layers)


def _leaf(depth: int, row: Row, module: nn.Module, pair: Pair, found: Trace) -> LayerCheck:
    if pair.call is None:
        return _unseen(depth, row)
    call = found.calls[pair.call]
    issue = "" if _same_layer(module, call.module) else (
        f"a {row.kind} ({type(module).__name__}) where the model runs {call.kind}")
    return LayerCheck(row.name, row.kind, depth, call.name, pair.match, row.output, call.shape, row.params,
                      call.params, row.flops, call.flops, issue)


def _unseen(depth: int, row: Row) -> LayerCheck:
    return LayerCheck(row.name, row.kind, depth, "", "", row.output, None, row.params, None, row.flops, None,
                      seen=False)


def _extra(call: Call, after: str | None, depth: int) -> LayerCheck:
    where = f"after layer '{after}'" if after is not None else "before the spec's first layer"
    shape = format_shape(call.shape) if call.shape is not None else "?"
    issue = (f"the model runs {call.name} ({call.kind}, output {shape}, {call.params:,} params) {where}, "
             "and the spec has no layer for it")
    return LayerCheck("", call.kind, depth, call.name, "", None, call.shape, None, call.params, None, call.flops,
                      issue)


def _block(depth: int, row: Row, leaf: dict[int, LayerCheck]) -> LayerCheck:
    """A block's row: its numbers beside the sums over its layers' twins (compared only when the layers no hook
    saw count nothing), and whether any layer inside differs."""
    inside = [leaf[i] for i in row.ops]
    twins, unseen = [c for c in inside if c.seen], [c for c in inside if not c.seen]
    differ = sum(not c.ok for c in inside)
    flops = [c.ref_flops for c in twins]
    return LayerCheck(
        row.name, row.kind, depth, _shared_prefix([c.reference for c in twins]), "", row.output,
        inside[-1].ref_shape if inside else None, row.params,
        None if any(c.params for c in unseen) else sum(c.ref_params or 0 for c in twins), row.flops,
        None if None in flops or any(c.flops for c in unseen) else sum(f or 0 for f in flops),
        f"{differ} of its layers differ" if differ else "", seen=bool(twins),
    )


def _shared_prefix(names: list[str]) -> str:
    """The dotted path every name starts with: layer1.0 for layer1.0.conv1 and layer1.0.bn1."""
    if not names:
        return ""
    parts = [name.split(".") for name in names]
    shared = []
    for level in zip(*parts):
        if len(set(level)) > 1:
            break
        shared.append(level[0])
    return ".".join(shared)


def _placed(walked: list[tuple[int, Row]], shown: list[LayerCheck], extras: list[tuple[int, LayerCheck]]
            ) -> list[LayerCheck]:
    """The rows with each module the spec lacks after the last row that holds the op it runs after."""
    after: dict[int, list[LayerCheck]] = {}
    for last, check in extras:
        at = max((i for i, (_, row) in enumerate(walked) if last in row.ops), default=-1)
        after.setdefault(at, []).append(check)
    placed = after.get(-1, [])
    for i, check in enumerate(shown):
        placed += [check, *after.get(i, [])]
    return placed


# ---- outputs with the weights copied ----------------------------------------------------------------------

def _outputs(model: SpecModel, x: torch.Tensor, found: Trace, pairs: list[Pair], tolerance: float) -> OutputCheck:
    """Copy the model's weights and buffers into the built spec, run it, and compare the two outputs."""
    copied, uncopied = _copy_twins(model, found, pairs)
    inner, left = _copy_inner(model, found, pairs)
    with torch.no_grad():
        ours = model(x)
    ours = ours[0] if isinstance(ours, tuple) else ours
    theirs = _first_tensor(found.output)
    done = (tolerance, copied + len(inner), tuple(uncopied + left), tuple(inner))
    if theirs is None or ours.shape != theirs.shape:
        return OutputCheck(None, 0.0, *done)
    difference = (ours.double() - theirs.double()).abs().max().item()
    return OutputCheck(difference if math.isfinite(difference) else math.inf,
                       theirs.double().abs().max().item(), *done)


def _copy_twins(model: SpecModel, found: Trace, pairs: list[Pair]) -> tuple[int, list[str]]:
    """Each twin's state_dict into its spec module: how many modules were copied, and the model's modules with
    weights or buffers that were not."""
    copied: set[int] = set()
    for pair in pairs:
        if pair.op is None or pair.call is None:
            continue
        source, target = found.calls[pair.call].module, model.steps[pair.op]
        theirs, ours = source.state_dict(), target.state_dict()
        if not _has_state(source) or not _same_layer(target, source) or theirs.keys() != ours.keys() or any(
                theirs[k].numel() != ours[k].numel() for k in ours):  # the layer's own row says how they differ
            continue
        # a Linear's weight goes into a 1x1 convolution as out x in x 1 x 1
        target.load_state_dict({k: t.reshape(ours[k].shape) for k, t in theirs.items()})
        copied.add(id(source))
    stateful = {c.name: c.module for c in found.calls if _has_state(c.module)}
    return len(copied), [name for name, m in stateful.items() if id(m) not in copied]


def _copy_inner(model: SpecModel, found: Trace, pairs: list[Pair]
                ) -> tuple[list[tuple[str, str]], list[str]]:
    """Parameters the model holds outside its leaves (ConvNeXt's layer scale, a CNBlock's own), in module order,
    into the spec's layers that no hook saw and that have weights, in op order, tensor by tensor while the sizes
    agree: (model tensors, spec layer) for each layer filled, and the model's parameters left over."""
    left = [(f"{name}.{key}" if name else key, tensor)
            for name, module in found.model.named_modules()
            if next(module.children(), None) is not None and name in found.ran
            for key, tensor in module.named_parameters(recurse=False)]
    filled: list[tuple[str, str]] = []
    j = 0
    for pair in pairs:
        if pair.op is None or pair.call is not None or not _has_state(model.steps[pair.op]):
            continue
        target = model.steps[pair.op]
        wanted = list(target.state_dict().items())
        taken = left[j:j + len(wanted)]
        if len(taken) < len(wanted) or any(t.numel() != w.numel() for (_, t), (_, w) in zip(taken, wanted)):
            continue
        target.load_state_dict({key: t.detach().reshape(w.shape) for (_, t), (key, w) in zip(taken, wanted)})
        filled.append((", ".join(name for name, _ in taken), model.op_names[pair.op]))
        j += len(wanted)
    return filled, [name for name, _ in left[j:]]


def _has_state(module: nn.Module) -> bool:
    return next(module.parameters(), None) is not None or next(module.buffers(), None) is not None


def _first_tensor(output: Any) -> torch.Tensor | None:
    """The model's main output: the tensor itself, or the first tensor of a tuple, list or dict."""
    if isinstance(output, torch.Tensor):
        return output
    items = output.values() if isinstance(output, dict) else output if isinstance(output, (tuple, list)) else ()
    return next((_first_tensor(item) for item in items if _first_tensor(item) is not None), None)
