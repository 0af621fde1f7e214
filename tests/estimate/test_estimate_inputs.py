"""The checks at the estimator's door: takeoff documents, bid options, price-book overrides
and corrections are refused with a message naming the field, before any arithmetic runs.

The last test prices a takeoff at every bound with a price book at every bound: the bounds
are what keeps the ``Decimal`` arithmetic inside its precision, so they are tested together.
"""

from __future__ import annotations

import math
from decimal import Decimal

import pytest

from plansite.domain.fixtures import FIXTURE_TYPES
from plansite.estimate.bid import BidOptions, build_bid
from plansite.estimate.corrections import Correction, CorrectionError
from plansite.estimate.document import estimate_takeoff
from plansite.estimate.inputs import (MAX_COUNT, MAX_HOURS, MAX_MONEY, MAX_PIPE_FT,
                                      InputError, check_bid_options, check_takeoff)
from plansite.estimate.pricebook import MAX_FACTOR, PriceBook, PriceBookError
from plansite.estimate.revisions import diff_takeoffs

GOOD = {
    "source": "inputs.pdf", "status": "success", "kind": "pdf",
    "counts": {"water_closet": 2, "lavatory": 1},
    "sheets": [{"sheet": 1, "title": "FIRST FLOOR PLAN", "number": "P1", "counts": {}}],
    "detections": [
        {"type": "water_closet", "sheet": 1, "room": "BATH", "bbox": [0, 0, 10, 10],
         "confidence": 0.9, "method": "tag", "tag": "WC-1", "quantity": 2},
        {"type": "lavatory", "sheet": 1, "room": "BATH", "bbox": [20, 0, 30, 10],
         "confidence": 0.8, "method": "tag", "tag": "L-1"},
    ],
    "pipe_runs": [], "errors": [], "elapsed_s": 1.2,
    "pipe_totals_ft": {"sanitary": 20.0},
}
INTERNALS = ("not supported between", "NoneType", "Traceback", "InvalidOperation",
             "OverflowError", "cannot convert")


def _problems(doc: object) -> str:
    with pytest.raises(InputError) as caught:
        check_takeoff(doc)
    text = str(caught.value)
    assert not any(word in text for word in INTERNALS), text
    return text


def test_an_engine_takeoff_passes_unchanged() -> None:
    checked = check_takeoff(GOOD)
    assert checked == GOOD
    assert check_takeoff({}) == {"counts": {}, "sheets": [], "detections": [],
                                 "pipe_totals_ft": {}}


def test_whole_floats_are_counts_and_the_original_is_left_alone() -> None:
    doc = {"counts": {"water_closet": 2.0}}
    checked = check_takeoff(doc)
    assert checked["counts"] == {"water_closet": 2}
    assert isinstance(checked["counts"]["water_closet"], int)
    assert isinstance(doc["counts"]["water_closet"], float)


@pytest.mark.parametrize("count", [1e308, 10**30, math.nan, math.inf, -math.inf, -5, -1,
                                   MAX_COUNT + 1, "abc", "3", None, 2.5, True, [1], {"n": 1}])
def test_every_bad_count_is_refused_by_field(count: object) -> None:
    text = _problems({"counts": {"water_closet": count}})
    assert "takeoff.counts.water_closet:" in text


def test_non_finite_numbers_are_named_as_such_anywhere() -> None:
    text = _problems({"counts": {"water_closet": math.nan}, "elapsed_s": math.inf})
    assert "takeoff.counts.water_closet: NaN is not a number JSON allows" in text
    assert "takeoff.elapsed_s: Infinity is not a number JSON allows" in text
    assert "whole number" not in text          # one problem per field


@pytest.mark.parametrize("doc, field", [
    ({"detections": [{"type": "water_closet", "sheet": 1, "quantity": -1e300}]},
     "takeoff.detections[0].quantity"),
    ({"detections": [{"type": "water_closet", "sheet": 1, "quantity": 1e308}]},
     "takeoff.detections[0].quantity"),
    ({"detections": [{"type": "spaceship", "sheet": 1}]}, "takeoff.detections[0].type"),
    ({"detections": [{"sheet": 1}]}, "takeoff.detections[0].type"),
    ({"detections": [{"type": "sink", "sheet": "one"}]}, "takeoff.detections[0].sheet"),
    ({"detections": [{"type": "sink", "sheet": 1, "bbox": [0, 0, 1]}]},
     "takeoff.detections[0].bbox"),
    ({"detections": [{"type": "sink", "sheet": 1, "confidence": 7}]},
     "takeoff.detections[0].confidence"),
    ({"detections": [{"type": "sink", "sheet": 1, "room": 5}]}, "takeoff.detections[0].room"),
    ({"detections": [{"type": "sink", "sheet": 1, "quantity": MAX_COUNT},
                     {"type": "sink", "sheet": 1, "quantity": 1}]},
     "takeoff.detections of type sink"),
    ({"detections": "many"}, "takeoff.detections"),
    ({"detections": ["x"]}, "takeoff.detections[0]"),
    ({"counts": None}, "takeoff.counts"),
    ({"counts": {"spaceship": 1}}, "takeoff.counts.spaceship"),
    ({"sheets": [{"title": "PLAN"}]}, "takeoff.sheets[0].sheet"),
    ({"sheets": [{"sheet": 1, "title": ["x"]}]}, "takeoff.sheets[0].title"),
    ({"pipe_totals_ft": {"sanitary": 1e308}}, "takeoff.pipe_totals_ft.sanitary"),
    ({"pipe_totals_ft": {"sanitary": -3}}, "takeoff.pipe_totals_ft.sanitary"),
    ({"pipe_totals_ft": [20]}, "takeoff.pipe_totals_ft"),
    ({"source": 7}, "takeoff.source"),
])
def test_each_part_of_a_takeoff_is_checked(doc: dict, field: str) -> None:
    assert f"{field}:" in _problems(doc)


