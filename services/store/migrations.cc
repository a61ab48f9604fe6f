#include "services/store/migrations.h"

#include <openssl/evp.h>

#include <fstream>
#include <map>
#include <regex>
#include <sstream>

namespace quorumclear::store {
namespace {

// Any fixed number works; it only has to differ from other advisory locks the
// node takes. "qc-mig" in ASCII.
constexpr long long kAdvisoryLockKey = 0x71632d6d6967LL;

std::string sha256_hex(const std::string& data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), digest, &len, EVP_sha256(), nullptr) != 1) {
    throw MigrationError("migrations: SHA-256 failed");
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * len);
  for (unsigned int i = 0; i < len; ++i) {
    out.push_back(kHex[digest[i] >> 4]);
    out.push_back(kHex[digest[i] & 0xF]);
  }
  return out;
}

std::string read_file(const std::filesystem::path& path) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) throw MigrationError("migrations: cannot stat " + path.string() + ": " + ec.message());
  if (size > kMigrationFileBytesMax) {
    throw MigrationError("migrations: " + path.filename().string() + " is " + std::to_string(size) +
                         " bytes, above the " + std::to_string(kMigrationFileBytesMax) + " limit");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) throw MigrationError("migrations: cannot read " + path.string());
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

struct AppliedRow {
  std::string name;
  std::string checksum_hex;
};

// Session-level lock, released on every exit path including exceptions.
class AdvisoryLock {
 public:
  explicit AdvisoryLock(pqxx::connection& db) : db_(db) {
    pqxx::nontransaction tx(db_);
    tx.exec("SELECT pg_advisory_lock(" + std::to_string(kAdvisoryLockKey) + ")");
  }
  ~AdvisoryLock() {
    try {
      pqxx::nontransaction tx(db_);
      tx.exec("SELECT pg_advisory_unlock(" + std::to_string(kAdvisoryLockKey) + ")");
    } catch (...) {
      // The connection is broken; PostgreSQL drops session locks with it.
    }
  }
  AdvisoryLock(const AdvisoryLock&) = delete;
  AdvisoryLock& operator=(const AdvisoryLock&) = delete;

 private:
  pqxx::connection& db_;
};

std::map<int, AppliedRow> read_applied(pqxx::connection& db) {
  pqxx::work tx(db);
  tx.exec(
      "CREATE TABLE IF NOT EXISTS schema_migrations ("
      " version integer PRIMARY KEY CHECK (version >= 1),"
      " name text NOT NULL,"
      " checksum text NOT NULL CHECK (checksum ~ '^[0-9a-f]{64}$'),"
      " applied_at timestamptz NOT NULL DEFAULT now())");
  std::map<int, AppliedRow> applied;
  for (const auto& row : tx.exec("SELECT version, name, checksum FROM schema_migrations")) {
    applied[row[0].as<int>()] = AppliedRow{row[1].as<std::string>(), row[2].as<std::string>()};
  }
  tx.commit();
  return applied;
}

void check_applied_match(const std::map<int, AppliedRow>& applied,
                         const std::vector<Migration>& migrations) {
  for (const auto& [version, row] : applied) {
    if (version < 1 || static_cast<std::size_t>(version) > migrations.size()) {
      throw MigrationError("migrations: the database has version " + std::to_string(version) +
                           " (" + row.name + ") which this build does not have; refusing to run an "
                           "older build against a newer database");
    }
    const Migration& file = migrations[static_cast<std::size_t>(version - 1)];
    if (row.checksum_hex != file.checksum_hex) {
      throw MigrationError("migrations: " + file.name + " was changed after it was applied (recorded " +
                           row.checksum_hex + ", file now " + file.checksum_hex +
                           "); applied migrations are immutable, add a new one instead");
    }
  }
}

}  // namespace

std::vector<Migration> load_migrations(const std::filesystem::path& dir) {
  static const std::regex kName(R"(^([0-9]{4})_[a-z0-9_]{1,64}\.sql$)");
  std::error_code ec;
  std::filesystem::directory_iterator it(dir, ec);
  if (ec) throw MigrationError("migrations: cannot list " + dir.string() + ": " + ec.message());
  std::map<int, Migration> by_version;
  for (const auto& entry : it) {
    const std::string name = entry.path().filename().string();
    if (entry.path().extension() != ".sql") continue;  // READMEs and the like
    std::smatch match;
    if (!std::regex_match(name, match, kName)) {
      throw MigrationError("migrations: " + name + " is not named NNNN_lower_case_name.sql");
    }
    const int version = std::stoi(match[1].str());
    if (version < 1) throw MigrationError("migrations: " + name + ": versions start at 0001");
    Migration m{version, name, read_file(entry.path()), {}};
    m.checksum_hex = sha256_hex(m.sql);
    if (!by_version.emplace(version, std::move(m)).second) {
      throw MigrationError("migrations: two files share version " + match[1].str());
    }
  }
  std::vector<Migration> out;
  for (auto& [version, m] : by_version) {
    if (version != static_cast<int>(out.size()) + 1) {
      throw MigrationError("migrations: version " + std::to_string(out.size() + 1) +
                           " is missing before " + m.name);
    }
    out.push_back(std::move(m));
  }
  if (out.empty()) throw MigrationError("migrations: no NNNN_*.sql files in " + dir.string());
  return out;
}

MigrationReport apply_migrations(pqxx::connection& db, const std::vector<Migration>& migrations) {
  AdvisoryLock lock(db);
  const auto applied = read_applied(db);
  check_applied_match(applied, migrations);

  MigrationReport report;
  report.already_applied = static_cast<int>(applied.size());
  for (const Migration& m : migrations) {
    if (applied.count(m.version) != 0) continue;
    try {
      pqxx::work tx(db);
      tx.exec(m.sql);
      tx.exec_params("INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)",
                     m.version, m.name, m.checksum_hex);
      tx.commit();
    } catch (const pqxx::sql_error& e) {
      throw MigrationError("migrations: " + m.name + " failed and was rolled back: " + e.what());
    }
    report.applied.push_back(m.name);
  }
  return report;
}

}  // namespace quorumclear::store
