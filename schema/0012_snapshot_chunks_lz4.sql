-- Snapshot chunks are compressed with LZ4 instead of PostgreSQL's default
-- pglz: a restart reads its newest snapshot whole (about 126 MB after a day
-- of a million trades), and pglz decompresses it at a fraction of LZ4's
-- speed for about the same size (restart bench, README). Chunks already
-- written keep pglz and still read.
ALTER TABLE ledger_snapshot_chunks ALTER COLUMN bytes SET COMPRESSION lz4;
