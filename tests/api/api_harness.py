"""Drive a real ``plansite serve`` over HTTP: start it on a free port, talk to it, stop it.

A plain module, not conftest.py: other test folders have their own conftest, and
``import conftest`` would be ambiguous between them.

Every request made through ``ApiClient`` is recorded against the route template it hit,
so ``test_api_zz_route_coverage.py`` can prove that the suite exercises every route in
the OpenAPI document.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from functools import cache
from pathlib import Path

import httpx
import pytest

import plansite
from plansite.scoring import corpus_dir

# (METHOD, /path/{template}) of every request any test made in this session.
HITS: set[tuple[str, str]] = set()
_TEMPLATES: list[tuple[str, re.Pattern]] = []

DXF = "dxf-uk-house-ground-floor-plan.dxf"
PDF = "pdf-AU-united-byford-service-station-DA-ST04.pdf"
# A short PDF the engine reads in under a second: for tests that need a PDF, not its counts.
SMALL_PDF = "pdf-NEG-copilot-plumbing-compliance-report.pdf"

# "sqlite" (default) or "postgresql": the database every test server runs on.
BACKEND = os.environ.get("PLANSITE_TEST_BACKEND", "sqlite")

# Maintenance database the PostgreSQL tests connect to (trust authentication, loopback).
ADMIN_URL = os.environ.get("PLANSITE_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")


def corpus_file(name: str) -> Path:
    path = corpus_dir() / "files" / name
    if not path.exists():
        pytest.skip(f"corpus file {name} not found under {corpus_dir()}")
    return path


@cache
def engine_snapshot() -> Path:
    """A copy of the package, taken once per session, that every server and every expected
    takeoff runs: a tree being edited while the suite runs (a shared checkout) then cannot
    make the API and the engine disagree because they loaded different versions."""
    root = Path(tempfile.mkdtemp(prefix="plansite-src-"))
    atexit.register(shutil.rmtree, root, True)
    package = Path(plansite.__file__).parent
    shutil.copytree(package, root / "plansite", ignore=shutil.ignore_patterns("__pycache__"))
    return root


def snapshot_env() -> dict[str, str]:
    paths = [str(engine_snapshot()), os.environ.get("PYTHONPATH", "")]
    return {"PYTHONPATH": os.pathsep.join(p for p in paths if p)}


@cache
def expected_takeoff(name: str) -> dict:
    """``analyze_path`` on a corpus file (same code as the servers), to compare with."""
    script = ("import json, sys; from plansite.pipeline import analyze_path; "
              "print(json.dumps(analyze_path(sys.argv[1]).to_dict()))")
    done = subprocess.run(
        [sys.executable, "-c", script, str(corpus_file(name))], capture_output=True,
        text=True, env={**os.environ, **snapshot_env()}, timeout=300, check=False,
    )
    assert done.returncode == 0, f"analyze_path failed on {name}:\n{done.stderr[-2000:]}"
    return json.loads(done.stdout.splitlines()[-1])


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """One ``plansite serve`` subprocess with its own data folder and log file.

    With ``PLANSITE_TEST_BACKEND=postgresql`` each server (unless given a ``DATABASE_URL``)
    gets a PostgreSQL database of its own, kept across restarts and dropped by ``close()``.
    """

    def __init__(self, data_dir: Path, env: dict[str, str] | None = None) -> None:
        self.data_dir = data_dir
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = dict(env or {})
        self.log = data_dir / f"server-{self.port}.log"
        self.proc: subprocess.Popen | None = None
        self._resources = contextlib.ExitStack()
        if BACKEND == "postgresql" and "DATABASE_URL" not in self.env:
            self.env["DATABASE_URL"] = self._resources.enter_context(pg_database_url())

    def start(self, timeout: float = 60.0) -> Server:
        env = {k: v for k, v in os.environ.items()
               if not k.startswith("PLANSITE_") and k != "DATABASE_URL"}
        env.update({"PLANSITE_CORPUS": str(corpus_dir()), **snapshot_env(), **self.env})
        self.data_dir.mkdir(parents=True, exist_ok=True)
        cmd = [sys.executable, "-m", "plansite.cli.main", "serve", "--port", str(self.port),
               "--data-dir", str(self.data_dir)]
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT)
        self._wait_ready(timeout)
        return self

    def _wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited ({self.proc.returncode}):\n{self.tail()}")
            try:
                r = httpx.get(self.url + "/api/v1/openapi.json", headers=self.auth, timeout=2)
                if r.status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"server not ready after {timeout}s:\n{self.tail()}")

    def kill(self) -> None:
        """SIGKILL: the crash case, no shutdown code runs."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
        if self.proc:
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()

    def close(self) -> None:
        """Stop for good and drop what the server was given (its PostgreSQL database)."""
        self.stop()
        self._resources.close()

    def tail(self, lines: int = 40) -> str:
        if not self.log.exists():
            return ""
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])

    @property
    def auth(self) -> dict[str, str]:
        """The Authorization header a server started with ``PLANSITE_API_TOKEN`` needs."""
        token = self.env.get("PLANSITE_API_TOKEN")
        return {"authorization": f"Bearer {token}"} if token else {}

    def client(self) -> ApiClient:
        return ApiClient(self.url, self.auth)


class ApiClient(httpx.Client):
    """An httpx client that records which route template each request hit."""

    def __init__(self, base_url: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(base_url=base_url, timeout=60, headers=headers)
        if not _TEMPLATES:
            spec = httpx.get(base_url + "/api/v1/openapi.json", headers=headers).json()
            for path, ops in spec["paths"].items():
                pattern = re.compile("^" + re.sub(r"\{[^}]+\}", "[^/]+", path) + "$")
                _TEMPLATES.extend((f"{m.upper()} {path}", pattern) for m in ops)

    def request(self, method: str, url, **kwargs) -> httpx.Response:
        path = str(url).split("?", 1)[0]
        for key, pattern in _TEMPLATES:
            if key.startswith(method.upper() + " ") and pattern.match(path):
                HITS.add(tuple(key.split(" ", 1)))
        return super().request(method, url, **kwargs)

    # -- the flow's steps -----------------------------------------------------------------

    def new_project(self, name: str = "test project") -> str:
        r = self.post("/api/v1/projects", json={"name": name})
        assert r.status_code == 201, r.text
        return r.json()["id"]

    def upload(self, project_id: str, *paths: Path) -> httpx.Response:
        handles = [p.open("rb") for p in paths]
        try:
            files = [("file", (p.name, h)) for p, h in zip(paths, handles)]
            return self.post(f"/api/v1/projects/{project_id}/blueprints", files=files)
        finally:
            for h in handles:
                h.close()

    def wait_job(self, job_id: str, timeout: float = 120.0) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            job = self.get(f"/api/v1/jobs/{job_id}").json()
            if job["state"] in ("succeeded", "failed"):
                return job
            time.sleep(0.1)
        raise AssertionError(f"job {job_id} not finished after {timeout}s: {job}")


def assert_problem(r: httpx.Response, status: int, code: str) -> dict:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/problem+json"), r.headers
    body = r.json()
    assert body["code"] == code, body
    assert body["status"] == status and body["title"], body
    return body


@contextlib.contextmanager
def pg_database_url():
    """Create a uniquely named PostgreSQL database, yield its URL, drop it afterwards."""
    psycopg = pytest.importorskip("psycopg")
    try:
        admin = psycopg.connect(ADMIN_URL, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:
        pytest.skip(f"PostgreSQL not reachable at {ADMIN_URL}: {exc}")
    name = f"plansite_test_{uuid.uuid4().hex[:12]}"
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()
