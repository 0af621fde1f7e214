"""Fixture symbols found by geometry on small synthetic sheets drawn at a known scale.

Every sheet here is drawn at 1/4" = 1'-0" (one PDF point is 2/3 of a real inch), with the
fixtures at real size, so the tests check the rules in real inches as the engine sees them.
"""

from __future__ import annotations

import itertools
import math

import pytest

from plansite.domain.sheet import PathItem, Point, Scale, Sheet, TextItem, View
from plansite.vision.fixture_shapes import _hugs
from plansite.vision.shapes import Region
from plansite.vision.symbols import find_symbols

FEET_PER_PT = 1 / 18  # 1/4" = 1'-0"
IN = 1.5  # points per real inch at that scale


def _path(points: list[Point], closed: bool = True) -> PathItem:
    pts = list(points) + ([points[0]] if closed else [])
    xs, ys = [p[0] for p in pts], [p[1] for p in pts]
    return PathItem(bbox=(min(xs), min(ys), max(xs), max(ys)), polylines=(tuple(pts),),
                    color=(0.0, 0.0, 0.0), width=0.5, closed=closed)


def _ellipse(cx: float, cy: float, w_in: float, h_in: float, n: int = 48) -> PathItem:
    a, b = w_in * IN / 2, h_in * IN / 2
    return _path([(cx + a * math.cos(2 * math.pi * k / n), cy + b * math.sin(2 * math.pi * k / n))
                  for k in range(n)])


def _rect(cx: float, cy: float, w_in: float, h_in: float) -> PathItem:
    a, b = w_in * IN / 2, h_in * IN / 2
    return _path([(cx - a, cy - b), (cx + a, cy - b), (cx + a, cy + b), (cx - a, cy + b)])


def _rounded_rect(cx: float, cy: float, w_in: float, h_in: float, r_in: float) -> PathItem:
    a, b, r = w_in * IN / 2, h_in * IN / 2, r_in * IN
    pts: list[Point] = []
    corners = ((a - r, b - r, 0), (-a + r, b - r, 90), (-a + r, -b + r, 180), (a - r, -b + r, 270))
    for x, y, start in corners:
        for k in range(9):
            t = math.radians(start + 90 * k / 8)
            pts.append((cx + x + r * math.cos(t), cy + y + r * math.sin(t)))
    return _path(pts)


def _water_closet(cx: float, cy: float) -> list[PathItem]:
    """An elongated bowl (15 x 19 in) with a 20 x 8 in tank behind it (above, y down)."""
    return [_ellipse(cx, cy, 15, 19), _rect(cx, cy - (9.5 + 1 + 4) * IN, 20, 8)]


def _lavatory(cx: float, cy: float) -> list[PathItem]:
    """A 20 x 15 in oval rim, a 16 x 11 in bowl inside it and a 2 in drain."""
    return [_ellipse(cx, cy, 20, 15), _ellipse(cx, cy, 16, 11), _ellipse(cx, cy, 2, 2, 16)]


def _bathtub(cx: float, cy: float) -> list[PathItem]:
    """A 60 x 30 in tub: rectangle rim, rounded inner outline, drain at one end."""
    return [_rect(cx, cy, 60, 30), _rounded_rect(cx, cy, 54, 24, 10),
            _ellipse(cx - 20 * IN, cy, 2, 2, 16)]


def _door_swing(x: float, y: float, width_in: float = 30) -> list[PathItem]:
    """A door leaf and its quarter-circle swing hinged at (x, y)."""
    r = width_in * IN
    arc = [(x + r * math.cos(math.radians(a)), y - r * math.sin(math.radians(a)))
           for a in range(0, 91, 5)]
    return [_path(arc, closed=False), _path([(x, y), (x, y - r)], closed=False),
            _path([(x - 5, y), (x + r + 5, y)], closed=False)]


def _sheet(paths: list[PathItem], scaled: bool = True) -> Sheet:
    sheet = Sheet(index=0, source="synthetic", width=800, height=600, units="pt")
    sheet.paths = paths
    if scaled:
        sheet.scales = [Scale('1/4" = 1\'-0"', FEET_PER_PT, (700, 580, 760, 590))]
    return sheet


def _found(sheet: Sheet, exemplars=None) -> list[tuple[str, float, float]]:
    out = []
    for d in find_symbols(sheet, exemplars or []):
        out.append((d.fixture_type, (d.bbox[0] + d.bbox[2]) / 2, (d.bbox[1] + d.bbox[3]) / 2))
    return out


