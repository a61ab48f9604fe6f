#!/usr/bin/env python3
"""Builds the psql scripts ops/bench.sh times for its two references.

  write_path.py limit    --source URL --target URL --members A,B --out FILE
  write_path.py baseline --source URL --target URL --batch-rows N --out FILE

Both read the rows a clearing node actually wrote during the saturation run
(its own database, --source) and write a script of COPY ... FROM STDIN
transactions for psql, so that timing the script times PostgreSQL alone.

limit: the rows one node writes per epoch, one durable transaction per
epoch as the node commits them, into tables (created in --target) that keep
only the primary key: the epoch's trades rows (every report version that
arrived in it), the received_reports rows of the reports this node's members
(--members) sent (their API rows, deleted again once decided), the epochs
row, its audit_log rows, its epoch_batches rows, and one position row per
(member, instrument, settlement date) and cash row per (member, currency,
settlement date) the epoch's trades touch (the node upserts those; here
each is an insert, the same volume). What the node also
does and this stream leaves out, UPDATEs of earlier rows (a bilateral report
confirmed by its counterparty's), the DELETE of answered received rows,
epoch_signatures and node_state, is printed as "not in the stream".

baseline: one central database with the product's whole schema (every
constraint, index and trigger, copied with pg_dump --schema-only), written
by one process: the same trades rows, COPY in batches of --batch-rows rows,
one durable commit per batch.

Prints one JSON line: trades (distinct trade ids), epochs, rows per table.
"""
import argparse
import json
import subprocess
import sys


def psql(url, sql, stdin=None):
    out = subprocess.run(["psql", "-qAtX", "-v", "ON_ERROR_STOP=1", url, "-c", sql], input=stdin,
                         capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"write_path: psql: {out.stderr.strip()}")
    return out.stdout


LAST_EPOCH = None  # the saturation run's last epoch with trades: nothing after it


def copy_out(url, query):
    """Rows as COPY's text format, the first field split off as the epoch."""
    by_epoch = {}
    for line in psql(url, f"COPY ({query}) TO STDOUT").splitlines():
        epoch, _, rest = line.partition("\t")
        if LAST_EPOCH is None or int(epoch) <= LAST_EPOCH:
            by_epoch.setdefault(int(epoch), []).append(rest)
    return by_epoch


def confirmed_trades(url):
    """What the cluster's rate counts: trades confirmed, a two-sided one once."""
    return int(psql(url, "SELECT count(DISTINCT trade_id) FROM trades WHERE status IN ('CONFIRMED', 'SETTLED')"
                         + ("" if LAST_EPOCH is None else f" AND epoch <= {LAST_EPOCH}")))


def columns(url, table):
    rows = psql(url, f"""SELECT a.attname, format_type(a.atttypid, a.atttypmod) FROM pg_attribute a
                         WHERE a.attrelid = '{table}'::regclass AND a.attnum > 0 AND NOT a.attisdropped
                         ORDER BY a.attnum""")
    return [tuple(r.split("|")) for r in rows.splitlines()]


def primary_key(url, table):
    rows = psql(url, f"""SELECT a.attname FROM pg_index i
                         JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
                         WHERE i.indrelid = '{table}'::regclass AND i.indisprimary
                         ORDER BY array_position(i.indkey::int2[], a.attnum)""")
    return rows.split()


def write_transactions(path, groups, tables):
    """groups: list of {table: [rows]}; one BEGIN/COPY.../COMMIT each."""
    with open(path, "w") as f:
        for group in groups:
            if not any(group.get(t) for t in tables):
                continue
            f.write("BEGIN;\n")
            for t in tables:
                rows = group.get(t)
                if not rows:
                    continue
                f.write(f"COPY {t} FROM STDIN;\n")
                f.write("\n".join(rows))
                f.write("\n\\.\n")
            f.write("COMMIT;\n")


