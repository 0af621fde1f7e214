"""Bad input to /api/v1/estimate and to ``plansite estimate takeoff.json`` is a 4xx (or exit
64) naming the field, never a 500 and never a bid priced from a negative count.

Bodies are sent as raw text so NaN and Infinity reach the server the way a client that
writes them would send them.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import store_plan_set

from plansite.estimate.models import PriceBookVersion

fastapi = pytest.importorskip("fastapi")
from fastapi.testclient import TestClient

from plansite.api.app import create_app
from plansite.settings import Settings

BASE = "/api/v1/estimate"
INTERNALS = ("not supported between", "NoneType", "Traceback", "InvalidOperation",
             "OverflowError", "cannot convert", "internal")
TAKEOFF = {"counts": {"water_closet": 1},
           "sheets": [{"sheet": 1, "title": "PLAN", "number": "P1"}],
           "detections": [{"type": "water_closet", "sheet": 1, "room": "BATH",
                           "bbox": [0, 0, 1, 1]}]}


@pytest.fixture
def client(tmp_path):
    app = create_app(Settings(data_dir=tmp_path / "data", workers=0))
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


def _send(client, method: str, path: str, body: str):
    return client.request(method, f"{BASE}{path}", content=body,
                          headers={"content-type": "application/json"})


def _problem(response, status: int, code: str, field: str) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["code"] == code, body
    assert field in body["detail"], body
    assert not any(word in body["detail"] for word in INTERNALS), body
    return body


COUNTS = ["1e308", str(10**30), "NaN", "Infinity", "-Infinity", "-5", '"abc"', "null", "2.5",
          "true"]


@pytest.mark.parametrize("count", COUNTS)
@pytest.mark.parametrize("path", ["/fixture-units", "/bids"])
def test_bad_counts_are_422_invalid_takeoff(client, path: str, count: str) -> None:
    response = _send(client, "POST", path,
                     '{"takeoff": {"counts": {"water_closet": ' + count + "}}}")
    _problem(response, 422, "invalid_takeoff", "takeoff.counts.water_closet")


def test_negative_counts_are_not_priced(client) -> None:
    response = client.post(f"{BASE}/bids", json={"takeoff": {"counts": {"water_closet": -5}}})
    _problem(response, 422, "invalid_takeoff", "takeoff.counts.water_closet: -5")
    assert client.get(f"{BASE}/bids").json()["items"] == []


@pytest.mark.parametrize("body, field", [
    ('{"takeoff": {"detections": [{"type": "water_closet", "sheet": 1, "quantity": -1e300}]}}',
     "takeoff.detections[0].quantity"),
    ('{"takeoff": {"counts": {"spaceship": 1}}}', "takeoff.counts.spaceship"),
    ('{"takeoff": {"counts": {}, "pipe_totals_ft": {"sanitary": 1e308}}}',
     "takeoff.pipe_totals_ft.sanitary"),
    ('{"takeoff": {"counts": []}}', "takeoff.counts"),
])
def test_bad_takeoff_parts_are_422(client, body: str, field: str) -> None:
    for path in ("/fixture-units", "/bids"):
        _problem(_send(client, "POST", path, body), 422, "invalid_takeoff", field)


@pytest.mark.parametrize("options, field", [
    ('{"markup": "x"}', "options.markup: unknown option (did you mean markup_rate?)"),
    ('{"markup_rate": "x"}', "options.markup_rate"),
    ('{"markup_rate": NaN}', "options.markup_rate"),
    ('{"optional_lines": [{"quantity": "x"}]}', "options.optional_lines[0].quantity"),
    ('{"optional_lines": [{"material_unit": 1e308}]}',
     "options.optional_lines[0].material_unit"),
])
def test_bad_bid_options_are_422(client, options: str, field: str) -> None:
    body = f'{{"takeoff": {json.dumps(TAKEOFF)}, "options": {options}}}'
    _problem(_send(client, "POST", "/bids", body), 422, "invalid_bid_options", field)


def test_unknown_tier_and_crew_are_422(client) -> None:
    for options in ({"tier": "gold"}, {"optional_lines": [{"crew": "robots"}]}):
        response = client.post(f"{BASE}/bids", json={"takeoff": TAKEOFF, "options": options})
        assert response.status_code == 422 and response.json()["code"] == "invalid_bid_options"


def test_revision_diff_checks_both_takeoffs(client) -> None:
    body = '{"old_takeoff": {"counts": {"a": "x"}}, "new_takeoff": {"counts": null}}'
    _problem(_send(client, "POST", "/revisions/diff", body), 422, "invalid_takeoff",
             "old_takeoff.counts.a")
    body = json.dumps({"old_takeoff": TAKEOFF, "new_takeoff": {"counts": None}})
    _problem(_send(client, "POST", "/revisions/diff", body), 422, "invalid_takeoff",
             "new_takeoff.counts")
    empty = client.post(f"{BASE}/revisions/diff", json={"old_takeoff": {},
                                                         "new_takeoff": TAKEOFF})
    assert empty.status_code == 200 and empty.json()["counts_delta"] == {"water_closet": 1}


def test_bid_list_pages_like_the_rest_of_the_api(client) -> None:
    for query in ("limit=-1", "offset=abc", "limit=0", "limit=100000", "offset=-1",
                  "status=bogus"):
        response = client.get(f"{BASE}/bids?{query}")
        assert response.status_code == 422, query
        assert response.json()["code"] == "invalid_request"
    for _ in range(3):
        assert client.post(f"{BASE}/bids", json={"takeoff": TAKEOFF}).status_code == 201
    first = client.get(f"{BASE}/bids", params={"limit": 2}).json()
    assert (len(first["items"]), first["total"], first["limit"], first["offset"]) == (2, 3, 2, 0)
    second = client.get(first["next"]).json()
    assert len(second["items"]) == 1 and second["next"] is None
    numbers = [b["number"] for b in first["items"] + second["items"]]
    assert numbers == sorted(set(numbers))


@pytest.mark.parametrize("overrides, field", [
    ('{"fixtures": {"water_closet": {"material": -1e308}}}',
     "fixtures.water_closet.material: unknown field"),
    ('{"bogus": 1}', "bogus: unknown field"),
    ('{"fixtures": {"water_closet": {"rough_in": {"material": -1e308}}}}',
     "fixtures.water_closet.rough_in.material"),
    ('{"fixtures": {"water_closet": {"rough_in": {"material": 1e308}}}}',
     "fixtures.water_closet.rough_in.material"),
    ('{"fixtures": {"water_closet": {"rough_in": {"material": NaN}}}}',
     "fixtures.water_closet.rough_in.material"),
    ('{"labor_rates": {"journeyman": {"rate": Infinity}}}', "labor_rates.journeyman.rate"),
    ('{"validity_days": "x"}', "validity_days"),
    ('{"fixtures": []}', "fixtures must be an object"),
])
def test_pricebook_put_refuses_unknown_keys_and_bad_money(client, overrides: str,
                                                          field: str) -> None:
    response = _send(client, "PUT", "/pricebook", f'{{"overrides": {overrides}}}')
    _problem(response, 422, "invalid_pricebook", field)
    assert client.get(f"{BASE}/pricebook/versions").json()["items"] == []


def test_a_stored_book_that_fails_the_checks_is_409_and_can_be_repaired(client) -> None:
    book = client.get(f"{BASE}/pricebook").json()["document"]
    with client.app.state.services.sessions() as session:
        session.add(PriceBookVersion(company_id="old", version=1, content_hash="x",
                                     document=dict(book, validity_days="x"), note="legacy"))
        session.commit()
    _problem(client.get(f"{BASE}/pricebook", params={"company": "old"}), 409,
             "stored_pricebook_invalid", "validity_days")
    _problem(client.post(f"{BASE}/bids", params={"company": "old"}, json={"takeoff": TAKEOFF}),
             409, "stored_pricebook_invalid", "validity_days")
    fixed = client.put(f"{BASE}/pricebook", params={"company": "old"},
                       json={"overrides": {"validity_days": 45}})
    assert fixed.status_code == 201 and fixed.json()["version"] == 2
    assert client.get(f"{BASE}/pricebook", params={"company": "old"}).status_code == 200


def test_corrections_with_unpriceable_values_are_422(client) -> None:
    plan_set_id = store_plan_set(client.app, TAKEOFF, name="inputs")

    url = f"/plansets/{plan_set_id}/corrections"
    for fix in ('{"action": "add", "fixture_type": "sink", "quantity": 1e308}',
                '{"action": "add", "fixture_type": "sink", "quantity": NaN}',
                '{"action": "add", "fixture_type": "sink", "bbox": [0, 0, "x", 1]}',
                '{"fixture_type": "sink"}'):
        response = _send(client, "POST", url, f'{{"corrections": [{fix}]}}')
        assert response.status_code == 422, (fix, response.text)
        assert response.json()["code"] == "invalid_correction"
        assert not any(w in response.json()["detail"] for w in INTERNALS), response.text
    many = ",".join(['{"action": "add", "fixture_type": "sink", "quantity": 60000}'] * 2)
    _problem(_send(client, "POST", url, f'{{"corrections": [{many}]}}'), 422,
             "invalid_correction", "corrected takeoff.detections of type sink")
    reviewed = client.get(f"{BASE}/plansets/{plan_set_id}/reviewed").json()
    assert reviewed["takeoff"]["counts"] == {"water_closet": 1}


def _plansite(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "plansite.cli.main", *args],
                          capture_output=True, text=True, timeout=120, check=False)


def test_cli_takeoff_json_gets_the_same_checks(tmp_path: Path) -> None:
    path = tmp_path / "takeoff.json"
    for counts in ('{"water_closet": -5}', '{"water_closet": NaN}', '{"water_closet": 1e308}',
                   '{"water_closet": "abc"}'):
        path.write_text(f'{{"counts": {counts}}}')
        run = _plansite("estimate", str(path))
        assert run.returncode == 64, run.stderr
        assert "takeoff.json.counts.water_closet" in run.stderr
        assert "Traceback" not in run.stderr and run.stdout == ""
    book = tmp_path / "book.json"
    book.write_text('{"fixtures": {"water_closet": {"material": "-1"}}}')
    path.write_text(json.dumps(TAKEOFF))
    run = _plansite("estimate", str(path), "--pricebook", str(book))
    assert run.returncode == 64 and "fixtures.water_closet.material: unknown field" in run.stderr
