-- Aligns the v1 tables with the clearing domain as built in settlement/:
-- the network itself is the central counterparty with an account of its own,
-- a trade records the business date it was booked on (it may roll past a
-- cut-off) and the price scale it was priced in, and a fail carried forward
-- keeps its origin date so it cannot collide with a fresh obligation.

-- The CCP account ('CCP') holds default-fund liquidity and is the
-- counterparty of every obligation; it is a member row so balances and
-- obligations can reference it, with a role no person or node holds.
ALTER TABLE members DROP CONSTRAINT members_role_check;
ALTER TABLE members ADD CONSTRAINT members_role_check
    CHECK (role IN ('CLEARING_MEMBER', 'OPERATOR', 'REGULATOR', 'CENTRAL_COUNTERPARTY'));
ALTER TABLE members ADD CONSTRAINT members_ccp_runs_no_node
    CHECK (role <> 'CENTRAL_COUNTERPARTY' OR node_id IS NULL);
CREATE UNIQUE INDEX members_one_ccp ON members (role) WHERE role = 'CENTRAL_COUNTERPARTY';

-- The submitted fields stay as submitted (the content hash covers them);
-- where the trade was booked is recorded beside them once it is decided.
ALTER TABLE trades ADD COLUMN price_scale smallint NOT NULL DEFAULT 0
    CHECK (price_scale BETWEEN 0 AND 9);
ALTER TABLE trades ALTER COLUMN price_scale DROP DEFAULT;
ALTER TABLE trades ADD COLUMN business_date date;
ALTER TABLE trades ADD COLUMN effective_settlement_date date;
ALTER TABLE trades ADD CONSTRAINT trades_booked_dates_when_confirmed
    CHECK (status NOT IN ('CONFIRMED', 'SETTLED', 'FAILED')
           OR (business_date IS NOT NULL AND effective_settlement_date IS NOT NULL));
ALTER TABLE trades ADD CONSTRAINT trades_booked_not_before_trade_date
    CHECK (business_date >= trade_date AND effective_settlement_date >= business_date
           AND effective_settlement_date >= settlement_date);

-- A carried fail and the date's fresh obligation in the same asset are two
-- rows: origin_date is part of the key (equal to settlement_date when fresh).
ALTER TABLE net_obligations ADD COLUMN origin_date date;
UPDATE net_obligations SET origin_date = COALESCE(carried_from, settlement_date);
ALTER TABLE net_obligations ALTER COLUMN origin_date SET NOT NULL;
ALTER TABLE net_obligations DROP CONSTRAINT net_obligations_pkey;
ALTER TABLE net_obligations ADD PRIMARY KEY (settlement_date, member_id, asset_kind, asset, origin_date);
ALTER TABLE net_obligations ADD CONSTRAINT net_obligations_origin_not_after
    CHECK (origin_date <= settlement_date);
ALTER TABLE net_obligations DROP COLUMN carried_from;

-- The business date the ledger has open, for monitoring and restart checks.
ALTER TABLE node_state ADD COLUMN open_business_date date;
