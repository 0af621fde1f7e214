"""Render service: a sheet with its detections marked, and the counts as CSV."""

from __future__ import annotations

import csv
import io
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from plansite.api import lookups
from plansite.api.parse_routes import DPI, PNG, render_cache, sheet_source
from plansite.api.problems import responses
from plansite.api.services import Services, db, services
from plansite.api.sheet_images import sheet_png
from plansite.store.models import DetectionRecord

router = APIRouter(prefix="/api/v1/render", tags=["render"])
DB = Annotated[Session, Depends(db)]


@router.get("/sheets/{sheet_id}/marked.png", response_class=Response,
            responses={**PNG, **responses(404, 413, 415, 422)})
def marked_sheet(
    sheet_id: str, session: DB, svc: Annotated[Services, Depends(services)], dpi: DPI = 96
) -> Response:
    """The sheet at ``dpi`` with a labelled box around each counted detection."""
    row = lookups.sheet(session, sheet_id)
    marks = [
        d.data for d in session.scalars(
            select(DetectionRecord).where(DetectionRecord.sheet_id == sheet_id)
        )
    ]
    path, kind = sheet_source(session, svc, row)
    png = sheet_png(path, kind, row.page_index, dpi, render_cache(svc), marks)
    return Response(png, media_type="image/png")


@router.get("/blueprints/{plan_set_id}/counts.csv", response_class=Response,
            responses={200: {"content": {"text/csv": {}}}, **responses(404, 409)})
def counts_csv(
    plan_set_id: str, session: DB,
    by: Annotated[str, Query(pattern="^(type|sheet)$", description="rows per type or "
                             "per sheet and type")] = "type",
) -> Response:
    """Fixture counts for a spreadsheet: ``fixture_type,count`` (or per sheet)."""
    result = lookups.takeoff(session, plan_set_id).result

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    if by == "type":
        writer.writerow(["fixture_type", "count"])
        writer.writerows(sorted(result["counts"].items()))
    else:
        writer.writerow(["sheet", "sheet_number", "title", "fixture_type", "count"])
        for s in result["sheets"]:
            for fixture, count in sorted(s["counts"].items()):
                writer.writerow([s["sheet"], s["number"], s["title"], fixture, count])

    name = f"plan-set-{plan_set_id[:8]}-counts.csv"
    return Response(out.getvalue(), media_type="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
