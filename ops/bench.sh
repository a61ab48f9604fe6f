#!/usr/bin/env bash
# End-to-end performance of a four-node network on this machine, against a
# central database and against what this box's PostgreSQL can write at all.
#   ops/bench.sh            the full run (about 5 minutes after the build)
#   ops/bench.sh --quick    shorter phases, for development (under 2 minutes)
#   ops/bench.sh --soak N   the cluster flat out for N seconds, resident
#                           memory of every node sampled every 10 s
# One run, in order:
#  1. the quickstart's four nodes and their private PostgreSQL (4 databases,
#     fsync and synchronous_commit as PostgreSQL ships them: durable), with
#     ops/bench/network.json (limits no run can reach), driven by clearctl
#     loadgen: flat out (saturation), at 1,000 trades/s, at half the
#     saturation rate; then the mix without BANK_C (node 2's member) flat out,
#     all four nodes up and then with node 2 stopped;
#  2. the centralized baseline: the saturation run's trades rows, as node 0
#     wrote them, COPY'd by one process into one database with the product's
#     whole schema, in batches of 5,000 rows, one durable commit each;
#  3. the physical limit: four concurrent COPY streams, one per database, of
#     the rows each node wrote per epoch of the saturation run, one durable
#     commit per epoch, into tables with only their primary keys;
#  4. ratios, peak RSS per node, CPU per confirmed trade, a verdict table and
#     the same as a markdown table for README.md.
# Both references are built from the rows the nodes actually wrote
# (ops/bench/write_path.py) and run after the nodes are stopped, so nothing
# else competes for the two cores. Everything lives under build/bench
# (QC_BENCH_DIR), ports from 7500 (QC_BENCH_PORT_BASE); every process it
# started is stopped at exit, whatever happened. QC_BENCH_BIN_DIR=DIR uses
# clearing-node and clearctl from DIR instead of building the release preset.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
QS=${QC_BENCH_DIR:-$ROOT/build/bench}
PORT_BASE=${QC_BENCH_PORT_BASE:-7500}
MEMBERS=(BANK_A BANK_B BANK_C VENUE)
RSS_BOUND_MIB=1024

MODE=full SAT_S=60 LAT_S=30 DOWN_S=30
case "${1:-}" in
  "") ;;
  --quick) MODE=quick SAT_S=15 LAT_S=8 DOWN_S=8 ;;
  --soak)
    [[ "${2:-}" =~ ^[0-9]+$ ]] && [ "$2" -ge 30 ] && [ "$2" -le 3600 ] ||
      { echo "usage: ops/bench.sh --soak SECONDS (30..3600)" >&2; exit 2; }
    MODE=soak SAT_S=$2 ;;
  *) echo "usage: ops/bench.sh [--quick | --soak SECONDS]" >&2; exit 2 ;;
esac

