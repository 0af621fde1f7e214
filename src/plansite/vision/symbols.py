"""Fixtures recognised by the geometry of their symbols (bowl, tank, tub, basin, drain).

Symbol recognition works on sheets whose fixtures carry no tag and no block name, which is
most architectural plans. The line work is drawn into pixels at a fixed number of real
inches per pixel for each drawing scale on the sheet (``linework``), its enclosed regions
are measured (``shapes``) and read as fixtures by size and shape (``fixture_shapes``);
sloped shower floors are read from their drain and slope lines (``drains``), and symbols
the estimator points at, or the sheet's own legend shows (``legend``), are found again
wherever they repeat (``exemplar``). A fixture is kept only where the scale that sized it
is the scale the sheet gives at that point; without a scale, nothing is reported rather
than guessed. Fixtures drawn as grey background, on a zone shaded as outside the work, or
on a demolition or reflected ceiling plan are not new work and are left out.

Known shortcomings: a point the sheet gives the wrong scale for (the nearest scale note
belongs to another view) is read at that scale, and things of another size can then pass
for fixtures; scales that leave an inch smaller than a pixel within the page's pixel
budget (about 1:200 on a large sheet) are read coarsely or skipped; existing fixtures to
remain that are drawn like new ones (said so only in a keynote) are counted; clip paths are
not read, so a shaded zone is told from the work area only by the white fill drawn for it;
see each module for the symbols it misses.
"""

from __future__ import annotations

import logging
import re

import cv2
import numpy as np

from plansite.domain.sheet import BBox, Sheet, bbox_contains
from plansite.domain.takeoff import Detection
from plansite.vision import exemplar
from plansite.vision.drains import find_sloped_showers
from plansite.vision.fixture_shapes import Found, read_fixtures
from plansite.vision.legend import legend_exemplars
from plansite.vision.linework import Linework, draw_linework
from plansite.vision.shapes import RegionMap, find_regions

log = logging.getLogger(__name__)

# Two scales closer than this share of each other are the same scale.
SAME_SCALE = 0.01
# View and sheet titles whose symbols are not new work.
_NO_NEW_WORK = re.compile(r"\b(demolition|demo)\s+plan|\breflected\s+ceiling|\bceiling\s+plan",
                          re.IGNORECASE)
_DEMOLITION = re.compile(r"\b(demolition|demo)\s+plan", re.IGNORECASE)
# Share of a symbol's stroke length in grey that makes it background.
GREYED_SHARE = 0.7
# A fill covering at least this share of the sheet shades a zone (pale grey: no work there;
# white: the work area painted over it), not a room or a mark.
SHADED_ZONE_SHARE = 0.03
# At most this many distinct scales are read per sheet (the most used first).
MAX_SCALES = 3


def find_symbols(
    sheet: Sheet,
    exemplars: list[BBox],
    keep_existing: bool = False,
    named: list[tuple[BBox, str]] | None = None,
) -> list[Detection]:
    """Return fixtures found by symbol geometry on ``sheet``, each at its own scale.

    ``named`` exemplars carry the type the estimator gave them. ``keep_existing`` also
    returns the fixtures drawn on demolition and ceiling plans, which are there today;
    ``vision.existing`` uses them to tell work to remain from new work.
    """
    scales = _sheet_scales(sheet)
    if sheet.raster or not sheet.paths or not scales:
        return []

    detections: list[Detection] = []
    inks = _Inks(sheet)
    # A legend is drawn at no scale: its symbols are compared at their drawn size.
    keyed = legend_exemplars(sheet)
    for feet_per_unit in scales:
        try:
            found, linework = _read_at_scale(sheet, feet_per_unit, exemplars, keyed,
                                             named or [])
        except (cv2.error, MemoryError, ValueError) as exc:
            # The tags and labels of this sheet still count: report, do not fail the sheet.
            log.warning("sheet %d: symbol search failed: %s", sheet.index + 1, exc)
            sheet.notes.append(f"symbol search failed at one scale ({type(exc).__name__})")
            continue
        for f in found:
            d = _detection(sheet, linework, f)
            core = linework.bbox_to_sheet(*f.core_px) if f.core_px else d.bbox
            if (_scale_matches(sheet, _center(d.bbox), feet_per_unit)
                    and not inks.greyed(core)
                    and (keep_existing or not _no_new_work(sheet, _center(d.bbox)))):
                detections.append(d)
    return detections


