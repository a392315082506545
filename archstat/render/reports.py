"""Grids for `archstat check` (also `--against` a real model) and `archstat conventions`: formatting only, the
numbers come computed."""
from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from archstat.conventions import ConventionTotal, kinds_that_count
from archstat.render.grid import Grid
from archstat.render.view import billions, shape_text

if TYPE_CHECKING:
    from archstat.measure.against import AgainstReport, LayerCheck, OutputCheck
    from archstat.measure.check import CheckReport, Comparison

CHECK_COLUMNS = (
    ("Layer", "left"), ("Output", "right"), ("torch", "right"), ("Params", "right"), ("torch", "right"),
    ("FLOPs", "right"), ("measured", "right"), ("Verdict", "left"),
)
AGAINST_COLUMNS = (
    ("Layer", "left"), ("Model module", "left"), ("Match", "left"), ("Output", "right"), ("model", "right"),
    ("Params", "right"), ("model", "right"), ("FLOPs", "right"), ("model", "right"), ("Verdict", "left"),
)
SUMMARY_COLUMNS = (
    ("Model", "left"), ("Rows", "right"), ("Params", "right"), ("torch", "right"), ("FLOPs", "right"),
    ("measured", "right"), ("Verdict", "left"),
)


def _number(value: int | None) -> str:
    return "" if value is None else f"{value:,}"


def _verdict(ok: bool) -> str:
    return "ok" if ok else "DIFFERS"


def _last_part(name: str) -> str:
    """The last part of a dotted row name, as a nested table row shows it (Row.label for analysis rows)."""
    return name.rsplit(".", 1)[-1]


def _record(spec: str, row: Comparison) -> dict[str, object]:
    return {
        "model": spec, "name": row.name, "kind": row.kind, "depth": row.depth,
        "output": shape_text(row.shape), "torch_output": shape_text(row.torch_shape) if row.torch_shape else "",
        "params": row.params, "torch_params": row.torch_params, "flops": row.flops,
        "measured_flops": row.measured_flops, "ok": row.ok, "problems": "; ".join(row.problems),
    }


def _counted(report: CheckReport) -> str:
    o = report.options
    return f"FLOPs under the {o.flops} convention against {o.flops}'s own count; batch {o.batch}"


def check_grid(report: CheckReport, max_depth: int | None = 0) -> Grid:
    """One model, row by row: archstat's numbers beside torch's and the FLOP counter's, and a verdict."""
    name = report.spec.name
    rows = [row for row in report.rows if max_depth is None or row.depth <= max_depth]
    shown = [*rows, report.total]
    cells = [
        ["  " * row.depth + _last_part(row.name), shape_text(row.shape),
         shape_text(row.torch_shape) if row.torch_shape else "", _number(row.params), _number(row.torch_params),
         _number(row.flops), _number(row.measured_flops), _verdict(row.ok)]
        for row in shown
    ]
    notes = [f"{len(report.rows)} rows checked, {len(report.failures)} differ", _counted(report)]
    records = [_record(name, row) for row in (*report.rows, report.total)]
    return Grid(
        title=f"{report.spec.title or name}: analytic vs torch and {report.options.flops}",
        columns=CHECK_COLUMNS, rows=cells, notes=notes, records=records,
        data={"schema": "archstat.check/1", "model": name, "options": report.options.to_dict(), "ok": report.ok,
              "rows": records},
    )


def check_summary_grid(reports: Sequence[CheckReport]) -> Grid:
    """Several models, one line each: totals beside the measured totals, and how many rows differ."""
    cells, records = [], []
    for report in reports:
        t = report.total
        cells.append([report.spec.name, str(len(report.rows)), _number(t.params), _number(t.torch_params),
                      _number(t.flops), _number(t.measured_flops),
                      _verdict(report.ok) + ("" if report.ok else f" ({len(report.failures)} rows)")])
        records.append(_record(report.spec.name, t) | {"rows": len(report.rows), "differing": len(report.failures)})
    convention = reports[0].options.flops if reports else ""
    return Grid(
        title=f"Analytic vs torch and {convention}", columns=SUMMARY_COLUMNS, rows=cells, records=records,
        data={"schema": "archstat.check/1", "ok": all(r.ok for r in reports), "models": records},
        notes=[f"{sum(r.ok for r in reports)} of {len(reports)} models agree on every row"],
    )


def _shape(shape: tuple[int, ...] | None) -> str:
    return "" if shape is None else shape_text(shape)


def _against_record(spec: str, row: LayerCheck) -> dict[str, object]:
    return {
        "model": spec, "name": row.name, "kind": row.kind, "depth": row.depth, "reference": row.reference,
        "match": row.match, "output": _shape(row.shape), "reference_output": _shape(row.ref_shape),
        "params": row.params, "reference_params": row.ref_params, "flops": row.flops,
        "reference_flops": row.ref_flops, "verdict": row.verdict, "ok": row.ok, "problems": "; ".join(row.problems),
    }


