"""What changed between two revisions of a plan set, fixture by fixture, and what it costs.

Detections are compared sheet by sheet (matched by sheet number, or by position when a
sheet has no number) and type by type. Pairs are made nearest first: a pair within
``SAME_SPOT_FRACTION`` of the sheet's extent is the same fixture, unchanged unless its
room changed; a pair further apart but within ``MOVE_FRACTION`` is a moved fixture; what
is left over is added or removed. A fixture removed in one corner and a new one of the
same type drawn in another corner of the same sheet therefore reads as moved when they
are close enough, which is how an estimator would usually describe it too.

The cost delta prices both revisions with the same price book and options, so it shows
what the drawings changed, not what prices did.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from plansite.estimate.bid import BidOptions, build_bid
from plansite.estimate.money import ZERO, as_str
from plansite.estimate.pricebook import PriceBook

SAME_SPOT_FRACTION = 0.01
MOVE_FRACTION = 0.25
# A detection without a box (a hand-written takeoff) sits at the sheet's origin.
_NO_BOX = (0, 0, 0, 0)


@dataclass
class Change:
    kind: str
    fixture_type: str
    sheet: str
    room: str
    quantity: int
    old_room: str = ""
    old_center: tuple[float, float] | None = None
    new_center: tuple[float, float] | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind, "fixture_type": self.fixture_type,
                               "sheet": self.sheet, "room": self.room,
                               "quantity": self.quantity}
        if self.kind == "moved":
            out.update(old_room=self.old_room, old_center=self.old_center,
                       new_center=self.new_center)
        return out


@dataclass
class TakeoffDiff:
    added: list[Change] = field(default_factory=list)
    removed: list[Change] = field(default_factory=list)
    moved: list[Change] = field(default_factory=list)
    counts_delta: dict[str, int] = field(default_factory=dict)
    cost_delta: dict[str, Any] = field(default_factory=dict)

    def by_sheet_and_room(self) -> dict[str, dict[str, dict[str, int]]]:
        """{sheet: {room: {"added": n, "removed": n, "moved": n}}}."""
        out: dict[str, dict[str, dict[str, int]]] = defaultdict(
            lambda: defaultdict(lambda: {"added": 0, "removed": 0, "moved": 0}))
        for change in self.added + self.removed + self.moved:
            out[change.sheet][change.room or "Unassigned"][change.kind] += change.quantity
        return {s: dict(rooms) for s, rooms in sorted(out.items())}

    def to_dict(self) -> dict[str, Any]:
        return {"added": [c.to_dict() for c in self.added],
                "removed": [c.to_dict() for c in self.removed],
                "moved": [c.to_dict() for c in self.moved],
                "by_sheet_and_room": self.by_sheet_and_room(),
                "counts_delta": self.counts_delta, "cost_delta": self.cost_delta}


def diff_takeoffs(old: dict[str, Any], new: dict[str, Any], *, book: PriceBook | None = None,
                  options: BidOptions | None = None) -> TakeoffDiff:
    """Compare two takeoff documents and price the difference."""
    diff = TakeoffDiff()
    old_groups, new_groups = _grouped(old), _grouped(new)
    per_sheet: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for (sheet, _), dets in list(old_groups.items()) + list(new_groups.items()):
        per_sheet[sheet].extend(dets)
    extents = {sheet: _extent(dets) for sheet, dets in per_sheet.items()}
    for key in sorted(set(old_groups) | set(new_groups)):
        _match_group(key, old_groups.get(key, []), new_groups.get(key, []), extents[key[0]],
                     diff)

    types = set(old.get("counts", {})) | set(new.get("counts", {}))
    diff.counts_delta = {t: int(new.get("counts", {}).get(t, 0))
                         - int(old.get("counts", {}).get(t, 0)) for t in sorted(types)}
    diff.counts_delta = {t: d for t, d in diff.counts_delta.items() if d}
    diff.cost_delta = cost_delta(old, new, book or PriceBook.default(), options)
    return diff


def cost_delta(old: dict[str, Any], new: dict[str, Any], book: PriceBook,
               options: BidOptions | None) -> dict[str, Any]:
    """Total and per-line change of the bid between two takeoffs, same prices."""
    before = build_bid(old, book, options)
    after = build_bid(new, book, options)
    old_lines = {line.key: line.total for line in before.lines}
    new_lines = {line.key: line.total for line in after.lines}
    lines = {key: as_str(new_lines.get(key, ZERO) - old_lines.get(key, ZERO))
             for key in sorted(set(old_lines) | set(new_lines))}
    return {"old_total": as_str(before.totals.total), "new_total": as_str(after.totals.total),
            "delta": as_str(after.totals.total - before.totals.total),
            "lines": {k: v for k, v in lines.items() if Decimal(v) != 0}}


def _grouped(doc: dict[str, Any]) -> dict[tuple[str, str], list[dict[str, Any]]]:
    labels = {s["sheet"]: (s.get("number") or f"#{s['sheet']}") for s in doc.get("sheets", [])}
    groups: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for det in doc.get("detections", []):
        sheet = labels.get(det.get("sheet"), f"#{det.get('sheet')}")
        groups[(sheet, det["type"])].append(det)
    return groups


def _match_group(key: tuple[str, str], olds: list[dict[str, Any]], news: list[dict[str, Any]],
                 extent: float, diff: TakeoffDiff) -> None:
    sheet, fixture = key
    pairs = sorted(((_distance(o, n), i, j) for i, o in enumerate(olds)
                    for j, n in enumerate(news)), key=lambda p: p[0])
    used_old: set[int] = set()
    used_new: set[int] = set()
    for distance, i, j in pairs:
        if i in used_old or j in used_new or distance > extent * MOVE_FRACTION:
            continue
        used_old.add(i)
        used_new.add(j)
        o, n = olds[i], news[j]
        if distance > extent * SAME_SPOT_FRACTION or (o.get("room") or "") != (n.get("room")
                                                                               or ""):
            diff.moved.append(Change("moved", fixture, sheet, n.get("room", ""),
                                     int(n.get("quantity", 1)), old_room=o.get("room", ""),
                                     old_center=_center(o), new_center=_center(n)))
        _quantity_change(o, n, fixture, sheet, diff)

    for i, o in enumerate(olds):
        if i not in used_old:
            diff.removed.append(Change("removed", fixture, sheet, o.get("room", ""),
                                       int(o.get("quantity", 1))))
    for j, n in enumerate(news):
        if j not in used_new:
            diff.added.append(Change("added", fixture, sheet, n.get("room", ""),
                                     int(n.get("quantity", 1))))


def _quantity_change(o: dict[str, Any], n: dict[str, Any], fixture: str, sheet: str,
                     diff: TakeoffDiff) -> None:
    """A matched tag whose multiplier changed ("2@ WC-1" to "3@ WC-1") adds or removes."""
    delta = int(n.get("quantity", 1)) - int(o.get("quantity", 1))
    if delta > 0:
        diff.added.append(Change("added", fixture, sheet, n.get("room", ""), delta))
    elif delta < 0:
        diff.removed.append(Change("removed", fixture, sheet, o.get("room", ""), -delta))


def _center(det: dict[str, Any]) -> tuple[float, float]:
    x0, y0, x1, y1 = (float(v) for v in det.get("bbox", _NO_BOX))
    return (round((x0 + x1) / 2, 2), round((y0 + y1) / 2, 2))


def _distance(a: dict[str, Any], b: dict[str, Any]) -> float:
    (ax, ay), (bx, by) = _center(a), _center(b)
    return math.hypot(ax - bx, ay - by)


def _extent(dets: list[dict[str, Any]]) -> float:
    """Diagonal of the area a sheet's detections cover in both revisions (at least 1 unit)."""
    if not dets:
        return 1.0
    boxes = [d.get("bbox", _NO_BOX) for d in dets]
    xs = [float(v) for box in boxes for v in (box[0], box[2])]
    ys = [float(v) for box in boxes for v in (box[1], box[3])]
    return max(math.hypot(max(xs) - min(xs), max(ys) - min(ys)), 1.0)
