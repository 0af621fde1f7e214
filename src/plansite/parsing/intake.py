"""File intake: tell what a file is, and refuse what would hurt us, before parsing it.

Limits are named constants with their unit so an operator can see what a "huge page"
means here; exceeding one raises ``LimitReached`` with the value and the limit.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from plansite.errors import BadInput, EmptyFile, UnsupportedContent

FileKind = Literal["pdf", "dxf", "image"]

MAX_FILE_BYTES = 500 * 1024 * 1024
MAX_PAGES = 2000
# 200 in × 200 in: larger than any real sheet (ARCH E is 48 × 36 in).
MAX_PAGE_SIDE_PT = 200 * 72.0
MAX_IMAGE_PIXELS = 200_000_000
MAX_DXF_ENTITIES = 2_000_000

# Said of a file that was cut short or damaged and could be read only in part.
REPAIRED_NOTE = (
    "the file is damaged (truncated or corrupted) and was repaired on reading; "
    "pages or drawings may be missing: re-export it from CAD"
)

_IMAGE_MAGIC = (b"\x89PNG", b"\xff\xd8\xff", b"II*\x00", b"MM\x00*", b"GIF8", b"BM")


def sniff(path: Path) -> FileKind:
    """Return the kind of drawing in ``path`` from its bytes, not its name."""
    try:
        size = path.stat().st_size
    except FileNotFoundError as exc:
        raise BadInput("file not found", path=str(path)) from exc
    if path.is_dir():
        raise BadInput("is a folder, not a drawing file", path=str(path))
    if size == 0:
        raise EmptyFile("file is empty (0 bytes)", path=str(path))
    if size > MAX_FILE_BYTES:
        from plansite.errors import LimitReached

        raise LimitReached(
            f"file is {size / 2**20:.0f} MiB; the limit is {MAX_FILE_BYTES / 2**20:.0f} MiB",
            path=str(path),
        )

    with path.open("rb") as fh:
        head = fh.read(4096)
    if head.lstrip()[:5] == b"%PDF-" or b"%PDF-" in head[:1024]:
        return "pdf"
    if any(head.startswith(m) for m in _IMAGE_MAGIC) or head[8:12] == b"WEBP":
        return "image"
    if _looks_like_dxf(head):
        return "dxf"
    raise UnsupportedContent(
        "not a drawing: expected a PDF, a DXF or an image (PNG, JPEG, TIFF)", path=str(path)
    )


def _looks_like_dxf(head: bytes) -> bool:
    if head.startswith(b"AutoCAD Binary DXF"):
        return True
    text = head.decode("latin-1", errors="replace")
    lines = [ln.strip() for ln in text.splitlines()[:40]]
    return "SECTION" in lines and ("HEADER" in lines or "ENTITIES" in lines or "CLASSES" in lines)
