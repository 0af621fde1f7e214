"""The lease protocol of ``store/jobs.py``, in-process on SQLite and PostgreSQL: one winner
per claim, a stalled worker's late result is refused, a job that keeps dying is failed."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import select

from plansite.store import migrate
from plansite.store.db import make_engine, make_session_factory
from plansite.store.jobs import JobQueue, LeaseLost
from plansite.store.models import Job, PlanSet, Project


@pytest.fixture(params=["sqlite", "postgresql"])
def sessions(request, tmp_path):
    """The same protocol on both backends; PostgreSQL in a database made for the test."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'q.db'}"
    else:
        url = request.getfixturevalue("pg_database")
    migrate.upgrade(url)
    engine = make_engine(url)
    yield make_session_factory(engine)
    engine.dispose()


def _job(sessions) -> str:
    with sessions.begin() as s:
        project = Project(name="q")
        s.add(project)
        s.flush()
        plan_set = PlanSet(project_id=project.id, revision=1)
        s.add(plan_set)
        s.flush()
        return JobQueue.enqueue(s, plan_set.id).id


def test_only_one_worker_wins_a_claim(sessions) -> None:
    job_id = _job(sessions)
    a = JobQueue(sessions, "host:1", 30, 3)
    b = JobQueue(sessions, "host:2", 30, 3)
    claims = [a.claim(), b.claim()]
    assert [c is not None for c in claims].count(True) == 1
    assert next(c for c in claims if c).job_id == job_id


def test_expired_lease_moves_the_job_and_fences_the_old_owner(sessions) -> None:
    _job(sessions)
    slow = JobQueue(sessions, "host:1", 0.05, 3)
    fast = JobQueue(sessions, "host:2", 30, 3)
    first = slow.claim()
    time.sleep(0.1)
    second = fast.claim()
    assert second is not None and second.attempt == 2

    assert not slow.heartbeat(first, "detect", 50.0)
    with pytest.raises(LeaseLost), sessions.begin() as s:
        slow.complete(s, first)
    with sessions.begin() as s:
        fast.complete(s, second)
    with sessions() as s:
        job = s.scalars(select(Job)).one()
    assert (job.state, job.attempts) == ("succeeded", 2)


def test_job_that_keeps_dying_is_failed_with_a_reason(sessions) -> None:
    _job(sessions)
    queue = JobQueue(sessions, "host:1", 0.01, 2)
    assert queue.claim() is not None
    time.sleep(0.05)
    assert queue.claim() is not None
    time.sleep(0.05)
    assert queue.claim() is None
    with sessions() as s:
        job = s.scalars(select(Job)).one()
    assert job.state == "failed" and job.error_code == "job_abandoned"
    assert "interrupted 2 times" in job.error_message


def test_dead_local_owner_is_released_at_once(sessions) -> None:
    import socket

    _job(sessions)
    dead = JobQueue(sessions, f"{socket.gethostname()}:999999999", 3600, 3)
    assert dead.claim() is not None
    alive = JobQueue(sessions, f"{socket.gethostname()}:1", 3600, 3)
    assert alive.release_dead_local() == 1
    assert alive.claim().attempt == 2


def test_clean_shutdown_puts_running_jobs_back(sessions) -> None:
    _job(sessions)
    queue = JobQueue(sessions, "host:1", 3600, 3)
    claim = queue.claim()
    assert queue.release_own() == 1
    assert not queue.heartbeat(claim, "detect", 10.0), "the old claim must be fenced off"
    assert JobQueue(sessions, "host:2", 3600, 3).claim().attempt == 2


def test_racing_workers_claim_each_job_exactly_once(sessions) -> None:
    import threading

    jobs = {_job(sessions) for _ in range(12)}
    claimed: list[str] = []
    lock = threading.Lock()

    def drain(owner: str) -> None:
        queue = JobQueue(sessions, owner, 3600, 3)
        while (claim := queue.claim()) is not None:
            with lock:
                claimed.append(claim.job_id)

    threads = [threading.Thread(target=drain, args=(f"host:{n}",)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(claimed) == sorted(jobs)
