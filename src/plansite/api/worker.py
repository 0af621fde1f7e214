"""The in-process worker of ``plansite serve``: threads that claim analysis jobs and run them.

Each thread claims a job (``store/jobs.py``), analyses the plan set's files one after the
other with ``analyze_path``, and writes the takeoff and the job's success in one
transaction. While a job runs, a ticker renews its lease and records stage and percent
twice a second, so ``GET /api/v1/jobs/{id}`` and its event stream show live progress.

Each file is analysed in a child process (``analysis_process.py``): PyMuPDF is not
thread-safe, the engine's CPU work must not hold the API's interpreter lock, and a file that
crashes the engine must fail its job, not the server. Shortcoming: a job's files are
analysed one after the other, not in parallel.
"""

from __future__ import annotations

import logging
import shutil
import threading
import time
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from plansite.api.analysis_process import AnalysisFailed, analyze_in_child
from plansite.api.uploads import safe_filename
from plansite.observability import metrics
from plansite.observability.logs import job_correlation
from plansite.settings import Settings
from plansite.store import results
from plansite.store.blobs import BlobStore
from plansite.store.jobs import Claim, JobQueue, LeaseLost
from plansite.store.models import PlanFile

log = logging.getLogger(__name__)

POLL_S = 0.5
TICK_S = 0.5


class Worker:
    """A pool of job threads; ``wake()`` lets an upload start its job without polling delay."""

    def __init__(
        self, settings: Settings, sessions: sessionmaker[Session], blobs: BlobStore
    ) -> None:
        self.settings = settings
        self.sessions = sessions
        self.blobs = blobs
        self.queue = JobQueue(
            sessions, settings.worker_id, settings.job_lease_s, settings.job_max_attempts
        )
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        self.queue.release_dead_local()
        for n in range(self.settings.workers):
            thread = threading.Thread(target=self._loop, name=f"plansite-worker-{n}", daemon=True)
            thread.start()
            self._threads.append(thread)
        log.info("worker started: %d thread(s), owner %s", len(self._threads), self.queue.owner)

    def stop(self, timeout: float = 5.0) -> None:
        """Stop taking jobs; a job still running goes back to the queue to run again."""
        self._stop.set()
        self._wake.set()
        for thread in self._threads:
            thread.join(timeout)
        try:
            self.queue.release_own()
        except Exception:
            log.exception("shutdown: could not put running jobs back; their leases will "
                          "expire and another start will take them")

    def wake(self) -> None:
        self._wake.set()

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                claim = self.queue.claim()
            except Exception:
                log.exception("cannot claim jobs (database unavailable?); retrying in 5 s")
                self._stop.wait(5.0)
                continue

            if claim is None:
                self._wake.wait(POLL_S)
                self._wake.clear()
                continue

            try:
                with job_correlation(claim.job_id):
                    self.run(claim)
            except Exception:
                # Recording the outcome failed (database gone?): the lease will expire and
                # the job will run again; this thread lives on to take the next one.
                log.exception("job %s: outcome not recorded; it will be retried after its "
                              "lease expires", claim.job_id)
                self._stop.wait(5.0)

    def run(self, claim: Claim) -> None:
        """Run one claimed job to success or to a failure a user can act on."""
        ticker = _Ticker(self.queue, claim)
        ticker.start()

        try:
            parts = self._analyze(claim, ticker)

            # The result and the job's success commit together, or neither does.
            ticker.report("save", 99.0)
            with self.sessions.begin() as session:
                results.save(session, claim.plan_set_id, claim.job_id, parts)
                self.queue.complete(session, claim)
            log.info("job %s succeeded", claim.job_id)
            metrics.job_finished("analyze", failed=False)
        except LeaseLost:
            log.warning("job %s: lease lost; another worker owns it now, result dropped",
                        claim.job_id)
        except AnalysisFailed as exc:
            log.info("job %s failed: %s (%s)", claim.job_id, exc.message, exc.code)
            self.queue.fail(claim, exc.code, exc.message)
            metrics.job_finished("analyze", failed=True)
        except Exception:
            # The exception text may hold server paths; it goes to the log, not the user.
            log.exception("job %s crashed; this is a defect", claim.job_id)
            message = (
                "analysis crashed with an internal error; this is a defect in "
                f"PlanSiteOS - report it with job id {claim.job_id}"
            )
            self.queue.fail(claim, "internal_error", message)
            metrics.job_finished("analyze", failed=True)
        finally:
            ticker.stop()

    def _analyze(self, claim: Claim, ticker: _Ticker) -> list[results.FileTakeoff]:
        with self.sessions() as session:
            files = session.scalars(
                select(PlanFile)
                .where(PlanFile.plan_set_id == claim.plan_set_id)
                .order_by(PlanFile.position)
            ).all()

        # A server killed mid-job left this job's folder behind; the retry starts clean.
        shutil.rmtree(self.settings.data_dir / "work" / claim.job_id, ignore_errors=True)

        parts = []
        for n, plan_file in enumerate(files):
            def progress(stage: str, done: int, total: int, n: int = n) -> None:
                share = done / total if total else 0.5
                ticker.report(stage, 100.0 * (n + share) / len(files) * 0.98)

            work = self.settings.data_dir / "work" / claim.job_id / str(n)
            blob = self.blobs.path_of(plan_file.blob_sha256)
            # Cleaned again: rows stored before uploads cleaned their names may hold a NUL
            # (which PostgreSQL would refuse in the job's message) or be over-long.
            name = safe_filename(plan_file.filename)
            # The link is made inside the try: a name the file system refuses must still
            # leave no work folder behind.
            try:
                path = _named_link(work, name, blob)
                takeoff = _analyze_file(path, name, progress, self.settings)
            except AnalysisFailed as exc:
                raise AnalysisFailed(exc.code, self._public(exc.message, name, work, blob)
                                     ) from None
            finally:
                shutil.rmtree(work.parent, ignore_errors=True)
            parts.append(results.FileTakeoff(
                plan_file.id, plan_file.filename, plan_file.blob_sha256, takeoff
            ))
        return parts

    def _public(self, message: str, filename: str, work: Path, blob: Path) -> str:
        """``message`` with every server path replaced, since users read it: the link and
        the blob become the uploaded name, the data and blob folders a placeholder."""
        link = work / filename
        for path, shown in [(link, filename), (blob, filename), (work, "<server>"),
                            (self.blobs.root, "<server>"), (self.settings.data_dir, "<server>")]:
            for spelling in {str(path), str(path.resolve())}:
                message = message.replace(spelling, shown)
        return message


