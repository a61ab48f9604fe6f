-- The entered epoch moves to a row of its own (issue 16, from a profile).
-- The epoch writer holds node_state's one row locked for its whole
-- transaction (SELECT ... FOR UPDATE, then the UPDATE of
-- last_applied_epoch), and the core thread writes the entered epoch before
-- a Step's messages go out: on the same row, entering an epoch waited for
-- the commit in progress. Measured with log_min_duration_statement on the
-- quickstart's PostgreSQL (4 nodes sharing 2 cores, clearctl loadgen at
-- 1,000 trades/s, 2026-12-04): 412 such UPDATEs took 7.7 s, 18.6 ms each,
-- every one of them stalling the quorum behind PostgreSQL. A row of its own
-- is locked only by its own one-statement transactions.
CREATE TABLE node_entered_epoch (
    singleton boolean PRIMARY KEY DEFAULT true CONSTRAINT node_entered_epoch_singleton CHECK (singleton),
    entered_epoch bigint NOT NULL CONSTRAINT node_entered_epoch_check CHECK (entered_epoch >= -1)
);

INSERT INTO node_entered_epoch (entered_epoch) SELECT entered_epoch FROM node_state;

-- As node_state's (0009): a lower value written back would reopen the
-- epochs it guards.
CREATE FUNCTION node_entered_epoch_rises_check() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.entered_epoch < OLD.entered_epoch THEN
        RAISE EXCEPTION 'node_entered_epoch: entered_epoch may only rise (% -> %)',
            OLD.entered_epoch, NEW.entered_epoch;
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER node_entered_epoch_rises
    BEFORE UPDATE ON node_entered_epoch
    FOR EACH ROW EXECUTE FUNCTION node_entered_epoch_rises_check();

-- node_state.entered_epoch stays (migrations only go forward) but is no
-- longer written; a reader takes the greater of the two, so a node that
-- upgrades keeps what it entered before.

-- The audit chain's read of status changes (GET /v1/audit, audit verify)
-- selects the trades whose status changed after the epoch that decided
-- them, by the epoch of the change; it scanned the whole table for each
-- page (the same profile: 370 pages, 21 ms each, growing with the table).
-- Only rows changed later are in this index, and a row changes at most a
-- few times, so the epoch writer's cost stays small.
CREATE INDEX trades_by_status_change ON trades (status_epoch) WHERE status_epoch > epoch;
