"""Reading text that a CAD plot drew as strokes (AutoCAD SHX fonts) with Tesseract.

A plotted sheet whose text is outlined has line work where its words should be; tags, room
names and title blocks are only legible once rendered and read by OCR. Rendering the whole
sheet and reading it is slow (a 42 × 30 in sheet is 50 megapixels at 200 dpi) and reads
walls and hatching as letters, so this module reads only what looks like text:

1. *Glyph strokes* are small, dark, unfilled paths; neutral grey ones are the screened
   background (an architectural xref under an engineer's sheet) and are left unread, since
   nothing on a background is counted.
2. Strokes are grouped into glyphs on a coarse mask, glyphs into lines of text beside each
   other (a vertical run of glyphs is a line of rotated text).
3. Each line is redrawn from its vectors alone, scaled to one letter height, into a mosaic;
   Tesseract reads the mosaic once and every word is mapped back to its line on the sheet.

A page is read this way when enough lines of stroked glyphs lie outside its text layer, so
a sheet with a real text layer for room names and stroked tags (a common mix) is read too.
Symbols and hatching also make short runs of strokes, so a sample of the longer runs is
read first and the page goes on only when enough of them are words; a sheet whose title
block names another trade (structural, electrical) is not read at all. Short runs the
sparse reading skipped ("2@" beside a boxed tag) are read again one per row. A run fused
with a symbol it touches is drawn at the sheet's usual letter scale, not squeezed.
Tesseract comes from the operating system (Debian's ``tesseract-ocr``); a missing binary is
a ``MissingDependency`` with the install command when the sheet has no text layer to fall
back on, not a silent zero.

Known shortcomings: text drawn as filled outlines (TrueType converted to curves) is not
read; vertical text is read bottom-to-top only; a letter touching line work drops out of
its word ("SHOWER" reads "SHOWE"); a word space wider than a letter height splits a phrase
into runs (labels rejoin them); Tesseract's sparse reading of a run depends a little on the
runs beside it in the mosaic, so a change anywhere on a sheet can flip a weak reading.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from plansite.domain.sheet import BBox, PathItem, Sheet, TextItem
from plansite.errors import MissingDependency
from plansite.parsing.titleblock import NON_PLUMBING_TRADES, read_title_block

if TYPE_CHECKING:
    import numpy as np
    import pymupdf

log = logging.getLogger(__name__)

# A page is looked at when it has this many paths, and OCR'd when at least this many
# lines of stroked glyphs lie outside its text layer and a sample of them reads as words.
OCR_MIN_PATHS = 60
# Without Tesseract, a sheet with this many words in its text layer is read from that alone.
TEXT_LAYER_WORDS = 40
OCR_MIN_LINES = 12
SAMPLE_LINES = 30
SAMPLE_MIN_LINES = 8
SAMPLE_MIN_ASPECT = 2.5
SAMPLE_MIN_YIELD = 0.3
# A word: three letters, a tag ("WC-1", "L2") or a number of two digits.
_WORDLIKE = re.compile(r"[A-Z]{3,}|[A-Z]{1,3}-?\d|\d{2,}")
# A glyph stroke fits in this share of the sheet's longer side (24 pt on a 42 in sheet).
GLYPH_MAX_SHARE = 0.008
# Letters are at least this share of the longer side high (2.7 pt on a 42 in sheet).
TEXT_MIN_SHARE = 0.0009
# Glyphs closer than this many letter heights are one run of text. A wider reach (1.5)
# keeps "FLOOR DRAIN" together but glues tags to their neighbours: measured worse.
WORD_GAP = 1.0
# The coarse mask that groups strokes into glyphs: its longer side in pixels.
MASK_LONG_SIDE = 6000
# Runs taller than this many times the usual letter height are text fused with a symbol;
# they are drawn at the usual scale, up to this many pixels high.
FUSED_RUN_RATIO = 1.8
FUSED_RUN_MAX_PX = 160
# Lines are redrawn with their letters this many pixels high, then padded apart.
LINE_HEIGHT_PX = 36
MOSAIC_WIDTH_PX = 3200
MOSAIC_PAD_PX = 64
# Lines at most this many letter heights long are read a second time when the first missed.
SHORT_LINE_ASPECT = 4.0
# Most lines on a sheet: past this the smallest are dropped (keeps a dense sheet bounded).
MAX_LINES = 2500
OCR_MIN_CONFIDENCE = 40.0
# Sparse text: lines sit apart in the mosaic. (A character whitelist made Tesseract 5's
# LSTM reader return nothing, so none is set.)
TESSERACT_CONFIG = "--psm 11"


@dataclass
class StrokeLine:
    """A line of stroked glyphs: its box on the sheet and the strokes that draw it."""

    bbox: BBox
    strokes: list[tuple[tuple[float, float], ...]] = field(default_factory=list)
    vertical: bool = False
    # Separate glyph shapes in the run: letters that do not touch are one each.
    glyphs: int = 0


def needs_ocr(sheet: Sheet) -> bool:
    """Tell whether a page may carry stroked text: it has line work and is not an image.

    This is the cheap gate; ``ocr_page`` decides from a sample whether the strokes read.
    """
    return not sheet.raster and len(sheet.paths) >= OCR_MIN_PATHS


def tesseract_available() -> bool:
    return shutil.which("tesseract") is not None


def ocr_page(page: pymupdf.Page | None, sheet: Sheet) -> list[TextItem]:
    """Return the stroked words of a sheet, one ``TextItem`` per line, in sheet space.

    ``page`` is unused: lines are redrawn from the sheet's own vectors, which is faster and
    cleaner than rendering the page. It stays in the signature for callers that have it.
    """
    # A sheet whose text layer already names another trade (structural, electrical) has no
    # plumbing text to read: its outlined words are not worth the time.
    read_title_block(sheet)
    if sheet.discipline in NON_PLUMBING_TRADES:
        return []

    lines = stroke_lines(sheet)
    if len(lines) < OCR_MIN_LINES:
        return []

    if not tesseract_available():
        words = sum(len(t.text.split()) for t in sheet.texts)
        if words >= TEXT_LAYER_WORDS:
            log.warning("%s p%d: stroked text left unread (tesseract is not installed)",
                        sheet.source, sheet.index + 1)
            return []
        raise MissingDependency(
            "this sheet draws its text as strokes and needs OCR, but the `tesseract` program "
            "is not installed (Debian: apt-get install tesseract-ocr)",
            path=sheet.source,
        )

    # Symbols and hatching also make short runs of strokes; read a sample of the longer
    # runs first and go on only when enough of them are words.
    long = [k for k, line in enumerate(lines) if _aspect(line) >= SAMPLE_MIN_ASPECT]
    if len(long) < SAMPLE_MIN_LINES:
        return []
    step = max(1, len(long) // SAMPLE_LINES)
    chosen = long[::step][:SAMPLE_LINES]
    sample = read_lines([lines[k] for k in chosen])
    words = [t for t in sample if _WORDLIKE.search(t.text) and t.confidence >= 0.6]
    if len(words) < SAMPLE_MIN_YIELD * len(chosen):
        log.info("%s p%d: stroked runs do not read as text; OCR skipped",
                 sheet.source, sheet.index + 1)
        return []

    # The whole sheet is read in one mosaic, sample included: a line reads best among
    # the same neighbours every time.
    return read_lines(lines)


def read_lines(lines: list[StrokeLine]) -> list[TextItem]:
    """Draw the lines into one mosaic, OCR it once, and map the words back to the lines."""
    if not lines:
        return []
    import pytesseract
    from PIL import Image

    # Tesseract's own threads fight over a small machine and make one read several times
    # slower; one thread per read is fastest here.
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")

    mosaic, places = _mosaic(lines)
    data = pytesseract.image_to_data(
        Image.fromarray(mosaic), config=TESSERACT_CONFIG, output_type=pytesseract.Output.DICT
    )
    items, read = _items(data, lines, places)

    # Sparse reading skips short marks ("2@", "4@"); read the short unread lines again,
    # one per row, as a block of lines.
    short = [
        line for k, line in enumerate(lines)
        if k not in read and _aspect(line) <= SHORT_LINE_ASPECT
    ]
    if short:
        mosaic, places = _mosaic(short, width=_column_width(short))
        data = pytesseract.image_to_data(
            Image.fromarray(mosaic), config="--psm 6", output_type=pytesseract.Output.DICT
        )
        items.extend(_items(data, short, places)[0])
    return items


def _aspect(line: StrokeLine) -> float:
    x0, y0, x1, y1 = line.bbox
    along, across = (y1 - y0, x1 - x0) if line.vertical else (x1 - x0, y1 - y0)
    return along / max(across, 1e-6)


def _column_width(lines: list[StrokeLine]) -> int:
    widest = max(_aspect(line) for line in lines) * LINE_HEIGHT_PX
    return int(widest) + 2 * MOSAIC_PAD_PX + 2


def stroke_lines(sheet: Sheet) -> list[StrokeLine]:
    """Group the sheet's glyph strokes into lines of text not covered by its text layer."""
    import cv2
    import numpy as np

    glyph_max = max(sheet.width, sheet.height) * GLYPH_MAX_SHARE
    strokes = [p for p in sheet.paths if _is_glyph_stroke(p, glyph_max)]
    if not strokes:
        return []

    scale = MASK_LONG_SIDE / max(sheet.width, sheet.height)
    mask = np.zeros((int(sheet.height * scale) + 2, int(sheet.width * scale) + 2), np.uint8)
    for p in strokes:
        for line in p.polylines:
            pts = np.array([(x * scale, y * scale) for x, y in line], np.int32)
            cv2.polylines(mask, [pts], False, 255, 1)
    # Letters of one glyph touch; a close of one pixel joins the strokes of thin letters.
    mask = cv2.dilate(mask, np.ones((2, 2), np.uint8))
    n, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)

    glyphs = _glyph_boxes(stats, n, scale, glyph_max)
    owner = _stroke_owner(strokes, labels, scale)
    # A run the text layer already carries is not read twice. Screened grey text is another
    # drawing (the background plan) that merely overlaps the run, so it covers nothing.
    covered = [t.bbox for t in sheet.texts if t.source != "ocr" and t.shade <= 0.35]
    lines = _group_lines(glyphs, max(sheet.width, sheet.height) * TEXT_MIN_SHARE)
    out: list[StrokeLine] = []
    for members, vertical in lines:
        box = _union([glyphs[g] for g in members])
        if any(_overlap_share(box, c) > 0.5 for c in covered):
            continue
        line = StrokeLine(bbox=box, vertical=vertical, glyphs=len(members))
        wanted = set(members)
        for p, label in owner:
            if label in wanted:
                line.strokes.extend(p.polylines)
        out.append(line)

    if len(out) > MAX_LINES:
        out.sort(key=lambda s: -(s.bbox[2] - s.bbox[0]) * (s.bbox[3] - s.bbox[1]))
        out = out[:MAX_LINES]
    return out


