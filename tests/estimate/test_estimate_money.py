"""Bid arithmetic on worked examples: exact decimals, the stated order of discount, markup
and tax, rounding half up at each step, and a workbook whose formulas give the same total."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from plansite.estimate.bid import BidOptions, build_bid
from plansite.estimate.document import estimate_takeoff
from plansite.estimate.money import money
from plansite.estimate.pricebook import PriceBook
from plansite.estimate.spreadsheet import write_csv, write_xlsx

TAKEOFF = {
    "source": "worked-example.pdf",
    "counts": {"water_closet": 2, "lavatory": 1},
    "sheets": [{"sheet": 1, "title": "FLOOR PLAN", "number": "P1"}],
    "detections": [
        {"type": "water_closet", "sheet": 1, "room": "BATH", "quantity": 2,
         "bbox": [0, 0, 1, 1]},
        {"type": "lavatory", "sheet": 1, "room": "BATH", "bbox": [2, 0, 3, 1]},
    ],
}

BOOK = PriceBook.default().with_overrides({
    "source": "worked example",
    "fixtures": {
        "water_closet": {"crew": "journeyman",
                         "rough_in": {"material": "100.00", "labor_hours": "2"},
                         "top_out": {"material": "20.00", "labor_hours": "0.5"},
                         "trim": {"material": "200.00", "labor_hours": "1"}},
        "lavatory": {"crew": "journeyman",
                     "rough_in": {"material": "50.00", "labor_hours": "1"},
                     "top_out": {"material": "10.00", "labor_hours": "0.5"},
                     "trim": {"material": "150.00", "labor_hours": "1"}},
    },
    "labor_rates": {"journeyman": {"rate": "90.00"}},
    "discount": {"rate": "0.05"}, "markup": {"rate": "0.10"},
    "tax": {"rate": "0.08", "applies_to": "materials"},
    "permit": {"base": "100.00", "per_fixture": "10.00"},
})


def test_worked_example_totals_in_stated_order() -> None:
    bid = build_bid(TAKEOFF, BOOK, BidOptions(alternate_tiers=["premium"]))
    t = bid.totals
    # Lavatory: 210.00 material, 2.5 h x 90 = 225.00; WC x2: 640.00, 7 h x 90 = 630.00
    assert (t.material, t.labor, t.subtotal) == (Decimal("850.00"), Decimal("855.00"),
                                                  Decimal("1705.00"))
    assert t.discount == Decimal("85.25")            # 1705.00 x 5%
    assert t.after_discount == Decimal("1619.75")
    assert t.markup == Decimal("161.98")             # 161.975 rounds half up
    assert t.after_markup == Decimal("1781.73")
    assert t.taxable == Decimal("888.25")            # 1781.73 x 850 / 1705 = 888.2525
    assert t.tax == Decimal("71.06")                 # 888.25 x 8%
    assert t.permits == Decimal("130.00")            # 100 + 3 fixtures x 10, not taxed
    assert t.total == Decimal("1982.79")
    # Tax comes last, on the discounted and marked-up material share: taxing the raw
    # material (850.00 x 8% = 68.00) or the discounted one (64.60) would differ.
    assert t.tax not in (money(Decimal("850.00") * Decimal("0.08")),
                         money(Decimal("807.50") * Decimal("0.08")))


def test_tax_on_everything_and_alternate_price() -> None:
    book = BOOK.with_overrides({"tax": {"applies_to": "all"}})
    bid = build_bid(TAKEOFF, book, BidOptions(alternate_tiers=["premium"]))
    assert bid.totals.tax == Decimal("142.54")       # 1781.73 x 8% = 142.5384
    assert bid.totals.total == Decimal("2054.27")
    (line, price), = bid.extras
    # Premium trim: (2 x 200 + 150) x (1.60 - 1.00) = 330.00; + 10% = 363.00; + 8% = 392.04
    assert line.material_ext == Decimal("330.00") and price.total == Decimal("392.04")


def test_rounding_is_half_up_and_amounts_are_strings() -> None:
    assert money(Decimal("0.125")) == Decimal("0.13")
    assert money(Decimal("2.675")) == Decimal("2.68")
    doc = estimate_takeoff(TAKEOFF, book=BOOK).to_dict()
    assert doc["total"] == "1982.79" and isinstance(doc["total"], str)
    assert doc["fixture_units"]["dfu"] == 7.0 and doc["fixture_units"]["wsfu"] == 5.1
    assert {li["key"] for li in doc["line_items"]} >= {"fixture:water_closet:BATH",
                                                        "fixture:lavatory:BATH"}


def test_bid_options_override_rates() -> None:
    bid = build_bid(TAKEOFF, BOOK, BidOptions(discount_rate=Decimal(0),
                                              markup_rate=Decimal("0.20")))
    assert bid.totals.markup == Decimal("341.00")    # 1705.00 x 20%


def test_workbook_formulas_reproduce_the_totals(tmp_path: Path) -> None:
    estimate = estimate_takeoff(TAKEOFF, book=BOOK)
    path = tmp_path / "bid.xlsx"
    write_xlsx(estimate, path, number="B-2026-00001")
    ws = load_workbook(path)["Bid"]
    total_row = next(r for r in range(1, ws.max_row + 1) if ws[f"B{r}"].value == "Total")
    assert str(ws[f"L{total_row}"].value).startswith("=")
    assert _evaluate(ws, f"L{total_row}") == Decimal("1982.79")

    # Change the markup in the sheet: the workbook recomputes (no stored total).
    markup_cell = next(f"L{r}" for r in range(1, ws.max_row + 1)
                       if ws[f"B{r}"].value == "markup rate")
    ws[markup_cell] = 0.2
    # 1619.75 x 20% = 323.95; 1943.70 x 850/1705 = 969.00; tax 77.52; + 130 permits
    assert _evaluate(ws, f"L{total_row}") == Decimal("2151.22")


def test_csv_lists_lines_and_totals() -> None:
    import io

    out = io.StringIO()
    write_csv(estimate_takeoff(TAKEOFF, book=BOOK), out)
    text = out.getvalue()
    assert "fixture" not in text.splitlines()[0] and "total,,total" in text
    assert "1982.79" in text


# --- a small evaluator for the formulas the workbook uses --------------------------------------

def _evaluate(ws, ref: str, seen: frozenset[str] = frozenset()) -> Decimal | str:
    if ref in seen:
        pytest.fail(f"circular reference at {ref}")
    value = ws[ref].value
    if not (isinstance(value, str) and value.startswith("=")):
        if value is None:
            return Decimal(0)
        return value if isinstance(value, str) else Decimal(str(value))

    expr = re.sub(r"SUM\(([A-Z]+\d+):([A-Z]+\d+)\)", r'rng("\1","\2")', value[1:])
    expr = re.sub(r'(?<!")\b([A-Z]{1,2}\d+)\b(?!")', r'c("\1")', expr)
    expr = expr.replace("ROUND(", "rnd(").replace("IF(", "iff(")
    expr = re.sub(r"(?<![<>=!])=(?!=)", "==", expr)

    def c(name: str) -> Decimal | str:
        return _evaluate(ws, name, seen | {ref})

    def rng(first: str, last: str) -> Decimal:
        col = re.match(r"[A-Z]+", first).group()
        lo, hi = int(first[len(col):]), int(last[len(col):])
        return sum((c(f"{col}{r}") for r in range(lo, hi + 1)), Decimal(0))

    def rnd(x: Decimal, places: int) -> Decimal:
        return Decimal(x).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)

    def iff(cond: bool, yes, no):
        return yes if cond else no

    return eval(expr, {"c": c, "rng": rng, "rnd": rnd, "iff": iff})  # noqa: S307 - test only


def test_one_line_per_fixture_type_and_room_whatever_the_label_case() -> None:
    takeoff = {"counts": {"lavatory": 3}, "sheets": [], "detections": [
        {"type": "lavatory", "sheet": 1, "room": "WC-2"},
        {"type": "lavatory", "sheet": 1, "room": "wC-2 "},
        {"type": "lavatory", "sheet": 1, "room": ""}]}
    lines = [li for li in build_bid(takeoff, BOOK).lines if li.fixture_type]
    assert [(li.room, li.quantity) for li in lines] == [("Unassigned", 1), ("WC-2", 2)]


def test_optional_line_priced_on_its_own() -> None:
    bid = build_bid(TAKEOFF, BOOK, BidOptions(alternate_tiers=[], optional_lines=[
        {"description": "Add a lavatory in the office", "fixture_type": "lavatory"}]))
    (line, price), = bid.extras
    # 210.00 material + 2.5 h x 90 = 435.00; + 10% = 478.50; tax 8% of 478.50 x 210/435
    assert line.kind == "optional" and line.total == Decimal("435.00")
    assert price.total == Decimal("478.50") + money(money(Decimal("478.50") * 210 / 435)
                                                    * Decimal("0.08"))
    assert bid.totals.total == Decimal("1982.79")    # options stay out of the total


def test_unscaled_pipe_is_named_in_the_warnings() -> None:
    from plansite.estimate.bid import unpriced_pipe_warnings

    takeoff = {"pipe_runs": [
        {"system": "sanitary", "length_ft": None}, {"system": "sanitary", "length_ft": None},
        {"system": "cold_water", "length_ft": 12.0},
    ]}

    assert unpriced_pipe_warnings(takeoff) == [
        "Pipe not priced: sanitary (2 runs) on sheets without a drawing scale; "
        "measure these by hand and add them."
    ]
    assert unpriced_pipe_warnings({"pipe_runs": []}) == []


def test_long_proposal_descriptions_wrap_instead_of_being_cut() -> None:
    from plansite.estimate.proposal_pdf import _fit_lines

    text = "Water closet, MASTER BATH: rough-in, top-out and trim (Standard trim)"
    lines = _fit_lines(text, 150.0, 8.0)

    assert len(lines) > 1
    assert " ".join(lines) == text
    assert _fit_lines("short", 150.0, 8.0) == ["short"]


def test_scope_names_fixtures_in_the_plural() -> None:
    from plansite.estimate.proposal_pdf import _plural

    assert _plural("lavatory", 10) == "lavatories"
    assert _plural("floor drain", 8) == "floor drains"
    assert _plural("hose bibb", 3) == "hose bibbs"
    assert _plural("water closet", 1) == "water closet"
    assert _plural("other", 2) == "other"
