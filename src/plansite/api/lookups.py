"""Fetch-or-404 helpers the routers share, so every missing id gets the same problem."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from plansite.api.problems import ApiProblem, not_found
from plansite.store.models import Job, PlanSet, Project, SheetRecord, TakeoffRecord


def project(session: Session, project_id: str) -> Project:
    found = session.get(Project, project_id)
    if found is None:
        raise not_found("project", project_id)
    return found


def plan_set(session: Session, plan_set_id: str) -> PlanSet:
    found = session.get(PlanSet, plan_set_id)
    if found is None:
        raise not_found("plan_set", plan_set_id)
    return found


def sheet(session: Session, sheet_id: str) -> SheetRecord:
    found = session.get(SheetRecord, sheet_id)
    if found is None:
        raise not_found("sheet", sheet_id)
    return found


def latest_job(session: Session, plan_set_id: str) -> Job | None:
    return session.scalars(
        select(Job).where(Job.plan_set_id == plan_set_id).order_by(Job.created_at.desc())
    ).first()


def takeoff(session: Session, plan_set_id: str) -> TakeoffRecord:
    """The stored takeoff, or a 409 problem that says why there is none yet."""
    plan_set(session, plan_set_id)
    found = session.scalars(
        select(TakeoffRecord).where(TakeoffRecord.plan_set_id == plan_set_id)
    ).first()
    if found is not None:
        return found

    job = latest_job(session, plan_set_id)
    if job is not None and job.state == "failed":
        raise ApiProblem(409, "analysis_failed", "analysis failed",
                         f"{job.error_message} (job {job.id}, code {job.error_code})")
    state = f"{job.state}, {job.progress:.0f}%" if job else "no job"
    raise ApiProblem(409, "takeoff_not_ready", "takeoff not ready",
                     f"the analysis has not finished ({state}); "
                     f"follow /api/v1/jobs/{job.id if job else ''}")
