"""Existing fixtures to remain, told from new work by the set's own demolition plan.

A renovation set draws the building as it is on a demolition plan: fixtures to be removed
dashed, fixtures to remain solid. The new-work plans of the same set are usually the same
drawing at the same place on a same-size sheet, so a fixture symbol that stands on the
new-work plan where a solid symbol stood on the demolition plan was there before the job:
it is existing to remain and not taken off. Tags and CAD blocks are left alone, because a
tag says for itself that a fixture is scheduled (a new fixture in an old place).

Known limits: sets whose demolition and new-work plans are drawn at different positions or
sheet sizes are not matched (nothing is dropped); a new fixture replacing an existing one of
the same kind at the very same place, drawn without a tag, is taken for the old one.
"""

from __future__ import annotations

from dataclasses import dataclass

from plansite.domain.sheet import Sheet, bbox_center
from plansite.domain.takeoff import Detection
from plansite.vision import symbols

# Methods whose finds can be existing work drawn like new.
DRAWN_METHODS = frozenset({"symbol", "exemplar", "label", "ocr-label"})
# Sheets within this many points of each other's size are the same sheet size.
SAME_SIZE_PT = 2.0


@dataclass(frozen=True)
class ExistingFixture:
    """A fixture standing on a demolition plan today."""

    sheet_index: int
    sheet_size: tuple[float, float]
    center: tuple[float, float]
    fixture_type: str
    sheet_number: str


def existing_on_demolition_plans(sheet: Sheet) -> list[ExistingFixture]:
    """Return the fixtures a demolition plan on ``sheet`` draws solid (there today)."""
    if sheet.units != "pt" or not symbols.has_demolition_plan(sheet):
        return []
    found = []
    for d in symbols.find_symbols(sheet, [], keep_existing=True):
        center = bbox_center(d.bbox)
        if symbols.on_demolition_plan(sheet, center):
            found.append(ExistingFixture(sheet.index, (sheet.width, sheet.height), center,
                                         d.fixture_type, sheet.number))
    return found


def drop_existing(
    detections: list[Detection],
    existing: list[ExistingFixture],
    sizes: dict[int, tuple[float, float]],
    reach: dict[int, float],
) -> tuple[list[Detection], list[tuple[Detection, ExistingFixture]]]:
    """Split drawn fixtures that stand where existing ones stand from the rest.

    Returns the detections kept and, for the report, each one dropped with the existing
    fixture it matched.
    """
    kept: list[Detection] = []
    dropped: list[tuple[Detection, ExistingFixture]] = []
    for d in detections:
        match = None
        if existing and d.method in DRAWN_METHODS:
            match = _existing_at(d, existing, sizes, reach)
        if match is None:
            kept.append(d)
        else:
            dropped.append((d, match))
    return kept, dropped


def _existing_at(
    d: Detection,
    existing: list[ExistingFixture],
    sizes: dict[int, tuple[float, float]],
    reach: dict[int, float],
) -> ExistingFixture | None:
    size = sizes.get(d.sheet_index)
    if size is None:
        return None
    cx, cy = bbox_center(d.bbox)
    r = reach.get(d.sheet_index, 0.0)
    for e in existing:
        if e.sheet_index == d.sheet_index:
            continue
        same_size = (abs(e.sheet_size[0] - size[0]) <= SAME_SIZE_PT
                     and abs(e.sheet_size[1] - size[1]) <= SAME_SIZE_PT)
        if same_size and abs(e.center[0] - cx) <= r and abs(e.center[1] - cy) <= r:
            return e
    return None
