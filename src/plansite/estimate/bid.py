"""A priced bid from a takeoff: line items, labor, permits, options, and the totals.

Lines: one per fixture type and room (rough-in, top-out and trim together, trim material
scaled by the chosen tier), one per pipe system measured, fitting and hanger allowances as
a share of pipe material, and the permit as a pass-through. Optional lines (the owner may
add them) and alternates (priced as a change to the base bid, such as a better trim tier)
are priced on their own and are not in the total.

The totals are computed in this order, each step rounded to the cent, half up:

1. subtotal = sum of base line totals (each line: material + labor, each rounded)
2. discount = subtotal x discount rate;          after discount = subtotal - discount
3. markup   = after discount x markup rate;      after markup = after discount + markup
4. taxable  = after markup x (material / subtotal) when tax applies to materials,
              after markup when it applies to all
5. tax      = taxable x tax rate
6. total    = after markup + tax + permits (permits are neither discounted, marked up
              nor taxed)

Optional and alternate lines go through steps 3 to 5 alone (no discount).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, Literal

from plansite.estimate.money import ZERO, as_str, money
from plansite.estimate.pricebook import PHASES, PLACEHOLDER_WARNING, PriceBook

LineKind = Literal["base", "optional", "alternate", "permit"]
NO_ROOM = "Unassigned"


@dataclass
class LineItem:
    """One priced line; the extended amounts are derived, never stored separately."""

    key: str
    group: str
    description: str
    quantity: Decimal
    unit: str
    material_unit: Decimal
    labor_hours_unit: Decimal
    labor_rate: Decimal
    kind: LineKind = "base"
    fixture_type: str = ""
    room: str = ""

    @property
    def material_ext(self) -> Decimal:
        return money(self.quantity * self.material_unit)

    @property
    def labor_hours(self) -> Decimal:
        return self.quantity * self.labor_hours_unit

    @property
    def labor_ext(self) -> Decimal:
        return money(self.labor_hours * self.labor_rate)

    @property
    def total(self) -> Decimal:
        return self.material_ext + self.labor_ext

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key, "group": self.group, "kind": self.kind,
            "description": self.description, "fixture_type": self.fixture_type,
            "room": self.room, "quantity": str(self.quantity), "unit": self.unit,
            "material_unit": as_str(self.material_unit), "material": as_str(self.material_ext),
            "labor_hours_unit": str(self.labor_hours_unit),
            "labor_hours": str(self.labor_hours.normalize()),
            "labor_rate": as_str(self.labor_rate), "labor": as_str(self.labor_ext),
            "total": as_str(self.total),
        }


@dataclass(frozen=True)
class Rates:
    discount: Decimal
    markup: Decimal
    tax: Decimal
    tax_applies_to: str


@dataclass
class Totals:
    material: Decimal
    labor: Decimal
    labor_hours: Decimal
    subtotal: Decimal
    discount: Decimal
    after_discount: Decimal
    markup: Decimal
    after_markup: Decimal
    taxable: Decimal
    tax: Decimal
    permits: Decimal
    total: Decimal

    def to_dict(self) -> dict[str, str]:
        out = {k: as_str(v) for k, v in self.__dict__.items() if k != "labor_hours"}
        out["labor_hours"] = str(self.labor_hours.normalize())
        return out


def compute_totals(lines: list[LineItem], rates: Rates, *, discount: bool = True) -> Totals:
    """Apply the stated order (module docstring) to base and permit lines."""
    base = [line for line in lines if line.kind in ("base", "optional", "alternate")]
    permits = sum((line.total for line in lines if line.kind == "permit"), ZERO)
    material = sum((line.material_ext for line in base), ZERO)
    labor = sum((line.labor_ext for line in base), ZERO)
    hours = sum((line.labor_hours for line in base), Decimal(0))

    subtotal = material + labor
    cut = money(subtotal * rates.discount) if discount else ZERO
    after_discount = subtotal - cut
    markup = money(after_discount * rates.markup)
    after_markup = after_discount + markup
    if rates.tax_applies_to == "all":
        taxable = after_markup
    else:
        taxable = money(after_markup * material / subtotal) if subtotal else ZERO
    tax = money(taxable * rates.tax)
    return Totals(material, labor, hours, subtotal, cut, after_discount, markup, after_markup,
                  taxable, tax, permits, after_markup + tax + permits)


@dataclass
class BidOptions:
    """Choices an estimator makes per bid; unset rates come from the price book."""

    tier: str | None = None
    discount_rate: Decimal | None = None
    markup_rate: Decimal | None = None
    tax_rate: Decimal | None = None
    optional_lines: list[dict[str, Any]] = field(default_factory=list)
    alternate_tiers: list[str] = field(default_factory=lambda: ["premium"])
    include_pipe: bool = True


@dataclass
class Bid:
    """A priced bid, ready for the proposal, the spreadsheet and the store."""

    lines: list[LineItem]
    totals: Totals
    extras: list[tuple[LineItem, Totals]]
    rates: Rates
    tier: str
    pricebook_version: str
    pricebook_hash: str
    warnings: list[str]
    issued: date
    validity_days: int

    @property
    def valid_until(self) -> date:
        return self.issued + timedelta(days=self.validity_days)

    def base_lines(self) -> list[LineItem]:
        return [line for line in self.lines if line.kind == "base"]

    def permit_lines(self) -> list[LineItem]:
        return [line for line in self.lines if line.kind == "permit"]

    def to_dict(self) -> dict[str, Any]:
        return {
            "line_items": [line.to_dict() for line in self.lines],
            "optional_and_alternates": [
                dict(line.to_dict(), price=as_str(t.total), markup=as_str(t.markup),
                     tax=as_str(t.tax)) for line, t in self.extras],
            "totals": self.totals.to_dict(),
            "total": as_str(self.totals.total),
            "rates": {"discount": str(self.rates.discount), "markup": str(self.rates.markup),
                      "tax": str(self.rates.tax), "tax_applies_to": self.rates.tax_applies_to},
            "totals_order": ["subtotal", "discount", "markup", "tax", "permits"],
            "tier": self.tier,
            "pricebook": {"version": self.pricebook_version, "hash": self.pricebook_hash},
            "issued": self.issued.isoformat(),
            "valid_until": self.valid_until.isoformat(),
            "warnings": self.warnings,
        }


def build_bid(takeoff: dict[str, Any], book: PriceBook, options: BidOptions | None = None,
              *, issued: date | None = None) -> Bid:
    """Price a takeoff document with a price book."""
    options = options or BidOptions()
    tier = options.tier or book.doc.get("default_tier", "standard")
    factor = book.tier_factor(tier)
    warnings = [PLACEHOLDER_WARNING] if book.is_placeholder else []

    lines = fixture_lines(takeoff, book, factor, tier)
    if options.include_pipe:
        lines += pipe_lines(takeoff, book, warnings)
        warnings += unpriced_pipe_warnings(takeoff)
    lines += permit_lines(takeoff, book)

    rates = Rates(
        discount=_pick(options.discount_rate, book.rate("discount")),
        markup=_pick(options.markup_rate, book.rate("markup")),
        tax=_pick(options.tax_rate, book.rate("tax")),
        tax_applies_to=book.doc["tax"]["applies_to"],
    )
    extras = [optional_line(spec, book, i) for i, spec in enumerate(options.optional_lines)]
    extras += [alt for t in options.alternate_tiers if t != tier
               for alt in [alternate_tier_line(takeoff, book, tier, t)] if alt is not None]
    priced_extras = [(line, compute_totals([line], rates, discount=False)) for line in extras]

    return Bid(lines=lines, totals=compute_totals(lines, rates), extras=priced_extras,
               rates=rates, tier=tier, pricebook_version=book.version,
               pricebook_hash=book.content_hash, warnings=warnings,
               issued=issued or date.today(), validity_days=int(book.doc.get("validity_days", 30)))


def fixture_lines(takeoff: dict[str, Any], book: PriceBook, factor: Decimal,
                  tier: str) -> list[LineItem]:
    """One line per fixture type and room, all three phases together."""
    per_room: dict[tuple[str, str], int] = {}
    for det in takeoff.get("detections", []):
        key = (det["type"], room_key(det.get("room", "")))
        per_room[key] = per_room.get(key, 0) + int(det.get("quantity", 1))

    tier_label = book.doc["tiers"][tier].get("label", tier)
    lines = []
    for (fixture, room), count in sorted(per_room.items()):
        material, hours = Decimal(0), Decimal(0)
        for phase in PHASES:
            cost, phase_hours = book.phase(fixture, phase)
            material += cost * factor if phase == "trim" else cost
            hours += phase_hours
        crew = book.fixture(fixture)["crew"]
        lines.append(LineItem(
            key=f"fixture:{fixture}:{room}", group=_label(fixture), room=room,
            description=f"{_label(fixture)}, {room}: rough-in, top-out and trim ({tier_label})",
            quantity=Decimal(count), unit="ea", material_unit=money(material),
            labor_hours_unit=hours, labor_rate=book.labor_rate(crew), fixture_type=fixture))
    return lines


def unpriced_pipe_warnings(takeoff: dict[str, Any]) -> list[str]:
    """Say so when the drawings show pipe that could not be measured in feet.

    A sheet without a trustworthy scale reports its runs unscaled; a bid built from it has
    no pipe for those systems, and the estimator must measure them by hand.
    """
    unscaled: dict[str, int] = {}
    for run in takeoff.get("pipe_runs", []):
        if run.get("length_ft") is None:
            unscaled[run.get("system", "pipe")] = unscaled.get(run.get("system", "pipe"), 0) + 1
    if not unscaled:
        return []
    systems = ", ".join(f"{s.replace('_', ' ')} ({n} run{'s' if n > 1 else ''})"
                        for s, n in sorted(unscaled.items()))
    return [f"Pipe not priced: {systems} on sheets without a drawing scale; "
            "measure these by hand and add them."]


def pipe_lines(takeoff: dict[str, Any], book: PriceBook, warnings: list[str]) -> list[LineItem]:
    """Pipe by system from the scaled runs, then the fitting and hanger allowances."""
    rate = book.labor_rate(book.doc.get("pipe_crew", "journeyman"))
    lines: list[LineItem] = []
    for system, feet in sorted(takeoff.get("pipe_totals_ft", {}).items()):
        price = book.pipe(system)
        if price is None:
            warnings.append(f"no price-book row for {system} pipe; {feet} ft left unpriced")
            continue
        lines.append(LineItem(
            key=f"pipe:{system}", group="Pipe", kind="base",
            description=f"{system.replace('_', ' ')} pipe, {price.size_in} in "
                        f"{price.material.replace('_', ' ')}",
            quantity=Decimal(str(feet)), unit="ft", material_unit=price.material_per_ft,
            labor_hours_unit=price.labor_hours_per_ft, labor_rate=rate))

    pipe_material = sum((line.material_ext for line in lines), ZERO)
    if pipe_material > 0:
        allow = book.doc["allowances"]
        for name, field_name in (("fittings", "fittings_pct_of_pipe_material"),
                                 ("hangers", "hangers_pct_of_pipe_material")):
            amount = money(pipe_material * Decimal(allow[field_name]))
            lines.append(LineItem(
                key=f"allowance:{name}", group="Allowances",
                description=f"{name.capitalize()} allowance "
                            f"({float(allow[field_name]) * 100:g}% of pipe material)",
                quantity=Decimal(1), unit="lot", material_unit=amount,
                labor_hours_unit=Decimal(0), labor_rate=rate))
    return lines


def permit_lines(takeoff: dict[str, Any], book: PriceBook) -> list[LineItem]:
    fixtures = sum(int(n) for n in takeoff.get("counts", {}).values())
    permit = book.doc["permit"]
    amount = money(Decimal(permit["base"]) + Decimal(permit["per_fixture"]) * fixtures)
    return [LineItem(key="permit:plumbing", group="Permits", kind="permit",
                     description=f"Plumbing permit (base + {fixtures} fixtures), at cost",
                     quantity=Decimal(1), unit="lot", material_unit=amount,
                     labor_hours_unit=Decimal(0), labor_rate=ZERO)]


def optional_line(spec: dict[str, Any], book: PriceBook, index: int) -> LineItem:
    """An owner's option: priced from the spec, or as a fixture when it names one."""
    fixture = spec.get("fixture_type", "")
    quantity = Decimal(str(spec.get("quantity", 1)))
    if fixture and "material_unit" not in spec:
        material = sum((book.phase(fixture, p)[0] for p in PHASES), Decimal(0))
        hours = sum((book.phase(fixture, p)[1] for p in PHASES), Decimal(0))
        crew = book.fixture(fixture)["crew"]
    else:
        material = Decimal(str(spec.get("material_unit", "0")))
        hours = Decimal(str(spec.get("labor_hours_unit", "0")))
        crew = spec.get("crew", "journeyman")
    return LineItem(key=f"optional:{index}", group="Optional", kind="optional",
                    description=spec.get("description") or f"Optional {_label(fixture)}",
                    quantity=quantity, unit=spec.get("unit", "ea"), material_unit=money(material),
                    labor_hours_unit=hours, labor_rate=book.labor_rate(crew),
                    fixture_type=fixture, room=spec.get("room", ""))


