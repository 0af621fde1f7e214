"""Takeoff speed and memory on the corpus, measured beside the floor of the same library.

For every PDF and DXF in the corpus this prints, in one run:

* the *floor*: open the file and, for each page, extract its text and its vector paths with
  PyMuPDF (DXF: read it with ezdxf and walk every entity) — no detection at all;
* the *engine*: ``analyze_path`` on the same file (parsing, OCR where needed, detection);
* sheets per second for both and the ratio engine / floor.

Then peak resident memory of each on the largest file, each in a fresh process, so the
figure is the file's own and not the benchmark's. Usage::

    python benchmarks/bench_takeoff.py [--repeat N] [--no-ocr] [--only SUBSTRING]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

from plansite.scoring import corpus_dir, load_expected


def floor_pdf(path: Path) -> int:
    import pymupdf

    with pymupdf.open(path) as doc:
        for page in doc:
            # The engine's own text flags: "dict" would otherwise also decode every image.
            page.get_text("dict", flags=pymupdf.TEXTFLAGS_TEXT)
            page.get_drawings()
        return doc.page_count


def floor_dxf(path: Path) -> int:
    from ezdxf.recover import readfile

    doc, _ = readfile(str(path))
    layouts = [doc.modelspace(), *(lay for lay in doc.layouts if lay.name != "Model")]
    for layout in layouts:
        for entity in layout:
            entity.dxftype()
    return len(layouts)


def engine(path: Path, ocr: bool) -> int:
    from plansite.pipeline import analyze_path

    return len(analyze_path(path, ocr=ocr).sheets)


def timed(fn, *args, repeat: int) -> tuple[float, int]:
    import pymupdf

    best, sheets = float("inf"), 0
    for _ in range(repeat):
        # Empty MuPDF's cache of decoded images and fonts, so neither side reuses the other's.
        pymupdf.TOOLS.store_shrink(100)
        started = time.perf_counter()
        sheets = fn(*args)
        best = min(best, time.perf_counter() - started)
    return best, sheets


def peak_rss_mib(mode: str, path: Path, ocr: bool) -> float:
    """Run one measurement in a fresh interpreter and return its peak RSS in MiB.

    The figure is the child's ``VmHWM``: Linux keeps ``ru_maxrss`` across ``exec``, so a
    child started by this (large) benchmark process would report the parent's peak.
    """
    code = (
        "import sys; sys.path.insert(0, %r); import bench_takeoff as b; "
        "from pathlib import Path; p = Path(%r); "
        "(b.floor_pdf(p) if p.suffix == '.pdf' else b.floor_dxf(p)) if %r == 'floor' "
        "else b.engine(p, %r); "
        "print([ln for ln in open('/proc/self/status') if ln.startswith('VmHWM')][0])"
    ) % (str(Path(__file__).parent), str(path), mode, ocr)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return int(out.stdout.strip().splitlines()[-1].split()[1]) / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=1, help="best of N runs per file")
    parser.add_argument("--no-ocr", action="store_true", help="engine without OCR")
    parser.add_argument("--only", default="")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    corpus = corpus_dir()
    names = [n for n in sorted(load_expected(corpus)) if args.only in n]
    files = [corpus / "files" / n for n in names if n.endswith((".pdf", ".dxf"))]

    rows = []
    print(f"{'file':<58}{'sheets':>7}{'floor s':>9}{'engine s':>10}{'ratio':>8}")
    for path in files:
        floor_fn = floor_pdf if path.suffix == ".pdf" else floor_dxf
        floor_s, sheets = timed(floor_fn, path, repeat=args.repeat)
        try:
            engine_s, _ = timed(engine, path, not args.no_ocr, repeat=args.repeat)
        except Exception as exc:  # noqa: BLE001 - a failing file is reported, not fatal
            print(f"{path.name[:57]:<58}{sheets:>7}{floor_s:9.2f}   failed: {exc}")
            continue
        rows.append((path, sheets, floor_s, engine_s))
        print(f"{path.name[:57]:<58}{sheets:>7}{floor_s:9.2f}{engine_s:10.2f}"
              f"{engine_s / floor_s:8.1f}")

    sheets = sum(r[1] for r in rows)
    floor_total = sum(r[2] for r in rows)
    engine_total = sum(r[3] for r in rows)
    print()
    print(f"floor : {sheets} sheets in {floor_total:.1f}s = {sheets / floor_total:.2f} sheets/s")
    print(f"engine: {sheets} sheets in {engine_total:.1f}s = {sheets / engine_total:.2f} sheets/s")
    print(f"ratio engine/floor (time): {engine_total / floor_total:.1f}x")

    # Peak memory on the largest file, and on the file with most sheets: pages are streamed,
    # so the second should stay near the first rather than grow with the page count.
    largest = max(files, key=lambda p: p.stat().st_size)
    longest = max(rows, key=lambda r: r[1])[0] if rows else largest
    peaks = {}
    for label, path in (("largest file", largest), ("most sheets", longest)):
        floor_mib = peak_rss_mib("floor", path, not args.no_ocr)
        engine_mib = peak_rss_mib("engine", path, not args.no_ocr)
        peaks[label] = (floor_mib, engine_mib)
        print(f"peak RSS, {label} ({path.name}, {path.stat().st_size / 2**20:.1f} MiB): "
              f"floor {floor_mib:.0f} MiB, engine {engine_mib:.0f} MiB "
              f"({engine_mib / floor_mib:.2f}x)")
    floor_mib, engine_mib = peaks["largest file"]
    if args.json:
        print(json.dumps({
            "sheets": sheets, "floor_s": floor_total, "engine_s": engine_total,
            "ratio": engine_total / floor_total, "peak_floor_mib": floor_mib,
            "peak_engine_mib": engine_mib,
        }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
