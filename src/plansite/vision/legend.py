"""Exemplars taken from a sheet's own symbol legend: each entry's symbol and its name.

A legend pairs a symbol with the words for it ("FLOOR DRAIN", "HOSE BIBB"), the symbol to
the left of the words on the same line. Each pair is an exemplar whose type is known from
the words, so the plan's repeats of that symbol can be counted without a tag.

Known shortcomings: only legends the view finder marks as legends are read; a legend whose
symbols sit right of their words, or above them, is not read; a legend symbol drawn at a
different size from the plan's copies (a real-size fixture shown small in the key) is not
matched.
"""

from __future__ import annotations

from plansite.domain.sheet import BBox, Sheet, bbox_center, bbox_contains
from plansite.vision.labels import label_fixture

# How far left of its words a symbol may start, in text heights, and how far above or
# below the words' line it may reach.
REACH_LEFT = 12.0
REACH_UP_DOWN = 1.5
# A symbol's box must be at least this many text heights wide.
MIN_SIDE = 0.5


def legend_exemplars(sheet: Sheet) -> list[tuple[BBox, str]]:
    """Return (symbol box, fixture type) for each legend entry that names a fixture."""
    legends = [v.bbox for v in sheet.views if v.kind == "legend"]
    if not legends:
        return []

    out: list[tuple[BBox, str]] = []
    for item in sheet.texts:
        if not any(bbox_contains(b, bbox_center(item.bbox)) for b in legends):
            continue
        fixture = label_fixture(item.text)
        if not fixture:
            continue
        box = _symbol_left_of(sheet, item.bbox)
        if box is not None:
            out.append((box, fixture))
    return out


def _symbol_left_of(sheet: Sheet, text: BBox) -> BBox | None:
    """Return the box of the line work just left of a text line, if any is there."""
    tx0, ty0, _, ty1 = text
    height = max(ty1 - ty0, 1e-6)
    window = (tx0 - REACH_LEFT * height, ty0 - REACH_UP_DOWN * height,
              tx0 - 0.2 * height, ty1 + REACH_UP_DOWN * height)

    box: BBox | None = None
    for path in sheet.paths:
        b = path.bbox
        if b[0] < window[0] or b[2] > window[2] or b[1] < window[1] or b[3] > window[3]:
            continue
        box = b if box is None else (min(box[0], b[0]), min(box[1], b[1]),
                                     max(box[2], b[2]), max(box[3], b[3]))
    if box is None or min(box[2] - box[0], box[3] - box[1]) < MIN_SIDE * height:
        return None
    return box
