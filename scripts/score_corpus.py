"""Print per-file and per-type precision/recall and micro count-F1 on the corpus.

    python scripts/score_corpus.py [--kinds vector,outline,dxf] [--only SUBSTRING] [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
import time

from plansite.errors import PlansiteError
from plansite.pipeline import analyze_path
from plansite.scoring import SCORED_KINDS, Score, corpus_dir, load_expected, score_counts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--kinds", default=",".join(SCORED_KINDS))
    parser.add_argument("--only", default="", help="score only files whose name contains this")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()

    corpus = corpus_dir()
    expected = load_expected(corpus)
    kinds = args.kinds.split(",")
    per_kind: dict[str, Score] = {}
    per_type: dict[str, Score] = {}
    rows = []
    for name, want in sorted(expected.items()):
        if want["_kind"] not in kinds or args.only not in name:
            continue
        started = time.perf_counter()
        try:
            found = analyze_path(corpus / "files" / name).counts()
            error = ""
        except PlansiteError as exc:
            found, error = {}, exc.one_line()
        score = score_counts(want, found, per_type)
        per_kind.setdefault(want["_kind"], Score()).add(score)
        rows.append((name, want["_kind"], score, time.perf_counter() - started, error))

    total = Score()
    for s in per_kind.values():
        total.add(Score(s.tp, s.fp, s.fn))
    if args.json:
        print(json.dumps({
            "micro_f1": total.f1,
            "per_kind": {k: v.f1 for k, v in per_kind.items()},
            "per_file": {r[0]: {"f1": r[2].f1, "misses": r[2].misses} for r in rows},
        }, indent=2))
        return 0

    print(f"{'file':<62}{'kind':<9}{'P':>6}{'R':>6}{'F1':>6}{'s':>7}")
    for name, kind, s, secs, error in rows:
        print(f"{name[:61]:<62}{kind:<9}{s.precision:6.2f}{s.recall:6.2f}{s.f1:6.2f}{secs:7.1f}")
        for miss in s.misses:
            print(f"{'':<4}{miss}")
        if error:
            print(f"{'':<4}error: {error}")
    print()
    print(f"{'type':<22}{'tp':>5}{'fp':>5}{'fn':>5}{'P':>6}{'R':>6}")
    for fixture, s in sorted(per_type.items()):
        print(f"{fixture:<22}{s.tp:5d}{s.fp:5d}{s.fn:5d}{s.precision:6.2f}{s.recall:6.2f}")
    print()
    for kind, s in sorted(per_kind.items()):
        print(f"micro F1 {kind:<8} {s.f1:.3f}  (tp {s.tp}, fp {s.fp}, fn {s.fn})")
    print(f"micro F1 overall  {total.f1:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
