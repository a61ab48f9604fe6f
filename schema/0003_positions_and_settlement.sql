-- Positions, balances and end-of-day settlement. All quantities are integer
-- units and all money integer minor units of its currency.

-- Net traded position per settlement date, updated by each applied epoch.
CREATE TABLE positions (
    member_id        text     NOT NULL REFERENCES members (member_id),
    isin             char(12) NOT NULL REFERENCES instruments (isin),
    settlement_date  date     NOT NULL,
    bought           bigint   NOT NULL CHECK (bought >= 0),
    sold             bigint   NOT NULL CHECK (sold >= 0),
    net_quantity     bigint   NOT NULL,
    last_epoch       bigint   NOT NULL REFERENCES epochs (epoch),
    PRIMARY KEY (member_id, isin, settlement_date),
    CHECK (net_quantity = bought - sold)
);

CREATE TABLE cash_positions (
    member_id        text    NOT NULL REFERENCES members (member_id),
    currency         char(3) NOT NULL REFERENCES currencies (code),
    settlement_date  date    NOT NULL,
    received_minor   bigint  NOT NULL CHECK (received_minor >= 0),
    paid_minor       bigint  NOT NULL CHECK (paid_minor >= 0),
    net_minor        bigint  NOT NULL,
    last_epoch       bigint  NOT NULL REFERENCES epochs (epoch),
    PRIMARY KEY (member_id, currency, settlement_date),
    CHECK (net_minor = received_minor - paid_minor)
);

-- What members actually hold; settlement moves these. Never negative: a
-- delivery or payment that would overdraw fails instead.
CREATE TABLE securities_balances (
    member_id  text     NOT NULL REFERENCES members (member_id),
    isin       char(12) NOT NULL REFERENCES instruments (isin),
    quantity   bigint   NOT NULL CHECK (quantity >= 0),
    PRIMARY KEY (member_id, isin)
);

CREATE TABLE cash_balances (
    member_id     text    NOT NULL REFERENCES members (member_id),
    currency      char(3) NOT NULL REFERENCES currencies (code),
    amount_minor  bigint  NOT NULL CHECK (amount_minor >= 0),
    PRIMARY KEY (member_id, currency)
);

-- One run per settlement date: the primary key makes a repeated cut-off for
-- the same date a no-op rather than a second set of obligations.
CREATE TABLE settlement_runs (
    settlement_date  date    PRIMARY KEY,
    cutoff_epoch     bigint  NOT NULL REFERENCES epochs (epoch),
    business_date    date    NOT NULL,
    report_digest    bytea   NOT NULL CHECK (octet_length(report_digest) = 32),
    status           text    NOT NULL CHECK (status IN ('NETTED', 'SETTLED', 'PARTIALLY_SETTLED'))
);

-- Gross against net per currency: netting efficiency = 1 - net / gross.
CREATE TABLE settlement_run_totals (
    settlement_date  date    NOT NULL REFERENCES settlement_runs (settlement_date),
    currency         char(3) NOT NULL REFERENCES currencies (code),
    gross_minor      bigint  NOT NULL CHECK (gross_minor >= 0),
    net_minor        bigint  NOT NULL CHECK (net_minor >= 0),
    trade_count      integer NOT NULL CHECK (trade_count >= 0),
    PRIMARY KEY (settlement_date, currency),
    CHECK (net_minor <= gross_minor)
);

-- One net delivery/receipt per (member, instrument) and one net
-- payment/receipt per (member, currency). Positive: the member receives.
CREATE TABLE net_obligations (
    settlement_date  date    NOT NULL REFERENCES settlement_runs (settlement_date),
    member_id        text    NOT NULL REFERENCES members (member_id),
    asset_kind       text    NOT NULL CHECK (asset_kind IN ('SECURITIES', 'CASH')),
    asset            text    NOT NULL CHECK (asset ~ '^([A-Z]{3}|[A-Z]{2}[A-Z0-9]{9}[0-9])$'),
    net_amount       bigint  NOT NULL CHECK (net_amount <> 0),
    status           text    NOT NULL CHECK (status IN ('PENDING', 'SETTLED', 'FAILED')),
    fail_reason      text    CHECK (fail_reason ~ '^[A-Z_]{1,48}$'),
    -- Set when this obligation is a failed one carried from an earlier date.
    carried_from     date    CHECK (carried_from < settlement_date),
    PRIMARY KEY (settlement_date, member_id, asset_kind, asset),
    CHECK ((status = 'FAILED') = (fail_reason IS NOT NULL)),
    CHECK ((asset_kind = 'CASH') = (length(asset) = 3))
);
