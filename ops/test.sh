#!/usr/bin/env bash
# The test command: install what is missing, build, start a private
# PostgreSQL, run every ctest label (unit, sim, integration), stop PostgreSQL
# whatever happened, and print the wall time. Exit status is ctest's.
#   QC_PRESET=asan-ubsan ops/test.sh     same, under the sanitizers
#   ops/test.sh -L unit                  extra arguments go to ctest
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PRESET=${QC_PRESET:-ci}
START=$(date +%s)
cd "$ROOT"

finish() {
  local status=$?
  "$ROOT/ops/pg.sh" stop || true
  echo "ops/test.sh: $( [ $status -eq 0 ] && echo PASSED || echo FAILED ) in $(( $(date +%s) - START ))s (preset $PRESET)"
  exit $status
}
trap finish EXIT

"$ROOT/ops/bootstrap.sh"
cmake --preset "$PRESET" >/dev/null
cmake --build --preset "$PRESET" -j "$(nproc)"

"$ROOT/ops/pg.sh" start
QC_PG_URL=$("$ROOT/ops/pg.sh" url)
export QC_PG_URL

ctest --preset "$PRESET" -j "$(nproc)" --timeout 900 "$@"
