-- Checkpoints (issue 14). Every checkpoint interval (genesis) the certified
-- tuple also signs the digest of the ledger's whole-state snapshot, and the
-- tuple of an epoch that closed a business date signs the Merkle root over
-- the members' obligations: both are stored with the epoch so the tuple,
-- and so its certificate, can be checked from the database alone.
ALTER TABLE epochs
    ADD COLUMN snapshot_digest bytea
        CONSTRAINT epochs_snapshot_digest_length CHECK (octet_length(snapshot_digest) = 32),
    ADD COLUMN obligations_root bytea
        CONSTRAINT epochs_obligations_root_length CHECK (octet_length(obligations_root) = 32);

-- The snapshot itself (settlement/snapshot.h: canonical, versioned bytes),
-- written after its epoch committed. A restart decodes the newest one whose
-- digest matches its epoch's signed snapshot_digest and replays only the
-- epochs after it. Stored in chunks: a ledger of ten million trades is
-- about a gigabyte, the most one bytea may hold, and a peer is served it
-- chunk by chunk. The node keeps the newest two.
CREATE TABLE ledger_snapshots (
    epoch        bigint  PRIMARY KEY REFERENCES epochs (epoch),
    digest       bytea   NOT NULL CONSTRAINT ledger_snapshots_digest_length CHECK (octet_length(digest) = 32),
    byte_count   bigint  NOT NULL CONSTRAINT ledger_snapshots_byte_count_positive CHECK (byte_count > 0),
    chunk_count  integer NOT NULL CONSTRAINT ledger_snapshots_chunk_count_positive CHECK (chunk_count > 0)
);

CREATE TABLE ledger_snapshot_chunks (
    epoch  bigint  NOT NULL REFERENCES ledger_snapshots (epoch) ON DELETE CASCADE,
    chunk  integer NOT NULL CONSTRAINT ledger_snapshot_chunks_chunk_check CHECK (chunk >= 0),
    bytes  bytea   NOT NULL
           CONSTRAINT ledger_snapshot_chunks_bytes_length CHECK (octet_length(bytes) BETWEEN 1 AND 16777216),
    PRIMARY KEY (epoch, chunk)
);