def _output_data(output: OutputCheck | None) -> dict[str, object] | None:
    if output is None:
        return None
    return {"max_abs": output.max_abs, "max_rel": output.max_rel, "max_abs_reference": output.scale,
            "tolerance": output.tolerance, "copied": output.copied, "uncopied": list(output.uncopied),
            "inner": [{"model": model, "layer": layer} for model, layer in output.inner], "ok": output.ok}


def _some(items: list[str], shown: int = 3) -> str:
    """The first few items, and how many more."""
    return ", ".join(items[:shown]) + (f" and {len(items) - shown} more" if len(items) > shown else "")


def output_line(output: OutputCheck) -> str:
    """The outputs after copying the weights, in words."""
    inner = [f"{model} into {layer}" for model, layer in output.inner]
    copied = f"weights and buffers of {output.copied} modules copied" + (
        f" ({len(inner)} from outside the model's leaf modules, in order: {_some(inner)})" if inner else "") + (
        f"; {len(output.uncopied)} of the model's not: {_some(list(output.uncopied))}" if output.uncopied else "")
    if output.max_abs is None:
        return f"outputs after copying the weights: their shapes differ ({copied})"
    return (f"outputs after copying the weights: max abs difference {output.max_abs:.3g} (relative "
            f"{output.max_rel:.3g}, the model's largest |output| {output.scale:.3g}); "
            f"{'within' if output.ok else 'beyond'} the tolerance {output.tolerance:g} x max(1, {output.scale:.3g})"
            f" = {output.bound:.3g}; {copied}")


def against_grid(report: AgainstReport, max_depth: int | None = 0) -> Grid:
    """One spec row by row beside the real model's modules: shapes, params, FLOPs, how each was matched, the
    totals and (weights copied) the outputs; modules the spec lacks are always shown."""
    name, ref = report.spec.name, report.reference.ref
    rows = [row for row in report.rows if max_depth is None or row.depth <= max_depth or not row.name]
    cells = [
        ["  " * row.depth + (_last_part(row.name) if row.name else "(missing)"), row.reference, row.match,
         _shape(row.shape), _shape(row.ref_shape), _number(row.params), _number(row.ref_params), _number(row.flops),
         _number(row.ref_flops), row.verdict]
        for row in [*rows, report.total]
    ]
    first = report.first
    o = report.options
    notes = [
        f"{len(report.layers)} layers, {report.paired} paired with a module of the model, "
        f"{report.differing} differ"
        + (f"; the first: {first.name or first.reference}" if first else ""),
        *report.notes(),
        *([output_line(report.output)] if report.output else []),
        f"model: {report.reference.built}, in eval mode, run and counted under torch.no_grad() on a seeded "
        f"N(0, 1) input {shape_text(report.input)}; FLOPs under the {o.flops} convention against {o.flops} on the "
        f"model",
    ]
    records = [_against_record(name, row) for row in (*report.rows, report.total)]
    return Grid(
        title=f"{report.spec.title or name}: spec vs {ref}", columns=AGAINST_COLUMNS, rows=cells, notes=notes,
        records=records,
        data={"schema": "archstat.check.against/1", "model": name, "against": ref, "built": report.reference.built,
              "options": o.to_dict(), "input": list(report.input), "ok": report.ok, "matched": report.matched,
              "unseen": report.unseen, "first": _against_record(name, first) if first else None,
              "total": _against_record(name, report.total), "output": _output_data(report.output),
              "notes": notes, "rows": records},
    )


def conventions_grid(title: str, totals: Sequence[ConventionTotal]) -> Grid:
    """One model's FLOPs under every convention, each split by the layer kinds that count."""
    kinds = kinds_that_count(list(totals))
    lecture = next((t.flops for t in totals if t.name == "lecture"), 0) or 1
    columns = (("Convention", "left"), ("GFLOPs", "right"), ("x lecture", "right"),
               *((kind, "right") for kind in kinds))
    cells = [[t.name, billions(t.flops, 3), f"{t.flops / lecture:.2f}",
              *(billions(t.by_kind.get(kind, 0), 3) for kind in kinds)] for t in totals]
    records = [{"convention": t.name, "flops": t.flops, **{k: t.by_kind.get(k, 0) for k in kinds}} for t in totals]
    return Grid(
        title=f"{title}: FLOPs under each convention (per layer kind in GFLOPs)", columns=columns, rows=cells,
        records=records, data={"schema": "archstat.conventions/1", "model": title,
                               "conventions": [t.to_dict() for t in totals]},
        notes=["x lecture: the total over the lecture convention's", *(f"{t.name}: {t.doc}" for t in totals)],
    )
