"""A sheet's line work drawn into a binary image at a fixed real-world resolution.

Symbols on CAD-exported PDFs arrive as hundreds of unjoined fragments (one bowl is a dozen
short strokes, drawn twice); drawing them into pixels at a known number of inches per pixel
joins the fragments for free, so shapes can be read as enclosed regions whose sizes are in
real inches whatever the drawing scale.

Known shortcomings: fills are drawn as outlines (a solid wall is two lines, not a block);
dense hatches are drawn like any other line and split the regions they cover; lines thinner
than a pixel that meet at a gap under one pixel are joined even when the drawing keeps them
apart.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from plansite.domain.sheet import BBox, Point, Sheet

# Preferred real-world size of one pixel, in inches.
INCHES_PER_PX = 0.5
# Above this many pixels the resolution is coarsened, which bounds time and memory per page.
MAX_PIXELS = 24_000_000
# Coarser than this, fixture outlines merge and nothing useful can be read.
MAX_INCHES_PER_PX = 1.0
# Straight strokes longer than this (inches) and drawn with a pen thinner than the sheet's
# usual one are grid, dimension and section lines: no fixture outline has one, and left in
# they cut symbols in two where they cross them. Longer than the second length, any stroke
# is dropped. (A wall face behind a tank is long too, but drawn with the usual pen or more.)
MAX_THIN_STROKE_IN = 90.0
MAX_STROKE_IN = 240.0


@dataclass
class Linework:
    """A binary image of a sheet's line work (255 = ink) and its transform from the sheet."""

    image: np.ndarray
    px_per_unit: float
    inches_per_px: float
    origin: Point = (0.0, 0.0)

    def to_px(self, p: Point) -> tuple[float, float]:
        return ((p[0] - self.origin[0]) * self.px_per_unit,
                (p[1] - self.origin[1]) * self.px_per_unit)

    def to_sheet(self, x: float, y: float) -> Point:
        return (x / self.px_per_unit + self.origin[0], y / self.px_per_unit + self.origin[1])

    def bbox_to_sheet(self, x0: float, y0: float, x1: float, y1: float) -> BBox:
        a, b = self.to_sheet(x0, y0), self.to_sheet(x1, y1)
        return (a[0], a[1], b[0], b[1])


def draw_linework(
    sheet: Sheet, feet_per_unit: float, region: BBox | None = None
) -> Linework | None:
    """Draw the sheet's paths (inside ``region`` when given) at the preferred resolution.

    Returns None when even the coarsest useful resolution would exceed the pixel budget.
    """
    x0, y0, x1, y1 = region or _extent(sheet)
    inches_per_unit = feet_per_unit * 12.0
    inches_per_px = INCHES_PER_PX
    area_units = max(x1 - x0, 1.0) * max(y1 - y0, 1.0)
    pixels = area_units * (inches_per_unit / inches_per_px) ** 2
    if pixels > MAX_PIXELS:
        inches_per_px *= (pixels / MAX_PIXELS) ** 0.5
    if inches_per_px > MAX_INCHES_PER_PX:
        return None

    scale = inches_per_unit / inches_per_px
    width = int((x1 - x0) * scale) + 2
    height = int((y1 - y0) * scale) + 2
    image = np.zeros((height, width), np.uint8)
    usual = _usual_width(sheet)
    _paint(image, sheet, (x0, y0, x1, y1), scale, usual, inches_per_px)
    return Linework(image, scale, inches_per_px, (x0, y0))


def _extent(sheet: Sheet) -> BBox:
    """Return the area to draw: the page, or for drawing units (DXF) the paths' extent."""
    if sheet.units == "pt" or not sheet.paths:
        return sheet.bbox
    boxes = np.asarray([p.bbox for p in sheet.paths], np.float64)
    return (float(boxes[:, 0].min()), float(boxes[:, 1].min()),
            float(boxes[:, 2].max()), float(boxes[:, 3].max()))


def _usual_width(sheet: Sheet) -> float:
    widths = [p.width for p in sheet.paths if not p.filled]
    return float(np.median(widths)) if widths else 0.0


def _paint(
    image: np.ndarray, sheet: Sheet, region: BBox, scale: float, usual: float,
    inches_per_px: float,
) -> None:
    """Draw strokes in page order; a white fill erases what lies under it, as on paper, and
    a fill of any other colour (with no stroke) is solid ink.

    CAD exports cover floor hatches with a white-filled copy of each fixture's outline; without
    the erasing, the hatch would cut every fixture into strips. Solid fills (columns, arrows,
    poché) would otherwise leave fixture-sized holes that are not there on paper.
    """
    pending: list[np.ndarray] = []
    x0, y0, x1, y1 = region
    for path in sheet.paths:
        b = path.bbox
        if path.dashed or b[2] < x0 or b[0] > x1 or b[3] < y0 or b[1] > y1:
            continue
        fill = path.fill if path.fill is not None else (
            path.color if path.filled and path.width == 0 else None)
        if path.filled and (fill is not None or _is_white(path.color)) and path.polylines:
            if pending:
                cv2.polylines(image, pending, False, 255, 1, cv2.LINE_8)
                pending = []
            polygons = [np.rint(_to_px(line, region, scale)).astype(np.int32)
                        for line in path.polylines if len(line) > 2]
            if not polygons:
                continue
            tone = _tone(fill if fill is not None else path.color)
            cv2.fillPoly(image, polygons, 255 if tone == "dark" else 0)
            # A pale fill shows as an edge against the paper; a stroked fill has its outline.
            if tone == "light" or (path.width > 0 and path.fill is not None):
                pending.extend(polygons)
            continue
        thin = path.width < 0.9 * usual
        longest = (MAX_THIN_STROKE_IN if thin else MAX_STROKE_IN) / inches_per_px
        for line in path.polylines:
            if len(line) >= 2:
                pending.extend(_split_long(_to_px(line, region, scale), longest))
    if pending:
        cv2.polylines(image, pending, False, 255, 1, cv2.LINE_8)


def _is_white(color: tuple[float, float, float] | None) -> bool:
    return color is not None and min(color) >= 0.95


def _tone(color: tuple[float, float, float] | None) -> str:
    """Return "white", "light" or "dark" for a fill colour (None reads as black)."""
    if color is None:
        return "dark"
    lightness = sum(color) / 3
    if min(color) >= 0.95:
        return "white"
    return "light" if lightness >= 0.7 else "dark"


def _to_px(line: tuple, region: BBox, scale: float) -> np.ndarray:
    pts = np.asarray(line, np.float64)
    pts[:, 0] = (pts[:, 0] - region[0]) * scale
    pts[:, 1] = (pts[:, 1] - region[1]) * scale
    return pts


def _split_long(pts: np.ndarray, longest: float) -> list[np.ndarray]:
    """Return the pieces of a polyline between its strokes longer than ``longest``."""
    steps = np.hypot(*np.diff(pts, axis=0).T)
    if steps.max() <= longest:
        return [np.rint(pts).astype(np.int32)]
    out = []
    start = 0
    for i in np.nonzero(steps > longest)[0]:
        if i > start:
            out.append(np.rint(pts[start:i + 1]).astype(np.int32))
        start = i + 1
    if len(pts) - start >= 2:
        out.append(np.rint(pts[start:]).astype(np.int32))
    return out