class _Inks:
    """Stroke colours by position, to tell a fixture drawn as grey background from new work.

    Plans for one trade show the other trades' drawing as a grey background, and plans
    shade the parts of a building with no work in them; an estimator counts fixtures in
    neither. A symbol counts as greyed when most of its strokes are a mid grey while the
    sheet's own ink is black, or when it sits on a large pale-grey shaded zone.
    """

    def __init__(self, sheet: Sheet) -> None:
        self.zones = _shaded_zones(sheet)
        rows = []
        for p in sheet.paths:
            if p.filled or p.color is None:
                continue
            r, g, b = p.color
            grey = max(r, g, b) - min(r, g, b) <= 0.05 and 0.3 <= (r + g + b) / 3 <= 0.9
            rows.append((*p.bbox, p.length(), 1.0 if grey else 0.0, (r + g + b) / 3))
        self.rows = np.asarray(rows, np.float64).reshape(-1, 7)
        dark = self.rows[:, 6] < 0.2
        self.black_sheet = bool(self.rows.size) and dark.mean() >= 0.5

    def _shaded(self, p: tuple[float, float]) -> bool:
        return _shaded(self.zones, p)

    def greyed(self, box: BBox) -> bool:
        if self._shaded(((box[0] + box[2]) / 2, (box[1] + box[3]) / 2)):
            return True
        if not self.black_sheet:
            return False
        # Only strokes wholly inside the symbol: a hatch line crossing it is not its ink.
        r = self.rows
        inside = (r[:, 0] >= box[0]) & (r[:, 2] <= box[2]) & (r[:, 1] >= box[1]) & (
            r[:, 3] <= box[3])
        total = r[inside, 4].sum()
        return bool(total > 0 and (r[inside, 4] * r[inside, 5]).sum() >= GREYED_SHARE * total)


def _read_at_scale(
    sheet: Sheet,
    feet_per_unit: float,
    exemplars: list[BBox],
    keyed: list[tuple[BBox, str]],
    named: list[tuple[BBox, str]],
) -> tuple[list[Found], Linework]:
    """Return what the shape rules, the drain rule and the exemplars find at one scale."""
    linework = draw_linework(sheet, feet_per_unit)
    if linework is None:
        log.info("sheet %d: scale %.4g ft/unit too small to read symbols",
                 sheet.index + 1, feet_per_unit)
        return [], Linework(np.zeros((1, 1), np.uint8), 1.0, 1.0)

    rmap = find_regions(linework)
    found = read_fixtures(rmap, _lettered(sheet, rmap))
    sloped = find_sloped_showers(sheet, linework, feet_per_unit)
    found = _drop_shower_drains(found, sloped, linework) + sloped
    examples = [b for b in exemplars if _scale_matches(sheet, _center(b), feet_per_unit)]
    examples_named = [(b, t) for b, t in named
                      if _scale_matches(sheet, _center(b), feet_per_unit)]
    found += exemplar.find_repeats(linework, rmap, examples, keyed + examples_named)
    return found, linework


def _shaded(zones: list[tuple[bool, BBox, list[np.ndarray]]], p: tuple[float, float]) -> bool:
    """Whether a point lies on a pale grey zone and not on a white work area within it.

    Drawings often paint a white work area and then a grey fill over the whole floor,
    clipped to leave the work area white; the clip is not read, so a white fill that lies
    within the grey one marks where the grey does not show, whichever was painted first.
    """
    for grey, gbox, outlines in zones:
        if not grey or not _in_zone(outlines, p):
            continue
        cleared = any(
            not other_grey and _within(wbox, gbox) and _in_zone(white, p)
            for other_grey, wbox, white in zones
        )
        if not cleared:
            return True
    return False


def _shaded_zones(sheet: Sheet) -> list[tuple[bool, BBox, list[np.ndarray]]]:
    """Return the large fills, each as (pale grey?, box, outlines); the rest are white."""
    area = sheet.width * sheet.height or 1.0
    zones = []
    for p in sheet.paths:
        fill = p.fill if p.fill is not None else (p.color if p.filled and not p.width else None)
        if fill is None or not p.filled:
            continue
        b = p.bbox
        if (b[2] - b[0]) * (b[3] - b[1]) < SHADED_ZONE_SHARE * area:
            continue
        lightness = sum(fill) / 3
        grey = max(fill) - min(fill) <= 0.05 and 0.7 <= lightness < 0.95
        if grey or min(fill) >= 0.95:
            zones.append((grey, b, [np.asarray(line, np.float64)
                                    for line in p.polylines if len(line) > 2]))
    return zones


def _within(inner: BBox, outer: BBox) -> bool:
    return (inner[0] >= outer[0] and inner[1] >= outer[1] and inner[2] <= outer[2]
            and inner[3] <= outer[3])


