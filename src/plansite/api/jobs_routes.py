"""Jobs: state by polling (``GET /jobs/{id}``) or as a server-sent-event stream.

The stream sends an ``event: job`` with the job's JSON each time stage, percent or state
changes, and ends after the terminal state (``succeeded`` or ``failed``). It reads the
database, not worker memory, so it works whichever process runs the job.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from plansite.api.pagination import Page, PageParams, page_params, paginate
from plansite.api.problems import not_found, responses
from plansite.api.schemas import JobOut, JobState
from plansite.api.services import Services, db, services
from plansite.store.jobs import TERMINAL
from plansite.store.models import Job

router = APIRouter(prefix="/api/v1/jobs", tags=["jobs"])
DB = Annotated[Session, Depends(db)]

EVENT_POLL_S = 0.25
KEEPALIVE_S = 15.0


@router.get("", response_model=Page[JobOut])
def list_jobs(
    session: DB, paging: Annotated[PageParams, Depends(page_params)], request: Request,
    state: Annotated[JobState | None, Query(description="only jobs in this state")] = None,
) -> Page[JobOut]:
    """Jobs, oldest first; ``state`` keeps only jobs in that state."""
    query = select(Job).order_by(Job.created_at, Job.id)
    if state:
        query = query.where(Job.state == state)
    rows, total, nxt = paginate(session, query, paging, request)
    return Page(items=[JobOut.of(j) for j in rows], total=total, limit=paging.limit,
                offset=paging.offset, next=nxt)


@router.get("/{job_id}", response_model=JobOut, responses=responses(404))
def get_job(job_id: str, session: DB) -> JobOut:
    """A job's state: queued, running (stage, percent), succeeded, or failed (reason)."""
    job = session.get(Job, job_id)
    if job is None:
        raise not_found("job", job_id)
    return JobOut.of(job)


@router.get(
    "/{job_id}/events", response_class=StreamingResponse,
    responses={**responses(404), 200: {"content": {"text/event-stream": {}}}},
)
async def job_events(
    job_id: str, request: Request, svc: Annotated[Services, Depends(services)]
) -> StreamingResponse:
    """Server-sent events: one ``job`` event per change, until the job finishes."""
    first = await run_in_threadpool(_read, svc, job_id)
    if first is None:
        raise not_found("job", job_id)
    return StreamingResponse(
        _stream(request, svc, job_id, first), media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


def _read(svc: Services, job_id: str) -> JobOut | None:
    with svc.sessions() as session:
        job = session.get(Job, job_id)
        return JobOut.of(job) if job else None


async def _stream(
    request: Request, svc: Services, job_id: str, job: JobOut
) -> AsyncIterator[str]:
    """Yield an event per change; a comment line keeps idle proxies from closing."""
    sent = None
    idle = 0.0
    while True:
        key = (job.state, job.stage, job.progress)
        if key != sent:
            yield f"event: job\ndata: {json.dumps(job.model_dump(mode='json'))}\n\n"
            sent, idle = key, 0.0
        if job.state in TERMINAL or await request.is_disconnected():
            return

        await asyncio.sleep(EVENT_POLL_S)
        idle += EVENT_POLL_S
        if idle >= KEEPALIVE_S:
            yield ": keep-alive\n\n"
            idle = 0.0
        job = await run_in_threadpool(_read, svc, job_id) or job
