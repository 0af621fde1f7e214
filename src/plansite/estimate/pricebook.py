"""The price book: what each fixture, foot of pipe and hour of labor costs a company.

The shipped book (``plansite/data/pricebook.json``) is placeholders that make the arithmetic
visible; its ``source`` says so and every proposal priced with it repeats the warning. A
company overrides any part of it with a partial document of the same shape: the overlay is
merged into the current book, validated and stored as a new version (see ``records``), and a
bid keeps a copy of the book it was priced with, so a later price change never alters a bid
already made. ``content_hash`` identifies a book independent of its version label.
"""

from __future__ import annotations

import copy
import hashlib
import json
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from typing import Any

from plansite.domain.fixtures import FIXTURE_TYPES

DATA_FILE = Path(__file__).resolve().parent.parent / "data" / "pricebook.json"
PHASES = ("rough_in", "top_out", "trim")
PLACEHOLDER_WARNING = ("Prices come from the shipped placeholder price book, not from this "
                       "company's prices.")


class PriceBookError(ValueError):
    """A price book or an override is malformed; the message names the field."""


@dataclass(frozen=True)
class PipePrice:
    system: str
    material: str
    size_in: str
    material_per_ft: Decimal
    labor_hours_per_ft: Decimal


class PriceBook:
    """A validated price book document with typed accessors."""

    def __init__(self, doc: dict[str, Any]) -> None:
        validate(doc)
        self.doc = doc

    @classmethod
    def default(cls) -> PriceBook:
        return cls(copy.deepcopy(_default_doc()))

    def with_overrides(self, overrides: dict[str, Any]) -> PriceBook:
        """Return a new book: this one with ``overrides`` merged (dicts merge, others replace)."""
        return PriceBook(deep_merge(self.doc, overrides))

    @property
    def version(self) -> str:
        return str(self.doc.get("version", ""))

    @property
    def is_placeholder(self) -> bool:
        return str(self.doc.get("source", "")).upper().startswith("PLACEHOLDER")

    @property
    def content_hash(self) -> str:
        canonical = json.dumps(self.doc, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()

    def fixture(self, fixture_type: str) -> dict[str, Any]:
        return self.doc["fixtures"].get(fixture_type) or self.doc["fixtures"]["other"]

    def phase(self, fixture_type: str, phase: str) -> tuple[Decimal, Decimal]:
        """Material cost and labor hours of one phase of one fixture."""
        entry = self.fixture(fixture_type)[phase]
        return Decimal(entry["material"]), Decimal(entry["labor_hours"])

    def labor_rate(self, crew: str) -> Decimal:
        return Decimal(self.doc["labor_rates"][crew]["rate"])

    def tier_factor(self, tier: str) -> Decimal:
        if tier not in self.doc["tiers"]:
            raise PriceBookError(f"tier {tier!r} is not in the price book; choose one of "
                                 f"{', '.join(sorted(self.doc['tiers']))}")
        return Decimal(self.doc["tiers"][tier]["trim_material_factor"])

    def pipe(self, system: str, material: str | None = None,
             size_in: str | None = None) -> PipePrice | None:
        """The price of one foot of pipe of a system (its default material and size if unset)."""
        default = self.doc.get("pipe_defaults", {}).get(system, {})
        material = material or default.get("material")
        size_in = size_in or default.get("size_in")
        for row in self.doc["pipe"]:
            if (row["system"], row["material"], row["size_in"]) == (system, material, size_in):
                return PipePrice(system, material, size_in, Decimal(row["material_per_ft"]),
                                 Decimal(row["labor_hours_per_ft"]))
        return None

    def rate(self, name: str) -> Decimal:
        """A rate of the totals block: ``tax``, ``markup`` or ``discount``."""
        return Decimal(self.doc[name]["rate"])


def deep_merge(base: dict[str, Any], overlay: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(base)
    for key, value in overlay.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def validate(doc: dict[str, Any]) -> None:
    """Raise ``PriceBookError`` naming the first field that is missing or not a number."""
    for key in ("fixtures", "pipe", "labor_rates", "tiers", "tax", "permit", "markup",
                "discount", "allowances"):
        if key not in doc:
            raise PriceBookError(f"price book has no {key!r} section")

    for fixture, entry in doc["fixtures"].items():
        if fixture not in FIXTURE_TYPES:
            raise PriceBookError(f"fixtures.{fixture}: not a fixture type")
        if entry.get("crew") not in doc["labor_rates"]:
            raise PriceBookError(f"fixtures.{fixture}.crew: {entry.get('crew')!r} has no "
                                 "labor rate")
        for phase in PHASES:
            for field in ("material", "labor_hours"):
                _amount(entry.get(phase, {}).get(field), f"fixtures.{fixture}.{phase}.{field}")
    if "other" not in doc["fixtures"]:
        raise PriceBookError("fixtures.other is required (it prices unidentified fixtures)")

    for i, row in enumerate(doc["pipe"]):
        for field in ("material_per_ft", "labor_hours_per_ft"):
            _amount(row.get(field), f"pipe[{i}].{field}")
    for crew, entry in doc["labor_rates"].items():
        _amount(entry.get("rate"), f"labor_rates.{crew}.rate")
    for tier, entry in doc["tiers"].items():
        _amount(entry.get("trim_material_factor"), f"tiers.{tier}.trim_material_factor")
    for name in ("tax", "markup", "discount"):
        _amount(doc[name].get("rate"), f"{name}.rate", maximum=Decimal(1))
    for field in ("base", "per_fixture"):
        _amount(doc["permit"].get(field), f"permit.{field}")
    for field in ("fittings_pct_of_pipe_material", "hangers_pct_of_pipe_material"):
        _amount(doc["allowances"].get(field), f"allowances.{field}")
    if doc["tax"].get("applies_to") not in ("materials", "all"):
        raise PriceBookError("tax.applies_to must be 'materials' or 'all'")


def _amount(value: Any, where: str, maximum: Decimal | None = None) -> Decimal:
    """Parse a price-book number; strings are expected so no float rounding sneaks in."""
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise PriceBookError(f"{where}: {value!r} is not a number") from None
    if not amount.is_finite() or amount < 0:
        raise PriceBookError(f"{where}: {value!r} must be a number of zero or more")
    if maximum is not None and amount > maximum:
        raise PriceBookError(f"{where}: {value!r} is a fraction and must not exceed {maximum}")
    return amount


@lru_cache(maxsize=1)
def _default_doc() -> dict[str, Any]:
    return json.loads(DATA_FILE.read_text(encoding="utf-8"))
