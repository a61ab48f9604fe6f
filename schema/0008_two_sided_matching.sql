-- Two-sided trade matching (issue 12). One member's word no longer books a
-- trade against another: a row of `trades` is now one version of one
-- member's trade report, keyed (submitter, trade_id, version). A bilateral
-- report is an allegation until the counterparty's own report matches it;
-- a trading venue's report is locked-in and confirms alone, because both
-- parties accepted the venue's rulebook. Every version stays (a corrected
-- report supersedes the old one, which becomes REPLACED), so the table
-- holds about two rows per booked trade and more with corrections.
--
-- That doubles the write volume of the hottest table, so `trades` here also
-- sheds what ARCHITECTURE.md ("What the write path costs") measured as the
-- cost: with its foreign keys and regex CHECKs the v1 table took COPY at
-- 31k rows/s, with its primary key only at 294k. The deterministic ledger
-- validates every reference and every identifier's syntax before anything
-- is written, and audit verification re-derives every row by replaying
-- epoch_batches, so those checks bought little. What stays are the primary
-- key and cheap comparisons that protect money and the lifecycle: a row
-- PostgreSQL still refuses is one no honest ledger can produce, whatever
-- wrote it.
--
-- Existing rows become version 1 bilateral reports. A v1 row that was
-- CONFIRMED, SETTLED or FAILED was booked on one side's word, which the
-- new rules cannot express (a booked bilateral report names the report it
-- matched), so such a row makes this migration fail: that node rebuilds its
-- database from genesis by replaying epoch_batches, as 0007 asks for rows
-- it cannot express (settlement/README.md, Restart). RECEIVED and REJECTED
-- rows migrate unchanged. Nothing references `trades` (no foreign key into
-- it exists in 0001..0007), so its primary key can change in place.

-- Members: a trading venue (exchange, MTF) runs its own node like a member
-- and submits locked-in trades; it is never buyer or seller, which the
-- ledger enforces (trades no longer reference members).
ALTER TABLE members DROP CONSTRAINT members_role_check;
ALTER TABLE members ADD CONSTRAINT members_role_check
    CHECK (role IN ('CLEARING_MEMBER', 'OPERATOR', 'REGULATOR', 'CENTRAL_COUNTERPARTY', 'TRADING_VENUE'));

-- Which clearing members each venue may submit trades for (genesis
-- reference data, few rows, so every constraint stays). The composite keys
-- into members, as default_fund_contributions does, make a row for a
-- non-venue or for a member that is not a clearing member impossible, and
-- keep either side's role from changing under it.
CREATE TABLE venue_members (
    venue_id     text NOT NULL,
    venue_role   text NOT NULL DEFAULT 'TRADING_VENUE'
                 CONSTRAINT venue_members_venue_role_check CHECK (venue_role = 'TRADING_VENUE'),
    member_id    text NOT NULL,
    member_role  text NOT NULL DEFAULT 'CLEARING_MEMBER'
                 CONSTRAINT venue_members_member_role_check CHECK (member_role = 'CLEARING_MEMBER'),
    PRIMARY KEY (venue_id, member_id),
    CONSTRAINT venue_members_not_self CHECK (venue_id <> member_id),
    CONSTRAINT venue_members_venue_fkey FOREIGN KEY (venue_id, venue_role)
        REFERENCES members (member_id, role),
    CONSTRAINT venue_members_member_fkey FOREIGN KEY (member_id, member_role)
        REFERENCES members (member_id, role)
);

-- Network: genesis facts. A report still alleged at the cut-off of its
-- business date plus allegation_expiry_days business days is
-- UNMATCHED_EXPIRED (genesis default 1, as late_trade_window_days). A
-- member's open reports are capped so that no member can flood the state;
-- beyond the cap a report is refused with ALLEGATION_LIMIT.
ALTER TABLE network ADD COLUMN allegation_expiry_days smallint NOT NULL DEFAULT 1
    CONSTRAINT network_allegation_expiry_days_check CHECK (allegation_expiry_days BETWEEN 0 AND 10);
ALTER TABLE network ALTER COLUMN allegation_expiry_days DROP DEFAULT;
ALTER TABLE network ADD COLUMN max_open_reports_per_member integer NOT NULL DEFAULT 10000
    CONSTRAINT network_max_open_reports_per_member_check
    CHECK (max_open_reports_per_member BETWEEN 1 AND 1000000);
