"""The takeoff pipeline for one file: intake → parsing → detection → de-duplication.

``analyze_path`` is the single entry the CLI, the HTTP worker and the benchmarks call.
Sheets are streamed: each page is parsed, searched and released before the next, so memory
follows the largest page, not the plan set. A page that fails is recorded in
``Takeoff.errors`` and the rest of the set is still analysed.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from plansite.domain.fixtures import TagTable
from plansite.domain.sheet import Exemplar, Sheet, bbox_center
from plansite.domain.takeoff import ErrorRecord, SheetSummary, Takeoff
from plansite.errors import PlansiteError, UnsupportedContent
from plansite.parsing import intake
from plansite.parsing.intake import REPAIRED_NOTE
from plansite.vision.dedupe import merge_nearby, merge_repeated_views, other_trade_density
from plansite.vision.detect import detect_sheet, merge_reach
from plansite.vision.existing import (
    ExistingFixture,
    drop_existing,
    existing_on_demolition_plans,
)
from plansite.vision.pipes import measure_pipes
from plansite.vision.rooms import assign_rooms
from plansite.vision.tags import apply_learned_tags, learn_schedule_tags
from plansite.vision.views import plumbing_sheets_only

log = logging.getLogger(__name__)

# Other-trade symbols within this many merge reaches mark a plan as another trade's.
OTHER_TRADE_RADIUS_REACHES = 6.0

# progress(stage, done, total): stage is "parse" or "detect"; total may be 0 when unknown.
Progress = Callable[[str, int, int], None]


def analyze_path(
    path: str | Path,
    *,
    progress: Progress | None = None,
    tags: TagTable | None = None,
    exemplars: list[Exemplar] | None = None,
    ocr: bool = True,
) -> Takeoff:
    """Analyse one drawing file and return its takeoff.

    Raises a ``PlansiteError`` subclass when the file as a whole cannot be analysed (not a
    drawing, encrypted, over a limit); failures of single pages are recorded instead.
    """
    path = Path(path)
    started = time.perf_counter()
    kind = intake.sniff(path)
    table = tags or TagTable.load(None)
    takeoff = Takeoff(source=path.name, kind=kind)

    total, sheets = _open_sheets(path, kind, ocr, progress)
    reach: dict[int, float] = {}
    other_trade: dict[int, int] = {}
    existing: list[ExistingFixture] = []
    sizes: dict[int, tuple[float, float]] = {}
    first_error: PlansiteError | None = None
    done = 0
    for sheet in sheets:
        done += 1
        if progress:
            progress("detect", done, total)
        if sheet.error is not None:
            error = _as_plansite_error(sheet.error, path)
            first_error = first_error or error
            _record_parse_failure(sheet, error, takeoff)
            continue
        if REPAIRED_NOTE in sheet.notes:
            takeoff.errors.append(ErrorRecord("parse", "repaired_file", REPAIRED_NOTE, None))
        first = len(takeoff.detections)
        _analyze_sheet(sheet, table, exemplars, takeoff)
        reach[sheet.index] = merge_reach(sheet)
        sizes[sheet.index] = (sheet.width, sheet.height)
        existing.extend(existing_on_demolition_plans(sheet))
        if sheet.blocks:
            radius = reach[sheet.index] * OTHER_TRADE_RADIUS_REACHES
            other_trade.update(
                other_trade_density(sheet, takeoff.detections[first:], radius))

    # A schedule may follow the plans it serves: re-read every tag with the whole set's.
    takeoff.detections = apply_learned_tags(takeoff.detections, table)
    disciplines = {s.index: s.discipline for s in takeoff.sheets}
    keep = plumbing_sheets_only(disciplines, [d.sheet_index for d in takeoff.detections])
    takeoff.detections = [d for d, k in zip(takeoff.detections, keep) if k]
    takeoff.detections, dropped = drop_existing(takeoff.detections, existing, sizes, reach)
    _note_existing(takeoff, dropped)
    failed = [e for e in takeoff.errors if e.stage == "parse"]
    if takeoff.sheets and len(failed) == len(takeoff.sheets) and first_error is not None:
        raise first_error

    merge_nearby(takeoff.detections, reach)
    if kind == "dxf":
        tolerance = min(reach.values()) if reach else 1.0
        merge_repeated_views(takeoff.detections, tolerance, other_trade)

    takeoff.elapsed_s = time.perf_counter() - started
    log.info(
        "analysed %s: %d sheets, %d fixtures in %.2fs",
        path.name, len(takeoff.sheets), sum(takeoff.counts().values()), takeoff.elapsed_s,
    )
    return takeoff


def _open_sheets(
    path: Path, kind: str, ocr: bool, progress: Progress | None
) -> tuple[int, Iterator[Sheet]]:
    if kind == "pdf":
        from plansite.parsing.pdf_sheets import iter_pdf_sheets, page_count

        total = page_count(path)

        def on_page(index: int) -> None:
            if progress:
                progress("parse", index, total)

        return total, iter_pdf_sheets(path, ocr=ocr, on_page=on_page)
    if kind == "dxf":
        from plansite.parsing.dxf_sheets import iter_dxf_sheets

        return 0, iter_dxf_sheets(path)
    raise UnsupportedContent(
        "is a raster image; fixture detection on scans and photos is not available yet "
        "(export the drawing as a vector PDF or DXF)",
        path=str(path),
    )


def _note_existing(takeoff: Takeoff, dropped: list) -> None:
    """Say on each sheet which fixtures were left out as existing to remain, and why."""
    by_index = {s.index: s for s in takeoff.sheets}
    for d, e in dropped:
        where = e.sheet_number or f"sheet {e.sheet_index + 1}"
        x, y = bbox_center(d.bbox)
        by_index[d.sheet_index].notes.append(
            f"{d.fixture_type} at ({x:.0f}, {y:.0f}) not counted: the demolition plan "
            f"{where} shows an existing fixture there to remain"
        )


def _as_plansite_error(exc: Exception, path: Path) -> PlansiteError:
    if isinstance(exc, PlansiteError):
        return exc
    return PlansiteError(f"{type(exc).__name__}: {exc}", path=str(path))


def _record_parse_failure(sheet: Sheet, error: PlansiteError, takeoff: Takeoff) -> None:
    takeoff.sheets.append(SheetSummary(sheet.index, "", "", "", sheet.units, [], False,
                                       notes=[f"not analysed: {error.message}"]))
    takeoff.errors.append(ErrorRecord("parse", error.code, error.message, sheet.index + 1))


def _analyze_sheet(
    sheet: Sheet, table: TagTable, exemplars: list[Exemplar] | None, takeoff: Takeoff
) -> None:
    summary = SheetSummary(
        index=sheet.index,
        number=sheet.number,
        title=sheet.title,
        discipline=sheet.discipline,
        units=sheet.units,
        scales=sorted({s.label for s in sheet.scales}),
        raster=sheet.raster,
        notes=list(sheet.notes),
    )
    takeoff.sheets.append(summary)
    if sheet.raster:
        summary.notes.append("drawing is an embedded image: only its text layer was searched")

    try:
        table.tags.update(learn_schedule_tags(sheet, table))
        result = detect_sheet(sheet, table, exemplars)
        assign_rooms(sheet, result.detections)
        takeoff.detections.extend(result.detections)
        takeoff.pipe_runs.extend(measure_pipes(sheet))
    except PlansiteError as exc:
        takeoff.errors.append(ErrorRecord("detect", exc.code, exc.message, sheet.index + 1))
    except Exception as exc:  # noqa: BLE001 - one bad sheet must not lose the others
        log.exception("detection failed on %s sheet %d", sheet.source, sheet.index + 1)
        takeoff.errors.append(
            ErrorRecord("detect", "internal_error", f"{type(exc).__name__}: {exc}",
                        sheet.index + 1)
        )
