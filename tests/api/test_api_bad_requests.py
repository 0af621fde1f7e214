"""Bad uploads and bad requests get problem+json with a stable code; files the engine
cannot take off become failed jobs whose reason tells the user what to do."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from api_harness import PDF, ApiClient, assert_problem, corpus_file

RASTER = "img-deepfloorplan-45719584-uk-flat.jpg"


@pytest.fixture(scope="module")
def project(api: ApiClient) -> str:
    return api.new_project("bad uploads")


def _upload_bytes(api: ApiClient, project: str, name: str, data: bytes) -> httpx.Response:
    return api.post(f"/api/v1/projects/{project}/blueprints", files={"file": (name, data)})


def test_unknown_project(api: ApiClient) -> None:
    assert_problem(api.get("/api/v1/projects/nope"), 404, "project_not_found")
    r = api.upload("nope", corpus_file(PDF))
    assert_problem(r, 404, "project_not_found")


def test_not_multipart(api: ApiClient, project: str) -> None:
    r = api.post(f"/api/v1/projects/{project}/blueprints", json={"file": "x"})
    assert_problem(r, 415, "multipart_required")


def test_no_file_field(api: ApiClient, project: str) -> None:
    r = api.post(f"/api/v1/projects/{project}/blueprints", files={"other": ("a.pdf", b"x")})
    assert_problem(r, 422, "no_file")


def test_empty_file(api: ApiClient, project: str) -> None:
    assert_problem(_upload_bytes(api, project, "empty.pdf", b""), 400, "empty_file")


def test_not_a_drawing(api: ApiClient, project: str) -> None:
    body = assert_problem(_upload_bytes(api, project, "notes.pdf", b"hello " * 100), 415,
                          "unsupported_content")
    assert "notes.pdf" in body["detail"] and "/" not in body["detail"].split(":")[0]


def test_one_bad_file_refuses_the_whole_upload(api: ApiClient, project: str) -> None:
    files = [("file", (PDF, corpus_file(PDF).read_bytes())), ("file", ("x.txt", b"plain"))]
    r = api.post(f"/api/v1/projects/{project}/blueprints", files=files)
    assert_problem(r, 415, "unsupported_content")
    sets = api.get(f"/api/v1/projects/{project}/blueprints").json()
    assert sets["total"] == 0


def test_too_large_is_refused_while_streaming(api: ApiClient, project: str, server) -> None:
    big = b"%PDF-1.7\n" + b"0" * (7 * 2**20)
    assert_problem(_upload_bytes(api, project, "big.pdf", big), 413, "upload_too_large")
    assert not list(server.data_dir.glob("blobs/tmp/upload-*"))


def test_body_cut_inside_a_file_part(api: ApiClient, project: str, server) -> None:
    r = api.post(
        f"/api/v1/projects/{project}/blueprints",
        content=b'--zzz\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"'
                b"\r\n\r\n%PDF-1.7 and then nothing",
        headers={"content-type": "multipart/form-data; boundary=zzz"},
    )
    assert_problem(r, 400, "bad_multipart")
    assert not list(server.data_dir.glob("blobs/tmp/upload-*"))


def test_malformed_multipart(api: ApiClient, project: str) -> None:
    r = api.post(
        f"/api/v1/projects/{project}/blueprints",
        content=b"--other\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\nx",
        headers={"content-type": "multipart/form-data; boundary=zzz"},
    )
    assert r.status_code in (400, 422), r.text
    assert r.json()["code"] in ("bad_multipart", "no_file")


def test_truncated_pdf_fails_its_job_with_a_reason(api: ApiClient, project: str,
                                                   tmp_path: Path) -> None:
    whole = corpus_file(PDF).read_bytes()
    r = _upload_bytes(api, project, "cut.pdf", whole[: len(whole) // 3])
    assert r.status_code == 202, r.text
    job = api.wait_job(r.json()["job_id"])
    if job["state"] == "succeeded":
        pytest.skip("the engine repaired this truncated PDF; nothing to refuse")
    assert job["state"] == "failed"
    assert job["error"]["code"] and "cut.pdf" in job["error"]["message"]
    body = assert_problem(api.get(f"/api/v1/blueprints/{r.json()['id']}/takeoff"), 409,
                          "analysis_failed")
    assert job["error"]["message"] in body["detail"]


def test_takeoff_not_ready_and_unknown_ids(api: ApiClient) -> None:
    for path, code in [
        ("/api/v1/jobs/nope", "job_not_found"),
        ("/api/v1/jobs/nope/events", "job_not_found"),
        ("/api/v1/blueprints/nope", "plan_set_not_found"),
        ("/api/v1/blueprints/nope/takeoff", "plan_set_not_found"),
        ("/api/v1/blueprints/nope/files/nope", "file_not_found"),
        ("/api/v1/parse/sheets/nope", "sheet_not_found"),
        ("/api/v1/parse/sheets/nope/image", "sheet_not_found"),
        ("/api/v1/render/sheets/nope/marked.png", "sheet_not_found"),
        ("/api/v1/detect/detections/nope", "detection_not_found"),
        ("/api/v1/parse/blueprints/nope/sheets", "plan_set_not_found"),
        ("/api/v1/detect/blueprints/nope/detections", "plan_set_not_found"),
        ("/api/v1/render/blueprints/nope/counts.csv", "plan_set_not_found"),
        ("/api/v1/projects/nope/blueprints", "project_not_found"),
    ]:
        assert_problem(api.get(path), 404, code)
    r = api.post("/api/v1/chat", json={"plan_set_id": "nope", "question": "how many?"})
    assert_problem(r, 404, "plan_set_not_found")
    assert_problem(api.get("/api/v1/no/such/route"), 404, "not_found")


def test_invalid_bodies_and_parameters(api: ApiClient) -> None:
    body = assert_problem(api.post("/api/v1/projects", json={"name": ""}), 422,
                          "invalid_request")
    assert body["errors"]
    assert_problem(api.post("/api/v1/projects", content=b"{", headers={
        "content-type": "application/json"}), 400, "malformed_json")
    assert_problem(api.get("/api/v1/projects", params={"limit": 0}), 422, "invalid_request")
    assert_problem(api.get("/api/v1/jobs", params={"state": "lost"}), 422, "invalid_request")
    assert_problem(api.delete("/api/v1/projects"), 405, "method_not_allowed")


def test_raster_image_is_taken_or_refused_with_a_reason(api: ApiClient, project: str) -> None:
    """The engine does not take off scans yet: the job must then fail saying so."""
    r = api.upload(project, corpus_file(RASTER))
    assert r.status_code == 202, r.text
    job = api.wait_job(r.json()["job_id"])
    if job["state"] == "failed":
        assert job["error"]["code"] == "unsupported_content"
        assert RASTER in job["error"]["message"]


# starlette's TestClient warns that its httpx backend is deprecated; it works as before.
@pytest.mark.filterwarnings("ignore:Using `httpx`")
def test_full_disk_is_a_507_and_nothing_is_recorded(tmp_path, monkeypatch) -> None:
    """In-process (the failure is injected): the blob store refuses to write."""
    import errno

    from fastapi.testclient import TestClient

    from plansite.api.app import create_app
    from plansite.settings import Settings
    from plansite.store.blobs import BlobStore

    def full(self):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(BlobStore, "begin", full)
    with TestClient(create_app(Settings(data_dir=tmp_path, workers=0))) as client:
        project = client.post("/api/v1/projects", json={"name": "full"}).json()["id"]
        r = client.post(f"/api/v1/projects/{project}/blueprints",
                        files={"file": (PDF, corpus_file(PDF).read_bytes())})
        assert_problem(r, 507, "storage_unavailable")
        assert client.get(f"/api/v1/projects/{project}/blueprints").json()["total"] == 0
