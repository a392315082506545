"""Charts for reports: an analysis, a comparison or a per-layer measurement as PNG bytes.

matplotlib is imported only when a chart is drawn, always on the Agg canvas under one fixed style (matplotlib's
defaults, DejaVu Sans, fixed sizes and dpi) and saved without a software tag, so the same data and the same
matplotlib version give the same bytes. Charts pick bars and units; they never count.
"""
from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from archstat.analysis import Analysis, Row, walk
from archstat.render.view import (
    SUMMARY_FLOPS,
    SUMMARY_MEMORY,
    SUMMARY_PARAMS,
    Unit,
    count_line,
    is_quiet,
    memory_line,
    shape_text,
    step_down,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from archstat.comparison import Comparison
    from archstat.measurement import LayerTime, Measurement

T = TypeVar("T")

DPI = 100
WIDTH = 12.0  # inches: every chart is 1200 pixels wide
LAYERS_HEIGHT = 10.5  # the three per-layer panels
TIME_HEIGHT = 8.0  # FLOPs and measured time per layer
MIN_BARS = 12  # fewer bars than this say little: a model wrapped in one group is opened further
MAX_BARS = 60  # a level of blocks is opened only while the bars stay this few; a longer flat run is grouped
LOG_WHEN = 0.01  # log scale when more than half the nonzero bars would be under 1% of the tallest

STYLE: dict[str, Any] = {
    "font.family": "DejaVu Sans", "font.size": 9, "axes.titlesize": 10, "axes.titlelocation": "left",
    "axes.labelsize": 9, "xtick.labelsize": 8, "ytick.labelsize": 8, "figure.titlesize": 12,
    "axes.spines.top": False, "axes.spines.right": False, "axes.grid": True, "axes.axisbelow": True,
    "grid.color": "#dddddd", "grid.linewidth": 0.6, "savefig.dpi": DPI, "figure.dpi": DPI,
    "text.parse_math": False,  # a '$' in a title is a dollar sign
}
# Margins in pixels: above the panels (the two-line title and the first panel's), between stacked panels (a
# panel's title), at the edges, left of the value axis (its ticks and label), and under an axis for its label.
TOP_PX, GAP_PX, EDGE_PX, LEFT_PX, LABEL_PX = 86, 40, 12, 84, 24

# One colour per quantity, the same in every chart.
COLOURS = {"memory": "#4C72B0", "params": "#DD8452", "flops": "#55A868", "latency": "#C44E52"}
MICROSECONDS = (Unit("s", 10**6), Unit("ms", 1000), Unit("µs", 1))  # measured times are drawn in microseconds


@dataclass(frozen=True)
class Bar:
    """One bar: its label and its value (bytes, params, FLOPs or microseconds)."""

    label: str
    value: float


@dataclass(frozen=True)
class Scale:
    """How a panel shows its values: the unit they are divided by, and whether the axis is logarithmic."""

    unit: Unit
    log: bool


# ---- which bars ----------------------------------------------------------------------------------------------

def opens(pairs: Sequence[tuple[int, T]], i: int) -> bool:
    """Does the item at i have items inside it (the next one in walk order is deeper)?"""
    return i + 1 < len(pairs) and pairs[i + 1][0] > pairs[i][0]


def cut(pairs: Sequence[tuple[int, T]], depth: int) -> list[T]:
    """The items a chart at this depth shows, from (depth, item) pairs in walk order: the items at `depth`, and
    the leaves above it (a block at `depth` stands for everything inside it)."""
    return [item for i, (d, item) in enumerate(pairs) if d == depth or (d < depth and not opens(pairs, i))]


def chart_depth(pairs: Sequence[tuple[int, T]], keep: Callable[[T], bool] = lambda item: True) -> int:
    """How deep to open blocks: level by level while the bars stay at most MAX_BARS and the level holds blocks; once
    MIN_BARS are shown, only while at least half of a level's rows are blocks themselves, so a model is drawn block
    by block (ResNet's layer1.0, layer1.1, ...), not conv by conv; the shallowest depth that shows that many bars."""
    def bars(depth: int) -> int:
        return len([item for item in cut(pairs, depth) if keep(item)])

    chosen, deepest = 0, max((d for d, _ in pairs), default=0)
    for depth in range(1, deepest + 1):
        level = [opens(pairs, i) for i, (d, _) in enumerate(pairs) if d == depth]
        if bars(depth) > MAX_BARS or not any(level) or (2 * sum(level) < len(level) and bars(chosen) >= MIN_BARS):
            break
        if bars(depth) > bars(chosen):
            chosen = depth
    return chosen


def grouped(bars: Sequence[Bar]) -> list[Bar]:
    """At most MAX_BARS bars: a longer flat run is shown as consecutive groups, each the sum of its bars."""
    if len(bars) <= MAX_BARS:
        return list(bars)
    size = math.ceil(len(bars) / MAX_BARS)
    chunks = [bars[i:i + size] for i in range(0, len(bars), size)]
    return [Bar(f"{c[0].label}…{c[-1].label}" if len(c) > 1 else c[0].label, sum(b.value for b in c))
            for c in chunks]


def layer_rows(analysis: Analysis) -> tuple[list[Row], int]:
    """The rows the per-layer chart shows, in order, and the depth it opened blocks to; quiet rows left out."""
    pairs = list(walk(analysis.rows))
    depth = chart_depth(pairs, lambda row: not is_quiet(row))
    return [row for row in cut(pairs, depth) if not is_quiet(row)], depth


def timed_layers(m: Measurement, analysis: Analysis) -> tuple[list[LayerTime], int]:
    """The measured rows the time chart shows, at the depth of the model's analytic chart so the two charts have
    the same blocks (in-place layers too: they take time), and that depth."""
    pairs = [(layer.depth, layer) for layer in m.layers]
    depth = layer_rows(analysis)[1]
    return cut(pairs, depth), depth


def bars_note(depth: int, bars: int, blocks: bool, grouped_from: int) -> str:
    """What one bar stands for, for the x axis's label."""
    if grouped_from > bars:
        return f"{grouped_from} layers in {bars} groups of consecutive layers"
    if depth:
        return f"{bars} bars: blocks opened {depth} level{'s' if depth > 1 else ''}"
    return f"{bars} bars: {'blocks shown whole' if blocks else 'one per layer'}"


# ---- how to show them ----------------------------------------------------------------------------------------

def micro(seconds: float | None) -> float | None:
    return None if seconds is None else seconds * 1e6


def scale(values: Sequence[float], ladder: Sequence[Unit]) -> Scale:
    """Linear in the largest unit in which the tallest bar reads at least 1; logarithmic (its ticks each in their
    own unit) when more than half the nonzero bars would be under LOG_WHEN of the tallest, so that a linear axis
    would show them as nothing."""
    nonzero = [v for v in values if v > 0]
    top = max(nonzero, default=0)
    if len(nonzero) >= 3 and 2 * len([v for v in nonzero if v < LOG_WHEN * top]) > len(nonzero):
        return Scale(ladder[-1], True)
    return Scale(step_down(int(top), ladder, 2, (1, 1)), False)


def unit_for(value: float, ladder: Sequence[Unit]) -> Unit:
    """The largest unit in which one value reads at least 1."""
    return step_down(int(value), ladder, 2, (1, 1))


def amount(value: float, ladder: Sequence[Unit]) -> str:
    """A value in its own unit with three significant figures: '784 KB', '37.8 M', '0.72 G', '840 B'."""
    unit = unit_for(value, ladder)
    scaled = value / unit.size
    text = f"{scaled:,.0f}" if scaled >= 100 else f"{scaled:.3g}"
    return f"{text} {unit.name}".rstrip()


def ratio_text(ratio: float | None) -> str:
    """'2.26x', '0.11x', '0.015x', and below a hundredth '1/110' (never 1.4e-05x)."""
    if ratio is None:
        return ""
    if ratio >= 0.01:
        return f"{ratio:,.2f}x" if ratio >= 0.1 else f"{ratio:.2g}x"
    return f"1/{float(f'{1 / ratio:.2g}'):,.0f}"


def axis_label(quantity: str, s: Scale) -> str:
    """'Parameters (M)', or 'Parameters (log scale)' (a log axis's ticks carry their units)."""
    if s.log:
        return f"{quantity} (log scale)"
    return f"{quantity} ({s.unit.name})" if s.unit.name else quantity


def largest_share(bars: Sequence[Bar], total: float) -> str:
    """'; conv1 holds 33%': the largest bar's share of the total."""
    if not bars or not total:
        return ""
    top = max(bars, key=lambda b: b.value)
    return f"; {top.label} holds {top.value / total:.0%}" if top.value else ""


def counted_for(analysis: Analysis) -> str:
    """The conventions line of a chart's title."""
    o = analysis.options
    parts = [f"input {shape_text(analysis.input)}", f"batch {o.batch}", o.dtype, f"{o.flops} FLOP convention",
             "biases counted" if o.bias else "biases left out"]
    if o.side:
        parts.append("side branches included")
    return ", ".join(parts)


def decimal(ladder: Sequence[Unit]) -> bool:
    """Units a power of 1000 apart (k, M, G; µs, ms, s), not the 1024 of KB and MB."""
    return all(u.size % 1000 == 0 or u.size == 1 for u in ladder)


def log_tick(ladder: Sequence[Unit]) -> Callable[[float, object], str]:
    """A log axis's tick text, the value in its own unit: '100 k', '1 M', '10 ms', '32 KB' (never 10^n)."""
    def text(value: float, _position: object = None) -> str:
        own = unit_for(value, ladder) if value >= 1 else ladder[-1]
        return f"{value / own.size:,.4g} {own.name}".rstrip()

    return text


# ---- drawing -------------------------------------------------------------------------------------------------

def figure(height: float) -> Figure:
    """A figure on the Agg canvas (no pyplot, no GUI backend), WIDTH x height inches at DPI."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(WIDTH, height), dpi=DPI)
    FigureCanvasAgg(fig)
    return fig


def text_px(fig: Figure, texts: Sequence[str], points: float) -> float:
    """The width in pixels of the longest of these texts in STYLE's font at this size."""
    from matplotlib.font_manager import FontProperties

    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]  # the Agg canvas figure() puts under it
    font = FontProperties(family=STYLE["font.family"], size=points)
    return max((renderer.get_text_width_height_descent(t, font, ismath=False)[0] for t in texts), default=0.0)


