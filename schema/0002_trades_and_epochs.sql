-- Decided epochs and the trades they carry. An epoch row is written in the
-- same transaction that applies it, so its primary key is what makes applying
-- one epoch twice impossible: the second attempt fails and rolls back whole.

CREATE TABLE epochs (
    epoch           bigint      PRIMARY KEY CHECK (epoch >= 0),
    -- SHA-256 of the epoch's ordered output, of the state after applying it,
    -- and of the audit chain head: the three things the certificate signs.
    output_digest   bytea       NOT NULL CHECK (octet_length(output_digest) = 32),
    state_digest    bytea       NOT NULL CHECK (octet_length(state_digest) = 32),
    audit_head      bytea       NOT NULL CHECK (octet_length(audit_head) = 32),
    batch_count     integer     NOT NULL CHECK (batch_count >= 0),
    trade_count     integer     NOT NULL CHECK (trade_count >= 0),
    applied_at      timestamptz NOT NULL DEFAULT now()
);

-- The batches the quorum decided, exactly as encoded, so that a lagging peer
-- can be served the epoch and re-derive every digest.
CREATE TABLE epoch_batches (
    epoch     bigint  NOT NULL REFERENCES epochs (epoch),
    proposer  integer NOT NULL CHECK (proposer >= 0),
    payload   bytea   NOT NULL,
    PRIMARY KEY (epoch, proposer)
);

-- Ed25519 signatures over (network id, epoch, output digest, state digest,
-- audit head); 2f+1 of them form the epoch certificate.
CREATE TABLE epoch_signatures (
    epoch      bigint  NOT NULL REFERENCES epochs (epoch),
    node_id    integer NOT NULL CHECK (node_id >= 0),
    signature  bytea   NOT NULL CHECK (octet_length(signature) = 64),
    PRIMARY KEY (epoch, node_id)
);

CREATE TABLE trades (
    submitter        text     NOT NULL REFERENCES members (member_id),
    trade_id         text     NOT NULL CHECK (trade_id ~ '^[A-Za-z0-9._:-]{1,64}$'),
    buyer            text     NOT NULL REFERENCES members (member_id),
    seller           text     NOT NULL REFERENCES members (member_id),
    isin             char(12) NOT NULL REFERENCES instruments (isin),
    quantity         bigint   NOT NULL CHECK (quantity > 0),
    price            bigint   NOT NULL CHECK (price > 0),
    currency         char(3)  NOT NULL REFERENCES currencies (code),
    -- quantity * price in the currency's minor units, fixed at submission.
    consideration_minor bigint NOT NULL CHECK (consideration_minor > 0),
    trade_date       date     NOT NULL,
    settlement_date  date     NOT NULL,
    client_ref       text     CHECK (length(client_ref) <= 64),
    content_hash     bytea    NOT NULL CHECK (octet_length(content_hash) = 32),
    status           text     NOT NULL
                     CHECK (status IN ('RECEIVED', 'CONFIRMED', 'REJECTED', 'SETTLED', 'FAILED')),
    reject_reason    text     CHECK (reject_reason ~ '^[A-Z_]{1,48}$'),
    reject_field     text     CHECK (length(reject_field) <= 64),
    epoch            bigint   REFERENCES epochs (epoch),
    received_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (submitter, trade_id),
    CHECK (buyer <> seller),
    CHECK (submitter = buyer OR submitter = seller),
    CHECK (settlement_date >= trade_date),
    CHECK ((status = 'REJECTED') = (reject_reason IS NOT NULL)),
    -- Anything past RECEIVED was decided by the quorum in a known epoch.
    CHECK (status = 'RECEIVED' OR epoch IS NOT NULL)
);
CREATE INDEX trades_by_epoch ON trades (epoch);
CREATE INDEX trades_by_settlement ON trades (settlement_date, status);

-- A decided trade that could not be recorded under its own key, e.g. a second
-- submission of a known trade id with different content. Kept for the audit.
CREATE TABLE trade_rejections (
    epoch          bigint  NOT NULL REFERENCES epochs (epoch),
    seq            integer NOT NULL CHECK (seq >= 0),
    submitter      text    NOT NULL,
    trade_id       text    NOT NULL,
    content_hash   bytea   NOT NULL CHECK (octet_length(content_hash) = 32),
    reject_reason  text    NOT NULL CHECK (reject_reason ~ '^[A-Z_]{1,48}$'),
    reject_field   text    CHECK (length(reject_field) <= 64),
    PRIMARY KEY (epoch, seq)
);
