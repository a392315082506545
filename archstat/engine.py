"""Shape propagation: one pass over the spec, asking the registry for every number."""
from __future__ import annotations

import math
from dataclasses import dataclass, replace

from archstat.analysis import Analysis, Options, Row, Totals, dtype_bytes
from archstat.errors import Problems, brief, did_you_mean
from archstat.fields import parse_shape, positive_int
from archstat.layers import CONVENTIONS, FIT_MODES, REGISTRY, Fit, LayerKind, Site
from archstat.spec import Composite, Layer, Node, Shape, Spec


@dataclass(frozen=True)
class _Pass:
    """What every layer needs to know about this run."""

    options: Options
    fit: Fit
    bytes_per_element: int
    problems: Problems

    def row(self, kind: LayerKind, name: str, line: int, site: Site) -> Row:
        o = self.options
        params = kind.weights(site) + (kind.biases(site) if o.bias else 0)
        return Row(
            name=name, kind=kind.name, input=site.x, output=site.output, line=line,
            memory=kind.memory(site) * o.batch * self.bytes_per_element,
            params=params, flops=kind.flops[o.flops](site) * o.batch,
            columns=kind.columns(site), args=site.args,
        )


def analyze(spec: Spec, options: Options | None = None) -> Analysis:
    """Propagate shapes through `spec` and count memory, params and FLOPs for every layer."""
    options = options or Options()
    problems = Problems(spec.file)
    override = _check_options(options, problems)
    problems.raise_if_any()
    options = replace(options, input=override)  # '3x100x100' kept as (3, 100, 100)
    run = _Pass(options, Fit(options.fit or spec.fit), dtype_bytes(options.dtype), problems)
    x = override or spec.input
    try:
        rows, y = _sequence(run, spec.layers, x, "")
    except RecursionError:
        problems.add("the spec nests blocks and structures too deeply to analyse")
    problems.raise_if_any()
    totals = Totals(
        memory=sum(r.memory for r in rows), params=sum(r.params for r in rows), flops=sum(r.flops for r in rows),
        input_memory=math.prod(x) * options.batch * run.bytes_per_element,
    )
    return Analysis(spec, options, x, y, tuple(rows), totals)


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


def _sequence(run: _Pass, nodes: tuple[Node, ...], x: Shape, prefix: str) -> tuple[list[Row], Shape | None]:
    """Rows of a path; the output is None once a layer on it has failed."""
    rows: list[Row] = []
    for node in nodes:
        if isinstance(node, Composite) and node.structure.side and not run.options.side:
            continue
        row = _layer(run, node, x, prefix) if isinstance(node, Layer) else _composite(run, node, x, prefix)
        if row is None:
            return rows, None
        rows.append(row)
        if not (isinstance(node, Composite) and node.structure.side):
            x = row.output
    return rows, x


def _layer(run: _Pass, layer: Layer, x: Shape, prefix: str) -> Row | None:
    name = prefix + layer.name
    kind = REGISTRY[layer.kind]
    with run.problems.at(layer.line, name):
        y = kind.shape(layer.args, (x,), run.fit)
        return run.row(kind, name, layer.line, Site(layer.args, (x,), y))
    return None


def _composite(run: _Pass, node: Composite, x: Shape, prefix: str) -> Row | None:
    name = prefix + node.name
    children: list[Row] = []
    outputs: list[Shape] = []
    failed = False
    for path in node.paths:  # every path, so a mistake in each branch is reported in one run
        rows, y = _sequence(run, path, x, name + ".")
        failed = failed or y is None
        children.extend(rows)
        outputs.append(y)  # type: ignore[arg-type]
    if failed:
        return None
    y = outputs[-1]  # a side branch's row shows its own output; the main path goes on with x
    join = node.structure.join
    if join is not None:
        inputs = node.structure.join_inputs(x, outputs)
        kind, joined = REGISTRY[join], None
        with run.problems.at(node.line, name):
            joined = kind.shape({}, inputs, run.fit)
        if joined is None:
            return None
        y = joined
        children.append(run.row(kind, f"{name}.{join}", node.line, Site({}, inputs, y)))
    return Row(
        name=name, kind=node.kind, block=node.block, input=x, output=y, line=node.line,
        memory=sum(c.memory for c in children), params=sum(c.params for c in children),
        flops=sum(c.flops for c in children), children=tuple(children), columns={},
    )
