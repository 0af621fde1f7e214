"""The estimate document: fixture units, sizing and the priced bid of one takeoff.

This is the JSON contract of ``plansite estimate --format json`` and of the API: top-level
``fixture_units`` (with ``dfu`` and ``wsfu`` totals), ``sizing``, ``line_items`` and
``total`` (a decimal string), plus the takeoff summary they were computed from. The bid
object itself is returned beside the document for the PDF and XLSX writers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from plansite.estimate.bid import Bid, BidOptions, build_bid
from plansite.estimate.codetables import DEFAULT_EDITION, Occupancy
from plansite.estimate.fixture_units import FixtureUnits, fixture_units
from plansite.estimate.pricebook import PriceBook
from plansite.estimate.sizing import DEFAULT_SLOPE, SizingAnswer, size_all


@dataclass
class Estimate:
    """Everything computed from one takeoff document."""

    takeoff: dict[str, Any]
    units: FixtureUnits
    sizing: list[SizingAnswer]
    bid: Bid

    def to_dict(self) -> dict[str, Any]:
        bid = self.bid.to_dict()
        return {
            "source": self.takeoff.get("source", ""),
            "takeoff_status": self.takeoff.get("status", "success"),
            "counts": self.takeoff.get("counts", {}),
            "pipe_totals_ft": self.takeoff.get("pipe_totals_ft", {}),
            "fixture_units": self.units.to_dict(),
            "sizing": [answer.to_dict() for answer in self.sizing],
            "line_items": bid.pop("line_items"),
            "total": bid.pop("total"),
            **bid,
        }


def estimate_takeoff(takeoff: dict[str, Any], *, book: PriceBook | None = None,
                     options: BidOptions | None = None, edition: str = DEFAULT_EDITION,
                     occupancy: Occupancy = "private", slope: str = DEFAULT_SLOPE,
                     issued: date | None = None) -> Estimate:
    """Rate, size and price one takeoff document (``Takeoff.to_dict()``)."""
    units = fixture_units(takeoff, edition=edition, occupancy=occupancy)
    sizing = size_all(units, slope=slope)
    bid = build_bid(takeoff, book or PriceBook.default(), options, issued=issued)
    return Estimate(takeoff=takeoff, units=units, sizing=sizing, bid=bid)
