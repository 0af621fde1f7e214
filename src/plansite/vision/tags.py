"""Fixture tags in sheet text ("WC-1", "L-2", "4@ WC-1", "FD") and the schedules that define them.

A tag is a whole token, never a fragment of a word, so "CO" in "CO-ORDINATE" is not a
cleanout. Short prefixes that are ordinary letters ("L", "S", "P") only count with a number.
What a tag is *not* is decided here too:

- a line of prose (a note or keynote) never counts, even when it mentions a tag; numbers,
  sizes and loads ("RD (1100 L)", '3" RD') and words such as NEW or ABOVE are not prose;
- a line that says the work is existing or removed is not new work;
- text in a screened grey is the background (an architect's plan under the engineer's),
  whose fixtures the engineer's own tags already carry;
- once a sheet tags a fixture with a number ("FD-1"), the bare prefix on the same sheet
  ("FD" at a pipe end) marks a drop or a reference, not another fixture;
- a row of a schedule, legend or abbreviation list defines a tag and is never counted.

A multiplier is written before the tag ("4@ WC-1"); when it stands apart (a boxed tag with
"2@" outside the box) the nearest "N@" just left of the tag on the same line is taken.
A plan set's own schedule overrides the default table, both ways: "SK-5  SINK" teaches a
tag, "P-1  PAINT" unteaches one. Because a schedule may come after the plans it serves,
``apply_learned_tags`` re-reads every tag once the whole set has been seen.

Known shortcomings: a multiplier written after the tag ("WC-1 (x2)") is not read; OCR
that drops a tag's hyphen is rejoined ("WC 2"), but a misread letter is not corrected.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from plansite.domain.fixtures import TagTable, fixture_from_words
from plansite.domain.sheet import Sheet, TextItem
from plansite.domain.takeoff import Detection

# "4@WC-1", "4 @ WC-1", "WC-1", "WC1", "L-2A", "FD", "W.C."
TAG_TOKEN = re.compile(
    r"^(?:(?P<mult>\d{1,3})\s*[@xX]\s*)?"
    r"(?P<prefix>[A-Z](?:[A-Z.]{0,3}[A-Z.])?|[A-Z]{1,3}-[A-Z]{2})"
    r"(?:\s*-?\s*(?P<num>\d{1,2}[A-Z]?))?$"
)
_SPLIT = re.compile(r"[\s,;()\[\]—–_|]+")
_MULTIPLIER = re.compile(r"^\(?(\d{1,2})\s*[@xX]\)?$")
# Tokens that are not words of prose: sizes, slopes, loads, counts, units, qualifiers.
_NOT_PROSE = re.compile(
    r"^(?:[\d/.\-\"'%@#]+[A-Z]{0,2}|\d+(?:L|GPM|MM|IN)?|L|NEW|ABOVE|BELOW|TYP\.?|TYPICAL|"
    r"UP|DN|ON|AT|&|\+|-|—|@)$"
)
# Words that put a tag on existing or removed work.
_EXISTING = re.compile(
    r"\b(EXIST(ING|\.)?|EX\.|\(E\)|REMOVE[DS]?|DEMO(LISH|LITION)?|RELOCATED?|ABANDON(ED)?)\b"
)
# Most non-tag words a tag line may carry ("NEW RD ABOVE", "WC-1 TYP").
MAX_OTHER_WORDS = 2
# Text lighter than this is a screened background.
SCREENED_SHADE = 0.35
# OCR'd tags without a number need a surer reading than numbered ones.
MIN_BARE_OCR_CONFIDENCE = 0.8
# Generic marks whose fixture only a schedule can say ("P-1" is any plumbing fixture).
SCHEDULE_ONLY = frozenset({"P"})


@dataclass(frozen=True)
class TagHit:
    """A tag read from one text item."""

    fixture_type: str
    tag: str
    quantity: int
    item: TextItem
    numbered: bool = True


def tag_type(prefix: str, num: str | None, table: TagTable) -> str | None:
    """The fixture type of a tag, the plan set's own schedule first, then the table."""
    prefix = prefix.upper().rstrip(".")
    if num:
        full = f"{prefix}-{num}"
        if full in table.tags:
            return table.tags[full] or None
    learned = [k for k in table.tags if re.match(re.escape(prefix) + r"-\d", k)]
    if learned:
        positive = [table.tags[k] for k in learned if table.tags[k]]
        if not positive:
            return None
        if prefix not in table.tags:
            return positive[0]
    if prefix in SCHEDULE_ONLY and not learned:
        return None
    return table.lookup(prefix, has_number=num is not None) or None


def parse_tag(token: str, table: TagTable) -> tuple[str, str, int] | None:
    """Return (fixture type, normalised tag, quantity) for one token, or None."""
    token = token.strip().upper().strip(":")
    m = TAG_TOKEN.match(token)
    if not m:
        return None

    prefix, num = m.group("prefix").rstrip("."), m.group("num")
    fixture = tag_type(prefix, num, table)
    if fixture is None:
        return None

    quantity = int(m.group("mult")) if m.group("mult") else 1
    if quantity < 1:
        return None
    tag = prefix + (f"-{num}" if num else "")
    return fixture, tag, quantity


