"""Detection on one sheet: every method's candidates, filtered to what an estimator counts.

Methods, strongest first: CAD blocks (DXF), fixture tags in text, symbol geometry, fixture
names written as labels. Each candidate is dropped, with its reason kept for ``--explain``,
when it lies on a non-plan layer or view (section, elevation, legend, schedule) or on
existing/demolition work. Duplicates are merged afterwards across the whole sheet.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from plansite.domain.fixtures import TagTable
from plansite.domain.sheet import BBox, Exemplar, Sheet, bbox_center
from plansite.domain.takeoff import Detection
from plansite.vision import symbols
from plansite.vision.blocks import classify_block
from plansite.vision.labels import find_labels
from plansite.vision.tags import find_tags
from plansite.vision.views import find_views, layer_excludes, view_excludes

log = logging.getLogger(__name__)

# Two detections of one type closer than this (real feet) are one fixture.
MERGE_REACH_FT = 2.5
# Without a scale, the same reach as a share of the sheet's longer side.
MERGE_REACH_SHEET_SHARE = 0.012


@dataclass
class SheetResult:
    """Detections kept on a sheet and the candidates dropped, each with why."""

    detections: list[Detection] = field(default_factory=list)
    dropped: list[tuple[Detection, str]] = field(default_factory=list)


def merge_reach(sheet: Sheet) -> float:
    """Return the same-fixture distance in sheet units."""
    scaled = [s.feet_per_unit for s in sheet.scales if s.feet_per_unit]
    if scaled:
        return MERGE_REACH_FT / max(scaled)
    return max(sheet.width, sheet.height) * MERGE_REACH_SHEET_SHARE


def detect_sheet(
    sheet: Sheet, table: TagTable, exemplars: list[Exemplar] | None = None
) -> SheetResult:
    """Return the fixtures on one sheet with the evidence for each."""
    result = SheetResult()
    sheet.views = sheet.views or find_views(sheet)
    candidates: list[tuple[Detection, str]] = []

    for block in sheet.blocks:
        found = classify_block(block, table)
        if found:
            fixture, evidence = found
            d = _detection(sheet, fixture, block.bbox, 0.95, "block", evidence)
            candidates.append((d, block.layer))

    for hit in find_tags(sheet, table):
        d = _detection(sheet, hit.fixture_type, hit.item.bbox, 0.9, "tag",
                       f"tag {hit.item.text!r}")
        d.tag, d.quantity = hit.tag, hit.quantity
        if hit.item.source == "ocr":
            d.confidence = round(min(0.8, 0.9 * hit.item.confidence), 3)
        candidates.append((d, hit.item.layer))

    here = [e for e in exemplars or [] if e.sheet in (None, sheet.index + 1)]
    plain = [e.bbox for e in here if e.fixture_type is None]
    named = [(e.bbox, e.fixture_type) for e in here if e.fixture_type is not None]
    for d in symbols.find_symbols(sheet, plain, named=named):
        candidates.append((d, ""))

    for fixture, item in find_labels(sheet):
        method = "ocr-label" if item.source == "ocr" else "label"
        d = _detection(sheet, fixture, item.bbox, 0.6, method, f"label {item.text!r}")
        if item.source == "ocr":
            d.confidence = round(min(0.5, 0.6 * item.confidence), 3)
        candidates.append((d, item.layer))

    for d, layer in candidates:
        reason = layer_excludes(layer) or view_excludes(sheet.views, bbox_center(d.bbox))
        if reason:
            result.dropped.append((d, reason))
        else:
            result.detections.append(d)
    return result


def _detection(
    sheet: Sheet, fixture: str, bbox: BBox, confidence: float, method: str, evidence: str
) -> Detection:
    return Detection(
        fixture_type=fixture,
        sheet_index=sheet.index,
        bbox=bbox,
        confidence=confidence,
        method=method,
        evidence=evidence,
        sheet_number=sheet.number,
    )
