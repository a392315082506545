"""Shape propagation: one pass over the spec, asking the registry for every number and recording the op list."""
from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any

from archstat.analysis import SIDE_MODES, Analysis, Options, Row, Totals, dtype_bytes
from archstat.errors import Problems, brief, did_you_mean
from archstat.expr import Deferred, NeedsShapes, Pending, Unresolved, resolve
from archstat.fields import MAX_SIZE, parse_shape, positive_int
from archstat.layers import CONVENTIONS, FIT_MODES, REGISTRY, Fit, LayerKind, ShapeProblem
from archstat.layers.joins import split_bounds, split_channels
from archstat.ops import INPUT, Op, Shape, Site
from archstat.spec import Composite, Layer, Node, Spec

# What a path hands on: its output shape and the op that made it, or None once a layer on it has failed.
Flow = tuple[Shape, int]


@dataclass
class _Pass:
    """What every layer needs to know about this run, and the ops recorded so far."""

    options: Options
    fit: Fit
    bytes_per_element: int
    problems: Problems
    ops: list[Op] = field(default_factory=list)
    sides: list[int] = field(default_factory=list)
    channels: dict[int, int] = field(default_factory=dict)  # each block instance's in_channels (by id), once reached
    resolved: dict[int, Any] = field(default_factory=dict)  # every deferred expression computed so far (by id)

    def known(self, value: Any) -> Any:
        """A value that may read in_channels, now that the blocks around it have been reached; Unresolved if it
        cannot be computed."""
        return resolve(value, self.channels, self.resolved)

    def report(self, exc: Unresolved) -> None:
        self.problems.add(str(exc), exc.line, exc.layer)

    def shape(self, kind: LayerKind, args: Mapping[str, Any], inputs: tuple[Shape, ...], line: int,
              name: str) -> Shape | None:
        """The kind's output shape, or None with the problem recorded when it is too large for any tensor."""
        y = self._shape(kind, args, inputs, line, name)
        if y is not None and math.prod(y) * self.options.batch > MAX_SIZE:
            self.problems.add(f"the output {'x'.join(map(str, y))} at batch {self.options.batch} has more than "
                              "2**63 - 1 elements, more than any tensor can hold; use a smaller input or batch",
                              line, name)
            return None
        return y

    def _shape(self, kind: LayerKind, args: Mapping[str, Any], inputs: tuple[Shape, ...], line: int,
               name: str) -> Shape | None:
        """The kind's output shape; on a problem, recorded, the shape torch would give, so later layers are
        checked too (None when there is none)."""
        try:
            return kind.shape(args, inputs, self.fit)
        except ShapeProblem as exc:
            self.problems.add(str(exc), line, name)
            return exc.output
        except ValueError as exc:
            self.problems.add(str(exc), line, name)
        if self.fit.mode == "exact":  # a window that does not fit: go on with torch's floor
            try:
                return kind.shape(args, inputs, Fit("floor"))
            except ValueError:
                pass
        return None

    def record(self, kind: LayerKind, name: str, line: int, site: Site, inputs: tuple[int, ...],
               side: bool) -> tuple[Row, int]:
        """Append the op and count it: its row and its index. With side='params', an op on a side branch counts its
        parameters only: it is built but does not run."""
        o, index = self.options, len(self.ops)
        self.ops.append(Op(index, name, kind.name, site, inputs, line, side))
        params = kind.weights(site) + (kind.biases(site) if o.bias else 0)
        runs = not (side and o.side == "params")
        row = Row(
            name=name, kind=kind.name, input=site.x, output=site.output, line=line,
            memory=kind.memory(site) * o.batch * self.bytes_per_element if runs else 0,
            params=params, flops=kind.flops[o.flops](site) * o.batch if runs else 0,
            columns=kind.columns(site), args=site.args, ops=range(index, index + 1), buffers=kind.buffers(site),
        )
        return row, index


