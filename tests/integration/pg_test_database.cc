#include "tests/integration/pg_test_database.h"

#include <atomic>
#include <cstdlib>
#include <stdexcept>
#include <unistd.h>

namespace quorumclear::testing {
namespace {

std::string admin_url_from_env() {
  const char* url = std::getenv("QC_PG_URL");
  if (url == nullptr || *url == '\0') {
    // Failing, not skipping: a skipped integration test would let a build
    // without a database pass as green.
    throw std::runtime_error("QC_PG_URL is not set; run through ops/test.sh or start ops/pg.sh");
  }
  return url;
}

std::string with_database(const std::string& url, const std::string& db) {
  const auto slash = url.rfind('/');
  if (slash == std::string::npos || slash < 10) throw std::runtime_error("QC_PG_URL has no database");
  return url.substr(0, slash + 1) + db;
}

}  // namespace

PgTestDatabase::PgTestDatabase() : admin_url_(admin_url_from_env()) {
  static std::atomic<int> counter{0};
  name_ = "qc_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter++);
  url_ = with_database(admin_url_, name_);
  pqxx::connection admin(admin_url_);
  pqxx::nontransaction tx(admin);
  tx.exec("DROP DATABASE IF EXISTS " + name_);
  tx.exec("CREATE DATABASE " + name_);
}

PgTestDatabase::~PgTestDatabase() {
  try {
    pqxx::connection admin(admin_url_);
    pqxx::nontransaction tx(admin);
    tx.exec("DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
  } catch (...) {
    // Leaving a stray database behind is harmless; ops/pg.sh owns the server.
  }
}

SqlOutcome outcome_of(pqxx::connection& db, const std::string& sql) {
  try {
    // Never committed: callers probe constraints without changing the data.
    pqxx::work tx(db);
    tx.exec(sql);
    return {};
  } catch (const pqxx::sql_error& e) {
    return {e.sqlstate(), e.what()};
  }
}

}  // namespace quorumclear::testing