export QC_QUICKSTART_DIR=$QS QC_QUICKSTART_PORT_BASE=$PORT_BASE QC_QUICKSTART_START_ONLY=1
export QC_QUICKSTART_NETWORK=$ROOT/ops/bench/network.json QC_PG_DIR=$QS/pg
SAMPLER=""
cleanup() {
  if [ -n "$SAMPLER" ]; then kill "$SAMPLER" 2>/dev/null || true; fi
  "$ROOT/ops/quickstart.sh" stop >/dev/null 2>&1 || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say() { printf '\n== %s\n' "$*"; }

# The quickstart installs and builds the release preset unless given a
# binary folder; the bound is on the measurement, not on the build.
BIN=$ROOT/build/release
if [ -n "${QC_BENCH_BIN_DIR:-}" ]; then BIN=$QC_BENCH_BIN_DIR; export QC_QUICKSTART_BIN_DIR=$BIN; fi

say "four nodes, four databases"
mkdir -p "$QS"
"$ROOT/ops/quickstart.sh" >"$QS/quickstart.log" 2>&1 || { tail -30 "$QS/quickstart.log"; echo "bench: the cluster did not start" >&2; exit 1; }
grep -E '^(node [0-9] ready|quickstart: four)' "$QS/quickstart.log"
CLEARCTL=$(find "$(realpath "$BIN")" -name clearctl -type f -perm -u+x | head -1)
START=$(date +%s)
PG_URL=$("$ROOT/ops/pg.sh" url)
PG_ROOT=${PG_URL%/*}
echo "PostgreSQL: $(psql -qAtX "$PG_URL" -c "SELECT string_agg(n || '=' || current_setting(n), ', ' ORDER BY o) FROM
  unnest(ARRAY['fsync', 'synchronous_commit', 'wal_sync_method', 'shared_buffers', 'max_wal_size']) WITH ORDINALITY AS s(n, o)")"
checkpoints() { psql -qAtX "$PG_URL" -c 'SELECT checkpoints_timed + checkpoints_req FROM pg_stat_bgwriter'; }
node_pid() { cat "$QS/node-$1/pid"; }
node_args=()
for i in 0 1 2 3; do node_args+=(--node "https://127.0.0.1:$((PORT_BASE + 10 * i + 1))"); done

cpu_busy() {  # jiffies the whole machine spent not idle
  awk '/^cpu /{print $2 + $3 + $4 + $7 + $8 + $9}' /proc/stat
}
proc_cpu() {  # jiffies (user + system) of one process
  awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0
}
nodes_cpu() { local s=0; for i in 0 1 2 3; do [ -f "$QS/node-$i/pid" ] && s=$((s + $(proc_cpu "$(node_pid "$i")"))); done; echo $s; }

# run_load NAME LOADGEN-ARGS...: sets NAME_rate NAME_n NAME_p50 NAME_p90
# NAME_p99 NAME_max NAME_ok NAME_cpu_us NAME_node_cpu_us from its output.
run_load() {
  local name=$1; shift
  local log=$QS/load-$name.log
  local busy0 node0 busy1 node1
  busy0=$(cpu_busy); node0=$(nodes_cpu)
  "$CLEARCTL" loadgen --genesis "$QS/genesis.json" --tokens "$QS/tokens" --cacert "$QS/nodes-ca.pem" \
    "${node_args[@]}" --seed "$RANDOM" "$@" >"$log" 2>&1 || true
  busy1=$(cpu_busy); node1=$(nodes_cpu)
  sed 's/^/   /' "$log"
  local line lat
  line=$(grep '^confirmed ' "$log" || echo "confirmed 0 trades on every node in 1 s: 0 trades/s")
  lat=$(grep '^confirmation latency' "$log" || echo "p50 0  p90 0  p99 0  max 0")
  printf -v "${name}_n" '%s' "$(sed -E 's/^confirmed ([0-9]+) .*/\1/' <<<"$line")"
  printf -v "${name}_rate" '%s' "$(sed -E 's/.*: ([0-9.]+) trades\/s.*/\1/' <<<"$line")"
  for q in p50 p90 p99 max; do
    printf -v "${name}_$q" '%s' "$(sed -E "s/.* $q ([0-9.]+).*/\1/" <<<"$lat")"
  done
  if grep -q '^exactly once: .*-> OK$' "$log"; then printf -v "${name}_ok" OK; else printf -v "${name}_ok" FAILED; fi
  local n=${name}_n tck
  tck=$(getconf CLK_TCK)
  printf -v "${name}_cpu_us" '%s' "$(awk -v b=$((busy1 - busy0)) -v t="$tck" -v n="${!n}" 'BEGIN{printf "%.0f", (n > 0 ? b / t * 1e6 / n : 0)}')"
  printf -v "${name}_node_cpu_us" '%s' "$(awk -v b=$((node1 - node0)) -v t="$tck" -v n="${!n}" 'BEGIN{printf "%.0f", (n > 0 ? b / t * 1e6 / n : 0)}')"
}

rss_sample() {  # every 10 s: seconds since start, then VmRSS (KiB) of each node
  local t0
  t0=$(date +%s)
  while sleep 10; do
    local line="$(($(date +%s) - t0))"
    for i in 0 1 2 3; do line+=" $(awk '/^VmRSS/{print $2}' "/proc/$(node_pid "$i")/status" 2>/dev/null || echo 0)"; done
    echo "$line"
  done
}

say "saturation: flat out for $SAT_S s"
if [ "$MODE" = soak ]; then
  rss_sample >"$QS/rss.txt" &
  SAMPLER=$!
fi
CHECKPOINTS0=$(checkpoints)
run_load sat --duration "$SAT_S" --rate 0 --drain-timeout 300
echo "   PostgreSQL checkpoints during the phase: $(( $(checkpoints) - CHECKPOINTS0 ))"
if [ -n "$SAMPLER" ]; then kill "$SAMPLER" 2>/dev/null || true; SAMPLER=""; fi
grep '^loadgen: ' "$QS/load-sat.log" | sed -E 's/.*; mix: ([^;]*);.*/mix: \1/' >"$QS/mix.txt" || true

hwm() { awk '/^VmHWM/{printf "%.0f", $2 / 1024}' "/proc/$(node_pid "$1")/status" 2>/dev/null || echo 0; }

if [ "$MODE" = soak ]; then
  say "resident memory per node (MiB), every 10 s"
  awk '{printf "%5d s", $1; for (i = 2; i <= NF; i++) printf "  node %d %6.0f", i - 2, $i / 1024; print ""}' "$QS/rss.txt"
  # Flat: from a quarter of the run to its end, no node grew by more than 10%.
  flat=$(awk -v q=$((SAT_S / 4)) 'NR == 1 || $1 <= q {for (i = 2; i <= NF; i++) a[i] = $i} {for (i = 2; i <= NF; i++) z[i] = $i}
    END {ok = "yes"; for (i in a) if (z[i] > a[i] * 1.10) ok = "no"; print ok}' "$QS/rss.txt")
  peak=0
  for i in 0 1 2 3; do h=$(hwm "$i"); echo "node $i peak RSS (VmHWM): $h MiB"; [ "$h" -gt "$peak" ] && peak=$h; done
  say "verdict (soak, $SAT_S s flat out)"
  printf '%-44s %-22s %s\n' "confirmed trades/s, exactly once" "$sat_rate, $sat_ok" ""
  printf '%-44s %-22s %s\n' "peak RSS per node (bound $RSS_BOUND_MIB MiB)" "$peak MiB" "$(mark "$peak" "<=" "$RSS_BOUND_MIB")"
  printf '%-44s %-22s %s\n' "RSS flat (<= +10% from $((SAT_S / 4)) s to the end)" "$flat" "$([ "$flat" = yes ] && echo PASS || echo MISS)"
  echo "bench: done in $(($(date +%s) - START)) s"
  exit 0
fi

say "the rows the nodes wrote (for the two references)"
sat_last_epoch=$(psql -qAtX "$PG_ROOT/qc_quickstart_0" -c "SELECT coalesce(max(epoch), -1) FROM trades")
for i in 0 1 2 3; do
  psql -qX "$PG_URL" -c "DROP DATABASE IF EXISTS qc_bench_limit_$i WITH (FORCE)" -c "CREATE DATABASE qc_bench_limit_$i" 2>/dev/null
  members=${MEMBERS[$i]}
  python3 "$ROOT/ops/bench/write_path.py" limit --source "$PG_ROOT/qc_quickstart_$i" --target "$PG_ROOT/qc_bench_limit_$i" \
    --members "$members" --last-epoch "$sat_last_epoch" --out "$QS/limit-$i.sql" >"$QS/limit-$i.json"
done
psql -qX "$PG_URL" -c "DROP DATABASE IF EXISTS qc_bench_central WITH (FORCE)" -c "CREATE DATABASE qc_bench_central" 2>/dev/null
python3 "$ROOT/ops/bench/write_path.py" baseline --source "$PG_ROOT/qc_quickstart_0" --target "$PG_ROOT/qc_bench_central" \
  --last-epoch "$sat_last_epoch" --batch-rows 5000 --out "$QS/central.sql" >"$QS/central.json"
json() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2], {}, d))" "$@"; }
ref_trades=$(json "$QS/limit-0.json" trades)
echo "confirmed trades in the saturation run's rows: $ref_trades, in $(json "$QS/limit-0.json" epochs) epochs (node 0)"
echo "rows each node writes (node: per trade, inserted):"
for i in 0 1 2 3; do
  python3 - "$QS/limit-$i.json" "$i" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1])); t = max(d["trades"], 1); e = max(d["epochs"], 1)
