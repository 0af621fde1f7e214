"""The fixture-unit and sizing tables hold the published values.

Each expected value below was read from the source named beside it (ids as in
``plansite/data/fixture_units.json``), not taken from the data file; a change to the data
that drifts from the published table fails here and names the row.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from plansite.domain.fixtures import FIXTURE_TYPES
from plansite.estimate.codetables import available_editions, load_edition

IPC = load_edition("IPC-2021")
UPC = load_edition("UPC-2021")

# IPC Table 709.1 (CALDR transcription): (fixture, occupancy) -> dfu
IPC_DFU = {
    ("water_closet", "private"): "3",       # Water closet, private, 1.6 gpf
    ("water_closet", "public"): "4",        # Water closet, public, 1.6 gpf
    ("urinal", "public"): "4",
    ("lavatory", "private"): "1",
    ("bathtub", "private"): "2",
    ("shower", "private"): "2",             # 5.7 gpm or less
    ("bidet", "private"): "1",
    ("kitchen_sink", "private"): "2",
    ("service_sink", "public"): "2",
    ("laundry_tray", "private"): "2",
    ("drinking_fountain", "public"): "0.5",
    ("dishwasher", "private"): "2",
    ("clothes_washer", "private"): "2",     # automatic, residential
    ("clothes_washer", "public"): "3",      # automatic, commercial
    ("floor_drain", "public"): "2",
}

# IPC Table E103.3(2) (IPC18-E page 163 for the rows it shows, CALDR for the rest):
# (fixture, occupancy) -> (cold, hot, total)
IPC_WSFU = {
    ("lavatory", "private"): ("0.5", "0.5", "0.7"),
    ("lavatory", "public"): ("1.5", "1.5", "2.0"),
    ("bathtub", "private"): ("1.0", "1.0", "1.4"),
    ("bathtub", "public"): ("3.0", "3.0", "4.0"),
    ("bidet", "private"): ("1.5", "1.5", "2.0"),
    ("kitchen_sink", "private"): ("1.0", "1.0", "1.4"),
    ("kitchen_sink", "public"): ("3.0", "3.0", "4.0"),
    ("laundry_tray", "private"): ("1.0", "1.0", "1.4"),
    ("service_sink", "public"): ("2.25", "2.25", "3.0"),
    ("dishwasher", "private"): ("0", "1.4", "1.4"),
    ("drinking_fountain", "public"): ("0.25", "0", "0.25"),
    ("shower", "private"): ("1.0", "1.0", "1.4"),
    ("shower", "public"): ("3.0", "3.0", "4.0"),
    ("water_closet", "private"): ("2.2", "0", "2.2"),   # flush tank
    ("water_closet", "public"): ("5.0", "0", "5.0"),    # flush tank
    ("urinal", "public"): ("3.0", "0", "3.0"),          # flush tank
    ("clothes_washer", "private"): ("1.0", "1.0", "1.4"),
    ("clothes_washer", "public"): ("2.25", "2.25", "3.0"),
}

# UPC Table 702.1, private values (KC-UPC, the King County excerpt) -> dfu
UPC_DFU_PRIVATE = {
    "bar_sink": "1", "bathtub": "2", "clothes_washer": "3", "dishwasher": "2",
    "kitchen_sink": "2", "laundry_tray": "2", "lavatory": "1", "shower": "2",
    "water_closet": "3",
}

# UPC Table 610.3 (CALDR) private -> total wsfu
UPC_WSFU_PRIVATE = {
    "water_closet": "2.5", "lavatory": "1.0", "kitchen_sink": "1.5", "bathtub": "4.0",
    "shower": "2.0", "clothes_washer": "4.0", "dishwasher": "1.5", "hose_bibb": "2.5",
    "laundry_tray": "1.5", "bar_sink": "1.0",
}


@pytest.mark.parametrize(("key", "value"), sorted(IPC_DFU.items()))
def test_ipc_709_1_drainage_fixture_units(key, value) -> None:
    rating = IPC.rating("dfu", *key)
    assert rating.total == Decimal(value), f"{key}: {rating.row}"


@pytest.mark.parametrize(("key", "values"), sorted(IPC_WSFU.items()))
def test_ipc_e103_3_2_supply_fixture_units(key, values) -> None:
    rating = IPC.rating("wsfu", *key)
    cold, hot, total = (Decimal(v) for v in values)
    assert (rating.cold, rating.hot, rating.total) == (cold, hot, total), rating.row


@pytest.mark.parametrize(("fixture", "value"), sorted(UPC_DFU_PRIVATE.items()))
def test_upc_702_1_private_drainage_fixture_units(fixture, value) -> None:
    assert UPC.rating("dfu", fixture, "private").total == Decimal(value)


@pytest.mark.parametrize(("fixture", "value"), sorted(UPC_WSFU_PRIVATE.items()))
def test_upc_610_3_private_supply_fixture_units(fixture, value) -> None:
    assert UPC.rating("wsfu", fixture, "private").total == Decimal(value)


def test_ipc_710_1_1_building_drain_rows() -> None:
    """Table 710.1(1): (diameter, slope) -> max dfu (ETB-DFU, WOODSON)."""
    rows = {r["diameter_in"]: r["max_dfu"] for r in IPC.sizing["building_drain"]["rows"]}
    expected = {
        (2, "1/4"): 21, (2, "1/2"): 26, (2.5, "1/4"): 24, (2.5, "1/2"): 31,
        (3, "1/4"): 42, (3, "1/2"): 50, (4, "1/8"): 180, (4, "1/4"): 216, (4, "1/2"): 250,
        (5, "1/8"): 390, (5, "1/4"): 480, (5, "1/2"): 575, (6, "1/8"): 700, (6, "1/4"): 840,
        (6, "1/2"): 1000, (8, "1/16"): 1400, (8, "1/2"): 2300, (15, "1/4"): 10000,
    }
    for (diameter, slope), limit in expected.items():
        assert rows[diameter][slope] == limit, (diameter, slope)
    assert "1/8" not in rows[3], "3 in at 1/8 in/ft was not found in a source; keep it out"


def test_ipc_710_1_2_stack_rows() -> None:
    """Table 710.1(2) columns: branch, one interval, stack <=3 intervals, >3 (SBC701)."""
    rows = {r["diameter_in"]: r["max_dfu"] for r in IPC.sizing["stack"]["rows"]}
    assert rows[1.5] == [3, 2, 4, 8]
    assert rows[2] == [6, 6, 10, 24]
    assert rows[2.5] == [12, 9, 20, 42]
    assert rows[3] == [20, 20, 48, 72]
    assert rows[4] == [160, 90, 240, 500]
    assert rows[6] == [620, 350, 960, 1900]
    assert rows[12] == [3900, 1500, 6000, 8400]


def test_upc_703_2_unit_loading_rows() -> None:
    """UPC Table 703.2 as excerpted by King County: vertical and horizontal max units."""
    vertical = {r["diameter_in"]: r["max_dfu"][0] for r in UPC.sizing["stack"]["rows"]}
    horizontal = {r["diameter_in"]: r["max_dfu"]["any"]
                  for r in UPC.sizing["building_drain"]["rows"]}
    assert vertical == {1.5: 2, 2: 16, 2.5: 32, 3: 48, 4: 256}
    assert horizontal == {2: 8, 2.5: 14, 3: 35, 4: 216}


def test_demand_curve_rows() -> None:
    """Flush-tank demand (gpm): ETB-WSFU up to 50 wsfu, Illinois Table N above."""
    points = {p[0]: p[1] for p in IPC.sizing["water_service"]["demand_gpm_flush_tank"]}
    assert points[1] == 3.0 and points[4] == 8.0 and points[50] == 29.1
    assert points[100] == 43.5 and points[500] == 125 and points[1000] == 208


def test_copper_type_k_bores() -> None:
    bores = IPC.sizing["water_service"]["inside_diameter_in"]
    assert bores == {"0.75": 0.745, "1": 0.995, "1.25": 1.245, "1.5": 1.481, "2": 1.959,
                     "2.5": 2.435, "3": 2.907, "4": 3.857}


@pytest.mark.parametrize("edition", available_editions())
def test_every_type_is_rated_or_says_why(edition) -> None:
    """No fixture type is missing, every number names a source, no unrated one has a value."""
    code = load_edition(edition)
    for fixture in FIXTURE_TYPES:
        for occupancy in ("private", "public"):
            for system in ("dfu", "wsfu"):
                rating = code.rating(system, fixture, occupancy)
                assert (fixture, occupancy) in getattr(code, system), (fixture, system)
                if rating.status in ("table", "nearest"):
                    assert rating.total is not None and rating.row, (fixture, system)
                    assert rating.sources and set(rating.sources) <= set(code.sources)
                else:
                    assert rating.total is None, (fixture, system, rating)
