"""A durable job queue in the database, with leases, so no job is lost or applied twice.

The protocol, which holds on SQLite and PostgreSQL alike because it uses only single-row
compare-and-set updates:

- **claim**: a worker takes the oldest job that is ``queued``, or ``running`` with an expired
  lease, by an UPDATE conditioned on the ``attempts`` value it read. Two workers racing for
  one job both issue the update; exactly one matches a row. ``attempts`` is the fencing
  token of that claim.
- **heartbeat**: while it runs, the worker extends its lease (and records stage and
  progress) with an UPDATE conditioned on owner and attempt. Zero rows means the lease was
  lost (the worker stalled past its lease and someone else took the job): it must stop.
- **complete / fail**: the final state is written with the same condition *in the same
  transaction as the result*, so a worker that lost its lease writes nothing. A unique
  constraint on the takeoff's plan set is the second guard.
- **restart**: on start, jobs held by a dead process of this host are put back at once;
  jobs of other hosts come back when their lease expires. A job that was taken
  ``max_attempts`` times without finishing (it crashes or kills its worker every time) is
  failed with a reason instead of looping forever.

Shortcoming: a dead owner is recognised by host name and process id; if the id was reused
by an unrelated process, its jobs wait for the lease to expire instead.
"""

from __future__ import annotations

import logging
import os
import socket
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from plansite.store.models import Job, utcnow

log = logging.getLogger(__name__)

TERMINAL = ("succeeded", "failed")


class LeaseLost(Exception):
    """The worker no longer owns the job; its result must not be written."""


@dataclass(frozen=True)
class Claim:
    job_id: str
    plan_set_id: str
    attempt: int
    owner: str


class JobQueue:
    def __init__(
        self, sessions: sessionmaker[Session], owner: str, lease_s: float, max_attempts: int
    ) -> None:
        self.sessions = sessions
        self.owner = owner
        self.lease = timedelta(seconds=lease_s)
        self.max_attempts = max_attempts

    # -- producer side ------------------------------------------------------------------

    @staticmethod
    def enqueue(session: Session, plan_set_id: str, kind: str = "analyze") -> Job:
        """Add a job in the caller's transaction, so the upload and its job commit together."""
        job = Job(kind=kind, plan_set_id=plan_set_id, state="queued", stage="queued")
        session.add(job)
        session.flush()
        return job

    # -- worker side --------------------------------------------------------------------

    def claim(self) -> Claim | None:
        """Take the next runnable job, or return None when there is none."""
        now = utcnow()
        runnable = or_(
            Job.state == "queued",
            and_(Job.state == "running", Job.lease_expires_at < now),
        )
        with self.sessions.begin() as session:
            candidates = session.execute(
                select(Job.id, Job.plan_set_id, Job.attempts)
                .where(runnable)
                .order_by(Job.created_at)
                .limit(5)
            ).all()

        for job_id, plan_set_id, attempts in candidates:
            if attempts >= self.max_attempts:
                self._give_up(job_id, attempts, runnable)
                continue
            values = {
                "state": "running", "stage": "starting", "lease_owner": self.owner,
                "lease_expires_at": now + self.lease, "attempts": attempts + 1, "started_at": now,
            }
            if self._cas(job_id, attempts, runnable, values):
                log.info("job %s claimed by %s (attempt %d)", job_id, self.owner, attempts + 1)
                return Claim(job_id, plan_set_id, attempts + 1, self.owner)
        return None

    def heartbeat(self, claim: Claim, stage: str, progress: float) -> bool:
        """Extend the lease and record progress; False when the lease was lost."""
        values = {
            "stage": stage, "progress": round(progress, 1),
            "lease_expires_at": utcnow() + self.lease,
        }
        return self._fenced(claim, values, None)

    def complete(self, session: Session, claim: Claim) -> None:
        """Mark the job done inside ``session``, the transaction that holds its result."""
        values = {
            "state": "succeeded", "stage": "done", "progress": 100.0, "finished_at": utcnow(),
            "lease_owner": None, "lease_expires_at": None,
        }
        if not self._fenced(claim, values, session):
            raise LeaseLost(f"job {claim.job_id}: lease lost before completion")

    def fail(self, claim: Claim, code: str, message: str) -> bool:
        values = {
            "state": "failed", "stage": "failed", "finished_at": utcnow(), "error_code": code,
            "error_message": message, "lease_owner": None, "lease_expires_at": None,
        }
        return self._fenced(claim, values, None)

    def release_dead_local(self) -> int:
        """Put back jobs held by processes of this host that no longer exist."""
        host = socket.gethostname()
        with self.sessions.begin() as session:
            held = session.execute(
                select(Job.id, Job.lease_owner).where(Job.state == "running")
            ).all()
        dead = [job_id for job_id, owner in held if _is_dead_local(owner, host, self.owner)]
        if not dead:
            return 0

        with self.sessions.begin() as session:
            session.execute(
                update(Job)
                .where(Job.id.in_(dead), Job.state == "running")
                .values(state="queued", stage="queued", lease_owner=None,
                        lease_expires_at=None)
            )
        log.warning(
            "re-queued %d job(s) interrupted by a restart: %s", len(dead), ", ".join(dead)
        )
        return len(dead)

    def release_own(self) -> int:
        """Put back the jobs this worker holds (clean shutdown); late results are fenced."""
        with self.sessions.begin() as session:
            released = session.execute(
                update(Job)
                .where(Job.lease_owner == self.owner, Job.state == "running")
                .values(state="queued", stage="queued", lease_owner=None,
                        lease_expires_at=None)
            ).rowcount
        if released:
            log.warning("shutdown: %d running job(s) put back in the queue for the next "
                        "start", released)
        return released

    # -- helpers ------------------------------------------------------------------------

    def _cas(self, job_id: str, attempts: int, runnable, values: dict) -> bool:
        with self.sessions.begin() as session:
            result = session.execute(
                update(Job)
                .where(Job.id == job_id, Job.attempts == attempts, runnable)
                .values(**values)
            )
            return result.rowcount == 1

    def _fenced(self, claim: Claim, values: dict, session: Session | None) -> bool:
        stmt = (
            update(Job)
            .where(
                Job.id == claim.job_id,
                Job.lease_owner == claim.owner,
                Job.attempts == claim.attempt,
                Job.state == "running",
            )
            .values(**values)
        )
        if session is not None:
            return session.execute(stmt).rowcount == 1
        with self.sessions.begin() as own:
            return own.execute(stmt).rowcount == 1

    def _give_up(self, job_id: str, attempts: int, runnable) -> None:
        message = (
            f"analysis was interrupted {attempts} times without finishing (the server "
            "stopped or was killed while it ran); the file may be too large for this "
            "server's memory - try splitting the plan set, or ask the operator to check "
            "the server log for this job id"
        )
        values = {
            "state": "failed", "stage": "failed", "finished_at": utcnow(),
            "error_code": "job_abandoned", "error_message": message, "lease_owner": None,
            "lease_expires_at": None,
        }
        if self._cas(job_id, attempts, runnable, values):
            log.error("job %s failed after %d interrupted attempts", job_id, attempts)


def _is_dead_local(owner: str | None, host: str, me: str) -> bool:
    if not owner or owner == me:
        return False
    owner_host, _, pid = owner.rpartition(":")
    if owner_host != host or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def as_utc(value: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; every time we store is UTC."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)
