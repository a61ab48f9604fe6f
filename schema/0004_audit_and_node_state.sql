-- The tamper-evident audit log and this node's progress marker.

-- entry_hash = SHA-256(prev_hash || record), where record is the canonical
-- binary encoding of the state change. The database re-checks every link on
-- insert and refuses UPDATE and DELETE, so a broken or rewritten chain can
-- only come from someone bypassing PostgreSQL itself, and audit verification
-- (recomputing the chain from genesis) catches that too.
CREATE TABLE audit_log (
    seq          bigint      PRIMARY KEY CHECK (seq >= 1),
    epoch        bigint      REFERENCES epochs (epoch),
    kind         text        NOT NULL CHECK (kind ~ '^[A-Z_]{1,48}$'),
    actor        text        CHECK (length(actor) <= 64),
    record       bytea       NOT NULL CHECK (octet_length(record) <= 1048576),
    prev_hash    bytea       NOT NULL CHECK (octet_length(prev_hash) = 32),
    entry_hash   bytea       NOT NULL UNIQUE CHECK (octet_length(entry_hash) = 32),
    recorded_at  timestamptz NOT NULL DEFAULT now(),
    CHECK (entry_hash = sha256(prev_hash || record))
);

CREATE FUNCTION audit_log_link_check() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    head_seq  bigint;
    head_hash bytea;
BEGIN
    SELECT seq, entry_hash INTO head_seq, head_hash
      FROM audit_log ORDER BY seq DESC LIMIT 1;
    IF head_seq IS NULL THEN
        IF NEW.seq <> 1 OR NEW.prev_hash <> '\x0000000000000000000000000000000000000000000000000000000000000000'::bytea THEN
            RAISE EXCEPTION 'audit_log: the first entry must have seq 1 and a zero prev_hash';
        END IF;
    ELSIF NEW.seq <> head_seq + 1 OR NEW.prev_hash <> head_hash THEN
        RAISE EXCEPTION 'audit_log: entry % does not extend the chain head %', NEW.seq, head_seq;
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER audit_log_append_only_link
    BEFORE INSERT ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_link_check();

CREATE FUNCTION audit_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP;
END $$;

CREATE TRIGGER audit_log_no_update_delete
    BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change();

CREATE TRIGGER audit_log_no_truncate
    BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change();

-- Exactly one row: where this node stands. Applying epoch e moves
-- last_applied_epoch from e-1 to e in the same transaction as the epoch row.
CREATE TABLE node_state (
    singleton           boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    network_id          bytea   NOT NULL CHECK (octet_length(network_id) = 32),
    node_id             integer NOT NULL CHECK (node_id >= 0),
    last_applied_epoch  bigint  NOT NULL DEFAULT -1 CHECK (last_applied_epoch >= -1),
    state_digest        bytea   CHECK (octet_length(state_digest) = 32),
    audit_head          bytea   CHECK (octet_length(audit_head) = 32)
);

CREATE FUNCTION node_state_epoch_step_check() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.last_applied_epoch <> OLD.last_applied_epoch
       AND NEW.last_applied_epoch <> OLD.last_applied_epoch + 1 THEN
        RAISE EXCEPTION 'node_state: last_applied_epoch may only advance by one (% -> %)',
            OLD.last_applied_epoch, NEW.last_applied_epoch;
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER node_state_epoch_step
    BEFORE UPDATE ON node_state
    FOR EACH ROW EXECUTE FUNCTION node_state_epoch_step_check();
