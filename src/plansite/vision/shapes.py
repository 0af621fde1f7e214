"""Enclosed regions of a line-work image, measured in real inches and described by shape.

A fixture symbol is mostly the white space its outline encloses: a bowl is an oval hole, a
tank a thin rectangle, a tub an elongated rounded hole, a drain a small round one. Each
region is described by numbers that do not depend on rotation or mirroring (size along its
own axes, how well an ellipse or a rectangle fits it) plus the region that surrounds it, so
rules can ask "an oval with a small round hole inside" without knowing how it was drawn.

Known shortcomings: an outline with a gap wider than a pixel leaks into the room around it
and is not a region; a symbol drawn over a hatch is split into the hatch's cells.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from plansite.vision.linework import Linework

# Regions smaller than this (inches, longer side) are text counters and hatch cells.
MIN_SIDE_IN = 1.2
# Regions larger than this (inches, longer side) are rooms, not fixtures.
MAX_SIDE_IN = 96.0


@dataclass
class Region:
    """One enclosed region: its pixels' extent, size in inches and shape measures."""

    label: int
    bbox_px: tuple[int, int, int, int]
    center_px: tuple[float, float]
    area_in2: float
    length_in: float
    width_in: float
    # Direction of the long axis, radians, in pixel space.
    angle: float
    # Area over the area of the ellipse of the same second moments (1 for an ellipse).
    ellipse_fit: float
    # Area over the area of the smallest rotated rectangle around it (1 for a rectangle).
    rect_fill: float
    # Corners of the outline simplified to within an inch: 4 for a box, many for a curve.
    vertices: int = 0
    # The same at half an inch (at least a pixel): rounded corners add corners here that a
    # sharp box or a skewed quadrilateral does not.
    vertices_fine: int = 0
    # Share of the outline's length in its two longest straight edges: near 0 for an oval,
    # about 0.3 for a D, over 0.5 for a quarter circle (a door swing) or a box.
    straight_share: float = 1.0
    # Overlap of the region with its mirror image across its long axis: near 1 for a bowl,
    # basin or tub, lower for a door swing's quarter circle cut by other lines.
    symmetry: float = 0.0
    # The same across its short axis (a D-shaped basin is symmetric this way only).
    symmetry_minor: float = 0.0
    # Area (square inches) of what lies inside the outline but is not the region: ink and
    # enclosed holes (a drain, a tap), and how far its centre is from the region's, inches.
    inner_in2: float = 0.0
    inner_offset_in: float = 0.0
    # Longer side of the box around what lies inside, inches (a drain is compact, a handle
    # or a leader line is long and thin).
    inner_extent_in: float = 0.0
    parent: int = 0

    @property
    def ratio(self) -> float:
        return self.length_in / max(self.width_in, 1e-6)

    def axis(self) -> tuple[float, float]:
        return (math.cos(self.angle), math.sin(self.angle))


@dataclass
class RegionMap:
    """Every fixture-sized region of one line-work image, with the label image behind it."""

    linework: Linework
    labels: np.ndarray
    regions: dict[int, Region]


def find_regions(linework: Linework) -> RegionMap:
    """Label the white space between lines and describe the regions of fixture size."""
    free = (linework.image == 0).astype(np.uint8)
    _, labels, stats, centroids = cv2.connectedComponentsWithStats(free, connectivity=4)
    ipp = linework.inches_per_px
    lo, hi = MIN_SIDE_IN / ipp, MAX_SIDE_IN / ipp
    longer = np.maximum(stats[:, cv2.CC_STAT_WIDTH], stats[:, cv2.CC_STAT_HEIGHT])
    keep = np.nonzero((longer >= lo) & (longer <= hi))[0]

    regions: dict[int, Region] = {}
    for label in keep:
        if label == 0:
            continue
        region = _describe(labels, int(label), stats[label], centroids[label], ipp)
        if region:
            regions[region.label] = region
    _assign_parents(labels, list(regions.values()))
    for region in regions.values():
        # A bowl's rim can be thinner than the probes' reach: look all round the curve.
        if 9 <= region.length_in <= 30 and region.vertices >= 5:
            region.parent = _parent(labels, region)
    return RegionMap(linework, labels, regions)


