"""Exact money: ``Decimal`` amounts rounded to the cent, half up, at each named step.

Binary floats cannot hold 0.10 exactly, and a bid whose lines do not add up to its total
by a cent is a bid an owner questions. Every amount is a ``Decimal``; each step of the
totals rounds once, to the cent, with ROUND_HALF_UP (the rounding a spreadsheet's ROUND
uses), so the XLSX formulas reproduce the same figures.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def money(value: Decimal | int | str) -> Decimal:
    """Round an amount to the cent, half up."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def fmt(value: Decimal) -> str:
    """Print an amount for people: thousands separators, two decimals ("12,345.60")."""
    return f"{money(value):,.2f}"


def as_str(value: Decimal) -> str:
    """Print an amount for JSON: a plain string ("12345.60"), never a float."""
    return str(money(value))
