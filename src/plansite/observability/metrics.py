"""Every Prometheus metric PlanSiteOS exports, on one registry, and its exposition.

Names follow the Prometheus conventions (base units, ``_total`` for counters, ``_seconds``
for durations) because alert rules, dashboards and ``plansite doctor`` refer to them by
name: renaming one here is a breaking change for ``monitoring/``.

Multi-process servers: when ``PROMETHEUS_MULTIPROC_DIR`` is set before this module is
imported, prometheus_client writes every sample to a per-process file in that folder and
``render()`` sums them, so a scrape of any worker reports the totals of all workers. The
folder must exist and be emptied before the server starts (``prepare_multiproc_dir``).

Label sets are closed (methods, stages, file kinds listed below) so that no request or file
can create unbounded time series; an unknown value is reported as ``other``.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    GC_COLLECTOR,
    PLATFORM_COLLECTOR,
    PROCESS_COLLECTOR,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector

log = logging.getLogger(__name__)

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"

# Detection methods of plansite.vision (see vision/dedupe.METHOD_RANK).
DETECTION_METHODS = ("block", "tag", "symbol", "exemplar", "label", "ocr-label", "other")
# Stages a job passes through in the worker; each has processed/failed counters.
JOB_STAGES = ("analyze",)
FILE_KINDS = ("pdf", "dxf", "other")
LOG_DROP_REASONS = ("queue_full", "push_failed")

REGISTRY = CollectorRegistry(auto_describe=True)

# --- HTTP ---------------------------------------------------------------------------------

HTTP_REQUESTS = Counter(
    "http_requests_total",
    "HTTP requests answered, by method, route template and status code.",
    ["method", "route", "status_code"],
    registry=REGISTRY,
)
HTTP_DURATION = Histogram(
    "http_request_duration_seconds",
    "Time from request start to the end of the response body, by method and route template.",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
    registry=REGISTRY,
)

# --- Pipeline and jobs ----------------------------------------------------------------------

VISION_DETECTION_DURATION = Histogram(
    "vision_detection_duration_seconds",
    "Time to analyse one uploaded file (parsing and fixture detection of all its sheets).",
    ["kind"],
    buckets=(0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0),
    registry=REGISTRY,
)
FIXTURE_CONFIDENCE = Histogram(
    "fixture_detection_confidence_ratio",
    "Confidence (0-1) of each fixture detection kept in a takeoff, by detection method.",
    ["method"],
    buckets=(0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 1.0),
    registry=REGISTRY,
)
JOBS_PROCESSED = Counter(
    "jobs_processed_total",
    "Jobs that left a worker stage, whatever the outcome (failed ones included).",
    ["stage"],
    registry=REGISTRY,
)
JOBS_FAILED = Counter(
    "jobs_failed_total",
    "Jobs that left a worker stage with a failure.",
    ["stage"],
    registry=REGISTRY,
)

# --- Estimating (set by plansite.estimating) -----------------------------------------------

ESTIMATION_ERRORS = Counter(
    "estimation_errors_total",
    "Estimates that could not be produced or were produced with an error.",
    registry=REGISTRY,
)
ESTIMATE_ACCURACY = Gauge(
    "estimate_accuracy_score",
    "Accuracy score (0-1) of the most recent estimate checked against a reference.",
    registry=REGISTRY,
    multiprocess_mode="mostrecent",
)
FIXTURE_DETECTION_CONFIDENCE = Gauge(
    "fixture_detection_confidence",
    "Mean detection confidence (0-1) of the takeoff behind the most recent estimate.",
    registry=REGISTRY,
    multiprocess_mode="mostrecent",
)

# --- Assistant LLM (zero until an LLM client calls them; see docs/MONITORING_SETUP.md) -----

LLM_INFERENCE_DURATION = Histogram(
    "llm_inference_duration_seconds",
    "Time of one LLM inference call made by the assistant.",
    buckets=(0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 30.0, 60.0, 120.0),
    registry=REGISTRY,
)
CLAUDE_API_ERRORS = Counter(
    "claude_api_errors_total",
    "Calls to the Claude API that failed (HTTP error, timeout or unreadable answer).",
    registry=REGISTRY,
)

# --- Logging --------------------------------------------------------------------------------

LOG_RECORDS_DROPPED = Counter(
    "log_records_dropped_total",
    "Log records not delivered to Loki (queue full, or the push failed); stdout has them.",
    ["reason"],
    registry=REGISTRY,
)


def _initialise_children() -> None:
    """Create every labelled child at zero so each series exists before its first event.

    Without this, ``rate(jobs_failed_total[5m])`` has no data until the first failure and
    an alert or panel on it looks broken rather than quiet.
    """
    for stage in JOB_STAGES:
        JOBS_PROCESSED.labels(stage=stage)
        JOBS_FAILED.labels(stage=stage)
    for method in DETECTION_METHODS:
        FIXTURE_CONFIDENCE.labels(method=method)
    for kind in FILE_KINDS:
        VISION_DETECTION_DURATION.labels(kind=kind)
    for reason in LOG_DROP_REASONS:
        LOG_RECORDS_DROPPED.labels(reason=reason)


_initialise_children()

# "Not measured yet" must not read as a score of 0: NaN shows as no value on panels and
# never satisfies an alert comparison, until the estimating code sets a real figure. In
# multi-process mode an unset "mostrecent" gauge is left out of the scrape instead, and
# setting NaN here would overwrite a figure another process set earlier.
if not os.environ.get(MULTIPROC_ENV):
    ESTIMATE_ACCURACY.set(float("nan"))
    FIXTURE_DETECTION_CONFIDENCE.set(float("nan"))

if not os.environ.get(MULTIPROC_ENV):
    # Process metrics only make sense for the one process being scraped.
    for _collector in (PROCESS_COLLECTOR, PLATFORM_COLLECTOR, GC_COLLECTOR):
        REGISTRY.register(_collector)


def closed(value: str, allowed: tuple[str, ...]) -> str:
    """Return ``value`` if it belongs to the closed label set, else ``other``."""
    return value if value in allowed else "other"


def observe_takeoff(kind: str, seconds: float, detections) -> None:
    """Record one analysed file: its duration and the confidence of each detection kept.

    ``detections`` are ``plansite.domain.takeoff.Detection`` objects; the ones merged into
    a stronger detection are skipped because the takeoff does not count them either.
    """
    VISION_DETECTION_DURATION.labels(kind=closed(kind, FILE_KINDS)).observe(seconds)
    for d in detections:
        if getattr(d, "merged_into", None) is not None:
            continue
        method = closed(d.method, DETECTION_METHODS)
        FIXTURE_CONFIDENCE.labels(method=method).observe(d.confidence)


def job_finished(stage: str, failed: bool) -> None:
    """Count one job leaving ``stage``; ``failed`` also counts it as a failure."""
    stage = closed(stage, JOB_STAGES)
    JOBS_PROCESSED.labels(stage=stage).inc()
    if failed:
        JOBS_FAILED.labels(stage=stage).inc()


# --- Job table, read at scrape time -----------------------------------------------------------


@dataclass
class JobStats:
    """What the job table says at one instant.

    ``pending`` maps each not-yet-finished status (for example ``queued``, ``running``) to
    its job count; ``oldest_queued_at`` is the Unix time the oldest queued job was created.
    """

    pending: Mapping[str, int] = field(default_factory=dict)
    oldest_queued_at: float | None = None
    queued_status: str = "queued"


JobStatsSource = Callable[[], JobStats]
# Series the job-table collector reports (declared here for `plansite doctor`).
JOB_TABLE_SERIES = ("blueprints_pending_count", "job_queue_depth", "job_queue_lag_seconds")
_job_stats_source: JobStatsSource | None = None


def set_job_stats_source(source: JobStatsSource | None) -> None:
    """Name the function that reads the job table; ``None`` stops reporting it."""
    global _job_stats_source
    _job_stats_source = source


class JobTableCollector:
    """Reports queue gauges from the job table each time ``/metrics`` is scraped.

    Reading the table at scrape time makes the value the same whichever process or worker
    is scraped, which in-process gauges could not guarantee with several workers.
    """

    def collect(self):
        source = _job_stats_source
        if source is None:
            return
        try:
            stats = source()
        except Exception as exc:  # noqa: BLE001 - a scrape must still return the rest
            log.warning(
                "job table unreadable for /metrics (%s: %s); blueprints_pending_count and "
                "job_queue_* are missing from this scrape, check the database",
                type(exc).__name__, exc,
            )
            return

        pending = GaugeMetricFamily(
            "blueprints_pending_count",
            "Uploaded files whose analysis has not finished, by job status.",
            labels=["status"],
        )
        for status, count in sorted(stats.pending.items()):
            pending.add_metric([status], float(count))
        yield pending

        depth = stats.pending.get(stats.queued_status, 0)
        yield GaugeMetricFamily(
            "job_queue_depth", "Jobs waiting in the queue for a worker.", value=float(depth)
        )
        lag = 0.0
        if stats.oldest_queued_at is not None:
            lag = max(0.0, time.time() - stats.oldest_queued_at)
        yield GaugeMetricFamily(
            "job_queue_lag_seconds",
            "Age of the oldest job still waiting in the queue (0 when the queue is empty).",
            value=lag,
        )


_JOB_TABLE = JobTableCollector()


def render() -> tuple[bytes, str]:
    """Return the exposition text of this process (or of all workers) and its content type."""
    directory = os.environ.get(MULTIPROC_ENV)
    if directory:
        registry = CollectorRegistry()
        MultiProcessCollector(registry, path=directory)
    else:
        registry = REGISTRY
    body = generate_latest(registry)
    body += generate_latest(_single(_JOB_TABLE))
    return body, CONTENT_TYPE_LATEST


def _single(collector) -> CollectorRegistry:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(collector)
    return registry


def prepare_multiproc_dir() -> Path | None:
    """Empty ``PROMETHEUS_MULTIPROC_DIR`` before workers start; stale files would add up.

    Call once in the parent process of a multi-worker server, never in a worker.
    """
    directory = os.environ.get(MULTIPROC_ENV)
    if not directory:
        return None
    path = Path(directory)
    path.mkdir(parents=True, exist_ok=True)
    for stale in path.glob("*.db"):
        stale.unlink()
    return path
