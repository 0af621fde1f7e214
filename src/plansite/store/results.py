"""Turn the takeoffs of a plan set's files into one contract, and store it with its rows.

A plan set of one file gets exactly the CLI's ``Takeoff.to_dict()`` (plus ``files``). For
several files the takeoffs are concatenated: sheets are renumbered in upload order, so
sheet 1 of the second file follows the last sheet of the first, and every detection, pipe
run and error follows its sheet. ``counts`` are then the sums over the set.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy.orm import Session

from plansite.domain.takeoff import Takeoff
from plansite.store.models import DetectionRecord, SheetRecord, TakeoffRecord


@dataclass
class FileTakeoff:
    file_id: str
    filename: str
    sha256: str
    takeoff: Takeoff


def merge(parts: list[FileTakeoff]) -> Takeoff:
    """One ``Takeoff`` whose sheet indexes run through all files in order."""
    if len(parts) == 1:
        return parts[0].takeoff

    kinds = sorted({p.takeoff.kind for p in parts})
    merged = Takeoff(
        source=", ".join(p.filename for p in parts),
        kind=kinds[0] if len(kinds) == 1 else "+".join(kinds),
    )
    offset = 0
    for part in parts:
        t = part.takeoff
        merged.sheets += [replace(s, index=s.index + offset) for s in t.sheets]
        merged.detections += [
            replace(d, sheet_index=d.sheet_index + offset) for d in t.detections
        ]
        merged.pipe_runs += [replace(r, sheet_index=r.sheet_index + offset) for r in t.pipe_runs]
        merged.errors += [
            replace(e, sheet=None if e.sheet is None else e.sheet + offset) for e in t.errors
        ]
        merged.elapsed_s += t.elapsed_s
        offset += _sheet_span(t)
    return merged


def _sheet_span(t: Takeoff) -> int:
    """Sheets a file occupies: its highest index + 1, so failed pages keep their place."""
    indexes = [s.index for s in t.sheets] + [d.sheet_index for d in t.detections]
    return max(indexes, default=-1) + 1


def contract(parts: list[FileTakeoff]) -> tuple[dict[str, Any], list[tuple[str, int]]]:
    """The JSON contract and, per sheet in order, (file id, page index within the file)."""
    doc = merge(parts).to_dict()

    owners: list[tuple[str, int]] = []
    files = []
    offset = 0
    for part in parts:
        span = _sheet_span(part.takeoff)
        owners += [(part.file_id, i) for i in range(span)]
        files.append({
            "id": part.file_id, "filename": part.filename, "sha256": part.sha256,
            "kind": part.takeoff.kind, "status": part.takeoff.status,
            "first_sheet": offset + 1, "sheets": span,
        })
        offset += span

    doc["files"] = files
    return doc, owners


def save(
    session: Session, plan_set_id: str, job_id: str, parts: list[FileTakeoff]
) -> TakeoffRecord:
    """Add the takeoff, its sheets and its detections to ``session`` (caller commits)."""
    doc, owners = contract(parts)
    record = TakeoffRecord(plan_set_id=plan_set_id, job_id=job_id, result=doc)
    session.add(record)

    sheet_ids: dict[int, str] = {}
    for summary in doc["sheets"]:
        number = summary["sheet"]
        file_id, page = owners[number - 1]
        row = SheetRecord(
            plan_set_id=plan_set_id, file_id=file_id, number=number, page_index=page,
            summary=summary,
        )
        session.add(row)
        session.flush()
        sheet_ids[number] = row.id

    for position, det in enumerate(doc["detections"]):
        session.add(DetectionRecord(
            plan_set_id=plan_set_id, sheet_id=sheet_ids[det["sheet"]], position=position,
            fixture_type=det["type"], data=det,
        ))
    session.flush()
    return record
