#include "settlement/matching.h"

#include <cassert>

namespace quorumclear::settlement {

std::string_view first_difference(const ReportFields& a, const ReportFields& b) {
  if (a.instrument != b.instrument) return "isin";
  if (a.quantity != b.quantity) return "quantity";
  if (a.price != b.price) return "price";
  if (a.currency != b.currency) return "currency";
  if (a.trade_date != b.trade_date) return "trade_date";
  if (a.settlement_date != b.settlement_date) return "settlement_date";
  return {};
}

std::uint32_t OpenReports::add(const OpenReport& report) {
  std::uint32_t slot = 0;
  if (free_.empty()) {
    slot = static_cast<std::uint32_t>(slots_.size());
    slots_.push_back(report);
    used_.push_back(1);
  } else {
    slot = free_.back();
    free_.pop_back();
    slots_[slot] = report;
    used_[slot] = 1;
  }
  ++per_member_.at(report.submitter.value);
  return slot;
}

void OpenReports::remove(std::uint32_t slot) {
  assert(used_.at(slot) != 0);
  assert(per_member_.at(slots_[slot].submitter.value) > 0);
  --per_member_[slots_[slot].submitter.value];
  used_[slot] = 0;
  free_.push_back(slot);
}

}  // namespace quorumclear::settlement