ALTER TABLE network ALTER COLUMN max_open_reports_per_member DROP DEFAULT;

-- Trades: the foreign keys and regex CHECKs go (the top of this file says why).
ALTER TABLE trades DROP CONSTRAINT trades_submitter_fkey;
ALTER TABLE trades DROP CONSTRAINT trades_buyer_fkey;
ALTER TABLE trades DROP CONSTRAINT trades_seller_fkey;
ALTER TABLE trades DROP CONSTRAINT trades_isin_fkey;
ALTER TABLE trades DROP CONSTRAINT trades_currency_fkey;
ALTER TABLE trades DROP CONSTRAINT trades_epoch_fkey;
ALTER TABLE trades DROP CONSTRAINT trades_trade_id_check;
ALTER TABLE trades DROP CONSTRAINT trades_reject_reason_check;
-- Replaced below by rules that know report kinds and the new statuses.
-- 0002 left these unnamed; PostgreSQL numbered them in table order.
ALTER TABLE trades DROP CONSTRAINT trades_check1;  -- submitter = buyer OR submitter = seller
ALTER TABLE trades DROP CONSTRAINT trades_check3;  -- REJECTED = reason present
ALTER TABLE trades DROP CONSTRAINT trades_status_check;

-- Kept, under names that say what they protect: a party trading with
-- itself, settling before trading, a decided row outside any epoch.
ALTER TABLE trades RENAME CONSTRAINT trades_check TO trades_buyer_not_seller;
ALTER TABLE trades RENAME CONSTRAINT trades_check2 TO trades_settles_not_before_trade_date;
ALTER TABLE trades RENAME CONSTRAINT trades_check4 TO trades_decided_in_an_epoch;
-- Also kept as they were: quantity, price and consideration_minor > 0,
-- price_scale 0..9, content_hash of 32 bytes, client_ref and reject_field
-- at most 64 characters, and 0005's booked dates when confirmed.

-- Bounds instead of the regexes: as cheap as the numeric checks, and they
-- still keep an unbounded string out of a hot table.
ALTER TABLE trades ADD CONSTRAINT trades_trade_id_length CHECK (length(trade_id) BETWEEN 1 AND 64);
ALTER TABLE trades ADD CONSTRAINT trades_reject_reason_length CHECK (length(reject_reason) BETWEEN 1 AND 48);
-- epochs(epoch) no longer vouches for the epoch; a sign check does.
ALTER TABLE trades ADD CONSTRAINT trades_epoch_not_negative CHECK (epoch >= 0);

-- The price is the report's price normalised to the instrument's scale, and
-- price_scale is that scale, so "10.5" and "10.50" are one integer and the
-- two sides of a trade compare by equality. No v1 row is rewritten: a
-- booked one was already in the instrument's scale (anything else was
-- PRICE_SCALE_MISMATCH), a rejected one is the evidence of its rejection as
-- submitted, and a RECEIVED one is not decided yet (its decided row is
-- written when it is).

-- One version of one member's report: at most 16, so a member correcting
-- forever cannot grow the history without bound.
ALTER TABLE trades ADD COLUMN version smallint NOT NULL DEFAULT 1
    CONSTRAINT trades_version_range CHECK (version BETWEEN 1 AND 16);
ALTER TABLE trades ALTER COLUMN version DROP DEFAULT;
ALTER TABLE trades DROP CONSTRAINT trades_pkey;
ALTER TABLE trades ADD CONSTRAINT trades_pkey PRIMARY KEY (submitter, trade_id, version);

-- BILATERAL: the submitter is the buyer or the seller. LOCKED_IN: a venue
-- submitted it and is neither. A report claiming the one while being the
-- other is what a forged "venue" trade or a third party's allegation would
-- look like.
ALTER TABLE trades ADD COLUMN report_kind text NOT NULL DEFAULT 'BILATERAL'
    CONSTRAINT trades_report_kind_check CHECK (report_kind IN ('BILATERAL', 'LOCKED_IN'));
ALTER TABLE trades ALTER COLUMN report_kind DROP DEFAULT;
ALTER TABLE trades ADD CONSTRAINT trades_kind_matches_parties
    CHECK ((report_kind = 'BILATERAL') = (submitter = buyer OR submitter = seller));

