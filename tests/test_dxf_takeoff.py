"""DXF takeoff on drawings built here with ezdxf, one trap per test."""

from __future__ import annotations

from pathlib import Path

import ezdxf

from plansite.pipeline import analyze_path


def _block(doc, name: str, size: float = 20.0) -> None:
    blk = doc.blocks.new(name)
    blk.add_lwpolyline([(0, 0), (size, 0), (size, size), (0, size)], close=True)


def _save(doc, tmp_path: Path, name: str = "plan.dxf") -> Path:
    path = tmp_path / name
    doc.saveas(path)
    return path


def test_blocks_on_plan_layer_count_and_section_copies_do_not(tmp_path: Path) -> None:
    doc = ezdxf.new(setup=True)
    doc.header["$INSUNITS"] = 1
    for name in ("WC", "WB", "ELE-WC"):
        _block(doc, name)
    msp = doc.modelspace()
    for x in (0, 500, 1000):
        msp.add_blockref("WC", (x, 0), dxfattribs={"layer": "DETAILS"})
    msp.add_blockref("WB", (40, 0), dxfattribs={"layer": "DETAILS"})
    msp.add_blockref("ELE-WC", (0, 3000), dxfattribs={"layer": "SECTION-A"})

    counts = analyze_path(_save(doc, tmp_path)).counts()

    assert counts == {"lavatory": 1, "water_closet": 3}


def test_nested_block_is_classified_by_inner_name(tmp_path: Path) -> None:
    doc = ezdxf.new(setup=True)
    _block(doc, "Toilet_Pan")
    outer = doc.blocks.new("BATH-POD-A")
    outer.add_blockref("Toilet_Pan", (0, 0))
    doc.modelspace().add_blockref("BATH-POD-A", (100, 100), dxfattribs={"layer": "PLUMBING"})

    takeoff = analyze_path(_save(doc, tmp_path))

    assert takeoff.counts() == {"water_closet": 1}
    assert "Toilet_Pan" in takeoff.counted()[0].evidence


def test_electrical_plan_copy_of_the_same_floor_counts_once(tmp_path: Path) -> None:
    doc = ezdxf.new(setup=True)
    doc.header["$INSUNITS"] = 1
    for name in ("WC3", "LAVM1", "E_L1"):
        _block(doc, name, 16)
    msp = doc.modelspace()
    for dy in (0, -600):
        msp.add_blockref("WC3", (300, 800 + dy), dxfattribs={"layer": "PLUMBING"})
        msp.add_blockref("LAVM1", (380, 730 + dy), dxfattribs={"layer": "PLUMBING"})
    for x in range(250, 700, 60):
        msp.add_blockref("E_L1", (x, 150), dxfattribs={"layer": "ELIGHTCLG"})

    takeoff = analyze_path(_save(doc, tmp_path))

    assert takeoff.counts() == {"lavatory": 1, "water_closet": 1}
    kept_y = [d.bbox[1] for d in takeoff.counted()]
    assert all(y > 600 for y in kept_y), "the copy among the light fittings must be merged"


def test_two_floors_with_the_same_bathroom_layout_both_count(tmp_path: Path) -> None:
    doc = ezdxf.new(setup=True)
    doc.header["$INSUNITS"] = 4
    for name in ("WC", "WB"):
        _block(doc, name, 500)
    msp = doc.modelspace()
    for dx in (0, 17585):
        msp.add_blockref("WC", (87000 + dx, -2500), dxfattribs={"layer": "DETAILS"})
        msp.add_blockref("WB", (87380 + dx, -1775), dxfattribs={"layer": "DETAILS"})

    counts = analyze_path(_save(doc, tmp_path)).counts()

    assert counts == {"lavatory": 2, "water_closet": 2}


def test_stacked_label_lines_read_as_one_fixture_name(tmp_path: Path) -> None:
    doc = ezdxf.new(setup=True)
    doc.header["$INSUNITS"] = 4
    msp = doc.modelspace()
    msp.add_text("WASHING", height=120, dxfattribs={"layer": "NOTES"}).set_placement((0, 160))
    msp.add_text("MACHINE", height=120, dxfattribs={"layer": "NOTES"}).set_placement((0, 0))
    msp.add_text("WASHING", height=250, dxfattribs={"layer": "NOTES"}).set_placement((0, 900))
    msp.add_text("AREA", height=250, dxfattribs={"layer": "NOTES"}).set_placement((0, 600))

    counts = analyze_path(_save(doc, tmp_path)).counts()

    assert counts == {"clothes_washer": 1}


def test_light_and_door_blocks_with_one_letter_codes_are_not_fixtures(tmp_path: Path) -> None:
    doc = ezdxf.new(setup=True)
    for name in ("E_L1", "DR_S2", "L1", "S2"):
        _block(doc, name)
    msp = doc.modelspace()
    for i, name in enumerate(("E_L1", "DR_S2", "L1", "S2")):
        msp.add_blockref(name, (i * 100, 0), dxfattribs={"layer": "0"})

    assert analyze_path(_save(doc, tmp_path)).counts() == {}


def test_pipe_layers_are_measured_by_system_in_feet(tmp_path: Path) -> None:
    doc = ezdxf.new(setup=True)
    doc.header["$INSUNITS"] = 2  # feet
    msp = doc.modelspace()
    msp.add_line((0, 0), (40, 0), dxfattribs={"layer": "P-DOMW-CW"})
    msp.add_lwpolyline([(0, 10), (30, 10), (30, 20)], dxfattribs={"layer": "P-SAN-WASTE"})
    msp.add_line((0, 50), (25, 50), dxfattribs={"layer": "HOT WATER"})

    totals = analyze_path(_save(doc, tmp_path)).pipe_totals()

    assert totals == {"cold_water": 40.0, "hot_water": 25.0, "sanitary": 40.0}
