"""Initial schema: projects, blobs, plan sets and files, jobs, takeoffs, sheets, detections.

Revision ID: 0001
Revises:
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

ID = sa.String(length=32)


def _when(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _ref(name: str, target: str, table: str, type_=ID) -> list:
    """A foreign-key column and its constraint, named as ``db.NAMING`` would."""
    fk_name = f"fk_{table}_{name}_{target.split('.')[0]}"
    return [
        sa.Column(name, type_, nullable=False),
        sa.ForeignKeyConstraint([name], [target], name=op.f(fk_name)),
    ]


def _index(table: str, *columns: str) -> None:
    with op.batch_alter_table(table) as batch:
        for column in columns:
            batch.create_index(batch.f(f"ix_{table}_{column}"), [column], unique=False)


def upgrade() -> None:
    op.create_table(
        "blobs",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        _when("created_at"),
        sa.PrimaryKeyConstraint("sha256", name=op.f("pk_blobs")),
    )
    op.create_table(
        "projects",
        sa.Column("id", ID, nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        _when("created_at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_projects")),
    )
    op.create_table(
        "plan_sets",
        sa.Column("id", ID, nullable=False),
        *_ref("project_id", "projects.id", "plan_sets"),
        sa.Column("revision", sa.Integer(), nullable=False),
        _when("created_at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_sets")),
        sa.UniqueConstraint("project_id", "revision", name=op.f("uq_plan_sets_project_id")),
    )
    _index("plan_sets", "project_id")

    op.create_table(
        "jobs",
        sa.Column("id", ID, nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        *_ref("plan_set_id", "plan_sets.id", "jobs"),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("stage", sa.String(length=32), nullable=False),
        sa.Column("progress", sa.Float(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("lease_owner", sa.String(length=128), nullable=True),
        _when("lease_expires_at", nullable=True),
        sa.Column("error_code", sa.String(length=64), nullable=True),
        sa.Column("error_message", sa.Text(), nullable=True),
        _when("created_at"),
        _when("started_at", nullable=True),
        _when("finished_at", nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jobs")),
    )
    _index("jobs", "plan_set_id", "state")

    op.create_table(
        "plan_files",
        sa.Column("id", ID, nullable=False),
        *_ref("plan_set_id", "plan_sets.id", "plan_files"),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        *_ref("blob_sha256", "blobs.sha256", "plan_files", sa.String(length=64)),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_files")),
    )
    _index("plan_files", "plan_set_id")

    op.create_table(
        "sheets",
        sa.Column("id", ID, nullable=False),
        *_ref("plan_set_id", "plan_sets.id", "sheets"),
        *_ref("file_id", "plan_files.id", "sheets"),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("page_index", sa.Integer(), nullable=False),
        sa.Column("summary", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sheets")),
        sa.UniqueConstraint("plan_set_id", "number", name=op.f("uq_sheets_plan_set_id")),
    )
    _index("sheets", "plan_set_id")

    op.create_table(
        "takeoffs",
        sa.Column("id", ID, nullable=False),
        *_ref("plan_set_id", "plan_sets.id", "takeoffs"),
        *_ref("job_id", "jobs.id", "takeoffs"),
        sa.Column("result", sa.JSON(), nullable=False),
        _when("created_at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_takeoffs")),
        sa.UniqueConstraint("plan_set_id", name=op.f("uq_takeoffs_plan_set_id")),
    )
    op.create_table(
        "detections",
        sa.Column("id", ID, nullable=False),
        *_ref("plan_set_id", "plan_sets.id", "detections"),
        *_ref("sheet_id", "sheets.id", "detections"),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("fixture_type", sa.String(length=64), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_detections")),
    )
    _index("detections", "fixture_type", "plan_set_id", "sheet_id")


def downgrade() -> None:
    for table in ("detections", "takeoffs", "sheets", "plan_files", "jobs", "plan_sets"):
        op.drop_table(table)
    op.drop_table("projects")
    op.drop_table("blobs")