def _types(found: list[tuple[str, float, float]]) -> list[str]:
    return sorted(t for t, _, _ in found)


def test_water_closet_lavatory_and_bathtub_are_found_where_drawn() -> None:
    sheet = _sheet(_water_closet(100, 150) + _lavatory(300, 150) + _bathtub(500, 300))
    found = _found(sheet)

    assert _types(found) == ["bathtub", "lavatory", "water_closet"]
    where = {t: (x, y) for t, x, y in found}
    assert math.dist(where["lavatory"], (300, 150)) < 10
    assert math.dist(where["bathtub"], (500, 300)) < 10
    # The toilet's box spans bowl and tank: its centre lies between them.
    assert abs(where["water_closet"][0] - 100) < 5
    assert 150 - 25 < where["water_closet"][1] < 150


def test_symbols_are_found_turned_and_mirrored() -> None:
    turned = [_turn(p, 400, 300, 90) for p in _water_closet(400, 300)]
    mirrored = [_turn(p, 200, 300, 180) for p in _water_closet(200, 300)]
    slanted = [_turn(p, 600, 300, 30) for p in _lavatory(600, 300)]
    found = _found(_sheet(turned + mirrored + slanted))

    assert _types(found) == ["lavatory", "water_closet", "water_closet"]


def test_same_size_non_fixtures_are_not_fixtures() -> None:
    paths = (
        _door_swing(100, 200)            # a 30 in door and its swing
        + [_rect(300, 200, 60, 30)]      # a 60 x 30 in table, tub-sized but square-cornered
        + [_ellipse(500, 200, 15, 19)]   # a toilet-sized oval with no tank, rim or drain
        + [_rect(650, 200, 24, 24)]      # an empty 24 in square (a tile, a cabinet)
    )
    assert _found(_sheet(paths)) == []


def test_fixtures_drawn_at_the_wrong_size_are_not_fixtures() -> None:
    # The same toilet drawn at twice real size reads as a 30 x 38 in bowl: not a toilet.
    big = [_scaled(p, 100, 150, 2.0) for p in _water_closet(100, 150)]
    assert _found(_sheet(big)) == []


def test_no_scale_means_no_symbols() -> None:
    sheet = _sheet(_water_closet(100, 150) + _lavatory(300, 150), scaled=False)
    assert find_symbols(sheet, []) == []


def test_exemplar_is_found_again_turned_and_mirrored() -> None:
    def mark(cx: float, cy: float) -> list[PathItem]:
        """An asymmetric 18 x 12 in symbol: a box with a small box in one corner, a circle."""
        return [_rect(cx, cy, 18, 12), _rect(cx - 5 * IN, cy - 3 * IN, 5, 4),
                _ellipse(cx + 4 * IN, cy + 2 * IN, 5, 5, 24)]

    original = mark(100, 100)
    turned = [_turn(p, 300, 100, 90) for p in mark(300, 100)]
    mirrored = [_mirror(p, 500, 100) for p in mark(500, 100)]
    slanted = [_turn(_mirror(p, 500, 400), 500, 400, 45) for p in mark(500, 400)]
    askew = [_turn(p, 700, 400, 20) for p in mark(700, 400)]
    distractor = [_rect(300, 300, 18, 12), _rect(300, 300, 6, 6)]
    sheet = _sheet(original + turned + mirrored + slanted + askew + distractor)
    a = 9 * IN + 3
    found = [(t, x, y) for t, x, y in _found(sheet, [(100 - a, 100 - a, 100 + a, 100 + a)])]

    spots = sorted((round(x / 100), round(y / 100)) for _, x, y in found)
    assert spots == [(1, 1), (3, 1), (5, 1), (5, 4), (7, 4)]
    assert all(t == "other" for t, _, _ in found)


def test_exemplar_takes_the_type_the_rules_read_in_it() -> None:
    sheet = _sheet(_lavatory(100, 100) + [_turn(p, 300, 100, 90) for p in _lavatory(300, 100)])
    a = 12 * IN
    found = find_symbols(sheet, [(100 - a, 100 - a, 100 + a, 100 + a)])
    repeats = [d for d in found if d.method == "exemplar"]

    assert len(repeats) == 2
    assert {d.fixture_type for d in repeats} == {"lavatory"}


