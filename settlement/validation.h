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
  AmountMinor consideration;
};

struct TradeCheck {
  Reason reason = Reason::kNone;
  std::string_view field;  // empty when reason == kNone
  ValidTrade trade;
  [[nodiscard]] bool ok() const { return reason == Reason::kNone; }
};

/// Checks everything that depends on the trade and genesis alone: field
/// syntax, known members and instrument, roles, submitter is a party, buyer
/// != seller, price scale and band, currency, consideration, trade date not
/// before genesis, business days and settlement cycle (T+0 .. T+n). The first failing check wins, in the
/// order of the fields, so every node names the same reason.
[[nodiscard]] TradeCheck validate_trade(const Trade& trade, const ReferenceData& reference);

}  // namespace quorumclear::settlement
