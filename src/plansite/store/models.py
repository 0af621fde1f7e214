"""Tables of the service: projects, plan sets and their files, jobs, takeoffs, sheets,
detections. Every change here needs a migration in ``store/migrations/versions``.

A plan set is one upload (one or more files) into a project; each new upload of the same
project is the next ``revision``. Files point at blobs by content hash, so the same drawing
uploaded twice is stored once. A plan set has at most one takeoff (unique ``plan_set_id``):
that constraint is the last guard against a job writing its result twice.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from plansite.store.db import Base


def new_id() -> str:
    return uuid.uuid4().hex


def utcnow() -> datetime:
    return datetime.now(UTC)


class Project(Base):
    __tablename__ = "projects"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Blob(Base):
    """One stored file content, named by its SHA-256."""

    __tablename__ = "blobs"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class PlanSet(Base):
    __tablename__ = "plan_sets"
    __table_args__ = (UniqueConstraint("project_id", "revision"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    project_id: Mapped[str] = mapped_column(ForeignKey("projects.id"), index=True)
    revision: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class PlanFile(Base):
    __tablename__ = "plan_files"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    plan_set_id: Mapped[str] = mapped_column(ForeignKey("plan_sets.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    filename: Mapped[str] = mapped_column(String(255))
    blob_sha256: Mapped[str] = mapped_column(ForeignKey("blobs.sha256"))


class Job(Base):
    """A unit of background work with a lease: see ``store/jobs.py`` for the protocol."""

    __tablename__ = "jobs"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    kind: Mapped[str] = mapped_column(String(32), default="analyze")
    plan_set_id: Mapped[str] = mapped_column(ForeignKey("plan_sets.id"), index=True)
    state: Mapped[str] = mapped_column(String(16), default="queued", index=True)
    stage: Mapped[str] = mapped_column(String(32), default="queued")
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    lease_owner: Mapped[str | None] = mapped_column(String(128), nullable=True)
    lease_expires_at: Mapped[datetime | None] = mapped_column(
        DateTime(timezone=True), nullable=True
    )
    error_code: Mapped[str | None] = mapped_column(String(64), nullable=True)
    error_message: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(
        DateTime(timezone=True), nullable=True
    )


class TakeoffRecord(Base):
    """The takeoff of a plan set: the CLI's JSON contract, merged over its files."""

    __tablename__ = "takeoffs"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    plan_set_id: Mapped[str] = mapped_column(ForeignKey("plan_sets.id"), unique=True)
    job_id: Mapped[str] = mapped_column(ForeignKey("jobs.id"))
    result: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class SheetRecord(Base):
    """One page or layout of a plan set; ``number`` is its 1-based place in the set."""

    __tablename__ = "sheets"
    __table_args__ = (UniqueConstraint("plan_set_id", "number"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    plan_set_id: Mapped[str] = mapped_column(ForeignKey("plan_sets.id"), index=True)
    file_id: Mapped[str] = mapped_column(ForeignKey("plan_files.id"))
    number: Mapped[int] = mapped_column(Integer)
    page_index: Mapped[int] = mapped_column(Integer)
    summary: Mapped[dict[str, Any]] = mapped_column(JSON)


class DetectionRecord(Base):
    __tablename__ = "detections"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    plan_set_id: Mapped[str] = mapped_column(ForeignKey("plan_sets.id"), index=True)
    sheet_id: Mapped[str] = mapped_column(ForeignKey("sheets.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    fixture_type: Mapped[str] = mapped_column(String(64), index=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
