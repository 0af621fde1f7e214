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
from plansite.estimate.inputs import MAX_HOURS, MAX_MONEY

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
        return merged_book(self.doc, overrides)

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
        if crew not in self.doc["labor_rates"]:
            raise PriceBookError(f"crew {crew!r} has no labor rate in the price book; choose "
                                 f"one of {', '.join(sorted(self.doc['labor_rates']))}")
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


def merged_book(base: dict[str, Any], overrides: Any) -> PriceBook:
    """Check ``overrides`` for unknown fields, merge them into ``base`` and validate the result.

    ``base`` is taken as a plain document, not a ``PriceBook``, so a company whose stored book
    no longer passes the checks can still repair it with an override.
    """
    if not isinstance(overrides, dict):
        raise PriceBookError("the overrides must be a JSON object shaped like the price book")
    _known_fields(overrides, SCHEMA, "")
    return PriceBook(deep_merge(base, overrides))


# Every field the estimator reads. "*" stands for a name the company chooses (a crew, a tier)
# or a fixture type; a list holds rows of one shape; None is a value.
_PHASE: dict[str, Any] = {"material": None, "labor_hours": None}
_TEXT_BLOCK = ("name", "address", "phone", "email", "license", "source")
SCHEMA: dict[str, Any] = {
    "schema": None, "version": None, "currency": None, "source": None,
    "fixtures": {"*": {"crew": None, "rough_in": _PHASE, "top_out": _PHASE, "trim": _PHASE,
                       "source": None}},
    "pipe": [{"system": None, "material": None, "size_in": None, "material_per_ft": None,
              "labor_hours_per_ft": None, "source": None}],
    "pipe_defaults": {"*": {"material": None, "size_in": None}},
    "pipe_crew": None,
    "allowances": {"fittings_pct_of_pipe_material": None, "hangers_pct_of_pipe_material": None,
                   "source": None},
    "labor_rates": {"*": {"rate": None, "source": None}},
    "tiers": {"*": {"trim_material_factor": None, "label": None}},
    "default_tier": None,
    "tax": {"rate": None, "applies_to": None, "source": None},
    "permit": {"base": None, "per_fixture": None, "source": None},
    "markup": {"rate": None, "source": None},
    "discount": {"rate": None, "source": None},
    "validity_days": None,
    "terms": None,
    "company": dict.fromkeys(_TEXT_BLOCK),
}
MAX_FACTOR = Decimal(100)
MAX_ALLOWANCE = Decimal(10)
MAX_ENTRIES = 1000
MAX_VALIDITY_DAYS = 3650
MAX_LONG_TEXT = 4000
_UNKNOWN = object()


def _known_fields(value: Any, schema: Any, where: str) -> None:
    """Refuse a field the estimator never reads: a misplaced price must not vanish silently."""
    if isinstance(schema, dict) and isinstance(value, dict):
        for key, item in value.items():
            at = f"{where}.{key}" if where else str(key)
            sub = schema.get(key, schema.get("*", _UNKNOWN))
            if sub is _UNKNOWN:
                raise PriceBookError(f"{at}: unknown field; here the price book has "
                                     f"{', '.join(schema)}")
            _known_fields(item, sub, at)
    elif isinstance(schema, list) and isinstance(value, list):
        for i, item in enumerate(value):
            _known_fields(item, schema[0], f"{where}[{i}]")


def validate(doc: Any) -> None:
    """Raise ``PriceBookError`` naming the first field that is missing, mistyped or out of
    range, so a bad book is refused when it is saved, not when a bid is priced with it.

    Amounts are bounded (``MAX_MONEY`` per unit, ``MAX_HOURS`` of labor per unit) so that
    no total of a bid within the takeoff bounds can exceed ``Decimal``'s precision.
    """
    if not isinstance(doc, dict):
        raise PriceBookError("a price book must be a JSON object")
    for key in ("fixtures", "labor_rates", "tiers", "tax", "permit", "markup", "discount",
                "allowances"):
        _section(doc, key, dict)
    _section(doc, "pipe", list)

    crews = doc["labor_rates"]
    for crew, entry in crews.items():
        _name(crew, "labor_rates")
        _amount(_entry(entry, f"labor_rates.{crew}").get("rate"), f"labor_rates.{crew}.rate",
                MAX_MONEY)
    for fixture, entry in doc["fixtures"].items():
        if fixture not in FIXTURE_TYPES:
            raise PriceBookError(f"fixtures.{fixture}: not a fixture type; use one of "
                                 f"{', '.join(FIXTURE_TYPES)}")
        entry = _entry(entry, f"fixtures.{fixture}")
        if entry.get("crew") not in crews:
            raise PriceBookError(f"fixtures.{fixture}.crew: {entry.get('crew')!r} has no "
                                 "labor rate")
        for phase in PHASES:
            parts = _entry(entry.get(phase), f"fixtures.{fixture}.{phase}")
            _amount(parts.get("material"), f"fixtures.{fixture}.{phase}.material", MAX_MONEY)
            _amount(parts.get("labor_hours"), f"fixtures.{fixture}.{phase}.labor_hours",
                    MAX_HOURS)
    if "other" not in doc["fixtures"]:
        raise PriceBookError("fixtures.other is required (it prices unidentified fixtures)")

    _pipe(doc, crews)
    for tier, entry in doc["tiers"].items():
        _name(tier, "tiers")
        entry = _entry(entry, f"tiers.{tier}")
        _amount(entry.get("trim_material_factor"), f"tiers.{tier}.trim_material_factor",
                MAX_FACTOR)
        _text(entry.get("label", ""), f"tiers.{tier}.label")
    if doc.get("default_tier", "standard") not in doc["tiers"]:
        raise PriceBookError(f"default_tier: {doc.get('default_tier', 'standard')!r} is not "
                             "in tiers")
    for name in ("tax", "markup", "discount"):
        _amount(doc[name].get("rate"), f"{name}.rate", Decimal(1), fraction=True)
    for field in ("base", "per_fixture"):
        _amount(doc["permit"].get(field), f"permit.{field}", MAX_MONEY)
    for field in ("fittings_pct_of_pipe_material", "hangers_pct_of_pipe_material"):
        _amount(doc["allowances"].get(field), f"allowances.{field}", MAX_ALLOWANCE,
                fraction=True)
    if doc["tax"].get("applies_to") not in ("materials", "all"):
        raise PriceBookError("tax.applies_to must be 'materials' or 'all'")
    _general(doc)


