#!/usr/bin/env bash
# Runs the main job (ops/quickstart.sh) against the binaries this build made
# and checks what a user is promised: the netting result with obligations,
# netting efficiency and the unmatched and rejected reports, one report
# digest on all four nodes, a curl line that works as printed, the ops
# dashboard and a Prometheus (--prometheus) scraping all four nodes, and
# that `ops/quickstart.sh stop` leaves no process behind. Its own folder, ports
# and PostgreSQL, so it never touches the test suite's.
#   tests/ops/quickstart_test.sh SOURCE_DIR BUILD_DIR
set -euo pipefail
SRC=$1
BUILD=$2
export QC_QUICKSTART_BIN_DIR=$BUILD
export QC_QUICKSTART_DIR=$BUILD/quickstart-test
export QC_QUICKSTART_PORT_BASE=${QC_QUICKSTART_PORT_BASE:-19100}
OUT=$(mktemp)
fail() { echo "FAIL: $*"; echo "---- quickstart output"; cat "$OUT"; "$SRC/ops/quickstart.sh" stop || true; exit 1; }
expect() { grep -q -- "$1" "$OUT" || fail "the output lacks: $1"; }

"$SRC/ops/quickstart.sh" --prometheus >"$OUT" 2>&1 || fail "ops/quickstart.sh --prometheus exited $?"
expect "status SETTLED"
expect "netting efficiency"
expect "Net obligations per member"
expect "BANK_A  PAY        EUR"
expect "MISMATCHED  quantity"
expect "ALLEGED"
expect "PRICE_OUTSIDE_BAND"
expect "INSTRUMENT_UNKNOWN"
expect "LIMIT_GROSS_NOTIONAL"
expect "4 of 4 nodes took the cut-off request"
digests=$(sed -n '/report digest on each node/,/^$/p' "$OUT" | grep -Eo '[0-9a-f]{64}' | sort -u | wc -l)
[ "$digests" -eq 1 ] || fail "the nodes' report digests differ ($digests distinct)"
[ "$(sed -n '/report digest on each node/,/^$/p' "$OUT" | grep -c 'node [0-3]')" -eq 4 ] || fail "not 4 digests"

# The curl line, exactly as printed.
line=$(grep -A1 "BANK_A's positions:" "$OUT" | tail -1)
answer=$(eval "$line -s -w ' HTTP%{http_code}'") || fail "the printed curl line failed: $line"
case "$answer" in *'"positions"'*HTTP200) ;; *) fail "the curl line answered: $answer" ;; esac

# The dashboard URL as printed serves the page; its data is the operator's alone.
dashboard=$(grep -A1 "^Ops dashboard" "$OUT" | tail -1 | awk '{print $3}')
[ "$(curl -sk -o /dev/null -w '%{http_code}' "$dashboard")" = 200 ] || fail "the dashboard URL $dashboard"
data=${dashboard%/dashboard}/v1/dashboard
[ "$(curl -sk -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $(cat "$QC_QUICKSTART_DIR/tokens/OPS.token")" "$data")" = 200 ] ||
  fail "the operator's /v1/dashboard"
[ "$(curl -sk -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $(cat "$QC_QUICKSTART_DIR/tokens/BANK_A.token")" "$data")" = 403 ] ||
  fail "a member's /v1/dashboard was not refused"

# Prometheus scrapes all four nodes (every 5 s).
prometheus=$(grep -o '^Prometheus: http://[0-9.:]*' "$OUT" | awk '{print $2}')
[ -n "$prometheus" ] || fail "no Prometheus URL printed"
up=""
for _ in $(seq 1 30); do
  up=$(curl -s "$prometheus/api/v1/query" --data-urlencode 'query=count(up{job="quorumclear"} == 1)' | grep -o '"value":\[[^]]*\]' || true)
  case "$up" in *'"4"'*) break ;; esac
  sleep 1
done
case "$up" in *'"4"'*) ;; *) fail "Prometheus does not see 4 nodes up: $up" ;; esac

"$SRC/ops/quickstart.sh" stop >>"$OUT" 2>&1 || fail "stop exited $?"
if pgrep -f "$QC_QUICKSTART_DIR" >/dev/null; then fail "processes left: $(pgrep -af "$QC_QUICKSTART_DIR")"; fi
echo "quickstart: PASSED ($(grep -o 'done in [0-9]* s' "$OUT"))"
rm -f "$OUT"
