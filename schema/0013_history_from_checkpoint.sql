-- A node rebuilt from a peer's certified checkpoint (issue 14). A node that
-- lost its database takes the ledger's state after checkpoint epoch C from
-- a peer (the snapshot whose digest C's certified tuple signs) and the
-- epochs after C, instead of replaying every epoch since genesis. Its
-- database then starts at C:
--
--   * epochs holds C (with its batches and signatures, so it can serve it
--     in turn) and everything after; trade_count is NULL for C alone: the
--     node took the state after C, not C's outcomes.
--   * positions, cash positions and balances are written from the ledger
--     at C (settlement::Ledger::state_rows), with last_epoch C; rows of the
--     trades, settlement runs and control votes decided before C are not
--     there (a member asks another node, or waits for the older history).
--   * the audit chain continues from C's certified head: its first entry
--     is seq C + 2 (epoch C + 1) with prev_hash the audit_head C's tuple
--     signs, so every later link is still checked on insert.
--   * node_state.history_start_epoch is C; last_applied_epoch jumps from
--     -1 to C once, in the transaction that writes C.
--
-- The v1 triggers forbid both the jump and a chain that does not start at
-- seq 1; this forward-only migration lets exactly these through and
-- nothing else: a node built from genesis never has history_start_epoch,
-- and it can be set only once, before any epoch was applied.

ALTER TABLE epochs ALTER COLUMN trade_count DROP NOT NULL;

ALTER TABLE node_state ADD COLUMN history_start_epoch bigint
    CONSTRAINT node_state_history_start_epoch_check CHECK (history_start_epoch >= 0);

CREATE OR REPLACE FUNCTION node_state_epoch_step_check() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.history_start_epoch IS DISTINCT FROM OLD.history_start_epoch THEN
        IF OLD.history_start_epoch IS NOT NULL OR OLD.last_applied_epoch <> -1
           OR NEW.last_applied_epoch <> NEW.history_start_epoch THEN
            RAISE EXCEPTION 'node_state: history may start at a checkpoint only once, before any epoch (% -> %)',
                OLD.history_start_epoch, NEW.history_start_epoch;
        END IF;
        IF NOT EXISTS (SELECT 1 FROM epochs WHERE epoch = NEW.history_start_epoch AND snapshot_digest IS NOT NULL) THEN
            RAISE EXCEPTION 'node_state: history cannot start at epoch %: no stored checkpoint epoch',
                NEW.history_start_epoch;
        END IF;
        RETURN NEW;
    END IF;
    IF NEW.last_applied_epoch <> OLD.last_applied_epoch
       AND NEW.last_applied_epoch <> OLD.last_applied_epoch + 1 THEN
        RAISE EXCEPTION 'node_state: last_applied_epoch may only advance by one (% -> %)',
            OLD.last_applied_epoch, NEW.last_applied_epoch;
    END IF;
    RETURN NEW;
END $$;

CREATE OR REPLACE FUNCTION audit_log_link_check() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    head_seq    bigint;
    head_hash   bytea;
    start_epoch bigint;
    start_head  bytea;
BEGIN
    SELECT seq, entry_hash INTO head_seq, head_hash
      FROM audit_log ORDER BY seq DESC LIMIT 1;
    IF head_seq IS NULL THEN
        SELECT s.history_start_epoch, e.audit_head INTO start_epoch, start_head
          FROM node_state s LEFT JOIN epochs e ON e.epoch = s.history_start_epoch;
        IF start_epoch IS NULL THEN
            IF NEW.seq <> 1 OR NEW.prev_hash <> '\x0000000000000000000000000000000000000000000000000000000000000000'::bytea THEN
                RAISE EXCEPTION 'audit_log: the first entry must have seq 1 and a zero prev_hash';
            END IF;
        ELSIF NEW.seq <> start_epoch + 2 OR NEW.prev_hash IS DISTINCT FROM start_head THEN
            RAISE EXCEPTION 'audit_log: the first entry after checkpoint % must have seq % and its certified head',
                start_epoch, start_epoch + 2;
        END IF;
    ELSIF NEW.seq <> head_seq + 1 OR NEW.prev_hash <> head_hash THEN
        RAISE EXCEPTION 'audit_log: entry % does not extend the chain head %', NEW.seq, head_seq;
    END IF;
    RETURN NEW;
END $$;
