"""Fixture symbols read from enclosed regions: which arrangements of holes make a fixture.

Every rule is stated in real inches and in shape measures that ignore rotation and mirroring,
so the same rule reads a toilet drawn facing any wall at any drawing scale:

- water closet: an oval bowl with a tank, flush valve or seat hinge at one end of its long
  axis, lying across that axis;
- lavatory: an oval or D-shaped basin (no tank) inside a rim or with a drain hole, a small
  one with taps at its back, or a box-shaped bowl too narrow for a sink in a rim with a drain;
- bathtub: an elongated rounded hole of tub size, usually with a drain hole at one end;
- shower: a tray-sized square with a drain hole near its middle, or a door that swings both
  ways (two quarter circles back to back: a pivoting screen door, which rooms do not have);
- kitchen sink: two matching bowls side by side (one sink), with a drain in each, or with
  rounded corners and parted only by a thin divider;
- sink: one squarish bowl with a rim and a drain (a kitchen, lab or hand sink: the shape
  alone does not say which), or a bowl crossed corner to corner by an X with a drain ring
  where the lines cross (drawn falling to its drain);
- clothes washer: an appliance-sized square with a round door, or a control strip along
  one side;
- floor drain: a small box split into four triangles by an X.

Known shortcomings: a toilet drawn with no tank, valve or hinge at the back is not found
(and its bowl is not a basin unless it has a rim or drain); round basins and water heaters
are not told apart, so water heaters are not reported; a shower enclosure with a hinged
(90-degree) door, and appliances drawn as a plain or grey-filled square, are not found; an
under-counter appliance with a strip along its front (a dishwasher) reads as a washer; two
box-shaped bins or niches side by side, nearly touching, can read as a double sink; small wall
basins (under 13.5 in) are read only with taps drawn at their back, to keep stools and
chair seats out, so a small basin drawn without taps is missed; a crossed bowl that another
line cuts through (more than four wedges) is missed, and the bowls of a crossed double sink
are reported as two sinks; the sizes assume fixtures drawn near real size (a schematic
symbol is missed).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass

import cv2
import numpy as np

from plansite.vision.shapes import Region, RegionMap


@dataclass
class Found:
    """A fixture read from regions: type, pixel box and centre, confidence, why."""

    fixture: str
    box_px: tuple[float, float, float, float]
    confidence: float
    evidence: str
    # The part of the symbol whose ink colour says whether it is new work or background,
    # when not the whole box (a shower's drain, not the floor hatch around it).
    core_px: tuple[float, float, float, float] | None = None

    @property
    def center_px(self) -> tuple[float, float]:
        return ((self.box_px[0] + self.box_px[2]) / 2, (self.box_px[1] + self.box_px[3]) / 2)


class _Grid:
    """Regions bucketed by centre so each rule looks only at its neighbours."""

    def __init__(self, regions: list[Region], cell_px: float) -> None:
        self.cell = max(cell_px, 1.0)
        self.cells: dict[tuple[int, int], list[Region]] = defaultdict(list)
        for r in regions:
            self.cells[self._key(r.center_px)].append(r)

    def _key(self, p: tuple[float, float]) -> tuple[int, int]:
        return (int(p[0] // self.cell), int(p[1] // self.cell))

    def near(self, p: tuple[float, float], reach_px: float) -> Iterator[Region]:
        k = math.ceil(reach_px / self.cell)
        cx, cy = self._key(p)
        for i in range(cx - k, cx + k + 1):
            for j in range(cy - k, cy + k + 1):
                for r in self.cells.get((i, j), ()):
                    if abs(r.center_px[0] - p[0]) <= reach_px and \
                            abs(r.center_px[1] - p[1]) <= reach_px:
                        yield r


def read_fixtures(rmap: RegionMap, lettered: set[int] | None = None) -> list[Found]:
    """Return the fixtures the region map's shapes spell, each region used at most once.

    ``lettered`` holds the regions with text written inside them: grid bubbles, room tags
    and title boxes are outlines of fixture size, but no fixture outline encloses a word.
    """
    ipp = rmap.linework.inches_per_px
    regions = [r for r in rmap.regions.values() if r.label not in (lettered or set())]
    # A room's name is often written in the open floor a door sweeps: swings keep theirs.
    swings = [r for r in rmap.regions.values() if _is_quarter_disc(r)]
    grid = _Grid(regions, 24.0 / ipp)
    children: dict[int, list[Region]] = defaultdict(list)
    by_label = {r.label: r for r in regions}
    for r in regions:
        outer = by_label.get(r.parent)
        if outer is not None and _inside(r, outer):
            children[r.parent].append(r)

    used: set[int] = set()
    found: list[Found] = []
    found += _washers(regions, grid, children, ipp, used)
    found += _water_closets(regions, grid, ipp, used)
    found += _bathtubs(regions, children, used)
    found += _showers(regions, children, used)
    found += _pivot_doors(swings, _Grid(swings, 24.0 / ipp), rmap, used)
    found += _kitchen_sinks(regions, grid, children, ipp, used)
    found += _lavatories(regions, rmap, children, used)
    found += _crossed_bowls(regions, grid, rmap, used)
    found += _floor_drains(regions, grid, ipp, used)
    return found


def _inside(inner: Region, outer: Region) -> bool:
    """Whether ``inner`` lies within ``outer``'s extent (a hole in it, not a neighbour)."""
    a, b = inner.bbox_px, outer.bbox_px
    return a[0] > b[0] and a[1] > b[1] and a[2] < b[2] and a[3] < b[3]