-- The submitter of the report this one paired with: the counterparty's for
-- a matched or mismatched bilateral report, the venue's for an affirmation.
-- status_epoch: when the status last changed (epoch is when it arrived).
ALTER TABLE trades ADD COLUMN matched_submitter text;
ALTER TABLE trades ADD COLUMN status_epoch bigint;

ALTER TABLE trades ADD CONSTRAINT trades_status_check
    CHECK (status IN ('RECEIVED', 'ALLEGED', 'MISMATCHED', 'CONFIRMED', 'AFFIRMED', 'CANCELLED',
                      'UNMATCHED_EXPIRED', 'REPLACED', 'REJECTED', 'SETTLED', 'FAILED'));
-- A reason exactly when the report is refused or left unmatched; a live,
-- booked, cancelled or superseded report carries none.
ALTER TABLE trades ADD CONSTRAINT trades_reason_when_refused_or_unmatched
    CHECK ((status IN ('REJECTED', 'MISMATCHED', 'UNMATCHED_EXPIRED')) = (reject_reason IS NOT NULL));
-- A mismatch names the economic field that differs and the report it was
-- compared with, so both sides can see what to correct. COALESCE: a missing
-- field or reason makes the comparisons NULL, which a CHECK would pass.
ALTER TABLE trades ADD CONSTRAINT trades_mismatch_names_field_and_report
    CHECK (status <> 'MISMATCHED'
           OR COALESCE(reject_reason = 'FIELD_MISMATCH' AND matched_submitter IS NOT NULL
                       AND reject_field IN ('isin', 'quantity', 'price', 'currency', 'trade_date',
                                            'settlement_date'), false));
ALTER TABLE trades ADD CONSTRAINT trades_expired_reason
    CHECK (status <> 'UNMATCHED_EXPIRED' OR COALESCE(reject_reason = 'ALLEGATION_EXPIRED', false));
-- The rule of issue 12 itself: a bilateral report moves positions only when
-- the other side's report matched it. This is what stops one member from
-- booking a trade against a counterparty that never agreed.
ALTER TABLE trades ADD CONSTRAINT trades_booked_bilateral_was_matched
    CHECK (status NOT IN ('CONFIRMED', 'SETTLED', 'FAILED') OR report_kind <> 'BILATERAL'
           OR matched_submitter IS NOT NULL);
-- An affirmation books nothing, so it must say which venue trade did.
ALTER TABLE trades ADD CONSTRAINT trades_affirmation_names_venue
    CHECK (status <> 'AFFIRMED' OR matched_submitter IS NOT NULL);
-- A locked-in trade confirms alone: it is never waiting for, compared with
-- or affirming another report.
ALTER TABLE trades ADD CONSTRAINT trades_locked_in_never_paired
    CHECK (report_kind = 'BILATERAL' OR status NOT IN ('ALLEGED', 'MISMATCHED', 'AFFIRMED'));
ALTER TABLE trades ADD CONSTRAINT trades_matched_not_self CHECK (matched_submitter <> submitter);
ALTER TABLE trades ADD CONSTRAINT trades_status_epoch_after_arrival
    CHECK (status_epoch IS NULL OR (epoch IS NOT NULL AND status_epoch >= epoch));

