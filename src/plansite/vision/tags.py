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
- a row of a schedule, legend or abbreviation list defines a tag and is never counted;
- electrical, structural, civil, landscape, telecom and fire sheets carry no plumbing tags.

A multiplier is written before the tag ("4@ WC-1"); when it stands apart (a boxed tag with
"2@" outside the box) the nearest "N@" just left of the tag on the same line is taken. OCR
reads a small "@" as a zero, so a lone OCR'd "20" in that place is taken as "2@".
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
from plansite.parsing.titleblock import NON_PLUMBING_TRADES

# "4@WC-1", "4 @ WC-1", "WC-1", "WC1", "L-2A", "FD", "W.C."
TAG_TOKEN = re.compile(
    r"^(?:(?P<mult>\d{1,3})\s*[@xX]\s*)?"
    r"(?P<prefix>[A-Z](?:[A-Z.]{0,3}[A-Z.])?|[A-Z]{1,3}-[A-Z]{2})"
    r"(?:\s*-?\s*(?P<num>\d{1,2}[A-Z]?))?$"
)
_SPLIT = re.compile(r"[\s,;()\[\]—–_|]+")
_MULTIPLIER = re.compile(r"^\(?(\d{1,2})\s*[@xX]\)?$")
# OCR reads a small "@" as 0, O, Q or G: a lone "20" right before a tag is "2@".
_OCR_MULTIPLIER = re.compile(r"^(\d)[0OQG]$")
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
# Sheets of trades that never tag plumbing fixtures: their "CO", "BD" or "P-1" mean
# conduit, board or a panel, and their plans repeat the fixtures of the plumbing sheets.
OTHER_TRADES = NON_PLUMBING_TRADES
# OCR'd tags without a number need a surer reading than numbered ones.
MIN_BARE_OCR_CONFIDENCE = 0.75
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
    # A one-letter mark glued to its number ("T1", "L2") is a room, grid or finish code; a
    # one-letter fixture tag is written with a hyphen ("L-1").
    if len(prefix) == 1 and num and "-" not in token and not m.group("mult"):
        return None
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
    # OCR reads a tag's hyphen as a dash ("HB—1").
    joined = re.sub(r"\b([A-Z]{1,3})\s*[—–]\s*(\d)", r"\1-\2", joined)
    # OCR often loses a tag's hyphen or reads it as a space: "WC 2" is "WC-2".
    joined = re.sub(r"\b([A-Z]{1,3})\s+(\d{1,2})\b(?![\"'./%])", r"\1-\2", joined)
    return [t for t in _SPLIT.split(joined) if t]


def find_tags(sheet: Sheet, table: TagTable) -> list[TagHit]:
    """Return tag hits on the sheet: notes, schedules, background and existing work skipped."""
    from plansite.vision.views import schedule_rows

    if sheet.discipline in OTHER_TRADES:
        return []
    keys, descriptions = schedule_rows(sheet)
    skip = keys | descriptions
    hits: list[TagHit] = []
    for i, item in enumerate(sheet.texts):
        if i in skip or item.shade > SCREENED_SHADE:
            continue
        line = _line_tags(item, table)
        if line and _under_a_heading(item, sheet.texts):
            continue
        hits.extend(line)

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
                item.confidence < MIN_BARE_OCR_CONFIDENCE or token not in item.text
            ):
                continue
            found.append(TagHit(fixture, tag, quantity, item, numbered="-" in tag))
        elif not _NOT_PROSE.match(token):
            others += 1
    # A line of mostly words ("SEE NOTE 4 FOR FD") is prose, not a tag.
    if not found or others > MAX_OTHER_WORDS or others > len(found) + 1:
        return []
    return found


def _under_a_heading(item: TextItem, texts: list[TextItem]) -> bool:
    """Tell whether a lone tag is the value of a word centred just above it.

    A room name over its number ("CORRIDOR" / "T1" / "270 SF") or a title-block field over
    its entry ("Checked" / "SS") stacks a word and a short code on one axis; a fixture tag
    stands on its own or in a stack of other tags.
    """
    if len(item.text.split()) != 1:
        return False
    x0, y0, x1, y1 = item.bbox
    h = max(y1 - y0, 1e-6)
    cx = (x0 + x1) / 2
    for other in texts:
        # The heading is written like its value: same reader, same ink (not a grey room
        # name of the background plan above an engineer's tag).
        if other is item or other.source != item.source or abs(other.shade - item.shade) > 0.1:
            continue
        ox0, _, ox1, oy1 = other.bbox
        if not (0 <= y0 - oy1 <= 0.8 * h) or not (ox0 - h <= cx <= ox1 + h):
            continue
        if abs((ox0 + ox1) / 2 - cx) > 0.35 * max(ox1 - ox0, x1 - x0):
            continue
        if re.search(r"[A-Za-z]{4,}", other.text) and not TAG_TOKEN.match(other.text.upper()):
            return True
    return False


def _drop_bare_references(hits: list[TagHit]) -> list[TagHit]:
    """Drop bare prefixes ("FD") on a sheet that numbers the same prefix ("FD-1")."""
    numbered = {h.tag.split("-")[0] for h in hits if h.numbered}
    return [h for h in hits if h.numbered or h.tag not in numbered]


def _with_multiplier(hit: TagHit, sheet: Sheet) -> TagHit:
    """Take a lone "N@" just left of a tag on its line as the tag's multiplier."""
    if hit.quantity != 1 or not hit.item.text.upper().lstrip().startswith(hit.tag[:2]):
        return hit
    x0, y0, _, y1 = hit.item.bbox
    height = max(y1 - y0, 1e-6)
    best: tuple[float, int] | None = None
    for other in sheet.texts:
        m = _MULTIPLIER.match(other.text.strip().upper())
        if not m and other.source == "ocr":
            m = _OCR_MULTIPLIER.match(other.text.strip().upper())
        if not m or other is hit.item:
            continue
        _, oy0, ox1, oy1 = other.bbox
        gap = x0 - ox1
        # A boxed tag's multiplier sits outside the box, a little off the tag's baseline.
        drift = abs((y0 + y1) / 2 - (oy0 + oy1) / 2)
        beside = -height * 0.5 <= gap <= height * 3 and drift <= 0.8 * height
        if beside and (best is None or gap < best[0]):
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
        # A bare key ("RD", "LAV.") is an abbreviation: it must abbreviate its description,
        # which also guards against a description read from the wrong row.
        if not num and not abbreviates(prefix, description):
            continue
        fixture = fixture_from_words(description)
        if fixture:
            learned[tag] = fixture
        elif re.search(r"[A-Z]{3,}", description.upper()):
            learned.setdefault(tag, "")
    return learned


def abbreviates(key: str, description: str) -> bool:
    """Tell whether ``key``'s letters start and run in order through the description."""
    letters = re.sub(r"[^A-Z]", "", key.upper())
    words = re.sub(r"[^A-Z ]", "", description.upper()).split()
    if not letters or not words or words[0][0] != letters[0]:
        return False
    text = "".join(words)
    pos = 0
    for ch in letters:
        pos = text.find(ch, pos)
        if pos < 0:
            return False
        pos += 1
    return True


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