def _is_glyph_stroke(p: PathItem, glyph_max: float) -> bool:
    """A glyph stroke is a small unfilled dark path; neutral grey is screened background."""
    if p.filled or p.circles:
        return False
    w, h = p.bbox[2] - p.bbox[0], p.bbox[3] - p.bbox[1]
    if max(w, h) > glyph_max or max(w, h) <= 0:
        return False
    if p.color is not None:
        r, g, b = p.color
        if max(r, g, b) - min(r, g, b) < 0.05 and 0.35 < r < 0.95:
            return False
    return True


def _glyph_boxes(stats: np.ndarray, n: int, scale: float, glyph_max: float) -> dict[int, BBox]:
    """Components of the mask that have the size of a letter, in sheet units."""
    boxes: dict[int, BBox] = {}
    for label in range(1, n):
        x, y, w, h, _area = (int(v) for v in stats[label])
        if h / scale > glyph_max * 1.2 or w / scale > glyph_max * 6:
            continue
        boxes[label] = (x / scale, y / scale, (x + w) / scale, (y + h) / scale)
    return boxes


def _stroke_owner(
    strokes: list[PathItem], labels: np.ndarray, scale: float
) -> list[tuple[PathItem, int]]:
    """Which mask component each stroke fell into, read at its first point."""
    owner = []
    h, w = labels.shape
    for p in strokes:
        x, y = p.polylines[0][0]
        px, py = min(max(int(x * scale), 0), w - 1), min(max(int(y * scale), 0), h - 1)
        owner.append((p, int(labels[py, px])))
    return owner


