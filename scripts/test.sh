#!/usr/bin/env bash
# Set up everything the tests need and run them. Extra arguments go to pytest.
# Needs PostgreSQL on 127.0.0.1:5432 for the PostgreSQL tests (see README).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/system-deps.sh test
scripts/venv.sh test
exec .venv/bin/python -m pytest "$@"
