"""Fixtures drawn on a new-work plan where the demolition plan shows them today."""

from __future__ import annotations

from plansite.domain.sheet import Scale, Sheet
from plansite.domain.takeoff import Detection
from plansite.pipeline import _note_existing
from plansite.domain.takeoff import SheetSummary, Takeoff
from plansite.vision.existing import drop_existing, existing_on_demolition_plans
from tests.test_symbols import FEET_PER_PT, _lavatory, _water_closet


def _plan(index: int, title: str, paths) -> Sheet:
    sheet = Sheet(index=index, source="set.pdf", width=1224, height=792, units="pt",
                  title=title, number=f"A{index}01")
    sheet.paths = list(paths)
    sheet.scales = [Scale('1/4" = 1\'-0"', FEET_PER_PT, None)]
    return sheet


def _symbol(sheet: int, fixture: str, x: float, y: float) -> Detection:
    return Detection(fixture, sheet, (x - 10, y - 10, x + 10, y + 10), 0.7, "symbol", "shape")


def test_fixture_on_the_demolition_plan_is_existing_on_the_new_plan() -> None:
    demo = _plan(0, "FIRST FLOOR DEMOLITION PLAN", _water_closet(300, 300))
    new = _plan(1, "FIRST FLOOR PLAN", [*_water_closet(300, 300), *_lavatory(600, 300)])

    existing = existing_on_demolition_plans(demo)
    assert [e.fixture_type for e in existing] == ["water_closet"]
    assert existing_on_demolition_plans(new) == []

    found = [_symbol(1, "water_closet", 300, 300), _symbol(1, "lavatory", 600, 300)]
    kept, dropped = drop_existing(found, existing, {0: (1224, 792), 1: (1224, 792)},
                                  {0: 45.0, 1: 45.0})
    assert [d.fixture_type for d in kept] == ["lavatory"]
    assert [d.fixture_type for d, _ in dropped] == ["water_closet"]


def test_tags_and_other_sheet_sizes_are_not_taken_for_existing() -> None:
    demo = _plan(0, "DEMOLITION PLAN", _water_closet(300, 300))
    existing = existing_on_demolition_plans(demo)
    tagged = _symbol(1, "water_closet", 300, 300)
    tagged.method = "tag"
    elsewhere = _symbol(2, "water_closet", 300, 300)

    kept, dropped = drop_existing([tagged, elsewhere], existing,
                                  {0: (1224, 792), 1: (1224, 792), 2: (3024, 2160)},
                                  {1: 45.0, 2: 45.0})

    assert kept == [tagged, elsewhere] and dropped == []


def test_dropped_fixtures_are_reported_on_their_sheet() -> None:
    demo = _plan(0, "DEMOLITION PLAN", _water_closet(300, 300))
    existing = existing_on_demolition_plans(demo)
    takeoff = Takeoff("set.pdf", "pdf", sheets=[SheetSummary(1, "A101", "", "", "pt", [], False)])
    _, dropped = drop_existing([_symbol(1, "water_closet", 300, 300)], existing,
                               {0: (1224, 792), 1: (1224, 792)}, {1: 45.0})

    _note_existing(takeoff, dropped)

    assert "demolition plan A001 shows an existing fixture" in takeoff.sheets[0].notes[0]