def _group_lines(
    glyphs: dict[int, BBox], min_height: float
) -> list[tuple[list[int], bool]]:
    """Chain glyphs of like height into horizontal lines, the rest into vertical ones.

    Two glyphs belong to one line when they overlap across the line's direction and the gap
    between them is under one letter height. A line needs two glyphs or one glyph as wide as
    two letters: a lone mark is a symbol part, not text.
    """
    reach = WORD_GAP * max((b[3] - b[1] for b in glyphs.values()), default=0.0)
    horizontal = _chains(glyphs, 0, reach)
    lines = [m for m in horizontal if _is_line(glyphs, m, 0, min_height)]
    used = {g for members in lines for g in members}
    rest = {k: v for k, v in glyphs.items() if k not in used}
    vertical = _chains(rest, 1, reach)

    out = [(m, False) for m in lines]
    out += [(m, True) for m in vertical if _is_line(glyphs, m, 1, min_height)]
    return out


def _chains(glyphs: dict[int, BBox], axis: int, reach: float) -> list[list[int]]:
    """Union glyphs that sit side by side along ``axis``; ``reach`` bounds any gap."""
    across = 1 - axis
    order = sorted(glyphs, key=lambda k: glyphs[k][axis])
    parent = {k: k for k in order}

    def find(k: int) -> int:
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    for i, a in enumerate(order):
        ba = glyphs[a]
        size_a = ba[across + 2] - ba[across]
        for b in order[i + 1:]:
            bb = glyphs[b]
            gap = bb[axis] - ba[axis + 2]
            if gap > reach:
                break
            size_b = bb[across + 2] - bb[across]
            if gap > WORD_GAP * max(size_a, size_b):
                continue
            overlap = min(ba[across + 2], bb[across + 2]) - max(ba[across], bb[across])
            small, big = min(size_a, size_b), max(size_a, size_b)
            if small / max(big, 1e-6) >= 0.6:
                if big / max(small, 1e-6) > 1.7 or overlap < 0.6 * small:
                    continue
            # A hyphen, dot or comma is short: it joins when it lies within the letter band.
            elif overlap < 0.9 * small or gap > 0.8 * big:
                continue
            parent[find(b)] = find(a)

    groups: dict[int, list[int]] = {}
    for k in order:
        groups.setdefault(find(k), []).append(k)
    return list(groups.values())


