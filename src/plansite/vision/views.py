"""Where on a sheet fixtures may be counted: plan views, not sections, legends or schedules.

An estimator counts fixtures on plan views only. Three signals say a region is not a plan:

- the CAD layer an object sits on (``SECTION-A``, ``ELEV``, ``LEGEND``, ``DEMO``);
- the titled view it falls in. A drawing's title sits *under* the drawing ("SECTION A-A",
  "DEMOLITION PLAN"), so such a view is the band above its title up to the previous title
  in the same column; a schedule, legend or list of notes has its heading *on top*, so its
  region runs down from the heading to the next title. A whole sheet titled as notes,
  schedules, details, elevations, a cover, a site or a demolition plan is one such view;
- the shape of a table: a column of short codes ("WC-1", "LAV.", "P-1"), each with a
  description to its right on the same row, is a schedule, legend or abbreviation list
  whether or not its heading was read. Its rows teach the set its tags and never count.

Known shortcomings: a view whose title is not read (outlined text that OCR missed) is taken
as a plan; regions are bands, so a drawing set beside a plan without its own title column
shares the plan's band; a schedule of one or two rows is not recognised by shape.
"""

from __future__ import annotations

import re

from plansite.domain.sheet import BBox, Point, Sheet, TextItem, View, bbox_contains

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
    (re.compile(r"\bschedules?\b", re.IGNORECASE), "schedule"),
    (re.compile(r"\blegends?\b|symbols?\s*(key|legend|list)?$|abbreviations", re.IGNORECASE),
     "legend"),
    (re.compile(r"\b(key)?notes\b|\bspecifications?\b|\bcover\s*sheet\b", re.IGNORECASE), "notes"),
    (re.compile(r"\bdemolition\b|\bdemo\b|\bexisting\s+(conditions|plan)\b", re.IGNORECASE),
     "demolition"),
    (re.compile(r"\bsections?\b", re.IGNORECASE), "section"),
    (re.compile(r"\belevations?\b", re.IGNORECASE), "elevation"),
    (re.compile(r"\bdetails?\b|\briser\b|isometric|diagram", re.IGNORECASE), "detail"),
    (re.compile(r"\bsite\s*plan\b|\blocation\s*plan\b|\bkey\s*plan\b", re.IGNORECASE), "site"),
    (re.compile(r"\bplans?\b|\blayout\b", re.IGNORECASE), "plan"),
)
# "SEE DETAIL 5", "REFER TO SECTION": a reference inside a note, not a view's title.
_REFERENCE = re.compile(r"^\W*(see|refer|for|to|as|on|in|per|at|typ)\b", re.IGNORECASE)
# Views whose heading sits above their content.
_HEADED = ("schedule", "legend", "notes")
# Sheet titles that make the whole sheet a non-plan view, unless they also name a plan.
_WHOLE_SHEET = ("schedule", "legend", "notes", "section", "elevation", "detail", "site",
                "demolition")
_PLAN_WORD = re.compile(r"\bplans?\b|\blayout\b", re.IGNORECASE)

# A schedule key: a short code alone in its cell ("WC-1", "LAV.", "P-1", "CT-4", "HB").
_KEY = re.compile(r"^[A-Z]{1,5}\.?(?:\s?-?\s?\d{1,2}[A-Z]?)?\.?$")
_WORD = re.compile(r"[A-Z]{3,}")
# Short words that line up in a column of prose without being codes.
_COMMON_WORDS = frozenset(
    "A AN AND ARE AS AT BE BY FOR IF IN IS IT NO NOT OF ON OR SEE THE TO TYP UP WE".split()
)
# A table needs this many rows with descriptions.
MIN_TABLE_ROWS = 3


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


def sheet_kind(title: str) -> str | None:
    """The non-plan kind a whole sheet has by its title ("GENERAL NOTES"), or None."""
    kind = view_kind(title) if title else None
    if kind == "demolition" or kind == "site":
        return kind
    if kind in _WHOLE_SHEET and not _PLAN_WORD.search(title):
        return kind
    return None


def find_views(sheet: Sheet) -> list[View]:
    """Find titled views and give each its region (PDF sheets, y down)."""
    views: list[View] = []
    whole = sheet_kind(sheet.title)
    if whole:
        views.append(View(title=sheet.title, kind=whole, bbox=sheet.bbox))  # type: ignore[arg-type]
    if sheet.units != "pt" or not sheet.texts:
        return views

    median = {src: _median_size(sheet, src) for src in ("text", "dxf", "ocr")}
    titles = []
    for t in sheet.texts:
        kind = view_kind(t.text)
        if kind is None or t.text.strip().endswith((",", ";")) or _REFERENCE.match(t.text):
            continue
        # A title is larger than the sheet's body text, whichever way the text was read.
        if median.get(t.source) and t.size < median[t.source] * 1.15:
            continue
        titles.append((t, kind))

    for t, kind in titles:
        region = _region(sheet, t, kind, [o for o, _ in titles if o is not t])
        views.append(View(title=t.text, kind=kind, bbox=region))  # type: ignore[arg-type]
    return views


