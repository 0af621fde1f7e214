"""Curbless (roll-in) showers read from their floor: slope lines that cross at a drain.

A roll-in shower has no tray outline to find; what marks it is the floor falling to a drain,
drawn as straight lines from the corners of the wet area crossing at a small circle. The
circle is drawn as a ring of short strokes, which survives floor hatching that hides it in
pixels, so this rule reads vectors, not the line-work image.

Known shortcomings: a shower whose slope lines stop short of the drain, or whose drain is
drawn as a square, is missed; a drain with slope lines in a wet room that is not a shower
(a wash bay) is reported as a shower.
"""

from __future__ import annotations

import itertools
import math

import numpy as np

from plansite.domain.sheet import Sheet
from plansite.vision.fixture_shapes import Found
from plansite.vision.linework import Linework

# Slope lines: real length in inches, and how far from square to the sheet they must lean.
SLOPE_MIN_IN, SLOPE_MAX_IN = 15.0, 200.0
# The two lines together must span a wet area at least this wide each way (inches).
WET_AREA_MIN_IN = 28.0
# A drain whose falls span less than this (inches) drains a pit or a yard, not a shower.
SHOWER_MIN_IN = 34.0
# More directions of sloping lines than this through one point is a tree or a star, not a
# floor (a floor's falls run along its two diagonals).
MAX_LINES_THROUGH = 3
LEAN_MIN_DEG = 15.0
# The drain ring: radius in inches and the share of directions it must cover.
DRAIN_R_MIN_IN, DRAIN_R_MAX_IN = 0.8, 4.0
DRAIN_COVER = 0.85


def find_sloped_showers(sheet: Sheet, linework: Linework, feet_per_unit: float) -> list[Found]:
    """Return a shower at each drain ring where two sloping lines cross."""
    inches = feet_per_unit * 12.0
    segs = _segments(sheet)
    if segs.size == 0:
        return []
    lengths = np.hypot(segs[:, 2] - segs[:, 0], segs[:, 3] - segs[:, 1]) * inches

    angles = np.degrees(np.arctan2(segs[:, 3] - segs[:, 1], segs[:, 2] - segs[:, 0])) % 90
    lean = np.minimum(angles, 90 - angles)
    slopes = segs[(lengths >= SLOPE_MIN_IN) & (lengths <= SLOPE_MAX_IN) & (lean >= LEAN_MIN_DEG)]
    short = segs[lengths <= 2.5]
    if len(slopes) < 2 or len(short) == 0:
        return []

    short_mid = (short[:, :2] + short[:, 2:]) / 2
    order = np.argsort(short_mid[:, 0])
    short, short_mid = short[order], short_mid[order]
    out: list[Found] = []
    seen: list[tuple[float, float]] = []
    reach = DRAIN_R_MAX_IN * 1.5 / inches
    long_lines = segs[(lengths >= SLOPE_MIN_IN) & (lean >= LEAN_MIN_DEG)]
    for i, j, p in _crossings(slopes):
        if any(math.hypot(p[0] - q[0], p[1] - q[1]) * inches < 8 for q in seen):
            continue
        pair = slopes[[i, j]]
        span_x = (pair[:, [0, 2]].max() - pair[:, [0, 2]].min()) * inches
        span_y = (pair[:, [1, 3]].max() - pair[:, [1, 3]].min()) * inches
        if min(span_x, span_y) < WET_AREA_MIN_IN:
            continue
        if _lines_through(long_lines, p, 1.0 / inches) > MAX_LINES_THROUGH:
            continue
        lo = np.searchsorted(short_mid[:, 0], p[0] - reach)
        hi = np.searchsorted(short_mid[:, 0], p[0] + reach)
        near = short[lo:hi]
        near = near[np.abs((near[:, 1] + near[:, 3]) / 2 - p[1]) <= reach]
        radius = _ring_radius(near, p, inches)
        if radius is None:
            continue
        seen.append(p)
        half = 18.0 / inches
        cx, cy = linework.to_px(p)
        k = linework.px_per_unit
        box = (cx - half * k, cy - half * k, cx + half * k, cy + half * k)
        r = (radius + 0.5) / inches * k
        core = (cx - r, cy - r, cx + r, cy + r)
        if min(span_x, span_y) < SHOWER_MIN_IN:
            out.append(Found("floor_drain", box, 0.55,
                             f"drain ({2 * radius:.0f} in) at the crossing of an X "
                             f"{min(span_x, span_y):.0f} in wide", core))
            continue
        out.append(Found("shower", box, 0.7,
                         f"drain ({2 * radius:.0f} in) where sloped floor lines cross", core))
    return out


