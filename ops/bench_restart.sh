#!/usr/bin/env bash
# Builds clearing-node, clearctl and restart_bench_db with the release preset
# (or in $BUILD_DIR when set, configured RelWithDebInfo) and prints how long
# one clearing node takes to restart on a database holding a day of
# 1,000,000 applied trades (QC_BENCH_TRADES) in 512 epochs (QC_BENCH_EPOCHS),
# with genesis's default checkpoint interval of 256 epochs: snapshots at
# epochs 255 and 511. The database is written by restart_bench_db as the
# node writes it (services/node/bench/restart_db.cc) for node 0 of a
# four-node genesis (ops/bench_restart/network.json; keys by clearctl keygen
# and deal, genesis by clearctl genesis); then the real clearing-node is
# started on it, four ways in turn, round after round, on the same database:
#   - from the newest snapshot (epoch 511), no epoch replayed, its bytes
#     mapped from the node's snapshot file (data_dir/snapshots);
#   - the same with the files set aside: its bytes read from PostgreSQL;
#   - from the older one (epoch 255, from its file) with the newest set
#     aside: one whole checkpoint interval replayed, the most a restart
#     replays when its newest snapshot is sound (or the fallback when it
#     is not);
#   - from genesis, every snapshot row and file set aside: every epoch
#     replayed (the baseline the ratios are taken against, pair by pair
#     within a round).
# A restart is timed from just before the process starts until /readyz
# answers with every check passing but "peers": a lone node never has the
# two peers readiness needs, and those checks (database, core live, not
# behind, no divergence) pass only once the ledger is restored and the core
# and both listeners run. "restored" is the node's own STARTING log line
# (written when restore_ledger returned), against the same start.
# Each node is stopped with SIGTERM (it drains for up to 5 s, which it
# cannot finish alone) and then, if need be, SIGKILL. The database, keys and
# logs live in a temporary folder and a database of their own, both removed
# at exit, whatever happened. QC_BENCH_RUNS rounds are counted (default 5)
# after one warm-up round. Needs PostgreSQL: QC_PG_URL, or the private one
# (ops/pg.sh), started and then stopped again if it was not running.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
TRADES=${QC_BENCH_TRADES:-1000000}
EPOCHS=${QC_BENCH_EPOCHS:-512}
RUNS=${QC_BENCH_RUNS:-5}
PORT_BASE=${QC_BENCH_PORT_BASE:-7700}
READY_TIMEOUT_S=${QC_BENCH_READY_TIMEOUT_S:-300}

if [ -n "${BUILD_DIR:-}" ]; then
  cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
else
  cmake --preset release >/dev/null
  BUILD_DIR=build/release
fi
cmake --build "$BUILD_DIR" --target clearing-node clearctl restart_bench_db >/dev/null
NODE_BIN=$BUILD_DIR/services/node/clearing-node
CLEARCTL=$BUILD_DIR/services/cli/clearctl
GENERATE=$BUILD_DIR/services/node/restart_bench_db

WORK=$(mktemp -d)
DB=qc_bench_restart_$$
NODE_PID=""
PG_STARTED=""
cleanup() {
  if [ -n "$NODE_PID" ]; then kill -KILL "$NODE_PID" 2>/dev/null || true; wait "$NODE_PID" 2>/dev/null || true; fi
  if [ -n "${ADMIN_URL:-}" ]; then
    PGOPTIONS="-c client_min_messages=warning" psql -q "$ADMIN_URL" -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" \
      >/dev/null 2>&1 || true
  fi
  rm -rf "$WORK"
  if [ -n "$PG_STARTED" ]; then "$ROOT/ops/pg.sh" stop >/dev/null || true; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ -z "${QC_PG_URL:-}" ]; then
  if ! psql -qAt "$("$ROOT/ops/pg.sh" url)" -c "SELECT 1" >/dev/null 2>&1; then
    "$ROOT/ops/pg.sh" start >/dev/null
    PG_STARTED=1
  fi
  QC_PG_URL=$("$ROOT/ops/pg.sh" url)
