"""Turn spec YAML into a frozen Spec, collecting every problem with its file, line and layer."""
from __future__ import annotations

import os
import re
import stat
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

from archstat.errors import Problems, brief, describe, did_you_mean, nearest
from archstat.expr import (
    IN_CHANNELS,
    Deferred,
    InputChannels,
    NeedsShapes,
    Pending,
    check_names,
    unknown_name,
    value_of,
)
from archstat.fields import REQUIRED, parse_shape
from archstat.layers import FIT_MODES, LAYER_KINDS
from archstat.layers.joins import split_channels
from archstat.spec import STRUCTURES, Composite, Layer, Node, Spec
from archstat.yamlload import LineDict, LineList, load_yaml

TOP_LEVEL_KEYS = ("name", "title", "source", "notes", "input", "fit", "blocks", "layers")
REPEAT = "repeat"
NAME_PATTERN = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_\-]*\Z")  # \Z: "a\n" is no name
PLACEHOLDER = re.compile(r"\{(\w+)\}")
BLOCK_KEYS = ("params", "layers", "doc")
REPEAT_KEYS = ("layers", "start")
AFTER = "after"  # a joined structure's layers on the join's output
JOIN_MARK = "<join>"  # in a scope's names: taken by the join of the structure that owns the scope
SLICE_MARK = "<slice>"  # ... or by one of the slices a split's branches read
# Every spec is unrolled in full, so these bound the work a typo (or a hostile file) can ask for.
MAX_REPEAT = 10_000
MAX_ENTRIES = 100_000
MAX_DEPTH = 50
MAX_NAME = 100
MAX_SPEC_BYTES = 2 * 1024 * 1024  # a spec is a few KB; reading more is a mistake (or /dev/zero)
NOTHING_DEFERRED: Mapping[str, Deferred] = MappingProxyType({})  # what almost every layer has


class SpecFileError(Exception):
    """The spec file itself could not be read (missing, unreadable): the tool could not run."""


def load_spec(path: str | Path) -> Spec:
    """Read and parse one spec file: a regular file of at most MAX_SPEC_BYTES, refused at once otherwise."""
    if not isinstance(path, (str, os.PathLike)):
        raise SpecFileError(f"a spec file is named by a path, got {describe(path)}")
    path = Path(path)
    try:
        text = _read_spec_file(path)
    except (OSError, ValueError) as exc:  # ValueError: not UTF-8, or a NUL in the path
        raise SpecFileError(f"cannot read spec {path}: {getattr(exc, 'strerror', None) or exc}") from None
    return parse_spec(text, str(path))