def _box(r: Region, pad: float = 0.0) -> tuple[float, float, float, float]:
    x0, y0, x1, y1 = r.bbox_px
    return (x0 - pad, y0 - pad, x1 + pad, y1 + pad)


def _union(a: tuple[float, ...], b: tuple[float, ...]) -> tuple[float, float, float, float]:
    return (min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3]))


def _is_oval(r: Region, squareness: float = 0.86) -> bool:
    """An ellipse, egg or D: curved all round, not a rectangle and not a ring.

    ``squareness`` caps how much of its bounding box it may fill: an ellipse fills 0.79, a
    toilet seat opening drawn as a rounded box up to 0.9.
    """
    return r.ellipse_fit >= 0.88 and 0.68 <= r.rect_fill <= squareness


def _is_round_hole(r: Region, lo_in: float, hi_in: float) -> bool:
    return lo_in <= r.length_in <= hi_in and r.ratio <= 1.45 and r.ellipse_fit >= 0.8


def _has_drain(
    r: Region, children: dict[int, list[Region]], hi_in: float = 4.5, reach: float = 0.3
) -> bool:
    """A small round hole inside, or a small blot of ink inside (a drain drawn too small to
    enclose a region at this resolution)."""
    if any(_is_round_hole(c, 0.9, hi_in) for c in children.get(r.label, ())):
        return True
    compact = r.inner_in2 >= 0.3 * r.inner_extent_in ** 2
    near = r.inner_offset_in <= reach * r.length_in
    return (0.5 <= r.inner_in2 <= hi_in * hi_in and r.inner_extent_in <= hi_in and compact
            and near)


def _is_curved(r: Region) -> bool:
    return r.vertices >= 6