r = d["rows"]
print(f"  node {sys.argv[2]}: " + ", ".join(f"{k} {v / t:.3f}" for k, v in r.items())
      + f"; {sum(r.values()) / t:.2f} rows per trade; per epoch: " + ", ".join(f"{k} {v / e:.1f}" for k, v in r.items()))
EOF
done
echo "  not in the stream: UPDATE trades (a bilateral report confirmed by its counterparty's), DELETE received_reports"
echo "  (answered), epoch_signatures rows, node_state and node_entered_epoch updates, the per-epoch SELECTs"

say "latency at 1,000 trades/s for $LAT_S s"
run_load k1 --duration "$LAT_S" --rate 1000
half=$(awk -v r="$sat_rate" 'BEGIN{printf "%.0f", r / 2 < 1 ? 1 : r / 2}')
say "latency at half the saturation rate ($half trades/s) for $LAT_S s"
run_load half --duration "$LAT_S" --rate "$half"

say "without BANK_C: all four nodes up, flat out for $DOWN_S s"
run_load up3 --duration "$DOWN_S" --rate 0 --exclude-node 2
say "without BANK_C: node 2 stopped, flat out for $DOWN_S s"
kill -TERM "$(node_pid 2)"
for _ in $(seq 1 100); do kill -0 "$(node_pid 2)" 2>/dev/null || break; sleep 0.1; done
run_load down --duration "$DOWN_S" --rate 0 --exclude-node 2

peak=0
for i in 0 1 3; do h=$(hwm "$i"); [ "$h" -gt "$peak" ] && peak=$h; done
hwms="$(hwm 0), $(hwm 1), (stopped), $(hwm 3)"
"$ROOT/ops/quickstart.sh" stop >/dev/null 2>&1 || true
"$ROOT/ops/pg.sh" start >/dev/null

