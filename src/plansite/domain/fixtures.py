"""Canonical fixture types and the tag table that maps drawing tags onto them.

Every output, test and expected-count file uses these snake_case names. The tag table is
data, not code, so an estimator can teach the engine a firm's own tags (``--tags FILE``)
without a release.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

FIXTURE_TYPES: tuple[str, ...] = (
    "water_closet",
    "urinal",
    "lavatory",
    "sink",
    "kitchen_sink",
    "bar_sink",
    "service_sink",
    "laundry_tray",
    "bathtub",
    "shower",
    "bidet",
    "drinking_fountain",
    "dishwasher",
    "clothes_washer",
    "floor_drain",
    "floor_sink",
    "hose_bibb",
    "water_heater",
    "cleanout",
    "roof_drain",
    "emergency_fixture",
    "ice_maker_box",
    "other",
)

# Tag prefixes as they appear on plumbing sheets ("WC-1", "L-2", "FD"). Longer prefixes win.
DEFAULT_TAGS: dict[str, str] = {
    "WC": "water_closet",
    "W.C.": "water_closet",
    "P": "water_closet",
    "UR": "urinal",
    "U": "urinal",
    "LAV": "lavatory",
    "L": "lavatory",
    "WHB": "lavatory",
    "SK": "sink",
    "S": "sink",
    "HS": "sink",
    "KS": "kitchen_sink",
    "BS": "bar_sink",
    "MS": "service_sink",
    "SS": "service_sink",
    "JS": "service_sink",
    "MB": "service_sink",
    "LT": "laundry_tray",
    "LTR": "laundry_tray",
    "BT": "bathtub",
    "T": "bathtub",
    "TUB": "bathtub",
    "SH": "shower",
    "SHR": "shower",
    "B": "bidet",
    "BD": "bidet",
    "DF": "drinking_fountain",
    "EWC": "drinking_fountain",
    "DW": "dishwasher",
    "CW": "clothes_washer",
    "WM": "clothes_washer",
    "WB": "lavatory",
    "FD": "floor_drain",
    "FS": "floor_sink",
    "HB": "hose_bibb",
    "WH-HB": "hose_bibb",
    "WHY": "hose_bibb",
    "NFWH": "hose_bibb",
    "WH": "water_heater",
    "EWH": "water_heater",
    "CO": "cleanout",
    "FCO": "cleanout",
    "WCO": "cleanout",
    "GCO": "cleanout",
    "RD": "roof_drain",
    "OD": "roof_drain",
    "EW": "emergency_fixture",
    "ES": "emergency_fixture",
    "EEW": "emergency_fixture",
    "IMB": "ice_maker_box",
    "IB": "ice_maker_box",
}

# Tags that are too short to trust on their own: they count only with a number ("L-1"),
# never as a bare word, because "L", "S", "P" and "T" are everywhere in notes.
NUMBER_REQUIRED: frozenset[str] = frozenset(
    {"P", "U", "L", "S", "T", "B", "SK", "SH", "CW", "HS", "EW", "ES", "IB", "MB", "WH"}
)

# Words in room names, labels and block names that name a fixture outright.
# Order matters: the first matching phrase wins, so specific phrases come first.
FIXTURE_WORDS: tuple[tuple[str, str], ...] = (
    (r"water\s*closet|toilet\s*pan|\bw\.?c\.?\s*pan", "water_closet"),
    (r"urinal", "urinal"),
    (r"kitchen\s*sink", "kitchen_sink"),
    (r"bar\s*sink", "bar_sink"),
    (r"mop\s*sink|janitor'?s?\s*sink|service\s*sink|mop\s*basin|cleaners?\s*sink", "service_sink"),
    (r"laundry\s*(tray|tub|trough)|wash\s*trough", "laundry_tray"),
    (r"wash\s*hand\s*basin|lavatory|vanity\s*basin|hand\s*basin|\bbasin\b", "lavatory"),
    (r"jacuzzi|whirlpool|bath\s*tub|bathtub|\btub\b", "bathtub"),
    (r"shower", "shower"),
    (r"bidet", "bidet"),
    (r"drinking\s*fountain|water\s*cooler|bottle\s*fill", "drinking_fountain"),
    (r"dish\s*washer|\bd/?w\b", "dishwasher"),
    (r"washing\s*machine|clothes\s*washer|washer\s*box|\bw/d\b", "clothes_washer"),
    (r"floor\s*drain", "floor_drain"),
    (r"floor\s*sink", "floor_sink"),
    (r"hose\s*bib+|sill\s*cock|garden\s*tap|wall\s*hydrant", "hose_bibb"),
    (r"water\s*heater|hot\s*water\s*(unit|system|cylinder|tank)|\bhwu\b|\bhws\b", "water_heater"),
    (r"clean\s*-?\s*out|inspection\s*eye|rodding\s*eye", "cleanout"),
    (r"roof\s*drain|roof\s*outlet|rain\s*water\s*outlet|floor\s*waste\s*outlet", "roof_drain"),
    (r"eye\s*wash|safety\s*shower|emergency\s*shower", "emergency_fixture"),
    (r"ice\s*maker", "ice_maker_box"),
    (r"\bsink\b", "sink"),
)

_COMPILED_WORDS = tuple((re.compile(p, re.IGNORECASE), t) for p, t in FIXTURE_WORDS)


def fixture_from_words(text: str) -> str | None:
    """Return the fixture type a phrase names ("WASHING MACHINE"), or None."""
    for pattern, fixture in _COMPILED_WORDS:
        if pattern.search(text):
            return fixture
    return None


@dataclass
class TagTable:
    """Tag prefix → fixture type, extended by a plan set's own schedule or a user file."""

    tags: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_TAGS))
    number_required: frozenset[str] = NUMBER_REQUIRED

    @classmethod
    def load(cls, path: Path | None) -> TagTable:
        """Build the default table, overlaid with a JSON object {"TAG": "fixture_type"}."""
        table = cls()
        if path is None:
            return table

        try:
            extra = json.loads(Path(path).read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise ValueError(f"{path}: tag file not found") from exc
        except json.JSONDecodeError as exc:
            raise ValueError(
                f'{path}: not JSON ({exc.msg} at line {exc.lineno}); expected {{"TAG": "type"}}'
            ) from exc
        if not isinstance(extra, dict):
            raise ValueError(f'{path}: expected a JSON object {{"TAG": "fixture_type"}}')
        for tag, fixture in extra.items():
            if fixture not in FIXTURE_TYPES:
                raise ValueError(
                    f"{path}: tag {tag!r} maps to unknown fixture type {fixture!r}; "
                    f"known types: {', '.join(FIXTURE_TYPES)}"
                )
            table.tags[tag.upper()] = fixture
        return table

    def lookup(self, prefix: str, has_number: bool) -> str | None:
        """Return the fixture type of a tag prefix, honouring the number-required rule."""
        key = prefix.upper().rstrip(".")
        fixture = self.tags.get(key)
        if fixture is None:
            return None
        if key in self.number_required and not has_number:
            return None
        return fixture
