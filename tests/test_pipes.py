"""Pipe runs from line styles learnt from a sheet's own line legend, and from layers."""

from __future__ import annotations

from pathlib import Path

import pymupdf
import pytest

from plansite.pipeline import analyze_path

# At 1/4" = 1'-0", 18 points of paper are one foot.
POINTS_PER_FOOT = 18.0


def _plan(path: Path, with_scale: bool = True) -> Path:
    doc = pymupdf.open()
    page = doc.new_page(width=1224, height=792)
    if with_scale:
        page.insert_text((60, 760), 'FIRST FLOOR PLUMBING PLAN  SCALE: 1/4" = 1\'-0"', fontsize=10)

    # The line legend: a sample of each style beside the system it stands for.
    legend = [("SANITARY", "[] 0", 2.0), ("DOMESTIC COLD WATER", "[8 3 2 3] 0", 1.0),
              ("VENT", "[4 4] 0", 1.0)]
    for i, (label, dashes, width) in enumerate(legend):
        y = 60 + 20 * i
        page.draw_line((900, y), (960, y), width=width, dashes=dashes)
        page.insert_text((968, y + 3), label, fontsize=8)

    # Pipe on the plan: 20 ft of sanitary, 10 ft of cold water, 5 ft of vent.
    page.draw_line((100, 300), (100 + 20 * POINTS_PER_FOOT, 300), width=2.0)
    page.draw_line((100, 400), (100 + 10 * POINTS_PER_FOOT, 400), width=1.0,
                   dashes="[8 3 2 3] 0")
    page.draw_line((100, 500), (100, 500 + 5 * POINTS_PER_FOOT), width=1.0, dashes="[4 4] 0")
    # Walls: thin solid lines, not in the legend, many of them.
    for i in range(30):
        page.draw_line((50, 100 + i * 5), (850, 100 + i * 5), width=0.5)
    doc.save(path)
    return path


def test_line_legend_styles_measure_pipe_by_system(tmp_path: Path) -> None:
    totals = analyze_path(_plan(tmp_path / "p.pdf"), ocr=False).pipe_totals()

    # The legend's own sample lines are not pipe.
    assert totals == pytest.approx({"sanitary": 20.0, "cold_water": 10.0, "vent": 5.0}, abs=0.1)


def test_without_a_scale_runs_are_reported_unscaled(tmp_path: Path) -> None:
    takeoff = analyze_path(_plan(tmp_path / "p.pdf", with_scale=False), ocr=False)

    assert takeoff.pipe_runs, "runs are still found"
    assert all(r.length_ft is None for r in takeoff.pipe_runs)
    assert takeoff.pipe_totals() == {}


def test_a_plain_thin_line_beside_a_system_label_is_not_learnt(tmp_path: Path) -> None:
    doc = pymupdf.open()
    page = doc.new_page(width=1224, height=792)
    page.insert_text((60, 760), 'PLAN  SCALE: 1/4" = 1\'-0"', fontsize=10)
    page.draw_line((900, 60), (960, 60), width=0.5)  # a leader, drawn like the walls
    page.insert_text((968, 63), "COLD WATER", fontsize=8)
    for i in range(30):
        page.draw_line((50, 100 + i * 5), (850, 100 + i * 5), width=0.5)
    path = tmp_path / "p.pdf"
    doc.save(path)

    assert analyze_path(path, ocr=False).pipe_runs == []