def test_grey_background_fixtures_are_not_counted() -> None:
    grey = [PathItem(p.bbox, p.polylines, color=(0.5, 0.5, 0.5), width=0.5, closed=True)
            for p in _water_closet(100, 150)]
    black = _lavatory(300, 150) + _bathtub(500, 400)
    assert _types(_found(_sheet(grey + black))) == ["bathtub", "lavatory"]


def _turn(p: PathItem, cx: float, cy: float, degrees: float) -> PathItem:
    c, s = math.cos(math.radians(degrees)), math.sin(math.radians(degrees))
    pts = [(cx + (x - cx) * c - (y - cy) * s, cy + (x - cx) * s + (y - cy) * c)
           for x, y in p.polylines[0]]
    return _path(pts[:-1] if p.closed else pts, closed=p.closed)


def _mirror(p: PathItem, cx: float, cy: float) -> PathItem:
    pts = [(2 * cx - x, y) for x, y in p.polylines[0]]
    return _path(pts[:-1] if p.closed else pts, closed=p.closed)


def _scaled(p: PathItem, cx: float, cy: float, k: float) -> PathItem:
    pts = [(cx + (x - cx) * k, cy + (y - cy) * k) for x, y in p.polylines[0]]
    return _path(pts[:-1] if p.closed else pts, closed=p.closed)


@pytest.mark.parametrize("degrees", [0, 45, 120])
def test_bathtub_at_any_turn(degrees: float) -> None:
    tub = [_turn(p, 400, 300, degrees) for p in _bathtub(400, 300)]
    assert _types(_found(_sheet(tub))) == ["bathtub"]


def test_legend_entry_symbols_are_counted_with_the_legend_name() -> None:
    def drain(cx: float, cy: float) -> list[PathItem]:
        """A 14 in square with a circle and a cross in it."""
        h = 7 * IN
        return [_rect(cx, cy, 14, 14), _ellipse(cx, cy, 9, 9, 32),
                _path([(cx - h, cy), (cx + h, cy)], closed=False),
                _path([(cx, cy - h), (cx, cy + h)], closed=False)]

    legend = View(title="LEGEND", kind="legend", bbox=(600, 20, 790, 120))
    words = TextItem("FLOOR DRAIN", (650, 55, 720, 65), 8.0)
    paths = drain(630, 60) + drain(150, 300) + [_turn(p, 400, 300, 45) for p in drain(400, 300)]
    sheet = _sheet(paths + _lavatory(150, 450))
    sheet.views = [legend]
    sheet.texts = [words]
    found = [d for d in find_symbols(sheet, []) if d.method == "exemplar"]
    in_plan = sorted(round((d.bbox[0] + d.bbox[2]) / 200) for d in found
                     if d.bbox[0] < 590)

    assert {d.fixture_type for d in found} == {"floor_drain"}
    assert in_plan == [2, 4]


def _drain_ring(cx: float, cy: float, r_in: float, n: int = 12) -> list[PathItem]:
    """A drain drawn as CAD exports it: a ring of separate short strokes."""
    r = r_in * IN
    pts = [(cx + r * math.cos(2 * math.pi * k / n), cy + r * math.sin(2 * math.pi * k / n))
           for k in range(n + 1)]
    return [_path([a, b], closed=False) for a, b in itertools.pairwise(pts)]


def test_roll_in_shower_is_read_from_its_sloped_floor() -> None:
    x0, y0, side = 100, 100, 60 * IN
    floor = [_rect(x0 + side / 2, y0 + side / 2, 60, 60),
             _path([(x0, y0), (x0 + side, y0 + side)], closed=False),
             _path([(x0 + side, y0), (x0, y0 + side)], closed=False)]
    drain = _drain_ring(x0 + side / 2, y0 + side / 2, 2.0)
    # A tree: many lines through a small circle is not a floor falling to a drain.
    tree = [_path([(500 + 40 * math.cos(a), 300 + 40 * math.sin(a)),
                   (500 - 40 * math.cos(a), 300 - 40 * math.sin(a))], closed=False)
            for a in (0.3, 0.9, 1.4, 2.0, 2.6, 3.0)] + _drain_ring(500, 300, 2.0)
    found = _found(_sheet(floor + drain + tree))

    assert [t for t, _, _ in found] == ["shower"]
    assert math.dist(found[0][1:], (x0 + side / 2, y0 + side / 2)) < 5


