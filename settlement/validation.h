#pragma once
// Reason codes for every refusal the domain makes, and the stateless checks
// run on submission and again when a decided batch is applied. A reason is
// machine-readable (UPPER_SNAKE, fits trades.reject_reason) and comes with
// the offending field's name (trades column names).

#include "settlement/reference_data.h"
#include "settlement/trade.h"

#include <string_view>

namespace quorumclear::settlement {

enum class Reason : std::uint8_t {
  kNone,
  // Stateless, per trade.
  kTradeIdInvalid,
  kMemberUnknown,
  kMemberNotClearing,
  kSubmitterNotParty,
  kBuyerIsSeller,
  kIsinInvalid,
  kInstrumentUnknown,
  kCurrencyUnknown,
  kCurrencyMismatch,
  kQuantityNotPositive,
  kPriceNotPositive,
  kPriceScaleMismatch,
  kPriceOutsideBand,
  kConsiderationOverflow,
  kConsiderationTooSmall,
  kDateOutOfRange,
  kTradeDateBeforeGenesis,
  kTradeDateNotBusinessDay,
  kSettlementDateNotBusinessDay,
  kSettlementBeforeTradeDate,
  kSettlementCycleTooLong,
  kClientRefInvalid,
  kVenueNotPermitted,
  // Stateful, when a decided epoch is applied.
  kSubmitterNotProposer,
  kDuplicateConflict,
  kTradeDateNotOpen,
  kTradeDateTooOld,
  kInstrumentSuspended,
  kLimitGrossNotional,
  kLimitNetPosition,
  kLimitGrossQuantity,
  kPositionOverflow,
  kBatchUndecodable,
  kNotOperator,
  kCutOffDateNotOpen,
  kCutOffAlreadyApplied,
  kAssetUnknown,
  kAmountNotPositive,
  kBalanceOverflow,
  // Control-entry votes (ledger.h, "Control entries").
  kProposerUnknown,
  kControlRefInvalid,
  kControlAlreadyApplied,
  kControlRefConflict,
  kControlExpired,
  kControlVoteLimit,
  // Settlement fails.
  kInsufficientSecurities,
  kInsufficientCash,
  kCcpShortfall,
  // Matching (ledger.h, "Matching").
  kFieldMismatch,      // status MISMATCHED: the paired reports differ in `field`
  kAllegationExpired,  // status UNMATCHED_EXPIRED
  kAllegationLimit,    // the submitter has max_open_reports_per_member live reports
  kVersionLimit,       // the key has kReportVersionsMax versions
  kTradeNotFound,      // a cancel of a key never decided
  kAlreadyMatched,     // a cancel after matching; a venue trade for a booked match key
  kReportNotOpen,      // a cancel or correction of a rejected or expired report
  kLockedInMismatch,   // a report of a locked-in trade that differs in `field`
};

/// UPPER_SNAKE code, e.g. "PRICE_OUTSIDE_BAND"; matches ^[A-Z_]{1,48}$.
[[nodiscard]] std::string_view to_string(Reason reason);

/// The interned form of a trade that passed stateless validation.
struct ValidTrade {
  MemberIndex submitter;
  MemberIndex buyer;
  MemberIndex seller;
  InstrumentIndex instrument;
  CurrencyIndex currency;
  /// At the instrument's price scale, whatever scale it was written in.
  Price price;
  AmountMinor consideration;
  /// Submitted by a trading venue for two of its members: needs no second side.
  bool locked_in = false;
};

struct TradeCheck {
  Reason reason = Reason::kNone;
  std::string_view field;  // empty when reason == kNone
  ValidTrade trade;
  [[nodiscard]] bool ok() const { return reason == Reason::kNone; }
};

/// Checks everything that depends on the trade and genesis alone: field
/// syntax, known members and instrument, roles (the submitter is a clearing
/// member that is buyer or seller, or a trading venue permitted for both),
/// buyer != seller, price exact at the instrument's scale and within its
/// band, currency, consideration, trade date not before genesis, business
/// days and settlement cycle (T+0 .. T+n). The first failing check wins, in
/// the order of the fields, so every node names the same reason.
[[nodiscard]] TradeCheck validate_trade(const Trade& trade, const ReferenceData& reference);

}  // namespace quorumclear::settlement
