"""The faults an attacker reported, one kind per section, each shown fixed over real HTTP
where it can be and in-process where the failure has to be injected:

- no token, DNS rebinding and cross-site posts (the access guard);
- request bodies read whole whatever their size (the JSON body guard);
- upload names that crash the job, leak the data folder or leave work folders behind;
- settings out of range that start a broken server or end in a traceback;
- non-JSON and malformed bodies answered with Python's words or the wrong status;
- NUL characters accepted into names PostgreSQL cannot store.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from api_harness import SMALL_PDF, ApiClient, Server, assert_problem, corpus_file

from plansite.api import worker as worker_module
from plansite.api.analysis_process import AnalysisFailed
from plansite.api.guards import JsonBodyGuard
from plansite.api.uploads import safe_filename
from plansite.settings import Settings, from_env

TOKEN = "t0ken-for-the-hardening-tests"
INTERNALS = ("Traceback", "JSONDecodeError", "pydantic", "File \"", "json.decoder",
             "model_attributes_type", "dict_type")


def _serve(args: list[str], env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items()
             if not k.startswith("PLANSITE_") and k != "DATABASE_URL"}
    return subprocess.run(
        [sys.executable, "-m", "plansite.cli.main", "serve", "--data-dir", str(tmp_path),
         *args], capture_output=True, text=True, timeout=120, check=False,
        env={**clean, **env},
    )


# -- H5: token, Host allow-list, cross-site requests --------------------------------------


@pytest.fixture(scope="module")
def token_server(tmp_path_factory) -> Server:
    srv = Server(tmp_path_factory.mktemp("token-data"),
                 {"PLANSITE_WORKERS": "0", "PLANSITE_API_TOKEN": TOKEN})
    try:
        yield srv.start()
    finally:
        srv.close()


def test_token_is_required_on_api_routes_only(token_server: Server) -> None:
    url = token_server.url
    for headers in ({}, {"authorization": "Bearer wrong"},
                    {"authorization": f"Basic {TOKEN}"},
                    {"authorization": f"Bearer {TOKEN}x"}):
        r = httpx.post(f"{url}/api/v1/projects", json={"name": "x"}, headers=headers)
        assert_problem(r, 401, "unauthorized")
        assert r.headers["www-authenticate"].startswith("Bearer")
    assert_problem(httpx.get(f"{url}/api/v1/openapi.json"), 401, "unauthorized")

    r = httpx.post(f"{url}/api/v1/projects", json={"name": "x"},
                   headers={"authorization": f"bearer {TOKEN}"})
    assert r.status_code == 201, r.text
    with token_server.client() as api:
        assert api.get("/api/v1/projects").json()["total"] == 1

    # Probes and the scrape stay open for orchestrators and Prometheus.
    for path in ("/health", "/ready", "/metrics"):
        assert httpx.get(url + path).status_code == 200, path


def test_untrusted_host_is_refused_and_never_reaches_a_link(api: ApiClient,
                                                           server: Server) -> None:
    r = api.get("/api/v1/projects", headers={"host": "evil.example"})
    assert_problem(r, 400, "untrusted_host")
    r = api.post("/api/v1/projects", json={"name": "x"},
                 headers={"host": f"evil.example:{server.port}"})
    assert_problem(r, 400, "untrusted_host")

    api.new_project("host one")
    api.new_project("host two")
    for host in (f"localhost:{server.port}", f"[::1]:{server.port}", "127.0.0.1"):
        page = api.get("/api/v1/projects", params={"limit": 1}, headers={"host": host})
        assert page.status_code == 200, (host, page.text)
        nxt = page.json()["next"]
        assert nxt.startswith("/api/v1/projects?") and "offset=1" in nxt, nxt


def test_cross_site_writes_are_refused(api: ApiClient, server: Server) -> None:
    for headers in ({"origin": "http://evil.example"}, {"origin": "null"},
                    {"origin": f"http://evil.example:{server.port}"},
                    {"sec-fetch-site": "cross-site"}):
        r = api.post("/api/v1/projects", json={"name": "csrf"}, headers=headers)
        assert_problem(r, 403, "cross_origin")
    r = api.post("/api/v1/chat", content=b"{}", headers={
        "origin": "http://evil.example", "content-type": "text/plain"})
    assert_problem(r, 403, "cross_origin")

    own = api.post("/api/v1/projects", json={"name": "same site"},
                   headers={"origin": server.url, "sec-fetch-site": "same-origin"})
    assert own.status_code == 201, own.text
    # Reads change nothing; the browser's same-origin policy keeps their answers private.
    assert api.get("/api/v1/projects", headers={"origin": "http://evil.example"}).is_success


def test_serve_refuses_to_listen_beyond_loopback_without_a_token(tmp_path) -> None:
    done = _serve(["--host", "0.0.0.0", "--port", "1"], {}, tmp_path)
    assert done.returncode == 64, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in done.stderr, done.stderr
    assert "PLANSITE_HOST" in lines[0] and "PLANSITE_API_TOKEN" in lines[0]


def test_trusted_hosts_add_the_listening_host() -> None:
    s = from_env({"PLANSITE_HOST": "10.0.0.5", "PLANSITE_API_TOKEN": TOKEN,
                  "PLANSITE_ALLOWED_HOSTS": "Plans.Example.com., [fd00::1]"})
    assert s.trusted_hosts == {"plans.example.com", "fd00::1", "10.0.0.5"}
    assert "localhost" in from_env({}).trusted_hosts
    assert "0.0.0.0" not in from_env({"PLANSITE_HOST": "0.0.0.0"}).trusted_hosts
    assert not from_env({"PLANSITE_HOST": "0.0.0.0"}).listens_on_loopback
    assert from_env({"PLANSITE_HOST": "::1"}).listens_on_loopback


# -- H6: bounded JSON bodies ----------------------------------------------------------------


def test_oversized_json_body_is_refused_before_parsing(api: ApiClient) -> None:
    big = b'{"name": "' + b"a" * (2 * 2**20) + b'"}'
    r = api.post("/api/v1/projects", content=big, headers={"content-type": "application/json"})
    assert_problem(r, 413, "body_too_large")

    def chunks():
        for _ in range(300):
            yield b"a" * 2**20

    r = api.post("/api/v1/chat", content=chunks(),
                 headers={"content-type": "application/json"})
    assert_problem(r, 413, "body_too_large")


def test_body_guard_stops_reading_at_the_limit() -> None:
    """In-process: a client that never stops sending is read one chunk past the limit."""
    pulled = 0

    async def receive() -> dict:
        nonlocal pulled
        pulled += 1
        return {"type": "http.request", "body": b"x" * 65536, "more_body": True}

    sent: list[dict] = []

    async def send(message: dict) -> None:
        sent.append(message)

    async def app(scope, receive, send) -> None:
        raise AssertionError("the app must not see an oversized body")

    guard = JsonBodyGuard(app, max_bytes=2**20)
    scope = {"type": "http", "method": "POST", "path": "/api/v1/projects",
             "query_string": b"", "headers": [(b"content-type", b"application/json")]}
    asyncio.run(guard(scope, receive, send))
    assert sent[0]["status"] == 413
    assert pulled == 2**20 // 65536 + 1


# -- M3: upload names ------------------------------------------------------------------------


def test_safe_filename() -> None:
    assert safe_filename("a\x00b\r\n.pdf") == "ab.pdf"
    assert safe_filename("C:\\plans\\p.pdf") == "p.pdf"
    assert safe_filename("\u202efdp.exe") == "fdp.exe"
    assert safe_filename("..") == safe_filename("\x00") == "upload"
    long = safe_filename("é" * 300 + ".pdf")
    assert len(long.encode()) <= 255 and long.endswith("é.pdf")
    assert len(safe_filename("日" * 200).encode()) == 255


def test_hostile_upload_name_is_cleaned_and_its_job_runs(api: ApiClient, server: Server) -> None:
    project = api.new_project("names")
    name = "bad\x00name" + "é" * 200 + ".pdf"
    r = api.post(f"/api/v1/projects/{project}/blueprints",
                 files={"file": (name, corpus_file(SMALL_PDF).read_bytes())})
    assert r.status_code == 202, r.text
    stored = r.json()["files"][0]["filename"]
    assert "\x00" not in stored and len(stored.encode()) <= 255 and stored.endswith(".pdf")

    job = api.wait_job(r.json()["job_id"])
    assert job["state"] in ("succeeded", "failed"), job
    if job["state"] == "failed":
        assert str(server.data_dir) not in job["error"]["message"]
    assert not (server.data_dir / "work" / job["id"]).exists()


@pytest.mark.filterwarnings("ignore:Using `httpx`")
@pytest.mark.parametrize("failure", ["link", "crash", "refusal"])
def test_failing_job_removes_its_work_folder_and_hides_server_paths(
    tmp_path, monkeypatch, failure: str
) -> None:
    """In-process: a stored name the file system refuses (a row from before uploads were
    cleaned), an engine crash and a refusal that quote server paths."""
    from fastapi.testclient import TestClient

    from plansite.api.app import create_app
    from plansite.store.models import Job, PlanFile

    data = tmp_path / "data"
    with TestClient(create_app(Settings(data_dir=data, workers=0))) as client:
        project = client.post("/api/v1/projects", json={"name": "m3"}).json()["id"]
        r = client.post(f"/api/v1/projects/{project}/blueprints",
                        files={"file": ("p.pdf", corpus_file(SMALL_PDF).read_bytes())})
        assert r.status_code == 202, r.text
        svc = client.app.state.services

        def analyze(path: Path, filename: str, progress, settings) -> None:
            where = f"{path} -> {path.resolve()} under {settings.data_dir}"
            if failure == "crash":
                raise OSError(f"cannot open {where}")
            raise AnalysisFailed("unsupported_content", f"{where}: not a drawing")

        monkeypatch.setattr(worker_module, "_analyze_file", analyze)
        if failure == "link":
            monkeypatch.setattr(worker_module, "safe_filename", lambda name: name)
            with svc.sessions.begin() as session:
                for row in session.query(PlanFile):
                    row.filename = "p\x00.pdf"

        worker = worker_module.Worker(svc.settings, svc.sessions, svc.blobs)
        claim = worker.queue.claim()
        worker.run(claim)
        with svc.sessions() as session:
            job = session.get(Job, claim.job_id)
            assert job.state == "failed"
            message = job.error_message
        assert str(tmp_path) not in message, message
        if failure == "refusal":
            assert message == "p.pdf -> p.pdf under <server>: not a drawing", message
        assert not (data / "work" / claim.job_id).exists()


# -- M6: settings in range -------------------------------------------------------------------


@pytest.mark.parametrize("variable, value, allowed", [
    ("PLANSITE_MAX_UPLOAD_MB", "inf", "at most 102400"),
    ("PLANSITE_MAX_UPLOAD_MB", "1e400", "at most 102400"),
    ("PLANSITE_MAX_UPLOAD_MB", "nan", "at most 102400"),
    ("PLANSITE_MAX_UPLOAD_MB", "-1", "above 0"),
    ("PLANSITE_MAX_UPLOAD_MB", "0", "above 0"),
    ("PLANSITE_PORT", "99999", "from 1 to 65535"),
    ("PLANSITE_PORT", "0", "from 1 to 65535"),
    ("PLANSITE_WORKERS", "-3", "from 0 to 64"),
    ("PLANSITE_JOB_LEASE_S", "0", "from 1 to 86400"),
    ("PLANSITE_JOB_LEASE_S", "nan", "from 1 to 86400"),
    ("PLANSITE_JOB_TIMEOUT_S", "-inf", "from 1 to 86400"),
    ("PLANSITE_JOB_MAX_ATTEMPTS", "0", "from 1 to 100"),
    ("PLANSITE_MAX_JSON_KB", "0", "from 1 to 65536"),
    ("PLANSITE_LOG_LEVEL", "loud", "DEBUG, INFO"),
    ("PLANSITE_OCR", "maybe", "true/false"),
    ("PLANSITE_API_TOKEN", "short", "at least 16"),
    ("PLANSITE_ALLOWED_HOSTS", "a,,b", "host names"),
])
def test_out_of_range_setting_names_variable_and_range(variable, value, allowed) -> None:
    with pytest.raises(ValueError) as caught:
        from_env({variable: value})
    message = str(caught.value)
    assert variable in message and allowed in message and "\n" not in message


@pytest.mark.parametrize("env, args", [
    ({"PLANSITE_MAX_UPLOAD_MB": "inf"}, []),
    ({"PLANSITE_JOB_LEASE_S": "0"}, []),
    ({}, ["--port", "99999"]),
    ({}, ["--workers", "-3"]),
])
def test_serve_exits_64_with_one_line_on_bad_settings(tmp_path, env, args) -> None:
    done = _serve(args, env, tmp_path)
    assert done.returncode == 64, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in done.stderr, done.stderr
    assert lines[0].startswith("plansite serve: PLANSITE_") and "must be" in lines[0]


# -- L6: media type and malformed JSON -------------------------------------------------------


def test_non_json_and_malformed_bodies(api: ApiClient) -> None:
    r = api.post("/api/v1/projects", content=b'{"name": "x"}',
                 headers={"content-type": "text/plain"})
    body = assert_problem(r, 415, "unsupported_media_type")
    assert "application/json" in body["detail"]
    r = api.post("/api/v1/projects", content=b'{"name": "x"}')
    assert_problem(r, 415, "unsupported_media_type")

    for raw in (b"{", b'{"name": "x",}', b'{"name": "\xff\xfe"}', b"[" * 100_000):
        r = api.post("/api/v1/projects", content=raw,
                     headers={"content-type": "application/json; charset=utf-8"})
        body = assert_problem(r, 400, "malformed_json")
        assert not any(word in body["detail"] for word in INTERNALS), body

    r = api.post("/api/v1/projects", json=["not", "an", "object"])
    body = assert_problem(r, 422, "invalid_request")
    assert not any(word in body["detail"] for word in INTERNALS), body


# -- L7: NUL characters ----------------------------------------------------------------------


def test_nul_and_control_characters_are_refused(api: ApiClient) -> None:
    for name in ("a\x00b", "\x00", "line\nbreak", "   "):
        r = api.post("/api/v1/projects", json={"name": name})
        assert_problem(r, 422, "invalid_request")
    r = api.post("/api/v1/chat", json={"plan_set_id": "x", "question": "how\x00 many?"})
    assert_problem(r, 422, "invalid_request")
    assert_problem(api.get("/api/v1/projects/a%00b"), 422, "invalid_request")
    assert_problem(api.get("/api/v1/detect/blueprints/x/detections?type=%00"), 422,
                   "invalid_request")
    assert api.post("/api/v1/projects", json={"name": "Café № 5"}).status_code == 201
