"""An estimator's corrections to a machine takeoff, and how far the machine was off.

A correction adds a fixture the machine missed, removes one it invented, or retypes one it
misread. Corrections are kept as a list and applied in order to the machine takeoff, so
the reviewed takeoff can always be rebuilt and every number downstream (fixture units,
sizing, the bid) is recomputed from it rather than patched.

Detections are addressed by ``detection_id``: a hash of sheet, type, box and tag, stable
across runs of the same engine on the same file. A new engine version that moves a box
changes the id, so a correction made against an old takeoff names a detection that no
longer exists; ``apply_corrections`` reports it instead of guessing.

Agreement is the micro count-F1 of the corpus scoring (``plansite.scoring``), with the
reviewed counts as the reference: 1.0 when the estimator changed nothing that counts.
"""

from __future__ import annotations

import copy
import hashlib
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Literal

from plansite.domain.fixtures import FIXTURE_TYPES
from plansite.estimate.inputs import (MAX_COUNT, MAX_SHEETS, MAX_TEXT, check_bbox, is_text,
                                      whole_number)
from plansite.scoring import score_counts

Action = Literal["add", "remove", "retype"]


class CorrectionError(ValueError):
    """A correction names an unknown fixture type or action, or lacks a field."""


@dataclass
class Correction:
    """One change an estimator made; fields unused by the action stay empty."""

    action: Action
    detection_id: str = ""
    fixture_type: str = ""
    sheet: int = 1
    bbox: list[float] = field(default_factory=lambda: [0.0, 0.0, 0.0, 0.0])
    room: str = ""
    quantity: int = 1
    note: str = ""

    @classmethod
    def from_dict(cls, doc: Any) -> Correction:
        if not isinstance(doc, dict) or "action" not in doc:
            raise CorrectionError("a correction is an object with an action (add, remove or "
                                  "retype)")
        allowed = set(cls.__dataclass_fields__)
        fix = cls(**{k: v for k, v in doc.items() if k in allowed and v is not None})
        fix.check()
        return fix

    def check(self) -> None:
        """Refuse a correction that would put an unpriceable fixture into the takeoff.

        Its fields come straight from a request, so each is checked for type and range here:
        a quantity of 1e308 or a NaN box would otherwise fail only when the bid is re-priced.
        """
        if self.action not in ("add", "remove", "retype"):
            raise CorrectionError(f"action {self.action!r}: use add, remove or retype")
        if self.action in ("add", "retype") and self.fixture_type not in FIXTURE_TYPES:
            raise CorrectionError(f"fixture_type {self.fixture_type!r} is not a fixture type")
        if self.action in ("remove", "retype") and not (
                self.detection_id and isinstance(self.detection_id, str)):
            raise CorrectionError(f"{self.action} needs the detection_id it applies to")
        problems: list[str] = []
        self.quantity = whole_number(self.quantity, "quantity", 1, MAX_COUNT, problems) or 1
        whole_number(self.sheet, "sheet", 1, MAX_SHEETS, problems)
        check_bbox(self.bbox, "bbox", problems)
        for name in ("room", "note"):
            if not is_text(getattr(self, name)):
                problems.append(f"{name}: must be text of at most {MAX_TEXT} characters")
        if problems:
            raise CorrectionError("; ".join(problems))

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def detection_id(det: dict[str, Any]) -> str:
    """A short stable id of a detection in the takeoff contract."""
    box = ",".join(f"{float(v):.1f}" for v in det.get("bbox", ()))
    key = f"{det.get('sheet')}|{det.get('type')}|{box}|{det.get('tag', '')}"
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:12]


def with_ids(takeoff: dict[str, Any]) -> dict[str, Any]:
    """Return a copy of a takeoff whose detections each carry their ``id``."""
    doc = copy.deepcopy(takeoff)
    for det in doc.get("detections", []):
        det.setdefault("id", detection_id(det))
    return doc


@dataclass
class Reviewed:
    """The reviewed takeoff and the corrections that could not be applied."""

    takeoff: dict[str, Any]
    unmatched: list[Correction]


def apply_corrections(machine: dict[str, Any], corrections: list[Correction]) -> Reviewed:
    """Apply corrections in order to a machine takeoff; recompute its counts."""
    doc = with_ids(machine)
    detections = doc.get("detections", [])
    unmatched: list[Correction] = []

    for fix in corrections:
        if fix.action == "add":
            det = {"type": fix.fixture_type, "sheet": fix.sheet, "bbox": list(fix.bbox),
                   "room": fix.room, "quantity": fix.quantity, "confidence": 1.0,
                   "method": "manual", "evidence": fix.note or "added by estimator",
                   "tag": "", "corrected": "added"}
            det["id"] = detection_id(det)
            detections.append(det)
            continue

        target = next((d for d in detections if d["id"] == fix.detection_id), None)
        if target is None:
            unmatched.append(fix)
        elif fix.action == "remove":
            detections.remove(target)
        else:
            target["corrected"] = f"retyped from {target['type']}"
            target["type"] = fix.fixture_type
            target["confidence"] = 1.0

    doc["detections"] = detections
    doc["counts"] = count_detections(detections)
    doc["total_fixtures"] = sum(doc["counts"].values())
    _recount_sheets(doc)
    doc["reviewed"] = True
    return Reviewed(takeoff=doc, unmatched=unmatched)


def count_detections(detections: list[dict[str, Any]]) -> dict[str, int]:
    totals: Counter[str] = Counter()
    for det in detections:
        totals[det["type"]] += int(det.get("quantity", 1))
    return dict(sorted(totals.items()))


def agreement(machine: dict[str, Any], reviewed: dict[str, Any]) -> float:
    """Micro count-F1 of the machine counts against the reviewed counts (1.0 = no change)."""
    return round(score_counts(dict(reviewed.get("counts", {})),
                              dict(machine.get("counts", {}))).f1, 4)


def mean_confidence(takeoff: dict[str, Any]) -> float | None:
    confidences = [float(d.get("confidence", 0)) for d in takeoff.get("detections", [])]
    return round(sum(confidences) / len(confidences), 4) if confidences else None


def _recount_sheets(doc: dict[str, Any]) -> None:
    for sheet in doc.get("sheets", []):
        sheet["counts"] = count_detections(
            [d for d in doc["detections"] if d.get("sheet") == sheet.get("sheet")])
