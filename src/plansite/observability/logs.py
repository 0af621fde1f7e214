"""Structured logs: one JSON object per line on stdout, tagged with a correlation id.

Every line carries ``ts``, ``level``, ``logger``, ``message`` and, inside a request or a job,
``correlation_id``; request log lines also carry ``method``, ``route``, ``status`` and
``duration_s``. An on-call person greps one id to see everything one request or job did.
"""

from __future__ import annotations

import contextvars
import json
import logging
import os
import re
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any

CORRELATION_ID: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "plansite_correlation_id", default=None
)

# Fields a caller may pass through ``extra=`` that the formatter copies to the JSON line.
EXTRA_FIELDS = (
    "method", "route", "path", "status", "duration_s", "job_id", "stage", "service",
)

# What a client may send as X-Request-ID; anything else is replaced by a fresh id.
_SAFE_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")

_HANDLER_MARK = "_plansite_json"


def new_correlation_id() -> str:
    return uuid.uuid4().hex[:16]


def accept_request_id(header: str | None) -> str:
    """Keep a client's request id if it is short and plain, otherwise make a new one."""
    if header and _SAFE_ID.match(header):
        return header
    return new_correlation_id()


@contextmanager
def correlation(cid: str) -> Iterator[str]:
    """Tag every log line written inside the block (and its tasks) with ``cid``."""
    token = CORRELATION_ID.set(cid)
    try:
        yield cid
    finally:
        CORRELATION_ID.reset(token)


def job_correlation(job_id: object) -> AbstractContextManager[str]:
    """Correlation id for a worker job: ``job-<id>``, so lines of one job group together."""
    return correlation(f"job-{job_id}")


class JsonFormatter(logging.Formatter):
    """Formats a record as one JSON object; never raises on odd ``extra`` values."""

    def __init__(self, service: str = "api") -> None:
        super().__init__()
        self.service = service

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": _iso(record.created),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
            "service": self.service,
        }
        cid = getattr(record, "correlation_id", None) or CORRELATION_ID.get()
        if cid:
            entry["correlation_id"] = cid
        for name in EXTRA_FIELDS:
            value = getattr(record, name, None)
            if value is not None:
                entry[name] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


def _iso(created: float) -> str:
    millis = int((created % 1) * 1000)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(created)) + f".{millis:03d}Z"


class _CorrelationFilter(logging.Filter):
    """Freezes the correlation id on the record, for handlers that format in another thread."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "correlation_id", None) is None:
            record.correlation_id = CORRELATION_ID.get()
        return True


def configure_logging(
    service: str = "api", level: str | int | None = None, loki_url: str | None = None
) -> None:
    """Send the root logger's records to stdout as JSON, and to Loki when ``LOKI_URL`` is set.

    Replaces handlers installed earlier (``logging.basicConfig`` of the CLI) so that each
    record is written once. Safe to call more than once.
    """
    level = level or os.environ.get("LOG_LEVEL", "INFO")
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
        if getattr(handler, _HANDLER_MARK, False):
            handler.close()

    stdout = logging.StreamHandler(sys.stdout)
    stdout.setFormatter(JsonFormatter(service))
    stdout.addFilter(_CorrelationFilter())
    setattr(stdout, _HANDLER_MARK, True)
    root.addHandler(stdout)

    loki_url = loki_url if loki_url is not None else os.environ.get("LOKI_URL", "")
    if loki_url:
        from plansite.observability.loki import LokiHandler

        loki = LokiHandler(loki_url, service=service)
        loki.setFormatter(JsonFormatter(service))
        loki.addFilter(_CorrelationFilter())
        setattr(loki, _HANDLER_MARK, True)
        root.addHandler(loki)

    root.setLevel(level if isinstance(level, int) else level.upper())
    # uvicorn's own access log would duplicate our request lines, without the route.
    logging.getLogger("uvicorn.access").disabled = True
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers.clear()
        logging.getLogger(name).propagate = True
