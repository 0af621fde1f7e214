#!/usr/bin/env bash
# Set up PlanSiteOS and run it: a takeoff of a corpus plan, then the server on port 5000.
# Embedded default: SQLite, a local blob folder and an in-process worker under
# ${PLANSITE_DATA_DIR:-~/.local/share/plansite}; nothing is written inside the source tree.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/system-deps.sh run
scripts/venv.sh run

corpus=$(.venv/bin/python -c 'from plansite.scoring import corpus_dir; print(corpus_dir())')
plan="${PLANSITE_DEMO_PLAN:-$corpus/files/dxf-constructiq-house-addition-plumbing.dxf}"
if [[ -f "$plan" ]]; then
    echo "== takeoff of $(basename "$plan")"
    .venv/bin/plansite analyze "$plan" || echo "(the takeoff reported a problem; see above)"
else
    echo "== no corpus plan at $plan; skipping the demo takeoff (set PLANSITE_DEMO_PLAN)"
fi

echo "== starting the server on port ${PLANSITE_PORT:-5000} (Ctrl-C stops it)"
exec .venv/bin/plansite serve "$@"
