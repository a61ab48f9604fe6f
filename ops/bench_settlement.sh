#!/usr/bin/env bash
# Builds settlement_bench with the release preset (or in $BUILD_DIR when set,
# configured RelWithDebInfo) and prints the clearing-ledger table: 1,000,000
# trades over 29 trading members and 500 instruments, batches of 1,000
# reports, 10 batches per epoch, applied on one core from encoded bytes
# (decode, validation, duplicate check, matching, limits, positions, digest,
# invariants), two ways in the same run: two-sided (each trade reported by
# both parties from their own nodes, 2,000,000 reports) and locked-in (the
# same trades from a trading venue, one report each: the single-report
# path); then what matching costs per trade, and the cut-off that nets and
# settles the two-sided day (netting, DvP against balances, report digest).
# Rates are per wall-clock second.
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
    if ($col["error_occurred"] ~ /true/) { failed = failed " " name; next }
    if (name == "BM_ApplyTwoSided") {
      two_ms = $col["real_time"]; two_cpu = $col["cpu_time"]; trades = $col["trades"]
      reports = $col["reports"]; epochs = $col["epochs"]; same = $col["counter_same_epoch"]
    } else if (name == "BM_ApplyLockedIn") {
      venue_ms = $col["real_time"]; venue_cpu = $col["cpu_time"]; venue_epochs = $col["epochs"]
    } else if (name == "BM_CutOffNetsMillionTrades") {
      cut_ms = $col["real_time"]; cut_cpu = $col["cpu_time"]
      obligations = $col["obligations"]; bps = $col["efficiency_bps"]
    }
  }
  END {
    if (failed != "" || two_ms == "" || venue_ms == "" || cut_ms == "") {
      print "bench_settlement.sh: failed:" failed > "/dev/stderr"; exit 1
    }
    print "| measurement (1,000,000 trades, 29 trading members, 500 instruments) | wall ms | cpu ms | result |"
    print "|---|---|---|---|"
    printf "| apply two-sided: %d epochs x 10 batches x 1,000 reports, both sides from their own nodes (%.0f%% of second sides in the first side'"'"'s epoch) | %.0f | %.0f | %.0f trades/s, %.0f reports/s, %.0f ns/trade |\n", \
      epochs, 100 * same / trades, two_ms, two_cpu, trades / (two_ms / 1000), reports / (two_ms / 1000), two_ms * 1e6 / trades
    printf "| apply locked-in (venue, one report per trade): %d epochs x 10 batches x 1,000 trades | %.0f | %.0f | %.0f trades/s, %.0f ns/trade |\n", \
      venue_epochs, venue_ms, venue_cpu, trades / (venue_ms / 1000), venue_ms * 1e6 / trades
    printf "| matching: two-sided over locked-in | | | %.2fx the time, +%.0f ns per trade |\n", two_ms / venue_ms, (two_ms - venue_ms) * 1e6 / trades
    printf "| cut-off of the two-sided day: net + settle DvP + report digest | %.1f | %.1f | %d obligations, efficiency %.2f%% |\n", cut_ms, cut_cpu, obligations, bps / 100
  }'