def place(fig: Figure, rows: int, columns: int, left: float, bottom: float, gap: float = GAP_PX) -> None:
    """Margins in pixels, from measured texts rather than a layout engine (quicker, and the same every time)."""
    W, H = fig.get_size_inches() * DPI
    height = (H - TOP_PX - bottom - gap * (rows - 1)) / rows
    width = (W - left - EDGE_PX - gap * (columns - 1)) / columns
    fig.subplots_adjust(left=left / W, right=1 - EDGE_PX / W, top=1 - TOP_PX / H, bottom=bottom / H,
                        hspace=gap / height, wspace=gap / width)


def title(fig: Figure, text: str) -> None:
    """The chart's title at the top edge, whatever the figure's height."""
    fig.suptitle(text, y=1 - EDGE_PX / (fig.get_size_inches()[1] * DPI), va="top")


def styled() -> Any:
    """matplotlib's defaults (whatever a matplotlibrc says) with STYLE on top, for the drawing inside."""
    import matplotlib.style

    return matplotlib.style.context(["default", STYLE])


def png(fig: Figure) -> bytes:
    """The figure as PNG bytes, with no software tag or time stamp in the file."""
    import io

    out = io.BytesIO()
    fig.savefig(out, format="png", dpi=DPI, metadata={"Software": None})
    return out.getvalue()


