"""Fixture tags in sheet text ("WC-1", "L-2", "4@ WC-1", "FD") and schedules that define them.

A tag is a whole token, never a fragment of a word, so "CO" in "CO-ORDINATE" is not a
cleanout. Short prefixes that are ordinary letters ("L", "S", "P") only count with a number.
Long lines of prose are notes or keynotes and never count, even when they mention a tag.
A schedule row ("WC-1  WATER CLOSET, FLOOR MOUNTED ...") teaches the plan set its own tags;
the schedule itself is excluded from counting by the view finder, not here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from plansite.domain.fixtures import TagTable, fixture_from_words
from plansite.domain.sheet import Sheet, TextItem

# "4@WC-1", "4 @ WC-1", "WC-1", "WC1", "L-2A", "FD", "W.C."
TAG_TOKEN = re.compile(
    r"^(?:(?P<mult>\d{1,3})\s*[@xX]\s*)?"
    r"(?P<prefix>[A-Z](?:[A-Z.]{0,3}[A-Z.])?|[A-Z]{1,3}-[A-Z]{2})"
    r"(?:\s*-?\s*(?P<num>\d{1,2}[A-Z]?))?$"
)
_SPLIT = re.compile(r"[\s,;()\[\]]+")
# Lines longer than this are notes, keynotes or specifications.
MAX_TAG_LINE_WORDS = 5


@dataclass(frozen=True)
class TagHit:
    """A tag read from one text item."""

    fixture_type: str
    tag: str
    quantity: int
    item: TextItem


def parse_tag(token: str, table: TagTable) -> tuple[str, str, int] | None:
    """Return (fixture type, normalised tag, quantity) for one token, or None."""
    token = token.strip().upper().strip(":")
    m = TAG_TOKEN.match(token)
    if not m:
        return None

    prefix, num = m.group("prefix"), m.group("num")
    fixture = table.lookup(prefix, has_number=num is not None)
    if fixture is None:
        return None

    quantity = int(m.group("mult")) if m.group("mult") else 1
    if quantity < 1:
        return None
    tag = prefix.rstrip(".") + (f"-{num}" if num else "")
    return fixture, tag, quantity


def tokens_of(text: str) -> list[str]:
    """Split a text line into candidate tag tokens, keeping "4 @ WC-1" together."""
    joined = re.sub(r"(\d)\s*@\s*", r"\1@", text.upper())
    return [t for t in _SPLIT.split(joined) if t]


def find_tags(sheet: Sheet, table: TagTable) -> list[TagHit]:
    """Return tag hits on the sheet; prose lines are skipped as notes."""
    hits: list[TagHit] = []
    for item in sheet.texts:
        tokens = tokens_of(item.text)
        if not tokens or len(tokens) > MAX_TAG_LINE_WORDS:
            continue
        parsed = [parse_tag(t, table) for t in tokens]
        found = [p for p in parsed if p]
        # A line of mostly non-tag words ("SEE NOTE 4 FOR FD") is prose, not a tag.
        if not found or len(found) * 2 < len(tokens):
            continue
        for fixture, tag, quantity in found:
            hits.append(TagHit(fixture, tag, quantity, item))
    return hits


def learn_schedule_tags(sheet: Sheet, table: TagTable) -> dict[str, str]:
    """Learn "TAG → type" from schedule or legend rows: a tag followed by a description."""
    learned: dict[str, str] = {}
    for item in sheet.texts:
        tokens = tokens_of(item.text)
        if len(tokens) < 2:
            continue
        m = TAG_TOKEN.match(tokens[0])
        if not m or not m.group("num"):
            continue
        fixture = fixture_from_words(" ".join(tokens[1:]))
        if fixture:
            learned[tokens[0].split("@")[-1]] = fixture
    return learned
