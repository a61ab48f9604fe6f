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

}  // namespace quorumclear::testing
