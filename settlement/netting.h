#pragma once
// Multilateral netting with the network as central counterparty (CCP): every
// confirmed trade is novated into two legs against the CCP, so for one
// settlement date each member owes or is owed exactly one net quantity per
// instrument and one net amount per currency, all against the CCP. An
// obligation is therefore also the settlement instruction that realises it
// (member <-> CCP), and a member's instructions for a date settle together,
// delivery versus payment (see dvp.h).

#include "settlement/positions.h"
#include "settlement/validation.h"

#include <vector>

namespace quorumclear::settlement {

enum class ObligationStatus : std::uint8_t { kPending, kSettled, kFailed };

/// net_obligations row. net_amount > 0: the member receives from the CCP;
/// < 0: the member delivers (securities) or pays (cash) to the CCP.
///
/// Valuation (CNS): a securities obligation moves against its value at the
/// settlement price, value_minor = -net_amount x price_minor, unit by unit;
/// a cash obligation is net_amount = the value legs of the member's fresh
/// securities obligations in that currency + mark_minor, the difference
/// between its trade prices and the settlement prices, which moves as cash
/// on its own. A carried cash obligation is an unpaid mark (mark_minor ==
/// net_amount). settled_amount is the part of net_amount that moved.
struct Obligation {
  BusinessDate settlement_date;
  BusinessDate origin_date;  // == settlement_date unless carried forward after a fail
  MemberIndex member;
  AssetKind kind = AssetKind::kSecurities;
  std::uint32_t asset = 0;  // InstrumentIndex or CurrencyIndex value, by kind
  std::int64_t net_amount = 0;
  ObligationStatus status = ObligationStatus::kPending;
  Reason fail_reason = Reason::kNone;
  std::int64_t price_minor = 0;     // securities: settlement price, minor units per unit
  std::int64_t value_minor = 0;     // securities: -net_amount x price_minor
  std::int64_t mark_minor = 0;      // cash: net_amount minus the value legs it stands for
  std::int64_t settled_amount = 0;  // same sign as net_amount, |settled| <= |net|
  [[nodiscard]] bool carried() const { return origin_date != settlement_date; }
  friend bool operator==(const Obligation&, const Obligation&) = default;
};

/// The instruction an obligation stands for, always against the CCP.
enum class Direction : std::uint8_t { kDeliver, kReceive, kPay, kCollect };
[[nodiscard]] Direction direction(const Obligation& obligation);

/// settlement_run_totals row. Gross counts each trade's consideration once;
/// net is what payers pay (sum of negative net cash obligations).
struct CurrencyTotals {
  CurrencyIndex currency;
  std::int64_t gross_minor = 0;
  std::int64_t net_minor = 0;
  std::uint32_t trade_count = 0;
  std::uint32_t efficiency_bps = 0;  // floor(10000 * (1 - net / gross))
  friend bool operator==(const CurrencyTotals&, const CurrencyTotals&) = default;
};

struct Netting {
  /// Sorted by (member, kind, asset). Securities obligations are never zero;
  /// a cash obligation may have net_amount 0 with a mark (it sold and bought
  /// equal values in different instruments), never both zero.
  std::vector<Obligation> obligations;
  std::vector<CurrencyTotals> totals;   // currencies with at least one trade, by index
};

/// The settlement price of one instrument for one settlement date: the
/// volume-weighted price of that date's confirmed trades, sum of
/// considerations / sum of quantities, rounded half-to-even to one minor unit
/// of the currency. Whole minor units make every value q x P exact, so values
/// of opposite positions cancel to the cent and no rounding residue is left
/// at the CCP. Precondition: volume.quantity > 0.
[[nodiscard]] std::int64_t settlement_price_minor(const TradedVolume& volume);

/// Nets `book` for `settlement_date` and values its securities obligations
/// at the settlement prices (marks make up each member's net cash). Asserts
/// that obligations sum to zero per asset and that net cash per currency
/// equals the gross it replaces.
[[nodiscard]] Netting net_date_book(const DateBook& book, BusinessDate settlement_date,
                                    const ReferenceData& reference);

}  // namespace quorumclear::settlement
