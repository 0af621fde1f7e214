"""Sheet number, title and discipline from the title block.

Title blocks sit along the right or bottom edge. A text there that names and numbers the
sheet at once ("Site Plan: A1.01") wins; otherwise the sheet number is the largest text
there that looks like a sheet id (``P-3``, ``A1.02``, ``M201``, ``ST04``) and the title
the nearest text with a drawing word. The number's leading letters give the discipline
under the US National CAD Standard designators.

Known shortcomings: a drawing callout ("A2.01" in a section bubble) inside the band can be
taken for the sheet number when the real one is missing; the title is then a guess.
"""

from __future__ import annotations

import re

from plansite.domain.sheet import Sheet, TextItem

DISCIPLINES: dict[str, str] = {
    "P": "plumbing",
    "A": "architectural",
    "AF": "architectural",
    "AE": "architectural",
    "M": "mechanical",
    "MP": "mechanical",
    "E": "electrical",
    "S": "structural",
    "ST": "structural",
    "C": "civil",
    "L": "landscape",
    "G": "general",
    "FP": "fire_protection",
    "F": "fire_protection",
    "T": "telecom",
    "I": "interiors",
    "R": "structural",
    "D": "demolition",
}

# Trades whose sheets never tag plumbing fixtures; their plans repeat the plumbing sheets'.
NON_PLUMBING_TRADES = frozenset({"electrical", "structural", "civil", "landscape", "telecom",
                                 "fire_protection"})

_SHEET_ID = re.compile(r"^([A-Z]{1,2})[-.\s]?(\d{1,3}(?:[.\-]\d{1,3})?[A-Z]?)$")
_TITLE_WORDS = re.compile(
    r"\b(PLAN|PLANS|ELEVATIONS?|SECTIONS?|DETAILS?|SCHEDULES?|LAYOUT|SITE|FLOOR|ROOF|"
    r"PLUMBING|MECHANICAL|ELECTRICAL|FOUNDATION|NOTES|LEGEND|COVER)\b",
    re.IGNORECASE,
)
_TITLED_ID = re.compile(
    r"^(?P<title>[A-Za-z][A-Za-z0-9 ,&/'\-]{2,60}?)\s*:\s*"
    r"(?P<id>[A-Z]{1,2}[-.]?\d{1,3}(?:[.\-]\d{1,3})?[A-Z]?)$"
)
# Title blocks live in the outer band of the sheet.
EDGE_BAND = 0.22


def discipline_of(number: str) -> str:
    m = re.match(r"^([A-Z]{1,2})", number.upper())
    if not m:
        return ""
    letters = m.group(1)
    return DISCIPLINES.get(letters) or DISCIPLINES.get(letters[0], "")


def read_title_block(sheet: Sheet) -> None:
    """Fill ``sheet.number``, ``sheet.title`` and ``sheet.discipline`` when legible."""
    band = [t for t in sheet.texts if _in_edge_band(sheet, t)]

    # "Site Plan: A1.01" names the sheet and numbers it in one text: the surest reading.
    titled = [(t, m) for t in band if (m := _TITLED_ID.match(t.text.strip()))]
    if titled:
        best, m = max(titled, key=lambda tm: (tm[0].size, tm[0].bbox[1]))
        sheet.number = m.group("id").upper()
        sheet.discipline = discipline_of(sheet.number)
        sheet.title = m.group("title").strip(" -:")
        return

    candidates = [t for t in band if _SHEET_ID.match(t.text.strip().upper())]
    if candidates:
        best = max(candidates, key=lambda t: (t.size, t.bbox[0] + t.bbox[1]))
        sheet.number = best.text.strip().upper().replace(" ", "")
        sheet.discipline = discipline_of(sheet.number)
        sheet.title = _nearest_title(band, best)


def _in_edge_band(sheet: Sheet, t: TextItem) -> bool:
    x, y = t.bbox[0], t.bbox[1]
    return x > sheet.width * (1 - EDGE_BAND) or y > sheet.height * (1 - EDGE_BAND)


def _nearest_title(band: list[TextItem], anchor: TextItem) -> str:
    titled = [t for t in band if _TITLE_WORDS.search(t.text) and len(t.text) < 80]
    if not titled:
        return ""
    ax, ay = anchor.bbox[0], anchor.bbox[1]
    best = min(titled, key=lambda t: abs(t.bbox[0] - ax) + abs(t.bbox[1] - ay))
    return best.text.strip()
