"""A check a PDF page must pass before its text and drawings are extracted.

Form XObjects are drawings a page can paint many times. A page that paints form A twice,
where A paints B twice, and so on 40 levels down, is a few kilobytes on disk and 2^40 draw
operations to extract: MuPDF would run for hours holding the interpreter. This counts the
paints a page expands to from its XObject graph and the ``Do`` operators in each content
stream, without interpreting anything, and refuses a page past ``MAX_FORM_PAINTS``.
"""

from __future__ import annotations

import re

import pymupdf

from plansite.errors import LimitReached

# Form paints a page may expand to; real CAD sheets stay in the thousands.
MAX_FORM_PAINTS = 200_000
_DO = re.compile(rb"/([^\s/\[\]()<>{}%]+)\s+Do\b")


def check_form_expansion(page: pymupdf.Page, source: str) -> None:
    """Raise ``LimitReached`` when the page's nested form XObjects expand too far."""
    forms = page.get_xobjects()
    if not forms:
        return

    children: dict[int, list[tuple[str, int]]] = {}
    for xref, name, invoker, _bbox in forms:
        children.setdefault(invoker, []).append((name, xref))

    doc = page.parent
    memo: dict[int, int] = {}

    def paints(xref: int, stream: bytes, depth: int) -> int:
        if xref in memo:
            return memo[xref]
        if depth > 64:
            raise LimitReached("nests form drawings more than 64 deep", path=source)
        uses = _count_uses(stream)
        total = 0
        for name, child in children.get(xref, []):
            n = uses.get(name.encode("latin-1"), 0)
            if n:
                total += n * (1 + paints(child, doc.xref_stream(child) or b"", depth + 1))
            if total > MAX_FORM_PAINTS:
                raise LimitReached(
                    f"page {page.number + 1} paints nested drawings more than "
                    f"{MAX_FORM_PAINTS} times (a PDF bomb or a pathological export)",
                    path=source,
                )
        memo[xref] = total
        return total

    paints(0, page.read_contents(), 0)


def _count_uses(stream: bytes) -> dict[bytes, int]:
    counts: dict[bytes, int] = {}
    for m in _DO.finditer(stream):
        counts[m.group(1)] = counts.get(m.group(1), 0) + 1
    return counts
