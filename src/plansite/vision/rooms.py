"""Assigning each fixture to the room whose label is nearest it.

Room labels are short texts with a room word ("BATH 2", "TOILET 137A", "KITCHEN"). A
fixture takes the nearest such label within ``MAX_ROOM_DISTANCE_FT`` of real distance (or a
fixed share of the sheet when the scale is unknown); past that it stays unassigned rather
than be put in the wrong room. Wall geometry is not used, so a label nearer across a wall
wins; that is a known limit.
"""

from __future__ import annotations

import re

from plansite.domain.fixtures import TagTable
from plansite.domain.sheet import Sheet, TextItem, bbox_center
from plansite.vision.labels import label_fixture
from plansite.vision.tags import parse_tag, tokens_of
from plansite.domain.takeoff import Detection

MAX_ROOM_DISTANCE_FT = 15.0
_ROOM = re.compile(
    r"\b(bath(room)?|ensuite|toilet|wc|w\.c\.|powder|lavatory|restroom|washroom|laundry|"
    r"kitchen(ette)?|utility|janitor|jan\.?|mop|shower|locker|changing|break\s*room|"
    r"pantry|bar|mechanical|mech\.?|boiler|garage|bed(room)?|living|dining|office|"
    r"storage|store|hall|corridor|lobby|lab(oratory)?|classroom|med|hac)\b",
    re.IGNORECASE,
)


def room_labels(sheet: Sheet) -> list[TextItem]:
    """Short texts with a room word that are not themselves a fixture tag or fixture name.

    "WC-1" and "SHOWER" are marks on a fixture, not the room it stands in; "WC 104" and
    "SHOWER ROOM" are rooms.
    """
    table = TagTable()
    labels = []
    for t in sheet.texts:
        words = t.text.split()
        if not 1 <= len(words) <= 4 or not _ROOM.search(t.text):
            continue
        if all(parse_tag(w, table) for w in tokens_of(t.text)):
            continue
        if label_fixture(t.text):
            continue
        labels.append(t)
    return labels


def assign_rooms(sheet: Sheet, detections: list[Detection]) -> None:
    labels = room_labels(sheet)
    if not labels:
        return
    for d in detections:
        c = bbox_center(d.bbox)
        scale = sheet.scale_at(c)
        limit = (
            MAX_ROOM_DISTANCE_FT / scale.feet_per_unit
            if scale and scale.feet_per_unit
            else max(sheet.width, sheet.height) * 0.05
        )
        best, best_d = None, limit
        for t in labels:
            tc = bbox_center(t.bbox)
            dist = ((tc[0] - c[0]) ** 2 + (tc[1] - c[1]) ** 2) ** 0.5
            if dist <= best_d:
                best, best_d = t, dist
        if best is not None:
            d.room = best.text
