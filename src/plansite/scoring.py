"""Count-F1 of a takeoff against hand counts, the accuracy measure of the corpus.

Per file and fixture type: tp = min(expected, found), fp = the excess found, fn = the
shortfall. Sums over files give micro precision, recall and F1. Types listed in a file's
``_ignore`` are left out of that file's score because the drawing itself is ambiguous.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

SCORED_KINDS = ("vector", "outline", "dxf")


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    misses: list[str] = field(default_factory=list)

    def add(self, other: Score) -> None:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn
        self.misses.extend(other.misses)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        denom = 2 * self.tp + self.fp + self.fn
        return 2 * self.tp / denom if denom else 1.0


def score_counts(expected: dict, found: dict[str, int], per_type: dict[str, Score] | None = None
                 ) -> Score:
    """Score one file's counts; ``expected`` is its entry in ``expected.json``."""
    ignore = set(expected.get("_ignore", []))
    types = {k for k in expected if not k.startswith("_")} | set(found)
    score = Score()
    for fixture in sorted(types - ignore):
        want, got = int(expected.get(fixture, 0)), int(found.get(fixture, 0))
        one = Score(tp=min(want, got), fp=max(got - want, 0), fn=max(want - got, 0))
        if one.fp or one.fn:
            one.misses.append(f"{fixture}: expected {want}, found {got}")
        score.add(one)
        if per_type is not None:
            per_type.setdefault(fixture, Score()).add(Score(one.tp, one.fp, one.fn))
    return score


def corpus_dir() -> Path:
    """Locate the corpus: ``PLANSITE_CORPUS``, else ``shared/corpus`` beside the checkout."""
    env = os.environ.get("PLANSITE_CORPUS")
    if env:
        return Path(env)
    here = Path(__file__).resolve()
    for parent in here.parents:
        candidate = parent / "shared" / "corpus"
        if (candidate / "expected.json").exists():
            return candidate
    return Path("/work/shared/corpus")


def load_expected(corpus: Path) -> dict[str, dict]:
    return json.loads((corpus / "expected.json").read_text(encoding="utf-8"))
