"""Shape propagation: one pass over the spec, asking the registry for every number and recording the op list."""
from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from archstat.analysis import Analysis, Options, Row, Totals, dtype_bytes
from archstat.errors import Problems, brief, did_you_mean
from archstat.fields import parse_shape, positive_int
from archstat.layers import CONVENTIONS, FIT_MODES, REGISTRY, Fit, LayerKind, ShapeProblem
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

    def shape(self, kind: LayerKind, args: Mapping[str, Any], inputs: tuple[Shape, ...], line: int,
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
        """Append the op and count it: its row and its index."""
        o, index = self.options, len(self.ops)
        self.ops.append(Op(index, name, kind.name, site, inputs, line, side))
        params = kind.weights(site) + (kind.biases(site) if o.bias else 0)
        row = Row(
            name=name, kind=kind.name, input=site.x, output=site.output, line=line,
            memory=kind.memory(site) * o.batch * self.bytes_per_element,
            params=params, flops=kind.flops[o.flops](site) * o.batch,
            columns=kind.columns(site), args=site.args, ops=range(index, index + 1),
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
        input_memory=math.prod(x) * options.batch * run.bytes_per_element,
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
    for node in nodes:
        branch = isinstance(node, Composite) and node.structure.side
        if branch and not run.options.side:
            continue
        if isinstance(node, Layer):
            done = _layer(run, node, flow, prefix, side)
        else:
            done = _composite(run, node, flow, prefix, side or branch)
        if done is None:
            return rows, None
        row, out = done
        rows.append(row)
        if branch:  # what follows reads the branch's input; the branch's output leaves the model beside the main one
            run.sides.append(out[1])
        else:
            flow = out
    return rows, flow


def _layer(run: _Pass, layer: Layer, flow: Flow, prefix: str, side: bool) -> tuple[Row, Flow] | None:
    name, kind, (x, source) = prefix + layer.name, REGISTRY[layer.kind], flow
    y = run.shape(kind, layer.args, (x,), layer.line, name)
    if y is None:
        return None
    row, index = run.record(kind, name, layer.line, Site(layer.args, (x,), y), (source,), side)
    return row, (y, index)


def _composite(run: _Pass, node: Composite, flow: Flow, prefix: str, side: bool) -> tuple[Row, Flow] | None:
    name, start = prefix + node.name, len(run.ops)
    children: list[Row] = []
    flows: list[Flow | None] = []
    for path in node.paths:  # every path, so a mistake in each branch is reported in one run
        rows, out = _sequence(run, path, flow, name + ".", side)
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
    return Row(
        name=name, kind=node.kind, block=node.block, input=flow[0], output=out[0], line=node.line,
        memory=sum(c.memory for c in children), params=sum(c.params for c in children),
        flops=sum(c.flops for c in children), children=tuple(children), columns={}, args=node.args,
        ops=range(start, len(run.ops)),
    ), out