def tokens_of(text: str) -> list[str]:
    """Split a text line into candidate tag tokens, keeping "4 @ WC-1" and "WC 2" together."""
    joined = re.sub(r"(\d)\s*@\s*", r"\1@", text.upper())
    # OCR often loses a tag's hyphen or reads it as a space: "WC 2" is "WC-2".
    joined = re.sub(r"\b([A-Z]{1,3})\s+(\d{1,2})\b(?![\"'./%])", r"\1-\2", joined)
    return [t for t in _SPLIT.split(joined) if t]


def find_tags(sheet: Sheet, table: TagTable) -> list[TagHit]:
    """Return tag hits on the sheet: notes, schedules, background and existing work skipped."""
    from plansite.vision.views import schedule_rows

    keys, descriptions = schedule_rows(sheet)
    skip = keys | descriptions
    hits: list[TagHit] = []
    for i, item in enumerate(sheet.texts):
        if i in skip or item.shade > SCREENED_SHADE:
            continue
        hits.extend(_line_tags(item, table))

    hits = _drop_bare_references(hits)
    return [_with_multiplier(h, sheet) for h in hits]


def _line_tags(item: TextItem, table: TagTable) -> list[TagHit]:
    text = item.text.upper()
    if _EXISTING.search(text):
        return []
    tokens = tokens_of(text)
    if not tokens:
        return []

    found: list[TagHit] = []
    others = 0
    for token in tokens:
        parsed = parse_tag(token, table)
        if parsed:
            fixture, tag, quantity = parsed
            # A bare OCR'd prefix ("CO") is two letters: a misread mark reads as one too.
            if "-" not in tag and item.source == "ocr" and (
                item.confidence < MIN_BARE_OCR_CONFIDENCE or not token.isupper()
            ):
                continue
            found.append(TagHit(fixture, tag, quantity, item, numbered="-" in tag))
        elif not _NOT_PROSE.match(token):
            others += 1
    # A line of mostly words ("SEE NOTE 4 FOR FD") is prose, not a tag.
    if not found or others > MAX_OTHER_WORDS or others > len(found) + 1:
        return []
    return found


def _drop_bare_references(hits: list[TagHit]) -> list[TagHit]:
    """Drop bare prefixes ("FD") on a sheet that numbers the same prefix ("FD-1")."""
    numbered = {h.tag.split("-")[0] for h in hits if h.numbered}
    return [h for h in hits if h.numbered or h.tag not in numbered]


def _with_multiplier(hit: TagHit, sheet: Sheet) -> TagHit:
    """Take a lone "N@" just left of a tag on its line as the tag's multiplier."""
    if hit.quantity != 1 or not hit.item.text.upper().lstrip().startswith(hit.tag[:2]):
        return hit
    x0, y0, x1, y1 = hit.item.bbox
    height = max(y1 - y0, 1e-6)
    best: tuple[float, int] | None = None
    for other in sheet.texts:
        m = _MULTIPLIER.match(other.text.strip().upper())
        if not m or other is hit.item:
            continue
        ox0, oy0, ox1, oy1 = other.bbox
        gap = x0 - ox1
        # A boxed tag's multiplier sits outside the box, a little off the tag's baseline.
        drift = abs((y0 + y1) / 2 - (oy0 + oy1) / 2)
        if -height * 0.5 <= gap <= height * 3 and drift <= 0.8 * height:
            if best is None or gap < best[0]:
                best = (gap, int(m.group(1)))
    if best is None or best[1] < 1:
        return hit
    return TagHit(hit.fixture_type, hit.tag, best[1], hit.item, hit.numbered)


def learn_schedule_tags(sheet: Sheet, table: TagTable) -> dict[str, str]:
    """Learn "TAG → type" from schedule, legend and abbreviation rows.

    A row whose description names a fixture teaches the tag; a row whose description names
    something else ("P-1  PAINT", "BD.  BOARD") maps the tag to "" — not a fixture here.
    """
    from plansite.vision.views import schedule_table

    learned: dict[str, str] = {}
    for key, description in schedule_table(sheet):
        tokens = tokens_of(key)
        if len(tokens) != 1:
            continue
        m = TAG_TOKEN.match(tokens[0])
        if not m:
            continue
        prefix, num = m.group("prefix").rstrip("."), m.group("num")
        tag = prefix + (f"-{num}" if num else "")
        fixture = fixture_from_words(description)
        if fixture:
            learned[tag] = fixture
        elif num and re.search(r"[A-Z]{3,}", description.upper()):
            learned.setdefault(tag, "")
    return learned


def apply_learned_tags(detections: list[Detection], table: TagTable) -> list[Detection]:
    """Re-read every tag detection with the whole set's schedules; drop the unteached ones."""
    kept: list[Detection] = []
    for d in detections:
        if d.method != "tag" or not d.tag:
            kept.append(d)
            continue
        prefix, _, num = d.tag.partition("-")
        fixture = tag_type(prefix, num or None, table)
        if fixture is None:
            continue
        d.fixture_type = fixture
        kept.append(d)
    return kept
