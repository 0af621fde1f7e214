"""Drawing scales read from sheet notes: ``1/4" = 1'-0"``, ``1" = 20'``, ``1:50``, ``NTS``.

A scale converts a length on the sheet (PDF points) into feet. Print-verification rulers
("one quarter inch = one foot" spelled out in words) and legend samples are not drawing
scales; only the numeric forms below are read, and a sheet with conflicting scales and no
way to tell which view a length is in reports its lengths as unscaled.
"""

from __future__ import annotations

import re
from fractions import Fraction

from plansite.domain.sheet import BBox, Scale

POINTS_PER_INCH = 72.0
MM_PER_FOOT = 304.8
MM_PER_POINT = 25.4 / POINTS_PER_INCH

_Q2 = "\"\u201d\u2033''"  # inch marks, including two apostrophes
_Q1 = "'\u2019\u2032"  # foot marks

# 1/4" = 1'-0"   3/16"=1'0"   1 1/2" = 1'-0"   12" = 1'-0" (full size)
_ARCH = re.compile(
    rf"(?<![\d/])(\d+\s+\d+/\d+|\d+/\d+|\d+(?:\.\d+)?)\s*[{_Q2}]\s*=\s*1\s*[{_Q1}]\s*-?\s*0?\s*[{_Q2}]?"
)
# 1" = 20'   1"=10'-0"
_ENG = re.compile(
    rf"(?<![\d/])1\s*[{_Q2}]\s*=\s*(\d+(?:\.\d+)?)\s*[{_Q1}]"
    rf"(?!\s*-?\s*0?\s*[{_Q2}]?\s*\d)"
)
# 1:50   1 : 100   SCALE 1:100 @ A1
_METRIC = re.compile(r"(?<![\d.:])1\s*:\s*(\d{1,5})(?![\d:])")
_NTS = re.compile(r"\b(N\.?T\.?S\.?|NOT\s+TO\s+SCALE|NO\s+SCALE)\b", re.IGNORECASE)
# Abbreviation lists define NTS rather than use it ("N.T.S. = NOT TO SCALE").
_NTS_DEFINITION = re.compile(r"N\.?T\.?S\.?\s*[=:\-]\s*NOT\s+TO\s+SCALE", re.IGNORECASE)


def _fraction(text: str) -> Fraction:
    parts = text.split()
    return sum((Fraction(p) for p in parts), Fraction(0))


def parse_scales(text: str, bbox: BBox | None = None) -> list[Scale]:
    """Return every drawing scale stated in ``text`` (empty if none)."""
    found: list[Scale] = []
    for m in _ARCH.finditer(text):
        inches = _fraction(m.group(1))
        if inches <= 0 or inches > 12:
            continue
        # inches of paper per real foot → feet per point
        found.append(Scale(m.group(0).strip(), float(1 / (inches * Fraction(72))), bbox))

    for m in _ENG.finditer(text):
        feet = float(m.group(1))
        if feet <= 0:
            continue
        found.append(Scale(m.group(0).strip(), feet / POINTS_PER_INCH, bbox))

    for m in _METRIC.finditer(text):
        ratio = int(m.group(1))
        if ratio < 1 or ratio > 20000:
            continue
        found.append(Scale(m.group(0).strip(), ratio * MM_PER_POINT / MM_PER_FOOT, bbox))

    if _NTS.search(text) and not _NTS_DEFINITION.search(text):
        found.append(Scale("NTS", None, bbox))
    return found


def feet_per_drawing_unit(insunits: int) -> float | None:
    """Feet per DXF drawing unit for a $INSUNITS code, None when unitless or unknown."""
    return {
        1: 1 / 12.0,
        2: 1.0,
        4: 1 / MM_PER_FOOT,
        5: 10 / MM_PER_FOOT,
        6: 1000 / MM_PER_FOOT,
        14: 100 / MM_PER_FOOT,
    }.get(insunits)