def test_not_an_object_and_unknown_types_say_what_to_write() -> None:
    assert "must be a JSON object" in _problems([1, 2])
    text = _problems({"counts": {"spaceship": 1}})
    assert "is not a fixture type" in text and "water_closet" in text and "'other'" in text


def test_problems_are_all_listed_up_to_a_limit() -> None:
    with pytest.raises(InputError) as caught:
        check_takeoff({"counts": {t: -1 for t in FIXTURE_TYPES}})
    assert len(caught.value.problems) == len(FIXTURE_TYPES)
    assert str(caught.value).endswith(f"and {len(FIXTURE_TYPES) - 20} more")


def test_bid_options_are_known_and_typed() -> None:
    good = {"tier": "premium", "markup_rate": "0.2", "discount_rate": 0.05, "tax_rate": None,
            "edition": "UPC-2021", "occupancy": "public", "slope": "1/8",
            "alternate_tiers": ["economy"],
            "optional_lines": [{"description": "Water softener", "quantity": 1,
                                "material_unit": "900.00", "labor_hours_unit": "3"}]}
    assert check_bid_options(good) is good
    hint = "options.markup: unknown option (did you mean markup_rate?)"
    for bad, field in (({"markup": "x"}, hint),
                       ({"markup_rate": "x"}, "options.markup_rate:"),
                       ({"markup_rate": "1.5"}, "options.markup_rate:"),
                       ({"tax_rate": math.nan}, "options.tax_rate:"),
                       ({"discount_rate": "NaN"}, "options.discount_rate:"),
                       ({"discount_rate": True}, "options.discount_rate:"),
                       ({"occupancy": "hotel"}, "options.occupancy:"),
                       ({"slope": 0.25}, "options.slope:"),
                       ({"tier": 3}, "options.tier:"),
                       ({"alternate_tiers": "premium"}, "options.alternate_tiers:"),
                       ({"optional_lines": [{"quantity": "x"}]},
                        "options.optional_lines[0].quantity:"),
                       ({"optional_lines": [{"material_unit": "1e308"}]},
                        "options.optional_lines[0].material_unit:"),
                       ({"optional_lines": [{"fixture_type": "spaceship"}]},
                        "options.optional_lines[0].fixture_type:"),
                       ({"optional_lines": [{"price": "5"}]},
                        "options.optional_lines[0].price: unknown field"),
                       ({"optional_lines": [5]}, "options.optional_lines[0]:")):
        with pytest.raises(InputError) as caught:
            check_bid_options(bad)
        assert field in str(caught.value), (bad, str(caught.value))


def test_pricebook_overrides_refuse_unknown_fields_and_bad_money() -> None:
    book = PriceBook.default()
    for overrides, field in (
            ({"fixtures": {"water_closet": {"material": -1e308}}},
             "fixtures.water_closet.material: unknown field"),
            ({"bogus": 1}, "bogus: unknown field"),
            ({"markup": {"rate": "0.2", "rat": "0.3"}}, "markup.rat: unknown field"),
            ({"pipe": [{"system": "gas", "colour": "red"}]}, "pipe[0].colour: unknown field"),
            ({"fixtures": {"water_closet": {"rough_in": {"material": -1e308}}}},
             "fixtures.water_closet.rough_in.material:"),
            ({"fixtures": {"water_closet": {"rough_in": {"material": 1e308}}}},
             "fixtures.water_closet.rough_in.material:"),
            ({"fixtures": {"water_closet": {"trim": {"labor_hours": "Infinity"}}}},
             "fixtures.water_closet.trim.labor_hours:"),
            ({"fixtures": {"water_closet": {"trim": {"labor_hours": "NaN"}}}},
             "fixtures.water_closet.trim.labor_hours:"),
            ({"labor_rates": {"journeyman": {"rate": True}}}, "labor_rates.journeyman.rate:"),
            ({"fixtures": "none"}, "fixtures must be an object"),
            ({"fixtures": {"water_closet": 5}}, "fixtures.water_closet must be an object"),
            ({"tiers": {"standard": {"trim_material_factor": "1e9"}}},
             "tiers.standard.trim_material_factor:"),
            ({"validity_days": "x"}, "validity_days:"),
            ({"validity_days": 1e308}, "validity_days:"),
            ({"default_tier": "gold"}, "default_tier:"),
            ({"pipe_crew": "robots"}, "pipe_crew:"),
            ({"terms": "none"}, "terms"),
            ({"company": {"name": 5}}, "company.name:"),
            ({"pipe": [{"system": "gas", "material": "x", "size_in": "1",
                        "material_per_ft": "-1", "labor_hours_per_ft": "0.1"}]},
             "pipe[0].material_per_ft:")):
        with pytest.raises(PriceBookError) as caught:
            book.with_overrides(overrides)
        assert field in str(caught.value), (overrides, str(caught.value))
    with pytest.raises(PriceBookError):
        book.with_overrides([1])  # type: ignore[arg-type]


