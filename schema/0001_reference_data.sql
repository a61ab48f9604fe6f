-- Reference data from the network's genesis: who the members are, what they
-- may trade, and within which limits. Identifiers are short upper-case codes
-- so that they are safe in logs, file names and metric labels.

CREATE TABLE currencies (
    code        char(3)  PRIMARY KEY CHECK (code ~ '^[A-Z]{3}$'),
    minor_units smallint NOT NULL CHECK (minor_units BETWEEN 0 AND 4)
);

CREATE TABLE members (
    member_id  text    PRIMARY KEY CHECK (member_id ~ '^[A-Z0-9_]{1,16}$'),
    name       text    NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    role       text    NOT NULL CHECK (role IN ('CLEARING_MEMBER', 'OPERATOR', 'REGULATOR')),
    -- The quorum node this member runs; operators and regulators may run none.
    node_id    integer UNIQUE CHECK (node_id >= 0)
);

CREATE TABLE instruments (
    isin             char(12) PRIMARY KEY CHECK (isin ~ '^[A-Z]{2}[A-Z0-9]{9}[0-9]$'),
    currency         char(3)  NOT NULL REFERENCES currencies (code),
    -- Prices are integers in units of 10^-price_scale of the currency.
    price_scale      smallint NOT NULL CHECK (price_scale BETWEEN 0 AND 9),
    price_band_low   bigint   NOT NULL CHECK (price_band_low > 0),
    price_band_high  bigint   NOT NULL,
    suspended        boolean  NOT NULL DEFAULT false,
    CHECK (price_band_high >= price_band_low)
);

CREATE TABLE member_limits (
    member_id                  text   PRIMARY KEY REFERENCES members (member_id),
    -- Per business date, in the minor units of each trade's currency.
    max_gross_notional_minor   bigint NOT NULL CHECK (max_gross_notional_minor > 0),
    -- Absolute net quantity per instrument and settlement date.
    max_net_position           bigint NOT NULL CHECK (max_net_position > 0)
);
