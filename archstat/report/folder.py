"""What a report folder holds, file by file, and writing it: each file atomically, README.md last.

Every table is rendered by the renderers `archstat table` and `archstat compare` use; this module only names the
files and puts them in order.
"""
from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from archstat.analysis import Analysis
from archstat.comparison import Comparison
from archstat.measurement import Measurement
from archstat.output import Content, OutputError, write_file
from archstat.render import Format, View, render, render_grid
from archstat.render.measured import compare_grid, layers_grid

SCHEMA = "archstat.report/1"
INDEX = "report.json"
README = "README.md"


@dataclass(frozen=True)
class File:
    """One file of a report: its path inside the folder, what it holds, and how to make its content."""

    path: str
    kind: str  # "table" (CSV or JSON), "chart" (PNG), "index" (report.json) or "readme"
    content: Callable[[], Content] = field(repr=False, compare=False)
    model: str | None = None
    pixels: tuple[int, int] | None = None  # a chart's (width, height)

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "kind": self.kind, "model": self.model,
                "pixels": list(self.pixels) if self.pixels else None}


@dataclass(frozen=True)
class Model:
    """One model's part of the report: its analysis (at the first batch and dtype) and its files' stem."""

    analysis: Analysis
    stem: str

    @property
    def name(self) -> str:
        return self.analysis.spec.name

    @property
    def title(self) -> str:
        return self.analysis.spec.title or self.name

    def path(self, kind: str) -> str:
        return file_path(self.stem, kind)


def file_path(stem: str, kind: str) -> str:
    """Where a file of the report goes: charts/STEM.png, tables/STEM.csv, tables/STEM.json."""
    return f"charts/{stem}.png" if kind == "png" else f"tables/{stem}.{kind}"


@dataclass(frozen=True)
class Timed:
    """A measured cell with per-layer times: one chart and one table of time per layer."""

    measurement: Measurement
    model: Model

    @property
    def stem(self) -> str:
        m = self.measurement
        return f"{self.model.stem}-batch{m.batch}-{m.dtype}-time"

    def path(self, kind: str) -> str:
        return file_path(self.stem, kind)


@dataclass(frozen=True)
class Report:
    """A comparison laid out as a folder: the title, the command that made it, and the view of its tables."""

    title: str
    command: str
    comparison: Comparison
    view: View
    models: tuple[Model, ...]
    timed: tuple[Timed, ...] = ()

    @property
    def measured(self) -> bool:
        return self.comparison.device is not None

    def files(self) -> tuple[File, ...]:
        """Every file in the order it is written: tables, charts, then report.json and README.md."""
        from archstat.report import readme

        return (*self.tables(), *self.charts(),
                File(INDEX, "index", lambda: index(self)), File(README, "readme", lambda: readme.text(self)))

    def tables(self) -> list[File]:
        files = [File(f"comparison.{fmt.value}", "table", _compared(self.comparison, fmt))
                 for fmt in (Format.csv, Format.json)]
        for m in self.models:
            files += [File(m.path("csv"), "table", _rendered(m.analysis, Format.csv, View(depth=None)), m.name),
                      File(m.path("json"), "table", _rendered(m.analysis, Format.json, self.view), m.name)]
        for t in self.timed:
            files += [File(t.path(fmt.value), "table", _grid(t.measurement, fmt), t.model.name)
                      for fmt in (Format.csv, Format.json)]
        return files

    def charts(self) -> list[File]:
        from archstat.render import charts

        files = [File("charts/comparison.png", "chart", lambda: charts.comparison_chart(self.comparison, self.title),
                      pixels=charts.size(charts.comparison_height(len(self.comparison.entries))))]
        files += [File(m.path("png"), "chart", _chart(charts.layers_chart, m.analysis), m.name,
                       charts.size(charts.LAYERS_HEIGHT)) for m in self.models]
        files += [File(t.path("png"), "chart", _chart(charts.time_chart, t.measurement, t.model.analysis), t.model.name,
                       charts.size(charts.TIME_HEIGHT)) for t in self.timed]
        return files


def _rendered(analysis: Analysis, fmt: Format, view: View) -> Callable[[], Content]:
    return lambda: render(analysis, fmt, view)


def _compared(c: Comparison, fmt: Format) -> Callable[[], Content]:
    return lambda: render_grid(compare_grid(c), fmt)


def _grid(m: Measurement, fmt: Format) -> Callable[[], Content]:
    return lambda: render_grid(layers_grid(m, None), fmt)


def _chart(draw: Callable[..., bytes], *args: Any) -> Callable[[], Content]:
    return lambda: draw(*args)


def stems(names: Iterable[str]) -> list[str]:
    """File-name stems for model names: letters, digits, '_' and '-' only, each one once (vgg16, vgg16-2)."""
    seen: dict[str, int] = {}
    result = []
    for name in names:
        stem = re.sub(r"[^A-Za-z0-9_-]+", "-", name).strip("-") or "model"
        seen[stem] = seen.get(stem, 0) + 1
        result.append(stem if seen[stem] == 1 else f"{stem}-{seen[stem]}")
    return result


