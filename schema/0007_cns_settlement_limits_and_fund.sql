-- What the clearing domain produces since issue 11, so the node can store it:
-- CNS settlement (every securities obligation valued at one settlement price
-- per instrument and date, with its own mark; fails carried forward with
-- their value), limits for every clearing member (gross quantity, network
-- defaults), the late-trade window, the default fund, and the supported
-- network sizes. These are reference and settlement-result tables with few
-- rows, so they keep their constraints (ARCHITECTURE.md); positions, a hot
-- table, gains only cheap numeric checks.
--
-- Rows the new rules cannot express (a v1 limit row without a gross
-- quantity limit, a carried cash obligation, a BALANCE_OVERFLOW fail, a
-- network outside 4..31) make this migration fail: such a node rebuilds its
-- database from genesis by replaying epoch_batches, as on any restart
-- (settlement/README.md, Restart).

-- Network: genesis facts. The quorum engine supports n = 4..31 only and
-- genesis refuses any other n.
ALTER TABLE network DROP CONSTRAINT network_node_count_check;
ALTER TABLE network ADD CONSTRAINT network_node_count_check CHECK (node_count BETWEEN 4 AND 31);
-- Business days a trade may be late (genesis default 1); older ones are
-- refused with TRADE_DATE_TOO_OLD.
ALTER TABLE network ADD COLUMN late_trade_window_days smallint NOT NULL DEFAULT 1
    CHECK (late_trade_window_days BETWEEN 0 AND 10);
ALTER TABLE network ALTER COLUMN late_trade_window_days DROP DEFAULT;
-- The limits of every clearing member without a member_limits row. Without
-- them every clearing member has a row: nobody is unlimited.
ALTER TABLE network ADD COLUMN default_max_gross_notional_minor bigint
    CHECK (default_max_gross_notional_minor > 0);
ALTER TABLE network ADD COLUMN default_max_net_position bigint
    CHECK (default_max_net_position > 0);
ALTER TABLE network ADD COLUMN default_max_gross_quantity bigint
    CHECK (default_max_gross_quantity > 0);
ALTER TABLE network ADD CONSTRAINT network_default_limits_whole
    CHECK ((default_max_gross_notional_minor IS NULL) = (default_max_net_position IS NULL)
           AND (default_max_net_position IS NULL) = (default_max_gross_quantity IS NULL));

-- Per business date: units bought plus sold, all instruments. Gross notional
-- alone does not bound quantities (a price below one minor unit buys more
-- units than it costs). No default: a v1 limit row without it came from a
-- genesis that would now be refused.
ALTER TABLE member_limits ADD COLUMN max_gross_quantity bigint NOT NULL
    CHECK (max_gross_quantity > 0);

