"""Two server processes sharing PROMETHEUS_MULTIPROC_DIR report the totals of both."""

from __future__ import annotations

import subprocess
import sys

import httpx
from monitoring_helpers import Proc, clean_env, free_port
from prometheus_client.parser import text_string_to_metric_families


def _samples(url: str) -> list:
    text = httpx.get(f"{url}/metrics", timeout=10).text
    return [s for f in text_string_to_metric_families(text) for s in f.samples]


def test_each_process_reports_the_sum_of_all_processes(tmp_path, procs) -> None:
    multiproc = tmp_path / "multiproc"
    multiproc.mkdir()
    env = clean_env(PLANSITE_DATA_DIR=str(tmp_path / "data"), PLANSITE_WORKERS="0",
                    PROMETHEUS_MULTIPROC_DIR=str(multiproc))
    urls = []
    for name in ("a", "b"):
        port = free_port()
        proc = Proc([sys.executable, "-m", "uvicorn", "--factory",
                     "plansite.api.app:create_app", "--host", "127.0.0.1",
                     "--port", str(port)], env, tmp_path / name)
        procs.append(proc)
        url = f"http://127.0.0.1:{port}"
        proc.wait_http(f"{url}/api/v1/openapi.json")
        urls.append(url)

    for url, count in zip(urls, (3, 5), strict=True):
        for _ in range(count):
            assert httpx.get(f"{url}/health", timeout=10).status_code == 200

    for url in urls:
        samples = _samples(url)
        health = [s for s in samples if s.name == "http_requests_total"
                  and s.labels.get("route") == "/health"]
        assert sum(s.value for s in health) == 8, (url, health)
        queued = [s for s in samples if s.name == "blueprints_pending_count"
                  and s.labels.get("status") == "queued"]
        assert len(queued) == 1, "the job-table gauge must not be repeated per process"
    assert len({p.name.rsplit("_", 1)[-1] for p in multiproc.glob("counter_*.db")}) == 2


def _in_process(env: dict, code: str) -> str:
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_an_estimating_gauge_set_in_one_process_is_reported_by_another(tmp_path) -> None:
    env = clean_env(PROMETHEUS_MULTIPROC_DIR=str(tmp_path))
    show = ("from plansite.observability import metrics as m\n"
            "print([l for l in m.render()[0].decode().splitlines()"
            " if l.startswith('estimate_accuracy_score')])")

    assert _in_process(env, show).strip() == "[]", "unset must be absent, not 0"
    _in_process(env, "from plansite.observability import metrics as m\n"
                     "m.ESTIMATE_ACCURACY.set(0.9)")
    assert _in_process(env, show).strip() == "['estimate_accuracy_score 0.9']"