def _describe(
    labels: np.ndarray, label: int, stat: np.ndarray, centroid: np.ndarray, ipp: float
) -> Region | None:
    x, y, w, h, area = (int(v) for v in stat[:5])
    if area == w * h:
        # A square-on rectangle (tiles, grid cells, most of a plan): no need to measure it.
        return Region(
            label=label, bbox_px=(x, y, x + w, y + h),
            center_px=(float(centroid[0]), float(centroid[1])), area_in2=area * ipp * ipp,
            length_in=max(w, h) * ipp, width_in=min(w, h) * ipp,
            angle=0.0 if w >= h else math.pi / 2, ellipse_fit=3 / math.pi, rect_fill=1.0,
            vertices=4,
        )
    mask = (labels[y:y + h, x:x + w] == label).astype(np.uint8)
    m = cv2.moments(mask, binaryImage=True)
    if m["m00"] <= 0:
        return None

    # Pixel-centre moments underestimate thin shapes by half a pixel each side: add it back.
    var_x = m["mu20"] / m["m00"] + 1 / 12
    var_y = m["mu02"] / m["m00"] + 1 / 12
    cov = m["mu11"] / m["m00"]
    spread = math.sqrt(max(((var_x - var_y) / 2) ** 2 + cov * cov, 0.0))
    big = (var_x + var_y) / 2 + spread
    small = max((var_x + var_y) / 2 - spread, 1e-9)
    angle = 0.5 * math.atan2(2 * cov, var_x - var_y)
    ellipse_area = math.pi * 4 * math.sqrt(big * small)
    ellipse_fit = area / ellipse_area if ellipse_area > 0 else 0.0

    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    if not contours:
        return None
    outline = max(contours, key=cv2.contourArea)
    (_, _), (rw, rh), _ = cv2.minAreaRect(outline)
    rect_area = (rw + 1) * (rh + 1)
    rect_fill = area / rect_area if rect_area > 0 else 0.0
    length, width = max(rw, rh) + 1, min(rw, rh) + 1
    eps = max(1.0 / ipp, 0.02 * cv2.arcLength(outline, True))
    polygon = cv2.approxPolyDP(outline, eps, True).reshape(-1, 2).astype(np.float64)
    vertices = len(polygon)
    vertices_fine = len(cv2.approxPolyDP(outline, max(0.5 / ipp, 1.0), True))
    edges = np.hypot(*(np.roll(polygon, -1, axis=0) - polygon).T)
    straight = float(np.sort(edges)[-2:].sum() / edges.sum()) if edges.sum() > 0 else 1.0

    symmetry = minor = 0.0
    if 8 <= max(w, h) * ipp <= 80:
        symmetry = _symmetry(mask, m, angle)
        minor = _symmetry(mask, m, angle + math.pi / 2)

    filled = np.zeros_like(mask)
    cv2.drawContours(filled, [outline], -1, 1, thickness=cv2.FILLED)
    inner = (filled > 0) & (mask == 0)
    # The outline's own pixels count as filled; keep only what is well inside it.
    inner &= cv2.erode(filled, np.ones((3, 3), np.uint8)) > 0
    inner_px = int(inner.sum())
    offset = extent = 0.0
    if inner_px:
        iy, ix = np.nonzero(inner)
        offset = float(np.hypot(ix.mean() + x - centroid[0], iy.mean() + y - centroid[1]))
        extent = float(max(ix.max() - ix.min(), iy.max() - iy.min()) + 1)

    return Region(
        label=label,
        bbox_px=(x, y, x + w, y + h),
        center_px=(float(centroid[0]), float(centroid[1])),
        area_in2=area * ipp * ipp,
        length_in=length * ipp,
        width_in=width * ipp,
        angle=angle,
        ellipse_fit=ellipse_fit,
        rect_fill=min(rect_fill, 1.0),
        vertices=vertices,
        vertices_fine=vertices_fine,
        straight_share=straight,
        symmetry=symmetry,
        symmetry_minor=minor,
        inner_in2=inner_px * ipp * ipp,
        inner_offset_in=offset * ipp,
        inner_extent_in=extent * ipp,
    )


def _symmetry(mask: np.ndarray, m: dict, angle: float) -> float:
    """Return the overlap (IoU) of ``mask`` with its reflection across its long axis."""
    cx, cy = m["m10"] / m["m00"], m["m01"] / m["m00"]
    c, s = np.cos(2 * angle), np.sin(2 * angle)
    # Reflection across the line through (cx, cy) at ``angle``.
    matrix = np.array([[c, s, cx - c * cx - s * cy], [s, -c, cy - s * cx + c * cy]])
    h, w = mask.shape
    pad = max(h, w)
    big = cv2.copyMakeBorder(mask, pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=0)
    matrix[:, 2] += pad - matrix[:, :2] @ np.array([pad, pad])
    mirrored = cv2.warpAffine(big, matrix, (big.shape[1], big.shape[0]),
                              flags=cv2.INTER_NEAREST)
    inter = np.logical_and(big, mirrored).sum()
    union = np.logical_or(big, mirrored).sum()
    return float(inter / union) if union else 0.0


def _assign_parents(labels: np.ndarray, regions: list[Region]) -> None:
    """Set each region's parent: the label found most often just outside it, probed across
    the outline (two and three pixels out) at the middle of each side of its box; 0 when
    none is found."""
    if not regions:
        return
    h, w = labels.shape
    boxes = np.array([r.bbox_px for r in regions], np.int64)
    own = np.array([r.label for r in regions], np.int64)
    cx = (boxes[:, 0] + boxes[:, 2]) // 2
    cy = (boxes[:, 1] + boxes[:, 3]) // 2
    probes = []
    for reach in (2, 3):
        probes += [
            (boxes[:, 0] - reach, cy), (boxes[:, 2] - 1 + reach, cy),
            (cx, boxes[:, 1] - reach), (cx, boxes[:, 3] - 1 + reach),
        ]
    found = np.stack([
        labels[np.clip(y, 0, h - 1), np.clip(x, 0, w - 1)] for x, y in probes
    ], axis=1).astype(np.int64)
    found[(found == own[:, None]) | (found == 0)] = -1
    for region, row in zip(regions, found, strict=True):
        row = row[row >= 0]
        if row.size:
            values, counts = np.unique(row, return_counts=True)
            region.parent = int(values[np.argmax(counts)])


def _parent(labels: np.ndarray, region: Region, reach: int = 3) -> int:
    """Return the label that surrounds ``region`` across its outline (0 when none does)."""
    x0, y0, x1, y1 = region.bbox_px
    h, w = labels.shape
    ax0, ay0 = max(x0 - reach - 1, 0), max(y0 - reach - 1, 0)
    ax1, ay1 = min(x1 + reach + 1, w), min(y1 + reach + 1, h)
    crop = labels[ay0:ay1, ax0:ax1]
    mask = (crop == region.label).astype(np.uint8)
    kernel = np.ones((2 * reach + 1, 2 * reach + 1), np.uint8)
    ring = cv2.dilate(mask, kernel) > 0
    ring &= crop != region.label
    ring &= crop != 0
    values = crop[ring]
    if values.size == 0:
        return 0
    found, counts = np.unique(values, return_counts=True)
    return int(found[np.argmax(counts)])
