"""Turn spec YAML into a frozen Spec, collecting every problem with its file, line and layer."""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any

from archstat.errors import Problems, did_you_mean
from archstat.expr import evaluate, is_expression
from archstat.fields import REQUIRED
from archstat.layers import LAYER_KINDS
from archstat.spec import STRUCTURES, Composite, Layer, Node, Spec
from archstat.yamlload import LineDict, LineList, load_yaml

TOP_LEVEL_KEYS = ("name", "title", "source", "notes", "input", "fit", "blocks", "layers")
FIT_MODES = ("exact", "floor")
REPEAT = "repeat"
NAME_PATTERN = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_\-]*$")
PLACEHOLDER = re.compile(r"\{(\w+)\}")


class SpecFileError(Exception):
    """The spec file itself could not be read (missing, unreadable): the tool could not run."""


def load_spec(path: str | Path) -> Spec:
    """Read and parse one spec file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SpecFileError(f"cannot read spec {path}: {exc.strerror if isinstance(exc, OSError) else exc}") from None
    return parse_spec(text, str(path))


def parse_spec(text: str, file: str = "<spec>") -> Spec:
    """Parse spec text; raises SpecError listing every problem found."""
    problems = Problems(file)
    data = load_yaml(text, problems)
    problems.raise_if_any()
    if not isinstance(data, LineDict):
        problems.add("a spec is a mapping with at least 'input' and 'layers'", getattr(data, "line", 1) or 1)
        problems.raise_if_any()
    for key in data:
        if key not in TOP_LEVEL_KEYS:
            problems.add(f"unknown top-level key '{key}'{did_you_mean(key, TOP_LEVEL_KEYS)}", data.key_lines[key])
    parser = _Parser(problems, _read_blocks(data.get("blocks"), data, problems))
    spec = Spec(
        name=_text(data, "name", problems) or Path(file).stem,
        title=_text(data, "title", problems),
        source=_text(data, "source", problems),
        notes=_text(data, "notes", problems),
        input=_read_input(data, problems),
        fit=_read_fit(data, problems),
        layers=parser.top_level(data),
        file=file,
    )
    problems.raise_if_any()
    return spec


def _text(data: LineDict, key: str, problems: Problems) -> str:
    value = data.get(key, "")
    if not isinstance(value, (str, int, float)):
        problems.add(f"'{key}' must be text", data.key_lines.get(key))
        return ""
    return str(value).strip()


def _read_fit(data: LineDict, problems: Problems) -> str:
    fit = data.get("fit", "exact")
    if fit not in FIT_MODES:
        problems.add(f"'fit' must be 'exact' or 'floor', got {fit!r}", data.key_lines.get("fit"))
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


def parse_shape(value: Any) -> tuple[int, ...]:
    """[C, H, W], [F] or the text '3x224x224'; ValueError otherwise."""
    if isinstance(value, str):
        try:
            value = [int(part) for part in value.lower().split("x")]
        except ValueError:
            raise ValueError(f"must look like 3x224x224, got {value!r}") from None
    if not isinstance(value, (list, tuple)) or len(value) not in (1, 3):
        raise ValueError(f"must be [C, H, W] or [features], got {value!r}")
    if any(isinstance(d, bool) or not isinstance(d, int) or d < 1 for d in value):
        raise ValueError(f"sizes must be whole numbers >= 1, got {list(value)!r}")
    return tuple(value)


# ---- reusable blocks -----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class BlockDef:
    """A block as written: its parameters (name -> default or REQUIRED) and its raw layer list."""

    name: str
    params: Mapping[str, Any]
    layers: Any
    line: int


def _reserved() -> set[str]:
    return set(LAYER_KINDS) | set(STRUCTURES) | {REPEAT}


def _read_blocks(raw: Any, data: LineDict, problems: Problems) -> dict[str, BlockDef]:
    if raw is None:
        return {}
    if not isinstance(raw, LineDict):
        problems.add("'blocks' must map block names to {params, layers}", data.key_lines.get("blocks"))
        return {}
    blocks = {}
    for name, body in raw.items():
        line = raw.key_lines[name]
        if name in _reserved():
            problems.add(f"block name '{name}' is already a layer kind; choose another name", line)
            continue
        if not isinstance(body, LineDict) or "layers" not in body:
            problems.add(f"block '{name}' needs 'layers' (and optional 'params', 'doc')", line)
            continue
        for key in body:
            if key not in ("params", "layers", "doc"):
                problems.add(f"unknown key '{key}' in block '{name}'{did_you_mean(key, ('params', 'layers', 'doc'))}",
                             body.key_lines[key])
        blocks[name] = BlockDef(name, _read_params(body.get("params"), name, body, problems), body["layers"], line)
    _check_cycles(blocks, problems)
    return blocks


def _read_params(raw: Any, block: str, body: LineDict, problems: Problems) -> dict[str, Any]:
    line = body.key_lines.get("params", body.line)
    if raw is None:
        return {}
    if isinstance(raw, LineList):
        raw = {str(name): None for name in raw}
    if not isinstance(raw, dict):
        problems.add(f"'params' of block '{block}' must be a list of names or a mapping of name: default", line)
        return {}
    params = {}
    for name, default in raw.items():
        if not str(name).isidentifier() or name in _reserved():
            problems.add(f"parameter '{name}' of block '{block}' must be a plain name that is not a layer kind", line)
        params[str(name)] = REQUIRED if default is None else default
    return params


def _block_references(raw: Any, blocks: Mapping[str, BlockDef]) -> set[str]:
    if isinstance(raw, dict):
        found = {key for key in raw if key in blocks}
        return found.union(*(_block_references(v, blocks) for v in raw.values()))
    if isinstance(raw, list):
        return set().union(*(_block_references(v, blocks) for v in raw))
    return {raw} if isinstance(raw, str) and raw in blocks else set()


def _check_cycles(blocks: dict[str, BlockDef], problems: Problems) -> None:
    uses = {name: _block_references(b.layers, blocks) for name, b in blocks.items()}

    def visit(name: str, trail: list[str]) -> None:
        if name in trail:
            cycle = trail[trail.index(name):] + [name]
            problems.add(f"blocks use each other in a cycle: {' -> '.join(cycle)}", blocks[cycle[0]].line)
            raise _CycleFound
        for used in sorted(uses[name]):
            visit(used, trail + [name])

    for name in list(blocks):
        try:
            visit(name, [])
        except _CycleFound:
            for member in list(blocks):  # drop the blocks so instantiation never recurses forever
                if name in uses[member] or member == name:
                    blocks.pop(member, None)
            return


class _CycleFound(Exception):
    pass


# ---- layers --------------------------------------------------------------------------------------------------

@dataclass
class _Scope:
    """The names taken inside one parent; children are called parent.child."""

    prefix: str
    names: dict[str, int] = field(default_factory=dict)
    counters: Counter = field(default_factory=Counter)

    def path(self, name: str) -> str:
        return f"{self.prefix}{name}"


@dataclass
class _Entry:
    key: str
    name: Any
    fields: dict[str, Any]
    field_lines: dict[str, int]
    line: int


class _Parser:
    def __init__(self, problems: Problems, blocks: dict[str, BlockDef]):
        self.problems = problems
        self.blocks = blocks
        self.kinds = _reserved() | set(blocks)

    def top_level(self, data: LineDict) -> tuple[Node, ...]:
        if "layers" not in data:
            self.problems.add("missing 'layers': list the model's layers in order", data.line)
            return ()
        return self.sequence(data["layers"], data.key_lines["layers"], {}, _Scope(""), "layers")

    def sequence(self, raw: Any, line: int, env: dict[str, Any], scope: _Scope, what: str) -> tuple[Node, ...]:
        if not isinstance(raw, LineList) or not raw:
            self.problems.add(f"'{what}' must be a non-empty list of layers", line, scope.prefix.rstrip(".") or None)
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
            self.problems.add(f"a layer is written as '- kind: name' plus its fields, got {raw!r}", line,
                              scope.prefix.rstrip(".") or None)
            return None
        keys = [key for key in raw if key in self.kinds]
        if len(keys) != 1:
            self._report_kind(raw, keys, line, scope)
            return None
        key = keys[0]
        fields = {k: v for k, v in raw.items() if k != key}
        return _Entry(key, raw[key], fields, {k: raw.key_lines[k] for k in fields}, raw.line or line)

    def _report_kind(self, raw: LineDict, keys: list[str], line: int, scope: _Scope) -> None:
        layer = scope.prefix.rstrip(".") or None
        if keys:
            self.problems.add(f"one entry names several kinds ({', '.join(keys)}); put each in its own '- ' item",
                              line, layer)
            return
        first = next(iter(raw))
        self.problems.add(f"unknown layer kind '{first}'{did_you_mean(first, self.kinds)}", raw.key_lines[first], layer)

    def entry(self, raw: Any, line: int, env: dict[str, Any], scope: _Scope) -> list[Node]:
        entry = self.split(raw, line, scope)
        if entry is None:
            return []
        if entry.key == REPEAT:
            return self.repeat(entry, env, scope)
        name = self.name(entry, env, scope)
        if name is None:
            return []
        if entry.key in STRUCTURES:
            return [self.composite(entry, name, env, scope)]
        if entry.key in self.blocks:
            return [self.instance(entry, name, env, scope)]
        return [self.layer(entry, name, env, scope)]

    def name(self, entry: _Entry, env: dict[str, Any], scope: _Scope) -> str | None:
        raw = entry.name
        if raw is None:
            base = entry.key
            while True:
                scope.counters[base] += 1
                name = f"{base}{scope.counters[base]}"
                if name not in scope.names:
                    break
        else:
            try:
                name = PLACEHOLDER.sub(lambda m: _placeholder(m.group(1), env, raw), str(raw))
            except ValueError as exc:
                self.problems.add(str(exc), entry.line, scope.path(str(raw)))
                return None
            if not NAME_PATTERN.match(name):
                why = " ('.' separates nested names)" if "." in name else ""
                self.problems.add(f"layer name {name!r} may use only letters, digits, '_' and '-'{why}",
                                  entry.line, scope.path(name))
                return None
        if name in scope.names:
            hint = "; inside a repeat, put {i} in the name" if "i" in env else ""
            self.problems.add(f"duplicate layer name '{name}' (first on line {scope.names[name]}){hint}",
                              entry.line, scope.path(name))
            return None
        scope.names[name] = entry.line
        return name

    def value(self, raw: Any, env: dict[str, Any]) -> Any:
        if is_expression(raw):
            return evaluate(raw, env)
        if isinstance(raw, list):
            return [self.value(item, env) for item in raw]
        return raw

    def layer(self, entry: _Entry, name: str, env: dict[str, Any], scope: _Scope) -> Layer:
        kind = LAYER_KINDS[entry.key]
        path, args = scope.path(name), {}
        for key in entry.fields:
            if key not in kind.field_names():
                self.problems.add(f"unknown field '{key}' for {kind.name}{did_you_mean(key, kind.field_names())}"
                                  f" (fields: {', '.join(kind.field_names()) or 'none'})", entry.field_lines[key], path)
        for spec_field in kind.fields:
            if spec_field.name not in entry.fields:
                if spec_field.required:
                    self.problems.add(f"{kind.name} needs '{spec_field.name}' ({spec_field.doc})", entry.line, path)
                else:
                    args[spec_field.name] = spec_field.check(spec_field.default) if spec_field.default is not None \
                        else None
                continue
            with self.problems.at(entry.field_lines[spec_field.name], path):
                try:
                    args[spec_field.name] = spec_field.check(self.value(entry.fields[spec_field.name], env))
                except ValueError as exc:
                    raise ValueError(f"field '{spec_field.name}' {exc}") from None
        return Layer(name, kind.name, MappingProxyType(args), entry.line)

    def composite(self, entry: _Entry, name: str, env: dict[str, Any], scope: _Scope) -> Composite:
        path_names, _ = STRUCTURES[entry.key]
        path = scope.path(name)
        inner = _Scope(path + ".")
        for key in entry.fields:
            if key not in path_names:
                self.problems.add(f"unknown field '{key}' for {entry.key}{did_you_mean(key, path_names)}"
                                  f" (fields: {', '.join(path_names)})", entry.field_lines[key], path)
        paths: list[tuple[Node, ...]] = []
        if entry.key == "concat":
            paths = self.branches(entry, env, inner, path)
        elif entry.key == "residual":
            paths = [self.required_path(entry, "body", env, inner, path)]
            shortcut = entry.fields.get("shortcut")
            paths.append(() if shortcut in (None, []) else
                         self.sequence(shortcut, entry.field_lines["shortcut"], env, inner, "shortcut"))
        else:
            paths = [self.required_path(entry, path_names[0], env, inner, path)]
        return Composite(name, entry.key, tuple(paths), entry.line)

    def required_path(self, entry: _Entry, key: str, env: dict[str, Any], scope: _Scope, path: str) -> tuple[Node, ...]:
        if key not in entry.fields:
            self.problems.add(f"{entry.key} needs '{key}': a list of layers", entry.line, path)
            return ()
        return self.sequence(entry.fields[key], entry.field_lines[key], env, scope, key)

    def branches(self, entry: _Entry, env: dict[str, Any], scope: _Scope, path: str) -> list[tuple[Node, ...]]:
        raw = entry.fields.get("branches")
        if not isinstance(raw, LineList) or len(raw) < 2:
            self.problems.add("concat needs 'branches': a list of two or more layer lists", entry.line, path)
            return []
        return [self.sequence(branch, line, env, scope, "branches") for branch, line in zip(raw, raw.item_lines)]

    def instance(self, entry: _Entry, name: str, env: dict[str, Any], scope: _Scope) -> Composite:
        block, path = self.blocks[entry.key], scope.path(name)
        for key in entry.fields:
            if key not in block.params:
                self.problems.add(f"unknown parameter '{key}' for block {block.name}"
                                  f"{did_you_mean(key, block.params)} (parameters: {', '.join(block.params)})",
                                  entry.field_lines[key], path)
        args: dict[str, Any] = {}
        for param, default in block.params.items():
            if param in entry.fields:
                with self.problems.at(entry.field_lines[param], path):
                    args[param] = self.value(entry.fields[param], env)
            elif default is REQUIRED:
                self.problems.add(f"block {block.name} needs '{param}'", entry.line, path)
            else:
                args[param] = default
        if len(args) < len(block.params):
            return Composite(name, "group", (), entry.line, block.name, MappingProxyType(args))
        sole = self.sole_structure(block)
        if sole is not None:  # the block is one unnamed concat/residual/scale: the instance is that structure
            node = self.composite(sole, name, dict(args), scope)
            return replace(node, line=entry.line, block=block.name, args=MappingProxyType(args))
        body = self.sequence(block.layers, block.line, dict(args), _Scope(path + "."), "layers")
        return Composite(name, "group", (body,), entry.line, block.name, MappingProxyType(args))

    def sole_structure(self, block: BlockDef) -> _Entry | None:
        """The block's only entry, when it is an unnamed concat, residual or scale."""
        if not isinstance(block.layers, LineList) or len(block.layers) != 1:
            return None
        raw = block.layers[0]
        if not isinstance(raw, LineDict):
            return None
        entry = self.split(raw, block.layers.item_lines[0], _Scope(""))
        if entry is None or entry.key not in ("concat", "residual", "scale") or entry.name is not None:
            return None
        return entry

    def repeat(self, entry: _Entry, env: dict[str, Any], scope: _Scope) -> list[Node]:
        label = scope.prefix.rstrip(".") or None
        for key in entry.fields:
            if key not in ("layers", "start"):
                self.problems.add(f"unknown field '{key}' for repeat{did_you_mean(key, ('layers', 'start'))}",
                                  entry.field_lines[key], label)
        try:
            times = self.value(entry.name, env)
            start = self.value(entry.fields.get("start", 1), env)
            if isinstance(times, bool) or not isinstance(times, int) or times < 0:
                raise ValueError(f"repeat needs a count >= 0, as in 'repeat: 3', got {times!r}")
            if isinstance(start, bool) or not isinstance(start, int):
                raise ValueError(f"'start' must be a whole number, got {start!r}")
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


def _placeholder(name: str, env: Mapping[str, Any], raw: Any) -> str:
    if name not in env:
        known = ", ".join(sorted(env)) or "none"
        raise ValueError(f"name {raw!r} uses {{{name}}}, which is not defined here (defined: {known})")
    return str(env[name])
