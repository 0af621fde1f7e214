"""A new revision of a plan set: fixtures added, removed and moved by sheet and room, and
the cost delta priced with one price book."""

from __future__ import annotations

import copy
from decimal import Decimal

from plansite.estimate.bid import build_bid
from plansite.estimate.pricebook import PriceBook
from plansite.estimate.revisions import diff_takeoffs

REV_A = {
    "source": "rev-a.pdf",
    "counts": {"water_closet": 3, "lavatory": 2, "floor_drain": 1},
    "sheets": [{"sheet": 1, "title": "FIRST FLOOR PLAN", "number": "P-101"},
               {"sheet": 2, "title": "SECOND FLOOR PLAN", "number": "P-102"}],
    "detections": [
        {"type": "water_closet", "sheet": 1, "room": "BATH 101", "bbox": [100, 100, 110, 110]},
        {"type": "water_closet", "sheet": 1, "room": "BATH 102", "bbox": [400, 100, 410, 110]},
        {"type": "lavatory", "sheet": 1, "room": "BATH 101", "bbox": [120, 100, 130, 110]},
        {"type": "floor_drain", "sheet": 1, "room": "MECH", "bbox": [700, 600, 704, 604]},
        {"type": "water_closet", "sheet": 2, "room": "BATH 201", "bbox": [100, 100, 110, 110]},
        {"type": "lavatory", "sheet": 2, "room": "BATH 201", "bbox": [120, 100, 130, 110]},
    ],
    "pipe_totals_ft": {"sanitary": 100.0},
}


def _rev_b() -> dict:
    """Rev B: the floor drain is gone, one WC moved rooms, a lavatory and a urinal added."""
    doc = copy.deepcopy(REV_A)
    doc["source"] = "rev-b.pdf"
    dets = doc["detections"]
    dets.remove(next(d for d in dets if d["type"] == "floor_drain"))
    moved = next(d for d in dets if d["room"] == "BATH 102")
    moved.update(room="BATH 103", bbox=[480, 160, 490, 170])
    dets.append({"type": "lavatory", "sheet": 1, "room": "BATH 102",
                 "bbox": [420, 100, 430, 110]})
    dets.append({"type": "urinal", "sheet": 2, "room": "MEN 202", "bbox": [600, 500, 606, 510]})
    doc["counts"] = {"water_closet": 3, "lavatory": 3, "urinal": 1}
    return doc


def test_added_removed_moved_by_sheet_and_room() -> None:
    diff = diff_takeoffs(REV_A, _rev_b())
    assert [(c.fixture_type, c.sheet, c.room) for c in diff.added] == [
        ("lavatory", "P-101", "BATH 102"), ("urinal", "P-102", "MEN 202")]
    assert [(c.fixture_type, c.sheet, c.room) for c in diff.removed] == [
        ("floor_drain", "P-101", "MECH")]
    assert [(c.fixture_type, c.old_room, c.room) for c in diff.moved] == [
        ("water_closet", "BATH 102", "BATH 103")]
    assert diff.counts_delta == {"floor_drain": -1, "lavatory": 1, "urinal": 1}
    rooms = diff.by_sheet_and_room()
    assert rooms["P-101"]["MECH"] == {"added": 0, "removed": 1, "moved": 0}
    assert rooms["P-102"]["MEN 202"]["added"] == 1


def test_cost_delta_is_the_difference_of_the_two_bids() -> None:
    book = PriceBook.default()
    new = _rev_b()
    diff = diff_takeoffs(REV_A, new, book=book)
    before = build_bid(REV_A, book).totals.total
    after = build_bid(new, book).totals.total
    assert Decimal(diff.cost_delta["delta"]) == after - before
    assert Decimal(diff.cost_delta["old_total"]) == before
    lines = diff.cost_delta["lines"]
    assert Decimal(lines["fixture:floor_drain:MECH"]) < 0
    assert Decimal(lines["fixture:urinal:MEN 202"]) > 0
    # The moved WC changed room: one line down, one line up, no net fixture change.
    assert Decimal(lines["fixture:water_closet:BATH 102"]) == \
        -Decimal(lines["fixture:water_closet:BATH 103"])


def test_identical_revisions_have_no_changes() -> None:
    diff = diff_takeoffs(REV_A, copy.deepcopy(REV_A))
    assert not (diff.added or diff.removed or diff.moved or diff.counts_delta)
    assert diff.cost_delta["delta"] == "0.00"


def test_tag_multiplier_change_reads_as_added() -> None:
    old = {"counts": {"water_closet": 2}, "sheets": [{"sheet": 1, "number": "P1"}],
           "detections": [{"type": "water_closet", "sheet": 1, "room": "T",
                           "bbox": [0, 0, 5, 5], "quantity": 2}]}
    new = copy.deepcopy(old)
    new["detections"][0]["quantity"] = 3
    new["counts"] = {"water_closet": 3}
    diff = diff_takeoffs(old, new)
    assert [(c.kind, c.quantity) for c in diff.added] == [("added", 1)]
