"""Repeats of one symbol the estimator points at, found at any rotation and mirrored.

The exemplar is cut from the line-work image (so it is compared at real size), thickened a
little so strokes that land a pixel apart still meet, and compared against the whole sheet
in eight turns (every 45 degrees) and their mirror images by normalised cross-correlation.
Its type comes from what the shape rules read inside the exemplar box; a symbol they cannot
name is reported as ``other``, for the estimator to name once.

Known shortcomings: a repeat drawn at another size (a different drawing scale) is not found;
turns between the eight steps match less well and are found only when the symbol is
tolerant of it (most fixtures are drawn square to a wall); a symbol crossed by other line
work (a hatch, a dimension) scores lower and may be missed.
"""

from __future__ import annotations

import cv2
import numpy as np

from plansite.domain.sheet import BBox
from plansite.vision.fixture_shapes import Found, read_fixtures
from plansite.vision.linework import Linework
from plansite.vision.shapes import RegionMap

# Correlation above which a window is a repeat of the exemplar.
MATCH_THRESHOLD = 0.62
# Matching runs on an image this many times coarser than the line work, for speed.
COARSEN = 2


def find_repeats(linework: Linework, rmap: RegionMap, exemplars: list[BBox]) -> list[Found]:
    """Return every repeat of each exemplar box (the exemplar itself included)."""
    out: list[Found] = []
    for box in exemplars:
        out += _repeats_of(linework, rmap, box)
    return out


def _repeats_of(linework: Linework, rmap: RegionMap, box: BBox) -> list[Found]:
    x0, y0 = linework.to_px((box[0], box[1]))
    x1, y1 = linework.to_px((box[2], box[3]))
    x0, x1 = sorted((int(x0), int(x1)))
    y0, y1 = sorted((int(y0), int(y1)))
    h, w = linework.image.shape
    x0, y0, x1, y1 = max(x0, 0), max(y0, 0), min(x1, w), min(y1, h)
    if x1 - x0 < 4 or y1 - y0 < 4:
        return []

    fixture = _name_of(rmap, (x0, y0, x1, y1))
    image = _prepare(linework.image)
    template = _prepare(linework.image[y0:y1, x0:x1])
    if template.shape[0] < 3 or template.shape[1] < 3 or not template.any():
        return []

    best = np.full(image.shape, -1.0, np.float32)
    sizes: dict[tuple[int, int], tuple[int, int]] = {}
    for variant in _variants(template):
        th, tw = variant.shape
        if th >= image.shape[0] or tw >= image.shape[1]:
            continue
        score = cv2.matchTemplate(image, variant, cv2.TM_CCOEFF_NORMED)
        score = np.nan_to_num(score, nan=-1.0)
        # Store each score at the window centre so variants of different shapes line up.
        cy, cx = th // 2, tw // 2
        region = best[cy:cy + score.shape[0], cx:cx + score.shape[1]]
        better = score > region
        region[better] = score[better]
        sizes[(th, tw)] = (th, tw)

    side = max(template.shape)
    peaks = _peaks(best, MATCH_THRESHOLD, max(side // 2, 2))
    out = []
    for (py, px, s) in peaks:
        half = side * COARSEN / 2
        cx, cy = px * COARSEN, py * COARSEN
        out.append(Found(fixture, (cx - half, cy - half, cx + half, cy + half), float(s) * 0.9,
                         f"repeat of the exemplar symbol (match {s:.2f})"))
    return out


def _prepare(image: np.ndarray) -> np.ndarray:
    small = cv2.resize(image, None, fx=1 / COARSEN, fy=1 / COARSEN,
                       interpolation=cv2.INTER_AREA)
    thick = cv2.dilate((small > 0).astype(np.uint8) * 255, np.ones((2, 2), np.uint8))
    return cv2.GaussianBlur(thick, (3, 3), 0).astype(np.float32)


def _variants(template: np.ndarray) -> list[np.ndarray]:
    """Return the template in eight turns of 45 degrees, each plain and mirrored."""
    out: list[np.ndarray] = []
    for mirrored in (template, template[:, ::-1]):
        for quarter in range(4):
            turned = np.ascontiguousarray(np.rot90(mirrored, quarter))
            out.append(turned)
            out.append(_turn45(turned))
    return out


def _turn45(template: np.ndarray) -> np.ndarray:
    h, w = template.shape
    side = int(np.ceil(np.hypot(h, w)))
    m = cv2.getRotationMatrix2D((w / 2, h / 2), 45, 1.0)
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
