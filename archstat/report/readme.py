"""README.md of a report folder: a summary, the comparison, one table and chart per model, the measured sections,
the conventions and the files. Every table is rendered by the code `archstat table` and `archstat compare` use.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from archstat.analysis import DTYPE_BYTES
from archstat.comparison import Comparison, Entry
from archstat.conventions import describe
from archstat.render import Format, render, render_grid
from archstat.render.charts import amount
from archstat.render.measured import compare_grid, layers_grid, profile_grid, seconds
from archstat.render.view import SUMMARY_FLOPS, SUMMARY_MEMORY, SUMMARY_PARAMS, Unit

if TYPE_CHECKING:
    from archstat.report.folder import Model, Report, Timed

# (metric, what it is, its units) for the summary's lines
FIGURES: tuple[tuple[str, str, Sequence[Unit]], ...] = (
    ("params", "parameters", SUMMARY_PARAMS), ("memory", "activation memory", SUMMARY_MEMORY),
    ("flops", "FLOPs", SUMMARY_FLOPS))


def text(report: Report) -> str:
    """The whole README.md."""
    parts = [header(report), summary(report), comparison(report), models(report)]
    if report.measured:
        parts.append(measured(report))
    parts += [conventions(report), files(report)]
    return "\n".join(parts)


def link(path: str, label: str | None = None) -> str:
    return f"[{label or path}]({path})"


def anchor(stem: str) -> str:
    return f'<a id="{stem}"></a>'


def header(report: Report) -> str:
    from archstat.report.folder import versions

    c = report.comparison
    lines = [f"# {report.title}", "",
             f"Written by `{report.command}` with archstat {versions(report)['archstat']}"
             + (f", measured on {c.device}" if c.device else "") + ". The tables are rendered as `archstat table` "
             "and `archstat compare` render them; beside this page each one is a CSV file (raw integers, one line "
             f"per row) and a JSON file (with its schema version), and {link('report.json')} lists every file.", ""]
    if not c.complete:
        lines += [f"**Incomplete:** {'; '.join(c.notes)}.", ""]
    return "\n".join(lines)


def first_cell(c: Comparison) -> list[Entry]:
    return [e for e in c.entries if e.cell == c.entries[0].cell]


def counted_for(report: Report) -> str:
    o = report.comparison.entries[0].analysis.options
    return (f"batch {o.batch}, {o.dtype}, the {o.flops} FLOP convention, "
            f"{'biases counted' if o.bias else 'biases left out'}")


def extremes(entries: Sequence[Entry], metric: str, units: Sequence[Unit]) -> str:
    """'most: vgg19, 144 M; least: mlp, 101 k'."""
    def value(e: Entry) -> float:
        return e.value(metric) or 0.0

    most, least = max(entries, key=value), min(entries, key=value)
    return f"most: {most.model}, {amount(value(most), units)}; least: {least.model}, {amount(value(least), units)}"


def summary(report: Report) -> str:
    entries = first_cell(report.comparison)
    lines = ["## Summary", ""]
    if len(entries) == 1:
        (e,) = entries
        figures = ", ".join(f"{amount(e.value(metric) or 0.0, units)} {what}" for metric, what, units in FIGURES)
        lines.append(f"{report.models[0].title}, at {counted_for(report)}: {figures}.")
    else:
        lines += [f"{len(entries)} models at {counted_for(report)}; ratios are to {report.comparison.baseline}.", ""]
        lines += [f"- {what[0].upper() + what[1:]}: {extremes(entries, metric, units)}"
                  for metric, what, units in FIGURES]
        timed = [e for e in entries if e.value("latency") is not None]
        if timed:
            fastest = min(timed, key=lambda e: e.value("latency") or 0.0)
            lines.append(f"- Measured latency: fastest {fastest.model}, {seconds(fastest.value('latency'))}")
    sections = ["[Comparison](#comparison)", "[Models](#models)", *(["[Measured](#measured)"] if report.measured
                                                                     else []), "[Conventions](#conventions)"]
    lines += ["", "Sections: " + " · ".join(sections) + ". Models: "
              + " · ".join(f"[{m.name}](#{m.stem})" for m in report.models) + ".", ""]
    return "\n".join(lines)


def comparison(report: Report) -> str:
    c = report.comparison
    return "\n".join([
        "## Comparison", "",
        f"![Params, activation memory and FLOPs of each model, with ratios to {c.baseline}](charts/comparison.png)",
        "", render_grid(compare_grid(c), Format.md),
        f"Data: {link('comparison.csv')} · {link('comparison.json')}", ""])


def model_section(report: Report, m: Model) -> str:
    return "\n".join([
        anchor(m.stem), render(m.analysis, Format.md, report.view),
        f"![{m.title}: activation memory, parameters and FLOPs per layer]({m.path('png')})", "",
        f"Data: {link(m.path('csv'))} (every row, blocks opened) · {link(m.path('json'))} (the full tree)", ""])


def models(report: Report) -> str:
    return "\n".join(["## Models", "", *(model_section(report, m) for m in report.models)])


def measured(report: Report) -> str:
    c = report.comparison
    ran = next((e.measurement for e in c.entries if e.measurement and e.measurement.ok), None)
    lines = ["## Measured", "", render_grid(profile_grid(c), Format.md)]
    if c.settings is not None:
        s = c.settings
        runs = f"{s.runs} timed runs" if s.runs else f"timed runs for at least {s.min_time:g} s"
        lines += [f"How: at least {s.warmup} warm-up runs and {s.warmup_time:g} s, then {runs}; seed {s.seed}; "
                  f"channels last {'on' if s.channels_last else 'off'}, CUDA graphs "
                  f"{'on' if s.cuda_graphs else 'off'}, torch.compile {'on' if s.compile else 'off'}, "
                  f"per-layer times {'on' if s.per_layer else 'off'}.", ""]
    if ran is not None:
        environment = ", ".join(f"{key} {value}" for key, value in sorted(ran.environment.items())
                                if isinstance(value, (str, int, float)) and not isinstance(value, bool))
        lines += [f"Environment: {environment}.", ""]
    for t in report.timed:
        lines.append(timed_section(report, t))
    return "\n".join(lines)


def timed_section(report: Report, t: Timed) -> str:
    m = t.measurement
    return "\n".join([
        anchor(t.stem), render_grid(layers_grid(m, report.view.depth), Format.md),
        f"![{t.model.title}: FLOPs and measured time per layer, batch {m.batch}, {m.dtype}]({t.path('png')})", "",
        f"Data: {link(t.path('csv'))} · {link(t.path('json'))}", ""])


def conventions(report: Report) -> str:
    from archstat.render.charts import LOG_WHEN, MAX_BARS, STYLE
    from archstat.report.folder import versions

    o = report.comparison.entries[0].analysis.options
    batches = sorted({e.cell[0] for e in report.comparison.entries})
    dtypes = list(dict.fromkeys(e.cell[1] for e in report.comparison.entries))
    depth = "blocks closed, as `archstat table` shows them" if report.view.depth == 0 else \
        "blocks opened all the way" if report.view.depth is None else f"blocks opened {report.view.depth} levels"
    lines = [
        "## Conventions", "",
        f"- **Batch**: {', '.join(map(str, batches))}. Memory and FLOPs are for the whole batch; parameters are not. "
        f"The model tables and charts are at batch {o.batch}, {o.dtype}; the comparison has every cell.",
        "- **dtype**: " + ", ".join(f"{d} ({DTYPE_BYTES[d]} bytes per element)" for d in dtypes)
        + "; it changes the activation memory only, not the FLOPs.",
        f"- **FLOPs**: the `{o.flops}` convention, {describe(o.flops)}.",
        f"- **Parameters**: weights and biases ({'biases counted' if o.bias else 'biases left out'}); batch norm's "
        "gamma and beta, not its running statistics (buffers).",
        "- **Activation memory**: each layer's output elements x bytes per element x batch; in-place layers and "
        "dropout store nothing new; the input's memory is given beside the total. KB = 1024 bytes, MB = 1024 KB.",
        "- **Shapes** leave the batch out: C x H x W, or the features after a flatten.",
        f"- **Tables**: {depth}; in-place activation and dropout rows are hidden. The CSV files have every row "
        "with its depth, blocks opened; the JSON files the full tree.",
        f"- **Charts**: the layers in order, one bar per table row, blocks opened level by level while the bars "
        f"stay at most {MAX_BARS} and the level opened still holds blocks (a ResNet is drawn block by block, "
        "layer1.0, layer1.1, ...). "
        "In-place activations and dropout are left out of the analytic charts (they count nothing) and kept in "
        "the measured ones (they take time). An axis is logarithmic when more than half the nonzero bars would "
        f"be under {LOG_WHEN:.0%} of the tallest. matplotlib {versions(report)['matplotlib']}, "
        f"{STYLE['font.family']}, {STYLE['savefig.dpi']} dpi.",
        "",
    ]
    return "\n".join(lines)


def files(report: Report) -> str:
    rows = [("README.md", "this page"),
            ("report.json", "what the folder holds, how it was made and with which versions (schema "
                            "`archstat.report/1`)"),
            ("comparison.csv, comparison.json", "the comparison: one line per model"
                                                 + (", batch and dtype" if report.measured else "")
                                                 + " (schema `archstat.compare/1`)"),
            ("charts/comparison.png", "the comparison chart"),
            ("tables/MODEL.csv, tables/MODEL.json", "each model's table (schema `archstat.analysis/1`)"),
            ("charts/MODEL.png", "each model's activation memory, parameters and FLOPs per layer")]
    if report.timed:
        rows += [("tables/MODEL-batchN-DTYPE-time.csv, .json", "time per layer of each measured cell (schema "
                                                                 "`archstat.layers/1`)"),
                 ("charts/MODEL-batchN-DTYPE-time.png", "FLOPs and measured time per layer")]
    return "\n".join(["## Files", "", "| File | What it holds |", "| :--- | :--- |",
                      *(f"| {path} | {what} |" for path, what in rows), ""])
