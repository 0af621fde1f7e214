"""Repeats of one symbol the estimator points at, found at any rotation and mirrored.

The exemplar is cut from the line-work image (so it is compared at real size), thickened a
little so strokes that land a pixel apart still meet, and compared against the whole sheet
in 24 turns (every 15 degrees) and their mirror images by normalised cross-correlation.
Correlation alone takes any box of the same size for a match, so each candidate is checked
against the exemplar's enclosed regions: the same set of hole sizes must be there, which
does not depend on turn or mirror. Its type comes from what the shape rules read inside the
exemplar box; a symbol they cannot name is reported as ``other``, for the estimator to name
once.

Known shortcomings: a repeat drawn at another size (a different drawing scale) is not found;
turns halfway between the 15-degree steps match less well and may be missed; a symbol
crossed by other line work (a hatch, a dimension) scores lower and may be missed.
"""

from __future__ import annotations

import cv2
import numpy as np

from plansite.domain.sheet import BBox
from plansite.vision.fixture_shapes import Found, read_fixtures
from plansite.vision.linework import Linework
from plansite.vision.shapes import Region, RegionMap

# Correlation above which a window may be a repeat of the exemplar.
MATCH_THRESHOLD = 0.55
# Turns tried, degrees (each also mirrored).
TURN_STEP = 15
# Enclosed regions smaller than this (square inches) are not compared.
MIN_HOLE_IN2 = 3.0
# Two holes match when their areas differ by less than this share.
HOLE_TOLERANCE = 0.25
# Share of the exemplar's holes a repeat must have.
HOLES_MATCHED = 0.75
# A hole is like the exemplar's when its length and width are within this share.
LIKENESS = 0.12
# Matching runs on an image this many times coarser than the line work, for speed.
COARSEN = 2


def find_repeats(
    linework: Linework, rmap: RegionMap, exemplars: list[BBox],
    named: list[tuple[BBox, str]] | None = None,
) -> list[Found]:
    """Return every repeat of each exemplar box (the exemplar itself included).

    ``named`` exemplars carry their type (a legend entry's words); the others are named by
    what the shape rules read inside them.
    """
    out: list[Found] = []
    for box in exemplars:
        out += _repeats_of(linework, rmap, box, None)
    for box, fixture in named or []:
        out += _repeats_of(linework, rmap, box, fixture)
    return out


def _repeats_of(
    linework: Linework, rmap: RegionMap, box: BBox, named: str | None
) -> list[Found]:
    x0, y0 = linework.to_px((box[0], box[1]))
    x1, y1 = linework.to_px((box[2], box[3]))
    x0, x1 = sorted((int(x0), int(x1)))
    y0, y1 = sorted((int(y0), int(y1)))
    h, w = linework.image.shape
    x0, y0, x1, y1 = max(x0, 0), max(y0, 0), min(x1, w), min(y1, h)
    if x1 - x0 < 4 or y1 - y0 < 4:
        return []

    fixture = named or _name_of(rmap, (x0, y0, x1, y1))
    image = _prepare(linework.image)
    template = _prepare(linework.image[y0:y1, x0:x1])
    if template.shape[0] < 3 or template.shape[1] < 3 or not template.any():
        return []

    variants = _variants(template)
    half = max(x1 - x0, y1 - y0) / 2
    table = _HoleTable(rmap)
    holes = table.inside((x0 + x1) / 2, (y0 + y1) / 2, half)
    if holes:
        # Look only where a hole of the size and shape of one of the exemplar's is (the
        # one with the fewest look-alikes): fast on a sheet of 100 000 strokes, and a repeat
        # must have that hole anyway.
        anchors = min((table.like(h) for h in holes[:4]), key=len)
        peaks = _match_near(image, variants, anchors, half)
    else:
        peaks = _match_everywhere(image, variants)

    out = []
    kept: list[tuple[float, float]] = []
    for cx, cy, s in sorted(peaks, key=lambda p: -p[2]):
        if any(abs(cx - a) <= half and abs(cy - b) <= half for a, b in kept):
            continue
        if not _same_holes([h.area_in2 for h in holes],
                           [h.area_in2 for h in table.inside(cx, cy, 1.45 * half)]):
            continue
        kept.append((cx, cy))
        out.append(Found(fixture, (cx - half, cy - half, cx + half, cy + half), float(s) * 0.9,
                         f"repeat of the exemplar symbol (match {s:.2f})"))
    return out


