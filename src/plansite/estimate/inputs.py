"""Checks on what a caller hands the estimator: a takeoff document and a bid's options.

The estimator does exact ``Decimal`` arithmetic on counts, feet and rates. A count of
1e308, NaN, a string or a negative number does not fail where it enters; it fails deep in
the arithmetic (an ``InvalidOperation`` while rounding to the cent, an ``OverflowError``
turning a float into an int) or, worse, is priced silently (-5 water closets take money
off the bid). So every entry point, the API and ``plansite estimate takeoff.json`` alike,
passes the document through ``check_takeoff`` first, and bid options through
``check_bid_options``, and answers with every problem found, each naming the field.

The bounds are far above any real building and far below what the arithmetic can carry:
with at most ``MAX_COUNT`` fixtures of a type and the price-book bounds of
``plansite.estimate.pricebook``, no amount needs more than about 20 of ``Decimal``'s 28
digits. Keys the estimator does not read are left alone, because the takeoff contract
carries more than the estimator needs (``pipe_runs``, ``errors``, ...) and grows with the
engine; non-finite numbers are refused anywhere, since JSON itself has none.
"""

from __future__ import annotations

import json
import math
from decimal import Decimal, InvalidOperation
from typing import Any

from plansite.domain.fixtures import FIXTURE_TYPES

MAX_COUNT = 100_000
MAX_SHEETS = 10_000
MAX_DETECTIONS = 50_000
MAX_PIPE_FT = 1_000_000
MAX_COORD = 1e9
MAX_OPTIONAL_LINES = 100
MAX_TEXT = 500
MAX_MONEY = Decimal(10_000_000)
MAX_HOURS = Decimal(10_000)
SLOPES = ("1/16", "1/8", "1/4", "1/2")
OCCUPANCIES = ("private", "public")
MAX_PROBLEMS = 20

OPTION_KEYS = ("tier", "discount_rate", "markup_rate", "tax_rate", "optional_lines",
               "alternate_tiers", "edition", "occupancy", "slope")
OPTIONAL_LINE_KEYS = ("description", "fixture_type", "quantity", "unit", "material_unit",
                      "labor_hours_unit", "crew", "room")


class InputError(ValueError):
    """A document failed its checks; ``problems`` lists each one as "field: what to do"."""

    def __init__(self, what: str, problems: list[str]) -> None:
        shown = problems[:MAX_PROBLEMS]
        more = len(problems) - len(shown)
        text = "; ".join(shown) + (f"; and {more} more" if more > 0 else "")
        super().__init__(f"invalid {what}: {text}")
        self.what, self.problems = what, problems


def check_takeoff(doc: Any, where: str = "takeoff") -> dict[str, Any]:
    """Return a copy of ``doc`` the estimator can rate and price; raise ``InputError`` if
    it cannot.

    Whole numbers written as ``2.0`` are accepted, since some JSON writers emit every
    number as a float, and come back as ``int`` so the arithmetic never sees a float count.
    The original document is not modified.
    """
    problems: list[str] = []
    if not isinstance(doc, dict):
        problem = (f"{where}: must be a JSON object (the output of plansite analyze), "
                   f"not {_kind(doc)}")
        raise InputError("takeoff", [problem])
    _non_finite(doc, where, problems)

    out = dict(doc)
    out["counts"] = _counts(doc.get("counts", {}), f"{where}.counts", problems)
    out["sheets"] = _sheets(doc.get("sheets", []), f"{where}.sheets", problems)
    out["detections"] = _detections(doc.get("detections", []), f"{where}.detections",
                                    problems)
    out["pipe_totals_ft"] = _pipe_totals(doc.get("pipe_totals_ft", {}),
                                         f"{where}.pipe_totals_ft", problems)
    for key in ("source", "status"):
        if key in doc and not is_text(doc[key]):
            problems.append(f"{where}.{key}: must be text of at most {MAX_TEXT} characters")

    if problems:
        raise InputError("takeoff", _first_per_field(problems))
    return out