def test_pivot_screen_door_marks_a_shower_but_a_room_door_does_not() -> None:
    def pivot(cx: float, cy: float, r_in: float = 30) -> list[PathItem]:
        r = r_in * IN
        arc = [(cx + r * math.cos(math.radians(a)), cy - r * math.sin(math.radians(a)))
               for a in range(0, 181, 5)]
        return [_path(arc, closed=False), _path([(cx - r - 5, cy), (cx + r + 5, cy)], False),
                _path([(cx, cy), (cx, cy - r)], closed=False)]

    found = _found(_sheet(pivot(150, 300) + _door_swing(450, 300)))
    assert _types(found) == ["shower"]


def test_symbols_on_a_demolition_plan_are_not_new_work() -> None:
    sheet = _sheet(_water_closet(100, 150) + _lavatory(300, 150))
    sheet.title = "LEVEL 1_DEMOLITION PLAN"
    assert find_symbols(sheet, []) == []


def test_fixtures_on_a_zone_shaded_as_no_work_are_not_counted() -> None:
    zone = PathItem(bbox=(0, 0, 250, 600), polylines=(((0, 0), (250, 0), (250, 600), (0, 600)),),
                    color=(0.88, 0.88, 0.88), filled=True, fill=(0.88, 0.88, 0.88), closed=True)
    sheet = _sheet([zone] + _water_closet(100, 150) + _lavatory(400, 150))
    assert _types(_found(sheet)) == ["lavatory"]


def test_a_white_work_area_inside_a_shaded_floor_is_not_shaded() -> None:
    def fill(box: tuple[float, float, float, float], tone: float) -> PathItem:
        x0, y0, x1, y1 = box
        ring = ((x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0))
        return PathItem(bbox=box, polylines=(ring,), color=(tone,) * 3, filled=True,
                        fill=(tone,) * 3, closed=True)

    # The work area is painted white first, the grey over the whole floor (clipped on paper).
    sheet = _sheet([fill((200, 50, 600, 300), 1.0), fill((0, 0, 800, 600), 0.8)]
                   + _water_closet(100, 450) + _lavatory(400, 150))
    assert _types(_found(sheet)) == ["lavatory"]


def test_floor_drain_is_a_small_box_crossed_by_an_x() -> None:
    def crossed(cx: float, cy: float, side_in: float) -> list[PathItem]:
        h = side_in * IN / 2
        return [_rect(cx, cy, side_in, side_in),
                _path([(cx - h, cy - h), (cx + h, cy + h)], closed=False),
                _path([(cx + h, cy - h), (cx - h, cy + h)], closed=False)]

    # A 6 in drain is found; a 24 in ceiling tile crossed the same way is not a drain.
    found = _found(_sheet(crossed(100, 100, 6) + crossed(400, 100, 24)))
    assert [t for t, _, _ in found] == ["floor_drain"]
    assert math.dist(found[0][1:], (100, 100)) < 3


def test_double_sink_bowls_share_a_thin_divider_but_two_apart_boxes_are_not_a_sink() -> None:
    def pair(cx: float, cy: float, divider_in: float) -> list[PathItem]:
        """Two 15 x 16 in bowls with 4 in corner radii, ``divider_in`` apart edge to edge."""
        step = (15 + divider_in) / 2 * IN
        return [_rounded_rect(cx - step, cy, 15, 16, 4), _rounded_rect(cx + step, cy, 15, 16, 4)]

    found = _found(_sheet(pair(150, 200, 1.5) + pair(500, 200, 6)))
    assert [t for t, _, _ in found] == ["kitchen_sink"]
    assert math.dist(found[0][1:], (150, 200)) < 5


def test_washer_has_a_control_strip_on_one_side_but_a_chair_has_arms_on_two() -> None:
    def appliance(cx: float, cy: float) -> list[PathItem]:
        """A 26 in square with a 2 in control strip along its back."""
        return [_rect(cx, cy, 26, 26), _rect(cx, cy - 14 * IN, 26, 2)]

    def armchair(cx: float, cy: float) -> list[PathItem]:
        """A 26 in seat with arms 3 and 5 in wide along two sides and a deep back."""
        return [_rect(cx, cy, 26, 26), _rect(cx - 14.5 * IN, cy, 3, 26),
                _rect(cx + 15.5 * IN, cy, 5, 26), _rect(cx, cy - 19 * IN, 36, 10)]

    found = _found(_sheet(appliance(150, 200) + armchair(500, 200)))
    assert [t for t, _, _ in found] == ["clothes_washer"]
    assert math.dist(found[0][1:], (150, 190)) < 15