def analyze(spec: Spec, options: Options | None = None) -> Analysis:
    """Propagate shapes through `spec` and count memory, params and FLOPs for every layer."""
    options = options or Options()
    problems = Problems(spec.file)
    override = _check_options(options, problems)
    problems.raise_if_any()
    options = replace(options, input=override)  # '3x100x100' kept as (3, 100, 100)
    run = _Pass(options, Fit(options.fit or spec.fit), dtype_bytes(options.dtype), problems)
    x = override or spec.input
    rows: list[Row] = []
    out = INPUT
    try:
        rows, flow = _sequence(run, spec.layers, (x, INPUT), "", side=False)
        out = flow[1] if flow else INPUT
    except RecursionError:
        problems.add("the spec nests blocks and structures too deeply to analyse")
    problems.raise_if_any()
    totals = Totals(
        memory=sum(r.memory for r in rows), params=sum(r.params for r in rows), flops=sum(r.flops for r in rows),
        input_memory=math.prod(x) * options.batch * run.bytes_per_element, buffers=sum(r.buffers for r in rows),
    )
    y = x if out == INPUT else run.ops[out].output
    return Analysis(spec, options, x, y, tuple(rows), totals, tuple(run.ops), (out, *run.sides))


def _check_options(options: Options, problems: Problems) -> Shape | None:
    """Record what is wrong with the options; the parsed input override, if any."""
    if not isinstance(options.flops, str) or options.flops not in CONVENTIONS:
        problems.add(f"unknown FLOP convention {brief(options.flops)}; choose one of {', '.join(CONVENTIONS)}"
                     f"{did_you_mean(options.flops, CONVENTIONS)}")
    with problems.at(None):
        try:
            positive_int(options.batch)
        except ValueError as exc:
            raise ValueError(f"batch {exc}") from None
    if options.fit is not None and options.fit not in FIT_MODES:
        problems.add(f"fit must be 'exact' or 'floor', got {brief(options.fit)}")
    if not (isinstance(options.side, bool) or isinstance(options.side, str) and options.side in SIDE_MODES):
        problems.add(f"side must be False (side branches left out), True (counted in full) or 'params' (their "
                     f"parameters only), got {brief(options.side)}")
    with problems.at(None):
        dtype_bytes(str(options.dtype))
    if options.input is None:
        return None
    with problems.at(None):
        try:
            return parse_shape(options.input)
        except ValueError as exc:
            raise ValueError(f"the input override {exc}") from None
    return None


def _sequence(run: _Pass, nodes: tuple[Node, ...], flow: Flow, prefix: str, side: bool
              ) -> tuple[list[Row], Flow | None]:
    """Rows of a path, and what it hands on (None once a layer on it has failed)."""
    rows: list[Row] = []
    for i, node in enumerate(nodes):
        branch = isinstance(node, Composite) and node.structure.side
        if branch and not run.options.side:
            continue
        if isinstance(node, Layer):
            done = _layer(run, node, flow, prefix, side)
        else:
            done = _composite(run, node, flow, prefix, side or branch)
        if done is None:
            _check_rest(run, nodes[i + 1:])
            return rows, None
        row, out = done
        rows.append(row)
        if not branch:
            flow = out
        elif run.options.side is True:  # the branch's output leaves the model beside the main one
            run.sides.append(out[1])
    return rows, flow


def _layer(run: _Pass, layer: Layer, flow: Flow, prefix: str, side: bool) -> tuple[Row, Flow] | None:
    name, kind, (x, source) = prefix + layer.name, REGISTRY[layer.kind], flow
    args = _known_args(run, layer, kind) if layer.deferred else layer.args
    if args is None:
        return None
    y = run.shape(kind, args, (x,), layer.line, name)
    if y is None:
        return None
    row, index = run.record(kind, name, layer.line, Site(args, (x,), y), (source,), side)
    return row, (y, index)


def _known_args(run: _Pass, layer: Layer, kind: LayerKind) -> Mapping[str, Any] | None:
    """The layer's arguments with the fields that read in_channels computed and checked (None if one fails, or
    reads a block not reached)."""
    args, checks, ok = dict(layer.args), {f.name: f.check for f in kind.fields}, True
    for key, value in layer.deferred.items():
        try:
            args[key] = checks[key](run.known(value))
        except NeedsShapes:
            ok = False
        except Unresolved as exc:
            run.report(exc)
            ok = False
        except ValueError as exc:
            run.problems.add(f"field '{key}' {exc}", value.line, value.layer)
            ok = False
    return MappingProxyType(args) if ok else None


def _check_rest(run: _Pass, nodes: tuple[Node, ...]) -> None:
    """After a layer has failed, what can still be checked on the rest of its path without shapes: expressions
    that read the in_channels of blocks already reached (a mistake in one of them is one more problem to report)."""
    for node in nodes:
        if isinstance(node, Layer):
            if node.deferred:
                _known_args(run, node, REGISTRY[node.kind])
            continue
        if node.structure.side and not run.options.side:
            continue
        for value in (*node.args.values(), *node.fields.values()):
            try:
                run.known(value)
            except NeedsShapes:
                pass
            except Unresolved as exc:
                run.report(exc)
        for path in (*node.paths, node.after):
            _check_rest(run, path)


