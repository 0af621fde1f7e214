"""JSON log lines, correlation ids, and a Loki push that never blocks the code that logs."""

from __future__ import annotations

import json
import logging
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from monitoring_helpers import free_port

from plansite.observability.logs import JsonFormatter, correlation, job_correlation
from plansite.observability.loki import LokiHandler
from plansite.observability.metrics import LOG_RECORDS_DROPPED


def _record(message: str, level: int = logging.INFO, **extra) -> logging.LogRecord:
    record = logging.LogRecord("plansite.test", level, __file__, 1, message, None, None)
    record.__dict__.update(extra)
    return record


def test_a_record_is_one_json_line_with_correlation_and_request_fields() -> None:
    formatter = JsonFormatter("api")
    with correlation("req-1"):
        line = formatter.format(_record("GET answered", route="/x/{id}", status=200,
                                        duration_s=0.01, method="GET"))

    entry = json.loads(line)
    assert "\n" not in line
    assert entry["level"] == "info" and entry["logger"] == "plansite.test"
    assert entry["message"] == "GET answered" and entry["service"] == "api"
    assert entry["correlation_id"] == "req-1"
    assert (entry["route"], entry["status"], entry["duration_s"]) == ("/x/{id}", 200, 0.01)


def test_job_lines_carry_the_job_id_and_exceptions_stay_on_one_line() -> None:
    formatter = JsonFormatter("api")
    try:
        raise ValueError("bad page")
    except ValueError:
        import sys

        record = _record("job crashed", logging.ERROR)
        record.exc_info = sys.exc_info()
    with job_correlation("abc123"):
        line = formatter.format(record)

    entry = json.loads(line)
    assert entry["correlation_id"] == "job-abc123"
    assert "ValueError: bad page" in entry["exception"]
    assert "\n" not in line


class _FakeLoki(BaseHTTPRequestHandler):
    received: list[dict] = []

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        body = self.rfile.read(int(self.headers["Content-Length"]))
        _FakeLoki.received.append(json.loads(body))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def fake_loki():
    _FakeLoki.received = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _FakeLoki)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_loki_receives_lines_with_only_low_cardinality_labels(fake_loki) -> None:
    handler = LokiHandler(fake_loki, service="api", flush_interval_s=0.1)
    handler.setFormatter(JsonFormatter("api"))
    with correlation("req-9"):
        handler.emit(_record("hello"))
        handler.emit(_record("boom", logging.ERROR))

    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and sum(
            len(s["values"]) for p in _FakeLoki.received for s in p["streams"]) < 2:
        time.sleep(0.05)
    handler.close()

    streams = [s for push in _FakeLoki.received for s in push["streams"]]
    assert {tuple(sorted(s["stream"])) for s in streams} == {("app", "level", "service")}
    assert {s["stream"]["level"] for s in streams} == {"info", "error"}
    lines = [json.loads(v[1]) for s in streams for v in s["values"]]
    assert {line["correlation_id"] for line in lines} == {"req-9"}


def _dropped(reason: str) -> float:
    return LOG_RECORDS_DROPPED.labels(reason=reason)._value.get()


def test_loki_down_never_blocks_logging_and_counts_what_it_drops() -> None:
    dead = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    before = _dropped("push_failed")
    handler = LokiHandler(dead, flush_interval_s=0.05, timeout_s=0.5)
    handler.setFormatter(JsonFormatter())

    started = time.perf_counter()
    for n in range(500):
        handler.emit(_record(f"line {n}"))
    assert time.perf_counter() - started < 0.5, "emit waited on Loki"

    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and _dropped("push_failed") - before < 500:
        time.sleep(0.05)
    handler.close()
    assert _dropped("push_failed") - before == 500


def test_a_full_queue_drops_lines_instead_of_waiting() -> None:
    # A Loki that accepts connections and never answers: the sender hangs on its first push.
    silent = socket.create_server(("127.0.0.1", 0), backlog=8)
    before = _dropped("queue_full")
    handler = LokiHandler(f"http://127.0.0.1:{silent.getsockname()[1]}", capacity=5,
                          batch_size=1, flush_interval_s=0.01, timeout_s=1.0)
    handler.setFormatter(JsonFormatter())
    time.sleep(0.1)

    started = time.perf_counter()
    for n in range(100):
        handler.emit(_record(f"line {n}"))
    elapsed = time.perf_counter() - started
    handler.close()
    silent.close()

    assert elapsed < 0.5
    assert _dropped("queue_full") - before >= 90
