#include "settlement/validation.h"

#include "settlement/isin.h"
#include "settlement/money.h"

#include <limits>

namespace quorumclear::settlement {

std::string_view to_string(Reason reason) {
  switch (reason) {
    case Reason::kNone: return "NONE";
    case Reason::kTradeIdInvalid: return "TRADE_ID_INVALID";
    case Reason::kMemberUnknown: return "MEMBER_UNKNOWN";
    case Reason::kMemberNotClearing: return "MEMBER_NOT_CLEARING";
    case Reason::kSubmitterNotParty: return "SUBMITTER_NOT_PARTY";
    case Reason::kBuyerIsSeller: return "BUYER_IS_SELLER";
    case Reason::kIsinInvalid: return "ISIN_INVALID";
    case Reason::kInstrumentUnknown: return "INSTRUMENT_UNKNOWN";
    case Reason::kCurrencyUnknown: return "CURRENCY_UNKNOWN";
    case Reason::kCurrencyMismatch: return "CURRENCY_MISMATCH";
    case Reason::kQuantityNotPositive: return "QUANTITY_NOT_POSITIVE";
    case Reason::kPriceNotPositive: return "PRICE_NOT_POSITIVE";
    case Reason::kPriceScaleMismatch: return "PRICE_SCALE_MISMATCH";
    case Reason::kPriceOutsideBand: return "PRICE_OUTSIDE_BAND";
    case Reason::kConsiderationOverflow: return "CONSIDERATION_OVERFLOW";
    case Reason::kConsiderationTooSmall: return "CONSIDERATION_TOO_SMALL";
    case Reason::kDateOutOfRange: return "DATE_OUT_OF_RANGE";
    case Reason::kTradeDateBeforeGenesis: return "TRADE_DATE_BEFORE_GENESIS";
    case Reason::kTradeDateNotBusinessDay: return "TRADE_DATE_NOT_BUSINESS_DAY";
    case Reason::kSettlementDateNotBusinessDay: return "SETTLEMENT_DATE_NOT_BUSINESS_DAY";
    case Reason::kSettlementBeforeTradeDate: return "SETTLEMENT_BEFORE_TRADE_DATE";
    case Reason::kSettlementCycleTooLong: return "SETTLEMENT_CYCLE_TOO_LONG";
    case Reason::kClientRefInvalid: return "CLIENT_REF_INVALID";
    case Reason::kVenueNotPermitted: return "VENUE_NOT_PERMITTED";
    case Reason::kSubmitterNotProposer: return "SUBMITTER_NOT_PROPOSER";
    case Reason::kDuplicateConflict: return "DUPLICATE_CONFLICT";
    case Reason::kTradeDateNotOpen: return "TRADE_DATE_NOT_OPEN";
    case Reason::kTradeDateTooOld: return "TRADE_DATE_TOO_OLD";
    case Reason::kInstrumentSuspended: return "INSTRUMENT_SUSPENDED";
    case Reason::kLimitGrossNotional: return "LIMIT_GROSS_NOTIONAL";
    case Reason::kLimitNetPosition: return "LIMIT_NET_POSITION";
    case Reason::kLimitGrossQuantity: return "LIMIT_GROSS_QUANTITY";
    case Reason::kPositionOverflow: return "POSITION_OVERFLOW";
    case Reason::kBatchUndecodable: return "BATCH_UNDECODABLE";
    case Reason::kNotOperator: return "NOT_OPERATOR";
    case Reason::kCutOffDateNotOpen: return "CUTOFF_DATE_NOT_OPEN";
    case Reason::kCutOffAlreadyApplied: return "CUTOFF_ALREADY_APPLIED";
    case Reason::kAssetUnknown: return "ASSET_UNKNOWN";
    case Reason::kAmountNotPositive: return "AMOUNT_NOT_POSITIVE";
    case Reason::kBalanceOverflow: return "BALANCE_OVERFLOW";
    case Reason::kProposerUnknown: return "PROPOSER_UNKNOWN";
    case Reason::kControlRefInvalid: return "CONTROL_REF_INVALID";
    case Reason::kControlAlreadyApplied: return "CONTROL_ALREADY_APPLIED";
    case Reason::kControlRefConflict: return "CONTROL_REF_CONFLICT";
    case Reason::kControlExpired: return "CONTROL_EXPIRED";
    case Reason::kControlVoteLimit: return "CONTROL_VOTE_LIMIT";
    case Reason::kInsufficientSecurities: return "INSUFFICIENT_SECURITIES";
    case Reason::kInsufficientCash: return "INSUFFICIENT_CASH";
    case Reason::kCcpShortfall: return "CCP_SHORTFALL";
    case Reason::kFieldMismatch: return "FIELD_MISMATCH";
    case Reason::kAllegationExpired: return "ALLEGATION_EXPIRED";
    case Reason::kAllegationLimit: return "ALLEGATION_LIMIT";
    case Reason::kVersionLimit: return "VERSION_LIMIT";
    case Reason::kTradeNotFound: return "TRADE_NOT_FOUND";
    case Reason::kAlreadyMatched: return "ALREADY_MATCHED";
    case Reason::kReportNotOpen: return "REPORT_NOT_OPEN";
    case Reason::kLockedInMismatch: return "LOCKED_IN_MISMATCH";
  }
  return "UNKNOWN";
}

namespace {

TradeCheck reject(Reason reason, std::string_view field) {
  TradeCheck check;
  check.reason = reason;
  check.field = field;
  return check;
}

// Resolves a party and requires the clearing-member role: operators run the
// network and regulators only read, neither may be a party to a trade.
Reason resolve_party(const MemberId& id, const ReferenceData& ref, MemberIndex& out) {
  const std::optional<MemberIndex> index = ref.find_member(id);
  if (!index) return Reason::kMemberUnknown;
  if (ref.member(*index).role != Role::kClearingMember) return Reason::kMemberNotClearing;
  out = *index;
  return Reason::kNone;
}

Reason check_dates(const Trade& t, const ReferenceData& ref, std::string_view& field) {
  field = "trade_date";
  if (!in_date_range(t.trade_date)) return Reason::kDateOutOfRange;
  // The network did not exist then; the late-trade window (ledger.h) bounds
  // trades after genesis, this bounds the first days, before it has slid.
  if (t.trade_date < ref.first_business_date()) return Reason::kTradeDateBeforeGenesis;
  if (!ref.calendar().is_business_day(t.trade_date)) return Reason::kTradeDateNotBusinessDay;
  field = "settlement_date";
  if (!in_date_range(t.settlement_date)) return Reason::kDateOutOfRange;
  if (!ref.calendar().is_business_day(t.settlement_date)) {
    return Reason::kSettlementDateNotBusinessDay;
  }
  if (t.settlement_date < t.trade_date) return Reason::kSettlementBeforeTradeDate;
  if (!ref.calendar().business_days_between(t.trade_date, t.settlement_date,
                                            ref.settlement_cycle_max_days())) {
    return Reason::kSettlementCycleTooLong;
  }
  return Reason::kNone;
}

// The two sides of a trade may write one price with different trailing
// zeros ("10.5", "10.50"); both must read as the same integer at the
// instrument's scale, which is where prices are compared and booked. A
// price with more significant decimals than the instrument has cannot be
// booked exactly and is refused rather than rounded.
Reason check_price(const Trade& t, const InstrumentInfo& ins, Price& at_scale,
                   std::string_view& field) {
  field = "quantity";
  if (t.quantity.units <= 0) return Reason::kQuantityNotPositive;
  field = "price";
  if (t.price.units <= 0) return Reason::kPriceNotPositive;
  field = "price_scale";
  if (t.price_scale > 9) return Reason::kPriceScaleMismatch;
  const int shift = ins.price_scale - t.price_scale;
  const std::int64_t factor = pow10(shift < 0 ? -shift : shift);
  if (shift < 0) {
    if (t.price.units % factor != 0) return Reason::kPriceScaleMismatch;
    at_scale.units = t.price.units / factor;
  } else {
    field = "price";
    // Beyond int64 at the instrument's scale is beyond any band.
    if (t.price.units > std::numeric_limits<std::int64_t>::max() / factor) {
      return Reason::kPriceOutsideBand;
    }
    at_scale.units = t.price.units * factor;
  }
  field = "price";
  if (at_scale < ins.band_low || at_scale > ins.band_high) return Reason::kPriceOutsideBand;
  return Reason::kNone;
}

// A report comes from a party (bilateral) or from a trading venue
// (locked-in); operators and regulators submit no trades.
Reason resolve_submitter(const MemberId& id, const ReferenceData& ref, ValidTrade& v) {
  const std::optional<MemberIndex> index = ref.find_member(id);
  if (!index) return Reason::kMemberUnknown;
  const Role role = ref.member(*index).role;
  if (role != Role::kClearingMember && role != Role::kTradingVenue) {
    return Reason::kMemberNotClearing;
  }
  v.submitter = *index;
  v.locked_in = role == Role::kTradingVenue;
  return Reason::kNone;
}

}  // namespace

TradeCheck validate_trade(const Trade& t, const ReferenceData& ref) {
  if (!is_valid_trade_id(t.trade_id.view())) return reject(Reason::kTradeIdInvalid, "trade_id");
  TradeCheck check;
  ValidTrade& v = check.trade;
  if (Reason r = resolve_submitter(t.submitter, ref, v); r != Reason::kNone) {
    return reject(r, "submitter");
  }
  if (Reason r = resolve_party(t.buyer, ref, v.buyer); r != Reason::kNone) return reject(r, "buyer");
  if (Reason r = resolve_party(t.seller, ref, v.seller); r != Reason::kNone) {
    return reject(r, "seller");
  }
  if (v.locked_in) {
    if (!ref.venue_may_submit_for(v.submitter, v.buyer)) {
      return reject(Reason::kVenueNotPermitted, "buyer");
    }
    if (!ref.venue_may_submit_for(v.submitter, v.seller)) {
      return reject(Reason::kVenueNotPermitted, "seller");
    }
  } else if (v.submitter != v.buyer && v.submitter != v.seller) {
    return reject(Reason::kSubmitterNotParty, "submitter");
  }
  if (v.buyer == v.seller) return reject(Reason::kBuyerIsSeller, "seller");
  // Every genesis ISIN is valid, so the check digit matters only for naming
  // the reason of an unknown one.
  const std::optional<InstrumentIndex> instrument = ref.find_instrument(t.isin);
  if (!instrument) {
    return reject(is_valid_isin(t.isin.view()) ? Reason::kInstrumentUnknown : Reason::kIsinInvalid,
                  "isin");
  }
  v.instrument = *instrument;
  const InstrumentInfo& ins = ref.instrument(*instrument);
  const std::optional<CurrencyIndex> currency = ref.find_currency(t.currency);
  if (!currency) return reject(Reason::kCurrencyUnknown, "currency");
  if (*currency != ins.currency) return reject(Reason::kCurrencyMismatch, "currency");
  v.currency = *currency;
  std::string_view field;
  if (Reason r = check_price(t, ins, v.price, field); r != Reason::kNone) return reject(r, field);
  const Consideration c = consideration_of(t.quantity, v.price, ins.price_scale,
                                           ref.currency(*currency).minor_units);
  if (c.status == ConsiderationStatus::kOverflow) {
    return reject(Reason::kConsiderationOverflow, "quantity");
  }
  if (c.status == ConsiderationStatus::kTooSmall) {
    return reject(Reason::kConsiderationTooSmall, "price");
  }
  v.consideration = c.amount;
  if (Reason r = check_dates(t, ref, field); r != Reason::kNone) return reject(r, field);
  if (t.client_ref && !is_valid_client_ref(t.client_ref->view())) {
    return reject(Reason::kClientRefInvalid, "client_ref");
  }
  return check;
}

}  // namespace quorumclear::settlement
