#!/usr/bin/env bash
# The test command: install what is missing, build, fuzz the two decoders of
# peer input and the whole quorum engine for a bounded time, start a private
# PostgreSQL, run every ctest label (unit, sim, integration), stop PostgreSQL
# whatever happened, and print the wall time. Exit status is ctest's.
#   QC_PRESET=asan-ubsan ops/test.sh     same, under the sanitizers
#   ops/test.sh -L unit                  extra arguments go to ctest
#   QC_FUZZ_SECONDS=0 ops/test.sh        skip the bounded fuzz runs (default 45 s each)
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

# Bounded libFuzzer runs (clang, ASan, UBSan) of the two decoders that read
# peers' bytes: quorum messages, and clearing batches (decoded and applied
# over three epochs to fresh ledgers with a trading venue, whose invariant
# asserts must hold and whose bookings must be exactly the matched and
# locked-in trades, tests/fuzz/README.md); and of whole quorum
# engines under Byzantine peers that forge codewords, branches and coin
# shares (honest outputs must agree, no honest node be blamed, memory stay
# bounded). Any crash, assert, invariant violation or non-canonical round
# trip fails the run. Logs stay in build/fuzz/.
FUZZ_SECONDS=${QC_FUZZ_SECONDS:-45}
if [ "$FUZZ_SECONDS" -gt 0 ]; then
  cmake --preset fuzz >/dev/null
  cmake --build --preset fuzz -j "$(nproc)" --target quorum_decode_fuzz settlement_batch_fuzz quorum_engine_fuzz
  for spec in quorum_decode_fuzz:tests/fuzz/corpus settlement_batch_fuzz:tests/fuzz/batch-corpus \
      quorum_engine_fuzz:tests/fuzz/engine-corpus; do
    target=${spec%%:*}
    seeds=${spec#*:}
    mkdir -p "build/fuzz/$target-corpus"
    if ! "build/fuzz/tests/fuzz/$target" -max_total_time="$FUZZ_SECONDS" -rss_limit_mb=2048 \
        -artifact_prefix=build/fuzz/ "build/fuzz/$target-corpus" "$seeds" >"build/fuzz/$target.log" 2>&1; then
      tail -n 40 "build/fuzz/$target.log"
      echo "fuzz: $target found a failure (the input is saved as build/fuzz/crash-* or similar)"
      exit 1
    fi
    echo "fuzz: $target: $(grep -E '^Done [0-9]+ runs' "build/fuzz/$target.log" || tail -n 1 "build/fuzz/$target.log")"
  done
fi

"$ROOT/ops/pg.sh" start
QC_PG_URL=$("$ROOT/ops/pg.sh" url)
export QC_PG_URL

ctest --preset "$PRESET" -j "$(nproc)" --timeout 900 "$@"