def _water_closets(
    regions: list[Region], grid: _Grid, ipp: float, used: set[int]
) -> list[Found]:
    """An oval bowl with something across one end of its long axis (tank, valve, hinge)."""
    out: list[Found] = []
    for bowl in regions:
        if not (_is_oval(bowl, 0.9) and 12.5 <= bowl.length_in <= 26 and 9 <= bowl.width_in <= 20
                and 1.12 <= bowl.ratio <= 1.9 and _is_curved(bowl)
                and bowl.straight_share <= 0.5 and bowl.symmetry >= 0.9):
            continue
        ax, ay = bowl.axis()
        best: tuple[float, Region] | None = None
        for other in grid.near(bowl.center_px, (bowl.length_in / 2 + 18) / ipp):
            if other.label in (bowl.label, bowl.parent) or other.label in used:
                continue
            if not (3 <= other.length_in <= 24
                    and 2.0 <= other.width_in <= 12 and other.ratio >= 1.6):
                continue
            dx = (other.center_px[0] - bowl.center_px[0]) * ipp
            dy = (other.center_px[1] - bowl.center_px[1]) * ipp
            along, across = abs(dx * ax + dy * ay), abs(dx * -ay + dy * ax)
            if not (bowl.length_in / 2 - 1 <= along <= bowl.length_in / 2 + 16):
                continue
            if across > max(3.0, 0.25 * bowl.width_in):
                continue
            ox, oy = other.axis()
            if abs(ox * ax + oy * ay) > 0.5:
                continue
            score = across + abs(along - bowl.length_in / 2 - other.width_in / 2)
            if best is None or score < best[0]:
                best = (score, other)
        if best is None:
            continue
        tank = best[1]
        used.update((bowl.label, tank.label))
        kind = "tank" if tank.length_in >= 14 and tank.width_in >= 5 else "flush valve"
        out.append(Found(
            "water_closet", _union(_box(bowl), _box(tank)), 0.8,
            f"oval bowl {bowl.length_in:.0f}x{bowl.width_in:.0f} in with a "
            f"{tank.length_in:.0f}x{tank.width_in:.0f} in {kind} across its end",
        ))
    return out


def _bathtubs(
    regions: list[Region], children: dict[int, list[Region]], used: set[int]
) -> list[Found]:
    """An elongated hole with rounded corners, tub-sized."""
    out: list[Found] = []
    for r in regions:
        if r.label in used:
            continue
        if not (40 <= r.length_in <= 74 and 17 <= r.width_in <= 36 and 1.4 <= r.ratio <= 3.5):
            continue
        if not (0.8 <= r.rect_fill <= 0.975 and r.ellipse_fit >= 0.88 and _is_curved(r)
                and r.symmetry >= 0.9 and r.inner_in2 <= 12):
            continue
        drain = _has_drain(r, children, 4.0, reach=0.5)
        used.add(r.label)
        out.append(Found(
            "bathtub", _box(r, 3), 0.75 if drain else 0.6,
            f"rounded tub outline {r.length_in:.0f}x{r.width_in:.0f} in"
            + (" with a drain" if drain else ""),
        ))
    return out


def _showers(
    regions: list[Region], children: dict[int, list[Region]], used: set[int]
) -> list[Found]:
    """A tray-sized square or rectangle with a drain hole near its middle."""
    out: list[Found] = []
    for r in regions:
        if r.label in used:
            continue
        if not (28 <= r.width_in and r.length_in <= 64 and r.ratio <= 1.8 and r.rect_fill >= 0.9):
            continue
        reach = 0.3 * r.length_in
        for c in children.get(r.label, ()):
            if not _is_round_hole(c, 1.5, 6.0):
                continue
            dx = (c.center_px[0] - r.center_px[0])
            dy = (c.center_px[1] - r.center_px[1])
            ipp = r.length_in / max(r.bbox_px[2] - r.bbox_px[0], r.bbox_px[3] - r.bbox_px[1], 1)
            if math.hypot(dx, dy) * ipp > reach:
                continue
            used.update((r.label, c.label))
            out.append(Found(
                "shower", _box(r), 0.7,
                f"shower tray {r.length_in:.0f}x{r.width_in:.0f} in with a central drain",
            ))
            break
    return out


def _is_quarter_disc(r: Region) -> bool:
    """A door swing: two straight radii at a right angle closed by an arc."""
    # A true quarter circle fills 0.785 of its box and has 0.56 of its outline straight.
    return (20 <= r.length_in <= 38 and r.ratio <= 1.15 and 0.72 <= r.rect_fill <= 0.82
            and 0.52 <= r.straight_share <= 0.62)


