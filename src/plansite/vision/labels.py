"""Fixtures named in words on the drawing ("WASHING MACHINE", "JACUZZI TUB", "SHOWER").

Residential plans rarely tag fixtures; the draughtsman writes the name beside the symbol.
Only short labels count: a sentence that mentions a shower is a note. Room names that merely
contain a fixture word ("SHOWER ROOM", "TOILET 137A") are rooms, not fixtures.
"""

from __future__ import annotations

import re

from plansite.domain.fixtures import fixture_from_words
from plansite.domain.sheet import Sheet, TextItem
from plansite.vision.phrases import join_stacked_lines

MAX_LABEL_WORDS = 3
_ROOM_WORDS = re.compile(
    r"\b(room|rm|bath(room)?|ensuite|toilets?|laundry|kitchen|closet|area|corridor|store)\b"
    r"|\d{2,}",
    re.IGNORECASE,
)
# Words that turn a fixture word into something else ("SHOWER CURTAIN", "SINK CABINET").
_NOT_A_FIXTURE = re.compile(
    r"curtain|screen|rail|cabinet|base|niche|tile|wall|glass|door|valve|head|arm|mixer|"
    r"note|see|typ|existing|\(e\)|remove|demo",
    re.IGNORECASE,
)


def find_labels(sheet: Sheet) -> list[tuple[str, TextItem]]:
    """Return (fixture type, text) for each short label that names a fixture."""
    found: list[tuple[str, TextItem]] = []
    for item in [*sheet.texts, *join_stacked_lines(sheet.texts)]:
        words = item.text.split()
        if not words or len(words) > MAX_LABEL_WORDS:
            continue
        if _ROOM_WORDS.search(item.text) or _NOT_A_FIXTURE.search(item.text):
            continue
        fixture = fixture_from_words(item.text)
        if fixture:
            found.append((fixture, item))
    return found
