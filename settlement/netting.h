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
struct Obligation {
  BusinessDate settlement_date;
  BusinessDate origin_date;  // == settlement_date unless carried forward after a fail
  MemberIndex member;
  AssetKind kind = AssetKind::kSecurities;
  std::uint32_t asset = 0;  // InstrumentIndex or CurrencyIndex value, by kind
  std::int64_t net_amount = 0;
  ObligationStatus status = ObligationStatus::kPending;
  Reason fail_reason = Reason::kNone;
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
  std::vector<Obligation> obligations;  // sorted by (member, kind, asset); none zero
  std::vector<CurrencyTotals> totals;   // currencies with at least one trade, by index
};

/// Nets `book` for `settlement_date`. Asserts that obligations sum to zero
/// per asset and that net cash per currency equals the gross it replaces.
[[nodiscard]] Netting net_date_book(const DateBook& book, BusinessDate settlement_date,
                                    std::size_t currency_count);

}  // namespace quorumclear::settlement