def alternate_tier_line(takeoff: dict[str, Any], book: PriceBook, tier: str,
                        other: str) -> LineItem | None:
    """The change in trim material if every fixture used another tier."""
    delta_factor = book.tier_factor(other) - book.tier_factor(tier)
    delta = Decimal(0)
    for fixture, count in takeoff.get("counts", {}).items():
        delta += book.phase(fixture, "trim")[0] * delta_factor * int(count)
    if delta == 0:
        return None
    label = book.doc["tiers"][other].get("label", other)
    return LineItem(key=f"alternate:tier:{other}", group="Alternates", kind="alternate",
                    description=f"Alternate: {label} instead of "
                                f"{book.doc['tiers'][tier].get('label', tier)} (add/deduct)",
                    quantity=Decimal(1), unit="lot", material_unit=money(delta),
                    labor_hours_unit=Decimal(0), labor_rate=ZERO)


def room_key(room: str) -> str:
    """Group "wC-2" with "WC-2": drawings spell one room's label with varying case."""
    return " ".join(room.split()).upper() or NO_ROOM


def _pick(value: Decimal | None, default: Decimal) -> Decimal:
    return default if value is None else Decimal(value)


def _label(fixture: str) -> str:
    return fixture.replace("_", " ").capitalize() if fixture else "Item"