-- Each clearing member's cash contribution per currency, posted to the CCP
-- account at genesis (not part of the member's balance). The composite key
-- into members makes a contribution from the CCP, an operator or a
-- regulator impossible, and keeps a contributor's role from changing.
ALTER TABLE members ADD CONSTRAINT members_id_role_unique UNIQUE (member_id, role);
CREATE TABLE default_fund_contributions (
    member_id     text    NOT NULL,
    member_role   text    NOT NULL DEFAULT 'CLEARING_MEMBER' CHECK (member_role = 'CLEARING_MEMBER'),
    currency      char(3) NOT NULL REFERENCES currencies (code),
    amount_minor  bigint  NOT NULL CHECK (amount_minor > 0),
    PRIMARY KEY (member_id, currency),
    FOREIGN KEY (member_id, member_role) REFERENCES members (member_id, role)
);

-- Positions keep the cash their trades moved per instrument, at trade
-- prices: the mark of a (member, instrument) obligation is derived from it.
-- Rows written before this migration read 0; the ledger rebuilds them by
-- replaying epoch_batches (settlement/README.md, Restart).
ALTER TABLE positions ADD COLUMN paid_minor bigint NOT NULL DEFAULT 0 CHECK (paid_minor >= 0);
ALTER TABLE positions ADD COLUMN received_minor bigint NOT NULL DEFAULT 0 CHECK (received_minor >= 0);
ALTER TABLE positions ALTER COLUMN paid_minor DROP DEFAULT;
ALTER TABLE positions ALTER COLUMN received_minor DROP DEFAULT;

-- Net obligations, CNS style (settlement/netting.h, dvp.h). A SECURITIES
-- row is per (member, instrument): net_amount units moving against
-- value_minor = -net_amount x price_minor (the settlement price, minor units
-- per unit), plus mark_minor, the difference to trade prices, moving as
-- cash on its own, whole or not at all. A CASH row is the member's net cash
-- at trade prices in a currency, the sum of its fresh securities rows'
-- values and marks (mark_minor their marks): it reports their payment and
-- is never carried. Either may have net_amount 0 with only a mark.
-- settled_amount / settled_mark_minor: what moved of net_amount / mark_minor.
ALTER TABLE net_obligations DROP CONSTRAINT net_obligations_net_amount_check;
ALTER TABLE net_obligations ADD COLUMN price_minor bigint NOT NULL DEFAULT 0 CHECK (price_minor >= 0);
ALTER TABLE net_obligations ADD COLUMN value_minor bigint NOT NULL DEFAULT 0;
ALTER TABLE net_obligations ADD COLUMN mark_minor bigint NOT NULL DEFAULT 0;
ALTER TABLE net_obligations ADD COLUMN settled_amount bigint NOT NULL DEFAULT 0;
ALTER TABLE net_obligations ADD COLUMN settled_mark_minor bigint NOT NULL DEFAULT 0;
-- v1 settled each obligation all or nothing: a SETTLED row moved all of it.
UPDATE net_obligations SET settled_amount = net_amount WHERE status = 'SETTLED';
ALTER TABLE net_obligations ALTER COLUMN price_minor DROP DEFAULT;
ALTER TABLE net_obligations ALTER COLUMN value_minor DROP DEFAULT;
ALTER TABLE net_obligations ALTER COLUMN mark_minor DROP DEFAULT;
ALTER TABLE net_obligations ALTER COLUMN settled_amount DROP DEFAULT;
ALTER TABLE net_obligations ALTER COLUMN settled_mark_minor DROP DEFAULT;
ALTER TABLE net_obligations ADD CONSTRAINT net_obligations_moves_something
    CHECK (net_amount <> 0 OR mark_minor <> 0);
-- In numeric, so that a wrong row is a CHECK failure, not an overflow.
ALTER TABLE net_obligations ADD CONSTRAINT net_obligations_value_at_price
    CHECK (CASE asset_kind
             WHEN 'SECURITIES' THEN value_minor::numeric = -(net_amount::numeric * price_minor)
             ELSE price_minor = 0 AND value_minor = 0 END);
-- Securities: partial deliveries, never more than owed, never the other way.
ALTER TABLE net_obligations ADD CONSTRAINT net_obligations_settled_within_net
    CHECK (asset_kind = 'CASH'
           OR (net_amount >= 0 AND settled_amount BETWEEN 0 AND net_amount)
           OR (net_amount < 0 AND settled_amount BETWEEN net_amount AND 0));
ALTER TABLE net_obligations ADD CONSTRAINT net_obligations_mark_moves_whole
    CHECK (asset_kind = 'CASH' OR settled_mark_minor IN (0, mark_minor));
-- SETTLED: everything moved; PENDING (netted, not yet settled): nothing did.
-- A FAILED securities row left something unmoved (a cash row may move its
-- whole amount while its securities fail in opposite directions).
ALTER TABLE net_obligations ADD CONSTRAINT net_obligations_settled_moved_all
    CHECK (status <> 'SETTLED' OR (settled_amount = net_amount AND settled_mark_minor = mark_minor));
ALTER TABLE net_obligations ADD CONSTRAINT net_obligations_pending_moved_nothing
    CHECK (status <> 'PENDING' OR (settled_amount = 0 AND settled_mark_minor = 0));
ALTER TABLE net_obligations ADD CONSTRAINT net_obligations_failed_left_something
    CHECK (status <> 'FAILED' OR asset_kind = 'CASH'
           OR settled_amount <> net_amount OR settled_mark_minor <> mark_minor);
-- A failed securities obligation carries its own cash (value, unpaid mark),
-- so only securities are ever carried forward.
ALTER TABLE net_obligations ADD CONSTRAINT net_obligations_only_securities_carried
    CHECK (origin_date = settlement_date OR asset_kind = 'SECURITIES');
-- Every reason a run can give (settlement/README.md, Fail reasons).
ALTER TABLE net_obligations DROP CONSTRAINT net_obligations_fail_reason_check;
ALTER TABLE net_obligations ADD CONSTRAINT net_obligations_fail_reason_check
    CHECK (fail_reason IN ('INSUFFICIENT_SECURITIES', 'CCP_SHORTFALL', 'INSUFFICIENT_CASH'));
-- What a failed securities row leaves open for the next run, derived so it
-- cannot disagree: the units that did not move are a fail-to-deliver
-- (net_amount < 0) or a fail-to-receive; else only its mark is unpaid.
ALTER TABLE net_obligations ADD COLUMN fail_kind text GENERATED ALWAYS AS (
    CASE WHEN status <> 'FAILED' OR asset_kind <> 'SECURITIES' THEN NULL
         WHEN settled_amount <> net_amount AND net_amount < 0 THEN 'FAIL_TO_DELIVER'
         WHEN settled_amount <> net_amount THEN 'FAIL_TO_RECEIVE'
         ELSE 'MARK_UNPAID' END) STORED;
