"""Fixtures recognised by the geometry of their symbols (bowl, tank, tub, basin, drain).

Symbol recognition works on sheets whose fixtures carry no tag and no block name, which is
most architectural plans. It needs the sheet's scale to tell a 60 × 30 in tub from a
cabinet; without a scale it reports nothing rather than guess.
"""

from __future__ import annotations

from plansite.domain.sheet import BBox, Sheet
from plansite.domain.takeoff import Detection


def find_symbols(sheet: Sheet, exemplars: list[BBox]) -> list[Detection]:
    """Return fixtures found by symbol geometry on ``sheet`` (none yet: see module doc)."""
    return []