def _read_spec_file(path: Path) -> str:
    """The file's text; a FIFO, a device or a file over the size cap is refused before anything is read."""
    with open(path, "rb", opener=_nonblocking) as file:
        info = os.fstat(file.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise SpecFileError(f"cannot read spec {path}: it is not a regular file (a FIFO, a device or a socket); "
                                "archstat reads spec files only")
        if info.st_size > MAX_SPEC_BYTES:
            raise SpecFileError(f"cannot read spec {path}: it is {info.st_size:,} bytes, over the "
                                f"{MAX_SPEC_BYTES:,}-byte limit for a spec (the largest bundled spec is under 10 KB)")
        data = file.read(MAX_SPEC_BYTES + 1)
    if len(data) > MAX_SPEC_BYTES:  # it grew while we read it
        raise SpecFileError(f"cannot read spec {path}: it is over the {MAX_SPEC_BYTES:,}-byte limit for a spec")
    return data.decode("utf-8")


def _nonblocking(path: str, flags: int) -> int:
    """Open without waiting: a FIFO with no writer must not hang the command before it can be refused."""
    return os.open(path, flags | getattr(os, "O_NONBLOCK", 0))


def parse_spec(text: str, file: str = "<spec>") -> Spec:
    """Parse spec text; raises SpecError listing every problem found."""
    problems = Problems(file)
    data = load_yaml(_decoded(text, problems), problems)
    if not isinstance(data, LineDict):
        if not problems:
            problems.add(f"a spec is a mapping with at least 'input' and 'layers', got {describe(data)}",
                         getattr(data, "line", 1) or 1)
        problems.raise_if_any()
    try:
        spec = _read_spec(data, file, problems)
    except RecursionError:  # MAX_DEPTH stops nesting well before this; a backstop for what it does not see
        problems.add("the spec nests blocks and structures too deeply to read", data.line)
    problems.raise_if_any()
    return spec


def _decoded(text: Any, problems: Problems) -> str:
    """Spec text as str, as load_spec reads a file: bytes must be UTF-8, and nothing else is text."""
    if isinstance(text, (bytes, bytearray)):
        try:
            return bytes(text).decode("utf-8")
        except UnicodeDecodeError as exc:
            problems.add(f"the spec is not UTF-8 text (byte {exc.object[exc.start]:#04x} cannot be read); save it as "
                         "UTF-8", text.count(b"\n", 0, exc.start) + 1)
    elif not isinstance(text, str):
        problems.add(f"a spec is YAML text (str or bytes), got {type(text).__name__}", 1)
    problems.raise_if_any()
    return text


def _read_spec(data: LineDict, file: str, problems: Problems) -> Spec:
    for key in data:
        if key not in TOP_LEVEL_KEYS:
            problems.add(f"unknown top-level key {brief(key)}{did_you_mean(key, TOP_LEVEL_KEYS)}", data.key_lines[key])
    parser = _Parser(problems, _read_blocks(data.get("blocks"), data, problems))
    return Spec(
        name=_text(data, "name", problems) or Path(file).stem,
        title=_text(data, "title", problems),
        source=_text(data, "source", problems),
        notes=_text(data, "notes", problems),
        input=_read_input(data, problems),
        fit=_read_fit(data, problems),
        layers=parser.top_level(data),
        file=file,
    )


def _text(data: LineDict, key: str, problems: Problems) -> str:
    value = data.get(key, "")
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        problems.add(f"'{key}' must be text, got {describe(value)}", data.key_lines.get(key))
        return ""
    text = str(value).strip()
    control = next((c for c in text if not c.isprintable() and c not in "\n\t"), None)
    if control is not None:  # an escape sequence in a title would reach the terminal as it is
        problems.add(f"'{key}' contains the control character {control!r} (code {ord(control)}); remove it",
                     data.key_lines.get(key))
        return ""
    return text


def _read_fit(data: LineDict, problems: Problems) -> str:
    fit = data.get("fit", "exact")
    if not isinstance(fit, str) or fit not in FIT_MODES:
        problems.add(f"'fit' must be 'exact' or 'floor', got {describe(fit)}{did_you_mean(fit, FIT_MODES)}",
                     data.key_lines.get("fit"))
        return "exact"
    return fit


def _read_input(data: LineDict, problems: Problems) -> tuple[int, ...]:
    if "input" not in data:
        problems.add("missing 'input': give the input size as [C, H, W] (e.g. [3, 224, 224]) or [features]", data.line)
        return (1,)
    try:
        return parse_shape(data["input"])
    except ValueError as exc:
        problems.add(f"'input' {exc}", data.key_lines["input"])
        return (1,)


# ---- reusable blocks -----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class BlockDef:
    """A block as written: its parameters (name -> default or REQUIRED) and its raw layer list."""

    name: str
    params: Mapping[str, Any]
    layers: Any
    line: int


@cache
def _reserved() -> frozenset[str]:
    return frozenset(LAYER_KINDS) | frozenset(STRUCTURES) | {REPEAT}


@cache
def _field_words() -> frozenset[str]:
    """Keys that sit beside a kind in an entry; a block named like one would make entries ambiguous."""
    fields = {name for kind in LAYER_KINDS.values() for name in kind.field_names()}
    paths = {name for structure in STRUCTURES.values() for name in (*structure.paths, *structure.fields)}
    return frozenset(fields | paths | set(REPEAT_KEYS) | {AFTER})


def _read_blocks(raw: Any, data: LineDict, problems: Problems) -> dict[str, BlockDef]:
    if raw is None:
        return {}
    if not isinstance(raw, LineDict):
        problems.add(f"'blocks' must map block names to {{params, layers}}, got {describe(raw)}",
                     data.key_lines.get("blocks"))
        return {}
    blocks = {}
    for name, body in raw.items():
        line = raw.key_lines[name]
        if name in _reserved() or name in _field_words():
            what = "a layer kind" if name in _reserved() else "a field name"
            problems.add(f"block name '{name}' is already {what}; choose another name", line)
            continue
        if not NAME_PATTERN.match(name) or len(name) > MAX_NAME:
            problems.add(f"block name {brief(name)} {_bad_name(name)}", line)
            continue
        if not isinstance(body, LineDict) or "layers" not in body:
            problems.add(f"block '{name}' needs 'layers' (and optional 'params', 'doc')", line)
            continue
        for key in body:
            if key not in BLOCK_KEYS:
                problems.add(f"unknown key {brief(key)} in block '{name}'{did_you_mean(key, BLOCK_KEYS)}"
                             f" (keys: {', '.join(BLOCK_KEYS)})", body.key_lines[key])
        if not isinstance(body["layers"], LineList) or not body["layers"]:
            problems.add(f"'layers' of block '{name}' must be a non-empty list of layers, got "
                         f"{describe(body['layers'])}", body.key_lines["layers"])
            continue
        blocks[name] = BlockDef(name, _read_params(body.get("params"), name, body, problems), body["layers"], line)
    return blocks


def _read_params(raw: Any, block: str, body: LineDict, problems: Problems) -> dict[str, Any]:
    line = body.key_lines.get("params", body.line)
    if raw is None:
        return {}
    if isinstance(raw, LineList):
        raw = {str(name): None for name in raw}
    if not isinstance(raw, dict):
        problems.add(f"'params' of block '{block}' must be a list of names or a mapping of name: default, "
                     f"got {describe(raw)}", line)
        return {}
    params = {}
    for name, default in raw.items():
        if not str(name).isidentifier() or name in _reserved():
            problems.add(f"parameter {brief(name)} of block '{block}' must be a plain name (letters, digits, '_') "
                         "that is not a layer kind", line)
            continue
        if name == IN_CHANNELS:
            problems.add(f"parameter '{IN_CHANNELS}' of block '{block}' is already the channel count of the block's "
                         "input, known once shapes are propagated; choose another name", line)
            continue
        params[str(name)] = REQUIRED if default is None else default
    return params


def _kinds_used(raw: Any, blocks: Mapping[str, BlockDef]) -> set[str]:
    """The blocks a raw layer list uses as kinds: '- name' items and entry keys, at any depth."""
    found: set[str] = set()
    todo, seen = [raw], set()
    while todo:
        item = todo.pop()
        if id(item) in seen:  # YAML aliases share objects; visit each once
            continue
        seen.add(id(item))
        if isinstance(item, dict):
            found.update(key for key in item if key in blocks)
            todo.extend(v for v in item.values() if isinstance(v, (dict, list)))
        elif isinstance(item, list):
            found.update(v for v in item if isinstance(v, str) and v in blocks)
            todo.extend(v for v in item if isinstance(v, (dict, list)))
    return found


def _find_cycles(blocks: Mapping[str, BlockDef], problems: Problems) -> set[str]:
    """Report each cycle of blocks using each other once; the blocks that reach one cannot be expanded."""
    uses = {name: _kinds_used(b.layers, blocks) for name, b in blocks.items()}
    state: dict[str, str] = {}
    broken: set[str] = set()
    reported: set[frozenset[str]] = set()

    def visit(name: str, trail: list[str]) -> bool:
        """True when `name` reaches a cycle."""
        if state.get(name) == "active":
            cycle = trail[trail.index(name):] + [name]
            if frozenset(cycle) not in reported:
                reported.add(frozenset(cycle))
                first = min(cycle, key=lambda b: blocks[b].line)
                problems.add(f"block '{first}' contains itself: {' -> '.join(_rotate(cycle, first))}; "
                             "a block cannot use itself, directly or through other blocks", blocks[first].line)
            return True
        if state.get(name) == "done":
            return name in broken
        state[name] = "active"
        reaches = False
        for used in sorted(uses[name]):
            reaches = visit(used, trail + [name]) or reaches
        state[name] = "done"
        if reaches:
            broken.add(name)
        return reaches

    for name in blocks:
        visit(name, [])
    return broken


def _rotate(cycle: list[str], first: str) -> list[str]:
    """The cycle a -> b -> a written to start and end at `first`."""
    ring = cycle[:-1]
    start = ring.index(first)
    return ring[start:] + ring[:start] + [first]


# ---- layers --------------------------------------------------------------------------------------------------

@dataclass
class _Scope:
    """The names taken inside one parent; children are called parent.child."""

    prefix: str
    depth: int = 0
    names: dict[str, tuple[int, str | None]] = field(default_factory=dict)  # name -> (line, kind if auto-named)
    counters: Counter = field(default_factory=Counter)

    def path(self, name: str) -> str:
        return f"{self.prefix}{name}"

    def child(self, name: str) -> _Scope:
        return _Scope(f"{self.prefix}{name}.", self.depth + 1)

    @property
    def owner(self) -> str | None:
        return self.prefix.rstrip(".") or None


@dataclass
class _Entry:
    key: str
    name: Any
    fields: dict[str, Any]
    field_lines: dict[str, int]
    line: int


class _TooLarge(Exception):
    """The spec unrolls to more entries than MAX_ENTRIES."""


class _Parser:
    def __init__(self, problems: Problems, blocks: dict[str, BlockDef]):
        self.problems = problems
        self.blocks = blocks
        self.broken = _find_cycles(blocks, problems)
        self.kinds = _reserved() | set(blocks)
        self.entries = 0

    def top_level(self, data: LineDict) -> tuple[Node, ...]:
        if "layers" not in data:
            self.problems.add("missing 'layers': list the model's layers in order", data.line)
            return ()
        try:
            return self.sequence(data["layers"], data.key_lines["layers"], {}, _Scope(""), "layers")
        except _TooLarge as exc:
            self.problems.add(f"the spec unrolls to more than {MAX_ENTRIES:,} layers (repeats and blocks multiply); "
                              "archstat stops there", *exc.args)
            return ()

    def sequence(self, raw: Any, line: int, env: dict[str, Any], scope: _Scope, what: str) -> tuple[Node, ...]:
        if not isinstance(raw, LineList) or not raw:
            hint = "" if isinstance(raw, LineList) else f", got {describe(raw)}"
            self.problems.add(f"'{what}' must be a non-empty list of layers{hint}", line, scope.owner)
            return ()
        nodes: list[Node] = []
        for item, item_line in zip(raw, raw.item_lines):
            nodes.extend(self.entry(item, item_line, env, scope))
        return tuple(nodes)

    def split(self, raw: Any, line: int, scope: _Scope) -> _Entry | None:
        """Find the one key that says what an entry is; the other keys are its fields."""
        if isinstance(raw, str):
            raw = LineDict({raw: None})
            raw.line, raw.key_lines = line, {next(iter(raw)): line}
        if not isinstance(raw, LineDict) or not raw:
            hint = " (a list inside a list of layers: did you mean a concat's 'branches'?)" \
                if isinstance(raw, LineList) else ""
            self.problems.add(f"a layer is written as '- kind: name' plus its fields, got {describe(raw)}{hint}",
                              line, scope.owner)
            return None
        keys = [key for key in raw if key in self.kinds]
        if len(keys) != 1:
            self._report_kind(raw, keys, line, scope)
            return None
        key = keys[0]
        fields = {k: v for k, v in raw.items() if k != key}
        return _Entry(key, raw[key], fields, {k: raw.key_lines[k] for k in fields}, raw.line or line)

    def _report_kind(self, raw: LineDict, keys: list[str], line: int, scope: _Scope) -> None:
        if keys:
            self.problems.add(f"one entry names several kinds ({', '.join(keys)}); put each in its own '- ' item",
                              line, scope.owner)
            return
        first = next(iter(raw))
        name = raw[first]
        named = isinstance(name, (str, int)) and not isinstance(name, bool) and len(str(name)) <= MAX_NAME
        layer = scope.path(str(name)) if named else scope.owner
        hint = did_you_mean(first, self.kinds)
        if not hint:
            blocks = f"; blocks defined here: {', '.join(self.blocks)}" if self.blocks else "; no blocks are defined"
            hint = f" (layer kinds: {', '.join(sorted(LAYER_KINDS))}{blocks})"
        self.problems.add(f"unknown layer kind {brief(first)}{hint}", raw.key_lines[first], layer)

    def entry(self, raw: Any, line: int, env: dict[str, Any], scope: _Scope) -> list[Node]:
        self.entries += 1
        if self.entries > MAX_ENTRIES:
            raise _TooLarge(line, scope.owner)
        entry = self.split(raw, line, scope)
        if entry is None:
            return []
        if entry.key == REPEAT:
            return self.repeat(entry, env, scope)
        name = self.name(entry, env, scope)
        if name is None:
            return []
        if entry.key in STRUCTURES or entry.key in self.blocks:
            if scope.depth >= MAX_DEPTH:
                self.problems.add(f"blocks and structures nest more than {MAX_DEPTH} levels deep here",
                                  entry.line, scope.path(name))
                return []
            if entry.key in STRUCTURES:
                return [self.composite(entry, name, env, scope)]
            return [self.instance(entry, name, env, scope)]
        return [self.layer(entry, name, env, scope)]

    def name(self, entry: _Entry, env: dict[str, Any], scope: _Scope) -> str | None:
        raw = entry.name
        auto = raw is None
        if auto:
            base = entry.key
            while True:
                scope.counters[base] += 1
                name = f"{base}{scope.counters[base]}"
                if name not in scope.names:
                    break
        elif isinstance(raw, dict):
            self.problems.add(
                f"the name of this {entry.key} must be text, got {describe(raw)}; write the fields beside the kind, "
                f"as in '- {entry.key}: name' with the fields on the next lines, indented like '{entry.key}'",
                entry.line, scope.owner)
            return None
        elif isinstance(raw, (bool, float)) or not isinstance(raw, (str, int)):
            self.problems.add(f"the name of this {entry.key} must be text, got {describe(raw)}", entry.line,
                              scope.owner)
            return None
        else:
            try:
                name = PLACEHOLDER.sub(lambda m: _placeholder(m.group(1), env, raw), str(raw))
            except ValueError as exc:
                self.problems.add(str(exc), entry.line, scope.path(str(raw)) if len(str(raw)) <= MAX_NAME
                                  else scope.owner)
                return None
            if not NAME_PATTERN.match(name) or len(name) > MAX_NAME:
                self.problems.add(f"layer name {brief(name)} {_bad_name(name)}", entry.line,
                                  scope.owner if len(name) > MAX_NAME else scope.path(name))
                return None
        if name in scope.names:
            self.problems.add(self._duplicate(name, entry.line, scope, env), entry.line, scope.path(name))
            return None
        scope.names[name] = (entry.line, entry.key if auto else None)
        return name

    @staticmethod
    def _duplicate(name: str, line: int, scope: _Scope, env: dict[str, Any]) -> str:
        first_line, auto_kind = scope.names[name]
        if auto_kind == JOIN_MARK:
            return (f"layer name '{name}' is taken: it names the {name} that joins '{scope.owner}' (its row is "
                    f"'{scope.owner}.{name}'); choose another name for this layer")
        if auto_kind == SLICE_MARK:
            return (f"layer name '{name}' is taken: it names the channels of its input that a branch of "
                    f"'{scope.owner}' reads (its row is '{scope.owner}.{name}'); choose another name for this layer")
        if auto_kind is not None:
            return (f"duplicate layer name '{name}': the unnamed {auto_kind} on line {first_line} is already called "
                    f"'{name}'; choose another name, or name that {auto_kind}")
        if "i" in env and first_line == line:
            return (f"duplicate layer name '{name}': every copy made by the repeat is called '{name}'; put {{i}} in "
                    f"the name, as in '{name}{{i}}', so each copy gets its own")
        hint = "; inside a repeat, put {i} in the name so each copy gets its own" if "i" in env else ""
        return f"duplicate layer name '{name}' (first on line {first_line}){hint}"

    @staticmethod
    def value(raw: Any, env: dict[str, Any], line: int, what: str, layer: str | None) -> Any:
        """The value as written, its expressions computed; a Deferred when one reads in_channels."""
        if not isinstance(raw, (str, list)):  # most values are plain numbers and flags
            return raw
        try:
            return value_of(raw, env)
        except NeedsShapes:
            check_names(raw, env)
            return Deferred(raw, MappingProxyType(dict(env)), line, what, layer)

    def static(self, raw: Any, env: dict[str, Any], what: str) -> Any:
        """A value the spec's layout depends on (a repeat count), so it cannot wait for shapes."""
        value = self.value(raw, env, 0, what, None)
        if isinstance(value, Pending):
            raise ValueError(f"{what} {brief(raw)} reads {IN_CHANNELS}, the channel count of a block's input, known "
                             "only once shapes are propagated; the layers are laid out before that")
        return value

    def layer(self, entry: _Entry, name: str, env: dict[str, Any], scope: _Scope) -> Layer:
        kind = LAYER_KINDS[entry.key]
        path, args, names = scope.path(name), {}, kind.field_names()
        deferred: dict[str, Deferred] = {}
        meant = set()  # fields a misspelt key stands for: not reported missing as well
        for key in entry.fields:
            if key not in names:
                close = nearest(key, names)
                meant.add(close)
                hint = f"; did you mean '{close}'?" if close else ""
                if key == "name":
                    hint = f"; the name goes after the kind, as in '- {entry.key}: {brief(entry.fields[key])}'"
                self.problems.add(f"unknown field {brief(key)} for {entry.key}{hint}"
                                  f" (fields: {', '.join(names) or 'none'})", entry.field_lines[key], path)
        for spec_field in kind.fields:
            if spec_field.name not in entry.fields:
                if spec_field.required and spec_field.name not in meant:
                    self.problems.add(f"{entry.key} needs '{spec_field.name}': {spec_field.doc}", entry.line, path)
                elif not spec_field.required:
                    args[spec_field.name] = spec_field.check(spec_field.default) if spec_field.default is not None \
                        else None
                continue
            line = entry.field_lines[spec_field.name]
            try:
                value = self.value(entry.fields[spec_field.name], env, line, f"field '{spec_field.name}'", path)
            except ValueError as exc:
                self.problems.add(f"field '{spec_field.name}': {exc}", line, path)
                continue
            if isinstance(value, Deferred):
                deferred[spec_field.name] = value
                continue
            try:
                args[spec_field.name] = spec_field.check(value)
            except ValueError as exc:
                self.problems.add(f"field '{spec_field.name}' {exc}", entry.field_lines[spec_field.name], path)
        return Layer(name, kind.name, MappingProxyType(args), entry.line,
                     MappingProxyType(deferred) if deferred else NOTHING_DEFERRED)

    def composite(self, entry: _Entry, name: str, env: dict[str, Any], scope: _Scope) -> Composite:
        structure = STRUCTURES[entry.key]
        join = structure.join
        keys = (*structure.paths, *structure.fields, *((AFTER,) if join is not None else ()))
        path = scope.path(name)
        inner = scope.child(name)
        if join is not None:  # the join's row is called '<name>.<join>': no layer inside may take that name
            inner.names[join] = (entry.line, JOIN_MARK)
        for key in entry.fields:
            if key not in keys:
                self.problems.add(f"unknown field {brief(key)} for {entry.key}{did_you_mean(key, keys)}"
                                  f" (fields: {', '.join(keys)})", entry.field_lines[key], path)
        paths: list[tuple[Node, ...]] = []
        fields: dict[str, Any] = {}
        if entry.key in ("concat", "split"):
            paths = self.branches(entry, env, inner, path)
            if entry.key == "split" and "channels" in entry.fields:
                raw = entry.fields.get("branches")
                fields["channels"] = self.channels(entry, env, len(raw) if isinstance(raw, LineList) else 0, path)
        elif entry.key == "residual":
            paths = [self.required_path(entry, "body", env, inner, path)]
            shortcut = entry.fields.get("shortcut")
            paths.append(() if shortcut is None or shortcut == [] else
                         self.sequence(shortcut, entry.field_lines["shortcut"], env, inner, "shortcut"))
        else:
            paths = [self.required_path(entry, structure.paths[0], env, inner, path)]
        after = self.sequence(entry.fields[AFTER], entry.field_lines[AFTER], env, inner, AFTER) \
            if join is not None and AFTER in entry.fields else ()
        return Composite(name, entry.key, tuple(paths), entry.line, fields=MappingProxyType(fields), after=after)

    def required_path(self, entry: _Entry, key: str, env: dict[str, Any], scope: _Scope, path: str) -> tuple[Node, ...]:
        if key not in entry.fields:
            self.problems.add(f"{entry.key} needs '{key}': a list of layers", entry.line, path)
            return ()
        return self.sequence(entry.fields[key], entry.field_lines[key], env, scope, key)

    def branches(self, entry: _Entry, env: dict[str, Any], scope: _Scope, path: str) -> list[tuple[Node, ...]]:
        """A concat's or split's branches; an empty one, [], passes its input on as it is."""
        raw = entry.fields.get("branches")
        if not isinstance(raw, LineList) or len(raw) < 2:
            self.problems.add(f"{entry.key} needs 'branches': a list of two or more layer lists ([] for one that "
                              f"passes its input on), got {describe(raw)}",
                              entry.field_lines.get("branches", entry.line), path)
            return []
        if entry.key == "split":  # each branch reads its channels through a slice called '<name>.slice<n>'
            for n in range(1, len(raw) + 1):
                scope.names.setdefault(f"slice{n}", (entry.line, SLICE_MARK))
        paths: list[tuple[Node, ...]] = []
        for branch, line in zip(raw, raw.item_lines):
            if isinstance(branch, LineList) and not branch:
                paths.append(())
            elif isinstance(branch, LineList):
                paths.append(self.sequence(branch, line, env, scope, "branches"))
            else:
                self.problems.add(f"each of the {entry.key}'s 'branches' is a list of layers, or [] for one that "
                                  f"passes its input on, got {describe(branch)}", line, path)
        return paths

    def channels(self, entry: _Entry, env: dict[str, Any], branches: int, path: str) -> Any:
        """A split's channels per branch, checked now when they are numbers, once shapes are known when not."""
        raw, line = entry.fields["channels"], entry.field_lines["channels"]
        with self.problems.at(line, path):
            try:
                value = self.value(raw, env, line, "field 'channels'", path)
            except ValueError as exc:
                raise ValueError(f"field 'channels': {exc}") from None
            if isinstance(value, Pending):
                return value
            try:
                counts = split_channels(value)
            except ValueError as exc:
                raise ValueError(f"field 'channels' {exc}") from None
            if branches and len(counts) != branches:
                raise ValueError(f"field 'channels' gives {len(counts)} counts for {branches} branches; give one "
                                 "per branch")
            return counts
        return None

    def instance(self, entry: _Entry, name: str, env: dict[str, Any], scope: _Scope) -> Composite:
        block, path = self.blocks[entry.key], scope.path(name)
        frame = InputChannels()  # this instance's in_channels, known once the engine reaches it
        args = self.arguments(entry, block, env, path, frame)
        if args is None or block.name in self.broken:
            return Composite(name, "group", (), entry.line, block.name, MappingProxyType(args or {}))
        inside = {**args, IN_CHANNELS: frame}
        sole = self.sole_structure(block)
        if sole is not None:  # the block is one unnamed concat/split/residual/scale: the instance is that structure
            node = self.composite(sole, name, inside, scope)
            return replace(node, line=entry.line, block=block.name, args=MappingProxyType(args), frame=frame)
        body = self.sequence(block.layers, block.line, inside, scope.child(name), "layers")
        return Composite(name, "group", (body,), entry.line, block.name, MappingProxyType(args), frame=frame)

    def arguments(self, entry: _Entry, block: BlockDef, env: dict[str, Any], path: str,
                  frame: InputChannels) -> dict[str, Any] | None:
        """The block's parameters for this use: given values (read in the caller's scope), else defaults (read in
        the block's, where in_channels is the instance's own)."""
        for key in entry.fields:
            if key not in block.params:
                listed = ", ".join(block.params) or "none"
                self.problems.add(f"unknown parameter {brief(key)} for block {block.name}"
                                  f"{did_you_mean(key, block.params)} (parameters: {listed})",
                                  entry.field_lines[key], path)
        args: dict[str, Any] = {}
        complete = True
        for param, default in block.params.items():
            if param in entry.fields:
                line, what = entry.field_lines[param], f"parameter '{param}'"
                with self.problems.at(line, path):
                    try:
                        args[param] = self.value(entry.fields[param], env, line, what, path)
                    except ValueError as exc:
                        raise ValueError(f"{what}: {exc}") from None
            elif default is REQUIRED:
                self.problems.add(f"block {block.name} needs '{param}' (parameters: {', '.join(block.params)})",
                                  entry.line, path)
            else:  # a default may use the parameters before it: {width: ~, out: "${width * 4}"}
                what = f"default of parameter '{param}' of block {block.name}"
                with self.problems.at(block.line, path):
                    try:
                        args[param] = self.value(default, {**args, IN_CHANNELS: frame}, block.line, what, path)
                    except ValueError as exc:
                        raise ValueError(f"{what}: {exc}") from None
            complete = complete and param in args
        return args if complete else None

    def sole_structure(self, block: BlockDef) -> _Entry | None:
        """The block's only entry, when it is an unnamed concat, split, residual or scale."""
        if len(block.layers) != 1:
            return None
        raw = block.layers[0]
        if not isinstance(raw, LineDict):
            return None
        keys = [key for key in raw if key in self.kinds]
        if keys not in (["concat"], ["split"], ["residual"], ["scale"]) or raw[keys[0]] is not None:
            return None
        key = keys[0]
        fields = {k: v for k, v in raw.items() if k != key}
        return _Entry(key, None, fields, {k: raw.key_lines[k] for k in fields}, raw.line)

    def repeat(self, entry: _Entry, env: dict[str, Any], scope: _Scope) -> list[Node]:
        label = scope.owner
        for key in entry.fields:
            if key not in REPEAT_KEYS:
                self.problems.add(f"unknown field {brief(key)} for repeat{did_you_mean(key, REPEAT_KEYS)}"
                                  f" (fields: {', '.join(REPEAT_KEYS)})", entry.field_lines[key], label)
        try:
            times = self.static(entry.name, env, "the repeat count")
            start = self.static(entry.fields.get("start", 1), env, "the repeat's 'start'")
            if isinstance(times, bool) or not isinstance(times, int) or times < 0:
                raise ValueError(f"repeat needs a count >= 0, as in 'repeat: 3', got {describe(times)}")
            if times > MAX_REPEAT:
                raise ValueError(f"repeat count {brief(times)} is more than {MAX_REPEAT:,}; every copy is unrolled, "
                                 "so counts that large are refused")
            if isinstance(start, bool) or not isinstance(start, int):
                raise ValueError(f"'start' of repeat must be a whole number, got {describe(start)}")
        except ValueError as exc:
            self.problems.add(str(exc), entry.line, label)
            return []
        if "layers" not in entry.fields:
            self.problems.add("repeat needs 'layers': the layers to repeat", entry.line, label)
            return []
        nodes: list[Node] = []
        for i in range(start, start + times):
            nodes.extend(self.sequence(entry.fields["layers"], entry.field_lines["layers"], {**env, "i": i},
                                       scope, "layers"))
        return nodes


def _bad_name(name: str) -> str:
    """What is wrong with a name that NAME_PATTERN or MAX_NAME refuses."""
    if len(name) > MAX_NAME:
        return f"is {len(name)} characters long; keep names to {MAX_NAME}"
    why = " ('.' separates nested names)" if "." in name else ""
    return f"may use only letters, digits, '_' and '-'{why}"


def _placeholder(name: str, env: Mapping[str, Any], raw: Any) -> str:
    if name not in env:
        raise ValueError(f"name {brief(raw)} uses {{{name}}}, {unknown_name(name, env)}")
    value = env[name]
    if isinstance(value, Pending):
        raise ValueError(f"name {brief(raw)} uses {{{name}}}, which reads {IN_CHANNELS}, the channel count of a "
                         "block's input, known only once shapes are propagated; a name cannot wait for that")
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise ValueError(f"name {brief(raw)} uses {{{name}}}, which is {describe(value)}; only text and whole "
                         "numbers can go in a name")
    return str(value)
