"""Parse service: the sheets of a plan set (number, title, discipline, scale, per-sheet
counts) and each sheet's original image at a chosen DPI."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from plansite.api import lookups
from plansite.api.pagination import Page, PageParams, page_params, paginate
from plansite.api.problems import responses
from plansite.api.schemas import SheetOut
from plansite.api.services import Services, db, services
from plansite.api.sheet_images import MAX_DPI, MIN_DPI, sheet_png
from plansite.store.models import Blob, PlanFile, SheetRecord

router = APIRouter(prefix="/api/v1/parse", tags=["parse"])
DB = Annotated[Session, Depends(db)]
DPI = Annotated[int, Query(ge=MIN_DPI, le=MAX_DPI, description="dots per inch")]
PNG = {200: {"content": {"image/png": {}}, "description": "PNG image"}}


def sheet_out(row: SheetRecord) -> SheetOut:
    return SheetOut(
        id=row.id, plan_set_id=row.plan_set_id, file_id=row.file_id, sheet=row.number,
        page_index=row.page_index, summary=row.summary,
        links={
            "image": f"/api/v1/parse/sheets/{row.id}/image",
            "marked": f"/api/v1/render/sheets/{row.id}/marked.png",
            "detections": f"/api/v1/detect/blueprints/{row.plan_set_id}/detections"
                          f"?sheet={row.number}",
        },
    )


@router.get("/blueprints/{plan_set_id}/sheets", response_model=Page[SheetOut],
            responses=responses(404, 409))
def list_sheets(
    plan_set_id: str, session: DB, paging: Annotated[PageParams, Depends(page_params)],
    request: Request,
) -> Page[SheetOut]:
    """The plan set's sheets in order, each with its part of the takeoff."""
    lookups.takeoff(session, plan_set_id)
    query = (
        select(SheetRecord).where(SheetRecord.plan_set_id == plan_set_id)
        .order_by(SheetRecord.number)
    )
    rows, total, nxt = paginate(session, query, paging, request)
    return Page(items=[sheet_out(r) for r in rows], total=total, limit=paging.limit,
                offset=paging.offset, next=nxt)


@router.get("/sheets/{sheet_id}", response_model=SheetOut, responses=responses(404))
def get_sheet(sheet_id: str, session: DB) -> SheetOut:
    """One sheet's part of the takeoff: its counts, scale, title and discipline."""
    return sheet_out(lookups.sheet(session, sheet_id))


@router.get("/sheets/{sheet_id}/image", response_class=Response,
            responses={**PNG, **responses(404, 413, 415, 422)})
def sheet_image(
    sheet_id: str, session: DB, svc: Annotated[Services, Depends(services)], dpi: DPI = 96
) -> Response:
    """The sheet as drawn in the uploaded file, rasterised at ``dpi``."""
    row = lookups.sheet(session, sheet_id)
    path, kind = sheet_source(session, svc, row)
    png = sheet_png(path, kind, row.page_index, dpi, render_cache(svc))
    return Response(png, media_type="image/png")


def render_cache(svc: Services) -> Path:
    return svc.settings.data_dir / "renders"


def sheet_source(session: Session, svc: Services, row: SheetRecord):
    """The blob path and file kind a sheet was read from."""
    plan_file = session.get(PlanFile, row.file_id)
    blob = session.get(Blob, plan_file.blob_sha256)
    return svc.blobs.path_of(blob.sha256), blob.kind
