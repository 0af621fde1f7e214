"""Start the app, drive real traffic and an analysis job, and read ``/metrics``.

Fails when a metric named in an alert rule or a dashboard panel is not exported, when a
route label is a raw path, or when the worker's metrics do not move.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import ezdxf
import pytest
from fastapi.testclient import TestClient
from monitoring_helpers import metrics_in_panels, metrics_in_rules
from prometheus_client.parser import text_string_to_metric_families

from plansite.api.app import create_app
from plansite.observability.drift import PROMETHEUS_SERIES, declared_series
from plansite.settings import Settings


def _plan_with_three_toilets(folder: Path) -> Path:
    doc = ezdxf.new(setup=True)
    doc.header["$INSUNITS"] = 1
    block = doc.blocks.new("WC")
    block.add_lwpolyline([(0, 0), (20, 0), (20, 20), (0, 20)], close=True)
    for x in (0, 500, 1000):
        doc.modelspace().add_blockref("WC", (x, 0), dxfattribs={"layer": "PLUMBING"})
    path = folder / "plan.dxf"
    doc.saveas(path)
    return path


def _samples(client: TestClient) -> list[tuple[str, dict, float]]:
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return [(s.name, s.labels, s.value)
            for family in text_string_to_metric_families(response.text)
            for s in family.samples]


def _value(samples, name: str, **labels: str) -> float:
    return sum(v for n, lab, v in samples
               if n == name and all(lab.get(k) == want for k, want in labels.items()))


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    data = tmp_path_factory.mktemp("plansite-metrics")
    settings = Settings(data_dir=data, workers=1, ocr=False)
    with TestClient(create_app(settings), raise_server_exceptions=False) as c:
        c.data_dir = data
        yield c


@pytest.fixture(scope="module")
def traffic(client, tmp_path_factory):
    """One analysed upload plus a spread of requests, and the scrape before and after."""
    before = _samples(client)
    project = client.post("/api/v1/projects", json={"name": "metrics"}).json()["id"]
    plan = _plan_with_three_toilets(tmp_path_factory.mktemp("plans"))
    with plan.open("rb") as handle:
        upload = client.post(f"/api/v1/projects/{project}/blueprints",
                             files=[("file", ("plan.dxf", handle))])
    assert upload.status_code == 202, upload.text
    job_id = upload.json()["job_id"]

    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        job = client.get(f"/api/v1/jobs/{job_id}").json()
        if job["state"] in ("succeeded", "failed"):
            break
        time.sleep(0.2)
    assert job["state"] == "succeeded", job

    client.get("/api/v1/jobs/no-such-job")
    client.get("/no/such/path/12345")
    client.get("/health")
    return {"before": before, "after": _samples(client), "job_id": job_id}


def test_every_metric_in_alert_rules_is_exported(traffic) -> None:
    exported = {name for name, _, _ in traffic["after"]}
    missing = {alert: sorted(names - exported - PROMETHEUS_SERIES)
               for alert, names in metrics_in_rules().items()}
    assert {a: m for a, m in missing.items() if m} == {}


def test_every_metric_in_dashboard_panels_is_exported(traffic) -> None:
    exported = {name for name, _, _ in traffic["after"]}
    missing = {panel: sorted(names - exported - PROMETHEUS_SERIES)
               for panel, names in metrics_in_panels().items()}
    assert {p: m for p, m in missing.items() if m} == {}


def test_doctor_declared_metrics_are_really_exported(traffic) -> None:
    exported = {name for name, _, _ in traffic["after"]}
    declared = {n for n in declared_series() if not n.endswith("_created")}
    assert declared - exported == set()


def test_route_label_is_the_template_never_the_raw_path(traffic) -> None:
    routes = {lab["route"] for name, lab, _ in traffic["after"]
              if name == "http_requests_total"}

    assert "/api/v1/jobs/{job_id}" in routes
    assert "/api/v1/projects/{project_id}/blueprints" in routes
    assert "<unmatched>" in routes
    assert not any(traffic["job_id"] in r or "no-such-job" in r or "12345" in r
                   for r in routes)


def test_http_counters_and_durations_move(traffic) -> None:
    before, after = traffic["before"], traffic["after"]
    route = "/api/v1/jobs/{job_id}"

    assert _value(after, "http_requests_total", route=route, status_code="200") >= 1
    assert _value(after, "http_requests_total", route=route, status_code="404") >= 1
    assert (_value(after, "http_request_duration_seconds_count", route=route)
            > _value(before, "http_request_duration_seconds_count", route=route))


def test_worker_records_job_detection_and_confidence(traffic) -> None:
    before, after = traffic["before"], traffic["after"]

    def grew(name: str, **labels: str) -> float:
        return _value(after, name, **labels) - _value(before, name, **labels)

    assert grew("jobs_processed_total", stage="analyze") >= 1
    assert grew("jobs_failed_total", stage="analyze") == 0
    assert grew("vision_detection_duration_seconds_count", kind="dxf") >= 1
    assert grew("fixture_detection_confidence_ratio_count", method="block") == 3
    assert _value(after, "blueprints_pending_count", status="queued") == 0
    assert _value(after, "job_queue_lag_seconds") == 0


def test_llm_metrics_exist_at_zero_while_no_llm_is_called(traffic) -> None:
    after = traffic["after"]
    names = {n for n, _, _ in after}

    assert {"claude_api_errors_total", "llm_inference_duration_seconds_count"} <= names
    assert _value(after, "claude_api_errors_total") == 0
    assert _value(after, "llm_inference_duration_seconds_count") == 0


def test_health_is_liveness_and_ready_names_the_failed_dependency(client) -> None:
    assert client.get("/health").json() == {"status": "ok"}
    ready = client.get("/ready")
    assert ready.status_code == 200, ready.text
    assert set(ready.json()["checks"]) == {"database", "blob_store", "queue"}

    blobs = Path(client.data_dir) / "blobs"
    moved = blobs.with_name("blobs-away")
    shutil.move(blobs, moved)
    try:
        ready = client.get("/ready")
        health = client.get("/health")
    finally:
        shutil.move(moved, blobs)

    assert ready.status_code == 503
    assert ready.json()["failed"] == ["blob_store"]
    assert "does not exist" in ready.json()["checks"]["blob_store"]["error"]
    assert health.status_code == 200


def test_request_id_is_kept_and_returned(client) -> None:
    response = client.get("/health", headers={"X-Request-ID": "req-42.a"})
    assert response.headers["x-request-id"] == "req-42.a"

    response = client.get("/health", headers={"X-Request-ID": "bad id\nwith newline"})
    assert response.headers["x-request-id"] != "bad id\nwith newline"


def test_queue_gauges_come_from_the_job_table(tmp_path) -> None:
    settings = Settings(data_dir=tmp_path / "data", workers=0, ocr=False)
    plan = _plan_with_three_toilets(tmp_path)
    with TestClient(create_app(settings)) as c:
        project = c.post("/api/v1/projects", json={"name": "queue"}).json()["id"]
        for _ in range(2):
            with plan.open("rb") as handle:
                c.post(f"/api/v1/projects/{project}/blueprints",
                       files=[("file", ("plan.dxf", handle))])
        time.sleep(1.1)
        samples = _samples(c)

    assert _value(samples, "blueprints_pending_count", status="queued") == 2
    assert _value(samples, "blueprints_pending_count", status="running") == 0
    assert _value(samples, "job_queue_depth") == 2
    assert 1.0 <= _value(samples, "job_queue_lag_seconds") < 60
