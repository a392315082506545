"""One model counted under every FLOP convention, split by layer kind, so the differences can be read off."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from typing import Any

from archstat.analysis import Options, leaves
from archstat.engine import analyze
from archstat.layers import CONVENTIONS, KINDS, summary, zero
from archstat.spec import Spec


def counting_rules(convention: str) -> dict[str, str]:
    """What each layer kind counts under a convention, read off the registry's rules; kinds counting 0 left out."""
    return {kind.name: summary(kind.flops[convention]) for kind in KINDS if kind.flops[convention] is not zero}


def describe(convention: str) -> str:
    """Who counts this way, then what each kind counts, in the rules' own words."""
    rules = "; ".join(f"{kind}: {rule}" for kind, rule in counting_rules(convention).items())
    return f"{CONVENTIONS[convention]}. {rules}; every other kind 0"


@dataclass(frozen=True)
class ConventionTotal:
    """A model's FLOPs under one convention, and how much of it each layer kind contributes."""

    name: str
    doc: str
    flops: int
    by_kind: dict[str, int]

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "doc": self.doc, "flops": self.flops, "by_kind": self.by_kind}


def compare_conventions(spec: Spec, options: Options | None = None) -> list[ConventionTotal]:
    """The spec's FLOPs under each convention in CONVENTIONS order, with per-kind subtotals."""
    options = options or Options()
    totals = []
    for name in CONVENTIONS:
        analysis = analyze(spec, replace(options, flops=name))
        by_kind: Counter[str] = Counter()
        for row in leaves(analysis.rows):
            by_kind[row.kind] += row.flops
        totals.append(ConventionTotal(name, describe(name), analysis.totals.flops, dict(by_kind)))
    return totals


def kinds_that_count(totals: list[ConventionTotal]) -> list[str]:
    """The layer kinds that some convention counts, most FLOPs (under any convention) first."""
    largest: Counter[str] = Counter()
    for total in totals:
        for kind, flops in total.by_kind.items():
            largest[kind] = max(largest[kind], flops)
    return [kind for kind, flops in largest.most_common() if flops]
