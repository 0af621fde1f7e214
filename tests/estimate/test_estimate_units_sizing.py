"""Fixture-unit totals per plan set, floor and system, and the sizes they give, with the
table row that decided each size."""

from __future__ import annotations

from decimal import Decimal

from plansite.estimate.codetables import load_edition
from plansite.estimate.fixture_units import fixture_units, floor_of
from plansite.estimate.sizing import (demand_gpm, size_all, size_building_drain, size_stack,
                                      size_water_service)

IPC = load_edition("IPC-2021")
UPC = load_edition("UPC-2021")

TWO_FLOORS = {
    "counts": {"water_closet": 3, "lavatory": 3, "bathtub": 1, "kitchen_sink": 1,
               "hose_bibb": 1},
    "sheets": [{"sheet": 1, "title": "FIRST FLOOR PLAN", "number": "P-101"},
               {"sheet": 2, "title": "Second Floor Plumbing Plan", "number": "P-102"}],
    "detections": [
        {"type": "water_closet", "sheet": 1, "quantity": 1},
        {"type": "lavatory", "sheet": 1, "quantity": 1},
        {"type": "kitchen_sink", "sheet": 1},
        {"type": "hose_bibb", "sheet": 1},
        {"type": "water_closet", "sheet": 2, "quantity": 2},
        {"type": "lavatory", "sheet": 2, "quantity": 2},
        {"type": "bathtub", "sheet": 2},
    ],
}


def test_totals_per_plan_set_floor_and_system() -> None:
    units = fixture_units(TWO_FLOORS, edition="IPC-2021", occupancy="private")
    # dfu: 3 WC x 3 + 3 LAV x 1 + 1 tub x 2 + 1 kitchen sink x 2 = 16 (hose bibb: no drain)
    assert units.total.dfu == Decimal(16)
    # wsfu: 3 x 2.2 + 3 x 0.7 + 1.4 + 1.4 = 11.5; the hose bibb is unrated in E103.3(2)
    assert units.total.wsfu == Decimal("11.5")
    assert units.total.unrated == 1
    # cold 3 x 2.2 + 3 x 0.5 + 1.0 + 1.0, hot 3 x 0.5 + 1.0 + 1.0 (the table's total is not
    # cold + hot: simultaneous use is less than the sum)
    assert units.total.wsfu_cold == Decimal("10.1") and units.total.wsfu_hot == Decimal("3.5")

    floors = units.to_dict()["per_floor"]
    assert floors["Floor 1"]["dfu"] == 3 + 1 + 2 and floors["Floor 2"]["dfu"] == 6 + 2 + 2
    assert units.to_dict()["per_system"]["sanitary"] == {"dfu": 16.0}
    line = next(li for li in units.to_dict()["lines"] if li["fixture_type"] == "water_closet")
    assert line["dfu_row"] == "Water closet, private, 1.6 gpf" and line["dfu_total"] == 9.0


def test_public_occupancy_and_upc_alternative() -> None:
    public = fixture_units(TWO_FLOORS, edition="IPC-2021", occupancy="public")
    assert public.total.dfu == Decimal(3 * 4 + 3 + 2 + 2)
    upc = fixture_units(TWO_FLOORS, edition="UPC-2021", occupancy="private")
    # UPC 702.1: WC 3, LAV 1, tub 2, kitchen sink 2; 610.3 wsfu: 2.5, 1, 4, 1.5, bibb 2.5
    assert upc.total.dfu == Decimal(9 + 3 + 2 + 2)
    assert upc.total.wsfu == Decimal("7.5") + 3 + 4 + Decimal("1.5") + Decimal("2.5")


def test_floor_names_come_from_sheet_titles() -> None:
    assert floor_of("GROUND FLOOR PLAN", "A1", 1) == "Ground floor"
    assert floor_of("PLUMBING - LEVEL 3", "P3", 3) == "Floor 3"
    assert floor_of("DETAILS", "P-501", 5) == "Sheet P-501"


def test_building_drain_rows() -> None:
    small = size_building_drain(IPC, Decimal(20), water_closets=0)
    assert small.size_in == 2 and small.row == "2 in: 21 dfu at 1/4 in/ft"
    raised = size_building_drain(IPC, Decimal(20), water_closets=1)
    assert raised.size_in == 3 and "raised to 3" in raised.reason
    assert size_building_drain(IPC, Decimal(43), 1).row == "4 in: 216 dfu at 1/4 in/ft"
    assert size_building_drain(IPC, Decimal(217), 1).size_in == 5
    assert size_building_drain(IPC, Decimal(217), 1, slope="1/2").size_in == 4
    beyond = size_building_drain(IPC, Decimal(20000), 1)
    assert beyond.size_in is None and "beyond the largest confirmed row" in beyond.reason


def test_upc_water_closet_limits_on_3_inch() -> None:
    """UPC 703.2: no more than three water closets on a 3 in horizontal drain."""
    assert size_building_drain(UPC, Decimal(20), 3).size_in == 3
    assert size_building_drain(UPC, Decimal(20), 4).size_in == 4


def test_stack_rows() -> None:
    answer = size_stack(IPC, Decimal(30), Decimal(10), intervals=2, water_closets=2)
    assert answer.size_in == 3 and answer.row.startswith("3 in: 48 dfu")
    # A heavy single floor: 25 dfu in one branch interval needs the 4 in row (90 per interval).
    assert size_stack(IPC, Decimal(30), Decimal(25), 2, 2).size_in == 4
    # More than three branch intervals use the taller-stack column: 60 dfu fits 3 in (72).
    assert size_stack(IPC, Decimal(60), Decimal(15), 4, 2).size_in == 3
    assert size_stack(IPC, Decimal(60), Decimal(15), 3, 2).size_in == 4


def test_water_service_rows() -> None:
    gpm, row, _ = demand_gpm(IPC.sizing["water_service"]["demand_gpm_flush_tank"], Decimal(10))
    # Between 8 wsfu (12.8 gpm) and 15 wsfu (17.5 gpm): 12.8 + 4.7 * 2/7 = 14.14
    assert gpm == Decimal("14.1") and "8 wsfu" in row and "15 wsfu" in row
    answer = size_water_service(IPC, Decimal(10))
    # 1 in Type K at 14.1 gpm: 0.4085 * 14.1 / 0.995^2 = 5.8 ft/s (3/4 in: 10.4 ft/s > 8)
    assert answer.size_in == 1 and "5.8 ft/s" in answer.row
    assert size_water_service(IPC, Decimal(0)).size_in is None
    assert size_water_service(IPC, Decimal(5000)).size_in is None


def test_size_all_names_each_element() -> None:
    answers = size_all(fixture_units(TWO_FLOORS))
    assert [a.element for a in answers] == ["building_drain", "stack", "water_service"]
    assert all(a.size_in is not None and a.row and a.sources for a in answers)


def test_one_floor_has_no_plan_set_stack() -> None:
    answer = size_stack(IPC, Decimal(30), Decimal(30), intervals=1, water_closets=2)
    assert answer.size_in is None and "one floor" in answer.reason