def _segments(sheet: Sheet) -> np.ndarray:
    rows: list[tuple[float, float, float, float]] = []
    for path in sheet.paths:
        for line in path.polylines:
            for a, b in itertools.pairwise(line):
                rows.append((a[0], a[1], b[0], b[1]))
    return np.asarray(rows, np.float64).reshape(-1, 4)


def _crossings(slopes: np.ndarray):
    """Yield (i, j, point) for pairs of sloping segments that cross at a real angle."""
    x0 = np.minimum(slopes[:, 0], slopes[:, 2])
    x1 = np.maximum(slopes[:, 0], slopes[:, 2])
    order = np.argsort(x0)
    for n, i in enumerate(order):
        a = slopes[i]
        for j in order[n + 1:]:
            if x0[j] > x1[i]:
                break
            b = slopes[j]
            p = _intersect(a, b)
            if p is not None:
                yield int(i), int(j), p


def _intersect(a: np.ndarray, b: np.ndarray) -> tuple[float, float] | None:
    d1 = (a[2] - a[0], a[3] - a[1])
    d2 = (b[2] - b[0], b[3] - b[1])
    den = d1[0] * d2[1] - d1[1] * d2[0]
    n1, n2 = math.hypot(*d1), math.hypot(*d2)
    if n1 == 0 or n2 == 0 or abs(den) / (n1 * n2) < math.sin(math.radians(30)):
        return None
    t = ((b[0] - a[0]) * d2[1] - (b[1] - a[1]) * d2[0]) / den
    u = ((b[0] - a[0]) * d1[1] - (b[1] - a[1]) * d1[0]) / den
    if not (-0.02 <= t <= 1.02 and -0.02 <= u <= 1.02):
        return None
    return (a[0] + t * d1[0], a[1] + t * d1[1])


def _lines_through(lines: np.ndarray, p: tuple[float, float], tol: float) -> int:
    """Count the distinct directions (10-degree steps) of segments passing near ``p``."""
    a, b = lines[:, :2], lines[:, 2:]
    d = b - a
    norm = np.maximum((d * d).sum(axis=1), 1e-12)
    t = np.clip(((p[0] - a[:, 0]) * d[:, 0] + (p[1] - a[:, 1]) * d[:, 1]) / norm, 0, 1)
    cx, cy = a[:, 0] + t * d[:, 0], a[:, 1] + t * d[:, 1]
    near = np.hypot(cx - p[0], cy - p[1]) <= tol
    directions = np.degrees(np.arctan2(d[near, 1], d[near, 0])) % 180
    return len(np.unique(np.round(directions / 10).astype(int) % 18))


def _ring_radius(near: np.ndarray, p: tuple[float, float], inches: float) -> float | None:
    """Return the radius (inches) of a ring of short strokes around ``p``, if there is one."""
    if len(near) < 6:
        return None
    pts = np.concatenate([near[:, :2], near[:, 2:]])
    dx, dy = pts[:, 0] - p[0], pts[:, 1] - p[1]
    dist = np.hypot(dx, dy) * inches
    ring = (dist >= DRAIN_R_MIN_IN) & (dist <= DRAIN_R_MAX_IN)
    if ring.sum() < 6:
        return None
    # A drain is often two concentric rings: take the radius most points agree on.
    candidates = dist[ring]
    support = [(np.abs(candidates - r) <= 0.12 * r).sum() for r in candidates]
    radius = float(candidates[int(np.argmax(support))])
    on = np.abs(dist - radius) <= 0.12 * radius
    octants = np.unique((np.degrees(np.arctan2(dy[on], dx[on])) % 360 // 45).astype(int))
    if on.sum() < 8 or len(octants) < 8 * DRAIN_COVER:
        return None
    return radius