fi
ADMIN_URL=$QC_PG_URL
DB_URL=${QC_PG_URL%/*}/$DB
sql() { psql -qAt -v ON_ERROR_STOP=1 "$DB_URL" -c "$1"; }
psql -q -v ON_ERROR_STOP=1 "$ADMIN_URL" -c "CREATE DATABASE $DB" >/dev/null

# The network: every node's own keys, the dealer's coin, genesis; only node 0 runs.
for i in 0 1 2 3; do "$CLEARCTL" keygen --dir "$WORK/node-$i" --node-id "$i" >/dev/null; done
"$CLEARCTL" deal --nodes 4 --out "$WORK/dealer" >/dev/null
mv "$WORK/dealer/coin-share-0.key" "$WORK/node-0/coin-share.key"
"$CLEARCTL" genesis --network ops/bench_restart/network.json \
  --node "$WORK/node-0/node-0.public.json" --node "$WORK/node-1/node-1.public.json" \
  --node "$WORK/node-2/node-2.public.json" --node "$WORK/node-3/node-3.public.json" \
  --coin "$WORK/dealer/coin-public-shares.json" --out "$WORK/genesis.json" >/dev/null
echo "2026-12-01T09:00:00Z" >"$WORK/clock.txt"  # 10:00 in Frankfurt: no scheduled cut-off during the bench
OPS_PORT=$((PORT_BASE + 2))
cat >"$WORK/node-0/node.json" <<EOF
{"node_id": 0, "genesis": "../genesis.json", "database": "$DB_URL",
 "keys": {"tls_key": "tls.key", "tls_cert": "tls.crt", "signing_key": "signing.key", "coin_share": "coin-share.key"},
 "peer_listen": "127.0.0.1:$PORT_BASE",
 "peers": [{"node_id": 1, "address": "127.0.0.1:$((PORT_BASE + 10))"}, {"node_id": 2, "address": "127.0.0.1:$((PORT_BASE + 20))"},
           {"node_id": 3, "address": "127.0.0.1:$((PORT_BASE + 30))"}],
 "api_listen": "127.0.0.1:$((PORT_BASE + 1))", "api_tls": true, "ops_listen": "127.0.0.1:$OPS_PORT",
 "data_dir": "data", "log_level": "info", "clock": {"source": "file", "path": "../clock.txt"}}
EOF

echo "bench_restart.sh: writing $TRADES trades in $EPOCHS epochs into database $DB" >&2
GEN=$("$GENERATE" --genesis "$WORK/genesis.json" --database "$DB_URL" --data-dir "$WORK/node-0/data" \
  --node-id 0 --trades "$TRADES" --epochs "$EPOCHS")
field() { echo "$GEN" | tr ' ' '\n' | sed -n "s/^$1=//p"; }
# A settled database, as after a day's run, not one autovacuum is still busy with.
psql -q "$DB_URL" -c "VACUUM ANALYZE" -c "CHECKPOINT" >/dev/null
SNAPSHOTS=$(sql "SELECT string_agg(epoch || ':' || byte_count, ' ' ORDER BY epoch) FROM ledger_snapshots")
NEWEST=$(sql "SELECT max(epoch) FROM ledger_snapshots")
sql "CREATE TABLE bench_set_aside (LIKE ledger_snapshots); CREATE TABLE bench_set_aside_chunks (LIKE ledger_snapshot_chunks)"

# Snapshot rows are moved aside and back (epoch ascending: the chunks
# reference their snapshot), so every mode runs on this one database.
set_aside() {  # $1: a condition on epoch
  sql "BEGIN; INSERT INTO bench_set_aside SELECT * FROM ledger_snapshots WHERE $1;
       INSERT INTO bench_set_aside_chunks SELECT * FROM ledger_snapshot_chunks WHERE $1;
       DELETE FROM ledger_snapshots WHERE $1; COMMIT;"
}
put_back() {
  sql "BEGIN; INSERT INTO ledger_snapshots SELECT * FROM bench_set_aside;
       INSERT INTO ledger_snapshot_chunks SELECT * FROM bench_set_aside_chunks;
       TRUNCATE bench_set_aside, bench_set_aside_chunks; COMMIT;"
  mv "$WORK"/files-aside/* "$FILES"/ 2>/dev/null || true
}
# The node's snapshot files (services/node/snapshot_files.h) are moved
# aside the same way: $1 a glob under data/snapshots.
FILES=$WORK/node-0/data/snapshots
mkdir -p "$WORK/files-aside"
files_aside() { mv "$FILES"/$1 "$WORK/files-aside"/; }

ms_now() { date +%s%3N; }
log_ms() { date -d "$1" +%s%3N; }  # the log's ISO-8601 UTC time, to ms since 1970
# Every /readyz check but "peers" passes.
ready_but_peers() {
  case "$1" in *'"checks"'*) ;; *) return 1 ;; esac
  ! echo "$1" | grep -o '"name":"[a-z_]*","ok":false' | grep -vq '"name":"peers"'
}

# One restart: sets R_TOTAL and R_RESTORED (ms), R_FROM (snapshot epoch or -)
# and R_REPLAYED (epochs).
restart() {
  local log=$WORK/node-0/run-$1.log start body="" now
  start=$(ms_now)
  (cd "$WORK/node-0" && exec "$ROOT/$NODE_BIN" --config node.json >"$log" 2>&1) &
  NODE_PID=$!
  while :; do
    body=$(curl -s --max-time 2 "http://127.0.0.1:$OPS_PORT/readyz" || true)
    ready_but_peers "$body" && break
    if ! kill -0 "$NODE_PID" 2>/dev/null; then
      echo "bench_restart.sh: the node exited:" >&2; tail -5 "$log" >&2; exit 1
    fi
    if [ $(($(ms_now) - start)) -gt $((READY_TIMEOUT_S * 1000)) ]; then
      echo "bench_restart.sh: not ready after ${READY_TIMEOUT_S} s: $body" >&2; exit 1
    fi
    sleep 0.01
  done
  now=$(ms_now)
  kill -TERM "$NODE_PID"
  for _ in $(seq 1 100); do kill -0 "$NODE_PID" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$NODE_PID" 2>/dev/null || true
  wait "$NODE_PID" 2>/dev/null || true
  NODE_PID=""
  local line
  line=$(grep -m1 'event=STARTING' "$log" || true)
  if [ -z "$line" ]; then echo "bench_restart.sh: no STARTING line in $log" >&2; exit 1; fi
  R_TOTAL=$((now - start))
  R_RESTORED=$(($(log_ms "${line%% *}") - start))
  R_FROM=$(echo "$line" | sed 's/.* snapshot=\([^ ]*\).*/\1/')
  R_REPLAYED=$(echo "$line" | sed 's/.* replayed=\([0-9]*\).*/\1/')
  R_READ_FROM=$(echo "$line" | sed 's/.* snapshot_read_from=\([^ ]*\).*/\1/')
}

