"""CAD block inserts classified as fixtures by name, attributes and the tag table.

Block names are the CAD author's own words ("WC3", "LAVM1", "Toilet_Pan", "SINK-KITCHEN");
they are read first as fixture phrases, then token by token as tags. Attributes ("TAG",
"TYPE") are read the same way. The layer decides whether the insert is on a plan at all.
"""

from __future__ import annotations

import re

from plansite.domain.fixtures import TagTable, fixture_from_words
from plansite.domain.sheet import BlockRef

_TOKEN = re.compile(r"[A-Za-z]+|\d+")
# Block names of fittings and annotations that mention fixture words but are not fixtures.
_NOT_FIXTURE = re.compile(
    r"elbow|tee\b|valve|reducer|flange|coupling|union|fitting|arrow|section|mark|grid|"
    r"north|title|border|door|window|tag\b|callout|symbol",
    re.IGNORECASE,
)


def classify_block(block: BlockRef, table: TagTable) -> tuple[str, str] | None:
    """Return (fixture type, evidence) for a block insert, or None when not a fixture."""
    names = [block.name, *block.nested]
    for name in names:
        if name.startswith("*") or _NOT_FIXTURE.search(name):
            continue
        spaced = re.sub(r"[_\-.]+", " ", name)
        fixture = fixture_from_words(spaced)
        if fixture:
            return fixture, f"block {name!r}"
        fixture = _by_tag(name, table)
        if fixture:
            return fixture, f"block {name!r}"

    for key, value in block.attributes.items():
        fixture = fixture_from_words(value) or _by_tag(value, table)
        if fixture:
            return fixture, f"block {block.name!r} attribute {key}={value!r}"
    return None


def _by_tag(name: str, table: TagTable) -> str | None:
    """Read a block name as a tag: "WC3" → WC, "LAVM1" → LAV, "ELE-WC" → WC."""
    for part in re.split(r"[\s_\-.]+", name.upper()):
        letters = re.match(r"[A-Z]+", part)
        if not letters:
            continue
        has_number = bool(re.search(r"\d", part))
        word = letters.group(0)
        # One-letter tags ("L1", "S2") in block names are lights and door styles far more
        # often than fixtures; a block needs at least a two-letter tag.
        if len(word) < 2:
            continue
        fixture = table.lookup(word, has_number)
        if fixture:
            return fixture
        # A known prefix of two or more letters with a one-letter variant ("LAVM1").
        for cut in (len(word) - 1,):
            if cut >= 2 and has_number and table.lookup(word[:cut], True):
                return table.lookup(word[:cut], True)
    return None
