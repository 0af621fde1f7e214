"""The whole flow over HTTP: project → upload → job → takeoff, sheets, detections,
images, CSV and the assistant, compared with ``analyze_path`` run on the same file."""

from __future__ import annotations

import csv
import io
import json

import pytest
from api_harness import (
    DXF,
    PDF,
    SMALL_PDF,
    ApiClient,
    assert_problem,
    corpus_file,
    expected_takeoff,
)
from PIL import Image


@pytest.fixture(scope="module")
def flow(api: ApiClient) -> dict:
    """One project with a DXF plan set and a PDF plan set, both analysed."""
    project = api.new_project("flow")
    sets = {}
    for name in (DXF, PDF):
        r = api.upload(project, corpus_file(name))
        assert r.status_code == 202, r.text
        sets[name] = r.json()
    for name, up in sets.items():
        job = api.wait_job(up["job_id"])
        assert job["state"] == "succeeded", job
    return {"project": project, "sets": sets}


def test_takeoff_matches_the_engine(api: ApiClient, flow: dict) -> None:
    for name, up in flow["sets"].items():
        got = api.get(f"/api/v1/blueprints/{up['id']}/takeoff").json()
        want = expected_takeoff(name)
        same = {k: v for k, v in got.items() if k not in ("elapsed_s", "files")}
        assert same == {k: v for k, v in want.items() if k != "elapsed_s"}
        assert got["counts"] == want["counts"]
        assert got["total_fixtures"] == want["total_fixtures"]
        assert got["source"] == name and got["kind"] == want["kind"]
        assert [s["counts"] for s in got["sheets"]] == [s["counts"] for s in want["sheets"]]
        assert len(got["detections"]) == len(want["detections"])
        assert got["files"][0]["filename"] == name


def test_job_reports_state_stage_progress(api: ApiClient, flow: dict) -> None:
    job_id = flow["sets"][DXF]["job_id"]
    job = api.get(f"/api/v1/jobs/{job_id}").json()
    assert (job["state"], job["stage"], job["progress"]) == ("succeeded", "done", 100.0)
    assert job["attempts"] == 1 and job["error"] is None

    listed = api.get("/api/v1/jobs", params={"state": "succeeded", "limit": 1}).json()
    assert listed["limit"] == 1 and len(listed["items"]) == 1 and listed["total"] >= 2
    assert listed["next"] and "offset=1" in listed["next"]


def test_job_events_stream_ends_with_terminal_state(api: ApiClient, flow: dict) -> None:
    job_id = flow["sets"][PDF]["job_id"]
    with api.stream("GET", f"/api/v1/jobs/{job_id}/events") as r:
        assert r.headers["content-type"].startswith("text/event-stream")
        body = "".join(r.iter_text())
    events = [json.loads(line[5:]) for line in body.splitlines() if line.startswith("data:")]
    assert events[-1]["state"] == "succeeded"


def test_projects_and_plan_sets_are_listed_with_pagination(api: ApiClient, flow: dict) -> None:
    project = flow["project"]
    assert api.get(f"/api/v1/projects/{project}").json()["name"] == "flow"
    page = api.get("/api/v1/projects", params={"limit": 500}).json()
    assert project in [p["id"] for p in page["items"]]

    sets = api.get(f"/api/v1/projects/{project}/blueprints", params={"limit": 1}).json()
    assert sets["total"] == 2 and [s["revision"] for s in sets["items"]] == [1]
    second = api.get(sets["next"]).json()
    assert [s["revision"] for s in second["items"]] == [2] and second["next"] is None

    one = api.get(f"/api/v1/blueprints/{flow['sets'][PDF]['id']}").json()
    assert one["revision"] == 2 and one["job"]["state"] == "succeeded"


def test_original_file_comes_back_byte_for_byte(api: ApiClient, flow: dict) -> None:
    up = flow["sets"][DXF]
    r = api.get(f"/api/v1/blueprints/{up['id']}/files/{up['files'][0]['id']}")
    assert r.status_code == 200 and r.content == corpus_file(DXF).read_bytes()


def test_same_file_again_is_a_new_revision_stored_once(api: ApiClient, server, flow) -> None:
    r = api.upload(flow["project"], corpus_file(DXF))
    assert r.status_code == 202 and r.json()["revision"] == 3
    sha = r.json()["files"][0]["sha256"]
    assert sha == flow["sets"][DXF]["files"][0]["sha256"]
    assert len(list(server.data_dir.glob(f"blobs/*/*/{sha}"))) == 1
    assert api.wait_job(r.json()["job_id"])["state"] == "succeeded"


