"""Fixture tags in text: tokens, multipliers, notes, background, schedules and references."""

from __future__ import annotations

from plansite.domain.fixtures import TagTable
from plansite.domain.sheet import Sheet, TextItem
from plansite.domain.takeoff import Detection
from plansite.vision.tags import (
    abbreviates,
    apply_learned_tags,
    find_tags,
    learn_schedule_tags,
    parse_tag,
    tokens_of,
)


def _sheet(*items: TextItem, discipline: str = "plumbing") -> Sheet:
    sheet = Sheet(index=0, source="t.pdf", width=2000, height=1400, units="pt",
                  discipline=discipline)
    sheet.texts = list(items)
    return sheet


def _text(text: str, x: float, y: float, h: float = 8.0, **kw) -> TextItem:
    return TextItem(text, (x, y, x + len(text) * h * 0.7, y + h), h, **kw)


def _found(sheet: Sheet, table: TagTable | None = None) -> dict[str, int]:
    counts: dict[str, int] = {}
    for hit in find_tags(sheet, table or TagTable.load(None)):
        counts[hit.fixture_type] = counts.get(hit.fixture_type, 0) + hit.quantity
    return counts


def test_tag_tokens_and_multipliers() -> None:
    table = TagTable.load(None)
    assert parse_tag("WC-1", table) == ("water_closet", "WC-1", 1)
    assert parse_tag("4@WC-1", table) == ("water_closet", "WC-1", 4)
    assert tokens_of("4 @ WC-1") == ["4@WC-1"]
    # OCR loses the hyphen: "WC 2" is still the tag WC-2.
    assert tokens_of("WC 2") == ["WC-2"]
    assert tokens_of("HB—1") == ["HB-1"]
    assert parse_tag("L", table) is None
    assert parse_tag("CO-ORDINATE", table) is None


def test_multiplier_before_a_boxed_tag_is_taken() -> None:
    sheet = _sheet(_text("2@", 100, 100), _text("U-1", 125, 101), _text("3@ L-1", 400, 300))
    assert _found(sheet) == {"urinal": 2, "lavatory": 3}


def test_ocr_reads_small_at_sign_as_zero() -> None:
    sheet = _sheet(_text("20", 100, 100, source="ocr", confidence=0.9),
                   _text("WC-3", 125, 100, source="ocr", confidence=0.9))
    assert _found(sheet) == {"water_closet": 2}


def test_notes_existing_work_and_background_do_not_count() -> None:
    sheet = _sheet(
        _text("CONNECT NEW FD-1 TO EXISTING 4 INCH SANITARY MAIN BELOW SLAB", 100, 100),
        _text("EXISTING WC-1 TO REMAIN", 100, 200),
        _text("FD-1", 500, 500, shade=0.6),
        _text("NEW RD ABOVE (1800 L)", 700, 700),
    )
    assert _found(sheet) == {"roof_drain": 1}


def test_bare_prefix_is_a_reference_when_the_sheet_numbers_it() -> None:
    sheet = _sheet(_text("FD-1", 100, 100), _text("FD", 600, 600), _text("RD", 900, 900))
    assert _found(sheet) == {"floor_drain": 1, "roof_drain": 1}


def test_room_number_and_title_block_values_are_not_tags() -> None:
    sheet = _sheet(
        _text("CORRIDOR", 100, 100), _text("T-1", 108, 109),
        _text("Checked", 800, 800), _text("SS", 812, 809),
    )
    assert _found(sheet) == {}


def test_other_trades_sheets_carry_no_plumbing_tags() -> None:
    sheet = _sheet(_text("CO", 100, 100), _text("WC-1", 300, 300), discipline="electrical")
    assert _found(sheet) == {}


def test_schedule_rows_teach_tags_and_are_not_counted() -> None:
    rows = [("SK-5", "SINK, STAINLESS STEEL"), ("P-1", "WATER CLOSET, FLOOR MOUNTED"),
            ("WC-9", "PAINT, EGGSHELL"), ("FD-1", "FLOOR DRAIN")]
    items = []
    for n, (key, description) in enumerate(rows):
        items += [_text(key, 100, 100 + n * 18), _text(description, 160, 100 + n * 18)]
    sheet = _sheet(*items, _text("SK-5", 900, 900), _text("P-1", 1200, 900),
                   _text("WC-9", 1500, 900))
    table = TagTable.load(None)
    learned = learn_schedule_tags(sheet, table)
    assert learned["SK-5"] == "sink" and learned["P-1"] == "water_closet"
    assert learned["WC-9"] == ""
    table.tags.update(learned)
    # Only the three plan tags: the schedule rows themselves are never counted.
    assert _found(sheet, table) == {"sink": 1, "water_closet": 1}


def test_generic_p_marks_need_a_schedule() -> None:
    assert _found(_sheet(_text("P-3", 100, 100))) == {}


def test_a_later_schedule_relabels_earlier_tags() -> None:
    table = TagTable.load(None)
    d = Detection("water_closet", 0, (0, 0, 1, 1), 0.9, "tag", "tag 'CT-4'", tag="CT-4")
    keep = Detection("floor_drain", 0, (0, 0, 1, 1), 0.9, "tag", "tag 'FD-1'", tag="FD-1")
    table.tags["CT-4"] = ""
    assert apply_learned_tags([d, keep], table) == [keep]


def test_abbreviations_must_abbreviate() -> None:
    assert abbreviates("LAV.", "LAVATORY")
    assert abbreviates("FD", "FLOOR DRAIN")
    assert not abbreviates("NO.", "ROOF DRAIN")