def _pipe(doc: dict[str, Any], crews: dict[str, Any]) -> None:
    """Pipe rows, the default material and size of each system, and the crew that lays it."""
    if len(doc["pipe"]) > MAX_ENTRIES:
        raise PriceBookError(f"pipe: at most {MAX_ENTRIES} rows")
    for i, row in enumerate(doc["pipe"]):
        row = _entry(row, f"pipe[{i}]")
        for field in ("system", "material", "size_in"):
            _text(row.get(field), f"pipe[{i}].{field}", limit=64)
        _amount(row.get("material_per_ft"), f"pipe[{i}].material_per_ft", MAX_MONEY)
        _amount(row.get("labor_hours_per_ft"), f"pipe[{i}].labor_hours_per_ft", MAX_HOURS)
    defaults = doc.get("pipe_defaults", {})
    if not isinstance(defaults, dict):
        raise PriceBookError("pipe_defaults must be an object of system to material and size")
    for system, entry in defaults.items():
        entry = _entry(entry, f"pipe_defaults.{system}")
        for field in ("material", "size_in"):
            if field in entry:
                _text(entry[field], f"pipe_defaults.{system}.{field}", limit=64)
    if doc.get("pipe_crew", "journeyman") not in crews:
        raise PriceBookError(f"pipe_crew: {doc.get('pipe_crew', 'journeyman')!r} has no "
                             "labor rate")


def _general(doc: dict[str, Any]) -> None:
    """Labels, terms, the company block and the validity the proposal prints."""
    for key in ("version", "currency", "source"):
        if key in doc:
            _text(doc[key], key)
    days = doc.get("validity_days", 30)
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_VALIDITY_DAYS:
        raise PriceBookError(f"validity_days: {days!r} must be a whole number of days from 1 "
                             f"to {MAX_VALIDITY_DAYS}")
    terms = doc.get("terms", [])
    if not isinstance(terms, list) or len(terms) > MAX_ENTRIES:
        raise PriceBookError("terms must be a list of sentences")
    for i, term in enumerate(terms):
        _text(term, f"terms[{i}]")
    company = doc.get("company", {})
    if not isinstance(company, dict):
        raise PriceBookError(f"company must be an object with {', '.join(_TEXT_BLOCK)}")
    for key, value in company.items():
        _text(value, f"company.{key}")


def _section(doc: dict[str, Any], key: str, kind: type) -> None:
    if key not in doc:
        raise PriceBookError(f"price book has no {key!r} section")
    if not isinstance(doc[key], kind):
        raise PriceBookError(f"{key} must be {'an object' if kind is dict else 'a list'}")
    if len(doc[key]) > MAX_ENTRIES:
        raise PriceBookError(f"{key}: at most {MAX_ENTRIES} entries")


def _entry(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise PriceBookError(f"{where} must be an object")
    return value


def _name(value: str, where: str) -> None:
    if not value or len(value) > 64:
        raise PriceBookError(f"{where}: {value!r} must be a name of 1 to 64 characters")


def _text(value: Any, where: str, limit: int = MAX_LONG_TEXT) -> None:
    if not isinstance(value, str) or len(value) > limit:
        raise PriceBookError(f"{where}: must be text of at most {limit} characters")


def _amount(value: Any, where: str, maximum: Decimal, fraction: bool = False) -> Decimal:
    """Parse a price-book number; strings are expected so no float rounding sneaks in."""
    try:
        amount = Decimal(str(value)) if not isinstance(value, bool) else None
    except (InvalidOperation, ValueError):
        amount = None
    if amount is None or not amount.is_finite():
        raise PriceBookError(f"{where}: {value!r} is not a number; write it as a string, "
                             'e.g. "12.50"')
    if amount < 0:
        raise PriceBookError(f"{where}: {value!r} must be zero or more")
    if amount > maximum:
        unit = " (a fraction: 0.15 is 15%)" if fraction else ""
        raise PriceBookError(f"{where}: {value!r} must not exceed {maximum}{unit}")
    return amount


@lru_cache(maxsize=1)
def _default_doc() -> dict[str, Any]:
    return json.loads(DATA_FILE.read_text(encoding="utf-8"))
