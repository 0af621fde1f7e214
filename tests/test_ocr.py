"""Outlined (stroke) text is read back by OCR from the sheet's own vectors.

The test sheet is a PDF with no text layer: every letter is drawn as line strokes, the way
an AutoCAD SHX font is plotted, in a tiny stroke font defined here.
"""

from __future__ import annotations

import time

import pymupdf
import pytest

from plansite.domain.fixtures import TagTable
from plansite.parsing.ocr import stroke_lines, tesseract_available
from plansite.parsing.pdf_sheets import read_page
from plansite.vision.tags import find_tags

pytestmark = pytest.mark.skipif(not tesseract_available(), reason="tesseract not installed")

# Strokes of each glyph on a 4 wide × 6 high grid, y down.
_FONT: dict[str, list[list[tuple[float, float]]]] = {
    "A": [[(0, 6), (2, 0), (4, 6)], [(1, 3.5), (3, 3.5)]],
    "B": [[(0, 0), (0, 6), (3, 6), (4, 5), (4, 4), (3, 3), (0, 3)],
          [(0, 0), (3, 0), (4, 0.8), (4, 2.2), (3, 3)]],
    "C": [[(4, 1), (3, 0), (1, 0), (0, 1), (0, 5), (1, 6), (3, 6), (4, 5)]],
    "D": [[(0, 0), (0, 6), (3, 6), (4, 5), (4, 1), (3, 0), (0, 0)]],
    "E": [[(4, 0), (0, 0), (0, 6), (4, 6)], [(0, 3), (3, 3)]],
    "F": [[(4, 0), (0, 0), (0, 6)], [(0, 3), (3, 3)]],
    "H": [[(0, 0), (0, 6)], [(4, 0), (4, 6)], [(0, 3), (4, 3)]],
    "I": [[(2, 0), (2, 6)], [(1, 0), (3, 0)], [(1, 6), (3, 6)]],
    "K": [[(0, 0), (0, 6)], [(4, 0), (0, 3.5)], [(1.3, 2.5), (4, 6)]],
    "L": [[(0, 0), (0, 6), (4, 6)]],
    "N": [[(0, 6), (0, 0), (4, 6), (4, 0)]],
    "O": [[(1, 0), (3, 0), (4, 1), (4, 5), (3, 6), (1, 6), (0, 5), (0, 1), (1, 0)]],
    "R": [[(0, 6), (0, 0), (3, 0), (4, 1), (4, 2), (3, 3), (0, 3)], [(2, 3), (4, 6)]],
    "S": [[(4, 1), (3, 0), (1, 0), (0, 1), (0, 2), (1, 3), (3, 3), (4, 4), (4, 5), (3, 6),
           (1, 6), (0, 5)]],
    "T": [[(0, 0), (4, 0)], [(2, 0), (2, 6)]],
    "W": [[(0, 0), (1, 6), (2, 2), (3, 6), (4, 0)]],
    "1": [[(1, 1), (2, 0), (2, 6)], [(1, 6), (3, 6)]],
    "2": [[(0, 1), (1, 0), (3, 0), (4, 1), (4, 2), (0, 6), (4, 6)]],
    "-": [[(1, 3), (3, 3)]],
}


def _draw(page: pymupdf.Page, text: str, x: float, y: float, h: float) -> None:
    """Draw ``text`` as strokes, one path per glyph, like a plotted SHX font."""
    unit = h / 6
    for ch in text:
        if ch != " ":
            shape = page.new_shape()
            for stroke in _FONT[ch]:
                shape.draw_polyline([(x + gx * unit, y + gy * unit) for gx, gy in stroke])
            shape.finish(color=(0, 0, 0), width=h / 14, closePath=False)
            shape.commit()
        x += 6 * unit


_LINES = ["WC-1", "FD-2", "HOSE BIBB", "FLOOR DRAIN", "SINK", "TOILET", "LAB SINK",
          "STORE", "OFFICE", "CORRIDOR", "DRAIN", "BOILER", "TANK", "FLOOR"]


def _stroked_pdf() -> pymupdf.Document:
    doc = pymupdf.open()
    page = doc.new_page(width=1200, height=800)
    for n, text in enumerate(_LINES):
        _draw(page, text, 80 + (n % 3) * 350, 80 + (n // 3) * 120, 9)
    # Line work around the words: walls that must not be read as letters.
    for k in range(12):
        page.draw_line((40, 60 + 60 * k), (1160, 60 + 60 * k), color=(0, 0, 0), width=1)
    return doc


def test_outlined_tags_are_read_from_strokes() -> None:
    doc = _stroked_pdf()
    page = doc.load_page(0)
    assert page.get_text("text").strip() == ""

    started = time.perf_counter()
    sheet = read_page(page, 0, "stroked.pdf", ocr=True)
    elapsed = time.perf_counter() - started

    ocr = [t for t in sheet.texts if t.source == "ocr"]
    read = {t.text for t in ocr}
    assert "WC-1" in read and "FD-2" in read
    assert all(0.0 < t.confidence <= 1.0 for t in ocr)
    found = {h.fixture_type for h in find_tags(sheet, TagTable.load(None))}
    assert {"water_closet", "floor_drain"} <= found
    assert elapsed < 20


def test_walls_are_not_text_lines() -> None:
    doc = _stroked_pdf()
    sheet = read_page(doc.load_page(0), 0, "stroked.pdf", ocr=False)
    lines = stroke_lines(sheet)
    # Every word is one run (a word space is wider than the joining reach); the long walls
    # are not glyphs.
    assert len(lines) == sum(len(text.split()) for text in _LINES)
    assert all(line.bbox[2] - line.bbox[0] < 200 for line in lines)


def test_without_tesseract_an_outlined_sheet_says_what_to_install(monkeypatch) -> None:
    from plansite.errors import MissingDependency
    from plansite.parsing import ocr

    monkeypatch.setattr(ocr, "tesseract_available", lambda: False)
    doc = _stroked_pdf()
    sheet = read_page(doc.load_page(0), 0, "stroked.pdf", ocr=False)
    with pytest.raises(MissingDependency, match="tesseract"):
        ocr.ocr_page(None, sheet)

    # With a text layer of its own the sheet is still read, from that layer alone.
    page = doc.load_page(0)
    for n in range(45):
        page.insert_text((60, 40 + n * 16), f"NOTE {n}", fontsize=6)
    sheet = read_page(page, 0, "stroked.pdf", ocr=False)
    assert ocr.ocr_page(None, sheet) == []
