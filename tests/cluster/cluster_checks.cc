#include "tests/cluster/cluster_checks.h"

#include <pqxx/pqxx>

#include <thread>

namespace quorumclear::testing {

std::vector<std::vector<std::string>> rows_everywhere(Cluster& cluster, const std::string& sql) {
  std::vector<std::vector<std::string>> out;
  for (std::size_t i = 0; i < cluster.size(); ++i) {
    pqxx::connection db(cluster.database_url(i));
    pqxx::nontransaction tx(db);
    std::vector<std::string> rows;
    for (const auto& row : tx.exec(sql)) {
      std::string line;
      for (const auto& field : row) line += std::string(field.is_null() ? "NULL" : field.c_str()) + "|";
      rows.push_back(line);
    }
    out.push_back(std::move(rows));
  }
  return out;
}

bool eventually(const std::function<bool()>& done, std::chrono::seconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  return done();
}

std::string report_json(const std::string& id, const std::string& buyer, const std::string& seller,
                        const std::string& isin, int quantity, const std::string& price, const std::string& trade_date,
                        const std::string& settlement_date) {
  return "{\"trade_id\": \"" + id + "\", \"buyer\": \"" + buyer + "\", \"seller\": \"" + seller +
         "\", \"isin\": \"" + isin + "\", \"quantity\": " + std::to_string(quantity) + ", \"price\": \"" + price +
         "\", \"currency\": \"EUR\", \"trade_date\": \"" + trade_date + "\", \"settlement_date\": \"" +
         settlement_date + "\"}";
}

bool settled_and_certified(Cluster& c) {
  const auto last = rows_everywhere(c, "SELECT last_applied_epoch FROM node_state");
  const auto short_of = rows_everywhere(
      c, "SELECT count(*) FROM epochs e WHERE (SELECT count(*) FROM epoch_signatures s WHERE s.epoch = e.epoch) < 3");
  for (std::size_t i = 0; i < c.size(); ++i) {
    if (last[i] != last[0] || short_of[i].empty() || short_of[i][0] != "0|") return false;
  }
  return true;
}

}  // namespace quorumclear::testing
