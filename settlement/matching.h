#pragma once
// What two-sided matching compares and keeps (ledger.h, "Matching"): the
// economic fields of a report, and the store of live (ALLEGED or MISMATCHED)
// reports, bounded per member by the genesis max_open_reports_per_member.

#include "settlement/types.h"

#include <string_view>
#include <vector>

namespace quorumclear::settlement {

/// The fields both sides of a trade must agree on, interned. The price is at
/// the instrument's scale, so "10.5" and "10.50" are one value here.
struct ReportFields {
  InstrumentIndex instrument;
  Quantity quantity;
  Price price;
  CurrencyIndex currency;
  BusinessDate trade_date;
  BusinessDate settlement_date;
};

/// The first field in which two reports differ, in the fixed order isin,
/// quantity, price, currency, trade_date, settlement_date (trades column
/// names), so every node names the same one; empty when they agree.
[[nodiscard]] std::string_view first_difference(const ReportFields& a, const ReportFields& b);

/// A live report, beside its TradeRegistry record.
struct OpenReport {
  std::uint32_t record = 0;  // TradeRegistry index
  MemberIndex submitter;
  MemberIndex counterparty;
  ReportFields fields;
  AmountMinor consideration;
  BusinessDate business_date;  // open when it arrived
  BusinessDate expires_on;     // UNMATCHED_EXPIRED at this date's cut-off
  /// While MISMATCHED, the field its counterparty's report differs in
  /// (a static string from first_difference); empty while ALLEGED.
  std::string_view mismatch_field;
};

/// Slots reused through a free list; iteration is in slot order, which
/// depends only on the agreed log, but callers that emit rows sort by
/// record index so the output never depends on slot reuse.
class OpenReports {
 public:
  explicit OpenReports(std::size_t members) : per_member_(members, 0) {}

  std::uint32_t add(const OpenReport& report);
  void remove(std::uint32_t slot);
  [[nodiscard]] OpenReport& at(std::uint32_t slot) { return slots_.at(slot); }
  [[nodiscard]] const OpenReport& at(std::uint32_t slot) const { return slots_.at(slot); }
  [[nodiscard]] std::uint32_t open_count(MemberIndex submitter) const {
    return per_member_.at(submitter.value);
  }
  [[nodiscard]] std::size_t size() const { return slots_.size() - free_.size(); }

  template <class F>
  void for_each(F&& f) const {
    for (std::size_t i = 0; i < slots_.size(); ++i) {
      if (used_[i] != 0) f(static_cast<std::uint32_t>(i), slots_[i]);
    }
  }

 private:
  friend class SnapshotCodec;  // snapshot.cc
  std::vector<OpenReport> slots_;
  std::vector<std::uint8_t> used_;
  std::vector<std::uint32_t> free_;
  std::vector<std::uint32_t> per_member_;
};

}  // namespace quorumclear::settlement
