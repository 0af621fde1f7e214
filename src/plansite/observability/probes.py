"""Readiness checks and job-table figures read from the API's running services.

The services (database engine, blob store, worker) are opened by the app's lifespan, after
``create_app`` returns, so each probe looks them up on ``app.state.services`` when called.
The queue is the ``jobs`` table (store/jobs.py), so "queue" readiness is that table being
readable, and queue depth and lag come from it.
"""

from __future__ import annotations

import logging
import os
from datetime import UTC

from sqlalchemy import func, select, text

from plansite.observability.health import Check, NotReady
from plansite.observability.metrics import JobStats, JobStatsSource

log = logging.getLogger(__name__)

PENDING_STATES = ("queued", "running")


def _services(app):
    services = getattr(app.state, "services", None)
    if services is None:
        raise NotReady("services not opened yet (server still starting)")
    return services


def readiness_checks(app) -> dict[str, Check]:
    """``database``, ``blob_store`` and ``queue`` checks for ``GET /ready``."""

    def database() -> None:
        with _services(app).engine.connect() as conn:
            conn.execute(text("SELECT 1"))

    def blob_store() -> None:
        root = _services(app).blobs.root
        # The folder is named in the log, not in the answer, which any caller can read.
        if not root.is_dir():
            log.warning("blob folder %s does not exist", root)
            raise NotReady("blob folder does not exist (PLANSITE_BLOB_DIR)")
        if not os.access(root, os.W_OK):
            log.warning("blob folder %s is not writable by this process", root)
            raise NotReady("blob folder is not writable by this process (PLANSITE_BLOB_DIR)")

    def queue() -> None:
        from plansite.store.models import Job

        with _services(app).sessions() as session:
            session.execute(select(Job.id).limit(1)).all()

    return {"database": database, "blob_store": blob_store, "queue": queue}


def job_table_stats(app) -> JobStatsSource:
    """Reader of pending job counts and the oldest queued job, for ``/metrics``."""

    def read() -> JobStats:
        from plansite.store.models import Job

        with _services(app).sessions() as session:
            rows = session.execute(
                select(Job.state, func.count())
                .where(Job.state.in_(PENDING_STATES))
                .group_by(Job.state)
            ).all()
            oldest = session.scalar(
                select(func.min(Job.created_at)).where(Job.state == "queued")
            )
        pending = {state: 0 for state in PENDING_STATES}
        pending.update({state: int(count) for state, count in rows})
        oldest_at = None
        if oldest is not None:
            # SQLite hands back naive datetimes; the column stores UTC.
            if oldest.tzinfo is None:
                oldest = oldest.replace(tzinfo=UTC)
            oldest_at = oldest.timestamp()
        return JobStats(pending=pending, oldest_queued_at=oldest_at)

    return read