def check_bid_options(doc: Any, where: str = "options") -> dict[str, Any]:
    """Return a bid's options if each is known and well typed; raise ``InputError`` if not.

    Unknown keys are refused rather than ignored: ``{"markup": "0.2"}`` would otherwise
    price the bid at the book's markup while the caller believes it asked for 20%.
    """
    problems: list[str] = []
    if not isinstance(doc, dict):
        raise InputError("bid options", [f"{where}: must be a JSON object, not {_kind(doc)}"])
    _non_finite(doc, where, problems)

    for key in doc:
        if key not in OPTION_KEYS:
            hint = f" (did you mean {key}_rate?)" if f"{key}_rate" in OPTION_KEYS else ""
            problems.append(f"{where}.{key}: unknown option{hint}; options are "
                            f"{', '.join(OPTION_KEYS)}")
    for key in ("discount_rate", "markup_rate", "tax_rate"):
        if doc.get(key) is not None:
            _decimal(doc[key], f"{where}.{key}", Decimal(1), problems,
                     "a fraction from 0 to 1 written as a string, e.g. \"0.15\" for 15%")
    for key in ("tier", "edition"):
        if doc.get(key) is not None and not is_text(doc[key], 64):
            problems.append(f"{where}.{key}: must be a name such as "
                            f"{'standard' if key == 'tier' else 'IPC-2021'}")
    if doc.get("occupancy") is not None and doc["occupancy"] not in OCCUPANCIES:
        problems.append(f"{where}.occupancy: must be one of {', '.join(OCCUPANCIES)}")
    if doc.get("slope") is not None and doc["slope"] not in SLOPES:
        problems.append(f"{where}.slope: must be one of {', '.join(SLOPES)} (inches per foot)")

    tiers = doc.get("alternate_tiers", [])
    if not isinstance(tiers, list) or not all(is_text(t, 64) for t in tiers):
        problems.append(f"{where}.alternate_tiers: must be a list of tier names")
    lines = doc.get("optional_lines", [])
    if not isinstance(lines, list) or len(lines) > MAX_OPTIONAL_LINES:
        problems.append(f"{where}.optional_lines: must be a list of at most "
                        f"{MAX_OPTIONAL_LINES} lines")
    else:
        for i, spec in enumerate(lines):
            _optional_line(spec, f"{where}.optional_lines[{i}]", problems)

    if problems:
        raise InputError("bid options", _first_per_field(problems))
    return doc


# --- parts of a takeoff ------------------------------------------------------------------------

def _counts(counts: Any, where: str, problems: list[str]) -> dict[str, int]:
    if not isinstance(counts, dict):
        problems.append(f"{where}: must be an object of fixture type to count, e.g. "
                        '{"water_closet": 2}')
        return {}
    out = {}
    for fixture, value in counts.items():
        _fixture_type(fixture, f"{where}.{fixture}", problems)
        number = whole_number(value, f"{where}.{fixture}", 0, MAX_COUNT, problems)
        if number is not None:
            out[fixture] = number
    return out


def _sheets(sheets: Any, where: str, problems: list[str]) -> list[Any]:
    if not isinstance(sheets, list) or len(sheets) > MAX_SHEETS:
        problems.append(f"{where}: must be a list of at most {MAX_SHEETS} sheets")
        return []
    for i, sheet in enumerate(sheets):
        at = f"{where}[{i}]"
        if not isinstance(sheet, dict):
            problems.append(f"{at}: must be an object with a sheet number")
            continue
        whole_number(sheet.get("sheet"), f"{at}.sheet", 1, MAX_SHEETS, problems)
        _optional_texts(sheet, ("title", "number"), at, problems)
    return sheets


def _detections(detections: Any, where: str, problems: list[str]) -> list[Any]:
    if not isinstance(detections, list) or len(detections) > MAX_DETECTIONS:
        problems.append(f"{where}: must be a list of at most {MAX_DETECTIONS} detections")
        return []
    per_type: dict[str, int] = {}
    for i, det in enumerate(detections):
        at = f"{where}[{i}]"
        if not isinstance(det, dict):
            problems.append(f"{at}: must be an object with a type and a sheet")
            continue
        fixture = det.get("type")
        _fixture_type(fixture, f"{at}.type", problems)
        whole_number(det.get("sheet"), f"{at}.sheet", 1, MAX_SHEETS, problems)
        quantity = whole_number(det.get("quantity", 1), f"{at}.quantity", 0, MAX_COUNT, problems)
        if quantity is not None and isinstance(fixture, str):
            per_type[fixture] = per_type.get(fixture, 0) + quantity
        if "bbox" in det:
            check_bbox(det["bbox"], f"{at}.bbox", problems)
        if det.get("confidence") is not None and not _number_between(det["confidence"], 0, 1):
            problems.append(f"{at}.confidence: must be a number from 0 to 1")
        _optional_texts(det, ("room", "tag"), at, problems)
    for fixture, total in sorted(per_type.items()):
        if total > MAX_COUNT:
            problems.append(f"{where} of type {fixture}: quantities add up to {total}; at "
                            f"most {MAX_COUNT} of one fixture type can be priced")
    return detections


def _optional_texts(obj: dict, keys: tuple[str, ...], at: str, problems: list[str]) -> None:
    """Each of ``keys`` may be absent or null, else it must be short text."""
    for key in keys:
        if obj.get(key) is not None and not is_text(obj[key]):
            problems.append(f"{at}.{key}: must be text of at most {MAX_TEXT} characters")


