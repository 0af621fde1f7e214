"""One physical fixture, one count: merging detections that describe the same fixture.

Two kinds of duplicate are resolved here. *Same place*: a tag beside a symbol, a label
beside a block, within a fixture's reach, of the same type — the strongest evidence stays
and the others are merged into it. *Same room on two plans*: a floor plan and an electrical
or enlarged plan of the same floor repeat a group of fixtures shifted by one vector; the
repeated copy is merged into the first.
"""

from __future__ import annotations

from plansite.domain.sheet import Sheet, bbox_center
from plansite.domain.takeoff import Detection
from plansite.vision.views import is_other_trade_layer

# Method strength: which evidence survives when two detections meet.
METHOD_RANK = {"block": 5, "tag": 4, "symbol": 3, "exemplar": 3, "label": 2, "ocr-label": 1}


def merge_nearby(detections: list[Detection], reach: dict[int, float]) -> None:
    """Merge same-type detections closer than their sheet's reach (drawing units)."""
    order = sorted(
        range(len(detections)),
        key=lambda i: (-METHOD_RANK.get(detections[i].method, 0), -detections[i].confidence),
    )
    kept: list[int] = []
    for i in order:
        d = detections[i]
        if d.merged_into is not None:
            continue
        r = reach.get(d.sheet_index, 0.0)
        c = bbox_center(d.bbox)
        for k in kept:
            other = detections[k]
            if other.sheet_index != d.sheet_index or other.fixture_type != d.fixture_type:
                continue
            # A multiplied tag stands for several fixtures: others near it are its members.
            if d.method == other.method and d.method in ("tag", "block"):
                continue
            oc = bbox_center(other.bbox)
            if abs(oc[0] - c[0]) <= r and abs(oc[1] - c[1]) <= r:
                d.merged_into = k
                break
        if d.merged_into is None:
            kept.append(i)


def merge_repeated_views(
    detections: list[Detection], tolerance: float, other_trade: dict[int, int]
) -> int:
    """Merge the copy of a group of fixtures that another trade's plan repeats.

    ``other_trade`` maps ``id(detection)`` to how many other-trade symbols (lights, power,
    switches) surround it. A translation is a repeated view when at least two fixtures of
    two distinct evidences move by it and one side of every pair sits among other-trade
    symbols: that side is an electrical or lighting plan of the same floor and is merged.
    Two floors stacked in one drawing also repeat fixtures by one translation, but neither
    copy sits on an electrical plan, so both are kept. Returns how many were merged.
    """
    live = [d for d in detections if d.merged_into is None]
    pairs: dict[tuple[int, int, int], list[tuple[Detection, Detection]]] = {}
    for i, a in enumerate(live):
        for b in live[i + 1 :]:
            if a.sheet_index != b.sheet_index or a.evidence != b.evidence:
                continue
            ca, cb = bbox_center(a.bbox), bbox_center(b.bbox)
            key = (a.sheet_index, round((cb[0] - ca[0]) / tolerance),
                   round((cb[1] - ca[1]) / tolerance))
            pairs.setdefault(key, []).append((a, b))

    position = {id(d): i for i, d in enumerate(detections)}
    merged = 0
    for group in sorted(pairs.values(), key=len, reverse=True):
        if len(group) < 2 or len({a.evidence for a, _ in group}) < 2:
            continue
        for a, b in group:
            if a.merged_into is not None or b.merged_into is not None:
                continue
            keep, copy = (a, b) if other_trade.get(id(b), 0) > other_trade.get(id(a), 0) else (b, a)
            if other_trade.get(id(copy), 0) <= other_trade.get(id(keep), 0):
                continue
            copy.merged_into = position[id(keep)]
            copy.evidence += " (same fixture repeated on another trade's plan)"
            merged += 1
    return merged


def other_trade_density(sheet: Sheet, detections: list[Detection], radius: float) -> dict[int, int]:
    """Count other-trade block inserts within ``radius`` of each detection."""
    points = [b.position for b in sheet.blocks if is_other_trade_layer(b.layer)]
    density: dict[int, int] = {}
    for d in detections:
        cx, cy = bbox_center(d.bbox)
        density[id(d)] = sum(
            1 for x, y in points if abs(x - cx) <= radius and abs(y - cy) <= radius
        )
    return density
