"""Pipe runs by system, measured from CAD layers (DXF layers, PDF optional-content layers).

A path belongs to a system when its layer names one: ``P-DOMW-CW``, ``PLUMB-SAN``,
``HOT WATER``, ``GAS``. Lengths are summed per sheet and system in drawing units and turned
into feet with the scale of the view the run lies in. A sheet with no trustworthy scale
reports its runs as unscaled (``length_ft`` null): a guessed scale would price pipe that
does not exist.

Known limit: PDFs without layers carry pipe only as line style (dash pattern, colour), which
varies by office; those runs are not classified, and the takeoff says so per sheet.
"""

from __future__ import annotations

import re
from collections import defaultdict

from plansite.domain.sheet import Sheet, bbox_center
from plansite.domain.takeoff import PipeRun

# Order matters: hot-water return before hot, vent before sanitary ("SAN VENT").
SYSTEMS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("hot_water_return", re.compile(r"hwr|hot\W*water\W*ret|recirc", re.I)),
    ("hot_water", re.compile(r"\bhw\b|domw?\W*h|hot\W*water|[-_]hw\b|\bhot\b", re.I)),
    ("cold_water", re.compile(r"\bcw\b|domw?\W*c|cold\W*water|[-_]cw\b|\bcold\b|water\W*main"
                              r"|waterline|water\W*line|domestic", re.I)),
    ("vent", re.compile(r"vent|\bvtr\b|[-_]v\b", re.I)),
    ("storm", re.compile(r"storm|rain\W*water|\bsd\b|[-_]sd\b|\brwl\b|roof\W*drain", re.I)),
    ("gas", re.compile(r"\bgas\b|[-_]gas|natural\W*gas|\bng\b", re.I)),
    ("sanitary", re.compile(r"sanit|sewer|waste|soil|\bsan\b|[-_]san\b|drain|\bss\b", re.I)),
)


def system_of_layer(layer: str) -> str | None:
    if not layer:
        return None
    for system, pattern in SYSTEMS:
        if pattern.search(layer):
            return system
    return None


def measure_pipes(sheet: Sheet) -> list[PipeRun]:
    """Sum path lengths per system on a sheet and scale them to feet where trustworthy."""
    lengths: dict[tuple[str, str], float] = defaultdict(float)
    segments: dict[tuple[str, str], int] = defaultdict(int)
    anchor: dict[tuple[str, str], tuple[float, float]] = {}
    for path in sheet.paths:
        if path.closed or path.filled:
            continue
        system = system_of_layer(path.layer)
        if system is None:
            continue
        key = (system, path.layer)
        lengths[key] += path.length()
        segments[key] += sum(max(len(p) - 1, 0) for p in path.polylines)
        anchor.setdefault(key, bbox_center(path.bbox))

    runs = []
    for key, length in sorted(lengths.items()):
        scale = sheet.scale_at(anchor[key])
        feet = length * scale.feet_per_unit if scale and scale.feet_per_unit else None
        runs.append(
            PipeRun(
                system=key[0],
                sheet_index=sheet.index,
                drawing_length=length,
                length_ft=feet,
                layer=key[1],
                segments=segments[key],
                scale=scale.label if scale and feet is not None else "",
            )
        )
    return runs
