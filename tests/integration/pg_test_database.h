#pragma once
// A throw-away PostgreSQL database on the private test server (QC_PG_URL,
// set by ops/test.sh), created for one test and dropped after it, so tests
// never see each other's rows and can run in parallel.

#include <pqxx/pqxx>

#include <string>

namespace quorumclear::testing {

class PgTestDatabase {
 public:
  PgTestDatabase();
  ~PgTestDatabase();
  PgTestDatabase(const PgTestDatabase&) = delete;
  PgTestDatabase& operator=(const PgTestDatabase&) = delete;

  /// Connection URL of the fresh database.
  [[nodiscard]] const std::string& url() const { return url_; }

 private:
  std::string admin_url_;
  std::string name_;
  std::string url_;
};

/// How a statement ended: its SQLSTATE and PostgreSQL's message (which names
/// the violated constraint), or both empty if every statement succeeded.
struct SqlOutcome {
  std::string sqlstate;
  std::string message;
};

/// Runs `sql` in a transaction that is always rolled back and says how it ended.
[[nodiscard]] SqlOutcome outcome_of(pqxx::connection& db, const std::string& sql);

}  // namespace quorumclear::testing
