"""The plumbing-code tables behind fixture units and pipe sizing, read from one data file.

The numbers live in ``plansite/data/fixture_units.json`` rather than in code so that each
one carries the table row it comes from and the sources it was checked against, and so a
reviewer holding the printed code can correct a value without touching Python. Values are
``Decimal`` because fixture units are summed by the hundred and float sums such as
0.7 + 1.4 would print as 2.0999999.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from plansite.domain.fixtures import FIXTURE_TYPES

Occupancy = Literal["private", "public"]
RatingStatus = Literal["table", "nearest", "unrated", "not_applicable"]

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
DEFAULT_EDITION = "IPC-2021"
OCCUPANCIES: tuple[Occupancy, ...] = ("private", "public")


class UnknownEdition(ValueError):
    """The caller asked for a code edition the data file does not carry."""


@dataclass(frozen=True)
class Rating:
    """One fixture's load on one system under one code table row."""

    status: RatingStatus
    total: Decimal | None = None
    cold: Decimal | None = None
    hot: Decimal | None = None
    row: str = ""
    trap_in: Decimal | None = None
    sources: tuple[str, ...] = ()

    @property
    def counts(self) -> bool:
        """True when the rating adds a number to the totals."""
        return self.status in ("table", "nearest") and self.total is not None


@dataclass(frozen=True)
class Edition:
    """A code edition's fixture ratings, its table names and its sizing tables."""

    key: str
    name: str
    dfu_table: str
    wsfu_table: str
    checked: str
    dfu: dict[tuple[str, Occupancy], Rating] = field(repr=False)
    wsfu: dict[tuple[str, Occupancy], Rating] = field(repr=False)
    sizing: dict[str, Any] = field(repr=False)
    sources: dict[str, dict[str, str]] = field(repr=False)

    def rating(self, system: Literal["dfu", "wsfu"], fixture: str,
               occupancy: Occupancy) -> Rating:
        table = self.dfu if system == "dfu" else self.wsfu
        return table.get((fixture, occupancy)) or table[("other", occupancy)]


def available_editions() -> list[str]:
    return sorted(_raw()["editions"])


def load_edition(key: str = DEFAULT_EDITION) -> Edition:
    """Return one edition's tables; raise ``UnknownEdition`` naming the ones available."""
    return _load_edition(key.upper())


@lru_cache(maxsize=8)
def _load_edition(key: str) -> Edition:
    raw = _raw()
    if key not in raw["editions"]:
        raise UnknownEdition(f"code edition {key!r} is not available; "
                             f"choose one of {', '.join(available_editions())}")
    doc = raw["editions"][key]

    dfu: dict[tuple[str, Occupancy], Rating] = {}
    wsfu: dict[tuple[str, Occupancy], Rating] = {}
    for fixture, entry in doc["fixtures"].items():
        if fixture not in FIXTURE_TYPES:
            raise ValueError(f"fixture_units.json: {key} rates unknown fixture {fixture!r}")
        for occupancy in OCCUPANCIES:
            dfu[(fixture, occupancy)] = _rating(entry["dfu"][occupancy], "value")
            wsfu[(fixture, occupancy)] = _rating(entry["wsfu"][occupancy], "total")

    sizing = raw["sizing"][key]
    if isinstance(sizing.get("water_service"), str):
        # An edition may borrow another's water-service method; the data file says which.
        sizing = dict(sizing, water_service=raw["sizing"][sizing["water_service"]]["water_service"])
    return Edition(key=key, name=doc["name"], dfu_table=doc["dfu_table"],
                   wsfu_table=doc["wsfu_table"], checked=doc["checked"], dfu=dfu, wsfu=wsfu,
                   sizing=sizing, sources=raw["sources"])


def _rating(entry: dict[str, Any], value_key: str) -> Rating:
    return Rating(
        status=entry["status"],
        total=_dec(entry.get(value_key)),
        cold=_dec(entry.get("cold")),
        hot=_dec(entry.get("hot")),
        row=entry.get("row", ""),
        trap_in=_dec(entry.get("trap_in")),
        sources=tuple(entry.get("sources", ())),
    )


def _dec(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


@lru_cache(maxsize=1)
def _raw() -> dict[str, Any]:
    return json.loads((DATA_DIR / "fixture_units.json").read_text("utf-8"))
