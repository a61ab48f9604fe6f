#!/usr/bin/env bash
# The test command: install what is missing, build, start a private
# PostgreSQL, run every ctest label (unit, sim, integration), stop PostgreSQL
# whatever happened, and print the wall time. Exit status is ctest's.
#   QC_PRESET=asan-ubsan ops/test.sh     same, under the sanitizers
#   ops/test.sh -L unit                  extra arguments go to ctest
#   QC_FUZZ_SECONDS=0 ops/test.sh        skip the bounded decoder fuzz run
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

# A bounded libFuzzer run of the peer-message decoder (clang, ASan, UBSan):
# any crash or non-canonical round trip fails the run. Its log stays in
# build/fuzz/decode-fuzz.log; the summary line is printed.
FUZZ_SECONDS=${QC_FUZZ_SECONDS:-60}
if [ "$FUZZ_SECONDS" -gt 0 ]; then
  cmake --preset fuzz >/dev/null
  cmake --build --preset fuzz -j "$(nproc)" --target quorum_decode_fuzz
  mkdir -p build/fuzz/decode-corpus
  if ! build/fuzz/tests/fuzz/quorum_decode_fuzz -max_total_time="$FUZZ_SECONDS" -rss_limit_mb=2048 -artifact_prefix=build/fuzz/ \
      build/fuzz/decode-corpus tests/fuzz/corpus >build/fuzz/decode-fuzz.log 2>&1; then
    tail -n 40 build/fuzz/decode-fuzz.log
    echo "fuzz: the decoder fuzzer found a failure (the input is saved as build/fuzz/crash-*)"
    exit 1
  fi
  echo "fuzz: $(grep -E '^Done [0-9]+ runs' build/fuzz/decode-fuzz.log || tail -n 1 build/fuzz/decode-fuzz.log)"
fi

"$ROOT/ops/pg.sh" start
QC_PG_URL=$("$ROOT/ops/pg.sh" url)
export QC_PG_URL

ctest --preset "$PRESET" -j "$(nproc)" --timeout 900 "$@"
