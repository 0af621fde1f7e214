"""Drainage and water-supply fixture units of a takeoff: per type, per floor, per system.

Input is the takeoff contract (``Takeoff.to_dict()``), so the same code rates a machine
takeoff, a reviewed one and a revision. Each line names the code row that rated it; a
fixture the tables do not rate is counted under ``unrated`` instead of being given a
guessed value, and the totals say how many fixtures they leave out.

Floors come from sheet titles ("SECOND FLOOR PLAN", "LEVEL 3"); a sheet whose title names
no floor is its own floor, labelled by sheet number. That is right for the usual one plan
per floor and wrong for a sheet that shows two floors side by side.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from plansite.estimate.codetables import Edition, Occupancy, Rating, load_edition

ZERO = Decimal(0)

_FLOOR_WORDS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\b(basement|cellar|lower\s+ground)\b", re.I), "Basement"),
    (re.compile(r"\bground\s+(floor|level)\b|\bgf\b", re.I), "Ground floor"),
    (re.compile(r"\b(first|1st)\s+(floor|level|storey|story)\b", re.I), "Floor 1"),
    (re.compile(r"\b(second|2nd)\s+(floor|level|storey|story)\b", re.I), "Floor 2"),
    (re.compile(r"\b(third|3rd)\s+(floor|level|storey|story)\b", re.I), "Floor 3"),
    (re.compile(r"\b(fourth|4th)\s+(floor|level|storey|story)\b", re.I), "Floor 4"),
    (re.compile(r"\broof\s+(plan|level)\b", re.I), "Roof"),
)
_FLOOR_NUMBER = re.compile(r"\b(?:level|floor|storey|story)\s*(\d{1,2})\b", re.I)


def floor_of(title: str, number: str, sheet: int) -> str:
    """Name the floor a sheet shows, from its title; fall back to the sheet itself."""
    for pattern, name in _FLOOR_WORDS:
        if pattern.search(title or ""):
            return name
    match = _FLOOR_NUMBER.search(title or "")
    if match:
        return f"Floor {int(match.group(1))}"
    return f"Sheet {number}" if number else f"Sheet {sheet}"


@dataclass
class UnitTotals:
    """Sums of one scope (plan set, floor): dfu, and wsfu split cold / hot / combined."""

    dfu: Decimal = ZERO
    wsfu: Decimal = ZERO
    wsfu_cold: Decimal = ZERO
    wsfu_hot: Decimal = ZERO
    fixtures: int = 0
    unrated: int = 0

    def add(self, count: int, dfu: Rating, wsfu: Rating) -> None:
        self.fixtures += count
        if dfu.counts:
            self.dfu += dfu.total * count
        if wsfu.counts:
            self.wsfu += wsfu.total * count
            self.wsfu_cold += (wsfu.cold or ZERO) * count
            self.wsfu_hot += (wsfu.hot or ZERO) * count
        if dfu.status == "unrated" or wsfu.status == "unrated":
            self.unrated += count

    def to_dict(self) -> dict[str, Any]:
        return {"dfu": _num(self.dfu), "wsfu": _num(self.wsfu),
                "wsfu_cold": _num(self.wsfu_cold), "wsfu_hot": _num(self.wsfu_hot),
                "fixtures": self.fixtures, "unrated_fixtures": self.unrated}


@dataclass
class UnitLine:
    """One fixture type: how many, the row that rated it, and its share of the totals."""

    fixture_type: str
    count: int
    dfu: Rating
    wsfu: Rating

    def to_dict(self) -> dict[str, Any]:
        return {
            "fixture_type": self.fixture_type,
            "count": self.count,
            "dfu_each": _num(self.dfu.total) if self.dfu.counts else None,
            "dfu_total": _num(self.dfu.total * self.count) if self.dfu.counts else None,
            "dfu_row": self.dfu.row,
            "dfu_status": self.dfu.status,
            "trap_in": _num(self.dfu.trap_in),
            "wsfu_each": _num(self.wsfu.total) if self.wsfu.counts else None,
            "wsfu_total": _num(self.wsfu.total * self.count) if self.wsfu.counts else None,
            "wsfu_row": self.wsfu.row,
            "wsfu_status": self.wsfu.status,
        }


@dataclass
class FixtureUnits:
    """The fixture-unit report of one plan set under one code edition and occupancy."""

    edition: Edition
    occupancy: Occupancy
    lines: list[UnitLine] = field(default_factory=list)
    total: UnitTotals = field(default_factory=UnitTotals)
    floors: dict[str, UnitTotals] = field(default_factory=dict)
    water_closets: int = 0

    @property
    def has_water_closet(self) -> bool:
        return self.water_closets > 0

    @property
    def max_floor_dfu(self) -> Decimal:
        return max((t.dfu for t in self.floors.values()), default=ZERO)

    def per_system(self) -> dict[str, Any]:
        """Loads by piping system: sanitary carries the dfu, each water system its wsfu."""
        return {
            "sanitary": {"dfu": _num(self.total.dfu)},
            "cold_water": {"wsfu": _num(self.total.wsfu_cold)},
            "hot_water": {"wsfu": _num(self.total.wsfu_hot)},
            "water_service": {"wsfu": _num(self.total.wsfu)},
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.edition.key,
            "code_name": self.edition.name,
            "dfu_table": self.edition.dfu_table,
            "wsfu_table": self.edition.wsfu_table,
            "occupancy": self.occupancy,
            "dfu": _num(self.total.dfu),
            "wsfu": _num(self.total.wsfu),
            "totals": self.total.to_dict(),
            "per_floor": {name: t.to_dict() for name, t in self.floors.items()},
            "per_system": self.per_system(),
            "lines": [line.to_dict() for line in self.lines],
            "checked": self.edition.checked,
        }


def fixture_units(takeoff: dict[str, Any], *, edition: str = "IPC-2021",
                  occupancy: Occupancy = "private") -> FixtureUnits:
    """Rate every counted fixture of a takeoff document and sum by type and floor."""
    code = load_edition(edition)
    report = FixtureUnits(edition=code, occupancy=occupancy)

    # Per type, from the plan-set counts (they already honour de-duplication).
    for fixture, count in sorted(takeoff.get("counts", {}).items()):
        if count <= 0:
            continue
        dfu = code.rating("dfu", fixture, occupancy)
        wsfu = code.rating("wsfu", fixture, occupancy)
        report.lines.append(UnitLine(fixture, int(count), dfu, wsfu))
        report.total.add(int(count), dfu, wsfu)
        if fixture == "water_closet":
            report.water_closets = int(count)

    # Per floor, from the detections and the sheet each lies on.
    floors = sheet_floors(takeoff)
    per_floor: dict[str, UnitTotals] = defaultdict(UnitTotals)
    for det in takeoff.get("detections", []):
        floor = floors.get(det.get("sheet"), f"Sheet {det.get('sheet')}")
        qty = int(det.get("quantity", 1))
        per_floor[floor].add(qty, code.rating("dfu", det["type"], occupancy),
                             code.rating("wsfu", det["type"], occupancy))
    report.floors = dict(sorted(per_floor.items()))
    return report


def sheet_floors(takeoff: dict[str, Any]) -> dict[int, str]:
    """Map sheet index (1-based, as in the contract) to the floor it shows."""
    return {s["sheet"]: floor_of(s.get("title", ""), s.get("number", ""), s["sheet"])
            for s in takeoff.get("sheets", [])}


def _num(value: Decimal | None) -> float | None:
    """Render a Decimal sum for JSON: fixture units are tenths, never money."""
    if value is None:
        return None
    return float(value.quantize(Decimal("0.01")))
