"""The takeoff: detections and pipe runs per sheet, and the JSON contract built from them.

``Takeoff.to_dict()`` is the one contract the CLI, the API, the tests and the benchmarks
read: top-level ``counts`` (fixture type → count for the whole file), ``sheets``,
``detections``, ``pipe_runs``, plus ``status`` and ``errors`` so partial failure is data.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from plansite.domain.sheet import BBox

Status = Literal["success", "partial", "failed"]


@dataclass
class Detection:
    """One fixture found on a sheet, with the evidence a person can check."""

    fixture_type: str
    sheet_index: int
    bbox: BBox
    confidence: float
    method: str
    evidence: str
    sheet_number: str = ""
    room: str = ""
    tag: str = ""
    # How many physical fixtures this detection stands for ("4@ WC-1" gives 4).
    quantity: int = 1
    # Set when a stronger detection of the same fixture absorbed this one.
    merged_into: int | None = None

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["type"] = d.pop("fixture_type")
        d["sheet"] = d.pop("sheet_index") + 1
        d["bbox"] = [round(v, 2) for v in self.bbox]
        d["confidence"] = round(self.confidence, 3)
        d.pop("merged_into")
        return d


@dataclass
class PipeRun:
    """Pipe measured on one sheet for one system; unscaled when the scale is unknown."""

    system: str
    sheet_index: int
    drawing_length: float
    length_ft: float | None
    layer: str = ""
    segments: int = 0
    scale: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "system": self.system,
            "sheet": self.sheet_index + 1,
            "layer": self.layer,
            "segments": self.segments,
            "drawing_length": round(self.drawing_length, 2),
            "length_ft": None if self.length_ft is None else round(self.length_ft, 1),
            "scaled": self.length_ft is not None,
            "scale": self.scale,
        }


@dataclass
class SheetSummary:
    """What the takeoff reports about one sheet."""

    index: int
    number: str
    title: str
    discipline: str
    units: str
    scales: list[str]
    raster: bool
    counts: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["sheet"] = d.pop("index") + 1
        d["scale"] = self.scales[0] if self.scales else None
        return d


@dataclass
class ErrorRecord:
    """A failure that did not stop the run: which stage, which sheet, what to do."""

    stage: str
    code: str
    message: str
    sheet: int | None = None


@dataclass
class Takeoff:
    """The result of analysing one file."""

    source: str
    kind: str
    sheets: list[SheetSummary] = field(default_factory=list)
    detections: list[Detection] = field(default_factory=list)
    pipe_runs: list[PipeRun] = field(default_factory=list)
    errors: list[ErrorRecord] = field(default_factory=list)
    elapsed_s: float = 0.0

    @property
    def status(self) -> Status:
        if self.errors and not self.sheets:
            return "failed"
        return "partial" if self.errors else "success"

    def counted(self) -> list[Detection]:
        """Return the detections that count (not absorbed by a duplicate)."""
        return [d for d in self.detections if d.merged_into is None]

    def counts(self) -> dict[str, int]:
        totals: Counter[str] = Counter()
        for d in self.counted():
            totals[d.fixture_type] += d.quantity
        return dict(sorted(totals.items()))

    def sheet_counts(self, index: int) -> dict[str, int]:
        totals: Counter[str] = Counter()
        for d in self.counted():
            if d.sheet_index == index:
                totals[d.fixture_type] += d.quantity
        return dict(sorted(totals.items()))

    def to_dict(self) -> dict[str, Any]:
        for summary in self.sheets:
            summary.counts = self.sheet_counts(summary.index)
        return {
            "source": self.source,
            "kind": self.kind,
            "status": self.status,
            "counts": self.counts(),
            "total_fixtures": sum(self.counts().values()),
            "sheets": [s.to_dict() for s in self.sheets],
            "detections": [d.to_dict() for d in self.counted()],
            "pipe_runs": [r.to_dict() for r in self.pipe_runs],
            "pipe_totals_ft": self.pipe_totals(),
            "errors": [asdict(e) for e in self.errors],
            "elapsed_s": round(self.elapsed_s, 3),
        }

    def pipe_totals(self) -> dict[str, float]:
        totals: Counter[str] = Counter()
        for run in self.pipe_runs:
            if run.length_ft is not None:
                totals[run.system] += run.length_ft
        return {k: round(v, 1) for k, v in sorted(totals.items())}
