"""Blueprints service: projects, plan-set uploads (each a new revision), their files and
their takeoff as the CLI's JSON contract."""

from __future__ import annotations

import logging
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from plansite.api import lookups
from plansite.api.pagination import Page, PageParams, page_params, paginate
from plansite.api.problems import ApiProblem, not_found, responses
from plansite.api.schemas import (
    FileOut,
    PlanSetOut,
    ProjectIn,
    ProjectOut,
    TakeoffDoc,
    UploadOut,
)
from plansite.api.services import Services, db, services
from plansite.api.uploads import UploadedFile, receive_files
from plansite.store.jobs import JobQueue
from plansite.store.models import Blob, Job, PlanFile, PlanSet, Project

log = logging.getLogger(__name__)

router = APIRouter(prefix="/api/v1", tags=["blueprints"])
DB = Annotated[Session, Depends(db)]
Paging = Annotated[PageParams, Depends(page_params)]

UPLOAD_BODY = {
    "requestBody": {
        "required": True,
        "content": {"multipart/form-data": {"schema": {
            "type": "object", "required": ["file"],
            "properties": {"file": {
                "type": "array", "items": {"type": "string", "format": "binary"},
                "description": "one or more drawings (PDF, DXF, PNG, JPEG, TIFF)",
            }},
        }}},
    }
}


@router.post("/projects", status_code=201, response_model=ProjectOut,
             responses=responses(422))
def create_project(body: ProjectIn, session: DB) -> ProjectOut:
    """Create a project; plan sets are uploaded into it."""
    project = Project(name=body.name.strip())
    session.add(project)
    session.commit()
    return ProjectOut.of(project)


@router.get("/projects", response_model=Page[ProjectOut])
def list_projects(session: DB, paging: Paging, request: Request) -> Page[ProjectOut]:
    """Projects, oldest first."""
    query = select(Project).order_by(Project.created_at, Project.id)
    rows, total, nxt = paginate(session, query, paging, request)
    return Page(items=[ProjectOut.of(p) for p in rows], total=total, limit=paging.limit,
                offset=paging.offset, next=nxt)


@router.get("/projects/{project_id}", response_model=ProjectOut, responses=responses(404))
def get_project(project_id: str, session: DB) -> ProjectOut:
    """One project."""
    return ProjectOut.of(lookups.project(session, project_id))


@router.post(
    "/projects/{project_id}/blueprints", status_code=202, response_model=UploadOut,
    openapi_extra=UPLOAD_BODY, responses=responses(400, 404, 413, 415, 422, 507),
)
async def upload_blueprints(
    project_id: str, request: Request, svc: Annotated[Services, Depends(services)]
) -> UploadOut:
    """Store the uploaded files (streamed, by content hash) as the project's next revision
    and queue its analysis; follow the returned ``job_id``."""
    def check_project() -> None:
        with svc.sessions() as session:
            lookups.project(session, project_id)

    await run_in_threadpool(check_project)
    files = await receive_files(request, svc.blobs, svc.settings.max_upload_bytes)
    out = await run_in_threadpool(_record_upload, svc, project_id, files)
    svc.wake_worker()
    log.info("project %s: revision %d uploaded (%d files), job %s",
             project_id, out.revision, len(files), out.job_id)
    return out


def _record_upload(svc: Services, project_id: str, files: list[UploadedFile]) -> UploadOut:
    """Plan set, files and job in one transaction; retried if two uploads race for the
    same revision number or the same new blob."""
    for attempt in range(5):
        try:
            return _insert_upload(svc, project_id, files)
        except IntegrityError:
            log.info("upload to project %s raced another; retry %d", project_id, attempt + 1)
    raise ApiProblem(409, "upload_conflict", "upload conflict",
                     "too many simultaneous uploads to this project; try again")


