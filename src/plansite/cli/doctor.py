"""``plansite doctor``: say where the monitoring and deployment configs drifted from the code.

Prints one sentence per drift (file, what is wrong, how to fix it) and exits 1 when there
is any, so CI and a person before a deploy get the same answer. See
``plansite.observability.drift`` for the checks.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "doctor",
        help="check metrics, alert rules, dashboards, scrape targets and compose agree",
    )
    p.add_argument(
        "--root", type=Path, default=None,
        help="repository root (default: the nearest folder above here with monitoring/)",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from plansite.observability.drift import check_all

    root = args.root or _find_root(Path.cwd())
    if root is None or not (root / "monitoring").is_dir():
        print("plansite doctor: no monitoring/ folder here or above; run it from the "
              "repository or pass --root", file=sys.stderr)
        return 2

    drifts, ran = check_all(root.resolve())
    for drift in drifts:
        print(f"DRIFT {drift}")
    checked = ", ".join(ran) if ran else "nothing (no configs found)"
    if drifts:
        print(f"plansite doctor: {len(drifts)} drift(s) found; checked {checked}.")
        return 1
    print(f"plansite doctor: no drift; checked {checked}.")
    return 0


def _find_root(start: Path) -> Path | None:
    for folder in (start, *start.parents):
        if (folder / "monitoring").is_dir():
            return folder
    return None