def _in_zone(outlines: list[np.ndarray], p: tuple[float, float]) -> bool:
    """Even-odd point-in-polygon over a fill's outlines (its holes leave the point out)."""
    crossings = 0
    for poly in outlines:
        x, y = poly[:, 0], poly[:, 1]
        x2, y2 = np.roll(x, -1), np.roll(y, -1)
        spans = (y > p[1]) != (y2 > p[1])
        dy = np.where(y2 == y, 1e-12, y2 - y)
        crossings += int(np.sum(spans & (p[0] < x + (p[1] - y) * (x2 - x) / dy)))
    return crossings % 2 == 1


def _drop_shower_drains(
    found: list[Found], sloped: list[Found], linework: Linework
) -> list[Found]:
    """Drop floor drains that are a sloped shower's own drain (it counts as the shower)."""
    reach = 12.0 / linework.inches_per_px
    showers = [s for s in sloped if s.fixture == "shower"]
    kept = []
    for f in found:
        c = f.center_px
        if f.fixture == "floor_drain" and any(
            abs(c[0] - s.center_px[0]) <= reach and abs(c[1] - s.center_px[1]) <= reach
            for s in showers
        ):
            continue
        kept.append(f)
    return kept


def _lettered(sheet: Sheet, rmap: RegionMap) -> set[int]:
    """Return the labels of regions that have a word written inside them."""
    h, w = rmap.labels.shape
    out: set[int] = set()
    for item in sheet.texts:
        if not item.text.strip():
            continue
        b = item.bbox
        for fx, fy in ((0.5, 0.5), (0.25, 0.5), (0.75, 0.5), (0.5, 0.3), (0.5, 0.7)):
            x, y = rmap.linework.to_px((b[0] + fx * (b[2] - b[0]), b[1] + fy * (b[3] - b[1])))
            if 0 <= int(y) < h and 0 <= int(x) < w:
                out.add(int(rmap.labels[int(y), int(x)]))
    out.discard(0)
    return out


def has_demolition_plan(sheet: Sheet) -> bool:
    """Whether the sheet, or any view on it, is titled as a demolition plan."""
    titles = [sheet.title] + [v.title for v in sheet.views]
    return any(_DEMOLITION.search(t.replace("_", " ")) for t in titles if t)


def on_demolition_plan(sheet: Sheet, point: tuple[float, float]) -> bool:
    """Whether the point lies on a demolition plan (the sheet's title or its view's)."""
    return _titled(sheet, point, _DEMOLITION)


def _no_new_work(sheet: Sheet, point: tuple[float, float]) -> bool:
    """Whether the point lies on a demolition plan or a reflected ceiling plan.

    A demolition plan draws the fixtures that are there now (to remove or to keep); a
    ceiling plan draws the floor's fixtures as background. Neither shows a fixture to
    supply, so a symbol there is not counted (a tag there says for itself what it is).
    Titles are matched with underscores and dashes as word breaks ("LAB_DEMOLITION PLAN").
    """
    return _titled(sheet, point, _NO_NEW_WORK)


def _titled(sheet: Sheet, point: tuple[float, float], pattern: re.Pattern[str]) -> bool:
    """Whether the sheet's title or the title of a view holding ``point`` matches."""
    titles = [sheet.title] + [v.title for v in sheet.views if bbox_contains(v.bbox, point)]
    return any(pattern.search(t.replace("_", " ")) for t in titles if t)


def _sheet_scales(sheet: Sheet) -> list[float]:
    """Return the distinct drawing scales on the sheet, the most often stated first."""
    counts: list[list[float]] = []
    stated = [s.feet_per_unit for s in sheet.scales if s.feet_per_unit]
    stated += [v.scale.feet_per_unit for v in sheet.views if v.scale and v.scale.feet_per_unit]
    for f in stated:
        for entry in counts:
            if abs(entry[0] - f) <= SAME_SCALE * f:
                entry[1] += 1
                break
        else:
            counts.append([f, 1])
    counts.sort(key=lambda e: -e[1])
    return [e[0] for e in counts[:MAX_SCALES]]


def _scale_matches(sheet: Sheet, point: tuple[float, float], feet_per_unit: float) -> bool:
    scale = sheet.scale_at(point)
    if scale is None or not scale.feet_per_unit:
        return False
    return abs(scale.feet_per_unit - feet_per_unit) <= SAME_SCALE * feet_per_unit


def _center(b: BBox) -> tuple[float, float]:
    return ((b[0] + b[2]) / 2, (b[1] + b[3]) / 2)


def _detection(sheet: Sheet, linework: Linework, found: Found) -> Detection:
    method = "exemplar" if found.evidence.startswith("repeat of") else "symbol"
    return Detection(
        fixture_type=found.fixture,
        sheet_index=sheet.index,
        bbox=linework.bbox_to_sheet(*found.box_px),
        confidence=found.confidence,
        method=method,
        evidence=found.evidence,
        sheet_number=sheet.number,
    )