def _match_near(
    image: np.ndarray, variants: list[np.ndarray], anchors: list[tuple[float, float]],
    half: float,
) -> list[tuple[float, float, float]]:
    """Return (x, y, score) of the best match in a small window round each anchor."""
    out = []
    h, w = image.shape
    reach = int(np.ceil(half / COARSEN)) * 2 + 2
    for ax, ay in anchors:
        cx, cy = int(ax / COARSEN), int(ay / COARSEN)
        best = (-1.0, 0.0, 0.0)
        for variant in variants:
            th, tw = variant.shape
            x0, y0 = max(cx - reach - tw // 2, 0), max(cy - reach - th // 2, 0)
            x1, y1 = min(cx + reach + tw, w), min(cy + reach + th, h)
            window = image[y0:y1, x0:x1]
            if window.shape[0] < th or window.shape[1] < tw:
                continue
            score = np.nan_to_num(cv2.matchTemplate(window, variant, cv2.TM_CCOEFF_NORMED),
                                  nan=-1.0)
            _, top, _, (px, py) = cv2.minMaxLoc(score)
            if top > best[0]:
                best = (top, (x0 + px + tw / 2) * COARSEN, (y0 + py + th / 2) * COARSEN)
        if best[0] >= MATCH_THRESHOLD:
            out.append((best[1], best[2], best[0]))
    return out


def _match_everywhere(
    image: np.ndarray, variants: list[np.ndarray]
) -> list[tuple[float, float, float]]:
    """Return (x, y, score) of every local best match over the whole image."""
    best = np.full(image.shape, -1.0, np.float32)
    side = 2
    for variant in variants:
        th, tw = variant.shape
        if th >= image.shape[0] or tw >= image.shape[1]:
            continue
        side = max(side, th, tw)
        score = np.nan_to_num(cv2.matchTemplate(image, variant, cv2.TM_CCOEFF_NORMED), nan=-1.0)
        # Store each score at the window centre so variants of different shapes line up.
        cy, cx = th // 2, tw // 2
        region = best[cy:cy + score.shape[0], cx:cx + score.shape[1]]
        better = score > region
        region[better] = score[better]
    return [(x * COARSEN, y * COARSEN, s)
            for y, x, s in _peaks(best, MATCH_THRESHOLD, max(side // 4, 2))]


class _HoleTable:
    """The sheet's enclosed regions as arrays, for quick window and likeness queries."""

    def __init__(self, rmap: RegionMap) -> None:
        self.regions = [r for r in rmap.regions.values() if r.area_in2 >= MIN_HOLE_IN2]
        self.boxes = np.asarray([r.bbox_px for r in self.regions], np.float64).reshape(-1, 4)
        self.sizes = np.asarray([(r.area_in2, r.length_in, r.width_in) for r in self.regions],
                                np.float64).reshape(-1, 3)

    def inside(self, cx: float, cy: float, half: float) -> list[Region]:
        """Return the regions wholly inside a window, largest first."""
        b = self.boxes
        ok = (b[:, 0] >= cx - half - 1) & (b[:, 2] <= cx + half + 1) & (
            b[:, 1] >= cy - half - 1) & (b[:, 3] <= cy + half + 1)
        found = [self.regions[i] for i in np.nonzero(ok)[0]]
        return sorted(found, key=lambda r: -r.area_in2)

    def like(self, model: Region) -> list[tuple[float, float]]:
        """Return the centres of regions of about the model's area, length and width."""
        want = np.array([model.area_in2, model.length_in, model.width_in])
        slack = np.array([HOLE_TOLERANCE, LIKENESS, LIKENESS]) * want + 0.75
        close = np.all(np.abs(self.sizes - want) <= slack, axis=1)
        return [self.regions[i].center_px for i in np.nonzero(close)[0]]


def _same_holes(want: list[float], got: list[float]) -> bool:
    """Whether ``got`` holds a hole of about the size of most of those in ``want``.

    Extras are allowed (other line work nearby), and a few misses (a small hole that
    drawing at a slant merged into its neighbour).
    """
    free = list(got)
    matched = 0
    for area in want:
        match = next((g for g in free if abs(g - area) <= HOLE_TOLERANCE * area), None)
        if match is not None:
            free.remove(match)
            matched += 1
    return matched >= HOLES_MATCHED * len(want)


def _prepare(image: np.ndarray) -> np.ndarray:
    small = cv2.resize(image, None, fx=1 / COARSEN, fy=1 / COARSEN,
                       interpolation=cv2.INTER_AREA)
    thick = cv2.dilate((small > 0).astype(np.uint8) * 255, np.ones((2, 2), np.uint8))
    return cv2.GaussianBlur(thick, (3, 3), 0).astype(np.float32)


def _variants(template: np.ndarray) -> list[np.ndarray]:
    """Return the template turned in steps of ``TURN_STEP`` degrees, plain and mirrored."""
    out: list[np.ndarray] = []
    for mirrored in (template, np.ascontiguousarray(template[:, ::-1])):
        for quarter in range(4):
            turned = np.ascontiguousarray(np.rot90(mirrored, quarter))
            out.append(turned)
            for extra in range(TURN_STEP, 90, TURN_STEP):
                out.append(_turn(turned, extra))
    return out


def _turn(template: np.ndarray, degrees: float) -> np.ndarray:
    h, w = template.shape
    side = int(np.ceil(np.hypot(h, w)))
    m = cv2.getRotationMatrix2D((w / 2, h / 2), degrees, 1.0)
    m[0, 2] += side / 2 - w / 2
    m[1, 2] += side / 2 - h / 2
    return cv2.warpAffine(template, m, (side, side), flags=cv2.INTER_LINEAR)


def _peaks(score: np.ndarray, threshold: float, radius: int) -> list[tuple[int, int, float]]:
    """Return local maxima above ``threshold``, no two closer than ``radius`` pixels."""
    kernel = np.ones((2 * radius + 1, 2 * radius + 1), np.uint8)
    local = cv2.dilate(score, kernel)
    ys, xs = np.nonzero((score >= threshold) & (score >= local))
    order = np.argsort(-score[ys, xs])
    kept: list[tuple[int, int, float]] = []
    for k in order:
        y, x = int(ys[k]), int(xs[k])
        if all(abs(y - a) > radius or abs(x - b) > radius for a, b, _ in kept):
            kept.append((y, x, float(score[y, x])))
    return kept


def _name_of(rmap: RegionMap, box_px: tuple[int, int, int, int]) -> str:
    """Return the fixture type the shape rules read inside the exemplar box, else "other"."""
    x0, y0, x1, y1 = box_px
    inside = {k: r for k, r in rmap.regions.items()
              if x0 <= r.center_px[0] <= x1 and y0 <= r.center_px[1] <= y1}
    found = read_fixtures(RegionMap(rmap.linework, rmap.labels, inside))
    return found[0].fixture if found else "other"