def _pivot_doors(
    regions: list[Region], grid: _Grid, rmap: RegionMap, used: set[int]
) -> list[Found]:
    """Two equal door swings sharing their leaf: a door that pivots both ways (a shower's).

    The centroid of a quarter circle of radius r lies 0.42 r from its corner along the
    bisector, so two mirrored swings sharing a corner have centroids about 0.85 r apart;
    together they make a half circle, twice as long as it is wide.
    """
    ipp = rmap.linework.inches_per_px
    out: list[Found] = []
    for a in regions:
        if a.label in used or not _is_quarter_disc(a):
            continue
        for b in grid.near(a.center_px, a.length_in / ipp):
            if b.label == a.label or b.label in used or not _is_quarter_disc(b):
                continue
            if abs(a.length_in - b.length_in) > 0.1 * a.length_in:
                continue
            gap = math.hypot(b.center_px[0] - a.center_px[0],
                             b.center_px[1] - a.center_px[1]) * ipp
            if not (0.72 * a.length_in <= gap <= 0.95 * a.length_in):
                continue
            if not _half_disc(rmap, a, b):
                continue
            used.update((a.label, b.label))
            out.append(Found("shower", _union(_box(a), _box(b)), 0.55,
                             f"{a.length_in:.0f} in door swinging both ways (pivot screen door)"))
            break
    return out


def _half_disc(rmap: RegionMap, a: Region, b: Region) -> bool:
    """Whether two regions, with the line between them closed, make a half circle."""
    x0, y0, x1, y1 = (int(v) for v in _union(_box(a, 2), _box(b, 2)))
    h, w = rmap.labels.shape
    x0, y0, x1, y1 = max(x0, 0), max(y0, 0), min(x1, w), min(y1, h)
    crop = rmap.labels[y0:y1, x0:x1]
    mask = ((crop == a.label) | (crop == b.label)).astype(np.uint8)
    mask = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, np.ones((5, 5), np.uint8))
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    if not contours:
        return False
    outline = max(contours, key=cv2.contourArea)
    (_, _), (rw, rh), _ = cv2.minAreaRect(outline)
    long_side, short_side = max(rw, rh) + 1, min(rw, rh) + 1
    fill = cv2.contourArea(outline) / (long_side * short_side)
    return 1.8 <= long_side / short_side <= 2.2 and 0.68 <= fill <= 0.85


# A squarish bowl narrower than this (inches, front to back) is a hand basin, not a sink.
NARROW_BASIN_IN = 12.0
# A chair's arm is a strip up to this wide (inches); a control strip is under 4 in.
MAX_ARM_IN = 7.0


def _washers(
    regions: list[Region], grid: _Grid, children: dict[int, list[Region]], ipp: float,
    used: set[int],
) -> list[Found]:
    """A washer-sized box with a round door, or with a control strip along one side.

    The regions around a washer (its door swing, its strip) are claimed with it, so that a
    door swing closed by the strip is not read as a toilet bowl with a flush valve.
    """
    out: list[Found] = []
    for r in regions:
        if r.label in used:
            continue
        if not (21 <= r.width_in and r.length_in <= 28.5 and r.ratio <= 1.2
                and r.rect_fill >= 0.9 and r.vertices <= 6):
            continue
        inner = [c for c in children.get(r.label, ()) if c.length_in >= 4]
        if sum(1 for c in inner if _is_round_hole(c, 4, 11)) >= 2:
            continue
        door = [c for c in inner if _is_round_hole(c, 11, 24)]
        strip = _control_strip(r, grid, ipp)
        if not door and not strip:
            continue
        reach = r.length_in / ipp
        for o in grid.near(r.center_px, reach):
            if o.length_in <= 1.2 * r.length_in:
                used.add(o.label)
        used.add(r.label)
        what = "round door" if door else "control strip along one side"
        out.append(Found(
            "clothes_washer", _box(r), 0.6,
            f"appliance {r.length_in:.0f}x{r.width_in:.0f} in with a {what}",
        ))
    return out