def size(height: float) -> tuple[int, int]:
    """A chart's (width, height) in pixels."""
    return round(WIDTH * DPI), round(height * DPI)


def value_axis(axis: Any, s: Scale, ladder: Sequence[Unit]) -> None:
    """Plain numbers on a value axis: no offset or 1e6 multiplier (the unit is in the label), no 10^n on a log one."""
    from matplotlib.ticker import FuncFormatter, LogLocator, NullLocator, ScalarFormatter

    if s.log:  # powers of ten for counts and times; for bytes 1 KB, 32 KB, 1 MB, 32 MB, ...
        axis.set_major_locator(LogLocator(base=10) if decimal(ladder) else LogLocator(base=1024, subs=(1, 32)))
        axis.set_major_formatter(FuncFormatter(log_tick(ladder)))
        if not decimal(ladder):
            axis.set_minor_locator(NullLocator())
        axis.set_minor_formatter(FuncFormatter(lambda value, position: ""))
    else:
        plain = ScalarFormatter(useOffset=False)
        plain.set_scientific(False)
        axis.set_major_formatter(plain)


def bar_panel(ax: Axes, bars: Sequence[Bar], ladder: Sequence[Unit], quantity: str, colour: str,
              heading: str) -> None:
    """Vertical bars in order under a title, the values in the panel's unit, log scale when the range needs it."""
    s = scale([b.value for b in bars], ladder)
    ax.bar(range(len(bars)), [b.value / s.unit.size for b in bars], color=colour, width=0.75)
    ax.set_ylabel(axis_label(quantity, s))
    ax.set_title(heading)
    ax.set_xlim(-0.6, len(bars) - 0.4)
    ax.grid(axis="x", visible=False)
    if s.log:
        ax.set_yscale("log")
    value_axis(ax.yaxis, s, ladder)


