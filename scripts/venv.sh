#!/usr/bin/env bash
# Create .venv (Python 3.11+) and install the package into it; idempotent.
# Usage: scripts/venv.sh [run|test]
set -euo pipefail
cd "$(dirname "$0")/.."

python=${PYTHON:-python3}
"$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' || {
    echo "venv: Python 3.11 or newer is required (found $("$python" --version))" >&2
    exit 69
}
[[ -x .venv/bin/python ]] || "$python" -m venv .venv
extra=""
[[ "${1:-run}" == "test" ]] && extra="[test]"
.venv/bin/python -m pip install -q --upgrade pip >/dev/null
.venv/bin/python -m pip install -q -e ".${extra}"