def _control_strip(box: Region, grid: _Grid, ipp: float) -> bool:
    """Whether thin strips (a knob may split one in two) line most of one side of the box,
    and nothing like them the side opposite: strips along two opposite sides (often one a
    little wider than a control strip) are a chair's arms."""
    side = box.length_in
    strips: dict[int, float] = defaultdict(float)
    arms: dict[int, float] = defaultdict(float)
    for o in grid.near(box.center_px, side / ipp):
        if o.label == box.label or not (0.3 <= o.width_in <= MAX_ARM_IN and o.ratio >= 3):
            continue
        dx = (o.center_px[0] - box.center_px[0]) * ipp
        dy = (o.center_px[1] - box.center_px[1]) * ipp
        reach = 3.5 + max(o.width_in - 4.0, 0.0) / 2
        if abs(math.hypot(dx, dy) - side / 2) > reach and not (
            side / 2 - reach < max(abs(dx), abs(dy)) < side / 2 + reach
        ):
            continue
        turn = (math.atan2(dy, dx) - box.angle) % (2 * math.pi)
        k = round(turn / (math.pi / 2)) % 4
        arms[k] += o.length_in
        if o.width_in <= 4.0:
            strips[k] += o.length_in
    lined = {k for k, total in strips.items() if total >= 0.6 * side}
    return bool(lined) and not any(arms[(k + 2) % 4] >= 0.6 * side for k in lined)


# A double sink is one pressed or welded unit: its bowls are parted by a divider this thin
# at most (inches, with the line work between them); two boxes further apart are two
# things (bins, niches, cabinets) that happen to match.
MAX_DIVIDER_IN = 3.0


def _is_bowl(r: Region) -> bool:
    return (10 <= r.width_in and r.length_in <= 24 and r.ratio <= 1.7
            and r.rect_fill >= 0.86 and r.ellipse_fit >= 0.9)


def _kitchen_sinks(
    regions: list[Region], grid: _Grid, children: dict[int, list[Region]], ipp: float,
    used: set[int],
) -> list[Found]:
    """Two matching square bowls side by side; one square bowl with a rim and drain is a sink."""
    out: list[Found] = []
    rmap_regions = {r.label: r for r in regions}
    for r in regions:
        if r.label in used or not _is_bowl(r):
            continue
        twin = None
        for o in grid.near(r.center_px, (r.length_in * 1.6) / ipp):
            if o.label == r.label or o.label in used or not _is_bowl(o):
                continue
            if abs(o.length_in - r.length_in) > 0.35 * r.length_in:
                continue
            if _side_by_side(r, o, ipp) and _alone(r, o, grid, ipp) and (
                (_has_drain(r, children) and _has_drain(o, children))
                or (min(r.rect_fill, o.rect_fill) >= 0.9 and max(r.rect_fill, o.rect_fill) <= 0.96
                    and _divider_in(r, o, ipp) <= MAX_DIVIDER_IN)
            ):
                twin = o
                break
        if twin is not None:
            used.update((r.label, twin.label))
            out.append(Found("kitchen_sink", _union(_box(r), _box(twin)), 0.65,
                             "two matching sink bowls side by side"))
        elif (r.length_in >= 13 and r.width_in >= NARROW_BASIN_IN and r.rect_fill >= 0.9
              and _has_drain(r, children, 3.5)
              and r.inner_offset_in <= 0.25 * r.length_in and _has_rim(r, rmap_regions)):
            used.add(r.label)
            out.append(Found("sink", _box(r), 0.5,
                             f"single square sink bowl {r.length_in:.0f}x{r.width_in:.0f} in "
                             "with a drain and a rim"))
    return out


def _has_rim(r: Region, regions: dict[int, Region]) -> bool:
    """Whether the region sits in a ring hugging it (a basin's rim, a sink's flange)."""
    rim = regions.get(r.parent)
    return rim is not None and _hugs(rim, r)


def _hugs(rim: Region, inner: Region) -> bool:
    """Whether ``rim`` can be the ring round ``inner``: a thin region no more than a little
    larger. It is often open on one side, or broken into pieces by taps and lines, so a
    piece shorter than the bowl still counts. A wedge (three corners) is a corner cut off
    by crossing lines, not a piece of a ring."""
    return rim.rect_fill < 0.6 and rim.length_in <= 1.8 * inner.length_in and rim.vertices > 3


