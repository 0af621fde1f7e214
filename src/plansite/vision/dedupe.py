"""One physical fixture, one count: merging detections that describe the same fixture.

Two kinds of duplicate are resolved here. *Same place*: a tag beside a symbol, a label
beside a block, within a fixture's reach, of the same type — the strongest evidence stays
and the others are merged into it. *Same room on two plans*: a floor plan and an electrical
or enlarged plan of the same floor repeat a group of fixtures shifted by one vector; the
repeated copy is merged into the first.
"""

from __future__ import annotations

from collections import Counter

from plansite.domain.sheet import bbox_center
from plansite.domain.takeoff import Detection

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


def merge_repeated_views(detections: list[Detection], tolerance: float) -> int:
    """Merge a second copy of a group of fixtures repeated by one translation.

    Returns how many detections were merged. A translation counts as a repeated view when
    at least two fixtures of at least two distinct evidences move by it, which two floors
    that happen to share one fixture position do not do.
    """
    live = [d for d in detections if d.merged_into is None]
    votes: Counter[tuple[int, int, int]] = Counter()
    pairs: dict[tuple[int, int, int], list[tuple[Detection, Detection]]] = {}
    for i, a in enumerate(live):
        for b in live[i + 1 :]:
            if a.sheet_index != b.sheet_index or a.evidence != b.evidence:
                continue
            ca, cb = bbox_center(a.bbox), bbox_center(b.bbox)
            key = (a.sheet_index, round((cb[0] - ca[0]) / tolerance),
                   round((cb[1] - ca[1]) / tolerance))
            votes[key] += 1
            pairs.setdefault(key, []).append((a, b))

    merged = 0
    for key, n in votes.most_common():
        group = pairs[key]
        if n < 2 or len({a.evidence for a, _ in group}) < 2:
            continue
        for a, b in group:
            if a.merged_into is None and b.merged_into is None:
                b.merged_into = detections.index(a)
                b.evidence += " (repeat of the same fixture on another view)"
                merged += 1
    return merged
