#pragma once
// What cluster tests check across nodes: the same SQL on every node's
// database, and waiting (bounded) for a condition to hold.

#include "tests/cluster/cluster.h"

#include <chrono>
#include <functional>
#include <string>
#include <vector>

namespace quorumclear::testing {

/// Rows of `sql` on every node's database, each row its fields joined by "|".
[[nodiscard]] std::vector<std::vector<std::string>> rows_everywhere(Cluster& cluster, const std::string& sql);

/// Every node has applied the same last epoch and holds 2f+1 (3 of 4)
/// signatures for each of its epochs: with no idle heartbeat, the history
/// has stopped growing and `clearctl audit verify` can check it whole.
[[nodiscard]] bool settled_and_certified(Cluster& c);

/// Polls `done` every 200 ms until it holds or `timeout` passes; its last answer.
[[nodiscard]] bool eventually(const std::function<bool()>& done,
                              std::chrono::seconds timeout = std::chrono::seconds(90));

/// A report body for POST /v1/trades (EUR).
[[nodiscard]] std::string report_json(const std::string& id, const std::string& buyer, const std::string& seller,
                                      const std::string& isin, int quantity, const std::string& price,
                                      const std::string& trade_date = "2026-12-01",
                                      const std::string& settlement_date = "2026-12-02");

}  // namespace quorumclear::testing
