"""The parsed sheet: what parsing hands to detection, independent of the file format.

Coordinates are in one *sheet space* per sheet: for a PDF page, points with the page's
/Rotate and crop box applied (x right, y down, as the sheet is read); for a DXF layout or
model space, drawing units (x right, y up). ``Sheet.units`` says which, and
``Scale.feet_per_unit`` converts lengths in that space to real-world feet.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

BBox = tuple[float, float, float, float]
Point = tuple[float, float]


def bbox_center(b: BBox) -> Point:
    return ((b[0] + b[2]) / 2.0, (b[1] + b[3]) / 2.0)


def bbox_union(a: BBox, b: BBox) -> BBox:
    return (min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3]))


def bbox_contains(outer: BBox, p: Point, margin: float = 0.0) -> bool:
    return (
        outer[0] - margin <= p[0] <= outer[2] + margin
        and outer[1] - margin <= p[1] <= outer[3] + margin
    )


@dataclass(frozen=True)
class TextItem:
    """A run of text on the sheet, from the text layer, DXF entities or OCR."""

    text: str
    bbox: BBox
    size: float = 0.0
    font: str = ""
    layer: str = ""
    source: Literal["text", "ocr", "dxf", "attrib"] = "text"
    # Lightness of the text colour (0 black, 1 white): screened background text is grey.
    shade: float = 0.0
    # How sure the reader is of the text: 1 for a text layer, Tesseract's word score for OCR.
    confidence: float = 1.0


@dataclass(frozen=True)
class PathItem:
    """One vector path: polyline points per sub-path plus its style and layer."""

    bbox: BBox
    polylines: tuple[tuple[Point, ...], ...]
    layer: str = ""
    color: tuple[float, float, float] | None = None
    width: float = 0.0
    dashed: bool = False
    # The dash pattern as written in the file ("[6 3] 0"); line style tells pipe systems apart.
    dashes: str = ""
    closed: bool = False
    filled: bool = False
    # Arc/circle facts survive flattening so symbols can be recognised by shape.
    circles: tuple[tuple[Point, float], ...] = ()
    # The fill colour when filled (``color`` is the stroke's when a path has both).
    fill: tuple[float, float, float] | None = None

    def length(self) -> float:
        total = 0.0
        for line in self.polylines:
            for (x0, y0), (x1, y1) in zip(line, line[1:]):
                total += ((x1 - x0) ** 2 + (y1 - y0) ** 2) ** 0.5
        return total


@dataclass(frozen=True)
class BlockRef:
    """A CAD block insert (DXF INSERT), nested names resolved to the outermost insert."""

    name: str
    layer: str
    position: Point
    bbox: BBox
    rotation: float = 0.0
    attributes: dict[str, str] = field(default_factory=dict)
    # Names of the blocks nested inside this insert, outermost first.
    nested: tuple[str, ...] = ()


@dataclass(frozen=True)
class Scale:
    """A drawing scale read from the sheet, with the region it applies to when known."""

    label: str
    feet_per_unit: float | None
    bbox: BBox | None = None
    source: str = "note"


@dataclass(frozen=True)
class Exemplar:
    """A symbol the estimator points at, to be found again wherever it repeats."""

    bbox: BBox
    # The 1-based sheet the box is drawn on; None applies the box to every sheet.
    sheet: int | None = None
    # What the symbol is; None lets the shape rules name it ("other" when they cannot).
    fixture_type: str | None = None


@dataclass(frozen=True)
class View:
    """A titled drawing on the sheet ("GROUND FLOOR PLAN", "SECTION A-A") and its extent."""

    title: str
    kind: Literal[
        "plan", "site", "elevation", "section", "detail", "schedule", "legend", "notes",
        "demolition", "other",
    ]
    bbox: BBox
    scale: Scale | None = None


@dataclass
class Sheet:
    """Everything detection needs from one page or layout."""

    index: int
    source: str
    width: float
    height: float
    units: str
    number: str = ""
    title: str = ""
    discipline: str = ""
    texts: list[TextItem] = field(default_factory=list)
    paths: list[PathItem] = field(default_factory=list)
    blocks: list[BlockRef] = field(default_factory=list)
    scales: list[Scale] = field(default_factory=list)
    views: list[View] = field(default_factory=list)
    # True when the drawing itself is an embedded image (scan, photo, raster tiles).
    raster: bool = False
    # Repairs and omissions made while parsing, reported in the takeoff.
    notes: list[str] = field(default_factory=list)
    # Set when this page could not be parsed; the rest of the set still is.
    error: Exception | None = None

    @property
    def bbox(self) -> BBox:
        return (0.0, 0.0, self.width, self.height)

    def scale_at(self, p: Point) -> Scale | None:
        """Return the scale of the view holding ``p``, else the sheet's only scale."""
        for view in self.views:
            if view.scale and bbox_contains(view.bbox, p):
                return view.scale
        scaled = [s for s in self.scales if s.feet_per_unit]
        located = [s for s in scaled if s.bbox is not None]
        if located:
            return min(located, key=lambda s: _distance(bbox_center(s.bbox), p))  # type: ignore[arg-type]
        distinct = {round(s.feet_per_unit or 0, 9) for s in scaled}
        if len(distinct) == 1:
            return scaled[0]
        return None


def _distance(a: Point, b: Point) -> float:
    return ((a[0] - b[0]) ** 2 + (a[1] - b[1]) ** 2) ** 0.5
