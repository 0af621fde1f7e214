"""Fixtures named in words on the drawing ("WASHING MACHINE", "JACUZZI TUB", "SHOWER").

Residential plans rarely tag fixtures; the draughtsman writes the name beside the symbol.
Only short labels count: a sentence that mentions a shower is a note. A label may carry a
supply qualifier after the name ("KITCHEN SINK SUPPLIED BY OTHERS"): the fixture is still
drawn and connected. Room names that merely contain a fixture word ("SHOWER ROOM",
"TOILET 137A") are rooms, not fixtures. Descriptions in a schedule, legend or abbreviation
list, screened grey background text, existing or removed work and the sheets of other
trades (electrical, structural, ...) are not counted.

OCR'd words a word space apart on one line are joined into a phrase first, since stroked
text comes back from OCR a word at a time, and a fixture word whose last letters OCR lost
("SHOWE") is completed.

Known shortcomings: a label names one fixture, so "2 BASINS" counts one; a label far from
its symbol is counted where the label is.
"""

from __future__ import annotations

import re

from plansite.domain.fixtures import fixture_from_words
from plansite.domain.sheet import Sheet, TextItem
from plansite.vision.phrases import join_stacked_lines
from plansite.vision.tags import OTHER_TRADES, SCREENED_SHADE
from plansite.vision.views import schedule_rows

MAX_LABEL_WORDS = 3
# Fixture words long enough to recognise with their last letter or two lost to OCR.
_TRUNCATABLE = ("SHOWER", "URINAL", "LAVATORY", "BATHTUB", "WASHER", "HEATER", "FOUNTAIN",
                "CLEANOUT", "DISHWASHER")
_ROOM_WORDS = re.compile(
    r"\b(room|rm|bath(room)?|ensuite|toilets?|laundry|kitchen|closet|area|corridor|store)\b"
    r"|\d{2,}",
    re.IGNORECASE,
)
# Words that turn a fixture word into something else ("SHOWER CURTAIN", "SINK CABINET").
_NOT_A_FIXTURE = re.compile(
    r"curtain|screen|rail|cabinet|base|niche|tile|wall|glass|door|valve|head|arm|mixer|"
    r"note|see|typ|existing|\(e\)|remove|demo|relocat|primer|trap|tap\b|faucet|drawer|"
    r"floor\s*above|above|\bu/s\b|under\s*sink|interceptor",
    re.IGNORECASE,
)
# "... SUPPLIED BY OTHERS", "... (N.I.C.)", "... BY OWNER": the fixture is still there.
_SUPPLY_QUALIFIER = re.compile(
    r"\s*(\(?\s*(supplied|furnished|provided|installed)?\s*by\s+(others?|owner|tenant)"
    r"\s*\)?|\(?n\.?i\.?c\.?\)?|\(?o\.?f\.?c\.?i\.?\)?)\s*$",
    re.IGNORECASE,
)


def find_labels(sheet: Sheet) -> list[tuple[str, TextItem]]:
    """Return (fixture type, text) for each short label that names a fixture."""
    if sheet.discipline in OTHER_TRADES:
        return []
    keys, descriptions = schedule_rows(sheet)
    skip = keys | descriptions
    usable = [
        item for i, item in enumerate(sheet.texts)
        if i not in skip and item.shade <= SCREENED_SHADE
    ]
    usable = join_ocr_words(usable)
    # Authors stack a label's words as separate texts ("WASHING" over "MACHINE").
    found: list[tuple[str, TextItem]] = []
    for item in [*usable, *join_stacked_lines(usable)]:
        text = complete_truncated(item.text) if item.source == "ocr" else item.text
        fixture = label_fixture(text)
        if fixture:
            found.append((fixture, item))
    return found


def complete_truncated(text: str) -> str:
    """Finish a fixture word whose last letters OCR lost ("SHOWE" → "SHOWER").

    A stroked letter that touches line work drops out of its word, mostly at the end where
    the label meets a wall. Only the last word is completed, and only when it keeps at
    least four fifths of the fixture word.
    """
    words = text.split()
    if not words or len(words[-1]) < 5:
        return text
    last = words[-1].upper()
    for full in _TRUNCATABLE:
        if full.startswith(last) and len(last) >= 0.8 * len(full):
            return " ".join([*words[:-1], full])
    return text


def join_ocr_words(items: list[TextItem]) -> list[TextItem]:
    """OCR'd words a word space apart on one line, joined into phrases.

    OCR returns a stroked "FLOOR DRAIN" as two runs when its word space is wide, and a
    keynote as many; a text layer already gives whole lines, so its items stand as they are.
    """
    phrases = [t for t in items if t.source != "ocr"]
    words = sorted((t for t in items if t.source == "ocr"), key=lambda t: t.bbox[0])
    used: set[int] = set()
    for i, first in enumerate(words):
        if i in used:
            continue
        chain = [first]
        for j in range(i + 1, len(words)):
            last, nxt = chain[-1].bbox, words[j].bbox
            h = max(last[3] - last[1], 1e-6)
            if nxt[0] - last[2] > 2 * h:
                continue
            if j in used or nxt[0] < last[2] - 0.2 * h:
                continue
            if abs((nxt[1] + nxt[3]) / 2 - (last[1] + last[3]) / 2) > 0.4 * h:
                continue
            chain.append(words[j])
            used.add(j)
        phrases.append(_join(chain))
    return phrases


def _join(chain: list[TextItem]) -> TextItem:
    if len(chain) == 1:
        return chain[0]
    box = (min(t.bbox[0] for t in chain), min(t.bbox[1] for t in chain),
           max(t.bbox[2] for t in chain), max(t.bbox[3] for t in chain))
    return TextItem(" ".join(t.text for t in chain), box, max(t.size for t in chain),
                    "ocr", source="ocr", confidence=min(t.confidence for t in chain))


def label_fixture(text: str) -> str | None:
    """The fixture a short label names, or None for rooms, notes and other things."""
    name = _SUPPLY_QUALIFIER.sub("", text).strip()
    words = name.split()
    if not words or len(words) > MAX_LABEL_WORDS:
        return None
    if _ROOM_WORDS.search(name) and not re.search(r"kitchen\s*sink", name, re.IGNORECASE):
        return None
    if _NOT_A_FIXTURE.search(name):
        return None
    return fixture_from_words(name)
