#!/usr/bin/env bash
# A private PostgreSQL 15 instance for tests, the quickstart and benchmarks.
#   ops/pg.sh start   initdb on first use, then start (no-op if running)
#   ops/pg.sh stop    fast shutdown (no-op if stopped)
#   ops/pg.sh url     print the connection URL
#   QC_PG_OPTIONS="-c name=value ..."   server settings over ours (at start)
# Lives under build/pg (QC_PG_DIR overrides), listens on 127.0.0.1 only, on
# a port of its own; the system cluster and service are never touched.
# PostgreSQL refuses to run as root, so as root the server runs as `postgres`.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PG_DIR=${QC_PG_DIR:-$ROOT/build/pg}
PG_BIN=${QC_PG_BIN:-/usr/lib/postgresql/15/bin}
DB_NAME=quorumclear

as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# The data directory must be reachable by the server's user. A checkout
# under /root is not reachable by `postgres`, so then the data lives in /tmp
# (keyed by the checkout path) and build/pg holds a link to it.
data_dir() {
  mkdir -p "$PG_DIR"
  if [ "$(id -u)" -eq 0 ] && ! runuser -u postgres -- test -x "$PG_DIR"; then
    local key
    key=$(echo -n "$PG_DIR" | sha256sum | cut -c1-12)
    local alt=/tmp/quorumclear-pg-$key
    mkdir -p "$alt"
    ln -sfn "$alt" "$PG_DIR/external"
    echo "$alt"
  else
    echo "$PG_DIR"
  fi
}

port() {
  local dir=$1
  if [ ! -f "$dir/port" ]; then
    # Derive a port from the path so two checkouts do not collide, then walk
    # forward past any port already taken.
    local p=$(( 20000 + $(echo -n "$dir" | cksum | cut -d' ' -f1) % 10000 ))
    while (echo >/dev/tcp/127.0.0.1/$p) 2>/dev/null; do p=$((p + 1)); done
    echo "$p" >"$dir/port"
  fi
  cat "$dir/port"
}

url() {
  local dir
  dir=$(data_dir)
  echo "postgresql://postgres@127.0.0.1:$(port "$dir")/$DB_NAME"
}

start() {
  local dir
  dir=$(data_dir)
  local p
  p=$(port "$dir")
  local data=$dir/data
  if [ "$(id -u)" -eq 0 ]; then chown postgres: "$dir"; fi
  if [ ! -f "$data/PG_VERSION" ]; then
    as_owner "$PG_BIN/initdb" -D "$data" -U postgres --auth=trust --encoding=UTF8 \
      --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log"; exit 1; }
  fi
  if as_owner "$PG_BIN/pg_ctl" -D "$data" status >/dev/null 2>&1; then
    echo "pg: already running on 127.0.0.1:$p"
    return
  fi
  mkdir -p "$dir/sock"
  if [ "$(id -u)" -eq 0 ]; then chown postgres: "$dir/sock"; fi
  # fsync stays on: the tests are about durability as much as anything.
  # Sized for four nodes' databases in one instance: with the defaults (128 MB
  # of shared buffers, 1 GB of WAL between checkpoints) a saturated cluster
  # checkpointed back to back, every page's first change after each one
  # writing a full-page image to the WAL, and read its hot indexes through
  # the OS cache (ops/bench.sh, README "Numbers"). Durability is unchanged.
  as_owner "$PG_BIN/pg_ctl" -D "$data" -l "$dir/server.log" -w -t 60 start \
    -o "-c listen_addresses=127.0.0.1 -c port=$p -c unix_socket_directories=$dir/sock -c max_connections=200 \
        -c shared_buffers=1GB -c max_wal_size=4GB -c checkpoint_timeout=15min ${QC_PG_OPTIONS:-}" \
    >/dev/null || { tail -n 30 "$dir/server.log"; exit 1; }
  if ! as_owner "$PG_BIN/psql" -h 127.0.0.1 -p "$p" -U postgres -d postgres -tAc \
      "SELECT 1 FROM pg_database WHERE datname = '$DB_NAME'" | grep -q 1; then
    as_owner "$PG_BIN/createdb" -h 127.0.0.1 -p "$p" -U postgres "$DB_NAME"
  fi
  echo "pg: running on 127.0.0.1:$p, data in $data"
}

stop() {
  local dir
  dir=$(data_dir)
  local data=$dir/data
  if [ -f "$data/PG_VERSION" ] && as_owner "$PG_BIN/pg_ctl" -D "$data" status >/dev/null 2>&1; then
    as_owner "$PG_BIN/pg_ctl" -D "$data" -m fast -w stop >/dev/null
    echo "pg: stopped"
  fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  url) url ;;
  *) echo "usage: $0 start|stop|url" >&2; exit 2 ;;
esac
