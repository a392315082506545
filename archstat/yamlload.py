"""YAML loading that keeps 1-based line numbers and rejects duplicate keys."""
from __future__ import annotations

from typing import Any

import yaml

from archstat.errors import Problems


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


def _make_loader(problems: Problems) -> type[yaml.SafeLoader]:
    class LineLoader(yaml.SafeLoader):
        def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> LineDict:
            self.flatten_mapping(node)
            mapping = LineDict()
            mapping.line, mapping.key_lines = _line(node), {}
            for key_node, value_node in node.value:
                key = self.construct_object(key_node, deep=True)
                if not isinstance(key, (str, int, float, bool)) or key is None:
                    problems.add(f"a key must be a plain name, not {key!r}", _line(key_node))
                    continue
                key = str(key)
                if key in mapping:
                    problems.add(
                        f"duplicate key '{key}' (first on line {mapping.key_lines[key]})",
                        _line(key_node),
                    )
                    continue
                mapping[key] = self.construct_object(value_node, deep=True)
                mapping.key_lines[key] = _line(key_node)
            return mapping

        def construct_sequence(self, node: yaml.SequenceNode, deep: bool = False) -> LineList:
            items = LineList(self.construct_object(child, deep=True) for child in node.value)
            items.line, items.item_lines = _line(node), [_line(child) for child in node.value]
            return items

    LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, LineLoader.construct_mapping)
    LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, LineLoader.construct_sequence)
    return LineLoader


def load_yaml(text: str, problems: Problems) -> Any:
    """Parse YAML text; syntax errors and duplicate keys go to `problems`."""
    try:
        return yaml.load(text, Loader=_make_loader(problems))  # noqa: S506 - SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        problems.add(f"YAML syntax error: {exc.problem or exc.context}", line)
    except yaml.YAMLError as exc:
        problems.add(f"YAML error: {exc}")
    return None