def test_small_wall_basin_has_taps_at_its_back_but_a_seat_of_its_size_is_empty() -> None:
    def cross(cx: float, cy: float) -> list[PathItem]:
        h = 0.8 * IN
        return [_path([(cx - h, cy), (cx + h, cy)], closed=False),
                _path([(cx, cy - h), (cx, cy + h)], closed=False)]

    def basin(cx: float, cy: float) -> list[PathItem]:
        """A 12 x 10 in rounded basin, its back wall up, with a tap crossing at each side."""
        return [_rounded_rect(cx, cy, 12, 10, 4.5)] + cross(cx - 3 * IN, cy - 3 * IN) + cross(
            cx + 3 * IN, cy - 3 * IN)

    found = _found(_sheet(basin(150, 200) + [_rounded_rect(500, 200, 12, 10, 4.5)]))
    assert [t for t, _, _ in found] == ["lavatory"]
    assert math.dist(found[0][1:], (150, 200)) < 5


def test_narrow_box_basin_in_a_rim_is_a_lavatory_and_a_deep_one_a_sink() -> None:
    def boxed(cx: float, cy: float, w_in: float, d_in: float) -> list[PathItem]:
        """A ``w_in`` x ``d_in`` bowl with rounded corners, a rim 3 in round it, a drain."""
        return [_rect(cx, cy, w_in + 6, d_in + 6), _rounded_rect(cx, cy, w_in, d_in, 2),
                _ellipse(cx, cy, 2, 2, 16)]

    found = _found(_sheet(boxed(150, 200, 18, 10) + boxed(500, 200, 18, 15)))
    assert sorted((t, round(x / 100)) for t, x, _ in found) == [("lavatory", 2), ("sink", 5)]


def test_a_wedge_cut_off_by_crossing_lines_is_not_a_basin_rim() -> None:
    def region(length: float, width: float, rect_fill: float, vertices: int) -> Region:
        return Region(label=1, bbox_px=(0, 0, 1, 1), center_px=(0.0, 0.0), area_in2=1.0,
                      length_in=length, width_in=width, angle=0.0, ellipse_fit=0.9,
                      rect_fill=rect_fill, vertices=vertices)

    basin = region(21, 20, 0.84, 6)
    # A ring round the basin, open on one side (a U of 8 corners), is its rim ...
    assert _hugs(region(25, 23, 0.3, 8), basin)
    # ... but the corner a diagonal line cuts off beside it (3 corners) is not.
    assert not _hugs(region(10.5, 10, 0.52, 3), basin)


def test_bowl_crossed_to_a_drain_ring_is_a_sink_but_a_crossed_box_is_not() -> None:
    def crossed(cx: float, cy: float, w_in: float, h_in: float, ring: bool) -> list[PathItem]:
        """A ``w_in`` x ``h_in`` box crossed corner to corner, with a drain ring or without."""
        a, b = w_in * IN / 2, h_in * IN / 2
        paths = [_rect(cx, cy, w_in, h_in),
                 _path([(cx - a, cy - b), (cx + a, cy + b)], closed=False),
                 _path([(cx + a, cy - b), (cx - a, cy + b)], closed=False)]
        return paths + ([_ellipse(cx, cy, 2, 2, 16)] if ring else [])

    found = _found(_sheet(crossed(150, 200, 13, 16, True) + crossed(450, 200, 13, 16, False)))
    assert [t for t, _, _ in found] == ["sink"]
    assert math.dist(found[0][1:], (150, 200)) < 5


def test_a_named_exemplar_gives_its_type_on_its_own_sheet_only() -> None:
    from plansite.domain.fixtures import TagTable
    from plansite.domain.sheet import Exemplar
    from plansite.vision.detect import detect_sheet

    def mark(cx: float, cy: float) -> list[PathItem]:
        return [_rect(cx, cy, 18, 12), _rect(cx - 5 * IN, cy - 3 * IN, 5, 4),
                _ellipse(cx + 4 * IN, cy + 2 * IN, 5, 5, 24)]

    sheet = _sheet(mark(100, 100) + [_turn(p, 300, 100, 90) for p in mark(300, 100)])
    a = 9 * IN + 3
    box = (100 - a, 100 - a, 100 + a, 100 + a)

    on_sheet = detect_sheet(sheet, TagTable(), [Exemplar(box, 1, "floor_sink")]).detections
    elsewhere = detect_sheet(sheet, TagTable(), [Exemplar(box, 2, "floor_sink")]).detections

    assert sorted(d.fixture_type for d in on_sheet) == ["floor_sink", "floor_sink"]
    assert elsewhere == []
