-- What genesis fixes for the whole network, and the audit of operator
-- control entries (cut-off, funding, suspension). A control entry takes
-- effect only when f+1 distinct nodes have proposed identical bytes, with
-- f = floor((node_count - 1) / 3), so every vote and its outcome is kept.

CREATE TABLE network (
    singleton       boolean  PRIMARY KEY DEFAULT true CHECK (singleton),
    network_id      bytea    NOT NULL CHECK (octet_length(network_id) = 32),
    -- The quorum size is a genesis fact, not a count of member rows: a node
    -- no member runs would otherwise be missed, and a smaller n means a
    -- smaller f, which is unsafe.
    node_count      integer  NOT NULL CHECK (node_count BETWEEN 1 AND 128),
    genesis_digest  bytea    NOT NULL CHECK (octet_length(genesis_digest) = 32)
);

-- One row per control-entry vote in the agreed order of its epoch, plus one
-- per expiry (proposer NULL). entry_digest identifies the entry: votes with
-- the same digest are votes for the same request.
CREATE TABLE control_votes (
    epoch         bigint   NOT NULL REFERENCES epochs (epoch),
    seq           integer  NOT NULL CHECK (seq >= 0),
    proposer      integer  CHECK (proposer >= 0),
    kind          text     NOT NULL CHECK (kind IN ('CUTOFF', 'FUNDING', 'SUSPENSION')),
    entry_digest  bytea    NOT NULL CHECK (octet_length(entry_digest) = 32),
    -- The operator-chosen reference of a funding or suspension; a cut-off is
    -- identified by its date.
    reference     text     CHECK (reference ~ '^[A-Za-z0-9._:-]{1,64}$'),
    business_date date,
    status        text     NOT NULL CHECK (status IN ('REJECTED', 'PENDING', 'REPEATED_VOTE', 'APPLIED',
                                                      'ALREADY_APPLIED', 'WITHDRAWN', 'EXPIRED')),
    votes         smallint NOT NULL CHECK (votes >= 0),
    reason        text     CHECK (reason ~ '^[A-Z_]{1,48}$'),
    PRIMARY KEY (epoch, seq),
    CHECK ((status = 'EXPIRED') = (proposer IS NULL)),
    CHECK (status <> 'REJECTED' OR reason IS NOT NULL),
    CHECK ((kind = 'CUTOFF') = (business_date IS NOT NULL)),
    CHECK ((kind = 'CUTOFF') = (reference IS NULL))
);
-- An entry is applied at most once: the ledger's rule, kept by the database too.
CREATE UNIQUE INDEX control_votes_applied_once ON control_votes (entry_digest) WHERE status = 'APPLIED';
