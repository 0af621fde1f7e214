"""Optional push of log records to Loki, which never slows or breaks the code that logs.

``emit`` only puts the formatted line on a bounded in-memory queue; a daemon thread sends
batches to ``<LOKI_URL>/loki/api/v1/push``. When Loki is slow or down, the queue fills and
further records are dropped (counted in ``log_records_dropped_total{reason="queue_full"}``)
while stdout still has every line. Labels are only ``app``, ``service`` and ``level``, so
Loki's index stays small; request and job ids stay inside the JSON line.

Shortcoming, stated plainly: records still queued when the process exits are lost (the
thread is a daemon so shutdown never waits on Loki); stdout is the complete record.
"""

from __future__ import annotations

import json
import logging
import queue
import threading
import time
import urllib.error
import urllib.request

from plansite.observability.metrics import LOG_RECORDS_DROPPED

APP_LABEL = "plansite"
PUSH_PATH = "/loki/api/v1/push"

log = logging.getLogger(__name__)


class LokiHandler(logging.Handler):
    """Logging handler that queues records and ships them to Loki from a background thread."""

    def __init__(
        self,
        url: str,
        *,
        service: str = "api",
        capacity: int = 10_000,
        batch_size: int = 500,
        flush_interval_s: float = 1.0,
        timeout_s: float = 3.0,
    ) -> None:
        super().__init__()
        self.endpoint = url.rstrip("/") + PUSH_PATH
        self.service = service
        self.batch_size = batch_size
        self.flush_interval_s = flush_interval_s
        self.timeout_s = timeout_s
        self._queue: queue.Queue[tuple[str, str, str]] = queue.Queue(maxsize=capacity)
        self._stop = threading.Event()
        self._last_failure_logged = 0.0
        self._thread = threading.Thread(target=self._run, name="loki-push", daemon=True)
        self._thread.start()

    def emit(self, record: logging.LogRecord) -> None:
        # Our own failure reports must not loop back into the queue that is failing.
        if record.name == __name__:
            return
        try:
            line = self.format(record)
            stamp = str(int(record.created * 1e9))
            self._queue.put_nowait((record.levelname.lower(), stamp, line))
        except queue.Full:
            LOG_RECORDS_DROPPED.labels(reason="queue_full").inc()
        except Exception:  # noqa: BLE001 - logging must never raise into the caller
            self.handleError(record)

    def close(self) -> None:
        """Stop the sender after one last attempt to push what is queued (bounded by timeout)."""
        self._stop.set()
        self._thread.join(timeout=self.timeout_s + 1)
        super().close()

    def _run(self) -> None:
        while not self._stop.is_set():
            batch = self._take_batch()
            if batch:
                self._push(batch)
        leftover = self._take_batch(wait=False)
        if leftover:
            self._push(leftover)

    def _take_batch(self, wait: bool = True) -> list[tuple[str, str, str]]:
        batch: list[tuple[str, str, str]] = []
        deadline = time.monotonic() + self.flush_interval_s
        while len(batch) < self.batch_size:
            remaining = deadline - time.monotonic()
            try:
                if wait and remaining > 0:
                    batch.append(self._queue.get(timeout=remaining))
                else:
                    batch.append(self._queue.get_nowait())
            except queue.Empty:
                break
        return batch

    def _push(self, batch: list[tuple[str, str, str]]) -> None:
        body = json.dumps({"streams": self._streams(batch)}).encode()
        request = urllib.request.Request(
            self.endpoint, data=body, method="POST",
            headers={"Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout_s) as response:
                response.read()
        except (urllib.error.URLError, OSError, ValueError) as exc:
            LOG_RECORDS_DROPPED.labels(reason="push_failed").inc(len(batch))
            self._report_failure(exc, len(batch))

    def _streams(self, batch: list[tuple[str, str, str]]) -> list[dict]:
        by_level: dict[str, list[list[str]]] = {}
        for level, stamp, line in batch:
            by_level.setdefault(level, []).append([stamp, line])
        return [
            {
                "stream": {"app": APP_LABEL, "service": self.service, "level": level},
                "values": values,
            }
            for level, values in by_level.items()
        ]

    def _report_failure(self, exc: Exception, count: int) -> None:
        """Say once a minute, on stdout only, that Loki is not receiving logs."""
        now = time.monotonic()
        if now - self._last_failure_logged < 60:
            return
        self._last_failure_logged = now
        log.warning(
            "Loki push to %s failed (%s: %s); %d log records dropped from Loki, stdout has "
            "them; check that Loki is up and LOKI_URL is right",
            self.endpoint, type(exc).__name__, exc, count,
        )