def _median_size(sheet: Sheet, source: str) -> float:
    sizes = sorted(t.size for t in sheet.texts if t.size > 0 and t.source == source)
    return sizes[len(sizes) // 2] if sizes else 0.0


def _region(sheet: Sheet, t: TextItem, kind: str, others: list[TextItem]) -> BBox:
    """The band above a drawing's title, or below a heading, bounded by the next title."""
    x0, y0, x1, y1 = t.bbox
    col_w = max((x1 - x0) * 2.5, sheet.width * 0.15)
    cx = (x0 + x1) / 2
    same_column = [
        o for o in others
        if abs((o.bbox[0] + o.bbox[2]) / 2 - cx) < col_w / 2 + (o.bbox[2] - o.bbox[0]) / 2
    ]
    if kind in _HEADED:
        bottom = min((o.bbox[1] for o in same_column if o.bbox[1] > y1 + 1),
                     default=sheet.height)
        return (max(0.0, cx - col_w / 2), y0, min(sheet.width, cx + col_w / 2), bottom)
    top = max((o.bbox[3] for o in same_column if o.bbox[3] < y0 - 1), default=0.0)
    return (max(0.0, cx - col_w / 2), top, min(sheet.width, cx + col_w / 2), y1)


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


def schedule_table(sheet: Sheet) -> list[tuple[str, str]]:
    """The (key, description) rows of the sheet's schedules, legends and abbreviation lists."""
    rows = _table_rows(sheet)
    return [(sheet.texts[k].text.strip(), " ".join(sheet.texts[d].text for d in ds))
            for k, ds in rows]


def schedule_rows(sheet: Sheet) -> tuple[set[int], set[int]]:
    """Indices into ``sheet.texts`` of schedule keys and of their descriptions."""
    rows = _table_rows(sheet)
    return {k for k, _ in rows}, {d for _, ds in rows for d in ds}


def _table_rows(sheet: Sheet) -> list[tuple[int, list[int]]]:
    """Find columns of left-aligned keys that each have a description on their row.

    Memoised on the sheet's text list, which detection does not change.
    """
    cache = getattr(sheet, "_table_rows_cache", None)
    if cache is not None and cache[0] == len(sheet.texts):
        return cache[1]

    texts = sheet.texts
    keys = [i for i, t in enumerate(texts) if _is_key(t.text)]
    rows: list[tuple[int, list[int]]] = []
    for column in _columns(texts, keys):
        described = [(k, _description(texts, k)) for k in column]
        with_text = [(k, ds) for k, ds in described if ds]
        if len(with_text) >= MIN_TABLE_ROWS and len(with_text) * 10 >= len(column) * 6:
            rows.extend(with_text)

    object.__setattr__(sheet, "_table_rows_cache", (len(sheet.texts), rows))
    return rows


def _is_key(text: str) -> bool:
    """A short code: a tag with a number, an abbreviation with a period, or 1-3 capitals."""
    key = text.strip()
    if not _KEY.match(key.upper()) or key.isdigit() or not key.isupper():
        return False
    if any(ch.isdigit() for ch in key) or key.endswith("."):
        return True
    return len(key) <= 3 and key not in _COMMON_WORDS


def _columns(texts: list[TextItem], keys: list[int]) -> list[list[int]]:
    """Group keys that share a left edge and follow each other down at row spacing."""
    order = sorted(keys, key=lambda i: (round(texts[i].bbox[0]), texts[i].bbox[1]))
    columns: list[list[int]] = []
    for i in order:
        b = texts[i].bbox
        h = max(b[3] - b[1], 1e-6)
        for col in columns:
            last = texts[col[-1]].bbox
            if abs(last[0] - b[0]) <= 0.5 * h and 0 < b[1] - last[1] <= 4.0 * h:
                col.append(i)
                break
        else:
            columns.append([i])
    return [c for c in columns if len(c) >= MIN_TABLE_ROWS]


def _description(texts: list[TextItem], k: int) -> list[int]:
    """Items on key ``k``'s row to its right that hold words (a description cell)."""
    _, y0, x1, y1 = texts[k].bbox
    h = max(y1 - y0, 1e-6)
    row = []
    for j, t in enumerate(texts):
        if j == k:
            continue
        b = t.bbox
        overlap = min(y1, b[3]) - max(y0, b[1])
        if overlap < 0.5 * min(h, b[3] - b[1]) or b[0] < x1 or b[0] - x1 > 40 * h:
            continue
        row.append(j)
    row.sort(key=lambda j: texts[j].bbox[0])
    if not row or not _WORD.search(texts[row[0]].text.upper()):
        return []
    if texts[row[0]].bbox[0] - x1 > 15 * h:
        return []

    # The description ends where the next column's key begins ("NO.  NUMBER  R.D.  ROOF
    # DRAIN" is two rows side by side) or at a wide gap.
    cells = [row[0]]
    for j in row[1:]:
        if _is_key(texts[j].text) or texts[j].bbox[0] - texts[cells[-1]].bbox[2] > 4 * h:
            break
        cells.append(j)
    return cells


def plumbing_sheets_only(sheet_disciplines: dict[int, str], sheet_of: list[int]) -> list[bool]:
    """Which detections to keep when a set has its own plumbing sheets.

    An engineer's plumbing sheet is the takeoff's source; the architect's, mechanical and
    electrical sheets of the same set show the same fixtures as background, so once any
    plumbing sheet has a detection, detections on other sheets are not counted. A set with
    no plumbing sheet (a house plan, an architectural set) keeps everything.
    ``sheet_of`` gives each detection's sheet index; the result is parallel to it.
    """
    plumbing = {i for i, d in sheet_disciplines.items() if d == "plumbing"}
    if not plumbing or not any(i in plumbing for i in sheet_of):
        return [True] * len(sheet_of)
    return [i in plumbing for i in sheet_of]
