"""``plansite analyze``: run the takeoff on files and print a table, JSON or CSV.

Each file is analysed on its own: a broken file prints one line naming it and the reason,
and the others are still processed. The exit status is the highest exit code among the
files that failed (see ``plansite.errors``), 0 when all succeeded.
"""

from __future__ import annotations

import argparse
import csv
import json
import logging
import math
import sys
from pathlib import Path
from typing import Any, TextIO

from plansite.domain.fixtures import FIXTURE_TYPES, TagTable
from plansite.domain.sheet import Exemplar
from plansite.domain.takeoff import Takeoff
from plansite.errors import PlansiteError, exit_code_of
from plansite.pipeline import analyze_path

log = logging.getLogger(__name__)


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("analyze", help="take off fixtures and pipe from plan sets")
    p.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    p.add_argument("--format", choices=("table", "json", "csv"), default="table")
    p.add_argument("--tags", type=Path, help='JSON file {"TAG": "fixture_type"} of extra tags')
    p.add_argument(
        "--exemplar",
        action="append",
        default=[],
        metavar="[TYPE@][SHEET:]X0,Y0,X1,Y1",
        help="box around one symbol to find again, in the sheet coordinates of the JSON "
             "bboxes (PDF points from the top left); SHEET (1-based) limits it to that "
             "sheet, TYPE names what it is (e.g. water_closet@2:1280,500,1320,560)",
    )
    p.add_argument("--no-ocr", action="store_true", help="do not OCR outlined (SHX) text")
    p.add_argument("--no-progress", action="store_true")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    try:
        table = TagTable.load(args.tags)
        exemplars = [_parse_exemplar(b) for b in args.exemplar]
    except (OSError, ValueError) as exc:
        print(f"plansite: {exc}", file=sys.stderr)
        return 64

    # Takeoffs and failures in the order the files were given.
    entries: list[Takeoff | dict[str, Any]] = []
    worst = 0
    for path in args.paths:
        bar = _ProgressBar(path.name, enabled=not args.no_progress and sys.stderr.isatty())
        try:
            takeoff = analyze_path(path, progress=bar, tags=table, exemplars=exemplars,
                                   ocr=not args.no_ocr)
            entries.append(takeoff)
            for error in takeoff.errors:
                where = f"sheet {error.sheet}: " if error.sheet else ""
                print(f"plansite: {path}: {where}{error.message}", file=sys.stderr)
                worst = max(worst, exit_code_of(error.code))
        except PlansiteError as exc:
            print(f"plansite: {exc.one_line()}", file=sys.stderr)
            entries.append(_failure(path, exc.code, exc.message))
            worst = max(worst, exc.exit_code)
        except Exception as exc:  # noqa: BLE001 - a defect must not hide the other files
            log.debug("internal error", exc_info=True)
            print(f"plansite: {path}: internal error ({type(exc).__name__}: {exc}); "
                  "please report it with the file", file=sys.stderr)
            entries.append(_failure(path, "internal_error", str(exc)))
            worst = max(worst, 70)
        finally:
            bar.close()

    _emit(entries, args.format, sys.stdout, several=len(args.paths) > 1)
    return worst


def _failure(path: Path, code: str, message: str) -> dict[str, Any]:
    """The JSON entry of a file that could not be analysed at all."""
    return {"source": path.name, "status": "failed",
            "errors": [{"stage": "intake", "code": code, "message": message, "sheet": None}]}


def _parse_exemplar(text: str) -> Exemplar:
    """Read ``[TYPE@][SHEET:]X0,Y0,X1,Y1``."""
    fixture, _, rest = text.rpartition("@")
    if fixture and fixture not in FIXTURE_TYPES:
        raise ValueError(f"--exemplar {text!r}: unknown fixture type {fixture!r}; "
                         f"known types: {', '.join(FIXTURE_TYPES)}")
    sheet_text, _, box_text = rest.rpartition(":")
    sheet = None
    if sheet_text:
        if not sheet_text.isdigit() or int(sheet_text) < 1:
            raise ValueError(f"--exemplar {text!r}: SHEET must be a sheet number from 1")
        sheet = int(sheet_text)
    try:
        box = _parse_box(box_text)
    except ValueError as exc:
        raise ValueError(f"--exemplar {text!r}: expected [TYPE@][SHEET:]X0,Y0,X1,Y1 with "
                         "X0<X1 and Y0<Y1") from exc
    return Exemplar(box, sheet, fixture or None)


