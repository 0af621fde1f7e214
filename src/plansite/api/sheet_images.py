"""Draw a sheet of a stored file as a PNG at a chosen DPI, optionally with detection marks.

Each renderer returns the image and the affine map from sheet coordinates to pixels,
``px = (x - ox) · sx, py = (y - oy) · sy``, so marks land where the detections are:

- PDF: PyMuPDF rasterises the page; sheet coordinates are page points (after rotation),
  so the map is a plain scale of dpi / 72.
- DXF: ezdxf draws the model space or layout, cropped to its extents, on a virtual sheet
  whose long side is ``DXF_LONG_SIDE_IN`` inches (model space has no paper size, so "DPI"
  needs a sheet to mean anything); y points up in a DXF, hence the negative ``sy``.

Rendered images are cached on disk per blob, page and DPI (a drawing never changes once
stored); marks are drawn on a copy for each request. PyMuPDF is not thread-safe (ezdxf
renders through it too), so renders take turns behind one lock. Shortcoming: raster
uploads are not rendered here, as the engine does not take them off yet; the route says so
with a problem document.
"""

from __future__ import annotations

import io
import json
import threading
from pathlib import Path

import pymupdf
from PIL import Image, ImageDraw

from plansite.api.problems import ApiProblem

MIN_DPI, MAX_DPI = 18, 600
MAX_PIXELS = 80_000_000
DXF_LONG_SIDE_IN = 17.0

Transform = tuple[float, float, float, float]

# One colour per fixture family, so marks can be told apart at a glance.
_COLOURS = {
    "water_closet": (214, 39, 40), "urinal": (255, 127, 14), "lavatory": (31, 119, 180),
    "sink": (44, 160, 44), "kitchen_sink": (44, 160, 44), "shower": (148, 103, 189),
    "bathtub": (140, 86, 75), "floor_drain": (227, 119, 194), "cleanout": (127, 127, 127),
    "water_heater": (188, 189, 34), "hose_bibb": (23, 190, 207),
}
_DEFAULT = (255, 0, 255)

_PYMUPDF = threading.Lock()


def sheet_png(path: Path, kind: str, page_index: int, dpi: int, cache: Path,
              marks: list[dict] | None = None) -> bytes:
    """PNG bytes of the sheet; ``marks`` are contract detections to outline and label."""
    image, transform = _cached(path, kind, page_index, dpi, cache)
    if marks:
        _draw_marks(image, marks, transform, dpi)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def _cached(path: Path, kind: str, page: int, dpi: int, cache: Path):
    png = cache / f"{path.name}-{page}-{dpi}.png"
    meta = png.with_suffix(".json")
    if png.exists() and meta.exists():
        return Image.open(png).convert("RGB"), tuple(json.loads(meta.read_text()))

    if kind == "pdf":
        image, transform = render_pdf_page(path, page, dpi)
    elif kind == "dxf":
        image, transform = render_dxf_sheet(path, page, dpi)
    else:
        raise ApiProblem(415, "sheet_image_unavailable", "sheet image not available",
                         f"drawing {kind} sheets as images is not supported; download the "
                         "original file from the plan set instead")
    cache.mkdir(parents=True, exist_ok=True)
    partial = png.with_suffix(".tmp")
    image.save(partial, format="PNG")
    meta.write_text(json.dumps(transform))
    partial.replace(png)
    return image, transform


def _check_size(width: float, height: float, dpi: int) -> None:
    if width * height > MAX_PIXELS:
        largest = int(dpi * (MAX_PIXELS / (width * height)) ** 0.5)
        raise ApiProblem(413, "image_too_large", "image too large",
                         f"{width:.0f} × {height:.0f} px at {dpi} dpi; "
                         f"ask for {largest} dpi or less")


def render_pdf_page(path: Path, page_index: int, dpi: int) -> tuple[Image.Image, Transform]:
    with _PYMUPDF, pymupdf.open(path) as doc:
        page = doc.load_page(page_index)
        scale = dpi / 72.0
        _check_size(page.rect.width * scale, page.rect.height * scale, dpi)
        pix = page.get_pixmap(dpi=dpi, alpha=False)
        image = Image.frombytes("RGB", (pix.width, pix.height), pix.samples)
    return image, (0.0, 0.0, scale, scale)


def render_dxf_sheet(path: Path, index: int, dpi: int) -> tuple[Image.Image, Transform]:
    """Sheet ``index`` as ``parsing.dxf_sheets`` numbers them: model space, then layouts."""
    from ezdxf import bbox as ezbbox
    from ezdxf.addons.drawing import Frontend, RenderContext, layout
    from ezdxf.addons.drawing.config import BackgroundPolicy, Configuration
    from ezdxf.addons.drawing.pymupdf import PyMuPdfBackend
    from ezdxf.math import BoundingBox2d

    from plansite.parsing.dxf_sheets import open_dxf

    doc = open_dxf(path)
    spaces = [doc.modelspace()] + [
        lay for lay in doc.layouts if lay.name != "Model" and len(lay) > 0
    ]
    space = spaces[index]
    box = ezbbox.extents(space, fast=True)
    if not box.has_data or box.size.x <= 0 or box.size.y <= 0:
        raise ApiProblem(415, "sheet_image_unavailable", "sheet image not available",
                         "this DXF sheet has no drawable extent")

    w, h = box.size.x, box.size.y
    long_mm = DXF_LONG_SIDE_IN * 25.4
    page = layout.Page(long_mm * w / max(w, h), long_mm * h / max(w, h), layout.Units.mm)
    _check_size(page.width / 25.4 * dpi, page.height / 25.4 * dpi, dpi)
    crop = BoundingBox2d([(box.extmin.x, box.extmin.y), (box.extmax.x, box.extmax.y)])
    with _PYMUPDF:
        backend = PyMuPdfBackend()
        config = Configuration(background_policy=BackgroundPolicy.WHITE)
        Frontend(RenderContext(doc), backend, config=config).draw_layout(space)
        png = backend.get_pixmap_bytes(page, fmt="png", dpi=dpi, render_box=crop)
    image = Image.open(io.BytesIO(png)).convert("RGB")
    return image, (box.extmin.x, box.extmax.y, image.width / w, -image.height / h)


def _draw_marks(image: Image.Image, marks: list[dict], t: Transform, dpi: int) -> None:
    draw = ImageDraw.Draw(image)
    ox, oy, sx, sy = t
    width = max(2, dpi // 48)
    pad = width * 2
    for det in marks:
        x0, y0, x1, y1 = det["bbox"]
        xs = sorted(((x0 - ox) * sx, (x1 - ox) * sx))
        ys = sorted(((y0 - oy) * sy, (y1 - oy) * sy))
        colour = _COLOURS.get(det["type"], _DEFAULT)
        draw.rectangle((xs[0] - pad, ys[0] - pad, xs[1] + pad, ys[1] + pad), outline=colour,
                       width=width)
        quantity = det.get("quantity", 1)
        label = det["type"] if quantity == 1 else f"{det['type']} ×{quantity}"
        draw.text((xs[0] - pad, max(0, ys[0] - pad - 12)), label, fill=colour)
