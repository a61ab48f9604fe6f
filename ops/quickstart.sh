#!/usr/bin/env bash
# The main job: a four-node quorumclear network on this machine, end to end.
#   ops/quickstart.sh         install, build (release), start PostgreSQL and 4 nodes,
#                             clear a sample day, run the cut-off, print the result
#   ops/quickstart.sh --prometheus
#                             the same, and a real Prometheus (Debian's package)
#                             scraping the four nodes with ops/prometheus's rules
#   ops/quickstart.sh stop    stop every process it started
# For convenience it runs every party's steps on one machine: each node's
# keygen, the coin dealer, genesis, tokens. In a real network each
# institution runs keygen on its own host and sends only its public file;
# README.md, "Beyond one machine", gives those steps.
#
# Everything lives under build/quickstart (QC_QUICKSTART_DIR): keys, genesis,
# configs, tokens (0600), logs, its own PostgreSQL and the settlement report
# files. Ports: QC_QUICKSTART_PORT_BASE (7400) + 10 * node + {0 peer, 1 API,
# 2 ops}. QC_QUICKSTART_BIN_DIR=DIR uses clearing-node and clearctl from DIR
# and skips the install and the build (the test suite does that).
# ops/bench.sh sets QC_QUICKSTART_NETWORK=FILE (the network.json to start
# with) and QC_QUICKSTART_START_ONLY=1 (stop once the four nodes are ready,
# leaving them running, before the sample day).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
QS=${QC_QUICKSTART_DIR:-$ROOT/build/quickstart}
PORT_BASE=${QC_QUICKSTART_PORT_BASE:-7400}
NODES=4
MEMBERS=(BANK_A BANK_B BANK_C VENUE)  # the member each node runs, by node id
export QC_PG_DIR=$QS/pg

say() { printf '\n== %s\n' "$*"; }
port() { echo $((PORT_BASE + 10 * $1 + $2)); }
api_url() { echo "https://127.0.0.1:$(port "$1" 1)"; }

stop_all() {
  local stopped=0
  for pidfile in "$QS"/node-*/pid "$QS"/prometheus/pid; do
    [ -f "$pidfile" ] || continue
    local pid
    pid=$(cat "$pidfile")
    if kill -0 "$pid" 2>/dev/null; then
      kill -TERM "$pid" 2>/dev/null || true  # the node drains, then exits
      for _ in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
      kill -KILL "$pid" 2>/dev/null || true
      stopped=$((stopped + 1))
    fi
    rm -f "$pidfile"
  done
  if [ -d "$QC_PG_DIR" ]; then "$ROOT/ops/pg.sh" stop >/dev/null || true; fi
  echo "quickstart: stopped $stopped node(s) and its PostgreSQL"
}

PROMETHEUS=0
if [ "${1:-}" = "stop" ]; then
  stop_all
  exit 0