def label_layers(fig: Figure, ax: Axes, bars: Sequence[Bar]) -> float:
    """Layer names under the bars, across when they fit and upright when not; the bottom margin they need."""
    points, labels = 8 if len(bars) <= 40 else 7, [b.label for b in bars]
    longest = text_px(fig, labels, points)
    across = longest + 10 < (WIDTH * DPI - LEFT_PX - EDGE_PX) / max(len(bars), 1)
    ax.set_xticks(range(len(bars)), labels, rotation=0 if across else 90, fontsize=points)
    ax.tick_params(axis="x", length=0)
    return (points * DPI / 72 * 1.3 if across else longest) + 8 + LABEL_PX + EDGE_PX


def layers_chart(analysis: Analysis) -> bytes:
    """The lecture's three bar charts for one model: activation memory, params and FLOPs per layer, in order."""
    rows, depth = layer_rows(analysis)
    t = analysis.totals
    panels = [("memory", "Activation memory", SUMMARY_MEMORY, "memory", memory_line(t.memory, t.input_memory),
               t.memory),
              ("params", "Parameters", SUMMARY_PARAMS, "params", count_line(t.params, SUMMARY_PARAMS), t.params),
              ("flops", "FLOPs", SUMMARY_FLOPS, "flops", count_line(t.flops, SUMMARY_FLOPS), t.flops)]
    with styled():
        fig = figure(LAYERS_HEIGHT)
        axes = fig.subplots(3, 1, sharex=True)
        for ax, (key, quantity, ladder, field, line, total) in zip(axes, panels):
            bars = grouped([Bar(r.name, getattr(r, field)) for r in rows])
            bar_panel(ax, bars, ladder, quantity, COLOURS[key], f"{quantity}: {line}{largest_share(bars, total)}")
        place(fig, 3, 1, LEFT_PX, label_layers(fig, axes[-1], bars))
        note = bars_note(depth, len(bars), any(r.children for r in rows), len(rows))
        axes[-1].set_xlabel(f"layers in order ({note})")
        title(fig, f"{analysis.spec.title or analysis.spec.name}: activation memory, parameters and FLOPs "
                   f"per layer\n{counted_for(analysis)}")
        return png(fig)


def time_chart(m: Measurement, analysis: Analysis) -> bytes:
    """Per-layer FLOPs (torch convention) beside the measured time of each layer, in order; `analysis` is the
    model's (any batch), for its name and its chart's depth."""
    layers, depth = timed_layers(m, analysis)
    name = analysis.spec.title or analysis.spec.name
    flops = grouped([Bar(layer.name, layer.flops) for layer in layers])
    times = grouped([Bar(layer.name, layer.seconds * 1e6) for layer in layers])
    whole, latency = micro(m.layer_sum) or 0.0, micro(m.latency) or 0.0
    with styled():
        fig = figure(TIME_HEIGHT)
        top, bottom = fig.subplots(2, 1, sharex=True)
        bar_panel(top, flops, SUMMARY_FLOPS, "FLOPs", COLOURS["flops"],
                  f"FLOPs (torch convention, 2 x MAC): {count_line(m.flops, SUMMARY_FLOPS)}"
                  f"{largest_share(flops, m.flops)}")
        bar_panel(bottom, times, MICROSECONDS, "Measured time", COLOURS["latency"],
                  f"Measured time, median per layer: {amount(whole, MICROSECONDS)} for the layers, "
                  f"{amount(latency, MICROSECONDS)} for the whole model{largest_share(times, whole)}")
        place(fig, 2, 1, LEFT_PX, label_layers(fig, bottom, times))
        note = bars_note(depth, len(times), depth == 0 and any(layer.depth for layer in m.layers), len(layers))
        bottom.set_xlabel(f"layers in order ({note}; in-place layers included)")
        device = m.environment.get("device_name")
        title(fig, f"{name}: FLOPs and measured time per layer\nbatch {m.batch}, {m.dtype} on {m.device}"
                   f"{f' ({device})' if device and device != m.device else ''}, eager forward passes timed layer "
                   "by layer")
        return png(fig)


