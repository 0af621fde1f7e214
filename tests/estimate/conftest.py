"""Databases for the estimating tests: a migrated SQLite file, and a migrated schema of its
own in the local PostgreSQL, made for this run and dropped after it."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest

from plansite.store.migrate import upgrade
from plansite.store.models import Job, PlanSet, Project, TakeoffRecord

PG_ADMIN = os.environ.get("PLANSITE_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    url = f"sqlite:///{tmp_path / 'estimate.db'}"
    upgrade(url)
    return url


@pytest.fixture
def pg_url() -> Iterator[str]:
    psycopg = pytest.importorskip("psycopg")
    schema = f"estimate_test_{uuid.uuid4().hex[:10]}"
    try:
        with psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'CREATE SCHEMA "{schema}"')
    except psycopg.OperationalError as exc:
        pytest.skip(f"no PostgreSQL at {PG_ADMIN}: {exc}")

    base = PG_ADMIN.replace("postgresql://", "postgresql+psycopg://", 1)
    sep = "&" if "?" in base else "?"
    url = f"{base}{sep}options=-csearch_path%3D{schema}"
    try:
        upgrade(url)
        yield url
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request) -> str:
    """Run a test on both backends."""
    return request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "pg_url")


def store_plan_set(app, takeoff: dict, name: str = "estimate api test") -> str:
    """Store a plan set and its machine takeoff the way the worker would; return its id."""
    with app.state.services.sessions() as session:
        project = Project(name=name)
        session.add(project)
        session.flush()
        plan_set = PlanSet(project_id=project.id, revision=1)
        session.add(plan_set)
        session.flush()
        job = Job(plan_set_id=plan_set.id, state="succeeded")
        session.add(job)
        session.flush()
        session.add(TakeoffRecord(plan_set_id=plan_set.id, job_id=job.id, result=takeoff))
        session.commit()
        return plan_set.id
