"""Pipe runs by system, measured from CAD layers (DXF layers, PDF optional-content layers).

A path belongs to a system when its layer names one: ``P-DOMW-CW``, ``PLUMB-SAN``,
``HOT WATER``, ``GAS``. Lengths are summed per sheet and system in drawing units and turned
into feet with the scale of the view the run lies in. A sheet with no trustworthy scale
reports its runs as unscaled (``length_ft`` null): a guessed scale would price pipe that
does not exist.

PDFs without layers carry pipe only as line style (dash pattern, width, colour), which
varies by office, so the style is learnt from the sheet's own line legend: a short sample
line beside a label naming a system ("DOMESTIC COLD WATER", "SANITARY", "VENT"). Only a
distinctive style is learnt — dashed, coloured, or clearly heavier than the sheet's usual
line — because a plain thin solid line beside a label is as likely a leader or a wall; and
a style that also draws most of the sheet is not trusted either.
Known limit: a sheet with neither layers nor a line legend gets no pipe runs; pipe drawn
in the same style as the architecture (black on black) cannot be told apart by style.
"""

from __future__ import annotations

import re
from collections import defaultdict

from plansite.domain.sheet import PathItem, Sheet, TextItem, bbox_center
from plansite.domain.takeoff import PipeRun

# Order matters: hot-water return before hot, vent before sanitary ("SAN VENT").
SYSTEMS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("hot_water_return", re.compile(r"hwr|hot\W*water\W*ret|recirc", re.I)),
    ("hot_water", re.compile(r"\bhw\b|domw?\W*h|hot\W*water|[-_]hw\b|\bhot\b", re.I)),
    ("cold_water", re.compile(r"\bcw\b|domw?\W*c|cold\W*water|[-_]cw\b|\bcold\b|water\W*main"
                              r"|waterline|water\W*line|domestic", re.I)),
    ("vent", re.compile(r"\bvent(s|ing)?\b|[-_]vent|\bvtr\b|[-_]v\b", re.I)),
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


Style = tuple[float, str, tuple[float, ...]]
# A legend sample is a straight line this many label heights long, at most this far away.
SAMPLE_MIN_HEIGHTS, SAMPLE_MAX_HEIGHTS, SAMPLE_GAP_HEIGHTS = 1.5, 15.0, 4.0
# A style drawing more than this share of all line length on a sheet is the architecture.
MAX_STYLE_SHARE = 0.4
MAX_LEGEND_LABEL_WORDS = 5
# A solid black line this many times the sheet's usual width is a distinctive style.
HEAVY_LINE_RATIO = 1.8


def style_of(path: PathItem) -> Style:
    color = tuple(round(c, 2) for c in path.color) if path.color else ()
    return (round(path.width, 1), path.dashes, color)


def learn_line_legend(sheet: Sheet) -> tuple[dict[Style, str], set[int]]:
    """Map line styles to pipe systems from sample lines beside system labels.

    Returns the mapping and the ``id`` of each sample line, which is legend, not pipe.
    """
    samples = [p for p in sheet.paths if not p.closed and not p.filled and _is_straight(p)]
    used: set[int] = set()
    learnt: dict[Style, str] = {}
    conflicted: set[Style] = set()
    for text in sheet.texts:
        if len(text.text.split()) > MAX_LEGEND_LABEL_WORDS:
            continue
        system = system_of_layer(text.text)
        sample = _sample_beside(text, samples) if system else None
        if sample is None or system is None:
            continue
        style = style_of(sample)
        # Outlined (SHX) labels are strokes themselves: a "sample" in the letters' own style
        # is a stroke of the label or its frame, not a pipe legend.
        if text.source == "ocr" and _drawn_in(sheet, text, style):
            continue
        used.add(id(sample))
        if learnt.get(style, system) != system:
            conflicted.add(style)
        learnt[style] = system

    for style in conflicted:
        learnt.pop(style, None)
    usual = _usual_width(sheet)
    learnt = {st: system for st, system in learnt.items() if _distinctive(st, usual)}
    return _drop_dominant_styles(sheet, learnt), used


def _usual_width(sheet: Sheet) -> float:
    widths = sorted(p.width for p in sheet.paths if not p.filled)
    return widths[len(widths) // 2] if widths else 0.0


def _distinctive(style: Style, usual_width: float) -> bool:
    """Whether a line style can tell a pipe from the rest of the drawing."""
    width, dashes, color = style
    coloured = bool(color) and max(color) - min(color) > 0.15
    heavy = width >= max(usual_width * HEAVY_LINE_RATIO, 0.5)
    return bool(dashes) or coloured or heavy


def _drawn_in(sheet: Sheet, text: TextItem, style: Style) -> bool:
    x0, y0, x1, y1 = text.bbox
    return any(
        style_of(p) == style
        for p in sheet.paths
        if p.bbox[0] >= x0 and p.bbox[2] <= x1 and p.bbox[1] >= y0 and p.bbox[3] <= y1
    )


def _is_straight(path: PathItem) -> bool:
    return len(path.polylines) == 1 and len(path.polylines[0]) == 2


def _sample_beside(text: TextItem, samples: list[PathItem]) -> PathItem | None:
    height = max(text.bbox[3] - text.bbox[1], 1e-6)
    cy = (text.bbox[1] + text.bbox[3]) / 2
    best, best_gap = None, SAMPLE_GAP_HEIGHTS * height
    for path in samples:
        (x0, y0), (x1, y1) = path.polylines[0]
        length = path.length()
        if abs(y1 - y0) > 0.1 * height or not (
            SAMPLE_MIN_HEIGHTS * height <= length <= SAMPLE_MAX_HEIGHTS * height
        ):
            continue
        if abs((y0 + y1) / 2 - cy) > height:
            continue
        gap = min(abs(text.bbox[0] - max(x0, x1)), abs(min(x0, x1) - text.bbox[2]))
        if gap < best_gap:
            best, best_gap = path, gap
    return best


def _drop_dominant_styles(sheet: Sheet, learnt: dict[Style, str]) -> dict[Style, str]:
    if not learnt:
        return learnt
    total = sum(p.length() for p in sheet.paths if not p.closed) or 1.0
    share: dict[Style, float] = defaultdict(float)
    for path in sheet.paths:
        style = style_of(path)
        if style in learnt and not path.closed:
            share[style] += path.length() / total
    return {s: system for s, system in learnt.items() if share[s] <= MAX_STYLE_SHARE}


def measure_pipes(sheet: Sheet) -> list[PipeRun]:
    """Sum path lengths per system on a sheet and scale them to feet where trustworthy."""
    legend, samples = learn_line_legend(sheet) if sheet.units == "pt" else ({}, set())
    lengths: dict[tuple[str, str], float] = defaultdict(float)
    segments: dict[tuple[str, str], int] = defaultdict(int)
    anchor: dict[tuple[str, str], tuple[float, float]] = {}
    for path in sheet.paths:
        if path.closed or path.filled or id(path) in samples:
            continue
        system = system_of_layer(path.layer)
        source = path.layer
        if system is None and legend:
            system = legend.get(style_of(path))
            source = f"line style {path.dashes or 'solid'} {path.width:g} pt"
        if system is None:
            continue
        key = (system, source)
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
