"""Where fixtures may be counted: views by title, whole sheets by title, tables by shape."""

from __future__ import annotations

from plansite.domain.fixtures import TagTable
from plansite.domain.sheet import Sheet, TextItem
from plansite.vision.detect import detect_sheet
from plansite.vision.labels import complete_truncated, find_labels, label_fixture
from plansite.vision.views import (
    find_views,
    plumbing_sheets_only,
    schedule_rows,
    sheet_kind,
    view_excludes,
)


def _sheet(*items: TextItem, title: str = "") -> Sheet:
    sheet = Sheet(index=0, source="t.pdf", width=2000, height=1400, units="pt", title=title,
                  discipline="plumbing")
    sheet.texts = list(items)
    return sheet


def _text(text: str, x: float, y: float, h: float = 8.0) -> TextItem:
    return TextItem(text, (x, y, x + len(text) * h * 0.7, y + h), h)


def _body(n: int = 12) -> list[TextItem]:
    """Ordinary body text so titles stand out by size."""
    return [_text(f"ROOM {100 + i}", 1800, 100 + 20 * i) for i in range(n)]


def test_a_drawing_title_excludes_the_band_above_it() -> None:
    section = TextItem("SECTION A-A", (300, 600, 420, 616), 16)
    plan = TextItem("FIRST FLOOR PLAN", (300, 1200, 460, 1216), 16)
    sheet = _sheet(section, plan, *_body())
    views = find_views(sheet)
    assert view_excludes(views, (350, 400)) == "in section 'SECTION A-A'"
    assert view_excludes(views, (350, 900)) is None


def test_a_schedule_heading_excludes_the_table_below_it() -> None:
    heading = TextItem("PLUMBING FIXTURE SCHEDULE", (1000, 100, 1250, 116), 16)
    views = find_views(_sheet(heading, *_body()))
    assert view_excludes(views, (1100, 300)) is not None
    assert view_excludes(views, (1100, 50)) is None


def test_references_in_notes_are_not_titles() -> None:
    note = TextItem("REFER TO DETAIL 5", (300, 600, 420, 616), 16)
    assert find_views(_sheet(note, *_body())) == []


def test_whole_sheets_by_title() -> None:
    assert sheet_kind("GENERAL NOTES") == "notes"
    assert sheet_kind("PLUMBING SCHEDULES") == "schedule"
    assert sheet_kind("DEMOLITION PLAN") == "demolition"
    assert sheet_kind("FLOOR PLAN, SCHEDULES AND NOTES") is None
    assert sheet_kind("GROUND FLOOR PLAN PLUMBING") is None
    sheet = _sheet(_text("WC-1", 500, 500), title="GENERAL NOTES")
    assert detect_sheet(sheet, TagTable.load(None)).detections == []


def test_a_table_is_found_by_its_shape_without_a_heading() -> None:
    rows = [("LAV.", "LAVATORY"), ("HB", "HOSE BIBB"), ("FD", "FLOOR DRAIN"),
            ("GA.", "GAUGE")]
    items = []
    for n, (key, description) in enumerate(rows):
        items += [_text(key, 100, 100 + n * 14), _text(description, 150, 100 + n * 14)]
    sheet = _sheet(*items)
    keys, descriptions = schedule_rows(sheet)
    assert len(keys) == 4 and len(descriptions) == 4
    # Neither the abbreviations nor their spelled-out names are fixtures on a plan.
    assert detect_sheet(sheet, TagTable.load(None)).detections == []


def test_a_stack_of_tags_on_a_plan_is_not_a_table() -> None:
    items = [_text(t, 500, 500 + n * 20) for n, t in enumerate(["FD-1", "WC-2", "L-2"])]
    assert schedule_rows(_sheet(*items)) == (set(), set())


def test_labels() -> None:
    assert label_fixture("KITCHEN SINK SUPPLIED BY OTHER") == "kitchen_sink"
    assert label_fixture("JACUZZI TUB") == "bathtub"
    assert label_fixture("SHOWER ROOM") is None
    assert label_fixture("U/S SINK") is None
    assert label_fixture("VERIFY ROOF DRAIN WHERE CONTROL") is None
    assert label_fixture(complete_truncated("SHOWE")) == "shower"
    assert complete_truncated("SHOWN") == "SHOWN"
    grey = TextItem("SHOWER", (10, 10, 50, 18), 8, shade=0.6)
    assert find_labels(_sheet(grey)) == []


def test_plumbing_sheets_win_over_background_sheets() -> None:
    disciplines = {0: "mechanical", 1: "plumbing", 2: ""}
    assert plumbing_sheets_only(disciplines, [0, 1, 2]) == [False, True, False]
    assert plumbing_sheets_only({0: "architectural"}, [0, 0]) == [True, True]


def test_a_titled_sheet_number_names_the_whole_sheet() -> None:
    from plansite.parsing.titleblock import read_title_block

    sheet = _sheet(TextItem("Site Plan: A1.01", (450, 1350, 560, 1362), 10),
                   TextItem("A2.01", (1500, 200, 1530, 210), 10))
    read_title_block(sheet)
    assert (sheet.number, sheet.title, sheet.discipline) == ("A1.01", "Site Plan",
                                                             "architectural")
    assert sheet_kind(sheet.title) == "site"