def limit(args):
    src, dst = args.source, args.target
    members = ",".join("'" + m.replace("'", "") + "'" for m in args.members.split(","))
    trade_cols = [c for c, _ in columns(src, "trades")]
    streams = {
        "trades": copy_out(src, f"SELECT epoch, {', '.join(trade_cols)} FROM trades WHERE epoch IS NOT NULL"),
        # The report as the API stored it: its key, its content hash and the
        # canonical entry (at most 225 bytes; 200 here).
        "received_reports": copy_out(src, f"""
            SELECT DISTINCT ON (submitter, trade_id, content_hash) epoch, submitter, trade_id, content_hash,
                   convert_to(rpad(trade_id, 200, '.'), 'UTF8'), false, received_at
            FROM trades WHERE epoch IS NOT NULL AND submitter IN ({members})"""),
        "epochs": copy_out(src, "SELECT epoch, * FROM epochs"),
        "audit_log": copy_out(src, "SELECT epoch, * FROM audit_log WHERE epoch IS NOT NULL"),
        "epoch_batches": copy_out(src, "SELECT epoch, * FROM epoch_batches"),
        "positions": copy_out(src, """
            SELECT epoch, epoch, m, isin, settlement_date, sum(quantity)
            FROM trades, LATERAL (VALUES (buyer), (seller)) p (m)
            WHERE epoch IS NOT NULL AND status IN ('CONFIRMED', 'SETTLED')
            GROUP BY epoch, m, isin, settlement_date"""),
        "cash_positions": copy_out(src, """
            SELECT epoch, epoch, m, currency, settlement_date, sum(consideration_minor)
            FROM trades, LATERAL (VALUES (buyer), (seller)) p (m)
            WHERE epoch IS NOT NULL AND status IN ('CONFIRMED', 'SETTLED')
            GROUP BY epoch, m, currency, settlement_date"""),
    }
    ddl = []
    for t in ("trades", "received_reports", "epochs", "audit_log", "epoch_batches"):
        cols = ", ".join(f'"{c}" {ty}' for c, ty in columns(src, t))
        ddl.append(f"DROP TABLE IF EXISTS {t}; CREATE TABLE {t} ({cols}, PRIMARY KEY ({', '.join(primary_key(src, t))}));")
    ddl.append("DROP TABLE IF EXISTS positions; CREATE TABLE positions (epoch bigint, member_id text, isin char(12), "
               "settlement_date date, quantity bigint, PRIMARY KEY (epoch, member_id, isin, settlement_date));")
    ddl.append("DROP TABLE IF EXISTS cash_positions; CREATE TABLE cash_positions (epoch bigint, member_id text, "
               "currency char(3), settlement_date date, amount bigint, "
               "PRIMARY KEY (epoch, member_id, currency, settlement_date));")
    psql(dst, "\n".join(ddl))
    epochs = sorted(set().union(*[s.keys() for s in streams.values()]))
    groups = [{t: s.get(e, []) for t, s in streams.items()} for e in epochs]
    write_transactions(args.out, groups, list(streams))
    trades = confirmed_trades(src)
    print(json.dumps({"trades": trades, "epochs": len(epochs),
                      "rows": {t: sum(len(v) for v in s.values()) for t, s in streams.items()}}))


def baseline(args):
    src, dst = args.source, args.target
    schema = subprocess.run(["pg_dump", "--schema-only", "--no-owner", "--no-privileges", src],
                            capture_output=True, text=True)
    if schema.returncode != 0:
        sys.exit(f"write_path: pg_dump: {schema.stderr.strip()}")
    load = subprocess.run(["psql", "-qX", "-v", "ON_ERROR_STOP=1", dst], input=schema.stdout,
                          capture_output=True, text=True)
    if load.returncode != 0:
        sys.exit(f"write_path: loading the schema: {load.stderr.strip()}")
    trade_cols = [c for c, _ in columns(src, "trades")]
    by_epoch = copy_out(src, f"SELECT epoch, {', '.join(trade_cols)} FROM trades WHERE epoch IS NOT NULL")
    rows = [r for e in sorted(by_epoch) for r in by_epoch[e]]
    groups = [{"trades": rows[i:i + args.batch_rows]} for i in range(0, len(rows), args.batch_rows)]
    write_transactions(args.out, groups, ["trades"])
    trades = confirmed_trades(src)
    print(json.dumps({"trades": trades, "batches": len(groups), "rows": {"trades": len(rows)}}))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("kind", choices=["limit", "baseline"])
    p.add_argument("--source", required=True)
    p.add_argument("--target", required=True)
    p.add_argument("--members", default="")
    p.add_argument("--batch-rows", type=int, default=5000)
    p.add_argument("--last-epoch", type=int)
    p.add_argument("--out", required=True)
    args = p.parse_args()
    global LAST_EPOCH
    LAST_EPOCH = args.last_epoch
    limit(args) if args.kind == "limit" else baseline(args)


if __name__ == "__main__":
    main()
