"""YAML loading that keeps 1-based line numbers and rejects duplicate keys."""
from __future__ import annotations

import re
from typing import Any

import yaml

from archstat.errors import Problems, brief

MERGE_TAG = "tag:yaml.org,2002:merge"
# YAML 1.1 (PyYAML) reads 1e-4 as text; YAML 1.2 and every reader of a spec expect a number.
EXPONENT_FLOAT = re.compile(r"^[-+]?(?:[0-9][0-9_]*(?:\.[0-9_]*)?|\.[0-9_]+)[eE][-+]?[0-9]+$")
YAML_TAG = "tag:yaml.org,2002:"
# A '{' glued to the text before it: '${w * 2}' or 'c{i}' that YAML, inside { } or [ ], reads as a new mapping.
GLUED_BRACE = re.compile(r"(?:([^\s{}\[\],:]+)\s*:\s+)?([^\s{}\[\],]+)$")
BRACED = re.compile(r"\{[^{}\n]{0,200}\}")
# What a value tagged (or resolved) as one of these must look like, for messages about values YAML cannot read.
TAG_WORDS = {f"{YAML_TAG}int": "a whole number", f"{YAML_TAG}float": "a number", f"{YAML_TAG}bool": "true or false"}
# The node each standard tag's constructor reads: PyYAML's constructors crash (AttributeError, TypeError) on others.
TAG_NODES = {f"{YAML_TAG}{name}": node for names, node in (
    (("str", "int", "float", "bool", "null", "binary", "timestamp"), yaml.ScalarNode),
    (("seq", "omap", "pairs"), yaml.SequenceNode), (("map", "set"), yaml.MappingNode)) for name in names}
NODE_WORDS = {yaml.ScalarNode: "a single value", yaml.SequenceNode: "a list", yaml.MappingNode: "a mapping"}
# What PyYAML's scalar constructors raise on a value their tag does not fit ('!!bool floor' is a KeyError).
UNREADABLE = (ValueError, OverflowError, IndexError, KeyError, TypeError, AttributeError)


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
        """A value YAML cannot read ('!!int abc', '!!bool floor', '!!seq c'): a ConstructorError at its line."""
        expected = TAG_NODES.get(node.tag, type(node))
        if not isinstance(node, expected):
            raise yaml.constructor.ConstructorError(None, None, _misplaced_tag(node, expected), node.start_mark)
        try:
            return super().construct_object(node, deep)  # type: ignore[misc]
        except UNREADABLE as exc:
            raise yaml.constructor.ConstructorError(None, None, _unreadable(node, exc), node.start_mark) from None

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
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key)  # as written: "on", not "True"
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


def _short_tag(tag: str) -> str:
    """A tag as a spec author writes it: '!!int', not 'tag:yaml.org,2002:int'."""
    return "!!" + tag[len(YAML_TAG):] if tag.startswith(YAML_TAG) else tag


def _misplaced_tag(node: yaml.Node, expected: type) -> str:
    """Why a tag cannot go on this node: '!!seq c' tags a single value as a list."""
    return (f"the tag {_short_tag(node.tag)} is for {NODE_WORDS[expected]}, but it is on {NODE_WORDS[type(node)]}; "
            "a spec uses plain YAML values only (no !! tags)")


def _unreadable(node: yaml.Node, exc: Exception) -> str:
    """Why a tagged scalar could not be read, in the spec's terms rather than PyYAML's."""
    what = TAG_WORDS.get(node.tag, f"a value tagged {_short_tag(node.tag)}")
    if isinstance(exc, IndexError):
        reason = " (it is empty)"
    elif "digits" in str(exc):
        reason = " (it is too long)"
    elif isinstance(exc, (ValueError, OverflowError)):
        reason = f" ({str(exc).split(';')[0].split(':')[0]})"
    else:  # a KeyError or TypeError from PyYAML says nothing a spec author can use
        reason = ""
    value = brief(node.value) if isinstance(node, yaml.ScalarNode) else NODE_WORDS[type(node)]
    return f"cannot read {value} as {what}{reason}"


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
            data = yaml.load(text, Loader=_make_loader(fast, scratch))
        except (yaml.YAMLError, RecursionError):
            pass  # parse again in pure Python below: its messages say more (e.g. that a tab was found)
        else:
            for problem in scratch.items:
                problems.add(problem.message, problem.line, problem.layer)
            return data
    try:
        return yaml.load(text, Loader=_make_loader(yaml.SafeLoader, problems))
    except yaml.MarkedYAMLError as exc:
        problems.add(*(_unquoted_braces(exc, text) or _syntax_message(exc)))
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


def _unquoted_braces(exc: yaml.MarkedYAMLError, text: str) -> tuple[str, int] | None:
    """`{conv: c, filters: ${w * 2}}` breaks YAML's flow syntax, not ours: say to quote the value, on its line."""
    mark, context = exc.problem_mark, exc.context or ""
    if mark is None or "but got '{'" not in (exc.problem or "") or "flow" not in context or mark.index > len(text):
        return None
    line_start = max(text.rfind("\n", 0, mark.index) + 1, mark.index - 80)  # a value and its key fit in 80
    glued = GLUED_BRACE.search(text[line_start:mark.index])
    if glued is None:
        return None
    key, head = glued.groups()
    tail = BRACED.match(text, mark.index)
    value = head + (tail.group() if tail else "{...}")
    where = "{ }" if "mapping" in context else "[ ]"
    written = f'{key}: "{value}"' if key else f'"{value}"'
    message = (f"YAML syntax error: {value} inside {where} must be quoted, as in {written}; unquoted, YAML reads its "
               "'{' as the start of a mapping")
    return message, mark.line + 1