def test_an_unknown_crew_is_a_pricebook_error_not_a_key_error() -> None:
    options = BidOptions(optional_lines=[{"description": "x", "crew": "robots"}])
    with pytest.raises(PriceBookError, match="robots"):
        build_bid(GOOD, PriceBook.default(), options)


@pytest.mark.parametrize("doc, text", [
    ({"action": "add", "fixture_type": "sink", "quantity": 1e308}, "quantity:"),
    ({"action": "add", "fixture_type": "sink", "quantity": "x"}, "quantity:"),
    ({"action": "add", "fixture_type": "sink", "quantity": math.nan}, "quantity:"),
    ({"action": "add", "fixture_type": "sink", "quantity": 0}, "quantity:"),
    ({"action": "add", "fixture_type": "sink", "sheet": -2}, "sheet:"),
    ({"action": "add", "fixture_type": "sink", "bbox": [0, 0, math.inf, 1]}, "bbox:"),
    ({"action": "add", "fixture_type": "sink", "room": 5}, "room:"),
    ({"action": "remove", "detection_id": 5}, "needs the detection_id"),
    ({"fixture_type": "sink"}, "with an action"),
])
def test_corrections_are_typed(doc: dict, text: str) -> None:
    with pytest.raises(CorrectionError) as caught:
        Correction.from_dict(doc)
    assert text in str(caught.value)
    assert not any(word in str(caught.value) for word in INTERNALS)


def test_a_correction_with_nulls_takes_the_defaults() -> None:
    fix = Correction.from_dict({"action": "add", "fixture_type": "sink", "room": None,
                                "quantity": 2.0})
    assert (fix.room, fix.quantity) == ("", 2)


def test_a_diff_of_hand_written_takeoffs_without_boxes() -> None:
    old = check_takeoff({"counts": {"sink": 1}, "detections": [{"type": "sink", "sheet": 1}]})
    new = check_takeoff({"counts": {"sink": 2},
                         "detections": [{"type": "sink", "sheet": 1, "quantity": 2}]})
    diff = diff_takeoffs(old, new)
    assert diff.counts_delta == {"sink": 1}


def test_the_largest_takeoff_prices_with_the_largest_book() -> None:
    """At every bound at once the arithmetic still fits: no InvalidOperation, exact cents."""
    money, hours = str(MAX_MONEY), str(MAX_HOURS)
    phase = {"material": money, "labor_hours": hours}
    book = PriceBook.default().with_overrides({
        "fixtures": {t: {"crew": "journeyman", "rough_in": phase, "top_out": phase,
                         "trim": phase} for t in FIXTURE_TYPES},
        "labor_rates": {"journeyman": {"rate": money}},
        "tiers": {"premium": {"trim_material_factor": str(MAX_FACTOR)}},
        "pipe": [{"system": "sanitary", "material": "pvc_dwv", "size_in": "3",
                  "material_per_ft": money, "labor_hours_per_ft": hours}],
        "permit": {"base": money, "per_fixture": money},
        "allowances": {"fittings_pct_of_pipe_material": "10",
                       "hangers_pct_of_pipe_material": "10"},
        "markup": {"rate": "1"}, "tax": {"rate": "1", "applies_to": "all"},
    })
    takeoff = check_takeoff({
        "counts": {t: MAX_COUNT for t in FIXTURE_TYPES},
        "sheets": [{"sheet": 1, "title": "PLAN"}],
        "detections": [{"type": t, "sheet": 1, "room": "R", "quantity": MAX_COUNT,
                        "bbox": [0, 0, 1, 1]} for t in FIXTURE_TYPES],
        "pipe_totals_ft": {"sanitary": MAX_PIPE_FT},
    })
    options = BidOptions(tier="premium", alternate_tiers=["economy"], optional_lines=[
        {"quantity": MAX_COUNT, "material_unit": money, "labor_hours_unit": hours}])
    estimate = estimate_takeoff(takeoff, book=book, options=options)
    total = Decimal(estimate.to_dict()["total"])
    assert total.is_finite() and total > 0 and total.as_tuple().exponent == -2
