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

/// net_obligations row, always against the CCP. net_amount > 0: the member
/// receives from the CCP; < 0: the member delivers (securities) or pays
/// (cash) to the CCP.
///
/// Valuation (CNS). A securities obligation is per (member, instrument):
/// net_amount units, moving unit by unit against their value at the
/// settlement price, value_minor = -net_amount x price_minor, plus
/// mark_minor, what the member's trades in that instrument moved in cash at
/// trade prices minus that value. The mark moves as cash on its own, whole
/// or not at all. A securities obligation may have net_amount 0 and only a
/// mark (equal quantities bought and sold at different prices). Marks are
/// kept per instrument, not per currency, so that a mark a defaulter leaves
/// unpaid concerns only the members who traded that instrument (dvp.h).
///
/// A cash obligation per (member, currency) is the member's net cash at
/// trade prices, net_amount = the value legs plus marks of its fresh
/// securities obligations in that currency, mark_minor the sum of those
/// marks: the payment they make together. It is never carried: a failed
/// securities obligation carries its own cash forward (its value leg at its
/// own price, its unpaid mark).
///
/// settled_amount is what moved of net_amount: units for securities (same
/// sign, never more); minor units for cash, the value of the units that
/// moved plus the marks that moved, which under partial settlement need not
/// share net_amount's sign. settled_mark_minor is what moved of mark_minor
/// (securities: 0 or all of it; cash: the sum over its securities).
struct Obligation {
  BusinessDate settlement_date;
  BusinessDate origin_date;  // == settlement_date unless carried forward after a fail
  MemberIndex member;
  AssetKind kind = AssetKind::kSecurities;
  std::uint32_t asset = 0;  // InstrumentIndex or CurrencyIndex value, by kind
  std::int64_t net_amount = 0;
  ObligationStatus status = ObligationStatus::kPending;
  Reason fail_reason = Reason::kNone;
  std::int64_t price_minor = 0;         // securities: settlement price, minor units per unit
  std::int64_t value_minor = 0;         // securities: -net_amount x price_minor
  std::int64_t mark_minor = 0;          // securities: its mark; cash: the sum of its marks
  std::int64_t settled_amount = 0;      // what moved of net_amount
  std::int64_t settled_mark_minor = 0;  // what moved of mark_minor
  [[nodiscard]] bool carried() const { return origin_date != settlement_date; }
  friend bool operator==(const Obligation&, const Obligation&) = default;
};

/// The instruction an obligation stands for, always against the CCP. One
/// with net_amount 0 moves only its mark: PAY or COLLECT by the mark's sign.
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
  /// Sorted by (member, kind, asset). An obligation may have net_amount 0
  /// with a mark (bought and sold equal quantities, or equal values across
  /// instruments, at prices other than the settlement price), never both zero.
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
/// at the settlement prices; per (member, instrument) the mark makes up what
/// its trades moved at trade prices. An instrument whose value leg or mark
/// would not fit int64 settles at price 0 (free of payment, the whole trade
/// cash as the mark), a currency whose sum of marks would not fit likewise;
/// values and marks are bounded by twice the date's gross in the currency,
/// so neither happens unless that gross comes near int64. Asserts that
/// obligations sum to zero per asset, marks per instrument, and that net
/// cash per currency equals the gross it replaces.
[[nodiscard]] Netting net_date_book(const DateBook& book, BusinessDate settlement_date,
                                    const ReferenceData& reference);

}  // namespace quorumclear::settlement
