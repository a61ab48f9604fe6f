-- What a running clearing node keeps beside the agreed state (issue 13):
-- how far it has taken part in the quorum, the reports its members' API
-- acknowledged before the quorum decided them, its members' API tokens and
-- a log of what it observed locally; plus the scheduled cut-off, a new
-- kind of control entry, and two changes the epoch writer needs.
--
-- received_reports, api_tokens and local_events are node-local: two honest
-- nodes hold different rows in them, nothing in them is signed, and none of
-- them is ever part of the audit chain (one link per epoch over the agreed
-- changes only, ARCHITECTURE.md "Audit").

-- The highest epoch this node ever sent a quorum message in. It is made
-- durable before the messages go out (the node's Ready loop, STYLE.md 7a),
-- so a restarted node sits out those epochs instead of contradicting a
-- vote it already sent. It only rises: a lower value written back would
-- reopen the epochs it guards.
ALTER TABLE node_state ADD COLUMN entered_epoch bigint NOT NULL DEFAULT -1
    CONSTRAINT node_state_entered_epoch_check CHECK (entered_epoch >= -1);

CREATE FUNCTION node_state_entered_epoch_rises_check() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.entered_epoch < OLD.entered_epoch THEN
        RAISE EXCEPTION 'node_state: entered_epoch may only rise (% -> %)',
            OLD.entered_epoch, NEW.entered_epoch;
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER node_state_entered_epoch_rises
    BEFORE UPDATE ON node_state
    FOR EACH ROW EXECUTE FUNCTION node_state_entered_epoch_rises_check();

-- Control entries: the nodes' own clock-driven cut-off. Each node proposes
-- it for the open date once its clock passes the genesis cut-off time; it
-- names no operator, and like an operator's CUTOFF it is identified by the
-- date it closes. Both cut-off kinds carry a business date and no
-- reference; fundings and suspensions the other way round.
--
-- A refused FUNDING or SUSPENSION vote may carry a reference that is not
-- the reference syntax at all (a faulty node proposed it; CONTROL_REF_INVALID
-- or an earlier refusal): the writer then stores it without one, since a
-- row the CHECK refuses would make the whole epoch impossible to store. The
-- vote as proposed stays in epoch_batches.
ALTER TABLE control_votes DROP CONSTRAINT control_votes_kind_check;
ALTER TABLE control_votes ADD CONSTRAINT control_votes_kind_check
    CHECK (kind IN ('CUTOFF', 'SCHEDULED_CUTOFF', 'FUNDING', 'SUSPENSION'));
-- 0006 left these unnamed; PostgreSQL numbered them in table order.
ALTER TABLE control_votes DROP CONSTRAINT control_votes_check2;  -- (kind = 'CUTOFF') = (business_date IS NOT NULL)
ALTER TABLE control_votes DROP CONSTRAINT control_votes_check3;  -- (kind = 'CUTOFF') = (reference IS NULL)
ALTER TABLE control_votes ADD CONSTRAINT control_votes_cutoff_has_date
    CHECK ((kind IN ('CUTOFF', 'SCHEDULED_CUTOFF')) = (business_date IS NOT NULL));
ALTER TABLE control_votes ADD CONSTRAINT control_votes_reference_by_kind
    CHECK (CASE WHEN kind IN ('CUTOFF', 'SCHEDULED_CUTOFF') THEN reference IS NULL
                ELSE reference IS NOT NULL OR status = 'REJECTED' END);

-- Positions and cash positions are written every epoch (one row per member
-- and instrument or currency a trade touched), so they are hot tables in
-- ARCHITECTURE.md's sense ("What the write path costs"): 0008 already took
-- the foreign keys off `trades` for that reason. The ledger writes only
-- members, instruments and currencies it interned from genesis and only
-- the epoch it is applying, and audit verification re-derives every row by
-- replay, so these references buy little and cost one index probe per
-- reference per row. What stays: the primary key and the cheap checks
-- (non-negative legs, net = legs), plus a sign check on the epoch.
ALTER TABLE positions DROP CONSTRAINT positions_member_id_fkey;
ALTER TABLE positions DROP CONSTRAINT positions_isin_fkey;
ALTER TABLE positions DROP CONSTRAINT positions_last_epoch_fkey;
ALTER TABLE positions ADD CONSTRAINT positions_last_epoch_not_negative CHECK (last_epoch >= 0);
ALTER TABLE cash_positions DROP CONSTRAINT cash_positions_member_id_fkey;
ALTER TABLE cash_positions DROP CONSTRAINT cash_positions_currency_fkey;
ALTER TABLE cash_positions DROP CONSTRAINT cash_positions_last_epoch_fkey;
ALTER TABLE cash_positions ADD CONSTRAINT cash_positions_last_epoch_not_negative CHECK (last_epoch >= 0);
-- A position row is rewritten by most epochs that trade its instrument. Room
-- left in each page lets PostgreSQL put the new version beside the old one
-- without touching the primary key index (a HOT update).
ALTER TABLE positions SET (fillfactor = 70);
ALTER TABLE cash_positions SET (fillfactor = 70);

-- Reports and cancels a member's node acknowledged with 202 and has not yet
-- seen decided: each is committed durably before the answer, packed into
-- the node's next batches, proposed again while undecided, and after a
-- restart proposed again from here. The epoch writer deletes a row in the
-- transaction of the epoch that decided it (services/store/node_store.h,
-- "Received reports"), so what is here is exactly what no applied epoch
-- decided.
-- entry: the canonical settlement entry, kind byte first (settlement/codec.h);
-- content_hash: what the ledger reports as the entry's content hash (a
-- report: SHA-256 of its bytes after the kind byte; a cancel: of all its
-- bytes). A hot table (one row per submitted report): the key and cheap
-- bounds only; the API validated every field before it wrote the row.
CREATE TABLE received_reports (
    submitter     text        NOT NULL
                  CONSTRAINT received_reports_submitter_length CHECK (length(submitter) BETWEEN 1 AND 16),
    trade_id      text        NOT NULL
                  CONSTRAINT received_reports_trade_id_length CHECK (length(trade_id) BETWEEN 1 AND 64),
    content_hash  bytea       NOT NULL
                  CONSTRAINT received_reports_content_hash_length CHECK (octet_length(content_hash) = 32),
    -- A report encodes in at most 225 bytes; the bound only keeps junk out.
    entry         bytea       NOT NULL
                  CONSTRAINT received_reports_entry_length CHECK (octet_length(entry) BETWEEN 1 AND 1024),
    is_cancel     boolean     NOT NULL,
    received_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (submitter, trade_id, content_hash)
);

