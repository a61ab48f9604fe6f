#!/usr/bin/env bash
# Builds quorum_bench with the release preset and prints the engine throughput
# table: n engines in one process, all honest, zero delay, FIFO delivery; each
# node proposes one batch of TXS transactions of 128 bytes per epoch.
# Extra arguments go to the benchmark (e.g. --benchmark_filter='n:4/').
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
cmake --preset release >/dev/null
cmake --build --preset release --target quorum_bench >/dev/null
BENCH=build/release/quorum/sim/quorum_bench
MIN_TIME=${QC_BENCH_MIN_TIME:-1}

"$BENCH" --benchmark_format=csv --benchmark_min_time="$MIN_TIME" "$@" 2>/dev/null | awk -F, '
  NR == 1 { for (i = 1; i <= NF; i++) { gsub(/"/, "", $i); col[$i] = i }; next }
  {
    name = $1; gsub(/"/, "", name)
    split(name, part, "/"); sub("n:", "", part[2]); sub("txs:", "", part[3])
    rows[++count] = sprintf("| %3s | %6s | %12.2f | %12.0f | %10.0f | %14.0f |",
      part[2], part[3], $col["epochs/s"], $col["tx/s"], $col["msgs/epoch"], $col["bytes/epoch"])
  }
  END {
    print "| n   | txs    | epochs/s     | tx/s         | msgs/epoch | bytes/epoch    |"
    print "|-----|--------|--------------|--------------|------------|----------------|"
    for (i = 1; i <= count; i++) print rows[i]
  }'