def _named_link(folder: Path, filename: str, blob: Path) -> Path:
    """A link named as uploaded, so engine logs and messages name the user's file."""
    folder.mkdir(parents=True, exist_ok=True)
    link = folder / filename
    link.unlink(missing_ok=True)
    link.symlink_to(blob)
    return link


def _analyze_file(path: Path, filename: str, progress, settings: Settings):
    """Analyse one file; errors name the uploaded file, never a server path."""
    started = time.perf_counter()
    takeoff = analyze_in_child(path, filename, settings.ocr, progress,
                               timeout_s=settings.job_timeout_s)
    metrics.observe_takeoff(takeoff.kind, time.perf_counter() - started, takeoff.detections)
    return takeoff


class _Ticker:
    """Renews the lease and writes the latest progress; raises ``LeaseLost`` into analysis."""

    def __init__(self, queue: JobQueue, claim: Claim) -> None:
        self.queue = queue
        self.claim = claim
        self.stage = "starting"
        self.percent = 0.0
        self.lost = False
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True,
                                        name=f"lease-{claim.job_id[:8]}")

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._done.set()
        self._thread.join(2.0)

    def report(self, stage: str, percent: float) -> None:
        if self.lost:
            raise LeaseLost(f"job {self.claim.job_id}: lease lost while running")
        self.stage, self.percent = stage, percent

    def _run(self) -> None:
        written = None
        last = 0.0
        renew_every = self.queue.lease.total_seconds() / 3
        while not self._done.wait(TICK_S):
            state = (self.stage, round(self.percent, 1))
            if state == written and time.monotonic() - last < renew_every:
                continue
            try:
                ok = self.queue.heartbeat(self.claim, *state)
            except Exception:
                log.exception("job %s: heartbeat failed; will retry", self.claim.job_id)
                continue
            if not ok:
                self.lost = True
                return
            written, last = state, time.monotonic()