def _insert_upload(svc: Services, project_id: str, files: list[UploadedFile]) -> UploadOut:
    with svc.sessions.begin() as session:
        last = session.scalar(
            select(func.max(PlanSet.revision)).where(PlanSet.project_id == project_id)
        )
        plan_set = PlanSet(project_id=project_id, revision=(last or 0) + 1)
        session.add(plan_set)
        for f in {f.sha256: f for f in files}.values():
            if session.get(Blob, f.sha256) is None:
                session.add(Blob(sha256=f.sha256, size=f.size, kind=f.kind))
        session.flush()

        rows = [
            PlanFile(plan_set_id=plan_set.id, position=n, filename=f.filename,
                     blob_sha256=f.sha256)
            for n, f in enumerate(files)
        ]
        session.add_all(rows)
        job = JobQueue.enqueue(session, plan_set.id)
        return UploadOut(
            id=plan_set.id, job_id=job.id, project_id=project_id,
            revision=plan_set.revision, files=[FileOut.of(r) for r in rows],
        )


@router.get("/projects/{project_id}/blueprints", response_model=Page[PlanSetOut],
            responses=responses(404))
def list_plan_sets(
    project_id: str, session: DB, paging: Paging, request: Request
) -> Page[PlanSetOut]:
    """The project's plan sets by revision, each with its files and latest job."""
    lookups.project(session, project_id)
    query = (
        select(PlanSet).where(PlanSet.project_id == project_id).order_by(PlanSet.revision)
    )
    rows, total, nxt = paginate(session, query, paging, request)
    items = _plan_sets_out(session, list(rows))
    return Page(items=items, total=total, limit=paging.limit, offset=paging.offset, next=nxt)


@router.get("/blueprints/{plan_set_id}", response_model=PlanSetOut, responses=responses(404))
def get_plan_set(plan_set_id: str, session: DB) -> PlanSetOut:
    """A plan set, its files and its latest job."""
    return _plan_set_out(session, lookups.plan_set(session, plan_set_id))


def _plan_set_out(session: Session, ps: PlanSet) -> PlanSetOut:
    return _plan_sets_out(session, [ps])[0]


def _plan_sets_out(session: Session, plan_sets: list[PlanSet]) -> list[PlanSetOut]:
    """Plan sets with their files and latest job: two queries for the page, not two each."""
    ids = [ps.id for ps in plan_sets]
    files: dict[str, list[PlanFile]] = {i: [] for i in ids}
    for f in session.scalars(
        select(PlanFile).where(PlanFile.plan_set_id.in_(ids)).order_by(PlanFile.position)
    ):
        files[f.plan_set_id].append(f)

    latest: dict[str, Job] = {}
    for job in session.scalars(
        select(Job).where(Job.plan_set_id.in_(ids)).order_by(Job.created_at)
    ):
        latest[job.plan_set_id] = job
    return [PlanSetOut.of(ps, files[ps.id], latest.get(ps.id)) for ps in plan_sets]


@router.get("/blueprints/{plan_set_id}/takeoff", response_model=None,
            responses={200: {"model": TakeoffDoc}, **responses(404, 409)})
def get_takeoff(plan_set_id: str, session: DB) -> dict[str, Any]:
    """The takeoff as ``plansite analyze --format json`` prints it, merged over the plan
    set's files (sheets numbered through the set), plus a ``files`` list."""
    return lookups.takeoff(session, plan_set_id).result


@router.get(
    "/blueprints/{plan_set_id}/files/{file_id}", response_class=FileResponse,
    responses={**responses(404), 200: {"content": {"application/octet-stream": {}}}},
)
def download_file(
    plan_set_id: str, file_id: str, session: DB, svc: Annotated[Services, Depends(services)]
) -> FileResponse:
    """The original uploaded file, byte for byte."""
    row = session.get(PlanFile, file_id)
    if row is None or row.plan_set_id != plan_set_id:
        raise not_found("file", file_id)
    return FileResponse(svc.blobs.path_of(row.blob_sha256), filename=row.filename,
                        media_type="application/octet-stream")