def _alone(a: Region, b: Region, grid: _Grid, ipp: float) -> bool:
    """Whether a pair of bowls has no third like it alongside (cells of a rack or a grid)."""
    for o in grid.near(a.center_px, 1.6 * a.length_in / ipp):
        if o.label in (a.label, b.label) or not _is_bowl(o):
            continue
        if abs(o.length_in - a.length_in) <= 0.35 * a.length_in:
            return False
    return True


def _divider_in(a: Region, b: Region, ipp: float) -> float:
    """Return the width (inches) of what lies between two bowls side by side, edge to edge.

    Measured along the line joining their centres, less each bowl's half extent that way
    (its length or its width, whichever axis that line runs along).
    """
    dx = (b.center_px[0] - a.center_px[0]) * ipp
    dy = (b.center_px[1] - a.center_px[1]) * ipp
    gap = math.hypot(dx, dy)
    half = 0.0
    for r in (a, b):
        ax, ay = r.axis()
        along = abs(dx * ax + dy * ay) / max(gap, 1e-9)
        half += (r.length_in if along >= math.sqrt(0.5) else r.width_in) / 2
    return gap - half


def _side_by_side(a: Region, b: Region, ipp: float) -> bool:
    """Whether two bowls sit next to each other square to their own sides, a wall apart."""
    dx = (b.center_px[0] - a.center_px[0]) * ipp
    dy = (b.center_px[1] - a.center_px[1]) * ipp
    gap = math.hypot(dx, dy)
    if not (0.8 * a.width_in <= gap <= a.length_in + 6):
        return False
    ax, ay = a.axis()
    cos = abs(dx * ax + dy * ay) / max(gap, 1e-9)
    # Along the bowl's long axis or across it, within 15 degrees.
    return cos >= math.cos(math.radians(15)) or cos <= math.sin(math.radians(15))


def _lavatories(
    regions: list[Region], rmap: RegionMap, children: dict[int, list[Region]],
    used: set[int],
) -> list[Found]:
    """An oval or D basin inside a rim or with a drain hole, and nothing like a tank."""
    out: list[Found] = []
    for r in regions:
        if r.label in used:
            continue
        if _small_basin(r):
            used.add(r.label)
            out.append(Found(
                "lavatory", _box(r), 0.55,
                f"small basin {r.length_in:.0f}x{r.width_in:.0f} in with taps at its back",
            ))
            continue
        if _box_basin(r, rmap, children, used):
            rim = rmap.regions[r.parent]
            used.update((r.label, rim.label))
            out.append(Found(
                "lavatory", _box(r), 0.6,
                f"narrow box basin {r.length_in:.0f}x{r.width_in:.0f} in in a rim with a drain",
            ))
            continue
        if not (_is_oval(r) and 13.5 <= r.length_in <= 26 and 8 <= r.width_in <= 22
                and r.ratio <= 1.9 and _is_curved(r) and r.straight_share <= 0.56
                and max(r.symmetry, r.symmetry_minor) >= 0.85):
            continue
        rim = rmap.regions.get(r.parent)
        has_rim = rim is not None and _hugs(rim, r) and rim.label not in used
        drain = _has_drain(r, children, 3.0)
        if not (has_rim or drain):
            continue
        used.add(r.label)
        if rim is not None and has_rim:
            used.add(rim.label)
        whole_rim = has_rim and rim is not None and rim.length_in >= r.length_in
        box = _union(_box(r), _box(rim)) if whole_rim and rim is not None else _box(r)
        out.append(Found(
            "lavatory", box, 0.7 if (has_rim and drain) else 0.6,
            f"oval basin {r.length_in:.0f}x{r.width_in:.0f} in"
            + (" in a rim" if has_rim else "") + (" with a drain" if drain else ""),
        ))
    return out


