#!/usr/bin/env bash
# Checks the monitoring files shipped in ops/: the Prometheus config and
# alert rules load, the alert unit tests pass, the Grafana dashboard is JSON
# whose queries parse, and no rule or panel names a metric the node does not
# export (services/metrics/exposition.cc), since a misspelt name is not an
# error to Prometheus or Grafana, just an alert that never fires or an empty
# panel.
#   tests/ops/check_ops_files.sh SOURCE_DIR
set -euo pipefail
ROOT=${1:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
PROM=$ROOT/ops/prometheus
DASHBOARD=$ROOT/ops/grafana/quorumclear.json
EXPOSITION=$ROOT/services/metrics/exposition.cc
status=0
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

ok() { echo "ok: $*"; }
fail() { echo "FAIL: $*"; status=1; }
# Runs a command quietly; shows its output only when it fails.
run() {
  local what=$1
  shift
  if "$@" >"$TMP/out" 2>&1; then ok "$what"; else fail "$what"; sed 's/^/    /' "$TMP/out"; fi
}

if ! command -v promtool >/dev/null; then
  echo "FAIL: promtool not found; ops/bootstrap.sh installs it (Debian package prometheus)"
  exit 1
fi

run "promtool check config ops/prometheus/prometheus.yml" promtool check config "$PROM/prometheus.yml"
run "promtool check rules ops/prometheus/alerts.yml" promtool check rules "$PROM/alerts.yml"
# alerts_test.yml names its rule file relative to where promtool runs.
run "promtool test rules alerts_test.yml (in ops/prometheus)" \
  bash -c 'cd "$1" && promtool test rules alerts_test.yml' _ "$PROM"

# Each panel query, one JSON string per line.
exprs=""
if command -v python3 >/dev/null; then
  run "ops/grafana/quorumclear.json is JSON (python3 -m json.tool)" python3 -m json.tool "$DASHBOARD"
  exprs=$(python3 - "$DASHBOARD" 2>/dev/null <<'EOF' || true
import json, sys
def walk(v):
    if isinstance(v, dict):
        if isinstance(v.get("expr"), str):
            print(json.dumps(v["expr"]))
        for x in v.values():
            walk(x)
    elif isinstance(v, list):
        for x in v:
            walk(x)
walk(json.load(open(sys.argv[1])))
EOF
  )
elif command -v jq >/dev/null; then
  run "ops/grafana/quorumclear.json is JSON (jq)" jq empty "$DASHBOARD"
  exprs=$(jq -r '.. | objects | select(has("expr")) | .expr | tojson' "$DASHBOARD" 2>/dev/null || true)
else
  echo "skip: neither python3 nor jq found, so the dashboard's JSON and queries are not checked"
fi

# Grafana's variables are not PromQL: give them values of the right kind, then
# let promtool parse every query as a recording rule.
if [ -n "$exprs" ]; then
  {
    echo "groups:"
    echo "  - name: dashboard"
    echo "    rules:"
    sed -e 's/\$__[a-z_]*/1m/g' -e 's/\$instance/.+/g' <<<"$exprs" | while IFS= read -r e; do
      echo "      - record: dashboard:query"
      echo "        expr: $e"
    done
  } >"$TMP/dashboard_rules.yml"
  run "the dashboard's $(wc -l <<<"$exprs") queries parse (promtool check rules)" \
    promtool check rules "$TMP/dashboard_rules.yml"
fi

# Every metric the node exports appears in exposition.cc as a quoted name.
grep -oE '"(quorumclear|process)_[a-z0-9_]+"' "$EXPOSITION" | tr -d '"' | sort -u >"$TMP/exported"
if [ ! -s "$TMP/exported" ]; then
  fail "no metric names found in services/metrics/exposition.cc"
fi
for file in "$PROM/alerts.yml" "$PROM/alerts_test.yml" "$DASHBOARD"; do
  rel=${file#"$ROOT"/}
  names=$( (grep -oE '\b(quorumclear|process)_[a-z0-9_]+' "$file" || true) \
    | sed -E 's/_(bucket|sum|count)$//' | sort -u)
  if [ -z "$names" ]; then
    fail "$rel names no metric"
    continue
  fi
  unknown=$(comm -23 <(echo "$names") "$TMP/exported")
  if [ -n "$unknown" ]; then
    fail "$rel names metrics that services/metrics/exposition.cc does not export:"
    sed 's/^/    /' <<<"$unknown"
  else
    ok "$rel: all $(wc -l <<<"$names") metric names are exported by services/metrics/exposition.cc"
  fi
done

# The end-to-end benchmark is too heavy for CI; its scripts at least parse,
# and its genesis input is JSON.
run "bash -n ops/bench.sh" bash -n "$ROOT/ops/bench.sh"
run "python3 compiles ops/bench/write_path.py" python3 -c 'import sys; compile(open(sys.argv[1]).read(), sys.argv[1], "exec")' \
  "$ROOT/ops/bench/write_path.py"
run "ops/bench/network.json is JSON" python3 -c 'import json, sys; json.load(open(sys.argv[1]))' \
  "$ROOT/ops/bench/network.json"

if [ $status -eq 0 ]; then echo "ops files: all checks passed"; else echo "ops files: some checks FAILED"; fi
exit $status
