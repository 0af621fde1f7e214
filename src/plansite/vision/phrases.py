"""Multi-line labels joined into phrases ("WASHING" over "MACHINE" → "WASHING MACHINE").

CAD authors stack a label's words as separate text entities. Two lines join when they are
the same height, overlap horizontally, and the gap between them is under one line height;
the phrase keeps the union of their boxes. Works in both y-up (DXF) and y-down (PDF) space
because only the gap's size matters, not its direction.
"""

from __future__ import annotations

from plansite.domain.sheet import TextItem, bbox_union

MAX_PHRASE_LINES = 3


def join_stacked_lines(texts: list[TextItem]) -> list[TextItem]:
    """Return phrases of two or three stacked lines (single lines are not repeated)."""
    by_size = sorted(
        (t for t in texts if t.size > 0 and len(t.text.split()) <= 3),
        key=lambda t: (round(t.size, 2), t.bbox[0]),
    )
    phrases: list[TextItem] = []
    for i, top in enumerate(by_size):
        lines = [top]
        for other in by_size[i + 1 :]:
            if round(other.size, 2) != round(top.size, 2):
                break
            if len(lines) < MAX_PHRASE_LINES and _stacked(lines[-1], other):
                lines.append(other)
        if len(lines) > 1:
            box = lines[0].bbox
            for line in lines[1:]:
                box = bbox_union(box, line.bbox)
            text = " ".join(line.text for line in _reading_order(lines))
            phrases.append(TextItem(text, box, top.size, top.font, top.layer, top.source))
    return phrases


def _stacked(upper: TextItem, lower: TextItem) -> bool:
    a, b = upper.bbox, lower.bbox
    height = max(a[3] - a[1], b[3] - b[1], upper.size)
    overlap = min(a[2], b[2]) - max(a[0], b[0])
    gap = max(b[1] - a[3], a[1] - b[3])
    return overlap > 0 and 0 <= gap < height * 1.0


def _reading_order(lines: list[TextItem]) -> list[TextItem]:
    """Top line first: y-down sheets sort by y, y-up (DXF) sheets by -y."""
    y_up = lines[0].source in ("dxf", "attrib")
    return sorted(lines, key=lambda t: -t.bbox[1] if y_up else t.bbox[1])