def _box_basin(
    r: Region, rmap: RegionMap, children: dict[int, list[Region]], used: set[int]
) -> bool:
    """A box-shaped bowl too narrow for a sink (front to back), in a rim, with a drain near
    its middle: a cloakroom or vanity basin. A sink bowl is deep enough for a pot."""
    if not (13.5 <= r.length_in <= 24 and 8 <= r.width_in < NARROW_BASIN_IN
            and r.ratio <= 2.2 and r.rect_fill >= 0.9):
        return False
    rim = rmap.regions.get(r.parent)
    return (rim is not None and rim.label not in used and _hugs(rim, r)
            and _has_drain(r, children, 3.5) and r.inner_offset_in <= 0.25 * r.length_in)


def _has_taps(r: Region) -> bool:
    """Whether marks lie inside the basin towards one end, not at its middle: tap holes or
    a tap deck drawn at the back, against the wall (a drain sits at the middle; a chair
    seat or a stool is empty)."""
    return (1.0 <= r.inner_in2 <= 0.12 * r.area_in2
            and 0.35 * r.length_in <= r.inner_extent_in <= 0.8 * r.length_in
            and 0.2 * r.width_in <= r.inner_offset_in <= 0.45 * r.length_in)


def _small_basin(r: Region) -> bool:
    """A hand basin under the usual lavatory size: a D or oval bowl with taps at its back.

    Small round and D shapes are common (stools, chair seats, bins), so a small basin needs
    its taps; its outline may be cut by them, so it is held to a looser symmetry.
    """
    return (_is_oval(r, 0.9) and 9 <= r.length_in < 13.5 and 7 <= r.width_in <= 12
            and r.ratio <= 1.6 and _is_curved(r) and r.straight_share <= 0.5
            and max(r.symmetry, r.symmetry_minor) >= 0.7 and _has_taps(r))


def _pinwheel(group: list[Region], box: tuple[float, float, float, float]) -> bool:
    """Whether four wedges sit round the box's centre a quarter turn apart, as an X's do
    (a hatch cutting a grid into triangles leaves them in rows instead)."""
    cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    vectors = [(r.center_px[0] - cx, r.center_px[1] - cy) for r in group]
    reach = [math.hypot(*v) for v in vectors]
    side = max(box[2] - box[0], box[3] - box[1])
    if min(reach) < 0.15 * side or max(reach) > 1.3 * min(reach):
        return False
    turns = sorted(math.degrees(math.atan2(v[1], v[0])) % 360 for v in vectors)
    steps = [(b - a) % 360 for a, b in zip(turns, turns[1:] + turns[:1], strict=True)]
    return all(60 <= step <= 120 for step in steps)


def _crossed_bowls(
    regions: list[Region], grid: _Grid, rmap: RegionMap, used: set[int]
) -> list[Found]:
    """A sink bowl drawn falling to its drain: a bowl-sized box crossed corner to corner by
    an X with a drain ring where the lines cross.

    The X alone marks many things (a void, a tall unit, a ceiling tile), so the ring at the
    crossing is what makes it a bowl. The X's four wedges sit a quarter turn apart round the
    crossing, each as far from it as the one opposite (a box's diagonals cross at its middle).
    """
    ipp = rmap.linework.inches_per_px
    wedges = [r for r in regions if r.label not in used and 5 <= r.length_in <= 22
              and 0.4 <= r.rect_fill <= 0.62 and r.vertices == 3]
    labels = {w.label for w in wedges}
    near = _Grid(wedges, 24.0 / ipp)
    out: list[Found] = []
    for w in wedges:
        if w.label in used:
            continue
        group = [o for o in near.near(w.center_px, 1.2 * w.length_in / ipp)
                 if o.label in labels and o.label not in used]
        if len(group) != 4:
            continue
        box = _box(group[0])
        for o in group[1:]:
            box = _union(box, _box(o))
        side_w, side_h = (box[2] - box[0]) * ipp, (box[3] - box[1]) * ipp
        if not (10 <= min(side_w, side_h) and max(side_w, side_h) <= 21
                and max(side_w, side_h) <= 1.5 * min(side_w, side_h)):
            continue
        centre = (float(np.mean([o.center_px[0] for o in group])),
                  float(np.mean([o.center_px[1] for o in group])))
        if not (_crossed_about(group, centre)
                and _drain_ring_at(rmap, centre, {o.label for o in group})):
            continue
        used.update(o.label for o in group)
        out.append(Found("sink", box, 0.5,
                         f"{side_w:.0f}x{side_h:.0f} in bowl falling to a drain (crossed)"))
    return out


