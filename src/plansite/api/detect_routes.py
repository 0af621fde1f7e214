"""Detect service: the detections of a plan set (filter by type or sheet) and each one
with its evidence, as the takeoff contract states them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy import select
from sqlalchemy.orm import Session

from plansite.api import lookups
from plansite.api.pagination import Page, PageParams, page_params, paginate
from plansite.api.problems import not_found, responses
from plansite.api.schemas import DetectionOut
from plansite.api.services import db
from plansite.store.models import DetectionRecord, SheetRecord

router = APIRouter(prefix="/api/v1/detect", tags=["detect"])
DB = Annotated[Session, Depends(db)]


def detection_out(row: DetectionRecord) -> DetectionOut:
    return DetectionOut(id=row.id, plan_set_id=row.plan_set_id, sheet_id=row.sheet_id,
                        detection=row.data)


@router.get("/blueprints/{plan_set_id}/detections", response_model=Page[DetectionOut],
            responses=responses(404, 409))
def list_detections(
    plan_set_id: str, session: DB, paging: Annotated[PageParams, Depends(page_params)],
    request: Request,
    type: Annotated[str | None, Query(description="fixture type, e.g. water_closet")] = None,
    sheet: Annotated[int | None, Query(ge=1, description="sheet number in the set")] = None,
) -> Page[DetectionOut]:
    """Counted detections in takeoff order; filter by fixture ``type`` or ``sheet``."""
    lookups.takeoff(session, plan_set_id)
    query = select(DetectionRecord).where(DetectionRecord.plan_set_id == plan_set_id)
    if type:
        query = query.where(DetectionRecord.fixture_type == type)
    if sheet:
        query = query.join(SheetRecord, SheetRecord.id == DetectionRecord.sheet_id).where(
            SheetRecord.number == sheet
        )
    rows, total, nxt = paginate(session, query.order_by(DetectionRecord.position), paging,
                                request)
    return Page(items=[detection_out(r) for r in rows], total=total, limit=paging.limit,
                offset=paging.offset, next=nxt)


@router.get("/detections/{detection_id}", response_model=DetectionOut,
            responses=responses(404))
def get_detection(detection_id: str, session: DB) -> DetectionOut:
    """One detection: type, sheet, bbox, confidence, method and evidence."""
    row = session.get(DetectionRecord, detection_id)
    if row is None:
        raise not_found("detection", detection_id)
    return detection_out(row)
