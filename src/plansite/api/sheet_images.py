"""Draw a sheet of a stored file as a PNG at a chosen DPI, optionally with detection marks.

PDF pages are rasterised by PyMuPDF, one request at a time (it is not thread-safe);
detections are in page points (after rotation), so a
mark's pixel box is its bbox × dpi / 72. Shortcoming: DXF sheets and raster uploads are not
rendered here yet; the route says so with a problem document instead of drawing a guess.
"""

from __future__ import annotations

import io
import threading
from pathlib import Path

import pymupdf
from PIL import Image, ImageDraw

from plansite.api.problems import ApiProblem

MIN_DPI, MAX_DPI = 18, 600
MAX_PIXELS = 80_000_000

# One colour per fixture family, so marks can be told apart at a glance.
_COLOURS = {
    "water_closet": (214, 39, 40), "urinal": (255, 127, 14), "lavatory": (31, 119, 180),
    "sink": (44, 160, 44), "kitchen_sink": (44, 160, 44), "shower": (148, 103, 189),
    "bathtub": (140, 86, 75), "floor_drain": (227, 119, 194), "cleanout": (127, 127, 127),
    "water_heater": (188, 189, 34), "hose_bibb": (23, 190, 207),
}
_DEFAULT = (255, 0, 255)

# PyMuPDF is not thread-safe: image requests in the API's thread pool take turns.
_PYMUPDF = threading.Lock()


def render_pdf_page(path: Path, page_index: int, dpi: int) -> Image.Image:
    """Rasterise one page; 413 problem when the image would exceed ``MAX_PIXELS``."""
    with _PYMUPDF, pymupdf.open(path) as doc:
        page = doc.load_page(page_index)
        width, height = page.rect.width * dpi / 72, page.rect.height * dpi / 72
        if width * height > MAX_PIXELS:
            largest = int((MAX_PIXELS / (page.rect.width * page.rect.height)) ** 0.5 * 72)
            raise ApiProblem(413, "image_too_large", "image too large",
                             f"{width:.0f} × {height:.0f} px at {dpi} dpi; "
                             f"ask for {largest} dpi or less")
        pix = page.get_pixmap(dpi=dpi, alpha=False)
        return Image.frombytes("RGB", (pix.width, pix.height), pix.samples)


def sheet_png(path: Path, kind: str, page_index: int, dpi: int,
              marks: list[dict] | None = None) -> bytes:
    """PNG bytes of the sheet; ``marks`` are contract detections to outline and label."""
    if kind != "pdf":
        raise ApiProblem(415, "sheet_image_unavailable", "sheet image not available",
                         f"drawing {kind.upper()} sheets as images is not supported yet; "
                         "download the original file from the plan set instead")
    image = render_pdf_page(path, page_index, dpi)
    if marks:
        _draw_marks(image, marks, dpi / 72.0)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=False)
    return out.getvalue()


def _draw_marks(image: Image.Image, marks: list[dict], scale: float) -> None:
    draw = ImageDraw.Draw(image)
    width = max(2, int(scale * 1.5))
    for det in marks:
        x0, y0, x1, y1 = (v * scale for v in det["bbox"])
        colour = _COLOURS.get(det["type"], _DEFAULT)
        pad = width * 2
        draw.rectangle((x0 - pad, y0 - pad, x1 + pad, y1 + pad), outline=colour, width=width)
        label = det["type"] if det.get("quantity", 1) == 1 else f"{det['type']} ×{det['quantity']}"
        draw.text((x0 - pad, max(0, y0 - pad - 12)), label, fill=colour)