def _crossed_about(group: list[Region], centre: tuple[float, float]) -> bool:
    """Whether four wedges sit a quarter turn apart round ``centre``, each pair of opposite
    ones equally far from it."""
    vectors = sorted((math.degrees(math.atan2(r.center_px[1] - centre[1],
                                              r.center_px[0] - centre[0])) % 360,
                      math.hypot(r.center_px[0] - centre[0], r.center_px[1] - centre[1]))
                     for r in group)
    turns = [v[0] for v in vectors]
    steps = [(b - a) % 360 for a, b in zip(turns, turns[1:] + turns[:1], strict=True)]
    if not all(60 <= step <= 120 for step in steps):
        return False
    reach = [v[1] for v in vectors]
    return all(max(reach[i], reach[i + 2]) <= 1.25 * min(reach[i], reach[i + 2]) for i in (0, 1))


def _drain_ring_at(rmap: RegionMap, p: tuple[float, float], wedges: set[int]) -> bool:
    """Whether a drain ring is drawn round the crossing ``p``: white space within 2 in of it
    that is enclosed there (the ring's inside, cut by the X), not one of the X's wedges.

    Lines that only cross leave nothing near the crossing but the wedges between them.
    """
    ipp = rmap.linework.inches_per_px
    labels = rmap.labels
    h, w = labels.shape
    reach, room = 2.0 / ipp, 3.0 / ipp
    x0, y0 = max(int(p[0] - room), 0), max(int(p[1] - room), 0)
    x1, y1 = min(int(p[0] + room) + 2, w), min(int(p[1] + room) + 2, h)
    crop = labels[y0:y1, x0:x1]
    yy, xx = np.mgrid[y0:y1, x0:x1]
    dist = np.hypot(xx - p[0], yy - p[1])
    edge = np.zeros_like(crop, dtype=bool)
    edge[0, :] = edge[-1, :] = edge[:, 0] = edge[:, -1] = True
    for label in np.unique(crop[dist <= reach]):
        if label == 0 or int(label) in wedges:
            continue
        mine = crop == label
        if not (mine & edge).any() and dist[mine].max() <= room:
            return True
    return False


def _floor_drains(
    regions: list[Region], grid: _Grid, ipp: float, used: set[int]
) -> list[Found]:
    """A small box or circle split into four wedges by an X."""
    wedges = [r for r in regions if r.label not in used and 1.2 <= r.length_in <= 9
              and 0.4 <= r.rect_fill <= 0.62 and r.ratio <= 2.5 and r.vertices == 3]
    out: list[Found] = []
    taken: set[int] = set()
    wedge_labels = {w.label for w in wedges}
    for w in wedges:
        if w.label in taken:
            continue
        group = [o for o in grid.near(w.center_px, 1.2 * w.length_in / ipp)
                 if o.label in wedge_labels and o.label not in taken
                 and abs(o.length_in - w.length_in) <= 0.35 * w.length_in]
        if len(group) != 4:
            continue
        box = _box(group[0])
        for o in group[1:]:
            box = _union(box, _box(o))
        side_w, side_h = (box[2] - box[0]) * ipp, (box[3] - box[1]) * ipp
        if not (3 <= min(side_w, side_h) and max(side_w, side_h) <= 9):
            continue
        if max(side_w, side_h) > 1.3 * min(side_w, side_h) or not _pinwheel(group, box):
            continue
        taken.update(o.label for o in group)
        out.append(Found("floor_drain", box, 0.55,
                         f"{max(side_w, side_h):.0f} in box crossed by an X"))
    used.update(taken)
    return out
