#!/usr/bin/env bash
# Fails when the deterministic core (quorum/, settlement/) reaches for I/O,
# threads, clocks or global randomness, or when quorum/ and settlement/
# include each other or services/. Link rules keep libraries out; this keeps
# headers out, which the linker cannot see.
set -euo pipefail
ROOT=${1:-$(cd "$(dirname "$0")/.." && pwd)}
status=0

forbidden_core='#include\s*[<"](thread|mutex|condition_variable|future|chrono|random|fstream|iostream|filesystem|ctime|time\.h|unistd\.h|sys/|netinet/|arpa/|pqxx/|Poco/|prometheus/)'
check() {
  local dir=$1 pattern=$2 what=$3
  local hits
  hits=$(grep -rnE "$pattern" "$ROOT/$dir" --include='*.h' --include='*.cc' \
         | grep -v '_test\.cc:' | grep -v 'test_support\.h:' | grep -v '/sim/' | grep -v '/bench/' | grep -v '/fuzz/' || true)
  if [ -n "$hits" ]; then
    echo "layering: $dir must not include $what:"
    echo "$hits"
    status=1
  fi
}

check quorum "$forbidden_core" "I/O, threads, clocks or randomness"
check settlement "$forbidden_core" "I/O, threads, clocks or randomness"
check quorum '#include\s*"(settlement|services)/' "settlement/ or services/"
check settlement '#include\s*"(quorum|services)/' "quorum/ or services/"

[ $status -eq 0 ] && echo "layering: core folders are clean"
exit $status