def plan_report(comparison: Comparison, title: str | None = None, command: str = "archstat report",
                view: View | None = None) -> Report:
    """The report of a comparison: one section per model at the comparison's first batch and dtype, the measured
    cells with per-layer times, and the title (by default the models' names)."""
    first = comparison.entries[0].cell
    analyses = [e.analysis for e in comparison.entries if e.cell == first]
    models = tuple(Model(a, stem) for a, stem in zip(analyses, stems(a.spec.name for a in analyses)))
    by_name = {m.name: m for m in models}
    timed = tuple(Timed(e.measurement, by_name[e.model]) for e in comparison.entries
                  if e.measurement is not None and e.measurement.layers)
    return Report(title or default_title(models), command, comparison, view or View(), models, timed)


def default_title(models: tuple[Model, ...]) -> str:
    """One model's title, a few models' names, or how many models."""
    names = [m.name for m in models]
    if len(names) == 1:
        return models[0].title
    return f"{', '.join(names[:-1])} and {names[-1]}" if len(names) <= 6 else f"{len(names)} models"


def versions(report: Report) -> dict[str, str | None]:
    """archstat's and matplotlib's versions, and when measured torch's, CUDA's and cuDNN's."""
    from importlib.metadata import PackageNotFoundError, version

    import archstat

    try:
        drawn_with: str | None = version("matplotlib")
    except PackageNotFoundError:
        drawn_with = None
    found = {"archstat": archstat.__version__, "matplotlib": drawn_with}
    ran = next((e.measurement for e in report.comparison.entries if e.measurement and e.measurement.ok), None)
    if ran is not None:
        found.update({key: ran.environment.get(key) for key in ("torch", "cuda", "cudnn")})
    return found


def index(report: Report) -> str:
    """report.json: what the folder holds, how it was made, with which versions (schema archstat.report/1)."""
    c, first = report.comparison, report.comparison.entries[0].analysis.options
    data = {
        "schema": SCHEMA, "title": report.title, "command": report.command, "versions": versions(report),
        "options": {"batch": sorted({e.cell[0] for e in c.entries}), "dtype": list(dict.fromkeys(e.cell[1] for e in
                                                                                                  c.entries)),
                    "flops": first.flops, "bias": first.bias, "baseline": c.baseline, "depth": report.view.depth},
        "device": c.device, "settings": c.settings.to_dict() if c.settings else None, "complete": c.complete,
        "models": [{"name": m.name, "title": m.title, "file": m.analysis.to_dict()["model"]["file"],
                    "stem": m.stem} for m in report.models],
        "files": [f.to_dict() for f in report.files() if f.kind != "index"],
    }
    return json.dumps(data, indent=2) + "\n"


class ReportError(Exception):
    """The report stopped part-way: why, which files were written, and which were not."""

    def __init__(self, message: str, written: list[str], missing: list[str], interrupted: bool = False):
        super().__init__(message)
        self.written, self.missing, self.interrupted = written, missing, interrupted


def earlier_files(folder: Path) -> set[str]:
    """The files an earlier report in this folder wrote, as its report.json lists them (none if there is none)."""
    try:
        index = json.loads((folder / INDEX).read_text(encoding="utf-8"))
        listed = {f["path"] for f in index["files"]} if index.get("schema") == SCHEMA else set()
    except (OSError, ValueError, KeyError, TypeError):
        return set()
    return {p for p in listed if isinstance(p, str) and ".." not in Path(p).parts and not Path(p).is_absolute()}


def remove_stale(folder: Path, earlier: set[str], report: Report) -> list[str]:
    """Remove the files of the earlier report that this one did not write (a model no longer reported)."""
    stale = sorted(earlier - {f.path for f in report.files()})
    for path in stale:
        try:
            (folder / path).unlink(missing_ok=True)
        except OSError:  # left as it was: the new report is complete without it
            pass
    return stale


def write_report(report: Report, folder: Path, protect: Iterable[Path] = (),
                 step: Callable[[str], None] | None = None) -> list[Path]:
    """Write every file of the report under folder, each atomically (complete or not there at all), README.md
    last, then remove what an earlier report there wrote and this one does not; the paths written. ReportError,
    naming the files not written, if one cannot be made or written (nothing is removed then)."""
    earlier = earlier_files(folder)
    files, written = report.files(), []
    for i, f in enumerate(files):
        if step is not None:
            step(f.path)
        try:
            write_file(folder / f.path, f.content(), protect)
        except (Exception, KeyboardInterrupt) as exc:
            why = str(exc) if isinstance(exc, OutputError) else "interrupted" if isinstance(exc, KeyboardInterrupt) \
                else f"cannot make {f.path}: {type(exc).__name__}: {exc}"
            raise ReportError(why, [g.path for g in files[:i]], [g.path for g in files[i:]],
                              isinstance(exc, KeyboardInterrupt)) from exc
        written.append(folder / f.path)
    remove_stale(folder, earlier, report)
    return written