say "physical limit: four concurrent COPY streams, one per database, PK-only tables"
t0=$(date +%s.%N)
pids=()
for i in 0 1 2 3; do psql -qX -v ON_ERROR_STOP=1 -f "$QS/limit-$i.sql" "$PG_ROOT/qc_bench_limit_$i" >/dev/null & pids+=($!); done
for p in "${pids[@]}"; do wait "$p"; done
limit_s=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.2f", b - a}')
limit_rate=$(awk -v n="$ref_trades" -v s="$limit_s" 'BEGIN{printf "%.0f", n / s}')
echo "$ref_trades trades' rows on 4 databases in $limit_s s: $limit_rate trades/s"

say "centralized baseline: one process, one database, the product schema"
t0=$(date +%s.%N)
psql -qX -v ON_ERROR_STOP=1 -f "$QS/central.sql" "$PG_ROOT/qc_bench_central" >/dev/null
central_s=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.2f", b - a}')
central_rate=$(awk -v n="$ref_trades" -v s="$central_s" 'BEGIN{printf "%.0f", n / s}')
echo "$ref_trades trades ($(json "$QS/central.json" "rows['trades']") trades rows) in $central_s s: $central_rate trades/s"
for i in 0 1 2 3; do psql -qX "$PG_URL" -c "DROP DATABASE IF EXISTS qc_bench_limit_$i WITH (FORCE)" 2>/dev/null; done
psql -qX "$PG_URL" -c "DROP DATABASE IF EXISTS qc_bench_central WITH (FORCE)" 2>/dev/null

# (In awk's printf a bare ">" redirects to a file: the parentheses matter.)
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.2f", (b > 0 ? a / b : 0)}'; }
mark() {  # VALUE OP BOUND -> PASS or MISS
  awk -v a="$1" -v op="$2" -v b="$3" 'BEGIN{a += 0; b += 0; ok = op == ">=" ? a >= b : op == "<" ? a < b : a <= b
    print (ok ? "PASS" : "MISS")}'
}
cpu_model=$(awk -F': ' '/^model name/{print $2; exit}' /proc/cpuinfo)
to_limit=$(ratio "$sat_rate" "$limit_rate")
rows=(
  "confirmed trades/s flat out ${SAT_S} s, exactly once|$sat_rate ($sat_ok)|>= 25,000 (aim 50,000)|$([ "$sat_ok" = OK ] && mark "$sat_rate" ">=" 25000 || echo MISS)"
  "cluster / physical limit ($limit_rate trades/s)|$to_limit|>= 0.5 (aim 0.8)|$(mark "$to_limit" ">=" 0.5)"
  "cluster / central baseline ($central_rate trades/s)|$(ratio "$sat_rate" "$central_rate")|reported|"
  "p50 latency at 1,000 trades/s ($k1_rate confirmed/s)|$k1_p50 ms ($k1_ok)|< 20 ms|$(mark "$k1_p50" "<" 20)"
  "p99 latency at 50% of saturation ($half/s)|$half_p99 ms ($half_ok)|< 500 ms|$(mark "$half_p99" "<" 500)"
  "without BANK_C, node 2 down / all up: trades/s|$down_rate / $up3_rate = $(ratio "$down_rate" "$up3_rate")|reported|"
  "without BANK_C, node 2 down / all up: p50|$down_p50 / $up3_p50 ms|reported|"
  "peak RSS per node (nodes 0..3)|$hwms MiB|<= $RSS_BOUND_MIB MiB|$(mark "$peak" "<=" "$RSS_BOUND_MIB")"
  "CPU per confirmed trade flat out (machine / nodes)|$sat_cpu_us / $sat_node_cpu_us us|reported|"
)
say "verdict"
echo "machine: $cpu_model, $(nproc) cores, 4 nodes and 4 PostgreSQL databases sharing them; $(cat "$QS/mix.txt" 2>/dev/null)"
for r in "${rows[@]}"; do IFS='|' read -r what got target verdict <<<"$r"; printf '%-54s %-28s %-24s %s\n' "$what" "$got" "$target" "$verdict"; done
say "for README.md"
echo "\`ops/bench.sh$([ "$MODE" = quick ] && echo ' --quick')\`, $(date -u +%Y-%m-%d), $cpu_model, $(nproc) cores (4 nodes and 4 PostgreSQL databases sharing them), $(cat "$QS/mix.txt" 2>/dev/null):"
echo
echo "| measure | result | target | |"
echo "|---|---|---|---|"
for r in "${rows[@]}"; do IFS='|' read -r what got target verdict <<<"$r"; echo "| $what | $got | $target | $verdict |"; done
echo
echo "bench: done in $(($(date +%s) - START)) s"
if [ "$sat_ok$k1_ok$half_ok$up3_ok$down_ok" != OKOKOKOKOK ]; then
  echo "bench: an acknowledged trade was not decided exactly once on every node (see above)" >&2
  exit 1
fi