-- trades_by_epoch stays: replay and audit read a node's rows per epoch.
-- trades_by_settlement goes: nothing reads it (netting runs in the ledger,
-- the cut-off's unmatched list has its own table below), it indexes the
-- submitted settlement date rather than the booked one, and each secondary
-- index is one more write per row.
DROP INDEX trades_by_settlement;

-- What the cut-off report lists as still unmatched for the date it closed,
-- per member: alleged, mismatched, or expired at this cut-off. A settlement
-- result written once per run, so it keeps its constraints. A run's
-- settlement_date is the business date its cut-off closed
-- (settlement/ledger.h, SettlementReport), so business_date references it
-- as net_obligations does.
CREATE TABLE settlement_unmatched_reports (
    business_date         date     NOT NULL REFERENCES settlement_runs (settlement_date),
    submitter             text     NOT NULL REFERENCES members (member_id),
    trade_id              text     NOT NULL
                          CONSTRAINT settlement_unmatched_reports_trade_id_length
                          CHECK (length(trade_id) BETWEEN 1 AND 64),
    version               smallint NOT NULL
                          CONSTRAINT settlement_unmatched_reports_version_range CHECK (version BETWEEN 1 AND 16),
    -- The member the report alleges against (the other party it names).
    counterparty          text     NOT NULL REFERENCES members (member_id),
    status                text     NOT NULL
                          CONSTRAINT settlement_unmatched_reports_status_check
                          CHECK (status IN ('ALLEGED', 'MISMATCHED', 'UNMATCHED_EXPIRED')),
    mismatch_field        text
                          CONSTRAINT settlement_unmatched_reports_mismatch_field_check
                          CHECK (mismatch_field IN ('isin', 'quantity', 'price', 'currency',
                                                    'trade_date', 'settlement_date')),
    -- The open business date when the report arrived.
    report_business_date  date     NOT NULL,
    -- One live version per (submitter, trade_id) at any time.
    PRIMARY KEY (business_date, submitter, trade_id),
    CONSTRAINT settlement_unmatched_reports_not_self CHECK (counterparty <> submitter),
    CONSTRAINT settlement_unmatched_reports_arrived_by_cutoff CHECK (report_business_date <= business_date),
    CONSTRAINT settlement_unmatched_reports_field_when_mismatched
        CHECK ((status = 'MISMATCHED') = (mismatch_field IS NOT NULL))
);

-- Unkeyed rejections now include refused cancels (TRADE_NOT_FOUND,
-- ALREADY_MATCHED, REPORT_NOT_OPEN) and reports refused before taking a key
-- (ALLEGATION_LIMIT, VERSION_LIMIT): which kind of entry it was. Every
-- earlier row was a report.
ALTER TABLE trade_rejections ADD COLUMN entry_kind text NOT NULL DEFAULT 'REPORT'
    CONSTRAINT trade_rejections_entry_kind_check CHECK (entry_kind IN ('REPORT', 'CANCEL'));

-- A first version that fails validation is REJECTED under its key (so a
-- resubmission is a no-op), with the fields it was refused for as
-- submitted: a zero quantity, a price at a scale above 9, buyer = seller,
-- a settlement before the trade date, a submitter that is no party. Such a
-- row moves nothing, so the money checks bind every row but these; a row
-- that can book (every other status) keeps them all. Its consideration is
-- 0 when validation stopped before computing one.
ALTER TABLE trades DROP CONSTRAINT trades_quantity_check;
ALTER TABLE trades ADD CONSTRAINT trades_quantity_check CHECK (status = 'REJECTED' OR quantity > 0);
ALTER TABLE trades DROP CONSTRAINT trades_price_check;
ALTER TABLE trades ADD CONSTRAINT trades_price_check CHECK (status = 'REJECTED' OR price > 0);
ALTER TABLE trades DROP CONSTRAINT trades_consideration_minor_check;
ALTER TABLE trades ADD CONSTRAINT trades_consideration_minor_check
    CHECK (consideration_minor > 0 OR (status = 'REJECTED' AND consideration_minor = 0));
ALTER TABLE trades DROP CONSTRAINT trades_price_scale_check;
ALTER TABLE trades ADD CONSTRAINT trades_price_scale_check
    CHECK (price_scale BETWEEN 0 AND 9 OR (status = 'REJECTED' AND price_scale BETWEEN 0 AND 255));
ALTER TABLE trades DROP CONSTRAINT trades_buyer_not_seller;
ALTER TABLE trades ADD CONSTRAINT trades_buyer_not_seller CHECK (status = 'REJECTED' OR buyer <> seller);
ALTER TABLE trades DROP CONSTRAINT trades_settles_not_before_trade_date;
ALTER TABLE trades ADD CONSTRAINT trades_settles_not_before_trade_date
    CHECK (status = 'REJECTED' OR settlement_date >= trade_date);
ALTER TABLE trades DROP CONSTRAINT trades_kind_matches_parties;
ALTER TABLE trades ADD CONSTRAINT trades_kind_matches_parties
    CHECK (status = 'REJECTED' OR (report_kind = 'BILATERAL') = (submitter = buyer OR submitter = seller));
