"""Jobs survive a crash of the server and run side by side without mixing results."""

from __future__ import annotations

import threading
import time
from datetime import datetime

from api_harness import (
    DXF,
    SMALL_PDF,
    ApiClient,
    Server,
    assert_problem,
    corpus_file,
    expected_takeoff,
)


def test_restart_mid_job_runs_it_again_to_one_result(tmp_path) -> None:
    server = Server(tmp_path / "data", {"PLANSITE_WORKERS": "1"}).start()
    try:
        with server.client() as api:
            project = api.new_project("restart")
            # A fresh server boots its analysis forkserver on the first job (seconds), so
            # even this small drawing is still running when the kill lands.
            up = api.upload(project, corpus_file(DXF)).json()
            _wait_running(api, up["job_id"])
            server.kill()

        server.start()
        with server.client() as api:
            job = api.wait_job(up["job_id"])
            takeoff = api.get(f"/api/v1/blueprints/{up['id']}/takeoff").json()
            sheets = api.get(f"/api/v1/parse/blueprints/{up['id']}/sheets").json()
            dets = api.get(f"/api/v1/detect/blueprints/{up['id']}/detections").json()
    finally:
        server.close()

    want = expected_takeoff(DXF)
    assert job["state"] == "succeeded", job
    assert job["attempts"] == 2, "the job should have been interrupted once and re-run"
    assert takeoff["counts"] == want["counts"]
    assert sheets["total"] == len(want["sheets"])
    assert dets["total"] == len(want["detections"])
    assert "re-queued 1 job(s) interrupted by a restart" in server.log.read_text()


def _wait_running(api: ApiClient, job_id: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = api.get(f"/api/v1/jobs/{job_id}").json()
        assert job["state"] != "succeeded", "job finished before it could be interrupted"
        if job["state"] == "running":
            return
        time.sleep(0.01)
    raise AssertionError("job never started")


def test_two_jobs_at_once(tmp_path) -> None:
    """Uploads queue while no worker runs; a server with two workers then takes two jobs in
    the same instant, so they certainly overlap, and each keeps its own result."""
    server = Server(tmp_path / "data", {"PLANSITE_WORKERS": "0"}).start()
    uploads: dict[str, dict] = {}
    try:
        with server.client() as api:
            def upload(name: str, tag: str) -> None:
                uploads[tag] = api.upload(api.new_project(tag), corpus_file(name)).json()

            threads = [threading.Thread(target=upload, args=(name, tag))
                       for tag, name in (("a", DXF), ("b", DXF))]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            upload(SMALL_PDF, "c")
            queued = uploads["c"]["id"]
            assert api.get(f"/api/v1/jobs/{uploads['c']['job_id']}").json()["state"] == "queued"
            assert_problem(api.get(f"/api/v1/blueprints/{queued}/takeoff"), 409,
                           "takeoff_not_ready")
        server.stop()

        server.env["PLANSITE_WORKERS"] = "2"
        server.start()
        with server.client() as api:
            jobs = {tag: api.wait_job(up["job_id"]) for tag, up in uploads.items()}
            takeoffs = {tag: api.get(f"/api/v1/blueprints/{up['id']}/takeoff").json()
                        for tag, up in uploads.items()}
    finally:
        server.close()

    assert all(j["state"] == "succeeded" for j in jobs.values()), jobs
    for tag, name in (("a", DXF), ("b", DXF), ("c", SMALL_PDF)):
        got = takeoffs[tag]
        assert got["counts"] == expected_takeoff(name)["counts"] and got["source"] == name
    first, second = sorted(_interval(j) for j in jobs.values())[:2]
    assert second[0] < first[1], f"the first two jobs did not overlap: {first} {second}"


def _interval(job: dict) -> tuple[datetime, datetime]:
    return (datetime.fromisoformat(job["started_at"]),
            datetime.fromisoformat(job["finished_at"]))
