"""Every published cell: archstat reproduces it, or an erratum records why it cannot."""
from __future__ import annotations

from functools import cache

import pytest

from .conventions import agrees
from .errata import BEGIN, DOC, END, ERRATA, LIST_BEGIN, LIST_END, README, TABLES, block, conform, readme_block
from .measure import MEASURES

BY_KEY = {table.key: table for table in TABLES}
CELLS = [(table, cell) for table in TABLES for cell in table.cells]


@cache
def measured(key: str) -> dict[str, str]:
    return MEASURES[key](BY_KEY[key])


@pytest.mark.parametrize("table, cell", CELLS, ids=[f"{t.key}/{c}" for t, c in CELLS])
def test_published_cell(table, cell):
    values = measured(table.key)
    assert cell in values, f"archstat gives no value for {table} / {cell}"
    conform(table, cell, values[cell])


def test_every_table_is_measured():
    assert sorted(MEASURES) == sorted(t.key for t in TABLES)
    assert len({t.key for t in TABLES}) == len(TABLES)


@pytest.mark.parametrize("erratum", ERRATA, ids=[f"{e.table.key}/{e.cell}" for e in ERRATA])
def test_erratum_quotes_a_published_cell(erratum):
    assert erratum.table in TABLES
    assert erratum.table.cells.get(erratum.cell) == erratum.published
    assert not agrees(erratum.published, erratum.archstat)
    assert erratum.why.strip()


def test_errata_are_listed_once():
    keys = [(e.table.key, e.cell) for e in ERRATA]
    assert len(keys) == len(set(keys))


@pytest.mark.parametrize("path, begin, end, expected", [
    (DOC, BEGIN, END, block), (README, LIST_BEGIN, LIST_END, readme_block),
], ids=["docs/errata.md", "README.md"])
def test_errata_docs_list_every_erratum(request, path, begin, end, expected):
    """The errata tables in the docs are rendered from the data; `pytest --overwrite` rewrites them."""
    text = path.read_text(encoding="utf-8")
    assert begin in text and end in text, f"{path} lost its markers {begin} / {end}"
    head, rest = text.split(begin, 1)
    current, tail = begin + rest.split(end, 1)[0] + end, rest.split(end, 1)[1]
    if request.config.getoption("--overwrite", default=False):
        path.write_text(head + expected() + tail, encoding="utf-8")
        return
    assert current == expected(), f"{path} is out of date with the errata; `pytest --overwrite` rewrites it"
