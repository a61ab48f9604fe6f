#pragma once
// Per-epoch scratch shared by the ledger's translation units (not public).

#include "settlement/ledger.h"
#include "settlement/record.h"

#include <utility>
#include <vector>

namespace quorumclear::settlement {

struct Ledger::Context {
  EpochResult& result;
  std::uint64_t epoch;
  std::vector<std::pair<BusinessDate, std::uint64_t>> touched_positions;
  std::vector<std::pair<BusinessDate, std::uint64_t>> touched_cash;
  std::vector<BalanceKey> touched_balances;
  std::vector<BusinessDate> touched_dates;
};

}  // namespace quorumclear::settlement
