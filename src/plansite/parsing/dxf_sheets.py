"""DXF drawings → ``Sheet`` artifacts: model space first, then each paper-space layout.

Coordinates stay in drawing units (y up). Block inserts become ``BlockRef`` records with
their attributes and the names of nested blocks, so a fixture drawn as a block inside a
block (or an anonymous ``*U`` copy of a dynamic block) is still classified by its real
name. Layouts are read for their own entities only: geometry a viewport shows from model
space is already in the model sheet, and counting it again would double every fixture.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterator
from pathlib import Path

import ezdxf
from ezdxf import bbox as ezbbox
from ezdxf.recover import readfile as recover_readfile

from plansite.domain.sheet import BBox, BlockRef, PathItem, Point, Scale, Sheet, TextItem
from plansite.errors import LimitReached, TruncatedFile
from plansite.parsing import intake
from plansite.parsing.dxf_guard import check_block_expansion, prescan_text_dxf
from plansite.parsing.intake import REPAIRED_NOTE
from plansite.parsing.scales import feet_per_drawing_unit, parse_scales
from plansite.parsing.titleblock import discipline_of

log = logging.getLogger(__name__)

# Unitless drawings wider than this are taken to be in millimetres, else inches.
UNITLESS_MM_EXTENT = 5000.0
ARC_SEGMENT_DEG = 15.0


def open_dxf(path: Path) -> ezdxf.document.Drawing:
    """Open a DXF that passes the safety checks (see ``read_dxf``)."""
    return read_dxf(path)[0]


def read_dxf(path: Path) -> tuple[ezdxf.document.Drawing, bool]:
    """Open a DXF; return it and whether it is complete (False: cut short, read in part).

    ASCII files are counted before they are built (see ``dxf_guard``) and read with ezdxf's
    recovery reader; binary DXF is read with the plain reader, which is the one that
    understands it. Hopeless files raise ``TruncatedFile``.
    """
    binary = path.open("rb").read(22).startswith(b"AutoCAD Binary DXF")
    complete = True if binary else prescan_text_dxf(path)
    try:
        if binary:
            doc = ezdxf.readfile(str(path))
        else:
            doc, auditor = recover_readfile(str(path))
            if auditor.has_errors:
                log.warning("%s: DXF repaired on read (%d errors)", path, len(auditor.errors))
    except (ezdxf.DXFStructureError, ezdxf.DXFError, OSError, ValueError) as exc:
        raise TruncatedFile(f"cannot be read as a DXF ({exc})", path=str(path)) from exc

    count = len(doc.entitydb)
    if count > intake.MAX_DXF_ENTITIES:
        raise LimitReached(
            f"has {count} entities; the limit is {intake.MAX_DXF_ENTITIES}", path=str(path)
        )
    check_block_expansion(doc, path)
    return doc, complete


def iter_dxf_sheets(path: Path) -> Iterator[Sheet]:
    """Yield the model space sheet, then one sheet per non-empty paper-space layout."""
    doc, complete = read_dxf(path)
    cache = ezbbox.Cache()
    model = _read_space(doc.modelspace(), 0, str(path), cache)
    model.title = "Model space"
    _set_units(doc, model)
    if not complete:
        model.notes.append(REPAIRED_NOTE)

    layouts = [lay for lay in doc.layouts if lay.name != "Model" and len(lay) > 0]
    papers = [_read_space(lay, i + 1, str(path), cache) for i, lay in enumerate(layouts)]
    for lay, sheet in zip(layouts, papers):
        sheet.title = lay.name if lay.name.lower().startswith("layout") else f"Layout {lay.name}"
        sheet.units = "paper"
        _title_from_attributes(sheet)
    if papers and papers[0].number and not model.number:
        model.number = papers[0].number
        model.discipline = papers[0].discipline

    yield model
    yield from papers


def _set_units(doc: ezdxf.document.Drawing, sheet: Sheet) -> None:
    insunits = int(doc.header.get("$INSUNITS", 0) or 0)
    fpu = feet_per_drawing_unit(insunits)
    source = "header"
    if fpu is None:
        width = sheet.width
        fpu = (1 / 304.8) if width > UNITLESS_MM_EXTENT else (1 / 12.0)
        source = "guessed from extents"
        sheet.notes.append(
            f"drawing units not stated ($INSUNITS={insunits}); "
            f"taken as {'millimetres' if width > UNITLESS_MM_EXTENT else 'inches'}"
        )
    name = {1 / 12.0: "in", 1.0: "ft", 1 / 304.8: "mm"}.get(fpu, "units")
    sheet.units = name
    sheet.scales.append(Scale(f"1 {name} = 1 {name} (model space)", fpu, None, source))


def _read_space(space, index: int, source: str, cache: ezbbox.Cache) -> Sheet:
    sheet = Sheet(index=index, source=source, width=0.0, height=0.0, units="")
    lo = [math.inf, math.inf]
    hi = [-math.inf, -math.inf]

    for entity in space:
        kind = entity.dxftype()
        try:
            if kind in ("TEXT", "MTEXT"):
                item = _text(entity)
                if item:
                    sheet.texts.append(item)
                    _grow(lo, hi, item.bbox)
            elif kind == "INSERT":
                ref, attribs = _block(entity, cache)
                if ref:
                    sheet.blocks.append(ref)
                    sheet.texts.extend(attribs)
                    _grow(lo, hi, ref.bbox)
            else:
                path = _path(entity)
                if path:
                    sheet.paths.append(path)
                    _grow(lo, hi, path.bbox)
        except (ezdxf.DXFError, ValueError, ZeroDivisionError) as exc:
            sheet.notes.append(f"skipped a damaged {kind} entity ({exc})")

    if lo[0] < math.inf:
        sheet.width, sheet.height = hi[0] - lo[0], hi[1] - lo[1]
    # Model space is at full size; only "NTS" notes are kept from its text.
    for item in sheet.texts:
        stated = parse_scales(item.text, item.bbox)
        sheet.scales.extend(s for s in stated if s.feet_per_unit is None)
    return sheet


def _grow(lo: list[float], hi: list[float], b: BBox) -> None:
    lo[0], lo[1] = min(lo[0], b[0]), min(lo[1], b[1])
    hi[0], hi[1] = max(hi[0], b[2]), max(hi[1], b[3])


def _text(entity) -> TextItem | None:
    if entity.dxftype() == "MTEXT":
        text = entity.plain_text()
        height = float(entity.dxf.get("char_height", 1.0) or 1.0)
    else:
        text = entity.dxf.get("text", "")
        height = float(entity.dxf.get("height", 1.0) or 1.0)
    text = " ".join(str(text).split())
    if not text:
        return None
    x, y = entity.dxf.insert.x, entity.dxf.insert.y
    width = max(len(text) * height * 0.7, height)
    layer = entity.dxf.get("layer", "")
    return TextItem(text, (x, y, x + width, y + height), height, "", layer, "dxf")


def _block(entity, cache: ezbbox.Cache) -> tuple[BlockRef | None, list[TextItem]]:
    name = entity.dxf.name
    block = entity.block()
    effective = name
    # Dynamic blocks are stored as anonymous copies (*U12); the real name is on the record.
    if name.startswith("*") and block is not None:
        try:
            effective = entity.get_dxf_attrib("name")
            br = block.block_record
            if br is not None and br.has_xdata("AcDbBlockRepBTag"):
                effective = name
        except (ezdxf.DXFError, AttributeError):
            effective = name
    try:
        ext = ezbbox.extents([entity], cache=cache, fast=True)
        box = (ext.extmin.x, ext.extmin.y, ext.extmax.x, ext.extmax.y) if ext.has_data else None
    except (ezdxf.DXFError, ValueError, ZeroDivisionError):
        box = None
    pos = (entity.dxf.insert.x, entity.dxf.insert.y)
    if box is None:
        box = (pos[0], pos[1], pos[0], pos[1])

    attributes = {a.dxf.tag: a.dxf.text for a in entity.attribs}
    attribs = [
        TextItem(str(a.dxf.text), box, float(a.dxf.get("height", 1.0)), "", a.dxf.layer, "attrib")
        for a in entity.attribs
        if str(a.dxf.text).strip()
    ]
    nested = tuple(_nested_names(block, depth=0)) if block is not None else ()
    ref = BlockRef(
        name=effective,
        layer=entity.dxf.get("layer", ""),
        position=pos,
        bbox=box,
        rotation=float(entity.dxf.get("rotation", 0.0)),
        attributes=attributes,
        nested=nested,
    )
    return ref, attribs


def _nested_names(block, depth: int) -> list[str]:
    if depth > 8:
        return []
    names: list[str] = []
    for e in block:
        if e.dxftype() == "INSERT":
            names.append(e.dxf.name)
            inner = e.block()
            if inner is not None:
                names.extend(_nested_names(inner, depth + 1))
    return names


def _path(entity) -> PathItem | None:
    kind = entity.dxftype()
    layer = entity.dxf.get("layer", "")
    circles: tuple[tuple[Point, float], ...] = ()
    closed = False

    if kind == "LINE":
        s, e = entity.dxf.start, entity.dxf.end
        pts: list[Point] = [(s.x, s.y), (e.x, e.y)]
    elif kind == "LWPOLYLINE":
        pts = [(p[0], p[1]) for p in entity.get_points("xy")]
        closed = bool(entity.closed)
        if closed and pts:
            pts.append(pts[0])
    elif kind == "POLYLINE":
        pts = [(v.dxf.location.x, v.dxf.location.y) for v in entity.vertices]
        closed = bool(entity.is_closed)
        if closed and pts:
            pts.append(pts[0])
    elif kind == "CIRCLE":
        c, r = entity.dxf.center, float(entity.dxf.radius)
        pts = _arc_points(c.x, c.y, r, 0.0, 360.0)
        circles = (((c.x, c.y), r),)
        closed = True
    elif kind == "ARC":
        c, r = entity.dxf.center, float(entity.dxf.radius)
        pts = _arc_points(c.x, c.y, r, float(entity.dxf.start_angle), float(entity.dxf.end_angle))
    elif kind in ("ELLIPSE", "SPLINE"):
        pts = [(v.x, v.y) for v in entity.flattening(0.5)]
        closed = bool(pts) and pts[0] == pts[-1]
    else:
        return None
    if len(pts) < 2:
        return None

    xs = [p[0] for p in pts]
    ys = [p[1] for p in pts]
    return PathItem(
        bbox=(min(xs), min(ys), max(xs), max(ys)),
        polylines=(tuple(pts),),
        layer=layer,
        closed=closed,
        circles=circles,
    )


def _arc_points(cx: float, cy: float, r: float, a0: float, a1: float) -> list[Point]:
    if a1 <= a0:
        a1 += 360.0
    steps = max(2, int((a1 - a0) / ARC_SEGMENT_DEG) + 1)
    return [
        (cx + r * math.cos(math.radians(a0 + (a1 - a0) * i / steps)),
         cy + r * math.sin(math.radians(a0 + (a1 - a0) * i / steps)))
        for i in range(steps + 1)
    ]


def _title_from_attributes(sheet: Sheet) -> None:
    """Layouts carry the title block; a sheet-number attribute names the sheet."""
    for t in sheet.texts:
        value = t.text.strip().upper()
        if 2 <= len(value) <= 8 and value[0].isalpha() and any(c.isdigit() for c in value):
            if discipline_of(value):
                sheet.number = value
                sheet.discipline = discipline_of(value)
                return