def _pipe_totals(totals: Any, where: str, problems: list[str]) -> dict[str, Any]:
    if not isinstance(totals, dict):
        problems.append(f"{where}: must be an object of pipe system to feet, e.g. "
                        '{"sanitary": 120.5}')
        return {}
    for system, feet in totals.items():
        if not is_text(system, 64):
            problems.append(f"{where}.{_show(system)}: not a pipe system name")
        if not _number_between(feet, 0, MAX_PIPE_FT):
            problems.append(f"{where}.{system}: {_show(feet)} must be feet of pipe from 0 to "
                            f"{MAX_PIPE_FT}")
    return totals


def check_bbox(box: Any, where: str, problems: list[str]) -> None:
    if (not isinstance(box, list) or len(box) != 4
            or not all(_number_between(v, -MAX_COORD, MAX_COORD) for v in box)):
        problems.append(f"{where}: must be four numbers [x0, y0, x1, y1]")


def _optional_line(spec: Any, where: str, problems: list[str]) -> None:
    if not isinstance(spec, dict):
        problems.append(f"{where}: must be an object (description, quantity, material_unit, "
                        "...)")
        return
    for key in spec:
        if key not in OPTIONAL_LINE_KEYS:
            problems.append(f"{where}.{key}: unknown field; a line has "
                            f"{', '.join(OPTIONAL_LINE_KEYS)}")
    if spec.get("fixture_type"):
        _fixture_type(spec["fixture_type"], f"{where}.fixture_type", problems)
    if "quantity" in spec:
        _decimal(spec["quantity"], f"{where}.quantity", Decimal(MAX_COUNT), problems,
                 f"a quantity from 0 to {MAX_COUNT}")
    if "material_unit" in spec:
        _decimal(spec["material_unit"], f"{where}.material_unit", MAX_MONEY, problems,
                 f"an amount from 0 to {MAX_MONEY} written as a string, e.g. \"125.00\"")
    if "labor_hours_unit" in spec:
        _decimal(spec["labor_hours_unit"], f"{where}.labor_hours_unit", MAX_HOURS, problems,
                 f"hours from 0 to {MAX_HOURS}")
    _optional_texts(spec, ("description", "unit", "crew", "room"), where, problems)


# --- values -------------------------------------------------------------------------------------

def _fixture_type(name: Any, where: str, problems: list[str]) -> None:
    if name not in FIXTURE_TYPES:
        problems.append(f"{where}: {_show(name)} is not a fixture type; use one of "
                        f"{', '.join(FIXTURE_TYPES)} ('other' for anything else)")


def whole_number(value: Any, where: str, low: int, high: int, problems: list[str]) -> int | None:
    """A whole number in [low, high]; ``2.0`` counts as 2, ``true`` and ``"2"`` do not."""
    number = value
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        number = int(value)
    if isinstance(number, bool) or not isinstance(number, int) or not low <= number <= high:
        problems.append(f"{where}: {_show(value)} must be a whole number from {low} to {high}")
        return None
    return number


def _decimal(value: Any, where: str, high: Decimal, problems: list[str], what: str) -> None:
    """A decimal amount in [0, high], as a number or a numeric string."""
    try:
        ok = not isinstance(value, bool) and 0 <= Decimal(str(value)) <= high
    except (InvalidOperation, ValueError):
        ok = False
    if not ok:
        problems.append(f"{where}: {_show(value)} must be {what}")


def _number_between(value: Any, low: float, high: float) -> bool:
    return (isinstance(value, (int, float)) and not isinstance(value, bool)
            and math.isfinite(value) and low <= value <= high)


def is_text(value: Any, limit: int = MAX_TEXT) -> bool:
    return isinstance(value, str) and len(value) <= limit


def _non_finite(value: Any, where: str, problems: list[str]) -> None:
    """Name every NaN or Infinity: Python's JSON reader accepts them, JSON does not."""
    if isinstance(value, float) and not math.isfinite(value):
        problems.append(f"{where}: {_show(value)} is not a number JSON allows; give a finite "
                        "number")
    elif isinstance(value, dict):
        for key, item in value.items():
            _non_finite(item, f"{where}.{key}", problems)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _non_finite(item, f"{where}[{i}]", problems)


def _first_per_field(problems: list[str]) -> list[str]:
    """One problem per field: a NaN count is reported as NaN, not also as "not whole"."""
    seen: set[str] = set()
    out = []
    for problem in problems:
        field = problem.split(": ", 1)[0]
        if field not in seen:
            seen.add(field)
            out.append(problem)
    return out


def _show(value: Any) -> str:
    """A value as the caller wrote it in JSON, cut short: the message must stay readable."""
    text = json.dumps(value, default=repr)
    return text if len(text) <= 40 else text[:37] + "..."


def _kind(value: Any) -> str:
    return {list: "a list", str: "text", type(None): "null", bool: "true/false"}.get(
        type(value), "a number")
