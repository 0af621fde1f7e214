"""A real Prometheus on 127.0.0.1 scrapes a real ``plansite serve`` and sees it move.

Also reads the server's stdout: every line must be one JSON object, and request lines carry
the fields an on-call person filters on.
"""

from __future__ import annotations

import json
import time

import httpx
from monitoring_helpers import RULES, Proc, clean_env, free_port, serve_cmd, tool


def _query(prom: str, expr: str) -> list[dict]:
    answer = httpx.get(f"{prom}/api/v1/query", params={"query": expr}, timeout=5).json()
    assert answer["status"] == "success", answer
    return answer["data"]["result"]


def _wait_for(prom: str, expr: str, check, timeout: float = 45.0) -> list[dict]:
    deadline = time.monotonic() + timeout
    result: list[dict] = []
    while time.monotonic() < deadline:
        result = _query(prom, expr)
        if result and check(result):
            return result
        time.sleep(0.5)
    raise AssertionError(f"{expr} never satisfied the check; last result {result}")


def test_prometheus_sees_the_app_up_and_its_request_counter_move(tmp_path, procs) -> None:
    app_port, prom_port = free_port(), free_port()
    app = Proc(serve_cmd(app_port, tmp_path / "data"),
               clean_env(PLANSITE_WORKERS="0"), tmp_path / "serve")
    procs.append(app)
    app.wait_http(f"http://127.0.0.1:{app_port}/health")

    config = tmp_path / "prometheus.yml"
    config.write_text(json.dumps({
        "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
        "rule_files": [str(RULES)],
        "scrape_configs": [{
            "job_name": "plansite",
            "static_configs": [{"targets": [f"127.0.0.1:{app_port}"]}],
        }],
    }))
    prom = f"http://127.0.0.1:{prom_port}"
    procs.append(Proc([
        tool("prometheus"), f"--config.file={config}",
        f"--storage.tsdb.path={tmp_path / 'tsdb'}",
        f"--web.listen-address=127.0.0.1:{prom_port}",
    ], clean_env(), tmp_path / "prometheus"))
    procs[-1].wait_http(f"{prom}/-/ready")

    _wait_for(prom, 'up{job="plansite"}', lambda r: r[0]["value"][1] == "1")
    expr = 'sum(http_requests_total{job="plansite",route="/api/v1/projects"})'
    for _ in range(5):
        httpx.get(f"http://127.0.0.1:{app_port}/api/v1/projects", timeout=10)
    _wait_for(prom, expr, lambda r: float(r[0]["value"][1]) >= 5)

    rules = httpx.get(f"{prom}/api/v1/rules", timeout=5).json()["data"]["groups"]
    assert sum(len(g["rules"]) for g in rules) >= 10, "alert rules not loaded"
    assert _query(prom, 'ALERTS{alertstate="firing"}') == []

    app.stop()
    _check_json_logs(app.out.read_text())


def _check_json_logs(stdout: str) -> None:
    lines = [line for line in stdout.splitlines() if line.strip()]
    assert lines, "the server wrote nothing to stdout"
    records = [json.loads(line) for line in lines]  # fails on any non-JSON line

    for record in records:
        assert {"ts", "level", "logger", "message"} <= set(record), record
    requests = [r for r in records if r.get("route") == "/api/v1/projects"]
    assert requests, "no request log line for /api/v1/projects"
    assert {"correlation_id", "status", "duration_s", "method"} <= set(requests[0])
    assert requests[0]["status"] == 200
