"""Helpers for the monitoring tests: repo paths, free ports, processes we start and stop."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
import yaml

from plansite.observability.drift import promql_metric_names

ROOT = Path(__file__).resolve().parents[2]
RULES = ROOT / "monitoring/prometheus/rules/alerts.yml"
DASHBOARDS = ROOT / "monitoring/grafana/dashboards"


def tool(name: str) -> str:
    """Path of a monitoring binary; a missing one fails the test (CI installs it)."""
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} not found on PATH; install Debian's prometheus and "
                    f"prometheus-alertmanager packages (scripts/system-deps.sh test)")
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def metrics_in_rules() -> dict[str, set[str]]:
    """Alert name → metric names its expression uses."""
    found = {}
    for group in yaml.safe_load(RULES.read_text())["groups"]:
        for rule in group["rules"]:
            found[rule["alert"]] = promql_metric_names(rule["expr"])
    return found


def metrics_in_panels() -> dict[str, set[str]]:
    """Dashboard panel title → metric names its Prometheus queries use."""
    found: dict[str, set[str]] = {}
    for path in DASHBOARDS.glob("*.json"):
        for panel in json.loads(path.read_text())["panels"]:
            if (panel.get("datasource") or {}).get("type") != "prometheus":
                continue
            names = set()
            for target in panel.get("targets", []):
                names |= promql_metric_names(target["expr"])
            found[panel["title"]] = names
    return found


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PLANSITE_", "PROMETHEUS_", "LOKI_")) and k != "DATABASE_URL"}
    env.update(extra)
    return env


class Proc:
    """A process this test started, with stdout/stderr in files; stopped by its own pid."""

    def __init__(self, cmd: list[str], env: dict[str, str], logs: Path) -> None:
        self.out = logs.with_suffix(".out")
        self.err = logs.with_suffix(".err")
        with self.out.open("wb") as out, self.err.open("wb") as err:
            self.popen = subprocess.Popen(cmd, env=env, stdout=out, stderr=err)

    def wait_http(self, url: str, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.popen.poll() is not None:
                raise RuntimeError(f"exited {self.popen.returncode}:\n{self.tail()}")
            try:
                if httpx.get(url, timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"{url} not answering after {timeout}s:\n{self.tail()}")

    def stop(self) -> None:
        if self.popen.poll() is None:
            self.popen.terminate()
            try:
                self.popen.wait(15)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait(5)

    def tail(self) -> str:
        text = self.out.read_text(errors="replace") + self.err.read_text(errors="replace")
        return "\n".join(text.splitlines()[-30:])


def serve_cmd(port: int, data_dir: Path) -> list[str]:
    return [sys.executable, "-m", "plansite.cli.main", "serve", "--port", str(port),
            "--data-dir", str(data_dir)]
