"""YAML loading that keeps 1-based line numbers and rejects duplicate keys."""
from __future__ import annotations

import re
from typing import Any

import yaml

from archstat.errors import Problems, brief

MERGE_TAG = "tag:yaml.org,2002:merge"
# YAML 1.1 (PyYAML) reads 1e-4 as text; YAML 1.2 and every reader of a spec expect a number.
EXPONENT_FLOAT = re.compile(r"^[-+]?(?:[0-9][0-9_]*(?:\.[0-9_]*)?|\.[0-9_]+)[eE][-+]?[0-9]+$")
# What a value tagged (or resolved) as one of these must look like, for messages about values YAML cannot read.
TAG_WORDS = {"tag:yaml.org,2002:int": "a whole number", "tag:yaml.org,2002:float": "a number"}


class LineDict(dict):
    """A mapping that remembers the line it starts on and the line of each key."""

    line: int = 0
    key_lines: dict[str, int]


class LineList(list):
    """A sequence that remembers the line of each item."""

    line: int = 0
    item_lines: list[int]


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


class _Lines:
    """Constructors shared by the fast (libyaml) and the pure-Python loader."""

    problems: Problems

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep)  # type: ignore[misc]
        except (ValueError, OverflowError, IndexError) as exc:  # '!!int abc', '!!int' alone, 5000 digits
            what = TAG_WORDS.get(node.tag, f"a value tagged {node.tag}")
            reason = "it is too long" if "digits" in str(exc) else str(exc).split(";")[0].split(":")[0]
            reason = "it is empty" if isinstance(exc, IndexError) else reason
            raise yaml.constructor.ConstructorError(
                None, None, f"cannot read {brief(node.value)} as {what} ({reason})", node.start_mark
            ) from None

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> LineDict:
        own = {id(key) for key, _ in node.value if key.tag != MERGE_TAG}
        self.flatten_mapping(node)  # type: ignore[attr-defined]
        mapping, merged = LineDict(), set()
        mapping.line, mapping.key_lines = _line(node), {}
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=True)
            if not isinstance(key, (str, int, float, bool)) or key is None:
                self.problems.add(f"a key must be a plain name, not {brief(key)}", _line(key_node))
                continue
            key = str(key)
            if key in mapping and not (key in merged and id(key_node) in own):  # a key given beside '<<' overrides
                self.problems.add(
                    f"duplicate key {brief(key)} (first on line {mapping.key_lines[key]}); each key may appear once "
                    "in a mapping", _line(key_node),
                )
                continue
            if id(key_node) not in own:
                merged.add(key)
            mapping[key] = self.construct_object(value_node, deep=True)
            mapping.key_lines[key] = _line(key_node)
        return mapping

    def construct_sequence(self, node: yaml.SequenceNode, deep: bool = False) -> LineList:
        items = LineList(self.construct_object(child, deep=True) for child in node.value)
        items.line, items.item_lines = _line(node), [_line(child) for child in node.value]
        return items

    def construct_timestamp(self, node: yaml.ScalarNode) -> str:
        return node.value  # a spec has no dates; '2024-13-45' stays text rather than failing as a date


def _make_loader(base: type, problems: Problems) -> type:
    class LineLoader(_Lines, base):  # type: ignore[valid-type, misc]
        pass

    LineLoader.problems = problems
    LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _Lines.construct_mapping)
    LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _Lines.construct_sequence)
    LineLoader.add_constructor("tag:yaml.org,2002:timestamp", _Lines.construct_timestamp)
    LineLoader.add_implicit_resolver("tag:yaml.org,2002:float", EXPONENT_FLOAT, list("-+0123456789."))
    return LineLoader


def load_yaml(text: str, problems: Problems) -> Any:
    """Parse YAML text; syntax errors and duplicate keys go to `problems`."""
    fast = getattr(yaml, "CSafeLoader", None)
    if fast is not None:
        scratch = Problems(problems.file)
        try:
            data = yaml.load(text, Loader=_make_loader(fast, scratch))  # noqa: S506 - a SafeLoader
        except (yaml.YAMLError, RecursionError):
            pass  # parse again in pure Python below: its messages say more (e.g. that a tab was found)
        else:
            for problem in scratch.items:
                problems.add(problem.message, problem.line, problem.layer)
            return data
    try:
        return yaml.load(text, Loader=_make_loader(yaml.SafeLoader, problems))  # noqa: S506 - a SafeLoader
    except yaml.MarkedYAMLError as exc:
        problems.add(*_syntax_message(exc))
    except yaml.reader.ReaderError as exc:
        problems.add(f"the file contains a character YAML does not allow ({exc.reason}, code {exc.character!r}); "
                     "remove it", text.count("\n", 0, exc.position) + 1)
    except yaml.YAMLError as exc:
        problems.add(f"YAML error: {exc}")
    except RecursionError:
        problems.add("the YAML is nested too deeply to read; a spec needs only a few levels", 1)
    return None


def _mark_line(mark: Any) -> int | None:
    return mark.line + 1 if mark is not None else None


def _syntax_message(exc: yaml.MarkedYAMLError) -> tuple[str, int | None]:
    """The YAML problem and its line, the construct it interrupted, and a hint for the common cases."""
    what = "YAML error" if isinstance(exc, yaml.constructor.ConstructorError) else "YAML syntax error"
    message = f"{what}: {exc.problem or exc.context}"
    line, context_line = _mark_line(exc.problem_mark or exc.context_mark), _mark_line(exc.context_mark)
    if exc.problem and exc.context and "scanning for the next token" not in exc.context:
        if "end" in exc.problem and "stream" in exc.problem and context_line:  # unclosed: point at its start
            message += f" ({exc.context} that starts on this line and is never closed)"
            line = context_line
        else:
            started = f" on line {context_line}" if context_line and context_line != line else ""
            message += f" ({exc.context}{started})"
    if "'\\t'" in message:
        message += "; YAML indents with spaces, not tabs"
    elif "mapping values are not allowed" in message:
        message += "; check the indentation, and quote values that contain ': '"
    elif "could not determine a constructor" in message:
        message += "; a spec uses plain YAML values only (no !! tags)"
    return message, line