# ---- comparison ----------------------------------------------------------------------------------------------

COMPARED = (("params", "Parameters", SUMMARY_PARAMS), ("memory", "Activation memory", SUMMARY_MEMORY),
            ("flops", "FLOPs", SUMMARY_FLOPS))


def comparison_height(entries: int) -> float:
    """Inches: room for the title, the axes and one line per compared entry."""
    return max(4.0, 1.6 + 0.28 * entries)


def entry_labels(c: Comparison) -> list[str]:
    """Model names, with the batch and dtype when the comparison has more than one cell."""
    cells = {e.cell for e in c.entries}
    return [e.model if len(cells) == 1 else f"{e.model}, batch {e.cell[0]}, {e.cell[1]}" for e in c.entries]


def compared(c: Comparison) -> Iterator[tuple[str, str, Sequence[Unit], list[float | None]]]:
    """(key, quantity, ladder, values) for each panel: the analytic figures, then latency when measured."""
    for key, quantity, ladder in COMPARED:
        yield key, quantity, ladder, [e.value(key) for e in c.entries]
    if c.device is not None:
        yield "latency", "Measured latency", MICROSECONDS, [micro(e.value("latency")) for e in c.entries]


def hbar_panel(fig: Figure, ax: Axes, c: Comparison, width: float, key: str, quantity: str, ladder: Sequence[Unit],
               values: list[float | None]) -> None:
    """One horizontal bar per entry, its value (in its own unit) and its ratio to the baseline written beside it;
    the axis runs far enough right for the longest of those texts to fit in the panel's `width` pixels."""
    s = scale([v or 0.0 for v in values], ladder)
    shown = [(v or 0.0) / s.unit.size for v in values]
    ratios = [None if e.model == c.baseline else c.ratio(e, key) for e in c.entries]
    texts = [" not measured" if v is None else f" {amount(v, ladder)}" + (f"  ({ratio_text(r)})" if r else "")
             for v, r in zip(values, ratios)]
    ax.barh(range(len(values)), shown, color=COLOURS[key], height=0.7)
    ax.set_title(quantity)
    ax.set_xlabel(axis_label(quantity, s))
    ax.grid(axis="y", visible=False)
    bars = max(0.3, 1 - (text_px(fig, texts, 8) + 8) / width)  # the bars' share
    right = max(shown, default=0.0) or 1.0
    if s.log:
        ax.set_xscale("log")
        low = min(v for v in shown if v > 0) / 2
        ax.set_xlim(low, low * (right / low) ** (1 / bars))
    else:
        low = 0.0
        ax.set_xlim(0, right / bars)
    value_axis(ax.xaxis, s, ladder)
    ax.set_ylim(len(values) - 0.5, -0.5)  # the first entry on top
    for i, text in enumerate(texts):
        ax.text(shown[i] if shown[i] > 0 else low, i, text, va="center", fontsize=8)


def comparison_chart(c: Comparison, heading: str) -> bytes:
    """Models side by side: params, activation memory, FLOPs (and measured latency), ratios to the baseline."""
    panels = list(compared(c))
    first = c.entries[0].analysis.options
    with styled():
        fig = figure(comparison_height(len(c.entries)))
        axes = fig.subplots(1, len(panels), sharey=True)
        labels, gap = entry_labels(c), 28
        left = text_px(fig, labels, 8) + 16
        place(fig, 1, len(panels), left, 2 * LABEL_PX + EDGE_PX, gap)
        width = (WIDTH * DPI - left - EDGE_PX - gap * (len(panels) - 1)) / len(panels)
        for ax, panel in zip(axes, panels):
            hbar_panel(fig, ax, c, width, *panel)
        axes[0].set_yticks(range(len(c.entries)), labels)
        axes[0].tick_params(axis="y", length=0)
        cells = "each at its batch and dtype" if len({e.cell for e in c.entries}) > 1 else \
            f"batch {first.batch}, {first.dtype}"
        title(fig, f"{heading}\n{cells}, {first.flops} FLOP convention, "
                   f"{'biases counted' if first.bias else 'biases left out'}; ratios to {c.baseline}"
                   + (f"; latency measured on {c.device}" if c.device else ""))
        return png(fig)
