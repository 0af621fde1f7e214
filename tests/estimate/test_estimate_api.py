"""The routes under /api/v1/estimate, in-process (no socket), on a fresh SQLite database."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from conftest import store_plan_set

from plansite.estimate.corrections import detection_id

fastapi = pytest.importorskip("fastapi")
from fastapi.testclient import TestClient  # noqa: E402

from plansite.api.app import create_app  # noqa: E402
from plansite.settings import Settings  # noqa: E402

TAKEOFF = {
    "source": "api-test.pdf", "status": "success",
    "counts": {"water_closet": 2, "lavatory": 1},
    "sheets": [{"sheet": 1, "title": "FIRST FLOOR PLAN", "number": "P1", "counts": {}}],
    "detections": [
        {"type": "water_closet", "sheet": 1, "room": "BATH", "bbox": [0, 0, 10, 10],
         "confidence": 0.9, "method": "tag", "tag": "WC-1"},
        {"type": "water_closet", "sheet": 1, "room": "WC", "bbox": [50, 0, 60, 10],
         "confidence": 0.6, "method": "block", "tag": ""},
        {"type": "lavatory", "sheet": 1, "room": "BATH", "bbox": [20, 0, 30, 10],
         "confidence": 0.8, "method": "tag", "tag": "L-1"},
    ],
    "pipe_totals_ft": {"sanitary": 20.0},
}
BASE = "/api/v1/estimate"


@pytest.fixture
def api(tmp_path):
    app = create_app(Settings(data_dir=tmp_path / "data", workers=0))
    with TestClient(app) as client:
        yield client, app


def _plan_set_with_takeoff(app, takeoff: dict) -> str:
    return store_plan_set(app, takeoff)


def test_codes_units_and_pricebook_versions(api) -> None:
    client, _ = api
    codes = client.get(f"{BASE}/codes").json()
    assert {e["key"] for e in codes["editions"]} == {"IPC-2021", "UPC-2021"}
    assert "IPC18-E" in codes["sources"]

    units = client.post(f"{BASE}/fixture-units", json={"takeoff": TAKEOFF}).json()
    assert units["fixture_units"]["dfu"] == 7.0
    assert units["sizing"][0]["row"] == "3 in: 42 dfu at 1/4 in/ft"
    bad = client.post(f"{BASE}/fixture-units", json={"takeoff": TAKEOFF, "code": "X"})
    assert bad.status_code == 422 and bad.json()["code"] == "unknown_code"

    book = client.get(f"{BASE}/pricebook", params={"company": "acme"}).json()
    assert book["version"] == 0 and book["placeholder"] is True
    put = client.put(f"{BASE}/pricebook", params={"company": "acme"},
                     json={"overrides": {"source": "Acme 2027 prices",
                                         "markup": {"rate": "0.20"}}, "note": "2027"})
    assert put.status_code == 201 and put.json()["version"] == 1
    wrong = client.put(f"{BASE}/pricebook", params={"company": "acme"},
                       json={"overrides": {"tax": {"rate": "eight"}}})
    assert wrong.status_code == 422 and "tax.rate" in wrong.json()["detail"]
    versions = client.get(f"{BASE}/pricebook/versions", params={"company": "acme"}).json()
    assert [v["version"] for v in versions["items"]] == [1]


def test_bid_lifecycle_and_outputs(api) -> None:
    client, _ = api
    made = client.post(f"{BASE}/bids", params={"company": "acme"},
                       json={"takeoff": TAKEOFF, "title": "Main St", "actor": "ann",
                             "customer": {"name": "Owner LLC"},
                             "options": {"discount_rate": "0.05", "edition": "UPC-2021"}})
    assert made.status_code == 201, made.text
    bid = made.json()
    assert bid["number"].startswith("B-") and bid["status"] == "draft"
    assert bid["estimate"]["fixture_units"]["code"] == "UPC-2021"
    assert bid["estimate"]["totals"]["discount"] != "0.00"

    illegal = client.post(f"{BASE}/bids/{bid['id']}/status", json={"to": "sent"})
    assert illegal.status_code == 409 and illegal.json()["code"] == "illegal_transition"
    for status in ("review", "approved", "sent"):
        moved = client.post(f"{BASE}/bids/{bid['number']}/status",
                            json={"to": status, "actor": "ann"})
        assert moved.status_code == 200, moved.text
    got = client.get(f"{BASE}/bids/{bid['id']}").json()
    assert got["status"] == "sent" and got["expires_at"]
    assert [a["to"] for a in got["activity"]] == ["draft", "review", "approved", "sent"]
    assert client.get(f"{BASE}/bids", params={"company": "acme",
                                              "status": "sent"}).json()["items"]
    assert client.post(f"{BASE}/expire").json() == {"expired": []}

    pdf = client.get(f"{BASE}/bids/{bid['id']}/proposal.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    xlsx = client.get(f"{BASE}/bids/{bid['id']}/bid.xlsx")
    assert load_workbook(io.BytesIO(xlsx.content))["Bid"]["A1"].value == f"Bid {bid['number']}"
    csv = client.get(f"{BASE}/bids/{bid['id']}/bid.csv").text
    assert bid["total"] in csv
    assert client.get(f"{BASE}/bids/nope").status_code == 404


def test_corrections_accuracy_and_revision_diff(api) -> None:
    client, app = api
    plan_set = _plan_set_with_takeoff(app, TAKEOFF)
    draft = client.post(f"{BASE}/bids", json={"plan_set_id": plan_set}).json()

    fixes = [{"action": "retype", "detection_id": detection_id(TAKEOFF["detections"][1]),
              "fixture_type": "urinal"},
             {"action": "add", "fixture_type": "floor_drain", "sheet": 1,
              "bbox": [80, 0, 82, 2], "room": "WC"}]
    out = client.post(f"{BASE}/plansets/{plan_set}/corrections",
                      json={"corrections": fixes, "actor": "rev"})
    assert out.status_code == 200, out.text
    body = out.json()
    assert body["counts"] == {"floor_drain": 1, "lavatory": 1, "urinal": 1,
                              "water_closet": 1}
    # machine {wc 2, lav 1} vs reviewed: tp 2, fp 1, fn 2 -> F1 = 4/7
    assert body["estimate_accuracy_score"] == pytest.approx(0.5714, abs=1e-4)
    assert body["repriced_bids"][0]["number"] == draft["number"]
    assert Decimal(body["repriced_bids"][0]["total"]) != Decimal(draft["total"])

    reviewed = client.get(f"{BASE}/plansets/{plan_set}/reviewed").json()
    assert reviewed["fixture_detection_confidence"] == pytest.approx(0.7667, abs=1e-4)
    units = client.get(f"{BASE}/plansets/{plan_set}/fixture-units").json()
    assert units["fixture_units"]["dfu"] == 3 + 4 + 1 + 2   # WC, urinal, LAV, floor drain

    bad = client.post(f"{BASE}/plansets/{plan_set}/corrections",
                      json={"corrections": [{"action": "retype", "detection_id": "x",
                                             "fixture_type": "spaceship"}]})
    assert bad.status_code == 422

    diff = client.post(f"{BASE}/revisions/diff",
                       json={"old_takeoff": TAKEOFF, "new_plan_set_id": plan_set}).json()
    assert {c["fixture_type"] for c in diff["added"]} == {"floor_drain", "urinal"}
    assert Decimal(diff["cost_delta"]["delta"]) > 0
    missing = client.post(f"{BASE}/revisions/diff", json={"old_takeoff": TAKEOFF})
    assert missing.status_code == 422