def test_several_files_make_one_plan_set(api: ApiClient) -> None:
    project = api.new_project("two files")
    r = api.upload(project, corpus_file(DXF), corpus_file(SMALL_PDF))
    assert r.status_code == 202 and len(r.json()["files"]) == 2
    assert api.wait_job(r.json()["job_id"])["state"] == "succeeded"

    got = api.get(f"/api/v1/blueprints/{r.json()['id']}/takeoff").json()
    dxf, pdf = expected_takeoff(DXF), expected_takeoff(SMALL_PDF)
    for fixture in set(dxf["counts"]) | set(pdf["counts"]):
        want = dxf["counts"].get(fixture, 0) + pdf["counts"].get(fixture, 0)
        assert got["counts"][fixture] == want
    assert len(got["sheets"]) == len(dxf["sheets"]) + len(pdf["sheets"])
    assert [s["sheet"] for s in got["sheets"]] == list(range(1, len(got["sheets"]) + 1))
    assert got["files"][1]["first_sheet"] == len(dxf["sheets"]) + 1


def test_sheets_and_detections(api: ApiClient, flow: dict) -> None:
    plan_set = flow["sets"][DXF]["id"]
    want = expected_takeoff(DXF)
    sheets = api.get(f"/api/v1/parse/blueprints/{plan_set}/sheets").json()
    assert sheets["total"] == len(want["sheets"])
    first = api.get(f"/api/v1/parse/sheets/{sheets['items'][0]['id']}").json()
    assert first["summary"]["counts"] == want["sheets"][0]["counts"]

    dets = api.get(f"/api/v1/detect/blueprints/{plan_set}/detections").json()
    assert dets["total"] == len(want["detections"])
    assert [d["detection"] for d in dets["items"]] == want["detections"]
    if want["detections"]:
        kind = want["detections"][0]["type"]
        only = api.get(f"/api/v1/detect/blueprints/{plan_set}/detections",
                       params={"type": kind, "sheet": 1}).json()
        assert all(d["detection"]["type"] == kind for d in only["items"])
        one = api.get(f"/api/v1/detect/detections/{dets['items'][0]['id']}").json()
        assert one["detection"] == want["detections"][0]


def test_sheet_image_at_chosen_dpi(api: ApiClient, flow: dict) -> None:
    plan_set = flow["sets"][PDF]["id"]
    sheet = api.get(f"/api/v1/parse/blueprints/{plan_set}/sheets").json()["items"][0]["id"]
    small = api.get(f"/api/v1/parse/sheets/{sheet}/image", params={"dpi": 36})
    large = api.get(f"/api/v1/parse/sheets/{sheet}/image", params={"dpi": 72})
    assert small.headers["content-type"] == "image/png"
    w36 = Image.open(io.BytesIO(small.content)).width
    w72 = Image.open(io.BytesIO(large.content)).width
    assert abs(w72 - 2 * w36) <= 2

    marked = api.get(f"/api/v1/render/sheets/{sheet}/marked.png", params={"dpi": 36})
    assert Image.open(io.BytesIO(marked.content)).width == w36
    assert_problem(api.get(f"/api/v1/parse/sheets/{sheet}/image", params={"dpi": 5000}),
                   422, "invalid_request")


def test_dxf_sheet_image_with_marks(api: ApiClient, flow: dict) -> None:
    plan_set = flow["sets"][DXF]["id"]
    sheet = api.get(f"/api/v1/parse/blueprints/{plan_set}/sheets").json()["items"][0]["id"]
    plain = api.get(f"/api/v1/parse/sheets/{sheet}/image", params={"dpi": 24})
    marked = api.get(f"/api/v1/render/sheets/{sheet}/marked.png", params={"dpi": 24})
    assert plain.status_code == marked.status_code == 200, plain.text
    a, b = (Image.open(io.BytesIO(r.content)).convert("RGB") for r in (plain, marked))
    assert a.size == b.size and abs(max(a.size) - 17 * 24) <= 2
    if expected_takeoff(DXF)["detections"]:
        assert a.tobytes() != b.tobytes(), "no mark drawn"


def test_counts_csv(api: ApiClient, flow: dict) -> None:
    plan_set = flow["sets"][PDF]["id"]
    r = api.get(f"/api/v1/render/blueprints/{plan_set}/counts.csv")
    assert r.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert {row["fixture_type"]: int(row["count"]) for row in rows} == \
        expected_takeoff(PDF)["counts"]
    per_sheet = api.get(f"/api/v1/render/blueprints/{plan_set}/counts.csv",
                        params={"by": "sheet"}).text
    assert per_sheet.startswith("sheet,sheet_number,title,fixture_type,count")


def test_chat_answers_counts_and_says_it_has_no_llm(api: ApiClient, flow: dict) -> None:
    plan_set = flow["sets"][DXF]["id"]
    want = expected_takeoff(DXF)["counts"]
    r = api.post("/api/v1/chat", json={"plan_set_id": plan_set,
                                       "question": "How many toilets by room?"}).json()
    assert r["llm"] is None and "No language model" in r["answer"]
    assert f"counts {want.get('water_closet', 0)} water closet" in r["answer"]
    assert sum(r["facts"]["counts"].values()) == want.get("water_closet", 0)

    other = api.post("/api/v1/chat", json={"plan_set_id": plan_set,
                                           "question": "Write me a poem"}).json()
    assert other["facts"] == {} and "No language model" in other["answer"]
