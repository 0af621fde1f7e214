"""Where on a sheet fixtures may be counted: plan views, not sections, legends or schedules.

An estimator counts fixtures on plan views only. Two signals say a region is not a plan:
the CAD layer an object sits on (``SECTION-A``, ``ELEV``, ``LEGEND``) and the titled view
the object falls in ("SECTION A-A", "PLUMBING FIXTURE SCHEDULE"). Titles are found in the
sheet text; a view's extent is taken as the band above its title up to the previous title
in the same column, which is how plotted sheets lay drawings out.
"""

from __future__ import annotations

import re

from plansite.domain.sheet import BBox, Point, Sheet, View, bbox_contains

# Layers whose contents are not a plan view. "DETAIL" is deliberately absent: authors use
# a DETAILS layer for fixture blocks drawn on the plan itself.
_NOT_PLAN_LAYER = re.compile(
    r"sect|elev|legend|schedule|sched|\bkey\b|title|border|riser|isometric|\biso\b",
    re.IGNORECASE,
)
# Other trades' layers (lighting, power, switches): their symbols are never plumbing.
_OTHER_TRADE_LAYER = re.compile(
    r"^e[-_ ]?(light|power|pwr|switch|lite|lt|dev|fire|data|comm)|elec|lighting|power|switch",
    re.IGNORECASE,
)
_DEMOLITION_LAYER = re.compile(r"demo|exist|\bex[-_ ]|[-_]ex\b|remove", re.IGNORECASE)

_VIEW_KINDS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\bschedule\b", re.I), "schedule"),
    (re.compile(r"\blegend\b|symbols?\s*(key|legend|list)|abbreviations", re.I), "legend"),
    (re.compile(r"\bsections?\b", re.I), "section"),
    (re.compile(r"\belevations?\b", re.I), "elevation"),
    (re.compile(r"\bdetails?\b|\briser\b|isometric|diagram", re.I), "detail"),
    (re.compile(r"\bsite\s*plan\b|\blocation\s*plan\b|\bkey\s*plan\b", re.I), "site"),
    (re.compile(r"\bplans?\b|\blayout\b", re.I), "plan"),
)


def layer_excludes(layer: str) -> str | None:
    """Return why an object on ``layer`` is not counted, or None when it may be."""
    if not layer:
        return None
    if _DEMOLITION_LAYER.search(layer):
        return f"on existing/demolition layer {layer!r}"
    if _NOT_PLAN_LAYER.search(layer):
        return f"on non-plan layer {layer!r}"
    if is_other_trade_layer(layer):
        return f"on another trade's layer {layer!r}"
    return None


def is_other_trade_layer(layer: str) -> bool:
    """Tell whether a layer belongs to electrical work (lights, power, switches)."""
    return bool(layer) and bool(_OTHER_TRADE_LAYER.search(layer))


def view_kind(title: str) -> str | None:
    """Classify a view title; None when the text is not a view title."""
    words = title.split()
    if not 1 <= len(words) <= 8:
        return None
    for pattern, kind in _VIEW_KINDS:
        if pattern.search(title):
            return kind
    return None


def find_views(sheet: Sheet) -> list[View]:
    """Find titled views and give each the region above its title (PDF sheets, y down)."""
    if sheet.units != "pt" or not sheet.texts:
        return []

    sizes = sorted(t.size for t in sheet.texts if t.size > 0)
    median = sizes[len(sizes) // 2] if sizes else 0.0
    titles = []
    for t in sheet.texts:
        kind = view_kind(t.text)
        if kind is None or t.text.strip().endswith((",", ";")):
            continue
        if t.source in ("text", "dxf") and median and t.size < median * 1.15:
            continue
        titles.append((t, kind))

    views: list[View] = []
    # A whole sheet titled as a site plan repeats the buildings' fixtures at a small scale.
    if sheet.title and view_kind(sheet.title) == "site":
        views.append(View(title=sheet.title, kind="site", bbox=sheet.bbox))
    for t, kind in titles:
        x0, y0, x1, y1 = t.bbox
        col_w = max((x1 - x0) * 2.5, sheet.width * 0.15)
        cx = (x0 + x1) / 2
        top = 0.0
        for other, _ in titles:
            ob = other.bbox
            if other is t or ob[3] >= y0 - 1:
                continue
            if abs((ob[0] + ob[2]) / 2 - cx) < col_w / 2 + (ob[2] - ob[0]) / 2:
                top = max(top, ob[3])
        region: BBox = (max(0.0, cx - col_w / 2), top, min(sheet.width, cx + col_w / 2), y1)
        views.append(View(title=t.text, kind=kind, bbox=region))  # type: ignore[arg-type]
    return views


def view_excludes(views: list[View], p: Point) -> str | None:
    """Return why a point is not on a plan view, or None when it may be counted.

    The smallest view holding the point decides, so a legend drawn inside a plan's band
    still excludes its symbols.
    """
    holding = [v for v in views if bbox_contains(v.bbox, p)]
    if not holding:
        return None
    smallest = min(holding, key=lambda v: (v.bbox[2] - v.bbox[0]) * (v.bbox[3] - v.bbox[1]))
    if smallest.kind in ("plan", "other"):
        return None
    return f"in {smallest.kind} {smallest.title!r}"
