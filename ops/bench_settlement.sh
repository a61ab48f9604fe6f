#!/usr/bin/env bash
# Builds settlement_bench with the release preset (or in $BUILD_DIR when set,
# configured RelWithDebInfo) and prints the clearing-ledger table: 1,000,000
# trades over 50 members and 500 instruments, batches of 1,000, 10 batches
# per epoch, applied on one core from encoded bytes (decode, validation,
# duplicate check, limits, positions, digest, invariants); then the cut-off
# that nets and settles them (netting, DvP against balances, report digest).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
if [ -n "${BUILD_DIR:-}" ]; then
  cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  cmake --build "$BUILD_DIR" --target settlement_bench >/dev/null
  BENCH=$BUILD_DIR/settlement/settlement_bench
else
  cmake --preset release >/dev/null
  cmake --build --preset release --target settlement_bench >/dev/null
  BENCH=build/release/settlement/settlement_bench
fi

"$BENCH" --benchmark_format=csv "$@" 2>/dev/null | awk -F, '
  NR == 1 { for (i = 1; i <= NF; i++) { gsub(/"/, "", $i); col[$i] = i }; next }
  {
    name = $1; gsub(/"/, "", name); sub("/.*", "", name)
    if (name == "BM_ApplyMillionTrades") {
      apply_ms = $col["real_time"]; apply_cpu = $col["cpu_time"]; rate = $col["items_per_second"]
    } else if (name == "BM_CutOffNetsMillionTrades") {
      cut_ms = $col["real_time"]; cut_cpu = $col["cpu_time"]
      obligations = $col["obligations"]; bps = $col["efficiency_bps"]
    }
  }
  END {
    print "| measurement (1,000,000 trades, 50 members, 500 instruments) | wall ms | cpu ms | result |"
    print "|---|---|---|---|"
    printf "| apply 100 epochs x 10 batches x 1,000 trades | %.0f | %.0f | %.0f trades/s |\n", apply_ms, apply_cpu, rate
    printf "| cut-off: net + settle DvP + report digest | %.1f | %.1f | %d obligations, efficiency %.2f%% |\n", cut_ms, cut_cpu, obligations, bps / 100
  }'