def _composite(run: _Pass, node: Composite, flow: Flow, prefix: str, side: bool) -> tuple[Row, Flow] | None:
    name, start = prefix + node.name, len(run.ops)
    if node.frame is not None:
        run.channels[id(node.frame)] = flow[0][0]
    children: list[Row] = []
    flows: list[Flow | None] = []
    bounds = _bounds(run, node, flow[0][0], name) if node.structure.slice else [None] * len(node.paths)
    if bounds is None:
        for path in node.paths:
            _check_rest(run, path)
        return None
    for n, (path, channels) in enumerate(zip(node.paths, bounds), 1):  # every path: each one's mistakes reported
        begin = flow
        if channels is not None:  # a split's branch reads its own channels of the input, through a slice op
            row, begin = _slice(run, REGISTRY[node.structure.slice or ""], channels, flow, f"{name}.", n, node.line,
                                side)
            children.append(row)
        rows, out = _sequence(run, path, begin, name + ".", side)
        children.extend(rows)
        flows.append(out)
    done = [f for f in flows if f is not None]
    if len(done) < len(flows):
        return None
    out = done[-1]  # a side branch's row shows its own output; the main path goes on with the input
    structure = node.structure
    if structure.join is not None:
        kind, joined = REGISTRY[structure.join], structure.join_inputs(flow, done)
        shapes = tuple(shape for shape, _ in joined)
        y = run.shape(kind, {}, shapes, node.line, name)  # the problem is the structure's, as the spec writes it
        if y is None:
            return None
        row, index = run.record(kind, f"{name}.{kind.name}", node.line, Site({}, shapes, y),
                                tuple(source for _, source in joined), side)
        children.append(row)
        out = (y, index)
        if node.after:  # the layers after the join, in the structure's own scope
            rows, after = _sequence(run, node.after, out, name + ".", side)
            children.extend(rows)
            if after is None:
                return None
            out = after
    return Row(
        name=name, kind=node.kind, block=node.block, input=flow[0], output=out[0], line=node.line,
        memory=sum(c.memory for c in children), params=sum(c.params for c in children),
        flops=sum(c.flops for c in children), children=tuple(children), columns={}, args=_known_params(run, node),
        ops=range(start, len(run.ops)), buffers=sum(c.buffers for c in children),
    ), out


def _known_params(run: _Pass, node: Composite) -> Mapping[str, Any]:
    """A block instance's parameters as its row shows them, those that read in_channels computed."""
    if not any(isinstance(value, Pending) for value in node.args.values()):
        return node.args
    known = {}
    for key, value in node.args.items():
        try:
            known[key] = run.known(value)
        except NeedsShapes:  # not reached: a value is read in its caller's scope or its own, both entered by now
            pass
        except Unresolved as exc:
            run.report(exc)
    return MappingProxyType(known)


def _bounds(run: _Pass, node: Composite, C: int, name: str) -> list[tuple[int, int] | None] | None:
    """The (start, stop) channels each branch of a split reads, or None after recording why there are none."""
    channels = node.fields.get("channels")
    if isinstance(channels, Deferred):
        line = channels.line
        try:
            channels = split_channels(run.known(channels))
        except Unresolved as exc:
            run.report(exc)
            return None
        except ValueError as exc:
            run.problems.add(f"field 'channels' {exc}", line, name)
            return None
    try:
        return list(split_bounds(channels, C, len(node.paths)))
    except ValueError as exc:
        run.problems.add(str(exc), node.line, name)
        return None


def _slice(run: _Pass, kind: LayerKind, channels: tuple[int, int], flow: Flow, prefix: str, n: int, line: int,
           side: bool) -> tuple[Row, Flow]:
    """The slice op that gives branch n of a split its channels: a view, named '<split>.slice<n>'."""
    (x, source), (start, stop) = flow, channels
    args = MappingProxyType({"start": start, "stop": stop})
    y = kind.shape(args, (x,), run.fit)
    row, index = run.record(kind, f"{prefix}{kind.name}{n}", line, Site(args, (x,), y), (source,), side)
    return row, (y, index)