def _is_line(
    glyphs: dict[int, BBox], members: list[int], axis: int, min_height: float
) -> bool:
    box = _union([glyphs[g] for g in members])
    along = box[axis + 2] - box[axis]
    across = box[3 - axis] - box[1 - axis]
    if across < min_height:
        return False
    if along > 12 * across and len(members) < 3:
        return False
    return len(members) >= 2 and along >= 0.9 * across or along >= 1.6 * across


def _mosaic(
    lines: list[StrokeLine], width: int = MOSAIC_WIDTH_PX
) -> tuple[np.ndarray, list[tuple[int, int, int, int]]]:
    """Redraw each line at one letter height into rows of a white image; return its places."""
    import cv2
    import numpy as np

    places: list[tuple[int, int, int, int]] = []
    sizes = []
    spans = []
    for line in lines:
        x0, y0, x1, y1 = line.bbox
        spans.append((y1 - y0, x1 - x0) if line.vertical else (x1 - x0, y1 - y0))
    # A run much taller than the sheet's usual letters is text fused with a symbol it
    # touches: it is drawn at the usual letter scale so its letters stay legible.
    usual = sorted(a for _, a in spans)[len(spans) // 2]
    for along, across in spans:
        s = LINE_HEIGHT_PX / max(min(across, usual * FUSED_RUN_RATIO), 1e-6)
        s = min(s, FUSED_RUN_MAX_PX / max(across, 1e-6))
        sizes.append((int(along * s) + 1, int(across * s) + 1, s))

    x = y = row_h = 0
    for w, h, _ in sizes:
        w = min(w, width - 2 * MOSAIC_PAD_PX)
        if x + w + 2 * MOSAIC_PAD_PX > width:
            x, y, row_h = 0, y + row_h, 0
        places.append((x + MOSAIC_PAD_PX, y + MOSAIC_PAD_PX, w, h))
        x += w + MOSAIC_PAD_PX
        row_h = max(row_h, h + MOSAIC_PAD_PX)
    height = y + row_h + MOSAIC_PAD_PX

    image = np.full((height, width), 255, np.uint8)
    thick = max(2, LINE_HEIGHT_PX // 12)
    for line, (px, py, _, _), (_, _, s) in zip(lines, places, sizes):
        x0, y0, x1, y1 = line.bbox
        for stroke in line.strokes:
            if line.vertical:
                pts = [(px + (y1 - yy) * s, py + (xx - x0) * s) for xx, yy in stroke]
            else:
                pts = [(px + (xx - x0) * s, py + (yy - y0) * s) for xx, yy in stroke]
            cv2.polylines(image, [np.array(pts, np.int32)], False, 0, thick, cv2.LINE_AA)
    return image, places


def _items(
    data: dict[str, list], lines: list[StrokeLine], places: list[tuple[int, int, int, int]]
) -> tuple[list[TextItem], set[int]]:
    """Map each word's mosaic box to its line; join a line's words in reading order.

    Returns the items and the indices of the lines that were read.
    """
    words: dict[int, list[tuple[int, str, float]]] = {}
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
        cx = data["left"][i] + data["width"][i] / 2
        cy = data["top"][i] + data["height"][i] / 2
        for k, (px, py, w, h) in enumerate(places):
            if px - 4 <= cx <= px + w + 4 and py - 4 <= cy <= py + h + 4:
                words.setdefault(k, []).append((data["left"][i], text, conf))
                break

    items: list[TextItem] = []
    for k, found in sorted(words.items()):
        found.sort()
        text = " ".join(t for _, t, _ in found)
        line = lines[k]
        # One connected shape read as one or two characters is a symbol ("O" crossed by a
        # pipe reads "CO"); two real letters are two shapes.
        if line.glyphs == 1 and sum(ch.isalnum() for ch in text) <= 2:
            continue
        size = min(line.bbox[2] - line.bbox[0], line.bbox[3] - line.bbox[1])
        conf = min(c for _, _, c in found) / 100.0
        items.append(TextItem(text, line.bbox, size, "ocr", source="ocr", confidence=conf))
    return items, set(words)


def _union(boxes: list[BBox]) -> BBox:
    return (
        min(b[0] for b in boxes), min(b[1] for b in boxes),
        max(b[2] for b in boxes), max(b[3] for b in boxes),
    )


def _overlap_share(a: BBox, b: BBox) -> float:
    """Share of ``a``'s area that ``b`` covers."""
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    area = (a[2] - a[0]) * (a[3] - a[1])
    if w <= 0 or h <= 0 or area <= 0:
        return 0.0
    return w * h / area
