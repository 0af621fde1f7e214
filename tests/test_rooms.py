"""Fixtures take the room whose label is nearest, and fixture marks are not rooms."""

from __future__ import annotations

from plansite.domain.sheet import Scale, Sheet, TextItem
from plansite.domain.takeoff import Detection
from plansite.vision.rooms import assign_rooms, room_labels


def _sheet(*texts: tuple[str, float, float]) -> Sheet:
    sheet = Sheet(0, "plan.pdf", 1224, 792, "pt")
    sheet.texts = [TextItem(t, (x, y, x + 30, y + 8)) for t, x, y in texts]
    sheet.scales = [Scale('1/4" = 1\'-0"', 1 / 18, None)]
    return sheet


def test_tags_and_fixture_names_are_not_room_labels() -> None:
    sheet = _sheet(("WC-1", 0, 0), ("SHOWER", 0, 20), ("KITCHEN SINK", 0, 40),
                   ("WC 104", 0, 60), ("SHOWER ROOM", 0, 80), ("MASTER BATH", 0, 100))

    assert [t.text for t in room_labels(sheet)] == ["WC 104", "SHOWER ROOM", "MASTER BATH"]


def test_fixture_takes_the_nearest_room_within_reach_only() -> None:
    sheet = _sheet(("MASTER BATH", 100, 100), ("WC-1", 105, 104), ("KITCHEN", 900, 100))
    near = Detection("water_closet", 0, (110, 110, 130, 130), 0.9, "tag", "tag 'WC-1'")
    far = Detection("lavatory", 0, (500, 600, 520, 620), 0.9, "symbol", "shape")

    assign_rooms(sheet, [near, far])

    assert near.room == "MASTER BATH"
    assert far.room == "", "past 15 ft no room is guessed"