elif [ "${1:-}" = "--prometheus" ] && [ $# -eq 1 ]; then
  PROMETHEUS=1
elif [ $# -gt 0 ]; then
  echo "usage: ops/quickstart.sh [--prometheus | stop]" >&2
  exit 2
fi

START=$(date +%s)
echo "quickstart: one machine plays all four institutions, the coin dealer and the operator (for convenience only)"
if [ -n "$(ls "$QS"/node-*/pid 2>/dev/null)" ]; then
  echo "quickstart: a previous run is still up; stopping it first"
  stop_all
fi

if [ -n "${QC_QUICKSTART_BIN_DIR:-}" ]; then
  BIN=$QC_QUICKSTART_BIN_DIR
else
  say "install and build (release)"
  "$ROOT/ops/bootstrap.sh"
  cmake --preset release >/dev/null
  cmake --build --preset release -j "$(nproc)" --target clearing-node clearctl
  BIN=$ROOT/build/release
fi
NODE_BIN=$(find "$(realpath "$BIN")" -name clearing-node -type f -perm -u+x | head -1)
CLEARCTL=$(find "$(realpath "$BIN")" -name clearctl -type f -perm -u+x | head -1)
if [ ! -x "$NODE_BIN" ] || [ ! -x "$CLEARCTL" ]; then
  echo "quickstart: no clearing-node and clearctl under $BIN" >&2
  exit 1
fi

say "PostgreSQL: a private instance under $QC_PG_DIR, one database per node"
rm -rf "$QS"/node-* "$QS"/dealer "$QS"/tokens "$QS"/day "$QS"/reports "$QS"/genesis.json "$QS"/network.json
mkdir -p "$QS"/tokens "$QS"/day "$QS"/reports
"$ROOT/ops/pg.sh" start
PG_URL=$("$ROOT/ops/pg.sh" url)
for i in $(seq 0 $((NODES - 1))); do
  PGOPTIONS="-c client_min_messages=warning" psql -q -v ON_ERROR_STOP=1 "$PG_URL" -c "DROP DATABASE IF EXISTS qc_quickstart_$i WITH (FORCE)" -c "CREATE DATABASE qc_quickstart_$i"
done

say "keys: each node's own (TLS and Ed25519), then the coin dealer"
for i in $(seq 0 $((NODES - 1))); do
  "$CLEARCTL" keygen --dir "$QS/node-$i" --node-id "$i" >/dev/null
done
"$CLEARCTL" deal --nodes "$NODES" --out "$QS/dealer" >/dev/null
for i in $(seq 0 $((NODES - 1))); do mv "$QS/dealer/coin-share-$i.key" "$QS/node-$i/coin-share.key"; done

say "genesis from public material only"
cp "${QC_QUICKSTART_NETWORK:-$ROOT/ops/quickstart/network.json}" "$QS/network.json"
node_args=()
for i in $(seq 0 $((NODES - 1))); do node_args+=(--node "$QS/node-$i/node-$i.public.json"); done
"$CLEARCTL" genesis --network "$QS/network.json" "${node_args[@]}" --coin "$QS/dealer/coin-public-shares.json" \
  --out "$QS/genesis.json"
# The business clock reads this file: 10:00 in Frankfurt on the sample day,
# so every run clears the same day and the scheduled 17:30 cut-off never
# races the demo. A production node.json says "clock": {"source": "system"}.
echo "2026-12-01T09:00:00Z" >"$QS/clock.txt"

for i in $(seq 0 $((NODES - 1))); do
  peers=""
  for j in $(seq 0 $((NODES - 1))); do
    [ "$i" = "$j" ] && continue
    peers+="${peers:+, }{\"node_id\": $j, \"address\": \"127.0.0.1:$(port "$j" 0)\"}"
  done
  cat >"$QS/node-$i/node.json" <<EOF
{"node_id": $i, "genesis": "../genesis.json",
 "database": "${PG_URL%/*}/qc_quickstart_$i",
 "keys": {"tls_key": "tls.key", "tls_cert": "tls.crt", "signing_key": "signing.key", "coin_share": "coin-share.key"},
 "peer_listen": "127.0.0.1:$(port "$i" 0)", "peers": [$peers],
 "api_listen": "127.0.0.1:$(port "$i" 1)", "api_tls": true, "ops_listen": "127.0.0.1:$(port "$i" 2)",
 "data_dir": "data", "log_level": "info",
 "clock": {"source": "file", "path": "../clock.txt"},
 "tuning": {"idle_heartbeat_ms": 200}}
EOF
done

say "tokens: each member's at its own node; the operator's and regulator's at every node"
for i in $(seq 0 $((NODES - 1))); do
  "$CLEARCTL" token create --config "$QS/node-$i/node.json" --member "${MEMBERS[$i]}" \
    --out "$QS/tokens/${MEMBERS[$i]}.token" >/dev/null
done
for m in OPS REG; do
  "$CLEARCTL" token create --config "$QS/node-0/node.json" --member "$m" --out "$QS/tokens/$m.token" >/dev/null
  for i in $(seq 1 $((NODES - 1))); do
    "$CLEARCTL" token register --config "$QS/node-$i/node.json" --member "$m" --token-file "$QS/tokens/$m.token" >/dev/null
  done
done
cat "$QS"/node-*/tls.crt >"$QS/nodes-ca.pem"

say "start the four nodes"
for i in $(seq 0 $((NODES - 1))); do
  (cd "$QS/node-$i" && exec setsid "$NODE_BIN" --config node.json >node.log 2>&1) &
  echo $! >"$QS/node-$i/pid"
done
for i in $(seq 0 $((NODES - 1))); do
  for _ in $(seq 1 300); do
    curl -sf "http://127.0.0.1:$(port "$i" 2)/readyz" >/dev/null && break
    kill -0 "$(cat "$QS/node-$i/pid")" 2>/dev/null || { echo "node $i died:"; tail -20 "$QS/node-$i/node.log"; exit 1; }
    sleep 0.2
  done
  curl -sf "http://127.0.0.1:$(port "$i" 2)/readyz" >/dev/null || { echo "node $i never ready"; exit 1; }
  echo "node $i ready: API $(api_url "$i")  ops http://127.0.0.1:$(port "$i" 2)"
done

if [ -n "${QC_QUICKSTART_START_ONLY:-}" ]; then
  echo "quickstart: four nodes up in $(($(date +%s) - START)) s (start only)"
  exit 0
fi

PROM_URL=http://127.0.0.1:$((PORT_BASE + 90))
if [ "$PROMETHEUS" = 1 ]; then
  say "Prometheus: scraping the four nodes' /metrics with ops/prometheus/alerts.yml"
  command -v prometheus >/dev/null || { echo "quickstart: no prometheus binary (ops/bootstrap.sh installs it)" >&2; exit 1; }
  mkdir -p "$QS/prometheus"
  # The repo's config names the default ports; this run's follow PORT_BASE.
  sed -e "s|- alerts.yml|- $ROOT/ops/prometheus/alerts.yml|" \
    -e "s|127.0.0.1:7402|127.0.0.1:$(port 0 2)|; s|127.0.0.1:7412|127.0.0.1:$(port 1 2)|" \
    -e "s|127.0.0.1:7422|127.0.0.1:$(port 2 2)|; s|127.0.0.1:7432|127.0.0.1:$(port 3 2)|" \
    "$ROOT/ops/prometheus/prometheus.yml" >"$QS/prometheus/prometheus.yml"
  (exec setsid prometheus --config.file="$QS/prometheus/prometheus.yml" --storage.tsdb.path="$QS/prometheus/data" \
    --web.listen-address="${PROM_URL#http://}" >"$QS/prometheus/prometheus.log" 2>&1) &
  echo $! >"$QS/prometheus/pid"
  for _ in $(seq 1 150); do curl -sf "$PROM_URL/-/ready" >/dev/null && break; sleep 0.2; done
  curl -sf "$PROM_URL/-/ready" >/dev/null || { echo "Prometheus never ready:"; tail -20 "$QS/prometheus/prometheus.log"; exit 1; }
  echo "Prometheus ready: $PROM_URL (alerts: $PROM_URL/alerts)"
fi

say "submit the sample day, each member at its own node"
"$ROOT/ops/quickstart/sample_day.sh" "$QS/day"
client() { echo --node "$(api_url "$1")" --cacert "$QS/nodes-ca.pem" --token-file "$QS/tokens/$2.token"; }
for i in $(seq 0 $((NODES - 1))); do
  m=${MEMBERS[$i]}
  echo "-- $m at node $i"
  # shellcheck disable=SC2046
  "$CLEARCTL" submit $(client "$i" "$m") --file "$QS/day/$m.csv" | sed 's/^/   /'
done

say "wait until every report is decided"
for i in $(seq 0 $((NODES - 1))); do
  m=${MEMBERS[$i]}
  # shellcheck disable=SC2046
  printf '%-7s ' "$m"; "$CLEARCTL" wait $(client "$i" "$m") --file "$QS/day/$m.csv" --timeout 300
done

say "end of day: the operator's cut-off, sent to every node"
cutoff_nodes=()
for i in $(seq 0 $((NODES - 1))); do cutoff_nodes+=(--node "$(api_url "$i")"); done
"$CLEARCTL" cutoff "${cutoff_nodes[@]}" --cacert "$QS/nodes-ca.pem" --token-file "$QS/tokens/OPS.token"
for _ in $(seq 1 150); do
  # shellcheck disable=SC2046
  "$CLEARCTL" report $(client 0 OPS) --date 2026-12-01 --format json >/dev/null 2>&1 && break
  sleep 0.2
done

say "the settlement report of 2026-12-01 (node 0; every node serves the same)"
# shellcheck disable=SC2046
"$CLEARCTL" report $(client 0 OPS) --date 2026-12-01 --out-dir "$QS/reports"
echo
echo "report digest on each node:"
for i in $(seq 0 $((NODES - 1))); do
  printf '  node %s  ' "$i"
  psql -tA "${PG_URL%/*}/qc_quickstart_$i" -c "SELECT encode(report_digest, 'hex') FROM settlement_runs WHERE business_date = '2026-12-01'"
done

say "reports the network decided REJECTED (refused at submission: see above; unmatched: in the report)"
for i in $(seq 0 $((NODES - 1))); do
  m=${MEMBERS[$i]}
  curl -s --cacert "$QS/nodes-ca.pem" -H "Authorization: Bearer $(cat "$QS/tokens/$m.token")" \
    "$(api_url "$i")/v1/trades?status=REJECTED&limit=100" |
    { grep -o '{"trade_id":[^}]*}' || true; } |
    sed -E 's/.*"trade_id":"([^"]*)".*"buyer":"([^"]*)","seller":"([^"]*)".*"reason":"([^"]*)","field":"([^"]*)".*/\4 (\5): \1, \2 buys from \3/' |
    sort >"$QS/rejected-$m.txt"
  [ -s "$QS/rejected-$m.txt" ] || continue
  echo "-- reported by $m: $(wc -l <"$QS/rejected-$m.txt")"
  cut -d: -f1 "$QS/rejected-$m.txt" | uniq -c | sed 's/^ */   /'
  head -3 "$QS/rejected-$m.txt" | sed 's/^/   e.g. /'
done

say "try it"
echo "API (HTTPS, each node's own certificate, bundled in $QS/nodes-ca.pem):"
for i in $(seq 0 $((NODES - 1))); do echo "  node $i (${MEMBERS[$i]}): $(api_url "$i")"; done
echo "BANK_A's positions:"
echo "  curl --cacert $QS/nodes-ca.pem -H \"Authorization: Bearer \$(cat $QS/tokens/BANK_A.token)\" $(api_url 0)/v1/positions"
echo "Ops dashboard (sign in with the operator's token, $QS/tokens/OPS.token; accept the node's certificate):"
for i in $(seq 0 $((NODES - 1))); do echo "  node $i: $(api_url "$i")/dashboard"; done
echo "Metrics: http://127.0.0.1:$(port 0 2)/metrics (each node's ops port)"
if [ "$PROMETHEUS" = 1 ]; then echo "Prometheus: $PROM_URL"; fi
echo "Report files: $QS/node-*/data/reports/2026-12-01.{json,csv}; logs: $QS/node-*/node.log"
echo "Stop everything: ops/quickstart.sh stop"
echo "quickstart: done in $(($(date +%s) - START)) s"
