"""Request and response bodies of the API, as they appear in the OpenAPI document."""

from __future__ import annotations

import unicodedata
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from plansite.store.jobs import as_utc
from plansite.store.models import Job, PlanFile, PlanSet, Project

JobState = Literal["queued", "running", "succeeded", "failed"]


class ProjectIn(BaseModel):
    name: str = Field(min_length=1, max_length=200)

    @field_validator("name")
    @classmethod
    def _printable(cls, name: str) -> str:
        """A name is shown in lists and file headers, and PostgreSQL text refuses NUL: no
        control characters (NUL, newline, escape...) and not blank."""
        if any(unicodedata.category(c) == "Cc" for c in name):
            raise ValueError("must not contain control characters such as NUL or newline")
        if not name.strip():
            raise ValueError("must not be blank")
        return name


class ProjectOut(BaseModel):
    id: str
    name: str
    created_at: datetime

    @classmethod
    def of(cls, p: Project) -> ProjectOut:
        return cls(id=p.id, name=p.name, created_at=as_utc(p.created_at))


class JobError(BaseModel):
    code: str
    message: str


class JobOut(BaseModel):
    """A job's state; ``progress`` is a percent, ``stage`` names what it is doing."""

    id: str
    kind: str
    plan_set_id: str
    state: JobState
    stage: str
    progress: float
    attempts: int
    error: JobError | None = None
    created_at: datetime
    started_at: datetime | None = None
    finished_at: datetime | None = None
    links: dict[str, str] = {}

    @classmethod
    def of(cls, j: Job) -> JobOut:
        error = None
        if j.state == "failed":
            error = JobError(code=j.error_code or "failed", message=j.error_message or "")
        return cls(
            id=j.id, kind=j.kind, plan_set_id=j.plan_set_id, state=j.state, stage=j.stage,
            progress=j.progress, attempts=j.attempts, error=error,
            created_at=as_utc(j.created_at), started_at=as_utc(j.started_at),
            finished_at=as_utc(j.finished_at),
            links={
                "self": f"/api/v1/jobs/{j.id}", "events": f"/api/v1/jobs/{j.id}/events",
                "takeoff": f"/api/v1/blueprints/{j.plan_set_id}/takeoff",
            },
        )


class FileOut(BaseModel):
    id: str
    filename: str
    sha256: str
    position: int

    @classmethod
    def of(cls, f: PlanFile) -> FileOut:
        return cls(id=f.id, filename=f.filename, sha256=f.blob_sha256, position=f.position)


class PlanSetOut(BaseModel):
    id: str
    project_id: str
    revision: int
    created_at: datetime
    files: list[FileOut]
    job: JobOut | None = None

    @classmethod
    def of(cls, ps: PlanSet, files: list[PlanFile], job: Job | None) -> PlanSetOut:
        return cls(
            id=ps.id, project_id=ps.project_id, revision=ps.revision,
            created_at=as_utc(ps.created_at), files=[FileOut.of(f) for f in files],
            job=JobOut.of(job) if job else None,
        )


class UploadOut(BaseModel):
    """The answer to an upload: the new plan set and the job analysing it."""

    id: str
    job_id: str
    project_id: str
    revision: int
    files: list[FileOut]


class SheetOut(BaseModel):
    """One sheet: the takeoff's per-sheet summary (counts, scale, title) and its ids."""

    id: str
    plan_set_id: str
    file_id: str
    sheet: int
    page_index: int
    summary: dict[str, Any]
    links: dict[str, str] = {}


class DetectionOut(BaseModel):
    """One detection as the takeoff contract has it, with its ids."""

    id: str
    plan_set_id: str
    sheet_id: str
    detection: dict[str, Any]


class TakeoffDoc(BaseModel):
    """The takeoff contract (``Takeoff.to_dict()``), documented for the OpenAPI document.

    Only the top level is spelled out; the nested objects are the CLI's and are returned
    as stored, without re-validation.
    """

    model_config = ConfigDict(extra="allow")

    source: str
    kind: str
    status: Literal["success", "partial", "failed"]
    counts: dict[str, int]
    total_fixtures: int
    sheets: list[dict[str, Any]]
    detections: list[dict[str, Any]]
    pipe_runs: list[dict[str, Any]]
    pipe_totals_ft: dict[str, float]
    errors: list[dict[str, Any]]
    files: list[dict[str, Any]] = Field(
        description="the plan set's files in upload order, with their first sheet number"
    )


class ChatIn(BaseModel):
    plan_set_id: str
    question: str = Field(min_length=1, max_length=2000)


class ChatOut(BaseModel):
    """A deterministic answer from the takeoff; ``llm`` is null: no language model is used."""

    answer: str
    llm: str | None = None
    facts: dict[str, Any] = {}