def _parse_box(text: str) -> tuple[float, float, float, float]:
    parts = [float(v) for v in text.split(",")]
    finite = all(math.isfinite(v) for v in parts)
    if len(parts) != 4 or not finite or parts[0] >= parts[2] or parts[1] >= parts[3]:
        raise ValueError(f"--exemplar {text!r}: expected X0,Y0,X1,Y1 with X0<X1 and Y0<Y1")
    return (parts[0], parts[1], parts[2], parts[3])


def _emit(
    entries: list[Takeoff | dict[str, Any]], fmt: str, out: TextIO, several: bool
) -> None:
    """Print the results; JSON of several files is ``{"files": [...]}`` in input order."""
    takeoffs = [e for e in entries if isinstance(e, Takeoff)]
    if fmt == "json":
        docs = [e.to_dict() if isinstance(e, Takeoff) else e for e in entries]
        if several:
            json.dump({"files": docs}, out, indent=2)
        elif docs:
            json.dump(docs[0], out, indent=2)
        out.write("\n")
    elif fmt == "csv":
        writer = csv.writer(out)
        writer.writerow(["file", "sheet", "sheet_number", "fixture_type", "count"])
        for t in takeoffs:
            sheets = t.to_dict()["sheets"]
            for s in sheets:
                for fixture, n in s["counts"].items():
                    writer.writerow([t.source, s["sheet"], s["number"], fixture, n])
            if not t.counted():
                # A file with nothing found still gets a row, so it cannot look skipped.
                writer.writerow([t.source, "", "", "", 0])
    else:
        for t in takeoffs:
            out.write(render_table(t.to_dict()))


def render_table(doc: dict[str, Any]) -> str:
    """Render one takeoff as the plain-text table an estimator reads."""
    n = len(doc["sheets"])
    lines = [f"{doc['source']}  ({doc['kind']}, {n} sheet{'' if n == 1 else 's'}, "
             f"{doc['elapsed_s']:.1f}s, {doc['status']})"]
    lines.append(f"  {'fixture':<20}{'count':>6}")
    for fixture, n in doc["counts"].items():
        lines.append(f"  {fixture:<20}{n:>6}")
    lines.append(f"  {'total':<20}{doc['total_fixtures']:>6}")

    lines.append("  per sheet:")
    for s in doc["sheets"]:
        found = ", ".join(f"{k} {v}" for k, v in s["counts"].items()) or "none"
        label = s["number"] or f"#{s['sheet']}"
        scale = s["scale"] or "no scale"
        lines.append(f"    {label:<10} {s['title'][:36]:<36} {scale:<18} {found}")

    for s in doc["sheets"]:
        for note in s["notes"]:
            label = s["number"] or f"#{s['sheet']}"
            lines.append(f"  note, sheet {label}: {note}")

    if doc["pipe_totals_ft"]:
        lines.append("  pipe (ft): " + ", ".join(
            f"{k} {v:.0f}" for k, v in doc["pipe_totals_ft"].items()))
    unscaled = [r for r in doc["pipe_runs"] if not r["scaled"]]
    if unscaled:
        lines.append(f"  pipe: {len(unscaled)} runs unscaled (sheet has no trustworthy scale)")
    for e in doc["errors"]:
        where = f"sheet {e['sheet']}: " if e["sheet"] else ""
        lines.append(f"  ! {where}{e['message']}")
    return "\n".join(lines) + "\n\n"


class _ProgressBar:
    """A one-line progress bar on stderr, only when stderr is a terminal."""

    def __init__(self, name: str, enabled: bool) -> None:
        self.name, self.enabled, self.shown = name, enabled, False

    def __call__(self, stage: str, done: int, total: int) -> None:
        if not self.enabled:
            return
        if total:
            filled = int(30 * done / total)
            doing = "reading" if stage == "parse" else "searching"
            text = (f"\r{self.name[:40]:<40} [{'#' * filled:<30}] {done}/{total} sheets, "
                    f"{doing} sheet {done + (stage == 'parse')}")
        else:
            text = f"\r{self.name[:40]:<40} sheet {done}"
        sys.stderr.write(text)
        sys.stderr.flush()
        self.shown = True

    def close(self) -> None:
        if self.shown:
            sys.stderr.write("\n")