median() { tr ' ' '\n' | grep . | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
range() { tr ' ' '\n' | grep . | sort -g | awk 'NR == 1 { lo = $1 } { hi = $1 } END { print lo "-" hi }'; }

MODES="newest newest_db older genesis"
declare -A TOTAL RESTORED RATIO FROM READ_FROM REPLAYED LAST
for round in $(seq 0 "$RUNS"); do
  for mode in $MODES; do
    case $mode in
      newest) put_back ;;
      newest_db) files_aside '*' ;;
      older) put_back; set_aside "epoch = $NEWEST"; files_aside "$(printf '%020d' "$NEWEST").qcsnap" ;;
      genesis) set_aside "true"; files_aside '*' ;;
    esac
    restart "$round-$mode"
    echo "bench_restart.sh: round $round $mode: ready $R_TOTAL ms, restored $R_RESTORED ms" \
      "(snapshot $R_FROM read from $R_READ_FROM, $R_REPLAYED epochs replayed)" >&2
    [ "$round" = 0 ] && continue  # warm-up
    TOTAL[$mode]+="$R_TOTAL "
    RESTORED[$mode]+="$R_RESTORED "
    FROM[$mode]=$R_FROM
    READ_FROM[$mode]=$R_READ_FROM
    REPLAYED[$mode]=$R_REPLAYED
    LAST[$mode]=$R_TOTAL
  done
  if [ "$round" != 0 ]; then
    for mode in $MODES; do
      RATIO[$mode]+="$(awk -v a="${LAST[$mode]}" -v b="${LAST[genesis]}" 'BEGIN { printf "%.3f", a / b }') "
    done
  fi
done
put_back

CPU=$(lscpu | sed -n 's/^Model name: *//p' | head -1)
echo
echo "restart of one node: $(field trades) trades ($(field reports) reports) in $(field epochs) epochs, checkpoint every $(field checkpoint_interval), snapshots (epoch:bytes) $SNAPSHOTS; database $(sql "SELECT pg_size_pretty(pg_database_size(current_database()))"), written in $(field seconds) s"
echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $CPU ($(nproc) CPUs), $RUNS rounds after a warm-up; medians, min-max in brackets"
echo
echo "| restart from | epochs replayed | start to ledger restored, ms | start to ready but peers, ms | ratio to genesis replay (pairwise median) |"
echo "|---|---|---|---|---|"
for mode in $MODES; do
  case $mode in
    newest) what="the newest snapshot (epoch ${FROM[$mode]}), read from: ${READ_FROM[$mode]}" ;;
    newest_db) what="the newest snapshot (epoch ${FROM[$mode]}), files set aside, read from: ${READ_FROM[$mode]}" ;;
    older) what="the older snapshot (epoch ${FROM[$mode]}, read from: ${READ_FROM[$mode]}), newest set aside" ;;
    genesis) what="genesis, snapshots set aside (baseline)" ;;
  esac
  printf '| %s | %s | %s (%s) | %s (%s) | %s (%s) |\n' "$what" "${REPLAYED[$mode]}" \
    "$(echo "${RESTORED[$mode]}" | median)" "$(echo "${RESTORED[$mode]}" | range)" \
    "$(echo "${TOTAL[$mode]}" | median)" "$(echo "${TOTAL[$mode]}" | range)" \
    "$(echo "${RATIO[$mode]}" | median)" "$(echo "${RATIO[$mode]}" | range)"
done
