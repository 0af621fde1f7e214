"""Reading text that a CAD plot drew as strokes (AutoCAD SHX fonts) with Tesseract.

A plotted sheet whose text is outlined has line work and no text layer; its tags, room
names and title block are only legible once rendered and read by OCR. Tesseract comes from
the operating system (Debian's ``tesseract-ocr``); a missing binary is a
``MissingDependency`` with the install command, not a silent zero.
"""

from __future__ import annotations

import logging
import shutil
from typing import TYPE_CHECKING

from plansite.domain.sheet import Sheet, TextItem
from plansite.errors import MissingDependency

if TYPE_CHECKING:
    import pymupdf

log = logging.getLogger(__name__)

# A page with fewer real words than this but this many paths has outlined text.
OCR_MAX_WORDS = 40
OCR_MIN_PATHS = 2000
# Rendering budget: the page is read at OCR_DPI unless that would pass OCR_MAX_PIXELS.
OCR_DPI = 200
OCR_MAX_PIXELS = 60_000_000
OCR_MIN_CONFIDENCE = 55.0


def needs_ocr(sheet: Sheet) -> bool:
    """Tell whether a page's text is drawn as strokes (words missing, line work present)."""
    words = sum(len(t.text.split()) for t in sheet.texts)
    return words < OCR_MAX_WORDS and len(sheet.paths) >= OCR_MIN_PATHS and not sheet.raster


def tesseract_available() -> bool:
    return shutil.which("tesseract") is not None


def ocr_page(page: pymupdf.Page, sheet: Sheet) -> list[TextItem]:
    """Render the page and return the words Tesseract reads, in sheet coordinates."""
    if not tesseract_available():
        raise MissingDependency(
            "this sheet draws its text as strokes and needs OCR, but the `tesseract` program "
            "is not installed (Debian: apt-get install tesseract-ocr)",
            path=sheet.source,
        )

    import pytesseract
    from PIL import Image

    dpi = OCR_DPI
    pixels = (sheet.width / 72 * dpi) * (sheet.height / 72 * dpi)
    if pixels > OCR_MAX_PIXELS:
        dpi = int(dpi * (OCR_MAX_PIXELS / pixels) ** 0.5)
    pix = page.get_pixmap(dpi=dpi, colorspace="gray", alpha=False)
    image = Image.frombytes("L", (pix.width, pix.height), pix.samples)
    del pix

    data = pytesseract.image_to_data(
        image, config="--psm 11", output_type=pytesseract.Output.DICT
    )
    return _words(data, 72.0 / dpi)


def _words(data: dict[str, list], to_pt: float) -> list[TextItem]:
    items: list[TextItem] = []
    for i, raw in enumerate(data["text"]):
        text = (raw or "").strip()
        if not text:
            continue
        try:
            conf = float(data["conf"][i])
        except (TypeError, ValueError):
            conf = -1.0
        if conf < OCR_MIN_CONFIDENCE:
            continue
        x, y, w, h = (data[k][i] * to_pt for k in ("left", "top", "width", "height"))
        items.append(TextItem(text, (x, y, x + w, y + h), h, "ocr", source="ocr"))
    return items