-- Member API tokens: only their SHA-256 is stored, so a copy of the
-- database authenticates nobody. A member's token is created at the
-- member's own node; the operator's and the regulator's are registered at
-- every node. Few rows, so every constraint stays.
CREATE TABLE api_tokens (
    token_sha256  bytea       PRIMARY KEY
                  CONSTRAINT api_tokens_token_sha256_length CHECK (octet_length(token_sha256) = 32),
    member_id     text        NOT NULL REFERENCES members (member_id),
    label         text        CONSTRAINT api_tokens_label_length CHECK (length(label) <= 200),
    created_at    timestamptz NOT NULL DEFAULT now(),
    revoked_at    timestamptz,
    CONSTRAINT api_tokens_revoked_after_created CHECK (revoked_at >= created_at)
);

-- What this node observed that no other node needs to agree on: faults
-- recorded against peers, connections and disconnections, catch-ups,
-- divergence from a certified digest. For operators and incident reviews;
-- written without waiting for the disk (losing the last few on a crash
-- loses nothing agreed) and never part of the audit chain, which covers
-- agreed changes only, or two honest nodes' heads would differ.
CREATE TABLE local_events (
    seq     bigserial   PRIMARY KEY,
    at      timestamptz NOT NULL DEFAULT now(),
    kind    text        NOT NULL CONSTRAINT local_events_kind_check CHECK (kind ~ '^[A-Z_]{1,48}$'),
    -- The peer node the event concerns, if any.
    peer    integer     CONSTRAINT local_events_peer_check CHECK (peer >= 0),
    detail  text        CONSTRAINT local_events_detail_length CHECK (length(detail) <= 1000)
);
