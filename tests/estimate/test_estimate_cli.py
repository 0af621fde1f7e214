"""``plansite estimate``: a corpus plan goes from file to proposal PDF with one command.

Counts are the detection engine's business; these tests check the estimate is consistent
with whatever takeoff the engine returned, never a particular count.
"""

from __future__ import annotations

import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pymupdf
import pytest
from openpyxl import load_workbook

from plansite.scoring import corpus_dir

SMALL_PLAN = "dxf-uk-house-ground-floor-plan.dxf"


def _plansite(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "plansite.cli.main", *args],
                          capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def plan() -> Path:
    path = corpus_dir() / "files" / SMALL_PLAN
    if not path.exists():
        pytest.skip(f"corpus file {SMALL_PLAN} not found under {corpus_dir()}")
    return path


def test_plan_file_to_proposal_in_one_command(plan: Path, tmp_path: Path) -> None:
    pdf, xlsx = tmp_path / "proposal.pdf", tmp_path / "bid.xlsx"
    run = _plansite("estimate", str(plan), "--format", "json", "--proposal", str(pdf),
                    "--xlsx", str(xlsx), "--customer", "Test Owner", "--no-ocr")
    assert run.returncode == 0, run.stderr
    doc = json.loads(run.stdout)

    assert {"dfu", "wsfu"} <= set(doc["fixture_units"])
    assert doc["fixture_units"]["code"] == "IPC-2021"
    assert isinstance(doc["line_items"], list) and doc["line_items"]
    total = Decimal(doc["total"])
    assert total == Decimal(doc["totals"]["total"]) > 0
    fixtures = sum(doc["counts"].values())
    fixture_lines = [li for li in doc["line_items"] if li["key"].startswith("fixture:")]
    assert sum(Decimal(li["quantity"]) for li in fixture_lines) == fixtures

    text = "".join(page.get_text() for page in pymupdf.open(pdf))
    for expected in ("PROPOSAL", "Test Owner", "Scope of work", "Line items", "Terms",
                     "Customer acceptance", f"{total:,.2f}", "Valid until"):
        assert expected in text, expected
    assert load_workbook(xlsx)["Bid"]["A1"].value == "Bid DRAFT"


def test_takeoff_json_input_table_output_and_upc(tmp_path: Path) -> None:
    takeoff = {"source": "t.pdf", "counts": {"lavatory": 2},
               "sheets": [{"sheet": 1, "title": "PLAN", "number": "P1"}],
               "detections": [{"type": "lavatory", "sheet": 1, "room": "WC",
                               "bbox": [0, 0, 1, 1], "quantity": 2}]}
    path = tmp_path / "takeoff.json"
    path.write_text(json.dumps(takeoff))
    run = _plansite("estimate", str(path), "--code", "upc-2021", "--occupancy", "public")
    assert run.returncode == 0, run.stderr
    assert "Uniform Plumbing Code 2021" in run.stdout and "2 dfu" in run.stdout
    assert "TOTAL" in run.stdout


def test_unknown_code_is_a_usage_error(tmp_path: Path) -> None:
    path = tmp_path / "takeoff.json"
    path.write_text(json.dumps({"counts": {}, "sheets": [], "detections": []}))
    run = _plansite("estimate", str(path), "--code", "NSPC-1999")
    assert run.returncode == 64 and "IPC-2021" in run.stderr
