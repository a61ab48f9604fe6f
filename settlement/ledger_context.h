#pragma once
// Per-epoch scratch shared by the ledger's translation units (not public).

#include "settlement/ledger.h"
#include "settlement/record.h"

#include <utility>
#include <vector>

namespace quorumclear::settlement {

/// Where a funding entry credits: resolved from its codes by resolve_funding.
struct FundingTarget {
  AccountIndex account;
  std::uint32_t asset = 0;  // instrument or currency index, by kind
  bool to_ccp = false;
};

/// Reason::kNone when `id` is an OPERATOR member.
[[nodiscard]] Reason check_operator(const MemberId& id, const ReferenceData& ref);
/// The stateless checks of a funding entry past its operator and reference:
/// member (a clearing member or the CCP), asset, amount. Sets `field`.
[[nodiscard]] Reason resolve_funding(const Funding& funding, const ReferenceData& ref,
                                     FundingTarget& target, std::string_view& field);

struct Ledger::Context {
  EpochResult& result;
  std::uint64_t epoch;
  std::vector<std::pair<BusinessDate, std::uint64_t>> touched_positions;
  std::vector<std::pair<BusinessDate, std::uint64_t>> touched_cash;
  std::vector<BalanceKey> touched_balances;
  std::vector<BusinessDate> touched_dates;
};

}  // namespace quorumclear::settlement
