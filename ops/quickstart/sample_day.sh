#!/usr/bin/env bash
# Writes the quickstart's sample trading day as one trade file per member
# (DIR/BANK_A.csv, BANK_B.csv, BANK_C.csv, VENUE.csv), the same bytes on
# every run (a fixed-seed generator):
#   360 two-sided trades between the three banks, each side in its own
#       member's file (a few late in the day exceed BANK_C's limits and are
#       REJECTED when matched);
#     8 of them MISMATCHED: the seller reports another quantity or price;
#    10 left UNMATCHED: only the buyer reports, so they stay ALLEGED;
#     6 refused by validation: a price outside the instrument's band, a
#       settlement date before the trade date, an ISIN the network does not
#       clear;
#   120 venue trades, reported by the venue alone.
# Every trade settles on its trade date (T+0), so the day's cut-off nets them.
set -euo pipefail
DIR=${1:?usage: sample_day.sh DIR}
mkdir -p "$DIR"
awk -v dir="$DIR" '
function rnd(n) { seed = (seed * 1103515245 + 12345) % 2147483648; return int(seed / 65536) % n }
function line(file, id, buyer, seller, isin, qty, price, sdate) {
  printf "%s,%s,%s,%s,%d,%s,EUR,2026-12-01,%s\n", id, buyer, seller, isin, qty, price, sdate >> (dir "/" file ".csv")
}
function cents_of(k) { return base[k] + rnd(2 * spread[k] + 1) - spread[k] }
function decimal(cents) { return sprintf("%d.%02d", cents / 100, cents % 100) }
BEGIN {
  seed = 20261201
  isin[0] = "DE0007164600"; base[0] = 12000; spread[0] = 300
  isin[1] = "US0378331005"; base[1] = 19000; spread[1] = 500
  isin[2] = "US5949181045"; base[2] = 41000; spread[2] = 900
  bank[0] = "BANK_A"; bank[1] = "BANK_B"; bank[2] = "BANK_C"
  header = "trade_id,buyer,seller,isin,quantity,price,currency,trade_date,settlement_date"
  print header > (dir "/BANK_A.csv"); print header > (dir "/BANK_B.csv")
  print header > (dir "/BANK_C.csv"); print header > (dir "/VENUE.csv")
  for (t = 1; t <= 360; t++) {
    b = rnd(3); s = (b + 1 + rnd(2)) % 3; k = rnd(3)
    id = sprintf("TS-%04d", t); q = 10 * (1 + rnd(40)); c = cents_of(k); p = decimal(c)
    line(bank[b], id, bank[b], bank[s], isin[k], q, p, "2026-12-01")
    if (t % 45 == 0) {           # mismatched: the seller disagrees
      if (t % 90 == 0) line(bank[s], id, bank[b], bank[s], isin[k], q + 10, p, "2026-12-01")
      else line(bank[s], id, bank[b], bank[s], isin[k], q, decimal(c + 5), "2026-12-01")
    } else if (t % 36 == 0) {    # unmatched: the seller never reports
    } else {
      line(bank[s], id, bank[b], bank[s], isin[k], q, p, "2026-12-01")
    }
  }
  # Refused by validation, on the buyer side only.
  line("BANK_A", "BAD-1", "BANK_A", "BANK_B", isin[0], 100, "999.00", "2026-12-01")
  line("BANK_B", "BAD-2", "BANK_B", "BANK_C", isin[1], 50, "12.00", "2026-12-01")
  line("BANK_A", "BAD-3", "BANK_A", "BANK_C", isin[2], 10, "410.00", "2026-11-30")
  line("BANK_C", "BAD-4", "BANK_C", "BANK_A", isin[0], 20, "120.00", "2026-11-27")
  line("BANK_B", "BAD-5", "BANK_B", "BANK_A", "GB0002634946", 100, "7.50", "2026-12-01")
  line("BANK_C", "BAD-6", "BANK_C", "BANK_B", "NL0010273215", 5, "650.00", "2026-12-01")
  for (t = 1; t <= 120; t++) {
    b = rnd(3); s = (b + 1 + rnd(2)) % 3; k = rnd(3)
    line("VENUE", sprintf("VT-%04d", t), bank[b], bank[s], isin[k], 5 * (1 + rnd(60)), decimal(cents_of(k)), "2026-12-01")
  }
}'
